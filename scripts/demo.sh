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

# Every step that fails says which step it was and shows the tool's own
# error (build output is kept in a log and printed on failure), with the
# command that fixes it where there is one.
current="start"
fixhint=""
die() { # MESSAGE...
	died=1
	printf '\ndemo: step "%s" failed: %s\n' "$current" "$*" >&2
	[ -z "$fixhint" ] || printf 'demo: fix: %s\n' "$fixhint" >&2
	exit 1
}
# quiet CMD...: run CMD with its output in $log; on failure show the output
quiet() {
	"$@" >"$log" 2>&1 || {
		rc=$?
		cat "$log" >&2
		die "'$*' exited $rc (its output is above)"
	}
}

if [ "$(id -u)" -ne 0 ]; then
	current="check the user"
	fixhint="run it as root: sudo scripts/demo.sh"
	die "the demo installs packages with apt-get and mounts with FUSE as root"
fi

log=$(mktemp /tmp/pmemfs-demo-build.XXXXXX)
work=""
mnt=""
cleanup() {
	st=$?
	[ -z "$mnt" ] || fusermount3 -u "$mnt" 2>/dev/null || true
	[ -z "$work" ] || rm -rf "$work"
	rm -f "$log"
	# a command that failed under set -e (not through die): name the step
	if [ "$st" -ne 0 ] && [ "$current" != "done" ] && [ "${died:-0}" -eq 0 ]; then
		printf '\ndemo: step "%s" failed (exit %s; the error is above)\n' "$current" "$st" >&2
		[ -z "$fixhint" ] || printf 'demo: fix: %s\n' "$fixhint" >&2
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE	# so the EXIT trap unmounts on a signal too

current="install the build dependencies (scripts/install-deps.sh)"
fixhint="check the network and apt's sources (apt-get update), then run scripts/install-deps.sh again"
scripts/install-deps.sh || die "scripts/install-deps.sh exited $? (its error is above)"

builddir=${BUILDDIR:-build}
# The demo needs no test dependency (cmocka): -Dtests=disabled, also when
# the build directory exists already (scripts/run-tests.sh enables them).
echo "demo: building in $builddir (meson setup -Dtests=disabled, ninja)"
current="configure the build (meson setup $builddir -Dtests=disabled)"
fixhint="scripts/install-deps.sh installs what meson looks for; or remove $builddir and run the demo again"
if [ -f "$builddir/meson-private/coredata.dat" ]; then
	quiet meson setup --reconfigure -Dtests=disabled "$builddir"
else
	quiet meson setup -Dtests=disabled "$builddir"
fi

current="build (ninja -C $builddir)"
fixhint=""
quiet ninja -C "$builddir"

current="prepare"
pmemctl=$builddir/tools/pmemctl
pmemfs=$builddir/src/pmemfs
hello=$builddir/contrib/examples/pmem2_hello
work=$(mktemp -d /tmp/pmemfs-demo.XXXXXX)
mkdir "$work/mnt"
mnt=$work/mnt

step() { current=$*; fixhint=""; printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "create a 64 MiB region file (the last 128 KiB hold NVDIMM labels)"
echo "\$ pmemctl create-region --size 64M $work/region0.img"
"$pmemctl" create-region --size 64M "$work/region0.img"

step "mount it (pmemfs returns once the mount and its control socket serve)"
echo "\$ pmemfs $work/region0.img $mnt"
[ -c /dev/fuse ] || fixhint="modprobe fuse (no /dev/fuse: in a container, give it /dev/fuse)"
"$pmemfs" "$work/region0.img" "$mnt"
ls -l "$mnt"

step "create a 16 MiB namespace through the running daemon"
echo "\$ pmemctl create-namespace -r region0 -s 16M -n demo --mount $mnt"
"$pmemctl" create-namespace -r region0 -s 16M -n demo --mount "$mnt" |
	tee "$work/ns.json"
dpa=$(sed -n 's/.*"dpa": *\([0-9]*\).*/\1/p' "$work/ns.json")
[ -n "$dpa" ] || die "pmemctl create-namespace printed no namespace (its error is above)"
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
current="done"
echo
echo "demo done: the bytes written through the mapping are at offset $((dpa + 4096)) of the region file:"
xxd -s $((dpa + 4096)) -l 32 "$work/region0.img"
