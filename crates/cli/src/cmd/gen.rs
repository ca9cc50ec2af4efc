//! `lutforge gen`: Verilog for one scale of a table, with its self-checking testbench.

use clap::Args;
use lutforge_rtl::gen::{generate, GenOptions};
use lutforge_sim::NumFormat;
use std::path::PathBuf;

use crate::args::{load_table, pick_scale};
use crate::error::{note, CliResult};
use crate::out::outln;

#[derive(Args)]
pub struct GenArgs {
    /// Table file (lutforge-table/1).
    table: PathBuf,
    /// Input scale (F_x); may be left out when the table has only one.
    #[arg(long, allow_hyphen_values = true)]
    scale: Option<i32>,
    /// Number format of the unit: the table's own (default), int8..int32 (real values kept), fp32.
    #[arg(long, value_parser = |s: &str| s.parse::<NumFormat>())]
    format: Option<NumFormat>,
    /// Table in registers behind a write port (cfg_we/cfg_addr/cfg_data) instead of constants.
    #[arg(long)]
    programmable: bool,
    /// Pipeline stages (= latency in cycles), 1 to 4.
    #[arg(long, default_value_t = 4)]
    stages: u32,
    /// Lanes: samples per handshake sharing one table.
    #[arg(long, default_value_t = 1)]
    lanes: usize,
    /// Write into a directory that holds other files.
    #[arg(long)]
    force: bool,
    /// Output directory.
    #[arg(short, long)]
    output: PathBuf,
}

pub fn run(a: &GenArgs) -> CliResult {
    let table = load_table(&a.table)?;
    let scale = pick_scale(&table, a.scale)?;
    let opts = GenOptions {
        scale,
        format: a.format,
        programmable: a.programmable,
        stages: a.stages,
        lanes: a.lanes,
        ..GenOptions::default()
    };
    let g = generate(&table, &opts, &a.output, a.force)?;
    for f in &g.files {
        outln!("{}", f.display());
    }
    note(format_args!(
        "{} segments, scale {scale}: testbench replays {} cycles ({} samples)",
        table.segments, g.cycles, g.samples
    ));
    Ok(())
}
