//! The RTL against the simulator: the same stimulus through `lutforge-sim` and through the
//! Verilator build, compared cycle by cycle (trace files) and signal by signal (waveforms).

use crate::render::{render_unit, Interface};
use crate::verilator::{self, Build, Profile};
use lutforge_core::{Error, Fp32Params, IntParams, Params, Result};
pub use lutforge_sim::stimulus::beats;
use lutforge_sim::stimulus::{Event, VecStimulus};
use lutforge_sim::trace::TraceWriter;
use lutforge_sim::unit::{Arith, CfgWrite, Field, Unit, UnitConfig};
use lutforge_sim::waves::VcdWriter;
use lutforge_sim::{Observer, RunOptions, RunStats};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufRead, BufReader, BufWriter};
use std::path::Path;

/// The first difference between the simulator and the RTL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub cycle: u64,
    pub signal: String,
    pub expected: String,
    pub actual: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cycle {}: {} is {} in the RTL, {} in the simulator",
            self.cycle, self.signal, self.actual, self.expected
        )
    }
}

/// A table with every entry zero: the reset contents of the shared verification build, so the
/// build depends only on the unit's shape and serves every table of that shape.
pub fn zero_table(cfg: &UnitConfig) -> Params {
    let k = cfg.segments;
    if let (lutforge_sim::unit::Arch::Rom, Arith::Int(dp)) = (cfg.arch, &cfg.arith) {
        // A direct table's structure is its address decoder: every word 0.
        return lutforge_sim::unit::rom_params(dp.input, &vec![0; k]);
    }
    match cfg.arith {
        Arith::Int(_) => Params::Int(IntParams {
            breakpoints: vec![0; k - 1],
            slopes: vec![0; k],
            intercepts: vec![0; k],
        }),
        Arith::Fp32 => Params::Fp32(Fp32Params {
            breakpoints: vec![0.0; k - 1],
            slopes: vec![0.0; k],
            intercepts: vec![0.0; k],
        }),
    }
}

/// The cfg writes that load `params` into a programmable unit of `cfg`.
pub fn load_events(cfg: &UnitConfig, params: &Params) -> Result<Vec<(Event, Vec<i64>)>> {
    crate::render::check_table(cfg, params)?;
    let regs = params;
    let mut ev = Vec::new();
    // The fields the write port reaches: a direct table's words alone, one write per word.
    for &f in cfg.fields() {
        for (i, &data) in regs.words(f).iter().enumerate() {
            ev.push((
                Event::Cfg(CfgWrite {
                    addr: cfg.addr_of(f, i),
                    data,
                }),
                vec![0; cfg.lanes],
            ));
        }
    }
    Ok(ev)
}

/// A random stream: `n` samples drawn from `pool`, random idle gaps, and every few beats a
/// rewrite of a random table entry with a value drawn from `rewrite` (field by field).
pub fn random_events(
    cfg: &UnitConfig,
    pool: &[i64],
    rewrite: &Params,
    n: usize,
    seed: u64,
) -> Vec<(Event, Vec<i64>)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let lanes = cfg.lanes;
    let mut ev = Vec::new();
    let fields: Vec<(Field, Vec<i64>)> = cfg
        .fields()
        .iter()
        .copied()
        .map(|f| (f, rewrite.words(f)))
        .filter(|(_, w)| !w.is_empty())
        .collect();
    let mut left = n;
    while left > 0 {
        let real = lanes.min(left);
        let mut beat: Vec<i64> = (0..real)
            .map(|_| pool[rng.gen_range(0..pool.len())])
            .collect();
        beat.resize(lanes, 0);
        ev.push((Event::Beat { real }, beat));
        left -= real;
        if rng.gen_bool(0.15) {
            ev.push((Event::Idle(rng.gen_range(1..4)), vec![0; lanes]));
        }
        if cfg.programmable && rng.gen_bool(0.05) {
            let (f, words) = &fields[rng.gen_range(0..fields.len())];
            let entries = cfg.segments - usize::from(*f == Field::Breakpoint);
            let i = rng.gen_range(0..entries);
            // A value from the same field of `rewrite`: always in the field's format.
            let data = words[rng.gen_range(0..words.len())];
            ev.push((
                Event::Cfg(CfgWrite {
                    addr: cfg.addr_of(*f, i),
                    data,
                }),
                vec![0; lanes],
            ));
        }
    }
    ev
}

