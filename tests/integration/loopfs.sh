# SPDX-License-Identifier: MIT
# Small loop-mounted file systems for the space and I/O-error tests: never
# fill or fail the machine's own file systems. Source after lib.sh.
#
#   loopfs_mount TYPE SIZE DIR   mkfs.TYPE on a sparse image file of SIZE in
#                                $T, mounted at DIR through a loop device
#                                (detached with the unmount at exit); skips
#                                the test (77), saying why, where the
#                                machine cannot (not root, no mkfs, no loop)
#   loopfs_fill DIR              fill DIR's file system until ENOSPC
#   loopfs_free_kib DIR          free KiB of DIR's file system

loopfs_mount() {
	local type=$1 size=$2 dir=$3 img
	[ "$(id -u)" = 0 ] || skip "loop-mounting a $type file system needs root"
	command -v "mkfs.$type" >/dev/null || skip "mkfs.$type not installed"
	img=$T/loopfs.$type.$RANDOM.img
	truncate -s "$size" "$img"
	case "$type" in
	btrfs | xfs) "mkfs.$type" -q -f "$img" >/dev/null 2>&1 ;;
	ext4) mkfs.ext4 -q -F "$img" >/dev/null 2>&1 ;;
	*) "mkfs.$type" "$img" >/dev/null 2>&1 ;;
	esac || skip "mkfs.$type $size failed"
	mkdir -p "$dir"
	mount -o loop "$img" "$dir" 2>/dev/null || skip "cannot loop-mount $type (no loop devices?)"
	at_exit "umount -l '$dir' 2>/dev/null || true"
}

loopfs_fill() {
	dd if=/dev/zero of="$1/filler" bs=1M status=none 2>/dev/null || true
	sync -f "$1" 2>/dev/null || true
	dd if=/dev/zero of="$1/filler2" bs=4k status=none 2>/dev/null || true
	sync -f "$1" 2>/dev/null || true
}

loopfs_free_kib() {
	df --output=avail -k "$1" | tail -n 1 | tr -d ' '
}
