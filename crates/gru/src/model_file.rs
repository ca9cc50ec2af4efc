//! The model file `lutforge-gru/1`: JSON holding a float GRU's task, sizes, input
//! normalization, every tensor under its PyTorch name, the float scores and the provenance.
//! Numbers are written as the shortest decimal that reads back as the same binary64 value, so
//! a saved model loads bit for bit.

use crate::data::Metric;
use crate::model::{Gru, Norm, Shape};
use crate::scoring::Score;
use lutforge_core::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::path::Path;

pub const FORMAT: &str = "lutforge-gru/1";

/// The float scores recorded with a model (those of its best epoch, or of `gru eval`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scores {
    pub train: Score,
    /// The validation split's, when the task has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub val: Option<Score>,
    pub test: Score,
}

/// The fold models of k-fold cross-validation (`gru train --folds K`): model i trained as the
/// model itself was, on the training split without fold i (`data::folds`), so that every
/// training sequence has a model that never saw it. The mixed-precision search scores a
/// genome on each fold with that fold's model.
#[derive(Clone, Debug, PartialEq)]
pub struct FoldModels {
    pub k: usize,
    /// Model i: its normalization (fitted to its own training part) and its parameters.
    pub models: Vec<Gru>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFold {
    norm: Norm,
    /// The flat layout of `tensors` (their order, each row-major).
    params: Vec<f64>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFolds {
    k: usize,
    models: Vec<RawFold>,
}

/// Where a model came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// `train` or `import`.
    pub method: String,
    pub settings: Value,
    /// The data it was trained (or scored) on.
    pub data: String,
    pub lutforge_version: String,
}

/// A model with everything its file says.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelFile {
    pub task: String,
    pub metric: Metric,
    pub classes: Vec<String>,
    pub model: Gru,
    pub scores: Option<Scores>,
    pub provenance: Provenance,
    pub folds: Option<FoldModels>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    format: String,
    task: String,
    metric: Metric,
    #[serde(default)]
    classes: Vec<String>,
    shape: Shape,
    norm: Norm,
    tensors: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scores: Option<Scores>,
    provenance: Provenance,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    folds: Option<RawFolds>,
}

impl ModelFile {
    pub fn to_json(&self) -> String {
        let g = &self.model;
        let mut tensors = Map::new();
        for (name, off, dims) in g.shape.tensors() {
            let n: usize = dims.iter().product();
            tensors.insert(
                name,
                json!({ "shape": dims, "data": g.params[off..off + n] }),
            );
        }
        let raw = Raw {
            format: FORMAT.into(),
            task: self.task.clone(),
            metric: self.metric,
            classes: self.classes.clone(),
            shape: g.shape,
            norm: g.norm.clone(),
            tensors,
            scores: self.scores,
            provenance: self.provenance.clone(),
            folds: self.folds.as_ref().map(|f| RawFolds {
                k: f.k,
                models: f
                    .models
                    .iter()
                    .map(|m| RawFold {
                        norm: m.norm.clone(),
                        params: m.params.clone(),
                    })
                    .collect(),
            }),
        };
        let mut s = serde_json::to_string_pretty(&raw).expect("a model serializes");
        s.push('\n');
        s
    }

