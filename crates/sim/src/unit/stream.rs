//! The unit at full throughput: a new beat every cycle, `out_ready` always high, no cfg write —
//! how a batch job or a benchmark drives it.
//!
//! In such cycles every register is overwritten every cycle, so the beat on `out_data` in cycle
//! c is the unit's function of the beat offered in cycle c − stages, and after `stages` cycles
//! the pipeline holds nothing but the last `stages` beats. [`Unit::stream`] therefore clocks the
//! first `stages` cycles one edge at a time (their outputs come from whatever the pipeline held
//! before), evaluates the middle of the stream sample by sample without moving any register,
//! and clocks the last `stages` beats in to leave the registers as the edge-by-edge model would.
//! The result equals [`Unit::step`] cycle for cycle; the test below holds it to that.

use super::{IntKernel, Unit};
use lutforge_core::golden;
use lutforge_core::Params;
use lutforge_core::{Error, IntParams, Result, Rounding};

impl Unit {
    /// Runs one cycle per beat of `in_data` (`lanes` words each, lane 0 first) with in_valid
    /// and out_ready high and no cfg write, and appends to `out` every beat `out_data` carried
    /// in those cycles while out_valid was high (lane 0 first). Returns the number of beats
    /// appended. Every sample is checked before anything changes: on an error the unit and
    /// `out` are as they were.
    ///
    /// With activity tracking on, every cycle is a full [`Unit::step`], so the toggle counts
    /// are the same as stepping.
    pub fn stream(&mut self, in_data: &[i64], out: &mut Vec<i64>) -> Result<usize> {
        let lanes = self.cfg.lanes;
        if in_data.len() % lanes != 0 {
            return Err(Error::input(format!(
                "in_data carries {} words, not a whole number of {lanes}-lane beats",
                in_data.len()
            )));
        }
        self.check_stream(in_data)?;
        let before = out.len();
        let st = self.cfg.stages as usize;
        let beats = in_data.len() / lanes;
        if self.track || beats <= 2 * st {
            self.clock_in(in_data, Some(out));
        } else {
            let (head, rest) = in_data.split_at(st * lanes);
            self.clock_in(head, Some(out));
            // Cycles st..beats: out_valid is high and out_data is f(beat c − st).
            let middle = &in_data[..(beats - st) * lanes];
            match (&self.kernel, &self.table) {
                (Some(kn), Params::Int(p)) if kn.narrow => eval_int::<true>(kn, p, middle, out),
                (Some(kn), Params::Int(p)) => eval_int::<false>(kn, p, middle, out),
                _ => {
                    out.reserve(middle.len());
                    out.extend(middle.iter().map(|&x| self.eval(x)));
                }
            }
            self.clock_in(&rest[rest.len() - st * lanes..], None);
        }
        Ok((out.len() - before) / lanes)
    }

    /// Clocks `beats` in edge by edge, appending out_data before each edge to `out` if given.
    fn clock_in(&mut self, beats: &[i64], mut out: Option<&mut Vec<i64>>) {
        for beat in beats.chunks_exact(self.cfg.lanes) {
            if let Some(o) = out.as_deref_mut() {
                if self.out_valid() {
                    o.extend_from_slice(self.out_data());
                }
            }
            self.step(true, beat, true, None)
                .expect("stream checked its samples, and writes nothing");
        }
    }

    /// The whole unit as a function of one sample: the stage functions of the edge-by-edge
    /// model composed.
    fn eval(&self, x: i64) -> i64 {
        let seg = self.compare(x);
        let (_, prod, icpt) = self.lookup_mul(seg, x);
        self.finish(prod, icpt).1
    }

