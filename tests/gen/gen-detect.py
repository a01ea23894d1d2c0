#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-detect: captures for the built-in detections (rules/*.rules): for each
group, detect-<group>.pcap holds traffic that triggers every detection of the
group, and detect-<group>-miss.pcap the near misses that must not (the same
operations one step short: a read instead of a stop, 4 devices where a sweep
needs 5, 19 gratuitous ARPs where a storm needs 20, TLS 1.2 with a CA-signed
certificate ...).  The golden tests run them with --eve-types alert: the
expected output of a -miss capture is empty.

specification: the PDU layouts are the protocol generators' (gen-modbus.py,
gen-dnp3.py, ... imported from this folder); TLS 1.2 (RFC 5246 section 7.4),
X.509 (RFC 5280 section 4.1), ARP (RFC 826), SNMP (RFC 3416), DNS (RFC 1035),
Telnet option negotiation (RFC 854), FTP (RFC 959), TFTP (RFC 1350).

Usage: gen-detect.py [-o DIR] [NAME.pcap...]   (default DIR: ../pcaps)
Deterministic: run it twice, get byte-identical files.
"""

import argparse
import importlib.machinery
import importlib.util
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
from pcapgen import (T0, Capture, Clock, Host, TcpSession, UdpFlow, ETH_P_ARP,  # noqa: E402
                     arp, SYN, ACK, RST)


def load(name):
    loader = importlib.machinery.SourceFileLoader(name.replace("-", "_"),
                                                  os.path.join(HERE, name + ".py"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


modbus = load("gen-modbus")
dnp3 = load("gen-dnp3")
iec = load("gen-iec104")
s7 = load("gen-s7comm")
mms = load("gen-mms")
goose = load("gen-goose")
enip = load("gen-enip")
bac = load("gen-bacnet")
opc = load("gen-opcua")
mqtt = load("gen-mqtt")
dcp = load("gen-pndcp")
ber = load("berenc")

# Hosts of the plant these captures come from (10.77/16: internal, unzoned).
ENG = Host("00:1b:21:77:00:05", "10.77.1.5")      # engineering workstation
HMI = Host("00:1b:21:77:00:10", "10.77.1.10")     # HMI / SCADA master
SCAN = Host("00:1b:21:77:00:66", "10.77.1.66")    # a host that scans


def plc(i):
    return Host("00:80:f4:77:01:%02x" % i, "10.77.2.%d" % i)


def tcp(cap, cli, srv, sport, dport, seed=None):
    s = TcpSession(cap, cli, srv, sport, dport, rng=random.Random(seed or sport))
    s.handshake()
    return s


# ----------------------------------------------------------------------------- Modbus

def umas(tid, code, data=b""):
    return modbus.adu(tid, 0, bytes([90, 0x8c, code]) + data)


def umas_ok(tid):
    return modbus.adu(tid, 0, bytes([90, 0x8c, 0xfe]))


def diag(tid, sub, data=0):
    return modbus.adu(tid, 1, struct.pack("!BHH", 8, sub, data))


def devid(tid):
    return modbus.adu(tid, 1, bytes([43, 14, 1, 0]))


def devid_resp(tid):
    return modbus.adu(tid, 1, bytes([43, 14, 1, 1, 0, 0, 1, 0, 4]) + b"ACME")


def modbus_sweeps(cap, n_devices, n_units):
    """An identification read of n_devices PLCs, then n_units unit ids of one gateway."""
    for i in range(n_devices):
        s = tcp(cap, SCAN, plc(20 + i), 41000 + i, 502)
        s.exchange(devid(1), devid_resp(1))
        s.close()
    s = tcp(cap, SCAN, plc(40), 42000, 502)
    for u in range(1, n_units + 1):
        s.exchange(modbus.adu(u, u, modbus.read_req(3, 0, 1)),
                   modbus.adu(u, u, modbus.read_regs_resp(3, [0])))
    s.close()


def gen_modbus(path):
    """UMAS STOP, START, download and upload, FC 8 restart communications and
    listen-only, an identification sweep of 5 PLCs, a sweep of 32 unit ids."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = tcp(cap, ENG, plc(1), 40001, 502)
        s.exchange(umas(1, 0x41, b"\xff\x00"), umas_ok(1))
        s.exchange(umas(2, 0x40, b"\xff\x00"), umas_ok(2))
        s.exchange(umas(3, 0x33, b"\x00\x01"), umas_ok(3))
        s.exchange(umas(4, 0x30, b"\x00\x01"), umas_ok(4))
        s.exchange(diag(5, 1), diag(5, 1))
        s.exchange(diag(6, 4), None)
        s.close()
        modbus_sweeps(cap, 5, 32)


def gen_modbus_miss(path):
    """UMAS identification, keep-alive and a memory read; FC 8 echo and clear
    counters; identification of 4 PLCs; 31 unit ids."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = tcp(cap, ENG, plc(1), 40001, 502)
        s.exchange(umas(1, 0x02), umas_ok(1))
        s.exchange(umas(2, 0x12), umas_ok(2))
        s.exchange(umas(3, 0x20, b"\x01\x00\x00\x00\x00\x10\x00"), umas_ok(3))
        s.exchange(diag(4, 0, 0x1234), diag(4, 0, 0x1234))
        s.exchange(diag(5, 0x0a), diag(5, 0x0a))
        s.close()
        modbus_sweeps(cap, 4, 31)


# ----------------------------------------------------------------------------- DNP3

RTU_A = Host("00:0a:dc:77:03:01", "10.77.3.1")


def dnp3_assoc(cap, sport):
    s = tcp(cap, HMI, RTU_A, sport, 20000)
    return dnp3.Assoc(s)


def gen_dnp3(path):
    """Cold restart, stop and start application, a control to the broadcast
    address, disable unsolicited, an unsolicited response to the broadcast
    address, open file, activate configuration."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        a = dnp3_assoc(cap, 41100)
        a.master(dnp3.req(0xc1, 13))
        a.outstation(dnp3.resp(0xc1, 0x81, 0))
        a.master(dnp3.req(0xc2, 18, dnp3.hdr(90, 1, 0x06)))
        a.outstation(dnp3.resp(0xc2, 0x81, 0))
        a.master(dnp3.req(0xc3, 17, dnp3.hdr(90, 1, 0x06)))
        a.outstation(dnp3.resp(0xc3, 0x81, 0))
        # a DIRECT_OPERATE_NR to every outstation (0xFFFF)
        a.m.peer = 0xffff
        a.master(dnp3.req(0xc4, 6, dnp3.hdr(12, 1, 0x28, 1) + dnp3.crob(3, 0x41)))
        a.m.peer = dnp3.RTU_ADDR
        a.master(dnp3.req(0xc5, 21, dnp3.hdr(60, 2, 0x06) + dnp3.hdr(60, 3, 0x06)))
        a.outstation(dnp3.resp(0xc5, 0x81, 0))
        a.o.peer = 0xffff
        a.outstation(dnp3.resp(0xf0, 0x82, 0, dnp3.hdr(2, 1, 0x28, 1) + b"\x00\x00\x81"),
                     ack=False)
        a.o.peer = dnp3.MASTER_ADDR
        a.master(dnp3.req(0xc6, 25))
        a.outstation(dnp3.resp(0xc6, 0x81, 0))
        a.master(dnp3.req(0xc7, 31))
        a.outstation(dnp3.resp(0xc7, 0x81, 0))
        a.s.close()


