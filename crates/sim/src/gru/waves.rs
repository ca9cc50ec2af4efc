//! VCD waveforms of the cell model with the RTL's names (docs/gru.md, "Waveforms"): scope
//! `<module>_tb` holds the clock and the reset, scope `<module>_tb.<module>` (the hierarchy of
//! the Verilator harness and of the generated testbench) every port of the cell and its
//! registers — the phase, sum, group, column and tail counters, the input, state and
//! next-state registers, every lane's four accumulators and the elementwise stage's
//! registers — each with the value the RTL holds in that cycle. Two reset cycles come first,
//! as the Verilator harness and the testbench apply them, so that edge n of either file is
//! edge n of the other (a test compares them signal by signal).

use super::cell::{Cell, CellIn, Phase};
use super::cfg::CfgMap;
use super::spec::Sum;
use crate::gtkw::{save_file as save_file_of, Group, Show, Trace};
use lutforge_core::{Error, Result};
use std::io::Write;
use vcd::{IdCode, ReferenceIndex, TimescaleUnit, Value, VarType};

fn io(e: std::io::Error) -> Error {
    Error::input(format!("vcd: cannot write: {e}"))
}

/// What a dumped signal shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sig {
    Rst,
    InValid,
    InReady,
    InStart,
    InX,
    OutValid,
    OutReady,
    OutH,
    CfgWe,
    CfgAddr,
    CfgData,
    CfgReady,
    Phase,
    Sum,
    Grp,
    Col,
    T,
    Tj,
    XReg,
    HReg,
    HNext,
    Acc(usize, Sum),
    T0Valid,
    T0J,
    T0Hn,
    T0Nx,
    T1Valid,
    T1J,
    T1Z,
}

struct Var {
    sig: Sig,
    id: IdCode,
    width: u32,
    prev: Vec<Value>,
}

/// The registers the RTL holds while the model's state does not name them (a counter keeps
/// its last value outside its phase; the input bus keeps the last vector offered).
#[derive(Clone, Debug, Default)]
struct Held {
    grp: usize,
    t: usize,
    tj: usize,
    x: Vec<i64>,
    cfg_addr: u64,
    cfg_data: i64,
    t0: (usize, i64, i128),
    t1: (usize, i64),
}

/// The inputs of one edge, kept until the state after that edge is known.
#[derive(Clone, Debug)]
struct Pending {
    in_valid: bool,
    start: bool,
    x: Vec<i64>,
    out_ready: bool,
    cfg: Option<crate::unit::CfgWrite>,
}

impl Pending {
    fn of(inp: &CellIn) -> Pending {
        Pending {
            in_valid: inp.in_valid,
            start: inp.start,
            x: inp.x.to_vec(),
            out_ready: inp.out_ready,
            cfg: inp.cfg,
        }
    }

    fn as_in(&self) -> CellIn<'_> {
        CellIn {
            in_valid: self.in_valid,
            start: self.start,
            x: &self.x,
            out_ready: self.out_ready,
            cfg: self.cfg,
        }
    }
}

/// Writes the cell's waveform as it runs: call [`CellVcd::cycle`] with each cycle's inputs
/// before the edge that samples them, and [`CellVcd::finish`] with the cell after the last.
/// As in the RTL's waveform, clk rises at t·T with the inputs that edge samples and the
/// registers it writes: each edge's slot is written at the next call, when that state is known.
pub struct CellVcd<W: Write> {
    w: vcd::Writer<W>,
    clk: IdCode,
    vars: Vec<Var>,
    half_ps: u64,
    cycle: u64,
    started: bool,
    rst_active: bool,
    held: Held,
    pending: Option<Pending>,
    buf: Vec<Value>,
}

/// One dumped signal: what it shows, its RTL name and width, how a viewer shows it and in
/// which group of the save file.
struct Signal {
    sig: Sig,
    ty: VarType,
    name: String,
    width: u32,
    show: Show,
    word_label: &'static str,
    group: &'static str,
}

