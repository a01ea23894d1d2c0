#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-pndcp: write the PROFINET DCP golden captures into tests/pcaps/.

specification: IEC 61158-6-10:2014 section 4.3 (DCP-PDU: ServiceID, ServiceType,
Xid, ResponseDelay, DCPDataLength, blocks Option/Suboption/DCPBlockLength with
BlockInfo (responses, Hello) or BlockQualifier (Set requests)), section 4.2.2
(FrameID: 0xfefc Hello, 0xfefd Get/Set, 0xfefe Identify request, 0xfeff Identify
response, 0x8000-0xbfff RT_CLASS_1 cyclic data).

    ethertype 0x8892 | FrameID(2) | ServiceID ServiceType | Xid(4) |
    ResponseDelay(2) | DCPDataLength(2) | blocks (odd length + 1 pad byte)

Usage: gen-pndcp.py [-o DIR] [NAME...]   (default DIR: the pcaps/ folder beside gen/)
Deterministic: run it twice, get byte-identical files.
"""

import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import ETH_P_PROFINET, T0, Capture, Clock, ether  # noqa: E402

ENGINEERING = "00:1b:1b:aa:00:01"      # a PG / engineering station
DEVICE1 = "00:0e:8c:12:34:01"          # an IO device
DEVICE2 = "00:0e:8c:12:34:02"
CONTROLLER = "00:1b:1b:aa:00:10"       # an IO controller sending cyclic data
DCP_MULTICAST = "01:0e:cf:00:00:00"    # Identify
HELLO_MULTICAST = "01:0e:cf:00:00:01"  # Hello

FRAME_HELLO, FRAME_GET_SET, FRAME_IDENT_REQ, FRAME_IDENT_RES = 0xfefc, 0xfefd, 0xfefe, 0xfeff
GET, SET, IDENTIFY, HELLO = 3, 4, 5, 6
REQUEST, RESPONSE, NOT_SUPPORTED = 0, 1, 5

OPT_IP, OPT_DEVICE, OPT_DHCP, OPT_CONTROL, OPT_ALL = 0x01, 0x02, 0x03, 0x05, 0xff
SUB_IP_MAC, SUB_IP_PARAM = 1, 2
SUB_VENDOR, SUB_NAME, SUB_ID, SUB_ROLE, SUB_OPTIONS = 1, 2, 3, 4, 5
SUB_CTRL_START, SUB_CTRL_STOP, SUB_CTRL_SIGNAL, SUB_CTRL_RESPONSE = 1, 2, 3, 4


def block(opt, sub, data=b"", info=None):
    """One block; info: the 2-byte BlockInfo / BlockQualifier, or None for none."""
    body = (struct.pack("!H", info) if info is not None else b"") + data
    b = struct.pack("!BBH", opt, sub, len(body)) + body
    return b + (b"\0" if len(b) % 2 else b"")


def dcp(frame_id, service, stype, xid, blocks, delay=0, length=None):
    data = b"".join(blocks)
    n = len(data) if length is None else length
    return struct.pack("!HBBIHH", frame_id, service, stype, xid, delay, n) + data


def ip_param(ip, mask, gw):
    return bytes(int(x) for x in ip.split(".")) + bytes(int(x) for x in mask.split(".")) + \
        bytes(int(x) for x in gw.split("."))


def identity_blocks(name, vendor_id, device_id, ip, vendor="S7-1200"):
    return [
        block(OPT_DEVICE, SUB_VENDOR, vendor.encode(), info=0),
        block(OPT_DEVICE, SUB_NAME, name.encode(), info=0),
        block(OPT_DEVICE, SUB_ID, struct.pack("!HH", vendor_id, device_id), info=0),
        block(OPT_DEVICE, SUB_ROLE, b"\x01\x00", info=0),          # IO device
        block(OPT_IP, SUB_IP_PARAM, ip_param(ip, "255.255.255.0", "0.0.0.0"), info=1),
    ]


def gen_identify(path):
    """Identify All (multicast) answered by two devices; Identify by name answered by
    one; a Hello; a Get of the name answered; RT_CLASS_1 cyclic frames (counted,
    no record) from the controller and a device."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        cap.l2(DCP_MULTICAST, ENGINEERING, ETH_P_PROFINET,
               dcp(FRAME_IDENT_REQ, IDENTIFY, REQUEST, 0x01000001, [block(OPT_ALL, OPT_ALL)],
                   delay=1))
        clock.advance(3000)
        cap.l2(ENGINEERING, DEVICE1, ETH_P_PROFINET,
               dcp(FRAME_IDENT_RES, IDENTIFY, RESPONSE, 0x01000001,
                   identity_blocks("plc-line1", 0x002a, 0x010d, "192.168.0.11")))
        clock.advance(1200)
        cap.l2(ENGINEERING, DEVICE2, ETH_P_PROFINET,
               dcp(FRAME_IDENT_RES, IDENTIFY, RESPONSE, 0x01000001,
                   identity_blocks("et200sp-station-7", 0x002a, 0x0313, "192.168.0.27",
                                   "ET 200SP")))
        clock.advance(500000)
        cap.l2(DCP_MULTICAST, ENGINEERING, ETH_P_PROFINET,
               dcp(FRAME_IDENT_REQ, IDENTIFY, REQUEST, 0x01000002,
                   [block(OPT_DEVICE, SUB_NAME, b"plc-line1")], delay=1))
        clock.advance(2000)
        cap.l2(ENGINEERING, DEVICE1, ETH_P_PROFINET,
               dcp(FRAME_IDENT_RES, IDENTIFY, RESPONSE, 0x01000002,
                   identity_blocks("plc-line1", 0x002a, 0x010d, "192.168.0.11")))
        clock.advance(200000)
        cap.l2(HELLO_MULTICAST, DEVICE2, ETH_P_PROFINET,
               dcp(FRAME_HELLO, HELLO, REQUEST, 0x00000007,
                   [block(OPT_DEVICE, SUB_NAME, b"et200sp-station-7", info=0),
                    block(OPT_IP, SUB_IP_PARAM, ip_param("192.168.0.27", "255.255.255.0",
                                                         "0.0.0.0"), info=1)]))
        clock.advance(100000)
        # Get: bare option/suboption pairs; the answer carries the blocks
        cap.l2(DEVICE1, ENGINEERING, ETH_P_PROFINET,
               dcp(FRAME_GET_SET, GET, REQUEST, 0x01000003, [struct.pack("!BB", OPT_DEVICE,
                                                                         SUB_NAME)]))
        clock.advance(1500)
        cap.l2(ENGINEERING, DEVICE1, ETH_P_PROFINET,
               dcp(FRAME_GET_SET, GET, RESPONSE, 0x01000003,
                   [block(OPT_DEVICE, SUB_NAME, b"plc-line1", info=0)]))
        # cyclic RT_CLASS_1 data: FrameID 0x8000, 40 bytes of data, cycle counter,
        # data status, transfer status; 4 from the controller, 4 from the device
        for i in range(4):
            clock.advance(1000)
            cap.l2(DEVICE1, CONTROLLER, ETH_P_PROFINET,
                   struct.pack("!H", 0x8000) + bytes(40) + struct.pack("!HBB", i * 32, 0x35, 0))
            clock.advance(50)
            cap.l2(CONTROLLER, DEVICE1, ETH_P_PROFINET,
                   struct.pack("!H", 0x8001) + bytes(40) + struct.pack("!HBB", i * 32, 0x35, 0))


