# Kafka faults: an unreachable bootstrap server is a clear error, not a hang;
# offsets gone from the broker fail the query (fail_on_data_loss = true) or
# are skipped and counted (false); the broker going down during a run is
# waited out, reported, and nothing is lost or repeated; kill -9 during a
# Kafka → json → watermark → window count → Kafka run loses no window
# result.
. tests/e2e/kafka/lib.sh

start_broker --topic small:1 --topic fin:3 --topic fout:3 --topic ev:4 \
  --topic counts_al:1 --topic counts_eo:1 --topic counts_ref:1

# ---- unreachable ---------------------------------------------------------------------
cat >"$T/unr.ini" <<INI
[query]
trigger = available-now
[source.raw]
plugin                  = kafka
kafka.bootstrap.servers = 127.0.0.1:1
subscribe               = x
connect_timeout         = 2 seconds
[sink.out]
plugin = null
input  = raw
INI
s0=$(date +%s)
run_weir "$T/unr.ini" >/dev/null
rc=$?
el=$(( $(date +%s) - s0 ))
expect_eq "an unreachable cluster fails the query" 1 $rc
expect_grep "with a clear message" "cannot reach the Kafka cluster at 127.0.0.1:1 within 2 s (kafka.bootstrap.servers)" "$T/unr.ini.err"
[ $el -le 10 ] && ok "within connect_timeout, no hang (${el} s)" || not_ok "within connect_timeout, no hang (${el} s)"
sed -e 's/^plugin                  = kafka/plugin = rate/' -e '/kafka.bootstrap.servers\|subscribe\|connect_timeout/d' \
    -e 's/^\[sink.out\]/max_rows = 5\n[sink.out]/' -e 's/^plugin = null/plugin = kafka\ntopic = x\nvalue_format = json\nkafka.bootstrap.servers = 127.0.0.1:1\nconnect_timeout = 2 seconds/' \
    "$T/unr.ini" >"$T/unr2.ini"
run_weir "$T/unr2.ini" >/dev/null
expect_eq "the sink too" 1 $?
expect_grep "with the same message" "cannot reach the Kafka cluster at 127.0.0.1:1 within 2 s" "$T/unr2.ini.err"

# ---- offsets gone from the broker ----------------------------------------------------------
# The mock keeps about 5 MiB per partition: 7 MB more makes old offsets vanish.
seq 1 100 | produce small 0
cat >"$T/dl.ini" <<INI
[query]
trigger    = available-now
checkpoint = $T/dl/ckpt
[source.raw]
plugin                  = kafka
kafka.bootstrap.servers = $BS
subscribe               = small
starting_offsets        = earliest
[sink.out]
plugin = null
input  = raw
INI
run_weir "$T/dl.ini" >/dev/null
expect_eq "the first run reads offsets 0..99" 0 $?
python3 -c '
for i in range(70000): print("x" * 100 + str(i))' | produce small 0
lo=$(kc -Q -t small:0:-2 | awk '{print $NF}')
[ "$lo" -gt 100 ] && ok "the broker dropped old offsets (earliest is now $lo)" || not_ok "the broker dropped old offsets (earliest is now $lo)"
cp -r "$T/dl" "$T/dl2"
run_weir "$T/dl.ini" >/dev/null
expect_eq "fail_on_data_loss = true: the query fails" 1 $?
expect_grep "naming the partition and the offsets" "data loss: offsets 100..$((lo - 1)) of small-0 are gone from the broker (it now holds $lo..70099" "$T/dl.ini.err"
[ -f "$T/dl/ckpt/commits/1" ] && not_ok "nothing is committed past the loss" || ok "nothing is committed past the loss"
sed -e "s|$T/dl/ckpt|$T/dl2/ckpt|" -e 's/^starting_offsets        = earliest/starting_offsets = earliest\nfail_on_data_loss = false/' "$T/dl.ini" >"$T/dl2.ini"
run_weir "$T/dl2.ini" --progress "$T/dl2.prog" >/dev/null
expect_eq "fail_on_data_loss = false: the query goes on" 0 $?
expect_grep "skipping and counting the lost range" "data loss: skipping offsets 100..$((lo - 1)) of small-0, gone from the broker ($((lo - 100)) records; $((lo - 100)) skipped since start" "$T/dl2.ini.err"
expect_eq "and reads everything still there" $((70100 - lo)) \
  "$(tail -1 "$T/dl2.prog" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["numInputRows"])')"

