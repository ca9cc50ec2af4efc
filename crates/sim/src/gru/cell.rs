//! The GRU cell, cycle by cycle: one sequence step per handshake, P MAC lanes over the rows
//! of the weight matrices, then the shared elementwise stage with the two sigmoid units and
//! the tanh unit (docs/gru.md, "The GRU cell in hardware", states every cycle).
//!
//! Outputs are registers (Moore): what `outputs` returns before an edge is what the RTL
//! drives in that cycle, and `tick` applies one rising edge.

use super::activity::{toggles, CellActivity, Tracker};
use super::cfg::{apply as apply_write, CfgMap, Target};
use super::spec::{CellSpec, Operand, Sum};
use crate::unit::ceil_log2;
use crate::unit::CfgWrite;
use lutforge_core::golden::{round_shift, saturate};
use lutforge_core::{Error, FixedFormat, Result, Rounding};

/// Cycles an item spends in the elementwise stage: sigmoids (T0), tanh (T1), state (T2).
pub const TAIL_DEPTH: usize = 3;

/// What the cell is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for an input vector (ready when no output is pending).
    Idle,
    /// Group `group`'s lanes accumulate column `col` of sum `sum`.
    Mac { group: usize, sum: Sum, col: usize },
    /// Group `group`'s lanes drain through the elementwise stage; `t` counts its cycles.
    Tail { group: usize, t: usize },
}

/// The signals the cell samples at an edge.
#[derive(Clone, Copy, Debug)]
pub struct CellIn<'a> {
    pub in_valid: bool,
    /// Clears the state before this step: the first step of a sequence.
    pub start: bool,
    /// The input vector (I codes); read only on an accepted handshake.
    pub x: &'a [i64],
    pub out_ready: bool,
    /// A write on the cfg port (programmable cells); taken at an edge where the cell is
    /// idle (`cfg_ready`).
    pub cfg: Option<CfgWrite>,
}

/// Counts since the last reset: the activity the cost model prices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CellStats {
    pub cycles: u64,
    pub steps: u64,
    /// Lane-cycles that multiplied and accumulated (idle lanes of a partial group excluded).
    pub macs: u64,
    /// Items through the elementwise stage: one per hidden unit per step, each three table
    /// lookups, three products and the requantizations.
    pub tail_items: u64,
    /// Cycles an output waited for `out_ready`.
    pub out_stalls: u64,
}

/// Elementwise-stage register after T0: the sigmoids' outputs and what T1 needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct AfterT0 {
    j: usize,
    a_r: i64,
    a_z: i64,
    r: i64,
    z: i64,
    hn: i64,
    nx: i128,
}

/// The elementwise stage's registers as waveforms show them: after T0 (row, hn, the n sum)
/// and after T1 (row, z).
pub(super) type TailRegs = (Option<(usize, i64, i128)>, Option<(usize, i64)>);

/// After T1: the tanh's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct AfterT1 {
    j: usize,
    z: i64,
    rhn: i64,
    a_n: i64,
    n: i64,
}

/// The operator's output step: from a sum at scale `from` to format `to` (round half up,
/// saturate), as the integer model does it.
fn requant(v: i128, from: i32, to: FixedFormat) -> i64 {
    saturate(round_shift(v, from - to.frac, Rounding::HalfUp), to.bits)
}

#[derive(Clone, Debug)]
pub struct Cell {
    spec: CellSpec,
    lanes: usize,
    phase: Phase,
    x: Vec<i64>,
    h: Vec<i64>,
    h_next: Vec<i64>,
    /// Per lane, the four sums (`Sum::index`).
    acc: Vec<[i128; 4]>,
    /// The same accumulators in i64, used instead when every sum fits 63 bits (`narrow`):
    /// the common case, and twice as fast to simulate.
    acc64: Vec<[i64; 4]>,
    narrow: bool,
    t0: Option<AfterT0>,
    t1: Option<AfterT1>,
    out_valid: bool,
    out_h: Vec<i64>,
    stats: CellStats,
    /// Position in `sched` during a MAC phase.
    mac_k: usize,
    /// The MAC cycles of one group, in order (the same for every group), and every lane's
    /// weight in each: `weights[(group · sched.len() + k) · lanes + lane]` (0 for the idle
    /// lanes of a partial group). Precomputed because the model's speed is a goal.
    sched: Vec<Slot>,
    weights: Vec<i64>,
    /// Each weight's product shift, in the layout of `weights`: the sum's alignment and, with
    /// weights scaled per row, the row's own shift.
    shifts: Vec<u32>,
    /// The scale of each sum (`Sum::index`).
    scales: [i32; 4],
    /// The write port's map, for a programmable cell.
    cfg_map: Option<CfgMap>,
    /// Writes taken since the last reset.
    writes: u64,
    /// The spec as generated: what reset restores.
    init: CellSpec,
    /// Toggle counting, when on (`set_tracking`).
    track: Option<Box<Tracker>>,
}

