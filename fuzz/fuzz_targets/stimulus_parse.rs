//! Any bytes given to the stimulus-file reader (`lutforge sim --input`), for integer and FP32
//! units of one and several lanes: an error naming a line, or events that the unit accepts,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lutforge_core::{Datapath, FixedFormat, Rounding};
use lutforge_sim::stimulus::{Event, FileStimulus, Stimulus};
use lutforge_sim::unit::{Arith, UnitConfig};

fn configs() -> Vec<UnitConfig> {
    let dp = |bits: u32| Datapath {
        input: FixedFormat::new(bits, 4),
        slope: FixedFormat::new(bits, bits as i32 - 2),
        intercept: FixedFormat::new(bits, bits as i32 - 2),
        output: FixedFormat::new(bits, 4),
        rounding: Rounding::HalfUp,
    };
    let unit = |arith, lanes, programmable| UnitConfig {
        arch: lutforge_sim::unit::Arch::Pwl,
        arith,
        segments: 8,
        lanes,
        stages: 4,
        programmable,
    };
    vec![
        unit(Arith::Int(dp(8)), 1, true),
        unit(Arith::Int(dp(16)), 3, true),
        unit(Arith::Int(dp(8)), 2, false),
        unit(Arith::Fp32, 1, true),
        unit(Arith::Fp32, 2, false),
    ]
}

fuzz_target!(|data: &[u8]| {
    for cfg in configs() {
        let mut s = FileStimulus::new(cfg, data, "fuzz");
        let mut beat = vec![0i64; cfg.lanes];
        // Events are bounded by the input: at most one per byte, plus the padded last beat.
        for _ in 0..=data.len() {
            match s.next_event(&mut beat) {
                Ok(Some(Event::Beat { real })) => {
                    assert!(real >= 1 && real <= cfg.lanes);
                    for &w in &beat[..real] {
                        cfg.check_sample(w).expect("a beat's samples fit the unit");
                    }
                }
                Ok(Some(Event::Cfg(w))) => {
                    cfg.check_write(w).expect("a cfg write fits the unit");
                }
                Ok(Some(Event::Idle(n))) => assert!(n > 0),
                Ok(None) | Err(_) => break,
            }
        }
    }
});