/// Runs the simulator on `events` from reset with `init` in the table, writing its trace (and
/// waveforms of the unit `module` at a clock in MHz) for the harness.
pub fn simulate(
    cfg: &UnitConfig,
    init: &Params,
    events: Vec<(Event, Vec<i64>)>,
    opts: &RunOptions,
    trace: &Path,
    vcd: Option<(&Path, f64, &str)>,
) -> Result<RunStats> {
    let mut unit = Unit::new(*cfg, init)?;
    let mut stim = VecStimulus::new(events);
    let file = std::fs::File::create(trace).map_err(|e| Error::io(trace, e))?;
    let mut tw = TraceWriter::new(BufWriter::new(file));
    let mut vw = match vcd {
        Some((p, mhz, module)) => {
            let f = std::fs::File::create(p).map_err(|e| Error::io(p, e))?;
            Some(VcdWriter::new(BufWriter::new(f), mhz, module)?)
        }
        None => None,
    };
    let mut observers: Vec<&mut dyn Observer> = vec![&mut tw];
    if let Some(v) = vw.as_mut() {
        observers.push(v);
    }
    lutforge_sim::run(&mut unit, &mut stim, opts, &mut observers, |_| Ok(()))
}

/// Compares the RTL's trace with the simulator's: every cycle's in_ready, out_valid and
/// out_data, and that both saw the same inputs for the same number of cycles.
pub fn compare_traces(expected: &Path, actual: &Path) -> Result<(u64, Option<Mismatch>)> {
    let open = |p: &Path| -> Result<_> {
        let f = std::fs::File::open(p).map_err(|e| Error::io(p, e))?;
        Ok(BufReader::new(f)
            .lines()
            .map_while(|l| l.ok())
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty()))
    };
    let names = &lutforge_sim::trace::COLUMNS[..10];
    let mut exp = open(expected)?;
    let mut act = open(actual)?;
    let mut cycles = 0u64;
    loop {
        match (exp.next(), act.next()) {
            (None, None) => return Ok((cycles, None)),
            (Some(_), None) | (None, Some(_)) => {
                return Ok((
                    cycles,
                    Some(Mismatch {
                        cycle: cycles,
                        signal: "trace length".into(),
                        expected: "as many cycles".into(),
                        actual: "a different number of cycles".into(),
                    }),
                ))
            }
            (Some(e), Some(a)) => {
                let ef: Vec<&str> = e.split_whitespace().collect();
                let af: Vec<&str> = a.split_whitespace().collect();
                for (i, name) in names.iter().enumerate() {
                    let (x, y) = (ef.get(i).copied(), af.get(i).copied());
                    if x != y {
                        return Ok((
                            cycles,
                            Some(Mismatch {
                                cycle: cycles,
                                signal: name.to_string(),
                                expected: x.unwrap_or("-").to_string(),
                                actual: y.unwrap_or("-").to_string(),
                            }),
                        ));
                    }
                }
                cycles += 1;
            }
        }
    }
}

/// Value changes of the signals in the scope of a VCD file that holds `s4_valid` (the unit):
/// name → (time, bits) with repeated values dropped.
pub fn vcd_signals(path: &Path) -> Result<BTreeMap<String, Vec<(u64, String)>>> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut p = vcd::Parser::new(BufReader::new(f));
    let header = p
        .parse_header()
        .map_err(|e| Error::io(path, format!("VCD header: {e}")))?;
    fn find(items: &[vcd::ScopeItem]) -> Option<&[vcd::ScopeItem]> {
        let here = items
            .iter()
            .any(|i| matches!(i, vcd::ScopeItem::Var(v) if v.reference == "s4_valid"));
        if here {
            return Some(items);
        }
        items.iter().find_map(|i| match i {
            vcd::ScopeItem::Scope(s) => find(&s.items),
            _ => None,
        })
    }
    let scope = find(&header.items).ok_or_else(|| Error::io(path, "no scope holds s4_valid"))?;
    let mut by_code: BTreeMap<String, (String, u32)> = BTreeMap::new();
    for item in scope {
        if let vcd::ScopeItem::Var(v) = item {
            by_code.insert(v.code.to_string(), (v.reference.clone(), v.size));
        }
    }
    let mut out: BTreeMap<String, Vec<(u64, String)>> = BTreeMap::new();
    let mut t = 0u64;
    for cmd in p {
        let cmd = cmd.map_err(|e| Error::io(path, format!("VCD: {e}")))?;
        let (code, bits) = match cmd {
            vcd::Command::Timestamp(x) => {
                t = x;
                continue;
            }
            vcd::Command::ChangeScalar(c, v) => (c, v.to_string()),
            vcd::Command::ChangeVector(c, v) => (c, v.iter().map(|b| b.to_string()).collect()),
            _ => continue,
        };
        if let Some((name, size)) = by_code.get(&code.to_string()) {
            // Vectors may be written without leading zeros; pad to the declared width.
            let pad = (*size as usize).saturating_sub(bits.len());
            let bits = "0".repeat(pad) + &bits;
            let list = out.entry(name.clone()).or_default();
            if list.last().map(|(_, b)| b != &bits).unwrap_or(true) {
                list.push((t, bits));
            }
        }
    }
    Ok(out)
}

