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
here=$(dirname "$0")

die() {
	echo "mkinitramfs_pmemfs: $*" >&2
	exit 1
}

command -v cpio >/dev/null || die "no cpio: run scripts/install-deps.sh --tests"
fusermount=$(command -v fusermount3) || die "no fusermount3: install fuse3"

root=$(mktemp -d "${TMPDIR:-/tmp}/pmemfs-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
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
	{ ldd "$b"; echo "/lib/x86_64-linux-gnu/libgcc_s.so.1"; } |
		awk '/=>/ { print $3 } /^[ \t]*\// { print $1 }' |
		while read -r lib; do
			[ -f "$lib" ] || continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
done
ln -s /proc/self/mounts "$root/etc/mtab"
cp "$here/kernel61_guest.sh" "$root/lib/e2e/kernel61_guest.sh"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$out.tmp"
mv "$out.tmp" "$out"
