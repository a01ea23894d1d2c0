#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-s7comm: write the S7comm / S7comm-plus golden captures into tests/pcaps/.

specification: RFC 1006 (TPKT), ISO 8073 / X.224 class 0 (COTP CR, CC, DT with its
EOT bit), Siemens S7 communication as documented by the Wireshark s7comm and
s7comm-plus dissectors' notes (no public standard): S7 header (protocol id 0x32,
ROSCTR job 1, ack 2, ack_data 3, userdata 7), read/write var items (syntax id
S7ANY 0x10), S7comm-plus frames (protocol id 0x72, version, length, opcode,
function, sequence number, session id, trailer 72 VV 00 00).

    TPKT: 03 00 LEN(2) | COTP DT: 02 F0 EOT|NR | S7: 32 ROSCTR 0000 PDUREF PLEN DLEN ...

Usage: gen-s7comm.py [-o DIR] [NAME...]   (default DIR: the pcaps/ folder beside gen/)
Deterministic: run it twice, get byte-identical files.
"""

import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import T0, Capture, Clock, Host, TcpSession  # noqa: E402

PG = Host("00:1b:1b:77:00:01", "192.168.40.5")
PLC = Host("00:1b:1b:77:00:02", "192.168.40.10")
JOB, ACK, ACK_DATA, USERDATA = 1, 2, 3, 7
READ_VAR, WRITE_VAR, SETUP = 0x04, 0x05, 0xf0
AREA_DB, AREA_M, AREA_I, AREA_Q = 0x84, 0x83, 0x81, 0x82
TS_BYTE, TS_WORD, TS_BIT = 0x02, 0x04, 0x01


def tpkt(payload):
    return struct.pack("!BBH", 3, 0, len(payload) + 4) + payload


def dt(s7, eot=True):
    return tpkt(bytes([2, 0xf0, 0x80 if eot else 0x00]) + s7)


def cr(src_tsap=0x0100, dst_tsap=0x0102, cc=False, src_ref=1, dst_ref=0):
    params = b"\xc0\x01\x0a" + b"\xc1\x02" + struct.pack("!H", src_tsap) + b"\xc2\x02" + \
        struct.pack("!H", dst_tsap)
    body = bytes([0xd0 if cc else 0xe0]) + struct.pack("!HHB", dst_ref, src_ref, 0) + params
    return tpkt(bytes([len(body)]) + body)


def s7(rosctr, ref, params, data=b"", err=None):
    hdr = struct.pack("!BBHHHH", 0x32, rosctr, 0, ref, len(params), len(data))
    if rosctr in (ACK, ACK_DATA):
        hdr += struct.pack("!BB", *(err or (0, 0)))
    return hdr + params + data


def setup(ref=0, pdu=480, amq=1):
    return s7(JOB, ref, struct.pack("!BBHHH", SETUP, 0, amq, amq, pdu))


def setup_ack(ref=0, pdu=480, amq=1):
    return s7(ACK_DATA, ref, struct.pack("!BBHHH", SETUP, 0, amq, amq, pdu))


def item(area, db, byte, length, tsize=TS_BYTE, bit=0):
    addr = byte * 8 + bit
    return struct.pack("!BBBBHHB", 0x12, 0x0a, 0x10, tsize, length, db, area) + \
        addr.to_bytes(3, "big")


def read_job(ref, items):
    return s7(JOB, ref, bytes([READ_VAR, len(items)]) + b"".join(items))


def data_item(payload, rc=0xff, tsize=0x04, bits=True, last=True):
    n = len(payload) * 8 if bits else len(payload)
    d = struct.pack("!BBH", rc, tsize, n) + payload
    return d + (b"\0" if len(payload) % 2 and not last else b"")


def read_ack(ref, payloads):
    data = b"".join(data_item(p, last=i == len(payloads) - 1) for i, p in enumerate(payloads))
    return s7(ACK_DATA, ref, bytes([READ_VAR, len(payloads)]), data)


def write_job(ref, items_values):
    params = bytes([WRITE_VAR, len(items_values)]) + b"".join(i for i, _ in items_values)
    data = b"".join(data_item(v, last=k == len(items_values) - 1)
                    for k, (_, v) in enumerate(items_values))
    return s7(JOB, ref, params, data)


def write_ack(ref, n, rc=0xff):
    return s7(ACK_DATA, ref, bytes([WRITE_VAR, n]), bytes([rc] * n))


def userdata(ref, group, sub, data, typ=4, seq=0, resp=False, dur=0, last=0, err=0,
             cont=False):
    """cont: a request continuing a multi-part answer (12-byte parameters, method
    0x12, the sequence number of the answer)."""
    if resp or cont:
        params = struct.pack("!BBBBBBBBBBH", 0, 1, 0x12, 8, 0x12,
                             ((4 if cont else 8) << 4) | group, sub, seq, dur, last, err)
    else:
        params = struct.pack("!BBBBBBBB", 0, 1, 0x12, 4, 0x11, (typ << 4) | group, sub, seq)
    return s7(USERDATA, ref, params, data)


def plus(ver, body, trailer=True):
    """An S7comm-plus frame: 72 VER LEN(2) body [72 VER 00 00]."""
    return struct.pack("!BBH", 0x72, ver, len(body)) + body + \
        (struct.pack("!BBH", 0x72, ver, 0) if trailer else b"")


def s7_session(cap, sport, pdu=480, amq=1):
    s = TcpSession(cap, PG, PLC, sport, 102, rng=random.Random(sport))
    s.handshake()
    s.exchange(cr(), cr(cc=True, src_ref=0x44, dst_ref=1))
    s.exchange(dt(setup(0, pdu, amq)), dt(setup_ack(0, pdu, amq)))
    return s


def gen_segmented(path):
    """A read_var ack_data split over two COTP DTs (the first without EOT), each in
    its own TCP segment; a write_var job whose TPKT is cut inside its header and
    again inside the S7 parameters (three segments); a read_var and a write_var job
    in one segment, their two acks in one segment; an SZL 0x0011 read whose answer
    comes in two userdata parts (more follows, then the continuation request)."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = s7_session(cap, 49200, pdu=240, amq=2)
        s.send(dt(read_job(0x100, [item(AREA_DB, 10, 0, 64), item(AREA_M, 0, 0, 16)])), True)
        rsp = read_ack(0x100, [bytes(range(64)), bytes(range(100, 116))])
        # COTP segmentation: first DT carries 40 bytes of S7, no EOT; second the rest
        s.send(dt(rsp[:40], eot=False), False)
        s.send(dt(rsp[40:], eot=True), False)
        s.ack(True)
        w = dt(write_job(0x101, [(item(AREA_DB, 10, 4, 2), b"\x12\x34")]))
        s.send(w, True, split=[2, 20])
        s.send(dt(write_ack(0x101, 1)), False)
        s.ack(True)
        both = dt(read_job(0x102, [item(AREA_I, 0, 0, 2)])) + \
            dt(write_job(0x103, [(item(AREA_Q, 0, 0, 1), b"\x81")]))
        s.send(both, True)
        s.send(dt(read_ack(0x102, [b"\x0f\xf0"])) + dt(write_ack(0x103, 1)), False)
        s.ack(True)
        # SZL 0x0011 index 0 in two parts: 2 records, then 1 more
        def rec(n):
            # index, MLFB (20), module type, version (28 bytes)
            return struct.pack("!H", n) + b"6ES7 315-2EH14-0AB0 " + struct.pack("!HHH", 0xc0,
                                                                                0x0302, 0x0600)
        s.exchange(dt(userdata(0x104, 4, 1, b"\xff\x09\x00\x04" + struct.pack("!HH", 0x11, 0))),
                   dt(userdata(0x104, 4, 1, b"\xff\x09" + struct.pack("!H", 8 + 2 * 28) +
                               struct.pack("!HHHH", 0x11, 0, 28, 3) + rec(1) + rec(6),
                               resp=True, seq=3, last=1)))
        s.exchange(dt(userdata(0x105, 4, 1, b"\x0a\x00\x00\x00", seq=3, cont=True)),
                   dt(userdata(0x105, 4, 1, b"\xff\x09" + struct.pack("!H", 28) + rec(7),
                               resp=True, seq=3, last=0)))
        s.close()


