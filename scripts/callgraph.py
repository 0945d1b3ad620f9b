#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The graph of calls between the project's .c files, and its cycles.

Read from the built objects: for every static library and program built
from src/ and tools/ (meson's build/meson-info/intro-targets.json names
them), `nm` lists each object's defined global symbols and the symbols it
uses; an edge a.c -> b.c means a.c uses (calls, or reads a variable of)
something b.c defines. Static functions and header inlines are inside one
file and make no edge. A cycle is a strongly connected set of two or more
files: each reaches every other through calls.

  scripts/callgraph.py [--build DIR] [--list] [--symbols] [--max N]

Default: the edges (file -> file: the symbols), then the cycles with the
edges inside each. --list: the cycles only, one a line ("a.c <-> b.c").
--symbols: name every symbol of every edge (default: the first three).
Exit status: 0 without cycles; 1 with cycles (with --max N: 1 only when
there are more than N, so a test can keep today's count from growing);
2 on a usage or build-directory error. Needs the build (ninja -C build).
"""
import argparse
import json
import os
import subprocess
import sys

FOLDERS = ('src', 'tools')	# the project's code; tests, bench, contrib not


def die(msg):
    print('callgraph: ' + msg, file=sys.stderr)
    sys.exit(2)


def targets(build, root):
    """[(name, [(source relative to root, object path)])]"""
    path = os.path.join(build, 'meson-info', 'intro-targets.json')
    try:
        with open(path) as f:
            intro = json.load(f)
    except (OSError, ValueError) as e:
        die('%s: %s (run meson setup and ninja first)' % (path, e))
    out = []
    for t in intro:
        if t['type'] not in ('executable', 'static library', 'shared library'):
            continue
        srcs = [s for g in t.get('target_sources', [])
                for s in g.get('sources', []) if s.endswith('.c')]
        rel = [os.path.relpath(s, root) for s in srcs]
        if not rel or any(r.split(os.sep)[0] not in FOLDERS for r in rel):
            continue
        fname = t['filename'][0]
        pdir = os.path.join(os.path.dirname(fname),
                            os.path.basename(fname) + '.p')
        srcdir = os.path.relpath(os.path.dirname(fname),
                                 os.path.abspath(build))
        objs = []
        for s, r in zip(srcs, rel):
            # meson: the source's path below the target's folder, '/' -> '_'
            o = os.path.join(pdir, os.path.relpath(r, srcdir).replace(
                os.sep, '_') + '.o')
            if not os.path.exists(o):
                die('%s: no object %s (run ninja -C %s)' % (r, o, build))
            objs.append((r, o))
        out.append((t['name'], objs))
    if not out:
        die('%s: no target built from %s' % (path, ', '.join(FOLDERS)))
    return out


def nm(obj):
    """(defined global symbols, undefined symbols) of one object"""
    try:
        res = subprocess.run(['nm', '-P', obj], capture_output=True,
                             text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        die('nm %s: %s' % (obj, e))
    defs, undef = set(), set()
    for line in res.stdout.splitlines():
        f = line.split()
        if len(f) < 2:
            continue
        if f[1] in ('U', 'w', 'v'):	# undefined (weak too): used here
            undef.add(f[0])
        elif f[1].isupper() or f[1] in ('i', 'u'):	# global definitions
            defs.add(f[0])
    return defs, undef


def graph(build, root):
    """{file: {file: set(symbols)}}, with every file a key"""
    files = {}	# source -> (defs, undef, target)
    for name, objs in targets(build, root):
        for src, obj in objs:
            if src not in files:
                d, u = nm(obj)
                files[src] = (d, u, name)
    definers = {}
    for src, (d, _, _) in files.items():
        for s in d:
            definers.setdefault(s, []).append(src)
    g = {src: {} for src in files}
    for src, (_, u, _) in files.items():
        for s in u:
            by = definers.get(s)
            if not by:
                continue	# a library's (libc, libfuse, ...)
            if len(by) > 1:	# main: one per program; prefer the same folder
                same = [b for b in by if os.path.dirname(b) == os.path.dirname(src)]
                if len(same) != 1:
                    print('callgraph: %s: %s defined in %s; edge left out'
                          % (src, s, ', '.join(sorted(by))), file=sys.stderr)
                    continue
                by = same
            if by[0] != src:
                g[src].setdefault(by[0], set()).add(s)
    return g


def cycles(g):
    """strongly connected sets of 2+ files (Tarjan), each sorted, sorted"""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        # iterative, so that a long chain does not hit the recursion limit
        work = [(v, iter(sorted(g[v])))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(g[nxt]))))
                elif nxt in on:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return sorted(out)


def syms(s, every):
    s = sorted(s)
    if every or len(s) <= 3:
        return ', '.join(s)
    return '%s, ... (%d)' % (', '.join(s[:3]), len(s))


def main():
    ap = argparse.ArgumentParser(
        description='The graph of calls between .c files and its cycles.')
    ap.add_argument('--build', default=None,
                    help='meson build directory (default: build/ of the repository)')
    ap.add_argument('--list', action='store_true', help='the cycles only')
    ap.add_argument('--symbols', action='store_true',
                    help='every symbol of every edge')
    ap.add_argument('--max', type=int, default=0, metavar='N',
                    help='exit 1 only with more than N cycles (default 0)')
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = a.build or os.path.join(root, 'build')
    g = graph(build, root)
    cyc = cycles(g)

    if not a.list:
        print('# calls between .c files (%d files): a -> b: what a uses of b'
              % len(g))
        for src in sorted(g):
            for dst in sorted(g[src]):
                print('%s -> %s: %s' % (src, dst, syms(g[src][dst], a.symbols)))
        print()
        print('# cycles: %d' % len(cyc))
    for c in cyc:
        print(' <-> '.join(c))
        if not a.list:
            for src in c:
                for dst in sorted(g[src]):
                    if dst in c:
                        print('    %s -> %s: %s'
                              % (src, dst, syms(g[src][dst], a.symbols)))
    if a.list and not cyc:
        print('no cycles')
    if len(cyc) > a.max:
        if a.max:
            print('callgraph: %d cycles, more than the %d allowed'
                  % (len(cyc), a.max), file=sys.stderr)
        else:
            print('callgraph: %d cycles, none allowed' % len(cyc),
                  file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
