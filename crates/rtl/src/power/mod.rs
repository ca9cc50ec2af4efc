//! Gate-level power: the second method beside the cost model's activity model.
//!
//! The directory's Verilog is synthesized by Yosys to its generic gates (as `synth` does), the
//! netlist — not the RTL — is simulated by Icarus on the directory's own testbench (which must
//! still pass), and every net's toggles are counted from the waveform. Each toggle is priced
//! from one cited source, the NanGate FreePDK45 Open Cell Library (typical, 1.10 V, 25 °C;
//! `lutforge_sim::cost::library`, extracted by `scripts/liberty_power.py`, the table the cost
//! model's flip-flops are priced with too): the switched capacitance of the net (the input pins
//! it drives plus the library's default wire load for its fanout) at ½·C·V²,
//! the driving cell's internal energy per output toggle, the flip-flops' clock energy per cycle,
//! and every cell's leakage over the simulated time. Yosys's generic cells are mapped to the
//! library's X1 cells (`$_ANDNOT_`, `$_ORNOT_` as an inverter and a two-input gate). The
//! simulation has zero delay: glitches are not counted (docs/cost-model.md says what that
//! leaves out).

mod by_register;
mod compare;
mod replay;
mod vcd_toggles;

use crate::tools::Tool;
use lutforge_core::{Error, Result};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

pub use by_register::by_register;
pub use compare::{Comparison, Report};
pub use replay::cost_model_run;
pub use vcd_toggles::{toggles, Toggles};

use lutforge_sim::cost::library::{self, LibCell};

/// The library the estimate prices with: its name as cited, supply, cells, wire load.
pub struct Library {
    pub name: &'static str,
    pub vdd: f64,
    cells: &'static [LibCell],
}

pub const NANGATE45: Library = Library {
    name: "NanGate FreePDK45 Open Cell Library, typical (1.10 V, 25 °C)",
    vdd: library::VDD,
    cells: library::CELLS,
};

impl Library {
    fn cell(&self, name: &str) -> &LibCell {
        self.cells
            .iter()
            .find(|c| c.name == name)
            .expect("every mapped cell is in the library table")
    }

    /// The library cells a Yosys generic cell is built from.
    fn map(&self, yosys: &str) -> Option<Vec<&LibCell>> {
        let names: &[&str] = match yosys {
            "$_NOT_" => &["INV_X1"],
            "$_BUF_" => &["BUF_X1"],
            "$_AND_" => &["AND2_X1"],
            "$_NAND_" => &["NAND2_X1"],
            "$_OR_" => &["OR2_X1"],
            "$_NOR_" => &["NOR2_X1"],
            "$_XOR_" => &["XOR2_X1"],
            "$_XNOR_" => &["XNOR2_X1"],
            "$_ANDNOT_" => &["AND2_X1", "INV_X1"],
            "$_ORNOT_" => &["OR2_X1", "INV_X1"],
            "$_MUX_" => &["MUX2_X1"],
            "$_AOI3_" => &["AOI21_X1"],
            "$_OAI3_" => &["OAI21_X1"],
            "$_AOI4_" => &["AOI22_X1"],
            "$_OAI4_" => &["OAI22_X1"],
            "$_DFF_P_" => &["DFF_X1"],
            _ => return None,
        };
        Some(names.iter().map(|n| self.cell(n)).collect())
    }

    /// Wire capacitance of a net of `fanout` loads (the library's wire-load model).
    fn wire_cap_ff(&self, fanout: usize) -> f64 {
        library::wire_cap_ff(fanout as f64)
    }
}

/// A net bit of the netlist: Yosys's bit number.
type Bit = usize;

/// One cell of the synthesized netlist.
#[derive(Clone, Debug)]
pub struct NetCell {
    pub kind: String,
    pub inputs: Vec<(String, Bit)>,
    pub outputs: Vec<Bit>,
}