/// One MAC cycle of the schedule: which sum, which column and its operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Slot {
    sum: Sum,
    col: usize,
    operand: Operand,
}

/// Widths of the control counters: `grp` (the group of rows), `col` (the column of a sum),
/// `t` (the elementwise stage's cycle in a group: up to P + 1) and `tj` (the row).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CounterBits {
    pub group: u32,
    pub col: u32,
    pub tail: u32,
    pub row: u32,
}

impl CounterBits {
    pub fn total(&self) -> u32 {
        self.group + self.col + self.tail + self.row
    }
}

impl CellIn<'_> {
    /// A cycle with nothing offered: no input, no write, the output taken when `out_ready`.
    pub fn idle(out_ready: bool) -> CellIn<'static> {
        CellIn {
            in_valid: false,
            start: false,
            x: &[],
            out_ready,
            cfg: None,
        }
    }
}

/// The cell's registered outputs in one cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellOut<'a> {
    pub in_ready: bool,
    pub out_valid: bool,
    pub out_h: &'a [i64],
    /// A programmable cell takes cfg writes while idle.
    pub cfg_ready: bool,
}

impl Cell {
    /// A cell of `lanes` MAC lanes (1 to H) running `spec`, after reset; its weights and
    /// tables fixed.
    pub fn new(spec: CellSpec, lanes: usize) -> Result<Cell> {
        Cell::with_port(spec, lanes, false)
    }

    /// As [`Cell::new`], with the write port when `programmable`: every weight, bias and
    /// table entry writable through `CellIn::cfg` (`CfgMap`).
    pub fn with_port(spec: CellSpec, lanes: usize, programmable: bool) -> Result<Cell> {
        spec.check()?;
        if lanes == 0 || lanes > spec.hidden {
            return Err(Error::input(format!(
                "{lanes} MAC lanes for {} hidden units: 1 to {} (a lane computes one row at a time; with P not dividing H the last group leaves lanes idle)",
                spec.hidden, spec.hidden
            )));
        }
        let (h, i) = (spec.hidden, spec.inputs);
        let sched: Vec<Slot> = Sum::ALL
            .iter()
            .flat_map(|&sum| (0..spec.columns(sum)).map(move |col| (sum, col)))
            .map(|(sum, col)| Slot {
                sum,
                col,
                operand: spec.operand(sum, col),
            })
            .collect();
        if programmable && spec.row_scaled() {
            return Err(Error::input(
                "weights scaled per row need a fixed cell: a programmable cell's product shifts are wired per sum (generate it without --programmable, or quantize with --weight-scales tensor)",
            ));
        }
        let groups = h.div_ceil(lanes);
        let mut weights = vec![0i64; groups * sched.len() * lanes];
        let mut shifts = vec![0u32; groups * sched.len() * lanes];
        for g in 0..groups {
            for (k, sl) in sched.iter().enumerate() {
                for l in 0..lanes {
                    let j = g * lanes + l;
                    if j < h {
                        let at = (g * sched.len() + k) * lanes + l;
                        weights[at] = spec.weight(sl.sum, j, sl.col);
                        shifts[at] = spec.shift(sl.sum, j, sl.col);
                    }
                }
            }
        }
        let scales = Sum::ALL.map(|s| spec.scale(s));
        Ok(Cell {
            cfg_map: programmable.then(|| CfgMap::new(&spec, lanes)),
            init: spec.clone(),
            writes: 0,
            mac_k: 0,
            sched,
            weights,
            shifts,
            scales,
            lanes,
            phase: Phase::Idle,
            x: vec![0; i],
            h: vec![0; h],
            h_next: vec![0; h],
            acc: vec![[0; 4]; lanes],
            acc64: vec![[0; 4]; lanes],
            narrow: Sum::ALL.iter().all(|&s| spec.acc_bits(s) <= 63),
            t0: None,
            t1: None,
            out_valid: false,
            out_h: vec![0; h],
            stats: CellStats::default(),
            spec,
            track: None,
        })
    }

