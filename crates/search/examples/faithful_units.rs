//! The smallest faithful PWL unit (every output within less than one LSB of the true value,
//! at every code) for every built-in at 8, 12 and 16 input bits: the fewest segments by the
//! minimax optimizer (proven least), the unit's area by the sim cost model (programmable
//! table, 4 stages, 1 lane, 28 nm), and the search's time. The figures of docs/results.md
//! ("Error bounds").
//!
//! Formats for N bits: the input at the scale that covers the function's default domain, the
//! output N bits at its widest scale, slope and intercept N + 2 bits as `Formats::fitting`
//! chooses their binary points.
//!
//! `cargo run --release -p lutforge-search --example faithful_units`

use lutforge_core::table::default_output_frac;
use lutforge_core::{Builtin, FixedFormat, Formats, Function, Params};
use lutforge_search::pareto::covering_frac;
use lutforge_search::problem::Objective;
use lutforge_search::{search, Method, Request};
use lutforge_sim::convert::{unit_for, UnitShape};
use lutforge_sim::cost::{estimate, random_activity, Tech};
use lutforge_sim::stimulus::Range;
use std::time::Instant;

/// The example's formats for N bits (`Formats::fitting` with (N + 2)-bit coefficients).
pub fn formats(f: &Function, domain: (f64, f64), n: u32, frac_x: i32) -> Formats {
    Formats::fitting(
        f,
        domain,
        FixedFormat::new(n, frac_x),
        FixedFormat::new(n, default_output_frac(f, domain, n)),
        n + 2,
        n + 2,
    )
}

fn main() {
    let faithful = f64::from_bits(1.0f64.to_bits() - 1);
    println!("| function | input bits | scale | K | max error | area | search time |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for n in [8u32, 12, 16] {
        for b in Builtin::STANDARD {
            let f = Function::Builtin(b);
            let domain = f.default_domain();
            let frac_x = covering_frac(n, domain);
            // Up to 64 segments the unit's comparator tree is what the Pareto search explores; a
            // faithful 16-bit table needs more, so 16 bits may take up to 256.
            let mut r = Request::new(f.clone(), if n < 16 { 64 } else { 256 });
            r.method = Method::Exact;
            r.objective = Objective::MaxErr;
            r.max_err_lsb = Some(faithful);
            r.scales = frac_x..=frac_x;
            r.formats = formats(&f, domain, n, frac_x);
            let t0 = Instant::now();
            let out = search(&r, &mut |_| {});
            let secs = t0.elapsed().as_secs_f64();
            match out {
                Ok(o) => {
                    let t = &o.table;
                    let m = t.scales[0].metrics.expect("metrics");
                    let (cfg, params) = unit_for(t, frac_x, &UnitShape::default()).expect("a unit");
                    let Params::Int(_) = &params else {
                        unreachable!()
                    };
                    let (act, _) = random_activity(
                        &cfg,
                        &params,
                        256,
                        Range::Codes {
                            min: cfg_min(&cfg),
                            max: -cfg_min(&cfg) - 1,
                        },
                        1,
                    )
                    .expect("activity");
                    let c = estimate(&cfg, None, &act, 256, &Tech::tsmc28(), 500.0);
                    println!(
                        "| {} | {n} | {frac_x} | {} | {:.3} LSB | {:.0} GE, {:.1} µm² | {secs:.2} s |",
                        f.name(),
                        t.segments,
                        m.max_err_lsb,
                        c.ge,
                        c.area_um2
                    );
                }
                Err(e) => println!(
                    "| {} | {n} | {frac_x} | - | {e} | - | {secs:.2} s |",
                    f.name()
                ),
            }
        }
    }
}

fn cfg_min(cfg: &lutforge_sim::unit::UnitConfig) -> i64 {
    -(1i64 << (cfg.widths().x - 1))
}
