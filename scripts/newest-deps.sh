#!/usr/bin/env bash
# CI step: does the crate still build against the newest versions its requirements
# admit? A crate that depends on this one resolves its own versions (our Cargo.lock is
# not published), so a new minor of a dependency that breaks the build here breaks
# theirs: most of all ureq, whose `unversioned` API src/transport/ureq/ builds on (the
# reason for ureq's upper bound in Cargo.toml; see src/transport/ureq/WORKAROUNDS.md).
#
# The sources are copied (tracked and untracked-but-not-ignored files, as they are on
# disk) into a temporary folder; `cargo update` and `cargo check` run there, so this
# work tree, its Cargo.lock included, is never written. Its own build cache is
# $CARGO_TARGET_DIR/newest-deps (kept between runs: a check takes seconds once the
# dependencies are built). Needs crates.io (the index).
#
#   bash scripts/newest-deps.sh [cargo feature flags...]   # default: --all-features
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== the newest dependency versions Cargo.toml admits (scripts/newest-deps.sh)"
root=$PWD
flags=("$@")
[ ${#flags[@]} -gt 0 ] || flags=(--all-features)
target_dir=${CARGO_TARGET_DIR:-$root/target}/newest-deps

copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' file; do
    # A file deleted in the work tree but still in the index is left out.
    if [ -e "$file" ]; then printf '%s\0' "$file"; fi
  done | (cd "$root" && xargs -0 cp --parents -t "$copy")

cd "$copy"
# Newest compatible versions of everything, each within its requirement in Cargo.toml;
# cargo names each version that moves ("Updating ureq v3.5.2 -> v3.5.3").
cargo update
CARGO_TARGET_DIR=$target_dir cargo check --quiet --workspace --all-targets "${flags[@]}"
echo "builds against the newest versions admitted (${flags[*]})"
