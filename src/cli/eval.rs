//! `earnings-qa eval --labels labels/ [PATH ...] [--folds K] [--json]`:
//! how well a head trained on the labels does on questions it has not
//! seen: k-fold cross-validation grouped by call, or, with
//! `--holdout-companies`, trained on every other company and tested on those.

use std::io::Write;
use std::path::PathBuf;

use earnings_qa::labels::Probs;
use earnings_qa::model::card::Evaluation;

use super::train::{DataArgs, TrainArgs};
use earnings_qa::pipeline::Outcome;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Folds of the cross-validation (grouped by call).
    #[arg(long, default_value_t = 5, value_name = "K")]
    folds: usize,
    /// Test on these tickers' questions, train on the rest, e.g. MSFT,AMZN,GOOGL,META,ORCL.
    #[arg(long, value_name = "TICKERS", value_delimiter = ',')]
    holdout_companies: Vec<String>,
    /// Instead of labels, how well each estimate recovers the labelled
    /// label shares of the --holdout-companies' calendar quarters, every
    /// question predicted by a head that never saw its company.
    #[arg(long, requires = "holdout_companies")]
    shares: bool,
    /// With --shares: the fewest labelled questions a quarter needs.
    #[arg(long, default_value_t = 40, value_name = "N")]
    min_questions: usize,
    /// Print the metrics as JSON.
    #[arg(long)]
    json: bool,
    /// Write each tested question's id, label, prediction and
    /// probabilities (from the head that did not train on it) as JSON
    /// Lines: what an error analysis reads.
    #[arg(long, value_name = "FILE", conflicts_with = "shares")]
    predictions: Option<PathBuf>,
    #[command(flatten)]
    training: TrainArgs,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    // Opened before the work, so that a bad path fails at once.
    let predictions = args
        .predictions
        .as_deref()
        .map(|p| super::Output::open(Some(p)))
        .transpose()?;
    let (mut data, _, _, outcome) = args.data.load()?;
    args.training.fine_tune(&mut data, &args.data.encoder)?;
    let opts = args.training.options();
    let mut out = std::io::stdout().lock();
    if args.shares {
        let shares = data.evaluate_shares(args.folds, &args.holdout_companies, args.min_questions, &opts)?;
        if args.json {
            writeln!(out, "{}", serde_json::to_string_pretty(&shares)?)?;
        } else {
            writeln!(out, "{}", shares.markdown())?;
        }
        data.remove_checkpoints();
        return Ok(outcome);
    }
    let (evaluation, predicted): (Evaluation, Vec<(usize, Probs)>) = if args.holdout_companies.is_empty() {
        let (evaluation, probs) = data.cross_validate(args.folds, &opts)?;
        (evaluation, probs.into_iter().enumerate().collect())
    } else {
        data.holdout_companies(&args.holdout_companies, &opts)?
    };
    if let Some(mut file) = predictions {
        for &(i, p) in &predicted {
            let q = &data.questions[i];
            let line = serde_json::json!({
                "id": q.id,
                "ticker": q.call.ticker,
                "calendar_quarter": q.call.calendar_quarter.map(|c| c.to_string()),
                "label": data.labels[i].name(),
                "predicted": p.argmax().name(),
                "probs": p,
            });
            writeln!(file, "{line}")?;
        }
        file.finish()?;
    }
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&evaluation)?)?;
    } else {
        writeln!(out, "{}\n\n{}", evaluation.method, evaluation.metrics.markdown())?;
    }
    data.remove_checkpoints();
    Ok(outcome)
}
