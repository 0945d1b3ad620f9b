#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Stand-in for systemd's notification socket (NOTIFY_SOCKET).

    notify_listen.py PATH TIMEOUT

Binds an AF_UNIX datagram socket at PATH, prints "listening", then every
assignment of every message received, one per line (READY=1, STOPPING=1,
...), flushed at once. Exits 0 after STOPPING=1, 1 after TIMEOUT seconds.
"""
import socket
import sys
import time


def main():
    path, timeout = sys.argv[1], float(sys.argv[2])
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    print("listening", flush=True)
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            print("timeout", flush=True)
            return 1
        s.settimeout(left)
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        lines = data.decode("utf-8", "replace").split("\n")
        for line in lines:
            if line:
                print(line, flush=True)
        if "STOPPING=1" in lines:
            return 0


if __name__ == "__main__":
    sys.exit(main())
