//! `lutforge pareto`: the mixed-precision Pareto front of the unit (error vs area vs energy)
//! by NSGA-II over per-operator bit widths (docs/pareto.md). Every front member can be
//! written as table files (`--tables DIR`), which `lutforge gen` turns into Verilog.

use clap::Args;
use lutforge_core::io::StagedDir;
use lutforge_core::Rounding;
use lutforge_search::nsga2::Settings;
use lutforge_search::pareto::{
    self, Config, ErrorMetric, Front, Member, RunError, Space, Target, UnitProblem,
};
use lutforge_sim::unit::Arch;
use plotters::prelude::*;
use serde_json::json;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use crate::args::{parse_domain, parse_function, parse_range, parse_tech, ArchArg, FunctionArg};
use crate::error::{note, CliError, CliResult};
use crate::outputs;

#[derive(Args)]
pub struct ParetoArgs {
    /// Function(s) one unit must serve, comma-separated (e.g. gelu,exp,reciprocal).
    #[arg(long, value_delimiter = ',', required = true, value_parser = parse_function)]
    function: Vec<FunctionArg>,
    /// Domain LO,HI (only with a single function; default: the function's own).
    #[arg(long, allow_hyphen_values = true, value_parser = parse_domain)]
    domain: Option<(f64, f64)>,
    /// Segment counts K, A..B or one value.
    #[arg(long, allow_hyphen_values = true, value_parser = parse_range::<i64>)]
    segments: Option<RangeInclusive<i64>>,
    /// Input widths N_x (bits).
    #[arg(long, allow_hyphen_values = true, value_parser = parse_range::<i64>)]
    input_bits: Option<RangeInclusive<i64>>,
    /// Input scale offsets from the covering scale (negative: coarser, positive: clips).
    #[arg(long, allow_hyphen_values = true, value_parser = parse_range::<i64>)]
    input_shift: Option<RangeInclusive<i64>>,
    /// Slope widths N_k.
    #[arg(long, allow_hyphen_values = true, value_parser = parse_range::<i64>)]
    slope_bits: Option<RangeInclusive<i64>>,
    /// Slope integer bits I_k (sign included; F_k = N_k − I_k).
    #[arg(long, allow_hyphen_values = true, value_parser = parse_range::<i64>)]
    slope_int: Option<RangeInclusive<i64>>,
    /// Intercept widths N_b.
    #[arg(long, allow_hyphen_values = true, value_parser = parse_range::<i64>)]
    intercept_bits: Option<RangeInclusive<i64>>,
    /// Intercept integer bits I_b (F_b = N_b − I_b).
    #[arg(long, allow_hyphen_values = true, value_parser = parse_range::<i64>)]
    intercept_int: Option<RangeInclusive<i64>>,
    /// Output widths N_y.
    #[arg(long, allow_hyphen_values = true, value_parser = parse_range::<i64>)]
    output_bits: Option<RangeInclusive<i64>>,
    /// Low product bits dropped before the adder.
    #[arg(long, allow_hyphen_values = true, value_parser = parse_range::<i64>)]
    trunc: Option<RangeInclusive<i64>>,
    /// Rounding modes to choose from, comma-separated (half-up, truncate, half-even).
    #[arg(long, value_delimiter = ',')]
    rounding: Option<Vec<Rounding>>,
    /// Architectures on the front, comma-separated: pwl (the LUT unit), rom (a direct table,
    /// one correctly rounded word per input code; only the input and output genes apply).
    #[arg(long, value_delimiter = ',', default_value = "pwl")]
    arch: Vec<ArchArg>,
    /// Error objective: mse (LSB²) or max-err (LSB), in LSBs of the 8-bit reference output.
    #[arg(long, default_value = "mse", value_parser = parse_metric)]
    error: ErrorMetric,
    /// Constraint: largest error at most this many LSBs.
    #[arg(long)]
    max_err_lsb: Option<f64>,
    /// Constraint: mean squared error at most this many LSB².
    #[arg(long)]
    max_mse: Option<f64>,
    /// Constraint: area at most this many µm².
    #[arg(long)]
    max_area: Option<f64>,
    /// Constraint: energy per operation at most this many pJ.
    #[arg(long)]
    max_energy: Option<f64>,
    /// Seed of NSGA-II (portable generator): same seed, same front bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Generations of NSGA-II.
    #[arg(long, default_value_t = 40)]
    generations: usize,
    /// Population of NSGA-II.
    #[arg(long, default_value_t = 48)]
    population: usize,
    /// Price the fixed-table unit (constants) instead of the programmable one.
    #[arg(long)]
    fixed: bool,
    /// Technology node of the cost model: 28nm or 45nm.
    #[arg(long, default_value = "28nm", value_parser = parse_tech)]
    node: lutforge_sim::cost::Tech,
    /// Front file to write (JSON).
    #[arg(short, long)]
    output: PathBuf,
    /// Also draw the front and the homogeneous baselines (error vs area) as an SVG.
    #[arg(long)]
    plot: Option<PathBuf>,
    /// Also write the front and the baselines as CSV.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Write every front member's table(s) into this directory: member-NNN-FUNCTION.json.
    #[arg(long)]
    tables: Option<PathBuf>,
    /// No progress bar and no summary on stderr.
    #[arg(long, short)]
    quiet: bool,
}

