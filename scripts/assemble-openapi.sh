#!/usr/bin/env bash
# Assembles the standalone OpenAPI 3 document that Prism serves, from Mattermost's own
# fragments in ../shared/spec, exactly as ../shared/spec/SOURCE.md says: `openapi`, an
# `info` block and `paths:` over the entries of status.yaml, then components.yaml
# appended. Both files are copied byte for byte; nothing in them is changed.
#
# usage: scripts/assemble-openapi.sh [SPEC_DIR] [OUT_FILE]
#   SPEC_DIR defaults to ../shared/spec (beside the repository), OUT_FILE to
#   target/contract/openapi.yaml. Prints the output path.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
spec_dir=${1:-$root/../shared/spec}
out=${2:-$root/target/contract/openapi.yaml}
for f in status.yaml components.yaml; do
  [ -f "$spec_dir/$f" ] || { echo "assemble-openapi: $spec_dir/$f not found" >&2; exit 1; }
done
mkdir -p "$(dirname "$out")"
{
  printf 'openapi: 3.0.0\n'
  printf 'info:\n  title: Mattermost API v4, status endpoints\n  version: "4"\n'
  printf '  description: Assembled by scripts/assemble-openapi.sh from status.yaml and components.yaml; see SOURCE.md.\n'
  printf 'paths:\n'
  cat "$spec_dir/status.yaml"
  # status.yaml may end without a newline; components.yaml must start on its own line.
  printf '\n'
  cat "$spec_dir/components.yaml"
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
