//! How real values become codes: the scale (a power of two, 2^-f) of every tensor and
//! activation of the integer GRU, at every width a genome may give it.
//!
//! Weights and biases are scaled by their own values; activations by the float model run over
//! (up to [`CALIBRATION_SEQUENCES`] of) the training split. Three rules choose f for a width N:
//! - `max`: the largest f at which the largest |v| fits N signed bits (nothing saturates);
//! - `percentile:P` (activations): the same for the P-th percentile of |v| (the rest
//!   saturate);
//! - `mse` (the default): among f_max … f_max + [`MSE_SEARCH`], the f whose rounding and
//!   saturation leave the least squared error over the values (for activations, a fixed sample
//!   of them): a finer scale saturates the rare large values and resolves the many small ones
//!   better, which at 2 to 4 bits decides the accuracy (docs/results.md measures it).
//!
//! Weights are scaled per tensor, or with [`WeightScales::Row`] per output row (each row its
//! own power of two, so that the hardware aligns a row's products with a shift).

use crate::data::Sample;
use crate::model::Gru;
use lutforge_core::{FixedFormat, Result};
use serde::{Deserialize, Serialize};

/// The range of calibrated scales: wide enough for any sane tensor, narrow enough that every
/// aligned sum fits 128 bits.
pub const FRAC_MIN: i32 = -8;
pub const FRAC_MAX: i32 = 24;

/// Most training sequences calibration runs (all of them when fewer).
pub const CALIBRATION_SEQUENCES: usize = 512;

/// Finer scales than the largest value allows that `mse` tries.
pub const MSE_SEARCH: i32 = 8;

/// Most values of one activation the `mse` rule weighs (an evenly spaced sample beyond).
pub const MSE_SAMPLE: usize = 20_000;

/// The widths a scale is chosen for (a gene's range).
const WIDTHS: std::ops::RangeInclusive<u32> = 2..=16;

/// How scales are chosen (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Calibration {
    #[serde(rename = "max")]
    MaxAbs,
    /// This percentile of |v| (e.g. 99.99) for the activations; weights by their maximum.
    Percentile(f64),
    /// Least squared error, weights and activations.
    Mse,
}

impl Calibration {
    /// Parses `max`, `mse` or `percentile:P` (P in (0, 100]).
    pub fn parse(s: &str) -> std::result::Result<Calibration, String> {
        match s {
            "max" => Ok(Calibration::MaxAbs),
            "mse" => Ok(Calibration::Mse),
            _ => match s.strip_prefix("percentile:").map(str::parse::<f64>) {
                Some(Ok(p)) if p > 0.0 && p <= 100.0 => Ok(Calibration::Percentile(p)),
                _ => Err(format!(
                    "'{s}': max, mse or percentile:P with P in (0, 100]"
                )),
            },
        }
    }
}

impl std::fmt::Display for Calibration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Calibration::MaxAbs => f.write_str("max"),
            Calibration::Mse => f.write_str("mse"),
            Calibration::Percentile(p) => write!(f, "percentile:{p}"),
        }
    }
}

/// How weight matrices are scaled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeightScales {
    /// One scale per matrix.
    #[default]
    Tensor,
    /// One scale per output row.
    Row,
}

impl WeightScales {
    pub fn parse(s: &str) -> std::result::Result<WeightScales, String> {
        match s {
            "tensor" => Ok(WeightScales::Tensor),
            "row" => Ok(WeightScales::Row),
            _ => Err(format!("'{s}': tensor or row")),
        }
    }
}

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

/// Round to nearest (ties away from zero) and saturate: how real values become codes.
pub fn quantize(v: f64, f: FixedFormat) -> i64 {
    let top = lutforge_core::format::max_code(f.bits) as f64;
    let c = (v * 2f64.powi(f.frac)).round();
    c.clamp(-top - 1.0, top) as i64
}