    /// Parses and checks a model file; errors name the field.
    pub fn from_json(text: &str) -> Result<ModelFile> {
        let v = lutforge_core::io::json::parse(text).map_err(Error::input)?;
        match v.get("format").and_then(Value::as_str) {
            Some(FORMAT) => {}
            Some(other) => {
                return Err(Error::field(
                    "format",
                    format!("'{other}' is not {FORMAT} (a table file? a front?)"),
                ))
            }
            None => {
                return Err(Error::field(
                    "format",
                    format!("missing; a model file starts with \"format\": \"{FORMAT}\""),
                ))
            }
        }
        let raw: Raw = serde_path_to_error::deserialize(v).map_err(|e| {
            let path = e.path().to_string();
            Error::field(path, e.into_inner().to_string())
        })?;
        let sh = raw.shape;
        if sh.input == 0 || sh.hidden == 0 || sh.layers == 0 || sh.outputs == 0 {
            return Err(Error::field("shape", "every size must be at least 1"));
        }
        if sh.hidden > 4096 || sh.input > 4096 || sh.layers > 64 || sh.outputs > 4096 {
            return Err(Error::field(
                "shape",
                "sizes beyond 4096 (64 layers) are refused",
            ));
        }
        check_norm(&raw.norm, sh.input, "norm")?;
        if raw.metric == Metric::Mse && sh.outputs != 1 {
            return Err(Error::field(
                "shape.outputs",
                "a regression model has one output",
            ));
        }
        if raw.metric == Metric::Accuracy && raw.classes.len() != sh.outputs {
            return Err(Error::field(
                "classes",
                format!(
                    "{} names for {} outputs: a classifier names each class",
                    raw.classes.len(),
                    sh.outputs
                ),
            ));
        }
        if raw.metric == Metric::Accuracy && sh.outputs < 2 {
            return Err(Error::field(
                "shape.outputs",
                "a classifier has at least two classes",
            ));
        }
        let mut params = vec![0.0; sh.params()];
        let known: Vec<String> = sh.tensors().into_iter().map(|t| t.0).collect();
        if let Some(extra) = raw.tensors.keys().find(|k| !known.contains(k)) {
            return Err(Error::field(
                format!("tensors.{extra}"),
                "is no tensor of this shape",
            ));
        }
        for (name, off, dims) in sh.tensors() {
            let at = format!("tensors.{name}");
            let t = raw
                .tensors
                .get(&name)
                .ok_or_else(|| Error::field(&at, "missing"))?;
            let shape: Vec<usize> = t
                .get("shape")
                .and_then(|s| serde_json::from_value(s.clone()).ok())
                .ok_or_else(|| {
                    Error::field(format!("{at}.shape"), "an array of sizes is needed")
                })?;
            if shape != dims {
                return Err(Error::field(
                    format!("{at}.shape"),
                    format!("{shape:?} where the model's sizes need {dims:?}"),
                ));
            }
            let data = t.get("data").and_then(Value::as_array).ok_or_else(|| {
                Error::field(format!("{at}.data"), "an array of numbers is needed")
            })?;
            let n: usize = dims.iter().product();
            if data.len() != n {
                return Err(Error::field(
                    format!("{at}.data"),
                    format!("{} values for shape {dims:?} ({n})", data.len()),
                ));
            }
            for (j, x) in data.iter().enumerate() {
                params[off + j] = x.as_f64().filter(|v| v.is_finite()).ok_or_else(|| {
                    Error::field(
                        format!("{at}.data[{j}]"),
                        format!("{x} is not a finite number"),
                    )
                })?;
            }
            if let Some(k) = t
                .as_object()
                .and_then(|o| o.keys().find(|k| *k != "shape" && *k != "data"))
            {
                return Err(Error::field(format!("{at}.{k}"), "unknown field"));
            }
        }
        let folds = match raw.folds {
            None => None,
            Some(f) => {
                if f.k < 2 || f.k > 64 || f.models.len() != f.k {
                    return Err(Error::field(
                        "folds",
                        format!(
                            "k = {} with {} models: 2 to 64 folds, one model each",
                            f.k,
                            f.models.len()
                        ),
                    ));
                }
                let mut models = Vec::with_capacity(f.k);
                for (i, m) in f.models.into_iter().enumerate() {
                    let at = format!("folds.models[{i}]");
                    if m.params.len() != sh.params() {
                        return Err(Error::field(
                            format!("{at}.params"),
                            format!("{} values; the shape needs {}", m.params.len(), sh.params()),
                        ));
                    }
                    if let Some(j) = m.params.iter().position(|v| !v.is_finite()) {
                        return Err(Error::field(
                            format!("{at}.params[{j}]"),
                            "is not a finite number",
                        ));
                    }
                    check_norm(&m.norm, sh.input, &format!("{at}.norm"))?;
                    models.push(Gru {
                        shape: sh,
                        params: m.params,
                        norm: m.norm,
                    });
                }
                Some(FoldModels { k: f.k, models })
            }
        };
        Ok(ModelFile {
            task: raw.task,
            metric: raw.metric,
            classes: raw.classes,
            model: Gru {
                shape: sh,
                params,
                norm: raw.norm,
            },
            scores: raw.scores,
            provenance: raw.provenance,
            folds,
        })
    }

