//! One input scale of a search: the evaluation codes, the true values, prefix sums, and the
//! best representable (slope, intercept) of any run of consecutive codes.
//!
//! Every method reduces to "which codes share a segment"; the per-segment fit lives here so the
//! exact optimizer and the GA use the very same segment cost, which makes the GA's reported gap
//! to the optimum meaningful (it can never be negative).

use lutforge_core::format::pow2;
use lutforge_core::golden::{self, Datapath, IntParams, Sample};
use lutforge_core::metrics::eval_codes;
use lutforge_core::{Function, Rounding};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock};

/// What a segment's coefficients minimize.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// Squared error of the wide sum (design `pwl_mse`): prefix sums make a candidate O(1),
    /// and the optimum is proven.
    Pwl,
    /// Squared error of the hardware output (design `mse`), output rounding included: every
    /// candidate pair is run through the golden model.
    Hw,
    /// Largest absolute error of the hardware output (design `max_err`), rounding and
    /// saturation included: a whole-table objective, solved by `minimax` (which builds on this
    /// module, so this one does not call it). A segment's own `fit` under it is the `mse` one;
    /// the per-segment minimax is `minimax::fit`.
    MaxErr,
}

impl Objective {
    pub fn name(self) -> &'static str {
        match self {
            Objective::Pwl => "pwl_mse",
            Objective::Hw => "mse",
            Objective::MaxErr => "max_err",
        }
    }
}

/// The coefficients chosen for one segment and its summed squared error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub k: i64,
    pub b: i64,
    pub sse: f64,
}

/// Upper bound on the slope codes visited on either side of the least-squares slope, so that
/// absurdly wide coefficient formats cannot make one segment fit run for hours.
const MAX_K_STEPS: i64 = 1 << 16;

/// The evaluation set of one scale and everything the fits need about it.
pub struct ScaleProblem {
    pub frac: i32,
    pub dp: Datapath,
    /// First evaluation code; code index i stands for code `lo + i`.
    pub lo: i64,
    /// True function values at the evaluation codes.
    pub f: Vec<f64>,
    /// Prefix sums of (x, x², f, x·f, f²) in real units, n + 1 entries.
    prefix: Vec<[f64; 5]>,
    /// Lazily filled fits of segments [i, j), shared by GA individuals and the exact DP.
    cache: Cache,
    objective: Objective,
    /// Breakpoints only on multiples of 2^step input codes (0: on any code).
    step: u32,
}

/// Largest evaluation set whose segment fits are cached in a dense table (n(n+1)/2 entries);
/// larger ones (wide inputs at fine scales, `ga` only) cache the segments they visit in a map.
const MAX_CACHED_CODES: usize = 2048;

/// Shards of the sparse cache, so parallel fitness evaluations rarely wait for each other.
const SHARDS: usize = 16;

enum Cache {
    Dense(Vec<OnceLock<Fit>>),
    Sparse(Vec<Mutex<HashMap<(usize, usize), Fit>>>),
}

