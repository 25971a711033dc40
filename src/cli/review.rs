//! `earnings-qa review`: audit and correct labels in the terminal.
//!
//! ```text
//! earnings-qa review [PATH ...] --annotator NAME [--labels DIR]
//!     [--order uncertain|call|random] [--seed N] [--cell TICKER,QUARTER[,LABEL]]
//!     [--companies T1,T2] [--from Q] [--to Q] [--only LABEL] [--model DIR]
//! ```
//!
//! PATH is what `report` takes; `--cell` picks the questions behind one
//! cell of the report, as `report --questions` lists them. Each decision is
//! appended to `<labels>/<annotator>.jsonl` and on disk before the next
//! question shows.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context;
use earnings_qa::estimate::{Estimator, Method};
use earnings_qa::labels::{self, Appender, Label, Probs};
use earnings_qa::period;
use earnings_qa::pipeline::{self, CellRef, InputOptions, ModelOutputs, Outcome};
use earnings_qa::review::{self, App, Order, Session};
use ratatui::crossterm::event::{self, Event};

use super::classify::ModelArgs;
use super::input::{print_stale, read_inputs, SelectArgs};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Transcript files or folders, or .jsonl output of `classify` or `questions`.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    /// Whose decisions these are: they go to <labels>/<NAME>.jsonl.
    #[arg(long, value_name = "NAME", value_parser = annotator_name)]
    annotator: String,
    /// The labels folder [default: as `report` finds it; else ./labels, created].
    #[arg(long, value_name = "DIR")]
    labels: Option<PathBuf>,
    /// `uncertain`: closest top-two probabilities first; `call`: call by call;
    /// `random`: an audit sample drawn with --seed.
    #[arg(long, default_value = "uncertain", value_parser = ["uncertain", "call", "random"])]
    order: String,
    /// The seed of `--order random` [default: drawn, and printed at the end].
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Only the questions behind one cell of the report, e.g. `AMZN,2025Q4` or `ALL,2025Q4,investment`.
    #[arg(long, value_name = "COMPANY,QUARTER[,LABEL]")]
    cell: Option<String>,
    #[command(flatten)]
    select: SelectArgs,
    /// Only questions the report counts with this label.
    #[arg(long, value_name = "LABEL")]
    only: Option<Label>,
    /// Fiscal-year-end month for a company the built-in table lacks or gets wrong, e.g. `--fye ACME=6`.
    #[arg(long, value_name = "TICKER=MONTH", value_parser = period::parse_override)]
    fye: Vec<(String, u32)>,
    #[command(flatten)]
    model: ModelArgs,
}

