//! Labeled questions to company x quarter counts: one copy of each call,
//! share classes merged, human labels over model labels, and a 95% Wilson
//! interval on every share (a call holds only 6 to 20 questions, so a
//! share alone says little about how far it could move).
//!
//! Two steps, so that the model only sees questions that will be counted:
//! `Selection::new` picks the calls (companies, quarters, one copy of
//! each) from questions that carry at most a human label (`Pending`);
//! `Summary::new` counts a selection whose every question has a label
//! (`Labeled`). Nothing here knows where model labels come from.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::labels::{Journal, Label, Probs};
use crate::period::canonical_ticker;
use crate::question::{normalize, text_hash, Question};

/// One line of `earnings-qa classify`: a question with the model's label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classified {
    #[serde(flatten)]
    pub question: Question,
    pub label: Label,
    pub probs: Probs,
}

/// A question with the label the report counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Labeled {
    pub question: Question,
    pub label: Label,
    /// True where the label is a human decision from `labels/`.
    pub human: bool,
    /// The model's probabilities, where the model was asked (here or by `classify`).
    pub probs: Option<Probs>,
}

/// A question before counting: the human label if one applies, and the
/// model's label and probabilities if `classify` already gave them.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub question: Question,
    pub human: Option<Label>,
    pub model: Option<(Label, Probs)>,
}

impl Pending {
    /// True when neither a human nor an earlier run has labeled it.
    pub fn needs_model(&self) -> bool {
        self.human.is_none() && self.model.is_none()
    }

    /// The human label if there is one, else the model's, asking `model`
    /// for its probabilities only when no earlier run gave them.
    pub fn label(self, model: impl FnOnce() -> Probs) -> Labeled {
        let (label, human, probs) = match (self.human, self.model) {
            (Some(label), m) => (label, true, m.map(|m| m.1)),
            (None, Some((label, probs))) => (label, false, Some(probs)),
            (None, None) => {
                let probs = model();
                (probs.argmax(), false, Some(probs))
            }
        };
        Labeled {
            question: self.question,
            label,
            human,
            probs,
        }
    }
}

/// What choosing among copies of a call needs to know of a question.
pub trait Reviewed {
    fn question(&self) -> &Question;
    fn human(&self) -> bool;
}

impl Reviewed for Labeled {
    fn question(&self) -> &Question {
        &self.question
    }
    fn human(&self) -> bool {
        self.human
    }
}

impl Reviewed for Pending {
    fn question(&self) -> &Question {
        &self.question
    }
    fn human(&self) -> bool {
        self.human.is_some()
    }
}

/// Looks up each question's human label: the journal's final decision for
/// its id, made on the same text (same text hash). `model` is a label
/// `classify` gave earlier, if any. Also returns the ids whose decision was
/// set aside because the text has changed since.
pub fn review(
    questions: impl IntoIterator<Item = (Question, Option<(Label, Probs)>)>,
    journal: &Journal,
) -> (Vec<Pending>, Vec<String>) {
    let mut stale = Vec::new();
    let pending = questions
        .into_iter()
        .map(|(question, model)| {
            let human = match journal.final_decision(&question.id) {
                Some(d) if d.text_hash == text_hash(&question.text) => Some(d.label),
                Some(_) => {
                    stale.push(question.id.clone());
                    None
                }
                None => None,
            };
            Pending { question, human, model }
        })
        .collect();
    (pending, stale)
}

/// A calendar or fiscal quarter, written `2025Q4` (fiscal: `FY2026Q2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    pub year: i32,
    pub quarter: u8,
}

impl Quarter {
    pub fn of_date(d: NaiveDate) -> Quarter {
        Quarter {
            year: d.year(),
            quarter: (d.month0() / 3 + 1) as u8,
        }
    }

    /// The quarters from `self` to `last`, both included.
    pub fn through(self, last: Quarter) -> impl Iterator<Item = Quarter> {
        std::iter::successors(Some(self), |q| {
            Some(if q.quarter == 4 {
                Quarter {
                    year: q.year + 1,
                    quarter: 1,
                }
            } else {
                Quarter {
                    quarter: q.quarter + 1,
                    ..*q
                }
            })
        })
        .take_while(move |q| *q <= last)
    }
}

