//! MPNet (all-mpnet-base-v2's transformer) in candle, after
//! candle-transformers' BERT and Hugging Face's `modeling_mpnet.py`:
//! BERT's post-norm layers, no token types, positions counted from
//! `pad_token_id + 1`, and a learnt bias per head and relative-position
//! bucket added to every layer's attention scores. f32, any device: the
//! reference and the GPU path (`bert::Packed` is the fast CPU path).

use candle_core::{DType, Module, Result, Tensor};
use candle_nn::{embedding, layer_norm, Embedding, LayerNorm, VarBuilder};
use serde::Deserialize;

use super::layer::{self, Layer};

#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub layer_norm_eps: f64,
    pub pad_token_id: u32,
    pub relative_attention_num_buckets: usize,
}

impl Config {
    pub fn shape(&self) -> layer::Shape {
        layer::Shape {
            hidden: self.hidden_size,
            intermediate: self.intermediate_size,
            heads: self.num_attention_heads,
            eps: self.layer_norm_eps,
        }
    }
}

/// Farthest relative distance with a bucket of its own scale (`modeling_mpnet.py`).
const MAX_DISTANCE: usize = 128;

/// The bucket of a key at `relative = key - query` positions from its
/// query: T5's bidirectional buckets, exact up to a quarter of the
/// buckets, then logarithmic up to `MAX_DISTANCE`.
pub fn relative_bucket(relative: i64, buckets: usize) -> usize {
    let half = buckets / 2;
    let n = -relative;
    let base = if n < 0 { half } else { 0 };
    let n = n.unsigned_abs() as usize;
    let exact = half / 2;
    if n < exact {
        return base + n;
    }
    // f32 as torch computes it, truncated like `.to(torch.long)`.
    let scaled = (n as f32 / exact as f32).ln() / (MAX_DISTANCE as f32 / exact as f32).ln() * (half - exact) as f32;
    base + (exact + scaled as usize).min(half - 1)
}

/// MPNet's input side: token and position embeddings, and the
/// relative-position bias every layer adds to its attention scores.
pub struct Embeddings {
    word: Embedding,
    position: Embedding,
    norm: LayerNorm,
    relative_bias: Tensor,
    config: Config,
}

impl Embeddings {
    pub fn load(vb: &VarBuilder, config: &Config) -> Result<Embeddings> {
        let (h, emb) = (config.hidden_size, vb.pp("embeddings"));
        Ok(Embeddings {
            word: embedding(config.vocab_size, h, emb.pp("word_embeddings"))?,
            position: embedding(config.max_position_embeddings, h, emb.pp("position_embeddings"))?,
            norm: layer_norm(h, config.layer_norm_eps, emb.pp("LayerNorm"))?,
            relative_bias: relative_bias(vb, config)?,
            config: config.clone(),
        })
    }

    /// The first layer's input `[batch, len, hidden]` for right-padded
    /// `ids` whose real tokens are 1 in `mask` (both `[batch, len]`, u32).
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        // Positions from pad_token_id + 1, padding itself at pad_token_id.
        let pad = self.config.pad_token_id;
        let mask_f = mask.to_dtype(DType::F32)?;
        let positions = (mask_f.cumsum(1)? * &mask_f)?
            .affine(1.0, pad as f64)?
            .to_dtype(DType::U32)?;
        let x = (self.word.forward(ids)? + self.position.forward(&positions)?)?;
        self.norm.forward(&x)
    }

    /// `[batch, heads, len, len]`: each head's relative-position bias,
    /// with f32::MIN where the key is padding (`mask` 0).
    pub fn bias(&self, mask: &Tensor) -> Result<Tensor> {
        let (b, len) = mask.dims2()?;
        let device = mask.device();
        let buckets: Vec<u32> = (0..len)
            .flat_map(|i| (0..len).map(move |j| (i, j)))
            .map(|(i, j)| relative_bucket(j as i64 - i as i64, self.config.relative_attention_num_buckets) as u32)
            .collect();
        let buckets = Tensor::from_vec(buckets, len * len, device)?;
        let heads = self.config.num_attention_heads;
        let position = self
            .relative_bias
            .index_select(&buckets, 0)?
            .reshape((len, len, heads))?
            .permute((2, 0, 1))?;
        let mask = mask.to_dtype(DType::F32)?;
        let padding = ((mask.ones_like()? - &mask)? * f32::MIN as f64)?.reshape((b, 1, 1, len))?;
        position.unsqueeze(0)?.broadcast_add(&padding)?.contiguous()
    }
}

pub struct MPNetModel {
    embeddings: Embeddings,
    layers: Vec<Layer>,
}

impl MPNetModel {
    pub fn load(vb: VarBuilder, config: &Config) -> Result<MPNetModel> {
        Ok(MPNetModel {
            embeddings: Embeddings::load(&vb, config)?,
            layers: (0..config.num_hidden_layers)
                .map(|i| Layer::load(vb.pp(format!("encoder.layer.{i}")), &layer::MPNET, config.shape()))
                .collect::<Result<_>>()?,
        })
    }

    /// Last hidden states `[batch, len, hidden]` of right-padded `ids`
    /// whose real tokens are 1 in `mask` (both `[batch, len]`, u32).
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let mut x = self.embeddings.forward(ids, mask)?;
        let bias = self.embeddings.bias(mask)?;
        for layer in &self.layers {
            x = layer.forward(&x, &bias)?;
        }
        Ok(x)
    }
}

/// The relative-position bias table, `[buckets, heads]`.
pub fn relative_bias(vb: &VarBuilder, config: &Config) -> Result<Tensor> {
    vb.get(
        (config.relative_attention_num_buckets, config.num_attention_heads),
        "encoder.relative_attention_bias.weight",
    )
}

#[cfg(test)]
mod tests {
    use super::relative_bucket;

    #[test]
    fn buckets_match_modeling_mpnet() {
        // Values of MPNetEncoder.relative_position_bucket(memory - context, 32, 128).
        let cases = [
            (0, 0),
            (1, 17),
            (-1, 1),
            (7, 23),
            (-7, 7),
            (8, 24),
            (-8, 8),
            (12, 25),
            (-20, 10),
            (127, 31),
            (-300, 15),
        ];
        for (relative, bucket) in cases {
            assert_eq!(relative_bucket(relative, 32), bucket, "relative {relative}");
        }
    }
}