/// Every signal of `cell` below the clock and the reset, in dump order.
fn signals(cell: &Cell) -> Vec<Signal> {
    let sp = cell.spec();
    let (i, h, p) = (sp.inputs as u32, sp.hidden as u32, cell.lanes() as u32);
    let (nx, nh) = (sp.input.bits, sp.fmt.h.bits);
    let cb = cell.counter_bits();
    let (gb, tb, jb, cb) = (cb.group, cb.tail, cb.row, cb.col);
    let f = &sp.fmt;
    let (wire, reg) = (VarType::Wire, VarType::Reg);
    let sig = |sig, ty, name: &str, width, show, group| Signal {
        sig,
        ty,
        name: name.to_string(),
        width,
        show,
        word_label: "lane",
        group,
    };
    let codes = |word| Show::Signed { word };
    let count = |word| Show::Unsigned { word };
    let vector = |mut s: Signal, label| {
        s.word_label = label;
        s
    };
    let mut list = vec![
        sig(Sig::InValid, wire, "in_valid", 1, Show::Bit, "input"),
        sig(Sig::InReady, wire, "in_ready", 1, Show::Bit, "input"),
        sig(Sig::InStart, wire, "in_start", 1, Show::Bit, "input"),
        vector(sig(Sig::InX, wire, "in_x", i * nx, codes(nx), "input"), "x"),
        sig(Sig::OutValid, reg, "out_valid", 1, Show::Bit, "output"),
        sig(Sig::OutReady, wire, "out_ready", 1, Show::Bit, "output"),
        vector(
            sig(Sig::OutH, reg, "out_h", h * nh, codes(nh), "output"),
            "h",
        ),
    ];
    if let Some(map) = cell.cfg_map() {
        let a = map_addr_bits(&map);
        list.extend([
            sig(Sig::CfgWe, wire, "cfg_we", 1, Show::Bit, "writes"),
            sig(Sig::CfgAddr, wire, "cfg_addr", a, count(a), "writes"),
            sig(
                Sig::CfgData,
                wire,
                "cfg_data",
                map.data_bits,
                Show::Hex,
                "writes",
            ),
            sig(Sig::CfgReady, wire, "cfg_ready", 1, Show::Bit, "writes"),
        ]);
    }
    list.extend([
        sig(Sig::Phase, reg, "phase", 2, count(2), "control"),
        sig(Sig::Sum, reg, "sum", 2, count(2), "control"),
        sig(Sig::Grp, reg, "grp", gb, count(gb), "control"),
        sig(Sig::Col, reg, "col", cb, count(cb), "control"),
        sig(Sig::T, reg, "t", tb, count(tb), "control"),
        sig(Sig::Tj, reg, "tj", jb, count(jb), "control"),
        vector(
            sig(Sig::XReg, reg, "x_reg", i * nx, codes(nx), "state"),
            "x",
        ),
        vector(
            sig(Sig::HReg, reg, "h_reg", h * nh, codes(nh), "state"),
            "h",
        ),
        vector(
            sig(Sig::HNext, reg, "h_next", h * nh, codes(nh), "state"),
            "h",
        ),
    ]);
    for l in 0..p as usize {
        for s in Sum::ALL {
            let name = format!("acc_{}{l}", s.name());
            let w = sp.acc_bits(s);
            list.push(sig(Sig::Acc(l, s), reg, &name, w, codes(w), "accumulators"));
        }
    }
    let nxw = sp.acc_bits(Sum::Nx);
    list.extend([
        sig(Sig::T0Valid, reg, "t0_valid", 1, Show::Bit, "elementwise"),
        sig(Sig::T0J, reg, "t0_j", jb, count(jb), "elementwise"),
        sig(
            Sig::T0Hn,
            reg,
            "t0_hn",
            f.hn.bits,
            codes(f.hn.bits),
            "elementwise",
        ),
        sig(Sig::T0Nx, reg, "t0_nx", nxw, codes(nxw), "elementwise"),
        sig(Sig::T1Valid, reg, "t1_valid", 1, Show::Bit, "elementwise"),
        sig(Sig::T1J, reg, "t1_j", jb, count(jb), "elementwise"),
        sig(
            Sig::T1Z,
            reg,
            "t1_z",
            f.z.bits,
            codes(f.z.bits),
            "elementwise",
        ),
    ]);
    list
}

/// The GTKWave save file for a waveform of `cell` (module `module`, reset port `rst`) clocked
/// at `clock_mhz`, written to `dumpfile` beside it: handshakes, writes, control, state,
/// accumulators (folded) and the elementwise stage in groups, codes in signed decimal, the
/// input and state vectors split into their codes.
pub fn gtkw_save_file(
    cell: &Cell,
    module: &str,
    rst: &str,
    clock_mhz: f64,
    dumpfile: &str,
) -> String {
    let list = signals(cell);
    let names = [
        "input",
        "output",
        "writes",
        "control",
        "state",
        "accumulators",
        "elementwise",
    ];
    let groups = names.map(|name| Group {
        name,
        closed: name == "accumulators" || name == "state",
        traces: list
            .iter()
            .filter(|s| s.group == name)
            .map(|s| Trace::new(s.name.clone(), s.width, s.show).words(s.word_label))
            .collect(),
    });
    save_file_of(
        dumpfile,
        &format!("{module}_tb"),
        module,
        2 * ((1e6 / clock_mhz) / 2.0).round().max(1.0) as u64,
        &[
            Trace::new("clk", 1, Show::Bit),
            Trace::new(rst, 1, Show::Bit),
        ],
        &groups,
    )
}

