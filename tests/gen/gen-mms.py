#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-mms: write the MMS (ISO 9506, IEC 61850 client/server) golden captures
into tests/pcaps/.

specification: RFC 1006 (TPKT), ISO 8073 / X.224 class 0 (COTP CR, CC, DT, DR);
X.225 section 8.3 (session SPDUs CN, AC, DT with GIVE TOKENS, FN, DN; PGI 193
user data); X.226 section 8.2 (presentation CP-type, CPA-PPDU, fully encoded
user data, PDV-list); X.227 section 9 (ACSE AARQ, AARE, RLRQ, RLRE); ISO 9506-2
sections 7 (MMSpdu), 8.2 (initiate), 10-14 (identify, getNameList, read, write,
getVariableAccessAttributes, informationReport), 19-20 (file services),
7.4 (ServiceError), 7.1.4 (reject).

    TPKT 03 00 LEN | COTP DT 02 f0 80(EOT) | session 01 00 01 00 | PPDU
    PPDU = 61 { 30 { 02 01 <pcid>, a0 { MMSpdu } } }
    MMSpdu = a0 confirmed-Request { 02 invokeID, service }, a1 response, a2 error,
             a3 unconfirmed, a4 reject, a8/a9 initiate, 8b/8c conclude

Usage: gen-mms.py [-o DIR] [NAME...]   (default DIR: the pcaps/ folder beside gen/)
Deterministic: run it twice, get byte-identical files.
"""

import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import T0, Capture, Clock, Host, TcpSession  # noqa: E402
from berenc import (tlv, ctx, app, length, integer, seq, set_, oid, bits,  # noqa: E402
                    int_bytes, d_struct, d_bool, d_bits, d_int, d_uint, d_float, d_vstring, d_utc,
                    d_octets, d_array)

CLIENT_MAC, CLIENT = "00:15:5d:61:85:01", "10.20.0.5"
IED_MAC, IED = "00:30:a7:61:85:0a", "10.20.0.50"
PORT = 102

# COTP (X.224 13.1)
CR, CC, DR, DT = 0xE0, 0xD0, 0x80, 0xF0
EOT = 0x80

# Session SPDU identifiers (X.225 table 11)
SES_GT_DT, SES_FN, SES_DN, SES_CN, SES_AC = 0x01, 0x09, 0x0A, 0x0D, 0x0E

# OIDs
ACSE_AS = "2.2.1.0.1"        # acse-as-id
MMS_AS = "1.0.9506.2.1"      # mms-abstract-syntax-version1
BER_TS = "2.1.1"             # basic encoding
MMS_AC = "1.0.9506.2.3"      # MMS application context
PCID_ACSE, PCID_MMS = 1, 3

# Confirmed services (ISO 9506-2 7.2), as [n] tags of the service CHOICE
SVC_GET_NAME_LIST, SVC_IDENTIFY, SVC_READ, SVC_WRITE, SVC_GVAA = 1, 2, 4, 5, 6
SVC_OBTAIN_FILE, SVC_FILE_OPEN, SVC_FILE_READ, SVC_FILE_CLOSE = 46, 72, 73, 74
SVC_FILE_DELETE, SVC_FILE_DIRECTORY = 76, 77


def tag(n, content, constructed=True):
    """A context tag of any number (high-tag-number form from 31)."""
    first = 0x80 | (0x20 if constructed else 0)
    if n < 31:
        return tlv(first | n, content)
    t = bytes([first | 0x1F])
    enc = [n & 0x7F]
    n >>= 7
    while n:
        enc.append(0x80 | (n & 0x7F))
        n >>= 7
    t += bytes(reversed(enc))
    return t + length(len(content)) + content


# ----------------------------------------------------------------------------- layers

def tpkt(cotp_and_data):
    return struct.pack("!BBH", 3, 0, 4 + len(cotp_and_data)) + cotp_and_data


def cotp_cr(src_ref=0x0001):
    params = b"\xc0\x01\x0a" + b"\xc1\x02\x00\x01" + b"\xc2\x02\x00\x01"
    body = struct.pack("!BHHB", CR, 0, src_ref, 0) + params
    return tpkt(bytes([len(body)]) + body)


def cotp_cc(dst_ref=0x0001, src_ref=0x4c01):
    params = b"\xc0\x01\x0a" + b"\xc1\x02\x00\x01" + b"\xc2\x02\x00\x01"
    body = struct.pack("!BHHB", CC, dst_ref, src_ref, 0) + params
    return tpkt(bytes([len(body)]) + body)


def cotp_dr(dst_ref=0x4c01, src_ref=0x0001, reason=0x80):
    return tpkt(struct.pack("!BBHHB", 6, DR, dst_ref, src_ref, reason))


def dt(tsdu, eot=True):
    return tpkt(bytes([2, DT, EOT if eot else 0]) + tsdu)


def ses_len(n):
    return bytes([n]) if n < 0xFF else b"\xff" + struct.pack("!H", n)


def spdu(si, params):
    return bytes([si]) + ses_len(len(params)) + params


def user_data(ppdu):
    return bytes([0xC1]) + ses_len(len(ppdu)) + ppdu


CONNECT_ACCEPT = b"\x05\x06\x13\x01\x00\x16\x01\x02"  # protocol options 0, version 2
SESSION_REQ = b"\x14\x02\x00\x02"                    # duplex functional unit


def pdv(pcid, value):
    """fully-encoded-data with one PDV-list carrying `value` (single-ASN1-type)."""
    return app(1, seq(integer(pcid), ctx(0, value, True)))


def external(pcid, value):
    """EXTERNAL (ACSE user-information): direct reference BER, indirect the pcid."""
    return ctx(30, tlv(0x28, oid(BER_TS) + integer(pcid) + ctx(0, value, True)), True)


def aarq(mms, auth=None):
    f = [ctx(1, oid(MMS_AC), True), ctx(2, oid("1.1.999.1"), True), ctx(3, integer(12), True),
         ctx(6, oid("1.1.999.2"), True), ctx(7, integer(33), True)]
    if auth is not None:
        f += [ctx(10, bits("1")), ctx(11, oid("2.2.3.1")[2:]),
              ctx(12, ctx(0, auth), True)]                 # password: never shown
    f.append(external(PCID_MMS, mms))
    return app(0, b"".join(f))


def aare(mms, result=0, diag=None):
    f = [ctx(1, oid(MMS_AC), True), ctx(2, integer(result), True)]
    d = ctx(1, integer(0), True) if diag is None else ctx(1, integer(diag), True)
    f += [ctx(3, d, True), ctx(4, oid("1.1.999.1"), True), ctx(5, integer(12), True)]
    if mms is not None:
        f.append(external(PCID_MMS, mms))
    return app(1, b"".join(f))


def cp_ppdu(acse):
    ctxlist = seq(integer(PCID_ACSE), oid(ACSE_AS), seq(oid(BER_TS))) + \
        seq(integer(PCID_MMS), oid(MMS_AS), seq(oid(BER_TS)))
    normal = ctx(1, b"\x00\x00\x00\x01") + ctx(2, b"\x00\x00\x00\x01") + \
        ctx(4, ctxlist, True) + pdv(PCID_ACSE, acse)
    return set_(ctx(0, ctx(0, b"\x01"), True), ctx(2, normal, True))


def cpa_ppdu(acse):
    results = seq(ctx(0, b"\x00"), ctx(1, oid(BER_TS)[2:])) * 2
    normal = ctx(3, b"\x00\x00\x00\x01") + ctx(5, results, True) + pdv(PCID_ACSE, acse)
    return set_(ctx(0, ctx(0, b"\x01"), True), ctx(2, normal, True))


def data_tsdu(mms_pdu):
    """GIVE TOKENS + DATA TRANSFER, then the PPDU with the MMS PDU."""
    return b"\x01\x00\x01\x00" + pdv(PCID_MMS, mms_pdu)


# ----------------------------------------------------------------------------- MMS PDUs

def initiate_req():
    detail = ctx(0, b"\x01") + ctx(1, bits("11110001000")) + \
        ctx(2, bits("1110111000011100000000000000000000000100000010000000000000000000"
                    "0111100111101111000110"))
    return ctx(8, ctx(0, int_bytes(65000)) + ctx(1, b"\x05") + ctx(2, b"\x05") +
               ctx(3, b"\x0a") + ctx(4, detail, True), True)


def initiate_resp():
    detail = ctx(0, b"\x01") + ctx(1, bits("11110001000")) + \
        ctx(2, bits("1110111000011100000000000000000000000100000010000000000000000000"
                    "0111100111101111000110"))
    return ctx(9, ctx(0, int_bytes(65000)) + ctx(1, b"\x05") + ctx(2, b"\x05") +
               ctx(3, b"\x0a") + ctx(4, detail, True), True)


def creq(invoke, service):
    return ctx(0, integer(invoke) + service, True)


def cresp(invoke, service):
    return ctx(1, integer(invoke) + service, True)


def dom_name(domain, item):
    return ctx(1, tlv(0x1A, domain) + tlv(0x1A, item), True)


def var_list(*names):
    """listOfVariable [0] of named variables."""
    return ctx(0, b"".join(seq(ctx(0, n, True)) for n in names), True)


def read_req(*names):
    return ctx(SVC_READ, ctx(1, var_list(*names), True), True)


def read_resp(*results):
    return ctx(SVC_READ, ctx(1, b"".join(results), True), True)


def write_req(names, values):
    return ctx(SVC_WRITE, var_list(*names) + ctx(0, b"".join(values), True), True)


def file_name(*parts):
    return b"".join(tlv(0x19, p) for p in parts)


def info_report(rpt, values):
    return ctx(3, ctx(0, ctx(1, ctx(0, rpt), True) + ctx(0, b"".join(values), True), True),
               True)


def service_error(cls, code):
    return ctx(0, ctx(cls, int_bytes(code)), True)


# ----------------------------------------------------------------------------- sessions

class Assoc:
    """A client and an IED on one TCP connection: COTP, session, presentation."""

    def __init__(self, cap, sport, think_us=2500, period_us=150000):
        self.s = TcpSession(cap, Host(CLIENT_MAC, CLIENT), Host(IED_MAC, IED), sport, PORT,
                            rng=random.Random(sport))
        self.cap = cap
        self.think_us, self.period_us = think_us, period_us
        self.invoke = 0
        self.s.handshake()

    def send(self, data, to_server, split=None, pause=None):
        self.cap.clock.advance((self.period_us if to_server else self.think_us)
                               if pause is None else pause)
        self.s.send(data, to_server, split=split)

    def connect(self, req=None, resp=None, auth=None, result=0, diag=None):
        self.send(cotp_cr(), True)
        self.send(cotp_cc(), False)
        a = aarq(initiate_req() if req is None else req, auth)
        self.send(dt(spdu(SES_CN, CONNECT_ACCEPT + SESSION_REQ + b"\x33\x02\x00\x01" +
                          b"\x34\x02\x00\x01" + user_data(cp_ppdu(a)))), True)
        r = aare(initiate_resp() if (resp is None and result == 0) else resp, result, diag)
        self.send(dt(spdu(SES_AC, CONNECT_ACCEPT + SESSION_REQ + user_data(cpa_ppdu(r)))),
                  False)

    def mms(self, pdu, to_server=True, **kw):
        self.send(dt(data_tsdu(pdu)), to_server, **kw)

    def call(self, service, response, error=None):
        """A confirmed request and its response (or error PDU)."""
        self.invoke += 1
        self.mms(creq(self.invoke, service))
        if error is not None:
            self.mms(ctx(2, ctx(0, int_bytes(self.invoke)) + ctx(2, error, True), True), False)
        elif response is not None:
            self.mms(cresp(self.invoke, response), False)

    def release(self):
        """conclude, then ACSE release in session FINISH / DISCONNECT, DR."""
        self.mms(ctx(11, b"", False))
        self.mms(ctx(12, b"", False), False)
        rlrq = pdv(PCID_ACSE, app(2, ctx(0, b"\x00")))
        rlre = pdv(PCID_ACSE, app(3, ctx(0, b"\x00")))
        self.send(dt(spdu(SES_FN, user_data(rlrq))), True)
        self.send(dt(spdu(SES_DN, user_data(rlre))), False)
        self.send(cotp_dr(), True)
        self.cap.clock.advance(10000)
        self.s.close()


# ----------------------------------------------------------------------------- captures

def gen_association(path):
    """An IEC 61850 client session: association (COTP CR/CC, session CN/AC,
    presentation CP/CPA, ACSE AARQ/AARE, initiate), identify, getNameList of
    domains and of a domain's variables, getVariableAccessAttributes, read
    (structure, float, quality, time), write (success), a report
    (informationReport), file services (directory, open, read, close,
    delete, obtainFile), conclude and release."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        a = Assoc(cap, 49500)
        a.connect()
        a.call(ctx(SVC_IDENTIFY, b"", False),
               ctx(SVC_IDENTIFY, ctx(0, b"ACME Substation") + ctx(1, b"BCU-850") +
                   ctx(2, b"3.1.4"), True))
        a.call(ctx(SVC_GET_NAME_LIST, ctx(0, ctx(0, b"\x09"), True) +
                   ctx(1, ctx(0, b""), True), True),
               ctx(SVC_GET_NAME_LIST, ctx(0, tlv(0x1A, b"BCU1LD0") + tlv(0x1A, b"BCU1PROT"),
                                          True) + ctx(1, b"\x00"), True))
        a.call(ctx(SVC_GET_NAME_LIST, ctx(0, ctx(0, b"\x00"), True) +
                   ctx(1, ctx(1, b"BCU1LD0"), True), True),
               ctx(SVC_GET_NAME_LIST, ctx(0, b"".join(tlv(0x1A, n) for n in (
                   b"LLN0", b"XCBR1", b"XCBR1$ST", b"XCBR1$ST$Pos", b"XCBR1$CO$Pos$Oper",
                   b"MMXU1$MX$TotW")), True) + ctx(1, b"\x00"), True))
        a.call(ctx(SVC_GVAA, ctx(0, dom_name(b"BCU1LD0", b"MMXU1$MX$TotW$mag$f"), True), True),
               ctx(SVC_GVAA, ctx(0, b"\x00") + ctx(2, ctx(7, integer(32) + integer(8), True),
                                                   True), True))
        t = clock.now
        a.call(read_req(dom_name(b"BCU1LD0", b"XCBR1$ST$Pos"),
                        dom_name(b"BCU1LD0", b"MMXU1$MX$TotW$mag$f")),
               read_resp(d_struct(d_bits("10"), d_bits("0000000000000"), d_utc(t - 5000000)),
                         d_float(1234.5)))
        # select-before-operate with enhanced security: write of Oper
        oper = d_struct(d_bool(False), d_struct(d_int(3), d_octets(b"BCU1")),
                        d_uint(17), d_utc(t), d_bool(False), d_bits("00"))
        a.call(write_req([dom_name(b"BCU1LD0", b"XCBR1$CO$Pos$Oper")], [oper]),
               ctx(SVC_WRITE, ctx(1, b"", False), True))
        # the IED reports the new position
        clock.advance(80000)
        a.mms(info_report(b"RPT", [d_vstring(b"BCU1LD0/LLN0$BR$brcbST01"), d_bits("0111110000"),
                                   d_uint(42), d_utc(clock.now),
                                   d_struct(d_bits("01"), d_bits("0000000000000"),
                                            d_utc(clock.now)),
                                   d_array(d_bool(True), d_bool(False))]), False, pause=0)
        # file services: COMTRADE records
        a.call(tag(SVC_FILE_DIRECTORY, ctx(0, file_name(b"COMTRADE/"), True)),
               tag(SVC_FILE_DIRECTORY, ctx(0, seq(ctx(0, file_name(b"COMTRADE/fault1.cfg"),
                                                      True),
                                                  ctx(1, ctx(0, int_bytes(1824)) +
                                                      ctx(1, b"20240115095500.000Z"), True)),
                                           True) + ctx(1, b"\x00")))
        a.call(tag(SVC_FILE_OPEN, ctx(0, file_name(b"COMTRADE/fault1.cfg"), True) +
                   ctx(1, b"\x00")),
               tag(SVC_FILE_OPEN, ctx(0, b"\x07") + ctx(1, ctx(0, int_bytes(1824)), True)))
        a.call(tag(SVC_FILE_READ, b"\x07", False),
               tag(SVC_FILE_READ, ctx(0, b"BCU1,ACME,1999\r\n" * 8) + ctx(1, b"\x00")))
        a.call(tag(SVC_FILE_CLOSE, b"\x07", False), tag(SVC_FILE_CLOSE, b"", False))
        a.call(tag(SVC_FILE_DELETE, file_name(b"COMTRADE/fault0.cfg")),
               tag(SVC_FILE_DELETE, b"", False))
        a.call(tag(SVC_OBTAIN_FILE, ctx(1, file_name(b"settings.scd"), True) +
                   ctx(2, file_name(b"BCU1/settings.scd"), True)),
               tag(SVC_OBTAIN_FILE, b"", False))
        a.release()


