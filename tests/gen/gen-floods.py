#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-floods: hostile traffic for the robustness tests (tests/robustness/), each
kind interleaved with normal conversations whose events must come out the same
as without the flood.

Usage: gen-floods.py KIND OUTPUT [--packets N] [--every K] [--seed S] [--reference]

  KIND         what floods the sensor (N packets of it, about):
    syn          TCP SYNs from random sources (100.64.0.0/10, random ports) to the
                 PLC's port 502: a new flow per packet
    scan         a SYN scan across 10.1.0.0/16, eight ports per address (502, 102,
                 20000, 2404, 44818, 4840, 1883, 80); one address in four answers
                 RST/ACK
    udp          UDP datagrams on random 5-tuples (10.200.0.0/16), random payloads of
                 0-48 bytes; one in four to a UDP OT port (BACnet, DNP3, EtherNet/IP)
    modbus-tids  256 Modbus/TCP connections (10.0.1.x -> 10.0.0.21:502) sending read
                 requests with distinct transaction ids that are never answered
                 (N requests in flight over the run: a million in `make soak`)
    dnp3-storm   64 DNP3 connections (-> 10.0.0.22:20000) sending transport segments
                 of one application fragment that never ends: FIR once, never FIN
    goose        GOOSE frames from 200 publishers, sqNum counting up
    arp          ARP requests and gratuitous replies from random MACs and addresses
    tls-hold     TCP connections to port 443, each sending 28 full segments of a TLS
                 handshake record that announces 64 KB and never ends, then going
                 quiet: fewer packets than ndpi.max_packets, so nDPI keeps what came
                 of the record (40 KB) until the flow ends; ndpi.max_memory_mb
                 bounds it
    idle-conns   DNP3 connections (10.16.x.x -> 10.0.0.24:20000), more than
                 dissect.flows holds (--conns, default 768), each polled a few
                 times and then quiet for good, never closed; the normal polls
                 start only after two minutes of quiet, when every dissector state
                 is held by an idle flow, and a DNP3 poll (10.0.0.11:50001 ->
                 10.0.0.25:20000) joins the Modbus one (Modbus keeps no state per
                 flow)
    s7-tiny      four S7comm sessions (COTP connect, setup communication, read var
                 requests and responses) whose every byte is a TCP segment of its own
    overlap      32 Modbus/TCP sessions whose segments come out of order, with
                 overlapping retransmissions (same bytes), and a PDU whose header
                 arrives alone
  --packets N  flood packets (default 20000)
  --every K    a step of the normal poll every K flood packets (default 100)
  --conns C    idle-conns: how many connections (run-flood.sh makes it 1.5 x
               dissect.flows, fewer than flow.max_flows: the flow table must
               not free the state by evicting)
  --reference  write only the normal conversations, each PDU whole and in order:
               what the flood run's events for those flows are compared with

The normal conversation is always a Modbus/TCP poll, 10.0.0.10:50000 ->
10.0.0.20:502, reading 10 holding registers at 100 + (i mod 50) with transaction
ids 1, 2, ...; each request waits for about K/2 flood packets before its response.
idle-conns adds a DNP3 poll beside it, and both start after the flood.
For s7-tiny and overlap the hostile sessions are normal conversations as well (the
same PDUs as in the reference, delivered badly).

