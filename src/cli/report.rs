//! `earnings-qa report`: counts of question types per company and quarter.
//!
//! ```text
//! earnings-qa report [PATH ...] [--by results-quarter|call-quarter|fiscal]
//!     [--companies T1,T2] [--from 2025Q1] [--to 2026Q2]
//!     [--format table|csv|json|markdown] [--chart FILE.svg|FILE.png] [-o FILE]
//!     [--labels DIR] [--questions COMPANY,QUARTER[,LABEL]]
//!     [--estimate count|pcc|acc|em]
//! ```
//!
//! A PATH is a transcript or a folder of them (read and split as by
//! `questions`), or a `.jsonl` file of `classify` or `questions` output.
//! Human labels from `labels/` (or `--labels`) replace the model's; the
//! model labels only the questions that are counted and have no label yet.
//! Copies of a call are counted once; the file used and the files skipped
//! are named on stderr.

use std::path::PathBuf;

use earnings_qa::aggregate::Summary;
use earnings_qa::estimate::Method;
use earnings_qa::period::{self, canonical_ticker};
use earnings_qa::pipeline::{self, CellRef, InputOptions, Inputs, Outcome};
use earnings_qa::quarter::fiscal_or_empty;
use earnings_qa::report::{self, chart, Format, QuestionLine};

use super::classify::ModelArgs;
use super::input::{print_stale, read_inputs, SelectArgs};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Transcript files or folders, or .jsonl output of `classify` or `questions`; `-` reads either from standard input.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    select: SelectArgs,
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
    /// How each share is estimated from the labels and the model's
    /// probabilities (docs/report.md); human labels count as known under all.
    #[arg(long, value_enum, default_value_t)]
    estimate: EstimateArg,
    /// Also draw a chart; .svg or .png.
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
    /// Write the table here instead of to stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Human label decisions [default: $EARNINGS_QA_LABELS, else ./labels, else the source tree's labels/].
    #[arg(long, value_name = "DIR")]
    labels: Option<PathBuf>,
    /// List the questions behind one cell instead of the table, e.g.
    /// `AMZN,2025Q4` or `ALL,2025Q4,investment`.
    #[arg(long, value_name = "COMPANY,QUARTER[,LABEL]")]
    questions: Option<String>,
    /// Fiscal-year-end month for a company the built-in table lacks or gets wrong, e.g. `--fye ACME=6`.
    #[arg(long, value_name = "TICKER=MONTH", value_parser = period::parse_override)]
    fye: Vec<(String, u32)>,
    /// A file of `TICKER=MONTH` lines, like repeated `--fye`.
    #[arg(long, value_name = "FILE")]
    fye_file: Option<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
}