fn parse_metric(s: &str) -> Result<ErrorMetric, String> {
    match s {
        "mse" => Ok(ErrorMetric::Mse),
        "max-err" | "max" => Ok(ErrorMetric::MaxErr),
        _ => Err(format!("unknown error metric '{s}' (known: mse, max-err)")),
    }
}

pub fn config(a: &ParetoArgs) -> CliResult<Config> {
    if a.domain.is_some() && a.function.len() > 1 {
        return Err(CliError::input(
            "--domain applies to a single function; several functions use their own domains",
        ));
    }
    let targets = a
        .function
        .iter()
        .map(|f| Target {
            domain: a.domain.unwrap_or_else(|| f.function.default_domain()),
            function: f.function.clone(),
        })
        .collect();
    let mut c = Config::new(targets);
    let d = Space::default();
    c.space = Space {
        segments: a.segments.clone().unwrap_or(d.segments),
        input_bits: a.input_bits.clone().unwrap_or(d.input_bits),
        input_shift: a.input_shift.clone().unwrap_or(d.input_shift),
        slope_bits: a.slope_bits.clone().unwrap_or(d.slope_bits),
        slope_int: a.slope_int.clone().unwrap_or(d.slope_int),
        intercept_bits: a.intercept_bits.clone().unwrap_or(d.intercept_bits),
        intercept_int: a.intercept_int.clone().unwrap_or(d.intercept_int),
        output_bits: a.output_bits.clone().unwrap_or(d.output_bits),
        trunc: a.trunc.clone().unwrap_or(d.trunc),
        roundings: a.rounding.clone().unwrap_or(d.roundings),
        archs: a.arch.iter().fold(Vec::new(), |mut v, &x| {
            if !v.contains(&x.into()) {
                v.push(x.into());
            }
            v
        }),
    };
    c.metric = a.error;
    for (name, v) in [
        ("--max-err-lsb", a.max_err_lsb),
        ("--max-mse", a.max_mse),
        ("--max-area", a.max_area),
        ("--max-energy", a.max_energy),
    ] {
        if let Some(v) = v {
            if !(v.is_finite() && v > 0.0) {
                return Err(CliError::input(format!(
                    "{name} {v}: a positive limit is needed"
                )));
            }
        }
    }
    c.limits.max_err_lsb = a.max_err_lsb;
    c.limits.max_mse_lsb2 = a.max_mse;
    c.limits.max_area_um2 = a.max_area;
    c.limits.max_energy_pj = a.max_energy;
    c.tech = a.node;
    c.programmable = !a.fixed;
    if a.generations == 0 {
        return Err(CliError::input("--generations 0: at least one is needed"));
    }
    Ok(c)
}

