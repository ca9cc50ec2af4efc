//! `lutforge sim` and `lutforge cost` through the binary: good runs, and every bad input exits
//! 2 with one line on stderr and no partial output file.

use assert_cmd::Command;
use std::path::Path;

const TABLE: &str = r#"{"format":"lutforge-table/1","function":{"name":"gelu","domain":[-4,4]},
"segments":8,"arith":"int","input_bits":8,"slope":{"bits":8,"frac":6},
"intercept":{"bits":8,"frac":6},"output":{"bits":8,"frac":4},"rounding":"half-up",
"scales":[{"frac":4,"breakpoints":[-48,-30,-12,0,10,25,44],"slopes":[0,-6,10,30,45,60,66,64],
"intercepts":[-1,-10,-2,0,0,-3,-8,0]}],
"provenance":{"method":"hand","settings":null,"lutforge_version":"0.1.0"}}"#;

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let t = d.path().join("gelu.json");
    std::fs::write(&t, TABLE).unwrap();
    (d, t)
}

fn lf() -> Command {
    Command::cargo_bin("lutforge").unwrap()
}

fn json_of(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).expect("stdout is one JSON document")
}

/// Exit 2, one stderr line containing `needle`, nothing on stdout.
fn fails(cmd: &mut Command, needle: &str) {
    let o = cmd.output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(
        err.lines().filter(|l| !l.starts_with("  ")).count(),
        1,
        "{err}"
    );
    assert!(err.contains(needle), "{err}");
    assert!(o.stdout.is_empty());
}

fn only_table_left(dir: &Path) {
    let names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "gelu.json" && n != "stim.txt")
        .collect();
    assert!(names.is_empty(), "left behind: {names:?}");
}

