#!/bin/sh
# Runs every benchmark and prints its figures (no timing asserts).
set -u
BUILD=${BUILD:-build}
export WEIR_PLUGIN_PATH="$PWD/$BUILD/plugins"
for b in "$BUILD"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b" || echo "(failed: $b)"
done
