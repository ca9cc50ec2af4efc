//! `lutforge gru cost DIR`: the cost model's area of a generated GRU cell, component by
//! component (docs/cost-model.md, "The GRU cell"), with the same structure counted in Yosys's
//! CMOS transistors to set beside `lutforge gru synth`, and its energy per step and per
//! inference from the activity the cell model counts over the directory's stimulus.

use clap::Args;
use lutforge_rtl::gru_dir;
use lutforge_sim::cost::{cell, CMOS_T4};
use lutforge_sim::gru::Cell;
use std::path::PathBuf;

use crate::args::TechArgs;
use crate::error::{CliError, CliResult};
use crate::out::outln;

#[derive(Args)]
pub struct CostArgs {
    /// Directory written by `lutforge gru gen`.
    dir: PathBuf,
    #[command(flatten)]
    tech: TechArgs,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
}

pub fn run(a: &CostArgs) -> CliResult {
    a.tech.check()?;
    let d = gru_dir::read(&a.dir)?;
    let lanes = d.manifest.lanes;
    let prog = d.manifest.programmable;
    let mut model = Cell::with_port(d.spec.clone(), lanes, prog)?;
    model.set_tracking(true);
    for s in &d.sequences() {
        model.run_sequence(s)?;
    }
    let act = model
        .activity()
        .ok_or_else(|| CliError::failed("the cell model counted no activity"))?;
    let c = cell::estimate(&d.spec, lanes, prog, act, &a.tech.node, a.tech.clock);
    let t4 = cell::components(&d.spec, lanes, prog, &CMOS_T4);
    let transistors: f64 = t4.iter().map(|c| c.ge * 4.0).sum();
    if a.json {
        let parts: Vec<_> = c
            .components
            .iter()
            .zip(&t4)
            .map(|(c, t)| {
                serde_json::json!({
                    "name": c.name,
                    "structure": c.structure,
                    "ge": c.ge,
                    "area_um2": c.area_um2,
                    "cmos_transistors": t.ge * 4.0,
                    "activity": c.activity,
                    "energy_per_step_pj": c.energy_pj,
                    "clock_per_step_pj": c.clock_pj,
                })
            })
            .collect();
        outln!(
            "{}",
            serde_json::json!({
                "module": d.manifest.module,
                "lanes": lanes,
                "node": a.tech.node.name,
                "clock_mhz": a.tech.clock,
                "ge": c.ge,
                "area_um2": c.area_um2,
                "cmos_transistors": transistors,
                "sequences": c.sequences,
                "steps": c.steps,
                "cycles": c.cycles,
                "energy_per_step_pj": c.energy_per_step_pj,
                "energy_per_inference_pj": c.energy_per_inference_pj,
                "clock_per_inference_pj": c.clock_per_inference_pj,
                "leakage_per_inference_pj": c.leakage_per_inference_pj,
                "dynamic_mw": c.dynamic_mw,
                "leakage_mw": c.leakage_mw,
                "components": parts,
            })
        );
        return Ok(());
    }
    outln!(
        "{}: {} inputs, {} hidden, {} lane(s); cost model: {:.0} GE (NAND2 area equivalents of NanGate45's cells), {:.0} µm² at {}",
        d.manifest.module,
        d.spec.inputs,
        d.spec.hidden,
        lanes,
        c.ge,
        c.area_um2,
        a.tech.node.name,
    );
    outln!(
        "  the same structures counted as Yosys's `stat -tech cmos` counts them: {:.0} CMOS transistors = {:.0} NAND2-eq as `gru synth` reports (transistors / 4): another reference than the GE above",
        transistors,
        transistors / 4.0
    );
    outln!(
        "energy from the cell model's activity over {} sequences ({} steps, {} cycles): {:.1} pJ per step, {:.1} pJ per inference (+{:.1} pJ leakage at {} MHz); {:.3} mW dynamic, {:.3} mW leakage",
        c.sequences,
        c.steps,
        c.cycles,
        c.energy_per_step_pj,
        c.energy_per_inference_pj,
        c.leakage_per_inference_pj,
        a.tech.clock,
        c.dynamic_mw,
        c.leakage_mw
    );
    outln!(
        "  of it the flip-flops' clock {:.1} pJ per inference (every flip-flop every cycle: no clock gating)",
        c.clock_per_inference_pj
    );
    outln!(
        "  {:<26} {:>9} {:>10} {:>9} {:>8} {:>10}  structure",
        "component",
        "GE (area)",
        "µm²",
        "CMOS T",
        "activity",
        "pJ/step"
    );
    for (p, t) in c.components.iter().zip(&t4) {
        outln!(
            "  {:<26} {:>9.0} {:>10.1} {:>9.0} {:>8.2} {:>10.2}  {}",
            p.name,
            p.ge,
            p.area_um2,
            t.ge * 4.0,
            p.activity,
            p.energy_pj,
            p.structure
        );
    }
    Ok(())
}
