"""MMS (ISO 9506): per MMS PDU, its MMSpdu type and, for confirmed requests and
responses and unconfirmed PDUs, the service by name (tshark's value string
against otsensor's `function`).  ACSE-only records (associate, release, abort:
function codes 0x300+) carry no MMS PDU and are not compared.

tshark dissects MMS only in presentation contexts it saw negotiated; on
associations opened before the capture began it stops at the presentation
layer.  The shared captures use presentation context 3 for MMS throughout, so
tshark is told so (the pres "users table"): it then dissects those PDUs too."""
import subprocess

from common import messages

PROTOCOLS = {"iec61850-mms"}
FILTER = "mms"
TSHARK_OPTIONS = ["-o", 'uat:pres_context_list:"3","1.0.9506.2.1"']

# MMSpdu alternatives as tshark fields (FT_NONE elements print 1 per occurrence;
# cancel request/response are INTEGERs and print the invokeID).
PDU_FIELDS = [
    ("confirmed-RequestPDU", "mms.confirmed_RequestPDU_element"),
    ("confirmed-ResponsePDU", "mms.confirmed_ResponsePDU_element"),
    ("confirmed-ErrorPDU", "mms.confirmed_ErrorPDU_element"),
    ("unconfirmed-PDU", "mms.unconfirmed_PDU_element"),
    ("rejectPDU", "mms.rejectPDU_element"),
    ("cancel-RequestPDU", "mms.cancel_RequestPDU"),
    ("cancel-ResponsePDU", "mms.cancel_ResponsePDU"),
    ("cancel-ErrorPDU", "mms.cancel_ErrorPDU_element"),
    ("initiate-RequestPDU", "mms.initiate_RequestPDU_element"),
    ("initiate-ResponsePDU", "mms.initiate_ResponsePDU_element"),
    ("initiate-ErrorPDU", "mms.initiate_ErrorPDU_element"),
    ("conclude-RequestPDU", "mms.conclude_RequestPDU_element"),
    ("conclude-ResponsePDU", "mms.conclude_ResponsePDU_element"),
    ("conclude-ErrorPDU", "mms.conclude_ErrorPDU_element"),
]
SERVICE_FIELDS = {
    "confirmed-RequestPDU": "mms.confirmedServiceRequest",
    "confirmed-ResponsePDU": "mms.confirmedServiceResponse",
    "unconfirmed-PDU": "mms.unconfirmedService",
}
FIELDS = [f for _, f in PDU_FIELDS] + list(SERVICE_FIELDS.values())

EXCEPTIONS = {
    "iec61850/mms/mms-stopRequest.pcap": {
        "reason": "frame 20 is a conclude-RequestPDU (8b 00: [11] NULL) straight in a COTP "
                  "DT with no session or presentation layer, like the initiate and start/stop "
                  "requests before it; tshark's COTP heuristic for such MMS refuses a PDU whose "
                  "length octet is 0, so it shows these two bytes as bare COTP data",
        "only_otsensor": {("conclude-RequestPDU",): 1},
    },
}


def _service_names():
    """tshark's own names of the service CHOICE alternatives."""
    out = subprocess.run(["tshark", "-G", "values"], capture_output=True, text=True,
                         check=True).stdout
    names = {f: {} for f in SERVICE_FIELDS.values()}
    for line in out.splitlines():
        cols = line.split("\t")
        if len(cols) >= 4 and cols[0] == "V" and cols[1] in names:
            names[cols[1]][int(cols[2], 0)] = cols[3]
    return names


NAMES = _service_names()


def tshark_keys(row):
    keys = []
    for pdu, field in PDU_FIELDS:
        n = len(row[field])
        sfield = SERVICE_FIELDS.get(pdu)
        if sfield is None:
            keys += [(pdu,)] * n
            continue
        svcs = [NAMES[sfield].get(int(v), "code %s" % v) for v in row[sfield]]
        for i in range(n):
            keys.append((pdu, svcs[i] if i < len(svcs) else None))
    return keys


def eve_keys(rec):
    keys = []
    for m in messages(rec):
        pdu = m.get("pdu_type")
        if pdu is None:
            continue  # ACSE or session only: no MMS PDU
        if pdu not in SERVICE_FIELDS:
            keys.append((pdu,))
            continue
        code = m.get("function_code")
        name = m.get("function")
        if name is None and code is not None and rec.get("function_code") == code:
            name = rec.get("function")  # a paired record names its request's service once
        if name is None and code is not None:
            name = "code %d" % code
        keys.append((pdu, name))
    return keys
