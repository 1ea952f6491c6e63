#!/bin/sh
# parquet_duckdb.sh — weir's Parquet against an independent engine, DuckDB
# (npm package @duckdb/node-api, installed into $BUILD/npm on first use):
#   1. weir writes files (every type, nulls, structs, each codec, dictionary
#      auto/on/off, several row groups and pages); DuckDB reads each and its
#      rows must equal weir's input exactly, its statistics the data;
#   2. DuckDB writes files (every type, nulls, each codec, dictionary on and
#      off, several row groups, data page v2 with its delta encodings); weir
#      reads each and its rows must equal DuckDB's reading exactly;
#   3. the real binary: file source → file sink with format = parquet, and
#      DuckDB reads the committed part file.
# Without npm or the registry the test says so and skips (exit 0).
. "$(dirname "$0")/lib.sh"
: "${BUILD:=build}"
: "${TOP:=$PWD}"
TOOL="$TOP/$BUILD/testtools/parquet_tool"
NPM_DIR="$TOP/$BUILD/npm"

if [ ! -d "$NPM_DIR/node_modules/@duckdb/node-api" ]; then
  if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "skip: node/npm not installed: the DuckDB cross-checks did not run"
    exit 0
  fi
  if ! timeout 300 npm install --prefix "$NPM_DIR" --no-audit --no-fund \
      @duckdb/node-api >"$T/npm.log" 2>&1; then
    echo "skip: cannot install @duckdb/node-api from npm (offline?):"
    tail -3 "$T/npm.log"
    exit 0
  fi
fi
# ES modules resolve packages next to the script: run it from there.
cp "$TOP/tests/e2e/parquet_duckdb.mjs" "$NPM_DIR/"
DUCK="node $NPM_DIR/parquet_duckdb.mjs"

# 1. weir writes, DuckDB reads.
mkdir -p "$T/weir"
if "$TOOL" cases "$T/weir" >"$T/cases.log" 2>&1; then ok "weir writes the cases"; else
  not_ok "weir writes the cases"; cat "$T/cases.log"
fi
$DUCK check "$T/weir" >"$T/check.log" 2>&1
cat "$T/check.log"
n=$(grep -c '^ok ' "$T/check.log")
[ "$n" -ge 12 ] || not_ok "duckdb checked only $n of 12"
grep -q '^not ok' "$T/check.log" && fails=$((fails + 1))

# 2. DuckDB writes, weir reads.
mkdir -p "$T/duck"
if $DUCK write "$T/duck" >"$T/write.log" 2>&1; then cat "$T/write.log"; else
  not_ok "duckdb writes its cases"; cat "$T/write.log"
fi
for f in "$T"/duck/*.parquet; do
  [ -f "$f" ] || continue
  name=$(basename "$f" .parquet)
  if "$TOOL" dump "$f" >"$T/duck/$name.weir" 2>"$T/duck/$name.err"; then
    expect_file "weir reads $name" "$T/duck/$name.expected" "$T/duck/$name.weir"
  else
    not_ok "weir reads $name"; cat "$T/duck/$name.err"
  fi
done

# 3. The file sink in a topology, read back by DuckDB.
mkdir -p "$T/in"
cat >"$T/in/a.json" <<'EOF'
{"k":"a","n":1,"ts":"2026-01-01T00:00:01Z","x":0.5}
{"k":"b","n":2,"ts":"2026-01-01T00:00:02Z"}
{"k":null,"n":3,"ts":"2026-01-01T00:00:03.25Z","x":-1}
EOF
cat >"$T/sink.ini" <<EOF
[query]
name       = pq-sink
trigger    = once
checkpoint = $T/ck
[source.in]
plugin = file
path   = $T/in
format = json
schema = k STRING, n BIGINT, ts TIMESTAMP, x DOUBLE
[sink.out]
plugin      = file
input       = in
path        = $T/out
format      = parquet
compression = gzip
EOF
if "$WEIR" run "$T/sink.ini" >"$T/sink.log" 2>&1; then ok "weir runs file -> parquet"; else
  not_ok "weir runs file -> parquet"; cat "$T/sink.log"
fi
expect_grep "the part file is committed in _weir_log" "part-00000000-0000.parquet" "$T/out/_weir_log/0"
"$TOOL" dump "$T/out/part-00000000-0000.parquet" >"$T/sink.weir" 2>&1
cat >"$T/q.mjs" <<EOF
import { DuckDBInstance } from '@duckdb/node-api';
const c = await (await DuckDBInstance.create(':memory:')).connect();
const r = await c.runAndReadAll("SELECT k, n, epoch_us(ts), x FROM '$T/out/part-00000000-0000.parquet'");
for (const row of r.getRows()) console.log(row.map((v) => v === null ? 'null' : String(v)).join(' | '));
EOF
cp "$T/q.mjs" "$NPM_DIR/q_sink.mjs"
node "$NPM_DIR/q_sink.mjs" >"$T/sink.duck" 2>&1
printf '%s\n' "a | 1 | 1767225601000000 | 0.5" "b | 2 | 1767225602000000 | null" \
  "null | 3 | 1767225603250000 | -1" >"$T/sink.want"
expect_file "duckdb reads the sink's parquet" "$T/sink.want" "$T/sink.duck"
finish
