//! Every input code of every scale of every standard function through the simulator equals
//! core's golden model — integer and FP32, every pipeline depth, one and several lanes, with
//! and without random output stalls.

mod common;

use lutforge_core::{fp32, golden, Params};
use lutforge_sim::convert::{unit_for, UnitShape};
use lutforge_sim::{NumFormat, Unit};
use rand::{Rng, SeedableRng};

const VARIANTS: [(u32, usize, f64); 6] = [
    (4, 1, 0.0),
    (4, 3, 0.4),
    (3, 1, 0.25),
    (2, 2, 0.0),
    (1, 1, 0.5),
    (1, 4, 0.1),
];

#[test]
fn int8_every_code_equals_golden() {
    for t in common::all_tables() {
        for frac in common::SCALES {
            let dp = t.datapath(frac);
            let p = common::int_params(&t, frac);
            let codes: Vec<i64> = (dp.input.min_code()..=dp.input.max_code()).collect();
            let want: Vec<i64> = codes.iter().map(|&x| golden::eval(&dp, p, x).y).collect();
            for (i, &(stages, lanes, stall)) in VARIANTS.iter().enumerate() {
                for programmable in [true, false] {
                    let (cfg, params) = unit_for(
                        &t,
                        frac,
                        &UnitShape {
                            arch: lutforge_sim::unit::Arch::Pwl,
                            format: None,
                            lanes,
                            stages,
                            programmable,
                        },
                    )
                    .unwrap();
                    let mut u = Unit::new(cfg, &params).unwrap();
                    let got = common::outputs(&mut u, &codes, stall, i as u64);
                    assert_eq!(
                        got,
                        want,
                        "{} scale {frac} stages {stages} lanes {lanes} stall {stall}",
                        t.function.name()
                    );
                }
            }
        }
    }
}

#[test]
fn fp32_every_code_and_special_values_equal_golden() {
    let specials: Vec<i64> = [
        f32::NAN.to_bits(),
        0xffc0_1234,
        f32::INFINITY.to_bits(),
        f32::NEG_INFINITY.to_bits(),
        (-0.0f32).to_bits(),
        1,
        0x8000_0001,
        f32::MAX.to_bits(),
        f32::MIN.to_bits(),
        f32::MIN_POSITIVE.to_bits(),
    ]
    .iter()
    .map(|&b| b as i64)
    .collect();
    for t in common::all_tables() {
        let fp = t.to_fp32();
        for frac in common::SCALES {
            let Params::Fp32(p) = &fp.scale(frac).unwrap().params else {
                panic!("fp32 table expected")
            };
            let mut words: Vec<i64> = (-128..=127)
                .map(|c| fp32::code_to_f32(c, frac).to_bits() as i64)
                .collect();
            words.extend_from_slice(&specials);
            let want: Vec<i64> = words
                .iter()
                .map(|&w| fp32::eval(p, f32::from_bits(w as u32)).1.to_bits() as i64)
                .collect();
            for (i, &(stages, lanes, stall)) in VARIANTS.iter().enumerate() {
                // The integer table converted on the fly and the FP32 table as loaded agree.
                for (table, format) in [(&t, Some(NumFormat::Fp32)), (&fp, None)] {
                    let (cfg, params) = unit_for(
                        table,
                        frac,
                        &UnitShape {
                            arch: lutforge_sim::unit::Arch::Pwl,
                            format,
                            lanes,
                            stages,
                            programmable: true,
                        },
                    )
                    .unwrap();
                    let mut u = Unit::new(cfg, &params).unwrap();
                    let got = common::outputs(&mut u, &words, stall, 100 + i as u64);
                    assert_eq!(
                        got,
                        want,
                        "{} fp32 scale {frac} stages {stages} lanes {lanes}",
                        t.function.name()
                    );
                }
            }
        }
    }
}

#[test]
fn widened_int16_and_int32_equal_golden() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    for t in common::all_tables() {
        for frac in [0, 3, 6] {
            for n in [16, 32] {
                let (cfg, params) = unit_for(
                    &t,
                    frac,
                    &UnitShape {
                        arch: lutforge_sim::unit::Arch::Pwl,
                        format: Some(NumFormat::Int(n)),
                        lanes: 2,
                        stages: 4,
                        programmable: true,
                    },
                )
                .unwrap();
                let (lutforge_sim::Arith::Int(dp), Params::Int(p)) = (cfg.arith, &params) else {
                    panic!("integer unit expected")
                };
                let (lo, hi) = (dp.input.min_code(), dp.input.max_code());
                let mut codes: Vec<i64> = (0..600).map(|_| rng.gen_range(lo..=hi)).collect();
                codes.extend([lo, hi, 0, -1]);
                let want: Vec<i64> = codes.iter().map(|&x| golden::eval(&dp, p, x).y).collect();
                let mut u = Unit::new(cfg, &params).unwrap();
                assert_eq!(common::outputs(&mut u, &codes, 0.3, 9), want, "int{n}");
            }
        }
    }
}
