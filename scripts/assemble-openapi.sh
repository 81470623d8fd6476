#!/usr/bin/env bash
# Assembles the standalone OpenAPI 3 document that Prism serves (docs/contract.md): an
# `openapi` line, an `info` block and `paths:` over the entries of Mattermost's
# status.yaml, then the repository's contract/components.yaml. Both files are copied byte
# for byte; nothing in them is changed.
#
# usage: scripts/assemble-openapi.sh STATUS_YAML [OUT_FILE]
#   STATUS_YAML is Mattermost's api/v4/source/status.yaml (scripts/contract.sh finds it and
#   checks its SHA-256); OUT_FILE defaults to target/contract/openapi.yaml. Prints the
#   output path.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
status_yaml=${1:?usage: scripts/assemble-openapi.sh STATUS_YAML [OUT_FILE]}
components=$root/contract/components.yaml
out=${2:-$root/target/contract/openapi.yaml}
for f in "$status_yaml" "$components"; do
  [ -f "$f" ] || { echo "assemble-openapi: $f not found" >&2; exit 1; }
done
mkdir -p "$(dirname "$out")"
{
  printf 'openapi: 3.0.0\n'
  printf 'info:\n  title: Mattermost API v4, status endpoints\n  version: "4"\n'
  printf '  description: Assembled by scripts/assemble-openapi.sh from status.yaml and contract/components.yaml; see docs/contract.md.\n'
  printf 'paths:\n'
  cat "$status_yaml"
  # status.yaml may end without a newline; components.yaml must start on its own line.
  printf '\n'
  cat "$components"
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
