#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-iec104: write the IEC 60870-5-104 golden captures into tests/pcaps/.

specification: IEC 60870-5-104:2006 section 5 (APCI: I, S and U formats, send and
receive sequence numbers), section 7 (ASDU field sizes: 2-octet cause of
transmission with originator address, 2-octet common address, 3-octet
information object address); IEC 60870-5-101:2003 section 7.2 (type
identification, variable structure qualifier, cause of transmission) and 7.3
(information elements of each type), 7.2.6.18 (CP56Time2a).

    APDU:  68 LEN | ctrl1 ctrl2 ctrl3 ctrl4 | ASDU (I format only)
    I: N(S) << 1 (2 octets LE), N(R) << 1 (2 octets LE)
    S: 01 00, N(R) << 1           U: 03 | function bit, 00 00 00
    ASDU:  TYPE VSQ(SQ|n) COT(T|PN|cause) OA CA(le16) | IOA(le24) element [time] ...

Usage: gen-iec104.py [-o DIR] [NAME...]   (default DIR: the pcaps/ folder beside gen/)
Deterministic: run it twice, get byte-identical files.
"""

import argparse
import os
import random
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import T0, Capture, Clock, Host, TcpSession  # noqa: E402

SCADA_MAC, SCADA = "00:1b:21:3a:31:01", "10.10.4.1"
RTU_MAC, RTU = "00:0a:dc:44:31:0a", "10.10.4.10"
PORT = 2404
CA = 7  # common address of the RTU's ASDUs

# U-format functions (104 section 5.3): ctrl1 values
STARTDT_ACT, STARTDT_CON = 0x07, 0x0B
STOPDT_ACT, STOPDT_CON = 0x13, 0x23
TESTFR_ACT, TESTFR_CON = 0x43, 0x83

# Type identifications (101 section 7.2.1.1)
M_SP_NA_1, M_DP_NA_1, M_ST_NA_1, M_BO_NA_1 = 1, 3, 5, 7
M_ME_NA_1, M_ME_NB_1, M_ME_NC_1, M_IT_NA_1 = 9, 11, 13, 15
M_SP_TB_1, M_DP_TB_1, M_ME_TF_1, M_IT_TB_1 = 30, 31, 36, 37
C_SC_NA_1, C_DC_NA_1, C_RC_NA_1 = 45, 46, 47
C_SE_NA_1, C_SE_NB_1, C_SE_NC_1, C_BO_NA_1 = 48, 49, 50, 51
C_SC_TA_1, C_DC_TA_1, C_RC_TA_1, C_SE_TA_1, C_SE_TB_1, C_SE_TC_1 = 58, 59, 60, 61, 62, 63
M_EI_NA_1 = 70
C_IC_NA_1, C_CI_NA_1, C_RD_NA_1, C_CS_NA_1 = 100, 101, 102, 103
C_TS_NA_1, C_RP_NA_1, C_CD_NA_1, C_TS_TA_1 = 104, 105, 106, 107
P_ME_NA_1, P_ME_NB_1, P_ME_NC_1, P_AC_NA_1 = 110, 111, 112, 113
F_FR_NA_1, F_SR_NA_1, F_SC_NA_1, F_LS_NA_1 = 120, 121, 122, 123
F_AF_NA_1, F_SG_NA_1, F_DR_TA_1 = 124, 125, 126

# Causes of transmission (101 section 7.2.3)
PER_CYC, BACK, SPONT, INIT, REQ, ACT, ACTCON = 1, 2, 3, 4, 5, 6, 7
DEACT, DEACTCON, ACTTERM, RETREM, FILE = 8, 9, 10, 11, 13
INROGEN, REQCOGEN = 20, 37
UNKNOWN_IOA = 47
PN, TEST = 0x40, 0x80

SELECT = 0x80  # S/E bit of SCO, DCO, RCO and QOS


# ----------------------------------------------------------------------------- encoding

def ioa(a):
    return struct.pack("<I", a)[:3]


def cp56(usec, invalid=False, summer=False):
    """CP56Time2a (101 7.2.6.18) of a Unix time in microseconds (UTC)."""
    t = time.gmtime(usec // 1000000)
    ms = t.tm_sec * 1000 + (usec // 1000) % 1000
    return struct.pack("<HBBBBB", ms, t.tm_min | (0x80 if invalid else 0),
                       t.tm_hour | (0x80 if summer else 0), t.tm_mday | (t.tm_wday + 1) << 5,
                       t.tm_mon, t.tm_year % 100)


def asdu(type_id, cause, objects, sq=False, n=None, oa=0, ca=CA, pn=False, test=False):
    """objects: already-encoded IOA + element bytes; n: the VSQ count (default:
    the number of objects, or of elements when sq is set)."""
    if n is None:
        n = len(objects) if not sq else objects[1]
    body = objects[0] if sq else b"".join(objects)
    cot = cause | (PN if pn else 0) | (TEST if test else 0)
    return struct.pack("<BBBBH", type_id, (0x80 if sq else 0) | n, cot, oa, ca) + body


def seq(first_ioa, elements):
    """An SQ=1 object list: one IOA, then the elements of consecutive addresses.
    Returns (bytes, count) for asdu(..., sq=True)."""
    return (ioa(first_ioa) + b"".join(elements), len(elements))


def u_frame(ctrl1):
    return bytes([0x68, 4, ctrl1, 0, 0, 0])


def s_frame(nr):
    return bytes([0x68, 4, 0x01, 0x00]) + struct.pack("<H", nr << 1)


def i_frame(ns, nr, body, length=None):
    apdu = struct.pack("<HH", ns << 1, nr << 1) + body
    return bytes([0x68, len(apdu) if length is None else length]) + apdu


# information elements (101 section 7.2.6)
def siq(v, q=0):
    return bytes([(v & 1) | q])


def diq(v, q=0):
    return bytes([(v & 3) | q])


def nva(f):
    return struct.pack("<h", int(round(f * 32768)) if f < 1 else 32767)


def qds(q=0):
    return bytes([q])


def sco(on, select=False, qu=0):
    return bytes([(1 if on else 0) | (qu << 2) | (SELECT if select else 0)])


def dco(dcs, select=False, qu=0):
    return bytes([dcs | (qu << 2) | (SELECT if select else 0)])


def qos(select=False, ql=0):
    return bytes([ql | (SELECT if select else 0)])


class Link:
    """The two ends of an IEC 104 connection on one TCP session, with their
    send and receive sequence numbers."""

    def __init__(self, sess, think_us=3000, period_us=200000):
        self.s = sess
        self.ns = {True: 0, False: 0}  # next N(S): True = the controlling station (client)
        self.think_us = think_us
        self.period_us = period_us

    def frame(self, body, to_server):
        """One I-format APDU from one end; N(R) acknowledges all the peer sent."""
        f = i_frame(self.ns[to_server], self.ns[not to_server], body)
        self.ns[to_server] = (self.ns[to_server] + 1) & 0x7FFF
        return f

    def send(self, data, to_server, pause=None, split=None):
        self.s.cap.clock.advance((self.period_us if to_server else self.think_us)
                                 if pause is None else pause)
        self.s.send(data, to_server, split=split)

    def i(self, body, to_server, pause=None, split=None):
        self.send(self.frame(body, to_server), to_server, pause, split)

    def u(self, ctrl1, to_server, pause=None):
        self.send(u_frame(ctrl1), to_server, pause)

    def s_ack(self, to_server):
        """An S-format APDU acknowledging everything the peer sent."""
        self.send(s_frame(self.ns[not to_server]), to_server, pause=self.think_us)

    def command(self, type_id, obj, confirm=True, term=False, pn=False, oa=0):
        """act from the controlling station, actcon (and actterm) back."""
        self.i(asdu(type_id, ACT, [obj], oa=oa), True)
        if confirm:
            self.i(asdu(type_id, ACTCON, [obj], oa=oa, pn=pn), False)
        if term:
            self.i(asdu(type_id, ACTTERM, [obj], oa=oa), False, pause=self.think_us * 4)


def session(cap, sport, dport=PORT):
    s = TcpSession(cap, Host(SCADA_MAC, SCADA), Host(RTU_MAC, RTU), sport, dport,
                   rng=random.Random(sport))
    s.handshake()
    return s


# ----------------------------------------------------------------------------- captures

def gen_monitor(path):
    """Start of data transfer, a station interrogation answered by monitored
    data (SQ=0 and SQ=1) and terminated, a counter interrogation, spontaneous
    events with CP56Time2a, end of initialisation, S-format acknowledgements,
    test frames, stop of data transfer."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        k = Link(session(cap, 51000))
        k.u(STARTDT_ACT, True)
        k.u(STARTDT_CON, False)
        # the RTU says it restarted (cause init)
        k.i(asdu(M_EI_NA_1, INIT, [ioa(0) + bytes([0x02])]), False)
        # station interrogation (QOI 20): act, actcon, the data, actterm
        qoi = ioa(0) + bytes([20])
        k.i(asdu(C_IC_NA_1, ACT, [qoi]), True)
        k.i(asdu(C_IC_NA_1, ACTCON, [qoi]), False)
        k.i(asdu(M_SP_NA_1, INROGEN, [ioa(1001) + siq(1), ioa(1002) + siq(0),
                                      ioa(1010) + siq(1, 0x80)]), False)     # 1010 invalid
        k.i(asdu(M_DP_NA_1, INROGEN, [ioa(2001) + diq(2), ioa(2002) + diq(1)]), False)
        k.i(asdu(M_ME_NC_1, INROGEN, seq(3001, [struct.pack("<f", v) + qds()
                                                for v in (231.5, 229.75, 230.0, 49.98)]),
                 sq=True), False)
        k.i(asdu(M_ME_NB_1, INROGEN, seq(3101, [struct.pack("<h", v) + qds()
                                                for v in (1200, -35, 0)]), sq=True), False)
        k.i(asdu(M_ME_NA_1, INROGEN, [ioa(3201) + nva(0.5) + qds(),
                                      ioa(3202) + nva(-0.25) + qds(0x01)]), False)  # overflow
        k.i(asdu(M_ST_NA_1, INROGEN, [ioa(3301) + bytes([0x05]) + qds()]), False)
        k.i(asdu(M_BO_NA_1, INROGEN, [ioa(3401) + struct.pack("<I", 0x0000A5F0) + qds()]),
            False)
        k.i(asdu(C_IC_NA_1, ACTTERM, [qoi]), False)
        k.s_ack(True)
        # counter interrogation (RQT 5 = general, FRZ 0 = read)
        qcc = ioa(0) + bytes([0x05])
        k.i(asdu(C_CI_NA_1, ACT, [qcc]), True)
        k.i(asdu(C_CI_NA_1, ACTCON, [qcc]), False)
        k.i(asdu(M_IT_NA_1, REQCOGEN, [ioa(4001) + struct.pack("<iB", 123456, 1),
                                       ioa(4002) + struct.pack("<iB", -7, 2)]), False)
        k.i(asdu(C_CI_NA_1, ACTTERM, [qcc]), False)
        k.s_ack(True)
        # spontaneous events with time tags
        clock.advance(2000000)
        t = clock.now
        k.i(asdu(M_SP_TB_1, SPONT, [ioa(1002) + siq(1) + cp56(t)]), False)
        k.i(asdu(M_DP_TB_1, SPONT, [ioa(2001) + diq(1) + cp56(t + 20000)]), False)
        k.i(asdu(M_ME_TF_1, SPONT, [ioa(3001) + struct.pack("<f", 233.25) + qds() +
                                    cp56(t + 40000, summer=True)]), False)
        k.i(asdu(M_IT_TB_1, SPONT, [ioa(4001) + struct.pack("<iB", 123500, 3) +
                                    cp56(t + 50000, invalid=True)]), False)
        k.i(asdu(M_ME_NC_1, PER_CYC, seq(3001, [struct.pack("<f", v) + qds()
                                                for v in (232.0, 230.5)]), sq=True), False)
        k.i(asdu(M_SP_NA_1, BACK, [ioa(1001) + siq(1)]), False)
        k.s_ack(True)
        # idle: test frames both ways
        clock.advance(10000000)
        k.u(TESTFR_ACT, True)
        k.u(TESTFR_CON, False)
        clock.advance(10000000)
        k.u(TESTFR_ACT, False)
        k.u(TESTFR_CON, True, pause=k.think_us)
        k.u(STOPDT_ACT, True)
        k.u(STOPDT_CON, False)
        clock.advance(100000)
        k.s.close()


