#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fill the label area of a fresh region file with N raw namespaces.

For the label-scaling rows of bench/run.sh (issue 16 item 8): the file is
made by `pmemctl create-region` (empty area, any size and version); this
writes N labels into slots 0..N-1 of the current index (nlabel 1, the
version's default cookie, lbasize 512, names "gN", consecutive ranges of
SIZE bytes from dpa 0), marks them used and rewrites that index block
with its checksum, as a guest kernel would leave them. N "max" fills
every slot.

  lsagen.py FILE LSA_SIZE N [SIZE]        (SIZE default 4096)
"""
import struct
import sys
import uuid

COOKIE = {1: 0x2468AC00123456, 2: 0xBA90120012B4DC}
PMEM_GUID = bytes.fromhex("79d3f066f3b47440ac430d3318b78cdb")


def fletcher64(buf, skip):
    lo = hi = 0
    for (w,) in struct.iter_unpack("<I", buf):
        lo = (lo + w) & 0xFFFFFFFF
        hi = (hi + lo) & 0xFFFFFFFF
    # the checksum field (at skip) must be zero in buf
    return (hi << 32) | lo


def num(s):
    """a size: bytes, or with K, M or G"""
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(s[-1:].upper(), 1)
    return int(s[:-1] if mult > 1 else s, 0) * mult


def main():
    path, lsa_size, n = sys.argv[1], num(sys.argv[2]), sys.argv[3]
    size = num(sys.argv[4]) if len(sys.argv) > 4 else 4096
    with open(path, "r+b") as f:
        f.seek(0, 2)
        off = f.tell() - lsa_size
        f.seek(off)
        area = bytearray(f.read(lsa_size))
    if area[:16] != b"NAMESPACE_INDEX\0":
        sys.exit("lsagen: no index block 0 at the start of the area")
    isize, labeloff, nslot = (struct.unpack_from("<Q", area, 32)[0],
                              struct.unpack_from("<Q", area, 48)[0],
                              struct.unpack_from("<I", area, 56)[0])
    minor = struct.unpack_from("<H", area, 62)[0]
    seq = [struct.unpack_from("<I", area, i * isize + 20)[0] & 3 for i in (0, 1)]
    nxt = {1: 2, 2: 3, 3: 1}
    cur = 1 if nxt.get(seq[0]) == seq[1] else 0
    ls = 256 if minor >= 2 else 128
    n = nslot if n == "max" else int(n)
    if n > nslot:
        sys.exit("lsagen: %d labels do not fit in %d slots" % (n, nslot))
    base = uuid.uuid4().bytes
    for s in range(n):
        o = labeloff + s * ls
        lab = bytearray(ls)
        lab[0:16] = base[:12] + struct.pack(">I", s)
        name = b"g%d" % s
        lab[16:16 + len(name)] = name
        struct.pack_into("<IHHQQQQI", lab, 80, 0, 1, 0, COOKIE[minor], 512,
                         s * size, size, s)
        if ls == 256:
            lab[128:144] = PMEM_GUID
            struct.pack_into("<Q", lab, 248, fletcher64(lab, 248))
        area[o:o + ls] = lab
    io = cur * isize
    for s in range(n):
        area[io + 72 + s // 8] &= ~(1 << (s % 8)) & 0xFF
    struct.pack_into("<Q", area, io + 64, 0)
    struct.pack_into("<Q", area, io + 64, fletcher64(area[io:io + isize], 64))
    with open(path, "r+b") as f:
        f.seek(off)
        f.write(area)
    print("%d labels of %d bytes in %d slots (v1.%d, index %d)" % (n, size, nslot, minor, cur))


main()
