#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""make-seeds: seed corpora of the engine's fuzz targets, from the repository's
captures and dissector corpora (and ../shared/pcaps when present).

usage: make-seeds.py [--shared DIR] [--otsensor BIN] [TARGET...]
       (TARGET: decode reasm conf pipeline rules ioc baseline)

  decode  tests/fuzz/corpus/decode/: one file per frame, byte 0 = the index of
          its link type in fuzz-decode.c's table, the rest = the frame; a few
          distinct frames (by ethertype / IP protocol / ports) per capture.
  reasm   tests/fuzz/corpus/reasm/: segment scripts in fuzz-reasm.c's format
          (server port, then segments) that carry the TCP dissectors' corpus
          streams in one piece, one byte per segment, out of order, with
          overlapping retransmissions, a hole, a capture cut, no handshake.
  conf    tests/fuzz/corpus/conf/: the sample and golden configurations and
          hand-written good and bad ones.
  pipeline tests/fuzz/corpus/pipeline/ (beside tests/pcaps, which seeds it too):
          the file formats the golden captures do not use: nanosecond and
          big-endian pcap, pcapng with two interfaces of different link types.
  rules   tests/fuzz/corpus/rules/: byte 0 = 0 and a rule file (every built-in
          one, a few written here), or 1 and a tuning file.
  ioc     tests/fuzz/corpus/ioc/: byte 0 = the form (bit 0 CSV, bit 1 NAME=),
          then the list.
  baseline tests/fuzz/corpus/baseline/: baselines the sensor (--otsensor BIN)
          learned from three plant captures, and a minimal one.

