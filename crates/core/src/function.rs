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

    /// A built-in by its name or GQA-LUT's, in any case (`GELU`, `gelu`).
    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| {
            b.name().eq_ignore_ascii_case(name) || b.gqa_name().eq_ignore_ascii_case(name)
        })
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

/// An affine quantization as PyTorch and ONNX state it: real = scale · (code − zero_point),
/// for `bits`-bit codes, signed or unsigned.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Affine {
    pub scale: f64,
    pub zero_point: i64,
    pub bits: u32,
    #[serde(default)]
    pub unsigned: bool,
}

impl Affine {
    /// The code range the user's codes take.
    pub fn code_range(&self) -> (i64, i64) {
        if self.unsigned {
            (0, (1i64 << self.bits) - 1)
        } else {
            (
                crate::format::min_code(self.bits),
                crate::format::max_code(self.bits),
            )
        }
    }

    /// What the unit's signed code q stands for in the user's code: the same two's-complement
    /// bits, so an unsigned code is q + 2^(N−1) (its top bit inverted, a wire in hardware).
    pub fn offset(&self) -> i64 {
        if self.unsigned {
            1i64 << (self.bits - 1)
        } else {
            0
        }
    }

    /// The real value of the unit's signed code q.
    pub fn real(&self, q: f64) -> f64 {
        self.scale * (q + self.offset() as f64 - self.zero_point as f64)
    }

    /// The unit's signed code (real-valued) of a real value.
    pub fn code(&self, v: f64) -> f64 {
        v / self.scale + self.zero_point as f64 - self.offset() as f64
    }

    /// Why this quantization cannot be used, if it cannot.
    pub fn check(&self, what: &str) -> std::result::Result<(), String> {
        if !(self.scale.is_finite() && self.scale > 0.0) {
            return Err(format!(
                "{what} scale {}: a positive finite real is needed",
                self.scale
            ));
        }
        if !(2..=24).contains(&self.bits) {
            return Err(format!(
                "{what} codes of {} bits: 2 to 24 are supported",
                self.bits
            ));
        }
        let (lo, hi) = self.code_range();
        if self.zero_point < lo || self.zero_point > hi {
            return Err(format!(
                "{what} zero point {} lies outside the {} {}-bit codes [{lo}, {hi}]",
                self.zero_point,
                if self.unsigned { "unsigned" } else { "signed" },
                self.bits
            ));
        }
        Ok(())
    }
}

/// A function seen through an affine input and output quantization: a unit computes on the
/// codes, so this is the function of codes it approximates,
/// g(q) = clamp(f(s_x·(q + u_x − z_x)) / s_y + z_y − u_y) to the output's codes,
/// with q the unit's signed input code, u the offset of unsigned codes (2^(N−1), else 0). The
/// real scales are folded into the slopes and intercepts the search finds; the unit is the
/// plain integer unit at input scale 0 and output scale 0 (docs/semantics.md, "Affine
/// quantization").
#[derive(Clone, Debug, PartialEq)]
pub struct Quantized {
    pub inner: Function,
    pub input: Affine,
    pub output: Affine,
}

impl Quantized {
    /// A short tag of the codes in and out, for names: `qu8s8` is unsigned 8-bit codes in,
    /// signed 8-bit codes out.
    pub fn tag(&self) -> String {
        let side = |a: &Affine| format!("{}{}", if a.unsigned { "u" } else { "s" }, a.bits);
        format!("q{}{}", side(&self.input), side(&self.output))
    }

    /// The quantization in words, for headers: both scales, zero points and code types.
    pub fn describe(&self) -> String {
        let side = |a: &Affine| {
            format!(
                "scale {} zero point {} ({} {}-bit codes)",
                crate::format::Num(a.scale),
                a.zero_point,
                if a.unsigned { "unsigned" } else { "signed" },
                a.bits
            )
        };
        format!(
            "quantized {}: input {}, output {}; the unit maps input codes to output codes",
            self.inner.name(),
            side(&self.input),
            side(&self.output)
        )
    }

    /// g(q), clamped to the output's codes as a quantized operator's output is.
    pub fn eval(&self, q: f64) -> f64 {
        let (lo, hi) = self.output.code_range();
        let off = self.output.offset();
        self.output
            .code(self.inner.eval(self.input.real(q)))
            .clamp((lo - off) as f64, (hi - off) as f64)
    }

    /// The input codes (the unit's signed codes) whose real values lie in the function's
    /// domain of definition or, for samples, in their range.
    pub fn default_domain(&self) -> (f64, f64) {
        let (lo, hi) = self.input.code_range();
        let off = self.input.offset();
        let (mut clo, mut chi) = ((lo - off) as f64, (hi - off) as f64);
        let (dlo, dhi, open) = match &self.inner {
            Function::Builtin(b) => b.defined_on(),
            Function::Sampled(s) => {
                let (a, b) = s.range();
                (a, b, false)
            }
            Function::Quantized(q) => {
                let (a, b) = q.default_domain();
                (a, b, false)
            }
        };
        while clo <= chi && {
            let x = self.input.real(clo);
            x < dlo || (open && x <= dlo)
        } {
            clo += 1.0;
        }
        while chi >= clo && self.input.real(chi) > dhi {
            chi -= 1.0;
        }
        (clo, chi)
    }
}

