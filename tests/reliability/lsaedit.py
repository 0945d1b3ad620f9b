#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Edit the label area at the end of a region file, for the bad-input tests.

Fields are written little-endian at the offsets of the NVDIMM label format
(the Linux kernel's drivers/nvdimm/label.h; pmemfs: src/ns/label.h)
and the checksum of the edited block is recomputed (Fletcher64), so that a
test can make a label that is well formed but lies (a wrong slot, a range
past the end) or an index block that is valid but impossible (nslot too big).
"corrupt" flips bytes without fixing the checksum.

  lsaedit.py [--lsa-size N] FILE info
  lsaedit.py [--lsa-size N] FILE index I FIELD VALUE      (fix checksum)
  lsaedit.py [--lsa-size N] FILE label SLOT FIELD VALUE   (fix v1.2 checksum;
                                                          FIELD name: a string,
                                                          uuid: hex digits)
  lsaedit.py [--lsa-size N] FILE corrupt-index I          (checksum left bad)

info prints JSON: lsa offset, label size, index size, current index, its
seq and nslot, and the used slots of the current index.
"""
import json
import struct
import sys

INDEX_FIELDS = {  # name: (offset, struct format)
    "labelsize": (19, "<B"), "seq": (20, "<I"), "myoff": (24, "<Q"),
    "mysize": (32, "<Q"), "otheroff": (40, "<Q"), "labeloff": (48, "<Q"),
    "nslot": (56, "<I"), "major": (60, "<H"), "minor": (62, "<H"),
}
LABEL_FIELDS = {
    "flags": (80, "<I"), "nlabel": (84, "<H"), "position": (86, "<H"),
    "isetcookie": (88, "<Q"), "lbasize": (96, "<Q"), "dpa": (104, "<Q"),
    "rawsize": (112, "<Q"), "slot": (120, "<I"), "align": (124, "<B"),
}
NEXT = {0: 0, 1: 2, 2: 3, 3: 1}


def fletcher64(buf, skip):
    lo = hi = 0
    for i in range(0, len(buf), 4):
        w = 0 if skip <= i < skip + 8 else struct.unpack_from("<I", buf, i)[0]
        lo = (lo + w) & 0xFFFFFFFF
        hi = (hi + lo) & 0xFFFFFFFFFFFFFFFF
    return (hi << 32 | lo) & 0xFFFFFFFFFFFFFFFF


def best_seq(a, b):
    if a == 0 or a == b:
        return b
    if b == 0:
        return a
    return b if NEXT[a] == b else a


class Lsa:
    def __init__(self, path, lsa_size):
        self.path = path
        with open(path, "rb") as f:
            self.data = bytearray(f.read())
        self.off = len(self.data) - lsa_size
        if self.off < 0:
            sys.exit("lsaedit: file smaller than the label area")
        self.size = lsa_size
        # index size from block 0 (or 1): mysize field, else 256
        self.isize = struct.unpack_from("<Q", self.data, self.off + 32)[0] or 256
        if self.isize > lsa_size // 2:
            self.isize = 256

    def index_at(self, i):
        return self.off + i * self.isize

    def index_valid(self, i):
        o = self.index_at(i)
        b = self.data[o:o + self.isize]
        if b[:16] != b"NAMESPACE_INDEX\0":
            return False
        return struct.unpack_from("<Q", b, 64)[0] == fletcher64(b, 64)

    def current(self):
        v = [self.index_valid(i) for i in (0, 1)]
        seq = [struct.unpack_from("<I", self.data, self.index_at(i) + 20)[0] & 3
               for i in (0, 1)]
        if v[0] and v[1]:
            return 0 if best_seq(seq[0], seq[1]) == seq[0] else 1
        return 0 if v[0] else 1 if v[1] else None

    def label_size(self, i):
        o = self.index_at(i)
        minor = struct.unpack_from("<H", self.data, o + 62)[0]
        return 256 if minor >= 2 else 128

    def label_at(self, i, slot):
        o = self.index_at(i)
        labeloff = struct.unpack_from("<Q", self.data, o + 48)[0]
        return self.off + labeloff + slot * self.label_size(i)

    def fix_index(self, i):
        o = self.index_at(i)
        struct.pack_into("<Q", self.data, o + 64, 0)
        struct.pack_into("<Q", self.data, o + 64,
                         fletcher64(self.data[o:o + self.isize], 64))

    def write(self):
        with open(self.path, "r+b") as f:
            f.seek(self.off)
            f.write(self.data[self.off:])


def main():
    args = sys.argv[1:]
    lsa_size = 131072
    if args[:1] == ["--lsa-size"]:
        lsa_size = int(args[1], 0)
        args = args[2:]
    path, cmd, rest = args[0], args[1], args[2:]
    lsa = Lsa(path, lsa_size)
    cur = lsa.current()
    if cmd == "info":
        out = {"lsa_offset": lsa.off, "index_size": lsa.isize, "current": cur}
        if cur is not None:
            o = lsa.index_at(cur)
            nslot = struct.unpack_from("<I", lsa.data, o + 56)[0]
            bitmap = lsa.data[o + 72:o + lsa.isize]
            used = [s for s in range(nslot) if not bitmap[s // 8] >> (s % 8) & 1]
            out.update(label_size=lsa.label_size(cur), nslot=nslot, used=used,
                       seq=struct.unpack_from("<I", lsa.data, o + 20)[0])
        print(json.dumps(out))
        return
    if cmd == "index":
        i, field, value = int(rest[0]), rest[1], int(rest[2], 0)
        off, fmt = INDEX_FIELDS[field]
        struct.pack_into(fmt, lsa.data, lsa.index_at(i) + off, value)
        lsa.fix_index(i)
    elif cmd == "label":
        if cur is None:
            sys.exit("lsaedit: no valid index block")
        slot, field = int(rest[0]), rest[1]
        o = lsa.label_at(cur, slot)
        if field == "name":  # 64 bytes, NUL-padded (not terminated if 64 given)
            lsa.data[o + 16:o + 80] = rest[2].encode()[:64].ljust(64, b"\0")
        elif field == "uuid":  # 16 bytes, from 32 hex digits (dashes allowed)
            lsa.data[o:o + 16] = bytes.fromhex(rest[2].replace("-", ""))
        else:
            off, fmt = LABEL_FIELDS[field]
            struct.pack_into(fmt, lsa.data, o + off, int(rest[2], 0))
        if lsa.label_size(cur) == 256:
            struct.pack_into("<Q", lsa.data, o + 248, 0)
            struct.pack_into("<Q", lsa.data, o + 248,
                             fletcher64(lsa.data[o:o + 256], 248))
    elif cmd == "corrupt-index":
        o = lsa.index_at(int(rest[0]))
        lsa.data[o + 40] ^= 0xFF  # otheroff: the checksum no longer matches
    else:
        sys.exit("lsaedit: unknown command " + cmd)
    lsa.write()


main()
