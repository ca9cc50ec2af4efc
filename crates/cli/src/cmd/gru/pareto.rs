//! `lutforge gru pareto`: the mixed-precision front of a task's GRU by NSGA-II over the
//! per-operator widths: error, model size and energy per inference (docs/gru.md).

use clap::Args;
use lutforge_gru::calibration::{Calibration, WeightScales};
use lutforge_gru::data::{self, Metric, Sample, Target};
use lutforge_gru::finetune::FinetuneConfig;
use lutforge_gru::model::Gru;
use lutforge_gru::model_file::FoldModels;
use lutforge_gru::pareto::{run_with as search, Config, SearchData};
use lutforge_gru::scoring::Objective;
use lutforge_gru::train::{train, train_folds, TrainConfig};
use lutforge_search::nsga2::Evaluator;
use lutforge_search::nsga2::Settings;
use lutforge_sim::cost::Tech;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use super::front_report::{csv, plot, summary};
use super::{load_model, load_task, parse_calibration};
use crate::args::{parse_range, parse_tech};
use crate::error::{note, CliError, CliResult};
use crate::outputs;

#[derive(Args)]
pub struct ParetoArgs {
    /// Task: fsdd, vowels, motions, adding, or a .npz / .ts file.
    #[arg(long)]
    task: String,
    /// The float model to quantize (default: one trained now with the task's settings).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Widths every operator may take, A..B within 2..16.
    #[arg(long, default_value = "2..8", value_parser = parse_bits)]
    bits: RangeInclusive<u32>,
    /// Population of NSGA-II.
    #[arg(long, default_value_t = 48)]
    population: usize,
    /// Generations of NSGA-II.
    #[arg(long, default_value_t = 40)]
    generations: usize,
    /// Seed of NSGA-II (portable generator): same seed, same front bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Search error and size only (the paper's two objectives), without energy.
    #[arg(long)]
    no_energy: bool,
    /// Constraint: model size at most this many bits.
    #[arg(long)]
    max_size: Option<f64>,
    /// Constraint (classification): accuracy on the search data at least this, a fraction
    /// (0.97 for 97 %).
    #[arg(long)]
    min_accuracy: Option<f64>,
    /// Constraint (regression): MSE on the search data at most this.
    #[arg(long)]
    max_mse: Option<f64>,
    /// Search data, where genomes are scored and members chosen: folds (the model's fold
    /// models, `gru train --folds`), val (the validation split) or train-inputs (the
    /// training inputs against the float model, without labels). Default: folds when the
    /// model has them, else val when the task's holds 100 sequences, else train-inputs.
    #[arg(long, value_parser = parse_search, conflicts_with = "search_data")]
    search: Option<String>,
    /// Search data from a file of held-out sequences (.npz or .ts; labels optional in .npz
    /// as `y`): what a model trained elsewhere should bring.
    #[arg(long, value_name = "FILE")]
    search_data: Option<PathBuf>,
    /// The error objective on the search data: fidelity (the default: divergence from the
    /// float model, needs no labels), loss (the task loss) or error (1 − accuracy, or MSE).
    #[arg(long, value_parser = Objective::parse)]
    objective: Option<Objective>,
    /// How scales are chosen: mse (least squared error), max, or percentile:P.
    #[arg(long, default_value = "mse", value_parser = parse_calibration)]
    calibration: Calibration,
    /// Weight scales per tensor or per output row (each a power of two).
    #[arg(long, default_value = "tensor", value_parser = WeightScales::parse)]
    weight_scales: WeightScales,
    /// Technology node of the energy model: 28nm or 45nm.
    #[arg(long, default_value = "28nm", value_parser = parse_tech)]
    node: Tech,
    /// Before the choice, fine-tune (quantization-aware training, straight-through
    /// estimator) the N smallest members within five points of the 8-bit model on the search
    /// data, every model of the search data and the deployed one; they join the front marked
    /// "fine_tuned", with their weights.
    #[arg(long, default_value_t = DEFAULT_FINETUNE)]
    finetune: usize,
    /// Epochs of each fine-tuning.
    #[arg(long, default_value_t = 15)]
    finetune_epochs: usize,
    /// Price the hardware as the GRU cell of P MAC lanes (`gru gen --lanes P`): the size
    /// objective becomes the cell's area and the energy objective its energy per inference,
    /// from the cell model's activity (one-layer models).
    #[arg(long, value_name = "P")]
    cell_lanes: Option<usize>,
    /// Front file to write (JSON).
    #[arg(short, long)]
    output: PathBuf,
    /// Also draw the search data's and the test split's accuracy (or MSE) of every member
    /// and baseline against size (or cell area), as an SVG.
    #[arg(long)]
    plot: Option<PathBuf>,
    /// Also write the members and baselines as CSV.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// No progress bar and no summary on stderr.
    #[arg(long, short)]
    quiet: bool,
}

