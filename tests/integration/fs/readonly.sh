#!/bin/bash
# SPDX-License-Identifier: MIT
# A read-only namespace (ROLABEL) has -o mode without the write bits (0400
# under the default 0600, 0444 under mode=0644) and an open for writing
# gets EROFS even for root; reads work. MAP_SYNC is refused on every
# namespace.
. "$(dirname "$0")/fslib.sh"

R=$T/r.img
region_create "$R" 16M
d=$(ns_create "$R" 2M ro --read-only)
ns_create "$R" 2M rw >/dev/null
guard_fill "$R"
"$NSIO" write "$R" "$d" 4096 5 none
pmemfs_start "$R"
f=$MNT/region0/ro

assert_eq 400 "$(stat -c %a "$f")" "mode of a read-only namespace (default mode 0600)"
assert_eq 600 "$(stat -c %a "$MNT/region0/rw")" "mode of a read-write namespace (default mode 0600)"
run_cmd "$NSIO" write "$f" 0 10 1 fsync
[ "$rc" != 0 ] || fail "write to a read-only namespace succeeded"
assert_contains "$err" "EROFS" "open for writing"
run_cmd "$NSIO" fallocate "$f" punch 0 4096
assert_contains "$err" "EROFS" "fallocate on a read-only namespace"
"$NSIO" verify "$f" 0 4096 5 || fail "read of a read-only namespace"
"$NSIO" verify "$R" "$d" 4096 5
chmod 0666 "$f"
run_cmd "$NSIO" write "$f" 0 10 1 fsync
assert_contains "$err" "EROFS" "open for writing after chmod 666"

# MAP_SYNC: refused (virtio-pmem semantics), plain MAP_SHARED works
run_cmd "$NSIO" mapsync "$MNT/region0/rw"
assert_eq 0 "$rc" "mmap(MAP_SYNC) must fail (stderr: $err)"
assert_eq EOPNOTSUPP "$out" "errno of mmap(MAP_SYNC)"
"$NSIO" mmap-write "$MNT/region0/rw" 0 4096 3 msync
pmemfs_stop

# under -o mode=0644 a read-only namespace is 0444, a read-write one 0644
pmemfs_start -o mode=0644 "$R"
assert_eq 444 "$(stat -c %a "$f")" "mode of a read-only namespace under mode=0644"
assert_eq 644 "$(stat -c %a "$MNT/region0/rw")" "mode of a read-write namespace under mode=0644"
pmemfs_stop
