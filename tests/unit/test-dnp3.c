/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests of the DNP3 dissector through its public interface:
 * framing, link-only frames, every function class, transport reassembly and
 * its anomalies, CRC errors, truncation at every byte, lying lengths, CROB and
 * analog output values, IIN, group 0 identity, pairing keys and caps. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dissector-check.h"
#include "dissectors.h"
#include "unit.h"

extern const struct ot_dissector dnp3_dissector;

#define D dnp3_dissector

static struct ot_msg msg;
static uint8_t state[1 << 15];

/* ---- frame building (an independent, bitwise CRC) ---------------------- */

static uint16_t crc16_dnp(const uint8_t *p, size_t n)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xa6bc) : (uint16_t)(crc >> 1);
    }
    return (uint16_t)~crc;
}

/* Builds a link frame around `user` (n <= 250) into out; returns its length. */
static size_t frame(uint8_t *out, uint8_t ctl, uint16_t dst, uint16_t src, const uint8_t *user,
                    size_t n)
{
    size_t o = 0;
    out[o++] = 0x05;
    out[o++] = 0x64;
    out[o++] = (uint8_t)(5 + n);
    out[o++] = ctl;
    out[o++] = (uint8_t)dst;
    out[o++] = (uint8_t)(dst >> 8);
    out[o++] = (uint8_t)src;
    out[o++] = (uint8_t)(src >> 8);
    uint16_t crc = crc16_dnp(out, 8);
    out[o++] = (uint8_t)crc;
    out[o++] = (uint8_t)(crc >> 8);
    for (size_t off = 0; off < n; off += 16) {
        size_t k = n - off < 16 ? n - off : 16;
        memcpy(out + o, user + off, k);
        crc = crc16_dnp(user + off, k);
        o += k;
        out[o++] = (uint8_t)crc;
        out[o++] = (uint8_t)(crc >> 8);
    }
    return o;
}

#define MASTER 1
#define OUTSTATION 10
#define CTL_REQ 0xc4  /* DIR PRM, unconfirmed user data */
#define CTL_RESP 0x44 /* PRM, unconfirmed user data */

/* A single-segment frame carrying the application fragment `apdu`. */
static size_t app_frame(uint8_t *out, bool request, const uint8_t *apdu, size_t n)
{
    uint8_t user[250];
    user[0] = 0xc0; /* FIR FIN seq 0 */
    memcpy(user + 1, apdu, n);
    return request ? frame(out, CTL_REQ, OUTSTATION, MASTER, user, n + 1)
                   : frame(out, CTL_RESP, MASTER, OUTSTATION, user, n + 1);
}

static enum ot_parse parse_st(const uint8_t *p, size_t n, bool to_server, void *st)
{
    struct ot_ctx ctx = tcp_ctx(20000, to_server, n, n, st);
    return dissect(&D, &ctx, p, n, &msg);
}

/* Parses with a fresh flow state. */
static enum ot_parse parse1(const uint8_t *p, size_t n, bool to_server)
{
    memset(state, 0, D.flow_state_size);
    return parse_st(p, n, to_server, state);
}

static enum ot_parse parse_apdu(bool request, const uint8_t *apdu, size_t n)
{
    uint8_t f[300];
    size_t len = app_frame(f, request, apdu, n);
    return parse1(f, len, request);
}

/* ---- captures ------------------------------------------------------------ */

/* select_operate_and_responses.pcap frame 4: SELECT g12v1 index 0 LATCH_ON. */
static const uint8_t cap_select[] = {
    0x05, 0x64, 0x1a, 0xc4, 0x0a, 0x00, 0x01, 0x00, 0x8a, 0x1c, 0xc0, 0xc0,
    0x03, 0x0c, 0x01, 0x28, 0x01, 0x00, 0x00, 0x00, 0x03, 0x01, 0x64, 0x00,
    0x00, 0x00, 0xfd, 0x6b, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x5b,
};

static int test_crc_capture(void)
{
    /* the header and block CRCs of a real frame */
    FAIL_IF_NOT(crc16_dnp(cap_select, 8) == (cap_select[8] | cap_select[9] << 8));
    FAIL_IF_NOT(D.pdu_len(cap_select, sizeof(cap_select)) == sizeof(cap_select));
    FAIL_IF_NOT(parse1(cap_select, sizeof(cap_select), true) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.anomaly == NULL);
    FAIL_IF_NOT(msg.has_function && msg.function_code == 3);
    FAIL_IF_NOT(strcmp(msg.function, "SELECT") == 0);
    FAIL_IF_NOT(msg.op_class == OT_OP_CONTROL);
    FAIL_IF_NOT(msg.dir == OT_DIR_REQUEST);
    FAIL_IF_NOT(msg.has_unit && msg.unit == 10);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED);
    FAIL_IF_NOT(msg.txn_key == ((1u ^ 10u) << 4 | 0));
    FAIL_IF_NOT(has_range(&msg, "binary_output", 12, 0, 1));
    FAIL_IF_NOT(has_value(&msg, 12, 0, 3));
    FAIL_IF_NOT(kv_any_str(&msg, "LATCH_ON"));
    PASS;
}

static int test_pdu_len(void)
{
    uint8_t f[300] = {0}, user[250];
    memset(user, 0xc0, sizeof(user));
    FAIL_IF_NOT(D.pdu_len(f, 0) == 0);
    size_t n = frame(f, 0x49, 1, 100, user, 0);
    FAIL_IF_NOT(n == 10 && D.pdu_len(f, n) == 10);
    FAIL_IF_NOT(D.pdu_len(f, 1) == 0 && D.pdu_len(f, 2) == 0 && D.pdu_len(f, 9) == 0);
    n = frame(f, CTL_REQ, 1, 2, user, 1);
    FAIL_IF_NOT(n == 13 && D.pdu_len(f, n) == 13);
    n = frame(f, CTL_REQ, 1, 2, user, 16);
    FAIL_IF_NOT(n == 28 && D.pdu_len(f, n) == 28);
    n = frame(f, CTL_REQ, 1, 2, user, 17);
    FAIL_IF_NOT(n == 31 && D.pdu_len(f, n) == 31);
    n = frame(f, CTL_REQ, 1, 2, user, 250);
    FAIL_IF_NOT(n == 292 && D.pdu_len(f, n) == 292);
    /* the length is known from the header alone: more bytes may follow */
    FAIL_IF_NOT(D.pdu_len(f, 10) == 292);
    /* wrong start octets, LEN < 5 */
    static const uint8_t bad1[] = {0x06, 0x64, 0x05};
    static const uint8_t bad2[] = {0x05, 0x65, 0x05};
    static const uint8_t bad3[] = {0x05, 0x64, 0x04, 0xc4, 0, 0, 0, 0, 0, 0};
    FAIL_IF_NOT(D.pdu_len(bad1, 1) == OT_PDU_NOT_MINE);
    FAIL_IF_NOT(D.pdu_len(bad2, 3) == OT_PDU_NOT_MINE);
    FAIL_IF_NOT(D.pdu_len(bad3, 3) == OT_PDU_NOT_MINE);
    /* a header with a bad CRC is framed alone, so the stream resynchronises */
    n = frame(f, CTL_REQ, 1, 2, user, 250);
    f[8] ^= 1;
    FAIL_IF_NOT(D.pdu_len(f, n) == 10);
    PASS;
}

