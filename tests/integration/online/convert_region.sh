#!/bin/bash
# SPDX-License-Identifier: MIT
# pmemctl convert-region, region file -> region directory -> region file,
# with data written through a real mount: after each conversion the new
# region mounts and serves the same bytes (sha256 of every namespace file)
# under the same names, UUIDs, dpa ranges and sizes (pmemctl list), the
# source is unchanged byte for byte, the region directory's namespace
# files are preallocated and the region file made back equals the first
# one. Refused, nothing touched: converting while mounted (naming the
# mount), a destination that exists (file, directory, symbolic link), a
# symbolic link on the way to the destination, the wrong layout, labels
# check-labels complains about (a uuid on two labels: two dpa ranges; a
# label with nlabel 2), a region directory whose namespace file is
# missing, a temporary of another shape or another user's in the way.
# --dry-run writes nothing. The region-file layout is used on purpose
# (not part of the PMEMFS_LAYOUT=dir matrix).
. "$(dirname "$0")/onlinelib.sh"
LSAEDIT="python3 $PMEMFS_SOURCE_ROOT/tests/reliability/lsaedit.py"

F=$T/r.img
"$PMEMCTL" create-region --size 256M "$F" >/dev/null || fail "create-region"
"$PMEMCTL" create-namespace --file "$F" -s 32M -n alpha >/dev/null || fail "create alpha"
"$PMEMCTL" create-namespace --file "$F" -s 16M -n beta --sparse >/dev/null || fail "create beta"
"$PMEMCTL" create-namespace --file "$F" -s 8M >/dev/null || fail "create the unnamed one"

# what a user sees of a region: names, uuids, dpa, sizes, modes
shape() { "$PMEMCTL" list --file "$1" -N | jq -c 'sort_by(.uuid) | map({name, uuid, dpa, size, dev, align})'; }
# sha256 of every served namespace file of the mount
sums() { (cd "$MNT/region0" && sha256sum -- * | sort -k2); }

pmemfs_start "$F"
"$NSIO" write "$MNT/region0/alpha" 0 1048576 7 fsync || fail "write alpha"
"$NSIO" write "$MNT/region0/alpha" $((31 << 20)) 65536 8 fsync || fail "write alpha's end"
"$NSIO" mmap-write "$MNT/region0/beta" 4096 65536 9 msync || fail "mmap-write beta"
"$NSIO" write "$MNT/region0/namespace0.2" 0 8388608 10 fsync || fail "write namespace0.2"
want=$(sums)

# mounted: refused, naming the mount, nothing made
expect_exit 240 "$PMEMCTL" convert-region --layout dir "$F" "$T/d"
assert_contains "$err" "mounted on '$MNT'" "convert while mounted: the message"
assert_contains "$err" "offline only" "convert while mounted: why"
[ ! -e "$T/d" ] && [ -z "$(ls -A "$T" | grep pmemctl-convert)" ] || fail "convert while mounted made something"
pmemfs_stop
want_shape=$(shape "$F")
src_sum=$(sha256sum <"$F")

# --dry-run: the plan, nothing written
expect_exit 0 "$PMEMCTL" convert-region --layout dir --dry-run "$F" "$T/d"
assert_eq true "$(json_get "$out" .dry_run)" "dry run: dry_run"
assert_eq 3 "$(json_get "$out" '.namespaces | length')" "dry run: namespaces"
assert_eq $(((32 + 16 + 8) << 20)) "$(json_get "$out" .namespace_bytes)" "dry run: namespace bytes"
[ "$(json_get "$out" .space_needed)" -gt 0 ] || fail "dry run: no space needed on $(stat -f -c %T "$T")"
[ ! -e "$T/d" ] && [ -z "$(ls -A "$T" | grep pmemctl-convert)" ] || fail "the dry run wrote"

# file -> dir
expect_exit 0 "$PMEMCTL" convert-region --layout dir "$F" "$T/d"
m=$(json_get "$out" .method)
case "$m" in reflink* | copy_file_range* | read/write*) ;; *) fail "file -> dir: method '$m'" ;; esac
[ $(($(json_get "$out" .bytes_copied) + $(json_get "$out" .bytes_cloned))) -gt 0 ] ||
	fail "file -> dir: no byte copied or shared: $out"
