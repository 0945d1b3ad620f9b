#!/bin/bash
# SPDX-License-Identifier: MIT
# A crash in the middle of a create or destroy on a region directory is
# resolved at the next mount by the names it leaves, never by guessing:
# create makes ns-<uuid>.new, commits the label, renames it ns-<uuid>;
# destroy renames ns-<uuid> to ns-<uuid>.gone, commits, unlinks it.
# Offline pmemctl and the daemon (a hot create/destroy) are killed
# (SIGKILL, PMEMFS_TEST_CRASH_DIR: a hook only tests set) at each step:
#   create-new      .new made and durable, no label   -> .new removed
#   create-commit   label committed, still .new       -> renamed, served
#   destroy-gone    renamed .gone, label still there  -> renamed back, served
#                                                        with its bytes
#   destroy-commit  label gone, still .gone           -> .gone removed
# Each is logged. A read-only list before the mount changes nothing and
# says what it found. Another namespace's file and its bytes, and a file
# no label names (data of zeroed labels), are never touched. Then the
# same on small xfs and btrfs loop mounts; ENOSPC during the create of
# the .new file leaves nothing behind, and a destroy whose label commit
# fails (a full btrfs) renames the .gone file back.
. "$(dirname "$0")/onlinelib.sh"
. "$PMEMFS_SOURCE_ROOT/tests/integration/loopfs.sh"

KILLED=137

# entries of D matching a glob, or nothing
has() { compgen -G "$1" >/dev/null; }

# daemon_crashed: the daemon died of the hook; clear the dead mount
daemon_crashed() {
	local rc=0 i
	for ((i = 0; i < 500; i++)); do
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.02
	done
	kill -0 "$DAEMON_PID" 2>/dev/null && fail "the daemon lives on after the crash hook ($1): $err"
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=
	assert_eq $KILLED "$rc" "daemon exit status after the crash hook ($1)"
	fusermount3 -u -z "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
}

# check_others D: the kept namespace's bytes and the plain orphan are intact
check_others() {
	[ -f "$1/ns-$uk" ] || fail "the file of namespace keep was removed"
	assert_eq "$sumk" "$(cksum <"$1/ns-$uk")" "namespace keep's bytes"
	[ -f "$1/$ORPHAN" ] || fail "the file no label names was removed"
	assert_eq "$sumo" "$(cksum <"$1/$ORPHAN")" "the unnamed file's bytes"
}

# logged N TEXT: the daemon log has TEXT in lines after line N
logged() {
	tail -n +"$(($1 + 1))" "$T/daemon.log" | grep -qF -- "$2" ||
		fail "not in the daemon log: $2 ($(tail -n 5 "$T/daemon.log"))"
}

