#!/bin/bash
# SPDX-License-Identifier: MIT
# The long randomized power-fail run (not in CI: it takes minutes):
#
#   tests/integration/powerfail/long.sh BUILD_DIR [SECONDS] [SEED]
#
# default 600 seconds. Each iteration picks, from the seed, a writer
# (write(2)+fsync or mmap+msync of page after page), a crash (at a random
# FSYNC, a SIGKILL at a random moment then power-fail, power-fail --force
# under the writer frozen with SIGSTOP, or --kill), and a survival share (0, or a random
# percentage), then checks the namespace through its file and in the region
# file: every page whose flush completed holds its data, every page never
# written is zero, and the one page in between is old or new (new only when
# it may survive). Every 10th iteration runs crash-test on the demo (the
# buggy build must be caught, the fixed one never). Prints a summary line;
# exit 1 at the first inconsistency, naming the iteration's seed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export PMEMFS_SOURCE_ROOT=${PMEMFS_SOURCE_ROOT:-$(cd "$here/../../.." && pwd)}
export PMEMFS_BUILD_ROOT=${PMEMFS_BUILD_ROOT:-$(cd "${1:?usage: long.sh BUILD_DIR [SECONDS] [SEED]}" && pwd)}
export PMEMFS_TESTLIB=$PMEMFS_SOURCE_ROOT/tests/integration/lib.sh
export FS_SHOW_LOG=${FS_SHOW_LOG:-1}
DURATION=${2:-600}
SEED=${3:-$RANDOM}
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

pf_setup 8M a --crash-test
pc create-namespace -s 4M -n log >/dev/null || fail "create log"
LOGF=$MNT/region0/log
"$DEMO" init "$LOGF" >/dev/null || fail "demo init"
N=64
RANDOM=$SEED
end=$((SECONDS + DURATION))
iter=0 crashes=0 buggy_caught=0 demo_runs=0

# check_pages FROM K MAYBE: pages < K hold i+1, page K holds K+1 or 0 (when
# MAYBE), pages above are 0; in the file and in the region file
check_state() {
	local k=$1 maybe=$2 f
	for f in "$F" "$REGION"; do
		if "$PFIO" check-seq "$f" $N "$k" 2>/dev/null; then continue; fi
		if [ "$maybe" = 1 ] && "$PFIO" check-seq "$f" $N $((k + 1)) 2>/dev/null; then
			continue
		fi
		"$PFIO" check-seq "$f" $N "$k" || true
		echo "diagnosis: previous iterations: $(tail -n 3 "$T/iterations" 2>/dev/null | tr '\n' ';')" >&2
		echo "diagnosis: status $(pc power-fail a --status | jq -c .)" >&2
		echo "diagnosis: writer printed $(tr '\n' ' ' <"$T/seq" | tail -c 200)" >&2
		echo "diagnosis: region file: $("$PFIO" check-seq "$REGION" $N "$k" 2>&1)" >&2
		echo "diagnosis: file again: $("$PFIO" check-seq "$F" $N "$k" 2>&1)" >&2
		fail "iteration $iter (seed $SEED): $f is not the state after $k flushes" \
			"(maybe $maybe, mode $mode, writer $writer, survive $survive)"
	done
}

wait_revert() {
	local i j
	for ((i = 0; i < 1000; i++)); do
		j=$(pc power-fail a --status)
		[ "$(json_get "$j" .reverts)" = "$1" ] && [ "$(json_get "$j" .reverting)" = false ] &&
			return 0
		sleep 0.01
	done
	fail "iteration $iter: no revert $1: $j"
}

while [ $SECONDS -lt $end ]; do
	iter=$((iter + 1))
	"$NSIO" fill "$F" 0 $((N * 4096)) 0 || fail "reset"
	"$NSIO" fsync "$F" || fail "reset fsync"
	writer=$([ $((RANDOM % 2)) = 0 ] && echo write || echo mmap)
	survive=0
	[ $((RANDOM % 3)) = 0 ] && survive=$((RANDOM % 100 + 1))
	sv=()
	[ "$survive" != 0 ] && sv=(--survive "$survive" --seed "$RANDOM")
	reverts=$(pf_status a reverts)
	# a writer killed before its shell redirected its output must not
	# leave the last iteration's lines behind
	: >"$T/seq"
	mode=$((RANDOM % 4))
	if [ $mode = 0 ]; then
		# at a random FSYNC: exactly K-1 flushes
		k=$((RANDOM % N + 1))
		pc power-fail a --at-fsync "$k" "${sv[@]}" >/dev/null || fail "arm"
		( "$PFIO" seq "$F" $N $writer >"$T/seq" 2>/dev/null ) 2>/dev/null || true
		wait_revert $((reverts + 1))
		check_state $((k - 1)) $([ "$survive" != 0 ] && echo 1 || echo 0)
	else
		"$PFIO" seq "$F" $N $writer >"$T/seq" 2>/dev/null &
		w=$!
		sleep "0.0$((RANDOM % 10))$((RANDOM % 10))"
		case $mode in
		1) kill -9 $w 2>/dev/null || true; wait $w 2>/dev/null || true
		   pc power-fail a "${sv[@]}" >/dev/null || fail "power-fail" ;;
		2) # frozen as the power goes: reverted under its live mapping,
		   # then it dies without running again
		   kill -STOP $w 2>/dev/null || true
		   pc power-fail a --force "${sv[@]}" >/dev/null || fail "power-fail --force"
		   kill -9 $w 2>/dev/null || true; wait $w 2>/dev/null || true ;;
		3) pc power-fail a --kill "${sv[@]}" >/dev/null || fail "power-fail --kill"
		   wait $w 2>/dev/null || true ;;
		esac
		# "fsync i" was printed before flush i: i or i+1 flushes completed
		last=$(grep -c '^fsync' "$T/seq" || true)
		if grep -q '^done' "$T/seq"; then
			check_state $N 0
		elif [ "$last" = 0 ]; then
			check_state 0 1
		else
			# the last flush may or may not have completed
			if ! "$PFIO" check-seq "$F" $N "$last" 2>/dev/null; then
				check_state $((last - 1)) 1
			else
				check_state "$last" $([ "$survive" != 0 ] && echo 1 || echo 0)
			fi
		fi
	fi
	crashes=$((crashes + 1))
	echo "$iter mode $mode writer $writer survive $survive" >>"$T/iterations"
	if [ $((iter % 10)) = 0 ]; then
		s=$RANDOM
		j=$("$PMEMCTL" crash-test --mount "$MNT" log --runs 3 --seed $s -- \
			"$DEMO" append {} 8 --check "$DEMO" check {} 2>/dev/null) ||
			fail "iteration $iter: crash-test of the fixed demo failed (seed $s): $j"
		j=$("$PMEMCTL" crash-test --mount "$MNT" log --runs 3 --seed $s -- \
			"$DEMO_BUGGY" append {} 8 --check "$DEMO" check {} 2>/dev/null) || true
		[ "$(json_get "$j" .failed)" -gt 0 ] && buggy_caught=$((buggy_caught + 1))
		demo_runs=$((demo_runs + 1))
	fi
done
[ $demo_runs = 0 ] || [ $buggy_caught -gt 0 ] || fail "the buggy demo was never caught"
pmemfs_stop
echo "PASS: long.sh: seed $SEED, $iter iterations, $crashes power failures, buggy demo caught in $buggy_caught of $demo_runs crash-tests, ${DURATION}s"
