//! The float GRU: PyTorch's `nn.GRU` equations and weight layout (gate order r, z, n), one or
//! more layers, then a linear head on the last step's hidden state.
//!
//! ```text
//! r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)
//! z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
//! n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
//! h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}
//! ```
//!
//! Every parameter lives in one flat vector (the optimizer's view) in the order
//! `weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, …, fc.weight, fc.bias`, each row-major
//! as PyTorch stores it. Arithmetic is f64, with `libm`'s exp and tanh, so a model computes the
//! same bits on every machine.

use crate::data::Sample;
use serde::{Deserialize, Serialize};

/// The sizes of a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shape {
    pub input: usize,
    pub hidden: usize,
    pub layers: usize,
    /// Classes, or 1 for regression.
    pub outputs: usize,
}

/// Where one layer's tensors sit in the flat parameter vector.
#[derive(Clone, Copy, Debug)]
pub struct LayerAt {
    pub input: usize,
    pub w_ih: usize,
    pub w_hh: usize,
    pub b_ih: usize,
    pub b_hh: usize,
}

impl Shape {
    pub fn layer_input(&self, l: usize) -> usize {
        if l == 0 {
            self.input
        } else {
            self.hidden
        }
    }

    pub fn layer_at(&self, l: usize) -> LayerAt {
        let h = self.hidden;
        let mut off = 0;
        for k in 0..l {
            off += 3 * h * self.layer_input(k) + 3 * h * h + 6 * h;
        }
        let i = self.layer_input(l);
        LayerAt {
            input: i,
            w_ih: off,
            w_hh: off + 3 * h * i,
            b_ih: off + 3 * h * i + 3 * h * h,
            b_hh: off + 3 * h * i + 3 * h * h + 3 * h,
        }
    }

    /// Offsets of the head's weight (outputs × hidden) and bias.
    pub fn head_at(&self) -> (usize, usize) {
        let end = self.layer_at(self.layers - 1);
        let w = end.b_hh + 3 * self.hidden;
        (w, w + self.outputs * self.hidden)
    }

    pub fn params(&self) -> usize {
        let (_, b) = self.head_at();
        b + self.outputs
    }

    /// The PyTorch names of the tensors with their offsets and shapes.
    pub fn tensors(&self) -> Vec<(String, usize, Vec<usize>)> {
        let h = self.hidden;
        let mut v = Vec::new();
        for l in 0..self.layers {
            let a = self.layer_at(l);
            v.push((format!("weight_ih_l{l}"), a.w_ih, vec![3 * h, a.input]));
            v.push((format!("weight_hh_l{l}"), a.w_hh, vec![3 * h, h]));
            v.push((format!("bias_ih_l{l}"), a.b_ih, vec![3 * h]));
            v.push((format!("bias_hh_l{l}"), a.b_hh, vec![3 * h]));
        }
        let (w, b) = self.head_at();
        v.push(("fc.weight".into(), w, vec![self.outputs, h]));
        v.push(("fc.bias".into(), b, vec![self.outputs]));
        v
    }
}

/// Input normalization learned on the training split: x' = (x − mean) / std per feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Norm {
    pub mean: Vec<f64>,
    pub std: Vec<f64>,
}

impl Norm {
    /// Mean and standard deviation of every feature over every step of `samples`; a constant
    /// feature keeps std 1.
    pub fn fit(samples: &[Sample], features: usize) -> Norm {
        let mut n = 0.0;
        let mut sum = vec![0.0; features];
        let mut sq = vec![0.0; features];
        for s in samples {
            for t in 0..s.len {
                for (f, &v) in s.step(t, features).iter().enumerate() {
                    sum[f] += v;
                    sq[f] += v * v;
                }
                n += 1.0;
            }
        }
        let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        let std = sq
            .iter()
            .zip(&mean)
            .map(|(q, m)| {
                let var = q / n - m * m;
                if var > 1e-12 {
                    var.sqrt()
                } else {
                    1.0
                }
            })
            .collect();
        Norm { mean, std }
    }

    pub fn identity(features: usize) -> Norm {
        Norm {
            mean: vec![0.0; features],
            std: vec![1.0; features],
        }
    }

