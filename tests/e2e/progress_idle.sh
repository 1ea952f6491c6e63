# A query with nothing to do still reports (Spark's idle progress): every
# progress_idle_interval an event with the next epoch's id and no input;
# real epochs are unaffected, and the interval 0 turns it off.
. tests/e2e/lib.sh
mkdir -p "$T/in"
cat >"$T/q.ini" <<INI
[query]
trigger    = processing-time 100 milliseconds
checkpoint = $T/ckpt
progress_idle_interval = 1 second
[source.f]
plugin = file
path   = $T/in
format = text
[sink.out]
plugin = null
input  = f
INI
"$WEIR" run "$T/q.ini" --progress "$T/prog" >/dev/null 2>"$T/err" &
pid=$!
sleep 3.5
printf 'a\nb\nc\n' >"$T/in/one.txt"
sleep 3
kill -INT $pid; wait $pid
expect_eq "stops cleanly" 0 $?
python3 - "$T/prog" >"$T/summary" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
real = [e for e in ev if e["numInputRows"] > 0]
print("real", [(e["batchId"], e["numInputRows"]) for e in real])
first = real[0]["batchId"] if real else None
before = [e for e in ev if ev.index(e) < ev.index(real[0])] if real else ev
after = [e for e in ev if real and ev.index(e) > ev.index(real[0])]
idle_ok = all(e["numInputRows"] == 0 and e["sources"][0]["numInputRows"] == 0
              for e in before + after if e not in real)
print("idle before", len(before), "ids", sorted({e["batchId"] for e in before}))
print("idle after", len(after), "ids", sorted({e["batchId"] for e in after}))
print("idle events have no input", idle_ok)
PY
cat "$T/summary"
# Which epoch ids the idle events carry depends on whether the empty folder
# ran epoch 0; what must hold: idle events before the file name the epoch
# the file then ran as, and those after it name the one after.
real=$(sed -n 's/^real \[(\([0-9]*\), 3)\]$/\1/p' "$T/summary")
[ -n "$real" ] && ok "the file ran as one epoch of 3 rows (epoch $real)" || not_ok "the file ran as one epoch of 3 rows"
grep -q "^idle before [2-9] ids \[$real\]$" "$T/summary" && ok "idle events while waiting (~1 s apart), with the next epoch's id" || not_ok "idle events while waiting (~1 s apart), with the next epoch's id"
grep -q "^idle after [2-9] ids \[$((real + 1))\]$" "$T/summary" && ok "and again after the epoch, with the id after it" || not_ok "and again after the epoch, with the id after it"
expect_grep "idle events have no input" "no input True" "$T/summary"

# 0 turns them off: nothing in 11 s, longer than the 10 s default.
sed -i 's/^progress_idle_interval = 1 second/progress_idle_interval = 0/' "$T/q.ini"
rm -rf "$T/ckpt" "$T/in"/* "$T/prog"
"$WEIR" run "$T/q.ini" --progress "$T/prog" >/dev/null 2>"$T/err" &
pid=$!
sleep 11
kill -INT $pid; wait $pid
n=$(grep -c "" "$T/prog" 2>/dev/null)
[ "${n:-0}" -eq 0 ] && ok "progress_idle_interval = 0: no idle events in 11 s" || not_ok "progress_idle_interval = 0: no idle events in 11 s ($n)"
finish
