#!/bin/bash
# SPDX-License-Identifier: MIT
# The end of a namespace is a block device's end (issue 16, items 1-2):
# - a write reaching past it is shortened to the part before it, which is
#   in the region at dpa+off when the call returns (pwrite, pwritev,
#   O_DIRECT, a mapping); one starting at or past it fails with ENOSPC;
#   nothing lands past it (guard bytes) and the file's size never changes
#   (stat, also after drop_caches; echo >>, dd, ftruncate, fallocate);
# - a failed write-back is sticky: after it every fsync, fdatasync, msync
#   and close of the namespace fails, on the same and on a new descriptor.
# The first part runs with the region on the test directory's file system
# and, as root, on loop-mounted xfs, btrfs and ext4 and on tmpfs. Writes
# move the file's mtime and ctime (the daemon keeps them now).
. "$(dirname "$0")/fslib.sh"

NSEDGE=$PMEMFS_BUILD_ROOT/tests/integration/fs/nsedge
S=4194304	# the namespace's size
ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1

# expect WHAT WANTED CMD...: CMD's stdout is WANTED
expect() {
	local what=$1 want=$2 got
	shift 2
	got=$("$@") || fail "$what: $* exited $?"
	[ "$got" = "$want" ] || fail "$what: expected '$want', got '$(echo $got)'"
}

size_is() { # FILE WHAT
	local s
	s=$(stat -c %s "$1")
	[ "$s" = "$S" ] || fail "$2: st_size is $s, not $S"
}

drop_caches() {
	[ "$ROOT" = 1 ] && { sync; echo 3 >/proc/sys/vm/drop_caches; } || true
}

# edges DIR: the end of a namespace with its region file in DIR
edges() {
	local R=$1/r.img d f fs
	fs=$(stat -f -c %T "$1")
	region_create "$R" 16M
	ns_create "$R" 4M before >/dev/null
	d=$(ns_create "$R" 4M ns)
	guard_fill "$R"
	pmemfs_start "$R"
	f=$MNT/region0/ns

	# pwrite of 8 KiB at size - 4 KiB: the in-range 4 KiB, written now
	expect "$fs: pwrite straddling the end" 4096 "$NSEDGE" write "$f" $((S - 4096)) 8192 5
	size_is "$f" "$fs: after the straddling pwrite"
	"$NSIO" verify "$R" $((d + S - 4096)) 4096 5 ||
		fail "$fs: the in-range part of a straddling pwrite is not in the region"
	"$NSIO" verify "$f" $((S - 4096)) 4096 5 || fail "$fs: read back through the file"
	expect "$fs: fsync after the straddling pwrite" "0
0
0
0
0" "$NSEDGE" sync "$f"
	# unaligned, from the middle of a page; pwritev; O_DIRECT
	expect "$fs: unaligned pwrite straddling" 1000 "$NSEDGE" write "$f" $((S - 1000)) 5000 6
	"$NSIO" verify "$R" $((d + S - 1000)) 1000 6 || fail "$fs: unaligned straddle not in the region"
	expect "$fs: pwritev straddling" 100 "$NSEDGE" write "$f" $((S - 100)) 3000 7 writev
	"$NSIO" verify "$R" $((d + S - 100)) 100 7 || fail "$fs: pwritev straddle not in the region"
	expect "$fs: O_DIRECT straddling" 65536 "$NSEDGE" write "$f" $((S - 65536)) 131072 8 direct
	"$NSIO" verify "$R" $((d + S - 65536)) 65536 8 || fail "$fs: O_DIRECT straddle not in the region"
	# at and past the end: ENOSPC, and nothing for 0 bytes
	expect "$fs: pwrite at the end" ENOSPC "$NSEDGE" write "$f" $S 1 9
	expect "$fs: pwrite past the end" ENOSPC "$NSEDGE" write "$f" $((S + 8192)) 4096 9
	expect "$fs: O_DIRECT at the end" ENOSPC "$NSEDGE" write "$f" $S 4096 9 direct
	expect "$fs: pwritev at the end" ENOSPC "$NSEDGE" write "$f" $S 4096 9 writev
	expect "$fs: append" ENOSPC "$NSEDGE" write "$f" 0 2 9 append
	expect "$fs: 0 bytes at the end" 0 "$NSEDGE" write "$f" $S 0 9
	expect "$fs: 0 bytes past the end" 0 "$NSEDGE" write "$f" $((S + 4096)) 0 9
	run_cmd bash -c "echo x >> '$f'"
	[ "$rc" != 0 ] || fail "$fs: echo x >> NS succeeded"
	assert_contains "$err" "No space left on device" "$fs: echo x >> NS"
	size_is "$f" "$fs: after echo x >> NS"
	# dd of 5 MiB into 4 MiB: 4 MiB, then ENOSPC (before any fsync)
	run_cmd dd if=/dev/zero of="$f" bs=1M count=5 conv=notrunc status=none
	[ "$rc" != 0 ] || fail "$fs: dd of 5 MiB into 4 MiB succeeded"
	assert_contains "$err" "No space left on device" "$fs: dd past the end"
	"$NSIO" check-byte "$R" "$d" $S 0 || fail "$fs: dd did not write the 4 MiB"
	size_is "$f" "$fs: after dd"
	# growing is refused; shrinking is ignored as O_TRUNC is (image_write.sh)
	expect "$fs: ftruncate larger" EPERM "$NSEDGE" truncate "$f" $((S + 4096))
	expect "$fs: ftruncate one byte larger" EPERM "$NSEDGE" truncate "$f" $((S + 1))
	expect "$fs: ftruncate smaller (ignored)" 0 "$NSEDGE" truncate "$f" 4096
	expect "$fs: ftruncate to the size" 0 "$NSEDGE" truncate "$f" $S
	run_cmd "$NSIO" fallocate "$f" alloc $((S - 4096)) 8192
	[ "$rc" != 0 ] || fail "$fs: fallocate past the end succeeded"
	run_cmd fallocate -n -o $((S - 4096)) -l 8192 "$f"
	[ "$rc" = 0 ] || fail "$fs: fallocate --keep-size past the end: $err"
	size_is "$f" "$fs: after truncate and fallocate"
	# a mapping over the end: the page before it is stored and synced,
	# the page past it faults (SIGBUS)
	expect "$fs: mmap over the end" "stored 4096
sigbus
0" "$NSEDGE" mmap "$f" $((S - 4096)) 8192 10
	"$NSIO" verify "$R" $((d + S - 4096)) 4096 10 || fail "$fs: mapped store not in the region"
	cache_clean "$R" "$d" $S "the msync"
	# nothing past the end, nothing in the namespace before
	guard_check "$R" "$d" $S
	expect "$fs: fsync after everything" "0
0
0
0
0" "$NSEDGE" sync "$f"
	drop_caches
	size_is "$f" "$fs: after drop_caches"
	"$NSIO" verify "$f" $((S - 4096)) 4096 10 || fail "$fs: read back after drop_caches"
	pmemfs_stop
	rm -rf "$R"	# a region file, or a region directory (PMEMFS_LAYOUT=dir)
}

