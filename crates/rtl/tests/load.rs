//! The exported load sequence loads the table: driven through the write port of a unit that
//! starts from a table of zeros, it leaves exactly the table in the registers; its C header
//! compiles and holds the same pairs as its JSON.

use lutforge_core::{Builtin, Function, Params};
use lutforge_rtl::crosscheck::zero_table;
use lutforge_rtl::load::LoadImage;
use lutforge_search::{search, Method, Request};
use lutforge_sim::convert::{unit_for, NumFormat, UnitShape};
use lutforge_sim::unit::{CfgWrite, Unit};

#[test]
fn the_load_image_loads_the_table_and_its_header_compiles() {
    let mut r = Request::new(Function::Builtin(Builtin::Gelu), 8);
    r.method = Method::Exact;
    r.scales = 4..=4;
    let t = search(&r, &mut |_| {}).unwrap().table;
    for format in [None, Some(NumFormat::Int(12)), Some(NumFormat::Fp32)] {
        let shape = UnitShape {
            arch: lutforge_sim::unit::Arch::Pwl,
            format,
            ..UnitShape::default()
        };
        let (cfg, params) = unit_for(&t, 4, &shape).unwrap();
        let img = LoadImage::new(&cfg, &params, "g").unwrap();
        let mut u = Unit::new(cfg, &zero_table(&cfg)).unwrap();
        for w in &img.writes {
            // The word on the bus, read back as the unit's code.
            let data = match params {
                Params::Int(_) => {
                    let bits = img.data_bits;
                    ((w.data << (64 - bits)) as i64) >> (64 - bits)
                }
                Params::Fp32(_) => w.data as i64,
            };
            u.step(
                false,
                &vec![0; cfg.lanes],
                true,
                Some(CfgWrite { addr: w.addr, data }),
            )
            .unwrap();
        }
        assert_eq!(u.table(), &params, "{format:?}");
    }
    // The C header compiles and carries the JSON's pairs.
    let (cfg, params) = unit_for(&t, 4, &UnitShape::default()).unwrap();
    let img = LoadImage::new(&cfg, &params, "gelu_unit").unwrap();
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("gelu_unit_cfg.h"), img.c_header()).unwrap();
    std::fs::write(
        d.path().join("main.c"),
        "#include <stdio.h>\n#include \"gelu_unit_cfg.h\"\nint main(void) { for (int i = 0; i < 2 * GELU_UNIT_CFG_WRITES; i += 2) printf(\"%u %u\\n\", gelu_unit_cfg[i], gelu_unit_cfg[i + 1]); return 0; }\n",
    )
    .unwrap();
    let cc = std::process::Command::new("cc")
        .args(["-std=c99", "-Wall", "-Werror", "-o", "m", "main.c"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert!(
        cc.status.success(),
        "{}",
        String::from_utf8_lossy(&cc.stderr)
    );
    let out = std::process::Command::new(d.path().join("m"))
        .output()
        .unwrap();
    let want: String = img
        .writes
        .iter()
        .map(|w| format!("{} {}\n", w.addr, w.data))
        .collect();
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
}
