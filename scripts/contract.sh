#!/usr/bin/env bash
# The contract suites (issue 4): the crate against Mattermost's own OpenAPI spec, served by
# Stoplight Prism, and against Mattermost's official TypeScript client. One command, for
# scripts/test, .ci/run and people:
#
#   bash scripts/contract.sh
#
# 1. Finds Mattermost's status.yaml at the pinned commit: $MM_SPEC_DIR/status.yaml, else
#    ../shared/spec/status.yaml, else an earlier download in target/contract/, else it
#    downloads it from GitHub. Whatever the source, its SHA-256 must be the pinned one.
# 2. Installs the pinned Node packages (contract/package-lock.json, `npm ci`).
# 3. Assembles the OpenAPI document (status.yaml + contract/components.yaml), starts
#    `prism mock` on 127.0.0.1 with request validation, runs the contract tests (they are
#    #[ignore]d in a plain `cargo test`, so they run here with `--ignored`), and stops
#    Prism by its pid on any exit.
#
# What may be missing, and what happens then (each case prints a loud SKIPPED banner and
# the script exits 0, unless MM_CONTRACT_REQUIRED=1, which turns every skip into a failure):
# - no `node`/`npm`: both suites are skipped;
# - `npm ci` fails (offline, no npm cache): both suites are skipped;
# - no status.yaml and no network to download it: the OpenAPI suite is skipped, the
#   official-client suite (which does not need the spec) still runs.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# Mattermost's OpenAPI source for the status endpoints, pinned by commit and content.
SPEC_COMMIT=5c839440e3b0557e886e4046cae4913b9b5366b1
SPEC_SHA256=e1adcf4a377c13618d7229f5319bfaceeea1879810d17cec5887f88b4032cde7
SPEC_URL=https://raw.githubusercontent.com/mattermost/mattermost/$SPEC_COMMIT/api/v4/source/status.yaml

work=$root/target/contract
mkdir -p "$work"
started=$(date +%s)

banner() {
  printf '\n%s\n%s\n%s\n\n' \
    '************************************************************************' \
    "$*" \
    '************************************************************************' >&2
}

# A part of the contract check cannot run: loud (again at the end), and fatal when it is
# required.
skips=()
skipped() {
  if [ "${MM_CONTRACT_REQUIRED:-}" = 1 ]; then
    banner "FAILED: cannot run $1: $2 (MM_CONTRACT_REQUIRED=1 forbids skipping)"
    exit 1
  fi
  skips+=("$1")
  banner "SKIPPED $1: $2. It did NOT run; this is not a pass of the contract check."
}
trap 'for s in "${skips[@]}"; do banner "SKIPPED $s (see above)"; done' EXIT

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# Sets spec_file to a status.yaml with the pinned hash, or leaves it empty and says why
# in spec_missing. A local copy with another hash is an error, not a skip.
spec_file=
spec_missing=
find_spec() {
  local candidate
  for candidate in ${MM_SPEC_DIR:+"$MM_SPEC_DIR/status.yaml"} "$root/../shared/spec/status.yaml"; do
    [ -f "$candidate" ] || continue
    if [ "$(sha256_of "$candidate")" != "$SPEC_SHA256" ]; then
      echo "contract: $candidate is not Mattermost's status.yaml at $SPEC_COMMIT (SHA-256 differs)" >&2
      exit 1
    fi
    spec_file=$candidate
    return
  done
  candidate=$work/status.yaml
  if [ -f "$candidate" ] && [ "$(sha256_of "$candidate")" = "$SPEC_SHA256" ]; then
    spec_file=$candidate
    return
  fi
  if ! command -v curl >/dev/null 2>&1; then
    spec_missing="no status.yaml in \$MM_SPEC_DIR or ../shared/spec, and no curl to download it"
    return
  fi
  echo "contract: downloading $SPEC_URL"
  if ! curl -fsSL --connect-timeout 10 --max-time 60 -o "$candidate.part" "$SPEC_URL"; then
    rm -f "$candidate.part"
    spec_missing="no status.yaml in \$MM_SPEC_DIR or ../shared/spec, and the download from GitHub failed (offline?)"
    return
  fi
  local got
  got=$(sha256_of "$candidate.part")
  if [ "$got" != "$SPEC_SHA256" ]; then
    rm -f "$candidate.part"
    echo "contract: the downloaded status.yaml has SHA-256 $got, not the pinned $SPEC_SHA256" >&2
    exit 1
  fi
  mv "$candidate.part" "$candidate"
  spec_file=$candidate
}
find_spec
if [ -n "$spec_file" ]; then
  echo "contract: status.yaml at $SPEC_COMMIT (SHA-256 checked): $spec_file"
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  skipped "the contract suites (OpenAPI spec via Prism, official client)" "node/npm not installed"
  exit 0
fi
echo "contract: node $(node --version), npm $(npm --version)"
if ! (cd contract && npm ci --loglevel=error); then
  skipped "the contract suites (OpenAPI spec via Prism, official client)" "\`npm ci\` in contract/ failed (offline?)"
  exit 0
fi

tests=(--test contract_client)
prism_pid=
stop_prism() {
  if [ -n "$prism_pid" ]; then
    kill "$prism_pid" 2>/dev/null || true
    wait "$prism_pid" 2>/dev/null || true
  fi
  for s in "${skips[@]}"; do banner "SKIPPED $s (see above)"; done
}
trap stop_prism EXIT

if [ -z "$spec_file" ]; then
  skipped "the OpenAPI suite (tests/contract_openapi.rs)" "$spec_missing"
  prism_env=()
else
  doc=$(scripts/assemble-openapi.sh "$spec_file" "$work/openapi.yaml")
  # A free port on loopback, chosen by the kernel.
  port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  log=$work/prism.log
  contract/node_modules/.bin/prism mock "$doc" --host 127.0.0.1 --port "$port" --errors \
    --verboseLevel warn >"$log" 2>&1 &
  prism_pid=$!

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
  tests+=(--test contract_openapi)
  prism_env=(MM_PRISM_URL="http://127.0.0.1:$port" MM_SPEC_FILE="$spec_file")
fi

status=0
env "${prism_env[@]}" cargo test --locked "${tests[@]}" -- --ignored --nocapture || status=$?
if [ "$status" -ne 0 ] && [ -n "$prism_pid" ]; then
  echo "contract: FAILED; Prism's log is $log (last lines below)" >&2
  tail -n 40 "$log" >&2
fi
echo "contract: done in $(( $(date +%s) - started )) s (${tests[*]})"
exit "$status"
