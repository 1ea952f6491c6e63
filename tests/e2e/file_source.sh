# The file source end to end: ordering, latest_first and the per-epoch
# limits under available-now, max_file_age across a restart, files that
# arrive while a query runs (written atomically: temp name, then mv),
# malformed lines under each mode with their counts in progress, csv
# options, gzip input, clean_source, files bigger than the read buffer, a
# file sink's log, and a file never read twice across restarts. Output
# through the console sink's json format, compared exactly.
. tests/e2e/lib.sh

NOW=$(date +%s)
IN="$T/in"
mkdir -p "$IN"

# put NAME MTIME_SECONDS TEXT: writes a file atomically with that mtime.
put() {
  printf '%b' "$3" >"$IN/.$1.tmp"
  touch -d "@$2" "$IN/.$1.tmp"
  mv "$IN/.$1.tmp" "$IN/$1"
}

# query TRIGGER SOURCE_OPTIONS...: the topology, file source → console json.
query() {
  trig=$1
  shift
  {
    printf '[query]\nname = fs\ntrigger = %s\n' "$trig"
    [ -n "${CKPT:-}" ] && printf 'checkpoint = %s\n' "$CKPT"
    printf '[source.f]\nplugin = file\npath = %s\n' "$IN"
    for o in "$@"; do printf '%s\n' "$o"; done
    printf '[sink.out]\nplugin = console\ninput = f\nformat = json\n'
  } >"$T/q.ini"
}

run() { # run NAME: runs q.ini, output in $T/NAME.out/.err/.progress
  "$WEIR" run "$T/q.ini" --progress "$T/$1.progress" >"$T/$1.out" 2>"$T/$1.err"
  echo $? >"$T/$1.rc"
}

expect_out() { # expect_out NAME TEST  (expected text on stdin)
  cat >"$T/$1.expected"
  expect_file "$2" "$T/$1.expected" "$T/$1.out"
}

# ---- ordering, ties by name, max_files_per_trigger ---------------------
put a.txt $((NOW - 300)) 'a\n'
put c.txt $((NOW - 200)) 'c\n'
put b.txt $((NOW - 200)) 'b\n'
put d.txt $((NOW - 100)) 'd1\nd2'
query available-now "format = text" "max_files_per_trigger = 2"
run order
expect_eq "order: exits 0" 0 "$(cat "$T/order.rc")"
expect_out order "oldest first, ties by name, 2 files per epoch" <<'OUT'
{"epoch":0,"value":"a"}
{"epoch":0,"value":"b"}
{"epoch":1,"value":"c"}
{"epoch":1,"value":"d1"}
{"epoch":1,"value":"d2"}
OUT
expect_grep "order: the offset lists the epoch's files" \
  "\"endOffset\":{\"logOffset\":1,\"files\":\[\[\"$IN/c.txt\",2,$(((NOW - 200) * 1000000))\]" \
  "$T/order.progress"

query available-now "format = text" "max_files_per_trigger = 3" "latest_first = true"
run latest
expect_out latest "latest_first takes the newest files first" <<'OUT'
{"epoch":0,"value":"d1"}
{"epoch":0,"value":"d2"}
{"epoch":0,"value":"c"}
{"epoch":0,"value":"b"}
{"epoch":1,"value":"a"}
OUT

