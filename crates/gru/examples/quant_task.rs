//! The calibrations and weight scalings at homogeneous widths: trains a task's model with its
//! defaults, then scores the integer model of every width 2..8 (16-segment tables) under each
//! rule, on the training and the test split:
//! `cargo run --release -p lutforge-gru --example quant_task -- TASK`.

use lutforge_gru::calibration::{Calibration, Ranges, WeightScales};
use lutforge_gru::data::{load, wheel::data_dir, Metric};
use lutforge_gru::genome::Genome;
use lutforge_gru::quant::QuantGru;
use lutforge_gru::tables::TableCache;
use lutforge_gru::train::{score_outputs, train, TrainConfig};

fn main() {
    let task = std::env::args().nth(1).unwrap_or_else(|| "vowels".into());
    let ds = load(&task, &data_dir()).expect("data");
    let cfg = TrainConfig::for_task(&task);
    let r = train(&ds, &cfg, &mut |_| {});
    let g = r.model;
    let show = |v: f64| match ds.metric {
        Metric::Accuracy => format!("{:.2}", 100.0 * v),
        Metric::Mse => format!("{v:.5}"),
    };
    println!("{task}: float test {}", show(r.test.value));
    println!("| calibration | weights | int2 | int3 | int4 | int5 | int6 | int8 |");
    println!("|---|---|---|---|---|---|---|---|");
    let cache = TableCache::new();
    for how in [Calibration::MaxAbs, Calibration::Mse] {
        for scales in [WeightScales::Tensor, WeightScales::Row] {
            let ranges = Ranges::calibrate(&g, &ds.train, how, scales);
            let cells: Vec<String> = [2, 3, 4, 5, 6, 8]
                .iter()
                .map(|&b| {
                    let q =
                        QuantGru::new(&g, &ranges, &Genome::homogeneous(1, b, 16), &cache).unwrap();
                    let tr = score_outputs(ds.metric, &ds.train, |s| q.forward(s)).value;
                    let te = score_outputs(ds.metric, &ds.test, |s| q.forward(s)).value;
                    format!("{} / {}", show(tr), show(te))
                })
                .collect();
            println!("| {how} | {scales:?} | {} |", cells.join(" | "));
        }
    }
}
