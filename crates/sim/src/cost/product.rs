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

    /// Which gates drive `outputs`, directly or through other gates.
    fn used(&self, outputs: &[u32]) -> Vec<bool> {
        let mut seen = vec![false; self.gates.len()];
        let mut stack: Vec<u32> = outputs.iter().copied().filter(|&n| n >= GATE0).collect();
        while let Some(n) = stack.pop() {
            let i = (n - GATE0) as usize;
            if !std::mem::replace(&mut seen[i], true) {
                let (_, a, b) = self.gates[i];
                stack.extend([a, b].into_iter().filter(|&n| n >= GATE0));
            }
        }
        seen
    }

    /// The gates that drive `outputs`, by kind.
    fn count(&self, outputs: &[u32]) -> Gates {
        let mut g = Gates::default();
        for (&(op, _, _), _) in self
            .gates
            .iter()
            .zip(self.used(outputs))
            .filter(|(_, u)| *u)
        {
            match op {
                Op::And => g.and += 1,
                Op::Or => g.or += 1,
                Op::Xor => g.xor += 1,
                Op::Not => g.not += 1,
            }
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

/// The product's netlist as Yosys's `maccmap` lays it out: its gates, its W output bits and
/// the node each operand bit drives (in the caller's order, whichever operand gates the rows).
/// `a` is the wider operand (the first on a tie) and is extended to W bits; each bit of `b`
/// gates one row of it. For a signed product the row of `b`'s sign bit is `!a · b_s` shifted
/// to the sign position plus `b_s` at that position (two's complement: −a = !a + 1).
struct Built {
    net: Netlist,
    out: Vec<u32>,
    /// Node of each bit of the caller's first and second operand.
    first: Vec<u32>,
    second: Vec<u32>,
}

fn netlist(first: &[OpBit], second: &[OpBit], signed: bool, w: usize) -> Built {
    let swapped = first.len() < second.len();
    let (a, b) = if swapped {
        (second, first)
    } else {
        (first, second)
    };
    let mut net = Netlist::default();
    // a's and b's signals are distinct even where their ids coincide.
    let (ao, bo) = (0, 1 << 20);
    let a_nodes: Vec<u32> = a.iter().map(|&bit| node(bit, ao)).collect();
    let b_nodes: Vec<u32> = b.iter().map(|&bit| node(bit, bo)).collect();
    let (first_nodes, second_nodes) = if swapped {
        (b_nodes, a_nodes)
    } else {
        (a_nodes, b_nodes)
    };
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
    Built {
        net,
        out,
        first: first_nodes,
        second: second_nodes,
    }
}

fn build(a: &[OpBit], b: &[OpBit], signed: bool, w: usize, used_lo: usize) -> Gates {
    let built = netlist(a, b, signed, w);
    built.net.count(&built.out[used_lo.min(w)..])
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

/// Where a gate's input comes from, resolved once for replaying the netlist.
#[derive(Clone, Copy)]
enum Src {
    Const(u64),
    Input(usize),
    Gate(usize),
}

/// A product's netlist prepared for replay, word by word: 64 successive evaluations of one
/// lane at a time, each bit of a word one evaluation (zero delay, as the gate-level estimate
/// simulates the synthesized netlist).
struct Replay {
    gates: Vec<(Op, Src, Src)>,
    /// Gates that drive a used product bit: only they are in the component's GE.
    used: Vec<bool>,
    /// (operand 0 or 1, bit) that sets each input; bits sharing a signal share an input.
    inputs: Vec<(usize, usize)>,
    /// Every gate's value with both operands zero, where the simulator's toggles start too.
    at_zero: Vec<bool>,
    /// Used gates' toggles per evaluation with every input an independent fair coin.
    random: Gates,
    random_evals: u64,
    /// The product's bits, for checking the replay computes the product.
    #[cfg(test)]
    out: Vec<Src>,
}

/// Evaluations in the random reference: 64 words of 64.
const RANDOM_WORDS: usize = 64;

impl Replay {
    fn new(built: &Built, used_lo: usize) -> Replay {
        let mut inputs: Vec<(usize, usize)> = Vec::new();
        let mut input_of: HashMap<u32, usize> = HashMap::new();
        for (o, nodes) in [&built.first, &built.second].into_iter().enumerate() {
            for (m, &n) in nodes.iter().enumerate() {
                if n > ONE && n < GATE0 {
                    input_of.entry(n).or_insert_with(|| {
                        inputs.push((o, m));
                        inputs.len() - 1
                    });
                }
            }
        }
        let src = |n: u32| match n {
            ZERO => Src::Const(0),
            ONE => Src::Const(u64::MAX),
            n if n >= GATE0 => Src::Gate((n - GATE0) as usize),
            n => Src::Input(input_of[&n]),
        };
        let gates: Vec<(Op, Src, Src)> = built
            .net
            .gates
            .iter()
            .map(|&(op, a, b)| (op, src(a), src(b)))
            .collect();
        let used = built.net.used(&built.out[used_lo.min(built.out.len())..]);
        let mut r = Replay {
            gates,
            used,
            inputs,
            at_zero: Vec::new(),
            random: Gates::default(),
            random_evals: 0,
            #[cfg(test)]
            out: built.out.iter().map(|&n| src(n)).collect(),
        };
        let mut values = vec![0u64; r.gates.len()];
        r.eval(&vec![0; r.inputs.len()], &mut values);
        r.at_zero = values.iter().map(|&v| v & 1 == 1).collect();
        // The reference: independent fair coins on every input (a fixed generator, so the
        // same netlist always gets the same reference).
        let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(0x5eed);
        let mut last = r.at_zero.clone();
        let mut toggles = Gates::default();
        let mut words = vec![0u64; r.inputs.len()];
        for _ in 0..RANDOM_WORDS {
            for w in &mut words {
                *w = rand::RngCore::next_u64(&mut rng);
            }
            r.eval(&words, &mut values);
            r.count(&values, 64, &mut last, &mut toggles);
        }
        r.random = toggles;
        r.random_evals = (RANDOM_WORDS * 64) as u64;
        r
    }

    /// Every gate's value word from the inputs' words.
    fn eval(&self, inputs: &[u64], values: &mut [u64]) {
        for (i, &(op, a, b)) in self.gates.iter().enumerate() {
            let get = |s: Src, values: &[u64]| match s {
                Src::Const(c) => c,
                Src::Input(j) => inputs[j],
                Src::Gate(g) => values[g],
            };
            let (x, y) = (get(a, values), get(b, values));
            values[i] = match op {
                Op::And => x & y,
                Op::Or => x | y,
                Op::Xor => x ^ y,
                Op::Not => !x,
            };
        }
    }

    /// Adds the used gates' toggles over `n` evaluations (the words' low `n` bits), each
    /// against the one before it (`last`: the previous word's final value), by gate kind.
    fn count(&self, values: &[u64], n: usize, last: &mut [bool], toggles: &mut Gates) {
        let keep = if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
        for (i, &(op, _, _)) in self.gates.iter().enumerate() {
            let v = values[i];
            let before = (v << 1) | u64::from(last[i]);
            last[i] = (v >> (n - 1)) & 1 == 1;
            if !self.used[i] {
                continue;
            }
            let t = ((v ^ before) & keep).count_ones() as usize;
            match op {
                Op::And => toggles.and += t,
                Op::Or => toggles.or += t,
                Op::Xor => toggles.xor += t,
                Op::Not => toggles.not += t,
            }
        }
    }

    /// The used gates' toggles over `lanes`' operand sequences, each lane's from both
    /// operands zero.
    fn replay(&self, lanes: &[Vec<(i64, i64)>]) -> (Gates, u64) {
        let mut toggles = Gates::default();
        let mut evals = 0u64;
        let mut values = vec![0u64; self.gates.len()];
        let mut words = vec![0u64; self.inputs.len()];
        for ops in lanes {
            let mut last = self.at_zero.clone();
            for chunk in ops.chunks(64) {
                for (w, &(o, m)) in words.iter_mut().zip(&self.inputs) {
                    *w = chunk.iter().enumerate().fold(0u64, |acc, (i, &(p, q))| {
                        let v = if o == 0 { p } else { q };
                        acc | ((((v >> m.min(63)) & 1) as u64) << i)
                    });
                }
                self.eval(&words, &mut values);
                self.count(&values, chunk.len(), &mut last, &mut toggles);
                evals += chunk.len() as u64;
            }
        }
        (toggles, evals)
    }
}

/// Switching of the product's gates (bits `used_lo..W` used) on operand sequences, against
/// random operands: the used gates' toggles, by kind, and the evaluations, over `lanes` (one
/// sequence of (first, second) operand values per lane, replayed from both operands zero), and
/// the same with every live operand bit an independent fair coin — the activity the cost
/// model's energy per GE assumes. An array does not switch in proportion to its inputs'
/// toggles: one toggling bit of x switches a whole row of partial products and the sums and
/// carries they feed, several times its share of the inputs.
pub(crate) fn product_switching(
    first: &[OpBit],
    second: &[OpBit],
    signed: bool,
    w: usize,
    used_lo: usize,
    lanes: &[Vec<(i64, i64)>],
) -> Switching {
    static MEMO: OnceLock<Mutex<HashMap<Key, std::sync::Arc<Replay>>>> = OnceLock::new();
    let key = (first.to_vec(), second.to_vec(), signed, w, used_lo);
    let memo = MEMO.get_or_init(Default::default);
    let cached = memo.lock().ok().and_then(|m| m.get(&key).cloned());
    let replay = cached.unwrap_or_else(|| {
        let r = std::sync::Arc::new(Replay::new(&netlist(first, second, signed, w), used_lo));
        if let Ok(mut m) = memo.lock() {
            m.insert(key, r.clone());
        }
        r
    });
    let (toggles, evals) = replay.replay(lanes);
    Switching {
        toggles,
        evals,
        random: replay.random,
        random_evals: replay.random_evals,
    }
}

/// Gate toggles of a netlist on a run and on random inputs (`product_switching`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Switching {
    pub toggles: Gates,
    pub evals: u64,
    pub random: Gates,
    pub random_evals: u64,
}

impl Switching {
    /// The run's GE-weighted toggles per evaluation over the random reference's: 1 when the
    /// netlist switches as on random operands.
    pub fn activity(&self, cell: &super::CellLib) -> f64 {
        let per = |g: Gates, n: u64| if n > 0 { g.ge(cell) / n as f64 } else { 0.0 };
        let reference = per(self.random, self.random_evals);
        if reference > 0.0 {
            per(self.toggles, self.evals) / reference
        } else {
            0.0
        }
    }
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

    /// The replayed netlist computes the product: every output bit, word by word, against
    /// k · x modulo 2^W, for signed products of equal and unequal widths, a fixed table's
    /// folded slope and an unsigned significand product.
    #[test]
    fn replay_computes_the_product() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let slopes = [
            0x0000i64, -0x0700, 0x0b00, 0x2400, 0x3900, 0x4700, 0x4200, 0x4000,
        ];
        let fixed: Vec<Vec<bool>> = slopes
            .iter()
            .map(|v| (0..16).map(|m| (v >> m) & 1 == 1).collect())
            .collect();
        // (slope bits, x bits, signed, the slope's values when it is a fixed table)
        type Case<'a> = (Vec<OpBit>, usize, bool, Option<&'a [i64]>);
        let cases: Vec<Case> = vec![
            (signals(8), 8, true, None),
            (signals(8), 16, true, None),
            (signals(16), 8, true, None),
            (field_bits(Some(fixed), 16), 16, true, Some(&slopes)),
            (signals(24), 24, false, None),
        ];
        for (k_bits, nx, signed, table) in cases {
            let (nk, w) = (k_bits.len(), k_bits.len() + nx);
            let r = Replay::new(&netlist(&k_bits, &signals(nx as u32), signed, w), 0);
            let draw = |rng: &mut rand_chacha::ChaCha8Rng, n: usize| {
                let v: i64 = rng.gen_range(0..1i64 << n);
                if signed && v >= 1 << (n - 1) {
                    v - (1 << n)
                } else {
                    v
                }
            };
            let pairs: Vec<(i64, i64)> = (0..64)
                .map(|_| {
                    let k = match table {
                        Some(t) => t[rng.gen_range(0..t.len())],
                        None => draw(&mut rng, nk),
                    };
                    (k, draw(&mut rng, nx))
                })
                .collect();
            let words: Vec<u64> = r
                .inputs
                .iter()
                .map(|&(o, m)| {
                    pairs.iter().enumerate().fold(0, |acc, (i, &(k, x))| {
                        let v = if o == 0 { k } else { x };
                        acc | ((((v >> m) & 1) as u64) << i)
                    })
                })
                .collect();
            let mut values = vec![0u64; r.gates.len()];
            r.eval(&words, &mut values);
            let bit = |s: Src, i: usize| match s {
                Src::Const(c) => c >> i & 1,
                Src::Input(j) => words[j] >> i & 1,
                Src::Gate(g) => values[g] >> i & 1,
            };
            for (i, &(k, x)) in pairs.iter().enumerate() {
                let want = (k as i128 * x as i128) & ((1i128 << w) - 1);
                let got = r.out.iter().enumerate().fold(0i128, |acc, (c, &s)| {
                    acc | (i128::from(bit(s, i) as u8) << c)
                });
                assert_eq!(got, want, "{nk} x {nx} signed {signed}: {k} * {x}");
            }
        }
    }

    /// The replay counts what switches: constant operands switch nothing after the first
    /// evaluation; random operands switch the array as the reference does; one toggling bit
    /// of x, an input-rate activity of 1/16, switches a whole row of partial products and the
    /// sums below them: 3 to 5 times that (0.17–0.29 of random operands' switching).
    #[test]
    fn replay_counts_the_array_switching() {
        use rand::{Rng, SeedableRng};
        let cell = &super::super::NANGATE45;
        let (k, x) = (signals(16), signals(16));
        let run = |ops: Vec<(i64, i64)>| product_switching(&k, &x, true, 32, 0, &[ops]);
        let once = run(vec![(0x1234, -0x2345)]);
        let held = run(vec![(0x1234, -0x2345); 200]);
        assert_eq!(held.toggles, once.toggles);
        assert!(once.toggles.and > 0);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let random = run((0..4096)
            .map(|_| (rng.gen_range(-32768..32768), rng.gen_range(-32768..32768)))
            .collect());
        let a = random.activity(cell);
        assert!((a - 1.0).abs() < 0.05, "{a}");
        let alternate = |bit: u32| {
            run((0..200)
                .map(|i| (0x1234, 0x0f0f ^ (i64::from(i % 2 == 1) << bit)))
                .collect())
            .activity(cell)
        };
        // One of the 32 input bits toggling each evaluation: an input-rate activity of 1/16.
        for bit in 0..16 {
            let a = alternate(bit);
            assert!(a > 2.5 / 16.0 && a < 0.5, "bit {bit}: {a}");
        }
        // Two lanes are two sequences: their first evaluations start from zero each.
        let two = product_switching(
            &k,
            &x,
            true,
            32,
            0,
            &[vec![(0x1234, -0x2345)], vec![(0x1234, -0x2345)]],
        );
        assert_eq!(two.toggles.ge(cell), 2.0 * once.toggles.ge(cell));
        assert_eq!(two.evals, 2);
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
