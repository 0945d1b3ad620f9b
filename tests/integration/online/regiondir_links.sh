#!/bin/bash
# SPDX-License-Identifier: MIT
# A region directory never follows a link it did not create: a symbolic
# link planted at DIR/ns-<uuid> (pointing at a file of the right size
# elsewhere) or a FIFO there takes out only the namespace it names (not
# served, the reason in list; the others served; the mount and offline
# changes go on), its target is never written or truncated and the FIFO
# never blocks an open; DIR/region a link, or DIR itself a link, is
# refused with a message naming it, by pmemfs at mount and by offline
# pmemctl. Another user cannot open the directory (0700). And a file no
# label names is kept and logged, also after zero-labels + init-labels.
. "$(dirname "$0")/onlinelib.sh"

D=$T/rdir
"$PMEMCTL" create-region --layout dir --size 32M "$D" >/dev/null || fail "create-region"
[ "$(stat -c %a "$D")" = 700 ] || fail "region directory mode $(stat -c %a "$D")"
j=$("$PMEMCTL" create-namespace --file "$D" -s 8M -n a) || fail "create a"
ua=$(json_get "$j" .uuid)
Fa=$D/ns-$ua

# a namespace file replaced by a link to a victim of the same size: that
# namespace is not served, the rest is, offline changes go on
V=$T/victim
head -c 8388608 /dev/zero | tr '\0' 'V' >"$V"
sum0=$(md5sum <"$V")
j=$("$PMEMCTL" create-namespace --file "$D" -s 4M -n k) || fail "create k"
mv "$Fa" "$T/saved"
ln -s "$V" "$Fa"
pmemfs_start "$D"
[ ! -e "$MNT/region0/a" ] || fail "served a namespace whose file is a link"
[ -e "$MNT/region0/k" ] || fail "k not served beside a linked namespace file"
"$NSIO" write "$MNT/region0/k" 0 4096 3 fsync || fail "write to k beside the link"
assert_contains "$(cat "$T/daemon.log")" "ns-$ua is a symbolic link" "the daemon says why a is not served"
pmemfs_stop
run_cmd "$PMEMCTL" create-namespace --file "$D" -s 2M -n x
[ "$rc" = 0 ] || fail "offline create beside a linked namespace file: $err"
run_cmd "$PMEMCTL" destroy-namespace --file "$D" x
[ "$rc" = 0 ] || fail "offline destroy beside a linked namespace file: $err"
# read-only offline list: not served, with the reason
j=$("$PMEMCTL" list --file "$D" -N -i)
assert_eq invalid "$(json_get "$j" '.[] | select(.name == "a") | .state')" "list: state of a linked namespace file"
assert_contains "$(json_get "$j" '.[] | select(.name == "a") | .reason')" "symbolic link" "list: reason"
assert_eq "$sum0" "$(md5sum <"$V")" "the link's target changed"
[ -L "$Fa" ] || fail "the link was removed"

# a FIFO in its place: a not served, never blocks; the rest served
rm "$Fa"
mkfifo "$Fa"
pmemfs_start "$D"
[ ! -e "$MNT/region0/a" ] || fail "served a namespace whose file is a FIFO"
[ -e "$MNT/region0/k" ] || fail "k not served beside a FIFO"
assert_contains "$(cat "$T/daemon.log")" "ns-$ua is a FIFO" "the daemon says why a is not served"
pmemfs_stop
[ -p "$Fa" ] || fail "the FIFO was removed"
rm "$Fa"
mv "$T/saved" "$Fa"
run_cmd "$PMEMCTL" destroy-namespace --file "$D" k
[ "$rc" = 0 ] || fail "destroy k: $err"

# a hard link: the namespace file has a second name elsewhere; a file of
# someone else's linked in at that name would be written as the namespace
ln "$Fa" "$T/second-name"
j=$("$PMEMCTL" list --file "$D" -N -i)
assert_contains "$(json_get "$j" '.[0].reason')" "hard links" "list: a hard-linked namespace file"
pmemfs_start "$D"
[ ! -e "$MNT/region0/a" ] || fail "served a namespace file with two names"
assert_contains "$(cat "$T/daemon.log")" "hard links" "the daemon says why a is not served"
pmemfs_stop
rm "$T/second-name"

# DIR/region a link to a valid region file elsewhere
"$PMEMCTL" create-region --size 32M "$T/other.img" >/dev/null
sum1=$(md5sum <"$T/other.img")
mv "$D/region" "$T/region.saved"
ln -s "$T/other.img" "$D/region"
run_cmd timeout 20 "$PMEMFS" -f "$D" "$MNT"
[ "$rc" != 0 ] || fail "pmemfs served a region directory whose region is a link"
assert_contains "$err" "symbolic link" "region link refusal"
run_cmd "$PMEMCTL" list --file "$D"
[ "$rc" != 0 ] || fail "offline list followed DIR/region's link"
assert_eq "$sum1" "$(md5sum <"$T/other.img")" "the linked region file changed"
rm "$D/region"
mv "$T/region.saved" "$D/region"

# DIR itself a link: refused (O_NOFOLLOW)
ln -s "$D" "$T/dirlink"
run_cmd "$PMEMCTL" create-namespace --file "$T/dirlink" -s 2M -n y
[ "$rc" != 0 ] || fail "a create through a linked region directory succeeded"
assert_contains "$err" "symbolic link" "linked directory refusal"

# another user: the directory is 0700
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	run_cmd setpriv --reuid=65534 --regid=65534 --clear-groups "$PMEMCTL" list --file "$D"
	[ "$rc" != 0 ] || fail "another user read the region directory"
	assert_contains "$err" "Permission denied" "another user: the error"
fi

# an orphan (a crash after the file, before the label): kept and said by
# the next writer, offline (the user removes it)
head -c 1048576 /dev/zero >"$D/ns-12345678-1234-1234-1234-123456789abc"
run_cmd "$PMEMCTL" create-namespace --file "$D" -s 2M -n b
[ "$rc" = 0 ] || fail "create after an orphan: $err"
assert_contains "$err" "kept namespace file" "offline orphan message"
[ -f "$D/ns-12345678-1234-1234-1234-123456789abc" ] || fail "orphan removed offline"
rm -f "$D/ns-12345678-1234-1234-1234-123456789abc"
[ -f "$Fa" ] || fail "a live namespace's file was removed"

# served normally again
online_start "$D"
[ -e "$MNT/region0/a" ] && [ -e "$MNT/region0/b" ] || fail "not served after the repairs"
pmemfs_stop

# zero-labels and init-labels (no -f needed at the same size) leave a
# namespace's data where it is on a region file; here too: no writer's
# open deletes the namespace file no label names any more (it did: data
# lost without a --force)
Fa_sum=$(cksum <"$Fa")
run_cmd "$PMEMCTL" zero-labels --file "$D"
[ "$rc" = 0 ] || fail "zero-labels: $err"
run_cmd "$PMEMCTL" init-labels --file "$D"
[ "$rc" = 0 ] || fail "init-labels: $err"
run_cmd "$PMEMCTL" create-namespace --file "$D" -s 2M -n c
[ "$rc" = 0 ] || fail "create after init-labels: $err"
[ -f "$Fa" ] || fail "init-labels + a writer deleted namespace a's data file"
assert_eq "$Fa_sum" "$(cksum <"$Fa")" "namespace a's data unchanged"
exit 0
