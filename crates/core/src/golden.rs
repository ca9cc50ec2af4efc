//! The golden model: the one definition of the unit's integer arithmetic (design brief,
//! section 3). Every other layer — search, simulator, RTL — is tested against these functions.

use crate::format::{FixedFormat, Rounding};
use std::ops::RangeInclusive;

/// Widest intermediate value the golden model carries; formats needing more are refused when a
/// table is loaded, so no arithmetic here can overflow.
pub const MAX_SUM_BITS: u32 = 120;

/// The static configuration of one integer unit at one input scale: what is fixed in hardware.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Datapath {
    /// Input format (N_x, F_x).
    pub input: FixedFormat,
    pub slope: FixedFormat,
    pub intercept: FixedFormat,
    pub output: FixedFormat,
    pub rounding: Rounding,
}

impl Datapath {
    /// Fractional bits of the product k·x.
    pub fn product_frac(&self) -> i32 {
        self.slope.frac + self.input.frac
    }

    /// Left shift that aligns the intercept with the product (F_k + F_x − F_b); negative means
    /// the formats are refused.
    pub fn align_shift(&self) -> i32 {
        self.product_frac() - self.intercept.frac
    }

    /// Right shift from the sum to the output (F_k + F_x − F_y); ≤ 0 is an exact left shift.
    pub fn out_shift(&self) -> i32 {
        self.product_frac() - self.output.frac
    }

    /// Whether the sum, shifted to the output, fits 62 bits, so i64 arithmetic is exact.
    pub fn fits_i64(&self) -> bool {
        self.sum_bits() + (-self.out_shift()).max(0) as u32 <= 62
    }

    pub fn product_bits(&self) -> u32 {
        self.slope.bits + self.input.bits
    }

    /// Width of the sum register: wide enough that m + c never overflows.
    pub fn sum_bits(&self) -> u32 {
        let aligned = self.intercept.bits + self.align_shift().max(0) as u32;
        self.product_bits().max(aligned) + 1
    }

    /// Why this datapath cannot be built, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        for (name, f) in [
            ("input", self.input),
            ("slope", self.slope),
            ("intercept", self.intercept),
            ("output", self.output),
        ] {
            if !(2..=crate::format::MAX_BITS).contains(&f.bits) {
                return Err(format!(
                    "{name} format has {} bits; 2 to {} are supported",
                    f.bits,
                    crate::format::MAX_BITS
                ));
            }
            if !(-64..=64).contains(&f.frac) {
                return Err(format!(
                    "{name} format has {} fractional bits; -64 to 64 are supported",
                    f.frac
                ));
            }
        }
        if self.align_shift() < 0 {
            return Err(format!(
                "F_k + F_x = {} + {} is below F_b = {}: the intercept cannot be aligned exactly",
                self.slope.frac, self.input.frac, self.intercept.frac
            ));
        }
        let widest = self.sum_bits() + (-self.out_shift()).max(0) as u32;
        if widest > MAX_SUM_BITS {
            return Err(format!(
                "the sum needs {widest} bits; at most {MAX_SUM_BITS} are supported"
            ));
        }
        Ok(())
    }
}

/// The table contents of one integer unit: K−1 breakpoints (input codes), K slopes, K intercepts.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct IntParams {
    pub breakpoints: Vec<i64>,
    pub slopes: Vec<i64>,
    pub intercepts: Vec<i64>,
}

impl IntParams {
    pub fn segments(&self) -> usize {
        self.slopes.len()
    }
}

/// Every intermediate value of one evaluation, named as in the brief (s, m, c, a, y).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trace {
    pub segment: usize,
    pub product: i128,
    pub aligned: i128,
    pub sum: i128,
    pub y: i64,
}

/// Segment of input code `x`: the number of breakpoints p_i with x ≥ p_i.
pub fn segment(breakpoints: &[i64], x: i64) -> usize {
    breakpoints.iter().filter(|&&p| x >= p).count()
}

/// The comparator bank tabulated over every input code: `segment` for inputs of at most
/// [`SegmentMap::MAX_INPUT_BITS`] bits as one load, because a cycle simulator evaluates it for
/// every sample while the breakpoints change only through rare table writes. Tested equal to
/// `segment`, before and after writes, sorted breakpoints or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentMap {
    min: i64,
    map: Vec<u16>,
}

