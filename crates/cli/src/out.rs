//! Standard output, with every write checked: `println!` panics when stdout is a full device
//! or a closed pipe, and these return the error instead (see `CliError::stdout`).

use crate::error::{CliError, CliResult};
use std::fmt;
use std::io::Write;

/// Writes one line to stdout.
pub fn line(args: fmt::Arguments) -> CliResult {
    let mut o = std::io::stdout().lock();
    o.write_fmt(args)
        .and_then(|_| o.write_all(b"\n"))
        .map_err(CliError::stdout)
}

/// Flushes stdout; the last buffered bytes can fail too.
pub fn flush() -> CliResult {
    std::io::stdout().lock().flush().map_err(CliError::stdout)
}

/// `outln!(...)`: `println!` that returns a `CliResult` error instead of panicking.
macro_rules! outln {
    () => {
        $crate::out::line(format_args!(""))?
    };
    ($($arg:tt)*) => {
        $crate::out::line(format_args!($($arg)*))?
    };
}
pub(crate) use outln;
