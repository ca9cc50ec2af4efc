//! The per-cycle trace (`lutforge-trace/1`, docs/sim.md): one line per cycle with every port
//! of the unit, buses in exact-width hex, so a Verilator harness can replay the inputs and
//! compare the outputs line by line.

use crate::run::{CycleView, Observer};
use crate::unit::{Arith, UnitConfig};
use lutforge_core::{Error, Result};
use std::fmt::Write as _;
use std::io::Write;

pub const TRACE_VERSION: &str = "lutforge-trace/1";

/// Column names, in order.
pub const COLUMNS: [&str; 11] = [
    "cycle",
    "in_valid",
    "in_ready",
    "in_data",
    "out_valid",
    "out_ready",
    "out_data",
    "cfg_we",
    "cfg_addr",
    "cfg_data",
    "",
];

/// Appends the packed bus of `words` (lane 0 in the least significant bits, each lane masked
/// to `width` ≤ 64 bits, two's complement) as exactly ceil(P·width / 4) lowercase hex digits.
pub fn push_hex_bus(out: &mut String, words: &[i64], width: u32) {
    let total = words.len() as u64 * width as u64;
    let digits = total.div_ceil(4).max(1);
    let lane_mask = if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    for d in (0..digits).rev() {
        let mut nib = 0u8;
        for b in 0..4u64 {
            let bit = d * 4 + b;
            if bit >= total {
                break;
            }
            let lane = (bit / width as u64) as usize;
            let off = bit % width as u64;
            let v = words[lane] as u64 & lane_mask;
            nib |= (((v >> off) & 1) as u8) << b;
        }
        out.push(char::from_digit(nib as u32, 16).unwrap_or('0'));
    }
}

/// Parses a packed hex bus back into `lanes` words of `width` bits, sign-extended when
/// `signed` (integer units) and zero-extended otherwise (FP32 bit patterns).
pub fn parse_hex_bus(
    s: &str,
    lanes: usize,
    width: u32,
    signed: bool,
) -> std::result::Result<Vec<i64>, String> {
    let total = lanes as u64 * width as u64;
    if s.len() as u64 != total.div_ceil(4).max(1) {
        return Err(format!(
            "'{s}': {} hex digits for a {total}-bit bus",
            s.len()
        ));
    }
    let mut words = vec![0u64; lanes];
    for (i, c) in s.chars().rev().enumerate() {
        let nib = c.to_digit(16).ok_or_else(|| format!("'{s}' is not hex"))? as u64;
        for b in 0..4u64 {
            let bit = i as u64 * 4 + b;
            if (nib >> b) & 1 == 1 {
                if bit >= total {
                    return Err(format!("'{s}' has bits above the {total}-bit bus"));
                }
                words[(bit / width as u64) as usize] |= 1 << (bit % width as u64);
            }
        }
    }
    Ok(words
        .into_iter()
        .map(|w| {
            if signed && width < 64 && (w >> (width - 1)) & 1 == 1 {
                (w | !((1u64 << width) - 1)) as i64
            } else {
                w as i64
            }
        })
        .collect())
}

/// The header line describing the unit: `key=value` pairs.
pub fn describe(cfg: &UnitConfig) -> String {
    let w = cfg.widths();
    let arith = match cfg.arith {
        Arith::Int(_) => format!("int{}", w.x),
        Arith::Fp32 => "fp32".into(),
    };
    // The PWL unit's line predates the direct table and stays as it was.
    let arch = match cfg.arch {
        crate::unit::Arch::Pwl => "",
        crate::unit::Arch::Rom => " arch=rom",
    };
    format!(
        "module=lutforge_unit{arch} arith={arith} lanes={} stages={} segments={} programmable={} \
         x_bits={} y_bits={} cfg_addr_bits={} cfg_data_bits={}",
        cfg.lanes,
        cfg.stages,
        cfg.segments,
        u8::from(cfg.programmable),
        w.x,
        w.y,
        w.cfg_addr,
        w.cfg_data
    )
}

/// Writes the trace to any `Write`; the CLI gives it a staged file.
pub struct TraceWriter<W: Write> {
    out: W,
    line: String,
    header_done: bool,
}

