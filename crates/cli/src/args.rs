//! Parsers for option values shared by several commands.

use clap::Args;
use lutforge_core::table::FRAC_RANGE;
use lutforge_core::{Function, Table};
use lutforge_sim::convert::{NumFormat, UnitShape};
use lutforge_sim::cost::Tech;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use crate::error::{warn, CliResult};

/// The number format asked for: one, or (`lutforge cost` only) all the standard ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatChoice {
    One(NumFormat),
    All,
}

pub fn parse_format(s: &str) -> Result<FormatChoice, String> {
    if s == "all" {
        return Ok(FormatChoice::All);
    }
    s.parse::<NumFormat>().map(FormatChoice::One)
}

/// The unit's shape, one flag group for every command that builds a unit (sim, cost, gen,
/// verify, synth). Units are programmable unless `--fixed`.
#[derive(Args, Clone, Debug)]
pub struct ShapeArgs {
    /// Number format of the unit: the table's own (default); int2..int32 (an integer table
    /// widened keeping its real values) or fp32; `cost` also takes all (INT8, INT16, INT32
    /// and FP32 side by side).
    #[arg(long, value_parser = parse_format)]
    pub format: Option<FormatChoice>,
    /// Lanes: samples per handshake sharing one table.
    #[arg(long, default_value_t = 1)]
    pub lanes: usize,
    /// Pipeline stages (= latency in cycles), 1 to 4 [default: 4 for the PWL unit (input,
    /// compare, multiply, add registered), 1 for the direct table (its word registered: a
    /// ROM or RAM read needs no more)].
    #[arg(long)]
    pub stages: Option<u32>,
    /// Fixed-table unit (the table in constants, no write port) instead of the programmable
    /// one (the table in registers behind cfg_we/cfg_addr/cfg_data).
    #[arg(long)]
    pub fixed: bool,
    /// Architecture: the PWL unit of the table, or the direct table of its function (one
    /// correctly rounded word per input code, in the table's input and output formats; at
    /// most 16 input bits).
    #[arg(long, value_enum, default_value = "pwl")]
    pub arch: ArchArg,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ResetKind {
    /// Registers reset at the rising clock edge while reset is asserted.
    Sync,
    /// Registers reset as soon as reset is asserted.
    Async,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Active {
    /// Port `rst`, asserted high.
    High,
    /// Port `rst_n`, asserted low.
    Low,
}

/// The reset port of generated Verilog (`gen`, `gru gen`).
#[derive(Args, Clone, Copy)]
pub struct ResetArgs {
    /// Reset style.
    #[arg(long, value_enum, default_value = "sync")]
    reset: ResetKind,
    /// Reset polarity.
    #[arg(long, value_enum, default_value = "high")]
    reset_active: Active,
}

impl ResetArgs {
    pub fn reset(&self) -> lutforge_rtl::render::Reset {
        lutforge_rtl::render::Reset {
            asynchronous: matches!(self.reset, ResetKind::Async),
            active_low: matches!(self.reset_active, Active::Low),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ArchArg {
    /// Comparators, multiplexers, multiplier and adder: K segments.
    Pwl,
    /// One word per input code: 2^N words in a ROM (--fixed) or a RAM behind the write port.
    Rom,
}

impl From<ArchArg> for lutforge_sim::unit::Arch {
    fn from(a: ArchArg) -> Self {
        match a {
            ArchArg::Pwl => lutforge_sim::unit::Arch::Pwl,
            ArchArg::Rom => lutforge_sim::unit::Arch::Rom,
        }
    }
}

impl ShapeArgs {
    /// The stages asked for, or the architecture's default.
    pub fn stages(&self) -> u32 {
        self.stages.unwrap_or(match self.arch {
            ArchArg::Pwl => 4,
            ArchArg::Rom => 1,
        })
    }

    /// The shape, checked; `--format all` is refused (only `cost` compares formats).
    pub fn shape(&self) -> CliResult<UnitShape> {
        let format = match self.format {
            Some(FormatChoice::One(f)) => Some(f),
            None => None,
            Some(FormatChoice::All) => {
                return Err(crate::error::CliError::input(
                    "--format all: only 'lutforge cost' compares the formats; choose one",
                ))
            }
        };
        self.shape_in(format)
    }

    /// The shape in a given format.
    pub fn shape_in(&self, format: Option<NumFormat>) -> CliResult<UnitShape> {
        let s = UnitShape {
            format,
            lanes: self.lanes,
            stages: self.stages(),
            programmable: !self.fixed,
            arch: self.arch.into(),
        };
        s.check()?;
        Ok(s)
    }
}

/// The technology and clock the cost model prices a unit at.
#[derive(Args, Clone, Debug)]
pub struct TechArgs {
    /// Clock frequency for power (and waveform timing), MHz.
    #[arg(long, default_value_t = 500.0)]
    pub clock: f64,
    /// Technology node of the cost model: 28nm or 45nm.
    #[arg(long, default_value = "28nm", value_parser = parse_tech)]
    pub node: Tech,
}

impl TechArgs {
    pub fn check(&self) -> CliResult {
        check_clock(self.clock)
    }
}

pub fn parse_tech(s: &str) -> Result<Tech, String> {
    Tech::by_name(s).ok_or_else(|| format!("unknown node '{s}' (known: 28nm, 45nm)"))
}

/// A clock from 1 kHz to 500 GHz: beyond, the leakage per cycle or the cycle itself stops
/// meaning anything for a CMOS unit.
pub fn check_clock(mhz: f64) -> CliResult {
    if (0.001..=500_000.0).contains(&mhz) {
        Ok(())
    } else {
        Err(crate::error::CliError::input(format!(
            "--clock {mhz}: the clock must lie in 0.001 to 500000 MHz (1 kHz to 500 GHz)"
        )))
    }
}

/// `LO,HI` → (lo, hi); the function checks the interval itself.
pub fn parse_domain(s: &str) -> Result<(f64, f64), String> {
    let (lo, hi) = s
        .split_once(',')
        .ok_or_else(|| format!("'{s}': expected LO,HI, for example -4,4"))?;
    let num = |v: &str| {
        v.trim()
            .parse::<f64>()
            .map_err(|_| format!("'{v}' is not a number"))
    };
    Ok((num(lo)?, num(hi)?))
}

/// `A..B` (inclusive; `A..=B` too) or a single value; the caller checks the bounds.
pub fn parse_range<T: std::str::FromStr + Copy>(s: &str) -> Result<RangeInclusive<T>, String> {
    let num = |v: &str| {
        v.trim()
            .parse::<T>()
            .map_err(|_| format!("'{v}' is not a whole number"))
    };
    match s.split_once("..") {
        Some((a, b)) => Ok(num(a)?..=num(b.trim_start_matches('='))?),
        None => {
            let v = num(s)?;
            Ok(v..=v)
        }
    }
}

/// `A..B` (inclusive) or a single `D` → a range of input scales.
pub fn parse_scales(s: &str) -> Result<RangeInclusive<i32>, String> {
    let r = parse_range::<i32>(s)?;
    let (a, b) = (*r.start(), *r.end());
    if a > b {
        return Err(format!("'{s}': the first scale is above the last"));
    }
    if !FRAC_RANGE.contains(&a) || !FRAC_RANGE.contains(&b) {
        return Err(format!(
            "'{s}': scales must lie in {}..{}",
            FRAC_RANGE.start(),
            FRAC_RANGE.end()
        ));
    }
    Ok(a..=b)
}

/// A function as given on the command line: a built-in, or a CSV file (an input, which no
/// output of the command may replace).
#[derive(Clone)]
pub struct FunctionArg {
    pub function: Function,
    pub source: Option<PathBuf>,
}

pub fn parse_function(s: &str) -> Result<FunctionArg, String> {
    let function = Function::parse(s).map_err(|e| e.to_string())?;
    let source = matches!(function, Function::Sampled(_)).then(|| PathBuf::from(s));
    Ok(FunctionArg { function, source })
}

/// Loads and validates a table, printing its warnings.
pub fn load_table(path: &Path) -> CliResult<Table> {
    let (table, warnings) = Table::load(path)?;
    for w in warnings {
        warn(format_args!("{}: {w}", path.display()));
    }
    Ok(table)
}

/// The scale a command works on: the one asked for, or the table's only one.
pub fn pick_scale(table: &Table, asked: Option<i32>) -> CliResult<i32> {
    match asked {
        Some(s) => Ok(table.require_scale(s)?.frac),
        None if table.scales.len() == 1 => Ok(table.scales[0].frac),
        None => {
            let have: Vec<String> = table.scales.iter().map(|s| s.frac.to_string()).collect();
            Err(crate::error::CliError::input(format!(
                "the table has scales {}: choose one with --scale",
                have.join(", ")
            )))
        }
    }
}

/// Refuses an output whose extension names another format than the `want` the command
/// writes (`-o front.png` for an SVG): a file must be what its name says. A name without an
/// extension is taken as it is.
pub fn check_extension(p: &Path, want: &str) -> CliResult {
    match p.extension().and_then(|e| e.to_str()) {
        Some(e) if !e.eq_ignore_ascii_case(want) => Err(crate::error::CliError::input(format!(
            "{}: this output is {}; name it .{want}",
            p.display(),
            want.to_ascii_uppercase()
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        assert_eq!(parse_domain("-4,4.5"), Ok((-4.0, 4.5)));
        assert!(parse_domain("-4").is_err());
        assert!(parse_domain("a,b").is_err());
    }

    #[test]
    fn scales() {
        assert_eq!(parse_scales("0..6"), Ok(0..=6));
        assert_eq!(parse_scales("0..=6"), Ok(0..=6));
        assert_eq!(parse_scales("3"), Ok(3..=3));
        assert!(parse_scales("6..0").is_err());
        assert!(parse_scales("0..99").is_err());
        assert!(parse_scales("x").is_err());
    }
}
