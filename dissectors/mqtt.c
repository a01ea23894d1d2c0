/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: MQTT 3.1, 3.1.1 and 5.0 over TCP: every control packet named,
 * CONNECT credentials (presence, user name, never the password), client id,
 * will, CONNACK/SUBACK/UNSUBACK/PUBACK reason codes, PUBLISH topic, QoS and
 * payload size (never the payload), SUBSCRIBE/UNSUBSCRIBE topic filters, MQTT 5
 * properties (skipped by their length, a few reported), and the pairing of
 * acknowledgements with their packets. */
/* specification: MQTT Version 3.1 (IBM/Eurotech, 2010); OASIS MQTT Version
 * 3.1.1 (2014) sections 2 (control packet format) and 3 (control packets);
 * OASIS MQTT Version 5.0 (2019) sections 1.5 (data representation), 2.2.2
 * (properties), 2.4 (reason codes) and 3. */
/*
 * Fixed header (3.1.1 section 2.2, 5.0 section 2.1.1):
 *    7   6   5   4   3   2   1   0
 *  +---------------+---------------+
 *  |  packet type  |     flags     |  PUBLISH flags: DUP(3) QoS(2-1) RETAIN(0);
 *  +---------------+---------------+  PUBREL/SUBSCRIBE/UNSUBSCRIBE: 0010; others 0000
 *  | Remaining Length: 1 to 4 bytes, 7 bits each, least significant first,  |
 *  | bit 7 = more bytes follow (at most 268,435,455)                        |
 *  +-------------------------------------------------------------------------+
 *  then the variable header and the payload (Remaining Length bytes).
 *
 * CONNECT variable header: Protocol Name (UTF-8 string: 2-byte length + bytes,
 * "MQTT", or "MQIsdp" for 3.1), Protocol Level (3 = 3.1, 4 = 3.1.1, 5 = 5.0),
 * Connect Flags, Keep Alive (2), [5.0: Properties]; payload: Client Identifier,
 * [Will Properties, Will Topic, Will Payload], [User Name], [Password].
 *   Connect Flags:  7 user name | 6 password | 5 will retain | 4-3 will QoS |
 *                   2 will flag | 1 clean session | 0 reserved (0)
 * MQTT 5.0 Properties: Property Length (variable byte integer) then, for each
 * property, an identifier (variable byte integer) and a value whose type the
 * identifier fixes (byte, 2- or 4-byte integer, variable byte integer, UTF-8
 * string, binary data, string pair).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>

#include "cursor.h"
#include "dissectors.h"
#include "otmsg.h"
#include "tok.h"

#define MQTT_PORT 1883

/* Control packet types (3.1.1 table 2.1, 5.0 table 2-1). */
#define MQTT_CONNECT 1
#define MQTT_CONNACK 2
#define MQTT_PUBLISH 3
#define MQTT_PUBACK 4
#define MQTT_PUBREC 5
#define MQTT_PUBREL 6
#define MQTT_PUBCOMP 7
#define MQTT_SUBSCRIBE 8
#define MQTT_SUBACK 9
#define MQTT_UNSUBSCRIBE 10
#define MQTT_UNSUBACK 11
#define MQTT_PINGREQ 12
#define MQTT_PINGRESP 13
#define MQTT_DISCONNECT 14
#define MQTT_AUTH 15 /* 5.0 only */

/* Protocol levels. */
#define MQTT_LEVEL_31 3
#define MQTT_LEVEL_311 4
#define MQTT_LEVEL_5 5

/* PUBLISH fixed-header flags (3.1.1 section 3.3.1). */
#define MQTT_PUBLISH_DUP 0x08
#define MQTT_PUBLISH_QOS_SHIFT 1
#define MQTT_PUBLISH_QOS_MASK 0x03
#define MQTT_PUBLISH_RETAIN 0x01
#define MQTT_FLAGS_0010 0x02 /* the required flags of PUBREL, SUBSCRIBE, UNSUBSCRIBE */

/* CONNECT flags (3.1.1 section 3.1.2.3). */
#define MQTT_CONNECT_USER_NAME 0x80
#define MQTT_CONNECT_PASSWORD 0x40
#define MQTT_CONNECT_WILL_RETAIN 0x20
#define MQTT_CONNECT_WILL_QOS_SHIFT 3
#define MQTT_CONNECT_WILL_FLAG 0x04
#define MQTT_CONNECT_CLEAN_SESSION 0x02
#define MQTT_CONNECT_RESERVED 0x01

#define MQTT_CONNACK_SESSION_PRESENT 0x01

