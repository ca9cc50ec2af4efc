//! The one error type of the core crate: every variant renders as a single line naming the
//! offending file, field or value, because the CLI prints it verbatim and exits 2.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A field of a table or import file holds a bad value; `field` is a JSON-style path.
    #[error("{field}: {msg}")]
    Field { field: String, msg: String },
    #[error("{path}: {msg}")]
    Io { path: PathBuf, msg: String },
    /// Anything else that is the user's input at fault (a name, an option, a CSV line).
    #[error("{0}")]
    Input(String),
    /// lutforge itself is at fault (a template that does not render, a report that does not
    /// serialize): no input can cause it, and the binary says so with its own exit code.
    #[error("internal error (please report it): {0}")]
    Internal(String),
}

impl Error {
    pub fn field(field: impl Into<String>, msg: impl Into<String>) -> Self {
        Error::Field {
            field: field.into(),
            msg: msg.into(),
        }
    }

    pub fn input(msg: impl Into<String>) -> Self {
        Error::Input(msg.into())
    }

    pub fn internal(msg: impl Into<String>) -> Self {
        Error::Internal(msg.into())
    }

    pub fn io(path: impl Into<PathBuf>, err: impl std::fmt::Display) -> Self {
        Error::Io {
            path: path.into(),
            msg: err.to_string(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
