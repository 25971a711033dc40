//! `earnings-qa report`: counts of question types per company and quarter.
//!
//! ```text
//! earnings-qa report [PATH ...] [--by results-quarter|call-quarter|fiscal]
//!     [--companies T1,T2] [--from 2025Q1] [--to 2026Q2]
//!     [--format table|csv|json|markdown] [--chart FILE.svg|FILE.png] [-o FILE]
//!     [--labels DIR] [--questions COMPANY,QUARTER[,LABEL]]
//! ```
//!
//! PATHs are JSON Lines written by `earnings-qa classify` (a `.jsonl` file
//! whose lines are classified questions). Human labels from `labels/` (or
//! `--labels`) replace the model's. Copies of a call are counted once; the
//! file used and the files skipped are named on stderr.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use earnings_qa::aggregate::{canonical_ticker, review, CallQuestions, Classified, Filter, GroupBy, Quarter, Selection, Summary};
use earnings_qa::labels::{Journal, Label};
use earnings_qa::report::{self, chart, Format, QuestionLine};

use super::Outcome;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// `classify` output (.jsonl files).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Which quarter a call counts in.
    #[arg(long, value_enum, default_value_t)]
    by: GroupBy,
    /// Only these companies (tickers; GOOG and GOOGL are one company).
    #[arg(long, value_delimiter = ',')]
    companies: Vec<String>,
    /// First quarter, e.g. 2025Q1 (FY2025Q1 with --by fiscal).
    #[arg(long)]
    from: Option<Quarter>,
    /// Last quarter, included.
    #[arg(long)]
    to: Option<Quarter>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Also draw a chart; .svg or .png.
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
    /// Write the table here instead of to stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Human label decisions [default: labels/ if it exists].
    #[arg(long, value_name = "DIR")]
    labels: Option<PathBuf>,
    /// List the questions behind one cell instead of the table, e.g.
    /// `AMZN,2025Q4` or `ALL,2025Q4,investment`.
    #[arg(long, value_name = "COMPANY,QUARTER[,LABEL]")]
    questions: Option<String>,
}

/// A cell named by `--questions`.
struct CellRef {
    ticker: String,
    quarter: Quarter,
    label: Option<Label>,
}

fn parse_cell(s: &str) -> anyhow::Result<CellRef> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let (ticker, quarter, label) = match parts[..] {
        [t, q] => (t, q, None),
        [t, q, l] => (t, q, Some(l.parse::<Label>().map_err(anyhow::Error::msg)?)),
        _ => anyhow::bail!("--questions wants COMPANY,QUARTER[,LABEL], got {s:?}"),
    };
    let quarter = quarter.parse().map_err(anyhow::Error::msg)?;
    Ok(CellRef { ticker: canonical_ticker(ticker), quarter, label })
}

/// Reads a `classify` JSON Lines file. Lines that are not classified
/// questions are named on stderr and skipped; `None` if no line is one
/// (then the file is not classify output at all).
fn read_classified(path: &Path) -> anyhow::Result<Option<(Vec<Classified>, usize)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        match serde_json::from_str::<Classified>(line) {
            Ok(c) => rows.push(c),
            Err(e) => bad.push(format!("{}:{}: skipped, not a classified question: {e}", path.display(), n + 1)),
        }
    }
    if rows.is_empty() {
        return Ok(None);
    }
    bad.iter().for_each(|b| eprintln!("earnings-qa: {b}"));
    Ok(Some((rows, bad.len())))
}

fn is_jsonl(path: &Path) -> bool {
    path.is_file() && path.extension().is_some_and(|e| e.eq_ignore_ascii_case("jsonl"))
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let cell = args.questions.as_deref().map(parse_cell).transpose()?;
    let journal = match &args.labels {
        Some(dir) if !dir.exists() => anyhow::bail!("--labels {}: no such file or folder", dir.display()),
        Some(dir) => Journal::load(dir)?,
        None => Journal::load(Path::new("labels"))?,
    };

    let mut outcome = Outcome::Complete;
    let mut predicted = Vec::new();
    for path in &args.paths {
        let read = if is_jsonl(path) { read_classified(path)? } else { None };
        let Some((rows, bad)) = read else {
            eprintln!("earnings-qa: {}: skipped, not JSON Lines from `earnings-qa classify`", path.display());
            outcome = Outcome::Partial;
            continue;
        };
        if bad > 0 {
            outcome = Outcome::Partial;
        }
        predicted.extend(rows.into_iter().map(|c| (c.question, Some(c.label))));
    }
    let (pending, stale) = review(predicted, &journal);
    if !stale.is_empty() {
        eprintln!(
            "earnings-qa: {} human labels set aside: the question's text changed since it was labeled ({})",
            stale.len(),
            stale.join(", ")
        );
    }

    let filter = Filter {
        companies: args.companies.iter().map(|t| canonical_ticker(t)).collect(),
        from: args.from,
        to: args.to,
    };
    let selection = Selection::new(CallQuestions::group(pending), args.by, filter);
    let summary = Summary::new(selection.map(|p| p.label(|| unreachable!("classify output carries a label"))));
    if describe(&summary) {
        outcome = Outcome::Partial;
    }

    // The chart first: if it cannot be drawn, nothing has been written.
    if let Some(path) = &args.chart {
        let source: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
        chart::write(&summary, path, &source.join(", "))?;
        eprintln!("earnings-qa: chart written to {}", path.display());
    }
    let mut out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(File::create(p).with_context(|| format!("cannot write {}", p.display()))?),
        None => Box::new(io::stdout().lock()),
    };
    let mut out = BufWriter::new(&mut out);
    match &cell {
        Some(c) => {
            let lines: Vec<QuestionLine> = summary
                .questions_in(&c.ticker, c.quarter, c.label)
                .into_iter()
                .map(|(counted, labeled)| QuestionLine { counted, labeled })
                .collect();
            report::write_questions(&summary, &lines, args.format, &mut out)?;
        }
        None => report::write_summary(&summary, args.format, &mut out)?,
    }
    out.flush()?;

    Ok(outcome)
}

/// Says on stderr which copy of each call was used and what was left out;
/// true if a call could not be placed in a quarter (input not counted).
fn describe(summary: &Summary) -> bool {
    for d in &summary.duplicates {
        let skipped: Vec<String> = d.skipped.iter().map(|s| format!("{} ({} questions)", s.source, s.questions)).collect();
        eprintln!(
            "earnings-qa: {} {}: used {} ({} questions); skipped duplicate {}",
            d.ticker,
            d.fiscal_period,
            d.kept,
            d.kept_questions,
            skipped.join(", ")
        );
    }
    for source in &summary.unplaced {
        eprintln!("earnings-qa: {source}: skipped, the call has no quarter under --by {}", summary.by.name());
    }
    for t in &summary.filter.companies {
        if !summary.calls.iter().any(|c| &c.ticker == t) {
            eprintln!("earnings-qa: no calls of {t} in the chosen quarters");
        }
    }
    !summary.unplaced.is_empty()
}
