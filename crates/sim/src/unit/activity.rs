//! Switching activity for the cost model, and what one clock edge did.

/// Switching activity: bit toggles of every register and datapath node, summed over lanes.
/// Combinational nodes count the toggles between successive evaluations (zero-delay, no
/// glitches), registers between successive captured values.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Activity {
    /// Rising clock edges simulated.
    pub cycles: u64,
    /// Samples (lane-evaluations) that passed each stage point.
    pub evals: u64,
    /// x at the comparators' input.
    pub cmp_in: u64,
    /// The same toggles bit by bit: comparators against constants whose low bits are zero
    /// read only x's upper bits.
    pub cmp_in_bits: BitToggles,
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
    /// The multiplier's operands (slope, x), evaluation by evaluation: the cost model replays
    /// them through the product's netlist, which does not switch in proportion to its inputs'
    /// toggles (one toggling bit switches a row of partial products and the sums they feed).
    #[serde(skip)]
    pub mul_ops: OperandTrace,
    /// Multiplier output.
    pub mul_out: u64,
    /// The same toggles bit by bit: the adder reads only the product's upper bits when its
    /// low bits cannot reach the rounded output.
    pub mul_out_bits: BitToggles,
    /// Adder output (the wide sum a; the FP32 sum).
    pub add_out: u64,
    /// The same toggles bit by bit: rounding and saturation read the sum from the rounding
    /// bit up.
    pub add_out_bits: BitToggles<128>,
    /// Rounded, saturated output.
    pub y: u64,
    /// Pipeline data registers (s*_x, s2_seg, s3_prod, s3_icpt, s4_y).
    pub reg_data: u64,
    /// The same toggles register by register, in the order of `reg_data`'s list (s1_x, s2_x,
    /// s2_seg, s3_prod, s3_icpt, s4_y; a direct table's s2 address counts as s2_seg): each
    /// register's output drives different loads.
    pub reg: [u64; 6],
    /// Valid bits.
    pub reg_valid: u64,
    /// Table registers, through cfg writes.
    pub table: u64,
    /// cfg writes performed.
    pub cfg_writes: u64,
}

/// Operand pairs of one node, lane by lane in evaluation order, the first `OPERAND_TRACE_MAX`
/// of a run: all of a unit's testbench (each input code once, at most 2^16 of them); of a GRU
/// cell's run over a whole split, its first MACs, whose activity then prices them all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OperandTrace {
    lanes: Vec<Vec<(i64, i64)>>,
    len: usize,
}

/// The most operand pairs an `OperandTrace` keeps (2 MiB).
pub const OPERAND_TRACE_MAX: usize = 1 << 17;

impl OperandTrace {
    /// Records one evaluation of `lane`; past `OPERAND_TRACE_MAX` pairs, nothing.
    pub fn push(&mut self, lane: usize, pair: (i64, i64)) {
        if self.len >= OPERAND_TRACE_MAX {
            return;
        }
        if self.lanes.len() <= lane {
            self.lanes.resize_with(lane + 1, Vec::new);
        }
        self.lanes[lane].push(pair);
        self.len += 1;
    }

    /// The pairs of every lane, each lane's in evaluation order.
    pub fn lanes(&self) -> &[Vec<(i64, i64)>] {
        &self.lanes
    }

    /// Pairs recorded.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Toggles of a node's bits one by one, least significant first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BitToggles<const N: usize = 64>(pub [u64; N]);

impl<const N: usize> Default for BitToggles<N> {
    fn default() -> BitToggles<N> {
        BitToggles([0; N])
    }
}

impl<const N: usize> BitToggles<N> {
    /// Counts the set bits of `diff` (the XOR of a node's old and new value).
    #[inline]
    pub fn add(&mut self, mut diff: u128) {
        while diff != 0 {
            self.0[diff.trailing_zeros() as usize] += 1;
            diff &= diff - 1;
        }
    }

    /// Toggles of bits `lo` and above.
    pub fn from_bit(&self, lo: u32) -> u64 {
        self.0.iter().skip(lo as usize).sum()
    }
}

impl<const N: usize> serde::Serialize for BitToggles<N> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
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
