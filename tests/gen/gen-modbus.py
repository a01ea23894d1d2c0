#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-modbus: write the Modbus/TCP golden captures into tests/pcaps/.

specification: MODBUS Application Protocol Specification V1.1b3 (function codes,
exception codes, sections 6.1-6.21 and 7); MODBUS Messaging on TCP/IP
Implementation Guide V1.0b (MBAP header, section 3.1.3).  UMAS (function 90) after
the public write-ups of Schneider Electric's UMAS (no published specification).

    MBAP header (7 bytes) + PDU:
    +--------+--------+--------+--------+--------+--------+--------+--------+---
    | transaction id  | protocol id = 0 | length (unit+PDU)|  unit  |  FC    | data
    +--------+--------+--------+--------+--------+--------+--------+--------+---

Usage: gen-modbus.py [-o DIR]      (default DIR: the pcaps/ folder beside gen/)
Deterministic: run it twice, get byte-identical files.
"""

import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import (T0, Capture, Clock, Host, TcpSession, ETH_P_ARP, arp,  # noqa: E402
                     LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2,
                     LINKTYPE_RAW, LINKTYPE_NULL)

# Function codes (Application Protocol V1.1b3, section 5.1)
FC_READ_COILS = 0x01
FC_READ_DISCRETE_INPUTS = 0x02
FC_READ_HOLDING_REGISTERS = 0x03
FC_READ_INPUT_REGISTERS = 0x04
FC_WRITE_SINGLE_COIL = 0x05
FC_WRITE_SINGLE_REGISTER = 0x06
FC_READ_EXCEPTION_STATUS = 0x07
FC_DIAGNOSTICS = 0x08
FC_GET_COMM_EVENT_COUNTER = 0x0B
FC_WRITE_MULTIPLE_COILS = 0x0F
FC_WRITE_MULTIPLE_REGISTERS = 0x10
FC_REPORT_SERVER_ID = 0x11
FC_READ_FILE_RECORD = 0x14
FC_WRITE_FILE_RECORD = 0x15
FC_MASK_WRITE_REGISTER = 0x16
FC_READ_WRITE_MULTIPLE_REGISTERS = 0x17
FC_ENCAPSULATED_INTERFACE = 0x2B
FC_UMAS = 0x5A
MEI_READ_DEVICE_ID = 0x0E

# Exception codes (section 7)
EX_ILLEGAL_FUNCTION = 0x01
EX_ILLEGAL_DATA_ADDRESS = 0x02
EX_ILLEGAL_DATA_VALUE = 0x03
EX_SERVER_DEVICE_FAILURE = 0x04
EX_ACKNOWLEDGE = 0x05
EX_SERVER_DEVICE_BUSY = 0x06
EX_MEMORY_PARITY_ERROR = 0x08
EX_GATEWAY_PATH_UNAVAILABLE = 0x0A
EX_GATEWAY_TARGET_NO_RESPONSE = 0x0B

# Diagnostics sub-functions (section 6.8.1)
DIAG_RETURN_QUERY_DATA = 0x0000
DIAG_RESTART_COMMUNICATIONS = 0x0001
DIAG_RETURN_DIAGNOSTIC_REGISTER = 0x0002
DIAG_FORCE_LISTEN_ONLY = 0x0004
DIAG_CLEAR_COUNTERS = 0x000A
DIAG_RETURN_BUS_MESSAGE_COUNT = 0x000B
DIAG_RETURN_BUS_COMM_ERROR_COUNT = 0x000C

# UMAS function codes (from the public UMAS analyses)
UMAS_INIT_COMM = 0x01
UMAS_READ_ID = 0x02
UMAS_READ_PROJECT_INFO = 0x03
UMAS_READ_PLC_INFO = 0x04
UMAS_TAKE_PLC_RESERVATION = 0x10
UMAS_RELEASE_PLC_RESERVATION = 0x11
UMAS_KEEP_ALIVE = 0x12
UMAS_READ_MEMORY_BLOCK = 0x20
UMAS_START_PLC = 0x40
UMAS_STOP_PLC = 0x41
UMAS_CHECK_PLC = 0x58
UMAS_OK = 0xFE
UMAS_ERROR = 0xFD

# Hosts.  The OUIs are real (Intel for the HMI, Schneider/Telemecanique for the PLCs)
# so the inventory has something to resolve.
HMI_MAC = "00:1b:21:3a:10:10"
PLC_MAC = "00:80:f4:0c:20:20"
PLC2_MAC = "00:80:f4:0c:20:21"
HMI = "192.168.10.10"
PLC = "192.168.10.20"
PLC2 = "192.168.10.21"


# ----------------------------------------------------------------------------- PDUs

def adu(tid, unit, pdu, length=None, proto=0):
    """MBAP header + PDU.  length=None: the honest length (unit id + PDU)."""
    if length is None:
        length = len(pdu) + 1
    return struct.pack("!HHHB", tid, proto, length, unit) + pdu


def read_req(fc, addr, qty):
    return struct.pack("!BHH", fc, addr, qty)


def bits_bytes(bits):
    out = bytearray((len(bits) + 7) // 8)
    for i, b in enumerate(bits):
        if b:
            out[i // 8] |= 1 << (i % 8)
    return bytes(out)


def read_bits_resp(fc, bits):
    b = bits_bytes(bits)
    return struct.pack("!BB", fc, len(b)) + b


def read_regs_resp(fc, regs):
    return struct.pack("!BB", fc, 2 * len(regs)) + struct.pack("!%dH" % len(regs), *regs)


def write_single(fc, addr, value):
    return struct.pack("!BHH", fc, addr, value)


def write_coils_req(addr, bits):
    b = bits_bytes(bits)
    return struct.pack("!BHHB", FC_WRITE_MULTIPLE_COILS, addr, len(bits), len(b)) + b


def write_regs_req(addr, regs):
    return struct.pack("!BHHB", FC_WRITE_MULTIPLE_REGISTERS, addr, len(regs), 2 * len(regs)) + \
        struct.pack("!%dH" % len(regs), *regs)


def write_multi_resp(fc, addr, qty):
    return struct.pack("!BHH", fc, addr, qty)


def mask_write(addr, and_mask, or_mask):
    return struct.pack("!BHHH", FC_MASK_WRITE_REGISTER, addr, and_mask, or_mask)


def rw_regs_req(raddr, rqty, waddr, wregs):
    return struct.pack("!BHHHHB", FC_READ_WRITE_MULTIPLE_REGISTERS, raddr, rqty, waddr,
                       len(wregs), 2 * len(wregs)) + struct.pack("!%dH" % len(wregs), *wregs)


def exception(fc, code):
    return struct.pack("!BB", fc | 0x80, code)


def diag(sub, data):
    return struct.pack("!BHH", FC_DIAGNOSTICS, sub, data)


def devid_req(code, obj):
    return struct.pack("!BBBB", FC_ENCAPSULATED_INTERFACE, MEI_READ_DEVICE_ID, code, obj)


def devid_resp(code, conformity, more, next_obj, objects):
    out = struct.pack("!BBBBBBB", FC_ENCAPSULATED_INTERFACE, MEI_READ_DEVICE_ID, code,
                      conformity, more, next_obj, len(objects))
    for oid, text in objects:
        out += struct.pack("!BB", oid, len(text)) + text
    return out


def umas(session, code, data=b""):
    return struct.pack("!BBB", FC_UMAS, session, code) + data


class Poller:
    """A Modbus/TCP client on a TcpSession, numbering its transactions."""

    def __init__(self, sess, unit=1, tid=1, period_us=200000, think_us=3000):
        self.s = sess
        self.unit = unit
        self.tid = tid
        self.period_us = period_us
        self.think_us = think_us

    def next_tid(self):
        t = self.tid
        self.tid = (self.tid + 1) & 0xFFFF
        return t

    def txn(self, req, resp=None, unit=None):
        """One request; its response (None: the server stays silent)."""
        u = self.unit if unit is None else unit
        t = self.next_tid()
        self.s.cap.clock.advance(self.period_us)
        self.s.exchange(adu(t, u, req), None if resp is None else adu(t, u, resp),
                        think_us=self.think_us)
        return t


def session(cap, sport, dport=502, cli=(HMI_MAC, HMI), srv=(PLC_MAC, PLC), seed=None, **kw):
    rng = random.Random(seed if seed is not None else sport)
    s = TcpSession(cap, Host(*cli), Host(*srv), sport, dport, rng=rng, **kw)
    s.handshake()
    return s


def no_false_header(stream, start, end):
    """Byte-by-byte resynchronisation over stream[start:end] must not find something
    that looks like an MBAP header (protocol id 0, length 2..254): the malformed
    cases are meant to test recovery, not to hide a second valid-looking PDU."""
    for k in range(start, end):
        h = stream[k:k + 6]
        if len(h) < 6:
            break
        _, proto, length = struct.unpack("!HHH", h)
        if proto == 0 and 2 <= length <= 254:
            raise AssertionError("offset %d looks like an MBAP header: %s" % (k, h.hex()))


# ----------------------------------------------------------------------------- captures

def gen_read_write(path):
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        # the HMI resolves the PLC first
        cap.l2("ff:ff:ff:ff:ff:ff", HMI_MAC, ETH_P_ARP,
               arp(1, HMI_MAC, HMI, "00:00:00:00:00:00", PLC))
        clock.advance(400)
        cap.l2(HMI_MAC, PLC_MAC, ETH_P_ARP, arp(2, PLC_MAC, PLC, HMI_MAC, HMI))
        s = session(cap, 50100)
        m = Poller(s)
        coils = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1]
        m.txn(read_req(FC_READ_COILS, 0, 16), read_bits_resp(FC_READ_COILS, coils))
        m.txn(read_req(FC_READ_DISCRETE_INPUTS, 100, 8),
              read_bits_resp(FC_READ_DISCRETE_INPUTS, [0, 1, 0, 1, 1, 0, 0, 0]))
        m.txn(read_req(FC_READ_HOLDING_REGISTERS, 0, 10),
              read_regs_resp(FC_READ_HOLDING_REGISTERS,
                             [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]))
        m.txn(read_req(FC_READ_INPUT_REGISTERS, 30, 4),
              read_regs_resp(FC_READ_INPUT_REGISTERS, [0x0102, 0x0304, 0xFFFF, 0]))
        m.txn(write_single(FC_WRITE_SINGLE_COIL, 5, 0xFF00),
              write_single(FC_WRITE_SINGLE_COIL, 5, 0xFF00))
        m.txn(write_single(FC_WRITE_SINGLE_REGISTER, 10, 1234),
              write_single(FC_WRITE_SINGLE_REGISTER, 10, 1234))
        m.txn(write_coils_req(20, [1, 0, 1, 1, 0, 0, 1, 1, 1, 0]),
              write_multi_resp(FC_WRITE_MULTIPLE_COILS, 20, 10))
        m.txn(write_regs_req(40, [0x000A, 0x0102, 65535]),
              write_multi_resp(FC_WRITE_MULTIPLE_REGISTERS, 40, 3))
        m.txn(mask_write(4, 0x00F2, 0x0025), mask_write(4, 0x00F2, 0x0025))
        m.txn(rw_regs_req(3, 6, 14, [0x00FF, 0x00FF, 0x00FF]),
              read_regs_resp(FC_READ_WRITE_MULTIPLE_REGISTERS,
                             [0x00FE, 0x0ACD, 0x0001, 0x0003, 0x000D, 0x00FF]))
        # a second unit behind the same address (a gateway)
        m.txn(read_req(FC_READ_HOLDING_REGISTERS, 1000, 2),
              read_regs_resp(FC_READ_HOLDING_REGISTERS, [7, 8]), unit=2)
        clock.advance(100000)
        s.close()


def gen_exceptions(path):
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = session(cap, 50110)
        m = Poller(s)
        m.txn(read_req(FC_READ_HOLDING_REGISTERS, 9000, 10),
              exception(FC_READ_HOLDING_REGISTERS, EX_ILLEGAL_DATA_ADDRESS))
        m.txn(write_single(FC_WRITE_SINGLE_REGISTER, 10, 0xFFFF),
              exception(FC_WRITE_SINGLE_REGISTER, EX_ILLEGAL_DATA_VALUE))
        m.txn(write_regs_req(0, [1, 2]),
              exception(FC_WRITE_MULTIPLE_REGISTERS, EX_SERVER_DEVICE_FAILURE))
        m.txn(write_single(FC_WRITE_SINGLE_COIL, 1, 0xFF00),
              exception(FC_WRITE_SINGLE_COIL, EX_SERVER_DEVICE_BUSY))
        # function 65 is in the user-defined range 65-72
        m.txn(bytes([0x41, 0x00, 0x01]), exception(0x41, EX_ILLEGAL_FUNCTION))
        m.txn(devid_req(0x01, 0x00), exception(FC_ENCAPSULATED_INTERFACE, EX_ILLEGAL_FUNCTION))
        # read file record: byte count 7, one sub-request: ref 6, file 4, record 1, length 2
        m.txn(struct.pack("!BBBHHH", FC_READ_FILE_RECORD, 7, 6, 4, 1, 2),
              exception(FC_READ_FILE_RECORD, EX_MEMORY_PARITY_ERROR))
        # write file record: ref 6, file 4, record 7, length 1, one register
        m.txn(struct.pack("!BBBHHHH", FC_WRITE_FILE_RECORD, 9, 6, 4, 7, 1, 0x06AF),
              exception(FC_WRITE_FILE_RECORD, EX_ACKNOWLEDGE))
        # through a gateway: the path and the target fail
        m.txn(read_req(FC_READ_HOLDING_REGISTERS, 0, 1),
              exception(FC_READ_HOLDING_REGISTERS, EX_GATEWAY_PATH_UNAVAILABLE), unit=17)
        m.txn(read_req(FC_READ_INPUT_REGISTERS, 0, 1),
              exception(FC_READ_INPUT_REGISTERS, EX_GATEWAY_TARGET_NO_RESPONSE), unit=18)
        # an exception code the specification does not define
        m.txn(read_req(FC_READ_INPUT_REGISTERS, 5, 1),
              exception(FC_READ_INPUT_REGISTERS, 0x20))
        clock.advance(100000)
        s.close()


def gen_devid(path):
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = session(cap, 50120)
        m = Poller(s)
        basic = [(0x00, b"Acme Automation"), (0x01, b"ACM-PLC-200"), (0x02, b"V2.4.1")]
        # basic device identification, stream access (code 01), conformity 0x01
        m.txn(devid_req(0x01, 0x00), devid_resp(0x01, 0x01, 0x00, 0x00, basic))
        # regular, stream access (code 02): the server answers in two parts
        m.txn(devid_req(0x02, 0x00), devid_resp(0x02, 0x82, 0xFF, 0x03, basic))
        m.txn(devid_req(0x02, 0x03),
              devid_resp(0x02, 0x82, 0x00, 0x00,
                         [(0x03, b"https://acme.example"), (0x04, b"Acme PLC 200"),
                          (0x05, b"ACM-PLC-200-ETH"), (0x06, b"Pump station 3")]))
        # individual access (code 04) to the model name
        m.txn(devid_req(0x04, 0x05),
              devid_resp(0x04, 0x82, 0x00, 0x00, [(0x05, b"ACM-PLC-200-ETH")]))
        # extended (code 03): a private object
        m.txn(devid_req(0x03, 0x80),
              devid_resp(0x03, 0x83, 0x00, 0x00, [(0x80, b"SN-000123")]))
        clock.advance(100000)
        s.close()


def gen_diag(path):
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = session(cap, 50130)
        m = Poller(s)
        m.txn(diag(DIAG_RETURN_QUERY_DATA, 0xA537), diag(DIAG_RETURN_QUERY_DATA, 0xA537))
        m.txn(diag(DIAG_RETURN_DIAGNOSTIC_REGISTER, 0),
              diag(DIAG_RETURN_DIAGNOSTIC_REGISTER, 0x0000))
        m.txn(diag(DIAG_RESTART_COMMUNICATIONS, 0x0000),
              diag(DIAG_RESTART_COMMUNICATIONS, 0x0000))
        m.txn(diag(DIAG_CLEAR_COUNTERS, 0), diag(DIAG_CLEAR_COUNTERS, 0))
        m.txn(diag(DIAG_RETURN_BUS_MESSAGE_COUNT, 0), diag(DIAG_RETURN_BUS_MESSAGE_COUNT, 0x0123))
        m.txn(diag(DIAG_RETURN_BUS_COMM_ERROR_COUNT, 0),
              diag(DIAG_RETURN_BUS_COMM_ERROR_COUNT, 0x0002))
        # force listen only: no response (6.8.1, sub-function 04); the server now
        # ignores everything, including the read below and the restart that ends the
        # mode (a restart in listen-only mode is not answered either).
        m.txn(diag(DIAG_FORCE_LISTEN_ONLY, 0), None)
        m.txn(read_req(FC_READ_HOLDING_REGISTERS, 0, 2), None)
        m.txn(diag(DIAG_RESTART_COMMUNICATIONS, 0xFF00), None)
        clock.advance(2000000)
        m.txn(bytes([FC_REPORT_SERVER_ID]),
              struct.pack("!BBBB", FC_REPORT_SERVER_ID, 11, 0x2A, 0xFF) + b"ACME-PLC2")
        m.txn(bytes([FC_GET_COMM_EVENT_COUNTER]),
              struct.pack("!BHH", FC_GET_COMM_EVENT_COUNTER, 0x0000, 0x0108))
        m.txn(bytes([FC_READ_EXCEPTION_STATUS]), struct.pack("!BB", FC_READ_EXCEPTION_STATUS, 0x6D))
        clock.advance(100000)
        s.close()


def gen_umas(path):
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = session(cap, 50140, cli=(HMI_MAC, "192.168.10.11"))
        m = Poller(s, unit=0)
        m.txn(umas(0x00, UMAS_INIT_COMM, b"\x00"),
              umas(0x00, UMAS_OK, b"\xfe\x03\x00\x00\x00\x00\x00\x00\x00\x00"))
        m.txn(umas(0x00, UMAS_READ_ID),
              umas(0x00, UMAS_OK, b"\x20\x01\x00\x08\x03\x02\x01\x06\x00\x00\x00\x0c"
                   b"BMX P34 2020"))
        m.txn(umas(0x00, UMAS_READ_PROJECT_INFO, b"\x00"),
              umas(0x00, UMAS_OK, b"\x00\x00\x00\x00\x0b\x01\x0f\x07\xe8\x07" b"Station"))
        m.txn(umas(0x00, UMAS_READ_PLC_INFO),
              umas(0x00, UMAS_OK, b"\x00\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00"))
        # reservation: the response carries the session key used from now on
        m.txn(umas(0x00, UMAS_TAKE_PLC_RESERVATION, b"\x00\x00\x1a\x00\x0c" b"WORKSTATION1"),
              umas(0x00, UMAS_OK, b"\x8c"))
        m.txn(umas(0x8C, UMAS_KEEP_ALIVE), umas(0x8C, UMAS_OK))
        m.txn(umas(0x8C, UMAS_READ_MEMORY_BLOCK, b"\x00\x01\x00\x00\x00\x00\x10\x00"),
              umas(0x8C, UMAS_OK, b"\x00\x10\x00" + bytes(range(16))))
        m.txn(umas(0x8C, UMAS_STOP_PLC, b"\xff\x00"), umas(0x8C, UMAS_OK))
        m.txn(umas(0x8C, UMAS_START_PLC, b"\xff\x00"), umas(0x8C, UMAS_OK))
        m.txn(umas(0x8C, UMAS_CHECK_PLC, b"\x01\x00\x00\x00"), umas(0x8C, UMAS_ERROR, b"\x04"))
        m.txn(umas(0x8C, UMAS_RELEASE_PLC_RESERVATION), umas(0x8C, UMAS_OK))
        clock.advance(100000)
        s.close()


def gen_segmented(path):
    """Stream framing: one PDU over 3 segments, 3 PDUs in one segment, PDUs that
    straddle segment boundaries, and a retransmitted segment.  Each request below
    must give exactly one record with its response."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = session(cap, 50150)
        R = FC_READ_HOLDING_REGISTERS
        # tid 1: 33-byte write split 5 (inside the MBAP) + 10 + 18
        clock.advance(100000)
        s.send(adu(1, 1, write_regs_req(100, list(range(1, 11)))), True, split=[5, 10, 18])
        clock.advance(3000)
        s.send(adu(1, 1, write_multi_resp(FC_WRITE_MULTIPLE_REGISTERS, 100, 10)), False)
        s.ack(True)
        # tids 2-4: three requests in one segment, three responses in one segment
        clock.advance(100000)
        s.send(adu(2, 1, read_req(R, 0, 1)) + adu(3, 1, read_req(R, 10, 2)) +
               adu(4, 1, read_req(R, 20, 3)), True)
        clock.advance(3000)
        s.send(adu(2, 1, read_regs_resp(R, [11])) + adu(3, 1, read_regs_resp(R, [21, 22])) +
               adu(4, 1, read_regs_resp(R, [31, 32, 33])), False)
        s.ack(True)
        # tids 5-6: two requests as 18 + 6 bytes (PDU 6 starts inside segment 1); the
        # responses (11 + 13 bytes) as 4 + 15 + 5
        clock.advance(100000)
        s.send(adu(5, 1, read_req(R, 30, 1)) + adu(6, 1, read_req(R, 40, 2)), True, split=[18, 6])
        clock.advance(3000)
        s.send(adu(5, 1, read_regs_resp(R, [41])) + adu(6, 1, read_regs_resp(R, [51, 52])),
               False, split=[4, 15, 5])
        s.ack(True)
        # tid 7: the request segment is retransmitted 200 ms later (the response was
        # slow); the stream carries it once
        clock.advance(100000)
        s.send(adu(7, 1, read_req(FC_READ_INPUT_REGISTERS, 0, 2)), True, retransmit=[0])
        clock.advance(3000)
        s.send(adu(7, 1, read_regs_resp(FC_READ_INPUT_REGISTERS, [0x1111, 0x2222])), False)
        s.ack(True)
        # tid 8: a normal transaction after all that
        clock.advance(100000)
        s.exchange(adu(8, 1, write_single(FC_WRITE_SINGLE_REGISTER, 7, 77)),
                   adu(8, 1, write_single(FC_WRITE_SINGLE_REGISTER, 7, 77)), think_us=3000)
        clock.advance(100000)
        s.close()