Deterministic: running it twice writes the same files.  Standard library only.
"""

import argparse
import glob
import os
import struct
import sys

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CORPUS = os.path.join(TOP, "tests", "fuzz", "corpus")

# fuzz-decode.c's table, by the link type of the file header (LINKTYPE_*)
LINK_INDEX = {1: 0, 0: 1, 108: 2, 101: 3, 12: 4, 14: 5, 228: 6, 229: 7, 113: 8, 276: 9}


def read_pcap(path):
    """(linktype, [frames]) of a classic pcap or pcapng file; ([], None) otherwise."""
    with open(path, "rb") as f:
        b = f.read()
    if len(b) < 24:
        return None, []
    magic = b[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    elif magic == b"\x0a\x0d\x0d\x0a":
        return read_pcapng(b)
    else:
        return None, []
    link = struct.unpack(e + "I", b[20:24])[0] & 0xFFFF
    frames, off = [], 24
    while off + 16 <= len(b):
        caplen = struct.unpack(e + "I", b[off + 8:off + 12])[0]
        frames.append(b[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return link, frames


def read_pcapng(b):
    """The frames of the first interface's link type only."""
    e = "<" if b[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    links, frames, off = [], [], 0
    while off + 12 <= len(b):
        btype, blen = struct.unpack(e + "II", b[off:off + 8])
        if blen < 12:
            break
        body = b[off + 8:off + blen - 4]
        if btype == 1:
            links.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            iface, _, _, caplen, _ = struct.unpack(e + "IIIII", body[:20])
            if iface == 0:
                frames.append(body[20:20 + caplen])
        off += blen
    return (links[0] if links else None), frames


def signature(link, fr):
    """What makes a frame different enough to keep: link, ethertype, IP proto, ports."""
    if link != 1 or len(fr) < 14:
        return (link, len(fr) > 40, fr[:1])
    et = fr[12:14]
    off = 14
    while et in (b"\x81\x00", b"\x88\xa8") and len(fr) >= off + 4:
        et = fr[off + 2:off + 4]
        off += 4
    if et == b"\x08\x00" and len(fr) >= off + 24:
        ihl = (fr[off] & 15) * 4
        proto = fr[off + 9]
        ports = tuple(sorted(fr[off + ihl:off + ihl + 4][i:i + 2] for i in (0, 2)))
        return (link, et, proto, ports, fr[off + 6] & 0x3F != 0 or fr[off + 7] != 0)
    return (link, et)


def write(dirname, name, data):
    os.makedirs(dirname, exist_ok=True)
    with open(os.path.join(dirname, name), "wb") as f:
        f.write(data)


def seeds_decode(shared):
    out = os.path.join(CORPUS, "decode")
    files = sorted(glob.glob(os.path.join(TOP, "tests", "pcaps", "*.pcap*")))
    per_file = 6
    if shared and os.path.isdir(shared):
        files += sorted(glob.glob(os.path.join(shared, "*", "*.pcap*")))
    seen = set()
    for path in files:
        link, frames = read_pcap(path)
        if link not in LINK_INDEX:
            continue
        base = os.path.splitext(os.path.basename(path))[0]
        kept = 0
        for i, fr in enumerate(frames):
            sig = signature(link, fr)
            if sig in seen:
                continue
            seen.add(sig)
            write(out, "%s-%d" % (base, i), bytes([LINK_INDEX[link]]) + fr[:1600])
            kept += 1
            if kept >= per_file:
                break
    # the unknown link type, and empty and one-byte frames on each link type
    write(out, "unknown-link", bytes([10]) + b"\x00" * 20)
    for idx in sorted(set(LINK_INDEX.values())):
        write(out, "empty-%d" % idx, bytes([idx]))


# ---------------------------------------------------------------- reasm scripts

SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10
ISN = (1000, 0x80000000)  # fuzz-reasm.c: connection 0's first sequence numbers


class Script:
    """Segments in fuzz-reasm.c's format, tracking where each direction ends."""

    def __init__(self, port):
        self.b = bytearray(struct.pack("!H", port))
        self.next = list(ISN)

    def seg(self, d, flags, payload=b"", seq=None, cut=0, pause=False):
        ctl = d | (32 if pause else 0)
        fields = b""
        if seq is None:
            seq = self.next[d]
        off = (seq - self.next[d]) & 0xFFFFFFFF
        if off < 128 or off >= 0xFFFFFF80:
            fields += struct.pack("!b", off if off < 128 else off - (1 << 32))
        else:
            ctl |= 2
            fields += struct.pack("!I", seq & 0xFFFFFFFF)
        if cut:
            ctl |= 4
            fields += bytes([cut])
        self.b += bytes([flags, ctl]) + fields + bytes([len(payload)]) + payload
        self.next[d] = (seq + len(payload) + cut + (1 if flags & (SYN | FIN) else 0)) & 0xFFFFFFFF
        return self

    def handshake(self):
        self.seg(0, SYN).seg(1, SYN | ACK).seg(0, ACK)
        return self


def chunks(data, n):
    return [data[i:i + n] for i in range(0, len(data), n)]


def reasm_variants(port, d, stream):
    """(suffix, script bytes) for one direction's stream."""
    out = []
    stream = stream[:1200]
    s = Script(port).handshake()
    for c in chunks(stream, 255):
        s.seg(d, PSH | ACK, c)
    s.seg(1 - d, ACK).seg(0, FIN | ACK).seg(1, FIN | ACK).seg(0, ACK)
    out.append(("whole", s.b))

    s = Script(port).handshake()
    for c in chunks(stream[:150], 1):
        s.seg(d, PSH | ACK, c)
    out.append(("bytes", s.b))

    s = Script(port).handshake()
    base = s.next[d]
    parts = chunks(stream[:400], 23)
    offs = [sum(len(p) for p in parts[:i]) for i in range(len(parts))]
    for i in range(0, len(parts) - 1, 2):
        s.seg(d, PSH | ACK, parts[i + 1], seq=base + offs[i + 1])
        s.seg(d, PSH | ACK, parts[i], seq=base + offs[i])
    if len(parts) % 2:
        s.seg(d, PSH | ACK, parts[-1], seq=base + offs[-1])
    out.append(("swapped", s.b))

    s = Script(port).handshake()
    base = s.next[d]
    pos = 0
    while pos < min(len(stream), 400):
        # each segment repeats the last 7 bytes of the one before, with more
        start = max(0, pos - 7)
        c = stream[start:pos + 30]
        s.seg(d, PSH | ACK, c, seq=base + start)
        pos += 30
    out.append(("overlap", s.b))

    s = Script(port).handshake()
    parts = chunks(stream[:600], 40)
    for i, c in enumerate(parts):
        if i == 2:
            s.next[d] += len(c)  # a hole the capture never saw
            continue
        s.seg(d, PSH | ACK, c, cut=12 if i == 4 and len(c) > 12 else 0)
    s.seg(1 - d, ACK)
    out.append(("hole-cut", s.b))

    s = Script(port)
    for c in chunks(stream[:500], 60):
        s.seg(d, PSH | ACK, c)
    s.seg(d, RST)
    out.append(("midstream", s.b))
    return out


def seeds_reasm():
    out = os.path.join(CORPUS, "reasm")
    protos = [("modbus", 502), ("dnp3", 20000), ("iec104", 2404), ("s7comm", 102),
              ("mms", 102), ("opcua", 4840), ("mqtt", 1883), ("enip", 44818)]
    for proto, port in protos:
        files = sorted(glob.glob(os.path.join(CORPUS, proto, "*")))
        files = [f for f in files if not os.path.basename(f).startswith("crash-")]
        # the largest streams carry the most PDUs
        files.sort(key=lambda f: (-os.path.getsize(f), f))
        for path in files[:2]:
            with open(path, "rb") as f:
                b = f.read()
            if len(b) < 2:
                continue
            d = 0 if b[0] & 1 else 1
            name = os.path.basename(path)
            for suffix, data in reasm_variants(port, d, b[1:]):
                write(out, "%s-%s-%s" % (proto, name, suffix), bytes(data))


# ---------------------------------------------------------------- configurations

CONFS = {
    "flows.yaml": b"flow:\n  max_flows: 100000\n  timeout:\n    tcp: 600\n    udp: 60\n"
                  b"reassembly:\n  buffers: 64\n  max_pdu: 4096\n",
    "dissectors.yaml": b"dissectors:\n  modbus:\n    enabled: true\n    ports: [502, 5020]\n"
                       b"  dnp3:\n    heuristic: false\n  s7comm:\n    enabled: no\n",
    "types.yaml": b"outputs:\n  eve:\n    enabled: true\n    filename: x.json\n"
                  b"    types: [alert, flow, stats]\n",
    "types-string.yaml": b"outputs:\n  eve:\n    types: \"alert,asset, modbus\"\n",
    "bad-values.yaml": b"flow:\n  max_flows: -1\n  timeout: {tcp: 0x10, udp: 1e9}\n"
                       b"ndpi:\n  enabled: maybe\nstats: 7\n",
    "unknown.yaml": b"nope: 1\nflow:\n  nope: 2\ndissectors:\n  nope:\n    enabled: true\n",
    "anchors.yaml": b"a: &x {max_flows: 16}\nflow: *x\nreassembly: *x\n",
    "syntax.yaml": b"flow:\n  max_flows: [1, 2\n  - oops: }\n",
    "empty.yaml": b"",
    "scalar.yaml": b"just a string\n",
    "multidoc.yaml": b"---\nsensor: {name: a}\n---\nsensor: {name: b}\n...\n",
    "tags.yaml": b"!!map {? !!str sensor : !!map {? !!str name : !!str t}}\n",
    "long.yaml": b"sensor:\n  name: " + b"x" * 300 + b"\n",
}


def seeds_conf():
    out = os.path.join(CORPUS, "conf")
    for src in ("contrib/otsensor.yaml", "tests/golden.yaml"):
        path = os.path.join(TOP, src)
        if os.path.exists(path):
            with open(path, "rb") as f:
                write(out, os.path.basename(src), f.read())
    for name, data in CONFS.items():
        write(out, name, data)


# ---------------------------------------------------------------- pipeline

def seeds_pipeline():
    out = os.path.join(CORPUS, "pipeline")
    _, eth = read_pcap(os.path.join(TOP, "tests", "pcaps", "modbus-read-write.pcap"))
    _, raw = read_pcap(os.path.join(TOP, "tests", "pcaps", "modbus-linktype-raw.pcap"))
    eth, raw = eth[:16], raw[:16]
    t0 = 1705312800

    def pcap(e, magic, frames, link, step):
        b = struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, 65535, link)
        for i, fr in enumerate(frames):
            b += struct.pack(e + "IIII", t0 + i, i * step, len(fr), len(fr)) + fr
        return b

    write(out, "nanosecond.pcap", pcap("<", 0xA1B23C4D, eth, 1, 999999))
    write(out, "big-endian.pcap", pcap(">", 0xA1B2C3D4, eth, 1, 1000))

    def block(btype, body):
        body += b"\0" * ((-len(body)) % 4)
        return struct.pack("<II", btype, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))

    b = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    b += block(1, struct.pack("<HHI", 1, 0, 65535))
    b += block(1, struct.pack("<HHI", 101, 0, 65535))
    for i in range(min(len(eth), len(raw))):
        iface, fr = (0, eth[i]) if i % 2 == 0 else (1, raw[i])
        ts = (t0 + i) * 1000000
        b += block(6, struct.pack("<IIIII", iface, ts >> 32, ts & 0xFFFFFFFF, len(fr), len(fr)) + fr)
    write(out, "two-interfaces.pcapng", b)


