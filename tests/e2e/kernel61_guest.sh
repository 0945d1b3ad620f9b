# SPDX-License-Identifier: MIT
# The guest side of tests/e2e/kernel61.sh (busybox sh -e, sourced after
# guest.sh; mkinitramfs_pmemfs.sh packs it): pmemfs and pmemctl on the
# guest's kernel, on a tmpfs, on ext4 and on xfs (reflink=1) on virtio
# disks (/dev/vda, /dev/vdb), each with a region file and a region
# directory. The caller sets SEED. What
# can be checked here is checked here (exit status, bytes in the backing
# files, names in the mount and the region directory); pmemctl's JSON and
# the daemon logs go to the console between marks for the host (jq).
MNT=/mnt/pmemfs
MIB=1048576
OFF=$((1 * MIB + 4096))
OFF2=$((3 * MIB))
OFF3=$((5 * MIB + 8192))
OFF4=$((6 * MIB))
OFF5=$((7 * MIB))
LEN=196608
DPID=

die() {
	echo "E2E-FAIL $*"
	exit 1
}

# jget KEY: the value of "KEY" in pmemctl's JSON on stdin (one per line)
jget() {
	sed -n "s/^ *\"$1\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p" | head -n 1
}

# start LOG REGION...: mount pmemfs at $MNT, wait for its start-up summary
start() {
	_log=$1
	shift
	: >"$_log"
	pmemfs -f "$@" "$MNT" >>"$_log" 2>&1 &
	DPID=$!
	_i=0
	until grep -q '^pmemfs: start-up summary: ' "$_log"; do
		kill -0 "$DPID" 2>/dev/null || die "pmemfs exited before mounting: $(cat "$_log")"
		_i=$((_i + 1))
		[ "$_i" -lt 600 ] || die "pmemfs did not start in 30 s: $(cat "$_log")"
		sleep 0.05
	done
	grep -q " $MNT fuse.pmemfs " /proc/mounts || die "no pmemfs mount at $MNT"
}

# stop: unmount; the daemon must exit 0
stop() {
	fusermount3 -u "$MNT" || die "fusermount3 -u $MNT failed"
	_rc=0
	wait "$DPID" || _rc=$?
	[ "$_rc" = 0 ] || die "pmemfs exited $_rc after the unmount"
	DPID=
}

# backing REGION LAYOUT UUID DPA: sets B (the file that holds the
# namespace's bytes) and BO (its offset there)
backing() {
	if [ "$2" = dir ]; then
		B=$1/ns-$3
		BO=0
	else
		B=$1
		BO=$4
	fi
}

# hold_start FILE OFF SEED: a process stores LEN bytes of pattern SEED at
# OFF through a mapping of FILE and holds it (no msync); hp its pid, back
# once it is ready. /tmp/hold is emptied first: the background shell
# truncates it only when it runs, and an earlier holder's "ready" let a
# check start while the stores were still going on
hold_start() {
	: >/tmp/hold
	nsio mmap-write "$1" "$2" $LEN "$3" hold >/tmp/hold 2>&1 &
	hp=$!
	_i=0
	until grep -q ready /tmp/hold; do
		kill -0 $hp 2>/dev/null || die "$tag: nsio hold exited: $(cat /tmp/hold)"
		_i=$((_i + 1))
		[ "$_i" -lt 200 ] || die "$tag: nsio hold not ready"
		sleep 0.05
	done
}

