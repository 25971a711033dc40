//! Layer norm, softmax and GELU with gradients, for the layers fine-tuning
//! trains. On the CPU each is one candle op with a hand-written backward,
//! its rows spread over the rayon pool; on other devices, candle's
//! elementary ops, which run in parallel there. (GELU serves the layers'
//! plain forward pass too: its values are candle's to the bit.)
//!
//! Why: candle's CPU element-wise ops and reductions run on one core, each
//! into a fresh buffer, and its fused layer norm and softmax carry no
//! gradient, so the trained layers built these three from chains of a
//! dozen elementary ops each way (GELU's backward alone is eleven passes
//! over the widest tensor of a layer). The tuner kept 1.3 of two cores
//! busy.

use candle_core::{bail, CpuStorage, CustomOp1, CustomOp2, CustomOp3, Layout, Result, Shape, Tensor, D};
use rayon::prelude::*;

/// Rows per parallel task. Fixed, so that sums over rows (the norm's
/// weight gradients) add in one order whatever the number of threads.
const ROWS: usize = 32;

/// `x`'s data, which must be contiguous f32.
fn data<'a>(s: &'a CpuStorage, l: &Layout) -> Result<&'a [f32]> {
    match l.contiguous_offsets() {
        Some((start, end)) => Ok(&s.as_slice::<f32>()?[start..end]),
        None => bail!("fused ops take contiguous tensors"),
    }
}

/// A buffer the size of `x`, filled chunk by chunk (`chunk` elements,
/// on every core) by `f(out, x)`.
fn map(x: &[f32], chunk: usize, f: impl Fn(&mut [f32], &[f32]) + Sync) -> CpuStorage {
    let mut out = vec![0f32; x.len()];
    out.par_chunks_mut(chunk)
        .zip(x.par_chunks(chunk))
        .for_each(|(out, x)| f(out, x));
    CpuStorage::F32(out)
}

/// `map` over two inputs of one size: `f(out, a, b)`.
fn map2(a: &[f32], b: &[f32], chunk: usize, f: impl Fn(&mut [f32], &[f32], &[f32]) + Sync) -> CpuStorage {
    let mut out = vec![0f32; a.len()];
    out.par_chunks_mut(chunk)
        .zip(a.par_chunks(chunk).zip(b.par_chunks(chunk)))
        .for_each(|(out, (a, b))| f(out, a, b));
    CpuStorage::F32(out)
}

/// Layer norm over the last dimension, `(x - mean) / sqrt(var + eps) * gamma + beta`.
pub fn layer_norm(x: &Tensor, gamma: &Tensor, beta: &Tensor, eps: f64) -> Result<Tensor> {
    if !x.device().is_cpu() {
        return elementary_layer_norm(x, gamma, beta, eps);
    }
    x.contiguous()?.apply_op3(gamma, beta, LayerNorm { eps: eps as f32 })
}

/// The same from candle's elementary ops, which carry their gradients.
fn elementary_layer_norm(x: &Tensor, gamma: &Tensor, beta: &Tensor, eps: f64) -> Result<Tensor> {
    let centred = x.broadcast_sub(&x.mean_keepdim(D::Minus1)?)?;
    let std = (centred.sqr()?.mean_keepdim(D::Minus1)? + eps)?.sqrt()?;
    centred.broadcast_div(&std)?.broadcast_mul(gamma)?.broadcast_add(beta)
}

/// Softmax over the last dimension.
pub fn softmax(x: &Tensor) -> Result<Tensor> {
    if !x.device().is_cpu() {
        return candle_nn::ops::softmax(x, D::Minus1);
    }
    x.contiguous()?.apply_op1(Softmax)
}

/// GELU with the exact erf, as BERT and MPNet use.
pub fn gelu(x: &Tensor) -> Result<Tensor> {
    if !x.device().is_cpu() {
        return x.gelu_erf();
    }
    x.contiguous()?.apply_op1(Gelu)
}

