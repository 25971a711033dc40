//! Questions to probabilities: the all-MiniLM-L6-v2 sentence encoder
//! (candle BERT) feeding a small trained head, with an embedding cache so
//! that a re-run only encodes questions it has not seen.
//!
//! Where things live: `models/all-MiniLM-L6-v2/` holds the fetched encoder
//! (see `fetch`), `models/<name>/` a trained head with its model card.

#[cfg(target_arch = "x86_64")]
pub mod bert;
pub mod cache;
pub mod calibration;
pub mod card;
pub mod device;
pub mod encoder;
pub mod features;
pub mod fetch;
pub mod finetune;
mod fused;
pub mod head;
#[cfg(target_arch = "x86_64")]
pub mod kernels;
pub mod layer;
pub mod lexical;
pub mod metrics;
pub mod mpnet;
pub mod quantify;
pub mod train;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use candle_core::Device;

use crate::labels::Probs;
use crate::question::Question;
use cache::Cache;
use encoder::Encoder;
use head::{Head, Input};

/// The head `classify` uses unless `--model` names another.
pub const DEFAULT_HEAD: &str = "default";

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("encoder weights not found in {} (run `earnings-qa fetch-model --encoder {encoder}`)", dir.display())]
    MissingWeights { dir: PathBuf, encoder: &'static str },
    #[error("{0} not found beside the encoder's weights (run `earnings-qa fetch-model`)")]
    MissingEncoderFile(PathBuf),
    #[error("{path}: sha256 {found} is not the expected {expected}; the file is corrupt or not {encoder} (delete it and run `earnings-qa fetch-model --encoder {encoder}`)")]
    CorruptWeights {
        path: PathBuf,
        encoder: &'static str,
        expected: String,
        found: String,
    },
    #[error("no trained head in {0} (expected head.safetensors, vocab.json and card.json; train one with `earnings-qa train`)")]
    MissingHead(PathBuf),
    #[error("{path}: head expects {head}-dimensional embeddings but the encoder gives {encoder}")]
    HeadDimension { path: PathBuf, head: usize, encoder: usize },
    #[error("{path}: {message}")]
    BadHead { path: PathBuf, message: String },
    #[error("CUDA requested, but this binary was built without the `cuda` feature (rebuild with `cargo build --release --features cuda`, or use --device cpu)")]
    NoCuda,
    #[error("--precision bf16 needs a CPU with AVX-512 BF16 (this one lacks it, or the encoder runs on a GPU); use --precision f32")]
    NoBf16,
    #[error("cannot use the GPU: {0}")]
    Gpu(String),
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("fetching the weights: {0}")]
    Fetch(String),
    #[error("training: {0}")]
    Train(String),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
}

impl ModelError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ModelError + '_ {
        move |source| ModelError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// `models/<name>` (the encoder's folder or a head's): under
/// `$EARNINGS_QA_MODELS` when that is set (an explicit choice is never
/// second-guessed); else under `./models` or, failing that, the `models/`
/// of the source tree the binary was built from, whichever holds `name`,
/// so the binary works from any directory. Where neither does, `./models`
/// if it exists (that is where `fetch-model` puts the encoder).
pub fn locate(name: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("EARNINGS_QA_MODELS") {
        return PathBuf::from(dir).join(name);
    }
    let local = PathBuf::from("models");
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let dir = if local.join(name).exists() || (local.is_dir() && !built.join(name).exists()) {
        local
    } else {
        built
    };
    dir.join(name)
}

/// How questions are encoded: batching, cache, progress display.
#[derive(Debug, Clone)]
pub struct Options {
    /// Which encoder; a head's card overrides it (`Classifier::load`).
    pub encoder: &'static encoder::Spec,
    /// The encoder's folder; `None` means `locate(encoder.dir)`.
    pub encoder_dir: Option<PathBuf>,
    /// Sentences per forward pass (after sorting by length).
    pub batch_size: usize,
    /// Embedding cache folder; `None` bypasses the cache.
    pub cache_dir: Option<PathBuf>,
    /// Draw a progress bar on stderr.
    pub progress: bool,
    /// The encoder's arithmetic; `None`: bf16 where the CPU has it, else f32.
    pub precision: Option<encoder::Precision>,
    /// A fine-tuned head's delta over the encoder's weights, and its sha256.
    pub delta: Option<(PathBuf, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            encoder: &encoder::MINILM,
            encoder_dir: None,
            batch_size: 8,
            cache_dir: Some(cache::default_dir()),
            progress: false,
            precision: None,
            delta: None,
        }
    }
}

/// Embeddings appended to the cache in one write: about a second of encoding on a CPU.
const CACHE_CHUNK: usize = 16;

/// The encoder and the cache in front of it: texts to unit-length
/// embeddings. What `train` and `eval` need; `Classifier` adds a head.
pub struct Embedder {
    encoder: Encoder,
    cache: Option<Mutex<Cache>>,
    opts: Options,
}