/// One line describing a design and its score: the error in LSB² of the 8-bit reference
/// output (the objective) and, per function, the mse `lutforge eval` reports (output units²).
fn describe(m: &Member) -> String {
    let d = &m.design;
    let s = &m.score;
    let eval_mse: Vec<String> = s
        .per_function
        .iter()
        .map(|f| format!("{} mse {:.4e} output units²", f.function, f.mse))
        .collect();
    if d.arch == Arch::Rom {
        return format!(
            "direct table, input {} bits (shift {}), output {} bits: mse {:.4} LSB² ({}), max {:.3} LSB, {:.1} µm², {:.4} pJ",
            d.input_bits,
            d.input_shift,
            d.output_bits,
            s.mse_lsb2,
            eval_mse.join(", "),
            s.max_err_lsb,
            s.area_um2,
            s.energy_pj
        );
    }
    format!(
        "K={} input {} bits (shift {}), slope {}/{} int, intercept {}/{} int, output {} bits, trunc {}, {}: mse {:.4} LSB² ({}), max {:.3} LSB, {:.1} µm², {:.4} pJ",
        d.segments,
        d.input_bits,
        d.input_shift,
        d.slope_bits,
        d.slope_int,
        d.intercept_bits,
        d.intercept_int,
        d.output_bits,
        d.trunc,
        d.rounding,
        s.mse_lsb2,
        eval_mse.join(", "),
        s.max_err_lsb,
        s.area_um2,
        s.energy_pj
    )
}

pub fn run(a: &ParetoArgs) -> CliResult {
    run_with(a, None)
}

/// `pareto` with the generations' evaluations handed to `evaluator` (the Python package's Dask
/// map); a worker builds the same problem from the same arguments with [`config`].
pub fn run_with(
    a: &ParetoArgs,
    evaluator: Option<&dyn lutforge_search::nsga2::Evaluator>,
) -> CliResult {
    let cfg = config(a)?;
    // Every output is opened before the search: a bad path fails now, not after it.
    let inputs: Vec<&Path> = a
        .function
        .iter()
        .filter_map(|f| f.source.as_deref())
        .collect();
    crate::args::check_extension(&a.output, "json")?;
    if let Some(p) = &a.csv {
        crate::args::check_extension(p, "csv")?;
    }
    if let Some(p) = &a.plot {
        crate::args::check_extension(p, "svg")?;
    }
    let mut paths = vec![a.output.as_path()];
    paths.extend(a.csv.as_deref());
    paths.extend(a.plot.as_deref());
    let mut files = outputs::open(&paths, &inputs)?.into_iter();
    let (front_file, csv_file, plot_file) = (
        files.next(),
        a.csv.as_ref().and_then(|_| files.next()),
        a.plot.as_ref().and_then(|_| files.next()),
    );
    let tables_dir = a.tables.as_deref().map(open_tables_dir).transpose()?;
    let settings = Settings {
        population: a.population,
        generations: a.generations,
        seed: a.seed,
        ..Settings::default()
    };
    let bar = crate::progress::bar(a.generations as u64 + 1, "pareto", "generations", a.quiet);
    let result = pareto::run_with(
        cfg.clone(),
        &settings,
        &mut |p| {
            bar.set_position(p.generation as u64 + 1);
            bar.set_message(format!("{} evaluations, front {}", p.evaluations, p.front));
        },
        evaluator,
    );
    bar.finish_and_clear();
    let front = match result {
        Ok(f) => f,
        Err(RunError::Input(e)) => return Err(CliError::input(e)),
        Err(RunError::NoFeasible(n)) => {
            return Err(CliError::input(match &n.closest {
                Some(m) => format!("no design meets the limits; the closest: {}", describe(m)),
                None => "no design of the space can be built (check the gene ranges)".into(),
            }))
        }
    };
    let mut table_files: Vec<Vec<String>> = Vec::new();
    let mut tables_dir = tables_dir;
    if let Some(dir) = tables_dir.as_mut() {
        table_files = write_tables(&cfg, &front, dir)?;
    }
    let mut doc = serde_json::to_value(&front)
        .map_err(|e| CliError::internal(format!("cannot serialize the front: {e}")))?;
    doc["format"] = json!("lutforge-pareto/1");
    if !table_files.is_empty() {
        doc["tables"] = json!(table_files);
    }
    let mut text = serde_json::to_string_pretty(&doc)
        .map_err(|e| CliError::internal(format!("cannot serialize the front: {e}")))?;
    text.push('\n');
    let mut done = Vec::new();
    if let Some(f) = csv_file {
        done.push((f, csv(&front).into_bytes()));
    }
    if let Some(f) = plot_file {
        let svg =
            plot(&front).map_err(|e| CliError::internal(format!("cannot draw the plot: {e}")))?;
        done.push((f, svg.into_bytes()));
    }
    if let Some(f) = front_file {
        done.push((f, text.into_bytes()));
    }
    outputs::finish_all(done)?;
    if let Some(dir) = tables_dir {
        dir.commit(false)?;
    }
    if !a.quiet {
        note(format_args!(
            "{} designs on the front after {} evaluations ({} genomes in the space); wrote {}",
            front.members.len(),
            front.evaluations,
            front.space_size,
            a.output.display()
        ));
        if let Some(s) = &front.saving {
            note(format_args!(
                "at the int8 unit's error ({} {:.4} {} of the 8-bit output): area -{:.1}% (member {}), energy -{:.1}% (member {})",
                front.metric.name(),
                s.reference_error,
                match front.metric {
                    ErrorMetric::Mse => "LSB²",
                    ErrorMetric::MaxErr => "LSB",
                },
                100.0 * s.area_saving,
                s.area_member,
                100.0 * s.energy_saving,
                s.energy_member
            ));
        }
    }
    Ok(())
}

