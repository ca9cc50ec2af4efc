//! Tables and their units: `Table` is `lutforge_core::Table`, `Unit` is the simulator's unit
//! streamed at full throughput (the golden model's outputs, bit for bit, as `sim --input`).

use crate::{err, json_to_py};
use lutforge_core::format::pow2;
use lutforge_core::golden;
use lutforge_core::{Params, Table};
use lutforge_sim::convert::{unit_for, UnitShape};
use lutforge_sim::unit::{Arch, Arith};
use lutforge_sim::{NumFormat, Unit, UnitConfig};
use numpy::ndarray::{ArrayD, IxDyn};
use numpy::{IntoPyArray, PyArrayDyn, PyArrayMethods, PyReadonlyArrayDyn, PyUntypedArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use std::path::PathBuf;
use std::sync::Mutex;

/// A lutforge table (`lutforge-table/1`): breakpoints, slopes and intercepts per input scale.
#[pyclass(frozen, name = "Table", module = "lutforge")]
pub struct PyTable {
    pub(crate) t: Table,
}

fn warn_all(py: Python<'_>, warnings: &[String]) -> PyResult<()> {
    for w in warnings {
        let c = std::ffi::CString::new(w.as_str()).unwrap_or_default();
        PyErr::warn(py, &py.get_type::<pyo3::exceptions::PyUserWarning>(), &c, 1)?;
    }
    Ok(())
}

#[pymethods]
impl PyTable {
    /// Reads a table file; its warnings (if any) become Python warnings.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyTable> {
        let (t, w) = Table::load(&path).map_err(err)?;
        warn_all(py, &w)?;
        Ok(PyTable { t })
    }

    /// A table from the text of a table file.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<PyTable> {
        let (t, w) = Table::from_json(text).map_err(err)?;
        warn_all(py, &w)?;
        Ok(PyTable { t })
    }

    /// A GQA-LUT file's text as a table of `function` (a built-in name), as `lutforge import`.
    #[staticmethod]
    #[pyo3(signature = (text, *, function, domain = None, strict = false))]
    fn from_gqa(
        py: Python<'_>,
        text: &str,
        function: &str,
        domain: Option<(f64, f64)>,
        strict: bool,
    ) -> PyResult<PyTable> {
        let f = lutforge_core::Function::parse(function).map_err(err)?;
        let imp = lutforge_core::gqa::import(text, &f, domain, strict).map_err(err)?;
        warn_all(py, &imp.warnings)?;
        Ok(PyTable { t: imp.table })
    }

    /// The table in GQA-LUT's JSON, as `lutforge export --to gqa`.
    fn to_gqa(&self) -> String {
        lutforge_core::gqa::export(&self.t)
    }

    /// The table file's text (the bytes `save` writes).
    fn to_json(&self) -> String {
        self.t.to_json()
    }

    /// Writes the table file (staged, then renamed into place).
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| self.t.save(&path)).map_err(err)
    }

    /// Every metric of every scale, recomputed from the parameters: the document `lutforge
    /// eval --json` prints.
    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let doc = py.detach(|| {
            let rows = lutforge::metrics::of_table(&self.t, true);
            lutforge::cmd::eval::document(&self.t, &rows).to_string()
        });
        json_to_py(py, &doc)
    }

    #[getter]
    fn function(&self) -> String {
        self.t.function.name().to_string()
    }

    #[getter]
    fn segments(&self) -> usize {
        self.t.segments
    }

    /// The input scales (F_x, the input's fractional bits) the table holds.
    #[getter]
    fn scales(&self) -> Vec<i32> {
        self.t.scales.iter().map(|s| s.frac).collect()
    }

    #[getter]
    fn input_bits(&self) -> u32 {
        self.t.formats.input_bits
    }

    /// "int" or "fp32".
    #[getter]
    fn arith(&self) -> &'static str {
        match self.t.arith {
            lutforge_core::Arith::Int => "int",
            lutforge_core::Arith::Fp32 => "fp32",
        }
    }

    /// The unit of one input scale: `format` "int8".."int32" or "fp32" (default the table's
    /// own), `arch` "pwl" or "rom" (the direct table of the function).
    #[pyo3(signature = (scale = None, *, format = None, arch = "pwl"))]
    fn unit(&self, scale: Option<i32>, format: Option<&str>, arch: &str) -> PyResult<PyUnit> {
        let frac = match (scale, self.t.scales.as_slice()) {
            (Some(s), _) => s,
            (None, [one]) => one.frac,
            (None, _) => {
                return Err(crate::Error::new_err(format!(
                    "the table holds scales {:?}: name one (scale=…)",
                    self.scales()
                )))
            }
        };
        let format = format
            .map(|f| f.parse::<NumFormat>())
            .transpose()
            .map_err(crate::Error::new_err)?;
        let arch = match arch {
            "pwl" => Arch::Pwl,
            "rom" => Arch::Rom,
            other => return Err(crate::Error::new_err(format!("arch '{other}': pwl or rom"))),
        };
        let shape = UnitShape {
            format,
            lanes: 1,
            stages: 1,
            programmable: false,
            arch,
        };
        let (cfg, params) = unit_for(&self.t, frac, &shape).map_err(err)?;
        let unit = Unit::new(cfg, &params).map_err(err)?;
        let quant = self.t.function.quantized().map(|q| (q.input, q.output));
        Ok(PyUnit {
            cfg,
            params,
            quant,
            frac,
            unit: Mutex::new(unit),
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "Table({}, {} segments, {}-bit input, scales {:?})",
            self.t.function.name(),
            self.t.segments,
            self.t.formats.input_bits,
            self.scales()
        )
    }
}

