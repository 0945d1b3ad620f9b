# SPDX-License-Identifier: MIT
# Helpers for the e2e guest's case scripts (sourced before each one).

# mark NAME...: a console line the host waits for
mark() {
	echo "E2E-MARK $E2E_NONCE $*"
}

# waitdev PATH [SECONDS]: wait for a device node (drivers probe async)
waitdev() {
	n=$((${2:-10} * 10))
	while [ ! -e "$1" ]; do
		n=$((n - 1))
		if [ "$n" -le 0 ]; then
			echo "E2E-FAIL no $1 after ${2:-10} s" >&2
			dmesg | tail -n 20 >&2
			return 1
		fi
		sleep 0.1
	done
}

# section NAME COMMAND...: COMMAND's output between marks NAME-begin and
# NAME-end, for the host to pick out of the console
section() {
	_name=$1
	shift
	mark "$_name-begin"
	"$@"
	mark "$_name-end"
}
