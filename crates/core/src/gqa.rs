//! Interop with the GQA-LUT reference's JSON: `{"gelu": {"0": {"breakpoints": [...],
//! "slopes": [...], "intercepts": [...]}, "1": ...}}` with real numbers, one key per count of
//! decimal bits (= F_x). Conversion is exact or refused with the reason.

use crate::error::{Error, Result};
use crate::format::{bits_for, exact_code, FixedFormat};
use crate::function::{Builtin, Function};
use crate::golden::IntParams;
use crate::table::{Arith, Formats, Params, Provenance, Scale, Table};
use serde_json::{Map, Value};

/// Finest coefficient format import will widen to.
const MAX_COEFF_FRAC: i32 = 24;

/// One scale of a GQA-LUT file as read: F_x, its path in the file, and the real values.
struct RealScale {
    frac: i32,
    at: String,
    breakpoints: Vec<f64>,
    slopes: Vec<f64>,
    intercepts: Vec<f64>,
}

/// The outcome of an import: the table and what was widened (one line each, for stderr).
pub struct Imported {
    pub table: Table,
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
}

/// Converts a GQA-LUT file. Values that do not fit the default formats widen them (a note
/// says which), or are refused when `strict`.
pub fn import(
    text: &str,
    function: &Function,
    domain: Option<(f64, f64)>,
    strict: bool,
) -> Result<Imported> {
    let root = crate::io::json::parse(text).map_err(Error::input)?;
    let obj = root
        .as_object()
        .ok_or_else(|| Error::input("a GQA-LUT file is a JSON object keyed by function name"))?;
    let key = pick_key(obj, function)?;
    let per_scale = obj[&key]
        .as_object()
        .ok_or_else(|| Error::field(&key, "expected an object keyed by decimal bits"))?;
    if per_scale.is_empty() {
        return Err(Error::field(&key, "holds no scale"));
    }

    // Read every scale as real numbers first; formats are decided over all of them.
    let mut reals = Vec::new();
    for (d, entry) in per_scale {
        let frac: i32 = d
            .parse()
            .ok()
            .filter(|f| crate::table::FRAC_RANGE.contains(f))
            .ok_or_else(|| {
                Error::field(
                    format!("{key}.{d}"),
                    "the key must be a count of decimal bits (0..=32)",
                )
            })?;
        let at = format!("{key}.{d}");
        let get = |names: &[&str]| -> Result<Vec<f64>> {
            let v = names
                .iter()
                .find_map(|n| entry.get(*n))
                .ok_or_else(|| Error::field(&at, format!("missing \"{}\"", names[0])))?;
            let arr = v
                .as_array()
                .ok_or_else(|| Error::field(format!("{at}.{}", names[0]), "expected an array"))?;
            arr.iter()
                .enumerate()
                .map(|(j, x)| {
                    x.as_f64().filter(|x| x.is_finite()).ok_or_else(|| {
                        Error::field(
                            format!("{at}.{}[{j}]", names[0]),
                            format!("{x} is not a finite number"),
                        )
                    })
                })
                .collect()
        };
        reals.push(RealScale {
            breakpoints: get(&["breakpoints", "split_points"])?,
            slopes: get(&["slopes", "coeff"])?,
            intercepts: get(&["intercepts", "bias"])?,
            frac,
            at,
        });
    }
    reals.sort_by_key(|r| r.frac);
    let k = reals[0].slopes.len();
    for RealScale {
        at,
        breakpoints: bps,
        slopes: ks,
        intercepts: bs,
        ..
    } in &reals
    {
        if ks.is_empty() || ks.len() != k || bs.len() != k || bps.len() + 1 != k {
            return Err(Error::field(
                at,
                format!(
                    "{} breakpoints, {} slopes, {} intercepts: K−1, K, K with the same K = {k} for every scale expected",
                    bps.len(),
                    ks.len(),
                    bs.len()
                ),
            ));
        }
    }

    let mut notes = Vec::new();
    let slope = coeff_format(&reals, |r| &r.slopes, "slopes", strict, &mut notes)?;
    let intercept = coeff_format(&reals, |r| &r.intercepts, "intercepts", strict, &mut notes)?;

    let mut scales = Vec::new();
    let mut input_bits = 8;
    for RealScale {
        frac,
        at,
        breakpoints: bps,
        slopes: ks,
        intercepts: bs,
    } in &reals
    {
        let mut breakpoints = Vec::with_capacity(bps.len());
        for (j, &v) in bps.iter().enumerate() {
            let c = exact_code(v, *frac).ok_or_else(|| {
                Error::field(
                    format!("{at}.breakpoints[{j}]"),
                    format!(
                        "{v} is not a multiple of 2^-{frac}, so it is no input code at this scale"
                    ),
                )
            })?;
            let need = bits_for(c);
            if need > input_bits {
                if strict {
                    return Err(Error::field(
                        format!("{at}.breakpoints[{j}]"),
                        format!(
                            "{v} is code {c}, which needs a {need}-bit input (--strict keeps 8)"
                        ),
                    ));
                }
                input_bits = need;
            }
            breakpoints.push(c);
        }
        let codes = |vals: &[f64], f: FixedFormat| -> Vec<i64> {
            vals.iter()
                .map(|&v| exact_code(v, f.frac).expect("format chosen to hold it"))
                .collect()
        };
        scales.push(Scale {
            frac: *frac,
            params: Params::Int(IntParams {
                breakpoints,
                slopes: codes(ks, slope),
                intercepts: codes(bs, intercept),
            }),
            metrics: None,
        });
    }
    if input_bits > 8 {
        notes.push(format!(
            "widened the input to {input_bits} bits: a breakpoint lies outside the 8-bit input range"
        ));
    }

    let domain = domain.unwrap_or_else(|| function.default_domain());
    let mut formats = Formats::default_for(function, domain);
    formats.input_bits = input_bits;
    formats.slope = slope;
    formats.intercept = intercept;
    let mut table = Table {
        function: function.clone(),
        domain,
        segments: k,
        arith: Arith::Int,
        formats,
        scales,
        provenance: Provenance::new(
            "import-gqa",
            None,
            serde_json::json!({ "key": key, "strict": strict }),
        ),
    };
    let warnings = table.validate()?;
    table.refresh_metrics();
    Ok(Imported {
        table,
        notes,
        warnings,
    })
}

