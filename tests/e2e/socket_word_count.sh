# examples/socket-word-count.ini, the Spark guide's word count, against a
# real server on 127.0.0.1 (a small python3 program on a free port standing
# in for `nc -lk 9999`): the server sends one group of lines, waits until
# weir has printed that epoch's table, then sends the next, so each epoch
# holds exactly one group and the console output is compared exactly,
# epoch by epoch, with the complete-mode counts. Every process is bounded
# by a timeout and cleaned up.
. tests/e2e/lib.sh

PORT=$(free_port)

cat >"$T/server.py" <<'PY'
# server.py PORT OUT: sends each group of lines on the first connection,
# waiting after each until OUT (weir's stdout) holds one more complete
# table (each ends with an empty line), then keeps the connection open.
import socket, sys, time
port, out = int(sys.argv[1]), sys.argv[2]
groups = [b"apache spark\n",
          b"apache hadoop\n",
          b"spark streaming\nthe spark of weir\n",
          b"two  spaces\n"]    # split(value, ' '): an empty word, as Spark
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(1)
s.settimeout(20)
c, _ = s.accept()
def tables():
    try:
        with open(out) as f:
            return sum(1 for line in f if line == "\n")
    except OSError:
        return 0
for i, g in enumerate(groups):
    c.sendall(g)
    deadline = time.time() + 20
    while tables() < i + 1 and time.time() < deadline:
        time.sleep(0.05)
open(out + ".done", "w").close()
time.sleep(20)
PY

sed "s/^port   = 9999$/port   = $PORT/" "$TOP/examples/socket-word-count.ini" >"$T/q.ini"
expect_grep "the example's port is replaced" "port   = $PORT" "$T/q.ini"
"$WEIR" validate "$T/q.ini" >"$T/v.out" 2>&1
expect_eq "validate: the example is valid (and does not connect)" 0 $?

timeout 25 python3 "$T/server.py" "$PORT" "$T/out" &
PIDS="$PIDS $!"
timeout 30 "$WEIR" run "$T/q.ini" >"$T/out" 2>"$T/err" &
wpid=$!
PIDS="$PIDS $wpid"
i=0
while [ ! -e "$T/out.done" ] && [ $i -lt 250 ]; do
  sleep 0.1
  i=$((i + 1))
done
kill -INT $wpid
wait $wpid
expect_eq "weir stops cleanly on SIGINT" 0 $?

cat >"$T/expected" <<'OUT'
-------------------------------------------
Batch: 0
-------------------------------------------
+------+-----+
|  word|count|
+------+-----+
|apache|    1|
| spark|    1|
+------+-----+

-------------------------------------------
Batch: 1
-------------------------------------------
+------+-----+
|  word|count|
+------+-----+
|apache|    2|
|hadoop|    1|
| spark|    1|
+------+-----+

-------------------------------------------
Batch: 2
-------------------------------------------
+---------+-----+
|     word|count|
+---------+-----+
|   apache|    2|
|   hadoop|    1|
|       of|    1|
|    spark|    3|
|streaming|    1|
|      the|    1|
|     weir|    1|
+---------+-----+

-------------------------------------------
Batch: 3
-------------------------------------------
+---------+-----+
|     word|count|
+---------+-----+
|         |    1|
|   apache|    2|
|   hadoop|    1|
|       of|    1|
|   spaces|    1|
|    spark|    3|
|streaming|    1|
|      the|    1|
|      two|    1|
|     weir|    1|
+---------+-----+

OUT
expect_file "complete-mode counts, epoch by epoch" "$T/expected" "$T/out"
expect_grep "says the socket source is not replayable" \
  "warning: \[source.lines\] the socket source is not replayable" "$T/err"

finish
