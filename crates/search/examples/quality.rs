//! Regenerates the quality table of docs/results.md ("## Search"): every method on gelu, hswish,
//! exp, reciprocal and rsqrt at 8 and 16 segments, scales 2..6, with the same formats for all
//! (the formats `gqa` ends with, which are wider than (8, 6) where its chords need it).
//!
//! cargo run --release -p lutforge-search --example quality [-- --quick]
//!
//! `--quick` cuts the generations to 50 for a fast look; the published table uses the defaults.

use lutforge_core::{Builtin, Function, Table};
use lutforge_search::problem::Objective;
use lutforge_search::{search, Method, Request};
use std::time::Instant;

fn run(r: &Request) -> Table {
    match search(r, &mut |_| {}) {
        Ok(o) => o.table,
        Err(e) => {
            eprintln!("quality: {} {}: {e}", r.function.name(), r.segments);
            std::process::exit(2);
        }
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let funcs = [
        Builtin::Gelu,
        Builtin::Hswish,
        Builtin::Exp,
        Builtin::Reciprocal,
        Builtin::Rsqrt,
    ];
    println!("| function | K | scale | gqa mse | ga mse | exact mse | ga vs exact | gqa pwl_mse | exact pwl_mse | exact/gqa (pwl) | goal |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let (mut met, mut total) = (0, 0);
    let t0 = Instant::now();
    for f in funcs {
        for k in [8usize, 16] {
            let mut base = Request::new(Function::Builtin(f), k);
            base.scales = 2..=6;
            if quick {
                base.generations = 50;
            }
            let gqa = run(&Request {
                method: Method::Gqa,
                ..base.clone()
            });
            // Same formats for every method: those the gqa table ended with.
            base.formats = gqa.formats;
            let ga = run(&Request {
                method: Method::Ga,
                ..base.clone()
            });
            let ex_hw = run(&Request {
                method: Method::Exact,
                objective: Objective::Hw,
                ..base.clone()
            });
            let ex_pwl = run(&Request {
                method: Method::Exact,
                objective: Objective::Pwl,
                ..base.clone()
            });
            for d in 2..=6 {
                let m = |t: &Table| t.scale(d).and_then(|s| s.metrics).expect("metrics");
                let (q, g, eh, ep) = (m(&gqa), m(&ga), m(&ex_hw), m(&ex_pwl));
                let gap = if eh.mse > 0.0 {
                    g.mse / eh.mse - 1.0
                } else {
                    0.0
                };
                let ok = gap <= 0.05 && g.mse < q.mse && eh.mse < q.mse && ep.pwl_mse < q.pwl_mse;
                total += 1;
                met += usize::from(ok);
                println!(
                    "| {} | {k} | {d} | {:.3e} | {:.3e} | {:.3e} | {:+.1}% | {:.3e} | {:.3e} | {:.2} | {} |",
                    f.name(),
                    q.mse,
                    g.mse,
                    eh.mse,
                    gap * 100.0,
                    q.pwl_mse,
                    ep.pwl_mse,
                    ep.pwl_mse / q.pwl_mse,
                    if ok { "met" } else { "missed" }
                );
            }
        }
    }
    println!();
    println!(
        "goal met in {met} of {total} rows ({:.1} s)",
        t0.elapsed().as_secs_f64()
    );
}
