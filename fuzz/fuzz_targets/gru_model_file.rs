//! Any bytes given to the GRU model-file reader: an error naming a field, or a model that
//! saves and loads back bit for bit; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lutforge_gru::model_file::ModelFile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(m) = ModelFile::from_json(text) {
        let back = ModelFile::from_json(&m.to_json()).expect("a saved model loads");
        assert_eq!(back, m);
    }
});
