//! The post-norm transformer layer BERT and MPNet share, in candle: f32,
//! any device, differentiable. `mpnet::MPNetModel` (the reference) and
//! `finetune` run it; `bert::Packed` reads the same weights by the same
//! names.

use candle_core::{Module, Result, Tensor};
use candle_nn::{layer_norm, linear, LayerNorm, Linear, VarBuilder};

use super::fused;

/// Where a layer's weights sit under `encoder.layer.{i}`.
pub struct Names {
    pub qkv: [&'static str; 3],
    pub attention_out: &'static str,
    pub attention_norm: &'static str,
}

/// candle-transformers' BERT (and the MiniLM safetensors).
pub const BERT: Names = Names {
    qkv: ["attention.self.query", "attention.self.key", "attention.self.value"],
    attention_out: "attention.output.dense",
    attention_norm: "attention.output.LayerNorm",
};

/// Hugging Face's `modeling_mpnet.py`.
pub const MPNET: Names = Names {
    qkv: ["attention.attn.q", "attention.attn.k", "attention.attn.v"],
    attention_out: "attention.attn.o",
    attention_norm: "attention.LayerNorm",
};

/// A layer's sizes.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub hidden: usize,
    pub intermediate: usize,
    pub heads: usize,
    pub eps: f64,
}

pub struct Layer {
    q: Linear,
    k: Linear,
    v: Linear,
    o: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
    heads: usize,
    eps: f64,
    /// Layer norm and softmax that carry gradients (`fused`'s; candle's
    /// fused ones do not), for training.
    differentiable: bool,
}

impl Layer {
    /// The layer whose weights `vb` (at `encoder.layer.{i}`) holds.
    pub fn load(vb: VarBuilder, names: &Names, s: Shape) -> Result<Layer> {
        let h = s.hidden;
        let [q, k, v] = names.qkv;
        Ok(Layer {
            q: linear(h, h, vb.pp(q))?,
            k: linear(h, h, vb.pp(k))?,
            v: linear(h, h, vb.pp(v))?,
            o: linear(h, h, vb.pp(names.attention_out))?,
            attention_norm: layer_norm(h, s.eps, vb.pp(names.attention_norm))?,
            intermediate: linear(h, s.intermediate, vb.pp("intermediate.dense"))?,
            output: linear(s.intermediate, h, vb.pp("output.dense"))?,
            output_norm: layer_norm(h, s.eps, vb.pp("output.LayerNorm"))?,
            heads: s.heads,
            eps: s.eps,
            differentiable: false,
        })
    }

    /// The same layer, computed so that gradients reach its weights.
    pub fn differentiable(mut self) -> Layer {
        self.differentiable = true;
        self
    }

    fn norm(&self, norm: &LayerNorm, x: &Tensor) -> Result<Tensor> {
        if !self.differentiable {
            return norm.forward(x);
        }
        let bias = norm.bias().expect("BERT and MPNet norms have a bias");
        fused::layer_norm(x, norm.weight(), bias, self.eps)
    }

    /// `x`: `[batch, len, hidden]`; `bias`: added to the attention scores
    /// and broadcast to `[batch, heads, len, len]` (the padding mask, and
    /// MPNet's position bias).
    pub fn forward(&self, x: &Tensor, bias: &Tensor) -> Result<Tensor> {
        let (b, len, h) = x.dims3()?;
        let d = h / self.heads;
        let split = |t: Tensor| t.reshape((b, len, self.heads, d))?.transpose(1, 2)?.contiguous();
        let q = split(self.q.forward(x)?)?;
        let k = split(self.k.forward(x)?)?;
        let v = split(self.v.forward(x)?)?;
        let scores = (q.matmul(&k.t()?)? / (d as f64).sqrt())?.broadcast_add(bias)?;
        let probs = if self.differentiable {
            fused::softmax(&scores)?
        } else {
            candle_nn::ops::softmax_last_dim(&scores)?
        };
        let context = probs.matmul(&v)?.transpose(1, 2)?.contiguous()?.reshape((b, len, h))?;
        let x = self.norm(&self.attention_norm, &(self.o.forward(&context)? + x)?)?;
        // candle's GELU, to the bit, on every CPU core.
        let inner = fused::gelu(&self.intermediate.forward(&x)?)?;
        self.norm(&self.output_norm, &(self.output.forward(&inner)? + x)?)
    }
}
