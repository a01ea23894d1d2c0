"""DNP3: per link frame, the application function code of each application
fragment it completes, or the link function of a link-only frame (link status,
reset, ACK ...).  Middle transport segments carry neither."""
from common import messages

PROTOCOLS = {"dnp3"}
FILTER = "dnp3"
FIELDS = ["dnp3.al.func", "dnp3.ctl.prifunc", "dnp3.ctl.secfunc"]
EXCEPTIONS = {
    "dnp3/dnp3_example.pcap": {"reason":
        "tshark's transport reassembly loses track where the 6-bit transport sequence wraps "
        "(63 -> 0): the fragments completed by frames 18, 114 and 210 (RESPONSE) and 810 "
        "(UNSOLICITED_RESPONSE) get no application layer, and frame 311, a single-segment "
        "RESPONSE with transport sequence 0, is merged with frame 210 of another TCP stream "
        "and shown as CONFIRM (fragment overlap, conflicting data); the bytes of 311 are "
        "c0 c8 81: FIR FIN, application sequence 8, RESPONSE, as otsensor reports",
        "only_tshark": {("al", 0): 1},
        "only_otsensor": {("al", 129): 4, ("al", 130): 1},
    },
}

LINK_USER_DATA = {3, 4}  # CONFIRMED_USER_DATA, UNCONFIRMED_USER_DATA


def tshark_keys(row):
    keys = [("al", int(f)) for f in row["dnp3.al.func"]]
    keys += [("link", int(f)) for f in row["dnp3.ctl.prifunc"] if int(f) not in LINK_USER_DATA]
    keys += [("link", int(f)) for f in row["dnp3.ctl.secfunc"]]
    return keys


def eve_keys(rec):
    keys = []
    for m in messages(rec):
        if "function_code" not in m:
            continue
        if "application" in m:
            keys.append(("al", m["function_code"]))
        elif m.get("link", {}).get("func") not in LINK_USER_DATA or not m["link"].get("prm"):
            keys.append(("link", m["function_code"] & 0x0f))  # 0x100 + PRM 0x10 + link function
    return keys
