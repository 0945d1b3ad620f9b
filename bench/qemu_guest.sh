#!/bin/bash
# SPDX-License-Identifier: MIT
# One guest of the bench's QEMU row (run.sh runs it once per side and
# repetition): a TCG guest gets FILE (a plain file or a pmemfs namespace
# file, SIZE MiB) as virtio-pmem, writes SIZE MiB of zeros to /dev/pmem0
# with dd (bs=1M) and fsyncs the block device (conv=fsync: the guest's
# REQ_PREFLUSH, which virtio-pmem turns into QEMU's fsync of FILE, as
# tests/e2e/virtio_pmem.sh checks). The guest times the write + flush
# with /proc/uptime (10 ms resolution) and prints it with a marker; this
# prints the guest's MiB/s on stdout.
#
#   qemu_guest.sh FILE SIZE_MIB
#   env: PMEMFS_SOURCE_ROOT, PMEMFS_BUILD_ROOT, PMEMFS, PMEMCTL
#
# The guest tooling (boot, initramfs, markers) is tests/e2e/e2elib.sh,
# sourced as the e2e tests source it; it runs in this process of its own
# so that its traps and temporary directory stay out of run.sh.
FILE=${1:?usage: qemu_guest.sh FILE SIZE_MIB}
SIZE_MIB=${2:?usage: qemu_guest.sh FILE SIZE_MIB}
export PMEMFS_TESTLIB=$PMEMFS_SOURCE_ROOT/tests/integration/lib.sh
export FS_SHOW_LOG=0
. "$PMEMFS_SOURCE_ROOT/tests/e2e/e2elib.sh"
e2e_need_guest

# busybox sh in the guest; uptime's first field, in seconds (x.yy)
guest_start bench pc "
waitdev /dev/pmem0
read t0 rest </proc/uptime
dd if=/dev/zero of=/dev/pmem0 bs=1M count=$SIZE_MIB conv=fsync 2>/dev/null
read t1 rest </proc/uptime
mark bench-time \$t0 \$t1" \
	-object "memory-backend-file,id=mem1,share=on,mem-path=$FILE,size=${SIZE_MIB}M" \
	-device virtio-pmem-pci,memdev=mem1
guest_wait
line=$(console_text | grep -E "^E2E-MARK $NONCE bench-time [0-9.]+ [0-9.]+\$" | head -n 1)
[ -n "$line" ] || guest_fail "no bench-time mark"
read -r _ _ _ t0 t1 <<<"$line"
awk -v a="$t0" -v b="$t1" -v m="$SIZE_MIB" 'BEGIN {
	d = b - a; if (d < 0.01) d = 0.01; printf "%.2f\n", m / d }'
