//! The multiplier as synthesis builds the RTL's product expression, gate by gate.
//!
//! The integer RTL writes `{{N_x{k[N_k-1]}}, k} * {{N_k{x[N_x-1]}}, x}`: both operands
//! sign-extended to W = N_k + N_x bits and W bits kept, which is an *unsigned* W × W product.
//! Synthesis does not recognize the sign extension (a signed N_k × N_x array would do): it
//! builds one partial-product row per bit of the second operand (row i = first operand · x_i ·
//! 2^i, truncated to W bits), adds the rows three at a time with carry-save full adders until
//! two are left, and adds those with a carry-lookahead (Brent–Kung) adder. The sign-extension
//! rows repeat the same partial products, constant operand bits (a fixed table's slope bits that
//! are equal in every entry) fold the gates they feed, and identical gates are shared. A closed
//! form of that count is not at hand, so the netlist is built here with those three rules —
//! constants fold, identical gates merge, gates feeding no used output vanish — and counted.
//! docs/cost-model.md shows the count against synthesized netlists.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// One bit of a multiplier operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum OpBit {
    Zero,
    One,
    /// A signal; equal ids are the same signal.
    Signal(u32),
}

/// Gates of a netlist, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Gates {
    pub and: usize,
    pub or: usize,
    pub xor: usize,
    pub not: usize,
}

