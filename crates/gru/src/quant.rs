//! The integer GRU: every tensor held as signed codes q with v ≈ q · 2^-f (two's complement,
//! the genome's width N, saturating), integer-only arithmetic, and the gates' sigmoid and tanh
//! on lutforge LUT tables (`tables`). Bit-exact and deterministic; docs/gru.md states every
//! step, and `tests/int_reference.rs` checks it against an independent i128 reference.
//!
//! Scales are powers of two chosen by calibration: the largest f in [`FRAC_MIN`, `FRAC_MAX`]
//! with max|v| · 2^f ≤ 2^(N−1) − 1, max|v| taken over the float model run on the training split
//! (weights and biases: over the tensor itself).
//!
//! Every sum is exact: its terms (products of codes, and codes) are aligned to the finest of
//! their scales by left shifts, added in wide integers, then brought to the operator's format
//! by the unit's output step: round half up (add 2^(r−1), shift right arithmetically by r)
//! and saturate to N bits. 1 − z is exact: 2^f_z − q_z.

use crate::data::Sample;
use crate::genome::{Genome, LayerBits};
use crate::model::Gru;
use crate::tables::{Act, Lut, TableCache};
use lutforge_core::golden::{round_shift, saturate};
use lutforge_core::{Error, FixedFormat, Result, Rounding};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The tensor and activation-format types are the cell's (lutforge-sim), so that a layer of
/// this model is what the hardware runs without a translation of its own.
pub use lutforge_sim::gru::{LayerFormats, QTensor};

/// The range of calibrated scales: wide enough for any sane tensor, narrow enough that every
/// aligned sum fits 128 bits.
pub const FRAC_MIN: i32 = -8;
pub const FRAC_MAX: i32 = 24;

/// Most training sequences calibration runs (all of them when fewer).
pub const CALIBRATION_SEQUENCES: usize = 512;

/// The largest scale at which `max_abs` fits `bits` signed bits.
pub fn frac_for(max_abs: f64, bits: u32) -> i32 {
    let top = lutforge_core::format::max_code(bits) as f64;
    // Zero (an all-zero tensor) or NaN: any scale holds it.
    if max_abs.is_nan() || max_abs <= 0.0 {
        return (bits as i32 - 1).clamp(FRAC_MIN, FRAC_MAX);
    }
    let mut f = FRAC_MAX;
    while f > FRAC_MIN && max_abs * 2f64.powi(f) > top {
        f -= 1;
    }
    f
}

/// Round to nearest (ties away from zero) and saturate: how float values become codes.
pub fn quantize(v: f64, f: FixedFormat) -> i64 {
    saturate((v * 2f64.powi(f.frac)).round() as i128, f.bits)
}

/// The operator's output step: from a sum at scale `from` to `to`.
pub fn requant(sum: i128, from: i32, to: FixedFormat) -> i64 {
    saturate(round_shift(sum, from - to.frac, Rounding::HalfUp), to.bits)
}

/// Max-abs ranges of one layer's activations, from calibration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerRanges {
    pub a_r: f64,
    pub a_z: f64,
    pub a_n: f64,
    pub hn: f64,
    pub r: f64,
    pub z: f64,
    pub n: f64,
    pub rhn: f64,
    pub h: f64,
    pub zh: f64,
    pub zn: f64,
}

/// How the activation ranges are taken.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Calibration {
    MaxAbs,
    /// This percentile of |v| (e.g. 99.99): outliers saturate instead of costing resolution.
    Percentile(f64),
}

/// The calibrated ranges of every activation of a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ranges {
    pub x: f64,
    pub layers: Vec<LayerRanges>,
    pub o: f64,
    pub calibration: Calibration,
    pub sequences: usize,
}

