//! The integer GRU against an independent reference written from docs/gru.md: every sum in
//! i128 by plain formulas (alignment as multiplication by powers of two, half-up rounding as
//! floor division, saturation as a clamp, the LUT as "count the breakpoints, multiply, add,
//! round"), on random models, inputs and genomes (proptest).

use lutforge_core::FixedFormat;
use lutforge_gru::calibration::{Calibration, Ranges, WeightScales};
use lutforge_gru::data::{Sample, Target};
use lutforge_gru::genome::Genome;
use lutforge_gru::model::{Gru, Norm, Shape};
use lutforge_gru::quant::{QTensor, QuantGru};
use lutforge_gru::tables::{Lut, TableCache};
use proptest::prelude::*;

fn pow2(e: i32) -> i128 {
    1i128 << e
}

/// v at scale `from` brought to `to`: round half up, then clamp.
fn out_step(v: i128, from: i32, to: FixedFormat) -> i128 {
    let r = from - to.frac;
    let y = if r <= 0 {
        v * pow2(-r)
    } else {
        (v + pow2(r - 1)).div_euclid(pow2(r))
    };
    let lo = -pow2(to.bits as i32 - 1);
    y.clamp(lo, -lo - 1)
}

/// Terms (value, scale) summed at the finest scale among them.
fn sum(terms: &[(i128, i32)]) -> (i128, i32) {
    let s = terms.iter().map(|t| t.1).max().unwrap();
    (terms.iter().map(|&(v, f)| v * pow2(s - f)).sum(), s)
}

fn lut(t: &Lut, x: i128) -> i128 {
    let p = &t.params;
    let seg = p.breakpoints.iter().filter(|&&b| x >= b as i128).count();
    let dp = &t.dp;
    let m = p.slopes[seg] as i128 * x;
    let c = p.intercepts[seg] as i128 * pow2(dp.slope.frac + dp.input.frac - dp.intercept.frac);
    out_step(m + c, dp.slope.frac + dp.input.frac, dp.output)
}

fn dot(w: &QTensor, row: usize, v: &[i128]) -> i128 {
    let cols = v.len();
    (0..cols)
        .map(|k| w.codes[row * cols + k] as i128 * v[k])
        .sum()
}

/// The reference run of one sequence: the head's output codes.
fn reference(q: &QuantGru, s: &Sample) -> Vec<i128> {
    let mut seq: Vec<Vec<i128>> = {
        let x = q.quantize_input(s);
        (0..s.len)
            .map(|t| {
                x[t * q.inputs..(t + 1) * q.inputs]
                    .iter()
                    .map(|&v| v as i128)
                    .collect()
            })
            .collect()
    };
    for l in &q.layers {
        let f = &l.fmt;
        let fi = l.input.frac;
        let mut h = vec![0i128; q.hidden];
        for x in seq.iter_mut() {
            let mut next = vec![0i128; q.hidden];
            for j in 0..q.hidden {
                let gate = |g: usize| {
                    sum(&[
                        (dot(&l.w_i[g], j, x), l.w_i[g].fmt.frac + fi),
                        (dot(&l.w_h[g], j, &h), l.w_h[g].fmt.frac + f.h.frac),
                        (l.b[g].codes[j] as i128, l.b[g].fmt.frac),
                    ])
                };
                let (v, s) = gate(0);
                let r = lut(&l.sig_r, out_step(v, s, f.a_r));
                let (v, s) = gate(1);
                let z = lut(&l.sig_z, out_step(v, s, f.a_z));
                let (v, s) = sum(&[
                    (dot(&l.w_h[2], j, &h), l.w_h[2].fmt.frac + f.h.frac),
                    (l.b[3].codes[j] as i128, l.b[3].fmt.frac),
                ]);
                let hn = out_step(v, s, f.hn);
                let rhn = out_step(r * hn, f.r.frac + f.hn.frac, f.rhn);
                let (v, s) = sum(&[
                    (dot(&l.w_i[2], j, x), l.w_i[2].fmt.frac + fi),
                    (l.b[2].codes[j] as i128, l.b[2].fmt.frac),
                    (rhn, f.rhn.frac),
                ]);
                let n = lut(&l.tanh_n, out_step(v, s, f.a_n));
                let zh = out_step(z * h[j], f.z.frac + f.h.frac, f.zh);
                let zn = out_step((pow2(f.z.frac) - z) * n, f.z.frac + f.n.frac, f.zn);
                let (v, s) = sum(&[(zn, f.zn.frac), (zh, f.zh.frac)]);
                next[j] = out_step(v, s, f.h);
            }
            h = next;
            *x = h.clone();
        }
    }
    let h = &seq[s.len - 1];
    let hf = q.layers.last().unwrap().fmt.h.frac;
    (0..q.outputs)
        .map(|c| {
            let (v, s) = sum(&[
                (dot(&q.w_o, c, h), q.w_o.fmt.frac + hf),
                (q.b_o.codes[c] as i128, q.b_o.fmt.frac),
            ]);
            out_step(v, s, q.o)
        })
        .collect()
}

fn sample(len: usize, features: usize, seed: u64) -> Sample {
    use rand::Rng;
    use rand_chacha::rand_core::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    Sample {
        x: (0..len * features)
            .map(|_| rng.gen_range(-3.0..3.0))
            .collect(),
        len,
        y: Target::Class(0),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn integer_model_equals_the_i128_reference(
        seed in 0u64..1000,
        layers in 1usize..=2,
        hidden in 1usize..=5,
        genes in proptest::collection::vec(2u32..=10, 42),
        ks in proptest::collection::vec(0usize..3, 2),
        scale in 0.5f64..4.0,
    ) {
        let shape = Shape { input: 3, hidden, layers, outputs: 3 };
        let mut g = Gru::new(shape, Norm::identity(3), seed);
        for p in &mut g.params {
            *p *= scale;
        }
        let samples: Vec<Sample> = (0..6).map(|i| sample(1 + (i % 4), 3, seed * 10 + i as u64)).collect();
        let ranges = Ranges::calibrate(&g, &samples, Calibration::MaxAbs, WeightScales::Tensor);
        let n = Genome::len_for(layers);
        let mut gv: Vec<u32> = genes[..n - 2].to_vec();
        gv.push([4, 8, 16][ks[0]]);
        gv.push([4, 8, 16][ks[1]]);
        let genome = Genome::from_genes(&gv, layers).unwrap();
        let q = QuantGru::new(&g, &ranges, &genome, &TableCache::new()).unwrap();
        for s in &samples {
            let got: Vec<i128> = q.run(s, &mut |_, _, _| {}).iter().map(|&v| v as i128).collect();
            prop_assert_eq!(got, reference(&q, s));
        }
    }
}