static int test_probe(void)
{
    static const uint8_t http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03};
    static const uint8_t start[] = {0x05, 0x64};
    FAIL_IF_NOT(D.probe(cap_select, sizeof(cap_select), true) == OT_PROBE_YES);
    FAIL_IF_NOT(D.probe(cap_select, 10, true) == OT_PROBE_YES);
    FAIL_IF_NOT(D.probe(http, sizeof(http) - 1, true) == OT_PROBE_NO);
    FAIL_IF_NOT(D.probe(tls, sizeof(tls), true) == OT_PROBE_NO);
    FAIL_IF_NOT(D.probe(start, 2, true) == OT_PROBE_NEED_MORE);
    FAIL_IF_NOT(D.probe(start, 0, true) == OT_PROBE_NEED_MORE);
    uint8_t f[sizeof(cap_select)];
    memcpy(f, cap_select, sizeof(f));
    f[9] ^= 0x80; /* header CRC */
    FAIL_IF_NOT(D.probe(f, sizeof(f), true) == OT_PROBE_NO);
    FAIL_IF_NOT(D.l4 == OT_L4_BOTH && D.ports[0] == 20000 && D.heuristic);
    PASS;
}

static int test_function_classes(void)
{
    static const struct {
        uint8_t fc;
        const char *name;
        enum ot_op op;
        enum ot_pair pair;
    } t[] = {
        {0, "CONFIRM", OT_OP_OTHER, OT_PAIR_NONE},
        {1, "READ", OT_OP_READ, OT_PAIR_KEYED},
        {2, "WRITE", OT_OP_WRITE, OT_PAIR_KEYED},
        {3, "SELECT", OT_OP_CONTROL, OT_PAIR_KEYED},
        {4, "OPERATE", OT_OP_CONTROL, OT_PAIR_KEYED},
        {5, "DIRECT_OPERATE", OT_OP_CONTROL, OT_PAIR_KEYED},
        {6, "DIRECT_OPERATE_NR", OT_OP_CONTROL, OT_PAIR_NONE},
        {7, "IMMED_FREEZE", OT_OP_CONTROL, OT_PAIR_KEYED},
        {8, "IMMED_FREEZE_NR", OT_OP_CONTROL, OT_PAIR_NONE},
        {9, "FREEZE_CLEAR", OT_OP_CONTROL, OT_PAIR_KEYED},
        {10, "FREEZE_CLEAR_NR", OT_OP_CONTROL, OT_PAIR_NONE},
        {11, "FREEZE_AT_TIME", OT_OP_CONTROL, OT_PAIR_KEYED},
        {12, "FREEZE_AT_TIME_NR", OT_OP_CONTROL, OT_PAIR_NONE},
        {13, "COLD_RESTART", OT_OP_CONTROL, OT_PAIR_KEYED},
        {14, "WARM_RESTART", OT_OP_CONTROL, OT_PAIR_KEYED},
        {15, "INITIALIZE_DATA", OT_OP_CONTROL, OT_PAIR_KEYED},
        {16, "INITIALIZE_APPL", OT_OP_CONTROL, OT_PAIR_KEYED},
        {17, "START_APPL", OT_OP_CONTROL, OT_PAIR_KEYED},
        {18, "STOP_APPL", OT_OP_CONTROL, OT_PAIR_KEYED},
        {19, "SAVE_CONFIG", OT_OP_PROGRAM, OT_PAIR_KEYED},
        {20, "ENABLE_UNSOLICITED", OT_OP_CONTROL, OT_PAIR_KEYED},
        {21, "DISABLE_UNSOLICITED", OT_OP_CONTROL, OT_PAIR_KEYED},
        {22, "ASSIGN_CLASS", OT_OP_WRITE, OT_PAIR_KEYED},
        {23, "DELAY_MEASURE", OT_OP_TIME_SYNC, OT_PAIR_KEYED},
        {24, "RECORD_CURRENT_TIME", OT_OP_TIME_SYNC, OT_PAIR_KEYED},
        {25, "OPEN_FILE", OT_OP_FILE, OT_PAIR_KEYED},
        {26, "CLOSE_FILE", OT_OP_FILE, OT_PAIR_KEYED},
        {27, "DELETE_FILE", OT_OP_FILE, OT_PAIR_KEYED},
        {28, "GET_FILE_INFO", OT_OP_FILE, OT_PAIR_KEYED},
        {29, "AUTHENTICATE_FILE", OT_OP_FILE, OT_PAIR_KEYED},
        {30, "ABORT_FILE", OT_OP_FILE, OT_PAIR_KEYED},
        {31, "ACTIVATE_CONFIG", OT_OP_PROGRAM, OT_PAIR_KEYED},
        {32, "AUTHENTICATION_REQUEST", OT_OP_AUTH, OT_PAIR_KEYED},
        {33, "AUTHENTICATION_REQUEST_NR", OT_OP_AUTH, OT_PAIR_NONE},
        {129, "RESPONSE", OT_OP_OTHER, OT_PAIR_KEYED},
        {130, "UNSOLICITED_RESPONSE", OT_OP_OTHER, OT_PAIR_NONE},
        {131, "AUTHENTICATION_RESPONSE", OT_OP_AUTH, OT_PAIR_KEYED},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        bool request = t[i].fc < 128;
        uint8_t apdu[4] = {0xc5, t[i].fc, 0x00, 0x00};
        FAIL_IF_NOT(parse_apdu(request, apdu, request ? 2 : 4) == OT_PARSE_OK);
        FAIL_IF_NOT(msg.has_function && msg.function_code == t[i].fc);
        FAIL_IF_NOT(msg.function && strcmp(msg.function, t[i].name) == 0);
        FAIL_IF_NOT(msg.op_class == t[i].op);
        FAIL_IF_NOT(msg.pair == t[i].pair);
        FAIL_IF_NOT(msg.dir == (request ? OT_DIR_REQUEST : OT_DIR_RESPONSE));
        FAIL_IF_NOT(msg.unit == OUTSTATION);
        FAIL_IF_NOT(msg.txn_key == ((MASTER ^ OUTSTATION) << 4 | 5));
        FAIL_IF_NOT(msg.anomaly == NULL);
    }
    /* a reserved code is still a record, named NULL, with an anomaly */
    uint8_t apdu[2] = {0xc0, 0x50};
    FAIL_IF_NOT(parse_apdu(true, apdu, 2) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 0x50 && msg.function == NULL);
    FAIL_IF_NOT(anomaly_is(&msg, "reserved_function_code"));
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED); /* the outstation still answers it */
    uint8_t rsv[4] = {0xc0, 0x90, 0, 0};
    FAIL_IF_NOT(parse_apdu(false, rsv, 4) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "reserved_function_code") && msg.pair == OT_PAIR_NONE);
    PASS;
}

