#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-enip: write the EtherNet/IP + CIP golden captures into tests/pcaps/.

specification: ODVA The CIP Networks Library Vol. 2 (EtherNet/IP adaptation)
chapter 2 (encapsulation header: command, length, session handle, status, sender
context, options; ListIdentity, ListServices, ListInterfaces, RegisterSession,
UnRegisterSession, SendRRData, SendUnitData; Common Packet Format items), Vol. 1
chapter 2/4/5/C (Message Router request/response, EPATH logical and symbolic
segments, Multiple_Service_Packet 0x0A, Forward_Open 0x54, Reset 0x05), Rockwell
1756-PM020 (Logix Read Tag 0x4C / Write Tag 0x4D).

    encapsulation (little-endian): CMD(2) LEN(2) SESSION(4) STATUS(4) CONTEXT(8)
    OPTIONS(4) | data ; SendRRData data: IFHANDLE(4) TIMEOUT(2) CPF: COUNT(2)
    {TYPE(2) LEN(2) DATA}... ; CIP request: SERVICE PATHWORDS PATH DATA

Usage: gen-enip.py [-o DIR] [NAME...]   (default DIR: the pcaps/ folder beside gen/)
Deterministic: run it twice, get byte-identical files.
"""

import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import T0, Capture, Clock, Host, TcpSession, UdpFlow  # noqa: E402

HMI = Host("00:1d:9c:50:00:01", "192.168.50.20")
PLC = Host("00:1d:9c:50:00:02", "192.168.50.10")
LIST_SERVICES, LIST_IDENTITY, LIST_INTERFACES = 0x0004, 0x0063, 0x0064
REGISTER, UNREGISTER, SEND_RR, SEND_UNIT = 0x0065, 0x0066, 0x006f, 0x0070
CTX = b"otsensor"
SESSION = 0x12345678


def encap(cmd, data=b"", session=SESSION, status=0, length=None):
    n = len(data) if length is None else length
    return struct.pack("<HHII", cmd, n, session, status) + CTX + struct.pack("<I", 0) + data


def cpf(items):
    return struct.pack("<H", len(items)) + b"".join(
        struct.pack("<HH", t, len(d)) + d for t, d in items)


def rr(cip, timeout=10):
    return struct.pack("<IH", 0, timeout) + cpf([(0x0000, b""), (0x00b2, cip)])


def unit(conn_id, seq, cip):
    return struct.pack("<IH", 0, 0) + cpf([(0x00a1, struct.pack("<I", conn_id)),
                                           (0x00b1, struct.pack("<H", seq) + cip)])


def logical(cls, inst, attr=None):
    p = bytes([0x20, cls, 0x24, inst])
    if attr is not None:
        p += bytes([0x30, attr])
    return p


def symbolic(name, element=None):
    b = name.encode()
    p = bytes([0x91, len(b)]) + b + (b"\0" if len(b) % 2 else b"")
    if element is not None:
        p += bytes([0x28, element])
    return p


def req(service, path, data=b""):
    return bytes([service, len(path) // 2]) + path + data


def rsp(service, status=0, data=b"", ext=()):
    return bytes([service | 0x80, 0, status, len(ext)]) + \
        b"".join(struct.pack("<H", e) for e in ext) + data


def msp(parts, reply=False, status=0):
    """Multiple_Service_Packet: count, offsets from the count field, the parts."""
    n = len(parts)
    off = 2 + 2 * n
    offsets = []
    for p in parts:
        offsets.append(off)
        off += len(p)
    body = struct.pack("<H", n) + b"".join(struct.pack("<H", o) for o in offsets) + \
        b"".join(parts)
    if reply:
        return rsp(0x0a, status, body)
    return req(0x0a, logical(0x02, 0x01), body)


DINT = 0xc4


def identity_item():
    name = b"1756-L83E/B"
    body = struct.pack("<H", 1) + struct.pack(">HH4s8s", 2, 44818, bytes([192, 168, 50, 10]),
                                              bytes(8)) + \
        struct.pack("<HHHBBHI", 1, 0x0e, 0x00a6, 33, 11, 0x3060, 0x60c0ffee) + \
        bytes([len(name)]) + name + b"\x03"
    return cpf([(0x000c, body)])


def session(cap, sport):
    s = TcpSession(cap, HMI, PLC, sport, 44818, rng=random.Random(sport))
    s.handshake()
    s.exchange(encap(REGISTER, struct.pack("<HH", 1, 0), session=0),
               encap(REGISTER, struct.pack("<HH", 1, 0)))
    return s


def gen_multi(path):
    """ListIdentity over UDP (answered by a 1756-L83E); on TCP: ListServices,
    RegisterSession, a Multiple_Service_Packet of three services (Read_Tag Speed,
    Read_Tag Recipe[2] refused 'path destination unknown', Get_Attribute_Single
    Identity product name) and its reply; Forward_Open, a connected Write_Tag
    Speed = 1500 and its reply (SendUnitData), Forward_Close; Reset of the Identity
    object; ListInterfaces; UnRegisterSession.  Then an encapsulation PDU cut over
    three segments and two PDUs in one segment; three class 1 I/O frames per
    direction on UDP 2222."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        u = UdpFlow(cap, HMI, PLC, 51818, 44818)
        u.send(encap(LIST_IDENTITY, session=0), True)
        u.send(encap(LIST_IDENTITY, identity_item(), session=0), False)
        clock.advance(10000)
        s = TcpSession(cap, HMI, PLC, 52000, 44818, rng=random.Random(52000))
        s.handshake()
        s.exchange(encap(LIST_SERVICES, session=0),
                   encap(LIST_SERVICES, cpf([(0x0100, struct.pack("<HH", 1, 0x0120) +
                                              b"Communications\0\0")]), session=0))
        s.exchange(encap(REGISTER, struct.pack("<HH", 1, 0), session=0),
                   encap(REGISTER, struct.pack("<HH", 1, 0)))
        parts = [req(0x4c, symbolic("Speed"), struct.pack("<H", 1)),
                 req(0x4c, symbolic("Recipe", 2), struct.pack("<H", 1)),
                 req(0x0e, logical(0x01, 0x01, 0x07))]
        replies = [rsp(0x4c, 0, struct.pack("<HH", DINT, 0) + struct.pack("<i", 1450)),
                   rsp(0x4c, 0x05),
                   rsp(0x0e, 0, b"\x0b1756-L83E/B")]
        s.exchange(encap(SEND_RR, rr(msp(parts))), encap(SEND_RR, rr(msp(replies, True), 0)))
        mr = logical(0x02, 0x01)
        fo = req(0x54, logical(0x06, 0x01),
                 struct.pack("<BBIIHHIB3sIHIHBB", 0x0a, 0x0e, 0, 0x2a000001, 0x1001, 0x1337,
                             0xcafe0001, 3, bytes(3), 2000000, 0x43f4, 2000000, 0x43f4, 0xa3,
                             len(mr) // 2) + mr)
        fo_rsp = rsp(0x54, 0, struct.pack("<IIHHIIIBB", 0x80000010, 0x2a000001, 0x1001, 0x1337,
                                          0xcafe0001, 2000000, 2000000, 0, 0))
        s.exchange(encap(SEND_RR, rr(fo)), encap(SEND_RR, rr(fo_rsp, 0)))
        s.exchange(encap(SEND_UNIT, unit(0x80000010, 1, req(0x4d, symbolic("Speed"),
                                                              struct.pack("<HHi", DINT, 1,
                                                                          1500)))),
                   encap(SEND_UNIT, unit(0x2a000001, 1, rsp(0x4d))))
        fc = req(0x4e, logical(0x06, 0x01), struct.pack("<BBHHI", 0x0a, 0x0e, 0x1001, 0x1337,
                                                        0xcafe0001) + b"\x02\x00" +
                 logical(0x02, 0x01))
        s.exchange(encap(SEND_RR, rr(fc)), encap(SEND_RR, rr(rsp(0x4e, 0, struct.pack(
            "<HHIBB", 0x1001, 0x1337, 0xcafe0001, 0, 0)), 0)))
        s.exchange(encap(SEND_RR, rr(req(0x05, logical(0x01, 0x01), b"\x00"))),
                   encap(SEND_RR, rr(rsp(0x05), 0)))
        s.exchange(encap(LIST_INTERFACES, session=0), encap(LIST_INTERFACES, cpf([]), session=0))
        # segmentation: one PDU in three segments, then two PDUs in one segment
        ga = encap(SEND_RR, rr(req(0x0e, logical(0x01, 0x01, 0x01))))
        s.send(ga, True, split=[10, 20])
        s.send(encap(SEND_RR, rr(rsp(0x0e, 0, struct.pack("<H", 1)), 0)), False)
        s.ack(True)
        two = encap(SEND_RR, rr(req(0x0e, logical(0x01, 0x01, 0x05)))) + \
            encap(SEND_RR, rr(req(0x0e, logical(0x01, 0x01, 0x06))))
        s.send(two, True)
        s.send(encap(SEND_RR, rr(rsp(0x0e, 0, struct.pack("<H", 0x3060)), 0)) +
               encap(SEND_RR, rr(rsp(0x0e, 0, struct.pack("<I", 0x60c0ffee)), 0)), False)
        s.ack(True)
        s.send(encap(UNREGISTER), True)
        s.close()
        # class 1 I/O: sequenced address item + connected data (sequence count + data)
        io = UdpFlow(cap, HMI, PLC, 2222, 2222, step_us=10000)
        for i in range(3):
            io.send(cpf([(0x8002, struct.pack("<II", 0x80000020, i + 1)),
                         (0x00b1, struct.pack("<H", i + 1) + struct.pack("<I", 1) + bytes(8))]),
                    True)
            io.send(cpf([(0x8002, struct.pack("<II", 0x2a000002, i + 1)),
                         (0x00b1, struct.pack("<H", i + 1) + bytes(8))]), False)


def gen_malformed(path):
    """Each on a session of its own, answered with an error as a device would, then
    a valid Get_Attribute_Single: an unknown encapsulation command (0x00ff); a CPF
    that announces 5 items and carries 2; a CIP request whose path size (10 words)
    runs past the item; a Multiple_Service_Packet whose second offset points past
    its data; an
    encapsulation status 0x0069 (unsupported protocol revision) on RegisterSession.
    Then an encapsulation header announcing 600 bytes of which 30 arrive before the
    FIN, and a TLS ClientHello on 44818."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        good = encap(SEND_RR, rr(req(0x0e, logical(0x01, 0x01, 0x07))))
        good_rsp = encap(SEND_RR, rr(rsp(0x0e, 0, b"\x0b1756-L83E/B"), 0))
        bad_msp = req(0x0a, logical(0x02, 0x01), struct.pack("<HHH", 2, 6, 400) +
                      req(0x0e, logical(0x01, 0x01, 0x07)))
        # the answers: encapsulation status 0x0001 (invalid or unsupported command),
        # 0x0003 (poorly formed data); CIP general status 0x04 (path segment error)
        bads = [
            (encap(0x00ff, b"\x00\x00"), encap(0x00ff, status=1)),
            (encap(SEND_RR, struct.pack("<IHH", 0, 10, 5) + struct.pack("<HH", 0, 0) +
                   struct.pack("<HH", 0xb2, 6) + req(0x0e, logical(0x01, 0x01))[:6]),
             encap(SEND_RR, status=3)),
            (encap(SEND_RR, rr(bytes([0x0e, 10]) + logical(0x01, 0x01))),
             encap(SEND_RR, rr(rsp(0x0e, 0x04, ext=(0,)), 0))),
            (encap(SEND_RR, rr(bad_msp)), encap(SEND_RR, rr(rsp(0x0a, 0x04), 0))),
        ]
        for i, (b, answer) in enumerate(bads):
            s = session(cap, 52100 + i)
            s.exchange(b, answer)
            clock.advance(5000)
            s.exchange(good, good_rsp)
            s.close()
            clock.advance(50000)
        s = TcpSession(cap, HMI, PLC, 52110, 44818, rng=random.Random(52110))
        s.handshake()
        s.exchange(encap(REGISTER, struct.pack("<HH", 2, 0), session=0),
                   encap(REGISTER, struct.pack("<HH", 2, 0), session=0, status=0x69))
        s.close()
        s = TcpSession(cap, HMI, PLC, 52111, 44818, rng=random.Random(52111))
        s.handshake()
        s.send(encap(SEND_RR, bytes(6), length=600), True)
        s.close()
        s = TcpSession(cap, HMI, PLC, 52112, 44818, rng=random.Random(52112))
        s.handshake()
        hello = bytes.fromhex("160301002f0100002b0303") + bytes(range(32)) + \
            bytes.fromhex("000004130113020100")
        s.send(hello, True)
        s.reset(from_client=False)


CAPTURES = [
    ("enip-multi.pcap", gen_multi),
    ("enip-malformed.pcap", gen_malformed),
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