/// A row's mean and reciprocal standard deviation.
fn moments(x: &[f32], eps: f32) -> (f32, f32) {
    let n = x.len() as f32;
    let mean = x.iter().sum::<f32>() / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
    (mean, 1.0 / (var + eps).sqrt())
}

struct LayerNorm {
    eps: f32,
}

impl CustomOp3 for LayerNorm {
    fn name(&self) -> &'static str {
        "fused-layer-norm"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (x, gamma, beta) = (data(s1, l1)?, data(s2, l2)?, data(s3, l3)?);
        let dim = gamma.len();
        let y = map(x, ROWS * dim, |y, x| {
            for (y, x) in y.chunks_exact_mut(dim).zip(x.chunks_exact(dim)) {
                let (mean, rstd) = moments(x, self.eps);
                for c in 0..dim {
                    y[c] = (x[c] - mean) * rstd * gamma[c] + beta[c];
                }
            }
        });
        Ok((y, l1.shape().clone()))
    }

    fn bwd(
        &self,
        x: &Tensor,
        gamma: &Tensor,
        _beta: &Tensor,
        _y: &Tensor,
        dy: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        // One pass gives all three: dx's rows, then dgamma and dbeta.
        let grad = LayerNormGrad {
            eps: self.eps,
            gamma: gamma.to_vec1()?,
        };
        let all = dy.contiguous()?.apply_op2_no_bwd(x, &grad)?;
        let rows = x.elem_count() / gamma.elem_count();
        let dx = all.narrow(0, 0, rows)?.reshape(x.shape())?;
        Ok((Some(dx), Some(all.get(rows)?), Some(all.get(rows + 1)?)))
    }
}

/// The layer norm's gradients from `dy` and `x`: `[rows + 2, dim]`, dx
/// then dgamma and dbeta.
struct LayerNormGrad {
    eps: f32,
    gamma: Vec<f32>,
}

impl CustomOp2 for LayerNormGrad {
    fn name(&self) -> &'static str {
        "fused-layer-norm-grad"
    }

    fn cpu_fwd(&self, s1: &CpuStorage, l1: &Layout, s2: &CpuStorage, l2: &Layout) -> Result<(CpuStorage, Shape)> {
        let (dy, x, gamma) = (data(s1, l1)?, data(s2, l2)?, self.gamma.as_slice());
        let dim = gamma.len();
        let rows = x.len() / dim;
        let mut out = vec![0f32; x.len() + 2 * dim];
        let (dx, _) = out.split_at_mut(x.len());
        // Per block of rows, its share of dgamma and dbeta.
        let partial: Vec<Vec<f32>> = dx
            .par_chunks_mut(ROWS * dim)
            .zip(x.par_chunks(ROWS * dim).zip(dy.par_chunks(ROWS * dim)))
            .map(|(dx, (x, dy))| {
                let mut sums = vec![0f32; 2 * dim];
                let mut xhat = vec![0f32; dim];
                for ((dx, x), dy) in dx
                    .chunks_exact_mut(dim)
                    .zip(x.chunks_exact(dim))
                    .zip(dy.chunks_exact(dim))
                {
                    let (mean, rstd) = moments(x, self.eps);
                    let (mut a, mut b) = (0f32, 0f32);
                    for c in 0..dim {
                        xhat[c] = (x[c] - mean) * rstd;
                        let g = dy[c] * gamma[c];
                        a += g;
                        b += g * xhat[c];
                        sums[c] += dy[c] * xhat[c];
                        sums[dim + c] += dy[c];
                    }
                    let (a, b) = (a / dim as f32, b / dim as f32);
                    for c in 0..dim {
                        dx[c] = rstd * (dy[c] * gamma[c] - a - xhat[c] * b);
                    }
                }
                sums
            })
            .collect();
        let tail = &mut out[x.len()..];
        for sums in partial {
            for (t, s) in tail.iter_mut().zip(sums) {
                *t += s;
            }
        }
        Ok((CpuStorage::F32(out), Shape::from((rows + 2, dim))))
    }
}

