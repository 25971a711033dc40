//! Which calls a report counts: the wanted companies, one copy of each
//! call, placed in a quarter under the chosen grouping.

use std::collections::{BTreeMap, BTreeSet};

use super::{dedup, CallQuestions, Distinct, Duplicate, Labeled, Reviewed};
use crate::period::canonical_ticker;
use crate::quarter::{FiscalPeriod, Quarter};

/// Which quarter a call is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupBy {
    /// The calendar quarter holding the end of the reported period.
    #[default]
    ResultsQuarter,
    /// The calendar quarter in which the call was held.
    CallQuarter,
    /// The company's own fiscal quarter (not comparable across companies
    /// whose fiscal years differ).
    Fiscal,
}

impl GroupBy {
    /// As `--by` takes it.
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::ResultsQuarter => "results-quarter",
            GroupBy::CallQuarter => "call-quarter",
            GroupBy::Fiscal => "fiscal",
        }
    }

    /// How a quarter is written under this grouping.
    pub fn label(self, q: Quarter) -> String {
        match self {
            GroupBy::Fiscal => format!("FY{q}"),
            _ => q.to_string(),
        }
    }

    fn quarter_of<Q>(self, call: &CallQuestions<Q>) -> Option<Quarter> {
        match self {
            GroupBy::ResultsQuarter => call.id.calendar_quarter,
            GroupBy::CallQuarter => call.id.call_date.map(Quarter::of_date),
            GroupBy::Fiscal => call.id.fiscal_period.map(FiscalPeriod::as_quarter),
        }
    }
}

/// Which calls to count.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Canonical tickers; empty means every company.
    pub companies: Vec<String>,
    pub from: Option<Quarter>,
    pub to: Option<Quarter>,
}

impl Filter {
    fn wants_company(&self, ticker: &str) -> bool {
        self.companies.is_empty() || self.companies.iter().any(|c| c == ticker)
    }

    fn wants_quarter(&self, q: Quarter) -> bool {
        self.from.is_none_or(|f| q >= f) && self.to.is_none_or(|t| q <= t)
    }
}

/// A counted call: its canonical ticker and quarter, and the call.
#[derive(Debug, Clone, PartialEq)]
pub struct Counted<Q = Labeled> {
    pub ticker: String,
    pub quarter: Quarter,
    pub call: CallQuestions<Q>,
}

/// The calls a report counts, and what was left out on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection<Q = Labeled> {
    pub by: GroupBy,
    pub filter: Filter,
    /// The calls counted, by quarter, ticker and source.
    pub calls: Vec<Counted<Q>>,
    /// Copies not counted, for calls that are counted.
    pub duplicates: Vec<Duplicate>,
    /// Different calls under one company and period, all counted.
    pub distinct: Vec<Distinct>,
    /// Sources of wanted companies' calls with no quarter under `by`.
    pub unplaced: Vec<String>,
    /// Per ticker, the company's name, from its calls in any quarter.
    pub names: BTreeMap<String, String>,
}

impl<Q: Reviewed> Selection<Q> {
    /// The wanted companies' calls, one copy each, in the wanted quarters.
    /// Copies are merged before quarters are chosen, so that a copy whose
    /// label puts it in another quarter still counts as a copy.
    pub fn new(calls: Vec<CallQuestions<Q>>, by: GroupBy, filter: Filter) -> Selection<Q> {
        let calls: Vec<CallQuestions<Q>> = calls
            .into_iter()
            .filter(|c| filter.wants_company(&canonical_ticker(&c.id.ticker)))
            .collect();
        let (kept, duplicates, distinct) = dedup(calls);
        let names = company_names(&kept);
        let mut counted = Vec::new();
        let mut unplaced = Vec::new();
        for call in kept {
            match by.quarter_of(&call) {
                Some(q) if filter.wants_quarter(q) => counted.push(Counted {
                    ticker: canonical_ticker(&call.id.ticker),
                    quarter: q,
                    call,
                }),
                Some(_) => {}
                None => unplaced.push(call.source),
            }
        }
        counted.sort_by(|a, b| (a.quarter, &a.ticker, &a.call.source).cmp(&(b.quarter, &b.ticker, &b.call.source)));
        let kept_sources: BTreeSet<&str> = counted.iter().map(|c| c.call.source.as_str()).collect();
        let duplicates = duplicates
            .into_iter()
            .filter(|d| kept_sources.contains(d.kept.as_str()))
            .collect();
        Selection {
            by,
            filter,
            calls: counted,
            duplicates,
            distinct,
            unplaced,
            names,
        }
    }

    /// Every counted question, call by call, in a fixed order.
    pub fn questions(&self) -> impl Iterator<Item = &Q> {
        self.calls.iter().flat_map(|c| &c.call.questions)
    }

    /// The same selection with each question turned into an `R`, visited
    /// in the order of `questions()`.
    pub fn map<R>(self, mut f: impl FnMut(Q) -> R) -> Selection<R> {
        let calls = self
            .calls
            .into_iter()
            .map(|c| Counted {
                ticker: c.ticker,
                quarter: c.quarter,
                call: c.call.map(&mut f),
            })
            .collect();
        Selection {
            by: self.by,
            filter: self.filter,
            calls,
            duplicates: self.duplicates,
            distinct: self.distinct,
            unplaced: self.unplaced,
            names: self.names,
        }
    }
}

/// Per ticker, the company name most of its calls give (ties: the first
/// alphabetically), since sources spell names differently.
fn company_names<Q>(calls: &[CallQuestions<Q>]) -> BTreeMap<String, String> {
    let mut votes: BTreeMap<String, BTreeMap<&str, usize>> = BTreeMap::new();
    for c in calls {
        *votes
            .entry(canonical_ticker(&c.id.ticker))
            .or_default()
            .entry(c.id.company.trim())
            .or_default() += 1;
    }
    votes
        .into_iter()
        .filter_map(|(t, names)| {
            let best = names
                .iter()
                .filter(|(n, _)| !n.is_empty())
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
            Some((t, (*best.0).to_owned()))
        })
        .collect()
}
