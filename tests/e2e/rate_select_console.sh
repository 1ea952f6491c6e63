# rate -> select -> console under once and available-now, compared exactly.
. tests/e2e/lib.sh

topology() { # $1 = trigger
cat > "$T/q.ini" <<INI
[query]
name    = e2e
trigger = $1

[source.r]
plugin               = rate
rows_per_second      = 5
start_timestamp      = 2026-01-01T00:00:00Z
max_rows             = 12
max_rows_per_trigger = 5

[operator.s]
plugin  = select
input   = r
columns = value, value * 2 AS doubled, timestamp
where   = value % 3 != 1

[sink.out]
plugin = console
input  = s
INI
}

cat > "$T/batch0" <<'OUT'
-------------------------------------------
Batch: 0
-------------------------------------------
+-----+-------+-------------------+
|value|doubled|          timestamp|
+-----+-------+-------------------+
|    0|      0|2026-01-01 00:00:00|
|    2|      4|2026-01-01 00:00:00|
|    3|      6|2026-01-01 00:00:00|
+-----+-------+-------------------+

OUT
cat > "$T/batch12" <<'OUT'
-------------------------------------------
Batch: 1
-------------------------------------------
+-----+-------+-------------------+
|value|doubled|          timestamp|
+-----+-------+-------------------+
|    5|     10|2026-01-01 00:00:01|
|    6|     12|2026-01-01 00:00:01|
|    8|     16|2026-01-01 00:00:01|
|    9|     18|2026-01-01 00:00:01|
+-----+-------+-------------------+

-------------------------------------------
Batch: 2
-------------------------------------------
+-----+-------+-------------------+
|value|doubled|          timestamp|
+-----+-------+-------------------+
|   11|     22|2026-01-01 00:00:02|
+-----+-------+-------------------+

OUT

topology once
"$WEIR" run "$T/q.ini" >"$T/once.out" 2>"$T/once.err"
expect_eq "once exits 0" 0 $?
expect_file "once prints exactly one epoch" "$T/batch0" "$T/once.out"

topology available-now
"$WEIR" run "$T/q.ini" --progress "$T/progress.json" >"$T/an.out" 2>"$T/an.err"
expect_eq "available-now exits 0" 0 $?
cat "$T/batch0" "$T/batch12" >"$T/an.expected"
expect_file "available-now runs every epoch the limits require" "$T/an.expected" "$T/an.out"
expect_eq "progress has one line per epoch" 3 "$(wc -l <"$T/progress.json")"
expect_grep "progress names the batch" '"batchId":2,' "$T/progress.json"
expect_grep "progress counts input rows" '"numInputRows":5,' "$T/progress.json"
expect_grep "progress has the source offsets" '"endOffset":{"start":1767225600000000,"rows":12}' "$T/progress.json"
expect_grep "progress counts sink rows" '"sink":{"description":"console\[out\]","numOutputRows":1}' "$T/progress.json"
python3 - "$T/progress.json" <<'PY' && ok "progress is valid JSON with Spark's fields" || not_ok "progress is valid JSON with Spark's fields"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
need = {"id", "runId", "name", "timestamp", "batchId", "batchDuration",
        "numInputRows", "durationMs", "eventTime", "stateOperators", "sources", "sink"}
assert all(need <= set(r) for r in rows), [need - set(r) for r in rows]
assert [r["batchId"] for r in rows] == [0, 1, 2]
assert [r["numInputRows"] for r in rows] == [5, 5, 2]
assert len({r["id"] for r in rows}) == 1 and rows[0]["name"] == "e2e"
assert rows[0]["sources"][0]["startOffset"] is None
assert rows[1]["sources"][0]["startOffset"] == {"start": 1767225600000000, "rows": 5}
assert "inputRowsPerSecond" not in rows[0]
PY

# json format
cat > "$T/j.ini" <<'INI'
[query]
trigger = once
[source.r]
plugin          = rate
rows_per_second = 2
start_timestamp = 2026-01-01T00:00:00Z
max_rows        = 3
[sink.out]
plugin = console
format = json
input  = r
INI
cat > "$T/j.expected" <<'OUT'
{"epoch":0,"timestamp":"2026-01-01T00:00:00.000Z","value":0}
{"epoch":0,"timestamp":"2026-01-01T00:00:00.000Z","value":1}
{"epoch":0,"timestamp":"2026-01-01T00:00:01.000Z","value":2}
OUT
"$WEIR" run "$T/j.ini" >"$T/j.out" 2>"$T/j.err"
expect_file "console json format" "$T/j.expected" "$T/j.out"

# num_rows cut and truncation of long cells
cat > "$T/n.ini" <<'INI'
[query]
trigger = once
[source.r]
plugin          = rate
rows_per_second = 10
start_timestamp = 2026-01-01T00:00:00Z
max_rows        = 4
[operator.s]
plugin  = select
input   = r
columns = CAST(value AS STRING) AS v, 'abcdefghijklmnopqrstuvwxyz' AS long_text
[sink.out]
plugin   = console
num_rows = 2
input    = s
INI
cat > "$T/n.expected" <<'OUT'
-------------------------------------------
Batch: 0
-------------------------------------------
+---+--------------------+
|  v|           long_text|
+---+--------------------+
|  0|abcdefghijklmnopq...|
|  1|abcdefghijklmnopq...|
+---+--------------------+
only showing top 2 rows

OUT
"$WEIR" run "$T/n.ini" >"$T/n.out" 2>"$T/n.err"
expect_file "console num_rows and truncate" "$T/n.expected" "$T/n.out"
finish
