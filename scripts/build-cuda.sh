#!/usr/bin/env bash
# Builds the `cuda` binary on a machine with no CUDA installed and no GPU:
# CUDA 13.0's compiler, headers and libraries come from NVIDIA's PyPI wheels,
# and a stub stands in for the driver's libcuda.so.1 at link time only.
#
#   scripts/build-cuda.sh [COMPUTE_CAP]     (default 90: H100 / H200)
#
# The binary lands in $CARGO_TARGET_DIR/release/earnings-qa (target/cuda by
# default, apart from the CPU build's target/). Where it runs it needs NVIDIA's driver (R580 or later, for CUDA
# 13.0) and libcudart.so.13, libcublas.so.13, libcublasLt.so.13 and
# libcurand.so.10 on the library path (PyTorch's cu13 wheels hold them);
# scripts/bench-gpu.sh finds them. A machine with a CUDA 13 toolkit needs
# none of this: `cargo build --release --features cuda` there.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/cuda}
cuda=${CUDA13_DIR:-$CARGO_TARGET_DIR/cuda13}
mkdir -p "$cuda"
cuda=$(cd "$cuda" && pwd)
root=$cuda/root

if [ ! -x "$root/bin/nvcc" ]; then
    mkdir -p "$cuda/wheels"
    python3 -m pip download --quiet --no-deps -d "$cuda/wheels" \
        nvidia-cuda-nvcc==13.0.88 nvidia-cuda-crt==13.0.88 nvidia-nvvm==13.0.88 \
        nvidia-cuda-runtime==13.0.96 nvidia-cuda-cccl==13.0.85 \
        nvidia-cublas==13.0.2.14 nvidia-curand==10.4.0.35 nvidia-cuda-nvrtc==13.0.88
    # The CUDA 13 wheels all unpack into nvidia/cu13/, laid out as a CUDA root.
    rm -rf "$cuda/unpack"
    for w in "$cuda"/wheels/*.whl; do
        python3 -m zipfile -e "$w" "$cuda/unpack"
    done
    rm -rf "$root"
    mv "$cuda/unpack/nvidia/cu13" "$root"
    rm -rf "$cuda/unpack"
    chmod +x "$root"/bin/* "$root"/nvvm/bin/*
    for l in cublas cublasLt cudart nvrtc; do ln -sf "lib$l.so.13" "$root/lib/lib$l.so"; done
    ln -sf libcurand.so.10 "$root/lib/libcurand.so"
    ln -sfn lib "$root/lib64"
fi

# cudarc links -lcuda: a stub that defines the driver functions it binds
# (each returns CUDA_ERROR_STUB_LIBRARY), with the real library's soname.
stubs=$cuda/stubs
if [ ! -f "$stubs/libcuda.so" ]; then
    mkdir -p "$stubs"
    cargo fetch --quiet
    bindings=$(find "${CARGO_HOME:-$HOME/.cargo}"/registry/src -path '*/cudarc-0.19.*/src/driver/sys/mod.rs' | head -n 1)
    grep -oE 'pub unsafe fn cu[A-Za-z0-9_]+' "$bindings" | awk '{print "int " $4 "(void) { return 34; }"}' | sort -u > "$stubs/cuda_stub.c"
    gcc -shared -fPIC -O1 -Wl,-soname,libcuda.so.1 -o "$stubs/libcuda.so.1" "$stubs/cuda_stub.c"
    ln -sf libcuda.so.1 "$stubs/libcuda.so"
fi

export CUDA_ROOT=$root PATH=$root/bin:$PATH CUDA_COMPUTE_CAP=${1:-90}
RUSTFLAGS="${RUSTFLAGS:-} -L native=$stubs" cargo build --release --features cuda
echo "built $CARGO_TARGET_DIR/release/earnings-qa for compute capability $CUDA_COMPUTE_CAP"
