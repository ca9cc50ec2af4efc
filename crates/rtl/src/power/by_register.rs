//! The data path's energy by the register it feeds. Each flip-flop belongs to its register
//! (the RTL name of its Q net as Yosys kept it: in the unit, `fp` for `s3_prod`) with the
//! multiplexers that hold and reset it; each combinational cell belongs to the registers its
//! outputs reach through logic (shared equally when they reach several). A pipelined unit's
//! logic thus falls into its stages — what reaches `s2_seg` (`ls`) is the comparators and the
//! encoder, what reaches `s3_prod` (`fp`) the slope multiplexer and the multiplier — which is
//! how the cost model's components compare with the netlist.

use super::{Bit, NetCell, Netlist, Priced};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A name Yosys kept from the RTL (not one `rename -enumerate` made up: `_123_`).
fn public(name: &str) -> bool {
    !(name.starts_with('$')
        || (name.starts_with('_')
            && name.ends_with('_')
            && name[1..name.len() - 1].bytes().all(|b| b.is_ascii_digit())))
}

fn is_dff(c: &NetCell) -> bool {
    c.kind == "$_DFF_P_"
}

/// The RTL name of every bit that has one: the longest of the aliases Yosys kept (`opt_clean
/// -purge` keeps one of a register and the wires assigned from it), then the first in order.
fn names(n: &Netlist) -> HashMap<Bit, String> {
    let mut by: HashMap<Bit, String> = HashMap::new();
    let mut nets: Vec<(&String, &Vec<Option<Bit>>)> = n.nets.iter().collect();
    nets.sort();
    for (name, bits) in nets {
        if !public(name) {
            continue;
        }
        for b in bits.iter().flatten() {
            let keep = by
                .get(b)
                .is_some_and(|k| (k.len() > name.len()) || (k.len() == name.len() && k <= name));
            if !keep {
                by.insert(*b, name.clone());
            }
        }
    }
    by
}

/// Data-path energy (internal and switching, fJ) by register: `reg NAME` for the register's
/// flip-flops and hold multiplexers, `to NAME` for the logic that reaches it (`to outputs`:
/// logic that reaches no flip-flop), `inputs` for the primary inputs' nets.
pub fn by_register(n: &Netlist, p: &Priced) -> BTreeMap<String, f64> {
    let names = names(n);
    let mut consumers: HashMap<Bit, Vec<usize>> = HashMap::new();
    for (i, c) in n.cells.iter().enumerate() {
        for (port, b) in &c.inputs {
            if !(is_dff(c) && port == "C") {
                consumers.entry(*b).or_default().push(i);
            }
        }
    }
    let group = |c: &NetCell| {
        c.outputs
            .first()
            .and_then(|b| names.get(b))
            .cloned()
            .unwrap_or_else(|| "unnamed".into())
    };
    // A register's hold and reset paths: walking back from a flip-flop's D, each multiplexer
    // that loads only the next cell and takes either the flip-flop's Q (hold) or a constant
    // (the reset value) belongs to the register.
    let mut driver: HashMap<Bit, usize> = HashMap::new();
    for (i, c) in n.cells.iter().enumerate() {
        for b in &c.outputs {
            driver.insert(*b, i);
        }
    }
    let mut owner: Vec<Option<String>> = vec![None; n.cells.len()];
    for (d, c) in n.cells.iter().enumerate() {
        if !is_dff(c) {
            continue;
        }
        let g = group(c);
        owner[d] = Some(g.clone());
        let q = c.outputs.first().copied();
        let mut next = d;
        let mut at = c.inputs.iter().find(|(p, _)| p == "D").map(|(_, b)| *b);
        while let Some(&m) = at.and_then(|b| driver.get(&b)) {
            let mc = &n.cells[m];
            let only = consumers
                .get(&mc.outputs[0])
                .is_some_and(|cs| cs.len() == 1 && cs[0] == next);
            let data: Vec<Bit> = mc
                .inputs
                .iter()
                .filter(|(p, _)| p == "A" || p == "B")
                .map(|(_, b)| *b)
                .collect();
            let holds = q.is_some_and(|q| data.contains(&q));
            if !(mc.kind == "$_MUX_" && mc.outputs.len() == 1 && only && (holds || data.len() < 2))
            {
                break;
            }
            owner[m] = Some(g.clone());
            next = m;
            at = data.into_iter().find(|b| Some(*b) != q);
        }
    }
    // The registers each combinational cell reaches, by memoized depth-first search.
    let mut reach: Vec<Option<BTreeSet<String>>> = vec![None; n.cells.len()];
    fn visit(
        i: usize,
        n: &Netlist,
        consumers: &HashMap<Bit, Vec<usize>>,
        owner: &[Option<String>],
        reach: &mut Vec<Option<BTreeSet<String>>>,
    ) -> BTreeSet<String> {
        if let Some(r) = &reach[i] {
            return r.clone();
        }
        let mut r = BTreeSet::new();
        for b in &n.cells[i].outputs {
            match consumers.get(b) {
                Some(cs) => {
                    for &j in cs {
                        match &owner[j] {
                            Some(g) => {
                                r.insert(g.clone());
                            }
                            None => r.extend(visit(j, n, consumers, owner, reach)),
                        }
                    }
                }
                None => {
                    r.insert("outputs".to_string());
                }
            }
        }
        if r.is_empty() {
            r.insert("outputs".to_string());
        }
        reach[i] = Some(r.clone());
        r
    }
    let mut out: BTreeMap<String, f64> = BTreeMap::new();
    for (i, e) in p.cells.iter().enumerate() {
        let fj = e.internal_fj + e.switching_fj;
        match &owner[i] {
            Some(g) => *out.entry(format!("reg {g}")).or_insert(0.0) += fj,
            None => {
                let r = visit(i, n, &consumers, &owner, &mut reach);
                let share = fj / r.len() as f64;
                for g in r {
                    *out.entry(format!("to {g}")).or_insert(0.0) += share;
                }
            }
        }
    }
    *out.entry("inputs".into()).or_insert(0.0) += p.inputs_fj;
    out
}
