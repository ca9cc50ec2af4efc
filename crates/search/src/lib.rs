//! lutforge-search: finds the breakpoints, slopes and intercepts of a LUT table.
//!
//! Three methods share one entry point, [`search`]:
//! - `gqa`: the published GQA-LUT genetic algorithm, reproduced for comparison;
//! - `ga` (default): evolution over breakpoint codes with integer-exact fitness and the best
//!   representable coefficients per segment;
//! - `exact`: dynamic programming over code positions, the proven optimum of `pwl_mse`.
//!
//! Every table returned has passed `Table::validate` and holds its metrics.

mod envelope;
pub mod exact;
pub mod ga;
pub mod gqa;
pub mod minimax;
pub mod nsga2;
pub mod pareto;
pub mod problem;
pub mod rng;

use lutforge_core::format::{bits_for, pow2, FixedFormat};
use lutforge_core::golden::IntParams;
use lutforge_core::table::{default_output_frac, MAX_SEGMENTS};
use lutforge_core::{Arith, Error, Formats, Function, Params, Provenance, Result, Scale, Table};
use problem::{Objective, ScaleProblem};
use serde_json::json;
use std::ops::RangeInclusive;

pub use ga::GaSettings;
pub use gqa::GqaSettings;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Ga,
    Exact,
    Gqa,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Ga => "ga",
            Method::Exact => "exact",
            Method::Gqa => "gqa",
        }
    }
}

/// Everything a search needs; all of it goes into the table's provenance.
#[derive(Clone, Debug)]
pub struct Request {
    pub function: Function,
    pub domain: (f64, f64),
    pub segments: usize,
    pub scales: RangeInclusive<i32>,
    pub formats: Formats,
    pub method: Method,
    pub seed: u64,
    /// Population and generations of `ga` and `gqa`.
    pub population: usize,
    pub generations: usize,
    /// `ga`: generations without improvement before stopping.
    pub patience: usize,
    /// `exact`: what the optimum minimizes.
    pub objective: Objective,
    /// `gqa`: decimal bits of the rounding mutation.
    pub decimal_bits: RangeInclusive<i32>,
    /// An error bound in output LSBs: the search then looks for the fewest segments (at most
    /// `segments`) whose table meets it at every scale ([`search`]).
    pub max_err_lsb: Option<f64>,
    /// `exact`: breakpoints only on multiples of 2^s input codes (0: anywhere).
    pub breakpoint_step: u32,
}

impl Request {
    /// The defaults for one function: its domain and formats, scales 0..6, `ga`, seed 1.
    pub fn new(function: Function, segments: usize) -> Request {
        let domain = function.default_domain();
        Request {
            formats: Formats::default_for(&function, domain),
            function,
            domain,
            segments,
            scales: 0..=6,
            method: Method::Ga,
            seed: 1,
            population: 50,
            generations: 500,
            patience: 100,
            objective: Objective::Pwl,
            decimal_bits: 0..=6,
            max_err_lsb: None,
            breakpoint_step: 0,
        }
    }
}

/// Progress of a running search, for a progress bar.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// Input scale being searched (`None` when one search serves all scales, as in `gqa`).
    pub scale: Option<i32>,
    /// Index of this stage and the number of stages (scales, or 1).
    pub stage: usize,
    pub stages: usize,
    pub generation: usize,
    pub generations: usize,
    /// Best error so far (the method's fitness).
    pub best: f64,
}

/// A finished search.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub table: Table,
    /// Things the user should know (widened formats, padded scales, the GA's gap), one line each.
    pub notes: Vec<String>,
    /// `ga` only: per scale, the GA's `mse` relative to the exact optimum of `mse` (0.01 = 1%).
    pub gaps: Vec<(i32, f64)>,
}

/// Checks a request; the error names what is wrong and, where it can, what would work.
/// Largest GA population: far more than the search needs (50 is the default), small enough
/// that a population of tables always fits in memory.
pub const MAX_POPULATION: usize = 100_000;

