# The command line: exit codes, validate, plugins, graph, signals.
. tests/e2e/lib.sh

cat > "$T/q.ini" <<'INI'
[query]
name = cli
trigger = once
[source.r]
plugin = rate
start_timestamp = 2026-01-01T00:00:00Z
max_rows = 1
[operator.s]
plugin  = select
input   = r
columns = value AS v
[sink.out]
plugin = console
input  = s
INI

"$WEIR" --version >"$T/v" 2>&1
expect_eq "--version exits 0" 0 $?
expect_grep "--version names the ABI" "plugin ABI 1.1, batch format 1.1" "$T/v"

"$WEIR" validate "$T/q.ini" >"$T/val" 2>&1
expect_eq "validate exits 0" 0 $?
cat >"$T/val.expected" <<OUT
[source.r] plugin rate
root
 |-- timestamp: timestamp (nullable = false)
 |-- value: long (nullable = false)

[operator.s] plugin select, input r
root
 |-- v: long (nullable = false)

[sink.out] plugin console, input s

$T/q.ini: ok (3 nodes)
OUT
expect_file "validate prints each node's schema" "$T/val.expected" "$T/val"

"$WEIR" graph "$T/q.ini" >"$T/dot" 2>&1
cat >"$T/dot.expected" <<'OUT'
digraph "cli" {
  rankdir=LR;
  "r" [shape=invhouse, label="r\n(rate)"];
  "s" [shape=box, label="s\n(select)"];
  "out" [shape=house, label="out\n(console)"];
  "r" -> "s";
  "s" -> "out";
}
OUT
expect_file "graph prints DOT" "$T/dot.expected" "$T/dot"

"$WEIR" plugins >"$T/pl" 2>&1
expect_eq "plugins exits 0" 0 $?
expect_grep "plugins lists rate" "^  rate " "$T/pl"
expect_grep "plugins lists console" "^  console " "$T/pl"
"$WEIR" plugins rate >"$T/pr" 2>&1
expect_grep "plugins NAME shows options" "rows_per_second" "$T/pr"
"$WEIR" plugins --json console >"$T/pj" 2>&1
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["name"]=="console" and any(o["key"]=="num_rows" and o["default"]=="20" for o in d["options"])' "$T/pj" \
  && ok "plugins --json is JSON with the options table" || not_ok "plugins --json is JSON with the options table"
"$WEIR" plugins query >"$T/pq" 2>&1
expect_grep "plugins query shows [query] options" "watermark_policy" "$T/pq"

# exit code 2: bad usage and bad topology
"$WEIR" >/dev/null 2>&1; expect_eq "no command exits 2" 2 $?
"$WEIR" frobnicate >/dev/null 2>"$T/e"; expect_eq "unknown command exits 2" 2 $?
"$WEIR" rnu x 2>"$T/e" >/dev/null
expect_grep "unknown command suggests" "did you mean 'run'" "$T/e"
"$WEIR" run /nonexistent.ini 2>"$T/e" >/dev/null; expect_eq "missing file exits 2" 2 $?
expect_grep "missing file is named" "/nonexistent.ini: cannot open" "$T/e"
sed 's/columns = value AS v/columns = valeu AS v/' "$T/q.ini" >"$T/bad.ini"
"$WEIR" validate "$T/bad.ini" 2>"$T/e" >/dev/null; expect_eq "misspelt column exits 2" 2 $?
expect_grep "misspelt column names file and line" "$T/bad.ini:8: \[operator.s\] select: unknown column .valeu. in columns (did you mean .value.?)" "$T/e"

# exit code 1: a plugin failing in any callback stops the query with a
# message naming the section, and exit code 1 (2 when it fails at load)
for place in create epoch_begin process epoch_end; do
  cat > "$T/fail.ini" <<INI
[query]
trigger = available-now
[source.r]
plugin = rate
start_timestamp = 2026-01-01T00:00:00Z
max_rows = 6
max_rows_per_trigger = 2
[operator.f]
plugin     = $TOP/$BUILD/testplugins/fail_at.so
input      = r
fail_in    = $place
fail_epoch = 1
[sink.out]
plugin = console
input  = f
INI
  "$WEIR" run "$T/fail.ini" >"$T/fail.out" 2>"$T/e"
  rc=$?
  if [ $place = create ]; then
    expect_eq "failure in create exits 2" 2 $rc
    expect_grep "failure in create names the section" "fail.ini:8: \[operator.f\] failing in create as asked" "$T/e"
  else
    expect_eq "failure in $place exits 1" 1 $rc
    expect_grep "failure in $place names the section" "fail.ini:8: \[operator.f\] failing in $place as asked (epoch 1) (WEIR_ERR_INVALID)" "$T/e"
    expect_grep "epoch 0 completed before the failure in $place" "Batch: 0" "$T/fail.out"
    if grep -q "Batch: 1" "$T/fail.out"; then not_ok "no output for the failed epoch ($place)"; else ok "no output for the failed epoch ($place)"; fi
  fi
done

# SIGTERM: finishes the current epoch, exits 0
cat > "$T/long.ini" <<'INI'
[source.r]
plugin = rate
rows_per_second = 1000
[sink.out]
plugin = console
input  = r
num_rows = 1
INI
"$WEIR" run "$T/long.ini" >"$T/long.out" 2>"$T/long.err" &
pid=$!
sleep 2.5
kill -TERM $pid
wait $pid
expect_eq "SIGTERM stops cleanly with exit 0" 0 $?
expect_grep "SIGTERM is reported" "stopped by signal" "$T/long.err"
expect_grep "epochs ran before the signal" "Batch: 1" "$T/long.out"
expect_eq "output ends with a complete table (blank line)" "" "$(tail -n 1 "$T/long.out")"
# A live status line on a terminal (script(1) gives weir a pty), one line per
# epoch otherwise.
cat > "$T/tty.ini" <<'INI'
[query]
trigger = available-now
[source.r]
plugin = rate
start_timestamp = 2026-01-01T00:00:00Z
max_rows = 10
max_rows_per_trigger = 5
[sink.out]
plugin = null
input = r
INI
if command -v script >/dev/null; then
  script -qec "$WEIR run $T/tty.ini" /dev/null >"$T/tty.out" 2>&1
  if grep -q "$(printf '\r\033\[Kepoch 1 | 5 rows | ')" "$T/tty.out"; then
    ok "status line on a terminal"; else not_ok "status line on a terminal"; od -c "$T/tty.out" | head; fi
fi
"$WEIR" run "$T/tty.ini" 2>"$T/notty.err" >/dev/null
expect_grep "one progress line per epoch without a terminal" "^weir: epoch 1: 5 rows in " "$T/notty.err"
finish
