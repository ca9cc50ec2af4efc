//! `lutforge explore` through the binary: the architectures meeting a bound, with Yosys's and
//! the cost model's figures, the smallest marked, an SVG, and bad input refused.

mod common;
use common::*;

#[test]
fn explore_lists_what_meets_the_bound_and_marks_the_smallest() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("crossover.svg");
    let args = [
        "explore",
        "--function",
        "gelu",
        "--input-bits",
        "8",
        "--max-err-lsb",
        "0.99",
    ];
    let (code, stdout, err) = run(&[&args[..], &["--json"]].concat());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rows = v["rows"].as_array().unwrap();
    let arch: Vec<&str> = rows.iter().map(|r| r["arch"].as_str().unwrap()).collect();
    assert_eq!(arch[0], "direct table");
    assert_eq!(arch[1], "PWL, fewest segments");
    for r in rows {
        assert!(r["max_err_lsb"].as_f64().unwrap() <= 0.99, "{r}");
        assert!(r["transistors"].as_u64().unwrap() > 0, "{r}");
    }
    // The direct table errs by at most half an LSB; the cost model prices every row.
    assert!(rows[0]["max_err_lsb"].as_f64().unwrap() <= 0.5);
    assert!(rows.iter().all(|r| r["area_um2"].as_f64().unwrap() > 0.0));
    // More segments come with narrower coefficients.
    if rows.len() > 2 {
        assert!(rows[2]["coefficient_bits"].as_u64() < rows[1]["coefficient_bits"].as_u64());
        assert!(rows[2]["segments"].as_u64() > rows[1]["segments"].as_u64());
    }
    let best = v["smallest"].as_u64().unwrap() as usize;
    let t = |i: usize| rows[i]["transistors"].as_u64().unwrap();
    assert!((0..rows.len()).all(|i| t(best) <= t(i)));
    // The sweep reaches the crossover: by the cost model (to 16 bits without Yosys), the
    // direct table is the smaller at 8 bits and the larger at 16.
    let (code, _, err) =
        run(&[&args[..], &["--no-synth", "--plot", svg.to_str().unwrap()]].concat());
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.starts_with("<svg")
            && text.contains("direct table")
            && text.contains("input bits")
            && text.contains("\n16\n</text>"),
        "{text}"
    );
    let at16 = run(&[
        "explore",
        "--function",
        "gelu",
        "--input-bits",
        "16",
        "--max-err-lsb",
        "0.99",
        "--max-segments",
        "256",
        "--no-synth",
        "--json",
    ]);
    assert_eq!(at16.0, 0, "{}", at16.2);
    let v16: serde_json::Value = serde_json::from_str(&at16.1).unwrap();
    let r16 = v16["rows"].as_array().unwrap();
    assert_eq!(r16[0]["arch"], "direct table");
    let a16 = |i: usize| r16[i]["area_um2"].as_f64().unwrap();
    assert!(a16(1) < a16(0), "{r16:?}");
    // Programmable units: the direct table is a RAM of 256 words, far larger than the PWL
    // unit's table of a few entries, which the cost model alone already shows.
    let (code, stdout, err) =
        run(&[&args[..], &["--programmable", "--no-synth", "--json"]].concat());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows[0]["arch"], "direct table");
    assert!(rows.iter().all(|r| r["transistors"].is_null()));
    let area = |i: usize| rows[i]["area_um2"].as_f64().unwrap();
    assert!(area(0) > 5.0 * area(1), "{rows:?}");
    assert_ne!(v["smallest"].as_u64(), Some(0));
    // Bad input: one line, exit 2, no SVG.
    let x = dir.path().join("x.svg");
    let xs = x.to_str().unwrap();
    assert_input_error(
        &[
            "explore",
            "--function",
            "gelu",
            "--input-bits",
            "20",
            "--max-err-lsb",
            "1",
            "--plot",
            xs,
        ],
        "4 to 16",
    );
    assert_input_error(
        &[
            "explore",
            "--function",
            "gelu",
            "--input-bits",
            "15",
            "--max-err-lsb",
            "1",
            "--plot",
            xs,
        ],
        "add --no-synth",
    );
    assert_input_error(
        &[
            "explore",
            "--function",
            "gelu",
            "--max-err-lsb",
            "0",
            "--plot",
            xs,
        ],
        "positive",
    );
    assert_input_error(
        &[
            "explore",
            "--function",
            "gelu",
            "--max-err-lsb",
            "0.3",
            "--plot",
            xs,
        ],
        "no architecture meets",
    );
    assert_input_error(
        &[
            "explore",
            "--function",
            "gelu",
            "--max-err-lsb",
            "0.9",
            "--max-segments",
            "0",
            "--plot",
            xs,
        ],
        "--max-segments 0: 1 to 1024",
    );
    assert!(!x.exists());
}

#[test]
fn explore_weighs_the_architectures_for_affine_codes() {
    let q = [
        "explore",
        "--function",
        "gelu",
        "--input-scale",
        "0.0235",
        "--input-zero-point",
        "3",
        "--output-scale",
        "0.0119",
        "--output-zero-point",
        "-60",
        "--max-err-lsb",
        "0.99",
        "--no-synth",
    ];
    let (code, stdout, err) = run(&[&q[..], &["--json"]].concat());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["quantization"]["input"]["zero_point"], 3);
    assert_eq!(v["quantization"]["output"]["zero_point"], -60);
    assert_eq!(v["input_bits"], 8);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows[0]["arch"], "direct table");
    assert!(rows
        .iter()
        .all(|r| r["max_err_lsb"].as_f64().unwrap() <= 0.99));
    // The PWL row is the table search makes for the same codes: same segment count.
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("q.json");
    let (code, _, err) = run(&[
        "search",
        "--function",
        "gelu",
        "--input-scale",
        "0.0235",
        "--input-zero-point",
        "3",
        "--output-scale",
        "0.0119",
        "--output-zero-point",
        "-60",
        "--method",
        "exact",
        "--max-err-lsb",
        "0.99",
        "--slope-bits",
        &rows[1]["coefficient_bits"].to_string(),
        "--intercept-bits",
        &rows[1]["coefficient_bits"].to_string(),
        "-o",
        t.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let table: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&t).unwrap()).unwrap();
    assert_eq!(table["segments"], rows[1]["segments"]);
    // A quantized function has one width: no sweep.
    let x = dir.path().join("x.svg");
    assert_input_error(
        &[&q[..], &["--plot", x.to_str().unwrap()]].concat(),
        "a quantized function has one",
    );
    assert!(!x.exists());
}
