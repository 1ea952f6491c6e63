# Event time end to end: watermark, aggregate (tumbling, sliding, running;
# append, update, complete), dedup, late rows to a sink, watermark policies,
# idle inputs and the load-time checks, each run on the real binary and
# compared exactly, epoch by epoch.
#
# Expected outputs are never produced by weir: section 1 is Spark's own
# worked example (the programming guide's 10-minute windows sliding every 5
# minutes with a 10-minute watermark, "donkey" at 12:04 arriving too late),
# written out by hand; section 2 compares with an independent Python model
# of Spark's rules (below), on out-of-order data from the rate source.
. tests/e2e/lib.sh
export PYTHONDONTWRITEBYTECODE=1

run() { # NAME: runs $T/NAME.ini, keeps stdout, stderr and progress
  "$WEIR" run "$T/$1.ini" --progress "$T/$1.progress" >"$T/$1.out" 2>"$T/$1.err"
  rc=$?
  expect_eq "$1: exits 0" 0 $rc
  [ $rc -eq 0 ] || head -5 "$T/$1.err"
}

# progress NAME FIELD: one line per epoch, e.g. "0 2026-01-01T11:58:00.000Z"
progress() {
  python3 - "$T/$1.progress" "$2" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    f = sys.argv[2]
    v = r["eventTime"].get("watermark") if f == "watermark" else \
        r["stateOperators"][0][f] if r["stateOperators"] else None
    print(r["batchId"], v)
PY
}

# ---- 1. the programming guide's worked example ---------------------------
# Rows (event time, word) in four epochs; filler rows are filtered out so
# that each epoch holds exactly the guide's rows:
#   0: 12:07 dog, 12:08 owl          1: 12:14 dog, 12:09 cat
#   2: 12:15 cat, 12:08 dog, 12:13 owl, 12:21 owl
#   3: 12:04 donkey (too late), 12:17 owl
guide_ini() { # NAME MODE [extra aggregate keys]
  cat > "$T/$1.ini" <<INI
[query]
trigger     = available-now
output_mode = $2

[source.r]
plugin               = rate
rows_per_second      = 100
start_timestamp      = 2026-01-01T00:00:00Z
max_rows             = 16
max_rows_per_trigger = 4

[operator.words]
plugin  = select
input   = r
columns = CAST(CAST(TIMESTAMP '2026-01-01 12:00:00' AS BIGINT) + CAST(substring('07080000140900001508132104170000', value * 2 + 1, 2) AS BIGINT) * 60 AS TIMESTAMP) AS timestamp, trim(substring('dog   owl   -     -     dog   cat   -     -     cat   dog   owl   owl   donkeyowl   -     -     ', value * 6 + 1, 6)) AS word
where   = substring('1100110011111100', value + 1, 1) = '1'

[operator.wm]
plugin = watermark
input  = words
column = timestamp
delay  = 10 minutes

[operator.counts]
plugin    = aggregate
input     = wm
group_by  = window(timestamp, 10 minutes, 5 minutes), word
aggregate = count
${3:-}

[sink.out]
plugin   = console
input    = counts
truncate = false
INI
}

SEP='-------------------------------------------'
table_width() { # N: the word column's width (the widest word, at least 4)
  D=$(printf '%*s' "$1" '' | tr ' ' '-')
  H="+------------------------------------------+$D+-----+"
  HW=$(printf '|window                                    |%-*s|count|' "$1" word)
  WW=$1
}
w() { printf '|{2026-01-01 %s:00, 2026-01-01 %s:00}|%-*s|%-5s|\n' "$1" "$2" "$WW" "$3" "$4"; }
batch() { printf '%s\nBatch: %s\n%s\n%s\n%s\n%s\n' "$SEP" "$1" "$SEP" "$H" "$HW" "$H"; }
end() { printf '%s\n\n' "$H"; }
empty() { # an epoch with no rows: every column as wide as its name
  printf '%s\nBatch: %s\n%s\n' "$SEP" "$1" "$SEP"
  printf '%s\n' '+------+----+-----+' '|window|word|count|' '+------+----+-----+' \
    '+------+----+-----+' ''
}
table_width 4

