#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-plant: a small plant for the inventory and baseline tests (tests/baseline.test).

summary: hours of packet time of a steady plant -- PLCs polled over Modbus/TCP by two
HMIs and a historian, an RTU polled over DNP3, an engineering workstation working in
the morning, occasional operator writes from small sets of set-points, ARP, LLDP from
the switch, DHCP for the workstation, an office client reading the historian's web
API through the router -- and the
same plant with one event injected per capture.

specification: Modbus Application Protocol V1.1b3 and Modbus Messaging on TCP/IP
V1.0b (MBAP, FC 1/3/6/8/16/43); IEEE 1815-2012 (DNP3 link frames with CRCs,
transport and application headers, READ class 0, g30v1); RFC 826 (ARP); IEEE
802.1AB (LLDP); RFC 2131/2132 (DHCP).

Usage:
    python3 tests/gen/gen-plant.py [-o DIR] [NAME.pcap ...]

Writes (default DIR: tests/pcaps):
    plant-learn.pcap      2024-01-15 06:00-14:00 UTC: what the baseline learns
    plant-steady.pcap     14:00-18:00: more of the same (no alert expected)
    plant-new-host.pcap   14:00-14:40, a new host writes set-points to PLC1 at 14:10
    plant-hmi-range.pcap  HMI1 writes registers 400-409 of PLC1, never written before
    plant-setpoint.pcap   HMI1 writes 9999 into a set-point learned between 50 and 60
    plant-storm.pcap      HMI2 polls PLC2 ten times a second for a minute
    plant-silent.pcap     PLC3 stops answering at 14:05; its masters keep asking
    plant-ews-night.pcap  2024-01-16 02:50-03:30: the workstation works at 03:00

