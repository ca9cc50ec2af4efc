//! The table file `lutforge-table/1`: one function's LUT parameters for one or more input
//! scales, with their formats and provenance. Loading validates everything and names the
//! offending field, so a bad table never reaches the simulator or the RTL generator.

use crate::error::{Error, Result};
use crate::format::{FixedFormat, Rounding};
use crate::fp32::Fp32Params;
use crate::function::{Builtin, Function, Sampled};
use crate::golden::{Datapath, IntParams};
use crate::metrics::{self, Metrics};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

pub const FORMAT_VERSION: &str = "lutforge-table/1";

/// Most segments a table may have; far beyond what a LUT unit uses, small enough to stay sane.
pub const MAX_SEGMENTS: usize = 1024;

/// Input scales (F_x) a table may hold.
pub const FRAC_RANGE: std::ops::RangeInclusive<i32> = -16..=32;

/// Number system of the unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arith {
    #[default]
    Int,
    Fp32,
}

/// Formats shared by every scale of a table (everything but F_x).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Formats {
    pub input_bits: u32,
    pub slope: FixedFormat,
    pub intercept: FixedFormat,
    pub output: FixedFormat,
    pub rounding: Rounding,
}

impl Formats {
    /// GQA-LUT's formats — INT8 input, (8, 6) slopes and intercepts, half-up rounding — and an
    /// 8-bit output with the most fractional bits the function's range allows.
    pub fn default_for(f: &Function, domain: (f64, f64)) -> Formats {
        if let Some(q) = f.quantized() {
            return Formats::quantized(f, domain, q.input.bits, q.output.bits, 8, 16);
        }
        Formats {
            input_bits: 8,
            slope: FixedFormat::DEFAULT_COEFF,
            intercept: FixedFormat::DEFAULT_COEFF,
            output: FixedFormat::new(8, default_output_frac(f, domain, 8)),
            rounding: Rounding::HalfUp,
        }
    }

    /// Formats for a function of codes: input and output are the codes themselves (scale 0),
    /// the coefficients as [`Formats::fitting`] chooses them.
    pub fn quantized(
        f: &Function,
        domain: (f64, f64),
        input_bits: u32,
        output_bits: u32,
        slope_bits: u32,
        intercept_bits: u32,
    ) -> Formats {
        Formats::fitting(
            f,
            domain,
            FixedFormat::new(input_bits, 0),
            FixedFormat::new(output_bits, 0),
            slope_bits,
            intercept_bits,
        )
    }

    /// Formats whose coefficients hold what a table of `f` at this input needs: the slope the
    /// most fractional bits that still hold the steepest step between neighbouring input codes,
    /// the intercept the most that hold any line through the values (|b| ≤ max|f| + max|f'| ·
    /// max|x|), never more than F_k + F_x (the align shift is ≥ 0). Half-up rounding.
    pub fn fitting(
        f: &Function,
        domain: (f64, f64),
        input: FixedFormat,
        output: FixedFormat,
        slope_bits: u32,
        intercept_bits: u32,
    ) -> Formats {
        let codes = crate::metrics::eval_codes(input, domain);
        let dx = crate::format::pow2(-input.frac);
        let (mut fmax, mut kmax, mut xmax) = (0.0f64, 0.0f64, 0.0f64);
        let mut prev: Option<f64> = None;
        for c in codes {
            let x = c as f64 * dx;
            let v = f.eval(x);
            fmax = fmax.max(v.abs());
            xmax = xmax.max(x.abs());
            if let Some(p) = prev {
                kmax = kmax.max((v - p).abs() / dx);
            }
            prev = Some(v);
        }
        let frac_for = |bits: u32, v: f64| {
            (-64..=64)
                .rev()
                .find(|&fr| v * crate::format::pow2(fr) <= crate::format::max_code(bits) as f64)
                .unwrap_or(-64)
        };
        let fk = frac_for(slope_bits, kmax);
        let fb = frac_for(intercept_bits, fmax + kmax * xmax).min(fk + input.frac);
        Formats {
            input_bits: input.bits,
            slope: FixedFormat::new(slope_bits, fk),
            intercept: FixedFormat::new(intercept_bits, fb),
            output,
            rounding: Rounding::HalfUp,
        }
    }