    /// Keeps the sums in i128 even when they fit 63 bits: the path a cell with wider sums
    /// takes, so that it can be checked against the i64 one on any spec.
    pub fn use_wide_sums(&mut self) {
        if self.narrow {
            for (w, n) in self.acc.iter_mut().zip(&self.acc64) {
                *w = n.map(i128::from);
            }
        }
        self.narrow = false;
    }

    /// Counts every node's toggles from now on (`activity`); slower, so off by default.
    pub fn set_tracking(&mut self, on: bool) {
        self.track = on.then(|| Box::new(Tracker::new(self.lanes)));
    }

    /// The activity counted since tracking was turned on (or the last reset with it on).
    pub fn activity(&self) -> Option<&CellActivity> {
        self.track.as_ref().map(|t| &t.act)
    }

    /// The control registers as one word: phase, group, schedule position, tail counter.
    fn control_word(&self) -> u64 {
        match self.phase {
            Phase::Idle => 0,
            Phase::Mac { group, .. } => 1 | (group as u64) << 2 | (self.mac_k as u64) << 24,
            Phase::Tail { group, t } => 2 | (group as u64) << 2 | (t as u64) << 44,
        }
    }

    pub fn spec(&self) -> &CellSpec {
        &self.spec
    }

    pub fn lanes(&self) -> usize {
        self.lanes
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    pub fn stats(&self) -> CellStats {
        self.stats
    }

    /// The state register (h_{t−1} while a step runs).
    pub fn state(&self) -> &[i64] {
        &self.h
    }

    /// Groups of rows per step: ceil(H / P).
    pub fn groups(&self) -> usize {
        self.spec.hidden.div_ceil(self.lanes)
    }

    /// Rows of group `g` (P, or fewer in the last group).
    fn rows_in(&self, g: usize) -> usize {
        self.lanes.min(self.spec.hidden - g * self.lanes)
    }

    /// Edges from the one that accepts an input to the one that raises its output's valid:
    /// per group of rows, its MAC cycles, then its rows and TAIL_DEPTH − 1 more through the
    /// elementwise stage; ceil(H/P)·(3(I+H) + 2) + H in all.
    pub fn step_latency(&self) -> u64 {
        (0..self.groups())
            .map(|g| (self.spec.mac_cycles() + self.rows_in(g) + TAIL_DEPTH - 1) as u64)
            .sum()
    }

    /// Cycles per step when the input is always valid and the output always ready: the
    /// latency, the cycle the output is taken, and the accepting cycle.
    pub fn cycles_per_step(&self) -> u64 {
        self.step_latency() + 2
    }

    /// Bits of the row counter of a lane's weight bank.
    pub fn group_bits(&self) -> u32 {
        self.counter_bits().group
    }

    /// The widths of the RTL's control counters, which the Verilog, the waveforms and the
    /// cost model all take from here.
    pub fn counter_bits(&self) -> CounterBits {
        let (i, h) = (self.spec.inputs, self.spec.hidden);
        CounterBits {
            group: ceil_log2(self.groups()).max(1),
            col: ceil_log2(i + h).max(1),
            tail: ceil_log2(self.lanes + 2).max(1),
            row: ceil_log2(h).max(1),
        }
    }

    /// Whether the cell has the write port.
    pub fn programmable(&self) -> bool {
        self.cfg_map.is_some()
    }

    /// The write port's address map (programmable cells).
    pub fn cfg_map(&self) -> Option<CfgMap> {
        self.cfg_map
    }

    /// Writes taken since the last reset.
    pub fn writes(&self) -> u64 {
        self.writes
    }

    /// Applies one cfg write now (as the edge that takes it does).
    fn write(&mut self, c: CfgWrite) -> Result<()> {
        let Some(map) = self.cfg_map else {
            return Err(Error::input("a cfg write to a cell without the write port"));
        };
        if let Target::Weight { lane, group, k } = apply_write(&mut self.spec, &map, c)? {
            self.weights[(group * self.sched.len() + k) * self.lanes + lane] = c.data;
        }
        self.writes += 1;
        if let Some(tr) = self.track.as_mut() {
            tr.act.cfg_writes += 1;
        }
        Ok(())
    }

    /// Reset: every register to its reset value, the weights, biases and tables of a
    /// programmable cell to the generated ones (as the LUT unit's table registers do).
    pub fn reset(&mut self) {
        let prog = self.programmable();
        let (tracking, narrow) = (self.track.is_some(), self.narrow);
        let c = Cell::with_port(self.init.clone(), self.lanes, prog).expect("checked when built");
        *self = c;
        self.set_tracking(tracking);
        self.narrow = narrow;
    }

    pub fn outputs(&self) -> CellOut<'_> {
        CellOut {
            in_ready: self.phase == Phase::Idle && !self.out_valid,
            out_valid: self.out_valid,
            out_h: &self.out_h,
            cfg_ready: self.cfg_map.is_some() && self.phase == Phase::Idle,
        }
    }