def gen_reorder(path):
    """TCP delivery faults: segments captured out of order, and a segment missing
    from the capture (a gap) on a PDU boundary."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = session(cap, 50160)
        R = FC_READ_HOLDING_REGISTERS
        clock.advance(100000)
        s.exchange(adu(1, 1, read_req(R, 0, 2)), adu(1, 1, read_regs_resp(R, [1, 2])),
                   think_us=3000)
        # tid 2: a 19-byte write as two segments captured in the order 2nd, 1st
        clock.advance(100000)
        s.send(adu(2, 1, write_regs_req(200, [5, 6, 7])), True, split=[10, 9], order=[1, 0])
        clock.advance(3000)
        s.send(adu(2, 1, write_multi_resp(FC_WRITE_MULTIPLE_REGISTERS, 200, 3)), False)
        s.ack(True)
        # tid 3: the request segment is lost from the capture (the server got it and
        # answers): only the response is seen
        clock.advance(100000)
        s.send(adu(3, 1, read_req(R, 300, 1)), True, drop=[0])
        clock.advance(3000)
        s.send(adu(3, 1, read_regs_resp(R, [301])), False)
        s.ack(True)
        # tids 4-5: normal traffic resumes
        m = Poller(s, tid=4)
        m.txn(read_req(R, 400, 1), read_regs_resp(R, [401]))
        m.txn(write_single(FC_WRITE_SINGLE_COIL, 3, 0x0000),
              write_single(FC_WRITE_SINGLE_COIL, 3, 0x0000))
        clock.advance(100000)
        s.close()


def gen_malformed(path):
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        R = FC_READ_HOLDING_REGISTERS
        s = session(cap, 50170)
        m = Poller(s)
        m.txn(read_req(R, 0, 2), read_regs_resp(R, [1, 2]))                        # tid 1
        # tid 2: an MBAP length (0x0400) above the 254 the ADU limit allows; the
        # server ignores it.  The stream must resynchronise on tid 3.
        bad = adu(2, 1, read_req(R, 0x10, 8), length=0x0400)
        good = adu(3, 1, read_req(R, 0, 2))
        no_false_header(bad + good, 1, len(bad))
        clock.advance(200000)
        s.send(bad, True)
        s.ack(False)
        m.tid = 3
        m.txn(read_req(R, 0, 2), read_regs_resp(R, [1, 2]))                        # tid 3
        # tid 4: a write whose byte count (8) lies: only 2 registers (4 bytes) follow;
        # the MBAP length matches what is there.  The server refuses it.
        m.txn(struct.pack("!BHHB", FC_WRITE_MULTIPLE_REGISTERS, 0x20, 2, 8) + b"\x00\x01\x00\x02",
              exception(FC_WRITE_MULTIPLE_REGISTERS, EX_ILLEGAL_DATA_VALUE))
        # tid 5: a response whose byte count (10) lies: 6 bytes follow
        m.txn(read_req(R, 0, 3), struct.pack("!BB", R, 10) + b"\x00\x01\x00\x02\x00\x03")
        m.txn(read_req(FC_READ_INPUT_REGISTERS, 0, 1),                             # tid 6
              read_regs_resp(FC_READ_INPUT_REGISTERS, [6]))
        # tids 7-8: garbage bytes between two requests in one segment
        garbage = b"\xde\xad\xbe\xef\x99"
        r7, r8 = adu(7, 1, read_req(R, 70, 1)), adu(8, 1, read_req(R, 80, 1))
        no_false_header(r7 + garbage + r8, len(r7) + 1, len(r7) + len(garbage))
        clock.advance(200000)
        s.send(r7 + garbage + r8, True)
        clock.advance(3000)
        s.send(adu(7, 1, read_regs_resp(R, [71])), False)
        s.send(adu(8, 1, read_regs_resp(R, [81])), False)
        s.ack(True)
        m.tid = 9
        m.txn(write_single(FC_WRITE_SINGLE_REGISTER, 9, 99),                       # tid 9
              write_single(FC_WRITE_SINGLE_REGISTER, 9, 99))
        clock.advance(100000)
        s.close()

        # Second connection: an MBAP length that is too short (6 covers unit, FC,
        # address and quantity of a 4-register write; the byte count and values
        # follow as stray bytes), then valid traffic, then a length of 200 that is
        # plausible but lies, and the server resets the connection.
        clock.advance(500000)
        s = session(cap, 50171)
        short = adu(1, 1, write_regs_req(0x30, [0x1122, 0x3344, 0x5566, 0x7788]), length=6)
        nxt = adu(2, 1, read_req(R, 0, 1))
        no_false_header(short + nxt, 1, len(short))
        clock.advance(100000)
        s.send(short, True)
        clock.advance(3000)
        s.send(adu(1, 1, exception(FC_WRITE_MULTIPLE_REGISTERS, EX_ILLEGAL_DATA_VALUE)), False)
        s.ack(True)
        m = Poller(s, tid=2)
        m.txn(read_req(R, 0, 1), read_regs_resp(R, [42]))                          # tid 2
        clock.advance(100000)
        s.send(adu(3, 1, read_req(R, 0, 1), length=200), True)
        clock.advance(5000)
        s.reset(from_client=False)


def gen_non_modbus_502(path):
    """Other protocols on port 502: none of this may be reported as Modbus."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = session(cap, 51000, cli=("00:1b:21:3a:10:99", "192.168.10.99"))
        s.exchange(b"GET / HTTP/1.1\r\nHost: 192.168.10.20:502\r\nUser-Agent: curl/7.88.1\r\n"
                   b"Accept: */*\r\n\r\n",
                   b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
                   b"Content-Length: 12\r\nConnection: close\r\n\r\nBad Request\n", think_us=2000)
        s.close(from_client=False)

        clock.advance(1000000)
        s = session(cap, 51001, cli=("00:1b:21:3a:10:99", "192.168.10.99"))
        s.send(tls_client_hello(b"plc.example", random.Random(502)), True)
        clock.advance(2000)
        s.reset(from_client=False)