Deterministic: time from an explicit clock, randomness from seeded generators;
standard library only.  Sizes stay small (a few hundred KB at most): the polling
period is two minutes, so eight hours of packet time are a few thousand packets.
"""

import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import (ETH_P_ARP, Capture, Clock, Host, TcpSession, UdpFlow,  # noqa: E402
                     arp)

HOUR = 3600
DAY0 = 1705276800          # 2024-01-15 00:00:00 UTC
LEARN_START = DAY0 + 6 * HOUR
LEARN_END = DAY0 + 14 * HOUR
STEADY_END = DAY0 + 18 * HOUR
SCENARIO_LEN = 40 * 60
NIGHT_START = DAY0 + 24 * HOUR + 2 * HOUR + 50 * 60   # 2024-01-16 02:50

ETH_P_LLDP = 0x88CC
BCAST = "ff:ff:ff:ff:ff:ff"
LLDP_MCAST = "01:80:c2:00:00:0e"
CDP_MCAST = "01:00:0c:cc:cc:cc"
STP_MCAST = "01:80:c2:00:00:00"

# The plant.  OUIs: 00:80:f4 Telemecanique (Schneider), 00:1b:1b Siemens, 00:30:a7
# Schweitzer Engineering, 00:0c:29 VMware, 00:14:22 Dell, 00:1e:bd Cisco.
PLC1 = Host("00:80:f4:10:00:11", "192.168.10.11")
PLC2 = Host("00:80:f4:10:00:12", "192.168.10.12")
PLC3 = Host("00:1b:1b:10:00:13", "192.168.10.13")
RTU1 = Host("00:30:a7:10:00:21", "192.168.10.21")
HMI1 = Host("00:0c:29:10:01:01", "192.168.10.101")
HMI2 = Host("00:0c:29:10:01:02", "192.168.10.102")
HIST = Host("00:0c:29:10:01:50", "192.168.10.150")
EWS = Host("00:14:22:10:02:00", "192.168.10.200")
GW = Host("00:1e:bd:10:00:01", "192.168.10.1")      # router, DHCP server
SWITCH = Host("00:1e:bd:10:00:02", "192.168.10.2")  # LLDP only
ROGUE = Host("02:42:ac:10:00:66", "192.168.10.66")  # locally administered MAC

# set-points the operators choose from (register: values)
SETPOINTS_PLC1 = {100: (50, 55, 60), 101: (20, 25)}
SETPOINTS_PLC3 = {200: (1500, 1600), 201: (30, 35)}


# ----------------------------------------------------------------------------- PDUs

def mbap(tid, unit, pdu):
    return struct.pack("!HHHB", tid & 0xFFFF, 0, len(pdu) + 1, unit) + pdu


def read_regs(fc, addr, qty, rng):
    req = struct.pack("!BHH", fc, addr, qty)
    if fc in (1, 2):
        nbytes = (qty + 7) // 8
        resp = struct.pack("!BB", fc, nbytes) + bytes(rng.getrandbits(8) for _ in range(nbytes))
    else:
        regs = [rng.randrange(0, 1000) for _ in range(qty)]
        resp = struct.pack("!BB", fc, 2 * qty) + struct.pack("!%dH" % qty, *regs)
    return req, resp


def write_single(addr, value):
    pdu = struct.pack("!BHH", 6, addr, value)
    return pdu, pdu


def write_multi(addr, values):
    req = struct.pack("!BHHB", 16, addr, len(values), 2 * len(values)) + \
        struct.pack("!%dH" % len(values), *values)
    return req, struct.pack("!BHH", 16, addr, len(values))


def device_id(vendor, product, revision):
    req = struct.pack("!BBBB", 0x2B, 0x0E, 0x01, 0x00)
    objs = [(0, vendor), (1, product), (2, revision)]
    resp = struct.pack("!BBBBBBB", 0x2B, 0x0E, 0x01, 0x01, 0x00, 0x00, len(objs))
    for oid, text in objs:
        resp += struct.pack("!BB", oid, len(text)) + text
    return req, resp


def diag_echo(data):
    pdu = struct.pack("!BHH", 8, 0, data)
    return pdu, pdu


def _crc_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xA6BC if c & 1 else c >> 1  # polynomial 0x3D65, reflected
        table.append(c)
    return table


CRC_TABLE = _crc_table()


def dnp3_crc(data):
    c = 0
    for b in data:
        c = (c >> 8) ^ CRC_TABLE[(c ^ b) & 0xFF]
    return struct.pack("<H", ~c & 0xFFFF)


def dnp3_link(ctrl, dst, src, user):
    head = struct.pack("<BBBBHH", 0x05, 0x64, 5 + len(user), ctrl, dst, src)
    out = head + dnp3_crc(head)
    for i in range(0, len(user), 16):
        block = user[i:i + 16]
        out += block + dnp3_crc(block)
    return out


def dnp3_poll(seq, master, outstation, values):
    # transport FIR|FIN, application FIR|FIN; READ of g60v1 (class 0), qualifier 6
    req = dnp3_link(0xC4, outstation, master,
                    bytes([0xC0 | (seq & 0x3F), 0xC0 | (seq & 0x0F), 0x01, 0x3C, 0x01, 0x06]))
    objs = struct.pack("<BBBBB", 30, 1, 0x00, 0, len(values) - 1)
    for v in values:
        objs += struct.pack("<Bi", 0x01, v)
    user = bytes([0xC0 | (seq & 0x3F), 0xC0 | (seq & 0x0F), 0x81, 0x00, 0x00]) + objs
    return req, dnp3_link(0x44, master, outstation, user)


def lldp_frame():
    def tlv(t, value):
        return struct.pack("!H", (t << 9) | len(value)) + value
    return (tlv(1, b"\x04" + SWITCH.mac) + tlv(2, b"\x05Gi1/0/24") + tlv(3, b"\x00\x78") +
            tlv(5, b"plant-sw1") +
            tlv(6, b"Cisco IOS Software, IE-4000 Software, Version 15.2(7)E4") +
            tlv(7, struct.pack("!HH", 0x0014, 0x0004)) +
            tlv(8, bytes([5, 1]) + SWITCH.ip + b"\x02\x00\x00\x00\x01\x00") + tlv(0, b""))


def llc_frame(dst, src, llc):
    """An IEEE 802.3 frame: a length instead of an ethertype, then LLC."""
    frame = mac_bytes(dst) + src + struct.pack("!H", len(llc)) + llc
    return frame + b"\0" * max(0, 60 - len(frame))


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def cdp_frame():
    """CDP version 2 from the router: device id, addresses, port, capabilities
    (router), software version, platform."""
    def tlv(t, value):
        return struct.pack("!HH", t, 4 + len(value)) + value
    addresses = struct.pack("!IBBBH", 1, 1, 1, 0xCC, 4) + GW.ip
    body = (tlv(1, b"plant-gw1") + tlv(2, addresses) + tlv(3, b"GigabitEthernet0/0/1") +
            tlv(4, struct.pack("!I", 0x01)) +
            tlv(5, b"Cisco IOS XE Software, Version 16.9.4\nTechnical Support: ...") +
            tlv(6, b"cisco ISR4321/K9"))
    cdp = bytes([2, 180]) + b"\0\0" + body
    return llc_frame(CDP_MCAST, GW.mac, b"\xaa\xaa\x03\x00\x00\x0c\x20\x00" + cdp)


def stp_frame():
    """A configuration BPDU from the switch (IEEE 802.1D)."""
    bridge = struct.pack("!H", 0x8000) + SWITCH.mac
    bpdu = struct.pack("!HBBB", 0, 0, 0, 0) + bridge + struct.pack("!I", 0) + bridge + \
        struct.pack("!HHHHH", 0x8018, 0, 20 * 256, 2 * 256, 15 * 256)
    return llc_frame(STP_MCAST, SWITCH.mac, b"\x42\x42\x03" + bpdu)


def dhcp(op, xid, chaddr, yiaddr, msg_type, options=()):
    out = struct.pack("!BBBBIHH", op, 1, 6, 0, xid, 0, 0x8000)
    out += b"\0" * 4 + (yiaddr or b"\0" * 4) + b"\0" * 8 + chaddr + b"\0" * 10 + b"\0" * 192
    out += struct.pack("!I", 0x63825363) + bytes([53, 1, msg_type])
    for code, value in options:
        out += bytes([code, len(value)]) + value
    return out + b"\xff"


# ----------------------------------------------------------------------------- the plant

class Plant:
    """Jobs scheduled on packet time, run in time order into one capture."""

    def __init__(self, cap, seed):
        self.cap = cap
        self.rng = random.Random(seed)
        self.jobs = []
        self.n = 0
        self.sessions = {}
        self.port = 49200

    def at(self, t_sec, fn):
        self.jobs.append((int(t_sec * 1000000), self.n, fn))
        self.n += 1

    def run(self):
        for t, _, fn in sorted(self.jobs):
            if t > self.cap.clock.now:
                self.cap.clock.advance(t - self.cap.clock.now)
            fn()

    # -- Modbus/TCP masters

    def session(self, cli, srv, dport=502):
        key = (cli.ip, srv.ip, dport)
        s = self.sessions.get(key)
        if s is None or not s.open:
            self.port += 1
            s = TcpSession(self.cap, cli, srv, self.port, dport,
                           rng=random.Random(self.port), step_us=120)
            s.tid = self.rng.randrange(0, 60000)
            s.handshake()
            self.sessions[key] = s
        return s

    def transact(self, cli, srv, pdus, unit=1, answered=True):
        s = self.session(cli, srv)
        for req, resp in pdus:
            s.tid += 1
            think = self.rng.randrange(1000, 4000)
            if answered:
                s.exchange(mbap(s.tid, unit, req), None, ack=False)
                self.cap.clock.advance(think)
                s.send(mbap(s.tid, unit, resp), False)
            else:
                s.send(mbap(s.tid, unit, req), True)

    def poller(self, cli, srv, reqs, start, end, period, jitter=0.08, answered=None):
        """Polls reqs [(fc, addr, qty)] every period (+/- jitter) from start to end;
        answered(t): False once the server is dead."""
        t = start + self.rng.uniform(0, period)
        while t < end:
            def job(t=t):
                ok = answered is None or answered(t)
                self.transact(cli, srv, [read_regs(fc, a, q, self.rng) for fc, a, q in reqs],
                              answered=ok)
            self.at(t, job)
            t += period * (1 + self.rng.uniform(-jitter, jitter))

    def operator(self, cli, srv, setpoints, start, end, mean_gap, multi=False, answered=None):
        """Operator writes at random times, values from the learned sets."""
        t = start + self.rng.expovariate(1.0 / mean_gap)
        while t < end:
            reg = self.rng.choice(sorted(setpoints))
            if multi:
                values = [self.rng.choice(setpoints[r]) for r in sorted(setpoints)]
                pdu = write_multi(min(setpoints), values)
            else:
                pdu = write_single(reg, self.rng.choice(setpoints[reg]))
            self.at(t, lambda pdu=pdu, t=t: self.transact(
                cli, srv, [pdu], answered=answered is None or answered(t)))
            t += self.rng.expovariate(1.0 / mean_gap)

    # -- DNP3 master

    def dnp3_poller(self, master, outstation, start, end, period):
        t = start + self.rng.uniform(0, period)
        seq = [0]
        while t < end:
            def job():
                s = self.session(master, outstation, 20000)
                seq[0] += 1
                values = [self.rng.randrange(-500, 500) for _ in range(4)]
                req, resp = dnp3_poll(seq[0], 3, 10, values)
                s.exchange(req, None, ack=False)
                self.cap.clock.advance(self.rng.randrange(2000, 9000))
                s.send(resp, False)
            self.at(t, job)
            t += period * (1 + self.rng.uniform(-0.05, 0.05))

    # -- layer 2 and IT background

    def arp_pair(self, a, b, answered=True):
        def job():
            self.cap.l2(BCAST, a.mac, ETH_P_ARP, arp(1, a.mac, a.ip, b"\0" * 6, b.ip))
            if answered:
                self.cap.clock.advance(300)
                self.cap.l2(a.mac, b.mac, ETH_P_ARP, arp(2, b.mac, b.ip, a.mac, a.ip))
        return job

    def arps(self, pairs, start, end, every, dead=None):
        """dead: (host, time): from then on that host answers nothing, not even ARP."""
        for i, (a, b) in enumerate(pairs):
            t = start + 1 + i * 0.01
            while t < end:
                alive = dead is None or b is not dead[0] or t < dead[1]
                self.at(t, self.arp_pair(a, b, alive))
                t += every * (1 + self.rng.uniform(-0.1, 0.1))

    def lldp(self, start, end, every):
        """LLDP from the switch, CDP from the router, STP from the switch."""
        t = start + 2
        while t < end:
            self.at(t, lambda: self.cap.l2(LLDP_MCAST, SWITCH.mac, ETH_P_LLDP, lldp_frame()))
            self.at(t + 3, lambda: self.cap.frame(cdp_frame()))
            self.at(t + 4, lambda: self.cap.frame(stp_frame()))
            t += every

    def dhcp_lease(self, t):
        def job():
            xid = self.rng.getrandbits(32)
            zero = Host(EWS.mac, "0.0.0.0")
            bcast = Host(BCAST, "255.255.255.255")
            opts = [(50, EWS.ip), (12, b"EWS-01"), (60, b"MSFT 5.0")]
            UdpFlow(self.cap, zero, bcast, 68, 67).send(dhcp(1, xid, EWS.mac, None, 3, opts))
            self.cap.clock.advance(2000)
            UdpFlow(self.cap, Host(GW.mac, "192.168.10.1"), bcast, 67, 68).send(
                dhcp(2, xid, EWS.mac, EWS.ip, 5, [(54, GW.ip), (51, struct.pack("!I", 86400))]))
        self.at(t, job)

    def it_queries(self, start, end, every):
        """An office client behind the router reads trends from the historian's web API."""
        t = start + self.rng.uniform(0, every)
        while t < end:
            def job():
                self.port += 1
                via = Host(GW.mac, "192.168.20.50")   # routed: the router's MAC
                s = TcpSession(self.cap, via, HIST, self.port, 80,
                               rng=random.Random(self.port))
                s.handshake()
                body = b'{"tag":"PLC1.T1","values":[%d,%d,%d]}' % tuple(
                    self.rng.randrange(0, 999) for _ in range(3))
                s.exchange(b"GET /api/trend?tag=PLC1.T1 HTTP/1.1\r\nHost: historian.plant.local"
                           b"\r\nUser-Agent: trend-viewer/2.1\r\nAccept: */*\r\n\r\n",
                           b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                           b"Content-Length: %d\r\n\r\n" % len(body) + body)
                s.close()
            self.at(t, job)
            t += every * (1 + self.rng.uniform(-0.2, 0.2))

    # -- the engineering workstation

    def ews_session(self, start, minutes, plcs=(PLC1, PLC2), mode=1):
        """Identification, diagnostics, reads, and a configuration register (1000) set to
        `mode` on each PLC."""
        self.dhcp_lease(start)
        for i, plc in enumerate(plcs):
            self.at(start + 5 + i, self.arp_pair(EWS, plc))
            ident = device_id(b"Schneider Electric", b"BMX P34 2020", b"v3.20")
            self.at(start + 10 + i, lambda plc=plc, ident=ident: self.transact(
                EWS, plc, [ident, diag_echo(0x1234)]))
            t = start + 30 + i
            while t < start + minutes * 60:
                self.at(t, lambda plc=plc: self.transact(
                    EWS, plc, [read_regs(3, 1000, 20, self.rng)]))
                t += 30 * (1 + self.rng.uniform(-0.1, 0.1))
            self.at(start + minutes * 30 + i, lambda plc=plc: self.transact(
                EWS, plc, [write_single(1000, mode)]))

            def bye(plc=plc):
                s = self.sessions.get((EWS.ip, plc.ip, 502))
                if s and s.open:
                    s.close()
            self.at(start + minutes * 60 + 1 + i, bye)

    # -- the steady plant

    def steady(self, start, end, plc3_dead_at=None):
        alive3 = (lambda t: plc3_dead_at is None or t < plc3_dead_at)
        self.poller(HMI1, PLC1, [(3, 0, 10), (1, 0, 16)], start, end, 120)
        self.poller(HMI1, PLC2, [(3, 0, 10)], start, end, 120)
        self.poller(HMI2, PLC2, [(3, 100, 8)], start, end, 120)
        self.poller(HMI2, PLC3, [(3, 0, 12)], start, end, 120, answered=alive3)
        for plc in (PLC1, PLC2):
            self.poller(HIST, plc, [(3, 0, 10)], start, end, 300)
        self.poller(HIST, PLC3, [(3, 0, 10)], start, end, 300, answered=alive3)
        self.dnp3_poller(HMI1, RTU1, start, end, 300)
        self.operator(HMI1, PLC1, SETPOINTS_PLC1, start, end, 1500)
        self.operator(HMI2, PLC3, SETPOINTS_PLC3, start, end, 2400, multi=True, answered=alive3)
        pairs = [(HMI1, PLC1), (HMI1, PLC2), (HMI1, RTU1), (HMI2, PLC2), (HMI2, PLC3),
                 (HIST, PLC1), (HIST, PLC2), (HIST, PLC3), (HIST, GW)]
        self.arps(pairs, start, end, 1800,
                  dead=(PLC3, plc3_dead_at) if plc3_dead_at is not None else None)
        self.lldp(start, end, 1800)
        self.it_queries(start, end, 1800)