# ---------------------------------------------------------------- rules, ioc, baseline

RULE_SNIPPETS = {
    "match": b"alert modbus request function write_single_register, 16 unit 1-3\n"
             b"    address holding_register:100-199 value at 100 > 500\n"
             b"    msg \"setpoint\" kind setpoint_change severity high mitre T0836 sid 9001 rev 2\n"
             b"alert any op WRITE from !set:hmis to level:0-1 msg \"w\" sid 9002\n"
             b"alert dnp3 detail.objects.group = 70 threshold 5 distinct unit in 60s by src\n"
             b"    msg \"file\" sid 9003\n"
             b"alert tcp app telnet to ot msg \"telnet\" sid 9004\n"
             b"alert ip condition zone_violation msg \"zone\" sid 9005\n"
             b"alert tcp risk tls_selfsigned_certificate server_name evil.example msg \"t\" sid 9006\n",
    "errors": b"alert modbsu msg \"x\" sid 1\nalert modbus unit abc msg \"x\" sid 2\n"
              b"alert modbus msg \"unterminated sid 3\nalert modbus to 10.0.0.0/33 msg \"x\" sid 4\n",
}
TUNINGS = {
    "tuning": b"# tuning\ndisable sid 100, 200-210\n"
              b"suppress kind discovery src 10.1.1.5, 10.1.1.6\n"
              b"suppress sid 300 device 00:1b:21:3a:10:10\nseverity sid 400 low\n"
              b"severity kind plc_stop medium dst 10.2.0.0/16\n"
              b"threshold sid 500 count 5 in 60s by dst\nsuppress all ip 192.0.2.1\n",
    "tuning-errors": b"silence sid 1\ndisable sid x1\nsuppress sid 1 src 10.0.0.300\n"
                     b"threshold sid 1 count 5\n",
}
IOC_LISTS = {
    "list": (0, b"# a list\n198.51.100.7   C2 server of campaign X\n203.0.113.0/24 # scanner\n"
                b"evil.example   phishing domain\n\n2001:db8:bad::/48\nnot/valid\n"),
    "named": (2, b"10.0.0.0/8\n*.bad.example\nxn--80ak6aa92e.com\n"),
    "csv": (1, b"indicator,description\n\"bad.example\",\"Malware, stage 2\"\n"
               b"192.0.2.66,ransomware staging\n"),
}


