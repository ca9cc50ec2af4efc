//! `lutforge sim`: runs one scale of a table through the cycle-accurate unit model and reports
//! cycles, throughput, stalls, energy and power; optionally writes the per-cycle trace and a
//! VCD waveform (docs/sim.md).

use clap::{Args, ValueEnum};
use lutforge_core::table::Arith as TableArith;
use lutforge_sim::convert::unit_for;
use lutforge_sim::cost;
use lutforge_sim::run::{run, Observer, RunOptions};
use lutforge_sim::stimulus::{Distribution, FileStimulus, Generator, Range, Stimulus, MAX_SAMPLES};
use lutforge_sim::trace::TraceWriter;
use lutforge_sim::waves::VcdWriter;
use lutforge_sim::Unit;
use std::io::BufReader;
use std::path::PathBuf;

use crate::args::{load_table, pick_scale, ShapeArgs, TechArgs};
use crate::error::{CliError, CliResult};
use crate::out::outln;
use crate::outputs;

#[derive(Clone, Copy, ValueEnum)]
pub enum Dist {
    Uniform,
    Gaussian,
}

#[derive(Args)]
pub struct SimArgs {
    /// Table file (lutforge-table/1).
    table: PathBuf,
    /// Input scale (F_x) to simulate; may be left out when the table has only one.
    #[arg(long, allow_hyphen_values = true)]
    scale: Option<i32>,
    /// Generated samples (default 10000 when no --input is given).
    #[arg(long, conflicts_with = "input")]
    samples: Option<u64>,
    /// Stimulus file: one sample per line, `idle N`, `cfg ADDR DATA` (docs/sim.md).
    #[arg(long)]
    input: Option<PathBuf>,
    /// Distribution of generated samples over the input codes.
    #[arg(long, value_enum, default_value = "uniform")]
    dist: Dist,
    /// Probability that out_ready is low in a cycle, in [0, 1).
    #[arg(long, default_value_t = 0.0)]
    stall_prob: f64,
    /// Seed of the generator and of the stall pattern.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write a VCD waveform here.
    #[arg(long)]
    vcd: Option<PathBuf>,
    /// Write the per-cycle trace (lutforge-trace/1) here.
    #[arg(long)]
    trace: Option<PathBuf>,
    #[command(flatten)]
    shape: ShapeArgs,
    #[command(flatten)]
    tech: TechArgs,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run_cmd(a: &SimArgs) -> CliResult {
    let table = load_table(&a.table)?;
    let u = &a.tech;
    u.check()?;
    let shape = a.shape.shape()?;
    let scale = pick_scale(&table, a.scale)?;
    let (cfg, params) = unit_for(&table, scale, &shape)?;
    let opts = RunOptions {
        stall_prob: a.stall_prob,
        seed: a.seed,
    };
    opts.check()?;
    if let Some(n) = a.samples.filter(|&n| n > MAX_SAMPLES) {
        return Err(CliError::input(format!(
            "--samples {n}: at most {MAX_SAMPLES}"
        )));
    }
    let mut unit = Unit::new(cfg, &params)?;
    unit.set_tracking(true);

    // Outputs are staged before the run, so a bad path fails before any work.
    let mut inputs = vec![a.table.as_path()];
    inputs.extend(a.input.as_deref());
    if let Some(v) = &a.vcd {
        crate::args::check_extension(v, "vcd")?;
    }
    // A GTKWave save file goes beside a waveform named .vcd (docs/sim.md, "Waveforms"); a
    // device or a pipe gets the waveform alone.
    let gtkw = a
        .vcd
        .as_deref()
        .filter(|v| v.extension().is_some_and(|e| e == "vcd"))
        .map(lutforge_sim::gtkw::path_for);
    let mut paths = Vec::new();
    paths.extend(a.vcd.as_deref());
    paths.extend(gtkw.as_deref());
    paths.extend(a.trace.as_deref());
    let mut files = outputs::open(&paths, &inputs)?.into_iter();
    let mut vcd_file = a.vcd.as_ref().and_then(|_| files.next());
    let gtkw_file = gtkw.as_ref().and_then(|_| files.next());
    let mut trace_file = a.trace.as_ref().and_then(|_| files.next());

    let mut stim: Box<dyn Stimulus> = match &a.input {
        Some(path) => {
            let f = std::fs::File::open(path)
                .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
            Box::new(FileStimulus::new(
                cfg,
                BufReader::new(f),
                path.display().to_string(),
            ))
        }
        None => {
            let dist = match a.dist {
                Dist::Uniform => Distribution::Uniform,
                Dist::Gaussian => Distribution::Gaussian { sigma: 0.125 },
            };
            Box::new(Generator::new(
                a.samples.unwrap_or(10_000),
                dist,
                Range::full(&cfg, table.formats.input_bits, scale),
                a.seed,
            ))
        }
    };

    let stats = {
        let mut vcd = match vcd_file.as_mut() {
            Some(w) => Some(VcdWriter::new(w, u.clock, "lutforge_unit")?),
            None => None,
        };
        let mut trace = trace_file.as_mut().map(TraceWriter::new);
        let mut observers: Vec<&mut dyn Observer> = Vec::new();
        if let Some(v) = vcd.as_mut() {
            observers.push(v);
        }
        if let Some(t) = trace.as_mut() {
            observers.push(t);
        }
        run(&mut unit, stim.as_mut(), &opts, &mut observers, |_| Ok(()))
    };
    // A failed write is reported with its file's path.
    let stats = stats.map_err(|e| {
        vcd_file
            .as_ref()
            .and_then(|f| f.failure())
            .or_else(|| trace_file.as_ref().and_then(|f| f.failure()))
            .unwrap_or(e)
    })?;
    // Every file is written and synced before any is renamed into place.
    if let (Some(f), Some(v)) = (gtkw_file, &a.vcd) {
        let name = v
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let text = lutforge_sim::waves::save_file(&cfg, "lutforge_unit", "rst", u.clock, &name);
        let mut outs = vec![(f, text.into_bytes())];
        outs.extend(vcd_file.take().map(|f| (f, Vec::new())));
        outs.extend(trace_file.take().map(|f| (f, Vec::new())));
        outputs::finish_all(outs)?;
    }
    for f in vcd_file.iter_mut().chain(trace_file.iter_mut()) {
        f.sync()?;
    }
    for f in vcd_file.into_iter().chain(trace_file) {
        f.commit()?;
    }

    let report = cost::estimate(
        &cfg,
        Some(&params),
        unit.activity(),
        stats.samples,
        &u.node,
        u.clock,
    );
    let format = match (shape.format, table.arith) {
        (Some(f), _) => f.to_string(),
        (None, TableArith::Fp32) => "fp32".into(),
        (None, TableArith::Int) => format!("int{}", table.formats.input_bits),
    };
    let energy_total_nj = report.energy_per_op_pj * stats.samples as f64 / 1000.0;
    if a.json {
        outln!(
            "{}",
            serde_json::json!({
                "function": table.function.name(),
                "scale": scale,
                "format": format,
                "segments": cfg.segments,
                "lanes": cfg.lanes,
                "stages": cfg.stages,
                "programmable": cfg.programmable,
                "cycles": stats.cycles,
                "samples": stats.samples,
                "beats_in": stats.beats_in,
                "beats_out": stats.beats_out,
                "padded": stats.padded,
                "latency": cfg.stages,
                "first_latency": stats.first_latency,
                "throughput": stats.throughput(),
                "out_stalls": stats.out_stalls,
                "in_stalls": stats.in_stalls,
                "idle_cycles": stats.idle_cycles,
                "cfg_writes": stats.cfg_writes,
                "energy_per_sample_pj": report.energy_per_op_pj,
                "energy_total_nj": energy_total_nj,
                "power_mw": report.power_mw,
                "dynamic_mw": report.dynamic_mw,
                "leakage_mw": report.leakage_mw,
                "clock_mhz": u.clock,
                "node": report.tech.name,
                "area_um2": report.area_um2,
                "ge": report.ge,
            })
        );
        return Ok(());
    }
    outln!(
        "{} scale {}, {format}, {} segments, {} lane(s), {} stage(s), {} table",
        table.function.name(),
        scale,
        cfg.segments,
        cfg.lanes,
        cfg.stages,
        if cfg.programmable {
            "programmable"
        } else {
            "fixed"
        }
    );
    outln!("cycles       {}", stats.cycles);
    outln!(
        "samples      {} ({} beats in, {} out{})",
        stats.samples,
        stats.beats_in,
        stats.beats_out,
        if stats.padded > 0 {
            format!(", {} padding lanes", stats.padded)
        } else {
            String::new()
        }
    );
    outln!("latency      {} cycles", cfg.stages);
    outln!("throughput   {:.4} samples/cycle", stats.throughput());
    outln!(
        "stalls       {} output cycles (out_valid, !out_ready), {} input cycles (in_valid, !in_ready)",
        stats.out_stalls, stats.in_stalls
    );
    if stats.idle_cycles > 0 || stats.cfg_writes > 0 {
        outln!(
            "stimulus     {} idle cycles, {} table writes",
            stats.idle_cycles,
            stats.cfg_writes
        );
    }
    outln!(
        "energy       {:.3} pJ/sample dynamic, {:.3} nJ in total",
        report.energy_per_op_pj,
        energy_total_nj
    );
    outln!(
        "avg power    {:.4} mW at {} MHz ({:.4} dynamic + {:.4} leakage), {}",
        report.power_mw,
        u.clock,
        report.dynamic_mw,
        report.leakage_mw,
        report.tech.name
    );
    outln!(
        "area         {:.0} GE, {:.0} um2",
        report.ge,
        report.area_um2
    );
    Ok(())
}