    /// Loads the accumulators with group `g`'s biases.
    /// Loads the accumulators with group `g`'s biases; the idle lanes of a partial group
    /// load 0, as the RTL's do.
    fn load_biases(&mut self, g: usize) {
        let rows = self.rows_in(g);
        for l in 0..self.lanes {
            let j = g * self.lanes + l;
            for s in Sum::ALL {
                let b = if l < rows {
                    self.spec.bias_term(s, j)
                } else {
                    0
                };
                self.acc[l][s.index()] = b;
                self.acc64[l][s.index()] = b as i64;
            }
        }
    }

    /// Accumulator `s` of lane `l` (for waveforms).
    pub(super) fn acc_value(&self, l: usize, s: Sum) -> i128 {
        if self.narrow {
            self.acc64[l][s.index()].into()
        } else {
            self.acc[l][s.index()]
        }
    }

    /// The elementwise stage's registers after T0 (row, hn, the n sum) and after T1 (row, z),
    /// when they hold an item.
    pub(super) fn tail_regs(&self) -> TailRegs {
        (
            self.t0.map(|v| (v.j, v.hn, v.nx)),
            self.t1.map(|v| (v.j, v.z)),
        )
    }

    /// The input register and the next-state register.
    pub(super) fn x_and_h_next(&self) -> (&[i64], &[i64]) {
        (&self.x, &self.h_next)
    }

    /// T0 for row j: the pre-activations, the sigmoid units and hn.
    fn t0_of(&self, l: usize, j: usize) -> AfterT0 {
        let (s, f) = (&self.spec, &self.spec.fmt);
        let a = if self.narrow {
            self.acc64[l].map(i128::from)
        } else {
            self.acc[l]
        };
        let a_r = requant(a[Sum::R.index()], self.scales[0], f.a_r);
        let a_z = requant(a[Sum::Z.index()], self.scales[1], f.a_z);
        AfterT0 {
            j,
            a_r,
            a_z,
            r: s.sig_r.eval(a_r),
            z: s.sig_z.eval(a_z),
            hn: requant(a[Sum::Hn.index()], self.scales[3], f.hn),
            nx: a[Sum::Nx.index()],
        }
    }

    /// T1: r ⊙ hn, the tanh input and the tanh unit.
    fn t1_of(&self, v: AfterT0) -> AfterT1 {
        let (s, f) = (&self.spec, &self.spec.fmt);
        let rhn = requant(v.r as i128 * v.hn as i128, f.r.frac + f.hn.frac, f.rhn);
        let t = self.scales[2];
        let an = requant(v.nx + ((rhn as i128) << (t - f.rhn.frac)), t, f.a_n);
        AfterT1 {
            j: v.j,
            z: v.z,
            rhn,
            a_n: an,
            n: s.tanh_n.eval(an),
        }
    }

    /// T2: z ⊙ h, (1 − z) ⊙ n and the new state code: (zh, zn, h).
    fn t2_of(&self, v: AfterT1) -> (i64, i64, i64) {
        let f = &self.spec.fmt;
        let zh = requant(v.z as i128 * self.h[v.j] as i128, f.z.frac + f.h.frac, f.zh);
        let one_minus_z = (1i128 << f.z.frac) - v.z as i128;
        let zn = requant(one_minus_z * v.n as i128, f.z.frac + f.n.frac, f.zn);
        let u = f.zn.frac.max(f.zh.frac);
        let sum = ((zn as i128) << (u - f.zn.frac)) + ((zh as i128) << (u - f.zh.frac));
        (zh, zn, requant(sum, u, f.h))
    }

