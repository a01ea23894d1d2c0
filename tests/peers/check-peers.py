#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""check-peers.py: the operations otsensor reports on the real-stack captures
(tests/pcaps/<proto>-<stack>.pcap, made by tests/peers/capture-*.sh) against what
each capture script asked its stack to do.  One TAP test per expected operation.

Usage: check-peers.py [CAPTURE-NAME...]     (default: all; e.g. s7comm-snap7)
Environment: OTSENSOR (default: otsensor on PATH), top_srcdir.

The expectations below mirror the client scripts (s7comm-snap7.js,
opcua-node-opcua.js, bacnet-bacnet-js.js, enip-st-ethernet-ip.js,
capture-mqtt-peer.sh): change one, change the other.  They hold for any run of
those scripts (no timestamps, ports or session ids), so a regenerated capture
passes unchanged when the sensor is right.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PCAPS = os.path.join(os.environ.get("top_srcdir", os.path.join(HERE, "..", "..")), "tests",
                     "pcaps")


def events(name):
    binary = os.environ.get("OTSENSOR", "otsensor")
    out = subprocess.run([binary, "-r", os.path.join(PCAPS, name + ".pcap"), "-e", "-"],
                         capture_output=True, text=True, check=True,
                         env=dict(os.environ, TZ="UTC")).stdout
    return [json.loads(line) for line in out.splitlines()]


def msgs(rec):
    """Request and response of a paired record, or the record itself."""
    if "request" in rec or "response" in rec:
        return [m for m in (rec.get("request"), rec.get("response")) if m is not None]
    return [rec]