    pub fn datapath(&self, frac_x: i32) -> Datapath {
        Datapath {
            input: FixedFormat::new(self.input_bits, frac_x),
            slope: self.slope,
            intercept: self.intercept,
            output: self.output,
            rounding: self.rounding,
        }
    }
}

/// Largest F_y for which the function's range over the domain fits `bits` signed bits.
pub fn default_output_frac(f: &Function, domain: (f64, f64), bits: u32) -> i32 {
    let (lo, hi) = f.range_over(domain.0, domain.1);
    let (cmin, cmax) = (
        crate::format::min_code(bits) as f64,
        crate::format::max_code(bits) as f64,
    );
    (-64..=64)
        .rev()
        .find(|&fr| {
            let s = crate::format::pow2(fr);
            hi * s <= cmax && lo * s >= cmin
        })
        .unwrap_or(-64)
}

#[derive(Clone, Debug, PartialEq)]
pub enum Params {
    Int(IntParams),
    Fp32(Fp32Params),
}

/// The three arrays of a table; the unit's cfg address map, its registers and its cost model
/// all name them this way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Breakpoint,
    Slope,
    Intercept,
}

impl Field {
    pub const ALL: [Field; 3] = [Field::Breakpoint, Field::Slope, Field::Intercept];

    pub fn name(self) -> &'static str {
        match self {
            Field::Breakpoint => "breakpoint",
            Field::Slope => "slope",
            Field::Intercept => "intercept",
        }
    }
}

impl Field {
    /// The array's name in a table file.
    pub fn plural(self) -> &'static str {
        match self {
            Field::Breakpoint => "breakpoints",
            Field::Slope => "slopes",
            Field::Intercept => "intercepts",
        }
    }

    /// Entries of the array in a table of `segments` segments.
    pub fn count(self, segments: usize) -> usize {
        match self {
            Field::Breakpoint => segments.saturating_sub(1),
            _ => segments,
        }
    }
}

impl Datapath {
    /// The format of one array's codes.
    pub fn format_of(&self, f: Field) -> FixedFormat {
        match f {
            Field::Breakpoint => self.input,
            Field::Slope => self.slope,
            Field::Intercept => self.intercept,
        }
    }
}

/// Why `code` is no code of `f`, if it is not.
pub fn code_fits(code: i64, f: FixedFormat) -> std::result::Result<(), String> {
    if f.contains(code) {
        Ok(())
    } else {
        Err(format!(
            "code {code} does not fit {} bits ({}..={})",
            f.bits,
            f.min_code(),
            f.max_code()
        ))
    }
}

/// The first way a table's arrays do not fit a unit: the array, the entry (`None`: the array's
/// length) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Misfit {
    pub field: Field,
    pub index: Option<usize>,
    pub msg: String,
}

impl Misfit {
    /// `breakpoints[3]`, or `breakpoints` for a length.
    pub fn place(&self) -> String {
        match self.index {
            Some(j) => format!("{}[{j}]", self.field.plural()),
            None => self.field.plural().to_string(),
        }
    }
}

impl Params {
    /// Whether the arrays have the lengths of `segments` segments and, for an integer table,
    /// every code fits the datapath's format: the one check behind table files, units and
    /// their rewrites.
    pub fn check_fit(
        &self,
        segments: usize,
        dp: Option<&Datapath>,
    ) -> std::result::Result<(), Misfit> {
        for f in Field::ALL {
            let len = match self {
                Params::Int(p) => p.field(f).len(),
                Params::Fp32(p) => match f {
                    Field::Breakpoint => p.breakpoints.len(),
                    Field::Slope => p.slopes.len(),
                    Field::Intercept => p.intercepts.len(),
                },
            };
            let want = f.count(segments);
            if len != want {
                return Err(Misfit {
                    field: f,
                    index: None,
                    msg: format!("{len} values for {segments} segments; {want} expected"),
                });
            }
            if let (Params::Int(p), Some(dp)) = (self, dp) {
                for (j, &c) in p.field(f).iter().enumerate() {
                    code_fits(c, dp.format_of(f)).map_err(|msg| Misfit {
                        field: f,
                        index: Some(j),
                        msg,
                    })?;
                }
            }
        }
        Ok(())
    }
}

impl IntParams {
    /// One array's codes.
    pub fn field(&self, f: Field) -> &[i64] {
        match f {
            Field::Breakpoint => &self.breakpoints,
            Field::Slope => &self.slopes,
            Field::Intercept => &self.intercepts,
        }
    }
}

