//! `earnings-qa classify [PATH ...] [-o FILE] [--device auto|cpu|cuda] [--model DIR]`:
//! the `questions` JSON Lines with two more fields per question, `label`
//! and `probs`. Also home of the encoder flags `train` and `eval` share.
//!
//! No questions in the input is not an error: the output is empty and the
//! exit code says whether files were skipped, as for `questions`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use earnings_qa::aggregate::Classified;
use earnings_qa::estimate::{Estimator, Method};
use earnings_qa::labels::Probs;
use earnings_qa::model::card::{self, ModelCard};
use earnings_qa::model::device::{self, DeviceChoice};
use earnings_qa::model::encoder::{Precision, Spec};
use earnings_qa::model::{self, cache, Classifier, Device, Embedder, Options};
use earnings_qa::pipeline::Outcome;
use earnings_qa::question::Question;

use super::input::InputArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
}

/// How the encoder runs: flags shared by `classify`, `train` and `eval`.
#[derive(clap::Args, Debug, Clone)]
pub struct EncoderArgs {
    /// Where to run the encoder, and fine-tuning: `auto` takes the GPU when
    /// the binary was built with the `cuda` feature and one is present.
    #[arg(long, default_value = "auto", value_name = "auto|cpu|cuda")]
    device: DeviceChoice,
    /// Questions per forward pass (questions are sorted by length first)
    /// [default: 8 on the CPU, 64 on a GPU].
    #[arg(long, value_name = "N")]
    batch_size: Option<usize>,
    /// Threads for tokenising and the CPU encoder [default: all cores].
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// The encoder to train or evaluate a head on: all-MiniLM-L6-v2 or
    /// all-mpnet-base-v2 (`classify` and `report` use the one the head was trained on).
    #[arg(long, default_value = "all-MiniLM-L6-v2", value_parser = Spec::named, value_name = "NAME")]
    pub encoder: &'static Spec,
    /// The encoder's arithmetic [default: bf16 on a CPU with AVX-512 BF16, else f32].
    /// bf16 runs the packed CPU encoder, about 3 times as fast, within cosine 0.999 of f32.
    #[arg(long, value_name = "f32|bf16")]
    precision: Option<Precision>,
    /// Encode every question, neither reading nor writing the embedding cache.
    #[arg(long)]
    no_cache: bool,
    /// The embedding cache [default: $XDG_CACHE_HOME/earnings-qa, else .cache/earnings-qa].
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

impl EncoderArgs {
    /// Sets the thread count before any thread pool starts: rayon and
    /// candle's CPU kernels both read RAYON_NUM_THREADS.
    pub fn apply_threads(&self) {
        if let Some(n) = self.threads {
            std::env::set_var("RAYON_NUM_THREADS", n.max(1).to_string());
        }
    }

    /// The device `--device` picks, for encoding and for fine-tuning.
    pub fn device(&self) -> anyhow::Result<Device> {
        Ok(device::select(self.device)?)
    }

    /// The flags given that only shape frozen embeddings: fine-tuning runs
    /// f32, in batches of its own, and caches nothing.
    pub fn frozen_only_flags(&self) -> Vec<&'static str> {
        [
            ("--batch-size", self.batch_size.is_some()),
            ("--precision", self.precision.is_some()),
            ("--no-cache", self.no_cache),
            ("--cache-dir", self.cache_dir.is_some()),
        ]
        .into_iter()
        .filter_map(|(flag, given)| given.then_some(flag))
        .collect()
    }

