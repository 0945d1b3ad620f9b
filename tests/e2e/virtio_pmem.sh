#!/bin/bash
# SPDX-License-Identifier: MIT
# virtio-pmem on a namespace file. A guest writes a pattern to /dev/pmem0
# and flushes it: the daemon answers an FSYNC (QEMU's fsync of the backing
# file) and persists at least the written bytes before the guest prints
# its marker (pmemctl stats: the daemon's counters; passed through, the
# daemon does not see the stores and counts no bytes), and with QEMU running
# and the file still mapped the pattern is at the namespace's dpa in the
# region file, the range is clean in the host page cache and the guard
# bytes around it are untouched. A second guest, on a fresh mount, reads
# the pattern back. The first mount uses the buffered data path, where
# only the daemon's persist can make the range clean in cachestat(2) (the
# default O_DIRECT path leaves nothing in the host page cache); the
# second mount uses the default.
. "$(dirname "$0")/e2elib.sh"
e2e_need_guest

R=$T/r.img
SIZE=$((64 << 20))
OFF=$(((1 << 20) + 4096))
LEN=$((192 << 10))
SEED=$((RANDOM + 1))
region_create "$R" 256M
ns_create "$R" 32M pad >/dev/null	# the namespace under test is not at dpa 0
d=$(ns_create "$R" 64M vm)
[ "$d" -gt 0 ] || fail "namespace 'vm' at dpa $d"
guard_fill "$R"
f=$MNT/region0/vm
dev_args=(-object "memory-backend-file,id=mem1,share=on,mem-path=$f,size=$SIZE"
	-device virtio-pmem-pci,memdev=mem1)

# stats FIELD: the daemon's counter FIELD for the namespace
stats() {
	"$PMEMCTL" stats --mount "$MNT" vm | jq -r ".[0].$1"
}

pmemfs_start -o backing=buffered "$R"
guest_start write pc "
waitdev /dev/pmem0
nsio write /dev/pmem0 $OFF $LEN $SEED none
mark written
sleep 1
nsio fsync /dev/pmem0
mark flushed
sleep 600" "${dev_args[@]}"

guest_wait_mark written
fsyncs0=$(stats fsyncs)
persisted0=$(stats bytes_persisted)
guest_wait_mark flushed
fsyncs1=$(stats fsyncs)
persisted1=$(stats bytes_persisted)
echo "e2e: guest flush: daemon fsyncs $fsyncs0 -> $fsyncs1, bytes persisted $persisted0 -> $persisted1" >&2
((fsyncs1 > fsyncs0)) ||
	guest_fail "the daemon answered no FSYNC between the guest's write and its flush marker ($fsyncs0, then $fsyncs1)"
# passed through (a region directory's namespace file), the guest's stores
# reach the file without the daemon, which does not count them: there the
# clean range below is the whole proof
backing=$("$PMEMCTL" list -v --mount "$MNT" | jq -r '.[] | select(.name == "vm") | .backing')
echo "e2e: the namespace is served: $backing" >&2
[ "$backing" = passthrough ] || ((persisted1 - persisted0 >= LEN)) ||
	guest_fail "the daemon persisted $((persisted1 - persisted0)) bytes for the guest's flush of $LEN"
# the guest is idle now; QEMU still holds the namespace file open and mapped
cache_clean "$R" "$d" "$SIZE"
"$NSIO" verify "$R" $((d + OFF)) "$LEN" "$SEED" ||
	fail "the guest's flushed pattern is not at dpa $d + $OFF in the region file"
guard_check "$R" $((d + OFF)) "$LEN"
guest_quit
pmemfs_stop

pmemfs_start "$R"
guest_boot read pc "
waitdev /dev/pmem0
nsio verify /dev/pmem0 $OFF $LEN $SEED
nsio check-byte /dev/pmem0 0 $OFF $GUARD
nsio check-byte /dev/pmem0 $((OFF + LEN)) $((SIZE - OFF - LEN)) $GUARD
mark read-back" "${dev_args[@]}"
guest_has_mark read-back || guest_fail "no read-back mark"
pmemfs_stop
