#!/bin/bash
# SPDX-License-Identifier: MIT
# pmemfs on the guest's kernel (Debian 12's Linux 6.1, whatever
# scripts/install-deps.sh --tests cached; its uname -r is printed): the
# daemon, pmemctl and fusermount3 run INSIDE the guest
# (mkinitramfs_pmemfs.sh appends them, FUSE, ext4 and xfs to the initramfs
# for this test only), on a tmpfs, on ext4 and on xfs (reflink=1) on
# virtio disks, each with a region file and a region directory
# (kernel61_guest.sh): write + fsync and mmap + msync land in the backing
# file, the size stays fixed, online create/destroy, disable refused while
# mapped, list -v and stats with a holder, power-fail, convert-region both
# ways (reflink, copy_file_range, read/write across file systems), kill -9
# and SIGTERM with dirty pages. On a kernel without FUSE passthrough
# (< 6.9) the daemon says it is off and why, serves everything, and -o
# passthrough=on fails the mount; without cachestat(2) (< 6.5) list -v
# shows the page-cache part as unknown (null) and the daemon says so once;
# where the file system has no O_DIRECT (tmpfs < 6.6) the daemon says
# buffered and -o backing=direct stops at start. Last, a power cut: the
# guest flushes patterns into both layouts on ext4 and QEMU quits at once;
# after e2fsck (journal replay) the patterns are in the image. Its wall
# time: about 20 to 35 s here (the guest is most of it).
. "$(dirname "$0")/e2elib.sh"
e2e_need_guest
command -v mkfs.ext4 >/dev/null && command -v debugfs >/dev/null ||
	fail "mkfs.ext4 and debugfs (e2fsprogs) needed: $INSTALL_HINT"
command -v mkfs.xfs >/dev/null || fail "mkfs.xfs (xfsprogs) needed: $INSTALL_HINT"
BOOT_TIMEOUT=${PMEMFS_E2E_BOOT_TIMEOUT:-170}

SEED=$((RANDOM + 1))
MIB=1048576
OFF=$((1 * MIB + 4096))
OFF2=$((3 * MIB))
LEN=196608

e2e_initramfs_add pmemfs "$E2E_SRC/mkinitramfs_pmemfs.sh" "$E2E_CACHE" "$PMEMFS_BUILD_ROOT"

IMG=$T/ext4.img
truncate -s 256M "$IMG"
mkfs.ext4 -q -F "$IMG" || fail "mkfs.ext4 failed"
XFS=$T/xfs.img
truncate -s 320M "$XFS"
mkfs.xfs -q -f -m reflink=1 "$XFS" || fail "mkfs.xfs failed"

guest_start kernel61 pc "SEED=$SEED
. /lib/e2e/kernel61_guest.sh" -drive "file=$IMG,if=virtio,format=raw" \
	-drive "file=$XFS,if=virtio,format=raw"
guest_wait_mark flushed
guest_quit	# a power cut: the guest's page cache is lost

KVER=$(guest_section uname)
echo "e2e: guest kernel $KVER" >&2
[[ $KVER =~ ^([0-9]+)\.([0-9]+) ]] || fail "guest's uname -r: '$KVER'"
kv=$((BASH_REMATCH[1] * 1000 + BASH_REMATCH[2]))

# json SECTION: the JSON a pmemctl command printed between marks
json() {
	local j
	j=$(guest_section "$1")
	[ -n "$j" ] || guest_fail "no output in section $1"
	jq -e . <<<"$j" >/dev/null || guest_fail "section $1 is not JSON: $j"
	printf '%s\n' "$j"
}

