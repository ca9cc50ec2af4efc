//! A layer of the integer model as the GRU cell of lutforge-sim holds it: the same codes,
//! formats and tables, so that the cell's every step can be checked against `QuantGru::step`.

use crate::quant::QuantGru;
use crate::tables::Lut;
use lutforge_core::{Error, Result};
use lutforge_sim::gru::{ActTable, CellSpec};

fn act(t: &Lut) -> ActTable {
    ActTable {
        dp: t.dp,
        params: t.params.clone(),
    }
}

/// Layer `l` of `q` as a cell.
pub fn spec(q: &QuantGru, l: usize) -> Result<CellSpec> {
    let layer = q
        .layers
        .get(l)
        .ok_or_else(|| Error::input(format!("layer {l} of a {}-layer model", q.layers.len())))?;
    let spec = CellSpec {
        inputs: if l == 0 { q.inputs } else { q.hidden },
        hidden: q.hidden,
        input: layer.input,
        w_i: layer.w_i.clone(),
        w_h: layer.w_h.clone(),
        b: layer.b.clone(),
        fmt: layer.fmt,
        sig_r: act(&layer.sig_r),
        sig_z: act(&layer.sig_z),
        tanh_n: act(&layer.tanh_n),
    };
    spec.check()?;
    Ok(spec)
}
