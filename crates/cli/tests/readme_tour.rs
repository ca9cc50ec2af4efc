//! Every command of the README's tour, verbatim, through the shell: the tour must work as
//! written (from the repository's root, `lutforge` the binary under test).

use std::process::Command;

#[test]
fn every_tour_line_runs() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let tour = readme
        .split("## A short tour")
        .nth(1)
        .and_then(|t| t.split("```sh").nth(1))
        .and_then(|t| t.split("```").next())
        .expect("the README has a tour in a sh block");
    let lines: Vec<&str> = tour
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("cargo build"))
        .collect();
    assert!(lines.len() >= 15, "{lines:?}");
    let work = tempfile::tempdir().unwrap();
    // The tour's relative paths are the repository's (examples/…, crates/…): run from a copy
    // of the root's view, writing outputs into the temporary directory.
    for d in ["examples", "crates"] {
        std::os::unix::fs::symlink(format!("{root}/{d}"), work.path().join(d)).unwrap();
    }
    let bin = env!("CARGO_BIN_EXE_lutforge");
    for line in lines {
        let command = line.split(" #").next().unwrap_or(line);
        assert!(!command.contains('['), "a bracket inside a command: {line}");
        let script = format!("lutforge() {{ '{bin}' \"$@\"; }}\nset -e\n{line}\n");
        let out = Command::new("sh")
            .arg("-c")
            .arg(&script)
            .current_dir(work.path())
            .env("LUTFORGE_CACHE", work.path().join(".cache"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{line}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
