//! The operator list of the integer GRU and the genome over it: one bit width per operator,
//! and the segment counts of the sigmoid and tanh tables.
//!
//! Per layer l (names prefixed `l1.`, `l2.` … beyond the first):
//!
//! | gene | operator |
//! |---|---|
//! | `w_ir w_iz w_in` | input weights of the r, z, n gates |
//! | `w_hr w_hz w_hn` | hidden weights of the r, z, n gates |
//! | `b` | the layer's biases (b_ir + b_hr, b_iz + b_hz, b_in, b_hn) |
//! | `a_r a_z` | sigmoid inputs (the gates' pre-activations) |
//! | `a_n` | tanh input |
//! | `hn` | W_hn h + b_hn |
//! | `r z` | sigmoid outputs |
//! | `n` | tanh output |
//! | `rhn` | r ⊙ hn |
//! | `h` | the state |
//! | `zh` | z ⊙ h_{t-1} |
//! | `zn` | (1 − z) ⊙ n |
//!
//! and once per model: `x` (the input) first, then `w_o` and `o` (head weights and output, with
//! the head bias at the last layer's `b` width), `k_sigma` and `k_tanh` last.

use lutforge_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Names of the per-layer genes, in genome order.
pub const LAYER_GENES: [&str; 18] = [
    "w_ir", "w_iz", "w_in", "w_hr", "w_hz", "w_hn", "b", "a_r", "a_z", "a_n", "hn", "r", "z", "n",
    "rhn", "h", "zh", "zn",
];

/// Widths any gene may take.
pub const BITS_RANGE: std::ops::RangeInclusive<u32> = 2..=16;

/// Segment counts the activation tables may have.
pub const SEGMENT_CHOICES: [usize; 3] = [4, 8, 16];

/// The widths of one layer's operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LayerBits {
    pub w_ir: u32,
    pub w_iz: u32,
    pub w_in: u32,
    pub w_hr: u32,
    pub w_hz: u32,
    pub w_hn: u32,
    pub b: u32,
    pub a_r: u32,
    pub a_z: u32,
    pub a_n: u32,
    pub hn: u32,
    pub r: u32,
    pub z: u32,
    pub n: u32,
    pub rhn: u32,
    pub h: u32,
    pub zh: u32,
    pub zn: u32,
}

impl LayerBits {
    pub fn uniform(b: u32) -> LayerBits {
        LayerBits::from_slice(&[b; 18])
    }

    fn from_slice(v: &[u32]) -> LayerBits {
        LayerBits {
            w_ir: v[0],
            w_iz: v[1],
            w_in: v[2],
            w_hr: v[3],
            w_hz: v[4],
            w_hn: v[5],
            b: v[6],
            a_r: v[7],
            a_z: v[8],
            a_n: v[9],
            hn: v[10],
            r: v[11],
            z: v[12],
            n: v[13],
            rhn: v[14],
            h: v[15],
            zh: v[16],
            zn: v[17],
        }
    }

    pub fn to_vec(&self) -> Vec<u32> {
        vec![
            self.w_ir, self.w_iz, self.w_in, self.w_hr, self.w_hz, self.w_hn, self.b, self.a_r,
            self.a_z, self.a_n, self.hn, self.r, self.z, self.n, self.rhn, self.h, self.zh,
            self.zn,
        ]
    }
}

/// A full genome: every operator's width and both tables' segment counts.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Genome {
    pub x: u32,
    pub layers: Vec<LayerBits>,
    pub w_o: u32,
    pub o: u32,
    pub k_sigma: usize,
    pub k_tanh: usize,
}

impl Genome {
    /// Every width `bits`, both tables with `k` segments.
    pub fn homogeneous(layers: usize, bits: u32, k: usize) -> Genome {
        Genome {
            x: bits,
            layers: vec![LayerBits::uniform(bits); layers],
            w_o: bits,
            o: bits,
            k_sigma: k,
            k_tanh: k,
        }
    }

    /// Genes in order (widths, then the two segment counts).
    pub fn to_genes(&self) -> Vec<u32> {
        let mut v = vec![self.x];
        for l in &self.layers {
            v.extend(l.to_vec());
        }
        v.extend([self.w_o, self.o, self.k_sigma as u32, self.k_tanh as u32]);
        v
    }

    pub fn len_for(layers: usize) -> usize {
        1 + 18 * layers + 4
    }

    /// The names of the genes of a model with `layers` layers, in order.
    pub fn names(layers: usize) -> Vec<String> {
        let mut v = vec!["x".to_string()];
        for l in 0..layers {
            for g in LAYER_GENES {
                v.push(if l == 0 {
                    g.to_string()
                } else {
                    format!("l{l}.{g}")
                });
            }
        }
        v.extend(["w_o", "o", "k_sigma", "k_tanh"].map(String::from));
        v
    }