# loopfs TYPE: a 512 MiB (sparse) TYPE file system on a loop device at $T/TYPE
loopfs() {
	local t=$1 dir=$T/$1 img=$T/$1.img
	command -v "mkfs.$t" >/dev/null || { echo "note: no mkfs.$t: $t not attacked" >&2; return 1; }
	mkdir -p "$dir"
	truncate -s 512M "$img"
	"mkfs.$t" -q "$img" >/dev/null 2>&1 || "mkfs.$t" "$img" >/dev/null 2>&1 ||
		fail "mkfs.$t failed"
	mount -o loop "$img" "$dir" || fail "cannot mount $t on a loop device"
	at_exit "umount -l '$dir' 2>/dev/null || true"
}

edges "$T"
if [ "$ROOT" = 1 ]; then
	for t in xfs btrfs ext4; do
		loopfs $t || continue
		edges "$T/$t"
		umount "$T/$t"
	done
	mkdir -p "$T/tmpfs"
	mount -t tmpfs -o size=64M tmpfs "$T/tmpfs" || fail "cannot mount tmpfs"
	at_exit "umount -l '$T/tmpfs' 2>/dev/null || true"
	edges "$T/tmpfs"
	umount "$T/tmpfs"
else
	echo "note: not root: xfs, btrfs, ext4 and tmpfs backing not attacked" >&2
fi

# A namespace whose size is not a multiple of the page (a crafted label:
# pmemctl makes only aligned ones): the same end, inside the last page.
R=$T/odd.img
region_create "$R" 16M
d=$(ns_create "$R" 4M odd)
S=$((4194304 - 1000))
# (a region directory: the label is in DIR/region, and the namespace's
# file is of the label's size, as create-namespace would have made it)
L=$R
[ -d "$R" ] && L=$R/region
slot=$(python3 "$PMEMFS_SOURCE_ROOT/tests/reliability/lsaedit.py" "$L" info | jq '.used[0]')
python3 "$PMEMFS_SOURCE_ROOT/tests/reliability/lsaedit.py" "$L" label "$slot" rawsize $S ||
	fail "cannot edit the label"
