//! `lutforge search`: find a table (GQA-LUT's genetic algorithm, our GA, or the exact optimum),
//! or with `--all` the standard set of tables into a directory.

use clap::{Args, ValueEnum};
use lutforge_core::function::Affine;
use lutforge_core::io::StagedDir;
use lutforge_core::table::default_output_frac;
use lutforge_core::{Builtin, FixedFormat, Formats, Function, Rounding};
use lutforge_search::problem::Objective;
use lutforge_search::{search, Method, Outcome, Progress, Request};
use rayon::prelude::*;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use crate::args::{parse_domain, parse_function, parse_scales, FunctionArg};
use crate::error::{note, CliError, CliResult};
use crate::outputs;
use crate::quant::{quantized_function, QuantArgs};

#[derive(Clone, Copy, ValueEnum)]
pub enum MethodArg {
    /// Evolution over breakpoint codes, integer-exact fitness, best coefficients per segment.
    Ga,
    /// Dynamic programming over code positions: the proven optimum.
    Exact,
    /// The published GQA-LUT genetic algorithm, reproduced for comparison.
    Gqa,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ObjectiveArg {
    /// Error of the wide sum before output rounding (pwl_mse), GQA-LUT's measure: its proven
    /// optimum.
    Pwl,
    /// Error of the hardware output, rounding included (mse).
    Mse,
    /// Largest error of the hardware output, rounding and saturation included (max_err): the
    /// proven minimax.
    #[value(alias = "maxerr")]
    MaxErr,
}

/// The most segments `--max-err-lsb` tries unless `--segments` says otherwise.
const BOUND_SEGMENTS: usize = 64;

#[derive(Args)]
pub struct SearchArgs {
    /// Function to approximate (a built-in name or a .csv of samples).
    #[arg(long, value_parser = parse_function, required_unless_present = "all", conflicts_with = "all")]
    function: Option<FunctionArg>,
    /// Number of segments K (with --max-err-lsb: the most allowed, default 64).
    #[arg(long, required_unless_present_any = ["all", "max_err_lsb"], conflicts_with = "all")]
    segments: Option<usize>,
    /// Error bound in output LSBs: the table gets the fewest segments that meet it at every
    /// scale (below 1: a faithful unit; at most 0.5: correctly rounded). With --method exact
    /// the objective defaults to max-err.
    #[arg(long, conflicts_with = "all", allow_hyphen_values = true)]
    max_err_lsb: Option<f64>,
    /// Domain LO,HI (default: the function's).
    #[arg(long, value_parser = parse_domain, allow_hyphen_values = true, conflicts_with = "all")]
    domain: Option<(f64, f64)>,
    /// Input scales A..B (F_x, the decimal bits), inclusive [default: 0..6; a quantized
    /// function's only scale is 0].
    #[arg(long, value_parser = parse_scales, allow_hyphen_values = true)]
    scales: Option<RangeInclusive<i32>>,
    #[arg(long, value_enum, default_value = "ga")]
    method: MethodArg,
    /// Seed of the portable random generator (ga, gqa): same seed, same table bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Generations (ga, gqa).
    #[arg(long, default_value_t = 500)]
    generations: usize,
    /// Population size (ga, gqa).
    #[arg(long, default_value_t = 50)]
    population: usize,
    /// ga: stop after this many generations without improvement.
    #[arg(long, default_value_t = 100)]
    patience: usize,
    /// exact: what the optimum minimizes (default mse, the hardware output's error; max-err
    /// with --max-err-lsb; pwl, the error before output rounding, is GQA-LUT's measure).
    #[arg(long, value_enum)]
    objective: Option<ObjectiveArg>,
    /// exact: breakpoints only on multiples of 2^S input codes (fewer places to cut: wide
    /// inputs with --objective pwl up to 16 bits).
    #[arg(long, default_value_t = 0)]
    breakpoint_step: u32,
    /// gqa: decimal bits j of the rounding mutation (round to a multiple of 2^-j), A..B.
    #[arg(long, value_parser = parse_scales, default_value = "0..6")]
    decimal_bits: RangeInclusive<i32>,
    /// Input width N_x.
    #[arg(long, default_value_t = 8)]
    input_bits: u32,
    /// Slope width N_k (bits).
    #[arg(long, default_value_t = 8)]
    slope_bits: u32,
    /// Slope fractional bits F_k [default: 6; quantized: the most that hold the steepest step
    /// between codes]
    #[arg(long, allow_hyphen_values = true)]
    slope_frac: Option<i32>,
    /// Intercept width N_b (bits) [default: 8; quantized: 16]
    #[arg(long)]
    intercept_bits: Option<u32>,
    /// Intercept fractional bits F_b [default: 6; quantized: the most that hold every line
    /// through the values]
    #[arg(long, allow_hyphen_values = true)]
    intercept_frac: Option<i32>,
    /// Output width N_y (bits).
    #[arg(long, default_value_t = 8)]
    output_bits: u32,
    /// Output fractional bits (default: the most the function's range allows).
    #[arg(long, allow_hyphen_values = true)]
    output_frac: Option<i32>,
    /// Output rounding: half-up, half-even or truncate.
    #[arg(long, default_value = "half-up")]
    rounding: Rounding,
    /// Write the standard set (gelu, hswish, exp, reciprocal, rsqrt, silu, sigmoid, tanh at 8
    /// and 16 segments) into the directory given by -o.
    #[arg(long, conflicts_with_all = ["quant", "input_scale"])]
    all: bool,
    /// No progress bar and no notes on stderr (warnings and errors still appear).
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    quant: QuantArgs,
    /// Table file to write (a directory with --all).
    #[arg(short, long)]
    output: PathBuf,
}

impl SearchArgs {
    /// The request for a function of codes: the real domain mapped to input codes, scale 0,
    /// the output the code itself, coefficient formats from `Formats::quantized` unless given.
    fn quantized_request(
        &self,
        function: Function,
        segments: usize,
        domain: Option<(f64, f64)>,
        (input, output): (Affine, Affine),
    ) -> CliResult<Request> {
        if self.scales.as_ref().is_some_and(|s| *s != (0..=0)) {
            return Err(CliError::input(
                "a quantized function is searched at input scale 0 only (the input is the code itself): drop --scales",
            ));
        }
        if self.output_frac.is_some_and(|f| f != 0) {
            return Err(CliError::input(
                "a quantized function's output is the code itself: drop --output-frac",
            ));
        }
        let (f, codes) = quantized_function(function, domain, (input, output))?;
        let mut r = Request::new(f, segments);
        r.domain = codes;
        let mut formats = Formats::quantized(
            &r.function,
            codes,
            input.bits,
            output.bits,
            self.slope_bits,
            self.intercept_bits.unwrap_or(16),
        );
        if let Some(fk) = self.slope_frac {
            formats.slope.frac = fk;
        }
        if let Some(fb) = self.intercept_frac {
            formats.intercept.frac = fb;
        }
        formats.rounding = self.rounding;
        r.formats = formats;
        r.scales = 0..=0;
        self.method_settings(&mut r);
        Ok(r)
    }

