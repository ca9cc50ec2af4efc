//! `functions`, `eval`, `import`, `export` through the binary: good runs and every bad input.

mod common;
use common::*;
use serde_json::Value;

#[test]
fn functions_lists_every_builtin_with_its_domain() {
    let (code, out, _) = run(&["functions"]);
    assert_eq!(code, 0);
    for name in [
        "gelu",
        "hswish",
        "sigmoid",
        "tanh",
        "exp",
        "reciprocal",
        "rsqrt",
        "silu",
        "softplus",
    ] {
        assert!(out.contains(name), "{name} missing");
    }
    let (_, out, _) = run(&["functions", "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let list = v["functions"].as_array().unwrap();
    assert_eq!(list.len(), 9);
    let rsqrt = list.iter().find(|f| f["name"] == "rsqrt").unwrap();
    assert_eq!(rsqrt["domain"], serde_json::json!([0.25, 4.0]));
}

#[test]
fn import_eval_export_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let table = gelu_table(dir.path());
    let (code, out, err) = run(&["eval", table.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    // The equal breakpoints at scale 0 are kept and warned about on stderr, not stdout.
    assert!(err.contains("never used"), "{err}");
    let v: Value = serde_json::from_str(&out).expect("stdout is one JSON document");
    assert_eq!(v["function"], "gelu");
    assert_eq!(v["segments"], 6);
    let scales = v["scales"].as_array().unwrap();
    assert_eq!(scales.len(), 2);
    assert_eq!(scales[1]["frac"], 3);
    for key in ["mse", "max_abs_err", "max_err_lsb", "pwl_mse", "grid_mse"] {
        assert!(scales[0][key].as_f64().unwrap() > 0.0, "{key}");
    }

    let gqa = dir.path().join("back.json");
    let (code, _, err) = run(&[
        "export",
        "--to",
        "gqa",
        table.to_str().unwrap(),
        "-o",
        gqa.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let again = dir.path().join("again.json");
    let (code, _, _) = run(&[
        "import",
        "--from",
        "gqa",
        gqa.to_str().unwrap(),
        "--function",
        "gelu",
        "-o",
        again.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let a: Value = serde_json::from_str(&std::fs::read_to_string(&table).unwrap()).unwrap();
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&again).unwrap()).unwrap();
    assert_eq!(a["scales"], b["scales"]);
    for k in [
        "input_bits",
        "slope",
        "intercept",
        "output",
        "rounding",
        "segments",
        "function",
    ] {
        assert_eq!(a[k], b[k], "{k}");
    }
}

#[test]
fn wide_slopes_widen_or_are_refused_with_strict() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(
        dir.path(),
        "reci.json",
        r#"{"reci": {"2": {"breakpoints": [1.0], "slopes": [-3.203125, -0.25], "intercepts": [3.0, 1.0]}}}"#,
    );
    let out = dir.path().join("t.json");
    let (code, _, err) = run(&[
        "import",
        "--from",
        "gqa",
        src.to_str().unwrap(),
        "--function",
        "reciprocal",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("widened the slopes format from (8, 6) to (9, 6)"),
        "{err}"
    );
    std::fs::remove_file(&out).unwrap();
    assert_input_error(
        &[
            "import",
            "--from",
            "gqa",
            src.to_str().unwrap(),
            "--function",
            "reciprocal",
            "--strict",
            "-o",
            out.to_str().unwrap(),
        ],
        "(9, 6) would hold it",
    );
    assert!(!out.exists(), "no output on error");
}

/// Each validation rule of the table file, triggered through `eval`.
#[test]
fn every_validation_error_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let table = gelu_table(dir.path());
    let good: Value = serde_json::from_str(&std::fs::read_to_string(&table).unwrap()).unwrap();
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "decreasing",
            Box::new(|v| v["scales"][1]["breakpoints"][1] = (-100).into()),
            "scales[1].breakpoints[1]",
        ),
        (
            "code range",
            Box::new(|v| v["scales"][0]["slopes"][0] = 200.into()),
            "scales[0].slopes[0]",
        ),
        (
            "alignment",
            Box::new(|v| v["intercept"]["frac"] = 7.into()),
            "F_b",
        ),
        (
            "function",
            Box::new(|v| v["function"]["name"] = "relu".into()),
            "unknown function 'relu'",
        ),
        (
            "segments",
            Box::new(|v| v["segments"] = 5.into()),
            "5 segments",
        ),
        (
            "no scales",
            Box::new(|v| v["scales"] = serde_json::json!([])),
            "scales: the table holds no scale",
        ),
        (
            "missing scales",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("scales");
            }),
            "missing field `scales`",
        ),
        (
            "version",
            Box::new(|v| v["format"] = "lutforge-table/9".into()),
            "unknown format version",
        ),
        (
            "rounding",
            Box::new(|v| v["rounding"] = "stochastic".into()),
            "rounding",
        ),
        (
            "fp32 nan",
            Box::new(|v| {
                v["arith"] = "fp32".into();
                v["scales"][0]["slopes"][2] = "nan".into();
            }),
            "scales[0].slopes[2]: NaN",
        ),
        (
            "fp32 inf",
            Box::new(|v| {
                v["arith"] = "fp32".into();
                v["scales"][0]["intercepts"][1] = 1e300.into();
            }),
            "scales[0].intercepts[1]",
        ),
        (
            "not a code",
            Box::new(|v| v["scales"][0]["intercepts"][1] = "x".into()),
            "scales[0].intercepts[1]",
        ),
        (
            "domain",
            Box::new(|v| v["function"]["domain"] = serde_json::json!([1, -1])),
            "function.domain",
        ),
    ];
    for (name, edit, needle) in cases {
        let mut v = good.clone();
        edit(&mut v);
        let p = write(
            dir.path(),
            &format!("{}.json", name.replace(' ', "_")),
            &v.to_string(),
        );
        let (code, _, err) = run(&["eval", p.to_str().unwrap()]);
        assert_eq!(code, 2, "{name}: {err}");
        assert_eq!(
            err.lines().filter(|l| !l.starts_with("  ")).count(),
            1,
            "{name}: {err}"
        );
        assert!(err.contains(needle), "{name}: {err:?} lacks {needle:?}");
    }
}

