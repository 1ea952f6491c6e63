#!/bin/sh
# Runs the whole suite: every Criterion binary under $BUILD/tests and every
# end-to-end script tests/e2e/*.sh. Prints a closing "N passed, N failed".
# Environment: BUILD (default build), VALGRIND=1 runs the unit tests under
# valgrind too, ONLY=pattern runs the matching tests only.
set -u
BUILD=${BUILD:-build}
export BUILD
export WEIR="$PWD/$BUILD/bin/weir"
export WEIR_PLUGIN_PATH="$PWD/$BUILD/plugins"
export TOP="$PWD"
passed=0
failed=0
failures=""
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  case "$name" in *${ONLY:-}*) ;; *) continue ;; esac
  "$t" --jobs 2 >"$out/$name.log" 2>&1
  rc=$?
  line=$(grep -a 'Synthesis:' "$out/$name.log" | tail -1)
  p=$(echo "$line" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
  f=$(echo "$line" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
  c=$(echo "$line" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
  p=${p:-0}; f=${f:-0}; c=${c:-0}
  if [ $rc -ne 0 ] && [ $((f + c)) -eq 0 ]; then f=1; fi
  passed=$((passed + p))
  failed=$((failed + f + c))
  if [ $rc -ne 0 ]; then
    failures="$failures $name"
    echo "FAIL $name"; grep -a -E '\[----\]|\[FAIL\]|CRASH|ERROR' "$out/$name.log" | head -40
  else
    echo "ok   $name ($p)"
  fi
done

for t in tests/e2e/*.sh tests/crash/*.sh; do
  [ -f "$t" ] || continue
  name=$(basename "$t" .sh)
  case "$name" in *${ONLY:-}*) ;; *) continue ;; esac
  if timeout 300 sh "$t" >"$out/$name.log" 2>&1; then
    n=$(grep -c '^ok ' "$out/$name.log")
    passed=$((passed + n))
    echo "ok   e2e/$name ($n)"
  else
    n=$(grep -c '^ok ' "$out/$name.log")
    passed=$((passed + n))
    failed=$((failed + 1))
    failures="$failures e2e/$name"
    echo "FAIL e2e/$name"; grep -A8 '^not ok' "$out/$name.log" | head -60; tail -15 "$out/$name.log"
  fi
done

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
