//! `lutforge verify`: every scale of a table through the Verilator-built RTL and the simulator,
//! cycle by cycle (every input code, then a random stream with input gaps, output stalls and
//! table rewrites), and the generated testbench under Icarus as a second simulator.

use crate::crosscheck::{self, beats, load_events, random_events, Mismatch};
use crate::gen::{all_codes, generate, GenOptions};
use crate::render::check_table;
use crate::testbench::run_icarus;
use lutforge_core::{Result, Table};
use lutforge_sim::convert::{unit_for, NumFormat, UnitShape};
use lutforge_sim::RunOptions;
use serde::Serialize;
use std::path::Path;

/// Most random samples after the exhaustive pass: ten million cycles are minutes under
/// Verilator and a few hundred megabytes of traces.
pub const MAX_RANDOM: usize = 10_000_000;

#[derive(Clone, Debug)]
pub struct VerifyOptions {
    pub format: Option<NumFormat>,
    pub stages: u32,
    pub lanes: usize,
    /// Random samples after the exhaustive pass.
    pub random: usize,
    pub stall_prob: f64,
    pub seed: u64,
    /// Also run the generated testbench under Icarus Verilog.
    pub icarus: bool,
    pub clock_mhz: f64,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            format: None,
            stages: 4,
            lanes: 1,
            random: 2000,
            stall_prob: 0.25,
            seed: 1,
            icarus: true,
            clock_mhz: 500.0,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ScaleReport {
    pub scale: i32,
    pub cycles: u64,
    pub samples: u64,
    pub cfg_writes: u64,
    pub out_stalls: u64,
    /// Whether the Verilator model was compiled for this scale (false: from the cache).
    pub built: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icarus: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mismatch: Option<String>,
}

/// Verifies `scales` of `table`; stops at the first scale that differs.
pub fn verify(
    table: &Table,
    scales: &[i32],
    opts: &VerifyOptions,
    cache: &Path,
    mut progress: impl FnMut(&ScaleReport),
) -> Result<Vec<ScaleReport>> {
    if opts.random > MAX_RANDOM {
        return Err(lutforge_core::Error::input(format!(
            "--random {}: at most {MAX_RANDOM} (the stream and both traces are held on disk)",
            opts.random
        )));
    }
    let mut out = Vec::new();
    for &scale in scales {
        let (cfg, params) = unit_for(
            table,
            scale,
            &UnitShape {
                format: opts.format,
                lanes: opts.lanes,
                stages: opts.stages,
                programmable: true,
            },
        )?;
        let (build, zeros) = crosscheck::shared_build(&cfg, cache, opts.clock_mhz)?;
        let mut events = load_events(&cfg, &params)?;
        let codes = all_codes(table, scale, opts.format);
        events.extend(beats(&codes, cfg.lanes));
        check_table(&cfg, &params)?;
        let regs = params.clone();
        events.extend(random_events(
            &cfg,
            &codes,
            &regs,
            opts.random,
            opts.seed ^ scale as u64,
        ));
        let run = RunOptions {
            stall_prob: opts.stall_prob,
            seed: opts.seed,
        };
        let dir = lutforge_core::io::TempDir::new()?;
        let r = crosscheck::check(&build, &cfg, &zeros, events, &run, dir.path())?;
        let mismatch = r.mismatch.as_ref().map(Mismatch::to_string);
        let icarus = if opts.icarus && mismatch.is_none() {
            let g = GenOptions {
                scale,
                format: opts.format,
                programmable: false,
                stages: opts.stages,
                lanes: opts.lanes,
                stall_prob: opts.stall_prob,
                seed: opts.seed,
            };
            let gdir = dir.path().join("gen");
            generate(table, &g, &gdir, false)?;
            Some(run_icarus(&gdir)?)
        } else {
            None
        };
        let rep = ScaleReport {
            scale,
            cycles: r.cycles,
            samples: r.stats.samples,
            cfg_writes: r.stats.cfg_writes,
            out_stalls: r.stats.out_stalls,
            built: build.fresh,
            icarus,
            mismatch,
        };
        progress(&rep);
        let failed = rep.mismatch.is_some();
        out.push(rep);
        if failed {
            break;
        }
    }
    Ok(out)
}