/// The scale of least squared error for `vals` at `bits`, from the maximum's scale up to
/// [`MSE_SEARCH`] finer (the first of equal errors: the coarser scale).
pub fn mse_frac(vals: &[f64], bits: u32) -> i32 {
    let m = vals.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let f0 = frac_for(m, bits);
    let sse = |f: i32| -> f64 {
        let fmt = FixedFormat::new(bits, f);
        vals.iter()
            .map(|&v| (v - fmt.value(quantize(v, fmt))).powi(2))
            .sum()
    };
    let mut best = (sse(f0), f0);
    for f in f0 + 1..=(f0 + MSE_SEARCH).min(FRAC_MAX) {
        let e = sse(f);
        if e < best.0 {
            best = (e, f);
        }
    }
    best.1
}

/// The scale of a weight tensor (or row) under `how`.
pub fn weight_frac(vals: &[f64], bits: u32, how: Calibration) -> i32 {
    match how {
        Calibration::Mse => mse_frac(vals, bits),
        Calibration::MaxAbs | Calibration::Percentile(_) => {
            frac_for(vals.iter().fold(0.0f64, |a, v| a.max(v.abs())), bits)
        }
    }
}

/// One activation's calibration: the value its scale covers (the maximum or the percentile of
/// |v|) and, under `mse`, the chosen scale at every width (index = width).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub max: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frac_by_bits: Vec<i32>,
}

impl Range {
    /// The format of this activation at `bits`.
    pub fn format(&self, bits: u32) -> FixedFormat {
        match self.frac_by_bits.get(bits as usize) {
            Some(&f) => FixedFormat::new(bits, f),
            None => FixedFormat::new(bits, frac_for(self.max, bits)),
        }
    }

    fn of(vals: &mut [f64], how: Calibration) -> Range {
        if vals.is_empty() {
            return Range::default();
        }
        let max = vals.iter().cloned().fold(0.0, f64::max);
        match how {
            Calibration::MaxAbs => Range {
                max,
                frac_by_bits: Vec::new(),
            },
            Calibration::Percentile(p) => {
                let k =
                    (((p / 100.0) * (vals.len() - 1) as f64).round() as usize).min(vals.len() - 1);
                let (_, x, _) = vals.select_nth_unstable_by(k, f64::total_cmp);
                Range {
                    max: *x,
                    frac_by_bits: Vec::new(),
                }
            }
            Calibration::Mse => {
                let step = vals.len().div_ceil(MSE_SAMPLE).max(1);
                let sample: Vec<f64> = vals.iter().step_by(step).copied().collect();
                let mut fracs = vec![0; *WIDTHS.end() as usize + 1];
                for b in WIDTHS {
                    fracs[b as usize] = mse_frac(&sample, b);
                }
                Range {
                    max,
                    frac_by_bits: fracs,
                }
            }
        }
    }
}

/// The calibration of one layer's activations.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerRanges {
    pub a_r: Range,
    pub a_z: Range,
    pub a_n: Range,
    pub hn: Range,
    pub r: Range,
    pub z: Range,
    pub n: Range,
    pub rhn: Range,
    pub h: Range,
    pub zh: Range,
    pub zn: Range,
}

/// The calibration of a model: every activation's range, and how the weights are scaled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ranges {
    pub x: Range,
    pub layers: Vec<LayerRanges>,
    pub o: Range,
    pub calibration: Calibration,
    #[serde(default)]
    pub weights: WeightScales,
    pub sequences: usize,
}

