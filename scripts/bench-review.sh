#!/usr/bin/env bash
# Review latency with 10,000 questions loaded: key press to next question.
# The questions are the repo's corpus/ classified by the real model, repeated
# 200 times under made-up tickers: 11,200 questions, 10,000 counted (each
# repeat's two copies of one MSFT call count once, as in the report).
# Latency depends on how many questions the session holds, not on their text.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --example review_latency
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./target/release/earnings-qa classify corpus -o "$work/corpus.jsonl" 2>/dev/null
python3 - "$work/corpus.jsonl" "$work/10k.jsonl" <<'PY'
import hashlib, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
with open(sys.argv[2], "w") as out:
    for n in range(200):
        for r in rows:
            r = dict(r, ticker=f"T{n:03d}{r['ticker']}", source=f"{r['source']}#{n}")
            r["id"] = hashlib.sha256(f"{r['id']}|{n}".encode()).hexdigest()[:16]
            out.write(json.dumps(r) + "\n")
PY
./target/release/examples/review_latency "$work/10k.jsonl" "${1:-300}"