/// A shard's map even if another thread panicked while holding it (the map stays consistent:
/// entries are inserted whole).
fn lock(m: &Mutex<HashMap<(usize, usize), Fit>>) -> MutexGuard<'_, HashMap<(usize, usize), Fit>> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ScaleProblem {
    /// `None` when no input code of this scale lies in the domain.
    pub fn new(
        f: &Function,
        domain: (f64, f64),
        dp: Datapath,
        objective: Objective,
    ) -> Option<ScaleProblem> {
        let codes = eval_codes(dp.input, domain);
        if codes.is_empty() {
            return None;
        }
        let lo = *codes.start();
        let xs = pow2(-dp.input.frac);
        let fv: Vec<f64> = codes.clone().map(|c| f.eval(c as f64 * xs)).collect();
        let mut prefix = Vec::with_capacity(fv.len() + 1);
        let mut acc = [0.0f64; 5];
        prefix.push(acc);
        for (c, &y) in codes.zip(&fv) {
            let x = c as f64 * xs;
            acc[0] += x;
            acc[1] += x * x;
            acc[2] += y;
            acc[3] += x * y;
            acc[4] += y * y;
            prefix.push(acc);
        }
        let n = fv.len();
        let cache = if n <= MAX_CACHED_CODES && objective != Objective::MaxErr {
            Cache::Dense((0..n * (n + 1) / 2).map(|_| OnceLock::new()).collect())
        } else {
            Cache::Sparse((0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect())
        };
        Some(ScaleProblem {
            frac: dp.input.frac,
            dp,
            lo,
            f: fv,
            prefix,
            cache,
            objective,
            step: 0,
        })
    }

    /// The same problem with breakpoints only on multiples of 2^`step` input codes: fewer
    /// places to cut, and comparators that could ignore the low `step` bits.
    pub fn with_breakpoint_step(mut self, step: u32) -> ScaleProblem {
        self.step = step;
        self
    }

    pub fn breakpoint_step(&self) -> u32 {
        self.step
    }

    /// Whether a segment may start at code index `i` (the first always does).
    #[inline]
    pub fn may_start(&self, i: usize) -> bool {
        i == 0 || (self.lo + i as i64).rem_euclid(1i64 << self.step) == 0
    }

    /// The code indices where a segment may start, 0 first, increasing.
    pub fn starts(&self) -> Vec<usize> {
        if self.step == 0 {
            return (0..self.n()).collect();
        }
        (0..self.n()).filter(|&i| self.may_start(i)).collect()
    }

    /// The cost of segment [i, j): from the shared cache when the evaluation set is small
    /// enough for a dense one, computed afresh otherwise (a sparse cache would keep every
    /// segment the exact optimizer visits).
    pub fn segment_cost(&self, i: usize, j: usize, scratch: &mut Vec<Sample>) -> f64 {
        match &self.cache {
            Cache::Dense(_) => self.fit(i, j, scratch).sse,
            Cache::Sparse(_) => self.fit_uncached(i, j, scratch).sse,
        }
    }

    pub fn objective(&self) -> Objective {
        self.objective
    }

    /// Number of evaluation codes.
    pub fn n(&self) -> usize {
        self.f.len()
    }

    fn tri(&self, i: usize, j: usize) -> usize {
        // Segment [i, j) with 0 ≤ i < j ≤ n: row i holds j = i+1..=n, n − i entries.
        i * self.n() - i * i.saturating_sub(1) / 2 + (j - i - 1)
    }

    /// Fit of the segment holding code indices [i, j) under the problem's objective, cached.
    pub fn fit(&self, i: usize, j: usize, scratch: &mut Vec<Sample>) -> Fit {
        match &self.cache {
            Cache::Dense(c) => *c[self.tri(i, j)].get_or_init(|| self.fit_uncached(i, j, scratch)),
            Cache::Sparse(shards) => {
                let shard = &shards[(i.wrapping_mul(31) ^ j) % SHARDS];
                if let Some(f) = lock(shard).get(&(i, j)) {
                    return *f;
                }
                // Computed outside the lock; a racing thread computes the same value.
                let f = self.fit_uncached(i, j, scratch);
                lock(shard).insert((i, j), f);
                f
            }
        }
    }

    pub fn fit_uncached(&self, i: usize, j: usize, scratch: &mut Vec<Sample>) -> Fit {
        match self.objective {
            Objective::Pwl => self.fit_pwl(i, j),
            Objective::Hw | Objective::MaxErr => self.fit_hw(i, j, scratch),
        }
    }

    /// The slope code nearest the least-squares line of codes [i, j), and for any slope code
    /// the intercept code nearest the mean residual.
    pub(crate) fn least_squares(&self, i: usize, j: usize) -> (i64, impl Fn(i64) -> i64 + '_) {
        let s = self.sums(i, j);
        let c = Coeffs::of(&self.dp);
        let (k, _) = c.ls_slope(&s);
        (k, move |k| c.best_b(&s, k))
    }

    fn sums(&self, i: usize, j: usize) -> Sums {
        let (a, b) = (&self.prefix[i], &self.prefix[j]);
        Sums {
            n: (j - i) as f64,
            x: b[0] - a[0],
            xx: b[1] - a[1],
            f: b[2] - a[2],
            xf: b[3] - a[3],
            ff: b[4] - a[4],
        }
    }

    /// Best pair for the wide sum. For a fixed slope the cost is a parabola in the intercept
    /// with its vertex at the mean residual, so the nearest intercept code (clamped) is optimal;
    /// over slopes the cost is bounded below by the parabola with a real intercept, which grows
    /// away from the least-squares slope, so the scan stops on each side once that bound
    /// exceeds the best pair found: the result is the proven minimum over all code pairs.
    pub fn fit_pwl(&self, i: usize, j: usize) -> Fit {
        let s = self.sums(i, j);
        let c = Coeffs::of(&self.dp);
        let eps = s.eps();
        let (k0, _) = c.ls_slope(&s);
        let eval = |k: i64| {
            let b = c.best_b(&s, k);
            Fit {
                k,
                b,
                sse: s.cost(c.kv(k), c.bv(b)),
            }
        };
        let mut best = eval(k0);
        for dir in [1i64, -1] {
            let mut k = k0 + dir;
            let mut steps = 0;
            while k >= c.kmin && k <= c.kmax && steps < MAX_K_STEPS {
                if s.conv(c.kv(k)) > best.sse + eps {
                    break;
                }
                let cand = eval(k);
                if cand.sse < best.sse {
                    best = cand;
                }
                k += dir;
                steps += 1;
            }
        }
        best
    }

    /// Best pair for the hardware output, every candidate run through the golden model.
    /// Output rounding moves each code's error by at most ρ, so a pair whose wide-sum error is
    /// E has output error at least (√E − √n·ρ)²; candidates are visited outward from the
    /// least-squares pair and each scan stops once that bound exceeds the best found. The bound
    /// ignores saturation, so a pair that is only good because it saturates is not sought out.
    pub fn fit_hw(&self, i: usize, j: usize, scratch: &mut Vec<Sample>) -> Fit {
        let s = self.sums(i, j);
        let c = Coeffs::of(&self.dp);
        let eps = s.eps();
        let rho = rounding_bound(&self.dp) * s.n.sqrt();
        let bound = |pwl: f64| {
            let r = (pwl.max(0.0).sqrt() - rho).max(0.0);
            r * r
        };
        let (k0, _) = c.ls_slope(&s);
        let b0 = c.best_b(&s, k0);
        let mut best = Fit {
            k: k0,
            b: b0,
            sse: self.hw_sse(i, j, k0, b0, scratch),
        };
        for kdir in [0i64, 1, -1] {
            let mut k = if kdir == 0 { k0 } else { k0 + kdir };
            let mut ksteps = 0;
            while k >= c.kmin && k <= c.kmax && ksteps < MAX_K_STEPS {
                let kv = c.kv(k);
                if bound(s.conv(kv)) > best.sse + eps {
                    break;
                }
                let bc = c.best_b(&s, k);
                for bdir in [0i64, 1, -1] {
                    let mut b = if bdir == 0 { bc } else { bc + bdir };
                    while b >= c.bmin && b <= c.bmax {
                        if bound(s.cost(kv, c.bv(b))) > best.sse + eps {
                            break;
                        }
                        if (k, b) != (best.k, best.b) {
                            let sse = self.hw_sse(i, j, k, b, scratch);
                            if sse < best.sse {
                                best = Fit { k, b, sse };
                            }
                        }
                        if bdir == 0 {
                            break;
                        }
                        b += bdir;
                    }
                }
                if kdir == 0 {
                    break;
                }
                k += kdir;
                ksteps += 1;
            }
        }
        best
    }

    /// Summed squared error of the golden model's output over codes [i, j) with one pair.
    pub fn hw_sse(&self, i: usize, j: usize, k: i64, b: i64, scratch: &mut Vec<Sample>) -> f64 {
        let p = IntParams {
            breakpoints: vec![],
            slopes: vec![k],
            intercepts: vec![b],
        };
        let lo = self.lo + i as i64;
        let hi = self.lo + j as i64 - 1;
        golden::eval_range(&self.dp, &p, lo..=hi, scratch);
        let ys = pow2(-self.dp.output.frac);
        scratch
            .iter()
            .zip(&self.f[i..j])
            .map(|(smp, &t)| {
                let e = smp.y as f64 * ys - t;
                e * e
            })
            .sum()
    }

    /// The table of this scale for segments starting at code indices `starts` (first is 0,
    /// strictly increasing): fitted coefficients, then padded to `k` segments when the domain
    /// holds fewer codes than segments.
    pub fn params(&self, starts: &[usize], k: usize, scratch: &mut Vec<Sample>) -> IntParams {
        let n = self.n();
        let mut p = IntParams::default();
        for (s, &i) in starts.iter().enumerate() {
            let j = starts.get(s + 1).copied().unwrap_or(n);
            let fit = self.fit(i, j, scratch);
            if s > 0 {
                p.breakpoints.push(self.lo + i as i64);
            }
            p.slopes.push(fit.k);
            p.intercepts.push(fit.b);
        }
        pad(&mut p, k, self.lo, self.lo + n as i64 - 1, self.dp.input);
        p
    }

    /// Mean squared error of the hardware output over the whole evaluation set (design `mse`),
    /// straight from the golden model: the GA's fitness.
    pub fn mse(&self, p: &IntParams, scratch: &mut Vec<Sample>) -> f64 {
        let hi = self.lo + self.n() as i64 - 1;
        golden::eval_range(&self.dp, p, self.lo..=hi, scratch);
        let ys = pow2(-self.dp.output.frac);
        let sse: f64 = scratch
            .iter()
            .zip(&self.f)
            .map(|(s, &t)| {
                let e = s.y as f64 * ys - t;
                e * e
            })
            .sum();
        sse / self.n() as f64
    }

    /// Mean squared error of the wide sum (design `pwl_mse`).
    pub fn pwl_mse(&self, p: &IntParams, scratch: &mut Vec<Sample>) -> f64 {
        let hi = self.lo + self.n() as i64 - 1;
        golden::eval_range(&self.dp, p, self.lo..=hi, scratch);
        let ss = pow2(-self.dp.product_frac());
        let sse: f64 = scratch
            .iter()
            .zip(&self.f)
            .map(|(s, &t)| {
                let e = s.sum as f64 * ss - t;
                e * e
            })
            .sum();
        sse / self.n() as f64
    }

    /// The objective's error of a table (a mean, or for `MaxErr` the largest).
    pub fn objective_mse(&self, p: &IntParams, scratch: &mut Vec<Sample>) -> f64 {
        match self.objective {
            Objective::Pwl => self.pwl_mse(p, scratch),
            Objective::Hw => self.mse(p, scratch),
            Objective::MaxErr => self.max_err(p, scratch),
        }
    }

    /// The largest output error of a table over the evaluation set, real output units.
    pub fn max_err(&self, p: &IntParams, scratch: &mut Vec<Sample>) -> f64 {
        let hi = self.lo + self.n() as i64 - 1;
        golden::eval_range(&self.dp, p, self.lo..=hi, scratch);
        let ys = pow2(-self.dp.output.frac);
        scratch
            .iter()
            .zip(&self.f)
            .map(|(s, &t)| (s.y as f64 * ys - t).abs())
            .fold(0.0, f64::max)
    }
}