def gen_plus(path):
    """An S7comm-plus session (TIA Portal / HMI to an S7-1500): COTP connect with the
    TSAP SIMATIC-ROOT-HMI, CreateObject (V1), SetMultiVariables (V2) answered, a V3
    GetMultiVariables with a 32-byte integrity digest (the session is then
    integrity-protected), a notification and keep-alives."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = TcpSession(cap, PG, PLC, 49300, 102, rng=random.Random(49300))
        s.handshake()
        cr_plus = bytes.fromhex("030000241fe00000011200c1020620c21053494d415449432d524f4f542d"
                                "484d49c0010a")
        cc_plus = bytes.fromhex("030000241fd00112000100c1020620c21053494d415449432d524f4f542d"
                                "484d49c0010a")
        s.exchange(cr_plus, cc_plus)
        create = bytes.fromhex(
            "030000d902f080720100ca31000004ca0000000100000120360000011d00040000000000a1000000d382"
            "1f0000a3816900151653657276657253657373696f6e5f3130303030303030a3822100150a313a3a3a36"
            "2e33323a3aa38228001508484d492055534552a38229001505534d405254a3822a001508484d4920484f"
            "5354a3822b000402a3822c001210000000a3822d0015164f4d532b20666f7220534d4152542052756e74"
            "696d65a1000000d3817f0000a38169001515537562736372697074696f6e436f6e7461696e6572a2a200"
            "00000072010000")
        # response: opcode 0x32, function 0x04ca, sequence 1, return value 0, object id
        create_rsp = dt(plus(1, bytes.fromhex("320000" "04ca" "0000" "0001" "000003be" "00"
                                              "000003be" "00000000")))
        s.exchange(create, create_rsp)
        setmulti = bytes.fromhex(
            "0300007a02f080720200 6b310000054200000002000003be34000003be010182320100170000013a823b"
            "00048200823c00048140823d00048480c040823e00048480c040823f0015008240001505323b32383882"
            "41000300030000000004e88969001200000000896a001300896b000400000000000072020000"
            .replace(" ", ""))
        setmulti_rsp = bytes.fromhex(
            "0300001f02f080720200103200000542000000023400000000000072020000")
        s.exchange(setmulti, setmulti_rsp)
        digest = bytes(range(32))
        get3 = dt(plus(3, b"\x20" + digest + bytes.fromhex("310000054c00000005000004003400"
                                                           "00")))
        get3_rsp = dt(plus(3, b"\x20" + digest[::-1] + bytes.fromhex("320000054c0000000500"
                                                                    "0000000000")))
        s.exchange(get3, get3_rsp)
        clock.advance(500000)
        s.send(dt(plus(2, bytes.fromhex("33000000010000000000"))), False)
        s.ack(True)
        clock.advance(500000)
        s.send(dt(bytes.fromhex("72ff0500")), True)
        s.send(dt(plus(0xfe, bytes.fromhex("00000000000001230000000000000000") + b"LOGOUT",
                       trailer=False)), False)
        s.ack(True)
        s.close()


def gen_malformed(path):
    """Each on a connection of its own, after CR/CC and setup communication, then a
    valid read_var: a TPKT length of 5 (shorter than TPKT + COTP DT); an S7 header
    whose parameter length runs past the DT; a read_var that announces 20 items and
    carries 1; ROSCTR 5 (undefined); a userdata PDU whose parameters stop after the
    method byte; an S7 protocol id of 0x33.  Then, on port 102, an HTTP request: not
    S7, not MMS."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        bad = [
            tpkt(b"\x02"),
            dt(struct.pack("!BBHHHH", 0x32, JOB, 0, 0x200, 200, 0) + b"\x04\x01"),
            dt(s7(JOB, 0x201, bytes([READ_VAR, 20]) + item(AREA_DB, 1, 0, 2))),
            dt(s7(5, 0x202, b"\x04\x00")),
            dt(s7(USERDATA, 0x203, b"\x00\x01\x12\x04\x11")),
            dt(b"\x33\x01" + bytes(8)),
        ]
        for i, b in enumerate(bad):
            s = s7_session(cap, 49400 + i)
            s.send(b, True)
            clock.advance(20000)
            s.exchange(dt(read_job(0x300 + i, [item(AREA_DB, 1, 0, 2)])),
                       dt(read_ack(0x300 + i, [b"\x00\x2a"])))
            s.close()
            clock.advance(100000)
        s = TcpSession(cap, PG, PLC, 49410, 102, rng=random.Random(49410))
        s.handshake()
        s.exchange(b"GET / HTTP/1.1\r\nHost: 192.168.40.10\r\n\r\n",
                   b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        s.close()


CAPTURES = [
    ("s7comm-segmented.pcap", gen_segmented),
    ("s7comm-plus.pcap", gen_plus),
    ("s7comm-malformed.pcap", gen_malformed),
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
