#!/bin/bash
# SPDX-License-Identifier: MIT
# contrib/qemu/pmemfs-qemu's command lines (--dry-run, no QEMU needed):
# several files become several devices; with --nvdimm each gets slot=N,
# always: a region file the slot its labels are for (create-region
# --nvdimm-slot, move-region), the others the lowest slots left; two files
# for one slot are refused; a region file's label area is the default
# label-size. --ram takes QEMU's -m syntax and pmemctl's (256MiB), and
# anything else is a clear error, not a shell crash.
. "$PMEMFS_TESTLIB"
set -e

QEMU_SCRIPT=$PMEMFS_SOURCE_ROOT/contrib/qemu/pmemfs-qemu
command -v findmnt >/dev/null || skip "findmnt not installed"
export PMEMCTL
pq() { "$QEMU_SCRIPT" --dry-run --qemu qemu-system-x86_64 "$@"; }
# args OUT: the printed command as one argument a line
args() { printf '%s\n' "$1" | sed "s/^'//; s/' \$//; s/' '/\n/g"; }

cd "$T"
"$PMEMCTL" create-region --size 64M r0.img >/dev/null
"$PMEMCTL" create-region --size 64M --nvdimm-slot 1 r1.img >/dev/null
"$PMEMCTL" create-region --size 64M --nvdimm-slot 3 --label-size 256K r3.img >/dev/null
truncate -s 32M plain.img

# nvdimm: the region files' own slots, in any order; label-size from the file
expect_exit 0 pq --nvdimm r1.img r0.img -- -kernel bz
a=$(args "$out")
assert_eq "pc,nvdimm=on" "$(printf '%s\n' "$a" | sed -n 3p)" "machine"
printf '%s\n' "$a" | grep -qxF "nvdimm,memdev=pmem0,id=pmemdev0,slot=1,label-size=131072" ||
	fail "r1.img (slot 1) not in slot 1: $out"
printf '%s\n' "$a" | grep -qxF "nvdimm,memdev=pmem1,id=pmemdev1,slot=0,label-size=131072" ||
	fail "r0.img (slot 0) not in slot 0: $out"
printf '%s\n' "$a" | grep -qxF "memory-backend-file,id=pmem0,share=on,mem-path=r1.img,size=67108864" ||
	fail "r1.img's backend: $out"
assert_eq "-kernel bz" "$(printf '%s\n' "$a" | tail -n 2 | xargs)" "QEMU arguments after the devices"
# a region file given whole to an nvdimm is what README shows: no warning
case "$err" in *"not a pmemfs mount"*) fail "region files for --nvdimm warned about: $err" ;; esac
# slots cover the highest slot used; maxmem the RAM, the files and 1 GiB
assert_eq "512M,slots=3,maxmem=1664M" "$(printf '%s\n' "$a" | sed -n 5p)" "-m"

# a file without labels takes the lowest slot left; the 256 KiB area is used
expect_exit 0 pq --nvdimm plain.img r3.img r0.img
a=$(args "$out")
printf '%s\n' "$a" | grep -qxF "nvdimm,memdev=pmem0,id=pmemdev0,slot=1" ||
	fail "plain.img not in the lowest free slot (1): $out"
assert_contains "$err" "'plain.img' is on" "a file with no label area off a mount: warned"
printf '%s\n' "$a" | grep -qxF "nvdimm,memdev=pmem1,id=pmemdev1,slot=3,label-size=262144" ||
	fail "r3.img: $out"
# --label-size wins over the file's
expect_exit 0 pq --nvdimm --label-size 128K r1.img
assert_contains "$out" "slot=1,label-size=128K" "--label-size given"

