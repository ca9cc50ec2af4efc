//! The integer GRU: every tensor held as signed codes q with v ≈ q · 2^-f (two's complement,
//! the genome's width N, saturating), integer-only arithmetic, and the gates' sigmoid and tanh
//! on lutforge LUT tables (`tables`). Bit-exact and deterministic; docs/gru.md states every
//! step, and `tests/int_reference.rs` checks it against an independent i128 reference.
//!
//! Scales are powers of two chosen by calibration (`calibration`): per weight tensor or row
//! from its values, per activation from the float model run on the training split.
//!
//! Every sum is exact: its terms (products of codes, and codes) are aligned to the finest of
//! their scales by left shifts, added in wide integers, then brought to the operator's format
//! by the unit's output step: round half up (add 2^(r−1), shift right arithmetically by r)
//! and saturate to N bits. 1 − z is exact: 2^f_z − q_z.

use crate::calibration::{quantize, weight_frac, Calibration, Ranges, WeightScales};
use crate::data::Sample;
use crate::genome::{Genome, LayerBits};
use crate::model::Gru;
use crate::tables::{Act, TableCache};
use lutforge_core::golden::{round_shift, saturate};
use lutforge_core::{Error, FixedFormat, Result, Rounding};
use lutforge_sim::gru::CellSpec;

/// The tensor and activation-format types are the cell's (lutforge-sim), so that a layer of
/// this model is what the hardware runs without a translation of its own.
pub use lutforge_sim::gru::{LayerFormats, QTensor};

pub use crate::layer::QLayer;

/// The operator's output step: from a sum at scale `from` to `to`.
pub fn requant(sum: i128, from: i32, to: FixedFormat) -> i64 {
    saturate(round_shift(sum, from - to.frac, Rounding::HalfUp), to.bits)
}

/// The codes of a weight matrix of `rows` rows (or a vector, `rows` = 1) at `bits`, scaled
/// per tensor or per row as `ranges` says.
fn tensor(vals: &[f64], rows: usize, bits: u32, how: Calibration, scales: WeightScales) -> QTensor {
    if scales == WeightScales::Tensor || rows <= 1 {
        let fmt = FixedFormat::new(bits, weight_frac(vals, bits, how));
        return QTensor {
            codes: vals.iter().map(|&v| quantize(v, fmt)).collect(),
            fmt,
            row_frac: Vec::new(),
        };
    }
    let cols = vals.len() / rows;
    let fr: Vec<i32> = vals
        .chunks(cols)
        .map(|r| weight_frac(r, bits, how))
        .collect();
    let codes = vals
        .chunks(cols)
        .zip(&fr)
        .flat_map(|(r, &f)| {
            r.iter()
                .map(move |&v| quantize(v, FixedFormat::new(bits, f)))
        })
        .collect();
    QTensor {
        codes,
        fmt: FixedFormat::new(bits, fr.iter().copied().max().unwrap_or(0)),
        row_frac: fr,
    }
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
    /// Each layer prepared for the fast step, when its sums fit 62 bits (`kernel`).
    kernels: Vec<Option<crate::kernel::LayerKernel>>,
}

/// One layer's weights and biases as codes.
#[derive(Clone, Debug)]
pub struct LayerWeights {
    pub w_i: [QTensor; 3],
    pub w_h: [QTensor; 3],
    /// b_ir + b_hr, b_iz + b_hz, b_in, b_hn.
    pub b: [QTensor; 4],
}

/// Every weight and bias of a model as codes.
#[derive(Clone, Debug)]
pub struct Weights {
    pub layers: Vec<LayerWeights>,
    pub w_o: QTensor,
    pub b_o: QTensor,
}

