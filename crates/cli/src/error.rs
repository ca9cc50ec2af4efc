//! How the binary fails: one line on stderr and an exit code scripts can rely on.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done |
//! | 1 | a check ran and found a difference (`verify`) |
//! | 2 | usage, input or output error: a bad option or file, a path that cannot be written, a full disk |
//! | 70 | an internal error: lutforge itself is at fault (please report it) |
//! | 130, 143, 129 | interrupted by SIGINT, SIGTERM, SIGHUP (staged files removed) |
//! | 141 | standard output closed early (a broken pipe): stops quietly, as `ls \| head` |

use std::fmt;
use std::io::Write;

#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub msg: String,
}

/// The exit code of a broken standard output.
pub const BROKEN_PIPE: i32 = 141;

impl CliError {
    /// Bad usage, bad input, or an output that cannot be written: exit 2.
    pub fn input(msg: impl Into<String>) -> Self {
        CliError {
            code: 2,
            msg: msg.into(),
        }
    }

    /// A check that ran to the end and found a difference: exit 1.
    pub fn failed(msg: impl Into<String>) -> Self {
        CliError {
            code: 1,
            msg: msg.into(),
        }
    }

    /// Something that cannot happen on any input did: exit 70.
    pub fn internal(msg: impl Into<String>) -> Self {
        CliError {
            code: 70,
            msg: format!("internal error (please report it): {}", msg.into()),
        }
    }

    /// Standard output is gone: end quietly.
    pub fn broken_pipe() -> Self {
        CliError {
            code: BROKEN_PIPE,
            msg: String::new(),
        }
    }

    /// A failed write to standard output: a broken pipe ends quietly, anything else (a full
    /// device) is an output error.
    pub fn stdout(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            CliError::broken_pipe()
        } else {
            CliError::input(format!("standard output: cannot write: {e}"))
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl From<lutforge_core::Error> for CliError {
    fn from(e: lutforge_core::Error) -> Self {
        match e {
            lutforge_core::Error::Internal(_) => CliError {
                code: 70,
                msg: e.to_string(),
            },
            e => CliError::input(e.to_string()),
        }
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;

/// One line on stderr. A stderr that cannot be written (closed, a full device) loses the
/// line but never panics: the exit code still tells.
pub fn stderr_line(msg: impl fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "{msg}");
}

/// Warnings go to stderr, one line each, never to stdout (which `--json` keeps clean).
pub fn warn(msg: impl fmt::Display) {
    stderr_line(format_args!("lutforge: warning: {msg}"));
}

/// Progress and notes for people; stderr, so stdout stays machine-readable.
pub fn note(msg: impl fmt::Display) {
    stderr_line(format_args!("lutforge: {msg}"));
}
