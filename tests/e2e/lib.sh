# lib.sh — helpers for the end-to-end tests: each test runs the real binary
# on real files and compares its output exactly. Sourced by tests/e2e/*.sh;
# WEIR and WEIR_PLUGIN_PATH come from tests/run.sh.
set -u
: "${WEIR:=$PWD/build/bin/weir}"
: "${WEIR_PLUGIN_PATH:=$PWD/build/plugins}"
export WEIR_PLUGIN_PATH
T=$(mktemp -d /tmp/weir-e2e.XXXXXX)
trap 'rm -rf "$T"' EXIT
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
