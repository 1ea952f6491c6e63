# Checkpoints: kill -9 at random instants loses and repeats nothing; a
# second process is refused; torn or corrupt files are named; edits that
# would misread state are refused and safe ones accepted; newer state
# versions are refused; retention keeps disk use flat; `once` re-runs an
# uncommitted epoch.
. tests/e2e/lib.sh
CP="$TOP/$BUILD/testplugins/counter.so"

topology() { # $1 = dir, $2 = extra lines for [operator.c]
cat > "$1/q.ini" <<INI
[query]
trigger              = available-now
checkpoint           = $1/ckpt
min_epochs_to_retain = 5

[source.r]
plugin               = rate
rows_per_second      = 1000000000
start_timestamp      = 2020-01-01T00:00:00Z
max_rows             = 200000
max_rows_per_trigger = 500

[operator.s]
plugin  = select
input   = r
columns = value, value % 7 AS k

[operator.c]
plugin = $CP
input  = s
column = k
$2

[sink.rows]
plugin = file
path   = $1/rows
input  = s

[sink.counts]
plugin = file
path   = $1/counts
input  = c
INI
}

# The committed output of a file sink, in epoch order.
committed() {
  python3 - "$1" <<'PY'
import json, os, sys
d = sys.argv[1]
log = os.path.join(d, "_weir_log")
# a killed writer leaves N.tmp-PID behind: not an entry
names = sorted((n for n in os.listdir(log) if ".tmp" not in n),
               key=lambda n: int(n.split(".")[0]))
compact = [n for n in names if n.endswith(".compact")]
start = int(compact[-1].split(".")[0]) if compact else -1
files = []
for n in names:
    e = int(n.split(".")[0])
    if e < start or (e == start and not n.endswith(".compact")):
        continue
    lines = open(os.path.join(log, n)).read().splitlines()
    assert lines[0] == "v1", n
    files += [json.loads(l)["path"] for l in lines[1:] if l]
for f in sorted(files):
    sys.stdout.write(open(os.path.join(d, f)).read())
PY
}

mkdir -p "$T/ref" "$T/crash"
topology "$T/ref" ""
"$WEIR" run "$T/ref/q.ini" -q >"$T/ref.out" 2>"$T/ref.err"
expect_eq "uninterrupted run exits 0" 0 $?
committed "$T/ref/rows" >"$T/ref.rows"
committed "$T/ref/counts" >"$T/ref.counts"
expect_eq "reference has every row" 200000 "$(wc -l <"$T/ref.rows")"

topology "$T/crash" ""
crash_until_done "$T/crash/q.ini" "$T/crash/out" 0.05
kills=$KILLS
echo "killed $kills times in $RUNS runs"
[ $kills -ge 30 ] && ok "the query was killed -9 at least 30 times ($kills)" || not_ok "the query was killed -9 at least 30 times ($kills)"
committed "$T/crash/rows" >"$T/crash.rows"
committed "$T/crash/counts" >"$T/crash.counts"
expect_file "after kill -9 restarts: every row exactly once, epoch by epoch" "$T/ref.rows" "$T/crash.rows"
expect_file "after kill -9 restarts: state (running counts) exactly as uninterrupted" "$T/ref.counts" "$T/crash.counts"
tail -1 "$T/ref.counts" >"$T/last"
expect_eq "the last counts are the full counts" '{"key":6,"count":28571}' "$(cat "$T/last")"

# weir checkpoint DIR shows epochs, watermark, offsets and state
"$WEIR" checkpoint "$T/ref/ckpt" >"$T/inspect" 2>&1
expect_eq "weir checkpoint exits 0" 0 $?
expect_grep "it shows the committed epochs" "epochs logged: 395..399, last committed: 399" "$T/inspect"
expect_grep "it shows the source offsets" 'source r: {"start":1577836800000000,"rows":199500} -> {"start":1577836800000000,"rows":200000}' "$T/inspect"
expect_grep "it shows the state" "store 'counts' (plugin counter, version 1): 7 keys" "$T/inspect"
expect_grep "it shows the last progress" 'last progress: {"id":"' "$T/inspect"
"$WEIR" checkpoint "$T/ref/ckpt" --state c >"$T/state.jsonl" 2>&1
expect_eq "--state OP dumps 7 JSON lines" 7 "$(wc -l <"$T/state.jsonl")"
python3 -c 'import json,sys; rows=[json.loads(l) for l in open(sys.argv[1])]; assert all(r["store"]=="counts" and "hex" in r["key"] for r in rows)' "$T/state.jsonl" \
  && ok "--state lines are JSON" || not_ok "--state lines are JSON"

