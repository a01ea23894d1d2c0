#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""output-latency: packet-to-Redis latency of otsensor.

Usage: output-latency.py OTSENSOR REDIS_PORT COUNT RATE [TYPES]

TYPES is what otsensor sends (default all); the latency is measured on the
alerts when TYPES is "alert", on the Modbus records otherwise.  (A worker
wakes the output thread at once for an alert; other events wait for its
next 10 ms tick or for the queue to fill a quarter.)

Feeds otsensor a pcap on its standard input, live: each Modbus request and
its response are written the moment their timestamp (the wall clock) is
taken, RATE transactions a second.  otsensor publishes the events
(mode=channel); a subscriber in this process notes when each arrives.  The
latency of an event is its arrival time minus its timestamp, which is the
wall-clock time its packet entered otsensor's input.  Prints the count,
median, p90, p99 and max in milliseconds."""
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from datetime import datetime

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "gen"))
from pcapgen import ether, ipv4, tcp  # noqa: E402


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


class Sub(threading.Thread):
    def __init__(self, port, chan, measured):
        super().__init__(daemon=True)
        self.kind = b'"event_type":"%s"' % measured.encode()
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.sendall(resp("SUBSCRIBE", chan))
        self.buf = b""
        self.arrivals = []
        self.ready = threading.Event()

    def run(self):
        while True:
            d = self.s.recv(1 << 20)
            if not d:
                return
            now = time.time()
            self.buf += d
            # messages: *3 $7 message $N chan $N payload; payloads are one-line JSON
            while True:
                i = self.buf.find(b"\r\n{")
                if i < 0:
                    if b"subscribe" in self.buf:
                        self.ready.set()
                    break
                j = self.buf.find(b"\r\n", i + 2)
                if j < 0:
                    break
                payload = self.buf[i + 2:j]
                self.buf = self.buf[j + 2:]
                k = payload.find(b'"timestamp":"')
                if k >= 0 and self.kind in payload:
                    ts = payload[k + 13:k + 13 + 31].decode()
                    t = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
                    self.arrivals.append(now - t)


def main():
    ots, port, count, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    types = sys.argv[5] if len(sys.argv) > 5 else "all"
    measured = "alert" if types == "alert" else "modbus"
    sub = Sub(port, "lat", measured)
    sub.start()
    sub.ready.wait(5)
    p = subprocess.Popen([ots, "-r", "-", "-e", "/dev/null", "--redis",
                          "redis://127.0.0.1:%d/0?mode=channel&key=lat&types=%s" % (port, types)],
                         stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdin
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    out.flush()
    cmac, smac = bytes.fromhex("001b21000010"), bytes.fromhex("0080f4000002")
    cip, sip = bytes([10, 20, 0, 10]), bytes([10, 20, 0, 2])
    cport = 40000
    cseq, sseq = 1000, 5000
    # a handshake first, so the flow is established
    def write(frame):
        t = time.time()
        sec = int(t)
        out.write(struct.pack("<IIII", sec, int((t - sec) * 1e6), len(frame), len(frame)) + frame)
    def pkt(to_server, flags, payload=b""):
        nonlocal cseq, sseq
        if to_server:
            seg = tcp(cip, sip, cport, 502, cseq, sseq if flags != 2 else 0, flags, payload)
            frame = ether(smac, cmac, 0x0800, ipv4(cip, sip, 6, seg))
            cseq += len(payload) + (1 if flags & 2 else 0)
        else:
            seg = tcp(sip, cip, 502, cport, sseq, cseq, flags, payload)
            frame = ether(cmac, smac, 0x0800, ipv4(sip, cip, 6, seg))
            sseq += len(payload) + (1 if flags & 2 else 0)
        return frame
    write(pkt(True, 0x02))
    write(pkt(False, 0x12))
    write(pkt(True, 0x10))
    out.flush()
    # otsensor starts up (rules, nDPI, the Redis connection) before it reads:
    # packets written meanwhile would wait in the pipe and count as latency
    time.sleep(1.5)
    period = 1.0 / rate
    start = time.time()
    for i in range(count):
        due = start + i * period
        d = due - time.time()
        if d > 0:
            time.sleep(d)
        tid = i & 0xFFFF
        if measured == "alert":
            # a restart request (FC 8/1) from a host of its own: one
            # device_restart alert each, never folded into another
            cip = bytes([10, 22, i // 250 % 250, 1 + i % 250])
            cport = 40000 + i % 20000
            cseq, sseq = 1000, 5000
            write(pkt(True, 0x02))
            write(pkt(False, 0x12))
            write(pkt(True, 0x10))
            req = struct.pack("!HHHBBHH", tid, 0, 6, 1, 8, 1, 0)
            rsp = req
        else:
            req = struct.pack("!HHHBBHH", tid, 0, 6, 1, 3, 0, 4)
            rsp = struct.pack("!HHHBBB", tid, 0, 11, 1, 3, 8) + b"\x00\x01" * 4
        write(pkt(True, 0x18, req))
        write(pkt(False, 0x18, rsp))
        out.flush()
    time.sleep(0.5)
    out.close()
    p.wait()
    time.sleep(0.2)
    lat = sorted(x * 1000 for x in sub.arrivals)
    if not lat:
        print("no events arrived")
        return 1
    q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))]
    print("%s events %d  median %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms" % (
        measured, len(lat), q(0.5), q(0.9), q(0.99), lat[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
