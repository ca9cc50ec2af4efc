//! `lutforge gru …`: mixed-precision integer GRUs (docs/gru.md). One module per verb; what
//! the verbs share (loading a task and a model, the calibration option) is here.

pub mod cost;
pub mod eval;
pub mod gen;
pub mod import;
pub mod pareto;
pub mod sim;
pub mod synth;
pub mod tasks;
pub mod train;
pub mod verify;

use clap::{Args, Subcommand};
use lutforge_gru::data::{self, Dataset};
use lutforge_gru::genome::Genome;
use lutforge_gru::model_file::ModelFile;
use lutforge_gru::pareto::{Front, Scored};
use lutforge_gru::quant::{Calibration, QuantGru};
use lutforge_gru::tables::TableCache;
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
    /// Verilog of a front member's GRU cell (MAC lanes, LUT units), with its stimulus.
    Gen(gen::GenArgs),
    /// Cross-check a generated cell: the cell model against the integer model, Verilator
    /// against the cell model, cycle by cycle with stalls.
    Verify(verify::VerifyArgs),
    /// Run a generated cell's cycle model: cycles per step, speed (and Verilator's).
    Sim(sim::SimArgs),
    /// Yosys synthesis of a generated cell (generic CMOS, iCE40 or Xilinx).
    Synth(synth::SynthArgs),
    /// The cost model's area of a generated cell, by component.
    Cost(cost::CostArgs),
}

pub fn run(a: &GruArgs) -> CliResult {
    match &a.command {
        GruCommand::Tasks(a) => tasks::run(a),
        GruCommand::Train(a) => train::run(a),
        GruCommand::Eval(a) => eval::run(a),
        GruCommand::Pareto(a) => pareto::run(a),
        GruCommand::Import(a) => import::run(a),
        GruCommand::Gen(a) => gen::run(a),
        GruCommand::Verify(a) => verify::run(a),
        GruCommand::Sim(a) => sim::run(a),
        GruCommand::Synth(a) => synth::run(a),
        GruCommand::Cost(a) => cost::run(a),
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

/// The design `pick` names in the front in `front_path`, as an integer model: a member
/// index, `best` (the most accurate member on the test split, the lowest MSE for a
/// regression) or `intB` (the homogeneous B-bit baseline). The front's model is the file it
/// names unless `model` is given; a fine-tuned member brings its own weights. Quantized at
/// the design's genome with the front's calibrated ranges.
pub fn load_member(
    front_path: &Path,
    pick: &str,
    model: Option<&Path>,
) -> CliResult<(QuantGru, Dataset, Front, Scored, String)> {
    let text = lutforge_core::io::read_text(front_path)?;
    let front: Front = serde_json::from_str(&text).map_err(|e| {
        CliError::input(format!(
            "{}: not a GRU front (lutforge gru pareto): {e}",
            front_path.display()
        ))
    })?;
    let n = front.members.len();
    let (member, label) = if let Some(bits) = pick.strip_prefix("int") {
        let b = front
            .baselines
            .iter()
            .find(|b| bits.parse::<u32>().ok() == Some(b.bits))
            .ok_or_else(|| {
                let have: Vec<String> = front
                    .baselines
                    .iter()
                    .map(|b| format!("int{}", b.bits))
                    .collect();
                CliError::input(format!(
                    "--member {pick}: the front's baselines are {}",
                    have.join(", ")
                ))
            })?;
        (
            b.scored.clone(),
            format!("the homogeneous {}-bit baseline", b.bits),
        )
    } else {
        let index = if pick == "best" {
            let better = |a: f64, b: f64| match front.metric {
                data::Metric::Accuracy => a > b,
                data::Metric::Mse => a < b,
            };
            let mut best: Option<usize> = None;
            for (i, m) in front.members.iter().enumerate() {
                if best.is_none_or(|b| better(m.test, front.members[b].test)) {
                    best = Some(i);
                }
            }
            best.ok_or_else(|| CliError::input("the front has no member"))?
        } else {
            pick.parse::<usize>().map_err(|_| {
                CliError::input(format!("--member {pick}: an index (0, 1, …), best or intB"))
            })?
        };
        let Some(m) = front.members.get(index) else {
            return Err(CliError::input(format!(
                "--member {index}: the front holds {n} members (0 to {})",
                n.saturating_sub(1)
            )));
        };
        (m.clone(), format!("member {index}"))
    };
    let named = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["model"]["file"].as_str().map(std::path::PathBuf::from));
    let path = match (model, &named) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(p)) => p.clone(),
        (None, None) => {
            return Err(CliError::input(format!(
                "{}: the front names no model file (it trained its own); give --model",
                front_path.display()
            )))
        }
    };
    let (mut m, ds) = load_model(&path, Some(&front.task))?;
    if let Some(w) = &member.weights {
        if w.len() != m.model.params.len() {
            return Err(CliError::input(format!(
                "{label}'s fine-tuned weights hold {} values; {} has {}",
                w.len(),
                path.display(),
                m.model.params.len()
            )));
        }
        m.model.params = w.clone();
    }
    let layers = m.model.shape.layers;
    let genome = Genome::from_genes(&member.genes, layers)?;
    let q = QuantGru::new(&m.model, &front.ranges, &genome, &TableCache::new())?;
    Ok((q, ds, front, member, label))
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
