//! From a table to the unit that runs it in a chosen number format. A table found for INT8
//! becomes an INT16 or INT32 unit by keeping every real value: each field gains d = N − N_x
//! bits, all of them fractional, so every code is multiplied by 2^d. It becomes an FP32 unit
//! through core's `Fp32Params::from_int`, which is exact.

use crate::unit::{rom_params, Arch, Arith, UnitConfig};
use lutforge_core::table::Arith as TableArith;
use lutforge_core::{Datapath, Error, FixedFormat, IntParams, Params, Result, Table};
use std::fmt;
use std::str::FromStr;

/// The number format a unit is built in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NumFormat {
    /// Integer unit with an N-bit input (2..=32).
    Int(u32),
    Fp32,
}

impl NumFormat {
    /// The formats `lutforge cost --format all` compares.
    pub const STANDARD: [NumFormat; 4] = [
        NumFormat::Int(8),
        NumFormat::Int(16),
        NumFormat::Int(32),
        NumFormat::Fp32,
    ];
}

impl fmt::Display for NumFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumFormat::Int(n) => write!(f, "int{n}"),
            NumFormat::Fp32 => f.write_str("fp32"),
        }
    }
}

impl FromStr for NumFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let l = s.to_ascii_lowercase();
        if l == "fp32" {
            return Ok(NumFormat::Fp32);
        }
        if let Some(n) = l.strip_prefix("int") {
            if let Ok(n) = n.parse::<u32>() {
                if (2..=lutforge_core::format::MAX_BITS).contains(&n) {
                    return Ok(NumFormat::Int(n));
                }
            }
        }
        Err(format!(
            "unknown number format '{s}' (int2..int32, e.g. int8, int16, int32, or fp32)"
        ))
    }
}

/// The table's datapath at `frac` widened by `d` bits in every field, and its codes scaled.
pub fn widen(dp: &Datapath, p: &IntParams, d: u32) -> (Datapath, IntParams) {
    let wf = |f: FixedFormat| FixedFormat::new(f.bits + d, f.frac + d as i32);
    let dp2 = Datapath {
        input: wf(dp.input),
        slope: wf(dp.slope),
        intercept: wf(dp.intercept),
        output: wf(dp.output),
        rounding: dp.rounding,
    };
    let sh = |v: &[i64]| v.iter().map(|&c| c << d).collect();
    (
        dp2,
        IntParams {
            breakpoints: sh(&p.breakpoints),
            slopes: sh(&p.slopes),
            intercepts: sh(&p.intercepts),
        },
    )
}

/// The shape of a unit built from a table: everything but the table's contents and scale.
/// Every command that builds a unit (sim, cost, gen, verify, synth) takes it whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitShape {
    /// The number format (`None`: the table's own).
    pub format: Option<NumFormat>,
    /// Samples per handshake, sharing one table.
    pub lanes: usize,
    /// Pipeline stages, 1..=4 (= latency in cycles).
    pub stages: u32,
    /// The table in registers behind the cfg write port; otherwise constants.
    pub programmable: bool,
    /// The PWL datapath of the table, or the direct table of its function.
    pub arch: Arch,
}

impl Default for UnitShape {
    /// One lane, four stages, programmable, in the table's own format: the unit the cost
    /// model's paper comparison and `lutforge gen` build unless told otherwise.
    fn default() -> Self {
        UnitShape {
            format: None,
            lanes: 1,
            stages: 4,
            programmable: true,
            arch: Arch::Pwl,
        }
    }
}

impl UnitShape {
    pub fn check(&self) -> Result<()> {
        crate::unit::check_shape(self.lanes, self.stages)
    }
}