# ----------------------------------------------------------------------------- captures

def learn(path):
    cap = Capture(path, Clock(LEARN_START))
    p = Plant(cap, 1)
    p.steady(LEARN_START, LEARN_END)
    p.ews_session(DAY0 + 9 * HOUR + 5 * 60, 30, mode=1)
    p.ews_session(DAY0 + 11 * HOUR + 10 * 60, 15, mode=2)
    p.run()
    cap.close()


def steady(path):
    cap = Capture(path, Clock(LEARN_END))
    p = Plant(cap, 2)
    p.steady(LEARN_END, STEADY_END)
    p.run()
    cap.close()


def scenario(path, seed, inject, start=LEARN_END, **kw):
    cap = Capture(path, Clock(start))
    p = Plant(cap, seed)
    p.steady(start, start + SCENARIO_LEN, **kw)
    inject(p, start + 600)
    p.run()
    cap.close()


def inject_new_host(p, t):
    p.at(t, p.arp_pair(ROGUE, PLC1))
    for i in range(5):
        p.at(t + 5 + 20 * i, lambda: p.transact(ROGUE, PLC1, [write_multi(100, [55, 25])]))


def inject_hmi_range(p, t):
    for i in range(10):
        p.at(t + i, lambda i=i: p.transact(HMI1, PLC1, [write_single(400 + i, 1)]))