impl Ranges {
    /// Runs the float model over (up to [`CALIBRATION_SEQUENCES`] of) `samples`.
    pub fn calibrate(g: &Gru, samples: &[Sample], how: Calibration) -> Ranges {
        let n = samples.len().min(CALIBRATION_SEQUENCES);
        let l = g.shape.layers;
        // Per activation, every |value| seen (for the percentile) or the running maximum.
        let names = 11;
        let mut vals: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); names]; l];
        let mut xs = Vec::new();
        let mut os = Vec::new();
        let hdim = g.shape.hidden;
        for s in &samples[..n] {
            let tr = g.trace(s);
            xs.extend(tr.x.iter().map(|v| v.abs()));
            os.extend(tr.out.iter().map(|v| v.abs()));
            for (li, steps) in tr.steps.iter().enumerate() {
                let zero = vec![0.0; hdim];
                for (t, c) in steps.iter().enumerate() {
                    let hp = if t == 0 { &zero } else { &steps[t - 1].h };
                    let v = &mut vals[li];
                    for (j, &hpj) in hp.iter().enumerate() {
                        let (r, z, n) = (c.r[j], c.z[j], c.n[j]);
                        for (k, x) in [
                            c.a[j],
                            c.a[hdim + j],
                            c.a[2 * hdim + j],
                            c.hn[j],
                            r,
                            z,
                            n,
                            r * c.hn[j],
                            c.h[j],
                            z * hpj,
                            (1.0 - z) * n,
                        ]
                        .into_iter()
                        .enumerate()
                        {
                            v[k].push(x.abs());
                        }
                    }
                }
            }
        }
        let pick = |v: &mut Vec<f64>| -> f64 {
            if v.is_empty() {
                return 0.0;
            }
            match how {
                Calibration::MaxAbs => v.iter().cloned().fold(0.0, f64::max),
                Calibration::Percentile(p) => {
                    let k =
                        (((p / 100.0) * (v.len() - 1) as f64).round() as usize).min(v.len() - 1);
                    let (_, x, _) = v.select_nth_unstable_by(k, f64::total_cmp);
                    *x
                }
            }
        };
        let layers = vals
            .iter_mut()
            .map(|v| LayerRanges {
                a_r: pick(&mut v[0]),
                a_z: pick(&mut v[1]),
                a_n: pick(&mut v[2]),
                hn: pick(&mut v[3]),
                r: pick(&mut v[4]),
                z: pick(&mut v[5]),
                n: pick(&mut v[6]),
                rhn: pick(&mut v[7]),
                h: pick(&mut v[8]),
                zh: pick(&mut v[9]),
                zn: pick(&mut v[10]),
            })
            .collect();
        Ranges {
            x: pick(&mut xs),
            layers,
            o: pick(&mut os),
            calibration: how,
            sequences: n,
        }
    }
}

/// The codes of `vals` at the finest scale at which their largest magnitude fits `bits`.
fn tensor(vals: &[f64], bits: u32) -> QTensor {
    let m = vals.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let fmt = FixedFormat::new(bits, frac_for(m, bits));
    QTensor {
        codes: vals.iter().map(|&v| quantize(v, fmt)).collect(),
        fmt,
    }
}

/// One quantized layer.
#[derive(Clone, Debug)]
pub struct QLayer {
    /// Input codes' format (the model input, or the layer below's h).
    pub input: FixedFormat,
    /// Gate weights r, z, n: (H × input) and (H × H), row-major.
    pub w_i: [QTensor; 3],
    pub w_h: [QTensor; 3],
    /// b_ir + b_hr, b_iz + b_hz, b_in, b_hn.
    pub b: [QTensor; 4],
    pub fmt: LayerFormats,
    pub sig_r: Arc<Lut>,
    pub sig_z: Arc<Lut>,
    pub tanh_n: Arc<Lut>,
}

/// The integer model of a genome.
#[derive(Clone, Debug)]
pub struct QuantGru {
    pub genome: Genome,
    pub hidden: usize,
    pub inputs: usize,
    pub outputs: usize,
    pub x: FixedFormat,
    pub layers: Vec<QLayer>,
    pub w_o: QTensor,
    pub b_o: QTensor,
    pub o: FixedFormat,
    /// The float model's normalization, applied before the input is quantized.
    pub norm: crate::model::Norm,
}

fn fmt(max_abs: f64, bits: u32) -> FixedFormat {
    FixedFormat::new(bits, frac_for(max_abs, bits))
}

