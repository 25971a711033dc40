//! Temperature scaling (Guo et al., 2017): one number `T` that softens or
//! sharpens every probability the head gives, `p_i^(1/T)` renormalised
//! (the same as dividing the logits by `T`). It is fitted on
//! cross-validated outputs, where the head has not seen the question, so
//! the probabilities `classify` writes and review sorts by mean what they
//! say; the label a question gets never changes.
//!
//! A head trained with balanced class weights gives the rare labels more
//! probability than they have, and one temperature cannot undo that: the
//! mean of its probabilities overstates `profitability` and `investment`.
//! `ClassTotals` is the second, share-only step: a power and a bias per
//! label on the calibrated probabilities, fitted so that their mean equals
//! the labelled class totals of the cross-validated outputs. `pcc` sums the
//! probabilities it gives; labels and `classify`'s `probs` keep the
//! temperature alone, because the balanced decision is what macro-F1
//! rewards.

use serde::{Deserialize, Serialize};

use crate::labels::{Label, Probs};

/// Confidence bins of the expected calibration error.
const BINS: usize = 15;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub temperature: f64,
    /// How it was fitted (which outputs, how many questions).
    pub method: String,
    pub before: Fit,
    pub after: Fit,
}

/// How well probabilities match outcomes; lower is better for all three.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    /// Expected calibration error: the gap between the top label's
    /// probability and how often it is right, averaged over 15 equal-width
    /// bins of that probability, weighted by the questions in each.
    pub ece: f64,
    /// Brier score: the squared distance between the probabilities and
    /// the one-hot truth, summed over labels, averaged over questions.
    pub brier: f64,
    /// Mean negative log-likelihood of the true label.
    pub nll: f64,
}

impl Calibration {
    /// The temperature that minimises the negative log-likelihood of
    /// `truth` under `probs` (golden-section search over log T, which the
    /// likelihood is unimodal in), with the fit before and after.
    pub fn fit(probs: &[Probs], truth: &[Label], method: String) -> Calibration {
        let nll = |log_t: f64| Fit::of(probs, truth, log_t.exp()).nll;
        let (mut a, mut b) = (-3.0f64, 3.0f64);
        let g = (5f64.sqrt() - 1.0) / 2.0;
        let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
        let (mut fc, mut fd) = (nll(c), nll(d));
        while b - a > 1e-4 {
            if fc < fd {
                (b, d, fd) = (d, c, fc);
                c = b - g * (b - a);
                fc = nll(c);
            } else {
                (a, c, fc) = (c, d, fd);
                d = a + g * (b - a);
                fd = nll(d);
            }
        }
        let temperature = ((a + b) / 2.0).exp();
        Calibration {
            temperature,
            method,
            before: Fit::of(probs, truth, 1.0),
            after: Fit::of(probs, truth, temperature),
        }
    }
}

/// `p` at temperature `t`: `p_i^(1/t)`, renormalised.
pub fn scale(p: &Probs, t: f64) -> Probs {
    if t == 1.0 {
        return *p;
    }
    Probs::from_array(softmax(log_probs(p).map(|l| l / t)).map(|x| x as f32))
}

/// The share-only correction: `q_k ∝ exp(power · ln p_k + bias_k)`, with
/// `bias` 0 for `other`. Identity (power 1, bias 0) where a card predates it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassTotals {
    pub power: f64,
    pub bias: [f64; 3],
}

impl Default for ClassTotals {
    fn default() -> Self {
        ClassTotals {
            power: 1.0,
            bias: [0.0; 3],
        }
    }
}

