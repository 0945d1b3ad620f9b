#!/bin/bash
# SPDX-License-Identifier: MIT
# libpmem2 on a namespace file: pmemfs refuses MAP_SYNC (as virtio-pmem
# does), so a mapping that requires BYTE or CACHE_LINE store granularity
# fails cleanly (libpmem2's message, nothing written), and PAGE works: the
# bytes a program persisted (msync) are clean in the host page cache when
# the call returned, survive kill -9 of the daemon and are read back after
# a remount. contrib/examples/pmem2_hello reports page granularity too.
. "$(dirname "$0")/e2elib.sh"

GRAN=$E2E_BUILD/pmem2_gran
HELLO=$PMEMFS_BUILD_ROOT/contrib/examples/pmem2_hello
[ -x "$GRAN" ] || fail "$GRAN not built"
[ -x "$HELLO" ] || fail "$HELLO not built"

R=$T/r.img
SIZE=$((16 << 20))
OFF=$((3 << 20))
LEN=$((200 << 10))
SEED=$((RANDOM + 1))
region_create "$R" 64M
ns_create "$R" 8M pad >/dev/null
d=$(ns_create "$R" 16M data)
guard_fill "$R"
pmemfs_start -o backing=buffered "$R"
f=$MNT/region0/data

for g in byte cache-line; do
	expect_exit 1 "$GRAN" "$f" $g $OFF $LEN "$SEED"
	assert_eq "" "$out" "pmem2_gran $g mapped"
	assert_contains "$err" "MAP_SYNC" "pmem2_gran $g: libpmem2's message"
done
guard_check "$R" 0 0	# nothing written

"$GRAN" "$f" page $OFF $LEN "$SEED" hold >"$T/gran.out" 2>&1 &
gpid=$!
at_exit "kill -9 $gpid 2>/dev/null"
for ((i = 0; i < 500; i++)); do
	grep -q '^persisted' "$T/gran.out" && break
	kill -0 $gpid 2>/dev/null || fail "pmem2_gran page exited: $(cat "$T/gran.out")"
	sleep 0.02
done
assert_eq "mapped $SIZE bytes, store granularity page
persisted $LEN bytes at $OFF" "$(cat "$T/gran.out")" "pmem2_gran page"
cache_clean "$R" "$d" "$SIZE"
"$NSIO" verify "$R" $((d + OFF)) $LEN "$SEED" || fail "persisted bytes not in the region file"

kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
kill -9 $gpid
wait $gpid 2>/dev/null || true
fusermount3 -u -z "$MNT"
"$NSIO" verify "$R" $((d + OFF)) $LEN "$SEED" || fail "persisted bytes not in the region file after kill -9"
guard_check "$R" $((d + OFF)) $LEN

pmemfs_start "$R"
"$NSIO" verify "$f" $OFF $LEN "$SEED" || fail "persisted bytes not read back after the remount"
expect_exit 0 "$HELLO" "$f" "pmemfs e2e $SEED" 4096
assert_contains "$out" "(store granularity: page), persisted" "pmem2_hello"
pmemfs_stop
msg="pmemfs e2e $SEED"
cmp -s -n $((${#msg} + 1)) <(printf '%s\0' "$msg") \
	<(region_bytes "$R" $((d + 4096)) 4096) ||
	fail "pmem2_hello's message is not at dpa $d + 4096 of the region file"
