#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""subscribe: a Redis channel subscriber for the tests, one message a line.

Usage: subscribe.py PORT PASSWORD CHANNEL OUTPUT

Speaks RESP over a plain socket (no client library needed): AUTH, then
SUBSCRIBE; writes "subscribed" to OUTPUT when Redis confirms, then every
message on its own line, flushed at once, until killed."""
import socket
import sys


def command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


class Reader:
    def __init__(self, sock):
        self.s = sock
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l

    def exact(self, n):
        while len(self.buf) < n + 2:
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        v, self.buf = self.buf[:n], self.buf[n + 2:]
        return v

    def reply(self):
        l = self.line()
        t, rest = l[:1], l[1:]
        if t in (b"+", b"-", b":"):
            return rest
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self.exact(n)
        if t == b"*":
            return [self.reply() for _ in range(int(rest))]
        raise ValueError(l)


def main():
    port, pw, chan, path = sys.argv[1:5]
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=None)
    r = Reader(s)
    out = open(path, "wb", buffering=0)
    s.sendall(command("AUTH", pw))
    r.reply()
    s.sendall(command("SUBSCRIBE", chan))
    r.reply()
    out.write(b"subscribed\n")
    try:
        while True:
            m = r.reply()
            if isinstance(m, list) and len(m) == 3 and m[0] == b"message":
                out.write(m[2] + b"\n")
    except EOFError:
        pass


if __name__ == "__main__":
    main()
