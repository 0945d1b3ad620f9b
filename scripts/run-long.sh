#!/bin/sh
# SPDX-License-Identifier: MIT
# The long reliability runs (issue 7), one command:
#   scripts/run-long.sh [FUZZ_MINUTES [KILL9_ITERATIONS [LOAD_MINUTES]]]
# defaults 10 minutes per fuzz target, 1000 kill -9 iterations, 10 minutes
# of load. Environment: BUILDDIR (default build-long), FUZZDIR (default
# build-fuzz), ONLY=fuzz|kill9|load to run one part. Run as root on
# Debian 12 with clang 14 and libclang-rt-14-dev (scripts/install-deps.sh
# --tests). Exit status: 0 when every part passed.
#
#   fuzz    every libFuzzer target (tests/fuzz) for FUZZ_MINUTES, its work
#           corpus kept in $FUZZDIR/tests/fuzz/work-<target>; prints execs
#           and findings (a crash input is named: make it a regression in
#           tests/fuzz/regress/<target>/)
#   kill9   tests/reliability/durability.sh with KILL9_ITERATIONS
#   load    tests/reliability/load.sh for LOAD_MINUTES, if present (it
#           needs the control socket: online create/destroy, list)
set -u
cd "$(dirname "$0")/.."
fuzz_min=${1:-10}
iters=${2:-1000}
load_min=${3:-10}
only=${ONLY:-}
builddir=${BUILDDIR:-build-long}
fuzzdir=${FUZZDIR:-build-fuzz}
status=0
summary=""

want() { [ -z "$only" ] || [ "$only" = "$1" ]; }

setup() { # DIR [meson setup args...]
	d=$1
	shift
	# -Dtests=enabled: the long runs use the test programs (nsio, ...)
	if [ -f "$d/meson-private/coredata.dat" ]; then
		meson setup --reconfigure "$d" -Dtests=enabled "$@" >/dev/null
	else
		meson setup "$d" -Dtests=enabled "$@" >/dev/null
	fi && ninja -C "$d" >/dev/null
}

if want fuzz; then
	if CC=clang setup "$fuzzdir" -Dfuzz=true; then
		for exe in "$fuzzdir"/tests/fuzz/*_fuzz; do
			[ -x "$exe" ] || continue
			name=$(basename "$exe" _fuzz)
			extra=""
			[ "$name" = region ] && extra="-- -max_len=16384"
			regress=""
			[ -d tests/fuzz/regress/$name ] && regress=tests/fuzz/regress/$name
			# shellcheck disable=SC2086
			line=$(bash tests/fuzz/run-fuzz.sh "$exe" $((fuzz_min * 60)) \
				"$fuzzdir/tests/fuzz/work-$name" "tests/fuzz/corpus/$name" \
				$regress $extra) || status=1
			echo "$line"
			summary="$summary
$line"
		done
	else
		echo "run-long: cannot build $fuzzdir with clang -Dfuzz=true" >&2
		status=1
	fi
fi

if want kill9 || want load; then
	setup "$builddir" || { echo "run-long: cannot build $builddir" >&2; exit 1; }
	export PMEMFS_BUILD_ROOT="$PWD/$builddir" PMEMFS_SOURCE_ROOT="$PWD" \
		PMEMFS_TESTLIB="$PWD/tests/integration/lib.sh" \
		PMEMFS_TESTDATA="$PWD/tests/data"
fi

if want kill9; then
	out=$(PMEMFS_DURABILITY_ITERS=$iters PMEMFS_DURABILITY_SECONDS=$((iters * 3 + 60)) \
		bash tests/reliability/durability.sh 2>&1) || status=1
	line=$(printf '%s\n' "$out" | grep -E '^(durability:|FAIL)')
	printf '%s\n' "$out" | grep -E '^(iteration|FAIL|note)' >&2
	echo "$line"
	summary="$summary
$line"
fi

if want load; then
	if [ -f tests/reliability/load.sh ]; then
		out=$(PMEMFS_LOAD_SECONDS=$((load_min * 60)) bash tests/reliability/load.sh 2>&1)
		rc=$?
		[ "$rc" = 0 ] || [ "$rc" = 77 ] || status=1
		line=$(printf '%s\n' "$out" | grep -E '^(load:|FAIL|SKIP)')
		echo "$line"
		summary="$summary
$line"
	else
		echo "load: tests/reliability/load.sh not written yet (needs the control socket)"
	fi
fi

echo "--- run-long summary (exit $status)$summary"
exit "$status"
