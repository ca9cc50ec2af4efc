//! The FP32 variant of the unit: the same compare / look-up / multiply-add structure with
//! IEEE-754 binary32 values, each operation rounded to nearest even, subnormals kept.

use crate::golden::IntParams;

/// The one NaN the unit produces, whatever NaN went in: hardware does not propagate payloads.
pub const CANONICAL_NAN: u32 = 0x7fc0_0000;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Fp32Params {
    pub breakpoints: Vec<f32>,
    pub slopes: Vec<f32>,
    pub intercepts: Vec<f32>,
}

impl Fp32Params {
    /// The real values of an integer table; exact, since codes of up to 24 bits times a power
    /// of two are binary32 numbers (wider codes round to nearest).
    pub fn from_int(p: &IntParams, frac_x: i32, frac_k: i32, frac_b: i32) -> Fp32Params {
        let conv = |codes: &[i64], frac: i32| -> Vec<f32> {
            codes.iter().map(|&c| code_to_f32(c, frac)).collect()
        };
        Fp32Params {
            breakpoints: conv(&p.breakpoints, frac_x),
            slopes: conv(&p.slopes, frac_k),
            intercepts: conv(&p.intercepts, frac_b),
        }
    }

    pub fn segments(&self) -> usize {
        self.slopes.len()
    }
}

/// `code · 2^-frac` as binary32.
pub fn code_to_f32(code: i64, frac: i32) -> f32 {
    (code as f64 * 2f64.powi(-frac)) as f32
}

/// Segment of `x`: the number of breakpoints with x ≥ p (IEEE compare: NaN is never ≥, −0 = +0).
pub fn segment(breakpoints: &[f32], x: f32) -> usize {
    breakpoints.iter().filter(|&&p| x >= p).count()
}

/// y = round(round(k·x) + b); any NaN result is the canonical quiet NaN.
pub fn eval(p: &Fp32Params, x: f32) -> (usize, f32) {
    let s = segment(&p.breakpoints, x);
    let y = p.slopes[s] * x + p.intercepts[s];
    (s, canonical(y))
}

/// Replaces every NaN by the canonical one; other values pass bit for bit.
pub fn canonical(v: f32) -> f32 {
    if v.is_nan() {
        f32::from_bits(CANONICAL_NAN)
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Fp32Params {
        Fp32Params {
            breakpoints: vec![-1.0, 0.0, 2.5],
            slopes: vec![0.0, 0.5, 1.25, -3.0],
            intercepts: vec![-1.0, 0.25, 0.0, f32::from_bits(1)],
        }
    }

    #[test]
    fn segments_follow_ieee_compare() {
        let p = params();
        assert_eq!(segment(&p.breakpoints, -0.0), 2); // −0 ≥ 0
        assert_eq!(segment(&p.breakpoints, -1.0), 1);
        assert_eq!(segment(&p.breakpoints, f32::NAN), 0);
        assert_eq!(segment(&p.breakpoints, f32::INFINITY), 3);
        assert_eq!(segment(&p.breakpoints, f32::NEG_INFINITY), 0);
    }

    #[test]
    fn nan_is_canonical() {
        let p = params();
        assert_eq!(eval(&p, f32::NAN).1.to_bits(), CANONICAL_NAN);
        // 0 · −inf = NaN in segment 0.
        assert_eq!(eval(&p, f32::NEG_INFINITY).1.to_bits(), CANONICAL_NAN);
        assert_eq!(eval(&p, f32::INFINITY).1, f32::NEG_INFINITY);
    }

    #[test]
    fn subnormals_are_kept() {
        let p = params();
        // x = 2.5 exactly: segment 3, −7.5 + tiny = −7.5 (rounded); x = 0 in segment 2 gives 0.
        let tiny = Fp32Params {
            breakpoints: vec![],
            slopes: vec![0.5],
            intercepts: vec![0.0],
        };
        let sub = f32::from_bits(3);
        assert_eq!(eval(&tiny, sub).1.to_bits(), 2); // 1.5 ulp rounds to even: 2
        assert_eq!(eval(&p, 2.5).1, -7.5);
    }

    #[test]
    fn converts_int_tables_exactly() {
        let ip = IntParams {
            breakpoints: vec![-8, 3],
            slopes: vec![-205, 64, 127],
            intercepts: vec![1, -128, 0],
        };
        let fp = Fp32Params::from_int(&ip, 2, 6, 6);
        assert_eq!(fp.breakpoints, vec![-2.0, 0.75]);
        assert_eq!(fp.slopes, vec![-3.203125, 1.0, 1.984375]);
        assert_eq!(fp.intercepts, vec![0.015625, -2.0, 0.0]);
    }
}
