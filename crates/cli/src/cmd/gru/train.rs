//! `lutforge gru train`: a float GRU for a task, trained on the CPU (seeded, reproducible),
//! written as a `lutforge-gru/1` model file.

use clap::Args;
use lutforge_gru::model_file::{ModelFile, Provenance, Scores};
use lutforge_gru::train::{train, TrainConfig};
use std::path::PathBuf;

use super::{load_task, show};
use crate::error::{note, CliError, CliResult};
use crate::outputs;

#[derive(Args)]
pub struct TrainArgs {
    /// Task: fsdd, vowels, motions, adding, or a .npz / .ts file.
    #[arg(long)]
    task: String,
    /// Hidden units (default: the task's).
    #[arg(long)]
    hidden: Option<usize>,
    /// GRU layers.
    #[arg(long)]
    layers: Option<usize>,
    /// Most epochs (training stops earlier when validation stops improving).
    #[arg(long)]
    epochs: Option<usize>,
    /// Sequences per mini-batch.
    #[arg(long)]
    batch: Option<usize>,
    /// Adam's learning rate.
    #[arg(long)]
    lr: Option<f64>,
    /// Largest global gradient norm.
    #[arg(long)]
    clip: Option<f64>,
    /// Epochs without a better validation score before stopping.
    #[arg(long)]
    patience: Option<usize>,
    /// Seed of the initialization and the shuffles: same seed, same weights on any machine.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// No progress bar and no summary on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// Model file to write.
    #[arg(short, long)]
    output: PathBuf,
}

pub fn run(a: &TrainArgs) -> CliResult {
    let mut inputs = Vec::new();
    if a.task.ends_with(".npz") || a.task.ends_with(".ts") {
        inputs.push(std::path::Path::new(&a.task));
    }
    let out = outputs::open_one(&a.output, &inputs)?;
    let ds = load_task(&a.task)?;
    let d = TrainConfig::for_task(&a.task);
    let cfg = TrainConfig {
        hidden: a.hidden.unwrap_or(d.hidden),
        layers: a.layers.unwrap_or(d.layers),
        max_epochs: a.epochs.unwrap_or(d.max_epochs),
        batch: a.batch.unwrap_or(d.batch),
        lr: a.lr.unwrap_or(d.lr),
        clip: a.clip.unwrap_or(d.clip),
        patience: a.patience.unwrap_or(d.patience),
        seed: a.seed,
    };
    cfg.check().map_err(CliError::input)?;
    let bar = crate::progress::bar(
        cfg.max_epochs as u64,
        &format!("train {}", ds.task),
        "epochs",
        a.quiet,
    );
    let t0 = std::time::Instant::now();
    let r = train(&ds, &cfg, &mut |e| {
        bar.set_position(e.epoch as u64);
        bar.set_message(format!(
            "loss {:.4}, validation {}{}",
            e.train_loss,
            show(ds.metric, e.val.value),
            if e.best { " (best)" } else { "" }
        ));
    });
    bar.finish_and_clear();
    let file = ModelFile {
        task: ds.task.clone(),
        metric: ds.metric,
        classes: ds.classes.clone(),
        model: r.model,
        scores: Some(Scores {
            train: r.train,
            val: r.val,
            test: r.test,
        }),
        provenance: Provenance {
            method: "train".into(),
            settings: serde_json::json!({
                "config": cfg,
                "best_epoch": r.best_epoch,
                "epochs_run": r.epochs.len(),
            }),
            data: ds.source.clone(),
            lutforge_version: lutforge_core::VERSION.into(),
        },
    };
    outputs::finish(out, file.to_json().as_bytes())?;
    if !a.quiet {
        note(format_args!(
            "wrote {}: {} hidden, {} layer(s); best epoch {} of {} in {:.1} s; train {}, validation {}, test {}",
            a.output.display(),
            cfg.hidden,
            cfg.layers,
            r.best_epoch,
            r.epochs.len(),
            t0.elapsed().as_secs_f64(),
            show(ds.metric, r.train.value),
            show(ds.metric, r.val.value),
            show(ds.metric, r.test.value)
        ));
    }
    Ok(())
}
