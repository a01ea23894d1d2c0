#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-dnp3: write the DNP3 golden captures into tests/pcaps/.

specification: IEEE Std 1815-2012 (DNP3): clause 9 (link frame, CRC-16/DNP over
the header and every 16-octet data block), clause 8 (transport header, segments
of up to 249 octets), clause 4.2 (application header, function codes, IIN,
object headers and qualifiers), Annex A (objects: group 0 device attributes,
g12v1 CROB, g41 analog output blocks, g50/g52 time, g60 class, g70 file).

    link frame: 05 64 LEN CTL DEST(le) SRC(le) CRC(le) | 16 octets CRC | ... | CRC
    transport:  FIN FIR SEQ(6)
    application: AC(FIR FIN CON UNS SEQ) FC [IIN1 IIN2] object headers...

Usage: gen-dnp3.py [-o DIR] [NAME...]   (default DIR: the pcaps/ folder beside gen/)
Deterministic: run it twice, get byte-identical files.
"""

import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import T0, Capture, Clock, Host, TcpSession, UdpFlow  # noqa: E402

MASTER_MAC, MASTER = "00:1b:21:3a:20:01", "192.168.20.1"
RTU_MAC, RTU = "00:60:35:0d:20:0a", "192.168.20.10"
MASTER_ADDR, RTU_ADDR = 1, 10
PORT = 20000

# Link control (clause 9.2)
DIR, PRM, FCB, FCV = 0x80, 0x40, 0x20, 0x10
LINK_RESET_LINK_STATES, LINK_TEST_LINK_STATES = 0, 2
LINK_CONFIRMED_USER_DATA, LINK_UNCONFIRMED_USER_DATA = 3, 4
LINK_REQUEST_LINK_STATUS = 9
LINK_ACK, LINK_LINK_STATUS = 0, 11

# Application function codes (clause 4.2.2.5)
CONFIRM, READ, WRITE, SELECT, OPERATE, DIRECT_OPERATE, DIRECT_OPERATE_NR = 0, 1, 2, 3, 4, 5, 6
IMMED_FREEZE, COLD_RESTART, ENABLE_UNSOLICITED, DELAY_MEASURE = 7, 13, 20, 23
OPEN_FILE = 25
RESPONSE, UNSOLICITED_RESPONSE = 129, 130

# Application control
FIR, FIN, CON, UNS = 0x80, 0x40, 0x20, 0x10

_CRC_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0xA6BC if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc(data):
    """CRC-16/DNP: polynomial 0x3D65 bit-reflected (0xA6BC), init 0, inverted."""
    c = 0
    for b in data:
        c = (c >> 8) ^ _CRC_TABLE[(c ^ b) & 0xFF]
    return (~c) & 0xFFFF


def link(ctl, dst, src, user=b"", length=None):
    """A link frame around `user` (<= 250 octets); `length` overrides LEN."""
    n = 5 + len(user) if length is None else length
    h = struct.pack("<BBBBHH", 0x05, 0x64, n, ctl, dst, src)
    out = h + struct.pack("<H", crc(h))
    for i in range(0, len(user), 16):
        blk = user[i:i + 16]
        out += blk + struct.pack("<H", crc(blk))
    return out


def segments(apdu, seq0):
    """The transport segments (header + <= 249 octets) of one application fragment."""
    out = []
    chunks = [apdu[i:i + 249] for i in range(0, len(apdu), 249)] or [b""]
    for k, chunk in enumerate(chunks):
        th = (0x40 if k == 0 else 0) | (0x80 if k == len(chunks) - 1 else 0) | ((seq0 + k) & 63)
        out.append(bytes([th]) + chunk)
    return out


class Station:
    """One end of a DNP3 association: its link address, direction bit and transport
    sequence."""

    def __init__(self, addr, peer, master):
        self.addr, self.peer, self.master = addr, peer, master
        self.tseq = 0

    def frames(self, apdu):
        """The link frames carrying one application fragment."""
        segs = segments(apdu, self.tseq)
        self.tseq = (self.tseq + len(segs)) & 63
        ctl = (DIR if self.master else 0) | PRM | LINK_UNCONFIRMED_USER_DATA
        return [link(ctl, self.peer, self.addr, s) for s in segs]

    def link_only(self, func, primary=True):
        ctl = (DIR if self.master else 0) | (PRM if primary else 0) | func
        return link(ctl, self.peer, self.addr)


def req(ac, fc, objects=b""):
    return bytes([ac, fc]) + objects


def resp(ac, fc, iin=0, objects=b""):
    return bytes([ac, fc]) + struct.pack(">H", iin) + objects


def hdr(group, var, qual, *rng):
    """An object header; rng: the range field values, sized by the qualifier."""
    b = bytes([group, var, qual])
    code = qual & 0x0F
    size = {0: 1, 1: 2, 2: 4, 7: 1, 8: 2, 9: 4, 0x0B: 1}.get(code, 0)
    fmt = {1: "<B", 2: "<H", 4: "<I"}.get(size)
    for v in rng:
        b += struct.pack(fmt, v)
    return b


def attr(var, text):
    """A group 0 device attribute (visible string) in a response."""
    return hdr(0, var, 0x00, 0, 0) + bytes([1, len(text)]) + text


def crob(index, code, count=1, on=1000, off=0, status=0):
    """One g12v1 object behind a 2-octet index prefix."""
    return struct.pack("<HBBIIB", index, code, count, on, off, status)


def dnp3_session(cap, sport, dport=PORT, seed=None):
    s = TcpSession(cap, Host(MASTER_MAC, MASTER), Host(RTU_MAC, RTU), sport, dport,
                   rng=random.Random(seed if seed is not None else sport))
    s.handshake()
    return s


class Assoc:
    """A master and an outstation on one TCP connection."""

    def __init__(self, sess, think_us=4000, period_us=250000):
        self.s = sess
        self.m = Station(MASTER_ADDR, RTU_ADDR, True)
        self.o = Station(RTU_ADDR, MASTER_ADDR, False)
        self.think_us = think_us
        self.period_us = period_us

    def master(self, apdu, split=None):
        self.s.cap.clock.advance(self.period_us)
        self.s.send(b"".join(self.m.frames(apdu)), True, split=split)

    def outstation(self, apdu, ack=True, split=None):
        self.s.cap.clock.advance(self.think_us)
        self.s.send(b"".join(self.o.frames(apdu)), False, split=split)
        if ack:
            self.s.ack(True)

    def raw(self, data, to_server, think_us=None):
        self.s.cap.clock.advance(self.period_us if think_us is None else think_us)
        self.s.send(data, to_server)


# ----------------------------------------------------------------------------- captures

def gen_poll(path):
    """Link keep-alive, an integrity poll answered in several segments with a
    confirm, device attributes, time synchronisation, clearing the restart
    indication, enabling unsolicited responses and one unsolicited report."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        a = Assoc(dnp3_session(cap, 50300))
        # link layer: reset and status, both ways
        a.raw(a.m.link_only(LINK_RESET_LINK_STATES), True)
        a.raw(a.o.link_only(LINK_ACK, primary=False), False, think_us=2000)
        a.raw(a.m.link_only(LINK_REQUEST_LINK_STATUS), True)
        a.raw(a.o.link_only(LINK_LINK_STATUS, primary=False), False, think_us=2000)
        # integrity poll: class 1, 2, 3 then 0; the response (IIN device restart,
        # need time) spans three transport segments and asks for a confirm
        a.master(req(FIR | FIN | 1, READ, hdr(60, 2, 0x06) + hdr(60, 3, 0x06) +
                     hdr(60, 4, 0x06) + hdr(60, 1, 0x06)))
        bi = hdr(1, 2, 0x00, 0, 15) + bytes([0x81, 0x01] * 8)
        ai = hdr(30, 1, 0x01, 0, 79) + b"".join(struct.pack("<Bi", 1, 100 * i - 500)
                                                for i in range(80))
        cnt = hdr(20, 1, 0x00, 0, 9) + b"".join(struct.pack("<BI", 1, 7 * i) for i in range(10))
        ao = hdr(40, 3, 0x00, 0, 3) + b"".join(struct.pack("<Bf", 1, 0.5 * i) for i in range(4))
        a.outstation(resp(FIR | FIN | CON | 1, RESPONSE, 0x9000, bi + ai + cnt + ao),
                     ack=False)
        a.master(req(FIR | FIN | 1, CONFIRM))
        # device attributes (group 0): who is this?
        a.master(req(FIR | FIN | 2, READ, hdr(0, 254, 0x06)))
        attrs = (attr(252, b"ACME Grid Systems") + attr(250, b"RTU-9000 model B") +
                 attr(242, b"4.2.1") + attr(243, b"rev C") + attr(248, b"SN-2024-0042") +
                 attr(247, b"Feeder 7 recloser") +
                 hdr(0, 241, 0x00, 0, 0) + bytes([2, 2]) + struct.pack("<H", 2048))
        a.outstation(resp(FIR | FIN | 2, RESPONSE, 0x9000, attrs))
        # time: delay measurement, then write the time (g50v1), clear IIN1.7
        a.master(req(FIR | FIN | 3, DELAY_MEASURE))
        a.outstation(resp(FIR | FIN | 3, RESPONSE, 0x9000, hdr(52, 2, 0x07, 1) +
                          struct.pack("<H", 12)))
        ms = (T0 + 1) * 1000
        a.master(req(FIR | FIN | 4, WRITE, hdr(50, 1, 0x07, 1) + ms.to_bytes(6, "little")))
        a.outstation(resp(FIR | FIN | 4, RESPONSE, 0x8000))
        a.master(req(FIR | FIN | 5, WRITE, hdr(80, 1, 0x00, 7, 7) + b"\x00"))
        a.outstation(resp(FIR | FIN | 5, RESPONSE, 0x0000))
        # unsolicited responses on for classes 1-3; a report of two binary input
        # events with time, confirmed by the master
        a.master(req(FIR | FIN | 6, ENABLE_UNSOLICITED, hdr(60, 2, 0x06) + hdr(60, 3, 0x06) +
                     hdr(60, 4, 0x06)))
        a.outstation(resp(FIR | FIN | 6, RESPONSE, 0x0000))
        ev = hdr(2, 2, 0x28, 2) + struct.pack("<HB", 3, 0x81) + ms.to_bytes(6, "little") + \
            struct.pack("<HB", 12, 0x01) + (ms + 250).to_bytes(6, "little")
        clock.advance(1500000)
        a.outstation(resp(FIR | FIN | CON | UNS | 0, UNSOLICITED_RESPONSE, 0x0200, ev), ack=False)
        a.master(req(FIR | FIN | UNS | 0, CONFIRM))
        clock.advance(100000)
        a.s.close()


