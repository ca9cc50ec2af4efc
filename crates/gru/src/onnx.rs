//! A GRU and its linear head from an ONNX graph: what `torch.onnx.export` makes of `nn.GRU` +
//! `nn.Linear`, optionally with the input standardization ahead of it.
//!
//! The graph is read node by node in its (topological) order, and every value is given an
//! origin: the graph's input under a per-feature affine map (the standardization, from `Sub`,
//! `Div`, `Mul`, `Add` with constants), a GRU layer's output, zeros (`ConstantOfShape`), a
//! constant, or the head. Shape plumbing (`Shape`, `Gather`, `Transpose`, …) passes an origin
//! through; any other operator is refused, naming the node, because its effect on the numbers
//! would be lost. ONNX's `GRU` orders its gates z, r, h; lutforge (as PyTorch) r, z, n: the rows
//! are reordered. Only `linear_before_reset = 1` is PyTorch's (and lutforge's) candidate.

use crate::model::{Gru, Norm, Shape};
use lutforge_core::{Error, Result};
use onnx_protobuf::{Message, ModelProto, NodeProto, TensorProto};
use std::collections::HashMap;
use std::path::Path;

/// Largest tensor read (elements): far beyond any GRU lutforge quantizes, small enough to
/// allocate.
const MAX_ELEMENTS: usize = 1 << 28;

/// What a value in the graph is.
#[derive(Clone, Debug)]
enum Origin {
    /// The graph's input after x·a + b per feature (scalars broadcast: length 1).
    Input { a: Vec<f64>, b: Vec<f64> },
    /// A constant tensor.
    Const(Tensor),
    /// Derived from shapes only (Shape, Gather of a shape, …).
    ShapeOf,
    /// Zeros of a computed shape (an initial state).
    Zeros,
    /// Layer k's sequence output Y.
    GruY(usize),
    /// Layer k's final state Y_h.
    GruYh(usize),
    /// Every layer's final state, stacked (PyTorch's h of a multi-layer GRU).
    States(usize),
    /// The head's product without its bias (MatMul), weights (classes, hidden).
    HeadNoBias(Vec<usize>, Vec<f64>),
    /// The head's output.
    Head,
}

#[derive(Clone, Debug)]
struct Tensor {
    dims: Vec<usize>,
    values: Vec<f64>,
}

fn input_error(msg: impl Into<String>) -> Error {
    Error::input(msg.into())
}

/// Where a tensor stored outside the model file may be read from: the model's directory.
type External<'a> = Option<&'a Path>;

/// The bytes of a tensor stored in an external file (`location`, `offset`, `length`, as
/// `torch.onnx.export` writes large models): only files in the model's own directory.
fn external_bytes(t: &TensorProto, dir: External<'_>, limit: usize) -> Result<Vec<u8>> {
    let Some(dir) = dir else {
        return Err(input_error(format!(
            "tensor '{}' is stored in an external file: import the .onnx file by its path",
            t.name
        )));
    };
    let get = |k: &str| {
        t.external_data
            .iter()
            .find(|e| e.key == k)
            .map(|e| e.value.as_str())
    };
    let loc = get("location").ok_or_else(|| {
        input_error(format!(
            "tensor '{}': external data without a location",
            t.name
        ))
    })?;
    let rel = Path::new(loc);
    if rel.is_absolute()
        || rel
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(input_error(format!(
            "tensor '{}': external file '{loc}' is not a plain name beside the model",
            t.name
        )));
    }
    let num = |k: &str| -> Result<u64> {
        get(k).map_or(Ok(0), |v| {
            v.parse::<u64>()
                .map_err(|_| input_error(format!("tensor '{}': {k} '{v}'", t.name)))
        })
    };
    let (offset, length) = (num("offset")?, num("length")?);
    if length as usize > limit {
        return Err(input_error(format!(
            "tensor '{}': {length} bytes of external data, more than its shape holds",
            t.name
        )));
    }
    use std::io::{Read, Seek, SeekFrom};
    let path = dir.join(rel);
    let mut f = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
    f.seek(SeekFrom::Start(offset))
        .map_err(|e| Error::io(&path, e))?;
    let mut buf = vec![0u8; length as usize];
    f.read_exact(&mut buf).map_err(|_| {
        input_error(format!(
            "{}: shorter than tensor '{}' needs ({length} bytes at {offset})",
            path.display(),
            t.name
        ))
    })?;
    Ok(buf)
}

