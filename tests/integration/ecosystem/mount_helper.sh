# SPDX-License-Identifier: MIT
# mount -t fuse.pmemfs and an fstab line, through fuse3's real mount helper:
# mount(8) drops PATH, mount.fuse3 runs `/bin/sh -c "pmemfs SRC DIR -o
# rw,dev,suid,..."`, and sh finds pmemfs in its default PATH. The build is
# installed with `meson install --destdir`; in a private mount namespace
# (nothing changes for the host) the destdir's bindir is laid over the
# configured bindir, so pmemfs sits exactly where `meson install` puts it.
# Checks: options from mount(8) reach pmemfs (mode=0640), data written
# through the mount is in the region file after umount, the daemon exits.
. "$PMEMFS_SOURCE_ROOT/tests/integration/ecosystem/ecolib.sh"

if [ "${1-}" != --inner ]; then
	need_fuse
	[ "$(id -u)" = 0 ] || skip "mount -t fuse.pmemfs and umount need root"
	command -v mount >/dev/null || skip "mount(8) not installed (util-linux)"
	[ -x /sbin/mount.fuse3 ] || [ -x /usr/sbin/mount.fuse3 ] ||
		skip "mount.fuse3 not installed (package fuse3)"
	eco_install
	bindir=$(dirname "$I_PMEMFS")
	# mount.fuse3's sh must find pmemfs where meson installs it
	case ":$(eco_clean_path):" in
	*":$bindir:"*) ;;
	*)
		case "$(dirname "$bindir")" in
		/usr | /usr/local) fail "bindir '$bindir' is not in the PATH mount(8) helpers get: $(eco_clean_path)" ;;
		*) skip "prefix '$(dirname "$bindir")': bindir '$bindir' is not in the PATH mount(8) helpers get ($(eco_clean_path)); configure with --prefix=/usr or /usr/local" ;;
		esac
		;;
	esac
	export ECO_D_PMEMCTL=$D_PMEMCTL ECO_BINDIR=$bindir ECO_DEST_BINDIR=$DEST$bindir
	rc=0
	eco_overlay_run "$DEST$bindir" "$bindir" bash "$0" --inner || rc=$?
	[ "$rc" != 125 ] ||
		skip "no private mount namespace here (unshare -m): pmemfs cannot be put in $bindir, where mount(8)'s helper looks, without writing the host's $bindir"
	exit "$rc"
fi

# --- inside the mount namespace ---------------------------------------------
PMEMCTL=$ECO_D_PMEMCTL
MNT=$T/mnt
R=$T/region0.img
mkdir -p "$MNT"

daemon_pid() { # the pmemfs serving $R (by its exact region argument)
	local p c
	for p in /proc/[0-9]*; do
		c=$(tr '\0' '\n' 2>/dev/null <"$p/cmdline") || continue
		printf '%s\n' "$c" | grep -qx "$R" || continue
		printf '%s\n' "$c" | head -1 | grep -q 'pmemfs$' || continue
		echo "${p#/proc/}"
		return 0
	done
	return 1
}
cleanup() {
	local pid
	if mounted_at "$MNT"; then umount -l "$MNT" 2>/dev/null || true; fi
	pid=$(daemon_pid) && kill -9 "$pid" 2>/dev/null || true
}
at_exit cleanup

# mount_it ARGS...: mount(8)
mount_it() {
	mount -t fuse.pmemfs "$@"
}

# wait_gone PID: the daemon exits after the unmount (it persists first)
wait_gone() {
	local i
	for ((i = 0; i < 250; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.02
	done
	fail "pmemfs (pid $1) still running 5 s after umount"
}

"$PMEMCTL" create-region --size 64M "$R" >/dev/null || fail "create-region"
j=$("$PMEMCTL" create-namespace --file "$R" -s 8M -n vm1) || fail "create-namespace"
dpa=$(json_get "$j" .dpa)

# 1. mount -t fuse.pmemfs -o mode=0640 REGION DIR
expect_exit 0 mount_it -o mode=0640 "$R" "$MNT"
mounted_at "$MNT" || fail "no fuse.pmemfs mount at $MNT after mount -t fuse.pmemfs"
src=$(awk -v m="$MNT" '$5 == m { for (i = 7; $i != "-"; i++); print $(i + 2) }' /proc/self/mountinfo)
assert_eq "$R" "$src" "mount source in mountinfo"
pid=$(daemon_pid) || fail "no pmemfs process serving $R"
exe=$(readlink "/proc/$pid/exe")
case "$exe" in
"$ECO_BINDIR/pmemfs" | "$ECO_DEST_BINDIR/pmemfs") ;;
*) fail "the helper ran '$exe', not the installed pmemfs" ;;
esac
assert_eq "640" "$(stat -c %a "$MNT/region0/vm1")" "mode of the namespace file (-o mode=0640 via mount)"
assert_eq 8388608 "$(stat -c %s "$MNT/region0/vm1")" "size of the namespace file"
# the control socket serves: pmemctl online through the mount
out=$("$PMEMCTL" list --mount "$MNT") || fail "pmemctl list --mount after mount(8)"
assert_eq vm1 "$(json_get "$out" '.[0].name')" "namespace listed online"
"$NSIO" write "$MNT/region0/vm1" 4096 65536 7 fsync || fail "write through the mount"
expect_exit 0 umount "$MNT"
mounted_at "$MNT" && fail "still mounted after umount"
wait_gone "$pid"
"$NSIO" verify "$R" $((dpa + 4096)) 65536 7 || fail "data written before umount is not in the region file"

# 2. an fstab line (mount by mount point alone), the options the
# example fstab uses: allow_other and x-systemd.* for systemd's generator
printf '%s %s fuse.pmemfs %s 0 0\n' "$R" "$MNT" \
	"noauto,allow_other,mode=0604,x-systemd.before=libvirtd.service,x-systemd.requires-mounts-for=$T" >"$T/fstab"
expect_exit 0 mount --fstab "$T/fstab" "$MNT"
mounted_at "$MNT" || fail "fstab line: no fuse.pmemfs mount at $MNT"
assert_eq "604" "$(stat -c %a "$MNT/region0/vm1")" "mode via the fstab line"
grep " $MNT " /proc/self/mountinfo | grep -q allow_other ||
	fail "fstab line: allow_other did not reach the mount: $(grep " $MNT " /proc/self/mountinfo)"
pid=$(daemon_pid) || fail "no pmemfs process serving $R (fstab)"
"$NSIO" verify "$MNT/region0/vm1" 4096 65536 7 || fail "data not visible after remount"
expect_exit 0 umount "$MNT"
wait_gone "$pid"
mounted_at "$MNT" && fail "still mounted after umount (fstab)"
exit 0
