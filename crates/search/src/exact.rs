//! The exact optimizer: at one input scale a breakpoint can only sit on an input code, so a
//! K-segment table is a partition of the evaluation codes into K runs, and the best one is a
//! shortest path over code positions (dynamic programming, O(K·n²) with O(1) lookups of the
//! cached per-segment cost).

use crate::problem::ScaleProblem;
use rayon::prelude::*;

/// Largest evaluation set the exact optimizer takes: its segment costs are cached, n²/2 of them.
pub const MAX_CODES: usize = 2048;

/// Most places a segment may start when a breakpoint step thins them (`pwl_mse`, whose segment
/// fits are O(1) from prefix sums): m²/2 costs of 8 bytes, 67 MB at the limit.
pub const MAX_PLACES: usize = 4097;

/// Segment starts (code indices, the first 0) of the partition of the evaluation set into
/// min(k, places) non-empty runs with the least summed segment cost, and that cost. Segments
/// start where the problem allows (every code, or multiples of its breakpoint step).
pub fn solve(p: &ScaleProblem, k: usize) -> (Vec<usize>, f64) {
    let n = p.n();
    let pos = p.starts();
    let m = pos.len();
    let k = k.clamp(1, m);
    // Boundary b in 0..=m is code index pos[b], or n for b = m.
    let at = |b: usize| if b == m { n } else { pos[b] };
    // Every segment cost, in parallel; row a holds boundaries a+1..=m.
    let row = |a: usize| a * m - a * a.saturating_sub(1) / 2;
    let mut costs = vec![0.0f64; m * (m + 1) / 2];
    {
        let mut rows: Vec<&mut [f64]> = Vec::with_capacity(m);
        let mut rest = &mut costs[..];
        for a in 0..m {
            let (r, tail) = rest.split_at_mut(m - a);
            rows.push(r);
            rest = tail;
        }
        rows.into_par_iter()
            .enumerate()
            .with_min_len(4)
            .for_each_init(Vec::new, |scratch, (a, r)| {
                for (t, c) in r.iter_mut().enumerate() {
                    *c = p.segment_cost(pos[a], at(a + 1 + t), scratch);
                }
            });
    }
    let cost = |a: usize, b: usize| costs[row(a) + (b - a - 1)];

    // d[b]: least cost of covering codes [0, at(b)) with s segments; from[s][b]: the last
    // segment's first boundary.
    let mut d: Vec<f64> = (0..=m)
        .map(|b| if b == 0 { f64::INFINITY } else { cost(0, b) })
        .collect();
    let mut from = vec![vec![0usize; m + 1]; k];
    for (s, from_s) in from.iter_mut().enumerate().skip(1) {
        // s + 1 segments; the last one ends at b, leaving k − s − 1 segments for the rest.
        let mut next = vec![f64::INFINITY; m + 1];
        for b in s + 1..=m - (k - s - 1) {
            let mut best = f64::INFINITY;
            let mut arg = s;
            for (a, &da) in d.iter().enumerate().take(b).skip(s) {
                let c = da + cost(a, b);
                if c < best {
                    best = c;
                    arg = a;
                }
            }
            next[b] = best;
            from_s[b] = arg;
        }
        d = next;
    }
    let total = d[m];
    let mut starts = vec![0usize; k];
    let mut b = m;
    for s in (1..k).rev() {
        let a = from[s][b];
        starts[s] = pos[a];
        b = a;
    }
    (starts, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Objective;
    use lutforge_core::{Builtin, FixedFormat, Formats, Function};

    /// Every partition of n codes into k runs, the slow way.
    fn brute(p: &ScaleProblem, k: usize) -> f64 {
        fn go(
            p: &ScaleProblem,
            start: usize,
            left: usize,
            s: &mut Vec<lutforge_core::golden::Sample>,
        ) -> f64 {
            let n = p.n();
            if left == 1 {
                return p.fit_uncached(start, n, s).sse;
            }
            let mut best = f64::INFINITY;
            for j in start + 1..=n - (left - 1) {
                let c = p.fit_uncached(start, j, s).sse + go(p, j, left - 1, s);
                best = best.min(c);
            }
            best
        }
        go(p, 0, k.min(p.n()), &mut Vec::new())
    }

    fn small(f: Builtin, domain: (f64, f64), frac: i32, obj: Objective) -> ScaleProblem {
        let func = Function::Builtin(f);
        let mut formats = Formats::default_for(&func, domain);
        formats.input_bits = 6;
        formats.slope = FixedFormat::new(6, 4);
        formats.intercept = FixedFormat::new(6, 4);
        ScaleProblem::new(&func, domain, formats.datapath(frac), obj).unwrap()
    }

    #[test]
    fn dp_equals_brute_force_on_small_cases() {
        for (f, dom, frac) in [
            (Builtin::Gelu, (-2.0, 2.0), 1),
            (Builtin::Exp, (-3.0, 0.0), 2),
            (Builtin::Reciprocal, (0.5, 2.0), 2),
            (Builtin::Tanh, (-1.0, 1.5), 2),
        ] {
            for obj in [Objective::Pwl, Objective::Hw] {
                let p = small(f, dom, frac, obj);
                assert!(p.n() <= 13, "{} codes", p.n());
                for k in 1..=3 {
                    let (starts, total) = solve(&p, k);
                    let b = brute(&p, k);
                    assert!(
                        (total - b).abs() <= 1e-12 * (1.0 + b),
                        "{f:?} k={k} {obj:?}: dp {total} brute {b}"
                    );
                    // The partition returned has the cost claimed.
                    let mut s = Vec::new();
                    let params = p.params(&starts, k, &mut s);
                    let mean = p.objective_mse(&params, &mut s);
                    assert!((mean * p.n() as f64 - total).abs() <= 1e-9 * (1.0 + total));
                }
            }
        }
    }

    /// Every partition into `left` runs whose cuts are allowed starts, the slow way.
    fn brute_stepped(p: &ScaleProblem, start: usize, left: usize) -> f64 {
        let n = p.n();
        let mut s = Vec::new();
        if left == 1 {
            return p.fit_uncached(start, n, &mut s).sse;
        }
        (start + 1..n)
            .filter(|&j| p.may_start(j))
            .map(|j| p.fit_uncached(start, j, &mut s).sse + brute_stepped(p, j, left - 1))
            .fold(f64::INFINITY, f64::min)
    }

    #[test]
    fn a_breakpoint_step_cuts_only_on_its_multiples() {
        for obj in [Objective::Pwl, Objective::Hw] {
            let p = small(Builtin::Gelu, (-2.0, 2.0), 2, obj).with_breakpoint_step(1);
            let places = p.starts().len();
            assert!(places < p.n() && places >= 4);
            for k in 1..=3 {
                let (starts, total) = solve(&p, k);
                assert!(starts.iter().all(|&i| p.may_start(i)), "{starts:?}");
                assert!(starts.iter().all(|&i| i == 0 || (p.lo + i as i64) % 2 == 0));
                let b = brute_stepped(&p, 0, k);
                assert!(
                    (total - b).abs() <= 1e-12 * (1.0 + b),
                    "{obj:?} k={k}: {total} vs {b}"
                );
            }
            // A coarser grid of cuts can only cost more.
            let free = small(Builtin::Gelu, (-2.0, 2.0), 2, obj);
            assert!(solve(&free, 3).1 <= solve(&p, 3).1);
        }
    }

    #[test]
    fn more_segments_never_hurt() {
        let p = small(Builtin::Gelu, (-2.0, 2.0), 2, Objective::Pwl);
        let costs: Vec<f64> = (1..=6).map(|k| solve(&p, k).1).collect();
        assert!(costs.windows(2).all(|w| w[1] <= w[0] + 1e-15), "{costs:?}");
    }
}