# one FS_DIR TAG LAYOUT: the whole round on one region of LAYOUT in FS_DIR
one() {
	R=$1/r-$3
	tag=$2-$3
	other=dir
	[ "$3" = file ] || other=file
	pmemctl create-region --layout "$3" --size 40M "$R" >/dev/null
	pmemctl create-namespace --file "$R" -s 4M -n pad >/dev/null
	j=$(pmemctl create-namespace --file "$R" -s 8M -n data)
	uuid=$(echo "$j" | jget uuid)
	dpa=$(echo "$j" | jget dpa)
	[ -n "$uuid" ] && [ "$dpa" -gt 0 ] || die "$tag: create-namespace printed: $j"
	backing "$R" "$3" "$uuid" "$dpa"
	[ "$(stat -c %s "$B")" -ge $((BO + 8 * MIB)) ] || die "$tag: $B too small"

	if [ "$od" = no ]; then
		# -o backing=direct where the file system has no O_DIRECT: refused
		if timeout 20 pmemfs -f -o backing=direct "$R" "$MNT" >/tmp/err 2>&1; then
			die "$tag: -o backing=direct mounted without O_DIRECT"
		fi
		grep -q "no O_DIRECT on the region" /tmp/err ||
			die "$tag: -o backing=direct without O_DIRECT said: $(cat /tmp/err)"
		if grep -q " $MNT " /proc/mounts; then
			die "$tag: -o backing=direct left a mount"
		fi
	fi
	if [ "$PT" = no ]; then
		# -o passthrough=on without it in the kernel: the mount fails,
		# saying why, and leaves nothing mounted
		_rc=0
		timeout 20 pmemfs -f -o passthrough=on "$R" "$MNT" >/tmp/err 2>&1 || _rc=$?
		[ "$_rc" = 1 ] || die "$tag: -o passthrough=on exited $_rc: $(cat /tmp/err)"
		grep -q "passthrough=on: FUSE passthrough is not available: the kernel does not offer" /tmp/err ||
			die "$tag: -o passthrough=on said: $(cat /tmp/err)"
		if grep -q " $MNT " /proc/mounts; then
			die "$tag: -o passthrough=on left a mount"
		fi
	fi
	start "/tmp/log-$tag" "$R"
	f=$MNT/region0/data
	[ "$(stat -c %s "$f")" = $((8 * MIB)) ] || die "$tag: $f is $(stat -c %s "$f") bytes"
	# write(2) + fsync, then stores through a mapping + msync(MS_SYNC):
	# the bytes are in the backing file when the call returned
	nsio write "$f" $OFF $LEN "$SEED" fsync
	nsio verify "$B" $((BO + OFF)) $LEN "$SEED" || die "$tag: fsynced bytes not in $B"
	nsio mmap-write "$f" $OFF2 $LEN $((SEED + 1)) msync
	nsio verify "$B" $((BO + OFF2)) $LEN $((SEED + 1)) || die "$tag: msynced bytes not in $B"
	# the size never changes
	if nsio write "$f" $((8 * MIB - 4096)) 8192 7 fsync 2>/tmp/err; then
		die "$tag: a write past the end succeeded"
	fi
	[ "$(stat -c %s "$f")" = $((8 * MIB)) ] || die "$tag: the size changed"
	# a holder with dirty mapped pages while the status is listed
	hold_start "$f" $OFF3 $((SEED + 2))
	section "holder-$tag" echo $hp
	# in use: refused, naming the holder (/proc on this kernel)
	_rc=0
	pmemctl disable-namespace data 2>/tmp/err || _rc=$?
	[ "$_rc" = 240 ] || die "$tag: disable-namespace of a mapped namespace exited $_rc"
	grep -q "$hp" /tmp/err || die "$tag: disable-namespace did not name holder $hp: $(cat /tmp/err)"
	section "list-$tag" pmemctl list -v
	section "listR-$tag" pmemctl list -R
	section "stats-$tag" pmemctl stats data
	kill $hp
	wait $hp || true
	# online: a namespace made and destroyed through the daemon
	j=$(pmemctl create-namespace -s 4M -n hot)
	hu=$(echo "$j" | jget uuid)
	hd=$(echo "$j" | jget dpa)
	[ "$(stat -c %s "$MNT/region0/hot")" = $((4 * MIB)) ] || die "$tag: online namespace not served"
	[ "$3" = file ] || [ -f "$R/ns-$hu" ] || die "$tag: no $R/ns-$hu"
	nsio write "$MNT/region0/hot" 4096 65536 $((SEED + 3)) fdatasync
	backing "$R" "$3" "$hu" "$hd"
	nsio verify "$B" $((BO + 4096)) 65536 $((SEED + 3)) || die "$tag: hot bytes not in $B"
	pmemctl destroy-namespace -f hot 2>/dev/null
	# crash testing: a power failure keeps what was flushed, reverts the
	# rest (to zeroes: never written before), in the mount and the backing
	pmemctl power-fail --enable data >/dev/null
	nsio write "$f" $OFF4 65536 $((SEED + 5)) fsync
	nsio write "$f" $((OFF4 + 65536)) 65536 $((SEED + 6)) none
	section "powerfail-$tag" pmemctl power-fail data
	nsio verify "$f" $OFF4 65536 $((SEED + 5)) || die "$tag: power-fail lost flushed bytes"
	nsio check-byte "$f" $((OFF4 + 65536)) 65536 0 || die "$tag: power-fail kept unflushed bytes"
	backing "$R" "$3" "$uuid" "$dpa"
	nsio check-byte "$B" $((BO + OFF4 + 65536)) 65536 0 ||
		die "$tag: power-fail: unflushed bytes left in $B"
	[ ! -e "$MNT/region0/hot" ] || die "$tag: destroyed namespace still in the mount"
	[ "$3" = file ] || [ ! -e "$R/ns-$hu" ] || die "$tag: $R/ns-$hu left after destroy"
	if pmemctl list | grep -q '"name":"hot"'; then
		die "$tag: hot still listed"
	fi
	stop

	# offline: to the other layout and back; the bytes follow (the holder's
	# stores reached the daemon at the latest at the unmount)
	section "convert-$tag" pmemctl convert-region --layout $other "$R" "$R.conv" 2>/tmp/err
	grep -q "is unchanged" /tmp/err || die "$tag: convert-region said: $(cat /tmp/err)"
	start "/tmp/log-$tag-conv" "$R.conv"
	nsio verify "$f" $OFF $LEN "$SEED" || die "$tag: converted: write(2) bytes"
	nsio verify "$f" $OFF2 $LEN $((SEED + 1)) || die "$tag: converted: mmap bytes"
	nsio verify "$f" $OFF3 $LEN $((SEED + 2)) || die "$tag: converted: held mapping's bytes"
	section "listR-$tag-conv" pmemctl list -R
	# kill -9 of the daemon after a flush; a new mount has the bytes
	nsio write "$f" $OFF4 $LEN $((SEED + 4)) fsync
	kill -9 "$DPID"
	wait "$DPID" || true
	fusermount3 -u -z "$MNT"
	start "/tmp/log-$tag-kill9" "$R.conv"
	nsio verify "$f" $OFF4 $LEN $((SEED + 4)) || die "$tag: fsynced bytes lost at kill -9"
	nsio verify "$f" $OFF $LEN "$SEED" || die "$tag: bytes lost at kill -9"
	# SIGTERM with dirty mapped pages, no msync: written back, persisted,
	# exit 0, unmounted
	hold_start "$f" $OFF5 $((SEED + 7))
	backing "$R.conv" $other "$uuid" "$dpa"
	if nsio verify "$B" $((BO + OFF5)) $LEN $((SEED + 7)) 2>/tmp/pre; then
		die "$tag: the dirty pages reached $B before SIGTERM (the check proves nothing)"
	fi
	kill -TERM "$DPID"
	_rc=0
	wait "$DPID" || _rc=$?
	DPID=
	[ "$_rc" = 0 ] || die "$tag: pmemfs exited $_rc after SIGTERM"
	if grep -q " $MNT " /proc/mounts; then
		die "$tag: still mounted after SIGTERM"
	fi
	if ! nsio verify "$B" $((BO + OFF5)) $LEN $((SEED + 7)) 2>/tmp/post; then
		grep -v '^pmemfs:   ' "/tmp/log-$tag-kill9" | tail -n 8
		die "$tag: dirty mapped pages lost at SIGTERM (before it: $(cat /tmp/pre); after: $(cat /tmp/post))"
	fi
	kill -9 $hp
	wait $hp || true
	# back from tmpfs onto ext4: across file systems (EXDEV for
	# copy_file_range on this kernel: the read/write path)
	back=$R.back
	[ "$2" != tmpfs ] || back=/mnt/ext4/back-$tag
	section "convert-$tag-back" pmemctl convert-region --layout "$3" "$R.conv" "$back" 2>/tmp/err
	grep -q "is unchanged" /tmp/err || die "$tag: convert-region back said: $(cat /tmp/err)"
	backing "$back" "$3" "$uuid" "$dpa"
	nsio verify "$B" $((BO + OFF)) $LEN "$SEED" || die "$tag: converted back: write(2) bytes"
	nsio verify "$B" $((BO + OFF2)) $LEN $((SEED + 1)) || die "$tag: converted back: mmap bytes"
	nsio verify "$B" $((BO + OFF3)) $LEN $((SEED + 2)) || die "$tag: converted back: held mapping's bytes"
	nsio verify "$B" $((BO + OFF5)) $LEN $((SEED + 7)) || die "$tag: converted back: bytes of the SIGTERM"
	section "list-$tag-back" pmemctl list --file "$back"
	section "check-$tag-back" pmemctl check-labels --file "$back"
	rm -rf "$R" "$R.conv" "$back"
}