def gen_control(path):
    """Commands and set-points, with and without time tag, select then execute,
    act/actcon/actterm; a negative confirmation and a command to an unknown
    object; deactivation of a selected command."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        k = Link(session(cap, 51010))
        k.u(STARTDT_ACT, True)
        k.u(STARTDT_CON, False)
        t = clock.now
        # single command: select, execute, termination
        k.command(C_SC_NA_1, ioa(5001) + sco(True, select=True))
        k.command(C_SC_NA_1, ioa(5001) + sco(True), term=True)
        k.i(asdu(M_SP_NA_1, RETREM, [ioa(1001) + siq(1)]), False)
        # double command OFF (short pulse), direct execute
        k.command(C_DC_NA_1, ioa(5101) + dco(1, qu=1), term=True)
        # regulating step: higher, select then execute, negative confirmation of
        # the execute (tap changer at its end position)
        k.command(C_RC_NA_1, ioa(5201) + dco(2, select=True))
        k.command(C_RC_NA_1, ioa(5201) + dco(2), pn=True)
        # set-points: normalized, scaled, short float; select then execute
        k.command(C_SE_NA_1, ioa(6001) + nva(0.75) + qos(select=True))
        k.command(C_SE_NA_1, ioa(6001) + nva(0.75) + qos(), term=True)
        k.command(C_SE_NB_1, ioa(6101) + struct.pack("<h", -1500) + qos(), term=True)
        k.command(C_SE_NC_1, ioa(6201) + struct.pack("<f", 49.5) + qos(select=True))
        k.command(C_SE_NC_1, ioa(6201) + struct.pack("<f", 49.5) + qos(), term=True)
        # bitstring command
        k.command(C_BO_NA_1, ioa(6301) + struct.pack("<I", 0x0F0F0001))
        k.s_ack(True)
        # the same with CP56Time2a time tags
        t = clock.now
        k.command(C_SC_TA_1, ioa(5002) + sco(False, select=True) + cp56(t))
        k.command(C_SC_TA_1, ioa(5002) + sco(False) + cp56(t + 300000), term=True)
        k.command(C_DC_TA_1, ioa(5102) + dco(2, qu=2) + cp56(t + 600000), term=True)
        k.command(C_RC_TA_1, ioa(5202) + dco(1) + cp56(t + 700000))
        k.command(C_SE_TA_1, ioa(6002) + nva(-0.5) + qos() + cp56(t + 800000))
        k.command(C_SE_TB_1, ioa(6102) + struct.pack("<h", 32000) + qos() + cp56(t + 900000))
        k.command(C_SE_TC_1, ioa(6202) + struct.pack("<f", -12.25) + qos(ql=1) +
                  cp56(t + 1000000), term=True)
        k.s_ack(True)
        # a selected command cancelled: deact, deactcon
        sel = ioa(5003) + sco(True, select=True)
        k.command(C_SC_NA_1, sel)
        k.i(asdu(C_SC_NA_1, DEACT, [sel]), True)
        k.i(asdu(C_SC_NA_1, DEACTCON, [sel]), False)
        # a command to an object the RTU does not have: mirrored with cause 47, P/N set
        bad = ioa(5999) + sco(True)
        k.i(asdu(C_SC_NA_1, ACT, [bad]), True)
        k.i(asdu(C_SC_NA_1, UNKNOWN_IOA, [bad], pn=True), False)
        k.s_ack(True)
        clock.advance(100000)
        k.s.close()


def gen_system(path):
    """System commands (read, clock synchronisation, test with time tag and
    without, reset process, delay acquisition), parameters (measured value
    thresholds, activation) and a file transfer (directory, select, call,
    segments, last segment and section, acknowledgements)."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        k = Link(session(cap, 51020))
        k.u(STARTDT_ACT, True)
        k.u(STARTDT_CON, False)
        # read command answered with cause req
        k.i(asdu(C_RD_NA_1, REQ, [ioa(3001)]), True)
        k.i(asdu(M_ME_NC_1, REQ, [ioa(3001) + struct.pack("<f", 231.0) + qds()]), False)
        # delay acquisition (C_CD), then clock synchronisation
        k.command(C_CD_NA_1, ioa(0) + struct.pack("<H", 0))
        k.i(asdu(C_CD_NA_1, SPONT, [ioa(0) + struct.pack("<H", 12)]), True)
        k.command(C_CS_NA_1, ioa(0) + cp56(clock.now))
        # test commands: fixed pattern 0x55AA, then with counter and time tag
        k.command(C_TS_NA_1, ioa(0) + struct.pack("<H", 0x55AA))
        k.command(C_TS_TA_1, ioa(0) + struct.pack("<H", 1) + cp56(clock.now))
        # reset process (QRP 1 = general reset)
        k.command(C_RP_NA_1, ioa(0) + bytes([1]))
        k.i(asdu(M_EI_NA_1, INIT, [ioa(0) + bytes([0x02])]), False, pause=2000000)
        k.s_ack(True)
        # parameters: thresholds (normalized, scaled, float; QPM 1 = threshold) and
        # their activation (QPA 3 = act/deact of persistent cyclic transmission)
        k.command(P_ME_NA_1, ioa(3201) + nva(0.01) + bytes([1]))
        k.command(P_ME_NB_1, ioa(3101) + struct.pack("<h", 10) + bytes([1]))
        k.command(P_ME_NC_1, ioa(3001) + struct.pack("<f", 0.5) + bytes([1]))
        k.command(P_AC_NA_1, ioa(3001) + bytes([3]))
        k.s_ack(True)
        # file transfer of file 1 (a disturbance record) in monitor direction
        nof, lof = 1, 40
        k.i(asdu(F_DR_TA_1, SPONT, [ioa(7001) + struct.pack("<H", nof) + lof.to_bytes(3, "little")
                                    + bytes([0x00]) + cp56(clock.now)]), False)
        k.i(asdu(F_SC_NA_1, FILE, [ioa(7001) + struct.pack("<HBB", nof, 0, 1)]), True)  # select
        k.i(asdu(F_FR_NA_1, FILE, [ioa(7001) + struct.pack("<H", nof) + lof.to_bytes(3, "little")
                                   + bytes([0x00])]), False)
        k.i(asdu(F_SC_NA_1, FILE, [ioa(7001) + struct.pack("<HBB", nof, 0, 2)]), True)  # call
        k.i(asdu(F_SR_NA_1, FILE, [ioa(7001) + struct.pack("<HB", nof, 1) +
                                   lof.to_bytes(3, "little") + bytes([0x00])]), False)
        k.i(asdu(F_SC_NA_1, FILE, [ioa(7001) + struct.pack("<HBB", nof, 1, 6)]), True)  # call section
        data = bytes(range(0x20, 0x20 + lof))
        for part in (data[:24], data[24:]):
            k.i(asdu(F_SG_NA_1, FILE, [ioa(7001) + struct.pack("<HBB", nof, 1, len(part)) +
                                       part]), False)
        chs = sum(data) & 0xFF
        k.i(asdu(F_LS_NA_1, FILE, [ioa(7001) + struct.pack("<HBBB", nof, 1, 3, chs)]), False)
        k.i(asdu(F_AF_NA_1, FILE, [ioa(7001) + struct.pack("<HBB", nof, 1, 3)]), True)
        k.i(asdu(F_LS_NA_1, FILE, [ioa(7001) + struct.pack("<HBBB", nof, 0, 1, chs)]), False)
        k.i(asdu(F_AF_NA_1, FILE, [ioa(7001) + struct.pack("<HBB", nof, 0, 1)]), True)
        k.s_ack(False)
        clock.advance(100000)
        k.s.close()


