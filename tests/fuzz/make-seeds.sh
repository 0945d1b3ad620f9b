#!/bin/bash
# SPDX-License-Identifier: MIT
# Regenerate the committed seed corpora of the fuzz targets that are not
# made by hand (tests/fuzz/corpus/{region,util,options,mountinfo}):
#   tests/fuzz/make-seeds.sh BUILDDIR
# region: the reference label areas (tests/data, see its README) and label
# areas pmemctl writes, each behind region_fuzz's 4-byte header (see
# region_fuzz.c), trailing zero bytes cut (the target pads with zeroes).
set -eu
build=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
testdata=${PMEMFS_TESTDATA:-$here/../data}
pmemctl=$build/tools/pmemctl
out=$here/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$out/region" "$out/util" "$out/options" "$out/mountinfo"

# seed NAME FLAGS PAGES OP LSAFILE: header + LSA without its zero tail
seed() {
	python3 - "$out/region/$1" "$2" "$3" "$4" "$5" <<'PY'
import sys
path, flags, pages, op, lsa = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0), int(sys.argv[4], 0), sys.argv[5]
b = open(lsa, 'rb').read().rstrip(b'\0')
open(path, 'wb').write(bytes([flags, pages & 0xff, pages >> 8, op]) + b)
PY
}

# the last LSA bytes of a region file
lsa_of() { # REGION BYTES OUT
	tail -c "$2" "$1" >"$3"
}

for f in nmem1.bin nmem2.bin qemu-guest-v1.1-fsdax.lsa qemu-guest-v1.2-fsdax.lsa; do
	seed "ref-$f" 0x00 0x3ff 0 "$testdata/$f"
	seed "ref-$f-given" 0x01 0x200 0 "$testdata/$f"
	seed "ref-$f-create" 0x10 0x3ff 0x00 "$testdata/$f"
done
seed "ref-v1.2-destroy" 0x14 0x3ff 0x05 "$testdata/qemu-guest-v1.2-fsdax.lsa"

# regions written by pmemctl, v1.2 and v1.1, with some history
mk() { # NAME SIZE VERSION LABELSIZE
	"$pmemctl" create-region --size "$2" -V "$3" --label-size "$4" "$tmp/$1" >/dev/null
}
# (data areas under 4 MiB: region_fuzz's limit)
mk a 4M 1.2 128K
"$pmemctl" create-namespace --file "$tmp/a" -s 1M -a 4K -n vm1 >/dev/null
"$pmemctl" create-namespace --file "$tmp/a" -s 8K -a 4K -n small >/dev/null
"$pmemctl" create-namespace --file "$tmp/a" -s 64K -a 4K -n gone >/dev/null
"$pmemctl" create-namespace --file "$tmp/a" -s 512K -a 4K -n ro --read-only >/dev/null
"$pmemctl" destroy-namespace --file "$tmp/a" gone >/dev/null
"$pmemctl" rename-namespace --file "$tmp/a" vm1 vm2 >/dev/null
lsa_of "$tmp/a" 131072 "$tmp/a.lsa"
pages=$(((4 * 1048576 - 131072) / 4096))
seed pmemctl-v1.2 0x00 $pages 0 "$tmp/a.lsa"
seed pmemctl-v1.2-create 0x10 $pages 0x08 "$tmp/a.lsa"
seed pmemctl-v1.2-create4k 0x10 $pages 0x09 "$tmp/a.lsa"
seed pmemctl-v1.2-rename 0x10 $pages 0x0a "$tmp/a.lsa"
seed pmemctl-v1.2-ro 0x10 $pages 0x0b "$tmp/a.lsa"
seed pmemctl-v1.2-destroy 0x10 $pages 0x04 "$tmp/a.lsa"
seed pmemctl-v1.2-destroyheld 0x10 $pages 0x0d "$tmp/a.lsa"
seed pmemctl-v1.2-init 0x10 $pages 0x2e "$tmp/a.lsa"

