//! `lutforge search` and `lutforge plot` through the binary: good runs write valid tables with
//! their provenance, bad input exits 2 with one line on stderr and leaves no file.

mod common;
use common::{assert_input_error, lutforge, run};
use serde_json::Value;
use std::path::Path;

/// Small, fast settings for every GA run in these tests.
const FAST: [&str; 4] = ["--generations", "8", "--population", "10"];

fn search(dir: &Path, name: &str, extra: &[&str]) -> (std::path::PathBuf, String) {
    let out = dir.join(name);
    let a = lutforge()
        .arg("search")
        .args(extra)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    (out, stderr)
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn each_method_writes_a_table_that_eval_accepts() {
    let dir = tempfile::tempdir().unwrap();
    for method in ["ga", "exact", "gqa"] {
        let (out, _) = search(
            dir.path(),
            &format!("{method}.json"),
            &[
                &["--function", "gelu", "--segments", "6", "--scales", "2..4"][..],
                &["--method", method, "--quiet"],
                &FAST,
            ]
            .concat(),
        );
        let v = json(&out);
        assert_eq!(v["provenance"]["method"], method);
        assert_eq!(v["segments"], 6);
        assert_eq!(v["scales"].as_array().unwrap().len(), 3);
        assert!(v["scales"][0]["metrics"]["mse"].is_number());
        let e = lutforge()
            .args(["eval", "--json"])
            .arg(&out)
            .assert()
            .success();
        let ev: Value = serde_json::from_slice(&e.get_output().stdout).unwrap();
        assert_eq!(ev["scales"].as_array().unwrap().len(), 3);
    }
}

#[test]
fn same_seed_same_bytes_and_the_seed_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        &["--function", "exp", "--segments", "5", "--scales", "3..4"][..],
        &["--seed", "42", "--quiet"],
        &FAST,
    ]
    .concat();
    let (a, _) = search(dir.path(), "a.json", &args);
    let (b, _) = search(dir.path(), "b.json", &args);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let v = json(&a);
    assert_eq!(v["provenance"]["seed"], 42);
    assert_eq!(v["provenance"]["settings"]["generations"], 8);
    assert_eq!(v["provenance"]["settings"]["population"], 10);
}

#[test]
fn gqa_reports_widened_slopes_for_reciprocal() {
    let dir = tempfile::tempdir().unwrap();
    let (out, stderr) = search(
        dir.path(),
        "r.json",
        &[
            &[
                "--function",
                "reciprocal",
                "--segments",
                "8",
                "--scales",
                "3",
            ][..],
            &["--method", "gqa", "--quiet"],
            &FAST,
        ]
        .concat(),
    );
    let v = json(&out);
    let bits = v["slope"]["bits"].as_u64().unwrap();
    // The reference's first chord starts at 0.5 where 1/x falls with slope -4: whenever the
    // table needs more than 8 bits, stderr says so even under --quiet.
    if bits > 8 {
        assert!(stderr.contains("widened the slopes format"), "{stderr}");
    } else {
        assert!(!stderr.contains("widened the slopes"), "{stderr}");
    }
}

#[test]
fn formats_flags_reach_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = search(
        dir.path(),
        "f.json",
        &[
            "--function",
            "sigmoid",
            "--segments",
            "4",
            "--scales",
            "3",
            "--method",
            "exact",
            "--slope-bits",
            "10",
            "--slope-frac",
            "8",
            "--output-bits",
            "10",
            "--rounding",
            "truncate",
            "--quiet",
        ],
    );
    let v = json(&out);
    assert_eq!(v["slope"]["bits"], 10);
    assert_eq!(v["slope"]["frac"], 8);
    assert_eq!(v["output"]["bits"], 10);
    // sigmoid < 1 on [-8, 8]: a 10-bit output holds 8 fractional bits.
    assert_eq!(v["output"]["frac"], 8);
    assert_eq!(v["rounding"], "truncate");
}

