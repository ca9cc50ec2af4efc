//! Toggles per netlist bit from a waveform: every 0↔1 change of every bit of every net of the
//! netlist's scope, counted once per bit however many names the waveform gives it (a port and
//! the wire it is assigned to are one bit of the netlist).

use super::{Bit, Netlist};
use lutforge_core::{Error, Result};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use vcd::{Command, IdCode, ScopeItem, TimescaleUnit, Value};

/// What a run toggled.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Toggles {
    /// 0↔1 changes per bit (changes from or to x and z are not toggles).
    pub per_bit: BTreeMap<Bit, u64>,
    /// Rising edges of the clock.
    pub cycles: u64,
    /// Simulated time, seconds.
    pub seconds: f64,
}

fn scope_vars<'a>(items: &'a [ScopeItem], path: &[&str]) -> Option<&'a [ScopeItem]> {
    let (first, rest) = path.split_first()?;
    items.iter().find_map(|i| match i {
        ScopeItem::Scope(s) if s.identifier == *first => {
            if rest.is_empty() {
                Some(s.items.as_slice())
            } else {
                scope_vars(&s.items, rest)
            }
        }
        _ => None,
    })
}

/// Counts the toggles of `netlist`'s nets in the scope `scope` (e.g. `["unit_tb", "unit"]`)
/// of the waveform at `path`; the cycles are the rising edges of `clock` in that scope.
pub fn toggles(path: &Path, scope: &[&str], netlist: &Netlist, clock: &str) -> Result<Toggles> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut p = vcd::Parser::new(std::io::BufReader::new(f));
    let header = p
        .parse_header()
        .map_err(|e| Error::io(path, format!("not a waveform: {e}")))?;
    let items = scope_vars(&header.items, scope).ok_or_else(|| {
        Error::input(format!(
            "{}: no scope {} in the waveform",
            path.display(),
            scope.join(".")
        ))
    })?;
    // Each waveform variable of the scope: the netlist bits it carries, most significant
    // first as the waveform writes vectors.
    let mut vars: HashMap<IdCode, Vec<Option<Bit>>> = HashMap::new();
    let mut clock_id = None;
    for i in items {
        if let ScopeItem::Var(v) = i {
            if v.reference == clock {
                clock_id = Some(v.code);
            }
            if let Some(bits) = netlist.nets.get(&v.reference) {
                if bits.len() == v.size as usize {
                    let mut msb_first = bits.clone();
                    msb_first.reverse();
                    vars.insert(v.code, msb_first);
                }
            }
        }
    }
    let clock_id = clock_id.ok_or_else(|| {
        Error::input(format!(
            "{}: no clock '{clock}' in the waveform",
            path.display()
        ))
    })?;
    let mut last: HashMap<Bit, Value> = HashMap::new();
    let mut out = Toggles::default();
    let mut clock_was = Value::X;
    let mut time = 0u64;
    let mut apply = |bits: &[Option<Bit>], values: &[Value], out: &mut Toggles| {
        for (b, v) in bits.iter().zip(values) {
            let Some(b) = b else { continue };
            let prev = last.insert(*b, *v);
            if matches!(
                (prev, v),
                (Some(Value::V0), Value::V1) | (Some(Value::V1), Value::V0)
            ) {
                *out.per_bit.entry(*b).or_insert(0) += 1;
            }
        }
    };
    for cmd in p {
        match cmd.map_err(|e| Error::io(path, format!("unreadable waveform: {e}")))? {
            Command::Timestamp(t) => time = t,
            Command::ChangeScalar(id, v) => {
                if id == clock_id {
                    if clock_was == Value::V0 && v == Value::V1 {
                        out.cycles += 1;
                    }
                    clock_was = v;
                }
                if let Some(bits) = vars.get(&id) {
                    apply(bits, &[v], &mut out);
                }
            }
            Command::ChangeVector(id, v) => {
                if let Some(bits) = vars.get(&id) {
                    // A vector shorter than its variable is extended with its leading bit's
                    // rule (0 for 0 and 1, else the same x or z).
                    let vals: Vec<Value> = v.iter().collect();
                    let pad = bits.len().saturating_sub(vals.len());
                    let fill = match vals.first() {
                        Some(Value::X) => Value::X,
                        Some(Value::Z) => Value::Z,
                        _ => Value::V0,
                    };
                    let full: Vec<Value> = std::iter::repeat_n(fill, pad).chain(vals).collect();
                    apply(bits, &full, &mut out);
                }
            }
            _ => {}
        }
    }
    let unit = match header.timescale {
        Some((n, u)) => {
            n as f64
                * match u {
                    TimescaleUnit::S => 1.0,
                    TimescaleUnit::MS => 1e-3,
                    TimescaleUnit::US => 1e-6,
                    TimescaleUnit::NS => 1e-9,
                    TimescaleUnit::PS => 1e-12,
                    TimescaleUnit::FS => 1e-15,
                }
        }
        None => 1e-9,
    };
    out.seconds = time as f64 * unit;
    Ok(out)
}
