//! What a model did on a set of sequences, and the statistics a choice between models needs:
//! tallies of right answers, losses and divergence from the float model; the objectives the
//! mixed-precision search can minimize; an interval for an accuracy measured on few sequences,
//! and the paired comparison of two models on the same sequences.

use crate::bptt::loss_of;
use crate::data::{Metric, Target};
use crate::model::argmax;
use serde::{Deserialize, Serialize};

/// A split's score: accuracy (higher is better) or MSE (lower is better), with the mean loss.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub metric: Metric,
    pub value: f64,
    pub loss: f64,
}

impl Score {
    /// The error to minimize: 1 − accuracy, or the MSE.
    pub fn error(&self) -> f64 {
        match self.metric {
            Metric::Accuracy => 1.0 - self.value,
            Metric::Mse => self.value,
        }
    }
}

/// The error the search minimizes on its search data (its first objective).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// 1 − accuracy (classification) or the MSE (regression): the reported figure itself.
    Error,
    /// The task loss: the mean cross-entropy of the integer model's logits (classification;
    /// the MSE for regression). It moves with every logit, where accuracy moves only when a
    /// decision flips.
    Loss,
    /// The divergence from the float model: the mean Kullback–Leibler divergence of the integer
    /// model's class probabilities from the float model's (classification; for regression the
    /// mean squared difference of the outputs). Needs no labels.
    Fidelity,
}

impl Objective {
    pub fn parse(s: &str) -> Result<Objective, String> {
        match s {
            "error" => Ok(Objective::Error),
            "loss" => Ok(Objective::Loss),
            "fidelity" => Ok(Objective::Fidelity),
            _ => Err(format!("'{s}': error, loss or fidelity")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Objective::Error => "error",
            Objective::Loss => "loss",
            Objective::Fidelity => "fidelity",
        }
    }
}

/// Sums over sequences of what a model did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub n: usize,
    /// Classification: sequences whose class is the label's (0 without labels).
    pub correct: usize,
    /// Classification: sequences whose class is the float model's.
    pub agree: usize,
    /// Of the task loss (cross-entropy, or squared error), with labels.
    pub loss: f64,
    /// Of KL(float ‖ model) (classification) or (model − float)² (regression).
    pub divergence: f64,
    /// Regression: of (output − target)².
    pub sq_err: f64,
}

/// The softmax of `logits`, computed stably.
fn softmax(logits: &[f64]) -> Vec<f64> {
    let m = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = logits.iter().map(|&v| libm::exp(v - m)).collect();
    let s: f64 = e.iter().sum();
    e.into_iter().map(|v| v / s).collect()
}

impl Tally {
    /// Adds one sequence: the model's outputs (real values), the float model's, and the
    /// target when the sequence is labelled.
    pub fn add(&mut self, metric: Metric, out: &[f64], float: &[f64], target: Option<Target>) {
        self.n += 1;
        match metric {
            Metric::Accuracy => {
                let class = argmax(out);
                self.agree += usize::from(class == argmax(float));
                let (p, q) = (softmax(float), softmax(out));
                self.divergence += p
                    .iter()
                    .zip(&q)
                    .filter(|(&pi, _)| pi > 0.0)
                    .map(|(&pi, &qi)| pi * (libm::log(pi) - libm::log(qi.max(1e-300))))
                    .sum::<f64>();
                if let Some(t) = target {
                    if t == Target::Class(class) {
                        self.correct += 1;
                    }
                    let mut d = vec![0.0; out.len()];
                    self.loss += loss_of(out, t, &mut d);
                }
            }
            Metric::Mse => {
                self.divergence += (out[0] - float[0]).powi(2);
                if let Some(Target::Value(v)) = target {
                    self.sq_err += (out[0] - v).powi(2);
                    self.loss += (out[0] - v).powi(2);
                }
            }
        }
    }

    pub fn merge(&mut self, o: &Tally) {
        self.n += o.n;
        self.correct += o.correct;
        self.agree += o.agree;
        self.loss += o.loss;
        self.divergence += o.divergence;
        self.sq_err += o.sq_err;
    }

    fn mean(&self, v: f64) -> f64 {
        v / self.n.max(1) as f64
    }

    /// The reported figure: accuracy (or MSE) with labels; without, agreement with the float
    /// model (or the mean squared difference from it).
    pub fn value(&self, metric: Metric, labelled: bool) -> f64 {
        match (metric, labelled) {
            (Metric::Accuracy, true) => self.correct as f64 / self.n.max(1) as f64,
            (Metric::Accuracy, false) => self.agree as f64 / self.n.max(1) as f64,
            (Metric::Mse, true) => self.mean(self.sq_err),
            (Metric::Mse, false) => self.mean(self.divergence),
        }
    }

    /// The error of the reported figure: 1 − accuracy (or agreement), or the MSE.
    pub fn error(&self, metric: Metric, labelled: bool) -> f64 {
        match metric {
            Metric::Accuracy => 1.0 - self.value(metric, labelled),
            Metric::Mse => self.value(metric, labelled),
        }
    }

    /// The value of `objective` (lower is better). Without labels, error and loss fall back
    /// to their label-free counterparts (disagreement; divergence).
    pub fn objective(&self, metric: Metric, labelled: bool, objective: Objective) -> f64 {
        match (objective, labelled) {
            (Objective::Error, _) => self.error(metric, labelled),
            (Objective::Loss, true) => self.mean(self.loss),
            (Objective::Loss, false) | (Objective::Fidelity, _) => self.mean(self.divergence),
        }
    }
}

/// The two-sided 95 % quantile of the standard normal distribution.
const Z95: f64 = 1.959_963_984_540_054;