def gen_dnp3_miss(path):
    """A class poll, a control to the outstation's own address, enable
    unsolicited, an unsolicited response to the master, time sync, a write."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        a = dnp3_assoc(cap, 41100)
        a.master(dnp3.req(0xc1, 1, dnp3.hdr(60, 1, 0x06)))
        a.outstation(dnp3.resp(0xc1, 0x81, 0))
        a.master(dnp3.req(0xc2, 5, dnp3.hdr(12, 1, 0x28, 1) + dnp3.crob(3, 0x41)))
        a.outstation(dnp3.resp(0xc2, 0x81, 0, dnp3.hdr(12, 1, 0x28, 1) + dnp3.crob(3, 0x41)))
        a.master(dnp3.req(0xc3, 20, dnp3.hdr(60, 2, 0x06)))
        a.outstation(dnp3.resp(0xc3, 0x81, 0))
        a.outstation(dnp3.resp(0xf0, 0x82, 0, dnp3.hdr(2, 1, 0x28, 1) + b"\x00\x00\x81"),
                     ack=False)
        a.master(dnp3.req(0xc4, 24))
        a.outstation(dnp3.resp(0xc4, 0x81, 0))
        a.master(dnp3.req(0xc5, 2, dnp3.hdr(80, 1, 0x00, 7, 7) + b"\x00"))
        a.outstation(dnp3.resp(0xc5, 0x81, 0))
        a.s.close()


# ----------------------------------------------------------------------------- IEC 104

def rtu(i):
    return Host("00:0a:dc:77:04:%02x" % i, "10.77.4.%d" % i)


def iec_link(cap, srv, sport):
    s = tcp(cap, HMI, srv, sport, 2404)
    link = iec.Link(s)
    link.u(iec.STARTDT_ACT, True)
    link.u(iec.STARTDT_CON, False)
    return link


def interrogations(cap, n):
    for i in range(n):
        link = iec_link(cap, rtu(20 + i), 41300 + i)
        link.command(iec.C_IC_NA_1, iec.ioa(0) + bytes([20]), term=True)
        link.s.close()


def gen_iec104(path):
    """Reset process; a single command activation sent by the controlled
    station; a command from the controlling station with cause spont; a
    monitoring ASDU from the controlling station; an ASDU with cause 14
    (reserved); general interrogations of 5 outstations."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        link = iec_link(cap, rtu(1), 41200)
        link.command(iec.C_RP_NA_1, iec.ioa(0) + b"\x01")
        link.i(iec.asdu(iec.C_SC_NA_1, iec.ACT, [iec.ioa(5001) + iec.sco(True)]), False)
        link.i(iec.asdu(iec.C_SC_NA_1, iec.SPONT, [iec.ioa(5002) + iec.sco(True)]), True)
        link.i(iec.asdu(iec.M_SP_NA_1, iec.SPONT, [iec.ioa(101) + iec.siq(1)]), True)
        link.i(iec.asdu(iec.M_SP_NA_1, 14, [iec.ioa(102) + iec.siq(1)]), False)
        link.s_ack(True)
        link.s.close()
        interrogations(cap, 5)


def gen_iec104_miss(path):
    """Commands activated by the controlling station and confirmed,
    terminated, deactivated; spontaneous data from the outstation;
    interrogations of 4 outstations."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        link = iec_link(cap, rtu(1), 41200)
        link.command(iec.C_SC_NA_1, iec.ioa(5001) + iec.sco(True), term=True)
        link.i(iec.asdu(iec.C_DC_NA_1, iec.DEACT, [iec.ioa(5003) + iec.dco(2)]), True)
        link.i(iec.asdu(iec.C_DC_NA_1, iec.DEACTCON, [iec.ioa(5003) + iec.dco(2)]), False)
        link.i(iec.asdu(iec.M_SP_NA_1, iec.SPONT, [iec.ioa(101) + iec.siq(1)]), False)
        link.s_ack(True)
        link.s.close()
        interrogations(cap, 4)


# ----------------------------------------------------------------------------- S7comm

def s7_session(cap, cli, srv, sport):
    s = tcp(cap, cli, srv, sport, 102)
    s.exchange(s7.cr(), s7.cr(cc=True, src_ref=0x44, dst_ref=1))
    s.exchange(s7.dt(s7.setup()), s7.dt(s7.setup_ack()))
    return s


def pi(ref, service, arg=b""):
    params = bytes([0x28]) + bytes(7) + struct.pack("!H", len(arg)) + arg + \
        bytes([len(service)]) + service
    return s7.s7(s7.JOB, ref, params)


def pi_ack(ref):
    return s7.s7(s7.ACK_DATA, ref, bytes([0x28]))


def insert_blocks():
    return b"\x01\x00" + b"0A00001P"  # one block: OB 1, passive file system


def szl_sweep(cap, n):
    for i in range(n):
        s = s7_session(cap, SCAN, plc(60 + i), 41500 + i)
        s.exchange(s7.dt(s7.userdata(1, 4, 1, b"\xff\x09\x00\x04\x00\x11\x00\x01")),
                   s7.dt(s7.userdata(1, 4, 1, b"\xff\x09\x00\x00", resp=True)))
        s.close()


def gen_s7comm(path):
    """PLC STOP; P_PROGRAM (hot restart); a mode transition reported by the
    CPU; request download; _INSE (block activation); start upload; SZL reads
    of 5 PLCs."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = s7_session(cap, ENG, plc(1), 41400)
        s.exchange(s7.dt(s7.s7(s7.JOB, 2, bytes([0x29]) + bytes(5) + b"\x09P_PROGRAM")),
                   s7.dt(s7.s7(s7.ACK_DATA, 2, bytes([0x29]))))
        s.exchange(s7.dt(pi(3, b"P_PROGRAM")), s7.dt(pi_ack(3)))
        s.send(s7.dt(s7.userdata(0, 0, 0, b"", typ=0)), False)
        s.exchange(s7.dt(s7.s7(s7.JOB, 4, bytes([0x1a, 0, 1, 0, 0, 0, 0, 0, 9]) +
                               b"_0800001P" + b"\x0d1000256000128")),
                   s7.dt(s7.s7(s7.ACK_DATA, 4, bytes([0x1a, 0]))))
        s.exchange(s7.dt(pi(5, b"_INSE", insert_blocks())), s7.dt(pi_ack(5)))
        s.exchange(s7.dt(s7.s7(s7.JOB, 6, bytes([0x1d, 0, 0, 0, 0, 0, 0, 0, 9]) +
                               b"_0800001A")),
                   s7.dt(s7.s7(s7.ACK_DATA, 6, bytes([0x1d, 0, 0, 0, 0, 0, 0, 1, 7]) +
                               b"0000256")))
        s.close()
        szl_sweep(cap, 5)


