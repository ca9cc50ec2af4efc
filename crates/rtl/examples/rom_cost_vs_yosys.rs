//! The cost model's direct-table units beside Yosys synthesis of their RTL: for every built-in
//! function given (default: gelu, exp, sigmoid, reciprocal, then tanh, silu and hswish, which
//! nothing in the model was looked at with) at input widths 6, 8, 10 and 12 (N-bit input at the
//! scale covering the default domain, N-bit output), fixed ROM and programmable RAM, four
//! stages, one lane. The model's cells are priced in Yosys's CMOS transistors / 4; the table of
//! docs/results.md ("Cost model vs Yosys: direct tables").
//!
//! `cargo run --release -p lutforge-rtl --example rom_cost_vs_yosys [-- --programmable-up-to N] [FUNCTION…]`

use lutforge_core::table::default_output_frac;
use lutforge_core::{rom, Builtin, FixedFormat, Function};
use lutforge_rtl::render::Interface;
use lutforge_rtl::render_unit;
use lutforge_rtl::yosys::{synth, Target};
use lutforge_search::pareto::covering_frac;
use lutforge_sim::cost::{components_in, CMOS_T4};
use lutforge_sim::unit::{rom_params, UnitConfig};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut prog_max = 10u32;
    let mut names = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--programmable-up-to" {
            prog_max = it.next().and_then(|v| v.parse().ok()).expect("a width");
        } else {
            names.push(a.clone());
        }
    }
    if names.is_empty() {
        names = [
            "gelu",
            "exp",
            "sigmoid",
            "reciprocal",
            "tanh",
            "silu",
            "hswish",
        ]
        .map(String::from)
        .to_vec();
    }
    println!(
        "| function | input bits | table | model transistors | Yosys transistors | model / Yosys | Yosys FFs | synth s |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut worst: f64 = 0.0;
    for name in &names {
        let b = Builtin::from_name(name).expect("a built-in function");
        let f = Function::Builtin(b);
        let domain = f.default_domain();
        for n in [6u32, 8, 10, 12] {
            let input = FixedFormat::new(n, covering_frac(n, domain));
            let output = FixedFormat::new(n, default_output_frac(&f, domain, n));
            let words = rom::words(&f, domain, input, output).expect("rom words");
            let params = rom_params(input, &words);
            for programmable in [false, true] {
                if programmable && n > prog_max {
                    continue;
                }
                let cfg = UnitConfig::rom(input, output, 1, 4, programmable);
                let model: f64 = components_in(&cfg, Some(&params), &CMOS_T4)
                    .iter()
                    .map(|c| c.ge * 4.0)
                    .sum();
                let iface = Interface {
                    module: format!("{name}_rom{n}"),
                    ..Interface::default()
                };
                let v = render_unit(&cfg, &params, &[], &iface).expect("rom verilog");
                let dir = tempfile::tempdir().expect("a temporary directory");
                let file = format!("{}.v", iface.module);
                std::fs::write(dir.path().join(&file), v).expect("write the unit");
                let t0 = Instant::now();
                let r = synth(dir.path(), &[&file], &iface.module, Target::Generic).expect("yosys");
                let yosys = r.transistors.unwrap_or(0) as f64;
                let ratio = model / yosys;
                worst = worst.max((ratio - 1.0).abs());
                println!(
                    "| {name} | {n} | {} | {model:.0} | {yosys:.0} | {ratio:.2} | {} | {:.1} |",
                    if programmable {
                        "programmable"
                    } else {
                        "fixed"
                    },
                    r.flip_flops,
                    t0.elapsed().as_secs_f64()
                );
            }
        }
    }
    println!(
        "largest deviation of the model from Yosys: {:.0}%",
        worst * 100.0
    );
}