fn parse_bits(s: &str) -> Result<RangeInclusive<u32>, String> {
    let r = parse_range::<u32>(s)?;
    if r.is_empty() || *r.start() < 2 || *r.end() > 16 {
        return Err(format!("'{s}': a width range within 2..16"));
    }
    Ok(r)
}

fn parse_search(s: &str) -> Result<String, String> {
    match s {
        "folds" | "val" | "train-inputs" => Ok(s.to_string()),
        _ => Err(format!("'{s}': folds, val or train-inputs")),
    }
}

/// Members fine-tuned before the choice by default.
pub const DEFAULT_FINETUNE: usize = 3;

/// The default objective: the divergence from the float model, labelled search data or not
/// (docs/results.md compares the three by what holds on the test split).
pub const DEFAULT_OBJECTIVE: Objective = Objective::Fidelity;

/// The user's search data: sequences of `path`, checked against the task (features, and
/// labels within its classes, mapped by name for a .ts file).
fn search_file(path: &Path, ds: &data::Dataset) -> CliResult<SearchData> {
    let (mut samples, features, names) = data::read_sequences(path)?;
    let name = path.display().to_string();
    if features != ds.features {
        return Err(CliError::input(format!(
            "--search-data {name}: {features} features; the task has {}",
            ds.features
        )));
    }
    if ds.metric == Metric::Accuracy {
        if let Some(names) = &names {
            for (i, s) in samples.iter_mut().enumerate() {
                if let Target::Class(c) = s.y {
                    let n = &names[c];
                    let k = ds.classes.iter().position(|x| x == n).ok_or_else(|| {
                        CliError::input(format!(
                            "--search-data {name}: sequence {i} has class '{n}', not one of the model's ({})",
                            ds.classes.join(", ")
                        ))
                    })?;
                    s.y = Target::Class(k);
                }
            }
        } else if let Some((i, c)) = samples.iter().enumerate().find_map(|(i, s)| match s.y {
            Target::Class(c) if c >= ds.outputs => Some((i, c)),
            _ => None,
        }) {
            return Err(CliError::input(format!(
                "--search-data {name}: sequence {i} has label {c}; the model's classes are 0 to {}",
                ds.outputs - 1
            )));
        }
    }
    let labelled = ds.metric == Metric::Accuracy;
    let samples: Vec<Sample> = samples;
    Ok(SearchData::External {
        name,
        samples,
        labelled,
    })
}

pub fn run(a: &ParetoArgs) -> CliResult {
    run_with(a, None)
}

/// What one search needs, from the arguments: the model (trained here without --model), its
/// fold models, the task's data, the search's configuration and NSGA-II's settings.
pub struct Prepared {
    pub model: Gru,
    pub folds: Option<FoldModels>,
    pub ds: data::Dataset,
    pub config: Config,
    pub settings: Settings,
    model_note: serde_json::Value,
}

/// `gru pareto` with the generations' evaluations handed to `evaluator` (the Python package's
/// Dask map); a worker builds the same problem from the same arguments with [`prepare`].
pub fn run_with(a: &ParetoArgs, evaluator: Option<&dyn Evaluator>) -> CliResult {
    if let Some(v) = a.min_accuracy {
        if !(0.0..=1.0).contains(&v) {
            return Err(CliError::input(format!(
                "--min-accuracy {v}: a fraction in 0..1 (0.97 for 97 %)"
            )));
        }
    }
    for (name, v) in [("--max-size", a.max_size), ("--max-mse", a.max_mse)] {
        if let Some(v) = v {
            if !(v > 0.0 && v.is_finite()) {
                return Err(CliError::input(format!("{name} {v}: a positive number")));
            }
        }
    }
    let mut inputs: Vec<&Path> = a.model.iter().map(|p| p.as_path()).collect();
    if a.task.ends_with(".npz") || a.task.ends_with(".ts") {
        inputs.push(Path::new(&a.task));
    }
    inputs.extend(a.search_data.as_deref());
    let mut paths = vec![a.output.as_path()];
    paths.extend(a.plot.as_deref());
    paths.extend(a.csv.as_deref());
    crate::args::check_extension(&a.output, "json")?;
    for p in a.plot.iter().chain(&a.csv) {
        crate::args::check_extension(
            p,
            if Some(p) == a.plot.as_ref() {
                "svg"
            } else {
                "csv"
            },
        )?;
    }
    let mut files = outputs::open(&paths, &inputs)?.into_iter();
    let (front_file, plot_file, csv_file) = (
        files.next(),
        a.plot.as_ref().and_then(|_| files.next()),
        a.csv.as_ref().and_then(|_| files.next()),
    );
    let Prepared {
        model,
        folds,
        ds,
        config,
        settings,
        model_note,
    } = prepare(a)?;
    let bar = crate::progress::bar(
        a.generations as u64 + 1,
        &format!("gru pareto {}", ds.task),
        "generations",
        a.quiet,
    );
    let front = search(
        &model,
        folds.as_ref(),
        &ds,
        config,
        &settings,
        &mut |p| {
            bar.set_position(p.generation as u64 + 1);
            bar.set_message(format!("{} evaluations, front {}", p.evaluations, p.front));
        },
        evaluator,
    )?;
    bar.finish_and_clear();
    if front.members.is_empty() {
        return Err(CliError::input(
            "no genome meets the constraints (--max-size, --min-accuracy, --max-mse)",
        ));
    }
    let mut doc = serde_json::to_value(&front)
        .map_err(|e| CliError::internal(format!("cannot serialize the front: {e}")))?;
    doc["model"] = model_note;
    let mut text = serde_json::to_string_pretty(&doc)
        .map_err(|e| CliError::internal(format!("cannot serialize the front: {e}")))?;
    text.push('\n');
    let mut done = vec![];
    if let Some(f) = plot_file {
        let svg =
            plot(&front).map_err(|e| CliError::internal(format!("cannot draw the plot: {e}")))?;
        done.push((f, svg.into_bytes()));
    }
    if let Some(f) = csv_file {
        done.push((f, csv(&front).into_bytes()));
    }
    if let Some(f) = front_file {
        done.push((f, text.into_bytes()));
    }
    outputs::finish_all(done)?;
    if !a.quiet {
        summary(&front, &a.output);
    }
    Ok(())
}