if [ -d "$R" ]; then
	u=$("$PMEMCTL" list --file "$R" -N -i | jq -r '.[0].uuid')
	truncate -s $S "$R/ns-$u"
fi
guard_fill "$R"
pmemfs_start "$R"
f=$MNT/region0/odd
size_is "$f" "odd size"
expect "odd size: pwrite straddling" 4096 "$NSEDGE" write "$f" $((S - 4096)) 8192 11
expect "odd size: pwrite at the end" ENOSPC "$NSEDGE" write "$f" $S 10 11
"$NSIO" verify "$R" $((d + S - 4096)) 4096 11 || fail "odd size: straddle not in the region"
# the last page is partly past the end: stores there are not written back,
# the next page faults
expect "odd size: mmap over the end" "stored 4096
sigbus
0" "$NSEDGE" mmap "$f" $((4194304 - 4096)) 8192 12
"$NSIO" verify "$R" $((d + 4194304 - 4096)) $((S - 4194304 + 4096)) 12 ||
	fail "odd size: mapped store not in the region"
guard_check "$R" "$d" $S
size_is "$f" "odd size, at the end"
# the times: a write(2) and a mapped store move mtime and ctime (the kernel
# kept them while it had the writeback cache), a time set stays set
t0=$(stat -c %y "$f")
sleep 0.05
"$NSEDGE" write "$f" 0 100 13 >/dev/null
t1=$(stat -c %y "$f")
[[ "$t1" > "$t0" ]] || fail "mtime did not move on write(2): $t0 -> $t1"
[ "$(stat -c %z "$f")" = "$t1" ] || fail "ctime did not move with mtime"
sleep 0.05
"$NSEDGE" mmap "$f" 0 4096 14 >/dev/null
t2=$(stat -c %y "$f")
[[ "$t2" > "$t1" ]] || fail "mtime did not move on a mapped store: $t1 -> $t2"
touch -m -d "2001-02-03 04:05:06" "$f"
assert_contains "$(stat -c %y "$f")" "2001-02-03 04:05:06" "mtime set after writes"
pmemfs_stop
S=4194304

# A failed write-back is sticky: a sparse namespace on a full tmpfs,
# stored through a mapping (the only write-back left: write(2) is
# answered before it returns); then every flush fails, also on a new
# descriptor and after space came back.
# A region directory's namespaces are preallocated, never sparse: there
# the region is on ext4 over a full tmpfs (fslib.sh), where a block not
# written before the tmpfs filled fails its write-back.
[ "$ROOT" = 1 ] || skip "the write-back failure needs a small tmpfs (root)"
wb_fail_region fail
pmemfs_start "$R"
s=$MNT/region0/sparse

run_cmd "$NSEDGE" mmap "$s" 0 4194304 1
assert_contains "$out" "stored 4194304" "stores through the mapping"
# (passed through, msync is the kernel's fsync of the namespace file: it
# gives the file system's errno, ENOSPC here, where the daemon says EIO)
if [ "$LAYOUT" = dir ]; then
	grep -qxE "EIO|ENOSPC" <<<"${out#*$'\n'}" || fail "msync of the failed write-back (passthrough): $out"
else
	assert_contains "$out" "EIO" "msync of the failed write-back"
fi
expect "flushes after a failed write-back" "EIO
EIO
EIO
EIO
EIO" "$NSEDGE" sync "$s"
rm -f "$TM/filler" "$TM/filler2"
expect "flushes after space came back" "EIO
EIO
EIO
EIO
EIO" "$NSEDGE" sync "$s"
run_cmd "$NSIO" write "$s" 0 4096 2 fsync
assert_contains "$err" "EIO" "a new write's fsync"
# the other namespace of the region is not affected
expect "the healthy namespace" "0
0
0
0
0" "$NSEDGE" sync "$MNT/region0/full"
"$NSIO" write "$MNT/region0/full" 0 1048576 3 fsync || fail "the healthy namespace failed"
"$NSIO" verify "$R" "$d2" 1048576 3
fusermount3 -u "$MNT"
wait "$DAEMON_PID" || true	# exits non-zero: a namespace lost data
DAEMON_PID=
echo "ok: writes end at the end of a namespace; a failed write-back stays failed"
