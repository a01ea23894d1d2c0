/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests of the IEC 60870-5-104 dissector through its public
 * interface (probe, pdu_len, parse, flow_summary). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dissector-check.h"
#include "dissectors.h"
#include "unit.h"

extern const struct ot_dissector iec104_dissector;

static struct ot_msg msg;
static uint8_t state[256];

static enum ot_parse parse_dir(const uint8_t *p, size_t n, bool to_server)
{
    struct ot_ctx ctx = tcp_ctx(2404, to_server, n, n, state);
    return dissect(&iec104_dissector, &ctx, p, n, &msg);
}

static void fresh(void)
{
    memset(state, 0, sizeof(state));
}

/* A client PDU on a new flow. */
static enum ot_parse fresh_cli(const uint8_t *p, size_t n)
{
    fresh();
    return parse_dir(p, n, true);
}

/* Parses from the server (monitor direction) or the client. */
#define PARSE_S(a) parse_dir(a, sizeof(a), false)
#define PARSE_C(a) parse_dir(a, sizeof(a), true)

/* Builds an I-format APDU around an ASDU; returns its length. */
static size_t mk_i(uint8_t *out, unsigned ns, unsigned nr, const uint8_t *asdu, size_t n)
{
    out[0] = 0x68;
    out[1] = (uint8_t)(4 + n);
    out[2] = (uint8_t)(ns << 1);
    out[3] = (uint8_t)(ns >> 7);
    out[4] = (uint8_t)(nr << 1);
    out[5] = (uint8_t)(nr >> 7);
    memcpy(out + 6, asdu, n);
    return 6 + n;
}

/* ---- APCI ---- */

static int test_u_frames(void)
{
    static const struct {
        uint8_t c1;
        uint32_t code;
        const char *name;
        enum ot_op op;
        enum ot_dir dir;
    } u[] = {
        {0x07, 0x101, "STARTDT_ACT", OT_OP_OTHER, OT_DIR_REQUEST},
        {0x0b, 0x102, "STARTDT_CON", OT_OP_OTHER, OT_DIR_RESPONSE},
        {0x13, 0x104, "STOPDT_ACT", OT_OP_OTHER, OT_DIR_REQUEST},
        {0x23, 0x108, "STOPDT_CON", OT_OP_OTHER, OT_DIR_RESPONSE},
        {0x43, 0x110, "TESTFR_ACT", OT_OP_DIAGNOSTIC, OT_DIR_REQUEST},
        {0x83, 0x120, "TESTFR_CON", OT_OP_DIAGNOSTIC, OT_DIR_RESPONSE},
    };
    for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
        uint8_t f[] = {0x68, 0x04, u[i].c1, 0x00, 0x00, 0x00};
        fresh();
        FAIL_IF_NOT(PARSE_C(f) == OT_PARSE_OK);
        FAIL_IF_NOT(msg.has_function && msg.function_code == u[i].code);
        FAIL_IF_NOT(strcmp(msg.function, u[i].name) == 0);
        FAIL_IF_NOT(msg.op_class == u[i].op);
        FAIL_IF_NOT(msg.dir == u[i].dir);
        FAIL_IF_NOT(msg.pair == OT_PAIR_NONE);
        FAIL_IF_NOT(kv_str(&msg, "apci_type", "U"));
        FAIL_IF_NOT(kv_str(&msg, "utype", u[i].name));
        FAIL_IF(msg.has_unit);
        FAIL_IF_NOT(iec104_dissector.pdu_len(f, sizeof(f)) == 6);
        FAIL_IF_NOT(iec104_dissector.probe(f, sizeof(f), true) == OT_PROBE_YES);
    }
    PASS;
}

static int test_u_invalid(void)
{
    static const uint8_t two_bits[] = {0x68, 0x04, 0x17, 0x00, 0x00, 0x00}; /* STARTDT+STOPDT act */
    static const uint8_t no_bits[] = {0x68, 0x04, 0x03, 0x00, 0x00, 0x00};
    static const uint8_t c2_set[] = {0x68, 0x04, 0x07, 0x01, 0x00, 0x00};
    static const uint8_t c4_set[] = {0x68, 0x04, 0x43, 0x00, 0x00, 0x80};
    static const uint8_t long_u[] = {0x68, 0x05, 0x07, 0x00, 0x00, 0x00, 0x00};
    fresh();
    FAIL_IF_NOT(PARSE_C(two_bits) == OT_PARSE_INVALID);
    FAIL_IF_NOT(anomaly_is(&msg, "invalid_control_field"));
    FAIL_IF_NOT(PARSE_C(no_bits) == OT_PARSE_INVALID);
    FAIL_IF_NOT(PARSE_C(c2_set) == OT_PARSE_INVALID);
    FAIL_IF_NOT(PARSE_C(c4_set) == OT_PARSE_INVALID);
    FAIL_IF_NOT(PARSE_C(long_u) == OT_PARSE_INVALID);
    FAIL_IF_NOT(iec104_dissector.probe(two_bits, sizeof(two_bits), true) == OT_PROBE_NO);
    FAIL_IF_NOT(iec104_dissector.probe(long_u, sizeof(long_u), true) == OT_PROBE_NO);
    PASS;
}

static int test_s_frame(void)
{
    static const uint8_t s[] = {0x68, 0x04, 0x01, 0x00, 0x9c, 0x00};     /* N(R) = 78 */
    static const uint8_t s_big[] = {0x68, 0x04, 0x01, 0x00, 0xfe, 0xff}; /* N(R) = 32767 */
    static const uint8_t s_bad_c1[] = {0x68, 0x04, 0x05, 0x00, 0x9c, 0x00};
    static const uint8_t s_bad_c2[] = {0x68, 0x04, 0x01, 0x02, 0x9c, 0x00};
    static const uint8_t s_bad_c3[] = {0x68, 0x04, 0x01, 0x00, 0x9d, 0x00};
    static const uint8_t s_long[] = {0x68, 0x06, 0x01, 0x00, 0x9c, 0x00, 0x00, 0x00};
    fresh();
    FAIL_IF_NOT(PARSE_C(s) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 0x200 && strcmp(msg.function, "S") == 0);
    FAIL_IF_NOT(msg.op_class == OT_OP_OTHER && msg.pair == OT_PAIR_NONE);
    FAIL_IF_NOT(kv_str(&msg, "apci_type", "S"));
    FAIL_IF_NOT(kv_u64_is(&msg, "rx", 78));
    FAIL_IF_NOT(PARSE_S(s_big) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_u64_is(&msg, "rx", 32767));
    FAIL_IF_NOT(PARSE_C(s_bad_c1) == OT_PARSE_INVALID);
    FAIL_IF_NOT(PARSE_C(s_bad_c2) == OT_PARSE_INVALID);
    FAIL_IF_NOT(PARSE_C(s_bad_c3) == OT_PARSE_INVALID);
    FAIL_IF_NOT(PARSE_C(s_long) == OT_PARSE_INVALID);
    PASS;
}

static int test_pdu_len(void)
{
    static const uint8_t ok[] = {0x68, 0x0e};
    static const uint8_t max[] = {0x68, 253};
    static const uint8_t too_long[] = {0x68, 254};
    static const uint8_t too_short[] = {0x68, 0x03};
    static const uint8_t zero[] = {0x68, 0x00};
    static const uint8_t bad_start[] = {0x67, 0x04, 0x07, 0x00, 0x00, 0x00};
    static const uint8_t one[] = {0x68};
    static const uint8_t one_bad[] = {0x00};
    const struct ot_dissector *d = &iec104_dissector;
    FAIL_IF_NOT(d->pdu_len(ok, sizeof(ok)) == 16);
    FAIL_IF_NOT(d->pdu_len(max, sizeof(max)) == 255);
    FAIL_IF_NOT(d->pdu_len(too_long, sizeof(too_long)) == OT_PDU_NOT_MINE);
    FAIL_IF_NOT(d->pdu_len(too_short, sizeof(too_short)) == OT_PDU_NOT_MINE);
    FAIL_IF_NOT(d->pdu_len(zero, sizeof(zero)) == OT_PDU_NOT_MINE);
    FAIL_IF_NOT(d->pdu_len(bad_start, sizeof(bad_start)) == OT_PDU_NOT_MINE);
    FAIL_IF_NOT(d->pdu_len(one, sizeof(one)) == 0);
    FAIL_IF_NOT(d->pdu_len(one_bad, sizeof(one_bad)) == OT_PDU_NOT_MINE);
    FAIL_IF_NOT(d->pdu_len(NULL, 0) == 0);
    PASS;
}

