//! Standard output and standard error that cannot be written: a closed pipe ends the run
//! quietly (exit 141, as `ls | head`), a full device is an output error (exit 2); never a
//! panic.

use crate::harness::*;
use std::process::Stdio;

fn commands(t: &str) -> Vec<Vec<&str>> {
    vec![
        vec!["functions"],
        vec!["functions", "--json"],
        vec!["eval", t],
        vec!["eval", t, "--json"],
        vec!["sim", t, "--scale", "4", "--samples", "100"],
        vec!["sim", t, "--scale", "4", "--samples", "100", "--json"],
        vec!["cost", t, "--samples", "200"],
        vec!["gen", t, "-o", "rtl", "--force"],
    ]
}

#[test]
fn stdout_on_a_full_device_is_an_error() {
    let sb = Sandbox::new();
    let t = small_table(&sb);
    for args in commands(t.to_str().unwrap()) {
        let mut c = sb.cmd(&args);
        c.stdout(full_stdio(sb.root()));
        let r = run_cmd(&mut c);
        r.one_line_error(2, &["standard output", "No space left on device"]);
    }
    sb.assert_clean();
}

#[test]
fn stdout_on_a_closed_pipe_ends_quietly() {
    let sb = Sandbox::new();
    let t = small_table(&sb);
    for args in commands(t.to_str().unwrap()) {
        let mut c = sb.cmd(&args);
        c.stdout(closed_pipe());
        let r = run_cmd(&mut c);
        assert_eq!(r.code, Some(141), "{args:?}: {r:?}");
        assert_eq!(r.stderr, "", "{args:?}: quiet");
        r.no_panic();
    }
    sb.assert_clean();
}

#[test]
fn stderr_on_a_full_device_or_closed_never_panics() {
    let sb = Sandbox::new();
    let t = small_table(&sb);
    let t = t.to_str().unwrap();
    for (args, code) in [
        (vec!["eval", "missing.json"], 2),
        (vec!["sim", t, "--scale", "9"], 2),
        (vec!["search", "--function", "gelu"], 2),
        (vec!["eval", t], 0),
        (vec!["plot", t, "-o", "p.svg"], 0),
    ] {
        for closed in [false, true] {
            let mut c = sb.cmd(&args);
            c.stdout(Stdio::null());
            c.stderr(if closed {
                closed_pipe()
            } else {
                full_stdio(sb.root())
            });
            let r = run_cmd(&mut c);
            assert_eq!(r.code, Some(code), "{args:?} closed={closed}: {r:?}");
        }
    }
    sb.assert_clean();
}
