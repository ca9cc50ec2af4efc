//! The sigmoid and tanh of the integer GRU: lutforge PWL tables, evaluated by
//! `core::golden` exactly as the LUT unit computes them. A table's input format is its
//! pre-activation's, its output format its gate's; for each (function, formats, K) the table
//! is the exact `pwl_mse` optimum of lutforge-search, found once and cached (many genomes of a
//! search share them).
//!
//! The target is the function clipped to what the output format can hold (the hardware
//! saturates anyway), sampled at every input code, so the optimum spends its segments where
//! the output can follow. Coefficient formats: max(8, N_y + 2) bits, slopes with F_k = bits
//! (sigmoid: |k| < 1/2) or bits − 2 (tanh: |k| < 2), intercepts with F_b = bits − 2
//! (|b| < 2), lowered to F_k + F_x where the input is coarse (the unit needs F_k + F_x ≥
//! F_b). Inputs wider than 11 bits (more codes than the exact optimizer takes) get the
//! 11-bit optimum with its breakpoints scaled to the wider codes: the same real PWL.

use crate::model;
use lutforge_core::golden::{self, Datapath, IntParams};
use lutforge_core::table::{Arith, Formats, Params, Provenance, Scale, Table};
use lutforge_core::{Builtin, Error, FixedFormat, Function, Result, Rounding, Sampled};
use lutforge_search::exact;
use lutforge_search::problem::{Objective, ScaleProblem};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Act {
    Sigmoid,
    Tanh,
}

impl Act {
    pub fn name(self) -> &'static str {
        match self {
            Act::Sigmoid => "sigmoid",
            Act::Tanh => "tanh",
        }
    }

    pub fn eval(self, x: f64) -> f64 {
        match self {
            Act::Sigmoid => model::sigmoid(x),
            Act::Tanh => model::tanh(x),
        }
    }
}

/// One activation table: the unit's datapath and its contents.
#[derive(Clone, Debug, PartialEq)]
pub struct Lut {
    pub act: Act,
    pub dp: Datapath,
    pub params: IntParams,
    /// The output code of every input code, from the smallest (the golden model's answers,
    /// tabulated once: the integer GRU's inner loop reads them instead of searching the
    /// breakpoints). Input formats are at most 16 bits, so at most 65 536 entries.
    dense: Vec<i32>,
}

/// Every output of a table, by input code (see [`Lut::table`]).
#[derive(Clone, Copy, Debug)]
pub struct Dense<'a> {
    lo: i32,
    outputs: &'a [i32],
}

impl Dense<'_> {
    /// The output for input code `x`, which must be a code of the table's input format (as a
    /// requantization to that format makes it): read without a bounds check, so that a loop
    /// of lookups vectorizes into gathers.
    #[inline(always)]
    pub fn at(&self, x: i32) -> i32 {
        let i = (x - self.lo) as usize;
        assert!(
            cfg!(not(debug_assertions)) || i < self.outputs.len(),
            "code {x} outside the table's input format"
        );
        // SAFETY: `x` lies in the input format's [min_code, max_code] (the callers saturate
        // to that format first), and `outputs` holds one entry per code of that range.
        unsafe { *self.outputs.get_unchecked(i) }
    }
}

impl Lut {
    /// The table `params` on datapath `dp`, its every output tabulated.
    pub fn new(act: Act, dp: Datapath, params: IntParams) -> Lut {
        let (lo, hi) = (dp.input.min_code(), dp.input.max_code());
        let dense = (lo..=hi)
            .map(|x| golden::eval(&dp, &params, x).y as i32)
            .collect();
        Lut {
            act,
            dp,
            params,
            dense,
        }
    }

    /// The output code for input code `x`, as the unit computes it.
    pub fn eval(&self, x: i64) -> i64 {
        golden::eval(&self.dp, &self.params, x).y
    }

    /// The same as [`Lut::eval`] for a code of the input format, read from the tabulation.
    #[inline]
    pub fn lookup(&self, x: i64) -> i64 {
        self.dense[(x - self.dp.input.min_code()) as usize] as i64
    }

    /// The tabulation, for loops that read it many times.
    pub fn table(&self) -> Dense<'_> {
        Dense {
            lo: self.dp.input.min_code() as i32,
            outputs: &self.dense,
        }
    }

    /// The table as a lutforge table file (one scale), which `lutforge gen`, `sim` and
    /// `verify` take as they take any other: the GRU's activation as a LUT unit.
    pub fn to_table(&self) -> Result<Table> {
        let f = Function::Builtin(match self.act {
            Act::Sigmoid => Builtin::Sigmoid,
            Act::Tanh => Builtin::Tanh,
        });
        let input = self.dp.input;
        let mut t = Table {
            function: f,
            domain: (input.value(input.min_code()), input.value(input.max_code())),
            segments: self.params.segments(),
            arith: Arith::Int,
            formats: Formats {
                input_bits: input.bits,
                slope: self.dp.slope,
                intercept: self.dp.intercept,
                output: self.dp.output,
                rounding: self.dp.rounding,
            },
            scales: vec![Scale {
                frac: input.frac,
                params: Params::Int(self.params.clone()),
                metrics: None,
            }],
            provenance: Provenance::new(
                "gru-table",
                None,
                serde_json::json!({ "objective": "pwl_mse of the function clipped to the output", "method": "exact" }),
            ),
        };
        t.validate()?;
        t.refresh_metrics();
        Ok(t)
    }
}

/// Widest input the exact optimizer covers code by code (2048 codes).
const EXACT_BITS: u32 = 11;

type Key = (Act, FixedFormat, FixedFormat, usize);