impl QuantGru {
    /// Quantizes `g` as `genome` says, with activation formats from `ranges`.
    pub fn new(g: &Gru, ranges: &Ranges, genome: &Genome, tables: &TableCache) -> Result<QuantGru> {
        let sh = g.shape;
        if genome.layers.len() != sh.layers || ranges.layers.len() != sh.layers {
            return Err(Error::input(format!(
                "a genome of {} layers for a {}-layer model",
                genome.layers.len(),
                sh.layers
            )));
        }
        let h = sh.hidden;
        let p = &g.params;
        let x = fmt(ranges.x, genome.x);
        let mut layers: Vec<QLayer> = Vec::with_capacity(sh.layers);
        for (l, (bits, rg)) in genome.layers.iter().zip(&ranges.layers).enumerate() {
            let a = sh.layer_at(l);
            let input = if l == 0 { x } else { layers[l - 1].fmt.h };
            let wi =
                |gate: usize| &p[a.w_ih + gate * h * a.input..a.w_ih + (gate + 1) * h * a.input];
            let wh = |gate: usize| &p[a.w_hh + gate * h * h..a.w_hh + (gate + 1) * h * h];
            let bi = |gate: usize| &p[a.b_ih + gate * h..a.b_ih + (gate + 1) * h];
            let bh = |gate: usize| &p[a.b_hh + gate * h..a.b_hh + (gate + 1) * h];
            let sum = |u: &[f64], v: &[f64]| -> Vec<f64> {
                u.iter().zip(v).map(|(a, b)| a + b).collect()
            };
            let LayerBits {
                w_ir,
                w_iz,
                w_in,
                w_hr,
                w_hz,
                w_hn,
                b,
                ..
            } = *bits;
            let f = LayerFormats {
                a_r: fmt(rg.a_r, bits.a_r),
                a_z: fmt(rg.a_z, bits.a_z),
                a_n: fmt(rg.a_n, bits.a_n),
                hn: fmt(rg.hn, bits.hn),
                r: fmt(rg.r, bits.r),
                z: fmt(rg.z, bits.z),
                n: fmt(rg.n, bits.n),
                rhn: fmt(rg.rhn, bits.rhn),
                h: fmt(rg.h, bits.h),
                zh: fmt(rg.zh, bits.zh),
                zn: fmt(rg.zn, bits.zn),
            };
            // A sigmoid output is at most 1, so its scale is at least N − 2 ≥ 0.
            debug_assert!(f.z.frac >= 0 && f.r.frac >= 0);
            layers.push(QLayer {
                input,
                w_i: [
                    tensor(wi(0), w_ir),
                    tensor(wi(1), w_iz),
                    tensor(wi(2), w_in),
                ],
                w_h: [
                    tensor(wh(0), w_hr),
                    tensor(wh(1), w_hz),
                    tensor(wh(2), w_hn),
                ],
                b: [
                    tensor(&sum(bi(0), bh(0)), b),
                    tensor(&sum(bi(1), bh(1)), b),
                    tensor(bi(2), b),
                    tensor(bh(2), b),
                ],
                sig_r: tables.get(Act::Sigmoid, f.a_r, f.r, genome.k_sigma)?,
                sig_z: tables.get(Act::Sigmoid, f.a_z, f.z, genome.k_sigma)?,
                tanh_n: tables.get(Act::Tanh, f.a_n, f.n, genome.k_tanh)?,
                fmt: f,
            });
        }
        let (hw, hb) = sh.head_at();
        let b_bits = genome.layers[sh.layers - 1].b;
        Ok(QuantGru {
            genome: genome.clone(),
            hidden: h,
            inputs: sh.input,
            outputs: sh.outputs,
            x,
            layers,
            w_o: tensor(&p[hw..hw + sh.outputs * h], genome.w_o),
            b_o: tensor(&p[hb..hb + sh.outputs], b_bits),
            o: fmt(ranges.o, genome.o),
            norm: g.norm.clone(),
        })
    }

    /// The input codes of a sequence, time-major.
    pub fn quantize_input(&self, s: &Sample) -> Vec<i64> {
        let mut x = Vec::new();
        self.norm.apply(&s.x, &mut x);
        x.iter().map(|&v| quantize(v, self.x)).collect()
    }

    /// One layer's step on integer codes: `input` at the layer's input format, `h` at its h
    /// format; returns h_t.
    pub fn step(&self, l: usize, input: &[i64], h: &[i64]) -> Vec<i64> {
        let q = &self.layers[l];
        let f = &q.fmt;
        let hd = self.hidden;
        let ni = input.len();
        let dot = |w: &QTensor, row: usize, v: &[i64], cols: usize| -> i128 {
            let r = &w.codes[row * cols..(row + 1) * cols];
            let mut acc = 0i64;
            for k in 0..cols {
                acc += r[k] * v[k];
            }
            acc as i128
        };
        let mut out = vec![0i64; hd];
        for j in 0..hd {
            // A sum of terms (value, scale), aligned to the finest scale.
            let gate = |g: usize| -> (i128, i32) {
                let si = q.w_i[g].fmt.frac + q.input.frac;
                let sh = q.w_h[g].fmt.frac + f.h.frac;
                let sb = q.b[g].fmt.frac;
                let s = si.max(sh).max(sb);
                let v = (dot(&q.w_i[g], j, input, ni) << (s - si))
                    + (dot(&q.w_h[g], j, h, hd) << (s - sh))
                    + ((q.b[g].codes[j] as i128) << (s - sb));
                (v, s)
            };
            let (sr, fr) = gate(0);
            let r = q.sig_r.eval(requant(sr, fr, f.a_r));
            let (sz, fz) = gate(1);
            let z = q.sig_z.eval(requant(sz, fz, f.a_z));
            // hn = W_hn h + b_hn.
            let s1 = q.w_h[2].fmt.frac + f.h.frac;
            let s2 = q.b[3].fmt.frac;
            let s = s1.max(s2);
            let hn_sum =
                (dot(&q.w_h[2], j, h, hd) << (s - s1)) + ((q.b[3].codes[j] as i128) << (s - s2));
            let hn = requant(hn_sum, s, f.hn);
            let rhn = requant(r as i128 * hn as i128, f.r.frac + f.hn.frac, f.rhn);
            // a_n = W_in x + b_in + rhn.
            let t1 = q.w_i[2].fmt.frac + q.input.frac;
            let t2 = q.b[2].fmt.frac;
            let t3 = f.rhn.frac;
            let t = t1.max(t2).max(t3);
            let an_sum = (dot(&q.w_i[2], j, input, ni) << (t - t1))
                + ((q.b[2].codes[j] as i128) << (t - t2))
                + ((rhn as i128) << (t - t3));
            let n = q.tanh_n.eval(requant(an_sum, t, f.a_n));
            let zh = requant(z as i128 * h[j] as i128, f.z.frac + f.h.frac, f.zh);
            // f_z ≥ 0 always (z ≤ 1, see `new`), so 1 is the code 2^f_z.
            let one_minus_z = (1i128 << f.z.frac) - z as i128;
            let zn = requant(one_minus_z * n as i128, f.z.frac + f.n.frac, f.zn);
            let u1 = f.zn.frac;
            let u2 = f.zh.frac;
            let u = u1.max(u2);
            let hsum = ((zn as i128) << (u - u1)) + ((zh as i128) << (u - u2));
            out[j] = requant(hsum, u, f.h);
        }
        out
    }

