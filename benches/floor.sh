#!/usr/bin/env bash
# The crate against the floor of its stack (benches/floor.rs), on nginx serving canned
# answers on 127.0.0.1 (a free port, a generated config, stopped by pid on exit).
# Usage: bash benches/floor.sh [all|timings|allocs|syscalls|threads]
#   FLOOR_CPU=n   pins nginx and the client to CPU n (as issue 14 measured)
#   FLOOR_ROUNDS, FLOOR_PAIRS, FLOOR_THREAD_CALLS, SYSCALL_CALLS: sizes (see floor.rs)
# Needs nginx (apt-get install nginx) and, for `syscalls`, strace. Without nginx the
# bench runs on its in-process std::net server (and `syscalls` is skipped: strace -f
# would count the server's threads too).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
# FLOOR_FEATURES=curl adds the crate on its libcurl transport (needs libcurl's headers).
bin=$(cargo bench --bench floor --no-run --message-format=json ${FLOOR_FEATURES:+--features "$FLOOR_FEATURES"} 2>/dev/null \
  | grep -o '"executable":"[^"]*floor-[^"]*"' | head -1 | cut -d'"' -f4)
pin=()
[[ -n "${FLOOR_CPU:-}" ]] && pin=(taskset -c "$FLOOR_CPU")

dir=$(mktemp -d /tmp/mm-floor.XXXXXX)
nginx_pid=
cleanup() {
  if [[ -n "$nginx_pid" ]]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

if command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]]; then
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
  port=$("$bin" --free-port)
  "$bin" --write-bodies "$dir"
  mkdir -p "$dir/tmp"
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
master_process off;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 1024; }
http {
  log_format conn '\$connection';
  access_log $dir/access.log conn;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  server_tokens off;
  etag off;
  charset off;
  default_type application/json;
  client_body_temp_path $dir/tmp;
  proxy_temp_path $dir/tmp;
  fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp;
  scgi_temp_path $dir/tmp;
  types { }
  server {
    listen 127.0.0.1:$port;
    root $dir;
    add_header Expires 0;
    add_header Vary Accept-Encoding;
    add_header X-Content-Type-Options nosniff;
    add_header X-Request-Id 8kd3hx9f1pgqbyt6ujxw5nxy3c;
    add_header X-Version-Id 10.5.0.12345.d41d8cd98f00b204e9800998ecf8427e.false;
    location = /api/v4/users/4xp9fdt77pncbef59f4k1qe83o/status {
      if (\$request_method = PUT) { rewrite ^ /put.json last; }
      rewrite ^ /get.json last;
    }
    location = /api/v4/users/status/ids { rewrite ^ /ids.json last; }
    # PUT and POST to a static file are a 405: answer the file instead.
    location ~ ^/[a-z]+\.json\$ { error_page 405 =200 \$uri; }
  }
}
CONF
  "${pin[@]}" "$nginx_bin" -c "$dir/nginx.conf" -p "$dir" &
  nginx_pid=$!
  for _ in $(seq 50); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/api/v4/users/4xp9fdt77pncbef59f4k1qe83o/status" && break
    sleep 0.1
  done
  export FLOOR_URL="http://127.0.0.1:$port" FLOOR_ACCESS_LOG="$dir/access.log"
  echo "server: nginx $("$nginx_bin" -v 2>&1 | cut -d/ -f2) on $FLOOR_URL, pid $nginx_pid"
else
  echo "server: nginx not found, the in-process std::net server"
fi
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), ${FLOOR_CPU:+pinned to CPU $FLOOR_CPU}"

if [[ $mode == all || $mode == timings ]]; then
  echo; echo "## per call"; "${pin[@]}" "$bin"
fi
if [[ $mode == all || $mode == allocs ]]; then
  echo; echo "## allocations"; "$bin" --allocs
fi
if [[ $mode == all || $mode == syscalls ]]; then
  if [[ -z "${FLOOR_URL:-}" ]] || ! command -v strace >/dev/null; then
    echo "syscalls: skipped (needs nginx and strace)"
  else
    n=${SYSCALL_CALLS:-1000}
    echo; echo "## syscalls per call (strace -f -c, ($n+1 calls) - (1 call), / $n)"
    echo "| client | operation | syscalls / call | clone+clone3 / call |"
    echo "|---|---|---:|---:|"
    count() { # file -> "total clones"
      awk '$NF == "total" { t = $(NF-1); if ($(NF-2) ~ /^[0-9]+$/ && NF == 6) t = $(NF-2); }
           $NF == "clone" || $NF == "clone3" { c += ($(NF-2) ~ /^[0-9]+$/ && NF == 6) ? $(NF-2) : $(NF-1) }
           END { print t + 0, c + 0 }' "$1"
    }
    clients="crate ureq_timeouts ureq_floor raw_tcp"
    [[ ${FLOOR_FEATURES:-} == *curl* ]] && clients="crate crate_curl ureq_timeouts ureq_floor raw_tcp"
    for client in $clients; do
      for op in get_status update_status by_ids_100; do
        strace -f -c -o "$dir/one" "$bin" --calls "$client" "$op" 0 >/dev/null
        strace -f -c -o "$dir/many" "$bin" --calls "$client" "$op" "$n" >/dev/null
        read -r t1 c1 < <(count "$dir/one")
        read -r t2 c2 < <(count "$dir/many")
        awk -v c="$client" -v o="$op" -v n="$n" -v t="$((t2 - t1))" -v k="$((c2 - c1))" \
          'BEGIN { printf "| %s | %s | %.2f | %.3f |\n", c, o, t / n, k / n }'
      done
    done
  fi
fi
if [[ $mode == detail ]]; then
  # bash benches/floor.sh detail CLIENT OP: each syscall's count per call
  n=${SYSCALL_CALLS:-1000}
  strace -f -c -o "$dir/one" "$bin" --calls "$2" "$3" 0 >/dev/null
  strace -f -c -o "$dir/many" "$bin" --calls "$2" "$3" "$n" >/dev/null
  calls() { awk '$NF ~ /^[a-z_0-9]+$/ && $1 ~ /^[0-9.]+$/ { print $NF, (NF == 6 ? $(NF-2) : $(NF-1)) }' "$1" | sort; }
  join -a 2 -e 0 -o 0,1.2,2.2 <(calls "$dir/one") <(calls "$dir/many") \
    | awk -v n="$n" '{ d = ($3 - $2) / n; if (d > 0.001) printf "%-16s %.3f\n", $1, d }' | sort -k2 -nr
fi
if [[ $mode == all || $mode == threads ]]; then
  echo; echo "## threads"; "$bin" --threads
fi
