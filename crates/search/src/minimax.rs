//! The minimax optimizer: the least possible largest output error of a K-segment table at one
//! input scale — output rounding and saturation included — and a table that reaches it.
//!
//! For a bound e, whether a run of codes can share one coefficient pair is integer interval
//! arithmetic: each code x admits the output codes within e of f(x); their preimage under the
//! monotone rounding and saturation is an interval of sums S; for a fixed slope code k, the sum
//! S = k·x + b·2^A is monotone in the intercept code b, so x admits an interval of b, and the
//! run admits the intersection over its codes. A sub-run of an admissible run is admissible, so
//! the greedy segmentation (each segment as long as it can be) uses the fewest segments any
//! table can use at that bound. Admissibility is monotone in e, so the least bound for K
//! segments is found by bisection over the bit patterns of non-negative doubles (ordered as the
//! values are): it ends on two adjacent doubles, the lower one not admissible, the upper one
//! admissible. The greedy table at the upper one errs by at most that much and, since every
//! smaller double is refused, by exactly that much: the minimum, proven, among all tables.

use crate::envelope::Envelope;
use crate::problem::ScaleProblem;
use lutforge_core::format::pow2;
use lutforge_core::golden::{self, round_shift, IntParams};

/// Largest evaluation set: every code of a 16-bit input. The greedy pass is about linear in the
/// codes (the envelope's hulls), and the segment fits need no n² cache.
pub const MAX_CODES: usize = 1 << 16;

/// The error measure everything here compares: |code · 2^-F_y − t|, computed one way.
#[inline]
fn err(code: i64, ys: f64, t: f64) -> f64 {
    (code as f64 * ys - t).abs()
}

/// The output codes c in [ymin, ymax] with err(c) ≤ e, as an interval, if there are any.
fn allowed(t: f64, e: f64, ys: f64, ymin: i64, ymax: i64) -> Option<(i64, i64)> {
    let (lr, hr) = ((t - e) / ys, (t + e) / ys);
    if !(hr >= ymin as f64 - 1.0 && lr <= ymax as f64 + 1.0) {
        return None;
    }
    // The real bounds only seed the search; the predicate decides, so a code is allowed here
    // exactly when `err` says so.
    let mut lo = lr.ceil().clamp(ymin as f64, ymax as f64) as i64;
    while lo > ymin && err(lo - 1, ys, t) <= e {
        lo -= 1;
    }
    while lo <= ymax && err(lo, ys, t) > e {
        lo += 1;
    }
    let mut hi = hr.floor().clamp(ymin as f64, ymax as f64) as i64;
    while hi < ymax && err(hi + 1, ys, t) <= e {
        hi += 1;
    }
    while hi >= ymin && err(hi, ys, t) > e {
        hi -= 1;
    }
    (lo <= hi).then_some((lo, hi))
}

/// What the run through the golden model needs of the datapath.
struct Shape {
    /// Align shift A and output shift R.
    a: u32,
    r: i32,
    rounding: lutforge_core::Rounding,
    ymin: i64,
    ymax: i64,
    kmin: i64,
    kmax: i64,
    bmin: i64,
    bmax: i64,
}

impl Shape {
    fn of(p: &ScaleProblem) -> Shape {
        let dp = &p.dp;
        Shape {
            a: dp.align_shift().max(0) as u32,
            r: dp.out_shift(),
            rounding: dp.rounding,
            ymin: dp.output.min_code(),
            ymax: dp.output.max_code(),
            kmin: dp.slope.min_code(),
            kmax: dp.slope.max_code(),
            bmin: dp.intercept.min_code(),
            bmax: dp.intercept.max_code(),
        }
    }

