//! Where the samples come from: a stimulus file read line by line (memory independent of its
//! length) or a seeded generator. Both yield events — a beat of P samples, idle cycles, a
//! table write — that the driver turns into cycles.

use crate::unit::{Arith, CfgWrite, UnitConfig};
use lutforge_core::{Error, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::BufRead;

/// What the testbench does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Present the beat (written into the caller's buffer) until it is accepted; `real` lanes
    /// hold samples, the rest (only in the last beat of a file) hold zero padding.
    Beat { real: usize },
    /// Hold in_valid low for this many cycles.
    Idle(u64),
    /// One cycle with cfg_we high (and in_valid low).
    Cfg(CfgWrite),
}

pub trait Stimulus {
    /// The next event; `beat` has one slot per lane and is filled for `Event::Beat`.
    fn next_event(&mut self, beat: &mut [i64]) -> Result<Option<Event>>;
}

/// Parses one sample (or cfg data) word of the unit's number format: a signed decimal code
/// for integer units; for FP32 a decimal number (`1.5`, `-0`, `nan`, `inf`) rounded to
/// binary32, or `0x` and the bit pattern.
pub fn parse_word(cfg: &UnitConfig, s: &str) -> std::result::Result<i64, String> {
    match cfg.arith {
        Arith::Int(_) => s
            .parse::<i64>()
            .map_err(|_| format!("'{s}' is not an integer code")),
        Arith::Fp32 => {
            if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
                u32::from_str_radix(h, 16)
                    .map(|b| b as i64)
                    .map_err(|_| format!("'{s}' is not a 32-bit hex pattern"))
            } else {
                s.parse::<f32>()
                    .map(|v| v.to_bits() as i64)
                    .map_err(|_| format!("'{s}' is not a number"))
            }
        }
    }
}

fn parse_addr(s: &str) -> std::result::Result<u64, String> {
    let r = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(h, 16)
    } else {
        s.parse::<u64>()
    };
    r.map_err(|_| format!("'{s}' is not an address"))
}

/// A stimulus file: one sample per line, `idle N`, `cfg ADDR DATA`, `#` comments, blank lines.
/// Most idle cycles one `idle` line may ask for: each is a simulated cycle.
pub const MAX_IDLE: u64 = 1_000_000_000;

/// Consecutive samples fill a beat lane by lane; a directive inside a partly filled beat is an
/// error (it would leave lanes without data), and a partly filled last beat is padded with 0.
pub struct FileStimulus<R> {
    cfg: UnitConfig,
    reader: R,
    name: String,
    line_no: u64,
    line: String,
    done: bool,
}

impl<R: BufRead> FileStimulus<R> {
    /// `name` is the path used in error messages.
    pub fn new(cfg: UnitConfig, reader: R, name: impl Into<String>) -> Self {
        FileStimulus {
            cfg,
            reader,
            name: name.into(),
            line_no: 0,
            line: String::new(),
            done: false,
        }
    }

    fn err(&self, msg: impl std::fmt::Display) -> Error {
        Error::input(format!("{}: line {}: {msg}", self.name, self.line_no))
    }
}

impl<R: BufRead> Stimulus for FileStimulus<R> {
    fn next_event(&mut self, beat: &mut [i64]) -> Result<Option<Event>> {
        let lanes = beat.len();
        let mut filled = 0;
        while !self.done {
            self.line.clear();
            let n = self
                .reader
                .read_line(&mut self.line)
                .map_err(|e| Error::input(format!("{}: {e}", self.name)))?;
            if n == 0 {
                self.done = true;
                break;
            }
            self.line_no += 1;
            let text = match self.line.find('#') {
                Some(i) => &self.line[..i],
                None => &self.line[..],
            };
            let mut toks = text.split_whitespace();
            let Some(first) = toks.next() else { continue };
            let event = match first {
                "idle" => {
                    let n = toks
                        .next()
                        .ok_or_else(|| self.err("'idle' needs a cycle count"))?;
                    let n = n
                        .parse::<u64>()
                        .map_err(|_| self.err(format!("'{n}' is not a cycle count")))?;
                    if n > MAX_IDLE {
                        return Err(
                            self.err(format!("'idle {n}': at most {MAX_IDLE} cycles per line"))
                        );
                    }
                    Some(Event::Idle(n))
                }
                "cfg" => {
                    let (Some(a), Some(d)) = (toks.next(), toks.next()) else {
                        return Err(self.err("'cfg' needs an address and a data word"));
                    };
                    let addr = parse_addr(a).map_err(|m| self.err(m))?;
                    let data = parse_word(&self.cfg, d).map_err(|m| self.err(m))?;
                    let w = CfgWrite { addr, data };
                    self.cfg.check_write(w).map_err(|m| self.err(m))?;
                    Some(Event::Cfg(w))
                }
                word => {
                    let x = parse_word(&self.cfg, word).map_err(|m| self.err(m))?;
                    self.cfg.check_sample(x).map_err(|m| self.err(m))?;
                    beat[filled] = x;
                    filled += 1;
                    None
                }
            };
            if let Some(extra) = toks.next() {
                return Err(self.err(format!(
                    "unexpected '{extra}' (one sample or directive per line)"
                )));
            }
            match event {
                Some(_) if filled > 0 => {
                    return Err(self.err(format!(
                        "'{first}' inside a {lanes}-lane beat ({filled} of {lanes} samples given); \
                         directives go between beats"
                    )))
                }
                Some(Event::Idle(0)) => continue,
                Some(e) => return Ok(Some(e)),
                None if filled == lanes => return Ok(Some(Event::Beat { real: lanes })),
                None => {}
            }
        }
        if filled > 0 {
            beat[filled..].fill(0);
            return Ok(Some(Event::Beat { real: filled }));
        }
        Ok(None)
    }
}

