//! How the binary fails: one line on stderr and an exit code scripts can rely on
//! (2: usage or input error, 1: a check that ran and failed).

use std::fmt;

#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub msg: String,
}

impl CliError {
    /// Bad usage or bad input: exit 2.
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
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl From<lutforge_core::Error> for CliError {
    fn from(e: lutforge_core::Error) -> Self {
        CliError::input(e.to_string())
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;

/// Warnings go to stderr, one line each, never to stdout (which `--json` keeps clean).
pub fn warn(msg: impl fmt::Display) {
    eprintln!("lutforge: warning: {msg}");
}

/// Progress and notes for people; stderr, so stdout stays machine-readable.
pub fn note(msg: impl fmt::Display) {
    eprintln!("lutforge: {msg}");
}