/// Compares two waveforms on the signals both have; returns how many were compared and the
/// first difference (time in the files' unit, converted to a cycle with `period`).
pub fn compare_vcds(
    expected: &Path,
    actual: &Path,
    period: u64,
) -> Result<(usize, Option<Mismatch>)> {
    let e = vcd_signals(expected)?;
    let a = vcd_signals(actual)?;
    let mut compared = 0;
    let mut first: Option<(u64, Mismatch)> = None;
    for (name, ev) in &e {
        let Some(av) = a.get(name) else { continue };
        compared += 1;
        let n = ev.len().max(av.len());
        for i in 0..n {
            let (x, y) = (ev.get(i), av.get(i));
            if x != y {
                let t = x.map_or(u64::MAX, |v| v.0).min(y.map_or(u64::MAX, |v| v.0));
                let m = Mismatch {
                    cycle: t / period.max(1),
                    signal: name.clone(),
                    expected: x.map_or("(no change)".into(), |v| format!("{} at {}", v.1, v.0)),
                    actual: y.map_or("(no change)".into(), |v| format!("{} at {}", v.1, v.0)),
                };
                if first.as_ref().map(|(ft, _)| t < *ft).unwrap_or(true) {
                    first = Some((t, m));
                }
                break;
            }
        }
    }
    Ok((compared, first.map(|(_, m)| m)))
}

/// Builds the shared programmable model for units shaped like `cfg` (cached in `cache`).
pub fn shared_build(cfg: &UnitConfig, cache: &Path, clock_mhz: f64) -> Result<(Build, Params)> {
    shared_build_with(cfg, cache, clock_mhz, Profile::Check)
}

/// [`shared_build`] compiled as `profile` says (e.g. [`Profile::Speed`] for benchmarks).
pub fn shared_build_with(
    cfg: &UnitConfig,
    cache: &Path,
    clock_mhz: f64,
    profile: Profile,
) -> Result<(Build, Params)> {
    let mut shape = *cfg;
    shape.programmable = true;
    let zeros = zero_table(&shape);
    let iface = Interface::default();
    let unit = render_unit(
        &shape,
        &zeros,
        &["verification build: table loaded through cfg_*".into()],
        &iface,
    )?;
    let harness = verilator::render_harness(&shape, clock_mhz, &iface)?;
    Ok((
        verilator::build_with(&unit, &harness, &iface.module, cache, profile)?,
        zeros,
    ))
}

/// Builds the model of one given unit (`unit_v`, shaped like `cfg`, named and reset as
/// `iface` says): a fixed-table unit, or a generated directory's possibly edited Verilog.
pub fn unit_build(
    unit_v: &str,
    cfg: &UnitConfig,
    iface: &Interface,
    cache: &Path,
    clock_mhz: f64,
) -> Result<Build> {
    let harness = verilator::render_harness(cfg, clock_mhz, iface)?;
    verilator::build(unit_v, &harness, &iface.module, cache)
}

/// Outcome of one cross-check run.
#[derive(Clone, Debug)]
pub struct Checked {
    pub cycles: u64,
    pub stats: RunStats,
    pub mismatch: Option<Mismatch>,
}

/// Runs `events` through the simulator and the built model from the same reset state and
/// compares the traces. `dir` receives the trace files.
pub fn check(
    build: &Build,
    cfg: &UnitConfig,
    init: &Params,
    events: Vec<(Event, Vec<i64>)>,
    opts: &RunOptions,
    dir: &Path,
) -> Result<Checked> {
    let sim_trace = dir.join("sim.trace");
    let rtl_trace = dir.join("rtl.trace");
    let stats = simulate(cfg, init, events, opts, &sim_trace, None)?;
    build.run(&sim_trace, &rtl_trace, None)?;
    let (cycles, mismatch) = compare_traces(&sim_trace, &rtl_trace)?;
    Ok(Checked {
        cycles,
        stats,
        mismatch,
    })
}
