//! `lutforge cost`: area, energy per operation and power of a table's unit in INT8, INT16,
//! INT32 and FP32 side by side, with the switching activity of a simulated random stimulus
//! (docs/cost-model.md).

use clap::Args;
use lutforge_sim::convert::{unit_for, UnitShape};
use lutforge_sim::cost::{self, CostReport};
use lutforge_sim::stimulus::Range;
use lutforge_sim::NumFormat;
use std::path::PathBuf;

use crate::args::{load_table, FormatChoice, ShapeArgs, TechArgs};
use crate::error::{warn, CliError, CliResult};
use crate::out::outln;

#[derive(Args)]
pub struct CostArgs {
    /// Table file (lutforge-table/1).
    table: PathBuf,
    /// Input scale (F_x) whose table is costed (default: the table's first).
    #[arg(long, allow_hyphen_values = true)]
    scale: Option<i32>,
    /// Random samples simulated for the switching activity.
    #[arg(long, default_value_t = 20_000)]
    samples: u64,
    /// Seed of the random stimulus.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    shape: ShapeArgs,
    #[command(flatten)]
    tech: TechArgs,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

/// The number format a table is: FP32, or an integer unit of its input width.
fn table_format(t: &lutforge_core::Table) -> NumFormat {
    match t.arith {
        lutforge_core::table::Arith::Fp32 => NumFormat::Fp32,
        lutforge_core::table::Arith::Int => NumFormat::Int(t.formats.input_bits),
    }
}

pub fn run(a: &CostArgs) -> CliResult {
    let table = load_table(&a.table)?;
    let u = &a.tech;
    u.check()?;
    // The shape is the same for every format: one error, not one warning per format.
    let shape = a.shape.shape_in(None)?;
    let rom = shape.arch == lutforge_sim::unit::Arch::Rom;
    // Only `--format all` compares formats, and there a format that cannot be built is a
    // warning; without --format the table's own format alone is priced.
    let all = !rom && matches!(a.shape.format, Some(FormatChoice::All));
    if a.samples == 0 {
        return Err(CliError::input("--samples must be at least 1"));
    }
    let scale = match a.scale {
        Some(s) => s,
        None => table
            .scales
            .first()
            .map(|s| s.frac)
            .ok_or_else(|| CliError::input("the table holds no scale"))?,
    };
    table.require_scale(scale)?;
    let formats: Vec<NumFormat> = match a.shape.format {
        Some(FormatChoice::One(f)) => vec![f],
        // The table's own format (a direct table holds its own output codes: one format).
        None => vec![table_format(&table)],
        Some(FormatChoice::All) if rom => vec![table_format(&table)],
        Some(FormatChoice::All) => NumFormat::STANDARD.to_vec(),
    };
    let mut rows: Vec<(NumFormat, CostReport)> = Vec::new();
    for f in formats {
        let built = unit_for(
            &table,
            scale,
            &UnitShape {
                format: Some(f),
                ..shape
            },
        );
        let (cfg, params) = match built {
            Ok(x) => x,
            Err(e) if all => {
                warn(format_args!("{f} skipped: {e}"));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let range = Range::full(&cfg, table.formats.input_bits, scale);
        let (act, stats) = cost::random_activity(&cfg, &params, a.samples, range, a.seed)?;
        rows.push((
            f,
            cost::estimate(&cfg, Some(&params), &act, stats.samples, &u.node, u.clock),
        ));
    }
    if rows.is_empty() {
        return Err(CliError::input("no format of the table could be costed"));
    }
    let int8 = rows
        .iter()
        .find(|(f, _)| *f == NumFormat::Int(8))
        .map(|(_, r)| r.clone());
    let saving = |x: f64, base: f64| {
        if x > 0.0 {
            (1.0 - base / x) * 100.0
        } else {
            0.0
        }
    };

    if a.json {
        let units: Vec<_> = rows
            .iter()
            .map(|(f, r)| {
                let mut v = serde_json::json!({
                    "format": f.to_string(),
                    "ge": r.ge,
                    "area_um2": r.area_um2,
                    "energy_per_op_pj": r.energy_per_op_pj,
                    "power_mw": r.power_mw,
                    "dynamic_mw": r.dynamic_mw,
                    "leakage_mw": r.leakage_mw,
                    "components": r.components,
                });
                if let Some(b) = &int8 {
                    v["int8_saves_area_pct"] = saving(r.area_um2, b.area_um2).into();
                    v["int8_saves_power_pct"] = saving(r.power_mw, b.power_mw).into();
                    v["int8_saves_energy_pct"] =
                        saving(r.energy_per_op_pj, b.energy_per_op_pj).into();
                }
                v
            })
            .collect();
        outln!(
            "{}",
            serde_json::json!({
                "function": table.function.name(),
                "scale": scale,
                "arch": shape.arch.name(),
                "segments": table.segments,
                "words": if rom { Some(1u64 << table.formats.input_bits) } else { None },
                "lanes": shape.lanes,
                "stages": shape.stages,
                "programmable": shape.programmable,
                "clock_mhz": u.clock,
                "node": u.node.name,
                "samples": a.samples,
                "seed": a.seed,
                "units": units,
            })
        );
        return Ok(());
    }
    let what = if rom {
        format!("direct table of {} words", 1u64 << table.formats.input_bits)
    } else {
        format!("{} segments", table.segments)
    };
    outln!(
        "{} scale {scale}, {what}, {} lane(s), {} stage(s), {} table; {} at {} MHz; \
         activity from {} random samples",
        table.function.name(),
        shape.lanes,
        shape.stages,
        if shape.programmable {
            "programmable"
        } else {
            "fixed"
        },
        u.node.name,
        u.clock,
        a.samples
    );
    outln!(
        "{:<7} {:>9} {:>10} {:>11} {:>10} {:>15} {:>16}",
        "format",
        "GE (area)",
        "area um2",
        "pJ/op",
        "power mW",
        "INT8 saves area",
        "INT8 saves power"
    );
    for (f, r) in &rows {
        let (sa, sp) = match &int8 {
            Some(b) if *f != NumFormat::Int(8) => (
                format!("{:.1}%", saving(r.area_um2, b.area_um2)),
                format!("{:.1}%", saving(r.power_mw, b.power_mw)),
            ),
            _ => ("-".into(), "-".into()),
        };
        outln!(
            "{:<7} {:>9.0} {:>10.1} {:>11.4} {:>10.4} {:>15} {:>16}",
            f.to_string(),
            r.ge,
            r.area_um2,
            r.energy_per_op_pj,
            r.power_mw,
            sa,
            sp
        );
    }
    outln!(
        "GE: the cost model's NAND2 area equivalents (NanGate45 cells); Yosys's own count is `lutforge synth` (transistors / 4), another reference"
    );
    if rows.len() == 1 {
        let r = &rows[0].1;
        outln!();
        outln!(
            "{:<40} {:>9} {:>10} {:>9} {:>10}  structure",
            "component",
            "GE (area)",
            "area um2",
            "activity",
            "pJ/op"
        );
        for c in &r.components {
            outln!(
                "{:<40} {:>9.1} {:>10.2} {:>9.3} {:>10.5}  {}",
                c.name,
                c.ge,
                c.area_um2,
                c.activity,
                c.energy_pj,
                c.structure
            );
        }
        outln!(
            "leakage {:.4} mW, dynamic {:.4} mW; of the {:.4} pJ/op, {:.4} is the flip-flops' clock (every flip-flop every cycle: no clock gating)",
            r.leakage_mw,
            r.dynamic_mw,
            r.energy_per_op_pj,
            r.clock_per_op_pj
        );
    }
    Ok(())
}