static int test_probe(void)
{
    static const uint8_t startdt[] = {0x68, 0x04, 0x07, 0x00, 0x00, 0x00};
    static const uint8_t two[] = {0x68, 0x04, 0x01, 0x00, 0x02, 0x00, 0x68, 0x0e, 0x02, 0x00, 0x02,
                                  0x00, 0x64, 0x01, 0x07, 0x00, 0x0d, 0x91, 0x00, 0x00, 0x00, 0x14};
    static const uint8_t two_bad[] = {0x68, 0x04, 0x01, 0x00, 0x02, 0x00, 0x47, 0x45, 0x54};
    static const uint8_t split[] = {0x68, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x64, 0x01, 0x06};
    static const uint8_t i_unknown[] = {0x68, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x16, 0x01,
                                        0x06, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x14};
    static const uint8_t i_cot0[] = {0x68, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x64, 0x01,
                                     0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x14};
    static const uint8_t i_short[] = {0x68, 0x06, 0x00, 0x00, 0x00, 0x00, 0x64, 0x01};
    static const uint8_t http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1};
    static const uint8_t lone[] = {0x68, 0x04};
    const struct ot_dissector *d = &iec104_dissector;
    FAIL_IF_NOT(d->probe(startdt, sizeof(startdt), true) == OT_PROBE_YES);
    FAIL_IF_NOT(d->probe(two, sizeof(two), false) == OT_PROBE_YES);
    FAIL_IF_NOT(d->probe(two_bad, sizeof(two_bad), false) == OT_PROBE_NO);
    FAIL_IF_NOT(d->probe(split, 6, true) == OT_PROBE_NEED_MORE);
    FAIL_IF_NOT(d->probe(split, sizeof(split), true) == OT_PROBE_YES);
    FAIL_IF_NOT(d->probe(i_unknown, sizeof(i_unknown), true) == OT_PROBE_NO);
    FAIL_IF_NOT(d->probe(i_cot0, sizeof(i_cot0), true) == OT_PROBE_NO);
    FAIL_IF_NOT(d->probe(i_short, sizeof(i_short), true) == OT_PROBE_NO);
    FAIL_IF_NOT(d->probe(http, sizeof(http) - 1, true) == OT_PROBE_NO);
    FAIL_IF_NOT(d->probe(tls, sizeof(tls), true) == OT_PROBE_NO);
    FAIL_IF_NOT(d->probe(lone, sizeof(lone), true) == OT_PROBE_NEED_MORE);
    FAIL_IF_NOT(d->probe(NULL, 0, true) != OT_PROBE_YES);
    FAIL_IF_NOT(d->heuristic);
    FAIL_IF_NOT(d->ports[0] == 2404 && d->ports[1] == 0);
    PASS;
}

/* ---- ASDUs ---- */

/* M_ME_NC_1 per/cyc, SQ=0, two objects (090813_diverse.pcap frame 1). */
static int test_monitor_sq0(void)
{
    static const uint8_t f[] = {0x68, 0x1a, 0x9a, 0x00, 0x28, 0x00, 0x0d, 0x02, 0x01, 0x00,
                                0x03, 0x00, 0x14, 0x05, 0x00, 0x00, 0x00, 0xf0, 0x41, 0x00,
                                0x15, 0x05, 0x00, 0x00, 0x00, 0x31, 0x44, 0x00};
    fresh();
    FAIL_IF_NOT(PARSE_S(f) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 13 && strcmp(msg.function, "M_ME_NC_1") == 0);
    FAIL_IF_NOT(msg.op_class == OT_OP_READ);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.pair == OT_PAIR_NONE);
    FAIL_IF_NOT(msg.has_unit && msg.unit == 3);
    FAIL_IF_NOT(msg.n_ranges == 1);
    FAIL_IF_NOT(strcmp(msg.ranges[0].space, "ioa") == 0 && msg.ranges[0].space_id == 1);
    FAIL_IF_NOT(msg.ranges[0].start == 1300 && msg.ranges[0].count == 2);
    FAIL_IF_NOT(msg.n_values == 0); /* monitored values stay in the detail */
    FAIL_IF_NOT(kv_str(&msg, "apci_type", "I"));
    FAIL_IF_NOT(kv_u64_is(&msg, "tx", 77) && kv_u64_is(&msg, "rx", 20));
    FAIL_IF_NOT(kv_bool_is(&msg, "sq", false) && kv_u64_is(&msg, "numix", 2));
    FAIL_IF_NOT(kv_u64_is(&msg, "cot", 1) && kv_str(&msg, "cause", "per/cyc"));
    FAIL_IF_NOT(kv_bool_is(&msg, "negative", false) && kv_bool_is(&msg, "test", false) &&
                kv_u64_is(&msg, "oa", 0));
    FAIL_IF_NOT(kv_u64_is(&msg, "ioa", 1300));
    FAIL_IF_NOT(kv_dbl_is(&msg, "value", 30.0));
    FAIL_IF(msg.anomaly);
    FAIL_IF_NOT(each_prefix(fresh_cli, f, sizeof(f), refused, &msg));
    PASS;
}

/* M_SP_NA_1 inrogen, SQ=1, nine elements from IOA 10010 (TestDissectIec104.pcap frame 110). */
static int test_monitor_sq1(void)
{
    static const uint8_t f[] = {0x68, 0x16, 0x04, 0x00, 0x02, 0x00, 0x01, 0x89,
                                0x14, 0x00, 0x0d, 0x91, 0x1a, 0x27, 0x00, 0xd0,
                                0x80, 0x80, 0x80, 0xc0, 0x80, 0x80, 0x80, 0x81};
    fresh();
    FAIL_IF_NOT(PARSE_S(f) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 1 && msg.op_class == OT_OP_READ);
    FAIL_IF_NOT(msg.unit == 37133);
    FAIL_IF_NOT(kv_bool_is(&msg, "sq", true) && kv_u64_is(&msg, "numix", 9));
    FAIL_IF_NOT(kv_str(&msg, "cause", "inrogen"));
    FAIL_IF_NOT(msg.n_ranges == 1 && msg.ranges[0].start == 10010 && msg.ranges[0].count == 9);
    FAIL_IF_NOT(kv_u64_is(&msg, "quality", 0xd0)); /* IV NT BL of the first */
    /* the last object is IOA 10018 with SPI = 1 */
    const struct ot_kv *last = NULL;
    for (uint16_t i = 0; i < msg.detail.n; i++)
        if (msg.detail.kv[i].key && strcmp(msg.detail.kv[i].key, "ioa") == 0)
            last = &msg.detail.kv[i];
    FAIL_IF_NOT(last && last->v.u == 10018 && last[1].v.u == 1);
    FAIL_IF(msg.anomaly);
    FAIL_IF_NOT(each_prefix(fresh_cli, f, sizeof(f), refused, &msg));
    PASS;
}