/// The shape of generated samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Distribution {
    Uniform,
    /// Normal around the middle of the range with this standard deviation as a fraction of
    /// the range's width, clamped to the range.
    Gaussian {
        sigma: f64,
    },
}

/// The values generated samples range over.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Range {
    /// Integer codes min..=max.
    Codes { min: i64, max: i64 },
    /// Real values lo..=hi, rounded to binary32 (all mantissa bits vary).
    Reals { lo: f64, hi: f64 },
}

impl Range {
    /// Every code of an integer unit's input, or for FP32 the real interval that `bits`-bit
    /// codes with `frac` fractional bits cover.
    pub fn full(cfg: &UnitConfig, bits: u32, frac: i32) -> Range {
        match cfg.arith {
            Arith::Int(dp) => Range::Codes {
                min: dp.input.min_code(),
                max: dp.input.max_code(),
            },
            Arith::Fp32 => {
                let f = lutforge_core::FixedFormat::new(bits, frac);
                Range::Reals {
                    lo: f.value(f.min_code()),
                    hi: f.value(f.max_code()),
                }
            }
        }
    }
}

/// `count` seeded random samples, grouped into beats.
pub struct Generator {
    rng: ChaCha8Rng,
    left: u64,
    dist: Distribution,
    range: Range,
}

/// Most generated samples one run takes: 10^12 is hours of simulation, and a VCD of it would
/// not fit any disk.
pub const MAX_SAMPLES: u64 = 1_000_000_000_000;