assert_contains "$err" "remove it when you no longer need it" "file -> dir: the source is named"
assert_eq "$src_sum" "$(sha256sum <"$F")" "file -> dir: the source changed"
[ -z "$(ls -A "$T" | grep pmemctl-convert)" ] || fail "file -> dir: a temporary is left"
assert_eq "$want_shape" "$(shape "$T/d")" "file -> dir: namespaces"
for u in $("$PMEMCTL" list --file "$T/d" -N | jq -r '.[].uuid'); do
	f=$T/d/ns-$u
	[ -f "$f" ] || fail "file -> dir: no $f"
	s=$(stat -c %s "$f")
	[ $(($(stat -c %b "$f") * 512)) -ge "$s" ] || fail "file -> dir: $f is not preallocated"
done
assert_eq "$(stat -c %s "$F")" "$(stat -c %s "$T/d/region")" "file -> dir: the region file's size"
pmemfs_start "$T/d"
assert_eq "$want" "$(sums)" "file -> dir: the namespaces' bytes, mounted"
pmemfs_stop
"$PMEMCTL" check-labels --file "$T/d" >/dev/null || fail "file -> dir: check-labels"

# dir -> file
d_sum=$(cd "$T/d" && sha256sum -- * | sha256sum)
expect_exit 0 "$PMEMCTL" convert-region --layout file "$T/d" "$T/r2.img"
assert_contains "$err" "holes" "dir -> file: says the free ranges stay holes"
assert_eq "$d_sum" "$(cd "$T/d" && sha256sum -- * | sha256sum)" "dir -> file: the source changed"
assert_eq "$want_shape" "$(shape "$T/r2.img")" "dir -> file: namespaces"
cmp "$F" "$T/r2.img" || fail "the region file made back differs from the first one"
pmemfs_start "$T/r2.img"
assert_eq "$want" "$(sums)" "dir -> file: the namespaces' bytes, mounted"
pmemfs_stop

# refused, nothing touched: the destination exists
echo keep >"$T/exists"
expect_exit 239 "$PMEMCTL" convert-region --layout dir "$F" "$T/exists"
assert_contains "$err" "exists" "existing destination: the message"
assert_eq keep "$(cat "$T/exists")" "existing destination: touched"
expect_exit 239 "$PMEMCTL" convert-region --layout file "$T/d" "$T/r2.img"
cmp "$F" "$T/r2.img" || fail "an existing destination was changed"
mkdir "$T/emptydir"
expect_exit 239 "$PMEMCTL" convert-region --layout dir "$F" "$T/emptydir"
[ -z "$(ls -A "$T/emptydir")" ] || fail "an existing empty directory got files"
# a symbolic link as the destination (dangling too) and on the way to it
mkdir "$T/real"
ln -s "$T/real/target" "$T/link"
expect_exit 239 "$PMEMCTL" convert-region --layout dir "$F" "$T/link"
assert_contains "$err" "symbolic link" "a link as the destination: the message"
[ ! -e "$T/real/target" ] || fail "a link as the destination was followed"
ln -s "$T/real" "$T/via"
expect_exit 216 "$PMEMCTL" convert-region --layout dir "$F" "$T/via/x"
assert_contains "$err" "'$T/via' in the destination's path is a symbolic link" "a link on the way"
[ -z "$(ls -A "$T/real")" ] || fail "a link on the way was followed: $(ls -A "$T/real")"
# the source never written: not a destination inside a region directory,
# and a source under the destination's temporary name is not taken for one
expect_exit 234 "$PMEMCTL" convert-region --layout file "$T/d" "$T/d/inside.img"
assert_contains "$err" "inside the region directory" "a destination inside the source"
[ ! -e "$T/d/inside.img" ] && [ -z "$(ls -A "$T/d" | grep pmemctl-convert)" ] ||
	fail "a destination inside the source directory was written"
