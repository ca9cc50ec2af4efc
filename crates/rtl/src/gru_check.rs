//! The GRU cell's cross-check: the Verilated cell and lutforge-sim's cell model replay the
//! same sequence steps with the same seeded stalls on both sides (`rtl_templates/
//! gru_harness.cpp`), and each logs every handshake with its cycle, every output's codes and
//! a hash of every cycle's `in_ready` and `out_valid`. Equal logs mean equal behaviour at the
//! ports, cycle by cycle.

use crate::gru::render_cell;
use crate::iface::Interface;
use crate::verilator::{self, Profile};
use askama::Template;
use lutforge_core::{Error, Result};
use lutforge_sim::gru::{Cell, CellIn, CellSpec};
use lutforge_sim::unit::CfgWrite;
use std::fmt::Write as _;
use std::path::Path;

/// One thing the replay offers the cell, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A sequence step: start, input codes.
    Step(bool, Vec<i64>),
    /// A write on the cfg port (programmable cells), taken when the cell is idle.
    Write(CfgWrite),
}

/// Sequence steps (and writes between them) with the stall pattern to replay them under.
#[derive(Clone, Debug, PartialEq)]
pub struct Steps {
    /// Chance (of 256) that the input (or a write) is offered in a cycle, and that the output
    /// is taken.
    pub valid_pct: u32,
    pub ready_pct: u32,
    pub seed: u64,
    pub events: Vec<Event>,
}

impl Steps {
    /// Every step of `sequences` (each a list of input vectors), the first of each with start.
    pub fn of(sequences: &[Vec<Vec<i64>>], valid_pct: u32, ready_pct: u32, seed: u64) -> Steps {
        Steps::with_writes(sequences, &[], valid_pct, ready_pct, seed)
    }

    /// As [`Steps::of`], with `writes[n]` offered before sequence n (none beyond the list).
    pub fn with_writes(
        sequences: &[Vec<Vec<i64>>],
        writes: &[Vec<CfgWrite>],
        valid_pct: u32,
        ready_pct: u32,
        seed: u64,
    ) -> Steps {
        let mut events = Vec::new();
        for (n, s) in sequences.iter().enumerate() {
            if let Some(w) = writes.get(n) {
                events.extend(w.iter().map(|&c| Event::Write(c)));
            }
            events.extend(
                s.iter()
                    .enumerate()
                    .map(|(t, x)| Event::Step(t == 0, x.clone())),
            );
        }
        Steps {
            valid_pct,
            ready_pct,
            seed,
            events,
        }
    }

    /// Steps among the events.
    pub fn steps(&self) -> usize {
        self.events
            .iter()
            .filter(|e| matches!(e, Event::Step(..)))
            .count()
    }

    /// The harness's step file.
    pub fn file(&self) -> String {
        let mut s = format!(
            "{} {} {} {}\n",
            self.valid_pct,
            self.ready_pct,
            self.seed,
            self.events.len()
        );
        for e in &self.events {
            match e {
                Event::Step(start, x) => {
                    let _ = write!(s, "s {}", u8::from(*start));
                    for c in x {
                        let _ = write!(s, " {c}");
                    }
                }
                Event::Write(c) => {
                    let _ = write!(s, "w {} {}", c.addr, c.data);
                }
            }
            s.push('\n');
        }
        s
    }
}

/// xorshift64*, as the harness has it.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(2685821657736338717)
    }
}

/// The log the harness writes, from the cell model (`programmable`: with the write port).
pub fn model_log(spec: &CellSpec, lanes: usize, programmable: bool, st: &Steps) -> Result<String> {
    let mut cell = Cell::with_port(spec.clone(), lanes, programmable)?;
    replay(&mut cell, st, &mut |_, _| Ok(()))
}