# retention: min_epochs_to_retain = 5 keeps the logs small
n=$(ls "$T/ref/ckpt/offsets" | wc -l)
[ "$n" -le 5 ] && ok "retention keeps 5 epochs of offsets ($n)" || not_ok "retention keeps 5 epochs of offsets ($n)"
n=$(ls "$T/ref/ckpt/state/c/counts" | wc -l)
[ "$n" -le 16 ] && ok "retention purges old state files ($n left)" || not_ok "retention purges old state files ($n left)"

# a second process on the same checkpoint is refused
cat > "$T/long.ini" <<INI
[query]
checkpoint = $T/longckpt
[source.r]
plugin = rate
rows_per_second = 10
[sink.out]
plugin = null
input = r
INI
"$WEIR" run "$T/long.ini" -q >/dev/null 2>&1 &
pid=$!
sleep 0.5
"$WEIR" run "$T/long.ini" -q >/dev/null 2>"$T/second.err"
expect_eq "a second process on one checkpoint exits 1" 1 $?
expect_grep "and says why" "checkpoint is in use by another weir process (pid $pid)" "$T/second.err"
kill -TERM $pid; wait $pid

# safe edits are accepted: a new sink, a filter before the counter
cp -r "$T/ref" "$T/edit"
sed -i "s|$T/ref|$T/edit|g" "$T/edit/q.ini"
cat >> "$T/edit/q.ini" <<'INI'

[sink.extra]
plugin = null
input  = s
INI
"$WEIR" run "$T/edit/q.ini" -q >/dev/null 2>"$T/e"
expect_eq "adding a sink is accepted on restart" 0 $?
# unsafe: the counter's key column changes
sed -i 's/^column = k$/column = value/' "$T/edit/q.ini"
"$WEIR" run "$T/edit/q.ini" -q >/dev/null 2>"$T/e"
expect_eq "changing a stateful operator's key is refused" 1 $?
expect_grep "naming the section and the change" "\[operator.c\] column was 'k', now 'value'" "$T/e"
# unsafe: renaming the stateful section
sed -i 's/^column = value$/column = k/; s/^\[operator.c\]/[operator.c2]/; s/^input  = c$/input  = c2/' "$T/edit/q.ini"
"$WEIR" run "$T/edit/q.ini" -q >/dev/null 2>"$T/e"
expect_eq "renaming a stateful section is refused" 1 $?
expect_grep "renaming names the old section" "\[operator.c\] plugin was 'counter', now (absent)" "$T/e"

# a newer state version than the plugin writes is refused
mkdir -p "$T/ver"
topology "$T/ver" "state_version = 2"
"$WEIR" run "$T/ver/q.ini" -q >/dev/null 2>&1
topology "$T/ver" "state_version = 1"
printf '\n[source.more]\nplugin = rate\n' >/dev/null
"$WEIR" run "$T/ver/q.ini" -q >/dev/null 2>"$T/e"
expect_eq "restoring state from a newer version is refused" 1 $?
expect_grep "with a clear message" "\[operator.c\] state 'counts' has format version 2, newer than the 1 this plugin (counter 1) writes" "$T/e"