/// Adds segments that no evaluation code reaches until the table has `k`: breakpoints on the
/// free codes above the domain (continuing the last segment), then below it (continuing the
/// first), so every breakpoint stays distinct and inputs outside the domain see the same line.
pub fn pad(p: &mut IntParams, k: usize, lo: i64, hi: i64, input: lutforge_core::FixedFormat) {
    let mut missing = k.saturating_sub(p.slopes.len());
    let mut above = hi + 1;
    while missing > 0 && above <= input.max_code() {
        p.breakpoints.push(above);
        p.slopes
            .push(*p.slopes.last().expect("at least one segment"));
        p.intercepts
            .push(*p.intercepts.last().expect("at least one segment"));
        above += 1;
        missing -= 1;
    }
    let mut below = lo;
    while missing > 0 && below > input.min_code() {
        p.breakpoints.insert(0, below);
        p.slopes.insert(0, p.slopes[0]);
        p.intercepts.insert(0, p.intercepts[0]);
        below -= 1;
        missing -= 1;
    }
}

/// Largest change output rounding makes to one code's value, in real units.
fn rounding_bound(dp: &Datapath) -> f64 {
    if dp.out_shift() <= 0 {
        return 0.0;
    }
    let lsb = pow2(-dp.output.frac);
    match dp.rounding {
        Rounding::Truncate => lsb,
        Rounding::HalfUp | Rounding::HalfEven => lsb / 2.0,
    }
}

