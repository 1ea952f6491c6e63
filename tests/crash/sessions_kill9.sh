# Group state across crashes: the `sessions` example operator (event-time
# timeouts, weir/groupstate.h) on generated clicks — groups of users active
# for 10 s of event time then idle for 20 s, out of order by up to 6 s, a
# watermark 5 s behind, so sessions close by timeout all along and some
# clicks are late — killed with SIGKILL at random instants (seeds printed)
# until the input is consumed. The sessions printed per epoch (console
# json, the last run that printed an epoch wins, as a replay rewrites it)
# equal an uninterrupted run's exactly, and so does the state left open.
. tests/e2e/lib.sh
SESSIONS="$TOP/$BUILD/examples/sessions.so"

topology() { # $1 = dir
  cat >"$1/q.ini" <<INI
[query]
trigger     = available-now
output_mode = append
checkpoint  = $1/ckpt

[source.r]
plugin               = rate
rows_per_second      = 40
start_timestamp      = 2026-01-01T00:00:00Z
max_rows             = 80000
max_rows_per_trigger = 200

[operator.clicks]
plugin  = select
input   = r
columns = CONCAT('u', CAST(value % 10 + 10 * (CAST(value / 400 AS BIGINT) % 3) AS STRING)) AS user,
          CAST(CAST(timestamp AS BIGINT) - value % 7 AS TIMESTAMP) AS time

[operator.wm]
plugin = watermark
input  = clicks
column = time
delay  = 5 seconds

[operator.sessions]
plugin = $SESSIONS
input  = wm
gap    = 8 seconds

[sink.out]
plugin = console
format = json
input  = sessions
INI
}

# per epoch, the rows of the last run that printed that epoch
per_epoch() {
  python3 - "$@" <<'PY'
import json, sys
epochs = {}
for path in sys.argv[1:]:
    got = {}
    for line in open(path, errors="replace"):
        try:
            r = json.loads(line)
        except ValueError:
            continue  # a line cut by SIGKILL
        got.setdefault(r["epoch"], []).append(line)
    epochs.update(got)
for e in sorted(epochs):
    sys.stdout.write("".join(epochs[e]))
PY
}

mkdir -p "$T/ref" "$T/crash"
topology "$T/ref"
"$WEIR" run -q "$T/ref/q.ini" >"$T/ref/stdout" 2>"$T/ref.err"
expect_eq "uninterrupted run exits 0" 0 $?
topology "$T/crash"
CRASH_SEED=${CRASH_SEED:-5}
crash_until_done "$T/crash/q.ini" "$T/crash/stdout" 0.05
[ $KILLS -ge 20 ] && ok "killed -9 at least 20 times ($KILLS)" || not_ok "killed -9 at least 20 times ($KILLS)"
per_epoch "$T/ref/stdout" >"$T/ref.txt"
per_epoch $(ls "$T/crash"/stdout.* | sort -t. -k2 -n) >"$T/crash.txt"
n=$(wc -l <"$T/ref.txt")
[ "$n" -gt 500 ] && ok "the reference closed many sessions ($n)" || not_ok "the reference closed many sessions ($n)"
expect_file "sessions after kill -9 restarts equal the uninterrupted run" "$T/ref.txt" "$T/crash.txt"
"$WEIR" checkpoint "$T/ref/ckpt" --state sessions | sort >"$T/ref.state"
"$WEIR" checkpoint "$T/crash/ckpt" --state sessions | sort >"$T/crash.state"
expect_file "and so do the sessions left open, with their timeouts" "$T/ref.state" "$T/crash.state"
finish