def gen_s7comm_miss(path):
    """Reads and writes of data blocks, a memory compression (_GARB), SZL
    reads of 4 PLCs."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = s7_session(cap, ENG, plc(1), 41400)
        s.exchange(s7.dt(s7.read_job(2, [s7.item(s7.AREA_DB, 1, 0, 4)])),
                   s7.dt(s7.read_ack(2, [b"\x00\x01\x02\x03"])))
        s.exchange(s7.dt(s7.write_job(3, [(s7.item(s7.AREA_DB, 1, 0, 2), b"\x00\x10")])),
                   s7.dt(s7.write_ack(3, 1)))
        s.exchange(s7.dt(pi(4, b"_GARB")), s7.dt(pi_ack(4)))
        s.close()
        szl_sweep(cap, 4)


# ----------------------------------------------------------------------------- MMS

def mms_assoc(cap, srv, sport):
    mms.IED, mms.IED_MAC = srv.ip_text, srv.mac_text
    mms.CLIENT, mms.CLIENT_MAC = ENG.ip_text, ENG.mac_text
    a = mms.Assoc(cap, sport)
    a.connect()
    return a


def prog(name):
    return ber.ctx(0, name, False)


def mms_identify_sweep(cap, n):
    for i in range(n):
        a = mms_assoc(cap, plc(80 + i), 41700 + i)
        a.call(ber.ctx(mms.SVC_IDENTIFY, b"", False),
               ber.ctx(mms.SVC_IDENTIFY, ber.ctx(0, b"ACME") + ber.ctx(1, b"IED") +
                       ber.ctx(2, b"1.0"), True))
        a.release()


def gen_mms(path):
    """Stop and start of a program invocation; an initiateDownloadSequence;
    an initiateUploadSequence; obtainFile; identify of 5 IEDs."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        a = mms_assoc(cap, plc(70), 41600)
        a.call(mms.tag(41, prog(b"PROT1")), mms.tag(41, b"", False))
        a.call(mms.tag(40, prog(b"PROT1")), mms.tag(40, b"", False))
        a.call(mms.tag(26, ber.ctx(0, b"LD1") + ber.ctx(1, ber.tlv(0x1a, b"cap"), True) +
                       ber.ctx(2, b"\x00")),
               mms.tag(26, b"", False))
        a.call(mms.tag(29, b"LD1", False), mms.tag(29, ber.ctx(0, b"\x01") +
                                                   ber.ctx(1, b"\x00")))
        a.call(mms.tag(mms.SVC_OBTAIN_FILE, ber.ctx(1, mms.file_name(b"fw.bin"), True) +
                       ber.ctx(2, mms.file_name(b"IED/fw.bin"), True)),
               mms.tag(mms.SVC_OBTAIN_FILE, b"", False))
        a.release()
        mms_identify_sweep(cap, 5)


def gen_mms_miss(path):
    """Reads and writes, a file read (open, read, close), getProgramInvocation
    attributes; identify of 4 IEDs."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        a = mms_assoc(cap, plc(70), 41600)
        a.call(mms.read_req(mms.dom_name(b"LD1", b"XCBR1$ST$Pos")),
               mms.read_resp(ber.d_bits("10")))
        a.call(mms.write_req([mms.dom_name(b"LD1", b"GGIO1$SP$SPCSO1")], [ber.d_bool(True)]),
               ber.ctx(mms.SVC_WRITE, ber.ctx(1, b"", False), True))
        a.call(mms.tag(mms.SVC_FILE_OPEN, ber.ctx(0, mms.file_name(b"COMTRADE/a.cfg"), True) +
                       ber.ctx(1, b"\x00")),
               mms.tag(mms.SVC_FILE_OPEN, ber.ctx(0, b"\x07") +
                       ber.ctx(1, ber.ctx(0, ber.int_bytes(10)), True)))
        a.call(mms.tag(mms.SVC_FILE_READ, b"\x07", False),
               mms.tag(mms.SVC_FILE_READ, ber.ctx(0, b"0123456789") + ber.ctx(1, b"\x00")))
        a.call(mms.tag(mms.SVC_FILE_CLOSE, b"\x07", False), mms.tag(mms.SVC_FILE_CLOSE, b"", False))
        a.call(mms.tag(45, b"PROT1", False), mms.tag(45, ber.ctx(0, b"\x02") +
                                                     ber.ctx(1, b"\x00")))
        a.release()
        mms_identify_sweep(cap, 4)


# ----------------------------------------------------------------------------- GOOSE

IED1, IED2 = "00:30:a7:77:05:01", "00:30:a7:77:05:02"
GOOSE_DST = "01:0c:cd:01:00:01"


def goose_pub(cap, src=IED1, ref=b"IED1LD0/LLN0$GO$gcb1", test=False):
    return goose.Publisher(cap, src, GOOSE_DST, 0x0001, ref, b"IED1LD0/LLN0$ds1", test=test)


def gen_goose(path):
    """A publisher; a replayed older frame (stNum back); a state change that
    skips two stNum values; a new stNum whose sqNum did not restart; the
    same gocbRef from another MAC; a frame with the simulation flag."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        p = goose_pub(cap)
        data = goose.breaker("10", clock.now)
        p.heartbeat(data, 3)
        p.change(goose.breaker("01", clock.now), bursts=(2, 4))
        p.change(goose.breaker("10", clock.now), bursts=(2, 4))
        # replay: a copy of a frame of the old state
        st, sq = p.st_num, p.sq_num
        p.st_num, p.sq_num = st - 1, 1
        clock.advance(20000)
        p.send(data, 2000)
        p.st_num, p.sq_num = st, sq
        p.heartbeat(data, 1)
        # a jump: stNum + 3
        p.st_num += 2
        p.change(goose.breaker("10", clock.now), bursts=(2,))
        # stNum + 1 with sqNum 7
        p.st_num += 1
        p.sq_num = 7
        clock.advance(30000)
        p.send(data, 2000)
        # another device publishes the same control block
        q = goose_pub(cap, src=IED2)
        q.st_num, q.sq_num = p.st_num, p.sq_num
        clock.advance(30000)
        q.send(data, 2000)
        # simulation / test flag
        t = goose_pub(cap, ref=b"IED1LD0/LLN0$GO$gcbTest", test=True)
        clock.advance(30000)
        t.send(data, 2000)