/// The `--tables` directory: new, or one that holds only member tables of an earlier run,
/// which the new members replace as a whole.
fn open_tables_dir(dir: &Path) -> CliResult<StagedDir> {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let ours = name.starts_with("member-") && name.ends_with(".json");
            if !ours && !name.starts_with(lutforge_core::io::cleanup::STAGE_PREFIX) {
                return Err(CliError::input(format!(
                    "{}: holds {name}, which is no member table; --tables needs a new directory or one of an earlier run",
                    dir.display()
                )));
            }
        }
    }
    Ok(StagedDir::create(dir)?)
}

fn write_tables(cfg: &Config, front: &Front, dir: &mut StagedDir) -> CliResult<Vec<Vec<String>>> {
    let problem = UnitProblem::new(cfg.clone()).map_err(CliError::input)?;
    let mut all = Vec::new();
    for (i, m) in front.members.iter().enumerate() {
        let tables = problem
            .tables(&m.design, Some(&m.genes))
            .map_err(|e| CliError::input(format!("member {i}: {e}")))?;
        let mut names = Vec::new();
        for t in tables {
            let name = format!("member-{i:03}-{}.json", t.function.name());
            dir.write_file(&name, t.to_json().as_bytes())?;
            names.push(name);
        }
        all.push(names);
    }
    Ok(all)
}

