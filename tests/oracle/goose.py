"""IEC 61850 GOOSE: per frame, the publisher's gocbRef with its state number
and sequence number (stNum, sqNum): the triple a subscriber (and the
detection of replays and regressions) keys on."""

PROTOCOLS = {"iec61850-goose"}
# the mixed substation capture carries GOOSE beside MMS
EXTRA_CAPTURES = ("iec61850/mms/Sample_File_MMS_and_GOOSE.pcap",)
FILTER = "goose"
FIELDS = ["goose.gocbRef", "goose.stNum", "goose.sqNum"]
EXCEPTIONS = {}


def _first(vals, conv=str):
    return conv(vals[0]) if vals else None


def tshark_keys(row):
    return [(_first(row["goose.gocbRef"]), _first(row["goose.stNum"], int),
             _first(row["goose.sqNum"], int))]


def eve_keys(rec):
    return [(rec.get("gocb_ref"), rec.get("st_num"), rec.get("sq_num"))]