impl ClassTotals {
    /// The power and biases that minimise the negative log-likelihood of
    /// `truth`. The likelihood is concave in them (a multinomial logit on
    /// `ln p` and a constant per label), so Newton's method with step
    /// halving finds the optimum, where the mean of the corrected
    /// probabilities equals each label's share of `truth` exactly.
    pub fn fit(probs: &[Probs], truth: &[Label]) -> ClassTotals {
        let n = probs.len();
        if n == 0 {
            return ClassTotals::default();
        }
        let logs: Vec<[f64; 3]> = probs.iter().map(log_probs).collect();
        // Features of label k: (ln p_k, [k = profitability], [k = investment]).
        let x = |l: &[f64; 3], k: usize| [l[k], f64::from(u8::from(k == 0)), f64::from(u8::from(k == 1))];
        let nll = |t: &ClassTotals| {
            logs.iter()
                .zip(truth)
                .map(|(l, y)| -t.apply_logs(l)[y.index()].max(1e-300).ln())
                .sum::<f64>()
                / n as f64
        };
        let mut t = ClassTotals::default();
        for _ in 0..100 {
            let (mut g, mut h) = ([0.0f64; 3], [[0.0f64; 3]; 3]);
            for (l, y) in logs.iter().zip(truth) {
                let q = t.apply_logs(l);
                let xs = [x(l, 0), x(l, 1), x(l, 2)];
                let ex: [f64; 3] = std::array::from_fn(|j| (0..3).map(|k| q[k] * xs[k][j]).sum());
                for i in 0..3 {
                    g[i] += (ex[i] - xs[y.index()][i]) / n as f64;
                    for j in 0..3 {
                        h[i][j] += ((0..3).map(|k| q[k] * xs[k][i] * xs[k][j]).sum::<f64>() - ex[i] * ex[j]) / n as f64;
                    }
                }
            }
            if g.iter().all(|v| v.abs() < 1e-10) {
                break;
            }
            let Some(step) = solve(h, g) else { break };
            let before = nll(&t);
            let mut f = 1.0;
            loop {
                let next = ClassTotals {
                    power: t.power - f * step[0],
                    bias: [t.bias[0] - f * step[1], t.bias[1] - f * step[2], 0.0],
                };
                if nll(&next) <= before {
                    t = next;
                    break;
                }
                f /= 2.0;
                if f < 1e-8 {
                    return t;
                }
            }
        }
        t
    }

    /// Power 1 and no bias: a card written before the correction.
    pub fn is_identity(&self) -> bool {
        *self == ClassTotals::default()
    }

    pub fn apply(&self, p: &Probs) -> [f64; 3] {
        self.apply_logs(&log_probs(p))
    }

    fn apply_logs(&self, l: &[f64; 3]) -> [f64; 3] {
        softmax(std::array::from_fn(|k| self.power * l[k] + self.bias[k]))
    }
}

impl std::fmt::Display for ClassTotals {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let b = self.bias;
        write!(
            f,
            "power {:.3}, bias {:.3} / {:.3} / {:.3}",
            self.power, b[0], b[1], b[2]
        )
    }
}

fn softmax(z: [f64; 3]) -> [f64; 3] {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e = z.map(|v| (v - max).exp());
    let sum: f64 = e.iter().sum();
    e.map(|v| v / sum)
}

/// Logs floored so that a probability that underflowed to 0 stays finite.
fn log_probs(p: &Probs) -> [f64; 3] {
    p.as_array().map(|x| f64::from(x).max(1e-30).ln())
}

