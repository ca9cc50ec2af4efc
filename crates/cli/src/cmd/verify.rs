//! `lutforge verify`: the generated RTL against the simulator, cycle by cycle, under Verilator
//! (and the testbench under Icarus). Exit 0 only when every cycle of every scale matches.

use clap::Args;
use lutforge_rtl::verify::{verify, VerifyOptions};
use lutforge_rtl::verilator::default_cache_dir;
use lutforge_sim::NumFormat;
use std::path::PathBuf;

use crate::args::load_table;
use crate::error::{CliError, CliResult};
use crate::out::outln;

#[derive(Args)]
pub struct VerifyArgs {
    /// Table file (lutforge-table/1).
    table: PathBuf,
    /// Only this input scale (default: every scale of the table).
    #[arg(long, allow_hyphen_values = true)]
    scale: Option<i32>,
    /// Number format of the unit: the table's own (default), int8..int32, fp32.
    #[arg(long, value_parser = |s: &str| s.parse::<NumFormat>())]
    format: Option<NumFormat>,
    /// Random samples after the exhaustive pass (with gaps, stalls and table rewrites).
    #[arg(long, default_value_t = 2000)]
    random: usize,
    /// Pipeline stages, 1 to 4.
    #[arg(long, default_value_t = 4)]
    stages: u32,
    /// Lanes.
    #[arg(long, default_value_t = 1)]
    lanes: usize,
    /// Seed of the random stream and the stall pattern.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Skip the Icarus Verilog run of the generated testbench.
    #[arg(long)]
    no_icarus: bool,
    /// Print one JSON document instead of a line per scale.
    #[arg(long)]
    json: bool,
}

pub fn run(a: &VerifyArgs) -> CliResult {
    let table = load_table(&a.table)?;
    let scales: Vec<i32> = match a.scale {
        Some(s) => {
            table.require_scale(s)?;
            vec![s]
        }
        None => table.scales.iter().map(|s| s.frac).collect(),
    };
    let opts = VerifyOptions {
        format: a.format,
        stages: a.stages,
        lanes: a.lanes,
        random: a.random,
        seed: a.seed,
        icarus: !a.no_icarus,
        ..VerifyOptions::default()
    };
    let json = a.json;
    let mut out_err = None;
    let reports = verify(&table, &scales, &opts, &default_cache_dir(), |r| {
        if !json && out_err.is_none() {
            out_err = crate::out::line(format_args!(
                "scale {}: {} cycles, {} samples, {} table writes, {} output stalls: {}{}",
                r.scale,
                r.cycles,
                r.samples,
                r.cfg_writes,
                r.out_stalls,
                if r.mismatch.is_some() {
                    "MISMATCH"
                } else {
                    "RTL = simulator"
                },
                r.icarus
                    .as_ref()
                    .map(|v| format!("; icarus testbench {v}"))
                    .unwrap_or_default()
            ))
            .err();
        }
    })?;
    if let Some(e) = out_err {
        return Err(e);
    }
    if json {
        outln!(
            "{}",
            serde_json::json!({ "table": a.table, "match": reports.iter().all(|r| r.mismatch.is_none()), "scales": reports })
        );
    }
    match reports
        .iter()
        .find_map(|r| r.mismatch.as_ref().map(|m| (r.scale, m)))
    {
        Some((scale, m)) => Err(CliError::failed(format!("scale {scale}: {m}"))),
        None => Ok(()),
    }
}
