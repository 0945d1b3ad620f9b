#!/bin/bash
# SPDX-License-Identifier: MIT
# Writing an image into a namespace with the usual tools: O_TRUNC is
# ignored as a block device ignores it (the size never changes, no byte is
# zeroed), a truncate to the size or below changes nothing and succeeds,
# one past the size is refused. cp, cat >, dd (with and without seek=) and
# cp of a sparse file land their data and leave the rest of the namespace
# and its neighbours alone. O_TRUNC never takes the page cache away from a
# process that has the namespace mapped (atomic O_TRUNC would: the kernel
# sets i_size to 0 and drops the pages itself).
. "$(dirname "$0")/fslib.sh"

R=$T/r.img
M=$((1024 * 1024))
SZ=$((8 * M))
region_create "$R" 32M
d1=$(ns_create "$R" 8M ns1)
d2=$(ns_create "$R" 2M ns2)
dro=$(ns_create "$R" 2M ro --read-only)
guard_fill "$R"	# after the namespaces: a region directory fills their files
OLD=0x11
"$NSIO" fill "$R" "$d1" $SZ $OLD
pmemfs_start "$R"
f=$MNT/region0/ns1

img() { # NAME BYTES: a random image
	head -c "$2" /dev/urandom >"$T/$1"
}
# landed IMG OFF LEN WHAT: the namespace holds IMG at OFF, the size is
# unchanged and the neighbours' bytes are untouched
landed() {
	cmp -s -n "$3" "$T/$1" <(tail -c +$(($2 + 1)) "$f") || fail "$4: data did not land"
	assert_eq $SZ "$(stat -c %s "$f")" "$4: size"
	"$NSIO" check-byte "$R" "$d2" $((2 * M)) 0 ||
		fail "$4: ns2 changed"
}
old_kept() { # OFF LEN WHAT: the bytes there are the old ones (not zeroed)
	"$NSIO" check-byte "$f" "$1" "$2" $OLD || fail "$3: old bytes past the image changed"
}

# ns2 holds zeroes (create zeroes the first 8 KiB; fill the rest)
"$NSIO" fill "$MNT/region0/ns2" 0 $((2 * M)) 0

img a $M
cp "$T/a" "$f"
landed a 0 $M "cp"
old_kept $M $((SZ - M)) "cp"

img b $((M / 2))
cat "$T/b" >"$f"
landed b 0 $((M / 2)) "cat >"
old_kept $M $((SZ - M)) "cat >"

img c $((3 * M / 2))
dd if="$T/c" of="$f" bs=64k status=none
landed c 0 $((3 * M / 2)) "dd"
old_kept $((3 * M / 2)) $((SZ - 3 * M / 2)) "dd"

# dd seek= without conv=notrunc: ftruncate to the seek offset first
img e $M
dd if="$T/e" of="$f" bs=64k seek=64 status=none
landed e $((4 * M)) $M "dd seek=64 bs=64k"
landed c 0 $((3 * M / 2)) "dd seek=: before the seek offset"
old_kept $((5 * M)) $((3 * M)) "dd seek="

# cp of a sparse file: data, a hole, data, and a hole at its end (cp
# ftruncates to the source's size). With --sparse=always cp punches the
# holes (zeroes); with --sparse=never it writes them; by default it seeks
# over them, which on a namespace (O_TRUNC ignored) keeps the old bytes.
"$NSIO" fill "$f" 0 $SZ $OLD
sparse() { # NAME SIZE: M of data at 0 and at 2M, holes between and after
	img "$1.d0" $M
	img "$1.d2" $M
	rm -f "$T/$1"
	truncate -s "$2" "$T/$1"
	dd if="$T/$1.d0" of="$T/$1" conv=notrunc status=none
	dd if="$T/$1.d2" of="$T/$1" bs=1M seek=2 conv=notrunc status=none
}
sparse s 6M
strace_ok=0
command -v strace >/dev/null && strace_ok=1
if [ $strace_ok = 1 ]; then
	strace -f -o "$T/cp.trace" -e trace=ftruncate cp "$T/s" "$f"
	grep -q "ftruncate(.*, $((6 * M))) *= 0" "$T/cp.trace" ||
		fail "cp of a sparse file did not end with a ftruncate that succeeded: $(cat "$T/cp.trace")"
else
	cp "$T/s" "$f"
fi
landed s.d0 0 $M "cp sparse"
landed s.d2 $((2 * M)) $M "cp sparse, after the hole"
old_kept $M $M "cp sparse (default --sparse=auto seeks over the hole)"
old_kept $((3 * M)) $((SZ - 3 * M)) "cp sparse, past the source"

cp --sparse=always "$T/s" "$f"
cmp -s -n $((6 * M)) "$T/s" "$f" || fail "cp --sparse=always: not the image"
old_kept $((6 * M)) $((2 * M)) "cp --sparse=always, past the source"
"$NSIO" fill "$f" 0 $SZ $OLD
cp --sparse=never "$T/s" "$f"
cmp -s -n $((6 * M)) "$T/s" "$f" || fail "cp --sparse=never: not the image"
old_kept $((6 * M)) $((2 * M)) "cp --sparse=never, past the source"