/// A tensor's values as f64: float, double (data fields or raw little-endian bytes, in the
/// file or beside it) and int64.
fn tensor(t: &TensorProto, dir: External<'_>) -> Result<Tensor> {
    let mut dims = Vec::with_capacity(t.dims.len());
    let mut n: usize = 1;
    for &d in &t.dims {
        let d = usize::try_from(d)
            .map_err(|_| input_error(format!("tensor '{}': dimension {d}", t.name)))?;
        n = n
            .checked_mul(d)
            .filter(|&n| n <= MAX_ELEMENTS)
            .ok_or_else(|| {
                input_error(format!(
                    "tensor '{}': more than {MAX_ELEMENTS} elements",
                    t.name
                ))
            })?;
        dims.push(d);
    }
    let external;
    let raw = if t.external_data.is_empty() {
        &t.raw_data
    } else {
        external = external_bytes(t, dir, n * 8)?;
        &external
    };
    let values: Vec<f64> = match t.data_type {
        1 if !raw.is_empty() => raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64)
            .collect(),
        1 => t.float_data.iter().map(|&v| v as f64).collect(),
        11 if !raw.is_empty() => raw
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect(),
        11 => t.double_data.clone(),
        7 if !raw.is_empty() => raw
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")) as f64)
            .collect(),
        7 => t.int64_data.iter().map(|&v| v as f64).collect(),
        other => {
            return Err(input_error(format!(
                "tensor '{}': data type {other}; float, double or int64 tensors are read",
                t.name
            )))
        }
    };
    if values.len() != n {
        return Err(input_error(format!(
            "tensor '{}': {} values for shape {dims:?}",
            t.name,
            values.len()
        )));
    }
    Ok(Tensor { dims, values })
}

fn attr_i(n: &NodeProto, name: &str) -> Option<i64> {
    n.attribute.iter().find(|a| a.name == name).map(|a| a.i)
}

fn attr_s(n: &NodeProto, name: &str) -> Option<String> {
    n.attribute
        .iter()
        .find(|a| a.name == name)
        .map(|a| String::from_utf8_lossy(&a.s).into_owned())
}

fn label(n: &NodeProto) -> String {
    if n.name.is_empty() {
        format!(
            "node {} ({})",
            n.output.first().map_or("", |s| s),
            n.op_type
        )
    } else {
        format!("node '{}' ({})", n.name, n.op_type)
    }
}

/// Operators that only move or reshape values (or compute shapes): an origin passes through.
const PLUMBING: &[&str] = &[
    "Shape",
    "Gather",
    "Unsqueeze",
    "Squeeze",
    "Concat",
    "Transpose",
    "Slice",
    "Reshape",
    "Identity",
    "Cast",
];

/// One GRU layer read from a node: PyTorch's four tensors.
struct Layer {
    hidden: usize,
    input: usize,
    w_ih: Vec<f64>,
    w_hh: Vec<f64>,
    b_ih: Vec<f64>,
    b_hh: Vec<f64>,
}

/// ONNX's gate blocks z, r, h → PyTorch's r, z, n (rows of `rows_per_gate` × `cols`).
fn reorder(v: &[f64], rows_per_gate: usize, cols: usize) -> Vec<f64> {
    let block = rows_per_gate * cols;
    [1, 0, 2]
        .iter()
        .flat_map(|&g| v[g * block..(g + 1) * block].iter().copied())
        .collect()
}

