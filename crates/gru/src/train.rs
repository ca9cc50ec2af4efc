//! Training on the CPU, the field's recipe for small recurrent classifiers: Adam with
//! decoupled weight decay (AdamW) on mini-batches, gradient clipping by global norm, Gaussian
//! noise on the normalized inputs, and a learning rate that decays along a cosine over the
//! run. The run has a fixed number of epochs and keeps the last one's weights, so training
//! reads the training split alone; `patience` turns on the older early stop on the validation
//! split instead (which then reads it). Reproducible: the same seed gives the same weights on
//! any machine and with any number of threads, because each mini-batch is cut into fixed
//! chunks whose gradients are summed in chunk order, and each sequence's noise comes from its
//! own generator (seeded by the seed, the epoch and the sequence).

use crate::bptt;
use crate::data::{Dataset, Metric, Sample, Target};
use crate::model::{argmax, Gru, Norm, Shape};
pub use crate::scoring::Score;
use rand::seq::SliceRandom;
use rand_chacha::rand_core::SeedableRng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Sequences per gradient chunk: the unit of parallel work and of the summation order.
const CHUNK: usize = 4;

/// Mixed into the seed of the shuffle stream, so that it differs from the initialization's.
const SHUFFLE_STREAM: u64 = 0x7261_696e;

/// Mixed into the noise generators' seeds, so that they differ from the other streams.
const NOISE_STREAM: u64 = 0x6e6f_6973;

/// How the learning rate moves over a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Schedule {
    Constant,
    /// lr · (1 + cos(π · step / steps)) / 2 at each mini-batch step: from lr to 0.
    Cosine,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub hidden: usize,
    pub layers: usize,
    /// Epochs (the most, with `patience`).
    pub max_epochs: usize,
    pub batch: usize,
    pub lr: f64,
    /// Largest global gradient norm; larger gradients are scaled down to it.
    pub clip: f64,
    /// Early stop: after this many epochs without a better validation score (the best
    /// epoch's weights kept); 0: none, every epoch runs and the last one's weights are kept.
    pub patience: usize,
    pub seed: u64,
    /// Standard deviation of the Gaussian noise added to every normalized input value of a
    /// training sequence, drawn anew each epoch.
    #[serde(default)]
    pub noise: f64,
    /// Decoupled weight decay (AdamW): each step multiplies every weight matrix (not the
    /// biases) by 1 − lr · decay.
    #[serde(default)]
    pub weight_decay: f64,
    #[serde(default = "constant")]
    pub schedule: Schedule,
}

fn constant() -> Schedule {
    Schedule::Constant
}

