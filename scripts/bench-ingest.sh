#!/usr/bin/env bash
# Ingest benchmark: `earnings-qa questions` over the whole shared corpus with
# the release binary, on every core rayon sees. Prints the best of N runs.
#
#   scripts/bench-ingest.sh [CORPUS] [RUNS]
#
# CORPUS defaults to ../shared/corpus, RUNS to 5. Builds the release binary
# first (into $CARGO_TARGET_DIR, default target/).
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus}
runs=${2:-5}
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/earnings-qa
best=
err=$(mktemp)
for _ in $(seq "$runs"); do
    start=$(date +%s.%N)
    # Exit code 1 (some files skipped) is expected on the real corpus.
    "$bin" questions "$corpus" >/dev/null 2>"$err" || [ $? -eq 1 ]
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    if [ -z "$best" ] || [ "$(echo "$secs < $best" | bc)" = 1 ]; then best=$secs; fi
done
echo "cores: $(nproc)  runs: $runs  best: ${best}s"
tail -n 1 "$err"
rm -f "$err"
