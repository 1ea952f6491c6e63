# The SDK's group-state helper (weir/groupstate.h) in the runtime, through
# the probe operator tests/plugins/gs_probe.c: load-time refusals (exit 2,
# file and line), a failure in each place the helper calls plugin code
# (data call, timeout call, state upgrade) and a misuse of the API, each
# with a clear message, exit 1, the checkpoint intact (the failed epoch is
# not committed) and a resumed run that completes the output exactly as an
# uninterrupted run; a restart with another timeout kind refused without
# touching the checkpoint; event-time timeouts in the no-data epoch.
. tests/e2e/lib.sh
PROBE="$TOP/$BUILD/testplugins/gs_probe.so"

topology() { # $1 = dir, $2 = extra [operator.p] lines, $3 = output mode
  cat >"$1/q.ini" <<INI
[query]
trigger     = available-now
output_mode = ${3:-append}
checkpoint  = $1/ckpt

[source.r]
plugin               = rate
rows_per_second      = 1
start_timestamp      = 2026-01-01T00:00:00Z
max_rows             = 12
max_rows_per_trigger = 3

[operator.s]
plugin  = select
input   = r
columns = CAST(value % 2 AS STRING) AS k, timestamp AS ts

[operator.wm]
plugin = watermark
input  = s
column = ts
delay  = 0 seconds

[operator.p]
plugin   = $PROBE
input    = wm
timeout  = event
duration = 0 seconds
$2

[sink.out]
plugin = console
format = json
input  = p
INI
}

mkdir -p "$T/ref"
topology "$T/ref" ""
"$WEIR" run "$T/ref/q.ini" >"$T/ref.out" 2>"$T/ref.err"
expect_eq "reference run exits 0" 0 $?
cat >"$T/ref.expected" <<'OUT'
{"epoch":0,"k":"0","count":2,"timed_out":false}
{"epoch":0,"k":"1","count":1,"timed_out":false}
{"epoch":1,"k":"1","count":3,"timed_out":false}
{"epoch":1,"k":"0","count":3,"timed_out":false}
{"epoch":2,"k":"0","count":5,"timed_out":false}
{"epoch":2,"k":"1","count":4,"timed_out":false}
{"epoch":3,"k":"1","count":6,"timed_out":false}
{"epoch":3,"k":"0","count":6,"timed_out":false}
{"epoch":4,"k":"0","count":6,"timed_out":true}
OUT
# Each key's timeout is its last event time (duration 0): key 0's (10 s) is
# passed by the final watermark (11 s) in the no-data epoch 4; key 1's
# (11 s) is not passed, so it never fires. Keys with rows get a data call
# even when their timeout is due (epochs 1 to 3).
expect_file "event-time timeouts fire in the no-data epoch 4, never earlier" "$T/ref.expected" "$T/ref.out"
expect_grep "epoch 4 is the no-data epoch" "epoch 4: 0 rows .*(no-data epoch)" "$T/ref.err"

# A failure, then a run without it: the two outputs make the reference.
# fails NAME EXIT EPOCH "probe lines" "message" [mode]
fails() {
  d="$T/$1"
  mkdir -p "$d"
  topology "$d" "$4" "${6:-}"
  "$WEIR" run "$d/q.ini" >"$d/out1" 2>"$d/err1"
  expect_eq "$1: exits $2" "$2" $?
  expect_grep "$1: says why, naming the section" "q.ini:24: \[operator.p\] $5" "$d/err1"
  if [ "$2" = 1 ]; then
    "$WEIR" checkpoint "$d/ckpt" >"$d/inspect" 2>&1
    expect_grep "$1: the checkpoint is intact, epoch $3 uncommitted" \
      "last committed: $(($3 - 1)) (one uncommitted: it re-runs)" "$d/inspect"
    topology "$d" "" "${6:-}"
    "$WEIR" run "$d/q.ini" >"$d/out2" 2>"$d/err2"
    expect_eq "$1: the run without the failure exits 0" 0 $?
    expect_grep "$1: it resumed at the failed epoch" "at epoch $3 (re-running the uncommitted epoch)" "$d/err2"
    cat "$d/out1" "$d/out2" >"$d/all"
    expect_file "$1: together, the output of an uninterrupted run" "$T/ref.out" "$d/all"
  fi
}

