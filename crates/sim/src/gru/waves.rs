//! VCD waveforms of the cell model with the RTL's names (docs/gru.md, "Waveforms"): scope
//! `tb` holds the clock and the reset, scope `tb.dut` every port of `gru_cell.v` and its
//! registers — the phase, sum, group, column and tail counters, the input, state and
//! next-state registers, every lane's four accumulators and the elementwise stage's
//! registers — each with the value the RTL holds in that cycle. Two reset cycles come first,
//! as the Verilator harness and the testbench apply them, so that edge n of either file is
//! edge n of the other (a test compares them signal by signal).

use super::cell::{Cell, CellIn, Phase};
use super::cfg::CfgMap;
use super::spec::Sum;
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

/// Writes the cell's waveform as it runs: call [`CellVcd::cycle`] with each cycle's inputs
/// before the edge that samples them.
pub struct CellVcd<W: Write> {
    w: vcd::Writer<W>,
    clk: IdCode,
    vars: Vec<Var>,
    half_ps: u64,
    cycle: u64,
    started: bool,
    rst_active: bool,
    held: Held,
    buf: Vec<Value>,
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
    /// A writer for `cell`, clocked at `clock_mhz` (timescale 1 ps), its reset port named
    /// `rst` and asserted at level `rst_active`.
    pub fn new(out: W, cell: &Cell, clock_mhz: f64, rst: &str, rst_active: bool) -> Result<Self> {
        if !(clock_mhz > 0.0 && clock_mhz <= 500_000.0) {
            return Err(Error::input(format!(
                "clock {clock_mhz} MHz is outside (0, 500000]"
            )));
        }
        let half_ps = ((1e6 / clock_mhz) / 2.0).round().max(1.0) as u64;
        let mut w = vcd::Writer::new(out);
        let sp = cell.spec();
        let (i, h, p) = (sp.inputs as u32, sp.hidden as u32, cell.lanes() as u32);
        let (nx, nh) = (sp.input.bits, sp.fmt.h.bits);
        let widths = |w: &mut vcd::Writer<W>| -> std::io::Result<(IdCode, Vec<Var>)> {
            w.comment("lutforge-sim: cycle-accurate model of the GRU cell (gru_cell.v)")?;
            w.timescale(1, TimescaleUnit::PS)?;
            w.add_module("tb")?;
            let clk = w.add_var(VarType::Wire, 1, "clk", None)?;
            let rst_id = w.add_var(VarType::Wire, 1, rst, None)?;
            w.add_module("dut")?;
            w.var_def(VarType::Wire, 1, clk, "clk", None)?;
            w.var_def(VarType::Wire, 1, rst_id, rst, None)?;
            let mut vars = vec![Var {
                sig: Sig::Rst,
                id: rst_id,
                width: 1,
                prev: Vec::new(),
            }];
            let cb = cell.counter_bits();
            let (gb, tb, jb) = (cb.group, cb.tail, cb.row);
            let cb = cb.col;
            let f = &sp.fmt;
            let mut list: Vec<(Sig, VarType, String, u32)> = vec![
                (Sig::InValid, VarType::Wire, "in_valid".into(), 1),
                (Sig::InReady, VarType::Wire, "in_ready".into(), 1),
                (Sig::InStart, VarType::Wire, "in_start".into(), 1),
                (Sig::InX, VarType::Wire, "in_x".into(), i * nx),
                (Sig::OutValid, VarType::Reg, "out_valid".into(), 1),
                (Sig::OutReady, VarType::Wire, "out_ready".into(), 1),
                (Sig::OutH, VarType::Reg, "out_h".into(), h * nh),
            ];
            if let Some(map) = cell.cfg_map() {
                list.extend([
                    (Sig::CfgWe, VarType::Wire, "cfg_we".into(), 1),
                    (
                        Sig::CfgAddr,
                        VarType::Wire,
                        "cfg_addr".into(),
                        map_addr_bits(&map),
                    ),
                    (
                        Sig::CfgData,
                        VarType::Wire,
                        "cfg_data".into(),
                        map.data_bits,
                    ),
                    (Sig::CfgReady, VarType::Wire, "cfg_ready".into(), 1),
                ]);
            }
            list.extend([
                (Sig::Phase, VarType::Reg, "phase".into(), 2),
                (Sig::Sum, VarType::Reg, "sum".into(), 2),
                (Sig::Grp, VarType::Reg, "grp".into(), gb),
                (Sig::Col, VarType::Reg, "col".into(), cb),
                (Sig::T, VarType::Reg, "t".into(), tb),
                (Sig::Tj, VarType::Reg, "tj".into(), jb),
                (Sig::XReg, VarType::Reg, "x_reg".into(), i * nx),
                (Sig::HReg, VarType::Reg, "h_reg".into(), h * nh),
                (Sig::HNext, VarType::Reg, "h_next".into(), h * nh),
            ]);
            for l in 0..p as usize {
                for s in Sum::ALL {
                    let name = format!("acc_{}{l}", s.name());
                    list.push((Sig::Acc(l, s), VarType::Reg, name, sp.acc_bits(s)));
                }
            }
            list.extend([
                (Sig::T0Valid, VarType::Reg, "t0_valid".into(), 1),
                (Sig::T0J, VarType::Reg, "t0_j".into(), jb),
                (Sig::T0Hn, VarType::Reg, "t0_hn".into(), f.hn.bits),
                (
                    Sig::T0Nx,
                    VarType::Reg,
                    "t0_nx".into(),
                    sp.acc_bits(Sum::Nx),
                ),
                (Sig::T1Valid, VarType::Reg, "t1_valid".into(), 1),
                (Sig::T1J, VarType::Reg, "t1_j".into(), jb),
                (Sig::T1Z, VarType::Reg, "t1_z".into(), f.z.bits),
            ]);
            for (sig, ty, name, width) in list {
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

    /// Brings the held registers up to the cell's state in this cycle.
    fn hold(&mut self, cell: &Cell, inp: &CellIn) {
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
        if inp.in_valid && inp.x.len() == held.x.len() {
            held.x.clone_from_slice(inp.x);
        }
        if let Some(c) = inp.cfg {
            held.cfg_addr = c.addr;
            held.cfg_data = c.data;
        }
        let (t0, t1) = cell.tail_regs();
        if let Some(v) = t0 {
            held.t0 = v;
        }
        if let Some(v) = t1 {
            held.t1 = v;
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

    /// The two reset cycles: the cell just reset, no input offered.
    pub fn reset(&mut self, cell: &Cell) -> Result<()> {
        for _ in 0..2 {
            self.emit(cell, &CellIn::idle(false), true).map_err(io)?;
        }
        Ok(())
    }

    /// One cycle: `cell` before the edge, `inp` what that edge samples.
    pub fn cycle(&mut self, cell: &Cell, inp: &CellIn) -> Result<()> {
        self.hold(cell, inp);
        self.emit(cell, inp, false).map_err(io)
    }

    pub fn finish(&mut self) -> Result<()> {
        self.w.flush().map_err(io)
    }
}

fn map_addr_bits(map: &CfgMap) -> u32 {
    map.addr_bits()
}
