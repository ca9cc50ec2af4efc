//! Synthesis with Yosys: cells by type, a CMOS transistor estimate (`stat -tech cmos`, with
//! flip-flops mapped to `$_DFF_*` cells so they are counted), NAND2 gate equivalents, and for
//! FPGA targets the LUT, flip-flop and DSP counts.

use crate::tools::Tool;
use lutforge_core::{Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Transistors of a CMOS NAND2, the unit of gate equivalents.
pub const NAND2_TRANSISTORS: f64 = 4.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Yosys' internal gate library: the figure comparable with an ASIC cost model.
    Generic,
    Ice40,
    Xilinx,
}

impl Target {
    pub fn parse(s: &str) -> Result<Target> {
        match s {
            "generic" => Ok(Target::Generic),
            "ice40" => Ok(Target::Ice40),
            "xilinx" => Ok(Target::Xilinx),
            _ => Err(Error::input(format!(
                "unknown synthesis target '{s}' (known: generic, ice40, xilinx)"
            ))),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct SynthReport {
    pub top: String,
    pub target: Target,
    pub cells: BTreeMap<String, u64>,
    pub num_cells: u64,
    /// `stat -tech cmos` estimate (generic target only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transistors: Option<u64>,
    /// transistors / 4 (generic target only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nand2_ge: Option<f64>,
    pub flip_flops: u64,
    /// FPGA look-up tables (ice40: SB_LUT4; xilinx: LUT1..LUT6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub luts: Option<u64>,
    /// Hard multiplier / DSP blocks (ice40: SB_MAC16; xilinx: DSP48E1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dsps: Option<u64>,
}

/// Synthesizes `files` (in `dir`) with top module `top`.
pub fn synth(dir: &Path, files: &[&str], top: &str, target: Target) -> Result<SynthReport> {
    let reads: String = files
        .iter()
        .map(|f| format!("read_verilog -sv {f}; "))
        .collect();
    let flow = match target {
        // `synth` maps to Yosys's simple gate cells (AND, OR, XOR, MUX, ...), all priced by
        // `stat -tech cmos`. Flip-flops with enables and synchronous resets become plain
        // $_DFF_P_ plus gates, so every cell has a CMOS cost and the transistor estimate covers
        // the whole design in seconds. (Re-mapping to NAND/NOR/NOT with `abc -g cmos2` ran for
        // more than ten minutes on the wide programmable units: docs/rtl.md.)
        Target::Generic => format!(
            "synth -flatten -top {top}; dfflegalize -cell $_DFF_P_ 01; opt_clean; stat -tech cmos"
        ),
        Target::Ice40 => format!("synth_ice40 -dsp -top {top}; stat"),
        Target::Xilinx => format!("synth_xilinx -flatten -top {top}; stat"),
    };
    let stat = match target {
        Target::Generic => "stat -json -tech cmos",
        _ => "stat -json",
    };
    let script = format!("{reads}{flow}; tee -q -o lutforge_stat.json {stat}");
    Tool::Yosys.run(dir, &["-q", "-p", &script])?;
    let text = std::fs::read_to_string(dir.join("lutforge_stat.json"))
        .map_err(|e| Error::input(format!("yosys wrote no statistics: {e}")))?;
    parse_stat(&text, top, target)
}

/// Reads Yosys' `stat -json` output.
pub fn parse_stat(text: &str, top: &str, target: Target) -> Result<SynthReport> {
    let v: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::input(format!("unreadable yosys statistics: {e}")))?;
    let design = &v["design"];
    let cells: BTreeMap<String, u64> = design["num_cells_by_type"]
        .as_object()
        .ok_or_else(|| Error::input("yosys statistics lack num_cells_by_type"))?
        .iter()
        .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0)))
        .collect();
    let count = |pred: &dyn Fn(&str) -> bool| -> u64 {
        cells.iter().filter(|(k, _)| pred(k)).map(|(_, n)| n).sum()
    };
    let transistors = match design.get("estimated_num_transistors") {
        Some(serde_json::Value::String(s)) => s.parse::<u64>().ok(),
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        _ => None,
    };
    let flip_flops = count(&|k| {
        k.starts_with("$_DFF")
            || k.starts_with("$_SDFF")
            || k.starts_with("$_DFFE")
            || k.starts_with("SB_DFF")
            || k.starts_with("FD")
    });
    let (luts, dsps) = match target {
        Target::Generic => (None, None),
        Target::Ice40 => (
            Some(count(&|k| k == "SB_LUT4")),
            Some(count(&|k| k == "SB_MAC16")),
        ),
        Target::Xilinx => (
            Some(count(&|k| k.starts_with("LUT"))),
            Some(count(&|k| k.starts_with("DSP48"))),
        ),
    };
    Ok(SynthReport {
        top: top.to_string(),
        target,
        num_cells: design["num_cells"].as_u64().unwrap_or(0),
        nand2_ge: transistors.map(|t| t as f64 / NAND2_TRANSISTORS),
        transistors: if target == Target::Generic {
            transistors
        } else {
            None
        },
        cells,
        flip_flops,
        luts,
        dsps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_generic_stat() {
        let text = r#"{"creator": "Yosys 0.23", "modules": {}, "design": {"num_cells": 5,
            "num_cells_by_type": {"$_DFF_P_": 2, "$_NAND_": 2, "$_NOT_": 1},
            "estimated_num_transistors": "42"}}"#;
        let r = parse_stat(text, "t", Target::Generic).unwrap();
        assert_eq!(r.transistors, Some(42));
        assert_eq!(r.nand2_ge, Some(10.5));
        assert_eq!(r.flip_flops, 2);
        assert_eq!(r.num_cells, 5);
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse_stat("{", "t", Target::Generic).is_err());
        assert!(parse_stat("{}", "t", Target::Generic).is_err());
        assert!(Target::parse("asic").is_err());
    }
}
