//! The simulator's waveform against Verilator's, signal by signal, and the generated testbench
//! under Icarus Verilog as a second, independent simulator.

use lutforge_core::{Datapath, FixedFormat, IntParams, Params, Rounding};
use lutforge_rtl::crosscheck::{self, beats, compare_vcds, load_events, random_events};
use lutforge_rtl::gen::{generate, GenOptions};
use lutforge_rtl::render::Reset;
use lutforge_rtl::testbench::{icarus_verdict, run_icarus};
use lutforge_sim::convert::{NumFormat, UnitShape};
use lutforge_sim::unit::{Arith, UnitConfig};
use lutforge_sim::RunOptions;
use lutforge_sim_tests::{cache_dir, standard_table};

#[test]
fn waveforms_agree_signal_by_signal() {
    let dp = Datapath {
        input: FixedFormat::new(8, 3),
        slope: FixedFormat::new(8, 6),
        intercept: FixedFormat::new(8, 6),
        output: FixedFormat::new(8, 5),
        rounding: Rounding::HalfUp,
    };
    for (stages, lanes) in [(4, 1), (2, 2)] {
        let cfg = UnitConfig {
            arch: lutforge_sim::unit::Arch::Pwl,
            arith: Arith::Int(dp),
            segments: 4,
            lanes,
            stages,
            programmable: true,
        };
        let p = IntParams {
            breakpoints: vec![-20, 0, 17],
            slopes: vec![3, -40, 64, 100],
            intercepts: vec![-9, 0, 12, -128],
        };
        let (build, zeros) = crosscheck::shared_build(&cfg, &cache_dir(), 500.0).unwrap();
        let mut ev = load_events(&cfg, &Params::Int(p.clone())).unwrap();
        let codes: Vec<i64> = (-128..128).collect();
        ev.extend(beats(&codes[..64], lanes));
        ev.extend(random_events(&cfg, &codes, &Params::Int(p), 300, 9));
        let dir = tempfile::tempdir().unwrap();
        let (st, rt) = (dir.path().join("sim.trace"), dir.path().join("rtl.trace"));
        let (sv, rv) = (dir.path().join("sim.vcd"), dir.path().join("rtl.vcd"));
        let opts = RunOptions {
            stall_prob: 0.3,
            seed: 4,
        };
        crosscheck::simulate(
            &cfg,
            &zeros,
            ev,
            &opts,
            &st,
            Some((&sv, 500.0, "lutforge_unit")),
        )
        .unwrap();
        build.run(&st, &rt, Some(&rv)).unwrap();
        let (compared, mismatch) = compare_vcds(&sv, &rv, 2000).unwrap();
        assert_eq!(mismatch, None);
        // Ports, seg, every pipeline register and the three table registers; `adv` is absent
        // from Verilator's waveform (it aliases in_ready, which is compared).
        let expected = 11 + 1 + if stages == 4 { 10 } else { 5 } + 3;
        assert!(compared >= expected, "only {compared} signals compared");
    }
}

