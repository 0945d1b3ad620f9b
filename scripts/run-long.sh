#!/bin/sh
# SPDX-License-Identifier: MIT
# The long reliability runs (issue 7), one command:
#   scripts/run-long.sh [FUZZ_MINUTES [KILL9_ITERATIONS [LOAD_MINUTES]]]
# defaults 10 minutes per fuzz target, 1000 kill -9 iterations, 10 minutes
# of load. Environment: BUILDDIR (default build-long), FUZZDIR (default
# build-fuzz), ONLY=fuzz|kill9|load|vm to run one part. Run as root on
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
#   vm      whole QEMU guests crash-tested (tests/e2e/crash_ext4.sh,
#           crash_xfs.sh, crash_nvdimm.sh) with VM_RUNS crash points each
#           (default 40, seed VM_SEED, default random): ext4 and xfs on
#           virtio-pmem at guest FSYNCs (crash-test --sweep: the points
#           spread evenly over the clean run's FSYNCs, about 45 and 40 of
#           them, so 40 runs crash at nearly every one; xfs checked by a
#           second boot), then the paced workload at moments past the
#           boot on nvdimm and on virtio-pmem; prints crash points per
#           minute and lost/acked. Needs the e2e guest
#           (scripts/install-deps.sh --tests); about 5-14 s a crash point
#           under TCG, so 20-40 minutes
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

if want kill9 || want load || want vm; then
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

if want vm; then
	vm_runs=${VM_RUNS:-40}
	vm_seed=${VM_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
	for t in "crash_ext4.sh fsync" "crash_xfs.sh fsync" crash_nvdimm.sh; do
		points=$vm_runs
		[ "$t" != crash_nvdimm.sh ] || points=$((vm_runs * 2))	# both devices
		t0=$(date +%s)
		# shellcheck disable=SC2086
		out=$(PMEMFS_CRASH_RUNS=$vm_runs PMEMFS_CRASH_SEED=$vm_seed \
			PMEMFS_E2E_BOOT_TIMEOUT=300 unshare -m --propagation private \
			bash tests/e2e/$t 2>&1)
		rc=$?
		[ "$rc" = 0 ] || status=1
		el=$(($(date +%s) - t0))
		line="vm: $t: exit $rc, $points crash points (seed $vm_seed) in $el s ($(awk -v n="$points" -v s="$el" 'BEGIN { printf "%.1f", n * 60 / s }') points/min, mkfs boot and clean runs included)"
		printf '%s\n' "$out" | grep -E '^(FAIL|e2e: crash_)' >&2
		[ "$rc" = 0 ] || printf '%s\n' "$out" | grep -v '^pmemfs' | tail -n 20 >&2
		echo "$line"
		summary="$summary
$line
$(printf '%s\n' "$out" | grep -E '^e2e: crash_' | sed 's/^e2e: /vm:   /')"
	done
fi

echo "--- run-long summary (exit $status)$summary"
exit "$status"
