//! One JSON object: how the report was made, the rows, and the calls
//! behind them (which file was used, which copies were skipped).

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::aggregate::{Duplicate, Share, Summary};
use crate::estimate::Method;
use crate::labels::Label;
use crate::quarter::FiscalPeriod;

use super::QUESTION_COLUMNS;

#[derive(Serialize)]
struct Report<'a> {
    by: &'static str,
    /// How the shares were estimated (`--estimate`), and what that means.
    estimate: Method,
    estimate_method: String,
    from: Option<String>,
    to: Option<String>,
    labels: LabelSources,
    rows: Vec<Row<'a>>,
    calls: Vec<Call<'a>>,
    duplicates: &'a [Duplicate],
    unplaced: &'a [String],
}

#[derive(Serialize)]
struct LabelSources {
    human: usize,
    model: usize,
}

#[derive(Serialize)]
struct Row<'a> {
    ticker: &'a str,
    company: &'a str,
    quarter: String,
    total: bool,
    calls: usize,
    analysts: usize,
    questions: usize,
    human: usize,
    /// `profitability`, `investment`, `other`: `{count, share, low, high}`.
    #[serde(flatten)]
    labels: BTreeMap<&'static str, Share>,
}

#[derive(Serialize)]
struct Call<'a> {
    ticker: &'a str,
    quarter: String,
    #[serde(with = "crate::quarter::fiscal_or_empty")]
    fiscal_period: Option<FiscalPeriod>,
    call_date: Option<chrono::NaiveDate>,
    source: &'a str,
    questions: usize,
}

pub fn write_summary(summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let (human, model) = summary.label_sources();
    let report = Report {
        by: summary.by.name(),
        estimate: summary.estimate,
        estimate_method: summary.estimate_method(),
        from: summary.filter.from.map(|q| summary.quarter_label(q)),
        to: summary.filter.to.map(|q| summary.quarter_label(q)),
        labels: LabelSources { human, model },
        rows: summary
            .rows
            .iter()
            .map(|r| Row {
                ticker: &r.ticker,
                company: &r.company,
                quarter: summary.quarter_label(r.quarter),
                total: r.total,
                calls: r.cell.calls,
                analysts: r.cell.analysts,
                questions: r.cell.questions,
                human: r.cell.human,
                labels: Label::ALL.iter().map(|l| (l.name(), r.cell.share(*l))).collect(),
            })
            .collect(),
        calls: summary
            .calls
            .iter()
            .map(|c| Call {
                ticker: &c.ticker,
                quarter: summary.quarter_label(c.quarter),
                fiscal_period: c.call.id.fiscal_period,
                call_date: c.call.id.call_date,
                source: &c.call.source,
                questions: c.call.questions.len(),
            })
            .collect(),
        duplicates: &summary.duplicates,
        unplaced: &summary.unplaced,
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

/// The listed questions as an array of objects keyed by `QUESTION_COLUMNS`.
pub fn write_questions(records: &[[String; 9]], out: &mut dyn Write) -> io::Result<()> {
    let objects: Vec<BTreeMap<&str, &str>> = records
        .iter()
        .map(|r| {
            QUESTION_COLUMNS
                .iter()
                .copied()
                .zip(r.iter().map(String::as_str))
                .collect()
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &objects)?;
    writeln!(out)
}
