# A full disk fails the epoch without corrupting the checkpoint, and the
# query resumes when space returns, with output equal to an uninterrupted
# run. Needs root for a small tmpfs; skipped (and said so) otherwise.
. tests/e2e/lib.sh
CP="$TOP/$BUILD/testplugins/counter.so"
M="$T/small"
mkdir -p "$M"
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=32m tmpfs "$M" 2>/dev/null; then
  echo "ok disk-full test skipped: needs root to mount a tmpfs"
  exit 0
fi
trap 'umount "$M" 2>/dev/null; rm -rf "$T"' EXIT

topology() { # $1 = checkpoint dir, $2 = output dir
cat > "$T/q.ini" <<INI
[query]
trigger              = available-now
checkpoint           = $1
state_snapshot_interval = 5
min_epochs_to_retain = 3
[source.r]
plugin               = rate
rows_per_second      = 1000000000
start_timestamp      = 2020-01-01T00:00:00Z
max_rows             = 40000
max_rows_per_trigger = 1000
[operator.c]
plugin = $CP
input  = r
column = value
[sink.counts]
plugin = file
path   = $2
input  = c
INI
}
committed() {
  cat $(sed -n 's/.*"path":"\([^"]*\)".*/\1/p' $(ls -d "$1"/_weir_log/* | grep -v '\.tmp') | sort -u | sed "s|^|$1/|")
}

topology "$T/ref-ckpt" "$T/ref-out"
"$WEIR" run "$T/q.ini" -q >/dev/null 2>"$T/e"
expect_eq "reference run exits 0" 0 $?

# Leave ~750 KiB free: state snapshots of the growing counter outgrow it.
head -c 32800000 /dev/zero >"$M/filler"
topology "$M/ckpt" "$T/out"
"$WEIR" run "$T/q.ini" -q >/dev/null 2>"$T/e"
expect_eq "a full disk fails the query (exit 1)" 1 $?
expect_grep "with the reason" "No space left on device" "$T/e"
n=$(ls "$M/ckpt/commits" | wc -l)
[ "$n" -gt 0 ] && ok "epochs committed before the disk filled ($n)" || not_ok "epochs committed before the disk filled"
rm "$M/filler"
"$WEIR" run "$T/q.ini" >/dev/null 2>"$T/e2"
expect_eq "with space back, the query resumes and finishes" 0 $?
expect_grep "it resumed from its checkpoint" "resuming from checkpoint" "$T/e2" || cat "$T/e2"
committed "$T/ref-out" >"$T/ref.txt"
committed "$T/out" >"$T/got.txt"
expect_eq "the reference counted every key" 40000 "$(wc -l <"$T/ref.txt")"
expect_file "output after the full disk equals the uninterrupted run" "$T/ref.txt" "$T/got.txt"
finish
