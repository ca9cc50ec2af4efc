//! The four-task table of docs/results.md: per task, training time and float accuracy, the
//! homogeneous 8-bit integer model, and the default mixed-precision search (population 48, 40
//! generations): its time, evaluations per second, the smallest member within one point of
//! the 8-bit model and whether the front's hypervolume is above every homogeneous baseline.
//!
//! `cargo run --release -p lutforge-gru --example gru_goals [-- TASK…]`; the environment may set
//! FINETUNE (epochs), POPULATION, GENERATIONS and PERCENTILE (calibration at that percentile
//! instead of the largest value) to try other settings than the defaults.

use lutforge_gru::data::{load, wheel::data_dir, Metric};
use lutforge_gru::genome::Genome;
use lutforge_gru::pareto::{run, Config, SearchSplit};
use lutforge_gru::quant::{Calibration, QuantGru, Ranges};
use lutforge_gru::tables::TableCache;
use lutforge_gru::train::{score_outputs, train, TrainConfig};
use lutforge_search::nsga2::Settings;
use lutforge_sim::cost::Tech;

fn show(m: Metric, v: f64) -> String {
    match m {
        Metric::Accuracy => format!("{:.2} %", 100.0 * v),
        Metric::Mse => format!("{v:.5}"),
    }
}

fn main() {
    let mut tasks: Vec<String> = std::env::args().skip(1).collect();
    if tasks.is_empty() {
        tasks = ["fsdd", "vowels", "motions", "adding"]
            .map(String::from)
            .to_vec();
    }
    println!("| task | train (s) | float test | int8 test | int16 test | search (s) | evals/s | member size vs int8 | member search / test | int8 search / test | HV front / homogeneous | above every baseline |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for task in tasks {
        let ds = load(&task, &data_dir()).expect("task data (make deps)");
        let t0 = std::time::Instant::now();
        let r = train(&ds, &TrainConfig::for_task(&task), &mut |_| {});
        let t_train = t0.elapsed().as_secs_f64();
        let g = &r.model;
        let ranges = Ranges::calibrate(g, &ds.train, Calibration::MaxAbs);
        let cache = TableCache::new();
        let int_test = |b: u32| {
            let q = QuantGru::new(g, &ranges, &Genome::homogeneous(1, b, 16), &cache).unwrap();
            score_outputs(ds.metric, &ds.test, |s| q.forward(s)).value
        };
        let (i8t, i16t) = (int_test(8), int_test(16));
        let cfg = Config {
            bits: 2..=8,
            energy_objective: true,
            max_size_bits: None,
            min_accuracy: None,
            max_mse: None,
            split: SearchSplit::default_for(&ds),
            calibration: match std::env::var("PERCENTILE")
                .ok()
                .and_then(|v| v.parse().ok())
            {
                Some(p) => Calibration::Percentile(p),
                None => Calibration::MaxAbs,
            },
            tech: Tech::tsmc28(),
            finetune: std::env::var("FINETUNE")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            finetune_cfg: Default::default(),
            cell_lanes: None,
        };
        let env = |k: &str, d: usize| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(d)
        };
        let s = Settings {
            population: env("POPULATION", 48),
            generations: env("GENERATIONS", 40),
            seed: 1,
            ..Settings::default()
        };
        let f = run(g, &ds, cfg, &s, &mut |_| {}).unwrap();
        let b8 = f.baselines.iter().find(|b| b.bits == 8).unwrap();
        let (member, size) = match &f.saving {
            Some(sv) => {
                let m = &f.members[sv.member];
                (
                    format!(
                        "{} / {}{}",
                        show(ds.metric, m.search),
                        show(ds.metric, m.test),
                        if m.fine_tuned { " (fine-tuned)" } else { "" }
                    ),
                    format!(
                        "{} bits, -{:.1} % (energy -{:.1} %)",
                        m.size_bits,
                        100.0 * sv.size_saving,
                        100.0 * sv.energy_saving
                    ),
                )
            }
            None => ("-".into(), "-".into()),
        };
        println!(
            "| {task} | {t_train:.1} | {} | {} | {} | {:.1} | {:.0} | {size} | {member} | {} / {} | {:.3} / {:.3} | {} |",
            show(ds.metric, r.test.value),
            show(ds.metric, i8t),
            show(ds.metric, i16t),
            f.seconds,
            f.evaluations as f64 / f.seconds,
            show(ds.metric, b8.scored.search),
            show(ds.metric, b8.scored.test),
            f.hypervolume.front,
            f.hypervolume.homogeneous,
            if f.hypervolume.dominates_every_baseline { "yes" } else { "no" },
        );
        let wide: Vec<String> = f
            .widths
            .iter()
            .take(6)
            .map(|w| format!("{} {:.1}", w.gene, w.mean_bits))
            .collect();
        let narrow: Vec<String> = f
            .widths
            .iter()
            .rev()
            .take(6)
            .map(|w| format!("{} {:.1}", w.gene, w.mean_bits))
            .collect();
        eprintln!(
            "{task}: widest {}; narrowest {}",
            wide.join(", "),
            narrow.join(", ")
        );
    }
}
