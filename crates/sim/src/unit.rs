//! The cycle-accurate model of `lutforge_unit` (docs/sim.md is its specification).
//!
//! Every field of [`State`] is a register of the RTL with the same name; [`Unit::step`] is one
//! rising clock edge. The arithmetic is core's: `golden::segment`, `golden::round_shift`,
//! `golden::saturate` for the integer unit, `fp32::segment` and `fp32::canonical` (with Rust's
//! f32 `*` and `+`, which the FP32 semantics are defined as) for the FP32 unit. The model only
//! decides *when* each piece is computed.

use lutforge_core::golden;
use lutforge_core::{fp32, Error, Params, Result};

mod activity;
mod config;
mod kernel;
mod state;
mod stream;

use activity::NodePrev;
pub use activity::{Activity, BitToggles, Edge, OperandTrace, OPERAND_TRACE_MAX};
pub use config::*;
use kernel::{lanes_int, IntKernel};
pub use state::State;
pub(crate) use state::{S1_X, S2_SEG, S2_X, S3_ICPT, S3_PROD, S4_Y};

/// The unit: configuration, table registers, pipeline registers, activity counters.
#[derive(Clone, Debug)]
pub struct Unit {
    cfg: UnitConfig,
    w: Widths,
    init: Params,
    table: Params,
    state: State,
    track: bool,
    activity: Activity,
    prev: Vec<NodePrev>,
    /// Present for integer units.
    kernel: Option<IntKernel>,
}

/// The low `bits` bits set (all 64 for 64 or more).
pub fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

#[inline]
fn toggles(a: i64, b: i64, bits: u32) -> u64 {
    ((a ^ b) as u64 & mask(bits)).count_ones() as u64
}