static int test_link_only(void)
{
    static const struct {
        uint8_t ctl;
        const char *name;
        enum ot_op op;
        enum ot_dir dir;
    } t[] = {
        {0xc0, "RESET_LINK_STATES", OT_OP_OTHER, OT_DIR_REQUEST},
        {0xd2, "TEST_LINK_STATES", OT_OP_DIAGNOSTIC, OT_DIR_REQUEST},
        {0xc9, "REQUEST_LINK_STATUS", OT_OP_DIAGNOSTIC, OT_DIR_REQUEST},
        {0x49, "REQUEST_LINK_STATUS", OT_OP_DIAGNOSTIC, OT_DIR_RESPONSE},
        {0x00, "ACK", OT_OP_OTHER, OT_DIR_RESPONSE},
        {0x01, "NACK", OT_OP_OTHER, OT_DIR_RESPONSE},
        {0x0b, "LINK_STATUS", OT_OP_DIAGNOSTIC, OT_DIR_RESPONSE},
        {0x8b, "LINK_STATUS", OT_OP_DIAGNOSTIC, OT_DIR_REQUEST},
        {0x0f, "NOT_SUPPORTED", OT_OP_OTHER, OT_DIR_RESPONSE},
    };
    uint8_t f[300];
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        bool dir = t[i].ctl & 0x80;
        size_t n = dir ? frame(f, t[i].ctl, OUTSTATION, MASTER, NULL, 0)
                       : frame(f, t[i].ctl, MASTER, OUTSTATION, NULL, 0);
        FAIL_IF_NOT(parse1(f, n, dir) == OT_PARSE_OK);
        /* link-only codes: 0x100 + 0x10 for primary frames + the link function */
        uint32_t code = 0x100u + ((t[i].ctl & 0x40) ? 0x10u : 0) + (t[i].ctl & 0x0fu);
        FAIL_IF_NOT(msg.has_function && msg.function_code == code);
        FAIL_IF_NOT(strcmp(msg.function, t[i].name) == 0);
        FAIL_IF_NOT(msg.op_class == t[i].op);
        FAIL_IF_NOT(msg.dir == t[i].dir);
        FAIL_IF_NOT(msg.pair == OT_PAIR_NONE);
        FAIL_IF_NOT(msg.unit == OUTSTATION);
        FAIL_IF_NOT(msg.anomaly == NULL);
        FAIL_IF_NOT(kv_find(&msg, "link") != NULL);
        FAIL_IF_NOT(kv_str(&msg, "function", t[i].name));
    }
    /* unknown link function; user data where none belongs; none where it must be */
    size_t n = frame(f, 0xc5, OUTSTATION, MASTER, NULL, 0);
    FAIL_IF_NOT(parse1(f, n, true) == OT_PARSE_OK && anomaly_is(&msg, "unknown_link_function"));
    FAIL_IF_NOT(msg.function == NULL);
    static const uint8_t junk[3] = {1, 2, 3};
    n = frame(f, 0xc9, OUTSTATION, MASTER, junk, 3);
    FAIL_IF_NOT(parse1(f, n, true) == OT_PARSE_OK && anomaly_is(&msg, "unexpected_user_data"));
    n = frame(f, CTL_REQ, OUTSTATION, MASTER, NULL, 0);
    FAIL_IF_NOT(parse1(f, n, true) == OT_PARSE_OK && anomaly_is(&msg, "missing_user_data"));
    /* broadcast destination */
    n = frame(f, 0xc9, 0xffff, MASTER, NULL, 0);
    FAIL_IF_NOT(parse1(f, n, true) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_find(&msg, "broadcast") != NULL);
    PASS;
}

/* Feeds `apdu` split into transport segments of `seg` octets from `seq0`;
 * returns the result of the last one, having checked the others. */
static int feed_segments(const uint8_t *apdu, size_t n, size_t seg, uint8_t seq0, bool request,
                         enum ot_parse *last)
{
    uint8_t f[300], user[250];
    uint8_t seq = seq0;
    for (size_t off = 0; off < n; off += seg) {
        size_t k = n - off < seg ? n - off : seg;
        bool fir = off == 0, fin = off + k >= n;
        user[0] = (uint8_t)((fin ? 0x80 : 0) | (fir ? 0x40 : 0) | (seq & 0x3f));
        memcpy(user + 1, apdu + off, k);
        size_t len = request ? frame(f, CTL_REQ, OUTSTATION, MASTER, user, k + 1)
                             : frame(f, CTL_RESP, MASTER, OUTSTATION, user, k + 1);
        enum ot_parse r = parse_st(f, len, request, state);
        if (!fin && r != OT_PARSE_NONE)
            return 1;
        if (fin)
            *last = r;
        seq = (uint8_t)((seq + 1) & 0x3f);
    }
    return 0;
}

/* A response of g30v1 (32-bit analog inputs with flag) 0..count-1. */
static size_t big_response(uint8_t *apdu, unsigned count)
{
    size_t o = 0;
    apdu[o++] = 0xc3;
    apdu[o++] = 129;
    apdu[o++] = 0x00;
    apdu[o++] = 0x00;
    apdu[o++] = 30;
    apdu[o++] = 1;
    apdu[o++] = 0x01; /* 2-octet start/stop */
    apdu[o++] = 0;
    apdu[o++] = 0;
    apdu[o++] = (uint8_t)(count - 1);
    apdu[o++] = (uint8_t)((count - 1) >> 8);
    for (unsigned i = 0; i < count; i++) {
        apdu[o++] = 0x01;
        apdu[o++] = (uint8_t)i;
        apdu[o++] = 0;
        apdu[o++] = 0;
        apdu[o++] = 0;
    }
    return o;
}

static int test_multi_fragment(void)
{
    uint8_t apdu[2048];
    size_t n = big_response(apdu, 300); /* 1511 octets: 7 segments of 249 */
    enum ot_parse r = OT_PARSE_INVALID;
    memset(state, 0, D.flow_state_size);
    FAIL_IF(feed_segments(apdu, n, 249, 60, false, &r)); /* the sequence wraps 63 -> 0 */
    FAIL_IF_NOT(r == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 129 && msg.anomaly == NULL);
    FAIL_IF_NOT(has_range(&msg, "analog_input", 30, 0, 300));
    const struct ot_kv *kv = kv_find(&msg, "segments");
    FAIL_IF_NOT(kv && kv->v.u == 7);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.txn_key == ((MASTER ^ OUTSTATION) << 4 | 3));
    /* the same again in small segments, as the second fragment of the flow */
    FAIL_IF(feed_segments(apdu, n, 16, 5, false, &r));
    FAIL_IF_NOT(r == OT_PARSE_OK && msg.anomaly == NULL &&
                has_range(&msg, "analog_input", 30, 0, 300));
    /* without flow state a multi-segment fragment cannot be rebuilt */
    uint8_t f[300], user[250];
    user[0] = 0x40;
    memcpy(user + 1, apdu, 100);
    size_t len = frame(f, CTL_RESP, MASTER, OUTSTATION, user, 101);
    FAIL_IF_NOT(parse_st(f, len, false, NULL) == OT_PARSE_NONE);
    PASS;
}

