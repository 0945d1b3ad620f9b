#!/bin/bash
# SPDX-License-Identifier: MIT
# Hotplug: with a guest running (no persistent memory at boot), pmemctl
# creates a namespace through the running daemon, the host writes a
# pattern into its file, and QEMU's monitor adds it (object_add
# memory-backend-file + device_add virtio-pmem-pci). The guest sees a new
# /dev/pmem0 holding the host's bytes, writes and flushes its own, and
# they are at the namespace's dpa in the region file.
. "$(dirname "$0")/e2elib.sh"
e2e_need_guest

R=$T/r.img
OFF=$((4 << 20))
LEN=$((64 << 10))
S1=$((RANDOM + 1))
S2=$((S1 + 1))
region_create "$R" 256M
ns_create "$R" 32M other >/dev/null
pmemfs_start "$R"

guest_start hotplug pc "
mark up
waitdev /dev/pmem0 40
mark plugged
nsio verify /dev/pmem0 0 $LEN $S1
nsio write /dev/pmem0 $OFF $LEN $S2 fsync
mark written"
guest_wait_mark up

j=$("$PMEMCTL" create-namespace --mount "$MNT" -s 64M -n hot) || fail "online create-namespace failed"
d=$(json_get "$j" .dpa)
f=$(json_get "$j" .path)
assert_eq "$MNT/region0/hot" "$f" "path of the new namespace"
"$NSIO" write "$f" 0 $LEN "$S1" fsync
guest_monitor "object_add memory-backend-file,id=hp1,share=on,mem-path=$f,size=$((64 << 20))"
guest_monitor "device_add virtio-pmem-pci,memdev=hp1,id=hpdev1"
t0=$(date +%s%N)
guest_wait_mark plugged
echo "e2e: the guest saw /dev/pmem0 $((($(date +%s%N) - t0) / 1000000)) ms after device_add" >&2
guest_wait
guest_has_mark written || guest_fail "no written mark"
"$NSIO" verify "$R" $((d + OFF)) $LEN "$S2" ||
	fail "the guest's flushed bytes are not at dpa $d + $OFF in the region file"
pmemfs_stop
