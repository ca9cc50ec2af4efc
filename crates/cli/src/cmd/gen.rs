//! `lutforge gen`: Verilog for one scale of a table, with its self-checking testbench.

use clap::Args;
use lutforge_rtl::gen::{prepare, GenOptions};
use lutforge_sim::convert::{unit_for, UnitShape};
use lutforge_sim::cost;
use lutforge_sim::unit::{Arch, UnitConfig};
use std::path::PathBuf;

use crate::args::{load_table, pick_scale, ResetArgs, ShapeArgs};
use crate::error::{note, CliResult};
use crate::out::outln;

#[derive(Args)]
pub struct GenArgs {
    /// Table file (lutforge-table/1). Several tables that need the same hardware (the
    /// tables of one member of a `pareto --function f,g` front) make one programmable unit
    /// that serves them all, with a load image per table.
    #[arg(required = true, num_args = 1..)]
    tables: Vec<PathBuf>,
    /// Input scale (F_x); may be left out when a table has only one.
    #[arg(long, allow_hyphen_values = true)]
    scale: Option<i32>,
    #[command(flatten)]
    shape: ShapeArgs,
    /// Module name (also the file name; the testbench is NAME_tb). Default: function, scale,
    /// segments and format, e.g. gelu_s4_k8_int8.
    #[arg(long)]
    name: Option<String>,
    #[command(flatten)]
    reset: ResetArgs,
    /// Keep files of the directory that lutforge did not write (gen's own earlier files are
    /// always replaced).
    #[arg(long)]
    force: bool,
    /// Output directory.
    #[arg(short, long)]
    output: PathBuf,
}

pub fn run(a: &GenArgs) -> CliResult {
    let table = load_table(&a.tables[0])?;
    let scale = pick_scale(&table, a.scale)?;
    let mut also = Vec::new();
    for path in &a.tables[1..] {
        let t = load_table(path)?;
        let s = pick_scale(&t, a.scale).map_err(|mut e| {
            e.msg = format!("{}: {}", path.display(), e.msg);
            e
        })?;
        also.push((t, s));
    }
    let opts = GenOptions {
        scale,
        shape: a.shape.shape()?,
        name: a.name.clone(),
        reset: a.reset.reset(),
        also,
        ..GenOptions::default()
    };
    let (g, pending) = prepare(&table, &opts, &a.output, a.force)?;
    // The report first: a run whose stdout fails leaves no directory behind.
    for f in &g.files {
        outln!("{}", f.display());
    }
    crate::out::flush()?;
    pending.commit()?;
    if a.tables.len() == 1 {
        if let Some(hint) = smaller_alternative(&table, scale, &g.cfg, &g.params) {
            note(format_args!("{hint}"));
        }
    }
    let what = match g.cfg.arch {
        lutforge_sim::unit::Arch::Pwl => format!("{} segments", table.segments),
        lutforge_sim::unit::Arch::Rom => format!("direct table of {} words", g.cfg.segments),
    };
    note(format_args!(
        "{}: {what}, scale {scale}, {} table{}; testbench replays {} cycles ({} samples)",
        g.module,
        if g.cfg.programmable {
            "programmable"
        } else {
            "fixed"
        },
        if a.tables.len() > 1 {
            format!(", shared by {} tables", a.tables.len())
        } else {
            String::new()
        },
        g.cycles,
        g.samples
    ));
    Ok(())
}

/// The cost model's area of a unit, in GE.
fn ge(cfg: &UnitConfig, params: &lutforge_core::Params) -> f64 {
    cost::components_in(cfg, Some(params), &cost::NANGATE45)
        .iter()
        .map(|c| c.ge)
        .sum()
}

/// One line naming the smallest unit that meets the generated unit's error at this scale, when
/// it is at least 10 % smaller by the cost model: the fixed one-stage PWL unit of the same
/// table, or the direct table (`--arch rom`).
fn smaller_alternative(
    table: &lutforge_core::Table,
    scale: i32,
    cfg: &UnitConfig,
    params: &lutforge_core::Params,
) -> Option<String> {
    let here = ge(cfg, params);
    let err = table
        .metrics_of(table.require_scale(scale).ok()?)
        .max_err_lsb;
    let base = UnitShape {
        format: None,
        lanes: cfg.lanes,
        stages: 1,
        programmable: false,
        arch: Arch::Pwl,
    };
    let mut best: Option<(f64, &str)> = None;
    let mut consider = |shape: UnitShape, flags: &'static str| {
        if let Ok((c, p)) = unit_for(table, scale, &shape) {
            let meets = match (c.arch, &c.arith, &p) {
                (Arch::Rom, lutforge_sim::unit::Arith::Int(dp), lutforge_core::Params::Int(ip)) => {
                    lutforge_core::rom::max_err_lsb(
                        &ip.intercepts,
                        &table.function,
                        table.domain,
                        dp.input,
                        dp.output,
                    ) <= err + 1e-12
                }
                _ => true,
            };
            let g = ge(&c, &p);
            if meets && g < 0.9 * here && best.is_none_or(|(b, _)| g < b) {
                best = Some((g, flags));
            }
        }
    };
    if cfg.arch == Arch::Pwl && (cfg.programmable || cfg.stages > 1) {
        consider(base, "--fixed --stages 1");
    }
    if cfg.arch == Arch::Pwl {
        consider(
            UnitShape {
                arch: Arch::Rom,
                ..base
            },
            "--arch rom --fixed --stages 1",
        );
    }
    best.map(|(g, flags)| {
        format!(
            "smaller at the same error ({err:.3} LSB): `gen {flags}` is {g:.0} GE against this unit's {here:.0} (cost model)"
        )
    })
}
