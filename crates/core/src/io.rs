//! File output that never leaves a partial file: write a temporary file beside the target,
//! then rename it over the target.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if path.is_dir() {
        return Err(Error::io(path, "cannot write: is a directory"));
    }
    if !dir.is_dir() {
        return Err(Error::io(
            path,
            format!("cannot write: directory {} does not exist", dir.display()),
        ));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".lutforge-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(path, format!("cannot write: {e}")))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.flush())
        .map_err(|e| Error::io(path, format!("cannot write: {e}")))?;
    tmp.persist(path)
        .map_err(|e| Error::io(path, format!("cannot write: {}", e.error)))?;
    Ok(())
}

/// Reads a whole text file with the path in the error.
pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn missing_directory_is_an_error_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no/such/t.json");
        assert!(write_atomic(&p, b"x").is_err());
        assert!(write_atomic(dir.path(), b"x").is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
