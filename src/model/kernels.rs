//! CPU kernels for the packed encoder (`bert`): a bf16 matrix product on
//! AVX-512 BF16 with bias, GELU or residual fused into its last pass, and
//! the row-wise steps (layer norm, softmax) spread over the rayon pool.
//!
//! Why not candle's ops: on this CPU candle's matmul runs gemm's AVX2 f32
//! kernel, and its element-wise ops run on one core, each into a fresh
//! buffer: a profile of `classify` spent 45% in the matmul kernel, 12% in
//! a scalar erf and 17% allocating element-wise results. `vdpbf16ps`
//! does twice the multiply-adds of an f32 FMA per instruction.

use std::arch::x86_64::*;

use rayon::prelude::*;

/// Whether this CPU runs `Bf16Linear` (checked once per process).
pub fn bf16_supported() -> bool {
    static SUPPORTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SUPPORTED.get_or_init(|| is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512bf16"))
}

/// Columns per weight panel: one 512-bit register of f32 lanes.
const LANES: usize = 16;
/// Rows of the output held in registers at once (8 rows x 2 panels = 16 accumulators).
const MR: usize = 8;
/// Rows per parallel task: a block of the input stays in L2 while every panel streams past it.
const ROW_BLOCK: usize = 64;

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

/// Layer norm of every `dim`-wide row of `x`, in place, on all cores.
pub fn layer_norm(x: &mut [f32], dim: usize, gamma: &[f32], beta: &[f32], eps: f32) {
    assert!(bf16_supported());
    x.par_chunks_mut(ROW_BLOCK * dim).for_each(|block| {
        // SAFETY: checked above.
        unsafe { layer_norm_rows(block, dim, gamma, beta, eps) }
    });
}

#[target_feature(enable = "avx512f")]
unsafe fn layer_norm_rows(x: &mut [f32], dim: usize, gamma: &[f32], beta: &[f32], eps: f32) {
    for row in x.chunks_exact_mut(dim) {
        let mean = sum(row) / dim as f32;
        let mut var = [0f32; LANES];
        for chunk in row.chunks_exact(LANES) {
            for l in 0..LANES {
                var[l] += (chunk[l] - mean) * (chunk[l] - mean);
            }
        }
        let inv = 1.0 / (var.iter().sum::<f32>() / dim as f32 + eps).sqrt();
        for c in 0..dim {
            row[c] = (row[c] - mean) * inv * gamma[c] + beta[c];
        }
    }
}

/// A sum in 16 lanes (which vectorises, where a plain fold must keep its order).
#[inline(always)]
fn sum(x: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let chunks = x.chunks_exact(LANES);
    let tail: f32 = chunks.remainder().iter().sum();
    for chunk in chunks {
        for l in 0..LANES {
            acc[l] += chunk[l];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Scaled dot-product attention of one head of one sentence: `q`, `k`,
/// `v` are `len` rows of `d` at `stride` apart; returns `len x d`.
/// `relative[j - i + len - 1]`, where given, is added to the score of key
/// `j` for query `i` (MPNet's relative-position bias).
pub fn attention_head(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    stride: usize,
    len: usize,
    d: usize,
    relative: Option<&[f32]>,
) -> Vec<f32> {
    assert!(bf16_supported() && len > 0 && (len - 1) * stride + d <= q.len().min(k.len()).min(v.len()));
    assert!(relative.is_none_or(|r| r.len() == 2 * len - 1));
    // SAFETY: checked above. A head size known at compile time keeps a row's context in registers.
    unsafe {
        match d {
            32 => attention_rows::<32>(q, k, v, stride, len, relative),
            64 => attention_rows::<64>(q, k, v, stride, len, relative),
            _ => panic!("attention heads of {d} dimensions are not supported"),
        }
    }
}

/// Keys per block of scores held in registers.
const KEY_BLOCK: usize = 64;
/// Queries computed together, so that each key and value loaded serves several.
const QUERY_BLOCK: usize = 4;

#[target_feature(enable = "avx512f,fma")]
unsafe fn attention_rows<const D: usize>(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    stride: usize,
    len: usize,
    relative: Option<&[f32]>,
) -> Vec<f32> {
    let scale = 1.0 / (D as f32).sqrt();
    // K transposed and padded to whole blocks, so that a block of scores
    // is a run of multiply-adds over contiguous keys.
    let padded = len.div_ceil(KEY_BLOCK) * KEY_BLOCK;
    let mut kt = vec![0f32; D * padded];
    for j in 0..len {
        for c in 0..D {
            kt[c * padded + j] = k[j * stride + c];
        }
    }
    // Queries padded to whole blocks too (rows past `len` are zeros, their results dropped).
    let rows = len.div_ceil(QUERY_BLOCK) * QUERY_BLOCK;
    let mut qs = vec![0f32; rows * D];
    for i in 0..len {
        for c in 0..D {
            qs[i * D + c] = q[i * stride + c] * scale;
        }
    }
    let mut scores = vec![0f32; QUERY_BLOCK * padded];
    let mut out = vec![0f32; rows * D];
    for i0 in (0..rows).step_by(QUERY_BLOCK) {
        let qb = &qs[i0 * D..][..QUERY_BLOCK * D];
        for block in (0..padded).step_by(KEY_BLOCK) {
            let mut acc = [[0f32; KEY_BLOCK]; QUERY_BLOCK];
            for c in 0..D {
                let kc = &kt[c * padded + block..][..KEY_BLOCK];
                for (r, acc) in acc.iter_mut().enumerate() {
                    let qc = qb[r * D + c];
                    for j in 0..KEY_BLOCK {
                        acc[j] = qc.mul_add(kc[j], acc[j]);
                    }
                }
            }
            for (r, acc) in acc.iter().enumerate() {
                scores[r * padded + block..][..KEY_BLOCK].copy_from_slice(acc);
            }
        }
        for r in 0..QUERY_BLOCK {
            let row = &mut scores[r * padded..][..len];
            if let (Some(rel), true) = (relative, i0 + r < len) {
                // Key j of query i: offset j - i, at index j - i + len - 1.
                let rel = &rel[len - 1 - (i0 + r)..][..len];
                row.iter_mut().zip(rel).for_each(|(s, b)| *s += b);
            }
            let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            for s in row.iter_mut() {
                *s = exp(*s - max);
            }
            let inv = 1.0 / sum(row);
            row.iter_mut().for_each(|s| *s *= inv);
        }
        let mut acc = [[0f32; D]; QUERY_BLOCK];
        for j in 0..len {
            let vj = &v[j * stride..][..D];
            for (r, acc) in acc.iter_mut().enumerate() {
                let p = scores[r * padded + j];
                for c in 0..D {
                    acc[c] = p.mul_add(vj[c], acc[c]);
                }
            }
        }
        out[i0 * D..][..QUERY_BLOCK * D].copy_from_slice(acc.as_flattened());
    }
    out.truncate(len * D);
    out
}

/// GELU, erf form: `x/2 (1 + erf(x/sqrt 2))`.
#[inline(always)]
pub fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// erf to about 1.2e-7 absolute (Numerical Recipes' erfc Chebyshev fit),
/// branch-free so loops over it vectorise.
#[inline(always)]
fn erf(x: f32) -> f32 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_2
        + t * (1.000_023_7
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_204 + t * (1.488_515_9 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * exp(poly);
    (1.0 - erfc).copysign(x)
}

/// e^x to about 2 ulp for x in [-87, 88] (0 below, as softmax wants):
/// x = n ln 2 + f with ln 2 split in two (Cody and Waite), so that f is
/// exact, then 2^n set in the exponent bits times a degree-7 polynomial
/// for e^f. Branch-free, so loops over it vectorise.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    // Rounds to an integer by adding and removing 1.5 * 2^23 (`round` is a libm call).
    const ROUND: f32 = 12_582_912.0;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // max/min, not clamp: clamp's NaN handling keeps the loop from vectorising.
    #[allow(clippy::manual_clamp)]
    let x = x.max(-87.0).min(88.0);
    let n = (x * std::f32::consts::LOG2_E + ROUND) - ROUND;
    let f = (x - n * LN2_HI) - n * LN2_LO;
    let p = 1.0
        + f * (1.0
            + f * (0.5 + f * (1.0 / 6.0 + f * (1.0 / 24.0 + f * (1.0 / 120.0 + f * (1.0 / 720.0 + f / 5040.0))))));
    // SAFETY: |n| <= 127 after the clamp; an unchecked cast vectorises, a saturating one does not.
    let n: i32 = unsafe { n.to_int_unchecked() };
    f32::from_bits(((n + 127) << 23) as u32) * p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_and_erf_match_libm() {
        for i in -8000..=2000 {
            let x = i as f32 / 100.0;
            let (e, want) = (exp(x), x.exp());
            assert!((e - want).abs() <= want * 3e-7, "exp({x}) = {e}, libm {want}");
        }
        for i in -600..=600 {
            let x = i as f32 / 100.0;
            let want = libm_erf(x as f64);
            assert!(
                (erf(x) as f64 - want).abs() < 3e-7,
                "erf({x}) = {}, want {want}",
                erf(x)
            );
        }
    }

    /// erf by its Taylor series in f64 (converges for |x| <= 6 with enough terms).
    fn libm_erf(x: f64) -> f64 {
        if x.abs() > 4.0 {
            return x.signum();
        }
        let (mut term, mut sum) = (x, x);
        for n in 1..200 {
            term *= -x * x / n as f64;
            sum += term / (2 * n + 1) as f64;
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    }

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
