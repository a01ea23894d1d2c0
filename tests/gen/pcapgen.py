# SPDX-License-Identifier: BSD-3-Clause
"""pcapgen: write small, deterministic test captures with the standard library only.

summary: frame builders (Ethernet, 802.1Q/QinQ, ARP, IPv4, IPv6, UDP, TCP), a TCP
session helper that keeps seq/ack per direction, and writers for classic pcap and
pcapng with the link types the sensor decodes (Ethernet, Linux SLL and SLL2, raw IP,
BSD NULL).

specification: pcap file format (draft-ietf-opsawg-pcap), pcapng
(draft-ietf-opsawg-pcapng), link-layer header types (tcpdump.org/linktypes.html),
RFC 791 (IPv4), RFC 8200 (IPv6), RFC 768 (UDP), RFC 9293 (TCP), RFC 826 (ARP),
IEEE 802.1Q (VLAN tags, 0x8100 and the 0x88a8 S-tag).

Determinism: nothing here reads the wall clock or an unseeded random source.  Time
comes from a Clock the caller owns and advances; initial sequence numbers and any
other "random" value come from a random.Random the caller seeds.  Running a generator
twice gives byte-identical files.

Typical use:

    clock = Clock(T0)
    with Capture("x.pcap", clock) as cap:
        cli = Host("00:00:5e:00:53:01", "192.0.2.10")
        srv = Host("00:00:5e:00:53:02", "192.0.2.20")
        s = TcpSession(cap, cli, srv, 50000, 502, rng=random.Random(1))
        s.handshake()
        s.exchange(request_bytes, response_bytes)
        s.close()
"""

import ipaddress
import random
import struct

__all__ = [
    "LINKTYPE_NULL", "LINKTYPE_ETHERNET", "LINKTYPE_RAW", "LINKTYPE_LINUX_SLL",
    "LINKTYPE_LINUX_SLL2", "ETH_P_IP", "ETH_P_IPV6", "ETH_P_ARP", "ETH_P_8021Q",
    "ETH_P_8021AD", "ETH_P_GOOSE", "ETH_P_PROFINET", "Clock", "Host", "Capture",
    "PcapWriter", "PcapngWriter", "TcpSession", "UdpFlow", "mac", "ip_bytes", "csum",
    "ether", "vlan_tags", "arp", "ipv4", "ipv6", "udp", "tcp", "l3", "T0",
]

# Link-layer header types (LINKTYPE_* values as written in file headers).
LINKTYPE_NULL = 0          # BSD loopback: 4-byte address family, host byte order
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101         # raw IPv4/IPv6, version nibble tells which
LINKTYPE_LINUX_SLL = 113   # Linux "cooked" capture v1, 16-byte header
LINKTYPE_LINUX_SLL2 = 276  # Linux "cooked" capture v2, 20-byte header

ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
ETH_P_8021Q = 0x8100       # C-tag
ETH_P_8021AD = 0x88A8      # S-tag (QinQ outer tag)
ETH_P_IPV6 = 0x86DD
ETH_P_PROFINET = 0x8892
ETH_P_GOOSE = 0x88B8

IPPROTO_TCP = 6
IPPROTO_UDP = 17

# BSD address families for LINKTYPE_NULL.  AF_INET is 2 everywhere; AF_INET6 differs
# per BSD (24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS): 24 is what libpcap documents first.
AF_INET = 2
AF_INET6_BSD = 24

# TCP flags
FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20

# A fixed, readable epoch for generated captures: 2024-01-15 10:00:00 UTC.
T0 = 1705312800

_u16 = struct.Struct("!H")


# ----------------------------------------------------------------------------- helpers

def mac(s):
    """'00:11:22:33:44:55' (or 6 bytes) -> 6 bytes."""
    if isinstance(s, (bytes, bytearray)):
        if len(s) != 6:
            raise ValueError("MAC must be 6 bytes")
        return bytes(s)
    b = bytes(int(x, 16) for x in s.split(":"))
    if len(b) != 6:
        raise ValueError("bad MAC %r" % s)
    return b


def ip_bytes(s):
    """Address text (or bytes) -> 4 or 16 bytes."""
    if isinstance(s, (bytes, bytearray)):
        return bytes(s)
    return ipaddress.ip_address(s).packed


