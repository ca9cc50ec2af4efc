//! The cost model's estimate of the same run: the directory's `stimulus.hex` replayed cycle by
//! cycle through the simulator's unit with activity counting on, each cycle's outputs checked
//! against `expected.hex` (so the replay is the run the testbench made), then priced by the
//! cost model. The two methods share the stimulus and differ only in method.

use crate::gen::Manifest;
use crate::testbench::hex_bits;
use lutforge_core::{Error, Result};
use lutforge_sim::convert::unit_for;
use lutforge_sim::cost::{estimate, CostReport, Tech};
use lutforge_sim::unit::Arith;
use lutforge_sim::{CfgWrite, Unit};
use std::path::Path;

fn field(bits: &[bool], at: &mut usize, width: u32) -> u64 {
    let mut v = 0u64;
    for _ in 0..width {
        v = (v << 1) | bits[*at] as u64;
        *at += 1;
    }
    v
}

fn signed(v: u64, width: u32, sign: bool) -> i64 {
    if sign && width < 64 && (v >> (width - 1)) & 1 == 1 {
        (v | !((1u64 << width) - 1)) as i64
    } else {
        v as i64
    }
}

/// The cost model's report for the run of the directory's testbench.
pub fn cost_model_run(dir: &Path, m: &Manifest, tech: &Tech, clock_mhz: f64) -> Result<CostReport> {
    let table = m.table()?;
    let (cfg, params) = unit_for(&table, m.scale, &m.shape()?)?;
    let w = cfg.widths();
    let sign = matches!(cfg.arith, Arith::Int(_));
    let lanes = cfg.lanes;
    let read = |name: &str| -> Result<Vec<String>> {
        let p = dir.join(name);
        let text = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
        Ok(text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect())
    };
    let (stim, expect) = (read("stimulus.hex")?, read("expected.hex")?);
    if stim.len() != expect.len() {
        return Err(Error::input(format!(
            "{}: stimulus.hex has {} cycles, expected.hex {}",
            dir.display(),
            stim.len(),
            expect.len()
        )));
    }
    let in_w = 2
        + lanes as u32 * w.x
        + if cfg.programmable {
            1 + w.cfg_addr + w.cfg_data
        } else {
            0
        };
    let out_w = 2 + lanes as u32 * w.y;
    let mut unit = Unit::new(cfg, &params)?;
    unit.set_tracking(true);
    let mut samples = 0u64;
    let mut bits = Vec::new();
    for (c, (s, e)) in stim.iter().zip(&expect).enumerate() {
        bits.clear();
        hex_bits(s, in_w, &mut bits)?;
        let mut at = 0;
        let in_valid = field(&bits, &mut at, 1) == 1;
        let mut data = vec![0i64; lanes];
        let raw: Vec<u64> = (0..lanes).map(|_| field(&bits, &mut at, w.x)).collect();
        for (l, r) in raw.iter().rev().enumerate() {
            data[l] = signed(*r, w.x, sign);
        }
        let out_ready = field(&bits, &mut at, 1) == 1;
        let cfg_write = if cfg.programmable {
            let we = field(&bits, &mut at, 1) == 1;
            let addr = field(&bits, &mut at, w.cfg_addr);
            let d = field(&bits, &mut at, w.cfg_data);
            we.then(|| CfgWrite {
                addr,
                data: signed(d, w.cfg_data, sign),
            })
        } else {
            None
        };
        // The outputs the testbench samples in this cycle, before its closing edge.
        bits.clear();
        hex_bits(e, out_w, &mut bits)?;
        let mut at = 0;
        let want_ready = field(&bits, &mut at, 1) == 1;
        let want_valid = field(&bits, &mut at, 1) == 1;
        let ready = unit.in_ready(out_ready);
        if ready != want_ready || unit.out_valid() != want_valid {
            return Err(Error::input(format!(
                "{}: the simulator's replay of stimulus.hex differs from expected.hex in cycle {c}",
                dir.display()
            )));
        }
        if in_valid && ready {
            samples += lanes as u64;
        }
        unit.step(in_valid, &data, out_ready, cfg_write)?;
    }
    Ok(estimate(
        &cfg,
        Some(&params),
        unit.activity(),
        samples,
        tech,
        clock_mhz,
    ))
}
