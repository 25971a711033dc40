//! Layer norm, row by row on all cores.

use rayon::prelude::*;

use super::math::sum;
use super::{bf16_supported, LANES, ROW_BLOCK};

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