impl SegmentMap {
    /// Inputs up to 16 bits: a 128 KiB map at most.
    pub const MAX_INPUT_BITS: u32 = 16;

    /// The map for `breakpoints` over every code of `input`; `None` when the input is too wide
    /// to tabulate or there are more segments than a `u16` counts.
    pub fn new(breakpoints: &[i64], input: FixedFormat) -> Option<SegmentMap> {
        if input.bits > Self::MAX_INPUT_BITS || breakpoints.len() > u16::MAX as usize {
            return None;
        }
        let mut sorted = breakpoints.to_vec();
        sorted.sort_unstable();
        let (min, max) = (input.min_code(), input.max_code());
        let mut map = Vec::with_capacity((max - min + 1) as usize);
        let mut s = 0;
        for x in min..=max {
            while s < sorted.len() && x >= sorted[s] {
                s += 1;
            }
            map.push(s as u16);
        }
        Some(SegmentMap { min, map })
    }

    /// `segment(breakpoints, x)` for a code of the input format.
    #[inline]
    pub fn get(&self, x: i64) -> usize {
        self.map[(x - self.min) as usize] as usize
    }

    /// One breakpoint moved from `old` to `new`: only the codes between them change segment,
    /// by one, so a table write costs |new − old| updates instead of a rebuild.
    pub fn move_breakpoint(&mut self, old: i64, new: i64) {
        let (min, len) = (self.min, self.map.len() as i64);
        let idx = |x: i64| (x - min).clamp(0, len) as usize;
        if new < old {
            for s in &mut self.map[idx(new)..idx(old)] {
                *s += 1;
            }
        } else {
            for s in &mut self.map[idx(old)..idx(new)] {
                *s -= 1;
            }
        }
    }
}

/// Drops `r` low bits of `a` under `mode`; r ≤ 0 is an exact left shift by −r.
pub fn round_shift(a: i128, r: i32, mode: Rounding) -> i128 {
    if r <= 0 {
        return a << (-r) as u32;
    }
    let r = r as u32;
    let floor = a >> r;
    match mode {
        Rounding::Truncate => floor,
        Rounding::HalfUp => (a + (1i128 << (r - 1))) >> r,
        Rounding::HalfEven => {
            let rem = a - (floor << r);
            let half = 1i128 << (r - 1);
            if rem > half || (rem == half && floor & 1 == 1) {
                floor + 1
            } else {
                floor
            }
        }
    }
}

/// Clamps to the signed range of `bits`.
pub fn saturate(v: i128, bits: u32) -> i64 {
    let lo = crate::format::min_code(bits) as i128;
    let hi = crate::format::max_code(bits) as i128;
    v.clamp(lo, hi) as i64
}

/// Evaluates one input code through the unit, exactly as the hardware does.
pub fn eval(dp: &Datapath, p: &IntParams, x: i64) -> Trace {
    let s = segment(&p.breakpoints, x);
    let product = p.slopes[s] as i128 * x as i128;
    let aligned = (p.intercepts[s] as i128) << dp.align_shift() as u32;
    let sum = product + aligned;
    let y = saturate(
        round_shift(sum, dp.out_shift(), dp.rounding),
        dp.output.bits,
    );
    Trace {
        segment: s,
        product,
        aligned,
        sum,
        y,
    }
}

/// One evaluated code of a sweep: what metrics and the search need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    pub x: i64,
    pub segment: usize,
    pub sum: i128,
    pub y: i64,
}

