//! `lutforge gru import`: a PyTorch `nn.GRU` and its linear head, saved as safetensors, as a
//! `lutforge-gru/1` model file for a task, with the float scores PyTorch's equations give.

use clap::Args;
use lutforge_gru::import::from_safetensors;
use lutforge_gru::model::Norm;
use lutforge_gru::model_file::{ModelFile, Provenance, Scores};
use lutforge_gru::train::score;
use std::path::PathBuf;

use super::{check_fits, load_task, show};
use crate::error::{note, CliResult};
use crate::outputs;

#[derive(Args)]
pub struct ImportArgs {
    /// The state dict, saved with safetensors' `save_file(model.state_dict(), …)`.
    file: PathBuf,
    /// The task the model was trained for.
    #[arg(long)]
    task: String,
    /// Name of the head's module: its tensors are PREFIX.weight and PREFIX.bias.
    #[arg(long, default_value = "fc")]
    head: String,
    /// Normalize the inputs as `gru train` does (z-score per feature over the training split);
    /// without it the model sees the task's features as they are.
    #[arg(long)]
    normalize: bool,
    /// No summary on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// Model file to write.
    #[arg(short, long)]
    output: PathBuf,
}

pub fn run(a: &ImportArgs) -> CliResult {
    let out = outputs::open_one(&a.output, &[&a.file])?;
    let bytes = lutforge_core::io::read_bytes(&a.file)?;
    let mut model =
        from_safetensors(&bytes, &a.head).map_err(|e| lutforge_core::Error::io(&a.file, e))?;
    let ds = load_task(&a.task)?;
    if a.normalize {
        model.norm = Norm::fit(&ds.train, ds.features);
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
                "normalize": a.normalize,
            }),
            data: ds.source.clone(),
            lutforge_version: lutforge_core::VERSION.into(),
        },
    };
    check_fits(&file, &ds)?;
    let g = &file.model;
    file.scores = Some(Scores {
        train: score(g, ds.metric, &ds.train),
        val: score(g, ds.metric, &ds.val),
        test: score(g, ds.metric, &ds.test),
    });
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
