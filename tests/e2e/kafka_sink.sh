# The kafka sink against weir-kafka-broker, read back with kcat: key, value
# and partition routing, the topic column and the topic option that wins
# over it, whole rows as JSON, headers through a source and a sink, refused
# topologies, delivery failures that fail the epoch, and what a re-run of a
# committed epoch does: written again (at-least-once) or skipped
# (exactly_once = true).
. tests/e2e/kafka/lib.sh

start_broker --topic s1:2 --topic tc0:1 --topic tc1:1 --topic sA:1 \
  --topic js:1 --topic hin:1 --topic hout:1 --topic eo:2 --topic al:2 \
  --topic one:1

# rateq DIR COLUMNS SINK-OPTIONS [ROWS] [ROWS-PER-EPOCH] — rate → select → kafka
rateq() {
  mkdir -p "$1"
  cat >"$1/q.ini" <<INI
[query]
trigger    = available-now
checkpoint = $1/ckpt
[source.r]
plugin               = rate
rows_per_second      = 1000000000
start_timestamp      = 2020-01-01T00:00:00Z
max_rows             = ${4:-20}
max_rows_per_trigger = ${5:-7}
[operator.s]
plugin  = select
input   = r
columns = $2
[sink.k]
plugin                  = kafka
input                   = s
kafka.bootstrap.servers = $BS
$3
INI
}

# ---- key, value, partition ----------------------------------------------------
rateq "$T/route" "CAST(value AS STRING) AS value, concat('k', CAST(value % 3 AS STRING)) AS key, value % 2 AS partition" "topic = s1"
run_weir "$T/route/q.ini" >/dev/null
expect_eq "rate → kafka exits 0" 0 $?
consume s1 -f '%p %k %s\n' | sort -n -k3 >"$T/route.got"
python3 -c 'for v in range(20): print(v % 2, "k%d" % (v % 3), v)' >"$T/route.want"
expect_file "each row: key, value and partition as its columns say" "$T/route.want" "$T/route.got"
consume s1 -f '%p %o %s\n' | sort -n -k1 -k2 | awk '$1 == 0 {print $3}' | tr '\n' ' ' >"$T/route.order"
expect_eq "rows keep their order within a partition" "0 2 4 6 8 10 12 14 16 18 " "$(cat "$T/route.order")"

# ---- topic column, and the option that wins over it ----------------------------------
rateq "$T/tcol" "CAST(value AS STRING) AS value, concat('tc', CAST(value % 2 AS STRING)) AS topic" ""
run_weir "$T/tcol/q.ini" >/dev/null
expect_eq "a topic column routes rows (even → tc0)" "0 2 4 6 8 10 12 14 16 18" \
  "$(consume tc0 -f '%s\n' | sort -n | tr '\n' ' ' | sed 's/ $//')"
expect_eq "(odd → tc1)" 10 "$(consume tc1 | grep -c "")"
rateq "$T/topt" "CAST(value AS STRING) AS value, concat('tc', CAST(value % 2 AS STRING)) AS topic" "topic = sA"
run_weir "$T/topt/q.ini" >/dev/null
expect_eq "the topic option wins over the column" "20 10 10" \
  "$(consume sA | grep -c "") $(consume tc0 | grep -c "") $(consume tc1 | grep -c "")"

# ---- whole rows as JSON ---------------------------------------------------------------
rateq "$T/json" "timestamp, value AS n, concat('k', CAST(value AS STRING)) AS key" "topic = js
value_format = json" 3
run_weir "$T/json/q.ini" >/dev/null
consume js -f '%k %s\n' >"$T/json.got"
cat >"$T/json.want" <<'EOF'
k0 {"timestamp":"2020-01-01T00:00:00.000Z","n":0,"key":"k0"}
k1 {"timestamp":"2020-01-01T00:00:00.000Z","n":1,"key":"k1"}
k2 {"timestamp":"2020-01-01T00:00:00.000Z","n":2,"key":"k2"}
EOF
expect_file "value_format = json: the row as a JSON object" "$T/json.want" "$T/json.got"

# ---- headers through source and sink ---------------------------------------------------
printf 'v1\nv2\n' | produce hin 0 -H a=1 -H b=xyz
cat >"$T/hdr.ini" <<INI
[query]
trigger = available-now
[source.raw]
plugin                  = kafka
kafka.bootstrap.servers = $BS
subscribe               = hin
starting_offsets        = earliest
include_headers         = true
[operator.s]
plugin  = select
input   = raw
columns = value, key, headers
[sink.k]
plugin                  = kafka
input                   = s
kafka.bootstrap.servers = $BS
topic                   = hout
INI
run_weir "$T/hdr.ini" >/dev/null
expect_eq "headers, key and value arrive as kcat sent them" "a=1,b=xyz v1|a=1,b=xyz v2|" \
  "$(consume hout -f '%h %s|')"