    fn request(
        &self,
        function: Function,
        segments: usize,
        domain: Option<(f64, f64)>,
    ) -> CliResult<Request> {
        if let Some(q) = self.quant.affine(self.input_bits, self.output_bits)? {
            return self.quantized_request(function, segments, domain, q);
        }
        let mut r = Request::new(function, segments);
        if let Some(d) = domain {
            r.domain = d;
        }
        // An output width without a fractional count gets the most the range allows; a width
        // outside 2..=32 is left for the request check to name.
        let out_frac = self.output_frac.unwrap_or_else(|| {
            if (2..=lutforge_core::format::MAX_BITS).contains(&self.output_bits) {
                default_output_frac(&r.function, r.domain, self.output_bits)
            } else {
                0
            }
        });
        r.formats = Formats {
            input_bits: self.input_bits,
            slope: FixedFormat::new(self.slope_bits, self.slope_frac.unwrap_or(6)),
            intercept: FixedFormat::new(
                self.intercept_bits.unwrap_or(8),
                self.intercept_frac.unwrap_or(6),
            ),
            output: FixedFormat::new(self.output_bits, out_frac),
            rounding: self.rounding,
        };
        r.scales = self.scales.clone().unwrap_or(0..=6);
        self.method_settings(&mut r);
        Ok(r)
    }

