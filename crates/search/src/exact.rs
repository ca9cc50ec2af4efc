//! The exact optimizer: at one input scale a breakpoint can only sit on an input code, so a
//! K-segment table is a partition of the evaluation codes into K runs, and the best one is a
//! shortest path over code positions (dynamic programming, O(K·n²) with O(1) lookups of the
//! cached per-segment cost).

use crate::problem::ScaleProblem;
use rayon::prelude::*;

/// Largest evaluation set the exact optimizer takes: its segment costs are cached, n²/2 of them.
pub const MAX_CODES: usize = 2048;

/// Segment starts (code indices, the first 0) of the partition of the evaluation set into
/// min(k, n) non-empty runs with the least summed segment cost, and that cost.
pub fn solve(p: &ScaleProblem, k: usize) -> (Vec<usize>, f64) {
    let n = p.n();
    let k = k.clamp(1, n);
    // Fill every segment fit in parallel; the DP below then only reads the cache.
    (0..n)
        .into_par_iter()
        .with_min_len(4)
        .for_each_init(Vec::new, |scratch, i| {
            for j in i + 1..=n {
                p.fit(i, j, scratch);
            }
        });
    let mut scratch = Vec::new();
    let mut cost = |i: usize, j: usize| p.fit(i, j, &mut scratch).sse;

    // d[j]: least cost of covering codes [0, j) with s segments; from[s][j]: start of the last.
    let mut d: Vec<f64> = (0..=n)
        .map(|j| if j == 0 { f64::INFINITY } else { cost(0, j) })
        .collect();
    let mut from = vec![vec![0usize; n + 1]; k];
    for (s, from_s) in from.iter_mut().enumerate().skip(1) {
        // s + 1 segments; the last one ends at j, leaving k − s − 1 segments for the rest.
        let mut next = vec![f64::INFINITY; n + 1];
        for j in s + 1..=n - (k - s - 1) {
            let mut best = f64::INFINITY;
            let mut arg = s;
            for (i, &di) in d.iter().enumerate().take(j).skip(s) {
                let c = di + cost(i, j);
                if c < best {
                    best = c;
                    arg = i;
                }
            }
            next[j] = best;
            from_s[j] = arg;
        }
        d = next;
    }
    let total = d[n];
    let mut starts = vec![0usize; k];
    let mut j = n;
    for s in (1..k).rev() {
        let i = from[s][j];
        starts[s] = i;
        j = i;
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

    #[test]
    fn more_segments_never_hurt() {
        let p = small(Builtin::Gelu, (-2.0, 2.0), 2, Objective::Pwl);
        let costs: Vec<f64> = (1..=6).map(|k| solve(&p, k).1).collect();
        assert!(costs.windows(2).all(|w| w[1] <= w[0] + 1e-15), "{costs:?}");
    }
}
