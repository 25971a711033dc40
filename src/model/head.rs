//! The trained head: multinomial logistic regression, `softmax(x W^T + b)`
//! with one output per `Label::ALL`, over the question's sentence
//! embedding and its TF-IDF vector (`lexical`: the question's words and
//! the start of the executives' reply), each once as it is and once scaled
//! by how much the call talks about AI (`Input::ai`), plus that scale
//! itself. The scaled copy lets the same words weigh differently on an AI
//! call: the guidelines' rule 7 makes a segment's margin or capex question
//! `profitability` or `investment` when the business is AI.
//!
//! On disk, `models/<name>/head.safetensors` holds `weight` (labels x
//! twice the embedding dim), `lexical` (twice the terms plus one x labels)
//! and `bias` (labels); `vocab.json` the terms and their IDF; `card.json`
//! which labels, in which order, and which encoder the head was trained on.

use std::path::Path;

use candle_core::{DType, Device, Tensor, D};
use candle_nn::{AdamW, Init, Optimizer, ParamsAdamW, VarBuilder, VarMap};

use super::calibration;
use super::card::ModelCard;
use super::encoder::Encoder;
use super::lexical::{self, Vocabulary};
use super::ModelError;
use crate::labels::{Label, Probs};
use crate::question::Question;

pub const FILE: &str = "head.safetensors";
/// AI mentions per 1,000 words at which a call counts as fully about AI:
/// the calls of about the top tenth of the corpus's questions.
pub const AI_SATURATION: f32 = 5.0;

/// What the head reads of a question besides its embedding.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub text: &'a str,
    pub reply: &'a str,
    pub ai_per_1k: f32,
}

impl<'a> From<&'a Question> for Input<'a> {
    fn from(q: &'a Question) -> Self {
        Input {
            text: &q.text,
            reply: &q.reply,
            ai_per_1k: q.call_ai_per_1k,
        }
    }
}

impl Input<'_> {
    /// How much the call is about AI, from 0 to 1.
    fn ai(&self) -> f32 {
        (self.ai_per_1k / AI_SATURATION).clamp(0.0, 1.0)
    }
}

pub struct Head {
    /// What `head.safetensors` holds; `weight`, `lexical` and `bias` are
    /// views of its variables.
    vars: VarMap,
    weight: Tensor,
    lexical: Tensor,
    bias: Tensor,
    vocab: Vocabulary,
    card: Option<ModelCard>,
}

/// The head's tensors, named and shaped here alone: loading fills them
/// from the file (candle refuses a missing name or another shape),
/// training starts them at zero, saving writes them.
fn params(vars: &VarMap, dim: usize, terms: usize) -> candle_core::Result<[Tensor; 3]> {
    let vb = VarBuilder::from_varmap(vars, DType::F32, &Device::Cpu);
    let k = Label::ALL.len();
    let zero = Init::Const(0.0);
    Ok([
        vb.get_with_hints((k, 2 * dim), "weight", zero)?,
        vb.get_with_hints((2 * terms + 1, k), "lexical", zero)?,
        vb.get_with_hints(k, "bias", zero)?,
    ])
}

/// Full-batch Adam on the class-weighted cross-entropy plus an L2 penalty.
/// The problem is convex and starts from zero weights, so training is
/// deterministic.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainOptions {
    pub epochs: usize,
    pub learning_rate: f64,
    /// L2 penalty `weight_decay / 2 * |W|^2` on the weights (not the bias),
    /// added to the mean loss.
    pub weight_decay: f64,
    /// Class weighting: each class's examples weigh
    /// `(n / (classes * n_class))^balance`; 1 balances the classes, 0
    /// weighs every example alike.
    #[serde(default = "one")]
    pub balance: f64,
}

fn one() -> f64 {
    1.0
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 300,
            learning_rate: 0.05,
            weight_decay: 1e-4,
            balance: 1.0,
        }
    }
}

