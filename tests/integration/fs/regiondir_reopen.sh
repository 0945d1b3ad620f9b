#!/bin/bash
# SPDX-License-Identifier: MIT
# A region directory's namespace files are opened on demand (issue 16.5's
# open-file limit): its descriptors are opened at a namespace's first
# open and closed once it is idle. Every open checks the name still leads
# to the file the namespace served since the mount (device and inode, a
# regular file of its size with one name, never through a link), so a
# file changed behind the daemon is never served: the opens get EIO, the
# daemon logs why, the namespace fails every later fsync, and the other
# namespaces go on. Attacked here:
# - a's file replaced (rename over it) once its descriptors were closed
#   (pushed out by opening more than the idle bound of other namespaces);
# - b's file replaced while its descriptors are still open, idle;
# - c's file truncated behind the daemon; d's given a second name (a hard
#   link, as another user's link to it would); e's replaced by another
#   user's file; f's by a symbolic link to a file of ours;
# - h mapped, its descriptor closed (with passthrough its last RELEASE
#   comes at close(2), the mapping storing into the file unseen): its
#   file stays open in the daemon however many others are used; once the
#   mapping is gone it is closed like the others, what the mapping stored
#   durable;
# - the directory renamed while mounted: g still opens, its bytes land in
#   its file under the new name.
. "$(dirname "$0")/fslib.sh"

[ "$(id -u)" = 0 ] || skip "another user's file needs root (chown)"
D=$T/rdir
"$PMEMCTL" create-region --layout dir --size 64M "$D" >/dev/null || fail "create-region"
declare -A U
for n in a b c d e f g h; do
	U[$n]=$("$PMEMCTL" create-namespace --file "$D" -s 1M -a 4K -n $n | jq -r .uuid) ||
		fail "create $n"
done
# more than the idle bound (64) of namespaces to open and close
for ((i = 0; i < 70; i++)); do
	"$PMEMCTL" create-namespace --file "$D" -s 64K -a 4K -n "x$i" >/dev/null || fail "create x$i"
done
pmemfs_start "$D"
M=$MNT/region0
for n in a b c d e f g h; do
	"$NSIO" write "$M/$n" 0 1048576 1 fsync || fail "writing $n"
done
fds() { ls -l /proc/"$DAEMON_PID"/fd 2>/dev/null; }
# other: a file of 1 MiB of 0x99 beside them, to put in a namespace's place
other() {
	truncate -s 1M "$D/other"
	"$PMEMFS_BUILD_ROOT/tests/integration/fs/nsio" fill "$D/other" 0 1048576 0x99
}
# a: its descriptors closed (70 others opened and closed since), then replaced
for ((i = 0; i < 70; i++)); do
	"$NSIO" verify "$M/x$i" 0 4096 0 >/dev/null 2>&1 || true
done
fds | grep -q "ns-${U[a]}" && fail "a's file is still open after 70 other namespaces were used"
other
mv -f "$D/other" "$D/ns-${U[a]}"
run_cmd "$NSIO" verify "$M/a" 0 4096 1
assert_contains "$err" "EIO" "a's open after its file was replaced"
grep -q "namespace0.0: its namespace file is not the one it served (replaced behind pmemfs" "$T/daemon.log" ||
	fail "a's replacement is not logged: $(tail -3 "$T/daemon.log")"
run_cmd dd if="$M/a" bs=4096 count=1 status=none
[ "$rc" != 0 ] || fail "a read after its replacement"
assert_not_contains "$(printf '%s' "$out" | od -An -tx1 | head -1)" "99" "a's bytes read"
# b: replaced while its descriptors are open, idle (opened again: the
# most recently used)
"$NSIO" verify "$M/b" 0 4096 1 || fail "b before its replacement"
fds | grep -q "ns-${U[b]}" || fail "b's file is not open, idle (the idle list should hold it)"
other
mv -f "$D/other" "$D/ns-${U[b]}"
run_cmd "$NSIO" fsync "$M/b"
assert_contains "$err" "EIO" "b's open after its file was replaced"
# c: truncated behind the daemon
truncate -s 512K "$D/ns-${U[c]}"
run_cmd "$NSIO" verify "$M/c" 0 4096 1
assert_contains "$err" "EIO" "c's open after its file was truncated"
grep -q "namespace0.2: namespace file '.*ns-${U[c]}' is 524288 bytes, the namespace 1 MiB" "$T/daemon.log" ||
	fail "c's truncation is not logged: $(tail -3 "$T/daemon.log")"
