//! `lutforge gru cost DIR`: the cost model's area of a generated GRU cell, component by
//! component (docs/cost-model.md, "The GRU cell"), with the same structure counted in Yosys's
//! CMOS transistors to set beside `lutforge gru synth`, and the energy of one step.

use clap::Args;
use lutforge_rtl::gru_dir;
use lutforge_sim::cost::{cell, Tech, CMOS_T4, NANGATE45};
use std::path::PathBuf;

use crate::args::parse_tech;
use crate::error::CliResult;
use crate::out::outln;

#[derive(Args)]
pub struct CostArgs {
    /// Directory written by `lutforge gru gen`.
    dir: PathBuf,
    /// Technology node: 28nm or 45nm.
    #[arg(long, default_value = "28nm", value_parser = parse_tech)]
    node: Tech,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
}

pub fn run(a: &CostArgs) -> CliResult {
    let d = gru_dir::read(&a.dir)?;
    let lanes = d.manifest.lanes;
    let prog = d.manifest.programmable;
    let ge = cell::components(&d.spec, lanes, prog, &NANGATE45);
    let t4 = cell::components(&d.spec, lanes, prog, &CMOS_T4);
    let total: f64 = ge.iter().map(|c| c.ge).sum();
    let transistors: f64 = t4.iter().map(|c| c.ge * 4.0).sum();
    if a.json {
        let parts: Vec<_> = ge
            .iter()
            .zip(&t4)
            .map(|(c, t)| {
                serde_json::json!({
                    "name": c.name,
                    "structure": c.structure,
                    "ge": c.ge,
                    "area_um2": c.ge * a.node.ge_um2,
                    "cmos_transistors": t.ge * 4.0,
                })
            })
            .collect();
        outln!(
            "{}",
            serde_json::json!({
                "module": d.manifest.module,
                "lanes": lanes,
                "node": a.node.name,
                "ge": total,
                "area_um2": total * a.node.ge_um2,
                "cmos_transistors": transistors,
                "components": parts,
            })
        );
        return Ok(());
    }
    outln!(
        "{}: {} inputs, {} hidden, {} lane(s); {}: {:.0} GE, {:.0} µm²; {:.0} CMOS transistors (as Yosys stat -tech cmos counts)",
        d.manifest.module,
        d.spec.inputs,
        d.spec.hidden,
        lanes,
        a.node.name,
        total,
        total * a.node.ge_um2,
        transistors
    );
    for (c, t) in ge.iter().zip(&t4) {
        outln!(
            "  {:<26} {:>9.0} GE {:>10.1} µm² {:>9.0} T  {}",
            c.name,
            c.ge,
            c.ge * a.node.ge_um2,
            t.ge * 4.0,
            c.structure
        );
    }
    Ok(())
}
