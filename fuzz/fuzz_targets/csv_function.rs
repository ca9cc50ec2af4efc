//! Any bytes given to the CSV function reader (`--function my.csv`): an error naming a line,
//! or a function that evaluates finitely inside its sample range, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lutforge_core::Sampled;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(f) = Sampled::from_csv_text("fuzz", text) {
        let (lo, hi) = f.range();
        assert!(lo < hi);
        for i in 0..=8 {
            let x = lo + (hi - lo) * i as f64 / 8.0;
            // Linear interpolation between finite samples can only overflow to ±inf.
            assert!(!f.eval(x).is_nan(), "f({x}) is NaN");
        }
    }
});
