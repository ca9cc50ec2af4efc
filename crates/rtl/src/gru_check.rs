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
use std::fmt::Write as _;
use std::path::Path;

/// Sequence steps with the stall pattern to replay them under.
#[derive(Clone, Debug, PartialEq)]
pub struct Steps {
    /// Chance (of 256) that the input is offered in a cycle, and that the output is taken.
    pub valid_pct: u32,
    pub ready_pct: u32,
    pub seed: u64,
    /// (start, input codes) per step, sequences back to back.
    pub steps: Vec<(bool, Vec<i64>)>,
}

impl Steps {
    /// Every step of `sequences` (each a list of input vectors), the first of each with start.
    pub fn of(sequences: &[Vec<Vec<i64>>], valid_pct: u32, ready_pct: u32, seed: u64) -> Steps {
        Steps {
            valid_pct,
            ready_pct,
            seed,
            steps: sequences
                .iter()
                .flat_map(|s| s.iter().enumerate().map(|(t, x)| (t == 0, x.clone())))
                .collect(),
        }
    }

    /// The harness's step file.
    pub fn file(&self) -> String {
        let mut s = format!(
            "{} {} {} {}\n",
            self.valid_pct,
            self.ready_pct,
            self.seed,
            self.steps.len()
        );
        for (start, x) in &self.steps {
            let _ = write!(s, "{}", u8::from(*start));
            for c in x {
                let _ = write!(s, " {c}");
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

/// The log the harness writes, from the cell model.
pub fn model_log(spec: &CellSpec, lanes: usize, st: &Steps) -> Result<String> {
    let mut cell = Cell::new(spec.clone(), lanes)?;
    let mut rng = Rng(if st.seed == 0 { 1 } else { st.seed });
    let mut log = String::new();
    let mut hash: u64 = 1469598103934665603;
    let (mut next, mut taken, mut cycle) = (0usize, 0usize, 0u64);
    let limit = (st.steps.len() as u64 + 1) * 1_000_000;
    let empty: Vec<i64> = Vec::new();
    while taken < st.steps.len() && cycle < limit {
        let r = rng.next();
        let offer = next < st.steps.len() && (r & 255) < st.valid_pct as u64;
        let ready = ((r >> 8) & 255) < st.ready_pct as u64;
        let o = cell.outputs();
        for b in [o.in_ready, o.out_valid] {
            hash = (hash ^ u64::from(b)).wrapping_mul(1099511628211);
        }
        if offer && o.in_ready {
            let _ = writeln!(log, "in {cycle}");
        }
        if o.out_valid && ready {
            let _ = write!(log, "out {cycle}");
            for c in o.out_h {
                let _ = write!(log, " {c}");
            }
            log.push('\n');
            taken += 1;
        }
        let accepted = offer && o.in_ready;
        let (start, x) = if offer {
            (st.steps[next].0, &st.steps[next].1)
        } else {
            (false, &empty)
        };
        cell.tick(&CellIn {
            in_valid: offer,
            start,
            x,
            out_ready: ready,
        })?;
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
}

/// The harness of the cell of `spec` (VCD support when `vcd`: the model must be built with
/// tracing, as [`Profile::Check`] does).
pub fn render_harness(spec: &CellSpec, iface: &Interface, vcd: bool) -> Result<String> {
    Harness {
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

/// Builds the Verilator model of `verilog` (the cell of `spec` with `lanes` lanes, as
/// `iface` names it; cached in `cache`) and replays `st` through it and through the cell
/// model; the first difference, if any, is in the result's `mismatch`.
pub fn crosscheck_verilog(
    verilog: &str,
    spec: &CellSpec,
    lanes: usize,
    iface: &Interface,
    st: &Steps,
    cache: &Path,
    vcd: Option<&Path>,
) -> Result<CellCheck> {
    crosscheck_with(verilog, spec, lanes, iface, st, cache, vcd, Profile::Check)
}

/// [`crosscheck_verilog`] with the model compiled as `profile` says (no VCD with
/// [`Profile::Speed`]); the result also carries the Verilated run's wall time.
#[allow(clippy::too_many_arguments)]
pub fn crosscheck_with(
    verilog: &str,
    spec: &CellSpec,
    lanes: usize,
    iface: &Interface,
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
    let cpp = render_harness(spec, iface, traced)?;
    let build = verilator::build_with(verilog, &cpp, &iface.module, cache, profile)?;
    let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let steps_path = dir.path().join("steps.txt");
    let out_path = dir.path().join("rtl.log");
    std::fs::write(&steps_path, st.file()).map_err(|e| Error::io(&steps_path, e))?;
    // A mismatch in the number of outputs makes the harness exit 1; the logs still compare.
    let t = std::time::Instant::now();
    let run = build.run(&steps_path, &out_path, vcd);
    let rtl_seconds = t.elapsed().as_secs_f64();
    let rtl = std::fs::read_to_string(&out_path).map_err(|e| Error::io(&out_path, e))?;
    let model = model_log(spec, lanes, st)?;
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
    if mismatch.is_none() {
        run?;
    }
    let cycles = model
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("out "))
        .and_then(|l| l.split(' ').next())
        .and_then(|c| c.parse::<u64>().ok())
        .map_or(0, |c| c + 1);
    Ok(CellCheck {
        steps: st.steps.len(),
        cycles,
        fresh_build: build.fresh,
        mismatch,
        rtl_seconds,
    })
}

/// [`crosscheck_verilog`] on the cell's Verilog as `render_cell` makes it.
pub fn crosscheck(
    spec: &CellSpec,
    lanes: usize,
    iface: &Interface,
    st: &Steps,
    cache: &Path,
    vcd: Option<&Path>,
) -> Result<CellCheck> {
    let v = render_cell(spec, lanes, &[], iface)?;
    crosscheck_verilog(&v, spec, lanes, iface, st, cache, vcd)
}
