#!/bin/bash
# SPDX-License-Identifier: MIT
# Two region files (pmemfs not mounted) as one guest's two nvdimms, in
# slots 0 and 1, each with its own label area (label-size=128K): the
# guest's ndctl lists both regions, each with the interleave-set cookie of
# its slot (iset_id), and every namespace of both, by name and UUID, with
# the bytes written on the host. r1.img is made for slot 1
# (create-region --nvdimm-slot 1); r0.img is made for slot 1 too and
# moved to slot 0 (move-region). The QEMU devices are the ones
# contrib/qemu/pmemfs-qemu builds (slot=N from each file's labels; the
# files are given in the other order on purpose). Then the guest destroys
# every namespace: r1.img, without labels, is still for slot 1 (the guest
# kernel's index writes keep pmemfs's slot record).
. "$(dirname "$0")/e2elib.sh"
e2e_need_guest

QEMU_SCRIPT=$PMEMFS_SOURCE_ROOT/contrib/qemu/pmemfs-qemu
export PMEMCTL
R0=$T/r0.img
R1=$T/r1.img
LEN=$((128 << 10))
S0=$((RANDOM + 1))
S1=$((S0 + 1))

"$PMEMCTL" create-region --size 256M --nvdimm-slot 1 "$R0" >/dev/null || fail "create-region r0"
ns_create "$R0" 64M a0 >/dev/null
ns_create "$R0" 32M a1 >/dev/null
"$PMEMCTL" move-region --file "$R0" --nvdimm-slot 0 >/dev/null 2>&1 || fail "move-region r0 to slot 0"
"$PMEMCTL" create-region --size 256M --nvdimm-slot 1 "$R1" >/dev/null || fail "create-region r1"
ns_create "$R1" 48M b0 >/dev/null
host_ns=$( { "$PMEMCTL" list --file "$R0" -N; "$PMEMCTL" list --file "$R1" -N; } | jq -s 'add') ||
	fail "list -N"
reg0=$("$PMEMCTL" list --file "$R0" -R) || fail "list -R r0"
reg1=$("$PMEMCTL" list --file "$R1" -R) || fail "list -R r1"
assert_eq "0 1" "$(json_get "$reg0" '.[0].nvdimm_slot') $(json_get "$reg1" '.[0].nvdimm_slot')" \
	"the regions' slots on the host"

# bytes through the namespace files: both regions in one mount
pmemfs_start "$R0" "$R1"
"$NSIO" write "$MNT/region0/a0" 0 $LEN $S0 fsync
"$NSIO" write "$MNT/region1/b0" 0 $LEN $S1 fsync
pmemfs_stop

# the devices as pmemfs-qemu makes them, files in the other order
cmd=$("$QEMU_SCRIPT" --nvdimm --dry-run --qemu "$QEMU" "$R1" "$R0" 2>"$T/pq.err") ||
	fail "pmemfs-qemu: $(cat "$T/pq.err")"
eval "set -- $cmd"
machine=$3
shift 5	# QEMU, -machine M, -m: guest_start gives its own -m (slots=2)
assert_contains "$*" "nvdimm,memdev=pmem0,id=pmemdev0,slot=1,label-size=131072" "r1.img in slot 1"
assert_contains "$*" "nvdimm,memdev=pmem1,id=pmemdev1,slot=0,label-size=131072" "r0.img in slot 0"

guest_boot two_nvdimms "$machine" "
waitdev /dev/pmem0
n=0
while [ \$(ndctl list -N | grep -c '\"uuid\"') -lt 3 ] && [ \$n -lt 100 ]; do
  sleep 0.1; n=\$((n + 1))
done
section region ndctl list -R
section list ndctl list -N
for d in /dev/pmem*; do
  for s in $S0 $S1; do
    nsio verify \$d 0 $LEN \$s 2>/dev/null && mark bytes \${d#/dev/} \$s
  done
done
mark done
ndctl destroy-namespace -f all >/dev/null 2>&1
mark destroyed" "$@"

g_region=$(guest_section region)
g_ns=$(guest_section list)
printf '%s' "$g_region" | jq -e . >/dev/null || guest_fail "ndctl list -R printed no JSON: $g_region"
printf '%s' "$g_ns" | jq -e . >/dev/null || guest_fail "ndctl list -N printed no JSON: $g_ns"
assert_eq 2 "$(json_get "$g_region" 'length')" "regions the guest lists"
# each region's iset_id is the cookie the host wrote for its slot
gids=$(json_get "$g_region" '[.[].iset_id | tostring] | sort | join(" ")')
hids=$(jq -n --argjson a "$reg0" --argjson b "$reg1" '[$a[0].iset_id, $b[0].iset_id | tostring] | sort | join(" ")' -r)
assert_eq "$hids" "$gids" "the guest's iset_ids: slot 0's and slot 1's cookies"
assert_eq 3 "$(json_get "$g_ns" 'length')" "namespaces of both regions in the guest: $g_ns"
for n in a0 a1 b0; do
	uuid=$(json_get "$host_ns" ".[] | select(.name == \"$n\") | .uuid")
	g=$(json_get "$g_ns" ".[] | select(.uuid == \"$uuid\")")
	[ -n "$g" ] || guest_fail "the guest does not list $n ($uuid): $g_ns"
	assert_eq "$n" "$(json_get "$g" .name)" "name the guest sees for $uuid"
	assert_eq "$(json_get "$host_ns" ".[] | select(.name == \"$n\") | .size")" \
		"$(json_get "$g" .size)" "size the guest sees for $n"
done
bd=$(json_get "$g_ns" ".[] | select(.name == \"a0\") | .blockdev")
guest_has_mark "bytes $bd $S0" || guest_fail "/dev/$bd (a0, slot 0) lacks the bytes written on the host"
bd=$(json_get "$g_ns" ".[] | select(.name == \"b0\") | .blockdev")
guest_has_mark "bytes $bd $S1" || guest_fail "/dev/$bd (b0, slot 1) lacks the bytes written on the host"
guest_has_mark done || guest_fail "no done mark"

# the guest destroyed every namespace (its kernel wrote both label areas'
# index blocks): r1.img, without labels now, is still for slot 1 (the
# kernel copied the slot record of the index block), r0.img for slot 0
guest_has_mark destroyed || guest_fail "no destroyed mark"
for f in 0:"$R0" 1:"$R1"; do
	expect_exit 0 "$PMEMCTL" list --file "${f#*:}" -i
	assert_eq 0 "$(json_get "${out:-[]}" length)" "labels left in ${f#*:} after the guest destroyed all"
	expect_exit 0 "$PMEMCTL" list --file "${f#*:}" -R
	assert_eq "${f%%:*}" "$(json_get "$out" '.[0].nvdimm_slot')" "slot of ${f#*:} after the guest's label writes"
done
