//! Any bytes given to the ONNX reader: an error, or a model whose every parameter is finite and
//! whose shape matches its parameter count; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lutforge_gru::onnx::from_onnx;

fuzz_target!(|data: &[u8]| {
    if let Ok(g) = from_onnx(data) {
        assert_eq!(g.params.len(), g.shape.params());
        assert!(g.params.iter().all(|v| v.is_finite()));
        assert!(g.norm.std.iter().all(|s| *s > 0.0));
    }
});
