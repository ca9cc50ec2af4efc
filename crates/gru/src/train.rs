//! Training on the CPU: Adam on mini-batches, gradient clipping by global norm, early stop on
//! the validation split (the best epoch's weights are kept). Reproducible: the same seed gives
//! the same weights on any machine and with any number of threads, because each mini-batch is
//! cut into fixed chunks whose gradients are summed in chunk order.

use crate::bptt;
use crate::data::{Dataset, Metric, Sample, Target};
use crate::model::{argmax, Gru, Norm, Shape};
use rand::seq::SliceRandom;
use rand_chacha::rand_core::SeedableRng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Sequences per gradient chunk: the unit of parallel work and of the summation order.
const CHUNK: usize = 4;

/// Mixed into the seed of the shuffle stream, so that it differs from the initialization's.
const SHUFFLE_STREAM: u64 = 0x7261_696e;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub hidden: usize,
    pub layers: usize,
    pub max_epochs: usize,
    pub batch: usize,
    pub lr: f64,
    /// Largest global gradient norm; larger gradients are scaled down to it.
    pub clip: f64,
    /// Stop after this many epochs without a better validation score.
    pub patience: usize,
    pub seed: u64,
}

impl TrainConfig {
    /// The settings `lutforge gru train` uses for a task unless told otherwise: sizes that
    /// reach good float accuracy within the two-minute training budget on two cores.
    pub fn for_task(task: &str) -> TrainConfig {
        let base = TrainConfig {
            hidden: 32,
            layers: 1,
            max_epochs: 60,
            batch: 32,
            lr: 0.01,
            clip: 5.0,
            patience: 12,
            seed: 1,
        };
        match task {
            "motions" => TrainConfig {
                hidden: 16,
                batch: 8,
                max_epochs: 120,
                patience: 30,
                ..base
            },
            "vowels" => TrainConfig {
                hidden: 24,
                batch: 16,
                max_epochs: 80,
                ..base
            },
            "adding" => TrainConfig {
                hidden: 24,
                max_epochs: 80,
                patience: 15,
                ..base
            },
            _ => base,
        }
    }

    pub fn check(&self) -> Result<(), String> {
        if self.hidden == 0 || self.hidden > 512 {
            return Err(format!("--hidden {}: 1 to 512 units", self.hidden));
        }
        if self.layers == 0 || self.layers > 8 {
            return Err(format!("--layers {}: 1 to 8 layers", self.layers));
        }
        if self.max_epochs == 0 || self.max_epochs > 100_000 {
            return Err(format!("--epochs {}: 1 to 100000", self.max_epochs));
        }
        if self.batch == 0 || self.batch > 100_000 {
            return Err(format!("--batch {}: 1 to 100000", self.batch));
        }
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            return Err(format!("--lr {}: a positive learning rate", self.lr));
        }
        if !(self.clip > 0.0 && self.clip.is_finite()) {
            return Err(format!("--clip {}: a positive norm", self.clip));
        }
        Ok(())
    }
}

/// A split's score: accuracy (higher is better) or MSE (lower is better), with the mean loss.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub metric: Metric,
    pub value: f64,
    pub loss: f64,
}

impl Score {
    /// The error to minimize: 1 − accuracy, or the MSE.
    pub fn error(&self) -> f64 {
        match self.metric {
            Metric::Accuracy => 1.0 - self.value,
            Metric::Mse => self.value,
        }
    }
}

/// Scores a model's outputs on a split; `outputs` gives each sequence's head outputs.
pub fn score_outputs(
    metric: Metric,
    samples: &[Sample],
    outputs: impl Fn(&Sample) -> Vec<f64> + Sync,
) -> Score {
    let per: Vec<(f64, f64)> = samples
        .par_iter()
        .map(|s| {
            let out = outputs(s);
            let mut d = vec![0.0; out.len()];
            let loss = bptt::loss_of(&out, s.y, &mut d);
            let v = match s.y {
                Target::Class(c) => f64::from(u8::from(argmax(&out) == c)),
                Target::Value(v) => (out[0] - v).powi(2),
            };
            (v, loss)
        })
        .collect();
    let n = samples.len().max(1) as f64;
    Score {
        metric,
        value: per.iter().map(|p| p.0).sum::<f64>() / n,
        loss: per.iter().map(|p| p.1).sum::<f64>() / n,
    }
}

pub fn score(g: &Gru, metric: Metric, samples: &[Sample]) -> Score {
    score_outputs(metric, samples, |s| g.forward(s))
}

/// One epoch's report.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Epoch {
    pub epoch: usize,
    pub train_loss: f64,
    pub val: Score,
    pub best: bool,
}

