"""Modbus/TCP: (function code, exception or not) per PDU."""
from common import messages

PROTOCOLS = {"modbus"}
EXTRA_CAPTURES = {"it/mb2.pcap"}
FILTER = "modbus"
FIELDS = ["modbus.func_code", "modbus.exception_code"]
EXCEPTIONS = {
    # Frame 2 (an exception response to FC 28) is flagged "TCP Out-Of-Order" by
    # tshark after the fuzzed SYN+FIN of frame 1, and frame 7 (an FC 34 request)
    # follows an "ACKed unseen segment": tshark leaves both undissected.  Their
    # bytes are valid MBAP frames, and otsensor decodes them.
    "modbus/fuzz-72.pcap": {
        "reason": "tshark skips 2 valid PDUs in segments its TCP analysis flags",
        "only_otsensor": {(28, True): 1, (34, False): 1},
    },
    # Frame 3674 re-sends 286 bytes tshark has seen (frame 3008) plus 13 new
    # ones in front (the response to 22505).  tshark marks the whole segment a
    # retransmission and dissects none of it, and the requests 22506..22509
    # sit in a segment it treats the same way; otsensor trims the repeated
    # bytes and pairs all five transactions.
    "it/mb2.pcap": {
        "reason": "tshark skips new bytes in partly retransmitted segments (7 PDUs)",
        "only_otsensor": {(2, False): 1, (4, False): 6},
    },
}


def tshark_keys(row):
    fcs = row["modbus.func_code"]
    # exception codes are listed only for the PDUs that have one: with several
    # PDUs in a frame, tshark cannot tell which; such frames are rare
    exc = len(row["modbus.exception_code"])
    keys = []
    for i, fc in enumerate(fcs):
        keys.append((int(fc), i >= len(fcs) - exc))
    return keys


def eve_keys(rec):
    return [(m["function_code"], "exception" in m) for m in messages(rec) if "function_code" in m]
