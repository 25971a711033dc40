//! How well each `estimate::Method` recovers the labelled shares of
//! companies the head never trained on: `eval --shares`. Every question's
//! probabilities come from a head trained without its company (folds
//! grouped by company); the temperature, the class totals and the
//! confusion rates the estimates use are fitted on the other companies'
//! outputs only, as they would be for a new company; then each calendar
//! quarter of the chosen companies with enough labelled questions is
//! estimated by each method and compared with its labels.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::calibration::{self, Calibration, ClassTotals};
use super::head::TrainOptions;
use super::train::Dataset;
use super::ModelError;
use crate::estimate::{Estimate, Estimator, HeadRates, Item, Method};
use crate::labels::{Label, Probs};
use crate::period::canonical_ticker;
use crate::quarter::Quarter;

/// Points within which an estimated share counts as close.
pub const CLOSE: f64 = 0.05;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharesEval {
    pub method: String,
    /// Calibration of the chosen companies' out-of-company probabilities,
    /// at the temperature fitted on the other companies.
    pub calibration: Calibration,
    /// The class-total correction `pcc` used, fitted on the other
    /// companies' calibrated outputs.
    #[serde(default)]
    pub totals: ClassTotals,
    pub cells: Vec<CellEval>,
    pub summary: Vec<MethodSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellEval {
    pub quarter: Quarter,
    pub questions: usize,
    /// The labelled share of each label, in `Label::ALL` order.
    pub labelled: [f64; 3],
    pub estimates: Vec<(Method, Estimate)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodSummary {
    pub method: Method,
    pub mean_abs_error: f64,
    pub max_abs_error: f64,
    /// (label, cell) pairs within `CLOSE` of the labelled share, of all.
    pub close: usize,
    /// (label, cell) pairs whose 95% interval holds the labelled share.
    pub covered: usize,
    pub pairs: usize,
}

impl Dataset {
    /// `k`-fold cross-validation with each company's questions in one fold:
    /// every question's probabilities from a head that never saw its company.
    pub fn out_of_company(&self, k: usize, opts: &TrainOptions) -> Result<Vec<Probs>, ModelError> {
        let groups: Vec<String> = self
            .questions
            .iter()
            .map(|q| canonical_ticker(&q.call.ticker))
            .collect();
        self.out_of_fold(&groups, k, opts)
    }

    /// Estimates each calendar quarter of `tickers` with at least
    /// `min_questions` labelled questions by every method; with every
    /// question's raw out-of-company probabilities, for error analysis.
    pub fn evaluate_shares(
        &self,
        k: usize,
        tickers: &[String],
        min_questions: usize,
        opts: &TrainOptions,
    ) -> Result<(SharesEval, Vec<Probs>), ModelError> {
        let raw = self.out_of_company(k, opts)?;
        let wanted: Vec<String> = tickers.iter().map(|t| canonical_ticker(t)).collect();
        let chosen = |i: usize| wanted.contains(&canonical_ticker(&self.questions[i].call.ticker));
        let (rest, evaluated): (Vec<usize>, Vec<usize>) = (0..self.len()).partition(|&i| !chosen(i));
        let pick = |idx: &[usize], v: &[Probs]| -> (Vec<Probs>, Vec<Label>) {
            idx.iter().map(|&i| (v[i], self.labels[i])).unzip()
        };
        let (rest_probs, rest_labels) = pick(&rest, &raw);
        let t = Calibration::fit(&rest_probs, &rest_labels, String::new()).temperature;
        let calibrated: Vec<Probs> = raw.iter().map(|p| calibration::scale(p, t)).collect();
        let (rest_cal, _) = pick(&rest, &calibrated);
        let rates = HeadRates::of(&rest_cal, &rest_labels);
        let (eval_raw, eval_labels) = pick(&evaluated, &raw);
        let calibration = Calibration {
            temperature: t,
            method: format!(
                "temperature fitted on the out-of-company outputs of the {} questions of other companies; fit on the {} questions of {}",
                rest.len(),
                evaluated.len(),
                wanted.join(",")
            ),
            before: calibration::Fit::of(&eval_raw, &eval_labels, 1.0),
            after: calibration::Fit::of(&eval_raw, &eval_labels, t),
        };

        let mut by_quarter: BTreeMap<Quarter, Vec<usize>> = BTreeMap::new();
        for &i in &evaluated {
            if let Some(q) = self.questions[i].call.calendar_quarter {
                by_quarter.entry(q).or_default().push(i);
            }
        }
        let cells: Vec<CellEval> = by_quarter
            .into_iter()
            .filter(|(_, idx)| idx.len() >= min_questions)
            .map(|(quarter, idx)| {
                let mut labelled = [0.0; 3];
                idx.iter()
                    .for_each(|&i| labelled[self.labels[i].index()] += 1.0 / idx.len() as f64);
                let items: Vec<Item> = idx.iter().map(|&i| Item::Model(calibrated[i])).collect();
                let estimates = Method::ALL
                    .into_iter()
                    .filter_map(|m| {
                        Estimator::new(m, Some(rates.clone()))
                            .ok()?
                            .estimate(&items, 0)
                            .map(|e| (m, e))
                    })
                    .collect();
                CellEval {
                    quarter,
                    questions: idx.len(),
                    labelled,
                    estimates,
                }
            })
            .collect();
        let summary = Method::ALL.into_iter().map(|m| summarise(m, &cells)).collect();
        let shares = SharesEval {
            method: format!(
                "{k}-fold cross-validation grouped by company; calendar quarters of {} with at least {min_questions} labelled questions",
                wanted.join(",")
            ),
            calibration,
            totals: rates.totals,
            cells,
            summary,
        };
        Ok((shares, raw))
    }
}

fn summarise(method: Method, cells: &[CellEval]) -> MethodSummary {
    let mut s = MethodSummary {
        method,
        mean_abs_error: 0.0,
        max_abs_error: 0.0,
        close: 0,
        covered: 0,
        pairs: 0,
    };
    for c in cells {
        let Some((_, e)) = c.estimates.iter().find(|(m, _)| *m == method) else {
            continue;
        };
        for k in 0..3 {
            let err = (e.shares[k] - c.labelled[k]).abs();
            s.pairs += 1;
            s.mean_abs_error += err;
            s.max_abs_error = s.max_abs_error.max(err);
            s.close += usize::from(err <= CLOSE + 1e-9);
            s.covered += usize::from(e.low[k] <= c.labelled[k] + 1e-9 && c.labelled[k] <= e.high[k] + 1e-9);
        }
    }
    s.mean_abs_error /= s.pairs.max(1) as f64;
    s
}

impl SharesEval {
    pub fn markdown(&self) -> String {
        use std::fmt::Write as _;
        let mut s = format!("{}\n\n", self.method);
        let c = &self.calibration;
        let _ = writeln!(
            s,
            "Calibration: {}; temperature {:.3}; ECE {:.4} -> {:.4}, Brier {:.4} -> {:.4}.\n",
            c.method, c.temperature, c.before.ece, c.after.ece, c.before.brier, c.after.brier
        );
        let _ = writeln!(s, "Class totals (pcc), fitted on the same outputs: {}.\n", self.totals);
        let _ = writeln!(
            s,
            "| quarter | questions | labelled P/I/O | method | estimate P/I/O (95% interval) |"
        );
        let _ = writeln!(s, "|---|---:|---|---|---|");
        let pct = |x: f64| format!("{:.0}", 100.0 * x);
        for cell in &self.cells {
            for (m, e) in &cell.estimates {
                let shares: Vec<String> = (0..3)
                    .map(|k| format!("{} [{}-{}]", pct(e.shares[k]), pct(e.low[k]), pct(e.high[k])))
                    .collect();
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {m} | {} |",
                    cell.quarter,
                    cell.questions,
                    cell.labelled.map(pct).join("/"),
                    shares.join(" / ")
                );
            }
        }
        let _ = writeln!(
            s,
            "\n| method | mean error (points) | max error | within {:.0} points | interval holds the labelled share |",
            100.0 * CLOSE
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|");
        for m in &self.summary {
            let _ = writeln!(
                s,
                "| {} | {:.1} | {:.1} | {} of {} | {} of {} |",
                m.method,
                100.0 * m.mean_abs_error,
                100.0 * m.max_abs_error,
                m.close,
                m.pairs,
                m.covered,
                m.pairs
            );
        }
        s
    }
}