def gen_control(path):
    """Select-before-operate of a CROB, direct operate of analog set-points (float,
    32-bit, no-ack 16-bit), a freeze, a file open, a cold restart, and a READ of an
    unknown object that the outstation rejects (IIN2 object unknown)."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        a = Assoc(dnp3_session(cap, 50310))
        pulse_close = 0x41  # PULSE_ON, trip-close code CLOSE
        a.master(req(FIR | FIN | 1, SELECT, hdr(12, 1, 0x28, 1) + crob(3, pulse_close)))
        a.outstation(resp(FIR | FIN | 1, RESPONSE, 0, hdr(12, 1, 0x28, 1) +
                          crob(3, pulse_close)))
        a.master(req(FIR | FIN | 2, OPERATE, hdr(12, 1, 0x28, 1) + crob(3, pulse_close)))
        a.outstation(resp(FIR | FIN | 2, RESPONSE, 0, hdr(12, 1, 0x28, 1) +
                          crob(3, pulse_close)))
        # a latch-off trip the outstation refuses: status LOCAL (7)
        a.master(req(FIR | FIN | 3, DIRECT_OPERATE, hdr(12, 1, 0x28, 1) +
                     crob(5, 0x84, on=0)))
        a.outstation(resp(FIR | FIN | 3, RESPONSE, 0, hdr(12, 1, 0x28, 1) +
                          crob(5, 0x84, on=0, status=7)))
        # analog set-points: g41v3 float 42.5 at 2, g41v1 -1200 at 7
        sp = hdr(41, 3, 0x17, 1) + struct.pack("<BfB", 2, 42.5, 0) + \
            hdr(41, 1, 0x17, 1) + struct.pack("<BiB", 7, -1200, 0)
        a.master(req(FIR | FIN | 4, DIRECT_OPERATE, sp))
        a.outstation(resp(FIR | FIN | 4, RESPONSE, 0, sp))
        a.master(req(FIR | FIN | 5, DIRECT_OPERATE_NR, hdr(41, 2, 0x28, 1) +
                     struct.pack("<HhB", 9, 300, 0)))
        # counters frozen; a file opened
        a.master(req(FIR | FIN | 6, IMMED_FREEZE, hdr(20, 0, 0x06)))
        a.outstation(resp(FIR | FIN | 6, RESPONSE, 0))
        name = b"/cfg/settings.xml"
        # g70v3 file command: name offset, name size, creation time (6), permissions,
        # authentication key, file size, mode (1: read), max block size, request id
        g70v3 = struct.pack("<HH6sHIIHHH", 26, len(name), bytes(6), 0o644, 0, 0, 1, 1024, 7) + \
            name
        a.master(req(FIR | FIN | 7, OPEN_FILE, hdr(70, 3, 0x5B, 1) +
                     struct.pack("<H", len(g70v3)) + g70v3))
        a.outstation(resp(FIR | FIN | 7, RESPONSE, 0x0001))  # no such function here
        # an object the outstation does not know
        a.master(req(FIR | FIN | 8, READ, hdr(86, 2, 0x06)))
        a.outstation(resp(FIR | FIN | 8, RESPONSE, 0x0002))
        # and the restart
        a.master(req(FIR | FIN | 9, COLD_RESTART))
        a.outstation(resp(FIR | FIN | 9, RESPONSE, 0, hdr(52, 1, 0x07, 1) +
                          struct.pack("<H", 5)))
        clock.advance(100000)
        a.s.close()


def gen_malformed(path):
    """Link frames that break the rules, each followed by valid traffic: a header
    with a bad CRC, a data block with a bad CRC, an unknown link function, a
    reserved application function, a CROB count that lies, transport segments
    out of sequence, a fragment longer than 2048 octets, and garbage bytes."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        a = Assoc(dnp3_session(cap, 50320))
        a.master(req(FIR | FIN | 0, READ, hdr(60, 1, 0x06)))
        a.outstation(resp(FIR | FIN | 0, RESPONSE, 0))
        ok = req(FIR | FIN | 1, READ, hdr(60, 1, 0x06))
        f = bytearray(a.m.frames(ok)[0])
        f[8] ^= 0xFF  # header CRC
        a.raw(bytes(f), True)
        a.master(ok)
        a.outstation(resp(FIR | FIN | 1, RESPONSE, 0))
        f = bytearray(a.m.frames(req(FIR | FIN | 2, READ, hdr(60, 2, 0x06)))[0])
        f[-1] ^= 0xFF  # the last data block's CRC
        a.raw(bytes(f), True)
        a.outstation(resp(FIR | FIN | 2, RESPONSE, 0))
        a.raw(link(DIR | PRM | 0x05, RTU_ADDR, MASTER_ADDR), True)  # no such function
        a.master(req(FIR | FIN | 3, 0x50))  # reserved function code
        a.outstation(resp(FIR | FIN | 3, RESPONSE, 0x0001))
        # a CROB header claiming 65535 objects in a short frame
        a.master(req(FIR | FIN | 4, DIRECT_OPERATE, hdr(12, 1, 0x28, 0xFFFF) + crob(1, 0x41)))
        a.outstation(resp(FIR | FIN | 4, RESPONSE, 0x0004))
        # a response whose second segment is missing (sequence jumps)
        a.master(req(FIR | FIN | 5, READ, hdr(60, 1, 0x06)))
        big = resp(FIR | FIN | 5, RESPONSE, 0, hdr(30, 1, 0x01, 0, 119) + bytes(5 * 120))
        segs = a.o.frames(big)
        a.s.cap.clock.advance(a.think_us)
        a.s.send(segs[0] + segs[2], False)
        a.s.ack(True)
        # a fragment of 9 full segments (2241 octets) exceeds the 2048-octet cap
        a.master(req(FIR | FIN | 6, READ, hdr(60, 1, 0x06)))
        huge = resp(FIR | FIN | 6, RESPONSE, 0, hdr(30, 1, 0x01, 0, 446) + bytes(5 * 447))
        a.outstation(huge)
        # garbage between frames, then a valid poll
        a.raw(b"\x05\x64\x02\xff\x00GARBAGE\r\n", True)
        a.master(req(FIR | FIN | 7, READ, hdr(60, 1, 0x06)))
        a.outstation(resp(FIR | FIN | 7, RESPONSE, 0))
        clock.advance(100000)
        a.s.close()


