//! A group's share of each label (one company's quarter, or all of them)
//! estimated from the questions in it. Questions a person labeled count
//! as known under every method; the rest are estimated:
//!
//! - `count`: classify and count, each question's most probable label.
//! - `pcc`: probabilistic classify and count, the mean of the calibrated
//!   probabilities (a question at 60/40 counts 0.6 and 0.4), each first
//!   corrected by the head's `ClassTotals` where its card has them.
//! - `acc`: adjusted classify and count, the counts corrected with the
//!   head's cross-validated confusion matrix (solve `M^T s = c`).
//! - `em`: the probabilities re-weighted to the group's own label shares,
//!   found by expectation-maximisation (Saerens, Latinne and
//!   Decaestecker, 2002), starting from the head's mean probability.

use std::fmt;
use std::str::FromStr;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::labels::{Label, Probs};
use crate::model::calibration::ClassTotals;

const K: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Count,
    Pcc,
    Acc,
    Em,
}

impl Method {
    pub const ALL: [Method; 4] = [Method::Count, Method::Pcc, Method::Acc, Method::Em];

    /// What the method does, for a report's notes.
    pub fn description(self) -> &'static str {
        match self {
            Method::Count => "classify and count (each question's most probable label)",
            Method::Pcc => "probabilistic classify and count (mean calibrated probability)",
            Method::Acc => "adjusted classify and count (corrected by the head's confusion)",
            Method::Em => "EM prior re-estimation (Saerens, Latinne and Decaestecker, 2002)",
        }
    }

    /// Whether it needs the head's cross-validated `HeadRates`.
    pub fn needs_rates(self) -> bool {
        matches!(self, Method::Acc | Method::Em)
    }

    pub fn name(self) -> &'static str {
        match self {
            Method::Count => "count",
            Method::Pcc => "pcc",
            Method::Acc => "acc",
            Method::Em => "em",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Method, String> {
        Method::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown estimate {s:?} (count, pcc, acc or em)"))
    }
}

/// What the adjusting methods need to know of the head, from
/// cross-validated outputs on its training questions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HeadRates {
    /// `confusion[true][predicted]`: the share of each true label's
    /// questions given each label.
    pub confusion: [[f64; K]; K],
    /// The mean probability the head gives each label.
    pub mean_probs: [f64; K],
    /// What makes the probabilities' mean keep the class totals.
    #[serde(default)]
    pub totals: ClassTotals,
}

impl HeadRates {
    pub fn of(probs: &[Probs], truth: &[Label]) -> HeadRates {
        let mut confusion = [[0.0; K]; K];
        let mut mean_probs = [0.0; K];
        for (p, t) in probs.iter().zip(truth) {
            confusion[t.index()][p.argmax().index()] += 1.0;
            for (m, x) in mean_probs.iter_mut().zip(p.as_array()) {
                *m += f64::from(x) / probs.len() as f64;
            }
        }
        for row in &mut confusion {
            let n: f64 = row.iter().sum();
            row.iter_mut().for_each(|x| *x /= n.max(1.0));
        }
        HeadRates {
            confusion,
            mean_probs,
            totals: ClassTotals::fit(probs, truth),
        }
    }
}

/// A method with what it needs of the head.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimator {
    method: Method,
    rates: Option<HeadRates>,
}

#[derive(Debug, thiserror::Error)]
#[error("the {0} estimate needs the head's cross-validated rates, which its model card lacks (train it with --folds)")]
pub struct NeedsRates(pub Method);

impl Estimator {
    pub fn new(method: Method, rates: Option<HeadRates>) -> Result<Estimator, NeedsRates> {
        if method.needs_rates() && rates.is_none() {
            return Err(NeedsRates(method));
        }
        Ok(Estimator { method, rates })
    }

    pub fn method(&self) -> Method {
        self.method
    }

    /// The head's class-total correction where this estimate applies one
    /// (pcc, under a card that has it): the same `--estimate pcc` sums
    /// differently under a head without it, so a report says which.
    pub fn class_totals(&self) -> Option<ClassTotals> {
        let totals = self.rates.as_ref()?.totals;
        (self.method == Method::Pcc && !totals.is_identity()).then_some(totals)
    }

    /// See `estimate`.
    pub fn estimate(&self, items: &[Item], seed: u64) -> Option<Estimate> {
        estimate(self.method, items, self.rates.as_ref(), seed)
    }
}

/// One question of a group: its human label, or the model's probabilities.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item {
    Known(Label),
    Model(Probs),
}

/// Each label's estimated share of the group, with a 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Estimate {
    pub shares: [f64; K],
    pub low: [f64; K],
    pub high: [f64; K],
}

/// Bootstrap draws behind an interval.
const DRAWS: usize = 1000;

