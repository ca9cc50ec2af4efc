//! Quantization-aware fine-tuning of one genome: the float model is trained further with every
//! weight and bias replaced, in the forward pass, by its value at the genome's width
//! (quantized as the integer model does, and back to real), and the gradient taken there
//! applied to the float weights unchanged (the straight-through estimator). It is the
//! training loop of `train` (the same noise, decay, clipping and cosine schedule) for a fixed
//! number of epochs, and keeps the last epoch's weights: nothing here reads a split but the
//! training data it is given, so the search's choice among tuned members stays on the search
//! data. Seeded and reproducible as training is.

use crate::calibration::{Calibration, WeightScales};
use crate::data::Sample;
use crate::genome::Genome;
use crate::model::Gru;
use crate::quant::{weight_tensors, QTensor};
use crate::train::{fit, Schedule, TrainConfig};

/// Mixed into the seed of the shuffles of fine-tuning.
const FINETUNE_STREAM: u64 = 0x0066_696e;

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FinetuneConfig {
    pub epochs: usize,
    pub lr: f64,
    pub batch: usize,
    pub clip: f64,
    pub seed: u64,
    /// Input noise, as in training (normalized units).
    #[serde(default)]
    pub noise: f64,
    #[serde(default)]
    pub weight_decay: f64,
}

impl Default for FinetuneConfig {
    fn default() -> Self {
        FinetuneConfig {
            epochs: 15,
            lr: 0.002,
            batch: 16,
            clip: 1.0,
            seed: 1,
            noise: 0.2,
            weight_decay: 1e-4,
        }
    }
}

/// `g` with every weight and bias replaced by the real value of its code in the integer
/// model of `genome` scaled as `how` and `scales` say (`quant::weight_tensors`, the one definition of how they
/// are quantized). The integer model holds b_ir + b_hr (and b_iz + b_hz) as one code: the
/// input gate's bias carries it and the hidden gate's is 0, which leaves every sum the float
/// model forms equal to the integer model's.
pub fn fake_quantized(g: &Gru, genome: &Genome, how: Calibration, scales: WeightScales) -> Gru {
    let mut f = g.clone();
    let sh = g.shape;
    let h = sh.hidden;
    let real = |t: &QTensor, row_len: usize| -> Vec<f64> {
        t.codes
            .iter()
            .enumerate()
            .map(|(i, &c)| t.value(i / row_len.max(1), c))
            .collect()
    };
    let w = weight_tensors(g, genome, how, scales);
    for (l, lw) in w.layers.iter().enumerate() {
        let a = sh.layer_at(l);
        for gate in 0..3 {
            let wi = real(&lw.w_i[gate], a.input);
            f.params[a.w_ih + gate * h * a.input..][..h * a.input].copy_from_slice(&wi);
            let wh = real(&lw.w_h[gate], h);
            f.params[a.w_hh + gate * h * h..][..h * h].copy_from_slice(&wh);
        }
        for (gate, t) in lw.b.iter().enumerate() {
            let v = real(t, 1);
            let (bi, bh) = match gate {
                0 | 1 => (v, vec![0.0; h]),
                2 => (v, f.params[a.b_hh + 2 * h..][..h].to_vec()),
                _ => (f.params[a.b_ih + 2 * h..][..h].to_vec(), v),
            };
            let slot = gate.min(2);
            f.params[a.b_ih + slot * h..][..h].copy_from_slice(&bi);
            f.params[a.b_hh + slot * h..][..h].copy_from_slice(&bh);
        }
    }
    let (hw, hb) = sh.head_at();
    let wo = real(&w.w_o, h);
    f.params[hw..hw + sh.outputs * h].copy_from_slice(&wo);
    let bo = real(&w.b_o, 1);
    f.params[hb..hb + sh.outputs].copy_from_slice(&bo);
    f
}

/// Fine-tunes `g` for `genome` on `train`; the weights are scaled as `how` and `scales` say.
/// Returns the float model after the last epoch.
pub fn finetune(
    g: &Gru,
    train: &[Sample],
    genome: &Genome,
    how: Calibration,
    scales: WeightScales,
    cfg: &FinetuneConfig,
) -> Gru {
    let tc = TrainConfig {
        hidden: g.shape.hidden,
        layers: g.shape.layers,
        max_epochs: cfg.epochs,
        batch: cfg.batch,
        lr: cfg.lr,
        clip: cfg.clip,
        patience: 0,
        seed: cfg.seed,
        noise: cfg.noise,
        weight_decay: cfg.weight_decay,
        schedule: Schedule::Cosine,
    };
    let mut master = g.clone();
    fit(
        &mut master,
        train,
        &tc,
        cfg.seed ^ FINETUNE_STREAM,
        &|m| fake_quantized(m, genome, how, scales),
        &mut |_, _, _| false,
    );
    master
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::Ranges;
    use crate::model::{Norm, Shape};
    use crate::quant::QuantGru;
    use crate::tables::TableCache;

    /// The forward pass of fine-tuning sees exactly the weights and bias sums the integer
    /// model holds, for every calibration and weight scaling.
    #[test]
    fn fake_quantized_weights_are_the_integer_models() {
        let shape = Shape {
            input: 3,
            hidden: 4,
            layers: 2,
            outputs: 2,
        };
        let g = Gru::new(shape, Norm::identity(3), 5);
        let genome = Genome::parse("all=6,w_ir=3,l1.w_hn=2,w_o=4,b=3", 2).unwrap();
        let h = shape.hidden;
        for how in [Calibration::MaxAbs, Calibration::Mse] {
            for scales in [WeightScales::Tensor, WeightScales::Row] {
                let mut ranges = Ranges::uniform(2, 1.0);
                ranges.calibration = how;
                ranges.weights = scales;
                let q = QuantGru::new(&g, &ranges, &genome, &TableCache::new()).unwrap();
                let f = fake_quantized(&g, &genome, how, scales);
                let real = |t: &QTensor, cols: usize| -> Vec<f64> {
                    t.codes
                        .iter()
                        .enumerate()
                        .map(|(i, &c)| t.value(i / cols, c))
                        .collect()
                };
                for (l, ql) in q.layers.iter().enumerate() {
                    let a = shape.layer_at(l);
                    for gate in 0..3 {
                        let wi = &f.params[a.w_ih + gate * h * a.input..][..h * a.input];
                        assert_eq!(wi, &real(&ql.w_i[gate], a.input)[..], "{how:?} {scales:?}");
                        let wh = &f.params[a.w_hh + gate * h * h..][..h * h];
                        assert_eq!(wh, &real(&ql.w_h[gate], h)[..]);
                    }
                    for gate in 0..2 {
                        let sum: Vec<f64> = (0..h)
                            .map(|j| {
                                f.params[a.b_ih + gate * h + j] + f.params[a.b_hh + gate * h + j]
                            })
                            .collect();
                        assert_eq!(sum, real(&ql.b[gate], 1));
                    }
                    assert_eq!(&f.params[a.b_ih + 2 * h..][..h], &real(&ql.b[2], 1)[..]);
                    assert_eq!(&f.params[a.b_hh + 2 * h..][..h], &real(&ql.b[3], 1)[..]);
                }
                let (hw, hb) = shape.head_at();
                assert_eq!(&f.params[hw..hw + 2 * h], &real(&q.w_o, h)[..]);
                assert_eq!(&f.params[hb..hb + 2], &real(&q.b_o, 1)[..]);
                if scales == WeightScales::Row {
                    assert!(q.layers[0].w_i[0].row_frac.len() == h);
                }
            }
        }
    }
}
