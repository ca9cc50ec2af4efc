//! The searches' evaluator seam from Python: `run_mapped` runs `gru pareto` or `pareto` with
//! each generation's genomes handed to a Python callable (the Dask map of `lutforge.dask`), and
//! `evaluate` is what a worker runs on a batch — the same problem, built from the same
//! arguments, so the front does not depend on where the genomes were evaluated.

use crate::err;
use lutforge::cmd::gru::pareto::{prepare, Prepared};
use lutforge_gru::pareto::GruProblem;
use lutforge_search::nsga2::{Evaluation, Evaluator, Problem};
use lutforge_search::pareto::UnitProblem;
use pyo3::prelude::*;
use std::sync::Mutex;

/// A Python callable `f(genomes) -> [(objectives, violation), …]`, called once per
/// generation with the genomes not evaluated before, in order.
struct PyEvaluator {
    f: Py<PyAny>,
}

impl Evaluator for PyEvaluator {
    fn evaluate(&self, genomes: &[Vec<i64>]) -> Result<Vec<Evaluation>, String> {
        Python::attach(|py| {
            let r = self
                .f
                .call1(py, (genomes.to_vec(),))
                .and_then(|r| r.extract::<Vec<(Vec<f64>, f64)>>(py));
            match r {
                Ok(v) => Ok(v
                    .into_iter()
                    .map(|(objectives, violation)| Evaluation {
                        objectives,
                        violation,
                    })
                    .collect()),
                Err(e) => Err(format!(
                    "the evaluations of a generation failed ({}); nothing was written",
                    e.to_string().lines().next().unwrap_or("")
                )),
            }
        })
    }
}

fn is_gru(argv: &[String]) -> bool {
    argv.first().is_some_and(|a| a == "gru")
}

/// Runs a `gru pareto` or `pareto` command line with the generations' evaluations done by
/// `map`.
#[pyfunction]
fn run_mapped(py: Python<'_>, argv: Vec<String>, map: Py<PyAny>) -> PyResult<()> {
    let ev = PyEvaluator { f: map };
    let run = || -> Result<(), String> {
        let r = if is_gru(&argv) {
            let a = lutforge::gru_pareto_args(&argv)?;
            lutforge::cmd::gru::pareto::run_with(&a, Some(&ev))
        } else {
            let a = lutforge::unit_pareto_args(&argv)?;
            lutforge::cmd::pareto::run_with(&a, Some(&ev))
        };
        r.and_then(|_| lutforge::out::flush()).map_err(|e| e.msg)
    };
    py.detach(run).map_err(err)
}

/// Problems built in this process, by command line: a worker evaluates many batches of one
/// search, and building the problem (data, fold models, float outputs) costs more than a batch.
/// Kept for the life of the process; at most `MAX_PROBLEMS` searches.
type Cached = (Vec<String>, &'static dyn Problem);
static PROBLEMS: Mutex<Vec<Cached>> = Mutex::new(Vec::new());
const MAX_PROBLEMS: usize = 8;

/// The command line without what only the search loop or the outputs use (NSGA-II's settings,
/// the output files, quiet): two searches that differ only there evaluate a genome alike, so a
/// worker keeps one problem for both.
fn problem_key(argv: &[String]) -> Vec<String> {
    const LOOP: [&str; 7] = [
        "--population",
        "--generations",
        "-o",
        "--output",
        "--plot",
        "--csv",
        "--tables",
    ];
    let mut key = Vec::new();
    let mut it = argv.iter();
    while let Some(a) = it.next() {
        if LOOP.contains(&a.as_str()) {
            it.next();
        } else if a != "-q" && a != "--quiet" {
            key.push(a.clone());
        }
    }
    key
}

fn problem(argv: &[String]) -> Result<&'static dyn Problem, String> {
    let key = problem_key(argv);
    let mut cache = PROBLEMS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, p)) = cache.iter().find(|(a, _)| *a == key) {
        return Ok(*p);
    }
    if cache.len() >= MAX_PROBLEMS {
        return Err(format!(
            "this worker already holds {MAX_PROBLEMS} searches' problems; restart the workers"
        ));
    }
    let p: &'static dyn Problem = if is_gru(argv) {
        let a = lutforge::gru_pareto_args(argv)?;
        let prepared: &'static Prepared = Box::leak(Box::new(prepare(&a).map_err(|e| e.msg)?));
        let p = GruProblem::new(
            &prepared.model,
            prepared.folds.as_ref(),
            &prepared.ds,
            prepared.config.clone(),
        )
        .map_err(|e| e.to_string())?;
        Box::leak(Box::new(p))
    } else {
        let a = lutforge::unit_pareto_args(argv)?;
        let cfg = lutforge::cmd::pareto::config(&a).map_err(|e| e.msg)?;
        Box::leak(Box::new(UnitProblem::new(cfg)?))
    };
    cache.push((key, p));
    Ok(p)
}

/// A worker's batch: the evaluations of `genomes` for the search of `argv`, as
/// `[(objectives, violation), …]`.
#[pyfunction]
fn evaluate(
    py: Python<'_>,
    argv: Vec<String>,
    genomes: Vec<Vec<i64>>,
) -> PyResult<Vec<(Vec<f64>, f64)>> {
    let out = py
        .detach(|| -> Result<Vec<Evaluation>, String> {
            let p = problem(&argv)?;
            p.evaluate_batch(&genomes)
        })
        .map_err(crate::Error::new_err)?;
    Ok(out
        .into_iter()
        .map(|e| (e.objectives, e.violation))
        .collect())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run_mapped, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    Ok(())
}
