//! Fine-tuning the encoder: the top `layers` transformer layers of
//! all-MiniLM-L6-v2 or all-mpnet-base-v2 are trained, with a linear classifier on the pooled
//! embedding, by class-weighted cross-entropy and AdamW. The layers below
//! stay frozen, so their output is computed once per question and training
//! pays only for the layers it changes (a third of a full pass for two of
//! six). What comes out, and what ships beside a head, is a `Delta`: the
//! changed layers' tensors under their names in the pinned safetensors,
//! in f16 (3.5 MB a MiniLM layer, 14 MB an MPNet one), which
//! `Encoder::load` lays over the base weights. The rounding to f16 happens
//! before the head is fitted on the tuned embeddings, so the head is
//! measured on the weights that ship.
//! The classifier only steers the layers: the head is fitted afterwards on
//! the tuned embeddings, as over a frozen encoder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use candle_core::{DType, Device, Module, Tensor, Var};
use candle_nn::{embedding, layer_norm, AdamW, Embedding, LayerNorm, Optimizer, ParamsAdamW, VarBuilder, VarMap};
use candle_transformers::models::bert;
use indicatif::{ProgressBar, ProgressStyle};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

use super::encoder::{self, Arch, Spec, FILES};
use super::layer::{self, Layer};
use super::mpnet;
use super::ModelError;
use crate::labels::Label;

/// The file a head's folder keeps its encoder delta in.
pub const DELTA_FILE: &str = "encoder-delta.safetensors";

/// Steps between checkpoints (about half a minute on two cores).
const CHECKPOINT_STEPS: usize = 50;

/// Pooled embeddings are unit vectors; the classifier reads them scaled,
/// so that its logits can grow without huge weights.
const SCALE: f64 = 20.0;

/// How the encoder is fine-tuned.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Options {
    /// Top transformer layers trained (the rest stay frozen).
    pub layers: usize,
    pub epochs: usize,
    /// AdamW's rate for the encoder layers.
    pub learning_rate: f64,
    /// AdamW's rate for the classifier, which starts from random weights.
    pub classifier_learning_rate: f64,
    pub batch_size: usize,
    /// Class weighting, as the head's: 1 weighs classes equally.
    pub balance: f64,
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            layers: 2,
            epochs: 3,
            learning_rate: 1e-4,
            classifier_learning_rate: 2e-3,
            batch_size: 16,
            balance: 1.0,
            seed: 0,
        }
    }
}

/// The tensors fine-tuning changed, by their names in the base weights.
pub struct Delta {
    pub tensors: HashMap<String, Tensor>,
}

impl Delta {
    /// Writes the delta (atomically) and returns its sha256.
    pub fn save(&self, path: &Path) -> Result<String, ModelError> {
        let tmp = path.with_extension("safetensors.tmp");
        candle_core::safetensors::save(&self.tensors, &tmp)?;
        std::fs::rename(&tmp, path).map_err(ModelError::io(path))?;
        let bytes = std::fs::read(path).map_err(ModelError::io(path))?;
        Ok(hex::encode(Sha256::digest(bytes)))
    }

    /// Reads a delta, refusing one whose sha256 is not `sha256`.
    pub fn load(path: &Path, sha256: &str) -> Result<Delta, ModelError> {
        let bytes = std::fs::read(path).map_err(ModelError::io(path))?;
        let found = hex::encode(Sha256::digest(&bytes));
        if found != sha256 {
            return Err(ModelError::BadHead {
                path: path.to_path_buf(),
                message: format!("sha256 {found} is not the {sha256} its model card records; retrain the head"),
            });
        }
        Ok(Delta {
            tensors: candle_core::safetensors::load_buffer(&bytes, &Device::Cpu)?,
        })
    }

    /// `base` with the delta laid over it: every tensor of the delta must
    /// replace one of the same name and shape.
    pub fn apply(self, base: &mut HashMap<String, Tensor>, path: &Path) -> Result<(), ModelError> {
        for (name, t) in self.tensors {
            match base.get(&name) {
                Some(b) if b.shape() == t.shape() => {
                    base.insert(name, t);
                }
                _ => {
                    return Err(ModelError::BadHead {
                        path: path.to_path_buf(),
                        message: format!("`{name}` {:?} matches no tensor of the encoder", t.shape()),
                    })
                }
            }
        }
        Ok(())
    }
}