impl Head {
    /// Reads `head.safetensors`, `vocab.json` and `card.json` from `dir`.
    pub fn load(dir: &Path) -> Result<Head, ModelError> {
        let file = dir.join(FILE);
        if ![FILE, lexical::FILE, super::card::JSON]
            .iter()
            .all(|f| dir.join(f).is_file())
        {
            return Err(ModelError::MissingHead(dir.to_path_buf()));
        }
        let bad = |message: String| ModelError::BadHead {
            path: file.clone(),
            message,
        };
        let card = ModelCard::load(dir)?;
        let names: Vec<&str> = Label::ALL.iter().map(|l| l.name()).collect();
        if card.labels != names {
            return Err(bad(format!(
                "labels {:?} are not this build's {:?}",
                card.labels, names
            )));
        }
        let vocab = Vocabulary::load(dir)?;
        let mut vars = VarMap::new();
        let [weight, lexical, bias] = params(&vars, card.encoder.dim, vocab.len())?;
        vars.load(&file).map_err(|e| {
            bad(format!(
                "{e}: not the head {} and its {}-d encoder describe ({} terms in {}); retrain it",
                super::card::JSON,
                card.encoder.dim,
                vocab.len(),
                lexical::FILE
            ))
        })?;
        Ok(Head {
            vars,
            weight,
            lexical,
            bias,
            vocab,
            card: Some(card),
        })
    }

    /// Embedding size the head takes.
    pub fn dim(&self) -> usize {
        self.weight.dims()[1] / 2
    }

    pub fn vocab(&self) -> &Vocabulary {
        &self.vocab
    }

    pub fn card(&self) -> Option<&ModelCard> {
        self.card.as_ref()
    }

    /// Refuses an encoder the head was not trained for.
    pub fn check_encoder(&self, dir: &Path, encoder: &Encoder) -> Result<(), ModelError> {
        if self.dim() != encoder.dim() {
            return Err(ModelError::HeadDimension {
                path: dir.join(FILE),
                head: self.dim(),
                encoder: encoder.dim(),
            });
        }
        match &self.card {
            Some(card) if card.encoder.sha256 != encoder.sha256() => Err(ModelError::BadHead {
                path: dir.join(super::card::JSON),
                message: format!(
                    "trained on encoder weights {}, not the loaded {}",
                    card.encoder.sha256,
                    encoder.sha256()
                ),
            }),
            _ => Ok(()),
        }
    }

    /// Label probabilities for each question, from its input and embedding,
    /// at the card's temperature.
    pub fn probs(&self, inputs: &[Input], embeddings: &[Vec<f32>]) -> Result<Vec<Probs>, ModelError> {
        if embeddings.is_empty() {
            return Ok(Vec::new());
        }
        let x = Features::new(&self.vocab, inputs, embeddings)?;
        let p = candle_nn::ops::softmax(&x.logits(&self.weight, &self.lexical, &self.bias)?, D::Minus1)?
            .to_vec2::<f32>()?;
        let t = self.temperature();
        Ok(p.into_iter()
            .map(|r| calibration::scale(&Probs::from_array([r[0], r[1], r[2]]), t))
            .collect())
    }

    /// The card's calibrated temperature; 1 (the raw softmax) without one.
    pub fn temperature(&self) -> f64 {
        self.card
            .as_ref()
            .and_then(|c| c.calibration.as_ref())
            .map_or(1.0, |c| c.temperature)
    }

    /// Fits the vocabulary and the head to questions (inputs and
    /// embeddings) and their labels, classes weighted as `opts.balance` says.
    pub fn train(
        inputs: &[Input],
        embeddings: &[Vec<f32>],
        labels: &[Label],
        opts: &TrainOptions,
    ) -> Result<Head, ModelError> {
        if embeddings.is_empty() || embeddings.len() != labels.len() || inputs.len() != labels.len() {
            return Err(ModelError::Train(format!(
                "{} inputs and {} embeddings for {} labels",
                inputs.len(),
                embeddings.len(),
                labels.len()
            )));
        }
        let k = Label::ALL.len();
        let mut counts = vec![0usize; k];
        for l in labels {
            counts[l.index()] += 1;
        }
        let n = labels.len() as f32;
        let class_weight: Vec<f32> = counts
            .iter()
            .map(|&c| {
                if c == 0 {
                    0.0
                } else {
                    (n / (k as f32 * c as f32)).powf(opts.balance as f32)
                }
            })
            .collect();
        let vocab = Vocabulary::fit(inputs);
        let x = Features::new(&vocab, inputs, embeddings)?;
        let y: Vec<u32> = labels.iter().map(|l| l.index() as u32).collect();
        let w: Vec<f32> = labels.iter().map(|l| class_weight[l.index()]).collect();
        let y = Tensor::from_vec(y, (labels.len(), 1), &Device::Cpu)?;
        let w = Tensor::from_vec(w, labels.len(), &Device::Cpu)?;
        let w_sum = w.sum_all()?;

        let vars = VarMap::new();
        let [weight, lexical, bias] = params(&vars, embeddings[0].len(), vocab.len())?;
        // An L2 penalty in the loss, not AdamW's decoupled decay: with Adam's
        // near-constant step sizes that decay caps every weight near
        // 1/decay, which starves the few terms that decide a label.
        let adam = ParamsAdamW {
            lr: opts.learning_rate,
            weight_decay: 0.0,
            ..Default::default()
        };
        let mut opt = AdamW::new(vars.all_vars(), adam)?;
        for _ in 0..opts.epochs {
            let logits = x.logits(&weight, &lexical, &bias)?;
            let nll = candle_nn::ops::log_softmax(&logits, D::Minus1)?
                .gather(&y, 1)?
                .squeeze(1)?
                .neg()?;
            let penalty =
                (weight.sqr()?.sum_all()? + lexical.sqr()?.sum_all()?)?.affine(opts.weight_decay / 2.0, 0.0)?;
            let loss = ((nll * &w)?.sum_all()?.div(&w_sum)? + penalty)?;
            opt.backward_step(&loss)?;
        }
        Ok(Head {
            vars,
            weight,
            lexical,
            bias,
            vocab,
            card: None,
        })
    }