/* A 127-element SQ=1 ASDU: the detail keeps a bounded number of objects. */
static int test_detail_cap(void)
{
    uint8_t asdu[6 + 3 + 127], f[6 + sizeof(asdu)];
    const uint8_t hdr[] = {0x01, 0xff, 0x14, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00};
    memcpy(asdu, hdr, sizeof(hdr));
    memset(asdu + sizeof(hdr), 0x01, 127);
    size_t n = mk_i(f, 0, 0, asdu, sizeof(asdu));
    fresh();
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.n_ranges == 1 && msg.ranges[0].start == 1 && msg.ranges[0].count == 127);
    FAIL_IF_NOT(kv_u64_is(&msg, "objects_total", 127));
    FAIL_IF(msg.detail.truncated);
    FAIL_IF_NOT(msg.detail.depth == 0);
    PASS;
}

/* SQ=0 with scattered addresses: one range per object, contiguous ones merged. */
static int test_ranges_sq0(void)
{
    static const uint8_t asdu[] = {0x03, 0x04, 0x03, 0x00, 0x01, 0x00, 0x0a, 0x00,
                                   0x00, 0x01, 0x0b, 0x00, 0x00, 0x02, 0x00, 0x01,
                                   0x00, 0x02, 0xff, 0xff, 0xff, 0x01};
    uint8_t f[6 + sizeof(asdu)];
    size_t n = mk_i(f, 0, 0, asdu, sizeof(asdu));
    fresh();
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 3);
    FAIL_IF_NOT(msg.n_ranges == 3);
    FAIL_IF_NOT(msg.ranges[0].start == 10 && msg.ranges[0].count == 2);
    FAIL_IF_NOT(msg.ranges[1].start == 256 && msg.ranges[1].count == 1);
    FAIL_IF_NOT(msg.ranges[2].start == 0xffffff && msg.ranges[2].count == 1);
    PASS;
}

/* C_SC_NA_1 select act / actcon (090813_diverse.pcap frames 25, 27), execute, actterm. */
static int test_single_command(void)
{
    static const uint8_t act[] = {0x68, 0x0e, 0x2c, 0x00, 0xa2, 0x00, 0x2d, 0x01,
                                  0x06, 0x00, 0x03, 0x00, 0x94, 0x11, 0x00, 0x81};
    static const uint8_t con[] = {0x68, 0x0e, 0xa2, 0x00, 0x2e, 0x00, 0x2d, 0x01,
                                  0x07, 0x00, 0x03, 0x00, 0x94, 0x11, 0x00, 0x81};
    static const uint8_t exe[] = {0x68, 0x0e, 0x2e, 0x00, 0xa4, 0x00, 0x2d, 0x01,
                                  0x06, 0x00, 0x03, 0x00, 0x94, 0x11, 0x00, 0x00};
    static const uint8_t term[] = {0x68, 0x0e, 0xa6, 0x00, 0x30, 0x00, 0x2d, 0x01,
                                   0x0a, 0x00, 0x03, 0x00, 0x94, 0x11, 0x00, 0x01};
    fresh();
    FAIL_IF_NOT(PARSE_C(act) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 45 && strcmp(msg.function, "C_SC_NA_1") == 0);
    FAIL_IF_NOT(msg.op_class == OT_OP_CONTROL);
    FAIL_IF_NOT(msg.dir == OT_DIR_REQUEST && msg.pair == OT_PAIR_KEYED);
    uint32_t key = msg.txn_key;
    FAIL_IF_NOT(msg.n_values == 1 && msg.values[0].space_id == 1);
    FAIL_IF_NOT(msg.values[0].addr == 4500 && msg.values[0].value == 1.0);
    FAIL_IF_NOT(kv_str(&msg, "se", "select") && kv_u64_is(&msg, "qu", 0) &&
                kv_u64_is(&msg, "value", 1));
    FAIL_IF_NOT(kv_str(&msg, "cause", "act"));

    FAIL_IF_NOT(PARSE_S(con) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.pair == OT_PAIR_KEYED);
    FAIL_IF_NOT(msg.txn_key == key);
    FAIL_IF_NOT(msg.n_values == 0);
    FAIL_IF(msg.has_exception);
    FAIL_IF_NOT(kv_str(&msg, "cause", "actcon"));

    FAIL_IF_NOT(PARSE_C(exe) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_str(&msg, "se", "execute"));
    FAIL_IF_NOT(msg.n_values == 1 && msg.values[0].value == 0.0);
    FAIL_IF_NOT(msg.txn_key == key);

    FAIL_IF_NOT(PARSE_S(term) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.pair == OT_PAIR_NONE);
    FAIL_IF_NOT(kv_str(&msg, "cause", "actterm"));
    FAIL_IF_NOT(each_prefix(fresh_cli, act, sizeof(act), refused, &msg));
    PASS;
}

static int test_double_and_step_commands(void)
{
    /* C_DC_NA_1 act, DCS = 2 (on), QU = 1 (short pulse), execute */
    static const uint8_t dc[] = {0x2e, 0x01, 0x06, 0x00, 0x03, 0x00, 0xf8, 0x11, 0x00, 0x06};
    /* C_DC_NA_1 act, DCS = 3 (not permitted) */
    static const uint8_t dc_bad[] = {0x2e, 0x01, 0x06, 0x00, 0x03, 0x00, 0xf8, 0x11, 0x00, 0x03};
    /* C_RC_NA_1 act, RCS = 1 (lower), select */
    static const uint8_t rc[] = {0x2f, 0x01, 0x06, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x81};
    /* C_DC_TA_1 act with CP56Time2a 2009-08-13 19:25:00.216 (year sent as 109) */
    static const uint8_t dct[] = {0x3b, 0x01, 0x06, 0x00, 0x03, 0x00, 0xf9, 0x11, 0x00,
                                  0x82, 0xd8, 0x00, 0x19, 0x13, 0x0d, 0x08, 0x6d};
    uint8_t f[64];
    size_t n;

    fresh();
    n = mk_i(f, 0, 0, dc, sizeof(dc));
    FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 46 && msg.op_class == OT_OP_CONTROL);
    FAIL_IF_NOT(msg.n_values == 1 && msg.values[0].addr == 4600 && msg.values[0].value == 2.0);
    FAIL_IF_NOT(kv_u64_is(&msg, "qu", 1) && kv_str(&msg, "se", "execute"));
    FAIL_IF(msg.anomaly);

    n = mk_i(f, 1, 0, dc_bad, sizeof(dc_bad));
    FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "dcs_not_permitted"));

    n = mk_i(f, 2, 0, rc, sizeof(rc));
    FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 47 && strcmp(msg.function, "C_RC_NA_1") == 0);
    FAIL_IF_NOT(msg.op_class == OT_OP_CONTROL);
    FAIL_IF_NOT(msg.n_values == 1 && msg.values[0].addr == 16 && msg.values[0].value == 1.0);
    FAIL_IF_NOT(kv_str(&msg, "se", "select"));

    n = mk_i(f, 3, 0, dct, sizeof(dct));
    FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 59 && strcmp(msg.function, "C_DC_TA_1") == 0);
    FAIL_IF_NOT(msg.n_values == 1 && msg.values[0].value == 2.0);
    FAIL_IF_NOT(kv_str(&msg, "se", "select"));
    FAIL_IF_NOT(kv_str(&msg, "time", "2009-08-13T19:25:00.216"));
    FAIL_IF_NOT(each_prefix(fresh_cli, f, n, refused, &msg));
    PASS;
}