cp "$F" "$T/.pmemctl-convert.tmpname"
expect_exit 234 "$PMEMCTL" convert-region --layout dir "$T/.pmemctl-convert.tmpname" "$T/tmpname"
assert_contains "$err" "temporary name" "a source under the temporary name"
cmp "$F" "$T/.pmemctl-convert.tmpname" || fail "a source under the temporary name changed"
rm -f "$T/.pmemctl-convert.tmpname"
# a result carries no temporary's mark (a later run never removes it)
python3 -c 'import os, sys; sys.exit(0 if "user.pmemctl-convert" not in os.listxattr(sys.argv[1]) else 1)' \
	"$T/r2.img" || fail "the result keeps the temporary's mark"
# the wrong layout
expect_exit 234 "$PMEMCTL" convert-region --layout file "$F" "$T/x"
assert_contains "$err" "region file already" "the wrong layout"
expect_exit 234 "$PMEMCTL" convert-region --layout dir "$T/d" "$T/x"
# usage
expect_exit 129 "$PMEMCTL" convert-region "$F" "$T/x"
assert_contains "$err" "missing --layout" "no --layout"

# what check-labels reports: refused, naming it
cp "$F" "$T/dup.img"
slots=$($LSAEDIT "$T/dup.img" info | jq -r '.used | join(" ")')
set -- $slots
ua=$("$PMEMCTL" list --file "$F" -N | jq -r '.[] | select(.name == "alpha") | .uuid' | tr -d -)
$LSAEDIT "$T/dup.img" label "$2" uuid "$ua" >/dev/null || fail "lsaedit uuid"
expect_exit 234 "$PMEMCTL" convert-region --layout dir "$T/dup.img" "$T/x"
assert_contains "$err" "check-labels reports" "two labels with one uuid: the message"
assert_contains "$err" "uuid" "two labels with one uuid: the problem named"
cp "$F" "$T/nl.img"
$LSAEDIT "$T/nl.img" label "$1" nlabel 2 >/dev/null || fail "lsaedit nlabel"
expect_exit 234 "$PMEMCTL" convert-region --layout dir "$T/nl.img" "$T/x"
assert_contains "$err" "interleaved" "nlabel 2: the problem named"
[ ! -e "$T/x" ] || fail "a refused conversion made its destination"
# a region directory whose namespace file is missing
cp -a "$T/d" "$T/d2"
rm "$T/d2/ns-$("$PMEMCTL" list --file "$F" -N | jq -r '.[] | select(.name == "beta") | .uuid')"
expect_exit 234 "$PMEMCTL" convert-region --layout file "$T/d2" "$T/x"
assert_contains "$err" "namespace file" "a missing namespace file: the message"
rm -rf "$T/d2"
# an ns-* no label names: said, not converted
cp -a "$T/d" "$T/d3"
head -c 4096 /dev/zero >"$T/d3/ns-00000000-0000-0000-0000-000000000001"
expect_exit 0 "$PMEMCTL" convert-region --layout file "$T/d3" "$T/r3.img"
assert_contains "$err" "ns-00000000-0000-0000-0000-000000000001' is named by no label" \
	"an orphan namespace file: the warning"
cmp "$F" "$T/r3.img" || fail "with an orphan namespace file: the result differs"
rm -rf "$T/d3" "$T/r3.img"

# a temporary in the way that is not one convert-region made: kept
mkdir "$T/.pmemctl-convert.y"
echo mine >"$T/.pmemctl-convert.y/notes"
expect_exit 239 "$PMEMCTL" convert-region --layout dir "$F" "$T/y"
assert_contains "$err" "not removed" "a foreign temporary: the message"
assert_eq mine "$(cat "$T/.pmemctl-convert.y/notes")" "a foreign temporary was touched"
rm -rf "$T/.pmemctl-convert.y"
if id nobody >/dev/null 2>&1; then
	: >"$T/.pmemctl-convert.z"
	chown nobody "$T/.pmemctl-convert.z"
	expect_exit 239 "$PMEMCTL" convert-region --layout file "$T/d" "$T/z"
	assert_contains "$err" "of another user" "another user's temporary: the message"
	[ -e "$T/.pmemctl-convert.z" ] || fail "another user's temporary was removed"
fi
exit 0
