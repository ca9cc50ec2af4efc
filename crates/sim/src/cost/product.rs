//! The multiplier as synthesis builds the RTL's product expression, gate by gate.
//!
//! Yosys turns a product into a `$macc` cell and `maccmap` lays it out: the wider operand `a`
//! extended to the W product bits, one row `a · b_i · 2^i` per bit of `b` (for a signed product
//! the sign bit's row is `!a · b_s · 2^s` plus `b_s` at column s), the rows' bits regrouped
//! column by column into summands, the summands added three at a time by full adders until two
//! are left, and those two by a carry-lookahead (Brent–Kung) adder. Constant operand bits (a
//! fixed table's slope bits that are equal in every entry) enter that layout only through the
//! rows' gates, which are wires when it is made, so they fold the gates they feed without
//! changing it (the one exception is the sign row's added bit); identical gates are shared.
//! A closed form of that count is not at hand, so the netlist is built here with those rules —
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

/// The gates of the W-bit product of `a` and `b` as Yosys's `maccmap` lays it out, of which
/// product bits `used_lo..W` are used. `a` is the wider operand (the first on a tie) and is
/// extended to W bits; each bit of `b` gates one row of it. For a signed product the row of
/// `b`'s sign bit is `!a · b_s` shifted to the sign position plus `b_s` at that position (two's
/// complement: −a = !a + 1).
fn build(a: &[OpBit], b: &[OpBit], signed: bool, w: usize, used_lo: usize) -> Gates {
    let (a, b) = if a.len() < b.len() { (b, a) } else { (a, b) };
    let mut net = Netlist::default();
    // a's and b's signals are distinct even where their ids coincide.
    let (ao, bo) = (0, 1 << 20);
    let a: Vec<u32> = (0..w)
        .map(|m| match a.get(m) {
            Some(&bit) => node(bit, ao),
            None if signed => node(a[a.len() - 1], ao),
            None => ZERO,
        })
        .collect();
    // Each product column holds its bits in the order `maccmap` takes them into summands (a set
    // ordered by wire). The sign row's added bit is an operand wire, which sorts before the
    // rows' wires, created later, so it comes first in its column; a constant zero is not added.
    let mut columns: Vec<Vec<u32>> = vec![Vec::new(); w];
    for (i, &bi) in b.iter().enumerate() {
        let bi = node(bi, bo);
        let sign_row = signed && i + 1 == b.len();
        if sign_row && bi != ZERO {
            columns[i].insert(0, bi);
        }
        // Below the row's shift its bits are gates of constant zeros: they fold, but they hold
        // their places in the columns when the summands are formed.
        for (c, column) in columns.iter_mut().enumerate() {
            column.push(match c.checked_sub(i) {
                None => ZERO,
                Some(m) if sign_row => {
                    let na = net.gate(Op::Not, a[m], a[m]);
                    net.gate(Op::And, na, bi)
                }
                Some(m) => net.gate(Op::And, a[m], bi),
            });
        }
    }
    // Summands take one bit of every column that has one left, in turn.
    let depth = columns.iter().map(Vec::len).max().unwrap_or(0);
    let mut rows: Vec<Vec<u32>> = (0..depth)
        .map(|j| {
            columns
                .iter()
                .map(|col| col.get(j).copied().unwrap_or(ZERO))
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

type Key = (Vec<OpBit>, Vec<OpBit>, bool, usize, usize);

/// The gates of the W-bit product of `a` and `b`, signed or unsigned, of which bits
/// `used_lo..W` are used. Remembered: the cost model asks for the same few shapes many times.
pub(crate) fn product_gates(
    a: &[OpBit],
    b: &[OpBit],
    signed: bool,
    w: usize,
    used_lo: usize,
) -> Gates {
    static MEMO: OnceLock<Mutex<HashMap<Key, Gates>>> = OnceLock::new();
    let key = (a.to_vec(), b.to_vec(), signed, w, used_lo);
    let memo = MEMO.get_or_init(Default::default);
    if let Some(g) = memo.lock().map(|m| m.get(&key).copied()).ok().flatten() {
        return g;
    }
    let g = build(a, b, signed, w, used_lo);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(n: u32) -> Vec<OpBit> {
        (0..n).map(OpBit::Signal).collect()
    }

    fn counts(g: Gates) -> (usize, usize, usize, usize) {
        (g.and, g.or, g.xor, g.not)
    }

    /// Cell counts of Yosys 0.23 `synth -flatten -noabc; stat` (the gates before ABC) for
    /// `assign p = $signed({{N{k[N-1]}}, k}) * $signed({{N{x[N-1]}}, x});` with N-bit inputs and
    /// a 2N-bit output (`wreduce` narrows it to a signed N × N product):
    /// N = 8: 209 AND, 66 OR, 141 XOR, 8 NOT; N = 16: 866, 290, 582, 16; N = 32: 3395, 1147,
    /// 2293, 32. With N_k-bit k and N_x-bit x (`{{N_x{k[N_k-1]}}, k}`, `{{N_k{x[N_x-1]}}, x}`,
    /// N_k + N_x output bits), the wider operand gating the rows: 8 × 16 and 16 × 8 both 407 AND,
    /// 129 OR, 261 XOR, 16 NOT; 12 × 20: 777, 254, 509, 20. For `assign p = a * b;` with
    /// 24-bit unsigned inputs and a 48-bit output (the FP32 significands; `{24'd0, a} *
    /// {24'd0, b}` gives the same): 1791 AND, 556 OR, 1157 XOR.
    #[test]
    fn reproduces_the_synthesized_netlist() {
        for (n, want) in [
            (8, (209, 66, 141, 8)),
            (16, (866, 290, 582, 16)),
            (32, (3395, 1147, 2293, 32)),
        ] {
            let g = product_gates(&signals(n), &signals(n), true, 2 * n as usize, 0);
            assert_eq!(counts(g), want, "{n} x {n} signed");
        }
        for (nk, nx, want) in [
            (8, 16, (407, 129, 261, 16)),
            (16, 8, (407, 129, 261, 16)),
            (12, 20, (777, 254, 509, 20)),
        ] {
            let g = product_gates(&signals(nk), &signals(nx), true, (nk + nx) as usize, 0);
            assert_eq!(counts(g), want, "{nk} x {nx} signed");
        }
        let g = product_gates(&signals(24), &signals(24), false, 48, 0);
        assert_eq!(counts(g), (1791, 556, 1157, 0));
    }

    /// A fixed table's slope comes out of a multiplexer of constants, `lk = tbl_k[j*N +: N]`
    /// when `ls == j`, as the RTL writes it. Yosys 0.23 `synth -flatten -noabc; stat`, the
    /// product's gates being the difference between the module with `assign p =
    /// $signed({{..{lk[N-1]}}, lk}) * $signed({{..{lx[M-1]}}, lx});` and with `assign p = 0;`
    /// (the multiplexer's gates are the same in both). 16-bit `lx`: slopes 0000 f900 0b00 2400
    /// 3900 4700 4200 4000 (16-bit, a widened 8-bit table; 32 product bits): 489 AND, 171 OR,
    /// 347 XOR, 8 NOT; slopes 2000 0900 0300 2400 1900 1700 1200 1000 (all positive): 342, 94,
    /// 225, 6; 8-bit slopes 20 09 03 24 19 17 12 10 (24 product bits; the slope is the narrower
    /// operand, so its bits gate the rows and its constant-zero sign bit adds no correction
    /// bit): 309, 96, 191, 0. 32-bit `lx` and slopes 1, 3, ..., 15 (64 product bits): 509, 118,
    /// 362, 3; the same slopes shifted left by 24: 530, 138, 391, 3 — larger, because the
    /// negated sign row's ones then overlap the other rows' live bits.
    #[test]
    fn fixed_slope_bits_fold_as_synthesized() {
        let table = |vals: &[u64], n: usize| {
            let entries = vals
                .iter()
                .map(|v| (0..n).map(|m| (v >> m) & 1 == 1).collect())
                .collect();
            field_bits(Some(entries), n)
        };
        let odd: Vec<u64> = (0..8).map(|i| 2 * i + 1).collect();
        let widened: Vec<u64> = odd.iter().map(|v| v << 24).collect();
        for (vals, n, nx, want) in [
            (
                vec![
                    0x0000, 0xf900, 0x0b00, 0x2400, 0x3900, 0x4700, 0x4200, 0x4000,
                ],
                16,
                16,
                (489, 171, 347, 8),
            ),
            (
                vec![
                    0x2000, 0x0900, 0x0300, 0x2400, 0x1900, 0x1700, 0x1200, 0x1000,
                ],
                16,
                16,
                (342, 94, 225, 6),
            ),
            (
                vec![0x20, 0x09, 0x03, 0x24, 0x19, 0x17, 0x12, 0x10],
                8,
                16,
                (309, 96, 191, 0),
            ),
            (odd, 32, 32, (509, 118, 362, 3)),
            (widened, 32, 32, (530, 138, 391, 3)),
        ] {
            let g = product_gates(&table(&vals, n), &signals(nx), true, n + nx as usize, 0);
            assert_eq!(counts(g), want, "{vals:x?}");
        }
    }

    /// Constant operand bits and unused product bits only remove gates; a zero operand leaves
    /// none.
    #[test]
    fn constants_and_unused_bits_remove_gates() {
        let x = signals(16);
        let full = product_gates(&signals(16), &x, true, 32, 0);
        let mut k = signals(16);
        for bit in &mut k[..8] {
            *bit = OpBit::Zero;
        }
        let low_zero = product_gates(&k, &x, true, 32, 0);
        k[8] = OpBit::One;
        let one = product_gates(&k, &x, true, 32, 0);
        let high_only = product_gates(&k, &x, true, 32, 20);
        let tot = |g: Gates| g.and + g.or + g.xor + g.not;
        assert!(tot(low_zero) < tot(full));
        assert!(tot(one) < tot(low_zero));
        assert!(tot(high_only) < tot(one));
        let zero = product_gates(&[OpBit::Zero; 16], &x, true, 32, 0);
        assert_eq!(tot(zero), 0);
    }
}
