#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-goose: write the IEC 61850 GOOSE golden captures into tests/pcaps/.

specification: IEC 61850-8-1:2011 annex A (GOOSE protocol: IECGoosePdu), annex C
(frame format: APPID, Length, Reserved 1 with the simulation bit, Reserved 2),
section 18.1 (retransmission: a state change increments stNum and restarts
sqNum at 0, repeated at growing intervals up to the heartbeat, each frame
announcing timeAllowedtoLive), 8.1.3.7 (UtcTime); ISO 9506-2 14.4.1 (Data).

    dst 01:0c:cd:01:xx:xx  [802.1Q TPID 8100 PCP/VID]  ethertype 88b8
    APPID(2) Length(2) Reserved1(2) Reserved2(2) goosePdu 61 LL {
      80 gocbRef  81 timeAllowedtoLive  82 datSet  83 goID  84 t  85 stNum  86 sqNum
      87 simulation  88 confRev  89 ndsCom  8a numDatSetEntries  ab allData }

Usage: gen-goose.py [-o DIR] [NAME...]   (default DIR: the pcaps/ folder beside gen/)
Deterministic: run it twice, get byte-identical files.
"""

import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import T0, Capture, Clock, ETH_P_GOOSE, ETH_P_8021Q  # noqa: E402
from berenc import (ctx, tlv, int_bytes, utc_time, d_bool, d_bits, d_int, d_uint,  # noqa: E402
                    d_float, d_struct, d_utc, d_vstring)

GOOSE_PDU = 0x61  # [APPLICATION 1] constructed
SIMULATED = 0x8000  # Reserved 1 bit 15 (edition 2)

QUALITY_GOOD = "0000000000000"  # IEC 61850-7-3 Quality: 13 bits
QUALITY_TEST = "0000000000010"  # the test bit (bit 11)


class Publisher:
    """One GOOSE control block: its MAC, APPID, VLAN tag and state."""

    def __init__(self, cap, src, dst, appid, gocb_ref, dat_set, go_id=None, vlan=None,
                 conf_rev=1, heartbeat_ms=1000, test=False, simulated=False, nds_com=False):
        self.cap, self.src, self.dst, self.appid = cap, src, dst, appid
        self.gocb_ref, self.dat_set, self.go_id = gocb_ref, dat_set, go_id
        self.vlans = [vlan] if vlan else []
        self.conf_rev, self.heartbeat_ms = conf_rev, heartbeat_ms
        self.test, self.simulated, self.nds_com = test, simulated, nds_com
        self.st_num, self.sq_num = 1, 0
        self.t = cap.clock.now  # time of the last state change

    def pdu(self, data, tal_ms, fields=None):
        f = [ctx(0, self.gocb_ref), ctx(1, int_bytes(tal_ms)), ctx(2, self.dat_set)]
        if self.go_id is not None:
            f.append(ctx(3, self.go_id))
        f += [ctx(4, utc_time(self.t)), ctx(5, int_bytes(self.st_num)),
              ctx(6, int_bytes(self.sq_num)), ctx(7, b"\xff" if self.test else b"\x00"),
              ctx(8, int_bytes(self.conf_rev)), ctx(9, b"\xff" if self.nds_com else b"\x00"),
              ctx(10, int_bytes(len(data))), ctx(11, b"".join(data), True)]
        if fields:
            f = fields(f)
        return tlv(GOOSE_PDU, b"".join(f))

    def frame(self, pdu, length=None, reserved1=None, reserved2=0):
        r1 = (SIMULATED if self.simulated else 0) if reserved1 is None else reserved1
        n = 8 + len(pdu) if length is None else length
        return struct.pack("!HHHH", self.appid, n, r1, reserved2) + pdu

    def send(self, data, tal_ms, **kw):
        fields = kw.pop("fields", None)
        self.cap.l2(self.dst, self.src, ETH_P_GOOSE, self.frame(self.pdu(data, tal_ms, fields),
                                                               **kw), self.vlans)
        self.sq_num += 1

    def heartbeat(self, data, n):
        """n frames at the heartbeat interval (timeAllowedtoLive = 2 x heartbeat)."""
        for _ in range(n):
            self.cap.clock.advance(self.heartbeat_ms * 1000)
            self.send(data, 2 * self.heartbeat_ms)

    def change(self, data, bursts=(2, 4, 8, 16, 32)):
        """A new state: stNum + 1, sqNum 0, repeated at the burst intervals (ms)."""
        self.st_num += 1
        self.sq_num = 0
        self.cap.clock.advance(1500)
        self.t = self.cap.clock.now
        self.send(data, 2 * bursts[0])
        for i, ms in enumerate(bursts):
            self.cap.clock.advance(ms * 1000)
            nxt = bursts[i + 1] if i + 1 < len(bursts) else self.heartbeat_ms
            self.send(data, 2 * nxt)


def breaker(pos, t):
    """A breaker position (Dbpos as 2 bits: 01 open, 10 closed) with quality and
    time, and a trip flag."""
    return [d_struct(d_bits(pos), d_bits(QUALITY_GOOD), d_utc(t)), d_bool(pos == "01")]


# ----------------------------------------------------------------------------- captures

def gen_publish(path):
    """Three publishers: a protection IED on VLAN 10 (priority 4) with a
    heartbeat, then a trip (state change, fast repetition, back to the
    heartbeat); a measurement unit without VLAN tag and without goID; a
    publisher in test and simulation with ndsCom set and an empty data set."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        ied = Publisher(cap, "00:30:a7:10:00:01", "01:0c:cd:01:00:01", 0x0001,
                        b"IED1PROT/LLN0$GO$gcbTrip", b"IED1PROT/LLN0$dsTrip",
                        go_id=b"IED1_TRIP", vlan=(ETH_P_8021Q, 10, 4), conf_rev=2)
        mu = Publisher(cap, "00:30:a7:20:00:02", "01:0c:cd:01:00:02", 0x0002,
                       b"MU01MEAS/LLN0$GO$gcbMeas", b"MU01MEAS/LLN0$dsMeas",
                       heartbeat_ms=500)
        tst = Publisher(cap, "00:30:a7:30:00:03", "01:0c:cd:01:00:03", 0x3fff,
                        b"IED9TEST/LLN0$GO$gcbSim", b"IED9TEST/LLN0$dsSim", go_id=b"IED9_SIM",
                        test=True, simulated=True, nds_com=True, conf_rev=0)
        closed = breaker("10", ied.t)
        ied.heartbeat(closed, 3)
        meas = [d_float(230.25), d_float(49.98), d_int(-12), d_uint(65535),
                d_vstring(b"feeder 7"), d_bits(QUALITY_GOOD)]
        mu.heartbeat(meas, 2)
        tst.heartbeat([], 1)
        # trip: the breaker opens
        opened = breaker("01", clock.now + 1500)
        ied.change(opened)
        ied.heartbeat(opened, 2)
        mu.heartbeat(meas, 1)


