//! The README's tour, verbatim, as one `sh -e` script: it must work as written, pasted into a
//! script (from the repository's root, with the binary under test first on the PATH in place
//! of the tour's `cargo build` line).

use std::process::Command;

#[test]
fn the_tour_runs_as_a_script() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let tour = readme
        .split("## A short tour")
        .nth(1)
        .and_then(|t| t.split("```sh").nth(1))
        .and_then(|t| t.split("```").next())
        .expect("the README has a tour in a sh block");
    let (build, body) = tour
        .trim_start()
        .split_once('\n')
        .expect("the tour has more than its first line");
    assert!(
        build.starts_with("cargo build --release") && build.contains("export PATH="),
        "the tour starts by building and putting the binary on the PATH: {build}"
    );
    let commands = body
        .lines()
        .filter(|l| l.trim_start().starts_with("lutforge "))
        .count();
    assert!(commands >= 30, "{commands} commands");
    let work = tempfile::tempdir().unwrap();
    // The tour's relative paths are the repository's (examples/…, crates/…): run from a copy
    // of the root's view, writing outputs into the temporary directory.
    for d in ["examples", "crates"] {
        std::os::unix::fs::symlink(format!("{root}/{d}"), work.path().join(d)).unwrap();
    }
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_lutforge"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // -x: the log names the line that failed.
    let out = Command::new("sh")
        .args(["-e", "-x", "-c", body])
        .current_dir(work.path())
        .env("PATH", path)
        .env("LUTFORGE_CACHE", work.path().join(".cache"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    // What the tour's outputs say, checked where they once misled.
    let says = |s: &str| assert!(err.contains(s), "the tour's log lacks {s:?}:\n{err}");
    says("exact mse optimum");
    says("recommended (smallest-within:1 of the int8 model, on the search data)");
    for f in [
        "gelu.json",
        "e.json",
        "gelu.svg",
        "gelu.vcd",
        "gelu.gtkw",
        "front.svg",
        "crossover.svg",
        "torch.json",
        "gru_front.json",
        "gru_front.svg",
        "rtl.vcd",
        "rtl.gtkw",
        "model.vcd",
        "model.gtkw",
    ] {
        assert!(work.path().join(f).is_file(), "the tour wrote no {f}");
    }
}