static int test_transport_anomalies(void)
{
    uint8_t apdu[2048], f[300], user[250];
    size_t n = big_response(apdu, 100);
    memset(state, 0, D.flow_state_size);

    /* a middle segment before any first one (capture started mid-fragment) */
    user[0] = 0x05;
    memcpy(user + 1, apdu, 50);
    size_t len = frame(f, CTL_RESP, MASTER, OUTSTATION, user, 51);
    FAIL_IF_NOT(parse_st(f, len, false, state) == OT_PARSE_NONE);

    /* FIR seq 10, then seq 12: out of sequence, the fragment is dropped */
    user[0] = 0x40 | 10;
    len = frame(f, CTL_RESP, MASTER, OUTSTATION, user, 51);
    FAIL_IF_NOT(parse_st(f, len, false, state) == OT_PARSE_NONE);
    user[0] = 0x80 | 12;
    len = frame(f, CTL_RESP, MASTER, OUTSTATION, user, 51);
    FAIL_IF_NOT(parse_st(f, len, false, state) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "transport_out_of_sequence"));
    FAIL_IF_NOT(strcmp(msg.function, "UNCONFIRMED_USER_DATA") == 0);
    FAIL_IF_NOT(msg.function_code == 0x114 && kv_find(&msg, "application") == NULL);
    /* after a first segment was seen, an orphan is out of sequence too */
    FAIL_IF_NOT(parse_st(f, len, false, state) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "transport_out_of_sequence"));

    /* a repeated segment is dropped silently; the next one completes */
    memset(state, 0, D.flow_state_size);
    user[0] = 0x40 | 20;
    memcpy(user + 1, apdu, 200);
    len = frame(f, CTL_RESP, MASTER, OUTSTATION, user, 201);
    FAIL_IF_NOT(parse_st(f, len, false, state) == OT_PARSE_NONE);
    user[0] = 21;
    memcpy(user + 1, apdu + 200, 200);
    len = frame(f, CTL_RESP, MASTER, OUTSTATION, user, 201);
    FAIL_IF_NOT(parse_st(f, len, false, state) == OT_PARSE_NONE);
    FAIL_IF_NOT(parse_st(f, len, false, state) == OT_PARSE_NONE);
    user[0] = 0x80 | 22;
    memcpy(user + 1, apdu + 400, n - 400);
    len = frame(f, CTL_RESP, MASTER, OUTSTATION, user, n - 400 + 1);
    FAIL_IF_NOT(parse_st(f, len, false, state) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.anomaly == NULL && has_range(&msg, "analog_input", 30, 0, 100));

    /* the other direction has its own reassembler */
    memset(state, 0, D.flow_state_size);
    user[0] = 0x40 | 1;
    memcpy(user + 1, apdu, 200);
    len = frame(f, CTL_RESP, MASTER, OUTSTATION, user, 201);
    FAIL_IF_NOT(parse_st(f, len, false, state) == OT_PARSE_NONE);
    uint8_t req[] = {0xc3, 0x01, 60, 2, 0x06};
    len = app_frame(f, true, req, sizeof(req));
    FAIL_IF_NOT(parse_st(f, len, true, state) == OT_PARSE_OK && msg.anomaly == NULL);
    FAIL_IF_NOT(msg.function_code == 1 && has_range(&msg, "class", 60, 1, 1));

    /* a new first segment while one is in progress: restart, flagged */
    user[0] = 0xc0 | 2;
    uint8_t small[] = {0xc4, 129, 0, 0};
    memcpy(user + 1, small, sizeof(small));
    len = frame(f, CTL_RESP, MASTER, OUTSTATION, user, sizeof(small) + 1);
    FAIL_IF_NOT(parse_st(f, len, false, state) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 129 && anomaly_is(&msg, "transport_restart"));

    /* segments from other link addresses do not continue the fragment */
    user[0] = 0x40 | 30;
    memcpy(user + 1, apdu, 200);
    len = frame(f, CTL_RESP, MASTER, OUTSTATION, user, 201);
    FAIL_IF_NOT(parse_st(f, len, false, state) == OT_PARSE_NONE);
    user[0] = 0x80 | 31;
    len = frame(f, CTL_RESP, MASTER, OUTSTATION + 1, user, 201);
    FAIL_IF_NOT(parse_st(f, len, false, state) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "transport_out_of_sequence"));
    PASS;
}

static int test_apdu_overflow(void)
{
    uint8_t apdu[4096];
    size_t n = big_response(apdu, 600); /* 3011 octets > 2048 */
    uint8_t f[300], user[250];
    memset(state, 0, D.flow_state_size);
    uint8_t seq = 0;
    enum ot_parse r = OT_PARSE_NONE;
    size_t off;
    for (off = 0; off < n && r == OT_PARSE_NONE; off += 249) {
        size_t k = n - off < 249 ? n - off : 249;
        user[0] = (uint8_t)((off == 0 ? 0x40 : 0) | (off + k >= n ? 0x80 : 0) | seq++);
        memcpy(user + 1, apdu + off, k);
        size_t len = frame(f, CTL_RESP, MASTER, OUTSTATION, user, k + 1);
        r = parse_st(f, len, false, state);
    }
    FAIL_IF_NOT(r == OT_PARSE_OK && anomaly_is(&msg, "apdu_overflow"));
    FAIL_IF_NOT(off > 2048 && off <= 2048 + 249);
    /* the rest of the dropped fragment goes quietly, up to its last segment */
    user[0] = seq++;
    size_t len = frame(f, CTL_RESP, MASTER, OUTSTATION, user, 100);
    FAIL_IF_NOT(parse_st(f, len, false, state) == OT_PARSE_NONE);
    user[0] = (uint8_t)(0x80 | seq++);
    len = frame(f, CTL_RESP, MASTER, OUTSTATION, user, 100);
    FAIL_IF_NOT(parse_st(f, len, false, state) == OT_PARSE_NONE);
    /* after it, a segment without FIR is out of sequence again */
    user[0] = (uint8_t)(0x80 | seq++);
    len = frame(f, CTL_RESP, MASTER, OUTSTATION, user, 100);
    FAIL_IF_NOT(parse_st(f, len, false, state) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "transport_out_of_sequence"));
    /* and a new fragment is rebuilt as usual */
    uint8_t small[] = {0xc4, 129, 0, 0};
    user[0] = (uint8_t)(0xc0 | seq++);
    memcpy(user + 1, small, sizeof(small));
    len = frame(f, CTL_RESP, MASTER, OUTSTATION, user, sizeof(small) + 1);
    FAIL_IF_NOT(parse_st(f, len, false, state) == OT_PARSE_OK && msg.anomaly == NULL);
    PASS;
}

