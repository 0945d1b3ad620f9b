# SPDX-License-Identifier: MIT
# Helpers for the VM crash tests (crash_ext4.sh, crash_nvdimm.sh):
# pmemctl crash-test with a QEMU guest as the application, started by
# contrib/qemu/pmemfs-qemu (which execs QEMU: the armed crash's SIGKILL
# reaches QEMU itself, and crash-test sees it die of it), and the host
# checker crash_check.sh. The guest is the e2e kernel with the initramfs
# plus the file-system addition (mkinitramfs_fs.sh: mkfs/fsck tools, ext4
# and xfs modules, crash_guest.sh).
. "$(dirname "${BASH_SOURCE[0]}")/e2elib.sh"
e2e_need_guest
for p in e2fsck debugfs mke2fs mkfs.xfs xfs_repair; do
	command -v "$p" >/dev/null || fail "$p (e2fsprogs, xfsprogs) needed: $INSTALL_HINT"
done
e2e_initramfs_add fs "$E2E_SRC/mkinitramfs_fs.sh" "$E2E_CACHE"
PMEMFS_QEMU=$PMEMFS_SOURCE_ROOT/contrib/qemu/pmemfs-qemu
CHECK=$E2E_SRC/crash_check.sh
export PMEMCTL	# pmemfs-qemu asks it about the files it is given
NSFILE=

# crash_setup SIZE: a region with one namespace "vm" of SIZE, served
crash_setup() {
	region_create "$T/r.img" 256M
	ns_create "$T/r.img" "$1" vm >/dev/null
	pmemfs_start "$T/r.img"
	NSFILE=$MNT/region0/vm
}

# crash_mkfs FS: make FS on the namespace in a first boot that ends with
# a clean QEMU exit, so no revert of a crash test ever undoes it
crash_mkfs() {
	local size
	size=$(stat -c %s "$NSFILE")
	guest_boot mkfs pc ". /lib/e2e/crash_guest.sh
crash_mkfs $1" -object "memory-backend-file,id=mem1,share=on,mem-path=$NSFILE,size=$size" \
		-device virtio-pmem-pci,memdev=mem1 -device isa-debug-exit,iobase=0xf4,iosize=4
	guest_has_mark mkfs-done || guest_fail "no mkfs-done mark"
}

# crash_app DEVICE CONSOLE SCRIPT: the application's words for crash-test
# in the array APP: pmemfs-qemu --DEVICE (virtio-pmem or nvdimm) on the
# namespace ({}) booting the e2e guest that runs SCRIPT, its console in
# CONSOLE
crash_app() {
	local b64
	b64=$(printf '. /lib/e2e/crash_guest.sh\n%s\n' "$3" | base64 -w0)
	APP=("$PMEMFS_QEMU" "--$1" --qemu "$QEMU" {} -- -accel tcg -smp 1 -no-reboot
		-nodefaults -display none -kernel "$KERNEL" -initrd "$INITRD"
		-append "console=ttyS0 panic=-1 loglevel=1 e2e.nonce=1 e2e.sh=$b64"
		-serial "file:$2" -device isa-debug-exit,iobase=0xf4,iosize=4)
}

# crash_run NAME ARGS...: pmemctl crash-test on "vm" with ARGS (options,
# then "--", the application, "--check", the checker); its JSON in
# $T/NAME.json, its messages in $T/NAME.err (also shown), its exit
# status in CT_RC, its wall time in CT_MS
crash_run() {
	local name=$1 t0
	shift
	t0=$(date +%s%N)
	CT_RC=0
	"$PMEMCTL" crash-test --mount "$MNT" vm "$@" >"$T/$name.json" 2>"$T/$name.err" || CT_RC=$?
	CT_MS=$((($(date +%s%N) - t0) / 1000000))
	sed "s/^/e2e: $name: /" "$T/$name.err" >&2
	echo "e2e: $name: crash-test exited $CT_RC in $CT_MS ms: $(cat "$T/$name.json")" >&2
	jq -e . "$T/$name.json" >/dev/null || fail "$name: crash-test printed no JSON (exit $CT_RC)"
}

# log_sum LOG FIELD [FROM]: the sum of FIELD=N over LOG's lines FROM on
log_sum() {
	sed -n "${3:-1},\$s/.* $2=\\([0-9]*\\).*/\\1/p" "$1" | awk '{ s += $1 } END { print s + 0 }'
}