    /// The least sum S with round(S) ≥ y.
    fn least_sum_reaching(&self, y: i64) -> i128 {
        let y = y as i128;
        if self.r <= 0 {
            // An exact left shift: S · 2^-r ≥ y.
            let m = 1i128 << (-self.r) as u32;
            return y.div_euclid(m) + i128::from(y.rem_euclid(m) != 0);
        }
        let rs = |s: i128| round_shift(s, self.r, self.rounding);
        let mut s = (y << self.r as u32) - (1i128 << (self.r - 1) as u32);
        // Ties differ between the modes by at most one step.
        while rs(s - 1) >= y {
            s -= 1;
        }
        while rs(s) < y {
            s += 1;
        }
        s
    }

    /// The interval of sums whose output, rounded and saturated, lies in [lo, hi] (`None`:
    /// unbounded on that side, as saturation holds every sum beyond the end code there).
    fn sums(&self, (lo, hi): (i64, i64)) -> (Option<i128>, Option<i128>) {
        let smin = (lo > self.ymin).then(|| self.least_sum_reaching(lo));
        let smax = (hi < self.ymax).then(|| self.least_sum_reaching(hi + 1) - 1);
        (smin, smax)
    }

    /// The intercept codes b with S = k·x + b·2^A in [smin, smax], intersected with `b`.
    fn narrow(&self, k: i64, x: i64, s: (Option<i128>, Option<i128>), b: (i64, i64)) -> (i64, i64) {
        let kx = k as i128 * x as i128;
        // Dividing by 2^A: an arithmetic right shift is the floor, and ceil(d) = −floor(−d).
        let lo = match s.0 {
            Some(smin) => -((kx - smin) >> self.a),
            None => i128::MIN,
        };
        let hi = match s.1 {
            Some(smax) => (smax - kx) >> self.a,
            None => i128::MAX,
        };
        (
            lo.max(b.0 as i128).min(i64::MAX as i128) as i64,
            hi.min(b.1 as i128).max(i64::MIN as i128) as i64,
        )
    }
}

/// The slope codes still admissible for an open segment, each with its interval of intercept
/// codes (k, b_lo, b_hi).
type Alive = Vec<(i64, i64, i64)>;

/// One segment of a greedy table: its first code index, its slope and intercept codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    pub start: usize,
    pub k: i64,
    pub b: i64,
}

/// The greedy segmentation of code indices [from, to) at bound `e`, or `None` when some code
/// cannot be met at all or more than `limit` segments are needed.
fn greedy(
    p: &ScaleProblem,
    sh: &Shape,
    from: usize,
    to: usize,
    e: f64,
    limit: usize,
) -> Option<Vec<Piece>> {
    let ys = pow2(-p.dp.output.frac);
    // Every code must be met on its own: its interval of sums, or no table at this bound.
    let sums: Vec<Sums> = (from..to)
        .map(|t| allowed(p.f[t], e, ys, sh.ymin, sh.ymax).map(|a| sh.sums(a)))
        .collect::<Option<_>>()?;
    let run = Run {
        p,
        sh,
        sums: &sums,
        from,
        to,
    };
    if run.hulls_fit() {
        return run.enveloped(limit);
    }
    if p.breakpoint_step() > 0 {
        return run.stepped(limit);
    }
    let mut pieces: Vec<Piece> = Vec::new();
    let mut start = from;
    while start < to {
        let (end, alive) = run.plain(start)?;
        pieces.push(choose(p, start, end, &alive));
        if end < to && pieces.len() >= limit {
            return None;
        }
        start = end;
    }
    Some(pieces)
}

/// A code's interval of sums (`None`: unbounded on that side).
type Sums = (Option<i128>, Option<i128>);

/// One greedy pass's codes and their sum intervals.
struct Run<'a> {
    p: &'a ScaleProblem,
    sh: &'a Shape,
    sums: &'a [Sums],
    from: usize,
    to: usize,
}

