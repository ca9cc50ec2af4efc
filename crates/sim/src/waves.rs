//! VCD waveforms with the RTL's hierarchy and names (docs/sim.md, "Waveforms"): scope `tb`
//! holds the clock and reset, scope `tb.dut` (the `lutforge_unit` instance) holds every port,
//! the `adv` and `seg` wires, every pipeline register and the table registers.

use crate::run::{CycleView, Observer};
use crate::unit::{Arch, Field, Reg};
use lutforge_core::{Error, Result};
use std::io::Write;
use vcd::{IdCode, ReferenceIndex, TimescaleUnit, Value, VarType};

/// Which value a dumped signal shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sig {
    Rst,
    InValid,
    InReady,
    InData,
    OutValid,
    OutReady,
    OutData,
    CfgWe,
    CfgAddr,
    CfgData,
    Adv,
    Seg,
    S1Valid,
    S1X,
    S2Valid,
    S2X,
    S2Seg,
    S3Valid,
    S3Prod,
    S3Icpt,
    S4Valid,
    S4Y,
    TblBp,
    TblK,
    TblB,
}

struct Var {
    sig: Sig,
    id: IdCode,
    width: u32,
    prev: Vec<Value>,
}

/// Writes a VCD file as the run goes; values are emitted only when they change.
pub struct VcdWriter<W: Write> {
    w: vcd::Writer<W>,
    clk: Option<IdCode>,
    vars: Vec<Var>,
    half_period_ps: u64,
    started: bool,
    buf: Vec<Value>,
}

fn io(e: std::io::Error) -> Error {
    Error::input(format!("vcd: cannot write: {e}"))
}

/// Bits of a packed bus, most significant first (lane P−1 first), each lane `width` bits.
fn bus_bits(out: &mut Vec<Value>, words: &[i64], width: u32) {
    out.clear();
    for &w in words.iter().rev() {
        for b in (0..width).rev() {
            out.push(if b < 64 && (w >> b) & 1 == 1 {
                Value::V1
            } else {
                Value::V0
            });
        }
    }
}

impl<W: Write> VcdWriter<W> {
    /// A writer for a unit clocked at `clock_mhz` (timescale 1 ps).
    pub fn new(out: W, clock_mhz: f64) -> Result<Self> {
        if !(clock_mhz > 0.0 && clock_mhz <= 500_000.0) {
            return Err(Error::input(format!(
                "clock {clock_mhz} MHz is outside (0, 500000]"
            )));
        }
        let half = ((1e6 / clock_mhz) / 2.0).round().max(1.0) as u64;
        Ok(VcdWriter {
            w: vcd::Writer::new(out),
            clk: None,
            vars: Vec::new(),
            half_period_ps: half,
            started: false,
            buf: Vec::new(),
        })
    }

    fn header(&mut self, v: &CycleView<'_>) -> std::io::Result<()> {
        let cfg = v.unit.config();
        let w = v.unit.widths();
        let p = cfg.lanes as u32;
        let k = cfg.segments as u32;
        self.w
            .comment("lutforge-sim: cycle-accurate model of lutforge_unit")?;
        self.w.comment(&crate::trace::describe(cfg))?;
        self.w.timescale(1, TimescaleUnit::PS)?;
        self.w.add_module("tb")?;
        let clk = self.w.add_var(VarType::Wire, 1, "clk", None)?;
        let rst = self.w.add_var(VarType::Wire, 1, "rst", None)?;
        self.w.add_module("dut")?;
        self.w.var_def(VarType::Wire, 1, clk, "clk", None)?;
        self.w.var_def(VarType::Wire, 1, rst, "rst", None)?;
        self.clk = Some(clk);
        self.vars.push(Var {
            sig: Sig::Rst,
            id: rst,
            width: 1,
            prev: Vec::new(),
        });
        let mut list: Vec<(Sig, VarType, &str, u32)> = vec![
            (Sig::InValid, VarType::Wire, "in_valid", 1),
            (Sig::InReady, VarType::Wire, "in_ready", 1),
            (Sig::InData, VarType::Wire, "in_data", p * w.x),
            (Sig::OutValid, VarType::Wire, "out_valid", 1),
            (Sig::OutReady, VarType::Wire, "out_ready", 1),
            (Sig::OutData, VarType::Wire, "out_data", p * w.y),
        ];
        if cfg.programmable {
            list.extend([
                (Sig::CfgWe, VarType::Wire, "cfg_we", 1),
                (Sig::CfgAddr, VarType::Wire, "cfg_addr", w.cfg_addr),
                (Sig::CfgData, VarType::Wire, "cfg_data", w.cfg_data),
            ]);
        }
        // The direct table (`unit_rom.v`) has the address in place of the segment, the word
        // read in place of the intercept and no multiplier; its words are a memory, which VCD
        // dumps (as RTL simulators') leave out.
        let rom = cfg.arch == Arch::Rom;
        list.extend([
            (Sig::Adv, VarType::Wire, "adv", 1),
            (
                Sig::Seg,
                VarType::Wire,
                if rom { "addr" } else { "seg" },
                p * w.seg,
            ),
        ]);
        if cfg.has(Reg::S1) {
            list.extend([
                (Sig::S1Valid, VarType::Reg, "s1_valid", 1),
                (Sig::S1X, VarType::Reg, "s1_x", p * w.x),
            ]);
        }
        if cfg.has(Reg::S2) {
            list.push((Sig::S2Valid, VarType::Reg, "s2_valid", 1));
            if rom {
                list.push((Sig::S2Seg, VarType::Reg, "s2_addr", p * w.seg));
            } else {
                list.extend([
                    (Sig::S2X, VarType::Reg, "s2_x", p * w.x),
                    (Sig::S2Seg, VarType::Reg, "s2_seg", p * w.seg),
                ]);
            }
        }
        if cfg.has(Reg::S3) {
            list.push((Sig::S3Valid, VarType::Reg, "s3_valid", 1));
            if rom {
                list.push((Sig::S3Icpt, VarType::Reg, "s3_word", p * w.b));
            } else {
                list.extend([
                    (Sig::S3Prod, VarType::Reg, "s3_prod", p * w.prod),
                    (Sig::S3Icpt, VarType::Reg, "s3_icpt", p * w.b),
                ]);
            }
        }
        list.extend([
            (Sig::S4Valid, VarType::Reg, "s4_valid", 1),
            (Sig::S4Y, VarType::Reg, "s4_y", p * w.y),
        ]);
        if cfg.programmable && !rom {
            if k > 1 {
                list.push((Sig::TblBp, VarType::Reg, "tbl_bp", (k - 1) * w.x));
            }
            list.extend([
                (Sig::TblK, VarType::Reg, "tbl_k", k * w.k),
                (Sig::TblB, VarType::Reg, "tbl_b", k * w.b),
            ]);
        }
        for (sig, ty, name, width) in list {
            let index = (width > 1).then(|| ReferenceIndex::Range(width as i32 - 1, 0));
            let id = self.w.add_var(ty, width, name, index)?;
            self.vars.push(Var {
                sig,
                id,
                width,
                prev: Vec::new(),
            });
        }
        self.w.upscope()?;
        self.w.upscope()?;
        self.w.enddefinitions()
    }

