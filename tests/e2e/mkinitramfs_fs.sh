#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the file-system addition to the e2e guest's initramfs, for the
# guests the crash tests run (crash_ext4.sh, crash_xfs.sh,
# crash_nvdimm.sh): appended to the one mkinitramfs.sh builds (e2elib.sh's
# e2e_initramfs_add), so the other guests boot as before.
#   mkinitramfs_fs.sh CACHE OUT
# Packs the host's e2fsprogs and xfsprogs (mke2fs, e2fsck, debugfs,
# mkfs.xfs, xfs_repair) under /usr/sbin with every shared library they
# load and /etc/mke2fs.conf; the ext4 and xfs modules and qemu_fw_cfg
# (a host file for the guest: -fw_cfg name=opt/...,file=F) in
# /lib/modules, with a whole new /lib/modules/order (modules.txt's, then
# these: /init loads it; the later archive's file replaces the base's);
# and the guest's crash workload, /lib/e2e/crash_guest.sh.
# Pitfalls: /init's `busybox --install -s /bin` puts busybox's mke2fs
# (ext2 only) first in PATH: the guest calls /usr/sbin/mke2fs by its
# path; mkfs.xfs refuses less than 300 MB unless TEST_DIR, TEST_DEV and
# QA_CHECK_FS are set (fstests' way; crash_guest.sh sets them).
set -eu

cache=$1
out=$2
prog=mkinitramfs_fs
. "$(dirname "$0")/mkinitramfs_lib.sh"

mkdir -p "$root/usr/sbin" "$root/lib/modules" "$root/lib/e2e" "$root/etc" "$root/mnt"

# the base's modules, then these, each after the modules it needs
# (modinfo -F depends); crc32c-intel is not needed under TCG
{
	grep -v '^#' "$here/modules.txt"
	for m in lib/crc16 fs/mbcache fs/jbd2/jbd2 crypto/crc32c_generic fs/ext4/ext4 \
		lib/libcrc32c fs/xfs/xfs drivers/firmware/qemu_fw_cfg; do
		f=$cache/modules/kernel/$m.ko
		[ -f "$f" ] || die "module '$f' missing"
		cp "$f" "$root/lib/modules/"
		echo "$m"
	done
} | while read -r m; do
	[ -z "$m" ] || basename "$m"
done >"$root/lib/modules/order"

for p in mke2fs e2fsck debugfs mkfs.xfs xfs_repair; do
	b=$(command -v "$p" || true)
	[ -n "$b" ] || die "no $p: install e2fsprogs and xfsprogs (scripts/install-deps.sh --tests)"
	cp "$b" "$root/usr/sbin/$p"
	copy_libs "$b"
done
[ -f /etc/mke2fs.conf ] || die "no /etc/mke2fs.conf (e2fsprogs)"
cp /etc/mke2fs.conf "$root/etc/"
cp "$here/crash_guest.sh" "$root/lib/e2e/crash_guest.sh"

pack "$out"
