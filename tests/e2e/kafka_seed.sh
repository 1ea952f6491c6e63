# The seed application end to end: examples/events-per-minute.ini itself
# (kafka -> json -> watermark 5 minutes -> count by 1-minute window and
# event_type -> update mode -> console), with only the trigger
# (available-now, so epochs are deterministic) and the checkpoint (a temp
# folder) changed, reading JSON events from a 3-partition topic of
# weir-kafka-broker. Four runs on the same checkpoint:
#
#   run 1  wave 1: events in 7 windows, out of order, on a window boundary,
#          a missing event_type, two malformed records. Epoch 0 with every
#          record (watermark 0), then the no-data epoch 1 that the new
#          watermark 12:02:00 asks for (it evicts the 12:00 and 12:01 windows).
#   run 2  wave 2: late events (3 rows in 2 closed windows, both evicted
#          in epoch 1: numRowsDroppedByWatermark counts groups, 2), a row
#          whose window ends exactly at the watermark (late) and one that
#          starts there (counted), updates of open windows, a non-string
#          event_type, a malformed record. Epoch 2, then the no-data epoch 3.
#   run 3  wave 3, with max_offsets_per_trigger lowered from 100000 to 4 (a
#          rate limit may change on restart): 3 epochs split as Spark's
#          rateLimit splits; a row late in epoch 5 only because epoch 4
#          moved the watermark, a row older than the watermark whose window
#          is still open (counted), and no trailing no-data epoch because
#          the last epoch did not move the watermark.
#   run 4  nothing new: no epoch at all.
#
# Every run's stdout is compared byte for byte, and its progress (input
# rows, malformed records, watermark, event-time min/max/avg, rows dropped
# by the watermark, state rows, sink rows, end offsets) epoch by epoch, with
# what tests/e2e/event_time_model.py (Seed: an independent model of Spark's
# rules and console sink) computes from the very texts produced: nothing
# expected comes from weir's own output.
. tests/e2e/kafka/lib.sh
export PYTHONDONTWRITEBYTECODE=1

start_broker --topic events:3

# ---- the test copy of the example ------------------------------------------
sed -e 's/^trigger\( *\)= .*/trigger\1= available-now/' \
    -e "s|^checkpoint\( *\)= .*|checkpoint\1= $T/ckpt|" \
    examples/events-per-minute.ini >"$T/seed.ini"
diff examples/events-per-minute.ini "$T/seed.ini" | grep '^[<>]' | cut -c1-13 | sort >"$T/seed.diff"
printf '%s\n' '< checkpoint ' '< trigger    ' '> checkpoint ' '> trigger    ' >"$T/seed.diff.want"
expect_file "the test topology is the example with only trigger and checkpoint changed" \
  "$T/seed.diff.want" "$T/seed.diff"
sed 's/^max_offsets_per_trigger\( *\)= [0-9]*/max_offsets_per_trigger\1= 4/' \
  "$T/seed.ini" >"$T/seed-limit.ini"
expect_eq "run 3's copy changes max_offsets_per_trigger only" 1 \
  "$(diff "$T/seed.ini" "$T/seed-limit.ini" | grep -c '^>')"

# ---- the events: one file per wave and partition, one message per line -----
ev() { # TYPE USER TIME: the seed's event at 2026-01-01TTIME Z
  printf '{"event_type":"%s","user_id":"%s","timestamp":"2026-01-01T%sZ"}\n' "$1" "$2" "$3"
}
{ ev click u1 12:00:05.120; ev view u2 12:01:30.000; ev click u1 12:07:00.000
  ev click u3 12:00:59.999; ev purchase u2 12:03:10.500; } >"$T/w1.p0"
{ ev view u4 12:02:00.000; ev click u5 12:01:59.999; ev view u1 12:00:00.000
  echo '{"event_type":"click","user_id":"u6","timestamp":'; } >"$T/w1.p1"
{ ev purchase u3 12:05:45.250; ev click u2 12:02:30.000; ev view u6 12:06:59.999
  echo '{"event_type":"view","user_id":"u7","timestamp":"yesterday"}'
  echo '{"user_id":"u8","timestamp":"2026-01-01T12:03:00.000Z"}'; } >"$T/w1.p2"