/// The weights and biases of `g` at the widths of `genome`, scaled as `how` and `scales` say:
/// the one definition of how they become codes (the integer model holds them; fine-tuning
/// trains through their real values).
pub fn weight_tensors(g: &Gru, genome: &Genome, how: Calibration, scales: WeightScales) -> Weights {
    let t = |vals: &[f64], rows: usize, bits: u32| tensor(vals, rows, bits, how, scales);
    let sh = g.shape;
    let h = sh.hidden;
    let p = &g.params;
    let layers = genome
        .layers
        .iter()
        .enumerate()
        .map(|(l, bits)| {
            let a = sh.layer_at(l);
            let wi = |gate: usize| &p[a.w_ih + gate * h * a.input..][..h * a.input];
            let wh = |gate: usize| &p[a.w_hh + gate * h * h..][..h * h];
            let bi = |gate: usize| &p[a.b_ih + gate * h..][..h];
            let bh = |gate: usize| &p[a.b_hh + gate * h..][..h];
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
            LayerWeights {
                w_i: [t(wi(0), h, w_ir), t(wi(1), h, w_iz), t(wi(2), h, w_in)],
                w_h: [t(wh(0), h, w_hr), t(wh(1), h, w_hz), t(wh(2), h, w_hn)],
                b: [
                    t(&sum(bi(0), bh(0)), 1, b),
                    t(&sum(bi(1), bh(1)), 1, b),
                    t(bi(2), 1, b),
                    t(bh(2), 1, b),
                ],
            }
        })
        .collect();
    let (hw, hb) = sh.head_at();
    let b_bits = genome.layers[sh.layers - 1].b;
    Weights {
        layers,
        w_o: t(&p[hw..hw + sh.outputs * h], sh.outputs, genome.w_o),
        b_o: t(&p[hb..hb + sh.outputs], 1, b_bits),
    }
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
        let x = ranges.x.format(genome.x);
        let w = weight_tensors(g, genome, ranges.calibration, ranges.weights);
        let mut layers: Vec<QLayer> = Vec::with_capacity(sh.layers);
        for ((bits, rg), lw) in genome.layers.iter().zip(&ranges.layers).zip(w.layers) {
            let input = layers.last().map_or(x, |prev: &QLayer| prev.fmt.h);
            let f = LayerFormats {
                a_r: rg.a_r.format(bits.a_r),
                a_z: rg.a_z.format(bits.a_z),
                a_n: rg.a_n.format(bits.a_n),
                hn: rg.hn.format(bits.hn),
                r: rg.r.format(bits.r),
                z: rg.z.format(bits.z),
                n: rg.n.format(bits.n),
                rhn: rg.rhn.format(bits.rhn),
                h: rg.h.format(bits.h),
                zh: rg.zh.format(bits.zh),
                zn: rg.zn.format(bits.zn),
            };
            // A sigmoid output is at most 1, so its scale is at least N − 2 ≥ 0.
            debug_assert!(f.z.frac >= 0 && f.r.frac >= 0);
            layers.push(QLayer {
                input,
                w_i: lw.w_i,
                w_h: lw.w_h,
                b: lw.b,
                sig_r: tables.get(Act::Sigmoid, f.a_r, f.r, genome.k_sigma)?,
                sig_z: tables.get(Act::Sigmoid, f.a_z, f.z, genome.k_sigma)?,
                tanh_n: tables.get(Act::Tanh, f.a_n, f.n, genome.k_tanh)?,
                fmt: f,
            });
        }
        let mut q = QuantGru {
            genome: genome.clone(),
            hidden: sh.hidden,
            inputs: sh.input,
            outputs: sh.outputs,
            x,
            layers,
            w_o: w.w_o,
            b_o: w.b_o,
            o: ranges.o.format(genome.o),
            norm: g.norm.clone(),
            kernels: Vec::new(),
        };
        q.kernels = (0..sh.layers).map(|l| q.kernel(l, None)).collect();
        Ok(q)
    }

    /// Layer `l` as a GRU cell (`cell::spec`).
    pub fn cell_spec(&self, l: usize) -> Result<CellSpec> {
        let layer = self.layers.get(l).ok_or_else(|| {
            Error::input(format!("layer {l} of a {}-layer model", self.layers.len()))
        })?;
        let inputs = if l == 0 { self.inputs } else { self.hidden };
        layer.cell_spec(inputs, self.hidden)
    }

    /// Layer `l`'s fast kernel (AVX2 as the processor has it, or as `avx2` says); `None` when
    /// its sums do not fit the kernel's widths.
    fn kernel(&self, l: usize, avx2: Option<bool>) -> Option<crate::kernel::LayerKernel> {
        let spec = self.cell_spec(l).ok()?;
        let layer = &self.layers[l];
        match avx2 {
            Some(a) => crate::kernel::LayerKernel::with(&spec, layer, a),
            None => crate::kernel::LayerKernel::new(&spec, layer),
        }
    }

    /// Rebuilds the kernels with AVX2 used only if `avx2`: the tests run both.
    #[cfg(test)]
    pub(crate) fn rebuild_kernels(&mut self, avx2: bool) {
        self.kernels = (0..self.layers.len())
            .map(|l| self.kernel(l, Some(avx2)))
            .collect();
    }

    /// The paths layer l's kernel takes, `None` without one.
    #[cfg(test)]
    pub(crate) fn kernel_paths(&self, l: usize) -> Option<(bool, bool, bool)> {
        self.kernels[l].as_ref().map(|k| k.paths())
    }

    /// Whether every layer runs the fast kernel (else the reference step).
    pub fn has_kernel(&self) -> bool {
        self.kernels.iter().all(Option::is_some)
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
            (acc as i128) << w.row_shift(row)
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
    /// output codes. Uses the fast kernel where every layer has one, the reference step
    /// otherwise; both compute the same codes.
    pub fn run(&self, s: &Sample, on_step: &mut dyn FnMut(usize, usize, &[i64])) -> Vec<i64> {
        if !self.has_kernel() {
            return self.run_reference(s, on_step);
        }
        let x = self.quantize_input(s);
        let width = crate::kernel::padded(self.inputs);
        let mut codes = vec![0i16; s.len * width];
        for (row, xs) in codes
            .chunks_exact_mut(width)
            .zip(x.chunks_exact(self.inputs))
        {
            for (a, &b) in row.iter_mut().zip(xs) {
                *a = b as i16;
            }
        }
        self.run_codes(&codes, s.len, on_step)
    }

    /// The head's output codes of every sequence of `inputs` (prepared with this model's
    /// normalization), in order.
    pub fn outputs(&self, inputs: &crate::inputs::Inputs) -> Result<Vec<Vec<i64>>> {
        use rayon::prelude::*;
        if inputs.norm != self.norm || inputs.features != self.inputs {
            return Err(Error::input(
                "the inputs were prepared for another model's normalization or width",
            ));
        }
        let codes = inputs.codes(self.x);
        let width = crate::kernel::padded(self.inputs);
        Ok((0..inputs.len())
            .into_par_iter()
            .with_min_len(16)
            .map(|i| {
                let seq = inputs.sequence(&codes, i);
                let len = inputs.lens[i];
                if self.has_kernel() {
                    self.run_codes(seq, len, &mut |_, _, _| {})
                } else {
                    let x: Vec<i64> = seq
                        .chunks_exact(width)
                        .flat_map(|r| r[..self.inputs].iter().map(|&c| i64::from(c)))
                        .collect();
                    self.run_reference_codes(&x, len, &mut |_, _, _| {})
                }
            })
            .collect())
    }

    /// [`QuantGru::run`] on input codes already quantized, each step padded to
    /// `kernel::padded(inputs)` codes; every layer must have its kernel.
    fn run_codes(
        &self,
        x: &[i16],
        len: usize,
        on_step: &mut dyn FnMut(usize, usize, &[i64]),
    ) -> Vec<i64> {
        let hd = self.hidden;
        let ph = crate::kernel::padded(hd);
        // Layer l's input sequence, then its output sequence: time-major codes, each step's
        // row padded to an even count with zeros.
        let mut width = crate::kernel::padded(self.inputs);
        let mut seq: Vec<i16> = x.to_vec();
        let mut out = vec![0i16; len * ph];
        let mut h64 = vec![0i64; hd];
        let mut scratch = crate::kernel::Scratch::new(hd);
        let zero = vec![0i16; ph];
        for (l, k) in self.kernels.iter().enumerate() {
            let k = k.as_ref().expect("run_codes needs every layer's kernel");
            for t in 0..len {
                let (done, rest) = out.split_at_mut(t * ph);
                let prev: &[i16] = if t == 0 { &zero } else { &done[(t - 1) * ph..] };
                k.step(
                    &self.layers[l],
                    &seq[t * width..(t + 1) * width],
                    prev,
                    &mut rest[..ph],
                    &mut scratch,
                );
                for (a, &b) in h64.iter_mut().zip(&rest[..hd]) {
                    *a = i64::from(b);
                }
                on_step(t, l, &h64);
            }
            std::mem::swap(&mut seq, &mut out);
            out.resize(len * ph, 0);
            width = ph;
        }
        let h: Vec<i64> = seq[(len - 1) * ph..][..hd]
            .iter()
            .map(|&c| i64::from(c))
            .collect();
        self.head(&h)
    }

    /// [`QuantGru::run`] by the reference step alone.
    pub fn run_reference(
        &self,
        s: &Sample,
        on_step: &mut dyn FnMut(usize, usize, &[i64]),
    ) -> Vec<i64> {
        self.run_reference_codes(&self.quantize_input(s), s.len, on_step)
    }

    fn run_reference_codes(
        &self,
        x: &[i64],
        len: usize,
        on_step: &mut dyn FnMut(usize, usize, &[i64]),
    ) -> Vec<i64> {
        let mut seq: Vec<Vec<i64>> = (0..len)
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
        self.head(&seq[len - 1])
    }

    /// The head's output codes on the last layer's final state.
    fn head(&self, h: &[i64]) -> Vec<i64> {
        let hf = self.layers[self.layers.len() - 1].fmt.h.frac;
        let sw = self.w_o.fmt.frac + hf;
        let sb = self.b_o.fmt.frac;
        let sc = sw.max(sb);
        (0..self.outputs)
            .map(|c| {
                let row = &self.w_o.codes[c * self.hidden..(c + 1) * self.hidden];
                let dot: i64 = row.iter().zip(h).map(|(a, b)| a * b).sum();
                let dot = (dot as i128) << self.w_o.row_shift(c);
                let v = (dot << (sc - sw)) + ((self.b_o.codes[c] as i128) << (sc - sb));
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
    fn requantization_rounds_half_up_and_saturates() {
        let f = FixedFormat::new(4, 0);
        assert_eq!(requant(5, 1, f), 3); // 2.5 → 3
        assert_eq!(requant(-5, 1, f), -2); // -2.5 → -2
        assert_eq!(requant(100, 0, f), 7);
        assert_eq!(requant(-100, 0, f), -8);
        assert_eq!(requant(3, -2, f), 7); // 12 saturates
    }
}

/// The fast kernel (`kernel`) against the reference step, through the model that builds it.
#[cfg(test)]
mod kernel_tests {
    use super::QuantGru;
    use crate::calibration::{Calibration, Ranges, WeightScales};
    use crate::data::{Sample, Target};
    use crate::genome::Genome;
    use crate::model::{Gru, Norm, Shape};
    use crate::tables::TableCache;
    use rand::Rng;
    use rand_chacha::rand_core::SeedableRng;

    /// The kernel's run equals the reference step's on random models, genomes (widths 2 to
    /// 16, so both product widths, both elementwise widths and the reference fallback occur)
    /// and inputs, with AVX2 where the processor has it and without.
    #[test]
    fn the_kernel_computes_the_reference_step() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let cache = TableCache::new();
        let mut seen = std::collections::BTreeMap::new();
        for case in 0..40 {
            let layers = 1 + case % 2;
            let shape = Shape {
                input: rng.gen_range(1..6),
                hidden: rng.gen_range(1..12),
                layers,
                outputs: rng.gen_range(1..4),
            };
            let mut g = Gru::new(shape, Norm::identity(shape.input), case as u64);
            for p in &mut g.params {
                *p *= rng.gen_range(0.5..4.0);
            }
            // Every tenth model at extreme scales: huge input weights of n and tiny W_hn and
            // b_hn (so r ⊙ hn has a fine scale the n sum aligns to), with huge inputs below.
            let extreme = case % 10 == 9;
            if extreme {
                let (h, a) = (shape.hidden, shape.layer_at(0));
                for p in &mut g.params[a.w_ih + 2 * h * a.input..a.w_ih + 3 * h * a.input] {
                    *p *= 1e7;
                }
                for p in &mut g.params[a.w_hh + 2 * h * h..a.w_hh + 3 * h * h] {
                    *p *= 1e-6;
                }
                g.params[a.b_hh + 2 * h..a.b_hh + 3 * h]
                    .iter_mut()
                    .for_each(|p| *p *= 1e-6);
            }
            let samples: Vec<Sample> = (0..4)
                .map(|_| {
                    let len = rng.gen_range(1..7);
                    Sample {
                        x: (0..len * shape.input)
                            .map(|_| rng.gen_range(-3.0..3.0) * if extreme { 1e7 } else { 1.0 })
                            .collect(),
                        len,
                        y: Target::Class(0),
                    }
                })
                .collect();
            // Both calibrations, and weights scaled per row in every third model.
            let how = if case % 2 == 0 {
                Calibration::Mse
            } else {
                Calibration::MaxAbs
            };
            let scales = if case % 3 == 0 {
                WeightScales::Row
            } else {
                WeightScales::Tensor
            };
            let ranges = Ranges::calibrate(&g, &samples, how, scales);
            // Wide genomes at a few segments: their tables (of up to 16-bit inputs) are the
            // slow part of this test.
            let (hi, k) = match case % 4 {
                0 => (16, 4),
                1 => (12, 4),
                _ => (8, 8),
            };
            // The tables' inputs (a_r, a_z, a_n) at most 10 bits: a table of 16-bit inputs
            // takes long to find, and the sums are wide without them.
            let genes: Vec<u32> = (0..Genome::len_for(layers) - 2)
                .map(|i| {
                    let table_input = i > 0 && (8..=10).contains(&((i - 1) % 18 + 1));
                    let top = if table_input { hi.min(10) } else { hi };
                    if extreme || case % 10 == 4 {
                        top
                    } else {
                        rng.gen_range(2..=top)
                    }
                })
                .chain([k, 4])
                .collect();
            let genome = Genome::from_genes(&genes, layers).unwrap();
            let mut q = QuantGru::new(&g, &ranges, &genome, &cache).unwrap();
            for avx2 in [false, crate::kernel::has_avx2()] {
                q.rebuild_kernels(avx2);
                for l in 0..layers {
                    let p = q.kernel_paths(l);
                    *seen.entry(p).or_insert(0) += 1;
                }
                for s in &samples {
                    let mut fast = Vec::new();
                    let out = q.run(s, &mut |t, l, h| fast.push((t, l, h.to_vec())));
                    let mut slow = Vec::new();
                    let want = q.run_reference(s, &mut |t, l, h| slow.push((t, l, h.to_vec())));
                    assert_eq!(fast, slow, "case {case}: {genome}");
                    assert_eq!(out, want, "case {case}");
                }
            }
        }
        // Every path ran: (i32 products, i32 elementwise stage) in each combination that
        // exists, and the reference fallback.
        for want in [
            Some((true, true)),
            Some((true, false)),
            Some((false, false)),
            None,
        ] {
            assert!(
                seen.keys().any(|p| p.map(|(a, b, _)| (a, b)) == want),
                "no layer took {want:?}: {seen:?}"
            );
        }
    }
}