def tls_client_hello(sni, rng):
    """A TLS 1.2/1.3-style ClientHello record with SNI, groups and versions."""
    def ext(t, body):
        return struct.pack("!HH", t, len(body)) + body
    name = struct.pack("!BH", 0, len(sni)) + sni
    exts = ext(0x0000, struct.pack("!H", len(name)) + name)
    exts += ext(0x000a, struct.pack("!HHHH", 6, 0x001d, 0x0017, 0x0018))
    exts += ext(0x000b, b"\x01\x00")
    exts += ext(0x000d, struct.pack("!HHHH", 6, 0x0403, 0x0804, 0x0401))
    exts += ext(0x002b, b"\x04\x03\x04\x03\x03")
    exts += ext(0x0033, struct.pack("!HHH", 36, 0x001d, 32) + bytes(rng.getrandbits(8)
                                                                  for _ in range(32)))
    suites = struct.pack("!HHHHHH", 10, 0x1301, 0x1302, 0x1303, 0xc02f, 0xc030)
    body = b"\x03\x03" + bytes(rng.getrandbits(8) for _ in range(32)) + b"\x20" + \
        bytes(rng.getrandbits(8) for _ in range(32)) + suites + b"\x01\x00" + \
        struct.pack("!H", len(exts)) + exts
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return struct.pack("!BHH", 0x16, 0x0301, len(hs)) + hs