fails call 1 2 "fail_in = call
fail_epoch = 2" "probe: failing in the call as asked (WEIR_ERR_INVALID)"
expect_grep "call: the key and epoch are logged" '\[operator.p\] the data call for key \["0"\] failed in epoch 2' "$T/call/err1"
fails timeout 1 4 "fail_in = timeout
fail_epoch = 4" "probe: failing in the timeout call as asked"
expect_grep "timeout: the key and epoch are logged" 'the timeout call for key \["0"\] failed in epoch 4' "$T/timeout/err1"
fails misuse 1 1 "misuse = past_timestamp
fail_epoch = 1" 'timeout timestamp 2026-01-01T00:00:02.000Z for key \["1"\] is not later than the current watermark 2026-01-01T00:00:02.000Z'
fails create 2 0 "fail_in = create" "probe: failing in create"
mkdir -p "$T/no_watermark"
topology "$T/no_watermark" ""
sed -i -e '/^\[operator.wm\]/,/^$/d' -e 's/^input    = wm$/input    = s/' "$T/no_watermark/q.ini"
"$WEIR" run "$T/no_watermark/q.ini" >/dev/null 2>"$T/nw.err"
expect_eq "event-time timeouts without a watermark: exit 2" 2 $?
expect_grep "event-time timeouts without a watermark: why and what to do" "\[operator.p\] event-time timeouts need a watermark, and the input has no event-time column: put a watermark operator before this one" "$T/nw.err"
fails map_append 2 0 "variant = map" "this operator (one row per key and call, like Spark's mapGroupsWithState) needs output_mode = update, not append"

# A restart with another timeout kind is refused; the old one resumes.
d="$T/kind"
mkdir -p "$d"
topology "$d" "fail_in = call
fail_epoch = 2"
"$WEIR" run "$d/q.ini" -q >"$d/out1" 2>/dev/null
sed -i 's/^timeout  = event$/timeout  = processing/; /^fail_/d' "$d/q.ini"
"$WEIR" run "$d/q.ini" -q >"$d/out2" 2>"$d/err2"
expect_eq "another timeout kind on restart: exit 1" 1 $?
expect_grep "another timeout kind on restart: both named" "state 'groups' was written with {\"keys\":\[\[\"k\",\"string\"\]\],\"timeout\":\"event-time\"}, this operator now has {\"keys\":\[\[\"k\",\"string\"\]\],\"timeout\":\"processing-time\"}: its state would be misread" "$d/err2"
sed -i 's/^timeout  = processing$/timeout  = event/' "$d/q.ini"
"$WEIR" run "$d/q.ini" -q >"$d/out3" 2>"$d/err3"
expect_eq "the old timeout kind resumes" 0 $?
cat "$d/out1" "$d/out3" >"$d/all"
expect_file "and completes the output" "$T/ref.out" "$d/all"

# State format 2 with an upgrade: the older state is rewritten once.
d="$T/upgrade"
mkdir -p "$d"
topology "$d" "fail_in = call
fail_epoch = 2"
"$WEIR" run "$d/q.ini" -q >"$d/out1" 2>/dev/null
sed -i 's/^fail_in = call$/state_version = 2/; s/^fail_epoch = 2$/upgrade = true\nfail_in = upgrade/' "$d/q.ini"
"$WEIR" run "$d/q.ini" -q >/dev/null 2>"$d/err2"
expect_eq "a failing upgrade stops the query" 1 $?
expect_grep "naming the version and the key" "upgrading state 'groups' from version 1 to 2 failed at key" "$d/err2"
sed -i '/^fail_in = upgrade$/d' "$d/q.ini"
"$WEIR" run "$d/q.ini" >"$d/out3" 2>"$d/err3"
expect_eq "the upgrade to format 2 runs" 0 $?
expect_grep "and says so" "upgrading state 'groups' from format version 1 to 2" "$d/err3"
cat "$d/out1" "$d/out3" >"$d/all"
expect_file "the upgraded state gives the same output" "$T/ref.out" "$d/all"
finish
