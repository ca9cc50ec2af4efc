//! `lutforge gru train`: a float GRU for a task, trained on the CPU (seeded, reproducible),
//! written as a `lutforge-gru/1` model file.

use clap::Args;
use lutforge_gru::model_file::{ModelFile, Provenance, Scores};
use lutforge_gru::train::{train, train_folds, Schedule, TrainConfig};
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
    /// Epochs (the most, with --patience).
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
    /// Early stop after this many epochs without a better validation score (reads the
    /// validation split); 0 (the default): every epoch runs, the last one's weights are kept.
    #[arg(long)]
    patience: Option<usize>,
    /// Standard deviation of the Gaussian noise on the normalized training inputs.
    #[arg(long)]
    noise: Option<f64>,
    /// Decoupled weight decay (AdamW) of the weight matrices.
    #[arg(long)]
    weight_decay: Option<f64>,
    /// Learning-rate schedule: cosine (from --lr to 0 over the run) or constant.
    #[arg(long, value_parser = parse_schedule)]
    schedule: Option<Schedule>,
    /// Also train the K fold models of K-fold cross-validation over the training split, the
    /// search data of `gru pareto` (default: 5 for a classification, 0 for a regression, whose
    /// validation split is the search data).
    #[arg(long)]
    folds: Option<usize>,
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

fn parse_schedule(s: &str) -> Result<Schedule, String> {
    match s {
        "cosine" => Ok(Schedule::Cosine),
        "constant" => Ok(Schedule::Constant),
        _ => Err(format!("'{s}': cosine or constant")),
    }
}

/// Folds of the search data by default: five for a classification (docs/results.md measures
/// them against the validation split), none for a regression (its validation split), unless
/// the task has no validation split.
pub fn default_folds(ds: &lutforge_gru::data::Dataset) -> usize {
    if ds.metric == lutforge_gru::data::Metric::Accuracy || ds.val.is_empty() {
        5
    } else {
        0
    }
}

pub fn run(a: &TrainArgs) -> CliResult {
    let mut inputs = Vec::new();
    if a.task.ends_with(".npz") || a.task.ends_with(".ts") {
        inputs.push(std::path::Path::new(&a.task));
    }
    crate::args::check_extension(&a.output, "json")?;
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
        noise: a.noise.unwrap_or(d.noise),
        weight_decay: a.weight_decay.unwrap_or(d.weight_decay),
        schedule: a.schedule.unwrap_or(d.schedule),
    };
    cfg.check().map_err(CliError::input)?;
    if cfg.patience > 0 && ds.val.is_empty() {
        return Err(CliError::input(format!(
            "--patience {}: task {} has no validation split to stop on",
            cfg.patience, ds.task
        )));
    }
    let folds = a.folds.unwrap_or_else(|| default_folds(&ds));
    if folds == 1 || folds > 64 {
        return Err(CliError::input(format!(
            "--folds {folds}: 0 (none) or 2 to 64"
        )));
    }
    // Folds the split cannot hold are refused before any training, not after the full model.
    if folds > 0 {
        lutforge_gru::data::folds(&ds.train, folds)?;
    }
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
            "loss {:.4}{}{}",
            e.train_loss,
            e.val
                .map(|v| format!(", validation {}", show(ds.metric, v.value)))
                .unwrap_or_default(),
            if e.best && cfg.patience > 0 {
                " (best)"
            } else {
                ""
            }
        ));
    });
    bar.finish_and_clear();
    let fold_models = if folds > 0 {
        let bar = crate::progress::bar(
            folds as u64,
            &format!("train {} folds", ds.task),
            "fold models",
            a.quiet,
        );
        let f = train_folds(&ds, &cfg, folds, &mut |i| bar.set_position(i as u64))?;
        bar.finish_and_clear();
        Some(f)
    } else {
        None
    };
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
                "folds": folds,
            }),
            data: ds.source.clone(),
            lutforge_version: lutforge_core::VERSION.into(),
        },
        folds: fold_models,
    };
    outputs::finish(out, file.to_json().as_bytes())?;
    if !a.quiet {
        let kept = if cfg.patience > 0 {
            format!("best epoch {} of {}", r.best_epoch, r.epochs.len())
        } else {
            format!("{} epochs", r.epochs.len())
        };
        note(format_args!(
            "wrote {}: {} hidden, {} layer(s); {kept}{} in {:.1} s; train {}{}, test {}",
            a.output.display(),
            cfg.hidden,
            cfg.layers,
            if folds > 0 {
                format!(", and {folds} fold models")
            } else {
                String::new()
            },
            t0.elapsed().as_secs_f64(),
            show(ds.metric, r.train.value),
            r.val
                .map(|v| format!(", validation {}", show(ds.metric, v.value)))
                .unwrap_or_default(),
            super::show_counted(ds.metric, r.test.value, ds.test.len()),
        ));
    }
    Ok(())
}