    /// A genome from its genes, checked: widths in 2..=16, segment counts in {4, 8, 16}.
    pub fn from_genes(genes: &[u32], layers: usize) -> Result<Genome> {
        let want = Genome::len_for(layers);
        if genes.len() != want {
            return Err(Error::input(format!(
                "a genome of {} genes; a {layers}-layer model has {want} ({})",
                genes.len(),
                Genome::names(layers).join(",")
            )));
        }
        let names = Genome::names(layers);
        for (i, &g) in genes[..want - 2].iter().enumerate() {
            if !BITS_RANGE.contains(&g) {
                return Err(Error::input(format!(
                    "gene {} = {g}: widths lie in {}..={}",
                    names[i],
                    BITS_RANGE.start(),
                    BITS_RANGE.end()
                )));
            }
        }
        for (i, &g) in genes[want - 2..].iter().enumerate() {
            if !SEGMENT_CHOICES.contains(&(g as usize)) {
                return Err(Error::input(format!(
                    "gene {} = {g}: the tables have 4, 8 or 16 segments",
                    names[want - 2 + i]
                )));
            }
        }
        Ok(Genome {
            x: genes[0],
            layers: (0..layers)
                .map(|l| LayerBits::from_slice(&genes[1 + 18 * l..1 + 18 * (l + 1)]))
                .collect(),
            w_o: genes[want - 4],
            o: genes[want - 3],
            k_sigma: genes[want - 2] as usize,
            k_tanh: genes[want - 1] as usize,
        })
    }

    /// Parses `8,4,…` (every gene in order) or `name=value,…` over a homogeneous base
    /// (`all=B` sets every width).
    pub fn parse(text: &str, layers: usize) -> Result<Genome> {
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        if parts.iter().all(|p| !p.contains('=')) {
            let genes = parts
                .iter()
                .map(|p| {
                    p.parse::<u32>()
                        .map_err(|_| Error::input(format!("'{p}' in the genome is not a width")))
                })
                .collect::<Result<Vec<u32>>>()?;
            return Genome::from_genes(&genes, layers);
        }
        let names = Genome::names(layers);
        let mut genes = Genome::homogeneous(layers, 8, 16).to_genes();
        for p in parts {
            let (k, v) = p.split_once('=').ok_or_else(|| {
                Error::input(format!("'{p}': write every gene as name=value (or none)"))
            })?;
            let v: u32 = v
                .trim()
                .parse()
                .map_err(|_| Error::input(format!("'{p}': the value is not a number")))?;
            let k = k.trim();
            if k == "all" {
                let n = genes.len();
                genes[..n - 2].iter_mut().for_each(|g| *g = v);
            } else {
                let i = names.iter().position(|n| n == k).ok_or_else(|| {
                    Error::input(format!("unknown gene '{k}' (genes: {})", names.join(",")))
                })?;
                genes[i] = v;
            }
        }
        Genome::from_genes(&genes, layers)
    }

    /// The widest width of the genome.
    pub fn max_bits(&self) -> u32 {
        let g = self.to_genes();
        g[..g.len() - 2].iter().copied().max().unwrap_or(0)
    }
}

impl fmt::Display for Genome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = Genome::names(self.layers.len());
        let genes = self.to_genes();
        let parts: Vec<String> = names
            .iter()
            .zip(&genes)
            .map(|(n, g)| format!("{n}={g}"))
            .collect();
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genes_round_trip_and_are_checked() {
        let g = Genome::homogeneous(2, 5, 8);
        assert_eq!(g.to_genes().len(), Genome::len_for(2));
        assert_eq!(Genome::from_genes(&g.to_genes(), 2).unwrap(), g);
        assert_eq!(Genome::parse(&g.to_string(), 2).unwrap(), g);
        let csv: Vec<String> = g.to_genes().iter().map(|v| v.to_string()).collect();
        assert_eq!(Genome::parse(&csv.join(","), 2).unwrap(), g);
        assert!(Genome::from_genes(&g.to_genes(), 1)
            .unwrap_err()
            .to_string()
            .contains("a 1-layer model has 23"));
        let mut bad = g.to_genes();
        bad[2] = 17;
        assert!(Genome::from_genes(&bad, 2)
            .unwrap_err()
            .to_string()
            .contains("w_iz = 17"));
        let mut bad = g.to_genes();
        *bad.last_mut().unwrap() = 5;
        assert!(Genome::from_genes(&bad, 2)
            .unwrap_err()
            .to_string()
            .contains("k_tanh = 5"));
    }

    #[test]
    fn named_genes_override_a_homogeneous_base() {
        let g = Genome::parse("all=4,h=8,k_sigma=4", 1).unwrap();
        assert_eq!(g.x, 4);
        assert_eq!(g.layers[0].h, 8);
        assert_eq!(g.layers[0].w_ir, 4);
        assert_eq!((g.k_sigma, g.k_tanh), (4, 16));
        assert!(Genome::parse("nope=3", 1)
            .unwrap_err()
            .to_string()
            .contains("unknown gene"));
        assert!(Genome::parse("h=1", 1).is_err());
    }
}
