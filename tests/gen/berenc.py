# SPDX-License-Identifier: BSD-3-Clause
"""berenc: the few BER (X.690) encoders the GOOSE and MMS generators share.

summary: TLVs with short- and long-form lengths, INTEGER, BOOLEAN, BIT STRING,
OBJECT IDENTIFIER, and the MMS Data alternatives (ISO 9506-2 14.4.1) used by
GOOSE allData and MMS read/write/informationReport.

specification: ITU-T X.690 (08/2015) 8.1 (identifier and length octets), 8.2,
8.3, 8.6, 8.19; ISO 9506-2:2003 14.4.1 (Data); IEC 61850-8-1:2011 8.1.3.7
(UtcTime)."""

import struct

UNIVERSAL, APPLICATION, CONTEXT = 0x00, 0x40, 0x80
CONSTRUCTED = 0x20


def length(n, form=None):
    """Length octets: short form below 128 unless form ('long1', 'long2') asks."""
    if form is None and n < 0x80:
        return bytes([n])
    if form == "long2" or n > 0xFF:
        return bytes([0x82]) + struct.pack("!H", n)
    return bytes([0x81, n])


def tlv(ident, content, form=None, claim=None):
    """One TLV; `claim` overrides the length written (a length that lies)."""
    return bytes([ident]) + length(len(content) if claim is None else claim, form) + content


def ctx(n, content, constructed=False, **kw):
    """[n] context-specific (n < 31)."""
    return tlv(CONTEXT | (CONSTRUCTED if constructed else 0) | n, content, **kw)


def app(n, content, constructed=True, **kw):
    return tlv(APPLICATION | (CONSTRUCTED if constructed else 0) | n, content, **kw)


def int_bytes(v):
    """Minimal two's complement content of an INTEGER."""
    n = 1
    while not -(1 << (8 * n - 1)) <= v < (1 << (8 * n - 1)):
        n += 1
    return v.to_bytes(n, "big", signed=True)


def integer(v):
    return tlv(0x02, int_bytes(v))


def seq(*parts):
    return tlv(0x30, b"".join(parts))


def set_(*parts):
    return tlv(0x31, b"".join(parts))


def oid(text):
    arcs = [int(a) for a in text.split(".")]
    out = bytes([40 * arcs[0] + arcs[1]])
    for a in arcs[2:]:
        b = [a & 0x7F]
        a >>= 7
        while a:
            b.append(0x80 | (a & 0x7F))
            a >>= 7
        out += bytes(reversed(b))
    return tlv(0x06, out)


def bits(bitstr):
    """BIT STRING content from '0'/'1' text: unused-bit count, then the octets."""
    n = len(bitstr)
    pad = (-n) % 8
    v = int(bitstr + "0" * pad, 2) if n else 0
    return bytes([pad]) + (v.to_bytes((n + pad) // 8, "big") if n else b"")


def utc_time(usec, quality=0x0A):
    """UtcTime: seconds (4), fraction of a second in 2^-24 s (3), quality (1)."""
    sec, frac = divmod(usec, 1000000)
    return struct.pack("!I", sec) + ((frac << 24) // 1000000).to_bytes(3, "big") + \
        bytes([quality])


# MMS Data (ISO 9506-2 14.4.1), context tags
def d_array(*items):
    return ctx(1, b"".join(items), True)


def d_struct(*items):
    return ctx(2, b"".join(items), True)


def d_bool(v):
    return ctx(3, b"\xff" if v else b"\x00")


def d_bits(bitstr):
    return ctx(4, bits(bitstr))


def d_int(v):
    return ctx(5, int_bytes(v))


def d_uint(v):
    c = int_bytes(v)
    return ctx(6, c)


def d_float(f):
    """floating-point: exponent width 8, then an IEEE 754 single."""
    return ctx(7, b"\x08" + struct.pack("!f", f))


def d_octets(b):
    return ctx(9, b)


def d_vstring(s):
    return ctx(10, s)


def d_utc(usec, quality=0x0A):
    return ctx(17, utc_time(usec, quality))