for m in $(cat /lib/pmemfs-modules/order); do
	insmod "/lib/pmemfs-modules/$m.ko"
done
section uname uname -r
# FUSE passthrough came with Linux 6.9
PT=yes
case $(uname -r) in
[1-5].* | 6.[0-8].* | 6.[0-8]-*) PT=no ;;
esac
mkdir -p "$MNT" /mnt/tmpfs /mnt/ext4 /mnt/xfs
mount -t tmpfs -o size=160M tmpfs /mnt/tmpfs
waitdev /dev/vda
waitdev /dev/vdb
mount -t ext4 /dev/vda /mnt/ext4
mount -t xfs /dev/vdb /mnt/xfs
for fs in tmpfs ext4 xfs; do
	# O_DIRECT: tmpfs has it since Linux 6.6
	: >/mnt/$fs/odirect
	od=no
	if nsio write /mnt/$fs/odirect 0 4096 1 direct 2>/dev/null; then
		od=yes
	fi
	rm /mnt/$fs/odirect
	section "odirect-$fs" echo $od
	for layout in file dir; do
		one /mnt/$fs $fs $layout
	done
done
for l in /tmp/log-*; do
	section "log-${l#/tmp/log-}" cat "$l"
done

# power cut: flushed patterns on ext4 in both layouts, then the host
# kills QEMU; the patterns must be on the disk. The region file's flush
# is an fdatasync of that file, which makes every earlier write durable
# too: its last flush is the mapping's msync. The directory's namespaces
# are files of their own: write(2) + fdatasync into one, stores + msync
# into another.
mkdir /mnt/ext4/cut
for layout in file dir; do
	pmemctl create-region --layout $layout --size 40M /mnt/ext4/cut/$layout >/dev/null
	pmemctl create-namespace --file /mnt/ext4/cut/$layout -s 4M -n map >/dev/null
	j=$(pmemctl create-namespace --file /mnt/ext4/cut/$layout -s 8M -n data)
	echo "cut $layout $(echo "$j" | jget uuid) $(echo "$j" | jget dpa)"
done
j=$(pmemctl list --file /mnt/ext4/cut/dir -n map)
echo "cut map $(echo "$j" | jget uuid) 0"
sync
# buffered: the bytes wait in the guest's page cache until a flush (with
# O_DIRECT they would be on the disk already); held open, so that only the
# flushes persist them (not the last close)
start /tmp/log-cut -o backing=buffered /mnt/ext4/cut/file /mnt/ext4/cut/dir
for h in region0/data region1/data region1/map; do
	sleep 600 <>"$MNT/$h" &
done
nsio write "$MNT/region0/data" $OFF $LEN "$SEED" fsync
nsio mmap-write "$MNT/region0/data" $OFF2 $LEN $((SEED + 1)) msync
nsio write "$MNT/region1/data" $OFF $LEN "$SEED" fdatasync
nsio mmap-write "$MNT/region1/map" $OFF2 $LEN $((SEED + 1)) msync
mark flushed
sleep 600
