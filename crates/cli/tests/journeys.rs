//! The two journeys of `examples/journeys/`, run as the scripts they are (from the repository's
//! root view, the binary under test on the PATH), their outputs checked where a user decides.

use std::path::Path;
use std::process::Command;

/// Runs `examples/journeys/NAME` in a fresh directory; (that directory, stdout, stderr).
fn journey(name: &str) -> (tempfile::TempDir, String, String) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let work = tempfile::tempdir().unwrap();
    for d in ["examples", "crates"] {
        std::os::unix::fs::symlink(format!("{root}/{d}"), work.path().join(d)).unwrap();
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_lutforge"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg(format!("examples/journeys/{name}"))
        .current_dir(work.path())
        .env("PATH", path)
        .env("LUTFORGE_CACHE", work.path().join(".cache"))
        .output()
        .unwrap();
    let (so, se) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{name}:\n{so}\n{se}");
    (work, so, se)
}

#[test]
fn int8_gelu_of_my_codes_into_my_design() {
    let (work, out, err) = journey("int8_gelu.sh");
    // explore weighs the direct table against the PWL unit for these codes and stars one.
    let starred: Vec<&str> = out.lines().filter(|l| l.starts_with("* ")).collect();
    assert!(
        starred.len() == 2 && out.contains("quantized gelu: input scale 0.0235 zero point 3"),
        "{out}"
    );
    // eval states its unit once: output codes.
    assert!(
        out.contains("in output codes²") && !out.contains("real units²"),
        "{out}"
    );
    // The PWL unit is named by its quantization, and gen points at the smaller architecture.
    let pwl = std::fs::read_dir(work.path().join("gelu_pwl"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|n| n.starts_with("gelu_qs8s8_k") && n.ends_with(".v") && !n.ends_with("_tb.v"));
    assert!(pwl.is_some(), "no gelu_qs8s8_k*.v");
    assert!(
        err.contains("smaller at the same error") && err.contains("--arch rom"),
        "{err}"
    );
    assert!(work.path().join("gelu_rom/gelu_qs8s8_rom.v").is_file());
    assert!(out.contains("NAND2 equivalents"), "{out}");
}

#[test]
fn my_pytorch_gru_as_the_smallest_accelerator_within_a_point() {
    let (work, out, err) = journey("torch_gru.sh");
    // The search says what it saw, and that the test split is only reported.
    for s in [
        "search data: the training inputs and noisy copies",
        "recommended (smallest-within:1 of the int8 model, on the search data)",
        "against int8 on the test split (paired)",
        "[95 % CI",
    ] {
        assert!(err.contains(s), "missing {s:?}:\n{err}");
    }
    // The cell equals the integer model, and the RTL the cell model.
    assert!(out.contains("cell model = integer model"), "{out}");
    assert!(out.contains(" 0 mismatches"), "{out}");
    // Every area names its reference.
    assert!(
        out.contains("GE (area)") && out.contains("stat -tech cmos"),
        "{out}"
    );
    for f in ["front.json", "front.svg", "front.csv", "cell/gru_cell.v"] {
        assert!(work.path().join(f).is_file(), "no {f}");
    }
}
