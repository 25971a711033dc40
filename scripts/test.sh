#!/usr/bin/env bash
# The test suite: fetches the encoder's weights if missing, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --quiet -- fetch-model
cargo test --release
