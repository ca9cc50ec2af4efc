//! `lutforge gru tasks`: the built-in tasks, where their data come from, how they are split.

use clap::Args;
use lutforge_gru::data::{wheel::data_dir, TASKS};

use crate::error::CliResult;
use crate::out::outln;

#[derive(Args)]
pub struct TasksArgs {
    /// Print one JSON document instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(a: &TasksArgs) -> CliResult {
    if a.json {
        let list: Vec<_> = TASKS
            .iter()
            .map(|t| serde_json::json!({"name": t.name, "what": t.what, "source": t.source, "split": t.split}))
            .collect();
        outln!(
            "{}",
            serde_json::json!({ "tasks": list, "data_dir": data_dir() })
        );
        return Ok(());
    }
    for t in TASKS {
        outln!("{:<8} {}", t.name, t.what);
        outln!("{:<8}   data:  {}", "", t.source);
        outln!("{:<8}   split: {}", "", t.split);
    }
    outln!();
    outln!(
        "Data directory: {} ('make deps' fills it; LUTFORGE_DATA overrides).",
        data_dir().display()
    );
    outln!("A task may also be a .npz file (X, y, lengths) or a .ts file (a NAME_TRAIN.ts with its NAME_TEST.ts keeps that split).");
    Ok(())
}