    /// Counts the toggles of the elementwise values `vals` at positions `at` of the stage's
    /// value list (a_r, a_z, r, z, hn, rhn, a_n, n, zh, zn, h).
    fn track_tail(&mut self, at: usize, vals: &[i64]) {
        let f = &self.spec.fmt;
        let bits = [
            f.a_r.bits, f.a_z.bits, f.r.bits, f.z.bits, f.hn.bits, f.rhn.bits, f.a_n.bits,
            f.n.bits, f.zh.bits, f.zn.bits, f.h.bits,
        ];
        if let Some(tr) = self.track.as_mut() {
            for (i, &v) in vals.iter().enumerate() {
                let k = at + i;
                tr.act.elementwise += toggles(tr.tail[k].into(), v.into(), bits[k]);
                tr.tail[k] = v;
            }
        }
    }

    /// One MAC cycle of `rows` lanes with every node's toggles counted.
    fn mac_tracked(&mut self, base: usize, rows: usize, slot: Slot, v: i64) {
        let Some(tr) = self.track.as_mut() else {
            return;
        };
        let (ww, vw) = (self.spec.weight_word_bits(), self.spec.operand_bits());
        let si = slot.sum.index();
        let aw = self.spec.acc_bits(slot.sum);
        tr.act.mac_cycles += 1;
        tr.act.macs += rows as u64;
        let tv = toggles(tr.operand.into(), v.into(), vw);
        tr.act.operand += tv;
        tr.act.mul_in += tv * rows as u64;
        tr.operand = v;
        for l in 0..rows {
            let w = self.weights[base + l];
            let p = ((w * v) as i128) << self.shifts[base + l];
            let tw = toggles(tr.weight[l].into(), w.into(), ww);
            tr.act.weight += tw;
            tr.act.mul_in += tw;
            tr.act.mul_ops.push(l, (w, v));
            tr.act.product += toggles(tr.product[l], p, aw);
            tr.weight[l] = w;
            tr.product[l] = p;
            let old = if self.narrow {
                i128::from(self.acc64[l][si])
            } else {
                self.acc[l][si]
            };
            let new = old + p;
            tr.act.acc += toggles(old, new, aw);
            if self.narrow {
                self.acc64[l][si] = new as i64;
            } else {
                self.acc[l][si] = new;
            }
        }
    }