def csum(data, initial=0):
    """Internet checksum (RFC 1071) of data, plus an already-summed `initial`.

    The one's-complement sum of 16-bit words equals the integer value of the
    buffer modulo 0xFFFF (2**16 == 1 mod 0xFFFF), so the whole sum is one big-int
    operation in C instead of a Python loop; that keeps 1M-packet captures fast."""
    if len(data) & 1:
        data = bytes(data) + b"\0"
    n = int.from_bytes(data, "big") + initial
    s = n % 0xFFFF
    if s == 0 and n != 0:
        s = 0xFFFF
    return (~s) & 0xFFFF


class Clock:
    """Packet time in integer microseconds since the epoch; only the caller moves it."""

    def __init__(self, start=T0):
        self.usec = int(round(start * 1000000)) if isinstance(start, float) else start * 1000000

    def advance(self, usec):
        if usec < 0:
            raise ValueError("time goes forward only")
        self.usec += int(usec)
        return self.usec

    def advance_s(self, sec):
        return self.advance(int(round(sec * 1000000)))

    @property
    def now(self):
        return self.usec


class Host:
    """An endpoint: MAC and IP address (v4 or v6)."""

    def __init__(self, mac_addr, ip):
        self.mac = mac(mac_addr)
        self.ip = ip_bytes(ip)
        self.v6 = len(self.ip) == 16


# ----------------------------------------------------------------------------- L2

def vlan_tags(vlans):
    """vlans: sequence of VIDs (outermost first) or (tpid, vid[, pcp]) tuples.  A bare
    VID list of length 2 or more is QinQ: 0x88a8 outer, 0x8100 inner tags.  Returns
    the list of (tpid, tci)."""
    out = []
    n = len(vlans)
    for i, v in enumerate(vlans):
        if isinstance(v, tuple):
            tpid, vid = v[0], v[1]
            pcp = v[2] if len(v) > 2 else 0
        else:
            tpid = ETH_P_8021AD if (n > 1 and i < n - 1) else ETH_P_8021Q
            vid, pcp = v, 0
        if not 0 <= vid < 4096:
            raise ValueError("VID out of range")
        out.append((tpid, (pcp << 13) | vid))
    return out


def ether(dst, src, ethertype, payload, vlans=(), pad=True):
    """Ethernet II frame (no FCS).  Frames shorter than 60 bytes are zero-padded as a
    NIC does on the wire when pad is true: decoders must use the IP length."""
    hdr = mac(dst) + mac(src)
    for tpid, tci in vlan_tags(vlans):
        hdr += struct.pack("!HH", tpid, tci)
    f = hdr + _u16.pack(ethertype) + payload
    if pad and len(f) < 60:
        f += b"\0" * (60 - len(f))
    return f


def arp(op, sha, spa, tha, tpa):
    """ARP for IPv4 over Ethernet: op 1 = request, 2 = reply.  Returns the payload
    after the ethertype."""
    return struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, op) + mac(sha) + ip_bytes(spa) + \
        mac(tha) + ip_bytes(tpa)


# ----------------------------------------------------------------------------- L3/L4

def ipv4(src, dst, proto, payload, ident=0, ttl=64, df=True, tos=0, options=b""):
    if len(options) % 4:
        raise ValueError("IPv4 options must be a multiple of 4 bytes")
    ihl = 5 + len(options) // 4
    total = ihl * 4 + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, total, ident & 0xFFFF,
                      0x4000 if df else 0, ttl, proto, 0, ip_bytes(src), ip_bytes(dst)) + options
    c = csum(hdr)
    return hdr[:10] + _u16.pack(c) + hdr[12:] + payload


def ipv6(src, dst, nh, payload, hlim=64, flow_label=0, tclass=0):
    return struct.pack("!IHBB16s16s", (6 << 28) | (tclass << 20) | flow_label, len(payload),
                       nh, hlim, ip_bytes(src), ip_bytes(dst)) + payload


def _pseudo_sum(src, dst, proto, length):
    src, dst = ip_bytes(src), ip_bytes(dst)
    if len(src) == 4:
        ph = src + dst + struct.pack("!BBH", 0, proto, length)
    else:
        ph = src + dst + struct.pack("!IxxxB", length, proto)
    return int.from_bytes(ph, "big")