guide_ini guide_update update
run guide_update
{
  batch 0
  w 12:00 12:10 dog 1; w 12:00 12:10 owl 1; w 12:05 12:15 dog 1; w 12:05 12:15 owl 1
  end
  batch 1
  w 12:00 12:10 cat 1; w 12:05 12:15 cat 1; w 12:05 12:15 dog 2; w 12:10 12:20 dog 1
  end
  batch 2
  w 12:00 12:10 dog 2; w 12:05 12:15 dog 3; w 12:05 12:15 owl 2
  w 12:10 12:20 cat 1; w 12:10 12:20 owl 1; w 12:15 12:25 cat 1
  w 12:15 12:25 owl 1; w 12:20 12:30 owl 1
  end
  batch 3
  w 12:10 12:20 owl 2; w 12:15 12:25 owl 2
  end
} >"$T/guide_update.expected"
expect_file "guide, update mode: the changed windows, epoch by epoch" \
  "$T/guide_update.expected" "$T/guide_update.out"
progress guide_update watermark >"$T/gw"
printf '%s\n' "0 1970-01-01T00:00:00.000Z" "1 2026-01-01T11:58:00.000Z" \
  "2 2026-01-01T12:04:00.000Z" "3 2026-01-01T12:11:00.000Z" >"$T/gw.expected"
expect_file "guide: watermark = max event time - 10 min, from the next epoch" \
  "$T/gw.expected" "$T/gw"
expect_eq "guide, update: donkey is late in its 2 windows (Spark counts groups)" \
  "0 0 0 2" "$(progress guide_update numRowsDroppedByWatermark | cut -d' ' -f2 | xargs)"
expect_eq "guide, update: window 12:00-12:10 evicted at watermark 12:11" \
  "4 7 12 9" "$(progress guide_update numRowsTotal | cut -d' ' -f2 | xargs)"

guide_ini guide_append append "late_rows = late
[sink.late]
plugin = console
format = json"
run guide_append
{
  empty 0; empty 1; empty 2
  echo '{"epoch":3,"timestamp":"2026-01-01T12:04:00.000Z","word":"donkey"}'
  batch 3
  w 12:00 12:10 cat 1; w 12:00 12:10 dog 2; w 12:00 12:10 owl 1
  end
} >"$T/guide_append.expected"
expect_file "guide, append mode: 12:00-12:10 once, when the watermark passes 12:10; donkey to late_rows" \
  "$T/guide_append.expected" "$T/guide_append.out"
expect_eq "guide, append: state evicted after emitting" \
  "4 7 12 9" "$(progress guide_append numRowsTotal | cut -d' ' -f2 | xargs)"
expect_eq "guide, append: progress counts the late sink's row" "3 1" \
  "$(tail -1 "$T/guide_append.progress" | python3 -c '
import json, sys
s = {x["description"]: x["numOutputRows"] for x in json.load(sys.stdin)["sinks"]}
print(s["console[out]"], s["console[late]"])')"

guide_ini guide_complete complete
run guide_complete
{
  batch 0
  w 12:00 12:10 dog 1; w 12:00 12:10 owl 1; w 12:05 12:15 dog 1; w 12:05 12:15 owl 1
  end
  batch 1
  w 12:00 12:10 cat 1; w 12:00 12:10 dog 1; w 12:00 12:10 owl 1
  w 12:05 12:15 cat 1; w 12:05 12:15 dog 2; w 12:05 12:15 owl 1; w 12:10 12:20 dog 1
  end
  batch 2
  w 12:00 12:10 cat 1; w 12:00 12:10 dog 2; w 12:00 12:10 owl 1
  w 12:05 12:15 cat 1; w 12:05 12:15 dog 3; w 12:05 12:15 owl 2
  w 12:10 12:20 cat 1; w 12:10 12:20 dog 1; w 12:10 12:20 owl 1
  w 12:15 12:25 cat 1; w 12:15 12:25 owl 1; w 12:20 12:30 owl 1
  end
  table_width 6
  batch 3
  w 11:55 12:05 donkey 1
  w 12:00 12:10 cat 1; w 12:00 12:10 dog 2; w 12:00 12:10 donkey 1; w 12:00 12:10 owl 1
  w 12:05 12:15 cat 1; w 12:05 12:15 dog 3; w 12:05 12:15 owl 2
  w 12:10 12:20 cat 1; w 12:10 12:20 dog 1; w 12:10 12:20 owl 2
  w 12:15 12:25 cat 1; w 12:15 12:25 owl 2; w 12:20 12:30 owl 1
  end
} >"$T/guide_complete.expected"
expect_file "guide, complete mode: the whole table every epoch, donkey counted" \
  "$T/guide_complete.expected" "$T/guide_complete.out"
