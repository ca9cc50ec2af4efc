//! The cycle-accurate model of `lutforge_unit` (docs/sim.md is its specification).
//!
//! Every field of [`State`] is a register of the RTL with the same name; [`Unit::step`] is one
//! rising clock edge. The arithmetic is core's: `golden::segment`, `golden::round_shift`,
//! `golden::saturate` for the integer unit, `fp32::segment` and `fp32::canonical` (with Rust's
//! f32 `*` and `+`, which the FP32 semantics are defined as) for the FP32 unit. The model only
//! decides *when* each piece is computed.

use lutforge_core::golden::{self, Datapath, SegmentMap};
use lutforge_core::{fp32, Error, IntParams, Params, Result, Rounding};

mod stream;

/// Most lanes a unit may have; far beyond a LUT unit's use, small enough that bus widths stay
/// printable.
pub const MAX_LANES: usize = 256;

/// Number system of one unit, with the widths the RTL is built with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    /// Integer unit; the datapath fixes every width and shift.
    Int(Datapath),
    /// IEEE-754 binary32 unit; every data word is 32 bits.
    Fp32,
}

/// The static configuration of a unit: what the RTL generator's parameters fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitConfig {
    pub arith: Arith,
    /// K, the number of segments.
    pub segments: usize,
    /// P, the samples carried by one handshake.
    pub lanes: usize,
    /// Pipeline registers between input and output, 1..=4 (= latency in cycles).
    pub stages: u32,
    /// Whether the table sits in writable registers behind the `cfg_*` port.
    pub programmable: bool,
}

/// Bit widths of every bus and register of the unit, per lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Widths {
    /// N_x: input sample.
    pub x: u32,
    /// Segment index: ceil(log2 K), at least 1.
    pub seg: u32,
    /// N_k: slope.
    pub k: u32,
    /// N_b: intercept.
    pub b: u32,
    /// Product k·x (N_k + N_x for integers).
    pub prod: u32,
    /// Sum before output rounding (integer units); 32 for FP32.
    pub sum: u32,
    /// N_y: output sample.
    pub y: u32,
    /// Index bits m of the cfg address: 2^m ≥ K.
    pub cfg_index: u32,
    /// cfg_addr width: m + 2.
    pub cfg_addr: u32,
    /// cfg_data width: the widest of N_x, N_k, N_b (32 for FP32).
    pub cfg_data: u32,
}

/// Why a unit of `lanes` lanes and `stages` pipeline stages cannot be built, whatever its
/// table and number format.
pub fn check_shape(lanes: usize, stages: u32) -> Result<()> {
    if lanes == 0 || lanes > MAX_LANES {
        return Err(Error::input(format!(
            "lanes = {lanes}: a unit has 1 to {MAX_LANES} lanes"
        )));
    }
    if !(1..=4).contains(&stages) {
        return Err(Error::input(format!(
            "stages = {stages}: the pipeline has 1 to 4 stages"
        )));
    }
    Ok(())
}

impl UnitConfig {
    /// Why this unit cannot be built, if it cannot.
    pub fn check(&self) -> Result<()> {
        check_shape(self.lanes, self.stages)?;
        if self.segments == 0 || self.segments > lutforge_core::table::MAX_SEGMENTS {
            return Err(Error::input(format!(
                "{} segments: 1 to {} are supported",
                self.segments,
                lutforge_core::table::MAX_SEGMENTS
            )));
        }
        if let Arith::Int(dp) = &self.arith {
            dp.check().map_err(Error::input)?;
        }
        Ok(())
    }

    pub fn widths(&self) -> Widths {
        let k = self.segments.max(1);
        let cfg_index = ceil_log2(k);
        let seg = ceil_log2(k).max(1);
        match &self.arith {
            Arith::Int(dp) => Widths {
                x: dp.input.bits,
                seg,
                k: dp.slope.bits,
                b: dp.intercept.bits,
                prod: dp.product_bits(),
                sum: dp.sum_bits(),
                y: dp.output.bits,
                cfg_index,
                cfg_addr: cfg_index + 2,
                cfg_data: dp.input.bits.max(dp.slope.bits).max(dp.intercept.bits),
            },
            Arith::Fp32 => Widths {
                x: 32,
                seg,
                k: 32,
                b: 32,
                prod: 32,
                sum: 32,
                y: 32,
                cfg_index,
                cfg_addr: cfg_index + 2,
                cfg_data: 32,
            },
        }
    }

