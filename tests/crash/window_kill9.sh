# A windowed count in append mode (file sink) and in update mode (console
# json, read back per epoch id), killed with SIGKILL at random instants
# (seeds printed) until its input is consumed: the committed output equals
# an uninterrupted run's exactly, epoch by epoch. Out-of-order and late
# rows, so the watermark drops some and closes windows as it moves.
. tests/e2e/lib.sh

topology() { # $1 = dir, $2 = output_mode
  if [ "$2" = append ]; then
    sink="plugin = file
path   = $1/out"
  else
    sink="plugin = console
format = json"
  fi
  cat > "$1/q.ini" <<INI
[query]
trigger     = available-now
output_mode = $2
checkpoint  = $1/ckpt

[source.r]
plugin               = rate
rows_per_second      = 40
start_timestamp      = 2026-01-01T00:00:00Z
max_rows             = 200000
max_rows_per_trigger = 400

[operator.events]
plugin  = select
input   = r
columns = CAST(CAST(timestamp AS BIGINT) - (value % 13) * 4 AS TIMESTAMP) AS ts,
          CAST(value % 3 AS STRING) AS kind

[operator.wm]
plugin = watermark
input  = events
column = ts
delay  = 30 seconds

[operator.counts]
plugin    = aggregate
input     = wm
group_by  = window(ts, 10 seconds), kind
aggregate = count, min(ts) AS first_seen

[sink.out]
$sink
input  = counts
INI
}

# append: the committed part files, in order
committed_files() {
  cat $(sed -n 's/.*"path":"\([^"]*\)".*/\1/p' $(ls -d "$1"/_weir_log/* | grep -v '\.tmp') | sort -u | sed "s|^|$1/|")
}
# update: per epoch, the rows of the last run that printed that epoch
per_epoch() {
  python3 - "$@" <<'PY'
import json, sys
epochs = {}
for path in sys.argv[1:]:
    got = {}
    for line in open(path, errors="replace"):
        try:
            r = json.loads(line)
        except ValueError:
            continue  # a line cut by SIGKILL
        got.setdefault(r["epoch"], []).append(line)
    epochs.update(got)
for e in sorted(epochs):
    sys.stdout.write("".join(epochs[e]))
PY
}

for mode in append update; do
  mkdir -p "$T/ref-$mode" "$T/crash-$mode"
  topology "$T/ref-$mode" $mode
  "$WEIR" run -q "$T/ref-$mode/q.ini" >"$T/ref-$mode/stdout" 2>"$T/ref-$mode/err"
  expect_eq "$mode: uninterrupted run exits 0" 0 $?
  topology "$T/crash-$mode" $mode
  CRASH_SEED=$([ $mode = append ] && echo 11 || echo 23)
  crash_until_done "$T/crash-$mode/q.ini" "$T/crash-$mode/stdout" 0.05
  [ $KILLS -ge 30 ] && ok "$mode: killed -9 at least 30 times ($KILLS)" || not_ok "$mode: killed -9 at least 30 times ($KILLS)"
  if [ $mode = append ]; then
    committed_files "$T/ref-$mode/out" >"$T/ref-$mode.txt"
    committed_files "$T/crash-$mode/out" >"$T/crash-$mode.txt"
  else
    per_epoch "$T/ref-$mode/stdout" >"$T/ref-$mode.txt"
    per_epoch $(ls "$T/crash-$mode"/stdout.* | sort -t. -k2 -n) >"$T/crash-$mode.txt"
  fi
  n=$(wc -l <"$T/ref-$mode.txt")
  [ "$n" -gt 100 ] && ok "$mode: the reference emitted rows ($n)" || not_ok "$mode: the reference emitted rows ($n)"
  expect_file "$mode: output after kill -9 restarts equals the uninterrupted run" "$T/ref-$mode.txt" "$T/crash-$mode.txt"
done
finish
