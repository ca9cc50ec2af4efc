//! The self-checking Verilog testbench and its vector files, made from a simulator trace, and
//! its run under Icarus Verilog — a second simulator, independent of Verilator.

use crate::render::Interface;
use crate::tools::Tool;
use askama::Template;
use lutforge_core::{Error, Result};
use lutforge_sim::unit::UnitConfig;
use std::io::{BufRead, BufReader};
use std::path::Path;

#[derive(Template)]
#[template(path = "testbench.v", escape = "none")]
struct Tb<'a> {
    module: &'a str,
    tb: &'a str,
    rst: &'a str,
    rst_on: u8,
    version: &'a str,
    cycles: usize,
    iw: u32,
    ow: u32,
    in_bits: u32,
    out_bits: u32,
    aw: u32,
    cw: u32,
    programmable: bool,
    stim_fields: &'a str,
}

/// Bits of a hex field, most significant first, cut to `width`.
pub(crate) fn hex_bits(s: &str, width: u32, out: &mut Vec<bool>) -> Result<()> {
    let mut bits = Vec::with_capacity(s.len() * 4);
    for c in s.chars() {
        let d = c
            .to_digit(16)
            .ok_or_else(|| Error::input(format!("'{s}' is not hex")))?;
        for b in (0..4).rev() {
            bits.push((d >> b) & 1 == 1);
        }
    }
    let have = bits.len() as u32;
    if have < width {
        out.extend(std::iter::repeat_n(false, (width - have) as usize));
        out.extend(bits);
    } else {
        out.extend(&bits[(have - width) as usize..]);
    }
    Ok(())
}

/// Hex digits of a bit vector (most significant first), exactly ceil(len / 4) of them.
fn bits_hex(bits: &[bool]) -> String {
    let pad = (4 - bits.len() % 4) % 4;
    let padded: Vec<bool> = std::iter::repeat_n(false, pad)
        .chain(bits.iter().copied())
        .collect();
    padded
        .chunks(4)
        .map(|c| {
            let v = c.iter().fold(0u32, |a, &b| (a << 1) | u32::from(b));
            char::from_digit(v, 16).unwrap_or('0')
        })
        .collect()
}

/// The testbench and its `stimulus.hex` / `expected.hex` for a trace written by the simulator.
pub struct Vectors {
    pub testbench: String,
    pub stimulus: String,
    pub expected: String,
    pub cycles: usize,
}

/// The testbench module's name for a unit named `module`: the top scope of its waveform, as
/// of the simulator's and the Verilator harness's (the unit's instance is named `module`).
pub fn tb_name(module: &str) -> String {
    format!("{module}_tb")
}

/// The generated testbenches' clock (`always #5 clk = ~clk` at `timescale 1ns`).
pub const CLOCK_MHZ: f64 = 100.0;