impl FromStr for Quarter {
    type Err = String;
    /// `2025Q3`, `2025 Q3`, `FY2026 Q2` and `FY2026Q2` (case and spaces ignored).
    fn from_str(s: &str) -> Result<Quarter, String> {
        let bad = || format!("not a quarter: {s:?} (expected e.g. 2025Q3)");
        let t: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        let t = t.strip_prefix("FY").unwrap_or(&t);
        let (year, q) = t.split_once('Q').ok_or_else(bad)?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        let quarter: u8 = q.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&quarter) || !(1900..=2200).contains(&year) {
            return Err(bad());
        }
        Ok(Quarter { year, quarter })
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.quarter)
    }
}

/// Which quarter a call is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
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
            GroupBy::ResultsQuarter => call.calendar_quarter.as_deref()?.parse().ok(),
            GroupBy::CallQuarter => call.call_date.map(Quarter::of_date),
            GroupBy::Fiscal => call.fiscal_period.parse().ok(),
        }
    }
}

/// One call as one input file gave it, with its questions.
#[derive(Debug, Clone, PartialEq)]
pub struct CallQuestions<Q = Labeled> {
    /// As in the file; `canonical_ticker` merges share classes.
    pub ticker: String,
    pub company: String,
    pub fiscal_period: String,
    pub period_end: Option<NaiveDate>,
    pub calendar_quarter: Option<String>,
    pub call_date: Option<NaiveDate>,
    pub source: String,
    pub questions: Vec<Q>,
}

impl<Q: Reviewed> CallQuestions<Q> {
    /// Groups questions into calls by source file and call, in first-seen order.
    pub fn group(questions: Vec<Q>) -> Vec<CallQuestions<Q>> {
        let mut calls: Vec<CallQuestions<Q>> = Vec::new();
        let mut index: HashMap<(String, String, String), usize> = HashMap::new();
        for l in questions {
            let q = l.question();
            let key = (q.source.clone(), q.ticker.clone(), q.fiscal_period.clone());
            let i = *index.entry(key).or_insert_with(|| {
                calls.push(CallQuestions {
                    ticker: q.ticker.clone(),
                    company: q.company.clone(),
                    fiscal_period: q.fiscal_period.clone(),
                    period_end: q.period_end,
                    calendar_quarter: q.calendar_quarter.clone(),
                    call_date: q.call_date,
                    source: q.source.clone(),
                    questions: Vec::new(),
                });
                calls.len() - 1
            });
            calls[i].questions.push(l);
        }
        calls
    }

    /// Same fiscal period or same call date: candidates for copies.
    fn same_time(&self, other: &CallQuestions<Q>) -> bool {
        let fiscal = |c: &CallQuestions<Q>| c.fiscal_period.parse::<Quarter>().ok();
        (fiscal(self).is_some() && fiscal(self) == fiscal(other))
            || (self.call_date.is_some() && self.call_date == other.call_date)
    }

    /// What comparing two files' questions needs: their ids and word trigrams.
    fn fingerprint(&self) -> (HashSet<&str>, HashSet<u64>) {
        let ids = self
            .questions
            .iter()
            .map(|l| l.question().id.as_str())
            .filter(|id| !id.is_empty())
            .collect();
        let mut trigrams = HashSet::new();
        for l in &self.questions {
            let text = normalize(&l.question().text);
            let words: Vec<&str> = text.split(' ').collect();
            for w in words.windows(3) {
                let mut h = std::hash::DefaultHasher::new();
                w.hash(&mut h);
                trigrams.insert(h.finish());
            }
        }
        (ids, trigrams)
    }
}

/// Share of the smaller file's question word trigrams found in the other's
/// from which two files of one company and period are taken for the same
/// call. On ../shared/corpus, files of the same call from two vendors
/// share 37% to 100% (speech-to-text against an edited transcript at the
/// low end); different calls of one company share at most 32% (two calls
/// of 2 and 6 questions), mostly under 20%.
pub const SAME_CALL_TRIGRAMS: f64 = 0.35;

/// Whether two files hold demonstrably the same call: a question id in
/// common (the same company, period and question text), or most of the
/// smaller file's question wording (`SAME_CALL_TRIGRAMS`).
fn same_questions(a: &(HashSet<&str>, HashSet<u64>), b: &(HashSet<&str>, HashSet<u64>)) -> bool {
    if !a.0.is_disjoint(&b.0) {
        return true;
    }
    let smaller = a.1.len().min(b.1.len());
    smaller > 0 && a.1.intersection(&b.1).count() as f64 >= SAME_CALL_TRIGRAMS * smaller as f64
}

/// Copies of one call from several files: the one counted and the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duplicate {
    pub ticker: String,
    pub fiscal_period: String,
    pub kept: String,
    pub kept_questions: usize,
    pub skipped: Vec<SkippedCopy>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedCopy {
    pub source: String,
    pub questions: usize,
}

