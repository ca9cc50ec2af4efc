//! Quantization-aware fine-tuning of one genome: the float model is trained further with every
//! weight and bias replaced, in the forward pass, by its value at the genome's width (quantized
//! as the integer model does, and back to real), and the gradient taken there applied to the
//! float weights unchanged (the straight-through estimator). Each epoch the integer model of
//! the genome is rebuilt (recalibrated) and scored on the search split; the best epoch's float
//! weights are kept. Seeded and reproducible as training is.

use crate::data::{Dataset, Sample};
use crate::genome::Genome;
use crate::model::Gru;
use crate::quant::{frac_for, quantize, Calibration, QuantGru, Ranges};
use crate::tables::TableCache;
use crate::train::{batch_grad, score_outputs, Score};
use lutforge_core::{FixedFormat, Result};
use rand::seq::SliceRandom;
use rand_chacha::rand_core::SeedableRng;

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FinetuneConfig {
    pub epochs: usize,
    pub lr: f64,
    pub batch: usize,
    pub clip: f64,
    pub seed: u64,
}

impl Default for FinetuneConfig {
    fn default() -> Self {
        FinetuneConfig {
            epochs: 15,
            lr: 0.002,
            batch: 16,
            clip: 5.0,
            seed: 1,
        }
    }
}

/// `g` with every tensor at the genome's widths, in real values.
pub fn fake_quantized(g: &Gru, genome: &Genome) -> Gru {
    let mut f = g.clone();
    let sh = g.shape;
    let h = sh.hidden;
    let mut quant = |off: usize, len: usize, bits: u32| {
        let v = &mut f.params[off..off + len];
        let m = v.iter().fold(0.0f64, |a, x| a.max(x.abs()));
        let fmt = FixedFormat::new(bits, frac_for(m, bits));
        for x in v.iter_mut() {
            *x = fmt.value(quantize(*x, fmt));
        }
    };
    for (l, b) in genome.layers.iter().enumerate() {
        let a = sh.layer_at(l);
        let wi = [b.w_ir, b.w_iz, b.w_in];
        let wh = [b.w_hr, b.w_hz, b.w_hn];
        for gate in 0..3 {
            quant(a.w_ih + gate * h * a.input, h * a.input, wi[gate]);
            quant(a.w_hh + gate * h * h, h * h, wh[gate]);
            quant(a.b_ih + gate * h, h, b.b);
            quant(a.b_hh + gate * h, h, b.b);
        }
    }
    let (hw, hb) = sh.head_at();
    quant(hw, sh.outputs * h, genome.w_o);
    quant(hb, sh.outputs, genome.layers[sh.layers - 1].b);
    f
}

/// The integer score of `g` at `genome` on `samples`, calibrated on the training split.
fn int_score(
    g: &Gru,
    ds: &Dataset,
    genome: &Genome,
    tables: &TableCache,
    how: Calibration,
    samples: &[Sample],
) -> Result<Score> {
    let ranges = Ranges::calibrate(g, &ds.train, how);
    let q = QuantGru::new(g, &ranges, genome, tables)?;
    Ok(score_outputs(ds.metric, samples, |s| q.forward(s)))
}

/// Fine-tunes `g` for `genome`; returns the best float model and its integer score on
/// `search` (the starting model when no epoch improves on it).
pub fn finetune(
    g: &Gru,
    ds: &Dataset,
    genome: &Genome,
    search: &[Sample],
    tables: &TableCache,
    how: Calibration,
    cfg: &FinetuneConfig,
) -> Result<(Gru, Score)> {
    let mut master = g.clone();
    let n = g.shape.params();
    let mut adam = crate::train::Adam::new(n);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x0066_696e);
    let mut order: Vec<usize> = (0..ds.train.len()).collect();
    let mut grad = vec![0.0; n];
    let start = int_score(g, ds, genome, tables, how, search)?;
    let mut best = (g.clone(), start);
    for _ in 0..cfg.epochs {
        order.shuffle(&mut rng);
        for idx in order.chunks(cfg.batch) {
            let batch: Vec<&Sample> = idx.iter().map(|&i| &ds.train[i]).collect();
            let fake = fake_quantized(&master, genome);
            batch_grad(&fake, &batch, &mut grad);
            let norm = grad.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm > cfg.clip {
                let k = cfg.clip / norm;
                grad.iter_mut().for_each(|x| *x *= k);
            }
            adam.step(&mut master.params, &grad, cfg.lr);
        }
        let s = int_score(&master, ds, genome, tables, how, search)?;
        if s.error() < best.1.error() || (s.error() == best.1.error() && s.loss < best.1.loss) {
            best = (master.clone(), s);
        }
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Norm, Shape};

    /// The forward pass of fine-tuning sees exactly the weights the integer model holds.
    #[test]
    fn fake_quantized_weights_are_the_integer_models() {
        let shape = Shape {
            input: 3,
            hidden: 4,
            layers: 2,
            outputs: 2,
        };
        let g = Gru::new(shape, Norm::identity(3), 5);
        let genome = Genome::parse("all=6,w_ir=3,l1.w_hn=2,w_o=4", 2).unwrap();
        let ranges = Ranges {
            x: 1.0,
            layers: vec![Default::default(); 2],
            o: 1.0,
            calibration: Calibration::MaxAbs,
            sequences: 0,
        };
        let mut ranges = ranges;
        for l in &mut ranges.layers {
            l.r = 1.0;
            l.z = 1.0;
        }
        let q = QuantGru::new(&g, &ranges, &genome, &TableCache::new()).unwrap();
        let f = fake_quantized(&g, &genome);
        let h = shape.hidden;
        for (l, ql) in q.layers.iter().enumerate() {
            let a = shape.layer_at(l);
            for gate in 0..3 {
                let wi = &f.params[a.w_ih + gate * h * a.input..][..h * a.input];
                let want: Vec<f64> = ql.w_i[gate]
                    .codes
                    .iter()
                    .map(|&c| ql.w_i[gate].fmt.value(c))
                    .collect();
                assert_eq!(wi, &want[..]);
                let wh = &f.params[a.w_hh + gate * h * h..][..h * h];
                let want: Vec<f64> = ql.w_h[gate]
                    .codes
                    .iter()
                    .map(|&c| ql.w_h[gate].fmt.value(c))
                    .collect();
                assert_eq!(wh, &want[..]);
            }
        }
        let (hw, _) = shape.head_at();
        let want: Vec<f64> = q.w_o.codes.iter().map(|&c| q.w_o.fmt.value(c)).collect();
        assert_eq!(&f.params[hw..hw + 2 * h], &want[..]);
    }
}