/* Variable byte integer: at most 4 bytes (5.0 section 1.5.5). */
#define MQTT_VARINT_MAX_BYTES 4

/* Property value types (5.0 section 2.2.2.2, table 2-4). */
enum mqtt_prop_type {
    PROP_BYTE = 1,
    PROP_U16,
    PROP_U32,
    PROP_VARINT,
    PROP_STRING,
    PROP_BINARY,
    PROP_PAIR,
};

/* Properties (5.0 table 2-4); `key` names the ones reported in the detail. */
struct mqtt_prop {
    uint8_t id;
    uint8_t type;
    const char *key;
};

static const struct mqtt_prop mqtt_props[] = {
    {0x01, PROP_BYTE, "payload_format_indicator"},
    {0x02, PROP_U32, "message_expiry_interval"},
    {0x03, PROP_STRING, "content_type"},
    {0x08, PROP_STRING, "response_topic"},
    {0x09, PROP_BINARY, NULL}, /* correlation data */
    {0x0b, PROP_VARINT, "subscription_identifier"},
    {0x11, PROP_U32, "session_expiry_interval"},
    {0x12, PROP_STRING, "assigned_client_identifier"},
    {0x13, PROP_U16, "server_keep_alive"},
    {0x15, PROP_STRING, "authentication_method"},
    {0x16, PROP_BINARY, NULL}, /* authentication data: a secret */
    {0x17, PROP_BYTE, NULL},   /* request problem information */
    {0x18, PROP_U32, "will_delay_interval"},
    {0x19, PROP_BYTE, NULL}, /* request response information */
    {0x1a, PROP_STRING, "response_information"},
    {0x1c, PROP_STRING, "server_reference"},
    {0x1f, PROP_STRING, "reason_string"},
    {0x21, PROP_U16, "receive_maximum"},
    {0x22, PROP_U16, "topic_alias_maximum"},
    {0x23, PROP_U16, "topic_alias"},
    {0x24, PROP_BYTE, "maximum_qos"},
    {0x25, PROP_BYTE, "retain_available"},
    {0x26, PROP_PAIR, NULL}, /* user property: counted */
    {0x27, PROP_U32, "maximum_packet_size"},
    {0x28, PROP_BYTE, NULL}, /* wildcard subscription available */
    {0x29, PROP_BYTE, NULL}, /* subscription identifiers available */
    {0x2a, PROP_BYTE, NULL}, /* shared subscription available */
    {0, 0, NULL},
};

#define MQTT_PROP_USER 0x26

/* function_code = packet type; op classes: CONNECT/CONNACK/AUTH are the
 * authentication exchange, PUBLISH and its acknowledgements write data to the
 * broker (a PUBLISH from the broker delivers to a subscriber: READ, see
 * parse_publish), subscriptions read. */
static const struct ot_func mqtt_types[] = {
    {MQTT_CONNECT, "CONNECT", OT_OP_AUTH},    {MQTT_CONNACK, "CONNACK", OT_OP_AUTH},
    {MQTT_PUBLISH, "PUBLISH", OT_OP_WRITE},   {MQTT_PUBACK, "PUBACK", OT_OP_WRITE},
    {MQTT_PUBREC, "PUBREC", OT_OP_WRITE},     {MQTT_PUBREL, "PUBREL", OT_OP_WRITE},
    {MQTT_PUBCOMP, "PUBCOMP", OT_OP_WRITE},   {MQTT_SUBSCRIBE, "SUBSCRIBE", OT_OP_READ},
    {MQTT_SUBACK, "SUBACK", OT_OP_READ},      {MQTT_UNSUBSCRIBE, "UNSUBSCRIBE", OT_OP_READ},
    {MQTT_UNSUBACK, "UNSUBACK", OT_OP_READ},  {MQTT_PINGREQ, "PINGREQ", OT_OP_OTHER},
    {MQTT_PINGRESP, "PINGRESP", OT_OP_OTHER}, {MQTT_DISCONNECT, "DISCONNECT", OT_OP_OTHER},
    {MQTT_AUTH, "AUTH", OT_OP_AUTH},          {0, NULL, 0},
};

static const struct ot_tok mqtt_versions[] = {
    {MQTT_LEVEL_31, "3.1"},
    {MQTT_LEVEL_311, "3.1.1"},
    {MQTT_LEVEL_5, "5.0"},
    {0, NULL},
};

