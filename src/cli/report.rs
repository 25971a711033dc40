//! `earnings-qa report`: counts of question types per company and quarter.
//!
//! ```text
//! earnings-qa report [PATH ...] [--by results-quarter|call-quarter|fiscal]
//!     [--companies T1,T2] [--from 2025Q1] [--to 2026Q2]
//!     [--format table|csv|json|markdown] [--chart FILE.svg|FILE.png] [-o FILE]
//!     [--labels DIR] [--questions COMPANY,QUARTER[,LABEL]]
//! ```
//!
//! A PATH is a transcript or a folder of them (read and split as by
//! `questions`), or a `.jsonl` file of `classify` or `questions` output.
//! Human labels from `labels/` (or `--labels`) replace the model's; the
//! model labels only the questions that are counted and have no label yet.
//! Copies of a call are counted once; the file used and the files skipped
//! are named on stderr.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use earnings_qa::aggregate::{Filter, GroupBy, Quarter, Summary};
use earnings_qa::ingest;
use earnings_qa::labels::Probs;
use earnings_qa::model::{self, Classifier};
use earnings_qa::period::{self, canonical_ticker};
use earnings_qa::pipeline::{self, CellRef, InputOptions, Inputs, Outcome};
use earnings_qa::question::Question;
use earnings_qa::report::{self, chart, Format, QuestionLine};

use super::classify::EncoderArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Transcript files or folders, or .jsonl output of `classify` or `questions`; `-` reads either from standard input.
    #[arg(value_name = "PATH", default_value = ".")]
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
    /// The trained head's folder [default: models/default].
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
    #[command(flatten)]
    encoder: EncoderArgs,
}

/// Questions from every PATH, with the model's label where `classify`
/// already gave one; what was skipped goes to stderr. With `--companies`,
/// notes and skips about other companies' files are only counted.
fn read_inputs(args: &Args) -> anyhow::Result<Inputs> {
    let inputs = pipeline::read(&InputOptions {
        paths: args.paths.clone(),
        format: None,
        fye: args.fye.clone(),
        fye_file: args.fye_file.clone(),
    })?;
    let wanted: HashSet<String> = args.companies.iter().map(|c| canonical_ticker(c)).collect();
    let ticker_of: HashMap<&str, &str> = inputs
        .questions
        .iter()
        .map(|i| (i.question.source.as_str(), i.question.ticker.as_str()))
        .collect();
    let (mut notes, mut skips) = (0, 0);
    for d in &inputs.diagnostics {
        let path = d.path().display().to_string();
        let ticker = match ticker_of.get(path.as_str()) {
            Some(t) => Some(canonical_ticker(t)),
            None => ingest::ticker_from_file_name(d.path()).map(|t| canonical_ticker(&t)),
        };
        match ticker {
            Some(t) if !wanted.is_empty() && !wanted.contains(&t) => {
                *(if d.is_skip() { &mut skips } else { &mut notes }) += 1;
            }
            _ => say!("{d}"),
        }
    }
    if let Some(counts) = inputs.counts {
        let others = if notes + skips > 0 {
            let n = |k: usize, what: &str| format!("{k} {what}{}", if k == 1 { "" } else { "s" });
            format!(
                " ({} and {} about other companies not shown)",
                n(notes, "note"),
                n(skips, "skip")
            )
        } else {
            String::new()
        };
        say!("{counts}{others}");
    }
    Ok(inputs)
}

/// The model's labels for `questions`; the model is loaded only if there
/// are any (`classify` output and human labels need none).
fn classify(args: &Args, questions: &[Question]) -> anyhow::Result<Vec<Probs>> {
    if questions.is_empty() {
        return Ok(Vec::new());
    }
    let head_dir = args.model.clone().unwrap_or_else(|| model::locate(model::DEFAULT_HEAD));
    let (device, opts) = args.encoder.setup()?;
    let classifier = Classifier::load(&head_dir, device, opts)?;
    super::classify::note_cache(classifier.embedder());
    let probs = classifier.classify(questions)?;
    say!(
        "the model labeled {} questions (head {}, encoder {})",
        questions.len(),
        head_dir.display(),
        model::locate(classifier.embedder().encoder().spec().dir).display()
    );
    Ok(probs)
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    // Before any thread pool starts (reading transcripts uses one).
    args.encoder.apply_threads();
    let cell = args
        .questions
        .as_deref()
        .map(|s| CellRef::parse(s, "--questions"))
        .transpose()
        .map_err(anyhow::Error::msg)?;
    if let (Some(from), Some(to)) = (args.from, args.to) {
        anyhow::ensure!(
            from <= to,
            "--from {from} is later than --to {to}: no quarter to report"
        );
    }
    if let Some(path) = &args.chart {
        chart::check_path(path)?;
    }
    let mut out = super::Output::open(args.output.as_deref())?;
    let (journal, _) = super::load_labels(args.labels.as_deref())?;

    let inputs = read_inputs(&args)?;
    check_companies(&args.companies, &inputs)?;
    let mut outcome = inputs.outcome;
    let filter = Filter {
        companies: args.companies.iter().map(|t| canonical_ticker(t)).collect(),
        from: args.from,
        to: args.to,
    };
    let selected = pipeline::select(inputs.questions, &journal, args.by, filter);
    let stale = &selected.stale;
    if !stale.is_empty() {
        const SHOWN: usize = 5;
        let more = stale.len().saturating_sub(SHOWN);
        say!(
            "{} human labels set aside: the question's text changed since it was labeled ({}{})",
            stale.len(),
            stale[..stale.len().min(SHOWN)].join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    let model_labels = classify(&args, &selected.unlabeled())?;
    let summary = selected.summarise(model_labels);
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
            report::write_questions(&summary, &lines, args.format, width, &mut out)?;
        }
        None => report::write_summary(&summary, args.format, &mut out)?,
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
        .map(|i| canonical_ticker(&i.question.ticker))
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
            d.fiscal_period,
            copy(&d.kept, d.kept_questions),
            skipped.join(", ")
        );
    }
    for d in &summary.distinct {
        say!(
            "{} {}: {} files whose questions differ are counted as different calls: {}",
            d.ticker,
            d.fiscal_period,
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
