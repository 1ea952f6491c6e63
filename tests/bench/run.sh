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
for s in tests/bench/bench_*.sh; do
  [ -f "$s" ] || continue
  echo "== $(basename "$s" .sh)"
  BUILD="$BUILD" WEIR="$PWD/$BUILD/bin/weir" sh "$s" || echo "(failed: $s)"
done