def sub(want, got):
    """want is a subset of got: dicts key by key, lists element-wise (same length)."""
    if isinstance(want, dict):
        return isinstance(got, dict) and all(
            sub(v, got.get(k)) if callable(v) else (k in got and sub(v, got[k]))
            for k, v in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(want) == len(got) and all(
            sub(w, g) for w, g in zip(want, got))
    if callable(want):
        return want(got)
    return want == got


class Checker:
    def __init__(self, name, proto):
        self.name = name
        self.proto = proto
        self.all = events(name)
        self.recs = [e for e in self.all if e["event_type"] == proto]
        self.results = []

    def count(self, want, rec_filter=None):
        """Records (the EVE protocol object plus event fields as "_event") matching want."""
        n = 0
        for e in self.recs:
            rec = e[self.proto]
            if rec_filter and not rec_filter(e):
                continue
            if sub(want, rec):
                n += 1
        return n

    def expect(self, what, want, n=None, rec_filter=None):
        """At least one record (or exactly n) is a superset of want."""
        got = self.count(want, rec_filter)
        ok = got == n if n is not None else got >= 1
        self.results.append((what, ok, "%d matching records%s; want %s" % (
            got, "" if n is None else " (want %d)" % n, json.dumps(want, default=str)[:300])))

    def check(self, what, ok, detail=""):
        self.results.append((what, bool(ok), detail))


def any_of(*vals):
    return lambda v: v in vals


def present(v):
    return v is not None


# --- MQTT: Mosquitto 2.0 and its clients (capture-mqtt-peer.sh) ------------------
def check_mqtt(c):
    for cid in ("sub-all", "pub-q0", "pub-q1", "pub-q2", "pub-retain", "pub-user",
                "pub-badpw", "sub-will", "sub-retained"):
        c.expect("CONNECT from client id %s" % cid,
                 {"function": "CONNECT", "request": {"client_id": cid}}, n=1)
    c.expect("anonymous 3.1.1 CONNECT accepted",
             {"request": {"client_id": "pub-q0", "protocol_version": "3.1.1", "anonymous": True,
                          "user_name_present": False, "password_present": False},
              "response": {"function": "CONNACK", "return_code": 0}})
    c.expect("MQTT 5.0 CONNECT with user name operator and a password, accepted",
             {"request": {"client_id": "pub-user", "protocol_version": "5.0",
                          "user_name": "operator", "password_present": True,
                          "cleartext_credentials": True},
              "response": {"function": "CONNACK"}})
    c.expect("wrong password refused: CONNACK 5 not authorized",
             {"request": {"client_id": "pub-badpw", "user_name": "operator"},
              "exception": {"code": 5, "name": "not_authorized"}})
    c.expect("subscription plant/# at QoS 2, granted QoS 2",
             {"function": "SUBSCRIBE", "request": {"topics": [{"topic": "plant/#", "qos": 2}]},
              "response": {"function": "SUBACK", "reason_codes": [2]}})
    to_broker = lambda e: e["dest_port"] == 1883
    from_broker = lambda e: e["src_port"] == 1883
    c.expect("QoS 0 PUBLISH plant/line1/temp (4 bytes) to the broker",
             {"function": "PUBLISH", "topic": "plant/line1/temp", "qos": 0, "payload_length": 4,
              "op_class": "WRITE"}, n=1, rec_filter=to_broker)
    c.expect("QoS 1 PUBLISH plant/line1/temp answered by PUBACK",
             {"request": {"function_code": 3, "topic": "plant/line1/temp", "qos": 1},
              "response": {"function": "PUBACK"}}, n=1, rec_filter=to_broker)
    c.expect("QoS 2 PUBLISH plant/line1/temp answered by PUBREC",
             {"request": {"function_code": 3, "topic": "plant/line1/temp", "qos": 2},
              "response": {"function": "PUBREC"}}, n=1, rec_filter=to_broker)
    c.expect("QoS 2 PUBREL answered by PUBCOMP (client and broker side)",
             {"function": "PUBREL", "response": {"function": "PUBCOMP"}}, n=2)
    c.expect("retained QoS 1 PUBLISH plant/line1/setpoint (2 bytes)",
             {"request": {"topic": "plant/line1/setpoint", "qos": 1, "retain": True,
                          "payload_length": 2}}, n=1, rec_filter=to_broker)
    c.expect("MQTT 5.0 QoS 1 PUBLISH plant/line2/cmd (5 bytes)",
             {"request": {"topic": "plant/line2/cmd", "qos": 1, "payload_length": 5}}, n=1,
             rec_filter=to_broker)
    c.expect("the broker forwards the three temperatures to sub-all",
             {"function_code": 3, "topic": "plant/line1/temp"}, n=1, rec_filter=from_broker)
    c.expect("sub-will CONNECT carries its will (plant/status, QoS 1, retained)",
             {"request": {"client_id": "sub-will",
                          "will": {"topic": "plant/status", "qos": 1, "retain": True}}})
    c.expect("the broker publishes the will of the killed client",
             {"request": {"topic": "plant/status", "payload_length": 7}}, n=1,
             rec_filter=from_broker)
    c.expect("sub-retained receives the retained setpoint with the retain flag",
             {"request": {"topic": "plant/line1/setpoint", "retain": True}}, n=1,
             rec_filter=from_broker)
    c.expect("clean DISCONNECTs (every client but pub-badpw and the killed sub-will)",
             {"function": "DISCONNECT"}, n=7)
    c.check("no MQTT record carries an anomaly",
            not any("anomaly" in json.dumps(e["mqtt"]) for e in c.recs))


# --- S7comm: node-snap7 S7Client against S7Server (s7comm-snap7.js) --------------
def item(area, db, start, tsize, length, bit=0):
    return {"area": area, "db_number": db, "byte_address": start, "bit_address": bit,
            "transport_size": tsize, "length": length}


def check_s7(c):
    c.expect("COTP connection to rack 0 slot 2 (PG), confirmed",
             {"function": "cotp_connection_request",
              "request": {"rack": 0, "slot": 2, "connection_type": "pg"},
              "response": {"function": "cotp_connection_confirm"}}, n=1)
    c.expect("setup communication, PDU 480",
             {"function": "setup_communication", "response": {"pdu_length": 480}}, n=1)
    c.expect("DB1.DBW10 = 1234 (0x04D2): write_var DB1 byte 10, values 0x04 0xD2",
             {"function": "write_var", "op_class": "WRITE",
              "request": {"items": [item("DB", 1, 10, "BYTE", 2)],
                          "values": [{"address": 80, "value": 4}, {"address": 88, "value": 210}]},
              "response": {"return_codes": [255]}}, n=1)
    c.expect("read DB1.DBB0..15", {"function": "read_var", "request": {
        "items": [item("DB", 1, 0, "BYTE", 16)]}}, n=1)
    c.expect("MB5 = 0xAB", {"function": "write_var", "request": {
        "items": [item("flags", 0, 5, "BYTE", 1)], "values": [{"address": 40, "value": 171}]}},
             n=1)
    c.expect("DB1.DBX20.3 = 1 (a bit write)", {"function": "write_var", "request": {
        "items": [item("DB", 1, 20, "BIT", 1, 3)], "values": [{"address": 163, "value": 1}]}},
             n=1)
    c.expect("one read_var of six areas (DB, M, I, Q, C, T)", {
        "function": "read_var", "request": {"item_count": 6, "addresses": [
            {"space": "DB"}, {"space": "flags"}, {"space": "inputs"}, {"space": "outputs"},
            {"space": "counter"}, {"space": "timer"}]}}, n=1)
    c.expect("one write_var of DB2.DBB0, DB2.DBW4, QB1", {
        "function": "write_var", "request": {
            "items": [item("DB", 2, 0, "BYTE", 1), item("DB", 2, 4, "BYTE", 2),
                      item("outputs", 0, 1, "BYTE", 1)],
            "values": [{"value": 0x11}, {"value": 0x22}, {"value": 0x22}, {"value": 0x55}]}},
             n=1)
    c.expect("read SZL 0x0011 (module id): identity order number and firmware",
             {"function": "read_szl", "request": {"szl_id": 0x11}, "response": {
                 "identity": {"model": "6ES7 315-2EH14-0AB0", "firmware": present}}}, n=2)
    c.expect("read SZL 0x001C (component id): identity name, serial, module type",
             {"function": "read_szl", "request": {"szl_id": 0x1c}, "response": {
                 "identity": {"name": "SNAP7-SERVER", "serial": "S C-C2UR28922012",
                              "product": "CPU 315-2 PN/DP"}}}, n=2)
    c.expect("read SZL 0x0000 (the list of SZLs)", {"function": "read_szl",
                                                     "request": {"szl_id": 0}}, n=1)
    c.expect("read SZL 0x0424 (CPU status, by PlcStatus)",
             {"function": "read_szl", "request": {"szl_id": 0x424}}, n=2)
    c.expect("PLC stop (function 0x29), acknowledged",
             {"function_code": 0x29, "function": "plc_stop", "op_class": "CONTROL",
              "response": {"error_class": 0}}, n=1)
    for action in ("hot_restart", "cold_restart", "compress_memory", "copy_ram_to_rom"):
        c.expect("PI service %s" % action, {"function": "pi_service", "op_class": "CONTROL",
                                            "request": {"pi_action": action}}, n=1)
    c.expect("PI service delete DB5", {"request": {
        "pi_action": "delete_block", "blocks": [{"block_type": "DB", "block_number": 5}]}}, n=1)
    c.expect("read clock (userdata 0x1000 + 7*0x100 + 1)",
             {"function_code": 0x1701, "function": "read_clock", "response": {"clock": present}},
             n=1)
    c.expect("set clock 2024-01-02T03:04:05, answered without error",
             {"function_code": 0x1702, "function": "set_clock", "op_class": "TIME_SYNC",
              "request": {"clock": "2024-01-02T03:04:05"},
              "exception": lambda v: v is None}, n=1)
    c.expect("list blocks", {"function_code": 0x1301, "function": "list_blocks"}, n=1)
    c.expect("list blocks of type DB",
             {"function": "list_blocks_of_type", "request": {"block_type": "DB"}}, n=1)
    c.expect("block info DB1", {"function": "get_block_info",
                                "request": {"block_type": "DB", "block_number": 1}}, n=1)
    c.expect("upload of DB1 started and refused (protection level)",
             {"function": "upload_start", "op_class": "PROGRAM",
              "request": {"block_type": "DB", "block_number": 1},
              "exception": {"name": "not_permitted_in_protection_level"}}, n=1)
    c.expect("download of DB5 requested (86 bytes, MC7 8) and refused",
             {"function": "download_request", "op_class": "PROGRAM",
              "request": {"block_type": "DB", "block_number": 5, "load_memory_length": 86,
                          "mc7_length": 8},
              "exception": {"name": "not_permitted_in_protection_level"}}, n=1)
    c.expect("session password set (length only), then cleared",
             {"function": "plc_password", "op_class": "AUTH",
              "request": {"password_length": 8}}, n=1)
    c.expect("clear password", {"function_code": 0x1502, "op_class": "AUTH"}, n=1)
    c.check("no S7 record carries an anomaly",
            not any("anomaly" in json.dumps(e["s7comm"]) for e in c.recs))


# --- OPC UA: node-opcua client and server (opcua-node-opcua.js) ------------------
def check_opcua(c):
    temp = "ns=1;s=Temperature"
    c.expect("Hello to opc.tcp://127.0.0.1:4840 acknowledged", {
        "function": "Hello", "request": {"endpoint_url": "opc.tcp://127.0.0.1:4840"},
        "response": {"message_type": "ACK"}})
    c.expect("OpenSecureChannel with security policy None",
             {"function": "OpenSecureChannel", "request": {"security_policy_none": True}})
    c.expect("OpenSecureChannel with Basic256Sha256 (asymmetrically encrypted, twice)", {
        "function": "OpenSecureChannel", "message_type": "OPN", "direction": "request",
        "security_policy": "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256",
        "encrypted": True}, n=2)
    c.expect("GetEndpoints answered with the server's application description",
             {"function": "GetEndpoints", "response": {"identity": {"product": present}}})
    c.expect("ActivateSession with an anonymous token (sessions 1 and 3)",
             {"function": "ActivateSession", "request": {"identity_token": "anonymous"}}, n=2)
    c.expect("ActivateSession with user name operator (session 2, channel None)", {
        "function": "ActivateSession",
        "request": {"identity_token": "username", "user_name": "operator",
                    "password_present": True}}, n=1)
    c.expect("Browse of Objects (i=85)", {"function": "Browse", "request": {"nodes": ["i=85"]}},
             n=1)
    c.expect("Read of %s (sessions 1, 2 and the signed session 3)" % temp,
             {"function": "Read", "op_class": "READ", "request": {"nodes": [temp]}}, n=3)
    for v in (42.5, 43.5, 17.25):
        c.expect("Write %s = %s" % (temp, v), {
            "function": "Write", "op_class": "WRITE",
            "request": {"writes": [{"node_id": temp, "value": v}]},
            "response": {"service_result": 0}}, n=1)
    c.expect("Call of ns=1;s=Reset on ns=1;s=Device", {
        "function": "Call", "op_class": "CONTROL",
        "request": {"methods": [{"object_id": "ns=1;s=Device", "method_id": "ns=1;s=Reset",
                                 "argument_count": 1}]},
        "response": {"service_result": 0}}, n=1)
    c.expect("CreateSubscription", {"function": "CreateSubscription"}, n=1)
    c.expect("CreateMonitoredItems on %s" % temp,
             {"function": "CreateMonitoredItems", "request": {"nodes": [temp]}}, n=1)
    c.expect("Publish answered with notifications (two data changes)", {
        "function": "Publish", "response": {"service_node_id": 829},
        "exception": lambda v: v is None}, n=2)
    c.expect("DeleteSubscriptions", {"function": "DeleteSubscriptions"}, n=1)
    c.expect("CloseSession of the three readable sessions", {"function": "CloseSession"}, n=3)
    c.expect("the SignAndEncrypt session: its messages counted as encrypted, not decoded",
             {"function": "encrypted", "message_type": "MSG", "encrypted": True},
             rec_filter=lambda e: True)
    # a signed-only channel: Basic256Sha256 OPN, then MSG bodies decoded
    signed = set()
    for e in c.recs:
        r = e["opcua"]
        if r.get("security_policy", "").endswith("#Basic256Sha256"):
            signed.add(e["flow_id"])
    decoded = {e["flow_id"] for e in c.recs if e["opcua"].get("function") == "Read"}
    encrypted = {e["flow_id"] for e in c.recs if e["opcua"].get("function") == "encrypted"}
    c.check("one Basic256Sha256 channel is Sign only (a Read decoded on it)",
            len(signed & decoded) == 1, "signed flows %d, with a Read %d" % (
                len(signed), len(signed & decoded)))
    c.check("one Basic256Sha256 channel is SignAndEncrypt (no service decoded on it)",
            len((signed & encrypted) - decoded) == 1)


# --- BACnet/IP: @bacnet-js/client device and client (bacnet-bacnet-js.js) --------
def check_bacnet(c):
    c.expect("Who-Is 1000..2000", {"function": "who-Is", "low_limit": 1000, "high_limit": 2000},
             n=1)
    c.expect("I-Am device 1234, vendor 999, max APDU 1482, no segmentation", {
        "function": "i-Am", "instance": 1234, "vendor_id": 999,
        "max_apdu_length_accepted": 1482, "segmentation_supported_name": "no-segmentation"},
             n=1)
    c.expect("ReadProperty device,1234 object-name", {
        "function": "readProperty", "request": {"object_type_name": "device", "instance": 1234,
                                                "property_name": "object-name"},
        "exception": lambda v: v is None}, n=1)
    c.expect("ReadProperty analog-value,1 present-value, twice", {
        "function": "readProperty", "request": {"object_type_name": "analog-value",
                                                "instance": 1, "property": 85},
        "exception": lambda v: v is None}, n=2)
    c.expect("WriteProperty analog-value,1 present-value = 23.5, acknowledged", {
        "function": "writeProperty", "op_class": "WRITE",
        "request": {"object_type_name": "analog-value", "instance": 1, "property": 85,
                    "values": [{"value": 23.5}]},
        "exception": lambda v: v is None}, n=1)
    c.expect("ReadPropertyMultiple device,1234 vendor-name, model-name, firmware-revision", {
        "function": "readPropertyMultiple",
        "request": {"objects": [{"instance": 1234, "properties": [121, 70, 44]}]}}, n=1)
    c.expect("ReadProperty of analog-input,99: error unknown-object", {
        "function": "readProperty", "request": {"object_type_name": "analog-input",
                                                "instance": 99},
        "exception": {"code": 31, "name": "unknown-object"}}, n=1)
    c.expect("WriteProperty device object-name: error write-access-denied", {
        "function": "writeProperty", "request": {"object_type_name": "device"},
        "exception": {"code": 40, "name": "write-access-denied"}}, n=1)
    c.expect("SubscribeCOV analog-value,1 process 7, acknowledged", {
        "function": "subscribeCOV", "request": {"subscriber_process_id": 7, "instance": 1}},
             n=1)
    c.expect("the device's unconfirmed COV notification", {
        "function": "unconfirmedCOVNotification", "subscriber_process_id": 7,
        "initiating_device": 1234}, n=1)
    c.expect("TimeSynchronization 2024-01-02 03:04:05", {
        "function": "timeSynchronization", "op_class": "TIME_SYNC",
        "time": lambda t: t.startswith("2024-01-02T03:04:05")}, n=1)
    c.expect("DeviceCommunicationControl disable-initiation, 1 minute, with a password", {
        "function": "deviceCommunicationControl", "op_class": "CONTROL",
        "request": {"enable_disable_name": "disable-initiation", "time_duration": 1,
                    "password_present": True}}, n=1)
    c.expect("ReinitializeDevice warmstart with a password", {
        "function": "reinitializeDevice", "op_class": "CONTROL",
        "request": {"reinitialized_state_name": "warmstart", "password_present": True}}, n=1)
    c.expect("AtomicReadFile file,1 refused: reject-unrecognized-service", {
        "function": "atomicReadFile", "op_class": "FILE",
        "exception": {"code": 67, "name": "reject-unrecognized-service"}}, n=1)


# --- EtherNet/IP: st-ethernet-ip against OpENer (enip-st-ethernet-ip.js) ----------
def check_enip(c):
    c.expect("ListIdentity reply: OpENer PC, vendor 1, serial 0x075bcd15", {
        "function": "ListIdentity", "direction": "response",
        "identity": {"product": "OpENer PC", "serial": "0x075bcd15"},
        "items": [{"vendor_id": 1, "product_name": "OpENer PC"}]})
    c.expect("ListIdentity requests (broadcast)", {"function": "ListIdentity",
                                                   "direction": "request"})
    c.expect("RegisterSession, three sessions", {"function": "RegisterSession",
                                                 "response": {"status": 0}}, n=3)

    def gas(cls, inst, attr, cmd="SendRRData"):
        return {"function": "Get_Attribute_Single", "op_class": "READ", "request": {
            "command_name": cmd, "cip": {"class": cls, "instance": inst, "attribute": attr}},
            "response": {"cip": {"general_status": 0}}}
    c.expect("Get_Attribute_Single Identity vendor id (1/1/1)", gas(1, 1, 1), n=1)
    c.expect("Get_Attribute_Single Identity product name (1/1/7), unconnected", gas(1, 1, 7),
             n=1)
    c.expect("Set_Attribute_Single Assembly 154 data (4/154/3), 32 bytes", {
        "function": "Set_Attribute_Single", "op_class": "WRITE",
        "request": {"cip": {"class": 4, "instance": 154, "attribute": 3, "data_length": 32,
                            "data": "000102030405060708090a0b0c0d0e0f"}},
        "response": {"cip": {"general_status": 0}}}, n=1)
    c.expect("Get_Attribute_Single Assembly 154 data", gas(4, 154, 3), n=1)
    c.expect("Read_Tag Temperature (in Unconnected_Send): service not supported", {
        "function": "Read_Tag", "request": {"cip": {"symbol": "Temperature"}},
        "exception": {"code": 8}}, n=1)
    c.expect("Write_Tag Temperature = 1234 DINT: service not supported", {
        "function": "Write_Tag", "op_class": "WRITE",
        "request": {"values": [{"value": 1234}], "cip": {"symbol": "Temperature",
                                                          "data_type_name": "DINT"}},
        "exception": {"code": 8}}, n=1)
    c.expect("Forward_Open to the Message Router (class 3), success", {
        "function": "Forward_Open", "request": {"cip": {"forward_open": {
            "transport_class": 3, "connection_path": {"class": 2}}}},
        "response": {"cip": {"general_status": 0}}}, n=1)
    c.expect("Get_Attribute_Single Identity product name over the connection (SendUnitData)",
             gas(1, 1, 7, "SendUnitData"), n=1)
    c.expect("Forward_Close, success", {"function": "Forward_Close",
                                        "response": {"cip": {"general_status": 0}}}, n=1)
    c.expect("Forward_Open of the I/O connection (class 1, assemblies), success", {
        "function": "Forward_Open", "request": {"cip": {"forward_open": {
            "transport_class": 1}}},
        "response": {"cip": {"general_status": 0}}}, n=1)
    io = [e for e in c.all if e["event_type"] == "flow" and e.get("proto") == "UDP" and
          2222 in (e.get("src_port"), e.get("dest_port"))]
    conns = io[0].get("enip", {}).get("connections", []) if io else []
    c.check("implicit I/O on UDP 2222: two connections (O->T, T->O), cyclic, no gaps",
            len(conns) == 2 and all(x["frames"] >= 5 and x["seq_gaps"] == 0 for x in conns),
            json.dumps(conns))


CAPTURES = [
    ("mqtt-mosquitto", "mqtt", check_mqtt),
    ("s7comm-snap7", "s7comm", check_s7),
    ("opcua-node-opcua", "opcua", check_opcua),
    ("bacnet-bacnet-js", "bacnet", check_bacnet),
    ("enip-st-ethernet-ip", "enip", check_enip),
]


def main():
    names = sys.argv[1:]
    results = []
    for name, proto, fn in CAPTURES:
        if names and name not in names:
            continue
        c = Checker(name, proto)
        fn(c)
        results += [(name, what, ok, detail) for what, ok, detail in c.results]
    print("1..%d" % len(results))
    failed = 0
    for i, (name, what, ok, detail) in enumerate(results, 1):
        print("%s %d - %s: %s" % ("ok" if ok else "not ok", i, name, what))
        if not ok:
            failed += 1
            print("#   " + detail)
    print("# %d of %d peer checks passed" % (len(results) - failed, len(results)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
