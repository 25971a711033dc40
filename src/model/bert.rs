//! The forward pass of BERT and MPNet for the CPU over packed sequences:
//! the tokens of every sentence in a batch stand one after another, with
//! no padding, so the linear layers (nine tenths of the work) multiply one
//! tall matrix and only attention looks at sentence boundaries. Weights
//! come from the same safetensors through candle's `VarBuilder`, with the
//! names of candle-transformers' BERT and of `mpnet`; linear layers run in
//! bf16 (`kernels`). candle's `BertModel` and `mpnet::MPNetModel` stay the
//! f32 reference and the GPU path.

use candle_nn::VarBuilder;
use candle_transformers::models::bert::Config;
use rayon::prelude::*;

use super::kernels::{self, Bf16Linear, Epilogue};
use super::layer::{self, Names};
use super::mpnet;

struct Norm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
}

struct Layer {
    /// Query, key and value in one product: `[3 * hidden, hidden]`.
    qkv: Bf16Linear,
    attention_out: Bf16Linear,
    attention_norm: Norm,
    intermediate: Bf16Linear,
    output: Bf16Linear,
    output_norm: Norm,
}

pub struct Packed {
    word: Vec<f32>,
    /// Row p: what a token at position p adds to its word embedding
    /// (BERT: position p plus token type 0; MPNet: position p + pad + 1).
    position: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
    hidden: usize,
    heads: usize,
    eps: f32,
    /// MPNet: per head, the bias of a key at offset `r` from its query, at `r + max_len - 1`.
    relative: Option<Vec<Vec<f32>>>,
    max_len: usize,
}

fn values(vb: &VarBuilder, shape: &[usize], name: &str) -> candle_core::Result<Vec<f32>> {
    vb.get(shape, name)?.flatten_all()?.to_vec1::<f32>()
}

fn norm(vb: VarBuilder, dim: usize) -> candle_core::Result<Norm> {
    Ok(Norm {
        gamma: values(&vb, &[dim], "weight")?,
        beta: values(&vb, &[dim], "bias")?,
    })
}

fn linear(vbs: &[VarBuilder], n_in: usize, n_out: usize) -> candle_core::Result<Bf16Linear> {
    let (mut w, mut b) = (Vec::new(), Vec::new());
    for vb in vbs {
        w.extend(values(vb, &[n_out, n_in], "weight")?);
        b.extend(values(vb, &[n_out], "bias")?);
    }
    Ok(Bf16Linear::new(&w, b, n_in, n_out * vbs.len()))
}

fn layers(vb: &VarBuilder, count: usize, h: usize, inter: usize, names: &Names) -> candle_core::Result<Vec<Layer>> {
    (0..count)
        .map(|i| {
            let l = vb.pp(format!("encoder.layer.{i}"));
            Ok(Layer {
                qkv: linear(&names.qkv.map(|n| l.pp(n)), h, h)?,
                attention_out: linear(&[l.pp(names.attention_out)], h, h)?,
                attention_norm: norm(l.pp(names.attention_norm), h)?,
                intermediate: linear(&[l.pp("intermediate.dense")], h, inter)?,
                output: linear(&[l.pp("output.dense")], inter, h)?,
                output_norm: norm(l.pp("output.LayerNorm"), h)?,
            })
        })
        .collect()
}

impl Packed {
    /// Callers check `kernels::bf16_supported()` first.
    pub fn load_bert(vb: VarBuilder, config: &Config) -> candle_core::Result<Packed> {
        let h = config.hidden_size;
        let emb = vb.pp("embeddings");
        let token_type = values(&emb, &[config.type_vocab_size, h], "token_type_embeddings.weight")?;
        let mut position = values(&emb, &[config.max_position_embeddings, h], "position_embeddings.weight")?;
        for row in position.chunks_exact_mut(h) {
            row.iter_mut().zip(&token_type[..h]).for_each(|(p, t)| *p += t);
        }
        Ok(Packed {
            word: values(&emb, &[config.vocab_size, h], "word_embeddings.weight")?,
            position,
            embedding_norm: norm(emb.pp("LayerNorm"), h)?,
            layers: layers(&vb, config.num_hidden_layers, h, config.intermediate_size, &layer::BERT)?,
            hidden: h,
            heads: config.num_attention_heads,
            eps: config.layer_norm_eps as f32,
            relative: None,
            max_len: config.max_position_embeddings,
        })
    }