/* CONNACK return codes of 3.1 and 3.1.1 (3.1.1 table 3.1). */
static const struct ot_tok mqtt_connack_codes[] = {
    {0, "accepted"},
    {1, "unacceptable_protocol_version"},
    {2, "identifier_rejected"},
    {3, "server_unavailable"},
    {4, "bad_user_name_or_password"},
    {5, "not_authorized"},
    {0, NULL},
};

/* MQTT 5.0 reason codes (5.0 section 2.4, table 2-6). */
static const struct ot_tok mqtt5_reason_codes[] = {
    {0x00, "success"},
    {0x01, "granted_qos_1"},
    {0x02, "granted_qos_2"},
    {0x04, "disconnect_with_will_message"},
    {0x10, "no_matching_subscribers"},
    {0x11, "no_subscription_existed"},
    {0x18, "continue_authentication"},
    {0x19, "re_authenticate"},
    {0x80, "unspecified_error"},
    {0x81, "malformed_packet"},
    {0x82, "protocol_error"},
    {0x83, "implementation_specific_error"},
    {0x84, "unsupported_protocol_version"},
    {0x85, "client_identifier_not_valid"},
    {0x86, "bad_user_name_or_password"},
    {0x87, "not_authorized"},
    {0x88, "server_unavailable"},
    {0x89, "server_busy"},
    {0x8a, "banned"},
    {0x8b, "server_shutting_down"},
    {0x8c, "bad_authentication_method"},
    {0x8d, "keep_alive_timeout"},
    {0x8e, "session_taken_over"},
    {0x8f, "topic_filter_invalid"},
    {0x90, "topic_name_invalid"},
    {0x91, "packet_identifier_in_use"},
    {0x92, "packet_identifier_not_found"},
    {0x93, "receive_maximum_exceeded"},
    {0x94, "topic_alias_invalid"},
    {0x95, "packet_too_large"},
    {0x96, "message_rate_too_high"},
    {0x97, "quota_exceeded"},
    {0x98, "administrative_action"},
    {0x99, "payload_format_invalid"},
    {0x9a, "retain_not_supported"},
    {0x9b, "qos_not_supported"},
    {0x9c, "use_another_server"},
    {0x9d, "server_moved"},
    {0x9e, "shared_subscriptions_not_supported"},
    {0x9f, "connection_rate_exceeded"},
    {0xa0, "maximum_connect_time"},
    {0xa1, "subscription_identifiers_not_supported"},
    {0xa2, "wildcard_subscriptions_not_supported"},
    {0, NULL},
};

/* Caps. */
/* Properties walked in one property list: each costs a loop turn, and a
 * 256 MB packet could hold millions of one-byte properties. */
#define MQTT_MAX_PROPS 64
/* Topic filters walked in one SUBSCRIBE/UNSUBSCRIBE, and reason codes in one
 * SUBACK/UNSUBACK: bounds the loop. */
#define MQTT_MAX_TOPICS 256
/* Topic filters / reason codes listed in the detail (the tape is shared). */
#define MQTT_MAX_DETAIL_TOPICS 12
/* Bytes of one string copied into the detail (topics, client id, user name). */
#define MQTT_MAX_STR 256

/* Transaction key families: the packet id is 16 bits; the family above it
 * keeps the id spaces of different exchanges apart, and bit 24 says which
 * side sent the PUBLISH (each side numbers its own packets). */
#define MQTT_KEY_FAMILY_SHIFT 16
#define MQTT_KEY_FROM_SERVER (1u << 24)

struct mqtt_flow {
    uint8_t level; /* Protocol Level from CONNECT; 0 until seen */
};

/* State of one packet parse. */
struct mq {
    struct ot_msg *out;
    uint8_t level; /* protocol level in force (3.1.1 when unknown) */
    bool partial;  /* the engine handed over only the first bytes of the PDU */
};

/* Reads a variable byte integer (5.0 section 1.5.5); fails the cursor as
 * invalid when a fifth byte would be needed. */
static uint32_t rd_varint(struct cur *c)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < MQTT_VARINT_MAX_BYTES; i++) {
        uint8_t b = cur_u8(c);
        v |= (uint32_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80))
            return v;
    }
    cur_fail(c, CUR_INVALID);
    return 0;
}

/* A UTF-8 string or binary data: 2-byte length then the bytes (1.5.4). */
struct mqtt_str {
    const uint8_t *p;
    size_t n;
};

static struct mqtt_str rd_str(struct cur *c)
{
    struct mqtt_str s = {NULL, 0};
    s.n = cur_be16(c);
    s.p = cur_bytes(c, s.n);
    if (!s.p)
        s.n = 0;
    return s;
}

