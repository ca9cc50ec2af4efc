//! The adding problem (Hochreiter & Schmidhuber, 1997): each step carries a value uniform in
//! [0, 1) and a marker; exactly two steps are marked, one in each half of the sequence, and the
//! target is the sum of the two marked values. A model must remember across the sequence;
//! always answering 1 (the mean) scores an MSE of 1/6.

use super::{Sample, Target};
use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// `n` sequences of `steps` steps (at least 2) from `seed`.
pub fn generate(n: usize, steps: usize, seed: u64) -> Vec<Sample> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let half = steps / 2;
    (0..n)
        .map(|_| {
            let a = rng.gen_range(0..half.max(1));
            let b = half + rng.gen_range(0..(steps - half).max(1));
            let mut x = Vec::with_capacity(steps * 2);
            let mut sum = 0.0;
            for t in 0..steps {
                let v: f64 = rng.gen();
                let mark = t == a || t == b;
                if mark {
                    sum += v;
                }
                x.push(v);
                x.push(if mark { 1.0 } else { 0.0 });
            }
            Sample {
                x,
                len: steps,
                y: Target::Value(sum),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_marks_and_their_sum() {
        let s = generate(50, 20, 3);
        for smp in &s {
            let marks: Vec<usize> = (0..20).filter(|&t| smp.x[2 * t + 1] == 1.0).collect();
            assert_eq!(marks.len(), 2);
            assert!(marks[0] < 10 && marks[1] >= 10);
            let sum = smp.x[2 * marks[0]] + smp.x[2 * marks[1]];
            assert_eq!(smp.y, Target::Value(sum));
        }
        assert_eq!(generate(50, 20, 3), s, "same seed, same data");
        assert_ne!(generate(50, 20, 4), s);
    }
}
