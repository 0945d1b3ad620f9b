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

# crash_exit V: end QEMU now with exit status 2*V+1 (isa-debug-exit:
# V 0 gives 1, 1 gives 3, 2 gives 5)
crash_exit() {
	printf "\\00$1" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
}

# crash_fail: end QEMU with status 3 (isa-debug-exit), else return 1
crash_fail() {
	crash_exit 1
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

# crash_work FS MODE RECORDS PACE OPTS: mount FS with OPTS (mount -o;
# with dax or dax=always there, a mount without DAX fails the script),
# append RECORDS records to /log, sleeping PACE seconds after each, and
# unmount. MODE fsync: each record is fsynced (busybox `sync FILE`)
# before its ACK; ackfirst: acknowledged at once, fsynced every 4th, and
# no unmount: the guest powers off at once (no crash point there could
# lose a record, all are fsynced by then; so a --sweep's points fall
# among the syncs, whatever the guest's FSYNC count).
crash_work() {
	waitdev /dev/pmem0
	mount -t "$1" -o "$5" /dev/pmem0 /mnt
	case ,$5, in
	*,dax,* | *,dax=always,*)
		grep -q "^/dev/pmem0 /mnt $1 [^ ]*dax" /proc/mounts ||
			{ echo "crash_work: /mnt not mounted with DAX: $(grep /mnt /proc/mounts)" >&2; return 1; } ;;
	esac
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
	if [ "$2" = ackfirst ]; then
		mark work-done
		poweroff -f
	fi
	umount /mnt
	mark work-done
}

# crash_check FS: the checker as a second boot, on the namespace a crash
# left: the acknowledgements come in by QEMU's -fw_cfg
# name=opt/pmemfs/acks,file=F ("ACK N" lines; qemu_fw_cfg is loaded);
# mount FS (xfs replays its log), read /log, unmount, then xfs_repair -n
# must find it clean. Prints "CHECK acked=A present=P lost=L
# lost_set=i,j,... repair=clean" and powers off (QEMU exits 0) when
# nothing acknowledged is lost; QEMU exits 1 when records are lost, 5
# when the mount or xfs_repair -n fails, 3 when it cannot check.
crash_check() {
	acks=/sys/firmware/qemu_fw_cfg/by_name/opt/pmemfs/acks/raw
	waitdev /dev/pmem0
	waitdev "$acks"
	if ! mount -t "$1" /dev/pmem0 /mnt; then
		echo "CHECK mount -t $1 failed: $(dmesg | tail -n 5 | tr '\n' ' ')"
		crash_exit 2
		return 1
	fi
	cat /mnt/log >/tmp/recs
	umount /mnt
	case $1 in
	xfs)
		if ! /usr/sbin/xfs_repair -n /dev/pmem0 >/tmp/repair 2>&1; then
			echo "CHECK xfs_repair -n: not clean: $(tail -n 5 /tmp/repair | tr '\n' ' ')"
			crash_exit 2
			return 1
		fi ;;
	*) echo "CHECK no checker for file system '$1'"; return 1 ;;
	esac
	n=0
	lost=
	for a in $(tr -d '\r' <"$acks" | sed -n 's/^ACK \([0-9][0-9]*\)$/\1/p'); do
		n=$((n + 1))
		grep -qx "rec$a" /tmp/recs || lost="$lost${lost:+,}$a"
	done
	nl=0
	[ -z "$lost" ] || nl=$(echo "$lost" | tr , '\n' | wc -l)
	echo "CHECK acked=$n present=$(grep -c '^rec[0-9]*$' /tmp/recs) lost=$nl lost_set=${lost:--} repair=clean"
	[ -z "$lost" ] || { crash_exit 0; return 1; }
}
