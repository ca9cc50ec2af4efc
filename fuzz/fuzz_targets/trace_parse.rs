//! Any line given to the trace parser (`lutforge-trace/1`), for integer and FP32 units of one
//! and several lanes, fixed and programmable: an error, or a line whose buses print back as
//! they were read, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lutforge_core::{Datapath, FixedFormat, Rounding};
use lutforge_sim::trace::{parse_hex_bus, parse_line, push_hex_bus};
use lutforge_sim::unit::{Arith, UnitConfig};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let dp = |bits: u32| Datapath {
        input: FixedFormat::new(bits, 4),
        slope: FixedFormat::new(bits, 6),
        intercept: FixedFormat::new(bits, 6),
        output: FixedFormat::new(bits, 4),
        rounding: Rounding::HalfUp,
    };
    for (arith, lanes, programmable) in [
        (Arith::Int(dp(8)), 1, true),
        (Arith::Int(dp(5)), 3, true),
        (Arith::Int(dp(8)), 2, false),
        (Arith::Fp32, 1, true),
    ] {
        let cfg = UnitConfig {
            arch: lutforge_sim::unit::Arch::Pwl,
            arith,
            segments: 8,
            lanes,
            stages: 4,
            programmable,
        };
        for line in text.lines() {
            let Ok(l) = parse_line(&cfg, line) else {
                continue;
            };
            let w = cfg.widths();
            let field = line
                .split_whitespace()
                .nth(3)
                .expect("parsed lines have 10 fields");
            let mut again = String::new();
            push_hex_bus(&mut again, &l.in_data, w.x);
            assert_eq!(again, field.to_ascii_lowercase());
            let signed = matches!(cfg.arith, Arith::Int(_));
            assert_eq!(
                parse_hex_bus(&again, lanes, w.x, signed).unwrap(),
                l.in_data
            );
        }
    }
});