static int test_setpoints(void)
{
    /* C_SE_NA_1 act, NVA 0x4000 = 0.5, QL 0, select */
    static const uint8_t na[] = {0x30, 0x01, 0x06, 0x00, 0x01, 0x00,
                                 0xd5, 0x12, 0x00, 0x00, 0x40, 0x80};
    /* C_SE_NB_1 act, SVA -2 (0xfffe), QL 3, execute */
    static const uint8_t nb[] = {0x31, 0x01, 0x06, 0x00, 0x01, 0x00,
                                 0xd6, 0x12, 0x00, 0xfe, 0xff, 0x03};
    /* C_SE_NC_1 act, 12.0f (090813_diverse.pcap frame 51) */
    static const uint8_t nc[] = {0x32, 0x01, 0x06, 0x00, 0x03, 0x00, 0x9c,
                                 0x13, 0x00, 0x00, 0x00, 0x40, 0x41, 0x80};
    /* C_SE_TC_1 act, 123.0f, with CP56Time2a (frame 39) */
    static const uint8_t tc[] = {0x3f, 0x01, 0x06, 0x00, 0x03, 0x00, 0x9d, 0x13, 0x00, 0x00, 0x00,
                                 0xf6, 0x42, 0x80, 0x08, 0x00, 0x18, 0x13, 0x0d, 0x08, 0x6d};
    /* C_SE_NC_1 act with a NaN */
    static const uint8_t nan[] = {0x32, 0x01, 0x06, 0x00, 0x03, 0x00, 0x9c,
                                  0x13, 0x00, 0x00, 0x00, 0xc0, 0x7f, 0x00};
    uint8_t f[64];
    size_t n;

    fresh();
    n = mk_i(f, 0, 0, na, sizeof(na));
    FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 48 && msg.op_class == OT_OP_WRITE);
    FAIL_IF_NOT(msg.n_values == 1 && msg.values[0].addr == 4821 && msg.values[0].value == 0.5);
    FAIL_IF_NOT(kv_str(&msg, "se", "select") && kv_u64_is(&msg, "ql", 0));

    n = mk_i(f, 1, 0, nb, sizeof(nb));
    FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 49 && msg.op_class == OT_OP_WRITE);
    FAIL_IF_NOT(msg.n_values == 1 && msg.values[0].value == -2.0);
    FAIL_IF_NOT(kv_i64_is(&msg, "value", -2) && kv_str(&msg, "se", "execute") &&
                kv_u64_is(&msg, "ql", 3));

    n = mk_i(f, 2, 0, nc, sizeof(nc));
    FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 50 && strcmp(msg.function, "C_SE_NC_1") == 0);
    FAIL_IF_NOT(msg.n_values == 1 && msg.values[0].addr == 5020 && msg.values[0].value == 12.0);

    n = mk_i(f, 3, 0, tc, sizeof(tc));
    FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 63 && msg.op_class == OT_OP_WRITE);
    FAIL_IF_NOT(msg.n_values == 1 && msg.values[0].value == 123.0);
    FAIL_IF_NOT(kv_str(&msg, "time", "2009-08-13T19:24:00.008"));
    FAIL_IF_NOT(each_prefix(fresh_cli, f, n, refused, &msg));

    fresh();
    n = mk_i(f, 0, 0, nan, sizeof(nan));
    FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.n_values == 0);
    FAIL_IF_NOT(anomaly_is(&msg, "non_finite_float"));
    FAIL_IF_NOT(kv_u64_is(&msg, "value_raw", 0x7fc00000));
    PASS;
}

/* The confirmation of a set-point does not repeat the value as written. */
static int test_actcon_no_values(void)
{
    static const uint8_t con[] = {0x32, 0x01, 0x07, 0x00, 0x03, 0x00, 0x9c,
                                  0x13, 0x00, 0x00, 0x00, 0x40, 0x41, 0x80};
    uint8_t f[64];
    size_t n = mk_i(f, 0, 0, con, sizeof(con));
    fresh();
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.pair == OT_PAIR_KEYED);
    FAIL_IF_NOT(msg.n_values == 0);
    FAIL_IF_NOT(kv_dbl_is(&msg, "value", 12.0));
    PASS;
}

static int test_system_commands(void)
{
    static const struct {
        uint8_t asdu[20];
        size_t n;
        uint32_t type;
        enum ot_op op;
        enum ot_dir dir;
        const char *key;
        uint64_t val;
    } t[] = {
        /* C_IC_NA_1 act, QOI 20 (station) */
        {{100, 1, 6, 0, 0x0d, 0x91, 0, 0, 0, 20}, 10, 100, OT_OP_READ, OT_DIR_REQUEST, "qoi", 20},
        /* C_CI_NA_1 act, RQT 5 (general), FRZ 1 */
        {{101, 1, 6, 0, 1, 0, 0, 0, 0, 0x45}, 10, 101, OT_OP_READ, OT_DIR_REQUEST, "rqt", 5},
        /* C_RD_NA_1 req, no element */
        {{102, 1, 5, 0, 1, 0, 0x10, 0x27, 0}, 9, 102, OT_OP_READ, OT_DIR_REQUEST, "ioa", 10000},
        /* C_TS_NA_1 act, FBP 0x55AA */
        {{104, 1, 6, 0, 1, 0, 0, 0, 0, 0xaa, 0x55},
         11,
         104,
         OT_OP_DIAGNOSTIC,
         OT_DIR_REQUEST,
         "fbp",
         0x55aa},
        /* C_RP_NA_1 act, QRP 1 (general reset) */
        {{105, 1, 6, 0, 1, 0, 0, 0, 0, 1}, 10, 105, OT_OP_CONTROL, OT_DIR_REQUEST, "qrp", 1},
        /* C_CD_NA_1 act, 300 ms */
        {{106, 1, 6, 0, 1, 0, 0, 0, 0, 0x2c, 0x01},
         11,
         106,
         OT_OP_TIME_SYNC,
         OT_DIR_REQUEST,
         "delay_ms",
         300},
        /* C_TS_TA_1 act, TSC 7 + CP56Time2a */
        {{107, 1, 6, 0, 1, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 1, 1, 24},
         18,
         107,
         OT_OP_DIAGNOSTIC,
         OT_DIR_REQUEST,
         "tsc",
         7},
        /* M_EI_NA_1 init, COI 1 (local manual reset) */
        {{70, 1, 4, 0, 0x0d, 0x91, 0, 0, 0, 1}, 10, 70, OT_OP_OTHER, OT_DIR_RESPONSE, "coi", 1},
        /* P_AC_NA_1 act, QPA 3 */
        {{113, 1, 6, 0, 1, 0, 0x20, 0, 0, 3}, 10, 113, OT_OP_WRITE, OT_DIR_REQUEST, "qpa", 3},
        /* F_SC_NA_1 file, call directory: NOF 0, NOS 0, SCQ 0 */
        {{122, 1, 13, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, 13, 122, OT_OP_FILE, OT_DIR_REQUEST, "nof", 0},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        uint8_t f[64];
        size_t n = mk_i(f, 0, 0, t[i].asdu, t[i].n);
        fresh();
        FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_OK);
        FAIL_IF_NOT(msg.function_code == t[i].type && msg.function);
        FAIL_IF_NOT(msg.op_class == t[i].op);
        FAIL_IF_NOT(msg.dir == t[i].dir);
        FAIL_IF_NOT(kv_u64_is(&msg, t[i].key, t[i].val));
        FAIL_IF(msg.anomaly);
        FAIL_IF_NOT(msg.n_values == 0);
        FAIL_IF_NOT(each_prefix(fresh_cli, f, n, refused, &msg));
    }
    PASS;
}

/* C_CS_NA_1 clock synchronisation (TestDissectIec104.pcap frame 139). */
static int test_clock_sync(void)
{
    static const uint8_t f[] = {0x68, 0x14, 0x0c, 0x00, 0x16, 0x00, 0x67, 0x01, 0x06, 0x04, 0x0d,
                                0x91, 0x00, 0x00, 0x00, 0xc8, 0x32, 0x39, 0x08, 0x1d, 0x08, 0x08};
    fresh();
    FAIL_IF_NOT(PARSE_C(f) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 103 && strcmp(msg.function, "C_CS_NA_1") == 0);
    FAIL_IF_NOT(msg.op_class == OT_OP_TIME_SYNC);
    FAIL_IF_NOT(msg.dir == OT_DIR_REQUEST && msg.pair == OT_PAIR_KEYED);
    FAIL_IF_NOT(kv_u64_is(&msg, "oa", 4));
    FAIL_IF_NOT(kv_str(&msg, "time", "2008-08-29T08:57:13.000"));
    PASS;
}