# a sparse source as large as the namespace: ftruncate to the very size
sparse full 8M
cp "$T/full" "$f"
landed full.d2 $((2 * M)) $M "cp sparse of the namespace's size"

# truncate: to the size or below succeeds and changes nothing; past it,
# even by one byte, EPERM. Data and size stay.
"$NSIO" write "$f" 0 $SZ 7 fsync
for s in $SZ $((SZ - 1)) 0 4096; do
	run_cmd truncate -s "$s" "$f"
	assert_eq 0 "$rc" "truncate -s $s (stderr: $err)"
	assert_eq $SZ "$(stat -c %s "$f")" "size after truncate -s $s"
done
for s in $((SZ + 1)) $((SZ + 4096)) 1T; do
	run_cmd truncate -s "$s" "$f"
	[ "$rc" != 0 ] || fail "truncate -s $s succeeded"
	assert_contains "$err" "Operation not permitted" "truncate -s $s"
done
run_cmd python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_TRUNC)
os.ftruncate(fd, int(sys.argv[2]) - 1)
try:
    os.ftruncate(fd, int(sys.argv[2]) + 1)
except PermissionError:
    print("EPERM")
' "$f" $SZ
assert_eq 0 "$rc" "O_RDWR|O_TRUNC, ftruncate to size-1 (stderr: $err)"
assert_eq EPERM "$out" "ftruncate to size+1"
assert_eq $SZ "$(stat -c %s "$f")" "size after ftruncate"
"$NSIO" verify "$f" 0 $SZ 7 || fail "data after truncates and O_TRUNC changed"

# O_TRUNC while another process has the namespace mapped with dirty pages:
# its pages and its mapping stay (no SIGBUS), and the data reaches the
# region file
mkfifo "$T/hold.in"
python3 -c '
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, 1 << 20, mmap.MAP_SHARED)
m[:] = b"\x5a" * (1 << 20)
print("ready", flush=True)
sys.stdin.readline()
if m[:] != b"\x5a" * (1 << 20):
    sys.exit("mapping changed")
m.flush()
print("done", flush=True)
' "$f" <"$T/hold.in" >"$T/hold.out" 2>"$T/hold.err" &
hpid=$!
exec {hw}>"$T/hold.in"
for ((i = 0; i < 250; i++)); do
	grep -q ready "$T/hold.out" 2>/dev/null && break
	sleep 0.02
done
grep -q ready "$T/hold.out" || fail "mapping holder did not start: $(cat "$T/hold.err")"
: >"$f"
dd if=/dev/zero of="$f" bs=4k count=1 seek=300 status=none
assert_eq $SZ "$(stat -c %s "$f")" "size after O_TRUNC of a mapped namespace"
echo go >&$hw
hrc=0
wait $hpid || hrc=$?
exec {hw}>&-
[ $hrc = 0 ] || fail "the mapping's holder failed after O_TRUNC (exit $hrc): $(cat "$T/hold.err")"
"$NSIO" fsync "$f"
"$NSIO" check-byte "$R" "$d1" $M 0x5a || fail "mapped data lost by O_TRUNC"

# a read-only namespace: O_TRUNC with O_RDONLY reaches the size check:
# EROFS; for writing the open is refused (EROFS)
ro=$MNT/region0/ro
run_cmd python3 -c 'import os, sys; os.open(sys.argv[1], os.O_RDONLY | os.O_TRUNC)' "$ro"
assert_contains "$err" "Read-only file system" "O_RDONLY|O_TRUNC of a read-only namespace"
run_cmd cp "$T/a" "$ro"
[ "$rc" != 0 ] || fail "cp onto a read-only namespace succeeded"
assert_contains "$err" "Read-only file system" "cp onto a read-only namespace"
"$NSIO" check-byte "$R" "$dro" $((2 * M)) $GUARD || fail "read-only namespace changed"

# a disabled namespace has no file: cp would create one, refused
"$PMEMCTL" disable-namespace --mount "$MNT" ns2 >/dev/null
run_cmd cp "$T/a" "$MNT/region0/ns2"
[ "$rc" != 0 ] || fail "cp onto a disabled namespace succeeded"
assert_contains "$err" "Operation not permitted" "cp onto a disabled namespace"
[ ! -e "$MNT/region0/ns2" ] || fail "cp created a file for a disabled namespace"
pmemfs_stop

# a read-only mount: the VFS refuses O_TRUNC before pmemfs sees it
pmemfs_start -o ro "$R"
run_cmd cp "$T/a" "$f"
[ "$rc" != 0 ] || fail "cp onto a read-only mount succeeded"
assert_contains "$err" "Read-only file system" "cp onto a read-only mount"
assert_eq $SZ "$(stat -c %s "$f")" "size on a read-only mount"
pmemfs_stop
