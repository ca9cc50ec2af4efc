//! What a GRU cell holds: one integer GRU layer (docs/gru.md, "The integer model") as the
//! hardware sees it — every operator's format, the weight and bias codes, and the three
//! activation tables — plus the scales at which its sums are accumulated.
//!
//! The integer model of lutforge-gru builds this from a genome; the cell model (`cell`) and
//! the RTL run it. The types live here, below lutforge-gru, so that the simulator needs no
//! knowledge of training or genomes.

use lutforge_core::golden::{self, Datapath, IntParams};
use lutforge_core::{Error, FixedFormat, Result};
use serde::{Deserialize, Serialize};

/// A matrix or vector of codes at one scale (row-major).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QTensor {
    pub codes: Vec<i64>,
    pub fmt: FixedFormat,
    /// Per-row scales (row j's codes stand for q · 2^-row_frac[j]); empty: every row at
    /// `fmt.frac`. `fmt.frac` is then the finest row's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub row_frac: Vec<i32>,
}

impl QTensor {
    /// The left shift that brings row j's codes to the tensor's scale `fmt.frac`.
    pub fn row_shift(&self, j: usize) -> u32 {
        self.row_frac
            .get(j)
            .map_or(0, |&f| (self.fmt.frac - f) as u32)
    }

    /// The real value of code `c` in row j.
    pub fn value(&self, j: usize, c: i64) -> f64 {
        let f = self.row_frac.get(j).copied().unwrap_or(self.fmt.frac);
        c as f64 * 2f64.powi(-f)
    }

    /// The largest [`QTensor::row_shift`]: how far the coarsest row's codes reach beyond
    /// `fmt.bits` at the tensor's scale.
    pub fn max_row_shift(&self) -> u32 {
        (0..self.row_frac.len())
            .map(|j| self.row_shift(j))
            .max()
            .unwrap_or(0)
    }
}

/// The formats of one layer's activations (gene names of docs/gru.md).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerFormats {
    pub a_r: FixedFormat,
    pub a_z: FixedFormat,
    pub a_n: FixedFormat,
    pub hn: FixedFormat,
    pub r: FixedFormat,
    pub z: FixedFormat,
    pub n: FixedFormat,
    pub rhn: FixedFormat,
    pub h: FixedFormat,
    pub zh: FixedFormat,
    pub zn: FixedFormat,
}

/// One activation as a LUT unit: its datapath and table.
#[derive(Clone, Debug, PartialEq)]
pub struct ActTable {
    pub dp: Datapath,
    pub params: IntParams,
}

impl ActTable {
    /// The output code for input code `x`, as the LUT unit computes it.
    pub fn eval(&self, x: i64) -> i64 {
        golden::eval(&self.dp, &self.params, x).y
    }
}

/// One GRU layer in integers: what a cell computes each step.
#[derive(Clone, Debug, PartialEq)]
pub struct CellSpec {
    pub inputs: usize,
    pub hidden: usize,
    /// Input codes' format (the model input, or the layer below's h).
    pub input: FixedFormat,
    /// Gate weights r, z, n: (H × inputs) and (H × H), row-major.
    pub w_i: [QTensor; 3],
    pub w_h: [QTensor; 3],
    /// b_ir + b_hr, b_iz + b_hz, b_in, b_hn.
    pub b: [QTensor; 4],
    pub fmt: LayerFormats,
    pub sig_r: ActTable,
    pub sig_z: ActTable,
    pub tanh_n: ActTable,
}

/// The four sums a MAC lane accumulates for one hidden unit j, in schedule order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sum {
    /// W_ir x + W_hr h + b_r: I + H columns.
    R,
    /// W_iz x + W_hz h + b_z: I + H columns.
    Z,
    /// W_in x + b_in: I columns (r ⊙ hn joins it in the elementwise stage).
    Nx,
    /// W_hn h + b_hn: H columns.
    Hn,
}

