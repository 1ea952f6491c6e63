# weir writes parquet with the file sink and reads it back with the file
# source (projection in another column order), exactly; only files the
# sink's _weir_log lists are read.
. tests/e2e/lib.sh
cat > "$T/w.ini" <<INI
[query]
trigger = available-now
[source.r]
plugin = rate
rows_per_second = 1000
start_timestamp = 2026-01-01T00:00:00Z
max_rows = 5
max_rows_per_trigger = 3
[operator.s]
plugin = select
input = r
columns = timestamp, value, CAST(value AS STRING) AS s, value * 0.5 AS f
[sink.out]
plugin = file
format = parquet
compression = zstd
path = $T/out
input = s
INI
cat > "$T/r.ini" <<INI
[query]
trigger = available-now
[source.p]
plugin = file
format = parquet
path = $T/out
schema = value BIGINT, s STRING, f DOUBLE, timestamp TIMESTAMP, missing STRING
[sink.out]
plugin = console
input = p
INI
"$WEIR" run -q "$T/w.ini" >/dev/null 2>"$T/e"
expect_eq "file sink writes parquet" 0 $?
# an uncommitted part file (as a crashed attempt leaves) must be ignored
cp "$T/out/part-00000000-0000.parquet" "$T/out/part-00000099-0000.parquet"
"$WEIR" run -q "$T/r.ini" >"$T/out.txt" 2>"$T/e"
expect_eq "file source reads parquet" 0 $?
cat > "$T/expected" <<'OUT'
-------------------------------------------
Batch: 0
-------------------------------------------
+-----+---+---+-------------------+-------+
|value|  s|  f|          timestamp|missing|
+-----+---+---+-------------------+-------+
|    0|  0|0.0|2026-01-01 00:00:00|   null|
|    1|  1|0.5|2026-01-01 00:00:00|   null|
|    2|  2|1.0|2026-01-01 00:00:00|   null|
|    3|  3|1.5|2026-01-01 00:00:00|   null|
|    4|  4|2.0|2026-01-01 00:00:00|   null|
+-----+---+---+-------------------+-------+

OUT
expect_file "rows come back exactly, committed files only" "$T/expected" "$T/out.txt"
printf 'not parquet at all' >"$T/bad.parquet"
mkdir -p "$T/badin" && mv "$T/bad.parquet" "$T/badin/"
sed "s|path = $T/out|path = $T/badin|" "$T/r.ini" >"$T/rb.ini"
"$WEIR" run -q "$T/rb.ini" >/dev/null 2>"$T/e"
expect_eq "a corrupt parquet file fails the epoch" 1 $?
expect_grep "naming the file" "$T/badin/bad.parquet" "$T/e"
finish
