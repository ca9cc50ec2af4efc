//! `lutforge verify`: a table's unit through the Verilator-built RTL and the simulator, cycle by
//! cycle (every input code, then a random stream with input gaps, output stalls and, for a
//! programmable unit, table rewrites), and its generated testbench under Icarus as a second
//! simulator — both of the same shape. `verify_dir` does the same for a directory `gen`
//! wrote, with the Verilog found there (possibly edited).

use crate::crosscheck::{self, beats, load_events, random_events, Mismatch};
use crate::gen::{all_codes, generate, header, served, GenOptions, Manifest};
use crate::render::{render_unit, Interface};
use crate::testbench::run_icarus;
use lutforge_core::{Error, Params, Result, Table};
use lutforge_sim::convert::{unit_for, UnitShape};
use lutforge_sim::stimulus::Event;
use lutforge_sim::unit::UnitConfig;
use lutforge_sim::RunOptions;
use serde::Serialize;
use std::path::Path;

/// Most random samples after the exhaustive pass: ten million cycles are minutes under
/// Verilator and a few hundred megabytes of traces.
pub const MAX_RANDOM: usize = 10_000_000;

#[derive(Clone, Debug)]
pub struct VerifyOptions {
    pub shape: UnitShape,
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
            shape: UnitShape::default(),
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
    /// The table's function, in the reports of a shared unit (one per table it serves).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// What the RTL was checked against.
    pub against: &'static str,
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

impl ScaleReport {
    fn of(scale: i32, r: &crosscheck::Checked, built: bool, icarus: Option<String>) -> ScaleReport {
        ScaleReport {
            function: None,
            against: "simulator",
            scale,
            cycles: r.cycles,
            samples: r.stats.samples,
            cfg_writes: r.stats.cfg_writes,
            out_stalls: r.stats.out_stalls,
            built,
            icarus,
            mismatch: r.mismatch.as_ref().map(Mismatch::to_string),
        }
    }
}

/// What `verify` is doing, for a progress display.
#[derive(Clone, Copy, Debug)]
pub enum Stage<'a> {
    /// Building (or finding in the cache) the Verilator model for a scale.
    Building(i32),
    /// Running the stream through both sides.
    Checking(i32),
    /// Running the testbench under Icarus.
    Icarus(i32),
    Done(&'a ScaleReport),
}

fn check_random(n: usize) -> Result<()> {
    if n > MAX_RANDOM {
        return Err(Error::input(format!(
            "--random {n}: at most {MAX_RANDOM} (the stream and both traces are held on disk)"
        )));
    }
    Ok(())
}

/// The stream both sides run: every code, then the random part (table rewrites only in a
/// programmable unit). A programmable unit under the shared build first loads its table.
fn events(
    cfg: &UnitConfig,
    params: &Params,
    codes: &[i64],
    opts: &VerifyOptions,
    scale: i32,
    load: bool,
) -> Result<Vec<(Event, Vec<i64>)>> {
    let mut ev = if load {
        load_events(cfg, params)?
    } else {
        Vec::new()
    };
    ev.extend(beats(codes, cfg.lanes));
    ev.extend(random_events(
        cfg,
        codes,
        params,
        opts.random,
        opts.seed ^ scale as u64,
    ));
    Ok(ev)
}

/// Verifies `scales` of `table` as `opts.shape` builds them; stops at the first scale that
/// differs.
pub fn verify(
    table: &Table,
    scales: &[i32],
    opts: &VerifyOptions,
    cache: &Path,
    mut progress: impl FnMut(Stage),
) -> Result<Vec<ScaleReport>> {
    check_random(opts.random)?;
    let mut out = Vec::new();
    for &scale in scales {
        let (cfg, params) = unit_for(table, scale, &opts.shape)?;
        let codes = all_codes(table, scale, opts.shape.format);
        progress(Stage::Building(scale));
        // Programmable: one build per shape, the table loaded through the write port. Fixed:
        // the unit itself, its table in constants.
        let (build, init, load) = if cfg.programmable {
            let (b, zeros) = crosscheck::shared_build(&cfg, cache, opts.clock_mhz)?;
            (b, zeros, true)
        } else {
            let iface = Interface::default();
            let v = render_unit(&cfg, &params, &header(table, &cfg, &params, scale), &iface)?;
            let b = crosscheck::unit_build(&v, &cfg, &iface, cache, opts.clock_mhz)?;
            (b, params.clone(), false)
        };
        let ev = events(&cfg, &params, &codes, opts, scale, load)?;
        let run = RunOptions {
            stall_prob: opts.stall_prob,
            seed: opts.seed,
        };
        let dir = lutforge_core::io::TempDir::new()?;
        progress(Stage::Checking(scale));
        let r = crosscheck::check(&build, &cfg, &init, ev, &run, dir.path())?;
        let mismatch = r.mismatch.as_ref().map(Mismatch::to_string);
        let icarus = if opts.icarus && mismatch.is_none() {
            progress(Stage::Icarus(scale));
            let g = GenOptions {
                scale,
                shape: opts.shape,
                stall_prob: opts.stall_prob,
                seed: opts.seed,
                ..GenOptions::default()
            };
            let gdir = dir.path().join("gen");
            let gen = generate(table, &g, &gdir, false)?;
            Some(run_icarus(&gdir, &gen.module)?)
        } else {
            None
        };
        let rep = ScaleReport::of(scale, &r, build.fresh, icarus);
        progress(Stage::Done(&rep));
        let failed = rep.mismatch.is_some();
        out.push(rep);
        if failed {
            break;
        }
    }
    Ok(out)
}

/// Verifies a directory `gen` wrote: its `MODULE.v` (as found there, edited or not) against
/// the simulator's unit of its `lutforge.json`, and its own testbench under Icarus. A shared
/// unit is checked once per table it serves (the unit after reset, then each further table
/// loaded through the write port), one report each; one Verilator build serves them all.
pub fn verify_dir(dir: &Path, opts: &VerifyOptions, cache: &Path) -> Result<Vec<ScaleReport>> {
    check_random(opts.random)?;
    let m = Manifest::load(dir)?;
    let table = m.table()?;
    let shape = m.shape()?;
    let iface = m.interface();
    let units = served(&table, m.scale, &m.also_tables()?, &shape)?;
    let (cfg, init) = (units[0].cfg, units[0].params.clone());
    let unit_path = dir.join(format!("{}.v", m.module));
    let unit_v = lutforge_core::io::read_text(&unit_path)?;
    let build = crosscheck::unit_build(&unit_v, &cfg, &iface, cache, opts.clock_mhz)
        .map_err(|e| Error::io(&unit_path, e))?;
    let run = RunOptions {
        stall_prob: opts.stall_prob,
        seed: opts.seed,
    };
    let work = lutforge_core::io::TempDir::new()?;
    let mut reports = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let codes = all_codes(&u.table, u.scale, shape.format);
        let ev = events(&cfg, &u.params, &codes, opts, u.scale, i > 0)?;
        let r = crosscheck::check(&build, &cfg, &init, ev, &run, work.path())?;
        let mut rep = ScaleReport::of(u.scale, &r, build.fresh && i == 0, None);
        if units.len() > 1 {
            rep.function = Some(u.table.function.name().to_string());
        }
        let failed = rep.mismatch.is_some();
        reports.push(rep);
        if failed {
            return Ok(reports);
        }
    }
    if opts.icarus {
        // In a copy: Icarus writes its compiled testbench beside the sources.
        let copy = work.path().join("dir");
        std::fs::create_dir(&copy).map_err(|e| Error::io(&copy, e))?;
        for f in &m.files {
            let from = dir.join(f);
            if from.is_file() {
                std::fs::copy(&from, copy.join(f)).map_err(|e| Error::io(&from, e))?;
            }
        }
        let verdict = run_icarus(&copy, &m.module)?;
        for r in &mut reports {
            r.icarus = Some(verdict.clone());
        }
    }
    Ok(reports)
}
