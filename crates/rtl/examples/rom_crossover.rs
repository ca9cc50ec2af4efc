//! Where a PWL unit beats the direct table: for gelu, exp, sigmoid and reciprocal at input
//! widths 6, 8, 10 and 12, Yosys's transistors (generic flow, `stat -tech cmos`) of
//! - the direct-table unit (`lutforge_rtl::rom`, correctly rounded: at most 0.5 LSB), and
//! - the smallest faithful fixed PWL unit (every output within less than one LSB; fewest
//!   segments by the minimax optimizer, (N + 2)-bit coefficients, one stage, one lane),
//!
//! both behind the same one-stage valid/ready interface with the same output register, N-bit
//! input at the scale that covers the default domain, N-bit output at its widest scale. The
//! figures of docs/results.md ("PWL against a direct table").
//!
//! `cargo run --release -p lutforge-rtl --example rom_crossover [-- WIDTH…]`

use lutforge_core::table::default_output_frac;
use lutforge_core::{rom, Builtin, FixedFormat, Formats, Function};
use lutforge_rtl::render::Interface;
use lutforge_rtl::render_unit;
use lutforge_rtl::rom::render_rom;
use lutforge_rtl::yosys::{synth, Target};
use lutforge_search::pareto::covering_frac;
use lutforge_search::problem::Objective;
use lutforge_search::{search, Method, Request};
use lutforge_sim::convert::{unit_for, UnitShape};
use std::time::Instant;

fn transistors(verilog: &str, top: &str) -> (u64, f64) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = format!("{top}.v");
    std::fs::write(dir.path().join(&file), verilog).expect("write the unit");
    let t0 = Instant::now();
    let r = synth(dir.path(), &[&file], top, Target::Generic).expect("yosys");
    (r.transistors.unwrap_or(0), t0.elapsed().as_secs_f64())
}

fn main() {
    let widths: Vec<u32> = {
        let w: Vec<u32> = std::env::args()
            .skip(1)
            .filter_map(|a| a.parse().ok())
            .collect();
        if w.is_empty() {
            vec![6, 8, 10, 12]
        } else {
            w
        }
    };
    println!("| function | input bits | ROM: words, max err, transistors | PWL: K, max err, transistors | smaller |");
    println!("| --- | --- | --- | --- | --- |");
    for b in [
        Builtin::Gelu,
        Builtin::Exp,
        Builtin::Sigmoid,
        Builtin::Reciprocal,
    ] {
        let f = Function::Builtin(b);
        let domain = f.default_domain();
        for &n in &widths {
            let frac_x = covering_frac(n, domain);
            let input = FixedFormat::new(n, frac_x);
            let output = FixedFormat::new(n, default_output_frac(&f, domain, n));
            let words = rom::words(&f, domain, input, output).expect("rom words");
            let rom_err = rom::max_err_lsb(&words, &f, domain, input, output);
            let name = format!("{}_rom{n}", f.name());
            let v = render_rom(&name, n, n, &words, &[]).expect("rom verilog");
            let (rom_t, rom_s) = transistors(&v, &name);

            let mut r = Request::new(f.clone(), 64);
            r.method = Method::Exact;
            r.objective = Objective::MaxErr;
            r.max_err_lsb = Some(f64::from_bits(1.0f64.to_bits() - 1));
            r.scales = frac_x..=frac_x;
            r.formats = Formats::fitting(&f, domain, input, output, n + 2, n + 2);
            let pwl = match search(&r, &mut |_| {}) {
                Ok(o) => {
                    let t = o.table;
                    let shape = UnitShape {
                        arch: lutforge_sim::unit::Arch::Pwl,
                        programmable: false,
                        stages: 1,
                        ..UnitShape::default()
                    };
                    let (cfg, params) = unit_for(&t, frac_x, &shape).expect("unit");
                    let iface = Interface {
                        module: format!("{}_pwl{n}", f.name()),
                        ..Interface::default()
                    };
                    let v = render_unit(&cfg, &params, &[], &iface).expect("pwl verilog");
                    let (pt, ps) = transistors(&v, &iface.module);
                    let err = t.scales[0].metrics.expect("metrics").max_err_lsb;
                    Some((t.segments, err, pt, ps))
                }
                Err(_) => None,
            };
            match pwl {
                Some((k, err, pt, ps)) => println!(
                    "| {} | {n} | {}, {rom_err:.3} LSB, {rom_t} ({rom_s:.1} s) | {k}, {err:.3} LSB, {pt} ({ps:.1} s) | {} |",
                    f.name(),
                    words.len(),
                    if pt < rom_t { "PWL" } else { "ROM" }
                ),
                None => println!(
                    "| {} | {n} | {}, {rom_err:.3} LSB, {rom_t} ({rom_s:.1} s) | no faithful table within 64 segments | ROM |",
                    f.name(),
                    words.len()
                ),
            }
        }
    }
}