static int test_bad_crc(void)
{
    uint8_t f[sizeof(cap_select)];
    memcpy(f, cap_select, sizeof(f));
    f[8] ^= 0x01;
    FAIL_IF_NOT(parse1(f, sizeof(f), true) == OT_PARSE_INVALID);
    FAIL_IF_NOT(anomaly_is(&msg, "bad_header_crc"));
    FAIL_IF_NOT(parse1(f, 10, true) == OT_PARSE_INVALID);
    /* a data block CRC: still parsed, flagged */
    memcpy(f, cap_select, sizeof(f));
    f[27] ^= 0x01;
    FAIL_IF_NOT(parse1(f, sizeof(f), true) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "bad_data_crc"));
    FAIL_IF_NOT(msg.function_code == 3);
    /* a corrupted data octet, last block */
    memcpy(f, cap_select, sizeof(f));
    f[31] ^= 0x10;
    FAIL_IF_NOT(parse1(f, sizeof(f), true) == OT_PARSE_OK && anomaly_is(&msg, "bad_data_crc"));
    /* LEN < 5 with a valid CRC over it */
    uint8_t h[10] = {0x05, 0x64, 0x04, 0xc4, 1, 0, 2, 0};
    uint16_t crc = crc16_dnp(h, 8);
    h[8] = (uint8_t)crc;
    h[9] = (uint8_t)(crc >> 8);
    FAIL_IF_NOT(parse1(h, 10, true) == OT_PARSE_INVALID && anomaly_is(&msg, "bad_length"));
    /* not DNP3 at all */
    static const uint8_t http[] = "GET / HTTP/1.1\r\n";
    FAIL_IF_NOT(parse1(http, sizeof(http) - 1, true) == OT_PARSE_NOT_MINE);
    PASS;
}

/* A request or a response with a fresh flow state. */
static enum ot_parse fresh_req(const uint8_t *p, size_t n)
{
    return parse1(p, n, true);
}

static enum ot_parse fresh_rsp(const uint8_t *p, size_t n)
{
    return parse1(p, n, false);
}

/* Every prefix of a frame is TRUNC (or INVALID), never a crash or an emit. */
static int check_prefixes(const uint8_t *f, size_t n)
{
    FAIL_IF_NOT(each_prefix(fresh_req, f, n, refused, &msg));
    FAIL_IF_NOT(each_prefix(fresh_rsp, f, n, refused, &msg));
    for (size_t cut = 0; cut < n; cut++) {
        size_t l = D.pdu_len(f, cut);
        FAIL_IF_NOT(l == 0 || l == n);
    }
    return 0;
}

static int test_truncation(void)
{
    uint8_t f[300], apdu[250];
    FAIL_IF(check_prefixes(cap_select, sizeof(cap_select)));
    size_t n = big_response(apdu, 40);
    size_t len = app_frame(f, false, apdu, n);
    FAIL_IF(check_prefixes(f, len));
    len = frame(f, 0x0b, MASTER, OUTSTATION, NULL, 0);
    FAIL_IF(check_prefixes(f, len));
    /* zero-length input */
    FAIL_IF_NOT(parse1(f, 0, true) == OT_PARSE_TRUNC);
    FAIL_IF_NOT(D.pdu_len(f, 0) == 0);
    FAIL_IF_NOT(D.probe(f, 0, true) == OT_PROBE_NEED_MORE);
    /* an application fragment cut inside its objects, in a whole frame: the
     * record is kept, flagged */
    for (size_t cut = 3; cut < n; cut++) {
        len = app_frame(f, false, apdu, cut);
        enum ot_parse r = parse1(f, len, false);
        FAIL_IF_NOT(r == OT_PARSE_OK);
        FAIL_IF_NOT(msg.function_code == 129);
        if (cut < 4)
            FAIL_IF_NOT(anomaly_is(&msg, "iin_missing"));
        else if (cut > 4 && cut < n)
            FAIL_IF_NOT(msg.anomaly != NULL);
    }
    /* a fragment of one octet */
    len = app_frame(f, true, apdu, 1);
    FAIL_IF_NOT(parse1(f, len, true) == OT_PARSE_OK && anomaly_is(&msg, "apdu_too_short"));
    PASS;
}

static int test_lying_lengths(void)
{
    uint8_t f[300];
    /* LEN claims 255 octets, 40 are there */
    uint8_t g[sizeof(cap_select)];
    memcpy(g, cap_select, sizeof(g));
    g[2] = 0xff;
    uint16_t crc = crc16_dnp(g, 8);
    g[8] = (uint8_t)crc;
    g[9] = (uint8_t)(crc >> 8);
    FAIL_IF_NOT(D.pdu_len(g, sizeof(g)) == 292);
    FAIL_IF_NOT(parse1(g, sizeof(g), true) == OT_PARSE_TRUNC);
    /* more octets than LEN: the frame is what LEN says */
    memcpy(f, cap_select, sizeof(cap_select));
    memset(f + sizeof(cap_select), 0xee, 20);
    FAIL_IF_NOT(parse1(f, sizeof(cap_select) + 20, true) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 3 && msg.anomaly == NULL);
    /* object counts that lie: 65535 CROBs in one frame, 4-byte ranges */
    static const uint8_t crob_lie[] = {0xc0, 5, 12, 1, 0x28, 0xff, 0xff, 1, 0, 0x41, 1};
    FAIL_IF_NOT(parse_apdu(true, crob_lie, sizeof(crob_lie)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "object_truncated"));
    FAIL_IF_NOT(kv_find(&msg, "unparsed") != NULL);
    static const uint8_t range_lie[] = {0xc0, 129, 0,    0,    30,   1,    0x02, 0, 0,
                                        0,    0,   0xff, 0xff, 0xff, 0xff, 1,    2, 3};
    FAIL_IF_NOT(parse_apdu(false, range_lie, sizeof(range_lie)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "object_truncated"));
    static const uint8_t read_lie[] = {0xc0, 1, 30, 1, 0x39, 0xff, 0xff, 0xff, 0xff, 1, 0};
    FAIL_IF_NOT(parse_apdu(true, read_lie, sizeof(read_lie)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "object_truncated"));
    /* stop < start */
    static const uint8_t bad_range[] = {0xc0, 1, 1, 2, 0x00, 9, 3};
    FAIL_IF_NOT(parse_apdu(true, bad_range, sizeof(bad_range)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "bad_range"));
    /* reserved qualifier bit, reserved range code, size prefix in a READ */
    static const uint8_t q1[] = {0xc0, 1, 1, 2, 0x80, 0, 3};
    static const uint8_t q2[] = {0xc0, 1, 1, 2, 0x0c};
    static const uint8_t q3[] = {0xc0, 1, 1, 2, 0x47, 1, 0};
    FAIL_IF_NOT(parse_apdu(true, q1, sizeof(q1)) == OT_PARSE_OK &&
                anomaly_is(&msg, "bad_qualifier"));
    FAIL_IF_NOT(parse_apdu(true, q2, sizeof(q2)) == OT_PARSE_OK &&
                anomaly_is(&msg, "bad_qualifier"));
    FAIL_IF_NOT(parse_apdu(true, q3, sizeof(q3)) == OT_PARSE_OK &&
                anomaly_is(&msg, "bad_qualifier"));
    /* an object header cut short */
    static const uint8_t hdr_cut[] = {0xc0, 1, 60, 2};
    FAIL_IF_NOT(parse_apdu(true, hdr_cut, sizeof(hdr_cut)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "object_header_truncated"));
    PASS;
}

