//! The direct table's read logic, as a fixed ROM's words become gates and a RAM's words become
//! flip-flops behind a read multiplexer.
//!
//! A fixed ROM is a multi-output Boolean function of the N address bits. Its size is priced
//! from the reduced ordered binary decision diagram of all output bits together (address MSB
//! first, subfunctions shared between bits): every decision node is a 2:1 multiplexer on one
//! address bit, and a node with a constant child reduces to a gate (0 and f: AND; 1 and f: OR;
//! 0 and 1: the address bit itself or its inverse). That is a circuit that computes the table
//! (the multiplexer network of the BDD, Shannon's expansion with shared cofactors), so it is
//! an upper bound on the logic synthesis needs, found without running synthesis; what
//! synthesis saves beyond it is not modelled. docs/cost-model.md compares it with Yosys.

use super::{comp, CellLib, Component, Driver};
use crate::unit::UnitConfig;
use std::collections::HashMap;

/// Decision nodes of the shared ROBDD, by what they reduce to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct BddNodes {
    /// Both children non-constant: a MUX2.
    pub mux: usize,
    /// One constant child: an AND2 or OR2 (with the select or the other child inverted).
    pub gate: usize,
    /// Children 1 and 0: the inverted address bit.
    pub inv: usize,
    /// Children 0 and 1: the address bit itself, a wire.
    pub wire: usize,
}

impl BddNodes {
    pub fn ge(&self, cell: &CellLib) -> f64 {
        self.mux as f64 * cell.mux2 + self.gate as f64 * cell.and2 + self.inv as f64 * cell.inv
    }
}

const ZERO: u32 = 0;
const ONE: u32 = 1;

/// The shared ROBDD of `words` (one per address 0..2^n, lowest address first; the low `ny`
/// bits of each are the outputs), counted by node kind.
pub(crate) fn bdd_nodes(words: &[i64], n: u32, ny: u32) -> BddNodes {
    debug_assert_eq!(words.len() as u64, 1u64 << n);
    // Level 0: the terminal of every output bit at every address; level l + 1 pairs the
    // blocks 2i (address bit l = 0) and 2i + 1 (bit l = 1) of level l.
    let mut nodes = BddNodes::default();
    let mut unique: HashMap<(u32, u32, u32), u32> = HashMap::new();
    let mut next = 2u32;
    for bit in 0..ny {
        let mut level: Vec<u32> = words
            .iter()
            .map(|&w| if (w >> bit) & 1 == 1 { ONE } else { ZERO })
            .collect();
        for var in 0..n {
            level = level
                .chunks_exact(2)
                .map(|c| {
                    let (lo, hi) = (c[0], c[1]);
                    if lo == hi {
                        return lo;
                    }
                    *unique.entry((var, lo, hi)).or_insert_with(|| {
                        match (lo, hi) {
                            (ZERO, ONE) => nodes.wire += 1,
                            (ONE, ZERO) => nodes.inv += 1,
                            (ZERO | ONE, _) | (_, ZERO | ONE) => nodes.gate += 1,
                            _ => nodes.mux += 1,
                        }
                        next += 1;
                        next - 1
                    })
                })
                .collect();
        }
    }
    nodes
}

/// The read logic and word storage of a direct-table unit (its pipeline registers are priced
/// with the PWL unit's). A fixed ROM with known words is its BDD's cells per lane; without the
/// words, every output bit is a full multiplexer tree over the words (its first level reduced
/// to wires and inverters, as for the PWL unit's constant multiplexers). A RAM is a flip-flop
/// with a write-enable multiplexer per bit (no reset: reset leaves the words), a write decoder
/// of one AND tree per word (N − 1 AND2, the address bits' inverters shared) and, per lane, a
/// 2^N:1 read multiplexer tree per output bit.
pub(crate) fn components(
    cfg: &UnitConfig,
    table: Option<&lutforge_core::Params>,
    cell: &CellLib,
) -> Vec<Component> {
    let w = cfg.widths();
    let (n, ny) = (w.x, w.y);
    let words = 1u64 << n;
    let lanes = cfg.lanes;
    let mut v = Vec::new();
    if cfg.programmable {
        let bits = (words * u64::from(ny)) as f64;
        v.push(Component {
            name: "table storage".into(),
            ge: bits * (cell.dff + cell.mux2)
                + words as f64 * f64::from(n.max(2) - 1) * cell.and2
                + f64::from(n) * cell.inv,
            per_lane: false,
            driver: Driver::Table,
            structure: format!(
                "{words} x {ny}-bit RAM: {bits} flip-flops with write enable, \
                 {words} {n}-input write decoder ANDs"
            ),
        });
        v.push(comp(
            "read multiplexers",
            lanes,
            f64::from(ny) * (words - 1) as f64 * cell.mux2,
            Driver::Select,
            format!("{words}:1 read multiplexer per output bit ({ny} bits)"),
        ));
    } else {
        let (ge, what) = match table {
            Some(lutforge_core::Params::Int(p)) if p.intercepts.len() as u64 == words => {
                let b = bdd_nodes(&p.intercepts, n, ny);
                (
                    b.ge(cell),
                    format!(
                        "ROM of {words} x {ny} bits as its shared BDD: {} MUX2, {} AND/OR, {} NOT",
                        b.mux, b.gate, b.inv
                    ),
                )
            }
            _ => {
                let half = (words / 2) as f64;
                (
                    f64::from(ny)
                        * ((words as f64 - 1.0 - half) * cell.mux2 + half * cell.inv / 2.0),
                    format!(
                        "ROM of {words} x {ny} bits, words unknown: a multiplexer tree per bit"
                    ),
                )
            }
        };
        v.push(comp("read logic", lanes, ge, Driver::Select, what));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_tables_count_as_their_gates() {
        // y = address bit 1: one wire node, nothing else.
        assert_eq!(
            bdd_nodes(&[0, 0, 1, 1], 2, 1),
            BddNodes {
                wire: 1,
                ..BddNodes::default()
            }
        );
        // y = a1 & a0 (one gate); y = a1 ^ a0 (a MUX of a0 and !a0: one mux, one wire,
        // one inverter).
        assert_eq!(bdd_nodes(&[0, 0, 0, 1], 2, 1).gate, 1);
        let x = bdd_nodes(&[0, 1, 1, 0], 2, 1);
        assert_eq!((x.mux, x.wire, x.inv), (1, 1, 1));
        // Two output bits that are the same function share every node.
        assert_eq!(bdd_nodes(&[0, 3, 3, 0], 2, 2), x);
        // A constant table needs no logic.
        assert_eq!(bdd_nodes(&[5; 8], 3, 3), BddNodes::default());
    }
}