impl TrainConfig {
    /// The settings `lutforge gru train` uses for a task unless told otherwise (docs/results.md
    /// measures them): the recipe of the module documentation, with sizes and epochs that
    /// reach the field's float accuracy within the two-minute training budget on two cores.
    pub fn for_task(task: &str) -> TrainConfig {
        let base = TrainConfig {
            hidden: 32,
            layers: 1,
            max_epochs: 60,
            batch: 32,
            lr: 0.005,
            clip: 1.0,
            patience: 0,
            seed: 1,
            noise: 0.2,
            weight_decay: 1e-4,
            schedule: Schedule::Cosine,
        };
        match task {
            "motions" => TrainConfig {
                hidden: 16,
                batch: 8,
                max_epochs: 100,
                ..base
            },
            // Chosen by 5-fold cross-validation on the training split (examples/recipe_cv.rs,
            // docs/results.md): batch 4 and lr 0.01 led the variants tried.
            "vowels" => TrainConfig {
                batch: 4,
                lr: 0.01,
                ..base
            },
            "adding" => TrainConfig {
                hidden: 24,
                max_epochs: 80,
                noise: 0.0,
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
        if !(self.noise >= 0.0 && self.noise <= 10.0) {
            return Err(format!(
                "--noise {}: 0 to 10 (normalized units)",
                self.noise
            ));
        }
        if !(self.weight_decay >= 0.0 && self.weight_decay * self.lr < 1.0) {
            return Err(format!(
                "--weight-decay {}: at least 0, and below 1 / lr",
                self.weight_decay
            ));
        }
        Ok(())
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
    /// The validation score, when there is a validation split.
    pub val: Option<Score>,
    pub best: bool,
}

/// The result of training.
#[derive(Clone, Debug)]
pub struct Trained {
    pub model: Gru,
    pub best_epoch: usize,
    pub epochs: Vec<Epoch>,
    pub val: Option<Score>,
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

    /// One step; `decay` (AdamW's decoupled weight decay, applied first) shrinks the
    /// parameters where `decays` is true.
    pub fn step_decayed(
        &mut self,
        params: &mut [f64],
        grad: &[f64],
        lr: f64,
        decay: f64,
        decays: &[bool],
    ) {
        if decay > 0.0 {
            for (p, &d) in params.iter_mut().zip(decays) {
                if d {
                    *p -= lr * decay * *p;
                }
            }
        }
        self.step(params, grad, lr);
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

/// `s` with Gaussian noise of standard deviation `sigma` (in normalized units: σ · std per
/// raw feature) on every value, from the generator of (seed, epoch, sequence index): the same
/// noise on any machine and thread.
pub fn noisy(s: &Sample, norm: &Norm, sigma: f64, seed: u64, epoch: usize, index: usize) -> Sample {
    use rand::Rng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ NOISE_STREAM);
    rng.set_stream(((epoch as u64) << 32) | index as u64);
    let f = norm.std.len();
    let x = s
        .x
        .iter()
        .enumerate()
        .map(|(k, &v)| {
            // Box–Muller on (0, 1] × [0, 1), with libm so that every machine draws the same.
            let u1: f64 = 1.0 - rng.gen::<f64>();
            let u2: f64 = rng.gen();
            let z = libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2);
            v + sigma * norm.std[k % f] * z
        })
        .collect();
    Sample { x, ..s.clone() }
}

/// The parameters weight decay shrinks: every weight matrix, no bias.
pub fn decayed(shape: Shape) -> Vec<bool> {
    let mut d = vec![false; shape.params()];
    for (name, off, dims) in shape.tensors() {
        if !name.contains("bias") {
            let n: usize = dims.iter().product();
            d[off..off + n].iter_mut().for_each(|x| *x = true);
        }
    }
    d
}

/// The learning rate at mini-batch step `step` of `steps`.
pub fn rate(cfg: &TrainConfig, step: usize, steps: usize) -> f64 {
    match cfg.schedule {
        Schedule::Constant => cfg.lr,
        Schedule::Cosine => {
            let t = step as f64 / steps.max(1) as f64;
            cfg.lr * 0.5 * (1.0 + libm::cos(std::f64::consts::PI * t))
        }
    }
}

/// The training loop: `cfg.max_epochs` epochs over `train` from `g`'s weights, the gradient
/// of each mini-batch taken at `at(g)` (`g` itself, or for fine-tuning its quantized weights)
/// and applied to `g`. After each epoch `on_epoch(epoch, mean loss, g)` may stop the run by
/// returning true. `shuffle_seed` seeds the order of the sequences.
pub fn fit(
    g: &mut Gru,
    train: &[Sample],
    cfg: &TrainConfig,
    shuffle_seed: u64,
    at: &dyn Fn(&Gru) -> Gru,
    on_epoch: &mut dyn FnMut(usize, f64, &Gru) -> bool,
) {
    let n = g.shape.params();
    let decays = decayed(g.shape);
    let mut adam = Adam::new(n);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(shuffle_seed);
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut grad = vec![0.0; n];
    let steps = cfg.max_epochs * train.len().div_ceil(cfg.batch.max(1));
    let mut step = 0;
    for epoch in 1..=cfg.max_epochs {
        order.shuffle(&mut rng);
        let mut total = 0.0;
        for idx in order.chunks(cfg.batch) {
            let noisy_batch: Vec<Sample> = if cfg.noise > 0.0 {
                idx.iter()
                    .map(|&i| noisy(&train[i], &g.norm, cfg.noise, cfg.seed, epoch, i))
                    .collect()
            } else {
                Vec::new()
            };
            let batch: Vec<&Sample> = if cfg.noise > 0.0 {
                noisy_batch.iter().collect()
            } else {
                idx.iter().map(|&i| &train[i]).collect()
            };
            let model = at(g);
            total += batch_grad(&model, &batch, &mut grad) * batch.len() as f64;
            let norm = grad.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm > cfg.clip {
                let k = cfg.clip / norm;
                grad.iter_mut().for_each(|x| *x *= k);
            }
            let lr = rate(cfg, step, steps);
            adam.step_decayed(&mut g.params, &grad, lr, cfg.weight_decay, &decays);
            step += 1;
        }
        if on_epoch(epoch, total / train.len().max(1) as f64, g) {
            break;
        }
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
    let trained = train_on(&ds.train, &ds.val, shape, ds.metric, cfg, progress);
    Trained {
        test: score(&trained.model, ds.metric, &ds.test),
        ..trained
    }
}

/// Trains a model of `shape` on `train` (the normalization fitted to it); `val` is scored
/// after every epoch when it holds sequences, and read for the early stop when
/// `cfg.patience` > 0. The returned `test` score is `train`'s until the caller scores it.
pub fn train_on(
    train: &[Sample],
    val: &[Sample],
    shape: Shape,
    metric: Metric,
    cfg: &TrainConfig,
    progress: &mut dyn FnMut(&Epoch),
) -> Trained {
    let mut g = Gru::new(shape, Norm::fit(train, shape.input), cfg.seed);
    let score_val = |g: &Gru| (!val.is_empty()).then(|| score(g, metric, val));
    let mut best = (g.clone(), score_val(&g), 0usize);
    let mut epochs = Vec::new();
    fit(
        &mut g,
        train,
        cfg,
        cfg.seed ^ SHUFFLE_STREAM,
        &|g| g.clone(),
        &mut |epoch, loss, g| {
            let v = if cfg.patience > 0 || !val.is_empty() {
                score_val(g)
            } else {
                None
            };
            let is_best = match (&v, &best.1) {
                _ if cfg.patience == 0 => true,
                (Some(a), Some(b)) => better(a, b),
                _ => true,
            };
            if is_best {
                best = (g.clone(), v, epoch);
            }
            let e = Epoch {
                epoch,
                train_loss: loss,
                val: v,
                best: is_best,
            };
            progress(&e);
            epochs.push(e);
            cfg.patience > 0 && epoch - best.2 >= cfg.patience
        },
    );
    let (model, val_score, best_epoch) = best;
    let train_score = score(&model, metric, train);
    Trained {
        test: train_score,
        train: train_score,
        model,
        best_epoch,
        epochs,
        val: val_score,
    }
}

/// The fold models of `k`-fold cross-validation over `ds.train` (`data::folds`): model i
/// trained as `cfg` says on every training sequence outside fold i (with its own
/// normalization), never on the validation or test split.
pub fn train_folds(
    ds: &Dataset,
    cfg: &TrainConfig,
    k: usize,
    progress: &mut dyn FnMut(usize),
) -> lutforge_core::Result<crate::model_file::FoldModels> {
    let fold = crate::data::folds(&ds.train, k)?;
    let shape = Shape {
        input: ds.features,
        hidden: cfg.hidden,
        layers: cfg.layers,
        outputs: ds.outputs,
    };
    let cfg = TrainConfig {
        patience: 0,
        ..cfg.clone()
    };
    let mut models = Vec::with_capacity(k);
    for i in 0..k {
        let rest: Vec<Sample> = ds
            .train
            .iter()
            .zip(&fold)
            .filter(|(_, &f)| f != i)
            .map(|(s, _)| s.clone())
            .collect();
        models.push(train_on(&rest, &[], shape, ds.metric, &cfg, &mut |_| {}).model);
        progress(i + 1);
    }
    Ok(crate::model_file::FoldModels { k, models })
}