def gen_errors(path):
    """Errors: a read of an unknown object (DataAccessError in the result), a
    confirmed-ErrorPDU, a write refused per variable, a request the IED
    rejects (rejectPDU), a second association refused by ACSE (password
    authentication failure)."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        a = Assoc(cap, 49510)
        a.connect()
        a.call(read_req(dom_name(b"BCU1LD0", b"XCBR9$ST$Pos")), read_resp(ctx(0, b"\x0a")))
        a.call(ctx(SVC_GVAA, ctx(0, dom_name(b"BCU1LD0", b"NOPE$ST"), True), True), None,
               error=service_error(7, 2))                  # access: object-non-existent
        a.call(write_req([dom_name(b"BCU1LD0", b"LLN0$SP$x"), dom_name(b"BCU1LD0", b"LLN0$SP$y")],
                         [d_int(5), d_float(1.5)]),
               ctx(SVC_WRITE, ctx(1, b"", False) + ctx(0, b"\x03"), True))  # 2nd: access denied
        # service [60] reportEventEnrollmentStatus: the IED does not do it
        a.invoke += 1
        a.mms(creq(a.invoke, tag(60, ctx(0, b"EE1"), True)))
        a.mms(ctx(4, ctx(0, int_bytes(a.invoke)) + ctx(1, b"\x01"), True), False)
        a.release()
        # a second association with a wrong password: AARE rejected-permanent,
        # diagnostic authentication-failure (14), no initiate response
        clock.advance(1000000)
        b = Assoc(cap, 49511)
        b.connect(auth=b"not-the-password", result=1, diag=14)
        b.send(cotp_dr(), True)
        b.s.close()


def gen_fragmented(path):
    """Segmentation at every layer: a TSDU fragmented over two COTP DTs, a
    read response over three DTs, one TPKT split over TCP segments, two TPKTs
    in one TCP segment, an empty DT."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        a = Assoc(cap, 49520)
        a.connect()
        # a read request whose TSDU is split over two DTs (EOT clear, then set)
        a.invoke += 1
        tsdu = data_tsdu(creq(a.invoke, read_req(dom_name(b"BCU1LD0", b"MMXU1$MX$A$phsA$cVal"),
                                                 dom_name(b"BCU1LD0", b"MMXU1$MX$A$phsB$cVal"))))
        cut = len(tsdu) // 2
        a.send(dt(tsdu[:cut], eot=False) + dt(tsdu[cut:]), True)
        # the response in three DTs, sent in three TCP segments
        resp = data_tsdu(cresp(a.invoke, read_resp(*[d_struct(d_struct(d_float(100.0 + i)),
                                                               d_bits("0000000000000"))
                                                     for i in range(2)])))
        third = len(resp) // 3
        for k, part in enumerate((resp[:third], resp[third:2 * third], resp[2 * third:])):
            a.send(dt(part, eot=k == 2), False, pause=a.think_us if k == 0 else 200)
        # one TPKT over three TCP segments (3 / 10 / rest)
        a.invoke += 1
        a.send(dt(data_tsdu(creq(a.invoke, ctx(SVC_IDENTIFY, b"", False)))), True, split=[3, 10])
        a.mms(cresp(a.invoke, ctx(SVC_IDENTIFY, ctx(0, b"ACME") + ctx(1, b"BCU-850") +
                                  ctx(2, b"3.1.4"), True)), False)
        # two requests in one TCP segment, their responses in another; an empty DT first
        reqs = b""
        for item in (b"LLN0$ST$Beh$stVal", b"LLN0$ST$Health$stVal"):
            a.invoke += 1
            reqs += dt(data_tsdu(creq(a.invoke, read_req(dom_name(b"BCU1LD0", item)))))
        a.send(dt(b"", eot=False) + reqs, True)
        a.send(dt(data_tsdu(cresp(a.invoke - 1, read_resp(d_int(1))))) +
               dt(data_tsdu(cresp(a.invoke, read_resp(d_int(1))))), False)
        a.release()


