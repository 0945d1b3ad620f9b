#!/bin/bash
# SPDX-License-Identifier: MIT
# README's recipes, run as written: starting a new PMDK pool on a namespace
# that holds one, and writing a pool image into a namespace.
# - pmempool create refuses a namespace holding a pool ("Non-empty file
#   detected"); pmempool rm cannot help (it unlinks the file: EPERM, the
#   namespace stays); zeroing the pool header (dd bs=4K count=1
#   conv=notrunc) or disable + destroy + create again (destroy zeroes the
#   first 8 KiB) lets pmempool create make a new pool;
# - a pool image made in a plain file (of the namespace's size, or
#   smaller) written with cp or dd lands whole: pmempool check is
#   consistent and the objects are there, the namespace keeps its size.
. "$(dirname "$0")/e2elib.sh"

command -v pmempool >/dev/null || fail "pmempool not installed: $INSTALL_HINT"
OBJ=$PMEMFS_BUILD_ROOT/contrib/examples/pmemobj_list
[ -x "$OBJ" ] ||
	fail "$OBJ not built (no libpmemobj when meson configured): $INSTALL_HINT, then meson setup --reconfigure"

R=$T/r.img
SIZE=$((32 << 20))
region_create "$R" 128M
pmemfs_start "$R"
"$PMEMCTL" create-namespace --mount "$MNT" -s 32M -n pool >/dev/null
f=$MNT/region0/pool

layout() {
	pmempool info "$f" | sed -n 's/^Layout *: //p'
}
expect_exit 0 pmempool create obj --layout=first "$f"
expect_exit 1 pmempool create obj --layout=second "$f"
assert_contains "$err" "Non-empty file detected" "pmempool create over a pool"
# pmempool rm unlinks the file: refused, nothing changes
expect_exit 1 pmempool rm "$f"
[ -f "$f" ] || fail "pmempool rm removed the namespace file"
assert_eq first "$(layout)" "the pool after pmempool rm"

# 1. zero the pool header
dd if=/dev/zero of="$f" bs=4K count=1 conv=notrunc status=none
expect_exit 0 pmempool create obj --layout=second "$f"
assert_eq second "$(layout)" "a new pool after zeroing the header"

# 2. disable, destroy and create again (the same range: destroy zeroed it)
"$PMEMCTL" disable-namespace --mount "$MNT" pool >/dev/null
"$PMEMCTL" destroy-namespace --mount "$MNT" pool >/dev/null
"$PMEMCTL" create-namespace --mount "$MNT" -s 32M -n pool >/dev/null
expect_exit 0 pmempool create obj --layout=third "$f"
assert_eq third "$(layout)" "a new pool after destroy and create"

# an image of the namespace's size, with objects, written with cp
SEED=$((RANDOM + 1))
truncate -s $SIZE "$T/pool.img"
pmempool create obj --layout=pmemfs-list "$T/pool.img"
expect_exit 0 "$OBJ" "$T/pool.img" add 50 "$SEED"
cp "$T/pool.img" "$f"
expect_exit 0 pmempool check -v "$f"
assert_contains "$out" "$f: consistent" "pmempool check after cp of an image"
expect_exit 0 "$OBJ" "$f" check "$SEED"
assert_eq "50 objects, payloads ok" "$out" "objects after cp of an image"
assert_eq $SIZE "$(stat -c %s "$f")" "size after cp"

# a smaller image written with dd (no conv=notrunc needed): the pool is
# the image's, the namespace keeps its size
truncate -s 16M "$T/small.img"
pmempool create obj --layout=pmemfs-list "$T/small.img"
expect_exit 0 "$OBJ" "$T/small.img" add 20 "$((SEED + 1))"
dd if="$T/small.img" of="$f" bs=1M status=none
expect_exit 0 pmempool check -v "$f"
assert_contains "$out" "$f: consistent" "pmempool check after dd of a smaller image"
expect_exit 0 "$OBJ" "$f" check "$((SEED + 1))"
assert_eq "20 objects, payloads ok" "$out" "objects after dd of a smaller image"
assert_eq $SIZE "$(stat -c %s "$f")" "size after dd"
expect_exit 0 "$OBJ" "$f" add 5 "$((SEED + 1))"
pmemfs_stop
