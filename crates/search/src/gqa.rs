//! The published GQA-LUT algorithm (DAC 2024), reproduced so users can compare with it and our
//! improvements are measured against it: real-valued breakpoints evolved by DEAP's `eaSimple`
//! (tournament selection, two-point crossover, the "rounding mutation"), chord coefficients
//! rounded to the coefficient format, fitness `grid_mse`.

use crate::ga::{tournament, two_point};
use crate::rng::{gaussian, Rng};
use lutforge_core::format::pow2;
use lutforge_core::metrics::grid;
use lutforge_core::{Builtin, Function};
use rand::Rng as _;
use std::ops::RangeInclusive;

#[derive(Clone, Debug, PartialEq)]
pub struct GqaSettings {
    pub population: usize,
    pub generations: usize,
    pub crossover: f64,
    pub mutation: f64,
    pub tournament: usize,
    /// Standard deviation of the Gaussian part of the mutation.
    pub sigma: f64,
    /// Decimal bits j of the rounding mutation (round a gene to a multiple of 2^-j).
    pub decimal_bits: RangeInclusive<i32>,
}

impl Default for GqaSettings {
    /// The published settings.
    fn default() -> Self {
        GqaSettings {
            population: 50,
            generations: 500,
            crossover: 0.7,
            mutation: 0.2,
            tournament: 3,
            sigma: 0.2,
            decimal_bits: 0..=6,
        }
    }
}

/// Where the outer segments' chords end. The reference uses ±10000 for gelu and hswish (swish
/// too), [-16, 0] for exp and the domain ends for reciprocal and 1/sqrt. Sigmoid, tanh and
/// softplus approach a line at both ends like gelu, so they get ±10000 as well: the outer
/// chords then follow the asymptotes (0 and 1, ±1, 0 and x). A user function is only known on
/// its samples, so its far points are the domain ends.
pub fn far_points(f: &Function, domain: (f64, f64)) -> (f64, f64) {
    match f {
        Function::Builtin(
            Builtin::Gelu
            | Builtin::Hswish
            | Builtin::Silu
            | Builtin::Sigmoid
            | Builtin::Tanh
            | Builtin::Softplus,
        ) => ((-10000.0f64).min(domain.0), 10000.0f64.max(domain.1)),
        Function::Builtin(Builtin::Exp) => ((-16.0f64).min(domain.0), domain.1),
        _ => domain,
    }
}

/// The real-valued result: one breakpoint set and the shared coefficients.
#[derive(Clone, Debug, PartialEq)]
pub struct GqaResult {
    pub breakpoints: Vec<f64>,
    /// Slopes, multiples of 2^-F_k.
    pub slopes: Vec<f64>,
    /// Intercepts, multiples of 2^-F_b.
    pub intercepts: Vec<f64>,
    pub grid_mse: f64,
}

/// The fitness of the reference, precomputed grid and all.
pub struct GridFitness<'a> {
    f: &'a Function,
    far: (f64, f64),
    xs: Vec<f64>,
    ys: Vec<f64>,
    k_step: f64,
    b_step: f64,
}

impl<'a> GridFitness<'a> {
    pub fn new(f: &'a Function, domain: (f64, f64), slope_frac: i32, intercept_frac: i32) -> Self {
        // `check` refuses a domain whose grid exceeds MAX_GRID_POINTS before a run starts.
        let xs: Vec<f64> = grid(domain).map(|g| g.collect()).unwrap_or_default();
        let ys = xs.iter().map(|&x| f.eval(x)).collect();
        GridFitness {
            f,
            far: far_points(f, domain),
            xs,
            ys,
            k_step: pow2(-slope_frac),
            b_step: pow2(-intercept_frac),
        }
    }

    /// Chord coefficients of every segment for sorted breakpoints `bps`, rounded to the
    /// coefficient grid half-to-even (numpy's `round`); an empty segment gets (0, 0), as in
    /// the reference.
    pub fn coefficients(&self, bps: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let mut ends = Vec::with_capacity(bps.len() + 2);
        ends.push(self.far.0);
        ends.extend_from_slice(bps);
        ends.push(self.far.1);
        let fe: Vec<f64> = ends.iter().map(|&x| self.f.eval(x)).collect();
        let mut ks = Vec::with_capacity(ends.len() - 1);
        let mut bs = Vec::with_capacity(ends.len() - 1);
        for w in 0..ends.len() - 1 {
            let (a1, a2) = (ends[w], ends[w + 1]);
            let (k, b) = if a2 != a1 {
                let k = (fe[w + 1] - fe[w]) / (a2 - a1);
                (k, fe[w] - a1 * k)
            } else {
                (0.0, 0.0)
            };
            ks.push((k / self.k_step).round_ties_even() * self.k_step);
            bs.push((b / self.b_step).round_ties_even() * self.b_step);
        }
        (ks, bs)
    }