impl Params {
    pub fn segments(&self) -> usize {
        match self {
            Params::Int(p) => p.segments(),
            Params::Fp32(p) => p.segments(),
        }
    }

    /// One array's entries as the unit's registers, cfg port and trace carry them: signed
    /// codes, or binary32 bit patterns.
    pub fn words(&self, f: Field) -> Vec<i64> {
        match self {
            Params::Int(p) => p.field(f).to_vec(),
            Params::Fp32(p) => {
                let v = match f {
                    Field::Breakpoint => &p.breakpoints,
                    Field::Slope => &p.slopes,
                    Field::Intercept => &p.intercepts,
                };
                v.iter().map(|x| x.to_bits() as i64).collect()
            }
        }
    }
}

/// One input scale: F_x and the parameters found for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Scale {
    pub frac: i32,
    pub params: Params,
    pub metrics: Option<Metrics>,
}

/// Where a table came from: enough to reproduce it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    pub method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(default)]
    pub settings: Value,
    pub lutforge_version: String,
}

impl Provenance {
    pub fn new(method: impl Into<String>, seed: Option<u64>, settings: Value) -> Self {
        Provenance {
            method: method.into(),
            seed,
            settings,
            lutforge_version: crate::VERSION.to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub function: Function,
    pub domain: (f64, f64),
    pub segments: usize,
    pub arith: Arith,
    pub formats: Formats,
    pub scales: Vec<Scale>,
    pub provenance: Provenance,
}

impl Table {
    pub fn scale(&self, frac: i32) -> Option<&Scale> {
        self.scales.iter().find(|s| s.frac == frac)
    }

    /// The scale a command was asked for, or an error listing the ones the table has.
    pub fn require_scale(&self, frac: i32) -> Result<&Scale> {
        self.scale(frac).ok_or_else(|| {
            let have: Vec<String> = self.scales.iter().map(|s| s.frac.to_string()).collect();
            Error::input(format!(
                "the table has no scale {frac} (it has {})",
                have.join(", ")
            ))
        })
    }

    pub fn datapath(&self, frac: i32) -> Datapath {
        self.formats.datapath(frac)
    }

    /// Input codes of the evaluation set at scale `frac`.
    pub fn eval_codes(&self, frac: i32) -> std::ops::RangeInclusive<i64> {
        metrics::eval_codes(FixedFormat::new(self.formats.input_bits, frac), self.domain)
    }

    pub fn metrics_of(&self, s: &Scale) -> Metrics {
        self.metrics_of_with(s, &mut |_, _| {})
    }

    /// [`Table::metrics_of`], reporting (codes done, codes in all) as it goes.
    pub fn metrics_of_with(&self, s: &Scale, progress: &mut dyn FnMut(u64, u64)) -> Metrics {
        match &s.params {
            Params::Int(p) => metrics::int_metrics_with(
                &self.function,
                self.domain,
                &self.datapath(s.frac),
                p,
                progress,
            ),
            Params::Fp32(p) => metrics::fp32_metrics_with(
                &self.function,
                self.domain,
                FixedFormat::new(self.formats.input_bits, s.frac),
                self.formats.output,
                p,
                progress,
            ),
        }
    }

    /// Recomputes the metrics stored with every scale.
    pub fn refresh_metrics(&mut self) {
        let m: Vec<Metrics> = self.scales.iter().map(|s| self.metrics_of(s)).collect();
        for (s, m) in self.scales.iter_mut().zip(m) {
            s.metrics = Some(m);
        }
    }

    /// The same table as an FP32 unit: every code converted to its real value.
    pub fn to_fp32(&self) -> Table {
        let mut t = self.clone();
        t.arith = Arith::Fp32;
        for s in &mut t.scales {
            if let Params::Int(p) = &s.params {
                s.params = Params::Fp32(Fp32Params::from_int(
                    p,
                    s.frac,
                    self.formats.slope.frac,
                    self.formats.intercept.frac,
                ));
            }
        }
        t.refresh_metrics();
        t
    }

    /// Checks every rule of the format; returns warnings (legal but suspicious content).
    pub fn validate(&self) -> Result<Vec<String>> {
        let mut warnings = Vec::new();
        self.function
            .check_domain(self.domain.0, self.domain.1)
            .map_err(|m| Error::field("function.domain", m))?;
        if self.segments == 0 || self.segments > MAX_SEGMENTS {
            return Err(Error::field(
                "segments",
                format!("{} is outside 1..={MAX_SEGMENTS}", self.segments),
            ));
        }
        if self.scales.is_empty() {
            return Err(Error::field("scales", "the table holds no scale"));
        }
        if let Some(q) = self.function.quantized() {
            // A function of codes: the unit reads raw codes, so both binary points are 0 and
            // the widths are the quantization's.
            if q.input.bits != self.formats.input_bits {
                return Err(Error::field(
                    "function.quant.input.bits",
                    format!(
                        "{} differs from the table's input_bits {}",
                        q.input.bits, self.formats.input_bits
                    ),
                ));
            }
            if q.output.bits != self.formats.output.bits || self.formats.output.frac != 0 {
                return Err(Error::field(
                    "output",
                    format!(
                        "{} must be ({}, 0): a quantized table's output is the code itself",
                        self.formats.output, q.output.bits
                    ),
                ));
            }
            if self.arith != Arith::Int || self.scales.iter().any(|s| s.frac != 0) {
                return Err(Error::field(
                    "scales",
                    "a quantized table is an integer table at input scale 0 (the input is the code itself)",
                ));
            }
        }
        let k = self.segments;
        for (i, s) in self.scales.iter().enumerate() {
            let at = |f: &str| format!("scales[{i}].{f}");
            if !FRAC_RANGE.contains(&s.frac) {
                return Err(Error::field(
                    at("frac"),
                    format!(
                        "{} is outside {}..={}",
                        s.frac,
                        FRAC_RANGE.start(),
                        FRAC_RANGE.end()
                    ),
                ));
            }
            if self.scales[..i].iter().any(|o| o.frac == s.frac) {
                return Err(Error::field(
                    at("frac"),
                    format!("scale {} appears twice", s.frac),
                ));
            }
            let dp = self.datapath(s.frac);
            dp.check()
                .map_err(|m| Error::field(format!("scales[{i}]"), m))?;
            if self.eval_codes(s.frac).is_empty() {
                return Err(Error::field(
                    at("frac"),
                    format!(
                        "no {}-bit input code at scale {} lies in the domain [{}, {}]",
                        self.formats.input_bits,
                        s.frac,
                        crate::format::Num(self.domain.0),
                        crate::format::Num(self.domain.1)
                    ),
                ));
            }
            let dpi = match s.params {
                Params::Int(_) => Some(&dp),
                Params::Fp32(_) => None,
            };
            s.params
                .check_fit(k, dpi)
                .map_err(|m| Error::field(at(&m.place()), m.msg))?;
            match &s.params {
                Params::Int(p) => {
                    order_check(&p.breakpoints, i, s.frac, &mut warnings)?;
                }
                Params::Fp32(p) => {
                    for (name, vals) in [
                        ("breakpoints", &p.breakpoints),
                        ("slopes", &p.slopes),
                        ("intercepts", &p.intercepts),
                    ] {
                        if let Some(j) = vals.iter().position(|v| !v.is_finite()) {
                            return Err(Error::field(
                                format!("scales[{i}].{name}[{j}]"),
                                format!("{} is not allowed in an FP32 table", vals[j]),
                            ));
                        }
                    }
                    order_check(&p.breakpoints, i, s.frac, &mut warnings)?;
                }
            }
        }
        Ok(warnings)
    }

    pub fn to_json(&self) -> String {
        let raw = RawTable::from(self);
        let mut s = serde_json::to_string_pretty(&raw).expect("table serializes");
        s.push('\n');
        s
    }

    /// Parses and validates; returns the table and its warnings.
    pub fn from_json(text: &str) -> Result<(Table, Vec<String>)> {
        let value = crate::io::json::parse(text).map_err(Error::input)?;
        match value.get("format") {
            Some(Value::String(v)) if v == FORMAT_VERSION => {}
            Some(Value::String(v)) => {
                // Files of lutforge's other kinds, named with what to do instead.
                let what = if v.starts_with("lutforge-pareto/") {
                    "a Pareto front, not a table: write its members' tables with `pareto --tables DIR` and use one of them".to_string()
                } else if v.starts_with("lutforge-gru-front/") {
                    "a GRU front, not a table: `lutforge gru gen` makes its members' cells"
                        .to_string()
                } else if v.starts_with("lutforge-gru/") {
                    "a GRU model, not a table: the `lutforge gru` commands read it".to_string()
                } else if v.starts_with("lutforge-gru-cell/") {
                    "a GRU cell's manifest: `lutforge gru verify` reads its directory".to_string()
                } else {
                    format!("unknown format version '{v}' (this lutforge reads {FORMAT_VERSION})")
                };
                return Err(Error::field("format", what));
            }
            Some(_) => return Err(Error::field("format", "must be a string")),
            None => {
                return Err(Error::field(
                    "format",
                    format!("missing; a table file starts with \"format\": \"{FORMAT_VERSION}\""),
                ))
            }
        }
        let raw: RawTable = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            Error::field(
                if path == "." { "table".into() } else { path },
                e.into_inner().to_string(),
            )
        })?;
        let table = raw.into_table()?;
        let warnings = table.validate()?;
        Ok((table, warnings))
    }