    /// Whether the register stage `n` (1..=4) exists: stages are removed from the input side.
    pub fn has_stage(&self, n: u32) -> bool {
        n > 4 - self.stages && n <= 4
    }

    /// Checks one input sample word against the input format.
    pub fn check_sample(&self, word: i64) -> std::result::Result<(), String> {
        match &self.arith {
            Arith::Int(dp) => {
                if dp.input.contains(word) {
                    Ok(())
                } else {
                    Err(format!(
                        "sample {word} does not fit the {}-bit input ({}..={})",
                        dp.input.bits,
                        dp.input.min_code(),
                        dp.input.max_code()
                    ))
                }
            }
            Arith::Fp32 => {
                if (0..=u32::MAX as i64).contains(&word) {
                    Ok(())
                } else {
                    Err(format!("sample word {word:#x} is not a 32-bit pattern"))
                }
            }
        }
    }

    /// Decodes a cfg address; `None` for an address that names no table entry.
    pub fn decode_addr(&self, addr: u64) -> Option<(Field, usize)> {
        let w = self.widths();
        let k = self.segments;
        let field = addr >> w.cfg_index;
        let index = (addr & ((1u64 << w.cfg_index) - 1)) as usize;
        match field {
            0 if index + 1 < k => Some((Field::Breakpoint, index)),
            1 if index < k => Some((Field::Slope, index)),
            2 if index < k => Some((Field::Intercept, index)),
            _ => None,
        }
    }

    /// Checks a table write: the unit must be programmable, the address must name an entry
    /// and the data must fit that entry's format.
    pub fn check_write(&self, c: CfgWrite) -> std::result::Result<(Field, usize), String> {
        if !self.programmable {
            return Err("table write to a fixed-table unit (it has no cfg port)".into());
        }
        let (field, index) = self.decode_addr(c.addr).ok_or_else(|| {
            format!(
                "table write to address {:#x}, which holds no entry ({})",
                c.addr,
                self.addr_map_summary()
            )
        })?;
        match &self.arith {
            Arith::Int(dp) => {
                let f = match field {
                    Field::Breakpoint => dp.input,
                    Field::Slope => dp.slope,
                    Field::Intercept => dp.intercept,
                };
                if !f.contains(c.data) {
                    return Err(format!(
                        "table write of {} to {} {index}: it does not fit {} bits ({}..={})",
                        c.data,
                        field.name(),
                        f.bits,
                        f.min_code(),
                        f.max_code()
                    ));
                }
            }
            Arith::Fp32 => {
                if !(0..=u32::MAX as i64).contains(&c.data) {
                    return Err(format!(
                        "table write of {:#x} to {} {index}: not a 32-bit pattern",
                        c.data,
                        field.name()
                    ));
                }
            }
        }
        Ok((field, index))
    }

    /// The valid address ranges, for error messages.
    pub fn addr_map_summary(&self) -> String {
        let k = self.segments;
        let a = |f, i| self.addr_of(f, i);
        let bp = if k > 1 {
            format!(
                "breakpoints {:#x}..={:#x}, ",
                a(Field::Breakpoint, 0),
                a(Field::Breakpoint, k - 2)
            )
        } else {
            String::new()
        };
        format!(
            "{bp}slopes {:#x}..={:#x}, intercepts {:#x}..={:#x}",
            a(Field::Slope, 0),
            a(Field::Slope, k - 1),
            a(Field::Intercept, 0),
            a(Field::Intercept, k - 1)
        )
    }

    /// The cfg address of a table entry.
    pub fn addr_of(&self, field: Field, index: usize) -> u64 {
        let f = match field {
            Field::Breakpoint => 0u64,
            Field::Slope => 1,
            Field::Intercept => 2,
        };
        (f << self.widths().cfg_index) | index as u64
    }
}

/// ceil(log2 n) for n ≥ 1.
pub fn ceil_log2(n: usize) -> u32 {
    if n <= 1 {
        0
    } else {
        usize::BITS - (n - 1).leading_zeros()
    }
}

/// The three arrays of the table, as the cfg address map names them (core's).
pub use lutforge_core::table::Field;

/// One table write: `cfg_we` high with `cfg_addr`/`cfg_data` during a cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CfgWrite {
    pub addr: u64,
    /// Signed code for integer units, the binary32 bit pattern (0..2^32) for FP32.
    pub data: i64,
}

