#!/bin/sh
# SPDX-License-Identifier: MIT
# The README's test command: install what the tests need, build, run every
# test suite, and print a one-line summary. Run as root on Debian 12.
set -eu
cd "$(dirname "$0")/.."

scripts/install-deps.sh --tests

builddir=${BUILDDIR:-build}
if [ -d "$builddir" ]; then
	meson setup --reconfigure "$builddir" >/dev/null
else
	meson setup "$builddir" >/dev/null
fi
ninja -C "$builddir"

status=0
meson test -C "$builddir" --print-errorlogs "$@" || status=$?

# One plain closing line from meson's log, for tools that read it.
log="$builddir/meson-logs/testlog.json"
if [ -f "$log" ]; then
	python3 - "$log" <<'PY'
import json, sys
counts = {}
for line in open(sys.argv[1]):
    r = json.loads(line).get("result", "")
    counts[r] = counts.get(r, 0) + 1
ok = counts.get("OK", 0) + counts.get("EXPECTEDFAIL", 0)
bad = sum(v for k, v in counts.items() if k not in ("OK", "EXPECTEDFAIL", "SKIP"))
print(f"{ok} passed, {bad} failed, {counts.get('SKIP', 0)} skipped")
PY
fi
exit "$status"
