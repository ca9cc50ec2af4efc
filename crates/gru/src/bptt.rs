//! Loss and its gradient by backpropagation through time. Written by hand: the model is a few
//! matrix-vector products per step, and no Rust autodiff crate serves one f64 recurrent model
//! better than these lines (the tests check them against finite differences).

use crate::data::{Sample, Target};
use crate::model::{Gru, Trace};

/// The loss of one output vector against its target: cross-entropy of the logits
/// (classification) or the squared error (regression); with its gradient into `dout`.
pub fn loss_of(out: &[f64], y: Target, dout: &mut [f64]) -> f64 {
    match y {
        Target::Class(c) => {
            let m = out.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = out.iter().map(|&o| libm::exp(o - m)).sum();
            let lse = m + libm::log(sum);
            for (d, &o) in dout.iter_mut().zip(out) {
                *d = libm::exp(o - lse);
            }
            dout[c] -= 1.0;
            lse - out[c]
        }
        Target::Value(v) => {
            let e = out[0] - v;
            dout[0] = 2.0 * e;
            e * e
        }
    }
}

/// The loss of one sequence.
pub fn loss(g: &Gru, s: &Sample) -> f64 {
    let out = g.forward(s);
    let mut d = vec![0.0; out.len()];
    loss_of(&out, s.y, &mut d)
}

/// The loss of one sequence; its gradient is added into `grad` (the flat parameter layout).
pub fn loss_grad(g: &Gru, s: &Sample, grad: &mut [f64]) -> f64 {
    let tr = g.trace(s);
    let mut dout = vec![0.0; g.shape.outputs];
    let loss = loss_of(&tr.out, s.y, &mut dout);
    backward(g, &tr, s.len, &dout, grad);
    loss
}

fn backward(g: &Gru, tr: &Trace, steps: usize, dout: &[f64], grad: &mut [f64]) {
    let sh = g.shape;
    let h = sh.hidden;
    let p = &g.params;
    let top = sh.layers - 1;
    // The head.
    let (hw, hb) = sh.head_at();
    let h_last = &tr.steps[top][steps - 1].h;
    let mut dh_above = vec![vec![0.0; h]; steps];
    for (o, &d) in dout.iter().enumerate() {
        grad[hb + o] += d;
        for j in 0..h {
            grad[hw + o * h + j] += d * h_last[j];
            dh_above[steps - 1][j] += p[hw + o * h + j] * d;
        }
    }
    let zero = vec![0.0; h];
    let mut dgi = vec![0.0; 3 * h];
    let mut dgh = vec![0.0; 3 * h];
    for l in (0..sh.layers).rev() {
        let a = sh.layer_at(l);
        let cache = &tr.steps[l];
        let mut dx = vec![vec![0.0; a.input]; steps];
        let mut dh_rec = vec![0.0; h];
        for t in (0..steps).rev() {
            let c = &cache[t];
            let hp: &[f64] = if t == 0 { &zero } else { &cache[t - 1].h };
            let input: &[f64] = if l == 0 {
                &tr.x[t * sh.input..(t + 1) * sh.input]
            } else {
                &tr.steps[l - 1][t].h
            };
            let mut dhp = vec![0.0; h];
            for j in 0..h {
                let dh = dh_above[t][j] + dh_rec[j];
                let (r, z, n) = (c.r[j], c.z[j], c.n[j]);
                let dn = dh * (1.0 - z);
                let dz = dh * (hp[j] - n);
                dhp[j] = dh * z;
                let dnp = dn * (1.0 - n * n);
                let dr = dnp * c.hn[j];
                let drp = dr * r * (1.0 - r);
                let dzp = dz * z * (1.0 - z);
                dgi[j] = drp;
                dgi[h + j] = dzp;
                dgi[2 * h + j] = dnp;
                dgh[j] = drp;
                dgh[h + j] = dzp;
                dgh[2 * h + j] = dnp * r;
            }
            for row in 0..3 * h {
                let (gi, gh) = (dgi[row], dgh[row]);
                grad[a.b_ih + row] += gi;
                grad[a.b_hh + row] += gh;
                let wi = a.w_ih + row * a.input;
                for (k, &v) in input.iter().enumerate() {
                    grad[wi + k] += gi * v;
                    dx[t][k] += p[wi + k] * gi;
                }
                let wh = a.w_hh + row * h;
                for k in 0..h {
                    grad[wh + k] += gh * hp[k];
                    dhp[k] += p[wh + k] * gh;
                }
            }
            dh_rec = dhp;
        }
        dh_above = dx;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Norm, Shape};
    use rand::Rng;
    use rand_chacha::rand_core::SeedableRng;

    fn sample(steps: usize, features: usize, y: Target, seed: u64) -> Sample {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        Sample {
            x: (0..steps * features)
                .map(|_| rng.gen_range(-2.0..2.0))
                .collect(),
            len: steps,
            y,
        }
    }

    /// Every partial derivative against the central difference, on two-layer models for
    /// classification and regression.
    #[test]
    fn gradients_match_finite_differences() {
        for (outputs, y) in [(3, Target::Class(1)), (1, Target::Value(0.7))] {
            let shape = Shape {
                input: 3,
                hidden: 4,
                layers: 2,
                outputs,
            };
            let mut g = Gru::new(shape, Norm::identity(3), 11);
            // Larger weights than the initialization, so every gate is off its linear region.
            for p in &mut g.params {
                *p *= 3.0;
            }
            let s = sample(5, 3, y, 5);
            let mut grad = vec![0.0; shape.params()];
            loss_grad(&g, &s, &mut grad);
            let eps = 1e-6;
            let mut worst: f64 = 0.0;
            for (i, &analytic) in grad.iter().enumerate() {
                let keep = g.params[i];
                g.params[i] = keep + eps;
                let up = loss(&g, &s);
                g.params[i] = keep - eps;
                let down = loss(&g, &s);
                g.params[i] = keep;
                let fd = (up - down) / (2.0 * eps);
                // Relative error, with a floor so that tiny partials are judged on absolute error
                // (the central difference itself is good to about 1e-9 here).
                let err = (fd - analytic).abs() / fd.abs().max(analytic.abs()).max(1e-3);
                worst = worst.max(err);
                assert!(
                    err < 1e-5,
                    "parameter {i}: analytic {analytic} vs numeric {fd}"
                );
            }
            assert!(worst > 0.0);
        }
    }

    #[test]
    fn cross_entropy_of_uniform_logits_is_log_k() {
        let mut d = vec![0.0; 4];
        let l = loss_of(&[2.0; 4], Target::Class(2), &mut d);
        assert!((l - 4f64.ln()).abs() < 1e-15);
        assert!((d[2] + 0.75).abs() < 1e-15 && (d[0] - 0.25).abs() < 1e-15);
    }
}
