//! A `Summary` out: aligned text, CSV, JSON, Markdown, and a chart.
//!
//! Table and Markdown draw the same grid of strings; CSV and JSON carry the
//! numbers unrounded-to-percent, under the column names in docs/report.md.

pub mod chart;
pub mod csv;
pub mod json;
pub mod markdown;
pub mod table;

use std::io::{self, Write};

use crate::aggregate::{Counted, Labeled, Share, Summary};
use crate::labels::{Label, Probs};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error("cannot draw the chart: {0}")]
    Chart(String),
    #[error("chart file must end in .svg or .png: {0}")]
    ChartExtension(String),
    #[error("{0} bars are too many for one chart (at most {max}); choose fewer with --companies, --from and --to", max = chart::MAX_BARS)]
    TooManyBars(usize),
}

/// How the numbers are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Aligned columns for a terminal (fits 100 columns).
    #[default]
    Table,
    /// Comma-separated values, one record per row (columns in docs/report.md).
    Csv,
    /// One object: rows, the calls counted and the copies skipped.
    Json,
    /// A GitHub-flavoured Markdown table, for notes.
    Markdown,
}

/// Rows of text cells under a header: what `table` and `markdown` draw.
pub struct Grid {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Per column: numbers, aligned right.
    pub numeric: Vec<bool>,
    /// Row indices after which the text table leaves a blank line.
    pub breaks: Vec<usize>,
}

/// A label's count, share and 95% interval in whole percent, as text:
/// `("7", "39%", "[20-61]")`; a row without questions has no share.
fn share_parts(s: &Share) -> [String; 3] {
    let pct = |x: f64| (x * 100.0).round() as i64;
    match (s.share, s.low, s.high) {
        (Some(p), Some(lo), Some(hi)) => [
            s.count.to_string(),
            format!("{}%", pct(p)),
            format!("[{}-{}]", pct(lo), pct(hi)),
        ],
        _ => [s.count.to_string(), "-".to_owned(), String::new()],
    }
}

/// `  7  39% [20-61]`: the parts of one label's cells padded to the widest
/// of each part down the column, so counts, shares and intervals line up.
fn share_column(shares: &[Share]) -> Vec<String> {
    let parts: Vec<[String; 3]> = shares.iter().map(share_parts).collect();
    let width = |i: usize| parts.iter().map(|p| p[i].len()).max().unwrap_or(0);
    let (wc, ws, wi) = (width(0), width(1), width(2));
    parts
        .iter()
        .map(|[c, s, i]| format!("{c:>wc$} {s:>ws$} {i:<wi$}"))
        .collect()
}

/// The summary as a grid: one line per company and quarter, then the total.
pub fn summary_grid(summary: &Summary) -> Grid {
    let mut header: Vec<String> = ["quarter", "ticker", "calls", "analysts", "questions"]
        .map(String::from)
        .to_vec();
    header.extend(Label::ALL.iter().map(|l| l.name().to_owned()));
    let mut numeric = vec![false, false, true, true, true];
    numeric.extend([false; 3]);
    let label_columns: Vec<Vec<String>> = Label::ALL
        .iter()
        .map(|l| share_column(&summary.rows.iter().map(|r| r.cell.share(*l)).collect::<Vec<_>>()))
        .collect();
    let mut rows = Vec::new();
    let mut breaks = Vec::new();
    for (i, r) in summary.rows.iter().enumerate() {
        let c = &r.cell;
        let mut row = vec![
            summary.quarter_label(r.quarter),
            r.ticker.clone(),
            c.calls.to_string(),
            c.analysts.to_string(),
            c.questions.to_string(),
        ];
        row.extend(label_columns.iter().map(|col| col[i].clone()));
        rows.push(row);
        if r.total {
            breaks.push(rows.len() - 1);
        }
    }
    Grid {
        header,
        rows,
        numeric,
        breaks,
    }
}

/// The lines printed under a table: where labels came from, what a cell holds.
pub fn notes(summary: &Summary) -> Vec<String> {
    let (human, model) = summary.label_sources();
    let by = match summary.by {
        crate::aggregate::GroupBy::ResultsQuarter => "calendar quarter of the reported period's end",
        crate::aggregate::GroupBy::CallQuarter => "calendar quarter of the call",
        crate::aggregate::GroupBy::Fiscal => "the company's fiscal quarter",
    };
    let mut notes = vec![
        format!("Labels: {human} human-reviewed, {model} model-predicted."),
        "Per label: questions (human label, else the model's most probable), share, [95% interval] in %.".to_owned(),
        format!(
            "Shares: --estimate {}, {}.",
            summary.estimate,
            summary.estimate.description()
        ),
    ];
    if let Some(t) = summary.class_totals {
        notes.push(format!("Class totals: the head's correction of pcc, {t}."));
    }
    notes.extend([
        "Intervals: bootstrap over the row's questions and the labels the model's probabilities allow.".to_owned(),
        format!("Quarter: {by} (--by {}).", summary.by.name()),
        "ALL: every company in the quarter; analysts counted once across companies.".to_owned(),
    ]);
    notes
}

/// One question behind a cell, as `--questions` lists it.
pub struct QuestionLine<'a> {
    pub counted: &'a Counted,
    pub labeled: &'a Labeled,
}

pub const QUESTION_COLUMNS: [&str; 9] = [
    "ticker", "quarter", "id", "analyst", "firm", "label", "by", "source", "text",
];

/// The fields of one listed question, in `QUESTION_COLUMNS` order.
pub fn question_fields(summary: &Summary, q: &QuestionLine) -> [String; 9] {
    let l = q.labeled;
    [
        q.counted.ticker.clone(),
        summary.quarter_label(q.counted.quarter),
        l.question.id.clone(),
        l.question.analyst.clone(),
        l.question.firm.clone(),
        l.label.name().to_owned(),
        if l.human { "human" } else { "model" }.to_owned(),
        q.counted.call.source.clone(),
        l.question.text.clone(),
    ]
}

/// Writes the summary in `format`.
pub fn write_summary(summary: &Summary, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Table => {
            table::write(&summary_grid(summary), out)?;
            writeln!(out)?;
            notes(summary).iter().try_for_each(|n| writeln!(out, "{n}"))
        }
        Format::Markdown => {
            markdown::write(&summary_grid(summary), out)?;
            writeln!(out)?;
            notes(summary).iter().try_for_each(|n| writeln!(out, "{n}  "))
        }
        Format::Csv => csv::write_summary(summary, out),
        Format::Json => json::write_summary(summary, out),
    }
}

/// Writes the questions behind a cell in `format`.
/// The table wraps each question's text at `width` columns (the
/// terminal's), and adds the model's probabilities.
pub fn write_questions(
    summary: &Summary,
    lines: &[QuestionLine],
    format: Format,
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let records: Vec<[String; 9]> = lines.iter().map(|q| question_fields(summary, q)).collect();
    match format {
        Format::Table => {
            let probs: Vec<Option<Probs>> = lines.iter().map(|q| q.labeled.probs).collect();
            table::write_questions(&records, &probs, width, out)
        }
        Format::Markdown => {
            let grid = Grid {
                header: QUESTION_COLUMNS.map(String::from).to_vec(),
                rows: records.into_iter().map(|r| r.to_vec()).collect(),
                numeric: vec![false; QUESTION_COLUMNS.len()],
                breaks: Vec::new(),
            };
            markdown::write(&grid, out)
        }
        Format::Csv => {
            csv::write_record(&QUESTION_COLUMNS, out)?;
            records.iter().try_for_each(|r| csv::write_record(r, out))
        }
        Format::Json => json::write_questions(&records, out),
    }
}