expect_eq "guide, complete: nothing dropped, nothing evicted" \
  "0 0 0 0 / 4 7 12 14" \
  "$(progress guide_complete numRowsDroppedByWatermark | cut -d' ' -f2 | xargs) / $(progress guide_complete numRowsTotal | cut -d' ' -f2 | xargs)"

# ---- 2. out-of-order data against a model of Spark's rules ---------------
# rate: value v at second v (one row per second), 30 rows per epoch;
# ts = timestamp - (v % 7) * 8 s, so rows arrive up to 48 s out of order and
# a 10-second watermark makes many of them late. The model is
# tests/e2e/event_time_model.py.

data_ini() { # NAME MODE: the stateful section(s) come on stdin
  cat > "$T/$1.ini" <<INI
[query]
trigger          = available-now
output_mode      = $2
watermark_policy = ${POLICY:-min}
${CKPT:+checkpoint       = $CKPT}

[source.r]
plugin               = rate
rows_per_second      = 1
start_timestamp      = 2026-01-01T00:00:00Z
max_rows             = ${ROWS:-120}
max_rows_per_trigger = 30

[operator.s]
plugin  = select
input   = r
columns = CAST(CAST(timestamp AS BIGINT) - (value % 7) * 8 AS TIMESTAMP) AS ts, CAST(value % 3 AS STRING) AS kind, value${EXTRA_COLS:-}

${WMSEC-$WM}
$(cat)
INI
}
WM='[operator.wm]
plugin = watermark
input  = s
column = ts
delay  = 10 seconds'


# check NAME: runs the model script on stdin (it defines `engine`) and
# compares the main sink's lines, the late sink's lines and progress.
check() {
  python3 - "$T" "$1" >"$T/$1.check" 2>&1 <<PY
import json, sys
sys.path.insert(0, "tests/e2e")
from event_time_model import *
T, name = sys.argv[1], sys.argv[2]
MARK = False
$(cat)
if MARK:  # the main sink reads the rows through a select that adds out = 1
    engine.lines = [l[:-1] + ',"out":1}' for l in engine.lines]
out = [l.rstrip("\n") for l in open("%s/%s.out" % (T, name))]
late_keys = set(["epoch"] + list(LATE_COLS))
late = [l for l in out if set(json.loads(l)) == late_keys]
main = [l for l in out if set(json.loads(l)) != late_keys]
prog = [json.loads(l) for l in open("%s/%s.progress" % (T, name))]
got = [{"watermark": p["eventTime"].get("watermark"),
        "dropped": p["stateOperators"][0]["numRowsDroppedByWatermark"],
        "total": p["stateOperators"][0]["numRowsTotal"]} for p in prog]
bad = 0
for what, exp, act in (("rows", engine.lines, main),
                       ("late rows", engine.late_lines if op.in_cols else [], late),
                       ("progress", engine.progress, got)):
    if exp != act:
        bad = 1
        print("%s differ:" % what)
        import difflib
        for d in difflib.unified_diff([str(x) for x in exp],
                                      [str(x) for x in act], lineterm=""):
            print(d)
print("epochs %d, rows %d, late %d" % (len(prog), len(main), len(late)))
sys.exit(bad)
PY
  if [ $? -eq 0 ]; then ok "$1 matches the model ($(tail -1 "$T/$1.check"))"
  else not_ok "$1 matches the model"; head -40 "$T/$1.check"; fi
}

# The select above, in the model: (value, rate timestamp) -> row.
ROW='lambda v, t: {"ts": t - (v % 7) * 8 * S, "kind": str(v % 3), "value": v}'
IN="LATE_COLS = ('ts', 'kind', 'value')"