/// The low `bits` bits of a 128-bit word.
#[inline]
fn mask128(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

/// Bits that differ between two two's-complement codes of `bits` bits: a node's toggles.
#[inline]
pub(crate) fn toggles128(a: i128, b: i128, bits: u32) -> u64 {
    ((a ^ b) as u128 & mask128(bits)).count_ones() as u64
}

impl Unit {
    /// A unit right after reset, holding `params` in its table (the reset value of the table
    /// registers when programmable, the constants when fixed).
    pub fn new(cfg: UnitConfig, params: &Params) -> Result<Unit> {
        cfg.check()?;
        let dp = match (&cfg.arith, params) {
            (Arith::Int(dp), Params::Int(_)) => Some(dp),
            (Arith::Fp32, Params::Fp32(_)) => None,
            (Arith::Int(_), Params::Fp32(_)) => {
                return Err(Error::input("an integer unit needs an integer table"))
            }
            (Arith::Fp32, Params::Int(_)) => {
                return Err(Error::input(
                    "an FP32 unit needs an FP32 table (convert it with Table::to_fp32)",
                ))
            }
        };
        params
            .check_fit(cfg.segments, dp)
            .map_err(|m| Error::input(format!("{}: {}", m.place(), m.msg)))?;
        if let (Arch::Rom, Arith::Int(dp), Params::Int(p)) = (cfg.arch, &cfg.arith, params) {
            // The address decoder is the structure, not contents: only the words may differ.
            let Params::Int(want) = rom_params(dp.input, &p.intercepts) else {
                unreachable!("rom_params is an integer table")
            };
            if p.breakpoints != want.breakpoints || p.slopes != want.slopes {
                return Err(Error::input(
                    "a direct table's breakpoints are its codes and its slopes 0 (build it with rom_params)",
                ));
            }
        }
        let table = params.clone();
        let kernel = match (&cfg.arith, &table) {
            (Arith::Int(dp), Params::Int(p)) => {
                Some(IntKernel::new(dp, &p.breakpoints, cfg.stages))
            }
            _ => None,
        };
        Ok(Unit {
            kernel,
            w: cfg.widths(),
            cfg,
            init: table.clone(),
            table,
            state: State::reset(cfg.lanes),
            track: false,
            activity: Activity::default(),
            prev: vec![NodePrev::default(); cfg.lanes],
        })
    }

    /// Turns switching-activity counting on or off (off is the fast path).
    pub fn set_tracking(&mut self, on: bool) {
        self.track = on;
    }

    pub fn config(&self) -> &UnitConfig {
        &self.cfg
    }

    pub fn widths(&self) -> &Widths {
        &self.w
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    pub fn table(&self) -> &Params {
        &self.table
    }

    pub fn activity(&self) -> &Activity {
        &self.activity
    }

    /// Synchronous reset: pipeline registers to zero, a PWL unit's table registers to their
    /// initial contents (a direct table's words stay), activity counters kept.
    pub fn reset(&mut self) {
        self.state = State::reset(self.cfg.lanes);
        // A PWL unit's table registers reset to the generated table; a direct table's words
        // are a RAM, which reset leaves as written.
        if self.cfg.arch == Arch::Pwl {
            self.table = self.init.clone();
        }
        if let (Arith::Int(dp), Params::Int(p)) = (&self.cfg.arith, &self.table) {
            self.kernel = Some(IntKernel::new(dp, &p.breakpoints, self.cfg.stages));
        }
        self.prev = vec![NodePrev::default(); self.cfg.lanes];
    }

    pub fn out_valid(&self) -> bool {
        self.state.s4_valid
    }

    /// `out_data`, one word per lane (the s4_y register).
    #[inline]
    pub fn out_data(&self) -> &[i64] {
        self.state.s4_y()
    }

    /// `in_ready`: the global advance enable, combinational in `out_ready`.
    pub fn in_ready(&self, out_ready: bool) -> bool {
        !self.state.s4_valid || out_ready
    }

    /// Whether any stage holds a sample.
    pub fn busy(&self) -> bool {
        let s = &self.state;
        s.s1_valid || s.s2_valid || s.s3_valid || s.s4_valid
    }

    /// Segment index at the comparators' output in the current cycle, per lane: the `seg`
    /// wire. The comparators read s1_x with four stages and `in_data` with fewer.
    pub fn seg_wire(&self, in_data: &[i64]) -> Vec<u32> {
        let src: &[i64] = if self.cfg.has(Reg::S1) {
            self.state.s1_x()
        } else {
            in_data
        };
        src.iter().map(|&x| self.compare(x)).collect()
    }

    #[inline]
    fn compare(&self, x: i64) -> u32 {
        if let (Arch::Rom, Some(k)) = (self.cfg.arch, &self.kernel) {
            // The address decoder: the same count as `golden::segment` over the codes
            // (tested), without a pass over 2^N breakpoints.
            return (x - k.xmin) as u32;
        }
        match &self.table {
            // The definition itself, not the kernel's tabulation: the tracked path is the
            // reference the fast path is tested against.
            Params::Int(p) => golden::segment(&p.breakpoints, x) as u32,
            Params::Fp32(p) => fp32::segment(&p.breakpoints, f32::from_bits(x as u32)) as u32,
        }
    }

    /// Slope multiplexer, intercept multiplexer and multiplier: (k_s, product, b_s).
    #[inline]
    fn lookup_mul(&self, seg: u32, x: i64) -> (i64, i64, i64) {
        let s = seg as usize;
        match &self.table {
            Params::Int(p) => {
                let k = p.slopes[s];
                // |k|, |x| ≤ 2^31: the product fits 63 bits.
                (k, k * x, p.intercepts[s])
            }
            Params::Fp32(p) => {
                let k = p.slopes[s];
                let prod = fp32::canonical(k * f32::from_bits(x as u32));
                (
                    k.to_bits() as i64,
                    prod.to_bits() as i64,
                    p.intercepts[s].to_bits() as i64,
                )
            }
        }
    }

    /// Aligner, adder, rounding and saturation: (sum node, y).
    #[inline]
    fn finish(&self, prod: i64, icpt: i64) -> (i128, i64) {
        match &self.cfg.arith {
            Arith::Int(dp) => {
                let sum = prod as i128 + ((icpt as i128) << dp.align_shift() as u32);
                let y = golden::saturate(
                    golden::round_shift(sum, dp.out_shift(), dp.rounding),
                    dp.output.bits,
                );
                (sum, y)
            }
            Arith::Fp32 => {
                let y = fp32::canonical(f32::from_bits(prod as u32) + f32::from_bits(icpt as u32));
                (y.to_bits() as i128, y.to_bits() as i64)
            }
        }
    }

    /// One rising clock edge with the inputs held during the cycle before it. `in_data` has
    /// one word per lane and is checked only when `in_valid` is high; a cfg write is checked
    /// before anything changes, so an error leaves the unit as it was.
    #[inline]
    pub fn step(
        &mut self,
        in_valid: bool,
        in_data: &[i64],
        out_ready: bool,
        cfg: Option<CfgWrite>,
    ) -> Result<Edge> {
        let lanes = self.cfg.lanes;
        if in_data.len() != lanes {
            return Err(lane_count_error(in_data.len(), lanes));
        }
        if in_valid {
            let in_range = match &self.kernel {
                Some(k) => in_data.iter().all(|&x| x >= k.xmin && x <= k.xmax),
                None => false,
            };
            if !in_range {
                self.check_samples(in_data)?;
            }
        }
        let write = match cfg {
            Some(c) => Some(self.decode_write(c)?),
            None => None,
        };
        let adv = self.in_ready(out_ready);
        let edge = Edge {
            accepted: in_valid && adv,
            delivered: self.state.s4_valid && out_ready,
        };
        if self.track {
            self.activity.cycles += 1;
        }
        if adv {
            match (&self.kernel, &self.table) {
                (Some(kn), Params::Int(p)) if !self.track => {
                    // The default depth inlined into `step`; the others through the pointer.
                    let st = &mut self.state;
                    match (self.cfg.stages, kn.narrow) {
                        (4, true) => lanes_int::<4, true>(st, in_valid, in_data, p, kn),
                        (4, false) => lanes_int::<4, false>(st, in_valid, in_data, p, kn),
                        _ => (kn.advance)(st, in_valid, in_data, p, kn),
                    }
                }
                _ => self.advance(in_valid, in_data),
            }
        }
        if let Some((field, index, word)) = write {
            self.apply_write(field, index, word);
        }
        Ok(edge)
    }

    #[inline(never)]
    fn check_samples(&self, in_data: &[i64]) -> Result<()> {
        for &x in in_data {
            self.cfg.check_sample(x).map_err(Error::input)?;
        }
        Ok(())
    }

    #[inline(never)]
    fn decode_write(&self, c: CfgWrite) -> Result<(Field, usize, i64)> {
        let (field, index) = self.cfg.check_write(c).map_err(Error::input)?;
        Ok((field, index, c.data))
    }

    fn apply_write(&mut self, field: Field, index: usize, word: i64) {
        let bits = match field {
            Field::Breakpoint => self.w.x,
            Field::Slope => self.w.k,
            Field::Intercept => self.w.b,
        };
        let old = match &mut self.table {
            Params::Int(p) => {
                let slot = match field {
                    Field::Breakpoint => &mut p.breakpoints[index],
                    Field::Slope => &mut p.slopes[index],
                    Field::Intercept => &mut p.intercepts[index],
                };
                let old = std::mem::replace(slot, word);
                if field == Field::Breakpoint {
                    if let Some(m) = self.kernel.as_mut().and_then(|k| k.segs.as_mut()) {
                        m.move_breakpoint(old, word);
                    }
                }
                old
            }
            Params::Fp32(p) => {
                let slot = match field {
                    Field::Breakpoint => &mut p.breakpoints[index],
                    Field::Slope => &mut p.slopes[index],
                    Field::Intercept => &mut p.intercepts[index],
                };
                std::mem::replace(slot, f32::from_bits(word as u32)).to_bits() as i64
            }
        };
        if self.track {
            self.activity.cfg_writes += 1;
            self.activity.table += toggles(old, word, bits);
        }
    }

    /// All registers take their next value (adv high). Stages are updated from the output
    /// side so each reads its upstream register's value from before the edge. A register of
    /// data loads only when the sample arriving is valid; valid bits always load.
    // Lane l indexes several parallel register arrays at once (as the RTL's packed buses do).
    // Kept out of `step` so the untracked integer edge does not pay for its stack frame.
    #[allow(clippy::needless_range_loop)]
    #[inline(never)]
    fn advance(&mut self, in_valid: bool, in_data: &[i64]) {
        let st = self.cfg.stages;
        let lanes = self.cfg.lanes;
        let track = self.track;
        let w = self.w;

        // Stage 4: fed by s3 (stages ≥ 2) or straight from the input (1 stage).
        let v4 = if self.cfg.has(Reg::S3) {
            self.state.s3_valid
        } else {
            in_valid
        };
        if v4 {
            for l in 0..lanes {
                let (prod, icpt) = if self.cfg.has(Reg::S3) {
                    (self.state.get(S3_PROD, l), self.state.get(S3_ICPT, l))
                } else {
                    let x = in_data[l];
                    let seg = self.compare(x);
                    let (k, prod, b) = self.lookup_mul(seg, x);
                    if track {
                        self.track_front(l, x, seg, k, b, prod);
                    }
                    (prod, b)
                };
                let (sum, y) = self.finish(prod, icpt);
                if track {
                    let p = &mut self.prev[l];
                    let a = &mut self.activity;
                    a.add_out += toggles128(p.sum, sum, w.sum);
                    a.add_out_bits.add((p.sum ^ sum) as u128 & mask128(w.sum));
                    a.y += toggles(p.y, y, w.y);
                    let t = toggles(self.state.get(S4_Y, l), y, w.y);
                    a.reg[S4_Y] += t;
                    a.reg_data += t;
                    a.evals += 1;
                    p.sum = sum;
                    p.y = y;
                }
                self.state.set(S4_Y, l, y);
            }
        }
        if track {
            self.activity.reg_valid += u64::from(self.state.s4_valid != v4);
        }
        self.state.s4_valid = v4;

        // Stage 3: fed by s2 (stages ≥ 3) or from the input (2 stages).
        if self.cfg.has(Reg::S3) {
            let v3 = if self.cfg.has(Reg::S2) {
                self.state.s2_valid
            } else {
                in_valid
            };
            if v3 {
                for l in 0..lanes {
                    let (x, seg) = if self.cfg.has(Reg::S2) {
                        (self.state.get(S2_X, l), self.state.get(S2_SEG, l) as u32)
                    } else {
                        let x = in_data[l];
                        (x, self.compare(x))
                    };
                    let (k, prod, b) = self.lookup_mul(seg, x);
                    if track {
                        if st < 3 {
                            self.track_cmp(l, x, seg);
                        }
                        self.track_mul(l, x, k, b, prod);
                        let a = &mut self.activity;
                        let tp = toggles(self.state.get(S3_PROD, l), prod, w.prod);
                        let tb = toggles(self.state.get(S3_ICPT, l), b, w.b);
                        a.reg[S3_PROD] += tp;
                        a.reg[S3_ICPT] += tb;
                        a.reg_data += tp + tb;
                    }
                    self.state.set(S3_PROD, l, prod);
                    self.state.set(S3_ICPT, l, b);
                }
            }
            if track {
                self.activity.reg_valid += u64::from(self.state.s3_valid != v3);
            }
            self.state.s3_valid = v3;
        }

        // Stage 2: fed by s1 (4 stages) or from the input (3 stages).
        if self.cfg.has(Reg::S2) {
            let v2 = if self.cfg.has(Reg::S1) {
                self.state.s1_valid
            } else {
                in_valid
            };
            if v2 {
                for l in 0..lanes {
                    let x = if self.cfg.has(Reg::S1) {
                        self.state.get(S1_X, l)
                    } else {
                        in_data[l]
                    };
                    let seg = self.compare(x);
                    if track {
                        self.track_cmp(l, x, seg);
                        // A direct table's s2 holds the address alone.
                        let x_bits = if self.cfg.arch == Arch::Rom {
                            0
                        } else {
                            toggles(self.state.get(S2_X, l), x, w.x)
                        };
                        let seg_bits = toggles(self.state.get(S2_SEG, l), seg as i64, w.seg);
                        let a = &mut self.activity;
                        a.reg[S2_X] += x_bits;
                        a.reg[S2_SEG] += seg_bits;
                        a.reg_data += x_bits + seg_bits;
                    }
                    self.state.set(S2_X, l, x);
                    self.state.set(S2_SEG, l, seg as i64);
                }
            }
            if track {
                self.activity.reg_valid += u64::from(self.state.s2_valid != v2);
            }
            self.state.s2_valid = v2;
        }

        // Stage 1: the input register.
        if self.cfg.has(Reg::S1) {
            if in_valid {
                for l in 0..lanes {
                    if track {
                        let t = toggles(self.state.get(S1_X, l), in_data[l], w.x);
                        self.activity.reg[S1_X] += t;
                        self.activity.reg_data += t;
                    }
                    self.state.set(S1_X, l, in_data[l]);
                }
            }
            if track {
                self.activity.reg_valid += u64::from(self.state.s1_valid != in_valid);
            }
            self.state.s1_valid = in_valid;
        }
    }

    fn track_cmp(&mut self, l: usize, x: i64, seg: u32) {
        let p = &mut self.prev[l];
        let a = &mut self.activity;
        a.cmp_in += toggles(p.cmp_x, x, self.w.x);
        a.cmp_in_bits
            .add(u128::from((p.cmp_x ^ x) as u64 & mask(self.w.x)));
        a.cmp_out += u64::from(p.seg.abs_diff(seg));
        a.seg += (p.seg ^ seg).count_ones() as u64;
        p.cmp_x = x;
        p.seg = seg;
    }

    fn track_mul(&mut self, l: usize, x: i64, k: i64, b: i64, prod: i64) {
        let w = self.w;
        let p = &mut self.prev[l];
        let a = &mut self.activity;
        a.mux_k += toggles(p.k, k, w.k);
        a.mux_b += toggles(p.b, b, w.b);
        a.mul_x += toggles(p.mul_x, x, w.x);
        a.mul_ops.push(l, (k, x));
        a.mul_out += toggles(p.prod, prod, w.prod);
        a.mul_out_bits
            .add(u128::from((p.prod ^ prod) as u64 & mask(w.prod)));
        p.k = k;
        p.b = b;
        p.mul_x = x;
        p.prod = prod;
    }

    fn track_front(&mut self, l: usize, x: i64, seg: u32, k: i64, b: i64, prod: i64) {
        self.track_cmp(l, x, seg);
        self.track_mul(l, x, k, b, prod);
    }
}

#[cold]
fn lane_count_error(got: usize, lanes: usize) -> Error {
    Error::input(format!(
        "in_data carries {got} samples; the unit has {lanes} lanes"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lutforge_core::{Datapath, FixedFormat, IntParams, Rounding};

    pub(super) fn dp() -> Datapath {
        Datapath {
            input: FixedFormat::new(8, 2),
            slope: FixedFormat::new(8, 6),
            intercept: FixedFormat::new(8, 6),
            output: FixedFormat::new(8, 4),
            rounding: Rounding::HalfUp,
        }
    }

    pub(super) fn params() -> Params {
        Params::Int(IntParams {
            breakpoints: vec![-8, 0, 8],
            slopes: vec![0, 16, 48, 64],
            intercepts: vec![-32, 0, 0, -16],
        })
    }

    fn cfg(stages: u32, lanes: usize) -> UnitConfig {
        UnitConfig {
            arch: crate::unit::Arch::Pwl,
            arith: Arith::Int(dp()),
            segments: 4,
            lanes,
            stages,
            programmable: true,
        }
    }

    #[test]
    fn latency_equals_stages() {
        for st in 1..=4 {
            let mut u = Unit::new(cfg(st, 1), &params()).unwrap();
            let e = u.step(true, &[5], true, None).unwrap();
            assert!(e.accepted);
            let mut n = 0;
            while !u.out_valid() {
                u.step(false, &[0], true, None).unwrap();
                n += 1;
            }
            // The output is valid `st` edges after the accepting edge (inclusive).
            assert_eq!(n + 1, st);
        }
    }

    #[test]
    fn address_map() {
        let c = cfg(4, 1);
        assert_eq!(c.widths().cfg_index, 2);
        assert_eq!(c.widths().cfg_addr, 4);
        assert_eq!(c.decode_addr(0), Some((Field::Breakpoint, 0)));
        assert_eq!(c.decode_addr(2), Some((Field::Breakpoint, 2)));
        assert_eq!(c.decode_addr(3), None);
        assert_eq!(c.decode_addr(4), Some((Field::Slope, 0)));
        assert_eq!(c.decode_addr(11), Some((Field::Intercept, 3)));
        assert_eq!(c.decode_addr(12), None);
        for f in [Field::Breakpoint, Field::Slope, Field::Intercept] {
            assert_eq!(c.decode_addr(c.addr_of(f, 1)), Some((f, 1)));
        }
    }

    #[test]
    fn bad_writes_leave_the_unit_unchanged() {
        let mut u = Unit::new(cfg(4, 1), &params()).unwrap();
        let before = u.table().clone();
        assert!(u
            .step(false, &[0], true, Some(CfgWrite { addr: 3, data: 1 }))
            .is_err());
        assert!(u
            .step(false, &[0], true, Some(CfgWrite { addr: 4, data: 128 }))
            .is_err());
        assert!(u.step(true, &[200], true, None).is_err());
        assert!(u.step(true, &[1, 2], true, None).is_err());
        assert_eq!(u.table(), &before);
        assert!(!u.busy());
    }

    #[test]
    fn bad_configs_are_refused() {
        assert!(Unit::new(cfg(0, 1), &params()).is_err());
        assert!(Unit::new(cfg(5, 1), &params()).is_err());
        assert!(Unit::new(cfg(4, 0), &params()).is_err());
        let mut c = cfg(4, 1);
        c.segments = 3;
        assert!(Unit::new(c, &params()).is_err());
    }

    /// The untracked integer fast path and the tracked general path are the same machine:
    /// identical registers in every cycle, for every depth, lane count and rounding mode,
    /// under stalls and table writes, on an 8-bit datapath (tabulated comparators, i64 sum)
    /// and a 32-bit one (evaluated comparators, i128 sum).
    #[test]
    fn fast_path_equals_tracked_path() {
        let wide = Datapath {
            input: FixedFormat::new(32, 2),
            slope: FixedFormat::new(32, 6),
            intercept: FixedFormat::new(32, 6),
            output: FixedFormat::new(32, 4),
            rounding: Rounding::HalfUp,
        };
        assert!(!wide.fits_i64());
        let modes = [Rounding::Truncate, Rounding::HalfUp, Rounding::HalfEven];
        for (base, x_range) in [(dp(), 256i64), (wide, 1 << 32)] {
            for rounding in modes {
                for lanes in 1..=3 {
                    for st in 1..=4 {
                        let mut c = cfg(st, lanes);
                        c.arith = Arith::Int(Datapath { rounding, ..base });
                        same_machine(c, x_range);
                    }
                }
            }
        }
    }

    fn same_machine(c: UnitConfig, x_range: i64) {
        let mut a = Unit::new(c, &params()).unwrap();
        let mut b = Unit::new(c, &params()).unwrap();
        b.set_tracking(true);
        // Every entry, breakpoints included (they move the tabulated comparators).
        let addrs = [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11];
        for t in 0..500i64 {
            let x: Vec<i64> = (0..c.lanes as i64)
                .map(|l| ((t * 37 + l * 11) * 2_654_435_761).rem_euclid(x_range) - x_range / 2)
                .collect();
            let in_valid = t % 5 != 0;
            let out_ready = t % 7 != 3;
            let w = (t % 25 == 9).then_some(CfgWrite {
                addr: addrs[(t / 25) as usize % addrs.len()],
                data: t % 100 - 50,
            });
            let ea = a.step(in_valid, &x, out_ready, w).unwrap();
            let eb = b.step(in_valid, &x, out_ready, w).unwrap();
            assert_eq!(ea, eb);
            assert_eq!(a.state(), b.state(), "{c:?} cycle {t}");
            if t == 250 {
                a.reset();
                b.reset();
            }
        }
        assert!(b.activity().evals > 0 && b.activity().cfg_writes == 20);
    }

    #[test]
    fn reset_restores_table_registers_but_not_a_direct_tables_words() {
        let x = FixedFormat::new(4, 0);
        let y = FixedFormat::new(4, 0);
        let words: Vec<i64> = (0..16).map(|i| i - 8).collect();
        let mut rom = Unit::new(UnitConfig::rom(x, y, 1, 1, true), &rom_params(x, &words)).unwrap();
        rom.step(false, &[0], true, Some(CfgWrite { addr: 8, data: 7 }))
            .unwrap();
        rom.reset();
        // Address 8 is code 0: it reads the written word, not the initial 0.
        rom.step(true, &[0], true, None).unwrap();
        assert_eq!(rom.out_data(), &[7]);

        let mut pwl = Unit::new(cfg(1, 1), &params()).unwrap();
        let before = pwl.table().clone();
        pwl.step(false, &[0], true, Some(CfgWrite { addr: 4, data: 1 }))
            .unwrap();
        assert_ne!(pwl.table(), &before);
        pwl.reset();
        assert_eq!(pwl.table(), &before);
    }

    #[test]
    fn ceil_log2_values() {
        assert_eq!([1, 2, 3, 4, 5, 8, 9].map(ceil_log2), [0, 1, 2, 2, 3, 3, 4]);
    }
}
