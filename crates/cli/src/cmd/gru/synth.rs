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
    /// Gate-level energy per inference: the synthesized netlist simulated on the cell's
    /// testbench, every net's toggles priced (NanGate45 typical), beside the cost model's
    /// estimate of the same sequences (docs/cost-model.md).
    #[arg(long)]
    power: bool,
    /// With --power: every gate 10 ps late, so that glitches are counted.
    #[arg(long, requires = "power")]
    unit_delay: bool,
}

pub fn run(a: &SynthArgs) -> CliResult {
    if a.power {
        return power(a);
    }
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

/// `gru synth DIR --power`: the gate-level estimate and the cost model's of the testbench's
/// sequences (the whole sequences among its first steps).
fn power(a: &SynthArgs) -> CliResult {
    use lutforge_rtl::power::{gate_level, Comparison, Report, NANGATE45};
    use lutforge_sim::cost::cell;
    use lutforge_sim::gru::Cell;
    if a.target != Target::Generic {
        return Err(CliError::input(
            "--power prices the generic CMOS netlist: drop --target",
        ));
    }
    let d = gru_dir::read(&a.dir)?;
    let module = d.manifest.module.clone();
    let tb = lutforge_rtl::testbench::tb_name(&module);
    let work = lutforge_core::io::TempDir::new()?;
    for f in [
        format!("{module}.v"),
        format!("{tb}.v"),
        gru_dir::TB_STEPS_HEX.into(),
        gru_dir::TB_EXPECTED_HEX.into(),
    ] {
        std::fs::copy(a.dir.join(&f), work.path().join(&f))
            .map_err(|e| CliError::input(format!("{}: {e}", a.dir.join(&f).display())))?;
    }
    let t0 = std::time::Instant::now();
    let (_, _, g) = gate_level(work.path(), &module, a.unit_delay)?;
    // The cost model on the same sequences: those the testbench replays.
    let seqs = d.sequences();
    let n = gru_dir::tb_steps(&seqs);
    let mut run: Vec<Vec<Vec<i64>>> = Vec::new();
    let mut left = n;
    for s in &seqs {
        if left == 0 {
            break;
        }
        let take = s.len().min(left);
        run.push(s[..take].to_vec());
        left -= take;
    }
    let lanes = d.manifest.lanes;
    let prog = d.manifest.programmable;
    let mut model = Cell::with_port(d.spec.clone(), lanes, prog)?;
    model.set_tracking(true);
    for s in &run {
        model.run_sequence(s)?;
    }
    let act = model
        .activity()
        .ok_or_else(|| CliError::failed("the cell model counted no activity"))?;
    let tech = lutforge_sim::cost::Tech::nangate45();
    let c = cell::estimate(
        &d.spec,
        lanes,
        prog,
        act,
        &tech,
        lutforge_rtl::gru_check::WAVE_MHZ,
    );
    let inferences = run.len().max(1) as f64;
    let cmp = Comparison::new(
        &g,
        inferences,
        c.energy_pj / inferences,
        c.clock_pj / inferences,
        &NANGATE45,
        &tech,
    );
    if a.json {
        let report = Report {
            module: &module,
            per: "inference",
            ops: inferences,
            counts: &[("sequences", run.len() as u64), ("steps", n as u64)],
            gate: &g,
            comparison: &cmp,
            cost_model: &c,
            tech: &tech,
            unit_delay: a.unit_delay,
            seconds: t0.elapsed().as_secs_f64(),
        };
        outln!("{}", report.json());
        return Ok(());
    }
    outln!(
        "{module}: {} sequences ({n} steps) of its testbench on the synthesized netlist, {} cycles (Icarus, {})",
        run.len(),
        g.cycles,
        lutforge_rtl::power::delays(a.unit_delay)
    );
    outln!("gate level ({}):", g.library);
    outln!(
        "  dynamic    {:>12.1} pJ/inference  (data path {:.1}, clock {:.1})",
        cmp.gate_level_pj,
        cmp.gate_level_datapath_pj,
        cmp.gate_level_clock_pj
    );
    outln!(
        "  leakage    {:>12.1} pJ/inference",
        g.leakage_fj / 1000.0 / inferences
    );
    for l in g.register_lines(inferences, "inference", 10) {
        outln!("{l}");
    }
    for l in cmp.lines(&tech, &NANGATE45, "inference") {
        outln!("{l}");
    }
    Ok(())
}
