//! Affine quantization as PyTorch and ONNX give it, for the commands that take a function of
//! codes (`search`, `explore`): the flags, the `--quant` file, and the function of codes with
//! its domain in codes (docs/semantics.md, "Affine quantization").

use clap::Args;
use lutforge_core::function::{Affine, Quantized};
use lutforge_core::Function;
use std::path::PathBuf;

use crate::error::{CliError, CliResult};

/// Affine quantization of the function's input and output, as PyTorch and ONNX give it
/// (real = scale · (code − zero point)): the table becomes a function of codes, at input
/// scale 0 with the output code itself (docs/semantics.md, "Affine quantization").
#[derive(Args)]
pub struct QuantArgs {
    /// Input scale (a positive real).
    #[arg(long, requires = "output_scale", conflicts_with = "quant")]
    input_scale: Option<f64>,
    /// Input zero point (the code of real 0).
    #[arg(
        long,
        default_value_t = 0,
        allow_hyphen_values = true,
        requires = "input_scale"
    )]
    input_zero_point: i64,
    /// Output scale (a positive real).
    #[arg(long, requires = "input_scale")]
    output_scale: Option<f64>,
    /// Output zero point (the code of real 0).
    #[arg(
        long,
        default_value_t = 0,
        allow_hyphen_values = true,
        requires = "output_scale"
    )]
    output_zero_point: i64,
    /// Input codes are unsigned (0..2^N − 1), as torch.quint8.
    #[arg(long, requires = "input_scale")]
    unsigned_input: bool,
    /// Output codes are unsigned.
    #[arg(long, requires = "output_scale")]
    unsigned_output: bool,
    /// Both from a JSON file: {"input": {"scale": S, "zero_point": Z, "dtype": "quint8"},
    /// "output": {...}} (dtype as PyTorch names it: quint8, qint8, quint4x2, or intN/uintN;
    /// see examples/quant_gelu.json).
    #[arg(long)]
    pub quant: Option<PathBuf>,
}

/// One side of a `--quant` file.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct QuantSide {
    scale: f64,
    zero_point: i64,
    dtype: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct QuantFile {
    input: QuantSide,
    output: QuantSide,
}

/// Bits and signedness of a dtype as PyTorch spells it.
fn dtype(name: &str) -> Option<(u32, bool)> {
    match name {
        "quint8" | "torch.quint8" => Some((8, true)),
        "qint8" | "torch.qint8" => Some((8, false)),
        "quint4x2" | "torch.quint4x2" => Some((4, true)),
        _ => {
            let (unsigned, n) = match name.strip_prefix("uint") {
                Some(n) => (true, n),
                None => (false, name.strip_prefix("int")?),
            };
            n.parse().ok().map(|b| (b, unsigned))
        }
    }
}

impl QuantArgs {
    /// The (input, output) quantization asked for, if any.
    pub fn affine(&self, input_bits: u32, output_bits: u32) -> CliResult<Option<(Affine, Affine)>> {
        if let Some(path) = &self.quant {
            let v = lutforge_core::io::read_json(path)?;
            let q: QuantFile = serde_json::from_value(v)
                .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
            let side = |s: &QuantSide, what: &str| -> CliResult<Affine> {
                let (bits, unsigned) = dtype(&s.dtype).ok_or_else(|| {
                    CliError::input(format!(
                        "{}: {what}.dtype '{}' is none of quint8, qint8, quint4x2, intN, uintN",
                        path.display(),
                        s.dtype
                    ))
                })?;
                Ok(Affine {
                    scale: s.scale,
                    zero_point: s.zero_point,
                    bits,
                    unsigned,
                })
            };
            return Ok(Some((side(&q.input, "input")?, side(&q.output, "output")?)));
        }
        let (Some(si), Some(so)) = (self.input_scale, self.output_scale) else {
            return Ok(None);
        };
        Ok(Some((
            Affine {
                scale: si,
                zero_point: self.input_zero_point,
                bits: input_bits,
                unsigned: self.unsigned_input,
            },
            Affine {
                scale: so,
                zero_point: self.output_zero_point,
                bits: output_bits,
                unsigned: self.unsigned_output,
            },
        )))
    }
}

/// `function` as a function of `input` codes to `output` codes, and the domain in input codes:
/// the real `domain` (default: every code whose real is in the function's own domain) mapped to
/// codes; it must lie within the reals those codes represent.
pub fn quantized_function(
    function: Function,
    domain: Option<(f64, f64)>,
    (input, output): (Affine, Affine),
) -> CliResult<(Function, (f64, f64))> {
    input.check("input").map_err(CliError::input)?;
    output.check("output").map_err(CliError::input)?;
    let q = Quantized {
        inner: function,
        input,
        output,
    };
    let (clo, chi) = q.default_domain();
    let codes = match domain {
        // The real domain, as codes of the input quantization; it must lie within the
        // reals those codes represent.
        Some((lo, hi)) => {
            let (a, b) = input.code_range();
            let (rlo, rhi) = (
                input.real((a - input.offset()) as f64),
                input.real((b - input.offset()) as f64),
            );
            if lo < rlo || hi > rhi {
                return Err(CliError::input(format!(
                    "--domain {lo},{hi} leaves the reals the {} {}-bit input codes represent at scale {} and zero point {}: [{rlo}, {rhi}]",
                    if input.unsigned { "unsigned" } else { "signed" },
                    input.bits,
                    input.scale,
                    input.zero_point
                )));
            }
            (
                input.code(lo).ceil().max(clo),
                input.code(hi).floor().min(chi),
            )
        }
        None => (clo, chi),
    };
    if codes.0 >= codes.1 {
        return Err(CliError::input(format!(
            "the input quantization (scale {}, zero point {}) leaves fewer than two codes in the domain",
            input.scale, input.zero_point
        )));
    }
    let f = Function::Quantized(Box::new(q));
    Ok((f, codes))
}
