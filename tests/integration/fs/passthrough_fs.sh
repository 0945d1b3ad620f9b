#!/bin/bash
# SPDX-License-Identifier: MIT
# FUSE passthrough on the file systems a region directory may live on (small
# loop-mounted ones): a namespace file is passed through only where a
# store through its mapping can never need a block the file system may not
# have (a SIGBUS with no daemon in between):
# - xfs, preallocated: passed through; with the file system full, stores
#   through a mapping and msync(MS_SYNC) succeed and are durable, write(2)
#   and fsync too;
# - xfs, a reflinked namespace file (shared blocks: copy-on-write): not
#   passed through, logged; served through the daemon;
# - btrfs (copy-on-write, measured: an overwrite through a mapping on a
#   full btrfs is SIGBUS): not passed through, logged; when full, the
#   daemon's write-back fails with ENOSPC, sticky EIO, the daemon lives.
# - a namespace file truncated behind pmemfs: a passthrough mapping made
#   before, storing past its new end, is the kernel's SIGBUS (as for any
#   shared mapping of a shortened file); the namespace's next open fails
#   (EIO, the daemon logs the file's size: region_dir.c checks the file
#   at every open), so write(2) past the end does too.
# On a kernel without FUSE passthrough the passthrough assertions are
# skipped with a note.
. "$(dirname "$0")/fslib.sh"
. "$PMEMFS_SOURCE_ROOT/tests/integration/loopfs.sh"
LAYOUT=dir

# ---- xfs
X=$T/xfs
loopfs_mount xfs 300M "$X"
D=$X/rdir
"$PMEMCTL" create-region --layout dir --size 128M "$D" >/dev/null || fail "create-region on xfs"
ua=$(json_get "$("$PMEMCTL" create-namespace --file "$D" -s 32M -n a)" .uuid)
ub=$(json_get "$("$PMEMCTL" create-namespace --file "$D" -s 32M -n b)" .uuid)
# b shares its blocks with a reflink copy of it (what a copy with
# reflinks, or a snapshot, makes)
"$NSIO" fill "$D/ns-$ub" 0 33554432 0x11
cp --reflink=always "$D/ns-$ub" "$X/copy" || skip "xfs without reflink here"
pmemfs_start "$D"
a=$MNT/region0/a b=$MNT/region0/b
"$NSIO" check-byte "$b" 0 4096 0x11 || fail "b's bytes"
assert_eq direct "$(ns_backing b)" "a reflinked namespace file: not passed through"
if grep -q '^pmemfs: FUSE passthrough: on' "$T/daemon.log"; then
	assert_contains "$(cat "$T/daemon.log")" "FUSE passthrough: not for this namespace, it shares blocks with another file (a reflink copy)" "reflink: why, logged"
fi
"$NSIO" write "$a" 0 4096 1 fsync
PT=1
pt_expect a || PT=0
loopfs_fill "$X"
"$NSIO" mmap-write "$a" 0 8388608 2 msync || fail "xfs full: store + msync through the mapping"
cache_clean "$D/ns-$ua" 0 33554432 "msync on a full xfs"
"$NSIO" verify "$D/ns-$ua" 0 8388608 2 || fail "xfs full: the mapping's stores are not in the file"
"$NSIO" write "$a" 8388608 1048576 3 fsync || fail "xfs full: write + fsync"
cache_clean "$D/ns-$ua" 0 33554432 "fsync on a full xfs"
rm -f "$X/filler" "$X/filler2" "$X/copy"

# truncated behind pmemfs (with a passthrough mapping made before)
if [ "$PT" = 1 ]; then
	run_cmd python3 - "$a" "$D/ns-$ua" <<'PY'
import mmap, os, signal, sys
fd = os.open(sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, 32 << 20, mmap.MAP_SHARED)
os.truncate(sys.argv[2], 16 << 20)
pid = os.fork()
if pid == 0:
    m[20 << 20] = 7
    os._exit(0)
_, st = os.waitpid(pid, 0)
print("SIGBUS" if os.WIFSIGNALED(st) and os.WTERMSIG(st) == signal.SIGBUS else "status %d" % st)
PY
	assert_eq SIGBUS "$out" "a passthrough mapping's store past the truncated end"
else
	truncate -s 16M "$D/ns-$ua"
fi
run_cmd "$NSIO" write "$a" $((20 << 20)) 4096 4 fsync
[ "$rc" != 0 ] || fail "write(2) past the truncated end succeeded"
assert_contains "$err" "EIO" "an open of the truncated namespace"
grep -q "namespace0.0: namespace file '.*ns-$ua' is 16 MiB, the namespace 32 MiB" "$T/daemon.log" ||
	fail "the truncation is not logged: $(tail -3 "$T/daemon.log")"
kill -0 "$DAEMON_PID" || fail "the daemon died"
fusermount3 -u "$MNT"
wait "$DAEMON_PID" 2>/dev/null || true	# exits 1: a's persist at exit fails
DAEMON_PID=

# ---- btrfs
B=$T/btrfs
loopfs_mount btrfs 300M "$B"
D=$B/rdir
"$PMEMCTL" create-region --layout dir --size 128M "$D" >/dev/null || fail "create-region on btrfs"
uc=$(json_get "$("$PMEMCTL" create-namespace --file "$D" -s 32M -n c)" .uuid)
: >"$T/daemon.log"
pmemfs_start "$D"
c=$MNT/region0/c
"$NSIO" write "$c" 0 33554432 5 fsync
assert_eq direct "$(ns_backing c)" "btrfs: not passed through"
if grep -q '^pmemfs: FUSE passthrough: on' "$T/daemon.log"; then
	assert_contains "$(cat "$T/daemon.log")" "FUSE passthrough: not for this namespace, btrfs copies every overwritten block" "btrfs: why, logged"
fi
loopfs_fill "$B"
run_cmd "$NSIO" mmap-write "$c" 0 8388608 6 msync
[ "$rc" != 0 ] || fail "btrfs full: store + msync succeeded"
assert_contains "$err" "EIO" "btrfs full: msync"
kill -0 "$DAEMON_PID" || fail "the daemon died on a full btrfs"
run_cmd "$NSIO" fsync "$c"
assert_contains "$err" "EIO" "btrfs full: sticky"
fusermount3 -u "$MNT"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
