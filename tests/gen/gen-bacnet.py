#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-bacnet: write the BACnet/IP golden captures into tests/pcaps/.

specification: ANSI/ASHRAE 135-2020: Annex J (BACnet/IP: BVLC type 0x81,
functions Result, Register-Foreign-Device, Forwarded-NPDU,
Distribute-Broadcast-To-Network, Original-Unicast/Broadcast-NPDU), clause 6 (NPDU:
version, control, DNET/DADR, SNET/SADR, hop count, network layer messages),
clause 20.1 (APDU: confirmed request with segmentation fields, Complex-ACK
segments, Segment-ACK, Error, Reject, Abort), clause 20.2 (tags), clause 21
(service productions).

    BVLC: 81 FUNC LEN(2) | NPDU: 01 CTRL [DNET DLEN DADR] [SNET SLEN SADR] [HOP]
    | APDU: TYPE|flags ...

Usage: gen-bacnet.py [-o DIR] [NAME...]   (default DIR: the pcaps/ folder beside gen/)
Deterministic: run it twice, get byte-identical files.
"""

import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import T0, Capture, Clock, Host, UdpFlow  # noqa: E402

WS = Host("00:50:56:bb:00:01", "192.168.60.5")       # an operator workstation
DEV = Host("00:50:56:bb:00:10", "192.168.60.20")     # a BACnet/IP controller
ROUTER = Host("00:50:56:bb:00:30", "192.168.60.30")  # a BBMD / router to MS/TP
BCAST = Host("ff:ff:ff:ff:ff:ff", "192.168.60.255")
PORT = 47808
UNICAST, BROADCAST, FORWARDED, DISTRIBUTE, RESULT, REGISTER_FD = 0x0a, 0x0b, 0x04, 0x09, 0x00, 0x05
RPM, RP, WP = 14, 12, 15
I_AM, I_HAVE, WHO_HAS, WHO_IS = 0, 1, 7, 8
DEVICE, ANALOG_INPUT, ANALOG_VALUE = 8, 0, 2


def bvlc(func, body):
    return struct.pack("!BBH", 0x81, func, len(body) + 4) + body


def npdu(apdu=b"", reply=False, dnet=None, dadr=b"", snet=None, sadr=b"", hop=255,
         netmsg=None):
    ctrl = (0x04 if reply else 0) | (0x20 if dnet is not None else 0) | \
        (0x08 if snet is not None else 0) | (0x80 if netmsg is not None else 0)
    h = bytes([1, ctrl])
    if dnet is not None:
        h += struct.pack("!HB", dnet, len(dadr)) + dadr
    if snet is not None:
        h += struct.pack("!HB", snet, len(sadr)) + sadr
    if dnet is not None:
        h += bytes([hop])
    if netmsg is not None:
        return h + netmsg
    return h + apdu


def ctx(tag, value, length=None):
    """A context tag with an unsigned value (or bytes)."""
    b = value if isinstance(value, bytes) else value.to_bytes(max(1, (value.bit_length() + 7) // 8),
                                                              "big")
    n = len(b) if length is None else length
    return bytes([tag << 4 | 0x08 | min(n, 5)]) + (bytes([n]) if n >= 5 else b"") + b


def app_uint(v):
    b = v.to_bytes(max(1, (v.bit_length() + 7) // 8), "big")
    return bytes([0x20 | len(b)]) + b


def app_real(v):
    return b"\x44" + struct.pack("!f", v)


def app_enum(v):
    return bytes([0x91, v])


def app_objid(otype, inst):
    return b"\xc4" + struct.pack("!I", otype << 22 | inst)


def app_str(s):
    b = b"\x00" + s.encode()
    return bytes([0x75, len(b)]) + b if len(b) < 254 else b""


def objid(tag, otype, inst):
    return ctx(tag, struct.pack("!I", otype << 22 | inst))


def opening(tag):
    return bytes([tag << 4 | 0x0e])


def closing(tag):
    return bytes([tag << 4 | 0x0f])


def confirmed(invoke, service, data, sa=True, max_apdu=5, seg=None):
    """seg: (seq, window, more) for a segmented request."""
    b0 = 0x00 | (0x02 if sa else 0)
    if seg:
        b0 |= 0x08 | (0x04 if seg[2] else 0)
    h = bytes([b0, 0x50 | max_apdu, invoke])
    if seg:
        h += bytes([seg[0], seg[1]])
    return h + bytes([service]) + data


def complex_ack(invoke, service, data, seg=None):
    b0 = 0x30
    h = b""
    if seg:
        b0 |= 0x08 | (0x04 if seg[2] else 0)
        h = bytes([seg[0], seg[1]])
    return bytes([b0, invoke]) + h + bytes([service]) + data


def simple_ack(invoke, service):
    return bytes([0x20, invoke, service])


def segment_ack(invoke, seq, window, server=False, nak=False):
    return bytes([0x40 | (0x02 if nak else 0) | (0x01 if server else 0), invoke, seq, window])


def unconfirmed(service, data):
    return bytes([0x10, service]) + data


def iam(inst, vendor, max_apdu=1476, seg=0):
    return unconfirmed(I_AM, app_objid(DEVICE, inst) + app_uint(max_apdu) + app_enum(seg) +
                       app_uint(vendor))


def gen_segmented(path):
    """ReadPropertyMultiple of 40 present-values (max APDU 128) answered by a
    Complex-ACK in seven segments of 110 octets (window 2: a Segment-ACK after every
    second segment and the last); a WriteProperty
    whose request comes in two segments, each acknowledged by the device, then a
    Simple-ACK; a Segment-ACK with the NAK bit (a lost segment) and the resent
    segment."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        f = UdpFlow(cap, WS, DEV, PORT, PORT, step_us=2000)
        specs = b"".join(objid(0, ANALOG_INPUT, i) + opening(1) + ctx(0, 85) + closing(1)
                         for i in range(1, 41))
        f.send(bvlc(UNICAST, npdu(confirmed(5, RPM, specs, max_apdu=1), reply=True)), True)
        results = b"".join(objid(0, ANALOG_INPUT, i) + opening(1) + ctx(2, 85) + opening(4) +
                           app_real(20.0 + i / 4) + closing(4) + closing(1) for i in range(1, 41))
        n = 110
        segs = [results[i:i + n] for i in range(0, len(results), n)]
        for k, part in enumerate(segs):
            more = k < len(segs) - 1
            f.send(bvlc(UNICAST, npdu(complex_ack(5, RPM, part, seg=(k, 2, more)))), False)
            if k % 2 == 1 or not more:
                f.send(bvlc(UNICAST, npdu(segment_ack(5, k, 2))), True)
        clock.advance(100000)
        # a segmented WriteProperty request (a long character string)
        data = objid(0, ANALOG_VALUE, 3) + ctx(1, 28) + opening(3) + \
            b"\x75\xc9\x00" + b"setpoint for zone 3 " * 10 + closing(3)
        half = len(data) // 2
        f.send(bvlc(UNICAST, npdu(confirmed(6, WP, data[:half], seg=(0, 1, True)), reply=True)),
               True)
        f.send(bvlc(UNICAST, npdu(segment_ack(6, 0, 1, server=True))), False)
        f.send(bvlc(UNICAST, npdu(confirmed(6, WP, data[half:], seg=(1, 1, False)),
                                  reply=True)), True)
        f.send(bvlc(UNICAST, npdu(segment_ack(6, 1, 1, server=True))), False)
        f.send(bvlc(UNICAST, npdu(simple_ack(6, WP))), False)
        clock.advance(100000)
        # a NAK: the workstation missed segment 1 of a two-segment answer
        two = b"".join(objid(0, ANALOG_INPUT, i) + opening(1) + ctx(0, 85) + ctx(0, 117) +
                       ctx(0, 111) + closing(1) for i in (1, 2))
        f.send(bvlc(UNICAST, npdu(confirmed(7, RPM, two, max_apdu=1), reply=True)), True)
        short = results[:180]
        f.send(bvlc(UNICAST, npdu(complex_ack(7, RPM, short[:90], seg=(0, 2, True)))), False)
        f.send(bvlc(UNICAST, npdu(segment_ack(7, 0, 2, nak=True))), True)
        f.send(bvlc(UNICAST, npdu(complex_ack(7, RPM, short[90:], seg=(1, 2, False)))), False)
        f.send(bvlc(UNICAST, npdu(segment_ack(7, 1, 2))), True)