def gen_malformed(path):
    """Frames that break the rules, each followed by a valid one: a Length
    longer than the frame, a Length below 8, another APDU tag than goosePdu,
    a gocbRef longer than the goosePdu, a gocbRef with binary bytes, an
    indefinite length, stNum missing,
    numDatSetEntries different from the data count, a duplicated field, an
    unknown field [13], a 9-octet sqNum, bytes after the goosePdu inside
    Length, and reserved bits set."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        p = Publisher(cap, "00:30:a7:10:00:01", "01:0c:cd:01:00:01", 0x0001,
                      b"IED1PROT/LLN0$GO$gcbTrip", b"IED1PROT/LLN0$dsTrip", go_id=b"IED1_TRIP")
        data = breaker("10", p.t)

        def valid():
            clock.advance(100000)
            p.send(data, 2000)

        def raw(payload):
            clock.advance(100000)
            cap.l2(p.dst, p.src, ETH_P_GOOSE, payload)

        def good():
            """The next well-formed goosePdu (sqNum moves on as on the wire)."""
            pdu = p.pdu(data, 2000)
            p.sq_num += 1
            return pdu

        valid()
        g = good()
        raw(p.frame(g, length=8 + len(g) + 40))         # Length beyond the frame
        valid()
        raw(p.frame(good(), length=6))                  # Length below the header
        valid()
        raw(p.frame(b"\x62" + good()[1:]))              # [APPLICATION 2], not goosePdu
        valid()
        # gocbRef claims 0xf0 octets: past the end of the goosePdu
        raw(p.frame(p.pdu(data, 2000, fields=lambda f: [ctx(0, p.gocb_ref, claim=0xf0)] +
                          f[1:])))
        p.sq_num += 1
        valid()
        # gocbRef with a control character and binary bytes in it
        raw(p.frame(p.pdu(data, 2000, fields=lambda f: [ctx(0, b"IED1PROT/LLN0$GO\x00\xff\x07")] +
                          f[1:])))
        p.sq_num += 1
        valid()
        raw(p.frame(b"\x61\x80" + good()[2:] + b"\x00\x00"))  # indefinite length
        valid()
        # stNum left out
        p.send(data, 2000, fields=lambda f: [x for x in f if x[0] != 0x85])
        valid()
        # numDatSetEntries says 5, allData has 2
        p.send(data, 2000, fields=lambda f: [ctx(10, int_bytes(5)) if x[0] == 0x8a else x
                                             for x in f])
        valid()
        # datSet twice
        p.send(data, 2000, fields=lambda f: f[:3] + [f[2]] + f[3:])
        valid()
        # an unknown field [13] at the end
        p.send(data, 2000, fields=lambda f: f + [ctx(13, b"\x01")])
        valid()
        # sqNum in 9 octets
        p.send(data, 2000, fields=lambda f: [ctx(6, b"\x01" + bytes(8)) if x[0] == 0x86 else x
                                             for x in f])
        valid()
        # 4 bytes after the goosePdu, counted by Length
        raw(p.frame(good() + b"\xde\xad\xbe\xef"))
        valid()
        # Reserved 1 with bits other than simulation, Reserved 2 non-zero
        raw(p.frame(good(), reserved1=0x0101, reserved2=0x0002))
        valid()


CAPTURES = [
    ("goose-publish.pcap", gen_publish),
    ("goose-malformed.pcap", gen_malformed),
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
