#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-mirror: write the mirror-port golden captures into tests/pcaps/: remote SPAN
tunnels (GRE, ERSPAN I/II/III, VXLAN), the duplicates a SPAN session makes, and the
redundancy tags and trailers of PRP and HSR substation networks.

specification: RFC 2784 and RFC 2890 (GRE, key, sequence number); RFC 1701 (routing,
version); draft-foschiano-erspan-03 sections 4.1-4.3 (ERSPAN types I, II, III and the
type III platform specific subheader); RFC 7348 section 5 (VXLAN); IEC 62439-3:2016
clauses 4.1.10 (PRP redundancy control trailer: sequence number, LAN id A=0xa / B=0xb,
LSDU size counting every byte after the ethertype up to the trailer's end, suffix
0x88fb) and 5.5 (HSR tag, ethertype 0x892f, path, LSDU size, sequence number).

    GRE   | C R K S ... Ver | protocol type | [checksum] [key] [sequence] | inner
    ERSPAN II  | Ver=1 VLAN | COS En T SessionID | reserved | index |
    ERSPAN III | Ver=2 VLAN | COS BSO T SessionID | timestamp | SGT P FT HwID D Gra O |
    VXLAN | flags (I=0x08) | reserved | VNI(24) reserved |
    PRP   frame ... | seq(16) | LAN(4) LSDU size(12) | 0x88fb |
    HSR   dst src [8100 TCI] 892f | path(4) LSDU size(12) | seq(16) | ethertype | payload

The mirrored traffic inside is a short Modbus/TCP poll (and GOOSE for HSR), so the
events show the inner conversation with the tunnel's outer ends beside it.