def udp(src, dst, sport, dport, payload):
    """UDP header + payload with the checksum over the v4/v6 pseudo-header."""
    length = 8 + len(payload)
    seg = struct.pack("!HHHH", sport, dport, length, 0) + payload
    c = csum(seg, _pseudo_sum(src, dst, IPPROTO_UDP, length))
    if c == 0:
        c = 0xFFFF  # RFC 768: a computed zero is sent as all ones
    return seg[:6] + _u16.pack(c) + seg[8:]


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", window=64240, options=b"",
        urg=0):
    if len(options) % 4:
        options += b"\x01" * (4 - len(options) % 4)  # NOP padding
    off = (20 + len(options)) // 4
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      off << 4, flags, window, 0, urg) + options + payload
    c = csum(seg, _pseudo_sum(src, dst, IPPROTO_TCP, len(seg)))
    return seg[:16] + _u16.pack(c) + seg[18:]


def l3(src, dst, proto, l4payload, ident=0, ttl=64):
    """IPv4 or IPv6 packet by address family.  Returns (ethertype, bytes)."""
    if len(ip_bytes(src)) == 4:
        return ETH_P_IP, ipv4(src, dst, proto, l4payload, ident=ident, ttl=ttl)
    return ETH_P_IPV6, ipv6(src, dst, proto, l4payload, hlim=ttl)


# ----------------------------------------------------------------------------- writers

class PcapWriter:
    """Classic pcap, little-endian, microsecond timestamps."""

    def __init__(self, f, linktype, snaplen=262144):
        self.f = f
        self.snaplen = snaplen
        self.buf = []
        self.nbuf = 0
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        self._rec = struct.Struct("<IIII")

    def write(self, ts_usec, data, orig_len=None):
        caplen = min(len(data), self.snaplen)
        if orig_len is None:
            orig_len = len(data)
        sec, usec = divmod(ts_usec, 1000000)
        self.buf.append(self._rec.pack(sec, usec, caplen, orig_len))
        self.buf.append(data if caplen == len(data) else data[:caplen])
        self.nbuf += 1
        if self.nbuf >= 4096:
            self.flush()

    def flush(self):
        if self.buf:
            self.f.write(b"".join(self.buf))
            self.buf = []
            self.nbuf = 0


class PcapngWriter:
    """pcapng: one section, one interface (microsecond resolution), Enhanced Packet
    Blocks.  Little-endian."""

    def __init__(self, f, linktype, snaplen=262144, ifname=b"gen0"):
        self.f = f
        self.snaplen = snaplen
        self.buf = []
        shb_body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
        f.write(self._block(0x0A0D0D0A, shb_body))
        opts = self._opt(2, ifname) + self._opt(9, b"\x06") + struct.pack("<HH", 0, 0)
        f.write(self._block(0x00000001, struct.pack("<HHI", linktype, 0, snaplen) + opts))

    @staticmethod
    def _opt(code, value):
        pad = (-len(value)) % 4
        return struct.pack("<HH", code, len(value)) + value + b"\0" * pad

    @staticmethod
    def _block(btype, body):
        pad = (-len(body)) % 4
        total = 12 + len(body) + pad
        return struct.pack("<II", btype, total) + body + b"\0" * pad + struct.pack("<I", total)

    def write(self, ts_usec, data, orig_len=None):
        caplen = min(len(data), self.snaplen)
        if orig_len is None:
            orig_len = len(data)
        body = struct.pack("<IIIII", 0, ts_usec >> 32, ts_usec & 0xFFFFFFFF, caplen, orig_len) \
            + data[:caplen]
        self.buf.append(self._block(0x00000006, body))
        if len(self.buf) >= 4096:
            self.flush()

    def flush(self):
        if self.buf:
            self.f.write(b"".join(self.buf))
            self.buf = []


