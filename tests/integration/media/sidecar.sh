#!/bin/bash
# SPDX-License-Identifier: MIT
# The media-error sidecar (REGION.badblocks) is written by the root daemon
# in a directory another user may write: nothing planted there is followed
# or reused (a link at the old fixed temporary name, at the sidecar itself,
# a FIFO, a directory), and the save still works. The sidecar belongs to
# one region file: a region deleted and created again at the same path
# does not inherit its errors (create-region removes the sidecar, saying
# so; a region file replaced behind pmemctl's back finds it ignored, with a
# log line); a hand-edited identity is ignored; a region renamed together
# with its sidecar keeps its errors; an old sidecar without identity reads.
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

[ "$(id -u)" = 0 ] || skip "needs root: the daemon runs as root, the attacker as uid 65534"
command -v setpriv >/dev/null || skip "setpriv not installed"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }

# the region's directory belongs to the other user
chmod 711 "$T"
RD=$T/rdir
mkdir "$RD"
chown 65534:65534 "$RD"
REGION=$RD/r.img
printf 'precious\n' >"$T/secret"
chmod 600 "$T/secret"
secret_intact() {
	[ "$(cat "$T/secret")" = precious ] || fail "$1: the root-only file was rewritten: $(head -c 200 "$T/secret")"
	[ "$(stat -c %s "$T/secret")" = 9 ] || fail "$1: the root-only file changed size"
}
bb_count() { pc list -M | jq -r --arg n "$1" '.[] | select(.name == $n) | .badblock_count'; }

pf_setup 8M a
# SC: the sidecar (fslib.sh's region_file); a region directory
# (PMEMFS_LAYOUT=dir) keeps it inside: there that directory is the one the
# other user owns
SC=$(region_file "$REGION").badblocks
[ ! -d "$REGION" ] || chown 65534:65534 "$REGION"
"$NSIO" fill "$F" 0 65536 0x33 || fail "fill"
"$NSIO" fsync "$F" || fail "fsync"
pc inject-error a --offset 8192 --length 512 >/dev/null || fail "inject 1"
pc inject-error a --offset 32768 --length 512 >/dev/null || fail "inject 2"
[ -f "$SC" ] || fail "no sidecar"

# 1. a link at the temporary name the daemon used to write through
as_nobody ln -s "$T/secret" "$SC.tmp" || fail "plant the link"
"$NSIO" fill "$F" 8192 4096 0x44 || fail "whole-page write"
"$NSIO" fsync "$F" || fail "fsync"
secret_intact "link at REGION.badblocks.tmp"
[ -L "$SC.tmp" ] || fail "the planted link was replaced or removed"
assert_eq 1 "$(bb_count a)" "one error cleared, one left"
[ -f "$SC" ] && [ ! -L "$SC" ] || fail "sidecar not a file"
assert_contains "$(cat "$SC")" "$((DPA + 32768)) 512" "sidecar holds the error left"
[ "$(stat -c %u "$SC")" = 0 ] || fail "sidecar owner"

# 2. a link at the sidecar's own name: replaced, never written through
rm -f "$SC.tmp"
mv "$SC" "$T/kept"
as_nobody ln -s "$T/secret" "$SC" || fail "plant the link"
pc inject-error a --offset 16384 --length 512 >/dev/null || fail "inject over a link"
secret_intact "link at REGION.badblocks"
[ -f "$SC" ] && [ ! -L "$SC" ] || fail "the link was not replaced"

# 3. a FIFO and a directory at the old temporary name: the save works
# (the old code blocked for ever opening the FIFO)
as_nobody mkfifo "$SC.tmp" || fail "mkfifo"
timeout 10 "$PMEMCTL" inject-error a --offset 20480 --length 512 --mount "$MNT" >/dev/null ||
	fail "inject with a FIFO at the temporary name"
rm -f "$SC.tmp"
as_nobody mkdir "$SC.tmp" || fail "mkdir"
expect_exit 0 pc inject-error a --offset 24576 --length 512
rmdir "$SC.tmp"
assert_eq 4 "$(bb_count a)" "errors after the planted names"
# nothing but the region, its sidecars (media errors, health) and what
# the user planted: no temporary left
if [ -d "$REGION" ]; then
	left=$(ls -A "$REGION" | grep -v -x -e region -e region.badblocks -e region.health \
		-e "ns-.*" || true)
else
	left=$(ls -A "$RD" | grep -v -x -e r.img -e r.img.badblocks -e r.img.health || true)
fi
[ -z "$left" ] || fail "left in the region's directory: $left"
pmemfs_stop