# append, tumbling: each window emitted once, after the watermark passes its
# end; late rows dropped, counted and sent to a second console sink; the
# no-data epoch at the end of available-now emits the last closed windows.
data_ini append_tumbling append <<'INI'
[operator.op]
plugin    = aggregate
input     = wm
group_by  = window(ts, 10 seconds), kind
aggregate = count, sum(value), max(value)
late_rows = late
[sink.out]
plugin = console
format = json
input  = op
[sink.late]
plugin = console
format = json
INI
run append_tumbling
check append_tumbling <<PY
$IN
op = Aggregate("append", ["kind"], ["count", "sum(value)", "max(value)"],
               window=("ts", 10 * S, 10 * S), ev="window", in_cols=LATE_COLS)
engine = Engine(op, rate_epochs(120, 30), $ROW, [("ts", 10 * S)])
assert engine.late_lines and len(engine.progress) == 5  # late rows, no-data epoch
PY

# update, sliding windows (20 s every 10 s): changed groups each epoch, closed
# windows evicted without output.
data_ini update_sliding update <<'INI'
[operator.op]
plugin    = aggregate
input     = wm
group_by  = window(ts, 20 seconds, 10 seconds), kind
aggregate = count, min(value), avg(value)
[sink.out]
plugin = console
format = json
input  = op
INI
run update_sliding
check update_sliding <<PY
$IN
op = Aggregate("update", ["kind"], ["count", "min(value)", "avg(value)"],
               window=("ts", 20 * S, 10 * S), ev="window")
engine = Engine(op, rate_epochs(120, 30), $ROW, [("ts", 10 * S)])
PY

# complete, sliding: the whole table each epoch, no late row dropped.
data_ini complete_sliding complete <<'INI'
[operator.op]
plugin    = aggregate
input     = wm
group_by  = window(ts, 20 seconds, 10 seconds)
aggregate = count, max(ts), first(kind), last(kind)
[sink.out]
plugin = console
format = json
input  = op
INI
run complete_sliding
check complete_sliding <<PY
$IN
op = Aggregate("complete", [], ["count", "max(ts)", "first(kind)", "last(kind)"],
               window=("ts", 20 * S, 10 * S), ev="window")
engine = Engine(op, rate_epochs(120, 30), $ROW, [("ts", 10 * S)])
PY

# running aggregations (no window): by kind in update mode; one global
# group in complete mode; by the watermarked column itself in append mode.
data_ini running_update update <<'INI'
[operator.op]
plugin    = aggregate
input     = wm
group_by  = kind
aggregate = count, sum(value), first(ts), last(value)
[sink.out]
plugin = console
format = json
input  = op
INI
run running_update
check running_update <<PY
$IN
op = Aggregate("update", ["kind"], ["count", "sum(value)", "first(ts)", "last(value)"])
engine = Engine(op, rate_epochs(120, 30), $ROW, [("ts", 10 * S)])
PY
expect_grep "running_update: warns that state grows without bound" \
  "warning: \[operator.op\] state grows without bound: no group column is watermarked" \
  "$T/running_update.err"

data_ini running_global complete <<'INI'
[operator.op]
plugin    = aggregate
input     = wm
aggregate = count, max(ts), avg(value)
[sink.out]
plugin = console
format = json
input  = op
INI
run running_global
check running_global <<PY
$IN
op = Aggregate("complete", [], ["count", "max(ts)", "avg(value)"])
engine = Engine(op, rate_epochs(120, 30), $ROW, [("ts", 10 * S)])
PY

data_ini running_by_event_time append <<'INI'
[operator.op]
plugin    = aggregate
input     = wm
group_by  = ts
aggregate = count, sum(value)
[sink.out]
plugin = console
format = json
input  = op
INI
run running_by_event_time
check running_by_event_time <<PY
$IN
op = Aggregate("append", ["ts"], ["count", "sum(value)"], ev="ts")
engine = Engine(op, rate_epochs(120, 30), $ROW, [("ts", 10 * S)])
PY

