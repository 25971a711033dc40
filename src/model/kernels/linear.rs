//! The bf16 matrix product (`vdpbf16ps`) with its fused last pass.

use std::arch::x86_64::*;

use rayon::prelude::*;

use super::{gelu, LANES, ROW_BLOCK};

/// Rows of the output held in registers at once (8 rows x 2 panels = 16 accumulators).
const MR: usize = 8;

/// What the matrix product's last pass adds to `x W^T + b`.
#[derive(Clone, Copy)]
pub enum Epilogue<'a> {
    None,
    /// GELU (erf form, as BERT's `hidden_act: gelu`).
    Gelu,
    /// A residual of the output's shape, added element-wise.
    Residual(&'a [f32]),
}

/// A linear layer `y = x W^T + b` whose weights are rounded to bf16 once,
/// at load, and laid out for `vdpbf16ps`: for each panel of 16 output
/// columns and each pair of input features, the 16 columns' two weights
/// side by side (one 512-bit load per pair step).
pub struct Bf16Linear {
    packed: Vec<u16>,
    bias: Vec<f32>,
    n_in: usize,
    n_out: usize,
}

impl Bf16Linear {
    /// `weight` is `[n_out, n_in]` row-major (PyTorch's layout).
    pub fn new(weight: &[f32], bias: Vec<f32>, n_in: usize, n_out: usize) -> Bf16Linear {
        assert!(
            n_out.is_multiple_of(2 * LANES) && n_in.is_multiple_of(2),
            "shape {n_out}x{n_in} does not tile"
        );
        assert_eq!(weight.len(), n_in * n_out);
        assert_eq!(bias.len(), n_out);
        let pairs = n_in / 2;
        let mut packed = vec![0u16; n_out * n_in];
        for panel in 0..n_out / LANES {
            for k in 0..pairs {
                for lane in 0..LANES {
                    let row = &weight[(panel * LANES + lane) * n_in..][..n_in];
                    let at = ((panel * pairs + k) * LANES + lane) * 2;
                    packed[at] = to_bf16(row[2 * k]);
                    packed[at + 1] = to_bf16(row[2 * k + 1]);
                }
            }
        }
        Bf16Linear {
            packed,
            bias,
            n_in,
            n_out,
        }
    }

    pub fn n_out(&self) -> usize {
        self.n_out
    }

    /// `x` is `[rows, n_in]`; returns `[rows, n_out]` with the epilogue applied.
    pub fn forward(&self, x: &[f32], epilogue: Epilogue) -> Vec<f32> {
        let rows = x.len() / self.n_in;
        assert_eq!(rows * self.n_in, x.len());
        let mut xb = vec![0u16; x.len()];
        xb.par_chunks_mut(ROW_BLOCK * self.n_in)
            .zip(x.par_chunks(ROW_BLOCK * self.n_in))
            // SAFETY: see `block`.
            .for_each(|(d, s)| unsafe { to_bf16_all(s, d) });
        let mut out = vec![0f32; rows * self.n_out];
        out.par_chunks_mut(ROW_BLOCK * self.n_out)
            .enumerate()
            .for_each(|(block, out)| {
                let first = block * ROW_BLOCK;
                let n = out.len() / self.n_out;
                let xb = &xb[first * self.n_in..(first + n) * self.n_in];
                let residual = match epilogue {
                    Epilogue::Residual(r) => Some(&r[first * self.n_out..(first + n) * self.n_out]),
                    _ => None,
                };
                // SAFETY: `bf16_supported()` is checked where a Bf16Linear is built (`bert::PackedBert::load`).
                unsafe { self.block(xb, out, n) };
                // SAFETY: as above.
                unsafe { finish(out, &self.bias, epilogue, residual) };
            });
        out
    }

    /// `out[n, n_out] = xb[n, n_in] W^T` for one block of rows.
    #[target_feature(enable = "avx512f,avx512bf16")]
    unsafe fn block(&self, xb: &[u16], out: &mut [f32], rows: usize) {
        let pairs = self.n_in / 2;
        for panel in (0..self.n_out / LANES).step_by(2) {
            let w0 = self.packed.as_ptr().add(panel * pairs * LANES * 2);
            let w1 = w0.add(pairs * LANES * 2);
            let mut r = 0;
            while r < rows {
                let mr = (rows - r).min(MR);
                let x = xb.as_ptr().add(r * self.n_in);
                let o = out.as_mut_ptr().add(r * self.n_out + panel * LANES);
                match mr {
                    8 => tile::<8>(x, w0, w1, o, pairs, self.n_in, self.n_out),
                    7 => tile::<7>(x, w0, w1, o, pairs, self.n_in, self.n_out),
                    6 => tile::<6>(x, w0, w1, o, pairs, self.n_in, self.n_out),
                    5 => tile::<5>(x, w0, w1, o, pairs, self.n_in, self.n_out),
                    4 => tile::<4>(x, w0, w1, o, pairs, self.n_in, self.n_out),
                    3 => tile::<3>(x, w0, w1, o, pairs, self.n_in, self.n_out),
                    2 => tile::<2>(x, w0, w1, o, pairs, self.n_in, self.n_out),
                    _ => tile::<1>(x, w0, w1, o, pairs, self.n_in, self.n_out),
                }
                r += mr;
            }
        }
    }
}