struct Reader<'a> {
    dir: External<'a>,
    origins: HashMap<String, Origin>,
    layers: Vec<Layer>,
    head: Option<(usize, Vec<f64>, Vec<f64>)>,
    features: Option<usize>,
}

impl Reader<'_> {
    fn origin(&self, name: &str, n: &NodeProto) -> Result<&Origin> {
        self.origins.get(name).ok_or_else(|| {
            input_error(format!(
                "{}: input '{name}' is produced by no node before it",
                label(n)
            ))
        })
    }

    fn constant(&self, name: &str, n: &NodeProto, what: &str) -> Result<Tensor> {
        match self.origin(name, n)? {
            Origin::Const(t) => Ok(t.clone()),
            _ => Err(input_error(format!(
                "{}: its {what} '{name}' is not a constant",
                label(n)
            ))),
        }
    }

    fn node(&mut self, n: &NodeProto) -> Result<()> {
        let op = n.op_type.as_str();
        if !n.domain.is_empty() && n.domain != "ai.onnx" {
            return Err(input_error(format!(
                "{}: operator domain '{}' is not read",
                label(n),
                n.domain
            )));
        }
        if n.output.first().is_none_or(|o| o.is_empty()) {
            return Err(input_error(format!("{}: no output", label(n))));
        }
        let out = |i: usize| n.output.get(i).cloned().unwrap_or_default();
        match op {
            "Constant" => {
                let a = n
                    .attribute
                    .iter()
                    .find(|a| a.name == "value")
                    .and_then(|a| a.t.as_ref())
                    .ok_or_else(|| {
                        input_error(format!("{}: only a tensor 'value' is read", label(n)))
                    })?;
                self.origins.insert(out(0), Origin::Const(tensor(a, self.dir)?));
            }
            "ConstantOfShape" => {
                let zero = n
                    .attribute
                    .iter()
                    .find(|a| a.name == "value")
                    .and_then(|a| a.t.as_ref())
                    .map(|t| tensor(t, self.dir))
                    .transpose()?
                    .is_none_or(|t| t.values.iter().all(|&v| v == 0.0));
                if !zero {
                    return Err(input_error(format!(
                        "{}: fills with a value other than 0",
                        label(n)
                    )));
                }
                self.origins.insert(out(0), Origin::Zeros);
            }
            "Shape" => {
                self.origins.insert(out(0), Origin::ShapeOf);
            }
            "Concat" if n.input.iter().any(|i| matches!(self.origins.get(i), Some(Origin::GruYh(_)))) => {
                let all: Vec<Option<usize>> = n
                    .input
                    .iter()
                    .map(|i| match self.origins.get(i) {
                        Some(Origin::GruYh(k)) => Some(*k),
                        _ => None,
                    })
                    .collect();
                if all.iter().copied().ne((0..n.input.len()).map(Some)) {
                    return Err(input_error(format!(
                        "{}: concatenates something other than every layer's final state in order",
                        label(n)
                    )));
                }
                self.origins.insert(out(0), Origin::States(n.input.len()));
            }
            "Gather" | "Slice" if matches!(self.origins.get(n.input.first().map_or("", |s| s)), Some(Origin::States(_))) => {
                self.pick_state(n)?;
            }
            _ if PLUMBING.contains(&op) => {
                let first = n.input.first().ok_or_else(|| {
                    input_error(format!("{}: no input", label(n)))
                })?;
                let o = match self.origin(first, n)? {
                    // A slice or gather of a constant is a shape computation here.
                    Origin::Const(_) => Origin::ShapeOf,
                    o => o.clone(),
                };
                for o_name in &n.output {
                    self.origins.insert(o_name.clone(), o.clone());
                }
            }
            "Sub" | "Add" | "Mul" | "Div" => self.arith(n)?,
            "GRU" => self.gru(n)?,
            "Gemm" => self.gemm(n)?,
            "MatMul" => self.matmul(n)?,
            _ => {
                return Err(input_error(format!(
                    "{}: lutforge reads a GRU (ONNX GRU), a Gemm or MatMul+Add head, a Sub/Div standardization and shape operators; this one would be lost",
                    label(n)
                )))
            }
        }
        Ok(())
    }

    /// h[-1] (Gather) or h[-1:] (Slice) of the stacked states: the last layer's state; any other
    /// selection is refused, since the head must read the last layer.
    fn pick_state(&mut self, n: &NodeProto) -> Result<()> {
        let Some(Origin::States(layers)) = self.origins.get(&n.input[0]).cloned() else {
            unreachable!("checked by the caller")
        };
        let l = layers as i64;
        let konst = |i: usize| -> Result<Vec<i64>> {
            match n.input.get(i).filter(|s| !s.is_empty()) {
                Some(name) => Ok(self
                    .constant(name, n, "index")?
                    .values
                    .iter()
                    .map(|&v| v as i64)
                    .collect()),
                None => Ok(Vec::new()),
            }
        };
        let norm = |i: i64| if i < 0 { i + l } else { i };
        let last = if n.op_type == "Gather" {
            attr_i(n, "axis").unwrap_or(0) == 0 && konst(1)?.iter().map(|&i| norm(i)).eq([l - 1])
        } else {
            let (starts, ends, axes) = (konst(1)?, konst(2)?, konst(3)?);
            (axes.is_empty() || axes == [0])
                && starts.iter().map(|&i| norm(i)).eq([l - 1])
                && ends.first().is_some_and(|&e| e >= l || e == i64::MAX)
        };
        if !last {
            return Err(input_error(format!(
                "{}: selects a state other than the last layer's (h[-1])",
                label(n)
            )));
        }
        self.origins
            .insert(n.output[0].clone(), Origin::GruYh(layers - 1));
        Ok(())
    }

    /// Sub/Add/Mul/Div: the standardization ahead of the GRU, or the head's bias after MatMul.
    fn arith(&mut self, n: &NodeProto) -> Result<()> {
        let op = n.op_type.as_str();
        if n.input.len() != 2 {
            return Err(input_error(format!("{}: two inputs expected", label(n))));
        }
        let (l, r) = (self.origin(&n.input[0], n)?, self.origin(&n.input[1], n)?);
        let result = match (l, r, op) {
            (Origin::Input { a, b }, Origin::Const(c), _) => {
                let c = self.per_feature(c, n)?;
                let (mut a, mut b) = (a.clone(), b.clone());
                let len = a.len().max(c.len());
                a = broadcast(&a, len);
                b = broadcast(&b, len);
                let c = broadcast(&c, len);
                for i in 0..len {
                    match op {
                        "Sub" => b[i] -= c[i],
                        "Add" => b[i] += c[i],
                        "Mul" => {
                            a[i] *= c[i];
                            b[i] *= c[i]
                        }
                        _ => {
                            a[i] /= c[i];
                            b[i] /= c[i]
                        }
                    }
                }
                Origin::Input { a, b }
            }
            (Origin::Const(c), Origin::Input { a, b }, "Add" | "Mul") => {
                let c = self.per_feature(c, n)?;
                let len = a.len().max(c.len());
                let (mut a, mut b) = (broadcast(a, len), broadcast(b, len));
                let c = broadcast(&c, len);
                for i in 0..len {
                    if op == "Add" {
                        b[i] += c[i];
                    } else {
                        a[i] *= c[i];
                        b[i] *= c[i];
                    }
                }
                Origin::Input { a, b }
            }
            (Origin::HeadNoBias(dims, w), Origin::Const(c), "Add")
            | (Origin::Const(c), Origin::HeadNoBias(dims, w), "Add") => {
                let classes = dims[0];
                if c.values.len() != classes {
                    return Err(input_error(format!(
                        "{}: a bias of {} values for a head of {classes} outputs",
                        label(n),
                        c.values.len()
                    )));
                }
                self.set_head(n, dims[1], w.clone(), c.values.clone())?;
                Origin::Head
            }
            (Origin::ShapeOf, _, _) | (_, Origin::ShapeOf, _) => Origin::ShapeOf,
            (Origin::Const(_), Origin::Const(_), _) => Origin::ShapeOf,
            _ => {
                return Err(input_error(format!(
                    "{}: arithmetic on the GRU's values or the head's output would be lost; only a standardization of the input and the head's bias are read",
                    label(n)
                )))
            }
        };
        self.origins.insert(n.output[0].clone(), result);
        Ok(())
    }

    /// A standardization constant: a scalar or one value per feature (shape (F), (1, F) or
    /// (1, 1, F)).
    fn per_feature(&self, c: &Tensor, n: &NodeProto) -> Result<Vec<f64>> {
        let len = c.values.len();
        if c.dims.iter().rev().skip(1).any(|&d| d != 1) {
            return Err(input_error(format!(
                "{}: a constant of shape {:?}; a scalar or one value per input feature is read",
                label(n),
                c.dims
            )));
        }
        if let Some(f) = self.features {
            if len != 1 && len != f {
                return Err(input_error(format!(
                    "{}: {len} values for {f} input features",
                    label(n)
                )));
            }
        }
        Ok(c.values.clone())
    }

    fn set_head(&mut self, n: &NodeProto, hidden: usize, w: Vec<f64>, b: Vec<f64>) -> Result<()> {
        if self.head.is_some() {
            return Err(input_error(format!(
                "{}: a second head; lutforge reads one linear layer after the GRU",
                label(n)
            )));
        }
        self.head = Some((hidden, w, b));
        Ok(())
    }

    /// The head's input must be the last layer's final state.
    fn head_input(&self, name: &str, n: &NodeProto) -> Result<()> {
        match self.origin(name, n)? {
            Origin::GruYh(k) if k + 1 == self.layers.len() => Ok(()),
            Origin::GruYh(k) => Err(input_error(format!(
                "{}: the head reads layer {k}'s state, not the last layer's ({})",
                label(n),
                self.layers.len().saturating_sub(1)
            ))),
            Origin::GruY(_) => Err(input_error(format!(
                "{}: the head reads the GRU's sequence output Y; lutforge's head reads the final state Y_h (PyTorch's h[-1])",
                label(n)
            ))),
            _ => Err(input_error(format!(
                "{}: the head's input does not come from the GRU",
                label(n)
            ))),
        }
    }

    fn gemm(&mut self, n: &NodeProto) -> Result<()> {
        if n.input.len() < 2 {
            return Err(input_error(format!("{}: two inputs at least", label(n))));
        }
        self.head_input(&n.input[0], n)?;
        let alpha = n
            .attribute
            .iter()
            .find(|a| a.name == "alpha")
            .map_or(1.0, |a| a.f);
        let beta = n
            .attribute
            .iter()
            .find(|a| a.name == "beta")
            .map_or(1.0, |a| a.f);
        if attr_i(n, "transA").unwrap_or(0) != 0 {
            return Err(input_error(format!("{}: transA = 1 is not read", label(n))));
        }
        let w = self.constant(&n.input[1], n, "weight")?;
        if w.dims.len() != 2 {
            return Err(input_error(format!(
                "{}: weight of shape {:?}",
                label(n),
                w.dims
            )));
        }
        let (classes, hidden, mut wv) = if attr_i(n, "transB").unwrap_or(0) != 0 {
            (w.dims[0], w.dims[1], w.values.clone())
        } else {
            (
                w.dims[1],
                w.dims[0],
                transpose(&w.values, w.dims[0], w.dims[1]),
            )
        };
        wv.iter_mut().for_each(|v| *v *= alpha as f64);
        let b = match n.input.get(2).filter(|s| !s.is_empty()) {
            Some(name) => {
                let b = self.constant(name, n, "bias")?;
                if b.values.len() != classes {
                    return Err(input_error(format!(
                        "{}: a bias of {} values for {classes} outputs",
                        label(n),
                        b.values.len()
                    )));
                }
                b.values.iter().map(|v| v * beta as f64).collect()
            }
            None => vec![0.0; classes],
        };
        self.set_head(n, hidden, wv, b)?;
        self.origins.insert(n.output[0].clone(), Origin::Head);
        Ok(())
    }

    fn matmul(&mut self, n: &NodeProto) -> Result<()> {
        if n.input.len() != 2 {
            return Err(input_error(format!("{}: two inputs expected", label(n))));
        }
        self.head_input(&n.input[0], n)?;
        let w = self.constant(&n.input[1], n, "weight")?;
        if w.dims.len() != 2 {
            return Err(input_error(format!(
                "{}: weight of shape {:?}",
                label(n),
                w.dims
            )));
        }
        // MatMul(h, W) with W (hidden, classes): the head's weight is W's transpose.
        let wt = transpose(&w.values, w.dims[0], w.dims[1]);
        self.origins.insert(
            n.output[0].clone(),
            Origin::HeadNoBias(vec![w.dims[1], w.dims[0]], wt),
        );
        Ok(())
    }

    fn gru(&mut self, n: &NodeProto) -> Result<()> {
        let k = self.layers.len();
        let dir = attr_s(n, "direction").unwrap_or_else(|| "forward".into());
        if dir != "forward" {
            return Err(input_error(format!(
                "{}: direction '{dir}'; lutforge reads forward GRUs (not bidirectional or reverse)",
                label(n)
            )));
        }
        if attr_i(n, "linear_before_reset").unwrap_or(0) != 1 {
            return Err(input_error(format!(
                "{}: linear_before_reset = 0 applies r before the recurrent product; PyTorch's nn.GRU and lutforge apply it after (linear_before_reset = 1)",
                label(n)
            )));
        }
        if n.attribute.iter().any(|a| a.name == "clip") {
            return Err(input_error(format!(
                "{}: a clipped GRU (attribute clip) is not read",
                label(n)
            )));
        }
        if let Some(a) = n.attribute.iter().find(|a| a.name == "activations") {
            let acts: Vec<String> = a
                .strings
                .iter()
                .map(|s| String::from_utf8_lossy(s).to_lowercase())
                .collect();
            if acts != ["sigmoid", "tanh"] {
                return Err(input_error(format!(
                    "{}: activations {acts:?}; Sigmoid and Tanh are lutforge's",
                    label(n)
                )));
            }
        }
        let x = n
            .input
            .first()
            .ok_or_else(|| input_error(format!("{}: no input", label(n))))?;
        match (k, self.origin(x, n)?) {
            (0, Origin::Input { a, .. }) => {
                if a.len() > 1 && self.features.is_some_and(|f| f != a.len()) {
                    return Err(input_error(format!(
                        "{}: standardization of {} features",
                        label(n),
                        a.len()
                    )));
                }
            }
            (k, Origin::GruY(j)) if k > 0 && *j + 1 == k => {}
            _ => {
                return Err(input_error(format!(
                "{}: its input X is neither the graph's input (layer 0) nor the previous layer's Y",
                label(n)
            )))
            }
        }
        if let Some(h0) = n.input.get(5).filter(|s| !s.is_empty()) {
            let zeros = match self.origin(h0, n)? {
                Origin::Zeros => true,
                Origin::Const(t) => t.values.iter().all(|&v| v == 0.0),
                _ => false,
            };
            if !zeros {
                return Err(input_error(format!(
                    "{}: initial_h is not zeros; lutforge's GRU starts every sequence from h = 0",
                    label(n)
                )));
            }
        }
        let w = self.constant(n.input.get(1).map_or("", |s| s), n, "W")?;
        let r = self.constant(n.input.get(2).map_or("", |s| s), n, "R")?;
        if w.dims.len() != 3 || w.dims[0] != 1 || w.dims[1] % 3 != 0 || w.dims[1] == 0 {
            return Err(input_error(format!(
                "{}: W of shape {:?}; (1, 3·hidden, input) expected (one direction)",
                label(n),
                w.dims
            )));
        }
        let hidden = w.dims[1] / 3;
        let input = w.dims[2];
        if let Some(h) = attr_i(n, "hidden_size") {
            if h as usize != hidden {
                return Err(input_error(format!(
                    "{}: hidden_size {h} but W holds {hidden}",
                    label(n)
                )));
            }
        }
        if r.dims != [1, 3 * hidden, hidden] {
            return Err(input_error(format!(
                "{}: R of shape {:?}; (1, {}, {hidden}) expected",
                label(n),
                r.dims,
                3 * hidden
            )));
        }
        let b = match n.input.get(3).filter(|s| !s.is_empty()) {
            Some(name) => {
                let b = self.constant(name, n, "B")?;
                if b.dims != [1, 6 * hidden] {
                    return Err(input_error(format!(
                        "{}: B of shape {:?}; (1, {}) expected",
                        label(n),
                        b.dims,
                        6 * hidden
                    )));
                }
                b.values
            }
            None => vec![0.0; 6 * hidden],
        };
        if k == 0 {
            if self.features.is_some_and(|f| f != input) {
                return Err(input_error(format!(
                    "{}: W reads {input} features",
                    label(n)
                )));
            }
            self.features = Some(input);
        } else {
            let prev = self.layers[k - 1].hidden;
            if hidden != prev || input != prev {
                return Err(input_error(format!(
                    "{}: layer {k} of {hidden} units on {input} inputs after a layer of {prev}; nn.GRU's layers share one hidden size",
                    label(n)
                )));
            }
        }
        if let Some(v) = [&w.values, &r.values, &b]
            .iter()
            .flat_map(|v| v.iter())
            .find(|v| !v.is_finite())
        {
            return Err(input_error(format!("{}: a weight is {v}", label(n))));
        }
        self.layers.push(Layer {
            hidden,
            input,
            w_ih: reorder(&w.values, hidden, input),
            w_hh: reorder(&r.values, hidden, hidden),
            b_ih: reorder(&b[..3 * hidden], hidden, 1),
            b_hh: reorder(&b[3 * hidden..], hidden, 1),
        });
        if let Some(y) = n.output.first().filter(|s| !s.is_empty()) {
            self.origins.insert(y.clone(), Origin::GruY(k));
        }
        if let Some(yh) = n.output.get(1).filter(|s| !s.is_empty()) {
            self.origins.insert(yh.clone(), Origin::GruYh(k));
        }
        Ok(())
    }
}

