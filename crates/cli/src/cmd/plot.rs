//! `lutforge plot`: the function, the unit's output at every input code and the error, as an
//! SVG — because people look before they read. Plotters' SVG backend writes text as plain
//! `<text>` elements, so no system font is needed.

use clap::Args;
use lutforge_core::format::pow2;
use lutforge_core::golden;
use lutforge_core::metrics::code_count;
use lutforge_core::{fp32, FixedFormat, Params, Table};
use plotters::prelude::*;
use std::path::PathBuf;

use crate::args::load_table;
use crate::error::{note, CliError, CliResult};
use crate::outputs;

#[derive(Args)]
pub struct PlotArgs {
    /// Table file (lutforge-table/1).
    table: PathBuf,
    /// Input scale to draw (default: the table's first).
    #[arg(long, allow_hyphen_values = true)]
    scale: Option<i32>,
    /// SVG file to write.
    #[arg(short, long)]
    output: PathBuf,
}

/// Most input codes drawn; beyond, the codes are sampled evenly.
const MAX_POINTS: u64 = 8192;

/// One input code: its value, the unit's output and the true value.
struct Point {
    x: f64,
    y: f64,
    f: f64,
}

pub fn run(a: &PlotArgs) -> CliResult {
    crate::args::check_extension(&a.output, "svg")?;
    let out = outputs::open_one(&a.output, &[&a.table])?;
    let t = load_table(&a.table)?;
    let frac = a.scale.unwrap_or(t.scales[0].frac);
    let s = t.require_scale(frac)?;
    // Every code up to MAX_POINTS; beyond, evenly spaced codes (a 32-bit input has 2^32).
    let codes = t.eval_codes(frac);
    let n = code_count(&codes);
    let stride = n.div_ceil(MAX_POINTS).max(1) as i64;
    let drawn = (*codes.start()..=*codes.end()).step_by(stride as usize);
    let xs = pow2(-frac);
    let pts: Vec<Point> = match &s.params {
        Params::Int(p) => {
            let dp = t.datapath(frac);
            drawn
                .map(|c| {
                    let x = c as f64 * xs;
                    Point {
                        x,
                        y: t.formats.output.value(golden::eval(&dp, p, c).y),
                        f: t.function.eval(x),
                    }
                })
                .collect()
        }
        Params::Fp32(p) => drawn
            .map(|c| {
                let xv = fp32::code_to_f32(c, frac);
                Point {
                    x: xv as f64,
                    y: fp32::eval(p, xv).1 as f64,
                    f: t.function.eval(xv as f64),
                }
            })
            .collect(),
    };
    if stride > 1 {
        note(format_args!(
            "{n} input codes: drawing every {stride}th ({} points)",
            pts.len()
        ));
    }
    let breakpoints: Vec<f64> = match &s.params {
        Params::Int(p) => p
            .breakpoints
            .iter()
            .map(|&c| FixedFormat::new(64, frac).value(c))
            .collect(),
        Params::Fp32(p) => p.breakpoints.iter().map(|&v| v as f64).collect(),
    };
    // The caption's error: over every code when they are all drawn, else over those drawn
    // (evaluating billions of codes for a caption would take minutes).
    let caption = if stride == 1 {
        let m = crate::metrics::of_scale(&t, s, false);
        (m.mse, m.max_err_lsb, String::new())
    } else {
        let lsb = pow2(-t.formats.output.frac);
        let n = pts.len().max(1) as f64;
        let mse = pts.iter().map(|p| (p.y - p.f).powi(2)).sum::<f64>() / n;
        let max = pts.iter().map(|p| (p.y - p.f).abs()).fold(0.0, f64::max) / lsb;
        (mse, max, format!(" over the {} drawn codes", pts.len()))
    };
    let svg = render(&t, frac, &pts, &breakpoints, &caption)
        .map_err(|e| CliError::input(format!("cannot draw the plot: {e}")))?;
    outputs::finish(out, svg.as_bytes())?;
    note(format_args!("wrote {}", a.output.display()));
    Ok(())
}

