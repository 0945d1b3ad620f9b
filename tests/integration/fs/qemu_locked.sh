#!/bin/bash
# SPDX-License-Identifier: MIT
# contrib/qemu/pmemfs-qemu refuses a file another process holds locked:
# a region file a daemon serves (named with its mount; directly or through
# a link) or one another process has open as a region; it accepts the
# namespace file on the mount, and the region file once nobody holds it.
# --dry-run prints the QEMU command instead of running it (no QEMU needed).
. "$(dirname "$0")/fslib.sh"

QEMU_SCRIPT=$PMEMFS_SOURCE_ROOT/contrib/qemu/pmemfs-qemu
HOLD=$PMEMFS_BUILD_ROOT/tests/integration/cli/hold_region
[ -x "$HOLD" ] || fail "hold_region not built at $HOLD"
command -v findmnt >/dev/null || skip "findmnt not installed"
export PMEMCTL
pq() { "$QEMU_SCRIPT" --dry-run --qemu qemu-system-x86_64 "$@"; }

R=$T/r0.img
region_create "$R" 64M
"$PMEMCTL" create-namespace --file "$R" -s 4M -n a >/dev/null
pmemfs_start "$R"
for i in $(seq 100); do
	"$PMEMCTL" list -R --mount "$MNT" >/dev/null 2>&1 && break
	sleep 0.05
done

# the served region file: refused, naming the mount
expect_exit 1 pq "$R"
assert_contains "$err" "served by the pmemfs daemon of '$MNT'" "refusal names the mount"
[ -z "$out" ] || fail "a QEMU command printed for a served region: $out"
# through a link to it: the same
ln -s "$R" "$T/link.img"
expect_exit 1 pq "$T/link.img"
assert_contains "$err" "'$MNT'" "refusal through a link"
# the namespace file on the mount: fine
expect_exit 0 pq "$MNT/region0/a"
assert_contains "$out" "mem-path=$MNT/region0/a" "the namespace file's command"
pmemfs_stop

# held by another process (no daemon): refused
"$HOLD" "$R" >"$T/hold.out" 2>&1 &
H=$!
at_exit "kill -9 $H 2>/dev/null"
for i in $(seq 100); do grep -q ready "$T/hold.out" && break; sleep 0.05; done
grep -q ready "$T/hold.out" || fail "hold_region: $(cat "$T/hold.out")"
expect_exit 1 pq "$R"
assert_contains "$err" "locked by another process" "a region held by another process"
kill -9 "$H"
wait "$H" 2>/dev/null || true

# nobody holds it: started (with the warning that it is no pmemfs mount)
expect_exit 0 pq "$R"
assert_contains "$out" "mem-path=$R" "the unlocked file's command"
assert_contains "$err" "not a pmemfs mount" "warning"

# a region directory: its namespace's own file DIR/ns-<uuid> is refused
# while a daemon serves DIR (QEMU would write past the daemon), naming the
# mount; so is DIR/region; both are accepted once it is unmounted
D=$T/rdir
"$PMEMCTL" create-region --layout dir --size 64M "$D" >/dev/null
"$PMEMCTL" create-namespace --file "$D" -s 4M -n d >/dev/null
NSF=$(ls "$D"/ns-*)
[ -f "$NSF" ] || fail "no namespace file in $D: $(ls "$D")"
pmemfs_start "$D"
for i in $(seq 100); do
	"$PMEMCTL" list -R --mount "$MNT" >/dev/null 2>&1 && break
	sleep 0.05
done
expect_exit 1 pq "$NSF"
assert_contains "$err" "namespace's own file in the region directory '$D', served by the pmemfs daemon of '$MNT'" "a served namespace file refused"
[ -z "$out" ] || fail "a QEMU command printed for a served namespace file: $out"
ln -s "$NSF" "$T/nslink"
expect_exit 1 pq "$T/nslink"
assert_contains "$err" "'$MNT'" "refusal through a link to the namespace file"
expect_exit 1 pq "$D/region"
assert_contains "$err" "served by the pmemfs daemon of '$MNT'" "DIR/region refused"
expect_exit 0 pq "$MNT/region0/d"
assert_contains "$out" "mem-path=$MNT/region0/d" "the namespace on the mount"
pmemfs_stop
expect_exit 0 pq "$NSF"
assert_contains "$out" "mem-path=$NSF" "the unserved namespace file's command"
# the directory and its label file are no guest memory (the data part of
# DIR/region is never written): refused, pointing at convert-region
for f in "$D" "$D/region"; do
	expect_exit 1 pq "$f"
	assert_contains "$err" "convert-region --layout file" "$f refused"
	expect_exit 1 pq --nvdimm "$f"
	assert_contains "$err" "region directory's" "$f refused as an nvdimm"
done
echo "PASS: $TEST_NAME"
