//! Any text as a UEA/sktime `.ts` file: an error naming the line, or sequences whose every
//! label is a declared class; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lutforge_gru::data::{ts, Target};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(f) = ts::parse("fuzz.ts", text) {
        for s in &f.samples {
            assert_eq!(s.x.len(), s.len * f.dimensions);
            if let Target::Class(c) = s.y {
                assert!(c < f.classes.len());
            }
        }
    }
});
