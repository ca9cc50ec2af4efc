//! NSGA-II (Deb et al., IEEE TEC 2002) over integer genomes, with Deb's constrained domination,
//! and the hypervolume indicator used to judge a front.
//!
//! The algorithm knows nothing about LUT units: a [`Problem`] gives the bounds of each integer
//! gene and scores a genome with any number of objectives (all minimized) and a constraint
//! violation. Scores are cached by genome, so a genome the evolution proposes twice costs one
//! evaluation; the count of distinct evaluations is what the run reports, because that is the
//! cost that matters when every evaluation fits a table.

use crate::rng::{seeded, Rng};
use rand::Rng as _;
use rayon::prelude::*;
use std::collections::HashMap;
use std::ops::RangeInclusive;

/// The score of one genome.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Objective values, all minimized; every genome of a problem has the same count.
    pub objectives: Vec<f64>,
    /// 0 for a feasible genome; otherwise how far it is from feasibility (larger is worse).
    pub violation: f64,
}

impl Evaluation {
    pub fn feasible(&self) -> bool {
        self.violation <= 0.0
    }
}

/// What NSGA-II optimizes.
pub trait Problem: Sync {
    /// Inclusive bounds of every gene; a genome has one value per entry.
    fn bounds(&self) -> &[RangeInclusive<i64>];
    /// Scores a genome; called from several threads at once.
    fn evaluate(&self, genes: &[i64]) -> Evaluation;
    /// A generation's new genomes, evaluated in order: the seam through which a search's
    /// evaluations can run elsewhere (other processes, a cluster). Each evaluation must be a
    /// pure function of its genome, so the front does not depend on where it ran. By default,
    /// in parallel on this machine's threads.
    fn evaluate_batch(&self, genomes: &[Vec<i64>]) -> Result<Vec<Evaluation>, String> {
        Ok(genomes.par_iter().map(|g| self.evaluate(g)).collect())
    }
}

/// Evaluates batches of genomes somewhere else (worker processes, a cluster), in order.
pub trait Evaluator: Sync {
    fn evaluate(&self, genomes: &[Vec<i64>]) -> Result<Vec<Evaluation>, String>;
}

/// A problem whose generations are evaluated by an [`Evaluator`]: NSGA-II stays here, only
/// the evaluations move.
pub struct Mapped<'a> {
    pub problem: &'a dyn Problem,
    pub evaluator: &'a dyn Evaluator,
}

impl Problem for Mapped<'_> {
    fn bounds(&self) -> &[RangeInclusive<i64>] {
        self.problem.bounds()
    }

    fn evaluate(&self, genes: &[i64]) -> Evaluation {
        self.problem.evaluate(genes)
    }

    fn evaluate_batch(&self, genomes: &[Vec<i64>]) -> Result<Vec<Evaluation>, String> {
        self.evaluator.evaluate(genomes)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub population: usize,
    pub generations: usize,
    /// Probability that two parents are recombined (uniform crossover) rather than copied.
    pub crossover: f64,
    /// Per-gene mutation probability; `None` means 1 / (number of genes).
    pub mutation: Option<f64>,
    /// Of the mutations, the share that moves a gene by ±1 rather than redrawing it: most
    /// genes are ordinal (bit widths), where a neighbour is the likeliest improvement.
    pub creep: f64,
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            population: 40,
            generations: 40,
            crossover: 0.9,
            mutation: None,
            creep: 0.7,
            seed: 1,
        }
    }
}

/// One evaluated genome.
#[derive(Clone, Debug, PartialEq)]
pub struct Individual {
    pub genes: Vec<i64>,
    pub eval: Evaluation,
}

/// Progress after each generation (generation 0 is the initial population).
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    pub generation: usize,
    pub generations: usize,
    /// Distinct genomes evaluated so far.
    pub evaluations: usize,
    /// Feasible non-dominated genomes among everything evaluated so far.
    pub front: usize,
}