    /// One rising edge.
    pub fn tick(&mut self, i: &CellIn) -> Result<()> {
        let ready = self.outputs().in_ready;
        let cfg_ready = self.outputs().cfg_ready;
        if self.out_valid && i.out_ready {
            self.out_valid = false;
        } else if self.out_valid {
            self.stats.out_stalls += 1;
        }
        self.stats.cycles += 1;
        let w = self.control_word();
        if let Some(tr) = self.track.as_mut() {
            tr.act.cycles += 1;
            tr.act.control += u64::from((tr.control ^ w).count_ones());
            tr.control = w;
        }
        match self.phase {
            Phase::Idle => {
                if i.in_valid && ready {
                    if i.x.len() != self.spec.inputs {
                        return Err(Error::input(format!(
                            "an input vector of {} codes for a cell of {} inputs",
                            i.x.len(),
                            self.spec.inputs
                        )));
                    }
                    if let Some(c) = i.x.iter().find(|&&c| !self.spec.input.contains(c)) {
                        return Err(Error::input(format!(
                            "input code {c} outside the {}-bit input",
                            self.spec.input.bits
                        )));
                    }
                    if let Some(tr) = self.track.as_mut() {
                        let (nx, nh) = (self.spec.input.bits, self.spec.fmt.h.bits);
                        for (&a, &b) in self.x.iter().zip(i.x) {
                            tr.act.state += toggles(a.into(), b.into(), nx);
                        }
                        tr.act.state_loads += u64::from(nx) * self.x.len() as u64;
                        if i.start {
                            tr.act.sequences += 1;
                            for &a in &self.h {
                                tr.act.state += toggles(a.into(), 0, nh);
                            }
                        }
                    }
                    self.x.copy_from_slice(i.x);
                    if i.start {
                        self.h.iter_mut().for_each(|v| *v = 0);
                    }
                    self.load_biases(0);
                    self.mac_k = 0;
                    self.phase = Phase::Mac {
                        group: 0,
                        sum: Sum::R,
                        col: 0,
                    };
                }
            }
            Phase::Mac { group, .. } => {
                let k = self.mac_k;
                let slot = self.sched[k];
                let v = match slot.operand {
                    Operand::X(i) => self.x[i],
                    Operand::H(i) => self.h[i],
                };
                let rows = self.rows_in(group);
                let base = (group * self.sched.len() + k) * self.lanes;
                let si = slot.sum.index();
                let ws = &self.weights[base..base + rows];
                let shs = &self.shifts[base..base + rows];
                if self.track.is_some() {
                    self.mac_tracked(base, rows, slot, v);
                } else if self.narrow {
                    for ((acc, &w), &sh) in self.acc64[..rows].iter_mut().zip(ws).zip(shs) {
                        acc[si] += (w * v) << sh;
                    }
                } else {
                    for ((acc, &w), &sh) in self.acc[..rows].iter_mut().zip(ws).zip(shs) {
                        // `CellSpec::check` keeps weight and operand within 62 bits.
                        acc[si] += ((w * v) as i128) << sh;
                    }
                }
                self.stats.macs += rows as u64;
                self.mac_k = k + 1;
                self.phase = match self.sched.get(k + 1) {
                    Some(n) => Phase::Mac {
                        group,
                        sum: n.sum,
                        col: n.col,
                    },
                    None => Phase::Tail { group, t: 0 },
                };
            }
            Phase::Tail { group, t } => {
                let rows = self.rows_in(group);
                if let Some(v) = self.t1 {
                    let (zh, zn, h) = self.t2_of(v);
                    if let Some(tr) = self.track.as_mut() {
                        let nh = self.spec.fmt.h.bits;
                        tr.act.state += toggles(self.h_next[v.j].into(), h.into(), nh);
                        tr.act.state_loads += u64::from(nh);
                        tr.act.items += 1;
                        self.track_tail(8, &[zh, zn, h]);
                    }
                    self.h_next[v.j] = h;
                    self.stats.tail_items += 1;
                }
                self.t1 = self.t0.map(|v| self.t1_of(v));
                self.t0 = (t < rows).then(|| self.t0_of(t, group * self.lanes + t));
                if self.track.is_some() {
                    if let Some(v) = self.t1 {
                        self.track_tail(5, &[v.rhn, v.a_n, v.n]);
                        let tr = self.track.as_mut().expect("tracking");
                        tr.act.lut_n.push(v.a_n);
                    }
                    if let Some(v) = self.t0 {
                        self.track_tail(0, &[v.a_r, v.a_z, v.r, v.z, v.hn]);
                        let tr = self.track.as_mut().expect("tracking");
                        tr.act.lut_r.push(v.a_r);
                        tr.act.lut_z.push(v.a_z);
                    }
                }
                if t + 1 < rows + TAIL_DEPTH - 1 {
                    self.phase = Phase::Tail { group, t: t + 1 };
                } else if group + 1 < self.groups() {
                    self.load_biases(group + 1);
                    self.mac_k = 0;
                    self.phase = Phase::Mac {
                        group: group + 1,
                        sum: Sum::R,
                        col: 0,
                    };
                } else {
                    if let Some(tr) = self.track.as_mut() {
                        let nh = self.spec.fmt.h.bits;
                        for ((&a, &b), &n) in self.h.iter().zip(&self.out_h).zip(&self.h_next) {
                            tr.act.state +=
                                toggles(a.into(), n.into(), nh) + toggles(b.into(), n.into(), nh);
                        }
                        tr.act.state_loads += 2 * u64::from(nh) * self.h.len() as u64;
                        tr.act.steps += 1;
                    }
                    self.h.copy_from_slice(&self.h_next);
                    self.out_h.copy_from_slice(&self.h_next);
                    self.out_valid = true;
                    self.stats.steps += 1;
                    self.phase = Phase::Idle;
                }
            }
        }
        if let (Some(c), true) = (i.cfg, cfg_ready) {
            self.write(c)?;
        }
        Ok(())
    }

    /// Runs one sequence with no stalls: every step's h_t, and the cycles it took.
    pub fn run_sequence(&mut self, xs: &[Vec<i64>]) -> Result<(Vec<Vec<i64>>, u64)> {
        let c0 = self.stats.cycles;
        let mut out = Vec::with_capacity(xs.len());
        for (t, x) in xs.iter().enumerate() {
            // Offer the input until accepted.
            loop {
                let accepted = self.outputs().in_ready;
                self.tick(&CellIn {
                    in_valid: true,
                    start: t == 0,
                    x,
                    out_ready: true,
                    cfg: None,
                })?;
                if accepted {
                    break;
                }
            }
            while !self.out_valid {
                self.tick(&CellIn::idle(true))?;
            }
            out.push(self.out_h.clone());
        }
        // Take the last output.
        self.tick(&CellIn::idle(true))?;
        Ok((out, self.stats.cycles - c0))
    }
}