/// Adds the bias (and the residual, or applies GELU) to rows of output.
#[target_feature(enable = "avx512f")]
unsafe fn finish(out: &mut [f32], bias: &[f32], epilogue: Epilogue, residual: Option<&[f32]>) {
    let n = bias.len();
    for (r, o) in out.chunks_exact_mut(n).enumerate() {
        match (epilogue, residual) {
            (Epilogue::Residual(_), Some(res)) => {
                let res = &res[r * n..][..n];
                for c in 0..n {
                    o[c] += bias[c] + res[c];
                }
            }
            (Epilogue::Gelu, _) => {
                for c in 0..n {
                    o[c] = gelu(o[c] + bias[c]);
                }
            }
            _ => {
                for c in 0..n {
                    o[c] += bias[c];
                }
            }
        }
    }
}

/// `R` rows by 32 columns (two panels) of the product, in registers.
#[target_feature(enable = "avx512f,avx512bf16")]
#[inline]
unsafe fn tile<const R: usize>(
    x: *const u16,
    w0: *const u16,
    w1: *const u16,
    out: *mut f32,
    pairs: usize,
    x_stride: usize,
    out_stride: usize,
) {
    let mut acc0 = [_mm512_setzero_ps(); R];
    let mut acc1 = [_mm512_setzero_ps(); R];
    for k in 0..pairs {
        let b0: __m512bh = std::mem::transmute(_mm512_loadu_si512(w0.add(k * LANES * 2) as *const _));
        let b1: __m512bh = std::mem::transmute(_mm512_loadu_si512(w1.add(k * LANES * 2) as *const _));
        for r in 0..R {
            let pair = (x.add(r * x_stride + 2 * k) as *const i32).read_unaligned();
            let a: __m512bh = std::mem::transmute(_mm512_set1_epi32(pair));
            acc0[r] = _mm512_dpbf16_ps(acc0[r], a, b0);
            acc1[r] = _mm512_dpbf16_ps(acc1[r], a, b1);
        }
    }
    for r in 0..R {
        _mm512_storeu_ps(out.add(r * out_stride), acc0[r]);
        _mm512_storeu_ps(out.add(r * out_stride + LANES), acc1[r]);
    }
}

/// `to_bf16` of a whole slice, 16 at a time (`vcvtneps2bf16`).
#[target_feature(enable = "avx512f,avx512bf16")]
unsafe fn to_bf16_all(src: &[f32], dst: &mut [u16]) {
    let (chunks, tail) = src.split_at(src.len() / LANES * LANES);
    for (i, c) in chunks.chunks_exact(LANES).enumerate() {
        let b = _mm512_cvtneps_pbh(_mm512_loadu_ps(c.as_ptr()));
        _mm256_storeu_si256(
            dst.as_mut_ptr().add(i * LANES) as *mut __m256i,
            std::mem::transmute::<__m256bh, __m256i>(b),
        );
    }
    for (d, &s) in dst[chunks.len()..].iter_mut().zip(tail) {
        *d = to_bf16(s);
    }
}

/// f32 to bf16, rounding to nearest even (as `vcvtne2ps2bf16`); NaN stays NaN.
fn to_bf16(x: f32) -> u16 {
    let bits = x.to_bits();
    if x.is_nan() {
        return ((bits >> 16) | 0x40) as u16;
    }
    ((bits + 0x7fff + ((bits >> 16) & 1)) >> 16) as u16
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kernels::bf16_supported;

    #[test]
    fn bf16_linear_matches_f32_product() {
        if !bf16_supported() {
            eprintln!("skipped: this CPU has no AVX-512 BF16");
            return;
        }
        let (n_in, n_out, rows) = (96, 64, 21);
        let w: Vec<f32> = (0..n_in * n_out)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
            .collect();
        let bias: Vec<f32> = (0..n_out).map(|i| i as f32 / 10.0).collect();
        let x: Vec<f32> = (0..rows * n_in).map(|i| ((i * 53 % 89) as f32 - 44.0) / 44.0).collect();
        let res: Vec<f32> = (0..rows * n_out).map(|i| (i % 7) as f32).collect();
        let lin = Bf16Linear::new(&w, bias.clone(), n_in, n_out);
        for (epi, name) in [
            (Epilogue::None, "none"),
            (Epilogue::Gelu, "gelu"),
            (Epilogue::Residual(&res), "res"),
        ] {
            let y = lin.forward(&x, epi);
            for r in 0..rows {
                for c in 0..n_out {
                    let dot: f32 = (0..n_in).map(|k| x[r * n_in + k] * w[c * n_in + k]).sum::<f32>() + bias[c];
                    let want = match name {
                        "gelu" => gelu(dot),
                        "res" => dot + res[r * n_out + c],
                        _ => dot,
                    };
                    // bf16 keeps 8 bits of mantissa: 96 products of magnitude <= 1.
                    assert!(
                        (y[r * n_out + c] - want).abs() < 0.1,
                        "{name} [{r},{c}]: {} vs {want}",
                        y[r * n_out + c]
                    );
                }
            }
        }
    }
}