/// `--format`: the library's `report::Format` as the command line spells and explains it.
#[derive(clap::ValueEnum, Debug, Clone, Copy, Default)]
enum OutputFormat {
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

/// `--estimate`: `estimate::Method` as the command line spells and explains it.
#[derive(clap::ValueEnum, Debug, Clone, Copy, Default)]
enum EstimateArg {
    /// Classify and count: each question's most probable label.
    Count,
    /// Probabilistic classify and count: the mean calibrated probability
    /// (measured best with the default head, docs/model.md).
    #[default]
    Pcc,
    /// Adjusted classify and count: counts corrected by the head's cross-validated confusion.
    Acc,
    /// EM prior re-estimation (Saerens, Latinne and Decaestecker, 2002).
    Em,
}

impl From<EstimateArg> for Method {
    fn from(e: EstimateArg) -> Method {
        match e {
            EstimateArg::Count => Method::Count,
            EstimateArg::Pcc => Method::Pcc,
            EstimateArg::Acc => Method::Acc,
            EstimateArg::Em => Method::Em,
        }
    }
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Format {
        match f {
            OutputFormat::Table => Format::Table,
            OutputFormat::Csv => Format::Csv,
            OutputFormat::Json => Format::Json,
            OutputFormat::Markdown => Format::Markdown,
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    // Before any thread pool starts (reading transcripts uses one).
    args.model.encoder.apply_threads();
    let cell = args
        .questions
        .as_deref()
        .map(|s| CellRef::parse(s, "--questions"))
        .transpose()
        .map_err(anyhow::Error::msg)?;
    if let (Some(from), Some(to)) = (args.select.from, args.select.to) {
        anyhow::ensure!(
            from <= to,
            "--from {from} is later than --to {to}: no quarter to report"
        );
    }
    if let Some(path) = &args.chart {
        chart::check_path(path)?;
    }
    let estimator = args.model.estimator(args.estimate.into())?;
    let mut out = super::Output::open(args.output.as_deref())?;
    let (journal, _, labels_read) = super::load_labels(args.labels.as_deref())?;

    let inputs = read_inputs(
        &InputOptions {
            paths: args.paths.clone(),
            layout: None,
            fye: args.fye.clone(),
            fye_file: args.fye_file.clone(),
        },
        &args.select.companies,
    )?;
    check_companies(&args.select.companies, &inputs)?;
    let mut outcome = inputs.outcome.and(labels_read);
    let selected = pipeline::select(inputs.questions, &journal, args.select.by.into(), args.select.filter());
    print_stale(&journal, &selected.stale);
    let probs = args.model.classify(&selected.unlabeled())?;
    let summary = selected.summarise(probs, &estimator);
    if describe(&summary) {
        outcome = Outcome::Partial;
    }

    // The chart first: if it cannot be drawn, nothing has been written.
    if let Some(path) = &args.chart {
        let source: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
        chart::write(&summary, path, &source.join(", "))?;
        say!("chart written to {}", path.display());
    }
    match &cell {
        Some(c) => {
            let lines: Vec<QuestionLine> = summary
                .questions_in(&c.ticker, c.quarter, c.label)
                .into_iter()
                .map(|(counted, labeled)| QuestionLine { counted, labeled })
                .collect();
            let width = if args.output.is_none() { terminal_width() } else { None };
            report::write_questions(&summary, &lines, args.format.into(), width, &mut out)?;
        }
        None => report::write_summary(&summary, args.format.into(), &mut out)?,
    }
    out.finish()?;

    Ok(outcome)
}

/// Columns of the terminal on stdout, else `$COLUMNS`; `None` where
/// neither says (output to a file or a pipe is not wrapped).
fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        let mut size = libc::winsize {
            ws_row: 0,
            ws_col: 0,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCGWINSZ only fills in the winsize it is given.
        if unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0 && size.ws_col > 0 {
            return Some(usize::from(size.ws_col));
        }
    }
    std::env::var("COLUMNS").ok()?.parse().ok().filter(|&w| w > 0)
}

/// Checks `--companies` against the tickers read and the fiscal-year-end
/// table: a company's name ("Broadcom") is refused with its ticker
/// suggested; a ticker neither knows is said to be unknown (its rows are
/// zeros).
fn check_companies(companies: &[String], inputs: &Inputs) -> anyhow::Result<()> {
    let read: std::collections::HashSet<String> = inputs
        .questions
        .iter()
        .map(|i| canonical_ticker(&i.question.call.ticker))
        .collect();
    for c in companies {
        let ticker = canonical_ticker(c);
        if read.contains(&ticker) || period::company(&ticker).is_some() {
            continue;
        }
        match period::ticker_of_company(c) {
            Some(t) => anyhow::bail!("--companies {c}: unknown ticker; {c} is {t}"),
            None => say!("--companies {c}: unknown ticker (no call read has it, nor data/fiscal_year_ends.csv)"),
        }
    }
    Ok(())
}

/// Says on stderr which copy of each call was used and what was left out;
/// true if a call could not be placed in a quarter (input not counted).
fn describe(summary: &Summary) -> bool {
    for d in &summary.duplicates {
        let copy = |source: &str, n: usize| format!("{source} ({n} question{})", if n == 1 { "" } else { "s" });
        let skipped: Vec<String> = d.skipped.iter().map(|s| copy(&s.source, s.questions)).collect();
        say!(
            "{} {}: used {}; skipped duplicate {}",
            d.ticker,
            fiscal_or_empty::label(d.fiscal_period),
            copy(&d.kept, d.kept_questions),
            skipped.join(", ")
        );
    }
    for d in &summary.distinct {
        say!(
            "{} {}: {} files whose questions differ are counted as different calls: {}",
            d.ticker,
            fiscal_or_empty::label(d.fiscal_period),
            d.sources.len(),
            d.sources.join(", ")
        );
    }
    for source in &summary.unplaced {
        say!(
            "{source}: skipped, the call has no quarter under --by {}",
            summary.by.name()
        );
    }
    for t in &summary.filter.companies {
        if !summary.calls.iter().any(|c| &c.ticker == t) {
            say!("no calls of {t} in the chosen quarters");
        }
    }
    !summary.unplaced.is_empty()
}
