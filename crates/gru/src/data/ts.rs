//! The sktime/UEA `.ts` text format: `@` header lines, then one series per line after
//! `@data`, dimensions separated by `:`, values by `,`, the class label last. Written by hand:
//! no Rust crate reads it, and the subset the UEA archive uses is a few lines.

use super::{Sample, Target};
use lutforge_core::{Error, Result};

/// A parsed `.ts` file: its samples, the class names in header order, the dimension count.
pub struct TsFile {
    pub samples: Vec<Sample>,
    pub classes: Vec<String>,
    pub dimensions: usize,
}

/// Parses `.ts` text; `name` is used in errors (`name: line 12: …`).
pub fn parse(name: &str, text: &str) -> Result<TsFile> {
    let err = |line: usize, msg: String| Error::input(format!("{name}: line {line}: {msg}"));
    let mut classes: Vec<String> = Vec::new();
    let mut dimensions = None;
    let mut in_data = false;
    let mut samples = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let ln = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !in_data {
            let mut toks = line.split_whitespace();
            let key = toks.next().unwrap_or("").to_ascii_lowercase();
            match key.as_str() {
                "@dimensions" => {
                    let d = toks
                        .next()
                        .and_then(|v| v.parse::<usize>().ok())
                        .filter(|&d| d > 0)
                        .ok_or_else(|| err(ln, "@dimensions needs a positive count".into()))?;
                    dimensions = Some(d);
                }
                "@classlabel" => {
                    if toks.next() != Some("true") {
                        return Err(err(
                            ln,
                            "only classification files (@classLabel true) are read".into(),
                        ));
                    }
                    classes = toks.map(str::to_string).collect();
                    if classes.len() < 2 {
                        return Err(err(ln, "@classLabel lists fewer than two classes".into()));
                    }
                }
                "@data" => in_data = true,
                k if k.starts_with('@') => {}
                _ => return Err(err(ln, format!("'{line}' before @data is no header"))),
            }
            continue;
        }
        let dims: Vec<&str> = line.split(':').collect();
        // Without @dimensions, the first series line fixes the count for every other line.
        let d = *dimensions.get_or_insert(dims.len() - 1);
        if d == 0 {
            return Err(err(
                ln,
                "a series line is one or more comma-separated series and a label, separated by ':'"
                    .into(),
            ));
        }
        if dims.len() != d + 1 {
            return Err(err(
                ln,
                format!("{} fields; {d} dimensions and a label expected", dims.len()),
            ));
        }
        let label = dims[d].trim();
        let class = classes.iter().position(|c| c == label).ok_or_else(|| {
            err(
                ln,
                format!("label '{label}' is not declared by @classLabel"),
            )
        })?;
        let series: Vec<Vec<f64>> = dims[..d]
            .iter()
            .map(|s| {
                s.split(',')
                    .map(|v| {
                        let v = v.trim();
                        match v.parse::<f64>() {
                            Ok(x) if x.is_finite() => Ok(x),
                            _ => Err(err(ln, format!("'{v}' is not a finite number"))),
                        }
                    })
                    .collect::<Result<Vec<f64>>>()
            })
            .collect::<Result<_>>()?;
        let len = series[0].len();
        if series.iter().any(|s| s.len() != len) {
            return Err(err(ln, "dimensions of one series differ in length".into()));
        }
        // Time-major: step t holds every dimension.
        let mut x = Vec::with_capacity(len * d);
        for t in 0..len {
            for s in &series {
                x.push(s[t]);
            }
        }
        samples.push(Sample {
            x,
            len,
            y: Target::Class(class),
        });
    }
    if !in_data {
        return Err(Error::input(format!("{name}: no @data line")));
    }
    if samples.is_empty() {
        return Err(Error::input(format!("{name}: no series after @data")));
    }
    let dimensions = dimensions.unwrap_or(samples[0].x.len() / samples[0].len.max(1));
    Ok(TsFile {
        samples,
        classes,
        dimensions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = "# comment\n@problemName T\n@dimensions 2\n@classLabel true a b\n@data\n\
                       1,2,3:4,5,6:b\n0.5:1.5:a\n";

    #[test]
    fn reads_series_time_major_with_labels() {
        let f = parse("t.ts", TWO).unwrap();
        assert_eq!(f.dimensions, 2);
        assert_eq!(f.classes, ["a", "b"]);
        assert_eq!(f.samples[0].len, 3);
        assert_eq!(f.samples[0].x, [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        assert_eq!(f.samples[0].y, Target::Class(1));
        assert_eq!(f.samples[1].x, [0.5, 1.5]);
    }

    #[test]
    fn bad_lines_are_named() {
        for (text, needle) in [
            (TWO.replace("0.5:1.5:a", "0.5:1.5:c"), "line 7: label 'c'"),
            (TWO.replace("0.5:1.5:a", "0.5:nan:a"), "line 7: 'nan'"),
            (TWO.replace("0.5:1.5:a", "0.5,1:1.5:a"), "differ in length"),
            (TWO.replace("0.5:1.5:a", "0.5:a"), "2 fields"),
            (TWO.replace("@data\n", ""), "before @data"),
            // The fuzzer's finds: no @dimensions and a line without ':' (once an index panic),
            // and lines of different dimension counts (once read as they came).
            (
                "@classLabel true a b\n@data\n1:2:a\n3:b\n".to_string(),
                "line 4: 2 fields",
            ),
            (
                "@classLabel true a b\n@data\nI\n".to_string(),
                "line 3: a series line is one or more",
            ),
        ] {
            let e = parse("t.ts", &text).err().expect(needle).to_string();
            assert!(e.contains(needle), "{e}");
        }
    }
}
