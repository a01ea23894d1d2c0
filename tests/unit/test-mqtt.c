/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests for the MQTT dissector (dissectors/mqtt.c), through
 * its public table entry: framing (remaining length), probe, every packet
 * type of 3.1, 3.1.1 and 5.0, credentials (never the password), MQTT 5
 * properties and their lying lengths, QoS violations, pairing keys, big
 * PUBLISH packets handed over cut, and truncation at every byte.  Arrays
 * named after a capture frame are copied from ../shared/pcaps/mqtt. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dissector-check.h"
#include "dissectors.h"
#include "registry-private.h"
#include "unit.h"

static struct ot_msg msg;
static uint8_t state[64];

static enum ot_parse parse_full(const uint8_t *p, size_t n, bool to_server, size_t claimed,
                                bool with_state)
{
    struct ot_ctx ctx = tcp_ctx(1883, to_server, n, claimed, with_state ? state : NULL);
    return dissect(&mqtt_dissector, &ctx, p, n, &msg);
}

static enum ot_parse cli(const uint8_t *p, size_t n)
{
    return parse_full(p, n, true, n, true);
}

static enum ot_parse srv(const uint8_t *p, size_t n)
{
    return parse_full(p, n, false, n, true);
}

/* A client packet with no flow behind it. */
static enum ot_parse cli_stateless(const uint8_t *p, size_t n)
{
    return parse_full(p, n, true, n, false);
}

static void new_flow(void)
{
    memset(state, 0, sizeof(state));
}

/* --- a builder: fixed header + body ---------------------------------------- */

static uint8_t body_bytes[1024];
static struct pdu_buf body = {body_bytes, sizeof(body_bytes), 0};
static uint8_t pkt[1100];

static void bstr(const char *s)
{
    put_be16(&body, (uint16_t)strlen(s));
    for (; *s; s++)
        put_u8(&body, (uint8_t)*s);
}

static void start(void)
{
    body.n = 0;
}

/* Writes byte 0 and the remaining length (minimal varint) before the body. */
static size_t finish(uint8_t b0)
{
    size_t n = 0;
    pkt[n++] = b0;
    size_t rl = body.n;
    do {
        uint8_t b = rl & 0x7f;
        rl >>= 7;
        pkt[n++] = (uint8_t)(b | (rl ? 0x80 : 0));
    } while (rl);
    memcpy(pkt + n, body.b, body.n);
    return n + body.n;
}

/* mqtt5-pub-mosquittoprops.pcap frame 4 */
static const uint8_t connect5[] = {
    0x10, 0xcc, 0x01, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, 0xc6, 0x00, 0x3c, 0x3c, 0x27, 0x00,
    0x00, 0x2b, 0x67, 0x21, 0x00, 0xde, 0x11, 0x00, 0x00, 0x02, 0x2b, 0x22, 0x02, 0x9a, 0x26, 0x00,
    0x09, 0x75, 0x73, 0x65, 0x72, 0x70, 0x72, 0x6f, 0x70, 0x31, 0x00, 0x08, 0x75, 0x73, 0x65, 0x72,
    0x76, 0x61, 0x6c, 0x31, 0x26, 0x00, 0x09, 0x75, 0x73, 0x65, 0x72, 0x70, 0x72, 0x6f, 0x70, 0x32,
    0x00, 0x08, 0x75, 0x73, 0x65, 0x72, 0x76, 0x61, 0x6c, 0x32, 0x00, 0x13, 0x6d, 0x79, 0x76, 0x6f,
    0x69, 0x63, 0x65, 0x69, 0x73, 0x6d, 0x79, 0x70, 0x61, 0x73, 0x73, 0x70, 0x6f, 0x72, 0x74, 0x4b,
    0x03, 0x00, 0x0a, 0x6d, 0x79, 0x77, 0x69, 0x6c, 0x6c, 0x74, 0x79, 0x70, 0x65, 0x09, 0x00, 0x07,
    0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x02, 0x00, 0x00, 0x00, 0x85, 0x01, 0x90, 0x08, 0x00,
    0x0f, 0x72, 0x65, 0x73, 0x70, 0x6f, 0x6e, 0x73, 0x65, 0x5f, 0x74, 0x6f, 0x70, 0x69, 0x63, 0x31,
    0x26, 0x00, 0x09, 0x75, 0x73, 0x65, 0x72, 0x70, 0x72, 0x6f, 0x70, 0x35, 0x00, 0x08, 0x75, 0x73,
    0x65, 0x72, 0x76, 0x61, 0x6c, 0x35, 0x18, 0x00, 0x00, 0x00, 0xc8, 0x00, 0x09, 0x77, 0x69, 0x6c,
    0x6c, 0x74, 0x6f, 0x70, 0x69, 0x63, 0x00, 0x0b, 0x77, 0x69, 0x6c, 0x6c, 0x6d, 0x65, 0x73, 0x73,
    0x61, 0x67, 0x65, 0x00, 0x04, 0x75, 0x73, 0x65, 0x72, 0x00, 0x04, 0x70, 0x61, 0x73, 0x73,
};

