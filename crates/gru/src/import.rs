//! A PyTorch `nn.GRU` (with `batch_first` or not: the weights are the same) and its linear
//! head, from a state dict saved as safetensors: `weight_ih_l{k}`, `weight_hh_l{k}`,
//! `bias_ih_l{k}`, `bias_hh_l{k}` for every layer k, and `PREFIX.weight` (C, H),
//! `PREFIX.bias` (C) for the head (PREFIX `fc` unless told). Names may carry a module prefix
//! (`gru.weight_ih_l0`, as `state_dict()` of a model holding `self.gru` writes them).

use crate::model::{Gru, Norm, Shape};
use lutforge_core::{Error, Result};
use safetensors::{tensor::TensorView, Dtype, SafeTensors};

/// A tensor's values as f64 (float32 and float64 files; f32 → f64 is exact).
fn values(name: &str, t: &TensorView) -> Result<Vec<f64>> {
    let b = t.data();
    match t.dtype() {
        Dtype::F32 => Ok(b
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64)
            .collect()),
        Dtype::F64 => Ok(b
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect()),
        other => Err(Error::input(format!(
            "{name}: dtype {other:?}; float32 or float64 tensors are read (convert with .float())"
        ))),
    }
}

/// Finds `name`, alone or after one module prefix (`gru.`, `rnn.`, …).
fn find<'a>(st: &'a SafeTensors, name: &str) -> Result<(String, TensorView<'a>)> {
    let names = st.names();
    let hit = names
        .iter()
        .filter(|n| n.as_str() == name || n.ends_with(&format!(".{name}")))
        .min_by_key(|n| n.len());
    match hit {
        Some(n) => Ok((
            (*n).clone(),
            st.tensor(n).map_err(|e| Error::input(e.to_string()))?,
        )),
        None => {
            let mut have: Vec<&String> = names.clone();
            have.sort();
            let have: Vec<&str> = have.iter().take(12).map(|s| s.as_str()).collect();
            Err(Error::input(format!(
                "no tensor '{name}' (the file holds {})",
                have.join(", ")
            )))
        }
    }
}

