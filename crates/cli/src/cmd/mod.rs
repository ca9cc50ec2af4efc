//! One module per subcommand; each holds its clap arguments and its `run`.

pub mod cost;
pub mod eval;
pub mod explore;
pub mod functions;
pub mod gen;
pub mod gru;
pub mod interop;
pub mod pareto;
pub mod plot;
pub mod search;
pub mod sim;
pub mod synth;
pub mod verify;
