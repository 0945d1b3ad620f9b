#!/bin/bash
# SPDX-License-Identifier: MIT
# A bad entry in a region directory takes out only what it names. One
# mount serves a region directory full of entries pmemfs did not make,
# beside a region file: a labelled namespace's ns-<uuid> that is a
# symbolic link or a directory, a labelled namespace's ns-<uuid>.new that
# is a link, and entries no label names: a .new directory, a .gone FIFO,
# an ns-<uuid> link, a .gone with a second name (hard link), a .new of
# another user (labelled and not). The mount comes up; the good namespace of the directory
# and the region file's namespace are served, written and flushed; each
# bad entry's namespace is not served, with its reason in list and
# check-labels; every bad entry is logged and left as it is (never
# followed, never removed, the link's target unchanged, the FIFO never
# blocks). Hot create and destroy go on in that region. The same offline:
# list --file and check-labels --file say it, create-namespace --file
# works.
. "$(dirname "$0")/onlinelib.sh"

D=$T/rdir
R1=$T/r1.img
V=$T/victim
head -c 4194304 /dev/zero | tr '\0' 'V' >"$V"
sumv=$(cksum <"$V")
"$PMEMCTL" create-region --layout dir --size 64M "$D" >/dev/null || fail "create-region dir"
"$PMEMCTL" create-region --size 32M "$R1" >/dev/null || fail "create-region file"
"$PMEMCTL" create-namespace --file "$R1" -s 8M -n other >/dev/null || fail "create other"
uuid_of() { json_get "$("$PMEMCTL" create-namespace --file "$D" -s "$2" -n "$1")" .uuid; }
ug=$(uuid_of good 8M)
ub=$(uuid_of bad 4M)
ud=$(uuid_of bdir 2M)
un=$(uuid_of nnew 2M)
uo=$(uuid_of nother 2M)
"$NSIO" fill "$D/ns-$ug" 0 8388608 0x47
sumg=$(cksum <"$D/ns-$ug")

# the labelled ones
rm "$D/ns-$ub" && ln -s "$V" "$D/ns-$ub"
rm "$D/ns-$ud" && mkdir "$D/ns-$ud" && touch "$D/ns-$ud/inside"
rm "$D/ns-$un" && ln -s "$V" "$D/ns-$un.new"
# the unnamed ones
X1=ns-11111111-0000-4000-8000-000000000001
X2=ns-11111111-0000-4000-8000-000000000002
X3=ns-11111111-0000-4000-8000-000000000003
X4=ns-11111111-0000-4000-8000-000000000004
X5=ns-11111111-0000-4000-8000-000000000005
mkdir "$D/$X1.new" && touch "$D/$X1.new/inside"
mkfifo "$D/$X2.gone"
ln -s "$V" "$D/$X3"
head -c 65536 /dev/zero >"$D/$X4.gone" && ln "$D/$X4.gone" "$T/second-name"
other_user=
if [ "$(id -u)" = 0 ]; then
	head -c 65536 /dev/zero >"$D/$X5.new" && chown 65534:65534 "$D/$X5.new"
	# a labelled namespace's .new of another user: not renamed, not served
	mv "$D/ns-$uo" "$D/ns-$uo.new" && chown 65534:65534 "$D/ns-$uo.new"
	other_user=1
else
	echo "note: not root: the entry of another user is not checked" >&2
fi

# every bad entry is still there, as it was
check_entries() {
	[ -L "$D/ns-$ub" ] && [ -d "$D/ns-$ud" ] && [ -L "$D/ns-$un.new" ] ||
		fail "$1: a labelled namespace's bad entry changed: $(ls -l "$D")"
	[ -f "$D/ns-$ud/inside" ] && [ -f "$D/$X1.new/inside" ] || fail "$1: a directory's content changed"
	[ -d "$D/$X1.new" ] && [ -p "$D/$X2.gone" ] && [ -L "$D/$X3" ] || fail "$1: an unnamed bad entry changed: $(ls -l "$D")"
	[ -f "$D/$X4.gone" ] && [ "$(stat -c %h "$D/$X4.gone")" = 2 ] || fail "$1: the hard-linked .gone was removed"
	[ -z "$other_user" ] || [ -f "$D/$X5.new" ] || fail "$1: another user's .new was removed"
	[ -z "$other_user" ] || { [ -f "$D/ns-$uo.new" ] && [ ! -e "$D/ns-$uo" ]; } ||
		fail "$1: another user's labelled .new was renamed"
	[ ! -e "$D/ns-$un" ] || fail "$1: a linked .new was renamed"
	assert_eq "$sumv" "$(cksum <"$V")" "$1: the links' target"
	assert_eq "$sumg" "$(cksum <"$D/ns-$ug")" "$1: namespace good's file"
}

