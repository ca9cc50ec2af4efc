//! The built-in stimulus and output checksum of the simulation-speed benchmark, driving
//! `lutforge_sim::Unit` directly. The Verilator harness's bench mode
//! (`rtl_templates/harness.cpp`, `Vharness --bench`, [`crate::verilator::Build::bench`])
//! implements the same stimulus and checksum in C++, and
//! `sim_tests/tests/bench_checksum.rs` proves that the two give the same checksum, so a
//! benchmark that shows equal checksums compared the same work.
//!
//! Every cycle: `in_valid` = 1, `out_ready` = 1, no cfg write. Each lane's input code is one
//! draw of a 64-bit LCG (state ← state · [`LCG_MUL`] + [`LCG_INC`], wrapping, from
//! [`LCG_SEED`]; one draw per lane in lane order; code = (state >> 33) masked to N_x bits; lane
//! l sits at bit l·N_x of `in_data`). The simulator gets the code sign-extended for integer
//! units and as the bit pattern for FP32. In every cycle with `out_valid` high, every lane's
//! output, lane 0 first, masked to N_y bits, is folded in: checksum ← checksum · 31 + y
//! (wrapping).

use lutforge_core::Result;
use lutforge_sim::unit::{mask, Arith, Unit, UnitConfig};

/// Multiplier of the LCG (Knuth's MMIX constants).
pub const LCG_MUL: u64 = 6_364_136_223_846_793_005;
/// Increment of the LCG.
pub const LCG_INC: u64 = 1_442_695_040_888_963_407;
/// State of the LCG before the first draw.
pub const LCG_SEED: u64 = 1;
/// Multiplier of the checksum fold.
pub const CHECKSUM_MUL: u64 = 31;

/// The input stream of the benchmark for one unit shape.
#[derive(Clone, Debug)]
pub struct Stimulus {
    state: u64,
    x_bits: u32,
    signed: bool,
}

impl Stimulus {
    /// The stream for units shaped like `cfg`, from its first draw.
    pub fn new(cfg: &UnitConfig) -> Stimulus {
        Stimulus {
            state: LCG_SEED,
            x_bits: cfg.widths().x,
            signed: matches!(cfg.arith, Arith::Int(_)),
        }
    }

    /// The next code as the `in_data` bus carries it: N_x bits.
    #[inline]
    pub fn next_code(&mut self) -> u64 {
        self.state = self.state.wrapping_mul(LCG_MUL).wrapping_add(LCG_INC);
        (self.state >> 33) & mask(self.x_bits)
    }

    /// The next code as the simulator's input word: sign-extended from N_x bits for integer
    /// units, the bit pattern for FP32.
    #[inline]
    pub fn next_word(&mut self) -> i64 {
        let code = self.next_code();
        if self.signed {
            let sh = 64 - self.x_bits;
            ((code << sh) as i64) >> sh
        } else {
            code as i64
        }
    }

    /// Beats of a word per lane, lane 0 first, one after another.
    #[inline]
    pub fn fill(&mut self, beat: &mut [i64]) {
        for x in beat {
            *x = self.next_word();
        }
    }
}

/// Folds one output beat (a word per lane, lane 0 first) into `checksum`, each word masked to
/// `y_bits`.
#[inline]
pub fn fold(checksum: u64, beat: &[i64], y_bits: u32) -> u64 {
    let m = mask(y_bits);
    beat.iter().fold(checksum, |c, &y| {
        c.wrapping_mul(CHECKSUM_MUL).wrapping_add(y as u64 & m)
    })
}

/// Beats generated, streamed and folded at a time: enough to make the stream's edge-by-edge
/// head and tail a small share, few enough to stay in the first-level cache.
const CHUNK: usize = 1024;

