# The example plugins (examples/plugins: hello, sessions, running_total)
# through their topologies in examples/, with exact outputs: the greeting;
# sessions closed by event-time timeouts in epochs 3 and 5 (5 being the
# no-data epoch the last watermark asks for) and a late click dropped and
# counted; running totals whose idle keys expire by processing-time
# timeout in exactly the first epoch after the timeout, in a second run
# that resumed the state from the checkpoint; the state as `weir checkpoint
# --state` prints it.
. tests/e2e/lib.sh
export WEIR_PLUGIN_PATH="$TOP/$BUILD/examples:$TOP/$BUILD/plugins"

# prep NAME DATA: the example's topology reading a copy of its data whose
# files are taken one per epoch in name order (the file source takes the
# oldest first), with the example plugins from this build.
prep() {
  mkdir -p "$T/$1"
  cp -r "examples/data/$2" "$T/$1/data"
  i=0
  for f in $(ls "$T/$1/data" | sort); do
    i=$((i + 1))
    touch -d "2026-03-02 12:00:0$i" "$T/$1/data/$f"
  done
  sed -e '/^plugin_path/d' -e "s|examples/data/$2|$T/$1/data|" \
    "examples/$1.ini" >"$T/$1/q.ini"
}

# ---- hello ----------------------------------------------------------------
prep hello names
"$WEIR" run "$T/hello/q.ini" -q >"$T/hello.out" 2>"$T/hello.err"
expect_eq "hello: exits 0" 0 $?
cat >"$T/hello.expected" <<'OUT'
-------------------------------------------
Batch: 0
-------------------------------------------
+-----+----+-------------+
| name|lang|      message|
+-----+----+-------------+
|world|  en|hello, world!|
| weir|   c| hello, weir!|
| null|none|         null|
+-----+----+-------------+

OUT
expect_file "hello: greets every name" "$T/hello.expected" "$T/hello.out"
"$WEIR" plugins hello >"$T/hello.help" 2>&1
expect_grep "hello: its options are documented" "greeting .*the word to greet with" "$T/hello.help"

# ---- sessions: event-time timeouts ----------------------------------------
prep sessions clicks
printf 'checkpoint = %s\n' "$T/sessions/ckpt" >"$T/cp.line"
sed -i "/^output_mode/r $T/cp.line" "$T/sessions/q.ini"
"$WEIR" run "$T/sessions/q.ini" -q --progress "$T/sessions/p.json" \
  >"$T/sessions.out" 2>"$T/sessions.err"
expect_eq "sessions: exits 0" 0 $?
empty='+----+-----+---+------+--------+
|user|start|end|events|duration|
+----+-----+---+------+--------+
+----+-----+---+------+--------+
'
{
  for e in 0 1 2; do
    printf -- '-------------------------------------------\nBatch: %s\n-------------------------------------------\n%s\n' $e "$empty"
  done
  cat <<'OUT'
-------------------------------------------
Batch: 3
-------------------------------------------
+-----+-------------------+-------------------+------+--------+
| user|              start|                end|events|duration|
+-----+-------------------+-------------------+------+--------+
|  bob|2026-03-02 09:05:00|2026-03-02 09:15:00|     3|     600|
|alice|2026-03-02 09:00:00|2026-03-02 09:35:00|     4|    2100|
+-----+-------------------+-------------------+------+--------+

OUT
  printf -- '-------------------------------------------\nBatch: 4\n-------------------------------------------\n%s\n' "$empty"
  cat <<'OUT'
-------------------------------------------
Batch: 5
-------------------------------------------
+-----+-------------------+-------------------+------+--------+
| user|              start|                end|events|duration|
+-----+-------------------+-------------------+------+--------+
|carol|2026-03-02 09:40:00|2026-03-02 10:05:00|     2|    1500|
| dave|2026-03-02 10:25:00|2026-03-02 10:25:00|     1|       0|
|alice|2026-03-02 10:30:00|2026-03-02 10:30:00|     1|       0|
+-----+-------------------+-------------------+------+--------+

OUT
} >"$T/sessions.expected"
expect_file "sessions: closed in epochs 3 and 5, in timeout order" "$T/sessions.expected" "$T/sessions.out"
python3 - "$T/sessions/p.json" >"$T/sessions.prog" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    p = json.loads(line)
    op = [o for o in p["stateOperators"] if o["operatorName"] == "sessions"][0]
    print(p["batchId"], p["eventTime"].get("watermark"), op["numRowsDroppedByWatermark"])
