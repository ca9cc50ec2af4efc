//! `lutforge gen`: Verilog for one scale of a table, with its self-checking testbench.

use clap::Args;
use lutforge_rtl::gen::{generate, GenOptions};
use std::path::PathBuf;

use crate::args::{load_table, pick_scale, ResetArgs, ShapeArgs};
use crate::error::{note, CliResult};
use crate::out::outln;

#[derive(Args)]
pub struct GenArgs {
    /// Table file (lutforge-table/1). Several tables that need the same hardware (the
    /// tables of one member of a `pareto --function f,g` front) make one programmable unit
    /// that serves them all, with a load image per table.
    #[arg(required = true, num_args = 1..)]
    tables: Vec<PathBuf>,
    /// Input scale (F_x); may be left out when a table has only one.
    #[arg(long, allow_hyphen_values = true)]
    scale: Option<i32>,
    #[command(flatten)]
    shape: ShapeArgs,
    /// Module name (also the file name; the testbench is NAME_tb). Default: function, scale,
    /// segments and format, e.g. gelu_s4_k8_int8.
    #[arg(long)]
    name: Option<String>,
    #[command(flatten)]
    reset: ResetArgs,
    /// Keep files of the directory that lutforge did not write (gen's own earlier files are
    /// always replaced).
    #[arg(long)]
    force: bool,
    /// Output directory.
    #[arg(short, long)]
    output: PathBuf,
}

pub fn run(a: &GenArgs) -> CliResult {
    let table = load_table(&a.tables[0])?;
    let scale = pick_scale(&table, a.scale)?;
    let mut also = Vec::new();
    for path in &a.tables[1..] {
        let t = load_table(path)?;
        let s = pick_scale(&t, a.scale).map_err(|mut e| {
            e.msg = format!("{}: {}", path.display(), e.msg);
            e
        })?;
        also.push((t, s));
    }
    let opts = GenOptions {
        scale,
        shape: a.shape.shape()?,
        name: a.name.clone(),
        reset: a.reset.reset(),
        also,
        ..GenOptions::default()
    };
    let g = generate(&table, &opts, &a.output, a.force)?;
    for f in &g.files {
        outln!("{}", f.display());
    }
    let what = match g.cfg.arch {
        lutforge_sim::unit::Arch::Pwl => format!("{} segments", table.segments),
        lutforge_sim::unit::Arch::Rom => format!("direct table of {} words", g.cfg.segments),
    };
    note(format_args!(
        "{}: {what}, scale {scale}, {} table{}; testbench replays {} cycles ({} samples)",
        g.module,
        if g.cfg.programmable {
            "programmable"
        } else {
            "fixed"
        },
        if a.tables.len() > 1 {
            format!(", shared by {} tables", a.tables.len())
        } else {
            String::new()
        },
        g.cycles,
        g.samples
    ));
    Ok(())
}