/// Reads a model from safetensors bytes; the head's tensors are `HEAD.weight`, `HEAD.bias`.
pub fn from_safetensors(bytes: &[u8], head: &str) -> Result<Gru> {
    let st = SafeTensors::deserialize(bytes)
        .map_err(|e| Error::input(format!("not a safetensors file: {e}")))?;
    let (n0, w0) = find(&st, "weight_ih_l0")?;
    if w0.shape().len() != 2 || w0.shape()[0] % 3 != 0 || w0.shape()[0] == 0 {
        return Err(Error::input(format!(
            "{n0}: shape {:?}; (3·hidden, input) expected",
            w0.shape()
        )));
    }
    let hidden = w0.shape()[0] / 3;
    let input = w0.shape()[1];
    // One GRU: every recurrent tensor under the prefix weight_ih_l0 has, its layers 0 to
    // L − 1 without a gap. A second prefix (two GRUs in the file) or a layer missing in the
    // middle would otherwise be read as something else, silently.
    let prefix = &n0[..n0.len() - "weight_ih_l0".len()];
    let mut layer_ids = std::collections::BTreeSet::new();
    for name in st.names() {
        let (pre, rest) = match name.rfind('.') {
            Some(i) => (&name[..=i], &name[i + 1..]),
            None => ("", name.as_str()),
        };
        let Some(k) = ["weight_ih_l", "weight_hh_l", "bias_ih_l", "bias_hh_l"]
            .iter()
            .find_map(|p| rest.strip_prefix(p))
        else {
            continue;
        };
        if pre != prefix {
            return Err(Error::input(format!(
                "recurrent tensors under two prefixes ('{prefix}' and '{pre}'): the file holds more than one GRU; save the one to import"
            )));
        }
        let k: usize = k.parse().map_err(|_| {
            Error::input(format!(
                "{name}: not a layer of nn.GRU (a bidirectional GRU's '_reverse' tensors are not read)"
            ))
        })?;
        layer_ids.insert(k);
    }
    let layers = layer_ids.len();
    if layer_ids.iter().copied().ne(0..layers) {
        let have: Vec<String> = layer_ids.iter().map(|k| format!("l{k}")).collect();
        return Err(Error::input(format!(
            "layers {}: nn.GRU's layers run l0, l1, … without a gap",
            have.join(", ")
        )));
    }
    let (hn, hw) = find(&st, &format!("{head}.weight"))?;
    if hw.shape().len() != 2 || hw.shape()[1] != hidden {
        return Err(Error::input(format!(
            "{hn}: shape {:?}; (classes, {hidden}) expected for a head on {hidden} hidden units",
            hw.shape()
        )));
    }
    let shape = Shape {
        input,
        hidden,
        layers,
        outputs: hw.shape()[0],
    };
    let mut params = vec![0.0; shape.params()];
    for (name, off, dims) in shape.tensors() {
        let want = match name.as_str() {
            "fc.weight" => format!("{head}.weight"),
            "fc.bias" => format!("{head}.bias"),
            n => n.to_string(),
        };
        let want = if want.starts_with(head) && name.starts_with("fc.") {
            want
        } else {
            format!("{prefix}{want}")
        };
        let (found, t) = find(&st, &want)?;
        if t.shape() != dims.as_slice() {
            return Err(Error::input(format!(
                "{found}: shape {:?} where {dims:?} is needed (hidden {hidden}, input {input})",
                t.shape()
            )));
        }
        let v = values(&found, &t)?;
        if let Some(j) = v.iter().position(|x| !x.is_finite()) {
            return Err(Error::input(format!("{found}[{j}] is {}", v[j])));
        }
        params[off..off + v.len()].copy_from_slice(&v);
    }
    Ok(Gru {
        shape,
        params,
        norm: Norm::identity(input),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use safetensors::tensor::serialize;
    use std::collections::HashMap;

    /// A state dict as PyTorch's `save_file` writes it (float32, little-endian).
    pub(crate) fn state_dict(g: &Gru, prefix: &str, head: &str) -> Vec<u8> {
        let mut bufs: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
        for (name, off, dims) in g.shape.tensors() {
            let n: usize = dims.iter().product();
            let bytes: Vec<u8> = g.params[off..off + n]
                .iter()
                .flat_map(|&v| (v as f32).to_le_bytes())
                .collect();
            let name = match name.as_str() {
                "fc.weight" => format!("{head}.weight"),
                "fc.bias" => format!("{head}.bias"),
                n => format!("{prefix}{n}"),
            };
            bufs.push((name, dims, bytes));
        }
        let views: HashMap<String, TensorView> = bufs
            .iter()
            .map(|(n, d, b)| {
                (
                    n.clone(),
                    TensorView::new(Dtype::F32, d.clone(), b).unwrap(),
                )
            })
            .collect();
        serialize(&views, &None).unwrap()
    }

    fn model() -> Gru {
        let shape = Shape {
            input: 3,
            hidden: 4,
            layers: 2,
            outputs: 5,
        };
        let mut g = Gru::new(shape, Norm::identity(3), 9);
        // Values that float32 holds exactly, so the round trip is exact.
        for p in &mut g.params {
            *p = (*p as f32) as f64;
        }
        g
    }

    #[test]
    fn reads_every_tensor_with_or_without_a_module_prefix() {
        let g = model();
        assert_eq!(
            from_safetensors(&state_dict(&g, "", "fc"), "fc").unwrap(),
            g
        );
        assert_eq!(
            from_safetensors(&state_dict(&g, "gru.", "out"), "out").unwrap(),
            g
        );
    }

    #[test]
    fn missing_tensors_and_wrong_shapes_are_named() {
        let g = model();
        let e = from_safetensors(&state_dict(&g, "", "fc"), "head")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no tensor 'head.weight'"), "{e}");
        let mut h = g.clone();
        h.shape.outputs = 2;
        h.params.truncate(h.shape.params());
        let mut bytes = state_dict(&h, "", "fc");
        assert!(from_safetensors(&bytes, "fc").is_ok());
        bytes.truncate(bytes.len() / 2);
        let e = from_safetensors(&bytes, "fc").unwrap_err().to_string();
        assert!(e.contains("not a safetensors file"), "{e}");
    }

    /// Renames tensors of a state dict (safetensors bytes) as `f` says; `None` drops one.
    fn renamed(bytes: &[u8], f: impl Fn(&str) -> Option<String>) -> Vec<u8> {
        let st = SafeTensors::deserialize(bytes).unwrap();
        let mut v: Vec<(String, TensorView)> = Vec::new();
        for n in st.names() {
            if let Some(m) = f(n) {
                v.push((m, st.tensor(n).unwrap()));
            }
        }
        let m: HashMap<String, TensorView> = v.into_iter().collect();
        serialize(&m, &None).unwrap()
    }

    /// Two GRUs under two prefixes, and a layer missing in the middle, are refused rather
    /// than read as one model.
    #[test]
    fn two_grus_or_a_missing_layer_are_refused() {
        let shape = Shape {
            input: 3,
            hidden: 4,
            layers: 3,
            outputs: 2,
        };
        let g = Gru::new(shape, Norm::identity(3), 1);
        let bytes = state_dict(&g, "gru.", "fc");
        assert_eq!(from_safetensors(&bytes, "fc").unwrap().shape.layers, 3);
        let gap = renamed(&bytes, |n| (!n.ends_with("_l1")).then(|| n.to_string()));
        let e = from_safetensors(&gap, "fc").unwrap_err().to_string();
        assert!(e.contains("layers l0, l2"), "{e}");
        let two = renamed(&bytes, |n| {
            Some(n.replace("gru.weight_hh_l2", "rnn.weight_hh_l2"))
        });
        let e = from_safetensors(&two, "fc").unwrap_err().to_string();
        assert!(e.contains("two prefixes"), "{e}");
    }
}
