#!/bin/sh
# examples/kafka-demo.sh — the seed application live: starts a Kafka-protocol
# broker (weir-kafka-broker), feeds it events with weir-gen (some out of
# order, some late), runs examples/events-per-minute.ini for DEMO_SECONDS
# showing the console tables, then stops everything and cleans up.
#   sh examples/kafka-demo.sh [BUILD]          (make demo can call this)
set -u
BUILD=${1:-build}
SECS=${DEMO_SECONDS:-40}
RATE=${DEMO_RATE:-300}
D=$(mktemp -d /tmp/weir-kafka-demo.XXXXXX)
BP=; GP=
cleanup() {
  [ -n "$GP" ] && kill "$GP" 2>/dev/null
  [ -n "$BP" ] && kill "$BP" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$D"
}
trap cleanup EXIT INT TERM

"$BUILD/bin/weir-kafka-broker" --topic events:4 --bootstrap-file "$D/bs" \
  >/dev/null 2>"$D/broker.err" </dev/null &
BP=$!
i=0; while [ ! -s "$D/bs" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$D/bs" ] || { echo "kafka demo: the broker did not start" >&2; cat "$D/broker.err" >&2; exit 1; }
echo "kafka demo: broker at $(cat "$D/bs"), $RATE events/s (3% late), running for ${SECS}s" >&2

"$BUILD/bin/weir-gen" --bootstrap-file "$D/bs" -t events -r "$RATE" \
  >/dev/null 2>"$D/gen.err" &
GP=$!

sed "s|^checkpoint .*|checkpoint  = $D/checkpoint|" examples/events-per-minute.ini >"$D/app.ini"
KAFKA_BOOTSTRAP=$(cat "$D/bs") timeout -s INT "$SECS" "$BUILD/bin/weir" run "$D/app.ini"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 124 ] || { echo "kafka demo: weir exited $rc" >&2; exit $rc; }
kill "$GP" 2>/dev/null; wait "$GP" 2>/dev/null; GP=
cat "$D/gen.err" >&2
echo "kafka demo: done (weir stopped cleanly on SIGINT; broker stopped)" >&2
