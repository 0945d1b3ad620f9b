#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Folio sizes in a file's page cache, and the faults a phase takes.

    folios.py FILE PHASE [PHASE...]     (root: PFNs and /proc/kpageflags)

Phases run in order on FILE (all of it):
  read      read(2) it whole, 1 MiB at a time
  mmapseq   MAP_SHARED, store into every page in 1 MiB memcpys, msync
  hugeseq   mmapseq with madvise(MADV_HUGEPAGE) on the mapping first
  mmaprand  MAP_SHARED, one 8-byte store into each 4 KiB page in random
            order, msync
  drop      fsync, posix_fadvise(DONTNEED) (clean pages leave the cache;
            under FUSE passthrough the backing file's stay)
After each phase: minor/major faults the phase took (getrusage), and the
histogram of the folios the file's resident pages belong to (a read of
each resident page through a private read-only mapping finds its PFN in
/proc/self/pagemap; COMPOUND_HEAD/TAIL in /proc/kpageflags give the folio
size). One line of JSON per phase on stdout.

Used for issue 19 (docs/durability.md, "The FUSE page cache: why
passthrough, not large folios or io_uring"): which INIT settings give a
FUSE file large folios. bench/probes/fuse_probe.sh runs it.
"""
import ctypes
import json
import mmap
import os
import random
import resource
import sys
import time

PAGE = os.sysconf("SC_PAGE_SIZE")
KPF_COMPOUND_HEAD = 1 << 15
KPF_COMPOUND_TAIL = 1 << 16
MIB = 1 << 20


def faults():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_minflt, r.ru_majflt


LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.mmap.restype = ctypes.c_void_p
LIBC.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                      ctypes.c_int, ctypes.c_int, ctypes.c_long]
LIBC.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
LIBC.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]


def map_ro(fd, size):
    p = LIBC.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
    if p in (None, ctypes.c_void_p(-1).value):
        raise OSError(ctypes.get_errno(), "mmap")
    return p


def histogram(fd, size):
    """{folio pages: count} over the resident pages, and the resident count"""
    npages = (size + PAGE - 1) // PAGE
    p = map_ro(fd, size)
    try:
        vec = ctypes.create_string_buffer(npages)
        if LIBC.mincore(p, size, vec) != 0:
            raise OSError(ctypes.get_errno(), "mincore")
        pages = [i for i, b in enumerate(vec.raw) if b & 1]
        for i in pages:         # a read fault maps the cached folio
            ctypes.c_char.from_address(p + i * PAGE).value
        pm = os.open("/proc/self/pagemap", os.O_RDONLY)
        raw = os.pread(pm, 8 * npages, (p // PAGE) * 8)
        os.close(pm)
    finally:
        LIBC.munmap(p, size)
    pfn = {}
    for i in pages:
        e = int.from_bytes(raw[8 * i:8 * i + 8], "little")
        if e & (1 << 63):       # present
            pfn[i] = e & ((1 << 55) - 1)
    kf = os.open("/proc/kpageflags", os.O_RDONLY)
    hist = {}
    run = 0                     # pages of the current folio seen so far
    prev = None
    for i in sorted(pfn):
        fl = int.from_bytes(os.pread(kf, 8, pfn[i] * 8), "little")
        if (fl & KPF_COMPOUND_TAIL and run and i == prev + 1 and
                pfn[i] == pfn[prev] + 1):
            run += 1
        else:
            if run:
                hist[run] = hist.get(run, 0) + 1
            run = 1
        prev = i
    if run:
        hist[run] = hist.get(run, 0) + 1
    os.close(kf)
    return dict(sorted(hist.items())), len(pages)


def phase(fd, size, name):
    t0 = time.monotonic()
    f0 = faults()
    if name == "read":
        off = 0
        while off < size:
            n = len(os.pread(fd, MIB, off))
            if n == 0:
                break
            off += n
    elif name in ("mmapseq", "hugeseq", "mmaprand"):
        m = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        if name == "hugeseq":
            m.madvise(mmap.MADV_HUGEPAGE)
        if name != "mmaprand":
            buf = b"\xa5" * MIB
            for off in range(0, size, MIB):
                n = min(MIB, size - off)
                m[off:off + n] = buf[:n]
        else:
            idx = list(range(size // PAGE))
            random.Random(1).shuffle(idx)
            for i in idx:
                m[i * PAGE:i * PAGE + 8] = b"\x5a" * 8
        m.flush()               # msync(MS_SYNC)
        m.close()
    elif name == "drop":
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    else:
        sys.exit("folios.py: unknown phase '%s'" % name)
    f1 = faults()
    secs = time.monotonic() - t0
    hist, nres = histogram(fd, size)
    gib = size / (1 << 30)
    return {"phase": name, "seconds": round(secs, 3),
            "minflt": f1[0] - f0[0], "majflt": f1[1] - f0[1],
            "minflt_per_gib": round((f1[0] - f0[0]) / gib),
            "resident_pages": nres,
            "folio_pages_hist": hist,
            "largest_folio_kib": max(hist) * PAGE // 1024 if hist else 0}


def main():
    if len(sys.argv) < 3 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0 if len(sys.argv) > 1 else 2)
    path = sys.argv[1]
    fd = os.open(path, os.O_RDWR)
    size = os.fstat(fd).st_size
    for name in sys.argv[2:]:
        r = phase(fd, size, name)
        r["file"] = path
        print(json.dumps(r), flush=True)
    os.close(fd)


if __name__ == "__main__":
    main()
