#!/bin/bash
# SPDX-License-Identifier: MIT
# The bad input matrix (issue 7): every case runs pmemctl or pmemfs on
# something wrong and asserts the exit code, the message on stderr and
# that every region file involved is byte for byte unchanged (sha256
# before and after), and that nothing got mounted.
. "$PMEMFS_SOURCE_ROOT/tests/integration/fs/fslib.sh"

LSAEDIT=lsaedit	# fslib.sh: the label area of a region file or directory
ncases=0

# sums FILES...: sha256 of each region file; of each file of a region
# directory (PMEMFS_LAYOUT=dir) but the daemon's health file, which a
# daemon serving it rewrites at its end (the held region's case checks
# it apart)
sums() {
	local f g
	for f; do
		if [ -d "$f" ]; then
			for g in "$f"/*; do
				[ "${g##*/}" = region.health ] || sha256sum "$g" 2>/dev/null
			done
		else
			sha256sum "$f" 2>/dev/null
		fi
	done
}

# pm CODE MESSAGE FILES -- PMEMCTL_ARGS...: FILES are the region files
# that must not change (space separated in one word)
pm() {
	local code=$1 msg=$2 files=$3 before after
	shift 4
	before=$(sums $files)
	expect_exit "$code" "$PMEMCTL" "$@"
	assert_contains "$err" "$msg" "pmemctl $*"
	if [ "$1" = check-labels ]; then
		# the report on stdout says the area is not valid
		assert_eq false "$(json_get "$out" .valid)" "pmemctl $*: .valid"
	else
		assert_eq "" "$out" "pmemctl $* printed on stdout"
	fi
	after=$(sums $files)
	[ "$before" = "$after" ] || fail "pmemctl $*: changed a region file"
	ncases=$((ncases + 1))
}

# pf MESSAGE FILES -- PMEMFS_ARGS...: pmemfs -f must exit non-zero with
# MESSAGE, mount nothing and change no region file
pf() {
	local msg=$1 files=$2 before after
	shift 3
	before=$(sums $files)
	run_cmd timeout 20 "$PMEMFS" -f "$@"
	[ "$rc" != 0 ] || fail "pmemfs $* exited 0"
	[ "$rc" != 124 ] || { fusermount3 -u -z "${@: -1}" 2>/dev/null; fail "pmemfs $* served"; }
	assert_contains "$err" "$msg" "pmemfs $*"
	grep -q " $MNT " /proc/self/mountinfo && fail "pmemfs $*: mounted"
	after=$(sums $files)
	[ "$before" = "$after" ] || fail "pmemfs $*: changed a region file"
	ncases=$((ncases + 1))
}

R=$T/r.img
region_create "$R" 32M
U1=11111111-2222-4333-8444-555555555555
"$PMEMCTL" create-namespace --file "$R" -s 8M -n keep -u $U1 >/dev/null
"$PMEMCTL" create-namespace --file "$R" -s 4M -n two >/dev/null

# --- sizes
pm 234 "bad value for --size '0': a namespace cannot be empty" "$R" -- create-namespace --file "$R" -s 0
pm 234 "invalid size 3 MiB: not a multiple of the alignment 2 MiB" "$R" -- create-namespace --file "$R" -s 3M
pm 228 "no free extent of 1 TiB in region0 (largest free extent 18 MiB)" "$R" -- create-namespace --file "$R" -s 1T
pm 234 "invalid size '99999999999999999999': too large" "$R" -- create-namespace --file "$R" -s 99999999999999999999
pm 234 "invalid size '17179869184G': too large" "$R" -- create-namespace --file "$R" -s 17179869184G
pm 228 "no free extent of 32 MiB in region0 (largest free extent 18 MiB)" "$R" -- create-namespace --file "$R" -s 32M
pm 234 "invalid size '-2M': negative" "$R" -- create-namespace --file "$R" -s -2M
pm 234 "invalid size '2Mx': unknown suffix 'Mx'" "$R" -- create-namespace --file "$R" -s 2Mx
pm 234 "invalid size 18446744073709551614 bytes: not a multiple of the alignment" "$R" -- \
	create-namespace --file "$R" -s 18446744073709551614
pm 234 "invalid alignment 3145728: not a power of two" "$R" -- create-namespace --file "$R" -s 6M -a 3M
pm 234 "invalid size '12Q': unknown suffix 'Q'" "$R" -- create-region --size 12Q "$T/new.img"
[ ! -e "$T/new.img" ] || fail "create-region with a bad size left a file"