#[derive(Clone, Debug)]
pub struct Outcome {
    /// The final population.
    pub population: Vec<Individual>,
    /// The feasible non-dominated set of every genome evaluated during the run (an elitist
    /// archive: a good genome the population later lost still counts), sorted by objectives.
    pub front: Vec<Individual>,
    /// Every distinct genome evaluated, in evaluation order.
    pub evaluated: Vec<Individual>,
}

/// Largest population, and most genomes a run may evaluate (population × (generations + 1)):
/// every evaluated genome is kept for the archive, so these bound the memory of a run.
pub const MAX_POPULATION: usize = 10_000;
pub const MAX_EVALUATIONS: u64 = 10_000_000;

/// Why a run cannot start.
pub fn check(problem: &dyn Problem, s: &Settings) -> Result<(), String> {
    check_settings(s)?;
    if problem.bounds().is_empty() {
        return Err("the genome has no gene".into());
    }
    if let Some(i) = problem.bounds().iter().position(|b| b.is_empty()) {
        return Err(format!("gene {i} has an empty range"));
    }
    Ok(())
}

/// Why settings cannot run, whatever the problem: checkable before any costly set-up.
pub fn check_settings(s: &Settings) -> Result<(), String> {
    if s.population > MAX_POPULATION {
        return Err(format!(
            "population {}: at most {MAX_POPULATION}",
            s.population
        ));
    }
    let evals = s.population as u64 * (s.generations as u64).saturating_add(1);
    if evals > MAX_EVALUATIONS {
        return Err(format!(
            "population {} over {} generations is {evals} evaluations: at most {MAX_EVALUATIONS}",
            s.population, s.generations
        ));
    }
    if s.population < 2 {
        return Err(format!(
            "population {}: at least 2 individuals are needed",
            s.population
        ));
    }
    for (name, p) in [("crossover", s.crossover), ("creep", s.creep)] {
        if !(0.0..=1.0).contains(&p) {
            return Err(format!("{name} probability {p} is outside 0..1"));
        }
    }
    if let Some(m) = s.mutation {
        if !(0.0..=1.0).contains(&m) {
            return Err(format!("mutation probability {m} is outside 0..1"));
        }
    }
    Ok(())
}

/// [`run`] with the generations' evaluations done by `evaluator` when one is given (both
/// Pareto searches take one; see [`Mapped`]).
pub fn run_with(
    problem: &dyn Problem,
    s: &Settings,
    initial: &[Vec<i64>],
    progress: &mut dyn FnMut(&Progress),
    evaluator: Option<&dyn Evaluator>,
) -> Result<Outcome, String> {
    match evaluator {
        Some(evaluator) => run(&Mapped { problem, evaluator }, s, initial, progress),
        None => run(problem, s, initial, progress),
    }
}

/// Runs NSGA-II. `initial` genomes (clamped to the bounds) start the population ahead of the
/// random ones, so known designs such as the homogeneous baselines can seed the search.
pub fn run(
    problem: &dyn Problem,
    s: &Settings,
    initial: &[Vec<i64>],
    progress: &mut dyn FnMut(&Progress),
) -> Result<Outcome, String> {
    check(problem, s)?;
    let bounds = problem.bounds().to_vec();
    let mut rng = seeded(s.seed, 0x6e73_6761);
    let mut cache = Cache::default();

    let mut genomes: Vec<Vec<i64>> = initial
        .iter()
        .take(s.population)
        .map(|g| clamp_genes(g, &bounds))
        .collect();
    // Random fill, avoiding duplicates while the space allows it.
    let mut tries = 0;
    while genomes.len() < s.population {
        let g: Vec<i64> = bounds.iter().map(|b| rng.gen_range(b.clone())).collect();
        tries += 1;
        if !genomes.contains(&g) || tries > 20 * s.population {
            genomes.push(g);
        }
    }
    let mut pop = cache.evaluate(problem, genomes)?;
    let (mut rank, mut crowd) = rank_and_crowd(&pop);
    report(progress, 0, s, &cache);

    let pm = s
        .mutation
        .unwrap_or(1.0 / bounds.len() as f64)
        .clamp(0.0, 1.0);
    for generation in 1..=s.generations {
        let mut children = Vec::with_capacity(s.population);
        while children.len() < s.population {
            let a = tournament(&mut rng, &rank, &crowd);
            let b = tournament(&mut rng, &rank, &crowd);
            let (mut c1, mut c2) = (pop[a].genes.clone(), pop[b].genes.clone());
            if rng.gen::<f64>() < s.crossover {
                for i in 0..c1.len() {
                    if rng.gen::<bool>() {
                        std::mem::swap(&mut c1[i], &mut c2[i]);
                    }
                }
            }
            for c in [&mut c1, &mut c2] {
                mutate(&mut rng, c, &bounds, pm, s.creep);
            }
            children.push(c1);
            if children.len() < s.population {
                children.push(c2);
            }
        }
        let offspring = cache.evaluate(problem, children)?;
        pop = survive(pop, offspring, s.population);
        (rank, crowd) = rank_and_crowd(&pop);
        report(progress, generation, s, &cache);
    }
    let front = archive_front(&cache.order);
    Ok(Outcome {
        population: pop,
        front,
        evaluated: cache.order,
    })
}

