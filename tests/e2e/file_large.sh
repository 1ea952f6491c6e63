# file_large.sh — a ~2 GB file streamed in bounded memory (issue 3): a JSON
# lines file generated here (tests/tools/gen_events.c, which prints how many
# events of each type it wrote) is counted per event type by
#   file (text) → json → aggregate(group by event_type: count) → console json
# under available-now; the counts must equal the generator's exactly and
# weir's peak RSS must stay under PEAK_MIB, a small fraction of the input.
# Then the same for a gzip file whose text is as large (format = json, the
# source parsing): its compressed size alone is above the bound too.
#
# The data lives in the test's own folder under /tmp and is deleted after
# each run, and at exit even on failure or a signal. Without room for it the
# test says so and skips. FILE_LARGE_BYTES sets the text size (default
# 2 GiB).
. tests/e2e/lib.sh
trap 'rm -rf "$T"; exit 143' HUP INT TERM

BYTES=${FILE_LARGE_BYTES:-2147483648}
PEAK_MIB=128
GEN="${TOP:-$PWD}/${BUILD:-build}/testtools/gen_events"

# The plain file is deleted before the gzip one is written: the text size,
# plus a margin, is all the space needed at once.
need_kib=$((BYTES / 1024 + 262144))
have_kib=$(df -Pk "$T" | awk 'NR == 2 { print $4 }')
if [ "${have_kib:-0}" -lt "$need_kib" ]; then
  echo "file_large: only $((have_kib / 1024)) MiB free under $T, $((need_kib / 1024)) MiB needed: skipped"
  ok "file_large skipped: not enough free space in /tmp for the data"
  exit 0
fi

mkdir -p "$T/plain" "$T/gz"
ini() { # ini NAME FOLDER SOURCE_PARSES
  {
    printf '[query]\ntrigger = available-now\noutput_mode = complete\n'
    printf '[source.raw]\nplugin = file\npath = %s\n' "$2"
    if [ "$3" = 1 ]; then
      printf 'format = json\nschema = event_type STRING, user_id STRING, timestamp TIMESTAMP\n'
      from=raw
    else
      printf 'format = text\n'
      printf '[operator.events]\nplugin = json\ninput = raw\nschema = event_type STRING, user_id STRING, timestamp TIMESTAMP\n'
      from=events
    fi
    printf '[operator.counts]\nplugin = aggregate\ninput = %s\ngroup_by = event_type\naggregate = count\n' "$from"
    printf '[sink.out]\nplugin = console\ninput = counts\nformat = json\n'
  } >"$T/$1.ini"
}

# measured NAME: runs weir on NAME.ini (stdout NAME.out, stderr NAME.err);
# sets RC, PEAK_KIB and OWN_KIB. PEAK_KIB is the child's ru_maxrss: exact
# as a bound, but Linux folds the parent's own peak (python's, ~10 MiB) into
# it at exec. OWN_KIB is weir's VmHWM sampled every 20 ms while it runs: its
# own figure, for the log.
measured() {
  set -- $(python3 - "$WEIR" "$T/$1.ini" "$T/$1.out" "$T/$1.err" <<'PY'
import resource, subprocess, sys, time
weir, ini, out, err = sys.argv[1:5]
own = 0
with open(out, "wb") as o, open(err, "wb") as e:
    p = subprocess.Popen([weir, "run", "-q", ini], stdout=o, stderr=e)
    while p.poll() is None:
        try:
            with open("/proc/%d/status" % p.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        own = max(own, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.02)
print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, own)
PY
  )
  RC=${1:-1}
  PEAK_KIB=${2:-0}
  OWN_KIB=${3:-0}
}

# check NAME WHAT: exit code, counts against the generator's, peak memory.
check() {
  expect_eq "$2: weir exits 0" 0 "$RC"
  [ "$RC" = 0 ] || tail -5 "$T/$1.err"
  sed -n 's/^{"epoch":[0-9]*,"event_type":"\([^"]*\)","count":\([0-9]*\)}$/\1 \2/p' \
    "$T/$1.out" | LC_ALL=C sort >"$T/$1.got"
  expect_file "$2: every event type counted exactly as generated" \
    "$T/$1.want" "$T/$1.got"
  echo "# $2: peak RSS $((OWN_KIB / 1024)) MiB (weir's VmHWM), at most $((PEAK_KIB / 1024)) MiB (ru_maxrss), for $((BYTES / 1048576)) MiB of text"
  if [ "$PEAK_KIB" -gt 0 ] && [ "$PEAK_KIB" -lt $((PEAK_MIB * 1024)) ]; then
    ok "$2: peak RSS under $PEAK_MIB MiB"
  else
    not_ok "$2: peak RSS under $PEAK_MIB MiB"
    echo "peak RSS: $PEAK_KIB KiB"
  fi
}

t0=$(date +%s)
"$GEN" "$BYTES" "$T/plain/events.jsonl" >"$T/plain.want" 2>"$T/plain.gen" ||
  { not_ok "generating the plain file"; cat "$T/plain.gen"; exit 1; }
t1=$(date +%s)
echo "# $(cat "$T/plain.gen") in $((t1 - t0)) s"
ini plain "$T/plain" 0
measured plain
t2=$(date +%s)
echo "# plain: weir ran $((t2 - t1)) s"
rm -f "$T/plain/events.jsonl"
check plain "plain file, file(text) -> json -> aggregate"

"$GEN" --gzip "$BYTES" "$T/gz/events.jsonl.gz" >"$T/gz.want" 2>"$T/gz.gen" ||
  { not_ok "generating the gzip file"; cat "$T/gz.gen"; exit 1; }
gz_bytes=$(wc -c <"$T/gz/events.jsonl.gz")
t3=$(date +%s)
echo "# $(cat "$T/gz.gen"), $((gz_bytes / 1048576)) MiB compressed, in $((t3 - t2)) s"
ini gz "$T/gz" 1
measured gz
t4=$(date +%s)
echo "# gzip: weir ran $((t4 - t3)) s"
rm -f "$T/gz/events.jsonl.gz"
check gz "gzip file, file(json) -> aggregate"
finish
