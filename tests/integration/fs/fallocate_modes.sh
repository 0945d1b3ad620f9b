#!/bin/bash
# SPDX-License-Identifier: MIT
# fallocate(2) on a namespace file, every mode: a fixed-size file takes
# what keeps its size and refuses what would change it.
#   mode 0 inside: reserves the region file's blocks, data kept
#   mode 0 / ZERO_RANGE reaching past the end: EPERM (the size cannot grow),
#     nothing done
#   KEEP_SIZE (alone, with PUNCH_HOLE or ZERO_RANGE) past the end: clipped
#     at the end; starting at or past it: nothing to do, success
#   PUNCH_HOLE|KEEP_SIZE and ZERO_RANGE: the range reads zeroes (also on the
#     region file), bytes beside it kept, to the byte
#   PUNCH_HOLE without KEEP_SIZE, COLLAPSE_RANGE, INSERT_RANGE,
#     UNSHARE_RANGE, WRITE_ZEROES: EOPNOTSUPP (the kernel's FUSE refuses them
#     before the daemon sees them)
#   offset + length past the largest file size: EFBIG (the VFS, as on
#     every file system)
# The size never changes.
. "$(dirname "$0")/fslib.sh"

R=$T/r.img
S=$((2 * 1024 * 1024))
B=0x5a
region_create "$R" 16M
guard_fill "$R"
d=$(ns_create "$R" 2M ns1)
pmemfs_start "$R"
f=$MNT/region0/ns1
"$NSIO" fill "$f" 0 $S $B
"$NSIO" fsync "$f"

ok() { # WHAT FALLOCATE-ARGS...
	local what=$1
	shift
	run_cmd fallocate "$@" "$f"
	[ "$rc" = 0 ] || fail "$what: fallocate $*: $err"
	assert_eq $S "$(stat -c %s "$f")" "$what: size"
}
refused() { # WHAT MESSAGE FALLOCATE-ARGS...
	local what=$1 msg=$2
	shift 2
	run_cmd fallocate "$@" "$f"
	[ "$rc" != 0 ] || fail "$what: fallocate $* succeeded"
	assert_contains "$err" "$msg" "$what"
	assert_eq $S "$(stat -c %s "$f")" "$what: size"
}
bytes() { # OFF LEN BYTE WHAT: through the mount and on the region file
	"$NSIO" check-byte "$f" "$1" "$2" "$3" || fail "$4 (namespace file)"
	"$NSIO" check-byte "$R" $((d + $1)) "$2" "$3" || fail "$4 (region file)"
}

# mode 0
ok "allocate inside" -o 0 -l $S
bytes 0 $S $B "allocate inside changed data"
refused "allocate past the end" "Operation not permitted" -o $((S - 4096)) -l 8192
refused "allocate one byte past the end" "Operation not permitted" -o 0 -l $((S + 1))
ok "allocate past the end, KEEP_SIZE" -n -o $((S - 4096)) -l 8192
ok "allocate at the end, KEEP_SIZE" -n -o $S -l 4096
ok "allocate far past the end, KEEP_SIZE" -n -o 1T -l 4096
bytes 0 $S $B "KEEP_SIZE allocations changed data"

# PUNCH_HOLE (util-linux adds KEEP_SIZE)
ok "punch" -p -o 65536 -l 65536
bytes 65536 65536 0 "punched range"
bytes 0 65536 $B "before the punched range"
bytes 131072 4096 $B "after the punched range"
ok "punch, unaligned" -p -o 200100 -l 10
bytes 200100 10 0 "unaligned punched range"
bytes 200099 1 $B "the byte before an unaligned punch"
bytes 200110 1 $B "the byte after an unaligned punch"
ok "punch past the end" -p -o $((S - 4096)) -l 8192
bytes $((S - 4096)) 4096 0 "punch clipped at the end"
bytes $((S - 8192)) 4096 $B "before a punch at the end"
ok "punch at the end" -p -o $S -l 4096
"$NSIO" fill "$f" 0 $S $B

# ZERO_RANGE
ok "zero range" -z -o 262144 -l 8192
bytes 262144 8192 0 "zeroed range"
bytes 258048 4096 $B "before the zeroed range"
bytes 270336 4096 $B "after the zeroed range"
refused "zero range past the end" "Operation not permitted" -z -o $((S - 4096)) -l 8192
bytes $((S - 4096)) 4096 $B "a refused zero range past the end zeroed"
ok "zero range past the end, KEEP_SIZE" -z -n -o $((S - 4096)) -l 8192
bytes $((S - 4096)) 4096 0 "zero range clipped at the end"
"$NSIO" fill "$f" 0 $S $B

# what would move data or the size, and modes the kernel's FUSE never passes on
refused "collapse range" "Operation not supported" -c -o 0 -l 65536
refused "insert range" "Operation not supported" -i -o 0 -l 65536
run_cmd python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
fd = os.open(sys.argv[1], os.O_RDWR)
for name, mode in (("punch without KEEP_SIZE", 0x02), ("unshare", 0x40),
                   ("write zeroes", 0x80)):
    if libc.fallocate(fd, mode, 0, 4096) == 0:
        print(name, "succeeded")
    else:
        print(name, os.strerror(ctypes.get_errno()))
' "$f"
assert_eq 0 "$rc" "fallocate via ctypes (stderr: $err)"
assert_eq "punch without KEEP_SIZE Operation not supported
unshare Operation not supported
write zeroes Operation not supported" "$out" "refused modes"
refused "punch beyond the largest file size" "File too large" -p -o 9223372036854771712 -l 8192
refused "allocate beyond the largest file size" "File too large" -n -o 9223372036854771712 -l 8192
bytes 0 $S $B "refused modes changed data"
pmemfs_stop
