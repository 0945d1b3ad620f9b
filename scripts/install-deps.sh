#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs everything pmemfs needs to build, run its demo and run its tests
# on a fresh Debian 12 machine. Idempotent; run as root.
#   scripts/install-deps.sh          build + demo dependencies
#   scripts/install-deps.sh --tests  also what the test suites need
set -eu

want_tests=0
[ "${1:-}" = "--tests" ] && want_tests=1

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: must run as root (it calls apt-get)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

build_pkgs="build-essential meson ninja-build pkg-config
	libfuse3-dev fuse3 libpmem2-dev libnl-3-dev libnl-genl-3-dev
	libjson-c-dev uuid-dev libsystemd-dev xxd"
test_pkgs="libcmocka-dev python3 jq clang util-linux e2fsprogs fio valgrind libclang-rt-14-dev"

pkgs=$build_pkgs
[ "$want_tests" -eq 1 ] && pkgs="$pkgs $test_pkgs"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done

if [ -n "$missing" ]; then
	echo "install-deps: installing:$missing"
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
else
	echo "install-deps: all packages present"
fi