static int test_parameters_and_files(void)
{
    /* P_ME_NB_1 act, SVA 1000, QPM 1 (threshold) */
    static const uint8_t pme[] = {111, 1, 6, 0, 1, 0, 0x30, 0x75, 0, 0xe8, 0x03, 0x01};
    /* F_SG_NA_1 file: NOF 1, NOS 2, LOS 3 + 3 segment octets */
    static const uint8_t sg[] = {125, 1, 13, 0, 1, 0, 0, 0, 0, 1, 0, 2, 3, 0xaa, 0xbb, 0xcc};
    /* F_SG_NA_1 whose LOS runs past the ASDU */
    static const uint8_t sg_lie[] = {125, 1, 13, 0, 1, 0, 0, 0, 0, 1, 0, 2, 9, 0xaa, 0xbb};
    /* F_DR_TA_1 spont: NOF 5, LOF 1000, SOF 0x20, CP56Time2a */
    static const uint8_t dr[] = {126,  1,    3,    0,    1, 0, 0, 0, 0, 5, 0,
                                 0xe8, 0x03, 0x00, 0x20, 0, 0, 0, 0, 1, 1, 24};
    /* F_SC_NB_1 req: NOF 1, start and stop times */
    static const uint8_t nb[] = {127, 1, 5, 0, 1,  0, 0, 0, 0, 1, 0, 0, 0,
                                 0,   0, 1, 1, 24, 0, 0, 0, 0, 2, 1, 24};
    uint8_t f[64];
    size_t n;

    fresh();
    n = mk_i(f, 0, 0, pme, sizeof(pme));
    FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 111 && msg.op_class == OT_OP_WRITE);
    FAIL_IF_NOT(msg.n_values == 1 && msg.values[0].addr == 30000 && msg.values[0].value == 1000);
    FAIL_IF_NOT(kv_u64_is(&msg, "qpm", 1));

    n = mk_i(f, 1, 0, sg, sizeof(sg));
    FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 125 && msg.op_class == OT_OP_FILE);
    FAIL_IF_NOT(kv_u64_is(&msg, "los", 3) && kv_u64_is(&msg, "nos", 2));
    FAIL_IF(msg.anomaly);

    n = mk_i(f, 2, 0, sg_lie, sizeof(sg_lie));
    FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_INVALID);

    n = mk_i(f, 0, 0, dr, sizeof(dr));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 126 && msg.op_class == OT_OP_FILE);
    FAIL_IF_NOT(kv_u64_is(&msg, "lof", 1000) && kv_u64_is(&msg, "sof", 0x20));
    FAIL_IF_NOT(kv_str(&msg, "time", "2024-01-01T00:00:00.000"));

    n = mk_i(f, 1, 0, nb, sizeof(nb));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 127);
    FAIL_IF_NOT(kv_str(&msg, "range_start", "2024-01-01T00:00:00.000"));
    FAIL_IF_NOT(kv_str(&msg, "range_stop", "2024-01-02T00:00:00.000"));
    FAIL_IF(msg.anomaly);
    PASS;
}

/* Every standard type id, one object of the size the standard gives it:
 * parses; one octet short is INVALID; one octet over is an anomaly. */
static int test_all_types(void)
{
    static const struct {
        uint8_t type;
        uint8_t size; /* octets after the IOA */
        enum ot_op op;
    } t[] = {
        {1, 1, OT_OP_READ},         {2, 4, OT_OP_READ},      {3, 1, OT_OP_READ},
        {4, 4, OT_OP_READ},         {5, 2, OT_OP_READ},      {6, 5, OT_OP_READ},
        {7, 5, OT_OP_READ},         {8, 8, OT_OP_READ},      {9, 3, OT_OP_READ},
        {10, 6, OT_OP_READ},        {11, 3, OT_OP_READ},     {12, 6, OT_OP_READ},
        {13, 5, OT_OP_READ},        {14, 8, OT_OP_READ},     {15, 5, OT_OP_READ},
        {16, 8, OT_OP_READ},        {17, 6, OT_OP_READ},     {18, 7, OT_OP_READ},
        {19, 7, OT_OP_READ},        {20, 5, OT_OP_READ},     {21, 2, OT_OP_READ},
        {30, 8, OT_OP_READ},        {31, 8, OT_OP_READ},     {32, 9, OT_OP_READ},
        {33, 12, OT_OP_READ},       {34, 10, OT_OP_READ},    {35, 10, OT_OP_READ},
        {36, 12, OT_OP_READ},       {37, 12, OT_OP_READ},    {38, 10, OT_OP_READ},
        {39, 11, OT_OP_READ},       {40, 11, OT_OP_READ},    {45, 1, OT_OP_CONTROL},
        {46, 1, OT_OP_CONTROL},     {47, 1, OT_OP_CONTROL},  {48, 3, OT_OP_WRITE},
        {49, 3, OT_OP_WRITE},       {50, 5, OT_OP_WRITE},    {51, 4, OT_OP_CONTROL},
        {58, 8, OT_OP_CONTROL},     {59, 8, OT_OP_CONTROL},  {60, 8, OT_OP_CONTROL},
        {61, 10, OT_OP_WRITE},      {62, 10, OT_OP_WRITE},   {63, 12, OT_OP_WRITE},
        {64, 11, OT_OP_CONTROL},    {70, 1, OT_OP_OTHER},    {100, 1, OT_OP_READ},
        {101, 1, OT_OP_READ},       {102, 0, OT_OP_READ},    {103, 7, OT_OP_TIME_SYNC},
        {104, 2, OT_OP_DIAGNOSTIC}, {105, 1, OT_OP_CONTROL}, {106, 2, OT_OP_TIME_SYNC},
        {107, 9, OT_OP_DIAGNOSTIC}, {110, 3, OT_OP_WRITE},   {111, 3, OT_OP_WRITE},
        {112, 5, OT_OP_WRITE},      {113, 1, OT_OP_WRITE},   {120, 6, OT_OP_FILE},
        {121, 7, OT_OP_FILE},       {122, 4, OT_OP_FILE},    {123, 5, OT_OP_FILE},
        {124, 4, OT_OP_FILE},       {125, 4, OT_OP_FILE},    {126, 13, OT_OP_FILE},
        {127, 16, OT_OP_FILE},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        for (int sq = 0; sq < 2; sq++) {
            /* two objects; values 0x02 keep DCS/RCS permitted, LOS = 2 for F_SG */
            uint8_t asdu[64], f[80];
            size_t a = 0;
            asdu[a++] = t[i].type;
            asdu[a++] = (uint8_t)(sq ? 0x82 : 0x02);
            asdu[a++] = 3; /* spont */
            asdu[a++] = 0;
            asdu[a++] = 7;
            asdu[a++] = 0;
            for (int o = 0; o < 2; o++) {
                if (!sq || o == 0) {
                    asdu[a++] = (uint8_t)(100 + o * 5);
                    asdu[a++] = 0;
                    asdu[a++] = 0;
                }
                memset(asdu + a, 0x02, t[i].size);
                a += t[i].size;
                if (t[i].type == 125) {
                    asdu[a++] = 0xee;
                    asdu[a++] = 0xee;
                }
            }
            size_t n = mk_i(f, 0, 0, asdu, a);
            fresh();
            FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
            FAIL_IF_NOT(msg.function_code == t[i].type && msg.function != NULL);
            FAIL_IF_NOT(msg.op_class == t[i].op);
            FAIL_IF(msg.anomaly);
            FAIL_IF(msg.detail.truncated);
            FAIL_IF_NOT(msg.unit == 7);
            FAIL_IF_NOT(
                sq ? (msg.n_ranges == 1 && msg.ranges[0].start == 100 && msg.ranges[0].count == 2)
                   : (msg.n_ranges == 2 && msg.ranges[1].start == 105));
            /* one octet short */
            n = mk_i(f, 0, 0, asdu, a - 1);
            fresh();
            FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_INVALID);
            FAIL_IF_NOT(anomaly_is(&msg, "asdu_length_mismatch"));
            /* one octet over */
            asdu[a] = 0;
            n = mk_i(f, 0, 0, asdu, a + 1);
            fresh();
            FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
            FAIL_IF_NOT(anomaly_is(&msg, "asdu_length_mismatch"));
            FAIL_IF_NOT(kv_u64_is(&msg, "trailing_bytes", 1));
        }
    }
    /* the names cover exactly the standard types */
    unsigned named = 0;
    for (unsigned type = 1; type < 256; type++) {
        uint8_t asdu[] = {(uint8_t)type, 0x00, 3, 0, 1, 0};
        uint8_t f[16];
        size_t n = mk_i(f, 0, 0, asdu, sizeof(asdu));
        fresh();
        FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
        named += msg.function != NULL;
    }
    FAIL_IF_NOT(named == sizeof(t) / sizeof(t[0]));
    PASS;
}

