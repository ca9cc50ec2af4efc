//! Where outputs go: devices, FIFOs and standard streams are written in place (never replaced
//! by a regular file), links are written through to their target, modes follow the umask and
//! survive a rewrite, and an output that is also an input is refused.

use crate::harness::*;
use std::os::unix::fs::PermissionsExt;

#[test]
fn a_device_output_stays_a_device() {
    let sb = Sandbox::new();
    let t = small_table(&sb);
    let null = device(sb.root(), "null", 3);
    let n = null.to_str().unwrap();
    let t = t.to_str().unwrap();
    for args in [
        vec!["plot", t, "-o", n],
        vec!["export", "--to", "gqa", t, "-o", n],
        vec!["sim", t, "--scale", "4", "--samples", "100", "--vcd", n],
        vec![
            "search",
            "--function",
            "gelu",
            "--segments",
            "4",
            "--scales",
            "2",
            "--method",
            "exact",
            "-o",
            n,
        ],
    ] {
        sb.run(&args).ok();
        assert!(is_char_device(&null), "{args:?} replaced the device node");
    }
    sb.assert_clean();
}

#[test]
fn a_fifo_output_is_written_in_place() {
    let sb = Sandbox::new();
    let t = small_table(&sb);
    let f = fifo(sb.root(), "pipe");
    let reader = {
        let f = f.clone();
        std::thread::spawn(move || std::fs::read_to_string(f).unwrap())
    };
    sb.run(&[
        "export",
        "--to",
        "gqa",
        t.to_str().unwrap(),
        "-o",
        f.to_str().unwrap(),
    ])
    .ok();
    let got = reader.join().unwrap();
    assert!(got.contains("\"gelu\""), "{got}");
    assert!(std::fs::symlink_metadata(&f)
        .unwrap()
        .file_type()
        .is_fifo_like());
    sb.assert_clean();
}

trait Fifo {
    fn is_fifo_like(&self) -> bool;
}
impl Fifo for std::fs::FileType {
    fn is_fifo_like(&self) -> bool {
        use std::os::unix::fs::FileTypeExt;
        self.is_fifo()
    }
}

#[test]
fn dev_stdout_is_written_in_place() {
    let sb = Sandbox::new();
    let t = small_table(&sb);
    let r = sb.run(&[
        "export",
        "--to",
        "gqa",
        t.to_str().unwrap(),
        "-o",
        "/dev/stdout",
    ]);
    r.ok();
    assert!(r.stdout.contains("\"gelu\""), "{r:?}");
    assert!(std::fs::symlink_metadata("/dev/stdout")
        .unwrap()
        .file_type()
        .is_symlink());
    sb.assert_clean();
}

#[test]
fn a_symlink_output_is_written_through() {
    let sb = Sandbox::new();
    let t = small_table(&sb);
    std::fs::create_dir(sb.path("real")).unwrap();
    sb.write("real/p.svg", "old");
    std::os::unix::fs::symlink("real/p.svg", sb.path("link.svg")).unwrap();
    sb.run(&["plot", t.to_str().unwrap(), "-o", "link.svg"])
        .ok();
    assert!(std::fs::symlink_metadata(sb.path("link.svg"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(sb.path("real/p.svg"))
        .unwrap()
        .contains("<svg"));
    // A dangling link creates its target.
    std::os::unix::fs::symlink("real/new.json", sb.path("dangling.json")).unwrap();
    sb.run(&[
        "export",
        "--to",
        "gqa",
        t.to_str().unwrap(),
        "-o",
        "dangling.json",
    ])
    .ok();
    assert!(sb.path("real/new.json").is_file());
    sb.assert_clean();
}

#[test]
fn modes_follow_the_umask_and_survive_a_rewrite() {
    let sb = Sandbox::new();
    let t = small_table(&sb);
    let mode = |p: &str| std::fs::metadata(sb.path(p)).unwrap().permissions().mode() & 0o777;
    let mut c = sb.cmd(&["plot", t.to_str().unwrap(), "-o", "p.svg"]);
    // SAFETY: umask(2) in the child before exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut c, || {
            libc::umask(0o022);
            Ok(())
        });
    }
    run_cmd(&mut c).ok();
    assert_eq!(mode("p.svg"), 0o644);
    std::fs::set_permissions(sb.path("p.svg"), std::fs::Permissions::from_mode(0o600)).unwrap();
    sb.run(&["plot", t.to_str().unwrap(), "-o", "p.svg"]).ok();
    assert_eq!(mode("p.svg"), 0o600);
    sb.run(&["gen", t.to_str().unwrap(), "-o", "rtl"]).ok();
    let m = std::fs::metadata(sb.path("rtl/gelu_s4_k8_int8.v"))
        .unwrap()
        .permissions()
        .mode();
    assert_ne!(
        m & 0o077,
        0,
        "gen's files are not private to the owner: {m:o}"
    );
    sb.assert_clean();
}

