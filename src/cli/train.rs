//! `earnings-qa train --labels labels/ [PATH ...] [--out models/<name>]`:
//! fits a head on the final labels of the questions found under PATH,
//! cross-validates it grouped by call, and writes the head with its model
//! card. Also the labeled-data step `eval` shares.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use earnings_qa::estimate::HeadRates;
use earnings_qa::labels::{self, Journal};
use earnings_qa::model::calibration::{scale, Calibration};
use earnings_qa::model::card::{Agreement, DataSummary, EncoderInfo, Evaluation, FineTuneInfo, ModelCard};
use earnings_qa::model::finetune::{self, Tuner};
use earnings_qa::model::head::TrainOptions;
use earnings_qa::model::quantify::SharesEval;
use earnings_qa::model::train::Dataset;
use earnings_qa::model::{self, cache, lexical, Embedder};

use super::classify::EncoderArgs;
use super::input::InputArgs;
use earnings_qa::pipeline::Outcome;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Folder to write the head and its model card to [default: models/default].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Folds of the grouped cross-validation written into the model card (0: none).
    #[arg(long, default_value_t = 5, value_name = "K")]
    folds: usize,
    /// A Markdown file of what was tried and measured, kept in the model card.
    #[arg(long, value_name = "FILE")]
    notes: Option<PathBuf>,
    #[command(flatten)]
    training: TrainArgs,
}

/// Labels, the transcripts they name, and how to encode them.
#[derive(clap::Args, Debug)]
pub struct DataArgs {
    /// Label journal: a folder of *.jsonl files, or one file [default:
    /// $EARNINGS_QA_LABELS, else ./labels, else the source tree's labels/].
    #[arg(long, value_name = "DIR")]
    labels: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    pub(super) encoder: EncoderArgs,
}

#[derive(clap::Args, Debug, Clone)]
pub struct TrainArgs {
    /// Full-batch optimiser steps.
    #[arg(long, default_value_t = TrainOptions::default().epochs, value_name = "N")]
    epochs: usize,
    #[arg(long, default_value_t = TrainOptions::default().learning_rate, value_name = "RATE")]
    learning_rate: f64,
    /// L2 penalty on the weights, added to the mean loss (regularisation).
    #[arg(long, default_value_t = TrainOptions::default().weight_decay, value_name = "RATE")]
    weight_decay: f64,
    /// Class weighting: 1 weighs classes equally, 0 weighs examples equally.
    #[arg(long, default_value_t = TrainOptions::default().balance, value_name = "0..1")]
    balance: f64,
    /// Fine-tune the encoder's top N layers for each head (0: the frozen
    /// encoder). The head ships them as a delta over the pinned weights.
    /// Fine-tuning runs in f32, in batches of its own, and caches no
    /// embeddings: --precision, --batch-size, --no-cache and --cache-dir
    /// do not apply to it.
    #[arg(long, default_value_t = 0, value_name = "N")]
    fine_tune_layers: usize,
    #[arg(long, default_value_t = finetune::Options::default().epochs, value_name = "N")]
    fine_tune_epochs: usize,
    /// AdamW's rate for the fine-tuned layers.
    #[arg(long, default_value_t = finetune::Options::default().learning_rate, value_name = "RATE")]
    fine_tune_learning_rate: f64,
    /// Where fine-tuning checkpoints go (every 50 steps; a rerun on the same
    /// labels and options resumes; removed when the command succeeds)
    /// [default: fine-tune/ in the embedding cache folder].
    #[arg(long, value_name = "DIR")]
    checkpoints: Option<PathBuf>,
}

