//! Small tables of every standard function at every GQA-LUT scale, built from core's types
//! (chord fits on evenly spaced breakpoints): valid tables, not good ones, which is all a
//! simulator check needs.
#![allow(dead_code)]

use lutforge_core::table::{Arith, Formats, Params, Provenance, Scale, Table};
use lutforge_core::{Builtin, Function, IntParams};
use lutforge_sim::run::{run, RunOptions};
use lutforge_sim::stimulus::VecStimulus;
use lutforge_sim::Unit;

pub const SCALES: std::ops::RangeInclusive<i32> = 0..=6;

pub fn table(b: Builtin, segments: usize) -> Table {
    let f = Function::Builtin(b);
    let domain = f.default_domain();
    let formats = Formats::default_for(&f, domain);
    let mut scales = Vec::new();
    for frac in SCALES {
        let q = (1i64 << frac) as f64;
        let (cmin, cmax) = (-128i64, 127i64);
        let edges: Vec<f64> = (0..=segments)
            .map(|i| domain.0 + (domain.1 - domain.0) * i as f64 / segments as f64)
            .collect();
        let mut breakpoints: Vec<i64> = edges[1..segments]
            .iter()
            .map(|&v| ((v * q).round() as i64).clamp(cmin, cmax))
            .collect();
        for i in 1..breakpoints.len() {
            breakpoints[i] = breakpoints[i].max(breakpoints[i - 1]);
        }
        let code = |v: f64| ((v * 64.0).round() as i64).clamp(-128, 127);
        let (mut slopes, mut intercepts) = (Vec::new(), Vec::new());
        for s in 0..segments {
            let (x0, x1) = (edges[s], edges[s + 1]);
            let k = (f.eval(x1) - f.eval(x0)) / (x1 - x0);
            slopes.push(code(k));
            intercepts.push(code(f.eval(x0) - k * x0));
        }
        scales.push(Scale {
            frac,
            params: Params::Int(IntParams {
                breakpoints,
                slopes,
                intercepts,
            }),
            metrics: None,
        });
    }
    let t = Table {
        function: f,
        domain,
        segments,
        arith: Arith::Int,
        formats,
        scales,
        provenance: Provenance::new("test-chords", None, serde_json::Value::Null),
    };
    t.validate().expect("test table is valid");
    t
}

pub fn all_tables() -> Vec<Table> {
    Builtin::ALL.iter().map(|&b| table(b, 8)).collect()
}

pub fn int_params(t: &Table, frac: i32) -> &IntParams {
    match &t.scale(frac).unwrap().params {
        Params::Int(p) => p,
        Params::Fp32(_) => panic!("integer table expected"),
    }
}

/// Runs `samples` through `unit`; returns one output per sample, in order.
pub fn outputs(unit: &mut Unit, samples: &[i64], stall_prob: f64, seed: u64) -> Vec<i64> {
    let lanes = unit.config().lanes;
    let mut stim = VecStimulus::samples(samples, lanes);
    let mut out = Vec::new();
    let stats = run(
        unit,
        &mut stim,
        &RunOptions { stall_prob, seed },
        &mut [],
        |beat| {
            out.extend_from_slice(beat);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(stats.samples, samples.len() as u64);
    assert_eq!(stats.beats_in, stats.beats_out);
    out.truncate(samples.len());
    out
}
