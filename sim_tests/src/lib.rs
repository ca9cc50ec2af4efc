//! Shared pieces of the RTL cross-checks: the standard table set, grouped by unit shape so one
//! Verilator build serves every table of a shape (the table is loaded through the write port).

use lutforge_core::{Builtin, Function, Params, Table};
use lutforge_search::{Method, Request};
use lutforge_sim::convert::{unit_for, NumFormat, UnitShape};
use lutforge_sim::unit::UnitConfig;
use std::path::PathBuf;

/// The functions of the standard set (core's one definition).
pub const STANDARD: [Builtin; 8] = Builtin::STANDARD;

/// The exact optimum of `f` with `k` segments at scales 0..=6, default formats.
pub fn standard_table(f: Builtin, k: usize) -> Table {
    let mut r = Request::new(Function::Builtin(f), k);
    r.method = Method::Exact;
    lutforge_search::search(&r, &mut |_| {})
        .unwrap_or_else(|e| panic!("{} K={k}: {e}", f.name()))
        .table
}

/// One unit to check: where it came from, its configuration and its table contents.
pub struct Case {
    pub name: String,
    pub cfg: UnitConfig,
    pub params: Params,
    /// The input codes of the unit's whole input range, as unit words.
    pub codes: Vec<i64>,
}

/// Every scale of `table` as a 4-stage, 1-lane unit in `format`.
pub fn cases(table: &Table, format: NumFormat) -> Vec<Case> {
    table
        .scales
        .iter()
        .map(|s| {
            let (cfg, params) = unit_for(
                table,
                s.frac,
                &UnitShape {
                    arch: lutforge_sim::unit::Arch::Pwl,
                    format: Some(format),
                    lanes: 1,
                    stages: 4,
                    programmable: true,
                },
            )
            .unwrap_or_else(|e| panic!("{}: {e}", table.function.name()));
            let bits = table.formats.input_bits;
            let lo = -(1i64 << (bits - 1));
            let codes = (lo..-lo)
                .map(|c| match format {
                    NumFormat::Fp32 => lutforge_core::fp32::code_to_f32(c, s.frac).to_bits() as i64,
                    NumFormat::Int(n) => c << (n - bits),
                })
                .collect();
            Case {
                name: format!(
                    "{} K={} scale {} {format}",
                    table.function.name(),
                    table.segments,
                    s.frac
                ),
                cfg,
                params,
                codes,
            }
        })
        .collect()
}

/// Groups cases by the shape of their unit (everything but the table contents).
pub fn by_shape(cases: Vec<Case>) -> Vec<Vec<Case>> {
    let mut groups: Vec<Vec<Case>> = Vec::new();
    for c in cases {
        match groups.iter_mut().find(|g| g[0].cfg == c.cfg) {
            Some(g) => g.push(c),
            None => groups.push(vec![c]),
        }
    }
    groups
}

/// The Verilator build cache of the test suite (kept between runs, keyed by source hash).
pub fn cache_dir() -> PathBuf {
    std::env::var_os("LUTFORGE_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("target")
                .join("lutforge-cache")
        })
}