/// The point estimate, and an interval from a bootstrap that redraws the
/// group's questions with replacement and, for each question the model
/// labeled, its label from its calibrated probabilities (corrected by the
/// head's `ClassTotals`; re-weighted to the group's shares for `em`
/// instead): sampling and the classifier's
/// uncertainty both widen it. The interval always holds the point. The
/// seed fixes the draws, so a report is reproducible. `rates` must be
/// given for the methods that need them (`Estimator` checks).
fn estimate(method: Method, items: &[Item], rates: Option<&HeadRates>, seed: u64) -> Option<Estimate> {
    if items.is_empty() {
        return None;
    }
    let shares = point(method, items, rates);
    let posteriors = posteriors(method, items, rates, &shares);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut draws: Vec<[f64; K]> = Vec::with_capacity(DRAWS);
    for _ in 0..DRAWS {
        let mut counts = [0.0; K];
        for _ in 0..items.len() {
            let p = &posteriors[rng.random_range(0..items.len())];
            let u: f64 = rng.random();
            let mut acc = 0.0;
            let label = (0..K).find(|&k| {
                acc += p[k];
                u < acc
            });
            counts[label.unwrap_or(K - 1)] += 1.0;
        }
        draws.push(counts.map(|c| c / items.len() as f64));
    }
    let mut low = [0.0; K];
    let mut high = [0.0; K];
    for k in 0..K {
        let mut v: Vec<f64> = draws.iter().map(|d| d[k]).collect();
        v.sort_by(f64::total_cmp);
        low[k] = v[(0.025 * DRAWS as f64) as usize].min(shares[k]);
        high[k] = v[(0.975 * DRAWS as f64) as usize - 1].max(shares[k]);
    }
    Some(Estimate { shares, low, high })
}

/// Each question's label distribution under `method`: one-hot for a known
/// label; for the model's, its probabilities, re-weighted to the group's
/// shares under `em`.
fn posteriors(method: Method, items: &[Item], rates: Option<&HeadRates>, shares: &[f64; K]) -> Vec<[f64; K]> {
    let model_share = em_prior(items, shares);
    items
        .iter()
        .map(|item| match (item, method) {
            (Item::Known(l), _) => one_hot(*l),
            (Item::Model(p), Method::Em) => reweight(p, &model_share, &needed(rates).mean_probs),
            (Item::Model(p), _) => totals(p, rates),
        })
        .collect()
}

/// `p` corrected to keep the class totals, where the head has them.
fn totals(p: &Probs, rates: Option<&HeadRates>) -> [f64; K] {
    rates.map_or_else(|| p.as_array().map(f64::from), |r| r.totals.apply(p))
}

fn needed(rates: Option<&HeadRates>) -> &HeadRates {
    rates.expect("Estimator::new checks that acc and em have rates")
}

fn one_hot(l: Label) -> [f64; K] {
    let mut v = [0.0; K];
    v[l.index()] = 1.0;
    v
}

/// `p` moved from the prior `from` to the prior `to`, renormalised.
fn reweight(p: &Probs, to: &[f64; K], from: &[f64; K]) -> [f64; K] {
    let p = p.as_array();
    let w: [f64; K] = std::array::from_fn(|k| f64::from(p[k]) * to[k] / from[k].max(1e-9));
    let sum: f64 = w.iter().sum();
    w.map(|x| x / sum.max(1e-300))
}

/// The share among the model's questions alone, given the group's shares.
fn em_prior(items: &[Item], shares: &[f64; K]) -> [f64; K] {
    let n = items.len() as f64;
    let mut known = [0.0; K];
    for item in items {
        if let Item::Known(l) = item {
            known[l.index()] += 1.0;
        }
    }
    let m = n - known.iter().sum::<f64>();
    std::array::from_fn(|k| ((shares[k] * n - known[k]) / m.max(1.0)).clamp(1e-6, 1.0))
}

fn point(method: Method, items: &[Item], rates: Option<&HeadRates>) -> [f64; K] {
    let n = items.len() as f64;
    let mut known = [0.0; K];
    let model: Vec<&Probs> = items
        .iter()
        .filter_map(|i| match i {
            Item::Known(l) => {
                known[l.index()] += 1.0;
                None
            }
            Item::Model(p) => Some(p),
        })
        .collect();
    let m = model.len() as f64;
    let model_shares: [f64; K] = if model.is_empty() {
        [0.0; K]
    } else {
        match method {
            Method::Count => mean(model.iter().map(|p| one_hot(p.argmax()))),
            Method::Pcc => mean(model.iter().map(|p| totals(p, rates))),
            Method::Acc => adjust(
                &mean(model.iter().map(|p| one_hot(p.argmax()))),
                &needed(rates).confusion,
            ),
            Method::Em => {
                let rates = needed(rates);
                let mut prior = rates.mean_probs;
                for _ in 0..100 {
                    let next = mean(model.iter().map(|p| reweight(p, &prior, &rates.mean_probs)));
                    let done = (0..K).all(|k| (next[k] - prior[k]).abs() < 1e-6);
                    prior = next;
                    if done {
                        break;
                    }
                }
                prior
            }
        }
    };
    std::array::from_fn(|k| (known[k] + model_shares[k] * m) / n)
}