/// Runs `cycles` cycles of the stimulus through `unit` from its current state with
/// [`Unit::stream`], the simulator's full-throughput entry point; returns the checksum of the
/// outputs.
pub fn run(unit: &mut Unit, cycles: u64) -> Result<u64> {
    let cfg = *unit.config();
    let y_bits = unit.widths().y;
    let mut stim = Stimulus::new(&cfg);
    let mut beats = vec![0i64; CHUNK * cfg.lanes];
    let mut out = Vec::with_capacity(CHUNK * cfg.lanes);
    let mut checksum = 0u64;
    let mut left = cycles;
    while left > 0 {
        let n = left.min(CHUNK as u64) as usize;
        let chunk = &mut beats[..n * cfg.lanes];
        stim.fill(chunk);
        out.clear();
        unit.stream(chunk, &mut out)?;
        checksum = fold(checksum, &out, y_bits);
        left -= n as u64;
    }
    Ok(checksum)
}

/// The same cycles one [`Unit::step`] at a time, as an interactive testbench drives the unit.
pub fn run_stepped(unit: &mut Unit, cycles: u64) -> Result<u64> {
    let cfg = *unit.config();
    let y_bits = unit.widths().y;
    let mut stim = Stimulus::new(&cfg);
    let mut beat = vec![0i64; cfg.lanes];
    let mut checksum = 0u64;
    for _ in 0..cycles {
        stim.fill(&mut beat);
        if unit.out_valid() {
            checksum = fold(checksum, unit.out_data(), y_bits);
        }
        unit.step(true, &beat, true, None)?;
    }
    Ok(checksum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lutforge_core::{Datapath, FixedFormat, IntParams, Params, Rounding};

    fn int_cfg(bits: u32, lanes: usize) -> UnitConfig {
        let f = FixedFormat::new(bits, 0);
        UnitConfig {
            arch: lutforge_sim::unit::Arch::Pwl,
            arith: Arith::Int(Datapath {
                input: f,
                slope: f,
                intercept: f,
                output: f,
                rounding: Rounding::Truncate,
            }),
            segments: 1,
            lanes,
            stages: 4,
            programmable: true,
        }
    }

    #[test]
    fn lcg_draws_are_the_documented_ones() {
        // state1 = 7806831264735756412, state2 = 9396908728118811419: >> 33 gives
        // 908834774 = 0x362bb7d6 and 1093944153 = 0x41344359.
        let mut s = Stimulus::new(&int_cfg(8, 1));
        assert_eq!(s.next_code(), 0xd6);
        assert_eq!(s.next_code(), 0x59);
        let mut s = Stimulus::new(&int_cfg(8, 1));
        assert_eq!(s.next_word(), 0xd6 - 256);
        assert_eq!(s.next_word(), 0x59);
        let fp = UnitConfig {
            arch: lutforge_sim::unit::Arch::Pwl,
            arith: Arith::Fp32,
            ..int_cfg(8, 1)
        };
        let mut s = Stimulus::new(&fp);
        assert_eq!(s.next_word(), 0x362b_b7d6);
        let mut s = Stimulus::new(&int_cfg(32, 1));
        assert_eq!(s.next_word(), 0x362b_b7d6);
    }

    #[test]
    fn fold_masks_each_lane_and_goes_lane_by_lane() {
        assert_eq!(fold(0, &[-1], 8), 0xff);
        assert_eq!(fold(1, &[2, 3], 8), (31 + 2) * 31 + 3);
        assert_eq!(fold(u64::MAX, &[0], 32), u64::MAX.wrapping_mul(31));
    }

    #[test]
    fn identity_unit_checksum_is_the_fold_of_its_inputs() {
        // One segment, slope 1, intercept 0: y = x, four cycles late.
        let cfg = int_cfg(8, 2);
        let p = Params::Int(IntParams {
            breakpoints: vec![],
            slopes: vec![1],
            intercepts: vec![0],
        });
        let mut unit = Unit::new(cfg, &p).unwrap();
        let mut stim = Stimulus::new(&cfg);
        let mut want = 0;
        let mut beat = [0i64; 2];
        for _ in 0..6 {
            stim.fill(&mut beat);
            want = fold(want, &beat, 8);
        }
        assert_eq!(run(&mut unit.clone(), 10).unwrap(), want);
        assert_eq!(run_stepped(&mut unit, 10).unwrap(), want);
    }
}