online_start "$D" "$R1"
log=$(cat "$T/daemon.log")
[ -e "$MNT/region0/good" ] || fail "good not served beside bad entries"
[ -e "$MNT/region1/other" ] || fail "the other region's namespace not served"
for n in bad bdir nnew; do
	[ ! -e "$MNT/region0/$n" ] || fail "$n served though its file is a bad entry"
done
"$NSIO" check-byte "$MNT/region0/good" 0 8388608 0x47 || fail "good's bytes through the mount"
"$NSIO" write "$MNT/region0/good" 4096 65536 0x21 fsync || fail "write + fsync to good"
"$NSIO" write "$MNT/region1/other" 4096 65536 0x22 fsync || fail "write + fsync to other"
sumg=$(cksum <"$D/ns-$ug")
assert_contains "$log" "ns-$ub is a symbolic link" "the daemon says why bad is not served"
assert_contains "$log" "ns-$ud is a directory" "the daemon says why bdir is not served"
assert_contains "$log" "ns-$un.new is a symbolic link" "the daemon says why nnew is not served"
assert_contains "$log" "$X1.new' is a directory: skipped" "the unnamed .new directory logged"
assert_contains "$log" "$X2.gone' is a FIFO: skipped" "the unnamed .gone FIFO logged"
assert_contains "$log" "$X3' is a symbolic link: skipped" "the unnamed link logged"
assert_contains "$log" "$X4.gone' has 2 names (hard links): skipped" "the hard-linked .gone logged"
[ -z "$other_user" ] || assert_contains "$log" "$X5.new' belongs to uid 65534" "another user's .new logged"
[ -z "$other_user" ] || [ ! -e "$MNT/region0/nother" ] || fail "nother served from another user's .new"
j=$(pc list -N -i)
r=$(json_get "$j" '.[] | select(.name == "bad") | .reason')
assert_contains "$r" "symbolic link" "list: bad's reason"
r=$(json_get "$j" '.[] | select(.name == "nnew") | .reason')
assert_contains "$r" "ns-$un.new is a symbolic link" "list: nnew's reason"
assert_eq active "$(json_get "$j" '.[] | select(.name == "good") | .state // "active"')" "list: good"
np=3
if [ -n "$other_user" ]; then
	np=4
	r=$(json_get "$j" '.[] | select(.name == "nother") | .reason')
	assert_contains "$r" "ns-$uo.new belongs to uid 65534" "list: nother's reason"
fi
run_cmd pc check-labels
assert_contains "$out$err" "\"problems\":$np" "check-labels counts the namespaces not served"
# hot create and destroy in that region go on; destroying bad removes its
# label, never the link
run_cmd pc create-namespace -r region0 -s 2M -n hot
[ "$rc" = 0 ] || fail "hot create beside bad entries: $err"
[ -e "$MNT/region0/hot" ] || fail "hot not served"
run_cmd pc destroy-namespace -f hot
[ "$rc" = 0 ] || fail "hot destroy beside bad entries: $err"
run_cmd pc destroy-namespace -f bad
[ "$rc" = 0 ] || fail "destroy of bad (its label): $err"
pmemfs_stop
check_entries "after the mount"

# offline: the readers say it, a writer goes on
run_cmd "$PMEMCTL" list --file "$D" -N -i
[ "$rc" = 0 ] || fail "offline list: $err"
assert_contains "$(json_get "$out" '.[] | select(.name == "bdir") | .reason')" "directory" "offline list: bdir's reason"
assert_contains "$err" "$X2.gone' is a FIFO: skipped" "offline list says what it found"
assert_contains "$err" "ns-$ub' is a symbolic link: skipped" "bad's link, no label now: logged"
run_cmd "$PMEMCTL" check-labels --file "$D"
assert_contains "$out$err" "\"problems\":$((np - 1))" "offline check-labels"
run_cmd "$PMEMCTL" create-namespace --file "$D" -s 2M -n offline
[ "$rc" = 0 ] || fail "offline create beside bad entries: $err"
run_cmd "$PMEMCTL" destroy-namespace --file "$D" offline
[ "$rc" = 0 ] || fail "offline destroy beside bad entries: $err"
check_entries "offline"
exit 0