fn report(progress: &mut dyn FnMut(&Progress), generation: usize, s: &Settings, c: &Cache) {
    progress(&Progress {
        generation,
        generations: s.generations,
        evaluations: c.order.len(),
        front: archive_front(&c.order).len(),
    });
}

/// Scores by genome; evaluations of one generation run in parallel, in a fixed order, so the
/// run is the same on any number of threads.
#[derive(Default)]
struct Cache {
    seen: HashMap<Vec<i64>, Evaluation>,
    order: Vec<Individual>,
}

impl Cache {
    fn evaluate(
        &mut self,
        problem: &dyn Problem,
        genomes: Vec<Vec<i64>>,
    ) -> Result<Vec<Individual>, String> {
        let mut fresh: Vec<Vec<i64>> = Vec::new();
        for g in &genomes {
            if !self.seen.contains_key(g) && !fresh.contains(g) {
                fresh.push(g.clone());
            }
        }
        let evals = problem.evaluate_batch(&fresh)?;
        if evals.len() != fresh.len() {
            return Err(format!(
                "the evaluator returned {} evaluations for {} genomes",
                evals.len(),
                fresh.len()
            ));
        }
        for (g, e) in fresh.into_iter().zip(evals) {
            self.seen.insert(g.clone(), e.clone());
            self.order.push(Individual { genes: g, eval: e });
        }
        Ok(genomes
            .into_iter()
            .map(|g| {
                let eval = self.seen[&g].clone();
                Individual { genes: g, eval }
            })
            .collect())
    }
}

fn clamp_genes(g: &[i64], bounds: &[RangeInclusive<i64>]) -> Vec<i64> {
    bounds
        .iter()
        .enumerate()
        .map(|(i, b)| {
            g.get(i)
                .copied()
                .unwrap_or(*b.start())
                .clamp(*b.start(), *b.end())
        })
        .collect()
}

fn mutate(rng: &mut Rng, g: &mut [i64], bounds: &[RangeInclusive<i64>], pm: f64, creep: f64) {
    for (v, b) in g.iter_mut().zip(bounds) {
        if b.start() == b.end() || rng.gen::<f64>() >= pm {
            continue;
        }
        if rng.gen::<f64>() < creep {
            let step = if rng.gen::<bool>() { 1 } else { -1 };
            let mut n = *v + step;
            if !b.contains(&n) {
                n = *v - step;
            }
            *v = n.clamp(*b.start(), *b.end());
        } else {
            *v = rng.gen_range(b.clone());
        }
    }
}

/// Binary tournament: lower rank wins, then larger crowding distance, then the first drawn.
fn tournament(rng: &mut Rng, rank: &[usize], crowd: &[f64]) -> usize {
    let a = rng.gen_range(0..rank.len());
    let b = rng.gen_range(0..rank.len());
    if rank[b] < rank[a] || (rank[b] == rank[a] && crowd[b] > crowd[a]) {
        b
    } else {
        a
    }
}

