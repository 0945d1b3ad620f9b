#!/bin/bash
# SPDX-License-Identifier: MIT
# growing truncate/unlink/create/rename/link/mkdir are refused with EPERM;
# O_TRUNC and a truncate to the size or below are ignored as a block device
# ignores O_TRUNC (image_write.sh); chown and chmod work and last for the
# mount's life; times are real; inode numbers differ and are never reused.
. "$(dirname "$0")/fslib.sh"

R=$T/r.img
region_create "$R" 16M
ns_create "$R" 2M ns1 >/dev/null
ns_create "$R" 2M ns2 >/dev/null
pmemfs_start "$R"
f=$MNT/region0/ns1

expect_refused() { # what CMD...
	local what=$1
	shift
	run_cmd "$@"
	[ "$rc" != 0 ] || fail "$what succeeded"
	assert_contains "$err" "Operation not permitted" "$what"
}
expect_refused "truncate to a larger size" truncate -s 4M "$f"
expect_refused "truncate one byte past the size" truncate -s 2097153 "$f"
expect_refused unlink rm -f "$f"
expect_refused create touch "$MNT/region0/new"
expect_refused mkdir mkdir "$MNT/region0/dir"
expect_refused rename mv "$f" "$MNT/region0/other"
expect_refused link ln "$f" "$MNT/region0/hard"
expect_refused symlink ln -s ns1 "$MNT/region0/sym"
assert_eq 2097152 "$(stat -c %s "$f")" "size after refused truncates"
"$NSIO" write "$f" 0 4096 3 fsync
: >"$f"		# O_TRUNC: ignored, the size and the data stay
truncate -s 1M "$f"
assert_eq 2097152 "$(stat -c %s "$f")" "size after O_TRUNC and truncate -s 1M"
"$NSIO" verify "$f" 0 4096 3 || fail "O_TRUNC or truncate -s 1M changed data"
[ ! -e "$MNT/region0/new" ] || fail "a refused create left a file"

# chown / chmod (libvirt chowns the mem-path)
c0=$(stat -c %Z "$f")
sleep 1.1
chown 1234:5678 "$f"
chmod 0640 "$f"
assert_eq "1234 5678 640" "$(stat -c '%u %g %a' "$f")" "owner and mode after chown/chmod"
[ "$(stat -c %Z "$f")" -gt "$c0" ] || fail "ctime did not move on chmod"
sleep 1.2	# past the attribute timeout: the daemon's answer, not the cache
assert_eq "1234 5678 640" "$(stat -c '%u %g %a' "$f")" "owner and mode later"

# real timestamps: not 0, not in the future, mtime moves on write
now=$(date +%s)
m0=$(stat -c %Y "$f")
[ "$m0" -gt 1000000000 ] && [ "$m0" -le "$now" ] || fail "mtime $m0 is not real"
"$NSIO" write "$f" 0 4096 1 fsync
[ "$(stat -c %Y "$f")" -ge "$m0" ] || fail "mtime went back"

# inode numbers: distinct; root 1
i1=$(stat -c %i "$f") i2=$(stat -c %i "$MNT/region0/ns2") ir=$(stat -c %i "$MNT")
assert_eq 1 "$ir" "root inode"
[ "$i1" != "$i2" ] || fail "two namespaces share inode $i1"
ls "$MNT/region0" | sort | tr '\n' ' ' | grep -qx "ns1 ns2 " || fail "directory: $(ls "$MNT/region0")"
pmemfs_stop
