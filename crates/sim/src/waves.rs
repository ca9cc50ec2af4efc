//! VCD waveforms with the RTL's hierarchy and names (docs/sim.md, "Waveforms"): scope
//! `<module>_tb` (the generated testbench's, and the Verilator harness's top) holds the clock and
//! reset, scope `<module>_tb.<module>` (the unit's instance) holds every port, the `adv` and `seg`
//! wires, every pipeline register and the table registers. [`RESET_CYCLES`] cycles of held
//! reset come first, as the harness drives them.

use crate::gtkw::{save_file as save_file_of, Group, Show, Trace};
use crate::run::{CycleView, Observer};
use crate::unit::{Arch, Arith, Field, Reg, UnitConfig};
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

/// Cycles of held reset at the start of every waveform (the unit's and the GRU cell's, the
/// model's and the RTL harnesses'): the run's cycle t is at time (t + RESET_CYCLES)·T.
pub const RESET_CYCLES: u64 = 2;

/// Writes a VCD file as the run goes; values are emitted only when they change.
pub struct VcdWriter<W: Write> {
    w: vcd::Writer<W>,
    module: String,
    /// Within the reset cycles: `rst` is 1 and the inputs idle.
    in_reset: bool,
    clk: Option<IdCode>,
    vars: Vec<Var>,
    half_period_ps: u64,
    started: bool,
    buf: Vec<Value>,
}

/// One dumped signal: what it shows, its RTL name and width, and how a viewer shows it.
struct Signal {
    sig: Sig,
    ty: VarType,
    name: &'static str,
    width: u32,
    show: Show,
    /// The group of the save file it is shown in.
    group: &'static str,
}

/// Every signal of a unit of `cfg`'s shape below the clock and the reset, in dump order.
fn signals(cfg: &UnitConfig) -> Vec<Signal> {
    let w = cfg.widths();
    let p = cfg.lanes as u32;
    let k = cfg.segments as u32;
    // FP32 words are bit patterns, shown in hex; integer codes are two's complement.
    let fp = matches!(cfg.arith, Arith::Fp32);
    let code = |word: u32| if fp { Show::Hex } else { Show::Signed { word } };
    let sig = |sig, ty, name, width, show, group| Signal {
        sig,
        ty,
        name,
        width,
        show,
        group,
    };
    let (wire, reg) = (VarType::Wire, VarType::Reg);
    let mut list = vec![
        sig(Sig::InValid, wire, "in_valid", 1, Show::Bit, "input"),
        sig(Sig::InReady, wire, "in_ready", 1, Show::Bit, "input"),
        sig(Sig::InData, wire, "in_data", p * w.x, code(w.x), "input"),
        sig(Sig::OutValid, wire, "out_valid", 1, Show::Bit, "output"),
        sig(Sig::OutReady, wire, "out_ready", 1, Show::Bit, "output"),
        sig(Sig::OutData, wire, "out_data", p * w.y, code(w.y), "output"),
    ];
    if cfg.programmable {
        list.extend([
            sig(Sig::CfgWe, wire, "cfg_we", 1, Show::Bit, "table writes"),
            sig(
                Sig::CfgAddr,
                wire,
                "cfg_addr",
                w.cfg_addr,
                Show::Unsigned { word: w.cfg_addr },
                "table writes",
            ),
            sig(
                Sig::CfgData,
                wire,
                "cfg_data",
                w.cfg_data,
                Show::Hex,
                "table writes",
            ),
        ]);
    }
    // The direct table (`unit_rom.v`) has the address in place of the segment, the word
    // read in place of the intercept and no multiplier; its words are a memory, which VCD
    // dumps (as RTL simulators') leave out.
    let rom = cfg.arch == Arch::Rom;
    let index = Show::Unsigned { word: w.seg };
    list.extend([
        sig(Sig::Adv, wire, "adv", 1, Show::Bit, "pipeline"),
        sig(
            Sig::Seg,
            wire,
            if rom { "addr" } else { "seg" },
            p * w.seg,
            index,
            "pipeline",
        ),
    ]);
    if cfg.has(Reg::S1) {
        list.extend([
            sig(Sig::S1Valid, reg, "s1_valid", 1, Show::Bit, "pipeline"),
            sig(Sig::S1X, reg, "s1_x", p * w.x, code(w.x), "pipeline"),
        ]);
    }
    if cfg.has(Reg::S2) {
        list.push(sig(Sig::S2Valid, reg, "s2_valid", 1, Show::Bit, "pipeline"));
        if rom {
            list.push(sig(
                Sig::S2Seg,
                reg,
                "s2_addr",
                p * w.seg,
                index,
                "pipeline",
            ));
        } else {
            list.extend([
                sig(Sig::S2X, reg, "s2_x", p * w.x, code(w.x), "pipeline"),
                sig(Sig::S2Seg, reg, "s2_seg", p * w.seg, index, "pipeline"),
            ]);
        }
    }
    if cfg.has(Reg::S3) {
        list.push(sig(Sig::S3Valid, reg, "s3_valid", 1, Show::Bit, "pipeline"));
        if rom {
            list.push(sig(
                Sig::S3Icpt,
                reg,
                "s3_word",
                p * w.b,
                code(w.b),
                "pipeline",
            ));
        } else {
            list.extend([
                sig(
                    Sig::S3Prod,
                    reg,
                    "s3_prod",
                    p * w.prod,
                    code(w.prod),
                    "pipeline",
                ),
                sig(Sig::S3Icpt, reg, "s3_icpt", p * w.b, code(w.b), "pipeline"),
            ]);
        }
    }
    list.extend([
        sig(Sig::S4Valid, reg, "s4_valid", 1, Show::Bit, "pipeline"),
        sig(Sig::S4Y, reg, "s4_y", p * w.y, code(w.y), "pipeline"),
    ]);
    if cfg.programmable && !rom {
        if k > 1 {
            list.push(sig(
                Sig::TblBp,
                reg,
                "tbl_bp",
                (k - 1) * w.x,
                code(w.x),
                "table",
            ));
        }
        list.extend([
            sig(Sig::TblK, reg, "tbl_k", k * w.k, code(w.k), "table"),
            sig(Sig::TblB, reg, "tbl_b", k * w.b, code(w.b), "table"),
        ]);
    }
    list
}