def gen_goose_miss(path):
    """Heartbeats, two state changes with their bursts, a publisher restart
    (stNum 1, sqNum 0), two control blocks of one IED."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        p = goose_pub(cap)
        p2 = goose_pub(cap, ref=b"IED1LD0/LLN0$GO$gcb2")
        data = goose.breaker("10", clock.now)
        p.heartbeat(data, 3)
        p2.heartbeat(data, 2)
        p.change(goose.breaker("01", clock.now), bursts=(2, 4, 8))
        p.change(goose.breaker("10", clock.now), bursts=(2, 4))
        p.heartbeat(data, 2)
        p.st_num, p.sq_num = 1, 0  # the IED restarted
        clock.advance(5000000)
        p.send(data, 2000)
        p.heartbeat(data, 2)


# ----------------------------------------------------------------------------- EtherNet/IP

def enip_session(cap, cli, srv, sport):
    s = tcp(cap, cli, srv, sport, 44818)
    s.exchange(enip.encap(enip.REGISTER, struct.pack("<HH", 1, 0), session=0),
               enip.encap(enip.REGISTER, struct.pack("<HH", 1, 0)))
    return s


def cip(s, service, path, data=b"", reply=b""):
    s.exchange(enip.encap(enip.SEND_RR, enip.rr(enip.req(service, path, data))),
               enip.encap(enip.SEND_RR, enip.rr(enip.rsp(service, 0, reply))))


def list_identity(cap, cli, dst, sport):
    f = UdpFlow(cap, cli, dst, sport, 44818)
    f.send(enip.encap(enip.LIST_IDENTITY, session=0), True)
    return f


def gen_enip(path):
    """CIP Stop, Start and Reset; File object Initiate_Download and
    Initiate_Upload; ListIdentity to the broadcast address; ListIdentity to 5
    devices."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = enip_session(cap, ENG, plc(90), 41800)
        cip(s, 0x07, enip.logical(0x8e, 1))
        cip(s, 0x06, enip.logical(0x8e, 1))
        cip(s, 0x05, enip.logical(0x01, 1), b"\x00")
        cip(s, 0x4c, enip.logical(0x37, 0xc8), struct.pack("<IBB", 4096, 1, 0) + b"\x08fw.bin  ")
        cip(s, 0x4b, enip.logical(0x37, 0xc8), b"\x10")
        s.close()
        list_identity(cap, ENG, Host("ff:ff:ff:ff:ff:ff", "255.255.255.255"), 41900)
        for i in range(5):
            list_identity(cap, SCAN, plc(100 + i), 42000 + i)


def gen_enip_miss(path):
    """Get_Attribute_Single and Read_Tag; ListIdentity to 4 devices."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = enip_session(cap, ENG, plc(90), 41800)
        cip(s, 0x0e, enip.logical(0x01, 1, 7), b"", b"\x0b1756-L83E/B")
        cip(s, 0x4c, enip.symbolic("Speed"), b"\x01\x00", struct.pack("<HI", 0xc4, 1500))
        s.close()
        for i in range(4):
            list_identity(cap, SCAN, plc(100 + i), 42000 + i)


# ----------------------------------------------------------------------------- BACnet

BMS = Host("00:50:56:77:06:05", "10.77.6.5")
CTRL = Host("00:50:56:77:06:20", "10.77.6.20")
BCAST = Host("ff:ff:ff:ff:ff:ff", "10.77.6.255")
DCC, REINIT, AWF = 17, 20, 7


def bac_call(f, invoke, service, data, reply=True):
    f.send(bac.bvlc(bac.UNICAST, bac.npdu(bac.confirmed(invoke, service, data), reply=True)),
           True)
    if reply:
        f.send(bac.bvlc(bac.UNICAST, bac.npdu(bac.simple_ack(invoke, service))), False)


def who_is(f, limits=None):
    data = b"" if limits is None else bac.ctx(0, limits[0]) + bac.ctx(1, limits[1])
    f.send(bac.bvlc(bac.BROADCAST, bac.npdu(bac.unconfirmed(bac.WHO_IS, data))), True)


def gen_bacnet(path):
    """DeviceCommunicationControl disable, then enable; ReinitializeDevice;
    AtomicWriteFile; 5 global Who-Is in a minute from one host."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        f = UdpFlow(cap, BMS, CTRL, 47808, 47808, step_us=20000)
        bac_call(f, 1, DCC, bac.ctx(1, 1))
        bac_call(f, 2, DCC, bac.ctx(1, 0))
        bac_call(f, 3, REINIT, bac.ctx(0, 0))
        bac_call(f, 4, AWF, bac.app_objid(10, 1) + bac.opening(0) + bytes([0x31, 0x00]) +
                 bytes([0x64]) + b"prog" + bac.closing(0))
        g = UdpFlow(cap, BMS, BCAST, 47808, 47808, step_us=5000000)
        for _ in range(5):
            who_is(g)