def gen_udp(path):
    """DNP3 over UDP 20000: link status, a class poll, and a datagram carrying two
    link frames (a response and an unsolicited report)."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        u = UdpFlow(cap, Host(MASTER_MAC, MASTER), Host(RTU_MAC, RTU), 20000, PORT,
                    step_us=3000)
        m = Station(MASTER_ADDR, RTU_ADDR, True)
        o = Station(RTU_ADDR, MASTER_ADDR, False)
        u.send(o.link_only(LINK_REQUEST_LINK_STATUS), False)
        u.send(m.link_only(LINK_LINK_STATUS, primary=False), True)
        clock.advance(200000)
        u.send(b"".join(m.frames(req(FIR | FIN | 3, READ, hdr(60, 1, 0x06)))), True)
        two = o.frames(resp(FIR | FIN | 3, RESPONSE, 0, hdr(10, 2, 0x00, 0, 3) +
                            bytes([0x01, 0x81, 0x01, 0x01])))
        two += o.frames(resp(FIR | FIN | CON | UNS | 1, UNSOLICITED_RESPONSE, 0,
                             hdr(2, 1, 0x17, 1) + bytes([4, 0x81])))
        u.send(b"".join(two), False)
        u.send(b"".join(m.frames(req(FIR | FIN | UNS | 1, CONFIRM))), True)


def gen_non_dnp3_20000(path):
    """HTTP and a TLS ClientHello on port 20000: none of it is DNP3."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = dnp3_session(cap, 50330)
        s.exchange(b"GET / HTTP/1.1\r\nHost: 192.168.20.10:20000\r\nAccept: */*\r\n\r\n",
                   b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", think_us=2000)
        s.close(from_client=False)
        clock.advance(1000000)
        s = dnp3_session(cap, 50331)
        hello = bytes.fromhex("160301002f0100002b0303") + bytes(range(32)) + \
            bytes.fromhex("000004130113020100")
        s.send(hello, True)
        clock.advance(2000)
        s.reset(from_client=False)


def gen_other_port(path):
    """DNP3 on TCP 20001: found by the heuristic (start octets, header CRC)."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        a = Assoc(dnp3_session(cap, 50340, dport=20001))
        a.master(req(FIR | FIN | 1, READ, hdr(60, 1, 0x06)))
        a.outstation(resp(FIR | FIN | 1, RESPONSE, 0, hdr(30, 2, 0x00, 0, 1) +
                          struct.pack("<BhBh", 1, 10, 1, -10)))
        clock.advance(100000)
        a.s.close()


CAPTURES = [
    ("dnp3-poll.pcap", gen_poll),
    ("dnp3-control.pcap", gen_control),
    ("dnp3-malformed.pcap", gen_malformed),
    ("dnp3-udp.pcap", gen_udp),
    ("dnp3-non-dnp3-20000.pcap", gen_non_dnp3_20000),
    ("dnp3-other-port.pcap", gen_other_port),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("-o", "--outdir", default=os.path.join(here, "..", "pcaps"))
    ap.add_argument("names", nargs="*", help="only these files (default: all)")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    for name, fn in CAPTURES:
        if args.names and name not in args.names:
            continue
        fn(os.path.join(args.outdir, name))
        print(os.path.join(args.outdir, name))


if __name__ == "__main__":
    main()