#[test]
fn bad_files_and_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_input_error(
        &["eval", d.join("missing.json").to_str().unwrap()],
        "No such file",
    );
    let junk = write(d, "junk.json", "{\"format\": \"lutforge-table/1\", ");
    assert_input_error(&["eval", junk.to_str().unwrap()], "malformed JSON");
    let bin = d.join("bin.json");
    std::fs::write(&bin, [0xff, 0xfe, 0x00]).unwrap();
    assert_input_error(&["eval", bin.to_str().unwrap()], "bin.json");
    assert_input_error(&["eval", d.to_str().unwrap()], "");
    let src = write(d, "g.json", GQA_GELU);
    let out = d.join("out.json");
    let s = src.to_str().unwrap();
    let o = out.to_str().unwrap();
    assert_input_error(
        &["import", "--from", "gqa", s, "--function", "relu", "-o", o],
        "unknown function 'relu'",
    );
    assert_input_error(
        &["import", "--from", "onnx", s, "--function", "gelu", "-o", o],
        "onnx",
    );
    assert_input_error(
        &["import", "--from", "gqa", s, "--function", "exp", "-o", o],
        "not 'exp'",
    );
    assert_usage_error(
        &["export", "--to", "csv", s, "-o", o],
        &["'csv'", "[possible values: gqa, load]"],
        "lutforge export",
    );
    assert_usage_error(&["frobnicate"], &["frobnicate"], "lutforge");
    assert_usage_error(
        &["serach"],
        &["a similar subcommand exists: 'search'"],
        "lutforge",
    );
    assert_usage_error(
        &["search", "--methd", "exact"],
        &["'--methd'", "a similar argument exists: '--method'"],
        "lutforge search",
    );
    assert_usage_error(&["gru", "trian"], &["'train'"], "lutforge gru");
    // A CSV function with one point, and one with x going back.
    let one = write(d, "one.csv", "x,y\n0,1\n");
    assert_input_error(
        &[
            "import",
            "--from",
            "gqa",
            s,
            "--function",
            one.to_str().unwrap(),
            "-o",
            o,
        ],
        "at least two samples",
    );
    let back = write(d, "back.csv", "0,0\n1,1\n0.5,2\n");
    assert_input_error(
        &[
            "import",
            "--from",
            "gqa",
            s,
            "--function",
            back.to_str().unwrap(),
            "-o",
            o,
        ],
        "x must increase",
    );
    let bad = write(d, "bad.csv", "0,0\n1,one\n");
    assert_input_error(
        &[
            "import",
            "--from",
            "gqa",
            s,
            "--function",
            bad.to_str().unwrap(),
            "-o",
            o,
        ],
        "line 2",
    );
    // An output path that cannot be written leaves nothing behind.
    assert_input_error(
        &[
            "import",
            "--from",
            "gqa",
            s,
            "--function",
            "gelu",
            "-o",
            d.join("no/dir/t.json").to_str().unwrap(),
        ],
        "cannot write",
    );
    assert!(!out.exists());
}

#[test]
fn user_functions_from_csv_work_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A ramp sampled at three points; the table reproduces it closely.
    let csv = write(d, "ramp.csv", "x,y\n-4,0\n0,0\n4,4\n");
    let src = write(
        d,
        "ramp_gqa.json",
        r#"{"ramp": {"2": {"breakpoints": [0.0], "slopes": [0.0, 1.0], "intercepts": [0.0, 0.0]}}}"#,
    );
    let out = d.join("ramp.json");
    let (code, _, err) = run(&[
        "import",
        "--from",
        "gqa",
        src.to_str().unwrap(),
        "--function",
        csv.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, json, _) = run(&["eval", out.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["function"], "ramp");
    assert_eq!(v["scales"][0]["mse"].as_f64().unwrap(), 0.0);
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    assert_usage_error(
        &["eval"],
        &["required arguments", "<TABLE>"],
        "lutforge eval",
    );
    // A missing option is named.
    assert_usage_error(
        &["import", "--from", "gqa", "x.json", "-o", "t.json"],
        &["--function <FUNCTION>"],
        "lutforge import",
    );
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("eval"));
}
