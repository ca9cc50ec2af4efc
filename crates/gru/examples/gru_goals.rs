//! The four-task table of docs/results.md: per task (or model file), the float model, the
//! 8-bit integer model, and the default mixed-precision search with seeds 1 to 3: its time,
//! evaluations per second, the member it recommends (chosen on the search data alone), that
//! member's saving, and how it fares against the 8-bit model **on the test split**.
//!
//! `cargo run --release -p lutforge-gru --example gru_goals [-- TASK[=MODEL.json]…]`. Without a
//! model file the task's model is trained with its defaults (and fold models where the task
//! has no validation split), as `gru pareto` does. The environment may set OBJECTIVE
//! (error|loss|fidelity), CALIBRATION (max|mse|percentile:P), WEIGHT_SCALES (tensor|row),
//! FINETUNE (members), FOLDS (fold models to train), SEEDS (e.g. 1,2,3), POPULATION, GENERATIONS and RULES (member rules,
//! separated by spaces; default: the front's own) to compare settings.

use lutforge_gru::calibration::{Calibration, WeightScales};
use lutforge_gru::data::{load, wheel::data_dir, Metric};
use lutforge_gru::finetune::FinetuneConfig;
use lutforge_gru::model_file::{FoldModels, ModelFile};
use lutforge_gru::pareto::{run, saving_of, select, Config, Rule, SearchData, DEFAULT_RULE};
use lutforge_gru::scoring::Objective;
use lutforge_gru::train::{train, train_folds, TrainConfig};
use lutforge_search::nsga2::Settings;
use lutforge_sim::cost::Tech;

fn env<T: std::str::FromStr>(k: &str) -> Option<T> {
    std::env::var(k).ok().and_then(|v| v.parse().ok())
}

