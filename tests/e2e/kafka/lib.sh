# tests/e2e/kafka/lib.sh — helpers for the Kafka end-to-end tests
# (tests/e2e/kafka_*.sh): a private weir-kafka-broker per test script on
# 127.0.0.1 (ports picked by the mock cluster), kcat as the independent
# client, every client call under a time limit, and cleanup on exit.
. tests/e2e/lib.sh
BROKER="$TOP/$BUILD/bin/weir-kafka-broker"
GEN="$TOP/$BUILD/bin/weir-gen"
KPY="$TOP/tests/e2e/kafka/tools.py"
BROKER_PID=
WEIR_PIDS=
trap 'kafka_cleanup' EXIT

kafka_cleanup() {
  for p in $WEIR_PIDS; do kill -9 "$p" 2>/dev/null; done
  [ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null && wait "$BROKER_PID" 2>/dev/null
  rm -rf "$T"
}

if ! command -v kcat >/dev/null; then
  echo "ok kafka tests skipped: kcat is not installed (scripts/deps.sh installs it)"
  exit 0
fi

# start_broker [--brokers N] [--topic NAME:P]... — sets BS (bootstrap).
start_broker() {
  BD="$T/broker"
  mkdir -p "$BD"
  rm -f "$BD/bs"
  "$BROKER" --bootstrap-file "$BD/bs" --control "$BD/ctl" "$@" \
    >"$BD/out" 2>"$BD/err" </dev/null &
  BROKER_PID=$!
  i=0
  while [ ! -s "$BD/bs" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  BS=$(cat "$BD/bs" 2>/dev/null)
  [ -n "$BS" ] || { echo "broker did not start"; cat "$BD/err"; exit 1; }
}

# broker_cmd WORDS — a control command; waits for the broker's answer.
broker_cmd() {
  n=$(grep -c "" "$BD/out")
  timeout 5 sh -c "echo '$*' > '$BD/ctl'"
  i=0
  while [ "$(grep -c "" "$BD/out")" -le "$n" ] && [ $i -lt 50 ]; do
    sleep 0.1; i=$((i + 1))
  done
  tail -1 "$BD/out"
}

# kc ARGS — kcat with the broker and a time limit.
kc() { timeout 30 kcat -b "$BS" "$@"; }

# produce TOPIC PARTITION [kcat args] < lines — one message per line.
produce() {
  t=$1; p=$2; shift 2
  kc -P -t "$t" -p "$p" "$@"
}

# consume TOPIC [kcat args] — everything, as "partition offset key value".
consume() {
  t=$1; shift
  kc -C -t "$t" -e -q -o beginning -f '%p %o %k %s\n' "$@"
}

# run_weir INI [args] — runs weir (time limit 120 s), stderr to INI.err.
run_weir() {
  ini=$1; shift
  timeout 120 "$WEIR" run "$ini" "$@" 2>"$ini.err"
}

# start_weir INI OUT [args] — in the background; sets WPID.
start_weir() {
  ini=$1; out=$2; shift 2
  "$WEIR" run "$ini" "$@" >"$out" 2>"$ini.err" &
  WPID=$!
  WEIR_PIDS="$WEIR_PIDS $WPID"
}

# wait_lines FILE N [SECONDS] — until FILE has at least N lines.
nlines() { cat "$1" 2>/dev/null | grep -c ""; }
wait_lines() {
  i=0; lim=$((${3:-30} * 10))
  while [ "$(nlines "$1")" -lt "$2" ] && [ $i -lt $lim ]; do
    sleep 0.1; i=$((i + 1))
  done
  [ "$(nlines "$1")" -ge "$2" ]
}

# rows FILE — weir's console json lines as "partition offset key value",
# sorted by partition and offset (the columns p, o, k, v).
rows() { python3 "$KPY" rows "$1"; }