    /// Callers check `kernels::bf16_supported()` first.
    pub fn load_mpnet(vb: VarBuilder, config: &mpnet::Config) -> candle_core::Result<Packed> {
        let h = config.hidden_size;
        let emb = vb.pp("embeddings");
        let first = config.pad_token_id as usize + 1;
        let position = values(&emb, &[config.max_position_embeddings, h], "position_embeddings.weight")?;
        let max_len = config.max_position_embeddings - first;
        let (buckets, heads) = (config.relative_attention_num_buckets, config.num_attention_heads);
        let table = mpnet::relative_bias(&vb, config)?.flatten_all()?.to_vec1::<f32>()?;
        let relative = (0..heads)
            .map(|hd| {
                (0..2 * max_len - 1)
                    .map(|r| table[mpnet::relative_bucket(r as i64 - (max_len as i64 - 1), buckets) * heads + hd])
                    .collect()
            })
            .collect();
        Ok(Packed {
            word: values(&emb, &[config.vocab_size, h], "word_embeddings.weight")?,
            position: position[first * h..].to_vec(),
            embedding_norm: norm(emb.pp("LayerNorm"), h)?,
            layers: layers(
                &vb,
                config.num_hidden_layers,
                h,
                config.intermediate_size,
                &layer::MPNET,
            )?,
            hidden: h,
            heads,
            eps: config.layer_norm_eps as f32,
            relative: Some(relative),
            max_len,
        })
    }

    /// Masked-mean-pooled, L2-normalised last hidden states, one per
    /// sentence of token ids (each with [CLS] and [SEP]).
    pub fn embed(&self, sentences: &[&[u32]]) -> Vec<Vec<f32>> {
        let h = self.hidden;
        let mut starts = Vec::with_capacity(sentences.len() + 1);
        starts.push(0);
        for s in sentences {
            starts.push(starts.last().copied().unwrap_or(0) + s.len());
        }
        let mut x = Vec::with_capacity(starts[sentences.len()] * h);
        for s in sentences {
            assert!(
                s.len() <= self.max_len,
                "{} tokens, over the model's {}",
                s.len(),
                self.max_len
            );
            for (pos, &id) in s.iter().enumerate() {
                let (w, p) = (&self.word[id as usize * h..][..h], &self.position[pos * h..][..h]);
                x.extend(w.iter().zip(p).map(|(w, p)| w + p));
            }
        }
        self.norm(&mut x, &self.embedding_norm);
        for layer in &self.layers {
            let qkv = layer.qkv.forward(&x, Epilogue::None);
            let context = self.attention(&qkv, &starts);
            let mut x1 = layer.attention_out.forward(&context, Epilogue::Residual(&x));
            self.norm(&mut x1, &layer.attention_norm);
            let inner = layer.intermediate.forward(&x1, Epilogue::Gelu);
            x = layer.output.forward(&inner, Epilogue::Residual(&x1));
            self.norm(&mut x, &layer.output_norm);
        }
        starts
            .windows(2)
            .map(|w| {
                let mut mean = vec![0f32; h];
                for row in x[w[0] * h..w[1] * h].chunks_exact(h) {
                    mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
                }
                let n = (w[1] - w[0]).max(1) as f32;
                mean.iter_mut().for_each(|m| *m /= n);
                // eps as in torch's F.normalize
                let norm = mean.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
                mean.iter_mut().for_each(|m| *m /= norm);
                mean
            })
            .collect()
    }

    fn norm(&self, x: &mut [f32], n: &Norm) {
        kernels::layer_norm(x, self.hidden, &n.gamma, &n.beta, self.eps);
    }

    /// Scaled dot-product attention of every sentence and head over the
    /// packed `[tokens, 3 * hidden]` projections; `[tokens, hidden]` out.
    fn attention(&self, qkv: &[f32], starts: &[usize]) -> Vec<f32> {
        let (h, heads) = (self.hidden, self.heads);
        let d = h / heads;
        let tasks: Vec<(usize, usize)> = (0..starts.len() - 1)
            .flat_map(|s| (0..heads).map(move |hd| (s, hd)))
            .collect();
        // Each task returns its head's context rows; they are scattered after.
        let parts: Vec<Vec<f32>> = tasks
            .par_iter()
            .map(|&(s, hd)| {
                let at = |part: usize| &qkv[starts[s] * 3 * h + part * h + hd * d..starts[s + 1] * 3 * h];
                let len = starts[s + 1] - starts[s];
                let relative = self
                    .relative
                    .as_ref()
                    .map(|r| &r[hd][self.max_len - len..][..2 * len - 1]);
                kernels::attention_head(at(0), at(1), at(2), 3 * h, len, d, relative)
            })
            .collect();
        let mut context = vec![0f32; qkv.len() / 3];
        for (&(s, hd), part) in tasks.iter().zip(parts) {
            for (t, src) in part.chunks_exact(d).enumerate() {
                context[(starts[s] + t) * h + hd * d..][..d].copy_from_slice(src);
            }
        }
        context
    }
}