/// The frozen part of the encoder's pass over a set of texts, kept, and
/// what is needed to train the layers above it.
pub struct Tuner {
    base: HashMap<String, Tensor>,
    input: Input,
    shape: layer::Shape,
    /// Transformer layers of the encoder, and their weights' names.
    num_layers: usize,
    names: &'static layer::Names,
    /// Per text, the hidden states `[len, hidden]` below the tuned layers.
    lower: Vec<Tensor>,
    /// Per text, a sha256 of it: what checkpoints are named by.
    digests: Vec<[u8; 32]>,
    opts: Options,
    /// A folder for checkpoints, one file per training set and options.
    checkpoints: Option<PathBuf>,
    /// The checkpoint files this tuner wrote (`remove_checkpoints`).
    written: Mutex<Vec<PathBuf>>,
    progress: bool,
    /// Where notes on checkpoints go (stderr, in the binary).
    note: fn(&str),
    /// Where the layers run and train: the CPU, or a GPU when one is at
    /// hand (the frozen layers' outputs are kept there too).
    device: Device,
}

impl Tuner {
    /// Loads the pinned encoder from `dir` (sha256 checked) onto `device`
    /// and runs its frozen layers over `texts`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        spec: &'static Spec,
        dir: &Path,
        texts: &[&str],
        opts: Options,
        checkpoints: Option<PathBuf>,
        progress: bool,
        note: fn(&str),
        device: &Device,
    ) -> Result<Tuner, ModelError> {
        let pinned = encoder::Pinned::read(spec, dir)?;
        let base = candle_core::safetensors::load_buffer(&pinned.bytes, device)?;
        let vb = VarBuilder::from_tensors(base.clone(), DType::F32, device);
        let (input, shape, num_layers, names) = match spec.arch {
            Arch::Bert => {
                let c: bert::Config = pinned.config.parse()?;
                let shape = layer::Shape {
                    hidden: c.hidden_size,
                    intermediate: c.intermediate_size,
                    heads: c.num_attention_heads,
                    eps: c.layer_norm_eps,
                };
                (
                    Input::Bert(BertEmbeddings::load(&vb, &c)?),
                    shape,
                    c.num_hidden_layers,
                    &layer::BERT,
                )
            }
            Arch::MpNet => {
                let c: mpnet::Config = pinned.config.parse()?;
                let input = Input::MpNet(mpnet::Embeddings::load(&vb, &c)?);
                (input, c.shape(), c.num_hidden_layers, &layer::MPNET)
            }
        };
        if opts.layers == 0 || opts.layers > num_layers {
            return Err(ModelError::Train(format!(
                "--fine-tune-layers must be 1 to {num_layers}, not {}",
                opts.layers
            )));
        }
        let tokenizer = encoder::load_tokenizer(&dir.join(FILES[2]), spec.max_tokens)?;
        let ids = encoder::token_ids(&tokenizer, texts)?;
        let mut tuner = Tuner {
            base,
            input,
            shape,
            num_layers,
            names,
            lower: Vec::new(),
            digests: texts.iter().map(|t| Sha256::digest(t.as_bytes()).into()).collect(),
            opts,
            checkpoints,
            written: Mutex::new(Vec::new()),
            progress,
            note,
            device: device.clone(),
        };
        tuner.lower = tuner.run_frozen(&ids)?;
        Ok(tuner)
    }

    /// Tokens of text `i`.
    fn tokens(&self, i: usize) -> usize {
        self.lower[i].dims()[0]
    }

    /// The encoder's transformer layers, tuned and frozen.
    pub fn encoder_layers(&self) -> usize {
        self.num_layers
    }

    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// The dimension of the embeddings it makes.
    pub fn dim(&self) -> usize {
        self.shape.hidden
    }

    /// Index of the first tuned layer.
    fn first_tuned(&self) -> usize {
        self.num_layers - self.opts.layers
    }

    fn bar(&self, len: usize, what: &str) -> ProgressBar {
        let bar = if self.progress {
            ProgressBar::new(len as u64)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{spinner}} {what} {{pos}}/{{len}} [{{bar:30}}] {{msg}} eta {{eta}}"
            ))
            .expect("static template")
            .progress_chars("=> "),
        );
        bar
    }

    /// Embeddings and the frozen layers over every text, batched by length.
    fn run_frozen(&self, ids: &[Vec<u32>]) -> Result<Vec<Tensor>, ModelError> {
        let vb = VarBuilder::from_tensors(self.base.clone(), DType::F32, &self.device);
        let layers = self.layers(&vb, 0..self.first_tuned())?;
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by_key(|&i| ids[i].len());
        let mut out = vec![None; ids.len()];
        let bar = self.bar(ids.len(), "fine-tune: frozen layers");
        for batch in order.chunks(32) {
            let rows: Vec<&[u32]> = batch.iter().map(|&i| ids[i].as_slice()).collect();
            let (ids_t, mask) = encoder::padded(&rows, &self.device)?;
            let bias = self.input.bias(&mask)?;
            let mut x = self.input.forward(&ids_t, &mask)?;
            for l in &layers {
                x = l.forward(&x, &bias)?;
            }
            for (j, &i) in batch.iter().enumerate() {
                out[i] = Some(x.get(j)?.narrow(0, 0, rows[j].len())?.contiguous()?);
            }
            bar.inc(batch.len() as u64);
        }
        bar.finish_and_clear();
        Ok(out.into_iter().map(|t| t.expect("every text in a batch")).collect())
    }

    fn layers(&self, vb: &VarBuilder, range: std::ops::Range<usize>) -> Result<Vec<Layer>, ModelError> {
        Ok(range
            .map(|i| Layer::load(vb.pp(format!("encoder.layer.{i}")), self.names, self.shape))
            .collect::<candle_core::Result<_>>()?)
    }

    /// The tuned layers' output, mean-pooled over each text's tokens and
    /// L2-normalised: `[batch, hidden]`.
    fn pooled(&self, layers: &[Layer], batch: &[usize]) -> candle_core::Result<Tensor> {
        let max = batch.iter().map(|&i| self.tokens(i)).max().unwrap_or(0);
        let rows = batch
            .iter()
            .map(|&i| self.lower[i].pad_with_zeros(0, 0, max - self.tokens(i)))
            .collect::<candle_core::Result<Vec<_>>>()?;
        let mut x = Tensor::stack(&rows, 0)?;
        let mask: Vec<u32> = batch
            .iter()
            .flat_map(|&i| (0..max).map(move |p| u32::from(p < self.tokens(i))))
            .collect();
        let mask = Tensor::from_vec(mask, (batch.len(), max), &self.device)?;
        let bias = self.input.bias(&mask)?;
        for l in layers {
            x = l.forward(&x, &bias)?;
        }
        encoder::pool(&x, &mask)
    }

    /// Trains the top layers on the texts `train` (indices into the texts
    /// given to `new`) with `labels` (index for index with the texts).
    /// With a checkpoint folder, progress is saved every few dozen steps,
    /// in a file named by the training set and options, and a run over the
    /// same resumes where it stopped (the optimiser's moments start afresh).
    pub fn tune(&self, train: &[usize], labels: &[Label]) -> Result<Delta, ModelError> {
        let device = &self.device;
        let first = self.first_tuned();
        let prefixes: Vec<String> = (first..self.num_layers)
            .map(|i| format!("encoder.layer.{i}."))
            .collect();
        let layer_map = VarMap::new();
        {
            let mut data = layer_map.data().lock().expect("fresh map");
            for (name, t) in &self.base {
                if prefixes.iter().any(|p| name.starts_with(p)) {
                    data.insert(name.clone(), Var::from_tensor(t)?);
                }
            }
        }
        let layers: Vec<Layer> = self
            .layers(
                &VarBuilder::from_varmap(&layer_map, DType::F32, device),
                first..self.num_layers,
            )?
            .into_iter()
            .map(Layer::differentiable)
            .collect();
        let (hidden, classes) = (self.shape.hidden, Label::ALL.len());
        let head_map = VarMap::new();
        {
            // candle's initialisers draw from an unseeded generator, which made
            // two runs with the same seed differ (0.670 and 0.677 out of
            // company): the classifier starts from the seed instead, uniform in
            // ±1/sqrt(fan-in) as PyTorch's `nn.Linear` does.
            let mut rng = ChaCha8Rng::seed_from_u64(self.opts.seed);
            let bound = 1.0 / (hidden as f32).sqrt();
            let mut uniform = |n: usize| -> Vec<f32> { (0..n).map(|_| rng.random_range(-bound..bound)).collect() };
            let mut data = head_map.data().lock().expect("fresh map");
            let weight = Var::from_vec(uniform(classes * hidden), (classes, hidden), device)?;
            data.insert("classifier.weight".into(), weight);
            data.insert(
                "classifier.bias".into(),
                Var::from_vec(uniform(classes), classes, device)?,
            );
        }
        let classifier = candle_nn::linear(
            hidden,
            classes,
            VarBuilder::from_varmap(&head_map, DType::F32, device).pp("classifier"),
        )?;
        let fingerprint = self.fingerprint(train, labels);
        let checkpoint = match &self.checkpoints {
            None => None,
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(ModelError::io(dir))?;
                let path = dir.join(format!("{}.safetensors", hex::encode(&fingerprint[..8])));
                self.written
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(path.clone());
                Some(path)
            }
        };
        let (mut epoch, mut skip) = (0, 0);
        if let Some(path) = &checkpoint {
            if let Some((e, s)) = resume(path, &fingerprint, &[&layer_map, &head_map], device, self.note)? {
                (self.note)(&format!(
                    "{}: resuming fine-tuning at epoch {}, step {}",
                    path.display(),
                    e + 1,
                    s
                ));
                (epoch, skip) = (e, s);
            }
        }
        let adamw = |map: &VarMap, lr: f64| {
            AdamW::new(
                map.all_vars(),
                ParamsAdamW {
                    lr,
                    weight_decay: 0.01,
                    ..Default::default()
                },
            )
        };
        let mut opt_layers = adamw(&layer_map, self.opts.learning_rate)?;
        let mut opt_head = adamw(&head_map, self.opts.classifier_learning_rate)?;
        let weights = class_weights(train.iter().map(|&i| labels[i]), self.opts.balance);
        let steps_per_epoch = train.len().div_ceil(self.opts.batch_size);
        let bar = self.bar(steps_per_epoch * self.opts.epochs, "fine-tuning");
        bar.set_position((epoch * steps_per_epoch + skip) as u64);
        while epoch < self.opts.epochs {
            let batches = self.batches(train, epoch);
            let mut loss_sum = 0.0;
            for (step, batch) in batches.iter().enumerate().skip(skip) {
                let pooled = (self.pooled(&layers, batch)? * SCALE)?;
                let logits = classifier.forward(&pooled)?;
                let targets: Vec<u32> = batch.iter().map(|&i| labels[i].index() as u32).collect();
                let w: Vec<f32> = batch.iter().map(|&i| weights[labels[i].index()]).collect();
                let targets = Tensor::from_vec(targets, batch.len(), device)?;
                let w = Tensor::from_vec(w, batch.len(), device)?;
                let picked = candle_nn::ops::log_softmax(&logits, 1)?
                    .gather(&targets.unsqueeze(1)?, 1)?
                    .squeeze(1)?;
                let loss = ((picked * &w)?.sum_all()? / w.sum_all()?.to_scalar::<f32>()? as f64)?.neg()?;
                let grads = loss.backward()?;
                opt_layers.step(&grads)?;
                opt_head.step(&grads)?;
                loss_sum += loss.to_scalar::<f32>()? as f64;
                bar.set_message(format!(
                    "epoch {} loss {:.3}",
                    epoch + 1,
                    loss_sum / (step + 1 - skip) as f64
                ));
                bar.inc(1);
                if let Some(path) = &checkpoint {
                    if (step + 1) % CHECKPOINT_STEPS == 0 || step + 1 == batches.len() {
                        let (e, s) = if step + 1 == batches.len() {
                            (epoch + 1, 0)
                        } else {
                            (epoch, step + 1)
                        };
                        save_checkpoint(path, &fingerprint, (e, s), &[&layer_map, &head_map])?;
                    }
                }
            }
            skip = 0;
            epoch += 1;
        }
        bar.finish_and_clear();
        let tensors = layer_map
            .data()
            .lock()
            .expect("not poisoned")
            .iter()
            .map(|(n, v)| {
                let t = v.as_tensor().detach().to_dtype(DType::F16)?;
                Ok((n.clone(), t.to_device(&Device::Cpu)?))
            })
            .collect::<candle_core::Result<_>>()?;
        Ok(Delta { tensors })
    }

    /// Deletes the checkpoints of this tuner's runs: for when all of them
    /// are done and their results kept.
    pub fn remove_checkpoints(&self) {
        for path in self.written.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
            let _ = std::fs::remove_file(path);
        }
    }

    /// Unit-length embeddings of every text through the layers of `delta`.
    pub fn embed(&self, delta: &Delta) -> Result<Vec<Vec<f32>>, ModelError> {
        let vb = VarBuilder::from_tensors(delta.tensors.clone(), DType::F32, &self.device);
        let layers = self.layers(&vb, self.first_tuned()..self.num_layers)?;
        let mut order: Vec<usize> = (0..self.lower.len()).collect();
        order.sort_by_key(|&i| self.tokens(i));
        let mut out = vec![Vec::new(); order.len()];
        let bar = self.bar(order.len(), "fine-tune: embedding");
        for batch in order.chunks(32) {
            for (&i, e) in batch.iter().zip(self.pooled(&layers, batch)?.to_vec2::<f32>()?) {
                out[i] = e;
            }
            bar.inc(batch.len() as u64);
        }
        bar.finish_and_clear();
        Ok(out)
    }

    /// An epoch's mini-batches of `train`: shuffled by the seed and the
    /// epoch, then grouped with neighbours of similar length (windows of
    /// 32 batches) so that little compute goes to padding.
    fn batches(&self, train: &[usize], epoch: usize) -> Vec<Vec<usize>> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.opts.seed.wrapping_add(epoch as u64));
        let mut order = train.to_vec();
        order.shuffle(&mut rng);
        let size = self.opts.batch_size.max(1);
        let mut batches: Vec<Vec<usize>> = Vec::new();
        for window in order.chunks(size * 32) {
            let mut w = window.to_vec();
            w.sort_by_key(|&i| self.tokens(i));
            batches.extend(w.chunks(size).map(<[usize]>::to_vec));
        }
        batches.shuffle(&mut rng);
        batches
    }

    /// What a checkpoint must match to be resumed: the training texts,
    /// their labels and the options.
    fn fingerprint(&self, train: &[usize], labels: &[Label]) -> Vec<u8> {
        let mut h = Sha256::new();
        for &i in train {
            h.update(self.digests[i]);
            h.update([labels[i].index() as u8]);
        }
        h.update(format!("{:?}", self.opts).as_bytes());
        h.finalize().to_vec()
    }
}