query available-now "format = text" "max_bytes_per_trigger = 4"
run bytes
expect_out bytes "max_bytes_per_trigger: files while they fit, at least one" <<'OUT'
{"epoch":0,"value":"a"}
{"epoch":0,"value":"b"}
{"epoch":1,"value":"c"}
{"epoch":2,"value":"d1"}
{"epoch":2,"value":"d2"}
OUT
rm -f "$IN"/*

# ---- max_file_age and restarts (a file is read once) -------------------
CKPT="$T/ck-age"
put new1.txt $((NOW - 60)) 'new1\n'
put old1.txt $((NOW - 30 * 86400)) 'old1\n'
query available-now "format = text" "max_file_age = 7 days"
run age1
expect_out age1 "max_file_age: the first epoch takes every file" <<'OUT'
{"epoch":0,"value":"old1"}
{"epoch":0,"value":"new1"}
OUT
put old2.txt $((NOW - 20 * 86400)) 'old2\n'
put late.txt $((NOW - 3600)) 'late\n'
put new2.txt $((NOW - 10)) 'new2\n'
run age2
expect_out age2 "then files older than 7 days before the newest are skipped; an older mtime within it is read" <<'OUT'
{"epoch":1,"value":"late"}
{"epoch":1,"value":"new2"}
OUT
run age3
expect_out age3 "a restart reads no file twice" </dev/null
expect_eq "a restart with nothing new exits 0" 0 "$(cat "$T/age3.rc")"
unset CKPT
rm -f "$IN"/*

# ---- files arriving while the query runs --------------------------------
query default "format = text"
"$WEIR" run "$T/q.ini" >"$T/live.out" 2>"$T/live.err" &
pid=$!
wait_lines() { # wait_lines N: until live.out has N lines (10 s at most)
  i=0
  while [ "$(wc -l <"$T/live.out")" -lt "$1" ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
  done
}
sleep 0.3
put live1.txt $((NOW - 5)) 'one\n'
wait_lines 1
put live2.txt $((NOW - 4)) 'two\nthree\n'
wait_lines 3
put older.txt $((NOW - 7200)) 'older\n'
wait_lines 4
kill -INT $pid
wait $pid
expect_eq "live: stops cleanly on SIGINT" 0 $?
expect_out live "files are picked up as they arrive, one epoch each" <<'OUT'
{"epoch":0,"value":"one"}
{"epoch":1,"value":"two"}
{"epoch":1,"value":"three"}
{"epoch":2,"value":"older"}
OUT
rm -f "$IN"/*

# ---- malformed lines under each mode -------------------------------------
put bad.json $((NOW - 10)) '{"id":1,"name":"a"}\n{"id":"x","name":"b"}\n\nnot json\n{"id":4}\n'
SCHEMA="schema = id BIGINT, name STRING, _corrupt_record STRING"
query available-now "format = json" "$SCHEMA"
run permissive
expect_out permissive "PERMISSIVE: bad fields null, the line in _corrupt_record" <<'OUT'
{"epoch":0,"id":1,"name":"a","_corrupt_record":null}
{"epoch":0,"id":null,"name":"b","_corrupt_record":"{\"id\":\"x\",\"name\":\"b\"}"}
{"epoch":0,"id":null,"name":null,"_corrupt_record":"not json"}
{"epoch":0,"id":4,"name":null,"_corrupt_record":null}
OUT
expect_grep "PERMISSIVE: malformed lines counted in progress" '"numMalformedRecords":2' "$T/permissive.progress"
expect_grep "PERMISSIVE: each is logged with file and line" "bad.json:4: malformed record" "$T/permissive.err"
query available-now "format = json" "$SCHEMA" "mode = DROPMALFORMED"
run drop
expect_out drop "DROPMALFORMED: malformed lines dropped" <<'OUT'
{"epoch":0,"id":1,"name":"a","_corrupt_record":null}
{"epoch":0,"id":4,"name":null,"_corrupt_record":null}
OUT
expect_grep "DROPMALFORMED: counted" '"numMalformedRecords":2' "$T/drop.progress"
expect_grep "DROPMALFORMED: logged" "bad.json:2: malformed record: .*(dropped)" "$T/drop.err"
query available-now "format = json" "schema = id BIGINT" "mode = failfast"
run failfast
expect_eq "FAILFAST: exits 1" 1 "$(cat "$T/failfast.rc")"
expect_grep "FAILFAST: names the file and line" "bad.json:2: malformed record: .*field \"id\"" "$T/failfast.err"
rm -f "$IN"/*

# ---- csv options ---------------------------------------------------------
put data.csv $((NOW - 10)) 'id;name;at\n1;"x;y";01/02/2026 10:00\n2;NA;\n3;"say ""hi""";31/12/2025 23:59\n4;z;yesterday\n'
query available-now "format = csv" "header = true" "sep = \\;" "null_value = NA" \
  "timestamp_format = %d/%m/%Y %H:%M" "mode = DROPMALFORMED" \
  "schema = id INT, name STRING, at TIMESTAMP"
run csv
expect_out csv "csv: header, sep, quotes, null_value, timestamp_format" <<'OUT'
{"epoch":0,"id":1,"name":"x;y","at":"2026-02-01T10:00:00.000Z"}
{"epoch":0,"id":2,"name":null,"at":null}
{"epoch":0,"id":3,"name":"say \"hi\"","at":"2025-12-31T23:59:00.000Z"}
OUT
expect_grep "csv: a bad timestamp is malformed" "data.csv:5: malformed record: field 3 (at): 'yesterday' is not a valid timestamp" "$T/csv.err"
rm -f "$IN"/*

# ---- gzip ------------------------------------------------------------------
printf '{"id":1}\n{"id":2}\n' | gzip >"$T/x.json.gz"
touch -d "@$((NOW - 10))" "$T/x.json.gz"
mv "$T/x.json.gz" "$IN/x.json.gz"
query available-now "format = json" "schema = id BIGINT"
run gz
expect_out gz ".gz files are read through zlib" <<'OUT'
{"epoch":0,"id":1}
{"epoch":0,"id":2}
OUT
printf 'garbage that is not gzip at all\037\213' >"$IN/y.json.gz"
head -c 20 "$IN/x.json.gz" >"$IN/z.json.gz"
rm -f "$IN/x.json.gz" "$IN/y.json.gz"
run gzbad
expect_eq "a truncated .gz file fails the query" 1 "$(cat "$T/gzbad.rc")"
expect_grep "and names the file" "z.json.gz.*corrupt or truncated" "$T/gzbad.err"
rm -f "$IN"/*

# ---- clean_source ----------------------------------------------------------
put k1.txt $((NOW - 20)) 'k1\n'
put k2.txt $((NOW - 10)) 'k2\n'
query available-now "format = text" "clean_source = archive" "source_archive_dir = $T/archive"
run archive
expect_eq "archive: exits 0" 0 "$(cat "$T/archive.rc")"
expect_eq "archive: the files left the folder" "" "$(ls "$IN")"
expect_eq "archive: under their full path" "k1.txt k2.txt" "$(ls "$T/archive$IN" | tr '\n' ' ' | sed 's/ $//')"
put k3.txt $((NOW - 5)) 'k3\n'
query available-now "format = text" "clean_source = delete"
run delete
expect_out delete "delete: the epoch is read first" <<'OUT'
{"epoch":0,"value":"k3"}
OUT
expect_eq "delete: then the file is gone" "" "$(ls "$IN")"
query available-now "format = text" "clean_source = archive"
run noarchive
expect_eq "archive without source_archive_dir is refused" 2 "$(cat "$T/noarchive.rc")"
expect_grep "with a clear message" "clean_source = archive needs source_archive_dir" "$T/noarchive.err"

# ---- big files: bigger than the read buffer, a longer line, a limit --------
python3 - "$IN/.big.tmp" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(200000):
        f.write('{"id":%d,"name":"name-%d"}\n' % (i, i))
    f.write('{"id":-1,"name":"%s"}\n' % ("x" * 3000000))
    f.write('{"id":200001,"name":"end"}\n')
PY
mv "$IN/.big.tmp" "$IN/big.json"
cat >"$T/big.ini" <<INI
[query]
name = big
trigger = available-now
[source.f]
plugin = file
path = $IN
format = json
schema = id BIGINT, name STRING
[operator.s]
plugin = select
input = f
columns = id, length(name) AS n
where = id < 0 OR id >= 199999
[sink.out]
plugin = console
input = s
format = json
INI
"$WEIR" run "$T/big.ini" --progress "$T/big.progress" >"$T/big.out" 2>"$T/big.err"
expect_eq "big: exits 0" 0 $?
expect_out big "a file and a line bigger than the read buffer are read whole" <<'OUT'
{"epoch":0,"id":199999,"n":11}
{"epoch":0,"id":-1,"n":3000000}
{"epoch":0,"id":200001,"n":3}
OUT
expect_grep "big: every row counted" '"numInputRows":200002' "$T/big.progress"
sed -i 's/^schema = id BIGINT, name STRING$/schema = id BIGINT, name STRING\nmax_record_size = 1 MiB/' "$T/big.ini"
"$WEIR" run "$T/big.ini" --progress "$T/big2.progress" >"$T/big2.out" 2>"$T/big2.err"
expect_grep "max_record_size: a longer line is malformed" "big.json:200001: malformed record: the line is longer than max_record_size" "$T/big2.err"
expect_grep "max_record_size: counted" '"numMalformedRecords":1' "$T/big2.progress"
rm -f "$IN"/*

# ---- round trip through a file sink: only committed files are read -------
cat >"$T/sink.ini" <<INI
[query]
name = sink
trigger = available-now
[source.r]
plugin = rate
rows_per_second = 3
start_timestamp = 2026-01-01T00:00:00Z
max_rows = 3
[sink.w]
plugin = file
input = r
path = $T/sunk
format = json
INI
"$WEIR" run "$T/sink.ini" >"$T/sink.out" 2>"$T/sink.err"
expect_eq "round trip: the file sink writes" 0 $?
printf '{"timestamp":"2026-01-01T00:00:00Z","value":99}\n' >"$T/sunk/part-stray.json"
cat >"$T/q.ini" <<INI
[query]
name = back
trigger = available-now
[source.f]
plugin = file
path = $T/sunk
format = json
schema = timestamp TIMESTAMP, value BIGINT
[sink.out]
plugin = console
input = f
format = json
INI
run sinklog
expect_out sinklog "round trip: the rows come back, and a file the sink's log does not list is skipped" <<'OUT'
{"epoch":0,"timestamp":"2026-01-01T00:00:00.000Z","value":0}
{"epoch":0,"timestamp":"2026-01-01T00:00:00.000Z","value":1}
{"epoch":0,"timestamp":"2026-01-01T00:00:00.000Z","value":2}
OUT

# ---- refused options -------------------------------------------------------
query once "format = parquet"
run parquet
expect_eq "parquet needs a schema (as Spark's streaming file source)" 2 "$(cat "$T/parquet.rc")"
expect_grep "with a message" "schema is required for format = parquet" "$T/parquet.err"
query once "format = csv"
run noschema
expect_grep "csv needs a schema" "schema is required for format = csv" "$T/noschema.err"
sed -i "s|^path = .*|path = $T/missing|" "$T/q.ini"
sed -i "s|^format = csv|format = text|" "$T/q.ini"
run missing
expect_grep "a missing folder is refused" "missing does not exist" "$T/missing.err"

finish