/// Files of one company and period whose questions differ: different
/// calls under one label (a wrong label, two events in one quarter), all
/// counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distinct {
    pub ticker: String,
    pub fiscal_period: String,
    pub sources: Vec<String>,
}

/// Keeps one copy of each call. Copies are files of one company (share
/// classes merged) with the same fiscal period or the same call date whose
/// questions show them to be the same call (`same_questions`); files of one
/// company and period that share no question are different calls, all
/// kept, and named in the `Distinct` list. The copy kept is the one with the most human-reviewed labels (vendors'
/// texts differ, so labels given on one copy do not reach another), then
/// the most questions (a copy may lack part of its Q&A), then the first by
/// path, so every run picks the same file. Dates and periods missing from
/// the kept copy are taken from the others.
pub fn dedup<Q: Reviewed>(calls: Vec<CallQuestions<Q>>) -> (Vec<CallQuestions<Q>>, Vec<Duplicate>, Vec<Distinct>) {
    let mut by_company: BTreeMap<String, Vec<CallQuestions<Q>>> = BTreeMap::new();
    for c in calls {
        by_company.entry(canonical_ticker(&c.ticker)).or_default().push(c);
    }
    let mut kept = Vec::new();
    let mut duplicates = Vec::new();
    let mut distinct = Vec::new();
    for (ticker, calls) in by_company {
        // Union-find over "same call", so copies linked through a third
        // (one shares the fiscal label, another the date) end up together.
        let mut parent: Vec<usize> = (0..calls.len()).collect();
        fn root(parent: &mut [usize], i: usize) -> usize {
            let mut r = i;
            while parent[r] != r {
                r = parent[r];
            }
            parent[i] = r;
            r
        }
        let prints: Vec<_> = calls.iter().map(CallQuestions::fingerprint).collect();
        // Pairs at the same time whose questions differ, by index.
        let mut apart = Vec::new();
        for i in 0..calls.len() {
            for j in i + 1..calls.len() {
                if !calls[i].same_time(&calls[j]) {
                    continue;
                }
                if same_questions(&prints[i], &prints[j]) {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    parent[a.max(b)] = a.min(b);
                } else {
                    apart.push((i, j));
                }
            }
        }
        // Different calls at one time, by period, as the roots of their copies.
        let mut apart_roots: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        for (i, j) in apart {
            let (a, b) = (root(&mut parent, i), root(&mut parent, j));
            if a != b {
                let period = if calls[i].fiscal_period.is_empty() {
                    &calls[j]
                } else {
                    &calls[i]
                };
                apart_roots
                    .entry(period.fiscal_period.clone())
                    .or_default()
                    .extend([a, b]);
            }
        }
        let mut kept_of_root = BTreeMap::new();
        let mut clusters: BTreeMap<usize, Vec<CallQuestions<Q>>> = BTreeMap::new();
        for (i, c) in calls.into_iter().enumerate() {
            let r = root(&mut parent, i);
            clusters.entry(r).or_default().push(c);
        }
        for (r, mut copies) in clusters {
            let human = |c: &CallQuestions<Q>| c.questions.iter().filter(|l| l.human()).count();
            copies.sort_by(|a, b| {
                (human(b), b.questions.len())
                    .cmp(&(human(a), a.questions.len()))
                    .then_with(|| a.source.cmp(&b.source))
            });
            let mut copies = copies.into_iter();
            let mut first = copies.next().expect("clusters are never empty");
            let skipped: Vec<SkippedCopy> = copies
                .map(|c| {
                    // What the kept copy lacks (a date, a fiscal label), another copy may say.
                    first.call_date = first.call_date.or(c.call_date);
                    first.period_end = first.period_end.or(c.period_end);
                    if first.calendar_quarter.is_none() {
                        first.calendar_quarter = c.calendar_quarter;
                    }
                    if first.fiscal_period.is_empty() {
                        first.fiscal_period = c.fiscal_period;
                    }
                    SkippedCopy {
                        source: c.source,
                        questions: c.questions.len(),
                    }
                })
                .collect();
            if !skipped.is_empty() {
                duplicates.push(Duplicate {
                    ticker: ticker.clone(),
                    fiscal_period: first.fiscal_period.clone(),
                    kept: first.source.clone(),
                    kept_questions: first.questions.len(),
                    skipped,
                });
            }
            kept_of_root.insert(r, first.source.clone());
            kept.push(first);
        }
        for (fiscal_period, roots) in apart_roots {
            distinct.push(Distinct {
                ticker: ticker.clone(),
                fiscal_period,
                sources: roots.iter().map(|r| kept_of_root[r].clone()).collect(),
            });
        }
    }
    (kept, duplicates, distinct)
}

