#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-traffic: a Modbus/TCP capture for the output tests, spread over time.

Usage: gen-traffic.py OUTPUT COUNT SECONDS [--clients N] [--alerts N]

COUNT transactions spread evenly over SECONDS of packet time, from N HMI
clients (default 4) to one PLC: mostly reads of holding registers, every
tenth a write of a single register, every fiftieth a write of many
registers, every two hundredth a diagnostic restart (FC 8 sub-function 1)
and a device identification read (FC 43/14): enough variety that the
detections, where they exist, raise alerts along the way.  With --alerts N,
N more connections, spread over the capture, each from a host of its own,
ask the PLC for a restart (FC 8 sub-function 1): a device_restart alert
each, none folded into another by the aggregation (their ends differ).  Replayed with
--realtime it gives a stream of events that lasts SECONDS, which the tests
use to stop a server in the middle.

Deterministic: the same arguments give the same bytes.

specification: MODBUS Application Protocol V1.1b3 (functions 3, 6, 8, 16,
43/14), MODBUS Messaging on TCP/IP V1.0b (MBAP header).
"""

import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gen"))
from pcapgen import T0, Capture, Clock, Host, TcpSession  # noqa: E402


def adu(tid, unit, pdu):
    return struct.pack("!HHHB", tid, 0, len(pdu) + 1, unit) + pdu


def transaction(i):
    """(request PDU, response PDU) of transaction i."""
    if i % 200 == 199:
        return struct.pack("!BHH", 8, 1, 0), struct.pack("!BHH", 8, 1, 0)
    if i % 200 == 99:
        return (struct.pack("!BBBB", 43, 14, 1, 0),
                struct.pack("!BBBBBBB", 43, 14, 1, 1, 0, 0, 1) + b"\x00\x08otsensor")
    if i % 50 == 49:
        regs = [i & 0xFFFF, (i * 7) & 0xFFFF, (i * 13) & 0xFFFF]
        req = struct.pack("!BHHB", 16, 100, len(regs), 2 * len(regs)) + \
            struct.pack("!%dH" % len(regs), *regs)
        return req, struct.pack("!BHH", 16, 100, len(regs))
    if i % 10 == 9:
        return struct.pack("!BHH", 6, 40, i & 0xFFFF), struct.pack("!BHH", 6, 40, i & 0xFFFF)
    qty = 4
    regs = [(i + k) & 0xFFFF for k in range(qty)]
    return struct.pack("!BHH", 3, (i % 16) * 10, qty), \
        struct.pack("!BB", 3, 2 * qty) + struct.pack("!%dH" % qty, *regs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("output")
    ap.add_argument("count", type=int)
    ap.add_argument("seconds", type=float)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--alerts", type=int, default=0)
    a = ap.parse_args()
    clock = Clock(T0)
    period = int(a.seconds * 1000000 / max(a.count, 1))
    plc = Host("00:80:f4:00:00:02", "10.20.0.2")
    with Capture(a.output, clock) as cap:
        sessions = []
        for c in range(a.clients):
            hmi = Host("00:1b:21:00:00:%02x" % (0x10 + c), "10.20.0.%d" % (10 + c))
            s = TcpSession(cap, hmi, plc, 40000 + c, 502, rng=random.Random(c + 1), step_us=20)
            s.handshake()
            sessions.append(s)
        every = a.count // a.alerts if a.alerts else 0
        for i in range(a.count):
            if every and i % every == every // 2 and i // every < a.alerts:
                k = i // every
                intruder = Host("00:1b:21:01:%02x:%02x" % (k >> 8, k & 0xFF),
                                "10.21.%d.%d" % (k // 250, 1 + k % 250))
                x = TcpSession(cap, intruder, plc, 45000 + k % 1000, 502,
                               rng=random.Random(1000 + k), step_us=20)
                x.handshake()
                req, resp = struct.pack("!BHH", 8, 1, 0), struct.pack("!BHH", 8, 1, 0)
                x.exchange(adu(1, 1, req), adu(1, 1, resp), think_us=100)
                x.close()
            s = sessions[i % a.clients]
            req, resp = transaction(i)
            tid = (i // a.clients + 1) & 0xFFFF
            s.exchange(adu(tid, 1, req), adu(tid, 1, resp), think_us=100)
            clock.advance(max(period - 300, 0))
        for s in sessions:
            s.close()


if __name__ == "__main__":
    main()
