//! The cell library both power methods take their cell energies from: the NanGate FreePDK45
//! Open Cell Library, typical corner (1.10 V, 25 °C), `NangateOpenCellLibrary_typical.lib` as
//! distributed with OpenSTA (`examples/nangate45_typ.lib`), extracted by
//! `scripts/liberty_power.py` into `nangate45.rs`. The gate-level estimate (`lutforge synth
//! --power`) prices every cell of the netlist with it; the cost model prices its flip-flops —
//! clock, data toggles and the loads their outputs drive — with the same cells, Horowitz giving
//! no flip-flop energy.

mod nangate45;

pub use nangate45::{CELLS, VDD, WIRE_CAP_PER_LENGTH, WIRE_LENGTH, WIRE_SLOPE};

/// One library cell's constants (fF, fJ, nW).
#[derive(Clone, Copy, Debug)]
pub struct LibCell {
    pub name: &'static str,
    /// Mean capacitance of its data inputs.
    pub input_cap_ff: f64,
    /// Internal energy per output toggle (mean of rise and fall).
    pub internal_fj: f64,
    pub leakage_nw: f64,
    /// Flip-flops: the clock pin's capacitance and internal energy per clock period, and the
    /// internal energy of a D toggle.
    pub clock_cap_ff: f64,
    pub clock_fj: f64,
    pub data_fj: f64,
}

/// The cell called `name`; `None` when the table lacks it.
pub fn find(name: &str) -> Option<&'static LibCell> {
    CELLS.iter().find(|c| c.name == name)
}

/// The cell called `name`, one of the library's cells the cost model prices with.
pub(crate) fn cell(name: &str) -> &'static LibCell {
    find(name).expect("the cost model's cells are in the library table")
}

/// ½·C·V² at the library's supply: the energy (fJ) of one toggle of `cap_ff` fF.
pub fn switch_fj(cap_ff: f64) -> f64 {
    0.5 * cap_ff * VDD * VDD
}

/// Wire capacitance (fF) of a net reaching `fanout` input pins: the wire-load model's length
/// for that fanout (5K_hvratio_1_1, the library's default; linear between its entries and by
/// its slope beyond them) times its capacitance per length. The gate-level estimate prices
/// every net of the netlist with it; the cost model the nets it knows (a register's output,
/// the clock).
pub fn wire_cap_ff(fanout: f64) -> f64 {
    if fanout <= 0.0 {
        return 0.0;
    }
    let t = WIRE_LENGTH;
    let n = t.len() as f64;
    let len = if fanout <= 1.0 {
        t[0] * fanout
    } else if fanout <= n {
        let i = fanout.floor() as usize;
        let f = fanout - i as f64;
        if i >= t.len() {
            t[t.len() - 1]
        } else {
            t[i - 1] + f * (t[i] - t[i - 1])
        }
    } else {
        t[t.len() - 1] + WIRE_SLOPE * (fanout - n)
    };
    len * WIRE_CAP_PER_LENGTH
}
