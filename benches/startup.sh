#!/usr/bin/env bash
# One-shot start-up: `mmstatus get` against the least a program can do to print the
# same status and username (examples/startup_baseline.rs: ureq + serde_json, the same
# two requests, no checks, no table).
#
# Usage: bash benches/startup.sh [pairs]     (default 1000 pairs, ~10 s)
#        MMSTATUS=/path/to/other/mmstatus bash benches/startup.sh   (time another build,
#        e.g. an older commit's, against the same baseline)
#
# Both programs are built with the release profile. The fake server
# (examples/fake_server) runs on 127.0.0.1 on a free port; both programs ask it for
# alice's own status (GET /api/v4/users/me/status with her token), then her username
# (POST /api/v4/users/ids), once per process, on one connection.
# The two programs run alternately, one pair at a time (the order flips every pair),
# each timed by bash's $EPOCHREALTIME around its fork, exec, request and exit; the
# first 20 pairs are a warm-up. Printed: each program's median and quartiles, and the
# ratio of the medians (mmstatus / baseline). Figures go to BENCHMARKS.md by hand.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")/.." && pwd)
pairs=${1:-1000}
warmup=20

cd "$here"
# Two builds, so that mmstatus is built as `cargo install` builds it (the library without
# the fake's features).
cargo build --quiet --release -p mmstatus --bin mmstatus
cargo build --quiet --release --features fake --example startup_baseline --example fake_server
target=$(cargo metadata --format-version 1 --no-deps |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
mmstatus=${MMSTATUS:-$target/release/mmstatus}
baseline="$target/release/examples/startup_baseline"

work=$(mktemp -d /tmp/mm-startup.XXXXXX)
fake_pid=""
cleanup() {
  if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null || true; wait "$fake_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
"$target/release/examples/fake_server" 127.0.0.1:0 >"$work/fake.out" 2>&1 &
fake_pid=$!
for _ in $(seq 100); do
  grep -q '^Serving' "$work/fake.out" 2>/dev/null && break
  sleep 0.05
done
MM_URL=$(sed -n 's/^MM_URL=//p' "$work/fake.out")
MM_TOKEN=$(awk '$1 == "alice" { for (i = 1; i < NF; i++) if ($i == "token") { print $(i + 1); exit } }' "$work/fake.out")
[ -n "$MM_URL" ] && [ -n "$MM_TOKEN" ] || { echo "the fake server did not start" >&2; cat "$work/fake.out" >&2; exit 1; }
export MM_URL MM_TOKEN
# Both must succeed and agree before anything is timed.
"$mmstatus" get >"$work/a.out"
"$baseline" >"$work/b.out"
grep -q "@alice *offline" "$work/a.out" && grep -q "@alice offline" "$work/b.out" ||
  { echo "unexpected output:" >&2; cat "$work/a.out" "$work/b.out" >&2; exit 1; }

: >"$work/a.us"
: >"$work/b.us"
run_a() { local t0=${EPOCHREALTIME/./}; "$mmstatus" get >/dev/null; local t1=${EPOCHREALTIME/./}; [ "$1" = keep ] && echo $((t1 - t0)) >>"$work/a.us"; return 0; }
run_b() { local t0=${EPOCHREALTIME/./}; "$baseline" >/dev/null; local t1=${EPOCHREALTIME/./}; [ "$1" = keep ] && echo $((t1 - t0)) >>"$work/b.us"; return 0; }
for i in $(seq $((warmup + pairs))); do
  keep=keep
  [ "$i" -le "$warmup" ] && keep=drop
  if [ $((i % 2)) -eq 0 ]; then run_a $keep; run_b $keep; else run_b $keep; run_a $keep; fi
done

# q FILE P: the P-th percentile (nearest rank) of the microsecond figures in FILE.
q() { sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END { i = int(NR * p / 100 + 0.5); if (i < 1) i = 1; print v[i] }'; }
a50=$(q "$work/a.us" 50); b50=$(q "$work/b.us" 50)
printf 'pairs %d (after %d warm-up pairs), %s, load average %s\n' "$pairs" "$warmup" \
  "$(date -u +%FT%TZ)" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
printf '%-34s median %7.3f ms  (p25 %.3f, p75 %.3f)\n' "$(basename "$mmstatus") get" \
  "$(echo "$a50" | awk '{print $1/1000}')" "$(q "$work/a.us" 25 | awk '{print $1/1000}')" "$(q "$work/a.us" 75 | awk '{print $1/1000}')"
printf '%-34s median %7.3f ms  (p25 %.3f, p75 %.3f)\n' "startup_baseline (ureq alone)" \
  "$(echo "$b50" | awk '{print $1/1000}')" "$(q "$work/b.us" 25 | awk '{print $1/1000}')" "$(q "$work/b.us" 75 | awk '{print $1/1000}')"
awk -v a="$a50" -v b="$b50" 'BEGIN { printf "ratio of the medians (mmstatus / baseline): %.3f\n", a / b }'
