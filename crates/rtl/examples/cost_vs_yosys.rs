//! The sim crate's area model beside Yosys synthesis of the generated RTL — INT8, INT16, INT32
//! and FP32 units at every segment count given, fixed and programmable tables — as a Markdown
//! table for docs/results.md. The model's cell counts are priced twice: in NanGate45 gate
//! equivalents (what every area report uses) and in Yosys's CMOS transistors / 4, the unit of
//! the synthesized count, which is the like-for-like comparison.
//!
//! cargo run --release -p lutforge-rtl --example cost_vs_yosys -- TABLE.json [TABLE.json ...] SCALE

use lutforge_core::Table;
use lutforge_rtl::yosys::{synth, Target};
use lutforge_rtl::{render_unit, MODULE};
use lutforge_sim::convert::{unit_for, NumFormat, UnitShape};
use lutforge_sim::cost::{components_in, CMOS_T4, NANGATE45};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: cost_vs_yosys TABLE_K8.json [TABLE_K16.json ...] SCALE");
        std::process::exit(2);
    }
    let scale: i32 = args[args.len() - 1].parse().expect("scale");
    println!(
        "| unit | K | table | model GE (NanGate45) | model GE (CMOS/4) | Yosys GE (CMOS/4) \
         | model / Yosys | Yosys FFs | synth s |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut worst: f64 = 0.0;
    for path in &args[1..args.len() - 1] {
        let (table, _) = Table::load(path.as_ref()).expect("table");
        for programmable in [false, true] {
            for format in NumFormat::STANDARD {
                let (cfg, params) = unit_for(
                    &table,
                    scale,
                    &UnitShape {
                        arch: lutforge_sim::unit::Arch::Pwl,
                        format: Some(format),
                        lanes: 1,
                        stages: 4,
                        programmable,
                    },
                )
                .expect("unit");
                let total = |lib| -> f64 {
                    components_in(&cfg, Some(&params), lib)
                        .iter()
                        .map(|c| c.ge)
                        .sum()
                };
                let (nangate, cmos) = (total(&NANGATE45), total(&CMOS_T4));
                let dir = tempfile::tempdir().expect("tmp");
                let file = format!("{MODULE}.v");
                std::fs::write(
                    dir.path().join(&file),
                    render_unit(&cfg, &params, &[], &Default::default()).expect("render"),
                )
                .expect("write");
                let t = Instant::now();
                let r = synth(dir.path(), &[&file], MODULE, Target::Generic).expect("yosys");
                let ge = r.nand2_ge.unwrap_or(f64::NAN);
                worst = worst.max((cmos / ge - 1.0).abs());
                println!(
                    "| {format} | {} | {} | {nangate:.0} | {cmos:.0} | {ge:.0} | {:.2} | {} | {:.1} |",
                    table.segments,
                    if programmable {
                        "programmable"
                    } else {
                        "fixed"
                    },
                    cmos / ge,
                    r.flip_flops,
                    t.elapsed().as_secs_f64()
                );
            }
        }
    }
    println!(
        "largest deviation of the model from Yosys: {:.0}%",
        worst * 100.0
    );
}
