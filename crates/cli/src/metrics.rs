//! A table's metrics as the commands compute them: over every code, with a progress bar when
//! the evaluation set is large (a 32-bit input at a fine scale has billions of codes) and a
//! warning when the reference grid is too large to evaluate.

use lutforge_core::format::Num;
use lutforge_core::metrics::{code_count, Metrics, MAX_GRID_POINTS};
use lutforge_core::{Scale, Table};

use crate::error::warn;

/// Evaluation sets at least this large show a progress bar.
const PROGRESS_CODES: u64 = 1 << 22;

/// Every scale's metrics.
pub fn of_table(t: &Table, quiet: bool) -> Vec<(i32, Metrics)> {
    let total: u64 = t
        .scales
        .iter()
        .map(|s| code_count(&t.eval_codes(s.frac)))
        .sum();
    let bar = crate::progress::bar(
        total,
        &format!("eval {}", t.function.name()),
        "codes",
        quiet || total < PROGRESS_CODES,
    );
    let mut before = 0;
    let rows: Vec<(i32, Metrics)> = t
        .scales
        .iter()
        .map(|s| {
            bar.set_message(format!("scale {}", s.frac));
            let m = t.metrics_of_with(s, &mut |done, _| bar.set_position(before + done));
            before += code_count(&t.eval_codes(s.frac));
            (s.frac, m)
        })
        .collect();
    bar.finish_and_clear();
    if t.function.quantized().is_none() && rows.iter().any(|(_, m)| m.grid_mse.is_none()) {
        grid_warning(t);
    }
    rows
}

/// One scale's metrics.
pub fn of_scale(t: &Table, s: &Scale, quiet: bool) -> Metrics {
    let total = code_count(&t.eval_codes(s.frac));
    let bar = crate::progress::bar(
        total,
        &format!("eval {} scale {}", t.function.name(), s.frac),
        "codes",
        quiet || total < PROGRESS_CODES,
    );
    let m = t.metrics_of_with(s, &mut |done, _| bar.set_position(done));
    bar.finish_and_clear();
    m
}

fn grid_warning(t: &Table) {
    warn(format_args!(
        "grid_mse not computed: the domain [{}, {}] holds more than {MAX_GRID_POINTS} points of the 0.01 grid",
        Num(t.domain.0),
        Num(t.domain.1)
    ));
}
