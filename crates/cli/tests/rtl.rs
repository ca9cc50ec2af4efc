//! `gen`, `verify` and `synth` through the binary: good runs, refusals, a failed verification
//! (exit 1) and missing tools (exit 2 naming the package).

mod common;
use common::*;
use std::path::{Path, PathBuf};

fn exact_table(dir: &Path, function: &str, scales: &str) -> PathBuf {
    let out = dir.join(format!("{function}.json"));
    let (code, _, err) = run(&[
        "search",
        "--function",
        function,
        "--segments",
        "8",
        "--scales",
        scales,
        "--method",
        "exact",
        "--quiet",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn gen_writes_the_unit_and_refuses_foreign_directories() {
    let dir = tempfile::tempdir().unwrap();
    let t = exact_table(dir.path(), "gelu", "2..3");
    let out = dir.path().join("rtl");
    let (code, stdout, err) = run(&[
        "gen",
        t.to_str().unwrap(),
        "--scale",
        "3",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    for f in [
        "gelu_s3_k8_int8.v",
        "gelu_s3_k8_int8_tb.v",
        "stimulus.hex",
        "expected.hex",
        "README.md",
        "lutforge.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
        assert!(stdout.contains(f));
    }
    let v = std::fs::read_to_string(out.join("gelu_s3_k8_int8.v")).unwrap();
    assert!(
        v.contains("module gelu_s3_k8_int8 (")
            && v.contains("function gelu")
            && v.contains("localparam signed [7:0] BP0 = ")
            && v.contains("cfg_we"),
        "{v}"
    );
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(readme.contains("| `cfg_addr` | in |") && readme.contains("lutforge verify ."));
    // Regenerating over its own files is fine; a foreign file needs --force.
    let (code, _, _) = run(&[
        "gen",
        t.to_str().unwrap(),
        "--scale",
        "3",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    assert_input_error(
        &[
            "gen",
            t.to_str().unwrap(),
            "--scale",
            "3",
            "-o",
            out.to_str().unwrap(),
        ],
        "--force",
    );
    let (code, _, _) = run(&[
        "gen",
        t.to_str().unwrap(),
        "--scale",
        "3",
        "--force",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    // Two scales and none chosen; a scale the table lacks; bad shapes.
    assert_input_error(
        &[
            "gen",
            t.to_str().unwrap(),
            "-o",
            dir.path().join("x").to_str().unwrap(),
        ],
        "--scale",
    );
    assert_input_error(
        &[
            "gen",
            t.to_str().unwrap(),
            "--scale",
            "6",
            "-o",
            dir.path().join("x").to_str().unwrap(),
        ],
        "no scale 6",
    );
    assert_input_error(
        &[
            "gen",
            t.to_str().unwrap(),
            "--scale",
            "2",
            "--stages",
            "5",
            "-o",
            dir.path().join("x").to_str().unwrap(),
        ],
        "stages",
    );
    assert_input_error(
        &[
            "gen",
            t.to_str().unwrap(),
            "--scale",
            "2",
            "--lanes",
            "0",
            "-o",
            dir.path().join("x").to_str().unwrap(),
        ],
        "lanes",
    );
    assert_input_error(
        &[
            "gen",
            t.to_str().unwrap(),
            "--scale",
            "2",
            "--format",
            "int4",
            "-o",
            dir.path().join("x").to_str().unwrap(),
        ],
        "narrower",
    );
    assert!(!dir.path().join("x").exists());
}

#[test]
fn verify_passes_and_reports_json() {
    let dir = tempfile::tempdir().unwrap();
    let t = exact_table(dir.path(), "exp", "2..2");
    let (code, out, err) = lutforge_env(
        &["verify", t.to_str().unwrap(), "--random", "300", "--json"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["match"], true);
    assert_eq!(v["scales"][0]["samples"], 256 + 300);
    assert!(v["scales"][0]["icarus"]
        .as_str()
        .unwrap()
        .starts_with("PASS"));
}

/// Runs with the Verilator cache in `dir`, so tests can reach into the build.
fn lutforge_env(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = lutforge()
        .env("LUTFORGE_CACHE", dir.join("cache"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_differing_model_fails_verification_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let t = exact_table(dir.path(), "gelu", "1..1");
    let (code, _, err) = lutforge_env(
        &[
            "verify",
            t.to_str().unwrap(),
            "--random",
            "10",
            "--no-icarus",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    // Replace the cached model by one whose out_valid is stuck high from cycle 20 on.
    let build = std::fs::read_dir(dir.path().join("cache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("verilator-")
        })
        .unwrap();
    let exe = build.join("Vharness");
    std::fs::write(
        &exe,
        "#!/bin/sh\nawk '/^#/ {print; next} $1 >= 20 {$5 = \"1\"} {print}' \"$1\" > \"$2\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, out, err) = lutforge_env(
        &[
            "verify",
            t.to_str().unwrap(),
            "--random",
            "10",
            "--no-icarus",
        ],
        dir.path(),
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("cycle 2") && err.contains("out_valid"),
        "{err}"
    );
    assert!(out.contains("MISMATCH"));
}

#[test]
fn synth_reports_gate_equivalents() {
    let dir = tempfile::tempdir().unwrap();
    let t = exact_table(dir.path(), "gelu", "3..3");
    let (code, out, err) = run(&["synth", t.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["nand2_ge"].as_f64().unwrap() > 100.0);
    assert!(v["cells"]["$_DFF_P_"].as_u64().unwrap() > 0);
    let g = dir.path().join("g");
    assert_eq!(
        run(&["gen", t.to_str().unwrap(), "-o", g.to_str().unwrap()]).0,
        0
    );
    let (code, out, _) = run(&["synth", g.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("NAND2 equivalents"));
    // Synthesis never writes into the user's directory.
    assert_eq!(std::fs::read_dir(&g).unwrap().count(), 7);
    assert_input_error(
        &["synth", dir.path().to_str().unwrap()],
        "no lutforge_unit.v",
    );
    assert_input_error(
        &["synth", t.to_str().unwrap(), "--target", "asic7"],
        "asic7",
    );
}

#[test]
fn synth_power_prices_the_netlist_beside_the_cost_model() {
    let dir = tempfile::tempdir().unwrap();
    let t = exact_table(dir.path(), "gelu", "3..3");
    let g = dir.path().join("g");
    assert_eq!(
        run(&[
            "gen",
            t.to_str().unwrap(),
            "--fixed",
            "-o",
            g.to_str().unwrap()
        ])
        .0,
        0
    );
    let (code, out, err) = run(&["synth", g.to_str().unwrap(), "--power", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let per = &v["per_sample"];
    let f = |k: &str| per[k].as_f64().unwrap();
    let (gate, data, clock) = (
        f("gate_level_pj"),
        f("gate_level_datapath_pj"),
        f("gate_level_clock_pj"),
    );
    assert!(gate > data && data > 0.0 && f("cost_model_pj") > 0.0, "{v}");
    assert!((data + clock - gate).abs() < 1e-9 * gate, "{v}");
    // Both methods at the library's 1.10 V: the cost model's 0.9 V figure scaled by V².
    let scale = (1.10f64 / 0.9).powi(2);
    assert!((f("supply_scale") - scale).abs() < 1e-12, "{v}");
    assert!(
        (f("cost_model_at_library_pj") - scale * f("cost_model_pj")).abs() < 1e-9,
        "{v}"
    );
    assert!(
        (f("ratio") - f("cost_model_at_library_pj") / gate).abs() < 1e-9,
        "{v}"
    );
    // Every flip-flop is clocked every cycle in both, with the clock net's wire: the clocks
    // agree but for the few flip-flops synthesis finds constant.
    assert!(f("ratio_clock") > 0.9 && f("ratio_clock") < 1.15, "{v}");
    assert_eq!(v["samples"].as_u64().unwrap(), 256, "every code once");
    assert!(v["gate_level"]["cells"]["DFF_X1"].as_u64().unwrap() > 0);
    // The same directory, the same figures; with gate delays, glitches add toggles.
    let (_, again, _) = run(&["synth", g.to_str().unwrap(), "--power", "--json"]);
    let w: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(w["gate_level"]["total_fj"], v["gate_level"]["total_fj"]);
    let (code, unit, err) = run(&[
        "synth",
        g.to_str().unwrap(),
        "--power",
        "--unit-delay",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let u: serde_json::Value = serde_json::from_str(&unit).unwrap();
    assert!(
        u["gate_level"]["toggles"].as_u64().unwrap() > v["gate_level"]["toggles"].as_u64().unwrap()
    );
    let (code, text, _) = run(&["synth", g.to_str().unwrap(), "--power"]);
    assert_eq!(code, 0);
    assert!(
        text.contains("zero delay: no glitches") && text.contains("cost model"),
        "{text}"
    );
    // Nothing written into the directory; a table or a directory gen did not write is refused.
    assert_eq!(std::fs::read_dir(&g).unwrap().count(), 7);
    assert_input_error(
        &["synth", t.to_str().unwrap(), "--power"],
        "--power needs a directory written by 'lutforge gen'",
    );
    assert_input_error(
        &["synth", dir.path().to_str().unwrap(), "--power"],
        "--power needs a directory",
    );
    assert_input_error(
        &["synth", g.to_str().unwrap(), "--power", "--target", "ice40"],
        "drop --target",
    );
}

#[test]
fn missing_tools_are_named_with_their_package() {
    let dir = tempfile::tempdir().unwrap();
    let t = exact_table(dir.path(), "gelu", "3..3");
    for (args, tool) in [
        (
            vec!["verify", t.to_str().unwrap()],
            "verilator not found: install it with 'apt-get install verilator'",
        ),
        (
            vec!["synth", t.to_str().unwrap()],
            "yosys not found: install it with 'apt-get install yosys'",
        ),
    ] {
        let out = lutforge()
            .env("PATH", "/nonexistent")
            .env("LUTFORGE_CACHE", dir.path().join("c"))
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert_eq!(
            err.lines().filter(|l| !l.starts_with("  ")).count(),
            1,
            "{err}"
        );
        assert!(err.contains(tool), "{err}");
    }
}

#[test]
fn names_and_resets_are_the_users() {
    let dir = tempfile::tempdir().unwrap();
    let t = exact_table(dir.path(), "gelu", "3..3");
    let out = dir.path().join("rtl");
    let o = out.to_str().unwrap();
    let (code, _, err) = run(&[
        "gen",
        t.to_str().unwrap(),
        "--name",
        "act_gelu",
        "--reset",
        "async",
        "--reset-active",
        "low",
        "--fixed",
        "-o",
        o,
    ]);
    assert_eq!(code, 0, "{err}");
    let v = std::fs::read_to_string(out.join("act_gelu.v")).unwrap();
    assert!(
        v.contains("module act_gelu (") && v.contains("input  wire       rst_n,"),
        "{v}"
    );
    assert!(v.contains("always @(posedge clk or negedge rst_n)") && v.contains("if (!rst_n)"));
    assert!(
        !v.contains("cfg_we") && !v.contains("genvar"),
        "fixed, one lane"
    );
    let tb = std::fs::read_to_string(out.join("act_gelu_tb.v")).unwrap();
    assert!(tb.contains("module act_gelu_tb;") && tb.contains("act_gelu act_gelu ("));
    // The testbench's waveform has a GTKWave save file in the testbench's hierarchy.
    let gtkw = std::fs::read_to_string(out.join("act_gelu_tb.gtkw")).unwrap();
    assert!(
        gtkw.contains("[dumpfile] \"act_gelu_tb.vcd\"")
            && gtkw.contains("\nact_gelu_tb.rst_n\n")
            && gtkw.contains("act_gelu_tb.act_gelu.out_data[7:0]"),
        "{gtkw}"
    );
    // The earlier unit's files are gen's own: a new name replaces them without --force.
    let (code, _, err) = run(&["gen", t.to_str().unwrap(), "--name", "other", "-o", o]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.join("act_gelu.v").exists() && out.join("other.v").is_file());
    for bad in ["1gelu", "module", "a-b", ""] {
        assert_input_error(
            &[
                "gen",
                t.to_str().unwrap(),
                "--name",
                bad,
                "-o",
                dir.path().join("x").to_str().unwrap(),
            ],
            "",
        );
    }
    assert!(!dir.path().join("x").exists());
}

#[test]
fn verify_dir_checks_the_verilog_found_there() {
    let dir = tempfile::tempdir().unwrap();
    let t = exact_table(dir.path(), "gelu", "2..2");
    let out = dir.path().join("rtl");
    let o = out.to_str().unwrap();
    assert_eq!(run(&["gen", t.to_str().unwrap(), "-o", o]).0, 0);
    let (code, stdout, err) = lutforge_env(&["verify", o, "--random", "200"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("RTL = simulator") && stdout.contains("icarus testbench PASS"),
        "{stdout}"
    );
    // A hand edit that changes the unit's behaviour: the first differing cycle and signal.
    let f = out.join("gelu_s2_k8_int8.v");
    let v = std::fs::read_to_string(&f).unwrap();
    let edited = v.replace(
        "assign out_valid = s4_valid;",
        "assign out_valid = s4_valid & ~s4_y[0];",
    );
    assert_ne!(v, edited);
    std::fs::write(&f, edited).unwrap();
    let (code, stdout, err) =
        lutforge_env(&["verify", o, "--random", "20", "--no-icarus"], dir.path());
    assert_eq!(code, 1, "{stdout}{err}");
    assert!(err.contains("cycle ") && err.contains("out_valid"), "{err}");
    assert_input_error(&["verify", o, "--lanes", "2"], "lutforge.json");
}

#[test]
fn export_load_writes_three_files_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let t = exact_table(dir.path(), "gelu", "3..3");
    let p = dir.path().join("load");
    let (code, _, err) = run(&[
        "export",
        "--to",
        "load",
        t.to_str().unwrap(),
        "-o",
        p.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    for ext in ["mem", "h", "json"] {
        assert!(dir.path().join(format!("load.{ext}")).is_file(), "{ext}");
    }
    let h = std::fs::read_to_string(dir.path().join("load.h")).unwrap();
    assert!(h.contains("static const uint32_t gelu_s3_k8_int8_cfg[2 * GELU_S3_K8_INT8_CFG_WRITES]"));
    let q = dir.path().join("fixed");
    assert_input_error(
        &[
            "export",
            "--to",
            "load",
            t.to_str().unwrap(),
            "--fixed",
            "-o",
            q.to_str().unwrap(),
        ],
        "no write port",
    );
    assert!(!dir.path().join("fixed.mem").exists() && !dir.path().join("fixed.h").exists());
}

/// The tables of one member of a two-function front: one programmable unit serves both.
#[test]
fn a_shared_unit_serves_every_table_of_a_pareto_member() {
    let dir = tempfile::tempdir().unwrap();
    let tables = dir.path().join("tables");
    let (code, _, err) = run(&[
        "pareto",
        "--function",
        "gelu,exp",
        "--segments",
        "3..4",
        "--input-bits",
        "6",
        "--slope-bits",
        "5..6",
        "--intercept-bits",
        "6..7",
        "--output-bits",
        "6..7",
        "--population",
        "8",
        "--generations",
        "2",
        "--tables",
        tables.to_str().unwrap(),
        "-o",
        dir.path().join("front.json").to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(code, 0, "{err}");
    let gelu = tables.join("member-000-gelu.json");
    let exp = tables.join("member-000-exp.json");
    let out = dir.path().join("shared");
    let o = out.to_str().unwrap();
    let (code, stdout, err) = run(&[
        "gen",
        gelu.to_str().unwrap(),
        exp.to_str().unwrap(),
        "-o",
        o,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("shared by 2 tables"), "{err}");
    let module = std::path::Path::new(stdout.lines().next().unwrap())
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(module.starts_with("gelu_exp_k"), "{module}");
    for f in ["gelu", "exp"] {
        for ext in ["mem", "h", "json"] {
            assert!(
                out.join(format!("{module}_{f}.{ext}")).is_file(),
                "{f}.{ext}"
            );
        }
    }
    // Verilator against the simulator once per table, and the testbench (which loads and
    // checks both) under Icarus.
    let (code, stdout, err) = lutforge_env(&["verify", o, "--random", "300"], dir.path());
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].starts_with("gelu, scale ") && lines[1].starts_with("exp, scale "));
    assert!(lines
        .iter()
        .all(|l| l.contains("RTL = simulator") && l.contains("icarus testbench PASS")));
    // The exp pass loads exp's table through the write port: its load image's writes.
    let image = std::fs::read_to_string(out.join(format!("{module}_exp.mem"))).unwrap();
    let writes = image.lines().filter(|l| !l.starts_with("//")).count();
    assert!(writes > 0);
    let (code, stdout, _) = lutforge_env(&["verify", o, "--random", "0", "--json"], dir.path());
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        v["scales"][0]["cfg_writes"], 0,
        "gelu runs on the reset table"
    );
    assert_eq!(v["scales"][1]["cfg_writes"], writes, "exp is loaded first");
    // Tables of units that differ, a fixed shared unit, a table given twice: refused.
    let x = dir.path().join("x");
    let x = x.to_str().unwrap();
    let (g, e) = (gelu.to_str().unwrap(), exp.to_str().unwrap());
    let other = exact_table(dir.path(), "exp", "3..3");
    assert_input_error(
        &["gen", g, other.to_str().unwrap(), "-o", x],
        "needs another unit",
    );
    assert_input_error(&["gen", g, e, "--fixed", "-o", x], "must be programmable");
    assert_input_error(&["gen", g, g, "-o", x], "given twice");
    assert!(!dir.path().join("x").exists());
}

/// `gen --arch rom`: the direct table, its testbench under Icarus and Verilator, synthesis, and
/// an edited word caught by `verify DIR`.
#[test]
fn a_direct_table_is_generated_verified_and_synthesized() {
    let dir = tempfile::tempdir().unwrap();
    let t = exact_table(dir.path(), "gelu", "4..4");
    let ts = t.to_str().unwrap();
    // Fixed and programmable, one to four stages, one to three lanes, both resets: every
    // shape's testbench replays all 256 codes (and the programmable one rewrites words through
    // the write port) under Icarus, and Verilator matches the simulator cycle by cycle over
    // every code, then random samples with gaps, stalls and word rewrites.
    for (i, shape) in [
        &["--fixed", "--stages", "1"][..],
        &["--stages", "4", "--lanes", "2"],
        &[
            "--fixed", "--stages", "3", "--lanes", "3", "--reset", "async",
        ],
        &["--stages", "2", "--reset", "async", "--reset-active", "low"],
    ]
    .iter()
    .enumerate()
    {
        let out = dir.path().join(format!("rom{i}"));
        let o = out.to_str().unwrap();
        let mut args = vec!["gen", ts, "--arch", "rom", "-o", o];
        args.extend_from_slice(shape);
        let (code, _, err) = run(&args);
        assert_eq!(code, 0, "{shape:?}: {err}");
        assert!(err.contains("direct table of 256 words"), "{err}");
        // The testbench replays every code at least once.
        let samples: u32 = err
            .split("cycles (")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no sample count in {err}"));
        assert!(samples >= 256, "{err}");
        let v = std::fs::read_to_string(out.join("gelu_s4_rom_int8.v")).unwrap();
        assert!(v.contains("largest error 0.4"), "{v}");
        assert_eq!(
            v.contains("tbl_w[cfg_addr] <= cfg_data"),
            !shape.contains(&"--fixed")
        );
        let (code, stdout, err) = lutforge_env(&["verify", o], dir.path());
        assert_eq!(code, 0, "{shape:?}: {err}");
        assert!(
            stdout.contains("RTL = simulator") && stdout.contains("icarus testbench PASS"),
            "{shape:?}: {stdout}"
        );
    }
    let o0 = dir.path().join("rom0");
    let (code, stdout, err) = run(&["synth", o0.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("CMOS transistors"), "{stdout}");
    // One word changed by hand: the testbenches, with vectors rebuilt from the manifest, fail.
    let f = o0.join("gelu_s4_rom_int8.v");
    let v = std::fs::read_to_string(&f).unwrap();
    let edited: String = v
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("8'h10: rom_word = ") {
                "                8'h10: rom_word = 8'h7f;".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(v.trim_end(), edited.trim_end());
    std::fs::write(&f, edited + "\n").unwrap();
    let (code, _, err) = lutforge_env(&["verify", o0.to_str().unwrap()], dir.path());
    assert_eq!(code, 1, "{err}");
    // The simulator runs the same unit, with the RTL's names in its waveform.
    let vcd = dir.path().join("rom.vcd");
    let (code, _, err) = run(&[
        "sim",
        ts,
        "--arch",
        "rom",
        "--stages",
        "4",
        "--samples",
        "64",
        "--vcd",
        vcd.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let w = std::fs::read_to_string(&vcd).unwrap();
    assert!(
        w.contains(" s2_addr ") && w.contains(" s3_word ") && !w.contains("s2_seg"),
        "{w}"
    );
    // What a direct table cannot be: one line, exit 2, nothing written.
    let x = dir.path().join("x");
    let xs = x.to_str().unwrap();
    assert_input_error(
        &["gen", ts, "--arch", "rom", "--format", "int16", "-o", xs],
        "table's own formats (int8)",
    );
    let wide = dir.path().join("wide.json");
    let (code, _, err) = run(&[
        "search",
        "--function",
        "gelu",
        "--segments",
        "8",
        "--scales",
        "8..8",
        "--input-bits",
        "18",
        "--method",
        "gqa",
        "--generations",
        "2",
        "--population",
        "4",
        "--quiet",
        "-o",
        wide.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_input_error(
        &["gen", wide.to_str().unwrap(), "--arch", "rom", "-o", xs],
        "at most 16 bits",
    );
    assert_input_error(
        &["cost", wide.to_str().unwrap(), "--arch", "rom"],
        "at most 16 bits",
    );
    assert!(!x.exists());
}
