//! The intercepts every slope admits over a run of codes, for all slopes at once.
//!
//! Code x admits the pairs (k, b) with smin_x ≤ k·x + b·2^A ≤ smax_x. Over a run, slope k
//! admits b from ⌈U(k)/2^A⌉ to ⌊L(k)/2^A⌋ with U(k) = max_x (smin_x − k·x) and L(k) =
//! min_x (smax_x − k·x) (rounding is monotone, so it commutes with the max and the min). U is
//! the support function of the upper convex hull of the points (x, smin_x), L that of the lower
//! hull of (x, smax_x): appending codes in increasing x keeps both hulls in amortized constant
//! time and answers one slope in logarithmic time, where a list of every admitted slope costs a
//! step per slope per code. The slack min(L − U, bmax·2^A − U, L − bmin·2^A) is concave in k, so
//! the slopes whose interval may be non-empty form one range, found by bisection; the integer
//! rounding of b decides inside it, slope by slope. Everything is exact integer arithmetic.

/// The upper convex hull of points pushed in increasing x: the maximum of y − k·x over them.
#[derive(Clone, Debug, Default)]
struct Upper {
    pts: Vec<(i128, i128)>,
}

impl Upper {
    fn push(&mut self, x: i128, y: i128) {
        while let [.., (x1, y1), (x2, y2)] = self.pts[..] {
            // The middle point on or below the chord from the one before it to the new one.
            if (y2 - y1) * (x - x1) <= (y - y1) * (x2 - x1) {
                self.pts.pop();
            } else {
                break;
            }
        }
        self.pts.push((x, y));
    }

    fn max(&self, k: i128) -> Option<i128> {
        if self.pts.is_empty() {
            return None;
        }
        // Edge slopes fall along the hull: y − k·x rises over every edge steeper than k.
        let (mut lo, mut hi) = (0, self.pts.len() - 1);
        while lo < hi {
            let m = (lo + hi) / 2;
            let ((x1, y1), (x2, y2)) = (self.pts[m], self.pts[m + 1]);
            if y2 - y1 > k * (x2 - x1) {
                lo = m + 1;
            } else {
                hi = m;
            }
        }
        let (x, y) = self.pts[lo];
        Some(y - k * x)
    }
}

/// A code and its interval of sums (`None`: unbounded on that side).
pub(crate) type Code = (i64, (Option<i128>, Option<i128>));

/// The codes' ranges that keep every product in the hulls within i128.
pub(crate) fn fits_i128(sum_abs: i128, x_abs: i64, k_abs: i64, a: u32, b_abs: i64) -> bool {
    sum_abs < 1i128 << 100 && x_abs < 1 << 20 && k_abs < 1i64 << 40 && a <= 60 && b_abs < 1i64 << 62
}

/// The run's constraints on (k, b): slope codes in [kmin, kmax], intercept codes in [bmin,
/// bmax], sums S = k·x + b·2^A.
#[derive(Clone, Debug)]
pub(crate) struct Envelope {
    /// Points (x, smin_x): U.
    low: Upper,
    /// Points (x, −smax_x): −L(−k).
    high: Upper,
    a: u32,
    pub(crate) kmin: i64,
    pub(crate) kmax: i64,
    bmin: i64,
    bmax: i64,
}

impl Envelope {
    pub(crate) fn new(a: u32, (kmin, kmax): (i64, i64), (bmin, bmax): (i64, i64)) -> Envelope {
        Envelope {
            low: Upper::default(),
            high: Upper::default(),
            a,
            kmin,
            kmax,
            bmin,
            bmax,
        }
    }

    pub(crate) fn push(&mut self, (x, (smin, smax)): Code) {
        if let Some(s) = smin {
            self.low.push(x.into(), s);
        }
        if let Some(s) = smax {
            self.high.push(x.into(), -s);
        }
    }

    /// U(k) and L(k) over the run and `extra` (a code not yet pushed).
    fn ul(&self, k: i64, extra: Option<Code>) -> (Option<i128>, Option<i128>) {
        let k = i128::from(k);
        let mut u = self.low.max(k);
        let mut l = self.high.max(-k).map(|v| -v);
        if let Some((x, (smin, smax))) = extra {
            let kx = k * i128::from(x);
            if let Some(s) = smin {
                u = Some(u.map_or(s - kx, |u| u.max(s - kx)));
            }
            if let Some(s) = smax {
                l = Some(l.map_or(s - kx, |l| l.min(s - kx)));
            }
        }
        (u, l)
    }

    /// The intercept codes slope k admits (empty when lo > hi).
    pub(crate) fn intercepts(&self, k: i64, extra: Option<Code>) -> (i64, i64) {
        let (u, l) = self.ul(k, extra);
        // ⌈u/2^A⌉ = −⌊−u/2^A⌋, and an arithmetic right shift is the floor.
        let lo = u.map_or(self.bmin, |u| {
            (-((-u) >> self.a)).max(self.bmin.into()) as i64
        });
        let hi = l.map_or(self.bmax, |l| (l >> self.a).min(self.bmax.into()) as i64);
        // Clamped to [bmin, bmax] on one side each; the other side only matters when lo ≤ hi.
        (lo.max(self.bmin), hi.min(self.bmax))
    }

    fn admits(&self, k: i64, extra: Option<Code>) -> bool {
        let (u, l) = self.ul(k, extra);
        let lo = u.map_or(i128::from(self.bmin), |u| {
            (-((-u) >> self.a)).max(self.bmin.into())
        });
        let hi = l.map_or(i128::from(self.bmax), |l| {
            (l >> self.a).min(self.bmax.into())
        });
        lo <= hi
    }

