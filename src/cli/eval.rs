//! `earnings-qa eval --labels labels/ [PATH ...] [--folds K] [--json]`:
//! how well a head trained on the labels does on questions it has not
//! seen: k-fold cross-validation grouped by call, or, with
//! `--holdout-companies`, trained on every other company and tested on
//! those. `--card` records the result in the model card of the head the
//! same settings trained.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use earnings_qa::labels::Probs;
use earnings_qa::model::card::{self, Evaluation, ModelCard};
use earnings_qa::model::train::Dataset;

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
    /// Lines: what an error analysis reads. With --shares, every
    /// question's raw out-of-company probabilities.
    #[arg(long, value_name = "FILE")]
    predictions: Option<PathBuf>,
    /// Record the evaluation in the model card in DIR (card.json and
    /// card.md): refused unless DIR's head was trained with the same
    /// encoder, fine-tuning, options and labels.
    #[arg(long, value_name = "DIR")]
    card: Option<PathBuf>,
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
    let card = args
        .card
        .as_deref()
        .map(|dir| ModelCard::load(dir).map(|c| (dir, c)))
        .transpose()?;
    let (data, _, labels_dir, outcome) = args.data.load(&args.training)?;
    let opts = args.training.options();
    // Checked before the work, which may take an hour.
    if let Some((dir, c)) = &card {
        let fine_tune = data.tuner().map(|t| t.options());
        let summary = data.summary(&labels_dir.display().to_string());
        if let Some(why) = c.differs_from(args.data.encoder.encoder.name, fine_tune, &opts, &summary) {
            anyhow::bail!("{}: not the head this evaluation trains: {why}", dir.display());
        }
    }
    let record = |update: &dyn Fn(&mut ModelCard)| -> anyhow::Result<()> {
        if let Some((dir, c)) = &card {
            let mut c = c.clone();
            update(&mut c);
            c.save(dir)
                .with_context(|| format!("{}: cannot record the evaluation", dir.display()))?;
            say!("recorded the evaluation in {}", dir.join(card::JSON).display());
        }
        Ok(())
    };
    let mut out = std::io::stdout().lock();
    if args.shares {
        let (shares, raw) = data.evaluate_shares(args.folds, &args.holdout_companies, args.min_questions, &opts)?;
        if let Some(file) = predictions {
            write_predictions(file, &data, raw.into_iter().enumerate())?;
        }
        if args.json {
            writeln!(out, "{}", serde_json::to_string_pretty(&shares)?)?;
        } else {
            writeln!(out, "{}", shares.markdown())?;
        }
        record(&|c| c.shares = Some(shares.clone()))?;
        data.remove_checkpoints();
        return Ok(outcome);
    }
    let (evaluation, predicted): (Evaluation, Vec<(usize, Probs)>) = if args.holdout_companies.is_empty() {
        let (evaluation, probs) = data.cross_validate(args.folds, &opts)?;
        (evaluation, probs.into_iter().enumerate().collect())
    } else {
        data.holdout_companies(&args.holdout_companies, &opts)?
    };
    if args.holdout_companies.is_empty() {
        record(&|c| c.cross_validation = Some(evaluation.clone()))?;
    } else {
        record(&|c| c.leave_companies_out = Some(evaluation.clone()))?;
    }
    if let Some(file) = predictions {
        write_predictions(file, &data, predicted.into_iter())?;
    }
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&evaluation)?)?;
    } else {
        writeln!(out, "{}\n\n{}", evaluation.method, evaluation.metrics.markdown())?;
    }
    data.remove_checkpoints();
    Ok(outcome)
}

/// One JSON line per question: id, company, quarter, label, prediction
/// and the probabilities of the head that did not train on it.
fn write_predictions(
    mut file: super::Output,
    data: &Dataset,
    predicted: impl Iterator<Item = (usize, Probs)>,
) -> anyhow::Result<()> {
    for (i, p) in predicted {
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
    Ok(())
}
