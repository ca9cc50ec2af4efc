//! Error metrics of a table against the true function (design brief, section 3).

use crate::format::{pow2, FixedFormat};
use crate::fp32::{self, Fp32Params};
use crate::function::Function;
use crate::golden::{self, Datapath, IntParams};
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;

/// Step of the reference's own evaluation grid (`np.arange(lo, hi, 0.01)`).
pub const GRID_STEP: f64 = 0.01;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    /// Mean squared error of the hardware output (real units), output rounding included.
    pub mse: f64,
    pub max_abs_err: f64,
    /// `max_abs_err` in output LSBs.
    pub max_err_lsb: f64,
    /// Mean squared error of the wide sum, before output rounding: comparable with GQA-LUT's MSE.
    pub pwl_mse: f64,
    /// The reference's measure: the real-valued PWL on `numpy.arange(lo, hi, 0.01)`; absent
    /// when that grid would exceed [`MAX_GRID_POINTS`].
    #[serde(default)]
    pub grid_mse: Option<f64>,
    /// Number of input codes in the evaluation set.
    pub codes: usize,
}

/// Input codes of `input` (N_x bits, F_x) whose value lies in [lo, hi]; may be empty.
pub fn eval_codes(input: FixedFormat, domain: (f64, f64)) -> RangeInclusive<i64> {
    let scale = pow2(input.frac);
    let lo = (domain.0 * scale).ceil().max(input.min_code() as f64) as i64;
    let hi = (domain.1 * scale).floor().min(input.max_code() as f64) as i64;
    lo..=hi
}

/// Most points of the reference grid lutforge evaluates: 10^7 points cover a domain 100 000
/// wide. Beyond it `grid_mse` is not computed (a domain that wide is no activation's).
pub const MAX_GRID_POINTS: usize = 10_000_000;

/// Number of points of `numpy.arange(lo, hi, 0.01)`: ceil((hi − lo) / 0.01).
pub fn grid_len(domain: (f64, f64)) -> f64 {
    ((domain.1 - domain.0) / GRID_STEP).ceil().max(0.0)
}

/// The grid of the reference, value for value as `numpy.arange(lo, hi, 0.01)` computes it:
/// lo, then lo + 0.01, then lo + i·d with d = (lo + 0.01) − lo (numpy's fill step, which
/// differs from 0.01 in its last bits). `None` beyond [`MAX_GRID_POINTS`].
pub fn grid(domain: (f64, f64)) -> Option<impl Iterator<Item = f64>> {
    let n = grid_len(domain);
    if n > MAX_GRID_POINTS as f64 {
        return None;
    }
    let lo = domain.0;
    let second = lo + GRID_STEP;
    let d = second - lo;
    Some((0..n as usize).map(move |i| match i {
        0 => lo,
        1 => second,
        _ => lo + i as f64 * d,
    }))
}

/// Accumulates squared and absolute errors.
#[derive(Default)]
struct Acc {
    n: usize,
    sq: f64,
    max_abs: f64,
}

impl Acc {
    fn add(&mut self, err: f64) {
        self.n += 1;
        self.sq += err * err;
        self.max_abs = self.max_abs.max(err.abs());
    }

    fn mean(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sq / self.n as f64
        }
    }
}

/// Metrics of an integer table at one scale.
pub fn int_metrics(f: &Function, domain: (f64, f64), dp: &Datapath, p: &IntParams) -> Metrics {
    int_metrics_with(f, domain, dp, p, &mut |_, _| {})
}

/// Codes evaluated between two progress reports.
const CHUNK: i64 = 1 << 16;