    /// Method, seed and the method's settings, for any request.
    fn method_settings(&self, r: &mut Request) {
        r.method = match self.method {
            MethodArg::Ga => Method::Ga,
            MethodArg::Exact => Method::Exact,
            MethodArg::Gqa => Method::Gqa,
        };
        r.seed = self.seed;
        r.generations = self.generations;
        r.population = self.population;
        r.patience = self.patience;
        r.objective = match self.objective {
            Some(ObjectiveArg::Pwl) => Objective::Pwl,
            Some(ObjectiveArg::Mse) => Objective::Hw,
            Some(ObjectiveArg::MaxErr) => Objective::MaxErr,
            None if self.max_err_lsb.is_some() => Objective::MaxErr,
            // The hardware's error, rounding included: what the unit will do.
            None => Objective::Hw,
        };
        r.max_err_lsb = self.max_err_lsb;
        r.breakpoint_step = self.breakpoint_step;
        r.decimal_bits = self.decimal_bits.clone();
    }
}

pub fn run(a: &SearchArgs) -> CliResult {
    let jobs: Vec<(Request, PathBuf)> = if a.all {
        let mut jobs = Vec::new();
        for b in Builtin::STANDARD {
            for k in Builtin::STANDARD_SEGMENTS {
                jobs.push((
                    a.request(Function::Builtin(b), k, None)?,
                    standard_path(&a.output, b, k),
                ));
            }
        }
        jobs
    } else {
        let k = a.segments.or(a.max_err_lsb.map(|_| BOUND_SEGMENTS));
        let (Some(f), Some(k)) = (a.function.as_ref().map(|f| f.function.clone()), k) else {
            return Err(CliError::input(
                "--function and --segments are needed (or --all)",
            ));
        };
        vec![(a.request(f, k, a.domain)?, a.output.clone())]
    };
    // Every request is checked before anything runs, so bad input leaves no file behind.
    for (r, _) in &jobs {
        lutforge_search::check(r).map_err(|e| {
            CliError::input(if a.all {
                format!("{} with {} segments: {e}", r.function.name(), r.segments)
            } else {
                e.to_string()
            })
        })?;
    }
    // Outputs are opened before the work: a bad path fails now, and a failed or interrupted
    // run leaves what was there before.
    let csv: Vec<&Path> = a
        .function
        .iter()
        .filter_map(|f| f.source.as_deref())
        .chain(a.quant.quant.as_deref())
        .collect();
    if a.all {
        let mut dir = StagedDir::create(&a.output)?;
        // The searches run in parallel; each is seeded on its own, so the tables are the same
        // bytes as one by one. One bar counts the finished tables.
        let bar = crate::progress::bar(jobs.len() as u64, "search --all", "tables", a.quiet);
        let done = std::sync::atomic::AtomicUsize::new(0);
        let outs: Vec<CliResult<Outcome>> = jobs
            .par_iter()
            .map(|(r, _)| {
                let out = lutforge_search::search(r, &mut |_| {}).map_err(CliError::from);
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                bar.set_position(n as u64);
                bar.set_message(format!(
                    "table {n} of {}: {} K={}",
                    jobs.len(),
                    r.function.name(),
                    r.segments
                ));
                out
            })
            .collect();
        bar.finish_and_clear();
        for ((r, path), out) in jobs.iter().zip(outs) {
            let out = out?;
            notes(&out, a.quiet);
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            dir.write_file(&name, out.table.to_json().as_bytes())?;
            report(a, r, path, &out);
        }
        dir.commit(true)?;
    } else {
        let (r, path) = &jobs[0];
        crate::args::check_extension(path, "json")?;
        let file = outputs::open_one(path, &csv)?;
        let out = run_one(r, a.quiet)?;
        outputs::finish(file, out.table.to_json().as_bytes())?;
        report(a, r, path, &out);
    }
    Ok(())
}

/// The note on stderr after a table is written.
fn report(a: &SearchArgs, r: &Request, path: &Path, out: &Outcome) {
    if a.quiet {
        return;
    }
    let mses: Vec<String> = out
        .table
        .scales
        .iter()
        .filter_map(|s| s.metrics.map(|m| format!("{}: {:.3e}", s.frac, m.mse)))
        .collect();
    note(format_args!(
        "{} {} ({} {}, {} segments; mse by scale {})",
        if a.all { "searched" } else { "wrote" },
        path.display(),
        r.method.name(),
        r.function.name(),
        out.table.segments,
        mses.join(", ")
    ));
}

fn run_one(r: &Request, quiet: bool) -> CliResult<Outcome> {
    let bar = crate::progress::bar(
        0,
        &match r.max_err_lsb {
            Some(e) => format!(
                "{} {} to {} LSB",
                r.method.name(),
                r.function.name(),
                lutforge_core::format::Num(e)
            ),
            None => format!("{} {} K={}", r.method.name(), r.function.name(), r.segments),
        },
        "generations",
        quiet,
    );
    let mut on_progress = |p: &Progress| {
        let per = p.generations.max(1) as u64;
        bar.set_length(p.stages as u64 * per);
        bar.set_position(p.stage as u64 * per + (p.generation as u64).min(per));
        let scale = p.scale.map(|d| format!("scale {d} ")).unwrap_or_default();
        if p.best.is_finite() {
            bar.set_message(format!("{scale}best {:.4e}", p.best));
        } else {
            bar.set_message(scale);
        }
    };
    let out = search(r, &mut on_progress)?;
    bar.finish_and_clear();
    notes(&out, quiet);
    Ok(out)
}

/// A search's notes on stderr; widened formats change what the table is, so the user hears
/// about them even with --quiet.
fn notes(out: &Outcome, quiet: bool) {
    for n in &out.notes {
        if !quiet || n.starts_with("widened") {
            note(n);
        }
    }
}

/// Where `--all` puts the table of one function and segment count.
pub fn standard_path(dir: &Path, b: Builtin, k: usize) -> PathBuf {
    dir.join(format!("{}-{k}.json", b.name()))
}
