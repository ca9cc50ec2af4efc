//! `lutforge explore`: before choosing, every architecture that meets an error bound for one
//! function at one input width, side by side — the direct table and the PWL unit at the fewest
//! segments and at a few more with narrower coefficients — each with its error, latency, the
//! cost model's area and energy, and Yosys's count; optionally area against input width as an
//! SVG, where the crossover shows. It joins the search, the simulator's cost model and the
//! RTL's synthesis, which only the binary depends on all of.

use clap::Args;
use lutforge_core::table::default_output_frac;
use lutforge_core::{rom, FixedFormat, Formats, Function, Params, Table};
use lutforge_rtl::render::Interface;
use lutforge_rtl::render_unit;
use lutforge_rtl::yosys::{synth, SynthReport, Target};
use lutforge_search::pareto::covering_frac;
use lutforge_search::problem::Objective;
use lutforge_search::{search, Method, Request};
use lutforge_sim::convert::{unit_for, UnitShape};
use lutforge_sim::cost::{estimate, random_activity, Tech};
use lutforge_sim::stimulus::Range;
use lutforge_sim::unit::{rom_params, Arch, UnitConfig};
use plotters::prelude::*;
use serde::Serialize;
use std::path::PathBuf;

use crate::args::{parse_domain, parse_function, FunctionArg, TechArgs};
use crate::error::{CliError, CliResult};
use crate::out::outln;
use crate::outputs;
use crate::quant::{quantized_function, QuantArgs};

/// Widest input explored: the widest direct table (`rom::MAX_INPUT_BITS`, 2^16 words).
const MAX_BITS: u32 = lutforge_core::rom::MAX_INPUT_BITS;

/// Widest input synthesized: a direct table of 2^14 words already takes Yosys seconds and
/// each further bit doubles it; wider rows are priced by the cost model only.
const MAX_SYNTH_BITS: u32 = 14;

/// Widest programmable direct table synthesized: 2^10 words of flip-flops take Yosys half a
/// minute on this project's machines and each further bit more than doubles it.
const MAX_RAM_SYNTH_BITS: u32 = 10;

#[derive(Args)]
pub struct ExploreArgs {
    /// Function (a built-in name or a .csv of samples).
    #[arg(long, value_parser = parse_function)]
    function: FunctionArg,
    /// Domain LO,HI (default: the function's).
    #[arg(long, value_parser = parse_domain, allow_hyphen_values = true)]
    domain: Option<(f64, f64)>,
    /// Input width N (4 to 16; above 14 with --no-synth); the input scale is the one that
    /// covers the domain.
    #[arg(long, default_value_t = 8)]
    input_bits: u32,
    /// Output width (default: the input's); its scale is the widest the range allows.
    #[arg(long)]
    output_bits: Option<u32>,
    /// The error bound every architecture must meet, in output LSBs (below 1: faithful).
    #[arg(long, allow_hyphen_values = true)]
    max_err_lsb: f64,
    /// Most segments a PWL row may have (a faithful 16-bit unit needs 76 to 149).
    #[arg(long, default_value_t = 64)]
    max_segments: usize,
    /// Programmable units (the table behind a write port) instead of fixed ones.
    #[arg(long)]
    programmable: bool,
    /// Yosys target: generic (transistors), ice40 or xilinx (LUTs).
    #[arg(long, default_value = "generic", value_parser = |s: &str| Target::parse(s).map_err(|e| e.to_string()))]
    target: Target,
    /// Skip Yosys (cost model only).
    #[arg(long)]
    no_synth: bool,
    /// Also write an SVG of area against input width, 6 bits to the wider of --input-bits and
    /// 14 (16 with --no-synth), step 2: where the PWL unit overtakes the direct table.
    #[arg(long)]
    plot: Option<PathBuf>,
    #[command(flatten)]
    quant: QuantArgs,
    #[command(flatten)]
    tech: TechArgs,
    /// Print one JSON document instead of a table.
    #[arg(long)]
    json: bool,
}

/// One architecture that meets the bound.
#[derive(Clone, Debug, Serialize)]
struct Row {
    arch: String,
    segments: Option<usize>,
    coefficient_bits: Option<u32>,
    max_err_lsb: f64,
    latency_cycles: u32,
    area_um2: Option<f64>,
    energy_pj: Option<f64>,
    cells: Option<u64>,
    transistors: Option<u64>,
    luts: Option<u64>,
}

