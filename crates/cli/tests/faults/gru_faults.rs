//! The `gru` commands under the same faults as the unit commands: oversized and malformed task
//! files, a cell directory whose parts disagree, waveforms onto devices, into the directory
//! itself or under a signal, a directory that holds a user's file.

use crate::harness::*;
use std::sync::OnceLock;

/// A small front of BasicMotions and its model, made once for the tests of this module.
fn front() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            let o = std::process::Command::new(bin())
                .args(args)
                .current_dir(d.path())
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        };
        run(&[
            "gru", "train", "--task", "motions", "--hidden", "4", "--epochs", "2", "--folds", "2",
            "-q", "-o", "m.json",
        ]);
        run(&[
            "gru",
            "pareto",
            "--task",
            "motions",
            "--model",
            "m.json",
            "--population",
            "6",
            "--generations",
            "1",
            "--finetune",
            "0",
            "--bits",
            "4..8",
            "-q",
            "-o",
            "f.json",
        ]);
        d
    })
    .path()
}

/// A cell directory `cell` in the sandbox, from member 0 of the shared front.
fn cell(sb: &Sandbox) {
    let f = front();
    let r = sb.run(&[
        "gru",
        "gen",
        f.join("f.json").to_str().unwrap(),
        "--member",
        "0",
        "--model",
        f.join("m.json").to_str().unwrap(),
        "--lanes",
        "2",
        "-o",
        "cell",
    ]);
    r.ok();
}

fn npz(sb: &Sandbox, name: &str, build: impl FnOnce(&mut ndarray_npy::NpzWriter<std::fs::File>)) {
    let mut w = ndarray_npy::NpzWriter::new(std::fs::File::create(sb.path(name)).unwrap());
    build(&mut w);
    w.finish().unwrap();
}

/// Task files that claimed too much or held too little: one line each, no panic, no abort,
/// nothing left behind.
#[test]
fn task_files_are_bounded_before_anything_is_allocated() {
    let sb = Sandbox::new();
    // A label of 2^63 − 1, and of 10^12.
    for (name, label) in [("huge.npz", i64::MAX), ("tera.npz", 1_000_000_000_000)] {
        npz(&sb, name, |w| {
            w.add_array("X", &ndarray::Array2::<f64>::zeros((2, 3)))
                .unwrap();
            w.add_array("y", &ndarray::arr1(&[0i64, label])).unwrap();
            w.add_array("lengths", &ndarray::arr1(&[1i64, 1])).unwrap();
        });
        let r = sb.run(&["gru", "train", "--task", name, "-o", "m.json"]);
        r.one_line_error(2, &[name, "labels are classes 0 to"]);
    }
    // No sequences at all.
    npz(&sb, "none.npz", |w| {
        w.add_array("X", &ndarray::Array2::<f64>::zeros((0, 3)))
            .unwrap();
        w.add_array("y", &ndarray::Array1::<i64>::zeros(0)).unwrap();
        w.add_array("lengths", &ndarray::Array1::<i64>::zeros(0))
            .unwrap();
    });
    sb.run(&["gru", "train", "--task", "none.npz", "-o", "m.json"])
        .one_line_error(2, &["no sequences"]);
    // Zero features.
    npz(&sb, "flat.npz", |w| {
        w.add_array("X", &ndarray::Array2::<f64>::zeros((2, 0)))
            .unwrap();
        w.add_array("y", &ndarray::arr1(&[0i64, 1])).unwrap();
        w.add_array("lengths", &ndarray::arr1(&[1i64, 1])).unwrap();
    });
    sb.run(&["gru", "train", "--task", "flat.npz", "-o", "m.json"])
        .one_line_error(2, &["no features"]);
    // An npy header that declares (10^12, 3) float64 values over a few bytes.
    let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000, 3), }";
    let mut npy = b"\x93NUMPY\x01\x00".to_vec();
    let pad = 64 - (10 + header.len() + 1) % 64;
    let text = format!("{header}{}\n", " ".repeat(pad));
    npy.extend((text.len() as u16).to_le_bytes());
    npy.extend(text.as_bytes());
    npy.extend([0u8; 48]);
    {
        use std::io::Write;
        let f = std::fs::File::create(sb.path("big.npz")).unwrap();
        let mut z = zip::ZipWriter::new(f);
        z.start_file("X.npy", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(&npy).unwrap();
        z.finish().unwrap();
    }
    sb.run(&["gru", "train", "--task", "big.npz", "-o", "m.json"])
        .one_line_error(2, &["X.npy", "larger than"]);
    // A garbage header: one line.
    {
        use std::io::Write;
        let f = std::fs::File::create(sb.path("junk.npz")).unwrap();
        let mut z = zip::ZipWriter::new(f);
        z.start_file("X.npy", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(b"\x93NUMPY\x01\x00\x10\x00{garbage\n line\n}\n")
            .unwrap();
        z.finish().unwrap();
    }
    sb.run(&["gru", "train", "--task", "junk.npz", "-o", "m.json"])
        .one_line_error(2, &["junk.npz"]);
    assert!(!sb.path("m.json").exists());
    sb.assert_clean();
}

/// A cell directory whose parts no longer agree is refused by every command that reads it:
/// an edited table, a manifest that lies about its steps, a bad module name.
#[test]
fn an_edited_cell_directory_is_refused() {
    let sb = Sandbox::new();
    cell(&sb);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sb.path("cell/cell.json")).unwrap()).unwrap();
    let table = m["tables"][0].as_str().unwrap().to_string();
    let t = sb.path(&format!("cell/{table}"));
    let original = std::fs::read_to_string(&t).unwrap();
    std::fs::write(&t, original.replace("\"segments\"", " \"segments\"")).unwrap();
    for verb in ["verify", "sim", "cost"] {
        sb.run(&["gru", verb, "cell"])
            .one_line_error(2, &[&table, "SHA-256"]);
    }
    std::fs::write(&t, &original).unwrap();
    let manifest = std::fs::read_to_string(sb.path("cell/cell.json")).unwrap();
    let edits: [(&str, serde_json::Value, &str); 4] = [
        ("steps", serde_json::json!(1), "steps.txt holds"),
        ("depth", serde_json::json!(2), "unknown field"),
        ("module", serde_json::json!("always"), "always"),
        ("lanes", serde_json::json!(0), "lanes"),
    ];
    for (key, value, needle) in edits {
        let mut v: serde_json::Value = serde_json::from_str(&manifest).unwrap();
        v[key] = value;
        std::fs::write(sb.path("cell/cell.json"), v.to_string()).unwrap();
        sb.run(&["gru", "sim", "cell"]).one_line_error(2, &[needle]);
    }
    std::fs::write(sb.path("cell/cell.json"), &manifest).unwrap();
    sb.run(&["gru", "sim", "cell"]).ok();
}