impl Run<'_> {
    fn code(&self, t: usize) -> (i64, Sums) {
        (self.p.lo + t as i64, self.sums[t - self.from])
    }

    /// The pairs of `alive` that also admit code t.
    fn narrow(&self, alive: &[(i64, i64, i64)], t: usize, out: &mut Alive) {
        let (x, s) = self.code(t);
        out.clear();
        for &(k, lo, hi) in alive {
            let b = self.sh.narrow(k, x, s, (lo, hi));
            if b.0 <= b.1 {
                out.push((k, b.0, b.1));
            }
        }
    }

    /// Every pair with a slope code in [klo, khi] that admits code t.
    fn fresh(&self, t: usize, klo: i64, khi: i64) -> Alive {
        let sh = self.sh;
        let (x, s) = self.code(t);
        (klo..=khi)
            .filter_map(|k| {
                let b = sh.narrow(k, x, s, (sh.bmin, sh.bmax));
                (b.0 <= b.1).then_some((k, b.0, b.1))
            })
            .collect()
    }

    /// The longest admissible run from `start`, code by code: its end and its pairs; `None`
    /// when not even code `start` alone is admitted.
    fn plain(&self, start: usize) -> Option<(usize, Alive)> {
        let mut alive = self.fresh(start, self.sh.kmin, self.sh.kmax);
        if alive.is_empty() {
            return None;
        }
        let mut next = Vec::new();
        for t in start + 1..self.to {
            self.narrow(&alive, t, &mut next);
            if next.is_empty() {
                return Some((t, alive));
            }
            std::mem::swap(&mut alive, &mut next);
        }
        Some((self.to, alive))
    }

    /// The greedy pass when segments may start only on multiples of the breakpoint step: each
    /// segment ends at the last allowed place before the run breaks.
    fn stepped(&self, limit: usize) -> Option<Vec<Piece>> {
        let p = self.p;
        let mut pieces: Vec<Piece> = Vec::new();
        let mut start = self.from;
        while start < self.to {
            let mut alive = self.fresh(start, self.sh.kmin, self.sh.kmax);
            if alive.is_empty() {
                return None;
            }
            let mut cut: Option<(usize, Alive)> = None;
            let mut next = Vec::new();
            let mut end = self.to;
            for t in start + 1..self.to {
                if p.may_start(t) {
                    cut = Some((t, alive.clone()));
                }
                self.narrow(&alive, t, &mut next);
                if next.is_empty() {
                    let (c, pairs) = cut.take()?;
                    end = c;
                    alive = pairs;
                    break;
                }
                std::mem::swap(&mut alive, &mut next);
            }
            pieces.push(choose(p, start, end, &alive));
            if end < self.to && pieces.len() >= limit {
                return None;
            }
            start = end;
        }
        Some(pieces)
    }
    /// Whether the sums, codes and coefficients are small enough for the hulls' exact i128
    /// arithmetic (always, short of INT32-wide sums); the slope-by-slope pass otherwise.
    fn hulls_fit(&self) -> bool {
        let sum_abs = self
            .sums
            .iter()
            .flat_map(|&(a, b)| [a, b])
            .flatten()
            .map(i128::abs)
            .max()
            .unwrap_or(0);
        let p = self.p;
        let x_abs = p.lo.abs().max((p.lo + p.n() as i64).abs());
        let sh = self.sh;
        crate::envelope::fits_i128(
            sum_abs,
            x_abs,
            sh.kmin.abs().max(sh.kmax.abs()),
            sh.a,
            sh.bmin.abs().max(sh.bmax.abs()),
        )
    }

    fn envelope(&self) -> Envelope {
        let sh = self.sh;
        Envelope::new(sh.a, (sh.kmin, sh.kmax), (sh.bmin, sh.bmax))
    }

    /// The longest admissible run from `start` (its end) and the envelope of its codes,
    /// `None` when not even code `start` alone is admitted. One admitted pair is carried
    /// along; only a code it does not admit asks the envelope for another.
    fn longest(&self, start: usize) -> Option<(usize, Envelope)> {
        let mut env = self.envelope();
        let mut pair = env.witness(Some(self.code(start)))?;
        env.push(self.code(start));
        for t in start + 1..self.to {
            let c = self.code(t);
            if !env.pair_admits(pair, c) {
                match env.witness(Some(c)) {
                    Some(w) => pair = w,
                    None => return Some((t, env)),
                }
            }
            env.push(c);
        }
        Some((self.to, env))
    }

    /// The greedy pass through the envelope: the table `plain` and `stepped` give, without a
    /// step per admitted slope per code. With a breakpoint step a segment ends at the last
    /// allowed place up to where its run breaks.
    fn enveloped(&self, limit: usize) -> Option<Vec<Piece>> {
        let p = self.p;
        let mut pieces: Vec<Piece> = Vec::new();
        let mut start = self.from;
        while start < self.to {
            let (brk, mut env) = self.longest(start)?;
            let end = if brk == self.to || p.breakpoint_step() == 0 {
                brk
            } else {
                let cut = (start + 1..=brk).rev().find(|&c| p.may_start(c))?;
                if cut < brk {
                    env = self.envelope();
                    (start..cut).for_each(|t| env.push(self.code(t)));
                }
                cut
            };
            pieces.push(choose(p, start, end, &env.alive()));
            if end < self.to && pieces.len() >= limit {
                return None;
            }
            start = end;
        }
        Some(pieces)
    }
}

