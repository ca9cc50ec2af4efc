//! `lutforge import` / `lutforge export`: GQA-LUT's JSON files, converted exactly.

use clap::{Args, ValueEnum};
use lutforge_core::{gqa, io};
use std::path::PathBuf;

use crate::args::{load_table, parse_domain, parse_function, pick_scale, FunctionArg, ShapeArgs};
use crate::error::{note, warn, CliResult};
use crate::outputs;
use lutforge_rtl::gen::default_name;
use lutforge_rtl::load::LoadImage;
use lutforge_rtl::render::check_module_name;
use lutforge_sim::convert::unit_for;

#[derive(Clone, Copy, ValueEnum)]
pub enum Foreign {
    /// The GQA-LUT reference's `{"gelu": {"0": {...}}}` files.
    Gqa,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Export {
    /// The GQA-LUT reference's JSON (real values, one key per scale).
    Gqa,
    /// The write-port sequence that loads one scale's table into the programmable unit:
    /// OUT.mem ($readmemh), OUT.h (C header), OUT.json.
    Load,
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
    /// What to write.
    #[arg(long = "to", value_enum)]
    to: Export,
    /// Table file to export.
    table: PathBuf,
    /// load: the input scale (may be left out when the table has one).
    #[arg(long, allow_hyphen_values = true)]
    scale: Option<i32>,
    /// load: the unit's shape (its widths decide the words).
    #[command(flatten)]
    shape: ShapeArgs,
    /// load: the module name the sequence is for (as `gen --name`; default: gen's).
    #[arg(long)]
    name: Option<String>,
    /// File to write (gqa), or the prefix of the three files (load).
    #[arg(short, long)]
    output: PathBuf,
}

pub fn import(a: &ImportArgs) -> CliResult {
    let Foreign::Gqa = a.from;
    let mut inputs = vec![a.file.as_path()];
    inputs.extend(a.function.source.as_deref());
    crate::args::check_extension(&a.output, "json")?;
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
    if a.to == Export::Gqa {
        let t = load_table(&a.table)?;
        if t.function.quantized().is_some() {
            return Err(crate::error::CliError::input(
                "a quantized table is a function of codes; GQA-LUT files hold real-valued tables",
            ));
        }
        crate::args::check_extension(&a.output, "json")?;
        let out = outputs::open_one(&a.output, &[&a.table])?;
        return outputs::finish(out, gqa::export(&t).as_bytes());
    }
    let with = |ext: &str| {
        let mut p = a.output.clone().into_os_string();
        p.push(ext);
        std::path::PathBuf::from(p)
    };
    let paths = [with(".mem"), with(".h"), with(".json")];
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let files = outputs::open(&refs, &[&a.table])?;
    let t = load_table(&a.table)?;
    let scale = pick_scale(&t, a.scale)?;
    let (cfg, params) = unit_for(&t, scale, &a.shape.shape()?)?;
    let module = match &a.name {
        Some(n) => {
            check_module_name(n)?;
            n.clone()
        }
        None => default_name(&t, scale, &cfg),
    };
    let img = LoadImage::new(&cfg, &params, &module)?;
    let n = img.writes.len();
    outputs::finish_all(
        files
            .into_iter()
            .zip([img.mem(), img.c_header(), img.json()])
            .map(|(f, text)| (f, text.into_bytes()))
            .collect(),
    )?;
    note(format_args!(
        "{module}: {n} table writes ({} address bits, {} data bits) in {}, {}, {}",
        img.addr_bits,
        img.data_bits,
        paths[0].display(),
        paths[1].display(),
        paths[2].display()
    ));
    Ok(())
}