fn mean(rows: impl Iterator<Item = [f64; K]>) -> [f64; K] {
    let mut sum = [0.0; K];
    let mut n = 0.0;
    for r in rows {
        (0..K).for_each(|k| sum[k] += r[k]);
        n += 1.0;
    }
    sum.map(|s| s / f64::max(n, 1.0))
}

/// Solves `M^T s = c` for the true shares `s` behind the predicted shares
/// `c` (Cramer's rule), then clips to [0, 1] and renormalises; the counts
/// as they are when `M` is singular.
fn adjust(c: &[f64; K], m: &[[f64; K]; K]) -> [f64; K] {
    let a: [[f64; K]; K] = std::array::from_fn(|i| std::array::from_fn(|j| m[j][i]));
    let det = |a: &[[f64; K]; K]| {
        a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
    };
    let d = det(&a);
    if d.abs() < 1e-9 {
        return *c;
    }
    let s: [f64; K] = std::array::from_fn(|k| {
        let mut ak = a;
        (0..K).for_each(|i| ak[i][k] = c[i]);
        (det(&ak) / d).max(0.0)
    });
    let sum: f64 = s.iter().sum();
    if sum == 0.0 {
        *c
    } else {
        s.map(|x| x / sum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates() -> HeadRates {
        HeadRates {
            confusion: [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]],
            mean_probs: [1.0 / 3.0; 3],
            totals: ClassTotals::default(),
        }
    }

    fn estimate(m: Method, items: &[Item], seed: u64) -> Option<Estimate> {
        Estimator::new(m, Some(rates())).unwrap().estimate(items, seed)
    }

    #[test]
    fn known_labels_count_as_known_under_every_method() {
        let items = [Item::Known(Label::Profitability), Item::Known(Label::Other)];
        for m in Method::ALL {
            let e = estimate(m, &items, 1).unwrap();
            assert_eq!(e.shares, [0.5, 0.0, 0.5], "{m}");
            assert!(e.low[0] < 0.5 && e.high[0] > 0.5 && e.high[1] == 0.0, "{m} {e:?}");
        }
    }

    #[test]
    fn methods_differ_as_their_definitions_say() {
        let p = Probs::from_array([0.6, 0.1, 0.3]);
        let items: Vec<Item> = (0..10).map(|_| Item::Model(p)).collect();
        let share = |m| estimate(m, &items, 1).unwrap().shares;
        assert_eq!(share(Method::Count), [1.0, 0.0, 0.0]);
        assert!((share(Method::Pcc)[0] - 0.6).abs() < 1e-6);
        // Every question predicted profitability, which a true profitability
        // question gets 80% of the time and another 10%: 8/7 of it, clipped.
        let acc = share(Method::Acc);
        assert!((acc[0] - 1.0).abs() < 1e-9 && acc[1] == 0.0, "{acc:?}");
        // EM sharpens toward the group's majority.
        assert!(share(Method::Em)[0] > 0.6);
        assert_eq!(Method::from_str("EM"), Ok(Method::Em));
        // Counting and pcc need nothing of the head; the adjusting methods do.
        assert!(Estimator::new(Method::Pcc, None).is_ok());
        assert!(Estimator::new(Method::Acc, None).is_err());
        assert!(Method::from_str("mean").is_err());
    }

    #[test]
    fn the_interval_narrows_with_more_questions_and_is_reproducible() {
        let p = Probs::from_array([0.5, 0.2, 0.3]);
        let few: Vec<Item> = (0..10).map(|_| Item::Model(p)).collect();
        let many: Vec<Item> = (0..400).map(|_| Item::Model(p)).collect();
        let a = estimate(Method::Pcc, &few, 7).unwrap();
        let b = estimate(Method::Pcc, &many, 7).unwrap();
        assert!(b.high[0] - b.low[0] < (a.high[0] - a.low[0]) / 3.0, "{a:?} {b:?}");
        assert!(b.low[0] < 0.5 && b.high[0] > 0.5);
        assert_eq!(a, estimate(Method::Pcc, &few, 7).unwrap());
    }

    #[test]
    fn a_count_interval_carries_the_classifier_uncertainty() {
        // Every question's most probable label is profitability, at 60%:
        // the count says 100%, and the interval reaches well below it.
        let p = Probs::from_array([0.6, 0.1, 0.3]);
        let items: Vec<Item> = (0..50).map(|_| Item::Model(p)).collect();
        let e = estimate(Method::Count, &items, 3).unwrap();
        assert_eq!(e.shares[0], 1.0);
        assert!(e.low[0] < 0.75 && e.high[0] == 1.0 && e.high[2] > 0.3, "{e:?}");
    }
}