static void kv_str(struct ot_detail *d, const char *key, struct mqtt_str s)
{
    ot_kv_str(d, key, s.p, s.n < MQTT_MAX_STR ? s.n : MQTT_MAX_STR);
}

/* The 64-bit FNV-1a hash of a topic: its "address" for baselines (which
 * topics a client publishes to or subscribes to). */
static uint64_t topic_hash(struct mqtt_str s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    struct cur c = cur_init(s.p, s.n);
    while (cur_left(&c) > 0) {
        h ^= cur_u8(&c);
        h *= 0x100000001b3ull;
    }
    return h;
}

static const struct mqtt_prop *prop_find(uint32_t id)
{
    for (const struct mqtt_prop *p = mqtt_props; p->id; p++)
        if (p->id == id)
            return p;
    return NULL;
}

/* Walks an MQTT 5.0 property list: its length, then the properties, each
 * checked against the table; reports the named ones in the detail.  A length
 * beyond the packet or an unknown property sets the anomaly and fails the
 * cursor: what follows cannot be located. */
static void rd_props(struct cur *c, struct mq *m)
{
    struct ot_msg *out = m->out;
    uint32_t len = rd_varint(c);
    if (!cur_ok(c))
        return;
    if (len > cur_left(c)) {
        if (m->partial) { /* the rest of the PDU is not here: no verdict */
            cur_fail(c, CUR_TRUNC);
            return;
        }
        out->anomaly = "property_length_exceeds_packet";
        cur_fail(c, CUR_INVALID);
        return;
    }
    struct cur p = cur_sub(c, len);
    struct ot_detail *d = &out->detail;
    uint32_t users = 0;
    for (unsigned i = 0; cur_left(&p) > 0; i++) {
        if (i >= MQTT_MAX_PROPS) {
            out->anomaly = "too_many_properties";
            break;
        }
        const struct mqtt_prop *prop = prop_find(rd_varint(&p));
        if (!cur_ok(&p))
            break;
        if (!prop) {
            out->anomaly = "invalid_property";
            cur_fail(c, CUR_INVALID);
            return;
        }
        uint64_t v = 0;
        struct mqtt_str s = {NULL, 0};
        switch (prop->type) {
            case PROP_BYTE: v = cur_u8(&p); break;
            case PROP_U16: v = cur_be16(&p); break;
            case PROP_U32: v = cur_be32(&p); break;
            case PROP_VARINT: v = rd_varint(&p); break;
            case PROP_STRING:
            case PROP_BINARY: s = rd_str(&p); break;
            default: /* PROP_PAIR */
                (void)rd_str(&p);
                (void)rd_str(&p);
                users++;
                break;
        }
        if (!cur_ok(&p))
            break;
        if (!prop->key)
            continue;
        if (prop->type == PROP_STRING)
            kv_str(d, prop->key, s);
        else
            ot_kv_u64(d, prop->key, v);
    }
    if (!cur_ok(&p)) {
        out->anomaly = "property_length_exceeds_packet";
        cur_fail(c, CUR_INVALID);
        return;
    }
    if (users)
        ot_kv_u64(d, "user_properties", users);
}

static void set_reason(struct mq *m, uint8_t code)
{
    struct ot_msg *out = m->out;
    uint8_t level = m->level;
    const char *name = ot_tok_name(mqtt5_reason_codes, code);
    ot_kv_u64(&out->detail, "reason_code", code);
    if (name)
        ot_kv_cstr(&out->detail, "reason", name);
    if (level == MQTT_LEVEL_5 && code >= 0x80)
        ot_msg_set_exception(out, code, name);
}