struct Softmax;

impl CustomOp1 for Softmax {
    fn name(&self) -> &'static str {
        "fused-softmax"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let x = data(s, l)?;
        let dim = l.dims().last().copied().unwrap_or(1);
        let y = map(x, ROWS * dim, |y, x| {
            for (y, x) in y.chunks_exact_mut(dim).zip(x.chunks_exact(dim)) {
                let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let mut sum = 0f32;
                for (y, x) in y.iter_mut().zip(x) {
                    *y = (x - max).exp();
                    sum += *y;
                }
                y.iter_mut().for_each(|y| *y /= sum);
            }
        });
        Ok((y, l.shape().clone()))
    }

    fn bwd(&self, _x: &Tensor, y: &Tensor, dy: &Tensor) -> Result<Option<Tensor>> {
        Ok(Some(y.apply_op2_no_bwd(&dy.contiguous()?, &SOFTMAX_GRAD)?))
    }
}

struct Gelu;

/// Chunk of elements per parallel task for GELU, which has no rows.
const ELEMENTS: usize = 1 << 14;

impl CustomOp1 for Gelu {
    fn name(&self) -> &'static str {
        "fused-gelu"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let x = data(s, l)?;
        let y = map(x, ELEMENTS, |y, x| {
            for (y, &x) in y.iter_mut().zip(x) {
                // candle's gelu_erf, to the bit.
                *y = (erf(x * std::f32::consts::FRAC_1_SQRT_2) + 1.0) * 0.5 * x;
            }
        });
        Ok((y, l.shape().clone()))
    }

    fn bwd(&self, x: &Tensor, _y: &Tensor, dy: &Tensor) -> Result<Option<Tensor>> {
        Ok(Some(x.apply_op2_no_bwd(&dy.contiguous()?, &GELU_GRAD)?))
    }
}

/// A gradient that needs only the op's input or output `a` and the
/// gradient `dy`, both of one shape: `f(dx, a, dy)`, over chunks of whole
/// rows of the last dimension (softmax) or of `ELEMENTS` (GELU).
struct Grad {
    name: &'static str,
    by_rows: bool,
    f: fn(&mut [f32], &[f32], &[f32], usize),
}

impl CustomOp2 for Grad {
    fn name(&self) -> &'static str {
        self.name
    }

    fn cpu_fwd(&self, s1: &CpuStorage, l1: &Layout, s2: &CpuStorage, l2: &Layout) -> Result<(CpuStorage, Shape)> {
        let (a, dy) = (data(s1, l1)?, data(s2, l2)?);
        let dim = l1.dims().last().copied().unwrap_or(1);
        let chunk = if self.by_rows { ROWS * dim } else { ELEMENTS };
        Ok((
            map2(a, dy, chunk, |dx, a, dy| (self.f)(dx, a, dy, dim)),
            l1.shape().clone(),
        ))
    }
}

/// `y * (dy - sum(dy * y))`, row by row.
const SOFTMAX_GRAD: Grad = Grad {
    name: "fused-softmax-grad",
    by_rows: true,
    f: |dx, y, dy, dim| {
        for ((dx, y), dy) in dx
            .chunks_exact_mut(dim)
            .zip(y.chunks_exact(dim))
            .zip(dy.chunks_exact(dim))
        {
            let dot: f32 = y.iter().zip(dy).map(|(y, d)| y * d).sum();
            for c in 0..dim {
                dx[c] = y[c] * (dy[c] - dot);
            }
        }
    },
};

