#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs everything pmemfs needs to build, run its demo and run its tests
# on a fresh Debian 12 machine. Idempotent; run as root.
#   scripts/install-deps.sh          build + demo dependencies
#   scripts/install-deps.sh --tests  also what the test suites need
set -eu

want_tests=0
[ "${1:-}" = "--tests" ] && want_tests=1

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: must run as root (it calls apt-get)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

build_pkgs="build-essential meson ninja-build pkg-config
	libfuse3-dev fuse3 libpmem2-dev libnl-3-dev libnl-genl-3-dev
	libjson-c-dev uuid-dev libsystemd-dev xxd"
test_pkgs="libcmocka-dev python3 jq clang util-linux e2fsprogs fio valgrind libclang-rt-14-dev
	strace"

# tests/e2e: QEMU guests (busybox initramfs with the host's ndctl) and PMDK
e2e_pkgs="qemu-system-x86 busybox-static cpio xz-utils ndctl
	pmdk-tools libpmemobj-dev"

pkgs=$build_pkgs
[ "$want_tests" -eq 1 ] && pkgs="$pkgs $test_pkgs $e2e_pkgs"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done

if [ -n "$missing" ]; then
	echo "install-deps: installing:$missing"
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
else
	echo "install-deps: all packages present"
fi

[ "$want_tests" -eq 1 ] || exit 0

# The guest kernel for tests/e2e: the image package linux-image-amd64
# depends on (its name changes with point releases), downloaded and
# extracted into a fixed cache that the tests read and never fill.
# $cache/current names the extracted kernel; vmlinuz, vmlinux (the
# uncompressed ELF, when it can be unpacked) and modules/ point into it.
cache=${PMEMFS_E2E_CACHE:-/var/cache/pmemfs-e2e}
kernel_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^ <>]*\)$/\1/p' | head -n 1
}
have_kernel() {
	[ -f "$cache/current" ] && [ -f "$cache/vmlinuz" ] && [ -d "$cache/modules" ]
}
kpkg=$(kernel_pkg)
if [ -z "$kpkg" ]; then	# no package lists yet (a fresh image)
	apt-get update -qq || true
	kpkg=$(kernel_pkg)
fi
if [ -z "$kpkg" ]; then
	if have_kernel; then
		echo "install-deps: cannot resolve linux-image-amd64; keeping the e2e kernel $(cat "$cache/current")"
		exit 0
	fi
	echo "install-deps: cannot resolve linux-image-amd64's image package" >&2
	exit 1
fi
if have_kernel && [ "$(cat "$cache/current")" = "$kpkg" ]; then
	echo "install-deps: e2e kernel $kpkg present in $cache"
	exit 0
fi
echo "install-deps: fetching e2e kernel $kpkg into $cache"
mkdir -p "$cache"
rm -rf "$cache/$kpkg.tmp"
mkdir "$cache/$kpkg.tmp"
chown _apt "$cache/$kpkg.tmp" 2>/dev/null || true	# apt's sandbox user
# stale package lists name a file the mirror no longer has: update, retry
(cd "$cache/$kpkg.tmp" && apt-get download -q "$kpkg" >/dev/null) ||
	{ apt-get update -qq && (cd "$cache/$kpkg.tmp" && apt-get download -q "$kpkg" >/dev/null); }
chown 0:0 "$cache/$kpkg.tmp"
dpkg-deb -x "$cache/$kpkg.tmp"/*.deb "$cache/$kpkg.tmp/root"
rm -f "$cache/$kpkg.tmp"/*.deb
kver=$(ls "$cache/$kpkg.tmp/root/lib/modules" | head -n 1)
[ -f "$cache/$kpkg.tmp/root/boot/vmlinuz-$kver" ] || {
	echo "install-deps: $kpkg holds no boot/vmlinuz-$kver" >&2
	exit 1
}
rm -rf "${cache:?}/$kpkg"
mv "$cache/$kpkg.tmp" "$cache/$kpkg"
# The uncompressed kernel boots in about half the time (QEMU enters it
# through its PVH note): unpack the xz payload of the bzImage, if any.
vmlinux=
off=$(grep -abo "$(printf '\3757zXZ')" "$cache/$kpkg/root/boot/vmlinuz-$kver" |
	head -n 1 | cut -d: -f1)
if [ -n "$off" ]; then
	tail -c +$((off + 1)) "$cache/$kpkg/root/boot/vmlinuz-$kver" |
		xz -dqc >"$cache/$kpkg/vmlinux" 2>/dev/null || true
	if [ "$(head -c 4 "$cache/$kpkg/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ]; then
		vmlinux=$kpkg/vmlinux
	else
		rm -f "$cache/$kpkg/vmlinux"
	fi
fi
ln -sfn "$kpkg/root/boot/vmlinuz-$kver" "$cache/vmlinuz"
ln -sfn "$kpkg/root/lib/modules/$kver" "$cache/modules"
if [ -n "$vmlinux" ]; then
	ln -sfn "$vmlinux" "$cache/vmlinux"
else
	rm -f "$cache/vmlinux"
fi
echo "$kpkg" >"$cache/current"
for d in "$cache"/linux-image-*; do
	[ "$d" = "$cache/$kpkg" ] || rm -rf "$d"
done
echo "install-deps: e2e kernel $kver in $cache${vmlinux:+ (with vmlinux)}"
