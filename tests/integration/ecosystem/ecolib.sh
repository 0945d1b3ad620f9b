# SPDX-License-Identifier: MIT
# Helpers for the ecosystem tests: sourced by every test in this directory.
# eco_install puts the build into $DEST with `meson install --destdir` and
# sets the installed paths (from `meson introspect --installed`):
#   $I_PMEMFS $I_PMEMCTL $I_MAN_PMEMFS $I_MAN_PMEMCTL $I_COMPLETION $I_UNIT
# (absolute paths as installed, without $DEST) and $D_* (the same under $DEST).
. "$PMEMFS_TESTLIB"
set -e

NSIO=$PMEMFS_BUILD_ROOT/tests/integration/fs/nsio
DEST=$T/dest

# installed path of a build output or source file, from introspection
eco_installed() { # BUILD_OR_SOURCE_PATH
	jq -r --arg k "$1" '.[$k] // empty' "$T/installed.json"
}

eco_install() {
	[ -n "${PMEMFS_MESON:-}" ] || skip "meson not found by the build (PMEMFS_MESON unset)"
	"$PMEMFS_MESON" introspect "$PMEMFS_BUILD_ROOT" --installed >"$T/installed.json" ||
		fail "meson introspect --installed failed"
	"$PMEMFS_MESON" install -C "$PMEMFS_BUILD_ROOT" --no-rebuild --quiet \
		--destdir "$DEST" >"$T/install.log" 2>&1 ||
		fail "meson install --destdir failed: $(cat "$T/install.log")"
	local b=$PMEMFS_BUILD_ROOT s=$PMEMFS_SOURCE_ROOT
	I_PMEMFS=$(eco_installed "$b/src/pmemfs")
	I_PMEMCTL=$(eco_installed "$b/tools/pmemctl")
	I_MAN_PMEMFS=$(eco_installed "$b/contrib/pmemfs.8")
	I_MAN_PMEMCTL=$(eco_installed "$b/contrib/pmemctl.8")
	I_COMPLETION=$(eco_installed "$s/contrib/bash-completion/pmemctl")
	I_UNIT=$(eco_installed "$b/contrib/pmemfs@.service")
	local v
	for v in I_PMEMFS I_PMEMCTL I_MAN_PMEMFS I_MAN_PMEMCTL I_COMPLETION I_UNIT; do
		[ -n "${!v}" ] || fail "$v: not in meson's install list"
		[ -e "$DEST${!v}" ] || fail "$v: ${!v} not installed under the destdir"
		printf -v "D_${v#I_}" '%s' "$DEST${!v}"
	done
}

# the PATH mount(8) leaves its helpers: it drops PATH, /bin/sh uses its own
eco_clean_path() {
	env -i /bin/sh -c 'echo "$PATH"'
}

# eco_overlay_run DIR_FROM DIR_ONTO CMD...: run CMD in a private mount
# namespace where DIR_FROM's files show in DIR_ONTO (the host sees
# nothing): overlayfs with DIR_FROM over DIR_ONTO, or, where overlayfs
# cannot be stacked here, DIR_FROM bind-mounted onto DIR_ONTO (which then
# shows only DIR_FROM's files). Returns 125 when no private mount
# namespace can be made (not root, or unshare(2) refused).
eco_overlay_run() {
	local from=$1 onto=$2
	shift 2
	command -v unshare >/dev/null || return 125
	unshare -m --propagation private true 2>/dev/null || return 125
	unshare -m --propagation private bash -c '
		from=$1 onto=$2
		shift 2
		mount -t overlay overlay -o "lowerdir=$from:$onto" "$onto" 2>/dev/null ||
			mount --bind "$from" "$onto" || exit 125
		exec "$@"' eco-overlay "$from" "$onto" "$@"
}

mounted_at() { # DIR
	awk -v m="$1" '$5 == m && / - fuse\.pmemfs / { f = 1 } END { exit !f }' /proc/self/mountinfo
}