static int test_unknown_type(void)
{
    static const uint8_t asdu[] = {22, 0x01, 0x06, 0x00, 0x01, 0x00, 0x10, 0x00, 0x00, 0xab};
    static const uint8_t mirror[] = {22, 0x01, 0x6c, 0x00, 0x01, 0x00, 0x10, 0x00, 0x00, 0xab};
    uint8_t f[32];
    size_t n = mk_i(f, 0, 0, asdu, sizeof(asdu));
    fresh();
    FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 22 && msg.function == NULL);
    FAIL_IF_NOT(msg.op_class == OT_OP_OTHER);
    FAIL_IF_NOT(anomaly_is(&msg, "unknown_type_id"));
    FAIL_IF_NOT(msg.n_ranges == 1 && msg.ranges[0].start == 16);
    FAIL_IF_NOT(msg.dir == OT_DIR_REQUEST && msg.pair == OT_PAIR_KEYED);
    uint32_t key = msg.txn_key;
    FAIL_IF_NOT(kv_find(&msg, "raw") != NULL);
    /* the station mirrors it with cause 44 (unknown type) and P/N */
    n = mk_i(f, 0, 1, mirror, sizeof(mirror));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.pair == OT_PAIR_KEYED && msg.txn_key == key);
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 44);
    FAIL_IF_NOT(strcmp(msg.exception, "unknown_type") == 0);
    FAIL_IF_NOT(kv_str(&msg, "cause", "unknown_type"));
    PASS;
}

/* Negative confirmation and the test bit (TestDissectIec104.pcap frames 133-134). */
static int test_negative_and_test(void)
{
    static const uint8_t act[] = {0x68, 0x0e, 0x08, 0x00, 0x14, 0x00, 0x2d, 0x01,
                                  0x86, 0x02, 0x0d, 0x91, 0xce, 0x56, 0x00, 0x81};
    static const uint8_t con[] = {0x68, 0x0e, 0x14, 0x00, 0x0a, 0x00, 0x2d, 0x01,
                                  0xc7, 0x02, 0x0d, 0x91, 0xce, 0x56, 0x00, 0x81};
    static const uint8_t neg_act[] = {0x68, 0x0e, 0x0a, 0x00, 0x16, 0x00, 0x2d, 0x01,
                                      0x46, 0x03, 0x0d, 0x91, 0x35, 0x82, 0x00, 0x81};
    fresh();
    FAIL_IF_NOT(PARSE_C(act) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_bool_is(&msg, "test", true) && kv_bool_is(&msg, "negative", false) &&
                kv_u64_is(&msg, "oa", 2));
    uint32_t key = msg.txn_key;
    FAIL_IF_NOT(PARSE_S(con) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.txn_key == key);
    FAIL_IF_NOT(kv_bool_is(&msg, "test", true) && kv_bool_is(&msg, "negative", true));
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 7);
    FAIL_IF_NOT(strcmp(msg.exception, "negative_confirm") == 0);
    FAIL_IF_NOT(PARSE_C(neg_act) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "negative_bit_on_request"));
    FAIL_IF(msg.has_exception);
    PASS;
}

/* The activation and confirmation keys differ by type, address and act/deact. */
static int test_pair_keys(void)
{
    static const uint8_t a1[] = {45, 1, 6, 0, 1, 0, 0x10, 0, 0, 1};
    static const uint8_t a2[] = {45, 1, 6, 0, 1, 0, 0x11, 0, 0, 1};
    static const uint8_t a3[] = {45, 1, 6, 0, 2, 0, 0x10, 0, 0, 1};
    static const uint8_t a4[] = {46, 1, 6, 0, 1, 0, 0x10, 0, 0, 1};
    static const uint8_t d1[] = {45, 1, 8, 0, 1, 0, 0x10, 0, 0, 1};
    static const uint8_t dc1[] = {45, 1, 9, 0, 1, 0, 0x10, 0, 0, 1};
    const uint8_t *v[] = {a1, a2, a3, a4, d1};
    uint32_t keys[5];
    uint8_t f[32];
    fresh();
    for (int i = 0; i < 5; i++) {
        size_t n = mk_i(f, (unsigned)i, 0, v[i], sizeof(a1));
        FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_OK);
        FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.dir == OT_DIR_REQUEST);
        keys[i] = msg.txn_key;
        for (int j = 0; j < i; j++)
            FAIL_IF(keys[j] == keys[i]);
    }
    size_t n = mk_i(f, 0, 0, dc1, sizeof(dc1));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.txn_key == keys[4]);

    /* a read (C_RD_NA_1, cause req) pairs with the data of its object sent
     * with cause req, whatever its type, or with its refusal (cause 47) */
    static const uint8_t rd[] = {102, 1, 5, 0, 1, 0, 0x10, 0, 0};
    static const uint8_t rd_ans[] = {1, 1, 5, 0, 1, 0, 0x10, 0, 0, 1};
    static const uint8_t rd_other[] = {1, 1, 5, 0, 1, 0, 0x11, 0, 0, 1};
    static const uint8_t rd_refused[] = {102, 1, 0x40 | 47, 0, 1, 0, 0x10, 0, 0};
    n = mk_i(f, 5, 1, rd, sizeof(rd));
    FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.dir == OT_DIR_REQUEST);
    uint32_t rk = msg.txn_key;
    for (int j = 0; j < 5; j++)
        FAIL_IF(keys[j] == rk);
    n = mk_i(f, 1, 6, rd_ans, sizeof(rd_ans));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.dir == OT_DIR_RESPONSE && msg.txn_key == rk);
    n = mk_i(f, 2, 6, rd_other, sizeof(rd_other));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK && msg.txn_key != rk);
    n = mk_i(f, 3, 6, rd_refused, sizeof(rd_refused));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.txn_key == rk && msg.has_exception);
    PASS;
}

/* ---- sequence numbers ---- */