/// [`int_metrics`], reporting (codes done, codes in all) as it goes: a 32-bit input has
/// billions of codes.
pub fn int_metrics_with(
    f: &Function,
    domain: (f64, f64),
    dp: &Datapath,
    p: &IntParams,
    progress: &mut dyn FnMut(u64, u64),
) -> Metrics {
    let (xs, ys, ss) = (
        pow2(-dp.input.frac),
        pow2(-dp.output.frac),
        pow2(-dp.product_frac()),
    );
    let mut hw = Acc::default();
    let mut pwl = Acc::default();
    // In chunks, so a 32-bit input's evaluation set does not need gigabytes.
    let codes = eval_codes(dp.input, domain);
    let total = code_count(&codes);
    let mut samples = Vec::with_capacity(CHUNK as usize);
    let mut lo = *codes.start();
    while lo <= *codes.end() {
        progress((lo - codes.start()) as u64, total);
        let hi = lo.saturating_add(CHUNK - 1).min(*codes.end());
        golden::eval_range(dp, p, lo..=hi, &mut samples);
        for s in &samples {
            let t = f.eval(s.x as f64 * xs);
            hw.add(s.y as f64 * ys - t);
            pwl.add(s.sum as f64 * ss - t);
        }
        lo = hi + 1;
    }
    progress(total, total);
    let (bx, bk, bb) = (
        pow2(-dp.input.frac),
        pow2(-dp.slope.frac),
        pow2(-dp.intercept.frac),
    );
    // The reference's 0.01 grid is in real units; a quantized table's domain is in codes,
    // where the measure means nothing.
    let grid_mse = grid(domain).filter(|_| f.quantized().is_none()).map(|xs| {
        let mut g = Acc::default();
        for x in xs {
            let s = p
                .breakpoints
                .iter()
                .filter(|&&b| x >= b as f64 * bx)
                .count();
            g.add(p.slopes[s] as f64 * bk * x + p.intercepts[s] as f64 * bb - f.eval(x));
        }
        g.mean()
    });
    Metrics {
        mse: hw.mean(),
        max_abs_err: hw.max_abs,
        max_err_lsb: hw.max_abs * pow2(dp.output.frac),
        pwl_mse: pwl.mean(),
        grid_mse,
        codes: hw.n,
    }
}

/// Number of codes in a range (0 when empty).
pub fn code_count(codes: &RangeInclusive<i64>) -> u64 {
    if codes.is_empty() {
        0
    } else {
        (codes.end() - codes.start()) as u64 + 1
    }
}

/// Metrics of an FP32 table over the same input codes; LSBs are those of `output`, so the
/// figure is comparable with the integer unit it replaces. `pwl_mse` equals `mse` here:
/// the FP32 unit has no separate output rounding.
pub fn fp32_metrics(
    f: &Function,
    domain: (f64, f64),
    input: FixedFormat,
    output: FixedFormat,
    p: &Fp32Params,
) -> Metrics {
    fp32_metrics_with(f, domain, input, output, p, &mut |_, _| {})
}

