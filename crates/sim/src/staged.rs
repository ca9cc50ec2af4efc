//! Streamed output files that never leave a partial file: the data goes to a temporary file
//! beside the target, renamed over it only when the run succeeded. Creating it checks the path
//! up front, so an unwritable trace or VCD path fails before the simulation starts.

use lutforge_core::{Error, Result};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

pub struct StagedFile {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

impl StagedFile {
    pub fn create(path: &Path) -> Result<StagedFile> {
        if path.is_dir() {
            return Err(Error::io(path, "is a directory"));
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".lutforge-")
            .tempfile_in(dir)
            .map_err(|e| Error::io(path, format!("cannot write: {e}")))?;
        Ok(StagedFile {
            tmp,
            path: path.to_path_buf(),
        })
    }

    /// A buffered writer into the temporary file.
    pub fn writer(&mut self) -> BufWriter<&mut std::fs::File> {
        BufWriter::with_capacity(1 << 16, self.tmp.as_file_mut())
    }

    /// Moves the finished file into place.
    pub fn commit(self) -> Result<()> {
        let path = self.path;
        self.tmp
            .persist(&path)
            .map_err(|e| Error::io(&path, format!("cannot write: {}", e.error)))?;
        Ok(())
    }
}