def gen_malformed(path):
    """Broken PDUs, each followed by a valid exchange: a confirmed request
    whose BER length overruns the PDU, a read whose variable list is not
    constructed, an unknown session SPDU, a PPDU that is not BER, an MMS PDU
    nested 20 levels deep, a TSDU over the 8192-octet reassembly cap."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        a = Assoc(cap, 49530)
        a.connect()

        def ok():
            a.call(read_req(dom_name(b"BCU1LD0", b"LLN0$ST$Beh$stVal")), read_resp(d_int(1)))

        ok()
        # invokeID, then a read whose length claims 0x40 octets: past the PDU
        a.invoke += 1
        body = integer(a.invoke) + ctx(SVC_READ, b"", True)[:1] + b"\x40" + b"\xa1\x00"
        a.mms(ctx(0, body, True))
        ok()
        # a read whose variableAccessSpecification is primitive [1] 00
        a.invoke += 1
        a.mms(creq(a.invoke, ctx(SVC_READ, ctx(1, b"\x00"), True)))
        # rejected: confirmed-requestPDU, invalid-argument (4)
        a.mms(ctx(4, ctx(0, int_bytes(a.invoke)) + ctx(1, b"\x04"), True), False)
        ok()
        # session SPDU 0x55 (no such SI)
        a.send(dt(b"\x55\x02\x00\x00"), True)
        ok()
        # GIVE TOKENS + DATA TRANSFER then text, not BER
        a.send(dt(b"\x01\x00\x01\x00GET / HTTP/1.1\r\n"), True)
        ok()
        # 20 nested structures in a write
        deep = d_int(1)
        for _ in range(20):
            deep = d_struct(deep)
        a.invoke += 1
        a.mms(creq(a.invoke, write_req([dom_name(b"BCU1LD0", b"LLN0$SP$deep")], [deep])))
        ok()
        # a TSDU of 9 x 1000 octets in DTs without EOT, then EOT: over the cap
        a.invoke += 1
        big = data_tsdu(creq(a.invoke, write_req([dom_name(b"BCU1LD0", b"LLN0$SP$blob")],
                                                 [d_octets(bytes(9000))])))
        parts = [big[i:i + 1000] for i in range(0, len(big), 1000)]
        a.send(b"".join(dt(p, eot=i == len(parts) - 1) for i, p in enumerate(parts)), True)
        ok()
        a.release()


CAPTURES = [
    ("mms-association.pcap", gen_association),
    ("mms-errors.pcap", gen_errors),
    ("mms-fragmented.pcap", gen_fragmented),
    ("mms-malformed.pcap", gen_malformed),
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
