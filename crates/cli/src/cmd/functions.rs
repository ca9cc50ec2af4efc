//! `lutforge functions`: the built-in functions and their default domains.

use clap::Args;
use lutforge_core::Builtin;

use crate::error::CliResult;
use crate::out::outln;

#[derive(Args)]
pub struct FunctionsArgs {
    /// Print one JSON document instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(a: &FunctionsArgs) -> CliResult {
    if a.json {
        let list: Vec<_> = Builtin::ALL
            .iter()
            .map(|b| {
                let (lo, hi) = b.default_domain();
                serde_json::json!({
                    "name": b.name(),
                    "gqa_name": b.gqa_name(),
                    "domain": [lo, hi],
                    "description": b.description(),
                })
            })
            .collect();
        outln!("{}", serde_json::json!({ "functions": list }));
        return Ok(());
    }
    outln!("{:<11} {:<14} definition", "function", "domain");
    for b in Builtin::ALL {
        let (lo, hi) = b.default_domain();
        outln!(
            "{:<11} {:<14} {}",
            b.name(),
            format!("[{lo}, {hi}]"),
            b.description()
        );
    }
    outln!();
    outln!("A user function is a CSV file of x,y samples (x increasing), interpolated linearly:");
    outln!("pass its path, ending in .csv, wherever a function name is taken.");
    Ok(())
}
