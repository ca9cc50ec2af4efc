//! The default method: an evolutionary search over breakpoint codes whose fitness is the
//! integer-exact error of the hardware output.
//!
//! Each scale has its own table, so the joint error over scales is a sum of independent terms
//! and each scale evolves its own population: a shared breakpoint vector would only force a
//! compromise between scales. An individual is the sorted list of code indices where segments
//! start; each segment gets its best representable pair (see `problem::ScaleProblem::fit_hw`),
//! and the fitness is the golden model's `mse` over the whole evaluation set.

use crate::problem::ScaleProblem;
use crate::rng::{gaussian, Rng};
use lutforge_core::golden::Sample;
use rand::Rng as _;
use rayon::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub struct GaSettings {
    pub population: usize,
    pub generations: usize,
    /// Stop after this many generations without improvement.
    pub patience: usize,
    /// Fresh populations (keeping the best) started after the search has converged.
    pub restarts: usize,
    pub crossover: f64,
    pub mutation: f64,
    pub tournament: usize,
}

impl Default for GaSettings {
    fn default() -> Self {
        GaSettings {
            population: 50,
            generations: 500,
            patience: 100,
            restarts: 2,
            crossover: 0.7,
            mutation: 0.2,
            tournament: 3,
        }
    }
}

/// The outcome at one scale.
#[derive(Clone, Debug)]
pub struct GaRun {
    /// Segment starts (code indices; the first is 0).
    pub starts: Vec<usize>,
    pub mse: f64,
    /// Best fitness of the initial population: the result is never worse.
    pub initial_best: f64,
    pub generations_run: usize,
}

/// Genome: the K'−1 code indices (1..n) where segments 2..K' start, strictly increasing.
type Genome = Vec<usize>;

fn starts_of(g: &Genome) -> Vec<usize> {
    std::iter::once(0).chain(g.iter().copied()).collect()
}

/// Number of genes for `k` segments over `n` codes.
fn genes(n: usize, k: usize) -> usize {
    k.clamp(1, n) - 1
}

/// The initial population: uniform random distinct split positions (Floyd's sampling).
pub fn initial_population(n: usize, k: usize, size: usize, rng: &mut Rng) -> Vec<Genome> {
    let len = genes(n, k);
    let pool = (n - 1) as u64; // positions 1..=n-1
    (0..size)
        .map(|_| {
            let mut set = std::collections::BTreeSet::new();
            for j in pool - len as u64..pool {
                let t = rng.gen_range(0..=j);
                if !set.insert(t) {
                    set.insert(j);
                }
            }
            set.into_iter().map(|v| v as usize + 1).collect()
        })
        .collect()
}

pub fn fitness(p: &ScaleProblem, k: usize, g: &Genome, scratch: &mut Vec<Sample>) -> f64 {
    let params = p.params(&starts_of(g), k, scratch);
    p.mse(&params, scratch)
}

fn evaluate(p: &ScaleProblem, k: usize, pop: &[Genome]) -> Vec<f64> {
    pop.par_iter()
        .map_init(Vec::new, |s, g| fitness(p, k, g, s))
        .collect()
}