/// Every register of `lutforge_unit`, named as in the RTL. Data words are signed codes for
/// integer units and binary32 bit patterns (zero-extended) for FP32; registers of a stage the
/// configuration leaves out stay at their reset value. Lane l of a packed bus is element l of
/// its slice. The data registers share one allocation, one register after another, each
/// `lanes` words long, so a clock edge reaches all of them through one base address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    pub s1_valid: bool,
    pub s2_valid: bool,
    pub s3_valid: bool,
    pub s4_valid: bool,
    lanes: usize,
    regs: Vec<i64>,
}

/// Positions of the data registers in `State::regs`, in units of `lanes` words.
const S1_X: usize = 0;
const S2_X: usize = 1;
const S2_SEG: usize = 2;
const S3_PROD: usize = 3;
const S3_ICPT: usize = 4;
const S4_Y: usize = 5;
const DATA_REGS: usize = 6;

impl State {
    fn reset(lanes: usize) -> State {
        State {
            s1_valid: false,
            s2_valid: false,
            s3_valid: false,
            s4_valid: false,
            lanes,
            regs: vec![0; DATA_REGS * lanes],
        }
    }

    #[inline]
    fn reg(&self, r: usize) -> &[i64] {
        &self.regs[r * self.lanes..(r + 1) * self.lanes]
    }

    #[inline]
    fn get(&self, r: usize, lane: usize) -> i64 {
        self.regs[r * self.lanes + lane]
    }

    #[inline]
    fn set(&mut self, r: usize, lane: usize, v: i64) {
        self.regs[r * self.lanes + lane] = v;
    }

    pub fn s1_x(&self) -> &[i64] {
        self.reg(S1_X)
    }

    pub fn s2_x(&self) -> &[i64] {
        self.reg(S2_X)
    }

    /// Segment indices.
    pub fn s2_seg(&self) -> &[i64] {
        self.reg(S2_SEG)
    }

    pub fn s3_prod(&self) -> &[i64] {
        self.reg(S3_PROD)
    }

    pub fn s3_icpt(&self) -> &[i64] {
        self.reg(S3_ICPT)
    }

    #[inline]
    pub fn s4_y(&self) -> &[i64] {
        self.reg(S4_Y)
    }
}

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
struct NodePrev {
    cmp_x: i64,
    seg: u32,
    k: i64,
    b: i64,
    mul_x: i64,
    prod: i64,
    sum: i128,
    y: i64,
}

/// What happened at one clock edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    /// in_valid && in_ready: the input beat was taken.
    pub accepted: bool,
    /// out_valid && out_ready: the output beat (read before the edge) was delivered.
    pub delivered: bool,
}

/// The integer datapath's shifts and bounds, and the comparator bank tabulated over the input
/// codes, computed once per unit: `step` runs once per simulated cycle and is the loop the
/// throughput goal measures.
#[derive(Clone, Debug)]
struct IntKernel {
    align: u32,
    rsh: i32,
    mode: Rounding,
    /// `Datapath::fits_i64`: the sum and rounding run in i64.
    narrow: bool,
    ybits: u32,
    ymin: i64,
    ymax: i64,
    xmin: i64,
    xmax: i64,
    /// `None` for inputs too wide to tabulate: the comparators are then evaluated.
    segs: Option<SegmentMap>,
    /// The untracked clock edge, compiled for this unit's stage count and sum width.
    advance: AdvanceInt,
}

type AdvanceInt = fn(&mut State, bool, &[i64], &IntParams, &IntKernel);

impl IntKernel {
    fn new(dp: &Datapath, breakpoints: &[i64], stages: u32) -> IntKernel {
        let narrow = dp.fits_i64();
        let advance: AdvanceInt = match (stages, narrow) {
            (4, true) => lanes_int::<4, true>,
            (3, true) => lanes_int::<3, true>,
            (2, true) => lanes_int::<2, true>,
            (_, true) => lanes_int::<1, true>,
            (4, false) => lanes_int::<4, false>,
            (3, false) => lanes_int::<3, false>,
            (2, false) => lanes_int::<2, false>,
            (_, false) => lanes_int::<1, false>,
        };
        IntKernel {
            advance,
            align: dp.align_shift() as u32,
            rsh: dp.out_shift(),
            mode: dp.rounding,
            narrow,
            ybits: dp.output.bits,
            ymin: dp.output.min_code(),
            ymax: dp.output.max_code(),
            xmin: dp.input.min_code(),
            xmax: dp.input.max_code(),
            segs: SegmentMap::new(breakpoints, dp.input),
        }
    }

