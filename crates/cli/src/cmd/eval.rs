//! `lutforge eval`: every metric of every scale of a table, recomputed from its parameters.

use clap::Args;
use lutforge_core::format::Num;
use lutforge_core::table::Arith;
use std::path::PathBuf;

use crate::args::load_table;
use crate::error::CliResult;
use crate::out::outln;

#[derive(Args)]
pub struct EvalArgs {
    /// Table file (lutforge-table/1).
    table: PathBuf,
    /// Print one JSON document instead of a table.
    #[arg(long)]
    json: bool,
    /// No progress bar on stderr (warnings and errors still appear).
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(a: &EvalArgs) -> CliResult {
    let t = load_table(&a.table)?;
    let rows = crate::metrics::of_table(&t, a.quiet);
    if a.json {
        outln!("{}", document(&t, &rows));
        return Ok(());
    }
    let f = &t.formats;
    outln!(
        "{} on [{}, {}], {} segments, {}: input {} bits, slope {}, intercept {}, output {}, {}",
        t.function.name(),
        Num(t.domain.0),
        Num(t.domain.1),
        t.segments,
        match t.arith {
            Arith::Int => "integer",
            Arith::Fp32 => "FP32",
        },
        f.input_bits,
        f.slope,
        f.intercept,
        f.output,
        f.rounding
    );
    if let Some(q) = t.function.quantized() {
        let side = |a: &lutforge_core::function::Affine| {
            format!(
                "scale {} zero point {} ({} {}-bit codes)",
                Num(a.scale),
                a.zero_point,
                if a.unsigned { "unsigned" } else { "signed" },
                a.bits
            )
        };
        outln!(
            "quantized: input {}, output {}; domain, outputs and errors in codes (an output code is {} real units)",
            side(&q.input),
            side(&q.output),
            Num(q.output.scale)
        );
    }
    outln!(
        "{:>5} {:>6} {:>12} {:>12} {:>8} {:>12} {:>12}  verdict",
        "scale",
        "codes",
        "mse",
        "max_abs_err",
        "max_lsb",
        "pwl_mse",
        "grid_mse"
    );
    for (frac, m) in &rows {
        let grid = match m.grid_mse {
            Some(g) => format!("{g:>12.4e}"),
            None => format!("{:>12}", "-"),
        };
        let verdict = if m.max_err_lsb <= 0.5 {
            "correctly rounded"
        } else if m.max_err_lsb < 1.0 {
            "faithful"
        } else {
            "-"
        };
        outln!(
            "{:>5} {:>6} {:>12.4e} {:>12.4e} {:>8.3} {:>12.4e} {grid}  {verdict}",
            frac,
            m.codes,
            m.mse,
            m.max_abs_err,
            m.max_err_lsb,
            m.pwl_mse
        );
    }
    if t.function.quantized().is_some() {
        outln!("mse, pwl_mse, grid_mse in output codes²; max_abs_err in output codes (= max_lsb)");
    } else {
        outln!(
            "mse, pwl_mse, grid_mse in output units² (real values); max_abs_err in output units; max_lsb in LSBs of {}",
            f.output
        );
    }
    outln!(
        "verdict: correctly rounded = every output within 0.5 LSB of the true value; faithful = within less than 1 LSB"
    );
    Ok(())
}

/// What `eval --json` prints: every scale's metrics with their units, and the quantization of an
/// affine table (the Python package's `Table.metrics()` is this document).
pub fn document(
    t: &lutforge_core::Table,
    rows: &[(i32, lutforge_core::Metrics)],
) -> serde_json::Value {
    let scales: Vec<_> = rows
        .iter()
        .map(|(frac, m)| {
            serde_json::json!({
                "frac": frac,
                "units": "mse, pwl_mse and grid_mse in output units squared; max_abs_err in output units; max_err_lsb in output LSBs",
                "mse": m.mse,
                "max_abs_err": m.max_abs_err,
                "max_err_lsb": m.max_err_lsb,
                "pwl_mse": m.pwl_mse,
                "grid_mse": m.grid_mse,
                "codes": m.codes,
                "faithful": m.max_err_lsb < 1.0,
                "correctly_rounded": m.max_err_lsb <= 0.5,
            })
        })
        .collect();
    serde_json::json!({
            "function": t.function.name(),
            "segments": t.segments,
            "arith": t.arith,
            "quant": t.function.quantized().map(|q| serde_json::json!({
                "input": q.input,
                "output": q.output,
                "units": "domain, outputs and errors in codes; one output code is output.scale real units",
            })),
            "scales": scales,
    })
}
