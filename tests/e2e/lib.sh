# lib.sh — helpers for the end-to-end tests: each test runs the real binary
# on real files and compares its output exactly. Sourced by tests/e2e/*.sh;
# WEIR and WEIR_PLUGIN_PATH come from tests/run.sh.
set -u
: "${WEIR:=$PWD/build/bin/weir}"
: "${WEIR_PLUGIN_PATH:=$PWD/build/plugins}"
export WEIR_PLUGIN_PATH
T=$(mktemp -d /tmp/weir-e2e.XXXXXX)
# Background processes a test adds to PIDS are killed on exit.
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# free_port: a port on 127.0.0.1 the kernel just handed out and released,
# for a test server to take.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
fails=0

ok() { echo "ok $1"; }
not_ok() { echo "not ok $1"; fails=$((fails + 1)); }

# expect_file NAME EXPECTED_FILE ACTUAL_FILE
expect_file() {
  if cmp -s "$2" "$3"; then ok "$1"; else
    not_ok "$1"; diff -u "$2" "$3" | head -60
  fi
}

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
  if [ "$2" = "$3" ]; then ok "$1"; else
    not_ok "$1"; printf 'expected: %s\nactual:   %s\n' "$2" "$3"
  fi
}

# expect_grep NAME PATTERN FILE
expect_grep() {
  if grep -q -- "$2" "$3"; then ok "$1"; else
    not_ok "$1"; echo "pattern not found: $2"; head -20 "$3"
  fi
}

finish() { [ "$fails" -eq 0 ]; }

# crash_until_done INI OUT_PREFIX [MAX_DELAY_S]: runs `weir run INI` again
# and again, each time killing it with SIGKILL after a random delay (seeded:
# the seed of every kill is printed), until a run finishes by itself (an
# available-now query). Each run's stdout goes to OUT_PREFIX.N. Sets KILLS
# and RUNS. After CRASH_MAX_KILLS (60) kills a run is left to finish.
crash_until_done() {
  KILLS=0
  RUNS=0
  while [ $RUNS -lt 300 ]; do
    RUNS=$((RUNS + 1))
    seed=$((RUNS * 7919 + ${CRASH_SEED:-0}))
    delay=$(awk -v s=$seed -v m="${3:-0.12}" 'BEGIN { srand(s); printf "%.3f", rand() * m }')
    "$WEIR" run "$1" -q >"$2.$RUNS" 2>>"$2.err" &
    pid=$!
    # Sanitizer builds start slower; after enough kills, let it finish.
    [ "${SAN:-}" = 1 ] && delay=$(awk -v d="$delay" 'BEGIN { print d * 2 }')
    [ $KILLS -ge ${CRASH_MAX_KILLS:-60} ] && delay=100000
    sleep "$delay" &
    spid=$!
    while kill -0 $pid 2>/dev/null && kill -0 $spid 2>/dev/null; do sleep 0.01; done
    kill $spid 2>/dev/null
    if kill -9 $pid 2>/dev/null; then
      wait $pid 2>/dev/null
      KILLS=$((KILLS + 1))
      echo "kill $KILLS: run $RUNS after ${delay}s (seed $seed)"
    else
      wait $pid
      rc=$?
      [ $rc -eq 0 ] && return 0
      echo "run $RUNS exited $rc"; tail -5 "$2.err"
      return 1
    fi
  done
  return 1
}
