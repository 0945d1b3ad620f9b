#!/bin/bash
# SPDX-License-Identifier: MIT
# A refusal names holders by /proc/PID/comm, which any process sets for
# itself (prctl PR_SET_NAME, /proc/self/comm): a comm with an escape
# sequence, a '%' and a newline-free control byte reaches the user's
# terminal as '?'s, never raw; '%' is printed as itself (no format).
. "$(dirname "$0")/onlinelib.sh"

R=$T/r.img
region_create "$R" 64M
online_start "$R"
pc create-namespace -s 2M -n held >/dev/null || fail "create held"

# the holder: a shell that opens the namespace and renames itself
(
	exec 3<"$MNT/region0/held"
	printf 'x\033[2J%%n\001y' >"/proc/$BASHPID/comm"
	echo ready >"$T/holder.out"
	while :; do sleep 1 3<&-; done
) &
hp=$!
at_exit "kill -9 $hp 2>/dev/null"
wait_until 10 grep -q ready "$T/holder.out" || fail "holder not ready"
wait_until 10 sh -c "readlink /proc/$hp/fd/3 | grep -q region0/held" || fail "holder did not open held"

expect_exit 240 pc destroy-namespace held
assert_contains "$err" "in use by pid $hp (x?[2J%n?y)" "destroy: the comm shown with '?' for control bytes"
case $err in
*$'\033'* | *$'\001'*) fail "destroy: a control byte of a holder's comm reached the terminal raw" ;;
esac
expect_exit 240 pc disable-namespace held
assert_contains "$err" "in use by pid $hp (x?[2J%n?y)" "disable: the comm shown with '?'"
case $err in
*$'\033'* | *$'\001'*) fail "disable: a control byte of a holder's comm reached the terminal raw" ;;
esac
echo "PASS: $TEST_NAME"
