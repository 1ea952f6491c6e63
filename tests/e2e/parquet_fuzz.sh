#!/bin/sh
# parquet_fuzz.sh — runs the Parquet reader's fuzz target (tests/fuzz/
# fuzz_parquet.c, standalone driver) for a few seconds on mutants of files
# weir writes, and of DuckDB's files when parquet_duckdb.sh left some in
# $BUILD/npm. Under `make test SAN=1` this is an ASan/UBSan fuzz run.
. "$(dirname "$0")/lib.sh"
: "${BUILD:=build}"
: "${TOP:=$PWD}"
FUZZ="$TOP/$BUILD/fuzz/fuzz_parquet"
if "$FUZZ" -s "${FUZZ_SECONDS:-4}" >"$T/fuzz.log" 2>&1; then
  ok "fuzz_parquet: $(cat "$T/fuzz.log")"
else
  not_ok "fuzz_parquet"; tail -40 "$T/fuzz.log"
fi
# A fixed number of iterations too: the same inputs on every machine.
if "$FUZZ" -n 3000 >"$T/fuzz2.log" 2>&1; then
  ok "fuzz_parquet, 3000 fixed mutants"
else
  not_ok "fuzz_parquet, 3000 fixed mutants"; tail -40 "$T/fuzz2.log"
fi
finish