# --- names
long=$(printf 'n%.0s' {1..64})
pm 234 "is 64 bytes, at most 63" "$R" -- create-namespace --file "$R" -s 2M -n "$long"
pm 234 "invalid name 'a/b': contains '/'" "$R" -- create-namespace --file "$R" -s 2M -n a/b
pm 234 "invalid name '.': reserved" "$R" -- create-namespace --file "$R" -s 2M -n .
pm 234 "invalid name '..': reserved" "$R" -- create-namespace --file "$R" -s 2M -n ..
pm 239 "name 'keep' is already used by" "$R" -- create-namespace --file "$R" -s 2M -n keep
pm 234 "byte 1 (0x09) is not printable ASCII" "$R" -- create-namespace --file "$R" -s 2M -n $'a\tb'
pm 234 "byte 0 (0xc3) is not printable ASCII" "$R" -- create-namespace --file "$R" -s 2M -n 'é'
pm 234 "has the form of a device name" "$R" -- create-namespace --file "$R" -s 2M -n namespace0.7
pm 234 "has the form of a uuid" "$R" -- create-namespace --file "$R" -s 2M -n $U1
pm 234 "invalid name 'a/b': contains '/'" "$R" -- rename-namespace --file "$R" keep a/b
# "" means "no name" to the core, but on the command line it is a mistake
pm 234 "invalid name '': empty" "$R" -- create-namespace --file "$R" -s 2M -n ""
pm 234 "invalid name '': empty" "$R" -- rename-namespace --file "$R" keep ""
pm 239 "" "$R" -- rename-namespace --file "$R" keep two

# --- uuids
pm 234 "bad value for --uuid '1234': not a uuid" "$R" -- create-namespace --file "$R" -s 2M -u 1234
pm 234 "not a uuid" "$R" -- create-namespace --file "$R" -s 2M -u ${U1%5}
pm 234 "not a uuid" "$R" -- create-namespace --file "$R" -s 2M -u "zz${U1#11}"
pm 239 "uuid $U1 is already used by" "$R" -- create-namespace --file "$R" -s 2M -u $U1
pm 234 "invalid uuid 00000000-0000-0000-0000-000000000000: null" "$R" -- \
	create-namespace --file "$R" -s 2M -u 00000000-0000-0000-0000-000000000000

# --- region files
head -c 65536 /dev/zero >"$T/small.img"
pm 234 "region '$T/small.img' is 65536 bytes, too small for a label area" "$T/small.img" -- \
	list --file "$T/small.img"
cp -a "$R" "$T/trunc.img"
truncate -s 16M "$(region_file "$T/trunc.img")"
pm 250 "no label area found at the end of the region (tried 131072 to 16777216 bytes)" "$T/trunc.img" -- \
	list --file "$T/trunc.img"
head -c 4M /dev/urandom >"$T/rand.img"
pm 250 "no label area found at the end of the region" "$T/rand.img" -- \
	create-namespace --file "$T/rand.img" -s 2M
pm 234 "not a regular file" "" -- list --file "$T"
pm 254 "No such file or directory" "" -- list --file "$T/missing.img"

# label areas: R's current index is the one lsaedit reports
cur=$($LSAEDIT "$R" info | jq .current)
[ "$cur" = 0 ] || [ "$cur" = 1 ] || fail "no current index in $R"
mk() { cp -a "$R" "$T/$1.img"; shift; }	# a region file or directory
mk idx0
$LSAEDIT "$T/idx0.img" corrupt-index 0
pm 234 "index block 0 at offset 0 of the label area: checksum" "$T/idx0.img" -- check-labels --file "$T/idx0.img"
mk idx1
$LSAEDIT "$T/idx1.img" corrupt-index 1
pm 234 "index block 1 at offset 256 of the label area: checksum" "$T/idx1.img" -- check-labels --file "$T/idx1.img"
mk both
$LSAEDIT "$T/both.img" corrupt-index 0
$LSAEDIT "$T/both.img" corrupt-index 1
pm 250 "no label area found at the end of the region" "$T/both.img" -- list --file "$T/both.img"
pm 250 "no label area found" "$T/both.img" -- create-namespace --file "$T/both.img" -s 2M
slot=$($LSAEDIT "$R" info | jq '.used[1]')
mk liar
$LSAEDIT "$T/liar.img" label "$slot" slot 7
pm 234 "check-labels: label in slot $slot: slot field 7 differs" "$T/liar.img" -- \
	check-labels --file "$T/liar.img"
