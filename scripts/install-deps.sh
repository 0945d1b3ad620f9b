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

# Every package is named for what needs it. Some are already in a
# minimal Debian 12 (priority required); they are listed anyway, so that
# this list is the whole truth about what the build and the tests call.

# the build and scripts/demo.sh
build_pkgs="
	build-essential      # cc, make: the build
	meson ninja-build pkg-config
	python3              # contrib/meson.build: the pmemctl(8) generator
	libfuse3-dev libpmem2-dev libnl-3-dev libnl-genl-3-dev libjson-c-dev uuid-dev
	libsystemd-dev       # sd_notify readiness (-Dsystemd=auto)
	fuse3                # fusermount3, mount.fuse3: demo, every mounting suite
	xxd                  # demo (shows the bytes); cli, fs, powerfail
"

# the test suites (scripts/run-tests.sh), by suite
test_pkgs="
	libcmocka-dev        # unit (-Dtests=enabled needs it)
	python3              # run-tests.sh's summary; reliability (lsaedit.py), ecosystem (notify_listen.py)
	jq                   # cli, fs, online, reliability, powerfail, media, ecosystem, bench
	git                  # cli/script_modes (git modes of the scripts); bench/run.sh (commit)
	clang libclang-rt-14-dev  # fuzz (libFuzzer build)
	valgrind             # valgrind/daemon
	strace               # fs/self_access, fs/receive
	procps               # pgrep, ps: fs/lock, fs/self_access; uptime, free: bench
	util-linux           # setpriv: online/users, reliability/security; unshare: ecosystem, online/discovery; flock, fallocate
	mount                # mount, umount, losetup: fs/eio, ecosystem/mount_helper, loop-device tests
	bsdutils             # script(1): ecosystem/progress, cli/read_labels
	bsdextrautils        # column: bench (run.sh, smoke)
	diffutils            # cmp, diff: cli, ecosystem/install
	e2fsprogs            # mkfs.ext4: backing file systems on loop devices
	xfsprogs             # mkfs.xfs, xfs_io (shutdown: I/O errors): backing file systems
	btrfs-progs          # mkfs.btrfs: backing file systems
	fio                  # reliability/load, bench
	man-db groff-base    # man, groff: ecosystem/man, ecosystem/systemd_unit (Documentation=)
	systemd              # systemd-analyze: ecosystem/systemd_unit
	bash-completion      # ecosystem/install, completion: where completions load
	libxml2-utils        # xmllint: cli/qemu_script (the libvirt snippet is well-formed, slots 0 and 1)
"

# tests/e2e and bench's QEMU row: QEMU guests (busybox initramfs with the
# host's ndctl) and PMDK
e2e_pkgs="
	qemu-system-x86      # e2e, bench (qemu_guest.sh)
	busybox-static cpio  # e2e: the guest's initramfs (mkinitramfs.sh)
	xz-utils             # install-deps: unpacking the guest kernel
	ndctl                # e2e: ndctl in the guest; cli, online compare with it
	pmdk-tools           # pmempool: e2e/pmdk_obj
	libpmemobj-dev       # contrib/examples/pmemobj_list: e2e/pmdk_obj
"

# the words of a list above, without its comments
words() { printf '%s\n' "$1" | sed 's/#.*//' | tr -s ' \t\n' '\n\n\n' | sed '/^$/d' | sort -u; }

pkgs=$(words "$build_pkgs")
[ "$want_tests" -eq 1 ] && pkgs=$(words "$build_pkgs $test_pkgs $e2e_pkgs")

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done

self=scripts/install-deps.sh
[ "$want_tests" -eq 0 ] || self="$self --tests"
# apt's and dpkg's chatter goes to a log, shown when a step fails
log=$(mktemp /tmp/pmemfs-install-deps.XXXXXX)
trap 'rm -f "$log"' EXIT
apt_quiet() { # WHAT FIX apt-get ARGS...
	what=$1 fix=$2
	shift 2
	"$@" >"$log" 2>&1 && return 0
	cat "$log" >&2
	echo "install-deps: $what failed (apt's output is above); fix: $fix" >&2
	exit 1
}
if [ -n "$missing" ]; then
	echo "install-deps: installing:$missing"
	apt_quiet "apt-get update" "check the network and the sources in /etc/apt/sources.list.d, then run it again" \
		apt-get update -q
	# shellcheck disable=SC2086
	apt_quiet "apt-get install" "apt-get update, then $self again" \
		apt-get install -y -q --no-install-recommends $missing
	echo "install-deps: installed"
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