/// A name that is a plain file name: letters, digits, `-`, `_`, `.`.
fn annotator_name(s: &str) -> Result<String, String> {
    let ok = !s.is_empty() && !s.starts_with('.') && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    ok.then(|| s.to_owned())
        .ok_or_else(|| format!("{s:?}: use letters, digits, '-', '_' and '.' (it names the labels file)"))
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    args.model.encoder.apply_threads();
    anyhow::ensure!(
        std::io::stdin().is_terminal() && std::io::stdout().is_terminal(),
        "review needs a terminal (standard input and output)"
    );
    let cell = args
        .cell
        .as_deref()
        .map(|s| CellRef::parse(s, "--cell"))
        .transpose()
        .map_err(anyhow::Error::msg)?;
    // Where `report` finds labels; a first review starts ./labels.
    let dir = match args.labels.clone().or_else(labels::locate) {
        Some(d) if !d.is_dir() => anyhow::bail!("labels {}: no such folder", d.display()),
        Some(d) => d,
        None => {
            let d = PathBuf::from("labels");
            std::fs::create_dir_all(&d).context("cannot create labels/")?;
            d
        }
    };
    // Before any slow step: refuse to start where decisions cannot be kept.
    let file = dir.join(format!("{}.jsonl", args.annotator));
    let appender = Appender::open(&file).with_context(|| format!("cannot write decisions to {}", file.display()))?;
    let (journal, _, labels_read) = super::load_labels(Some(&dir))?;

    let inputs = read_inputs(
        &InputOptions {
            paths: args.paths.clone(),
            fye: args.fye.clone(),
            ..InputOptions::default()
        },
        &args.select.companies,
    )?;
    let outcome = inputs.outcome.and(labels_read);
    let mut model = ModelOutputs::of(&inputs.questions);
    let selected = pipeline::select(inputs.questions, &journal, args.select.by.into(), args.select.filter());
    print_stale(&journal, &selected.stale);
    let missing = model.missing(selected.selection.questions().map(|p| &p.question));
    let probs = args.model.classify(&missing)?;
    model.add(&missing, probs);
    let unlabeled: Vec<Probs> = selected
        .unlabeled()
        .iter()
        .map(|q| model.get(q).expect("classified above").1)
        .collect();
    // Review lists questions; its cells' shares are plain counts.
    let count = Estimator::new(Method::Count, None).expect("counting needs no rates");
    let summary = selected.summarise(unlabeled, &count);

    let seed = args.seed.unwrap_or_else(|| rand::random::<u32>().into());
    let order = match args.order.as_str() {
        "call" => Order::Call,
        "random" => Order::Random { seed },
        _ => Order::Uncertain,
    };
    let items = review::order(review::items(&summary, cell.as_ref(), args.only, &model), order);
    anyhow::ensure!(
        !items.is_empty(),
        "no question to review among the input and filters given"
    );
    let sources: Vec<String> = items.iter().map(|i| i.question.source.clone()).collect();

    let mut app = App::new(Session::new(items, journal, appender, &args.annotator));
    let ended = run_terminal(&mut app);
    let changes = app.session.changes();
    println!("{changes}");
    if let Order::Random { seed } = order {
        println!("The random order was drawn with --seed {seed}.");
    }
    let head = PathBuf::from("models").join(&args.annotator);
    println!("Decisions are in {}.", file.display());
    println!(
        "The corrected report (human labels count at once):\n  {}",
        report_command(&args, &dir, cell.as_ref())
    );
    println!(
        "Retrain the model (train reads the labels of the questions under its PATHs: add the folders \
         earlier labels came from):\n  {} --out {}",
        train_command(&args, &dir, &sources),
        head.display()
    );
    println!(
        "The report by the retrained head:\n  {} --model {}",
        report_command(&args, &dir, None),
        head.display()
    );
    ended?;
    Ok(outcome)
}

/// The event loop, in the alternate screen; the terminal is restored
/// however it ends.
fn run_terminal(app: &mut App) -> anyhow::Result<()> {
    let mut terminal = ratatui::init();
    let result = (|| -> anyhow::Result<()> {
        while !app.quit {
            terminal.draw(|f| review::ui::draw(f, app))?;
            // A resize just redraws, at the new size.
            if let Event::Key(key) = event::read()? {
                app.handle(key)?;
            }
        }
        Ok(())
    })();
    ratatui::restore();
    result
}

fn shell_words(paths: impl IntoIterator<Item = String>) -> String {
    let words: Vec<String> = paths
        .into_iter()
        .map(
            |p| match p.contains(|c: char| c.is_whitespace() || "'\"$`\\".contains(c)) {
                true => format!("'{}'", p.replace('\'', r"'\''")),
                false => p,
            },
        )
        .collect();
    words.join(" ")
}

/// `train` reads transcripts: the PATHs if they are, else the folders of
/// the reviewed questions' transcripts.
fn train_command(args: &Args, dir: &Path, sources: &[String]) -> String {
    let jsonl = args.paths.iter().any(|p| p.extension().is_some_and(|e| e == "jsonl"));
    let mut paths: Vec<String> = match jsonl {
        false => args.paths.iter().map(|p| p.display().to_string()).collect(),
        true => sources
            .iter()
            .map(|s| {
                Path::new(s)
                    .parent()
                    .map_or_else(|| ".".into(), |p| p.display().to_string())
            })
            .collect(),
    };
    paths.sort();
    paths.dedup();
    format!("earnings-qa train --labels {} {}", dir.display(), shell_words(paths))
}

fn report_command(args: &Args, dir: &Path, cell: Option<&CellRef>) -> String {
    let paths = shell_words(args.paths.iter().map(|p| p.display().to_string()));
    let cell = cell.map_or_else(String::new, |c| {
        let label = c.label.map_or_else(String::new, |l| format!(",{l}"));
        format!(" --questions {},{}{label}", c.ticker, c.quarter)
    });
    format!("earnings-qa report {paths} --labels {}{cell}", dir.display())
}
