//! One layer of the integer GRU — its codes, formats and tables — and that layer as the GRU
//! cell of lutforge-sim holds it: the same codes, formats and tables, so that the cell's every
//! step can be checked against `QuantGru::step` and the integer model's fast kernel reads the
//! cell's sums.

use crate::tables::Lut;
use lutforge_core::{FixedFormat, Result};
use lutforge_sim::gru::{ActTable, CellSpec, LayerFormats, QTensor};
use std::sync::Arc;

/// One quantized layer.
#[derive(Clone, Debug)]
pub struct QLayer {
    /// Input codes' format (the model input, or the layer below's h).
    pub input: FixedFormat,
    /// Gate weights r, z, n: (H × input) and (H × H), row-major.
    pub w_i: [QTensor; 3],
    pub w_h: [QTensor; 3],
    /// b_ir + b_hr, b_iz + b_hz, b_in, b_hn.
    pub b: [QTensor; 4],
    pub fmt: LayerFormats,
    pub sig_r: Arc<Lut>,
    pub sig_z: Arc<Lut>,
    pub tanh_n: Arc<Lut>,
}

fn act(t: &Lut) -> ActTable {
    ActTable {
        dp: t.dp,
        params: t.params.clone(),
    }
}

impl QLayer {
    /// The layer as a cell of `inputs` inputs (the model's, or the layer below's hidden size)
    /// and `hidden` units.
    pub fn cell_spec(&self, inputs: usize, hidden: usize) -> Result<CellSpec> {
        let spec = CellSpec {
            inputs,
            hidden,
            input: self.input,
            w_i: self.w_i.clone(),
            w_h: self.w_h.clone(),
            b: self.b.clone(),
            fmt: self.fmt,
            sig_r: act(&self.sig_r),
            sig_z: act(&self.sig_z),
            tanh_n: act(&self.tanh_n),
        };
        spec.check()?;
        Ok(spec)
    }
}
