//! A layer of the integer model as the GRU cell of lutforge-sim holds it: the same codes,
//! formats and tables, so that the cell's every step can be checked against `QuantGru::step`.

use crate::quant::QuantGru;
use lutforge_core::{Error, Result};
use lutforge_sim::gru::CellSpec;

/// Layer `l` of `q` as a cell.
pub fn spec(q: &QuantGru, l: usize) -> Result<CellSpec> {
    q.cell_spec(l)
}

/// The hardware cost of a one-layer model as the GRU cell of `lanes` MAC lanes (fewer when the
/// layer has fewer rows): the cost model's area, and the energy per inference priced from the
/// activity the cell model counts over `samples` (docs/gru.md, "Searching for the cell").
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CellScore {
    pub lanes: usize,
    pub ge: f64,
    pub area_um2: f64,
    pub energy_per_inference_pj: f64,
    pub cycles_per_step: u64,
}

/// Scores `q` as a fixed-weight cell.
pub fn score(
    q: &QuantGru,
    lanes: usize,
    samples: &[crate::data::Sample],
    tech: &lutforge_sim::cost::Tech,
) -> Result<CellScore> {
    if q.layers.len() != 1 {
        return Err(Error::input(format!(
            "the GRU cell holds one layer; this model has {}",
            q.layers.len()
        )));
    }
    let sp = spec(q, 0)?;
    let lanes = lanes.clamp(1, sp.hidden);
    let mut cell = lutforge_sim::gru::Cell::new(sp.clone(), lanes)?;
    cell.set_tracking(true);
    for s in samples {
        let x = q.quantize_input(s);
        let xs: Vec<Vec<i64>> = x.chunks(q.inputs).map(<[i64]>::to_vec).collect();
        cell.run_sequence(&xs)?;
    }
    let act = cell
        .activity()
        .ok_or_else(|| Error::input("the cell counted no activity"))?;
    let c = lutforge_sim::cost::cell::estimate(&sp, lanes, false, act, tech, 500.0);
    Ok(CellScore {
        lanes,
        ge: c.ge,
        area_um2: c.area_um2,
        energy_per_inference_pj: c.energy_per_inference_pj,
        cycles_per_step: cell.cycles_per_step(),
    })
}