/// Sums over one segment in real units.
struct Sums {
    n: f64,
    x: f64,
    xx: f64,
    f: f64,
    xf: f64,
    ff: f64,
}

impl Sums {
    /// Σ (k x + b − f)² expanded over the sums.
    fn cost(&self, k: f64, b: f64) -> f64 {
        let v = k * k * self.xx + 2.0 * k * b * self.x - 2.0 * k * self.xf + self.n * b * b
            - 2.0 * b * self.f
            + self.ff;
        v.max(0.0)
    }

    /// min over real b of `cost(k, b)`: a lower bound for every intercept code.
    fn conv(&self, k: f64) -> f64 {
        let sxx = self.xx - self.x * self.x / self.n;
        let sxf = self.xf - self.x * self.f / self.n;
        let sff = self.ff - self.f * self.f / self.n;
        (k * k * sxx - 2.0 * k * sxf + sff).max(0.0)
    }

    /// Slack for rounding in the expanded sums, so a bound never prunes the true optimum.
    fn eps(&self) -> f64 {
        1e-12 * (self.ff.abs() + self.xx.abs() + self.f.abs() + self.n)
    }
}

/// Coefficient formats as the fits need them.
struct Coeffs {
    ks: f64,
    bs: f64,
    kmin: i64,
    kmax: i64,
    bmin: i64,
    bmax: i64,
}