mk b 4M 1.1 128K
"$pmemctl" create-namespace --file "$tmp/b" -s 2M -n one >/dev/null
"$pmemctl" create-namespace --file "$tmp/b" -s 1M -a 4K >/dev/null
lsa_of "$tmp/b" 131072 "$tmp/b.lsa"
pages=$(((4 * 1048576 - 131072) / 4096))
seed pmemctl-v1.1 0x00 $pages 0 "$tmp/b.lsa"
seed pmemctl-v1.1-create 0x10 $pages 0x00 "$tmp/b.lsa"
seed pmemctl-v1.1-destroy 0x10 $pages 0x05 "$tmp/b.lsa"

mk c 4M 1.2 256K
"$pmemctl" create-namespace --file "$tmp/c" -s 2M -n big >/dev/null
lsa_of "$tmp/c" 262144 "$tmp/c.lsa"
pages=$(((4 * 1048576 - 262144) / 4096))
seed pmemctl-256k 0x20 $pages 0 "$tmp/c.lsa"
seed pmemctl-256k-given 0x22 $pages 0 "$tmp/c.lsa"
seed pmemctl-256k-create 0x30 $pages 0x10 "$tmp/c.lsa"

# util: size strings and names
i=0
for s in 0 1 4096 2M 2MiB 2MB 4G 4GiB 1T 512B 512k 18446744073709551615 \
	18446744073709551616 16777216T -1 4X "" 0x10 " 4G" 4GiBx vm1 all . .. \
	namespace0.1 a/b 9e3e5b3c-6d4f-4b1e-9b1a-2f3c4d5e6f70; do
	printf '%s' "$s" >"$out/util/s$i"
	i=$((i + 1))
done

# options: argv words separated by NUL (pmemfs's own parser)
opt() { # NAME WORDS...
	local n=$1
	shift
	printf '%s\0' "$@" >"$out/options/$n"
}
opt basic -f region.img /mnt/pmem
opt all -o uid=1000,gid=1000,mode=0640,allow_other,label_size=256K -o \
	dirty_ratio=40,readahead_kb=512,strict_limit=1,backing=buffered,flush_threads=2,splice=off \
	-o ctl=/run/x.sock,ctl_group=kvm -d -s a.img b.img /mnt
opt mount -o rw,dev,suid,nosuid,default_permissions r.img /m
opt bad -o label_size=12Q,uid=x,mode=999 --bogus r.img
opt passthrough -o passthrough=on -o passthrough=auto,passthrough=off,passthrough=x r.img /m
opt help --help
opt version -V

# mountinfo lines (the CLI's mount discovery, the daemon's bdi lookup)
cat >"$out/mountinfo/typical" <<'EOF'
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
41 22 0:45 / /mnt/pmem rw,nosuid,nodev,relatime shared:30 - fuse.pmemfs /var/lib/pmem/region0.img rw,user_id=0,group_id=0,default_permissions
42 22 0:46 / /mnt/with\040space rw,nosuid,nodev,relatime - fuse.pmemfs /r\134x.img rw,user_id=1000,group_id=1000
43 41 0:45 / /mnt/bind rw - fuse.pmemfs /var/lib/pmem/region0.img rw,user_id=0
EOF
# stacked mounts on one mount point (the daemon's bdi lookup takes the top)
cat >"$out/mountinfo/stacked" <<'EOF'
22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
60 22 0:50 / /mnt/my\040pmem rw,nosuid,nodev,relatime shared:30 - fuse.pmemfs /srv/r\040a.img rw,user_id=1000,group_id=1000
61 60 0:51 / /mnt/my\040pmem rw,nosuid,nodev,relatime shared:31 - fuse.pmemfs /srv/b.img rw,user_id=0,group_id=0
62 22 0:50 / /srv/bind rw,relatime shared:30 - fuse.pmemfs /srv/r\040a.img rw,user_id=1000,group_id=1000
EOF
printf '1 2 0:5 / /m rw - fuse.pmemfs\n' >"$out/mountinfo/short"
printf '1 2 99999999999:1 / /m rw - fuse.pmemfs s rw,user_id=99999999999\n' >"$out/mountinfo/big"
echo "seeds written under $out"
