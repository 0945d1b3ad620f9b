#!/bin/bash
# SPDX-License-Identifier: MIT
# pmemctl crash-test's one-per-namespace guard names the namespace (the
# serving daemon and its uuid), not the namespace file's device and inode:
# the kernel gives a new FUSE mount the device number of one unmounted,
# and the first namespace file has the same inode in every mount, so a
# crash-test left running on an unmounted namespace refused one on
# another region ("another crash-test runs on 'x'", exit 240).
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

pf_setup 4M x
id1=$(stat -c '%d/%i' "$F")
# sleeper OUT: a crash-test on x whose clean run sleeps on (its
# application never opens the namespace), in the background ($sleeper),
# returned once that run has started (the copy of the starting content
# is done)
sleeper() {
	"$PMEMCTL" crash-test --mount "$MNT" x --runs 1 --mode moment -- sh -c 'sleep 30' \
		--check true >"$1" 2>&1 &
	sleeper=$!
	at_exit "kill $sleeper 2>/dev/null"
	for ((i = 0; i < 200; i++)); do
		pgrep -P $sleeper -f 'sleep 30' >/dev/null && return 0
		sleep 0.05
	done
	fail "a crash-test's clean run never started: $(cat "$1")"
}

# one left running while its mount goes away
sleeper "$T/c1.out"
c1=$sleeper
pmemfs_stop
kill -0 $c1 2>/dev/null || fail "the first crash-test ended with its mount: $(cat "$T/c1.out")"

# another region, mounted on the same directory: the same device number
# and inode, most likely
region_create "$T/r2.img" 64M
online_start "$T/r2.img"
j=$(pc create-namespace -s 4M -n x) || fail "create-namespace x on the second region"
F2=$(json_get "$j" .path)
id2=$(stat -c '%d/%i' "$F2")
expect_exit 0 "$PMEMCTL" crash-test --mount "$MNT" x --runs 2 --seed 1 -- \
	"$NSIO" write {} 0 8192 3 fsync --check true
assert_eq 2 "$(json_get "$out" .passed)" "the second region's crash-test"
[ "$id1" = "$id2" ] ||
	echo "note: the second mount's namespace file is $id2, not $id1: the reused identity not tried" >&2

# the guard still holds on one namespace (the same daemon and uuid)
sleeper "$T/c2.out"
c2=$sleeper
expect_exit 240 "$PMEMCTL" crash-test --mount "$MNT" x --runs 1 -- true --check true
assert_contains "$err" "another crash-test runs on 'x'" "a second crash-test on one namespace"
kill $c1 $c2
wait $c1 $c2 2>/dev/null || true
pmemfs_stop
