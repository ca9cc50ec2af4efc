//! Simulation throughput of lutforge-sim and of the Verilator-built RTL on the same stimulus,
//! measured in one run: N random INT8 samples through the 4-stage, 1-lane GELU unit.
//!
//! cargo run --release -p lutforge-rtl --example throughput -- TABLE.json SCALE [N]

use lutforge_core::Table;
use lutforge_rtl::crosscheck::{self, beats, load_events};
use lutforge_rtl::verilator::default_cache_dir;
use lutforge_sim::convert::unit_for;
use lutforge_sim::stimulus::VecStimulus;
use lutforge_sim::{RunOptions, Unit};
use rand::{Rng, SeedableRng};
use std::time::Instant;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 3 {
        eprintln!("usage: throughput TABLE.json SCALE [N]");
        std::process::exit(2);
    }
    let (table, _) = Table::load(a[1].as_ref()).expect("table");
    let scale: i32 = a[2].parse().expect("scale");
    let n: usize = a.get(3).map_or(1_000_000, |s| s.parse().expect("N"));
    let (cfg, params) = unit_for(&table, scale, None, 1, 4, true).expect("unit");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let samples: Vec<i64> = (0..n).map(|_| rng.gen_range(-128..128)).collect();
    let mut events = load_events(&cfg, &params).expect("load");
    events.extend(beats(&samples, 1));
    let opts = RunOptions::default();

    // 1. The simulator alone: no trace, no waveform.
    let mut unit = Unit::new(cfg, &crosscheck::zero_table(&cfg)).expect("unit");
    let mut stim = VecStimulus::new(events.clone());
    let t = Instant::now();
    let stats = lutforge_sim::run(&mut unit, &mut stim, &opts, &mut [], |_| Ok(())).expect("run");
    let sim_s = t.elapsed().as_secs_f64();

    // 2. The simulator writing the trace the RTL harness replays.
    let dir = tempfile::tempdir().expect("tmp");
    let (st, rt) = (dir.path().join("sim.trace"), dir.path().join("rtl.trace"));
    let t = Instant::now();
    let zeros = crosscheck::zero_table(&cfg);
    crosscheck::simulate(&cfg, &zeros, events, &opts, &st, None).expect("sim");
    let sim_trace_s = t.elapsed().as_secs_f64();

    // 3. The Verilator model replaying that trace (text in, text out), build excluded.
    let (build, _) = crosscheck::shared_build(&cfg, &default_cache_dir(), 500.0).expect("build");
    let t = Instant::now();
    build.run(&st, &rt, None).expect("rtl");
    let rtl_s = t.elapsed().as_secs_f64();
    let (cycles, mismatch) = crosscheck::compare_traces(&st, &rt).expect("compare");
    assert!(mismatch.is_none(), "{mismatch:?}");

    let mc = |s: f64| cycles as f64 / s / 1e6;
    println!(
        "{} cycles, {} samples, RTL = simulator",
        cycles, stats.samples
    );
    println!("| run | seconds | M cycles/s |");
    println!("|---|---|---|");
    println!("| lutforge-sim, no trace | {sim_s:.3} | {:.1} |", mc(sim_s));
    println!(
        "| lutforge-sim, writing the trace | {sim_trace_s:.3} | {:.1} |",
        mc(sim_trace_s)
    );
    println!(
        "| Verilator model, trace in and out | {rtl_s:.3} | {:.1} |",
        mc(rtl_s)
    );
    println!("sim (no trace) / Verilator: {:.1}x", rtl_s / sim_s);
}
