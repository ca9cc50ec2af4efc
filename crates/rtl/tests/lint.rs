//! Every generated unit — integer, FP32 and direct tables, every stage count, several lane counts, fixed and
//! programmable, each rounding mode — lints clean under `verilator --lint-only -Wall`.

use lutforge_core::{Datapath, FixedFormat, Fp32Params, IntParams, Params, Rounding};
use lutforge_rtl::render::{Interface, Reset};
use lutforge_rtl::render_unit;
use lutforge_rtl::tools::Tool;
use lutforge_sim::unit::{rom_params, Arith, UnitConfig};

fn int_params(k: usize) -> Params {
    Params::Int(IntParams {
        breakpoints: (0..k as i64 - 1).map(|i| i * 10 - 30).collect(),
        slopes: (0..k as i64).map(|i| i * 9 - 40).collect(),
        intercepts: (0..k as i64).map(|i| 20 - i * 7).collect(),
    })
}

fn lint(text: &str, module: &str, what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = format!("{module}.v");
    std::fs::write(dir.path().join(&file), text).unwrap();
    let out = std::process::Command::new("verilator")
        .args(["--lint-only", "-Wall", &file])
        .current_dir(dir.path())
        .output()
        .expect("verilator runs (make deps installs it)");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.trim().is_empty(),
        "{what}:\n{err}\n{text}"
    );
}

#[test]
fn integer_units_lint_clean() {
    Tool::Verilator.require().unwrap();
    let formats = [
        // INT8 default, output below the product's fraction
        (8, 8, 8, 8, 4, 6, 6, 4),
        // INT16, output fraction above the product's: exact left shift
        (16, 16, 16, 16, 2, 8, 6, 12),
        // INT32 wide datapath
        (32, 32, 32, 32, 8, 12, 10, 16),
        // narrow output that needs no saturation logic
        (8, 8, 8, 4, 0, 6, 6, 0),
    ];
    for (nx, nk, nb, ny, fx, fk, fb, fy) in formats {
        for rounding in Rounding::ALL {
            for (stages, lanes, k, programmable) in [
                (4, 1, 8, true),
                (3, 2, 16, false),
                (2, 1, 5, true),
                (1, 3, 1, true),
                (4, 2, 2, false),
            ] {
                let dp = Datapath {
                    input: FixedFormat::new(nx, fx),
                    slope: FixedFormat::new(nk, fk),
                    intercept: FixedFormat::new(nb, fb),
                    output: FixedFormat::new(ny, fy),
                    rounding,
                };
                let cfg = UnitConfig {
                    arch: lutforge_sim::unit::Arch::Pwl,
                    arith: Arith::Int(dp),
                    segments: k,
                    lanes,
                    stages,
                    programmable,
                };
                // Every other unit with an asynchronous, active-low reset.
                let iface = Interface {
                    module: "lint_unit".into(),
                    reset: Reset {
                        asynchronous: programmable,
                        active_low: lanes > 1,
                    },
                };
                let text = render_unit(&cfg, &int_params(k), &[], &iface).unwrap();
                lint(
                    &text,
                    &iface.module,
                    &format!(
                        "{dp:?} {stages} stages {lanes} lanes K={k} prog={programmable} {:?}",
                        iface.reset
                    ),
                );
            }
        }
    }
}

#[test]
fn direct_tables_lint_clean() {
    Tool::Verilator.require().unwrap();
    // 2-bit and 16-bit extremes of the address, outputs narrower and wider than the input.
    for (nx, ny) in [(2, 3), (5, 9), (8, 4), (16, 8)] {
        let (x, y) = (FixedFormat::new(nx, 0), FixedFormat::new(ny, 0));
        let words: Vec<i64> = (0..1i64 << nx)
            .map(|i| (i * 37 % (1 << ny)) - (1 << (ny - 1)))
            .collect();
        let params = rom_params(x, &words);
        for (stages, lanes, programmable) in
            [(1, 1, false), (2, 2, true), (3, 1, true), (4, 3, false)]
        {
            if nx == 16 && programmable {
                continue; // a 65 536-word RAM lints like the 256-word one, only slower
            }
            let cfg = UnitConfig::rom(x, y, lanes, stages, programmable);
            let iface = Interface {
                module: "lint_rom".into(),
                reset: Reset {
                    asynchronous: programmable,
                    active_low: lanes > 1,
                },
            };
            let text = render_unit(&cfg, &params, &[], &iface).unwrap();
            lint(
                &text,
                &iface.module,
                &format!("rom {nx}->{ny} {stages} stages {lanes} lanes prog={programmable}"),
            );
        }
    }
}

#[test]
fn fp32_units_lint_clean() {
    Tool::Verilator.require().unwrap();
    for (stages, lanes, k, programmable) in [
        (4, 1, 8, true),
        (3, 2, 16, false),
        (2, 1, 3, true),
        (1, 2, 1, false),
    ] {
        let p = Params::Fp32(Fp32Params {
            breakpoints: (0..k - 1).map(|i| i as f32 - 2.0).collect(),
            slopes: (0..k).map(|i| 0.25 * i as f32).collect(),
            intercepts: (0..k).map(|i| -0.5 * i as f32).collect(),
        });
        let cfg = UnitConfig {
            arch: lutforge_sim::unit::Arch::Pwl,
            arith: Arith::Fp32,
            segments: k,
            lanes,
            stages,
            programmable,
        };
        let iface = Interface {
            module: "lint_fp32".into(),
            reset: Reset {
                asynchronous: lanes > 1,
                active_low: programmable,
            },
        };
        let text = render_unit(&cfg, &p, &["fp32 test".into()], &iface).unwrap();
        lint(
            &text,
            &iface.module,
            &format!("fp32 {stages} stages {lanes} lanes K={k}"),
        );
    }
}
