//! What `report` and `review` read: transcripts, or the JSON Lines that
//! `questions` and `classify` write.

use std::path::{Path, PathBuf};

use super::{load_transcripts, Counts, Diagnostic, InputOptions, Outcome, PipelineError};
use crate::aggregate::Classified;
use crate::ingest;
use crate::labels::{Label, Probs};
use crate::question::Question;

/// A question read, with the label and probabilities `classify` gave it if it did.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub question: Question,
    pub model: Option<(Label, Probs)>,
}

/// Every question under the PATHs, and what was left out.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub questions: Vec<Input>,
    /// JSON Lines files' first, then the transcripts', by path.
    pub diagnostics: Vec<Diagnostic>,
    /// The transcripts' counts, if any were read.
    pub counts: Option<Counts>,
    pub outcome: Outcome,
}

/// One line of a `.jsonl` input: `classify` output carries the model's
/// label, `questions` output does not.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Line {
    Classified(Classified),
    Question(Question),
}

/// A file's questions, and its lines that are none.
type JsonlRows = (Vec<Input>, Vec<Diagnostic>);

const QUESTION_FROM: &str = "a question from `classify` or `questions`";

/// Reads a JSON Lines file of questions, labeled or not, and names the
/// lines that are neither; `None` if no line is one (then the file is not
/// such output at all).
fn read_jsonl(path: &Path) -> Result<Option<JsonlRows>, PipelineError> {
    let text = if ingest::is_stdin(path) {
        String::from_utf8_lossy(ingest::stdin()?).into_owned()
    } else {
        std::fs::read_to_string(path).map_err(|error| PipelineError::Read {
            path: path.to_path_buf(),
            error,
        })?
    };
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let bad_line = |why: String| Diagnostic::BadLine {
            path: path.to_path_buf(),
            line: n + 1,
            why,
        };
        match serde_json::from_str::<Line>(line) {
            Ok(Line::Classified(c)) => rows.push(Input {
                question: c.question,
                model: Some((c.label, c.probs)),
            }),
            // A `classify` line whose label or probabilities are wrong is not a question to label afresh.
            Ok(Line::Question(_)) if line.contains("\"label\"") || line.contains("\"probs\"") => {
                bad.push(bad_line(classified_error(line)))
            }
            Ok(Line::Question(question)) => rows.push(Input { question, model: None }),
            Err(_) => bad.push(bad_line(format!("not {QUESTION_FROM}"))),
        }
    }
    Ok((!rows.is_empty()).then_some((rows, bad)))
}

/// Why a line with a `label` or `probs` field is no `classify` output:
/// "unknown label \"capex\" ...".
fn classified_error(line: &str) -> String {
    match serde_json::from_str::<Classified>(line) {
        Err(e) => {
            let e = e.to_string();
            let what = e.split(" at line ").next().unwrap_or(&e);
            format!("a `classify` line with a bad label or probabilities: {what}")
        }
        Ok(_) => format!("not {QUESTION_FROM}"),
    }
}

/// A `.jsonl` file, or standard input whose first line is a question.
fn is_jsonl(path: &Path) -> bool {
    if ingest::is_stdin(path) {
        let first = ingest::stdin()
            .ok()
            .and_then(|b| b.split(|&c| c == b'\n').find(|l| !l.trim_ascii().is_empty()));
        return first.is_some_and(|l| serde_json::from_slice::<Question>(l).is_ok());
    }
    path.is_file() && path.extension().is_some_and(|e| e.eq_ignore_ascii_case("jsonl"))
}

/// Questions from every PATH in `opts` (`.jsonl` files as JSON Lines, the
/// rest as transcripts), with the model's label where `classify` gave one.
pub fn read(opts: &InputOptions) -> Result<Inputs, PipelineError> {
    let (jsonl, transcripts): (Vec<PathBuf>, Vec<PathBuf>) = opts.paths.iter().cloned().partition(|p| is_jsonl(p));
    let mut out = Inputs {
        questions: Vec::new(),
        diagnostics: Vec::new(),
        counts: None,
        outcome: Outcome::Complete,
    };
    for path in jsonl {
        match read_jsonl(&path)? {
            Some((rows, bad)) => {
                out.outcome = out.outcome.and(Outcome::partial_if(!bad.is_empty()));
                out.diagnostics.extend(bad);
                out.questions.extend(rows);
            }
            None => {
                out.diagnostics.push(Diagnostic::Skipped {
                    path,
                    why: format!("no line is {QUESTION_FROM}"),
                });
                out.outcome = Outcome::Partial;
            }
        }
    }
    if !transcripts.is_empty() {
        let loaded = load_transcripts(&InputOptions {
            paths: transcripts,
            ..opts.clone()
        })?;
        out.outcome = out.outcome.and(loaded.outcome);
        out.diagnostics.extend(loaded.diagnostics);
        out.counts = Some(loaded.counts);
        out.questions.extend(
            loaded
                .questions
                .into_iter()
                .map(|question| Input { question, model: None }),
        );
    }
    Ok(out)
}