#[test]
fn an_output_that_is_an_input_is_refused() {
    let sb = Sandbox::new();
    let t = small_table(&sb);
    let before = std::fs::read_to_string(&t).unwrap();
    sb.write("stim.txt", "1\n2\n3\n");
    sb.write("f.csv", "x,y\n-4,0\n0,1\n4,0\n");
    let gqa = sb.write(
        "g.json",
        r#"{"gelu":{"4":{"breakpoints":[0.0],"slopes":[0,1],"intercepts":[0,0]}}}"#,
    );
    std::os::unix::fs::symlink("t.json", sb.path("alias.json")).unwrap();
    for args in [
        vec!["plot", "t.json", "-o", "t.json"],
        vec!["plot", "t.json", "-o", "alias.json"],
        vec!["export", "--to", "gqa", "t.json", "-o", "./t.json"],
        vec!["sim", "t.json", "--scale", "4", "--vcd", "t.json"],
        vec![
            "sim", "t.json", "--scale", "4", "--input", "stim.txt", "--trace", "stim.txt",
        ],
        vec![
            "sim", "t.json", "--scale", "4", "--vcd", "same", "--trace", "same",
        ],
        vec![
            "search",
            "--function",
            "f.csv",
            "--segments",
            "2",
            "--scales",
            "0",
            "--method",
            "exact",
            "-o",
            "f.csv",
        ],
    ] {
        sb.run(&args).one_line_error(2, &[]);
    }
    let r = sb.run(&[
        "import",
        "--from",
        "gqa",
        "g.json",
        "--function",
        "gelu",
        "-o",
        "g.json",
    ]);
    r.one_line_error(2, &["g.json", "input"]);
    assert_eq!(std::fs::read_to_string(&t).unwrap(), before);
    assert!(std::fs::read_to_string(&gqa)
        .unwrap()
        .contains("breakpoints"));
    assert_eq!(
        std::fs::read_to_string(sb.path("stim.txt")).unwrap(),
        "1\n2\n3\n"
    );
    assert!(!sb.path("same").exists());
    sb.assert_clean();
}

#[test]
fn an_output_path_that_is_a_directory_fails_before_the_work() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path("d")).unwrap();
    let r = sb.run(&[
        "pareto",
        "--function",
        "gelu",
        "--segments",
        "8",
        "--input-bits",
        "8",
        "--generations",
        "1",
        "--population",
        "8",
        "-q",
        "--csv",
        "f.csv",
        "-o",
        "d",
    ]);
    r.one_line_error(2, &["d", "is a directory"]);
    assert!(
        !sb.path("f.csv").exists(),
        "--csv written before the check of -o"
    );
    sb.assert_clean();
}

#[test]
fn gen_into_its_own_directory_swaps_it_whole() {
    use std::os::unix::fs::MetadataExt;
    let sb = Sandbox::new();
    let t = small_table(&sb);
    sb.run(&["gen", t.to_str().unwrap(), "-o", "rtl"]).ok();
    let ino = std::fs::metadata(sb.path("rtl")).unwrap().ino();
    sb.write("rtl/notes.txt", "mine");
    sb.run(&[
        "gen",
        t.to_str().unwrap(),
        "-o",
        "rtl",
        "--force",
        "--stages",
        "2",
    ])
    .ok();
    assert_ne!(
        std::fs::metadata(sb.path("rtl")).unwrap().ino(),
        ino,
        "not swapped"
    );
    assert_eq!(
        std::fs::read_to_string(sb.path("rtl/notes.txt")).unwrap(),
        "mine"
    );
    assert!(std::fs::read_to_string(sb.path("rtl/gelu_s4_k8_int8.v"))
        .unwrap()
        .contains("2 stage(s)"));
    sb.assert_clean();
}

