#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs the README's two commands, exactly as the README writes them
# (scripts/demo.sh, then scripts/run-tests.sh), in a fresh minimal Debian 12
# root holding a clean clone of this repository's HEAD: what a new user or
# a container starts from. .ci/run calls it; run it by hand as root:
#   scripts/fresh-root.sh
# The last line is run-tests.sh's own `N passed, N failed, N skipped`.
#
# - The root is `debootstrap --variant=minbase bookworm`, made once into
#   $PMEMFS_FRESH_CACHE (default /var/cache/pmemfs-fresh) and made again
#   when missing or incomplete, with apt sources as a fresh Debian 12 has
#   them (bookworm, bookworm-updates, bookworm-security, deb.debian.org).
#   If it cannot be made (no mirror), the run fails saying so; it never
#   falls back to the host.
# - Each run puts a throw-away overlayfs on it (under /var/tmp), a clean
#   `git clone` of HEAD in /root/pmemfs (uncommitted changes are not in
#   it), /dev, /dev/pts, /proc and /sys for FUSE, loop devices and QEMU,
#   its own mount and pid namespaces with the root as "/" (pivot_root),
#   a fresh /run, and /tmp and /var/tmp on the host's disk file system
#   (the tests' region files: overlayfs cannot be an overlay upper, and
#   cachestat(2) differs on tmpfs). The host's apt archive cache
#   (/var/cache/apt/archives) is lent in, so packages are downloaded once.
#   The e2e guest kernel is not lent: install-deps fetches it as on a new
#   machine (70 MB, about 15 s here), so that path is tested too.
# - Everything runs in a private mount namespace; on exit (also on failure
#   or a signal) the run's pid namespaces are killed, its loop devices
#   detached, everything unmounted and the overlay removed.
#
# Environment: PMEMFS_FRESH_CACHE (the base root's cache directory),
# PMEMFS_FRESH_MIRROR (default http://deb.debian.org/debian),
# PMEMFS_FRESH_KEEP=1 keeps the overlay for a look afterwards (printed).
set -euo pipefail

