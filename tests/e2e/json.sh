# The json operator (from_json) through the binary: a test source feeds the
# lines of a file (tests/plugins/json_lines.c), console output compared
# exactly, under each mode, with keep, as, binary input, and load-time errors.
. tests/e2e/lib.sh

LP="$TOP/$BUILD/testplugins/json_lines.so"
cd "$T" || exit 1

printf '%s\n' \
  '{"event_type":"click","user":{"id":"u1","geo":{"cc":"FR"}},"timestamp":"2026-01-01T00:00:05Z","n":1}' \
  '{"event_type":"view","timestamp":1767225610.25,"extra":[{"a":1},null],"n":-3}' \
  'NULL' \
  '{"event_type":"buy","n":1.5,"user":{"id":"u3"}}' \
  '{"event_type":"cut"' \
  '' \
  '{"user":"u5","event_type":7,"n":9223372036854775807}' >in.txt
printf '{"event_type":"bad \377 utf8"}\n' >>in.txt
printf '%s\n' '[1,2]' \
  '{"event_type":"late","timestamp":"2026-01-01 00:01:00","n":null}' >>in.txt

topology() { # $1 = extra lines of the json operator
  cat >q.ini <<INI
[query]
trigger = once
[source.raw]
plugin    = $LP
path      = in.txt
null_line = NULL
[operator.events]
plugin = json
input  = raw
keep   = line
schema = event_type STRING, user STRUCT<id: STRING, geo: STRUCT<cc: STRING>>, timestamp TIMESTAMP, n BIGINT, _corrupt_record STRING
$1
[sink.out]
plugin = console
input  = events
INI
}