/// Of the admissible pairs of segment [i, j), the one nearest the least-squares line: every
/// pair meets the bound, and this one also keeps the mean error low.
fn choose(p: &ScaleProblem, i: usize, j: usize, alive: &[(i64, i64, i64)]) -> Piece {
    let (k_ls, b_of) = p.least_squares(i, j);
    let &(k, lo, hi) = alive
        .iter()
        .min_by_key(|(k, _, _)| (k - k_ls).unsigned_abs())
        .expect("a segment closes only with admissible pairs");
    Piece {
        start: i,
        k,
        b: b_of(k).clamp(lo, hi),
    }
}

/// The least bound (in real output units) at which codes [from, to) fit in `limit` segments,
/// and the greedy table there.
fn least_bound(p: &ScaleProblem, from: usize, to: usize, limit: usize) -> (f64, Vec<Piece>) {
    let sh = Shape::of(p);
    if let Some(t) = greedy(p, &sh, from, to, 0.0, limit) {
        return (0.0, t);
    }
    // Non-negative doubles are ordered as their bit patterns. An admitted bound is lowered at
    // once to the error its greedy table really has (an attained value, at most the bound):
    // the least bound is one of those, so the search mostly jumps between them.
    // The bracket grows from a quarter LSB by doubling: a small bound fails fast (segments run
    // out early), while a huge one admits every slope code at every code.
    let (mut lo, mut hi) = (0u64, f64::MAX.to_bits());
    let mut best = None;
    let mut e = pow2(-p.dp.output.frac) / 4.0;
    while e.is_finite() {
        if let Some(t) = greedy(p, &sh, from, to, e, limit) {
            hi = pieces_err(p, &t, to).to_bits().clamp(lo + 1, e.to_bits());
            best = Some(t);
            break;
        }
        lo = e.to_bits();
        e *= 2.0;
    }
    if best.is_none() {
        best = greedy(p, &sh, from, to, f64::MAX, limit);
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        match greedy(p, &sh, from, to, f64::from_bits(mid), limit) {
            Some(t) => {
                let attained = pieces_err(p, &t, to).to_bits();
                hi = attained.clamp(lo + 1, mid);
                best = Some(t);
            }
            None => lo = mid,
        }
    }
    (
        f64::from_bits(hi),
        best.expect("one segment meets the largest bound: every sum saturates in range"),
    )
}