Flood packets are 10 us apart (100,000 packets per second of packet time).
Deterministic for a given KIND, N, K and seed.  Standard library only (and the
generators beside it: pcapgen, berenc, gen-dnp3's link frames).
"""

import argparse
import importlib.util
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from pcapgen import (T0, Capture, Clock, Host, TcpSession, ETH_P_ARP, ETH_P_GOOSE,  # noqa: E402
                     ETH_P_IP, arp, ipv4, tcp, udp, ether, SYN, ACK, RST, PSH)
from berenc import ctx, tlv, int_bytes, utc_time, d_bool, d_int  # noqa: E402


def _load(name):
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"),
                                                  os.path.join(HERE, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


STEP_US = 10
PLC_MAC, HMI_MAC = "00:80:f4:00:00:20", "00:1b:21:00:00:10"


def mac_of(n):
    return struct.pack("!HI", 0x0200, n & 0xFFFFFFFF)  # locally administered


def ip4(n):
    return struct.pack("!I", n & 0xFFFFFFFF)


class Frames:
    """Raw Ethernet/IPv4 frames for flood packets (checksums included)."""

    def __init__(self):
        self.ident = 0

    def tcp(self, smac, dmac, sip, dip, sport, dport, seq, ack, flags, payload=b""):
        self.ident = (self.ident + 1) & 0xFFFF
        seg = tcp(sip, dip, sport, dport, seq, ack, flags, payload, window=8192)
        return ether(dmac, smac, ETH_P_IP, ipv4(sip, dip, 6, seg, ident=self.ident))

    def udp(self, smac, dmac, sip, dip, sport, dport, payload):
        self.ident = (self.ident + 1) & 0xFFFF
        return ether(dmac, smac, ETH_P_IP,
                     ipv4(sip, dip, 17, udp(sip, dip, sport, dport, payload), ident=self.ident))


# ----------------------------------------------------------------------------- normal poll

def mb_read(tid, addr, count=10, unit=1):
    return struct.pack("!HHHBBHH", tid, 0, 6, unit, 3, addr, count)


def mb_read_resp(tid, values, unit=1):
    body = struct.pack("!BBB", unit, 3, 2 * len(values)) + b"".join(struct.pack("!H", v)
                                                                    for v in values)
    return struct.pack("!HHH", tid, 0, len(body)) + body


class Poll:
    """A normal conversation: a client polling a server, one step at a time.
    ask(tid) and answer(tid) make the request and response payloads."""

    def __init__(self, cap, rng, cli, srv, sport, dport, ask, answer):
        self.s = TcpSession(cap, cli, srv, sport, dport, rng=rng, step_us=STEP_US)
        self.ask, self.answer = ask, answer
        self.tid = 0
        self.state = "closed"

    def step(self):
        """Handshake first; then alternately a request, and its response + ACK."""
        if self.state == "closed":
            self.s.handshake()
            self.state = "idle"
        elif self.state == "idle":
            self.tid += 1
            self.s.send(self.ask(self.tid), True)
            self.state = "asked"
        else:
            self.s.send(self.answer(self.tid), False)
            self.s.ack(True)
            self.state = "idle"

    def finish(self):
        if self.state == "asked":
            self.step()
        if self.state != "closed":
            self.s.close()


def modbus_poll(cap, rng):
    """The HMI reading 10 holding registers of the PLC."""
    return Poll(cap, rng, Host(HMI_MAC, "10.0.0.10"), Host(PLC_MAC, "10.0.0.20"), 50000, 502,
                lambda tid: mb_read(tid, 100 + tid % 50),
                lambda tid: mb_read_resp(tid, [(tid * 7 + k) & 0xFFFF for k in range(10)]))


def dnp3_poll(cap, rng):
    """A master's class 0 polls of an RTU: DNP3 keeps state per flow."""
    dnp3 = _load("gen-dnp3")
    master, rtu = dnp3.Station(1, 10, True), dnp3.Station(10, 1, False)
    return Poll(cap, rng, Host(HMI_MAC, "10.0.0.11"), Host(PLC_MAC, "10.0.0.25"), 50001, 20000,
                lambda tid: dnp3_read(master, tid),
                lambda tid: dnp3_read_resp(rtu, tid, [tid * 3, tid * 5]))


# ----------------------------------------------------------------------------- floods
# Each flood is a generator of frames; the driver stamps and interleaves them.

def flood_syn(rng, n, fr):
    dst_mac, dst = bytes.fromhex(PLC_MAC.replace(":", "")), ip4(0x0A000014)
    for _ in range(n):
        src = ip4(0x64400000 | rng.getrandbits(22))
        yield fr.tcp(mac_of(rng.getrandbits(32)), dst_mac, src, dst, rng.randrange(1024, 65536),
                     502, rng.getrandbits(32), 0, SYN)


def flood_scan(rng, n, fr):
    ports = (502, 102, 20000, 2404, 44818, 4840, 1883, 80)
    smac, src = mac_of(0x66000005), ip4(0x0A420005)
    i = 0
    sent = 0
    while sent < n:
        host = i // len(ports)
        port = ports[i % len(ports)]
        dip = ip4(0x0A010000 | (host & 0xFFFF))
        dmac = mac_of(0x01000000 | (host & 0xFFFF))
        sport = 40000 + (i % 20000)
        seq = rng.getrandbits(32)
        yield fr.tcp(smac, dmac, src, dip, sport, port, seq, 0, SYN)
        sent += 1
        if host % 4 == 0 and sent < n:
            yield fr.tcp(dmac, smac, dip, src, port, sport, 0, seq + 1, RST | ACK)
            sent += 1
        i += 1


def flood_udp(rng, n, fr):
    ot_ports = (47808, 20000, 44818, 2222)
    for _ in range(n):
        sip, dip = ip4(0x0AC80000 | rng.getrandbits(16)), ip4(0x0AC80000 | rng.getrandbits(16))
        sport = rng.randrange(1024, 65536)
        dport = rng.choice(ot_ports) if rng.random() < 0.25 else rng.randrange(1, 65536)
        payload = rng.randbytes(rng.randrange(0, 49))
        yield fr.udp(mac_of(rng.getrandbits(32)), mac_of(rng.getrandbits(32)), sip, dip, sport,
                     dport, payload)


def flood_modbus_tids(rng, n, fr):
    conns = 256
    plc_mac, plc = mac_of(0x00000021), ip4(0x0A000015)
    seqs = []
    sent = 0
    for c in range(conns):  # handshakes
        cmac, cip = mac_of(0x01000100 | c), ip4(0x0A000100 | c)
        isn, sisn = rng.getrandbits(32), rng.getrandbits(32)
        if sent + 3 > n:
            break
        yield fr.tcp(cmac, plc_mac, cip, plc, 40000 + c, 502, isn, 0, SYN)
        yield fr.tcp(plc_mac, cmac, plc, cip, 502, 40000 + c, sisn, isn + 1, SYN | ACK)
        yield fr.tcp(cmac, plc_mac, cip, plc, 40000 + c, 502, isn + 1, sisn + 1, ACK)
        sent += 3
        seqs.append([cmac, cip, isn + 1, sisn + 1, 0])
    i = 0
    while sent < n and seqs:
        st = seqs[i % len(seqs)]
        c = i % len(seqs)
        st[4] += 1  # the connection's next transaction id: distinct within it
        pdu = mb_read(st[4] & 0xFFFF, (i * 13) & 0xFFFF, 1 + i % 100)
        yield fr.tcp(st[0], plc_mac, st[1], plc, 40000 + c, 502, st[2], st[3], PSH | ACK, pdu)
        st[2] += len(pdu)
        sent += 1
        i += 1


def dnp3_read(station, seq):
    """The link frames of a class 0 read from a DNP3 master."""
    return b"".join(station.frames(bytes([0xC0 | (seq & 15), 0x01, 60, 1, 0x06])))


def dnp3_read_resp(station, seq, values):
    """An outstation's answer: 32-bit analog inputs (g30v1) 0.., each with its flag."""
    objs = bytes([30, 1, 0x00, 0, len(values) - 1]) + b"".join(struct.pack("<Bi", 1, v)
                                                              for v in values)
    return b"".join(station.frames(bytes([0xC0 | (seq & 15), 0x81, 0, 0]) + objs))


def flood_idle_conns(rng, n, fr, conns=768):
    dnp3 = _load("gen-dnp3")
    rtu_mac, rtu = mac_of(0x00000024), ip4(0x0A000018)
    ends = []
    sent = 0
    for c in range(conns):  # handshakes
        if sent + 3 > n:
            break
        cmac, cip, sport = mac_of(0x03000000 | c), ip4(0x0A100000 | c), 1024 + c % 60000
        isn, sisn = rng.getrandbits(32), rng.getrandbits(32)
        yield fr.tcp(cmac, rtu_mac, cip, rtu, sport, 20000, isn, 0, SYN)
        yield fr.tcp(rtu_mac, cmac, rtu, cip, 20000, sport, sisn, isn + 1, SYN | ACK)
        yield fr.tcp(cmac, rtu_mac, cip, rtu, sport, 20000, isn + 1, sisn + 1, ACK)
        sent += 3
        ends.append([cmac, cip, sport, isn + 1, sisn + 1, 0,
                     dnp3.Station(1, 10, True), dnp3.Station(10, 1, False)])
    i = 0
    while sent + 2 <= n and ends:  # a read and its answer each, in turn
        e = ends[i % len(ends)]
        cmac, cip, sport = e[0], e[1], e[2]
        req = dnp3_read(e[6], e[5])
        resp = dnp3_read_resp(e[7], e[5], [e[5], i & 0xFFFF])
        e[5] += 1
        yield fr.tcp(cmac, rtu_mac, cip, rtu, sport, 20000, e[3], e[4], PSH | ACK, req)
        e[3] += len(req)
        yield fr.tcp(rtu_mac, cmac, rtu, cip, 20000, sport, e[4], e[3], PSH | ACK, resp)
        e[4] += len(resp)
        sent += 2
        i += 1


def flood_dnp3_storm(rng, n, fr):
    dnp3 = _load("gen-dnp3")
    conns = 64
    out_mac, out = mac_of(0x00000022), ip4(0x0A000016)
    # per connection: the link frames of segments seq 0..63 (FIR on the first one only)
    st = []
    for c in range(conns):
        frames = []
        app = bytes([0xC0 | (c & 15), 0x02]) + bytes(247)  # WRITE, first of a fragment
        for seq in range(64):
            th = (0x40 if seq == 0 else 0) | seq  # FIR on the first, never FIN
            body = app if seq == 0 else bytes((seq + k) & 0xFF for k in range(249))
            frames.append(dnp3.link(0xC4, 10, 100 + c, bytes([th]) + body[:249]))
        cmac, cip = mac_of(0x01000200 | c), ip4(0x0A000200 | c)
        st.append([cmac, cip, rng.getrandbits(32), rng.getrandbits(32), frames, 0])
    sent = 0
    for c, s in enumerate(st):
        if sent + 3 > n:
            break
        yield fr.tcp(s[0], out_mac, s[1], out, 41000 + c, 20000, s[2], 0, SYN)
        yield fr.tcp(out_mac, s[0], out, s[1], 20000, 41000 + c, s[3], s[2] + 1, SYN | ACK)
        s[2] += 1
        s[3] += 1
        yield fr.tcp(s[0], out_mac, s[1], out, 41000 + c, 20000, s[2], s[3], ACK)
        sent += 3
    i = 0
    while sent < n:
        c = i % conns
        s = st[c]
        f = s[4][s[5] % 64] if s[5] < 64 else s[4][1 + (s[5] - 1) % 63]
        yield fr.tcp(s[0], out_mac, s[1], out, 41000 + c, 20000, s[2], s[3], PSH | ACK, f)
        s[2] += len(f)
        s[5] += 1
        sent += 1
        i += 1


def flood_goose(rng, n, fr):
    pubs = 200
    st = [[0x1000 + p, 1, 0] for p in range(pubs)]
    t = T0 * 1000000
    for i in range(n):
        p = i % pubs
        appid, stnum, sqnum = st[p]
        ref = b"IED%03dLD0/LLN0$GO$gcb1" % p
        pdu = tlv(0x61, b"".join([
            ctx(0, ref), ctx(1, int_bytes(2000)), ctx(2, b"IED%03dLD0/LLN0$DS1" % p),
            ctx(4, utc_time(t)), ctx(5, int_bytes(stnum)), ctx(6, int_bytes(sqnum)),
            ctx(7, b"\x00"), ctx(8, int_bytes(1)), ctx(9, b"\x00"), ctx(10, int_bytes(2)),
            ctx(11, d_bool(sqnum & 1) + d_int(i & 0x7FFF), True)]))
        payload = struct.pack("!HHHH", appid, 8 + len(pdu), 0, 0) + pdu
        st[p][2] += 1
        if st[p][2] % 50 == 0:
            st[p][1] += 1
            st[p][2] = 0
        yield ether(b"\x01\x0c\xcd\x01\x00" + bytes([p & 0xFF]), mac_of(0x0C000000 | p),
                    ETH_P_GOOSE, payload)


def flood_arp(rng, n, fr):
    for i in range(n):
        sha = mac_of(rng.getrandbits(32))
        spa = ip4(0x0A000000 | rng.getrandbits(16))
        if i % 3 == 2:  # gratuitous reply
            yield ether(b"\xff" * 6, sha, ETH_P_ARP, arp(2, sha, spa, b"\xff" * 6, spa))
        else:
            tpa = ip4(0x0A000000 | rng.getrandbits(16))
            yield ether(b"\xff" * 6, sha, ETH_P_ARP, arp(1, sha, spa, b"\0" * 6, tpa))


def flood_tls_hold(rng, n, fr):
    srv_mac, srv = mac_of(0x00000043), ip4(0x0A000043)
    seg = 1460
    # a handshake record of 65535 bytes opening a ClientHello of 65531: nDPI
    # keeps what arrives of it while it classifies the flow
    hello = bytes.fromhex("160301ffff" "0100fffb" "0303")
    c = 0
    sent = 0
    while sent + 3 < n:
        cmac, cip = mac_of(0x02000000 | c), ip4(0x64400000 | (c & 0x3FFFFF))
        sport = 1024 + c % 64000
        isn, sisn = rng.getrandbits(32), rng.getrandbits(32)
        yield fr.tcp(cmac, srv_mac, cip, srv, sport, 443, isn, 0, SYN)
        yield fr.tcp(srv_mac, cmac, srv, cip, 443, sport, sisn, isn + 1, SYN | ACK)
        yield fr.tcp(cmac, srv_mac, cip, srv, sport, 443, isn + 1, sisn + 1, ACK)
        sent += 3
        seq = isn + 1
        for k in range(28):  # 28 full segments of it, never the end
            if sent >= n:
                return
            body = bytes((seq + i) & 0xFF for i in range(seg))
            payload = (hello + body)[:seg] if k == 0 else body
            yield fr.tcp(cmac, srv_mac, cip, srv, sport, 443, seq, sisn + 1, PSH | ACK, payload)
            seq += seg
            sent += 1
        c += 1


# ----------------------------------------------------------------------------- hostile sessions
# s7-tiny and overlap: sessions with known PDUs, delivered badly (or, with
# --reference, whole and in order).

def tpkt(payload):
    return struct.pack("!BBH", 3, 0, 4 + len(payload)) + payload


COTP_CR = bytes.fromhex("11e00000000100c0010ac1020100c2020102")
COTP_CC = bytes.fromhex("11d00001000100c0010ac1020100c2020102")
COTP_DT = bytes.fromhex("02f080")


def s7_job(ref, params, data=b""):
    return tpkt(COTP_DT + struct.pack("!BBHHHH", 0x32, 1, 0, ref, len(params), len(data)) +
                params + data)


def s7_ack(ref, params, data=b""):
    return tpkt(COTP_DT + struct.pack("!BBHHHHBB", 0x32, 3, 0, ref, len(params), len(data), 0,
                                      0) + params + data)


def s7_exchanges(reads):
    """(request, response) PDUs of one S7 session: connect, setup, `reads` read vars."""
    setup = bytes.fromhex("f0000001000101e0")
    ex = [(tpkt(COTP_CR), tpkt(COTP_CC)), (s7_job(1, setup), s7_ack(1, setup))]
    for k in range(reads):
        ref = 2 + k
        db, start = 1 + k % 4, 2 * k
        item = bytes.fromhex("120a1002") + struct.pack("!HHB", 2, db, 0x84) + \
            (start * 8).to_bytes(3, "big")
        data = bytes([0xFF, 0x04]) + struct.pack("!H", 16) + struct.pack("!H", (k * 31) & 0xFFFF)
        ex.append((s7_job(ref, bytes([4, 1]) + item), s7_ack(ref, bytes([4, 1]), data)))
    return ex


def session_s7_tiny(cap, rng, n, reference):
    """Four sessions interleaved byte by byte (each byte a segment)."""
    sessions = []
    per = max(1, n // (4 * 60))  # about 60 one-byte segments per read exchange
    for c in range(4):
        s = TcpSession(cap, Host(mac_of(0x01000300 | c), "10.0.0.%d" % (30 + c)),
                       Host(PLC_MAC, "10.0.0.40"), 51000 + c, 102, rng=rng, step_us=STEP_US)
        sessions.append((s, s7_exchanges(per)))
    for s, _ in sessions:
        s.handshake()
        yield
    # every byte of every PDU, the sessions taking turns
    queues = []
    for s, ex in sessions:
        q = []
        for req, resp in ex:
            q.append((s, req, True))
            q.append((s, resp, False))
        queues.append(q)
    pending = [list(q) for q in queues]
    while any(pending):
        for q in pending:
            if not q:
                continue
            s, pdu, to_server = q.pop(0)
            if reference:
                s.send(pdu, to_server)
                yield
            else:
                for b in range(len(pdu)):
                    s.send(pdu[b:b + 1], to_server)
                    yield
    for s, _ in sessions:
        s.close()
        yield


def session_overlap(cap, rng, n, reference):
    """32 Modbus sessions; requests in 3 segments sent [2, 0, 1] plus an overlapping
    retransmission of bytes 0-7; responses in 2 segments sent [1, 0]; every fourth
    request's MBAP header (7 bytes) alone, then the rest."""
    sessions = []
    for c in range(32):
        s = TcpSession(cap, Host(mac_of(0x01000400 | c), "10.0.3.%d" % (1 + c)),
                       Host(PLC_MAC, "10.0.0.23"), 52000 + c, 502, rng=rng, step_us=STEP_US)
        sessions.append(s)
        s.handshake()
        yield
    per = max(1, n // (32 * 8))
    for k in range(per):
        for c, s in enumerate(sessions):
            tid = k + 1
            req = mb_read(tid, (c * 100 + k) & 0xFFFF, 1 + k % 20)
            resp = mb_read_resp(tid, [(c + k + j) & 0xFFFF for j in range(1 + k % 20)])
            if reference:
                s.send(req, True)
                yield
                s.send(resp, False)
                yield
                continue
            if k % 4 == 3:
                s.send(req, True, split=[7])  # the header alone
                yield
            else:
                base = s.nxt[True]
                segs = s.send(req, True, split=[4, 4], order=[2, 0, 1])
                yield
                s.packet(True, PSH | ACK, base, req[:8])  # overlapping retransmission
                yield
                del segs
            s.send(resp, False, split=[5], order=[1, 0])
            yield
    for s in sessions:
        s.close()
        yield


FLOODS = {
    "syn": flood_syn, "scan": flood_scan, "udp": flood_udp, "modbus-tids": flood_modbus_tids,
    "dnp3-storm": flood_dnp3_storm, "goose": flood_goose, "arp": flood_arp,
    "tls-hold": flood_tls_hold, "idle-conns": flood_idle_conns,
}
# floods after which the normal poll starts, once the flood has been quiet
# this many seconds (in the reference too: the same poll, alone)
LATE_POLL = {"idle-conns": 120}
SESSIONS = {"s7-tiny": session_s7_tiny, "overlap": session_overlap}


def step(polls):
    for poll in polls:
        poll.step()


def generate(kind, path, n, every, seed, reference, conns=768):
    rng = random.Random(seed)
    clock = Clock(T0)
    fr = Frames()
    with Capture(path, clock) as cap:
        polls = [modbus_poll(cap, random.Random(seed + 1))]
        if kind in LATE_POLL:
            polls.append(dnp3_poll(cap, random.Random(seed + 2)))
        half = max(1, every // 2)
        steps = max(3, n // half)  # the same number of poll steps in both modes
        done = 0
        if kind in FLOODS:
            extra = {"conns": conns} if kind == "idle-conns" else {}
            packets = iter(()) if reference else FLOODS[kind](rng, n, fr, **extra)
        else:
            # the hostile sessions write through their own TcpSessions; each
            # yield is one of their packets
            packets = SESSIONS[kind](cap, rng, n, reference)
        for i, frame in enumerate(packets):
            if frame is not None:
                clock.advance(STEP_US)
                cap.frame(frame)
            if i % half == 0 and done < steps and kind not in LATE_POLL:
                step(polls)
                done += 1
        clock.advance_s(LATE_POLL.get(kind, 0))
        while done < steps:
            step(polls)
            done += 1
        for poll in polls:
            poll.finish()
    return cap.count


def main():
    ap = argparse.ArgumentParser(description="hostile captures for tests/robustness")
    ap.add_argument("kind", choices=sorted(list(FLOODS) + list(SESSIONS)))
    ap.add_argument("output")
    ap.add_argument("--packets", type=int, default=20000)
    ap.add_argument("--every", type=int, default=100)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--conns", type=int, default=768)
    ap.add_argument("--reference", action="store_true")
    a = ap.parse_args()
    generate(a.kind, a.output, a.packets, a.every, a.seed, a.reference, a.conns)


if __name__ == "__main__":
    main()
