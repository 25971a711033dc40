//! The pipeline every subcommand runs, free of the command line: PATHs to
//! questions (`read`), human labels over them and the calls a report counts
//! (`select`), and the counts once the model has labeled the rest
//! (`Selected::summarise`). Each step returns what it found,
//! including its diagnostics; the binary decides what to print.

mod input;
mod transcripts;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::aggregate::{review, CallQuestions, Filter, GroupBy, Pending, Selection, Summary};
use crate::estimate::Estimator;
use crate::labels::{BadLine, Journal, Label, LabelsError, Origin, Probs};
use crate::period::canonical_ticker;
use crate::quarter::Quarter;
use crate::question::Question;

pub use input::{read, Input, Inputs};
pub use transcripts::{load_transcripts, Counts, InputOptions, Loaded};

/// How a run that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Outcome {
    /// Every input was read.
    #[default]
    Complete,
    /// Some input was skipped; each skip is among the diagnostics.
    Partial,
}

impl Outcome {
    /// Partial if either is.
    pub fn and(self, other: Outcome) -> Outcome {
        if self == Outcome::Partial || other == Outcome::Partial {
            Outcome::Partial
        } else {
            Outcome::Complete
        }
    }

    /// Partial when `skipped` is true.
    pub fn partial_if(skipped: bool) -> Outcome {
        if skipped {
            Outcome::Partial
        } else {
            Outcome::Complete
        }
    }
}

/// Something about one input that the user should hear, in the words the
/// binary prints after `earnings-qa: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diagnostic {
    /// A whole file left out.
    Skipped { path: PathBuf, why: String },
    /// A file read, with a remark on how.
    Note { path: PathBuf, why: String },
    /// One line of a file left out.
    BadLine { path: PathBuf, line: usize, why: String },
}

impl Diagnostic {
    /// True when input was left out (the outcome is partial).
    pub fn is_skip(&self) -> bool {
        !matches!(self, Diagnostic::Note { .. })
    }

    pub fn path(&self) -> &Path {
        match self {
            Diagnostic::Skipped { path, .. } | Diagnostic::Note { path, .. } | Diagnostic::BadLine { path, .. } => path,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Diagnostic::Skipped { path, why } => write!(f, "skipped {}: {why}", path.display()),
            Diagnostic::Note { path, why } => write!(f, "note {}: {why}", path.display()),
            Diagnostic::BadLine { path, line, why } => write!(f, "{}:{line}: skipped, {why}", path.display()),
        }
    }
}

impl From<BadLine> for Diagnostic {
    fn from(b: BadLine) -> Diagnostic {
        let Origin { path, line } = b.origin;
        match line {
            0 => Diagnostic::Skipped { path, why: b.message },
            line => Diagnostic::BadLine {
                path,
                line,
                why: b.message,
            },
        }
    }
}

/// The human decisions in a labels folder (or file), and the lines left out.
pub fn load_labels(path: &Path) -> Result<(Journal, Vec<Diagnostic>), LabelsError> {
    let (journal, bad) = Journal::load(path)?;
    Ok((journal, bad.into_iter().map(Diagnostic::from).collect()))
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("{}: no such file or folder", .0.display())]
    NoSuchPath(PathBuf),
    #[error("reading {}", path.display())]
    ReadFye {
        path: PathBuf,
        #[source]
        error: std::io::Error,
    },
    #[error("{}:{line}: {message}", path.display())]
    BadFye {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        error: std::io::Error,
    },
    #[error(transparent)]
    Ingest(#[from] crate::ingest::IngestError),
}

/// A cell of the report, `TICKER,QUARTER[,LABEL]` (`ALL` for every
/// company): what `report --questions` lists and `review --cell` reviews.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellRef {
    pub ticker: String,
    pub quarter: Quarter,
    pub label: Option<Label>,
}

impl CellRef {
    /// `flag` names the option in the message about a malformed value.
    pub fn parse(s: &str, flag: &str) -> Result<CellRef, String> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        let (ticker, quarter, label) = match parts[..] {
            [t, q] => (t, q, None),
            [t, q, l] => (t, q, Some(l.parse::<Label>()?)),
            _ => return Err(format!("{flag} wants COMPANY,QUARTER[,LABEL], got {s:?}")),
        };
        Ok(CellRef {
            ticker: canonical_ticker(ticker),
            quarter: quarter.parse()?,
            label,
        })
    }
}

