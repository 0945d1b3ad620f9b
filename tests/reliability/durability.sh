#!/bin/bash
# SPDX-License-Identifier: MIT
# Durability of flushed data under kill -9, looped (issue 7):
# every iteration mounts a region of four namespaces, writes random
# patterns at random places of random namespaces through pwrite+fsync,
# pwrite+fdatasync and mmap+msync(MS_SYNC); after every flush that
# returned, cachestat(2) on that range of the region file must show no
# dirty and no writeback page. Then one more write is started and the
# daemon is killed with SIGKILL at a random moment (before, during or
# after that write's flush), the mount is dropped and the region mounted
# again: every byte whose flush returned must be in the region file and
# read back through the namespace file.
#
# A model file per namespace holds what must be there: a write whose flush
# returned is applied to it; the range of a write cut by the kill may hold
# old or new bytes, so the model takes the region's bytes there.
#
#   PMEMFS_DURABILITY_ITERS    iterations (default 50; the long run 1000)
#   PMEMFS_DURABILITY_SECONDS  stop after this long even if iterations
#                              remain (default 150); the count is printed
# Prints: iterations, flushes, flushed bytes, kills during a write, lost bytes.
. "$PMEMFS_SOURCE_ROOT/tests/integration/fs/fslib.sh"

ITERS=${PMEMFS_DURABILITY_ITERS:-50}
BUDGET=${PMEMFS_DURABILITY_SECONDS:-150}
R=$T/r.img
region_create "$R" 32M
names=(a b c d)
sizes=($((4 << 20)) $((2 << 20)) $((1 << 20)) $((4 << 20)))
dpas=()
dpas+=("$(ns_create "$R" 4M a)")
dpas+=("$(ns_create "$R" 2M b)")
dpas+=("$(ns_create "$R" 1M c -a 4K)")
dpas+=("$(ns_create "$R" 4M d)")
guard_fill "$R"
# rf, ro: where namespace k's bytes are beside the daemon: the region file
# at its dpa; a region directory's (PMEMFS_LAYOUT=dir) namespace file at 0
rf=() ro=()
for k in 0 1 2 3; do
	if [ -d "$R" ]; then
		rf+=("$R/ns-$("$PMEMCTL" list --file "$R" |
			jq -r --arg n "${names[$k]}" '.[] | select(.name == $n) | .uuid')")
		ro+=(0)
	else
		rf+=("$R")
		ro+=("${dpas[$k]}")
	fi
done
for k in 0 1 2 3; do
	head -c "${sizes[$k]}" /dev/zero | tr '\0' '\245' >"$T/model.$k"
	[ "$(stat -c %s "$T/model.$k")" = "${sizes[$k]}" ] || fail "model file $k"
done

rnd() { # N: a random number in [0, N)
	echo $(( (RANDOM * 32768 + RANDOM) % $1 ))
}

# copy_range SRC SRCOFF DST DSTOFF LEN (bytes, in place)
copy_range() {
	dd if="$1" of="$3" bs=64K iflag=skip_bytes,count_bytes oflag=seek_bytes \
		skip="$2" seek="$4" count="$5" conv=notrunc status=none
}

# lost bytes of namespace k: the region's range against the model
lost_in() { # K FILE FILEOFF
	local n
	n=$(cmp -l -i "$3:0" -n "${sizes[$1]}" "$2" "$T/model.$1" 2>/dev/null | wc -l)
	echo "$n"
}

# one write: K OFF LEN SEED MODE; sets op_rc
do_write() {
	local f=$MNT/region0/${names[$1]}
	op_rc=0
	case $5 in
	fsync | fdatasync) "$NSIO" write "$f" "$2" "$3" "$4" "$5" || op_rc=$? ;;
	msync) "$NSIO" mmap-write "$f" "$2" "$3" "$4" msync || op_rc=$? ;;
	esac
	return "$op_rc"
}