/// What the encoder's layers read besides the hidden states: its
/// embeddings, and the bias its layers add to the attention scores.
enum Input {
    Bert(BertEmbeddings),
    MpNet(mpnet::Embeddings),
}

impl Input {
    /// The first layer's input for right-padded `ids` and their `mask`.
    fn forward(&self, ids: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Input::Bert(e) => e.forward(ids),
            Input::MpNet(e) => e.forward(ids, mask),
        }
    }

    /// The attention bias: the padding, and MPNet's relative positions.
    fn bias(&self, mask: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Input::Bert(_) => padding_bias(mask),
            Input::MpNet(e) => e.bias(mask),
        }
    }
}

/// BERT's embeddings: word + position + token type 0, normalised.
struct BertEmbeddings {
    word: Embedding,
    position: Embedding,
    token_type: Embedding,
    norm: LayerNorm,
}

impl BertEmbeddings {
    fn load(vb: &VarBuilder, c: &bert::Config) -> candle_core::Result<BertEmbeddings> {
        let emb = vb.pp("embeddings");
        Ok(BertEmbeddings {
            word: embedding(c.vocab_size, c.hidden_size, emb.pp("word_embeddings"))?,
            position: embedding(c.max_position_embeddings, c.hidden_size, emb.pp("position_embeddings"))?,
            token_type: embedding(c.type_vocab_size, c.hidden_size, emb.pp("token_type_embeddings"))?,
            norm: layer_norm(c.hidden_size, c.layer_norm_eps, emb.pp("LayerNorm"))?,
        })
    }