/// Wilson's 95 % score interval of a proportion of `k` in `n` (Wilson 1927): unlike the
/// normal approximation it stays within [0, 1] and is sound for few sequences or a proportion
/// near 1.
pub fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (n, p) = (n as f64, k as f64 / n as f64);
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// McNemar's exact test (the two-sided binomial test of the discordant pairs): the
/// probability, were both models equally accurate, of a split of the `gained + lost`
/// sequences on which they disagree at least as uneven as this one.
pub fn mcnemar_exact(gained: usize, lost: usize) -> f64 {
    let n = gained + lost;
    if n == 0 {
        return 1.0;
    }
    let k = gained.min(lost);
    let ln_half_n = n as f64 * std::f64::consts::LN_2;
    let ln_choose = |i: usize| {
        libm::lgamma(n as f64 + 1.0)
            - libm::lgamma(i as f64 + 1.0)
            - libm::lgamma((n - i) as f64 + 1.0)
    };
    let tail: f64 = (0..=k).map(|i| libm::exp(ln_choose(i) - ln_half_n)).sum();
    (2.0 * tail).min(1.0)
}

/// A model against a reference on the same sequences.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Paired {
    /// Classification: sequences the model gets right and the reference wrong, and the
    /// reverse; McNemar's exact p.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gained: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<f64>,
    /// The difference (model − reference) of the reported figure (accuracy, or MSE), and its
    /// 95 % interval from the paired per-sequence differences (normal approximation).
    pub difference: f64,
    pub ci95: (f64, f64),
}

/// Compares per-sequence results: `model[i]` and `reference[i]` are sequence i's 0/1
/// correctness (classification) or squared error (regression).
pub fn paired(metric: Metric, model: &[f64], reference: &[f64]) -> Paired {
    let n = model.len().min(reference.len());
    let d: Vec<f64> = (0..n).map(|i| model[i] - reference[i]).collect();
    let mean = d.iter().sum::<f64>() / n.max(1) as f64;
    let var = if n > 1 {
        d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64
    } else {
        0.0
    };
    let half = Z95 * (var / n.max(1) as f64).sqrt();
    match metric {
        Metric::Accuracy => {
            let gained = d.iter().filter(|&&x| x > 0.5).count();
            let lost = d.iter().filter(|&&x| x < -0.5).count();
            Paired {
                gained: Some(gained),
                lost: Some(lost),
                p: Some(mcnemar_exact(gained, lost)),
                difference: mean,
                ci95: (mean - half, mean + half),
            }
        }
        Metric::Mse => Paired {
            gained: None,
            lost: None,
            p: None,
            difference: mean,
            ci95: (mean - half, mean + half),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// McNemar by hand: 1 against 6 discordant sequences, P(X ≤ 1) for X ~ Bin(7, ½) is
    /// (1 + 7) / 128, twice that 0.125; 0 against 5: 2 / 32; equal splits: 1.
    #[test]
    fn mcnemar_matches_the_binomial_by_hand() {
        assert!((mcnemar_exact(1, 6) - 0.125).abs() < 1e-12);
        assert!((mcnemar_exact(6, 1) - 0.125).abs() < 1e-12);
        assert!((mcnemar_exact(0, 5) - 0.0625).abs() < 1e-12);
        assert_eq!(mcnemar_exact(3, 3), 1.0);
        assert_eq!(mcnemar_exact(0, 0), 1.0);
        // 10 against 40 of 50: 2 · Σ_{i≤10} C(50, i) / 2^50 = 2.38613e-5 (by the exact sum).
        let p = mcnemar_exact(10, 40);
        assert!((p / 2.386_133e-5 - 1.0).abs() < 1e-6, "{p}");
    }

    /// Wilson's interval by hand: 8 of 10 is (0.4902, 0.9433); 40 of 40 (1.0) is (0.9124, 1).
    #[test]
    fn wilson_matches_the_published_values() {
        let (lo, hi) = wilson(8, 10);
        assert!(
            (lo - 0.4902).abs() < 1e-4 && (hi - 0.9433).abs() < 1e-4,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(40, 40);
        assert!((lo - 0.9124).abs() < 1e-4 && hi == 1.0, "{lo} {hi}");
    }

    #[test]
    fn a_paired_comparison_counts_the_discordant_sequences() {
        let model = [1.0, 1.0, 0.0, 1.0, 0.0, 1.0];
        let reference = [1.0, 0.0, 1.0, 1.0, 1.0, 1.0];
        let p = paired(Metric::Accuracy, &model, &reference);
        assert_eq!((p.gained, p.lost), (Some(1), Some(2)));
        assert!((p.difference + 1.0 / 6.0).abs() < 1e-12);
        assert!(p.ci95.0 < p.difference && p.difference < p.ci95.1);
        assert_eq!(p.p, Some(1.0));
    }

    #[test]
    fn tallies_score_labels_and_the_float_model() {
        let mut t = Tally::default();
        t.add(
            Metric::Accuracy,
            &[2.0, 0.0],
            &[1.0, 0.0],
            Some(Target::Class(0)),
        );
        t.add(
            Metric::Accuracy,
            &[0.0, 2.0],
            &[1.0, 0.0],
            Some(Target::Class(0)),
        );
        assert_eq!((t.n, t.correct, t.agree), (2, 1, 1));
        assert_eq!(t.value(Metric::Accuracy, true), 0.5);
        assert!(t.objective(Metric::Accuracy, true, Objective::Fidelity) > 0.0);
        // The same outputs as the float model diverge by nothing.
        let mut u = Tally::default();
        u.add(Metric::Accuracy, &[1.0, 0.0], &[1.0, 0.0], None);
        assert_eq!(u.divergence, 0.0);
        assert_eq!(u.value(Metric::Accuracy, false), 1.0);
    }
}
