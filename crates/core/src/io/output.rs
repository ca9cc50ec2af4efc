//! Output files that are never left partial, never replace what they must not, and report
//! every failed write.
//!
//! Where the output goes is decided before any work ([`Output::create`]):
//! - a regular file, or a path that does not exist yet: the data goes to a staged file in the
//!   same directory, which [`Output::commit`] flushes, syncs and renames over the target; the
//!   rename is atomic, so readers see the old file or the new one. A rewritten file keeps its
//!   mode (and, for root, its owner); a new one gets 0666 less the umask.
//! - a symbolic link: followed to its final target, which is then written as above; the link
//!   stays a link.
//! - a character or block device, a FIFO, or a standard stream (`/dev/stdout`, `/dev/fd/N`):
//!   written in place, since renaming over them would replace the device node.
//! - a directory: refused.

use super::cleanup::{self, Guard};
use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// How deep a chain of symbolic links is followed (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Where an output path leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A regular file (or none yet) at this path, after following links: staged and renamed.
    File(PathBuf),
    /// A device, FIFO or standard stream: written in place.
    InPlace(PathBuf),
}

fn cannot(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::io(path, format!("cannot write: {e}"))
}

/// The file a path names once its symbolic links are followed, even when the last one dangles.
fn follow_links(path: &Path) -> Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p).map_err(|e| cannot(path, e))?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(cannot(path, "too many levels of symbolic links"))
}

/// Standard streams are written in place even when they lead to a regular file: the shell
/// that redirected them holds that file open, and a rename would cut it off.
fn is_stream(path: &Path) -> bool {
    let s = path.to_string_lossy();
    matches!(s.as_ref(), "/dev/stdout" | "/dev/stderr")
        || s.starts_with("/dev/fd/")
        || s.starts_with("/proc/self/fd/")
}

/// Decides where an output goes, checking everything that can be checked before writing.
pub fn resolve(path: &Path) -> Result<Target> {
    if path.as_os_str().is_empty() {
        return Err(Error::input("an output path is empty"));
    }
    if is_stream(path) {
        return Ok(Target::InPlace(path.to_path_buf()));
    }
    let real = follow_links(path)?;
    match std::fs::metadata(&real) {
        Ok(m) if m.is_dir() => Err(cannot(path, "is a directory")),
        Ok(m) if m.is_file() => Ok(Target::File(real)),
        Ok(_) => Ok(Target::InPlace(real)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let dir = parent_of(&real);
            if !dir.is_dir() {
                return Err(cannot(
                    path,
                    format!("directory {} does not exist", dir.display()),
                ));
            }
            Ok(Target::File(real))
        }
        Err(e) => Err(cannot(path, e)),
    }
}