class Capture:
    """One output file on one link type, stamped by `clock`.

    frame()  writes link-layer bytes as given;
    l2()     writes an Ethernet frame with an ethertype (GOOSE, Profinet, ARP ...);
    ip()     wraps an IPv4/IPv6 packet in the capture's link-layer header."""

    def __init__(self, path, clock, linktype=LINKTYPE_ETHERNET, fmt="pcap", snaplen=262144,
                 pad=True):
        self.path = path
        self.clock = clock
        self.linktype = linktype
        self.pad = pad
        self.count = 0
        self.f = open(path, "wb")
        if fmt == "pcap":
            self.w = PcapWriter(self.f, linktype, snaplen)
        elif fmt == "pcapng":
            self.w = PcapngWriter(self.f, linktype, snaplen)
        else:
            raise ValueError("fmt must be pcap or pcapng")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.f:
            self.w.flush()
            self.f.close()
            self.f = None

    def frame(self, data, ts=None, orig_len=None):
        self.w.write(self.clock.now if ts is None else ts, data, orig_len)
        self.count += 1

    def l2(self, dst, src, ethertype, payload, vlans=()):
        if self.linktype != LINKTYPE_ETHERNET:
            raise ValueError("l2 frames need an Ethernet capture")
        self.frame(ether(dst, src, ethertype, payload, vlans, self.pad))

    def ip(self, src_mac, dst_mac, ethertype, packet, vlans=(), outgoing=True):
        """outgoing: for SLL/SLL2, whether the capturing host sent it (packet type 4)
        or received it (0)."""
        lt = self.linktype
        if lt == LINKTYPE_ETHERNET:
            f = ether(dst_mac, src_mac, ethertype, packet, vlans, self.pad)
        elif lt == LINKTYPE_RAW:
            f = packet
        elif lt == LINKTYPE_NULL:
            af = AF_INET if ethertype == ETH_P_IP else AF_INET6_BSD
            f = struct.pack("<I", af) + packet  # host order of the writer: little-endian
        elif lt == LINKTYPE_LINUX_SLL:
            f = struct.pack("!HHH", 4 if outgoing else 0, 1, 6) + mac(src_mac) + b"\0\0" + \
                _u16.pack(ethertype) + packet
        elif lt == LINKTYPE_LINUX_SLL2:
            f = struct.pack("!HHIHBB", ethertype, 0, 1, 1, 4 if outgoing else 0, 6) + \
                mac(src_mac) + b"\0\0" + packet
        else:
            raise ValueError("unsupported link type %d" % lt)
        if vlans and lt != LINKTYPE_ETHERNET:
            raise ValueError("VLAN tags need an Ethernet capture")
        self.frame(f)


# ----------------------------------------------------------------------------- flows

class UdpFlow:
    """UDP datagrams between two hosts; `send(data, to_server)`."""

    def __init__(self, cap, cli, srv, sport, dport, vlans=(), step_us=100, ident=1):
        self.cap, self.cli, self.srv = cap, cli, srv
        self.sport, self.dport = sport, dport
        self.vlans = vlans
        self.step_us = step_us
        self.ident = ident

    def send(self, data, to_server=True):
        a, b = (self.cli, self.srv) if to_server else (self.srv, self.cli)
        pa, pb = (self.sport, self.dport) if to_server else (self.dport, self.sport)
        self.cap.clock.advance(self.step_us)
        et, pkt = l3(a.ip, b.ip, IPPROTO_UDP, udp(a.ip, b.ip, pa, pb, data), ident=self.ident)
        self.ident += 1
        self.cap.ip(a.mac, b.mac, et, pkt, self.vlans, outgoing=to_server)