PY
cat >"$T/sessions.prog.expected" <<'OUT'
0 1970-01-01T00:00:00.000Z 0
1 2026-03-02T09:10:00.000Z 0
2 2026-03-02T09:30:00.000Z 1
3 2026-03-02T10:20:00.000Z 0
4 2026-03-02T10:20:00.000Z 0
5 2026-03-02T11:20:00.000Z 0
OUT
expect_file "sessions: watermarks per epoch; bob's late click counted in epoch 2" "$T/sessions.prog.expected" "$T/sessions.prog"
"$WEIR" checkpoint "$T/sessions/ckpt" --state sessions | sort >"$T/sessions.state"
cat >"$T/sessions.state.expected" <<'OUT'
{"store":"sessions","key":"weir.groups","value":{"keys":[["user","string"]],"timeout":"event-time"}}
{"store":"sessions","key":["erin"],"value":[["2026-03-02T11:30:00.000Z","2026-03-02T11:30:00.000Z",1]],"timer":1772452799999999}
OUT
# erin closes when the watermark reaches 12:00 (timer: 12:00 - 1 us)
expect_file "sessions: --state shows the open session and its timeout as JSON" "$T/sessions.state.expected" "$T/sessions.state"
# A restart with nothing new: the open session stays open (no epoch runs).
"$WEIR" run "$T/sessions/q.ini" -q >"$T/sessions2.out" 2>&1
expect_eq "sessions: a second run with nothing new exits 0" 0 $?
expect_eq "sessions: and emits nothing" "" "$(cat "$T/sessions2.out")"

# ---- running_total: processing-time timeouts across a restart -------------
prep running_total payments
mv "$T/running_total/data/03.json" "$T/03.json"
sed -i -e "s/^idle_timeout .*/idle_timeout = 2 seconds/" "$T/running_total/q.ini"
printf 'checkpoint = %s\n' "$T/running_total/ckpt" >"$T/cp.line"
sed -i "/^output_mode/r $T/cp.line" "$T/running_total/q.ini"
"$WEIR" run "$T/running_total/q.ini" -q >"$T/rt1.out" 2>"$T/rt1.err"
expect_eq "running_total: first run exits 0" 0 $?
cat >"$T/rt1.expected" <<'OUT'
-------------------------------------------
Batch: 0
-------------------------------------------
+-------+-----+-----+-------+
|account|total|count|expired|
+-------+-----+-----+-------+
|   acme|  150|    2|  false|
| globex|   75|    1|  false|
+-------+-----+-----+-------+

-------------------------------------------
Batch: 1
-------------------------------------------
+-------+-----+-----+-------+
|account|total|count|expired|
+-------+-----+-----+-------+
|initech|  500|    1|  false|
|   acme|  100|    3|  false|
+-------+-----+-----+-------+

OUT
expect_file "running_total: totals per epoch" "$T/rt1.expected" "$T/rt1.out"
sleep 3 # longer than idle_timeout: every key is idle now
cp "$T/03.json" "$T/running_total/data/03.json"
"$WEIR" run "$T/running_total/q.ini" -q >"$T/rt2.out" 2>"$T/rt2.err"
expect_eq "running_total: second run exits 0" 0 $?
cat >"$T/rt2.expected" <<'OUT'
-------------------------------------------
Batch: 2
-------------------------------------------
+-------+-----+-----+-------+
|account|total|count|expired|
+-------+-----+-----+-------+
| globex|  100|    2|  false|
|   acme|  100|    3|   true|
|initech|  500|    1|   true|
+-------+-----+-----+-------+

OUT
expect_file "running_total: idle keys expire in epoch 2, after the key with rows, totals resumed" "$T/rt2.expected" "$T/rt2.out"
"$WEIR" checkpoint "$T/running_total/ckpt" --state totals | sort >"$T/rt.state"
n=$(grep -c '"key":\["' "$T/rt.state")
expect_eq "running_total: only the active key is left in state" 1 "$n"
expect_grep "running_total: its state is [total, count] with a timer" '"key":\["globex"\],"value":\[100,2\],"timer":' "$T/rt.state"
finish
