//! The fault-injection harness: runs the release-style binary the way a hostile user would
//! (full disks, closed streams, signals, device and link outputs), each run in a sandbox whose
//! TMPDIR is private, so "nothing left behind" can be checked everywhere the run could write.
//!
//! `LUTFORGE_TEST_BIN` points the suite at another binary (an older build, to show that a test
//! fails without its fix).

use std::ffi::CString;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn bin() -> PathBuf {
    std::env::var_os("LUTFORGE_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_lutforge")))
}

/// What a run did.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit `code`, exactly one stderr line (besides warnings) naming every needle, no panic.
    pub fn one_line_error(&self, code: i32, needles: &[&str]) {
        assert_eq!(self.code, Some(code), "{self:?}");
        self.no_panic();
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| !l.starts_with("lutforge: warning:"))
            .collect();
        assert_eq!(lines.len(), 1, "one error line expected: {self:?}");
        assert!(lines[0].starts_with("lutforge: error: "), "{self:?}");
        for n in needles {
            assert!(lines[0].contains(n), "{n:?} missing: {self:?}");
        }
    }

    pub fn ok(&self) {
        assert_eq!(self.code, Some(0), "{self:?}");
        self.no_panic();
    }

    pub fn no_panic(&self) {
        assert_ne!(self.code, Some(101), "panicked: {self:?}");
        assert!(!self.stderr.contains("panicked"), "{self:?}");
        assert!(
            !self.stderr.contains("memory allocation"),
            "aborted: {self:?}"
        );
        assert_ne!(self.signal, Some(libc::SIGABRT), "aborted: {self:?}");
    }
}

/// A private directory for one test: work files in `root`, the binary's TMPDIR in `tmp`.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("tmp")).unwrap();
        Sandbox { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// The binary with `args`, run in the sandbox with its private TMPDIR.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.args(args)
            .current_dir(self.root())
            .env("TMPDIR", self.path("tmp"))
            .stdin(Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run_cmd(&mut self.cmd(args))
    }

    /// Nothing staged or temporary is left: no `.lutforge-stage-*` entry anywhere under the
    /// sandbox and an empty TMPDIR.
    pub fn assert_clean(&self) {
        let tmp: Vec<_> = std::fs::read_dir(self.path("tmp"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert!(tmp.is_empty(), "left in TMPDIR: {tmp:?}");
        let stray = find(self.root(), &|n| n.starts_with(".lutforge"));
        assert!(stray.is_empty(), "left behind: {stray:?}");
    }
}

/// Every path under `dir` whose file name satisfies `pred`.
pub fn find(dir: &Path, pred: &dyn Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if pred(&e.file_name().to_string_lossy()) {
            out.push(p.clone());
        }
        if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            out.extend(find(&p, pred));
        }
    }
    out
}

pub fn run_cmd(c: &mut Command) -> Run {
    let o = c.output().unwrap();
    Run {
        code: o.status.code(),
        signal: o.status.signal(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn cstr(p: &Path) -> CString {
    CString::new(p.to_str().unwrap()).unwrap()
}

/// A character device node in `dir`: major 1, `minor` (3 = null, 7 = full). Where no node can
/// be made (not root), the system's own, which a non-root user cannot replace anyway.
pub fn device(dir: &Path, name: &str, minor: u32) -> PathBuf {
    let p = dir.join(name);
    // SAFETY: a valid NUL-terminated path.
    let r = unsafe {
        libc::mknod(
            cstr(&p).as_ptr(),
            libc::S_IFCHR | 0o666,
            libc::makedev(1, minor),
        )
    };
    if r == 0 {
        p
    } else {
        PathBuf::from(if minor == 7 { "/dev/full" } else { "/dev/null" })
    }
}

pub fn is_char_device(p: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(p)
        .map(|m| m.file_type().is_char_device())
        .unwrap_or(false)
}

pub fn fifo(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(cstr(&p).as_ptr(), 0o600) }, 0);
    p
}

/// The write end of a pipe whose read end is already closed: the first write gets EPIPE.
pub fn closed_pipe() -> Stdio {
    let mut fds = [0; 2];
    // SAFETY: pipe(2) fills two descriptors, which are owned below.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: fds[0] was just created and is closed here, once.
    unsafe { libc::close(fds[0]) };
    // SAFETY: fds[1] is a fresh descriptor owned by nobody else.
    Stdio::from(unsafe { OwnedFd::from_raw_fd(fds[1]) })
}

/// Writes to a device that is always full.
pub fn full_stdio(dir: &Path) -> Stdio {
    let p = device(dir, "full-out", 7);
    Stdio::from(std::fs::OpenOptions::new().write(true).open(p).unwrap())
}

/// Limits every file the command writes to `bytes` (RLIMIT_FSIZE, with SIGXFSZ ignored so a
/// write beyond it fails with EFBIG): a full disk that needs no privileges.
pub fn limit_file_size(c: &mut Command, bytes: u64) {
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        c.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// A small tmpfs mounted in the sandbox (root only); `None` where mounting is not allowed.
pub struct TinyFs {
    pub dir: PathBuf,
}

impl TinyFs {
    pub fn mount(sb: &Sandbox, kib: u64) -> Option<TinyFs> {
        let dir = sb.path("tiny");
        std::fs::create_dir_all(&dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(&dir)
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        ok.then_some(TinyFs { dir })
    }

    /// Fills the file system but for about `free` bytes.
    pub fn fill_leaving(&self, free: u64) {
        let avail = fs_avail(&self.dir);
        if avail > free {
            std::fs::write(self.dir.join("ballast"), vec![0u8; (avail - free) as usize]).unwrap();
        }
    }
}

impl Drop for TinyFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.dir).status();
    }
}

