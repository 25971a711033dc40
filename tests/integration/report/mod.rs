//! `earnings-qa report` on small classify outputs whose answers are known
//! (each test writes JSON Lines into the run's temp dir), and on the real
//! corpus. The report's JSON is read into the library's `Share` and
//! `Duplicate` and, where the library writes borrowed views that serialise
//! only, into the types below, which spell out the shape
//! (`deny_unknown_fields`, every field required whether a test reads it or
//! not: hence `allow(dead_code)`).

mod corpus;
mod counts;
mod human;
mod output;

use chrono::NaiveDate;
use serde::Deserialize;

use earnings_qa::aggregate::{Classified, Duplicate, Share};
use earnings_qa::call::CallId;
use earnings_qa::labels::{Decision, Label, Probs};
use earnings_qa::question::{text_hash, Question};

use crate::test::Test;

pub const P: Label = Label::Profitability;
pub const I: Label = Label::Investment;
pub const O: Label = Label::Other;

/// `report --format json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct Report {
    pub by: String,
    pub estimate: String,
    pub estimate_method: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub labels: LabelSources,
    pub rows: Vec<Row>,
    pub calls: Vec<CallRow>,
    pub duplicates: Vec<Duplicate>,
    pub unplaced: Vec<String>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSources {
    pub human: usize,
    pub model: usize,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    pub ticker: String,
    pub company: String,
    pub quarter: String,
    pub total: bool,
    pub calls: usize,
    pub analysts: usize,
    pub questions: usize,
    pub human: usize,
    pub profitability: Share,
    pub investment: Share,
    pub other: Share,
}

impl Row {
    pub fn share(&self, label: Label) -> &Share {
        match label {
            Label::Profitability => &self.profitability,
            Label::Investment => &self.investment,
            Label::Other => &self.other,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct CallRow {
    pub ticker: String,
    pub quarter: String,
    pub fiscal_period: String,
    pub call_date: Option<NaiveDate>,
    pub source: String,
    pub questions: usize,
}

/// `report --questions CELL --format json`: one object a question.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct Listed {
    pub ticker: String,
    pub quarter: String,
    pub id: String,
    pub analyst: String,
    pub firm: String,
    pub label: String,
    pub by: String,
    pub source: String,
    pub text: String,
}

pub fn row<'a>(report: &'a Report, ticker: &str, quarter: &str) -> &'a Row {
    report
        .rows
        .iter()
        .find(|r| r.ticker == ticker && r.quarter == quarter)
        .unwrap_or_else(|| panic!("no row {ticker} {quarter} in {report:#?}"))
}

pub fn close(v: Option<f64>, x: f64) -> bool {
    (v.unwrap() - x).abs() < 1e-4
}

/// One call of a made-up company: `labels[i]` is question i's label;
/// analysts take turns from `analysts` names.
#[derive(Clone, Copy)]
pub struct Call<'a> {
    pub ticker: &'a str,
    pub fiscal: &'a str,
    pub quarter: &'a str,
    pub call_date: &'a str,
    pub source: &'a str,
    pub analysts: &'a [&'a str],
    pub labels: &'a [Label],
}

impl Call<'_> {
    fn id(&self, i: usize) -> String {
        format!("{}-{}-{i}", self.ticker, self.fiscal.replace(' ', ""))
    }

    fn classified(&self) -> Vec<Classified> {
        self.labels
            .iter()
            .enumerate()
            .map(|(i, &label)| {
                let mut p = [0.1; 3];
                p[label.index()] = 0.8;
                Classified {
                    question: Question {
                        id: self.id(i),
                        call: CallId {
                            ticker: self.ticker.into(),
                            company: format!("{} Corp", self.ticker),
                            fiscal_period: Some(self.fiscal.parse().unwrap()),
                            period_end: None,
                            calendar_quarter: Some(self.quarter.parse().unwrap()),
                            call_date: Some(self.call_date.parse().unwrap()),
                        },
                        analyst: self.analysts[i % self.analysts.len()].into(),
                        firm: "Example Securities".into(),
                        turn: i as u32 + 1,
                        index: 1,
                        text: format!("Illustrative question {i}?"),
                        source: self.source.into(),
                        reply: String::new(),
                        call_ai_per_1k: 0.0,
                    },
                    label,
                    probs: Probs::from_array(p),
                }
            })
            .collect()
    }
}

/// The calls as `classify` writes them.
pub fn jsonl(calls: &[Call]) -> String {
    let lines: Vec<String> = calls
        .iter()
        .flat_map(|c| c.classified())
        .map(|c| serde_json::to_string(&c).unwrap())
        .collect();
    lines.join("\n") + "\n"
}

/// Two companies in one quarter, one in the next.
pub fn two_quarters() -> String {
    jsonl(&[
        Call {
            ticker: "AAA",
            fiscal: "FY2025 Q4",
            quarter: "2025Q4",
            call_date: "2026-01-28",
            source: "t/AAA_4Q25.txt",
            analysts: &["Ann Lee", "Bo Chan", "Cy Dorn"],
            labels: &[P, P, P, P, P, I, O, O, O, O],
        },
        Call {
            ticker: "BBB",
            fiscal: "FY2026 Q2",
            quarter: "2025Q4",
            call_date: "2025-12-10",
            source: "t/BBB_2Q26.txt",
            analysts: &["Ann Lee", "Dee Eck"],
            labels: &[I, I, I, O],
        },
        Call {
            ticker: "AAA",
            fiscal: "FY2026 Q1",
            quarter: "2026Q1",
            call_date: "2026-04-29",
            source: "t/AAA_1Q26.txt",
            analysts: &["Ann Lee"],
            labels: &[O, O],
        },
    ])
}

/// `earnings-qa report`.
pub fn report() -> Test {
    Test::new().arg("report")
}

/// `earnings-qa report` in a temp dir holding `c.jsonl`: `two_quarters`.
pub fn on_two_quarters() -> Test {
    report().file("c.jsonl", two_quarters())
}

/// `report ARGS --format json`, read.
pub fn json_report(test: Test) -> Report {
    test.args(["--format", "json"]).run().json()
}

/// A reviewer's decision on question `i` of a made-up call.
pub fn decision(id: &str, i: usize, label: Label, minute: u32) -> String {
    let d = Decision {
        id: id.into(),
        text_hash: text_hash(&format!("Illustrative question {i}?")),
        label,
        annotator: "reviewer".into(),
        at: format!("2026-01-01T00:{minute:02}:00Z").parse().unwrap(),
        note: None,
        flag: false,
        undoes: None,
    };
    serde_json::to_string(&d).unwrap()
}
