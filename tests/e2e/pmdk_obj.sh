#!/bin/bash
# SPDX-License-Identifier: MIT
# PMDK on a namespace file: pmempool create obj / check / info succeed on
# a fresh namespace; a libpmemobj program (contrib/examples/pmemobj_list)
# allocates and persists objects, the range is clean in the host page
# cache when its last pmemobj_persist() returned, the daemon is killed
# with -9 while the pool is still open, and after a remount every object
# is there, the pool is consistent and takes more objects.
. "$(dirname "$0")/e2elib.sh"

command -v pmempool >/dev/null || fail "pmempool not installed: $INSTALL_HINT"
OBJ=$PMEMFS_BUILD_ROOT/contrib/examples/pmemobj_list
[ -x "$OBJ" ] ||
	fail "$OBJ not built (no libpmemobj when meson configured): $INSTALL_HINT, then meson setup --reconfigure"

R=$T/r.img
SIZE=$((32 << 20))
SEED=$((RANDOM + 1))
region_create "$R" 128M
ns_create "$R" 16M pad >/dev/null
d=$(ns_create "$R" 32M pool)
# buffered data path: only the daemon's persist makes the range clean
pmemfs_start -o backing=buffered "$R"
f=$MNT/region0/pool

expect_exit 0 pmempool create obj --layout=pmemfs-list "$f"
expect_exit 0 pmempool check -v "$f"
assert_contains "$out" "$f: consistent" "pmempool check of the new pool"
expect_exit 0 pmempool info "$f"
assert_contains "$out" "Layout                   : pmemfs-list" "pmempool info"
assert_contains "$out" "size                     : $SIZE" "pmempool info: the pool is the namespace"
# the pool header is in the region file at the namespace's dpa
assert_eq PMEMOBJ "$(region_bytes "$R" "$d" 7)" \
	"pool signature at dpa $d of the region file"

"$OBJ" "$f" add 300 "$SEED" --hold >"$T/obj.out" 2>&1 &
opid=$!
at_exit "kill -9 $opid 2>/dev/null"
for ((i = 0; i < 500; i++)); do
	grep -q '^persisted' "$T/obj.out" && break
	kill -0 $opid 2>/dev/null || fail "pmemobj_list add exited: $(cat "$T/obj.out")"
	sleep 0.02
done
assert_eq "persisted 300 objects (total 300)" "$(cat "$T/obj.out")" "pmemobj_list add"
if [ "$LAYOUT" = dir ] && [ "$(ns_backing pool)" = passthrough ]; then
	# passed through, the pool's stores land in the namespace file's page
	# cache at once, persisted or not: libpmemobj keeps its run-time state
	# (pool address, flags, ops) in the pool's second page and never
	# persists it (it would be dirty on a plain file too); the rest of
	# the pool is clean when the last persist returned
	cache_clean "$R" "$d" 4096
	cache_clean "$R" $((d + 8192)) $((SIZE - 8192))
else
	cache_clean "$R" "$d" "$SIZE"
fi

kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
kill -9 $opid
wait $opid 2>/dev/null || true
fusermount3 -u -z "$MNT"

pmemfs_start "$R"
expect_exit 0 "$OBJ" "$f" check "$SEED"
assert_eq "300 objects, payloads ok" "$out" "objects after kill -9 of the daemon and a remount"
expect_exit 0 pmempool check -v "$f"
assert_contains "$out" "$f: consistent" "pmempool check after kill -9"
expect_exit 0 "$OBJ" "$f" add 20 "$SEED"
assert_eq "persisted 20 objects (total 320)" "$out" "pmemobj_list add after the remount"
expect_exit 0 "$OBJ" "$f" check "$SEED"
assert_eq "320 objects, payloads ok" "$out" "objects after the second add"
pmemfs_stop
