//! `lutforge import` / `lutforge export`: GQA-LUT's JSON files, converted exactly.

use clap::{Args, ValueEnum};
use lutforge_core::{gqa, io};
use std::path::PathBuf;

use crate::args::{load_table, parse_domain, parse_function, FunctionArg};
use crate::error::{note, warn, CliResult};
use crate::outputs;

#[derive(Clone, Copy, ValueEnum)]
pub enum Foreign {
    /// The GQA-LUT reference's `{"gelu": {"0": {...}}}` files.
    Gqa,
}

#[derive(Args)]
pub struct ImportArgs {
    /// Format of the file read.
    #[arg(long = "from", value_enum)]
    from: Foreign,
    /// The file to import.
    file: PathBuf,
    /// Function the file approximates (a built-in name or a .csv of samples).
    #[arg(long, value_parser = parse_function)]
    function: FunctionArg,
    /// Domain LO,HI (default: the function's).
    #[arg(long, value_parser = parse_domain, allow_hyphen_values = true)]
    domain: Option<(f64, f64)>,
    /// Refuse values that do not fit the default (8, 6) formats instead of widening them.
    #[arg(long)]
    strict: bool,
    /// Table file to write.
    #[arg(short, long)]
    output: PathBuf,
}

#[derive(Args)]
pub struct ExportArgs {
    /// Format of the file written.
    #[arg(long = "to", value_enum)]
    to: Foreign,
    /// Table file to export.
    table: PathBuf,
    /// File to write.
    #[arg(short, long)]
    output: PathBuf,
}

pub fn import(a: &ImportArgs) -> CliResult {
    let Foreign::Gqa = a.from;
    let mut inputs = vec![a.file.as_path()];
    inputs.extend(a.function.source.as_deref());
    let out = outputs::open_one(&a.output, &inputs)?;
    let text = io::read_text(&a.file)?;
    let imp = gqa::import(&text, &a.function.function, a.domain, a.strict)
        .map_err(|e| lutforge_core::Error::io(&a.file, e))?;
    for n in &imp.notes {
        note(n);
    }
    for w in &imp.warnings {
        warn(w);
    }
    outputs::finish(out, imp.table.to_json().as_bytes())?;
    note(format_args!(
        "wrote {} ({} scales, {} segments)",
        a.output.display(),
        imp.table.scales.len(),
        imp.table.segments
    ));
    Ok(())
}

pub fn export(a: &ExportArgs) -> CliResult {
    let Foreign::Gqa = a.to;
    let out = outputs::open_one(&a.output, &[&a.table])?;
    let t = load_table(&a.table)?;
    outputs::finish(out, gqa::export(&t).as_bytes())
}
