#!/bin/bash
# SPDX-License-Identifier: MIT
# A region directory (create-region --layout dir) mounted for real: a
# namespace's bytes land at offset 0 of DIR/ns-<uuid> and nowhere else;
# after msync(MS_SYNC) and after fsync, cachestat of that FILE shows
# nothing dirty or under write-back; DIR/region keeps only the labels (its
# data area stays a hole); an orphan ns-* file is kept and logged at mount (and
# logged); a namespace whose file is missing is not served, with the
# reason, while the daemon serves the rest; list -R says "layout":"dir".
. "$(dirname "$0")/fslib.sh"

D=$T/rdir
"$PMEMCTL" create-region --layout dir --size 32M "$D" >/dev/null ||
	fail "create-region --layout dir failed"
[ -d "$D" ] && [ -f "$D/region" ] || fail "no $D/region"
assert_eq 33554432 "$(stat -c %s "$D/region")" "region file size"
j=$("$PMEMCTL" create-namespace --file "$D" -s 8M -n ns1) || fail "create ns1"
u1=$(json_get "$j" .uuid)
F1=$D/ns-$u1
[ -f "$F1" ] && [ ! -L "$F1" ] || fail "no namespace file $F1"
assert_eq 8388608 "$(stat -c %s "$F1")" "namespace file size"
# preallocated, never sparse
[ "$(stat -c %b "$F1")" -ge $((8388608 / 512)) ] ||
	fail "namespace file is sparse: $(stat -c '%b blocks of %B' "$F1")"
j=$("$PMEMCTL" create-namespace --file "$D" -s 4M -n ns2) || fail "create ns2"
u2=$(json_get "$j" .uuid)
F2=$D/ns-$u2
# the region file's data area is never written: a hole
before=$(stat -c %b "$D/region")

# an orphan of an interrupted create: kept (it may be data whose labels
# were zeroed) and said in the log, not served
head -c 4096 /dev/zero >"$D/ns-00000000-1111-2222-3333-444444444444"
pmemfs_start "$D"
[ -f "$D/ns-00000000-1111-2222-3333-444444444444" ] || fail "orphan removed at mount"
assert_contains "$(cat "$T/daemon.log")" "kept namespace file '$D/ns-00000000-1111-2222-3333-444444444444' (4096 bytes) that no label names" "orphan logged"
rm -f "$D/ns-00000000-1111-2222-3333-444444444444"
[ -f "$F1" ] && [ -f "$F2" ] || fail "a live namespace's file was removed"

f=$MNT/region0/ns1
assert_eq 8388608 "$(stat -c %s "$f")" "ns1 size"
off=12345 len=100000
"$NSIO" mmap-write "$f" $off $len 7 msync || fail "mmap write failed"
"$NSIO" verify "$F1" $off $len 7 || fail "bytes not at offset $off of the namespace file"
cache_clean "$F1" 0 8388608 "msync"
"$NSIO" check-byte "$F1" 0 $off 0 || fail "bytes before the write changed"
"$NSIO" check-byte "$F1" $((off + len)) $((8388608 - off - len)) 0 ||
	fail "bytes after the write changed"
# write(2) + fsync
"$NSIO" write "$MNT/region0/ns2" 4096 65536 9 fsync || fail "write + fsync failed"
"$NSIO" verify "$F2" 4096 65536 9 || fail "write not in ns2's file"
cache_clean "$F2" 0 4194304 "fsync"
# unaligned buffered write + fsync (the dirty-extent path)
"$NSIO" write "$MNT/region0/ns2" 777 1000 5 fsync || fail "unaligned write failed"
"$NSIO" verify "$F2" 777 1000 5 || fail "unaligned write not in ns2's file"
cache_clean "$F2" 0 4194304 "fsync of an unaligned write"
"$NSIO" verify "$f" $off $len 7 || fail "bytes not read back through the mount"
assert_eq "$before" "$(stat -c %b "$D/region")" "region file blocks after data writes"

j=$("$PMEMCTL" list -R --mount "$MNT")
assert_eq dir "$(json_get "$j" '.[0].layout')" "list -R layout online"
# list -v: the namespace file's page cache (cachestat of ns-<uuid>) is clean
j=$("$PMEMCTL" list -v -N --mount "$MNT")
pcb=$(json_get "$j" '.[] | select(.name == "ns1") | .not_durable.page_cache_bytes')
[ "$pcb" = 0 ] || [ "$pcb" = null ] || fail "list -v: ns1 page_cache_bytes $pcb after msync"
pmemfs_stop
"$NSIO" verify "$F1" $off $len 7 || fail "bytes gone after unmount"

# offline list shows the layout too
j=$("$PMEMCTL" list -R --file "$D")
assert_eq dir "$(json_get "$j" '.[0].layout')" "list -R layout offline"
# a region file shows no layout key: its records are as they were
"$PMEMCTL" create-region --size 8M "$T/plain.img" >/dev/null
j=$("$PMEMCTL" list -R --file "$T/plain.img")
assert_eq null "$(json_get "$j" '.[0].layout')" "region file list -R"

# a missing namespace file: not served, with the reason; the rest served
rm "$F2"
pmemfs_start "$D"
[ -e "$MNT/region0/ns1" ] || fail "ns1 not served beside a missing namespace file"
[ ! -e "$MNT/region0/ns2" ] || fail "ns2 served without its file"
assert_contains "$(cat "$T/daemon.log")" "ns-$u2" "not-served reason in the log"
j=$("$PMEMCTL" list -N -i --mount "$MNT")
r=$(json_get "$j" '.[] | select(.name == "ns2") | .reason')
assert_contains "$r" "cannot be reached" "list reason for the missing file"
[ ! -e "$F2" ] || fail "the missing namespace file was recreated"
run_cmd "$PMEMCTL" check-labels --mount "$MNT"
assert_contains "$out$err" '"problems":1' "check-labels counts the missing file"
pmemfs_stop

# a namespace file the daemon cannot open for writing (immutable): the
# mount serves the region and ns1; ns3 is left out and the log says why
# (the daemon never dies of one namespace's trouble)
j=$("$PMEMCTL" create-namespace --file "$D" -s 4M -n ns3) || fail "create ns3"
F3=$D/ns-$(json_get "$j" .uuid)
if chattr +i "$F3" 2>/dev/null; then
	at_exit "chattr -i '$F3' 2>/dev/null || true"
	: >"$T/daemon.log"
	pmemfs_start "$D"
	[ -e "$MNT/region0/ns1" ] || fail "ns1 not served beside an immutable namespace file"
	"$NSIO" write "$MNT/region0/ns1" 0 4096 3 fsync || fail "ns1 write + fsync"
	if [ -e "$MNT/region0/ns3" ]; then
		# opened on demand: the open fails, saying so, and nothing else
		run_cmd "$NSIO" write "$MNT/region0/ns3" 0 4096 3 fsync
		[ "$rc" != 0 ] || fail "a write to an immutable namespace file succeeded"
	else
		assert_contains "$(cat "$T/daemon.log")" "('ns3') not served" "ns3's reason in the log"
	fi
	pmemfs_stop
	chattr -i "$F3"
else
	echo "note: chattr +i is not supported here: the immutable namespace file part is not run" >&2
fi
exit 0