def seeds_rules():
    out = os.path.join(CORPUS, "rules")
    for path in sorted(glob.glob(os.path.join(TOP, "rules", "*.rules"))):
        with open(path, "rb") as f:
            write(out, "r-" + os.path.basename(path), b"\0" + f.read())
    for name, text in RULE_SNIPPETS.items():
        write(out, "r-" + name, b"\0" + text)
    for name, text in TUNINGS.items():
        write(out, "t-" + name, b"\1" + text)


def seeds_ioc():
    out = os.path.join(CORPUS, "ioc")
    for name, (flag, text) in IOC_LISTS.items():
        write(out, name, bytes([flag]) + text)


def seeds_baseline(otsensor):
    """Baselines learned from the plant captures by the sensor itself."""
    import subprocess
    import tempfile
    out = os.path.join(CORPUS, "baseline")
    for cap in ("plant-steady", "plant-new-host", "plant-setpoint"):
        pcap = os.path.join(TOP, "tests", "pcaps", cap + ".pcap")
        if not os.path.exists(pcap):
            continue
        with tempfile.TemporaryDirectory() as d:
            bl = os.path.join(d, "b.json")
            subprocess.run([otsensor, "-b", bl, "--mode", "learn", "-r", pcap, "-e", "/dev/null"],
                           check=True)
            with open(bl, "rb") as f:
                write(out, cap + ".json", f.read())
    write(out, "minimal.json", b'{"format": "otsensor-baseline", "version": 1, "devices": [], '
                               b'"conversations": []}\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.path.join(TOP, "..", "shared", "pcaps"))
    ap.add_argument("--otsensor", default=os.path.join(TOP, "otsensor"),
                    help="the binary that learns the baseline seeds")
    ap.add_argument("targets", nargs="*", default=["decode", "reasm", "conf", "pipeline", "rules",
                                                   "ioc", "baseline"])
    a = ap.parse_args()
    for t in a.targets:
        if t == "decode":
            seeds_decode(a.shared)
        elif t == "reasm":
            seeds_reasm()
        elif t == "conf":
            seeds_conf()
        elif t == "pipeline":
            seeds_pipeline()
        elif t == "rules":
            seeds_rules()
        elif t == "ioc":
            seeds_ioc()
        elif t == "baseline":
            seeds_baseline(a.otsensor)
        else:
            sys.exit("unknown target %s" % t)


if __name__ == "__main__":
    main()