    #[inline(always)]
    fn segment(&self, breakpoints: &[i64], x: i64) -> usize {
        match &self.segs {
            Some(m) => m.get(x),
            None => golden::segment(breakpoints, x),
        }
    }

    /// Aligner, adder, rounding and saturation, without the sum node, for a sum that fits
    /// i64 (`narrow`).
    #[inline(always)]
    fn finish_narrow(&self, prod: i64, icpt: i64) -> i64 {
        self.round_saturate(prod + (icpt << self.align), self.mode)
    }

    /// Rounding and saturation of a narrow sum; the mode is a parameter so that a caller
    /// looping over many samples can pass it as a constant.
    #[inline(always)]
    fn round_saturate(&self, sum: i64, mode: Rounding) -> i64 {
        golden::round_shift_i64(sum, self.rsh, mode)
            .max(self.ymin)
            .min(self.ymax)
    }

    /// The same in i128, for any datapath.
    #[inline(always)]
    fn finish_wide(&self, prod: i64, icpt: i64) -> i64 {
        let sum = prod as i128 + ((icpt as i128) << self.align);
        golden::saturate(golden::round_shift(sum, self.rsh, self.mode), self.ybits)
    }
}

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

#[inline]
fn toggles128(a: i128, b: i128, bits: u32) -> u64 {
    let m = if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    ((a ^ b) as u128 & m).count_ones() as u64
}

