//! Trains a task and runs the mixed-precision search, printing the front's summary:
//! `cargo run --release -p lutforge-gru --example pareto_task -- TASK [POP] [GENS]`.

use lutforge_gru::data::{load, wheel::data_dir};
use lutforge_gru::pareto::{run, Config, SearchSplit};
use lutforge_gru::quant::Calibration;
use lutforge_gru::train::{train, TrainConfig};
use lutforge_search::nsga2::Settings;
use lutforge_sim::cost::Tech;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let task = a.get(1).cloned().unwrap_or_else(|| "vowels".into());
    let pop = a.get(2).and_then(|v| v.parse().ok()).unwrap_or(48);
    let gens = a.get(3).and_then(|v| v.parse().ok()).unwrap_or(40);
    let ds = load(&task, &data_dir()).expect("data");
    let t0 = std::time::Instant::now();
    let r = train(&ds, &TrainConfig::for_task(&task), &mut |_| {});
    let t_train = t0.elapsed().as_secs_f64();
    let cfg = Config {
        bits: 2..=8,
        energy_objective: true,
        max_size_bits: None,
        min_accuracy: None,
        max_mse: None,
        split: SearchSplit::default_for(&ds),
        calibration: Calibration::MaxAbs,
        tech: Tech::tsmc28(),
        finetune: std::env::var("FINETUNE")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        finetune_cfg: Default::default(),
        cell_lanes: None,
    };
    let s = Settings {
        population: pop,
        generations: gens,
        seed: 1,
        ..Settings::default()
    };
    let f = run(&r.model, &ds, cfg, &s, &mut |_| {}).unwrap();
    println!("{task}: train {t_train:.1} s; float search {:.4} test {:.4}; {} evals in {:.1} s ({:.1}/s), {} tables",
        f.float_search, f.float_test, f.evaluations, f.seconds, f.evaluations as f64 / f.seconds, f.tables);
    for b in &f.baselines {
        println!(
            "  int{}: search {:.4} test {:.4} size {} energy {:.1} pJ",
            b.bits, b.scored.search, b.scored.test, b.scored.size_bits, b.scored.energy_pj
        );
    }
    println!("  saving: {:?}", f.saving);
    if let Some(s) = &f.saving {
        let m = &f.members[s.member];
        println!(
            "  member {}: search {:.4} test {:.4} size {} energy {:.1}: {}",
            s.member, m.search, m.test, m.size_bits, m.energy_pj, m.genome
        );
    }
    println!("  hv {:?}", f.hypervolume);
    let w: Vec<String> = f
        .widths
        .iter()
        .take(8)
        .map(|g| format!("{} {:.1}", g.gene, g.mean_bits))
        .collect();
    println!("  widest: {}", w.join(", "));
    println!("  front: {} members", f.members.len());
}