/// [`fp32_metrics`] with progress reports, as [`int_metrics_with`].
pub fn fp32_metrics_with(
    f: &Function,
    domain: (f64, f64),
    input: FixedFormat,
    output: FixedFormat,
    p: &Fp32Params,
    progress: &mut dyn FnMut(u64, u64),
) -> Metrics {
    let mut hw = Acc::default();
    let codes = eval_codes(input, domain);
    let (start, total) = (*codes.start(), code_count(&codes));
    for x in codes {
        if (x - start) % CHUNK == 0 {
            progress((x - start) as u64, total);
        }
        let xv = fp32::code_to_f32(x, input.frac);
        let (_, y) = fp32::eval(p, xv);
        hw.add(y as f64 - f.eval(xv as f64));
    }
    progress(total, total);
    let grid_mse = grid(domain).map(|xs| {
        let mut g = Acc::default();
        for x in xs {
            let s = p.breakpoints.iter().filter(|&&b| x >= b as f64).count();
            g.add(p.slopes[s] as f64 * x + p.intercepts[s] as f64 - f.eval(x));
        }
        g.mean()
    });
    Metrics {
        mse: hw.mean(),
        max_abs_err: hw.max_abs,
        max_err_lsb: hw.max_abs * pow2(output.frac),
        pwl_mse: hw.mean(),
        grid_mse,
        codes: hw.n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Rounding;
    use crate::function::Builtin;

    #[test]
    fn evaluation_set_is_clipped_to_domain_and_format() {
        assert_eq!(eval_codes(FixedFormat::new(8, 0), (-4.0, 4.0)), -4..=4);
        assert_eq!(eval_codes(FixedFormat::new(8, 6), (-4.0, 4.0)), -128..=127);
        assert_eq!(eval_codes(FixedFormat::new(8, 2), (0.3, 1.0)), 2..=4);
        assert!(eval_codes(FixedFormat::new(8, 0), (0.1, 0.2)).is_empty());
    }

    #[test]
    fn grid_matches_numpy_arange() {
        let g = |d| grid(d).unwrap().collect::<Vec<f64>>();
        assert_eq!(g((-4.0, 4.0)).len(), 800);
        assert_eq!(g((0.5, 4.0)).len(), 350);
        assert!(g((-4.0, 4.0)).iter().all(|&x| x < 4.0));
        // Values of `numpy.arange(-4.0, 4.0, 0.01)` (numpy 2.4.6), printed with repr(): the
        // fill step (−3.99) − (−4) differs from 0.01, so these are not −4 + i·0.01.
        let v = g((-4.0, 4.0));
        assert_eq!(v[2], -3.9800000000000004);
        assert_eq!(v[400], -8.526512829121202e-14);
        assert_ne!(v[400], -4.0 + 400.0 * 0.01);
        assert_eq!(v[799], 3.9899999999998297);
        assert!(grid((-1e9, 1e9)).is_none());
    }

    #[test]
    fn identity_table_on_identity_function_is_exact() {
        // f(x) = x sampled, table y = x: every metric is zero.
        let f = Function::Sampled(
            crate::function::Sampled::new("id", vec![(-4.0, -4.0), (4.0, 4.0)]).unwrap(),
        );
        let dp = Datapath {
            input: FixedFormat::new(8, 4),
            slope: FixedFormat::new(8, 6),
            intercept: FixedFormat::new(8, 6),
            output: FixedFormat::new(8, 4),
            rounding: Rounding::HalfUp,
        };
        let p = IntParams {
            breakpoints: vec![0],
            slopes: vec![64, 64],
            intercepts: vec![0, 0],
        };
        let m = int_metrics(&f, (-4.0, 4.0), &dp, &p);
        assert_eq!(m.codes, 129); // codes -64..=64
        assert_eq!((m.mse, m.max_abs_err, m.pwl_mse), (0.0, 0.0, 0.0));
        assert!(m.grid_mse.unwrap() < 1e-28);
    }

    #[test]
    fn output_rounding_error_shows_in_mse_not_pwl_mse() {
        let f = Function::Builtin(Builtin::Gelu);
        let dp = Datapath {
            input: FixedFormat::new(8, 5),
            slope: FixedFormat::new(8, 6),
            intercept: FixedFormat::new(8, 6),
            output: FixedFormat::new(8, 2),
            rounding: Rounding::HalfUp,
        };
        let p = IntParams {
            breakpoints: vec![0],
            slopes: vec![0, 64],
            intercepts: vec![0, 0],
        };
        let m = int_metrics(&f, (-4.0, 4.0), &dp, &p);
        assert!(m.mse > m.pwl_mse);
        assert!(m.max_err_lsb <= m.max_abs_err * 4.0 + 1e-12);
        // Agrees with the same table run as FP32 before output rounding.
        let fp = Fp32Params::from_int(&p, 5, 6, 6);
        let mf = fp32_metrics(&f, (-4.0, 4.0), dp.input, dp.output, &fp);
        assert!((mf.mse - m.pwl_mse).abs() < 1e-9);
        assert!((mf.grid_mse.unwrap() - m.grid_mse.unwrap()).abs() < 1e-12);
    }
}
