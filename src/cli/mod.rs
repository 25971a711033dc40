//! One file per subcommand, each with its `Args` (flags, converted into the
//! library's options) and a `run` function that calls `earnings_qa::pipeline`
//! and prints what it returns.

/// A line on stderr after `earnings-qa: `, unless `--quiet` was given:
/// notes, skips, summaries. Errors are printed whatever the flag.
macro_rules! say {
    ($($arg:tt)*) => {
        if !$crate::cli::quiet() {
            eprintln!("earnings-qa: {}", format_args!($($arg)*));
        }
    };
}

mod agreement;
mod classify;
mod eval;
mod fetch_model;
mod input;
mod questions;
mod report;
mod review;
mod train;

use std::io::{BufWriter, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use earnings_qa::labels::{self, Journal};
use earnings_qa::pipeline::{self, Outcome};

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "earnings-qa",
    version,
    about = "Analyst questions in earnings calls: split, classify, count"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print nothing on stderr but errors: no notes, skips or summary (the exit code still says whether input was skipped).
    #[arg(short, long, global = true)]
    quiet: bool,
}

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// True under `--quiet`.
pub fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Split transcripts into analyst questions (JSON Lines).
    Questions(questions::Args),
    /// Label each question with the encoder and the trained head (JSON Lines).
    Classify(classify::Args),
    /// Train a head on the labels in labels/.
    Train(train::Args),
    /// Cross-validate a head on the labels in labels/.
    Eval(eval::Args),
    /// Count question types by company and quarter.
    Report(report::Args),
    /// Download and verify the encoder's weights.
    FetchModel(fetch_model::Args),
    /// Audit and correct labels in the terminal, one key a question.
    Review(review::Args),
    /// Agreement (Cohen's kappa) between two annotators, or an annotator and the model.
    Agreement(agreement::Args),
}

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    QUIET.store(cli.quiet, std::sync::atomic::Ordering::Relaxed);
    match cli.command {
        Command::Questions(a) => questions::run(a),
        Command::Classify(a) => classify::run(a),
        Command::Train(a) => train::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Report(a) => report::run(a),
        Command::FetchModel(a) => fetch_model::run(a),
        Command::Review(a) => review::run(a),
        Command::Agreement(a) => agreement::run(a),
    }
}

/// Where a subcommand writes its result: stdout, or FILE (`-o`). A FILE
/// is written under a temporary name beside it and renamed over it by
/// `finish`, so an interrupted or failed run leaves the old file whole; it
/// is opened before any work, so a bad path fails at once. A FILE that is
/// not a regular file (`/dev/null`, a FIFO) is written in place. Write
/// errors name the FILE.
pub struct Output {
    out: BufWriter<Box<dyn Write>>,
    path: Option<PathBuf>,
    temp: Option<tempfile::TempPath>,
}

impl Output {
    pub fn open(path: Option<&Path>) -> anyhow::Result<Output> {
        let Some(path) = path else {
            return Ok(Output {
                out: BufWriter::new(Box::new(std::io::stdout().lock())),
                path: None,
                temp: None,
            });
        };
        let cannot = || format!("cannot write {}", path.display());
        let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file());
        let (file, temp) = if special {
            (
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .with_context(cannot)?,
                None,
            )
        } else {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let name = path.file_name().with_context(cannot)?.to_string_lossy();
            let temp = tempfile::Builder::new()
                .prefix(&format!(".{name}."))
                .suffix(".tmp")
                .permissions(std::fs::Permissions::from_mode(0o666))
                .tempfile_in(dir)
                .with_context(cannot)?;
            let (file, temp) = temp.into_parts();
            (file, Some(temp))
        };
        Ok(Output {
            out: BufWriter::new(Box::new(file)),
            path: Some(path.to_path_buf()),
            temp,
        })
    }

    /// Flushes the output and puts FILE in place.
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.flush()?;
        if let (Some(temp), Some(path)) = (self.temp.take(), &self.path) {
            temp.persist(path)
                .map_err(|e| e.error)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(())
    }

    /// An error of writing, naming FILE (and keeping its kind: a closed pipe stays one).
    fn named(&self, e: std::io::Error) -> std::io::Error {
        match &self.path {
            Some(p) => std::io::Error::new(e.kind(), format!("cannot write {}: {e}", p.display())),
            None => e,
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf).map_err(|e| self.named(e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush().map_err(|e| self.named(e))
    }
}

/// The label journal: the folder (or file) `--labels` names, else the one
/// `labels::locate` finds; stderr says which, or that there is none. A
/// folder named (by flag or `$EARNINGS_QA_LABELS`) that does not exist is
/// an error. A line that is no decision is named by file and line and left
/// out; then the outcome is partial.
pub fn load_labels(named: Option<&Path>) -> anyhow::Result<(Journal, Option<PathBuf>, Outcome)> {
    let Some(dir) = named.map(Path::to_path_buf).or_else(labels::locate) else {
        say!(
            "no labels folder (none named, no ./labels, no {}): every label is the model's",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("labels").display()
        );
        return Ok((Journal::default(), None, Outcome::Complete));
    };
    anyhow::ensure!(dir.exists(), "labels {}: no such file or folder", dir.display());
    let (journal, bad) = pipeline::load_labels(&dir)?;
    input::print_diagnostics(&bad);
    say!("labels from {} ({} questions labeled)", dir.display(), journal.len());
    Ok((journal, Some(dir), Outcome::partial_if(!bad.is_empty())))
}

/// True where `err` is a closed pipe, however it was wrapped: `earnings-qa
/// questions | head` is not an error.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        let kind = match (
            e.downcast_ref::<std::io::Error>(),
            e.downcast_ref::<serde_json::Error>(),
        ) {
            (Some(io), _) => Some(io.kind()),
            // serde_json hides the io::Error it wraps from `source()`.
            (None, Some(json)) => json.io_error_kind(),
            (None, None) => None,
        };
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}