static void parse_connect(struct cur *c, struct mq *m, uint8_t *level_out)
{
    struct ot_msg *out = m->out;
    struct ot_detail *d = &out->detail;
    struct mqtt_str name = rd_str(c);
    uint8_t level = cur_u8(c);
    uint8_t flags = cur_u8(c);
    uint16_t keep_alive = cur_be16(c);
    if (!cur_ok(c))
        return;
    kv_str(d, "protocol_name", name);
    ot_kv_u64(d, "protocol_level", level);
    const char *version = ot_tok_name(mqtt_versions, level);
    if (version)
        ot_kv_cstr(d, "protocol_version", version);
    else
        out->anomaly = "unknown_protocol_level";
    *level_out = level;
    m->level = level;
    ot_kv_bool(d, "clean_session", flags & MQTT_CONNECT_CLEAN_SESSION);
    ot_kv_u64(d, "keep_alive", keep_alive);
    if (flags & MQTT_CONNECT_RESERVED)
        out->anomaly = "connect_reserved_flag_set"; /* 3.1.1 section 3.1.2.3 */
    bool user = flags & MQTT_CONNECT_USER_NAME;
    bool password = flags & MQTT_CONNECT_PASSWORD;
    bool will = flags & MQTT_CONNECT_WILL_FLAG;
    ot_kv_bool(d, "user_name_present", user);
    /* The password is never copied: its presence is all a record needs. */
    ot_kv_bool(d, "password_present", password);
    if (!user)
        ot_kv_bool(d, "anonymous", true);
    /* Port 1883 is MQTT without TLS: any credential is on the wire in clear. */
    if (user || password)
        ot_kv_bool(d, "cleartext_credentials", true);
    if (level == MQTT_LEVEL_5)
        rd_props(c, m);
    struct mqtt_str client = rd_str(c);
    if (!cur_ok(c))
        return;
    kv_str(d, "client_id", client);
    if (client.n > 0) {
        ot_ident_set(out->identity.name, client.p, client.n);
        out->identity.present = out->identity.name[0] != '\0';
        out->identity.from_server = false;
    }
    if (will) {
        uint8_t will_qos = (flags >> MQTT_CONNECT_WILL_QOS_SHIFT) & 3;
        ot_kv_obj(d, "will"); /* the will's properties go inside it */
        if (level == MQTT_LEVEL_5)
            rd_props(c, m);
        struct mqtt_str topic = rd_str(c);
        struct mqtt_str payload = rd_str(c);
        if (cur_ok(c)) {
            kv_str(d, "topic", topic);
            ot_kv_u64(d, "qos", will_qos);
            ot_kv_bool(d, "retain", flags & MQTT_CONNECT_WILL_RETAIN);
            ot_kv_u64(d, "payload_length", payload.n);
        }
        ot_kv_end(d);
        if (!cur_ok(c))
            return;
        if (will_qos == 3)
            out->anomaly = "invalid_qos";
    } else if (flags & (MQTT_CONNECT_WILL_RETAIN | 3 << MQTT_CONNECT_WILL_QOS_SHIFT)) {
        out->anomaly = "will_flags_without_will"; /* 3.1.1 section 3.1.2.6 */
    }
    if (user) {
        struct mqtt_str u = rd_str(c);
        if (!cur_ok(c))
            return;
        kv_str(d, "user_name", u);
    }
    if (password)
        (void)rd_str(c);
}

static void parse_connack(struct cur *c, struct mq *m)
{
    struct ot_msg *out = m->out;
    struct ot_detail *d = &out->detail;
    uint8_t flags = cur_u8(c);
    uint8_t code = cur_u8(c);
    if (!cur_ok(c))
        return;
    ot_kv_bool(d, "session_present", flags & MQTT_CONNACK_SESSION_PRESENT);
    if (m->level == MQTT_LEVEL_5) {
        set_reason(m, code);
        rd_props(c, m);
        return;
    }
    const char *name = ot_tok_name(mqtt_connack_codes, code);
    ot_kv_u64(d, "return_code", code);
    if (name)
        ot_kv_cstr(d, "return", name);
    if (code != 0)
        ot_msg_set_exception(out, code, name);
}

static void parse_publish(struct cur *c, const struct ot_ctx *ctx, struct mq *m, uint8_t flags,
                          size_t hdr_len)
{
    struct ot_msg *out = m->out;
    struct ot_detail *d = &out->detail;
    uint8_t qos = (flags >> MQTT_PUBLISH_QOS_SHIFT) & MQTT_PUBLISH_QOS_MASK;
    size_t start = cur_left(c);
    struct mqtt_str topic = rd_str(c);
    uint16_t packet_id = 0;
    /* 3.1.1 section 3.3.2.2: a packet id follows when QoS > 0; QoS 3 is
     * invalid (section 3.3.1.2), and senders using it still put one there. */
    if (qos > 0)
        packet_id = cur_be16(c);
    if (!cur_ok(c))
        return;
    kv_str(d, "topic", topic);
    ot_kv_u64(d, "qos", qos);
    ot_kv_bool(d, "retain", flags & MQTT_PUBLISH_RETAIN);
    ot_kv_bool(d, "dup", flags & MQTT_PUBLISH_DUP);
    if (qos > 0)
        ot_kv_u64(d, "packet_id", packet_id);
    if (qos == 3)
        out->anomaly = "invalid_qos";
    else if (qos == 0 && (flags & MQTT_PUBLISH_DUP))
        out->anomaly = "dup_with_qos_0"; /* 3.1.1 section 3.3.1.1 */
    ot_msg_add_range(out, "topic", 0, topic_hash(topic), 1);
    if (m->level == MQTT_LEVEL_5)
        rd_props(c, m);
    if (!cur_ok(c))
        return;
    /* The payload is never copied; its size comes from the real PDU length,
     * which the engine passes when it handed over only the first bytes. */
    size_t var_len = start - cur_left(c);
    size_t total = ctx->pdu_len > hdr_len + var_len ? ctx->pdu_len : hdr_len + var_len;
    ot_kv_u64(d, "payload_length", total - hdr_len - var_len);
    if (qos == 1 || qos == 2) {
        out->pair = OT_PAIR_KEYED;
        out->txn_key = packet_id | (uint32_t)MQTT_PUBLISH << MQTT_KEY_FAMILY_SHIFT |
                       (ctx->to_server ? 0 : MQTT_KEY_FROM_SERVER);
    }
    /* A broker delivering a message to a subscriber is the subscriber
     * reading what it subscribed to, not a write by the broker. */
    if (!ctx->to_server)
        out->op_class = OT_OP_READ;
}