static int test_sequence_gaps(void)
{
    static const uint8_t asdu[] = {0x01, 0x01, 0x03, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01};
    uint8_t f[32];
    size_t n;
    struct ot_detail sum;

    fresh();
    /* server N(S) 0, 1 in order; client N(S) 0 is its own counter */
    n = mk_i(f, 0, 0, asdu, sizeof(asdu));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK && !msg.anomaly);
    n = mk_i(f, 1, 0, asdu, sizeof(asdu));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK && !msg.anomaly);
    n = mk_i(f, 0, 2, asdu, sizeof(asdu));
    FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_OK && !msg.anomaly);
    FAIL_IF(kv_find(&msg, "ns_gap"));
    /* server skips 2 and 3 */
    n = mk_i(f, 4, 1, asdu, sizeof(asdu));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "sequence_gap"));
    FAIL_IF_NOT(kv_i64_is(&msg, "ns_gap", 2));
    /* and continues from there */
    n = mk_i(f, 5, 1, asdu, sizeof(asdu));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK && !msg.anomaly);
    /* a replayed frame */
    n = mk_i(f, 3, 1, asdu, sizeof(asdu));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "sequence_gap") && kv_i64_is(&msg, "ns_gap", -3));
    /* S and U frames do not move N(S) */
    static const uint8_t s[] = {0x68, 0x04, 0x01, 0x00, 0x08, 0x00};
    static const uint8_t u[] = {0x68, 0x04, 0x43, 0x00, 0x00, 0x00};
    FAIL_IF_NOT(PARSE_S(s) == OT_PARSE_OK && PARSE_S(u) == OT_PARSE_OK);
    n = mk_i(f, 4, 1, asdu, sizeof(asdu));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK && !msg.anomaly);

    sum.n = sum.depth = sum.skipped = sum.str_used = 0;
    sum.truncated = false;
    iec104_dissector.flow_summary(state, &sum);
    bool found = false;
    for (uint16_t i = 0; i < sum.n; i++)
        if (sum.kv[i].key && strcmp(sum.kv[i].key, "ns_gaps") == 0)
            found = sum.kv[i].v.u == 2;
    FAIL_IF_NOT(found);
    for (uint16_t i = 0; i < sum.n; i++) {
        if (sum.kv[i].key && strcmp(sum.kv[i].key, "i_frames") == 0)
            FAIL_IF_NOT(sum.kv[i].v.u == 7);
        if (sum.kv[i].key && strcmp(sum.kv[i].key, "s_frames") == 0)
            FAIL_IF_NOT(sum.kv[i].v.u == 1);
        if (sum.kv[i].key && strcmp(sum.kv[i].key, "u_frames") == 0)
            FAIL_IF_NOT(sum.kv[i].v.u == 1);
    }
    PASS;
}

static int test_sequence_wrap(void)
{
    static const uint8_t asdu[] = {0x01, 0x01, 0x03, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01};
    uint8_t f[32];
    size_t n;
    fresh();
    n = mk_i(f, 32766, 0, asdu, sizeof(asdu));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK && !msg.anomaly);
    FAIL_IF_NOT(kv_u64_is(&msg, "tx", 32766));
    n = mk_i(f, 32767, 0, asdu, sizeof(asdu));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK && !msg.anomaly);
    n = mk_i(f, 0, 0, asdu, sizeof(asdu));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK && !msg.anomaly);
    n = mk_i(f, 32767, 0, asdu, sizeof(asdu)); /* back across the wrap */
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_i64_is(&msg, "ns_gap", -2));
    PASS;
}

/* An APDU the capture cut moves the send sequence when its control field
 * is whole (the peer counted it: the next APDU is no gap), and leaves it
 * alone when the control field is cut too; without flow state the
 * dissector still parses. */
static int test_sequence_cut_apdu(void)
{
    static const uint8_t asdu[] = {0x01, 0x01, 0x03, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01};
    uint8_t f[32];
    size_t n;
    fresh();
    n = mk_i(f, 0, 0, asdu, sizeof(asdu));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    n = mk_i(f, 1, 0, asdu, sizeof(asdu));
    FAIL_IF_NOT(parse_dir(f, n - 1, false) == OT_PARSE_TRUNC);
    FAIL_IF_NOT(parse_dir(f, 6, false) == OT_PARSE_TRUNC); /* a repeat, counted, no record */
    n = mk_i(f, 2, 0, asdu, sizeof(asdu));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK && !msg.anomaly);
    /* control field cut: N(S) 9 is not believed, 3 follows 2 */
    n = mk_i(f, 9, 0, asdu, sizeof(asdu));
    FAIL_IF_NOT(parse_dir(f, 5, false) == OT_PARSE_TRUNC);
    n = mk_i(f, 3, 0, asdu, sizeof(asdu));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK && !msg.anomaly);
    /* a cut S or U format moves nothing */
    static const uint8_t s[] = {0x68, 0x04, 0x01, 0x00, 0x08, 0x00};
    FAIL_IF_NOT(parse_dir(s, 5, false) == OT_PARSE_TRUNC);
    n = mk_i(f, 4, 0, asdu, sizeof(asdu));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK && !msg.anomaly);

    struct ot_ctx ctx = {.to_server = false, .l4 = 6, .pdu_len = n, .flow_state = NULL};
    struct cur c = cur_init(f, n);
    ot_msg_reset(&msg, OT_PROTO_IEC104);
    FAIL_IF_NOT(iec104_dissector.parse(&c, &ctx, &msg) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 1);
    PASS;
}

/* ---- malformed input ---- */

static int test_lying_lengths(void)
{
    /* APDU length says 20, 14 octets follow */
    static const uint8_t short_apdu[] = {0x68, 0x14, 0x00, 0x00, 0x00, 0x00, 0x2d, 0x01,
                                         0x06, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01};
    /* VSQ says 5 objects, one is there */
    static const uint8_t many[] = {0x68, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x01, 0x05,
                                   0x03, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01};
    /* SQ=1, 127 elements, two are there */
    static const uint8_t many_sq[] = {0x68, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x03,
                                      0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x01};
    /* I-format with no ASDU, and with half an ASDU header */
    static const uint8_t no_asdu[] = {0x68, 0x04, 0x16, 0x16, 0x16, 0x16};
    static const uint8_t half_hdr[] = {0x68, 0x06, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18};
    /* I-format with ctrl3 bit 0 set */
    static const uint8_t bad_c3[] = {0x68, 0x0e, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01,
                                     0x03, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01};
    static const uint8_t len3[] = {0x68, 0x03, 0x01, 0x00, 0x00};
    static const uint8_t len254[] = {0x68, 0xfe, 0x01, 0x00, 0x00, 0x00};
    static const uint8_t not_mine[] = {0x16, 0x03, 0x01, 0x00};
    /* VSQ says 0 objects, none there: parses with an empty object list */
    static const uint8_t zero_obj[] = {0x68, 0x0a, 0x00, 0x00, 0x00, 0x00,
                                       0x01, 0x00, 0x03, 0x00, 0x01, 0x00};

    fresh();
    FAIL_IF_NOT(PARSE_C(short_apdu) == OT_PARSE_TRUNC);
    FAIL_IF_NOT(PARSE_S(many) == OT_PARSE_INVALID);
    FAIL_IF_NOT(anomaly_is(&msg, "asdu_length_mismatch"));
    FAIL_IF_NOT(PARSE_S(many_sq) == OT_PARSE_INVALID);
    fresh(); /* the cut APDU above moved the client's N(S): no gap report here */
    FAIL_IF_NOT(PARSE_C(no_asdu) == OT_PARSE_INVALID);
    FAIL_IF_NOT(anomaly_is(&msg, "short_asdu"));
    FAIL_IF_NOT(PARSE_C(half_hdr) == OT_PARSE_INVALID);
    FAIL_IF_NOT(PARSE_C(bad_c3) == OT_PARSE_INVALID);
    FAIL_IF_NOT(anomaly_is(&msg, "invalid_control_field"));
    FAIL_IF_NOT(PARSE_C(len3) == OT_PARSE_INVALID);
    FAIL_IF_NOT(anomaly_is(&msg, "invalid_apdu_length"));
    FAIL_IF_NOT(PARSE_C(len254) == OT_PARSE_INVALID);
    FAIL_IF_NOT(PARSE_C(not_mine) == OT_PARSE_NOT_MINE);
    FAIL_IF_NOT(PARSE_S(zero_obj) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.n_ranges == 0 && kv_u64_is(&msg, "numix", 0));
    /* a zero-length PDU */
    FAIL_IF_NOT(parse_dir(zero_obj, 0, true) == OT_PARSE_TRUNC);
    FAIL_IF_NOT(parse_dir(NULL, 0, true) == OT_PARSE_TRUNC);
    PASS;
}

