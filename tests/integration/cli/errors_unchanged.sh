#!/bin/bash
# SPDX-License-Identifier: MIT
# A command that fails leaves the region file byte for byte as it was:
# usage errors, bad values, refused names, ENOSPC, unknown namespaces,
# init-labels without -f.
. "$PMEMFS_TESTLIB"
set -e

R=$T/r.img
"$PMEMCTL" create-region --size 32M "$R" >/dev/null
"$PMEMCTL" create-namespace --file "$R" -s 8M -n keep >/dev/null
"$PMEMCTL" create-namespace --file "$R" -s 4M -n other >/dev/null
cp "$R" "$T/orig.img"

check() { # CODE ARGS...: expect CODE, then the file must be unchanged
	local code=$1
	shift
	expect_exit "$code" "$PMEMCTL" "$@"
	assert_eq "" "$out" "'$*' printed on stdout"
	[ -n "$err" ] || fail "'$*' failed without a message"
	case "$err" in
	"pmemctl "*) ;;
	*) fail "'$*': message does not start with 'pmemctl <command>': $err" ;;
	esac
	cmp "$R" "$T/orig.img" || fail "'$*' changed the region file"
}

check 129 create-namespace --file "$R" --bogus
check 129 create-namespace --file "$R" -s
check 129 destroy-namespace --file "$R"
check 129 rename-namespace --file "$R" keep
check 234 create-namespace --file "$R" -s 12Z
check 234 create-namespace --file "$R" -s 3M
check 234 create-namespace --file "$R" -s 2M -a 6M
check 234 create-namespace --file "$R" -s 2M -n "bad/name"
check 234 create-namespace --file "$R" -s 2M -n all
check 234 create-namespace --file "$R" -s 2M -u 1234
check 234 create-namespace --file "$R" -s 2M --label-size 12Q
check 239 create-namespace --file "$R" -s 2M -n keep
check 228 create-namespace --file "$R" -s 64M
check 254 destroy-namespace --file "$R" nosuch
check 254 destroy-namespace --file "$R" keep nosuch
check 254 rename-namespace --file "$R" nosuch new
check 239 rename-namespace --file "$R" keep other
check 234 rename-namespace --file "$R" keep "."
check 239 init-labels --file "$R"
check 239 init-labels --file "$R" -V 1.1
check 239 create-region --size 32M "$R"
check 234 create-region --size 1Q "$R"
check 161 enable-namespace --file "$R" keep
echo "PASS: $TEST_NAME"