# ---- refused topologies ------------------------------------------------------------------
rateq "$T/nov" "CAST(value AS STRING) AS valu" "topic = s1"
run_weir "$T/nov/q.ini" >/dev/null
expect_eq "no value column is refused (exit 2)" 2 $?
expect_grep "with a suggestion" "writes the column 'value' (STRING or BINARY) — did you mean 'valu'?" "$T/nov/q.ini.err"
rateq "$T/notopic" "CAST(value AS STRING) AS value" ""
run_weir "$T/notopic/q.ini" >/dev/null
expect_grep "no topic is refused" "no topic: set the topic option or give the rows a 'topic' column" "$T/notopic/q.ini.err"
rateq "$T/eomark" "CAST(value AS STRING) AS value, 'tc0' AS topic" "exactly_once = true"
run_weir "$T/eomark/q.ini" >/dev/null
expect_grep "exactly_once with a topic column needs marker_topic" "exactly_once with a topic column needs marker_topic" "$T/eomark/q.ini.err"
rateq "$T/txid" "CAST(value AS STRING) AS value" "topic = s1
kafka.transactional.id = x"
run_weir "$T/txid/q.ini" >/dev/null
expect_grep "kafka.transactional.id is refused" "kafka.transactional.id cannot be set: the plugin owns it (use exactly_once = true" "$T/txid/q.ini.err"
rateq "$T/vint" "value" "topic = s1"
run_weir "$T/vint/q.ini" >/dev/null
expect_grep "a value of another type is refused" "column 'value' is bigint; the kafka sink needs string or binary" "$T/vint/q.ini.err"

# ---- a delivery that fails fails the epoch ------------------------------------------------
rateq "$T/fail" "CAST(value AS STRING) AS value, 5 AS partition" "topic = one"
run_weir "$T/fail/q.ini" >/dev/null
expect_eq "a message the broker cannot take fails the query" 1 $?
expect_grep "with the reason" "Unknown partition" "$T/fail/q.ini.err"
[ -f "$T/fail/ckpt/commits/0" ] && not_ok "the failed epoch is not committed" || ok "the failed epoch is not committed"

# ---- a re-run of a committed epoch ------------------------------------------------------------
# Kafka has the epoch, the checkpoint does not (a crash between the sink's
# commit and commits/N): remove the last commits/N and run again.
for mode in al eo; do
  extra=""
  [ $mode = eo ] && extra="exactly_once = true"
  rateq "$T/$mode" "CAST(value AS STRING) AS value" "topic = $mode
$extra" 1000 300
  run_weir "$T/$mode/q.ini" >/dev/null
  expect_eq "$mode: 1000 rows in 4 epochs" "0 1000" "$?$(consume $mode -X isolation.level=read_committed | grep -c "" | sed 's/^/ /')"
  rm "$T/$mode/ckpt/commits/3"
  run_weir "$T/$mode/q.ini" >/dev/null
  expect_eq "$mode: the re-run succeeds" 0 $?
  consume $mode -X isolation.level=read_committed -f '%s\n' | sort -n | uniq -c | awk '{print $1}' | sort | uniq -c | awk '{print $1 "x" $2}' | tr '\n' ' ' >"$T/$mode.dups"
done
expect_eq "at-least-once: the re-run epoch (rows 900..999) is written again" "900x1 100x2 " "$(cat "$T/al.dups")"
expect_eq "exactly_once: the re-run epoch is skipped, every row once" "1000x1 " "$(cat "$T/eo.dups")"
expect_grep "and says so" "epoch 3 is already committed to Kafka (transactional.id weir-k-" "$T/eo/q.ini.err"
expect_grep "the transactional id derives from the sink name and the query id" \
  "exactly-once: transactional.id weir-k-[0-9a-f-]\{36\}, last committed epoch 3" "$T/eo/q.ini.err"

# A new checkpoint with the same transactional id does not mistake the old
# run's marker for its own.
rateq "$T/eo2" "CAST(value AS STRING) AS value" "topic = eo
exactly_once = true
transactional_id = fixed-id" 10 10
run_weir "$T/eo2/q.ini" >/dev/null
rm -rf "$T/eo2/ckpt"
run_weir "$T/eo2/q.ini" >/dev/null
expect_eq "a fresh query reusing a transactional_id writes its own epochs" 1020 \
  "$(consume eo -X isolation.level=read_committed | grep -c "")"
expect_grep "and says the marker belongs to another run" "holds a committed-epoch marker of another run" "$T/eo2/q.ini.err"

finish
