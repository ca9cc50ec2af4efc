//! An output directory written as a whole: every file goes into a staged directory beside the
//! target, and [`StagedDir::commit`] puts it in place in one step, so a run that fails or is
//! interrupted leaves either the old directory or the new one, never files of both.
//!
//! - A new target: the staged directory is renamed to it.
//! - An existing target: the two are swapped with `renameat2(RENAME_EXCHANGE)`, one atomic
//!   step; files of the old directory that this run does not write (kept with `keep_others`)
//!   are hard-linked into the new one first. The old directory is then removed.
//! - Where a swap cannot work (the target is the current directory or a mount point, holds
//!   subdirectories to keep, or the file system has no exchange), the staged files are renamed
//!   into the target one by one: each file is whole, but a run killed in those few renames may
//!   leave some files new and some old.

use super::cleanup::{self, Guard};
use super::output::parent_of;
use crate::error::{Error, Result};
use std::ffi::CString;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

pub struct StagedDir {
    shown: PathBuf,
    target: PathBuf,
    tmp: PathBuf,
    written: Vec<String>,
    _guard: Guard,
}

fn err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::io(path, format!("cannot write: {e}"))
}

impl StagedDir {
    /// Checks the target (a directory or nothing; links followed) and creates the staged
    /// directory beside it.
    pub fn create(path: &Path) -> Result<StagedDir> {
        let target = if path.exists() {
            std::fs::canonicalize(path).map_err(|e| err(path, e))?
        } else {
            path.to_path_buf()
        };
        if target.exists() && !target.is_dir() {
            return Err(Error::io(path, "exists and is not a directory"));
        }
        if target.is_dir() && !writable(&target) {
            // The swap would replace it from the parent, with a directory the user owns: a
            // directory the user may not write is refused, as writing into it would be.
            return Err(err(
                path,
                "permission denied (the directory is not writable)",
            ));
        }
        let parent = parent_of(&target).to_path_buf();
        if !parent.is_dir() {
            return Err(err(
                path,
                format!("directory {} does not exist", parent.display()),
            ));
        }
        cleanup::remove_stale(&parent);
        let tmp = cleanup::stage_name(&parent, &target);
        // Registered before it exists: a signal just after the creation still removes it.
        let guard = cleanup::register_path(&tmp);
        std::fs::DirBuilder::new()
            .mode(0o777)
            .create(&tmp)
            .map_err(|e| err(path, e))?;
        Ok(StagedDir {
            shown: path.to_path_buf(),
            target,
            tmp,
            written: Vec::new(),
            _guard: guard,
        })
    }

    /// Where the files are staged (tools may write into it too).
    pub fn staging(&self) -> &Path {
        &self.tmp
    }

    /// Writes one file of the new directory, checked and synced.
    pub fn write_file(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let shown = self.shown.join(name);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o666)
            .open(self.tmp.join(name))
            .map_err(|e| err(&shown, e))?;
        f.write_all(bytes)
            .and_then(|_| f.sync_all())
            .map_err(|e| err(&shown, e))?;
        self.written.push(name.to_string());
        Ok(())
    }

    /// Puts the new directory in place (see the module documentation). With `keep_others`,
    /// entries of the old directory that this run did not write are kept; without it the
    /// caller has checked that there are none.
    pub fn commit(self, keep_others: bool) -> Result<()> {
        self.commit_keeping(|_| keep_others)
    }

    /// [`StagedDir::commit`], keeping exactly the old entries (not written by this run) for
    /// which `keep` says so; the others go with the old directory.
    pub fn commit_keeping(self, keep: impl Fn(&str) -> bool) -> Result<()> {
        let shown = self.shown.clone();
        if !self.target.exists() {
            std::fs::rename(&self.tmp, &self.target).map_err(|e| err(&shown, e))?;
            return Ok(());
        }
        let others = self.others(&keep)?;
        let swappable = !same_dir(&self.target, Path::new("."))
            && !is_mount_point(&self.target)
            && others.iter().all(|p| p.is_file());
        if swappable {
            let mut linked = true;
            for p in &others {
                let name = p.file_name().unwrap_or_default();
                if std::fs::hard_link(p, self.tmp.join(name)).is_err() {
                    linked = false;
                    break;
                }
            }
            if linked && exchange(&self.tmp, &self.target).is_ok() {
                // The staged name now holds the old directory; the guard removes it if we
                // are interrupted here, and every kept file is linked in the new one.
                cleanup::remove_any(&self.tmp);
                return Ok(());
            }
        }
        // One by one: the staged directory holds whole files; rename each over its target.
        for name in &self.written {
            std::fs::rename(self.tmp.join(name), self.target.join(name))
                .map_err(|e| err(&shown.join(name), e))?;
        }
        cleanup::remove_any(&self.tmp);
        Ok(())
    }

    /// Entries of the old directory this run does not write and `keep` keeps.
    fn others(&self, keep: &dyn Fn(&str) -> bool) -> Result<Vec<PathBuf>> {
        let mut v = Vec::new();
        for e in std::fs::read_dir(&self.target).map_err(|e| err(&self.shown, e))? {
            let e = e.map_err(|e| err(&self.shown, e))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if !self.written.contains(&name)
                && !name.starts_with(cleanup::STAGE_PREFIX)
                && keep(&name)
            {
                v.push(e.path());
            }
        }
        Ok(v)
    }
}

