#!/usr/bin/env bash
# The contract suites (issue 4): the crate against Mattermost's own OpenAPI spec, served by
# Stoplight Prism, and against Mattermost's official TypeScript client. One command, for
# .ci/run and for people:
#
#   bash scripts/contract.sh
#
# Installs the pinned Node packages (contract/package-lock.json, `npm ci`), assembles the
# OpenAPI document from ../shared/spec (or $MM_SPEC_DIR), starts `prism mock` on 127.0.0.1
# with request validation, runs tests/contract_openapi.rs and tests/contract_client.rs with
# MM_CONTRACT_REQUIRED=1 (so neither may skip), and stops Prism by its pid on any exit.
# Without `node` it says so loudly and exits 0: the only case where the suites may skip.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

banner() {
  printf '\n%s\n%s\n%s\n\n' \
    '************************************************************************' \
    "$*" \
    '************************************************************************' >&2
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  banner "SKIPPED the contract suites (OpenAPI spec via Prism, official client): node/npm not installed. They did NOT run."
  exit 0
fi

started=$(date +%s)
echo "contract: node $(node --version), npm $(npm --version)"
(cd contract && npm ci --loglevel=error)

spec_dir=$(cd "${MM_SPEC_DIR:-$root/../shared/spec}" && pwd)
work=$root/target/contract
mkdir -p "$work"
doc=$(scripts/assemble-openapi.sh "$spec_dir" "$work/openapi.yaml")

# A free port on loopback, chosen by the kernel.
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
log=$work/prism.log
contract/node_modules/.bin/prism mock "$doc" --host 127.0.0.1 --port "$port" --errors \
  --verboseLevel warn >"$log" 2>&1 &
prism_pid=$!
stop_prism() {
  kill "$prism_pid" 2>/dev/null || true
  wait "$prism_pid" 2>/dev/null || true
}
trap stop_prism EXIT

# Wait until Prism listens: at most 120 tries, 0.5 s apart.
ready=
for _ in $(seq 1 120); do
  if ! kill -0 "$prism_pid" 2>/dev/null; then
    echo "contract: Prism exited before listening:" >&2
    cat "$log" >&2
    exit 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "contract: Prism did not listen on 127.0.0.1:$port; its log:" >&2
  cat "$log" >&2
  exit 1
fi
echo "contract: Prism $(contract/node_modules/.bin/prism --version) (pid $prism_pid) serves $doc on 127.0.0.1:$port"

status=0
MM_PRISM_URL="http://127.0.0.1:$port" MM_SPEC_DIR="$spec_dir" MM_CONTRACT_REQUIRED=1 \
  cargo test --locked --test contract_openapi --test contract_client -- --nocapture || status=$?
if [ "$status" -ne 0 ]; then
  echo "contract: FAILED; Prism's log is $log (last lines below)" >&2
  tail -n 40 "$log" >&2
fi
echo "contract: done in $(( $(date +%s) - started )) s (npm ci, Prism start, both suites)"
exit "$status"