/// The GTKWave save file for a waveform of the unit `module` of `cfg`'s shape, its reset port
/// `rst`, clocked at `clock_mhz`, written to `dumpfile` (a name beside the save file):
/// handshakes, table writes, pipeline and table in groups (the table folded), codes in signed
/// decimal, lanes and table entries split. The scopes are this writer's, which the Verilator
/// harness and the generated testbench share: `<module>_tb` and `<module>_tb.<module>`.
pub fn save_file(
    cfg: &UnitConfig,
    module: &str,
    rst: &str,
    clock_mhz: f64,
    dumpfile: &str,
) -> String {
    let list = signals(cfg);
    let groups = ["input", "output", "table writes", "pipeline", "table"].map(|name| Group {
        name,
        closed: name == "table",
        traces: list
            .iter()
            .filter(|s| s.group == name)
            .map(|s| {
                let t = Trace::new(s.name, s.width, s.show);
                if s.name.starts_with("tbl_") {
                    t.words("entry")
                } else {
                    t
                }
            })
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
    /// A writer for the unit `module` clocked at `clock_mhz` (timescale 1 ps).
    pub fn new(out: W, clock_mhz: f64, module: &str) -> Result<Self> {
        if !(clock_mhz > 0.0 && clock_mhz <= 500_000.0) {
            return Err(Error::input(format!(
                "clock {clock_mhz} MHz is outside (0, 500000]"
            )));
        }
        let half = ((1e6 / clock_mhz) / 2.0).round().max(1.0) as u64;
        Ok(VcdWriter {
            w: vcd::Writer::new(out),
            module: module.to_string(),
            in_reset: false,
            clk: None,
            vars: Vec::new(),
            half_period_ps: half,
            started: false,
            buf: Vec::new(),
        })
    }

    fn header(&mut self, v: &CycleView<'_>) -> std::io::Result<()> {
        let cfg = v.unit.config();
        self.w.comment(&format!(
            "lutforge-sim: cycle-accurate model of {}",
            self.module
        ))?;
        self.w.comment(&crate::trace::describe(cfg))?;
        self.w.timescale(1, TimescaleUnit::PS)?;
        self.w.add_module(&format!("{}_tb", self.module))?;
        let clk = self.w.add_var(VarType::Wire, 1, "clk", None)?;
        let rst = self.w.add_var(VarType::Wire, 1, "rst", None)?;
        self.w.add_module(&self.module)?;
        self.w.var_def(VarType::Wire, 1, clk, "clk", None)?;
        self.w.var_def(VarType::Wire, 1, rst, "rst", None)?;
        self.clk = Some(clk);
        self.vars.push(Var {
            sig: Sig::Rst,
            id: rst,
            width: 1,
            prev: Vec::new(),
        });
        let list = signals(cfg);
        for Signal {
            sig,
            ty,
            name,
            width,
            ..
        } in list
        {
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

    fn value(sig: Sig, v: &CycleView<'_>, in_reset: bool, out: &mut Vec<Value>) {
        let u = v.unit;
        let w = u.widths();
        let s = u.state();
        let bit = |out: &mut Vec<Value>, b: bool| {
            out.clear();
            out.push(Value::from(b));
        };
        match sig {
            Sig::Rst => bit(out, in_reset),
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

impl<W: Write> VcdWriter<W> {
    /// One cycle at time index `t` (in periods): clk rises with every changed value, falls at
    /// half the period.
    fn emit(&mut self, t: u64, v: &CycleView<'_>) -> Result<()> {
        let t = t * 2 * self.half_period_ps;
        self.w.timestamp(t).map_err(io)?;
        if let Some(clk) = self.clk {
            self.w.change_scalar(clk, Value::V1).map_err(io)?;
        }
        let mut buf = std::mem::take(&mut self.buf);
        for var in self.vars.iter_mut() {
            Self::value(var.sig, v, self.in_reset, &mut buf);
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
}

impl<W: Write> Observer for VcdWriter<W> {
    fn cycle(&mut self, v: &CycleView<'_>) -> Result<()> {
        if !self.started {
            self.header(v).map_err(io)?;
            // The reset cycles: the state the run starts from (the registers as reset), the
            // inputs idle as the harness holds them, rst high.
            let zeros = vec![0i64; v.in_data.len()];
            let idle = CycleView {
                cycle: v.cycle,
                unit: v.unit,
                in_valid: false,
                in_ready: !v.unit.state().s4_valid,
                in_data: &zeros,
                out_ready: false,
                cfg: None,
            };
            self.in_reset = true;
            for r in 0..RESET_CYCLES {
                self.emit(r, &idle)?;
            }
            self.in_reset = false;
        }
        self.emit(v.cycle + RESET_CYCLES, v)
    }

    fn finish(&mut self) -> Result<()> {
        self.w.flush().map_err(io)
    }
}
