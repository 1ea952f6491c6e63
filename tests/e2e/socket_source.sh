# The socket source against a real server on 127.0.0.1 (a small python3
# program on a free port): it connects while the server is not up yet
# (refused, retried with back-off, logged), reads lines, loses the
# connection and reconnects, stamps lines with include_timestamp, drops
# lines with a warning when its bounded buffer is full, and says it is not
# replayable. Every process is bounded by a timeout and cleaned up.
. tests/e2e/lib.sh

PORT=$(free_port)

cat >"$T/server.py" <<'PY'
# server.py PORT MODE: serves lines to the first connections, then waits.
import socket, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(4)
s.settimeout(20)
c, _ = s.accept()
if mode == "reconnect":
    c.sendall(b"a\nb\r\nc")       # the last line has no newline: sent at close
    time.sleep(0.3)
    c.close()                    # the client must reconnect
    c, _ = s.accept()
    c.sendall(b"d\ne\n")
else:                            # flood: more than the client's buffer holds
    c.sendall(b"".join(b"line %04d of the flood\n" % i for i in range(400)))
time.sleep(20)
PY

query() { # query TRIGGER EXTRA_OPTION
  cat >"$T/q.ini" <<INI
[query]
name    = sock
trigger = $1
[source.s]
plugin = socket
host   = 127.0.0.1
port   = $PORT
$2
[sink.out]
plugin = console
input  = s
format = json
INI
}

wait_for() { # wait_for FILE PATTERN COUNT: until COUNT lines match (10 s)
  i=0
  while [ "$(grep -c -- "$2" "$1")" -lt "$3" ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
  done
}

# ---- refused, then served, dropped, reconnected ---------------------------
query default "include_timestamp = true"
timeout 30 "$WEIR" run "$T/q.ini" >"$T/r.out" 2>"$T/r.err" &
wpid=$!
PIDS="$PIDS $wpid"
wait_for "$T/r.err" "cannot connect to 127.0.0.1:$PORT" 2
timeout 25 python3 "$T/server.py" "$PORT" reconnect &
PIDS="$PIDS $!"
wait_for "$T/r.out" '"value"' 5
kill -INT $wpid
wait $wpid
expect_eq "reconnect: weir stops cleanly" 0 $?
sed -e 's/"epoch":[0-9]*,//' -e 's/,"timestamp":"[0-9T:.-]*Z"//' "$T/r.out" >"$T/r.values"
cat >"$T/r.expected" <<'OUT'
{"value":"a"}
{"value":"b"}
{"value":"c"}
{"value":"d"}
{"value":"e"}
OUT
expect_file "every line arrives once, in order, across the reconnect" "$T/r.expected" "$T/r.values"
expect_eq "include_timestamp stamps every line" 5 \
  "$(grep -c '"timestamp":"20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T' "$T/r.out")"
expect_grep "says it is not replayable" "warning: \[source.s\] the socket source is not replayable" "$T/r.err"
expect_grep "logs each refused attempt with its back-off" "(attempt 2): Connection refused; retrying in 200 ms" "$T/r.err"
expect_grep "logs the dropped connection" "closed the connection; reconnecting" "$T/r.err"
expect_grep "logs the reconnection" "reconnected to 127.0.0.1:$PORT" "$T/r.err"
expect_grep "while refused, the status says so" "^weir: warning: \[source.s\] not connected to 127.0.0.1:$PORT (.*); retrying$" "$T/r.err"
expect_grep "and it clears once connected" "^weir: info: \[source.s\] recovered after [0-9]* s (was: not connected to 127.0.0.1:$PORT" "$T/r.err"

# ---- a full buffer drops lines, with a warning ---------------------------
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
query "processing-time 2 seconds" "max_buffer_size = 1 KiB"
timeout 25 python3 "$T/server.py" "$PORT" flood &
PIDS="$PIDS $!"
sleep 0.3
timeout 30 "$WEIR" run "$T/q.ini" >"$T/f.out" 2>"$T/f.err" &
wpid=$!
PIDS="$PIDS $wpid"
wait_for "$T/f.err" "dropped" 1
kill -INT $wpid
wait $wpid
expect_grep "a full buffer drops lines and says why" \
  "dropped [0-9]* lines ([0-9]* in all): the buffer (max_buffer_size = 1024 bytes) is full" "$T/f.err"
n=$(grep -c '"value"' "$T/f.out")
if [ "$n" -lt 400 ]; then ok "what fits is kept, the rest dropped ($n of 400)"; else
  not_ok "lines were dropped (got $n of 400)"; fi

# ---- validate does not connect ---------------------------------------------
"$WEIR" validate "$T/q.ini" >"$T/v.out" 2>&1
expect_eq "validate exits 0 without a server" 0 $?

finish
