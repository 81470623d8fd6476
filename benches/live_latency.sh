#!/usr/bin/env bash
# Event latency (a status set on the fake to the event out of the library's stream)
# through nginx terminating TLS, against straight to the fake over loopback, in the same
# run, 40 changes each, alternating (BENCHMARKS.md §7). Uses the field suite's nginx
# and certificates (scripts/field.sh); about 40 s on a warm target directory:
#   bash benches/live_latency.sh
set -uo pipefail
cd "$(dirname "$0")/.."
# --nocapture puts the first figure on the test's own line: the figures are cut out.
FIELD_FILTER="live_latency_through_nginx_tls_against_loopback --nocapture --exact" \
    bash scripts/field.sh 2>&1 | grep -oE 'field: latency.*|test result: .*'
