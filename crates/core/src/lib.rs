//! lutforge-core: the functions a LUT unit approximates, fixed-point formats, the table file,
//! and the golden model — the one definition of the unit's integer arithmetic that the search,
//! the simulator and the generated RTL are all tested against.

pub mod error;
pub mod format;
pub mod fp32;
pub mod function;
pub mod golden;
pub mod gqa;
pub mod io;
pub mod metrics;
pub mod rom;
pub mod table;

pub use error::{Error, Result};
pub use format::{FixedFormat, Rounding};
pub use fp32::Fp32Params;
pub use function::{Builtin, Function, Sampled};
pub use golden::{Datapath, IntParams};
pub use metrics::Metrics;
pub use table::{Arith, Field, Formats, Params, Provenance, Scale, Table};

/// The version recorded in every table and generated file.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