# dedup without a watermark: the first row of each kind, ever; state is
# never evicted, and load time says so.
WMSEC= data_ini dedup_plain append <<'INI'
[operator.op]
plugin  = dedup
input   = s
columns = kind
[operator.o]
plugin  = select
input   = op
columns = *, 1 AS out
[sink.out]
plugin = console
format = json
input  = o
INI
run dedup_plain
check dedup_plain <<PY
$IN
op = Dedup(["kind"], in_cols=LATE_COLS)
engine = Engine(op, rate_epochs(120, 30), $ROW, [])
MARK = True
PY
expect_grep "dedup_plain: warns that state grows without bound" \
  "warning: \[operator.op\] state grows without bound: no watermarked column" \
  "$T/dedup_plain.err"

# dedup on (ts, kind) with a watermark on ts: late rows dropped, counted (as
# input rows, as Spark's dedup counts them) and sent to late_rows; keys
# older than the watermark evicted.
data_ini dedup_watermark append <<'INI'
[operator.op]
plugin    = dedup
input     = wm
columns   = ts, kind
late_rows = late
[operator.o]
plugin  = select
input   = op
columns = *, 1 AS out
[sink.out]
plugin = console
format = json
input  = o
[sink.late]
plugin = console
format = json
INI
run dedup_watermark
check dedup_watermark <<PY
$IN
op = Dedup(["ts", "kind"], ev="ts", in_cols=LATE_COLS)
engine = Engine(op, rate_epochs(120, 30), $ROW, [("ts", 10 * S)])
assert engine.late_lines and any(p["total"] < 20 for p in engine.progress)
MARK = True
PY

# dropDuplicatesWithinWatermark on kind: a kind passes again once the
# watermark has passed its first row's event time + the 10 s delay.
data_ini dedup_within update <<'INI'
[operator.op]
plugin           = dedup
input            = wm
columns          = kind
within_watermark = true
late_rows        = late
[sink.late]
plugin = console
format = json
[operator.o]
plugin  = select
input   = op
columns = *, 1 AS out
[sink.out]
plugin = console
format = json
input  = o
INI
run dedup_within
check dedup_within <<PY
$IN
op = Dedup(["kind"], ev="ts", delay=10 * S, within=True, in_cols=LATE_COLS)
engine = Engine(op, rate_epochs(120, 30), $ROW, [("ts", 10 * S)])
assert len(engine.lines) > 3  # kinds expired and came back
MARK = True
PY

# Two watermark operators (ts, 10 s; ts2 = ts - 30 s, 5 s): the global
# watermark is the min of their candidates by default, the max with
# watermark_policy = max (Spark's spark.sql.streaming.multipleWatermarkPolicy).
for POLICY in min max; do
EXTRA_COLS=", CAST(CAST(timestamp AS BIGINT) - 30 AS TIMESTAMP) AS ts2" \
  data_ini "policy_$POLICY" append <<'INI'
[operator.wm2]
plugin = watermark
input  = wm
column = ts2
delay  = 5 seconds
[operator.op]
plugin    = aggregate
input     = wm2
group_by  = window(ts2, 10 seconds)
aggregate = count, min(value)
[sink.out]
plugin = console
format = json
input  = op
INI
run "policy_$POLICY"
check "policy_$POLICY" <<PY
$IN
op = Aggregate("append", [], ["count", "min(value)"],
               window=("ts2", 10 * S, 10 * S), ev="window")
row = lambda v, t: dict(($ROW)(v, t), ts2=t - 30 * S)
engine = Engine(op, rate_epochs(120, 30), row, [("ts", 10 * S), ("ts2", 5 * S)],
                policy="$POLICY")
PY
done
expect_eq "the max policy closes windows sooner than min" \
  "2 3" "$(grep -c '"epoch":1,' "$T/policy_min.out") $(grep -c '"epoch":1,' "$T/policy_max.out")"

