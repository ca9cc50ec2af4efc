//! Any bytes given to the GQA-LUT importer, for each function: an error or a valid table, never
//! a panic; what imports must export and import again to the same scales.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lutforge_core::{gqa, Builtin, Function};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for b in [Builtin::Gelu, Builtin::Reciprocal, Builtin::Exp] {
        let f = Function::Builtin(b);
        for strict in [false, true] {
            if let Ok(imp) = gqa::import(text, &f, None, strict) {
                let back = gqa::import(&gqa::export(&imp.table), &f, None, strict)
                    .expect("an exported table imports");
                assert_eq!(back.table.scales, imp.table.scales);
            }
        }
    }
});
