"""OPC UA binary: per message, the transport message type (HEL, ACK, OPN,
MSG, CLO, ...) and the service type NodeId (the DefaultBinary encoding id of
the request or response; none for transport messages and encrypted bodies)."""
from common import messages

PROTOCOLS = {"opcua"}
FILTER = "opcua"
FIELDS = ["opcua.transport.type", "opcua.servicenodeid.numeric", "opcua.security.spu"]
EXCEPTIONS = {
    "opcua/opcua_with-gap_with-handshake.pcap":
        "frame 30 completes the 13,990-byte CreateSessionResponse (464); the capture "
        "lost ACKs, tshark flags frames 26 and 30 as spurious retransmissions and never "
        "reassembles the PDU, while the bytes are all there and decode cleanly",
}


def tshark_keys(row):
    types = row["opcua.transport.type"]
    ids = row["opcua.servicenodeid.numeric"]
    keys = []
    ii = 0
    for t in types:
        # HEL/ACK/ERR/RHE carry no service; OPN/MSG/CLO do unless encrypted
        # (tshark then shows only the security policy of the OPN)
        if t in ("OPN", "MSG", "CLO") and ii < len(ids):
            keys.append((t, int(ids[ii])))
            ii += 1
        else:
            keys.append((t, None))
    return keys


def eve_keys(rec):
    keys = []
    for m in messages(rec):
        if "message_type" in m:
            keys.append((m["message_type"], m.get("service_node_id")))
    return keys
