"""S7comm: per S7 PDU, the ROSCTR and the function: the parameter function code
of a job / ack_data (read_var 0x04, setup 0xf0, PLC stop 0x29, ...), the type,
function group and subfunction of a userdata PDU; an ack (ROSCTR 2) carries no
function.

Left out on both sides: the COTP connection request / confirm (otsensor reports
them as s7comm records 0x20e0 / 0x20d0; tshark's "s7comm" filter does not match
COTP-only frames) and S7comm-plus (protocol id 0x72: Wireshark 4.0 has no
dissector for it, so tshark shows those frames as bare COTP data)."""
from common import messages

PROTOCOLS = {"s7comm"}
FILTER = "s7comm"
FIELDS = ["s7comm.header.rosctr", "s7comm.param.func", "s7comm.param.userdata.type",
          "s7comm.param.userdata.funcgroup", "s7comm.param.userdata.subfunc"]
EXCEPTIONS = {}
# userdata type: tshark shows the 4-bit type (4 request, 8 response, 0 push)
UD_TYPES = {"request": 4, "response": 8, "push": 0, "nc_request": 3, "nc_response": 7}


def tshark_keys(row):
    funcs = iter(int(f, 16) for f in row["s7comm.param.func"])
    types = iter(int(t) for t in row["s7comm.param.userdata.type"])
    groups = iter(int(g) for g in row["s7comm.param.userdata.funcgroup"])
    subs = iter(int(s) for s in row["s7comm.param.userdata.subfunc"])
    keys = []
    for r in (int(x) for x in row["s7comm.header.rosctr"]):
        if r in (1, 3):
            keys.append((r, next(funcs, None)))
        elif r == 7:
            keys.append((r, (next(types, None), next(groups, None), next(subs, None))))
        else:
            keys.append((r, None))
    return keys


def eve_keys(rec):
    keys = []
    for m in messages(rec):
        if m.get("protocol") != "s7comm" or "rosctr" not in m:
            continue  # COTP connect, S7comm-plus
        r = m["rosctr"]
        fc = m.get("function_code")
        if r in (1, 3):
            keys.append((r, fc))
        elif r == 7:
            keys.append((r, (UD_TYPES.get(m.get("type")), m.get("function_group"),
                             m.get("subfunction"))))
        else:
            keys.append((r, None))
    return keys
