//! The choosing protocol of docs/gru.md: no choice reads the test split, and every width of
//! the range is a baseline.

use lutforge_gru::calibration::{Calibration, WeightScales};
use lutforge_gru::data::{load, wheel::data_dir, Dataset, Target};
use lutforge_gru::finetune::FinetuneConfig;
use lutforge_gru::model::Gru;
use lutforge_gru::model_file::FoldModels;
use lutforge_gru::pareto::{run, Config, Front, SearchData};
use lutforge_gru::scoring::Objective;
use lutforge_gru::train::{train, train_folds, TrainConfig};
use lutforge_search::nsga2::Settings;
use lutforge_sim::cost::Tech;
use std::ops::RangeInclusive;

/// A small BasicMotions model and its two fold models.
fn motions() -> (Dataset, Gru, FoldModels) {
    let ds = load("motions", &data_dir()).expect("task data (make deps)");
    let cfg = TrainConfig {
        hidden: 8,
        max_epochs: 12,
        ..TrainConfig::for_task("motions")
    };
    let model = train(&ds, &cfg, &mut |_| {}).model;
    let folds = train_folds(&ds, &cfg, 2, &mut |_| {}).unwrap();
    (ds, model, folds)
}

fn search(ds: &Dataset, m: &Gru, f: &FoldModels, bits: RangeInclusive<u32>, tune: usize) -> Front {
    let cfg = Config {
        bits,
        energy_objective: true,
        max_size_bits: None,
        min_accuracy: None,
        max_mse: None,
        search: SearchData::Folds,
        objective: Objective::Loss,
        calibration: Calibration::Mse,
        weight_scales: WeightScales::Tensor,
        tech: Tech::tsmc28(),
        finetune: tune,
        finetune_cfg: FinetuneConfig {
            epochs: 1,
            ..FinetuneConfig::default()
        },
        cell_lanes: None,
    };
    let s = Settings {
        population: 10,
        generations: 2,
        seed: 1,
        ..Settings::default()
    };
    run(m, Some(f), ds, cfg, &s, &mut |_| {}).unwrap()
}

/// The test split's labels permuted (a derangement of the classes): the same front, the same
/// fine-tuned members and the same recommended member — only the test figures change.
#[test]
fn the_choice_never_reads_the_test_labels() {
    let (ds, m, f) = motions();
    let a = search(&ds, &m, &f, 2..=8, 1);
    let mut shuffled = ds.clone();
    for s in &mut shuffled.test {
        if let Target::Class(c) = s.y {
            s.y = Target::Class((c + 1) % ds.outputs);
        }
    }
    let b = search(&shuffled, &m, &f, 2..=8, 1);
    let genomes = |f: &Front| -> Vec<(String, bool)> {
        f.members
            .iter()
            .map(|x| (x.genome.clone(), x.fine_tuned))
            .collect()
    };
    assert_eq!(genomes(&a), genomes(&b));
    assert_eq!(a.saving, b.saving);
    assert!(a.members.iter().any(|x| x.fine_tuned), "a member was tuned");
    let search_of = |f: &Front| f.members.iter().map(|x| x.error).collect::<Vec<_>>();
    assert_eq!(search_of(&a), search_of(&b));
    // The permutation took effect: the test figures moved.
    assert_ne!(a.float_test, b.float_test);
}

/// Every width of `--bits` is a baseline, and the 8-bit model always is (it is every
/// saving's reference).
#[test]
fn every_width_is_a_baseline() {
    let (ds, m, f) = motions();
    for (bits, want) in [
        (3..=5, vec![3, 4, 5, 8]),
        (8..=9, vec![8, 9]),
        (12..=13, vec![8, 12, 13]),
    ] {
        let front = search(&ds, &m, &f, bits.clone(), 0);
        let got: Vec<u32> = front.baselines.iter().map(|b| b.bits).collect();
        assert_eq!(got, want, "--bits {bits:?}");
        assert!(front.hypervolume.search.front > 0.0);
        assert!(front.hypervolume.search.baselines.len() == want.len());
    }
}
