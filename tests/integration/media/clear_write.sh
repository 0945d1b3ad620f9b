#!/bin/bash
# SPDX-License-Identifier: MIT
# What clears an injected media error: a write(2) of whole 512-byte blocks,
# buffered or O_DIRECT, of any size (dd bs=512 conv=notrunc, dd
# oflag=direct, dd bs=4096 or bs=1M over it, cp of an image), clears the
# blocks it covers entirely and they hold what was written; a write
# covering part of a poisoned block (dd bs=256, dd bs=1) fails with EIO
# and writes nothing; fallocate --punch-hole / --zero-range zero the range
# but leave it poisoned; a store through a mapping cannot clear it (the
# fault reads the page first: SIGBUS). A write beside a poisoned block in
# the same page works; a buffered read of that page fails (the kernel reads
# whole pages), an O_DIRECT read of the good block works. clear-errors and
# --uninject clear.
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

pf_setup 8M a
"$NSIO" fill "$F" 0 4194304 0x33 || fail "fill"
"$NSIO" fsync "$F" || fail "fsync"
count() {
	pc list -M | jq '.[] | select(.name == "a") | .badblock_count'
}
# poison BLOCK: one 512-byte block, nothing else
poison() {
	expect_exit 0 pc inject-error a --block "$1" --count 1
	assert_eq 1 "$(count)" "poisoned block $1"
}
cleared() { # BLOCK BYTE WHAT
	assert_eq 0 "$(count)" "$3: not cleared"
	"$NSIO" check-byte "$F" $(($1 * 512)) 512 "$2" || fail "$3: the block does not hold the write"
}
kept() { # BLOCK WHAT
	assert_eq 1 "$(count)" "$2: cleared"
	run_cmd dd if="$F" of=/dev/null bs=512 skip="$1" count=1 iflag=direct
	[ "$rc" != 0 ] || fail "$2: the block reads"
	pc clear-errors a >/dev/null
}

head -c 512 /dev/zero | tr '\0' '\104' >"$T/b44"	# 512 bytes of 0x44

poison 16
dd if="$T/b44" of="$F" bs=512 seek=16 conv=notrunc status=none
cleared 16 0x44 "dd bs=512 conv=notrunc (buffered)"

poison 24
dd if="$T/b44" of="$F" bs=512 seek=24 conv=notrunc oflag=direct status=none
cleared 24 0x44 "dd bs=512 oflag=direct"

poison 41
dd if=/dev/zero of="$F" bs=4096 seek=5 count=1 conv=notrunc status=none
cleared 41 0 "dd bs=4096 over the block"

poison 2100
dd if=/dev/zero of="$F" bs=1M seek=1 count=1 conv=notrunc status=none
cleared 2100 0 "dd bs=1M over the block"

poison 100
head -c 65536 /dev/zero | tr '\0' '\104' >"$T/img"
cp "$T/img" "$F"
cleared 100 0x44 "cp of an image over the block"

# partial: EIO, nothing written, still poisoned
"$NSIO" fill "$F" $((200 * 512)) 4096 0x33
poison 201
run_cmd dd if=/dev/zero of="$F" bs=256 seek=402 count=1 conv=notrunc status=none
[ "$rc" != 0 ] || fail "dd bs=256 over half a poisoned block succeeded"
assert_contains "$err" "Input/output error" "dd bs=256"
run_cmd dd if=/dev/zero of="$F" bs=1 seek=$((201 * 512)) count=512 conv=notrunc status=none
[ "$rc" != 0 ] || fail "dd bs=1 over a poisoned block succeeded"
assert_contains "$err" "Input/output error" "dd bs=1"
kept 201 "partial writes"
"$NSIO" check-byte "$F" $((200 * 512)) 4096 0x33 || fail "a refused partial write wrote"

# fallocate zeroes but does not clear
poison 300
fallocate -p -o $((300 * 512)) -l 512 "$F"
kept 300 "fallocate --punch-hole"
poison 301
fallocate -z -o $((300 * 512)) -l 4096 "$F"
kept 301 "fallocate --zero-range"

# a store through a mapping: SIGBUS at the fault, nothing cleared
poison 400
# (under AddressSanitizer the kernel's SIGBUS must reach the process as it
# would without it: ASan's own handler would abort instead, exit 134)
run_cmd env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_sigbus=0" \
	"$NSIO" mmap-write "$F" $((400 * 512)) 512 3 msync
assert_eq 135 "$rc" "a store into a mapped poisoned block (SIGBUS)"
kept 400 "a store through a mapping"

# a write of the neighbouring block in the same page: written, the poison
# stays; that block reads with O_DIRECT, a buffered read (the whole page) fails
poison 600
dd if="$T/b44" of="$F" bs=512 seek=601 conv=notrunc status=none
assert_eq 1 "$(count)" "a write of the block beside"
dd if="$F" of="$T/n601" bs=512 skip=601 count=1 iflag=direct status=none
cmp -s "$T/b44" "$T/n601" || fail "the block beside does not hold the write"
run_cmd dd if="$F" of=/dev/null bs=512 skip=601 count=1
[ "$rc" != 0 ] || fail "a buffered read of the page with the poisoned block succeeded"
kept 600 "a write of the block beside"

# --uninject of exactly the block clears it
poison 500
expect_exit 0 pc inject-error a --block 500 --count 1 --uninject
assert_eq 0 "$(count)" "--uninject"