fn main() {
    let mut jobs: Vec<String> = std::env::args().skip(1).collect();
    if jobs.is_empty() {
        jobs = ["fsdd", "vowels", "motions", "adding"]
            .map(String::from)
            .to_vec();
    }
    let seeds: Vec<u64> = std::env::var("SEEDS")
        .unwrap_or_else(|_| "1,2,3".into())
        .split(',')
        .filter_map(|s| s.parse().ok())
        .collect();
    let rules: Vec<Rule> = std::env::var("RULES")
        .map(|r| {
            r.split_whitespace()
                .map(|x| Rule::parse(x).expect("a member rule"))
                .collect()
        })
        .unwrap_or_else(|_| vec![DEFAULT_RULE]);
    println!("| task | model | search data | seed | search (s) | evaluations/s | rule: member | size vs int8 | energy vs int8 | member test | int8 test | member − int8 on test (paired) | within a point on test | HV above baselines (search / test) |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for job in jobs {
        let (task, file) = match job.split_once('=') {
            Some((t, f)) => (t.to_string(), Some(f.to_string())),
            None => (job.clone(), None),
        };
        let ds = load(&task, &data_dir()).expect("task data (make deps)");
        let (model, folds, what): (_, Option<FoldModels>, String) = match &file {
            Some(f) => {
                let m = ModelFile::load(std::path::Path::new(f)).expect("model file");
                (m.model, m.folds, f.clone())
            }
            None => {
                let cfg = TrainConfig::for_task(&task);
                let t0 = std::time::Instant::now();
                let m = train(&ds, &cfg, &mut |_| {}).model;
                let k: usize =
                    env("FOLDS").unwrap_or(if ds.metric == Metric::Accuracy || ds.val.is_empty() {
                        5
                    } else {
                        0
                    });
                let folds = (k > 0).then(|| train_folds(&ds, &cfg, k, &mut |_| {}).expect("folds"));
                let secs = t0.elapsed().as_secs_f64();
                (m, folds, format!("trained, seed 1 ({secs:.1} s)"))
            }
        };
        for &seed in &seeds {
            let search = match std::env::var("SEARCH").as_deref() {
                Ok("train-inputs") => SearchData::TrainInputs,
                Ok("val") => SearchData::Val,
                _ => SearchData::default_for(&ds, folds.as_ref()),
            };
            let cfg = Config {
                bits: 2..=8,
                energy_objective: true,
                max_size_bits: None,
                min_accuracy: None,
                max_mse: None,
                search,
                objective: std::env::var("OBJECTIVE")
                    .ok()
                    .and_then(|o| Objective::parse(&o).ok())
                    .unwrap_or(Objective::Fidelity),
                calibration: std::env::var("CALIBRATION")
                    .ok()
                    .and_then(|c| Calibration::parse(&c).ok())
                    .unwrap_or(Calibration::Mse),
                weight_scales: std::env::var("WEIGHT_SCALES")
                    .ok()
                    .and_then(|c| WeightScales::parse(&c).ok())
                    .unwrap_or_default(),
                tech: Tech::tsmc28(),
                finetune: env("FINETUNE").unwrap_or(3),
                finetune_cfg: FinetuneConfig {
                    seed,
                    noise: TrainConfig::for_task(&task).noise,
                    ..FinetuneConfig::default()
                },
                cell_lanes: None,
            };
            let s = Settings {
                population: env("POPULATION").unwrap_or(48),
                generations: env("GENERATIONS").unwrap_or(40),
                seed,
                ..Settings::default()
            };
            let f = run(&model, folds.as_ref(), &ds, cfg, &s, &mut |_| {}).expect("search");
            let r8 = f.baselines.iter().find(|b| b.bits == 8).expect("int8");
            let show = |v: &lutforge_gru::pareto::SplitScore| match (f.metric, v.correct) {
                (Metric::Accuracy, Some(k)) => {
                    format!("{k}/{} = {:.2} %", v.n, 100.0 * v.value)
                }
                _ => format!("{:.5}", v.value),
            };
            let hv = format!(
                "{} / {}",
                if f.hypervolume.search.dominates_every_baseline {
                    "yes"
                } else {
                    "no"
                },
                if f.hypervolume.test.dominates_every_baseline {
                    "yes"
                } else {
                    "no"
                }
            );
            for rule in &rules {
                let pick = select(&f.members, f.metric, &r8.scored, f.tolerance, *rule)
                    .ok()
                    .map(|i| saving_of(&f.members, i, r8, f.tolerance, *rule));
                match &pick {
                Some(sv) => {
                    let m = &f.members[sv.member];
                    let p = m.test_vs_int8.expect("paired");
                    let (diff, within) = match f.metric {
                        Metric::Accuracy => (
                            format!(
                                "{:+.2} points [{:+.2}, {:+.2}], +{}/−{}, p = {:.2}",
                                100.0 * p.difference,
                                100.0 * p.ci95.0,
                                100.0 * p.ci95.1,
                                p.gained.unwrap_or(0),
                                p.lost.unwrap_or(0),
                                p.p.unwrap_or(1.0)
                            ),
                            p.difference >= -0.01 - 1e-12,
                        ),
                        Metric::Mse => (
                            format!(
                                "{:+.2} points of R² [{:+.2}, {:+.2}]",
                                p.difference / f.tolerance,
                                p.ci95.0 / f.tolerance,
                                p.ci95.1 / f.tolerance
                            ),
                            p.difference <= f.tolerance,
                        ),
                    };
                    println!(
                        "| {task} | {what} | {} | {seed} | {:.1} | {:.0} | {}: {}{} | **{:+.1} %** | {:+.1} % | {} | {} | {diff} | {} | {hv} |",
                        f.search.kind,
                        f.seconds,
                        f.evaluations as f64 / f.seconds,
                        rule.describe(),
                        sv.member,
                        if m.fine_tuned { " (tuned)" } else { "" },
                        -100.0 * sv.size_saving,
                        -100.0 * sv.energy_saving,
                        show(&m.test),
                        show(&r8.scored.test),
                        if within { "yes" } else { "**no**" }
                    );
                }
                None => println!(
                    "| {task} | {what} | {} | {seed} | {:.1} | {:.0} | {}: none | | | | {} | | | {hv} |",
                    f.search.kind,
                    f.seconds,
                    f.evaluations as f64 / f.seconds,
                    rule.describe(),
                    show(&r8.scored.test)
                ),
            }
            }
        }
    }
}
