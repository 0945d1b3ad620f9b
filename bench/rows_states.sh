# SPDX-License-Identifier: MIT
# The bench's row about crash states (pmemctl crash-test --states; sourced
# by bench/run.sh after the control rows, with its variables and
# bench/lib.sh): states checked per second for a plain application that
# writes 1, 4, 16 or 64 pages with one write and fsyncs once (dd
# conv=fsync), crashed at that FSYNC, the checker /bin/true. 1 and 4
# pages are enumerated (2 and 16 states a crash point), 16 and 64 sampled
# (--samples 64). A state is: put it on the namespace (a control request:
# the pages, fdatasync, invalidation), run the checker, wait for it.
# Figures are the crash-test's own state_checks_per_s (the states' time only:
# the application's run and the restore between crash points are not in
# it).
if want states; then
	if [ "$HAVE_CTL" = 0 ]; then
		na_row states "crash states checked per second" states/s "needs the control socket"
	else
		"$PMEMCTL" create-namespace --mount "$MNT" -r region0 -s 4M -n cst >/dev/null ||
			die "pmemctl create-namespace --mount '$MNT' -n cst failed"
		sfile=$MNT/region0/cst
		sfig= snote=
		for np in 1 4 16 64; do
			runs=$(( np == 1 ? 32 : np == 4 ? 4 : 1 ))
			vals=
			for ((r = 0; r < REPS; r++)); do
				j=$("$PMEMCTL" crash-test --mount "$MNT" cst --mode fsync --runs $runs \
					--seed $((r + 1)) --states --samples 64 -- \
					dd if=/dev/zero of="$sfile" bs=4096 count=$np conv=notrunc,fsync \
					--check true 2>/dev/null) ||
					die "pmemctl crash-test --states of $np pages failed"
				vals+=" $(jq -r .state_checks_per_s <<<"$j")"
				st=$(jq -r .states <<<"$j")
			done
			v=$(median <<<"$vals")
			sfig+=" $v"
			snote+="$np page$([ $np = 1 ] || echo s): $v/s ($st states); "
			row states_$np "crash states checked per second, $np dirty page$([ $np = 1 ] || echo s)" \
				states/s "" "$v" "" "" "" "" \
				"checker /bin/true; $st states per sitting ($runs crash point$([ $runs = 1 ] || echo s)); median of $REPS" \
				"$(samples_json pmemfs "$vals")"
		done
		"$PMEMCTL" destroy-namespace -f --mount "$MNT" -r region0 cst >/dev/null 2>&1 || true
	fi
fi