# round D WHO: each crash point, by pmemctl (WHO=cli) or the daemon
round() {
	local D=$1 who=$2 j u n0 reason
	echo "--- $who crashes in $D" >&2

	# create-new: the file made, no label: removed at the mount
	if [ "$who" = cli ]; then
		run_cmd env PMEMFS_TEST_CRASH_DIR=create-new "$PMEMCTL" create-namespace --file "$D" -s 4M -n c1
		assert_eq $KILLED "$rc" "pmemctl killed at create-new"
	else
		PMEMFS_TEST_CRASH_DIR=create-new pmemfs_start "$D"
		run_cmd pc create-namespace -s 4M -n c1
		[ "$rc" != 0 ] || fail "hot create answered though the daemon died"
		daemon_crashed create-new
	fi
	has "$D/ns-*.new" || fail "no .new file after a crash at create-new"
	u=$(basename "$(compgen -G "$D/ns-*.new")" .new)
	u=${u#ns-}
	j=$("$PMEMCTL" list --file "$D" -N 2>"$T/ro.err")
	assert_eq "" "$(json_get "$j" '.[] | select(.name == "c1") | .name')" "c1 listed before its label"
	assert_contains "$(cat "$T/ro.err")" "ns-$u.new" "a read-only list says what it found"
	assert_contains "$(cat "$T/ro.err")" "left as it is" "a read-only list changes nothing"
	[ -f "$D/ns-$u.new" ] || fail "a read-only list removed the .new file"
	n0=$(wc -l <"$T/daemon.log" 2>/dev/null || echo 0)
	pmemfs_start "$D"
	[ ! -e "$D/ns-$u.new" ] || fail "the .new file of an uncommitted create was kept"
	[ ! -e "$D/ns-$u" ] || fail "the .new file of an uncommitted create was renamed"
	logged "$n0" "ns-$u.new' (4194304 bytes), a create interrupted before its label commit"
	[ ! -e "$MNT/region0/c1" ] || fail "c1 served without a label"
	[ -e "$MNT/region0/keep" ] || fail "keep not served"
	pmemfs_stop
	check_others "$D"

	# create-commit: label committed, the file still .new: renamed, served
	if [ "$who" = cli ]; then
		run_cmd env PMEMFS_TEST_CRASH_DIR=create-commit "$PMEMCTL" create-namespace --file "$D" -s 4M -n c2
		assert_eq $KILLED "$rc" "pmemctl killed at create-commit"
	else
		PMEMFS_TEST_CRASH_DIR=create-commit pmemfs_start "$D"
		run_cmd pc create-namespace -s 4M -n c2
		daemon_crashed create-commit
	fi
	j=$("$PMEMCTL" list --file "$D" -N -i 2>/dev/null)
	u=$(json_get "$j" '.[] | select(.name == "c2") | .uuid')
	[ -n "$u" ] && [ "$u" != null ] || fail "no label for c2 after a crash at create-commit"
	[ -f "$D/ns-$u.new" ] && [ ! -e "$D/ns-$u" ] || fail "c2's file is not ns-$u.new"
	reason=$(json_get "$j" '.[] | select(.name == "c2") | .reason')
	assert_contains "$reason" "still ns-$u.new" "read-only list: c2's reason"
	n0=$(wc -l <"$T/daemon.log")
	pmemfs_start "$D"
	[ -f "$D/ns-$u" ] && [ ! -e "$D/ns-$u.new" ] || fail "c2's .new file not renamed at the mount"
	logged "$n0" "a create interrupted after its label commit: renamed to 'ns-$u'"
	[ -e "$MNT/region0/c2" ] || fail "c2 not served after the rename"
	assert_eq 4194304 "$(stat -c %s "$MNT/region0/c2")" "c2's size"
	"$NSIO" write "$MNT/region0/c2" 8192 65536 0x5c fsync || fail "write to c2"
	pmemfs_stop
	check_others "$D"
	sum2=$(cksum <"$D/ns-$u")

	# destroy-gone: renamed .gone, the label still there: renamed back
	if [ "$who" = cli ]; then
		run_cmd env PMEMFS_TEST_CRASH_DIR=destroy-gone "$PMEMCTL" destroy-namespace --file "$D" c2
		assert_eq $KILLED "$rc" "pmemctl killed at destroy-gone"
	else
		PMEMFS_TEST_CRASH_DIR=destroy-gone pmemfs_start "$D"
		run_cmd pc destroy-namespace -f c2
		daemon_crashed destroy-gone
	fi
	[ -f "$D/ns-$u.gone" ] && [ ! -e "$D/ns-$u" ] || fail "no ns-$u.gone after a crash at destroy-gone"
	j=$("$PMEMCTL" list --file "$D" -N -i 2>/dev/null)
	assert_contains "$(json_get "$j" '.[] | select(.name == "c2") | .reason')" "ns-$u.gone" "read-only list: c2's reason"
	n0=$(wc -l <"$T/daemon.log")
	pmemfs_start "$D"
	[ -f "$D/ns-$u" ] && [ ! -e "$D/ns-$u.gone" ] || fail "c2's .gone file not renamed back"
	logged "$n0" "a destroy interrupted before its label commit: renamed back to 'ns-$u'"
	[ -e "$MNT/region0/c2" ] || fail "c2 not served after the rename back"
	"$NSIO" verify "$MNT/region0/c2" 8192 65536 0x5c || fail "c2's bytes after the rename back"
	pmemfs_stop
	assert_eq "$sum2" "$(cksum <"$D/ns-$u")" "c2's file after the rename back"
	check_others "$D"

	# destroy-commit: the label gone, still .gone: removed
	if [ "$who" = cli ]; then
		run_cmd env PMEMFS_TEST_CRASH_DIR=destroy-commit "$PMEMCTL" destroy-namespace --file "$D" c2
		assert_eq $KILLED "$rc" "pmemctl killed at destroy-commit"
	else
		PMEMFS_TEST_CRASH_DIR=destroy-commit pmemfs_start "$D"
		run_cmd pc destroy-namespace -f c2
		daemon_crashed destroy-commit
	fi
	[ -f "$D/ns-$u.gone" ] || fail "no ns-$u.gone after a crash at destroy-commit"
	j=$("$PMEMCTL" list --file "$D" -N 2>"$T/ro.err")
	assert_eq "" "$(json_get "$j" '.[] | select(.name == "c2") | .name')" "c2 listed after its label commit"
	assert_contains "$(cat "$T/ro.err")" "ns-$u.gone" "a read-only list says what it found"
	n0=$(wc -l <"$T/daemon.log")
	pmemfs_start "$D"
	[ ! -e "$D/ns-$u.gone" ] && [ ! -e "$D/ns-$u" ] || fail "c2's .gone file not removed"
	logged "$n0" "a destroy interrupted after its label commit: removed"
	[ ! -e "$MNT/region0/c2" ] || fail "c2 served after its destroy"
	[ -e "$MNT/region0/keep" ] || fail "keep not served"
	pmemfs_stop
	check_others "$D"
	! has "$D/ns-*.new" && ! has "$D/ns-*.gone" || fail "leftovers: $(ls "$D")"
}

# setup D: a region directory with namespace keep (its bytes set) and a
# file no label names (as zero-labels + init-labels leave one)
setup() {
	local D=$1 j
	"$PMEMCTL" create-region --layout dir --size 64M "$D" >/dev/null || fail "create-region $D"
	j=$("$PMEMCTL" create-namespace --file "$D" -s 8M -n keep) || fail "create keep"
	uk=$(json_get "$j" .uuid)
	"$PMEMFS_BUILD_ROOT/tests/integration/fs/nsio" fill "$D/ns-$uk" 0 8388608 0x3e
	sumk=$(cksum <"$D/ns-$uk")
	ORPHAN=ns-0badc0de-1111-2222-3333-444444444444
	head -c 2097152 /dev/urandom >"$D/$ORPHAN"
	sumo=$(cksum <"$D/$ORPHAN")
}

setup "$T/rdir"
round "$T/rdir" cli
round "$T/rdir" daemon

# the hook is off without the variable: a plain create and destroy
j=$("$PMEMCTL" create-namespace --file "$T/rdir" -s 2M -n plain) || fail "create without the hook"
u=$(json_get "$j" .uuid)
[ -f "$T/rdir/ns-$u" ] || fail "no ns-$u after a plain create"
"$PMEMCTL" destroy-namespace --file "$T/rdir" plain >/dev/null 2>&1 || fail "destroy without the hook"
[ ! -e "$T/rdir/ns-$u" ] && ! has "$T/rdir/ns-$u.*" || fail "files left by a plain destroy"

# a file of that uuid already there: create refuses before making anything
touch "$T/rdir/ns-12345678-aaaa-bbbb-cccc-123456789abc"
run_cmd "$PMEMCTL" create-namespace --file "$T/rdir" -s 2M -n taken --uuid 12345678-aaaa-bbbb-cccc-123456789abc
[ "$rc" != 0 ] || fail "create over an existing ns-<uuid>"
assert_contains "$err" "already there" "create over an existing file: the error"
! has "$T/rdir/ns-12345678-aaaa-bbbb-cccc-123456789abc.*" || fail "a create refused left a file"
rm "$T/rdir/ns-12345678-aaaa-bbbb-cccc-123456789abc"

# the same on xfs and btrfs (where they can be mounted), and ENOSPC
# while the .new file is preallocated leaves nothing behind
for fs in xfs btrfs; do
	if [ "$(id -u)" != 0 ] || ! command -v "mkfs.$fs" >/dev/null || [ ! -e /dev/loop-control ]; then
		echo "note: the $fs round needs root, mkfs.$fs and loop devices: skipped" >&2
		continue
	fi
	loopfs_mount "$fs" 320M "$T/$fs"
	setup "$T/$fs/rdir"
	round "$T/$fs/rdir" cli
	round "$T/$fs/rdir" daemon
	loopfs_fill "$T/$fs"
	run_cmd "$PMEMCTL" create-namespace --file "$T/$fs/rdir" -s 16M -n full
	[ "$rc" != 0 ] || fail "$fs: create on a full file system succeeded"
	assert_contains "$err" "No space left" "$fs: the ENOSPC error"
	! has "$T/$fs/rdir/ns-*.new" || fail "$fs: ENOSPC left $(ls "$T/$fs/rdir")"
	check_others "$T/$fs/rdir"
	# a full btrfs fails the label commit of a destroy (copy-on-write
	# needs new blocks): the .gone rename is undone, the file keeps its
	# name and its bytes, the namespace its label
	if [ "$fs" = btrfs ]; then
		run_cmd "$PMEMCTL" destroy-namespace --file "$T/$fs/rdir" keep
		if [ "$rc" != 0 ]; then
			assert_contains "$err" "No space left" "btrfs: the failed destroy's error"
			check_others "$T/$fs/rdir"
			! has "$T/$fs/rdir/ns-*.gone" || fail "btrfs: a failed destroy left a .gone"
			j=$("$PMEMCTL" list --file "$T/$fs/rdir" -N 2>/dev/null)
			assert_eq keep "$(json_get "$j" '.[] | select(.name == "keep") | .name')" "btrfs: keep after a failed destroy"
		else
			echo "note: the destroy's commit did not fail on this full btrfs: its undo is not exercised" >&2
		fi
	fi
	rm -f "$T/$fs/filler" "$T/$fs/filler2"
done
exit 0
