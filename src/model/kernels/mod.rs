//! CPU kernels for the packed encoder (`bert`): a bf16 matrix product on
//! AVX-512 BF16 with bias, GELU or residual fused into its last pass, and
//! the row-wise steps (layer norm, softmax) spread over the rayon pool.
//!
//! Why not candle's ops: on this CPU candle's matmul runs gemm's AVX2 f32
//! kernel, and its element-wise ops run on one core, each into a fresh
//! buffer: a profile of `classify` spent 45% in the matmul kernel, 12% in
//! a scalar erf and 17% allocating element-wise results. `vdpbf16ps`
//! does twice the multiply-adds of an f32 FMA per instruction.

mod attention;
mod linear;
mod math;
mod norm;

pub use attention::attention_head;
pub use linear::{Bf16Linear, Epilogue};
pub use math::{exp, gelu};
pub use norm::layer_norm;

/// Whether this CPU runs `Bf16Linear` (checked once per process).
pub fn bf16_supported() -> bool {
    static SUPPORTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SUPPORTED.get_or_init(|| is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512bf16"))
}

/// Columns per weight panel: one 512-bit register of f32 lanes.
const LANES: usize = 16;
/// Rows per parallel task: a block of the input stays in L2 while every panel streams past it.
const ROW_BLOCK: usize = 64;