/// `dy * (0.5 + x e^(-x^2/2) / sqrt(2 pi) + 0.5 erf(x / sqrt 2))`.
const GELU_GRAD: Grad = Grad {
    name: "fused-gelu-grad",
    by_rows: false,
    f: |dx, x, dy, _| {
        for ((dx, &x), &dy) in dx.iter_mut().zip(x).zip(dy) {
            let density = 0.398_942_3 * (-0.5 * x * x).exp();
            *dx = dy * (0.5 + x * density + 0.5 * erf(x * std::f32::consts::FRAC_1_SQRT_2));
        }
    },
};

fn erf(x: f32) -> f32 {
    candle_core::cpu::erf::erf_f32(x)
}

#[cfg(test)]
mod tests {
    use candle_core::{Device, Tensor, Var, D};

    /// Largest difference between two tensors, relative to the largest value.
    fn gap(a: &Tensor, b: &Tensor) -> f32 {
        let diff = (a - b)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        let scale = b.abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap();
        diff / scale.max(1e-6)
    }

    /// Outputs and gradients (of `sum(y * w)`) of `fused` and of candle's
    /// elementary `reference` at the same inputs, which must agree.
    fn agree(
        inputs: &[Tensor],
        fused: impl Fn(&[Tensor]) -> candle_core::Result<Tensor>,
        reference: impl Fn(&[Tensor]) -> candle_core::Result<Tensor>,
    ) {
        let vars: Vec<Var> = inputs.iter().map(|t| Var::from_tensor(t).unwrap()).collect();
        let tensors: Vec<Tensor> = vars.iter().map(|v| v.as_tensor().clone()).collect();
        let (ours, theirs) = (fused(&tensors).unwrap(), reference(&tensors).unwrap());
        assert!(gap(&ours, &theirs) < 1e-5, "forward: {}", gap(&ours, &theirs));
        let w = ours.randn_like(0.0, 1.0).unwrap();
        let g1 = (&ours * &w).unwrap().sum_all().unwrap().backward().unwrap();
        let g2 = (&theirs * &w).unwrap().sum_all().unwrap().backward().unwrap();
        for (i, t) in tensors.iter().enumerate() {
            let (a, b) = (g1.get(t).unwrap(), g2.get(t).unwrap());
            assert!(gap(a, b) < 1e-4, "gradient of input {i}: {}", gap(a, b));
        }
    }

    fn randn(shape: &[usize]) -> Tensor {
        Tensor::randn(0f32, 1.0, shape, &Device::Cpu).unwrap()
    }

    // 2 x 45 rows: more than one block of rows, the last one partial.
    const SHAPE: [usize; 3] = [2, 45, 64];

    #[test]
    fn layer_norm_matches_the_elementary_ops_other_devices_run_and_their_gradients() {
        let eps = 1e-12;
        agree(
            &[(randn(&SHAPE) * 3.0).unwrap(), randn(&[64]), randn(&[64])],
            |t| super::layer_norm(&t[0], &t[1], &t[2], eps),
            |t| super::elementary_layer_norm(&t[0], &t[1], &t[2], eps),
        );
    }

    #[test]
    fn softmax_matches_candles_and_its_gradient() {
        // A masked column, as padding is: its probability is 0.
        let mask = Tensor::from_vec([vec![0f32; 63], vec![f32::MIN]].concat(), 64, &Device::Cpu).unwrap();
        let x = (randn(&SHAPE) * 4.0).unwrap().broadcast_add(&mask).unwrap();
        agree(
            &[x],
            |t| super::softmax(&t[0]),
            |t| candle_nn::ops::softmax(&t[0], D::Minus1),
        );
    }

    #[test]
    fn gelu_is_candles_to_the_bit_with_its_gradient() {
        let x = (randn(&SHAPE) * 3.0).unwrap();
        let diff = (super::gelu(&x).unwrap() - x.gelu_erf().unwrap()).unwrap();
        assert_eq!(diff.abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap(), 0.0);
        agree(&[x], |t| super::gelu(&t[0]), |t| t[0].gelu_erf());
    }
}
