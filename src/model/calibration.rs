//! Temperature scaling (Guo et al., 2017): one number `T` that softens or
//! sharpens every probability the head gives, `p_i^(1/T)` renormalised
//! (the same as dividing the logits by `T`). It is fitted on
//! cross-validated outputs, where the head has not seen the question, so
//! the probabilities `classify` writes and review sorts by mean what they
//! say; the label a question gets never changes.

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
    // Logs floored so that a probability that underflowed to 0 stays finite.
    let logs = p.as_array().map(|x| f64::from(x).max(1e-30).ln() / t);
    let max = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e = logs.map(|l| (l - max).exp());
    let sum: f64 = e.iter().sum();
    Probs::from_array(e.map(|x| (x / sum) as f32))
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
    fn temperature_one_changes_nothing() {
        let p = Probs::from_array([0.2, 0.3, 0.5]);
        assert_eq!(scale(&p, 1.0), p);
        let q = scale(&p, 2.0).as_array();
        assert!((q.iter().sum::<f32>() - 1.0).abs() < 1e-6 && q[2] < 0.5 && q[0] > 0.2);
    }
}
