//! PATHs of transcripts to questions: read, segment, place each call, and
//! say what was skipped.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use super::{Diagnostic, Outcome, PipelineError};
use crate::question::Question;
use crate::{ingest, period, segment};

/// Where transcripts come from and how to read them.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// Transcript files or folders (walked recursively).
    pub paths: Vec<PathBuf>,
    /// A layout's name; `None` detects it from each file's content.
    pub layout: Option<String>,
    /// Fiscal-year-end months the built-in table lacks or gets wrong.
    pub fye: Vec<(String, u32)>,
    /// A file of `TICKER=MONTH` lines (blank lines and `#` comments allowed).
    pub fye_file: Option<PathBuf>,
}

/// What reading produced.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub questions: Vec<Question>,
    /// Skipped files and notes, by path.
    pub diagnostics: Vec<Diagnostic>,
    pub counts: Counts,
    pub outcome: Outcome,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Every file seen.
    pub files: usize,
    /// Files read as a transcript (with or without a Q&A).
    pub calls: usize,
    pub questions: usize,
    /// Files that gave no question.
    pub skipped: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = |count: usize, one: &str, many: &str| format!("{count} {}", if count == 1 { one } else { many });
        write!(
            f,
            "{} read, {} found, {} found, {} skipped",
            n(self.files, "file", "files"),
            n(self.calls, "call", "calls"),
            n(self.questions, "question", "questions"),
            n(self.skipped, "file", "files")
        )
    }
}

impl InputOptions {
    fn overrides(&self) -> Result<HashMap<String, u32>, PipelineError> {
        let mut out = HashMap::new();
        if let Some(path) = &self.fye_file {
            let text = std::fs::read_to_string(path).map_err(|error| PipelineError::ReadFye {
                path: path.clone(),
                error,
            })?;
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let (t, m) = period::parse_override(line).map_err(|message| PipelineError::BadFye {
                    path: path.clone(),
                    line: n + 1,
                    message,
                })?;
                out.insert(t, m);
            }
        }
        out.extend(self.fye.iter().cloned());
        Ok(out)
    }
}

/// A call's questions and the note on its placement, or why it was skipped.
type Segmented = Result<(Vec<Question>, Option<String>), String>;

/// Reads, segments and places every transcript under the paths. A bad
/// layout name or `fye_file` is an error, a bad input file a diagnostic.
pub fn load_transcripts(opts: &InputOptions) -> Result<Loaded, PipelineError> {
    let overrides = opts.overrides()?;
    let layout = opts.layout.as_deref();
    if let Some(name) = layout {
        ingest::format_named(name)?;
    }
    if let Some(p) = opts.paths.iter().find(|p| !p.exists() && !ingest::is_stdin(p)) {
        return Err(PipelineError::NoSuchPath(p.clone()));
    }
    let (calls, read_skips) = ingest::read_paths(&opts.paths, layout);
    let results: Vec<(PathBuf, Segmented)> = calls
        .par_iter()
        .map(|call| {
            let r = segment::questions(call).map(|asked| {
                let placement = period::place(call, &overrides);
                let note = placement.note.clone();
                (Question::for_call(call, &placement, asked), note)
            });
            (call.source.clone(), r.map_err(|e| e.to_string()))
        })
        .collect();
    let mut diagnostics: Vec<Diagnostic> = read_skips
        .into_iter()
        .map(|s| Diagnostic::Skipped {
            path: s.path,
            why: s.error.to_string(),
        })
        .collect();
    let mut counts = Counts {
        files: calls.len() + diagnostics.len(),
        calls: calls.len(),
        ..Counts::default()
    };
    let mut questions = Vec::new();
    for (path, r) in results {
        match r {
            Ok((qs, note)) => {
                if let Some(why) = note {
                    diagnostics.push(Diagnostic::Note { path, why });
                }
                questions.extend(qs);
            }
            Err(why) => diagnostics.push(Diagnostic::Skipped { path, why }),
        }
    }
    // Stable: a file's notes keep their order.
    diagnostics.sort_by(|a, b| a.path().cmp(b.path()));
    counts.skipped = diagnostics.iter().filter(|d| d.is_skip()).count();
    counts.questions = questions.len();
    Ok(Loaded {
        questions,
        diagnostics,
        outcome: Outcome::partial_if(counts.skipped > 0),
        counts,
    })
}