/// Replays `st` on `cell` as the harness does, `each` seeing every cycle's cell (before the
/// edge) and inputs; returns the log.
pub fn replay(
    cell: &mut Cell,
    st: &Steps,
    each: &mut dyn FnMut(&Cell, &CellIn) -> Result<()>,
) -> Result<String> {
    let mut rng = Rng(if st.seed == 0 { 1 } else { st.seed });
    let mut log = String::new();
    let mut hash: u64 = 1469598103934665603;
    let steps = st.steps();
    let (mut next, mut taken, mut cycle) = (0usize, 0usize, 0u64);
    let limit = (st.events.len() as u64 + 1) * 1_000_000;
    let empty: Vec<i64> = Vec::new();
    while taken < steps && cycle < limit {
        let r = rng.next();
        let offer = next < st.events.len() && (r & 255) < st.valid_pct as u64;
        let ready = ((r >> 8) & 255) < st.ready_pct as u64;
        let o = cell.outputs();
        for b in [o.in_ready, o.out_valid] {
            hash = (hash ^ u64::from(b)).wrapping_mul(1099511628211);
        }
        let (mut inp, mut cfg) = (None, None);
        if offer {
            match &st.events[next] {
                Event::Step(start, x) => inp = Some((*start, x)),
                Event::Write(c) => cfg = Some(*c),
            }
        }
        let accepted = match (inp, cfg) {
            (Some(_), _) => o.in_ready,
            (_, Some(_)) => o.cfg_ready,
            _ => false,
        };
        if accepted {
            let _ = writeln!(log, "{} {cycle}", if cfg.is_some() { "w" } else { "in" });
        }
        if o.out_valid && ready {
            let _ = write!(log, "out {cycle}");
            for c in o.out_h {
                let _ = write!(log, " {c}");
            }
            log.push('\n');
            taken += 1;
        }
        let (start, x) = inp.unwrap_or((false, &empty));
        let i = CellIn {
            in_valid: inp.is_some(),
            start,
            x,
            out_ready: ready,
            cfg,
        };
        each(cell, &i)?;
        cell.tick(&i)?;
        if accepted {
            next += 1;
        }
        cycle += 1;
    }
    let _ = writeln!(log, "signals {hash:016x}");
    Ok(log)
}

#[derive(Template)]
#[template(path = "gru_harness.cpp", escape = "none")]
struct Harness<'a> {
    module: &'a str,
    version: &'a str,
    i: usize,
    h: usize,
    nx: u32,
    nh: u32,
    rst_port: &'a str,
    rst_on: u8,
    rst_off: u8,
    vcd: bool,
    half_ps: u64,
    programmable: bool,
    cfg_ab: u32,
    cfg_db: u32,
}

/// The clock of the harness's waveform, as of the cell model's (`gru verify --model-vcd`): the
/// cost model's default, 500 MHz.
pub const WAVE_MHZ: f64 = 500.0;

/// The harness of the cell `d` (VCD support when `vcd`: the model must be built with
/// tracing, as [`Profile::Check`] does).
pub fn render_harness(d: &CellDesign, vcd: bool) -> Result<String> {
    let (spec, iface) = (d.spec, d.iface);
    let map = lutforge_sim::gru::CfgMap::new(spec, d.lanes);
    Harness {
        programmable: d.programmable,
        cfg_ab: map.addr_bits(),
        cfg_db: map.data_bits,
        module: &iface.module,
        version: lutforge_core::VERSION,
        i: spec.inputs,
        h: spec.hidden,
        nx: spec.input.bits,
        nh: spec.fmt.h.bits,
        rst_port: iface.reset.port(),
        rst_on: iface.reset.asserted(),
        rst_off: 1 - iface.reset.asserted(),
        vcd,
        half_ps: ((1e6 / WAVE_MHZ) / 2.0).round() as u64,
    }
    .render()
    .map_err(|e| Error::internal(format!("template gru_harness.cpp: {e}")))
}

/// What one cross-check found.
#[derive(Clone, Debug, PartialEq)]
pub struct CellCheck {
    pub steps: usize,
    /// Cycles the replay took (the last handshake's cycle + 1).
    pub cycles: u64,
    /// Whether the Verilator model had to be compiled (false: from the cache).
    pub fresh_build: bool,
    /// The first difference between the RTL's log and the model's, if any.
    pub mismatch: Option<String>,
    /// Wall time of the Verilated run (reading the steps and writing the log included).
    pub rtl_seconds: f64,
}

/// The cell a cross-check is about: its spec, lanes, write port and interface.
#[derive(Clone, Copy, Debug)]
pub struct CellDesign<'a> {
    pub spec: &'a CellSpec,
    pub lanes: usize,
    pub programmable: bool,
    pub iface: &'a Interface,
}

/// Builds the Verilator model of `verilog` (the cell `d`; cached in `cache`) and replays `st`
/// through it and through the cell model; the first difference, if any, is in the result's
/// `mismatch`.
pub fn crosscheck_verilog(
    verilog: &str,
    d: &CellDesign,
    st: &Steps,
    cache: &Path,
    vcd: Option<&Path>,
) -> Result<CellCheck> {
    crosscheck_with(verilog, d, st, cache, vcd, Profile::Check)
}

