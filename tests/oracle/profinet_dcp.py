"""PROFINET DCP: per frame, the service id, request or response, and the
NameOfStation it names (filter, identity or value set)."""
from common import messages

PROTOCOLS = {"profinet"}
EXTRA_CAPTURES = {"it/mb2.pcap"}
FILTER = "pn_dcp"
FIELDS = ["pn_dcp.service_id", "pn_dcp.service_type", "pn_dcp.suboption_device_nameofstation"]
EXCEPTIONS = {
    # The capture was taken on a mirror port that copied every Identify request
    # twice, 1-2 microseconds apart (frames 58/59, 464/465, ...: same source,
    # same xid, same bytes).  otsensor removes such SPAN duplicates
    # (decode.dedup.window_us, counted in stats.mirror); tshark shows both.
    "profinet/profinet_io_cm_mixed_1.pcap": {
        "reason": "9 mirror-port duplicate Identify requests removed (2 us apart)",
        "only_tshark": {(5, 0, "siemens-x208-switch"): 6, (5, 0, "versamax-pns11"): 1,
                        (5, 0, "turck"): 1, (5, 0, "flm-pn-bk-2tx4"): 1},
    },
}
EVE_TYPE = "profinet_dcp"


def tshark_keys(row):
    names = row["pn_dcp.suboption_device_nameofstation"]
    return [(int(row["pn_dcp.service_id"][0]), int(row["pn_dcp.service_type"][0]) & 1,
             names[0] if names else None)]


def eve_keys(rec):
    keys = []
    for m in messages(rec):
        name = m.get("name_of_station", m.get("set_name_of_station"))
        keys.append((m["function_code"], 0 if m.get("service_type") == "request" else 1, name))
    return keys