impl Drop for StagedDir {
    /// Whatever is still at the staged name is this run's to remove: an uncommitted new
    /// directory, or the old one after a swap.
    fn drop(&mut self) {
        cleanup::remove_any(&self.tmp);
    }
}

/// Whether this process may create and remove entries in `dir` (by its effective ids).
fn writable(dir: &Path) -> bool {
    let Ok(c) = CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path; faccessat only reads it.
    unsafe {
        libc::faccessat(
            libc::AT_FDCWD,
            c.as_ptr(),
            libc::W_OK | libc::X_OK,
            libc::AT_EACCESS,
        ) == 0
    }
}

/// A directory written but not yet in place: the caller commits it once everything else
/// the command does has succeeded (its report printed), or drops it, which removes it.
pub struct PendingDir {
    staged: StagedDir,
    keep: Vec<String>,
}

impl PendingDir {
    /// `staged`, to be committed keeping the old entries named in `keep`.
    pub fn new(staged: StagedDir, keep: Vec<String>) -> PendingDir {
        PendingDir { staged, keep }
    }

    /// Puts the directory in place (`StagedDir::commit_keeping`).
    pub fn commit(self) -> Result<()> {
        let keep = self.keep;
        self.staged
            .commit_keeping(|name| keep.iter().any(|k| k == name))
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    super::output::same_file(a, b)
}

fn is_mount_point(p: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(p), std::fs::metadata(p.join(".."))) {
        (Ok(a), Ok(b)) => a.dev() != b.dev() || a.ino() == b.ino(),
        _ => true,
    }
}

/// Swaps two paths atomically (Linux `renameat2` with `RENAME_EXCHANGE`).
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both strings are valid NUL-terminated paths for the duration of the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn ino(p: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(p).unwrap().ino()
    }

    #[test]
    fn a_new_directory_appears_whole() {
        let root = tempfile::tempdir().unwrap();
        let t = root.path().join("rtl");
        let mut s = StagedDir::create(&t).unwrap();
        s.write_file("a.v", b"new").unwrap();
        assert!(!t.exists());
        s.commit(false).unwrap();
        assert_eq!(names(&t), ["a.v"]);
        assert_eq!(names(root.path()), ["rtl"]);
    }

    #[test]
    fn an_existing_directory_is_swapped_keeping_other_files() {
        let root = tempfile::tempdir().unwrap();
        let t = root.path().join("rtl");
        std::fs::create_dir(&t).unwrap();
        std::fs::write(t.join("a.v"), "old").unwrap();
        std::fs::write(t.join("b.v"), "old, not ours").unwrap();
        let before = ino(&t);
        let mut s = StagedDir::create(&t).unwrap();
        s.write_file("a.v", b"new").unwrap();
        s.commit(true).unwrap();
        assert_eq!(names(&t), ["a.v", "b.v"]);
        assert_eq!(std::fs::read_to_string(t.join("a.v")).unwrap(), "new");
        assert_eq!(
            std::fs::read_to_string(t.join("b.v")).unwrap(),
            "old, not ours"
        );
        assert_eq!(names(root.path()), ["rtl"]);
        assert_ne!(ino(&t), before, "swapped as a whole");
    }

    #[test]
    fn subdirectories_to_keep_fall_back_to_one_by_one() {
        let root = tempfile::tempdir().unwrap();
        let t = root.path().join("rtl");
        std::fs::create_dir_all(t.join("obj_dir")).unwrap();
        std::fs::write(t.join("a.v"), "old").unwrap();
        let before = ino(&t);
        let mut s = StagedDir::create(&t).unwrap();
        s.write_file("a.v", b"new").unwrap();
        s.commit(true).unwrap();
        assert_eq!(ino(&t), before, "the directory itself stays");
        assert_eq!(names(&t), ["a.v", "obj_dir"]);
        assert_eq!(std::fs::read_to_string(t.join("a.v")).unwrap(), "new");
        assert_eq!(names(root.path()), ["rtl"]);
    }

    #[test]
    fn an_uncommitted_stage_leaves_the_old_directory() {
        let root = tempfile::tempdir().unwrap();
        let t = root.path().join("rtl");
        std::fs::create_dir(&t).unwrap();
        std::fs::write(t.join("a.v"), "old").unwrap();
        {
            let mut s = StagedDir::create(&t).unwrap();
            s.write_file("a.v", b"new").unwrap();
        }
        assert_eq!(std::fs::read_to_string(t.join("a.v")).unwrap(), "old");
        assert_eq!(names(root.path()), ["rtl"]);
    }
}
