//! Direct tables: one output code per input code, correctly rounded from the true function.
//! What a designer builds instead of a PWL unit when the input is narrow, and so the reference
//! a PWL unit is measured against (docs/results.md, "PWL against a direct table").

use crate::format::{pow2, FixedFormat};
use crate::{Error, Function, Result};

/// Widest input a direct table is built for: 2^16 words.
pub const MAX_INPUT_BITS: u32 = 16;

/// The word of every input code, lowest code first: f at the code's value (clamped into the
/// domain, so codes outside it hold the nearest end's value), rounded to the nearest output
/// code (ties away from zero) and saturated to the output's codes.
pub fn words(
    f: &Function,
    domain: (f64, f64),
    input: FixedFormat,
    output: FixedFormat,
) -> Result<Vec<i64>> {
    if input.bits > MAX_INPUT_BITS {
        return Err(Error::input(format!(
            "a direct table of {}-bit inputs holds 2^{} words; at most {MAX_INPUT_BITS} bits (65 536 words)",
            input.bits, input.bits
        )));
    }
    f.check_domain(domain.0, domain.1).map_err(Error::input)?;
    let xs = pow2(-input.frac);
    let ys = pow2(output.frac);
    Ok((input.min_code()..=input.max_code())
        .map(|c| {
            let x = (c as f64 * xs).clamp(domain.0, domain.1);
            let y = (f.eval(x) * ys).round();
            y.clamp(output.min_code() as f64, output.max_code() as f64) as i64
        })
        .collect())
}

/// The largest error of `words` over the codes whose values lie in the domain, in output LSBs.
pub fn max_err_lsb(
    words: &[i64],
    f: &Function,
    domain: (f64, f64),
    input: FixedFormat,
    output: FixedFormat,
) -> f64 {
    let codes = crate::metrics::eval_codes(input, domain);
    let ys = pow2(-output.frac);
    codes
        .map(|c| {
            let y = words[(c - input.min_code()) as usize] as f64 * ys;
            (y - f.eval(c as f64 * pow2(-input.frac))).abs() / ys
        })
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Builtin;

    #[test]
    fn words_are_correctly_rounded_inside_the_range() {
        let f = Function::Builtin(Builtin::Gelu);
        let (i, o) = (FixedFormat::new(8, 4), FixedFormat::new(8, 4));
        let w = words(&f, (-4.0, 4.0), i, o).unwrap();
        assert_eq!(w.len(), 256);
        // gelu(1) = 0.8413…: 13.46 sixteenths, so 13; gelu(0) = 0; codes past the domain end
        // hold gelu(4)·16 = 63.998… → 64.
        assert_eq!(w[(16 + 128) as usize], 13);
        assert_eq!(w[128], 0);
        assert_eq!(w[255], 64);
        assert!(max_err_lsb(&w, &f, (-4.0, 4.0), i, o) <= 0.5);
        let wide = FixedFormat::new(17, 0);
        assert!(words(&f, (-4.0, 4.0), wide, o)
            .unwrap_err()
            .to_string()
            .contains("at most 16 bits"));
    }
}
