#!/usr/bin/env bash
# Fine-tuning speed on this machine: the frozen layers' pass over the
# texts, then one epoch of training the top layers, each timed on its own
# (examples/fine_tune_speed.rs). The texts: the first TEXTS questions of
# the `dev` calls of ../shared/corpus, in path order.
#
#   scripts/bench-finetune.sh [ENCODER_DIR] [LAYERS] [TEXTS]
#
# ENCODER_DIR: models/all-MiniLM-L6-v2 (default) or models/all-mpnet-base-v2
# (fetched if missing); LAYERS: layers tuned (default 2); TEXTS: default 512.
# RAYON_NUM_THREADS sets the threads (default: every core).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-models/all-MiniLM-L6-v2}
cargo build --release --quiet --bins --example fine_tune_speed
if [ ! -f "$dir/model.safetensors" ]; then
    case "$dir" in
        *mpnet*) ./target/release/earnings-qa fetch-model --encoder all-mpnet-base-v2 ;;
        *) ./target/release/earnings-qa fetch-model ;;
    esac
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
corpus=../shared/corpus
mapfile -t files < <(python3 -c '
import csv, sys
rows = csv.DictReader(open(sys.argv[1] + "/manifest.csv", newline=""))
for p in sorted(r["path"] for r in rows if r["split"] == "dev"):
    print(sys.argv[1] + "/" + p)
' "$corpus")
[ ${#files[@]} -gt 0 ] || { echo "no dev calls in $corpus/manifest.csv" >&2; exit 2; }
# Exit 1 only says some file was skipped; the questions of the rest are there.
./target/release/earnings-qa questions "${files[@]}" > "$work/questions.jsonl" 2> "$work/stderr" || [ $? = 1 ]
./target/release/examples/fine_tune_speed "$work/questions.jsonl" "$dir" "${2:-2}" "${3:-512}"