/// One scale of a table as the hardware computes it: call it on input codes (NumPy integers;
/// FP32 units on float32 values) for the output codes, bit for bit the golden model.
#[pyclass(frozen, name = "Unit", module = "lutforge")]
pub struct PyUnit {
    cfg: UnitConfig,
    params: Params,
    quant: Option<(
        lutforge_core::function::Affine,
        lutforge_core::function::Affine,
    )>,
    frac: i32,
    /// One unit, reset before every call (building it tabulates the comparators).
    unit: Mutex<Unit>,
}

/// Beats streamed per call of `Unit::stream`: bounded memory for any input size.
const CHUNK: usize = 1 << 16;

impl PyUnit {
    fn int_dp(&self) -> Option<&lutforge_core::Datapath> {
        match &self.cfg.arith {
            Arith::Int(dp) => Some(dp),
            Arith::Fp32 => None,
        }
    }

    /// Streams `words` through the unit: one output word per input word, in order.
    fn words(&self, words: &[i64]) -> Result<Vec<i64>, lutforge_core::Error> {
        let mut unit = self.unit.lock().unwrap_or_else(|e| e.into_inner());
        unit.reset();
        let stages = self.cfg.stages as usize;
        let mut out = Vec::with_capacity(words.len() + stages);
        for chunk in words.chunks(CHUNK) {
            unit.stream(chunk, &mut out)?;
        }
        // Zero beats push the last samples out of the pipeline.
        unit.stream(&vec![0; stages], &mut out)?;
        out.truncate(words.len());
        Ok(out)
    }

    /// Real units per input and output code (fixed point: 2^−F; affine: the scales).
    fn lsbs(&self) -> (f64, f64) {
        match (&self.quant, self.int_dp()) {
            (Some((i, o)), _) => (i.scale, o.scale),
            (None, Some(dp)) => (pow2(-dp.input.frac), pow2(-dp.output.frac)),
            (None, None) => (1.0, 1.0),
        }
    }
}

fn int_array(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<(Vec<usize>, Vec<i64>)> {
    let np = py.import("numpy")?;
    let a = np.call_method1("asarray", (x,))?;
    let kind: String = a.getattr("dtype")?.getattr("kind")?.extract()?;
    if kind != "i" && kind != "u" && kind != "b" {
        return Err(PyTypeError::new_err(format!(
            "integer codes are needed (dtype kind '{kind}'); quantize real values with unit.quantize"
        )));
    }
    let a = np.call_method1("ascontiguousarray", (a, "int64"))?;
    let arr: PyReadonlyArrayDyn<'_, i64> = a.extract()?;
    Ok((
        arr.shape().to_vec(),
        arr.as_array().iter().copied().collect(),
    ))
}

fn out_array<'py, T: numpy::Element>(
    py: Python<'py>,
    shape: Vec<usize>,
    v: Vec<T>,
) -> PyResult<Bound<'py, PyArrayDyn<T>>> {
    let a = ArrayD::from_shape_vec(IxDyn(&shape), v)
        .map_err(|e| crate::Error::new_err(e.to_string()))?;
    Ok(a.into_pyarray(py))
}

