#!/bin/bash
# SPDX-License-Identifier: MIT
# pmemctl convert-region on real file systems (small loop mounts):
# - btrfs and xfs (reflink=1): the conversion shares the blocks (method
#   reflink, no byte copied, free space barely moves), both ways, and the
#   bytes are the namespaces';
# - a small ext4: refused before anything is written, saying both sizes;
#   with -f it really runs out of space mid-way (the second namespace's
#   fallocate): ENOSPC, the source unchanged, nothing left, the space back;
# - kill -9 mid-copy (strace delivers SIGKILL at the Nth copy_file_range,
#   at renameat2, at an fsync: no hook in pmemctl): the source unchanged,
#   no destination, the temporary the next run removes (saying so) before
#   it converts; a run stopped while building keeps its temporary locked,
#   and a second run is refused instead of taking it for a crash's, and
#   pmemfs refuses to mount its source meanwhile.
. "$(dirname "$0")/onlinelib.sh"
. "$PMEMFS_SOURCE_ROOT/tests/integration/loopfs.sh"

free_kib() { sync -f "$1"; loopfs_free_kib "$1"; }
leftovers() { find "$1" -maxdepth 1 -name '.pmemctl-convert.*' -printf '%f\n'; }

# ---- reflink: btrfs, xfs
for fs in btrfs xfs; do
	command -v "mkfs.$fs" >/dev/null || { echo "note: no mkfs.$fs: $fs not tried" >&2; continue; }
	X=$T/$fs
	loopfs_mount "$fs" 1G "$X"
	R=$X/r.img
	"$PMEMCTL" create-region --size 512M "$R" >/dev/null || fail "$fs: create-region"
	"$PMEMCTL" create-namespace --file "$R" -s 256M -n big >/dev/null || fail "$fs: create big"
	dpa=$(json_get "$("$PMEMCTL" create-namespace --file "$R" -s 64M -n small)" .dpa) ||
		fail "$fs: create small"
	# preallocated, never written: xfs shares no unwritten extent, so
	# its 16 MiB are allocated anew, and counted in the space needed
	"$PMEMCTL" create-namespace --file "$R" -s 16M -n spare >/dev/null || fail "$fs: create spare"
	"$NSIO" write "$R" 0 $((256 << 20)) 5 fsync || fail "$fs: write big"
	"$NSIO" write "$R" "$dpa" $((64 << 20)) 6 fsync || fail "$fs: write small"
	f0=$(free_kib "$X")
	expect_exit 0 "$PMEMCTL" convert-region --layout dir "$R" "$X/d"
	assert_eq true "$(json_get "$out" .reflink)" "$fs: reflink in the plan"
	case "$(json_get "$out" .method)" in
	reflink*) ;;
	*) fail "$fs: method $(json_get "$out" .method), expected reflink" ;;
	esac
	assert_eq 0 "$(json_get "$out" .bytes_copied)" "$fs: bytes copied"
	need=$(json_get "$out" .space_needed)
	[ "$need" -ge $((16 << 20)) ] && [ "$need" -lt $((17 << 20)) ] ||
		fail "$fs: space needed with reflinks: $need, expected spare's 16 MiB (+ labels)"
	f1=$(free_kib "$X")
	[ $((f0 - f1)) -lt $((need / 1024 + 16384)) ] ||
		fail "$fs: the reflinked conversion took $((f0 - f1)) KiB, it said it needs $need bytes"
	ub=$("$PMEMCTL" list --file "$X/d" -N | jq -r '.[] | select(.name == "big") | .uuid')
	us=$("$PMEMCTL" list --file "$X/d" -N | jq -r '.[] | select(.name == "small") | .uuid')
	"$NSIO" verify "$X/d/ns-$ub" 0 $((256 << 20)) 5 || fail "$fs: big's bytes in its file"
	"$NSIO" verify "$X/d/ns-$us" 0 $((64 << 20)) 6 || fail "$fs: small's bytes in its file"
	# every namespace file allocated, spare's too (xfs cloned a hole there)
	for f in "$X"/d/ns-*; do
		[ $(($(stat -c %b "$f") * 512)) -ge "$(stat -c %s "$f")" ] ||
			fail "$fs: $f is not allocated ($(stat -c %b "$f") blocks of 512 bytes)"
	done
	# and back, on the same file system
	expect_exit 0 "$PMEMCTL" convert-region --layout file "$X/d" "$X/r2.img"
	case "$(json_get "$out" .method)" in
	reflink*) ;;
	*) fail "$fs: back: method $(json_get "$out" .method), expected reflink" ;;
	esac
	assert_eq 0 "$(json_get "$out" .bytes_copied)" "$fs: back: bytes copied"
	need=$(json_get "$out" .space_needed)
	cmp "$R" "$X/r2.img" || fail "$fs: the region file made back differs"
	f2=$(free_kib "$X")
	[ "$need" -lt $((17 << 20)) ] && [ $((f1 - f2)) -lt $((need / 1024 + 16384)) ] ||
		fail "$fs: the reflinked conversion back took $((f1 - f2)) KiB, it said it needs $need bytes"
	umount "$X" || fail "$fs: umount"
done

# ---- ENOSPC on a small ext4: refused up front; forced, fails mid-way
E=$T/ext4
loopfs_mount ext4 64M "$E"
S=$T/s.img
"$PMEMCTL" create-region --size 256M "$S" >/dev/null || fail "create-region s"
for n in one two; do
	"$PMEMCTL" create-namespace --file "$S" -s 40M -n $n >/dev/null || fail "create $n"