impl Coeffs {
    fn of(dp: &Datapath) -> Coeffs {
        Coeffs {
            ks: pow2(-dp.slope.frac),
            bs: pow2(-dp.intercept.frac),
            kmin: dp.slope.min_code(),
            kmax: dp.slope.max_code(),
            bmin: dp.intercept.min_code(),
            bmax: dp.intercept.max_code(),
        }
    }

    fn kv(&self, k: i64) -> f64 {
        k as f64 * self.ks
    }

    fn bv(&self, b: i64) -> f64 {
        b as f64 * self.bs
    }

    /// The slope code nearest the least-squares slope (clamped), and that real slope.
    fn ls_slope(&self, s: &Sums) -> (i64, f64) {
        let sxx = s.xx - s.x * s.x / s.n;
        let sxf = s.xf - s.x * s.f / s.n;
        let k = if sxx > 1e-12 * (s.xx.abs() + 1.0) {
            sxf / sxx
        } else {
            0.0
        };
        (to_code(k / self.ks, self.kmin, self.kmax), k)
    }

    /// Nearest intercept code to the mean residual under slope code `k`.
    fn best_b(&self, s: &Sums, k: i64) -> i64 {
        let b = (s.f - self.kv(k) * s.x) / s.n;
        to_code(b / self.bs, self.bmin, self.bmax)
    }
}

