#!/bin/bash
# SPDX-License-Identifier: MIT
# mmap write + msync lands at dpa+off of the region file and nowhere else;
# after the msync the region range has no dirty or writeback pages.
. "$(dirname "$0")/fslib.sh"

R=$T/r.img
region_create "$R" 32M
d1=$(ns_create "$R" 8M ns1)
d2=$(ns_create "$R" 4M ns2)
guard_fill "$R"
pmemfs_start "$R"

f=$MNT/region0/ns1
assert_eq 8388608 "$(stat -c %s "$f")" "ns1 size"
assert_eq 4194304 "$(stat -c %s "$MNT/region0/ns2")" "ns2 size"

# unaligned start, several pages
off=12345 len=100000
"$NSIO" mmap-write "$f" $off $len 7 msync || fail "mmap write failed"
"$NSIO" verify "$R" $((d1 + off)) $len 7 || fail "bytes not at dpa+off in the region"
cache_clean "$R" "$d1" 8388608
guard_check "$R" $((d1 + off)) $len
"$NSIO" verify "$f" $off $len 7 || fail "bytes not read back through the file"
# a region directory's namespace is mapped straight to its file (FUSE
# passthrough): msync(MS_SYNC) never reaches the daemon, the kernel syncs
# that file, and the cachestat above says it is durable
pt_expect ns1 || true

# the last page of the last namespace
"$NSIO" mmap-write "$MNT/region0/ns2" $((4194304 - 4096)) 4096 8 msync
"$NSIO" verify "$R" $((d2 + 4194304 - 4096)) 4096 8 || fail "last page of ns2 not in region"
cache_clean "$R" "$d2" 4194304
"$NSIO" check-byte "$R" $((d1 + 8388608)) $((d2 - d1 - 8388608)) $GUARD
pmemfs_stop
# after unmount too
"$NSIO" verify "$R" $((d1 + off)) $len 7
