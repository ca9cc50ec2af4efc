//! The golden model against an independent reference written from the brief's formulas with
//! plain i128 division (not shifts), over random formats and tables.

use lutforge_core::golden::{self, Datapath, IntParams};
use lutforge_core::{FixedFormat, Rounding};
use proptest::prelude::*;

/// y = sat(round(a / 2^r)) computed with Euclidean division; r ≤ 0 multiplies.
fn reference(dp: &Datapath, p: &IntParams, x: i64) -> i64 {
    // Segment: the last breakpoint not above x, searched from the top.
    let s = p
        .breakpoints
        .iter()
        .rposition(|&b| b <= x)
        .map_or(0, |i| i + 1);
    let fk_fx = dp.slope.frac + dp.input.frac;
    let a = p.slopes[s] as i128 * x as i128
        + p.intercepts[s] as i128 * 2i128.pow((fk_fx - dp.intercept.frac) as u32);
    let r = fk_fx - dp.output.frac;
    let q = if r <= 0 {
        a * 2i128.pow((-r) as u32)
    } else {
        let d = 2i128.pow(r as u32);
        let floor = a.div_euclid(d);
        let rem = a.rem_euclid(d); // 0 ≤ rem < d
        match dp.rounding {
            Rounding::Truncate => floor,
            Rounding::HalfUp => floor + i128::from(2 * rem >= d),
            Rounding::HalfEven => {
                floor + i128::from(2 * rem > d || (2 * rem == d && floor.rem_euclid(2) == 1))
            }
        }
    };
    let max = 2i128.pow(dp.output.bits - 1) - 1;
    q.clamp(-max - 1, max) as i64
}

fn code(bits: u32) -> impl Strategy<Value = i64> {
    let lo = -(1i64 << (bits - 1));
    lo..=-lo - 1
}

prop_compose! {
    fn datapath()(xb in 2u32..=16, kb in 2u32..=32, bb in 2u32..=32, yb in 2u32..=32,
                  fx in -4i32..=12, fk in 0i32..=20, fb_off in 0i32..=24, fy in -8i32..=40,
                  rounding in prop::sample::select(Rounding::ALL.to_vec())) -> Datapath {
        let fb = (fk + fx - fb_off).min(fk + fx);
        Datapath {
            input: FixedFormat::new(xb, fx),
            slope: FixedFormat::new(kb, fk),
            intercept: FixedFormat::new(bb, fb),
            output: FixedFormat::new(yb, fy),
            rounding,
        }
    }
}

fn table(dp: Datapath) -> impl Strategy<Value = (Datapath, IntParams)> {
    (1usize..=17).prop_flat_map(move |k| {
        (
            prop::collection::vec(code(dp.input.bits), k - 1),
            prop::collection::vec(code(dp.slope.bits), k),
            prop::collection::vec(code(dp.intercept.bits), k),
        )
            .prop_map(move |(mut bps, slopes, intercepts)| {
                bps.sort();
                (
                    dp,
                    IntParams {
                        breakpoints: bps,
                        slopes,
                        intercepts,
                    },
                )
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn golden_equals_reference(((dp, p), xs) in datapath().prop_flat_map(table)
        .prop_flat_map(|(dp, p)| {
            let xs = prop::collection::vec(code(dp.input.bits), 1..64);
            (Just((dp, p)), xs)
        })) {
        prop_assume!(dp.check().is_ok());
        for &x in &xs {
            prop_assert_eq!(golden::eval(&dp, &p, x).y, reference(&dp, &p, x), "x = {}", x);
        }
        // The sweep (i64 fast path where it fits) agrees over a whole range.
        let lo = *xs.iter().min().unwrap();
        let hi = (lo + 300).min(dp.input.max_code());
        let mut out = Vec::new();
        golden::eval_range(&dp, &p, lo..=hi, &mut out);
        prop_assert_eq!(out.len() as i64, hi - lo + 1);
        for s in &out {
            prop_assert_eq!(s.y, reference(&dp, &p, s.x), "sweep x = {}", s.x);
        }
    }
}
