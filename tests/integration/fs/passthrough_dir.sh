#!/bin/bash
# SPDX-License-Identifier: MIT
# FUSE passthrough on a region directory: a namespace file opened through
# the mount is mapped straight to DIR/ns-<uuid> (pmemctl list -v backing
# "passthrough"), and every promise of the daemon path still holds:
# - write(2) (still a WRITE to the daemon) and stores through a mapping
#   (never seen by it) are one page cache: each sees the other at once;
# - fsync and fdatasync after stores through a mapping that the daemon never
#   saw (no msync) leave cachestat of the namespace FILE clean: a persist
#   syncs the whole file; so does msync(MS_SYNC), handled by the kernel;
# - the size never changes: write(2) past the end is ENOSPC, ftruncate up
#   EPERM, the file stays its size;
# - a read-only namespace passes through for reading only: a shared
#   writable mapping is refused (EACCES), an open for writing is EROFS;
# - -o passthrough=off serves the same namespace through the daemon
#   ("direct"), and the data is the same; so does a daemon without
#   CAP_SYS_ADMIN in the initial user namespace (auto falls back, logged).
# On a kernel without FUSE passthrough (Linux < 6.9) the daemon says why
# and the passthrough assertions are skipped with a note; the rest runs.
. "$(dirname "$0")/fslib.sh"
LAYOUT=dir

D=$T/rdir
"$PMEMCTL" create-region --layout dir --size 32M "$D" >/dev/null || fail "create-region"
u1=$(json_get "$("$PMEMCTL" create-namespace --file "$D" -s 8M -n ns1)" .uuid)
u2=$(json_get "$("$PMEMCTL" create-namespace --file "$D" -s 4M -n ro --read-only)" .uuid)
F1=$D/ns-$u1 F2=$D/ns-$u2
"$NSIO" fill "$F2" 0 4194304 0x5a
pmemfs_start "$D"
f=$MNT/region0/ns1 r=$MNT/region0/ro

# not opened yet: the daemon's data path
assert_eq direct "$(ns_backing ns1)" "backing before the first open"
"$NSIO" write "$f" 0 65536 1 fsync
PT=1
pt_expect ns1 || PT=0
cache_clean "$F1" 0 8388608 "fsync of write(2)"

# a mapping's store, read back by read(2) through the daemon at once
"$NSIO" mmap-write "$f" 8192 4096 2 hold >"$T/hold.out" &
holder=$!
at_exit "kill -9 $holder 2>/dev/null || true"
for ((i = 0; i < 200; i++)); do [ -s "$T/hold.out" ] && break; sleep 0.05; done
[ -s "$T/hold.out" ] || fail "mapping holder did not start"
"$NSIO" verify "$f" 8192 4096 2 || fail "read(2) does not see the mapping's store"
# ... and a write(2) seen through the mapping: the holder's pages are the
# file's (python maps the file again, as another process would)
"$NSIO" write "$f" 12288 4096 3 none
python3 - "$f" <<'PY' || fail "a mapping does not see write(2)"
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, 8 << 20, mmap.MAP_SHARED)
os.lseek(fd, 12288, 0)
sys.exit(0 if m[12288:16384] == os.read(fd, 4096) else 1)
PY
if [ "$PT" = 1 ]; then
	# the store is in the file's page cache, not yet durable: fsync of
	# another descriptor makes the WHOLE file durable
	"$NSIO" verify "$F1" 8192 4096 2 || fail "the mapping's store is not in the namespace file"
fi
"$NSIO" fsync "$f"
cache_clean "$F1" 0 8388608 "fsync after a store through a mapping"
kill -9 $holder
wait $holder 2>/dev/null || true
"$NSIO" verify "$F1" 8192 4096 2 || fail "the mapping's store is not in the namespace file"