class TcpSession:
    """A TCP connection between cli:sport and srv:dport with its sequence numbers.

    Each emitted packet first advances the capture clock by `step_us` (the caller
    adds larger pauses with clock.advance()).  Sequence numbers are tracked per
    direction: `nxt[True]` is the client's next sequence number, `nxt[False]` the
    server's; ACK numbers always acknowledge everything the peer has sent so far
    (including segments deliberately left out of the capture)."""

    def __init__(self, cap, cli, srv, sport, dport, rng=None, vlans=(), step_us=150,
                 mss=1460, window=64240, wscale=7, isn=None):
        if cli.v6 != srv.v6:
            raise ValueError("both ends must be IPv4 or both IPv6")
        self.cap, self.cli, self.srv = cap, cli, srv
        self.sport, self.dport = sport, dport
        self.vlans = vlans
        self.step_us = step_us
        self.mss = mss
        self.window = window
        self.wscale = wscale
        rng = rng or random.Random(sport * 65536 + dport)
        if isn is None:
            isn = (rng.getrandbits(32), rng.getrandbits(32))
        self.isn = {True: isn[0], False: isn[1]}
        self.nxt = {True: isn[0], False: isn[1]}
        self.ident = {True: rng.getrandbits(16), False: rng.getrandbits(16)}
        self.open = False

    # -- low level

    def packet(self, to_server, flags, seq, payload=b"", ack=None, options=b"", window=None):
        """Emit one segment as is.  ack=None acknowledges the peer's next sequence."""
        a, b = (self.cli, self.srv) if to_server else (self.srv, self.cli)
        pa, pb = (self.sport, self.dport) if to_server else (self.dport, self.sport)
        if ack is None:
            ack = self.nxt[not to_server] if flags & ACK else 0
        if window is None:
            # the SYNs carry the window unscaled; later segments are shifted by wscale
            window = self.window if flags & SYN else max(1, self.window >> self.wscale)
        seg = tcp(a.ip, b.ip, pa, pb, seq, ack, flags, payload, window, options)
        et, pkt = l3(a.ip, b.ip, IPPROTO_TCP, seg, ident=self.ident[to_server])
        self.ident[to_server] = (self.ident[to_server] + 1) & 0xFFFF
        self.cap.clock.advance(self.step_us)
        self.cap.ip(a.mac, b.mac, et, pkt, self.vlans, outgoing=to_server)

    # -- connection

    def handshake(self):
        opts = struct.pack("!BBHBBBB", 2, 4, self.mss, 1, 3, 3, self.wscale)  # MSS, NOP, WS
        self.packet(True, SYN, self.nxt[True], options=opts)
        self.nxt[True] += 1
        self.packet(False, SYN | ACK, self.nxt[False], options=opts)
        self.nxt[False] += 1
        self.packet(True, ACK, self.nxt[True])
        self.open = True

    def ack(self, to_server=True):
        """A pure ACK from the client (to_server) or from the server."""
        self.packet(to_server, ACK, self.nxt[to_server])

    def send(self, data, to_server=True, split=None, order=None, drop=(), retransmit=(),
             rto_us=200000, flags=PSH | ACK):
        """Send `data` from one end.

        split:      list of segment sizes (the remainder, if any, is a last segment);
                    default: one segment per MSS.
        order:      emission order of the segment indices (out-of-order delivery).
        drop:       indices of segments that are sent (the sequence advances, the peer
                    acknowledges them) but absent from the capture: a capture gap.
        retransmit: indices of segments emitted a second time, rto_us after themselves.
        Returns the list of (seq, bytes) segments."""
        sizes = list(split) if split else []
        total = sum(sizes)
        if total > len(data):
            raise ValueError("split sizes exceed data")
        if total < len(data):
            rest = len(data) - total
            while rest:
                n = min(rest, self.mss)
                sizes.append(n)
                rest -= n
        segs = []
        seq = self.nxt[to_server]
        off = 0
        for n in sizes:
            segs.append((seq, data[off:off + n]))
            seq += n
            off += n
        self.nxt[to_server] = seq
        for i in (order if order is not None else range(len(segs))):
            if i in drop:
                continue
            s, chunk = segs[i]
            self.packet(to_server, flags, s, chunk)
            if i in retransmit:
                self.cap.clock.advance(rto_us)
                self.packet(to_server, flags, s, chunk)
        return segs

    def gap(self, nbytes, to_server=True):
        """Advance one direction's sequence by nbytes that never appear in the capture."""
        self.nxt[to_server] += nbytes

    def exchange(self, request, response=None, ack=True, think_us=0):
        """Request from the client; the server's response (if any) acknowledges it;
        then the client's pure ACK unless ack is false."""
        self.send(request, True)
        if response is not None:
            if think_us:
                self.cap.clock.advance(think_us)
            self.send(response, False)
            if ack:
                self.ack(True)
        elif ack:
            self.ack(False)

    def close(self, from_client=True):
        """FIN from one end, FIN/ACK from the other, final ACK."""
        a = from_client
        self.packet(a, FIN | ACK, self.nxt[a])
        self.nxt[a] += 1
        self.packet(not a, FIN | ACK, self.nxt[not a])
        self.nxt[not a] += 1
        self.packet(a, ACK, self.nxt[a])
        self.open = False

    def reset(self, from_client=True):
        self.packet(from_client, RST | ACK, self.nxt[from_client])
        self.open = False