/// [`crosscheck_verilog`] with the model compiled as `profile` says (no VCD with
/// [`Profile::Speed`]); the result also carries the Verilated run's wall time.
pub fn crosscheck_with(
    verilog: &str,
    d: &CellDesign,
    st: &Steps,
    cache: &Path,
    vcd: Option<&Path>,
    profile: Profile,
) -> Result<CellCheck> {
    let traced = profile == Profile::Check;
    if vcd.is_some() && !traced {
        return Err(Error::input(
            "waveforms need the checking build (with tracing)",
        ));
    }
    let cpp = render_harness(d, traced)?;
    let build = verilator::build_with(verilog, &cpp, &d.iface.module, cache, profile)?;
    let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let steps_path = dir.path().join("steps.txt");
    let out_path = dir.path().join("rtl.log");
    std::fs::write(&steps_path, st.file()).map_err(|e| Error::io(&steps_path, e))?;
    // A mismatch in the number of outputs makes the harness exit 1; the logs still compare.
    // Anything else it fails at (a log or waveform it cannot write) is an error, not a
    // verdict on the RTL.
    let t = std::time::Instant::now();
    let counted = build.run_counted(&steps_path, &out_path, vcd)?;
    let rtl_seconds = t.elapsed().as_secs_f64();
    let rtl = std::fs::read_to_string(&out_path).map_err(|e| Error::io(&out_path, e))?;
    if counted && !rtl.contains("\nsignals ") && !rtl.starts_with("signals ") {
        return Err(Error::io(
            &out_path,
            "the harness's log is incomplete (a full disk?)",
        ));
    }
    let model = model_log(d.spec, d.lanes, d.programmable, st)?;
    let mismatch = rtl
        .lines()
        .zip(model.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .map(|(n, (a, b))| {
            format!(
                "the RTL and the cell model differ at log line {}: RTL '{a}', model '{b}'",
                n + 1
            )
        })
        .or_else(|| {
            (rtl.lines().count() != model.lines().count()).then(|| {
                format!(
                    "the RTL logged {} lines, the cell model {}",
                    rtl.lines().count(),
                    model.lines().count()
                )
            })
        });
    let mismatch = mismatch.or_else(|| {
        (!counted).then(|| "the RTL took another number of steps than the stimulus".to_string())
    });
    let cycles = model
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("out "))
        .and_then(|l| l.split(' ').next())
        .and_then(|c| c.parse::<u64>().ok())
        .map_or(0, |c| c + 1);
    Ok(CellCheck {
        steps: st.steps(),
        cycles,
        fresh_build: build.fresh,
        mismatch,
        rtl_seconds,
    })
}

/// [`crosscheck_verilog`] on the cell's Verilog as `render_cell` makes it.
pub fn crosscheck(
    d: &CellDesign,
    st: &Steps,
    cache: &Path,
    vcd: Option<&Path>,
) -> Result<CellCheck> {
    let v = render_cell(d.spec, d.lanes, d.programmable, &[], d.iface)?;
    crosscheck_verilog(&v, d, st, cache, vcd)
}

/// `count` writes to random entries of a programmable cell (weights, biases, table entries,
/// each a random code of its format), from `seed`: the reloads a cross-check offers between
/// sequences.
pub fn random_writes(spec: &CellSpec, lanes: usize, seed: u64, count: usize) -> Vec<CfgWrite> {
    use lutforge_sim::gru::{act_unit, CfgMap, Sum};
    use lutforge_sim::unit::Field;
    let map = CfgMap::new(spec, lanes);
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut pick = |n: u64| -> u64 { rng.next() % n.max(1) };
    let code = |f: lutforge_core::FixedFormat, r: u64| -> i64 {
        let span = (f.max_code() - f.min_code() + 1) as u64;
        f.min_code() + (r % span) as i64
    };
    let groups = map.groups;
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let lane = pick(lanes as u64) as usize;
        let group = pick(groups as u64) as usize;
        if group * lanes + lane >= spec.hidden {
            continue;
        }
        let what = pick(8);
        let w = match what {
            0..=4 => {
                let k = pick(map.mac as u64) as usize;
                let (s, col) = spec.slot(k);
                CfgWrite {
                    addr: map.weight_addr(lane, group, k),
                    data: code(spec.weight_format(s, col), pick(u64::MAX)),
                }
            }
            5 => {
                let s = Sum::ALL[pick(4) as usize];
                CfgWrite {
                    addr: map.bias_addr(lane, s, group),
                    data: code(spec.b[s.index()].fmt, pick(u64::MAX)),
                }
            }
            _ => {
                let unit = pick(3) as usize;
                let t = [&spec.sig_r, &spec.sig_z, &spec.tanh_n][unit];
                let cfg = act_unit(t, true);
                let k = t.params.segments();
                let fields: Vec<Field> = cfg
                    .fields()
                    .iter()
                    .copied()
                    .filter(|&f| f != Field::Breakpoint || k > 1)
                    .collect();
                let field = fields[pick(fields.len() as u64) as usize];
                let n = if field == Field::Breakpoint { k - 1 } else { k };
                let index = pick(n as u64) as usize;
                CfgWrite {
                    addr: map.table_addr(unit, cfg.addr_of(field, index)),
                    data: code(t.dp.format_of(field), pick(u64::MAX)),
                }
            }
        };
        out.push(w);
    }
    out
}
