//! One module per subcommand; each holds its clap arguments and its `run`.

pub mod eval;
pub mod functions;
pub mod interop;