/// Every genome of the problem's space, evaluated in parallel, in mixed-radix order (the first
/// gene varies slowest): the ground truth NSGA-II is measured against. Refuses spaces larger
/// than `limit`.
pub fn exhaustive(problem: &dyn Problem, limit: u128) -> Result<Vec<Individual>, String> {
    let b = problem.bounds();
    let sizes: Vec<u128> = b
        .iter()
        .map(|r| (r.end() - r.start() + 1).max(0) as u128)
        .collect();
    let total = sizes.iter().fold(1u128, |a, &n| a.saturating_mul(n));
    if total > limit {
        return Err(format!(
            "the space holds {total} genomes; at most {limit} are enumerated"
        ));
    }
    let genomes: Vec<Vec<i64>> = (0..total)
        .map(|mut idx| {
            let mut g = vec![0i64; b.len()];
            for i in (0..b.len()).rev() {
                g[i] = b[i].start() + (idx % sizes[i]) as i64;
                idx /= sizes[i];
            }
            g
        })
        .collect();
    let evals: Vec<Evaluation> = genomes.par_iter().map(|g| problem.evaluate(g)).collect();
    Ok(genomes
        .into_iter()
        .zip(evals)
        .map(|(genes, eval)| Individual { genes, eval })
        .collect())
}

/// Deb's constrained domination: feasible beats infeasible, the smaller violation beats the
/// larger, and between feasible genomes Pareto domination decides.
pub fn dominates(a: &Evaluation, b: &Evaluation) -> bool {
    match (a.feasible(), b.feasible()) {
        (true, false) => true,
        (false, true) => false,
        (false, false) => a.violation < b.violation,
        (true, true) => pareto_dominates(&a.objectives, &b.objectives),
    }
}

/// `a` is no worse than `b` in every objective and better in at least one.
pub fn pareto_dominates(a: &[f64], b: &[f64]) -> bool {
    let mut better = false;
    for (x, y) in a.iter().zip(b) {
        if x > y {
            return false;
        }
        if x < y {
            better = true;
        }
    }
    better
}

/// Fast non-dominated sorting: the fronts as indices into `evals`, best first. O(M·N²).
pub fn non_dominated_sort(evals: &[&Evaluation]) -> Vec<Vec<usize>> {
    let n = evals.len();
    let mut dominated_by: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut count = vec![0usize; n];
    for i in 0..n {
        for j in i + 1..n {
            if dominates(evals[i], evals[j]) {
                dominated_by[i].push(j);
                count[j] += 1;
            } else if dominates(evals[j], evals[i]) {
                dominated_by[j].push(i);
                count[i] += 1;
            }
        }
    }
    let mut fronts = Vec::new();
    let mut current: Vec<usize> = (0..n).filter(|&i| count[i] == 0).collect();
    while !current.is_empty() {
        let mut next = Vec::new();
        for &i in &current {
            for &j in &dominated_by[i] {
                count[j] -= 1;
                if count[j] == 0 {
                    next.push(j);
                }
            }
        }
        next.sort_unstable();
        fronts.push(current);
        current = next;
    }
    fronts
}

/// Crowding distance of each member of one front (same order as `front`): the boundary
/// genomes of every objective get infinity, the others the sum over objectives of the
/// normalized gap between their two neighbours.
// Objectives are columns of `front`; indexing by objective number is the clear form here.
#[allow(clippy::needless_range_loop)]
pub fn crowding_distance(front: &[&[f64]]) -> Vec<f64> {
    let n = front.len();
    let mut d = vec![0.0f64; n];
    if n == 0 {
        return d;
    }
    let m = front[0].len();
    let mut idx: Vec<usize> = (0..n).collect();
    for k in 0..m {
        idx.sort_by(|&a, &b| front[a][k].total_cmp(&front[b][k]).then(a.cmp(&b)));
        let (lo, hi) = (front[idx[0]][k], front[idx[n - 1]][k]);
        d[idx[0]] = f64::INFINITY;
        d[idx[n - 1]] = f64::INFINITY;
        let span = hi - lo;
        if span.is_nan() || span <= 0.0 || !span.is_finite() {
            continue;
        }
        for w in 1..n.saturating_sub(1) {
            d[idx[w]] += (front[idx[w + 1]][k] - front[idx[w - 1]][k]) / span;
        }
    }
    d
}

