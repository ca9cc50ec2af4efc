//! Energy per inference of an integer GRU: every operation of every step counted at its widths
//! and priced with lutforge-sim's per-operation model (`cost::ops`: multipliers as synthesized,
//! ripple-carry adders, registers, Horowitz's SRAM read) and, for the sigmoid and tanh, with
//! the energy per sample of the lutforge LUT unit that computes them (`cost::estimate` of a
//! fixed-table, one-stage unit under random inputs). docs/gru.md lists the counts.

use crate::quant::{QTensor, QuantGru};
use crate::tables::{Act, Lut};
use lutforge_core::{FixedFormat, Params};
use lutforge_sim::cost::{self, ops::OpEnergy, Tech};
use lutforge_sim::stimulus::Range;
use lutforge_sim::unit::{Arith, UnitConfig};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;

/// Random samples the LUT energy is measured over.
const LUT_SAMPLES: u64 = 2048;

/// Energy of one inference, by kind of operation (pJ).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Energy {
    pub mac_pj: f64,
    pub lut_pj: f64,
    /// Elementwise products, additions and requantizations.
    pub elementwise_pj: f64,
    pub weights_pj: f64,
    pub state_pj: f64,
    pub total_pj: f64,
}

/// The LUT units' energies, measured once per table.
pub struct EnergyModel {
    pub ops: OpEnergy,
    luts: Mutex<HashMap<(Act, FixedFormat, FixedFormat, usize), f64>>,
}

/// Bits of a count of `n` (at least one): the accumulators' growth.
fn ceil_log2(n: usize) -> u32 {
    lutforge_sim::unit::ceil_log2(n).max(1)
}

impl EnergyModel {
    pub fn new(tech: Tech) -> EnergyModel {
        EnergyModel {
            ops: OpEnergy { tech },
            luts: Mutex::new(HashMap::new()),
        }
    }

    /// Energy per lookup of a fixed-table, one-stage lutforge unit holding `t`.
    pub fn lut(&self, t: &Lut) -> f64 {
        let key = (t.act, t.dp.input, t.dp.output, t.params.segments());
        if let Some(&e) = self
            .luts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return e;
        }
        let cfg = UnitConfig {
            arch: lutforge_sim::unit::Arch::Pwl,
            arith: Arith::Int(t.dp),
            segments: t.params.segments(),
            lanes: 1,
            stages: 1,
            programmable: false,
        };
        let params = Params::Int(t.params.clone());
        let range = Range::Codes {
            min: t.dp.input.min_code(),
            max: t.dp.input.max_code(),
        };
        let e = match cost::random_activity(&cfg, &params, LUT_SAMPLES, range, 1) {
            Ok((act, stats)) => {
                cost::estimate(
                    &cfg,
                    Some(&params),
                    &act,
                    stats.samples,
                    &self.ops.tech,
                    500.0,
                )
                .energy_per_op_pj
            }
            // A table the unit model cannot build has no price; it cannot occur for tables
            // from `tables` (they pass the datapath check), so count it as free rather than fail.
            Err(_) => 0.0,
        };
        self.luts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, e);
        e
    }

    /// Energy of one inference over a sequence of `steps` steps.
    pub fn inference(&self, q: &QuantGru, steps: f64) -> Energy {
        let o = &self.ops;
        let h = q.hidden;
        let hf = h as f64;
        let mut per_step = Energy::default();
        let bits = |t: &QTensor| t.codes.len() as u64 * t.fmt.bits as u64;
        for l in &q.layers {
            let f = &l.fmt;
            let ni = l.input.bits;
            let cols_i = l.w_i[0].codes.len() / h;
            for g in 0..3 {
                let wi = l.w_i[g].fmt.bits;
                let wh = l.w_h[g].fmt.bits;
                per_step.mac_pj += hf
                    * (cols_i as f64 * o.mac(wi, ni, wi + ni + ceil_log2(cols_i))
                        + hf * o.mac(wh, f.h.bits, wh + f.h.bits + ceil_log2(h)));
            }
            per_step.lut_pj += hf * (self.lut(&l.sig_r) + self.lut(&l.sig_z) + self.lut(&l.tanh_n));
            // Per unit: bias adds (r, z: one each; hn; a_n: bias and rhn), the three
            // elementwise products, zn + zh, and the eight requantizations (a rounding add of
            // the operator's width each).
            let acc = |w: &QTensor, n: u32| w.fmt.bits + n + ceil_log2(h.max(cols_i)) + 1;
            let adds = o.add(acc(&l.w_i[0], ni))
                + o.add(acc(&l.w_i[1], ni))
                + o.add(acc(&l.w_h[2], f.h.bits))
                + 2.0 * o.add(acc(&l.w_i[2], ni))
                + o.add(f.zn.bits.max(f.zh.bits) + 1);
            let products = o.mul(f.r.bits, f.hn.bits)
                + o.mul(f.z.bits, f.h.bits)
                + o.mul(f.z.bits + 1, f.n.bits);
            let requants: f64 = [f.a_r, f.a_z, f.hn, f.rhn, f.a_n, f.zh, f.zn, f.h]
                .iter()
                .map(|x| o.add(x.bits))
                .sum();
            per_step.elementwise_pj += hf * (adds + products + requants);
            let layer_bits: u64 = l.w_i.iter().chain(&l.w_h).chain(&l.b).map(bits).sum();
            per_step.weights_pj += o.sram_read(layer_bits);
            per_step.state_pj += hf * o.reg(f.h.bits);
        }
        let mut e = Energy {
            mac_pj: per_step.mac_pj * steps,
            lut_pj: per_step.lut_pj * steps,
            elementwise_pj: per_step.elementwise_pj * steps,
            weights_pj: per_step.weights_pj * steps,
            state_pj: per_step.state_pj * steps,
            total_pj: 0.0,
        };
        // The head, once: C·H MACs, the bias adds and requantizations, its weights read once.
        let hb = q.layers[q.layers.len() - 1].fmt.h.bits;
        let c = q.outputs as f64;
        let wo = q.w_o.fmt.bits;
        e.mac_pj += c * hf * o.mac(wo, hb, wo + hb + ceil_log2(h));
        e.elementwise_pj += c * (o.add(wo + hb + ceil_log2(h) + 1) + o.add(q.o.bits));
        e.weights_pj += o.sram_read(bits(&q.w_o) + bits(&q.b_o));
        e.total_pj = e.mac_pj + e.lut_pj + e.elementwise_pj + e.weights_pj + e.state_pj;
        e
    }
}
