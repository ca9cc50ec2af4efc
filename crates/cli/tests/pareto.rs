//! `lutforge pareto` through the binary: a good run writes the front, its CSV, its plot and a
//! valid table per member; bad input exits 2 with one line on stderr and writes nothing.

use assert_cmd::Command;
use serde_json::Value;

fn lutforge() -> Command {
    Command::cargo_bin("lutforge").unwrap()
}

/// A 648-genome space and a short run: seconds, not minutes.
const SMALL: [&str; 26] = [
    "--segments",
    "2..4",
    "--input-bits",
    "5..6",
    "--input-shift",
    "0",
    "--slope-bits",
    "4..6",
    "--slope-int",
    "2",
    "--intercept-bits",
    "4..6",
    "--intercept-int",
    "2",
    "--output-bits",
    "4..6",
    "--trunc",
    "0..1",
    "--rounding",
    "half-up,truncate",
    "--generations",
    "3",
    "--population",
    "8",
    "--seed",
    "2",
];

#[test]
fn good_run_writes_front_csv_plot_and_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("front.json");
    let tables = dir.path().join("tables");
    lutforge()
        .args(["pareto", "--function", "gelu,exp"])
        .args(SMALL)
        .arg("-o")
        .arg(&out)
        .arg("--csv")
        .arg(dir.path().join("front.csv"))
        .arg("--plot")
        .arg(dir.path().join("front.svg"))
        .arg("--tables")
        .arg(&tables)
        .assert()
        .success();
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["format"], "lutforge-pareto/1");
    assert_eq!(v["space_size"], 648);
    let members = v["members"].as_array().unwrap();
    assert!(!members.is_empty());
    assert_eq!(v["baselines"].as_array().unwrap().len(), 5);
    let files = v["tables"].as_array().unwrap();
    assert_eq!(files.len(), members.len());
    for names in files {
        let names = names.as_array().unwrap();
        assert_eq!(names.len(), 2);
        for n in names {
            let path = tables.join(n.as_str().unwrap());
            lutforge().arg("eval").arg(&path).assert().success();
        }
    }
    let csv = std::fs::read_to_string(dir.path().join("front.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + members.len() + 5);
    let svg = std::fs::read_to_string(dir.path().join("front.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("int8"));
    // The same seed gives the same front.
    let again = dir.path().join("again.json");
    lutforge()
        .args(["pareto", "--function", "gelu,exp", "--quiet"])
        .args(SMALL)
        .arg("-o")
        .arg(&again)
        .assert()
        .success();
    let w: Value = serde_json::from_str(&std::fs::read_to_string(&again).unwrap()).unwrap();
    assert_eq!(v["members"], w["members"]);
}

/// Direct tables compete with the PWL unit on one front: each direct-table member is listed
/// with the genes it uses only, and its table file, built with `--arch rom`, is priced by
/// `lutforge cost` at exactly the member's area.
#[test]
fn direct_tables_compete_on_the_front() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("front.json");
    let tables = dir.path().join("tables");
    lutforge()
        .args([
            "pareto",
            "--function",
            "gelu",
            "--arch",
            "pwl,rom",
            "--fixed",
        ])
        .args(["--error", "max-err", "--quiet"])
        .args(SMALL)
        .arg("-o")
        .arg(&out)
        .arg("--csv")
        .arg(dir.path().join("front.csv"))
        .arg("--tables")
        .arg(&tables)
        .assert()
        .success();
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["space_size"], 648 * 2);
    let members = v["members"].as_array().unwrap();
    let roms: Vec<(usize, &Value)> = members
        .iter()
        .enumerate()
        .filter(|(_, m)| m["design"]["arch"] == "rom")
        .collect();
    // A fixed direct table of 5–6 input bits is smaller than any PWL unit of its error.
    assert!(!roms.is_empty(), "no direct table on the front");
    for (i, m) in roms {
        let d = &m["design"];
        assert_eq!(d["segments"], 1, "member {i}: unused genes are cleared");
        let name = v["tables"][i][0].as_str().unwrap();
        let path = tables.join(name);
        let t: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(t["input_bits"], d["input_bits"]);
        assert_eq!(t["output"]["bits"], d["output_bits"]);
        let frac = t["scales"][0]["frac"].as_i64().unwrap().to_string();
        let a = lutforge()
            .arg("cost")
            .arg(&path)
            .args([
                "--scale", &frac, "--arch", "rom", "--fixed", "--stages", "4",
            ])
            .arg("--json")
            .assert()
            .success();
        let c: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
        let area = c["units"][0]["area_um2"].as_f64().unwrap();
        let want = m["score"]["area_um2"].as_f64().unwrap();
        assert!(
            (area - want).abs() <= 1e-9 * want,
            "member {i}: cost says {area} µm², the front {want} µm²"
        );
    }
    let csv = std::fs::read_to_string(dir.path().join("front.csv")).unwrap();
    assert!(csv.lines().next().unwrap().contains(",arch,"));
    assert!(csv
        .lines()
        .any(|l| l.starts_with("front,") && l.contains(",rom,,")));
}

#[test]
fn bad_input_exits_2_with_one_line_and_no_file() {
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--function", "nosuch"], "unknown function"),
        (
            vec!["--function", "gelu", "--slope-bits", "8..4"],
            "empty range",
        ),
        (
            vec!["--function", "gelu", "--slope-bits", "4..6", "--trunc", "5"],
            "contradicts",
        ),
        (
            vec!["--function", "gelu", "--input-bits", "4..16"],
            "--input-bits",
        ),
        (
            vec!["--function", "gelu", "--rounding", "nearest"],
            "rounding",
        ),
        (
            vec!["--function", "gelu", "--max-err-lsb", "0.000001"],
            "no design meets the limits; the closest: K=",
        ),
        (
            vec!["--function", "gelu,exp", "--domain", "-1,1"],
            "single function",
        ),
        (vec!["--function", "gelu", "--arch", "lut"], "--arch"),
    ];
    for (args, want) in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("front.json");
        // The case's options replace the small space's (clap refuses an option twice).
        let mut all: Vec<&str> = Vec::new();
        for pair in SMALL.chunks(2) {
            if !args.contains(&pair[0]) {
                all.extend_from_slice(pair);
            }
        }
        all.extend(args.iter().copied());
        let a = lutforge()
            .arg("pareto")
            .args(&all)
            .arg("-o")
            .arg(&out)
            .arg("--quiet")
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
        // One error line (clap's usage errors add indented help lines under it).
        let lines = stderr.lines().filter(|l| !l.starts_with("  ")).count();
        assert_eq!(lines, 1, "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?} wrote a file");
    }
}