pub fn from_trace(cfg: &UnitConfig, trace: &Path, iface: &Interface) -> Result<Vectors> {
    let w = cfg.widths();
    let lanes = cfg.lanes as u32;
    let (in_bits, out_bits) = (lanes * w.x, lanes * w.y);
    let f = std::fs::File::open(trace).map_err(|e| Error::io(trace, e))?;
    let mut stimulus = String::new();
    let mut expected = String::new();
    let mut cycles = 0;
    let mut bits = Vec::new();
    for line in BufReader::new(f).lines() {
        let line = line.map_err(|e| Error::io(trace, e))?;
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let t: Vec<&str> = line.split_whitespace().collect();
        if t.len() != 10 {
            return Err(Error::io(trace, format!("malformed trace line '{line}'")));
        }
        bits.clear();
        hex_bits(t[1], 1, &mut bits)?;
        hex_bits(t[3], in_bits, &mut bits)?;
        hex_bits(t[5], 1, &mut bits)?;
        if cfg.programmable {
            hex_bits(t[7], 1, &mut bits)?;
            hex_bits(t[8], w.cfg_addr, &mut bits)?;
            hex_bits(t[9], w.cfg_data, &mut bits)?;
        }
        stimulus.push_str(&bits_hex(&bits));
        stimulus.push('\n');
        bits.clear();
        hex_bits(t[2], 1, &mut bits)?;
        hex_bits(t[4], 1, &mut bits)?;
        hex_bits(t[6], out_bits, &mut bits)?;
        expected.push_str(&bits_hex(&bits));
        expected.push('\n');
        cycles += 1;
    }
    let stim_fields = if cfg.programmable {
        "{in_valid, in_data, out_ready, cfg_we, cfg_addr, cfg_data}"
    } else {
        "{in_valid, in_data, out_ready}"
    };
    let iw = 2
        + in_bits
        + if cfg.programmable {
            1 + w.cfg_addr + w.cfg_data
        } else {
            0
        };
    let tb = tb_name(&iface.module);
    let testbench = Tb {
        module: &iface.module,
        tb: &tb,
        rst: iface.reset.port(),
        rst_on: iface.reset.asserted(),
        version: lutforge_core::VERSION,
        cycles,
        iw,
        ow: 2 + out_bits,
        in_bits,
        out_bits,
        aw: w.cfg_addr,
        cw: w.cfg_data,
        programmable: cfg.programmable,
        stim_fields,
    }
    .render()
    .map(|t| t + "\n")
    .map_err(|e| Error::internal(format!("template: {e}")))?;
    Ok(Vectors {
        testbench,
        stimulus,
        expected,
        cycles,
    })
}

/// How a testbench run ended: its last PASS or FAIL line, and whether the simulator exited
/// with success (the testbench ends with `$fatal` on any mismatch).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub passed: bool,
    /// Whether the simulator itself exited with success (what a CI job sees).
    pub exit_ok: bool,
    pub line: String,
    pub first_mismatch: Option<String>,
}

/// Compiles and runs `MODULE_tb.v` with `MODULE.v` (and any `extra` sources) in `dir` under
/// Icarus; the verdict, or an error when it could not run.
pub fn icarus_verdict(dir: &Path, module: &str, extra: &[&str]) -> Result<Verdict> {
    Tool::Iverilog.require()?;
    let tb = tb_name(module);
    let vvp = format!("{tb}.vvp");
    let mut args: Vec<String> = vec![
        "-g2005".into(),
        "-o".into(),
        vvp.clone(),
        format!("{tb}.v"),
        format!("{module}.v"),
    ];
    args.extend(extra.iter().map(|e| e.to_string()));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    Tool::Iverilog.run(dir, &argv)?;
    let out = lutforge_core::io::cleanup::output_of(
        std::process::Command::new(Tool::Vvp.program())
            .args(["-n", &vvp])
            .current_dir(dir),
    )
    .map_err(|e| Error::input(format!("vvp: {e}")))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .rfind(|l| l.starts_with("PASS") || l.starts_with("FAIL"))
        .unwrap_or("no verdict")
        .to_string();
    Ok(Verdict {
        passed: out.status.success() && line.starts_with("PASS"),
        exit_ok: out.status.success(),
        first_mismatch: text
            .lines()
            .find(|l| l.starts_with("MISMATCH"))
            .map(str::to_string),
        line,
    })
}

/// [`icarus_verdict`] that fails unless the testbench passes: its PASS line.
pub fn run_icarus(dir: &Path, module: &str) -> Result<String> {
    let v = icarus_verdict(dir, module, &[])?;
    if v.passed {
        Ok(v.line)
    } else {
        Err(Error::input(format!(
            "icarus: {}; {}",
            v.line,
            v.first_mismatch.unwrap_or_default()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_conversions() {
        let mut b = Vec::new();
        hex_bits("1f", 5, &mut b).unwrap();
        assert_eq!(b, vec![true, true, true, true, true]);
        b.clear();
        hex_bits("3", 4, &mut b).unwrap();
        assert_eq!(bits_hex(&b), "3");
        b.clear();
        hex_bits("1", 1, &mut b).unwrap();
        hex_bits("ff", 8, &mut b).unwrap();
        assert_eq!(bits_hex(&b), "1ff");
        assert!(hex_bits("zz", 8, &mut b).is_err());
    }
}