pub fn check(r: &Request) -> Result<()> {
    use lutforge_core::format::Num;
    let f = &r.function;
    f.check_domain(r.domain.0, r.domain.1)
        .map_err(|m| Error::input(format!("{}: {m}", f.name())))?;
    if r.segments == 0 || r.segments > MAX_SEGMENTS {
        return Err(Error::input(format!(
            "--segments {}: must lie in 1..={MAX_SEGMENTS}",
            r.segments
        )));
    }
    if r.scales.is_empty() {
        return Err(Error::input("the scale range is empty"));
    }
    if matches!(r.method, Method::Ga | Method::Gqa) {
        if r.population > MAX_POPULATION {
            return Err(Error::input(format!(
                "--population {}: at most {MAX_POPULATION} (each individual holds a table and its fitness)",
                r.population
            )));
        }
        if r.population < 2 {
            return Err(Error::input(format!(
                "--population {}: at least 2 individuals are needed",
                r.population
            )));
        }
        if r.generations == 0 {
            return Err(Error::input("--generations 0: at least one is needed"));
        }
        if r.patience == 0 {
            return Err(Error::input(
                "--patience 0: at least one generation is needed",
            ));
        }
    }
    if r.breakpoint_step > 0 {
        if r.method != Method::Exact {
            return Err(Error::input(format!(
                "--breakpoint-step works with --method exact (not {})",
                r.method.name()
            )));
        }
        if r.breakpoint_step >= r.formats.input_bits {
            return Err(Error::input(format!(
                "--breakpoint-step {}: below the {}-bit input's width",
                r.breakpoint_step, r.formats.input_bits
            )));
        }
    }
    if r.method == Method::Gqa {
        let n = lutforge_core::metrics::grid_len(r.domain);
        if n > lutforge_core::metrics::MAX_GRID_POINTS as f64 {
            return Err(Error::input(format!(
                "--method gqa scores on a 0.01 grid: the domain [{}, {}] has {n:.3e} points, at most {} (a domain at most {} wide)",
                Num(r.domain.0),
                Num(r.domain.1),
                lutforge_core::metrics::MAX_GRID_POINTS,
                lutforge_core::metrics::MAX_GRID_POINTS as f64 * lutforge_core::metrics::GRID_STEP
            )));
        }
    }
    if r.decimal_bits.is_empty() || *r.decimal_bits.start() < 0 || *r.decimal_bits.end() > 30 {
        return Err(Error::input(format!(
            "--decimal-bits {}..{}: a non-empty range within 0..30 is needed",
            r.decimal_bits.start(),
            r.decimal_bits.end()
        )));
    }
    if let Some(e) = r.max_err_lsb {
        if !(e.is_finite() && e >= 0.0) {
            return Err(Error::input(format!(
                "--max-err-lsb {e}: a bound is a finite number of output LSBs, at least 0"
            )));
        }
    }
    let out = r.formats.output;
    let (ylo, yhi) = f.range_over(r.domain.0, r.domain.1);
    // A width outside 2..=32 has no code range to compare with; the datapath check names it.
    let valid = (2..=lutforge_core::format::MAX_BITS).contains(&out.bits);
    let (olo, ohi) = if valid {
        (out.value(out.min_code()), out.value(out.max_code()))
    } else {
        (f64::NEG_INFINITY, f64::INFINITY)
    };
    if ylo < olo || yhi > ohi {
        let fit = FixedFormat::new(out.bits, default_output_frac(f, r.domain, out.bits));
        let holds = |g: FixedFormat| ylo >= g.value(g.min_code()) && yhi <= g.value(g.max_code());
        let advice = if holds(fit) {
            format!("{fit} would hold it")
        } else {
            "no output format of that width holds it; raise --output-bits".to_string()
        };
        return Err(Error::input(format!(
            "the output format {out} holds [{olo}, {ohi}] but {} reaches [{ylo:.4}, {yhi:.4}] on [{}, {}]; {advice}",
            f.name(),
            Num(r.domain.0),
            Num(r.domain.1),
        )));
    }
    let mut most = (0usize, 0i32);
    for d in r.scales.clone() {
        let dp = r.formats.datapath(d);
        dp.check()
            .map_err(|m| Error::input(format!("scale {d}: {m}")))?;
        let codes = lutforge_core::metrics::eval_codes(dp.input, r.domain);
        let n = lutforge_core::metrics::code_count(&codes) as usize;
        if n == 0 {
            return Err(Error::input(format!(
                "scale {d}: no {}-bit input code lies in the domain [{}, {}]",
                r.formats.input_bits,
                Num(r.domain.0),
                Num(r.domain.1)
            )));
        }
        // Both fit every segment they consider code by code, and `ga` measures its gap with the
        // exact DP: beyond this many codes a run would take hours, so it is refused up front.
        let minimax = r.method == Method::Exact && r.objective == Objective::MaxErr;
        // With a step, the dynamic program's size is the number of places a segment may
        // start; `mse` still fits each segment code by code, so its limit stays on codes.
        let places = if r.breakpoint_step > 0 {
            let q = 1i64 << r.breakpoint_step;
            let (lo, hi) = (*codes.start(), *codes.end());
            (hi.div_euclid(q) - lo.div_euclid(q)) as usize + 1
        } else {
            n
        };
        if r.method == Method::Exact && r.objective == Objective::Pwl && r.breakpoint_step > 0 {
            if places > exact::MAX_PLACES {
                return Err(Error::input(format!(
                    "scale {d}: {places} places for a breakpoint at step 2^{}; --method exact takes at most {} (raise --breakpoint-step)",
                    r.breakpoint_step,
                    exact::MAX_PLACES
                )));
            }
            if n > minimax::MAX_CODES {
                return Err(Error::input(format!(
                    "scale {d}: {n} input codes; at most {} (16-bit inputs)",
                    minimax::MAX_CODES
                )));
            }
        } else if minimax && n > minimax::MAX_CODES {
            return Err(Error::input(format!(
                "scale {d}: {n} input codes lie in the domain; --objective max-err takes at most {} (16-bit inputs)",
                minimax::MAX_CODES
            )));
        } else if !minimax && r.method != Method::Gqa && n > exact::MAX_CODES {
            return Err(Error::input(format!(
                "scale {d}: {n} input codes lie in the domain; --method {} takes at most {} (use a coarser scale, --method gqa, or --method exact --objective pwl --breakpoint-step S)",
                r.method.name(),
                exact::MAX_CODES
            )));
        }
        if n > most.0 {
            most = (n, d);
        }
    }
    if r.segments > most.0 && r.max_err_lsb.is_none() {
        return Err(Error::input(format!(
            "--segments {}: the domain holds at most {} input codes (at scale {}), so at most {} segments can differ",
            r.segments, most.0, most.1, most.0
        )));
    }
    Ok(())
}