def gen_set(path):
    """Set IP (temporary) and Set NameOfStation (permanent), both acknowledged; a
    Set refused (BlockError 'suboption not supported'); Control Signal (flash LED);
    Reset to factory; all from the engineering station, in a VLAN as well."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        def setreq(xid, blocks, vlans=()):
            cap.l2(DEVICE1, ENGINEERING, ETH_P_PROFINET,
                   dcp(FRAME_GET_SET, SET, REQUEST, xid, blocks), vlans)

        def setres(xid, opt, sub, err=0, vlans=()):
            clock.advance(2500)
            cap.l2(ENGINEERING, DEVICE1, ETH_P_PROFINET,
                   dcp(FRAME_GET_SET, SET, RESPONSE, xid,
                       [block(OPT_CONTROL, SUB_CTRL_RESPONSE, bytes([opt, sub, err]))]), vlans)

        # Set IP parameter, qualifier 0 = temporary
        setreq(0x02000001, [block(OPT_IP, SUB_IP_PARAM,
                                  ip_param("10.10.0.50", "255.255.0.0", "10.10.0.1"), info=0)])
        setres(0x02000001, OPT_IP, SUB_IP_PARAM)
        clock.advance(300000)
        # Set NameOfStation, qualifier 1 = permanent
        setreq(0x02000002, [block(OPT_DEVICE, SUB_NAME, b"plc-line1-new", info=1)])
        setres(0x02000002, OPT_DEVICE, SUB_NAME)
        clock.advance(300000)
        # Set of the device id: refused (BlockError 2: suboption not supported)
        setreq(0x02000003, [block(OPT_DEVICE, SUB_ID, struct.pack("!HH", 1, 2), info=1)])
        setres(0x02000003, OPT_DEVICE, SUB_ID, err=2)
        clock.advance(300000)
        # Control: Signal (flash the LED), with the Start/Stop transaction blocks, in VLAN 0
        vl = (0,)
        setreq(0x02000004, [block(OPT_CONTROL, SUB_CTRL_START, info=0),
                            block(OPT_CONTROL, SUB_CTRL_SIGNAL, b"\x01\x00", info=0),
                            block(OPT_CONTROL, SUB_CTRL_STOP, info=0)], vlans=vl)
        setres(0x02000004, OPT_CONTROL, SUB_CTRL_SIGNAL, vlans=vl)
        clock.advance(300000)
        # Control: reset to factory (suboption 6, mode 2 = reset communication)
        setreq(0x02000005, [block(OPT_CONTROL, 6, b"", info=2)])
        setres(0x02000005, OPT_CONTROL, 6)


def gen_malformed(path):
    """A DCPDataLength beyond the frame; a block whose length runs past the data; an
    unknown ServiceID (answered 'not supported'); a header cut short; an Identify
    response with a 300-byte NameOfStation (over the 240 of the standard); valid
    Identify traffic after each."""
    clock = Clock(T0)
    with Capture(path, clock) as cap:
        ok_req = dcp(FRAME_IDENT_REQ, IDENTIFY, REQUEST, 0x03000001, [block(OPT_ALL, OPT_ALL)])
        ok_res = dcp(FRAME_IDENT_RES, IDENTIFY, RESPONSE, 0x03000001,
                     identity_blocks("plc-line1", 0x002a, 0x010d, "192.168.0.11"))

        def valid():
            clock.advance(10000)
            cap.l2(DCP_MULTICAST, ENGINEERING, ETH_P_PROFINET, ok_req)
            clock.advance(2000)
            cap.l2(ENGINEERING, DEVICE1, ETH_P_PROFINET, ok_res)

        cap.l2(DCP_MULTICAST, ENGINEERING, ETH_P_PROFINET,
               dcp(FRAME_IDENT_REQ, IDENTIFY, REQUEST, 0x03000002, [block(OPT_ALL, OPT_ALL)],
                   length=400))
        valid()
        cap.l2(ENGINEERING, DEVICE1, ETH_P_PROFINET,
               dcp(FRAME_IDENT_RES, IDENTIFY, RESPONSE, 0x03000003,
                   [struct.pack("!BBH", OPT_DEVICE, SUB_NAME, 200) + b"\0\0short"]))
        valid()
        cap.l2(DEVICE1, ENGINEERING, ETH_P_PROFINET,
               dcp(FRAME_GET_SET, 9, REQUEST, 0x03000004, []))
        clock.advance(1000)
        cap.l2(ENGINEERING, DEVICE1, ETH_P_PROFINET,
               dcp(FRAME_GET_SET, 9, NOT_SUPPORTED, 0x03000004, []))
        valid()
        # unpadded (as captured on the sending host): the header ends after ServiceType
        cap.frame(ether(DCP_MULTICAST, ENGINEERING, ETH_P_PROFINET,
                        struct.pack("!HBB", FRAME_IDENT_REQ, IDENTIFY, REQUEST), pad=False))
        valid()
        cap.l2(ENGINEERING, DEVICE2, ETH_P_PROFINET,
               dcp(FRAME_IDENT_RES, IDENTIFY, RESPONSE, 0x03000005,
                   [block(OPT_DEVICE, SUB_NAME, b"n" * 300, info=0)]))
        valid()


CAPTURES = [
    ("pndcp-identify.pcap", gen_identify),
    ("pndcp-set.pcap", gen_set),
    ("pndcp-malformed.pcap", gen_malformed),
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