    /// The concave slack of slope k (`None`: no constraint at all).
    fn slack(&self, k: i64, extra: Option<Code>) -> Option<i128> {
        let (u, l) = self.ul(k, extra);
        let bmax = i128::from(self.bmax) << self.a;
        let bmin = i128::from(self.bmin) << self.a;
        match (u, l) {
            (None, None) => None,
            (Some(u), None) => Some(bmax - u),
            (None, Some(l)) => Some(l - bmin),
            (Some(u), Some(l)) => Some((l - u).min(bmax - u).min(l - bmin)),
        }
    }

    /// The range of slopes outside of which none is admitted, and the slope of most slack in
    /// it: (first, peak, last); `None` when no slope has non-negative slack.
    fn range(&self, extra: Option<Code>) -> Option<(i64, i64, i64)> {
        let (kmin, kmax) = (self.kmin, self.kmax);
        let h = |k| self.slack(k, extra);
        if h(kmin).is_none() {
            return Some((kmin, kmin + (kmax - kmin) / 2, kmax));
        }
        // The first slope from which the slack no longer rises (a maximum: it is concave).
        let (mut lo, mut hi) = (kmin, kmax);
        while lo < hi {
            let m = lo + (hi - lo) / 2;
            if h(m + 1) <= h(m) {
                hi = m;
            } else {
                lo = m + 1;
            }
        }
        let peak = lo;
        if h(peak) < Some(0) {
            return None;
        }
        let (mut a, mut b) = (kmin, peak);
        while a < b {
            let m = a + (b - a) / 2;
            if h(m) >= Some(0) {
                b = m;
            } else {
                a = m + 1;
            }
        }
        let first = a;
        let (mut a, mut b) = (peak, kmax);
        while a < b {
            let m = a + (b - a + 1) / 2;
            if h(m) >= Some(0) {
                a = m;
            } else {
                b = m - 1;
            }
        }
        Some((first, peak, a))
    }

    /// An admitted pair over the run and `extra`, searched outward from the slope of most
    /// slack (the pair least likely to be refused by the codes that follow).
    pub(crate) fn witness(&self, extra: Option<Code>) -> Option<(i64, i64)> {
        let (first, peak, last) = self.range(extra)?;
        let reach = (peak - first).max(last - peak);
        for d in 0..=reach {
            for k in [peak + d, peak - d] {
                if (first..=last).contains(&k) && self.admits(k, extra) {
                    let (lo, hi) = self.intercepts(k, extra);
                    return Some((k, lo + (hi - lo) / 2));
                }
                if d == 0 {
                    break;
                }
            }
        }
        None
    }

    /// Every admitted slope of the run with its intercept interval, slopes ascending.
    pub(crate) fn alive(&self) -> Vec<(i64, i64, i64)> {
        let Some((first, _, last)) = self.range(None) else {
            return Vec::new();
        };
        (first..=last)
            .filter_map(|k| {
                let (lo, hi) = self.intercepts(k, None);
                (lo <= hi).then_some((k, lo, hi))
            })
            .collect()
    }

    /// Whether pair (k, b) admits `code`.
    pub(crate) fn pair_admits(&self, (k, b): (i64, i64), (x, (smin, smax)): Code) -> bool {
        let s = i128::from(k) * i128::from(x) + (i128::from(b) << self.a);
        smin.is_none_or(|m| s >= m) && smax.is_none_or(|m| s <= m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Every admitted pair, by trying each one on each code.
    fn brute(codes: &[Code], e: &Envelope) -> Vec<(i64, i64, i64)> {
        let mut out = Vec::new();
        for k in e.kmin..=e.kmax {
            let bs: Vec<i64> = (e.bmin..=e.bmax)
                .filter(|&b| codes.iter().all(|&c| e.pair_admits((k, b), c)))
                .collect();
            if let (Some(&lo), Some(&hi)) = (bs.first(), bs.last()) {
                // Admitted intercepts of one slope are an interval.
                assert_eq!(bs.len() as i64, hi - lo + 1);
                out.push((k, lo, hi));
            }
        }
        out
    }

    #[test]
    fn the_hulls_admit_exactly_what_each_pair_tried_admits() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for case in 0..400 {
            let a = rng.gen_range(0..4u32);
            let mut e = Envelope::new(a, (-20, 20), (-30, 30));
            let mut codes: Vec<Code> = Vec::new();
            let (k0, b0) = (rng.gen_range(-8..8i64), rng.gen_range(-20..20i64));
            let mut x = rng.gen_range(-10..10i64);
            for _ in 0..rng.gen_range(1..12) {
                let s = k0 * x + (b0 << a) + rng.gen_range(-6..6i64);
                let w = rng.gen_range(0..10i64);
                let lo = (rng.gen_range(0..8) > 0).then_some(i128::from(s - w));
                let hi = (rng.gen_range(0..8) > 0).then_some(i128::from(s + w));
                codes.push((x, (lo, hi)));
                x += rng.gen_range(1..4);
            }
            for (n, &c) in codes.iter().enumerate() {
                // Before pushing: the code as `extra` decides as pushing it would.
                let want = brute(&codes[..=n], &e);
                let w = e.witness(Some(c));
                assert_eq!(w.is_some(), !want.is_empty(), "case {case} code {n}");
                if let Some(w) = w {
                    assert!(codes[..=n].iter().all(|&c| e.pair_admits(w, c)));
                }
                e.push(c);
                assert_eq!(e.alive(), want, "case {case} code {n}");
            }
        }
    }
}
