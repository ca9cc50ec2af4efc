//! Malformed and unusual input files: refused with one line naming the field, or read
//! correctly; what lutforge writes it can read back.

use crate::harness::*;

#[test]
fn fp32_table_files_generate_and_verify() {
    let sb = Sandbox::new();
    let t: serde_json::Value = serde_json::from_str(&table_json(8, 8, 4)).unwrap();
    let mut fp = t.clone();
    fp["arith"] = "fp32".into();
    let s = &mut fp["scales"][0];
    for (key, step) in [
        ("breakpoints", 2f64.powi(-4)),
        ("slopes", 2f64.powi(-6)),
        ("intercepts", 2f64.powi(-6)),
    ] {
        let v: Vec<f64> = s[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_f64().unwrap() * step)
            .collect();
        s[key] = serde_json::json!(v);
    }
    sb.write("fp.json", &fp.to_string());
    sb.run(&["gen", "fp.json", "-o", "rtl"]).ok();
    assert!(sb.path("rtl/gelu_s4_k8_fp32.v").is_file());
    let r = sb.run(&["verify", "fp.json", "--random", "300", "--no-icarus"]);
    r.ok();
    assert!(r.stdout.contains("RTL = simulator"), "{r:?}");
    sb.assert_clean();
}

#[test]
fn gqa_import_of_mixed_magnitudes_is_refused_not_a_panic() {
    let sb = Sandbox::new();
    for text in [
        r#"{"gelu":{"4":{"breakpoints":[0.0],"slopes":[1e13,9.5367431640625e-07],"intercepts":[0,0]}}}"#,
        r#"{"gelu":{"4":{"breakpoints":[0.0],"slopes":[0,0],"intercepts":[1e13,9.5367431640625e-07]}}}"#,
    ] {
        sb.write("g.json", text);
        let r = sb.run(&[
            "import",
            "--from",
            "gqa",
            "g.json",
            "--function",
            "gelu",
            "-o",
            "t.json",
        ]);
        r.one_line_error(2, &["g.json", "gelu.4."]);
        assert!(!sb.path("t.json").exists());
    }
    sb.assert_clean();
}

#[test]
fn unknown_fields_inside_formats_and_metrics_are_refused() {
    let sb = Sandbox::new();
    let t = table_json(8, 8, 4);
    for (text, field) in [
        (t.replace(r#""slope":{"bits":8,"frac":6}"#, r#""slope":{"bits":8,"frac":6,"colour":1}"#), "slope"),
        (t.replace(r#""output":{"bits":8,"frac":4}"#, r#""output":{"bits":8,"frac":4,"x":0}"#), "output"),
        (t.replace(r#""frac":4,"#, r#""frac":4,"metrics":{"mse":0,"max_abs_err":0,"max_err_lsb":0,"pwl_mse":0,"codes":1,"extra":2},"#), "metrics"),
    ] {
        assert_ne!(text, t);
        sb.write("bad.json", &text);
        sb.run(&["eval", "bad.json"]).one_line_error(2, &[field, "unknown field"]);
    }
    sb.assert_clean();
}

#[test]
fn duplicate_json_keys_are_refused() {
    let sb = Sandbox::new();
    let t = table_json(8, 8, 4);
    let dup = t.replacen(r#""segments":8,"#, r#""segments":8,"segments":4,"#, 1);
    assert_ne!(dup, t);
    sb.write("dup.json", &dup);
    sb.run(&["eval", "dup.json"])
        .one_line_error(2, &["\"segments\" appears twice"]);
    sb.write(
        "g.json",
        r#"{"gelu":{"4":{"breakpoints":[0.0],"slopes":[0,1],"slopes":[0,2],"intercepts":[0,0]}}}"#,
    );
    sb.run(&[
        "import",
        "--from",
        "gqa",
        "g.json",
        "--function",
        "gelu",
        "-o",
        "t.json",
    ])
    .one_line_error(2, &["gelu.4", "\"slopes\" appears twice"]);
    sb.assert_clean();
}

#[test]
fn cost_usage_errors_are_one_line() {
    let sb = Sandbox::new();
    let t = small_table(&sb);
    let t = t.to_str().unwrap();
    for (flag, v, needle) in [
        ("--lanes", "0", "lanes"),
        ("--lanes", "1000", "lanes"),
        ("--stages", "9", "stages"),
    ] {
        sb.run(&["cost", t, flag, v]).one_line_error(2, &[needle]);
    }
}

#[test]
fn an_exported_table_imports_back_exactly() {
    let sb = Sandbox::new();
    // Slopes in (8, 24): 2^-24 is printed as 5.960464477539063e-8 by the export.
    let t = table_json(2, 8, 4)
        .replace(
            r#""slope":{"bits":8,"frac":6}"#,
            r#""slope":{"bits":8,"frac":24}"#,
        )
        .replace(r#""slopes":[0,32]"#, r#""slopes":[1,-3]"#);
    assert!(t.contains(r#""slopes":[1,-3]"#), "{t}");
    sb.write("t.json", &t);
    sb.run(&["export", "--to", "gqa", "t.json", "-o", "g.json"])
        .ok();
    assert!(std::fs::read_to_string(sb.path("g.json"))
        .unwrap()
        .contains("5.960464477539063e-8"));
    sb.run(&[
        "import",
        "--from",
        "gqa",
        "g.json",
        "--function",
        "gelu",
        "-o",
        "back.json",
    ])
    .ok();
    let a: serde_json::Value = serde_json::from_str(&t).unwrap();
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sb.path("back.json")).unwrap()).unwrap();
    assert_eq!(a["scales"][0]["slopes"], b["scales"][0]["slopes"]);
    assert_eq!(b["slope"]["frac"], 24);
    sb.assert_clean();
}

#[test]
fn fixed_table_traces_write_cfg_columns_as_documented() {
    let sb = Sandbox::new();
    let t = small_table(&sb);
    sb.run(&[
        "sim",
        t.to_str().unwrap(),
        "--scale",
        "4",
        "--samples",
        "20",
        "--fixed",
        "--trace",
        "f.trace",
    ])
    .ok();
    let text = std::fs::read_to_string(sb.path("f.trace")).unwrap();
    let data: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(!data.is_empty());
    for l in data {
        assert!(l.ends_with(" 0 0 0"), "{l}");
    }
}

/// GQA-LUT's published 8-entry GELU (examples/gelu_gqa.json): `grid_mse` on the reference's
/// own grid, as computed by `numpy.mean((f(x) - pwl(x))**2)` over `numpy.arange(-4.0, 4.0,
/// 0.01)` with numpy 2.4.6 and `math.erf` (x equal to a breakpoint in the upper segment).
#[test]
fn grid_mse_is_the_reference_figure_on_numpys_grid() {
    let sb = Sandbox::new();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/gelu_gqa.json");
    sb.run(&[
        "import",
        "--from",
        "gqa",
        example,
        "--function",
        "gelu",
        "-o",
        "t.json",
    ])
    .ok();
    let r = sb.run(&["eval", "t.json", "--json"]);
    r.ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    for (scale, want) in [(0, 4.639583138179218e-4), (4, 7.25858880302147e-5)] {
        let s = v["scales"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["frac"] == scale)
            .unwrap();
        let got = s["grid_mse"].as_f64().unwrap();
        assert!(
            ((got - want) / want).abs() < 1e-12,
            "scale {scale}: {got} vs numpy {want}"
        );
    }
}