    pub fn apply(&self, x: &[f64], out: &mut Vec<f64>) {
        out.clear();
        out.extend(
            x.iter()
                .enumerate()
                .map(|(i, &v)| (v - self.mean[i % self.mean.len()]) / self.std[i % self.std.len()]),
        );
    }
}

/// A float GRU with its head and input normalization.
#[derive(Clone, Debug, PartialEq)]
pub struct Gru {
    pub shape: Shape,
    pub params: Vec<f64>,
    pub norm: Norm,
}

pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + libm::exp(-x))
    } else {
        let e = libm::exp(x);
        e / (1.0 + e)
    }
}

pub fn tanh(x: f64) -> f64 {
    libm::tanh(x)
}

/// y += W x for a row-major `rows × cols` matrix.
fn gemv_add(w: &[f64], x: &[f64], rows: usize, y: &mut [f64]) {
    let cols = x.len();
    for r in 0..rows {
        let row = &w[r * cols..(r + 1) * cols];
        let mut acc = 0.0;
        for c in 0..cols {
            acc += row[c] * x[c];
        }
        y[r] += acc;
    }
}

/// Everything one layer computed at one step, kept for the backward pass.
#[derive(Clone, Debug, Default)]
pub struct StepCache {
    pub r: Vec<f64>,
    pub z: Vec<f64>,
    pub n: Vec<f64>,
    /// W_hn h + b_hn.
    pub hn: Vec<f64>,
    /// The pre-activations of r, z and n (3H): what the sigmoid and tanh are applied to.
    pub a: Vec<f64>,
    pub h: Vec<f64>,
}

/// The forward pass of one sequence: per layer, per step, the cache; and the head's outputs.
pub struct Trace {
    /// Normalized inputs, time-major.
    pub x: Vec<f64>,
    pub steps: Vec<Vec<StepCache>>,
    pub out: Vec<f64>,
}

impl Gru {
    /// PyTorch's initialization: every GRU parameter and the head's uniform in ±1/√H.
    pub fn new(shape: Shape, norm: Norm, seed: u64) -> Gru {
        use rand::Rng;
        use rand_chacha::rand_core::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let k = 1.0 / (shape.hidden as f64).sqrt();
        let params = (0..shape.params()).map(|_| rng.gen_range(-k..k)).collect();
        Gru {
            shape,
            params,
            norm,
        }
    }

    /// One layer's step: h_{t-1}, x_t → the cache (whose `h` is h_t).
    pub fn step(&self, l: usize, x: &[f64], h_prev: &[f64]) -> StepCache {
        let h = self.shape.hidden;
        let a = self.shape.layer_at(l);
        let p = &self.params;
        let mut gi = p[a.b_ih..a.b_ih + 3 * h].to_vec();
        gemv_add(&p[a.w_ih..a.w_ih + 3 * h * a.input], x, 3 * h, &mut gi);
        let mut gh = p[a.b_hh..a.b_hh + 3 * h].to_vec();
        gemv_add(&p[a.w_hh..a.w_hh + 3 * h * h], h_prev, 3 * h, &mut gh);
        let mut c = StepCache {
            r: vec![0.0; h],
            z: vec![0.0; h],
            n: vec![0.0; h],
            hn: gh[2 * h..].to_vec(),
            a: vec![0.0; 3 * h],
            h: vec![0.0; h],
        };
        for j in 0..h {
            c.a[j] = gi[j] + gh[j];
            c.a[h + j] = gi[h + j] + gh[h + j];
            c.r[j] = sigmoid(c.a[j]);
            c.z[j] = sigmoid(c.a[h + j]);
            c.a[2 * h + j] = gi[2 * h + j] + c.r[j] * gh[2 * h + j];
            c.n[j] = tanh(c.a[2 * h + j]);
            c.h[j] = (1.0 - c.z[j]) * c.n[j] + c.z[j] * h_prev[j];
        }
        c
    }

    /// The head on a hidden state.
    pub fn head(&self, h: &[f64]) -> Vec<f64> {
        let (w, b) = self.shape.head_at();
        let o = self.shape.outputs;
        let mut out = self.params[b..b + o].to_vec();
        gemv_add(&self.params[w..w + o * self.shape.hidden], h, o, &mut out);
        out
    }

