#!/bin/bash
# SPDX-License-Identifier: MIT
# ndctl parity of list and create-namespace: -n/--namespace and -r filter
# as ndctl's do, every pmemfs mount listed without --mount (told apart by
# "mount"), an empty list is [], -t pmem and -m raw accepted and ndctl's
# other types and modes refused by name. Runs in a mount namespace of its
# own, where other pmemfs mounts of the machine are detached.
if [ -z "${PMEMFS_IN_MNTNS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for a mount namespace" >&2; exit 77; }
	exec unshare -m --propagation private env PMEMFS_IN_MNTNS=1 bash "$0" "$@"
fi
. "$(dirname "$0")/onlinelib.sh"

detach_other_mounts

R=$T/r.img
region_create "$R" 64M
online_start "$R"

# an empty mount: [] (ndctl prints nothing), for -N and -R -N alike
expect_exit 0 "$PMEMCTL" list
assert_eq "[]" "$out" "empty list"
expect_exit 0 "$PMEMCTL" list -R -N
assert_eq 0 "$(json_get "$out" '.regions[0].namespaces | length')" "-R -N of an empty region"

# -t pmem and -m raw are what pmemfs is; the other types and modes by name
expect_exit 0 "$PMEMCTL" create-namespace -s 2M -n a -t pmem
expect_exit 0 "$PMEMCTL" create-namespace -s 2M -n b --type pmem --mode raw
expect_exit 0 "$PMEMCTL" create-namespace -s 2M -n c -m raw
for m in fsdax devdax sector; do
	expect_exit 234 "$PMEMCTL" create-namespace -s 2M -n x -m "$m"
	assert_contains "$err" "mode $m is not supported: pmemfs namespaces are raw" "-m $m"
done
expect_exit 234 "$PMEMCTL" create-namespace -s 2M -n x --type blk
assert_contains "$err" "type blk is not supported: pmemfs namespaces are pmem" "-t blk"
expect_exit 234 "$PMEMCTL" create-namespace -s 2M -n x -t nvme
assert_contains "$err" "bad value for --type 'nvme'" "-t nvme"
expect_exit 234 "$PMEMCTL" create-namespace -s 2M -n x --mode=fancy
assert_contains "$err" "bad value for --mode 'fancy'" "-m fancy"
# offline the same
expect_exit 0 "$PMEMCTL" create-region --size 16M "$T/off.img"
expect_exit 0 "$PMEMCTL" create-namespace --file "$T/off.img" -s 2M -t pmem -m raw -n off
expect_exit 234 "$PMEMCTL" create-namespace --file "$T/off.img" -s 2M -m fsdax
assert_contains "$err" "mode fsdax is not supported" "offline -m fsdax"
expect_exit 0 "$PMEMCTL" list
assert_eq "a b c" "$(json_get "$out" '[.[].name] | join(" ")')" "refused creates created nothing"

# -n: by name, device name, uuid; all; no match lists []
dev_b=$(json_get "$out" '.[1].dev')
uuid_c=$(json_get "$out" '.[2].uuid')
expect_exit 0 "$PMEMCTL" list -n b
assert_eq "b" "$(json_get "$out" '[.[].name] | join(" ")')" "-n NAME"
expect_exit 0 "$PMEMCTL" list --namespace "$dev_b"
assert_eq "b" "$(json_get "$out" '[.[].name] | join(" ")')" "--namespace DEV"
expect_exit 0 "$PMEMCTL" list --namespace="$uuid_c"
assert_eq "c" "$(json_get "$out" '[.[].name] | join(" ")')" "--namespace=UUID"
expect_exit 0 "$PMEMCTL" list -n all
assert_eq 3 "$(json_get "$out" length)" "-n all"
expect_exit 0 "$PMEMCTL" list -n nosuch
assert_eq "[]" "$out" "-n matching nothing"
expect_exit 0 "$PMEMCTL" list -R -N -n a
assert_eq "a" "$(json_get "$out" '[.regions[].namespaces[].name] | join(" ")')" "-R -N -n"
expect_exit 0 "$PMEMCTL" list -u -n a
assert_eq "a" "$(json_get "$out" .name)" "-u -n: a lone namespace unwrapped"

# a second mount: list (no --mount) lists both, told apart by "mount"
mkdir -p "$T/mnt2"
"$PMEMCTL" create-region --size 32M "$T/r2.img" >/dev/null
"$PMEMFS" -f "$T/r2.img" "$T/mnt2" >>"$T/daemon2.log" 2>&1 &
pid2=$!
at_exit "fusermount3 -u -z '$T/mnt2' 2>/dev/null"
wait_until 10 grep -q '^pmemfs: serving ' "$T/daemon2.log" || fail "second daemon: $(cat "$T/daemon2.log")"
expect_exit 0 "$PMEMCTL" create-namespace --mount "$T/mnt2" -s 2M -n z
expect_exit 0 "$PMEMCTL" list
assert_eq "a b c z" "$(json_get "$out" '[.[].name] | sort | join(" ")')" "list: both mounts"
assert_eq "$T/mnt2" "$(json_get "$out" '.[] | select(.name == "z") | .mount')" "z's mount"
assert_eq "$MNT" "$(json_get "$out" '.[] | select(.name == "a") | .mount')" "a's mount"
expect_exit 0 "$PMEMCTL" list -R
assert_eq 2 "$(json_get "$out" length)" "list -R: a region of each mount"
assert_eq "region0 region0" "$(json_get "$out" '[.[].dev] | join(" ")')" "region names are per mount"
assert_eq "$(printf '%s\n' "$MNT" "$T/mnt2" | sort | xargs)" \
	"$(json_get "$out" '[.[].mount] | sort | join(" ")')" "regions told apart by mount"
expect_exit 0 "$PMEMCTL" list -r region0 -n z
assert_eq "z" "$(json_get "$out" '[.[].name] | join(" ")')" "-r -n over both mounts"
expect_exit 254 "$PMEMCTL" list -r region7
assert_contains "$err" "no region 'region7' in any of the 2 pmemfs mounts" "-r of no mount"
expect_exit 0 "$PMEMCTL" list --mount "$T/mnt2"
assert_eq "z" "$(json_get "$out" '[.[].name] | join(" ")')" "--mount: that one only"

# a dead daemon among them: named, the other still listed
kill -9 "$pid2"
wait "$pid2" 2>/dev/null || true
expect_exit 145 "$PMEMCTL" list
assert_contains "$err" "mount '$T/mnt2'" "dead daemon named"
assert_eq "a b c" "$(json_get "$out" '[.[].name] | join(" ")')" "the live mount still listed"
fusermount3 -u -z "$T/mnt2"
pmemfs_stop
echo "PASS: $TEST_NAME"