/// The front and the baselines as CSV: one row per design, its genes, the error objective
/// in LSB², the worst function's mse as `lutforge eval` reports it (output units²), max error,
/// area and energy.
fn csv(front: &Front) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "kind",
        "index",
        "arch",
        "segments",
        "input_bits",
        "input_shift",
        "slope_bits",
        "slope_int",
        "intercept_bits",
        "intercept_int",
        "output_bits",
        "trunc",
        "rounding",
        "mse_lsb2",
        "mse",
        "max_err_lsb",
        "area_um2",
        "energy_pj",
    ]);
    let rows = front
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| ("front", i, &m.design, &m.score))
        .chain(
            front
                .baselines
                .iter()
                .map(|b| ("baseline", b.bits as usize, &b.design, &b.score)),
        );
    for (kind, i, d, sc) in rows {
        let mse = sc.per_function.iter().map(|f| f.mse).fold(0.0, f64::max);
        // A direct table has no segments, coefficients, truncation or rounding.
        let pwl = |v: String| {
            if d.arch == Arch::Pwl {
                v
            } else {
                String::new()
            }
        };
        let _ = w.write_record([
            kind.to_string(),
            i.to_string(),
            d.arch.name().to_string(),
            pwl(d.segments.to_string()),
            d.input_bits.to_string(),
            d.input_shift.to_string(),
            pwl(d.slope_bits.to_string()),
            pwl(d.slope_int.to_string()),
            pwl(d.intercept_bits.to_string()),
            pwl(d.intercept_int.to_string()),
            d.output_bits.to_string(),
            pwl(d.trunc.to_string()),
            pwl(d.rounding.to_string()),
            sc.mse_lsb2.to_string(),
            mse.to_string(),
            sc.max_err_lsb.to_string(),
            sc.area_um2.to_string(),
            sc.energy_pj.to_string(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Error (log scale) against area: the front in red, the homogeneous baselines in blue with
/// their widths. Plotters' SVG backend writes text as `<text>`, so no font is needed.
fn plot(front: &Front) -> Result<String, Box<dyn std::error::Error>> {
    let m = front.metric;
    let pt = |s: &pareto::Score| (s.area_um2, s.error(m).max(1e-9));
    let fp: Vec<(f64, f64)> = front.members.iter().map(|x| pt(&x.score)).collect();
    let bp: Vec<(u32, (f64, f64))> = front
        .baselines
        .iter()
        .filter(|b| b.score.unbuildable.is_none())
        .map(|b| (b.bits, pt(&b.score)))
        .collect();
    let bp_labels: Vec<(String, (f64, f64))> = front
        .baselines
        .iter()
        .filter(|b| b.score.unbuildable.is_none())
        .map(|b| (b.label(), pt(&b.score)))
        .collect();
    // The front has a third objective (energy): a member dominated in this plane is on it by
    // its energy alone, and is drawn faded so that the picture does not suggest otherwise.
    let in_plane: Vec<bool> = fp
        .iter()
        .map(|&(x, y)| {
            !fp.iter()
                .any(|&(a, b)| a <= x && b <= y && (a < x || b < y))
        })
        .collect();
    let all = fp.iter().chain(bp.iter().map(|b| &b.1));
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in all {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if x0.is_nan() || x0 >= x1 {
        x1 = x0 + 1.0;
    }
    if y0.is_nan() || y0 >= y1 {
        y1 = y0 * 10.0;
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 600)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut c = ChartBuilder::on(&root)
            .caption(
                format!(
                    "{}: {} error vs area ({} front designs, {} evaluations)",
                    front.functions.join(","),
                    m.name(),
                    front.members.len(),
                    front.evaluations
                ),
                ("sans-serif", 18),
            )
            .margin(14)
            .margin_right(48)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(
                (x0 * 0.95)..(x1 * 1.05),
                ((y0 * 0.7)..(y1 * 1.4)).log_scale(),
            )?;
        c.configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(232, 232, 232))
            .x_desc("area (µm²)")
            .y_desc(match m {
                ErrorMetric::Mse => "mse (LSB² of the 8-bit output)",
                ErrorMetric::MaxErr => "max error (LSB of the 8-bit output)",
            })
            .draw()?;
        let of = |arch: Arch, plane: bool| -> Vec<(f64, f64)> {
            front
                .members
                .iter()
                .zip(&fp)
                .zip(&in_plane)
                .filter(|((m, _), &ip)| m.design.arch == arch && ip == plane)
                .map(|((_, &p), _)| p)
                .collect()
        };
        let faded = of(Arch::Pwl, false);
        if !faded.is_empty() {
            c.draw_series(
                faded
                    .iter()
                    .map(|&p| Circle::new(p, 3, RED.mix(0.25).filled())),
            )?
            .label("front by energy only (dominated in this plane)")
            .legend(|(x, y)| Circle::new((x + 10, y), 3, RED.mix(0.25).filled()));
        }
        let pwl = of(Arch::Pwl, true);
        if !pwl.is_empty() {
            c.draw_series(pwl.iter().map(|&p| Circle::new(p, 3, RED.filled())))?
                .label("mixed-precision front (PWL unit)")
                .legend(|(x, y)| Circle::new((x + 10, y), 3, RED.filled()));
        }
        let rom: Vec<(f64, f64)> = [of(Arch::Rom, true), of(Arch::Rom, false)].concat();
        let green = RGBColor(0, 140, 60);
        if !rom.is_empty() {
            c.draw_series(rom.iter().map(|&(x, y)| {
                Rectangle::new(
                    [(x * 0.995, y * 0.93), (x * 1.005, y * 1.07)],
                    green.filled(),
                )
            }))?
            .label("front (direct table)")
            .legend(move |(x, y)| {
                Rectangle::new([(x + 6, y - 4), (x + 14, y + 4)], green.filled())
            });
        }
        c.draw_series(
            bp.iter()
                .map(|&(_, p)| TriangleMarker::new(p, 6, BLUE.filled())),
        )?
        .label("homogeneous baselines")
        .legend(|(x, y)| TriangleMarker::new((x + 10, y), 5, BLUE.filled()));
        for (label, p) in &bp_labels {
            c.draw_series(std::iter::once(Text::new(
                label.clone(),
                *p,
                ("sans-serif", 13),
            )))?;
        }
        c.configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}