struct Setting<'a> {
    f: &'a Function,
    domain: (f64, f64),
    /// A function of affine codes: input and output at scale 0 (the codes themselves).
    quantized: bool,
    e: f64,
    max_segments: usize,
    programmable: bool,
    target: Option<Target>,
    tech: &'a Tech,
    clock: f64,
}

fn synthesized(v: &str, top: &str, target: Target) -> CliResult<SynthReport> {
    let dir = lutforge_core::io::TempDir::new()?;
    let file = format!("{top}.v");
    let path = dir.path().join(&file);
    std::fs::write(&path, v).map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
    Ok(synth(dir.path(), &[&file], top, target)?)
}

impl Setting<'_> {
    /// The minimax table of at most `max_segments` segments meeting the bound with `c`-bit
    /// coefficients.
    fn pwl(
        &self,
        input: FixedFormat,
        output: FixedFormat,
        c: u32,
        k: Option<usize>,
    ) -> Option<Table> {
        let mut r = Request::new(self.f.clone(), k.unwrap_or(self.max_segments));
        r.domain = self.domain;
        r.method = Method::Exact;
        r.objective = Objective::MaxErr;
        r.scales = input.frac..=input.frac;
        r.formats = Formats::fitting(self.f, self.domain, input, output, c, c);
        if k.is_none() {
            r.max_err_lsb = Some(self.e);
        }
        let t = search(&r, &mut |_| {}).ok()?.table;
        let err = t.scales[0].metrics?.max_err_lsb;
        (err <= self.e).then_some(t)
    }

    fn pwl_row(&self, t: &Table, c: u32, arch: &str) -> CliResult<Row> {
        let frac = t.scales[0].frac;
        let shape = UnitShape {
            arch: Arch::Pwl,
            programmable: self.programmable,
            stages: 1,
            ..UnitShape::default()
        };
        let (cfg, params) = unit_for(t, frac, &shape)?;
        let mut row = self.unit_row(&cfg, &params, true)?;
        row.arch = arch.into();
        row.segments = Some(t.segments);
        row.coefficient_bits = Some(c);
        row.max_err_lsb = t.scales[0].metrics.map_or(f64::NAN, |m| m.max_err_lsb);
        Ok(row)
    }

    /// The cost model's area and energy (random codes) and, when `synth`, Yosys's counts of
    /// one unit; the caller names the row.
    fn unit_row(&self, cfg: &UnitConfig, params: &Params, synth: bool) -> CliResult<Row> {
        let lo = -(1i64 << (cfg.widths().x - 1));
        let n = 512;
        let (act, _) = random_activity(
            cfg,
            params,
            n,
            Range::Codes {
                min: lo,
                max: -lo - 1,
            },
            1,
        )?;
        let cost = estimate(
            cfg,
            (!self.programmable).then_some(params),
            &act,
            n,
            self.tech,
            self.clock,
        );
        let s = match self.target.filter(|_| synth) {
            Some(target) => {
                let iface = Interface {
                    module: "explore_unit".into(),
                    ..Interface::default()
                };
                Some(synthesized(
                    &render_unit(cfg, params, &[], &iface)?,
                    "explore_unit",
                    target,
                )?)
            }
            None => None,
        };
        Ok(Row {
            arch: String::new(),
            segments: None,
            coefficient_bits: None,
            max_err_lsb: f64::NAN,
            latency_cycles: cfg.stages,
            area_um2: Some(cost.area_um2),
            energy_pj: Some(cost.energy_per_op_pj),
            cells: s.as_ref().map(|s| s.num_cells),
            transistors: s.as_ref().and_then(|s| s.transistors),
            luts: s.as_ref().and_then(|s| s.luts),
        })
    }

    /// Every architecture meeting the bound at `n` input bits and `m` output bits.
    fn rows(&self, n: u32, m: u32) -> CliResult<Vec<Row>> {
        let (input, output) = if self.quantized {
            (FixedFormat::new(n, 0), FixedFormat::new(m, 0))
        } else {
            (
                FixedFormat::new(n, covering_frac(n, self.domain)),
                FixedFormat::new(m, default_output_frac(self.f, self.domain, m)),
            )
        };
        let mut rows = Vec::new();
        let words = rom::words(self.f, self.domain, input, output)?;
        let err = rom::max_err_lsb(&words, self.f, self.domain, input, output);
        if err <= self.e {
            let cfg = UnitConfig::rom(input, output, 1, 1, self.programmable);
            // A wider RAM is priced by the cost model only (MAX_RAM_SYNTH_BITS).
            let synth = !self.programmable || n <= MAX_RAM_SYNTH_BITS;
            let mut row = self.unit_row(&cfg, &rom_params(input, &words), synth)?;
            row.arch = "direct table".into();
            row.max_err_lsb = err;
            rows.push(row);
        }
        let c = n.max(m) + 2;
        let Some(t) = self.pwl(input, output, c, None) else {
            return Ok(rows);
        };
        let k = t.segments;
        rows.push(self.pwl_row(&t, c, "PWL, fewest segments")?);
        // More segments buy narrower coefficients: the narrowest that still meet the bound.
        for more in [2usize, 4] {
            let mut best = None;
            for cc in (3..c).rev() {
                match self.pwl(input, output, cc, Some(k + more)) {
                    Some(t) => best = Some((t, cc)),
                    None => break,
                }
            }
            if let Some((t, cc)) = best {
                rows.push(self.pwl_row(&t, cc, &format!("PWL, {} more segments", more))?);
            }
        }
        Ok(rows)
    }
}