# ---- the broker goes down during a run ---------------------------------------------------
i=0; while [ $i -lt 300 ]; do echo "a$i"; i=$((i + 1)); done | produce fin 0
cat >"$T/down.ini" <<INI
[query]
trigger    = processing-time 200 milliseconds
checkpoint = $T/down/ckpt
progress_idle_interval = 1 second
[source.raw]
plugin                  = kafka
kafka.bootstrap.servers = $BS
subscribe               = fin
starting_offsets        = earliest
max_offsets_per_trigger = 20
[operator.s]
plugin  = select
input   = raw
columns = value, key
[sink.k]
plugin                  = kafka
input                   = s
kafka.bootstrap.servers = $BS
topic                   = fout
INI
start_weir "$T/down.ini" "$T/down.out" --progress "$T/down.prog"
sleep 1
broker_cmd down 1 >"$T/down.cmd"
expect_eq "the broker goes down (mid-run: 20 records per epoch)" "ok down 1" "$(cat "$T/down.cmd")"
sleep 5
# While it is down: the status file names the node and the condition, and
# `weir checkpoint` shows it although the query holds the checkpoint.
DOWN_RE='Kafka brokers are down|not arriving|not acknowledged|retrying'
grep -E '"node":"(source.raw|sink.k)","status":' "$T/down/ckpt/status.json" | grep -qE "$DOWN_RE" &&
  ok "status.json reports the outage while it lasts" ||
  not_ok "status.json reports the outage while it lasts: $(cat "$T/down/ckpt/status.json")"
"$WEIR" checkpoint "$T/down/ckpt" >"$T/down.insp" 2>&1
grep -E '^  status: ' "$T/down.insp" | grep -qE "$DOWN_RE" &&
  ok "weir checkpoint shows it during the run" ||
  not_ok "weir checkpoint shows it during the run: $(cat "$T/down.insp")"
broker_cmd up 1 >/dev/null
i=0; while [ $i -lt 300 ]; do echo "b$i"; i=$((i + 1)); done | produce fin 1
i=0; while [ "$(consume fout | grep -c "")" -lt 600 ] && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
kill -0 $WPID 2>/dev/null && ok "the query waited, it did not fail" || not_ok "the query waited, it did not fail"
i=0; while ! grep -q '"nodes":\[\]' "$T/down/ckpt/status.json" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
expect_grep "status.json is clear once the cluster is back (query still running)" '"message":"Running","nodes":\[\]' "$T/down/ckpt/status.json"
kill -INT $WPID; wait $WPID
expect_eq "it stops cleanly afterwards" 0 $?
expect_grep "status.json says it stopped" '"message":"Stopped","nodes":\[\]' "$T/down/ckpt/status.json"
consume fout -f '%s\n' | sort >"$T/down.got"
{ i=0; while [ $i -lt 300 ]; do echo "a$i"; echo "b$i"; i=$((i + 1)); done; } | sort >"$T/down.want"
expect_file "every record arrived once, none skipped" "$T/down.want" "$T/down.got"
grep -E "retrying|waiting|librdkafka" "$T/down.ini.err" | head -3
expect_grep "and the outage was reported" "retrying\|waiting\|librdkafka" "$T/down.ini.err"
# Texts only the status path produces (the plugins' own warnings differ).
grep -qE "^weir: warning: \[(source.raw|sink.k)\] (all Kafka brokers are down \(.*\); waiting for them|planned records are not arriving|messages are not acknowledged)" "$T/down.ini.err" &&
  ok "the log says when the outage began" || not_ok "the log says when the outage began"
