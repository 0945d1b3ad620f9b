#!/bin/sh
# SPDX-License-Identifier: MIT
# The README's demo command: install dependencies, build, then show pmemfs
# at work. Creates a region file, mounts it, creates a namespace through
# the running daemon (pmemctl talks to its control socket), writes into it
# through a libpmem2 mapping (memcpy + persist = msync), shows the bytes
# where they landed in the region file, lists the mount, and unmounts.
# Run as root on Debian 12.
set -eu
cd "$(dirname "$0")/.."

scripts/install-deps.sh
builddir=${BUILDDIR:-build}
[ -d "$builddir" ] || meson setup "$builddir" >/dev/null
ninja -C "$builddir" >/dev/null

pmemctl=$builddir/tools/pmemctl
pmemfs=$builddir/src/pmemfs
hello=$builddir/contrib/examples/pmem2_hello
work=$(mktemp -d /tmp/pmemfs-demo.XXXXXX)
mnt=$work/mnt
mkdir "$mnt"
cleanup() {
	fusermount3 -u "$mnt" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE	# so the EXIT trap unmounts on a signal too

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "create a 64 MiB region file (the last 128 KiB hold NVDIMM labels)"
echo "\$ pmemctl create-region --size 64M $work/region0.img"
"$pmemctl" create-region --size 64M "$work/region0.img"

step "mount it (pmemfs returns once the mount and its control socket serve)"
echo "\$ pmemfs $work/region0.img $mnt"
"$pmemfs" "$work/region0.img" "$mnt"
ls -l "$mnt"

step "create a 16 MiB namespace through the running daemon"
echo "\$ pmemctl create-namespace -r region0 -s 16M -n demo --mount $mnt"
"$pmemctl" create-namespace -r region0 -s 16M -n demo --mount "$mnt" |
	tee "$work/ns.json"
dpa=$(sed -n 's/.*"dpa": *\([0-9]*\).*/\1/p' "$work/ns.json")
ls -l "$mnt/region0"

step "write through a libpmem2 mapping of the namespace file and persist (msync)"
"$hello" "$mnt/region0/demo" "hello, persistent world" 4096

step "the bytes in the region file at dpa + 4096 = $((dpa + 4096))"
xxd -s $((dpa + 4096)) -l 32 "$work/region0.img"

step "list regions and namespaces through the daemon"
echo "\$ pmemctl list -R -N --mount $mnt"
"$pmemctl" list -R -N --mount "$mnt"

step "unmount, then read the labels back from the region file (offline)"
fusermount3 -u "$mnt"
"$pmemctl" list --file "$work/region0.img"
echo
echo "demo done"
