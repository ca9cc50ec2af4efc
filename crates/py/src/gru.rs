//! GRU models (`lutforge-gru/1`) and their integer models: `lutforge_gru`'s own types.

use crate::err;
use lutforge_gru::calibration::{Calibration, Ranges, WeightScales};
use lutforge_gru::data::{Dataset, Metric, Sample, Target};
use lutforge_gru::genome::Genome;
use lutforge_gru::model_file::ModelFile;
use lutforge_gru::quant::QuantGru;
use lutforge_gru::tables::TableCache;
use lutforge_gru::train::score_outputs;
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// One sequence (steps × features) and its label or target.
type Labelled<'py> = (Bound<'py, PyArray2<f64>>, Py<PyAny>);

/// A float GRU with its head and input standardization, for a task (`lutforge-gru/1`).
#[pyclass(frozen, name = "Model", module = "lutforge.gru")]
pub struct PyModel {
    m: ModelFile,
    /// The task's data, read once when first needed.
    data: OnceLock<Arc<Dataset>>,
}

impl PyModel {
    fn new(m: ModelFile) -> PyModel {
        PyModel {
            m,
            data: OnceLock::new(),
        }
    }

    fn dataset(&self) -> PyResult<Arc<Dataset>> {
        if let Some(d) = self.data.get() {
            return Ok(d.clone());
        }
        let ds = lutforge::cmd::gru::load_task(&self.m.task).map_err(|e| err(e.msg))?;
        Ok(self.data.get_or_init(|| Arc::new(ds)).clone())
    }

    fn sample(&self, x: &PyReadonlyArray2<'_, f64>) -> PyResult<Sample> {
        sample_of(x, self.m.model.shape.input)
    }
}

/// One sequence (steps, features) as a sample for a model of `features` inputs: its shape and
/// its values checked, the label a placeholder (the forward passes do not read it).
fn sample_of(x: &PyReadonlyArray2<'_, f64>, features: usize) -> PyResult<Sample> {
    let [steps, width] = [x.shape()[0], x.shape()[1]];
    if width != features {
        return Err(crate::Error::new_err(format!(
            "a sequence of {width} features; the model takes {features}"
        )));
    }
    if steps == 0 {
        return Err(crate::Error::new_err("an empty sequence"));
    }
    let v: Vec<f64> = x.as_array().iter().copied().collect();
    if let Some(b) = v.iter().find(|v| !v.is_finite()) {
        return Err(crate::Error::new_err(format!("a sequence value is {b}")));
    }
    Ok(Sample {
        x: v,
        len: steps,
        y: Target::Class(0),
    })
}

/// A split of the task by name.
fn split_of<'a>(ds: &'a Dataset, split: &str) -> PyResult<&'a [Sample]> {
    match split {
        "train" => Ok(&ds.train),
        "val" => Ok(&ds.val),
        "test" => Ok(&ds.test),
        o => Err(crate::Error::new_err(format!(
            "split '{o}': train, val or test"
        ))),
    }
}

fn genome_of(text: &str, layers: usize) -> PyResult<Genome> {
    if let Some(b) = text.strip_prefix("int").and_then(|b| b.parse::<u32>().ok()) {
        if !lutforge_gru::genome::BITS_RANGE.contains(&b) {
            return Err(crate::Error::new_err(format!(
                "{text}: widths lie in 2..16"
            )));
        }
        return Ok(Genome::homogeneous(layers, b, 16));
    }
    Genome::parse(text, layers).map_err(err)
}

#[pymethods]
impl PyModel {
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyModel> {
        py.detach(|| ModelFile::load(&path))
            .map(PyModel::new)
            .map_err(err)
    }

    #[staticmethod]
    fn from_json(text: &str) -> PyResult<PyModel> {
        ModelFile::from_json(text).map(PyModel::new).map_err(err)
    }

    /// The model file's text (the bytes `save` writes).
    fn to_json(&self) -> String {
        self.m.to_json()
    }