impl<W: Write> TraceWriter<W> {
    pub fn new(out: W) -> Self {
        TraceWriter {
            out,
            line: String::new(),
            header_done: false,
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn io(e: std::io::Error) -> Error {
        Error::input(format!("trace: cannot write: {e}"))
    }
}

impl<W: Write> Observer for TraceWriter<W> {
    fn cycle(&mut self, v: &CycleView<'_>) -> Result<()> {
        let cfg = v.unit.config();
        let w = v.unit.widths();
        let l = &mut self.line;
        l.clear();
        if !self.header_done {
            let _ = writeln!(l, "# {TRACE_VERSION}");
            let _ = writeln!(l, "# {}", describe(cfg));
            let _ = writeln!(l, "# {}", COLUMNS[..10].join(" "));
            self.header_done = true;
        }
        let b = |x: bool| if x { '1' } else { '0' };
        let _ = write!(l, "{} {} {} ", v.cycle, b(v.in_valid), b(v.in_ready));
        push_hex_bus(l, v.in_data, w.x);
        let _ = write!(l, " {} {} ", b(v.unit.out_valid()), b(v.out_ready));
        push_hex_bus(l, v.unit.out_data(), w.y);
        if cfg.programmable {
            let (we, addr, data) = match v.cfg {
                Some(c) => (true, c.addr as i64, c.data),
                None => (false, 0, 0),
            };
            let _ = write!(l, " {} ", b(we));
            push_hex_bus(l, &[addr], w.cfg_addr);
            l.push(' ');
            push_hex_bus(l, &[data], w.cfg_data);
        } else {
            // A fixed-table unit has no write port: its cfg columns are `0 0 0`.
            l.push_str(" 0 0 0");
        }
        l.push('\n');
        self.out.write_all(l.as_bytes()).map_err(Self::io)
    }

    fn finish(&mut self) -> Result<()> {
        self.out.flush().map_err(Self::io)
    }
}

/// One parsed trace line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceLine {
    pub cycle: u64,
    pub in_valid: bool,
    pub in_ready: bool,
    pub in_data: Vec<i64>,
    pub out_valid: bool,
    pub out_ready: bool,
    pub out_data: Vec<i64>,
    pub cfg_we: bool,
    pub cfg_addr: u64,
    pub cfg_data: i64,
}

/// Parses a data line of a trace written for `cfg` (comment lines start with `#`).
pub fn parse_line(cfg: &UnitConfig, line: &str) -> std::result::Result<TraceLine, String> {
    let w = cfg.widths();
    let signed = matches!(cfg.arith, Arith::Int(_));
    let t: Vec<&str> = line.split_whitespace().collect();
    if t.len() != 10 {
        return Err(format!("{} fields; 10 expected", t.len()));
    }
    let bit = |s: &str| match s {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(format!("'{s}' is not 0 or 1")),
    };
    Ok(TraceLine {
        cycle: t[0]
            .parse()
            .map_err(|_| format!("'{}' is not a cycle", t[0]))?,
        in_valid: bit(t[1])?,
        in_ready: bit(t[2])?,
        in_data: parse_hex_bus(t[3], cfg.lanes, w.x, signed)?,
        out_valid: bit(t[4])?,
        out_ready: bit(t[5])?,
        out_data: parse_hex_bus(t[6], cfg.lanes, w.y, signed)?,
        cfg_we: bit(t[7])?,
        cfg_addr: cfg_field(cfg, t[8], w.cfg_addr, false)? as u64,
        cfg_data: cfg_field(cfg, t[9], w.cfg_data, signed)?,
    })
}

/// A cfg column: a hex bus of its width, or `0` in a fixed-table unit's trace (no write port).
fn cfg_field(
    cfg: &UnitConfig,
    s: &str,
    width: u32,
    signed: bool,
) -> std::result::Result<i64, String> {
    if cfg.programmable {
        Ok(parse_hex_bus(s, 1, width, signed)?[0])
    } else if s == "0" {
        Ok(0)
    } else {
        Err(format!("'{s}': a fixed-table unit's cfg columns are 0"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_bus_round_trips() {
        let mut s = String::new();
        push_hex_bus(&mut s, &[-1, 5, -128], 8);
        assert_eq!(s, "8005ff");
        assert_eq!(parse_hex_bus(&s, 3, 8, true).unwrap(), vec![-1, 5, -128]);
        s.clear();
        push_hex_bus(&mut s, &[-3, 1], 5);
        // 10 bits: lane1 = 00001, lane0 = 11101 → 00 0011 1101.
        assert_eq!(s, "03d");
        assert_eq!(parse_hex_bus(&s, 2, 5, true).unwrap(), vec![-3, 1]);
        s.clear();
        push_hex_bus(&mut s, &[0xbf80_0000], 32);
        assert_eq!(s, "bf800000");
        assert_eq!(parse_hex_bus(&s, 1, 32, false).unwrap(), vec![0xbf80_0000]);
        assert!(parse_hex_bus("fff", 2, 5, true).is_err());
        assert!(parse_hex_bus("03g", 2, 5, true).is_err());
    }
}
