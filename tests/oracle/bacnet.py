"""BACnet/IP: per datagram, the BVLC function and then either the network layer
message type (NPDU control bit 7) or the APDU type with its service choice
(confirmed service for Confirmed-Request, Simple-ACK, Complex-ACK and Error;
unconfirmed service for Unconfirmed-Request; none for Segment-ACK, Reject and
Abort).  BVLC-only messages (Register-Foreign-Device, BVLC-Result, ...) are the
function alone."""
from common import messages

PROTOCOLS = {"bacnet"}
FILTER = "bvlc"
FIELDS = ["bvlc.function", "bacnet.control_net", "bacnet.mesgtyp", "bacapp.type",
          "bacapp.confirmed_service", "bacapp.unconfirmed_service"]
EXCEPTIONS = {
    # Frames 572-...: the 120 ReinitializeDevice requests of 172.20.32.250 say
    # BVLC length 17 while their datagrams hold 25 bytes (the password tag runs
    # 8 bytes past the declared end).  otsensor reads the declared length, finds
    # the password cut, and the flow's first datagram is refused, so none of
    # these requests nor their answers (90 Errors password-failure, 30
    # Simple-ACKs) are reported; tshark decodes past the BVLC length and flags
    # "invalid length".
    "bacnet/bacnet_example.pcap": {
        "reason": "120 ReinitializeDevice requests whose BVLC length (17) is 8 bytes short "
                  "of the datagram: otsensor refuses those flows, tshark reads on",
        "only_tshark": {(10, 0, 20): 120, (10, 5, 20): 90, (10, 2, 20): 30},
    },
}
WITH_CONFIRMED_SERVICE = (0, 2, 3, 5)
NETWORK_MESSAGE_BASE = 0x300  # otsensor's function code of a network layer message


def first(row, field):
    v = row[field]
    return int(v[0], 0) if v else None


def tshark_keys(row):
    func = first(row, "bvlc.function")
    if func is None:
        return []
    if first(row, "bacnet.control_net") == 1:
        return [(func, "net", first(row, "bacnet.mesgtyp"))]
    apdu = first(row, "bacapp.type")
    if apdu is None:
        return [(func, None, None)]
    if apdu in WITH_CONFIRMED_SERVICE:
        return [(func, apdu, first(row, "bacapp.confirmed_service"))]
    if apdu == 1:
        return [(func, apdu, first(row, "bacapp.unconfirmed_service"))]
    return [(func, apdu, None)]


def eve_keys(rec):
    keys = []
    for m in messages(rec):
        bvlc = m.get("bvlc")
        if not bvlc:
            continue
        func = bvlc.get("function")
        if m.get("npdu", {}).get("control", 0) & 0x80:
            keys.append((func, "net", m.get("function_code", 0) - NETWORK_MESSAGE_BASE))
            continue
        apdu = m.get("apdu_type")
        if apdu is None:
            keys.append((func, None, None))
        elif apdu in WITH_CONFIRMED_SERVICE or apdu == 1:
            keys.append((func, apdu, m.get("service")))
        else:
            keys.append((func, apdu, None))
    return keys