    /// `grid_mse` of sorted breakpoints `bps`; x equal to a breakpoint goes to the upper segment.
    pub fn eval(&self, bps: &[f64]) -> f64 {
        let (ks, bs) = self.coefficients(bps);
        let mut s = 0;
        let mut sum = 0.0;
        for (&x, &y) in self.xs.iter().zip(&self.ys) {
            while s < bps.len() && x >= bps[s] {
                s += 1;
            }
            let e = ks[s] * x + bs[s] - y;
            sum += e * e;
        }
        if self.xs.is_empty() {
            f64::NAN
        } else {
            sum / self.xs.len() as f64
        }
    }
}

/// Runs the reference algorithm; `progress(generation, best)` after every generation.
#[allow(clippy::too_many_arguments)]
pub fn run(
    f: &Function,
    domain: (f64, f64),
    k: usize,
    slope_frac: i32,
    intercept_frac: i32,
    set: &GqaSettings,
    rng: &mut Rng,
    progress: &mut dyn FnMut(usize, f64),
) -> GqaResult {
    let fit = GridFitness::new(f, domain, slope_frac, intercept_frac);
    let len = k.max(1) - 1;
    let (lo, hi) = domain;
    let eval = |g: &mut Vec<f64>| {
        // The reference sorts the individual in place before scoring it.
        g.sort_by(f64::total_cmp);
        fit.eval(g)
    };
    let mut pop: Vec<Vec<f64>> = (0..set.population)
        .map(|_| (0..len).map(|_| rng.gen_range(lo..hi)).collect())
        .collect();
    let mut fits: Vec<f64> = pop.iter_mut().map(eval).collect();
    for generation in 1..=set.generations {
        let sel: Vec<usize> = (0..pop.len())
            .map(|_| tournament(&fits, set.tournament, rng))
            .collect();
        let mut off: Vec<Vec<f64>> = sel.iter().map(|&i| pop[i].clone()).collect();
        let mut changed = vec![false; off.len()];
        for i in (1..off.len()).step_by(2) {
            if rng.gen::<f64>() < set.crossover {
                let (a, b) = off.split_at_mut(i);
                two_point(&mut a[i - 1], &mut b[0], rng);
                changed[i - 1] = true;
                changed[i] = true;
            }
        }
        for (g, c) in off.iter_mut().zip(changed.iter_mut()) {
            if rng.gen::<f64>() < set.mutation {
                rounding_mutation(g, (lo, hi), set, rng);
                *c = true;
            }
        }
        // Only changed individuals are scored again, as eaSimple does.
        fits = off
            .iter_mut()
            .zip(&changed)
            .zip(&sel)
            .map(|((g, &c), &i)| if c { eval(g) } else { fits[i] })
            .collect();
        pop = off;
        let best = fits.iter().copied().fold(f64::INFINITY, f64::min);
        progress(generation, best);
    }
    // Like the reference (`selBest` on the final population, no hall of fame).
    let mut best = 0;
    for (i, &v) in fits.iter().enumerate() {
        if v < fits[best] {
            best = i;
        }
    }
    let mut bps = pop.swap_remove(best);
    bps.sort_by(f64::total_cmp);
    let (slopes, intercepts) = fit.coefficients(&bps);
    GqaResult {
        grid_mse: fits[best],
        breakpoints: bps,
        slopes,
        intercepts,
    }
}