# fdatasync after mapping stores (no msync), from the process that mapped
python3 - "$f" <<'PY' || fail "store + fdatasync"
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, 8 << 20, mmap.MAP_SHARED)
m[1 << 20:(1 << 20) + 8192] = b"\x77" * 8192
os.fdatasync(fd)
PY
cache_clean "$F1" 0 8388608 "fdatasync after a store through a mapping"
"$NSIO" check-byte "$F1" $((1 << 20)) 8192 0x77 || fail "fdatasync: bytes not in the file"
# msync(MS_SYNC) on a passthrough mapping never reaches the daemon: the
# kernel syncs the file itself
"$NSIO" mmap-write "$f" $((2 << 20)) 100000 4 msync
cache_clean "$F1" 0 8388608 "msync"
"$NSIO" verify "$F1" $((2 << 20)) 100000 4 || fail "msync: bytes not in the file"

# the size never changes
run_cmd "$NSIO" write "$f" 8388608 4096 5 none
[ "$rc" != 0 ] || fail "write(2) at the end succeeded"
assert_contains "$err" "ENOSPC" "write(2) at the end"
run_cmd truncate -s 16M "$f"
[ "$rc" != 0 ] || fail "truncate up succeeded"
assert_eq 8388608 "$(stat -c %s "$f")" "size through the mount"
assert_eq 8388608 "$(stat -c %s "$F1")" "namespace file size"

# a read-only namespace: read(2) straight from the file, never written
"$NSIO" check-byte "$r" 0 4194304 0x5a || fail "read-only namespace's bytes"
[ "$PT" = 0 ] || assert_eq passthrough "$(ns_backing ro)" "read-only namespace's backing"
run_cmd python3 - "$r" <<'PY'
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
try:
    m = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    m[0:1] = b"x"
    print("mapped writable")
except PermissionError:
    print("EACCES")
PY
assert_eq EACCES "$out" "shared writable mapping of a read-only namespace"
run_cmd "$NSIO" write "$r" 0 4096 6 none
[ "$rc" != 0 ] || fail "write to a read-only namespace succeeded"
"$NSIO" check-byte "$F2" 0 4194304 0x5a || fail "read-only namespace's file changed"
pmemfs_stop

# passthrough=off: the same bytes through the daemon
pmemfs_start -o passthrough=off "$D"
"$NSIO" verify "$f" 8192 4096 2 || fail "passthrough=off: bytes"
assert_eq direct "$(ns_backing ns1)" "backing with passthrough=off"
pmemfs_stop

# a daemon without CAP_SYS_ADMIN in the initial user namespace (root of a
# user namespace of its own): auto falls back, says why, and serves the
# region directory through the daemon, durably
if unshare -U -r true 2>/dev/null; then
	UNS=$T/userns.log
	unshare -U -r -m --propagation private bash -c '
		"$1" -f -o ctl="$2/uns.sock" "$3" "$4" >"$5" 2>&1 &
		pid=$!
		for ((i = 0; i < 250; i++)); do
			grep -q "^pmemfs: serving " "$5" && break
			kill -0 $pid 2>/dev/null || break
			sleep 0.02
		done
		"$6" mmap-write "$4/region0/ns1" 65536 8192 9 msync || echo "userns: store failed" >"$5.2"
		"$6" cachestat "$7" 0 8388608 >>"$5.2"
		umount "$4"
		wait $pid
		echo "userns daemon exit $?" >>"$5.2"' _ "$PMEMFS" "$T" "$D" "$MNT" "$UNS" \
		"$PMEMFS_BUILD_ROOT/tests/integration/fs/nsio" "$F1"
	out=$(cat "$UNS" "$UNS.2")
	assert_contains "$out" "FUSE passthrough: off, every namespace is served through the daemon" "userns: fallback"
	# (a kernel without passthrough says that first)
	[ "$PT" = 0 ] || assert_contains "$out" "runs in a user namespace" "userns: why"
	assert_not_contains "$out" "store failed" "userns: a mapping's store + msync"
	assert_contains "$out" "dirty=0 writeback=0" "userns: msync durable"
	assert_contains "$out" "userns daemon exit 0" "userns: served and exited"
	"$NSIO" verify "$F1" 65536 8192 9 || fail "userns: the store is not in the file"
else
	echo "note: no unprivileged user namespaces here: the fallback without CAP_SYS_ADMIN is not tested" >&2
fi
