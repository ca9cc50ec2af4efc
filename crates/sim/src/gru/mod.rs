//! The GRU cell in hardware: what it holds (`spec`) and how it runs, cycle by cycle (`cell`).
//! docs/gru.md ("The GRU cell in hardware") is its specification; lutforge-gru's integer
//! model is what every step is checked against.

mod activity;
mod cell;
mod cfg;
mod spec;
mod waves;

pub use activity::CellActivity;
pub use cell::{Cell, CellIn, CellOut, CellStats, CounterBits, Phase, TAIL_DEPTH};
pub use cfg::{act_unit, apply as apply_write, CfgMap, Target, REGION_BITS};
pub use spec::{ActTable, CellSpec, LayerFormats, Operand, QTensor, Sum};
pub use waves::{gtkw_save_file, CellVcd};
