"""IEC 60870-5-104: per APDU, the APCI format (I/S/U), the U function, and
for I-format APDUs the ASDU type id and cause of transmission."""
from common import messages

PROTOCOLS = {"iec104"}
FILTER = "iec60870_104"
FIELDS = ["iec60870_104.type", "iec60870_104.utype", "iec60870_asdu.typeid",
          "iec60870_asdu.causetx"]
EXCEPTIONS = {
    "iec104/TestDissectIec104.pcap": {"reason":
        "8 deliberately malformed APDUs after garbage prefixes: I-format with no ASDU "
        "(frame 25) or an ASDU shorter than its 6-octet header (41, 58, 83, 96), an "
        "S-format with length 6 (71, 75), a U-format with two function bits and length 5 "
        "(36); tshark shows partial fields and flags them malformed, otsensor counts them "
        "invalid and emits no record",
        "only_tshark": {("I", None, None): 1, ("I", 24, None): 2, ("I", 26, 26): 2, ("S",): 2,
                        ("U", 5): 1},
    },
}

U_BASE = 0x100
S_CODE = 0x200


def tshark_keys(row):
    types = [int(t, 0) for t in row["iec60870_104.type"]]
    utypes = [int(u, 0) for u in row["iec60870_104.utype"]]
    ids = [int(t) for t in row["iec60870_asdu.typeid"]]
    cots = [int(c) for c in row["iec60870_asdu.causetx"]]
    keys = []
    ui = ai = 0
    for t in types:
        if t == 0:
            keys.append(("I", ids[ai] if ai < len(ids) else None,
                         cots[ai] if ai < len(cots) else None))
            ai += 1
        elif t == 1:
            keys.append(("S",))
        else:
            keys.append(("U", utypes[ui] if ui < len(utypes) else None))
            ui += 1
    return keys


def eve_keys(rec):
    keys = []
    for m in messages(rec):
        fc = m.get("function_code")
        if fc is None:
            continue
        if fc < U_BASE:
            keys.append(("I", fc, m.get("cot")))
        elif fc == S_CODE:
            keys.append(("S",))
        else:
            keys.append(("U", fc - U_BASE))
    return keys
