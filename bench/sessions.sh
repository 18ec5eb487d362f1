#!/usr/bin/env bash
# Session-size benchmark: builds databases of 1, 10, 50 and 200 MB of real source text and one
# with 10,000 other sessions (kept in $BENCH_SCRATCH, default /tmp/mcpproxy-bench-sessions, and
# reused), then prints one table row per (database, binary, case). Knobs: see bench/sessions.rs.
# Before/after: BENCH_BEFORE=/path/to/old/target/release/mcpproxy bash bench/sessions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cargo run --release --quiet --example bench_sessions
