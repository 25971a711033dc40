//! Counting a selection: per quarter a row for each company and a total,
//! every share estimated (`estimate`) with its 95% interval.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{CallQuestions, Counted, Distinct, Duplicate, Filter, GroupBy, Labeled, Selection};
use crate::estimate::{Estimate, Estimator, Item, Method};
use crate::labels::Label;
use crate::model::calibration::ClassTotals;
use crate::period::canonical_ticker;
use crate::quarter::Quarter;
use crate::question::normalize;

/// A share with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Share {
    /// Questions with this label: the human's, else the model's most probable.
    pub count: usize,
    /// `None` when there are no questions to share among.
    pub share: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// Counts for one company (or all) in one quarter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    pub calls: usize,
    /// Distinct analyst names (normalised), across companies in a total.
    pub analysts: usize,
    pub questions: usize,
    /// Questions whose label is a human decision.
    pub human: usize,
    /// Per label, in `Label::ALL` order.
    pub counts: [usize; 3],
    /// The shares under the summary's estimate; none without questions.
    pub estimate: Option<Estimate>,
}

/// The bootstrap's seed: the same input gives the same intervals.
const SEED: u64 = 0;

impl Cell {
    fn of<'a>(calls: impl IntoIterator<Item = &'a CallQuestions>, estimator: &Estimator) -> Cell {
        let mut cell = Cell::default();
        let mut analysts = BTreeSet::new();
        let mut items = Vec::new();
        for c in calls {
            cell.calls += 1;
            for l in &c.questions {
                cell.questions += 1;
                cell.human += usize::from(l.human);
                cell.counts[l.label.index()] += 1;
                items.push(match (l.human, l.probs) {
                    (false, Some(p)) => Item::Model(p),
                    _ => Item::Known(l.label),
                });
                let name = normalize(&l.question.analyst);
                if !name.is_empty() {
                    analysts.insert(name);
                }
            }
        }
        cell.analysts = analysts.len();
        cell.estimate = estimator.estimate(&items, SEED);
        cell
    }

    pub fn share(&self, label: Label) -> Share {
        let k = label.index();
        let e = self.estimate.as_ref();
        Share {
            count: self.counts[k],
            share: e.map(|e| e.shares[k]),
            low: e.map(|e| e.low[k]),
            high: e.map(|e| e.high[k]),
        }
    }

    /// Each label's estimated number of questions (its share of them):
    /// the counts themselves under `count`.
    pub fn estimated_counts(&self) -> [f64; 3] {
        match &self.estimate {
            Some(e) => e.shares.map(|s| s * self.questions as f64),
            None => [0.0; 3],
        }
    }
}

/// The ticker and company name of total rows.
pub const TOTAL_TICKER: &str = "ALL";
pub const TOTAL_COMPANY: &str = "All companies";

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub ticker: String,
    pub company: String,
    pub quarter: Quarter,
    pub total: bool,
    pub cell: Cell,
}

/// The report's numbers, and what it did to get them.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub by: GroupBy,
    /// How the shares were estimated.
    pub estimate: Method,
    /// The head's class-total correction, where the estimate applied it.
    pub class_totals: Option<ClassTotals>,
    pub filter: Filter,
    /// Per quarter: one row per company (by ticker), then the total row.
    pub rows: Vec<Row>,
    /// The calls counted, by quarter and ticker.
    pub calls: Vec<Counted>,
    /// Copies not counted, for calls in the report.
    pub duplicates: Vec<Duplicate>,
    /// Different calls under one company and period, all counted.
    pub distinct: Vec<Distinct>,
    /// Sources of wanted companies' calls with no quarter under `by`.
    pub unplaced: Vec<String>,
}

impl Summary {
    /// What the estimate is, with the correction it applied.
    pub fn estimate_method(&self) -> String {
        let method = self.estimate.description();
        match self.class_totals {
            Some(t) => format!("{method}, with the head's class-total correction ({t})"),
            None => method.to_owned(),
        }
    }

    pub fn new(selection: Selection<Labeled>, estimator: &Estimator) -> Summary {
        let Selection {
            by,
            filter,
            calls,
            duplicates,
            distinct,
            unplaced,
            names,
        } = selection;
        let rows = rows(&calls, &filter, &names, estimator);
        Summary {
            by,
            estimate: estimator.method(),
            class_totals: estimator.class_totals(),
            filter,
            rows,
            calls,
            duplicates,
            distinct,
            unplaced,
        }
    }

    /// (human-reviewed, model-predicted) labels among the counted questions.
    pub fn label_sources(&self) -> (usize, usize) {
        let n: usize = self.calls.iter().map(|c| c.call.questions.len()).sum();
        let human: usize = self
            .calls
            .iter()
            .flat_map(|c| &c.call.questions)
            .filter(|l| l.human)
            .count();
        (human, n - human)
    }

    /// The quarter as written under this summary's grouping.
    pub fn quarter_label(&self, q: Quarter) -> String {
        self.by.label(q)
    }

    /// The questions behind one cell: a ticker (or `ALL`), a quarter and
    /// optionally a label.
    pub fn questions_in(&self, ticker: &str, quarter: Quarter, label: Option<Label>) -> Vec<(&Counted, &Labeled)> {
        let ticker = canonical_ticker(ticker);
        self.calls
            .iter()
            .filter(|c| c.quarter == quarter && (ticker == TOTAL_TICKER || c.ticker == ticker))
            .flat_map(|c| c.call.questions.iter().map(move |l| (c, l)))
            .filter(|(_, l)| label.is_none_or(|want| l.label == want))
            .collect()
    }
}

/// Rows per quarter and company, then a total per quarter. With a list of
/// companies, every listed company gets a row in every quarter (zeros show
/// a missing call); without one, only cells holding calls appear.
fn rows(counted: &[Counted], filter: &Filter, names: &BTreeMap<String, String>, estimator: &Estimator) -> Vec<Row> {
    let mut quarters: BTreeSet<Quarter> = counted.iter().map(|c| c.quarter).collect();
    if !filter.companies.is_empty() {
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            quarters.extend(from.through(to));
        }
    }
    let mut rows = Vec::new();
    for q in quarters {
        let in_quarter: Vec<&Counted> = counted.iter().filter(|c| c.quarter == q).collect();
        let tickers: BTreeSet<&str> = if filter.companies.is_empty() {
            in_quarter.iter().map(|c| c.ticker.as_str()).collect()
        } else {
            filter.companies.iter().map(String::as_str).collect()
        };
        for t in tickers {
            rows.push(Row {
                ticker: t.to_owned(),
                company: names.get(t).cloned().unwrap_or_else(|| t.to_owned()),
                quarter: q,
                total: false,
                cell: Cell::of(in_quarter.iter().filter(|c| c.ticker == t).map(|c| &c.call), estimator),
            });
        }
        rows.push(Row {
            ticker: TOTAL_TICKER.to_owned(),
            company: TOTAL_COMPANY.to_owned(),
            quarter: q,
            total: true,
            cell: Cell::of(in_quarter.iter().map(|c| &c.call), estimator),
        });
    }
    rows
}