/// Runs the search; `progress` is called from the calling thread. With an error bound
/// (`max_err_lsb`), the table has the fewest segments that meet it (see [`search_to_bound`]).
pub fn search(r: &Request, progress: &mut dyn FnMut(&Progress)) -> Result<Outcome> {
    check(r)?;
    match r.max_err_lsb {
        Some(e) => search_to_bound(r, e, progress),
        None => search_k(r, progress),
    }
}

/// The fewest segments, at most `r.segments`, whose table meets `e` output LSBs at every scale.
///
/// The minimax optimizer gives each scale's proven fewest K (greedy at the bound); no table of
/// fewer segments meets it, by any method. `--method exact --objective max-err` then meets it at
/// exactly the largest of them. Other methods minimize another error, so their table at that K
/// may miss the bound: K grows until it is met. When a scale cannot meet the bound with
/// `r.segments`, the error states the least bound it reaches.
pub fn search_to_bound(
    r: &Request,
    e: f64,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Outcome> {
    let limit = r.segments;
    let mut need = 1usize;
    let mut why = 0i32;
    for d in r.scales.clone() {
        let dp = r.formats.datapath(d);
        let p = ScaleProblem::new(&r.function, r.domain, dp, Objective::MaxErr)
            .ok_or_else(|| Error::input(format!("scale {d}: no input code in the domain")))?
            .with_breakpoint_step(r.breakpoint_step);
        let lsb = pow2(-dp.output.frac);
        // At most one segment per code can differ; more never help.
        let cap = limit.min(p.starts().len());
        match minimax::min_segments(&p, e * lsb, cap) {
            Some(k) if k > need => {
                need = k;
                why = d;
            }
            Some(_) => {}
            None => {
                let (_, least) = minimax::solve(&p, cap);
                return Err(Error::input(format!(
                    "scale {d}: no table of at most {cap} segments errs by at most {} output LSB with these formats (input {} bits, slope {}, intercept {}, output {}); the least reachable is {} LSB{}",
                    lutforge_core::format::Num(e),
                    dp.input.bits,
                    dp.slope,
                    dp.intercept,
                    dp.output,
                    lutforge_core::format::Num(least / lsb),
                    if cap < limit {
                        " (a segment at every place one may start)"
                    } else {
                        "; allow more --segments or widen the formats"
                    }
                )));
            }
        }
    }
    let meets = |t: &Table| {
        t.scales
            .iter()
            .all(|s| s.metrics.as_ref().is_some_and(|m| m.max_err_lsb <= e))
    };
    let proven = format!(
        "{need} segments: the fewest whose table errs by at most {} output LSB at every scale (proven by the minimax optimizer; scale {why} needs them)",
        lutforge_core::format::Num(e)
    );
    for k in need..=limit {
        let mut rk = r.clone();
        rk.segments = k;
        rk.max_err_lsb = None;
        let mut o = search_k(&rk, progress)?;
        if meets(&o.table) {
            o.notes.push(if k == need {
                proven
            } else {
                format!(
                    "{k} segments: the fewest at which --method {} meets {} output LSB at every scale; {proven}",
                    r.method.name(),
                    lutforge_core::format::Num(e)
                )
            });
            o.table.provenance.settings["max_err_lsb"] = json!(e);
            return Ok(o);
        }
    }
    Err(Error::input(format!(
        "--method {} meets no bound of {} output LSB with at most {limit} segments; the minimax optimizer meets it with {need} (--method exact --objective max-err)",
        r.method.name(),
        lutforge_core::format::Num(e)
    )))
}

/// The search at the request's K.
fn search_k(r: &Request, progress: &mut dyn FnMut(&Progress)) -> Result<Outcome> {
    let mut notes = Vec::new();
    let mut gaps = Vec::new();
    let mut formats = r.formats;
    let scales: Vec<i32> = r.scales.clone().collect();
    let mut out_scales = Vec::with_capacity(scales.len());
    let mut settings = json!({
        "function": r.function.name(),
        "domain": [r.domain.0, r.domain.1],
        "segments": r.segments,
        "scales": [r.scales.start(), r.scales.end()],
    });
    match r.method {
        Method::Exact | Method::Ga => {
            let objective = match r.method {
                Method::Exact => r.objective,
                _ => Objective::Hw,
            };
            let set = GaSettings {
                population: r.population,
                generations: r.generations,
                patience: r.patience,
                ..GaSettings::default()
            };
            if r.method == Method::Ga {
                settings["population"] = json!(set.population);
                settings["generations"] = json!(set.generations);
                settings["patience"] = json!(set.patience);
                settings["restarts"] = json!(set.restarts);
                settings["crossover"] = json!(set.crossover);
                settings["mutation"] = json!(set.mutation);
                settings["tournament"] = json!(set.tournament);
                settings["elitism"] = json!(1);
            }
            settings["objective"] = json!(objective.name());
            if r.breakpoint_step > 0 {
                settings["breakpoint_step"] = json!(r.breakpoint_step);
            }
            for (stage, &d) in scales.iter().enumerate() {
                let p = ScaleProblem::new(&r.function, r.domain, formats.datapath(d), objective)
                    .ok_or_else(|| Error::input(format!("scale {d}: no input code in the domain")))?
                    .with_breakpoint_step(r.breakpoint_step);
                if p.n() < r.segments {
                    notes.push(format!(
                        "scale {d}: the domain holds {} codes for {} segments; each code gets its own segment and the rest continue the outer ones",
                        p.n(),
                        r.segments
                    ));
                }
                if r.method == Method::Exact {
                    progress(&Progress {
                        scale: Some(d),
                        stage,
                        stages: scales.len(),
                        generation: 0,
                        generations: 1,
                        best: f64::NAN,
                    });
                }
                // The minimax pieces carry their pairs; refitting each segment alone could
                // only find another pair within the same bound.
                if r.method == Method::Exact && objective == Objective::MaxErr {
                    let (pieces, _) = minimax::solve(&p, r.segments);
                    out_scales.push(Scale {
                        frac: d,
                        params: Params::Int(minimax::params(&p, &pieces, r.segments)),
                        metrics: None,
                    });
                    continue;
                }
                let starts = match r.method {
                    Method::Exact => exact::solve(&p, r.segments).0,
                    _ => {
                        let mut rng = rng::seeded(r.seed, rng::stream_of(d));
                        let run = ga::run(&p, r.segments, &set, &mut rng, &mut |g, best| {
                            progress(&Progress {
                                scale: Some(d),
                                stage,
                                stages: scales.len(),
                                generation: g,
                                generations: set.generations,
                                best,
                            })
                        });
                        let (opt_starts, _) = exact::solve(&p, r.segments);
                        let mut s = Vec::new();
                        let opt = p.mse(&p.params(&opt_starts, r.segments, &mut s), &mut s);
                        let gap = if opt > 0.0 {
                            run.mse / opt - 1.0
                        } else if run.mse == 0.0 {
                            0.0
                        } else {
                            f64::INFINITY
                        };
                        notes.push(format!(
                            "scale {d}: ga mse {:.4e} after {} generations; the exact mse optimum is {:.4e} (gap {:+.2}%)",
                            run.mse,
                            run.generations_run,
                            opt,
                            gap * 100.0
                        ));
                        gaps.push((d, gap));
                        run.starts
                    }
                };
                let mut s = Vec::new();
                out_scales.push(Scale {
                    frac: d,
                    params: Params::Int(p.params(&starts, r.segments, &mut s)),
                    metrics: None,
                });
            }
        }
        Method::Gqa => {
            let set = GqaSettings {
                population: r.population,
                generations: r.generations,
                decimal_bits: r.decimal_bits.clone(),
                ..GqaSettings::default()
            };
            let far = gqa::far_points(&r.function, r.domain);
            settings["population"] = json!(set.population);
            settings["generations"] = json!(set.generations);
            settings["crossover"] = json!(set.crossover);
            settings["mutation"] = json!(set.mutation);
            settings["tournament"] = json!(set.tournament);
            settings["sigma"] = json!(set.sigma);
            settings["decimal_bits"] = json!([set.decimal_bits.start(), set.decimal_bits.end()]);
            settings["far_points"] = json!([far.0, far.1]);
            settings["objective"] = json!("grid_mse");
            let mut rng = rng::seeded(r.seed, 0);
            let res = gqa::run(
                &r.function,
                r.domain,
                r.segments,
                formats.slope.frac,
                formats.intercept.frac,
                &set,
                &mut rng,
                &mut |g, best| {
                    progress(&Progress {
                        scale: None,
                        stage: 0,
                        stages: 1,
                        generation: g,
                        generations: set.generations,
                        best,
                    })
                },
            );
            let (slopes, intercepts, widened) = gqa_codes(&res, &mut formats);
            notes.extend(widened);
            for &d in &scales {
                let (params, clamped) = gqa_scale(&res, &slopes, &intercepts, d, &formats);
                if clamped {
                    notes.push(format!(
                        "scale {d}: breakpoints outside the {}-bit input range were moved to its ends, with the table kept equivalent on every input code",
                        formats.input_bits
                    ));
                }
                out_scales.push(Scale {
                    frac: d,
                    params: Params::Int(params),
                    metrics: None,
                });
            }
        }
    }
    settings["formats"] = json!({
        "input_bits": formats.input_bits,
        "slope": [formats.slope.bits, formats.slope.frac],
        "intercept": [formats.intercept.bits, formats.intercept.frac],
        "output": [formats.output.bits, formats.output.frac],
        "rounding": formats.rounding.name(),
    });
    let seed = (r.method != Method::Exact).then_some(r.seed);
    let mut table = Table {
        function: r.function.clone(),
        domain: r.domain,
        segments: r.segments,
        arith: Arith::Int,
        formats,
        scales: out_scales,
        provenance: Provenance::new(r.method.name(), seed, settings),
    };
    table.validate()?;
    table.refresh_metrics();
    Ok(Outcome { table, notes, gaps })
}

/// Coefficient codes of a `gqa` result; the formats widen (bits only: the values are multiples
/// of 2^-F by construction) when a chord does not fit, as `import --from gqa` does.
fn gqa_codes(res: &gqa::GqaResult, formats: &mut Formats) -> (Vec<i64>, Vec<i64>, Vec<String>) {
    let mut notes = Vec::new();
    let mut one = |vals: &[f64], f: &mut FixedFormat, name: &str| -> Vec<i64> {
        let codes: Vec<i64> = vals
            .iter()
            .map(|&v| (v * pow2(f.frac)).round().clamp(-9e15, 9e15) as i64)
            .collect();
        let need = codes.iter().map(|&c| bits_for(c)).max().unwrap_or(1);
        if need > f.bits {
            let (j, v) = vals
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
                .map(|(j, &v)| (j, v))
                .unwrap_or((0, 0.0));
            let wide = FixedFormat::new(need, f.frac);
            notes.push(format!(
                "widened the {name} format from {f} to {wide}: the chord {name}[{j}] = {v} does not fit {f}"
            ));
            *f = wide;
        }
        codes
    };
    let slopes = one(&res.slopes, &mut formats.slope, "slopes");
    let intercepts = one(&res.intercepts, &mut formats.intercept, "intercepts");
    (slopes, intercepts, notes)
}

/// One scale of a `gqa` table: breakpoints rounded half-to-even to codes (as the reference's
/// `np.round`). A breakpoint below the input range acts exactly like one at its lowest code;
/// breakpoints above it are set to the highest code, and the top segment takes the
/// coefficients of the segment that really covers that code, so every input gets the same
/// output as the unclamped table. Returns whether anything was clamped.
fn gqa_scale(
    res: &gqa::GqaResult,
    slopes: &[i64],
    intercepts: &[i64],
    d: i32,
    formats: &Formats,
) -> (IntParams, bool) {
    let input = FixedFormat::new(formats.input_bits, d);
    let (lo, hi) = (input.min_code(), input.max_code());
    let raw: Vec<i64> = res
        .breakpoints
        .iter()
        .map(|&v| (v * pow2(d)).round_ties_even().clamp(-9e15, 9e15) as i64)
        .collect();
    let mut p = IntParams {
        breakpoints: raw.iter().map(|&c| c.clamp(lo, hi)).collect(),
        slopes: slopes.to_vec(),
        intercepts: intercepts.to_vec(),
    };
    let clamped = raw.iter().any(|&c| c < lo || c > hi);
    if let Some(t0) = raw.iter().position(|&c| c > hi) {
        let k = p.slopes.len();
        p.slopes[k - 1] = slopes[t0];
        p.intercepts[k - 1] = intercepts[t0];
    }
    (p, clamped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lutforge_core::golden;
    use lutforge_core::Builtin;

    fn req(f: Builtin, k: usize, method: Method) -> Request {
        let mut r = Request::new(Function::Builtin(f), k);
        r.method = method;
        r.scales = 2..=4;
        r.population = 12;
        r.generations = 15;
        r.patience = 10;
        r
    }

    #[test]
    fn every_method_writes_valid_tables_with_metrics() {
        for m in [Method::Ga, Method::Exact, Method::Gqa] {
            for f in [Builtin::Gelu, Builtin::Reciprocal, Builtin::Exp] {
                let o = search(&req(f, 4, m), &mut |_| {}).unwrap();
                let (back, _) = Table::from_json(&o.table.to_json()).unwrap();
                assert_eq!(back.scales.len(), 3);
                assert!(o.table.scales.iter().all(|s| s.metrics.is_some()));
                assert_eq!(o.table.provenance.method, m.name());
            }
        }
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_search() {
        for m in [Method::Ga, Method::Gqa] {
            let r = req(Builtin::Gelu, 6, m);
            let a = search(&r, &mut |_| {}).unwrap().table.to_json();
            let b = search(&r, &mut |_| {}).unwrap().table.to_json();
            assert_eq!(a, b);
            assert!(a.contains("\"seed\": 1"));
        }
    }

    #[test]
    fn ga_gap_to_exact_is_never_negative() {
        let o = search(&req(Builtin::Gelu, 6, Method::Ga), &mut |_| {}).unwrap();
        assert_eq!(o.gaps.len(), 3);
        assert!(o.gaps.iter().all(|&(_, g)| g >= -1e-12), "{:?}", o.gaps);
    }

    #[test]
    fn exact_pwl_beats_every_other_table_on_pwl_mse() {
        let ex = search(&req(Builtin::Hswish, 4, Method::Exact), &mut |_| {}).unwrap();
        for m in [Method::Ga, Method::Gqa] {
            let o = search(&req(Builtin::Hswish, 4, m), &mut |_| {}).unwrap();
            for (a, b) in ex.table.scales.iter().zip(&o.table.scales) {
                let (ma, mb) = (a.metrics.unwrap(), b.metrics.unwrap());
                assert!(ma.pwl_mse <= mb.pwl_mse + 1e-15, "{m:?} {}", a.frac);
            }
        }
    }

    #[test]
    fn more_segments_than_codes_are_padded() {
        // reciprocal on [0.5, 4] at scale 0 has codes 1..=4 only.
        let mut r = req(Builtin::Reciprocal, 8, Method::Exact);
        r.scales = 0..=3;
        let o = search(&r, &mut |_| {}).unwrap();
        assert!(o.notes.iter().any(|n| n.starts_with("scale 0:")));
        let (_, warnings) = Table::from_json(&o.table.to_json()).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn gqa_widens_reciprocal_slopes() {
        let mut r = req(Builtin::Reciprocal, 8, Method::Gqa);
        r.generations = 3;
        let o = search(&r, &mut |_| {}).unwrap();
        // The first chord from 0.5 is steeper than -2 for any breakpoint below 1.
        if o.table.formats.slope.bits > 8 {
            assert!(o.notes.iter().any(|n| n.contains("widened the slopes")));
        }
        assert_eq!(o.table.formats.slope.frac, 6);
    }

    #[test]
    fn gqa_clamping_keeps_the_table_equivalent() {
        let res = gqa::GqaResult {
            breakpoints: vec![-3.0, 0.5, 2.5, 3.0],
            slopes: vec![0.0, 0.25, 0.5, 0.75, 1.0],
            intercepts: vec![0.0, 0.125, 0.25, 0.375, 0.5],
            grid_mse: 0.0,
        };
        let f = Function::Builtin(Builtin::Gelu);
        let mut formats = Formats::default_for(&f, (-4.0, 4.0));
        let (ks, bs, _) = gqa_codes(&res, &mut formats);
        let (p, clamped) = gqa_scale(&res, &ks, &bs, 6, &formats);
        assert!(clamped);
        // The unclamped table in a 10-bit input, evaluated on the 8-bit codes.
        let wide = IntParams {
            breakpoints: vec![-192, 32, 160, 192],
            slopes: ks.clone(),
            intercepts: bs.clone(),
        };
        let mut dw = formats.datapath(6);
        dw.input.bits = 10;
        let dn = formats.datapath(6);
        for x in -128..=127 {
            assert_eq!(
                golden::eval(&dn, &p, x).y,
                golden::eval(&dw, &wide, x).y,
                "x={x}"
            );
        }
    }

    #[test]
    fn an_error_bound_gets_the_fewest_segments_that_meet_it() {
        for e in [1.0, 0.75, 0.5] {
            let mut r = req(Builtin::Gelu, 64, Method::Exact);
            r.objective = Objective::MaxErr;
            r.max_err_lsb = Some(e);
            let o = search(&r, &mut |_| {}).unwrap();
            let k = o.table.segments;
            let worst = |t: &Table| {
                t.scales
                    .iter()
                    .map(|s| s.metrics.unwrap().max_err_lsb)
                    .fold(0.0, f64::max)
            };
            assert!(worst(&o.table) <= e, "bound {e}, K={k}");
            // The minimax table of one segment fewer misses the bound somewhere: K is the least.
            let mut fewer = r.clone();
            fewer.max_err_lsb = None;
            fewer.segments = k - 1;
            let t = search(&fewer, &mut |_| {}).unwrap().table;
            assert!(worst(&t) > e, "bound {e}: K-1={} meets it", k - 1);
            // Another method meets the bound too, with at least as many segments.
            let mut ga = r.clone();
            ga.method = Method::Ga;
            let g = search(&ga, &mut |_| {}).unwrap();
            assert!(g.table.segments >= k && worst(&g.table) <= e);
        }
    }

    #[test]
    fn exact_max_err_is_never_beaten_by_another_table() {
        let mut r = req(Builtin::Exp, 6, Method::Exact);
        r.objective = Objective::MaxErr;
        let best = search(&r, &mut |_| {}).unwrap().table;
        for (m, obj) in [
            (Method::Exact, Objective::Pwl),
            (Method::Exact, Objective::Hw),
            (Method::Ga, Objective::Hw),
        ] {
            let mut o = r.clone();
            o.method = m;
            o.objective = obj;
            let t = search(&o, &mut |_| {}).unwrap().table;
            for (a, b) in best.scales.iter().zip(&t.scales) {
                let (a, b) = (a.metrics.unwrap(), b.metrics.unwrap());
                assert!(
                    a.max_abs_err <= b.max_abs_err,
                    "{m:?} {obj:?}: {a:?} vs {b:?}"
                );
            }
        }
    }

    #[test]
    fn bad_requests_are_refused_with_a_reason() {
        let base = req(Builtin::Gelu, 4, Method::Ga);
        type Edit = Box<dyn Fn(&mut Request)>;
        let cases: Vec<(Edit, &str)> = vec![
            (Box::new(|r| r.segments = 0), "--segments 0"),
            (Box::new(|r| r.segments = 1000), "at most"),
            (Box::new(|r| r.population = 1), "--population"),
            (Box::new(|r| r.generations = 0), "--generations"),
            (Box::new(|r| r.domain = (1.0, -1.0)), "empty"),
            (
                Box::new(|r| {
                    r.function = Function::Builtin(Builtin::Reciprocal);
                    r.domain = (-1.0, 1.0)
                }),
                "defined only",
            ),
            (
                Box::new(|r| r.formats.output = FixedFormat::new(8, 6)),
                "(8, 4) would hold it",
            ),
            (
                Box::new(|r| {
                    r.function = Function::Builtin(Builtin::Reciprocal);
                    r.domain = (0.5, 0.9);
                    r.formats.output = FixedFormat::new(8, 5);
                    r.scales = 0..=0
                }),
                "no 8-bit input code",
            ),
            #[allow(clippy::reversed_empty_ranges)]
            (Box::new(|r| r.scales = 3..=2), "empty"),
            (
                Box::new(|r| r.breakpoint_step = 2),
                "works with --method exact",
            ),
            (
                Box::new(|r| {
                    r.method = Method::Exact;
                    r.breakpoint_step = 8
                }),
                "below the 8-bit input",
            ),
            (Box::new(|r| r.max_err_lsb = Some(-1.0)), "at least 0"),
            (Box::new(|r| r.max_err_lsb = Some(f64::NAN)), "finite"),
            (
                Box::new(|r| {
                    r.max_err_lsb = Some(0.3);
                    r.segments = 64
                }),
                "the least reachable is",
            ),
        ];
        for (edit, want) in cases {
            let mut r = base.clone();
            edit(&mut r);
            let e = search(&r, &mut |_| {}).unwrap_err().to_string();
            assert!(e.contains(want), "{e} lacks {want}");
            assert!(!e.contains('\n'));
        }
    }
}
