#!/usr/bin/env bash
# What `mmstatus watch` costs on the websocket against the same watch with --poll, side
# by side in one run, on loopback against the crate's fake (BENCHMARKS.md §7):
# idle CPU, wake-ups and resident memory of `watch me`; HTTP requests and bytes per
# minute of watching 1,000 users by socket polling and by HTTP polling (every 5 s).
#   bash benches/live_cost.sh [seconds]     (default 60; about 80 s in all)
# The binary is the test profile's (debug) mmstatus: the two sides share it.
set -euo pipefail
cd "$(dirname "$0")/.."
LIVE_COST_SECS=${1:-60} cargo test -p mmstatus --test live_cost -- --ignored --nocapture 2>&1 |
    grep '^cost:'