# two files for one slot: refused, naming both and the way out
cp r1.img r1b.img
expect_exit 1 pq --nvdimm r1.img r1b.img
assert_contains "$err" "'r1.img' and 'r1b.img' are both for nvdimm slot 1" "duplicate slot"
assert_contains "$err" "pmemctl move-region" "the way out"
"$PMEMCTL" move-region --file r1b.img --nvdimm-slot 2 2>/dev/null >/dev/null
expect_exit 0 pq --nvdimm r1.img r1b.img
assert_contains "$out" "id=pmemdev1,slot=2," "after move-region"

# virtio-pmem: one device per file, no slot
expect_exit 0 pq r0.img r1.img
a=$(args "$out")
printf '%s\n' "$a" | grep -qxF "virtio-pmem-pci,memdev=pmem1,id=pmemdev1" || fail "virtio: $out"
assert_eq 0 "$(printf '%s\n' "$a" | grep -c 'slot=')" "virtio devices carry no slot"
# the old spelling: one file, QEMU arguments without "--"
expect_exit 0 pq r0.img -kernel bz
assert_eq "-kernel bz" "$(args "$out" | tail -n 2 | xargs)" "arguments after a lone file"

# --ram: QEMU's syntax and pmemctl's
for r in 256:256 256M:256 256MiB:256 256m:256 1G:1024 1.5G:1536 2GiB:2048 524288K:512 \
	268435456B:256; do
	expect_exit 0 pq --ram "${r%%:*}" r0.img
	assert_contains "$out" "'${r#*:}M,slots=" "--ram ${r%%:*}"
done
for r in 256XB 1..5G -1 0 1e3 256Mi; do
	expect_exit 1 pq --ram "$r" r0.img
	assert_contains "$err" "bad --ram '$r'" "--ram '$r' refused"
	assert_contains "$err" "512M" "the refusal gives an example"
done
# too large for the script's arithmetic: refused, not a shell error; the
# largest taken is counted exactly (not an awk's 2^31 - 1)
expect_exit 1 pq --ram 99999999999999999999 r0.img
assert_contains "$err" "bad --ram '99999999999999999999'" "--ram of 1e20 MiB refused"
expect_exit 0 pq --ram 4096T r0.img
assert_contains "$out" "'4294967296M,slots=" "--ram 4096T"
# file names QEMU's option syntax or the shell would read otherwise: a
# comma is doubled in mem-path (QEMU reads a lone one as the next
# option), a quote in --dry-run's output is quoted for the shell
cp r0.img "c,d.img"
cp r1.img "it's.img"
expect_exit 0 pq --nvdimm "c,d.img" "it's.img"
eval "set -- $out"
printf '%s\n' "$@" | grep -qxF "memory-backend-file,id=pmem0,share=on,mem-path=c,,d.img,size=67108864" ||
	fail "a comma in a file name not doubled for QEMU: $out"
printf '%s\n' "$@" | grep -qxF "memory-backend-file,id=pmem1,share=on,mem-path=it's.img,size=67108864" ||
	fail "a quote in a file name not quoted for the shell: $out"
expect_exit 0 pq --ram=2G r0.img
assert_contains "$out" "'2048M,slots=" "--ram=2G"
expect_exit 1 pq --ram '' r0.img
assert_contains "$err" "--ram needs a value" "empty --ram"
expect_exit 1 pq --ram
assert_contains "$err" "--ram needs a value" "--ram without a value"

# the libvirt snippet: well-formed, two nvdimms pinned to slots 0 and 1
X=$PMEMFS_SOURCE_ROOT/contrib/qemu/pmemfs-domain.xml
if command -v xmllint >/dev/null; then
	xmllint --noout "$X" || fail "pmemfs-domain.xml is not well-formed XML"
	assert_eq "0 1" "$(xmllint --xpath "//memory[@model='nvdimm']/address[@type='dimm']/@slot" "$X" |
		grep -o '[0-9]*' | xargs)" "the nvdimms' slots in the libvirt snippet"
else
	fail "xmllint not installed (scripts/install-deps.sh --tests installs libxml2-utils): pmemfs-domain.xml cannot be checked"
fi
