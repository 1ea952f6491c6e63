# Checkpoint cost: a windowed count at one epoch per second with a durable
# checkpoint vs a temporary one (no fsync), checkpoint bytes per epoch, and
# recovery time for 1 and 10 million groups of state. Prints figures.
set -u
: "${WEIR:=$PWD/build/bin/weir}"
T=$(mktemp -d /tmp/weir-bench-ckpt.XXXXXX)
trap 'rm -rf "$T"' EXIT
SECS=${CKPT_BENCH_SECONDS:-8}

window_query() { # $1 = checkpoint line
cat > "$T/w.ini" <<INI
[query]
trigger     = processing-time 1 second
output_mode = update
$1
[source.r]
plugin          = rate
rows_per_second = 2000000
[operator.e]
plugin  = select
input   = r
columns = timestamp AS ts, CAST(value % 500 AS STRING) AS kind
[operator.wm]
plugin = watermark
input  = e
column = ts
delay  = 10 seconds
[operator.c]
plugin    = aggregate
input     = wm
group_by  = window(ts, 1 minute), kind
aggregate = count
[sink.out]
plugin = null
input  = c
INI
}

# mean processedRowsPerSecond over the epochs after the first two
rate_of() {
  python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][2:]
v = [x["processedRowsPerSecond"] for x in r if "processedRowsPerSecond" in x]
print("%.0f %d" % (sum(v) / max(len(v), 1), len(v)))' "$1"
}

window_query ""
timeout -s INT "$SECS" "$WEIR" run -q "$T/w.ini" --progress "$T/p-temp.json"
window_query "checkpoint = $T/ckpt"
timeout -s INT "$SECS" "$WEIR" run -q "$T/w.ini" --progress "$T/p-durable.json"
set -- $(rate_of "$T/p-temp.json"); temp=$1 n1=$2
set -- $(rate_of "$T/p-durable.json"); durable=$1 n2=$2
epochs=$(ls "$T/ckpt/commits" | wc -l)
bytes=$(du -sb "$T/ckpt" | cut -f1)
echo "checkpoint: windowed count, 2 M rows/s offered, 1 epoch/s: processed $temp rows/s without a durable checkpoint ($n1 epochs), $durable rows/s with one ($n2 epochs)"
python3 -c "import sys; t,d=float(sys.argv[1]),float(sys.argv[2]); print('checkpoint: cost %.1f%% of processing rate' % ((t-d)/t*100 if t else 0))" "$temp" "$durable"
echo "checkpoint: $bytes bytes on disk after $epochs retained epochs (~$((bytes / (epochs > 0 ? epochs : 1))) bytes per epoch, incl. snapshots)"

for groups in 1000000 10000000; do
  rm -rf "$T/g"
  cat > "$T/g.ini" <<INI
[query]
trigger     = available-now
output_mode = update
checkpoint  = $T/g
[source.r]
plugin               = rate
rows_per_second      = 1000000000
start_timestamp      = 2020-01-01T00:00:00Z
max_rows             = $groups
[operator.c]
plugin    = aggregate
input     = r
group_by  = value
aggregate = count
[sink.out]
plugin = null
input  = c
INI
  "$WEIR" run -q "$T/g.ini" || { echo "(state build failed)"; continue; }
  t0=$(date +%s%N)
  "$WEIR" run -q "$T/g.ini"
  t1=$(date +%s%N)
  size=$(du -sb "$T/g/state" | cut -f1)
  echo "checkpoint: restart with $groups groups of state ($((size / 1048576)) MiB on disk): $(( (t1 - t0) / 1000000 )) ms from start to exit"
done