fn render(
    t: &Table,
    frac: i32,
    pts: &[Point],
    breakpoints: &[f64],
    m: &(f64, f64, String),
) -> Result<String, Box<dyn std::error::Error>> {
    let lsb = pow2(-t.formats.output.frac);
    // The drawn span: the domain as far as the input format reaches (a table may declare a
    // domain far wider than its codes).
    let input = FixedFormat::new(t.formats.input_bits, frac);
    let lo = t.domain.0.max(input.value(input.min_code()));
    let hi = t.domain.1.min(input.value(input.max_code()));
    let (lo, hi) = if lo < hi {
        (lo, hi)
    } else {
        (lo - 0.5, lo + 0.5)
    };
    let curve: Vec<(f64, f64)> = (0..=600)
        .map(|i| {
            let x = lo + (hi - lo) * i as f64 / 600.0;
            (x, t.function.eval(x))
        })
        .collect();
    let span = |vals: &mut dyn Iterator<Item = f64>| {
        let (mut a, mut b) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in vals.filter(|v| v.is_finite()) {
            a = a.min(v);
            b = b.max(v);
        }
        if !a.is_finite() {
            (a, b) = (-1.0, 1.0);
        }
        let pad = ((b - a) * 0.06).max(1e-9);
        (a - pad, b + pad)
    };
    let (ylo, yhi) = span(&mut curve.iter().map(|p| p.1).chain(pts.iter().map(|p| p.y)));
    let errs: Vec<(f64, f64)> = pts.iter().map(|p| (p.x, (p.y - p.f) / lsb)).collect();
    let (elo, ehi) = span(&mut errs.iter().map(|e| e.1).chain([0.0, 0.5, -0.5]));

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (960, 760)).into_drawing_area();
        root.fill(&WHITE)?;
        let (top, bottom) = root.split_vertically(470);
        let mut c = ChartBuilder::on(&top)
            .caption(
                format!(
                    "{} — {} segments, scale {frac} (input step 2^-{frac}), output {}",
                    t.function.name(),
                    t.segments,
                    t.formats.output
                ),
                ("sans-serif", 18),
            )
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(60)
            .build_cartesian_2d(lo..hi, ylo..yhi)?;
        c.configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(232, 232, 232))
            .y_desc("value")
            .draw()?;
        for &b in breakpoints.iter().filter(|&&b| b >= lo && b <= hi) {
            c.draw_series(LineSeries::new(
                [(b, ylo), (b, yhi)],
                RGBColor(240, 150, 40).stroke_width(1),
            ))?;
        }
        c.draw_series(LineSeries::new(curve.iter().copied(), BLUE.stroke_width(2)))?
            .label("true function")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLUE.stroke_width(2)));
        c.draw_series(pts.iter().map(|p| Circle::new((p.x, p.y), 2, RED.filled())))?
            .label("unit output per code")
            .legend(|(x, y)| Circle::new((x + 10, y), 3, RED.filled()));
        c.configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperLeft)
            .draw()?;

        let mut e = ChartBuilder::on(&bottom)
            .caption(
                format!(
                    "error in output LSBs (mse {:.3e}, max {:.2} LSB{}, breakpoints in orange)",
                    m.0, m.1, m.2
                ),
                ("sans-serif", 16),
            )
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(60)
            .build_cartesian_2d(lo..hi, elo..ehi)?;
        e.configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(232, 232, 232))
            .x_desc("x")
            .y_desc("LSB")
            .draw()?;
        for &b in breakpoints.iter().filter(|&&b| b >= lo && b <= hi) {
            e.draw_series(LineSeries::new(
                [(b, elo), (b, ehi)],
                RGBColor(240, 150, 40).stroke_width(1),
            ))?;
        }
        e.draw_series(LineSeries::new(
            [(lo, 0.0), (hi, 0.0)],
            BLACK.stroke_width(1),
        ))?;
        e.draw_series(LineSeries::new(errs.iter().copied(), RED.stroke_width(1)))?;
        e.draw_series(errs.iter().map(|&p| Circle::new(p, 2, RED.filled())))?;
        root.present()?;
    }
    Ok(svg)
}