    /// The device, and how to encode on it; a progress bar only when
    /// stderr is a terminal.
    pub fn setup(&self) -> anyhow::Result<(Device, Options)> {
        let device = self.device()?;
        // A GPU runs a batch of 8 hardly faster than one of 1 (kernel
        // launches dominate); on the CPU small batches stay in cache.
        let batch_size = self.batch_size.unwrap_or(if device.is_cuda() { 64 } else { 8 });
        let options = Options {
            encoder: self.encoder,
            encoder_dir: None,
            batch_size: batch_size.max(1),
            cache_dir: (!self.no_cache).then(|| self.cache_dir.clone().unwrap_or_else(cache::default_dir)),
            progress: std::io::stderr().is_terminal() && !super::quiet(),
            precision: self.precision,
            delta: None,
        };
        Ok((device, options))
    }
}

/// Says on stderr what opening the embedding cache found wrong.
pub fn note_cache(embedder: &Embedder) {
    if let Some(note) = embedder.cache_note() {
        say!("note {note}");
    }
}

/// Which head and how to run the encoder: flags of the commands that classify.
#[derive(clap::Args, Debug, Clone)]
pub struct ModelArgs {
    /// The trained head's folder [default: models/default].
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
    #[command(flatten)]
    pub encoder: EncoderArgs,
}

impl ModelArgs {
    pub fn head_dir(&self) -> PathBuf {
        self.model.clone().unwrap_or_else(|| model::locate(model::DEFAULT_HEAD))
    }

    /// The estimator for `method`, with the head's cross-validated rates
    /// from its model card: `acc` and `em` need them, `pcc` takes its
    /// class totals from them where the head has a card.
    pub fn estimator(&self, method: Method) -> anyhow::Result<Estimator> {
        let dir = self.head_dir();
        let rates = if method.needs_rates() || (method == Method::Pcc && dir.join(card::JSON).is_file()) {
            ModelCard::load(&dir)?.rates
        } else {
            None
        };
        Estimator::new(method, rates).with_context(|| format!("--estimate {method}: head {}", dir.display()))
    }

    /// The model's probabilities for `questions`, loading the head only if
    /// there are any, and saying which head and encoder labeled them.
    pub fn classify(&self, questions: &[Question]) -> anyhow::Result<Vec<Probs>> {
        if questions.is_empty() {
            return Ok(Vec::new());
        }
        let head_dir = self.head_dir();
        let (device, opts) = self.encoder.setup()?;
        let classifier = Classifier::load(&head_dir, device, opts)?;
        note_cache(classifier.embedder());
        let probs = classifier.classify(questions)?;
        let embedder = classifier.embedder();
        let tuned = embedder
            .delta()
            .map(|d| format!(" with {}", d.display()))
            .unwrap_or_default();
        say!(
            "the model labeled {} questions (head {}, encoder {}{tuned})",
            questions.len(),
            head_dir.display(),
            model::locate(embedder.encoder().spec().dir).display()
        );
        Ok(probs)
    }
}

/// One line of output: the question and what the model made of it.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    args.model.encoder.apply_threads();
    let mut out = super::Output::open(args.output.as_deref())?;
    let start = Instant::now();
    let head_dir = args.model.head_dir();
    let (device, opts) = args.model.encoder.setup()?;
    let classifier = Classifier::load(&head_dir, device, opts)?;
    note_cache(classifier.embedder());
    let loaded_in = start.elapsed().as_secs_f64();
    let input = args.input.load()?;

    let start = Instant::now();
    let probs = classifier.classify(&input.questions)?;
    let secs = start.elapsed().as_secs_f64();

    let n = input.questions.len();
    for (question, probs) in input.questions.into_iter().zip(probs) {
        serde_json::to_writer(
            &mut out,
            &Classified {
                question,
                label: probs.argmax(),
                probs,
            },
        )?;
        out.write_all(b"\n")?;
    }
    out.finish()?;
    say!(
        "classified {n} questions in {secs:.2} s ({:.1} questions/s; model loaded in {loaded_in:.2} s: head {}, encoder {})",
        if secs > 0.0 { n as f64 / secs } else { 0.0 },
        head_dir.display(),
        model::locate(classifier.embedder().encoder().spec().dir).display()
    );
    Ok(input.outcome)
}