# 4. a link at the sidecar when the daemon starts: not read through
mv "$SC" "$T/kept"
as_nobody ln -s "$T/secret" "$SC"
online_start "$REGION"
assert_eq 0 "$(bb_count a)" "a link read as a sidecar"
grep -q "symbolic link" "$T/daemon.log" || fail "no log line for the link: $(tail -5 "$T/daemon.log")"
pmemfs_stop
rm -f "$SC"
mv "$T/kept" "$SC"

# 5. renamed together with its region: still its errors
# (a region directory's sidecar moves with it)
mv "$REGION" "$RD/r2.img"
[ -d "$RD/r2.img" ] || mv "$SC" "$RD/r2.img.badblocks"
online_start "$RD/r2.img"
assert_eq 4 "$(bb_count a)" "errors of a region renamed with its sidecar"
pmemfs_stop
mv "$RD/r2.img" "$REGION"
[ -d "$REGION" ] || mv "$RD/r2.img.badblocks" "$SC"

# 6. identity edited by hand: ignored, saying so
cp "$SC" "$T/good"
sed -i 's/^region ino=[0-9]*/region ino=12345/' "$SC"
grep -q "^region ino=12345 " "$SC" || fail "no identity line to edit: $(cat "$SC")"
expect_exit 0 "$PMEMCTL" list --file "$REGION" -M
assert_eq 0 "$(json_get "$out" '.[0].badblock_count')" "offline list of a foreign sidecar"
assert_contains "$err" "another region file" "offline warning"
online_start "$REGION"
assert_eq 0 "$(bb_count a)" "errors of a foreign sidecar"
grep -q "another region file" "$T/daemon.log" || fail "no log line for the foreign sidecar"
pmemfs_stop

# 7. an old sidecar without identity still reads
grep -v '^region ' "$T/good" >"$SC"
expect_exit 0 "$PMEMCTL" list --file "$REGION" -M
assert_eq 4 "$(json_get "$out" '.[0].badblock_count')" "old-format sidecar"

# 8. the region deleted, a new one created at the same path
if [ -d "$REGION" ]; then
	# a region directory takes its sidecar with it, and create-region
	# makes a new directory (it refuses one that exists)
	rm -r "$REGION"
	expect_exit 0 "$PMEMCTL" create-region --layout dir --size 64M "$REGION"
else
	cp "$T/good" "$SC"
	rm "$REGION"
	expect_exit 0 "$PMEMCTL" create-region --size 64M "$REGION"
	assert_contains "$err" "removed '$SC'" "create-region says it removed the sidecar"
fi
[ ! -e "$SC" ] || fail "create-region left the stale sidecar"
online_start "$REGION"
j=$(pc create-namespace -s 8M -n b) || fail "create b"
F=$(json_get "$j" .path)
assert_eq "$DPA" "$(json_get "$j" .dpa)" "same range as the old namespace"
dd if="$F" of=/dev/null bs=4096 count=16 2>"$T/dd.err" || fail "new namespace reads EIO: $(cat "$T/dd.err")"
assert_eq 0 "$(bb_count b)" "new namespace's bad blocks"
pmemfs_stop

# 9. a region file replaced behind pmemctl's back (no create-region): the
# sidecar found beside it is ignored, with a log line, and replaced
cp "$T/good" "$SC"
online_start "$REGION"
dd if="$F" of=/dev/null bs=4096 count=16 2>"$T/dd.err" || fail "replaced region reads EIO: $(cat "$T/dd.err")"
assert_eq 0 "$(bb_count b)" "bad blocks of a replaced region"
grep -q "another region file" "$T/daemon.log" || fail "no log line for the stale sidecar"
expect_exit 0 pc inject-error b --offset 0 --length 512
assert_eq 1 "$(bb_count b)" "a new error after the stale sidecar"
pmemfs_stop
assert_eq "$DPA 512" "$(grep -v -e '^#' -e '^region ' "$SC")" "the stale sidecar replaced"

# 10. through a link to the region file: the same sidecar as the daemon's
ln -s "$REGION" "$T/link.img"
if [ -d "$REGION" ]; then
	# a region directory is opened O_NOFOLLOW: a link to it is refused
	expect_exit 236 "$PMEMCTL" list --file "$T/link.img" -M
	assert_contains "$err" "a symbolic link is not followed" "a link to a region directory"
else
	expect_exit 0 "$PMEMCTL" list --file "$T/link.img" -M
	assert_eq 1 "$(json_get "$out" '.[0].badblock_count')" "sidecar through a link to the region"
fi
[ ! -e "$T/link.img.badblocks" ] || fail "a sidecar beside the link"
secret_intact "the end"
echo "PASS: $TEST_NAME"
