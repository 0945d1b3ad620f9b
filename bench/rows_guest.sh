# SPDX-License-Identifier: MIT
# The bench's rows about what a VM's flushes and a host's probes cost
# (sourced by bench/run.sh after the msync rows, with its variables and
# bench/lib.sh):
#   fsync  a store through a mapping of which all MIB are in the page
#          cache, then fsync(fd): how QEMU answers a virtio-pmem guest's
#          flush; on pmemfs one FUSE FSYNC each, on dir too (a mapping
#          passed through still sends fsync(fd) to the daemon)
#   stat   stat(2) of the file: namespace files of a region directory have
#          attribute timeout 0 (each stat is a GETATTR), the region file's
#          are cached
if want fsync; then
	declare -A F=()
	for ((r = 0; r < REPS; r++)); do
		for s in $(order "$r"); do
			f=$(file_of "$s")
			[ "$f" != - ] && [ "$s" != pt ] || continue
			drop_caches
			read -r a b <<<"$("$PMBENCH" fsynclat "$f" $LAT_N $MIB)"
			F[$s.50]+=" $a" F[$s.99]+=" $b"
		done
	done
	fmed() { median <<<"${F[$1]:-}"; }
	sj=$(samples_json plain_p50 "${F[plain.50]}" plain_p99 "${F[plain.99]}" \
		pmemfs_p50 "${F[pmemfs.50]}" pmemfs_p99 "${F[pmemfs.99]}" \
		dir_p50 "${F[dir.50]:-}" dir_p99 "${F[dir.99]:-}")
	row fsync_p50 "(info) store via mmap + fsync(fd), $MIB MiB cached, p50" us \
		"$(fmed plain.50)" "$(fmed pmemfs.50)" "" \
		"$(ratio "$(fmed pmemfs.50)" "$(fmed plain.50)")" "" "" \
		"QEMU's answer to a virtio-pmem guest's flush; every page of the $MIB MiB mapped and cached" "$sj" \
		"$(fmed dir.50)" "$(ratio "$(fmed dir.50)" "$(fmed plain.50)")" "" ""
	row fsync_p99 "(info) store via mmap + fsync(fd), $MIB MiB cached, p99" us \
		"$(fmed plain.99)" "$(fmed pmemfs.99)" "" \
		"$(ratio "$(fmed pmemfs.99)" "$(fmed plain.99)")" "" "" "" "$sj" \
		"$(fmed dir.99)" "$(ratio "$(fmed dir.99)" "$(fmed plain.99)")" "" ""
fi
if want stat; then
	declare -A S=()
	for ((r = 0; r < REPS; r++)); do
		for s in $(order "$r"); do
			f=$(file_of "$s")
			[ "$f" != - ] && [ "$s" != pt ] || continue
			read -r a b <<<"$("$PMBENCH" statlat "$f" $((LAT_N * 10)))"
			S[$s.50]+=" $a" S[$s.99]+=" $b"
		done
	done
	smed() { median <<<"${S[$1]:-}"; }
	row stat_p50 "(info) stat(2) of the file, p50" us \
		"$(smed plain.50)" "$(smed pmemfs.50)" "" \
		"$(ratio "$(smed pmemfs.50)" "$(smed plain.50)")" "" "" \
		"$((LAT_N * 10)) stats in a row; p99: plain $(fmt "$(smed plain.99)"), pmemfs $(fmt "$(smed pmemfs.99)"), dir $(fmt "$(smed dir.99)") us" \
		"$(samples_json plain_p50 "${S[plain.50]}" pmemfs_p50 "${S[pmemfs.50]}" dir_p50 "${S[dir.50]:-}")" \
		"$(smed dir.50)" "$(ratio "$(smed dir.50)" "$(smed plain.50)")" "" ""
fi
