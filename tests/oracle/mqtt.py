"""MQTT: per control packet, its type, and for PUBLISH its topic and QoS."""
from common import messages

PROTOCOLS = {"mqtt"}
FILTER = "mqtt"
FIELDS = ["mqtt.msgtype", "mqtt.topic", "mqtt.qos"]
EXCEPTIONS = {}


def tshark_keys(row):
    types = [int(t) for t in row["mqtt.msgtype"]]
    topics = row["mqtt.topic"]
    qos = row["mqtt.qos"]
    keys = []
    ti = qi = 0
    for t in types:
        if t == 3:
            keys.append((t, topics[ti] if ti < len(topics) else None,
                         int(qos[qi]) if qi < len(qos) else None))
        else:
            keys.append((t, None, None))
        # tshark lists the header QoS bits of PUBLISH, PUBREL, SUBSCRIBE and
        # UNSUBSCRIBE; it lists SUBSCRIBE filters as topics too, which would
        # misalign a frame holding both a SUBSCRIBE and a PUBLISH (none does)
        if t == 3:
            ti += 1
        if t in (3, 6, 8, 10):
            qi += 1
    return keys


def eve_keys(rec):
    keys = []
    for m in messages(rec):
        fc = m.get("function_code")
        if fc is None:
            continue
        if fc == 3:
            keys.append((fc, m.get("topic"), m.get("qos")))
        else:
            keys.append((fc, None, None))
    return keys