fn broadcast(v: &[f64], len: usize) -> Vec<f64> {
    if v.len() == len {
        v.to_vec()
    } else {
        vec![v[0]; len]
    }
}

fn transpose(v: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    (0..cols)
        .flat_map(|c| (0..rows).map(move |r| v[r * cols + c]))
        .collect()
}

/// Reads the model from its bytes (tensors in external files are refused: see
/// [`from_onnx_file`]); its standardization, if the graph has one, becomes the model's `norm`.
pub fn from_onnx(bytes: &[u8]) -> Result<Gru> {
    read(bytes, None)
}

/// Reads the model file at `path`, and the tensors it stores in files beside it.
pub fn from_onnx_file(path: &Path) -> Result<Gru> {
    let bytes = lutforge_core::io::read_bytes(path)?;
    read(&bytes, Some(lutforge_core::io::parent_of(path)))
}

fn read(bytes: &[u8], dir: External<'_>) -> Result<Gru> {
    let m = ModelProto::parse_from_bytes(bytes)
        .map_err(|e| input_error(format!("not an ONNX model: {e}")))?;
    let g = m
        .graph
        .as_ref()
        .ok_or_else(|| input_error("not an ONNX model: no graph"))?;
    let mut rd = Reader {
        dir,
        origins: HashMap::new(),
        layers: Vec::new(),
        head: None,
        features: None,
    };
    for t in &g.initializer {
        rd.origins
            .insert(t.name.clone(), Origin::Const(tensor(t, dir)?));
    }
    let inputs: Vec<&str> = g
        .input
        .iter()
        .map(|v| v.name.as_str())
        .filter(|n| !rd.origins.contains_key(*n))
        .collect();
    if inputs.len() != 1 {
        return Err(input_error(format!(
            "the graph has {} inputs ({}); one sequence input is read",
            inputs.len(),
            inputs.join(", ")
        )));
    }
    rd.origins.insert(
        inputs[0].to_string(),
        Origin::Input {
            a: vec![1.0],
            b: vec![0.0],
        },
    );
    for n in &g.node {
        rd.node(n)?;
    }
    if rd.layers.is_empty() {
        return Err(input_error("the graph has no GRU node"));
    }
    let (head_hidden, hw, hb) = rd.head.take().ok_or_else(|| {
        input_error("the graph has no head (a Gemm, or MatMul + Add, on the GRU's final state)")
    })?;
    let hidden = rd.layers[0].hidden;
    if head_hidden != hidden {
        return Err(input_error(format!(
            "the head reads {head_hidden} values; the GRU has {hidden} hidden units"
        )));
    }
    for o in &g.output {
        if !matches!(rd.origins.get(&o.name), Some(Origin::Head)) {
            return Err(input_error(format!(
                "graph output '{}' is not the head's output; export the logits alone",
                o.name
            )));
        }
    }
    let features = rd.layers[0].input;
    // The standardization is the affine map on the value layer 0 reads.
    let first = g
        .node
        .iter()
        .find(|n| n.op_type == "GRU")
        .expect("a GRU node was read");
    let Some(Origin::Input { a, b }) = rd.origins.get(&first.input[0]) else {
        unreachable!("layer 0's input was checked to be the graph's input")
    };
    let (a, b) = (broadcast(a, features), broadcast(b, features));
    if a.iter().any(|&v| !(v.is_finite() && v > 0.0)) || b.iter().any(|v| !v.is_finite()) {
        return Err(input_error(
            "the input standardization scales a feature by zero, a negative or a non-finite factor",
        ));
    }
    let norm = Norm {
        mean: a.iter().zip(&b).map(|(a, b)| -b / a).collect(),
        std: a.iter().map(|a| 1.0 / a).collect(),
    };
    let shape = Shape {
        input: features,
        hidden,
        layers: rd.layers.len(),
        outputs: hw.len() / hidden,
    };
    let mut params = vec![0.0; shape.params()];
    let mut tensors: HashMap<String, Vec<f64>> = HashMap::new();
    for (k, l) in rd.layers.into_iter().enumerate() {
        tensors.insert(format!("weight_ih_l{k}"), l.w_ih);
        tensors.insert(format!("weight_hh_l{k}"), l.w_hh);
        tensors.insert(format!("bias_ih_l{k}"), l.b_ih);
        tensors.insert(format!("bias_hh_l{k}"), l.b_hh);
    }
    tensors.insert("fc.weight".into(), hw);
    tensors.insert("fc.bias".into(), hb);
    for (name, off, dims) in shape.tensors() {
        let v = &tensors[&name];
        debug_assert_eq!(v.len(), dims.iter().product::<usize>());
        params[off..off + v.len()].copy_from_slice(v);
    }
    if let Some(v) = params.iter().find(|v| !v.is_finite()) {
        return Err(input_error(format!("a head weight is {v}")));
    }
    Ok(Gru {
        shape,
        params,
        norm,
    })
}
