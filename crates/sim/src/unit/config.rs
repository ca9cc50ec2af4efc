//! What a unit is before it runs: its number system, shape, bus widths and cfg address map.

use lutforge_core::golden::Datapath;
use lutforge_core::{Error, FixedFormat, Result};

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

/// What computes the output: the piece-wise-linear datapath, or a direct table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    /// Comparators, slope and intercept multiplexers, multiplier, adder and rounding.
    #[default]
    Pwl,
    /// One output word per input code, addressed by the input (its sign bit flipped, so the
    /// lowest code is word 0). The simulator runs it as the PWL datapath of one segment per
    /// code with zero slopes and the words as intercepts, in formats where the sum is the
    /// intercept itself ([`UnitConfig::rom`]), which is exactly a table read.
    Rom,
}

impl Arch {
    pub fn name(self) -> &'static str {
        match self {
            Arch::Pwl => "pwl",
            Arch::Rom => "rom",
        }
    }
}

/// The static configuration of a unit: what the RTL generator's parameters fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitConfig {
    pub arith: Arith,
    pub arch: Arch,
    /// K, the number of segments (for a direct table: its words, 2^N_x).
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

/// The four pipeline register stages of the full unit: after the input (s1), after the compare
/// (s2), after lookup and multiply (s3), after add and round (s4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reg {
    S1 = 1,
    S2 = 2,
    S3 = 3,
    S4 = 4,
}

