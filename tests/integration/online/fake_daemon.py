#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A stand-in pmemfs daemon of another version, for version_skew.sh,
round_trips.sh and baseline_skew.sh.

    fake_daemon.py SOCKET MODE
    fake_daemon.py SOCKET nobaseline REAL_SOCKET

Listens on SOCKET (AF_UNIX, SOCK_SEQPACKET) and answers one client, as a
daemon of another version would: the VERSION request with protocol 1,
then every other request by MODE:
  older   an error reply EINVAL "unknown attribute 31", as a daemon older
          than pmemctl refuses an attribute it does not know
  newer   the VERSION reply already carries attribute 120, which this
          pmemctl does not know, as a newer daemon's reply would
  nohealth  a daemon before the health command: LIST gives one region
          (region0), HEALTH is refused EOPNOTSUPP "unknown command 17" as
          such a daemon refuses a command it does not know (step 4)
  proto2  a daemon of control protocol 2: VERSION says so, every other
          request is refused EPROTONOSUPPORT as a real daemon refuses a
          request of another version (step 4 of the checks)
  nobaseline  a daemon before the baseline command, made of a real one:
          every request goes on to the daemon at REAL_SOCKET (any number
          of clients, each on a connection of its own there) and every
          reply comes back, but a BASELINE request (command 18) goes as
          command 99, which the real daemon refuses EOPNOTSUPP "unknown
          command 99" as an older daemon refuses command 18, and a
          POWER_FAIL request with flag 'owned' (bit 13) gets bit 31 too,
          which the real daemon refuses EINVAL "unknown flags" as an
          older daemon refuses bit 13
Prints "listening" once the socket is bound.
"""
import socket
import struct
import sys
import threading

FAMILY = 0x504D
CMD_VERSION = 1
A_ERRNO, A_ERRMSG, A_PROTO_VERSION, A_DAEMON_VERSION, A_MOUNT = 1, 2, 3, 4, 5


def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)


def message(cmd, seq, attrs, flags=0):
    body = struct.pack("=BBH", cmd, 1, 0) + b"".join(attrs)
    return struct.pack("=IHHII", 16 + len(body), FAMILY, flags, seq, 0) + body


NLM_F_MULTI, NLMSG_DONE, CMD_LIST, CMD_HEALTH, A_REGION_INFO = 2, 3, 2, 16, 16


CMD_BASELINE, CMD_UNKNOWN = 18, 99
CMD_POWER_FAIL, A_FLAGS, F_OWNED, F_UNKNOWN = 12, 12, 1 << 13, 1 << 31


def mark_owned(pkt, off, end):
    """The POWER_FAIL message at pkt[off:end]: a flags attribute with
    'owned' gets an unknown bit as well, in place."""
    a = off + 20    # netlink header 16, genetlink header 4
    while a + 4 <= end:
        n, t = struct.unpack_from("=HH", pkt, a)
        if n < 4:
            break
        if t == A_FLAGS and n == 8:
            f = struct.unpack_from("=I", pkt, a + 4)[0]
            if f & F_OWNED:
                struct.pack_into("=I", pkt, a + 4, f | F_UNKNOWN)
        a += (n + 3) & ~3


def pump(src, dst, rewrite):
    """Packets from src to dst (when rewrite, every netlink message's
    command 18 made 99 and flag 'owned' refused) until src closes; then dst
    is shut down."""
    try:
        while True:
            pkt = bytearray(src.recv(1 << 20))
            if not pkt:
                break
            off = 0
            while rewrite and off + 20 <= len(pkt):
                n = struct.unpack_from("=I", pkt, off)[0]
                if pkt[off + 16] == CMD_BASELINE:
                    pkt[off + 16] = CMD_UNKNOWN
                elif pkt[off + 16] == CMD_POWER_FAIL:
                    mark_owned(pkt, off, min(off + n, len(pkt)))
                off += max((n + 3) & ~3, 20)
            dst.send(bytes(pkt))
    except OSError:
        pass
    for sock in (dst, src):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def proxy(srv, real):
    while True:
        conn, _ = srv.accept()
        up = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        up.connect(real)
        threading.Thread(target=pump, args=(conn, up, True), daemon=True).start()
        threading.Thread(target=pump, args=(up, conn, False), daemon=True).start()


def main():
    path, mode = sys.argv[1], sys.argv[2]
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    srv.bind(path)
    srv.listen(8)
    print("listening", flush=True)
    if mode == "nobaseline":
        proxy(srv, sys.argv[3])
        return
    conn, _ = srv.accept()
    try:
        serve(conn, mode)
    except (BrokenPipeError, ConnectionResetError):
        # the client left with a reply unread: pmemctl refuses a daemon
        # of another version once it has read the VERSION reply
        pass


def serve(conn, mode):
    while True:
        req = conn.recv(65536)
        if not req:
            return
        seq = struct.unpack_from("=I", req, 8)[0]
        cmd = req[16]
        if cmd == CMD_VERSION:
            proto = 2 if mode == "proto2" else 1
            attrs = [attr(A_PROTO_VERSION, struct.pack("=I", proto)),
                     attr(A_DAEMON_VERSION, b"0.0-fake\0"),
                     attr(A_MOUNT, b"/fake\0")]
            if mode == "newer":
                attrs.append(attr(120, struct.pack("=I", 7)))
            conn.send(message(cmd, seq, attrs))
        elif mode == "nohealth" and cmd == CMD_LIST:
            region = attr(A_REGION_INFO | 0x8000, attr(1, b"region0\0"))
            conn.send(message(cmd, seq, [region], NLM_F_MULTI))
            conn.send(struct.pack("=IHHIIi", 20, NLMSG_DONE, NLM_F_MULTI, seq, 0, 0))
        elif mode == "nohealth":
            conn.send(message(cmd, seq, [attr(A_ERRNO, struct.pack("=I", 95)),
                                         attr(A_ERRMSG, b"unknown command 17\0")]))
        elif mode == "proto2":
            conn.send(message(cmd, seq, [
                attr(A_ERRNO, struct.pack("=I", 93)),
                attr(A_ERRMSG, b"protocol version 1 is not supported "
                     b"(this side speaks version 2)\0")]))
        else:
            conn.send(message(cmd, seq, [attr(A_ERRNO, struct.pack("=I", 22)),
                                         attr(A_ERRMSG, b"unknown attribute 31\0")]))


if __name__ == "__main__":
    main()
