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
# bacnet_example.pcap frames 572-1189: a stack that writes BVLC length 17 in every
# datagram (ReinitializeDevice requests of 23-25 bytes, Errors of 13, Simple-ACKs of
# 9).  otsensor claims such flows and decodes each datagram whole, flagged
# bvlc_length_mismatch, as tshark does: no difference left.
EXCEPTIONS = {}
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