/// The row with the least Yosys count (or cost-model area without synthesis).
fn smallest(rows: &[Row]) -> Option<usize> {
    let key = |r: &Row| -> Option<f64> {
        r.transistors
            .map(|t| t as f64)
            .or(r.luts.map(|l| l as f64))
            .or(if r.cells.is_none() { r.area_um2 } else { None })
    };
    (0..rows.len())
        .filter(|&i| key(&rows[i]).is_some())
        .min_by(|&a, &b| key(&rows[a]).unwrap().total_cmp(&key(&rows[b]).unwrap()))
}

pub fn run(a: &ExploreArgs) -> CliResult {
    a.tech.check()?;
    let affine = a
        .quant
        .affine(a.input_bits, a.output_bits.unwrap_or(a.input_bits))?;
    let (function, domain, input_bits, m) = match affine {
        Some(q) => {
            if a.plot.is_some() {
                return Err(CliError::input(
                    "--plot sweeps input widths, and a quantized function has one (its codes'): drop --plot or the quantization",
                ));
            }
            let (f, codes) = quantized_function(a.function.function.clone(), a.domain, q)?;
            (f, codes, q.0.bits, q.1.bits)
        }
        None => {
            let f = a.function.function.clone();
            let domain = a.domain.unwrap_or_else(|| f.default_domain());
            f.check_domain(domain.0, domain.1)
                .map_err(CliError::input)?;
            (
                f,
                domain,
                a.input_bits,
                a.output_bits.unwrap_or(a.input_bits),
            )
        }
    };
    let f = &function;
    if !(4..=MAX_BITS).contains(&input_bits) {
        return Err(CliError::input(format!(
            "--input-bits {input_bits}: 4 to {MAX_BITS} (a direct table holds at most 2^{MAX_BITS} words)"
        )));
    }
    if input_bits > MAX_SYNTH_BITS && !a.no_synth {
        return Err(CliError::input(format!(
            "--input-bits {input_bits}: Yosys runs up to {MAX_SYNTH_BITS} bits (a direct table of 2^{MAX_SYNTH_BITS} words already takes it seconds); add --no-synth for the cost model alone"
        )));
    }
    if !(2..=24).contains(&m) {
        return Err(CliError::input(format!("--output-bits {m}: 2 to 24")));
    }
    if !(a.max_err_lsb.is_finite() && a.max_err_lsb > 0.0) {
        return Err(CliError::input(format!(
            "--max-err-lsb {}: a positive number of output LSBs",
            a.max_err_lsb
        )));
    }
    let most = lutforge_core::table::MAX_SEGMENTS;
    if !(1..=most).contains(&a.max_segments) {
        return Err(CliError::input(format!(
            "--max-segments {}: 1 to {most}",
            a.max_segments
        )));
    }
    let plot = match &a.plot {
        Some(p) => {
            crate::args::check_extension(p, "svg")?;
            let inputs: Vec<&std::path::Path> = a
                .function
                .source
                .iter()
                .map(|p| p.as_path())
                .chain(a.quant.quant.as_deref())
                .collect();
            Some(outputs::open_one(p, &inputs)?)
        }
        None => None,
    };
    let s = Setting {
        f,
        domain,
        quantized: affine.is_some(),
        e: a.max_err_lsb,
        max_segments: a.max_segments,
        programmable: a.programmable,
        target: (!a.no_synth).then_some(a.target),
        tech: &a.tech.node,
        clock: a.tech.clock,
    };
    let rows = s.rows(input_bits, m)?;
    if rows.is_empty() {
        return Err(CliError::input(format!(
            "no architecture meets {} output LSB at {} input bits: a direct table errs by up to 0.5, and no PWL table of at most {} segments meets it (--max-segments)",
            a.max_err_lsb, input_bits, a.max_segments
        )));
    }
    let best = smallest(&rows);
    if a.json {
        outln!(
            "{}",
            serde_json::json!({
                "function": f.name(),
                "domain": [domain.0, domain.1],
                "input_bits": input_bits,
                "quantization": affine.map(|(i, o)| serde_json::json!({
                    "input": {"scale": i.scale, "zero_point": i.zero_point, "bits": i.bits, "unsigned": i.unsigned},
                    "output": {"scale": o.scale, "zero_point": o.zero_point, "bits": o.bits, "unsigned": o.unsigned},
                })),
                "output_bits": m,
                "max_err_lsb": a.max_err_lsb,
                "programmable": a.programmable,
                "target": if a.no_synth { None } else { Some(a.target) },
                "rows": rows,
                "smallest": best,
            })
        );
    } else {
        let units = if a.programmable {
            "programmable"
        } else {
            "fixed"
        };
        match f.quantized() {
            Some(q) => outln!(
                "{}; input codes {}..{}, bound {} LSB (output codes), {units} units, one stage",
                q.describe(),
                domain.0,
                domain.1,
                lutforge_core::format::Num(a.max_err_lsb)
            ),
            None => outln!(
                "{} on [{}, {}], {}-bit input, {}-bit output, bound {} LSB, {units} units, one stage",
                f.name(),
                lutforge_core::format::Num(domain.0),
                lutforge_core::format::Num(domain.1),
                input_bits,
                m,
                lutforge_core::format::Num(a.max_err_lsb)
            ),
        }
        outln!(
            "  {:<26} {:>3} {:>6} {:>8} {:>8} {:>10} {:>9} {:>8} {:>11} {:>6}",
            "architecture",
            "K",
            "coeff",
            "max_err",
            "latency",
            "area_um2",
            "energy_pj",
            "cells",
            "transistors",
            "luts"
        );
        let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
        for (i, r) in rows.iter().enumerate() {
            outln!(
                "{} {:<26} {:>3} {:>6} {:>8.3} {:>8} {:>10} {:>9} {:>8} {:>11} {:>6}",
                if Some(i) == best { "*" } else { " " },
                r.arch,
                opt(r.segments.map(|k| k.to_string())),
                opt(r.coefficient_bits.map(|c| c.to_string())),
                r.max_err_lsb,
                r.latency_cycles,
                opt(r.area_um2.map(|v| format!("{v:.1}"))),
                opt(r.energy_pj.map(|v| format!("{v:.3}"))),
                opt(r.cells.map(|v| v.to_string())),
                opt(r.transistors.map(|v| v.to_string())),
                opt(r.luts.map(|v| v.to_string()))
            );
        }
        outln!(
            "* the smallest by Yosys's count (by the cost model's area with --no-synth){}",
            if a.programmable && input_bits > MAX_RAM_SYNTH_BITS && !a.no_synth {
                format!("; a direct table above {MAX_RAM_SYNTH_BITS} bits is priced by the cost model only, not synthesized")
            } else {
                String::new()
            }
        );
    }
    if let Some(out) = plot {
        let svg = sweep_svg(&s, a, m)?;
        outputs::finish(out, svg.as_bytes())?;
    }
    Ok(())
}