/// A share with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Share {
    pub count: usize,
    /// `None` when there are no questions to share among.
    pub share: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// The 95% Wilson score interval for `k` successes in `n` trials; unlike
/// the normal approximation it stays inside [0, 1] and is sane at k = 0.
pub fn wilson(k: usize, n: usize) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    const Z: f64 = 1.959_963_984_540_054;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z * Z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(((center - half).max(0.0), (center + half).min(1.0)))
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
}

impl Cell {
    fn of<'a>(calls: impl IntoIterator<Item = &'a CallQuestions>) -> Cell {
        let mut cell = Cell::default();
        let mut analysts = BTreeSet::new();
        for c in calls {
            cell.calls += 1;
            for l in &c.questions {
                cell.questions += 1;
                cell.human += usize::from(l.human);
                cell.counts[l.label.index()] += 1;
                let name = normalize(&l.question.analyst);
                if !name.is_empty() {
                    analysts.insert(name);
                }
            }
        }
        cell.analysts = analysts.len();
        cell
    }

    pub fn share(&self, label: Label) -> Share {
        let count = self.counts[label.index()];
        let interval = wilson(count, self.questions);
        Share {
            count,
            share: (self.questions > 0).then(|| count as f64 / self.questions as f64),
            low: interval.map(|i| i.0),
            high: interval.map(|i| i.1),
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
            .filter(|c| filter.wants_company(&canonical_ticker(&c.ticker)))
            .collect();
        let (kept, duplicates, distinct) = dedup(calls);
        let names = company_names(&kept);
        let mut counted = Vec::new();
        let mut unplaced = Vec::new();
        for call in kept {
            match by.quarter_of(&call) {
                Some(q) if filter.wants_quarter(q) => counted.push(Counted {
                    ticker: canonical_ticker(&call.ticker),
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
            .map(|c| {
                let CallQuestions {
                    ticker,
                    company,
                    fiscal_period,
                    period_end,
                    calendar_quarter,
                    call_date,
                    source,
                    questions,
                } = c.call;
                let questions = questions.into_iter().map(&mut f).collect();
                let call = CallQuestions {
                    ticker,
                    company,
                    fiscal_period,
                    period_end,
                    calendar_quarter,
                    call_date,
                    source,
                    questions,
                };
                Counted {
                    ticker: c.ticker,
                    quarter: c.quarter,
                    call,
                }
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

/// The report's numbers, and what it did to get them.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub by: GroupBy,
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
    pub fn new(selection: Selection<Labeled>) -> Summary {
        let Selection {
            by,
            filter,
            calls,
            duplicates,
            distinct,
            unplaced,
            names,
        } = selection;
        let rows = rows(&calls, &filter, &names);
        Summary {
            by,
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
fn rows(counted: &[Counted], filter: &Filter, names: &BTreeMap<String, String>) -> Vec<Row> {
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
                cell: Cell::of(in_quarter.iter().filter(|c| c.ticker == t).map(|c| &c.call)),
            });
        }
        rows.push(Row {
            ticker: TOTAL_TICKER.to_owned(),
            company: TOTAL_COMPANY.to_owned(),
            quarter: q,
            total: true,
            cell: Cell::of(in_quarter.iter().map(|c| &c.call)),
        });
    }
    rows
}

/// Per ticker, the company name most of its calls give (ties: the first
/// alphabetically), since sources spell names differently.
fn company_names<Q>(calls: &[CallQuestions<Q>]) -> BTreeMap<String, String> {
    let mut votes: BTreeMap<String, BTreeMap<&str, usize>> = BTreeMap::new();
    for c in calls {
        *votes
            .entry(canonical_ticker(&c.ticker))
            .or_default()
            .entry(c.company.trim())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Wilson's interval for k of n, to the 4 decimals papers print.
    fn interval(k: usize, n: usize) -> (f64, f64) {
        let (lo, hi) = wilson(k, n).unwrap();
        ((lo * 1e4).round() / 1e4, (hi * 1e4).round() / 1e4)
    }

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998), Statistics in Medicine 17:857-872, table I,
        // method 3 (score interval without continuity correction).
        assert_eq!(interval(81, 263), (0.2553, 0.3662));
        assert_eq!(interval(15, 148), (0.0624, 0.1605));
        assert_eq!(interval(0, 20), (0.0, 0.1611));
        assert_eq!(interval(1, 29), (0.0061, 0.1718));
        // Symmetric around one half, and clamped at the ends.
        assert_eq!(interval(5, 10), (0.2366, 0.7634));
        assert_eq!(interval(10, 10), (0.7225, 1.0));
        assert_eq!(wilson(0, 0), None);
    }

    fn call(source: &str, fiscal: &str, date: Option<(i32, u32, u32)>, questions: usize) -> CallQuestions<Pending> {
        asking(
            source,
            fiscal,
            date,
            questions,
            "How should we think about cloud capacity next year?",
        )
    }

    fn asking(
        source: &str,
        fiscal: &str,
        date: Option<(i32, u32, u32)>,
        questions: usize,
        text: &str,
    ) -> CallQuestions<Pending> {
        let question = Question {
            company: "Alphabet".into(),
            ..crate::question::fixture("goog", fiscal, text, source)
        };
        CallQuestions {
            ticker: "GOOG".into(),
            company: "Alphabet".into(),
            fiscal_period: fiscal.into(),
            period_end: None,
            calendar_quarter: None,
            call_date: date.map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap()),
            source: source.into(),
            questions: vec![
                Pending {
                    question,
                    human: None,
                    model: Some((Label::Other, Probs::from_array([0.1, 0.1, 0.8])))
                };
                questions
            ],
        }
    }

    #[test]
    fn copies_merge_by_period_or_date_and_lend_what_the_kept_one_lacks() {
        let calls = vec![
            call("b.txt", "FY2025 Q4", None, 12),
            call("a.txt", "", Some((2026, 2, 4)), 3),
            call("c.txt", "FY2025 Q4", Some((2026, 2, 4)), 5),
            call("d.txt", "FY2025 Q3", Some((2025, 10, 29)), 9),
        ];
        let (kept, dups, distinct) = dedup(calls);
        let sources: Vec<&str> = kept.iter().map(|c| c.source.as_str()).collect();
        assert_eq!(sources, ["b.txt", "d.txt"]);
        assert!(distinct.is_empty());
        assert_eq!(kept[0].call_date, NaiveDate::from_ymd_opt(2026, 2, 4));
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].ticker, "GOOGL");
        let skipped: Vec<&str> = dups[0].skipped.iter().map(|s| s.source.as_str()).collect();
        assert_eq!(skipped, ["c.txt", "a.txt"]);
    }

    #[test]
    fn files_of_one_period_whose_questions_differ_are_different_calls() {
        let calls = vec![
            call("a.txt", "FY2025 Q4", None, 4),
            asking(
                "b.txt",
                "FY2025 Q4",
                None,
                6,
                "What drives margins in the consumer business?",
            ),
            // An edited transcript of a.txt's call: no id in common, most words.
            asking(
                "c.txt",
                "FY2025 Q4",
                None,
                5,
                "So how should we think about cloud capacity next year",
            ),
        ];
        let (kept, dups, distinct) = dedup(calls);
        let sources: Vec<&str> = kept.iter().map(|c| c.source.as_str()).collect();
        assert_eq!(sources, ["c.txt", "b.txt"]);
        assert_eq!(dups[0].skipped[0].source, "a.txt");
        assert_eq!(distinct.len(), 1);
        assert_eq!(
            (distinct[0].ticker.as_str(), distinct[0].fiscal_period.as_str()),
            ("GOOGL", "FY2025 Q4")
        );
        assert_eq!(distinct[0].sources, ["c.txt", "b.txt"]);
    }

    #[test]
    fn quarters_parse_in_every_spelling_and_step() {
        let q = Quarter { year: 2026, quarter: 2 };
        for s in ["2026Q2", "2026 q2", "FY2026 Q2", "fy2026q2"] {
            assert_eq!(s.parse::<Quarter>().unwrap(), q, "{s}");
        }
        assert!("2026Q5".parse::<Quarter>().is_err());
        assert!("Q2".parse::<Quarter>().is_err());
        let from: Quarter = "2025Q3".parse().unwrap();
        let seq: Vec<String> = from.through("2026Q1".parse().unwrap()).map(|q| q.to_string()).collect();
        assert_eq!(seq, ["2025Q3", "2025Q4", "2026Q1"]);
        assert_eq!(
            Quarter::of_date(NaiveDate::from_ymd_opt(2025, 12, 10).unwrap()).to_string(),
            "2025Q4"
        );
    }
}