/// Loads (or trains) the model and builds the search's configuration from the arguments.
pub fn prepare(a: &ParetoArgs) -> CliResult<Prepared> {
    let (loaded, ds) = match &a.model {
        Some(p) => {
            let (m, ds) = load_model(p, Some(&a.task))?;
            super::check_task(&m, &ds.task)?;
            (Some((p, m)), ds)
        }
        None => (None, load_task(&a.task)?),
    };
    if ds.metric == Metric::Mse && a.min_accuracy.is_some() {
        return Err(CliError::input(format!(
            "--min-accuracy: task {} is a regression; use --max-mse",
            ds.task
        )));
    }
    if ds.metric == Metric::Accuracy && a.max_mse.is_some() {
        return Err(CliError::input(format!(
            "--max-mse: task {} is a classification; use --min-accuracy",
            ds.task
        )));
    }
    if a.generations == 0 {
        return Err(CliError::input("--generations 0: at least one is needed"));
    }
    if a.finetune > 64 || a.finetune_epochs == 0 || a.finetune_epochs > 10_000 {
        return Err(CliError::input(
            "--finetune at most 64 members, --finetune-epochs 1 to 10000",
        ));
    }
    let settings = Settings {
        population: a.population,
        generations: a.generations,
        seed: a.seed,
        ..Settings::default()
    };
    lutforge_search::nsga2::check_settings(&settings).map_err(CliError::input)?;
    let (model, folds, model_note) = match loaded {
        Some((p, m)) => (
            m.model,
            m.folds,
            serde_json::json!({ "file": p, "provenance": m.provenance }),
        ),
        None => {
            let cfg = TrainConfig::for_task(&a.task);
            let k = super::train::default_folds(&ds);
            if !a.quiet {
                note(format_args!(
                    "no --model: training one with the task's settings ({} hidden, seed {}{})",
                    cfg.hidden,
                    cfg.seed,
                    if k > 0 {
                        format!(", and {k} fold models")
                    } else {
                        String::new()
                    }
                ));
            }
            let r = train(&ds, &cfg, &mut |_| {});
            let folds = if k > 0 {
                Some(train_folds(&ds, &cfg, k, &mut |_| {})?)
            } else {
                None
            };
            (
                r.model,
                folds,
                serde_json::json!({ "trained": cfg, "folds": k }),
            )
        }
    };
    let search_data = match (&a.search_data, a.search.as_deref()) {
        (Some(p), _) => search_file(p, &ds)?,
        (None, Some("folds")) => SearchData::Folds,
        (None, Some("val")) => SearchData::Val,
        (None, Some(_)) => SearchData::TrainInputs,
        (None, None) => SearchData::default_for(&ds, folds.as_ref()),
    };
    let tc = TrainConfig::for_task(&a.task);
    let config = Config {
        bits: a.bits.clone(),
        energy_objective: !a.no_energy,
        max_size_bits: a.max_size,
        min_accuracy: a.min_accuracy,
        max_mse: a.max_mse,
        search: search_data,
        objective: a.objective.unwrap_or(DEFAULT_OBJECTIVE),
        calibration: a.calibration,
        weight_scales: a.weight_scales,
        tech: a.node,
        finetune: a.finetune,
        finetune_cfg: FinetuneConfig {
            epochs: a.finetune_epochs,
            seed: a.seed,
            noise: tc.noise,
            ..FinetuneConfig::default()
        },
        cell_lanes: a.cell_lanes,
    };
    Ok(Prepared {
        model,
        folds,
        ds,
        config,
        settings,
        model_note,
    })
}