def gen_bacnet_miss(path):
    """ReadProperty and WriteProperty; 5 Who-Is with instance limits; 4
    global Who-Is."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        f = UdpFlow(cap, BMS, CTRL, 47808, 47808, step_us=20000)
        f.send(bac.bvlc(bac.UNICAST, bac.npdu(bac.confirmed(1, bac.RP, bac.objid(0, 2, 1) +
                                                            bac.ctx(1, 85)), reply=True)), True)
        f.send(bac.bvlc(bac.UNICAST, bac.npdu(bac.complex_ack(1, bac.RP, bac.objid(0, 2, 1) +
                                                              bac.ctx(1, 85) + bac.opening(3) +
                                                              bac.app_real(21.5) +
                                                              bac.closing(3)))), False)
        f.send(bac.bvlc(bac.UNICAST, bac.npdu(bac.confirmed(2, bac.WP, bac.objid(0, 2, 1) +
                                                            bac.ctx(1, 85) + bac.opening(3) +
                                                            bac.app_real(22.0) +
                                                            bac.closing(3)), reply=True)), True)
        f.send(bac.bvlc(bac.UNICAST, bac.npdu(bac.simple_ack(2, bac.WP))), False)
        g = UdpFlow(cap, BMS, BCAST, 47808, 47808, step_us=5000000)
        for i in range(5):
            who_is(g, (100 * i + 1, 100 * i + 100))
        for _ in range(4):
            who_is(g)


# ----------------------------------------------------------------------------- OPC UA

UA_SERVER = Host("00:0c:29:77:07:40", "10.77.7.40")
ACTIVATE_REQ, GET_ENDPOINTS_RSP = 467, 431
BASIC256 = "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256"


def ua_activate(handle, token_id, body=None):
    token = struct.pack("<BBH", 1, 0, token_id) + (b"\x00" if body is None else
                                                   b"\x01" + opc.string(body))
    return opc.enc_id(ACTIVATE_REQ) + opc.request_header(handle, b"\x01\x00\x05\x00") + \
        opc.string(None) + opc.string(None) + opc.i32(-1) + opc.i32(-1) + token + \
        opc.string(None) + opc.string(None)


def ua_endpoint(mode, policy):
    """EndpointDescription (Part 4 section 7.10) with its ApplicationDescription."""
    app = opc.string("urn:plant:server") + opc.string(None) + b"\x00" + opc.u32(0) + \
        opc.string(None) + opc.string(None) + opc.i32(-1)
    return opc.string("opc.tcp://10.77.7.40:4840") + app + opc.string(None) + \
        opc.u32(mode) + opc.string(policy) + opc.i32(0) + \
        opc.string("http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary") + \
        b"\x00"


def ua_get_endpoints_rsp(handle, endpoints):
    return opc.enc_id(GET_ENDPOINTS_RSP) + opc.response_header(handle) + \
        opc.i32(len(endpoints)) + b"".join(endpoints)


def gen_opcua(path):
    """A secure channel with SecurityPolicy None; an anonymous session; a
    GetEndpoints answer offering a None endpoint."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = tcp(cap, ENG, UA_SERVER, 42100, 4840)
        opc.open_channel(s)
        s.exchange(opc.msg(7, 2, 2, ua_activate(2, 321)), None)
        s.send(opc.msg(7, 2, 2, ua_get_endpoints_rsp(3, [ua_endpoint(1, opc.POLICY_NONE),
                                                         ua_endpoint(3, BASIC256)])), False)
        s.close()


def gen_opcua_miss(path):
    """A secure channel with Basic256Sha256 (its body encrypted), a session
    with a user name, a GetEndpoints answer with secure endpoints only."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = tcp(cap, ENG, UA_SERVER, 42100, 4840)
        s.exchange(opc.hello(), opc.ack())
        cert = bytes(range(64))
        s.exchange(opc.hdr(b"OPN", b"F", opc.u32(0) + opc.string(BASIC256) + opc.string(cert) +
                           opc.string(bytes(20)) + bytes(96)), None)
        user = opc.string("policy") + opc.string("operator") + opc.string(bytes(32)) + \
            opc.string("http://www.w3.org/2001/04/xmlenc#rsa-oaep")
        s.exchange(opc.msg(7, 2, 2, ua_activate(2, 324, user)), None)
        s.send(opc.msg(7, 3, 3, ua_get_endpoints_rsp(3, [ua_endpoint(3, BASIC256)])), False)
        s.close()


# ----------------------------------------------------------------------------- MQTT

BROKER = Host("00:1c:42:77:08:02", "10.77.8.2")
GW1 = Host("00:1c:42:77:08:10", "10.77.8.10")


def gen_mqtt(path):
    """An anonymous CONNECT and a CONNECT with a user name and password, in
    clear text on 1883."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = tcp(cap, GW1, BROKER, 42200, 1883)
        s.exchange(mqtt.connect(b"gw1"), mqtt.connack())
        s.close()
        s = tcp(cap, GW1, BROKER, 42201, 1883)
        s.exchange(mqtt.connect(b"gw1", user=b"gw", password=b"secret"), mqtt.connack())
        s.close()


def tls_record(ctype, body, version=0x0303):
    return struct.pack("!BHH", ctype, version, len(body)) + body


def handshake(htype, body):
    return bytes([htype]) + len(body).to_bytes(3, "big") + body


def client_hello(sni=None, version=0x0303):
    exts = b""
    if sni:
        name = sni.encode()
        sn = b"\x00" + struct.pack("!H", len(name)) + name
        exts += struct.pack("!HH", 0, len(sn) + 2) + struct.pack("!H", len(sn)) + sn
    exts += struct.pack("!HHH", 10, 4, 2) + b"\x00\x17"          # supported groups
    exts += struct.pack("!HHB", 11, 2, 1) + b"\x00"              # point formats
    exts += struct.pack("!HH", 13, 4) + b"\x00\x02\x04\x01"      # signature algorithms
    suites = b"\xc0\x2f\xc0\x30\x00\x9c\x00\x2f"
    body = struct.pack("!H", version) + bytes(range(32)) + b"\x00" + struct.pack("!H", len(suites)) + suites + \
        b"\x01\x00" + struct.pack("!H", len(exts)) + exts
    return tls_record(22, handshake(1, body), 0x0301)


