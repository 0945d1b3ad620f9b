#!/bin/bash
# SPDX-License-Identifier: MIT
# Label changes are on the medium when the command returns: after
# create-region, init-labels, zero-labels and each create, rename and
# destroy (offline with --file, and through the daemon) cachestat(2) shows no dirty or writeback page in
# the region file's label area, nor in the 8 KiB a destroy zeroes.
. "$(dirname "$0")/fslib.sh"

R=$T/r.img
SIZE=$((64 << 20))
region_create "$R" 64M
lab_off=$((SIZE - LABEL_SIZE))

labels_clean() {	# WHAT
	cache_clean "$R" "$lab_off" "$LABEL_SIZE" "$1 (label area)"
}

# offline
labels_clean "create-region"
"$PMEMCTL" init-labels -f --file "$R" >/dev/null 2>&1 || fail "init-labels failed"
labels_clean "init-labels"
"$PMEMCTL" zero-labels --file "$R" >/dev/null 2>&1 || fail "zero-labels failed"
labels_clean "zero-labels"
"$PMEMCTL" init-labels -f --file "$R" >/dev/null 2>&1 || fail "init-labels failed"
d=$(ns_create "$R" 8M a)
labels_clean "offline create-namespace"
"$PMEMCTL" rename-namespace --file "$R" a b >/dev/null || fail "rename-namespace failed"
labels_clean "offline rename-namespace"
"$PMEMCTL" destroy-namespace --file "$R" b 2>/dev/null || fail "destroy-namespace failed"
labels_clean "offline destroy-namespace"
cache_clean "$R" "$d" 8192

# through the daemon
pmemfs_start "$R"
j=$("$PMEMCTL" create-namespace --mount "$MNT" -s 8M -n c) || fail "online create failed"
d=$(json_get "$j" .dpa)
labels_clean "create-namespace through the daemon"
"$PMEMCTL" rename-namespace --mount "$MNT" c e >/dev/null || fail "online rename failed"
labels_clean "rename-namespace through the daemon"
"$PMEMCTL" destroy-namespace -f --mount "$MNT" e 2>/dev/null || fail "online destroy failed"
labels_clean "destroy-namespace through the daemon"
cache_clean "$R" "$d" 8192
pmemfs_stop
echo "ok: label area clean after every label change"
