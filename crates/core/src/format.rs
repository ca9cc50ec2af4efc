//! Signed two's-complement fixed-point formats and the output rounding modes of the unit.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Widest integer any port of the unit may have; INT32 is the widest variant users compare.
pub const MAX_BITS: u32 = 32;

/// A fixed-point format (N bits, F fractional bits): code q stands for q · 2^-F.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedFormat {
    pub bits: u32,
    pub frac: i32,
}

impl FixedFormat {
    pub const fn new(bits: u32, frac: i32) -> Self {
        FixedFormat { bits, frac }
    }

    /// The default slope and intercept format of GQA-LUT: INT8 with 6 fractional bits.
    pub const DEFAULT_COEFF: FixedFormat = FixedFormat::new(8, 6);

    pub fn min_code(self) -> i64 {
        min_code(self.bits)
    }

    pub fn max_code(self) -> i64 {
        max_code(self.bits)
    }

    pub fn contains(self, code: i64) -> bool {
        code >= self.min_code() && code <= self.max_code()
    }

    pub fn value(self, code: i64) -> f64 {
        code as f64 * pow2(-self.frac)
    }

    /// The code of `v` if `v` is an exact multiple of 2^-F (no range check).
    pub fn exact_code(self, v: f64) -> Option<i64> {
        exact_code(v, self.frac)
    }
}

impl fmt::Display for FixedFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {})", self.bits, self.frac)
    }
}

pub fn min_code(bits: u32) -> i64 {
    -(1i64 << (bits - 1))
}

pub fn max_code(bits: u32) -> i64 {
    (1i64 << (bits - 1)) - 1
}

/// Smallest signed width that holds `code`.
pub fn bits_for(code: i64) -> u32 {
    let mut bits = 1;
    while bits < 64 && !(code >= min_code(bits) && code <= max_code(bits)) {
        bits += 1;
    }
    bits
}

/// A real number for messages and reports: as Rust prints it, but in exponent form where the
/// plain form would run to hundreds of digits (a domain of ±1e308).
#[derive(Clone, Copy, Debug)]
pub struct Num(pub f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        if v != 0.0 && v.is_finite() && !(1e-5..1e16).contains(&v.abs()) {
            write!(f, "{v:e}")
        } else {
            write!(f, "{v}")
        }
    }
}

/// 2^e exactly as f64 for the exponent range formats use.
pub fn pow2(e: i32) -> f64 {
    2f64.powi(e)
}

/// `v · 2^frac` as an integer when it is one; scaling by a power of two is exact in f64.
pub fn exact_code(v: f64, frac: i32) -> Option<i64> {
    let s = v * pow2(frac);
    if s.is_finite() && s == s.trunc() && s.abs() < 9.0e15 {
        Some(s as i64)
    } else {
        None
    }
}

/// How the unit drops the low bits of the wide sum when producing the output code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rounding {
    /// Add half an output LSB, then shift right arithmetically (ties go towards +inf).
    #[default]
    HalfUp,
    /// Arithmetic shift right: rounds towards -inf, the cheapest hardware.
    Truncate,
    /// Round to nearest, ties to the even code (convergent rounding).
    HalfEven,
}

impl Rounding {
    pub const ALL: [Rounding; 3] = [Rounding::HalfUp, Rounding::Truncate, Rounding::HalfEven];

    pub fn name(self) -> &'static str {
        match self {
            Rounding::HalfUp => "half-up",
            Rounding::Truncate => "truncate",
            Rounding::HalfEven => "half-even",
        }
    }
}

impl fmt::Display for Rounding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Rounding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Rounding::ALL
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| {
                format!("unknown rounding mode '{s}' (known: half-up, truncate, half-even)")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_ranges() {
        let f = FixedFormat::new(8, 6);
        assert_eq!((f.min_code(), f.max_code()), (-128, 127));
        assert!(f.contains(127) && !f.contains(128) && f.contains(-128) && !f.contains(-129));
        assert_eq!(f.value(-64), -1.0);
    }

    #[test]
    fn smallest_width() {
        assert_eq!(bits_for(0), 1);
        assert_eq!(bits_for(-1), 1);
        assert_eq!(bits_for(1), 2);
        assert_eq!(bits_for(127), 8);
        assert_eq!(bits_for(128), 9);
        assert_eq!(bits_for(-128), 8);
        assert_eq!(bits_for(-129), 9);
    }

    #[test]
    fn exact_codes() {
        assert_eq!(exact_code(-3.203125, 6), Some(-205));
        assert_eq!(exact_code(0.1, 6), None);
        assert_eq!(exact_code(-0.0, 0), Some(0));
        assert_eq!(exact_code(f64::NAN, 0), None);
    }

    #[test]
    fn numbers_print_short() {
        assert_eq!(Num(-4.0).to_string(), "-4");
        assert_eq!(Num(0.5).to_string(), "0.5");
        assert_eq!(Num(1e308).to_string(), "1e308");
        assert_eq!(Num(-2.5e-7).to_string(), "-2.5e-7");
        assert_eq!(Num(0.0).to_string(), "0");
    }

    #[test]
    fn rounding_names_round_trip() {
        for r in Rounding::ALL {
            assert_eq!(r.name().parse::<Rounding>().unwrap(), r);
        }
        assert!("nearest".parse::<Rounding>().is_err());
    }
}