/* mqtt5-pub-mosquittoprops.pcap frame 6 */
static const uint8_t connack5[] = {
    0x20, 0x06, 0x00, 0x00, 0x03, 0x22, 0x00, 0x0a,
};

/* mqtt5-pub-mosquittoprops.pcap frame 8 */
static const uint8_t publish5[] = {
    0x32, 0x5e, 0x00, 0x06, 0x74, 0x6f, 0x70, 0x69, 0x63, 0x58, 0x00, 0x01, 0x43, 0x03, 0x00, 0x06,
    0x6d, 0x79, 0x74, 0x79, 0x70, 0x65, 0x09, 0x00, 0x05, 0x31, 0x32, 0x33, 0x34, 0x35, 0x02, 0x00,
    0x00, 0x00, 0x4d, 0x01, 0x58, 0x08, 0x00, 0x0f, 0x72, 0x65, 0x73, 0x70, 0x6f, 0x6e, 0x73, 0x65,
    0x5f, 0x74, 0x6f, 0x70, 0x69, 0x63, 0x31, 0x23, 0x00, 0x05, 0x26, 0x00, 0x09, 0x75, 0x73, 0x65,
    0x72, 0x70, 0x72, 0x6f, 0x70, 0x33, 0x00, 0x08, 0x75, 0x73, 0x65, 0x72, 0x76, 0x61, 0x6c, 0x33,
    0x62, 0x61, 0x61, 0x62, 0x61, 0x61, 0x62, 0x6c, 0x61, 0x63, 0x6b, 0x73, 0x68, 0x65, 0x65, 0x70,
};

/* mqtt5-pub-mosquittoprops.pcap frame 9 */
static const uint8_t puback5[] = {
    0x40, 0x03, 0x00, 0x01, 0x10,
};

/* mqtt5-pub-mosquittoprops.pcap frame 10 */
static const uint8_t disconnect5[] = {
    0xe0, 0x1d, 0x00, 0x1b, 0x11, 0x00, 0x00, 0x00, 0x7a, 0x26, 0x00, 0x09, 0x75, 0x73, 0x65, 0x72,
    0x70, 0x72, 0x6f, 0x70, 0x34, 0x00, 0x08, 0x75, 0x73, 0x65, 0x72, 0x76, 0x61, 0x6c, 0x34,
};

/* mqtt31-sub-userpass.pcap frame 4 */
static const uint8_t connect31[] = {
    0x10, 0x2d, 0x00, 0x06, 0x4d, 0x51, 0x49, 0x73, 0x64, 0x70, 0x03, 0xc2, 0x00, 0x3c, 0x00, 0x13,
    0x6d, 0x79, 0x76, 0x6f, 0x69, 0x63, 0x65, 0x69, 0x73, 0x6d, 0x79, 0x70, 0x61, 0x73, 0x73, 0x70,
    0x6f, 0x72, 0x74, 0x00, 0x04, 0x75, 0x73, 0x65, 0x72, 0x00, 0x04, 0x70, 0x61, 0x73, 0x73,
};

/* mqtt31-sub-userpass.pcap frame 8 */
static const uint8_t subscribe31[] = {
    0x82, 0x14, 0x00, 0x01, 0x00, 0x06, 0x74, 0x6f, 0x70, 0x69, 0x63,
    0x58, 0x00, 0x00, 0x06, 0x74, 0x6f, 0x70, 0x69, 0x63, 0x59, 0x00,
};

/* mqtt31-sub-userpass.pcap frame 9 */
static const uint8_t suback31[] = {
    0x90, 0x04, 0x00, 0x01, 0x00, 0x00,
};

/* mqtt311-pub-qos2.pcap frame 4 */
static const uint8_t connect311[] = {
    0x10, 0x2b, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0xc2, 0x00, 0x3c, 0x00, 0x13, 0x6d,
    0x79, 0x76, 0x6f, 0x69, 0x63, 0x65, 0x69, 0x73, 0x6d, 0x79, 0x70, 0x61, 0x73, 0x73, 0x70,
    0x6f, 0x72, 0x74, 0x00, 0x04, 0x75, 0x73, 0x65, 0x72, 0x00, 0x04, 0x70, 0x61, 0x73, 0x73,
};

/* mqtt311-pub-qos2.pcap frame 6 */
static const uint8_t connack311[] = {
    0x20,
    0x02,
    0x00,
    0x00,
};