impl Sum {
    pub const ALL: [Sum; 4] = [Sum::R, Sum::Z, Sum::Nx, Sum::Hn];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Sum::R => "r",
            Sum::Z => "z",
            Sum::Nx => "nx",
            Sum::Hn => "hn",
        }
    }
}

/// Where one MAC cycle's operands come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// Input code k with the input weight of the sum's gate.
    X(usize),
    /// State code k with the hidden weight of the sum's gate.
    H(usize),
}

impl CellSpec {
    /// Why the cell cannot run this layer, if it cannot.
    pub fn check(&self) -> Result<()> {
        let (i, h) = (self.inputs, self.hidden);
        if i == 0 || h == 0 {
            return Err(Error::input(format!(
                "a cell of {i} inputs and {h} hidden units: both must be at least 1"
            )));
        }
        for (name, t, n) in [
            ("w_ir", &self.w_i[0], h * i),
            ("w_iz", &self.w_i[1], h * i),
            ("w_in", &self.w_i[2], h * i),
            ("w_hr", &self.w_h[0], h * h),
            ("w_hz", &self.w_h[1], h * h),
            ("w_hn", &self.w_h[2], h * h),
            ("b_r", &self.b[0], h),
            ("b_z", &self.b[1], h),
            ("b_in", &self.b[2], h),
            ("b_hn", &self.b[3], h),
        ] {
            if t.codes.len() != n {
                return Err(Error::input(format!(
                    "{name} holds {} codes; the cell needs {n}",
                    t.codes.len()
                )));
            }
            if let Some(c) = t.codes.iter().find(|&&c| !t.fmt.contains(c)) {
                return Err(Error::input(format!(
                    "{name} holds {c}, outside its {}-bit codes",
                    t.fmt.bits
                )));
            }
        }
        let operand = self.operand_bits();
        if let Some(w) = self
            .w_i
            .iter()
            .chain(&self.w_h)
            .find(|w| w.fmt.bits + operand > 62)
        {
            return Err(Error::input(format!(
                "{}-bit weights times {operand}-bit operands: the cell multiplies at most 62 bits",
                w.fmt.bits
            )));
        }
        if self.fmt.z.frac < 0 {
            return Err(Error::input(format!(
                "z has scale {}: 1 − z needs the code of 1, which a negative scale lacks",
                self.fmt.z.frac
            )));
        }
        for (name, t, x, y) in [
            ("sigmoid r", &self.sig_r, self.fmt.a_r, self.fmt.r),
            ("sigmoid z", &self.sig_z, self.fmt.a_z, self.fmt.z),
            ("tanh n", &self.tanh_n, self.fmt.a_n, self.fmt.n),
        ] {
            if t.dp.input != x || t.dp.output != y {
                return Err(Error::input(format!(
                    "the {name} table maps {:?} to {:?}; the layer needs {x:?} to {y:?}",
                    t.dp.input, t.dp.output
                )));
            }
            t.dp.check()
                .map_err(|m| Error::input(format!("{name}: {m}")))?;
            lutforge_core::Params::Int(t.params.clone())
                .check_fit(t.params.segments(), Some(&t.dp))
                .map_err(|m| Error::input(format!("{name}: {}", m.msg)))?;
        }
        // Every aligned sum must fit the 128-bit accumulator the model (and the RTL's width
        // computation) assume.
        for s in Sum::ALL {
            if self.acc_bits(s) > 127 {
                return Err(Error::input(format!(
                    "the {} sum needs {} bits; at most 127",
                    s.name(),
                    self.acc_bits(s)
                )));
            }
        }
        Ok(())
    }

    /// The columns of sum `s`, in the order a lane walks them.
    pub fn columns(&self, s: Sum) -> usize {
        match s {
            Sum::R | Sum::Z => self.inputs + self.hidden,
            Sum::Nx => self.inputs,
            Sum::Hn => self.hidden,
        }
    }