def gen_mqtt_miss(path):
    """MQTT over TLS on 8883: no clear-text MQTT to see."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = tcp(cap, GW1, BROKER, 42200, 8883)
        s.send(client_hello("broker.plant"), True)
        s.ack(False)
        s.close()


# ----------------------------------------------------------------------------- Profinet DCP

ES, DEV = "00:1b:1b:77:09:01", "00:0e:8c:77:09:02"


def dcp_frame(cap, dst, src, frame_id, service, stype, blocks):
    cap.clock.advance(10000)
    cap.l2(dst, src, 0x8892, dcp.dcp(frame_id, service, stype, 0x1000 + service, blocks))


def gen_pndcp(path):
    """An Identify request to all devices; a Set of a device's IP address."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        dcp_frame(cap, dcp.DCP_MULTICAST, ES, dcp.FRAME_IDENT_REQ, dcp.IDENTIFY, dcp.REQUEST,
                  [dcp.block(dcp.OPT_ALL, 0xff)])
        dcp_frame(cap, DEV, ES, dcp.FRAME_GET_SET, dcp.SET, dcp.REQUEST,
                  [dcp.block(dcp.OPT_IP, dcp.SUB_IP_PARAM,
                             dcp.ip_param("10.77.9.2", "255.255.255.0", "10.77.9.1"), 1)])


def gen_pndcp_miss(path):
    """The device answers an Identify; a Hello; a Get of the name."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        dcp_frame(cap, ES, DEV, dcp.FRAME_IDENT_RES, dcp.IDENTIFY, dcp.RESPONSE,
                  dcp.identity_blocks("plc1", 0x002a, 0x0401, "10.77.9.2"))
        dcp_frame(cap, dcp.HELLO_MULTICAST, DEV, dcp.FRAME_HELLO, dcp.HELLO, dcp.REQUEST,
                  dcp.identity_blocks("plc1", 0x002a, 0x0401, "10.77.9.2"))
        dcp_frame(cap, DEV, ES, dcp.FRAME_GET_SET, dcp.GET, dcp.REQUEST,
                  [dcp.block(dcp.OPT_DEVICE, dcp.SUB_NAME)])


# ----------------------------------------------------------------------------- ARP

BCAST_MAC = "ff:ff:ff:ff:ff:ff"
GW = Host("00:0e:8c:77:0a:01", "10.77.10.1")
NODE = Host("00:0e:8c:77:0a:10", "10.77.10.10")
EVIL = Host("02:00:00:77:0a:66", "10.77.10.66")


def arp_frame(cap, op, sender_mac, sender_ip, target_mac, target_ip, dst=BCAST_MAC, usec=100000):
    cap.clock.advance(usec)
    cap.l2(dst, sender_mac, ETH_P_ARP, arp(op, sender_mac, sender_ip, target_mac, target_ip))


def normal_arp(cap):
    arp_frame(cap, 1, NODE.mac, NODE.ip, b"\0" * 6, GW.ip)
    arp_frame(cap, 2, GW.mac, GW.ip, NODE.mac, NODE.ip, dst=NODE.mac)


def gen_arp(path):
    """The gateway's address answered from another MAC, then back and forth
    (poisoning); 20 gratuitous ARPs in 10 s from one host."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        normal_arp(cap)
        arp_frame(cap, 2, EVIL.mac, GW.ip, NODE.mac, NODE.ip, dst=NODE.mac)
        arp_frame(cap, 2, GW.mac, GW.ip, NODE.mac, NODE.ip, dst=NODE.mac)
        for _ in range(20):
            arp_frame(cap, 1, EVIL.mac, EVIL.ip, b"\0" * 6, EVIL.ip, usec=400000)


