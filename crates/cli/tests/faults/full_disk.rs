//! Full disks and full devices: every write, flush and sync is checked; a failed command
//! removes what it created, leaves what was there before, and says which path failed.

use crate::harness::*;

#[test]
fn gen_into_a_full_file_system_fails_and_leaves_nothing() {
    let sb = Sandbox::new();
    let Some(fs) = TinyFs::mount(&sb, 512) else {
        return gen_over_the_file_size_limit(&sb);
    };
    // 1024 segments at a 16-bit input, scale 12: the vectors alone are over 1 MiB.
    let t = sb.write("big.json", &table_json(1024, 16, 12));
    let out = fs.dir.join("rtl");
    let r = sb.run(&["gen", t.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    r.one_line_error(2, &["rtl", "No space left on device"]);
    assert_eq!(names(&fs.dir), Vec::<String>::new(), "nothing created");
    sb.assert_clean();
}

/// Where no tmpfs can be mounted, the file-size limit plays the full disk.
fn gen_over_the_file_size_limit(sb: &Sandbox) {
    let t = sb.write("big.json", &table_json(1024, 16, 12));
    let mut c = sb.cmd(&["gen", t.to_str().unwrap(), "-o", "rtl"]);
    limit_file_size(&mut c, 64 << 10);
    let r = run_cmd(&mut c);
    r.one_line_error(2, &["rtl", "File too large"]);
    assert!(!sb.path("rtl").exists());
    sb.assert_clean();
}

#[test]
fn regenerating_into_a_full_file_system_keeps_the_old_directory() {
    let sb = Sandbox::new();
    let Some(fs) = TinyFs::mount(&sb, 512) else {
        return;
    };
    let small = small_table(&sb);
    let out = fs.dir.join("rtl");
    sb.run(&["gen", small.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .ok();
    let before: Vec<(String, Vec<u8>)> = names(&out)
        .into_iter()
        .map(|n| (n.clone(), std::fs::read(out.join(&n)).unwrap()))
        .collect();
    let big = sb.write("big.json", &table_json(1024, 16, 12));
    let r = sb.run(&["gen", big.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    r.one_line_error(2, &["No space left on device"]);
    for (n, bytes) in &before {
        assert_eq!(&std::fs::read(out.join(n)).unwrap(), bytes, "{n} changed");
    }
    assert_eq!(names(&fs.dir), ["rtl"]);
    sb.assert_clean();
}

#[test]
fn pareto_on_a_full_disk_writes_none_of_its_files() {
    let sb = Sandbox::new();
    let Some(fs) = TinyFs::mount(&sb, 256) else {
        return;
    };
    fs.fill_leaving(12 << 10);
    let p = |n: &str| fs.dir.join(n).to_str().unwrap().to_string();
    let r = sb.run(&[
        "pareto",
        "--function",
        "gelu",
        "--segments",
        "8",
        "--input-bits",
        "8",
        "--generations",
        "2",
        "--population",
        "8",
        "-q",
        "--tables",
        &p("members"),
        "--csv",
        &p("f.csv"),
        "--plot",
        &p("f.svg"),
        "-o",
        &p("f.json"),
    ]);
    r.one_line_error(2, &["No space left on device"]);
    assert_eq!(names(&fs.dir), ["ballast"]);
    sb.assert_clean();
}

/// `search`, `plot`, `sim --vcd` and `pareto -o` onto a device that is always full.
#[test]
fn outputs_onto_a_full_device_fail_naming_it() {
    let sb = Sandbox::new();
    let t = small_table(&sb);
    let t = t.to_str().unwrap();
    let full = device(sb.root(), "full", 7);
    let f = full.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
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
            f,
        ],
        vec!["plot", t, "-o", f],
        vec!["sim", t, "--scale", "4", "--samples", "3000", "--vcd", f],
        vec!["sim", t, "--scale", "4", "--samples", "3000", "--trace", f],
        vec!["export", "--to", "gqa", t, "-o", f],
        vec![
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
            "-o",
            f,
        ],
    ];
    for args in cases {
        let r = sb.run(&args);
        r.one_line_error(2, &["full", "No space left on device"]);
        assert!(is_char_device(&full), "{args:?} replaced the device");
    }
    sb.assert_clean();
}

#[test]
fn a_vcd_over_the_file_size_limit_is_an_error_and_the_old_one_stays() {
    let sb = Sandbox::new();
    let t = small_table(&sb);
    sb.write("w.vcd", "earlier waveform");
    let mut c = sb.cmd(&[
        "sim",
        t.to_str().unwrap(),
        "--scale",
        "4",
        "--samples",
        "200000",
        "--vcd",
        "w.vcd",
    ]);
    limit_file_size(&mut c, 256 << 10);
    let r = run_cmd(&mut c);
    r.one_line_error(2, &["w.vcd", "File too large"]);
    assert_eq!(
        std::fs::read_to_string(sb.path("w.vcd")).unwrap(),
        "earlier waveform"
    );
    sb.assert_clean();
}
