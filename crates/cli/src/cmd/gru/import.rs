//! `lutforge gru import`: a PyTorch `nn.GRU` and its linear head, saved as safetensors or
//! exported to ONNX, as a `lutforge-gru/1` model file for a task, with the float scores
//! PyTorch's equations give.

use clap::Args;
use lutforge_gru::import::from_safetensors;
use lutforge_gru::model::Norm;
use lutforge_gru::model_file::{ModelFile, Provenance, Scores};
use lutforge_gru::onnx::from_onnx_file;
use lutforge_gru::train::score;
use std::path::PathBuf;

use super::{check_fits, load_task, show};
use crate::error::{note, warn, CliError, CliResult};
use crate::outputs;

#[derive(Args)]
pub struct ImportArgs {
    /// The state dict, saved with safetensors' `save_file(model.state_dict(), …)`, or an ONNX
    /// graph (`.onnx`, from `torch.onnx.export`: GRU, a Gemm or MatMul+Add head, and an optional
    /// Sub/Div standardization, which becomes the model's normalization).
    file: PathBuf,
    /// The task the model was trained for.
    #[arg(long)]
    task: String,
    /// Name of the head's module: its tensors are PREFIX.weight and PREFIX.bias.
    #[arg(long, default_value = "fc")]
    head: String,
    /// Normalize the inputs as `gru train` does (z-score per feature over the training split);
    /// without it (or --norm) the model sees the task's features as they are.
    #[arg(long, conflicts_with = "norm")]
    normalize: bool,
    /// The normalization the model was trained with: a JSON file {"mean": [...], "std":
    /// [...]}, one value per feature (x' = (x − mean) / std).
    #[arg(long, value_name = "FILE")]
    norm: Option<PathBuf>,
    /// No summary on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// Model file to write.
    #[arg(short, long)]
    output: PathBuf,
}

/// A normalization file: {"mean": [...], "std": [...]}, finite, std positive.
fn read_norm(path: &std::path::Path, features: usize) -> CliResult<Norm> {
    let text = lutforge_core::io::read_text(path)?;
    let v = lutforge_core::io::json::parse(&text)
        .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
    let n: Norm = serde_path_to_error::deserialize(v)
        .map_err(|e| CliError::input(format!("{}: {}: {}", path.display(), e.path(), e.inner())))?;
    if n.mean.len() != features || n.std.len() != features {
        return Err(CliError::input(format!(
            "{}: {} means and {} deviations; the task has {features} features",
            path.display(),
            n.mean.len(),
            n.std.len()
        )));
    }
    if n.mean.iter().any(|m| !m.is_finite()) || n.std.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
        return Err(CliError::input(format!(
            "{}: every mean finite and every deviation positive",
            path.display()
        )));
    }
    Ok(n)
}

pub fn run(a: &ImportArgs) -> CliResult {
    let mut inputs = vec![a.file.as_path()];
    inputs.extend(a.norm.as_deref());
    crate::args::check_extension(&a.output, "json")?;
    let out = outputs::open_one(&a.output, &inputs)?;
    let bytes = lutforge_core::io::read_bytes(&a.file)?;
    let onnx = a
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("onnx"));
    let mut model = if onnx {
        from_onnx_file(&a.file)
    } else {
        from_safetensors(&bytes, &a.head)
    }
    .map_err(|e| lutforge_core::Error::io(&a.file, e))?;
    let ds = load_task(&a.task)?;
    let graph_norm = model.norm != Norm::identity(model.shape.input);
    if graph_norm && (a.normalize || a.norm.is_some()) {
        return Err(CliError::input(format!(
            "{}: the graph standardizes its inputs itself; drop --normalize/--norm",
            a.file.display()
        )));
    }
    if a.normalize {
        model.norm = Norm::fit(&ds.train, ds.features);
    } else if let Some(p) = &a.norm {
        model.norm = read_norm(p, ds.features)?;
    }
    let mut file = ModelFile {
        task: ds.task.clone(),
        metric: ds.metric,
        classes: ds.classes.clone(),
        model,
        scores: None,
        provenance: Provenance {
            method: "import".into(),
            settings: serde_json::json!({
                "file": a.file,
                "sha256": lutforge_gru::data::wheel::sha256_hex(&bytes),
                "head": a.head,
                "format": if onnx { "onnx" } else { "safetensors" },
                "normalize": a.normalize,
                "norm": a.norm,
            }),
            data: ds.source.clone(),
            lutforge_version: lutforge_core::VERSION.into(),
        },
        folds: None,
    };
    check_fits(&file, &ds)?;
    let g = &file.model;
    file.scores = Some(Scores {
        train: score(g, ds.metric, &ds.train),
        val: (!ds.val.is_empty()).then(|| score(g, ds.metric, &ds.val)),
        test: score(g, ds.metric, &ds.test),
    });
    let s = file.scores.as_ref().expect("just scored");
    if ds.metric == lutforge_gru::data::Metric::Accuracy
        && s.train.value < 0.5
        && a.norm.is_none()
        && !a.normalize
        && !graph_norm
    {
        warn(format_args!(
            "the model classifies {:.1} % of the training split right: if it was trained on normalized inputs, give --norm FILE (its mean and std) or --normalize",
            100.0 * s.train.value
        ));
    }
    outputs::finish(out, file.to_json().as_bytes())?;
    if !a.quiet {
        let s = file.scores.as_ref().expect("just scored");
        note(format_args!(
            "wrote {}: {} inputs, {} hidden, {} layer(s), {} outputs; test {}",
            a.output.display(),
            g.shape.input,
            g.shape.hidden,
            g.shape.layers,
            g.shape.outputs,
            show(ds.metric, s.test.value)
        ));
    }
    Ok(())
}