/// The synthesized netlist: its cells and the bits of every named net.
#[derive(Clone, Debug, Default)]
pub struct Netlist {
    pub cells: Vec<NetCell>,
    /// Net name → its bits, least significant first (`None`: a constant).
    pub nets: HashMap<String, Vec<Option<Bit>>>,
}

/// Yosys's generic synthesis (as `synth`), flip-flops as plain `$_DFF_P_`, every net named;
/// writes `{top}.v` (the netlist, replacing the RTL in the work directory) and reads back its
/// JSON description.
pub fn synthesize(work: &Path, rtl: &str, top: &str) -> Result<Netlist> {
    Tool::Yosys.require()?;
    let script = format!(
        "read_verilog -sv {rtl}; synth -flatten -top {top}; dfflegalize -cell $_DFF_P_ 01; \
         opt_clean -purge; rename -enumerate; write_verilog -noattr {top}_netlist.v; \
         write_verilog -noattr -noexpr {top}_cells.v; write_json {top}_netlist.json"
    );
    Tool::Yosys.run(work, &["-q", "-p", &script])?;
    let path = work.join(format!("{top}_netlist.json"));
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    parse_netlist(&text, top)
}

fn bit_of(v: &serde_json::Value) -> Option<Bit> {
    v.as_u64().map(|b| b as Bit)
}

/// Reads Yosys's `write_json` description of module `top`.
pub fn parse_netlist(text: &str, top: &str) -> Result<Netlist> {
    let v: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::input(format!("unreadable Yosys netlist: {e}")))?;
    let m = &v["modules"][top];
    let cells = m["cells"]
        .as_object()
        .ok_or_else(|| Error::input(format!("the netlist has no module {top}")))?;
    let mut out = Netlist::default();
    for c in cells.values() {
        let kind = c["type"].as_str().unwrap_or("").to_string();
        let dirs = c["port_directions"].as_object();
        let mut cell = NetCell {
            kind,
            inputs: Vec::new(),
            outputs: Vec::new(),
        };
        if let Some(conns) = c["connections"].as_object() {
            for (port, bits) in conns {
                let output = dirs
                    .and_then(|d| d.get(port))
                    .and_then(|d| d.as_str())
                    .is_some_and(|d| d == "output");
                for b in bits.as_array().into_iter().flatten().filter_map(bit_of) {
                    if output {
                        cell.outputs.push(b);
                    } else {
                        cell.inputs.push((port.clone(), b));
                    }
                }
            }
        }
        out.cells.push(cell);
    }
    if let Some(nets) = m["netnames"].as_object() {
        for (name, n) in nets {
            let bits = n["bits"]
                .as_array()
                .into_iter()
                .flatten()
                .map(bit_of)
                .collect();
            out.nets.insert(name.clone(), bits);
        }
    }
    Ok(out)
}

/// How a run treated delays, in the words every report uses.
pub fn delays(unit_delay: bool) -> &'static str {
    if unit_delay {
        "every gate 10 ps: glitches counted"
    } else {
        "zero delay: no glitches"
    }
}

/// Gate delay of the unit-delay simulation: short against any clock period, so the
/// testbench still samples settled outputs, long enough to order every gate.
pub const UNIT_DELAY_PS: u32 = 10;

