//! Golden files: for each small table in `tests/golden/`, the rendered Verilog must equal the
//! checked-in `<case>.v` byte for byte, so any change to the generated RTL is a reviewed diff.
//! Regenerate deliberately with `make golden` (LUTFORGE_BLESS=1); a plain test run never writes.

use lutforge_core::Table;
use lutforge_rtl::gen::header;
use lutforge_rtl::render_unit;
use lutforge_sim::convert::{unit_for, NumFormat, UnitShape};
use std::path::PathBuf;

struct Case {
    name: &'static str,
    table: &'static str,
    scale: i32,
    format: Option<NumFormat>,
    stages: u32,
    lanes: usize,
    programmable: bool,
}

const CASES: [Case; 4] = [
    Case {
        name: "gelu_int8_fixed_s4",
        table: "gelu_k4",
        scale: 2,
        format: None,
        stages: 4,
        lanes: 1,
        programmable: false,
    },
    Case {
        name: "gelu_int16_prog_s3_l2",
        table: "gelu_k4",
        scale: 2,
        format: Some(NumFormat::Int(16)),
        stages: 3,
        lanes: 2,
        programmable: true,
    },
    Case {
        name: "exp_int8_truncate_prog_s2",
        table: "exp_k4_truncate",
        scale: 3,
        format: None,
        stages: 2,
        lanes: 1,
        programmable: true,
    },
    Case {
        name: "exp_fp32_fixed_s1",
        table: "exp_k4_truncate",
        scale: 3,
        format: Some(NumFormat::Fp32),
        stages: 1,
        lanes: 1,
        programmable: false,
    },
];

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
}

#[test]
fn rendered_verilog_equals_golden_files() {
    let bless = std::env::var_os("LUTFORGE_BLESS").is_some();
    let mut stale = Vec::new();
    for c in &CASES {
        let (table, _) = Table::load(&dir().join(format!("{}.table.json", c.table))).unwrap();
        let (cfg, params) = unit_for(
            &table,
            c.scale,
            &UnitShape {
                arch: lutforge_sim::unit::Arch::Pwl,
                format: c.format,
                lanes: c.lanes,
                stages: c.stages,
                programmable: c.programmable,
            },
        )
        .unwrap();
        let text = render_unit(
            &cfg,
            &params,
            &header(&table, &cfg, &params, c.scale),
            &Default::default(),
        )
        .unwrap();
        let path = dir().join(format!("{}.v", c.name));
        if bless {
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (create it with `make golden`)", path.display()));
        if want != text {
            stale.push(c.name);
        }
    }
    assert!(
        stale.is_empty(),
        "rendered Verilog differs from the golden files {stale:?}; review and run `make golden`"
    );
}
