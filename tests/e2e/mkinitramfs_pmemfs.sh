#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the addition to the e2e guest's initramfs that runs pmemfs itself
# in the guest (tests/e2e/kernel61.sh): appended to the one mkinitramfs.sh
# builds (the kernel unpacks concatenated newc archives in turn), so the
# other guests boot without it.
#   mkinitramfs_pmemfs.sh CACHE BUILD_ROOT OUT
# Packs the kernel modules FUSE, ext4 and xfs on virtio disks need (under
# /lib/pmemfs-modules, loaded in order by the test's guest script: no
# modules.dep), pmemfs, pmemctl and fusermount3 with every shared library
# they load, /etc/mtab, and the guest script kernel61_guest.sh.
set -eu

cache=$1
build=$2
out=$3
prog=mkinitramfs_pmemfs
. "$(dirname "$0")/mkinitramfs_lib.sh"

fusermount=$(command -v fusermount3) || die "no fusermount3: install fuse3"
mkdir -p "$root/bin" "$root/lib/pmemfs-modules" "$root/lib/e2e" "$root/etc" "$root/mnt"

# in load order: each after the modules it needs (modinfo -F depends)
for m in fs/fuse/fuse lib/crc16 crypto/crc32c_generic fs/mbcache fs/jbd2/jbd2 \
	fs/ext4/ext4 lib/libcrc32c fs/xfs/xfs drivers/block/virtio_blk; do
	f=$cache/modules/kernel/$m.ko
	[ -f "$f" ] || die "module '$f' missing"
	cp "$f" "$root/lib/pmemfs-modules/"
	basename "$m" >>"$root/lib/pmemfs-modules/order"
done

for b in "$build/src/pmemfs" "$build/tools/pmemctl" "$fusermount"; do
	[ -x "$b" ] || die "'$b' not built"
	cp "$b" "$root/bin/"
	# glibc loads libgcc_s when a thread is cancelled or exits early
	copy_libs "$b" /lib/x86_64-linux-gnu/libgcc_s.so.1
done
ln -s /proc/self/mounts "$root/etc/mtab"
cp "$here/kernel61_guest.sh" "$root/lib/e2e/kernel61_guest.sh"

pack "$out"
