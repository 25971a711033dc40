//! The step every subcommand that reads transcripts shares: PATHs to
//! questions, one diagnostic on stderr per skipped file, a summary line.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context;
use earnings_qa::ingest;
use earnings_qa::period;
use earnings_qa::question::Question;
use earnings_qa::segment;
use rayon::prelude::*;

use super::Outcome;

/// Where transcripts come from and how to read them.
#[derive(clap::Args, Debug, Clone)]
pub struct InputArgs {
    /// Transcript files or folders (walked recursively).
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Layout of the inputs: `auto` detects it from each file's content.
    #[arg(long, default_value = "auto", value_name = "auto|NAME")]
    pub format: String,
    /// Fiscal-year-end month for a company the built-in table lacks or gets wrong, e.g. `--fye ACME=6`.
    #[arg(long, value_name = "TICKER=MONTH", value_parser = period::parse_override)]
    pub fye: Vec<(String, u32)>,
    /// A file of `TICKER=MONTH` lines (blank lines and `#` comments allowed), like repeated `--fye`.
    #[arg(long, value_name = "FILE")]
    pub fye_file: Option<PathBuf>,
}

/// A call's questions and the note on its placement, or why it was skipped.
type Segmented = Result<(Vec<Question>, Option<String>), String>;

/// What reading produced.
pub struct Loaded {
    pub questions: Vec<Question>,
    pub outcome: Outcome,
    pub counts: Counts,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Every file seen.
    pub files: usize,
    /// Files read as a transcript (with or without a Q&A).
    pub calls: usize,
    pub questions: usize,
    /// Files that gave no question, each named on stderr.
    pub skipped: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} files read, {} calls found, {} questions found, {} files skipped",
            self.files, self.calls, self.questions, self.skipped
        )
    }
}

impl InputArgs {
    fn overrides(&self) -> anyhow::Result<HashMap<String, u32>> {
        let mut out = HashMap::new();
        if let Some(path) = &self.fye_file {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let (t, m) =
                    period::parse_override(line).map_err(|e| anyhow::anyhow!("{}:{}: {e}", path.display(), n + 1))?;
                out.insert(t, m);
            }
        }
        out.extend(self.fye.iter().cloned());
        Ok(out)
    }

    /// Reads, segments and places every transcript under the paths.
    /// Diagnostics and the summary go to stderr; a bad `--format` or
    /// `--fye-file` is an error, a bad input file is a skip.
    pub fn load(&self) -> anyhow::Result<Loaded> {
        let overrides = self.overrides()?;
        let format = (self.format != "auto").then_some(self.format.as_str());
        if let Some(name) = format {
            ingest::format_named(name)?;
        }
        for p in &self.paths {
            anyhow::ensure!(p.exists(), "{}: no such file or folder", p.display());
        }
        let (calls, read_skips) = ingest::read_paths(&self.paths, format);
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
        // (path, "skipped" or "note", why), printed in file order.
        let mut diagnostics: Vec<(PathBuf, &str, String)> = read_skips
            .into_iter()
            .map(|s| (s.path, "skipped", s.error.to_string()))
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
                    if let Some(note) = note {
                        diagnostics.push((path, "note", note));
                    }
                    questions.extend(qs);
                }
                Err(reason) => diagnostics.push((path, "skipped", reason)),
            }
        }
        diagnostics.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, kind, why) in &diagnostics {
            eprintln!("earnings-qa: {kind} {}: {why}", path.display());
        }
        counts.skipped = diagnostics.iter().filter(|d| d.1 == "skipped").count();
        counts.questions = questions.len();
        let outcome = if counts.skipped > 0 {
            Outcome::Partial
        } else {
            Outcome::Complete
        };
        Ok(Loaded {
            questions,
            outcome,
            counts,
        })
    }
}