/// Runs the GA at one scale; `progress(generation, best)` after every generation.
pub fn run(
    p: &ScaleProblem,
    k: usize,
    set: &GaSettings,
    rng: &mut Rng,
    progress: &mut dyn FnMut(usize, f64),
) -> GaRun {
    let n = p.n();
    let len = genes(n, k);
    let mut scratch = Vec::new();
    if len == 0 || len == n - 1 {
        // One segment, or every code its own: there is nothing to choose.
        let g: Genome = (1..=len).collect();
        let mse = fitness(p, k, &g, &mut scratch);
        progress(0, mse);
        return GaRun {
            starts: starts_of(&g),
            mse,
            initial_best: mse,
            generations_run: 0,
        };
    }
    let mut pop = initial_population(n, k, set.population, rng);
    let mut fit = evaluate(p, k, &pop);
    let best_i = argmin(&fit);
    let mut best = (pop[best_i].clone(), fit[best_i]);
    let initial_best = best.1;
    let mut stale = 0;
    let mut generation = 0;
    let mut restarts = 0;
    let mut polished = false;
    // The best of the finished (polished) runs.
    let mut overall: Option<(Genome, f64)> = None;
    while generation < set.generations {
        if stale >= set.patience {
            // Converged: settle the best, then, while restarts remain, evolve a fresh random
            // population independently — another basin for the price of a few generations.
            let (g, f) = polish(p, k, best.0, best.1, &mut scratch);
            if overall.as_ref().is_none_or(|o| f < o.1) {
                overall = Some((g.clone(), f));
            }
            best = (g, f);
            polished = true;
            if restarts == set.restarts {
                break;
            }
            restarts += 1;
            pop = initial_population(n, k, set.population, rng);
            fit = evaluate(p, k, &pop);
            let i = argmin(&fit);
            best = (pop[i].clone(), fit[i]);
            stale = 0;
        }
        polished = false;
        generation += 1;
        let mut off: Vec<Genome> = (0..pop.len())
            .map(|_| pop[tournament(&fit, set.tournament, rng)].clone())
            .collect();
        for i in (1..off.len()).step_by(2) {
            if rng.gen::<f64>() < set.crossover {
                let (a, b) = off.split_at_mut(i);
                two_point(&mut a[i - 1], &mut b[0], rng);
            }
        }
        for g in &mut off {
            if rng.gen::<f64>() < set.mutation {
                mutate(g, n, len, rng);
            }
            repair(g, n);
        }
        let mut off_fit = evaluate(p, k, &off);
        // Elitism: the best so far replaces the worst offspring, so the run never gets worse.
        let worst = argmax(&off_fit);
        off[worst] = best.0.clone();
        off_fit[worst] = best.1;
        pop = off;
        fit = off_fit;
        let best_i = argmin(&fit);
        if fit[best_i] < best.1 {
            best = (pop[best_i].clone(), fit[best_i]);
            stale = 0;
        } else {
            stale += 1;
        }
        progress(generation, best.1);
    }
    let last = if polished {
        best
    } else {
        polish(p, k, best.0, best.1, &mut scratch)
    };
    let (g, mse) = match overall {
        Some(o) if o.1 <= last.1 => o,
        _ => last,
    };
    progress(generation, mse);
    GaRun {
        starts: starts_of(&g),
        mse,
        initial_best,
        generations_run: generation,
    }
}

/// Local search after evolution, two moves until neither helps: coordinate descent (each
/// breakpoint to its best position between its neighbours), then relocation (each breakpoint
/// taken out and put back at the best free position anywhere, which moves a segment from one
/// region of the domain to another — a joint move of many breakpoints' roles that single steps
/// cannot make). Evolution finds the basin; this settles it, cheaply, since segment fits are
/// cached.
fn polish(
    p: &ScaleProblem,
    k: usize,
    mut g: Genome,
    mut f: f64,
    scratch: &mut Vec<Sample>,
) -> (Genome, f64) {
    let n = p.n();
    let mut rounds = 0;
    let mut improved = true;
    while improved && rounds < 100 {
        improved = false;
        rounds += 1;
        for t in 0..g.len() {
            let lo = if t == 0 { 1 } else { g[t - 1] + 1 };
            let hi = if t + 1 == g.len() {
                n - 1
            } else {
                g[t + 1] - 1
            };
            let mut best = g[t];
            for v in lo..=hi {
                if v == best {
                    continue;
                }
                g[t] = v;
                let c = fitness(p, k, &g, scratch);
                if c < f {
                    f = c;
                    best = v;
                    improved = true;
                }
            }
            g[t] = best;
        }
        for t in 0..g.len() {
            let mut rest = g.clone();
            rest.remove(t);
            let mut best: Option<Genome> = None;
            for v in 1..n {
                if rest.binary_search(&v).is_ok() {
                    continue;
                }
                let mut cand = rest.clone();
                let at = cand.partition_point(|&x| x < v);
                cand.insert(at, v);
                let c = fitness(p, k, &cand, scratch);
                if c < f {
                    f = c;
                    best = Some(cand);
                }
            }
            if let Some(b) = best {
                g = b;
                improved = true;
            }
        }
    }
    (g, f)
}

fn argmin(v: &[f64]) -> usize {
    let mut b = 0;
    for (i, &x) in v.iter().enumerate() {
        if x < v[b] {
            b = i;
        }
    }
    b
}

fn argmax(v: &[f64]) -> usize {
    let mut b = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[b] {
            b = i;
        }
    }
    b
}

/// Index of the fittest of `size` individuals drawn with replacement.
pub(crate) fn tournament(fit: &[f64], size: usize, rng: &mut Rng) -> usize {
    let mut best = rng.gen_range(0..fit.len() as u64) as usize;
    for _ in 1..size {
        let c = rng.gen_range(0..fit.len() as u64) as usize;
        if fit[c] < fit[best] {
            best = c;
        }
    }
    best
}