#[test]
fn all_writes_the_standard_set() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("set");
    lutforge()
        .args([
            "search", "--all", "--method", "exact", "--scales", "3", "--quiet", "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 16, "{names:?}");
    for f in [
        "gelu",
        "hswish",
        "exp",
        "reciprocal",
        "rsqrt",
        "silu",
        "sigmoid",
        "tanh",
    ] {
        for k in [8, 16] {
            let p = out.join(format!("{f}-{k}.json"));
            assert_eq!(json(&p)["segments"], k, "{}", p.display());
        }
    }
}

#[test]
fn plot_writes_an_svg() {
    let dir = tempfile::tempdir().unwrap();
    let (table, _) = search(
        dir.path(),
        "t.json",
        &[
            "--function",
            "gelu",
            "--segments",
            "8",
            "--scales",
            "3..4",
            "--method",
            "exact",
            "--quiet",
        ],
    );
    let svg = dir.path().join("t.svg");
    lutforge()
        .arg("plot")
        .arg(&table)
        .args(["--scale", "4", "-o"])
        .arg(&svg)
        .assert()
        .success();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"));
    assert!(text.contains("<circle") && text.contains("<text"));
    // A scale the table lacks is an input error.
    let bad = dir.path().join("bad.svg");
    let a = lutforge()
        .arg("plot")
        .arg(&table)
        .args(["--scale", "6", "-o"])
        .arg(&bad)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert_eq!(
        err.lines().filter(|l| !l.starts_with("  ")).count(),
        1,
        "{err}"
    );
    assert!(!bad.exists());
}

/// Each bad input: exit 2, exactly one line on stderr naming the problem, no output file.
#[test]
fn bad_input_exits_2_with_one_line_and_no_file() {
    // (arguments, text the error line must hold)
    let cases: &[(&str, &str)] = &[
        ("--function relu --segments 4", "relu"),
        ("--function gelu --segments 0", "--segments 0"),
        ("--function gelu --segments -3", "-3"),
        ("--function gelu --segments 5000", "--segments 5000"),
        ("--function gelu --segments 300 --scales 6", "at most"),
        ("--function gelu --segments 4 --domain 4,-4", "empty"),
        (
            "--function reciprocal --segments 4 --domain -1,1",
            "defined only",
        ),
        (
            "--function rsqrt --segments 4 --domain -0.5,4",
            "defined only",
        ),
        (
            "--function gelu --segments 4 --scales 6..2",
            "above the last",
        ),
        (
            "--function gelu --segments 4 --scales 0..99",
            "scales must lie",
        ),
        (
            "--function reciprocal --segments 2 --domain 0.5,0.9 --scales 0",
            "no 8-bit input code",
        ),
        (
            "--function gelu --segments 4 --population 1",
            "--population 1",
        ),
        (
            "--function gelu --segments 4 --population 0",
            "--population 0",
        ),
        (
            "--function gelu --segments 4 --generations 0",
            "--generations 0",
        ),
        (
            "--function gelu --segments 4 --output-frac 6",
            "(8, 4) would hold it",
        ),
        (
            "--function gelu --segments 4 --method annealing",
            "annealing",
        ),
        (
            "--function gelu --segments 4 --slope-bits 99",
            "slope format",
        ),
        (
            "--function gelu --segments 4 --output-bits 99",
            "output format",
        ),
        (
            "--function gelu --segments 4 --input-bits 0",
            "input format",
        ),
        ("--function gelu --segments 4 --intercept-frac 9", "F_b"),
        ("--function gelu --segments 4 --rounding nearest", "nearest"),
        (
            "--function gelu --segments 4 --input-bits 16 --scales 12 --method exact",
            "at most 2048",
        ),
        ("--segments 4", "required arguments"),
        ("--function gelu --segments 4 --domain x,1", "not a number"),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, (args, want)) in cases.iter().enumerate() {
        let out = dir.path().join(format!("bad{i}.json"));
        let a = lutforge()
            .arg("search")
            .args(args.split_whitespace())
            .args(["--quiet", "-o"])
            .arg(&out)
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
        assert_eq!(
            err.lines().filter(|l| !l.starts_with("  ")).count(),
            1,
            "{args:?}: {err}"
        );
        assert!(err.contains(want), "{args:?}: '{err}' lacks '{want}'");
        assert!(!out.exists(), "{args:?} left {}", out.display());
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn all_refuses_before_writing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("set");
    // 300 segments cannot fit 8-bit codes for any function: the first check fails, nothing runs.
    let a = lutforge()
        .args([
            "search",
            "--all",
            "--scales",
            "0",
            "--input-bits",
            "4",
            "--quiet",
            "-o",
        ])
        .arg(&out)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert_eq!(
        err.lines().filter(|l| !l.starts_with("  ")).count(),
        1,
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn an_error_bound_picks_the_segments_and_eval_states_the_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g.json");
    let o = out.to_str().unwrap();
    let (code, _, err) = run(&[
        "search",
        "--function",
        "gelu",
        "--method",
        "exact",
        "--max-err-lsb",
        "0.5",
        "--scales",
        "2..4",
        "-o",
        o,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("the fewest whose table errs by at most 0.5 output LSB"),
        "{err}"
    );
    let (code, stdout, _) = run(&["eval", o, "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    for s in v["scales"].as_array().unwrap() {
        assert!(s["max_err_lsb"].as_f64().unwrap() <= 0.5, "{s}");
        assert_eq!(s["correctly_rounded"], true);
        assert_eq!(s["faithful"], true);
    }
    let (_, text, _) = run(&["eval", o]);
    assert!(text.contains("correctly rounded"), "{text}");
    // A bound the formats cannot reach names the least they can; nothing is written.
    let x = dir.path().join("x.json");
    assert_input_error(
        &[
            "search",
            "--function",
            "gelu",
            "--max-err-lsb",
            "0.2",
            "-o",
            x.to_str().unwrap(),
        ],
        "the least reachable is",
    );
    assert_input_error(
        &[
            "search",
            "--function",
            "gelu",
            "--max-err-lsb",
            "-1",
            "-o",
            x.to_str().unwrap(),
        ],
        "at least 0",
    );
    assert!(!x.exists());
}

/// Every code of a 16-bit input: the fewest segments of a faithful gelu, proven least (one
/// segment fewer cannot reach the bound, and says how close it gets), and eval agrees at all
/// 65 536 codes.
#[test]
fn a_faithful_16_bit_unit_is_found_and_proven_least() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g16.json");
    let o = out.to_str().unwrap();
    let formats = [
        "--function",
        "gelu",
        "--method",
        "exact",
        "--max-err-lsb",
        "0.9999999999999999",
        "--input-bits",
        "16",
        "--scales",
        "13..13",
        "--slope-bits",
        "18",
        "--slope-frac",
        "16",
        "--intercept-bits",
        "18",
        "--intercept-frac",
        "13",
        "--output-bits",
        "16",
    ];
    let (code, _, err) =
        run(&[&["search"], &formats[..], &["--segments", "256", "-o", o]].concat());
    assert_eq!(code, 0, "{err}");
    let k = json(&out)["segments"].as_u64().unwrap();
    assert!(k > 64 && k < 256, "{k}");
    let (code, stdout, _) = run(&["eval", o, "--json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let s = &v["scales"][0];
    assert_eq!(s["codes"].as_u64(), Some(1 << 16), "{s}");
    assert!(s["max_err_lsb"].as_f64().unwrap() < 1.0, "{s}");
    assert_eq!(s["faithful"], true);
    let fewer = (k - 1).to_string();
    let x = dir.path().join("x.json");
    let (code, _, err) = run(&[
        &["search"],
        &formats[..],
        &["--segments", &fewer, "-o", x.to_str().unwrap()],
    ]
    .concat());
    assert_eq!(code, 2, "{err}");
    let least: f64 = err
        .split("the least reachable is ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("{err}"));
    assert!(least > 0.999_999_999_999_999_9, "{err}");
    assert!(!x.exists());
}

/// A PyTorch quantization (examples/quant_gelu.json): the table is a function of codes, its
/// error against the quantized operator's formula as eval reports, and its RTL verifies.
#[test]
fn a_pytorch_quantization_makes_a_table_of_codes() {
    use lutforge_core::{golden, Builtin, Params, Table};
    let quant = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/quant_gelu.json");
    let q = quant.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("q.json");
    let o = out.to_str().unwrap();
    let args = [
        "search",
        "--function",
        "gelu",
        "--quant",
        q,
        "--segments",
        "8",
    ];
    let (code, _, err) = run(&[
        &args[..],
        &["--method", "exact", "--objective", "max-err", "-o", o],
    ]
    .concat());
    assert_eq!(code, 0, "{err}");
    let (t, _) = Table::load(&out).unwrap();
    let s = &t.scales[0];
    let Params::Int(p) = &s.params else {
        panic!("an integer table")
    };
    let dp = t.datapath(0);
    assert_eq!((s.frac, dp.output.frac), (0, 0));
    // The operator's own formula on the user's codes: x = s_x (u − z_x) for the unsigned input
    // code u, the real output in codes s_y⁻¹·y + z_y, saturated to int8.
    let (sx, zx, sy, zy) = (0.03125, 128.0, 0.016229714282096977, -118.0);
    let mut worst = 0.0f64;
    for u in 0..=255i64 {
        let q = u - 128; // the unit's code: the top bit inverted
        let y = golden::eval(&dp, p, q).y as f64;
        let x = sx * (u as f64 - zx);
        let want = (Builtin::Gelu.eval(x) / sy + zy).clamp(-128.0, 127.0);
        worst = worst.max((y - want).abs());
    }
    let m = s.metrics.unwrap();
    assert_eq!(worst, m.max_abs_err);
    assert!(
        worst < 1.0,
        "the 8-segment minimax GELU is faithful here: {worst}"
    );
    let (_, stdout, _) = run(&["eval", o, "--json"]);
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["quant"]["input"]["zero_point"], 128);
    assert_eq!(v["quant"]["input"]["unsigned"], true);
    // The same codes through the RTL (Verilator and Icarus).
    let (code, stdout, err) = run(&["verify", o, "--random", "100"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("RTL = simulator"), "{stdout}");
    // Bad quantizations: one line, exit 2, no file.
    let x = dir.path().join("x.json");
    let xs = x.to_str().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"input": {"scale": 0.1, "zero_point": 0, "dtype": "float"}, "output": {"scale": 0.1, "zero_point": 0, "dtype": "qint8"}}"#,
    )
    .unwrap();
    assert_input_error(
        &[
            "search",
            "--function",
            "gelu",
            "--quant",
            bad.to_str().unwrap(),
            "--segments",
            "8",
            "-o",
            xs,
        ],
        "dtype 'float'",
    );
    assert_input_error(
        &[
            "search",
            "--function",
            "gelu",
            "--input-scale",
            "0",
            "--output-scale",
            "0.1",
            "--segments",
            "8",
            "-o",
            xs,
        ],
        "positive",
    );
    assert_input_error(
        &[
            "search",
            "--function",
            "gelu",
            "--quant",
            q,
            "--scales",
            "1..2",
            "--segments",
            "8",
            "-o",
            xs,
        ],
        "scale 0 only",
    );
    assert_input_error(
        &[
            "search",
            "--function",
            "gelu",
            "--input-scale",
            "0.01",
            "--unsigned-input",
            "--output-scale",
            "0.1",
            "--domain",
            "-1,1",
            "--segments",
            "8",
            "-o",
            xs,
        ],
        "leaves the reals",
    );
    assert_input_error(
        &[
            "search",
            "--function",
            "gelu",
            "--input-scale",
            "0.01",
            "--input-zero-point",
            "300",
            "--output-scale",
            "0.1",
            "--segments",
            "8",
            "-o",
            xs,
        ],
        "zero point 300",
    );
    assert!(!x.exists());
}

#[test]
fn a_breakpoint_step_puts_every_breakpoint_on_its_multiples() {
    let dir = tempfile::tempdir().unwrap();
    for obj in ["pwl", "mse", "max-err"] {
        let out = dir.path().join(format!("{obj}.json"));
        let (code, _, err) = run(&[
            "search",
            "--function",
            "gelu",
            "--segments",
            "8",
            "--method",
            "exact",
            "--objective",
            obj,
            "--breakpoint-step",
            "2",
            "--scales",
            "3..4",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        let v = json(&out);
        assert_eq!(v["provenance"]["settings"]["breakpoint_step"], 2);
        for s in v["scales"].as_array().unwrap() {
            for b in s["breakpoints"].as_array().unwrap() {
                assert_eq!(b.as_i64().unwrap().rem_euclid(4), 0, "{obj}: {b}");
            }
        }
    }
    let x = dir.path().join("x.json");
    assert_input_error(
        &[
            "search",
            "--function",
            "gelu",
            "--segments",
            "8",
            "--breakpoint-step",
            "2",
            "-o",
            x.to_str().unwrap(),
        ],
        "works with --method exact",
    );
    assert!(!x.exists());
}