#[test]
fn generated_testbench_passes_under_icarus() {
    let table = standard_table(lutforge_core::Builtin::Gelu, 8);
    for (format, programmable, stages, lanes, asynchronous, active_low) in [
        (None, false, 4, 1, false, false),
        (None, true, 2, 3, true, true),
        (Some(NumFormat::Int(16)), false, 3, 1, true, false),
        (Some(NumFormat::Fp32), true, 4, 1, false, true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let opts = GenOptions {
            scale: 3,
            shape: UnitShape {
                arch: lutforge_sim::unit::Arch::Pwl,
                format,
                lanes,
                stages,
                programmable,
            },
            reset: Reset {
                asynchronous,
                active_low,
            },
            ..GenOptions::default()
        };
        let g = generate(&table, &opts, dir.path(), false).unwrap();
        let verdict = run_icarus(dir.path(), &g.module).unwrap();
        assert!(verdict.starts_with("PASS"), "{verdict}");
    }
}

/// A flipped expected word: the testbench's last line is FAIL and both simulators exit with
/// an error, so a CI job running it fails.
#[test]
fn a_wrong_expectation_fails_under_icarus_and_verilator() {
    let table = standard_table(lutforge_core::Builtin::Exp, 8);
    let dir = tempfile::tempdir().unwrap();
    let g = generate(
        &table,
        &GenOptions {
            scale: 2,
            ..GenOptions::default()
        },
        dir.path(),
        false,
    )
    .unwrap();
    assert!(g.cfg.programmable, "the default unit is programmable");
    let path = dir.path().join("expected.hex");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let i = lines.len() / 2;
    let last = lines[i].pop().unwrap();
    let flipped = std::char::from_digit(last.to_digit(16).unwrap() ^ 1, 16).unwrap();
    lines[i].push(flipped);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let v = icarus_verdict(dir.path(), &g.module, &[]).unwrap();
    assert!(!v.exit_ok && !v.passed, "{v:?}");
    assert!(v.line.starts_with("FAIL 1 of"), "{v:?}");
    // Verilator --binary: the same testbench aborts.
    let tb = format!("{}_tb", g.module);
    let build = std::process::Command::new("verilator")
        .args([
            "--binary",
            "-Wno-fatal",
            "--top-module",
            &tb,
            &format!("{tb}.v"),
            &format!("{}.v", g.module),
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let run = std::process::Command::new(dir.path().join("obj_dir").join(format!("V{tb}")))
        .current_dir(dir.path())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(!run.status.success(), "{out}");
    assert!(out.lines().any(|l| l.starts_with("FAIL 1 of")), "{out}");
}

/// Two units from different tables, each under its own name, compiled into one design by
/// Icarus and by Verilator: no clash, and both testbenches pass.
#[test]
fn two_generated_units_live_in_one_design() {
    let d = tempfile::tempdir().unwrap();
    let mut modules = Vec::new();
    for (b, scale) in [
        (lutforge_core::Builtin::Gelu, 4),
        (lutforge_core::Builtin::Sigmoid, 3),
    ] {
        let table = standard_table(b, 8);
        let g = generate(
            &table,
            &GenOptions {
                scale,
                ..GenOptions::default()
            },
            &d.path().join(b.name()),
            false,
        )
        .unwrap();
        // Every file of both units in one directory, the vectors renamed per unit.
        for f in [format!("{}.v", g.module), format!("{}_tb.v", g.module)] {
            let text = std::fs::read_to_string(d.path().join(b.name()).join(&f)).unwrap();
            let text = text
                .replace(
                    "\"stimulus.hex\"",
                    &format!("\"{}_stimulus.hex\"", g.module),
                )
                .replace(
                    "\"expected.hex\"",
                    &format!("\"{}_expected.hex\"", g.module),
                );
            std::fs::write(d.path().join(&f), text).unwrap();
        }
        for f in ["stimulus.hex", "expected.hex"] {
            std::fs::copy(
                d.path().join(b.name()).join(f),
                d.path().join(format!("{}_{f}", g.module)),
            )
            .unwrap();
        }
        modules.push(g.module);
    }
    assert_ne!(modules[0], modules[1]);
    assert_eq!(modules[0], "gelu_s4_k8_int8");
    let sources: Vec<String> = modules
        .iter()
        .flat_map(|m| [format!("{m}.v"), format!("{m}_tb.v")])
        .collect();
    // Both units and both testbenches in one Icarus compilation, each testbench as a top.
    for m in &modules {
        let others: Vec<&str> = sources
            .iter()
            .filter(|s| **s != format!("{m}.v") && **s != format!("{m}_tb.v"))
            .map(String::as_str)
            .collect();
        let v = icarus_verdict(d.path(), m, &others).unwrap();
        assert!(v.passed, "{m}: {v:?}");
    }
    // Verilator lints the two units together without a clash (two tops here, by design).
    let mut args = vec![
        "--lint-only".to_string(),
        "-Wall".into(),
        "-Wno-MULTITOP".into(),
    ];
    args.extend(modules.iter().map(|m| format!("{m}.v")));
    let lint = std::process::Command::new("verilator")
        .args(&args)
        .current_dir(d.path())
        .output()
        .unwrap();
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stderr)
    );
}