# Idle input (beyond Spark): source b stops after epoch 1. Under min, its
# watermark (4 s) holds the query's back for good; with idle_timeout b
# stops counting once it has had no row for that long, so a's windows close.
idle_ini() { # NAME IDLE_TIMEOUT_LINE
  cat > "$T/$1.ini" <<INI
[query]
trigger     = available-now
output_mode = append
[source.a]
plugin               = rate
start_timestamp      = 2026-01-01T00:00:00Z
max_rows             = 40
max_rows_per_trigger = 10
[source.b]
plugin               = rate
start_timestamp      = 2026-01-01T00:00:00Z
max_rows             = 10
max_rows_per_trigger = 5
[operator.sa]
plugin  = select
input   = a
columns = timestamp AS ts, 'a' AS src
[operator.sb]
plugin  = select
input   = b
columns = timestamp AS ts, 'b' AS src
[operator.wa]
plugin = watermark
input  = sa
column = ts
delay  = 5 seconds
[operator.wb]
plugin = watermark
input  = sb
column = ts
delay  = 5 seconds
$2
[operator.op]
plugin    = aggregate
input     = wa, wb
group_by  = window(ts, 10 seconds), src
aggregate = count
[sink.out]
plugin = console
format = json
input  = op
INI
}
idle_ini idle_held ""
run idle_held
expect_eq "idle input holds a min watermark back without idle_timeout" \
  "0 1970-01-01T00:00:00.000Z|1 2025-12-31T23:59:59.000Z|2 2026-01-01T00:00:04.000Z|3 2026-01-01T00:00:04.000Z|" \
  "$(progress idle_held watermark | tr '\n' '|')"
expect_eq "... and no window closes" 0 "$(wc -l <"$T/idle_held.out")"
idle_ini idle_timeout "idle_timeout = 1us"
run idle_timeout
expect_eq "with idle_timeout, b stops holding it back once idle" \
  "0 1970-01-01T00:00:00.000Z|1 2025-12-31T23:59:59.000Z|2 2026-01-01T00:00:04.000Z|3 2026-01-01T00:00:24.000Z|4 2026-01-01T00:00:34.000Z|" \
  "$(progress idle_timeout watermark | tr '\n' '|')"
cat >"$T/idle.expected" <<'OUT'
{"epoch":3,"window":{"start":"2026-01-01T00:00:00.000Z","end":"2026-01-01T00:00:10.000Z"},"src":"a","count":10}
{"epoch":3,"window":{"start":"2026-01-01T00:00:00.000Z","end":"2026-01-01T00:00:10.000Z"},"src":"b","count":10}
{"epoch":3,"window":{"start":"2026-01-01T00:00:10.000Z","end":"2026-01-01T00:00:20.000Z"},"src":"a","count":10}
{"epoch":4,"window":{"start":"2026-01-01T00:00:20.000Z","end":"2026-01-01T00:00:30.000Z"},"src":"a","count":10}
OUT
expect_file "... and a's windows close, the last in a no-data epoch" \
  "$T/idle.expected" "$T/idle_timeout.out"
expect_grep "progress names the idle input" '"idleWatermarks":\["wb"\]' \
  "$T/idle_timeout.progress"

# A restart from the checkpoint in the middle: the aggregate's groups
# (variable-size values included) and the watermark operator's largest
# event time come back from state, so the two runs emit exactly the rows of
# one uninterrupted run (the first run's no-data epoch shifts epoch ids).
for ROWS in 60 120; do
  CKPT="$T/ckpt" data_ini restart append <<'INI'
[operator.op]
plugin    = aggregate
input     = wm
group_by  = window(ts, 10 seconds), kind
aggregate = count, sum(value), max(kind), last(kind)
[sink.out]
plugin = console
format = json
input  = op
INI
  run restart
  cat "$T/restart.out" >>"$T/restart.all"
done
expect_grep "restart: the second run resumes from the checkpoint" \
  "resuming from checkpoint" "$T/restart.err"
python3 - "$T" <<PY >"$T/restart.check" 2>&1
import json, sys
sys.path.insert(0, "tests/e2e")
from event_time_model import *
op = Aggregate("append", ["kind"], ["count", "sum(value)", "max(kind)", "last(kind)"],
               window=("ts", 10 * S, 10 * S), ev="window")
engine = Engine(op, rate_epochs(120, 30), $ROW, [("ts", 10 * S)])
strip = lambda l: json.dumps({k: v for k, v in json.loads(l).items() if k != "epoch"})
got = sorted(strip(l) for l in open(sys.argv[1] + "/restart.all"))
want = sorted(strip(l) for l in engine.lines)
print("rows %d" % len(got))
sys.exit(got != want)
PY
if [ $? -eq 0 ]; then ok "restart: state survives, same rows as one run ($(cat "$T/restart.check"))"
else not_ok "restart: state survives, same rows as one run"; head -20 "$T/restart.check"; fi

