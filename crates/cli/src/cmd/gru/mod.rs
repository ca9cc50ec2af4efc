//! `lutforge gru …`: mixed-precision integer GRUs (docs/gru.md). One module per verb; what
//! the verbs share (loading a task and a model, the calibration option) is here.

pub mod cost;
pub mod eval;
pub mod front_report;
pub mod gen;
pub mod import;
pub mod pareto;
pub mod sim;
pub mod synth;
pub mod tasks;
pub mod train;
pub mod verify;

use clap::{Args, Subcommand};
use lutforge_gru::calibration::Calibration;
use lutforge_gru::data::{self, Dataset};
use lutforge_gru::genome::Genome;
use lutforge_gru::model_file::ModelFile;
use lutforge_gru::pareto::{select, Front, Rule, Scored, FRONT_FORMAT};
use lutforge_gru::quant::QuantGru;
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

/// A model made for `task` (its file names the task it was trained or imported for): the
/// search and the cell of another task's model would compare it with data it never knew.
pub fn check_task(m: &ModelFile, task: &str) -> CliResult {
    let builtin = |t: &str| data::TASKS.iter().any(|x| x.name == t);
    if m.task != task && (builtin(task) || builtin(&m.task)) {
        return Err(CliError::input(format!(
            "the model is for task {}, not {task} (give --task {} or a model of {task})",
            m.task, m.task
        )));
    }
    Ok(())
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

/// A front file, checked: its format named, and a file of another kind recognised.
pub fn load_front(front_path: &Path) -> CliResult<(Front, serde_json::Value)> {
    let text = lutforge_core::io::read_text(front_path)?;
    let v = lutforge_core::io::json::parse(&text)
        .map_err(|e| CliError::input(format!("{}: {e}", front_path.display())))?;
    match v.get("format").and_then(|f| f.as_str()) {
        Some(FRONT_FORMAT) => {}
        Some(f) if f.starts_with("lutforge-gru-front/") => {
            return Err(CliError::input(format!(
                "{}: format '{f}'; this lutforge reads {FRONT_FORMAT} (run gru pareto again)",
                front_path.display()
            )))
        }
        Some(f) => {
            return Err(CliError::input(format!(
                "{}: a '{f}' file, not a GRU front (lutforge gru pareto writes one)",
                front_path.display()
            )))
        }
        None => {
            return Err(CliError::input(format!(
                "{}: not a GRU front (lutforge gru pareto writes one)",
                front_path.display()
            )))
        }
    }
    let front: Front = serde_path_to_error::deserialize(v.clone()).map_err(|e| {
        CliError::input(format!(
            "{}: {}: {}",
            front_path.display(),
            e.path(),
            e.inner()
        ))
    })?;
    Ok((front, v))
}

/// The design `pick` names in the front in `front_path`, as an integer model: `recommended`
/// (the front's own choice), a member index, `intB` (the homogeneous B-bit baseline) or a
/// rule on the search data
/// (`smallest-within:P`, `smallest-above:A`, `smallest-below:M`; `pareto::Rule`). The
/// front's model is the file it names unless `model` is given; a fine-tuned member brings
/// its own weights. Quantized at the design's genome with the front's calibration. The
/// member's genes are checked against its genome and the model.
pub fn load_member(
    front_path: &Path,
    pick: &str,
    model: Option<&Path>,
) -> CliResult<(QuantGru, Dataset, Front, Scored, String)> {
    let (front, raw) = load_front(front_path)?;
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
    } else if pick == "recommended" {
        let s = front.saving.as_ref().ok_or_else(|| {
            CliError::input(
                "--member recommended: the front recommends none (no member within a point of the 8-bit model on the search data); name one: an index, intB or a rule",
            )
        })?;
        let m = front.members.get(s.member).ok_or_else(|| {
            CliError::input(format!(
                "{}: its recommended member {} is not among its {} members",
                front_path.display(),
                s.member,
                front.members.len()
            ))
        })?;
        (
            m.clone(),
            format!(
                "member {} (recommended: {} on the search data)",
                s.member, s.rule
            ),
        )
    } else {
        let rule = Rule::parse(pick).map_err(|e| CliError::input(format!("--member {e}")))?;
        let reference = front
            .baselines
            .iter()
            .find(|b| b.bits == 8)
            .ok_or_else(|| CliError::input("the front has no 8-bit baseline"))?;
        let i = select(
            &front.members,
            front.metric,
            &reference.scored,
            front.tolerance,
            rule,
        )
        .map_err(|e| CliError::input(format!("--member {pick}: {e}")))?;
        let how = match rule {
            Rule::Index(_) => String::new(),
            _ => format!(" ({pick} on the search data)"),
        };
        (front.members[i].clone(), format!("member {i}{how}"))
    };
    let named = raw["model"]["file"].as_str().map(std::path::PathBuf::from);
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
    check_task(&m, &front.task)?;
    if let Some(w) = &member.weights {
        if w.len() != m.model.params.len() {
            return Err(CliError::input(format!(
                "{label}'s fine-tuned weights hold {} values; {} has {}",
                w.len(),
                path.display(),
                m.model.params.len()
            )));
        }
        if let Some(i) = w.iter().position(|v| !v.is_finite()) {
            return Err(CliError::input(format!(
                "{label}'s fine-tuned weight {i} is not a finite number"
            )));
        }
        m.model.params = w.clone();
    }
    let layers = m.model.shape.layers;
    let genome = Genome::from_genes(&member.genes, layers)
        .map_err(|e| CliError::input(format!("{label}: {e}")))?;
    if genome.to_string() != member.genome {
        return Err(CliError::input(format!(
            "{label}: its genes ({genome}) and its genome ({}) disagree",
            member.genome
        )));
    }
    front
        .ranges
        .check(layers)
        .map_err(|e| CliError::input(format!("{}: {e}", front_path.display())))?;
    let q = QuantGru::new(&m.model, &front.ranges, &genome, &TableCache::new())?;
    Ok((q, ds, front, member, label))
}

/// `max`, `mse` or `percentile:P` (0 < P ≤ 100).
pub fn parse_calibration(s: &str) -> Result<Calibration, String> {
    Calibration::parse(s)
}

/// Accuracy as a percentage, MSE as it is.
pub fn show(metric: data::Metric, v: f64) -> String {
    match metric {
        data::Metric::Accuracy => format!("{:.2} %", 100.0 * v),
        data::Metric::Mse => format!("MSE {v:.5}"),
    }
}

/// A split's figure with its count: accuracy as "k/n = p %", MSE as it is.
pub fn show_counted(metric: data::Metric, v: f64, n: usize) -> String {
    match metric {
        data::Metric::Accuracy => {
            format!(
                "{}/{n} = {:.2} %",
                (v * n as f64).round() as usize,
                100.0 * v
            )
        }
        data::Metric::Mse => format!("MSE {v:.5} ({n} sequences)"),
    }
}
