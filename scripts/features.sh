# Sourced by scripts/test and .ci/run (not run on its own). Makes sure the system library
# the `curl` feature links to is here, and sets FEATURES to the cargo flags for "every
# feature this machine can build":
#
# - `curl` links the system's libcurl through pkg-config (Debian: libcurl4-openssl-dev).
#   When pkg-config does not find it, this installs it from Debian's packages if it can
#   (root and apt-get; under a lock shared with anything else running apt here).
# - Where it cannot, FEATURES is every feature but `curl`, with a loud SKIPPED message:
#   the curl transport's conformance run did NOT happen on this machine.

banner() {
  printf '\n%s\n%s\n%s\n\n' \
    '************************************************************************' \
    "$*" \
    '************************************************************************' >&2
}

have_libcurl() {
  command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libcurl
}

apt_install() {
  local lock=()
  if command -v flock >/dev/null 2>&1; then lock=(flock /tmp/apt.lock); fi
  DEBIAN_FRONTEND=noninteractive "${lock[@]}" apt-get install -y -q "$@" >/dev/null ||
    { "${lock[@]}" apt-get update -q >/dev/null &&
      DEBIAN_FRONTEND=noninteractive "${lock[@]}" apt-get install -y -q "$@" >/dev/null; }
}

if ! have_libcurl && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing libcurl4-openssl-dev and pkg-config (the curl feature links the system libcurl)"
  apt_install libcurl4-openssl-dev pkg-config || true
fi

if have_libcurl; then
  FEATURES=(--all-features)
else
  # Every feature of the library's Cargo.toml but `default` and `curl`, named by package
  # (the flags serve workspace-wide commands too).
  others=$(awk '/^\[features\]/{f=1;next} /^\[/{f=0} f && /^[a-z0-9_-]+ *=/{print "mattermost-status/" $1}' Cargo.toml |
    grep -vxE 'mattermost-status/(default|curl)' | paste -sd, -)
  FEATURES=(--features "$others")
  banner "SKIPPED the curl feature (CurlTransport and its conformance run): libcurl's development files are not installed and could not be (needs root and Debian's libcurl4-openssl-dev). They did NOT run."
fi
