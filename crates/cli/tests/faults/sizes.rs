//! Absurd sizes get a clear error before anything is allocated, and work that would never end
//! is refused or bounded.

use crate::harness::*;

#[test]
fn absurd_counts_are_refused_with_the_bound() {
    let sb = Sandbox::new();
    let t = small_table(&sb);
    let t = t.to_str().unwrap();
    for (args, needle) in [
        (
            vec![
                "search",
                "--function",
                "gelu",
                "--segments",
                "8",
                "--population",
                "18446744073709551615",
                "-o",
                "x.json",
            ],
            "at most 100000",
        ),
        (
            vec![
                "search",
                "--function",
                "gelu",
                "--segments",
                "8",
                "--population",
                "1000000000",
                "-o",
                "x.json",
            ],
            "at most 100000",
        ),
        (
            vec![
                "search",
                "--function",
                "gelu",
                "--segments",
                "8",
                "--method",
                "gqa",
                "--domain",
                "-1e9,1e9",
                "-o",
                "x.json",
            ],
            "0.01 grid",
        ),
        (vec!["verify", t, "--random", "1000000000"], "at most"),
        (
            vec![
                "pareto",
                "--function",
                "gelu",
                "--population",
                "1000000000",
                "-o",
                "f.json",
            ],
            "at most",
        ),
        (
            vec![
                "sim",
                t,
                "--scale",
                "4",
                "--samples",
                "18446744073709551615",
            ],
            "at most",
        ),
    ] {
        let r = sb.run(&args);
        r.one_line_error(2, &[needle]);
    }
    assert_eq!(names(sb.root()), ["t.json", "tmp"]);
    sb.assert_clean();
}

#[test]
fn a_huge_table_file_is_refused_before_parsing() {
    let sb = Sandbox::new();
    // 70 MB of breakpoints: over the 64 MiB bound of a table file.
    let mut text = String::from(r#"{"format":"lutforge-table/1","scales":[{"breakpoints":["#);
    while text.len() < 70 << 20 {
        text.push_str("1234567,");
    }
    text.push_str("0]}]}");
    sb.write("huge.json", &text);
    for cmd in [
        "eval", "plot", "cost", "gen", "sim", "verify", "synth", "export",
    ] {
        let mut args = vec![cmd, "huge.json"];
        match cmd {
            "plot" | "gen" | "export" => args.extend(["-o", "out"]),
            "sim" => args.extend(["--scale", "0"]),
            _ => {}
        }
        if cmd == "export" {
            args.splice(1..1, ["--to", "gqa"]);
        }
        sb.run(&args).one_line_error(2, &["huge.json", "64 MiB"]);
    }
    // Millions of breakpoints within the bound: refused by the segment bound, not by memory.
    let bps: Vec<String> = (0..2_000_000).map(|i| i.to_string()).collect();
    let text = table_json(8, 8, 4).replace("\"segments\":8", "\"segments\":2000001");
    let text = text.replacen(
        "\"breakpoints\":[",
        &format!("\"breakpoints\":[{},", bps.join(",")),
        1,
    );
    sb.write("many.json", &text);
    sb.run(&["eval", "many.json"])
        .one_line_error(2, &["segments", "1024"]);
    sb.assert_clean();
}

#[test]
fn a_wide_input_table_is_plotted_from_sampled_codes() {
    let sb = Sandbox::new();
    // 32-bit input at scale 28: 2^31 codes in the domain.
    sb.write("wide.json", &table_json(8, 32, 28));
    let r = sb.run(&["plot", "wide.json", "-o", "w.svg"]);
    r.ok();
    assert!(r.stderr.contains("drawing every"), "{r:?}");
    let svg = std::fs::read_to_string(sb.path("w.svg")).unwrap();
    assert!(
        svg.contains("drawn codes") && svg.len() < 8 << 20,
        "{}",
        svg.len()
    );
    sb.assert_clean();
}

#[test]
fn a_domain_of_1e308_is_evaluated_without_its_grid() {
    let sb = Sandbox::new();
    let text = table_json(8, 8, 4).replace("[-4.0,4.0]", "[-1e308,1e308]");
    assert!(text.contains("1e308"), "{text}");
    sb.write("wide.json", &text);
    let r = sb.run(&["eval", "wide.json", "--json"]);
    r.ok();
    assert!(r.stderr.contains("grid_mse not computed"), "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["scales"][0]["grid_mse"].is_null(), "{v}");
    sb.run(&["plot", "wide.json", "-o", "w.svg"]).ok();
    sb.assert_clean();
}