fn fs_avail(p: &Path) -> u64 {
    // SAFETY: statvfs fills the struct for a valid path.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::statvfs(cstr(p).as_ptr(), &mut st) }, 0);
    st.f_bavail as u64 * st.f_frsize as u64
}

/// Starts the command, waits until `ready` holds (or the process ends), sends `sig`, and
/// returns how the process ended.
pub fn interrupt(mut c: Command, sig: i32, ready: &dyn Fn() -> bool) -> Run {
    let child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let start = Instant::now();
    let mut sent = false;
    while start.elapsed() < Duration::from_secs(120) {
        if ready() {
            // SAFETY: the child is ours and still unreaped.
            unsafe { libc::kill(pid, sig) };
            sent = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let o = child.wait_with_output().unwrap();
    assert!(sent, "the run never got ready: {o:?}");
    Run {
        code: o.status.code(),
        signal: o.status.signal(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Whether a staged entry exists in `dir`.
pub fn staging_in(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|es| {
            es.flatten().any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".lutforge-stage-")
            })
        })
        .unwrap_or(false)
}

/// A table file: `segments` segments on gelu's [-4, 4], `bits`-bit input at `frac`, output
/// (8, 4); breakpoints evenly spaced, coefficients small and valid.
pub fn table_json(segments: usize, bits: u32, frac: i32) -> String {
    let lo = (-4.0 * 2f64.powi(frac)).max(-(2f64.powi(bits as i32 - 1))) as i64;
    let hi = (4.0 * 2f64.powi(frac)).min(2f64.powi(bits as i32 - 1) - 1.0) as i64;
    let bps: Vec<i64> = (1..segments)
        .map(|i| lo + (hi - lo) * i as i64 / segments as i64)
        .collect();
    let slopes: Vec<i64> = (0..segments)
        .map(|i| (i as i64 * 64 / segments as i64).min(64))
        .collect();
    let icpts: Vec<i64> = (0..segments).map(|i| -((i % 8) as i64)).collect();
    serde_json::json!({
        "format": "lutforge-table/1",
        "function": {"name": "gelu", "domain": [-4.0, 4.0]},
        "segments": segments,
        "arith": "int",
        "input_bits": bits,
        "slope": {"bits": 8, "frac": 6},
        "intercept": {"bits": 8, "frac": 6},
        "output": {"bits": 8, "frac": 4},
        "rounding": "half-up",
        "scales": [{"frac": frac, "breakpoints": bps, "slopes": slopes, "intercepts": icpts}],
        "provenance": {"method": "test", "settings": null, "lutforge_version": "0.1.0"}
    })
    .to_string()
}

/// The small table most tests use: 8 segments, 8-bit input at scale 4.
pub fn small_table(sb: &Sandbox) -> PathBuf {
    sb.write("t.json", &table_json(8, 8, 4))
}

/// Names of the entries of a directory, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|es| {
            es.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}