static int test_crob_values(void)
{
    /* DIRECT_OPERATE, g12v1, 2-octet count, 2-octet indexes 3 and 7 */
    static const uint8_t apdu[] = {
        0xc1, 5, 12,   1,    0x28, 2, 0, 3, 0,   0x41, 1, 0xe8, 0x03,
        0,    0, 0xd0, 0x07, 0,    0, 0,                           /* PULSE_ON CLOSE */
        7,    0, 0x81, 2,    100,  0, 0, 0, 100, 0,    0, 0,    0, /* PULSE_ON TRIP */
    };
    FAIL_IF_NOT(parse_apdu(true, apdu, sizeof(apdu)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 5 && msg.op_class == OT_OP_CONTROL);
    FAIL_IF_NOT(msg.anomaly == NULL);
    FAIL_IF_NOT(msg.n_values == 2);
    FAIL_IF_NOT(has_value(&msg, 12, 3, 0x41) && has_value(&msg, 12, 7, 0x81));
    FAIL_IF(msg.has_exception); /* a request's status octets mean nothing yet */
    FAIL_IF_NOT(has_range(&msg, "binary_output", 12, 3, 1) &&
                has_range(&msg, "binary_output", 12, 7, 1));
    FAIL_IF_NOT(kv_any_str(&msg, "PULSE_ON") && kv_any_str(&msg, "CLOSE") &&
                kv_any_str(&msg, "TRIP"));
    const struct ot_kv *kv = kv_find(&msg, "on_time");
    FAIL_IF_NOT(kv && kv->v.u == 1000);
    kv = kv_find(&msg, "off_time");
    FAIL_IF_NOT(kv && kv->v.u == 2000);
    kv = kv_find_nth(&msg, "count", 1); /* the first "count" is the header's */
    FAIL_IF_NOT(kv && kv->v.u == 1);
    /* LATCH_OFF with clear; g12 in a response: status, no values */
    static const uint8_t resp[] = {
        0xc1, 129, 0, 0, 12, 1, 0x17, 1, 9, 0x24, 1, 0, 0, 0, 0, 0, 0, 0, 0, 4,
    };
    FAIL_IF_NOT(parse_apdu(false, resp, sizeof(resp)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.n_values == 0 && has_range(&msg, "binary_output", 12, 9, 1));
    FAIL_IF_NOT(kv_any_str(&msg, "LATCH_OFF") && kv_any_str(&msg, "NOT_SUPPORTED"));
    FAIL_IF_NOT(kv_find(&msg, "clear") != NULL);
    /* the outstation refused the control: the record says so at its top */
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 0x100 + 4);
    FAIL_IF_NOT(msg.exception && strcmp(msg.exception, "NOT_SUPPORTED") == 0);
    /* SELECT of a pattern mask g12v3 after a PCB g12v2 */
    static const uint8_t pcb[] = {
        0xc2, 3, 12, 2, 0x07, 1, 0x03, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 3, 0x00, 0, 9, 0xff, 0x03,
    };
    FAIL_IF_NOT(parse_apdu(true, pcb, sizeof(pcb)) == OT_PARSE_OK && msg.anomaly == NULL);
    FAIL_IF_NOT(has_range(&msg, "binary_output", 12, 0, 10));
    PASS;
}

static int test_analog_output_values(void)
{
    uint8_t apdu[64];
    size_t o = 0;
    apdu[o++] = 0xc2;
    apdu[o++] = 4; /* OPERATE */
    /* g41v1 int32 -5 at index 1 (1-octet count, 1-octet index) */
    const uint8_t v1[] = {41, 1, 0x17, 1, 1, 0xfb, 0xff, 0xff, 0xff, 0};
    memcpy(apdu + o, v1, sizeof(v1));
    o += sizeof(v1);
    /* g41v2 int16 1234 at index 2 */
    const uint8_t v2[] = {41, 2, 0x17, 1, 2, 0xd2, 0x04, 0};
    memcpy(apdu + o, v2, sizeof(v2));
    o += sizeof(v2);
    /* g41v3 float 12.5 at index 3 */
    const uint8_t v3[] = {41, 3, 0x28, 1, 0, 3, 0, 0x00, 0x00, 0x48, 0x41, 0};
    memcpy(apdu + o, v3, sizeof(v3));
    o += sizeof(v3);
    /* g41v4 double -0.25 at index 4 */
    const uint8_t v4[] = {41, 4, 0x17, 1, 4, 0, 0, 0, 0, 0, 0, 0xd0, 0xbf, 0};
    memcpy(apdu + o, v4, sizeof(v4));
    o += sizeof(v4);
    FAIL_IF_NOT(parse_apdu(true, apdu, o) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 4 && msg.anomaly == NULL);
    FAIL_IF_NOT(msg.n_values == 4);
    FAIL_IF_NOT(has_value(&msg, 41, 1, -5) && has_value(&msg, 41, 2, 1234));
    FAIL_IF_NOT(has_value(&msg, 41, 3, 12.5) && has_value(&msg, 41, 4, -0.25));
    FAIL_IF_NOT(has_range(&msg, "analog_output", 41, 1, 4));
    PASS;
}

static int test_iin(void)
{
    static const uint8_t apdu[] = {0xc0, 129, 0x90, 0x00};
    FAIL_IF_NOT(parse_apdu(false, apdu, sizeof(apdu)) == OT_PARSE_OK);
    const struct ot_kv *kv = kv_find(&msg, "iin");
    FAIL_IF_NOT(kv && kv->v.u == 0x9000);
    FAIL_IF_NOT(kv_any_str(&msg, "device_restart") && kv_any_str(&msg, "need_time"));
    FAIL_IF(kv_any_str(&msg, "class_1_events"));
    FAIL_IF(msg.has_exception);
    static const uint8_t err[] = {0xc0, 129, 0x02, 0x02};
    FAIL_IF_NOT(parse_apdu(false, err, sizeof(err)) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_any_str(&msg, "class_1_events") && kv_any_str(&msg, "object_unknown"));
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 0x02);
    FAIL_IF_NOT(strcmp(msg.exception, "object_unknown") == 0);
    static const uint8_t all[] = {0xc0, 130, 0xff, 0xff};
    FAIL_IF_NOT(parse_apdu(false, all, sizeof(all)) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_any_str(&msg, "broadcast") && kv_any_str(&msg, "config_corrupt"));
    FAIL_IF_NOT(kv_any_str(&msg, "reserved_1") && kv_any_str(&msg, "no_func_code_support"));
    PASS;
}

/* Appends a group 0 attribute object (qualifier 0x00, set 0) to apdu. */
static size_t attr(uint8_t *apdu, size_t o, uint8_t var, uint8_t type, const char *s)
{
    size_t n = strlen(s);
    apdu[o++] = 0;
    apdu[o++] = var;
    apdu[o++] = 0x00;
    apdu[o++] = 0;
    apdu[o++] = 0;
    apdu[o++] = type;
    apdu[o++] = (uint8_t)n;
    memcpy(apdu + o, s, n);
    return o + n;
}