/* PUBACK, PUBREC, PUBREL, PUBCOMP (and UNSUBACK's id): packet id, then in
 * 5.0 an optional reason code and properties (5.0 section 3.4.2.1). */
static uint16_t parse_ack(struct cur *c, struct mq *m)
{
    uint16_t id = cur_be16(c);
    if (!cur_ok(c))
        return 0;
    ot_kv_u64(&m->out->detail, "packet_id", id);
    if (m->level == MQTT_LEVEL_5 && cur_left(c) > 0) {
        set_reason(m, cur_u8(c));
        if (cur_left(c) > 0)
            rd_props(c, m);
    }
    return id;
}

static uint16_t parse_subscribe(struct cur *c, struct mq *m, bool unsub)
{
    struct ot_msg *out = m->out;
    struct ot_detail *d = &out->detail;
    uint16_t id = cur_be16(c);
    if (!cur_ok(c))
        return 0;
    ot_kv_u64(d, "packet_id", id);
    if (m->level == MQTT_LEVEL_5)
        rd_props(c, m);
    if (!cur_ok(c))
        return id;
    unsigned n = 0;
    bool cut = false;
    ot_kv_arr(d, "topics");
    while (cur_left(c) > 0) {
        if (n >= MQTT_MAX_TOPICS) {
            cut = true;
            break;
        }
        struct mqtt_str filter = rd_str(c);
        uint8_t options = unsub ? 0 : cur_u8(c);
        if (!cur_ok(c))
            break;
        ot_msg_add_range(out, "topic_filter", 1, topic_hash(filter), 1);
        if (n < MQTT_MAX_DETAIL_TOPICS) {
            ot_kv_obj(d, NULL);
            kv_str(d, "topic", filter);
            if (!unsub)
                ot_kv_u64(d, "qos", options & 3);
            ot_kv_end(d);
        }
        if (!unsub && (options & 3) == 3)
            out->anomaly = "invalid_qos";
        n++;
    }
    ot_kv_end(d);
    ot_kv_u64(d, "topic_count", n);
    if (cut)
        ot_kv_bool(d, "topics_truncated", true);
    if (n == 0 && cur_ok(c))
        out->anomaly = "subscribe_without_topics"; /* 3.1.1 section 3.8.3 */
    return id;
}

/* SUBACK / UNSUBACK (5.0): packet id, properties, one code per filter. */
static uint16_t parse_suback(struct cur *c, struct mq *m, bool unsub)
{
    struct ot_msg *out = m->out;
    struct ot_detail *d = &out->detail;
    uint8_t level = m->level;
    uint16_t id = cur_be16(c);
    if (!cur_ok(c))
        return 0;
    ot_kv_u64(d, "packet_id", id);
    if (unsub && level != MQTT_LEVEL_5)
        return id; /* 3.1.1 UNSUBACK has no payload */
    if (level == MQTT_LEVEL_5)
        rd_props(c, m);
    unsigned n = 0;
    unsigned failed = 0;
    uint8_t first_fail = 0;
    ot_kv_arr(d, "reason_codes");
    while (cur_ok(c) && cur_left(c) > 0 && n < MQTT_MAX_TOPICS) {
        uint8_t code = cur_u8(c);
        if (n++ < MQTT_MAX_DETAIL_TOPICS)
            ot_kv_u64(d, NULL, code);
        if (code >= 0x80 && failed++ == 0)
            first_fail = code;
    }
    ot_kv_end(d);
    if (failed) {
        ot_kv_u64(d, "failed", failed);
        /* 3.1.1 SUBACK 0x80 is "Failure"; 5.0 codes have names. */
        const char *name =
            level == MQTT_LEVEL_5 ? ot_tok_name(mqtt5_reason_codes, first_fail) : "failure";
        ot_msg_set_exception(out, first_fail, name);
    }
    return id;
}

