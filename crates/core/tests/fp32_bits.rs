//! The FP32 unit is bit-equal to Rust's f32 `*` then `+` (round to nearest even, subnormals
//! kept), with every NaN made canonical.

use lutforge_core::fp32::{self, Fp32Params, CANONICAL_NAN};
use proptest::prelude::*;

const SPECIAL: [u32; 14] = [
    0x0000_0000, // +0
    0x8000_0000, // -0
    0x0000_0001, // smallest subnormal
    0x8000_0001,
    0x007f_ffff, // largest subnormal
    0x0080_0000, // smallest normal
    0x7f7f_ffff, // largest finite
    0xff7f_ffff,
    0x7f80_0000, // +inf
    0xff80_0000, // -inf
    0x7fc0_0000, // quiet NaN
    0xffc0_0001, // NaN with payload and sign
    0x3f80_0000, // 1
    0x3eaa_aaab, // ~1/3
];

fn check(k: f32, b: f32, x: f32) -> Result<(), TestCaseError> {
    let p = Fp32Params {
        breakpoints: vec![],
        slopes: vec![k],
        intercepts: vec![b],
    };
    let (_, y) = fp32::eval(&p, x);
    let want = k * x + b; // two roundings: Rust does not fuse
    if want.is_nan() {
        prop_assert_eq!(y.to_bits(), CANONICAL_NAN);
    } else {
        prop_assert_eq!(y.to_bits(), want.to_bits(), "k={:e} x={:e} b={:e}", k, x, b);
    }
    Ok(())
}

#[test]
fn special_values_exhaustively() {
    for &k in &SPECIAL {
        for &x in &SPECIAL {
            for &b in &SPECIAL {
                check(f32::from_bits(k), f32::from_bits(b), f32::from_bits(x)).unwrap();
            }
        }
    }
}

#[test]
fn products_that_go_subnormal_are_kept() {
    let tiny = f32::from_bits(0x0080_0000); // smallest normal
    check(0.5, 0.0, tiny).unwrap();
    let (_, y) = fp32::eval(
        &Fp32Params {
            breakpoints: vec![],
            slopes: vec![0.5],
            intercepts: vec![0.0],
        },
        tiny,
    );
    assert_eq!(y.to_bits(), 0x0040_0000);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20000))]
    #[test]
    fn random_bit_patterns(k in any::<u32>(), b in any::<u32>(), x in any::<u32>()) {
        check(f32::from_bits(k), f32::from_bits(b), f32::from_bits(x))?;
    }

    #[test]
    fn random_ordinary_values(k in -8.0f32..8.0, b in -8.0f32..8.0, x in -1e3f32..1e3) {
        check(k, b, x)?;
    }
}