    /// The forward pass with every intermediate value.
    pub fn trace(&self, s: &Sample) -> Trace {
        let mut x = Vec::new();
        self.norm.apply(&s.x, &mut x);
        let h = self.shape.hidden;
        let mut steps: Vec<Vec<StepCache>> = Vec::with_capacity(self.shape.layers);
        for l in 0..self.shape.layers {
            let mut hs: Vec<StepCache> = Vec::with_capacity(s.len);
            let zero = vec![0.0; h];
            for t in 0..s.len {
                let input: &[f64] = if l == 0 {
                    &x[t * self.shape.input..(t + 1) * self.shape.input]
                } else {
                    &steps[l - 1][t].h
                };
                let prev = if t == 0 { &zero } else { &hs[t - 1].h };
                let c = self.step(l, input, prev);
                hs.push(c);
            }
            steps.push(hs);
        }
        let last = &steps[self.shape.layers - 1][s.len - 1].h;
        let out = self.head(last);
        Trace { x, steps, out }
    }

    /// The head's outputs for one sequence (logits, or the regression value).
    pub fn forward(&self, s: &Sample) -> Vec<f64> {
        self.trace(s).out
    }
}

/// The index of the largest value; the first of equal ones.
pub fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Target;

    #[test]
    fn layout_follows_pytorch() {
        let s = Shape {
            input: 3,
            hidden: 4,
            layers: 2,
            outputs: 5,
        };
        let t = s.tensors();
        let names: Vec<&str> = t.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "weight_ih_l0",
                "weight_hh_l0",
                "bias_ih_l0",
                "bias_hh_l0",
                "weight_ih_l1",
                "weight_hh_l1",
                "bias_ih_l1",
                "bias_hh_l1",
                "fc.weight",
                "fc.bias"
            ]
        );
        assert_eq!(t[0].2, [12, 3]);
        assert_eq!(t[4].2, [12, 4]);
        // Contiguous: each tensor starts where the previous one ends.
        for w in t.windows(2) {
            assert_eq!(w[0].1 + w[0].2.iter().product::<usize>(), w[1].1);
        }
        assert_eq!(
            s.params(),
            12 * 3 + 12 * 4 + 24 + 12 * 4 + 12 * 4 + 24 + 5 * 4 + 5
        );
    }

    /// One step of a one-unit GRU, by hand from the equations.
    #[test]
    fn one_step_by_hand() {
        let shape = Shape {
            input: 1,
            hidden: 1,
            layers: 1,
            outputs: 1,
        };
        // w_ir, w_iz, w_in; w_hr, w_hz, w_hn; b_ir, b_iz, b_in; b_hr, b_hz, b_hn; fc.w, fc.b.
        let params = vec![
            0.5, -1.0, 2.0, 0.25, 0.75, -0.5, 0.1, 0.2, -0.3, 0.05, -0.1, 0.4, 1.5, -0.2,
        ];
        let g = Gru {
            shape,
            params,
            norm: Norm::identity(1),
        };
        let (x, h0) = (0.8f64, 0.3f64);
        let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
        let r = sig(0.5 * x + 0.1 + 0.25 * h0 + 0.05);
        let z = sig(-x + 0.2 + 0.75 * h0 - 0.1);
        let n = (2.0 * x - 0.3 + r * (-0.5 * h0 + 0.4)).tanh();
        let h1 = (1.0 - z) * n + z * h0;
        let c = g.step(0, &[x], &[h0]);
        assert!((c.r[0] - r).abs() < 1e-15 && (c.z[0] - z).abs() < 1e-15);
        assert!((c.n[0] - n).abs() < 1e-15 && (c.h[0] - h1).abs() < 1e-15);
        // A one-step sequence from h0 = 0 through the head.
        let s = Sample {
            x: vec![x],
            len: 1,
            y: Target::Value(0.0),
        };
        let c0 = g.step(0, &[x], &[0.0]);
        assert_eq!(g.forward(&s), vec![1.5 * c0.h[0] - 0.2]);
    }

    #[test]
    fn same_seed_same_weights() {
        let s = Shape {
            input: 2,
            hidden: 3,
            layers: 1,
            outputs: 2,
        };
        let a = Gru::new(s, Norm::identity(2), 7);
        assert_eq!(a, Gru::new(s, Norm::identity(2), 7));
        assert_ne!(a, Gru::new(s, Norm::identity(2), 8));
        assert!(a.params.iter().all(|p| p.abs() < 1.0 / 3f64.sqrt()));
    }
}
