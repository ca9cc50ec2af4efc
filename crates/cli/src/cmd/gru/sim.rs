//! `lutforge gru sim DIR`: the cell model of a generated GRU cell over its stimulus, without
//! stalls: cycles per step (the documented count), the model's speed, and its activity.

use clap::Args;
use lutforge_rtl::gru_check::{crosscheck_with, Steps};
use lutforge_rtl::gru_dir;
use lutforge_rtl::verilator::Profile;
use lutforge_sim::gru::Cell;
use std::path::PathBuf;
use std::time::Instant;

use crate::error::{CliError, CliResult};
use crate::out::outln;

#[derive(Args)]
pub struct SimArgs {
    /// Directory written by `lutforge gru gen`.
    dir: PathBuf,
    /// Also run the same stimulus through the RTL under Verilator (its speed build) and
    /// compare: steps per second of both, and their logs equal.
    #[arg(long)]
    verilator: bool,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(a: &SimArgs) -> CliResult {
    let d = gru_dir::read(&a.dir)?;
    let seqs = d.sequences();
    let mut cell = Cell::new(d.spec.clone(), d.manifest.lanes)?;
    let t = Instant::now();
    let mut cycles = 0u64;
    for s in &seqs {
        cycles += cell.run_sequence(s)?.1;
    }
    let secs = t.elapsed().as_secs_f64().max(1e-9);
    let st = cell.stats();
    let steps = st.steps;
    let rtl = if a.verilator {
        let vpath = a.dir.join(format!("{}.v", d.manifest.module));
        let verilog = lutforge_core::io::read_text(&vpath)?;
        let r = crosscheck_with(
            &verilog,
            &d.design(),
            &Steps::of(&seqs, 256, 256, 1),
            &lutforge_rtl::verilator::default_cache_dir(),
            None,
            Profile::Speed,
        )?;
        if let Some(m) = r.mismatch {
            return Err(CliError::failed(m));
        }
        Some(r.rtl_seconds.max(1e-9))
    } else {
        None
    };
    if a.json {
        outln!(
            "{}",
            serde_json::json!({
                "module": d.manifest.module,
                "inputs": d.spec.inputs,
                "hidden": d.spec.hidden,
                "lanes": d.manifest.lanes,
                "sequences": seqs.len(),
                "steps": steps,
                "cycles": cycles,
                "cycles_per_step": cell.cycles_per_step(),
                "macs": st.macs,
                "elementwise_items": st.tail_items,
                "seconds": secs,
                "steps_per_second": steps as f64 / secs,
                "verilator_seconds": rtl,
                "verilator_steps_per_second": rtl.map(|r| steps as f64 / r),
            })
        );
    } else {
        outln!(
            "{}: {} inputs, {} hidden, {} lane(s): {} sequences, {} steps, {} cycles ({} per step), {} MACs, {} elementwise items; {:.0} steps/s ({:.2} M cycles/s)",
            d.manifest.module,
            d.spec.inputs,
            d.spec.hidden,
            d.manifest.lanes,
            seqs.len(),
            steps,
            cycles,
            cell.cycles_per_step(),
            st.macs,
            st.tail_items,
            steps as f64 / secs,
            cycles as f64 / secs / 1e6
        );
        if let Some(r) = rtl {
            outln!(
                "Verilator (speed build, same stimulus, logs equal): {:.0} steps/s; the cell model is {:.1}× as fast",
                steps as f64 / r,
                r / secs
            );
        }
    }
    Ok(())
}
