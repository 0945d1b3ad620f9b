#!/bin/bash
# SPDX-License-Identifier: MIT
# The daemon under a file-size limit (ulimit -f, RLIMIT_FSIZE) that falls
# inside namespace b's data in its backing file: a write crossing it is
# cut short by the kernel (a short pwrite, then EFBIG) and fails with EIO
# for b alone, sticky and logged; the daemon does not die of SIGXFSZ (it
# did: every namespace of the mount went with it, ENOTCONN), a stays
# served, and b's bytes below the limit are its own.
. "$(dirname "$0")/fslib.sh"

R=$T/r
region_create "$R" 64M
da=$(ns_create "$R" 16M a)
db=$(ns_create "$R" 16M b)
# b's byte 0 in its backing file: its dpa, or 0 of its own file
off=$db
[ "$LAYOUT" = dir ] && off=0
# ulimit -f counts 1 KiB blocks: 8 MiB + 1000 bytes into b
lim=$(((off + 8388608 + 1000) / 1024))
cat >"$T/pmemfs-limited" <<EOS
#!/bin/bash
ulimit -f $lim || exit 99
exec "$PMEMFS" "\$@"
EOS
chmod +x "$T/pmemfs-limited"
PMEMFS=$T/pmemfs-limited pmemfs_start "$R"
a=$MNT/region0/a b=$MNT/region0/b

"$NSIO" write "$b" 0 1048576 1 fsync || fail "a write below the limit failed"
# page-aligned, written O_DIRECT where the file system has it
run_cmd "$NSIO_BIN" write "$b" 7340032 2097152 2 fsync
[ "$rc" != 0 ] || fail "a write across the file-size limit succeeded"
assert_contains "$err" "EIO" "a write across the file-size limit"
kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon died of the file-size limit"
mounted || fail "the mount is gone"
run_cmd "$NSIO_BIN" fsync "$b"
assert_contains "$err" "fsync: EIO" "b's next fsync (sticky)"
# an unaligned one across it: buffered
run_cmd "$NSIO_BIN" write "$b" 8387000 5000 3 fsync
[ "$rc" != 0 ] || fail "an unaligned write across the limit succeeded"
kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon died of an unaligned write"
grep -q "namespace0.1: .* failed: File too large" "$T/daemon.log" ||
	fail "b's failure is not logged as the file-size limit: $(cat "$T/daemon.log")"
# a is served as before
"$NSIO" write "$a" 0 1048576 4 fsync || fail "a failed after b hit the limit"
"$NSIO" verify "$R" "$da" 1048576 4 || fail "a's write is not in its backing file"
"$NSIO" verify "$R" "$db" 1048576 1 || fail "b's first write is not in its backing file"
grep -q "namespace0.0: .* failed" "$T/daemon.log" && fail "a was marked failed"
fusermount3 -u "$MNT"
wait "$DAEMON_PID" || true	# exits non-zero: a namespace lost data
DAEMON_PID=
exit 0
