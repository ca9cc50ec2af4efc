//! The sim crate's area model beside Yosys synthesis of the generated RTL, for INT8, INT16,
//! INT32 and FP32 units at 8 and 16 segments with fixed tables, and INT8 with a programmable
//! table (ABC's CMOS mapping of the wider programmable units takes tens of minutes), as a
//! Markdown table for docs/results.md.
//!
//! cargo run --release -p lutforge-rtl --example cost_vs_yosys -- TABLE.json SCALE

use lutforge_core::Table;
use lutforge_rtl::yosys::{synth, Target};
use lutforge_rtl::{render_unit, MODULE};
use lutforge_sim::convert::{unit_for, NumFormat};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: cost_vs_yosys TABLE_K8.json [TABLE_K16.json ...] SCALE");
        std::process::exit(2);
    }
    let scale: i32 = args[args.len() - 1].parse().expect("scale");
    println!("| unit | K | table | model GE | Yosys GE | model / Yosys | Yosys FFs | synth s |");
    println!("|---|---|---|---|---|---|---|---|");
    for path in &args[1..args.len() - 1] {
        let (table, _) = Table::load(path.as_ref()).expect("table");
        for format in NumFormat::STANDARD {
            let variants: &[bool] = if format == NumFormat::Int(8) {
                &[false, true]
            } else {
                &[false]
            };
            for &programmable in variants {
                let (cfg, params) =
                    unit_for(&table, scale, Some(format), 1, 4, programmable).expect("unit");
                let model: f64 = lutforge_sim::cost::components(&cfg)
                    .iter()
                    .map(|c| c.ge)
                    .sum();
                let dir = tempfile::tempdir().expect("tmp");
                let file = format!("{MODULE}.v");
                std::fs::write(
                    dir.path().join(&file),
                    render_unit(&cfg, &params, &[]).expect("render"),
                )
                .expect("write");
                let t = Instant::now();
                let r = synth(dir.path(), &[&file], MODULE, Target::Generic).expect("yosys");
                let ge = r.nand2_ge.unwrap_or(f64::NAN);
                println!(
                    "| {format} | {} | {} | {model:.0} | {ge:.0} | {:.2} | {} | {:.1} |",
                    table.segments,
                    if programmable {
                        "programmable"
                    } else {
                        "fixed"
                    },
                    model / ge,
                    r.flip_flops,
                    t.elapsed().as_secs_f64()
                );
            }
        }
    }
}