{ ev click u1 12:01:59.999; ev click u9 12:01:10.000; ev view u2 12:02:00.000
  ev click u3 12:09:30.500; } >"$T/w2.p0"
{ ev view u5 12:00:30.000; ev purchase u1 12:03:59.999
  echo '{"event_type":42,"user_id":"u4","timestamp":"2026-01-01T12:04:15.000Z"}'
  echo 'not json at all'; } >"$T/w2.p1"
{ ev click u6 12:02:45.000; ev view u3 12:08:00.000; ev click u2 12:07:20.000
  echo '{"event_type":"view","user_id":"u9","timestamp":"2026-01-01T12:05:30Z"}'; } >"$T/w2.p2"

# max_offsets_per_trigger = 4 over backlogs 6, 3, 3: 2 + 1 + 1 per epoch
{ ev click u1 12:04:10.000; ev click u2 12:12:00.000   # epoch 4
  ev view u5 12:06:40.000; ev click u6 12:07:00.000    # epoch 5
  ev view u8 12:08:30.000; ev purchase u9 12:10:00.000; } >"$T/w3.p0"
{ ev view u3 12:06:30.000; echo '[1,2,3]'; ev click u1 12:06:59.999; } >"$T/w3.p1"
{ ev purchase u4 12:03:30.000; ev click u7 12:11:59.999; ev click u2 12:11:00.000; } >"$T/w3.p2"

produce_wave() { # N
  for p in 0 1 2; do
    produce events $p <"$T/w$1.p$p" || not_ok "kcat produced wave $1 into partition $p"
  done
}

# ---- the expected output, from the model -------------------------------------
# run N: $T/runN.want (stdout), $T/runN.pwant (progress lines, see below),
# $T/runN.avg (batch and exact average event time in µs).
python3 - "$T" <<'PY' || not_ok "the model runs"
import sys
sys.path.insert(0, "tests/e2e")
from event_time_model import Seed, kafka_epochs
T = sys.argv[1]
def wave(n):
    return {p: open("%s/w%d.p%d" % (T, n, p)).read().splitlines() for p in range(3)}
def upto(n):  # every partition's records after n waves
    parts = {p: [] for p in range(3)}
    for w in range(1, n + 1):
        for p, recs in wave(w).items():
            parts[p] += recs
    return parts
seed, start = Seed(), {0: 0, 1: 0, 2: 0}
for run, (waves, limit) in enumerate([(1, None), (2, None), (3, 4), (3, None)], 1):
    parts = upto(waves)
    epochs = kafka_epochs(parts, start, limit)
    if epochs:
        start = epochs[-1][0]
    res = seed.run(epochs)
    with open("%s/run%d.want" % (T, run), "w") as f:
        f.write("".join(e["console"] for e in res))
    with open("%s/run%d.pwant" % (T, run), "w") as f:
        for e in res:
            f.write(("batch %(batchId)d: input %(numInputRows)d malformed %(numMalformedRecords)d"
                     " watermark %(watermark)s min %(min)s max %(max)s dropped"
                     " %(numRowsDroppedByWatermark)d total %(numRowsTotal)d updated"
                     " %(numRowsUpdated)d removed %(numRowsRemoved)d output %(numOutputRows)d"
                     " ends %(ends)s\n") % dict(e, ends=" ".join(
                         "%d:%d" % kv for kv in sorted(e["endOffsets"].items()))))
    with open("%s/run%d.avg" % (T, run), "w") as f:
        for e in res:
            f.write("%d %s\n" % (e["batchId"], e["avg_us"]))
PY

# progress_lines FILE: weir's progress in the model's .pwant format
progress_lines() {
  python3 - "$1" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    ops = [o for o in r["stateOperators"] if o["operatorName"] == "counts"]
    c = ops[0] if ops else {}
    src = r["sources"][0]
    ends = []
    for p, v in sorted((src.get("endOffset") or {}).get("events", {}).items(),
                       key=lambda kv: int(kv[0])):
        ends.append("%s:%d" % (p, v[-1] if isinstance(v, list) else v))
    et = r["eventTime"]
    inp = r["numInputRows"] if r["numInputRows"] == src["numInputRows"] else \
        "%d (source %d)" % (r["numInputRows"], src["numInputRows"])
    print("batch %d: input %s malformed %d watermark %s min %s max %s dropped %s"
          " total %s updated %s removed %s output %d ends %s" % (
          r["batchId"], inp, r.get("numMalformedRecords", 0), et.get("watermark"),
          et.get("min"), et.get("max"), c.get("numRowsDroppedByWatermark"),
          c.get("numRowsTotal"), c.get("numRowsUpdated"), c.get("numRowsRemoved"),
          r["sink"]["numOutputRows"], " ".join(ends)))
PY
}