    pub fn load(path: &Path) -> Result<(Table, Vec<String>)> {
        let text = crate::io::read_text(path)?;
        Table::from_json(&text).map_err(|e| Error::io(path, e))
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        crate::io::write_atomic(path, self.to_json().as_bytes())
    }
}

/// Breakpoints must not decrease; equal neighbours are legal (an unreachable segment) and warned.
fn order_check<T: PartialOrd + std::fmt::Display>(
    bps: &[T],
    i: usize,
    frac: i32,
    warnings: &mut Vec<String>,
) -> Result<()> {
    for j in 1..bps.len() {
        if bps[j] < bps[j - 1] {
            return Err(Error::field(
                format!("scales[{i}].breakpoints[{j}]"),
                format!(
                    "{} is below the previous breakpoint {}: breakpoints must not decrease",
                    bps[j],
                    bps[j - 1]
                ),
            ));
        }
        if bps[j] == bps[j - 1] {
            warnings.push(format!(
                "scale {frac}: breakpoints {} and {} are equal ({}), so segment {j} is never used",
                j - 1,
                j,
                bps[j]
            ));
        }
    }
    Ok(())
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    format: String,
    function: RawFunction,
    segments: usize,
    #[serde(default)]
    arith: Arith,
    input_bits: u32,
    slope: FixedFormat,
    intercept: FixedFormat,
    output: FixedFormat,
    rounding: Rounding,
    scales: Vec<RawScale>,
    provenance: Provenance,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFunction {
    name: String,
    domain: [f64; 2],
    #[serde(default, skip_serializing_if = "Option::is_none")]
    samples: Option<Vec<[f64; 2]>>,
    /// Affine quantization of input and output: the table is then a function of codes and
    /// `domain` is in input codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    quant: Option<RawQuant>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuant {
    input: crate::function::Affine,
    output: crate::function::Affine,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScale {
    frac: i32,
    breakpoints: Vec<Value>,
    slopes: Vec<Value>,
    intercepts: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metrics: Option<Metrics>,
}

impl From<&Table> for RawTable {
    fn from(t: &Table) -> Self {
        let (inner, quant) = match &t.function {
            Function::Quantized(q) => (
                &q.inner,
                Some(RawQuant {
                    input: q.input,
                    output: q.output,
                }),
            ),
            f => (f, None),
        };
        let samples = match inner {
            Function::Sampled(s) => Some(s.points().map(|(x, y)| [x, y]).collect()),
            _ => None,
        };
        let ints = |v: &[i64]| v.iter().map(|&c| Value::from(c)).collect();
        let floats = |v: &[f32]| v.iter().map(|&c| Value::from(c as f64)).collect();
        RawTable {
            format: FORMAT_VERSION.into(),
            function: RawFunction {
                name: t.function.name().into(),
                domain: [t.domain.0, t.domain.1],
                samples,
                quant,
            },
            segments: t.segments,
            arith: t.arith,
            input_bits: t.formats.input_bits,
            slope: t.formats.slope,
            intercept: t.formats.intercept,
            output: t.formats.output,
            rounding: t.formats.rounding,
            scales: t
                .scales
                .iter()
                .map(|s| {
                    let (breakpoints, slopes, intercepts) = match &s.params {
                        Params::Int(p) => {
                            (ints(&p.breakpoints), ints(&p.slopes), ints(&p.intercepts))
                        }
                        Params::Fp32(p) => (
                            floats(&p.breakpoints),
                            floats(&p.slopes),
                            floats(&p.intercepts),
                        ),
                    };
                    RawScale {
                        frac: s.frac,
                        breakpoints,
                        slopes,
                        intercepts,
                        metrics: s.metrics,
                    }
                })
                .collect(),
            provenance: t.provenance.clone(),
        }
    }
}

impl RawTable {
    fn into_table(self) -> Result<Table> {
        let function = match self.function.samples {
            Some(pts) => Function::Sampled(
                Sampled::new(
                    self.function.name.clone(),
                    pts.into_iter().map(|[x, y]| (x, y)).collect(),
                )
                .map_err(|e| Error::field("function.samples", e.to_string()))?,
            ),
            None => {
                Function::Builtin(Builtin::from_name(&self.function.name).ok_or_else(|| {
                    Error::field(
                        "function.name",
                        format!(
                        "unknown function '{}' (known: {}; a user function carries \"samples\")",
                        self.function.name,
                        crate::function::builtin_names()
                    ),
                    )
                })?)
            }
        };
        let function = match self.function.quant {
            Some(q) => Function::Quantized(Box::new(crate::function::Quantized {
                inner: function,
                input: q.input,
                output: q.output,
            })),
            None => function,
        };
        let mut scales = Vec::with_capacity(self.scales.len());
        for (i, s) in self.scales.into_iter().enumerate() {
            let params = match self.arith {
                Arith::Int => Params::Int(IntParams {
                    breakpoints: int_codes(&s.breakpoints, i, "breakpoints")?,
                    slopes: int_codes(&s.slopes, i, "slopes")?,
                    intercepts: int_codes(&s.intercepts, i, "intercepts")?,
                }),
                Arith::Fp32 => Params::Fp32(Fp32Params {
                    breakpoints: f32_values(&s.breakpoints, i, "breakpoints")?,
                    slopes: f32_values(&s.slopes, i, "slopes")?,
                    intercepts: f32_values(&s.intercepts, i, "intercepts")?,
                }),
            };
            scales.push(Scale {
                frac: s.frac,
                params,
                metrics: s.metrics,
            });
        }
        Ok(Table {
            function,
            domain: (self.function.domain[0], self.function.domain[1]),
            segments: self.segments,
            arith: self.arith,
            formats: Formats {
                input_bits: self.input_bits,
                slope: self.slope,
                intercept: self.intercept,
                output: self.output,
                rounding: self.rounding,
            },
            scales,
            provenance: self.provenance,
        })
    }
}

fn int_codes(vals: &[Value], i: usize, name: &str) -> Result<Vec<i64>> {
    vals.iter()
        .enumerate()
        .map(|(j, v)| {
            v.as_i64().ok_or_else(|| {
                Error::field(
                    format!("scales[{i}].{name}[{j}]"),
                    format!("{v} is not an integer code"),
                )
            })
        })
        .collect()
}

/// FP32 values are JSON numbers; "nan", "inf" and "-inf" strings are read so that validation
/// can name them (JSON has no literal for them).
fn f32_values(vals: &[Value], i: usize, name: &str) -> Result<Vec<f32>> {
    vals.iter()
        .enumerate()
        .map(|(j, v)| {
            let bad = || {
                Error::field(
                    format!("scales[{i}].{name}[{j}]"),
                    format!("{v} is not a binary32 number"),
                )
            };
            match v {
                Value::Number(n) => {
                    let x = n.as_f64().ok_or_else(bad)?;
                    let f = x as f32;
                    if f.is_infinite() {
                        return Err(Error::field(
                            format!("scales[{i}].{name}[{j}]"),
                            format!("{x} overflows binary32 (inf is not allowed in an FP32 table)"),
                        ));
                    }
                    Ok(f)
                }
                Value::String(s) => match s.to_ascii_lowercase().as_str() {
                    "nan" => Ok(f32::NAN),
                    "inf" | "+inf" | "infinity" => Ok(f32::INFINITY),
                    "-inf" | "-infinity" => Ok(f32::NEG_INFINITY),
                    _ => Err(bad()),
                },
                _ => Err(bad()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample_table() -> Table {
        let f = Function::Builtin(Builtin::Gelu);
        let domain = f.default_domain();
        let mut t = Table {
            formats: Formats::default_for(&f, domain),
            function: f,
            domain,
            segments: 3,
            arith: Arith::Int,
            scales: vec![
                Scale {
                    frac: 0,
                    params: Params::Int(IntParams {
                        breakpoints: vec![-1, 0],
                        slopes: vec![0, 10, 64],
                        intercepts: vec![-3, 0, 0],
                    }),
                    metrics: None,
                },
                Scale {
                    frac: 4,
                    params: Params::Int(IntParams {
                        breakpoints: vec![-20, 3],
                        slopes: vec![-2, 20, 64],
                        intercepts: vec![-9, 0, 1],
                    }),
                    metrics: None,
                },
            ],
            provenance: Provenance::new("test", Some(7), serde_json::json!({"k": 1})),
        };
        t.refresh_metrics();
        t
    }

    #[test]
    fn default_output_format_fits_the_range() {
        let gelu = Function::Builtin(Builtin::Gelu);
        // GELU on [-4, 4] reaches 3.9999: 4·2^5 = 128 overflows 8 bits, 2^4 fits.
        assert_eq!(default_output_frac(&gelu, (-4.0, 4.0), 8), 4);
        let exp = Function::Builtin(Builtin::Exp);
        assert_eq!(default_output_frac(&exp, (-8.0, 0.0), 8), 6);
        let sig = Function::Builtin(Builtin::Sigmoid);
        assert_eq!(default_output_frac(&sig, (-8.0, 8.0), 8), 6);
        let rs = Function::Builtin(Builtin::Rsqrt);
        assert_eq!(default_output_frac(&rs, (0.25, 4.0), 8), 5);
    }

    #[test]
    fn round_trip() {
        let t = sample_table();
        let (back, warnings) = Table::from_json(&t.to_json()).unwrap();
        assert_eq!(back, t);
        assert!(warnings.is_empty());
        let fp = t.to_fp32();
        let (back, _) = Table::from_json(&fp.to_json()).unwrap();
        assert_eq!(back, fp);
    }

    fn edit(f: impl FnOnce(&mut Value)) -> String {
        let mut v: Value = serde_json::from_str(&sample_table().to_json()).unwrap();
        f(&mut v);
        v.to_string()
    }

    fn err_of(text: String) -> String {
        Table::from_json(&text).unwrap_err().to_string()
    }

    #[test]
    fn validation_names_the_field() {
        let e = err_of(edit(|v| {
            v["scales"][1]["breakpoints"] = serde_json::json!([5, 3])
        }));
        assert!(
            e.starts_with("scales[1].breakpoints[1]:") && e.contains("must not decrease"),
            "{e}"
        );
        let e = err_of(edit(|v| v["scales"][0]["slopes"][2] = 128.into()));
        assert!(
            e.starts_with("scales[0].slopes[2]:") && e.contains("8 bits"),
            "{e}"
        );
        let e = err_of(edit(|v| v["scales"][0]["slopes"][2] = 1.5.into()));
        assert!(e.starts_with("scales[0].slopes[2]:"), "{e}");
        let e = err_of(edit(|v| v["intercept"]["frac"] = 9.into()));
        assert!(e.starts_with("scales[0]:") && e.contains("F_b"), "{e}");
        let e = err_of(edit(|v| v["function"]["name"] = "relu".into()));
        assert!(
            e.starts_with("function.name:") && e.contains("unknown function"),
            "{e}"
        );
        let e = err_of(edit(|v| v["segments"] = 4.into()));
        assert!(
            e.starts_with("scales[0].breakpoints:") && e.contains("4 segments"),
            "{e}"
        );
        let e = err_of(edit(|v| v["scales"] = serde_json::json!([])));
        assert!(e.starts_with("scales:"), "{e}");
        let e = err_of(edit(|v| {
            v.as_object_mut().unwrap().remove("scales");
        }));
        assert!(e.contains("missing field `scales`"), "{e}");
        let e = err_of(edit(|v| v["format"] = "lutforge-table/2".into()));
        assert!(
            e.starts_with("format:") && e.contains("unknown format version"),
            "{e}"
        );
        let e = err_of(edit(|v| v["rounding"] = "nearest".into()));
        assert!(e.starts_with("rounding:"), "{e}");
        let e = err_of(edit(|v| v["scales"][1]["frac"] = 0.into()));
        assert!(e.contains("appears twice"), "{e}");
        let e = err_of(edit(|v| {
            v["function"]["domain"] = serde_json::json!([4, -4])
        }));
        assert!(e.starts_with("function.domain:"), "{e}");
        let e = err_of("{\"format\": ".into());
        assert!(e.starts_with("malformed JSON"), "{e}");
    }

    #[test]
    fn fp32_non_finite_values_are_refused() {
        let fp = sample_table().to_fp32();
        let mut v: Value = serde_json::from_str(&fp.to_json()).unwrap();
        v["scales"][0]["slopes"][1] = "NaN".into();
        let e = err_of(v.to_string());
        assert!(
            e.starts_with("scales[0].slopes[1]:") && e.contains("NaN"),
            "{e}"
        );
        v["scales"][0]["slopes"][1] = 1e39.into();
        let e = err_of(v.to_string());
        assert!(
            e.starts_with("scales[0].slopes[1]:") && e.contains("inf"),
            "{e}"
        );
        v["scales"][0]["slopes"][1] = "-inf".into();
        assert!(err_of(v.to_string()).contains("-inf is not allowed"));
    }

    #[test]
    fn equal_breakpoints_are_legal_with_a_warning() {
        let text = edit(|v| v["scales"][0]["breakpoints"] = serde_json::json!([0, 0]));
        let (_, w) = Table::from_json(&text).unwrap();
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("segment 1 is never used"), "{}", w[0]);
    }

    fn quantized_table() -> Table {
        use crate::function::{Affine, Quantized};
        let f = Function::Quantized(Box::new(Quantized {
            inner: Function::Builtin(Builtin::Gelu),
            input: Affine {
                scale: 0.03125,
                zero_point: 128,
                bits: 8,
                unsigned: true,
            },
            output: Affine {
                scale: 0.0162,
                zero_point: -118,
                bits: 8,
                unsigned: false,
            },
        }));
        let domain = f.default_domain();
        let mut t = Table {
            formats: Formats::default_for(&f, domain),
            function: f,
            domain,
            segments: 2,
            arith: Arith::Int,
            scales: vec![Scale {
                frac: 0,
                params: Params::Int(IntParams {
                    breakpoints: vec![0],
                    slopes: vec![0, 30],
                    intercepts: vec![-118, -118 * 32],
                }),
                metrics: None,
            }],
            provenance: Provenance::new("test", None, Value::Null),
        };
        t.refresh_metrics();
        t
    }

    #[test]
    fn quantized_tables_round_trip_and_keep_their_rules() {
        let t = quantized_table();
        assert_eq!(t.domain, (-128.0, 127.0));
        assert_eq!(t.formats.output, FixedFormat::new(8, 0));
        // Coefficients hold the folded slope (up to ~2 output codes per input code here) and
        // any line through the values.
        assert!(t.formats.slope.frac <= 6 && t.formats.intercept.frac <= t.formats.slope.frac);
        let (back, warnings) = Table::from_json(&t.to_json()).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(back, t);
        assert!(t.to_json().contains("\"quant\""));
        let text = t.to_json();
        let edit = |f: &dyn Fn(&mut Value)| {
            let mut v: Value = serde_json::from_str(&text).unwrap();
            f(&mut v);
            Table::from_json(&v.to_string()).unwrap_err().to_string()
        };
        let e = edit(&|v| v["function"]["quant"]["input"]["bits"] = 9.into());
        assert!(e.starts_with("function.quant.input.bits:"), "{e}");
        let e = edit(&|v| v["output"]["frac"] = 2.into());
        assert!(
            e.starts_with("output:") && e.contains("the code itself"),
            "{e}"
        );
        let e = edit(&|v| v["scales"][0]["frac"] = 1.into());
        assert!(e.contains("input scale 0"), "{e}");
        let e = edit(&|v| v["function"]["quant"]["input"]["scale"] = (-1.0).into());
        assert!(e.contains("positive"), "{e}");
        let e = edit(&|v| v["function"]["quant"]["output"]["colour"] = 1.into());
        assert!(e.contains("colour"), "{e}");
    }

    #[test]
    fn sampled_functions_travel_with_the_table() {
        let mut t = sample_table();
        t.function = Function::Sampled(
            Sampled::new("bump", vec![(-4.0, 0.0), (0.0, 1.0), (4.0, 0.0)]).unwrap(),
        );
        t.refresh_metrics();
        let (back, _) = Table::from_json(&t.to_json()).unwrap();
        assert_eq!(back.function, t.function);
    }
}