/* The PDU handed over may be followed by more bytes: they are not read. */
static int test_extra_bytes_ignored(void)
{
    static const uint8_t two[] = {0x68, 0x04, 0x07, 0x00, 0x00, 0x00, 0x68, 0x04, 0x0b, 0x00};
    fresh();
    FAIL_IF_NOT(PARSE_C(two) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 0x101);
    PASS;
}

/* Time tags: CP24Time2a and the invalid and summer-time flags. */
static int test_time_tags(void)
{
    /* M_SP_TA_1 spont, CP24: 12345 ms, minute 7, IV */
    static const uint8_t cp24[] = {2, 1, 3, 0, 1, 0, 1, 0, 0, 0x01, 0x39, 0x30, 0x87};
    /* M_SP_TB_1 spont, CP56: 2000-01-01 00:00:10.837 with IV and SU */
    static const uint8_t cp56[] = {30,   1,    3,    0,    1,    0,    1,    0,   0,
                                   0x01, 0x55, 0x2a, 0x80, 0x80, 0x01, 0x01, 0x00};
    uint8_t f[32];
    size_t n;
    fresh();
    n = mk_i(f, 0, 0, cp24, sizeof(cp24));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_str(&msg, "time", "07:12.345") && kv_bool_is(&msg, "time_invalid", true));
    n = mk_i(f, 1, 0, cp56, sizeof(cp56));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_str(&msg, "time", "2000-01-01T00:00:10.837"));
    FAIL_IF_NOT(kv_bool_is(&msg, "time_invalid", true) && kv_bool_is(&msg, "summer_time", true));
    PASS;
}

/* Monitor value encodings: normalized, scaled, step position, counter. */
static int test_monitor_values(void)
{
    /* M_ME_NA_1: NVA 0xc000 = -0.5, QDS OV */
    static const uint8_t nva[] = {9, 1, 3, 0, 1, 0, 1, 0, 0, 0x00, 0xc0, 0x01};
    /* M_ME_NB_1: SVA -300 */
    static const uint8_t sva[] = {11, 1, 3, 0, 1, 0, 1, 0, 0, 0xd4, 0xfe, 0x00};
    /* M_ST_NA_1: VTI -2, transient */
    static const uint8_t vti[] = {5, 1, 3, 0, 1, 0, 1, 0, 0, 0xfe, 0x00};
    /* M_IT_NA_1: counter -1, seq 3, CY */
    static const uint8_t bcr[] = {15, 1, 37, 0, 1, 0, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x23};
    /* M_DP_NA_1: DPI 2 (on), IV */
    static const uint8_t dpi[] = {3, 1, 3, 0, 1, 0, 1, 0, 0, 0x82};
    uint8_t f[32];
    size_t n;
    fresh();
    n = mk_i(f, 0, 0, nva, sizeof(nva));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_dbl_is(&msg, "value", -0.5) && kv_u64_is(&msg, "quality", 0x01));
    n = mk_i(f, 1, 0, sva, sizeof(sva));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_i64_is(&msg, "value", -300));
    n = mk_i(f, 2, 0, vti, sizeof(vti));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_i64_is(&msg, "value", -2) && kv_bool_is(&msg, "transient", true));
    n = mk_i(f, 3, 0, bcr, sizeof(bcr));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_i64_is(&msg, "value", -1) && kv_u64_is(&msg, "seq", 3) &&
                kv_u64_is(&msg, "quality", 0x20));
    FAIL_IF_NOT(kv_str(&msg, "cause", "reqcogen"));
    n = mk_i(f, 4, 0, dpi, sizeof(dpi));
    FAIL_IF_NOT(parse_dir(f, n, false) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_u64_is(&msg, "value", 2) && kv_u64_is(&msg, "quality", 0x80));
    FAIL_IF_NOT(msg.n_values == 0);
    PASS;
}

static int test_causes(void)
{
    static const struct {
        uint8_t cot;
        const char *name;
        enum ot_dir dir;
    } t[] = {
        {1, "per/cyc", OT_DIR_RESPONSE},
        {2, "back", OT_DIR_RESPONSE},
        {3, "spont", OT_DIR_RESPONSE},
        {4, "init", OT_DIR_RESPONSE},
        {5, "req", OT_DIR_RESPONSE},
        {6, "act", OT_DIR_REQUEST},
        {7, "actcon", OT_DIR_RESPONSE},
        {8, "deact", OT_DIR_REQUEST},
        {9, "deactcon", OT_DIR_RESPONSE},
        {10, "actterm", OT_DIR_RESPONSE},
        {11, "retrem", OT_DIR_RESPONSE},
        {12, "retloc", OT_DIR_RESPONSE},
        {13, "file", OT_DIR_REQUEST},
        {20, "inrogen", OT_DIR_RESPONSE},
        {21, "inro1", OT_DIR_RESPONSE},
        {36, "inro16", OT_DIR_RESPONSE},
        {37, "reqcogen", OT_DIR_RESPONSE},
        {38, "reqco1", OT_DIR_RESPONSE},
        {41, "reqco4", OT_DIR_RESPONSE},
        {44, "unknown_type", OT_DIR_RESPONSE},
        {45, "unknown_cause", OT_DIR_RESPONSE},
        {46, "unknown_asdu_address", OT_DIR_RESPONSE},
        {47, "unknown_ioa", OT_DIR_RESPONSE},
        {50, NULL, OT_DIR_REQUEST}, /* private range: sender decides */
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        uint8_t asdu[] = {1, 1, t[i].cot, 0, 1, 0, 1, 0, 0, 0};
        uint8_t f[32];
        size_t n = mk_i(f, 0, 0, asdu, sizeof(asdu));
        fresh();
        FAIL_IF_NOT(parse_dir(f, n, true) == OT_PARSE_OK);
        FAIL_IF_NOT(kv_u64_is(&msg, "cot", t[i].cot));
        FAIL_IF_NOT(t[i].name ? kv_str(&msg, "cause", t[i].name) : kv_find(&msg, "cause") == NULL);
        FAIL_IF_NOT(msg.dir == t[i].dir);
    }
    PASS;
}

static const struct unit_test tests[] = {
    {"u_frames", test_u_frames},
    {"u_invalid", test_u_invalid},
    {"s_frame", test_s_frame},
    {"pdu_len", test_pdu_len},
    {"probe", test_probe},
    {"monitor_sq0", test_monitor_sq0},
    {"monitor_sq1", test_monitor_sq1},
    {"detail_cap", test_detail_cap},
    {"ranges_sq0", test_ranges_sq0},
    {"single_command", test_single_command},
    {"double_and_step_commands", test_double_and_step_commands},
    {"setpoints", test_setpoints},
    {"actcon_no_values", test_actcon_no_values},
    {"system_commands", test_system_commands},
    {"clock_sync", test_clock_sync},
    {"parameters_and_files", test_parameters_and_files},
    {"all_types", test_all_types},
    {"unknown_type", test_unknown_type},
    {"negative_and_test", test_negative_and_test},
    {"pair_keys", test_pair_keys},
    {"sequence_gaps", test_sequence_gaps},
    {"sequence_wrap", test_sequence_wrap},
    {"sequence_cut_apdu", test_sequence_cut_apdu},
    {"lying_lengths", test_lying_lengths},
    {"extra_bytes_ignored", test_extra_bytes_ignored},
    {"time_tags", test_time_tags},
    {"monitor_values", test_monitor_values},
    {"causes", test_causes},
    {NULL, NULL},
};

UNIT_MAIN(tests)