/// The reference's mutation: for each gene and each decimal bit count j of the range, one
/// uniform draw u decides — u in [0.05·i, 0.05·(i+1)) (i = j's position in the range) rounds
/// the gene to a multiple of 2^-j, u ≥ 0.9 adds Gaussian noise — and the gene is clamped to
/// the breakpoint range.
fn rounding_mutation(g: &mut [f64], range: (f64, f64), set: &GqaSettings, rng: &mut Rng) {
    for v in g.iter_mut() {
        for (i, j) in set.decimal_bits.clone().enumerate() {
            let u: f64 = rng.gen();
            if u >= 0.05 * i as f64 && u < 0.05 * (i + 1) as f64 {
                let s = pow2(j);
                *v = ((*v * s).round_ties_even() / s).clamp(range.0, range.1);
            } else if u >= 0.9 {
                *v += gaussian(rng) * set.sigma;
            }
        }
        *v = v.clamp(range.0, range.1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::seeded;

    #[test]
    fn chords_by_hand() {
        // gelu, one breakpoint at 0: chords (-10000, 0) and (0, 10000): slopes 0 and 1.
        let g = Function::Builtin(Builtin::Gelu);
        let fit = GridFitness::new(&g, (-4.0, 4.0), 6, 6);
        let (ks, bs) = fit.coefficients(&[0.0]);
        assert_eq!((ks, bs), (vec![0.0, 1.0], vec![0.0, 0.0]));
        // That table is ReLU; its grid error is the mean of (relu − gelu)².
        let want = grid((-4.0, 4.0))
            .unwrap()
            .map(|x| (x.max(0.0) - Builtin::Gelu.eval(x)).powi(2))
            .sum::<f64>()
            / 800.0;
        assert!((fit.eval(&[0.0]) - want).abs() < 1e-15);
        // exp on [-8, 0], breakpoint -1: chord (-16, -1) slope (e^-1 − e^-16)/15 = 0.02452…
        // → 2/64 after rounding, intercept e^-1 + 0.0245 = 0.3924 → 25/64; chord (-1, 0)
        // slope 1 − e^-1 = 0.632 → 40/64 = 0.625, intercept 1.
        let e = Function::Builtin(Builtin::Exp);
        let fit = GridFitness::new(&e, (-8.0, 0.0), 6, 6);
        let (ks, bs) = fit.coefficients(&[-1.0]);
        assert_eq!(ks, vec![2.0 / 64.0, 40.0 / 64.0]);
        assert_eq!(bs, vec![25.0 / 64.0, 1.0]);
        // Equal ends give the reference's (0, 0).
        let r = Function::Builtin(Builtin::Reciprocal);
        let fit = GridFitness::new(&r, (0.5, 4.0), 6, 6);
        let (ks, bs) = fit.coefficients(&[0.5, 2.0]);
        assert_eq!((ks[0], bs[0]), (0.0, 0.0));
        // Chord (0.5, 2): slope (0.5 − 2)/1.5 = -1, intercept 2 + 0.5; chord (2, 4): -1/8, 3/4.
        assert_eq!((ks[1], bs[1]), (-1.0, 2.5));
        assert_eq!((ks[2], bs[2]), (-0.125, 0.75));
    }

    #[test]
    fn mutation_rounds_and_clamps() {
        // With only j = 0 and u < 0.05 certain to happen some of the time, every gene stays in
        // range and rounded genes are whole numbers.
        let set = GqaSettings {
            decimal_bits: 0..=0,
            ..GqaSettings::default()
        };
        let mut rng = seeded(5, 0);
        let mut rounded = 0;
        for _ in 0..400 {
            let mut g = vec![1.3, -3.9];
            rounding_mutation(&mut g, (-4.0, 4.0), &set, &mut rng);
            assert!(g.iter().all(|v| (-4.0..=4.0).contains(v)));
            rounded += g.iter().filter(|v| v.fract() == 0.0).count();
        }
        // 800 genes, 5% rounded each: far from zero and far from all.
        assert!((10..200).contains(&rounded), "{rounded}");
    }

    #[test]
    fn small_run_is_reproducible_and_consistent() {
        let g = Function::Builtin(Builtin::Gelu);
        let set = GqaSettings {
            population: 10,
            generations: 20,
            ..GqaSettings::default()
        };
        let mut calls = 0;
        let a = run(
            &g,
            (-4.0, 4.0),
            4,
            6,
            6,
            &set,
            &mut seeded(1, 0),
            &mut |_, _| calls += 1,
        );
        assert_eq!(calls, 20);
        let b = run(
            &g,
            (-4.0, 4.0),
            4,
            6,
            6,
            &set,
            &mut seeded(1, 0),
            &mut |_, _| {},
        );
        assert_eq!(a, b);
        assert_eq!(a.breakpoints.len(), 3);
        assert!(a.breakpoints.windows(2).all(|w| w[0] <= w[1]));
        // The result is what the fitness says it is.
        let fit = GridFitness::new(&g, (-4.0, 4.0), 6, 6);
        assert_eq!(fit.eval(&a.breakpoints), a.grid_mse);
        // Three breakpoints beat the best single one at 0 (the ReLU table) by far.
        assert!(a.grid_mse < fit.eval(&[0.0]) / 2.0, "{}", a.grid_mse);
    }
}