impl Ranges {
    /// Runs the float model over (up to [`CALIBRATION_SEQUENCES`] of) `samples`.
    pub fn calibrate(
        g: &Gru,
        samples: &[Sample],
        how: Calibration,
        weights: WeightScales,
    ) -> Ranges {
        let n = samples.len().min(CALIBRATION_SEQUENCES);
        let l = g.shape.layers;
        // Per activation, every |value| seen.
        let mut vals: Vec<[Vec<f64>; 11]> = (0..l).map(|_| Default::default()).collect();
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
        let layers = vals
            .iter_mut()
            .map(|[a_r, a_z, a_n, hn, r, z, n, rhn, h, zh, zn]| LayerRanges {
                a_r: Range::of(a_r, how),
                a_z: Range::of(a_z, how),
                a_n: Range::of(a_n, how),
                hn: Range::of(hn, how),
                r: Range::of(r, how),
                z: Range::of(z, how),
                n: Range::of(n, how),
                rhn: Range::of(rhn, how),
                h: Range::of(h, how),
                zh: Range::of(zh, how),
                zn: Range::of(zn, how),
            })
            .collect();
        Ranges {
            x: Range::of(&mut xs, how),
            layers,
            o: Range::of(&mut os, how),
            calibration: how,
            weights,
            sequences: n,
        }
    }

    /// Ranges of every activation equal to `max` (no data seen): for tests and for models
    /// whose activations are bounded by construction.
    pub fn uniform(layers: usize, max: f64) -> Ranges {
        let r = Range {
            max,
            frac_by_bits: Vec::new(),
        };
        let lr = LayerRanges {
            a_r: r.clone(),
            a_z: r.clone(),
            a_n: r.clone(),
            hn: r.clone(),
            r: r.clone(),
            z: r.clone(),
            n: r.clone(),
            rhn: r.clone(),
            h: r.clone(),
            zh: r.clone(),
            zn: r.clone(),
        };
        Ranges {
            x: r.clone(),
            layers: vec![lr; layers],
            o: r,
            calibration: Calibration::MaxAbs,
            weights: WeightScales::Tensor,
            sequences: 0,
        }
    }

    /// Checks that these ranges belong to a model of `layers` layers.
    pub fn check(&self, layers: usize) -> Result<()> {
        if self.layers.len() != layers {
            return Err(lutforge_core::Error::input(format!(
                "calibration ranges of {} layers for a {layers}-layer model",
                self.layers.len()
            )));
        }
        Ok(())
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
        assert_eq!(quantize(-0.5, FixedFormat::new(8, 0)), -1); // ties away from zero
        assert_eq!(quantize(1e9, FixedFormat::new(8, 0)), 127);
        assert_eq!(quantize(-1e9, FixedFormat::new(8, 0)), -128);
    }

    /// Many small values and one outlier: at 3 bits the maximum's scale (f = 0: codes of 1)
    /// rounds every small value to 0 or 1; the least-squares scale saturates the outlier and
    /// resolves the rest. By hand: values 0.25 × 99 and 3.0; f = 0 errs 99 · 0.25² = 6.19,
    /// f = 2 (codes of 1/4, at most 3/4) errs (3 − 0.75)² = 5.06, f = 1 errs 99·0.25² +
    /// (3 − 1.5)² = 8.44, f = 3 errs (3 − 0.375)² = 6.89.
    #[test]
    fn least_squares_saturates_an_outlier_to_resolve_the_rest() {
        let mut v = vec![0.25; 99];
        v.push(3.0);
        assert_eq!(frac_for(3.0, 3), 0);
        assert_eq!(mse_frac(&v, 3), 2);
        // Without outliers the maximum's scale is the best.
        assert_eq!(mse_frac(&[0.25, 0.5, 0.75], 3), 2);
        let r = Range::of(&mut v.clone(), Calibration::Mse);
        assert_eq!(r.format(3), FixedFormat::new(3, 2));
        assert_eq!(
            Range::of(&mut v, Calibration::MaxAbs).format(3),
            FixedFormat::new(3, 0)
        );
    }

    #[test]
    fn calibration_names_parse() {
        assert_eq!(Calibration::parse("mse"), Ok(Calibration::Mse));
        assert_eq!(
            Calibration::parse("percentile:99.9"),
            Ok(Calibration::Percentile(99.9))
        );
        assert!(Calibration::parse("percentile:0").is_err());
        assert_eq!(Calibration::Percentile(99.9).to_string(), "percentile:99.9");
        assert_eq!(WeightScales::parse("row"), Ok(WeightScales::Row));
    }
}
