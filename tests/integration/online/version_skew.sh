#!/bin/bash
# SPDX-License-Identifier: MIT
# pmemctl and a daemon of another version (issue 17, item 9: no
# "attribute N" text alone reaches a user). A daemon older than pmemctl
# refuses an attribute it does not know; a newer one sends one pmemctl
# does not know. Either is said as what it means, which side is older and
# what to do, with the protocol's words after it. The daemon is a stand-in
# speaking the wire format (fake_daemon.py): no FUSE needed.
. "$PMEMFS_TESTLIB"
set -e
command -v python3 >/dev/null || skip "python3 not installed"

FAKE=$PMEMFS_SOURCE_ROOT/tests/integration/online/fake_daemon.py

# fake MODE: a stand-in daemon at $T/MODE.sock, serving one client
fake() {
	python3 "$FAKE" "$T/$1.sock" "$1" >"$T/$1.out" &
	at_exit "kill $! 2>/dev/null"
	local i
	for ((i = 0; i < 250; i++)); do
		grep -q listening "$T/$1.out" 2>/dev/null && return 0
		sleep 0.02
	done
	fail "the stand-in daemon did not start"
}

fake older
expect_exit 234 "$PMEMCTL" list --socket "$T/older.sock"
assert_contains "$err" "the daemon at '$T/older.sock' is older than this pmemctl and does not know this request (remount with this version's pmemfs, or use the pmemctl of the daemon's version); it said: unknown attribute 31" \
	"a daemon older than pmemctl"

# a daemon before list -H's health command: listed without "health",
# said once (a newer pmemctl; an older one never sends the command)
fake nohealth
expect_exit 0 "$PMEMCTL" list -R -H --socket "$T/nohealth.sock"
assert_eq region0 "$(json_get "$out" '.[0].dev')" "listed by a daemon without health"
assert_eq null "$(json_get "$out" '.[0].health')" "no health from a daemon without it"
assert_contains "$err" "the daemon of '/fake' is older than this pmemctl and keeps no health: listed without -H's fields" \
	"a daemon without the health command"

fake newer
expect_exit 234 "$PMEMCTL" list --socket "$T/newer.sock"
assert_contains "$err" "the daemon at '$T/newer.sock' is newer than this pmemctl: its reply carries what this pmemctl does not know (use the pmemctl of the daemon's version)" \
	"a daemon newer than pmemctl"
# a daemon of another protocol version: pmemctl sends VERSION and the
# request in one write (one round trip) and still checks the version
# first; the stand-in refuses the request as a real daemon refuses one of
# another version, unread (olclient raw, "version mismatch")
fake proto2
expect_exit 163 "$PMEMCTL" create-namespace -s 2M -n never --socket "$T/proto2.sock"
assert_contains "$err" "the daemon at '$T/proto2.sock' speaks control protocol 2, this pmemctl 1: use the pmemctl of the daemon's version" \
	"a daemon of another protocol version"
assert_eq "" "$out" "nothing printed for a daemon of another protocol version"
echo "PASS: $TEST_NAME"