/* DISCONNECT and AUTH (5.0 sections 3.14, 3.15): optional reason code and
 * properties; nothing in 3.1.1. */
static void parse_reason_only(struct cur *c, struct mq *m)
{
    if (m->level != MQTT_LEVEL_5 || cur_left(c) == 0)
        return;
    set_reason(m, cur_u8(c));
    if (cur_left(c) > 0)
        rd_props(c, m);
}

/* Whether the fixed-header flags are the ones the type requires (3.1.1
 * section 2.2.2). */
static bool flags_valid(uint8_t type, uint8_t flags)
{
    if (type == MQTT_PUBLISH)
        return true;
    if (type == MQTT_PUBREL || type == MQTT_SUBSCRIBE || type == MQTT_UNSUBSCRIBE)
        return flags == MQTT_FLAGS_0010;
    return flags == 0;
}

static size_t mqtt_pdu_len(const uint8_t *p, size_t len)
{
    struct cur c = cur_init(p, len);
    if (len < 1)
        return 0;
    uint8_t b0 = cur_u8(&c);
    uint8_t type = b0 >> 4;
    /* Type 0 is reserved.  The fixed-header flags are part of the framing:
     * a receiver must close the connection on wrong ones (3.1.1 section
     * 2.2.2), so no conversation carries them, and accepting them while
     * resynchronising lets two garbage bytes swallow whole packets. */
    if (type == 0 || !flags_valid(type, b0 & 0x0f))
        return OT_PDU_NOT_MINE;
    uint32_t rl = 0;
    for (unsigned i = 0; i < MQTT_VARINT_MAX_BYTES; i++) {
        if (cur_left(&c) == 0)
            return 0;
        uint8_t b = cur_u8(&c);
        rl |= (uint32_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80))
            return 1 + (i + 1) + (size_t)rl;
    }
    return OT_PDU_NOT_MINE; /* a fifth length byte: 5.0 section 1.5.5 */
}

static enum ot_probe mqtt_probe(const uint8_t *p, size_t len, bool to_server)
{
    /* A flow starts with the client's CONNECT (3.1.1 section 3.1). */
    if (!to_server)
        return OT_PROBE_NO;
    struct cur c = cur_init(p, len);
    if (len < 1)
        return OT_PROBE_NEED_MORE;
    if (cur_u8(&c) != (MQTT_CONNECT << 4))
        return OT_PROBE_NO;
    size_t total = mqtt_pdu_len(p, len);
    if (total == OT_PDU_NOT_MINE)
        return OT_PROBE_NO;
    if (total == 0)
        return OT_PROBE_NEED_MORE;
    (void)rd_varint(&c);
    uint16_t n = cur_be16(&c);
    if (!cur_ok(&c))
        return OT_PROBE_NEED_MORE;
    if (n != 4 && n != 6)
        return OT_PROBE_NO;
    if (cur_left(&c) < (size_t)n + 1)
        return OT_PROBE_NEED_MORE;
    uint8_t name[6];
    cur_copy(&c, name, n);
    uint8_t level = cur_u8(&c);
    bool mqtt = n == 4 && name[0] == 'M' && name[1] == 'Q' && name[2] == 'T' && name[3] == 'T';
    bool mqisdp = n == 6 && name[0] == 'M' && name[1] == 'Q' && name[2] == 'I' && name[3] == 's' &&
                  name[4] == 'd' && name[5] == 'p';
    if (!(mqtt && (level == MQTT_LEVEL_311 || level == MQTT_LEVEL_5)) &&
        !(mqisdp && level == MQTT_LEVEL_31))
        return OT_PROBE_NO;
    return OT_PROBE_YES;
}

static enum ot_parse mqtt_parse(struct cur *c, const struct ot_ctx *ctx, struct ot_msg *out)
{
    struct mqtt_flow *fs = ctx->flow_state;
    size_t avail = cur_left(c);
    uint8_t b0 = cur_u8(c);
    uint32_t rl = rd_varint(c);
    if (!cur_ok(c))
        return c->err == CUR_TRUNC ? OT_PARSE_TRUNC : OT_PARSE_NOT_MINE;
    uint8_t type = b0 >> 4;
    uint8_t flags = b0 & 0x0f;
    uint8_t level = fs && fs->level ? fs->level : MQTT_LEVEL_311;
    if (type == 0 || (type == MQTT_AUTH && fs && fs->level && fs->level != MQTT_LEVEL_5))
        return OT_PARSE_NOT_MINE;
    size_t hdr_len = avail - cur_left(c);
    if (rl > cur_left(c) && !ctx->pdu_truncated)
        return OT_PARSE_TRUNC;
    struct cur body = cur_sub(c, rl < cur_left(c) ? rl : cur_left(c));