# ---- 3. load-time checks ---------------------------------------------------
# validate NAME EXPECTED_EXIT PATTERN: the section's stateful part on stdin.
validate() {
  name=$1 want=$2 pattern=$3
  data_ini "$name" "${MODE:-append}"
  "$WEIR" validate "$T/$name.ini" >"$T/$name.vout" 2>&1
  rc=$?
  expect_eq "$name: validate exits $want" "$want" $rc
  expect_grep "$name: says what to change" "$pattern" "$T/$name.vout"
}
AGG='[sink.out]
plugin = console
input  = op'
WMSEC= validate append_without_watermark 2 \
  "\[operator.op\] append output mode needs a watermark: add a watermark operator on the window's time column 'ts'" <<INI
[operator.op]
plugin    = aggregate
input     = s
group_by  = window(ts, 1 minute), kind
aggregate = count
$AGG
INI
validate running_append 2 "append output mode needs a watermark: append emits a group once it is final" <<INI
[operator.op]
plugin    = aggregate
input     = wm
group_by  = kind
aggregate = count
$AGG
INI
validate window_not_timestamp 2 "column 'value' is bigint; a window needs a timestamp column" <<INI
[operator.op]
plugin    = aggregate
input     = wm
group_by  = window(value, 1 minute)
aggregate = count
$AGG
INI
validate unknown_column 2 "group_by: knid: unknown column 'knid' (did you mean 'kind'?)" <<INI
[operator.op]
plugin    = aggregate
input     = wm
group_by  = window(ts, 1 minute), knid
aggregate = count
$AGG
INI
validate sum_of_string 2 "aggregate: sum(kind): column 'kind' is string; sum needs a numeric column" <<INI
[operator.op]
plugin    = aggregate
input     = wm
group_by  = window(ts, 1 minute)
aggregate = sum(kind)
$AGG
INI
validate unknown_function 2 "unknown aggregate function 'coutn' (did you mean 'count'?)" <<INI
[operator.op]
plugin    = aggregate
input     = wm
group_by  = window(ts, 1 minute)
aggregate = coutn(kind)
$AGG
INI
WMSEC='[operator.wm]
plugin = watermark
input  = s
column = tss
delay  = 10 seconds' validate watermark_missing_column 2 \
  "\[operator.wm\] column: unknown column 'tss' (did you mean 'ts'?)" <<INI
[operator.op]
plugin = dedup
input  = wm
$AGG
INI
WMSEC='[operator.wm]
plugin = watermark
input  = s
column = value
delay  = 10 seconds' validate watermark_not_timestamp 2 \
  "column: 'value' is bigint; a watermark needs a timestamp column" <<INI
[operator.op]
plugin = dedup
input  = wm
$AGG
INI
MODE=complete validate complete_without_aggregation 2 "output_mode = complete needs an aggregation" <<INI
[operator.op]
plugin = dedup
input  = wm
$AGG
INI
WMSEC= validate within_without_watermark 2 "within_watermark needs a watermark" <<INI
[operator.op]
plugin           = dedup
input            = s
within_watermark = true
$AGG
INI
validate dedup_unknown_column 2 "columns: unknown column 'knd' (did you mean 'kind'?)" <<INI
[operator.op]
plugin  = dedup
input   = wm
columns = knd
$AGG
INI
MODE=update WMSEC= validate unbounded_state_warning 0 \
  "warning: \[operator.op\] state grows without bound: window(ts, ...) is over a column without a watermark" <<INI
[operator.op]
plugin    = aggregate
input     = s
group_by  = window(ts, 1 minute), kind
aggregate = count
$AGG
INI
validate validate_prints_the_result_schema 0 \
  "|-- mean: double (nullable = true)" <<INI
[operator.op]
plugin    = aggregate
input     = wm
group_by  = window(ts, 1 minute, 30 seconds), kind
aggregate = count, avg(value) AS mean
$AGG
INI
finish
