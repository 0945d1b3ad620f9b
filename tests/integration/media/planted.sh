#!/bin/bash
# SPDX-License-Identifier: MIT
# State kept beside a region belongs to that region (issue 16 item 13), not
# to whoever can write its directory: a REGION.badblocks planted by another
# user (uid 65534) in a shared sticky directory, without and with a forged
# "region ino=.. btime=.." line (anyone who can stat the region file can
# write it), poisons nothing. The daemon and pmemctl --file ignore it,
# naming its owner; the namespace reads back its data.
. "$(dirname "$0")/../fs/fslib.sh"

[ "$(id -u)" = 0 ] || skip "planting as another user needs root (setpriv)"
command -v setpriv >/dev/null || skip "setpriv not installed"
D=$T/shared
mkdir -p "$D"
chmod 1777 "$D"
chmod 755 "$T"
R=$D/r.img
region_create "$R" 16M
ns_create "$R" 4M a >/dev/null
"$NSIO" fill "$R" 0 4194304 0x11
# a region directory (PMEMFS_LAYOUT=dir) keeps its sidecar inside: there
# the directory is the shared sticky one
RF=$(region_file "$R")
[ "$RF" = "$R" ] || chmod 1777 "$R"

# the identity line the daemon would write, as the other user sees it
ino=$(stat -c %i "$RF")
bts=$(stat -c %.9W "$RF")
case "$bts" in 0 | 0.* | -*) bts=- ;; esac
for forged in no yes; do
	rm -f "$RF.badblocks"
	content="0 4194304"
	[ "$forged" = no ] || content="region ino=$ino btime=$bts
0 4194304"
	setpriv --reuid 65534 --regid 65534 --clear-groups \
		sh -c "printf '%s\n' '$content' > '$RF.badblocks'" || fail "cannot plant as uid 65534"
	[ "$(stat -c %u "$RF.badblocks")" = 65534 ] || fail "the planted file is not uid 65534's"
	run_cmd "$PMEMCTL" list --file "$R" -M
	[ "$rc" = 0 ] || fail "list --file with a planted sidecar (forged=$forged): $err"
	assert_eq 0 "$(json_get "$out" '.[0].badblock_count // .[0].namespaces[0].badblock_count // 0')" \
		"offline badblock_count with a planted sidecar (forged=$forged)"
	pmemfs_start "$R"
	run_cmd "$NSIO" check-byte "$MNT/region0/a" 0 4096 0x11
	[ "$rc" = 0 ] || fail "a planted sidecar (forged=$forged) poisons root's namespace: $err"
	run_cmd "$PMEMCTL" list -M
	assert_eq 0 "$(json_get "$out" '.[0].badblock_count')" "online badblock_count (forged=$forged)"
	grep -q "uid 65534" "$T/daemon.log" || fail "the daemon did not say whose file it ignored"
	pmemfs_stop
done
echo "ok: a media-error file planted by another user is ignored"
