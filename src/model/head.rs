//! The trained head: multinomial logistic regression over the sentence
//! embedding, `softmax(x W^T + b)`, one output per `Label::ALL`.
//!
//! On disk, `models/<name>/head.safetensors` holds `weight` (labels x dim)
//! and `bias` (labels); `card.json` beside it says which labels, in which
//! order, and which encoder the head was trained on.

use std::path::Path;

use candle_core::{DType, Device, Tensor, Var, D};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};

use super::card::ModelCard;
use super::encoder::Encoder;
use super::ModelError;
use crate::labels::{Label, Probs};

pub const FILE: &str = "head.safetensors";

#[derive(Debug, Clone)]
pub struct Head {
    weight: Tensor,
    bias: Tensor,
    card: Option<ModelCard>,
}

/// Full-batch AdamW on the class-weighted cross-entropy. The problem is
/// convex and starts from zero weights, so training is deterministic.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainOptions {
    pub epochs: usize,
    pub learning_rate: f64,
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
        TrainOptions { epochs: 300, learning_rate: 0.05, weight_decay: 1e-3, balance: 1.0 }
    }
}

impl Head {
    /// Reads `head.safetensors` and `card.json` from `dir`.
    pub fn load(dir: &Path) -> Result<Head, ModelError> {
        let file = dir.join(FILE);
        if !file.is_file() || !dir.join(super::card::JSON).is_file() {
            return Err(ModelError::MissingHead(dir.to_path_buf()));
        }
        let bad = |message: String| ModelError::BadHead { path: file.clone(), message };
        let mut tensors = candle_core::safetensors::load(&file, &Device::Cpu)
            .map_err(|e| bad(format!("not a readable safetensors file: {e}")))?;
        let mut take = |name: &str| tensors.remove(name).ok_or_else(|| bad(format!("no tensor {name:?}")));
        let (weight, bias) = (take("weight")?.to_dtype(DType::F32)?, take("bias")?.to_dtype(DType::F32)?);
        let card = ModelCard::load(dir)?;
        let names: Vec<&str> = Label::ALL.iter().map(|l| l.name()).collect();
        if card.labels != names {
            return Err(bad(format!("labels {:?} are not this build's {:?}", card.labels, names)));
        }
        let head = Head { weight, bias, card: Some(card) };
        match (head.weight.dims(), head.bias.dims()) {
            ([rows, _], [n]) if *rows == Label::ALL.len() && *n == *rows => Ok(head),
            (w, b) => Err(bad(format!("weight {w:?} and bias {b:?} do not fit {} labels", Label::ALL.len()))),
        }
    }

    /// Embedding size the head takes.
    pub fn dim(&self) -> usize {
        self.weight.dims()[1]
    }

    pub fn card(&self) -> Option<&ModelCard> {
        self.card.as_ref()
    }

    /// Refuses an encoder the head was not trained for.
    pub fn check_encoder(&self, dir: &Path, encoder: &Encoder) -> Result<(), ModelError> {
        if self.dim() != encoder.dim() {
            return Err(ModelError::HeadDimension { path: dir.join(FILE), head: self.dim(), encoder: encoder.dim() });
        }
        match &self.card {
            Some(card) if card.encoder.sha256 != encoder.sha256() => Err(ModelError::BadHead {
                path: dir.join(super::card::JSON),
                message: format!("trained on encoder weights {}, not the loaded {}", card.encoder.sha256, encoder.sha256()),
            }),
            _ => Ok(()),
        }
    }

    /// Label probabilities for each embedding.
    pub fn probs(&self, embeddings: &[Vec<f32>]) -> Result<Vec<Probs>, ModelError> {
        if embeddings.is_empty() {
            return Ok(Vec::new());
        }
        let x = stack(embeddings)?;
        let p = candle_nn::ops::softmax(&self.logits(&x)?, D::Minus1)?.to_vec2::<f32>()?;
        Ok(p.into_iter().map(|r| Probs::from_array([r[0], r[1], r[2]])).collect())
    }

    fn logits(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.matmul(&self.weight.t()?)?.broadcast_add(&self.bias)
    }

    /// Fits a head to embeddings and their labels, classes weighted as
    /// `opts.balance` says.
    pub fn train(embeddings: &[Vec<f32>], labels: &[Label], opts: &TrainOptions) -> Result<Head, ModelError> {
        if embeddings.is_empty() || embeddings.len() != labels.len() {
            return Err(ModelError::Train(format!("{} embeddings for {} labels", embeddings.len(), labels.len())));
        }
        let k = Label::ALL.len();
        let mut counts = vec![0usize; k];
        for l in labels {
            counts[l.index()] += 1;
        }
        let n = labels.len() as f32;
        let class_weight: Vec<f32> = counts.iter().map(|&c| if c == 0 { 0.0 } else { (n / (k as f32 * c as f32)).powf(opts.balance as f32) }).collect();
        let x = stack(embeddings)?;
        let y: Vec<u32> = labels.iter().map(|l| l.index() as u32).collect();
        let w: Vec<f32> = labels.iter().map(|l| class_weight[l.index()]).collect();
        let y = Tensor::from_vec(y, (labels.len(), 1), &Device::Cpu)?;
        let w = Tensor::from_vec(w, labels.len(), &Device::Cpu)?;
        let w_sum = w.sum_all()?;

        let weight = Var::zeros((k, x.dims()[1]), DType::F32, &Device::Cpu)?;
        let bias = Var::zeros(k, DType::F32, &Device::Cpu)?;
        let params = ParamsAdamW { lr: opts.learning_rate, weight_decay: opts.weight_decay, ..Default::default() };
        let mut opt = AdamW::new(vec![weight.clone(), bias.clone()], params)?;
        for _ in 0..opts.epochs {
            let logits = x.matmul(&weight.t()?)?.broadcast_add(&bias)?;
            let nll = candle_nn::ops::log_softmax(&logits, D::Minus1)?.gather(&y, 1)?.squeeze(1)?.neg()?;
            let loss = (nll * &w)?.sum_all()?.div(&w_sum)?;
            opt.backward_step(&loss)?;
        }
        Ok(Head { weight: weight.as_tensor().clone(), bias: bias.as_tensor().clone(), card: None })
    }

    /// Writes `head.safetensors` into `dir` (the card is written separately).
    pub fn save(&self, dir: &Path) -> Result<(), ModelError> {
        std::fs::create_dir_all(dir).map_err(ModelError::io(dir))?;
        let tensors = [("weight", self.weight.clone()), ("bias", self.bias.clone())];
        candle_core::safetensors::save(&tensors.into_iter().collect(), dir.join(FILE))?;
        Ok(())
    }
}

fn stack(embeddings: &[Vec<f32>]) -> candle_core::Result<Tensor> {
    let dim = embeddings[0].len();
    Tensor::from_vec(embeddings.concat(), (embeddings.len(), dim), &Device::Cpu)
}