/* mqtt311-pub-qos2.pcap frame 8 */
static const uint8_t publish_qos2[] = {
    0x34, 0x1a, 0x00, 0x06, 0x74, 0x6f, 0x70, 0x69, 0x63, 0x58, 0x00, 0x01, 0x62, 0x61,
    0x61, 0x62, 0x61, 0x61, 0x62, 0x6c, 0x61, 0x63, 0x6b, 0x73, 0x68, 0x65, 0x65, 0x70,
};

/* mqtt311-pub-qos2.pcap frame 9 */
static const uint8_t pubrec[] = {
    0x50,
    0x02,
    0x00,
    0x01,
};

/* mqtt311-pub-qos2.pcap frame 10 */
static const uint8_t pubrel[] = {
    0x62,
    0x02,
    0x00,
    0x01,
};

/* mqtt311-pub-qos2.pcap frame 11 */
static const uint8_t pubcomp[] = {
    0x70,
    0x02,
    0x00,
    0x01,
};

/* mqtt-events-invalid-qos.pcap frame 8 */
static const uint8_t publish_qos3[] = {
    0x36, 0x1a, 0x00, 0x06, 0x74, 0x6f, 0x70, 0x69, 0x63, 0x58, 0x00, 0x01, 0x62, 0x61,
    0x61, 0x62, 0x61, 0x61, 0x62, 0x6c, 0x61, 0x63, 0x6b, 0x73, 0x68, 0x65, 0x65, 0x70,
};

/* mqtt5-excessiveproplen.pcap frame 4 */
static const uint8_t connect5_excessive[] = {
    0x10, 0x2f, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, 0xc2, 0x00, 0x3c, 0xff,
    0x21, 0x00, 0x14, 0x00, 0x13, 0x6d, 0x79, 0x76, 0x6f, 0x69, 0x63, 0x65, 0x69,
    0x73, 0x6d, 0x79, 0x70, 0x61, 0x73, 0x73, 0x70, 0x6f, 0x72, 0x74, 0x00, 0x04,
    0x75, 0x73, 0x65, 0x72, 0x00, 0x04, 0x70, 0x61, 0x73, 0x73,
};

/* mqtt_zeek.pcap frame 1 */
static const uint8_t connect_anon[] = {
    0x10, 0x25, 0x00, 0x06, 0x4d, 0x51, 0x49, 0x73, 0x64, 0x70, 0x03, 0x02, 0x00,
    0x05, 0x00, 0x17, 0x70, 0x61, 0x68, 0x6f, 0x2f, 0x33, 0x34, 0x41, 0x41, 0x45,
    0x35, 0x34, 0x41, 0x37, 0x35, 0x44, 0x38, 0x33, 0x39, 0x35, 0x36, 0x36, 0x45,
};

/* mqtt_zeek.pcap frame 5 */
static const uint8_t publish_from_broker[] = {
    0x31, 0x30, 0x00, 0x0b, 0x53, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x54, 0x6f, 0x70,
    0x69, 0x63, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x66, 0x72, 0x6f, 0x6d, 0x20,
    0x74, 0x68, 0x65, 0x20, 0x50, 0x61, 0x68, 0x6f, 0x20, 0x62, 0x6c, 0x6f, 0x63,
    0x6b, 0x69, 0x6e, 0x67, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74,
};

/* mqtt_zeek.pcap frame 6 */
static const uint8_t pingreq[] = {
    0xc0,
    0x00,
};

/* mqtt_zeek.pcap frame 7 */
static const uint8_t pingresp[] = {
    0xd0,
    0x00,
};

/* --- tests ---------------------------------------------------------------- */

static int test_table_entry(void)
{
    FAIL_IF_NOT(strcmp(mqtt_dissector.name, "mqtt") == 0);
    FAIL_IF_NOT(mqtt_dissector.proto == OT_PROTO_MQTT && mqtt_dissector.l4 == 6);
    FAIL_IF_NOT(mqtt_dissector.ports[0] == 1883 && mqtt_dissector.ports[1] == 0);
    FAIL_IF_NOT(mqtt_dissector.heuristic && mqtt_dissector.pdu_len && mqtt_dissector.probe);
    FAIL_IF_NOT(mqtt_dissector.flow_state_size > 0 &&
                mqtt_dissector.flow_state_size <= sizeof(state));
    PASS;
}