Usage: gen-mirror.py [-o DIR] [NAME...]   (default DIR: the pcaps/ folder beside gen/)
Deterministic: run it twice, get byte-identical files.
"""

import argparse
import importlib.util
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from pcapgen import (T0, Capture, Clock, Host, TcpSession, ETH_P_IP, ETH_P_IPV6,  # noqa: E402
                     ETH_P_8021Q, csum, ether, ipv4, ipv6, udp, mac)

_spec = importlib.util.spec_from_file_location("gen_goose", os.path.join(HERE, "gen-goose.py"))
gen_goose = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_goose)

IPPROTO_GRE = 47
IPPROTO_UDP = 17
GRE_P_TEB = 0x6558
GRE_P_ERSPAN = 0x88BE      # type I (no sequence number) and II
GRE_P_ERSPAN3 = 0x22EB
GRE_C, GRE_K, GRE_S = 0x8000, 0x2000, 0x1000
VXLAN_PORT = 4789
ETH_P_PRP = 0x88FB
ETH_P_HSR = 0x892F
PRP_LAN_A, PRP_LAN_B = 0xA, 0xB
PRP_SUPERVISION_DST = "01:15:4e:00:01:00"

HMI_MAC, HMI = "00:1b:21:3a:10:10", "192.168.10.10"
PLC_MAC, PLC = "00:80:f4:0c:20:20", "192.168.10.20"
SWITCH_MAC, COLLECTOR_MAC = "00:1c:73:00:00:01", "00:25:90:aa:bb:cc"
SWITCH, COLLECTOR = "10.99.0.1", "10.99.0.2"
SWITCH6, COLLECTOR6 = "fd00:99::1", "fd00:99::2"
ROUTER_A_MAC, ROUTER_B_MAC = "00:00:5e:00:01:0a", "00:00:5e:00:01:0b"


# ----------------------------------------------------------------------------- headers

def gre(proto, inner, key=None, seq=None, checksum=False, flags=0, version=0):
    f = flags | version
    opt = b""
    if checksum:
        f |= GRE_C
        opt += b"\0\0\0\0"  # checksum left zero: the sensor does not check it
    if key is not None:
        f |= GRE_K
        opt += struct.pack("!I", key)
    if seq is not None:
        f |= GRE_S
        opt += struct.pack("!I", seq)
    return struct.pack("!HH", f, proto) + opt + inner


def erspan2(inner, session, vlan=0, index=0, cos=0, en=3, t=0):
    return struct.pack("!HHI", (1 << 12) | vlan, (cos << 13) | (en << 11) | (t << 10) | session,
                       index & 0xFFFFF) + inner


def erspan3(inner, session, ts, vlan=0, ft=0, sgt=0, hwid=1, o=False, platform=b""):
    w2 = (0 << 15) | (ft << 10) | (hwid << 4) | (0 << 3) | (1 << 1) | (1 if o else 0)
    hdr = struct.pack("!HHIHH", (2 << 12) | vlan, session, ts & 0xFFFFFFFF, sgt, w2)
    return hdr + (platform if o else b"") + inner


def vxlan(inner, vni, flags=0x08):
    return struct.pack("!B3xI", flags, vni << 8) + inner


class Tunnel:
    """Wraps each mirrored frame into the outer headers of a remote SPAN session
    from the switch to the collector (the sensor)."""

    def __init__(self, kind, session=0, key=None, v6=False, ident=0x100):
        self.kind, self.session, self.key, self.v6 = kind, session, key, v6
        self.seq = 0
        self.ident = ident

    def outer(self, proto, payload):
        self.ident += 1
        if self.v6:
            return ether(COLLECTOR_MAC, SWITCH_MAC, ETH_P_IPV6,
                         ipv6(SWITCH6, COLLECTOR6, proto, payload))
        return ether(COLLECTOR_MAC, SWITCH_MAC, ETH_P_IP,
                     ipv4(SWITCH, COLLECTOR, proto, payload, ident=self.ident, df=False))

    def __call__(self, frame, ts):
        self.seq += 1
        k = self.kind
        if k == "gre-teb":
            return [(0, self.outer(IPPROTO_GRE, gre(GRE_P_TEB, frame, key=self.key)))]
        if k == "gre-ip":
            # GRE carrying the IP packet only (a layer 3 tunnel): no inner Ethernet
            et = struct.unpack("!H", frame[12:14])[0]
            ip = frame[14:]
            if et == ETH_P_IP:
                ip = ip[:struct.unpack("!H", ip[2:4])[0]]  # without Ethernet padding
            return [(0, self.outer(IPPROTO_GRE, gre(et, ip, key=self.key, checksum=True)))]
        if k == "erspan1":
            return [(0, self.outer(IPPROTO_GRE, gre(GRE_P_ERSPAN, frame)))]
        if k == "erspan2":
            return [(0, self.outer(IPPROTO_GRE, gre(GRE_P_ERSPAN, erspan2(
                frame, self.session, vlan=10, index=3), seq=self.seq)))]
        if k == "erspan3":
            platform = struct.pack("!II", (3 << 26) | 0x1234, ts & 0xFFFFFFFF)
            return [(0, self.outer(IPPROTO_GRE, gre(GRE_P_ERSPAN3, erspan3(
                frame, self.session, ts // 1000, vlan=10, o=True, platform=platform),
                seq=self.seq)))]
        if k == "vxlan":
            sport = 49152 + (self.session & 0x3FFF)
            return [(0, self.outer(IPPROTO_UDP, udp(SWITCH, COLLECTOR, sport, VXLAN_PORT,
                                                    vxlan(frame, self.session))))]
        raise ValueError(k)


class Mirror(Capture):
    """A capture whose frames go through `wrap(frame, ts)` -> [(delay_us, bytes)]:
    encapsulation, duplication, redundancy tags.  Delays keep file order."""

    def __init__(self, path, clock, wrap, **kw):
        super().__init__(path, clock, **kw)
        self.wrap = wrap

    def frame(self, data, ts=None, orig_len=None):
        base = self.clock.now if ts is None else ts
        for delay, f in self.wrap(bytes(data), base):
            super().frame(f, base + delay)


# ----------------------------------------------------------------------------- traffic

def adu(tid, unit, pdu):
    return struct.pack("!HHHB", tid, 0, len(pdu) + 1, unit) + pdu


def modbus_poll(cap, sport=50200, polls=3, vlans=(), seed=7):
    """A Modbus/TCP connection: handshake, `polls` reads of holding registers and a
    write, answered, then a FIN close."""
    s = TcpSession(cap, Host(HMI_MAC, HMI), Host(PLC_MAC, PLC), sport, 502,
                   rng=random.Random(seed), vlans=vlans)
    s.handshake()
    tid = 1
    for i in range(polls):
        cap.clock.advance(100000)
        req = adu(tid, 1, struct.pack("!BHH", 3, 100 + i, 2))
        resp = adu(tid, 1, struct.pack("!BB", 3, 4) + struct.pack("!HH", 1000 + i, 7))
        s.exchange(req, resp, think_us=2000)
        tid += 1
    cap.clock.advance(100000)
    s.exchange(adu(tid, 1, struct.pack("!BHH", 6, 40, 1234)),
               adu(tid, 1, struct.pack("!BHH", 6, 40, 1234)), think_us=2000)
    cap.clock.advance(50000)
    s.close()


def goose_publisher(cap, vlan=None):
    return gen_goose.Publisher(cap, "00:30:a7:10:00:01", "01:0c:cd:01:00:01", 0x0001,
                               b"IED1PROT/LLN0$GO$gcbTrip", b"IED1PROT/LLN0$dsTrip",
                               go_id=b"IED1_TRIP", vlan=vlan, conf_rev=2, heartbeat_ms=100)


# ----------------------------------------------------------------------------- captures

def gen_tunnel(kind, **kw):
    def gen(path):
        clock = Clock(T0)
        with Mirror(path, clock, Tunnel(kind, **kw)) as cap:
            modbus_poll(cap)
    return gen


def routed_copy(frame, vlan):
    """The same IPv4 packet seen on the far side of a router: new MAC addresses, a
    VLAN tag, TTL - 1 and its header checksum."""
    ip = bytearray(frame[14:])
    ip[8] -= 1
    ip[10:12] = b"\0\0"
    ihl = (ip[0] & 15) * 4
    ip[10:12] = struct.pack("!H", csum(bytes(ip[:ihl])))
    return ether(ROUTER_B_MAC, ROUTER_A_MAC, ETH_P_IP, bytes(ip), vlans=(vlan,), pad=False)


def gen_span_dup(path):
    """A SPAN session mirroring both the HMI's and the PLC's switch ports: every frame
    twice, 20 us apart; the session also mirrors the router's VLAN 20 side, so some
    frames come a second time routed (other MACs, a VLAN tag, TTL - 1, 40 us later).
    One frame is sent again 5 ms later with the same bytes (outside the 1 ms window:
    kept, a retransmission for the engine)."""
    n = [0]

    def wrap(frame, ts):
        n[0] += 1
        out = [(0, frame), (20, frame)]
        if n[0] % 3 == 0:
            out.append((40, routed_copy(frame, 20)))
        if n[0] == 8:
            out.append((5000, frame))
        return out

    clock = Clock(T0)
    with Mirror(path, clock, wrap) as cap:
        modbus_poll(cap)


def gen_prp(path):
    """A PRP network (IEC 62439-3 clause 4): every frame sent on LAN A and on LAN B
    with a redundancy control trailer; the SPAN sees both LANs (B 15 us after A).
    Sequence numbers per source; one frame lost on LAN A (only B's copy); GOOSE
    frames tagged on VLAN 10 (the trailer after the padding-free payload); a PRP
    supervision frame; and a frame whose last bytes look like a trailer with a wrong
    size (not PRP: left whole)."""
    seqs = {}
    count = [0]

    def rct(frame, lan, seq):
        et_off = 12
        while struct.unpack("!H", frame[et_off:et_off + 2])[0] in (ETH_P_8021Q, 0x88A8):
            et_off += 4
        lsdu = len(frame) - (et_off + 2) + 6
        return frame + struct.pack("!HHH", seq, (lan << 12) | lsdu, ETH_P_PRP)

    def wrap(frame, ts):
        count[0] += 1
        src = frame[6:12]
        seq = seqs.get(src, 0x100)
        seqs[src] = (seq + 1) & 0xFFFF
        a, b = rct(frame, PRP_LAN_A, seq), rct(frame, PRP_LAN_B, seq)
        if count[0] == 6:
            return [(15, b)]  # lost on LAN A
        return [(0, a), (15, b)]

    clock = Clock(T0)
    with Mirror(path, clock, wrap, pad=False) as cap:
        modbus_poll(cap, sport=50300, polls=2)
        pub = goose_publisher(cap, vlan=(ETH_P_8021Q, 10, 4))
        pub.heartbeat([gen_goose.d_bool(False)], 2)
        # supervision frame (clause 4.1.11): TLV 20 (MAC of the node), VLAN-less
        cap.clock.advance(1000)
        sup = struct.pack("!HH", 1, 0x0014) + b"\x14\x06" + mac("00:30:a7:10:00:01")
        cap.l2(PRP_SUPERVISION_DST, "00:30:a7:10:00:01", ETH_P_PRP, sup + b"\0" * 32)
    # not PRP: a UDP datagram whose payload ends in 0x88fb with a size that does
    # not match; appended as it is (no copy on a second LAN)
    with open(path, "ab") as f:
        payload = b"tail" + struct.pack("!HHH", 7, (PRP_LAN_A << 12) | 99, ETH_P_PRP)
        fr = ether(PLC_MAC, HMI_MAC, ETH_P_IP,
                   ipv4(HMI, PLC, IPPROTO_UDP, udp(HMI, PLC, 40000, 40001, payload), ident=9),
                   pad=False)
        ts = clock.now + 1000
        f.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(fr), len(fr)) + fr)


def gen_hsr(path):
    """An HSR ring (IEC 62439-3 clause 5): every frame carries an HSR tag and goes
    round the ring both ways, so the port the SPAN copies sees it twice (path 0
    and 1, 30 us apart).  Modbus/TCP untagged inside, GOOSE on VLAN 10 (the HSR
    tag after the VLAN tag)."""
    seqs = {}

    def wrap(frame, ts):
        src = frame[6:12]
        seq = seqs.get(src, 0x2000)
        seqs[src] = (seq + 1) & 0xFFFF
        off = 12
        while struct.unpack("!H", frame[off:off + 2])[0] in (ETH_P_8021Q, 0x88A8):
            off += 4
        lsdu = len(frame) - off + 4  # after the HSR ethertype, incl. its tag
        out = []
        for path_id, delay in ((0, 0), (1, 30)):
            tag = struct.pack("!HHH", ETH_P_HSR, (path_id << 12) | (lsdu & 0xFFF), seq)
            out.append((delay, frame[:off] + tag + frame[off:]))
        return out

    clock = Clock(T0)
    with Mirror(path, clock, wrap, pad=False) as cap:
        modbus_poll(cap, sport=50400, polls=2)
        pub = goose_publisher(cap, vlan=(ETH_P_8021Q, 10, 4))
        pub.heartbeat([gen_goose.d_bool(True)], 2)


def gen_malformed(path):
    """What the decapsulation must survive or leave alone, each followed by a valid
    frame: a GRE header cut short; an ERSPAN II header cut short; a VXLAN header cut
    short; three nested tunnels (GRE in VXLAN in GRE: one more than followed); a GRE
    version 1 (PPTP) packet and an ERSPAN header of an unknown version (both stay GRE
    flows); a VXLAN header without the I flag (stays a UDP flow); an HSR tag cut
    short; and two nested tunnels (VXLAN in GRE: decapsulated, depth 2)."""
    clock = Clock(T0)
    tun = Tunnel("gre-teb", key=5)
    inner_tun = Tunnel("vxlan", session=77)
    with Capture(path, clock) as cap:
        def valid(sport):
            inner = ether(PLC_MAC, HMI_MAC, ETH_P_IP, ipv4(HMI, PLC, IPPROTO_UDP, udp(
                HMI, PLC, sport, 5000, b"valid after a bad one"), ident=sport & 0xFFFF))
            clock.advance(1000)
            cap.frame(tun(inner, clock.now)[0][1])

        def raw(proto, payload):
            clock.advance(1000)
            cap.frame(tun.outer(proto, payload))

        raw(IPPROTO_GRE, b"\x20")                                    # GRE cut
        valid(41001)
        raw(IPPROTO_GRE, gre(GRE_P_ERSPAN, b"\x10\x00\x00", seq=1))  # ERSPAN II cut
        valid(41002)
        raw(IPPROTO_UDP, udp(SWITCH, COLLECTOR, 49999, VXLAN_PORT, b"\x08\0\0"))  # VXLAN cut
        valid(41003)
        deep = ether(PLC_MAC, HMI_MAC, ETH_P_IP, ipv4(HMI, PLC, IPPROTO_UDP, udp(
            HMI, PLC, 41100, 5000, b"three tunnels deep"), ident=3))
        t1 = tun(deep, clock.now)[0][1]
        t2 = inner_tun(t1, clock.now)[0][1]
        raw(IPPROTO_GRE, gre(GRE_P_TEB, t2, key=6))                  # GRE(VXLAN(GRE(.)))
        valid(41004)
        ppp = b"\xff\x03\x00\x21" + b"\x45" + b"\0" * 19
        raw(IPPROTO_GRE, struct.pack("!HHHH", 0x3001, 0x880B, len(ppp), 7) + struct.pack(
            "!I", 1) + ppp)                                          # GRE v1 (PPTP)
        valid(41005)
        bad_ver = struct.pack("!HHI", (5 << 12), 9, 0) + deep
        raw(IPPROTO_GRE, gre(GRE_P_ERSPAN, bad_ver, seq=2))          # ERSPAN version 5
        valid(41006)
        raw(IPPROTO_UDP, udp(SWITCH, COLLECTOR, 49998, VXLAN_PORT,
                             vxlan(deep, 88, flags=0x00)))           # no I flag
        valid(41007)
        clock.advance(1000)
        cap.frame(ether(PLC_MAC, HMI_MAC, ETH_P_HSR, b"\x00\x3c\x20", pad=False))  # HSR cut
        valid(41008)
        nested = inner_tun(ether(PLC_MAC, HMI_MAC, ETH_P_IP, ipv4(HMI, PLC, IPPROTO_UDP, udp(
            HMI, PLC, 41200, 5000, b"two tunnels deep"), ident=4)), clock.now)[0][1]
        clock.advance(1000)
        cap.frame(tun(nested, clock.now)[0][1])                      # GRE(VXLAN(.))


CAPTURES = [
    ("mirror-gre-teb.pcap", gen_tunnel("gre-teb", key=42)),
    ("mirror-gre-ip.pcap", gen_tunnel("gre-ip", key=43)),
    ("mirror-erspan1.pcap", gen_tunnel("erspan1")),
    ("mirror-erspan2.pcap", gen_tunnel("erspan2", session=7)),
    ("mirror-erspan3.pcap", gen_tunnel("erspan3", session=300, v6=True)),
    ("mirror-vxlan.pcap", gen_tunnel("vxlan", session=5001)),
    ("mirror-span-dup.pcap", gen_span_dup),
    ("mirror-prp.pcap", gen_prp),
    ("mirror-hsr.pcap", gen_hsr),
    ("mirror-malformed.pcap", gen_malformed),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--outdir", default=os.path.join(HERE, "..", "pcaps"))
    ap.add_argument("names", nargs="*", help="only these files (default: all)")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    for name, fn in CAPTURES:
        if a.names and name not in a.names:
            continue
        fn(os.path.join(a.outdir, name))
        print(os.path.join(a.outdir, name))


if __name__ == "__main__":
    main()