static int test_identity(void)
{
    uint8_t apdu[250];
    size_t o = 0;
    apdu[o++] = 0xc7;
    apdu[o++] = 129;
    apdu[o++] = 0;
    apdu[o++] = 0;
    o = attr(apdu, o, 252, 1, "ACME Grid");
    o = attr(apdu, o, 250, 1, "RTU-9000 model B");
    o = attr(apdu, o, 242, 1, "4.2.1");
    o = attr(apdu, o, 248, 1, "SN-0042");
    o = attr(apdu, o, 246, 1, "id-7");
    o = attr(apdu, o, 247, 1, "Feeder 7");
    /* a UINT attribute: max receive fragment size 2048 */
    apdu[o++] = 0;
    apdu[o++] = 241;
    apdu[o++] = 0x00;
    apdu[o++] = 0;
    apdu[o++] = 0;
    apdu[o++] = 2;
    apdu[o++] = 2;
    apdu[o++] = 0x00;
    apdu[o++] = 0x08;
    FAIL_IF_NOT(parse_apdu(false, apdu, o) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.anomaly == NULL);
    FAIL_IF_NOT(msg.identity.present && msg.identity.from_server);
    FAIL_IF_NOT(strcmp(msg.identity.vendor, "ACME Grid") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.product, "RTU-9000 model B") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.firmware, "4.2.1") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.serial, "SN-0042") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.name, "Feeder 7") == 0);
    FAIL_IF_NOT(has_range(&msg, "device_attribute", 0, 252, 1));
    FAIL_IF_NOT(kv_any_str(&msg, "device_manufacturers_name") && kv_any_str(&msg, "VSTR"));
    /* the attribute list in detail stops at the cap; identity does not */
    FAIL_IF_NOT(kv_find(&msg, "object_count")->v.u == 7);
    /* the user-assigned id names the device when nothing better does */
    o = 4;
    o = attr(apdu, o, 246, 1, "id-7");
    FAIL_IF_NOT(parse_apdu(false, apdu, o) == OT_PARSE_OK);
    FAIL_IF_NOT(strcmp(msg.identity.name, "id-7") == 0);
    /* the master writing a name reveals nothing of the outstation */
    uint8_t wr[64];
    o = 0;
    wr[o++] = 0xc0;
    wr[o++] = 2;
    o = attr(wr, o, 247, 1, "Feeder 8");
    FAIL_IF_NOT(parse_apdu(true, wr, o) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 2 && msg.op_class == OT_OP_WRITE);
    FAIL_IF(msg.identity.present);
    FAIL_IF_NOT(has_range(&msg, "device_attribute", 0, 247, 1));
    FAIL_IF_NOT(kv_any_str(&msg, "Feeder 8"));
    /* READ of all attributes */
    static const uint8_t rd[] = {0xc0, 1, 0, 254, 0x06};
    FAIL_IF_NOT(parse_apdu(true, rd, sizeof(rd)) == OT_PARSE_OK && msg.anomaly == NULL);
    FAIL_IF_NOT(has_range(&msg, "device_attribute", 0, 254, 1));
    PASS;
}