fn bits_of(out: &mut Vec<Value>, v: i128, width: u32) {
    for b in (0..width).rev() {
        out.push(if b < 128 && (v >> b) & 1 == 1 {
            Value::V1
        } else {
            Value::V0
        });
    }
}

/// A packed bus of `words`, word 0 in the low bits (as the RTL packs `in_x` and `out_h`).
fn bus(out: &mut Vec<Value>, words: &[i64], width: u32) {
    out.clear();
    for &w in words.iter().rev() {
        bits_of(out, w.into(), width);
    }
}

fn word(out: &mut Vec<Value>, v: i128, width: u32) {
    out.clear();
    bits_of(out, v, width);
}

impl<W: Write> CellVcd<W> {
    /// A writer for `cell`, the module `module`, clocked at `clock_mhz` (timescale 1 ps), its
    /// reset port named `rst` and asserted at level `rst_active`.
    pub fn new(
        out: W,
        cell: &Cell,
        module: &str,
        clock_mhz: f64,
        rst: &str,
        rst_active: bool,
    ) -> Result<Self> {
        if !(clock_mhz > 0.0 && clock_mhz <= 500_000.0) {
            return Err(Error::input(format!(
                "clock {clock_mhz} MHz is outside (0, 500000]"
            )));
        }
        let half_ps = ((1e6 / clock_mhz) / 2.0).round().max(1.0) as u64;
        let mut w = vcd::Writer::new(out);
        let sp = cell.spec();
        let widths = |w: &mut vcd::Writer<W>| -> std::io::Result<(IdCode, Vec<Var>)> {
            w.comment(&format!(
                "lutforge-sim: cycle-accurate model of the GRU cell {module}"
            ))?;
            w.timescale(1, TimescaleUnit::PS)?;
            w.add_module(&format!("{module}_tb"))?;
            let clk = w.add_var(VarType::Wire, 1, "clk", None)?;
            let rst_id = w.add_var(VarType::Wire, 1, rst, None)?;
            w.add_module(module)?;
            w.var_def(VarType::Wire, 1, clk, "clk", None)?;
            w.var_def(VarType::Wire, 1, rst_id, rst, None)?;
            let mut vars = vec![Var {
                sig: Sig::Rst,
                id: rst_id,
                width: 1,
                prev: Vec::new(),
            }];
            let list = signals(cell);
            for Signal {
                sig,
                ty,
                name,
                width,
                ..
            } in list
            {
                let index = (width > 1).then(|| ReferenceIndex::Range(width as i32 - 1, 0));
                let id = w.add_var(ty, width, &name, index)?;
                vars.push(Var {
                    sig,
                    id,
                    width,
                    prev: Vec::new(),
                });
            }
            w.upscope()?;
            w.upscope()?;
            w.enddefinitions()?;
            Ok((clk, vars))
        };
        let (clk, vars) = widths(&mut w).map_err(io)?;
        Ok(CellVcd {
            w,
            clk,
            vars,
            half_ps,
            cycle: 0,
            started: false,
            rst_active,
            held: Held {
                x: vec![0; sp.inputs],
                ..Held::default()
            },
            pending: None,
            buf: Vec::new(),
        })
    }

    fn value(
        &self,
        (sig, w): (Sig, u32),
        cell: &Cell,
        inp: &CellIn,
        rst: bool,
        out: &mut Vec<Value>,
    ) {
        let o = cell.outputs();
        let sp = cell.spec();
        let (nx, nh) = (sp.input.bits, sp.fmt.h.bits);
        let held = &self.held;
        let (x_reg, h_next) = cell.x_and_h_next();
        let bit = |out: &mut Vec<Value>, b: bool| {
            out.clear();
            out.push(Value::from(b));
        };
        let (t0, t1) = cell.tail_regs();
        match sig {
            Sig::Rst => bit(out, rst == self.rst_active),
            Sig::InValid => bit(out, inp.in_valid),
            Sig::InReady => bit(out, o.in_ready),
            Sig::InStart => bit(out, inp.in_valid && inp.start),
            Sig::InX => bus(out, &held.x, nx),
            Sig::OutValid => bit(out, o.out_valid),
            Sig::OutReady => bit(out, inp.out_ready),
            Sig::OutH => bus(out, o.out_h, nh),
            Sig::CfgWe => bit(out, inp.cfg.is_some()),
            Sig::CfgAddr => word(out, held.cfg_addr.into(), w),
            Sig::CfgData => word(out, held.cfg_data.into(), w),
            Sig::CfgReady => bit(out, o.cfg_ready),
            Sig::Phase => word(
                out,
                match cell.phase() {
                    Phase::Idle => 0,
                    Phase::Mac { .. } => 1,
                    Phase::Tail { .. } => 2,
                },
                2,
            ),
            Sig::Sum => word(
                out,
                match cell.phase() {
                    Phase::Mac { sum, .. } => sum.index() as i128,
                    _ => 0,
                },
                2,
            ),
            Sig::Grp => word(out, held.grp as i128, w),
            Sig::Col => word(
                out,
                match cell.phase() {
                    // The RTL's column counter runs over the x columns, then the h ones.
                    Phase::Mac { col, .. } => col as i128,
                    _ => 0,
                },
                w,
            ),
            Sig::T => word(out, held.t as i128, w),
            Sig::Tj => word(out, held.tj as i128, w),
            Sig::XReg => bus(out, x_reg, nx),
            Sig::HReg => bus(out, cell.state(), nh),
            Sig::HNext => bus(out, h_next, nh),
            Sig::Acc(l, s) => word(out, cell.acc_value(l, s), sp.acc_bits(s)),
            Sig::T0Valid => bit(out, t0.is_some()),
            Sig::T0J => word(out, held.t0.0 as i128, w),
            Sig::T0Hn => word(out, held.t0.1.into(), w),
            Sig::T0Nx => word(out, held.t0.2, w),
            Sig::T1Valid => bit(out, t1.is_some()),
            Sig::T1J => word(out, held.t1.0 as i128, w),
            Sig::T1Z => word(out, held.t1.1.into(), w),
        }
    }

