//! lutforge-sim: the cycle-accurate model of the LUT unit `lutforge_unit`, its stimulus,
//! trace and waveforms, and its area/power cost model; and the GRU cell built from such units
//! (`gru`).
//!
//! The model is the specification the generated Verilog is checked against cycle by cycle;
//! docs/sim.md describes it completely (ports, registers, handshake, cfg address map, reset,
//! mid-stream table writes, trace format). Its arithmetic is lutforge-core's golden model.

pub mod convert;
pub mod cost;
pub mod gru;
pub mod gtkw;
pub mod run;
pub mod stimulus;
pub mod trace;
pub mod unit;
pub mod waves;

pub use convert::NumFormat;
pub use run::{run, CycleView, Observer, RunOptions, RunStats};
pub use unit::{Activity, Arith, CfgWrite, Field, State, Unit, UnitConfig, Widths};