#[pymethods]
impl PyUnit {
    /// Output codes of input codes (any shape; int64 out). An FP32 unit takes and gives float32.
    fn __call__<'py>(&self, py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        if self.int_dp().is_none() {
            let np = py.import("numpy")?;
            let a = np.call_method1("ascontiguousarray", (x, "float32"))?;
            let arr: PyReadonlyArrayDyn<'_, f32> = a.extract()?;
            let shape = arr.shape().to_vec();
            let words: Vec<i64> = arr.as_array().iter().map(|v| v.to_bits() as i64).collect();
            let out = py.detach(|| self.words(&words)).map_err(err)?;
            let vals: Vec<f32> = out.iter().map(|&w| f32::from_bits(w as u32)).collect();
            return Ok(out_array(py, shape, vals)?.into_any());
        }
        let (shape, words) = int_array(py, x)?;
        let out = py.detach(|| self.words(&words)).map_err(err)?;
        Ok(out_array(py, shape, out)?.into_any())
    }

    /// Input codes of real values: round to nearest (ties away from zero), saturate to the
    /// input's codes. Fixed point: x·2^F; affine: x / scale + zero point (the unit's signed
    /// code, as `sim --input` takes it).
    fn quantize<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArrayDyn<'py, f64>,
    ) -> PyResult<Bound<'py, PyArrayDyn<i64>>> {
        let Some(dp) = self.int_dp() else {
            return Err(crate::Error::new_err(
                "an FP32 unit takes real values as they are",
            ));
        };
        let (lo, hi) = (dp.input.min_code(), dp.input.max_code());
        let shape = x.shape().to_vec();
        let v: Vec<f64> = x.as_array().iter().copied().collect();
        if let Some(bad) = v.iter().find(|v| v.is_nan()) {
            return Err(crate::Error::new_err(format!("cannot quantize {bad}")));
        }
        let quant = self.quant;
        let frac = dp.input.frac;
        let codes: Vec<i64> = py.detach(|| {
            v.iter()
                .map(|&x| {
                    let c = match &quant {
                        Some((i, _)) => i.code(x),
                        None => x * pow2(frac),
                    };
                    (c.round().clamp(lo as f64, hi as f64)) as i64
                })
                .collect()
        });
        out_array(py, shape, codes)
    }

    /// Real values of output codes.
    fn dequantize<'py>(
        &self,
        py: Python<'py>,
        y: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        let Some(dp) = self.int_dp() else {
            return Err(crate::Error::new_err(
                "an FP32 unit gives real values as they are",
            ));
        };
        let (shape, codes) = int_array(py, y)?;
        let frac = dp.output.frac;
        let vals: Vec<f64> = match &self.quant {
            Some((_, o)) => codes.iter().map(|&q| o.real(q as f64)).collect(),
            None => codes.iter().map(|&q| q as f64 * pow2(-frac)).collect(),
        };
        out_array(py, shape, vals)
    }

    /// The derivative the backward pass uses at each input code, in real units (d y / d x):
    /// the active segment's slope (a direct table: the central difference of its outputs).
    fn slope<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        let Some(dp) = self.int_dp().copied() else {
            let np = py.import("numpy")?;
            let a = np.call_method1("ascontiguousarray", (x, "float32"))?;
            let arr: PyReadonlyArrayDyn<'_, f32> = a.extract()?;
            let Params::Fp32(p) = &self.params else {
                unreachable!("an FP32 unit")
            };
            let shape = arr.shape().to_vec();
            let v: Vec<f64> = arr
                .as_array()
                .iter()
                .map(|&x| p.slopes[lutforge_core::fp32::segment(&p.breakpoints, x)] as f64)
                .collect();
            return out_array(py, shape, v);
        };
        let (shape, codes) = int_array(py, x)?;
        let (lo, hi) = (dp.input.min_code(), dp.input.max_code());
        if let Some(c) = codes.iter().find(|&&c| c < lo || c > hi) {
            return Err(crate::Error::new_err(format!(
                "code {c} lies outside the {}-bit input [{lo}, {hi}]",
                dp.input.bits
            )));
        }
        let (in_lsb, out_lsb) = self.lsbs();
        let v: Vec<f64> = if self.cfg.arch == Arch::Rom {
            let all: Vec<i64> = (lo..=hi).collect();
            let ys = self.words(&all).map_err(err)?;
            let y = |c: i64| ys[(c - lo) as usize] as f64;
            codes
                .iter()
                .map(|&c| {
                    let (a, b) = ((c - 1).max(lo), (c + 1).min(hi));
                    (y(b) - y(a)) / (b - a).max(1) as f64 * out_lsb / in_lsb
                })
                .collect()
        } else {
            let Params::Int(p) = &self.params else {
                unreachable!("an integer unit")
            };
            // y_code ≈ k·2^−Fk·2^(Fy−Fx)·x_code, so d y / d x = that times out_lsb / in_lsb.
            let per_code = pow2(dp.output.frac - dp.input.frac - dp.slope.frac);
            codes
                .iter()
                .map(|&c| {
                    p.slopes[golden::segment(&p.breakpoints, c)] as f64 * per_code * out_lsb
                        / in_lsb
                })
                .collect()
        };
        out_array(py, shape, v)
    }

    /// The backward pass's derivative at real inputs x: the slope of the segment x's code falls
    /// in (straight through the rounding), 0 where the input saturates (x's code would lie
    /// outside the input's codes).
    fn grad<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArrayDyn<'py, f64>,
    ) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        let Some(dp) = self.int_dp().copied() else {
            return Err(crate::Error::new_err("an FP32 unit: use slope(x)"));
        };
        let (lo, hi) = (dp.input.min_code(), dp.input.max_code());
        let shape = x.shape().to_vec();
        let raw: Vec<f64> = x
            .as_array()
            .iter()
            .map(|&v| match &self.quant {
                Some((i, _)) => i.code(v).round(),
                None => (v * pow2(dp.input.frac)).round(),
            })
            .collect();
        let codes: Vec<i64> = raw
            .iter()
            .map(|c| c.clamp(lo as f64, hi as f64) as i64)
            .collect();
        let codes_py = out_array(py, shape.clone(), codes)?;
        let slopes = self.slope(py, codes_py.as_any())?;
        let slopes: PyReadonlyArrayDyn<'_, f64> = slopes.readonly();
        let v: Vec<f64> = slopes
            .as_array()
            .iter()
            .zip(&raw)
            .map(|(&k, &c)| {
                if c >= lo as f64 && c <= hi as f64 {
                    k
                } else {
                    0.0
                }
            })
            .collect();
        out_array(py, shape, v)
    }

    /// "int" or "fp32".
    #[getter]
    fn arith(&self) -> &'static str {
        if self.int_dp().is_some() {
            "int"
        } else {
            "fp32"
        }
    }

    /// The input scale (F_x) of this unit.
    #[getter]
    fn scale(&self) -> i32 {
        self.frac
    }

    /// (bits, fractional bits) of the input and output codes (integer units).
    #[getter]
    fn input_format(&self) -> Option<(u32, i32)> {
        self.int_dp().map(|dp| (dp.input.bits, dp.input.frac))
    }

    #[getter]
    fn output_format(&self) -> Option<(u32, i32)> {
        self.int_dp().map(|dp| (dp.output.bits, dp.output.frac))
    }

    /// Real units of one input code and one output code.
    #[getter]
    fn input_lsb(&self) -> f64 {
        self.lsbs().0
    }

    #[getter]
    fn output_lsb(&self) -> f64 {
        self.lsbs().1
    }

    /// The smallest and largest input code.
    #[getter]
    fn input_range(&self) -> Option<(i64, i64)> {
        self.int_dp()
            .map(|dp| (dp.input.min_code(), dp.input.max_code()))
    }

    fn __repr__(&self) -> String {
        format!(
            "Unit({} {}, {} segments, scale {})",
            self.cfg.arch.name(),
            self.arith(),
            self.cfg.segments,
            self.frac
        )
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTable>()?;
    m.add_class::<PyUnit>()?;
    Ok(())
}