done
"$NSIO" write "$S" 0 $((80 << 20)) 3 fsync || fail "write s"
sum=$(sha256sum <"$S")
empty=$(ls -A "$E")
f0=$(free_kib "$E")
expect_exit 228 "$PMEMCTL" convert-region --layout dir "$S" "$E/d"
assert_contains "$err" "needs 80.1 MiB, the file system of '$E' has" "ENOSPC up front: the message"
assert_eq "$empty" "$(ls -A "$E")" "ENOSPC up front: something was written"
expect_exit 228 "$PMEMCTL" convert-region --layout dir -f "$S" "$E/d"
assert_contains "$err" "going on (--force)" "forced: the warning"
assert_contains "$err" "No space left on device" "forced: the failure"
assert_contains "$err" "namespace0.1" "forced: fails at the second namespace"
assert_eq "$empty" "$(ls -A "$E")" "forced: something is left"
f1=$(free_kib "$E")
[ "$f1" -ge $((f0 - 1024)) ] || fail "forced: free space not back: $f0 KiB before, $f1 KiB after"
assert_eq "$sum" "$(sha256sum <"$S")" "forced: the source changed"

# ---- kill -9 mid-way, then the next run
command -v strace >/dev/null || { echo "note: no strace: kill -9 mid-copy not tried" >&2; exit 0; }
strace -f -qq -o /dev/null -e inject=getpid:retval=1 true 2>/dev/null ||
	{ echo "note: strace cannot inject here (ptrace refused): kill -9 not tried" >&2; exit 0; }
kill_at() { # SYSCALL N ARGS...: pmemctl ARGS, SIGKILL at the Nth SYSCALL
	local sc=$1 n=$2
	shift 2
	run_cmd strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc:signal=SIGKILL:when=$n" \
		"$PMEMCTL" "$@"
	[ "$rc" = 137 ] || fail "kill at $sc #$n: exited $rc, not killed (stderr: $err)"
}
for at in copy_file_range:2 fsync:2 renameat2:1; do
	kill_at "${at%:*}" "${at#*:}" convert-region --layout dir "$S" "$T/k"
	assert_eq "$sum" "$(sha256sum <"$S")" "killed at $at: the source changed"
	[ ! -e "$T/k" ] || fail "killed at $at: the destination exists"
	assert_eq ".pmemctl-convert.k" "$(leftovers "$T")" "killed at $at: the temporary"
	expect_exit 0 "$PMEMCTL" convert-region --layout dir "$S" "$T/k"
	assert_contains "$err" "removed '$T/.pmemctl-convert.k', left by an interrupted convert-region" \
		"after the kill at $at: the next run"
	assert_eq "" "$(leftovers "$T")" "after the kill at $at: a temporary is left"
	u=$("$PMEMCTL" list --file "$T/k" -N | jq -r '.[] | select(.name == "two") | .uuid')
	cmp <(dd if="$S" bs=1M skip=40 count=40 status=none) "$T/k/ns-$u" ||
		fail "after the kill at $at: two's bytes differ"
	rm -rf "$T/k"
done
# dir -> file, killed at its first fsync
"$PMEMCTL" convert-region --layout dir "$S" "$T/sd" >/dev/null 2>&1 || fail "convert s to a directory"
kill_at fsync 1 convert-region --layout file "$T/sd" "$T/k.img"
[ ! -e "$T/k.img" ] || fail "killed in dir -> file: the destination exists"
expect_exit 0 "$PMEMCTL" convert-region --layout file "$T/sd" "$T/k.img"
assert_contains "$err" "left by an interrupted convert-region" "dir -> file after the kill"
cmp "$S" "$T/k.img" || fail "dir -> file after the kill: the result differs"

# a run stopped while it builds: its temporary is locked, not a crash's
strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:signal=SIGSTOP:when=1 \
	"$PMEMCTL" convert-region --layout dir "$S" "$T/w" >/dev/null 2>&1 &
sp=$!
at_exit "kill -9 $sp 2>/dev/null"
# (stopped: under strace every system call is a ptrace stop, state t too,
# for microseconds: the state seen twice, 0.2 s apart, with its temporary)
halted() { grep -q '^State:[[:space:]]*[tT]' "/proc/$(pgrep -P "$sp" -n)/status"; }
stopped() { [ -n "$(leftovers "$T")" ] && halted && sleep 0.2 && halted; }
wait_until 20 stopped || fail "the run did not stop at its first fsync"
assert_eq ".pmemctl-convert.w" "$(leftovers "$T")" "the stopped run's temporary"
# and no daemon serves its source meanwhile (the read lock)
run_cmd timeout 20 "$PMEMFS" -f "$S" "$MNT"
[ "$rc" != 0 ] && ! mounted || fail "pmemfs mounted a region being converted"
assert_contains "$err" "in use by another process" "mounting a region being converted"
expect_exit 240 "$PMEMCTL" convert-region --layout dir "$S" "$T/w"
assert_contains "$err" "being built by another convert-region" "a running conversion's temporary"
assert_eq ".pmemctl-convert.w" "$(leftovers "$T")" "a running conversion's temporary was touched"
c=$(pgrep -P "$sp" -n)
kill -9 "$c" "$sp" 2>/dev/null
wait "$sp" 2>/dev/null || true
# its lock goes when it has exited (gone, or a zombie)
gone() { [ ! -d "/proc/$c" ] || grep -q '^State:[[:space:]]*Z' "/proc/$c/status"; }
wait_until 20 gone || fail "the stopped run does not die"
expect_exit 0 "$PMEMCTL" convert-region --layout dir "$S" "$T/w"
assert_contains "$err" "left by an interrupted convert-region" "after the stopped run"
exit 0
