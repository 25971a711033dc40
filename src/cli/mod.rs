//! One file per subcommand, each with its `Args` (flags, converted into the
//! library's options) and a `run` function that calls `earnings_qa::pipeline`
//! and prints what it returns.

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
use std::path::Path;

use anyhow::Context;
use earnings_qa::pipeline::Outcome;

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

/// Where a subcommand writes its result: FILE (`-o`) or stdout.
pub fn output(path: Option<&Path>) -> anyhow::Result<BufWriter<Box<dyn Write>>> {
    let out: Box<dyn Write> = match path {
        Some(p) => Box::new(std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    Ok(BufWriter::new(out))
}
