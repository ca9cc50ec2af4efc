//! Reproduces the mixed-precision Pareto figures of docs/results.md:
//!
//! 1. NSGA-II against the exhaustive front of an enumerable genome space (hypervolume ratio,
//!    evaluations, time), over several seeds;
//! 2. the time of a full gelu front in the default space;
//! 3. the area and energy saved at the error of the homogeneous 8-bit unit, for gelu, exp and
//!    one unit shared by gelu, exp and reciprocal.
//!
//! `cargo run --release -p lutforge-search --example pareto_goals [quick]`

use lutforge_core::{Builtin, Function, Rounding};
use lutforge_search::nsga2::{self, Settings};
use lutforge_search::pareto::{self, Config, RunError, Space, Target, UnitProblem};
use std::time::Instant;

fn targets(fs: &[Builtin]) -> Vec<Target> {
    fs.iter()
        .map(|&b| {
            let function = Function::Builtin(b);
            Target {
                domain: function.default_domain(),
                function,
            }
        })
        .collect()
}

/// 8 · 3 · 5 · 5 · 4 · 2 · 2 = 9600 genomes.
fn enumerable() -> Space {
    Space {
        segments: 2..=9,
        input_bits: 6..=8,
        input_shift: 0..=0,
        slope_bits: 4..=8,
        slope_int: 2..=2,
        intercept_bits: 4..=8,
        intercept_int: 2..=2,
        output_bits: 5..=8,
        trunc: 0..=1,
        roundings: vec![Rounding::HalfUp, Rounding::Truncate],
        ..Space::default()
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    println!("threads: {}", rayon::current_num_threads());

    // 1. Exhaustive vs NSGA-II.
    let mut cfg = Config::new(targets(&[Builtin::Gelu]));
    cfg.space = enumerable();
    let size = cfg.space.size();
    let p = UnitProblem::new(cfg.clone()).expect("valid space");
    let t0 = Instant::now();
    let all = nsga2::exhaustive(&p, 1 << 20).expect("enumerable");
    let t_ex = t0.elapsed().as_secs_f64();
    let truth = nsga2::archive_front(&all);
    println!(
        "enumerable gelu space: {size} genomes, exhaustive {:.2} s, true front {} designs",
        t_ex,
        truth.len()
    );
    // Population 40 × 36 generations: chosen on seeds 6–15 (the best worst case within the
    // 10 % budget) when the cost model's multiplier came to replay its operands; before, 28 ×
    // 60, 32 × 44 and 36 × 40 (docs/results.md).
    // POPULATION, GENERATIONS and SEEDS (e.g. 6..15) compare settings on other seeds than the
    // reported ones; ONLY_EXHAUSTIVE=1 stops after this part.
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<usize>().ok());
    let s = Settings {
        population: env("POPULATION").unwrap_or(40),
        generations: env("GENERATIONS").unwrap_or(36),
        ..Settings::default()
    };
    let seeds: Vec<u64> = match std::env::var("SEEDS").ok().and_then(|v| {
        let (a, b) = v.split_once("..")?;
        Some((a.parse().ok()?, b.parse().ok()?))
    }) {
        Some((a, b)) => (a..=b).collect(),
        None if quick => vec![1],
        None => (1..=5).collect(),
    };
    for seed in seeds {
        // A fresh problem per run, so no cached score is shared with the exhaustive pass.
        let p = UnitProblem::new(cfg.clone()).expect("valid space");
        let t0 = Instant::now();
        let out = nsga2::run(&p, &Settings { seed, ..s.clone() }, &[], &mut |_| {})
            .expect("valid settings");
        let t = t0.elapsed().as_secs_f64();
        let (ratio, _) = pareto::hypervolume_ratio(&truth, &out.front);
        println!(
            "  nsga2 seed {seed}: pop {} x {} gens, {} evaluations ({:.1}% of the space), hypervolume {:.2}% of exhaustive, {:.2} s",
            s.population,
            s.generations,
            out.evaluated.len(),
            100.0 * out.evaluated.len() as f64 / size as f64,
            100.0 * ratio,
            t
        );
    }

    if std::env::var("ONLY_EXHAUSTIVE").is_ok_and(|v| v == "1") {
        return;
    }

    // 2 and 3. Default space, gelu / exp / shared unit.
    let runs: Vec<(&str, Vec<Builtin>)> = vec![
        ("gelu", vec![Builtin::Gelu]),
        ("exp", vec![Builtin::Exp]),
        (
            "gelu,exp,reciprocal",
            vec![Builtin::Gelu, Builtin::Exp, Builtin::Reciprocal],
        ),
    ];
    let s = Settings {
        population: 48,
        generations: if quick { 5 } else { 40 },
        ..Settings::default()
    };
    for (name, fs) in runs {
        let cfg = Config::new(targets(&fs));
        let t0 = Instant::now();
        let front = match pareto::run(cfg, &s, &mut |_| {}) {
            Ok(f) => f,
            Err(RunError::Input(e)) => panic!("{e}"),
            Err(RunError::NoFeasible(_)) => panic!("no feasible design"),
        };
        let t = t0.elapsed().as_secs_f64();
        println!(
            "{name}: default space ({} genomes), pop {} x {} gens, {} evaluations, front {} designs, {:.1} s",
            front.space_size,
            s.population,
            s.generations,
            front.evaluations,
            front.members.len(),
            t
        );
        for b in &front.baselines {
            println!(
                "  homogeneous int{:<2} K={}: mse {:.4} LSB², max {:.2} LSB, {:.1} µm², {:.4} pJ",
                b.bits,
                b.design.segments,
                b.score.mse_lsb2,
                b.score.max_err_lsb,
                b.score.area_um2,
                b.score.energy_pj
            );
        }
        match &front.saving {
            Some(sv) => {
                let a = &front.members[sv.area_member];
                let e = &front.members[sv.energy_member];
                println!(
                    "  at the int8 error (mse {:.4} LSB²): area -{:.1}% ({:.1} µm², {:?}), energy -{:.1}% ({:.4} pJ, {:?})",
                    sv.reference_error,
                    100.0 * sv.area_saving,
                    a.score.area_um2,
                    a.design,
                    100.0 * sv.energy_saving,
                    e.score.energy_pj,
                    e.design
                );
            }
            None => println!("  no front member reaches the int8 error"),
        }
    }
}