PT_OFF="pmemfs: FUSE passthrough: off, every namespace is served through the daemon: the kernel does not offer FUSE passthrough (it needs Linux >= 6.9 built with CONFIG_FUSE_PASSTHROUGH)"
CS_OFF="pmemfs: cachestat(2) failed: Function not implemented (Linux < 6.5): the page-cache part of the bytes not yet durable is shown as unknown (null) in 'pmemctl list -v'"
for fs in tmpfs ext4 xfs; do
	odirect=$(guest_section "odirect-$fs")
	fsname=${fs/ext4/ext2\/3\/4}
	case $odirect in
	yes) backing=direct summary="backing direct (O_DIRECT for aligned I/O), on $fsname" ;;
	no) backing=buffered summary="backing buffered (the file system has no O_DIRECT), on $fsname" ;;
	*) guest_fail "no O_DIRECT probe of $fs" ;;
	esac
	echo "e2e: O_DIRECT on the guest's $fs: $odirect" >&2
	for layout in file dir; do
		tag=$fs-$layout
		for l in "$tag" "$tag-conv"; do
			log=$(guest_section "log-$l")
			[ -n "$log" ] || guest_fail "no daemon log of $l"
			if ((kv < 6009)); then
				grep -qxF "$PT_OFF" <<<"$log" ||
					guest_fail "$l: the daemon did not say passthrough is off and why: $log"
				! grep -i passthrough <<<"$log" |
					grep -vF "passthrough: off: the kernel does not offer FUSE passthrough (" |
					grep -vxF "$PT_OFF" | grep -q . ||
					guest_fail "$l: more said of passthrough: $log"
			fi
			[[ $log == *"$summary"* ]] ||
				guest_fail "$l: the start-up summary does not say '$summary': $log"
		done
		log=$(guest_section "log-$tag")
		if ((kv < 6005)); then
			[ "$(grep -cxF "$CS_OFF" <<<"$log")" = 1 ] ||
				guest_fail "$tag: the cachestat(2) fallback was not logged once: $log"
		fi

		j=$(json "list-$tag")
		holder=$(guest_section "holder-$tag")
		data=$(jq -c '.[] | select(.name == "data")' <<<"$j")
		[ -n "$data" ] || guest_fail "$tag: list -v has no namespace data: $j"
		echo "e2e: $tag: list -v: $(jq -c '{backing, holders, handles, not_durable_bytes, not_durable}' <<<"$data")" >&2
		got=$(jq -r .backing <<<"$data")
		# a newer guest kernel (>= 6.9) may pass a namespace file through
		[ "$got" = "$backing" ] || { ((kv >= 6009)) && [ "$layout" = dir ] && [ "$got" = passthrough ]; } ||
			guest_fail "$tag: list -v: backing $got, expected $backing (O_DIRECT: $odirect)"
		[ "$(jq -c .holders <<<"$data")" = "[$holder]" ] ||
			guest_fail "$tag: holders: $data, expected [$holder]"
		jq -e '.not_durable.mapped_bytes | type == "number"' <<<"$data" >/dev/null ||
			guest_fail "$tag: mapped_bytes unknown: $data"
		jq -e '.not_durable_bytes | type == "number"' <<<"$data" >/dev/null ||
			guest_fail "$tag: not_durable_bytes unknown: $data"
		if ((kv < 6005)); then
			jq -e '.not_durable.page_cache_bytes == null' <<<"$data" >/dev/null ||
				guest_fail "$tag: page_cache_bytes known without cachestat(2): $data"
		else
			jq -e '.not_durable.page_cache_bytes | type == "number"' <<<"$data" >/dev/null ||
				guest_fail "$tag: page_cache_bytes unknown with cachestat(2): $data"
		fi

		j=$(json "stats-$tag")
		echo "e2e: $tag: stats: $(jq -c '.[0] | {fsyncs, bytes_written, bytes_persisted}' <<<"$j")" >&2
		jq -e '.[0].name == "data" and .[0].fsyncs >= 1 and .[0].bytes_written >= '$((2 * LEN)) \
			<<<"$j" >/dev/null || guest_fail "$tag: stats: $j"

		j=$(json "powerfail-$tag")
		echo "e2e: $tag: power-fail: $(jq -c . <<<"$j")" >&2
		jq -e '.pages_reverted == 16 and .killed == 0' <<<"$j" >/dev/null ||
			guest_fail "$tag: power-fail: $j"

		j=$(json "listR-$tag")
		want=$layout
		[ "$(jq -r '.[0].layout // "file"' <<<"$j")" = "$want" ] || guest_fail "$tag: list -R: $j"
		j=$(json "listR-$tag-conv")
		want=dir
		[ "$layout" = file ] || want=file
		[ "$(jq -r '.[0].layout // "file"' <<<"$j")" = "$want" ] || guest_fail "$tag converted: list -R: $j"

		for c in "convert-$tag" "convert-$tag-back"; do
			j=$(json "$c")
			echo "e2e: $tag: $c: $(jq -c '{method, reflink, bytes_copied, bytes_holes, seconds}' <<<"$j")" >&2
			if [ "$fs" = xfs ]; then
				# xfs with reflink=1: the written blocks shared
				jq -e '.reflink == true and .method == "reflink" and
					.bytes_cloned >= '$((3 * LEN)) <<<"$j" >/dev/null ||
					guest_fail "$tag: $c: $j"
			else
				# no reflink on tmpfs or ext4: the patterns copied
				jq -e '.reflink == false and .bytes_cloned == 0 and
					(.method == "copy_file_range" or .method == "read/write") and
					.bytes_copied >= '$((3 * LEN)) <<<"$j" >/dev/null ||
					guest_fail "$tag: $c: $j"
			fi
		done
		j=$(json "list-$tag-back")
		[ "$(jq -r '[.[].name] | sort | join(" ")' <<<"$j")" = "data pad" ] ||
			guest_fail "$tag converted back: namespaces $j"
	done
done

# the power cut: journal replayed, the flushed bytes on the disk
rc=0
e2fsck -fy "$IMG" >"$T/fsck.out" 2>&1 || rc=$?
((rc <= 1)) || fail "e2fsck exited $rc: $(cat "$T/fsck.out")"
# cut_bytes NAME SRC OFF SEED: the bytes at OFF of SRC in the image
cut_bytes() {
	rm -f "$T/cut.img"
	debugfs -R "dump $2 $T/cut.img" "$IMG" >/dev/null 2>&1 && [ -s "$T/cut.img" ] ||
		fail "power cut: $2 not in the image"
	"$NSIO" verify "$T/cut.img" "$3" $LEN "$4" ||
		fail "power cut: the bytes flushed into the $1 ($2 at $3) are not on the disk"
}
n=0
while read -r _ what uuid dpa; do
	case $what in
	file)
		cut_bytes "region file, write+fsync" /cut/file $((dpa + OFF)) "$SEED"
		cut_bytes "region file, mmap+msync" /cut/file $((dpa + OFF2)) $((SEED + 1)) ;;
	dir) cut_bytes "region directory, write+fdatasync" "/cut/dir/ns-$uuid" $OFF "$SEED" ;;
	map) cut_bytes "region directory, mmap+msync" "/cut/dir/ns-$uuid" $OFF2 $((SEED + 1)) ;;
	esac
	n=$((n + 1))
done < <(console_text | grep '^cut ')
[ "$n" = 3 ] || guest_fail "$n namespaces for the power cut, expected 3"