def gen_routing(path):
    """BBMD and router traffic: Register-Foreign-Device (TTL 600) and its BVLC-Result;
    Distribute-Broadcast-To-Network of a Who-Is; the BBMD's Forwarded-NPDU of an
    I-Am from device 2001 behind it on MS/TP network 5 (SNET/SADR); a
    Who-Is-Router-To-Network and the I-Am-Router-To-Network for networks 5 and 6;
    ReadProperty routed to DNET 5 / DADR 0x12 and its answer; Who-Has by name and
    I-Have; an Original-Broadcast Who-Is and I-Am; a Reject and an Abort."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        fd = UdpFlow(cap, WS, ROUTER, PORT, PORT, step_us=3000)
        fd.send(bvlc(REGISTER_FD, struct.pack("!H", 600)), True)
        fd.send(bvlc(RESULT, struct.pack("!H", 0)), False)
        fd.send(bvlc(DISTRIBUTE, npdu(unconfirmed(WHO_IS, ctx(0, 2000) + ctx(1, 2100)))), True)
        fd.send(bvlc(FORWARDED, bytes([192, 168, 60, 30]) + struct.pack("!H", PORT) +
                     npdu(iam(2001, 36, max_apdu=480, seg=3), snet=5, sadr=b"\x12")), False)
        fd.send(bvlc(UNICAST, npdu(netmsg=b"\x00")), True)
        fd.send(bvlc(UNICAST, npdu(netmsg=b"\x01" + struct.pack("!HH", 5, 6))), False)
        fd.send(bvlc(UNICAST, npdu(confirmed(9, RP, objid(0, DEVICE, 2001) + ctx(1, 77)),
                                   reply=True, dnet=5, dadr=b"\x12")), True)
        fd.send(bvlc(UNICAST, npdu(complex_ack(9, RP, objid(0, DEVICE, 2001) + ctx(1, 77) +
                                               opening(3) + app_str("VAV-2001") + closing(3)),
                                   snet=5, sadr=b"\x12")), False)
        clock.advance(50000)
        b = UdpFlow(cap, WS, BCAST, PORT, PORT, step_us=3000)
        b.send(bvlc(BROADCAST, npdu(unconfirmed(WHO_HAS, ctx(3, b"\x00AHU-1 supply temp")))),
               True)
        d = UdpFlow(cap, DEV, WS, PORT, PORT, step_us=3000)
        d.send(bvlc(UNICAST, npdu(unconfirmed(I_HAVE, app_objid(DEVICE, 1200) +
                                              app_objid(ANALOG_INPUT, 4) +
                                              app_str("AHU-1 supply temp")))), True)
        b.send(bvlc(BROADCAST, npdu(unconfirmed(WHO_IS, b""))), True)
        d.send(bvlc(UNICAST, npdu(iam(1200, 5, seg=0))), True)
        clock.advance(50000)
        u = UdpFlow(cap, WS, DEV, PORT, PORT, step_us=3000)
        u.send(bvlc(UNICAST, npdu(confirmed(10, RP, objid(0, DEVICE, 1200) + ctx(1, 9999)),
                                  reply=True)), True)
        u.send(bvlc(UNICAST, npdu(bytes([0x60, 10, 0x06]))), False)  # reject: out of range
        u.send(bvlc(UNICAST, npdu(confirmed(11, RPM, objid(0, DEVICE, 1200) + opening(1) +
                                            ctx(0, 76) + closing(1), sa=False, max_apdu=0),
                                  reply=True)), True)
        u.send(bvlc(UNICAST, npdu(bytes([0x71, 11, 0x04]))), False)  # abort: seg. not supported


def gen_malformed(path):
    """A BVLC type 0x99; a BVLC length larger than the datagram; NPDU version 2;
    APDU type 9 (reserved); a ReadProperty whose context tag length runs past the
    APDU; an I-Am cut after the object id; a DNS query on UDP 47808; valid
    ReadProperty exchanges after each."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        u = UdpFlow(cap, WS, DEV, PORT, PORT, step_us=3000)
        inv = [20]

        def valid():
            i = inv[0]
            inv[0] += 1
            u.send(bvlc(UNICAST, npdu(confirmed(i, RP, objid(0, ANALOG_VALUE, 1) + ctx(1, 85)),
                                      reply=True)), True)
            u.send(bvlc(UNICAST, npdu(complex_ack(i, RP, objid(0, ANALOG_VALUE, 1) +
                                                  ctx(1, 85) + opening(3) + app_real(21.0) +
                                                  closing(3)))), False)

        bads = [
            b"\x99\x0a\x00\x08\x01\x00\x10\x08",
            struct.pack("!BBH", 0x81, UNICAST, 200) + npdu(unconfirmed(WHO_IS, b"")),
            bvlc(UNICAST, b"\x02\x00" + unconfirmed(WHO_IS, b"")),
            bvlc(UNICAST, npdu(bytes([0x90, 0x01, 0x02]))),
            bvlc(UNICAST, npdu(confirmed(30, RP, objid(0, ANALOG_VALUE, 1) + b"\x1d\x40\x55"),
                               reply=True)),
            bvlc(UNICAST, npdu(unconfirmed(I_AM, app_objid(DEVICE, 77)))),
        ]
        for bad in bads:
            u.send(bad, True)
            valid()
        u.send(bytes.fromhex("abcd01000001000000000000076578616d706c6503636f6d0000010001"),
               True)
        valid()


CAPTURES = [
    ("bacnet-segmented.pcap", gen_segmented),
    ("bacnet-routing.pcap", gen_routing),
    ("bacnet-malformed.pcap", gen_malformed),
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
