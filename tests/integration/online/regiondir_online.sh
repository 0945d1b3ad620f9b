#!/bin/bash
# SPDX-License-Identifier: MIT
# A region directory served, changed online: create-namespace makes
# DIR/ns-<uuid> (preallocated, the namespace's size, mode 0600) before the
# namespace appears; destroy-namespace removes it after. A create that
# does not fit the file system (a small loop-mounted ext4) fails with
# ENOSPC naming the namespace file, leaves no ns-* file, and gives the
# blocks back (free space as before), online and offline; offline on
# xfs and btrfs too.
. "$(dirname "$0")/onlinelib.sh"
. "$PMEMFS_SOURCE_ROOT/tests/integration/loopfs.sh"

nsfiles() { find "$D" -maxdepth 1 -name 'ns-*' -printf '%f\n' | sort | tr '\n' ' '; }

E=$T/ext4
loopfs_mount ext4 128M "$E"
D=$E/rdir
"$PMEMCTL" create-region --layout dir --size 1G "$D" >/dev/null || fail "create-region"
j=$("$PMEMCTL" create-namespace --file "$D" -s 16M -n a) || fail "offline create a"
ua=$(json_get "$j" .uuid)
assert_eq "ns-$ua " "$(nsfiles)" "files after the offline create"

# offline ENOSPC: nothing left behind, space back
f0=$(loopfs_free_kib "$E")
run_cmd "$PMEMCTL" create-namespace --file "$D" -s 512M -n big
[ "$rc" != 0 ] || fail "a 512 MiB create on a 128 MiB file system succeeded"
assert_contains "$err" "No space left on device" "offline ENOSPC: the error"
assert_contains "$err" "namespace file" "offline ENOSPC: names the namespace file"
assert_eq "ns-$ua " "$(nsfiles)" "offline ENOSPC: files left"
f1=$(loopfs_free_kib "$E")
[ "$f1" -ge $((f0 - 1024)) ] || fail "offline ENOSPC: free space not back: $f0 KiB before, $f1 KiB after"
run_cmd "$PMEMCTL" list --file "$D" -N
assert_eq 1 "$(json_get "$out" 'length')" "offline ENOSPC: namespaces after"

# the same on xfs (whose unlinked files free their blocks only later:
# the failed create frees them itself) and btrfs (free space comes back
# with its next transaction commit: sync -f)
for fs in xfs btrfs; do
	command -v "mkfs.$fs" >/dev/null || { echo "note: no mkfs.$fs: $fs not tried" >&2; continue; }
	X=$T/$fs
	loopfs_mount "$fs" 320M "$X"
	"$PMEMCTL" create-region --layout dir --size 2G "$X/r" >/dev/null || fail "$fs: create-region"
	[ "$fs" = btrfs ] && sync -f "$X"
	f0=$(loopfs_free_kib "$X")
	run_cmd "$PMEMCTL" create-namespace --file "$X/r" -s 1G -n big
	[ "$rc" != 0 ] || fail "$fs: a 1 GiB create on a 320 MiB file system succeeded"
	assert_contains "$err" "No space left on device" "$fs ENOSPC: the error"
	[ -z "$(find "$X/r" -name 'ns-*')" ] || fail "$fs ENOSPC: a namespace file is left"
	[ "$fs" = btrfs ] && sync -f "$X"
	f1=$(loopfs_free_kib "$X")
	[ "$f1" -ge $((f0 - 1024)) ] || fail "$fs ENOSPC: free space not back: $f0 KiB before, $f1 KiB after"
	"$PMEMCTL" create-namespace --file "$X/r" -s 16M -n ok >/dev/null || fail "$fs: a create that fits"
done

online_start "$D"
j=$(pc create-namespace -s 8M -n b) || fail "online create b"
ub=$(json_get "$j" .uuid)
Fb=$D/ns-$ub
[ -f "$Fb" ] || fail "online create: no $Fb"
assert_eq 8388608 "$(stat -c %s "$Fb")" "online create: file size"
assert_eq 600 "$(stat -c %a "$Fb")" "online create: file mode"
[ "$(stat -c %b "$Fb")" -ge $((8388608 / 512)) ] || fail "online create: sparse file"
[ -e "$MNT/region0/b" ] || fail "online create: b not served"
"$NSIO" write "$MNT/region0/b" 0 4096 3 fsync || fail "write b"
"$NSIO" verify "$Fb" 0 4096 3 || fail "b's bytes not in its file"

# online ENOSPC
f0=$(loopfs_free_kib "$E")
run_cmd pc create-namespace -s 512M -n big
[ "$rc" != 0 ] || fail "online: a 512 MiB create on a 128 MiB file system succeeded"
assert_contains "$err" "No space left on device" "online ENOSPC: the error"
assert_eq "$(printf '%s\n' "ns-$ua" "ns-$ub" | sort | tr '\n' ' ')" "$(nsfiles)" \
	"online ENOSPC: files left"
f1=$(loopfs_free_kib "$E")
[ "$f1" -ge $((f0 - 1024)) ] || fail "online ENOSPC: free space not back: $f0 KiB before, $f1 KiB after"
[ ! -e "$MNT/region0/big" ] || fail "online ENOSPC: big served"

# destroy: the label, then the file
pc disable-namespace b >/dev/null 2>&1 || true
pc destroy-namespace -f b >/dev/null || fail "online destroy b"
[ ! -e "$Fb" ] || fail "online destroy: $Fb still there"
[ ! -e "$MNT/region0/b" ] || fail "online destroy: b still served"
assert_eq "ns-$ua " "$(nsfiles)" "files after the online destroy"
# the space of the destroyed namespace is free again, for a new one
j=$(pc create-namespace -s 8M -n c) || fail "online create c"
uc=$(json_get "$j" .uuid)
"$NSIO" check-byte "$D/ns-$uc" 0 4096 0 || fail "c sees b's old bytes"
pmemfs_stop
exit 0