pick_op() { # sets k off len seed mode
	k=$(rnd 4)
	len=$((1 + $(rnd 131072)))
	((len > sizes[k])) && len=${sizes[k]}
	off=$(rnd $((sizes[k] - len + 1)))
	seed=$((iter * 100 + $(rnd 100) + 1))
	case $(rnd 3) in
	0) mode=fsync ;;
	1) mode=fdatasync ;;
	2) mode=msync ;;
	esac
}

start=$SECONDS
flushes=0 fbytes=0 cut=0 cutok=0 lost=0 iter=0
while ((iter < ITERS)); do
	if ((SECONDS - start >= BUDGET)); then
		echo "note: time budget of $BUDGET s reached after $iter iterations" >&2
		break
	fi
	iter=$((iter + 1))
	pmemfs_start "$R"
	# after the remount, through the file system: every namespace as modelled
	for k in 0 1 2 3; do
		cmp -s "$MNT/region0/${names[$k]}" "$T/model.$k" || {
			n=$(cmp -l "$MNT/region0/${names[$k]}" "$T/model.$k" | wc -l)
			echo "iteration $iter: namespace ${names[$k]} read back with $n bytes differing" >&2
			lost=$((lost + n))
			copy_range "$MNT/region0/${names[$k]}" 0 "$T/model.$k" 0 "${sizes[$k]}"
		}
	done

	nops=$((1 + $(rnd 4)))
	for ((o = 0; o < nops; o++)); do
		pick_op
		do_write "$k" "$off" "$len" "$seed" "$mode" || true
		[ "$op_rc" = 0 ] || fail "iteration $iter: $mode write of $len bytes at $off of ${names[$k]} failed"
		"$NSIO" write "$T/model.$k" "$off" "$len" "$seed" || fail "model write"
		cache_clean "$R" $((dpas[k] + off)) "$len"
		flushes=$((flushes + 1))
		fbytes=$((fbytes + len))
	done

	# the write the kill may cut: up to a whole namespace, started, then
	# SIGKILL after 0..19 ms
	pick_op
	len=$((1 + $(rnd "${sizes[$k]}")))
	off=$(rnd $((sizes[k] - len + 1)))
	do_write "$k" "$off" "$len" "$seed" "$mode" 2>"$T/cut.err" &
	wpid=$!
	sleep "0.0$(rnd 2)$(rnd 10)"
	kill -9 "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
	wrc=0
	wait "$wpid" || wrc=$?
	fusermount3 -u -z "$MNT" 2>/dev/null || true
	if [ "$wrc" = 0 ]; then
		# its flush returned before the kill: it must be there too
		"$NSIO" write "$T/model.$k" "$off" "$len" "$seed" || fail "model write"
		cutok=$((cutok + 1))
		flushes=$((flushes + 1))
		fbytes=$((fbytes + len))
	else
		copy_range "${rf[$k]}" $((ro[k] + off)) "$T/model.$k" "$off" "$len"
		cut=$((cut + 1))
	fi

	# in the region file right after the kill
	for k in 0 1 2 3; do
		n=$(lost_in "$k" "${rf[$k]}" "${ro[$k]}")
		if [ "$n" != 0 ]; then
			echo "iteration $iter: $n flushed bytes of ${names[$k]} not in the region file" >&2
			lost=$((lost + n))
			copy_range "${rf[$k]}" "${ro[$k]}" "$T/model.$k" 0 "${sizes[$k]}"
		fi
	done
	guard_check "$R" "${dpas[0]}" $((dpas[3] + sizes[3] - dpas[0]))
done

echo "durability: $iter iterations in $((SECONDS - start)) s, $flushes flushes returned" \
	"($fbytes bytes), $cut writes cut by kill -9, $cutok finished just before it," \
	"lost bytes: $lost"
((iter > 0)) || fail "no iteration ran"
[ "$lost" = 0 ] || fail "$lost flushed bytes lost"
FS_SHOW_LOG=0
echo "PASS: $TEST_NAME"