impl Unit {
    /// A unit right after reset, holding `params` in its table (the reset value of the table
    /// registers when programmable, the constants when fixed).
    pub fn new(cfg: UnitConfig, params: &Params) -> Result<Unit> {
        cfg.check()?;
        let k = cfg.segments;
        let table = match (&cfg.arith, params) {
            (Arith::Int(dp), Params::Int(p)) => {
                for (name, codes, f, want) in [
                    ("breakpoints", &p.breakpoints, dp.input, k - 1),
                    ("slopes", &p.slopes, dp.slope, k),
                    ("intercepts", &p.intercepts, dp.intercept, k),
                ] {
                    if codes.len() != want {
                        return Err(Error::input(format!(
                            "{} {name} for {k} segments; {want} expected",
                            codes.len()
                        )));
                    }
                    if let Some(c) = codes.iter().find(|&&c| !f.contains(c)) {
                        return Err(Error::input(format!(
                            "{name}: code {c} does not fit {} bits",
                            f.bits
                        )));
                    }
                }
                Params::Int(p.clone())
            }
            (Arith::Fp32, Params::Fp32(p)) => {
                for (name, len, want) in [
                    ("breakpoints", p.breakpoints.len(), k - 1),
                    ("slopes", p.slopes.len(), k),
                    ("intercepts", p.intercepts.len(), k),
                ] {
                    if len != want {
                        return Err(Error::input(format!(
                            "{len} {name} for {k} segments; {want} expected"
                        )));
                    }
                }
                Params::Fp32(p.clone())
            }
            (Arith::Int(_), Params::Fp32(_)) => {
                return Err(Error::input("an integer unit needs an integer table"))
            }
            (Arith::Fp32, Params::Int(_)) => {
                return Err(Error::input(
                    "an FP32 unit needs an FP32 table (convert it with Table::to_fp32)",
                ))
            }
        };
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

    /// Synchronous reset: pipeline registers to zero, table registers to their initial
    /// contents, activity counters kept.
    pub fn reset(&mut self) {
        self.state = State::reset(self.cfg.lanes);
        self.table = self.init.clone();
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
        let src: &[i64] = if self.cfg.stages == 4 {
            self.state.s1_x()
        } else {
            in_data
        };
        src.iter().map(|&x| self.compare(x)).collect()
    }

    #[inline]
    fn compare(&self, x: i64) -> u32 {
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
        let v4 = if st >= 2 {
            self.state.s3_valid
        } else {
            in_valid
        };
        if v4 {
            for l in 0..lanes {
                let (prod, icpt) = if st >= 2 {
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
                    a.y += toggles(p.y, y, w.y);
                    a.reg_data += toggles(self.state.get(S4_Y, l), y, w.y);
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
        if st >= 2 {
            let v3 = if st >= 3 {
                self.state.s2_valid
            } else {
                in_valid
            };
            if v3 {
                for l in 0..lanes {
                    let (x, seg) = if st >= 3 {
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
                        a.reg_data += toggles(self.state.get(S3_PROD, l), prod, w.prod)
                            + toggles(self.state.get(S3_ICPT, l), b, w.b);
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
        if st >= 3 {
            let v2 = if st == 4 {
                self.state.s1_valid
            } else {
                in_valid
            };
            if v2 {
                for l in 0..lanes {
                    let x = if st == 4 {
                        self.state.get(S1_X, l)
                    } else {
                        in_data[l]
                    };
                    let seg = self.compare(x);
                    if track {
                        self.track_cmp(l, x, seg);
                        let a = &mut self.activity;
                        a.reg_data += toggles(self.state.get(S2_X, l), x, w.x)
                            + toggles(self.state.get(S2_SEG, l), seg as i64, w.seg);
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
        if st == 4 {
            if in_valid {
                for l in 0..lanes {
                    if track {
                        self.activity.reg_data += toggles(self.state.get(S1_X, l), in_data[l], w.x);
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
        a.mul_out += toggles(p.prod, prod, w.prod);
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

/// One untracked clock edge of the integer pipeline with `ST` stages, all lanes, the sum in
/// i64 when `NARROW` (`Datapath::fits_i64`): `Unit::advance`'s register transfers, compiled
/// once per configuration so no configuration test is left in the loop `lutforge sim` and the
/// throughput goal measure. Lanes are independent, so one pass per lane moves every stage,
/// output side first, each reading its upstream register before it is overwritten; the
/// register slices are cut to the lane count so the loop carries no bounds checks.
#[allow(clippy::needless_range_loop)]
#[inline]
fn lanes_int<const ST: u32, const NARROW: bool>(
    s: &mut State,
    in_valid: bool,
    in_data: &[i64],
    p: &IntParams,
    kn: &IntKernel,
) {
    let (bp, ks, bs) = (&p.breakpoints[..], &p.slopes[..], &p.intercepts[..]);
    let segment = |x: i64| kn.segment(bp, x);
    let finish = |m: i64, c: i64| {
        if NARROW {
            kn.finish_narrow(m, c)
        } else {
            kn.finish_wide(m, c)
        }
    };
    // What each stage register loads: the valid bit of the stage before it, or the input's.
    let v4 = if ST >= 2 { s.s3_valid } else { in_valid };
    let v3 = ST >= 2 && if ST >= 3 { s.s2_valid } else { in_valid };
    let v2 = ST >= 3 && if ST == 4 { s.s1_valid } else { in_valid };
    let v1 = ST == 4 && in_valid;
    let n = in_data.len();
    let r = &mut s.regs[..DATA_REGS * n];
    macro_rules! lane {
        ($l:expr) => {{
            let l = $l;
            if v4 {
                r[S4_Y * n + l] = if ST >= 2 {
                    finish(r[S3_PROD * n + l], r[S3_ICPT * n + l])
                } else {
                    let x = in_data[l];
                    let seg = segment(x);
                    finish(ks[seg] * x, bs[seg])
                };
            }
            if v3 {
                let (x, seg) = if ST >= 3 {
                    (r[S2_X * n + l], r[S2_SEG * n + l] as usize)
                } else {
                    (in_data[l], segment(in_data[l]))
                };
                r[S3_PROD * n + l] = ks[seg] * x;
                r[S3_ICPT * n + l] = bs[seg];
            }
            if v2 {
                let x = if ST == 4 { r[S1_X * n + l] } else { in_data[l] };
                r[S2_X * n + l] = x;
                r[S2_SEG * n + l] = segment(x) as i64;
            }
            if v1 {
                r[S1_X * n + l] = in_data[l];
            }
        }};
    }
    // The single-lane unit, the common case, gets straight-line code: a loop's set-up costs
    // as much as one lane's work.
    if n == 1 {
        lane!(0);
    } else {
        for l in 0..n {
            lane!(l);
        }
    }
    s.s4_valid = v4;
    if ST >= 2 {
        s.s3_valid = v3;
    }
    if ST >= 3 {
        s.s2_valid = v2;
    }
    if ST == 4 {
        s.s1_valid = v1;
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
    use lutforge_core::{FixedFormat, Rounding};

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
    fn ceil_log2_values() {
        assert_eq!([1, 2, 3, 4, 5, 8, 9].map(ceil_log2), [0, 1, 2, 2, 3, 3, 4]);
    }
}