fn rank_and_crowd(pop: &[Individual]) -> (Vec<usize>, Vec<f64>) {
    let evals: Vec<&Evaluation> = pop.iter().map(|i| &i.eval).collect();
    let mut rank = vec![0; pop.len()];
    let mut crowd = vec![0.0; pop.len()];
    for (r, front) in non_dominated_sort(&evals).iter().enumerate() {
        let objs: Vec<&[f64]> = front
            .iter()
            .map(|&i| pop[i].eval.objectives.as_slice())
            .collect();
        for (&i, c) in front.iter().zip(crowding_distance(&objs)) {
            rank[i] = r;
            crowd[i] = c;
        }
    }
    (rank, crowd)
}

/// Elitist survival: parents and offspring together, duplicates of a genome set aside so the
/// population keeps its diversity, then whole fronts while they fit and the least crowded
/// members of the front that does not.
fn survive(parents: Vec<Individual>, offspring: Vec<Individual>, n: usize) -> Vec<Individual> {
    let mut pool: Vec<Individual> = Vec::with_capacity(parents.len() + offspring.len());
    let mut dups = Vec::new();
    for ind in parents.into_iter().chain(offspring) {
        if pool.iter().any(|p| p.genes == ind.genes) {
            dups.push(ind);
        } else {
            pool.push(ind);
        }
    }
    let evals: Vec<&Evaluation> = pool.iter().map(|i| &i.eval).collect();
    let mut chosen: Vec<usize> = Vec::with_capacity(n);
    for front in non_dominated_sort(&evals) {
        if chosen.len() + front.len() <= n {
            chosen.extend(&front);
            continue;
        }
        let objs: Vec<&[f64]> = front
            .iter()
            .map(|&i| pool[i].eval.objectives.as_slice())
            .collect();
        let cd = crowding_distance(&objs);
        let mut order: Vec<usize> = (0..front.len()).collect();
        order.sort_by(|&a, &b| cd[b].total_cmp(&cd[a]).then(a.cmp(&b)));
        for o in order.into_iter().take(n - chosen.len()) {
            chosen.push(front[o]);
        }
        break;
    }
    let mut taken = vec![false; pool.len()];
    for &i in &chosen {
        taken[i] = true;
    }
    let mut out: Vec<Individual> = Vec::with_capacity(n);
    let mut rest = Vec::new();
    for (i, ind) in pool.into_iter().enumerate() {
        if taken[i] {
            out.push(ind);
        } else {
            rest.push(ind);
        }
    }
    // Only when the distinct genomes are too few (a tiny space) do duplicates come back.
    out.extend(dups.into_iter().take(n.saturating_sub(out.len())));
    out.extend(rest.into_iter().take(n.saturating_sub(out.len())));
    out
}

