//! Simulation throughput of lutforge-sim and of the Verilator-built RTL, measured in one run on
//! the 4-stage unit of one table scale with P lanes (default 1).
//!
//! Kernel rows: N cycles of the same built-in stimulus (`lutforge_rtl::speed`: a new beat of
//! LCG codes on every lane every cycle, out_ready always high, outputs folded into a checksum)
//! through `Unit::stream` (the simulator's full-throughput entry point), through `Unit::step`
//! (one edge per call, as an interactive testbench drives it), and through the Verilator speed
//! build's bench mode (`Vharness --bench`, timed inside the harness: build, process start and
//! table load excluded). The three checksums must be equal. Context rows: N random beats through the simulator's testbench
//! (`lutforge_sim::run`), without and with writing the text trace, and the Verilator builds
//! replaying that trace (text in, text out).
//!
//! cargo run --release -p lutforge-rtl --example throughput -- TABLE.json SCALE [N] [LANES]

use lutforge_core::Table;
use lutforge_rtl::crosscheck::{self, beats, load_events};
use lutforge_rtl::speed;
use lutforge_rtl::verilator::{default_cache_dir, Build, Profile};
use lutforge_sim::convert::{unit_for, UnitShape};
use lutforge_sim::stimulus::VecStimulus;
use lutforge_sim::unit::{Arith, UnitConfig};
use lutforge_sim::{RunOptions, Unit};
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::time::Instant;

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unavailable".into())
}

/// `n` random input words that fit the unit's input.
fn random_samples(cfg: &UnitConfig, n: usize) -> Vec<i64> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    match &cfg.arith {
        Arith::Int(dp) => (0..n)
            .map(|_| rng.gen_range(dp.input.min_code()..=dp.input.max_code()))
            .collect(),
        Arith::Fp32 => (0..n).map(|_| rng.gen::<u32>() as i64).collect(),
    }
}

/// A build with the time it took (0 when it came from the cache).
fn timed_build(cfg: &UnitConfig, profile: Profile) -> (Build, f64) {
    let t = Instant::now();
    let (b, _) = crosscheck::shared_build_with(cfg, &default_cache_dir(), 500.0, profile)
        .expect("verilator build");
    let s = if b.fresh {
        t.elapsed().as_secs_f64()
    } else {
        0.0
    };
    (b, s)
}