impl Generator {
    pub fn new(count: u64, dist: Distribution, range: Range, seed: u64) -> Generator {
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            left: count,
            dist,
            range,
        }
    }

    fn sample(&mut self) -> i64 {
        match (self.range, self.dist) {
            (Range::Codes { min, max }, Distribution::Uniform) => self.rng.gen_range(min..=max),
            (Range::Codes { min, max }, Distribution::Gaussian { sigma }) => {
                let mid = (min as f64 + max as f64) / 2.0;
                let v = mid + self.normal() * sigma * (max as f64 - min as f64 + 1.0);
                (v.round().clamp(min as f64, max as f64)) as i64
            }
            (Range::Reals { lo, hi }, Distribution::Uniform) => {
                let v = lo + self.rng.gen::<f64>() * (hi - lo);
                (v.clamp(lo, hi) as f32).to_bits() as i64
            }
            (Range::Reals { lo, hi }, Distribution::Gaussian { sigma }) => {
                let v = (lo + hi) / 2.0 + self.normal() * sigma * (hi - lo);
                (v.clamp(lo, hi) as f32).to_bits() as i64
            }
        }
    }

    /// A standard normal deviate (Box–Muller), portable across platforms.
    fn normal(&mut self) -> f64 {
        let u1: f64 = 1.0 - self.rng.gen::<f64>(); // (0, 1]
        let u2: f64 = self.rng.gen::<f64>();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

impl Stimulus for Generator {
    fn next_event(&mut self, beat: &mut [i64]) -> Result<Option<Event>> {
        if self.left == 0 {
            return Ok(None);
        }
        let real = (beat.len() as u64).min(self.left) as usize;
        for slot in beat[..real].iter_mut() {
            *slot = self.sample();
        }
        beat[real..].fill(0);
        self.left -= real as u64;
        Ok(Some(Event::Beat { real }))
    }
}

/// Events from a list, for tests and programmatic use.
pub struct VecStimulus {
    events: std::vec::IntoIter<(Event, Vec<i64>)>,
}

impl VecStimulus {
    /// Each beat event comes with its lane words.
    pub fn new(events: Vec<(Event, Vec<i64>)>) -> Self {
        VecStimulus {
            events: events.into_iter(),
        }
    }

    /// Samples in order, grouped into beats of `lanes` (the last one padded).
    pub fn samples(samples: &[i64], lanes: usize) -> Self {
        VecStimulus::new(beats(samples, lanes))
    }
}

/// Beat events carrying `samples` in order, `lanes` per beat, the last one padded with zeros.
pub fn beats(samples: &[i64], lanes: usize) -> Vec<(Event, Vec<i64>)> {
    let lanes = lanes.max(1);
    samples
        .chunks(lanes)
        .map(|c| {
            let mut v = c.to_vec();
            v.resize(lanes, 0);
            (Event::Beat { real: c.len() }, v)
        })
        .collect()
}

impl Stimulus for VecStimulus {
    fn next_event(&mut self, beat: &mut [i64]) -> Result<Option<Event>> {
        match self.events.next() {
            Some((e, words)) => {
                if let Event::Beat { .. } = e {
                    if words.len() != beat.len() {
                        return Err(Error::input(format!(
                            "a beat of {} words for {} lanes",
                            words.len(),
                            beat.len()
                        )));
                    }
                    beat.copy_from_slice(&words);
                }
                Ok(Some(e))
            }
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::Arith;
    use lutforge_core::{Datapath, FixedFormat, Rounding};

    fn cfg(lanes: usize, arith: Arith) -> UnitConfig {
        UnitConfig {
            arch: crate::unit::Arch::Pwl,
            arith,
            segments: 2,
            lanes,
            stages: 4,
            programmable: true,
        }
    }

    fn int8() -> Arith {
        Arith::Int(Datapath {
            input: FixedFormat::new(8, 0),
            slope: FixedFormat::new(8, 6),
            intercept: FixedFormat::new(8, 6),
            output: FixedFormat::new(8, 4),
            rounding: Rounding::HalfUp,
        })
    }

    fn events(text: &str, lanes: usize, arith: Arith) -> Result<Vec<(Event, Vec<i64>)>> {
        let mut s = FileStimulus::new(cfg(lanes, arith), text.as_bytes(), "stim");
        let mut out = Vec::new();
        let mut beat = vec![0; lanes];
        while let Some(e) = s.next_event(&mut beat)? {
            out.push((e, beat.clone()));
        }
        Ok(out)
    }

    #[test]
    fn parses_samples_directives_and_pads() {
        let ev = events(
            "# hi\n1\n-2\n\nidle 3\ncfg 0x2 -5 # slope 0\n7\n",
            2,
            int8(),
        )
        .unwrap();
        assert_eq!(ev[0], (Event::Beat { real: 2 }, vec![1, -2]));
        assert_eq!(ev[1].0, Event::Idle(3));
        assert_eq!(ev[2].0, Event::Cfg(CfgWrite { addr: 2, data: -5 }));
        assert_eq!(ev[3], (Event::Beat { real: 1 }, vec![7, 0]));
        assert_eq!(ev.len(), 4);
    }

    #[test]
    fn errors_name_the_line() {
        let e = |t: &str, lanes| events(t, lanes, int8()).unwrap_err().to_string();
        assert!(
            e("1\n2\nfoo\n", 1).contains("stim: line 3:"),
            "{}",
            e("1\n2\nfoo\n", 1)
        );
        assert!(e("1\n200\n", 1).contains("line 2:") && e("1\n200\n", 1).contains("does not fit"));
        assert!(e("cfg 1 1\n", 1).contains("line 1:") && e("cfg 1 1\n", 1).contains("no entry"));
        assert!(e("cfg 6 1\n", 1).contains("no entry"));
        assert!(e("cfg 2 300\n", 1).contains("does not fit"));
        assert!(e("1\nidle 2\n", 2).contains("line 2:"));
        assert!(e("idle x\n", 1).contains("line 1:"));
        assert!(e("1 2\n", 1).contains("unexpected"));
        assert!(e("cfg 2\n", 1).contains("needs an address"));
    }

    #[test]
    fn fp32_words() {
        let c = cfg(1, Arith::Fp32);
        assert_eq!(parse_word(&c, "1.5"), Ok(1.5f32.to_bits() as i64));
        assert_eq!(parse_word(&c, "0x7f800000"), Ok(0x7f80_0000));
        assert_eq!(parse_word(&c, "-0"), Ok((-0.0f32).to_bits() as i64));
        assert!(parse_word(&c, "x1").is_err());
    }

    #[test]
    fn generator_is_seeded_and_in_range() {
        let draw = |seed, dist| {
            let mut g = Generator::new(
                100,
                dist,
                Range::Codes {
                    min: -128,
                    max: 127,
                },
                seed,
            );
            let mut beat = vec![0; 3];
            let mut v = Vec::new();
            while let Some(Event::Beat { real }) = g.next_event(&mut beat).unwrap() {
                v.extend_from_slice(&beat[..real]);
            }
            v
        };
        let a = draw(1, Distribution::Uniform);
        assert_eq!(a.len(), 100);
        assert_eq!(a, draw(1, Distribution::Uniform));
        assert_ne!(a, draw(2, Distribution::Uniform));
        let g = draw(1, Distribution::Gaussian { sigma: 0.125 });
        assert!(g.iter().all(|&x| (-128..=127).contains(&x)));
    }
}