def gen_segmented(path):
    """Several APDUs in one TCP segment (both directions), one APDU split over
    three segments, an S-format APDU straddling two segments, a gap in the
    RTU's send sequence (one I-format APDU never sent) and a repeated N(S)."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        k = Link(session(cap, 51030))
        # STARTDT act and the interrogation in one segment; con and data in one
        qoi = ioa(0) + bytes([20])
        k.send(u_frame(STARTDT_ACT) + k.frame(asdu(C_IC_NA_1, ACT, [qoi]), True), True)
        burst = u_frame(STARTDT_CON) + k.frame(asdu(C_IC_NA_1, ACTCON, [qoi]), False)
        for i in range(4):
            burst += k.frame(asdu(M_SP_NA_1, INROGEN, [ioa(1001 + i) + siq(i & 1)]), False)
        burst += k.frame(asdu(C_IC_NA_1, ACTTERM, [qoi]), False)
        k.send(burst, False)
        # a 10-value SQ=1 float block split 3 / 20 / rest
        block = k.frame(asdu(M_ME_NC_1, INROGEN, seq(3001, [struct.pack("<f", 220 + i) + qds()
                                                            for i in range(10)]), sq=True), False)
        k.send(block, False, split=[3, 20])
        # an S-format APDU over two segments
        k.send(s_frame(k.ns[False]), True, pause=k.think_us, split=[2])
        # the RTU's N(S) skips one APDU (lost before the capture point): a gap of 1
        k.i(asdu(M_SP_NA_1, SPONT, [ioa(1001) + siq(0)]), False, pause=500000)
        k.ns[False] += 1
        k.i(asdu(M_SP_NA_1, SPONT, [ioa(1002) + siq(1)]), False, pause=500000)
        # and then repeats one it already sent (N(S) goes back by 1)
        k.ns[False] -= 1
        k.i(asdu(M_SP_NA_1, SPONT, [ioa(1002) + siq(1)]), False, pause=500000)
        k.s_ack(True)
        clock.advance(100000)
        k.s.close()


def gen_malformed(path):
    """APDUs that break the rules, each followed by valid traffic: an APDU
    length that lies (longer than its ASDU: it swallows the next APDU), an
    object count that lies (VSQ says more objects than the APDU holds), an
    APDU length below 4, a U format with two function bits, an S format with
    a non-zero second octet, an ASDU shorter than its header, a private type
    id, a double command with a non-permitted state, garbage between APDUs;
    then HTTP on port 2404 (not IEC 104)."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        k = Link(session(cap, 51040))
        k.u(STARTDT_ACT, True)
        k.u(STARTDT_CON, False)
        spont = asdu(M_SP_NA_1, SPONT, [ioa(1001) + siq(1)])
        # APDU length 0x1e lies: the ASDU has 10 octets, the next APDU (a TESTFR
        # act, 6 octets) and 10 more are swallowed
        lie = i_frame(k.ns[False], k.ns[True], spont, length=0x1e)
        k.ns[False] += 1
        k.send(lie + u_frame(TESTFR_ACT) + b"\x00" * 10, False)
        k.i(spont, False)
        # VSQ says 3 objects, only one is there (the length is right)
        k.i(asdu(M_SP_NA_1, SPONT, [ioa(1001) + siq(0)], n=3), False)
        k.i(spont, False)
        # length 2: not an APDU; the stream resynchronises on the next 0x68
        k.send(b"\x68\x02\x01\x00", True)
        k.u(TESTFR_ACT, True)
        k.u(TESTFR_CON, False)
        # U format with STARTDT act and TESTFR act both set; S format with 01 01
        k.send(bytes([0x68, 4, 0x47, 0, 0, 0]), True)
        k.send(bytes([0x68, 4, 0x01, 0x01, 0x02, 0x00]), True)
        k.u(TESTFR_ACT, True)
        k.u(TESTFR_CON, False)
        # an I format with a 3-octet ASDU (header is 6)
        k.send(i_frame(k.ns[True], k.ns[False], bytes([C_IC_NA_1, 1, ACT])), True)
        k.ns[True] += 1
        # private type id 138 (range 128-255): unknown layout, kept as hex
        k.i(asdu(138, SPONT, [ioa(9001) + b"\x11\x22\x33"]), False)
        # a double command with DCS 0 (not permitted), refused
        k.command(C_DC_NA_1, ioa(5101) + dco(0), pn=True)
        # garbage between two APDUs in one segment (a test frame and a read)
        rd = asdu(C_RD_NA_1, REQ, [ioa(1001)])
        k.send(u_frame(TESTFR_ACT) + b"GARBAGE\r\n\x00\xff" + k.frame(rd, True), True)
        k.send(u_frame(TESTFR_CON) + k.frame(asdu(M_SP_NA_1, REQ, [ioa(1001) + siq(1)]), False),
               False)
        k.s_ack(True)
        clock.advance(100000)
        k.s.close()

        # HTTP on port 2404: must not be reported as IEC 104
        clock.advance(1000000)
        s = session(cap, 51041)
        s.exchange(b"GET / HTTP/1.1\r\nHost: 10.10.4.10:2404\r\n\r\n",
                   b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", think_us=2000)
        s.close()


CAPTURES = [
    ("iec104-monitor.pcap", gen_monitor),
    ("iec104-control.pcap", gen_control),
    ("iec104-system.pcap", gen_system),
    ("iec104-segmented.pcap", gen_segmented),
    ("iec104-malformed.pcap", gen_malformed),
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
