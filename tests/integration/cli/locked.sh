#!/bin/bash
# SPDX-License-Identifier: MIT
# A region opened by another writer (its lock held by a second process):
# every changing command fails with EBUSY (240) naming the file, changes
# nothing; read-only commands (list, read-labels, check-labels) still work.
. "$PMEMFS_TESTLIB"
set -e

HOLD=$PMEMFS_BUILD_ROOT/tests/integration/cli/hold_region
[ -x "$HOLD" ] || fail "hold_region not built at $HOLD"

R=$T/r.img
"$PMEMCTL" create-region --size 32M "$R" >/dev/null
"$PMEMCTL" create-namespace --file "$R" -s 4M -n vm1 >/dev/null

"$HOLD" "$R" >"$T/hold.out" 2>"$T/hold.err" &
hold_pid=$!
at_exit "kill $hold_pid 2>/dev/null; wait $hold_pid 2>/dev/null"
for _ in $(seq 100); do
	grep -q ready "$T/hold.out" && break
	kill -0 "$hold_pid" 2>/dev/null || fail "hold_region exited: $(cat "$T/hold.err")"
	sleep 0.05
done
grep -q ready "$T/hold.out" || fail "hold_region never got the region"
cp "$R" "$T/orig.img"

for cmd in "create-namespace -s 2M -n vm2" "destroy-namespace vm1" \
	"rename-namespace vm1 vm3" "init-labels -f" "zero-labels"; do
	# shellcheck disable=SC2086
	expect_exit 240 "$PMEMCTL" $cmd --file "$R"
	name=${cmd%% *}
	assert_contains "$err" "pmemctl $name: region '$R' is in use by another process" \
		"$name on a locked region"
	cmp "$R" "$T/orig.img" || fail "$name changed a locked region"
done

# readers take no lock
expect_exit 0 "$PMEMCTL" list --file "$R"
assert_eq "vm1" "$(json_get "$out" '.[0].name')" "list on a locked region"
expect_exit 0 "$PMEMCTL" read-labels --file "$R" -j
expect_exit 0 "$PMEMCTL" check-labels --file "$R"

# the lock goes with its holder
kill "$hold_pid"
wait "$hold_pid" 2>/dev/null || true
expect_exit 0 "$PMEMCTL" create-namespace --file "$R" -s 2M -n vm2
echo "PASS: $TEST_NAME"
