"""Modbus/TCP: (function code, exception or not) per PDU."""
from common import messages

PROTOCOLS = {"modbus"}
EXTRA_CAPTURES = {"it/mb2.pcap"}
FILTER = "modbus"
FIELDS = ["modbus.func_code", "modbus.exception_code"]
EXCEPTIONS = {}


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
