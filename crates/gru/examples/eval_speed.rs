//! The integer model's evaluation speed, one thread, tables cached: 64 random genomes (widths
//! 2..8, 16-segment tables) of the JapaneseVowels model at 32 hidden units, each run over the
//! 270 training sequences, three rounds; prints the time per evaluation and evaluations per
//! second. `scripts/bench_gru_eval.py` runs it beside PyTorch's float forward pass over the same
//! sequences: `cargo run --release -p lutforge-gru --example eval_speed`.

use lutforge_gru::calibration::{Calibration, Ranges, WeightScales};
use lutforge_gru::data::{load, wheel::data_dir, Target};
use lutforge_gru::genome::Genome;
use lutforge_gru::inputs::Inputs;
use lutforge_gru::model::argmax;
use lutforge_gru::quant::QuantGru;
use lutforge_gru::tables::TableCache;
use lutforge_gru::train::{train, TrainConfig};
use rand::Rng;
use rand_chacha::rand_core::SeedableRng;

fn main() {
    let ds = load("vowels", &data_dir()).expect("task data (make deps)");
    let cfg = TrainConfig::for_task("vowels");
    let m = train(&ds, &cfg, &mut |_| {}).model;
    let seqs = &ds.train;
    let ranges = Ranges::calibrate(&m, seqs, Calibration::Mse, WeightScales::Tensor);
    let inputs = Inputs::new(seqs, ds.features, &m.norm);
    let cache = TableCache::new();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let genomes: Vec<Genome> = (0..64)
        .map(|_| {
            let genes: Vec<u32> = (0..Genome::len_for(1) - 2)
                .map(|_| rng.gen_range(2..=8))
                .chain([16, 16])
                .collect();
            Genome::from_genes(&genes, 1).unwrap()
        })
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    pool.install(|| {
        // Tables (and the input codes of every format) found once, outside the timing.
        for g in &genomes {
            QuantGru::new(&m, &ranges, g, &cache)
                .unwrap()
                .outputs(&inputs)
                .unwrap();
        }
        let t0 = std::time::Instant::now();
        let mut right = 0usize;
        let rounds = 3;
        for _ in 0..rounds {
            for g in &genomes {
                let q = QuantGru::new(&m, &ranges, g, &cache).unwrap();
                let outs = q.outputs(&inputs).unwrap();
                right += outs
                    .iter()
                    .zip(seqs)
                    .filter(|(o, s)| {
                        let v: Vec<f64> = o.iter().map(|&c| c as f64).collect();
                        s.y == Target::Class(argmax(&v))
                    })
                    .count();
            }
        }
        let dt = t0.elapsed().as_secs_f64() / (rounds * genomes.len()) as f64;
        println!(
            "lutforge integer model, H = 32, {} sequences ({} steps): {:.3} ms per evaluation, {:.0} evaluations/s (mean accuracy {:.3})",
            seqs.len(),
            seqs.iter().map(|s| s.len).sum::<usize>(),
            dt * 1e3,
            1.0 / dt,
            right as f64 / (rounds * genomes.len() * seqs.len()) as f64
        );
    });
}