# PERMISSIVE (the default): Spark's rows; fields that fit are kept
topology ""
cat >permissive.expected <<'OUT'
-------------------------------------------
Batch: 0
-------------------------------------------
+----+----------+----------+--------------------+-------------------+--------------------+
|line|event_type|      user|           timestamp|                  n|     _corrupt_record|
+----+----------+----------+--------------------+-------------------+--------------------+
|   1|     click|{u1, {FR}}| 2026-01-01 00:00:05|                  1|                null|
|   2|      view|      null|2026-01-01 00:00:...|                 -3|                null|
|   3|      null|      null|                null|               null|                null|
|   4|       buy|{u3, null}|                null|               null|{"event_type":"bu...|
|   5|      null|      null|                null|               null| {"event_type":"cut"|
|   6|      null|      null|                null|               null|                null|
|   7|         7|      null|                null|9223372036854775807|{"user":"u5","eve...|
|   8|      null|      null|                null|               null|{"event_type":"ba...|
|   9|      null|      null|                null|               null|               [1,2]|
|  10|      late|      null| 2026-01-01 00:01:00|               null|                null|
+----+----------+----------+--------------------+-------------------+--------------------+

OUT
"$WEIR" run q.ini >permissive.out 2>permissive.err
expect_eq "permissive exits 0" 0 $?
expect_file "permissive rows, exactly" permissive.expected permissive.out
expect_grep "a bad value is logged with its row, offset and reason" \
  'malformed record in row 4 of epoch 0 (kept as nulls): offset 24: field "n": expected a bigint (an integer in int64 range), found 1.5: {"event_type":"buy"' permissive.err
expect_grep "a syntax error is logged" \
  "row 5 of epoch 0 (kept as nulls): offset 19: expected ',' or '}' after an object member, found the end of the record" permissive.err
expect_grep "invalid UTF-8 is malformed, shown escaped" \
  'row 8 of epoch 0 (kept as nulls): offset 19: invalid UTF-8 (byte 0xff): {"event_type":"bad \\xff utf8"}' permissive.err
expect_eq "every malformed record is logged (5 here)" 5 "$(grep -c 'malformed record in row' permissive.err)"

# DROPMALFORMED: the malformed rows go; null and empty texts are not malformed
topology "mode   = DROPMALFORMED"
cat >drop.expected <<'OUT'
-------------------------------------------
Batch: 0
-------------------------------------------
+----+----------+----------+--------------------+----+---------------+
|line|event_type|      user|           timestamp|   n|_corrupt_record|
+----+----------+----------+--------------------+----+---------------+
|   1|     click|{u1, {FR}}| 2026-01-01 00:00:05|   1|           null|
|   2|      view|      null|2026-01-01 00:00:...|  -3|           null|
|   3|      null|      null|                null|null|           null|
|   6|      null|      null|                null|null|           null|
|  10|      late|      null| 2026-01-01 00:01:00|null|           null|
+----+----------+----------+--------------------+----+---------------+

OUT
"$WEIR" run q.ini >drop.out 2>drop.err
expect_eq "dropmalformed exits 0" 0 $?
expect_file "dropmalformed drops exactly the malformed rows" drop.expected drop.out
expect_grep "dropped records are logged" "row 9 of epoch 0 (dropped): offset 0: expected '{' (a record is a JSON object), found '\['" drop.err

# FAILFAST: the epoch fails, naming the row, the offset and what was expected
topology "mode   = FAILFAST"
"$WEIR" run q.ini >fail.out 2>fail.err
expect_eq "failfast exits 1" 1 $?
expect_grep "failfast names row, offset and expectation" \
  'json: malformed record in row 4 of epoch 0 (column value): offset 24: field "n": expected a bigint (an integer in int64 range), found 1.5. Parse mode: FAILFAST' fail.err
expect_eq "failfast prints no batch" "" "$(cat fail.out)"

# as = data: one struct column, Spark's from_json(...) AS data; console json
cat >q2.ini <<INI
[query]
trigger = once
[source.raw]
plugin    = $LP
path      = in.txt
null_line = NULL
binary    = true
[operator.events]
plugin = json
input  = raw
keep   = line
as     = data
mode   = DROPMALFORMED
schema = event_type STRING, n BIGINT, timestamp TIMESTAMP
[sink.out]
plugin = console
format = json
input  = events
INI
cat >as.expected <<'OUT'
{"epoch":0,"line":1,"data":{"event_type":"click","n":1,"timestamp":"2026-01-01T00:00:05.000Z"}}
{"epoch":0,"line":2,"data":{"event_type":"view","n":-3,"timestamp":"2026-01-01T00:00:10.250Z"}}
{"epoch":0,"line":3,"data":null}
{"epoch":0,"line":6,"data":null}
{"epoch":0,"line":7,"data":{"event_type":"7","n":9223372036854775807,"timestamp":null}}
{"epoch":0,"line":10,"data":{"event_type":"late","n":null,"timestamp":"2026-01-01T00:01:00.000Z"}}
OUT
"$WEIR" run q2.ini >as.out 2>as.err
expect_eq "as + binary input exits 0" 0 $?
expect_file "as gives one struct column (null for null and empty texts)" as.expected as.out
"$WEIR" validate q2.ini >as.validate 2>&1
expect_grep "validate shows the struct column" ' |-- data: struct (nullable = true)' as.validate
expect_grep "validate shows its members" ' |    |-- event_type: string (nullable = true)' as.validate

# several epochs: rows are counted per epoch; a summary past the first five
: >many.txt
for i in 1 2 3 4 5 6 7 8; do echo "{\"n\": \"bad $i\"}" >>many.txt; done
echo '{"n": 1}' >>many.txt
cat >q3.ini <<INI
[query]
trigger = available-now
[source.raw]
plugin                = $LP
path                  = many.txt
max_lines_per_trigger = 2
[operator.events]
plugin = json
input  = raw
schema = n BIGINT
[sink.out]
plugin = console
format = json
input  = events
INI
"$WEIR" run q3.ini >many.out 2>many.err
expect_eq "available-now over five epochs exits 0" 0 $?
expect_grep "rows are numbered within their epoch" 'row 2 of epoch 3 (kept as nulls): offset 6: field "n": expected a bigint' many.err
expect_eq "the last row parses" '{"epoch":4,"n":1}' "$(tail -1 many.out)"
cat >q4.ini <<INI
[query]
trigger = once
[source.raw]
plugin = $LP
path   = many.txt
[operator.events]
plugin = json
input  = raw
schema = n BIGINT
[sink.out]
plugin = null
input  = events
INI
"$WEIR" run q4.ini >/dev/null 2>summary.err
expect_eq "only the first five of an epoch are logged" 5 "$(grep -c 'malformed record in row' summary.err)"
expect_grep "then a summary" 'epoch 0: 8 malformed records in all (the first 5 logged)' summary.err

# load-time errors: exit 2 with a clear message
topology "field  = valeu"
"$WEIR" validate q.ini >bad.out 2>bad.err
expect_eq "an unknown field is a topology error" 2 $?
expect_grep "with a suggestion" "json: field: no input column 'valeu' (did you mean 'value'?)" bad.err
topology "field  = line"
"$WEIR" validate q.ini >bad.out 2>bad.err
expect_grep "the field must be text" "json: field: column 'line' is bigint; the JSON text must be a string or binary column" bad.err
topology ""
sed -i 's/_corrupt_record STRING/_corrupt_record BIGINT/' q.ini
"$WEIR" validate q.ini >bad.out 2>bad.err
expect_grep "the corrupt column must be a string" "json: schema: the corrupt-record column _corrupt_record must be a nullable STRING, not bigint" bad.err
topology ""
sed -i 's/^schema = /schema = line BIGINT, /' q.ini
"$WEIR" validate q.ini >bad.out 2>bad.err
expect_grep "keep and schema columns may not clash" "json: schema column 'line' is also a kept column; drop it from keep or use as = NAME" bad.err
finish
