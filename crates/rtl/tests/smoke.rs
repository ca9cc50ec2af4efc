//! A first cross-check: one INT8 unit against the simulator.

use lutforge_core::{Datapath, FixedFormat, IntParams, Params, Rounding};
use lutforge_rtl::crosscheck::{self, beats, load_events, random_events};
use lutforge_sim::unit::{Arith, TableRegs, UnitConfig};
use lutforge_sim::RunOptions;

#[test]
fn int8_exhaustive_and_random() {
    let dp = Datapath {
        input: FixedFormat::new(8, 4),
        slope: FixedFormat::new(8, 6),
        intercept: FixedFormat::new(8, 6),
        output: FixedFormat::new(8, 5),
        rounding: Rounding::HalfEven,
    };
    let cfg = UnitConfig { arith: Arith::Int(dp), segments: 8, lanes: 1, stages: 4, programmable: true };
    let p = IntParams {
        breakpoints: vec![-48, -35, -14, -7, 1, 10, 45],
        slopes: vec![0, -2, -7, 3, 23, 48, 69, 64],
        intercepts: vec![0, -6, -17, -8, 0, -1, -14, 0],
    };
    let cache = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("vcache");
    let t0 = std::time::Instant::now();
    let (build, zeros) = crosscheck::shared_build(&cfg, &cache, 500.0).unwrap();
    eprintln!("build {:?} fresh={}", t0.elapsed(), build.fresh);
    let mut ev = load_events(&cfg, &Params::Int(p.clone())).unwrap();
    let codes: Vec<i64> = (-128..=127).collect();
    ev.extend(beats(&codes, 1));
    ev.extend(random_events(&cfg, &codes, &TableRegs::Int(p.clone()), 3000, 7));
    let dir = tempfile::tempdir().unwrap();
    let opts = RunOptions { stall_prob: 0.3, seed: 3 };
    let r = crosscheck::check(&build, &cfg, &zeros, ev, &opts, dir.path()).unwrap();
    eprintln!("cycles {} {:?}", r.cycles, r.mismatch);
    assert!(r.cycles > 3000);
    assert_eq!(r.mismatch, None);
}