/// The largest error of greedy pieces over their codes (up to `to`).
fn pieces_err(p: &ScaleProblem, pieces: &[Piece], to: usize) -> f64 {
    let ys = pow2(-p.dp.output.frac);
    let mut worst = 0.0f64;
    let mut scratch = Vec::new();
    for (s, q) in pieces.iter().enumerate() {
        let end = pieces.get(s + 1).map_or(to, |n| n.start);
        let t = IntParams {
            breakpoints: vec![],
            slopes: vec![q.k],
            intercepts: vec![q.b],
        };
        golden::eval_range(
            &p.dp,
            &t,
            p.lo + q.start as i64..=p.lo + end as i64 - 1,
            &mut scratch,
        );
        for (smp, &f) in scratch.iter().zip(&p.f[q.start..end]) {
            worst = worst.max(err(smp.y, ys, f));
        }
    }
    worst
}

/// The minimax pair of the one segment [i, j) and its largest error.
pub fn fit(p: &ScaleProblem, i: usize, j: usize) -> (i64, i64, f64) {
    let (e, pieces) = least_bound(p, i, j, 1);
    (pieces[0].k, pieces[0].b, e)
}

/// The minimax table of `k` segments (fewer when there are fewer places to start one): segment starts
/// as code indices, the first 0, and the table's largest error in real output units. When the
/// least bound needs fewer segments, the longest are split (both halves keep their pair).
pub fn solve(p: &ScaleProblem, k: usize) -> (Vec<Piece>, f64) {
    let k = k.clamp(1, p.starts().len());
    let (e, mut pieces) = least_bound(p, 0, p.n(), k);
    // Split the longest segment that has a place to split at, near its middle.
    while pieces.len() < k {
        let end = |s: usize| pieces.get(s + 1).map_or(p.n(), |q: &Piece| q.start);
        let split = |s: usize| {
            let (a, b) = (pieces[s].start, end(s));
            let mid = a + (b - a) / 2;
            (a + 1..b)
                .filter(|&i| p.may_start(i))
                .min_by_key(|&i| i.abs_diff(mid))
        };
        let Some((s, at)) = (0..pieces.len())
            .filter_map(|s| split(s).map(|at| (s, at)))
            .max_by_key(|&(s, _)| (end(s) - pieces[s].start, usize::MAX - s))
        else {
            break;
        };
        let piece = Piece {
            start: at,
            ..pieces[s]
        };
        pieces.insert(s + 1, piece);
    }
    (pieces, e)
}

/// The fewest segments whose minimax table meets bound `e` (real output units), if at most
/// `limit` do.
pub fn min_segments(p: &ScaleProblem, e: f64, limit: usize) -> Option<usize> {
    greedy(p, &Shape::of(p), 0, p.n(), e, limit).map(|t| t.len())
}

