"""EtherNet/IP + CIP: per encapsulation PDU, the command, its status, and for
SendRRData / SendUnitData the CIP message: request or reply, the outer service
code, and what it wraps: the number of members of a Multiple_Service_Packet
(the record lists at most 8 of them), the service of an Unconnected_Send
request.  Class 0/1 I/O frames (UDP 2222, no encapsulation
header) are left out on both sides: otsensor counts them per connection in the
flow record, not as records."""
from common import messages

PROTOCOLS = {"enip_cip"}
FILTER = "enip"
FIELDS = ["enip.command", "enip.status", "cip.sc", "cip.rr", "cip.msp.num_services"]
EXCEPTIONS = {}
UNCONNECTED_SEND, MSP = 0x52, 0x0a
SEND_RR, SEND_UNIT = 0x6f, 0x70


def tshark_keys(row):
    cmds = [int(c, 16) for c in row["enip.command"]]
    if not cmds:
        return []  # I/O
    status = iter(int(s, 16) for s in row["enip.status"])
    scs = iter(int(s, 16) for s in row["cip.sc"])
    rrs = iter(int(r, 16) for r in row["cip.rr"])
    counts = iter(int(n) for n in row["cip.msp.num_services"])
    keys = []
    # a frame may hold several encapsulation PDUs: their CIP fields come as one
    # flat list, cut here PDU by PDU (a Multiple_Service_Packet takes its
    # num_services members, an Unconnected_Send request the message it wraps)
    for cmd in cmds:
        st = next(status, None)
        if cmd not in (SEND_RR, SEND_UNIT):
            keys.append((cmd, st, None, None, ()))
            continue
        outer, rr = next(scs, None), next(rrs, None)
        if outer is None:
            keys.append((cmd, st, None, None, ()))
            continue
        inner = ()
        if outer == MSP:
            n = next(counts, 0)
            for _ in range(n):
                next(scs, None)
                next(rrs, None)
            inner = ("members", n)
        elif outer == UNCONNECTED_SEND and rr == 0:
            inner = (next(scs, None),)
            next(rrs, None)
        keys.append((cmd, st, rr, outer, inner))
    return keys


def eve_keys(rec):
    keys = []
    for m in messages(rec):
        if "command" not in m:
            continue
        cip = m.get("cip")
        if not cip or "service" not in cip:
            keys.append((m["command"], m.get("status"), None, None, ()))
            continue
        resp = 1 if "general_status" in cip else 0
        svc = cip["service"]
        inner = ()
        if svc == MSP:
            # the member list in the record stops at 8 (and earlier when the
            # detail tape is full); service_count is the packet's own count
            inner = ("members", cip.get("service_count"))
        if "unconnected_send" in cip and not resp:
            inner, svc = (svc,), UNCONNECTED_SEND
        keys.append((m["command"], m.get("status"), resp, svc, inner))
    return keys
