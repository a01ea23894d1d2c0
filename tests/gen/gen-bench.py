#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-bench: write a large OT-like capture for benchmarks.

Usage: gen-bench.py OUTPUT [COUNT] [--seed N]    (COUNT: packets, default 1000000)

The traffic, by share of packets (roughly):
  ~84%  Modbus/TCP: SCADA/HMI clients polling many PLCs on long-lived connections,
        mostly FC3/FC4 reads, some FC1/FC2, a few FC6/FC16 writes; request,
        response, pure ACK.  A connection now and then closes and reopens.
   4%   DNP3 over TCP 20000: class 0 polls and responses with analog inputs (link
        frames with their CRC-16 every 16 bytes: poly 0x3D65 reflected, inverted).
   4%   IEC 60870-5-104 over TCP 2404: spontaneous measured floats (type 13) as
        I-frames, S-frame acknowledgements, TESTFR keep-alives.
   1%   ARP requests and replies.
   7%   non-OT: DNS and NTP over UDP, HTTPS-like bulk TCP (full-size segments).

Mostly small packets, like a real OT network.  Deterministic for a given seed and
count.  Packets are built with precomputed per-direction headers and struct, and
written in large chunks: a million packets take seconds, not minutes.

specification: MODBUS Messaging on TCP/IP V1.0b; IEEE 1815-2012 (DNP3) sections
9.2 (link frame and CRC) and 8 (transport); IEC 60870-5-104:2006 section 5 (APCI)
with IEC 60870-5-101 ASDU type 13.
"""

import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import (T0, PcapWriter, LINKTYPE_ETHERNET, ether, arp, ipv4, udp,  # noqa: E402
                     ETH_P_ARP, IPPROTO_UDP)

SYN, FIN, PSH, ACK = 0x02, 0x01, 0x08, 0x10

_TCPH = struct.Struct("!HHIIBBHHH")
_IPH = struct.Struct("!BBHHHBBH4s4s")
_H = struct.Struct("!H")
_MBAP = struct.Struct("!HHHB")


def _fold(s):
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    return s


class Dir:
    """One direction of a TCP connection with everything precomputed."""
    __slots__ = ("eth", "src", "dst", "ip_base", "ps_base", "sport", "dport", "seq", "ident")

    def __init__(self, smac, dmac, sip, dip, sport, dport, seq, ident):
        self.eth = dmac + smac + b"\x08\x00"
        self.src, self.dst = sip, dip
        # IPv4 header words that never change (version/IHL, flags DF, TTL 64 / TCP,
        # addresses); total length and ident are added per packet
        words = struct.unpack("!10H", _IPH.pack(0x45, 0, 0, 0, 0x4000, 64, 6, 0, sip, dip))
        self.ip_base = sum(words)
        self.ps_base = int.from_bytes(sip + dip, "big") + 6
        self.sport, self.dport = sport, dport
        self.seq = seq
        self.ident = ident


class Conn:
    """A TCP connection as two Dirs; frame() returns Ethernet bytes."""
    __slots__ = ("c", "s", "open")

    def __init__(self, rng, cmac, cip, smac, sip, sport, dport):
        self.c = Dir(cmac, smac, cip, sip, sport, dport, rng.getrandbits(32),
                     rng.getrandbits(16))
        self.s = Dir(smac, cmac, sip, cip, dport, sport, rng.getrandbits(32),
                     rng.getrandbits(16))
        self.open = False

    def frame(self, to_server, flags, payload=b""):
        d, o = (self.c, self.s) if to_server else (self.s, self.c)
        seg = _TCPH.pack(d.sport, d.dport, d.seq, o.seq if flags & ACK else 0, 0x50, flags,
                         501, 0, 0) + payload
        n = int.from_bytes(seg, "big") * (1 if not len(seg) & 1 else 256) + d.ps_base + len(seg)
        s = n % 0xFFFF
        if s == 0 and n:
            s = 0xFFFF
        seg = seg[:16] + _H.pack(~s & 0xFFFF) + seg[18:]
        total = 20 + len(seg)
        c = ~_fold(d.ip_base + total + d.ident) & 0xFFFF
        iph = _IPH.pack(0x45, 0, total, d.ident, 0x4000, 64, 6, c, d.src, d.dst)
        d.ident = (d.ident + 1) & 0xFFFF
        d.seq = (d.seq + len(payload) + (1 if flags & (SYN | FIN) else 0)) & 0xFFFFFFFF
        f = d.eth + iph + seg
        if len(f) < 60:
            f += b"\0" * (60 - len(f))
        return f

    def handshake(self):
        out = [self.frame(True, SYN), None, None]
        out[1] = self.frame(False, SYN | ACK)
        out[2] = self.frame(True, ACK)
        self.open = True
        return out

    def close(self):
        out = [self.frame(True, FIN | ACK), self.frame(False, FIN | ACK),
               self.frame(True, ACK)]
        self.open = False
        return out


# ----------------------------------------------------------------------------- DNP3

def _crc_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xA6BC if c & 1 else c >> 1  # 0x3D65 reflected
        t.append(c)
    return t


_DNP_CRC = _crc_table()


def dnp3_crc(data):
    c = 0
    for b in data:
        c = (c >> 8) ^ _DNP_CRC[(c ^ b) & 0xFF]
    return struct.pack("<H", ~c & 0xFFFF)


def dnp3_frame(ctrl, dst, src, user):
    """Link frame: header block + 16-byte data blocks, each followed by its CRC."""
    hdr = struct.pack("<BBBBHH", 0x05, 0x64, 5 + len(user), ctrl, dst, src)
    out = hdr + dnp3_crc(hdr)
    for i in range(0, len(user), 16):
        blk = user[i:i + 16]
        out += blk + dnp3_crc(blk)
    return out


def dnp3_read_class0(seq, master, outstation):
    # transport FIR|FIN + seq; application control FIR|FIN + seq; READ; g60v1 qualifier 6
    user = bytes([0xC0 | (seq & 0x3F), 0xC0 | (seq & 0x0F), 0x01, 0x3C, 0x01, 0x06])
    return dnp3_frame(0xC4, outstation, master, user)  # DIR|PRM, unconfirmed user data


def dnp3_response(seq, master, outstation, values):
    objs = struct.pack("<BBBBB", 30, 1, 0x00, 0, len(values) - 1)
    for v in values:
        objs += struct.pack("<Bi", 0x01, v)
    user = bytes([0xC0 | (seq & 0x3F), 0xC0 | (seq & 0x0F), 0x81, 0x00, 0x00]) + objs
    return dnp3_frame(0x44, master, outstation, user)


# ----------------------------------------------------------------------------- IEC 104

def iec104_i(ns, nr, ca, ioa, value):
    asdu = struct.pack("<BBHH", 13, 1, 3, ca) + struct.pack("<I", ioa)[:3] + \
        struct.pack("<fB", value, 0)
    return struct.pack("<BBHH", 0x68, 4 + len(asdu), (ns << 1) & 0xFFFF, (nr << 1) & 0xFFFF) + asdu


def iec104_s(nr):
    return struct.pack("<BBHH", 0x68, 4, 1, (nr << 1) & 0xFFFF)


TESTFR_ACT = b"\x68\x04\x43\x00\x00\x00"
TESTFR_CON = b"\x68\x04\x83\x00\x00\x00"


# ----------------------------------------------------------------------------- DNS

def dns_query(qid, name):
    q = b"".join(bytes([len(p)]) + p for p in name.split(b".")) + b"\0"
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)


def dns_answer(qid, name, addr):
    q = b"".join(bytes([len(p)]) + p for p in name.split(b".")) + b"\0"
    return struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + q + struct.pack("!HH", 1, 1) + \
        struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + addr


def ntp_packet(mode, ts):
    return struct.pack("!BBbbII4sQQQQ", (4 << 3) | mode, 2 if mode == 4 else 0, 6, -20, 0, 0,
                       b"\0\0\0\0", 0, 0, 0, (ts + 2208988800) << 32)


# ----------------------------------------------------------------------------- the mix

def host_mac(i, oui=b"\x00\x80\xf4"):
    return oui + struct.pack("!I", i)[1:]


def host_ip(net, i):
    return bytes([10, net, (i >> 8) & 0xFF, i & 0xFF])


class Gen:
    def __init__(self, out, count, seed):
        self.rng = random.Random(seed)
        self.count = count
        self.n = 0
        self.ts = T0 * 1000000
        self.f = open(out, "wb")
        self.w = PcapWriter(self.f, LINKTYPE_ETHERNET)

    def emit(self, frames):
        for fr in frames:
            if self.n >= self.count:
                return
            self.ts += 4 + (self.rng.getrandbits(6))  # 4..67 us apart: ~28k packets/s
            self.w.write(self.ts, fr)
            self.n += 1

    def run(self):
        rng = self.rng
        # --- Modbus: 16 SCADA/HMI clients, 400 PLCs; each PLC polled by one or two clients
        clients = [(host_mac(0x100 + i, b"\x00\x1b\x21"), host_ip(1, 10 + i)) for i in range(16)]
        plcs = [(host_mac(0x200 + i), host_ip(2, 10 + i)) for i in range(400)]
        mb = []
        for j, (pm, pip) in enumerate(plcs):
            for k in range(1 + (j % 3 == 0)):
                cm, cip = clients[(j + 7 * k) % len(clients)]
                mb.append({"conn": None, "cli": (cm, cip), "srv": (pm, pip),
                           "port": 40000 + j * 2 + k, "tid": rng.getrandbits(16),
                           "unit": 1 + (j % 4 == 0) * rng.randrange(2, 248),
                           "base": rng.randrange(0, 4000), "regs": [rng.getrandbits(16)
                                                                    for _ in range(64)]})
        # --- DNP3: 2 masters x 8 outstations;  IEC 104: 2 masters x 8 RTUs
        dnp = []
        for i in range(16):
            mm, mip = host_mac(0x300 + i // 8, b"\x00\x1b\x21"), host_ip(3, 10 + i // 8)
            om, oip = host_mac(0x310 + i, b"\x00\x0e\x8c"), host_ip(3, 100 + i)
            c = Conn(rng, mm, mip, om, oip, 45000 + i, 20000)
            dnp.append({"conn": c, "seq": 0, "addr": 10 + i, "vals": [rng.randrange(-500, 5000)
                                                                      for _ in range(10)]})
        iec = []
        for i in range(16):
            mm, mip = host_mac(0x400 + i // 8, b"\x00\x1b\x21"), host_ip(4, 10 + i // 8)
            om, oip = host_mac(0x410 + i, b"\x00\x0e\x8c"), host_ip(4, 100 + i)
            c = Conn(rng, mm, mip, om, oip, 46000 + i, 2404)
            iec.append({"conn": c, "ns": 0, "nr": 0, "ca": 1 + i, "unacked": 0})
        # --- IT: a DNS server, an NTP server, a web proxy
        dns_srv = (host_mac(0x500, b"\x52\x54\x00"), host_ip(5, 53))
        ntp_srv = (host_mac(0x501, b"\x52\x54\x00"), host_ip(5, 123))
        web = Conn(rng, host_mac(0x502, b"\x00\x1b\x21"), host_ip(5, 80),
                   host_mac(0x503, b"\x52\x54\x00"), bytes([198, 51, 100, 7]), 52000, 443)
        names = [b"historian.plant.local", b"scada1.plant.local", b"update.vendor.example",
                 b"ntp.plant.local"]
        bulk = bytes(rng.getrandbits(8) for _ in range(1460))

        while self.n < self.count:
            r = rng.random()
            if r < 0.84:
                self.modbus(rng.choice(mb))
            elif r < 0.88:
                self.dnp3(rng.choice(dnp))
            elif r < 0.92:
                self.iec104(rng.choice(iec))
            elif r < 0.93:
                a, b = rng.sample(plcs + clients, 2)
                self.emit([ether(b"\xff" * 6, a[0], ETH_P_ARP,
                                 arp(1, a[0], a[1], b"\0" * 6, b[1])),
                           ether(a[0], b[0], ETH_P_ARP, arp(2, b[0], b[1], a[0], a[1]))])
            elif r < 0.96:
                cm, cip = rng.choice(clients)
                qid = rng.getrandbits(16)
                name = rng.choice(names)
                sport = 30000 + rng.getrandbits(12)
                self.emit([self.udp_frame(cm, cip, dns_srv[0], dns_srv[1], sport, 53,
                                          dns_query(qid, name)),
                           self.udp_frame(dns_srv[0], dns_srv[1], cm, cip, 53, sport,
                                          dns_answer(qid, name, host_ip(6, len(name))))])
            elif r < 0.97:
                pm, pip = rng.choice(plcs)
                t = self.ts // 1000000
                self.emit([self.udp_frame(pm, pip, ntp_srv[0], ntp_srv[1], 123, 123,
                                          ntp_packet(3, t)),
                           self.udp_frame(ntp_srv[0], ntp_srv[1], pm, pip, 123, 123,
                                          ntp_packet(4, t))])
            else:
                if not web.open:
                    self.emit(web.handshake())
                self.emit([web.frame(False, ACK | PSH, bulk), web.frame(False, ACK | PSH, bulk),
                           web.frame(True, ACK)])
        self.w.flush()
        self.f.close()

    def udp_frame(self, smac, sip, dmac, dip, sport, dport, payload):
        return ether(dmac, smac, 0x0800, ipv4(sip, dip, IPPROTO_UDP,
                                              udp(sip, dip, sport, dport, payload)))

    def modbus(self, p):
        rng = self.rng
        c = p["conn"]
        if c is None or not c.open:
            cm, cip = p["cli"]
            pm, pip = p["srv"]
            p["port"] = 1024 + (p["port"] + 997) % 64000
            c = p["conn"] = Conn(rng, cm, cip, pm, pip, p["port"], 502)
            self.emit(c.handshake())
        tid = p["tid"] = (p["tid"] + 1) & 0xFFFF
        unit = p["unit"]
        r = rng.random()
        if r < 0.55:
            fc, qty = 3, 1 + rng.getrandbits(4)
        elif r < 0.85:
            fc, qty = 4, 1 + rng.getrandbits(3)
        elif r < 0.93:
            fc, qty = 1 + rng.getrandbits(1), 8 + rng.getrandbits(4)
        elif r < 0.97:
            fc, qty = 6, 1
        else:
            fc, qty = 16, 1 + rng.getrandbits(2)
        addr = p["base"] + rng.getrandbits(5)
        regs = p["regs"]
        if fc in (3, 4):
            pdu = struct.pack("!BHH", fc, addr, qty)
            off = rng.getrandbits(5)
            rsp = struct.pack("!BB", fc, 2 * qty) + struct.pack("!%dH" % qty,
                                                                 *regs[off:off + qty])
        elif fc in (1, 2):
            pdu = struct.pack("!BHH", fc, addr, qty)
            nb = (qty + 7) // 8
            rsp = struct.pack("!BB", fc, nb) + bytes(rng.getrandbits(8) for _ in range(nb))
        elif fc == 6:
            pdu = struct.pack("!BHH", 6, addr, regs[addr & 63])
            rsp = pdu
        else:
            vals = regs[:qty]
            pdu = struct.pack("!BHHB", 16, addr, qty, 2 * qty) + struct.pack("!%dH" % qty, *vals)
            rsp = struct.pack("!BHH", 16, addr, qty)
        req = _MBAP.pack(tid, 0, len(pdu) + 1, unit) + pdu
        resp = _MBAP.pack(tid, 0, len(rsp) + 1, unit) + rsp
        frames = [c.frame(True, ACK | PSH, req), c.frame(False, ACK | PSH, resp),
                  c.frame(True, ACK)]
        if rng.random() < 0.0005:
            frames += c.close()
        self.emit(frames)

    def dnp3(self, d):
        c = d["conn"]
        if not c.open:
            self.emit(c.handshake())
        seq = d["seq"] = (d["seq"] + 1) & 0x3F
        vals = d["vals"]
        i = self.rng.getrandbits(3)
        vals[i] += self.rng.randrange(-3, 4)
        self.emit([c.frame(True, ACK | PSH, dnp3_read_class0(seq, 1, d["addr"])),
                   c.frame(False, ACK | PSH, dnp3_response(seq, 1, d["addr"], vals)),
                   c.frame(True, ACK)])

    def iec104(self, e):
        c = e["conn"]
        if not c.open:
            self.emit(c.handshake())
            self.emit([c.frame(True, ACK | PSH, b"\x68\x04\x07\x00\x00\x00"),   # STARTDT act
                       c.frame(False, ACK | PSH, b"\x68\x04\x0b\x00\x00\x00")])  # STARTDT con
        r = self.rng.random()
        if r < 0.05:
            self.emit([c.frame(True, ACK | PSH, TESTFR_ACT), c.frame(False, ACK | PSH, TESTFR_CON)])
            return
        ns = e["ns"]
        e["ns"] = (ns + 1) & 0x7FFF
        e["unacked"] += 1
        val = 20.0 + self.rng.getrandbits(10) / 16.0
        frames = [c.frame(False, ACK | PSH, iec104_i(ns, e["nr"], e["ca"],
                                                     1000 + self.rng.getrandbits(4), val))]
        if e["unacked"] >= 8:
            frames.append(c.frame(True, ACK | PSH, iec104_s(e["ns"])))
            e["unacked"] = 0
        else:
            frames.append(c.frame(True, ACK))
        self.emit(frames)


def main():
    ap = argparse.ArgumentParser(description="write a large OT-like benchmark capture")
    ap.add_argument("output")
    ap.add_argument("count", nargs="?", type=int, default=1000000, help="packets (1000000)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.count < 1:
        ap.error("count must be positive")
    g = Gen(a.output, a.count, a.seed)
    g.run()
    print("%s: %d packets" % (a.output, g.n))


if __name__ == "__main__":
    main()