def gen_arp_miss(path):
    """Requests and replies of stable bindings; RFC 5227 probes (sender
    0.0.0.0); 19 gratuitous ARPs in 10 s."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        for _ in range(3):
            normal_arp(cap)
        arp_frame(cap, 1, EVIL.mac, b"\0\0\0\0", b"\0" * 6, EVIL.ip)
        for _ in range(19):
            arp_frame(cap, 1, EVIL.mac, EVIL.ip, b"\0" * 6, EVIL.ip, usec=500000)


# ----------------------------------------------------------------------------- clear text

SRV = Host("00:0e:8c:77:0b:10", "10.77.11.10")
IAC, DO, WILL, WONT = 0xff, 0xfd, 0xfb, 0xfc


def snmp_get(community, version=1):
    pdu = b"\xa0\x19\x02\x04\x00\x00\x00\x01\x02\x01\x00\x02\x01\x00\x30\x0b\x30\x09" + \
        b"\x06\x05\x2b\x06\x01\x02\x01\x05\x00"
    body = b"\x02\x01" + bytes([version]) + b"\x04" + bytes([len(community)]) + community + pdu
    return b"\x30" + bytes([len(body)]) + body


def snmp_v3():
    body = b"\x02\x01\x03" + b"\x30\x0e\x02\x02\x12\x34\x02\x03\x00\xff\xe3\x04\x01\x04" + \
        b"\x02\x01\x03" + b"\x04\x00" + b"\x30\x00"
    return b"\x30" + bytes([len(body)]) + body


def gen_cleartext(path):
    """Telnet, FTP (USER, PASS), a TFTP read, HTTP with basic authentication,
    SNMPv2c with the community public, to OT devices."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = tcp(cap, ENG, SRV, 42300, 23)
        s.send(bytes([IAC, DO, 24, IAC, DO, 32, IAC, DO, 35, IAC, DO, 39]), False)
        s.send(bytes([IAC, WILL, 24, IAC, WILL, 32, IAC, WONT, 35, IAC, WILL, 39]), True)
        s.send(b"\r\nplc1 login: ", False)
        s.send(b"admin\r\n", True)
        s.send(b"Password: ", False)
        s.send(b"admin\r\n", True)
        s.send(b"\r\n$ ", False)
        s.close()
        s = tcp(cap, ENG, SRV, 42301, 21)
        s.send(b"220 plc1 FTP server ready\r\n", False)
        s.exchange(b"USER admin\r\n", b"331 Password required\r\n")
        s.exchange(b"PASS admin\r\n", b"230 Logged in\r\n")
        s.exchange(b"QUIT\r\n", b"221 Bye\r\n")
        s.close()
        f = UdpFlow(cap, ENG, SRV, 42302, 69)
        f.send(b"\x00\x01config.bin\x00octet\x00", True)
        f.send(b"\x00\x03\x00\x01" + bytes(64), False)
        s = tcp(cap, ENG, SRV, 42303, 80)
        s.exchange(b"GET /config HTTP/1.1\r\nHost: plc1\r\nAuthorization: Basic "
                   b"YWRtaW46YWRtaW4=\r\n\r\n",
                   b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        s.close()
        f = UdpFlow(cap, ENG, SRV, 42304, 161)
        f.send(snmp_get(b"public"), True)
        f.send(snmp_get(b"public").replace(b"\xa0", b"\xa2", 1), False)


def gen_cleartext_miss(path):
    """SSH, HTTP without credentials, SNMPv3."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = tcp(cap, ENG, SRV, 42300, 22)
        s.send(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", False)
        s.send(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", True)
        s.close()
        s = tcp(cap, ENG, SRV, 42303, 80)
        s.exchange(b"GET / HTTP/1.1\r\nHost: plc1\r\n\r\n",
                   b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        s.close()
        f = UdpFlow(cap, ENG, SRV, 42304, 161)
        f.send(snmp_v3(), True)


# ----------------------------------------------------------------------------- TLS

def der(tag, content):
    n = len(content)
    if n < 0x80:
        ln = bytes([n])
    elif n < 0x100:
        ln = b"\x81" + bytes([n])
    else:
        ln = b"\x82" + struct.pack("!H", n)
    return bytes([tag]) + ln + content


def der_oid(dotted):
    parts = [int(x) for x in dotted.split(".")]
    out = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7f]
        p >>= 7
        while p:
            enc.insert(0, 0x80 | (p & 0x7f))
            p >>= 7
        out += bytes(enc)
    return der(0x06, out)


def der_name(cn, org):
    return der(0x30, der(0x31, der(0x30, der_oid("2.5.4.10") + der(0x0c, org.encode()))) +
               der(0x31, der(0x30, der_oid("2.5.4.3") + der(0x0c, cn.encode()))))


def certificate(subject, issuer, not_before, not_after, serial):
    alg = der(0x30, der_oid("1.2.840.113549.1.1.11") + b"\x05\x00")
    key = der(0x30, der(0x30, der_oid("1.2.840.113549.1.1.1") + b"\x05\x00") +
              der(0x03, b"\x00" + der(0x30, der(0x02, b"\x00" + bytes([0xc3] * 64)) +
                                     der(0x02, b"\x01\x00\x01"))))
    tbs = der(0x30, der(0xa0, der(0x02, b"\x02")) + der(0x02, serial) + alg +
              der_name(*issuer) + der(0x30, der(0x17, not_before) + der(0x17, not_after)) +
              der_name(*subject) + key)
    return der(0x30, tbs + alg + der(0x03, b"\x00" + bytes([0x5a] * 64)))


CA = ("Plant Issuing CA", "ACME Plant")
VALID = (b"240101000000Z", b"491231235959Z")
EXPIRED = (b"000101000000Z", b"010101000000Z")


def tls_server(s, version, suite, cert):
    sh = b"" + struct.pack("!H", version) + bytes(range(32, 64)) + b"\x00" + \
        struct.pack("!H", suite) + b"\x00" + struct.pack("!H", 5) + b"\xff\x01\x00\x01\x00"
    certs = len(cert).to_bytes(3, "big") + cert
    body = handshake(2, sh) + handshake(11, len(certs).to_bytes(3, "big") + certs) + \
        handshake(14, b"")
    s.send(tls_record(22, body, version), False)


def tls_flow(cap, srv, sport, sni, version, suite, cert):
    s = tcp(cap, ENG, srv, sport, 443)
    s.send(client_hello(sni, version), True)
    tls_server(s, version, suite, cert)
    s.ack(True)
    s.reset(True)


def web(i):
    return Host("00:0e:8c:77:0c:%02x" % i, "10.77.12.%d" % i)


def gen_tls(path):
    """TLS 1.0; RSA key exchange (no forward secrecy: nDPI's weak suites); a
    self-signed certificate; an expired one; one certificate presented by two
    servers."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        good = certificate(("hmi1.plant", "ACME Plant"), CA, *VALID, b"\x01")
        tls_flow(cap, web(1), 42400, "hmi1.plant", 0x0301, 0xc013, good)
        tls_flow(cap, web(2), 42401, "hmi2.plant", 0x0303, 0x002f,
                 certificate(("hmi2.plant", "ACME Plant"), CA, *VALID, b"\x02"))
        tls_flow(cap, web(3), 42402, "hmi3.plant", 0x0303, 0xc02f,
                 certificate(("hmi3.plant", "ACME"), ("hmi3.plant", "ACME"), *VALID, b"\x03"))
        tls_flow(cap, web(4), 42403, "hmi4.plant", 0x0303, 0xc02f,
                 certificate(("hmi4.plant", "ACME Plant"), CA, *EXPIRED, b"\x04"))
        shared = certificate(("historian.plant", "ACME Plant"), CA, *VALID, b"\x05")
        tls_flow(cap, web(5), 42404, "historian.plant", 0x0303, 0xc02f, shared)
        tls_flow(cap, web(6), 42405, "historian.plant", 0x0303, 0xc02f, shared)


def gen_tls_miss(path):
    """TLS 1.2, ECDHE-RSA-AES128-GCM, CA-signed valid certificates, one per
    server (two sessions to the same server with its certificate)."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        for i in range(1, 4):
            cert = certificate(("hmi%d.plant" % i, "ACME Plant"), CA, *VALID, bytes([0x10 + i]))
            tls_flow(cap, web(i), 42400 + i, "hmi%d.plant" % i, 0x0303, 0xc02f, cert)
            tls_flow(cap, web(i), 42410 + i, "hmi%d.plant" % i, 0x0303, 0xc02f, cert)


# ----------------------------------------------------------------------------- scans

def syn(cap, cli, srv, sport, dport, answer):
    s = TcpSession(cap, cli, srv, sport, dport, rng=random.Random(sport * 7 + dport))
    s.packet(True, SYN, s.nxt[True])
    s.nxt[True] += 1
    if answer == "rst":
        s.packet(False, RST | ACK, 0)
    elif answer == "open":
        s.packet(False, SYN | ACK, s.nxt[False])
        s.nxt[False] += 1
        s.packet(True, ACK, s.nxt[True])
        s.reset(True)


def scan(cap, ports, hosts):
    """SYNs refused (RST) on `ports` ports of one host, unanswered by `hosts`
    hosts (that host first) on a port among those: each count stays what it
    says."""
    for k in range(ports):
        syn(cap, SCAN, plc(160), 43000 + k, 100 + k, "rst")
    for i in range(hosts):
        syn(cap, SCAN, plc(160 + i), 43100 + i, 110, None)


def gen_scan(path):
    """SYNs to 20 ports of one host refused with RST; SYNs to 10 hosts
    unanswered."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        scan(cap, 20, 10)


def gen_scan_miss(path):
    """SYNs to 19 ports refused, to 9 hosts unanswered, and 20 connections
    to 20 hosts that open."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        scan(cap, 19, 9)
        for i in range(20):
            syn(cap, HMI, plc(180 + i), 43200 + i, 502, "open")


# ----------------------------------------------------------------------------- IOC and GeoIP

INET_BAD = Host("00:0e:8c:77:0d:01", "198.51.100.7")   # on the test IOC list
INET_KP = Host("00:0e:8c:77:0d:02", "203.0.113.9")     # the test MMDB: KP, AS64500
INET_DE = Host("00:0e:8c:77:0d:03", "192.0.2.80")      # the test MMDB: DE, AS64501
INET_US = Host("00:0e:8c:77:0d:04", "198.18.0.10")     # the test MMDB: US, AS64502
DNS = Host("00:0e:8c:77:0d:35", "10.77.13.53")         # an internal resolver


def dns_query(name, qid):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\x00"
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + b"\x00\x01\x00\x01"


def http_get(host):
    return ("GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: curl/7.88\r\n\r\n" % host).encode()


def gen_intel(path):
    """To an address on the IOC list; a DNS query for a listed domain; TLS to
    a listed domain (SNI); HTTP to a subdomain of a listed domain; an OT
    device to the internet (DE, allowed by country), to a forbidden country
    (KP) and to the US."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = tcp(cap, HMI, INET_BAD, 44000, 8080)
        s.exchange(b"hello", b"world")
        s.close()
        f = UdpFlow(cap, HMI, DNS, 44001, 53)
        f.send(dns_query("update.evil-c2.example", 0x1234), True)
        s = tcp(cap, HMI, DNS, 44002, 443)
        s.send(client_hello("cdn.evil-c2.example"), True)
        s.ack(False)
        s.close()
        s = tcp(cap, HMI, DNS, 44003, 80)
        s.exchange(http_get("x.bad-domain.test"), b"HTTP/1.1 404 Not Found\r\n\r\n")
        s.close()
        for k, dst in enumerate((INET_DE, INET_KP, INET_US)):
            s = tcp(cap, plc(200), dst, 44010 + k, 443)
            s.send(client_hello("vendor.example.com"), True)
            s.ack(False)
            s.close()


def gen_intel_miss(path):
    """An address next to a listed one; DNS queries for names that only end
    like a listed domain; an OT device to an allowed country."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = tcp(cap, HMI, Host(INET_BAD.mac, "10.77.99.8"), 44000, 8080)
        s.exchange(b"hello", b"world")
        s.close()
        s = tcp(cap, plc(200), INET_DE, 44011, 443)  # DE is an allowed country
        s.send(client_hello("vendor.example.com"), True)
        s.ack(False)
        s.close()
        UdpFlow(cap, HMI, DNS, 44001, 53).send(dns_query("notevil-c2.example", 0x1234), True)
        UdpFlow(cap, HMI, DNS, 44004, 53).send(dns_query("evil-c2.example.org", 0x1235), True)
        s = tcp(cap, plc(200), DNS, 44010, 443)
        s.send(client_hello("historian.plant"), True)
        s.ack(False)
        s.close()


# ----------------------------------------------------------------------------- zones

CELL = Host("00:80:f4:77:0e:10", "10.61.1.10")       # zone cell_a, level 1
SCADA = Host("00:1b:21:77:0e:20", "10.62.0.20")      # zone scada, level 2
OFFICE = Host("00:1b:21:77:0e:40", "10.64.0.40")     # zone office, level 4
LOOSE = Host("00:1b:21:77:0e:50", "10.77.14.50")     # in no zone (unzoned, level 3)


MB_REQ = modbus.adu(1, 1, modbus.read_req(3, 0, 1))
MB_RESP = modbus.adu(1, 1, modbus.read_regs_resp(3, [7]))


def zone_flow(cap, cli, srv, sport, dport, data=MB_REQ, resp=MB_RESP):
    s = tcp(cap, cli, srv, sport, dport)
    s.exchange(data, resp)
    s.close()


def gen_zones(path):
    """SCADA to the cell over HTTP (no conduit); the office to the cell over
    Modbus (level 4 to level 1); an unzoned host to the cell; the cell opening
    a connection to SCADA (the conduit is one way)."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        zone_flow(cap, SCADA, CELL, 45000, 80, b"GET / HTTP/1.1\r\nHost: plc\r\n\r\n", b"HTTP/1.1 200 OK\r\n\r\n")
        zone_flow(cap, OFFICE, CELL, 45001, 502)
        zone_flow(cap, LOOSE, CELL, 45002, 502)
        zone_flow(cap, CELL, SCADA, 45003, 502)
        zone_flow(cap, SCADA, CELL, 45004, 80, b"GET / HTTP/1.1\r\nHost: plc\r\n\r\n", b"HTTP/1.1 200 OK\r\n\r\n")


def gen_zones_miss(path):
    """SCADA to the cell over Modbus (the conduit), twice; traffic inside the
    cell; the office to an unzoned historian over any protocol (its conduit)."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        zone_flow(cap, SCADA, CELL, 45000, 502)
        zone_flow(cap, SCADA, CELL, 45001, 502)
        zone_flow(cap, CELL, Host("00:80:f4:77:0e:11", "10.61.1.11"), 45002, 502)
        zone_flow(cap, OFFICE, LOOSE, 45003, 1433, b"historian query", b"rows")


# ----------------------------------------------------------------------------- main

def _host_text(self):
    import ipaddress
    return str(ipaddress.ip_address(self.ip))


Host.ip_text = property(_host_text)
Host.mac_text = property(lambda self: ":".join("%02x" % b for b in self.mac))

GENERATORS = {}
for _name in ("modbus", "dnp3", "iec104", "s7comm", "mms", "goose", "enip", "bacnet", "opcua",
              "mqtt", "pndcp", "arp", "cleartext", "tls", "scan", "intel", "zones"):
    GENERATORS["detect-%s.pcap" % _name] = globals()["gen_" + _name]
    GENERATORS["detect-%s-miss.pcap" % _name] = globals()["gen_%s_miss" % _name]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--outdir", default=os.path.join(HERE, "..", "pcaps"))
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    names = args.names or sorted(GENERATORS)
    for n in names:
        if n not in GENERATORS:
            sys.exit("gen-detect: unknown capture %s" % n)
        GENERATORS[n](os.path.join(args.outdir, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
