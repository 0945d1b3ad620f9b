#!/bin/bash
# SPDX-License-Identifier: MIT
# nvdimm (vNVDIMM) on a namespace file: QEMU never sends FSYNC in this
# mode, so what the guest wrote becomes durable through the daemon's
# persist on the last close, when QEMU exits cleanly. After the guest
# powers off, the pattern is at the namespace's dpa in the region file,
# the range turns clean in the host page cache without any fsync, and the
# guard bytes are untouched. The buffered data path makes "clean" mean
# "persisted by the daemon" (with O_DIRECT nothing is ever dirty there).
. "$(dirname "$0")/e2elib.sh"
e2e_need_guest

R=$T/r.img
SIZE=$((32 << 20))
OFF=$(((2 << 20) + 512))
LEN=$((320 << 10))
SEED=$((RANDOM + 1))
region_create "$R" 128M
ns_create "$R" 16M pad >/dev/null
d=$(ns_create "$R" 32M vm)
guard_fill "$R"
f=$MNT/region0/vm

pmemfs_start -o backing=buffered "$R"
# the guest's last close of /dev/pmem0 writes its page cache into the
# nvdimm (the host mapping); nothing flushes to the host
guest_boot nvdimm pc,nvdimm=on "
waitdev /dev/pmem0
nsio write /dev/pmem0 $OFF $LEN $SEED none
nsio verify /dev/pmem0 $OFF $LEN $SEED
mark written" \
	-object "memory-backend-file,id=mem1,share=on,mem-path=$f,size=$SIZE" \
	-device nvdimm,memdev=mem1
guest_has_mark written || guest_fail "no written mark"

st=$("$PMEMCTL" stats --mount "$MNT" vm) || fail "pmemctl stats"
n=$(json_get "$st" '.[0].requests.fsync')
[ "$n" = 0 ] || echo "note: QEMU sent $n FSYNC in nvdimm mode (QEMU 7.2 sent none)" >&2
[ "$(json_get "$st" '.[0].requests.release')" -ge 1 ] ||
	fail "the daemon saw no RELEASE of the namespace file: $st"
clean=
for ((i = 0; i < 100; i++)); do
	out=$("$NSIO" cachestat "$R" "$d" "$SIZE") || { rc=$?; [ $rc = 77 ] && break; fail "cachestat"; }
	case "$out" in *" dirty=0 writeback=0") clean=1; break ;; esac
	sleep 0.05
done
[ -n "$clean" ] || cache_clean "$R" "$d" "$SIZE"
"$NSIO" verify "$R" $((d + OFF)) "$LEN" "$SEED" ||
	fail "the guest's pattern is not at dpa $d + $OFF in the region file after QEMU exited"
guard_check "$R" $((d + OFF)) "$LEN"
pmemfs_stop
