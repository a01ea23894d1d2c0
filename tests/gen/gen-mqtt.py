#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-mqtt: write the MQTT golden captures into tests/pcaps/.

specification: MQTT Version 3.1.1 (OASIS Standard, 2014) section 2 (fixed header:
packet type and flags, Remaining Length as a variable byte integer of 1 to 4
bytes), section 3 (CONNECT ... DISCONNECT); MQTT Version 5.0 (OASIS Standard,
2019) section 2.2.2 (properties), 3.15 (AUTH).

    byte 1: type(4) flags(4) | Remaining Length (1-4 bytes, 7 bits each, MSB =
    continuation) | variable header | payload

Usage: gen-mqtt.py [-o DIR] [NAME...]   (default DIR: the pcaps/ folder beside gen/)
Deterministic: run it twice, get byte-identical files.
"""

import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import T0, Capture, Clock, Host, TcpSession  # noqa: E402

CLIENT = Host("00:1c:42:aa:10:01", "192.168.30.10")
BROKER = Host("00:1c:42:aa:10:02", "192.168.30.2")
CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT, AUTH = \
    8, 9, 10, 11, 12, 13, 14, 15


def varint(n):
    out = b""
    while True:
        b = n & 0x7f
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def s(text):
    b = text.encode() if isinstance(text, str) else text
    return struct.pack("!H", len(b)) + b


def pkt(ptype, flags, body, rl=None):
    return bytes([ptype << 4 | flags]) + (varint(len(body)) if rl is None else rl) + body


def connect(cid, level=4, user=None, password=None, will=None, keepalive=60, props=b""):
    flags = 0x02  # clean session
    payload = s(cid)
    if will:
        topic, msg, qos, retain = will
        flags |= 0x04 | qos << 3 | (0x20 if retain else 0)
        payload += (varint(0) if level == 5 else b"") + s(topic) + s(msg)
    if user is not None:
        flags |= 0x80
        payload += s(user)
    if password is not None:
        flags |= 0x40
        payload += s(password)
    vh = s("MQTT") + bytes([level, flags]) + struct.pack("!H", keepalive)
    if level == 5:
        vh += varint(len(props)) + props
    return pkt(CONNECT, 0, vh + payload)


def connack(rc=0, level=4):
    return pkt(CONNACK, 0, bytes([0, rc]) + (varint(0) if level == 5 else b""))


def publish(topic, payload, qos=0, pid=None, retain=False, dup=False, level=4, props=b""):
    flags = qos << 1 | (1 if retain else 0) | (8 if dup else 0)
    body = s(topic) + (struct.pack("!H", pid) if qos else b"")
    if level == 5:
        body += varint(len(props)) + props
    return pkt(PUBLISH, flags, body + payload)


def ack(ptype, pid, flags=0):
    return pkt(ptype, flags, struct.pack("!H", pid))


def subscribe(pid, filters, level=4):
    body = struct.pack("!H", pid) + (varint(0) if level == 5 else b"")
    for f, q in filters:
        body += s(f) + bytes([q])
    return pkt(SUBSCRIBE, 2, body)


def suback(pid, codes, level=4):
    return pkt(SUBACK, 0, struct.pack("!H", pid) + (varint(0) if level == 5 else b"") +
               bytes(codes))


def session(cap, sport, dport=1883):
    s_ = TcpSession(cap, CLIENT, BROKER, sport, dport, rng=random.Random(sport))
    s_.handshake()
    return s_


def gen_segmented(path):
    """A 300-byte PUBLISH whose two-byte Remaining Length is cut between two
    segments, in three segments; PUBACK + PUBLISH + PINGREQ in one segment (and the
    broker's answers in one segment); SUBSCRIBE with three filters, UNSUBSCRIBE;
    MQTT 5.0 CONNECT with properties (session expiry, receive maximum) and a PUBLISH
    with a content type; AUTH (5.0 enhanced authentication); DISCONNECT."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        c = session(cap, 51000)
        c.exchange(connect("line1-gw", user="gw", password="pw"), connack())
        c.exchange(subscribe(1, [("plant/+/alarm", 1), ("plant/line1/#", 2), ("$SYS/#", 0)]),
                   suback(1, [1, 2, 0x80]))
        big = publish("plant/line1/recipe", bytes(range(256)) + b"x" * 44, qos=1, pid=2)
        # split: 1 byte (type), 1 byte (first Remaining Length byte), the rest
        c.send(big, True, split=[1, 1, 100])
        c.send(ack(PUBACK, 2), False)
        clock.advance(5000)
        c.send(publish("plant/line1/alarm", b"HIGH", qos=1, pid=7), False)
        three = ack(PUBACK, 7) + publish("plant/line1/temp", b"21.5", qos=0) + \
            pkt(PINGREQ, 0, b"")
        c.send(three, True)
        c.send(pkt(PINGRESP, 0, b"") + publish("plant/line1/alarm", b"LOW", qos=1, pid=8),
               False)
        c.send(ack(PUBACK, 8), True)
        c.exchange(pkt(UNSUBSCRIBE, 2, struct.pack("!H", 3) + s("$SYS/#")),
                   ack(UNSUBACK, 3))
        c.send(pkt(DISCONNECT, 0, b""), True)
        c.close()
        clock.advance(100000)
        # MQTT 5.0
        c = session(cap, 51001)
        props = b"\x11" + struct.pack("!I", 3600) + b"\x21" + struct.pack("!H", 10)
        c.exchange(connect("line2-gw-v5", level=5, props=props,
                           will=("plant/line2/status", b"offline", 1, True)),
                   connack(0, level=5))
        c.exchange(publish("plant/line2/json", b'{"t":21.5}', qos=2, pid=1, level=5,
                           props=b"\x03" + s("application/json")),
                   ack(PUBREC, 1))
        c.exchange(ack(PUBREL, 1, flags=2), ack(PUBCOMP, 1))
        # AUTH: reason 0x18 continue authentication, method SCRAM-SHA-1
        c.exchange(pkt(AUTH, 0, b"\x18" + varint(3 + 11) + b"\x15" + s("SCRAM-SHA-1")),
                   pkt(AUTH, 0, b"\x00" + varint(0)))
        c.send(pkt(DISCONNECT, 0, b"\x04" + varint(0)), True)  # with will message
        c.close()


def gen_malformed(path):
    """A Remaining Length of five bytes (over the four allowed), a PUBLISH of QoS 3,
    a CONNECT whose protocol name is not MQTT, packet type 0 (reserved), a
    SUBSCRIBE with reserved flags 0 and a topic filter length that runs past the
    packet; a well-formed PINGREQ/PINGRESP and PUBLISH after each, each case on a
    connection of its own; TLS on 8883 (MQTT over TLS: not decoded)."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        cases = [
            bytes([0x30]) + b"\xff\xff\xff\xff\x01",
            publish("plant/x", b"1", qos=3, pid=1),
            pkt(CONNECT, 0, s("MQXX") + bytes([4, 2]) + struct.pack("!H", 60) + s("bad")),
            pkt(0, 0, b"\x00\x01"),
            pkt(SUBSCRIBE, 0, struct.pack("!H", 5) + struct.pack("!H", 200) + b"plant/#\x01"),
        ]
        for i, bad in enumerate(cases):
            c = session(cap, 51100 + i)
            c.exchange(connect("mal-%d" % i), connack())
            c.send(bad, True)
            clock.advance(2000)
            c.exchange(pkt(PINGREQ, 0, b""), pkt(PINGRESP, 0, b""))
            c.send(publish("plant/ok", b"after-%d" % i), True)
            c.close()
            clock.advance(50000)
        c = session(cap, 51110, dport=8883)
        hello = bytes.fromhex("160301002f0100002b0303") + bytes(range(32)) + \
            bytes.fromhex("000004130113020100")
        c.send(hello, True)
        c.send(bytes.fromhex("160303002a020000260303") + bytes(32) + bytes.fromhex("00130100"),
               False)
        c.close()


def gen_resync(path):
    """Two garbage bytes "zz" (0x7a 0x7a: a PUBCOMP header with reserved flags 1010
    and a Remaining Length of 122) before a PINGREQ and a PUBLISH in the same
    segment: the PINGREQ and the PUBLISH must still be reported."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        c = session(cap, 51200)
        c.exchange(connect("resync"), connack())
        c.send(b"zz" + pkt(PINGREQ, 0, b"") + publish("plant/ok", b"after"), True)
        c.send(pkt(PINGRESP, 0, b""), False)
        clock.advance(2000)
        c.exchange(pkt(PINGREQ, 0, b""), pkt(PINGRESP, 0, b""))
        c.close()


CAPTURES = [
    ("mqtt-segmented.pcap", gen_segmented),
    ("mqtt-malformed.pcap", gen_malformed),
    ("mqtt-resync.pcap", gen_resync),
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