/// The directory a file lives in (`.` for a bare name).
pub fn parent_of(p: &Path) -> &Path {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// The absolute place a path writes to (links followed, the directory canonical), so that two
/// outputs of one command can be told apart even when spelled differently.
pub fn place(path: &Path) -> Result<PathBuf> {
    let t = match resolve(path)? {
        Target::File(p) | Target::InPlace(p) => p,
    };
    let dir = std::fs::canonicalize(parent_of(&t)).map_err(|e| cannot(path, e))?;
    Ok(match t.file_name() {
        Some(n) => dir.join(n),
        None => dir,
    })
}

/// Refuses two outputs of one command that lead to the same file.
pub fn refuse_same_place(outputs: &[&Path]) -> Result<()> {
    let mut seen: Vec<(PathBuf, &Path)> = Vec::new();
    for o in outputs {
        let p = place(o)?;
        if let Some((_, first)) = seen.iter().find(|(q, _)| *q == p) {
            return Err(Error::io(
                o,
                format!("is the same file as the output {}", first.display()),
            ));
        }
        seen.push((p, o));
    }
    Ok(())
}

/// Whether two paths name the same existing file (after links), so that a command can refuse
/// to overwrite its own input.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// Refuses an output that would replace one of the command's inputs.
pub fn refuse_overwrite(output: &Path, inputs: &[&Path]) -> Result<()> {
    for i in inputs {
        if same_file(output, i) {
            return Err(Error::io(
                output,
                format!(
                    "is also an input ({}); write the output elsewhere",
                    i.display()
                ),
            ));
        }
    }
    Ok(())
}

enum Kind {
    Staged {
        tmp: PathBuf,
        target: PathBuf,
        /// Mode and owner to give the new file: the replaced file's.
        keep: Option<(u32, u32, u32)>,
        _guard: Guard,
    },
    InPlace,
}

/// An output file being written; see the module documentation.
pub struct Output {
    shown: PathBuf,
    file: Option<BufWriter<File>>,
    kind: Kind,
    committed: bool,
    /// The first write error, kept so that a writer that only says "cannot write" (a trace,
    /// a VCD) can be reported with this output's path.
    failed: Option<String>,
    /// Whether a write found the reader gone (a closed pipe): the caller exits as a broken
    /// pipe does, not with an error.
    broken_pipe: bool,
}

impl Output {
    /// Checks the path and opens the output. A staged file appears beside the target at once,
    /// so an unwritable directory fails here, before the work.
    pub fn create(path: &Path) -> Result<Output> {
        match resolve(path)? {
            Target::InPlace(p) => {
                let f = OpenOptions::new()
                    .write(true)
                    .open(&p)
                    .map_err(|e| cannot(path, e))?;
                Ok(Output {
                    shown: path.to_path_buf(),
                    file: Some(BufWriter::with_capacity(1 << 16, f)),
                    kind: Kind::InPlace,
                    committed: false,
                    failed: None,
                    broken_pipe: false,
                })
            }
            Target::File(target) => {
                let dir = parent_of(&target).to_path_buf();
                cleanup::remove_stale(&dir);
                let keep = std::fs::metadata(&target)
                    .ok()
                    .map(|m| (m.mode() & 0o7777, m.uid(), m.gid()));
                let (f, tmp, guard) = create_staged(&dir, &target).map_err(|e| cannot(path, e))?;
                Ok(Output {
                    shown: path.to_path_buf(),
                    file: Some(BufWriter::with_capacity(1 << 16, f)),
                    kind: Kind::Staged {
                        tmp,
                        target,
                        keep,
                        _guard: guard,
                    },
                    committed: false,
                    failed: None,
                    broken_pipe: false,
                })
            }
        }
    }

    /// The path as the user gave it, for messages.
    pub fn path(&self) -> &Path {
        &self.shown
    }

    /// The staged file beside the target, for a tool that writes its output itself (a
    /// simulator's waveform): it writes there, and [`Output::commit`] puts the file in place.
    /// `None` for a device, a pipe or a terminal, which are written in place.
    pub fn staged_path(&self) -> Option<&Path> {
        match &self.kind {
            Kind::Staged { tmp, .. } => Some(tmp),
            Kind::InPlace => None,
        }
    }

    /// A write error of this output, naming its path.
    pub fn error(&self, e: impl std::fmt::Display) -> Error {
        cannot(&self.shown, e)
    }

    /// The first write that failed, as an error naming this output.
    pub fn failure(&self) -> Option<Error> {
        self.failed.as_ref().map(|m| cannot(&self.shown, m))
    }

    fn note<T>(&mut self, r: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &r {
            self.failed.get_or_insert_with(|| e.to_string());
            self.broken_pipe |= e.kind() == std::io::ErrorKind::BrokenPipe;
        }
        r
    }

    /// Whether a write failed because the reader of a pipe went away.
    pub fn broken_pipe(&self) -> bool {
        self.broken_pipe
    }

    /// Writes all of `bytes`; the error names the path.
    pub fn write_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        let r = self.write_all(bytes);
        r.map_err(|e| self.error(e))
    }

    /// Flushes and syncs what was written, so that a later [`Output::commit`] only renames:
    /// a command with several outputs syncs them all before it commits any.
    pub fn sync(&mut self) -> Result<()> {
        let staged = matches!(self.kind, Kind::Staged { .. });
        let r = self.file.as_mut().expect("open until committed").flush();
        self.note(r).map_err(|e| cannot(&self.shown, e))?;
        let buf = self.file.as_mut().expect("open until committed");
        if staged {
            buf.get_ref()
                .sync_all()
                .map_err(|e| cannot(&self.shown, e))?;
        }
        Ok(())
    }

    /// Flushes, syncs and moves the file into place; every step is checked.
    pub fn commit(mut self) -> Result<()> {
        let buf = self.file.take().expect("an output is committed once");
        let file = buf
            .into_inner()
            .map_err(|e| cannot(&self.shown, e.error()))?;
        match &self.kind {
            Kind::InPlace => {
                // fsync is meaningless (and refused) on terminals, pipes and devices.
                drop(file);
            }
            Kind::Staged {
                tmp, target, keep, ..
            } => {
                if let Some((mode, uid, gid)) = *keep {
                    file.set_permissions(std::fs::Permissions::from_mode(mode))
                        .map_err(|e| cannot(&self.shown, e))?;
                    // Keeping the owner needs privileges; without them the file is the user's.
                    let _ = std::os::unix::fs::fchown(&file, Some(uid), Some(gid));
                }
                file.sync_all().map_err(|e| cannot(&self.shown, e))?;
                drop(file);
                std::fs::rename(tmp, target).map_err(|e| cannot(&self.shown, e))?;
            }
        }
        self.committed = true;
        Ok(())
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.file.as_mut().expect("open until committed").write(buf);
        self.note(r)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let r = self
            .file
            .as_mut()
            .expect("open until committed")
            .write_all(buf);
        self.note(r)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.file.as_mut().expect("open until committed").flush();
        self.note(r)
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        // Not committed: the run failed. Drop the buffer unwritten and remove the staged file.
        if let Some(b) = self.file.take() {
            let (f, _) = b.into_parts();
            drop(f);
        }
        if let Kind::Staged { tmp, .. } = &self.kind {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Creates a new staged file in `dir` for `target`, mode 0666 less the umask.
/// Creates a staged file, registered for removal **before** it exists, so that a signal
/// arriving just after its creation still removes it.
fn create_staged(dir: &Path, target: &Path) -> std::io::Result<(File, PathBuf, cleanup::Guard)> {
    loop {
        let tmp = cleanup::stage_name(dir, target);
        let guard = cleanup::register_path(&tmp);
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o666)
            .open(&tmp)
        {
            Ok(f) => return Ok((f, tmp, guard)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Writes a whole file through [`Output`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut out = Output::create(path)?;
    out.write_bytes(bytes)?;
    out.commit()
}