/// The unit configuration and table contents for one scale of `table` in `shape`.
pub fn unit_for(table: &Table, frac: i32, shape: &UnitShape) -> Result<(UnitConfig, Params)> {
    let UnitShape {
        format,
        lanes,
        stages,
        programmable,
        arch,
    } = *shape;
    let scale = table.require_scale(frac)?;
    if arch == Arch::Rom {
        return rom_for(table, frac, shape);
    }
    let base = |arith| UnitConfig {
        arch,
        arith,
        segments: table.segments,
        lanes,
        stages,
        programmable,
    };
    let (cfg, params) = match (&scale.params, format) {
        (Params::Int(p), None) => (
            base(Arith::Int(table.datapath(frac))),
            Params::Int(p.clone()),
        ),
        (Params::Int(p), Some(NumFormat::Int(n))) => {
            let dp = table.datapath(frac);
            let have = dp.input.bits;
            if n < have {
                return Err(Error::input(format!(
                    "format int{n} is narrower than the table's {have}-bit input; \
                     tables are widened, never narrowed"
                )));
            }
            let (dp2, p2) = widen(&dp, p, n - have);
            dp2.check()
                .map_err(|m| Error::input(format!("the table cannot be widened to int{n}: {m}")))?;
            (base(Arith::Int(dp2)), Params::Int(p2))
        }
        (Params::Int(p), Some(NumFormat::Fp32)) => {
            let f = &table.formats;
            (
                base(Arith::Fp32),
                Params::Fp32(lutforge_core::Fp32Params::from_int(
                    p,
                    frac,
                    f.slope.frac,
                    f.intercept.frac,
                )),
            )
        }
        (Params::Fp32(p), None | Some(NumFormat::Fp32)) => {
            (base(Arith::Fp32), Params::Fp32(p.clone()))
        }
        (Params::Fp32(_), Some(n)) => {
            return Err(Error::input(format!(
                "the table is FP32 ({}); it cannot run as {n}",
                match table.arith {
                    TableArith::Fp32 => "arith fp32",
                    TableArith::Int => "converted",
                }
            )))
        }
    };
    cfg.check()?;
    Ok((cfg, params))
}

/// The direct table of `table`'s function at input scale `frac`: one word per code of the
/// table's input, correctly rounded to its output format (`lutforge_core::rom::words`).
fn rom_for(table: &Table, frac: i32, shape: &UnitShape) -> Result<(UnitConfig, Params)> {
    table.require_scale(frac)?;
    if table.arith == TableArith::Fp32 {
        return Err(Error::input(
            "a direct table is an integer unit; this table is FP32 (use --arch pwl)",
        ));
    }
    let input = FixedFormat::new(table.formats.input_bits, frac);
    if let Some(f) = shape.format {
        if f != NumFormat::Int(input.bits) {
            return Err(Error::input(format!(
                "a direct table is built in the table's own formats (int{}); drop --format {f}",
                input.bits
            )));
        }
    }
    let cfg = UnitConfig::rom(
        input,
        table.formats.output,
        shape.lanes,
        shape.stages,
        shape.programmable,
    );
    cfg.check()?;
    let words =
        lutforge_core::rom::words(&table.function, table.domain, input, table.formats.output)?;
    Ok((cfg, rom_params(input, &words)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lutforge_core::{golden, Rounding};

    #[test]
    fn names() {
        assert_eq!("int8".parse(), Ok(NumFormat::Int(8)));
        assert_eq!("INT32".parse(), Ok(NumFormat::Int(32)));
        assert_eq!("fp32".parse(), Ok(NumFormat::Fp32));
        assert!("int33".parse::<NumFormat>().is_err());
        assert!("int1".parse::<NumFormat>().is_err());
        assert!("fp16".parse::<NumFormat>().is_err());
        for f in NumFormat::STANDARD {
            assert_eq!(f.to_string().parse(), Ok(f));
        }
    }

    #[test]
    fn widening_keeps_real_values() {
        let dp = Datapath {
            input: FixedFormat::new(8, 3),
            slope: FixedFormat::new(8, 6),
            intercept: FixedFormat::new(8, 6),
            output: FixedFormat::new(8, 4),
            rounding: Rounding::HalfUp,
        };
        let p = IntParams {
            breakpoints: vec![-20, 5],
            slopes: vec![-70, 13, 127],
            intercepts: vec![3, -128, 64],
        };
        for d in [8, 24] {
            let (dp2, p2) = widen(&dp, &p, d);
            dp2.check().unwrap();
            for x in -128..=127i64 {
                let y = golden::eval(&dp, &p, x).y;
                let y2 = golden::eval(&dp2, &p2, x << d).y;
                // Same real input; the wide output has d more fractional bits and no coarser
                // rounding, so it rounds back to within one narrow LSB.
                let back = dp.output.value(y);
                let wide = dp2.output.value(y2);
                assert!((back - wide).abs() <= dp.output.value(1), "x={x} d={d}");
            }
        }
    }
}
