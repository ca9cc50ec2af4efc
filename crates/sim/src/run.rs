//! The testbench: drives a unit from a stimulus cycle by cycle with valid/ready on both sides,
//! random output stalls, and observers (trace, VCD) that see every cycle.

use crate::stimulus::{Event, Stimulus};
use crate::unit::{CfgWrite, Unit};
use lutforge_core::{Error, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The inputs and outputs of the unit during one cycle (before the rising edge that ends it),
/// plus the unit itself for its registers.
pub struct CycleView<'a> {
    /// Cycle number; cycle 0 is the first one after reset.
    pub cycle: u64,
    pub unit: &'a Unit,
    pub in_valid: bool,
    pub in_ready: bool,
    pub in_data: &'a [i64],
    pub out_ready: bool,
    pub cfg: Option<CfgWrite>,
}

/// Sees every cycle; the trace and VCD writers are observers.
pub trait Observer {
    fn cycle(&mut self, v: &CycleView<'_>) -> Result<()>;
    /// Called once after the last cycle.
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunOptions {
    /// Probability that out_ready is low in a cycle, in [0, 1).
    pub stall_prob: f64,
    /// Seed of the out_ready stream (independent of the stimulus generator's).
    pub seed: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            stall_prob: 0.0,
            seed: 1,
        }
    }
}

impl RunOptions {
    pub fn check(&self) -> Result<()> {
        if !(0.0..1.0).contains(&self.stall_prob) {
            return Err(Error::input(format!(
                "stall probability {} is outside [0, 1)",
                self.stall_prob
            )));
        }
        Ok(())
    }
}

/// What a run did, counted by the testbench.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunStats {
    pub cycles: u64,
    /// Input beats accepted (in_valid && in_ready).
    pub beats_in: u64,
    /// Samples in those beats, padding excluded.
    pub samples: u64,
    /// Padding lanes of a partly filled last beat.
    pub padded: u64,
    /// Output beats delivered (out_valid && out_ready).
    pub beats_out: u64,
    /// Cycles with out_valid high and out_ready low.
    pub out_stalls: u64,
    /// Cycles with in_valid high and in_ready low.
    pub in_stalls: u64,
    /// Cycles the stimulus held in_valid low on purpose (`idle`).
    pub idle_cycles: u64,
    pub cfg_writes: u64,
    /// Cycles from the first accepted beat to its delivery (counting the delivering edge).
    pub first_latency: Option<u64>,
}

impl RunStats {
    /// Samples per cycle.
    pub fn throughput(&self) -> f64 {
        if self.cycles == 0 {
            0.0
        } else {
            self.samples as f64 / self.cycles as f64
        }
    }
}

enum Pending {
    None,
    Beat,
    Idle(u64),
    Cfg(CfgWrite),
}

/// Runs until the stimulus is exhausted and the pipeline is empty. Every delivered output beat
/// goes to `sink` (one word per lane, padding lanes included) in order.
pub fn run(
    unit: &mut Unit,
    stim: &mut dyn Stimulus,
    opts: &RunOptions,
    observers: &mut [&mut dyn Observer],
    mut sink: impl FnMut(&[i64]) -> Result<()>,
) -> Result<RunStats> {
    opts.check()?;
    let lanes = unit.config().lanes;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    rng.set_stream(1);
    let mut beat = vec![0i64; lanes];
    // The testbench drives in_data to zero when in_valid is low.
    let zeros = vec![0i64; lanes];
    let mut beat_real = 0usize;
    let mut pending = Pending::None;
    let mut exhausted = false;
    let mut st = RunStats::default();
    // Cycle numbers of accepted beats still in flight, for the first latency only.
    let mut first_accept: Option<u64> = None;
    loop {
        if matches!(pending, Pending::None) && !exhausted {
            match stim.next_event(&mut beat)? {
                Some(Event::Beat { real }) => {
                    beat_real = real;
                    pending = Pending::Beat;
                }
                Some(Event::Idle(n)) if n > 0 => pending = Pending::Idle(n),
                Some(Event::Idle(_)) => continue,
                Some(Event::Cfg(c)) => pending = Pending::Cfg(c),
                None => exhausted = true,
            }
        }
        if exhausted && matches!(pending, Pending::None) && !unit.busy() {
            break;
        }
        let in_valid = matches!(pending, Pending::Beat);
        let cfg = match pending {
            Pending::Cfg(c) => Some(c),
            _ => None,
        };
        let out_ready = opts.stall_prob == 0.0 || rng.gen::<f64>() >= opts.stall_prob;
        let in_ready = unit.in_ready(out_ready);
        let in_data: &[i64] = if in_valid { &beat } else { &zeros };
        if !observers.is_empty() {
            let view = CycleView {
                cycle: st.cycles,
                unit,
                in_valid,
                in_ready,
                in_data,
                out_ready,
                cfg,
            };
            for o in observers.iter_mut() {
                o.cycle(&view)?;
            }
        }
        if unit.out_valid() {
            if out_ready {
                sink(unit.out_data())?;
                st.beats_out += 1;
                if st.beats_out == 1 {
                    if let Some(a) = first_accept {
                        st.first_latency = Some(st.cycles - a);
                    }
                }
            } else {
                st.out_stalls += 1;
            }
        }
        let edge = unit.step(in_valid, in_data, out_ready, cfg)?;
        pending = match pending {
            Pending::Beat if edge.accepted => {
                st.beats_in += 1;
                st.samples += beat_real as u64;
                st.padded += (lanes - beat_real) as u64;
                if first_accept.is_none() {
                    first_accept = Some(st.cycles);
                }
                Pending::None
            }
            Pending::Beat => {
                st.in_stalls += 1;
                Pending::Beat
            }
            Pending::Idle(n) => {
                st.idle_cycles += 1;
                if n > 1 {
                    Pending::Idle(n - 1)
                } else {
                    Pending::None
                }
            }
            Pending::Cfg(_) => {
                st.cfg_writes += 1;
                Pending::None
            }
            Pending::None => Pending::None,
        };
        st.cycles += 1;
    }
    for o in observers.iter_mut() {
        o.finish()?;
    }
    Ok(st)
}