def gen_other_port(path):
    """Modbus/TCP on port 5020: only the heuristic can find it."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = session(cap, 50200, dport=5020)
        m = Poller(s)
        m.txn(read_req(FC_READ_HOLDING_REGISTERS, 0, 4),
              read_regs_resp(FC_READ_HOLDING_REGISTERS, [10, 20, 30, 40]))
        m.txn(read_req(FC_READ_COILS, 0, 8),
              read_bits_resp(FC_READ_COILS, [1, 1, 0, 0, 1, 0, 1, 0]))
        m.txn(write_regs_req(10, [1, 2]), write_multi_resp(FC_WRITE_MULTIPLE_REGISTERS, 10, 2))
        clock.advance(100000)
        s.close()


def gen_vlan(path):
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        cases = [
            (50210, [100]),                               # 802.1Q, VID 100
            (50211, [10, 200]),                           # QinQ: 0x88a8 VID 10, 0x8100 VID 200
            (50212, [(0x8100, 30), (0x8100, 300, 5)]),    # double 0x8100 tags, PCP 5 inside
        ]
        for sport, vlans in cases:
            s = session(cap, sport, vlans=vlans)
            m = Poller(s)
            m.txn(read_req(FC_READ_HOLDING_REGISTERS, sport - 50210, 2),
                  read_regs_resp(FC_READ_HOLDING_REGISTERS, [sport & 0xFF, 1]))
            m.txn(write_single(FC_WRITE_SINGLE_REGISTER, 1, sport & 0xFF),
                  write_single(FC_WRITE_SINGLE_REGISTER, 1, sport & 0xFF))
            clock.advance(100000)
            s.close()
            clock.advance(300000)


def gen_ipv6(path):
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        s = session(cap, 50220, cli=(HMI_MAC, "fd00:10::10"), srv=(PLC_MAC, "fd00:10::20"))
        m = Poller(s)
        m.txn(read_req(FC_READ_INPUT_REGISTERS, 0, 3),
              read_regs_resp(FC_READ_INPUT_REGISTERS, [1, 2, 3]))
        m.txn(write_regs_req(5, [0xAAAA, 0x5555]),
              write_multi_resp(FC_WRITE_MULTIPLE_REGISTERS, 5, 2))
        m.txn(read_req(FC_READ_HOLDING_REGISTERS, 100, 1),
              exception(FC_READ_HOLDING_REGISTERS, EX_ILLEGAL_DATA_ADDRESS))
        clock.advance(100000)
        s.close()


def small_poll(cap, sport):
    s = session(cap, sport)
    m = Poller(s)
    m.txn(read_req(FC_READ_HOLDING_REGISTERS, 0, 2),
          read_regs_resp(FC_READ_HOLDING_REGISTERS, [0x1234, 0x5678]))
    m.txn(write_regs_req(8, [1, 2, 3]), write_multi_resp(FC_WRITE_MULTIPLE_REGISTERS, 8, 3))
    cap.clock.advance(100000)
    s.close()


def gen_linktype(path, linktype, fmt="pcap"):
    clock = Clock(T0)
    with Capture(path, clock, linktype=linktype, fmt=fmt) as cap:
        small_poll(cap, 50230 + linktype % 100)


CAPTURES = [
    ("modbus-read-write.pcap", gen_read_write),
    ("modbus-exceptions.pcap", gen_exceptions),
    ("modbus-devid.pcap", gen_devid),
    ("modbus-diag.pcap", gen_diag),
    ("modbus-umas.pcap", gen_umas),
    ("modbus-segmented.pcap", gen_segmented),
    ("modbus-reorder.pcap", gen_reorder),
    ("modbus-malformed.pcap", gen_malformed),
    ("modbus-non-modbus-502.pcap", gen_non_modbus_502),
    ("modbus-other-port.pcap", gen_other_port),
    ("modbus-vlan.pcap", gen_vlan),
    ("modbus-ipv6.pcap", gen_ipv6),
    ("modbus-linktype-sll.pcap", lambda p: gen_linktype(p, LINKTYPE_LINUX_SLL)),
    ("modbus-linktype-sll2.pcap", lambda p: gen_linktype(p, LINKTYPE_LINUX_SLL2)),
    ("modbus-linktype-raw.pcap", lambda p: gen_linktype(p, LINKTYPE_RAW)),
    ("modbus-linktype-null.pcap", lambda p: gen_linktype(p, LINKTYPE_NULL)),
    ("modbus-pcapng.pcapng", lambda p: gen_linktype(p, LINKTYPE_ETHERNET, "pcapng")),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("-o", "--outdir", default=os.path.join(here, "..", "pcaps"))
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