/// `a x = b` for a symmetric positive semi-definite 3x3 `a` (Gaussian
/// elimination with partial pivoting); `None` where `a` is singular.
fn solve(mut a: [[f64; 3]; 3], mut b: [f64; 3]) -> Option<[f64; 3]> {
    for c in 0..3 {
        let p = (c..3).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, p);
        b.swap(c, p);
        let pivot = a[c];
        for r in c + 1..3 {
            let f = a[r][c] / pivot[c];
            for (x, p) in a[r].iter_mut().zip(pivot).skip(c) {
                *x -= f * p;
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = [0.0; 3];
    for r in (0..3).rev() {
        x[r] = (b[r] - (r + 1..3).map(|k| a[r][k] * x[k]).sum::<f64>()) / a[r][r];
    }
    Some(x)
}

impl Fit {
    pub fn of(probs: &[Probs], truth: &[Label], t: f64) -> Fit {
        let n = probs.len().max(1) as f64;
        let mut bins = [(0usize, 0.0f64, 0.0f64); BINS];
        let (mut brier, mut nll) = (0.0, 0.0);
        for (p, &y) in probs.iter().zip(truth) {
            let q = scale(p, t).as_array().map(f64::from);
            let top = p.argmax();
            let conf = q[top.index()];
            let bin = &mut bins[((conf * BINS as f64) as usize).min(BINS - 1)];
            *bin = (bin.0 + 1, bin.1 + conf, bin.2 + f64::from(u8::from(top == y)));
            brier += (0..q.len())
                .map(|i| (q[i] - f64::from(u8::from(i == y.index()))).powi(2))
                .sum::<f64>();
            nll -= q[y.index()].max(1e-12).ln();
        }
        Fit {
            ece: bins.iter().map(|&(_, conf, hits)| (conf - hits).abs()).sum::<f64>() / n,
            brier: brier / n,
            nll: nll / n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overconfident_outputs_are_softened_and_fit_better() {
        // Right 70% of the time at 95% confidence: T > 1 must soften them.
        let sure = |l: Label| {
            let mut p = [0.025f32; 3];
            p[l.index()] = 0.95;
            Probs::from_array(p)
        };
        let probs: Vec<Probs> = (0..100).map(|_| sure(Label::Other)).collect();
        let truth: Vec<Label> = (0..100)
            .map(|i| if i < 70 { Label::Other } else { Label::Profitability })
            .collect();
        let c = Calibration::fit(&probs, &truth, String::new());
        assert!(c.temperature > 1.5, "{c:?}");
        assert!(c.after.nll < c.before.nll && c.after.ece < c.before.ece, "{c:?}");
        assert!((c.before.ece - 0.25).abs() < 1e-6, "{c:?}");
        let softened = scale(&probs[0], c.temperature);
        assert_eq!(softened.argmax(), Label::Other);
        assert!((softened.other - 0.7).abs() < 0.02, "{softened:?}");
    }

    #[test]
    fn class_totals_restore_the_labelled_shares() {
        // A balanced head: 20% profitability, 80% other, but the head gives
        // profitability 0.45 on average. The corrected mean must be 20/80.
        let probs: Vec<Probs> = (0..100)
            .map(|i| {
                let p = if i % 5 == 0 {
                    0.7
                } else {
                    0.45 - 0.3 * f32::from(u8::from(i % 2 == 0))
                };
                Probs::from_array([p, 0.05, 0.95 - p])
            })
            .collect();
        let truth: Vec<Label> = (0..100)
            .map(|i| if i % 5 == 0 { Label::Profitability } else { Label::Other })
            .collect();
        let t = ClassTotals::fit(&probs, &truth);
        let mean: Vec<f64> = (0..3)
            .map(|k| probs.iter().map(|p| t.apply(p)[k]).sum::<f64>() / 100.0)
            .collect();
        assert!(
            (mean[0] - 0.2).abs() < 1e-6 && (mean[2] - 0.8).abs() < 1e-6,
            "{t:?} {mean:?}"
        );
        assert!(t.bias[0] < 0.0, "{t:?}");
        assert_eq!(
            ClassTotals::default().apply(&probs[1]).map(|x| x as f32),
            probs[1].as_array()
        );
    }

    #[test]
    fn temperature_one_changes_nothing() {
        let p = Probs::from_array([0.2, 0.3, 0.5]);
        assert_eq!(scale(&p, 1.0), p);
        let q = scale(&p, 2.0).as_array();
        assert!((q.iter().sum::<f32>() - 1.0).abs() < 1e-6 && q[2] < 0.5 && q[0] > 0.2);
    }
}