/// The calls a report counts, each question with its human label if one
/// applies, before the model is asked about the rest.
#[derive(Debug, Clone)]
pub struct Selected {
    pub selection: Selection<Pending>,
    /// Ids whose human label was set aside: the text changed since.
    pub stale: Vec<String>,
}

/// Human labels over the questions read, then the wanted companies'
/// calls, one copy each, in the wanted quarters.
pub fn select(inputs: Vec<Input>, journal: &Journal, by: GroupBy, filter: Filter) -> Selected {
    let questions = inputs.into_iter().map(|i| (i.question, i.model));
    let (pending, stale) = review(questions, journal);
    Selected {
        selection: Selection::new(CallQuestions::group(pending), by, filter),
        stale,
    }
}

impl Selected {
    /// The counted questions that neither a human nor `classify` labeled.
    pub fn unlabeled(&self) -> Vec<Question> {
        self.selection
            .questions()
            .filter(|p| p.needs_model())
            .map(|p| p.question.clone())
            .collect()
    }

    /// The counts and shares, with `model` giving the probabilities of
    /// `unlabeled()`, in order.
    pub fn summarise(self, model: Vec<Probs>, estimator: &Estimator) -> Summary {
        let mut model = model.into_iter();
        Summary::new(
            self.selection
                .map(|p| p.label(|| model.next().expect("one model label per unlabeled question"))),
            estimator,
        )
    }
}

/// The model's label and probabilities per question, by source and id
/// (the same id may come from two copies of a call).
#[derive(Debug, Clone, Default)]
pub struct ModelOutputs(HashMap<(String, String), (Label, Probs)>);

impl ModelOutputs {
    /// What `classify` output among the inputs already says.
    pub fn of(inputs: &[Input]) -> ModelOutputs {
        ModelOutputs(
            inputs
                .iter()
                .filter_map(|i| Some((key(&i.question), i.model?)))
                .collect(),
        )
    }

    pub fn get(&self, q: &Question) -> Option<(Label, Probs)> {
        self.0.get(&key(q)).copied()
    }

    /// Those of `questions` the model has not seen yet, each once.
    pub fn missing<'a>(&self, questions: impl IntoIterator<Item = &'a Question>) -> Vec<Question> {
        let mut seen = std::collections::HashSet::new();
        questions
            .into_iter()
            .filter(|q| !self.0.contains_key(&key(q)) && seen.insert(key(q)))
            .cloned()
            .collect()
    }

    /// Adds the model's probabilities for `questions`, labeled by the most probable.
    pub fn add(&mut self, questions: &[Question], probs: Vec<Probs>) {
        for (q, p) in questions.iter().zip(probs) {
            self.0.insert(key(q), (p.argmax(), p));
        }
    }
}

fn key(q: &Question) -> (String, String) {
    (q.source.clone(), q.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_parse_with_or_without_a_label() {
        let c = CellRef::parse("goog, 2025Q4", "--cell").unwrap();
        assert_eq!(
            (c.ticker.as_str(), c.quarter.to_string(), c.label),
            ("GOOGL", "2025Q4".into(), None)
        );
        let c = CellRef::parse("ALL,2025Q4,investment", "--cell").unwrap();
        assert_eq!(c.label, Some(Label::Investment));
        assert_eq!(
            CellRef::parse("AMZN", "--cell").unwrap_err(),
            "--cell wants COMPANY,QUARTER[,LABEL], got \"AMZN\""
        );
        assert!(CellRef::parse("AMZN,2025Q4,capex", "--cell")
            .unwrap_err()
            .contains("unknown label"));
    }

    #[test]
    fn diagnostics_name_the_file_and_line_and_only_skips_make_a_run_partial() {
        let bad = Diagnostic::BadLine {
            path: "a.jsonl".into(),
            line: 3,
            why: "not a question".into(),
        };
        assert_eq!(bad.to_string(), "a.jsonl:3: skipped, not a question");
        let note = Diagnostic::Note {
            path: "b.txt".into(),
            why: "no date".into(),
        };
        assert_eq!(note.to_string(), "note b.txt: no date");
        assert!(bad.is_skip() && !note.is_skip());
        assert_eq!(Outcome::Complete.and(Outcome::partial_if(true)), Outcome::Partial);
        assert_eq!(Outcome::Complete.and(Outcome::partial_if(false)), Outcome::Complete);
    }
}
