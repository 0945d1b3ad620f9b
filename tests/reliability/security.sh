#!/bin/bash
# SPDX-License-Identifier: MIT
# Security checks that need no control socket (issue 7):
# - namespace names cannot escape their region directory, whether given
#   to pmemctl or written into a label by a guest;
# - allow_other is off unless asked for: another user cannot even look;
#   with it, permissions are checked (default_permissions);
# - owner and mode of what pmemfs shows and pmemctl creates, as documented
#   (mounting user, 0600 files, 0755 directories; chmod/chown work);
# - pmemctl never creates a region file through a symlink (O_EXCL).
. "$PMEMFS_SOURCE_ROOT/tests/integration/fs/fslib.sh"

LSAEDIT=lsaedit	# fslib.sh: the label area of a region file or directory
[ "$(id -u)" = 0 ] || skip "needs root to act as another user (setpriv)"
command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
chmod 755 "$T"

R=$T/r.img
# --- region files: owner, mode, never through a symlink
# (a region directory, PMEMFS_LAYOUT=dir: 0700, its region file 0600)
(umask 022 && "$PMEMCTL" create-region --layout "$LAYOUT" --size 16M "$R" >/dev/null) ||
	fail "create-region"
if [ -d "$R" ]; then
	assert_eq "700 0" "$(stat -c '%a %u' "$R")" "a new region directory's mode and owner"
	assert_eq "600 0" "$(stat -c '%a %u' "$R/region")" "its region file's mode and owner"
	what="region directory"
else
	assert_eq "600 0" "$(stat -c '%a %u' "$R")" "a new region file's mode and owner"
	what=region
fi
ln -s "$T/target.img" "$T/dangling"
expect_exit 239 "$PMEMCTL" create-region --layout "$LAYOUT" --size 16M "$T/dangling"
assert_contains "$err" "cannot create $what '$T/dangling': File exists" "through a dangling symlink"
[ ! -e "$T/target.img" ] || fail "create-region created the symlink's target"
echo keep >"$T/victim"
ln -s "$T/victim" "$T/link"
expect_exit 239 "$PMEMCTL" create-region --layout "$LAYOUT" --size 16M "$T/link"
assert_eq keep "$(cat "$T/victim")" "the symlink's target"
assert_eq 5 "$(stat -c %s "$T/victim")" "the symlink's target size"

# --- names given to pmemctl
for n in ../x a/../b /abs ..; do
	expect_exit 234 "$PMEMCTL" create-namespace --file "$R" -s 2M -n "$n"
	assert_contains "$err" "invalid name" "name '$n'"
done
ns_create "$R" 2M a >/dev/null
ns_create "$R" 2M b >/dev/null
ns_create "$R" 2M c >/dev/null
ns_create "$R" 2M ro --read-only >/dev/null

# --- names written by a guest straight into the labels
used=($($LSAEDIT "$R" info | jq -r '.used[]'))
[ "${#used[@]}" = 4 ] || fail "expected 4 used slots, got ${used[*]}"
$LSAEDIT "$R" label "${used[0]}" name "../../escape"
$LSAEDIT "$R" label "${used[1]}" name ".."
$LSAEDIT "$R" label "${used[2]}" name "a/b"
# 64 name bytes without a NUL: the label is invalid, not served at all
$LSAEDIT "$R" label "${used[3]}" name "$(printf 'x%.0s' {1..64})"

pmemfs_start "$R"
assert_eq "region0" "$(ls -A "$MNT")" "the mount's root"
listing=$(ls -A "$MNT/region0" | sort | tr '\n' ' ')
for f in $(ls -A "$MNT/region0"); do
	case $f in
	*/* | . | .. | escape | xxxx*) fail "namespace file '$f' from a guest's label" ;;
	esac
done
[ ! -e "$T/escape" ] && [ ! -e "$MNT/escape" ] || fail "a label's name escaped the region directory"
# guests' bad names are shown under the device name
for d in namespace0.0 namespace0.1 namespace0.2; do
	case " $listing " in
	*" $d "*) ;;
	*) fail "'$d' not shown for a label with a bad name: $listing" ;;
	esac
done

# --- owner and mode, allow_other off: another user sees nothing
assert_eq "755 0 0" "$(stat -c '%a %u %g' "$MNT/region0")" "region directory"
assert_eq "600 0 0" "$(stat -c '%a %u %g' "$MNT/region0/namespace0.0")" "namespace file"
sup=$(awk -v m="$MNT" '$5 == m { for (i = 7; i <= NF; i++) if ($i == "-") print $(i + 3) }' /proc/self/mountinfo)
case ",$sup," in *,allow_other,*) fail "allow_other set without asking: $sup" ;; esac
run_cmd as_nobody stat "$MNT/region0"
[ "$rc" != 0 ] || fail "another user could stat the mount without allow_other"
assert_contains "$err" "Permission denied" "another user without allow_other"
pmemfs_stop

# --- allow_other: permissions are checked; chmod and chown work
pmemfs_start -o allow_other "$R"
sup=$(awk -v m="$MNT" '$5 == m { for (i = 7; i <= NF; i++) if ($i == "-") print $(i + 3) }' /proc/self/mountinfo)
case ",$sup," in *,allow_other,*) ;; *) fail "-o allow_other not passed on: $sup" ;; esac
case ",$sup," in *,default_permissions,*) ;; *) fail "allow_other without default_permissions: $sup" ;; esac
run_cmd as_nobody ls "$MNT/region0"
assert_eq 0 "$rc" "another user lists the region with allow_other ($err)"
f=$MNT/region0/namespace0.0
run_cmd as_nobody "$NSIO_BIN" check-byte "$f" 0 1 0
assert_contains "$err" "EACCES" "another user opens a 0600 namespace"
chown 65534:65534 "$f" || fail "chown of a namespace file"
chmod 0640 "$f" || fail "chmod of a namespace file"
assert_eq "640 65534 65534" "$(stat -c '%a %u %g' "$f")" "after chown/chmod"
as_nobody "$NSIO_BIN" write "$f" 0 4096 3 fsync || fail "the new owner cannot write"
run_cmd as_nobody "$NSIO_BIN" write "$MNT/region0/namespace0.1" 0 10 1
assert_contains "$err" "EACCES" "another user writes someone else's namespace"
pmemfs_stop
FS_SHOW_LOG=0
echo "PASS: $TEST_NAME"