/// Replays `trace` through `build`, checks the RTL's trace equals it, returns the seconds.
fn replay(build: &Build, trace: &Path, out: &Path) -> f64 {
    let t = Instant::now();
    build.run(trace, out, None).expect("rtl");
    let s = t.elapsed().as_secs_f64();
    let (_, mismatch) = crosscheck::compare_traces(trace, out).expect("compare");
    assert!(mismatch.is_none(), "{mismatch:?}");
    let _ = std::fs::remove_file(out);
    s
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 3 {
        eprintln!("usage: throughput TABLE.json SCALE [N] [LANES]");
        std::process::exit(2);
    }
    let load_before = loadavg();
    let (table, _) = Table::load(a[1].as_ref()).expect("table");
    let scale: i32 = a[2].parse().expect("scale");
    let n: u64 = a.get(3).map_or(1_000_000, |s| s.parse().expect("N"));
    let lanes: usize = a.get(4).map_or(1, |s| s.parse().expect("LANES"));
    let (cfg, params) = unit_for(
        &table,
        scale,
        &UnitShape {
            arch: lutforge_sim::unit::Arch::Pwl,
            format: None,
            lanes,
            stages: 4,
            programmable: true,
        },
    )
    .expect("unit");
    let zeros = crosscheck::zero_table(&cfg);
    let opts = RunOptions::default();
    let dir = tempfile::tempdir().expect("tmp");

    // The builds first, so their time stays out of every measurement.
    let (speed_build, speed_build_s) = timed_build(&cfg, Profile::Speed);
    let (check_build, check_build_s) = timed_build(&cfg, Profile::Check);

    // 1. Kernels: the same stimulus and checksum in both simulators. The RTL gets its table
    //    through the write port (the load trace); the simulator unit is built with it.
    let load = dir.path().join("load.trace");
    let load_ev = load_events(&cfg, &params).expect("load");
    crosscheck::simulate(&cfg, &zeros, load_ev.clone(), &opts, &load, None).expect("sim");
    let unit = Unit::new(cfg, &params).expect("unit");
    let t = Instant::now();
    let sim_sum = speed::run(&mut unit.clone(), n).expect("sim stream");
    let sim_stream_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let step_sum = speed::run_stepped(&mut unit.clone(), n).expect("sim step");
    let sim_step_s = t.elapsed().as_secs_f64();
    let rtl = speed_build.bench(n, &load).expect("bench");
    assert_eq!(
        rtl.checksum, sim_sum,
        "the RTL's checksum differs from the simulator's"
    );
    assert_eq!(step_sum, sim_sum, "stream and step checksums differ");

    // 2. Context: N random beats through the testbench, then as a text trace.
    let samples = random_samples(&cfg, n as usize * lanes);
    let mut events = load_ev;
    events.extend(beats(&samples, lanes));
    let mut tb_unit = Unit::new(cfg, &zeros).expect("unit");
    let mut stim = VecStimulus::new(events.clone());
    let t = Instant::now();
    let stats =
        lutforge_sim::run(&mut tb_unit, &mut stim, &opts, &mut [], |_| Ok(())).expect("run");
    let sim_tb_s = t.elapsed().as_secs_f64();
    let st = dir.path().join("sim.trace");
    let t = Instant::now();
    crosscheck::simulate(&cfg, &zeros, events, &opts, &st, None).expect("sim");
    let sim_trace_s = t.elapsed().as_secs_f64();
    let rt = dir.path().join("rtl.trace");
    let check_replay_s = replay(&check_build, &st, &rt);
    let speed_replay_s = replay(&speed_build, &st, &rt);
    let load_after = loadavg();

    let w = cfg.widths();
    let arith = match cfg.arith {
        Arith::Int(_) => format!("int{}", w.x),
        Arith::Fp32 => "fp32".into(),
    };
    println!(
        "{}, scale {scale}: {arith}, K={}, {} stages, {lanes} lane(s); N = {n}",
        table.function.name(),
        cfg.segments,
        cfg.stages
    );
    println!(
        "/proc/loadavg before: {load_before}; after: {load_after}; {} CPUs",
        std::thread::available_parallelism().map_or(0, |p| p.get())
    );
    let built = |s: f64| {
        if s > 0.0 {
            format!("built in {s:.1} s")
        } else {
            "cached".into()
        }
    };
    println!(
        "Verilator speed build {}, cross-check build {} (not timed below)",
        built(speed_build_s),
        built(check_build_s)
    );
    println!();
    println!("| run | stimulus | cycles | seconds | M cycles/s | M samples/s | checksum |");
    println!("|---|---|---|---|---|---|---|");
    let row = |name: &str, stimulus: &str, cycles: u64, samples: u64, s: f64, sum: &str| {
        println!(
            "| {name} | {stimulus} | {cycles} | {s:.3} | {:.2} | {:.2} | {sum} |",
            cycles as f64 / s / 1e6,
            samples as f64 / s / 1e6
        )
    };
    let kernel_samples = n * lanes as u64;
    let sum = format!("{sim_sum:016x}");
    row(
        "lutforge-sim, `Unit::stream` (`speed::run`)",
        "built-in LCG",
        n,
        kernel_samples,
        sim_stream_s,
        &sum,
    );
    row(
        "lutforge-sim, `Unit::step` per cycle (`speed::run_stepped`)",
        "built-in LCG",
        n,
        kernel_samples,
        sim_step_s,
        &sum,
    );
    row(
        "Verilator speed build, bench mode (timed in the harness)",
        "built-in LCG",
        rtl.cycles,
        kernel_samples,
        rtl.seconds,
        &format!("{:016x}", rtl.checksum),
    );
    let context = "N random beats + table load";
    row(
        "lutforge-sim testbench (`lutforge_sim::run`), no trace",
        context,
        stats.cycles,
        stats.samples,
        sim_tb_s,
        "–",
    );
    row(
        "lutforge-sim testbench, writing the trace",
        context,
        stats.cycles,
        stats.samples,
        sim_trace_s,
        "–",
    );
    row(
        "Verilator cross-check build, replaying that trace (text in, text out)",
        context,
        stats.cycles,
        stats.samples,
        check_replay_s,
        "trace = simulator's",
    );
    row(
        "Verilator speed build, replaying that trace (text in, text out)",
        context,
        stats.cycles,
        stats.samples,
        speed_replay_s,
        "trace = simulator's",
    );
    println!();
    println!(
        "kernels, same stimulus, equal checksums (Verilator seconds / simulator seconds): \
         Unit::stream {:.2}x, Unit::step {:.2}x the Verilator speed build",
        rtl.seconds / sim_stream_s,
        rtl.seconds / sim_step_s
    );
}