[[ $err != *"label in slot $slot: label in slot"* ]] || fail "check-labels names the slot twice: $err"
# the same problem through the daemon (the region before it)
pmemfs_start "$T/liar.img"
expect_exit 234 "$PMEMCTL" check-labels --mount "$MNT"
assert_contains "$err" "check-labels: region0: label in slot $slot: slot field 7 differs" \
	"online check-labels"
[[ $err != *"label in slot $slot: label in slot"* ]] || fail "online check-labels names the slot twice: $err"
pmemfs_stop
mk nslot
$LSAEDIT "$T/nslot.img" index "$cur" nslot 100000
pm 234 "nslot 100000 of 256-byte labels does not fit in 131072 bytes" "$T/nslot.img" -- \
	check-labels --file "$T/nslot.img"
mk nslot2
$LSAEDIT "$T/nslot2.img" index 0 nslot 100000
$LSAEDIT "$T/nslot2.img" index 1 nslot 100000
pm 250 "no label area found" "$T/nslot2.img" -- list --file "$T/nslot2.img"
mk past
$LSAEDIT "$T/past.img" label "$slot" dpa 0x10000000
pm 234 "reaches past the data area: it ends at 272629760 bytes, the data area is 33423360 bytes" \
	"$T/past.img" -- check-labels --file "$T/past.img"
mk wrap
$LSAEDIT "$T/wrap.img" label "$slot" rawsize 0xffffffffffe00000
pm 234 "" "$T/wrap.img" -- check-labels --file "$T/wrap.img"
# a namespace under a lying label is not handed out again without --force
pm 228 "no free extent of 24 MiB" "$T/past.img" -- create-namespace --file "$T/past.img" -s 24M

# --- pmemfs: options, regions, mount points
# (the options are parsed before any region is opened: the region
# directory's run, PMEMFS_LAYOUT=dir, leaves them to the region file's)
if [ "$LAYOUT" != dir ]; then
pf "unknown option" "$R" -- -o bogus "$R" "$MNT"
pf "backing='fast': expected auto, direct or buffered" "$R" -- -o backing=fast "$R" "$MNT"
pf "splice='yes': expected on or off" "$R" -- -o splice=yes "$R" "$MNT"
pf "label_size='12Q': invalid size '12Q': unknown suffix 'Q'" "$R" -- -o label_size=12Q "$R" "$MNT"
pf "label_size='-1': invalid size '-1': negative" "$R" -- -o label_size=-1 "$R" "$MNT"
pf "label_size='0x20000': invalid size '0x20000': unknown suffix 'x20000'" "$R" -- \
	-o label_size=0x20000 "$R" "$MNT"
pf "invalid label size 65536 bytes: a power of two of at least 128 KiB is needed" "$R" -- \
	-o label_size=64K "$R" "$MNT"