/// Waveforms are outputs like the rest: never one of the directory's files, never a
/// directory, a full device is one line (no hang), and a signal leaves an earlier file whole.
#[test]
fn waveforms_are_staged_outputs() {
    let sb = Sandbox::new();
    cell(&sb);
    let steps = std::fs::read(sb.path("cell/steps.txt")).unwrap();
    sb.run(&[
        "gru",
        "verify",
        "cell",
        "--sequences",
        "1",
        "--vcd",
        "cell/steps.txt",
    ])
    .one_line_error(2, &["steps.txt"]);
    assert_eq!(std::fs::read(sb.path("cell/steps.txt")).unwrap(), steps);
    std::fs::create_dir(sb.path("dir")).unwrap();
    sb.run(&["gru", "verify", "cell", "--sequences", "1", "--vcd", "dir"])
        .one_line_error(2, &["dir"]);
    let full = device(sb.root(), "full", 7);
    let t = std::time::Instant::now();
    sb.run(&[
        "gru",
        "verify",
        "cell",
        "--sequences",
        "1",
        "--vcd",
        full.to_str().unwrap(),
    ])
    .one_line_error(2, &["full"]);
    assert!(t.elapsed().as_secs() < 60, "no hang");
    // An earlier waveform survives an interrupted run whole.
    sb.write("r.vcd", "earlier\n");
    let c = sb.cmd(&["gru", "verify", "cell", "--vcd", "r.vcd"]);
    let root = sb.root().to_path_buf();
    let r = interrupt(c, libc::SIGINT, &|| staging_in(&root));
    assert!(r.code == Some(130) || r.code == Some(0), "{r:?}");
    if r.code == Some(130) {
        assert_eq!(
            std::fs::read_to_string(sb.path("r.vcd")).unwrap(),
            "earlier\n"
        );
    }
    sb.assert_clean();
}

/// `gru gen` keeps a user's file as `gen` does: refused without --force, kept with it.
#[test]
fn gru_gen_keeps_a_users_file() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path("cell")).unwrap();
    sb.write("cell/notes.txt", "mine\n");
    let f = front();
    let args = |force: bool| {
        let mut v = vec![
            "gru".to_string(),
            "gen".into(),
            f.join("f.json").to_string_lossy().into_owned(),
            "--member".into(),
            "0".into(),
            "--model".into(),
            f.join("m.json").to_string_lossy().into_owned(),
            "-o".into(),
            "cell".into(),
        ];
        if force {
            v.push("--force".into());
        }
        v
    };
    let a = args(false);
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    sb.run(&refs).one_line_error(2, &["notes.txt", "--force"]);
    assert_eq!(
        std::fs::read_to_string(sb.path("cell/notes.txt")).unwrap(),
        "mine\n"
    );
    let a = args(true);
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    sb.run(&refs).ok();
    assert_eq!(
        std::fs::read_to_string(sb.path("cell/notes.txt")).unwrap(),
        "mine\n"
    );
    assert!(sb.path("cell/cell.json").is_file());
    sb.assert_clean();
}

/// A generated directory appears only when the command succeeds: stdout on a full device or
/// a closed pipe leaves nothing.
#[test]
fn a_failed_report_leaves_no_directory() {
    let sb = Sandbox::new();
    let t = small_table(&sb);
    let t = t.to_str().unwrap();
    let mut c = sb.cmd(&["gen", t, "-o", "rtl"]);
    c.stdout(full_stdio(sb.root()));
    let r = run_cmd(&mut c);
    r.one_line_error(2, &[]);
    assert!(!sb.path("rtl").exists(), "{r:?}");
    let mut c = sb.cmd(&["gen", t, "-o", "rtl"]);
    c.stdout(closed_pipe());
    let r = run_cmd(&mut c);
    assert_eq!(r.code, Some(141), "{r:?}");
    assert!(!sb.path("rtl").exists());
    sb.assert_clean();
}