static int test_pdu_len(void)
{
    FAIL_IF_NOT(mqtt_dissector.pdu_len(connect5, sizeof(connect5)) == sizeof(connect5));
    FAIL_IF_NOT(mqtt_dissector.pdu_len(connect5, 2) == 0); /* 2-byte length, 1 seen */
    FAIL_IF_NOT(mqtt_dissector.pdu_len(connect5, 3) == sizeof(connect5));
    FAIL_IF_NOT(mqtt_dissector.pdu_len(connect5, 0) == 0);
    FAIL_IF_NOT(mqtt_dissector.pdu_len(pingreq, sizeof(pingreq)) == 2);
    static const uint8_t max4[] = {0x30, 0xff, 0xff, 0xff, 0x7f};
    FAIL_IF_NOT(mqtt_dissector.pdu_len(max4, sizeof(max4)) == 5 + 268435455);
    static const uint8_t five[] = {0x30, 0xff, 0xff, 0xff, 0xff, 0x01};
    FAIL_IF_NOT(mqtt_dissector.pdu_len(five, sizeof(five)) == OT_PDU_NOT_MINE);
    static const uint8_t type0[] = {0x00, 0x00};
    FAIL_IF_NOT(mqtt_dissector.pdu_len(type0, 2) == OT_PDU_NOT_MINE);
    static const uint8_t auth_flags[] = {0xf1, 0x00};
    FAIL_IF_NOT(mqtt_dissector.pdu_len(auth_flags, 2) == OT_PDU_NOT_MINE);
    static const uint8_t auth[] = {0xf0, 0x00};
    FAIL_IF_NOT(mqtt_dissector.pdu_len(auth, 2) == 2);
    /* Two packets back to back (mqtt_zeek.pcap frame 9). */
    static const uint8_t two[] = {0x30, 0x03, 0x00, 0x01, 'a', 0xe0, 0x00};
    FAIL_IF_NOT(mqtt_dissector.pdu_len(two, sizeof(two)) == 5);
    FAIL_IF_NOT(mqtt_dissector.pdu_len(two + 5, 2) == 2);
    PASS;
}

static int test_probe(void)
{
    FAIL_IF_NOT(mqtt_dissector.probe(connect5, sizeof(connect5), true) == OT_PROBE_YES);
    FAIL_IF_NOT(mqtt_dissector.probe(connect31, sizeof(connect31), true) == OT_PROBE_YES);
    FAIL_IF_NOT(mqtt_dissector.probe(connect311, sizeof(connect311), true) == OT_PROBE_YES);
    FAIL_IF_NOT(mqtt_dissector.probe(connect5, 1, true) == OT_PROBE_NEED_MORE);
    FAIL_IF_NOT(mqtt_dissector.probe(connect311, 6, true) == OT_PROBE_NEED_MORE);
    FAIL_IF_NOT(mqtt_dissector.probe(connect311, sizeof(connect311), false) == OT_PROBE_NO);
    FAIL_IF_NOT(mqtt_dissector.probe(publish5, sizeof(publish5), true) == OT_PROBE_NO);
    static const uint8_t http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    FAIL_IF_NOT(mqtt_dissector.probe(http, sizeof(http) - 1, true) == OT_PROBE_NO);
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03};
    FAIL_IF_NOT(mqtt_dissector.probe(tls, sizeof(tls), true) == OT_PROBE_NO);
    /* "MQTT" with level 3, "MQIsdp" with level 4: mismatched. */
    uint8_t c[sizeof(connect311)];
    memcpy(c, connect311, sizeof(c));
    c[8] = 3;
    FAIL_IF_NOT(mqtt_dissector.probe(c, sizeof(c), true) == OT_PROBE_NO);
    PASS;
}