/// Killed at any moment, `gen --force` over an earlier directory leaves either the old unit or
/// the new one, never files of both; the next run removes what the killed one staged.
#[test]
fn gen_killed_at_any_moment_leaves_one_whole_unit() {
    use std::time::{Duration, Instant};
    let sb = Sandbox::new();
    let old = small_table(&sb);
    let new = sb.write("new.json", &table_json(256, 12, 8));
    let gen = |t: &std::path::Path| sb.run(&["gen", t.to_str().unwrap(), "-o", "rtl", "--force"]);
    let snapshot = || -> Vec<(String, Vec<u8>)> {
        names(&sb.path("rtl"))
            .into_iter()
            .map(|n| (n.clone(), std::fs::read(sb.path("rtl").join(&n)).unwrap()))
            .collect()
    };
    gen(&new).ok();
    let new_files = snapshot();
    gen(&old).ok();
    let old_files = snapshot();
    let start = Instant::now();
    gen(&new).ok();
    let full = start.elapsed();
    gen(&old).ok();
    for i in 0..10u32 {
        let mut c = sb.cmd(&["gen", new.to_str().unwrap(), "-o", "rtl", "--force"]);
        let mut child = c.spawn().unwrap();
        std::thread::sleep(full * i / 8);
        let _ = child.kill();
        let _ = child.wait();
        let now = snapshot();
        assert!(
            now == old_files || now == new_files,
            "delay {i}/8: a mix of two units"
        );
        // Back to the old unit for the next round (this run also removes stale entries).
        gen(&old).ok();
        assert_eq!(snapshot(), old_files);
        sb.assert_clean();
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_read_only_directory_is_an_error_that_writes_nothing() {
    let sb = Sandbox::new();
    let t = small_table(&sb);
    let ro = sb.path("ro");
    std::fs::create_dir(&ro).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs"])
        .arg(&ro)
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !mounted {
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    let t = t.to_str().unwrap();
    for args in [
        vec!["plot", t, "-o", "ro/p.svg"],
        vec!["gen", t, "-o", "ro/rtl"],
        vec!["sim", t, "--scale", "4", "--vcd", "ro/w.vcd"],
        vec!["search", "--all", "-o", "ro/std"],
    ] {
        let r = sb.run(&args);
        r.one_line_error(2, &["ro/"]);
        assert!(names(&ro).is_empty(), "{args:?}");
    }
    if mounted {
        let _ = std::process::Command::new("umount").arg(&ro).status();
    }
    sb.assert_clean();
}

/// An existing directory the user may not write is refused (a swap from its parent would
/// replace it with one the user owns): run as an unprivileged user where the suite runs as
/// root.
#[test]
fn an_unwritable_directory_is_refused_not_replaced() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    // SAFETY: getuid has no preconditions.
    if unsafe { libc::getuid() } != 0 {
        return; // needs root to switch users; the test's point is an unprivileged run
    }
    let sb = Sandbox::new();
    let t = small_table(&sb);
    std::fs::set_permissions(sb.root(), std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::set_permissions(&t, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(sb.path("tmp"), std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::create_dir(sb.path("ro")).unwrap();
    sb.write("ro/keep.txt", "root's\n");
    std::fs::set_permissions(sb.path("ro"), std::fs::Permissions::from_mode(0o555)).unwrap();
    let mut c = sb.cmd(&["gen", t.to_str().unwrap(), "-o", "ro", "--force"]);
    c.uid(65534).gid(65534);
    let r = run_cmd(&mut c);
    if r.stderr.contains("Permission denied (os error 13)") && r.code == Some(126) {
        return; // the binary is not reachable by the unprivileged user here
    }
    r.one_line_error(2, &["ro", "not writable"]);
    assert_eq!(
        std::fs::read_to_string(sb.path("ro/keep.txt")).unwrap(),
        "root's\n"
    );
    use std::os::unix::fs::MetadataExt;
    assert_eq!(
        std::fs::metadata(sb.path("ro")).unwrap().uid(),
        0,
        "still root's"
    );
}
