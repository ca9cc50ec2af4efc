//! Energy of single datapath operations, for models built of many of them (the GRU's MACs,
//! adds, elementwise products, register and weight-memory traffic). Each structure is the one
//! the unit's cost model already prices — the signed multiplier as Yosys lays it out
//! (`product`), ripple-carry adders of full adders, flip-flops — counted in NanGate45 gate
//! equivalents and charged the node's energy per GE evaluation at the reference activity 0.5
//! (Horowitz's 32-bit add, see [`super::ge_fj_45`]). Weight reads are charged Horowitz's SRAM
//! figure. Nothing here is fitted to a result it predicts.

use super::product::{field_bits, product_gates};
use super::{Tech, NANGATE45};

/// Horowitz, ISSCC 2014 ("Computing's energy problem"), 45 nm: reading 64 bits from an 8 KB
/// SRAM costs 10 pJ.
pub const HOROWITZ_SRAM_8KB_READ64_PJ: f64 = 10.0;

/// GE of the full signed product of an `a`-bit and a `b`-bit operand.
pub fn mul_ge(a: u32, b: u32) -> f64 {
    let (a, b) = (a.max(1) as usize, b.max(1) as usize);
    let (wide, narrow) = if a >= b { (a, b) } else { (b, a) };
    product_gates(
        &field_bits(None, wide),
        &field_bits(None, narrow),
        true,
        a + b,
        0,
    )
    .ge(&NANGATE45)
}

/// GE of a `bits`-bit ripple-carry adder.
pub fn add_ge(bits: u32) -> f64 {
    bits as f64 * NANGATE45.fa
}

/// GE of a `bits`-bit register.
pub fn reg_ge(bits: u32) -> f64 {
    bits as f64 * NANGATE45.dff
}

/// Per-operation energies at one node, in pJ.
#[derive(Clone, Copy, Debug)]
pub struct OpEnergy {
    pub tech: Tech,
}

impl OpEnergy {
    fn pj(&self, ge: f64) -> f64 {
        ge * self.tech.ge_fj / 1000.0
    }

    /// One multiply-accumulate: the `a`×`b` product into an `acc`-bit adder.
    pub fn mac(&self, a: u32, b: u32, acc: u32) -> f64 {
        self.pj(mul_ge(a, b) + add_ge(acc))
    }

    pub fn mul(&self, a: u32, b: u32) -> f64 {
        self.pj(mul_ge(a, b))
    }

    pub fn add(&self, bits: u32) -> f64 {
        self.pj(add_ge(bits))
    }

    /// Writing a `bits`-bit register once.
    pub fn reg(&self, bits: u32) -> f64 {
        self.pj(reg_ge(bits))
    }

    /// Reading `bits` bits of weights from SRAM: Horowitz's 45 nm figure per bit, scaled to
    /// the node with the switched capacitance (as the node's GE energy is).
    pub fn sram_read(&self, bits: u64) -> f64 {
        let scale = self.tech.ge_fj / super::ge_fj_45();
        bits as f64 * HOROWITZ_SRAM_8KB_READ64_PJ / 64.0 * scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn energies_grow_with_width_and_match_the_reference_add() {
        let e = OpEnergy {
            tech: Tech::nangate45(),
        };
        // The reference: a 32-bit add is Horowitz's 0.1 pJ at 45 nm.
        assert!((e.add(32) - 0.1).abs() < 1e-12);
        assert!(e.mac(4, 4, 12) < e.mac(8, 8, 20));
        assert!(e.mul(8, 8) < e.mul(16, 16));
        assert_eq!(mul_ge(3, 7), mul_ge(7, 3));
        // Horowitz: an 8-bit multiply is 0.2 pJ at 45 nm; the gate model is the same order.
        let m8 = e.mul(8, 8);
        assert!(m8 > 0.05 && m8 < 0.8, "{m8}");
        let e28 = OpEnergy {
            tech: Tech::tsmc28(),
        };
        assert!(e28.sram_read(64) < e.sram_read(64));
        assert!((e.sram_read(64) - 10.0).abs() < 1e-12);
    }
}