    fn forward(&self, ids: &Tensor) -> candle_core::Result<Tensor> {
        let (_, len) = ids.dims2()?;
        let positions = Tensor::arange(0u32, len as u32, ids.device())?.unsqueeze(0)?;
        let x = self
            .word
            .forward(ids)?
            .broadcast_add(&self.position.forward(&positions)?)?
            .broadcast_add(&self.token_type.forward(&positions.zeros_like()?)?)?;
        self.norm.forward(&x)
    }
}

/// The attention bias `[batch, 1, 1, len]` that hides the padding `mask` marks 0.
fn padding_bias(mask: &Tensor) -> candle_core::Result<Tensor> {
    let (b, len) = mask.dims2()?;
    let mask = mask.to_dtype(DType::F32)?;
    ((mask.ones_like()? - &mask)? * f32::MIN as f64)?.reshape((b, 1, 1, len))
}

/// Per label, `(n / (labels * count))^balance`: 1 weighs classes equally.
fn class_weights(labels: impl Iterator<Item = Label>, balance: f64) -> Vec<f32> {
    let mut counts = vec![0usize; Label::ALL.len()];
    for l in labels {
        counts[l.index()] += 1;
    }
    let n: usize = counts.iter().sum();
    counts
        .iter()
        .map(|&c| (n as f64 / (Label::ALL.len() * c.max(1)) as f64).powf(balance) as f32)
        .collect()
}