impl Embedder {
    pub fn load(device: Device, opts: Options) -> Result<Embedder, ModelError> {
        let dir = opts.encoder_dir.clone().unwrap_or_else(|| locate(opts.encoder.dir));
        let precision = opts
            .precision
            .unwrap_or_else(|| encoder::Precision::default_for(&device));
        let delta = opts.delta.as_ref().map(|(p, sha)| (p.as_path(), sha.as_str()));
        let encoder = Encoder::load(opts.encoder, &dir, delta, device, precision)?;
        let cache = match &opts.cache_dir {
            Some(d) => Some(Mutex::new(Cache::open(d, &encoder.cache_tag(), encoder.dim())?)),
            None => None,
        };
        Ok(Embedder { encoder, cache, opts })
    }

    pub fn encoder(&self) -> &Encoder {
        &self.encoder
    }

    /// The fine-tuned delta laid over the encoder's weights, if any.
    pub fn delta(&self) -> Option<&Path> {
        self.opts.delta.as_ref().map(|(p, _)| p.as_path())
    }

    /// What stderr should say of the cache: records that failed the check on opening.
    pub fn cache_note(&self) -> Option<String> {
        let cache = self.cache.as_ref()?.lock().unwrap_or_else(|e| e.into_inner());
        (cache.dropped() > 0).then(|| {
            format!(
                "{}: {} corrupt embedding record{} dropped; {} encoded again when asked for",
                cache.path().display(),
                cache.dropped(),
                if cache.dropped() == 1 { "" } else { "s" },
                if cache.dropped() == 1 {
                    "its question is"
                } else {
                    "their questions are"
                }
            )
        })
    }

    /// One embedding per text, in order; cached texts are not re-encoded
    /// and newly encoded ones are added to the cache.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, ModelError> {
        let Some(cache) = &self.cache else {
            return self.encoder.embed(texts, self.opts.batch_size, self.opts.progress);
        };
        let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
        let keys: Vec<_> = texts.iter().map(|t| cache::key(t)).collect();
        let mut out: Vec<Option<Vec<f32>>> = keys.iter().map(|k| cache.get(k).map(<[f32]>::to_vec)).collect();
        let missing: Vec<usize> = (0..texts.len()).filter(|&i| out[i].is_none()).collect();
        if !missing.is_empty() {
            let todo: Vec<&str> = missing.iter().map(|&i| texts[i]).collect();
            // Written as they come, a few batches at a time, so an interrupted run keeps its work.
            let mut pending: Vec<usize> = Vec::new();
            let mut flush = |pending: &mut Vec<usize>, out: &[Option<Vec<f32>>]| {
                let entries = pending
                    .iter()
                    .map(|&i| (keys[i], out[i].as_deref().expect("just encoded")));
                let r = cache.append(entries);
                pending.clear();
                r
            };
            self.encoder
                .embed_each(&todo, self.opts.batch_size, self.opts.progress, |batch| {
                    for (j, e) in batch {
                        out[missing[j]] = Some(e);
                        pending.push(missing[j]);
                    }
                    if pending.len() >= CACHE_CHUNK {
                        flush(&mut pending, &out)?;
                    }
                    Ok(())
                })?;
            flush(&mut pending, &out)?;
        }
        Ok(out
            .into_iter()
            .map(|e| e.expect("every slot filled from cache or encoder"))
            .collect())
    }
}

/// Questions the head scores at once.
const HEAD_CHUNK: usize = 2048;

/// The encoder plus a trained head: questions to label probabilities.
pub struct Classifier {
    embedder: Embedder,
    head: Head,
}

impl Classifier {
    /// Loads the head in `head_dir` and the encoder its card names (else
    /// `opts.encoder`), and checks that they fit each other.
    pub fn load(head_dir: &Path, device: Device, mut opts: Options) -> Result<Classifier, ModelError> {
        let head = Head::load(head_dir)?;
        if let Some(card) = head.card() {
            if let Some(spec) = encoder::Spec::with_sha256(&card.encoder.sha256) {
                opts.encoder = spec;
            }
            if let Some(f) = &card.encoder.fine_tune {
                opts.delta = Some((head_dir.join(finetune::DELTA_FILE), f.delta_sha256.clone()));
            }
        }
        let embedder = Embedder::load(device, opts)?;
        head.check_encoder(head_dir, embedder.encoder())?;
        Ok(Classifier { embedder, head })
    }

    /// One `Probs` per question, in the same order.
    pub fn classify(&self, questions: &[Question]) -> Result<Vec<Probs>, ModelError> {
        let texts: Vec<&str> = questions.iter().map(|q| q.text.as_str()).collect();
        let embeddings = self.embedder.embed(&texts)?;
        let inputs: Vec<Input> = questions.iter().map(Input::from).collect();
        // In chunks: the head's sparse features take ~40 KB a question
        // (character grams, each twice), 1.7 GB for a whole corpus at once.
        let mut probs = Vec::with_capacity(questions.len());
        for (inputs, embeddings) in inputs.chunks(HEAD_CHUNK).zip(embeddings.chunks(HEAD_CHUNK)) {
            probs.extend(self.head.probs(inputs, embeddings)?);
        }
        Ok(probs)
    }

    pub fn head(&self) -> &Head {
        &self.head
    }

    pub fn embedder(&self) -> &Embedder {
        &self.embedder
    }
}