    fn value(sig: Sig, v: &CycleView<'_>, out: &mut Vec<Value>) {
        let u = v.unit;
        let w = u.widths();
        let s = u.state();
        let bit = |out: &mut Vec<Value>, b: bool| {
            out.clear();
            out.push(Value::from(b));
        };
        match sig {
            Sig::Rst => bit(out, false),
            Sig::InValid => bit(out, v.in_valid),
            Sig::InReady => bit(out, v.in_ready),
            Sig::InData => bus_bits(out, v.in_data, w.x),
            Sig::OutValid => bit(out, s.s4_valid),
            Sig::OutReady => bit(out, v.out_ready),
            Sig::OutData => bus_bits(out, s.s4_y(), w.y),
            Sig::CfgWe => bit(out, v.cfg.is_some()),
            Sig::CfgAddr => bus_bits(out, &[v.cfg.map_or(0, |c| c.addr as i64)], w.cfg_addr),
            Sig::CfgData => bus_bits(out, &[v.cfg.map_or(0, |c| c.data)], w.cfg_data),
            Sig::Adv => bit(out, v.in_ready),
            Sig::Seg => {
                let seg: Vec<i64> = u.seg_wire(v.in_data).into_iter().map(i64::from).collect();
                bus_bits(out, &seg, w.seg)
            }
            Sig::S1Valid => bit(out, s.s1_valid),
            Sig::S1X => bus_bits(out, s.s1_x(), w.x),
            Sig::S2Valid => bit(out, s.s2_valid),
            Sig::S2X => bus_bits(out, s.s2_x(), w.x),
            Sig::S2Seg => bus_bits(out, s.s2_seg(), w.seg),
            Sig::S3Valid => bit(out, s.s3_valid),
            Sig::S3Prod => bus_bits(out, s.s3_prod(), w.prod),
            Sig::S3Icpt => bus_bits(out, s.s3_icpt(), w.b),
            Sig::S4Valid => bit(out, s.s4_valid),
            Sig::S4Y => bus_bits(out, s.s4_y(), w.y),
            Sig::TblBp => bus_bits(out, &u.table().words(Field::Breakpoint), w.x),
            Sig::TblK => bus_bits(out, &u.table().words(Field::Slope), w.k),
            Sig::TblB => bus_bits(out, &u.table().words(Field::Intercept), w.b),
        }
    }
}

impl<W: Write> Observer for VcdWriter<W> {
    fn cycle(&mut self, v: &CycleView<'_>) -> Result<()> {
        if !self.started {
            self.header(v).map_err(io)?;
        }
        let t = v.cycle * 2 * self.half_period_ps;
        self.w.timestamp(t).map_err(io)?;
        if let Some(clk) = self.clk {
            self.w.change_scalar(clk, Value::V1).map_err(io)?;
        }
        let mut buf = std::mem::take(&mut self.buf);
        for var in self.vars.iter_mut() {
            Self::value(var.sig, v, &mut buf);
            if !self.started || buf != var.prev {
                if var.width == 1 {
                    self.w.change_scalar(var.id, buf[0]).map_err(io)?;
                } else {
                    self.w
                        .change_vector(var.id, buf.iter().copied())
                        .map_err(io)?;
                }
                var.prev.clone_from(&buf);
            }
        }
        self.buf = buf;
        self.started = true;
        self.w.timestamp(t + self.half_period_ps).map_err(io)?;
        if let Some(clk) = self.clk {
            self.w.change_scalar(clk, Value::V0).map_err(io)?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        self.w.flush().map_err(io)
    }
}
