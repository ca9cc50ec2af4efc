//! The functions a unit approximates: the built-ins of quantized Transformers and RNNs, and
//! user functions given as samples so nobody is limited to the built-ins.

use crate::error::{Error, Result};
use std::path::Path;

/// A built-in function; the true values are computed in f64 (GELU with the exact erf).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    Gelu,
    Hswish,
    Sigmoid,
    Tanh,
    Exp,
    Reciprocal,
    Rsqrt,
    Silu,
    Softplus,
}

impl Builtin {
    pub const ALL: [Builtin; 9] = [
        Builtin::Gelu,
        Builtin::Hswish,
        Builtin::Sigmoid,
        Builtin::Tanh,
        Builtin::Exp,
        Builtin::Reciprocal,
        Builtin::Rsqrt,
        Builtin::Silu,
        Builtin::Softplus,
    ];

    /// The standard set (`lutforge search --all`, the RTL cross-check): the functions of
    /// quantized Transformers and RNNs that GQA-LUT and its successors report, at
    /// `STANDARD_SEGMENTS` segments each.
    pub const STANDARD: [Builtin; 8] = [
        Builtin::Gelu,
        Builtin::Hswish,
        Builtin::Exp,
        Builtin::Reciprocal,
        Builtin::Rsqrt,
        Builtin::Silu,
        Builtin::Sigmoid,
        Builtin::Tanh,
    ];

    /// Segment counts of the standard set.
    pub const STANDARD_SEGMENTS: [usize; 2] = [8, 16];

    pub fn name(self) -> &'static str {
        match self {
            Builtin::Gelu => "gelu",
            Builtin::Hswish => "hswish",
            Builtin::Sigmoid => "sigmoid",
            Builtin::Tanh => "tanh",
            Builtin::Exp => "exp",
            Builtin::Reciprocal => "reciprocal",
            Builtin::Rsqrt => "rsqrt",
            Builtin::Silu => "silu",
            Builtin::Softplus => "softplus",
        }
    }

    /// The key the GQA-LUT reference uses for this function in its JSON files and code.
    pub fn gqa_name(self) -> &'static str {
        match self {
            Builtin::Reciprocal => "reci",
            Builtin::Rsqrt => "sqrt_reci",
            Builtin::Silu => "swish",
            other => other.name(),
        }
    }

    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL
            .into_iter()
            .find(|b| b.name() == name || b.gqa_name() == name)
    }

    pub fn default_domain(self) -> (f64, f64) {
        match self {
            Builtin::Gelu | Builtin::Hswish | Builtin::Silu => (-4.0, 4.0),
            Builtin::Exp => (-8.0, 0.0),
            Builtin::Reciprocal => (0.5, 4.0),
            Builtin::Rsqrt => (0.25, 4.0),
            Builtin::Sigmoid | Builtin::Tanh | Builtin::Softplus => (-8.0, 8.0),
        }
    }

    /// Where the function is defined (finite); a domain must lie inside it.
    pub fn defined_on(self) -> (f64, f64, bool) {
        match self {
            // (lo, hi, lo excluded)
            Builtin::Reciprocal | Builtin::Rsqrt => (0.0, f64::INFINITY, true),
            _ => (f64::NEG_INFINITY, f64::INFINITY, false),
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Builtin::Gelu => "x/2 * (1 + erf(x/sqrt 2)), exact erf",
            Builtin::Hswish => "x * clamp(x + 3, 0, 6) / 6",
            Builtin::Sigmoid => "1 / (1 + e^-x)",
            Builtin::Tanh => "tanh x",
            Builtin::Exp => "e^x (softmax numerators)",
            Builtin::Reciprocal => "1 / x (softmax denominators)",
            Builtin::Rsqrt => "1 / sqrt x (LayerNorm)",
            Builtin::Silu => "x * sigmoid(x), also called swish",
            Builtin::Softplus => "ln(1 + e^x)",
        }
    }

    pub fn eval(self, x: f64) -> f64 {
        match self {
            Builtin::Gelu => 0.5 * x * (1.0 + libm::erf(x / std::f64::consts::SQRT_2)),
            Builtin::Hswish => x * (x + 3.0).clamp(0.0, 6.0) / 6.0,
            Builtin::Sigmoid => sigmoid(x),
            Builtin::Tanh => x.tanh(),
            Builtin::Exp => x.exp(),
            Builtin::Reciprocal => 1.0 / x,
            Builtin::Rsqrt => 1.0 / x.sqrt(),
            Builtin::Silu => x * sigmoid(x),
            Builtin::Softplus => x.max(0.0) + (-x.abs()).exp().ln_1p(),
        }
    }
}

fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// A user function: samples (x, y) with strictly increasing x, interpolated linearly and
/// extrapolated with the end segments.
#[derive(Clone, Debug, PartialEq)]
pub struct Sampled {
    pub name: String,
    xs: Vec<f64>,
    ys: Vec<f64>,
}

