//! lutforge-rtl: the LUT unit as synthesizable Verilog, rendered from the askama templates in
//! `rtl_templates/`, and the drivers of the tools that check and measure it: Verilator (lint,
//! cycle-by-cycle cross-check against lutforge-sim), Icarus Verilog (the self-checking
//! testbench, a second simulator) and Yosys (synthesis statistics). `speed` is the benchmark
//! stimulus the simulator and the Verilator harness share.

pub mod crosscheck;
pub mod gen;
pub mod gru;
pub mod gru_check;
pub mod gru_dir;
pub mod gru_waves;
mod iface;
pub mod load;
pub mod power;
pub mod render;
pub mod rom;
pub mod speed;
pub mod testbench;
pub mod tools;
pub mod verify;
pub mod verilator;
pub mod verilog;
pub mod yosys;

pub use render::{render_unit, MODULE};
