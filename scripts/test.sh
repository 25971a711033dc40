#!/usr/bin/env bash
# The test suite: fetches the encoders' weights if missing, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --quiet -- fetch-model
cargo run --release --quiet -- fetch-model --encoder all-mpnet-base-v2
cargo test --release
