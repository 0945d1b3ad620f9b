# SPDX-License-Identifier: MIT
# Helpers for the VM crash tests (crash_ext4.sh, crash_xfs.sh,
# crash_nvdimm.sh): pmemctl crash-test with a QEMU guest as the
# application, started by contrib/qemu/pmemfs-qemu (which execs QEMU: the
# armed crash's SIGKILL reaches QEMU itself, and crash-test sees it die of
# it), and the checkers: on the host (crash_check.sh, ext4) or a second
# boot of the guest (crash_check_guest.sh, xfs). The guest is the e2e kernel with the initramfs
# plus the file-system addition (mkinitramfs_fs.sh: mkfs/fsck tools, ext4
# and xfs modules, crash_guest.sh).
. "$(dirname "${BASH_SOURCE[0]}")/e2elib.sh"
e2e_need_guest
for p in e2fsck debugfs mke2fs mkfs.xfs xfs_repair; do
	command -v "$p" >/dev/null || fail "$p (e2fsprogs, xfsprogs) needed: $INSTALL_HINT"
done
e2e_initramfs_add fs "$E2E_SRC/mkinitramfs_fs.sh" "$E2E_CACHE"
PMEMFS_QEMU=$PMEMFS_SOURCE_ROOT/contrib/qemu/pmemfs-qemu
BOOT_TIMEOUT=${PMEMFS_E2E_BOOT_TIMEOUT:-120}	# the mkfs boot
CHECK=$E2E_SRC/crash_check.sh
CHECK_GUEST=$E2E_SRC/crash_check_guest.sh
export PMEMCTL	# pmemfs-qemu asks it about the files it is given
NSFILE=

# crash_setup SIZE FS: a region with one namespace "vm" of SIZE, served,
# and FS made on it (crash_mkfs)
crash_setup() {
	region_create "$T/r.img" 256M
	ns_create "$T/r.img" "$1" vm >/dev/null
	pmemfs_start "$T/r.img"
	NSFILE=$MNT/region0/vm
	crash_mkfs "$2"
}

# crash_mkfs FS: make FS on the namespace in a first boot that ends with
# a clean QEMU exit, so no revert of a crash test ever undoes it; sets
# BOOT_S, the seconds that guest took to boot (to the start of its
# script: /init's E2E-BEGIN line), for --moment-after
crash_mkfs() {
	local size
	size=$(stat -c %s "$NSFILE")
	guest_start mkfs pc ". /lib/e2e/crash_guest.sh
crash_mkfs $1" -object "memory-backend-file,id=mem1,share=on,mem-path=$NSFILE,size=$size" \
		-device virtio-pmem-pci,memdev=mem1 -device isa-debug-exit,iobase=0xf4,iosize=4
	while ! console_text | grep -qxF "E2E-BEGIN $NONCE" && kill -0 "$QEMU_PID" 2>/dev/null; do
		sleep 0.05
	done
	BOOT_S=$(awk -v ns=$(($(date +%s%N) - GUEST_T0)) 'BEGIN { printf "%.1f", ns / 1e9 }')
	guest_wait
	guest_has_mark mkfs-done || guest_fail "no mkfs-done mark"
	echo "e2e: the mkfs guest booted in $BOOT_S s" >&2
}

# crash_guest_args SCRIPT: pmemfs-qemu's words after "--" for the e2e
# guest running SCRIPT (after crash_guest.sh), in the array GARGS
crash_guest_args() {
	local b64
	b64=$(printf '. /lib/e2e/crash_guest.sh\n%s\n' "$1" | base64 -w0)
	GARGS=(-accel tcg -smp 1 -no-reboot -nodefaults -display none -kernel "$KERNEL"
		-initrd "$INITRD" -append "console=ttyS0 panic=-1 loglevel=1 e2e.nonce=1 e2e.sh=$b64"
		-device isa-debug-exit,iobase=0xf4,iosize=4)
}

# crash_app DEVICE CONSOLE SCRIPT: the application's words for crash-test
# in the array APP: pmemfs-qemu --DEVICE (virtio-pmem or nvdimm) on the
# namespace ({}) booting the e2e guest that runs SCRIPT, its console in
# CONSOLE
crash_app() {
	crash_guest_args "$3"
	APP=("$PMEMFS_QEMU" "--$1" --qemu "$QEMU" {} -- "${GARGS[@]}" -serial "file:$2")
}

# crash_checker_guest FS CONSOLE LOG: the checker's words in the array
# CHECKER: a second boot on the namespace ({}, virtio-pmem) running
# crash_check FS, handed the acknowledgements in CONSOLE, its result
# lines appended to LOG (crash_check_guest.sh)
crash_checker_guest() {
	crash_guest_args "crash_check $1"
	CHECKER=("$CHECK_GUEST" "$2" "$3" "$PMEMFS_QEMU" --qemu "$QEMU" {} -- "${GARGS[@]}")
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

# crash_expect_recovered TEST NAME RECORDS LOG: the assertions of a crash
# test whose workload fsyncs each record before acknowledging it
# (crash_run NAME, its JSON in $T/NAME.json): every run passed, the clean
# run's check found all RECORDS, one check a run in LOG, at least one
# crash point before the workload ended; prints the counts as TEST
crash_expect_recovered() {
	local test=$1 name=$2 n=$3 log=$4 j runs inside
	cat "$log" >&2
	j=$(cat "$T/$name.json")
	runs=$(json_get "$j" .runs)
	[ "$CT_RC" = 0 ] ||
		fail "crash-test exited $CT_RC: acknowledged records lost or the file system not clean: $j"
	[ "$(json_get "$j" .passed)" = "$runs" ] && [ "$(json_get "$j" .failed)" = 0 ] ||
		fail "not every run passed: $j"
	[ "$(json_get "$j" .fsyncs)" -gt "$n" ] || fail "fewer guest FSYNCs than records: $j"
	head -n 1 "$log" | grep -q " acked=$n present=$n lost=0 " ||
		fail "the clean run's check: $(head -n 1 "$log")"
	[ "$(wc -l <"$log")" = $((runs + 1)) ] || fail "$((runs + 1)) checks expected in $log"
	# at least one point before the workload ended: not all acknowledged
	inside=$(sed -n '2,$p' "$log" | awk -v n="$n" '{ split($2, a, "="); if (a[2] < n) c++ } END { print c + 0 }')
	[ "$inside" -ge 1 ] || fail "no crash point fell inside the workload: $(jq -c .points <<<"$j")"
	echo "e2e: $test: $runs crash points at guest FSYNCs $(jq -c '[.points[] | sub("fsync "; "") | sub(" of .*"; "") | tonumber]' <<<"$j") of $(json_get "$j" .fsyncs) ($inside before the workload ended): $(log_sum "$log" acked 2) acknowledged, 0 lost, $(log_sum "$log" present 2) present; $((CT_MS / (runs + 1))) ms a run" >&2
}
