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
    /// Gate-level power of a `gen` directory: simulate the synthesized netlist on the
    /// directory's testbench, count every net's toggles and price them (NanGate45 typical),
    /// beside the cost model's estimate of the same run (docs/cost-model.md).
    #[arg(long)]
    power: bool,
    /// With --power: simulate the netlist with every gate 10 ps late, so that glitches are
    /// counted (the zero-delay default counts none).
    #[arg(long, requires = "power")]
    unit_delay: bool,
}

pub fn run(a: &SynthArgs) -> CliResult {
    if a.power {
        return power(a);
    }
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

/// `synth DIR --power`: the gate-level estimate and the cost model's, of the directory's
/// testbench run.
fn power(a: &SynthArgs) -> CliResult {
    use lutforge_rtl::power::{cost_model_run, gate_level, Comparison, Report, NANGATE45};
    if !a.input.is_dir() || !a.input.join(MANIFEST).is_file() {
        return Err(CliError::input(format!(
            "{}: --power needs a directory written by 'lutforge gen' (its testbench is the stimulus)",
            a.input.display()
        )));
    }
    if a.target != Target::Generic {
        return Err(CliError::input(
            "--power prices the generic CMOS netlist: drop --target",
        ));
    }
    let m = Manifest::load(&a.input)?;
    let tb = lutforge_rtl::testbench::tb_name(&m.module);
    let work = lutforge_core::io::TempDir::new()?;
    for f in [
        format!("{}.v", m.module),
        format!("{tb}.v"),
        "stimulus.hex".into(),
        "expected.hex".into(),
    ] {
        std::fs::copy(a.input.join(&f), work.path().join(&f))
            .map_err(|e| CliError::input(format!("{}: {e}", a.input.join(&f).display())))?;
    }
    let t0 = std::time::Instant::now();
    let (_, _, g) = gate_level(work.path(), &m.module, a.unit_delay)?;
    let tech = lutforge_sim::cost::Tech::nangate45();
    let clock_mhz = lutforge_rtl::testbench::CLOCK_MHZ;
    let c = cost_model_run(&a.input, &m, &tech, clock_mhz)?;
    let samples = c.samples.max(1) as f64;
    let cmp = Comparison::new(
        &g,
        samples,
        c.energy_per_op_pj,
        c.clock_per_op_pj,
        &NANGATE45,
        &tech,
    );
    if a.json {
        let report = Report {
            module: &m.module,
            per: "sample",
            ops: samples,
            counts: &[("samples", c.samples)],
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
        "{}: {} samples in {} cycles of its testbench, on the synthesized netlist (Icarus, {})",
        m.module,
        c.samples,
        g.cycles,
        lutforge_rtl::power::delays(a.unit_delay)
    );
    outln!("gate level ({}):", g.library);
    outln!(
        "  dynamic    {:>10.3} pJ/sample  (switching {:.3}, internal {:.3}, clock {:.3})",
        cmp.gate_level_pj,
        g.switching_fj / 1000.0 / samples,
        g.internal_fj / 1000.0 / samples,
        g.clock_fj / 1000.0 / samples
    );
    outln!(
        "  leakage    {:>10.3} pJ/sample  at the testbench's {} MHz",
        g.leakage_fj / 1000.0 / samples,
        clock_mhz
    );
    let mut share: Vec<_> = g.share.iter().collect();
    share.sort_by(|a, b| b.1.total_cmp(a.1));
    for (cell, s) in share.iter().take(8) {
        let count = g
            .cells
            .get(*cell)
            .map(|n| format!("  ({n} cells)"))
            .unwrap_or_default();
        outln!("    {cell:<10} {:>5.1} %{count}", 100.0 * *s);
    }
    for l in g.register_lines(samples, "sample", 8) {
        outln!("{l}");
    }
    for l in cmp.lines(&tech, &NANGATE45, "sample") {
        outln!("{l}");
    }
    Ok(())
}