    /// Runs a sequence; `on_step(t, layer, h_t)` sees every hidden state. Returns the head's
    /// output codes.
    pub fn run(&self, s: &Sample, on_step: &mut dyn FnMut(usize, usize, &[i64])) -> Vec<i64> {
        let x = self.quantize_input(s);
        let mut seq: Vec<Vec<i64>> = (0..s.len)
            .map(|t| x[t * self.inputs..(t + 1) * self.inputs].to_vec())
            .collect();
        for l in 0..self.layers.len() {
            let mut h = vec![0i64; self.hidden];
            for (t, input) in seq.iter_mut().enumerate() {
                h = self.step(l, input, &h);
                on_step(t, l, &h);
                *input = h.clone();
            }
        }
        let h = &seq[s.len - 1];
        let hf = self.layers[self.layers.len() - 1].fmt.h.frac;
        let sw = self.w_o.fmt.frac + hf;
        let sb = self.b_o.fmt.frac;
        let sc = sw.max(sb);
        (0..self.outputs)
            .map(|c| {
                let row = &self.w_o.codes[c * self.hidden..(c + 1) * self.hidden];
                let dot: i64 = row.iter().zip(h).map(|(a, b)| a * b).sum();
                let v = ((dot as i128) << (sc - sw)) + ((self.b_o.codes[c] as i128) << (sc - sb));
                requant(v, sc, self.o)
            })
            .collect()
    }

    /// The head's outputs in real units.
    pub fn forward(&self, s: &Sample) -> Vec<f64> {
        self.run(s, &mut |_, _, _| {})
            .iter()
            .map(|&c| self.o.value(c))
            .collect()
    }

    /// Bits of every stored weight and bias (the size objective).
    pub fn size_bits(&self) -> u64 {
        let t = |q: &QTensor| q.codes.len() as u64 * q.fmt.bits as u64;
        let mut s = t(&self.w_o) + t(&self.b_o);
        for l in &self.layers {
            s += l.w_i.iter().chain(&l.w_h).chain(&l.b).map(t).sum::<u64>();
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_fit_the_range() {
        assert_eq!(frac_for(1.0, 8), 6); // 127/64 ≥ 1 > 127/128
        assert_eq!(frac_for(0.99, 8), 7);
        assert_eq!(frac_for(3.0, 4), 1); // 7/2 ≥ 3
        assert_eq!(frac_for(1e9, 8), FRAC_MIN);
        assert_eq!(frac_for(0.0, 8), 7);
        assert_eq!(frac_for(1e-12, 8), FRAC_MAX);
    }

    #[test]
    fn requantization_rounds_half_up_and_saturates() {
        let f = FixedFormat::new(4, 0);
        assert_eq!(requant(5, 1, f), 3); // 2.5 → 3
        assert_eq!(requant(-5, 1, f), -2); // -2.5 → -2
        assert_eq!(requant(100, 0, f), 7);
        assert_eq!(requant(-100, 0, f), -8);
        assert_eq!(requant(3, -2, f), 7); // 12 saturates
        assert_eq!(quantize(-0.5, FixedFormat::new(8, 0)), -1); // ties away from zero
    }
}