/// The table of `pieces`, padded to `k` segments as every method pads.
pub fn params(p: &ScaleProblem, pieces: &[Piece], k: usize) -> IntParams {
    let n = p.n();
    let mut out = IntParams::default();
    for (s, piece) in pieces.iter().enumerate() {
        if s > 0 {
            out.breakpoints.push(p.lo + piece.start as i64);
        }
        out.slopes.push(piece.k);
        out.intercepts.push(piece.b);
    }
    crate::problem::pad(&mut out, k, p.lo, p.lo + n as i64 - 1, p.dp.input);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Objective;
    use lutforge_core::{Builtin, FixedFormat, Formats, Function, Rounding};

    fn small(f: Builtin, domain: (f64, f64), frac: i32, rounding: Rounding) -> ScaleProblem {
        let func = Function::Builtin(f);
        let mut formats = Formats::default_for(&func, domain);
        formats.input_bits = 6;
        formats.slope = FixedFormat::new(5, 3);
        formats.intercept = FixedFormat::new(6, 4);
        formats.output = FixedFormat::new(5, 3);
        formats.rounding = rounding;
        ScaleProblem::new(&func, domain, formats.datapath(frac), Objective::MaxErr).unwrap()
    }

    /// The largest error of one pair over [i, j), through the golden model.
    fn pair_err(p: &ScaleProblem, i: usize, j: usize, k: i64, b: i64) -> f64 {
        let t = IntParams {
            breakpoints: vec![],
            slopes: vec![k],
            intercepts: vec![b],
        };
        let mut s = Vec::new();
        golden::eval_range(&p.dp, &t, p.lo + i as i64..=p.lo + j as i64 - 1, &mut s);
        let ys = pow2(-p.dp.output.frac);
        s.iter()
            .zip(&p.f[i..j])
            .map(|(s, &t)| err(s.y, ys, t))
            .fold(0.0, f64::max)
    }

    /// The minimax of one segment over every (k, b) code pair.
    fn brute_pair(p: &ScaleProblem, i: usize, j: usize) -> f64 {
        let mut best = f64::INFINITY;
        for k in p.dp.slope.min_code()..=p.dp.slope.max_code() {
            for b in p.dp.intercept.min_code()..=p.dp.intercept.max_code() {
                best = best.min(pair_err(p, i, j, k, b));
            }
        }
        best
    }

    /// The minimax over every partition into `left` runs, segments by brute force.
    fn brute(p: &ScaleProblem, start: usize, left: usize, memo: &mut [Vec<f64>]) -> f64 {
        let n = p.n();
        if left == 1 {
            return memo[start][n];
        }
        (start + 1..=n - (left - 1))
            .map(|j| memo[start][j].max(brute(p, j, left - 1, memo)))
            .fold(f64::INFINITY, f64::min)
    }

    #[test]
    fn equals_brute_force_over_pairs_and_partitions() {
        for (f, dom, frac, rounding) in [
            (Builtin::Gelu, (-2.0, 2.0), 1, Rounding::HalfUp),
            (Builtin::Exp, (-3.0, 0.0), 2, Rounding::Truncate),
            (Builtin::Reciprocal, (0.5, 2.0), 2, Rounding::HalfEven),
            (Builtin::Tanh, (-1.0, 1.5), 2, Rounding::HalfUp),
            (Builtin::Sigmoid, (-3.5, 3.5), 1, Rounding::Truncate),
        ] {
            let p = small(f, dom, frac, rounding);
            let n = p.n();
            assert!(n <= 16, "{n} codes");
            let mut memo = vec![vec![f64::INFINITY; n + 1]; n + 1];
            for (i, row) in memo.iter_mut().enumerate().take(n) {
                for (j, cell) in row.iter_mut().enumerate().skip(i + 1) {
                    *cell = brute_pair(&p, i, j);
                    let (k, b, e) = fit(&p, i, j);
                    assert_eq!(e, *cell, "{f:?} [{i},{j})");
                    assert_eq!(pair_err(&p, i, j, k, b), e, "{f:?} [{i},{j}) pair");
                }
            }
            for k in 1..=4 {
                let want = brute(&p, 0, k.min(n), &mut memo);
                let (pieces, e) = solve(&p, k);
                assert_eq!(e, want, "{f:?} K={k}");
                assert_eq!(pieces.len(), k.min(n));
                let t = params(&p, &pieces, k);
                assert_eq!(p.max_err(&t, &mut Vec::new()), e, "{f:?} K={k}: the table");
                // The fewest segments for that bound is at most K, and one fewer misses it
                // whenever the bound improved with the K-th segment.
                let m = min_segments(&p, e, 64).unwrap();
                assert!(m <= k.min(n));
            }
        }
    }

    #[test]
    fn the_envelope_pass_equals_the_slope_by_slope_one() {
        // 10-bit gelu: long segments, many slopes admitted, breakpoint steps 0 and 3.
        let func = Function::Builtin(Builtin::Gelu);
        let d = func.default_domain();
        let mut formats = Formats::default_for(&func, d);
        formats.input_bits = 10;
        formats.slope = FixedFormat::new(10, 8);
        formats.intercept = FixedFormat::new(10, 7);
        formats.output = FixedFormat::new(10, 7);
        for step in [0, 3] {
            let p = ScaleProblem::new(&func, d, formats.datapath(7), Objective::MaxErr)
                .unwrap()
                .with_breakpoint_step(step);
            let sh = Shape::of(&p);
            let ys = pow2(-p.dp.output.frac);
            for e_lsb in [0.5, 0.75, 1.0, 2.0, 4.0, 64.0] {
                let e = e_lsb * ys;
                let sums: Vec<Sums> = (0..p.n())
                    .map(|t| sh.sums(allowed(p.f[t], e, ys, sh.ymin, sh.ymax).unwrap()))
                    .collect();
                let run = Run {
                    p: &p,
                    sh: &sh,
                    sums: &sums,
                    from: 0,
                    to: p.n(),
                };
                assert!(run.hulls_fit());
                let reference = if step > 0 {
                    run.stepped(usize::MAX)
                } else {
                    let mut plain = Vec::new();
                    let mut start = 0;
                    while start < p.n() {
                        let (end, alive) = run.plain(start).unwrap();
                        plain.push(choose(&p, start, end, &alive));
                        start = end;
                    }
                    Some(plain)
                };
                let got = run.enveloped(usize::MAX);
                assert_eq!(got, reference, "step {step}, bound {e_lsb} LSB");
                if let Some(t) = got.filter(|_| e_lsb <= 4.0) {
                    assert!(t.len() > 2, "step {step}, bound {e_lsb} LSB");
                }
            }
        }
    }

    #[test]
    fn a_breakpoint_step_keeps_the_minimax_proven() {
        for (f, dom, frac, rounding) in [
            (Builtin::Gelu, (-2.0, 2.0), 2, Rounding::HalfUp),
            (Builtin::Exp, (-3.0, 0.0), 2, Rounding::Truncate),
        ] {
            let p = small(f, dom, frac, rounding).with_breakpoint_step(1);
            let n = p.n();
            let mut memo = vec![vec![f64::INFINITY; n + 1]; n + 1];
            for (i, row) in memo.iter_mut().enumerate().take(n) {
                for (j, cell) in row.iter_mut().enumerate().skip(i + 1) {
                    *cell = brute_pair(&p, i, j);
                }
            }
            // Partitions with cuts on even codes only.
            fn go(p: &ScaleProblem, start: usize, left: usize, memo: &[Vec<f64>]) -> f64 {
                let n = p.n();
                if left == 1 {
                    return memo[start][n];
                }
                (start + 1..n)
                    .filter(|&j| p.may_start(j))
                    .map(|j| memo[start][j].max(go(p, j, left - 1, memo)))
                    .fold(f64::INFINITY, f64::min)
            }
            for k in 1..=3 {
                let (pieces, e) = solve(&p, k);
                assert_eq!(e, go(&p, 0, k, &memo), "{f:?} K={k}");
                assert!(pieces.iter().all(|q| p.may_start(q.start)));
                assert_eq!(p.max_err(&params(&p, &pieces, k), &mut Vec::new()), e);
            }
        }
    }

    #[test]
    fn more_segments_never_hurt_and_reach_correct_rounding() {
        let func = Function::Builtin(Builtin::Gelu);
        let d = func.default_domain();
        let dp = Formats::default_for(&func, d).datapath(4);
        let p = ScaleProblem::new(&func, d, dp, Objective::MaxErr).unwrap();
        let errs: Vec<f64> = [1, 2, 4, 8, 16].iter().map(|&k| solve(&p, k).1).collect();
        assert!(errs.windows(2).all(|w| w[1] <= w[0]), "{errs:?}");
        let lsb = pow2(-dp.output.frac);
        // Half an output LSB is the floor of any rounded output; enough segments reach it.
        let k = min_segments(&p, 0.5 * lsb, 64).unwrap();
        let (_, e) = solve(&p, k);
        assert!(e <= 0.5 * lsb);
        assert!(solve(&p, k - 1).1 > 0.5 * lsb);
    }
}
