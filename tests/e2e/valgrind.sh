# The binary under Valgrind: no leaks, no invalid accesses, on a full run
# (rate -> select -> console, several epochs), on a load error and on a
# plugin failure mid-run. Skipped in sanitizer builds (ASan and Valgrind
# do not mix); CI runs the plain build too.
. tests/e2e/lib.sh
if [ "${SAN:-}" = 1 ] || ! command -v valgrind >/dev/null; then
  echo "ok valgrind skipped (sanitizer build or no valgrind)"; exit 0
fi
VG="valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99"
cat > "$T/q.ini" <<'INI'
[query]
trigger = available-now
[source.r]
plugin = rate
rows_per_second = 100
start_timestamp = 2026-01-01T00:00:00Z
max_rows = 5000
max_rows_per_trigger = 2000
[operator.s]
plugin  = select
input   = r
columns = timestamp, value, upper(CAST(value AS STRING)) AS label, value * 1.5 AS f
where   = value % 7 <> 3
[sink.out]
plugin = console
input  = s
[sink.j]
plugin = console
format = json
input  = s
INI
$VG "$WEIR" run "$T/q.ini" --progress "$T/p.json" >"$T/out" 2>"$T/err"
expect_eq "full run is clean under valgrind" 0 $?
grep -q "Batch: 2" "$T/out" && ok "the run had 3 epochs" || not_ok "the run had 3 epochs"
sed 's/columns = timestamp/columns = timestmp/' "$T/q.ini" >"$T/bad.ini"
$VG "$WEIR" validate "$T/bad.ini" >/dev/null 2>"$T/err"
expect_eq "load error is clean under valgrind (exit 2)" 2 $?
cat > "$T/fail.ini" <<INI
[query]
trigger = available-now
[source.r]
plugin = rate
start_timestamp = 2026-01-01T00:00:00Z
max_rows = 100
max_rows_per_trigger = 40
[operator.f]
plugin     = $TOP/$BUILD/testplugins/fail_at.so
input      = r
fail_epoch = 1
[sink.out]
plugin = console
input  = f
INI
$VG "$WEIR" run "$T/fail.ini" >/dev/null 2>"$T/err"
expect_eq "plugin failure is clean under valgrind (exit 1)" 1 $?
finish