    pub fn load(path: &Path) -> Result<ModelFile> {
        let text = lutforge_core::io::read_text(path)?;
        ModelFile::from_json(&text).map_err(|e| Error::io(path, e))
    }
}

/// A normalization of `input` features: finite means, positive finite deviations.
fn check_norm(norm: &Norm, input: usize, at: &str) -> Result<()> {
    if norm.mean.len() != input || norm.std.len() != input {
        return Err(Error::field(
            at,
            format!("mean and std need {input} values each"),
        ));
    }
    if let Some(j) = norm.mean.iter().position(|m| !m.is_finite()) {
        return Err(Error::field(format!("{at}.mean[{j}]"), "must be finite"));
    }
    if let Some(j) = norm.std.iter().position(|s| !(s.is_finite() && *s > 0.0)) {
        return Err(Error::field(format!("{at}.std[{j}]"), "must be positive"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> ModelFile {
        let shape = Shape {
            input: 2,
            hidden: 3,
            layers: 2,
            outputs: 4,
        };
        ModelFile {
            task: "t".into(),
            metric: Metric::Accuracy,
            classes: vec!["a".into(), "b".into(), "c".into(), "d".into()],
            model: Gru::new(shape, Norm::identity(2), 3),
            scores: None,
            provenance: Provenance {
                method: "test".into(),
                settings: json!({}),
                data: "none".into(),
                lutforge_version: lutforge_core::VERSION.into(),
            },
            folds: Some(FoldModels {
                k: 2,
                models: (0..2)
                    .map(|i| Gru::new(shape, Norm::identity(2), 10 + i))
                    .collect(),
            }),
        }
    }

    #[test]
    fn round_trips_bit_for_bit() {
        let m = sample();
        let back = ModelFile::from_json(&m.to_json()).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn bad_files_name_the_field() {
        let m = sample();
        let edit = |f: &dyn Fn(&mut Value)| {
            let mut v: Value = serde_json::from_str(&m.to_json()).unwrap();
            f(&mut v);
            ModelFile::from_json(&v.to_string())
                .unwrap_err()
                .to_string()
        };
        let e = edit(&|v| v["tensors"]["weight_hh_l1"]["shape"] = json!([9, 2]));
        assert!(e.starts_with("tensors.weight_hh_l1.shape"), "{e}");
        let e = edit(&|v| v["tensors"]["fc.bias"]["data"][2] = json!("x"));
        assert!(e.starts_with("tensors.fc.bias.data[2]"), "{e}");
        let e = edit(&|v| {
            v["tensors"].as_object_mut().unwrap().remove("bias_ih_l0");
        });
        assert!(e.starts_with("tensors.bias_ih_l0: missing"), "{e}");
        let e = edit(&|v| v["norm"]["std"][0] = json!(0.0));
        assert!(e.starts_with("norm.std[0]"), "{e}");
        let e = edit(&|v| v["format"] = json!("lutforge-table/1"));
        assert!(e.starts_with("format"), "{e}");
        let e = edit(&|v| v["shape"]["hidden"] = json!(4));
        assert!(e.contains("shape"), "{e}");
        let e = edit(&|v| v["norm"]["var"] = json!([1.0, 1.0]));
        assert!(e.starts_with("norm") && e.contains("var"), "{e}");
        let e = edit(&|v| v["shape"]["depth"] = json!(2));
        assert!(e.starts_with("shape") && e.contains("depth"), "{e}");
        let e = edit(&|v| v["classes"] = json!([]));
        assert!(e.starts_with("classes"), "{e}");
        let e = edit(&|v| v["folds"]["models"][1]["params"] = json!([1.0]));
        assert!(e.starts_with("folds.models[1].params"), "{e}");
        let e = edit(&|v| v["folds"]["k"] = json!(3));
        assert!(e.starts_with("folds"), "{e}");
    }
}
