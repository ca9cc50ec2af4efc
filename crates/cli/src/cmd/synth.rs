//! `lutforge synth`: Yosys synthesis of a generated unit (a `gen` directory) or straight from a
//! table; cells by type, CMOS transistors, NAND2 gate equivalents, FPGA LUTs/FFs/DSPs.

use clap::Args;
use lutforge_rtl::gen::{header, Manifest, MANIFEST};
use lutforge_rtl::render::{render_unit, Interface, MODULE};
use lutforge_rtl::yosys::{synth, Target};
use lutforge_sim::convert::unit_for;
use std::path::PathBuf;

use crate::args::{load_table, pick_scale, ShapeArgs};
use crate::error::{CliError, CliResult};
use crate::out::outln;

#[derive(Args)]
pub struct SynthArgs {
    /// A directory written by `lutforge gen`, or a table file.
    input: PathBuf,
    /// With a table: the input scale (may be left out when the table has one).
    #[arg(long, allow_hyphen_values = true)]
    scale: Option<i32>,
    /// With a table: the unit's shape.
    #[command(flatten)]
    shape: ShapeArgs,
    /// Synthesis target: generic (CMOS gates), ice40 or xilinx.
    #[arg(long, default_value = "generic", value_parser = |s: &str| Target::parse(s).map_err(|e| e.to_string()))]
    target: Target,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
}

pub fn run(a: &SynthArgs) -> CliResult {
    let work = lutforge_core::io::TempDir::new()?;
    let (dir, module) = if a.input.is_dir() {
        // The module gen wrote (its manifest), or an older directory's lutforge_unit.
        let module = if a.input.join(MANIFEST).is_file() {
            Manifest::load(&a.input)?.module
        } else {
            MODULE.to_string()
        };
        if !a.input.join(format!("{module}.v")).is_file() {
            return Err(CliError::input(format!(
                "{}: no {module}.v here (write one with 'lutforge gen')",
                a.input.display()
            )));
        }
        (a.input.clone(), module)
    } else {
        let table = load_table(&a.input)?;
        let scale = pick_scale(&table, a.scale)?;
        let (cfg, params) = unit_for(&table, scale, &a.shape.shape()?)?;
        let iface = Interface::default();
        let text = render_unit(&cfg, &params, &header(&table, &cfg, &params, scale), &iface)?;
        lutforge_core::io::write_atomic(
            &work.path().join(format!("{}.v", iface.module)),
            text.as_bytes(),
        )?;
        (work.path().to_path_buf(), iface.module)
    };
    let file = format!("{module}.v");
    // Yosys writes its statistics beside the source: synthesize a copy, never the user's files.
    if dir != work.path() {
        std::fs::copy(dir.join(&file), work.path().join(&file))
            .map_err(|e| CliError::input(format!("{}: {e}", dir.display())))?;
    }
    let r = synth(work.path(), &[&file], &module, a.target)?;
    if a.json {
        outln!("{}", serde_json::to_string(&r).unwrap_or_default());
        return Ok(());
    }
    outln!(
        "{} synthesized by Yosys for target {:?}: {} cells",
        module,
        a.target,
        r.num_cells
    );
    for (cell, n) in &r.cells {
        outln!("  {cell:<16} {n:>8}");
    }
    outln!("flip-flops       {:>8}", r.flip_flops);
    if let (Some(t), Some(ge)) = (r.transistors, r.nand2_ge) {
        outln!("CMOS transistors {t:>8}  (stat -tech cmos)");
        outln!("NAND2 equivalents {ge:>7.0}  (transistors / 4)");
    }
    if let Some(l) = r.luts {
        outln!("LUTs             {l:>8}");
    }
    if let Some(d) = r.dsps {
        outln!("DSP blocks       {d:>8}");
    }
    Ok(())
}
