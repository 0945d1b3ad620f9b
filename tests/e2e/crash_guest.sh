# SPDX-License-Identifier: MIT
# The crash tests' guest side (mkinitramfs_fs.sh packs it as
# /lib/e2e/crash_guest.sh; a case script sources it after guest.sh).
# One file system on /dev/pmem0 holding /log, one record a line
# ("rec0", "rec1", ...); each record is acknowledged by a console line
# "ACK N", which the host reads from QEMU's -serial file (it survives
# the SIGKILL of a crash). With -device isa-debug-exit,iobase=0xf4,
# iosize=4 a failing case script ends QEMU with exit status 3 instead
# of a clean power-off (exit 0), so a broken workload fails the clean
# run of pmemctl crash-test rather than passing as "nothing acked".

# crash_fail: end QEMU with status 3 (isa-debug-exit), else return 1
crash_fail() {
	printf '\001' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	return 1
}
trap '[ $? = 0 ] || crash_fail' EXIT

# crash_mkfs FS: make FS (ext4 or xfs) on /dev/pmem0 with an empty /log
crash_mkfs() {
	waitdev /dev/pmem0
	case $1 in
	ext4) /usr/sbin/mke2fs -q -F -t ext4 -b 4096 /dev/pmem0 ;;
	xfs) TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 /usr/sbin/mkfs.xfs -q -f /dev/pmem0 ;;
	*) echo "crash_mkfs: no file system '$1'" >&2; return 1 ;;
	esac
	mount -t "$1" /dev/pmem0 /mnt
	: >/mnt/log
	sync /mnt/log
	umount /mnt
	mark mkfs-done
}

# crash_work FS MODE RECORDS PACE OPTS: mount FS with OPTS (mount -o),
# append RECORDS records to /log, sleeping PACE seconds after each, and
# unmount. MODE fsync: each record is fsynced (busybox `sync FILE`)
# before its ACK; ackfirst: acknowledged at once, fsynced every 4th.
crash_work() {
	waitdev /dev/pmem0
	mount -t "$1" -o "$5" /dev/pmem0 /mnt
	i=0
	while [ "$i" -lt "$3" ]; do
		echo "rec$i" >>/mnt/log
		case $2 in
		fsync)
			sync /mnt/log
			echo "ACK $i" ;;
		ackfirst)
			echo "ACK $i"
			if [ $((i % 4)) = 3 ]; then sync /mnt/log; fi ;;
		*) echo "crash_work: no mode '$2'" >&2; return 1 ;;
		esac
		[ "$4" = 0 ] || sleep "$4"
		i=$((i + 1))
	done
	umount /mnt
	mark work-done
}