# torn or corrupt files are reported with their path, never skipped
cp -r "$T/ref" "$T/bad"
sed -i "s|$T/ref|$T/bad|g" "$T/bad/q.ini"
last=$(ls "$T/bad/ckpt/commits" | sort -n | tail -1)
printf 'X' | dd of="$T/bad/ckpt/commits/$last" bs=1 seek=5 conv=notrunc 2>/dev/null
"$WEIR" run "$T/bad/q.ini" -q >/dev/null 2>"$T/e"
expect_eq "a corrupt commit file stops the query" 1 $?
expect_grep "naming the file" "$T/bad/ckpt/commits/$last: torn or corrupt checkpoint file" "$T/e"
cp -r "$T/ref" "$T/torn"
sed -i "s|$T/ref|$T/torn|g" "$T/torn/q.ini"
last=$(ls "$T/torn/ckpt/offsets" | sort -n | tail -1)
truncate -s 30 "$T/torn/ckpt/offsets/$last"
"$WEIR" run "$T/torn/q.ini" -q >/dev/null 2>"$T/e"
expect_eq "a torn offsets file stops the query" 1 $?
expect_grep "naming the torn file" "$T/torn/ckpt/offsets/$last: torn or corrupt" "$T/e"

# once re-runs the uncommitted epoch (and the file sink skips what it has)
cp -r "$T/ref" "$T/once"
sed -i "s|$T/ref|$T/once|g; s/^trigger .*/trigger = once/" "$T/once/q.ini"
last=$(ls "$T/once/ckpt/commits" | sort -n | tail -1)
rm "$T/once/ckpt/commits/$last"
"$WEIR" run "$T/once/q.ini" >/dev/null 2>"$T/e"
expect_eq "once with an uncommitted epoch exits 0" 0 $?
expect_grep "it re-ran that epoch" "resuming from checkpoint $T/once/ckpt at epoch $last (re-running the uncommitted epoch)" "$T/e"
[ -f "$T/once/ckpt/commits/$last" ] && ok "and committed it" || not_ok "and committed it"
committed "$T/once/rows" >"$T/once.rows"
expect_file "the file sink skipped the epoch it had already committed" "$T/ref.rows" "$T/once.rows"
# the built-in stateful operators: aggregate's grouping and aggregates and
# dedup's columns are part of the state's identity
mkdir -p "$T/agg"
cat >"$T/agg/q.ini" <<INI
[query]
trigger     = available-now
output_mode = update
checkpoint  = $T/agg/ckpt
[source.r]
plugin               = rate
rows_per_second      = 10
max_rows             = 20
max_rows_per_trigger = 10
[operator.s]
plugin  = select
input   = r
columns = value % 3 AS k, value % 2 AS k2
[operator.counts]
plugin    = aggregate
input     = s
group_by  = k
aggregate = count
[operator.d]
plugin  = dedup
input   = s
columns = k
[sink.out]
plugin = null
input  = counts
[sink.out2]
plugin = null
input  = d
INI
"$WEIR" run "$T/agg/q.ini" -q >/dev/null 2>"$T/agg/e"
expect_eq "aggregate + dedup: the first run" 0 $?
sed -i 's/^group_by  = k$/group_by  = k, k2/' "$T/agg/q.ini"
"$WEIR" run "$T/agg/q.ini" -q >/dev/null 2>"$T/agg/e"
expect_eq "changing aggregate's group_by is refused" 1 $?
expect_grep "naming it" "\[operator.counts\] group_by was 'k', now 'k, k2'" "$T/agg/e"
sed -i 's/^group_by  = k, k2$/group_by  = k/; s/^aggregate = count$/aggregate = count, sum(k2)/' "$T/agg/q.ini"
"$WEIR" run "$T/agg/q.ini" -q >/dev/null 2>"$T/agg/e"
expect_eq "changing its aggregates is refused" 1 $?
expect_grep "naming them" "\[operator.counts\] aggregate was 'count', now 'count, sum(k2)'" "$T/agg/e"
sed -i 's/^aggregate = count, sum(k2)$/aggregate = count/; s/^columns = k$/columns = k, k2/' "$T/agg/q.ini"
"$WEIR" run "$T/agg/q.ini" -q >/dev/null 2>"$T/agg/e"
expect_eq "changing dedup's columns is refused" 1 $?
expect_grep "naming them too" "\[operator.d\] columns was 'k', now 'k, k2'" "$T/agg/e"
sed -i 's/^columns = k, k2$/columns = k/' "$T/agg/q.ini"
"$WEIR" run "$T/agg/q.ini" -q >/dev/null 2>"$T/agg/e"
expect_eq "and the original topology still resumes" 0 $?

finish
