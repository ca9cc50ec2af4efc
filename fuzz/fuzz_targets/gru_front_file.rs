//! Any bytes given to the GRU front reader (`gru gen`'s first step): an error, or a front
//! whose every member rule answers without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lutforge_gru::pareto::{select, Front, Rule};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(v) = lutforge_core::io::json::parse(text) else {
        return;
    };
    let Ok(front) = serde_json::from_value::<Front>(v) else {
        return;
    };
    if let Some(r) = front.baselines.iter().find(|b| b.bits == 8) {
        for rule in [
            "0",
            "3",
            "smallest-within:1",
            "smallest-noninferior:1",
            "smallest-above:0.9",
            "smallest-below:0.1",
        ] {
            let _ = select(
                &front.members,
                front.metric,
                &r.scored,
                front.tolerance,
                Rule::parse(rule).expect("a rule"),
            );
        }
    }
});