/// A function a table approximates.
#[derive(Clone, Debug, PartialEq)]
pub enum Function {
    Builtin(Builtin),
    Sampled(Sampled),
    /// A function of the codes of an affine-quantized input and output.
    Quantized(Box<Quantized>),
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
            Function::Quantized(q) => q.inner.name(),
        }
    }

    pub fn eval(&self, x: f64) -> f64 {
        match self {
            Function::Builtin(b) => b.eval(x),
            Function::Sampled(s) => s.eval(x),
            Function::Quantized(q) => q.eval(x),
        }
    }

    pub fn default_domain(&self) -> (f64, f64) {
        match self {
            Function::Builtin(b) => b.default_domain(),
            Function::Sampled(s) => s.range(),
            Function::Quantized(q) => q.default_domain(),
        }
    }

    /// The quantization a function of codes carries, if it is one.
    pub fn quantized(&self) -> Option<&Quantized> {
        match self {
            Function::Quantized(q) => Some(q),
            _ => None,
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
            Function::Quantized(q) => {
                q.input.check("input")?;
                q.output.check("output")?;
                let (clo, chi) = q.input.code_range();
                let off = q.input.offset();
                if lo < (clo - off) as f64 || hi > (chi - off) as f64 {
                    return Err(format!(
                        "domain [{lo}, {hi}] (input codes) leaves the {}-bit codes [{}, {}]",
                        q.input.bits,
                        clo - off,
                        chi - off
                    ));
                }
                let (rlo, rhi) = (q.input.real(lo), q.input.real(hi));
                q.inner.check_domain(rlo, rhi).map_err(|m| {
                    format!("input codes [{lo}, {hi}] are reals [{rlo}, {rhi}]: {m}")
                })?;
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

    fn quint8(scale: f64, zero_point: i64) -> Affine {
        Affine {
            scale,
            zero_point,
            bits: 8,
            unsigned: true,
        }
    }

    fn qint8(scale: f64, zero_point: i64) -> Affine {
        Affine {
            scale,
            zero_point,
            bits: 8,
            unsigned: false,
        }
    }

    #[test]
    fn quantized_functions_follow_the_affine_formula() {
        let q = Quantized {
            inner: Function::Builtin(Builtin::Gelu),
            input: quint8(0.03125, 128),
            output: qint8(0.0162, -118),
        };
        // The unit's code q is the unsigned code u with its top bit inverted: u = q + 128.
        for u in [0i64, 1, 100, 128, 200, 255] {
            let x = 0.03125 * (u - 128) as f64;
            let want = (Builtin::Gelu.eval(x) / 0.0162 - 118.0).clamp(-128.0, 127.0);
            assert_eq!(q.eval((u - 128) as f64), want, "u = {u}");
        }
        assert_eq!(q.input.real(-128.0), -4.0);
        assert_eq!(q.input.code(0.0), 0.0);
        assert_eq!(q.default_domain(), (-128.0, 127.0));
        // Saturation: a real output beyond the output codes is the end code.
        let narrow = Quantized {
            output: qint8(0.01, 0),
            ..q.clone()
        };
        assert_eq!(narrow.eval(127.0), 127.0);
        // Reciprocal is defined for x > 0 only: codes at or below the zero point go.
        let r = Quantized {
            inner: Function::Builtin(Builtin::Reciprocal),
            input: qint8(0.05, -20),
            output: qint8(0.1, -128),
        };
        assert_eq!(r.default_domain(), (-19.0, 127.0));
        let f = Function::Quantized(Box::new(r));
        assert!(f.check_domain(-19.0, 127.0).is_ok());
        let e = f.check_domain(-20.0, 127.0).unwrap_err();
        assert!(e.contains("defined only for x > 0"), "{e}");
        assert!(f
            .check_domain(-19.0, 128.0)
            .unwrap_err()
            .contains("8-bit codes"));
    }

    #[test]
    fn bad_quantizations_are_named() {
        assert!(quint8(0.0, 0)
            .check("input")
            .unwrap_err()
            .contains("positive"));
        assert!(quint8(f64::NAN, 0).check("input").is_err());
        assert!(quint8(0.1, 256)
            .check("input")
            .unwrap_err()
            .contains("zero point 256"));
        assert!(qint8(0.1, -129)
            .check("output")
            .unwrap_err()
            .contains("[-128, 127]"));
        let wide = Affine {
            bits: 32,
            ..qint8(0.1, 0)
        };
        assert!(wide.check("input").unwrap_err().contains("2 to 24"));
    }

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
