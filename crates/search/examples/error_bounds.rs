//! The fewest segments that meet an error bound, per built-in function (default domain and
//! formats, scales 0..6), by the minimax optimizer, against the largest error of the exact
//! `pwl_mse` and minimax tables at K = 8: the figures of docs/results.md ("Error bounds").
//!
//! `cargo run --release -p lutforge-search --example error_bounds`

use lutforge_core::{Builtin, Function};
use lutforge_search::problem::Objective;
use lutforge_search::{search, Method, Request};
use std::time::Instant;

fn worst(t: &lutforge_core::Table) -> f64 {
    t.scales
        .iter()
        .filter_map(|s| s.metrics.map(|m| m.max_err_lsb))
        .fold(0.0, f64::max)
}

fn main() {
    println!("| function | K=8 exact pwl_mse: max err | K=8 minimax: max err | K for 1 LSB | K for 0.75 LSB | K for 0.5 LSB (correctly rounded) | time |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for b in Builtin::STANDARD {
        let f = Function::Builtin(b);
        let t0 = Instant::now();
        let mut r = Request::new(f.clone(), 8);
        r.method = Method::Exact;
        let pwl = search(&r, &mut |_| {}).expect("exact pwl");
        r.objective = Objective::MaxErr;
        let mm = search(&r, &mut |_| {}).expect("exact max-err");
        let mut cells = Vec::new();
        for e in [1.0, 0.75, 0.5] {
            let mut rb = Request::new(f.clone(), 64);
            rb.method = Method::Exact;
            rb.objective = Objective::MaxErr;
            rb.max_err_lsb = Some(e);
            cells.push(match search(&rb, &mut |_| {}) {
                Ok(o) => o.table.segments.to_string(),
                Err(e) => {
                    let m = e.to_string();
                    let least = m
                        .split("the least reachable is ")
                        .nth(1)
                        .and_then(|s| s.split(' ').next())
                        .and_then(|s| s.parse::<f64>().ok())
                        .unwrap_or(f64::NAN);
                    format!("unreachable (least {least:.3} LSB)")
                }
            });
        }
        println!(
            "| {} | {:.3} LSB | {:.3} LSB | {} | {} | {} | {:.2} s |",
            f.name(),
            worst(&pwl.table),
            worst(&mm.table),
            cells[0],
            cells[1],
            cells[2],
            t0.elapsed().as_secs_f64()
        );
    }
}