/// Whether a unit of `stages` stages has register stage `r`: stages are removed from the
/// input side, so S stages keep the last S of s1..s4 (s4 always). The one statement of that
/// rule; the simulator, the renderer and the cost model ask it.
pub const fn has_reg(stages: u32, r: Reg) -> bool {
    r as u32 + stages > 4
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
    /// Whether this unit has register stage `r` (see [`has_reg`]).
    pub fn has(&self, r: Reg) -> bool {
        has_reg(self.stages, r)
    }

    /// The direct table's datapath as a PWL carrier of its words: the product at the output's
    /// scale and the intercept in the output format, so the align and output shifts are 0 and
    /// the rounding never acts.
    pub fn rom_datapath(input: FixedFormat, output: FixedFormat) -> Datapath {
        Datapath {
            input,
            slope: FixedFormat::new(2, output.frac - input.frac),
            intercept: output,
            output,
            rounding: lutforge_core::Rounding::HalfUp,
        }
    }

    /// The direct table of `input` codes to `output` codes; its table is [`rom_params`].
    pub fn rom(
        input: FixedFormat,
        output: FixedFormat,
        lanes: usize,
        stages: u32,
        programmable: bool,
    ) -> UnitConfig {
        UnitConfig {
            arith: Arith::Int(UnitConfig::rom_datapath(input, output)),
            arch: Arch::Rom,
            segments: 1usize << input.bits.min(lutforge_core::rom::MAX_INPUT_BITS),
            lanes,
            stages,
            programmable,
        }
    }

    /// The cfg fields this unit's write port reaches.
    pub fn fields(&self) -> &'static [Field] {
        match self.arch {
            Arch::Pwl => &[Field::Breakpoint, Field::Slope, Field::Intercept],
            Arch::Rom => &[Field::Intercept],
        }
    }

    /// Why this unit cannot be built, if it cannot.
    pub fn check(&self) -> Result<()> {
        check_shape(self.lanes, self.stages)?;
        if self.arch == Arch::Rom {
            return self.check_rom();
        }
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

    fn check_rom(&self) -> Result<()> {
        let Arith::Int(dp) = &self.arith else {
            return Err(Error::input(
                "a direct table is an integer unit: one integer word per input code",
            ));
        };
        let max = lutforge_core::rom::MAX_INPUT_BITS;
        if dp.input.bits > max {
            return Err(Error::input(format!(
                "a direct table of {}-bit inputs holds 2^{} words; at most {max} bits (65 536 words): use the PWL unit (--arch pwl)",
                dp.input.bits, dp.input.bits
            )));
        }
        let want = UnitConfig::rom(
            dp.input,
            dp.output,
            self.lanes,
            self.stages,
            self.programmable,
        );
        if *self != want {
            return Err(Error::internal(format!(
                "direct-table configuration {self:?} is not the one UnitConfig::rom builds"
            )));
        }
        dp.check().map_err(Error::input)
    }

    /// The unit with every binary point moved to where only its widths and shifts remain
    /// (input and output at scale 0): two tables whose configurations have equal hardware
    /// load into one programmable unit, since the RTL holds the widths and the two constant
    /// shifts and nothing else of the formats.
    pub fn hardware(&self) -> UnitConfig {
        let arith = match self.arith {
            Arith::Int(dp) => {
                let (a, r) = (dp.align_shift(), dp.out_shift());
                Arith::Int(Datapath {
                    input: FixedFormat::new(dp.input.bits, 0),
                    slope: FixedFormat::new(dp.slope.bits, r),
                    intercept: FixedFormat::new(dp.intercept.bits, r - a),
                    output: FixedFormat::new(dp.output.bits, 0),
                    rounding: dp.rounding,
                })
            }
            Arith::Fp32 => Arith::Fp32,
        };
        match (self.arch, arith) {
            (Arch::Rom, Arith::Int(dp)) => UnitConfig::rom(
                dp.input,
                dp.output,
                self.lanes,
                self.stages,
                self.programmable,
            ),
            _ => UnitConfig { arith, ..*self },
        }
    }

    /// The hardware in one phrase, for messages that compare two units.
    pub fn hardware_summary(&self) -> String {
        let shape = format!(
            "{} {}, {} lane(s), {} stage(s), {}",
            self.segments,
            match self.arch {
                Arch::Pwl => "segments",
                Arch::Rom => "words",
            },
            self.lanes,
            self.stages,
            if self.programmable {
                "programmable"
            } else {
                "fixed"
            }
        );
        match &self.arith {
            Arith::Int(dp) if self.arch == Arch::Rom => format!(
                "direct table, input {} bits, output {}, {shape}",
                dp.input.bits, dp.output.bits
            ),
            Arith::Int(dp) => format!(
                "input {} bits, slope {}, intercept {}, output {}, align shift {}, output shift {}, {}, {shape}",
                dp.input.bits,
                dp.slope.bits,
                dp.intercept.bits,
                dp.output.bits,
                dp.align_shift(),
                dp.out_shift(),
                dp.rounding
            ),
            Arith::Fp32 => format!("fp32, {shape}"),
        }
    }

    pub fn widths(&self) -> Widths {
        let k = self.segments.max(1);
        let cfg_index = ceil_log2(k);
        let seg = ceil_log2(k).max(1);
        match &self.arith {
            // The write port addresses one word per input code: N_x address bits, N_y data.
            Arith::Int(dp) if self.arch == Arch::Rom => Widths {
                x: dp.input.bits,
                seg: dp.input.bits,
                k: dp.slope.bits,
                b: dp.intercept.bits,
                prod: dp.product_bits(),
                sum: dp.sum_bits(),
                y: dp.output.bits,
                cfg_index: dp.input.bits,
                cfg_addr: dp.input.bits,
                cfg_data: dp.output.bits,
            },
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
        if self.arch == Arch::Rom {
            return (addr < k as u64).then_some((Field::Intercept, addr as usize));
        }
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
                lutforge_core::table::code_fits(c.data, dp.format_of(field)).map_err(|m| {
                    let what = match self.arch {
                        Arch::Pwl => field.name(),
                        Arch::Rom => "word",
                    };
                    format!("table write of {} to {what} {index}: {m}", c.data)
                })?;
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
        if self.arch == Arch::Rom {
            return format!("words 0x0..={:#x}", k - 1);
        }
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
        if self.arch == Arch::Rom {
            return index as u64;
        }
        let f = match field {
            Field::Breakpoint => 0u64,
            Field::Slope => 1,
            Field::Intercept => 2,
        };
        (f << self.widths().cfg_index) | index as u64
    }
}

/// The table of a direct-table unit ([`UnitConfig::rom`]) holding `words` (one per code of
/// `input`, lowest first): one segment per code, each starting at its code, slope 0 and the
/// word as intercept. The breakpoints are the address decoder, not table contents: the write
/// port reaches the words only.
pub fn rom_params(input: FixedFormat, words: &[i64]) -> lutforge_core::Params {
    lutforge_core::Params::Int(lutforge_core::IntParams {
        breakpoints: (input.min_code() + 1..=input.max_code()).collect(),
        slopes: vec![0; words.len()],
        intercepts: words.to_vec(),
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_removed_from_the_input_side() {
        let have = |s| [Reg::S1, Reg::S2, Reg::S3, Reg::S4].map(|r| has_reg(s, r));
        assert_eq!(have(4), [true, true, true, true]);
        assert_eq!(have(3), [false, true, true, true]);
        assert_eq!(have(2), [false, false, true, true]);
        assert_eq!(have(1), [false, false, false, true]);
    }

    fn int_unit(x: i32, k: i32, b: i32, y: i32) -> UnitConfig {
        UnitConfig {
            arith: Arith::Int(Datapath {
                input: FixedFormat::new(8, x),
                slope: FixedFormat::new(10, k),
                intercept: FixedFormat::new(12, b),
                output: FixedFormat::new(9, y),
                rounding: lutforge_core::Rounding::HalfUp,
            }),
            arch: Arch::Pwl,
            segments: 8,
            lanes: 1,
            stages: 4,
            programmable: true,
        }
    }

    #[test]
    fn hardware_keeps_widths_and_shifts_only() {
        // gelu-like (x at 2^-5, y at 2^-6) and exp-like (x at 2^-4, y at 2^-7) formats with
        // align shift 5 and output shift 6 are one unit; another output shift is not.
        let a = int_unit(5, 7, 7, 6);
        let b = int_unit(4, 9, 8, 7);
        assert_ne!(a, b);
        assert_eq!(a.hardware(), b.hardware());
        assert_eq!(a.hardware().hardware(), a.hardware());
        assert_ne!(a.hardware(), int_unit(5, 7, 7, 5).hardware());
        assert_ne!(a.hardware(), int_unit(5, 7, 6, 6).hardware());
        let Arith::Int(h) = a.hardware().arith else {
            unreachable!()
        };
        let Arith::Int(d) = a.arith else {
            unreachable!()
        };
        assert_eq!(
            (h.align_shift(), h.out_shift()),
            (d.align_shift(), d.out_shift())
        );
        assert!(a
            .hardware_summary()
            .contains("align shift 5, output shift 6"));
    }
}
