#!/bin/sh
# Installs the Debian packages weir builds and tests with, when missing.
# Probes with pkg-config / command -v; installs with apt-get only as root.
# Usage: scripts/deps.sh [build|test]   (test adds the tools the suite runs)
set -u
need=""
probe_pc() { # pkg-config names (any of) -> package
  pkg=$1; shift
  for pc in "$@"; do pkg-config --exists "$pc" 2>/dev/null && return 0; done
  need="$need $pkg"
}
probe_cmd() {
  command -v "$1" >/dev/null 2>&1 || need="$need $2"
}
probe_cmd pkg-config pkg-config
probe_cmd cc gcc
probe_cmd make make
probe_pc libmsgpack-dev msgpack-c msgpack
probe_pc libinih-dev inih
probe_pc librdkafka-dev rdkafka
probe_pc zlib1g-dev zlib
probe_pc libsnappy-dev snappy
probe_pc libzstd-dev libzstd
if [ "${1:-build}" = test ]; then
  probe_pc libcriterion-dev criterion
  probe_cmd kcat kcat
  probe_cmd valgrind valgrind
  probe_cmd python3 python3
fi
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "weir: missing packages:$need" >&2
  echo "weir: install them with: sudo apt-get install$need" >&2
  exit 1
fi
echo "weir: installing$need" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || true
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >&2
