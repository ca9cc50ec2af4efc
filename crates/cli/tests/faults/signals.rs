//! SIGINT and SIGTERM mid-run remove every staged file and temporary directory, keep earlier
//! outputs and exit 130 / 143; after a SIGKILL, which cannot be caught, the next run into the
//! same place removes the stale staged files.

use crate::harness::*;

fn long_sim(sb: &Sandbox) -> std::process::Command {
    let t = small_table(sb);
    sb.cmd(&[
        "sim",
        t.to_str().unwrap(),
        "--scale",
        "4",
        "--samples",
        "100000000",
        "--vcd",
        "out.vcd",
        "--trace",
        "out.trace",
    ])
}

#[test]
fn sigint_and_sigterm_during_sim_leave_earlier_outputs_only() {
    for (sig, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        let sb = Sandbox::new();
        sb.write("out.vcd", "earlier");
        let root = sb.root().to_path_buf();
        let r = interrupt(long_sim(&sb), sig, &|| staging_in(&root));
        assert_eq!(r.code, Some(code), "{r:?}");
        r.no_panic();
        assert_eq!(
            std::fs::read_to_string(sb.path("out.vcd")).unwrap(),
            "earlier"
        );
        assert!(!sb.path("out.trace").exists());
        sb.assert_clean();
    }
}

#[test]
fn a_killed_run_leaves_staged_files_that_the_next_run_removes() {
    let sb = Sandbox::new();
    let root = sb.root().to_path_buf();
    let r = interrupt(long_sim(&sb), libc::SIGKILL, &|| {
        // The waveform, its GTKWave save file and the trace.
        find(&root, &|n| n.starts_with(".lutforge-stage-")).len() == 3
    });
    assert_eq!(r.signal, Some(libc::SIGKILL));
    assert!(staging_in(sb.root()), "SIGKILL cannot clean up");
    let t = small_table(&sb);
    sb.run(&[
        "sim",
        t.to_str().unwrap(),
        "--scale",
        "4",
        "--samples",
        "10",
        "--vcd",
        "out.vcd",
    ])
    .ok();
    sb.assert_clean();
}

#[test]
fn sigterm_during_search_all_and_pareto_writes_nothing() {
    let sb = Sandbox::new();
    let root = sb.root().to_path_buf();
    let c = sb.cmd(&["search", "--all", "--generations", "400", "-o", "std"]);
    let r = interrupt(c, libc::SIGTERM, &|| staging_in(&root));
    assert_eq!(r.code, Some(143), "{r:?}");
    assert!(!sb.path("std").exists());
    sb.assert_clean();

    let c = sb.cmd(&[
        "pareto",
        "--function",
        "gelu,exp",
        "--generations",
        "400",
        "--csv",
        "f.csv",
        "--tables",
        "members",
        "-o",
        "f.json",
    ]);
    let r = interrupt(c, libc::SIGTERM, &|| staging_in(&root));
    assert_eq!(r.code, Some(143), "{r:?}");
    assert_eq!(names(sb.root()), ["tmp"]);
    sb.assert_clean();
}

#[test]
fn sigterm_during_verify_removes_its_temporary_files() {
    let sb = Sandbox::new();
    let t = small_table(&sb);
    let tmp = sb.path("tmp");
    let mut c = sb.cmd(&["verify", t.to_str().unwrap(), "--random", "1000000"]);
    // A private cache, so that the run must build (and is interrupted while it does).
    c.env("LUTFORGE_CACHE", sb.path("cache"));
    let r = interrupt(c, libc::SIGTERM, &|| {
        names(&tmp).len() + names(&sb.path("cache")).len() > 0
    });
    assert_eq!(r.code, Some(143), "{r:?}");
    sb.assert_clean();
    let stray = find(&sb.path("cache"), &|n| n.starts_with(".lutforge-stage-"));
    assert!(stray.is_empty(), "{stray:?}");
}
