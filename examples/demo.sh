#!/bin/sh
# make demo: runs the richest example for a few seconds, then stops it the
# way an operator would (SIGINT), which weir answers with a clean exit.
set -u
BUILD=${1:-build}
SECS=${DEMO_SECONDS:-6}
echo "weir demo: $BUILD/bin/weir run examples/rate-select.ini (for ${SECS}s)" >&2
"$BUILD/bin/weir" validate examples/rate-select.ini >/dev/null || exit 2
timeout -s INT "$SECS" "$BUILD/bin/weir" run examples/rate-select.ini
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 124 ] || exit $rc
echo "weir demo: done (the query stopped cleanly on SIGINT)" >&2
