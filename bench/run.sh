#!/usr/bin/env bash
# Builds the release binary and runs the benchmark harness; prints the tables and writes
# bench/RESULTS.md. Knobs: BENCH_RUNS (samples per latency case, default 300) and
# BENCH_EVALS (evaluations for the database-size run, default 10000); BENCH_BIN (another binary, for
# a before/after) and BENCH_OUT (where to write the tables).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cargo run --release --quiet --example bench
