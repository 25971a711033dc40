//! The flags every subcommand that reads transcripts shares, and how their
//! diagnostics are printed.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use earnings_qa::aggregate::{Filter, GroupBy};
use earnings_qa::ingest;
use earnings_qa::labels::Journal;
use earnings_qa::period::{self, canonical_ticker};
use earnings_qa::pipeline::{self, Diagnostic, InputOptions, Inputs, Loaded};
use earnings_qa::quarter::Quarter;

/// Where transcripts come from and how to read them.
#[derive(clap::Args, Debug, Clone)]
pub struct InputArgs {
    /// Transcript files or folders (walked recursively); `-` reads one from standard input.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Layout of the inputs: `auto` detects it from each file's content
    /// (`--format`, its old name, is still accepted).
    #[arg(long, alias = "format", default_value = "auto", value_name = "auto|NAME")]
    pub layout: String,
    /// Fiscal-year-end month for a company the built-in table lacks or gets wrong, e.g. `--fye ACME=6`.
    #[arg(long, value_name = "TICKER=MONTH", value_parser = period::parse_override)]
    pub fye: Vec<(String, u32)>,
    /// A file of `TICKER=MONTH` lines (blank lines and `#` comments allowed), like repeated `--fye`.
    #[arg(long, value_name = "FILE")]
    pub fye_file: Option<PathBuf>,
}

/// Which calls to count: flags `report` and `review` share.
#[derive(clap::Args, Debug, Clone)]
pub struct SelectArgs {
    /// Which quarter a call counts in.
    #[arg(long, value_enum, default_value_t)]
    pub by: By,
    /// Only these companies (tickers; GOOG and GOOGL are one company).
    #[arg(long, value_delimiter = ',')]
    pub companies: Vec<String>,
    /// First quarter, e.g. 2025Q1 (FY2025Q1 with --by fiscal).
    #[arg(long)]
    pub from: Option<Quarter>,
    /// Last quarter, included.
    #[arg(long)]
    pub to: Option<Quarter>,
}

/// `--by`: the library's `GroupBy` as the command line spells and explains it.
#[derive(clap::ValueEnum, Debug, Clone, Copy, Default)]
pub enum By {
    /// The calendar quarter holding the end of the reported period.
    #[default]
    ResultsQuarter,
    /// The calendar quarter in which the call was held.
    CallQuarter,
    /// The company's own fiscal quarter (not comparable across companies
    /// whose fiscal years differ).
    Fiscal,
}

impl From<By> for GroupBy {
    fn from(b: By) -> GroupBy {
        match b {
            By::ResultsQuarter => GroupBy::ResultsQuarter,
            By::CallQuarter => GroupBy::CallQuarter,
            By::Fiscal => GroupBy::Fiscal,
        }
    }
}

impl SelectArgs {
    pub fn filter(&self) -> Filter {
        Filter {
            companies: self.companies.iter().map(|t| canonical_ticker(t)).collect(),
            from: self.from,
            to: self.to,
        }
    }
}

impl From<&InputArgs> for InputOptions {
    fn from(a: &InputArgs) -> InputOptions {
        InputOptions {
            paths: a.paths.clone(),
            layout: (a.layout != "auto").then(|| a.layout.clone()),
            fye: a.fye.clone(),
            fye_file: a.fye_file.clone(),
        }
    }
}

impl InputArgs {
    /// Reads, segments and places every transcript under the paths; each
    /// skipped file and note goes to stderr.
    pub fn load(&self) -> anyhow::Result<Loaded> {
        let loaded = pipeline::load_transcripts(&self.into())?;
        print_diagnostics(&loaded.diagnostics);
        Ok(loaded)
    }
}

/// Questions from transcripts and `questions`/`classify` JSON Lines, with
/// the model's output where `classify` gave it; what was skipped goes to
/// stderr. With `companies`, notes and skips about other companies' files
/// are only counted.
pub fn read_inputs(opts: &InputOptions, companies: &[String]) -> anyhow::Result<Inputs> {
    let inputs = pipeline::read(opts)?;
    let wanted: HashSet<String> = companies.iter().map(|c| canonical_ticker(c)).collect();
    let ticker_of: HashMap<&str, &str> = inputs
        .questions
        .iter()
        .map(|i| (i.question.source.as_str(), i.question.call.ticker.as_str()))
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

pub fn print_diagnostics(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        say!("{d}");
    }
}

/// Names the human labels set aside because the question's text changed
/// since (at most a few, with the file and line of each).
pub fn print_stale(journal: &Journal, stale: &[String]) {
    const SHOWN: usize = 5;
    if stale.is_empty() {
        return;
    }
    let shown: Vec<String> = stale[..stale.len().min(SHOWN)]
        .iter()
        .map(|id| match journal.origin(id) {
            Some(origin) => format!("{id} at {origin}"),
            None => id.clone(),
        })
        .collect();
    let more = match stale.len().saturating_sub(SHOWN) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    say!(
        "{} human labels set aside: the question's text changed since it was labeled ({}{more})",
        stale.len(),
        shown.join(", ")
    );
}