/// Simulation models of Yosys's generic cells, each output `UNIT_DELAY_PS` after its inputs:
/// the unequal path delays that make glitches.
fn unit_delay_cells() -> String {
    let d = format!("#{}", UNIT_DELAY_PS as f64 / 1000.0);
    let comb: &[(&str, &str, &str)] = &[
        ("$_NOT_", "A", "~A"),
        ("$_BUF_", "A", "A"),
        ("$_AND_", "A, B", "A & B"),
        ("$_NAND_", "A, B", "~(A & B)"),
        ("$_OR_", "A, B", "A | B"),
        ("$_NOR_", "A, B", "~(A | B)"),
        ("$_XOR_", "A, B", "A ^ B"),
        ("$_XNOR_", "A, B", "~(A ^ B)"),
        ("$_ANDNOT_", "A, B", "A & ~B"),
        ("$_ORNOT_", "A, B", "A | ~B"),
        ("$_MUX_", "A, B, S", "S ? B : A"),
        ("$_AOI3_", "A, B, C", "~((A & B) | C)"),
        ("$_OAI3_", "A, B, C", "~((A | B) & C)"),
        ("$_AOI4_", "A, B, C, D", "~((A & B) | (C & D))"),
        ("$_OAI4_", "A, B, C, D", "~((A | B) & (C | D))"),
    ];
    let mut v = String::from("`timescale 1ns/1ps\n");
    for (name, ins, expr) in comb {
        v.push_str(&format!(
            "module \\{name} ({ins}, Y);\ninput {ins};\noutput Y;\nassign {d} Y = {expr};\nendmodule\n"
        ));
    }
    v.push_str(
        "module \\$_DFF_P_ (D, C, Q);\ninput D, C;\noutput reg Q;\nalways @(posedge C) Q <= D;\nendmodule\n",
    );
    v
}