    fn check_stream(&self, in_data: &[i64]) -> Result<()> {
        let bad = match &self.kernel {
            // An input format holds 2^N_x codes from xmin, so a code is in range exactly when
            // x − xmin has no bit above N_x: one OR-reduction, which vectorizes, and the
            // position only when something is out of range.
            Some(k)
                if in_data
                    .iter()
                    .fold(0u64, |acc, &x| acc | (x.wrapping_sub(k.xmin) as u64))
                    & !((k.xmax - k.xmin) as u64)
                    == 0 =>
            {
                None
            }
            Some(k) => in_data.iter().position(|&x| x < k.xmin || x > k.xmax),
            None => in_data
                .iter()
                .position(|&x| self.cfg.check_sample(x).is_err()),
        };
        match bad {
            None => Ok(()),
            Some(i) => {
                let why = self.cfg.check_sample(in_data[i]).unwrap_err();
                Err(Error::input(format!(
                    "beat {}, lane {}: {why}",
                    i / self.cfg.lanes,
                    i % self.cfg.lanes
                )))
            }
        }
    }
}

/// The integer unit's stage functions composed, as `lanes_int` computes them stage by stage.
/// The rounding mode is matched once per call, and a narrow unit's intercepts are aligned
/// once per call (each slope beside its aligned intercept), not once per sample.
fn eval_int<const NARROW: bool>(kn: &IntKernel, p: &IntParams, xs: &[i64], out: &mut Vec<i64>) {
    let start = out.len();
    out.resize(start + xs.len(), 0);
    let ys = &mut out[start..];
    if !NARROW {
        let pairs: Vec<(i64, i64)> = p
            .slopes
            .iter()
            .copied()
            .zip(p.intercepts.iter().copied())
            .collect();
        return fill(kn, p, ys, xs, &pairs, |m, c| kn.finish_wide(m, c));
    }
    let pairs: Vec<(i64, i64)> = p
        .slopes
        .iter()
        .zip(&p.intercepts)
        .map(|(&k, &b)| (k, b << kn.align))
        .collect();
    let narrow = |mode| move |m: i64, c: i64| kn.round_saturate(m + c, mode);
    match kn.mode {
        Rounding::Truncate => fill(kn, p, ys, xs, &pairs, narrow(Rounding::Truncate)),
        Rounding::HalfUp => fill(kn, p, ys, xs, &pairs, narrow(Rounding::HalfUp)),
        Rounding::HalfEven => fill(kn, p, ys, xs, &pairs, narrow(Rounding::HalfEven)),
    }
}

