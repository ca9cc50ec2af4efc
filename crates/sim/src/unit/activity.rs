//! Switching activity for the cost model, and what one clock edge did.

/// Switching activity: bit toggles of every register and datapath node, summed over lanes.
/// Combinational nodes count the toggles between successive evaluations (zero-delay, no
/// glitches), registers between successive captured values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Activity {
    /// Rising clock edges simulated.
    pub cycles: u64,
    /// Samples (lane-evaluations) that passed each stage point.
    pub evals: u64,
    /// x at the comparators' input.
    pub cmp_in: u64,
    /// Comparator outputs (the thermometer code): |Δ segment| when breakpoints are sorted.
    pub cmp_out: u64,
    /// Binary segment index.
    pub seg: u64,
    /// Slope multiplexer output.
    pub mux_k: u64,
    /// Intercept multiplexer output.
    pub mux_b: u64,
    /// x at the multiplier's input.
    pub mul_x: u64,
    /// Multiplier output.
    pub mul_out: u64,
    /// Adder output (the wide sum a; the FP32 sum).
    pub add_out: u64,
    /// Rounded, saturated output.
    pub y: u64,
    /// Pipeline data registers (s*_x, s2_seg, s3_prod, s3_icpt, s4_y).
    pub reg_data: u64,
    /// Valid bits.
    pub reg_valid: u64,
    /// Table registers, through cfg writes.
    pub table: u64,
    /// cfg writes performed.
    pub cfg_writes: u64,
}

/// Previous values of the combinational nodes of one lane, for toggle counting.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct NodePrev {
    pub(super) cmp_x: i64,
    pub(super) seg: u32,
    pub(super) k: i64,
    pub(super) b: i64,
    pub(super) mul_x: i64,
    pub(super) prod: i64,
    pub(super) sum: i128,
    pub(super) y: i64,
}

/// What happened at one clock edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    /// in_valid && in_ready: the input beat was taken.
    pub accepted: bool,
    /// out_valid && out_ready: the output beat (read before the edge) was delivered.
    pub delivered: bool,
}