/// Evaluates every code of an ascending range, the search's inner loop: the segment index
/// advances with x instead of being recomputed, and the arithmetic runs in i64 when the
/// datapath fits (it does for every format up to INT16).
pub fn eval_range(dp: &Datapath, p: &IntParams, codes: RangeInclusive<i64>, out: &mut Vec<Sample>) {
    out.clear();
    let (start, end) = (*codes.start(), *codes.end());
    if start > end {
        return;
    }
    out.reserve((end - start + 1) as usize);
    let mut s = segment(&p.breakpoints, start);
    let shift = dp.align_shift() as u32;
    let r = dp.out_shift();
    let narrow = dp.fits_i64();
    let (ymin, ymax) = (dp.output.min_code(), dp.output.max_code());
    for x in start..=end {
        while s < p.breakpoints.len() && x >= p.breakpoints[s] {
            s += 1;
        }
        let (sum, y) = if narrow {
            let sum = p.slopes[s] * x + (p.intercepts[s] << shift);
            let y = round_shift_i64(sum, r, dp.rounding).clamp(ymin, ymax);
            (sum as i128, y)
        } else {
            let sum = p.slopes[s] as i128 * x as i128 + ((p.intercepts[s] as i128) << shift);
            (
                sum,
                saturate(round_shift(sum, r, dp.rounding), dp.output.bits),
            )
        };
        out.push(Sample {
            x,
            segment: s,
            sum,
            y,
        });
    }
}