static int test_read_ranges(void)
{
    /* class 1,2,3,0 poll */
    static const uint8_t poll[] = {0xc7, 1, 60, 2, 6, 60, 3, 6, 60, 4, 6, 60, 1, 6};
    FAIL_IF_NOT(parse_apdu(true, poll, sizeof(poll)) == OT_PARSE_OK && msg.anomaly == NULL);
    FAIL_IF_NOT(has_range(&msg, "class", 60, 1, 3) && has_range(&msg, "class", 60, 0, 1));
    FAIL_IF_NOT(kv_find(&msg, "object_count")->v.u == 4);
    /* index list (0x17), 2-octet range (0x01), count limit (0x07), all (0x06) */
    static const uint8_t rd[] = {
        0xc1, 1, 30,   1,  0x17, 3,    5,    9, 6, /* analog inputs 5, 9, 6 */
        1,    2, 0x01, 0,  0,    0xff, 0xff,       /* binary inputs 0..65535 */
        2,    0, 0x07, 10,                         /* up to 10 binary input events */
        20,   0, 0x06,                             /* all counters */
        40,   2, 0x28, 2,  0,    7,    0,    8, 0, /* analog outputs 7, 8 */
    };
    FAIL_IF_NOT(parse_apdu(true, rd, sizeof(rd)) == OT_PARSE_OK && msg.anomaly == NULL);
    FAIL_IF_NOT(has_range(&msg, "analog_input", 30, 5, 1) &&
                has_range(&msg, "analog_input", 30, 9, 1));
    FAIL_IF_NOT(has_range(&msg, "binary_input", 1, 0, 65536));
    FAIL_IF_NOT(has_range(&msg, "analog_output", 40, 7, 2));
    FAIL_IF(kv_find(&msg, "unparsed"));
    /* a response: packed bits, double-bit, flags, counters, time, events */
    static const uint8_t resp[] = {
        0xc1, 129, 0,    0,  1, 1,    0x00, 0,    9,   0xff, 0x03, /* 10 packed binary inputs */
        3,    1,   0x00, 0,  4, 0x55, 0x01, /* 5 double-bit inputs, 2 bits each */
        10,   2,   0x00, 2,  3, 0x81, 0x01, /* binary output status 2..3 */
        20,   1,   0x01, 0,  0, 1,    0,    1,    0,   0,    0,    0, 1, 0,
        0,    0,   0,    51, 1, 0x07, 1,    0,    0,   0,    0,    0, 0, /* CTO */
        2,    3,   0x17, 1,  4, 0x81, 0x10, 0x00,      /* binary input event, relative time */
        110,  4,   0x00, 0,  0, 'a',  'b',  'c',  'd', /* octet string of 4 */
        80,   1,   0x00, 7,  7, 0x00,                  /* IIN bit 7 */
    };
    FAIL_IF_NOT(parse_apdu(false, resp, sizeof(resp)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.anomaly == NULL);
    FAIL_IF(kv_find(&msg, "unparsed"));
    FAIL_IF_NOT(has_range(&msg, "binary_input", 1, 0, 10));
    FAIL_IF_NOT(has_range(&msg, "double_bit_input", 3, 0, 5));
    FAIL_IF_NOT(has_range(&msg, "binary_output", 10, 2, 2));
    FAIL_IF_NOT(has_range(&msg, "counter", 20, 0, 2));
    FAIL_IF_NOT(has_range(&msg, "time", 51, 0, 1));
    FAIL_IF_NOT(has_range(&msg, "binary_input", 2, 4, 1));
    FAIL_IF_NOT(has_range(&msg, "octet_string", 110, 0, 1));
    FAIL_IF_NOT(has_range(&msg, "iin", 80, 7, 1));
    FAIL_IF_NOT(kv_find(&msg, "object_count")->v.u == 8);
    PASS;
}

static int test_write_time_and_file(void)
{
    /* WRITE g50v1 time (count 1), then clear IIN1.7 */
    static const uint8_t wr[] = {0xc3, 2, 50, 1,  0x07, 1,    1, 2, 3,
                                 4,    5, 6,  80, 1,    0x00, 7, 7, 0x00};
    FAIL_IF_NOT(parse_apdu(true, wr, sizeof(wr)) == OT_PARSE_OK && msg.anomaly == NULL);
    FAIL_IF_NOT(has_range(&msg, "time", 50, 0, 1) && has_range(&msg, "iin", 80, 7, 1));
    /* OPEN_FILE with a g70v3 free-format object (qualifier 0x5b) */
    static const uint8_t of[] = {0xc4, 25, 70, 3, 0x5b, 1, 6, 0, 1, 2, 3, 4, 5, 6};
    FAIL_IF_NOT(parse_apdu(true, of, sizeof(of)) == OT_PARSE_OK && msg.anomaly == NULL);
    FAIL_IF_NOT(msg.op_class == OT_OP_FILE);
    FAIL_IF(kv_find(&msg, "unparsed"));
    /* FREEZE_AT_TIME: g50v2 carries data, g20 only names points */
    static const uint8_t fz[] = {0xc4, 11, 50, 2, 0x07, 1,  1,  2, 3,   4,
                                 5,    6,  7,  8, 9,    10, 20, 0, 0x06};
    FAIL_IF_NOT(parse_apdu(true, fz, sizeof(fz)) == OT_PARSE_OK && msg.anomaly == NULL);
    FAIL_IF(kv_find(&msg, "unparsed"));
    /* ASSIGN_CLASS: class 2 for analog inputs 0..9 */
    static const uint8_t ac[] = {0xc4, 22, 60, 3, 0x06, 30, 0, 0x00, 0, 9};
    FAIL_IF_NOT(parse_apdu(true, ac, sizeof(ac)) == OT_PARSE_OK && msg.anomaly == NULL);
    FAIL_IF_NOT(has_range(&msg, "class", 60, 2, 1) && has_range(&msg, "analog_input", 30, 0, 10));
    /* an authentication request g120v4 (session key status request) */
    static const uint8_t au[] = {0xc4, 32, 120, 4, 0x07, 1, 1, 0};
    FAIL_IF_NOT(parse_apdu(true, au, sizeof(au)) == OT_PARSE_OK && msg.anomaly == NULL);
    FAIL_IF_NOT(msg.op_class == OT_OP_AUTH);
    PASS;
}

static int test_unknown_object(void)
{
    /* an unknown group stops the walk: unparsed, no anomaly (not a violation) */
    static const uint8_t resp[] = {0xc0, 129,  0, 0, 1, 2, 0x00, 0,  0, 0x01, 200,
                                   1,    0x00, 0, 0, 1, 2, 3,    30, 1, 0x06};
    FAIL_IF_NOT(parse_apdu(false, resp, sizeof(resp)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.anomaly == NULL);
    FAIL_IF_NOT(kv_find(&msg, "unparsed") != NULL);
    FAIL_IF_NOT(kv_find(&msg, "object_count")->v.u == 2);
    FAIL_IF_NOT(has_range(&msg, "binary_input", 1, 0, 1));
    /* variation 0 in a response has no size */
    static const uint8_t v0[] = {0xc0, 129, 0, 0, 30, 0, 0x00, 0, 0, 1, 2, 3};
    FAIL_IF_NOT(parse_apdu(false, v0, sizeof(v0)) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_find(&msg, "unparsed") != NULL);
    PASS;
}

static int test_caps(void)
{
    /* 300 class headers: the walk stops at the cap, flagged */
    uint8_t apdu[2048];
    size_t o = 0;
    apdu[o++] = 0xc0;
    apdu[o++] = 1;
    for (int i = 0; i < 300; i++) {
        apdu[o++] = 60;
        apdu[o++] = 1;
        apdu[o++] = 0x06;
    }
    enum ot_parse r = OT_PARSE_INVALID;
    memset(state, 0, D.flow_state_size);
    FAIL_IF(feed_segments(apdu, o, 249, 0, true, &r));
    FAIL_IF_NOT(r == OT_PARSE_OK && anomaly_is(&msg, "too_many_objects"));
    FAIL_IF_NOT(kv_find(&msg, "object_count")->v.u == 128);
    /* the detail tape stays balanced and bounded */
    FAIL_IF_NOT(msg.detail.depth == 0 && msg.detail.n <= OT_DETAIL_MAX_KV);
    /* 600 1-octet indexes of binary input events with flags: many points, few ranges */
    o = 0;
    apdu[o++] = 0xc0;
    apdu[o++] = 130;
    apdu[o++] = 0;
    apdu[o++] = 0;
    apdu[o++] = 2;
    apdu[o++] = 1;
    apdu[o++] = 0x28;
    apdu[o++] = 600 & 0xff;
    apdu[o++] = 600 >> 8;
    for (int i = 0; i < 600; i++) {
        apdu[o++] = (uint8_t)(i * 7);
        apdu[o++] = (uint8_t)(i * 7 >> 8);
        apdu[o++] = 0x81;
    }
    memset(state, 0, D.flow_state_size);
    FAIL_IF(feed_segments(apdu, o, 249, 0, false, &r));
    FAIL_IF_NOT(r == OT_PARSE_OK && msg.anomaly == NULL);
    FAIL_IF_NOT(msg.n_ranges == OT_MAX_RANGES && msg.ranges_truncated);
    PASS;
}

static int test_pairing(void)
{
    /* request and response agree on the key; a later response fragment does not pair */
    static const uint8_t req[] = {0xc9, 1, 60, 1, 6};
    FAIL_IF_NOT(parse_apdu(true, req, sizeof(req)) == OT_PARSE_OK);
    uint32_t key = msg.txn_key;
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED);
    static const uint8_t resp[] = {0x89, 129, 0, 0};
    FAIL_IF_NOT(parse_apdu(false, resp, sizeof(resp)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.txn_key == key);
    static const uint8_t resp2[] = {0x4a, 129, 0, 0};
    FAIL_IF_NOT(parse_apdu(false, resp2, sizeof(resp2)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.pair == OT_PAIR_NONE);
    /* a response sent with DIR set, a request without */
    uint8_t f[64], user[16] = {0xc0, 0xc0, 129, 0, 0};
    size_t n = frame(f, CTL_REQ, MASTER, OUTSTATION, user, 5);
    FAIL_IF_NOT(parse1(f, n, false) == OT_PARSE_OK && anomaly_is(&msg, "direction_mismatch"));
    user[2] = 1;
    n = frame(f, CTL_RESP, OUTSTATION, MASTER, user, 3);
    FAIL_IF_NOT(parse1(f, n, true) == OT_PARSE_OK && anomaly_is(&msg, "direction_mismatch"));
    PASS;
}

static const struct unit_test tests[] = {
    {"crc_capture", test_crc_capture},
    {"pdu_len", test_pdu_len},
    {"probe", test_probe},
    {"function_classes", test_function_classes},
    {"link_only", test_link_only},
    {"multi_fragment", test_multi_fragment},
    {"transport_anomalies", test_transport_anomalies},
    {"apdu_overflow", test_apdu_overflow},
    {"bad_crc", test_bad_crc},
    {"truncation", test_truncation},
    {"lying_lengths", test_lying_lengths},
    {"crob_values", test_crob_values},
    {"analog_output_values", test_analog_output_values},
    {"iin", test_iin},
    {"identity", test_identity},
    {"read_ranges", test_read_ranges},
    {"write_time_and_file", test_write_time_and_file},
    {"unknown_object", test_unknown_object},
    {"caps", test_caps},
    {"pairing", test_pairing},
    {NULL, NULL},
};

UNIT_MAIN(tests)