#[test]
fn generated_run_reports_json() {
    let (_d, t) = setup();
    let o = lf()
        .args([
            "sim",
            t.to_str().unwrap(),
            "--scale",
            "4",
            "--samples",
            "500",
            "--lanes",
            "2",
        ])
        .args(["--stall-prob", "0.25", "--json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json_of(&o.stdout);
    assert_eq!(v["samples"], 500);
    assert_eq!(v["beats_in"], 250);
    assert_eq!(v["beats_out"], 250);
    assert_eq!(v["latency"], 4);
    let cycles = v["cycles"].as_u64().unwrap();
    assert!(cycles >= 250 + 4);
    assert!(v["out_stalls"].as_u64().unwrap() > 0);
    assert!(v["power_mw"].as_f64().unwrap() > 0.0);
    assert!(v["energy_per_sample_pj"].as_f64().unwrap() > 0.0);
}

#[test]
fn file_stimulus_trace_and_vcd() {
    let (d, t) = setup();
    let stim = d.path().join("stim.txt");
    std::fs::write(&stim, "# test\n-3\n5\nidle 2\ncfg 0x8 10\n7\n").unwrap();
    let trace = d.path().join("t.trace");
    let vcd = d.path().join("w.vcd");
    let o = lf()
        .args(["sim", t.to_str().unwrap(), "--scale", "4", "--input"])
        .arg(&stim)
        .arg("--trace")
        .arg(&trace)
        .arg("--vcd")
        .arg(&vcd)
        .arg("--json")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json_of(&o.stdout);
    assert_eq!(v["samples"], 3);
    assert_eq!(v["idle_cycles"], 2);
    assert_eq!(v["cfg_writes"], 1);
    let text = std::fs::read_to_string(&trace).unwrap();
    let data: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(data.len() as u64, v["cycles"].as_u64().unwrap());
    assert!(
        data.iter().any(|l| l.ends_with(" 1 08 0a")),
        "the cfg write is traced"
    );
    let mut p = vcd::Parser::new(std::io::BufReader::new(std::fs::File::open(&vcd).unwrap()));
    let h = p.parse_header().unwrap();
    let unit = ["lutforge_unit_tb", "lutforge_unit"];
    assert!(h.find_var(&[unit[0], unit[1], "s2_seg"]).is_some());
    assert!(h.find_var(&[unit[0], unit[1], "tbl_k"]).is_some());
    // Its GTKWave save file is beside it, naming it and the unit's signals.
    let gtkw = std::fs::read_to_string(vcd.with_extension("gtkw")).unwrap();
    assert!(
        gtkw.contains("[dumpfile] \"")
            && gtkw.contains("lutforge_unit_tb.lutforge_unit.tbl_k[")
            && gtkw.contains("@424"),
        "{gtkw}"
    );
}

#[test]
fn text_output_and_formats() {
    let (_d, t) = setup();
    for f in ["int8", "int16", "int32", "fp32"] {
        let o = lf()
            .args([
                "sim",
                t.to_str().unwrap(),
                "--scale",
                "4",
                "--samples",
                "200",
            ])
            .args(["--format", f, "--stages", "2"])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{f}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let s = String::from_utf8(o.stdout).unwrap();
        for key in ["cycles", "throughput", "stalls", "energy", "avg power"] {
            assert!(s.contains(key), "{f}: {s}");
        }
    }
}

#[test]
fn cost_compares_formats() {
    let (_d, t) = setup();
    let o = lf()
        .args(["cost", t.to_str().unwrap(), "--samples", "2000", "--json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Without --format the table's own format alone is priced.
    let v = json_of(&o.stdout);
    let own: Vec<&str> = v["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["format"].as_str().unwrap())
        .collect();
    assert_eq!(own, ["int8"]);
    let o = lf()
        .args([
            "cost",
            t.to_str().unwrap(),
            "--format",
            "all",
            "--samples",
            "2000",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json_of(&o.stdout);
    let units = v["units"].as_array().unwrap();
    let names: Vec<&str> = units
        .iter()
        .map(|u| u["format"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["int8", "int16", "int32", "fp32"]);
    let area = |i: usize| units[i]["area_um2"].as_f64().unwrap();
    assert!(area(0) < area(1) && area(1) < area(2) && area(0) < area(3));
    for u in &units[1..] {
        let s = u["int8_saves_area_pct"].as_f64().unwrap();
        assert!(s > 0.0 && s < 100.0);
        // The components add up to the total.
        let sum: f64 = u["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["area_um2"].as_f64().unwrap())
            .sum();
        assert!((sum - u["area_um2"].as_f64().unwrap()).abs() < 1e-6);
    }
    let o = lf()
        .args([
            "cost",
            t.to_str().unwrap(),
            "--format",
            "fp32",
            "--samples",
            "500",
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    let s = String::from_utf8(o.stdout).unwrap();
    assert!(
        s.contains("24 x 24 mantissa array") && s.contains("alignment shifter"),
        "{s}"
    );
}

#[test]
fn bad_inputs_exit_2_without_partial_output() {
    let (d, t) = setup();
    let tp = t.to_str().unwrap();
    let stim = d.path().join("stim.txt");
    let vcd = d.path().join("w.vcd");
    let base = |extra: &[&str]| {
        let mut c = lf();
        c.args(["sim", tp, "--scale", "4"]).args(extra);
        c
    };
    std::fs::write(&stim, "1\n2\ncfg 0x1f 3\n").unwrap();
    fails(
        base(&["--input", stim.to_str().unwrap()])
            .arg("--vcd")
            .arg(&vcd),
        "line 3",
    );
    std::fs::write(&stim, "1\nbogus\n").unwrap();
    fails(
        base(&["--input", stim.to_str().unwrap()])
            .arg("--vcd")
            .arg(&vcd),
        "line 2",
    );
    std::fs::write(&stim, "1\n300\n").unwrap();
    fails(
        base(&["--input", stim.to_str().unwrap()])
            .arg("--vcd")
            .arg(&vcd),
        "does not fit",
    );
    only_table_left(d.path());
    fails(&mut base(&["--lanes", "0"]), "lanes");
    fails(&mut base(&["--stages", "5"]), "stages");
    fails(&mut base(&["--stages", "0"]), "stages");
    fails(&mut base(&["--stall-prob", "1"]), "stall");
    fails(&mut base(&["--vcd", "/nonexistent-dir/x.vcd"]), "x.vcd");
    fails(base(&["--vcd"]).arg(d.path()), "directory");
    fails(&mut base(&["--format", "int4"]), "narrower");
    fails(&mut base(&["--input", "/nonexistent/stim"]), "stim");
    let mut c = lf();
    c.args(["sim", tp, "--scale", "9"]);
    fails(&mut c, "no scale 9");
    let mut c = lf();
    c.args(["cost", tp, "--scale", "9"]);
    fails(&mut c, "no scale 9");
    only_table_left(d.path());
}
