//! The simulator's waveform against Verilator's, signal by signal, and the generated testbench
//! under Icarus Verilog as a second, independent simulator.

use lutforge_core::{Datapath, FixedFormat, IntParams, Params, Rounding};
use lutforge_rtl::crosscheck::{self, beats, compare_vcds, load_events, random_events};
use lutforge_rtl::gen::{generate, GenOptions};
use lutforge_rtl::testbench::run_icarus;
use lutforge_sim::convert::NumFormat;
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
        crosscheck::simulate(&cfg, &zeros, ev, &opts, &st, Some((&sv, 500.0))).unwrap();
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
    for (format, programmable, stages, lanes) in [
        (None, false, 4, 1),
        (None, true, 2, 3),
        (Some(NumFormat::Int(16)), false, 3, 1),
        (Some(NumFormat::Fp32), true, 4, 1),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let opts = GenOptions {
            scale: 3,
            format,
            programmable,
            stages,
            lanes,
            ..GenOptions::default()
        };
        generate(&table, &opts, dir.path(), false).unwrap();
        let verdict = run_icarus(dir.path()).unwrap();
        assert!(verdict.starts_with("PASS"), "{verdict}");
    }
}

#[test]
fn icarus_testbench_catches_a_wrong_expectation() {
    let table = standard_table(lutforge_core::Builtin::Exp, 8);
    let dir = tempfile::tempdir().unwrap();
    generate(
        &table,
        &GenOptions {
            scale: 2,
            ..GenOptions::default()
        },
        dir.path(),
        false,
    )
    .unwrap();
    // Flip one bit of one expected output word: the testbench must report FAIL.
    let path = dir.path().join("expected.hex");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let i = lines.len() / 2;
    let last = lines[i].pop().unwrap();
    let flipped = std::char::from_digit(last.to_digit(16).unwrap() ^ 1, 16).unwrap();
    lines[i].push(flipped);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let err = run_icarus(dir.path()).unwrap_err().to_string();
    assert!(err.contains("FAIL 1 of"), "{err}");
}