# numbers: digits only, in range (fuse_opt's %u/%d took 12abc as 12, -1 as 2^32-1)
pf "dirty_ratio='0': out of range (expected a percentage 1..100)" "$R" -- -o dirty_ratio=0 "$R" "$MNT"
pf "dirty_ratio='-5': negative (expected a percentage 1..100)" "$R" -- -o dirty_ratio=-5 "$R" "$MNT"
pf "dirty_ratio='101': out of range" "$R" -- -o dirty_ratio=101 "$R" "$MNT"
pf "readahead_kb='-1': negative (expected 0..1048576 KiB)" "$R" -- -o readahead_kb=-1 "$R" "$MNT"
pf "readahead_kb='4k': not a decimal number" "$R" -- -o readahead_kb=4k "$R" "$MNT"
pf "strict_limit='2': out of range (expected 0 or 1)" "$R" -- -o strict_limit=2 "$R" "$MNT"
pf "uid='abc': not a decimal number (expected a user id 0..4294967294)" "$R" -- -o uid=abc "$R" "$MNT"
pf "uid='12abc': not a decimal number" "$R" -- -o uid=12abc "$R" "$MNT"
pf "uid='4294967295': out of range" "$R" -- -o uid=4294967295 "$R" "$MNT"
pf "uid=' 12': not a decimal number" "$R" -- -o "uid= 12" "$R" "$MNT"
pf "gid='+1': not a decimal number (expected a group id 0..4294967294)" "$R" -- -o gid=+1 "$R" "$MNT"
pf "mode='999': not an octal number (expected octal 0..7777)" "$R" -- -o mode=999 "$R" "$MNT"
pf "mode='0640x': not an octal number" "$R" -- -o mode=0640x "$R" "$MNT"
pf "mode='10000': out of range" "$R" -- -o mode=10000 "$R" "$MNT"
pf "flush_threads='-1': negative (expected 1..64)" "$R" -- -o flush_threads=-1 "$R" "$MNT"
pf "flush_threads='0': out of range (expected 1..64)" "$R" -- -o flush_threads=0 "$R" "$MNT"
pf "flush_threads='65': out of range" "$R" -- -o flush_threads=65 "$R" "$MNT"
# a repeated option: the last one counts
pf "dirty_ratio='0': out of range" "$R" -- -o dirty_ratio=40,dirty_ratio=0 "$R" "$MNT"
fi
pf "given twice (region0 and region1)" "$R" -- "$R" "$R" "$MNT"
pf "no label area found at the end of the region" "$T/both.img" -- "$T/both.img" "$MNT"
# ... and what makes one
pf "region files are made with \`pmemctl create-region\`" "$T/both.img" -- "$T/both.img" "$MNT"
pf "too small for a label area" "$T/small.img" -- "$T/small.img" "$MNT"
pf "mount point '$T/nosuchdir': No such file or directory" "$R" -- "$R" "$T/nosuchdir"
# a regular file as the mount point: libfuse would mount on it (every access EIO)
touch "$T/file"
pf "mount point '$T/file' is not a directory" "$R" -- "$R" "$T/file"
grep -q " $T/file " /proc/self/mountinfo && fail "pmemfs mounted on the file '$T/file'"
pf "usage" "$R" -- "$R"

# a region held by a daemonised pmemfs
run_cmd "$PMEMFS" "$R" "$MNT"
assert_eq 0 "$rc" "daemonised pmemfs ($err)"
mounted || fail "daemonised pmemfs not mounted"
for p in $(pgrep -x pmemfs); do
	grep -qz -- "$MNT" "/proc/$p/cmdline" 2>/dev/null && DAEMON_PID=$p
done
MNT2=$T/mnt2
mkdir -p "$MNT2"
pm 240 "region '$R' is in use by another process" "$R" -- create-namespace --file "$R" -s 2M
pm 240 "in use by another process" "$R" -- destroy-namespace --file "$R" keep
pm 240 "in use by another process" "$R" -- init-labels --file "$R" -f
pm 240 "in use by another process" "$R" -- zero-labels --file "$R"
before=$(sums "$R")
health_before=$(sha256sum "$(region_file "$R").health")
run_cmd timeout 20 "$PMEMFS" -f "$R" "$MNT2"
[ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "a second pmemfs served a held region"
assert_contains "$err" "$R" "second pmemfs names the region"
assert_contains "$err" "a pmemfs daemon serves it on '$MNT'" "second pmemfs names the mount"
grep -q " $MNT2 " /proc/self/mountinfo && fail "second pmemfs mounted"
assert_eq "$health_before" "$(sha256sum "$(region_file "$R").health")" \
	"the held region's health file after a second pmemfs"
ncases=$((ncases + 1))
fusermount3 -u "$MNT"
for ((i = 0; i < 100; i++)); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.05; done
DAEMON_PID=
[ "$before" = "$(sums "$R")" ] || fail "the held region changed"

# the CLI against a dead daemon and a stale socket (kill -9 leaves both)
pmemfs_start "$R"
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
pm 145 "no pmemfs daemon at" "$R" -- list --mount "$MNT"
pm 145 "no pmemfs daemon at" "$R" -- create-namespace --mount "$MNT" -s 2M
fusermount3 -u -z "$MNT"
pm 254 "'$MNT' is not a pmemfs mount" "$R" -- list --mount "$MNT"
pmemfs_start -o ctl="$T/ctl.sock" "$R"
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
fusermount3 -u -z "$MNT"
[ -S "$T/ctl.sock" ] || fail "no stale socket file after kill -9"
pm 145 "no pmemfs daemon at '$T/ctl.sock': nobody listening" "$R" -- list --socket "$T/ctl.sock"
pm 145 "nobody listening" "$R" -- destroy-namespace --socket "$T/ctl.sock" keep

echo "bad input: $ncases cases"
((ncases >= 30)) || fail "only $ncases cases"
FS_SHOW_LOG=0
echo "PASS: $TEST_NAME"