expect_grep "and when it ended" "^weir: info: \[\(source.raw\|sink.k\)\] recovered after [0-9]* s (was: " "$T/down.ini.err"
# An epoch that read rows (not an idle event) carries the wait.
python3 - "$T/down.prog" "$DOWN_RE" <<'PY' &&
import json, re, sys
pat = re.compile(sys.argv[2])
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["numInputRows"] == 0:
        continue
    for n in e["sources"] + e.get("sinks", []):
        w = n.get("waited")
        if w and pat.search(w["status"]) and w["ms"] > 0:
            sys.exit(0)
sys.exit(1)
PY
  ok "progress of the epoch it delayed says what and how long" ||
  not_ok "progress of the epoch it delayed says what and how long"

# ---- kill -9 during kafka → json → watermark → window count → kafka ----------------------
"$GEN" -b "$BS" -t ev -n 3000 -r 1000000 --seed 7 --start 2026-01-01T00:00:00Z --step 100 2>/dev/null
app() { # DIR SINK-TOPIC EXTRA-SINK-OPTIONS
  cat >"$1.ini" <<INI
[query]
trigger              = available-now
output_mode          = update
checkpoint           = $1/ckpt
min_epochs_to_retain = 100000
[source.raw]
plugin                  = kafka
kafka.bootstrap.servers = $BS
subscribe               = ev
starting_offsets        = earliest
max_offsets_per_trigger = 15
[operator.events]
plugin = json
input  = raw
schema = event_type STRING, user_id STRING, timestamp TIMESTAMP
[operator.late_ok]
plugin = watermark
input  = events
column = timestamp
delay  = 5 minutes
[operator.counts]
plugin    = aggregate
input     = late_ok
group_by  = window(timestamp, 1 minute), event_type
aggregate = count
[operator.rows]
plugin  = select
input   = counts
columns = concat(CAST(window.start AS STRING), ' ', event_type, ' ', CAST(count AS STRING)) AS value
[sink.out]
plugin                  = kafka
input                   = rows
kafka.bootstrap.servers = $BS
topic                   = $2
$3
INI
}
app "$T/ref" counts_ref ""
run_weir "$T/ref.ini" >/dev/null
expect_eq "the seed pipeline runs uninterrupted" 0 $?
consume counts_ref -f '%s\n' | sort >"$T/ref.rows"
n=$(nlines "$T/ref.rows")
[ "$n" -gt 20 ] && ok "it emits window counts ($n updates)" || not_ok "it emits window counts ($n updates)"
for mode in al eo; do
  extra=""; [ $mode = eo ] && extra="exactly_once = true"
  app "$T/k9$mode" counts_$mode "$extra"
  kills=0; i=0
  while [ $i -lt 80 ]; do
    i=$((i + 1))
    "$WEIR" run "$T/k9$mode.ini" -q >/dev/null 2>>"$T/k9$mode.err" &
    pid=$!
    sleep "$(awk -v s=$i 'BEGIN { srand(s * 104729); printf "%.3f", 0.03 + rand() * 0.2 }')"
    if kill -9 $pid 2>/dev/null; then wait $pid 2>/dev/null; kills=$((kills + 1))
    else wait $pid; rc=$?; [ $rc -eq 0 ] && break; echo "run $i exited $rc"; tail -3 "$T/k9$mode.err"; break; fi
  done
  [ $kills -ge 3 ] && ok "$mode: killed -9 $kills times" || not_ok "$mode: killed -9 $kills times"
  consume counts_$mode -X isolation.level=read_committed -f '%s\n' | sort >"$T/k9$mode.rows"
  missing=$(comm -23 "$T/ref.rows" "$T/k9$mode.rows" | grep -c "")
  expect_eq "$mode: no window result is lost across kill -9 and restarts" 0 "$missing"
  extra_rows=$(sort -u "$T/k9$mode.rows" | comm -13 "$T/ref.rows" - | grep -c "")
  expect_eq "$mode: and no result appears that an uninterrupted run does not emit" 0 "$extra_rows"
done

finish
