//! Scaled dot-product attention of one head, blocked so that each key and
//! value loaded serves several queries.

use super::bf16_supported;
use super::math::{exp, sum};

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
