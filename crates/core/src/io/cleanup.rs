//! What an interrupted run must undo: the staged files and directories it has not committed
//! yet, its private temporary directories, and the child processes it started (Verilator,
//! Yosys, Icarus). The binary's SIGINT/SIGTERM handler and its panic hook call [`run`];
//! everything else registers here while it exists and deregisters when it is done.
//!
//! SIGKILL cannot be caught, so staged entries carry the owner's process id in their name
//! (`.lutforge-stage-PID-…`): the next run that stages into the same directory removes the
//! ones whose process is gone ([`remove_stale`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// The name prefix of every staged entry: `.lutforge-stage-PID-N-NAME`.
pub const STAGE_PREFIX: &str = ".lutforge-stage-";

#[derive(Default)]
struct Registry {
    paths: BTreeMap<u64, PathBuf>,
    children: BTreeMap<u64, u32>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    paths: BTreeMap::new(),
    children: BTreeMap::new(),
});
static NEXT: AtomicU64 = AtomicU64::new(1);

fn registry() -> MutexGuard<'static, Registry> {
    // A panic while the lock was held must not stop the cleanup that follows it.
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

/// A registration; dropping it (or calling [`Guard::release`]) removes the entry from the
/// registry, not from the disk.
#[derive(Debug)]
pub struct Guard(u64);

impl Guard {
    pub fn release(self) {}
}

impl Drop for Guard {
    fn drop(&mut self) {
        let mut r = registry();
        r.paths.remove(&self.0);
        r.children.remove(&self.0);
    }
}

/// A file or directory this run owns: removed when dropped (a failed run) and when the process
/// is interrupted, unless [`Owned::keep`] hands it over first.
#[derive(Debug)]
pub struct Owned {
    path: PathBuf,
    guard: Option<Guard>,
}

impl Owned {
    pub fn new(path: &Path) -> Owned {
        Owned {
            path: path.to_path_buf(),
            guard: Some(register_path(path)),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The entry is no longer this run's to remove (it was renamed into place).
    pub fn keep(mut self) {
        self.guard.take();
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        if self.guard.take().is_some() {
            remove_any(&self.path);
        }
    }
}

/// Registers a file or directory to be removed if the process is interrupted.
pub fn register_path(path: &Path) -> Guard {
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    registry().paths.insert(id, path.to_path_buf());
    Guard(id)
}

/// Registers a child process to be terminated if this process is interrupted.
pub fn register_child(pid: u32) -> Guard {
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    registry().children.insert(id, pid);
    Guard(id)
}

/// Runs a command to its end and collects its output, as `Command::output`, with the child
/// registered meanwhile so that an interrupted run terminates it too.
pub fn output_of(cmd: &mut std::process::Command) -> std::io::Result<std::process::Output> {
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    // Its own process group, so that the tools it starts in turn (make, the C++ compiler)
    // are terminated with it.
    let child = cmd
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let _guard = register_child(child.id());
    child.wait_with_output()
}

/// Terminates the registered children and removes the registered paths: call it on the way
/// out. Anything staged after it (in the instant before the exit) still carries this
/// process's id, so the next run removes it as stale.
pub fn run() {
    clean(&registry());
}

/// [`run`], then the process exits with `code` while it still holds the registry: a thread
/// about to stage something registers first and so waits until the process is gone, and
/// nothing is created after the cleanup. The signal handler's way out.
pub fn run_and_exit(code: i32) -> ! {
    let r = registry();
    clean(&r);
    std::process::exit(code)
}

fn clean(r: &Registry) {
    let groups: Vec<libc::pid_t> = r.children.values().map(|&p| p as libc::pid_t).collect();
    for &g in &groups {
        // SAFETY: kill(2) has no memory effects; a group that has already exited is harmless.
        unsafe {
            libc::kill(-g, libc::SIGTERM);
        }
    }
    // Give them a moment to stop writing into the directories about to be removed.
    let start = std::time::Instant::now();
    // SAFETY: kill(-g, 0) only asks whether the group still has a process.
    while groups.iter().any(|&g| unsafe { libc::kill(-g, 0) } == 0)
        && start.elapsed() < std::time::Duration::from_secs(2)
    {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    for p in r.paths.values() {
        remove_any(p);
    }
}

/// Removes a file, or a directory with everything in it; errors are ignored (cleanup is best
/// effort, and the entry may already be gone).
pub fn remove_any(p: &Path) {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => {
            let _ = std::fs::remove_dir_all(p);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(p);
        }
        Err(_) => {}
    }
}

/// A fresh staged name in `dir` for `target` (its file name, shortened so the whole name
/// stays under the usual 255-byte limit).
pub fn stage_name(dir: &Path, target: &Path) -> PathBuf {
    let base = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut short: String = base.chars().take(96).collect();
    if short.is_empty() {
        short.push('x');
    }
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{STAGE_PREFIX}{}-{n}-{short}", std::process::id()))
}

/// The process id a staged entry's name records, if it is one.
fn owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(STAGE_PREFIX)?;
    rest.split('-').next()?.parse().ok()
}

fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    // SAFETY: kill(pid, 0) only asks whether the process exists.
    let r = unsafe { libc::kill(pid as libc::pid_t, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Removes the staged entries in `dir` left by runs that were killed (their process is gone).
/// Entries of live processes, this one's included, are left alone.
pub fn remove_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        if let Some(pid) = owner(&name.to_string_lossy()) {
            if !alive(pid) {
                remove_any(&e.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_record_the_owner() {
        let p = stage_name(Path::new("/x"), Path::new("/y/out.vcd"));
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with(STAGE_PREFIX) && name.ends_with("-out.vcd"),
            "{name}"
        );
        assert_eq!(owner(&name), Some(std::process::id()));
        assert_eq!(owner("out.vcd"), None);
        let long = "a".repeat(400);
        let p = stage_name(Path::new("/x"), Path::new(&long));
        assert!(p.file_name().unwrap().len() < 200);
    }

    #[test]
    fn stale_entries_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        // pid_max on Linux is at most 2^22, so this process cannot exist.
        let dead = dir.path().join(format!("{STAGE_PREFIX}99999999-1-t.json"));
        let mine = stage_name(dir.path(), Path::new("t.json"));
        let other = dir.path().join("t.json");
        for p in [&dead, &mine, &other] {
            std::fs::write(p, "x").unwrap();
        }
        let dead_dir = dir.path().join(format!("{STAGE_PREFIX}99999999-2-rtl"));
        std::fs::create_dir(&dead_dir).unwrap();
        std::fs::write(dead_dir.join("a.v"), "x").unwrap();
        remove_stale(dir.path());
        assert!(!dead.exists() && !dead_dir.exists());
        assert!(mine.exists() && other.exists());
    }

    #[test]
    fn registered_paths_are_forgotten_when_released() {
        let g = register_path(Path::new("/nonexistent/a"));
        assert!(registry()
            .paths
            .values()
            .any(|p| p == Path::new("/nonexistent/a")));
        g.release();
        assert!(!registry()
            .paths
            .values()
            .any(|p| p == Path::new("/nonexistent/a")));
    }
}
