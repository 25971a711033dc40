#!/usr/bin/env bash
# The `cuda` build on a GPU machine: classify throughput at several batch
# sizes, the same questions on that machine's CPU, and how far the GPU's
# labels and probabilities are from the CPU's.
#
#   scripts/bench-gpu.sh BIN OUTDIR PATH...
#
# BIN is a binary built with `--features cuda` (scripts/build-cuda.sh); it
# runs from the repository root, so models/default and
# models/all-MiniLM-L6-v2 are found as usual. The CUDA libraries it links
# (runtime, cuBLAS, cuRAND) are looked up under $CUDA_LIB_SEARCH (default
# /usr /opt) when ld.so lacks them. The CPU run, and the comparison, take
# the first $CPU_FILES paths (50).
set -uo pipefail
bin=$1 out=$2
shift 2
mkdir -p "$out"

libdirs=$(ldd "$bin" | awk '/not found/ {print $1}' | while read -r lib; do
    # shellcheck disable=SC2086 # a list of folders
    find ${CUDA_LIB_SEARCH:-/usr /opt} -name "$lib" 2>/dev/null | head -n 1 | xargs -r dirname
done | sort -u | paste -sd:)
export LD_LIBRARY_PATH=${libdirs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
if ldd "$bin" | grep -q 'not found'; then
    ldd "$bin"
    echo "bench-gpu: libraries missing" >&2
    exit 2
fi

echo "machine: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader), $(nproc) CPU cores"
echo "libraries: $(ldd "$bin" | grep -E 'cu|nvrtc' | awk '{print $3}' | paste -sd' ')"
"$bin" questions "$@" -o "$out/questions.jsonl" 2>/dev/null
echo "input: $# paths, $(wc -l < "$out/questions.jsonl") questions"

run() { # NAME ARGS...: one timed classify
    local name=$1
    shift
    /usr/bin/time -f "wall %e s, max RSS %M KB" "$bin" classify "$@" --no-cache -o "$out/$name.jsonl" 2> "$out/$name.log"
    echo "$name: $(grep -E "classified|error" "$out/$name.log" | head -n 2 | sed "s/^earnings-qa: //") $(tail -n 1 "$out/$name.log")"
}
for bs in 8 32 64 128 256; do
    run "cuda-b$bs" "$@" --device cuda --batch-size "$bs"
done
run cuda-b64-again "$@" --device cuda --batch-size 64
run cuda-default "$@" --device cuda
cpu=("${@:1:${CPU_FILES:-50}}")
run cpu-b8 "${cpu[@]}" --device cpu --batch-size 8

python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def load(name):
    return {q["id"]: q for q in map(json.loads, open(f"{out}/{name}.jsonl"))}
cpu = load("cpu-b8")
for name in ["cuda-b8", "cuda-b64", "cuda-b256"]:
    gpu = load(name)
    same = sum(gpu[i]["label"] == q["label"] for i, q in cpu.items())
    diff = max(abs(a - b) for i, q in cpu.items() for a, b in zip(q["probs"].values(), gpu[i]["probs"].values()))
    print(f"{name} against cpu-b8: {same}/{len(cpu)} labels equal, largest probability difference {diff:.2e}")
PY