def inject_setpoint(p, t):
    p.at(t, lambda: p.transact(HMI1, PLC1, [write_single(100, 9999)]))


def inject_storm(p, t):
    for i in range(600):
        p.at(t + i * 0.1, lambda: p.transact(HMI2, PLC2, [read_regs(3, 100, 8, p.rng)]))


def inject_nothing(p, t):
    pass


def night(path):
    cap = Capture(path, Clock(NIGHT_START))
    p = Plant(cap, 8)
    p.steady(NIGHT_START, NIGHT_START + SCENARIO_LEN)
    p.ews_session(NIGHT_START + 600, 15, plcs=(PLC1,))
    p.run()
    cap.close()


CAPTURES = {
    "plant-learn.pcap": learn,
    "plant-steady.pcap": steady,
    "plant-new-host.pcap": lambda path: scenario(path, 3, inject_new_host),
    "plant-hmi-range.pcap": lambda path: scenario(path, 4, inject_hmi_range),
    "plant-setpoint.pcap": lambda path: scenario(path, 5, inject_setpoint),
    "plant-storm.pcap": lambda path: scenario(path, 6, inject_storm),
    "plant-silent.pcap": lambda path: scenario(path, 7, inject_nothing,
                                               plc3_dead_at=LEARN_END + 300),
    "plant-ews-night.pcap": night,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--out", default=os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "..", "pcaps"))
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    names = a.names or list(CAPTURES)
    for name in names:
        if name not in CAPTURES:
            sys.exit("gen-plant: unknown capture %s (one of %s)" % (name, ", ".join(CAPTURES)))
        CAPTURES[name](os.path.join(a.out, name))


if __name__ == "__main__":
    main()
