//! Helpers shared by the binary's tests.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub fn lutforge() -> Command {
    Command::cargo_bin("lutforge").unwrap()
}

/// Runs the binary and returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = lutforge().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts a usage/input error: exit 2, exactly one line on stderr containing `needle`.
pub fn assert_input_error(args: &[&str], needle: &str) {
    let (code, _, err) = run(args);
    assert_eq!(code, 2, "args {args:?}: stderr {err}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| !l.starts_with("lutforge: warning:") && !l.starts_with("  "))
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "args {args:?}: one error line expected, got {err:?}"
    );
    assert!(lines[0].starts_with("lutforge: error: "), "{err}");
    assert!(
        err.contains(needle),
        "args {args:?}: {err:?} lacks {needle:?}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// Asserts a usage error as clap reports it: exit 2, the error on the first line, one hint
/// line (clap's suggestion, if any, and the subcommand's help) and nothing else, every needle
/// somewhere.
pub fn assert_usage_error(args: &[&str], needles: &[&str], help: &str) {
    let (code, _, err) = run(args);
    assert_eq!(code, 2, "args {args:?}: stderr {err}");
    assert!(err.starts_with("lutforge: error: "), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("Usage:"),
        "{err}"
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "the error and one hint line: {err}");
    assert!(
        lines[1].starts_with("  ") && lines[1].ends_with(&format!("see '{help} --help'")),
        "{err}"
    );
    for n in needles {
        assert!(err.contains(n), "args {args:?}: {err:?} lacks {n:?}");
    }
}

/// A small GQA-LUT file for gelu at two scales, with GQA-LUT's -0.0 / 0.0 neighbours.
pub const GQA_GELU: &str = r#"{"gelu": {
  "0": {"breakpoints": [-3.0, -1.0, -0.0, 0.0, 1.0], "slopes": [0.0, -0.03125, 0.046875, 0.359375, 0.75, 1.0], "intercepts": [0.0, -0.09375, -0.125, 0.0, -0.015625, 0.0]},
  "3": {"breakpoints": [-3.0, -0.875, -0.375, 0.0, 0.625], "slopes": [0.0, -0.03125, 0.046875, 0.359375, 0.75, 1.0], "intercepts": [0.0, -0.09375, -0.125, 0.0, -0.015625, 0.0]}
}}"#;

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Imports `GQA_GELU` into `dir/gelu.json` and returns its path.
pub fn gelu_table(dir: &Path) -> PathBuf {
    let src = write(dir, "gqa.json", GQA_GELU);
    let out = dir.join("gelu.json");
    let (code, _, err) = run(&[
        "import",
        "--from",
        "gqa",
        src.to_str().unwrap(),
        "--function",
        "gelu",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    out
}
