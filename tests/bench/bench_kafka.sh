# bench_kafka.sh — weir's Kafka plugins beside kcat, in the same run and
# against the same weir-kafka-broker (the mock cluster is the ceiling and
# varies from run to run, so only figures of one run compare):
#   consume: (a) kcat -C to /dev/null, (b) weir kafka → null,
#            (c) weir kafka → json → watermark → 1-minute window count → null
#   produce: kcat -P, weir rate → kafka (at-least-once), (exactly_once)
# Each is run ROUNDS times, interleaved; the median and best are printed in
# messages/s, with peak memory. N events of ~85 bytes (JSON like the seed's).
set -u
BUILD=${BUILD:-build}
WEIR=${WEIR:-$PWD/$BUILD/bin/weir}
export WEIR_PLUGIN_PATH="$PWD/$BUILD/plugins"
N=${N:-500000}
ROUNDS=${ROUNDS:-3}
PARTS=${PARTS:-16}
T=$(mktemp -d /tmp/weir-bench-kafka.XXXXXX)
# One topic per produce run: the mock keeps ~5 MiB per partition.
topics="--topic ev:$PARTS"
r=0
while [ $r -lt "$ROUNDS" ]; do
  r=$((r + 1))
  topics="$topics --topic kp$r:$PARTS --topic out$r:$PARTS --topic eo$r:$PARTS"
done
# shellcheck disable=SC2086
"$PWD/$BUILD/bin/weir-kafka-broker" $topics --bootstrap-file "$T/bs" \
  >/dev/null 2>&1 </dev/null &
BP=$!
trap 'kill $BP 2>/dev/null; wait $BP 2>/dev/null; rm -rf "$T"' EXIT
i=0; while [ ! -s "$T/bs" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
BS=$(cat "$T/bs")
KX="-X fetch.wait.max.ms=10 -X fetch.max.bytes=67108864 -X fetch.message.max.bytes=4194304"

python3 - "$N" >"$T/ev.jsonl" <<'PY'
import random, sys
random.seed(1)
types = ["view", "view", "view", "click", "click", "purchase", "signup"]
for i in range(int(sys.argv[1])):
    s = i // 10
    print('{"event_type":"%s","user_id":"u%d","timestamp":"2026-01-01T%02d:%02d:%02d.%03dZ"}'
          % (random.choice(types), random.randrange(1000), s // 3600 % 24, s // 60 % 60, s % 60, i % 1000))
PY
bytes=$(wc -c <"$T/ev.jsonl")

# timed NAME CMD... — appends "seconds peak-KB" of one run to $T/NAME
timed() {
  name=$1; shift
  /usr/bin/time -f "%e %M" -o "$T/t" "$@" >/dev/null 2>"$T/err" || { echo "($name failed)"; tail -3 "$T/err"; }
  cat "$T/t" >>"$T/$name"
}
report() { # NAME LABEL
  python3 - "$T/$1" "$N" "$2" <<'PY'
import sys
runs = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
n = int(sys.argv[2])
secs = sorted(r[0] for r in runs)
med = secs[len(secs) // 2]
mem = max(r[1] for r in runs) / 1024
print("%-44s median %9.0f msg/s  best %9.0f msg/s  (%.2f s, %3.0f MB peak)"
      % (sys.argv[3], n / max(med, 1e-3), n / max(secs[0], 1e-3), med, mem))
PY
}

cat >"$T/null.ini" <<INI
[query]
trigger = available-now
[source.raw]
plugin                  = kafka
kafka.bootstrap.servers = $BS
subscribe               = ev
starting_offsets        = earliest
[sink.out]
plugin = null
input  = raw
INI
cat >"$T/window.ini" <<INI
[query]
trigger     = available-now
output_mode = update
[source.raw]
plugin                  = kafka
kafka.bootstrap.servers = $BS
subscribe               = ev
starting_offsets        = earliest
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
[sink.out]
plugin = null
input  = counts
INI
produce_ini() { # TOPIC EXTRA
  cat <<INI
[query]
trigger = available-now
[source.r]
plugin          = rate
rows_per_second = 1000000000
start_timestamp = 2026-01-01T00:00:00Z
max_rows        = $N
[operator.s]
plugin  = select
input   = r
columns = concat('{"event_type":"view","user_id":"u', CAST(value % 1000 AS STRING), '","timestamp":"', CAST(timestamp AS STRING), '"}') AS value
[sink.k]
plugin                  = kafka
input                   = s
kafka.bootstrap.servers = $BS
topic                   = $1
$2
INI
}

echo "kafka bench: $N events, $bytes bytes, $PARTS partitions, $ROUNDS rounds (broker: weir-kafka-broker)"
timeout 120 kcat -P -b "$BS" -t ev -X sticky.partitioning.linger.ms=0 -l "$T/ev.jsonl"
r=0
while [ $r -lt "$ROUNDS" ]; do
  r=$((r + 1))
  timed kcat_c timeout 120 kcat -C -b "$BS" -t ev -e -q -o beginning $KX -f '%s\n'
  timed weir_null timeout 120 "$WEIR" run "$T/null.ini" -q
  timed weir_window timeout 120 "$WEIR" run "$T/window.ini" -q
done
echo "-- consume"
report kcat_c "(a) kcat -C > /dev/null"
report weir_null "(b) weir kafka -> null"
report weir_window "(c) weir kafka -> json -> window count -> null"
r=0
while [ $r -lt "$ROUNDS" ]; do
  r=$((r + 1))
  timed kcat_p timeout 120 kcat -P -b "$BS" -t kp$r -X sticky.partitioning.linger.ms=0 -l "$T/ev.jsonl"
  produce_ini out$r "" >"$T/prod.ini"
  timed weir_prod timeout 120 "$WEIR" run "$T/prod.ini" -q
  produce_ini eo$r "exactly_once = true" >"$T/prodeo.ini"
  timed weir_prodeo timeout 120 "$WEIR" run "$T/prodeo.ini" -q
done
echo "-- produce"
report kcat_p "kcat -P (sticky.partitioning.linger.ms=0)"
report weir_prod "weir rate -> json text -> kafka"
report weir_prodeo "weir rate -> json text -> kafka, exactly_once"
# Sanity: what the weir runs wrote is all there (figures of a run that lost
# messages would mean nothing).
got=$(timeout 60 kcat -C -b "$BS" -t out1 -e -q -o beginning $KX -f '.\n' | wc -l)
goteo=$(timeout 60 kcat -C -b "$BS" -t eo1 -e -q -o beginning $KX -X isolation.level=read_committed -f '.\n' | wc -l)
echo "(checked: out1 holds $got messages, eo1 $goteo, of $N each)"
