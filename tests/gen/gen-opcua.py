#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-opcua: write the OPC UA binary golden captures into tests/pcaps/.

specification: OPC 10000-6 (OPC UA Part 6: Mappings) 1.04, section 7.1 (OPC UA
Connection Protocol: HEL, ACK, ERR; message header MessageType, chunk type 'F' /
'C' / 'A', MessageSize), 6.7 (secure conversation: asymmetric and symmetric
security headers, sequence header, chunking and abort), 5.2 (binary encoding:
NodeId forms, String, ByteString, ExtensionObject, DataValue, Variant); OPC
10000-4 (services: OpenSecureChannel, Read, Write, CloseSecureChannel; request
and response headers).

    "MSG" CHUNK SIZE(4) | CHANNEL(4) TOKEN(4) | SEQ(4) REQID(4) | body
    first body bytes of a message: the service's encoding NodeId (01 00 LL HH)

Usage: gen-opcua.py [-o DIR] [NAME...]   (default DIR: the pcaps/ folder beside gen/)
Deterministic: run it twice, get byte-identical files.
"""

import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import T0, Capture, Clock, Host, TcpSession  # noqa: E402

CLIENT = Host("00:0c:29:4f:00:01", "192.168.70.5")
SERVER = Host("00:0c:29:4f:00:02", "192.168.70.40")
PORT = 4840
URL = "opc.tcp://192.168.70.40:4840"
POLICY_NONE = "http://opcfoundation.org/UA/SecurityPolicy#None"
OPN_REQ, OPN_RSP, CLO_REQ = 446, 449, 452
READ_REQ, READ_RSP, WRITE_REQ, WRITE_RSP = 631, 634, 673, 676
FILETIME = 133500000000000000  # 2024-01-15 in 100 ns ticks since 1601


def u32(v):
    return struct.pack("<I", v)


def i32(v):
    return struct.pack("<i", v)


def string(s):
    if s is None:
        return i32(-1)
    b = s.encode() if isinstance(s, str) else s
    return i32(len(b)) + b


def enc_id(n):
    """The encoding NodeId of a service, four-byte form."""
    return struct.pack("<BBH", 1, 0, n)


def nodeid_str(ns, s):
    return struct.pack("<BH", 3, ns) + string(s)


def request_header(handle, token=b"\x00\x00"):
    return token + struct.pack("<qIIi", FILETIME, handle, 0, -1) + u32(10000) + b"\x00\x00\x00"


def response_header(handle, result=0):
    return struct.pack("<qII", FILETIME, handle, result) + b"\x00" + i32(-1) + b"\x00\x00\x00"


def hdr(mtype, chunk, body):
    return mtype + chunk + u32(len(body) + 8) + body


def hello(url=URL, recv=65536, send=65536, max_msg=0, max_chunks=0):
    return hdr(b"HEL", b"F", struct.pack("<IIIII", 0, recv, send, max_msg, max_chunks) +
               string(url))


def ack(recv=65536, send=65536, max_msg=4194304, max_chunks=64):
    return hdr(b"ACK", b"F", struct.pack("<IIIII", 0, recv, send, max_msg, max_chunks))


def opn(channel, seq, req, body):
    return hdr(b"OPN", b"F", u32(channel) + string(POLICY_NONE) + i32(-1) + i32(-1) +
               u32(seq) + u32(req) + body)


def msg(channel, seq, req, body, chunk=b"F", mtype=b"MSG"):
    return hdr(mtype, chunk, u32(channel) + u32(1) + u32(seq) + u32(req) + body)


def open_channel(s, channel=7):
    s.exchange(hello(), ack())
    s.exchange(opn(0, 1, 1, enc_id(OPN_REQ) + request_header(1) +
                   struct.pack("<IIi", 0, 0, 1) + i32(-1) + u32(3600000)),
               opn(channel, 1, 1, enc_id(OPN_RSP) + response_header(1) + u32(0) +
                   struct.pack("<IIqI", channel, 1, FILETIME, 3600000) + i32(-1)))


def read_value_id(node):
    return node + u32(13) + i32(-1) + struct.pack("<H", 0) + i32(-1)


def read_request(handle, nodes):
    return enc_id(READ_REQ) + request_header(handle) + struct.pack("<dI", 0.0, 2) + \
        i32(len(nodes)) + b"".join(read_value_id(n) for n in nodes)


def read_response(handle, values):
    return enc_id(READ_RSP) + response_header(handle) + i32(len(values)) + \
        b"".join(b"\x01" + b"\x0b" + struct.pack("<d", v) for v in values) + i32(-1)


def write_request(handle, node, value):
    return enc_id(WRITE_REQ) + request_header(handle) + i32(1) + node + u32(13) + i32(-1) + \
        b"\x01" + b"\x0b" + struct.pack("<d", value)


def write_response(handle, status=0):
    return enc_id(WRITE_RSP) + response_header(handle) + i32(1) + u32(status) + i32(-1)


def chunks(channel, seq, req, body, n):
    """A message body cut into n chunks: 'C' ... 'C' 'F'."""
    size = (len(body) + n - 1) // n
    parts = [body[i:i + size] for i in range(0, len(body), size)]
    return [msg(channel, seq + i, req, p, b"C" if i < len(parts) - 1 else b"F")
            for i, p in enumerate(parts)], seq + len(parts)


def session(cap, sport):
    s = TcpSession(cap, CLIENT, SERVER, sport, PORT, rng=random.Random(sport))
    s.handshake()
    return s


def gen_chunked(path):
    """HEL/ACK, OPN (None); a Read of 60 nodes in two chunks answered by a
    ReadResponse in three chunks; a Write and a Read in one TCP segment, the
    WriteResponse cut over two segments and the ReadResponse after it; a Read
    whose sender gives up after its first chunk (an abort chunk, Bad_RequestTooLarge
    0x80b80000); CLO.  Then a Hello with an unknown endpoint answered by ERR
    (Bad_TcpEndpointUrlInvalid 0x80830000)."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        ch = 7
        s = session(cap, 53000)
        open_channel(s, ch)
        nodes = [nodeid_str(2, "Line1.Tag%02d" % i) for i in range(60)]
        seq = 2
        parts, cseq = chunks(ch, seq, 2, read_request(2, nodes), 2)
        for p in parts:
            s.send(p, True)
        sparts, sseq = chunks(ch, 2, 2, read_response(2, [20.0 + i / 8 for i in range(60)]), 3)
        for p in sparts:
            s.send(p, False)
        s.ack(True)
        w = msg(ch, cseq, 3, write_request(3, nodes[5], 42.5))
        r = msg(ch, cseq + 1, 4, read_request(4, [nodes[5]]))
        s.send(w + r, True)
        wr = msg(ch, sseq, 3, write_response(3))
        s.send(wr, False, split=[len(wr) // 2])
        s.send(msg(ch, sseq + 1, 4, read_response(4, [42.5])), False)
        s.ack(True)
        big, _ = chunks(ch, cseq + 2, 5, read_request(5, nodes), 2)
        s.send(big[0], True)
        s.send(msg(ch, cseq + 3, 5, u32(0x80b80000) + string("request too large"), b"A"), True)
        clock.advance(1000)
        s.send(msg(ch, cseq + 4, 6, enc_id(CLO_REQ) + request_header(6), mtype=b"CLO"), True)
        s.close()
        clock.advance(100000)
        s = session(cap, 53001)
        s.send(hello("opc.tcp://192.168.70.40:4840/nowhere"), True)
        s.send(hdr(b"ERR", b"F", u32(0x80830000) + string("unknown endpoint")), False)
        s.close(from_client=False)


def gen_malformed(path):
    """Each on a connection of its own after HEL/ACK and OPN, then a valid Read: a
    MessageSize of 4 (smaller than the header); an unknown message type "XYZ"; a
    MSG with chunk type 'Q'; a MSG whose body starts with NodeId encoding byte
    0x3f; a Read whose node count says 100000 nodes.  Then an HTTP request on
    4840."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        bads = [
            b"MSGF" + u32(4),
            hdr(b"XYZ", b"F", bytes(16)),
            msg(7, 2, 2, read_request(2, [nodeid_str(2, "A")]), chunk=b"Q"),
            msg(7, 2, 2, b"\x3f\x00\x00" + request_header(2)),
            msg(7, 2, 2, enc_id(READ_REQ) + request_header(2) + struct.pack("<dI", 0.0, 2) +
                i32(100000) + read_value_id(nodeid_str(2, "A"))),
        ]
        for i, bad in enumerate(bads):
            s = session(cap, 53100 + i)
            open_channel(s, 7)
            s.send(bad, True)
            clock.advance(2000)
            s.exchange(msg(7, 3, 3, read_request(3, [nodeid_str(2, "Line1.Speed")])),
                       msg(7, 2, 3, read_response(3, [1450.0])))
            s.close()
            clock.advance(50000)
        s = session(cap, 53110)
        s.exchange(b"GET / HTTP/1.1\r\nHost: 192.168.70.40:4840\r\n\r\n",
                   b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        s.close()


CAPTURES = [
    ("opcua-chunked.pcap", gen_chunked),
    ("opcua-malformed.pcap", gen_malformed),
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
