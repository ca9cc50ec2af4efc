//! Any bytes as a task's `.npz` file: an error, or sequences of the declared shape; never a
//! panic, never an allocation beyond the bound the reader checks first.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(samples) = lutforge_gru::data::npz::parse("fuzz.npz", data.to_vec()) {
        for s in &samples {
            assert!(s.len > 0 && s.x.len() % s.len == 0);
        }
    }
});