/// Tables found so far, shared by every genome of a search (and its threads).
#[derive(Default)]
pub struct TableCache {
    tables: Mutex<HashMap<Key, Arc<Lut>>>,
}

impl TableCache {
    pub fn new() -> TableCache {
        TableCache::default()
    }

    /// Number of distinct tables found.
    pub fn len(&self) -> usize {
        self.tables.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The table of `act` from `input` to `output` codes with `k` segments.
    pub fn get(
        &self,
        act: Act,
        input: FixedFormat,
        output: FixedFormat,
        k: usize,
    ) -> Result<Arc<Lut>> {
        let key = (act, input, output, k);
        if let Some(t) = self
            .tables
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(t.clone());
        }
        // Found outside the lock: two threads may find the same table, and both get equal ones.
        let t = Arc::new(find(act, input, output, k)?);
        self.tables
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key)
            .or_insert(t.clone());
        Ok(t)
    }
}

/// The datapath of a table between these formats (see the module documentation).
pub fn datapath(act: Act, input: FixedFormat, output: FixedFormat) -> Datapath {
    let bits = (output.bits + 2).clamp(8, 16);
    let fk = match act {
        Act::Sigmoid => bits as i32,
        Act::Tanh => bits as i32 - 2,
    };
    // The exact optimum is found on at most 11 input bits (below): the intercept format must
    // suit that coarser input too, so that the wide table is the same PWL.
    let d = input.bits.saturating_sub(EXACT_BITS) as i32;
    let fb = (bits as i32 - 2).min(fk + input.frac - d);
    Datapath {
        input,
        slope: FixedFormat::new(bits, fk),
        intercept: FixedFormat::new(bits, fb),
        output,
        rounding: Rounding::HalfUp,
    }
}

fn find(act: Act, input: FixedFormat, output: FixedFormat, k: usize) -> Result<Lut> {
    let dp = datapath(act, input, output);
    dp.check()
        .map_err(|m| Error::input(format!("{} table {input} → {output}: {m}", act.name())))?;
    // Beyond 11 bits, the optimum over the 11-bit grid of the same range.
    let d = input.bits.saturating_sub(EXACT_BITS);
    let coarse = FixedFormat::new(input.bits - d, input.frac - d as i32);
    let cdp = Datapath {
        input: coarse,
        ..dp
    };
    let (lo, hi) = (coarse.min_code(), coarse.max_code());
    let (ylo, yhi) = (
        output.value(output.min_code()),
        output.value(output.max_code()),
    );
    let points: Vec<(f64, f64)> = (lo..=hi)
        .map(|c| {
            let x = coarse.value(c);
            (x, act.eval(x).clamp(ylo, yhi))
        })
        .collect();
    let target = Function::Sampled(Sampled::new(format!("{}_clipped", act.name()), points)?);
    let domain = (coarse.value(lo), coarse.value(hi));
    let problem = ScaleProblem::new(&target, domain, cdp, Objective::Pwl)
        .ok_or_else(|| Error::input(format!("{} table: no input code", act.name())))?;
    let (starts, _) = exact::solve(&problem, k);
    let mut scratch = Vec::new();
    let p = problem.params(&starts, k, &mut scratch);
    // Back to the real input format: breakpoint codes scaled; slopes and intercepts are
    // real values in formats that do not depend on the input.
    let params = IntParams {
        breakpoints: p.breakpoints.iter().map(|&b| b << d).collect(),
        slopes: p.slopes,
        intercepts: p.intercepts,
    };
    Ok(Lut::new(act, dp, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_follow_their_function_within_a_few_lsb() {
        let cache = TableCache::new();
        for (act, out) in [
            (Act::Sigmoid, FixedFormat::new(8, 7)),
            (Act::Tanh, FixedFormat::new(8, 7)),
        ] {
            let input = FixedFormat::new(8, 4);
            let t = cache.get(act, input, out, 16).unwrap();
            let lsb = 2f64.powi(-out.frac);
            let mut worst: f64 = 0.0;
            for x in input.min_code()..=input.max_code() {
                let want = act.eval(input.value(x)).clamp(-1.0, 1.0 - lsb);
                worst = worst.max((out.value(t.eval(x)) - want).abs() / lsb);
            }
            assert!(worst < 3.0, "{act:?}: {worst} LSB");
            assert_eq!(cache.len(), 1 + (act == Act::Tanh) as usize);
        }
        // Cached: the same table again.
        let a = cache
            .get(
                Act::Sigmoid,
                FixedFormat::new(8, 4),
                FixedFormat::new(8, 7),
                16,
            )
            .unwrap();
        assert_eq!(cache.len(), 2);
        assert!(Arc::ptr_eq(
            &a,
            &cache
                .get(
                    Act::Sigmoid,
                    FixedFormat::new(8, 4),
                    FixedFormat::new(8, 7),
                    16
                )
                .unwrap()
        ));
    }

    #[test]
    fn wide_inputs_take_the_scaled_11_bit_optimum() {
        let cache = TableCache::new();
        let wide = cache
            .get(
                Act::Tanh,
                FixedFormat::new(14, 10),
                FixedFormat::new(14, 13),
                16,
            )
            .unwrap();
        let input = FixedFormat::new(14, 10);
        let lsb = 2f64.powi(-13);
        let mut worst: f64 = 0.0;
        for x in (input.min_code()..=input.max_code()).step_by(7) {
            let want = Act::Tanh.eval(input.value(x)).clamp(-1.0, 1.0 - lsb);
            worst = worst.max((2f64.powi(-13) * wide.eval(x) as f64 - want).abs());
        }
        // A 16-segment tanh is good to about 1e-2 in real terms.
        assert!(worst < 0.02, "{worst}");
    }
}