/// The feasible, non-dominated, distinct-objective members of `all`, sorted by objectives.
pub fn archive_front(all: &[Individual]) -> Vec<Individual> {
    let feasible: Vec<&Individual> = all.iter().filter(|i| i.eval.feasible()).collect();
    let mut front: Vec<Individual> = Vec::new();
    for (i, a) in feasible.iter().enumerate() {
        let beaten = feasible.iter().enumerate().any(|(j, b)| {
            pareto_dominates(&b.eval.objectives, &a.eval.objectives)
                || (j < i && b.eval.objectives == a.eval.objectives)
        });
        if !beaten {
            front.push((*a).clone());
        }
    }
    front.sort_by(|a, b| {
        a.eval
            .objectives
            .iter()
            .zip(&b.eval.objectives)
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    front
}

/// Hypervolume (minimization) of `points` against `reference`: the measure of the region
/// dominated by the points and bounded by the reference. Exact for 1, 2 and 3 objectives
/// (3-D by slicing along the last objective and summing 2-D areas, O(n² log n)); points
/// that do not strictly dominate the reference contribute nothing. `None` for 4 or more
/// objectives.
pub fn hypervolume(points: &[Vec<f64>], reference: &[f64]) -> Option<f64> {
    let pts: Vec<&Vec<f64>> = points
        .iter()
        .filter(|p| p.len() == reference.len() && p.iter().zip(reference).all(|(x, r)| x < r))
        .collect();
    match reference.len() {
        1 => Some(pts.iter().map(|p| reference[0] - p[0]).fold(0.0, f64::max)),
        2 => {
            let v: Vec<(f64, f64)> = pts.iter().map(|p| (p[0], p[1])).collect();
            Some(hv2(v, (reference[0], reference[1])))
        }
        3 => {
            let mut by_z: Vec<&Vec<f64>> = pts.clone();
            by_z.sort_by(|a, b| a[2].total_cmp(&b[2]));
            let mut total = 0.0;
            for i in 0..by_z.len() {
                let z_next = if i + 1 < by_z.len() {
                    by_z[i + 1][2]
                } else {
                    reference[2]
                };
                let depth = z_next - by_z[i][2];
                if depth <= 0.0 {
                    continue;
                }
                let slice: Vec<(f64, f64)> = by_z[..=i].iter().map(|p| (p[0], p[1])).collect();
                total += depth * hv2(slice, (reference[0], reference[1]));
            }
            Some(total)
        }
        _ => None,
    }
}

/// Area dominated by 2-D points below `r`: sweep in x, keeping the lowest y seen.
fn hv2(mut v: Vec<(f64, f64)>, r: (f64, f64)) -> f64 {
    v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut area = 0.0;
    let mut best_y = r.1;
    for (i, &(x, y)) in v.iter().enumerate() {
        if y < best_y {
            best_y = y;
        }
        let x_next = v.get(i + 1).map(|p| p.0).unwrap_or(r.0).min(r.0);
        area += (x_next - x).max(0.0) * (r.1 - best_y);
    }
    area
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(o: &[f64]) -> Evaluation {
        Evaluation {
            objectives: o.to_vec(),
            violation: 0.0,
        }
    }

    #[test]
    fn sorting_matches_hand_worked_fronts() {
        // Points (f1, f2):            front
        // a (1, 5)  b (2, 3)  c (4, 1)   0
        // d (3, 4)  e (5, 2)             1  (d by b; e by c)
        // f (4, 5)                       2  (f by d and by a)
        // g (2, 3) duplicate of b        0  (equal points do not dominate each other)
        let pts = [
            ev(&[1.0, 5.0]),
            ev(&[2.0, 3.0]),
            ev(&[4.0, 1.0]),
            ev(&[3.0, 4.0]),
            ev(&[5.0, 2.0]),
            ev(&[4.0, 5.0]),
            ev(&[2.0, 3.0]),
        ];
        let refs: Vec<&Evaluation> = pts.iter().collect();
        let fronts = non_dominated_sort(&refs);
        assert_eq!(fronts, vec![vec![0, 1, 2, 6], vec![3, 4], vec![5]]);
    }

    #[test]
    fn constraint_violation_ranks_below_every_feasible_point() {
        let mut bad = ev(&[0.0, 0.0]);
        bad.violation = 0.5;
        let mut worse = ev(&[0.0, 0.0]);
        worse.violation = 2.0;
        let pts = [bad, ev(&[9.0, 9.0]), worse];
        let refs: Vec<&Evaluation> = pts.iter().collect();
        assert_eq!(non_dominated_sort(&refs), vec![vec![1], vec![0], vec![2]]);
    }

    #[test]
    fn crowding_distance_matches_hand_computation() {
        // Front sorted by f1: (1,5) (2,3) (4,1.5) (6,1); spans f1 5, f2 4.
        // (2,3): (4-1)/5 + (5-1.5)/4 = 0.6 + 0.875 = 1.475
        // (4,1.5): (6-2)/5 + (3-1)/4 = 0.8 + 0.5 = 1.3
        let pts: Vec<Vec<f64>> = vec![
            vec![4.0, 1.5],
            vec![1.0, 5.0],
            vec![6.0, 1.0],
            vec![2.0, 3.0],
        ];
        let refs: Vec<&[f64]> = pts.iter().map(|p| p.as_slice()).collect();
        let d = crowding_distance(&refs);
        assert!((d[0] - 1.3).abs() < 1e-12, "{d:?}");
        assert!(d[1].is_infinite() && d[2].is_infinite());
        assert!((d[3] - 1.475).abs() < 1e-12, "{d:?}");
        // Two points: both boundaries.
        let two = crowding_distance(&refs[..2]);
        assert!(two.iter().all(|v| v.is_infinite()));
    }

    #[test]
    fn hypervolume_by_hand() {
        // 2-D, reference (4,4): (1,3) (2,2) (3,1) → staircase 3 + 2 + 1 = 6.
        let p = vec![vec![1.0, 3.0], vec![2.0, 2.0], vec![3.0, 1.0]];
        assert_eq!(hypervolume(&p, &[4.0, 4.0]), Some(6.0));
        // A dominated point and one outside the reference change nothing.
        let mut q = p.clone();
        q.push(vec![3.0, 3.0]);
        q.push(vec![0.5, 5.0]);
        assert_eq!(hypervolume(&q, &[4.0, 4.0]), Some(6.0));
        // 3-D: one point at the origin against (1,2,3) is the box 1·2·3 = 6. Two boxes
        // against (2,2,2): A = (0,0,1) spans 2·2·1 = 4, B = (0,1,0) spans 2·1·2 = 4, their
        // overlap 2·1·1 = 2, so the union is 6.
        assert_eq!(
            hypervolume(&[vec![0.0, 0.0, 0.0]], &[1.0, 2.0, 3.0]),
            Some(6.0)
        );
        let r = hypervolume(
            &[vec![0.0, 0.0, 1.0], vec![0.0, 1.0, 0.0]],
            &[2.0, 2.0, 2.0],
        );
        assert_eq!(r, Some(6.0));
        assert_eq!(hypervolume(&[vec![0.0; 4]], &[1.0; 4]), None);
    }

    /// Two integer genes, two objectives: the front is known (x + y = 10 on the box).
    struct Box2 {
        b: Vec<RangeInclusive<i64>>,
    }

    impl Problem for Box2 {
        fn bounds(&self) -> &[RangeInclusive<i64>] {
            &self.b
        }
        fn evaluate(&self, g: &[i64]) -> Evaluation {
            let (x, y) = (g[0] as f64, g[1] as f64);
            // Minimize x and 10 − x while y must reach 10 − x (violation otherwise), and a
            // second cost on y keeps only y = max(0, 10 − x) optimal.
            Evaluation {
                objectives: vec![x, (10.0 - x).max(0.0) + y * 0.01],
                violation: ((10.0 - x) - y).max(0.0),
            }
        }
    }

    #[test]
    fn finds_the_known_front_and_is_deterministic() {
        let p = Box2 {
            b: vec![0..=10, 0..=10],
        };
        let s = Settings {
            population: 16,
            generations: 40,
            seed: 7,
            ..Settings::default()
        };
        let a = run(&p, &s, &[], &mut |_| {}).unwrap();
        let b = run(&p, &s, &[], &mut |_| {}).unwrap();
        assert_eq!(a.front, b.front);
        let xs: Vec<i64> = a.front.iter().map(|i| i.genes[0]).collect();
        assert_eq!(xs, (0..=10).collect::<Vec<_>>());
        assert!(a
            .front
            .iter()
            .all(|i| i.genes[1] == (10 - i.genes[0]).max(0)));
        assert!(a.evaluated.len() <= 121);
    }

    #[test]
    #[allow(clippy::reversed_empty_ranges)] // the empty range is the bad input under test
    fn bad_settings_are_refused() {
        let p = Box2 {
            b: vec![0..=10, 3..=2],
        };
        assert!(run(&p, &Settings::default(), &[], &mut |_| {})
            .unwrap_err()
            .contains("gene 1"));
        let p = Box2 { b: vec![0..=10] };
        let s = Settings {
            population: 1,
            ..Settings::default()
        };
        assert!(run(&p, &s, &[], &mut |_| {}).is_err());
    }
}