# d: a second name (another user's hard link to it, say)
ln "$D/ns-${U[d]}" "$T/d.link"
run_cmd "$NSIO" verify "$M/d" 0 4096 1
assert_contains "$err" "EIO" "d's open with a second name"
grep -q "namespace0.3: .*has 2 names (hard links): refused" "$T/daemon.log" ||
	fail "d's hard link is not logged"
# e: another user's file of the same size in its place
other
chown 65534:65534 "$D/other"
mv -f "$D/other" "$D/ns-${U[e]}"
run_cmd "$NSIO" verify "$M/e" 0 4096 1
assert_contains "$err" "EIO" "e's open after another user's file took its place"
# f: a symbolic link to a file of ours (g's): never followed
mv -f "$D/ns-${U[f]}" "$T/f.moved"
ln -s "$D/ns-${U[g]}" "$D/ns-${U[f]}"
run_cmd "$NSIO" verify "$M/f" 0 4096 1
assert_contains "$err" "EIO" "f's open through a symbolic link"
grep -q "namespace0.5: .*is a symbolic link: refused" "$T/daemon.log" || fail "f's link is not logged"
# each of them fails every later fsync (their earlier writes were durable:
# what they lost is the file they served)
for n in a b c d e f; do
	run_cmd "$NSIO" fsync "$M/$n"
	[ "$rc" != 0 ] || fail "$n: fsync succeeded after its file changed behind pmemfs"
done
# h: mapped, no descriptor of the mapper's left
"$NSIO" mmap-write "$M/h" 65536 131072 9 maponly >"$T/map.out" &
mp=$!
at_exit "kill -9 $mp 2>/dev/null || true"
for ((i = 0; i < 100; i++)); do [ -s "$T/map.out" ] && break; sleep 0.05; done
[ -s "$T/map.out" ] || fail "h's mapping holder did not start"
used() {
	for ((i = 0; i < 70; i++)); do
		"$NSIO" verify "$M/x$i" 0 4096 0 >/dev/null 2>&1 || true
	done
}
used
fds | grep -q "ns-${U[h]}" || fail "h's file was closed while a mapping of it remains"
kill -9 $mp
wait $mp 2>/dev/null || true
used
fds | grep -q "ns-${U[h]}" && fail "h's file is still open once its mapping is gone"
cache_clean "$D/ns-${U[h]}" 0 1048576 "h's close"
"$PMEMFS_BUILD_ROOT/tests/integration/fs/nsio" verify "$D/ns-${U[h]}" 65536 131072 9 ||
	fail "what h's mapping stored is not in its file"
# the directory renamed while mounted: the daemon holds it by descriptor
mv "$D" "$T/rdir.moved"
"$NSIO" write "$M/g" 0 65536 7 fsync || fail "g after the directory was renamed"
"$NSIO" write "$M/x0" 0 4096 8 fsync || fail "x0 (closed, idle) after the directory was renamed"
"$PMEMFS_BUILD_ROOT/tests/integration/fs/nsio" verify "$T/rdir.moved/ns-${U[g]}" 0 65536 7 ||
	fail "g's bytes are not in its file in the renamed directory"
kill -0 "$DAEMON_PID" || fail "the daemon died"
fusermount3 -u "$MNT"
wait "$DAEMON_PID" || true	# exits non-zero: namespaces failed
DAEMON_PID=
echo "PASS: $TEST_NAME"