    /// Column `col` of sum `s`: input codes first, then state codes.
    pub fn operand(&self, s: Sum, col: usize) -> Operand {
        match s {
            Sum::R | Sum::Z if col < self.inputs => Operand::X(col),
            Sum::R | Sum::Z => Operand::H(col - self.inputs),
            Sum::Nx => Operand::X(col),
            Sum::Hn => Operand::H(col),
        }
    }

    /// The weight tensors of sum `s` (input part, hidden part) and its bias.
    fn parts(&self, s: Sum) -> (Option<&QTensor>, Option<&QTensor>, &QTensor) {
        match s {
            Sum::R => (Some(&self.w_i[0]), Some(&self.w_h[0]), &self.b[0]),
            Sum::Z => (Some(&self.w_i[1]), Some(&self.w_h[1]), &self.b[1]),
            Sum::Nx => (Some(&self.w_i[2]), None, &self.b[2]),
            Sum::Hn => (None, Some(&self.w_h[2]), &self.b[3]),
        }
    }

    /// The scale every term of sum `s` is aligned to: the finest among them (for Nx, r ⊙ hn
    /// included, which joins it later).
    pub fn scale(&self, s: Sum) -> i32 {
        let (wi, wh, b) = self.parts(s);
        let mut f = b.fmt.frac;
        if let Some(w) = wi {
            f = f.max(w.fmt.frac + self.input.frac);
        }
        if let Some(w) = wh {
            f = f.max(w.fmt.frac + self.fmt.h.frac);
        }
        if s == Sum::Nx {
            f = f.max(self.fmt.rhn.frac);
        }
        f
    }

    /// The left shift of a product in column `col` of sum `s` (constant per part).
    pub fn product_shift(&self, s: Sum, col: usize) -> u32 {
        let (wi, wh, _) = self.parts(s);
        let f = match self.operand(s, col) {
            Operand::X(_) => wi.map_or(0, |w| w.fmt.frac + self.input.frac),
            Operand::H(_) => wh.map_or(0, |w| w.fmt.frac + self.fmt.h.frac),
        };
        (self.scale(s) - f) as u32
    }

    /// The left shift of row j's product in column `col` of sum `s`: [`CellSpec::product_shift`]
    /// and, with weights scaled per row, the row's own shift to its tensor's scale.
    pub fn shift(&self, s: Sum, j: usize, col: usize) -> u32 {
        let (wi, wh, _) = self.parts(s);
        let row = match self.operand(s, col) {
            Operand::X(_) => wi.map_or(0, |w| w.row_shift(j)),
            Operand::H(_) => wh.map_or(0, |w| w.row_shift(j)),
        };
        self.product_shift(s, col) + row
    }

    /// Whether any weight tensor is scaled per row (its shifts then differ by row).
    pub fn row_scaled(&self) -> bool {
        self.w_i
            .iter()
            .chain(&self.w_h)
            .any(|w| w.max_row_shift() > 0)
    }

    /// The largest shift of any row's product.
    pub fn max_shift(&self) -> u32 {
        Sum::ALL
            .iter()
            .flat_map(|&s| (0..self.columns(s)).map(move |c| (s, c)))
            .flat_map(|(s, c)| (0..self.hidden).map(move |j| self.shift(s, j, c)))
            .max()
            .unwrap_or(0)
    }

    /// Row j's weight in column `col` of sum `s`.
    pub fn weight(&self, s: Sum, j: usize, col: usize) -> i64 {
        let (wi, wh, _) = self.parts(s);
        match self.operand(s, col) {
            Operand::X(k) => wi.map_or(0, |w| w.codes[j * self.inputs + k]),
            Operand::H(k) => wh.map_or(0, |w| w.codes[j * self.hidden + k]),
        }
    }