impl Sampled {
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Result<Self> {
        let name = name.into();
        if points.len() < 2 {
            return Err(Error::input(format!(
                "function '{name}': at least two samples are needed, got {}",
                points.len()
            )));
        }
        for (i, &(x, y)) in points.iter().enumerate() {
            if !x.is_finite() || !y.is_finite() {
                return Err(Error::input(format!(
                    "function '{name}': sample {} ({x}, {y}) is not finite",
                    i + 1
                )));
            }
            if i > 0 && x <= points[i - 1].0 {
                return Err(Error::input(format!(
                    "function '{name}': sample {} has x = {x}, not above the previous x = {}; x must increase",
                    i + 1,
                    points[i - 1].0
                )));
            }
        }
        let (xs, ys) = points.into_iter().unzip();
        Ok(Sampled { name, xs, ys })
    }

    /// Reads `x,y` lines; a first line that is not numeric is taken as a header, `#` starts a comment.
    pub fn from_csv(path: &Path) -> Result<Self> {
        let text = crate::io::read_text(path)?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "samples".into());
        Sampled::from_csv_text(&name, &text).map_err(|e| Error::io(path, e))
    }

    /// [`Sampled::from_csv`] of text already read; errors name the line.
    pub fn from_csv_text(name: &str, text: &str) -> Result<Self> {
        // `#` starts a comment anywhere on a line (the csv crate only knows whole-line ones);
        // what remains is read as CSV, quoted fields and surrounding spaces included.
        let cleaned: String = text
            .lines()
            .map(|l| l.split('#').next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let mut rd = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(cleaned.as_bytes());
        let mut points = Vec::new();
        for rec in rd.records() {
            let rec = rec.map_err(|e| Error::input(format!("not CSV: {e}")))?;
            let line = rec.position().map_or(0, |p| p.line());
            if rec.iter().all(|f| f.is_empty()) {
                continue;
            }
            let parsed = match (rec.len(), rec.get(0), rec.get(1)) {
                (2, Some(x), Some(y)) => x.parse::<f64>().ok().zip(y.parse::<f64>().ok()),
                _ => None,
            };
            match parsed {
                Some(p) => points.push(p),
                None if points.is_empty() && line == 1 => continue, // header
                None => {
                    let got: Vec<&str> = rec.iter().collect();
                    return Err(Error::input(format!(
                        "line {line}: expected 'x,y' with two numbers, got '{}'",
                        got.join(",")
                    )));
                }
            }
        }
        Sampled::new(name, points)
    }

    pub fn points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.xs.iter().copied().zip(self.ys.iter().copied())
    }

    pub fn range(&self) -> (f64, f64) {
        (self.xs[0], self.xs[self.xs.len() - 1])
    }

    pub fn eval(&self, x: f64) -> f64 {
        let n = self.xs.len();
        // Index of the segment [xs[i], xs[i+1]] used, the end ones extended outward.
        let i = self.xs.partition_point(|&v| v <= x).clamp(1, n - 1) - 1;
        let (x0, x1, y0, y1) = (self.xs[i], self.xs[i + 1], self.ys[i], self.ys[i + 1]);
        y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    }
}

/// A function a table approximates.
#[derive(Clone, Debug, PartialEq)]
pub enum Function {
    Builtin(Builtin),
    Sampled(Sampled),
}

impl Function {
    /// A built-in by name (lutforge's or GQA-LUT's spelling), or a CSV file of samples when
    /// the name ends in `.csv`.
    pub fn parse(name: &str) -> Result<Function> {
        if name.ends_with(".csv") {
            return Ok(Function::Sampled(Sampled::from_csv(Path::new(name))?));
        }
        Builtin::from_name(name).map(Function::Builtin).ok_or_else(|| {
            Error::input(format!(
                "unknown function '{name}' (known: {}; or a CSV file of x,y samples ending in .csv)",
                builtin_names()
            ))
        })
    }

    pub fn name(&self) -> &str {
        match self {
            Function::Builtin(b) => b.name(),
            Function::Sampled(s) => &s.name,
        }
    }

    pub fn eval(&self, x: f64) -> f64 {
        match self {
            Function::Builtin(b) => b.eval(x),
            Function::Sampled(s) => s.eval(x),
        }
    }

    pub fn default_domain(&self) -> (f64, f64) {
        match self {
            Function::Builtin(b) => b.default_domain(),
            Function::Sampled(s) => s.range(),
        }
    }

