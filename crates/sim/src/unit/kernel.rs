//! The integer clock edge compiled per configuration: shifts and bounds computed once, the
//! comparators tabulated, the register transfers specialized for the stage count and the
//! sum's width.

use super::config::{has_reg, Reg};
use super::state::*;
use lutforge_core::golden::{self, Datapath, SegmentMap};
use lutforge_core::{IntParams, Rounding};

/// The integer datapath's shifts and bounds, and the comparator bank tabulated over the input
/// codes, computed once per unit: `step` runs once per simulated cycle and is the loop the
/// throughput goal measures.
#[derive(Clone, Debug)]
pub(super) struct IntKernel {
    pub(super) align: u32,
    pub(super) rsh: i32,
    pub(super) mode: Rounding,
    /// `Datapath::fits_i64`: the sum and rounding run in i64.
    pub(super) narrow: bool,
    pub(super) ybits: u32,
    pub(super) ymin: i64,
    pub(super) ymax: i64,
    pub(super) xmin: i64,
    pub(super) xmax: i64,
    /// `None` for inputs too wide to tabulate: the comparators are then evaluated.
    pub(super) segs: Option<SegmentMap>,
    /// The untracked clock edge, compiled for this unit's stage count and sum width.
    pub(super) advance: AdvanceInt,
}

pub(super) type AdvanceInt = fn(&mut State, bool, &[i64], &IntParams, &IntKernel);

impl IntKernel {
    pub(super) fn new(dp: &Datapath, breakpoints: &[i64], stages: u32) -> IntKernel {
        let narrow = dp.fits_i64();
        let advance: AdvanceInt = match (stages, narrow) {
            (4, true) => lanes_int::<4, true>,
            (3, true) => lanes_int::<3, true>,
            (2, true) => lanes_int::<2, true>,
            (_, true) => lanes_int::<1, true>,
            (4, false) => lanes_int::<4, false>,
            (3, false) => lanes_int::<3, false>,
            (2, false) => lanes_int::<2, false>,
            (_, false) => lanes_int::<1, false>,
        };
        IntKernel {
            advance,
            align: dp.align_shift() as u32,
            rsh: dp.out_shift(),
            mode: dp.rounding,
            narrow,
            ybits: dp.output.bits,
            ymin: dp.output.min_code(),
            ymax: dp.output.max_code(),
            xmin: dp.input.min_code(),
            xmax: dp.input.max_code(),
            segs: SegmentMap::new(breakpoints, dp.input),
        }
    }

    #[inline(always)]
    pub(super) fn segment(&self, breakpoints: &[i64], x: i64) -> usize {
        match &self.segs {
            Some(m) => m.get(x),
            None => golden::segment(breakpoints, x),
        }
    }

    /// Aligner, adder, rounding and saturation, without the sum node, for a sum that fits
    /// i64 (`narrow`).
    #[inline(always)]
    pub(super) fn finish_narrow(&self, prod: i64, icpt: i64) -> i64 {
        self.round_saturate(prod + (icpt << self.align), self.mode)
    }

    /// Rounding and saturation of a narrow sum; the mode is a parameter so that a caller
    /// looping over many samples can pass it as a constant.
    #[inline(always)]
    pub(super) fn round_saturate(&self, sum: i64, mode: Rounding) -> i64 {
        golden::round_shift_i64(sum, self.rsh, mode)
            .max(self.ymin)
            .min(self.ymax)
    }

    /// The same in i128, for any datapath.
    #[inline(always)]
    pub(super) fn finish_wide(&self, prod: i64, icpt: i64) -> i64 {
        let sum = prod as i128 + ((icpt as i128) << self.align);
        golden::saturate(golden::round_shift(sum, self.rsh, self.mode), self.ybits)
    }
}

/// One untracked clock edge of the integer pipeline with `ST` stages, all lanes, the sum in
/// i64 when `NARROW` (`Datapath::fits_i64`): `Unit::advance`'s register transfers, compiled
/// once per configuration so no configuration test is left in the loop `lutforge sim` and the
/// throughput goal measure. Lanes are independent, so one pass per lane moves every stage,
/// output side first, each reading its upstream register before it is overwritten; the
/// register slices are cut to the lane count so the loop carries no bounds checks.
#[allow(clippy::needless_range_loop)]
#[inline]
pub(super) fn lanes_int<const ST: u32, const NARROW: bool>(
    s: &mut State,
    in_valid: bool,
    in_data: &[i64],
    p: &IntParams,
    kn: &IntKernel,
) {
    let (bp, ks, bs) = (&p.breakpoints[..], &p.slopes[..], &p.intercepts[..]);
    let segment = |x: i64| kn.segment(bp, x);
    let finish = |m: i64, c: i64| {
        if NARROW {
            kn.finish_narrow(m, c)
        } else {
            kn.finish_wide(m, c)
        }
    };
    // What each stage register loads: the valid bit of the stage before it, or the input's.
    let v4 = if has_reg(ST, Reg::S3) {
        s.s3_valid
    } else {
        in_valid
    };
    let v3 = has_reg(ST, Reg::S3)
        && if has_reg(ST, Reg::S2) {
            s.s2_valid
        } else {
            in_valid
        };
    let v2 = has_reg(ST, Reg::S2)
        && if has_reg(ST, Reg::S1) {
            s.s1_valid
        } else {
            in_valid
        };
    let v1 = has_reg(ST, Reg::S1) && in_valid;
    let n = in_data.len();
    let r = &mut s.regs[..DATA_REGS * n];
    macro_rules! lane {
        ($l:expr) => {{
            let l = $l;
            if v4 {
                r[S4_Y * n + l] = if has_reg(ST, Reg::S3) {
                    finish(r[S3_PROD * n + l], r[S3_ICPT * n + l])
                } else {
                    let x = in_data[l];
                    let seg = segment(x);
                    finish(ks[seg] * x, bs[seg])
                };
            }
            if v3 {
                let (x, seg) = if has_reg(ST, Reg::S2) {
                    (r[S2_X * n + l], r[S2_SEG * n + l] as usize)
                } else {
                    (in_data[l], segment(in_data[l]))
                };
                r[S3_PROD * n + l] = ks[seg] * x;
                r[S3_ICPT * n + l] = bs[seg];
            }
            if v2 {
                let x = if has_reg(ST, Reg::S1) {
                    r[S1_X * n + l]
                } else {
                    in_data[l]
                };
                r[S2_X * n + l] = x;
                r[S2_SEG * n + l] = segment(x) as i64;
            }
            if v1 {
                r[S1_X * n + l] = in_data[l];
            }
        }};
    }
    // The single-lane unit, the common case, gets straight-line code: a loop's set-up costs
    // as much as one lane's work.
    if n == 1 {
        lane!(0);
    } else {
        for l in 0..n {
            lane!(l);
        }
    }
    s.s4_valid = v4;
    if has_reg(ST, Reg::S3) {
        s.s3_valid = v3;
    }
    if has_reg(ST, Reg::S2) {
        s.s2_valid = v2;
    }
    if has_reg(ST, Reg::S1) {
        s.s1_valid = v1;
    }
}