impl TrainArgs {
    /// With --fine-tune-layers, the tuner every head is fitted over, its
    /// frozen layers run over `texts`.
    fn tuner(&self, texts: &[&str], encoder: &EncoderArgs) -> anyhow::Result<Option<Tuner>> {
        if self.fine_tune_layers == 0 {
            return Ok(None);
        }
        let ignored = encoder.frozen_only_flags();
        if !ignored.is_empty() {
            say!(
                "note: fine-tuning ignores {} (it runs f32, in batches of its own, and caches no embeddings)",
                ignored.join(", ")
            );
        }
        let opts = finetune::Options {
            layers: self.fine_tune_layers,
            epochs: self.fine_tune_epochs,
            learning_rate: self.fine_tune_learning_rate,
            balance: self.balance,
            ..Default::default()
        };
        let checkpoints = self
            .checkpoints
            .clone()
            .unwrap_or_else(|| cache::default_dir().join("fine-tune"));
        let progress = std::io::stderr().is_terminal() && !super::quiet();
        let dir = model::locate(encoder.encoder.dir);
        let device = encoder.device()?;
        let note = |m: &str| say!("{m}");
        let tuner = Tuner::new(
            encoder.encoder,
            &dir,
            texts,
            opts,
            Some(checkpoints),
            progress,
            note,
            &device,
        )?;
        Ok(Some(tuner))
    }

    pub fn options(&self) -> TrainOptions {
        TrainOptions {
            epochs: self.epochs,
            learning_rate: self.learning_rate,
            weight_decay: self.weight_decay,
            balance: self.balance,
        }
    }
}

impl DataArgs {
    /// Reads the labels and the transcripts, matches them, names on stderr
    /// the labeled ids it could not match, and embeds the labeled questions
    /// (with --fine-tune-layers, only through the encoder's frozen layers).
    pub fn load(&self, training: &TrainArgs) -> anyhow::Result<(Dataset, Journal, PathBuf, Outcome)> {
        self.encoder.apply_threads();
        let (journal, dir, labels_read) = super::load_labels(self.labels.as_deref())?;
        let dir = dir.ok_or_else(|| anyhow::anyhow!("no labels to learn from (name them with --labels)"))?;
        anyhow::ensure!(!journal.is_empty(), "{}: no label decisions found", dir.display());
        let input = self.input.load()?;
        let resolved = labels::resolve(&journal, &input.questions);
        report_ids("labeled ids not among the questions read", &resolved.unknown);
        report_ids(
            "labeled ids whose question text changed since labeling (left out)",
            &resolved.changed,
        );
        anyhow::ensure!(
            !resolved.labeled.is_empty(),
            "none of the {} labeled ids in {} is among the questions read from the input",
            journal.len(),
            dir.display()
        );
        say!("{} labeled questions found", resolved.labeled.len());
        let texts: Vec<&str> = resolved.labeled.iter().map(|(q, _)| q.text.as_str()).collect();
        let data = match training.tuner(&texts, &self.encoder)? {
            Some(tuner) => Dataset::tuned(resolved.labeled, tuner),
            None => {
                let (device, opts) = self.encoder.setup()?;
                let embedder = Embedder::load(device, opts)?;
                super::classify::note_cache(&embedder);
                Dataset::new(resolved.labeled, &embedder)?
            }
        };
        Ok((data, journal, dir, input.outcome.and(labels_read)))
    }
}

/// At most this many ids are listed; the count is always given.
const LISTED_IDS: usize = 20;

fn report_ids(what: &str, ids: &[String]) {
    if ids.is_empty() {
        return;
    }
    let shown = ids
        .iter()
        .take(LISTED_IDS)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    let more = if ids.len() > LISTED_IDS {
        format!(" and {} more", ids.len() - LISTED_IDS)
    } else {
        String::new()
    };
    say!("{} {what}: {shown}{more}", ids.len());
}