static int test_connect(void)
{
    new_flow();
    FAIL_IF_NOT(cli(connect311, sizeof(connect311)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 1 && strcmp(msg.function, "CONNECT") == 0);
    FAIL_IF_NOT(msg.op_class == OT_OP_AUTH && msg.dir == OT_DIR_REQUEST);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.txn_key == 1u << 16);
    FAIL_IF_NOT(kv_str(&msg, "protocol_name", "MQTT") && kv_str(&msg, "protocol_version", "3.1.1"));
    FAIL_IF_NOT(kv_bool(&msg, "clean_session") == 1 && kv_u64(&msg, "keep_alive") == 60);
    FAIL_IF_NOT(kv_str(&msg, "client_id", "myvoiceismypassport"));
    FAIL_IF_NOT(msg.identity.present && !msg.identity.from_server);
    FAIL_IF_NOT(strcmp(msg.identity.name, "myvoiceismypassport") == 0);
    FAIL_IF_NOT(kv_str(&msg, "user_name", "user") && kv_bool(&msg, "password_present") == 1);
    FAIL_IF_NOT(kv_bool(&msg, "cleartext_credentials") == 1 && kv_bool(&msg, "anonymous") == -1);
    FAIL_IF(kv_any_str(&msg, "pass")); /* the password is "pass": never copied */
    FAIL_IF(msg.anomaly);
    FAIL_IF_NOT(srv(connack311, sizeof(connack311)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 2 && msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(msg.txn_key == 1u << 16 && !msg.has_exception);
    FAIL_IF_NOT(kv_str(&msg, "return", "accepted") && kv_bool(&msg, "session_present") == 0);

    new_flow();
    FAIL_IF_NOT(cli(connect31, sizeof(connect31)) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_str(&msg, "protocol_name", "MQIsdp") && kv_str(&msg, "protocol_version", "3.1"));

    new_flow();
    FAIL_IF_NOT(cli(connect_anon, sizeof(connect_anon)) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_bool(&msg, "anonymous") == 1 && kv_bool(&msg, "cleartext_credentials") == -1);
    FAIL_IF_NOT(kv_bool(&msg, "password_present") == 0 && kv_find(&msg, "user_name") == NULL);
    FAIL_IF_NOT(kv_u64(&msg, "keep_alive") == 5);

    /* Refused connections are exceptions (3.1.1 and 5.0 codes). */
    static const uint8_t refused[] = {0x20, 0x02, 0x01, 0x05};
    FAIL_IF_NOT(srv(refused, sizeof(refused)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 5);
    FAIL_IF_NOT(strcmp(msg.exception, "not_authorized") == 0 &&
                kv_bool(&msg, "session_present") == 1);
    new_flow();
    FAIL_IF_NOT(cli(connect5, sizeof(connect5)) == OT_PARSE_OK);
    static const uint8_t refused5[] = {0x20, 0x03, 0x00, 0x86, 0x00};
    FAIL_IF_NOT(srv(refused5, sizeof(refused5)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 0x86);
    FAIL_IF_NOT(strcmp(msg.exception, "bad_user_name_or_password") == 0);
    PASS;
}

static int test_connect_flags(void)
{
    /* Reserved flag set, will QoS without a will flag, an unknown level. */
    new_flow();
    start();
    bstr("MQTT");
    put_u8(&body, 4);
    put_u8(&body, 0x01 | 0x10);
    put_be16(&body, 10);
    bstr("id");
    size_t n = finish(0x10);
    FAIL_IF_NOT(cli(pkt, n) == OT_PARSE_OK && msg.anomaly != NULL);
    start();
    bstr("MQTT");
    put_u8(&body, 9);
    put_u8(&body, 0x02);
    put_be16(&body, 10);
    bstr("id");
    n = finish(0x10);
    FAIL_IF_NOT(cli(pkt, n) == OT_PARSE_OK && msg.anomaly != NULL);
    /* A will with QoS 2 and retain, then a will with QoS 3. */
    start();
    bstr("MQTT");
    put_u8(&body, 4);
    put_u8(&body, 0x04 | 0x10 | 0x20 | 0x02);
    put_be16(&body, 10);
    bstr("id");
    bstr("alarms/last-will");
    bstr("offline");
    n = finish(0x10);
    FAIL_IF_NOT(cli(pkt, n) == OT_PARSE_OK && msg.anomaly == NULL);
    FAIL_IF_NOT(kv_str(&msg, "topic", "alarms/last-will") && kv_u64(&msg, "qos") == 2);
    FAIL_IF_NOT(kv_bool(&msg, "retain") == 1 && kv_u64(&msg, "payload_length") == 7);
    body.b[7] = 0x04 | 0x18 | 0x02; /* after "MQTT" and the level */
    n = finish(0x10);
    FAIL_IF_NOT(cli(pkt, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.anomaly && strcmp(msg.anomaly, "invalid_qos") == 0);
    /* A user name flag with the user name missing: the fields overrun. */
    start();
    bstr("MQTT");
    put_u8(&body, 4);
    put_u8(&body, 0x80 | 0x02);
    put_be16(&body, 10);
    bstr("id");
    n = finish(0x10);
    FAIL_IF_NOT(cli(pkt, n) == OT_PARSE_INVALID);
    PASS;
}

static int test_v5_properties(void)
{
    new_flow();
    FAIL_IF_NOT(cli(connect5, sizeof(connect5)) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_str(&msg, "protocol_version", "5.0") && msg.anomaly == NULL);
    FAIL_IF_NOT(kv_u64(&msg, "session_expiry_interval") == 555 &&
                kv_u64(&msg, "receive_maximum") == 222);
    FAIL_IF_NOT(kv_u64(&msg, "user_properties") == 2);
    FAIL_IF_NOT(kv_str(&msg, "client_id", "myvoiceismypassport"));
    FAIL_IF_NOT(kv_find(&msg, "will") && kv_str(&msg, "topic", "willtopic"));
    FAIL_IF(kv_any_str(&msg, "pass"));
    FAIL_IF_NOT(srv(connack5, sizeof(connack5)) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_str(&msg, "reason", "success") && kv_u64(&msg, "topic_alias_maximum") == 10);
    /* The flow is 5.0 now: the PUBLISH has properties before its payload. */
    FAIL_IF_NOT(cli(publish5, sizeof(publish5)) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_str(&msg, "topic", "topicX") && kv_u64(&msg, "qos") == 1 &&
                kv_u64(&msg, "packet_id") == 1);
    FAIL_IF_NOT(kv_u64(&msg, "payload_length") == 16 && kv_u64(&msg, "topic_alias") == 5);
    FAIL_IF_NOT(kv_str(&msg, "content_type", "mytype"));
    FAIL_IF(arena_has(&msg, "baabaa")); /* never the payload */
    uint32_t key = msg.txn_key;
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && (key & 0xffff) == 1);
    FAIL_IF_NOT(srv(puback5, sizeof(puback5)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 4 && msg.txn_key == key && msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(kv_str(&msg, "reason", "no_matching_subscribers") && !msg.has_exception);
    FAIL_IF_NOT(cli(disconnect5, sizeof(disconnect5)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 14 && kv_u64(&msg, "session_expiry_interval") == 122);
    FAIL_IF_NOT(msg.pair == OT_PAIR_NONE);

    /* mqtt5-excessiveproplen.pcap: a property length past the packet. */
    new_flow();
    FAIL_IF_NOT(cli(connect5_excessive, sizeof(connect5_excessive)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.anomaly && strcmp(msg.anomaly, "property_length_exceeds_packet") == 0);
    FAIL_IF_NOT(kv_str(&msg, "protocol_version", "5.0") && msg.function_code == 1);
    /* An unknown property id. */
    new_flow();
    FAIL_IF_NOT(cli(connect5, sizeof(connect5)) == OT_PARSE_OK);
    static const uint8_t bad_prop[] = {0x30, 0x0c, 0x00, 0x01, 't', 0x02, 0x7f,
                                       0x00, 'p',  'a',  'y',  'l', 'o',  'd'};
    FAIL_IF_NOT(cli(bad_prop, sizeof(bad_prop)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.anomaly && strcmp(msg.anomaly, "invalid_property") == 0);
    /* A property value running past the property length. */
    static const uint8_t short_prop[] = {0x30, 0x08, 0x00, 0x01, 't', 0x02, 0x02, 0x00, 0x00, 'x'};
    FAIL_IF_NOT(cli(short_prop, sizeof(short_prop)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.anomaly && strcmp(msg.anomaly, "property_length_exceeds_packet") == 0);
    /* A 5.0 DISCONNECT with an error reason, and AUTH. */
    static const uint8_t disc_err[] = {0xe0, 0x02, 0x8e, 0x00};
    FAIL_IF_NOT(srv(disc_err, sizeof(disc_err)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.has_exception && strcmp(msg.exception, "session_taken_over") == 0);
    static const uint8_t auth[] = {0xf0, 0x0a, 0x18, 0x08, 0x15, 0x00,
                                   0x05, 'S',  'C',  'R',  'A',  'M'};
    FAIL_IF_NOT(cli(auth, sizeof(auth)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 15 && msg.op_class == OT_OP_AUTH);
    FAIL_IF_NOT(kv_str(&msg, "authentication_method", "SCRAM"));
    FAIL_IF_NOT(kv_str(&msg, "reason", "continue_authentication"));
    /* AUTH on a 3.1.1 flow is not MQTT. */
    new_flow();
    FAIL_IF_NOT(cli(connect311, sizeof(connect311)) == OT_PARSE_OK);
    FAIL_IF_NOT(cli(auth, sizeof(auth)) == OT_PARSE_NOT_MINE);
    PASS;
}

static int test_publish(void)
{
    new_flow();
    FAIL_IF_NOT(cli(connect311, sizeof(connect311)) == OT_PARSE_OK);
    FAIL_IF_NOT(cli(publish_qos2, sizeof(publish_qos2)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 3 && msg.op_class == OT_OP_WRITE);
    FAIL_IF_NOT(kv_u64(&msg, "qos") == 2 && kv_u64(&msg, "payload_length") == 16);
    FAIL_IF_NOT(msg.n_ranges == 1 && strcmp(msg.ranges[0].space, "topic") == 0);
    uint32_t key = msg.txn_key;
    FAIL_IF_NOT(srv(pubrec, sizeof(pubrec)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 5 && msg.txn_key == key && msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(cli(pubrel, sizeof(pubrel)) == OT_PARSE_OK);
    uint32_t key2 = msg.txn_key;
    FAIL_IF_NOT(msg.function_code == 6 && msg.dir == OT_DIR_REQUEST && key2 != key);
    FAIL_IF_NOT(srv(pubcomp, sizeof(pubcomp)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 7 && msg.txn_key == key2);

    /* QoS 3 (mqtt-events-invalid-qos.pcap). */
    FAIL_IF_NOT(cli(publish_qos3, sizeof(publish_qos3)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.anomaly && strcmp(msg.anomaly, "invalid_qos") == 0);
    FAIL_IF_NOT(kv_u64(&msg, "qos") == 3 && kv_str(&msg, "topic", "topicX"));

    /* A broker delivering to a subscriber: a read, and its id space is the
     * broker's (a client PUBLISH with the same id has another key). */
    FAIL_IF_NOT(srv(publish_from_broker, sizeof(publish_from_broker)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.op_class == OT_OP_READ && kv_bool(&msg, "retain") == 1);
    FAIL_IF_NOT(kv_str(&msg, "topic", "SampleTopic") && msg.pair == OT_PAIR_NONE);
    static const uint8_t pub_q1[] = {0x32, 0x06, 0x00, 0x01, 't', 0x00, 0x07, 'x'};
    static const uint8_t ack_q1[] = {0x40, 0x02, 0x00, 0x07};
    FAIL_IF_NOT(srv(pub_q1, sizeof(pub_q1)) == OT_PARSE_OK);
    uint32_t from_broker = msg.txn_key;
    FAIL_IF_NOT(cli(ack_q1, sizeof(ack_q1)) == OT_PARSE_OK && msg.txn_key == from_broker);
    FAIL_IF_NOT(cli(pub_q1, sizeof(pub_q1)) == OT_PARSE_OK && msg.txn_key != from_broker);
    uint32_t from_client = msg.txn_key;
    FAIL_IF_NOT(srv(ack_q1, sizeof(ack_q1)) == OT_PARSE_OK && msg.txn_key == from_client);

    /* A 1 MB PUBLISH of which the engine hands over 64 bytes. */
    start();
    bstr("plant/line1/firmware");
    put_be16(&body, 9);
    while (body.n < 64)
        put_u8(&body, 0xaa);
    size_t n = finish(0x32);
    FAIL_IF_NOT(parse_full(pkt, n, true, 1000000, true) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_str(&msg, "topic", "plant/line1/firmware"));
    FAIL_IF_NOT(kv_u64(&msg, "payload_length") == 1000000 - 2 - 2 - 20 - 2);
    /* Cut inside the topic: what is there is not enough for a record. */
    FAIL_IF_NOT(parse_full(pkt, 8, true, 1000000, true) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_bool(&msg, "truncated") == 1);
    /* Empty topic, QoS 0 with DUP set. */
    static const uint8_t dup0[] = {0x38, 0x02, 0x00, 0x00};
    FAIL_IF_NOT(cli(dup0, sizeof(dup0)) == OT_PARSE_OK && msg.anomaly != NULL);
    FAIL_IF_NOT(kv_u64(&msg, "payload_length") == 0);
    PASS;
}

static int test_subscribe(void)
{
    new_flow();
    FAIL_IF_NOT(cli(connect31, sizeof(connect31)) == OT_PARSE_OK);
    FAIL_IF_NOT(cli(subscribe31, sizeof(subscribe31)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 8 && msg.op_class == OT_OP_READ);
    FAIL_IF_NOT(kv_u64(&msg, "topic_count") == 2 && msg.n_ranges == 2);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.txn_key == (8u << 16 | 1));
    FAIL_IF_NOT(srv(suback31, sizeof(suback31)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 9 && msg.txn_key == (8u << 16 | 1));
    FAIL_IF(msg.has_exception);
    /* A refused subscription. */
    static const uint8_t suback_fail[] = {0x90, 0x04, 0x00, 0x02, 0x01, 0x80};
    FAIL_IF_NOT(srv(suback_fail, sizeof(suback_fail)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 0x80 && kv_u64(&msg, "failed") == 1);
    /* UNSUBSCRIBE / UNSUBACK (3.1.1 UNSUBACK has only the id). */
    static const uint8_t unsub[] = {0xa2, 0x05, 0x00, 0x03, 0x00, 0x01, '#'};
    static const uint8_t unsuback[] = {0xb0, 0x02, 0x00, 0x03};
    FAIL_IF_NOT(cli(unsub, sizeof(unsub)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 10 && msg.txn_key == (10u << 16 | 3));
    FAIL_IF_NOT(kv_u64(&msg, "topic_count") == 1 && kv_str(&msg, "topic", "#"));
    FAIL_IF_NOT(srv(unsuback, sizeof(unsuback)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 11 && msg.txn_key == (10u << 16 | 3));
    /* A SUBSCRIBE with wrong fixed-header flags, no topics, QoS 3. */
    static const uint8_t sub_bad[] = {0x80, 0x02, 0x00, 0x04};
    FAIL_IF_NOT(cli(sub_bad, sizeof(sub_bad)) == OT_PARSE_OK && msg.anomaly != NULL);
    static const uint8_t sub_q3[] = {0x82, 0x06, 0x00, 0x05, 0x00, 0x01, 'a', 0x03};
    FAIL_IF_NOT(cli(sub_q3, sizeof(sub_q3)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.anomaly && strcmp(msg.anomaly, "invalid_qos") == 0);
    /* 300 topic filters: walked up to the cap, listed up to the detail cap. */
    start();
    put_be16(&body, 6);
    for (int i = 0; i < 300; i++) {
        bstr("");
        put_u8(&body, 1);
    }
    size_t n = finish(0x82);
    FAIL_IF_NOT(cli(pkt, n) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_u64(&msg, "topic_count") == 256 && kv_bool(&msg, "topics_truncated") == 1);
    FAIL_IF(msg.detail.truncated);
    PASS;
}

static int test_ping_and_disconnect(void)
{
    new_flow();
    FAIL_IF_NOT(cli(pingreq, sizeof(pingreq)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 12 && msg.txn_key == 12u << 16 && msg.dir == OT_DIR_REQUEST);
    FAIL_IF_NOT(srv(pingresp, sizeof(pingresp)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 13 && msg.txn_key == 12u << 16);
    static const uint8_t disc[] = {0xe0, 0x00};
    FAIL_IF_NOT(cli(disc, sizeof(disc)) == OT_PARSE_OK && msg.function_code == 14);
    /* Every type has a name. */
    for (uint8_t t = 1; t <= 14; t++) {
        uint8_t b0 = (uint8_t)(t << 4 | ((t == 6 || t == 8 || t == 10) ? 2 : 0));
        uint8_t p[] = {b0, 0x02, 0x00, 0x01};
        enum ot_parse r = parse_full(p, sizeof(p), true, sizeof(p), false);
        FAIL_IF(r == OT_PARSE_NOT_MINE);
        FAIL_IF_NOT(msg.has_function && msg.function && msg.function_code == t);
    }
    PASS;
}

static int test_lying_lengths(void)
{
    new_flow();
    /* Remaining length beyond the PDU handed over whole: truncated. */
    static const uint8_t longer[] = {0x30, 0x10, 0x00, 0x01, 't'};
    FAIL_IF_NOT(cli(longer, sizeof(longer)) == OT_PARSE_TRUNC);
    /* Topic length beyond the remaining length. */
    static const uint8_t topic_long[] = {0x30, 0x04, 0x00, 0x09, 't', 'o'};
    FAIL_IF_NOT(cli(topic_long, sizeof(topic_long)) == OT_PARSE_INVALID);
    /* PUBACK without its packet id, zero-length CONNECT and SUBSCRIBE. */
    static const uint8_t puback_empty[] = {0x40, 0x00};
    FAIL_IF_NOT(srv(puback_empty, sizeof(puback_empty)) == OT_PARSE_INVALID);
    static const uint8_t connect_empty[] = {0x10, 0x00};
    FAIL_IF_NOT(cli(connect_empty, sizeof(connect_empty)) == OT_PARSE_INVALID);
    static const uint8_t sub_empty[] = {0x82, 0x00};
    FAIL_IF_NOT(cli(sub_empty, sizeof(sub_empty)) == OT_PARSE_INVALID);
    /* A varint with a fifth byte, and type 0. */
    static const uint8_t five[] = {0x30, 0x80, 0x80, 0x80, 0x80, 0x01};
    FAIL_IF_NOT(cli(five, sizeof(five)) == OT_PARSE_NOT_MINE);
    static const uint8_t zero[] = {0x00, 0x00};
    FAIL_IF_NOT(cli(zero, sizeof(zero)) == OT_PARSE_NOT_MINE);
    FAIL_IF_NOT(cli(zero, 0) == OT_PARSE_TRUNC);
    PASS;
}

static int test_truncation(void)
{
    const struct sample all[] = {
        SAMPLE(connect5),    SAMPLE(connack5),     SAMPLE(publish5),    SAMPLE(puback5),
        SAMPLE(disconnect5), SAMPLE(connect31),    SAMPLE(subscribe31), SAMPLE(suback31),
        SAMPLE(connect311),  SAMPLE(publish_qos2), SAMPLE(pubrec),      SAMPLE(pubrel),
        SAMPLE(pubcomp),     SAMPLE(publish_qos3), SAMPLE(pingreq),     SAMPLE(connect_anon),
    };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        FAIL_IF_NOT(each_prefix(cli_stateless, all[i].p, all[i].n, refused, &msg));
        /* The same prefixes on a 5.0 flow, handed over as cut PDUs. */
        new_flow();
        FAIL_IF_NOT(cli(connect5, sizeof(connect5)) == OT_PARSE_OK);
        for (size_t cut = 2; cut < all[i].n; cut++)
            FAIL_IF(parse_full(all[i].p, cut, true, all[i].n, true) == OT_PARSE_NOT_MINE);
    }
    PASS;
}

static const struct unit_test tests[] = {
    {"table_entry", test_table_entry},
    {"pdu_len", test_pdu_len},
    {"probe", test_probe},
    {"connect", test_connect},
    {"connect_flags", test_connect_flags},
    {"v5_properties", test_v5_properties},
    {"publish", test_publish},
    {"subscribe", test_subscribe},
    {"ping_and_disconnect", test_ping_and_disconnect},
    {"lying_lengths", test_lying_lengths},
    {"truncation", test_truncation},
    {NULL, NULL},
};

UNIT_MAIN(tests)