/// Writes through a slice rather than pushing: stores to a `&mut [i64]` cannot alias the table
/// and the kernel, so the loop keeps them in registers instead of reloading them per sample.
#[inline(always)]
fn fill(
    kn: &IntKernel,
    p: &IntParams,
    ys: &mut [i64],
    xs: &[i64],
    pairs: &[(i64, i64)],
    finish: impl Fn(i64, i64) -> i64,
) {
    let each = |segment: &dyn Fn(i64) -> usize, ys: &mut [i64]| {
        for (y, &x) in ys.iter_mut().zip(xs) {
            let (k, c) = pairs[segment(x)];
            *y = finish(k * x, c);
        }
    };
    match &kn.segs {
        Some(m) => each(&|x| m.get(x), ys),
        None => each(&|x| golden::segment(&p.breakpoints, x), ys),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{dp, params};
    use super::super::{Arith, UnitConfig};
    use super::*;
    use crate::convert::widen;
    use lutforge_core::{Datapath, Fp32Params, Params};
    use rand::{Rng, SeedableRng};

    /// Integer units of 8 and 32 bits (narrow and wide sums) in every rounding mode, and FP32;
    /// every depth, 1–3 lanes.
    fn units() -> Vec<(UnitConfig, Params)> {
        // Odd slopes and intercepts, so that every rounding mode shows in the outputs.
        let p = IntParams {
            breakpoints: vec![-40, 0, 21],
            slopes: vec![3, 17, -45, 127],
            intercepts: vec![-31, 5, 0, -16],
        };
        let mut kinds = vec![(Arith::Fp32, Params::Fp32(Fp32Params::from_int(&p, 2, 6, 6)))];
        let all: Vec<i64> = (-128..128).collect();
        let mut seen = Vec::new();
        for rounding in [Rounding::Truncate, Rounding::HalfUp, Rounding::HalfEven] {
            let dp = Datapath { rounding, ..dp() };
            let ys: Vec<i64> = all.iter().map(|&x| golden::eval(&dp, &p, x).y).collect();
            assert!(
                !seen.contains(&ys),
                "{rounding:?} gives another mode's outputs"
            );
            seen.push(ys);
            let (dp32, p32) = widen(&dp, &p, 24);
            kinds.push((Arith::Int(dp), Params::Int(p.clone())));
            kinds.push((Arith::Int(dp32), Params::Int(p32)));
        }
        let mut v = Vec::new();
        for (arith, params) in kinds {
            for stages in 1..=4 {
                for lanes in 1..=3 {
                    let cfg = UnitConfig {
                        arch: crate::unit::Arch::Pwl,
                        arith,
                        segments: p.segments(),
                        lanes,
                        stages,
                        programmable: true,
                    };
                    v.push((cfg, params.clone()));
                }
            }
        }
        v
    }

    fn sample(rng: &mut impl Rng, cfg: &UnitConfig) -> i64 {
        match &cfg.arith {
            Arith::Int(dp) => rng.gen_range(dp.input.min_code()..=dp.input.max_code()),
            Arith::Fp32 => (rng.gen_range(-8.0f32..8.0)).to_bits() as i64,
        }
    }

    /// Streams of every length from 0 to past 2·stages, after a history of random gaps and
    /// stalls (so the pipeline is partly full when the stream starts), equal to stepping in
    /// every output beat and in every register afterwards.
    #[test]
    fn stream_equals_stepping() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for (cfg, params) in units() {
            for len in 0..=(2 * cfg.stages as usize + 3) {
                for track in [false, true] {
                    let mut a = Unit::new(cfg, &params).unwrap();
                    a.set_tracking(track);
                    for _ in 0..rng.gen_range(0..6) {
                        let beat: Vec<i64> =
                            (0..cfg.lanes).map(|_| sample(&mut rng, &cfg)).collect();
                        a.step(rng.gen_bool(0.6), &beat, rng.gen_bool(0.6), None)
                            .unwrap();
                    }
                    let mut b = a.clone();
                    let data: Vec<i64> = (0..len * cfg.lanes)
                        .map(|_| sample(&mut rng, &cfg))
                        .collect();
                    let mut want = vec![];
                    for beat in data.chunks_exact(cfg.lanes) {
                        if b.out_valid() {
                            want.extend_from_slice(b.out_data());
                        }
                        b.step(true, beat, true, None).unwrap();
                    }
                    let mut got = vec![42];
                    let n = a.stream(&data, &mut got).unwrap();
                    assert_eq!(&got[1..], &want[..], "{cfg:?} len {len}");
                    assert_eq!(n * cfg.lanes, want.len());
                    assert_eq!(a.state(), b.state(), "{cfg:?} len {len}");
                    assert_eq!(a.activity(), b.activity(), "{cfg:?} len {len}");
                }
            }
        }
    }

    #[test]
    fn bad_streams_change_nothing() {
        let cfg = UnitConfig {
            arch: crate::unit::Arch::Pwl,
            arith: Arith::Int(dp()),
            segments: 4,
            lanes: 2,
            stages: 4,
            programmable: true,
        };
        let mut u = Unit::new(cfg, &params()).unwrap();
        u.stream(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], &mut vec![])
            .unwrap();
        let before = u.state().clone();
        let mut out = vec![];
        let e = u.stream(&[1, 2, 3], &mut out).unwrap_err();
        assert!(e.to_string().contains("3 words"), "{e}");
        let e = u.stream(&[1, 2, 3, 4, 5, 128], &mut out).unwrap_err();
        assert!(e.to_string().contains("beat 2, lane 1"), "{e}");
        assert!(e.to_string().contains("128"), "{e}");
        assert_eq!(u.state(), &before);
        assert!(out.is_empty());
    }
}