/// Simulates the netlist with the directory's testbench `{module}_tb.v` under Icarus with the
/// waveform on; the testbench must pass. Zero delay (`{module}_netlist.v`, the cells as
/// expressions), or every gate [`UNIT_DELAY_PS`] (`{module}_cells.v` on unit-delay models of
/// the cells). Returns the waveform's path.
pub fn simulate(work: &Path, module: &str, unit_delay: bool) -> Result<std::path::PathBuf> {
    Tool::Iverilog.require()?;
    let tb = crate::testbench::tb_name(module);
    let vvp = format!("{tb}_netlist.vvp");
    let mut args: Vec<String> = vec!["-g2005".into(), "-o".into(), vvp.clone(), format!("{tb}.v")];
    if unit_delay {
        let cells = work.join("lutforge_unit_delay_cells.v");
        lutforge_core::io::write_atomic(&cells, unit_delay_cells().as_bytes())?;
        args.push(format!("{module}_cells.v"));
        args.push("lutforge_unit_delay_cells.v".into());
    } else {
        args.push(format!("{module}_netlist.v"));
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    Tool::Iverilog.run(work, &argv)?;
    let out = lutforge_core::io::cleanup::output_of(
        std::process::Command::new(Tool::Vvp.program())
            .args(["-n", &vvp, "+vcd"])
            .current_dir(work),
    )
    .map_err(|e| Error::input(format!("vvp: {e}")))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let verdict = text
        .lines()
        .rfind(|l| l.starts_with("PASS") || l.starts_with("FAIL"))
        .unwrap_or("no verdict");
    if !(out.status.success() && verdict.starts_with("PASS")) {
        return Err(Error::input(format!(
            "the synthesized netlist fails the directory's testbench ({verdict})"
        )));
    }
    Ok(work.join(format!("{tb}.vcd")))
}

/// The gate-level estimate of one simulated run.
#[derive(Clone, Debug, Serialize)]
pub struct GateLevel {
    pub library: &'static str,
    pub cycles: u64,
    pub seconds: f64,
    /// Energies over the whole run, fJ.
    pub switching_fj: f64,
    pub internal_fj: f64,
    pub clock_fj: f64,
    pub leakage_fj: f64,
    pub total_fj: f64,
    /// Library cells by type, and each type's share of the dynamic energy (its internal energy
    /// and the switching of the nets it drives; `clock`: the flip-flops' clock pins and the
    /// clock net).
    pub cells: BTreeMap<String, usize>,
    pub share: BTreeMap<String, f64>,
    /// The data path's energy (fJ) by the register each cell feeds (`by_register`).
    pub by_register: BTreeMap<String, f64>,
    pub toggles: u64,
}

impl GateLevel {
    /// The report's lines for the data path by register: the `n` largest groups, in pJ per
    /// operation over `ops` operations (`per` names the operation).
    pub fn register_lines(&self, ops: f64, per: &str, n: usize) -> Vec<String> {
        let mut g: Vec<(&String, &f64)> = self.by_register.iter().collect();
        g.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
        let mut v = vec![format!(
            "  data path by the register it feeds (pJ/{per}; `reg R`: R's flip-flops and hold \
             and reset multiplexers, `to R`: the logic reaching R):"
        )];
        for (k, fj) in g.into_iter().take(n) {
            v.push(format!("    {k:<22} {:>10.4}", fj / 1000.0 / ops.max(1.0)));
        }
        v
    }
}

/// One cell's energies over a run (fJ): its internal energy (data pins and output toggles),
/// the switching of the nets it drives, and a flip-flop's clock-pin energy.
#[derive(Clone, Copy, Debug, Default)]
pub struct CellEnergy {
    pub internal_fj: f64,
    pub switching_fj: f64,
    pub clock_fj: f64,
}

/// Every cell's energies in `n`'s cell order, with what no cell drives: the switching of the
/// primary inputs, and of the clock net (priced as clock).
pub struct Priced {
    pub cells: Vec<CellEnergy>,
    /// Library cell names per netlist cell (a Yosys cell may be two library cells).
    pub lib_cells: Vec<Vec<&'static str>>,
    pub inputs_fj: f64,
    pub clock_net_fj: f64,
    pub leakage_nw: f64,
}

/// Prices every cell of `n` on the toggles `t` with `lib`; `clock` is the clock net's name,
/// whose toggles are the clock tree's (priced at the flip-flops' clock pins) rather than data.
pub fn price_cells(n: &Netlist, t: &Toggles, lib: &Library, clock: &str) -> Result<Priced> {
    let v2 = lib.vdd * lib.vdd;
    let clock_bits: Vec<Bit> = n
        .nets
        .get(clock)
        .map(|b| b.iter().flatten().copied().collect())
        .unwrap_or_default();
    let tog = |b: Bit| *t.per_bit.get(&b).unwrap_or(&0) as f64;
    // Loads on every bit: input pin capacitance, and the number of pins for the wire load.
    let mut load_ff: HashMap<Bit, f64> = HashMap::new();
    let mut fanout: HashMap<Bit, usize> = HashMap::new();
    let mut mapped = Vec::with_capacity(n.cells.len());
    for c in &n.cells {
        let lc = lib.map(&c.kind).ok_or_else(|| {
            Error::input(format!(
                "no constants for the cell {} in the {}",
                c.kind, lib.name
            ))
        })?;
        for (port, b) in &c.inputs {
            let cap = if lc[0].name == "DFF_X1" && port == "C" {
                lc[0].clock_cap_ff
            } else if lc.len() > 1 && port == "B" {
                // ANDNOT/ORNOT: B drives the inverter.
                lc[1].input_cap_ff
            } else {
                lc[0].input_cap_ff
            };
            *load_ff.entry(*b).or_insert(0.0) += cap;
            *fanout.entry(*b).or_insert(0) += 1;
        }
        mapped.push(lc);
    }
    let net_fj = |b: Bit| {
        let cap = load_ff.get(&b).copied().unwrap_or(0.0)
            + lib.wire_cap_ff(fanout.get(&b).copied().unwrap_or(0));
        0.5 * cap * v2 * tog(b)
    };
    let mut out = Priced {
        cells: Vec::with_capacity(n.cells.len()),
        lib_cells: Vec::with_capacity(n.cells.len()),
        inputs_fj: 0.0,
        clock_net_fj: 0.0,
        leakage_nw: 0.0,
    };
    let mut driven: std::collections::HashSet<Bit> = std::collections::HashSet::new();
    for (c, lc) in n.cells.iter().zip(&mapped) {
        let main = lc[0];
        let mut e = CellEnergy::default();
        for l in lc {
            out.leakage_nw += l.leakage_nw;
        }
        e.internal_fj = c.outputs.iter().map(|&b| tog(b)).sum::<f64>() * main.internal_fj;
        let pin_toggles = |p: &str| -> f64 {
            c.inputs
                .iter()
                .filter(|(q, _)| q == p)
                .map(|(_, b)| tog(*b))
                .sum()
        };
        if lc.len() > 1 {
            e.internal_fj += pin_toggles("B") * lc[1].internal_fj;
        }
        if main.name == "DFF_X1" {
            e.clock_fj = t.cycles as f64 * main.clock_fj;
            e.internal_fj += pin_toggles("D") * main.data_fj;
        }
        for &b in &c.outputs {
            if driven.insert(b) && !clock_bits.contains(&b) {
                e.switching_fj += net_fj(b);
            }
        }
        out.cells.push(e);
        out.lib_cells.push(lc.iter().map(|l| l.name).collect());
    }
    for &b in t.per_bit.keys() {
        if clock_bits.contains(&b) {
            out.clock_net_fj += net_fj(b);
        } else if !driven.contains(&b) {
            out.inputs_fj += net_fj(b);
        }
    }
    Ok(out)
}

/// Prices `t` (toggles per bit, clock cycles, simulated time) on `n` with `lib`, in the
/// netlist's cell order so that the figure is the same on every run. `clock` is the clock
/// net's name.
pub fn price(n: &Netlist, t: &Toggles, lib: &Library, clock: &str) -> Result<GateLevel> {
    let p = price_cells(n, t, lib, clock)?;
    let mut cells = BTreeMap::new();
    let mut by_type: BTreeMap<String, f64> = BTreeMap::new();
    let (mut switching, mut internal, mut clock_e) = (p.inputs_fj, 0.0, p.clock_net_fj);
    for (e, names) in p.cells.iter().zip(&p.lib_cells) {
        for l in names {
            *cells.entry(l.to_string()).or_insert(0) += 1;
        }
        switching += e.switching_fj;
        internal += e.internal_fj;
        clock_e += e.clock_fj;
        *by_type.entry(names[0].to_string()).or_insert(0.0) += e.internal_fj + e.switching_fj;
        if e.clock_fj > 0.0 {
            *by_type.entry("clock".into()).or_insert(0.0) += e.clock_fj;
        }
    }
    if p.clock_net_fj > 0.0 {
        *by_type.entry("clock".into()).or_insert(0.0) += p.clock_net_fj;
    }
    if p.inputs_fj > 0.0 {
        *by_type.entry("inputs".into()).or_insert(0.0) += p.inputs_fj;
    }
    let leakage = p.leakage_nw * t.seconds * 1e6; // nW·s = 1e-9 J = 1e6 fJ
    let dynamic = switching + internal + clock_e;
    let share = by_type
        .into_iter()
        .map(|(k, e)| (k, if dynamic > 0.0 { e / dynamic } else { 0.0 }))
        .collect();
    Ok(GateLevel {
        library: lib.name,
        cycles: t.cycles,
        seconds: t.seconds,
        switching_fj: switching,
        internal_fj: internal,
        clock_fj: clock_e,
        leakage_fj: leakage,
        total_fj: dynamic + leakage,
        cells,
        share,
        by_register: by_register(n, &p),
        toggles: t.per_bit.values().sum(),
    })
}

/// The whole method on a directory's module: synthesize, simulate the netlist on the
/// directory's testbench (zero or unit delay), count, price. `work` holds copies of the
/// directory's files.
pub fn gate_level(
    work: &Path,
    module: &str,
    unit_delay: bool,
) -> Result<(Netlist, Toggles, GateLevel)> {
    let netlist = synthesize(work, &format!("{module}.v"), module)?;
    let vcd = simulate(work, module, unit_delay)?;
    let tb = crate::testbench::tb_name(module);
    let t = toggles(&vcd, &[tb.as_str(), module], &netlist, "clk")?;
    let g = price(&netlist, &t, &NANGATE45, "clk")?;
    Ok((netlist, t, g))
}