/// Swaps the genes between two cut points; with one gene, swaps it.
pub(crate) fn two_point<T>(a: &mut [T], b: &mut [T], rng: &mut Rng) {
    let len = a.len().min(b.len());
    if len == 0 {
        return;
    }
    let mut c1 = rng.gen_range(0..len as u64) as usize;
    let mut c2 = rng.gen_range(0..len as u64) as usize;
    if c1 > c2 {
        std::mem::swap(&mut c1, &mut c2);
    }
    for i in c1..=c2 {
        std::mem::swap(&mut a[i], &mut b[i]);
    }
}

/// Each gene moves with probability 1/len (at least one does): a third of the time to a
/// uniformly random position (moving a segment to another region of the domain), otherwise one
/// code either way or a Gaussian jump of about half a segment's width.
fn mutate(g: &mut Genome, n: usize, len: usize, rng: &mut Rng) {
    let sigma = (n as f64 / (len + 1) as f64 / 2.0).max(1.0);
    let forced = rng.gen_range(0..len as u64) as usize;
    for (t, v) in g.iter_mut().enumerate() {
        if t != forced && rng.gen::<f64>() >= 1.0 / len as f64 {
            continue;
        }
        if rng.gen_range(0..3u32) == 0 {
            *v = rng.gen_range(1..n as u64) as usize;
            continue;
        }
        let step = if rng.gen::<bool>() {
            if rng.gen::<bool>() {
                1
            } else {
                -1
            }
        } else {
            (gaussian(rng) * sigma).round() as i64
        };
        *v = (*v as i64 + step).clamp(1, n as i64 - 1) as usize;
    }
}

/// Restores a valid genome: sorted, strictly increasing, within 1..n.
pub(crate) fn repair(g: &mut Genome, n: usize) {
    g.sort_unstable();
    let len = g.len();
    let mut prev = 0;
    for v in g.iter_mut() {
        *v = (*v).max(prev + 1);
        prev = *v;
    }
    let mut next = n;
    for v in g.iter_mut().rev() {
        *v = (*v).min(next - 1);
        next = *v;
    }
    debug_assert!(len == 0 || (g[0] >= 1 && g[len - 1] < n));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Objective;
    use crate::rng::seeded;
    use lutforge_core::{Builtin, Formats, Function};

    fn problem(frac: i32) -> ScaleProblem {
        let f = Function::Builtin(Builtin::Gelu);
        let d = f.default_domain();
        ScaleProblem::new(
            &f,
            d,
            Formats::default_for(&f, d).datapath(frac),
            Objective::Hw,
        )
        .unwrap()
    }

    #[test]
    fn never_worse_than_the_initial_population() {
        let p = problem(4);
        let set = GaSettings {
            population: 8,
            generations: 5,
            ..GaSettings::default()
        };
        for seed in 0..4 {
            let init = initial_population(p.n(), 8, set.population, &mut seeded(seed, 0));
            let mut s = Vec::new();
            let init_best = init
                .iter()
                .map(|g| fitness(&p, 8, g, &mut s))
                .fold(f64::INFINITY, f64::min);
            let run = run(&p, 8, &set, &mut seeded(seed, 0), &mut |_, _| {});
            assert_eq!(run.initial_best, init_best);
            assert!(
                run.mse <= init_best,
                "seed {seed}: {} > {init_best}",
                run.mse
            );
            let params = p.params(&run.starts, 8, &mut s);
            assert_eq!(p.mse(&params, &mut s), run.mse);
        }
    }

    #[test]
    fn repair_makes_valid_genomes() {
        for (mut g, n) in [
            (vec![5, 5, 5], 10),
            (vec![9, 9, 9], 10),
            (vec![1, 1, 1, 1], 5),
            (vec![3, 0, 7], 8),
        ] {
            repair(&mut g, n);
            assert!(g.windows(2).all(|w| w[0] < w[1]), "{g:?}");
            assert!(g[0] >= 1 && *g.last().unwrap() < n, "{g:?}");
        }
    }

    #[test]
    fn initial_genomes_are_valid() {
        let mut rng = seeded(3, 0);
        for g in initial_population(20, 6, 50, &mut rng) {
            assert_eq!(g.len(), 5);
            assert!(g.windows(2).all(|w| w[0] < w[1]) && g[0] >= 1 && g[4] < 20);
        }
    }
}