    /// Writes `head.safetensors` and `vocab.json` into `dir` (the card is
    /// written separately).
    pub fn save(&self, dir: &Path) -> Result<(), ModelError> {
        std::fs::create_dir_all(dir).map_err(ModelError::io(dir))?;
        self.vars.save(dir.join(FILE))?;
        self.vocab.save(dir)
    }
}

/// The head's input: the embeddings, as they are and scaled by `ai`
/// (dense), and the TF-IDF vectors likewise, then `ai` itself (sparse: a
/// question holds a few hundred of the tens of thousands of terms, so the
/// lexical logits are gathered per nonzero, not multiplied densely).
struct Features {
    dense: Tensor,
    /// The nonzeros as (rows, terms, values), in chunks of at most
    /// `CHUNK`: every tensor of a training step then stays under glibc's
    /// largest mmap threshold (32 MiB) and is reused from the heap, where
    /// one tensor per step over all nonzeros would be mapped and
    /// page-faulted afresh (that took most of a training run's time).
    chunks: Vec<[Tensor; 3]>,
}

const CHUNK: usize = 1 << 20;

impl Features {
    fn new(vocab: &Vocabulary, inputs: &[Input], embeddings: &[Vec<f32>]) -> candle_core::Result<Features> {
        let n = vocab.len();
        let mut nonzeros: Vec<(u32, u32, f32)> = Vec::new();
        let mut dense = Vec::with_capacity(2 * embeddings.len() * embeddings[0].len());
        for (r, (input, e)) in inputs.iter().zip(embeddings).enumerate() {
            let ai = input.ai();
            let v = vocab.vector(input);
            let scaled = v.iter().map(|&(t, x)| (n + t, ai * x));
            let row = v
                .iter()
                .copied()
                .chain(scaled)
                .chain([(2 * n, ai)])
                .filter(|&(_, x)| x != 0.0);
            nonzeros.extend(row.map(|(t, x)| (r as u32, t as u32, x)));
            dense.extend_from_slice(e);
            dense.extend(e.iter().map(|x| ai * x));
        }
        let chunks = nonzeros
            .chunks(CHUNK)
            .map(|c| {
                let len = c.len();
                Ok([
                    Tensor::from_vec(c.iter().map(|z| z.0).collect(), len, &Device::Cpu)?,
                    Tensor::from_vec(c.iter().map(|z| z.1).collect(), len, &Device::Cpu)?,
                    Tensor::from_vec(c.iter().map(|z| z.2).collect(), (len, 1), &Device::Cpu)?,
                ])
            })
            .collect::<candle_core::Result<_>>()?;
        Ok(Features {
            dense: Tensor::from_vec(dense, (embeddings.len(), 2 * embeddings[0].len()), &Device::Cpu)?,
            chunks,
        })
    }

    /// `x W^T + b` plus, per nonzero (row, term, value), `value * lexical[term]` added to its row.
    fn logits(&self, weight: &Tensor, lexical: &Tensor, bias: &Tensor) -> candle_core::Result<Tensor> {
        let mut logits = self.dense.matmul(&weight.t()?)?.broadcast_add(bias)?;
        for [rows, terms, values] in &self.chunks {
            let per_term = lexical.index_select(terms, 0)?.broadcast_mul(values)?;
            logits = logits.index_add(rows, &per_term, 0)?;
        }
        Ok(logits)
    }
}
