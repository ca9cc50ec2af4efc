//! `lutforge verify`: the RTL against the simulator, cycle by cycle, under Verilator, and the
//! generated testbench under Icarus, both of one shape. Given a table, the unit is generated
//! for every scale; given a directory `gen` wrote, its Verilog (edited or wrapped, as found)
//! is checked. Exit 0 only when every cycle matches.

use clap::Args;
use lutforge_rtl::verify::{verify, verify_dir, ScaleReport, Stage, VerifyOptions};
use lutforge_rtl::verilator::default_cache_dir;
use std::path::PathBuf;

use crate::args::{load_table, ShapeArgs, TechArgs};
use crate::error::{CliError, CliResult};
use crate::out::outln;

#[derive(Args)]
pub struct VerifyArgs {
    /// A table file (lutforge-table/1), or a directory written by `lutforge gen`.
    input: PathBuf,
    /// Only this input scale (default: every scale of the table).
    #[arg(long, allow_hyphen_values = true)]
    scale: Option<i32>,
    #[command(flatten)]
    shape: ShapeArgs,
    #[command(flatten)]
    tech: TechArgs,
    /// Random samples after the exhaustive pass (with gaps, stalls and, for a programmable
    /// unit, table rewrites).
    #[arg(long, default_value_t = 2000)]
    random: usize,
    /// Seed of the random stream and the stall pattern.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Skip the Icarus Verilog run of the testbench.
    #[arg(long)]
    no_icarus: bool,
    /// Print one JSON document instead of a line per scale.
    #[arg(long)]
    json: bool,
}

fn line(r: &ScaleReport) -> String {
    format!(
        "{}scale {}: {} cycles, {} samples, {} table writes, {} output stalls: {}{}",
        r.function
            .as_ref()
            .map(|f| format!("{f}, "))
            .unwrap_or_default(),
        r.scale,
        r.cycles,
        r.samples,
        r.cfg_writes,
        r.out_stalls,
        if r.mismatch.is_some() {
            "MISMATCH".to_string()
        } else {
            format!("RTL = {}", r.against)
        },
        r.icarus
            .as_ref()
            .map(|v| format!("; icarus testbench {v}"))
            .unwrap_or_default()
    )
}

pub fn run(a: &VerifyArgs) -> CliResult {
    a.tech.check()?;
    let mut opts = VerifyOptions {
        random: a.random,
        seed: a.seed,
        icarus: !a.no_icarus,
        clock_mhz: a.tech.clock,
        ..VerifyOptions::default()
    };
    let json = a.json;
    let reports = if a.input.is_dir() {
        if a.scale.is_some()
            || a.shape.format.is_some()
            || a.shape.fixed
            || a.shape.lanes != 1
            || a.shape.stages.is_some()
        {
            return Err(CliError::input(
                "a generated directory's shape and scale are its own (lutforge.json): drop --scale and the shape flags",
            ));
        }
        let reports = verify_dir(&a.input, &opts, &default_cache_dir())?;
        if !json {
            for r in &reports {
                outln!("{}", line(r));
            }
        }
        reports
    } else {
        let table = load_table(&a.input)?;
        opts.shape = a.shape.shape()?;
        let scales: Vec<i32> = match a.scale {
            Some(s) => {
                table.require_scale(s)?;
                vec![s]
            }
            None => table.scales.iter().map(|s| s.frac).collect(),
        };
        let mut out_err = None;
        let bar = crate::progress::bar(scales.len() as u64, "verify", "scales", json);
        let reports = verify(
            &table,
            &scales,
            &opts,
            &default_cache_dir(),
            |stage| match stage {
                Stage::Building(s) => bar.set_message(format!("scale {s}: Verilator model")),
                Stage::Checking(s) => {
                    bar.set_message(format!("scale {s}: RTL against the simulator"))
                }
                Stage::Icarus(s) => bar.set_message(format!("scale {s}: testbench under Icarus")),
                Stage::Done(r) => {
                    bar.inc(1);
                    if !json && out_err.is_none() {
                        out_err = bar
                            .suspend(|| crate::out::line(format_args!("{}", line(r))))
                            .err();
                    }
                }
            },
        );
        bar.finish_and_clear();
        let reports = reports?;
        if let Some(e) = out_err {
            return Err(e);
        }
        reports
    };
    if json {
        outln!(
            "{}",
            serde_json::json!({ "input": a.input, "match": reports.iter().all(|r| r.mismatch.is_none()), "scales": reports })
        );
    }
    match reports
        .iter()
        .find_map(|r| r.mismatch.as_ref().map(|m| (r, m)))
    {
        Some((r, m)) => Err(CliError::failed(format!(
            "{}scale {}: {m}",
            r.function
                .as_ref()
                .map(|f| format!("{f}, "))
                .unwrap_or_default(),
            r.scale
        ))),
        None => Ok(()),
    }
}
