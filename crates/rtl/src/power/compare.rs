//! The two methods side by side, per operation (a unit's sample, a cell's inference), at one
//! supply: the cost model's energies hold at Horowitz's 0.9 V, the library's at its corner's
//! supply, so the model's figure is scaled by (V_lib / V_model)² before the ratios are taken
//! (switched and internal energies are both C·V²). Each method's figure splits into its data
//! path and its flip-flops' clock, compared part by part.

use super::{GateLevel, Library};
use lutforge_sim::cost::{ratio, Tech};
use serde::Serialize;

/// Energies in pJ per operation; ratios are the cost model's over the gate level's.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Comparison {
    pub gate_level_pj: f64,
    pub gate_level_datapath_pj: f64,
    pub gate_level_clock_pj: f64,
    /// The cost model at its own supply, as `lutforge cost` reports it.
    pub cost_model_pj: f64,
    /// The factor (V_lib / V_model)² that brings the cost model to the library's supply.
    pub supply_scale: f64,
    /// The cost model at the library's supply.
    pub cost_model_at_library_pj: f64,
    pub cost_model_datapath_at_library_pj: f64,
    pub cost_model_clock_at_library_pj: f64,
    pub ratio: f64,
    pub ratio_datapath: f64,
    pub ratio_clock: f64,
}

impl Comparison {
    /// `g` over `ops` operations beside the cost model's `model_pj` per operation, of which
    /// `model_clock_pj` is clock, priced at `tech`.
    pub fn new(
        g: &GateLevel,
        ops: f64,
        model_pj: f64,
        model_clock_pj: f64,
        lib: &Library,
        tech: &Tech,
    ) -> Comparison {
        let per = |fj: f64| fj / 1000.0 / ops.max(1.0);
        let v = lib.vdd / tech.vdd;
        let scale = v * v;
        let (gate, data, clock) = (
            per(g.switching_fj + g.internal_fj + g.clock_fj),
            per(g.switching_fj + g.internal_fj),
            per(g.clock_fj),
        );
        let (m, mc) = (model_pj * scale, model_clock_pj * scale);
        Comparison {
            gate_level_pj: gate,
            gate_level_datapath_pj: data,
            gate_level_clock_pj: clock,
            cost_model_pj: model_pj,
            supply_scale: scale,
            cost_model_at_library_pj: m,
            cost_model_datapath_at_library_pj: m - mc,
            cost_model_clock_at_library_pj: mc,
            ratio: ratio(m, gate),
            ratio_datapath: ratio(m - mc, data),
            ratio_clock: ratio(mc, clock),
        }
    }

    /// The report's lines for the cost model, `per` naming the operation ("sample").
    pub fn lines(&self, tech: &Tech, lib: &Library, per: &str) -> Vec<String> {
        vec![
            format!(
                "cost model ({}): {:.3} pJ/{per} dynamic at {:.2} V; at the library's {:.2} V \
                 (x{:.3}) {:.3} pJ/{per}",
                tech.name,
                self.cost_model_pj,
                tech.vdd,
                lib.vdd,
                self.supply_scale,
                self.cost_model_at_library_pj
            ),
            format!(
                "  cost model / gate level: {:.2}x  (data path {:.3} vs {:.3} pJ: {:.2}x; clock \
                 {:.3} vs {:.3} pJ: {:.2}x)",
                self.ratio,
                self.cost_model_datapath_at_library_pj,
                self.gate_level_datapath_pj,
                self.ratio_datapath,
                self.cost_model_clock_at_library_pj,
                self.gate_level_clock_pj,
                self.ratio_clock
            ),
        ]
    }
}

/// One `--power` run as `synth --power --json` and `gru synth --power --json` print it: the same
/// keys for a unit and a cell, named for what one figure is per (`per_sample` and
/// `gate_level_leakage_pj_per_sample`; `per_inference`, …), beside the run's own counts.
pub struct Report<'a, C: Serialize> {
    pub module: &'a str,
    /// What one figure is per: "sample" or "inference".
    pub per: &'static str,
    /// The operations the run's energies are divided by.
    pub ops: f64,
    /// The run's counts besides its cycles (`samples`; `sequences` and `steps`).
    pub counts: &'a [(&'static str, u64)],
    pub gate: &'a GateLevel,
    pub comparison: &'a Comparison,
    pub cost_model: &'a C,
    pub tech: &'a Tech,
    pub unit_delay: bool,
    pub seconds: f64,
}

impl<C: Serialize> Report<'_, C> {
    pub fn json(&self) -> serde_json::Value {
        use serde_json::Value;
        // Plain structs of numbers and string-keyed maps: their values cannot fail.
        fn value<T: Serialize>(v: &T) -> Value {
            serde_json::to_value(v).unwrap_or(Value::Null)
        }
        let mut m = serde_json::Map::new();
        m.insert("module".into(), self.module.into());
        for (k, n) in self.counts {
            m.insert((*k).into(), (*n).into());
        }
        m.insert("cycles".into(), self.gate.cycles.into());
        m.insert("gate_level".into(), value(self.gate));
        m.insert(
            format!("gate_level_leakage_pj_per_{}", self.per),
            (self.gate.leakage_fj / 1000.0 / self.ops.max(1.0)).into(),
        );
        m.insert(format!("per_{}", self.per), value(self.comparison));
        m.insert("cost_model".into(), value(self.cost_model));
        m.insert("cost_model_node".into(), self.tech.name.into());
        m.insert("delays".into(), super::delays(self.unit_delay).into());
        m.insert("seconds".into(), self.seconds.into());
        Value::Object(m)
    }
}
