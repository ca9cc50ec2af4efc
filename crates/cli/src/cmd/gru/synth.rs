//! `lutforge gru synth DIR`: Yosys synthesis of a generated GRU cell (its LUT units
//! included): cells, CMOS transistors and gate equivalents, or FPGA LUTs, flip-flops, DSPs.

use clap::Args;
use lutforge_rtl::gru_dir;
use lutforge_rtl::yosys::{synth, Target};
use std::path::PathBuf;

use crate::error::{CliError, CliResult};
use crate::out::outln;

#[derive(Args)]
pub struct SynthArgs {
    /// Directory written by `lutforge gru gen`.
    dir: PathBuf,
    /// Synthesis target: generic (CMOS gates), ice40 or xilinx.
    #[arg(long, default_value = "generic", value_parser = |s: &str| Target::parse(s).map_err(|e| e.to_string()))]
    target: Target,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
}

pub fn run(a: &SynthArgs) -> CliResult {
    let d = gru_dir::read(&a.dir)?;
    let module = &d.manifest.module;
    let file = format!("{module}.v");
    let work = lutforge_core::io::TempDir::new()?;
    // Yosys writes beside its source: synthesize a copy, never the user's files.
    std::fs::copy(a.dir.join(&file), work.path().join(&file))
        .map_err(|e| CliError::input(format!("{}: {e}", a.dir.join(&file).display())))?;
    let t = std::time::Instant::now();
    let r = synth(work.path(), &[&file], module, a.target)?;
    let secs = t.elapsed().as_secs_f64();
    if a.json {
        let mut v = serde_json::to_value(&r)
            .map_err(|e| CliError::internal(format!("synthesis report: {e}")))?;
        v["seconds"] = serde_json::json!(secs);
        outln!("{v}");
        return Ok(());
    }
    outln!(
        "{module} ({} inputs, {} hidden, {} lane(s)) synthesized by Yosys for target {:?} in {secs:.1} s: {} cells, {} flip-flops",
        d.spec.inputs,
        d.spec.hidden,
        d.manifest.lanes,
        a.target,
        r.num_cells,
        r.flip_flops
    );
    for (cell, n) in &r.cells {
        outln!("  {cell:<16} {n:>8}");
    }
    if let (Some(t), Some(ge)) = (r.transistors, r.nand2_ge) {
        outln!("CMOS transistors {t:>8}  (stat -tech cmos)");
        outln!("NAND2 equivalents {ge:>7.0}  (transistors / 4)");
    }
    if let Some(l) = r.luts {
        outln!("LUTs             {l:>8}");
    }
    if let Some(n) = r.dsps {
        outln!("DSP blocks       {n:>8}");
    }
    Ok(())
}