/// The most segments a PWL row of the sweep may have.
const SWEEP_SEGMENTS: usize = 256;

/// The widest input the sweep reaches: far enough for the PWL unit to overtake the direct
/// table (at 14 bits for gelu and sigmoid, 16 for the rest, faithful; docs/results.md), as far
/// as Yosys is run.
fn sweep_last(a: &ExploreArgs) -> u32 {
    let reach = if a.no_synth {
        MAX_BITS
    } else if a.programmable {
        MAX_RAM_SYNTH_BITS
    } else {
        MAX_SYNTH_BITS
    };
    a.input_bits.max(reach)
}

/// Area against input width for each architecture, 6 bits (or fewer) to [`sweep_last`].
fn sweep_svg(s: &Setting, a: &ExploreArgs, m: u32) -> CliResult<String> {
    let first = a.input_bits.min(6);
    let last = sweep_last(a);
    let mut widths: Vec<u32> = (first..=last).step_by(2).collect();
    for n in [a.input_bits, last] {
        if !widths.contains(&n) {
            widths.push(n);
        }
    }
    widths.sort_unstable();
    // A faithful unit needs up to 149 segments at 16 bits: the sweep allows 256 (or more, as
    // --max-segments says), so that the PWL line does not stop short of the widest inputs.
    let s = &Setting {
        max_segments: s.max_segments.max(SWEEP_SEGMENTS),
        ..*s
    };
    let mut series: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for &n in &widths {
        let out_bits = if a.output_bits.is_some() { m } else { n };
        for r in s.rows(n, out_bits)? {
            let y = r
                .transistors
                .map(|t| t as f64)
                .or(r.luts.map(|l| l as f64))
                .or(if s.target.is_none() { r.area_um2 } else { None });
            if let Some(y) = y {
                match series.iter_mut().find(|(name, _)| *name == r.arch) {
                    Some((_, pts)) => pts.push((n as f64, y)),
                    None => series.push((r.arch.clone(), vec![(n as f64, y)])),
                }
            }
        }
    }
    let ys = || series.iter().flat_map(|(_, p)| p.iter().map(|q| q.1));
    let ymax = ys().fold(1.0f64, f64::max);
    // The log axis spans the data (a factor of 2 either side), not down to 1.
    let ymin = ys().fold(ymax, f64::min);
    let unit = match (s.target, a.target) {
        (None, _) => "area (µm², cost model)",
        (Some(_), Target::Generic) => "transistors (Yosys, stat -tech cmos)",
        (Some(_), _) => "LUTs (Yosys)",
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let mut c = ChartBuilder::on(&root)
            .caption(
                format!(
                    "{}: {} against input width, bound {} LSB",
                    s.f.name(),
                    unit,
                    a.max_err_lsb
                ),
                ("sans-serif", 18),
            )
            .margin(14)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(
                (first as f64 - 0.5)..(last as f64 + 0.5),
                (ymin / 2.0..ymax * 2.0).log_scale(),
            )
            .map_err(plot_err)?;
        c.configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(232, 232, 232))
            // Input widths are whole bits: a tick per bit, labelled where it is one.
            .x_labels((last - first + 2) as usize)
            .x_label_formatter(&|v| {
                if (v - v.round()).abs() < 1e-6 {
                    format!("{v:.0}")
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_desc("input bits")
            .y_desc(unit)
            .draw()
            .map_err(plot_err)?;
        let colors = [RED, BLUE, GREEN, MAGENTA];
        for (i, (name, pts)) in series.iter().enumerate() {
            let col = colors[i % colors.len()];
            c.draw_series(LineSeries::new(pts.iter().copied(), col.stroke_width(2)))
                .map_err(plot_err)?
                .label(name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], col.stroke_width(2))
                });
            c.draw_series(pts.iter().map(|&p| Circle::new(p, 3, col.filled())))
                .map_err(plot_err)?;
        }
        c.configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE)
            // The widest inputs cost the most on a log axis: the lower right stays clear.
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

fn plot_err<E: std::fmt::Display>(e: E) -> CliError {
    CliError::internal(format!("plot: {e}"))
}
