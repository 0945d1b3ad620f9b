#!/bin/bash
# SPDX-License-Identifier: MIT
# nsio for the region directory matrix (PMEMFS_LAYOUT=dir, fslib.sh): the
# tests address a namespace's bytes in the region as (REGION, dpa + off);
# on a region directory those bytes are at off of DIR/ns-<uuid>. For a
# FILE argument that is a region directory, this finds the namespace whose
# range holds OFF (pmemctl list --file, read-only: it takes no lock, so it
# works while the region is mounted) and runs nsio on its file at OFF -
# dpa; a range that leaves the namespace fails (exit 2) naming it. OFF in
# no namespace: check-byte in the data area (the guard bytes) means
# nothing wrote there: zero in DIR/region (whose data area this layout
# never writes) with every namespace file of its size; elsewhere (the
# label area) nsio runs on DIR/region at OFF. Anything else goes to nsio
# unchanged.
set -u
NSIO_BIN=$PMEMFS_BUILD_ROOT/tests/integration/fs/nsio
PMEMCTL=${PMEMCTL:-$PMEMFS_BUILD_ROOT/tools/pmemctl}
cmd=${1:-}
f=${2:-}
if [ $# -lt 4 ] || [ ! -d "$f" ]; then
	exec "$NSIO_BIN" "$@"
fi
case "$cmd" in
fill | check-byte | verify | write | mmap-write | cachestat)
	off=$3 len=$4 ;;
fallocate)
	off=$4 len=$5 ;;
*) exec "$NSIO_BIN" "$@" ;;
esac
line=$("$PMEMCTL" list --file "$f" -N -i 2>/dev/null |
	jq -r --argjson o "$((off))" \
		'.[] | select(.dpa <= $o and $o < .dpa + .size) | "\(.uuid) \(.dpa) \(.size)"' |
	head -n 1)
data=$(($(stat -c %s "$f/region") - ${LABEL_SIZE:-131072}))
if [ -z "$line" ] && [ "$cmd" = check-byte ] && [ $((off)) -lt "$data" ]; then
	# the guard bytes outside every namespace (guard_fill writes none on
	# this layout): nothing wrote there, i.e. the region file's data area
	# is still zeroes there and no namespace file grew past its size
	"$PMEMCTL" list --file "$f" -N -i 2>/dev/null |
		jq -r '.[] | "\(.uuid) \(.size)"' | while read -r u s; do
		[ ! -e "$f/ns-$u" ] || [ "$(stat -c %s "$f/ns-$u")" = "$s" ] || {
			echo "nsio_dir: $f/ns-$u is $(stat -c %s "$f/ns-$u") bytes, not $s" >&2
			exit 1
		}
	done || exit 1
	exec "$NSIO_BIN" check-byte "$f/region" "$off" "$len" 0
fi
if [ -z "$line" ]; then
	# outside every namespace (the label area): the region file's bytes
	shift 2
	exec "$NSIO_BIN" "$cmd" "$f/region" "$@"
fi
read -r uuid dpa size <<<"$line"
if [ $((off + len)) -gt $((dpa + size)) ]; then
	echo "nsio_dir: range $off+$len leaves the namespace at $dpa+$size of $f" >&2
	exit 2
fi
nf=$f/ns-$uuid
shift 2
case "$cmd" in
fallocate) exec "$NSIO_BIN" "$cmd" "$nf" "$1" $((off - dpa)) "${@:3}" ;;
*) exec "$NSIO_BIN" "$cmd" "$nf" $((off - dpa)) "${@:2}" ;;
esac
