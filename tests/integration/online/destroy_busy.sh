#!/bin/bash
# SPDX-License-Identifier: MIT
# destroy-namespace while the file is open or mapped: refused (240) unless
# -f, naming the holder's pid (a disabled namespace still open through its
# old file after waiting for a close in flight; an enabled one at once);
# with -f the file disappears at once, writes through the stale handle fail (EIO at fdatasync/msync;
# a region directory's namespace mapped with FUSE passthrough: stores and
# msync through the stale mapping succeed on its unlinked file, and a new
# namespace's bytes stay as they were), the
# range is not handed out again until the handle is closed, and the first
# 8 KiB are zeroed in the region file.
. "$(dirname "$0")/onlinelib.sh"

MiB=$((1024 * 1024))
R=$T/r.img
region_create "$R" 64M
online_start "$R"
pc create-namespace -s 4M -n keep >/dev/null
pc create-namespace -s 4M -n victim >/dev/null
victim_dpa=$(ns_field victim dpa)
"$NSIO" write "$MNT/region0/victim" 0 $((4 * MiB)) 3 fdatasync

# a close just before: the RELEASE may still be in flight, destroy waits for it
"$NSIO" write "$MNT/region0/keep" 0 $((1 * MiB)) 4 fsync
pc create-namespace -s 2M -n tmp >/dev/null
exec 5<>"$MNT/region0/tmp"
expect_exit 0 pc disable-namespace -f tmp
exec 5>&-
expect_exit 0 pc destroy-namespace tmp

# open and mapped: refused, nothing changes
mkfifo "$T/cmd"
"$OLC" stale "$MNT/region0/victim" <"$T/cmd" >"$T/stale.out" 2>"$T/stale.err" &
spid=$!
exec 4>"$T/cmd"
at_exit "exec 4>&-; kill -9 $spid 2>/dev/null"
wait_until 10 grep -q ready "$T/stale.out" || fail "stale client not ready: $(cat "$T/stale.err")"
victim_backing=$(ns_backing victim)
if [ "$LAYOUT" = dir ]; then pt_expect victim || true; fi
start=$(date +%s%N)
expect_exit 240 pc destroy-namespace victim
ms=$((($(date +%s%N) - start) / 1000000))
assert_contains "$err" "namespace 'victim' in region0 is enabled and in use by pid $spid (olclient)" \
	"refusal message"
assert_contains "$err" "or use -f to destroy it anyway" "refusal suggests -f"
assert_contains "$err" "destroyed 0 namespaces" "nothing destroyed"
[ "$ms" -lt 5000 ] || fail "refusal took $ms ms"
[ -e "$MNT/region0/victim" ] || fail "victim's file gone after a refused destroy"
expect_exit 240 pc disable-namespace victim
assert_contains "$err" "namespace 'victim' in region0 is in use by pid $spid (olclient): close it first, or use -f to disable it anyway" \
	"disable's refusal"
[ -e "$MNT/region0/victim" ] || fail "victim's file gone after a refused disable"

# forced: gone at once, stale writes fail
expect_exit 0 pc destroy-namespace victim -f
assert_contains "$err" "destroyed 1 namespace" "forced destroy"
run_cmd stat "$MNT/region0/victim"
[ "$rc" != 0 ] || fail "victim's file still there after destroy -f"
[ -z "$(ns_field victim dev)" ] || fail "victim still listed"
echo write >&4
wait_until 10 grep -q "^write:" "$T/stale.out" || fail "no write result"
assert_eq "write: EIO" "$(grep '^write:' "$T/stale.out")" "pwrite+fdatasync on a stale handle"
# the range stays reserved while the handle is open
j=$(pc create-namespace -s 4M -n next) || fail "create next"
next_dpa=$(json_get "$j" .dpa)
[ "$next_dpa" != "$victim_dpa" ] || fail "victim's range reused while still open"
next_sum=$(md5sum <"$MNT/region0/next")
echo store >&4
wait_until 10 grep -q "^store:" "$T/stale.out" || fail "no store result"
if [ "$victim_backing" = passthrough ]; then
	# a region directory passed through: the stale mapping is its
	# destroyed namespace's own file, unlinked; stores and msync(MS_SYNC)
	# succeed there and reach nothing else (the file goes with the mapping)
	assert_eq "store: OK" "$(grep '^store:' "$T/stale.out")" "store+msync on a stale passthrough mapping"
else
	assert_eq "store: EIO" "$(grep '^store:' "$T/stale.out")" "store+msync on a stale mapping"
fi
assert_eq "$next_sum" "$(md5sum <"$MNT/region0/next")" "a new namespace after a stale mapping's store"
pc destroy-namespace -f next 2>/dev/null
echo close >&4
wait "$spid" || fail "stale client failed: $(cat "$T/stale.err")"
exec 4>&-
# ... and is free once it is closed (the RELEASE is asynchronous)
reuse() {
	local j
	j=$(pc create-namespace -s 4M -n again 2>/dev/null) || return 1
	[ "$(json_get "$j" .dpa)" = "$victim_dpa" ] && return 0
	pc destroy-namespace -f again 2>/dev/null
	return 1
}
wait_until 5 reuse || fail "victim's range not reused after the close"

# the other namespace never noticed
"$NSIO" verify "$MNT/region0/keep" 0 $((1 * MiB)) 4 || fail "keep's data"
pmemfs_stop
# again's first 8 KiB: victim's zeroed bytes, the rest victim's old data
"$NSIO" check-byte "$R" "$victim_dpa" 8192 0 || fail "first 8 KiB not zeroed"
echo "PASS: $TEST_NAME"
