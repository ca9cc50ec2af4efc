//! Files in and out, with the guarantees docs/architecture.md states: outputs are whole or
//! absent (staged, then renamed), devices and streams are written in place, symbolic links
//! are written through, interrupted runs clean up after themselves, inputs are bounded in
//! size and JSON keys are unique.

pub mod cleanup;
pub mod json;
mod output;
mod staged_dir;

pub use output::{
    parent_of, place, refuse_overwrite, refuse_same_place, resolve, same_file, write_atomic,
    Output, Target,
};
pub use staged_dir::{PendingDir, StagedDir};

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// Largest file lutforge reads whole (tables, GQA-LUT files, CSV functions, models): far
/// beyond any real table (1024 segments at 64 scales is under 4 MiB) or tinyML GRU, small
/// enough that parsing it cannot exhaust memory.
pub const MAX_TEXT_BYTES: u64 = 64 << 20;

/// Reads a whole file of at most [`MAX_TEXT_BYTES`], with the path in the error.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    if let Ok(m) = f.metadata() {
        if m.is_dir() {
            return Err(Error::io(path, "is a directory"));
        }
    }
    // Read one byte past the bound: a device or pipe has no size to check in advance.
    let mut buf = Vec::new();
    f.take(MAX_TEXT_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(path, e))?;
    if buf.len() as u64 > MAX_TEXT_BYTES {
        return Err(Error::io(
            path,
            format!(
                "larger than {} MiB, the most lutforge reads as one file",
                MAX_TEXT_BYTES >> 20
            ),
        ));
    }
    Ok(buf)
}

/// Reads a whole text file of at most [`MAX_TEXT_BYTES`], with the path in the error.
pub fn read_text(path: &Path) -> Result<String> {
    let buf = read_bytes(path)?;
    String::from_utf8(buf).map_err(|e| Error::io(path, format!("not UTF-8 text: {e}")))
}

/// Reads and parses a JSON file (see [`json::parse`]).
pub fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = read_text(path)?;
    json::parse(&text).map_err(|e| Error::io(path, e))
}

/// A private temporary directory (in `$TMPDIR`), removed when dropped and when the process is
/// interrupted; named as staged entries are, so that one left by a killed run is removed by
/// the next.
pub struct TempDir {
    dir: cleanup::Owned,
}

impl TempDir {
    pub fn new() -> Result<TempDir> {
        let base = std::env::temp_dir();
        cleanup::remove_stale(&base);
        let path = cleanup::stage_name(&base, Path::new("tmp"));
        // Owned (registered) before it exists: a signal just after the creation removes it.
        let dir = cleanup::Owned::new(&path);
        // Private to this user, as mkdtemp(3) makes it.
        std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700)
            .create(&path)
            .map_err(|e| Error::io(&base, format!("cannot create a temporary directory: {e}")))?;
        Ok(TempDir { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn entries(dir: &Path) -> usize {
        std::fs::read_dir(dir).unwrap().count()
    }

    #[test]
    fn writes_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        assert_eq!(entries(dir.path()), 1);
    }

    #[test]
    fn missing_directory_is_an_error_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no/such/t.json");
        assert!(write_atomic(&p, b"x").is_err());
        assert!(write_atomic(dir.path(), b"x").is_err());
        assert_eq!(entries(dir.path()), 0);
    }

    #[test]
    fn an_uncommitted_output_leaves_nothing_and_the_old_file_intact() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.json");
        std::fs::write(&p, "old").unwrap();
        {
            let mut o = Output::create(&p).unwrap();
            o.write_bytes(b"new, never committed").unwrap();
            assert_eq!(entries(dir.path()), 2);
        }
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        assert_eq!(entries(dir.path()), 1);
    }

    #[test]
    fn links_are_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        // A dangling link creates its target.
        let dangling = dir.path().join("d.json");
        std::os::unix::fs::symlink("made.json", &dangling).unwrap();
        write_atomic(&dangling, b"x").unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("made.json")).unwrap(),
            "x"
        );
    }

    #[test]
    fn modes_follow_the_umask_and_are_kept_on_rewrite() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.json");
        write_atomic(&p, b"x").unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        // SAFETY: umask(2) only reads and sets the process's mask; restored at once.
        let mask = unsafe {
            let m = libc::umask(0);
            libc::umask(m);
            m
        } as u32;
        assert_eq!(mode, 0o666 & !mask);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"y").unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn fifos_are_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("f");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        write_atomic(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), "through the pipe");
        assert!(matches!(resolve(&fifo).unwrap(), Target::InPlace(_)));
    }

    /// A device that refuses every write: a private node of /dev/full where this user may
    /// make one (root), else /dev/full itself (which a non-root user cannot replace anyway).
    pub(crate) fn full_device(dir: &Path) -> std::path::PathBuf {
        let p = dir.join("full");
        let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; makedev(1, 7) is /dev/full on Linux.
        let r = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 7)) };
        if r == 0 {
            p
        } else {
            std::path::PathBuf::from("/dev/full")
        }
    }

    #[test]
    fn a_full_device_is_an_error_and_stays_a_device() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let dev = full_device(dir.path());
        let e = write_atomic(&dev, b"x").unwrap_err();
        assert!(e.to_string().contains("No space left"), "{e}");
        assert!(std::fs::metadata(&dev)
            .unwrap()
            .file_type()
            .is_char_device());
    }

    #[test]
    fn reading_is_bounded() {
        let e = read_text(Path::new("/dev/zero")).unwrap_err();
        assert!(e.to_string().contains("larger than 64 MiB"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        assert!(read_text(dir.path()).is_err());
    }

    #[test]
    fn same_file_sees_through_links() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("a");
        std::fs::write(&real, "x").unwrap();
        let link = dir.path().join("b");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(same_file(&real, &link));
        assert!(refuse_overwrite(&link, &[&real]).is_err());
        assert!(!same_file(&real, &dir.path().join("c")));
    }
}