impl Gates {
    pub fn ge(&self, cell: &super::CellLib) -> f64 {
        self.and as f64 * cell.and2
            + self.or as f64 * cell.or2
            + self.xor as f64 * cell.xor2
            + self.not as f64 * cell.inv
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Op {
    And,
    Or,
    Xor,
    Not,
}

const ZERO: u32 = 0;
const ONE: u32 = 1;
/// Node ids from here on are gates; below are constants and operand signals.
const GATE0: u32 = 1 << 30;

#[derive(Default)]
struct Netlist {
    gates: Vec<(Op, u32, u32)>,
    index: HashMap<(Op, u32, u32), u32>,
}

impl Netlist {
    /// A gate after constant folding and the identities a ∧ a = a ∨ a = a, a ⊕ a = 0; an
    /// existing gate with the same inputs is reused.
    fn gate(&mut self, op: Op, a: u32, b: u32) -> u32 {
        match op {
            Op::And => {
                if a == ZERO || b == ZERO {
                    return ZERO;
                }
                if a == ONE || a == b {
                    return b;
                }
                if b == ONE {
                    return a;
                }
            }
            Op::Or => {
                if a == ONE || b == ONE {
                    return ONE;
                }
                if a == ZERO || a == b {
                    return b;
                }
                if b == ZERO {
                    return a;
                }
            }
            Op::Xor => {
                if a == b {
                    return ZERO;
                }
                if a == ZERO {
                    return b;
                }
                if b == ZERO {
                    return a;
                }
                if a == ONE {
                    return self.gate(Op::Not, b, b);
                }
                if b == ONE {
                    return self.gate(Op::Not, a, a);
                }
            }
            Op::Not => {
                if a <= ONE {
                    return ONE - a;
                }
            }
        }
        let key = (op, a.min(b), a.max(b));
        if let Some(&g) = self.index.get(&key) {
            return g;
        }
        let id = GATE0 + self.gates.len() as u32;
        self.gates.push(key);
        self.index.insert(key, id);
        id
    }

    /// Gates that drive `outputs`, directly or through other gates.
    fn count(&self, outputs: &[u32]) -> Gates {
        let mut seen = vec![false; self.gates.len()];
        let mut stack: Vec<u32> = outputs.iter().copied().filter(|&n| n >= GATE0).collect();
        let mut g = Gates::default();
        while let Some(n) = stack.pop() {
            let i = (n - GATE0) as usize;
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            let (op, a, b) = self.gates[i];
            match op {
                Op::And => g.and += 1,
                Op::Or => g.or += 1,
                Op::Xor => g.xor += 1,
                Op::Not => g.not += 1,
            }
            stack.extend([a, b].into_iter().filter(|&n| n >= GATE0));
        }
        g
    }
}

fn node(bit: OpBit, offset: u32) -> u32 {
    match bit {
        OpBit::Zero => ZERO,
        OpBit::One => ONE,
        OpBit::Signal(s) => 2 + offset + s,
    }
}

/// The gates of the W-bit product of `a` (zero-extended to W bits if shorter) and `b`, one
/// row per bit of `b`, of which product bits `used_lo..W` are used.
fn build(a: &[OpBit], b: &[OpBit], w: usize, used_lo: usize) -> Gates {
    let mut net = Netlist::default();
    // a's and b's signals are distinct even where their ids coincide.
    let (ao, bo) = (0, 1 << 20);
    let a: Vec<u32> = (0..w)
        .map(|m| a.get(m).map_or(ZERO, |&bit| node(bit, ao)))
        .collect();
    // Partial-product rows: row i holds a·b_i shifted by i.
    let mut rows: Vec<Vec<u32>> = b
        .iter()
        .enumerate()
        .map(|(i, &bi)| {
            let bi = node(bi, bo);
            (0..w)
                .map(|c| {
                    if c >= i {
                        net.gate(Op::And, a[c - i], bi)
                    } else {
                        ZERO
                    }
                })
                .collect()
        })
        .collect();
    // Carry-save reduction, three rows into two, the carries shifted up and the top carry
    // dropped (the product keeps W bits); rows left over pass to the next level.
    while rows.len() > 2 {
        let mut next = Vec::new();
        let mut i = 0;
        while i < rows.len() {
            if i + 2 < rows.len() {
                let (mut sum, mut carry) = (vec![ZERO; w], vec![ZERO; w]);
                for c in 0..w {
                    let (x, y, z) = (rows[i][c], rows[i + 1][c], rows[i + 2][c]);
                    let t1 = net.gate(Op::Xor, x, y);
                    let t2 = net.gate(Op::And, x, y);
                    let t3 = net.gate(Op::And, z, t1);
                    sum[c] = net.gate(Op::Xor, t1, z);
                    if c + 1 < w {
                        carry[c + 1] = net.gate(Op::Or, t2, t3);
                    }
                }
                next.push(sum);
                next.push(carry);
                i += 3;
            } else {
                next.push(std::mem::take(&mut rows[i]));
                i += 1;
            }
        }
        rows = next;
    }
    let zeros = vec![ZERO; w];
    let (x, y) = (&rows[0], rows.get(1).unwrap_or(&zeros));
    // Final adder: propagate and generate per bit, Brent–Kung carry tree, sum = p ⊕ carry in.
    let p: Vec<u32> = (0..w).map(|c| net.gate(Op::Xor, x[c], y[c])).collect();
    let mut g: Vec<u32> = (0..w).map(|c| net.gate(Op::And, x[c], y[c])).collect();
    let mut pp = p.clone();
    let levels = (usize::BITS - w.saturating_sub(1).leading_zeros()) as usize;
    let mut step = |g: &mut Vec<u32>, pp: &mut Vec<u32>, j: usize, d: usize| {
        let t = net.gate(Op::And, pp[j], g[j - d]);
        g[j] = net.gate(Op::Or, g[j], t);
        pp[j] = net.gate(Op::And, pp[j], pp[j - d]);
    };
    for l in 1..=levels {
        let mut j = (1 << l) - 1;
        while j < w {
            step(&mut g, &mut pp, j, 1 << (l - 1));
            j += 1 << l;
        }
    }
    for l in (1..=levels).rev() {
        let mut j = (1 << l) + (1 << (l - 1)) - 1;
        while j < w {
            step(&mut g, &mut pp, j, 1 << (l - 1));
            j += 1 << l;
        }
    }
    let out: Vec<u32> = (0..w)
        .map(|c| {
            if c == 0 {
                p[0]
            } else {
                net.gate(Op::Xor, p[c], g[c - 1])
            }
        })
        .collect();
    net.count(&out[used_lo.min(w)..])
}

type Key = (Vec<OpBit>, Vec<OpBit>, usize, usize);

/// The gates of the W-bit product of `a` and `b` (one row per bit of `b`), of which bits
/// `used_lo..W` are used. Remembered: the cost model asks for the same few shapes many times.
pub(crate) fn product_gates(a: &[OpBit], b: &[OpBit], w: usize, used_lo: usize) -> Gates {
    static MEMO: OnceLock<Mutex<HashMap<Key, Gates>>> = OnceLock::new();
    let key = (a.to_vec(), b.to_vec(), w, used_lo);
    let memo = MEMO.get_or_init(Default::default);
    if let Some(g) = memo.lock().map(|m| m.get(&key).copied()).ok().flatten() {
        return g;
    }
    let g = build(a, b, w, used_lo);
    if let Ok(mut m) = memo.lock() {
        m.insert(key, g);
    }
    g
}

/// Operand bits of a table field: `bits_of(entry)` gives each entry's bits (least significant
/// first). With a fixed table a bit equal in every entry is a constant, and bits with the same
/// pattern over the entries are one signal (the K:1 multiplexer of constants computes the same
/// function of the segment for both); otherwise every bit is its own signal.
pub(crate) fn field_bits(entries: Option<Vec<Vec<bool>>>, bits: usize) -> Vec<OpBit> {
    let Some(entries) = entries.filter(|e| !e.is_empty()) else {
        return (0..bits as u32).map(OpBit::Signal).collect();
    };
    let mut patterns: HashMap<Vec<bool>, u32> = HashMap::new();
    (0..bits)
        .map(|m| {
            let pat: Vec<bool> = entries.iter().map(|e| e[m]).collect();
            if pat.iter().all(|&v| !v) {
                OpBit::Zero
            } else if pat.iter().all(|&v| v) {
                OpBit::One
            } else {
                let n = patterns.len() as u32;
                OpBit::Signal(*patterns.entry(pat).or_insert(n))
            }
        })
        .collect()
}

/// `bits` sign-extended to `w` bits.
pub(crate) fn sign_extend(bits: &[OpBit], w: usize) -> Vec<OpBit> {
    (0..w).map(|m| bits[m.min(bits.len() - 1)]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(n: u32) -> Vec<OpBit> {
        (0..n).map(OpBit::Signal).collect()
    }

    /// Cell counts of Yosys 0.23 `synth -flatten -noabc` for the same expressions (the gates
    /// before ABC; ABC changed these totals by under 2 %): 8-bit operands sign-extended to 16,
    /// 16 bits kept: 259 AND, 84 OR, 207 XOR; the same at 32 bits: 4142 AND, 1461 OR, 3080 XOR.
    #[test]
    fn reproduces_the_synthesized_netlist() {
        let g = product_gates(
            &sign_extend(&signals(8), 16),
            &sign_extend(&signals(8), 16),
            16,
            0,
        );
        assert_eq!((g.and, g.or, g.xor, g.not), (259, 84, 207, 0));
        let g = product_gates(
            &sign_extend(&signals(32), 64),
            &sign_extend(&signals(32), 64),
            64,
            0,
        );
        assert_eq!((g.and, g.or, g.xor, g.not), (4142, 1461, 3080, 0));
    }

    /// Constant operand bits and unused product bits only remove gates; a zero operand leaves
    /// none.
    #[test]
    fn constants_and_unused_bits_remove_gates() {
        let x = sign_extend(&signals(16), 32);
        let full = product_gates(&sign_extend(&signals(16), 32), &x, 32, 0);
        let mut k = signals(16);
        for bit in &mut k[..8] {
            *bit = OpBit::Zero;
        }
        let low_zero = product_gates(&sign_extend(&k, 32), &x, 32, 0);
        k[8] = OpBit::One;
        let one = product_gates(&sign_extend(&k, 32), &x, 32, 0);
        let high_only = product_gates(&sign_extend(&k, 32), &x, 32, 20);
        let tot = |g: Gates| g.and + g.or + g.xor + g.not;
        assert!(tot(low_zero) < tot(full));
        assert!(tot(one) < tot(low_zero));
        assert!(tot(high_only) < tot(one));
        let zero = product_gates(&[OpBit::Zero; 32], &x, 32, 0);
        assert_eq!(tot(zero), 0);
    }
}