const META_FINGERPRINT: &str = "meta.fingerprint";
const META_PROGRESS: &str = "meta.progress";

/// Saves the trainable variables and where training stands, atomically.
fn save_checkpoint(
    path: &Path,
    fingerprint: &[u8],
    (epoch, step): (usize, usize),
    maps: &[&VarMap],
) -> Result<(), ModelError> {
    let mut tensors: HashMap<String, Tensor> = HashMap::new();
    for (m, map) in maps.iter().enumerate() {
        for (name, var) in map.data().lock().expect("not poisoned").iter() {
            tensors.insert(format!("{m}.{name}"), var.as_tensor().detach());
        }
    }
    tensors.insert(META_FINGERPRINT.into(), Tensor::new(fingerprint, &Device::Cpu)?);
    tensors.insert(
        META_PROGRESS.into(),
        Tensor::new(&[epoch as u32, step as u32], &Device::Cpu)?,
    );
    let tmp = path.with_extension("tmp");
    candle_core::safetensors::save(&tensors, &tmp)?;
    std::fs::rename(&tmp, path).map_err(ModelError::io(path))
}

/// Restores the variables from a checkpoint of the same run; `None` when
/// there is none (or, unlikely, it belongs to other data or options: it
/// is then overwritten).
fn resume(
    path: &Path,
    fingerprint: &[u8],
    maps: &[&VarMap],
    device: &Device,
    note: fn(&str),
) -> Result<Option<(usize, usize)>, ModelError> {
    if !path.is_file() {
        return Ok(None);
    }
    // On the variables' device: `Var::set` copies within one device only.
    let saved = candle_core::safetensors::load(path, device)?;
    let same = saved
        .get(META_FINGERPRINT)
        .map(|t| t.to_vec1::<u8>())
        .transpose()?
        .is_some_and(|f| f == fingerprint);
    if !same {
        note(&format!(
            "{}: a checkpoint of other data or options; starting afresh",
            path.display()
        ));
        return Ok(None);
    }
    for (m, map) in maps.iter().enumerate() {
        for (name, var) in map.data().lock().expect("not poisoned").iter() {
            let t = saved
                .get(&format!("{m}.{name}"))
                .ok_or_else(|| ModelError::Train(format!("{}: checkpoint lacks `{name}`", path.display())))?;
            var.set(t)?;
        }
    }
    let progress = saved
        .get(META_PROGRESS)
        .ok_or_else(|| ModelError::Train(format!("{}: checkpoint lacks its progress", path.display())))?
        .to_vec1::<u32>()?;
    Ok(Some((progress[0] as usize, progress[1] as usize)))
}
