# examples/file-json-windows.ini on its sample data: the window counts equal
# an independent count of the JSON files (python), under trigger = once.
. tests/e2e/lib.sh
sed "s/^trigger .*/trigger     = once/; s|examples/data/events|$TOP/examples/data/events|" \
  "$TOP/examples/file-json-windows.ini" >"$T/q.ini"
printf '[sink.j]\nplugin = console\nformat = json\ninput = counts\n' >>"$T/q.ini"
"$WEIR" run -q "$T/q.ini" >"$T/out" 2>"$T/err"
expect_eq "the example runs" 0 $?
python3 - "$T/out" "$TOP/examples/data/events" <<'PY' && ok "counts equal an independent count" || not_ok "counts equal an independent count"
import collections, glob, json, sys
want = collections.Counter()
for f in glob.glob(sys.argv[2] + "/*.json"):
    for line in open(f):
        e = json.loads(line)
        want[(e["timestamp"][:16], e["event_type"])] += 1
got = {}
for line in open(sys.argv[1]):
    if line.startswith("{"):
        r = json.loads(line)
        got[(r["window"]["start"][:16], r["event_type"])] = r["count"]
assert got == dict(want), (got, want)
PY
finish