fn to_code(v: f64, min: i64, max: i64) -> i64 {
    if v.is_nan() {
        return 0i64.clamp(min, max);
    }
    v.round().clamp(min as f64, max as f64) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use lutforge_core::{Builtin, FixedFormat, Formats};

    fn problem(frac: i32, objective: Objective) -> ScaleProblem {
        let f = Function::Builtin(Builtin::Gelu);
        let d = f.default_domain();
        let dp = Formats::default_for(&f, d).datapath(frac);
        ScaleProblem::new(&f, d, dp, objective).unwrap()
    }

    /// Every (k, b) code pair, the slow way.
    fn brute(p: &ScaleProblem, i: usize, j: usize, hw: bool) -> f64 {
        let mut scratch = Vec::new();
        let mut best = f64::INFINITY;
        for k in p.dp.slope.min_code()..=p.dp.slope.max_code() {
            for b in p.dp.intercept.min_code()..=p.dp.intercept.max_code() {
                let sse = if hw {
                    p.hw_sse(i, j, k, b, &mut scratch)
                } else {
                    (i..j)
                        .map(|t| {
                            let x = (p.lo + t as i64) as f64 * pow2(-p.frac);
                            let e = p.dp.slope.value(k) * x + p.dp.intercept.value(b) - p.f[t];
                            e * e
                        })
                        .sum()
                };
                best = best.min(sse);
            }
        }
        best
    }

    #[test]
    fn pwl_fit_is_the_minimum_over_all_pairs() {
        let p = problem(2, Objective::Pwl);
        for (i, j) in [(0, 1), (0, 2), (3, 9), (10, 33), (0, p.n())] {
            let fit = p.fit_pwl(i, j);
            let b = brute(&p, i, j, false);
            assert!(
                (fit.sse - b).abs() <= 1e-9 * (1.0 + b),
                "[{i},{j}) {fit:?} vs {b}"
            );
        }
    }

    #[test]
    fn hw_fit_matches_brute_force_on_small_segments() {
        let p = problem(3, Objective::Hw);
        let mut s = Vec::new();
        for (i, j) in [(0, 3), (5, 12), (20, 40)] {
            let fit = p.fit_hw(i, j, &mut s);
            assert_eq!(fit.sse, p.hw_sse(i, j, fit.k, fit.b, &mut s));
            let b = brute(&p, i, j, true);
            assert!(fit.sse <= b + 1e-12, "[{i},{j}) {fit:?} vs {b}");
        }
    }

    #[test]
    fn triangular_index_is_a_bijection() {
        let p = problem(0, Objective::Pwl);
        let n = p.n();
        let mut seen = vec![false; n * (n + 1) / 2];
        for i in 0..n {
            for j in i + 1..=n {
                let t = p.tri(i, j);
                assert!(!seen[t]);
                seen[t] = true;
            }
        }
        assert!(seen.iter().all(|&s| s));
    }

    #[test]
    fn padding_keeps_breakpoints_distinct_and_in_range() {
        let input = FixedFormat::new(4, 0);
        let mut p = IntParams {
            breakpoints: vec![2],
            slopes: vec![1, 2],
            intercepts: vec![3, 4],
        };
        pad(&mut p, 12, 0, 5, input);
        assert_eq!(p.breakpoints, vec![-7, -6, -5, -4, -3, -2, -1, 0, 2, 6, 7]);
        assert_eq!((p.slopes.len(), p.intercepts.len()), (12, 12));
        assert_eq!(p.slopes[0], 1);
        assert_eq!(p.intercepts[7], 3);
        assert_eq!(*p.slopes.last().unwrap(), 2);
    }
}