    /// Writes the model file (staged, then renamed into place).
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let text = self.m.to_json();
        py.detach(|| {
            let out = lutforge::outputs::open_one(&path, &[])?;
            lutforge::outputs::finish(out, text.as_bytes())
        })
        .map_err(|e| err(e.msg))
    }

    #[getter]
    fn task(&self) -> &str {
        &self.m.task
    }

    #[getter]
    fn classes(&self) -> Vec<String> {
        self.m.classes.clone()
    }

    /// inputs, hidden, layers, outputs.
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.m.model.shape;
        let d = PyDict::new(py);
        d.set_item("input", s.input)?;
        d.set_item("hidden", s.hidden)?;
        d.set_item("layers", s.layers)?;
        d.set_item("outputs", s.outputs)?;
        Ok(d)
    }

    /// The float model's outputs (logits, or the regression value) for one sequence of shape
    /// (steps, features), standardized as the model's file says.
    fn forward<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let s = self.sample(&x)?;
        Ok(self.m.model.forward(&s).into_pyarray(py))
    }

    /// The sequences of a split of the model's task ("train", "val" or "test"): a list of
    /// (steps × features array, label or target).
    fn data<'py>(&self, py: Python<'py>, split: &str) -> PyResult<Vec<Labelled<'py>>> {
        let ds = self.dataset()?;
        let samples = split_of(&ds, split)?;
        samples
            .iter()
            .map(|s| {
                let a = Array2::from_shape_vec((s.len, ds.features), s.x.clone())
                    .map_err(|e| crate::Error::new_err(e.to_string()))?;
                let y: Py<PyAny> = match s.y {
                    Target::Class(c) => c.into_pyobject(py)?.into_any().unbind(),
                    Target::Value(v) => v.into_pyobject(py)?.into_any().unbind(),
                };
                Ok((a.into_pyarray(py), y))
            })
            .collect()
    }

    /// The integer model of a genome ("int8", "all=4,h=8", or every gene in order), calibrated
    /// on the task's training split as `gru eval --bits` does.
    #[pyo3(signature = (genome, *, calibration = "mse", weight_scales = "tensor"))]
    fn quantize(
        &self,
        py: Python<'_>,
        genome: &str,
        calibration: &str,
        weight_scales: &str,
    ) -> PyResult<PyIntModel> {
        let g = genome_of(genome, self.m.model.shape.layers)?;
        let cal = Calibration::parse(calibration).map_err(crate::Error::new_err)?;
        let ws = WeightScales::parse(weight_scales).map_err(crate::Error::new_err)?;
        let ds = self.dataset()?;
        let model = self.m.model.clone();
        let q = py
            .detach(|| {
                let ranges = Ranges::calibrate(&model, &ds.train, cal, ws);
                QuantGru::new(&model, &ranges, &g, &TableCache::new())
            })
            .map_err(err)?;
        Ok(PyIntModel {
            q,
            genome: g,
            features: self.m.model.shape.input,
            ds,
        })
    }

    fn __repr__(&self) -> String {
        let s = self.m.model.shape;
        format!(
            "Model(task {}, {} inputs, {} hidden, {} layer(s), {} outputs)",
            self.m.task, s.input, s.hidden, s.layers, s.outputs
        )
    }
}

/// The integer model of one genome: every operator at its width, sigmoid and tanh on
/// lutforge's tables — the model `gru sim` and the generated cell compute.
#[pyclass(frozen, name = "IntModel", module = "lutforge.gru")]
pub struct PyIntModel {
    q: QuantGru,
    genome: Genome,
    features: usize,
    ds: Arc<Dataset>,
}

impl PyIntModel {
    fn sample(&self, x: &PyReadonlyArray2<'_, f64>) -> PyResult<Sample> {
        sample_of(x, self.features)
    }
}

#[pymethods]
impl PyIntModel {
    /// The head's output codes for one sequence (steps, features).
    fn outputs<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let s = self.sample(&x)?;
        Ok(self.q.run(&s, &mut |_, _, _| {}).into_pyarray(py))
    }

    /// The head's outputs in real units for one sequence.
    fn forward<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let s = self.sample(&x)?;
        Ok(self.q.forward(&s).into_pyarray(py))
    }

    /// Accuracy (or MSE) on a split of the task, as `gru eval` reports it.
    fn score(&self, py: Python<'_>, split: &str) -> PyResult<f64> {
        let samples = split_of(&self.ds, split)?;
        let metric: Metric = self.ds.metric;
        Ok(py.detach(|| score_outputs(metric, samples, |s| self.q.forward(s)).value))
    }

    /// Weights, biases and tables in bits.
    #[getter]
    fn size_bits(&self) -> u64 {
        self.q.size_bits()
    }

    #[getter]
    fn genome(&self) -> String {
        self.genome.to_string()
    }
}

/// Writes float32 tensors as a safetensors file (what `gru import` reads).
#[pyfunction]
fn write_safetensors(path: PathBuf, tensors: Vec<(String, Vec<usize>, Vec<f32>)>) -> PyResult<()> {
    let bufs: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .into_iter()
        .map(|(n, d, v)| (n, d, v.iter().flat_map(|x| x.to_le_bytes()).collect()))
        .collect();
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = bufs
        .iter()
        .map(|(n, d, b)| {
            safetensors::tensor::TensorView::new(safetensors::Dtype::F32, d.clone(), b)
                .map(|v| (n.clone(), v))
                .map_err(|e| crate::Error::new_err(format!("tensor {n}: {e}")))
        })
        .collect::<PyResult<_>>()?;
    let bytes = safetensors::tensor::serialize(views, &None)
        .map_err(|e| crate::Error::new_err(e.to_string()))?;
    std::fs::write(&path, bytes)
        .map_err(|e| crate::Error::new_err(format!("{}: {e}", path.display())))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyModel>()?;
    m.add_class::<PyIntModel>()?;
    m.add_function(wrap_pyfunction!(write_safetensors, m)?)?;
    Ok(())
}
