//! The Verilator harness's bench mode (`Vharness --bench`) runs the same stimulus and checksum
//! as `lutforge_rtl::speed` on the simulator: for INT8 with 1 and 3 lanes and FP32 with 1 and
//! 2 lanes, the RTL's checksum after its table is loaded through the write port equals the
//! checksum of the simulator unit built with that table, driven both ways (`Unit::stream` and
//! `Unit::step`). The builds are the
//! cross-check builds of `standard_set.rs` and `streams.rs` (same shapes, same cache), so this
//! test adds none.

use lutforge_core::{Builtin, Datapath, FixedFormat, Fp32Params, IntParams, Params, Rounding};
use lutforge_rtl::crosscheck::{self, load_events};
use lutforge_rtl::speed;
use lutforge_sim::convert::NumFormat;
use lutforge_sim::unit::{Arith, Unit, UnitConfig};
use lutforge_sim::RunOptions;
use lutforge_sim_tests::{cache_dir, cases, standard_table};

const CYCLES: u64 = 20_000;

fn rtl_equals_sim(cfg: UnitConfig, params: &Params) {
    let (build, zeros) = crosscheck::shared_build(&cfg, &cache_dir(), 500.0).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let opts = RunOptions::default();
    let load = dir.path().join("load.trace");
    let events = load_events(&cfg, params).unwrap();
    crosscheck::simulate(&cfg, &zeros, events, &opts, &load, None).unwrap();
    let rtl = build.bench(CYCLES, &load).unwrap();
    assert_eq!(rtl.cycles, CYCLES);

    let unit = Unit::new(cfg, params).unwrap();
    let sim = speed::run(&mut unit.clone(), CYCLES).unwrap();
    assert_eq!(
        rtl.checksum, sim,
        "RTL and simulator checksums differ: {cfg:?}"
    );
    let stepped = speed::run_stepped(&mut unit.clone(), CYCLES).unwrap();
    assert_eq!(stepped, sim, "stream and step differ: {cfg:?}");

    // The checksum sees the table: the reset (all-zero) table gives another one, in both.
    let mut zero_unit = Unit::new(cfg, &zeros).unwrap();
    let sim_zero = speed::run(&mut zero_unit, CYCLES).unwrap();
    assert_ne!(sim_zero, sim, "{cfg:?}");
    let empty = dir.path().join("empty.trace");
    crosscheck::simulate(&cfg, &zeros, Vec::new(), &opts, &empty, None).unwrap();
    assert_eq!(build.bench(CYCLES, &empty).unwrap().checksum, sim_zero);
}

/// The GELU table at scale 4, K = 8, as a unit of the standard set's shape.
fn gelu_case(format: NumFormat) -> (UnitConfig, Params) {
    let table = standard_table(Builtin::Gelu, 8);
    let c = cases(&table, format).into_iter().nth(4).expect("scale 4");
    (c.cfg, c.params)
}

#[test]
fn int8_one_lane_checksum_equals_simulator() {
    let (cfg, params) = gelu_case(NumFormat::Int(8));
    assert_eq!((cfg.lanes, cfg.widths().x), (1, 8));
    rtl_equals_sim(cfg, &params);
}

#[test]
fn int8_three_lanes_checksum_equals_simulator() {
    // The 3-lane shape of streams.rs.
    let dp = Datapath {
        input: FixedFormat::new(8, 5),
        slope: FixedFormat::new(8, 6),
        intercept: FixedFormat::new(8, 5),
        output: FixedFormat::new(8, 2),
        rounding: Rounding::HalfEven,
    };
    let cfg = UnitConfig {
        arch: lutforge_sim::unit::Arch::Pwl,
        arith: Arith::Int(dp),
        segments: 5,
        lanes: 3,
        stages: 2,
        programmable: true,
    };
    let params = Params::Int(IntParams {
        breakpoints: vec![-90, -30, 10, 70],
        slopes: vec![-100, -20, 30, 90, 127],
        intercepts: vec![50, -128, 0, 77, -60],
    });
    rtl_equals_sim(cfg, &params);
}

#[test]
fn fp32_one_lane_checksum_equals_simulator() {
    let (cfg, params) = gelu_case(NumFormat::Fp32);
    assert_eq!((cfg.lanes, cfg.arith), (1, Arith::Fp32));
    rtl_equals_sim(cfg, &params);
}

#[test]
fn fp32_two_lanes_checksum_equals_simulator() {
    // The 2-lane FP32 shape of streams.rs: lane 1 fills the high word of the 64-bit buses.
    let cfg = UnitConfig {
        arch: lutforge_sim::unit::Arch::Pwl,
        arith: Arith::Fp32,
        segments: 4,
        lanes: 2,
        stages: 2,
        programmable: true,
    };
    let params = Params::Fp32(Fp32Params {
        breakpoints: vec![-1.5e-20, 2.5e-10, 3.0e10],
        slopes: vec![-0.75, 1.0e20, 3.0e-5, -2.0],
        intercepts: vec![1.0, -4.0e-30, 0.0, 6.5e30],
    });
    rtl_equals_sim(cfg, &params);
}