    /// Brings the held registers up to the cell's state after an edge.
    fn hold_regs(&mut self, cell: &Cell) {
        let p = cell.lanes();
        let h = cell.spec().hidden;
        let held = &mut self.held;
        match cell.phase() {
            Phase::Idle => {}
            Phase::Mac { group, .. } => {
                held.grp = group;
                held.tj = group * p;
            }
            Phase::Tail { group, t } => {
                held.grp = group;
                held.t = t;
                held.tj = group * p + t.min(p.min(h - group * p));
            }
        }
        let (t0, t1) = cell.tail_regs();
        if let Some(v) = t0 {
            held.t0 = v;
        }
        if let Some(v) = t1 {
            held.t1 = v;
        }
    }

    /// Brings the buses the harness holds (the last vector offered, the last write) up to an
    /// edge's inputs.
    fn hold_inputs(&mut self, inp: &CellIn) {
        let held = &mut self.held;
        if inp.in_valid && inp.x.len() == held.x.len() {
            held.x.clone_from_slice(inp.x);
        }
        if let Some(c) = inp.cfg {
            held.cfg_addr = c.addr;
            held.cfg_data = c.data;
        }
    }

    fn emit(&mut self, cell: &Cell, inp: &CellIn, rst: bool) -> std::io::Result<()> {
        let t = self.cycle * 2 * self.half_ps;
        self.w.timestamp(t)?;
        self.w.change_scalar(self.clk, Value::V1)?;
        let mut buf = std::mem::take(&mut self.buf);
        for k in 0..self.vars.len() {
            let v = &self.vars[k];
            self.value((v.sig, v.width), cell, inp, rst, &mut buf);
            let var = &mut self.vars[k];
            if !self.started || buf != var.prev {
                if var.width == 1 {
                    self.w.change_scalar(var.id, buf[0])?;
                } else {
                    self.w.change_vector(var.id, buf.iter().copied())?;
                }
                var.prev.clone_from(&buf);
            }
        }
        self.buf = buf;
        self.started = true;
        self.w.timestamp(t + self.half_ps)?;
        self.w.change_scalar(self.clk, Value::V0)?;
        self.cycle += 1;
        Ok(())
    }

    /// The reset cycles ([`crate::waves::RESET_CYCLES`]): the cell just reset, no input
    /// offered.
    pub fn reset(&mut self, cell: &Cell) -> Result<()> {
        self.hold_regs(cell);
        for _ in 0..crate::waves::RESET_CYCLES {
            self.emit(cell, &CellIn::idle(false), true).map_err(io)?;
        }
        Ok(())
    }

    /// Writes the pending edge's slot, `cell` being the state that edge wrote.
    fn flush_pending(&mut self, cell: &Cell) -> Result<()> {
        if let Some(p) = self.pending.take() {
            self.hold_regs(cell);
            self.hold_inputs(&p.as_in());
            self.emit(cell, &p.as_in(), false).map_err(io)?;
        }
        Ok(())
    }

    /// One cycle: `cell` before the edge (the state the previous edge wrote), `inp` what this
    /// edge samples.
    pub fn cycle(&mut self, cell: &Cell, inp: &CellIn) -> Result<()> {
        self.flush_pending(cell)?;
        self.pending = Some(Pending::of(inp));
        Ok(())
    }

    /// Ends the waveform: `cell` after the last edge.
    pub fn finish(&mut self, cell: &Cell) -> Result<()> {
        self.flush_pending(cell)?;
        self.w.flush().map_err(io)
    }
}

fn map_addr_bits(map: &CfgMap) -> u32 {
    map.addr_bits()
}