/// `round_shift` for sums known to fit 62 bits (`Datapath::fits_i64`): the same rounding,
/// tested equal to the i128 form, for inner loops that run once per sample.
#[inline]
pub fn round_shift_i64(a: i64, r: i32, mode: Rounding) -> i64 {
    if r <= 0 {
        return a << (-r) as u32;
    }
    let r = r as u32;
    match mode {
        Rounding::Truncate => a >> r,
        Rounding::HalfUp => (a + (1i64 << (r - 1))) >> r,
        Rounding::HalfEven => {
            let floor = a >> r;
            let rem = a - (floor << r);
            let half = 1i64 << (r - 1);
            floor + i64::from(rem > half || (rem == half && floor & 1 == 1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dp(out: FixedFormat, rounding: Rounding) -> Datapath {
        Datapath {
            input: FixedFormat::new(8, 2),
            slope: FixedFormat::new(8, 6),
            intercept: FixedFormat::new(8, 6),
            output: out,
            rounding,
        }
    }

    fn one_segment(k: i64, b: i64) -> IntParams {
        IntParams {
            breakpoints: vec![],
            slopes: vec![k],
            intercepts: vec![b],
        }
    }

    proptest::proptest! {
        #[test]
        fn segment_map_equals_segment(
            bits in 2u32..=10,
            bps in proptest::collection::vec(-600i64..600, 0..12),
            moves in proptest::collection::vec((0usize..12, -600i64..600), 0..8),
        ) {
            let input = FixedFormat::new(bits, 0);
            let clamp = |v: i64| v.clamp(input.min_code(), input.max_code());
            let mut bps: Vec<i64> = bps.into_iter().map(clamp).collect();
            let mut map = SegmentMap::new(&bps, input).unwrap();
            let check = |map: &SegmentMap, bps: &[i64]| {
                for x in input.min_code()..=input.max_code() {
                    proptest::prop_assert_eq!(map.get(x), segment(bps, x), "x = {}", x);
                }
                Ok(())
            };
            check(&map, &bps)?;
            for (i, v) in moves {
                if bps.is_empty() {
                    break;
                }
                let i = i % bps.len();
                let v = clamp(v);
                map.move_breakpoint(bps[i], v);
                bps[i] = v;
                check(&map, &bps)?;
            }
        }
    }

    #[test]
    fn segment_map_refuses_wide_inputs() {
        assert!(SegmentMap::new(&[0], FixedFormat::new(17, 0)).is_none());
        assert!(SegmentMap::new(&[0], FixedFormat::new(16, 0)).is_some());
    }

    #[test]
    fn hand_computed_half_up() {
        // k = 0.75 (48/64), b = 0.25 (16/64), x = 1.25 (5/4): y = 1.1875.
        // m = 240 (frac 8), c = 16 << 2 = 64, a = 304; F_y = 4 → r = 4: (304 + 8) >> 4 = 19.
        let d = dp(FixedFormat::new(8, 4), Rounding::HalfUp);
        let t = eval(&d, &one_segment(48, 16), 5);
        assert_eq!((t.product, t.aligned, t.sum, t.y), (240, 64, 304, 19));
    }

    #[test]
    fn rounding_modes_on_ties_and_negatives() {
        // r = 2: a = 6 (1.5 LSB), 10 (2.5), -6 (-1.5), 5 (1.25), 7 (1.75).
        let cases = [
            (6, [2, 1, 2]),
            (10, [3, 2, 2]),
            (-6, [-1, -2, -2]),
            (-10, [-2, -3, -2]),
            (5, [1, 1, 1]),
            (7, [2, 1, 2]),
            (-7, [-2, -2, -2]),
        ];
        for (a, [up, tr, even]) in cases {
            assert_eq!(round_shift(a, 2, Rounding::HalfUp), up, "half-up {a}");
            assert_eq!(round_shift(a, 2, Rounding::Truncate), tr, "truncate {a}");
            assert_eq!(round_shift(a, 2, Rounding::HalfEven), even, "half-even {a}");
            for m in Rounding::ALL {
                assert_eq!(
                    round_shift_i64(a as i64, 2, m) as i128,
                    round_shift(a, 2, m)
                );
            }
        }
        assert_eq!(round_shift(-3, -2, Rounding::HalfUp), -12);
    }

    #[test]
    fn saturates_at_both_ends() {
        let d = dp(FixedFormat::new(8, 6), Rounding::HalfUp);
        // k = 127/64 ≈ 1.98, x = 127/4: y ≈ 62.9 ≫ 127/64.
        assert_eq!(eval(&d, &one_segment(127, 0), 127).y, 127);
        assert_eq!(eval(&d, &one_segment(127, 0), -128).y, -128);
        assert_eq!(saturate(1000, 4), 7);
        assert_eq!(saturate(-1000, 4), -8);
    }

    #[test]
    fn breakpoint_equality_goes_up() {
        let p = IntParams {
            breakpoints: vec![-2, 3, 3],
            slopes: vec![0, 0, 0, 0],
            intercepts: vec![10, 20, 30, 40],
        };
        assert_eq!(segment(&p.breakpoints, -3), 0);
        assert_eq!(segment(&p.breakpoints, -2), 1);
        assert_eq!(segment(&p.breakpoints, 2), 1);
        // Equal neighbours: segment 2 is unreachable, x = 3 goes to segment 3.
        assert_eq!(segment(&p.breakpoints, 3), 3);
        let d = dp(FixedFormat::new(8, 6), Rounding::HalfUp);
        assert_eq!(eval(&d, &p, 3).y, 40);
    }

    #[test]
    fn output_frac_above_product_frac_is_exact_shift() {
        // F_y = 10 > F_k + F_x = 8: y = a << 2.
        let d = dp(FixedFormat::new(16, 10), Rounding::Truncate);
        let t = eval(&d, &one_segment(48, 16), 5);
        assert_eq!(t.y, 304 << 2);
    }

    #[test]
    fn sweep_equals_single_evaluation() {
        let p = IntParams {
            breakpoints: vec![-40, -3, 0, 0, 17],
            slopes: vec![-5, 12, 100, -128, 127, 64],
            intercepts: vec![3, -100, 0, 5, -7, 127],
        };
        for rounding in Rounding::ALL {
            for out in [
                FixedFormat::new(8, 3),
                FixedFormat::new(6, 9),
                FixedFormat::new(32, 8),
            ] {
                let d = dp(out, rounding);
                let mut v = Vec::new();
                eval_range(&d, &p, -128..=127, &mut v);
                assert_eq!(v.len(), 256);
                for s in &v {
                    let t = eval(&d, &p, s.x);
                    assert_eq!((s.segment, s.sum, s.y), (t.segment, t.sum, t.y));
                }
            }
        }
    }

    #[test]
    fn refuses_misaligned_and_too_wide() {
        let mut d = dp(FixedFormat::new(8, 6), Rounding::HalfUp);
        d.intercept.frac = 9;
        assert!(d.check().unwrap_err().contains("F_b"));
        // 32 × 32-bit product, then a left shift of 56 to F_y = 64: 121 bits.
        let mut d = dp(FixedFormat::new(32, 64), Rounding::HalfUp);
        d.input.bits = 32;
        d.slope.bits = 32;
        assert!(d.check().unwrap_err().contains("121 bits"));
        assert!(dp(FixedFormat::new(8, 6), Rounding::HalfUp).check().is_ok());
    }
}
