//! Any bytes given to the table loader: an error or a valid table, never a panic; a table that
//! loads must survive metrics, FP32 conversion, and a save/load round trip unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lutforge_core::Table;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((mut table, _)) = Table::from_json(text) {
        table.refresh_metrics();
        let (back, _) = Table::from_json(&table.to_json()).expect("a saved table loads");
        assert_eq!(back.scales.len(), table.scales.len());
        let _ = table.to_fp32();
    }
});
