//! Trains a task, then scores the integer model at homogeneous widths:
//! `cargo run --release -p lutforge-gru --example quant_task -- TASK`.

use lutforge_gru::data::{load, wheel::data_dir};
use lutforge_gru::genome::Genome;
use lutforge_gru::quant::{Calibration, QuantGru, Ranges};
use lutforge_gru::tables::TableCache;
use lutforge_gru::train::{score, score_outputs, train, TrainConfig};

fn main() {
    let task = std::env::args().nth(1).unwrap_or_else(|| "vowels".into());
    let ds = load(&task, &data_dir()).expect("data");
    let cfg = TrainConfig::for_task(&task);
    let r = train(&ds, &cfg, &mut |_| {});
    let g = r.model;
    println!(
        "{task}: float val {:.4} test {:.4}",
        score(&g, ds.metric, &ds.val).value,
        r.test.value
    );
    let ranges = Ranges::calibrate(&g, &ds.train, Calibration::MaxAbs);
    let cache = TableCache::new();
    for bits in [16, 12, 10, 8, 7, 6, 5, 4, 3] {
        for k in [16, 8] {
            let t0 = std::time::Instant::now();
            let q = QuantGru::new(&g, &ranges, &Genome::homogeneous(1, bits, k), &cache).unwrap();
            let v = score_outputs(ds.metric, &ds.val, |s| q.forward(s));
            let t = score_outputs(ds.metric, &ds.test, |s| q.forward(s));
            println!(
                "  int{bits:<2} K={k:<2}: val {:.4} test {:.4} size {} bits ({:.1} ms)",
                v.value,
                t.value,
                q.size_bits(),
                t0.elapsed().as_secs_f64() * 1e3
            );
        }
    }
}
