//! The cell's switching activity: bit toggles of every datapath node and register the cost
//! model prices, counted as the cycle model runs (zero-delay: a node's toggles are those
//! between its successive values, summed over lanes). The LUT units' inputs are kept, so
//! that each unit's own activity can be measured by the unit model on exactly those codes.

/// Toggle counts since the last reset (`Cell::set_tracking`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CellActivity {
    pub cycles: u64,
    pub steps: u64,
    /// Accepted steps with the start flag: sequences.
    pub sequences: u64,
    /// MAC cycles (of all lanes together) and lane-cycles that multiplied.
    pub mac_cycles: u64,
    pub macs: u64,
    /// Each lane's weight word (the ROM's or the weight registers' output).
    pub weight: u64,
    /// The shared operand (x or h) the lanes multiply by.
    pub operand: u64,
    /// The multipliers' inputs, every lane: its weight word's toggles and the operand's.
    pub mul_in: u64,
    /// The multipliers' operands (weight word, operand), lane by lane in MAC order: the cost
    /// model replays them through the product's netlist, as the unit model does its own.
    pub mul_ops: crate::unit::OperandTrace,
    /// Each lane's shifted product.
    pub product: u64,
    /// The accumulator each MAC cycle updates.
    pub acc: u64,
    /// The input, state, next-state and output registers: bits loaded and bits toggled.
    pub state_loads: u64,
    pub state: u64,
    /// Items through the elementwise stage, and the toggles of its values (the
    /// pre-activations, activations, products and new state of one item against the last).
    pub items: u64,
    pub elementwise: u64,
    /// The control state (phase, group, schedule position, tail counter).
    pub control: u64,
    /// Writes taken on the cfg port.
    pub cfg_writes: u64,
    /// Every input code of the sigmoid unit of r, of z, and of the tanh unit, in order.
    pub lut_r: Vec<i64>,
    pub lut_z: Vec<i64>,
    pub lut_n: Vec<i64>,
}

pub(super) use crate::unit::toggles128 as toggles;

/// The previous value of every tracked node.
#[derive(Clone, Debug, Default)]
pub(super) struct Tracker {
    pub(super) act: CellActivity,
    pub(super) weight: Vec<i64>,
    pub(super) product: Vec<i128>,
    pub(super) operand: i64,
    /// The elementwise values of the last item: a_r, a_z, r, z, hn, rhn, a_n, n, zh, zn, h.
    pub(super) tail: [i64; 11],
    pub(super) control: u64,
}

impl Tracker {
    pub(super) fn new(lanes: usize) -> Tracker {
        Tracker {
            weight: vec![0; lanes],
            product: vec![0; lanes],
            ..Tracker::default()
        }
    }
}