me=fresh-root
say() { echo "$me: $*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot, mounts)"

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${PMEMFS_FRESH_CACHE:-/var/cache/pmemfs-fresh}
mirror=${PMEMFS_FRESH_MIRROR:-http://deb.debian.org/debian}
secmirror=${mirror%/debian}/debian-security
base=$cache/bookworm-minbase
apt_archives=/var/cache/apt/archives

# Our own mount namespace: no mount made here is ever seen by the host,
# and every one of them goes away with the namespace even on SIGKILL.
if [ "${_PMEMFS_FRESH_NS:-}" != 1 ]; then
	command -v unshare >/dev/null || die "unshare (util-linux) not found"
	exec unshare -m --propagation private \
		env _PMEMFS_FRESH_NS=1 "$BASH" "$0" "$@"
fi
unset _PMEMFS_FRESH_NS

# ---------------------------------------------------------------------------
# The base root, made once (under a lock: two runs may start together)
mkdir -p "$cache"
exec 9>"$cache/lock"
flock 9
base_ok() {
	[ -f "$base.complete" ] && [ -x "$base/usr/bin/apt-get" ] &&
		[ -f "$base/etc/apt/sources.list.d/debian.sources" ]
}
if ! base_ok; then
	if ! command -v debootstrap >/dev/null; then
		say "installing debootstrap"
		apt-get install -y -qq --no-install-recommends debootstrap >&2 ||
			{ apt-get update -qq && apt-get install -y -qq --no-install-recommends debootstrap >&2; } ||
			die "cannot install debootstrap (apt-get failed, its error is above)"
	fi
	say "making the Debian 12 minbase root in $base (once)"
	rm -rf "$base" "$base.complete" "$base.tmp"
	mkdir -p "$apt_archives"
	t0=$(date +%s)
	if ! debootstrap --variant=minbase --cache-dir="$apt_archives" \
		bookworm "$base.tmp" "$mirror" >"$cache/debootstrap.log" 2>&1; then
		tail -n 20 "$cache/debootstrap.log" >&2
		rm -rf "$base.tmp"
		die "cannot make the Debian 12 root: debootstrap from $mirror failed (no mirror reachable? the log is above and in $cache/debootstrap.log); not running on the host instead"
	fi
	# apt's sources as a fresh Debian 12 (its container image) has them
	rm -f "$base.tmp/etc/apt/sources.list"
	cat >"$base.tmp/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $secmirror
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	rm -rf "$base.tmp/var/lib/apt/lists/"*
	mv "$base.tmp" "$base"
	echo "debootstrap --variant=minbase bookworm $mirror, $(date -u +%FT%TZ)" >"$base.complete"
	say "base root made in $(($(date +%s) - t0)) s"
fi
flock -u 9

# ---------------------------------------------------------------------------
# The per-run overlay and everything mounted into it
rev=$(git -C "$repo" rev-parse HEAD) || die "$repo is not a git checkout"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
	say "note: $repo has uncommitted changes; the root gets a clone of HEAD ($rev) without them"
fi

# a run killed with SIGKILL leaves its directory (its mounts died with its
# namespace): remove those whose run is gone
for d in /var/tmp/pmemfs-fresh.*; do
	[ -f "$d/pid" ] || continue
	kill -0 "$(cat "$d/pid")" 2>/dev/null && continue
	grep -q " $d/" /proc/self/mountinfo || rm -rf --one-file-system "$d"
done

work=$(mktemp -d /var/tmp/pmemfs-fresh.XXXXXX)
echo $$ >"$work/pid"
root=$work/root
mkdir "$work/upper" "$work/ovlwork" "$root" "$work/tmp" "$work/vartmp"
chmod 1777 "$work/tmp" "$work/vartmp"

mounted_under() { # mount points at or below $work, deepest first
	awk -v w="$work" '$5 == w || index($5, w "/") == 1 { print $5 }' /proc/self/mountinfo |
		sort -r
}
teardown() {
	local i u c p r nss="" any loops dev m left
	set +e
	# the runs' pid namespaces: SIGKILL to unshare kills the namespace's
	# first process (--kill-child), and the kernel every other one
	for u in $(cat "$work/unshare.pids" 2>/dev/null); do
		c=$(cat "/proc/$u/task/$u/children" 2>/dev/null | cut -d' ' -f1)
		[ -n "$c" ] && r=$(readlink "/proc/$c/ns/pid" 2>/dev/null) && nss="$nss $r"
		kill -KILL "$u" 2>/dev/null
	done
	for ((i = 0; i < 100; i++)); do
		any=0
		for p in /proc/[0-9]*; do
			r=$(readlink "$p/ns/pid" 2>/dev/null) && [ -n "$r" ] || continue
			case "$nss " in *" $r "*) any=1; break ;; esac
		done
		[ "$any" = 0 ] && break
		sleep 0.2
	done
	[ "$any" = 0 ] || say "processes of the run still alive after 20 s"
	# loop devices whose backing file is in this run's /tmp or /var/tmp
	# (by device and inode: the path reads differently from out here)
	dev=$(stat -c '%Hd:%Ld' "$work/tmp")
	loops=$(losetup -n -l -O NAME,BACK-MAJ:MIN,BACK-INO 2>/dev/null |
		awk -v d="$dev" 'NR == FNR { ino[$1] = 1; next } $2 == d && ($3 in ino) { print $1 }' \
			<(find "$work/tmp" "$work/vartmp" -xdev -printf '%i\n' 2>/dev/null) -)
	for i in $loops; do losetup -d "$i" 2>/dev/null; done
	for m in $(mounted_under); do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	left=$(mounted_under)
	if [ -n "$left" ]; then
		say "still mounted, not removing $work: $left"
	elif [ "${PMEMFS_FRESH_KEEP:-0}" = 1 ]; then
		say "kept the run's root (upper layer) in $work"
	else
		rm -rf --one-file-system "$work"
	fi
}
cleanup() {
	local st=$?
	trap - EXIT INT TERM HUP PIPE
	teardown
	exit "$st"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM HUP PIPE

mount -t overlay overlay \
	-o "lowerdir=$base,upperdir=$work/upper,workdir=$work/ovlwork" "$root" ||
	die "cannot mount the overlay on $base"
mount --rbind /dev "$root/dev"	# with /dev/pts, /dev/shm
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"	# with /sys/fs/fuse/connections
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$root/run"
mkdir -p "$root/run/lock"
mount --bind "$work/tmp" "$root/tmp"
mount --bind "$work/vartmp" "$root/var/tmp"
mount --bind "$apt_archives" "$root/var/cache/apt/archives"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"

git clone -q --no-checkout "$repo" "$root/root/pmemfs" ||
	die "cannot clone $repo"
git -C "$root/root/pmemfs" checkout -q --detach "$rev" ||
	die "cannot check out $rev"
say "root $root: Debian $(cat "$root/etc/debian_version") minbase, pmemfs $(git -C "$repo" log -1 --format='%h %s' "$rev" | cut -c1-60)"

# in the root, as on a machine of its own: a mount and a pid namespace of
# its own with the root as "/" (pivot_root, as a container or a VM has it,
# not a chroot: /proc/PID/fd and mountinfo read there as they do on a
# fresh machine), a login-like environment, no stdin, nothing from the
# host. The namespace's first process is bash, which reaps orphans (a
# daemonised pmemfs whose parent exited) as an init does, so that a test
# waiting for a daemon to go does not find a zombie. SIGKILL to unshare
# ends the namespace and all its processes.
in_root() { # COMMAND (run by sh -c in /root/pmemfs)
	unshare -m -p --fork --kill-child --propagation private /bin/sh -c '
		root=$1 cmd=$2 term=$3 ci=$4
		if ! { mount -t proc proc "$root/proc" && cd "$root" &&
			pivot_root . mnt && umount -l /mnt; }; then
			echo "fresh-root: cannot make $root the root of a namespace" >&2
			exit 125
		fi
		exec /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash \
			TERM="$term" ${ci:+CI="$ci"} \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			/bin/bash -c "cd /root/pmemfs && { $cmd; } & wait \$!"' \
		fresh-root "$root" "$1" "${TERM:-dumb}" "${CI:-}" </dev/null &
	local u=$! st=0
	echo "$u" >>"$work/unshare.pids"
	wait "$u" || st=$?
	# reaped: its pid may be any other process's from now on, and teardown
	# SIGKILLs the pids listed (at the end of every run it sent SIGKILL to
	# whichever host process had come to hold the demo's and the tests'
	# unshare pids by then)
	sed -i "/^$u\$/d" "$work/unshare.pids"
	return "$st"
}

status=0
echo "== scripts/demo.sh (in the fresh root)"
t0=$(date +%s)
# (in the background, so that a signal runs the cleanup at once: bash
# runs a trap only after the foreground command ends)
in_root scripts/demo.sh &
wait $! || { say "scripts/demo.sh failed (exit $?)"; status=1; }
t_demo=$(($(date +%s) - t0))

echo "== scripts/run-tests.sh (in the fresh root)"
t0=$(date +%s)
(in_root scripts/run-tests.sh 2>&1 | tee "$work/run-tests.log") &
wait $! || status=1
t_tests=$(($(date +%s) - t0))

summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$work/run-tests.log" | tail -n 1 || true)
# what the tests printed besides their result (meson shows the output of
# failed tests only): a note that a test skipped part of itself fails
# the run, as a skipped test would
notes=$(cat "$root"/root/pmemfs/build*/meson-logs/testlog.txt 2>/dev/null |
	grep -E '^note:' | sort | uniq -c || true)
[ -z "$notes" ] || say "notes the tests printed:
$notes"
if printf '%s\n' "$notes" | grep -qiE 'note:.*skip'; then
	say "a test skipped part of itself (see the notes above)"
	status=1
fi
# a skipped test is not a passing one: the fresh root has all a test needs
skipped=$(printf '%s\n' "$summary" | sed -n 's/.* \([0-9][0-9]*\) skipped$/\1/p')
if [ "${skipped:-0}" != 0 ]; then
	say "$skipped test(s) skipped (exit 77): $(grep -E ' SKIP ' "$work/run-tests.log" |
		awk '{print $4}' | sort -u | tr '\n' ' ')"
	status=1
fi
# unmount and remove now, so that the summary stays the last line
trap - EXIT
trap '' INT TERM HUP PIPE
teardown
echo
say "scripts/demo.sh took ${t_demo} s, scripts/run-tests.sh ${t_tests} s"
if [ -z "$summary" ]; then
	say "scripts/run-tests.sh printed no summary line (it failed before; see above)"
	exit 1
fi
echo "$summary"
exit "$status"
