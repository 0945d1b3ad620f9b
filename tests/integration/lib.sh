# SPDX-License-Identifier: MIT
# Shared helpers for integration tests (bash). Source it:
#   . "$PMEMFS_TESTLIB"
# Provides: $PMEMCTL, $PMEMFS (built binaries), $T (a fresh temp dir removed
# on exit), fail/skip/assert helpers, and run_cmd to capture exit code,
# stdout and stderr of a command.
set -u

PMEMCTL=${PMEMCTL:-$PMEMFS_BUILD_ROOT/tools/pmemctl}
PMEMFS=${PMEMFS:-$PMEMFS_BUILD_ROOT/src/pmemfs}
T=$(mktemp -d /tmp/pmemfs-test.XXXXXX)
# the caller's TMPDIR does not move the temporary files of the programs
# under test (crash-test's copies): the tests look for them in /tmp
unset TMPDIR
TEST_NAME=$(basename "$0")

# Functions registered with at_exit run (last first) before $T is removed.
_exit_hooks=()
at_exit() { _exit_hooks+=("$*"); }
_cleanup() {
	local i
	for ((i = ${#_exit_hooks[@]} - 1; i >= 0; i--)); do
		eval "${_exit_hooks[$i]}" || true
	done
	rm -rf "$T"
}
trap _cleanup EXIT

fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $TEST_NAME: $*" >&2
	exit 77
}

# run_cmd CMD...: sets $rc, $out, $err (stdout/stderr of CMD)
run_cmd() {
	set +e
	"$@" >"$T/.out" 2>"$T/.err"
	rc=$?
	set -e
	out=$(cat "$T/.out")
	err=$(cat "$T/.err")
}

assert_eq() { # expected actual what
	[ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

assert_contains() { # haystack needle what
	case "$1" in
	*"$2"*) ;;
	*) fail "$3: '$2' not in: $1" ;;
	esac
}

assert_not_contains() { # haystack needle what
	case "$1" in
	*"$2"*) fail "$3: '$2' in: $1" ;;
	esac
}

# expect_exit CODE CMD...: run CMD, check its exit code, keep $out/$err
expect_exit() {
	local want=$1
	shift
	run_cmd "$@"
	[ "$rc" = "$want" ] ||
		fail "'$*' exited $rc, expected $want (stderr: $err)"
}

# json_get JSON EXPR: evaluate a jq expression on JSON text
json_get() {
	printf '%s' "$1" | jq -r "$2"
}

need_fuse() {
	[ -c /dev/fuse ] || skip "no /dev/fuse on this machine"
	command -v fusermount3 >/dev/null || skip "fusermount3 not installed"
}