/// The result of training.
#[derive(Clone, Debug)]
pub struct Trained {
    pub model: Gru,
    pub best_epoch: usize,
    pub epochs: Vec<Epoch>,
    pub val: Score,
    pub test: Score,
    pub train: Score,
}

/// Adam's state (Kingma & Ba 2015, β = 0.9, 0.999, ε = 1e-8).
pub struct Adam {
    m: Vec<f64>,
    v: Vec<f64>,
    t: i32,
}

impl Adam {
    const B1: f64 = 0.9;
    const B2: f64 = 0.999;
    const EPS: f64 = 1e-8;

    pub fn new(params: usize) -> Adam {
        Adam {
            m: vec![0.0; params],
            v: vec![0.0; params],
            t: 0,
        }
    }

    pub fn step(&mut self, params: &mut [f64], grad: &[f64], lr: f64) {
        self.t += 1;
        let c1 = 1.0 - Self::B1.powi(self.t);
        let c2 = 1.0 - Self::B2.powi(self.t);
        for i in 0..params.len() {
            self.m[i] = Self::B1 * self.m[i] + (1.0 - Self::B1) * grad[i];
            self.v[i] = Self::B2 * self.v[i] + (1.0 - Self::B2) * grad[i] * grad[i];
            let mh = self.m[i] / c1;
            let vh = self.v[i] / c2;
            params[i] -= lr * mh / (vh.sqrt() + Self::EPS);
        }
    }
}

/// The mean gradient and loss of a batch, summed chunk by chunk in order.
pub fn batch_grad(g: &Gru, batch: &[&Sample], grad: &mut [f64]) -> f64 {
    let n = g.shape.params();
    let parts: Vec<(Vec<f64>, f64)> = batch
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut gr = vec![0.0; n];
            let mut loss = 0.0;
            for s in chunk {
                loss += bptt::loss_grad(g, s, &mut gr);
            }
            (gr, loss)
        })
        .collect();
    grad.iter_mut().for_each(|x| *x = 0.0);
    let mut loss = 0.0;
    for (gr, l) in parts {
        for (a, b) in grad.iter_mut().zip(gr) {
            *a += b;
        }
        loss += l;
    }
    let k = batch.len() as f64;
    grad.iter_mut().for_each(|x| *x /= k);
    loss / k
}

/// Whether score `a` is better than `b` for the metric.
fn better(a: &Score, b: &Score) -> bool {
    match a.metric {
        Metric::Accuracy => a.value > b.value || (a.value == b.value && a.loss < b.loss),
        Metric::Mse => a.value < b.value,
    }
}

/// Trains a model on `ds` as `cfg` says; `progress` hears every epoch.
pub fn train(ds: &Dataset, cfg: &TrainConfig, progress: &mut dyn FnMut(&Epoch)) -> Trained {
    let shape = Shape {
        input: ds.features,
        hidden: cfg.hidden,
        layers: cfg.layers,
        outputs: ds.outputs,
    };
    let mut g = Gru::new(shape, Norm::fit(&ds.train, ds.features), cfg.seed);
    let n = shape.params();
    let mut adam = Adam::new(n);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(cfg.seed ^ SHUFFLE_STREAM);
    let mut order: Vec<usize> = (0..ds.train.len()).collect();
    let mut grad = vec![0.0; n];
    let mut best = (g.clone(), score(&g, ds.metric, &ds.val), 0usize);
    let mut epochs = Vec::new();
    for epoch in 1..=cfg.max_epochs {
        order.shuffle(&mut rng);
        let mut total = 0.0;
        for idx in order.chunks(cfg.batch) {
            let batch: Vec<&Sample> = idx.iter().map(|&i| &ds.train[i]).collect();
            total += batch_grad(&g, &batch, &mut grad) * batch.len() as f64;
            let norm = grad.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm > cfg.clip {
                let k = cfg.clip / norm;
                grad.iter_mut().for_each(|x| *x *= k);
            }
            adam.step(&mut g.params, &grad, cfg.lr);
        }
        let val = score(&g, ds.metric, &ds.val);
        let is_best = better(&val, &best.1);
        if is_best {
            best = (g.clone(), val, epoch);
        }
        let e = Epoch {
            epoch,
            train_loss: total / ds.train.len() as f64,
            val,
            best: is_best,
        };
        progress(&e);
        epochs.push(e);
        if epoch - best.2 >= cfg.patience {
            break;
        }
    }
    let (model, val, best_epoch) = best;
    Trained {
        test: score(&model, ds.metric, &ds.test),
        train: score(&model, ds.metric, &ds.train),
        model,
        best_epoch,
        epochs,
        val,
    }
}
