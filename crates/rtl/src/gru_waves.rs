//! The cell model's waveform (`lutforge_sim::gru::CellVcd`) for a cross-check's stimulus, and
//! the comparison of two waveforms of a cell, signal by signal at every rising clock edge:
//! the model's against Verilator's, so that the names and values the model's VCD shows are
//! the RTL's. Both apply the reset edges first; edge n of one is edge n of the other, and at
//! each both show the inputs the edge samples and the registers it writes.

use crate::gru_check::{replay, CellDesign, Steps};
use lutforge_core::{Error, Result};
use lutforge_sim::gru::{Cell, CellVcd};
use std::collections::HashMap;
use std::io::Write;

/// Writes the cell model's waveform of `st` on `d` to `out` (clock `clock_mhz`).
pub fn model_vcd(d: &CellDesign, st: &Steps, out: impl Write, clock_mhz: f64) -> Result<()> {
    let mut cell = Cell::with_port(d.spec.clone(), d.lanes, d.programmable)?;
    let r = &d.iface.reset;
    let mut vcd = CellVcd::new(
        out,
        &cell,
        &d.iface.module,
        clock_mhz,
        r.port(),
        r.asserted() == 1,
    )?;
    vcd.reset(&cell)?;
    replay(&mut cell, st, &mut |c, i| vcd.cycle(c, i))?;
    vcd.finish(&cell)
}

/// Every signal of one scope at each rising edge of `clk`: the values written with it.
struct Edges {
    names: Vec<String>,
    at: Vec<Vec<String>>,
}

/// A value as `width` bits, most significant first, extended as VCD extends a short vector
/// (0 and 1 extend with 0, x and z with themselves).
fn bits(v: &str, width: usize) -> String {
    let fill = match v.chars().next() {
        Some('x') | Some('X') => 'x',
        Some('z') | Some('Z') => 'z',
        _ => '0',
    };
    let pad = width.saturating_sub(v.len());
    std::iter::repeat_n(fill, pad)
        .chain(v.chars().map(|c| c.to_ascii_lowercase()))
        .collect()
}

/// The signals of scope `scope` (the second level, `<module>_tb.<module>` in the model's and
/// the harness's waveforms) of the VCD `text`, at every rising edge of the scope's `clk`.
fn edges(text: &str, scope: &str) -> Result<Edges> {
    use vcd::Command;
    let bad = |e: std::io::Error| Error::input(format!("vcd: {e}"));
    let mut stack: Vec<String> = Vec::new();
    let mut ids: HashMap<vcd::IdCode, Vec<usize>> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut widths: Vec<usize> = Vec::new();
    let mut clk: Option<vcd::IdCode> = None;
    let mut cur: Vec<String> = Vec::new();
    let mut at = Vec::new();
    let mut rising = false;
    let mut clk_val = '0';
    for cmd in vcd::Parser::new(text.as_bytes()) {
        match cmd.map_err(bad)? {
            Command::ScopeDef(_, name) => stack.push(name),
            Command::Upscope => {
                stack.pop();
            }
            Command::VarDef(_, width, id, reference, _)
                if stack.len() == 2 && stack[1] == scope =>
            {
                if reference == "clk" {
                    clk = Some(id);
                } else if !names.contains(&reference) {
                    ids.entry(id).or_default().push(names.len());
                    names.push(reference);
                    widths.push(width as usize);
                    cur.push(String::new());
                }
            }
            Command::Timestamp(_) => {
                if rising {
                    at.push(cur.clone());
                }
                rising = false;
            }
            Command::ChangeScalar(id, v) => {
                let s = v.to_string();
                if Some(id) == clk {
                    let c = s.chars().next().unwrap_or('0');
                    rising |= clk_val != '1' && c == '1';
                    clk_val = c;
                }
                for &k in ids.get(&id).into_iter().flatten() {
                    cur[k] = bits(&s, widths[k]);
                }
            }
            Command::ChangeVector(id, v) => {
                let s: String = v.iter().map(|b| b.to_string()).collect();
                for &k in ids.get(&id).into_iter().flatten() {
                    cur[k] = bits(&s, widths[k]);
                }
            }
            _ => {}
        }
    }
    if rising {
        at.push(cur);
    }
    if clk.is_none() {
        return Err(Error::input(format!("vcd: no clk in scope {scope}")));
    }
    Ok(Edges { names, at })
}

/// Compares the model's waveform with Verilator's (`module`: the cell's module name) from
/// edge `from` on: every signal of the model's `<module>_tb.<module>` must be in the RTL's
/// with the same value at every edge (the inputs the edge samples, the registers it writes).
/// Returns the edges compared and the first difference.
pub fn compare(
    model: &str,
    rtl: &str,
    module: &str,
    from: usize,
) -> Result<(usize, Option<String>)> {
    let m = edges(model, module)?;
    let r = edges(rtl, module)?;
    let n = m.at.len().min(r.at.len());
    let mut cols = Vec::new();
    for (k, name) in m.names.iter().enumerate() {
        let Some(j) = r.names.iter().position(|x| x == name) else {
            return Ok((0, Some(format!("{name}: not in the RTL's waveform"))));
        };
        cols.push((k, j));
    }
    for e in from..n {
        for &(k, j) in &cols {
            let want = &r.at[e][j];
            if &m.at[e][k] != want {
                return Ok((
                    n - from,
                    Some(format!(
                        "edge {e}: {} is {} in the model, {} in the RTL",
                        m.names[k], m.at[e][k], want
                    )),
                ));
            }
        }
    }
    Ok((n.saturating_sub(from), None))
}