/// The out-of-company evaluations of the card already in `out`, when it
/// was trained with these settings on the same labelled data: they measured
/// the method (each trains its own heads), not the weights being replaced,
/// and cost an hour or more to redo.
fn kept_evaluations(
    out: &Path,
    encoder: &str,
    fine_tune: Option<&finetune::Options>,
    opts: &TrainOptions,
    summary: &DataSummary,
) -> (Option<Evaluation>, Option<SharesEval>) {
    let Ok(earlier) = ModelCard::load(out) else {
        return (None, None);
    };
    if earlier.leave_companies_out.is_none() && earlier.shares.is_none() {
        return (None, None);
    }
    match earlier.differs_from(encoder, fine_tune, opts, summary) {
        Some(why) => {
            say!("{}: its out-of-company evaluations are dropped: {why}", out.display());
            (None, None)
        }
        None => {
            say!(
                "{}: keeps its out-of-company evaluations (same encoder, options and labelled data)",
                out.display()
            );
            (earlier.leave_companies_out, earlier.shares)
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let notes = match &args.notes {
        Some(path) => {
            Some(std::fs::read_to_string(path).with_context(|| format!("{}: cannot read the notes", path.display()))?)
        }
        None => None,
    };
    let (data, journal, labels_dir, outcome) = args.data.load(&args.training)?;
    let spec = args.data.encoder.encoder;
    let agreement = Agreement::of(&journal);
    let opts = args.training.options();
    let out = args.out.unwrap_or_else(|| model::locate(model::DEFAULT_HEAD));
    let summary = data.summary(&labels_dir.display().to_string());
    let (leave_companies_out, shares) =
        kept_evaluations(&out, spec.name, data.tuner().map(|t| t.options()), &opts, &summary);
    let (cross_validation, calibration, rates) = match args.folds {
        0 => (None, None, None),
        k => {
            let (evaluation, probs) = data.cross_validate(k, &opts)?;
            let method = format!(
                "fitted on the {} questions' {k}-fold cross-validated outputs",
                data.len()
            );
            let calibration = Calibration::fit(&probs, &data.labels, method);
            let calibrated: Vec<_> = probs.iter().map(|p| scale(p, calibration.temperature)).collect();
            let rates = HeadRates::of(&calibrated, &data.labels);
            (Some(evaluation), Some(calibration), Some(rates))
        }
    };
    let (head, delta) = data.train(&opts)?;
    head.save(&out)?;
    let delta_path = out.join(finetune::DELTA_FILE);
    let fine_tune = match (delta, data.tuner()) {
        (Some(delta), Some(tuner)) => Some(FineTuneInfo {
            options: tuner.options().clone(),
            delta_sha256: delta.save(&delta_path)?,
        }),
        _ => {
            // A frozen head's folder must not keep an earlier head's delta.
            if delta_path.exists() {
                std::fs::remove_file(&delta_path)
                    .with_context(|| format!("{}: cannot remove", delta_path.display()))?;
            }
            None
        }
    };
    let name = out
        .file_name()
        .map_or_else(|| "head".to_owned(), |n| n.to_string_lossy().into_owned());
    let card = ModelCard {
        name,
        labels: earnings_qa::labels::Label::ALL
            .iter()
            .map(|l| l.name().to_owned())
            .collect(),
        encoder: EncoderInfo {
            name: spec.name.into(),
            sha256: spec.sha256.into(),
            dim: data.dim(),
            max_tokens: spec.max_tokens,
            fine_tune,
        },
        head: format!(
            "multinomial logistic regression over the embedding and TF-IDF of the question's word \
             1-2-grams (document frequency >= {}) and character 3-5-grams within words (document \
             frequency >= {}) and of the first {} words of the executives' reply (unigrams, document \
             frequency >= {}, half weight), at most {} terms of each kind, {} kept; each once as it \
             is and once scaled by the call's AI mentions per 1,000 words (capped at {}), plus that \
             scale; cross-entropy",
            lexical::MIN_DF,
            lexical::MIN_DF_CHARS,
            earnings_qa::segment::REPLY_WORDS,
            lexical::MIN_DF_CHARS,
            lexical::MAX_TERMS,
            head.vocab().len(),
            earnings_qa::model::head::AI_SATURATION
        ),
        training: opts,
        data: summary,
        cross_validation,
        leave_companies_out,
        shares,
        calibration,
        rates,
        agreement,
        notes,
        created: chrono::Utc::now(),
    };
    card.save(&out)?;
    data.remove_checkpoints();
    if let Some(cv) = &card.cross_validation {
        eprintln!("{}\n\n{}", cv.method, cv.metrics.markdown());
    }
    say!("wrote {} (head and model card)", out.display());
    Ok(outcome)
}
