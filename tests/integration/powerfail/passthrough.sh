#!/bin/bash
# SPDX-License-Identifier: MIT
# Crash testing and media errors on a namespace passed through (a region
# directory with FUSE passthrough): a mapping's stores never pass the
# daemon, so power-fail --enable and inject-error are refused while a
# passthrough open or mapping of the namespace remains, naming it and the
# processes (a mapping whose descriptor is closed too: RELEASE came, the
# mapping writes the file); once none remains they apply, list -v says
# the namespace is no longer passed through, new opens go through the
# daemon (the kernel would fail an open of the other I/O mode beside a
# passthrough one: none is handed out) and see what the mappings stored.
# Always on a region directory; on a kernel without FUSE passthrough the
# refusals are not asked for (a note), the rest runs.
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"
LAYOUT=dir

pf_setup 8M a
pc create-namespace -s 4M -n b >/dev/null || fail "create b"
at_exit 'kill -9 $(jobs -p) 2>/dev/null'
"$NSIO" write "$F" 0 65536 1 fsync
PT=1
pt_expect a || PT=0

if [ "$PT" = 1 ]; then
	# only mapped: its descriptor closed, the mapping stores on
	: >"$T/map.out"
	"$NSIO" mmap-write "$F" 8192 4096 2 maponly >"$T/map.out" &
	mp=$!
	wait_line "$T/map.out" ready
	expect_exit 240 pc power-fail a --enable
	assert_contains "$err" "crash testing on namespace 'a'" "mapped: power-fail --enable refused"
	assert_contains "$err" "open or mapped with FUSE passthrough by pid $mp (nsio)" "mapped: names the pid"
	expect_exit 240 pc inject-error a --block 8 --count 1
	assert_contains "$err" "media errors on namespace 'a'" "mapped: inject-error refused"
	assert_contains "$err" "pid $mp (nsio)" "mapped: inject-error names the pid"
	run_cmd pc crash-test a --runs 1 -- true --check true
	[ "$rc" != 0 ] || fail "crash-test ran on a passthrough mapping"
	assert_contains "$err" "pid $mp (nsio)" "mapped: crash-test refused"
	assert_eq false "$(pf_status a crash_test)" "not enabled after the refusals"
	assert_eq passthrough "$(ns_backing a)" "still passed through"
	# open only (a descriptor, no mapping)
	sleep 1000 <"$F" &
	sp=$!
	kill -9 $mp
	pid_wait_gone $mp || fail "mapping holder still there"
	wait_until 10 sh -c "readlink /proc/$sp/fd/0 | grep -q region0/a" || fail "sleep did not open a"
	expect_exit 240 pc power-fail a --enable
	assert_contains "$err" "pid $sp (sleep)" "open: names the pid"
	kill -9 $sp
	pid_wait_gone $sp || fail "sleep still there"
	# the neighbour was never refused
	expect_exit 0 pc power-fail b --enable
fi

# nobody holds it: both apply; new opens go through the daemon
wait_until 10 pc power-fail a --enable >/dev/null || fail "power-fail --enable refused with no holder: $(cat "$T/timed.err" 2>/dev/null)"
assert_eq true "$(pf_status a crash_test)" "enabled"
assert_eq direct "$(ns_backing a)" "backing once crash testing is on"
# what the passthrough mapping stored is what an open through the daemon sees
[ "$PT" = 0 ] || "$NSIO" verify "$F" 8192 4096 2 || fail "the mapping's store not seen through the daemon"
"$NSIO" write "$F" 0 65536 3 fsync
"$NSIO" write "$F" 0 65536 4 none
expect_exit 0 pc power-fail a
"$NSIO" verify "$F" 0 65536 3 || fail "not reverted to the last fsync"
expect_exit 0 pc inject-error a --block 100 --count 1
run_cmd "$NSIO" verify "$F" $((100 * 512)) 512 3
[ "$rc" != 0 ] || fail "read of an injected media error succeeded"
pmemfs_stop