    /// Checks that the function is finite over `[lo, hi]`; the error says why not.
    pub fn check_domain(&self, lo: f64, hi: f64) -> Result<(), String> {
        if !(lo.is_finite() && hi.is_finite()) {
            return Err(format!("domain [{lo}, {hi}] must be finite"));
        }
        if lo >= hi {
            return Err(format!("domain [{lo}, {hi}] is empty: lo must be below hi"));
        }
        match self {
            Function::Builtin(b) => {
                let (dlo, _, open) = b.defined_on();
                if lo < dlo || (open && lo <= dlo) {
                    return Err(format!(
                        "domain [{lo}, {hi}]: {} is defined only for x > {dlo}",
                        b.name()
                    ));
                }
            }
            Function::Sampled(s) => {
                let (slo, shi) = s.range();
                if lo < slo || hi > shi {
                    return Err(format!(
                        "domain [{lo}, {hi}] leaves the samples of '{}', which cover [{slo}, {shi}]",
                        s.name
                    ));
                }
            }
        }
        Ok(())
    }

    /// The function's minimum and maximum over `[lo, hi]`, from a dense sampling that
    /// includes both ends and every sample point of a user function.
    pub fn range_over(&self, lo: f64, hi: f64) -> (f64, f64) {
        const STEPS: usize = 16384;
        let mut min = f64::INFINITY;
        let mut max = f64::NEG_INFINITY;
        let mut see = |x: f64| {
            let y = self.eval(x);
            min = min.min(y);
            max = max.max(y);
        };
        for i in 0..=STEPS {
            see(lo + (hi - lo) * i as f64 / STEPS as f64);
        }
        if let Function::Sampled(s) = self {
            for (x, _) in s.points().filter(|&(x, _)| x >= lo && x <= hi) {
                see(x);
            }
        }
        (min, max)
    }
}

pub fn builtin_names() -> String {
    Builtin::ALL.map(Builtin::name).join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // GELU(1) = Φ(1) = 0.8413447460685429 (normal CDF table value).
        assert!((Builtin::Gelu.eval(1.0) - 0.8413447460685429).abs() < 1e-15);
        assert!((Builtin::Gelu.eval(-1.0) + 0.15865525393145707).abs() < 1e-15);
        assert_eq!(Builtin::Hswish.eval(-3.0), 0.0);
        assert_eq!(Builtin::Hswish.eval(3.0), 3.0);
        assert_eq!(Builtin::Hswish.eval(1.0), 4.0 / 6.0);
        assert_eq!(Builtin::Sigmoid.eval(0.0), 0.5);
        assert_eq!(Builtin::Reciprocal.eval(4.0), 0.25);
        assert_eq!(Builtin::Rsqrt.eval(0.25), 2.0);
        assert!((Builtin::Softplus.eval(0.0) - std::f64::consts::LN_2).abs() < 1e-15);
        assert!((Builtin::Softplus.eval(-40.0) - (-40f64).exp()).abs() < 1e-25);
        assert_eq!(Builtin::Softplus.eval(800.0), 800.0);
        assert!((Builtin::Silu.eval(2.0) - 2.0 / (1.0 + (-2f64).exp())).abs() < 1e-15);
    }

    #[test]
    fn names_and_aliases() {
        for b in Builtin::ALL {
            assert_eq!(Builtin::from_name(b.name()), Some(b));
            assert_eq!(Builtin::from_name(b.gqa_name()), Some(b));
        }
        assert!(Function::parse("relu6").is_err());
    }

    #[test]
    fn sampled_interpolates_and_extrapolates() {
        let s = Sampled::new("f", vec![(0.0, 0.0), (1.0, 2.0), (3.0, 2.0)]).unwrap();
        assert_eq!(s.eval(0.5), 1.0);
        assert_eq!(s.eval(1.0), 2.0);
        assert_eq!(s.eval(2.0), 2.0);
        assert_eq!(s.eval(-1.0), -2.0);
        assert_eq!(s.eval(4.0), 2.0);
    }

    #[test]
    fn csv_text_reads_headers_comments_and_quotes() {
        let f = Sampled::from_csv_text(
            "f",
            "x, y\n-1, 0 # left\n\n# a comment line\n\"0\",\"1\"\n1,0\n",
        )
        .unwrap();
        assert_eq!(
            f.points().collect::<Vec<_>>(),
            [(-1.0, 0.0), (0.0, 1.0), (1.0, 0.0)]
        );
        let e = Sampled::from_csv_text("f", "x,y\n0,1\n1,2,3\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("1,2,3"), "{e}");
        let e = Sampled::from_csv_text("f", "0,1\nabc,1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn sampled_rejects_bad_points() {
        assert!(Sampled::new("f", vec![(0.0, 0.0)]).is_err());
        assert!(Sampled::new("f", vec![(0.0, 0.0), (0.0, 1.0)]).is_err());
        assert!(Sampled::new("f", vec![(0.0, 0.0), (f64::NAN, 1.0)]).is_err());
    }

    #[test]
    fn domains_are_checked() {
        let r = Function::Builtin(Builtin::Reciprocal);
        assert!(r.check_domain(0.5, 4.0).is_ok());
        assert!(r.check_domain(0.0, 4.0).is_err());
        assert!(r.check_domain(2.0, 1.0).is_err());
        let g = Function::Builtin(Builtin::Gelu);
        assert!(g.check_domain(-4.0, f64::NAN).is_err());
    }
}