/// The key of `function` in the file: its own name, GQA-LUT's spelling, or the only key.
fn pick_key(obj: &Map<String, Value>, function: &Function) -> Result<String> {
    let names: Vec<&str> = match function {
        Function::Builtin(b) => vec![b.name(), b.gqa_name()],
        Function::Sampled(s) => vec![s.name.as_str()],
        Function::Quantized(_) => {
            return Err(Error::input(
                "GQA-LUT files hold real-valued tables: a quantized function (a function of codes) cannot be imported from one",
            ))
        }
    };
    if let Some(k) = names.iter().find(|n| obj.contains_key(**n)) {
        return Ok(k.to_string());
    }
    let keys: Vec<&String> = obj.keys().collect();
    match (keys.as_slice(), function) {
        ([only], Function::Sampled(_) | Function::Quantized(_)) => Ok((*only).clone()),
        ([only], Function::Builtin(_)) if Builtin::from_name(only).is_none() => Ok((*only).clone()),
        _ => Err(Error::input(format!(
            "the file holds {} but not '{}'",
            if keys.is_empty() {
                "no function".to_string()
            } else {
                keys.iter()
                    .map(|k| format!("'{k}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            function.name()
        ))),
    }
}

/// The smallest format, at least the default (8, 6), that holds every value of one kind.
fn coeff_format(
    reals: &[RealScale],
    which: fn(&RealScale) -> &Vec<f64>,
    name: &str,
    strict: bool,
    notes: &mut Vec<String>,
) -> Result<FixedFormat> {
    let def = FixedFormat::DEFAULT_COEFF;
    let values = || {
        reals.iter().flat_map(move |r| {
            which(r)
                .iter()
                .enumerate()
                .map(move |(j, &x)| (format!("{}.{name}[{j}]", r.at), x))
        })
    };
    let mut frac = def.frac;
    for (at, v) in values() {
        let need = (def.frac..=MAX_COEFF_FRAC)
            .find(|&f| exact_code(v, f).is_some())
            .ok_or_else(|| {
                Error::field(&at, format!("{v} is not a multiple of 2^-{MAX_COEFF_FRAC}"))
            })?;
        if need > frac {
            if strict {
                return Err(Error::field(
                    &at,
                    format!("{v} is not a multiple of 2^-{}; it needs {need} fractional bits (--strict)", def.frac),
                ));
            }
            frac = need;
        }
    }
    let mut bits = def.bits;
    let mut widest = None;
    for (at, v) in values() {
        // Each value is a multiple of 2^-frac, but a large one with a fine resolution may
        // need a code beyond what any format holds.
        let code = exact_code(v, frac).ok_or_else(|| {
            Error::field(
                &at,
                format!(
                    "{v} at the resolution 2^-{frac} another value needs is a code beyond 2^53; \
                     no {name} format holds both"
                ),
            )
        })?;
        let need = bits_for(code);
        if need > bits {
            if strict {
                return Err(Error::field(
                    &at,
                    format!(
                        "{v} does not fit the {name} format {def}; ({need}, {frac}) would hold it (--strict)"
                    ),
                ));
            }
            bits = need;
            widest = Some((at, v));
        }
    }
    let f = FixedFormat::new(bits, frac);
    if f != def {
        let why = match &widest {
            Some((at, v)) => format!("{at} = {v} does not fit {def}"),
            None => "a value needs more fractional bits".to_string(),
        };
        notes.push(format!(
            "widened the {name} format from {def} to {f}: {why}"
        ));
    }
    Ok(f)
}

/// Writes a table as a GQA-LUT file: real values, one key per scale.
pub fn export(t: &Table) -> String {
    let key = match &t.function {
        Function::Builtin(b) => b.gqa_name().to_string(),
        Function::Sampled(s) => s.name.clone(),
        Function::Quantized(q) => q.inner.name().to_string(),
    };
    let mut per_scale = Map::new();
    for s in &t.scales {
        let (bps, ks, bs): (Vec<f64>, Vec<f64>, Vec<f64>) = match &s.params {
            Params::Int(p) => (
                p.breakpoints
                    .iter()
                    .map(|&c| FixedFormat::new(64, s.frac).value(c))
                    .collect(),
                p.slopes.iter().map(|&c| t.formats.slope.value(c)).collect(),
                p.intercepts
                    .iter()
                    .map(|&c| t.formats.intercept.value(c))
                    .collect(),
            ),
            Params::Fp32(p) => (
                p.breakpoints.iter().map(|&v| v as f64).collect(),
                p.slopes.iter().map(|&v| v as f64).collect(),
                p.intercepts.iter().map(|&v| v as f64).collect(),
            ),
        };
        per_scale.insert(
            s.frac.to_string(),
            serde_json::json!({ "breakpoints": bps, "slopes": ks, "intercepts": bs }),
        );
    }
    let mut root = Map::new();
    root.insert(key, Value::Object(per_scale));
    let mut out = serde_json::to_string_pretty(&Value::Object(root)).expect("serializes");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GELU: &str = r#"{"gelu": {
        "0": {"breakpoints": [-2.0, -0.0, 0.0], "slopes": [0.0, -0.0625, 0.25, 1.0], "intercepts": [0.0, -0.125, 0.0, -0.015625]},
        "2": {"breakpoints": [-2.25, -0.5, 0.75], "slopes": [0.0, -0.0625, 0.25, 1.0], "intercepts": [0.0, -0.125, 0.0, -0.015625]}
    }}"#;

    fn gelu() -> Function {
        Function::Builtin(Builtin::Gelu)
    }

    #[test]
    fn imports_exactly_and_keeps_equal_breakpoints() {
        let imp = import(GELU, &gelu(), None, false).unwrap();
        let t = &imp.table;
        assert!(imp.notes.is_empty());
        assert_eq!(imp.warnings.len(), 1, "{:?}", imp.warnings);
        assert_eq!(t.segments, 4);
        assert_eq!(t.scales.len(), 2);
        let Params::Int(p0) = &t.scales[0].params else {
            panic!()
        };
        assert_eq!(p0.breakpoints, vec![-2, 0, 0]);
        assert_eq!(p0.slopes, vec![0, -4, 16, 64]);
        assert_eq!(p0.intercepts, vec![0, -8, 0, -1]);
        let Params::Int(p2) = &t.scales[1].params else {
            panic!()
        };
        assert_eq!(p2.breakpoints, vec![-9, -2, 3]);
    }

    #[test]
    fn export_then_import_is_the_same_table() {
        let t = import(GELU, &gelu(), None, false).unwrap().table;
        let back = import(&export(&t), &gelu(), None, false).unwrap().table;
        assert_eq!(back.scales, t.scales);
        assert_eq!(back.formats, t.formats);
    }

    #[test]
    fn widens_wide_slopes_or_refuses_when_strict() {
        let reci = Function::Builtin(Builtin::Reciprocal);
        let text = r#"{"reci": {"3": {"breakpoints": [1.0], "slopes": [-3.203125, -0.25], "intercepts": [3.0, 1.0]}}}"#;
        let imp = import(text, &reci, None, false).unwrap();
        assert_eq!(imp.table.formats.slope, FixedFormat::new(9, 6));
        assert!(
            imp.notes[0].contains("slopes format from (8, 6) to (9, 6)"),
            "{:?}",
            imp.notes
        );
        let e = import(text, &reci, None, true).err().unwrap().to_string();
        assert!(
            e.starts_with("reci.3.slopes[0]:") && e.contains("(9, 6) would hold it"),
            "{e}"
        );
        // Export uses GQA-LUT's own key and the round trip keeps the widened format.
        let back = import(&export(&imp.table), &reci, None, false)
            .unwrap()
            .table;
        assert_eq!(back.formats, imp.table.formats);
        assert_eq!(back.scales, imp.table.scales);
    }

    #[test]
    fn refuses_inexact_values() {
        let text = r#"{"gelu": {"2": {"breakpoints": [0.1], "slopes": [0.0, 1.0], "intercepts": [0.0, 0.0]}}}"#;
        let e = import(text, &gelu(), None, false)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.starts_with("gelu.2.breakpoints[0]:") && e.contains("2^-2"),
            "{e}"
        );
        let text = r#"{"gelu": {"2": {"breakpoints": [0.5], "slopes": [0.0, 0.1], "intercepts": [0.0, 0.0]}}}"#;
        assert!(import(text, &gelu(), None, false).is_err());
    }

    #[test]
    fn refuses_wrong_shapes_and_keys() {
        let e = import(r#"{"exp": {}}"#, &gelu(), None, false)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("not 'gelu'"), "{e}");
        let text = r#"{"gelu": {"0": {"breakpoints": [0.0, 1.0], "slopes": [0.0, 1.0], "intercepts": [0.0, 0.0]}}}"#;
        assert!(import(text, &gelu(), None, false).is_err());
        let text = r#"{"gelu": {"x": {"breakpoints": [], "slopes": [1.0], "intercepts": [0.0]}}}"#;
        assert!(import(text, &gelu(), None, false).is_err());
        assert!(import("[1, 2]", &gelu(), None, false).is_err());
        assert!(import("{", &gelu(), None, false).is_err());
    }

    #[test]
    fn reference_key_names_are_accepted() {
        let text =
            r#"{"gelu": {"1": {"split_points": [0.5], "coeff": [0.0, 1.0], "bias": [0.0, 0.0]}}}"#;
        assert_eq!(
            import(text, &gelu(), None, false)
                .unwrap()
                .table
                .scales
                .len(),
            1
        );
    }
}
