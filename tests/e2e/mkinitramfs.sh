#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the e2e guest's initramfs (an uncompressed newc cpio: under TCG
# the guest would spend longer inflating it than reading it):
#   mkinitramfs.sh CACHE NSIO OUT
# CACHE is the kernel cache scripts/install-deps.sh --tests fills
# (vmlinuz, modules/); NSIO a statically linked tests/integration nsio.
# Packs busybox-static, the modules listed in modules.txt (in that load
# order), the host's ndctl with its shared libraries, /init and
# /lib/e2e/guest.sh from this directory.
set -eu

cache=$1
nsio=$2
out=$3
prog=mkinitramfs
. "$(dirname "$0")/mkinitramfs_lib.sh"

[ -d "$cache/modules/kernel" ] ||
	die "no guest kernel modules in '$cache/modules': run scripts/install-deps.sh --tests"
[ -x /bin/busybox ] || die "no /bin/busybox: run scripts/install-deps.sh --tests"
ndctl=$(command -v ndctl) || die "no ndctl: run scripts/install-deps.sh --tests"
mkdir -p "$root/bin" "$root/lib/modules" "$root/lib/e2e" "$root/proc" \
	"$root/sys" "$root/dev" "$root/run" "$root/tmp" "$root/etc"

cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$nsio" "$root/bin/nsio"
cp "$here/init" "$root/init"
chmod 0755 "$root/init"
cp "$here/guest.sh" "$root/lib/e2e/guest.sh"

grep -v '^#' "$here/modules.txt" | while read -r m; do
	[ -n "$m" ] || continue
	f=$cache/modules/kernel/$m.ko
	[ -f "$f" ] || die "module '$f' missing"
	name=$(basename "$m")
	cp "$f" "$root/lib/modules/$name.ko"
	echo "$name" >>"$root/lib/modules/order"
done

# ndctl and every library it loads, at the paths the loader looks in
cp "$ndctl" "$root/bin/ndctl"
copy_libs "$ndctl"

pack "$out"
