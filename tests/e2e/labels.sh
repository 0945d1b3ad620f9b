#!/bin/bash
# SPDX-License-Identifier: MIT
# Guest-visible labels, both ways, for label format $1 (1.1 or 1.2). The
# region file (pmemfs not mounted) is given whole to QEMU as an nvdimm
# whose label area is the region's own (label-size=128K):
# - namespaces pmemctl created are what the guest's ndctl lists, with the
#   same uuid, name and size in the same interleave set, and the guest's
#   block devices hold the bytes written on the host through the
#   namespace files;
# - namespaces the guest's ndctl creates (raw and fsdax; guests write no
#   names) appear when pmemfs mounts the file, under their device names,
#   with the guest's bytes (raw) and its fsdax info block at 4 KiB; the
#   label area keeps its format.
. "$(dirname "$0")/e2elib.sh"
e2e_need_guest

V=${1:?usage: labels.sh 1.1|1.2}
R=$T/r.img
OFF=$((1 << 20))
LEN=$((128 << 10))
S1=$((RANDOM + 1))
S2=$((S1 + 1))
S3=$((S1 + 2))
"$PMEMCTL" create-region --size 256M -V "$V" "$R" >/dev/null || fail "create-region -V $V"
ns_create "$R" 64M vm1 >/dev/null
ns_create "$R" 32M vm2 >/dev/null
host_ns=$("$PMEMCTL" list --file "$R" -N) || fail "list -N"
host_region=$("$PMEMCTL" list --file "$R" -R) || fail "list -R"
assert_eq "$V" "$(json_get "$host_region" '.[0].label_version')" "label version of the new region"
u1=$(json_get "$host_ns" '.[] | select(.name == "vm1") | .uuid')
u2=$(json_get "$host_ns" '.[] | select(.name == "vm2") | .uuid')

pmemfs_start "$R"
"$NSIO" write "$MNT/region0/vm1" $OFF $LEN $S1 fsync
"$NSIO" write "$MNT/region0/vm2" $OFF $LEN $S2 fsync
pmemfs_stop

guest_boot labels pc,nvdimm=on "
waitdev /dev/pmem0
section region ndctl list -R
section list ndctl list -N
for d in /dev/pmem*; do
  for s in $S1 $S2; do
    nsio verify \$d $OFF $LEN \$s 2>/dev/null && mark bytes \${d#/dev/} \$s
  done
done
ndctl create-namespace -r region0 -m raw -s 32M >/tmp/raw.json
section raw cat /tmp/raw.json
bd=\$(sed -n 's/.*\"blockdev\":\"\\([^\"]*\\)\".*/\\1/p' /tmp/raw.json)
nsio write /dev/\$bd 0 $LEN $S3 fsync
ndctl create-namespace -r region0 -m fsdax -s 32M >/dev/null
mark created" \
	-object "memory-backend-file,id=mem1,share=on,mem-path=$R,size=256M" \
	-device nvdimm,memdev=mem1,label-size=128K

# what the guest saw
g_region=$(guest_section region)
g_ns=$(guest_section list)
g_raw=$(guest_section raw)
printf '%s' "$g_ns" | jq -e . >/dev/null || guest_fail "ndctl list -N printed no JSON: $g_ns"
assert_eq "$(json_get "$host_region" '.[0].iset_id')" "$(json_get "$g_region" '.[0].iset_id')" \
	"the guest region's iset_id (the labels' interleave-set cookie)"
assert_eq 2 "$(json_get "$g_ns" 'length')" "namespaces the guest lists"
for n in vm1:$u1:$S1:$S2 vm2:$u2:$S2:$S1; do
	IFS=: read -r name uuid seed other <<<"$n"
	g=$(json_get "$g_ns" ".[] | select(.uuid == \"$uuid\")")
	[ -n "$g" ] || guest_fail "the guest does not list $name ($uuid): $g_ns"
	assert_eq "$name" "$(json_get "$g" .name)" "name the guest sees for $uuid"
	assert_eq "$(json_get "$host_ns" ".[] | select(.uuid == \"$uuid\") | .size")" \
		"$(json_get "$g" .size)" "size the guest sees for $name"
	assert_eq raw "$(json_get "$g" .mode)" "mode the guest sees for $name"
	bd=$(json_get "$g" .blockdev)
	guest_has_mark "bytes $bd $seed" || guest_fail "/dev/$bd ($name) lacks the bytes written on the host"
	guest_has_mark "bytes $bd $other" && guest_fail "/dev/$bd ($name) holds the other namespace's bytes"
done
guest_has_mark created || guest_fail "no created mark"
u3=$(json_get "$g_raw" .uuid)
assert_eq $((32 << 20)) "$(json_get "$g_raw" .size)" "size of the guest's raw namespace"

# what pmemfs makes of the guest's labels
after=$("$PMEMCTL" list --file "$R" -N) || fail "list -N after the guest"
assert_eq "$V" "$("$PMEMCTL" list --file "$R" -R | jq -r '.[0].label_version')" \
	"label version after the guest wrote labels"
assert_eq 4 "$(json_get "$after" 'length')" "namespaces after the guest created two: $after"
for n in vm1:$u1 vm2:$u2; do
	IFS=: read -r name uuid <<<"$n"
	assert_eq "$(json_get "$host_ns" ".[] | select(.uuid == \"$uuid\") | [.name, .size, .dpa] | @text")" \
		"$(json_get "$after" ".[] | select(.uuid == \"$uuid\") | [.name, .size, .dpa] | @text")" \
		"$name after the guest changed the labels"
done
raw_dev=$(json_get "$after" ".[] | select(.uuid == \"$u3\") | .dev")
[ -n "$raw_dev" ] || fail "the guest's raw namespace $u3 is not listed: $after"
assert_eq "$raw_dev" "$(json_get "$after" ".[] | select(.uuid == \"$u3\") | .name")" \
	"name of the guest's nameless namespace"
fsdax=$(json_get "$after" ".[] | select(.uuid != \"$u1\" and .uuid != \"$u2\" and .uuid != \"$u3\")")
fsdax_dev=$(json_get "$fsdax" .dev)
assert_eq $((32 << 20)) "$(json_get "$fsdax" .size)" "size of the guest's fsdax namespace"

pmemfs_start "$R"
ls_out=$(cd "$MNT/region0" && ls | sort | tr '\n' ' ')
assert_eq "$(printf '%s\n' "$raw_dev" "$fsdax_dev" vm1 vm2 | sort | tr '\n' ' ')" "$ls_out" \
	"files in the mounted region"
assert_eq $((32 << 20)) "$(stat -c %s "$MNT/region0/$raw_dev")" "size of $raw_dev"
"$NSIO" verify "$MNT/region0/$raw_dev" 0 $LEN $S3 || fail "$raw_dev lacks the bytes the guest wrote"
"$NSIO" verify "$MNT/region0/vm1" $OFF $LEN $S1 || fail "vm1 lost its bytes"
sig=$(dd if="$MNT/region0/$fsdax_dev" bs=4096 skip=1 count=1 2>/dev/null | head -c 15)
assert_eq NVDIMM_PFN_INFO "$sig" "the guest's fsdax info block at 4 KiB of $fsdax_dev"
pmemfs_stop
