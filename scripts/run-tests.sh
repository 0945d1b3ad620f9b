#!/bin/sh
# SPDX-License-Identifier: MIT
# The README's test command: install what the tests need, build, and run
# every test suite three ways, then print one summary line:
#   build/        the normal build: unit, cli, fs, online, reliability,
#                 valgrind, e2e (QEMU guests, PMDK), bench smoke run
#   build-asan/   ASan + UBSan: every suite but the QEMU guests, valgrind
#                 and the bench
#   build-fuzz/   clang + libFuzzer: a bounded run of every fuzz target
# Run as root on Debian 12. Extra arguments go to the normal build's
# `meson test` (e.g. --suite unit).
set -eu
cd "$(dirname "$0")/.."

scripts/install-deps.sh --tests

status=0
logs=""

# -Dtests=enabled: a missing test dependency (cmocka) fails the setup
# loudly instead of dropping the unit tests; applied on --reconfigure too.
setup() { # DIR [meson setup options]
	dir=$1
	shift
	if [ -f "$dir/meson-private/coredata.dat" ]; then
		set -- --reconfigure "$@"
	fi
	out=$(meson setup "$@" -Dtests=enabled "$dir" 2>&1) || {
		printf '%s\n' "$out" >&2
		echo "run-tests: meson setup $dir failed (its output is above)" >&2
		exit 1
	}
	ninja -C "$dir" || { echo "run-tests: the build in $dir failed (the compiler's error is above)" >&2; exit 1; }
}

run() { # DIR [meson test options]
	dir=$1
	shift
	echo "== meson test -C $dir $*"
	meson test -C "$dir" --print-errorlogs "$@" || status=1
	logs="$logs $dir/meson-logs/testlog.json"
}

builddir=${BUILDDIR:-build}
setup "$builddir"
run "$builddir" "$@"

if [ $# -eq 0 ]; then
	setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	run build-asan --no-suite e2e --no-suite bench --no-suite valgrind
	unset ASAN_OPTIONS UBSAN_OPTIONS

	(export CC=clang && setup build-fuzz -Dfuzz=true)
	run build-fuzz --suite fuzz
fi

# One plain closing line over every build, for tools that read it.
# shellcheck disable=SC2086
python3 - $logs <<'PY'
import json, sys
counts = {}
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line).get("result", "")
        counts[r] = counts.get(r, 0) + 1
ok = counts.get("OK", 0) + counts.get("EXPECTEDFAIL", 0)
bad = sum(v for k, v in counts.items() if k not in ("OK", "EXPECTEDFAIL", "SKIP"))
print(f"{ok} passed, {bad} failed, {counts.get('SKIP', 0)} skipped")
PY
exit "$status"
