#!/usr/bin/env bash
# Footprint of the crate vs ureq + serde_json alone, measured in the same run:
# dependency count, clean release build time, stripped size of a program that gets
# one status. Usage: bash benches/footprint.sh [rounds]   (default 2; ~2 min a round)
#
# Two throwaway programs are built from scratch (empty target dirs, same Cargo.lock):
#   crate:    examples/get_status.rs, depending on this crate (default features)
#   baseline: the same program hand-written on ureq (same features) + serde_json
# and, for --no-default-features, this crate's lib alone vs serde_json alone (and vs
# serde_json + serde's derive, which typed hand-written code needs too).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-2}
work=$(mktemp -d /tmp/mm-footprint.XXXXXX)
trap 'rm -rf "$work"' EXIT
ureq_req=$(grep -E '^ureq = \{' "$here/Cargo.toml" | sed 's/optional = true, //')
json_req=$(grep -E '^serde_json = ' "$here/Cargo.toml")

mk() { # name, deps, main.rs source file
  mkdir -p "$work/$1/src"
  printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n%s\n' \
    "$1" "$2" > "$work/$1/Cargo.toml"
  cp "$3" "$work/$1/src/main.rs"
  cp "$here/Cargo.lock" "$work/$1/Cargo.lock"
}

cat > "$work/baseline.rs" <<'RS'
// The hand-written equivalent of examples/get_status.rs.
#[derive(serde::Deserialize)]
struct Status { user_id: String, status: String }
fn main() {
    let url = std::env::var("MM_URL").unwrap_or_else(|_| "http://localhost:8065".into());
    let token = std::env::var("MM_TOKEN").unwrap_or_default();
    let user = std::env::args().nth(1).unwrap_or_else(|| "me".into());
    let config = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0)
        .timeout_global(Some(std::time::Duration::from_secs(30))).build();
    let agent = ureq::Agent::new_with_config(config);
    let run = || -> Result<Status, Box<dyn std::error::Error>> {
        let mut r = agent.get(&format!("{url}/api/v4/users/{user}/status"))
            .header("Authorization", &format!("Bearer {token}"))
            .header("X-Requested-With", "XMLHttpRequest").call()?;
        if r.status() != 200 { return Err(format!("HTTP {}", r.status()).into()); }
        Ok(serde_json::from_slice(&r.body_mut().read_to_vec()?)?)
    };
    match run() {
        Ok(s) => println!("{} is {}", s.user_id, s.status),
        Err(e) => { eprintln!("error: {e}"); std::process::exit(1) }
    }
}
RS
cat > "$work/empty.rs" <<'RS'
fn main() {}
RS

mk crate_default "mattermost-status = { path = \"$here\" }" "$here/examples/get_status.rs"
mk baseline_default "$ureq_req
$json_req
serde = { version = \"1\", features = [\"derive\"] }" "$work/baseline.rs"
mk crate_nodefault "mattermost-status = { path = \"$here\", default-features = false }" "$work/empty.rs"
mk baseline_nodefault "$json_req" "$work/empty.rs"
mk baseline_nodefault_derive "$json_req
serde = { version = \"1\", features = [\"derive\"] }" "$work/empty.rs"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| program | crates (cargo tree -e normal, sort -u) | unique crates |"
echo "|---|---:|---:|"
for p in crate_default baseline_default crate_nodefault baseline_nodefault baseline_nodefault_derive; do
  lines=$(cd "$work/$p" && cargo tree --offline -e normal --prefix none | sort -u | wc -l)
  uniq=$(cd "$work/$p" && cargo tree --offline -e normal --prefix none | sed 's/ (\*)$//; s/ (proc-macro)$//' | sort -u | wc -l)
  echo "| $p | $lines | $uniq |"
done
echo
echo "| round | program | clean release build (s) | stripped binary (bytes) |"
echo "|---|---|---:|---:|"
for r in $(seq 1 "$rounds"); do
  for p in baseline_default crate_default baseline_nodefault baseline_nodefault_derive crate_nodefault; do
    rm -rf "$work/$p/target"
    start=$(date +%s.%N)
    (cd "$work/$p" && cargo build --offline --release -q)
    end=$(date +%s.%N)
    size="n/a (no program: nothing to send with)"
    if [[ $p == *_default ]]; then
      strip -o "$work/$p.stripped" "$work/$p/target/release/$p"
      size=$(stat -c %s "$work/$p.stripped")
    fi
    printf '| %s | %s | %.1f | %s |\n' "$r" "$p" "$(echo "$end - $start" | bc)" "$size"
  done
done