    const struct ot_func *f = ot_func_find(mqtt_types, type);
    ot_msg_set_function(out, type, f->name, (enum ot_op)f->op);
    out->dir = ctx->to_server ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
    if (!flags_valid(type, flags))
        out->anomaly = "invalid_fixed_header_flags";

    struct mq m = {out, level, ctx->pdu_truncated};
    uint8_t new_level = 0;
    uint16_t id = 0;
    uint32_t family = 0; /* packet type whose id space the key uses; 0 = no pairing */
    switch (type) {
        case MQTT_CONNECT:
            parse_connect(&body, &m, &new_level);
            out->dir = OT_DIR_REQUEST;
            family = MQTT_CONNECT;
            break;
        case MQTT_CONNACK:
            parse_connack(&body, &m);
            out->dir = OT_DIR_RESPONSE;
            family = MQTT_CONNECT;
            break;
        case MQTT_PUBLISH:
            parse_publish(&body, ctx, &m, flags, hdr_len);
            out->dir = OT_DIR_REQUEST;
            break;
        case MQTT_PUBACK:
        case MQTT_PUBREC:
            /* Answers the PUBLISH (QoS 1 / QoS 2) the other side sent. */
            id = parse_ack(&body, &m);
            out->dir = OT_DIR_RESPONSE;
            out->pair = OT_PAIR_KEYED;
            out->txn_key = id | (uint32_t)MQTT_PUBLISH << MQTT_KEY_FAMILY_SHIFT |
                           (ctx->to_server ? MQTT_KEY_FROM_SERVER : 0);
            break;
        case MQTT_PUBREL:
        case MQTT_PUBCOMP:
            /* QoS 2, second half: PUBREL from the publisher, PUBCOMP back. */
            id = parse_ack(&body, &m);
            out->dir = type == MQTT_PUBREL ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
            out->pair = OT_PAIR_KEYED;
            out->txn_key = id | (uint32_t)MQTT_PUBREL << MQTT_KEY_FAMILY_SHIFT |
                           ((type == MQTT_PUBREL) != ctx->to_server ? MQTT_KEY_FROM_SERVER : 0);
            break;
        case MQTT_SUBSCRIBE:
        case MQTT_UNSUBSCRIBE:
            id = parse_subscribe(&body, &m, type == MQTT_UNSUBSCRIBE);
            out->dir = OT_DIR_REQUEST;
            family = type;
            break;
        case MQTT_SUBACK:
        case MQTT_UNSUBACK:
            id = parse_suback(&body, &m, type == MQTT_UNSUBACK);
            out->dir = OT_DIR_RESPONSE;
            family = type - 1;
            break;
        case MQTT_PINGREQ:
        case MQTT_PINGRESP:
            out->dir = type == MQTT_PINGREQ ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
            family = MQTT_PINGREQ;
            break;
        default: /* DISCONNECT, AUTH */ parse_reason_only(&body, &m); break;
    }
    if (family) {
        out->pair = OT_PAIR_KEYED;
        out->txn_key = id | family << MQTT_KEY_FAMILY_SHIFT;
    }
    if (!cur_ok(&body)) {
        if (body.err == CUR_TRUNC && ctx->pdu_truncated) {
            ot_kv_bool(&out->detail, "truncated", true);
        } else if (!out->anomaly) {
            /* The fields overrun the Remaining Length: a lying length. */
            return OT_PARSE_INVALID;
        }
        /* else: an anomaly the record already names (e.g. an excessive
         * property length); what was read before it is reported. */
    }
    if (new_level && fs)
        fs->level = new_level;
    return OT_PARSE_OK;
}

const struct ot_dissector mqtt_dissector = {
    .name = "mqtt",
    .proto = OT_PROTO_MQTT,
    .l4 = IPPROTO_TCP,
    .ports = {MQTT_PORT, 0},
    .ethertype = 0,
    .probe = mqtt_probe,
    .pdu_len = mqtt_pdu_len,
    .parse = mqtt_parse,
    .flow_state_size = sizeof(struct mqtt_flow),
    .flow_summary = NULL,
    .heuristic = true,
};