# check_avg N: eventTime.avg of run N within 1 ms of the exact average
# (weir and Spark sum µs timestamps in a double: a few µs of rounding).
check_avg() {
  python3 - "$T/run$1.progress" "$T/run$1.avg" <<'PY'
import datetime, json, sys
want = dict(l.split() for l in open(sys.argv[2]))
bad = 0
for l in open(sys.argv[1]):
    r = json.loads(l)
    w, got = want.get(str(r["batchId"])), r["eventTime"].get("avg")
    if w in (None, "None") or got is None:
        ok = (w in (None, "None")) == (got is None)
    else:
        t = datetime.datetime.strptime(got, "%Y-%m-%dT%H:%M:%S.%fZ")
        ms = (t - datetime.datetime(1970, 1, 1)) // datetime.timedelta(milliseconds=1)
        ok = abs(ms * 1000 - float(w)) <= 1000
    if not ok:
        print("batch %s: avg %s, exact %s us" % (r["batchId"], got, w))
        bad = 1
sys.exit(bad)
PY
}

# run_seed N INI: one available-now run of the seed; compares its stdout and
# progress with the model's.
run_seed() {
  KAFKA_BOOTSTRAP="$BS" run_weir "$2" --progress "$T/run$1.progress" >"$T/run$1.out"
  rc=$?
  cp "$2.err" "$T/run$1.err"
  expect_eq "run $1: exits 0" 0 $rc
  [ $rc -eq 0 ] || tail -5 "$T/run$1.err"
  if grep -q -E 'Sanitizer|runtime error:' "$T/run$1.err"; then
    not_ok "run $1: no sanitizer report"; grep -m5 -E 'Sanitizer|runtime error:' "$T/run$1.err"
  fi
  touch "$T/run$1.progress"
  expect_file "run $1: the console output, exactly the model's" "$T/run$1.want" "$T/run$1.out"
  progress_lines "$T/run$1.progress" >"$T/run$1.pgot"
  expect_file "run $1: progress, epoch by epoch, as the model's" "$T/run$1.pwant" "$T/run$1.pgot"
  check_avg "$1" && ok "run $1: eventTime.avg within 1 ms of the exact average" \
    || not_ok "run $1: eventTime.avg within 1 ms of the exact average"
}

# ---- run 1 --------------------------------------------------------------------
produce_wave 1
expect_eq "the broker holds wave 1 (5 + 4 + 5 records)" "0:5 1:4 2:5" \
  "$(consume events -f '%p\n' | sort | uniq -c | awk '{printf "%s%s:%s", (NR > 1 ? " " : ""), $2, $1}')"
run_seed 1 "$T/seed.ini"
expect_eq "run 1: epochs 0 (data) and 1 (no-data, for the new watermark)" "0 1" \
  "$(grep '^Batch: ' "$T/run1.out" | cut -d' ' -f2 | xargs)"
expect_grep "run 1: the malformed records are logged" \
  "malformed record in row .* of epoch 0 (kept as nulls)" "$T/run1.err"

# ---- run 2 --------------------------------------------------------------------
produce_wave 2
run_seed 2 "$T/seed.ini"
expect_grep "run 2: resumes from the checkpoint" "resuming from checkpoint" "$T/run2.err"
expect_eq "run 2: epochs 2 and 3" "2 3" "$(grep '^Batch: ' "$T/run2.out" | cut -d' ' -f2 | xargs)"

# ---- run 3 --------------------------------------------------------------------
produce_wave 3
run_seed 3 "$T/seed-limit.ini"
expect_eq "run 3: epochs 4, 5, 6 (4 records each), no trailing no-data epoch" "4 5 6" \
  "$(grep '^Batch: ' "$T/run3.out" | cut -d' ' -f2 | xargs)"

# ---- run 4 --------------------------------------------------------------------
run_seed 4 "$T/seed.ini"
expect_eq "run 4: nothing new, no epoch" "0 0" \
  "$(nlines "$T/run4.out") $(nlines "$T/run4.progress")"

# The model's cases really happened (a guard against a data edit that
# silently removes what this test is about).
cat "$T"/run[1-4].pwant >"$T/all.pwant"
expect_eq "the data covers: late rows, malformed records, no-data epochs" "yes" \
  "$(awk '/dropped [1-9]/ {d++} /malformed [1-9]/ {m++} /input 0 / {n++}
          END {print (d >= 3 && m >= 3 && n >= 2) ? "yes" : "no"}' "$T/all.pwant")"

finish