    /// Schedule index k of a group's MAC cycles as (sum, column): the sums in `Sum::ALL`
    /// order, each over its columns.
    pub fn slot(&self, k: usize) -> (Sum, usize) {
        let mut k = k;
        for s in Sum::ALL {
            let n = self.columns(s);
            if k < n {
                return (s, k);
            }
            k -= n;
        }
        (Sum::Hn, self.hidden.saturating_sub(1))
    }

    /// The format of the weights in column `col` of sum `s`.
    pub fn weight_format(&self, s: Sum, col: usize) -> FixedFormat {
        let (wi, wh, b) = self.parts(s);
        match self.operand(s, col) {
            Operand::X(_) => wi.map_or(b.fmt, |w| w.fmt),
            Operand::H(_) => wh.map_or(b.fmt, |w| w.fmt),
        }
    }

    /// Sets row j's weight in column `col` of sum `s`.
    pub fn set_weight(&mut self, s: Sum, j: usize, col: usize, v: i64) {
        let (i, h) = (self.inputs, self.hidden);
        let g = match s {
            Sum::R => 0,
            Sum::Z => 1,
            Sum::Nx | Sum::Hn => 2,
        };
        match self.operand(s, col) {
            Operand::X(k) => self.w_i[g].codes[j * i + k] = v,
            Operand::H(k) => self.w_h[g].codes[j * h + k] = v,
        }
    }

    /// The accumulator's starting value for row j: the bias aligned to the sum's scale.
    pub fn bias_term(&self, s: Sum, j: usize) -> i128 {
        let (_, _, b) = self.parts(s);
        (b.codes[j] as i128) << (self.scale(s) - b.fmt.frac) as u32
    }

    /// Bits of sum `s`'s accumulator: enough for every column's largest aligned product and
    /// the aligned bias (and, for Nx, r ⊙ hn), signed.
    pub fn acc_bits(&self, s: Sum) -> u32 {
        let (wi, wh, b) = self.parts(s);
        let sc = self.scale(s);
        let mag = |bits: u32, frac: i32| -> f64 {
            // Largest |code| of `bits` bits, at the sum's scale.
            2f64.powi(bits as i32 - 1) * 2f64.powi(sc - frac)
        };
        let mut m = mag(b.fmt.bits, b.fmt.frac);
        if let Some(w) = wi {
            m += self.inputs as f64
                * mag(
                    w.fmt.bits + w.max_row_shift() + self.input.bits - 1,
                    w.fmt.frac + self.input.frac,
                );
        }
        if let Some(w) = wh {
            m += self.hidden as f64
                * mag(
                    w.fmt.bits + w.max_row_shift() + self.fmt.h.bits - 1,
                    w.fmt.frac + self.fmt.h.frac,
                );
        }
        if s == Sum::Nx {
            m += mag(self.fmt.rhn.bits, self.fmt.rhn.frac);
        }
        (m.log2().floor() as u32) + 2
    }

    /// The widest weight (the one weight word of the lanes' memories).
    pub fn weight_word_bits(&self) -> u32 {
        self.w_i
            .iter()
            .chain(&self.w_h)
            .map(|t| t.fmt.bits)
            .max()
            .unwrap_or(2)
    }

    /// The widest bias.
    pub fn bias_word_bits(&self) -> u32 {
        self.b.iter().map(|t| t.fmt.bits).max().unwrap_or(2)
    }

    /// The MAC operand's width: the wider of the input and the state codes.
    pub fn operand_bits(&self) -> u32 {
        self.input.bits.max(self.fmt.h.bits)
    }

    /// MAC cycles of one group of rows: every column of the four sums.
    pub fn mac_cycles(&self) -> usize {
        Sum::ALL.iter().map(|&s| self.columns(s)).sum()
    }

    /// Weight and bias bits stored (the size objective of the GRU search).
    pub fn weight_bits(&self) -> u64 {
        let t = |q: &QTensor| q.codes.len() as u64 * q.fmt.bits as u64;
        self.w_i.iter().chain(&self.w_h).chain(&self.b).map(t).sum()
    }
}
