/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests for the GOOSE dissector (dissectors/goose.c), through
 * goose_dissector.parse/probe on frame payloads after the ethertype. */
#include <string.h>

#include "dissector-check.h"
#include "dissectors.h"
#include "unit.h"

extern const struct ot_dissector goose_dissector;

/* GOOSE.pcap frame 1: APPID 1, 8 entries (boolean / bit-string pairs). */
static const char goose1_hex[] =
    "0001009100000000618186801a4745446576696365463635302f4c4c4e3024474f24676362"
    "30318103009c4082184745446576696365463635302f4c4c4e3024474f4f534531830b4636"
    "35305f474f4f5345318408386ebbf34217280a85010186010a8701008801018901008a0108"
    "ab208301008403030000830100840303000083010084030300008301008403030000";

static uint8_t frame[1024];
static size_t frame_len;
static struct ot_msg msg;

static enum ot_parse run(const uint8_t *p, size_t n)
{
    struct ot_ctx ctx = {.ts_usec = 1, .l4 = 0, .pdu_len = n};
    return dissect(&goose_dissector, &ctx, p, n, &msg);
}

static void load(void)
{
    frame_len = unhex(goose1_hex, frame, sizeof(frame));
}

static int test_valid(void)
{
    load();
    FAIL_IF_NOT(run(frame, frame_len) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.has_function && msg.function_code == 1);
    FAIL_IF_NOT(strcmp(msg.function, "goosePdu") == 0 && msg.op_class == OT_OP_OTHER);
    FAIL_IF_NOT(msg.has_unit && msg.unit == 1);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.pair == OT_PAIR_NONE);
    FAIL_IF_NOT(msg.anomaly == NULL);
    FAIL_IF_NOT(kv_str(&msg, "gocb_ref", "GEDeviceF650/LLN0$GO$gcb01"));
    FAIL_IF_NOT(kv_str(&msg, "dat_set", "GEDeviceF650/LLN0$GOOSE1"));
    FAIL_IF_NOT(kv_str(&msg, "go_id", "F650_GOOSE1"));
    FAIL_IF_NOT(kv_str(&msg, "t", "2000-01-02T02:46:11.258165836Z"));
    FAIL_IF_NOT(kv_u64_is(&msg, "time_allowed_to_live", 40000));
    FAIL_IF_NOT(kv_u64_is(&msg, "st_num", 1) && kv_u64_is(&msg, "sq_num", 10));
    FAIL_IF_NOT(kv_u64_is(&msg, "conf_rev", 1) && kv_u64_is(&msg, "num_dat_set_entries", 8));
    FAIL_IF_NOT(kv_u64_is(&msg, "data_count", 8));
    FAIL_IF_NOT(kv_find(&msg, "simulation") && kv_find(&msg, "simulation")->v.u == 0);
    FAIL_IF_NOT(kv_find(&msg, "simulated") && kv_find(&msg, "simulated")->v.u == 0);
    FAIL_IF_NOT(kv_find(&msg, "data") && kv_find(&msg, "data")->type == OT_KV_ARR_BEGIN);
    FAIL_IF_NOT(tape_nests(&msg) && !msg.detail.truncated);
    PASS;
}

static int test_padding_and_sim(void)
{
    load();
    /* Ethernet padding after Length is ignored */
    memset(frame + frame_len, 0, 20);
    FAIL_IF_NOT(run(frame, frame_len + 20) == OT_PARSE_OK && msg.anomaly == NULL);
    /* reserved 1 bit 15: a simulated frame */
    frame[4] = 0x80;
    FAIL_IF_NOT(run(frame, frame_len) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_find(&msg, "simulated") && kv_find(&msg, "simulated")->v.u == 1);
    PASS;
}

/* A frame cut short with its Length saying so: parsed or refused, its tape
 * holding together. */
static bool parsed_or_invalid(enum ot_parse r, const struct ot_msg *m)
{
    return (r == OT_PARSE_INVALID || r == OT_PARSE_OK) && tape_nests(m);
}

static int test_truncated(void)
{
    load();
    FAIL_IF_NOT(each_prefix(run, frame, frame_len, refused_nested, &msg));
    /* the same cuts with Length fixed up: parse or refuse, never crash */
    FAIL_IF_NOT(each_prefix_relabelled(run, frame, 8, frame_len, parsed_or_invalid, &msg));
    PASS;
}

static int test_lying_lengths(void)
{
    load();
    /* Length past the frame: cut by the capture */
    frame[3] = 0xff;
    FAIL_IF_NOT(run(frame, frame_len) == OT_PARSE_TRUNC);
    /* Length below the header */
    load();
    frame[2] = 0;
    frame[3] = 7;
    FAIL_IF_NOT(run(frame, frame_len) == OT_PARSE_INVALID);
    /* Length shorter than the goosePdu it announces */
    load();
    frame[3] = 0x50;
    FAIL_IF_NOT(run(frame, frame_len) == OT_PARSE_INVALID);
    /* goosePdu length in long form overflowing (4 octets of 0xff) */
    load();
    static const uint8_t bomb[] = {0x00, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00,
                                   0x61, 0x84, 0xff, 0xff, 0xff, 0xff, 0x80, 0x00};
    FAIL_IF_NOT(run(bomb, sizeof(bomb)) == OT_PARSE_INVALID);
    /* five length octets */
    static const uint8_t five[] = {0x00, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00,
                                   0x61, 0x85, 0x00, 0x00, 0x00, 0x00, 0x02, 0x80};
    FAIL_IF_NOT(run(five, sizeof(five)) == OT_PARSE_INVALID);
    /* indefinite length */
    static const uint8_t indef[] = {0x00, 0x01, 0x00, 0x0e, 0x00, 0x00, 0x00,
                                    0x00, 0x61, 0x80, 0x80, 0x00, 0x00, 0x00};
    FAIL_IF_NOT(run(indef, sizeof(indef)) == OT_PARSE_INVALID);
    /* a field whose length runs past the PDU */
    load();
    frame[12] = 0x82; /* gocbRef length: the next two octets, 0x4745 */
    FAIL_IF_NOT(run(frame, frame_len) == OT_PARSE_INVALID);
    PASS;
}

static int test_zero_and_wrong_tag(void)
{
    FAIL_IF_NOT(run(NULL, 0) == OT_PARSE_TRUNC);
    static const uint8_t hdr_only[] = {0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00};
    FAIL_IF_NOT(run(hdr_only, sizeof(hdr_only)) == OT_PARSE_INVALID);
    /* [APPLICATION 1] primitive, and a universal SEQUENCE */
    static const uint8_t prim[] = {0x00, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x41, 0x00};
    FAIL_IF_NOT(run(prim, sizeof(prim)) == OT_PARSE_INVALID);
    static const uint8_t seq[] = {0x00, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00};
    FAIL_IF_NOT(run(seq, sizeof(seq)) == OT_PARSE_INVALID);
    /* an empty goosePdu parses, with every field missing */
    static const uint8_t empty[] = {0x00, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x61, 0x00};
    FAIL_IF_NOT(run(empty, sizeof(empty)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.anomaly && strcmp(msg.anomaly, "missing_field") == 0);
    PASS;
}

static int test_anomalies(void)
{
    /* numDatSetEntries says 8, allData holds 7 */
    load();
    for (size_t i = 0; i + 2 < frame_len; i++) {
        if (frame[i] == 0x8a && frame[i + 1] == 0x01 && frame[i + 2] == 0x08) {
            frame[i + 2] = 0x07;
            break;
        }
    }
    FAIL_IF_NOT(run(frame, frame_len) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.anomaly && strcmp(msg.anomaly, "num_dat_set_entries_mismatch") == 0);
    /* a bad field encoding: stNum with no content octets */
    static const uint8_t badst[] = {0x00, 0x01, 0x00, 0x0c, 0x00, 0x00,
                                    0x00, 0x00, 0x61, 0x02, 0x85, 0x00};
    FAIL_IF_NOT(run(badst, sizeof(badst)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.anomaly && kv_find(&msg, "st_num") == NULL);
    /* a constructed gocbRef */
    static const uint8_t cref[] = {0x00, 0x01, 0x00, 0x0c, 0x00, 0x00,
                                   0x00, 0x00, 0x61, 0x02, 0xa0, 0x00};
    FAIL_IF_NOT(run(cref, sizeof(cref)) == OT_PARSE_OK && msg.anomaly);
    /* an unknown and a duplicate field */
    static const uint8_t dup[] = {0x00, 0x01, 0x00, 0x13, 0x00, 0x00, 0x00, 0x00, 0x61, 0x09,
                                  0x85, 0x01, 0x01, 0x85, 0x01, 0x02, 0x9f, 0x1f, 0x00};
    FAIL_IF_NOT(run(dup, sizeof(dup)) == OT_PARSE_OK && msg.anomaly);
    FAIL_IF_NOT(kv_u64_is(&msg, "st_num", 1));
    /* a gocbRef with a byte outside VisibleString: kept, flagged */
    load();
    for (size_t i = 0; i + 3 < frame_len; i++) {
        if (frame[i] == 0x80 && frame[i + 1] == 0x1a) {
            frame[i + 3] = 0x07;
            break;
        }
    }
    FAIL_IF_NOT(run(frame, frame_len) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.anomaly && strcmp(msg.anomaly, "bad_field_encoding") == 0);
    FAIL_IF_NOT(kv_find(&msg, "gocb_ref") && kv_find(&msg, "gocb_ref")->len == 26);
    PASS;
}

static int test_depth_bomb(void)
{
    /* allData holding structures nested far deeper than BER_MAX_DEPTH */
    uint8_t p[8 + 2 + 2 + 2 * 40 + 3];
    size_t depth = 40, n = 0;
    size_t total = sizeof(p);
    p[n++] = 0x00;
    p[n++] = 0x01;
    p[n++] = (uint8_t)(total >> 8);
    p[n++] = (uint8_t)total;
    p[n++] = 0;
    p[n++] = 0;
    p[n++] = 0;
    p[n++] = 0;
    p[n++] = 0x61;
    p[n++] = (uint8_t)(total - 10);
    p[n++] = 0xab;
    p[n++] = (uint8_t)(total - 12);
    for (size_t i = 0; i < depth; i++) {
        p[n++] = 0xa2;
        p[n++] = (uint8_t)(2 * (depth - i - 1) + 3);
    }
    p[n++] = 0x83;
    p[n++] = 0x01;
    p[n++] = 0x01;
    FAIL_IF_NOT(n == total);
    FAIL_IF_NOT(run(p, n) == OT_PARSE_INVALID);
    FAIL_IF_NOT(tape_nests(&msg));
    PASS;
}

static int test_probe(void)
{
    load();
    FAIL_IF_NOT(goose_dissector.probe(frame, frame_len, false) == OT_PROBE_YES);
    FAIL_IF_NOT(goose_dissector.probe(frame, 4, false) == OT_PROBE_NEED_MORE);
    static const uint8_t junk[] = {0x45, 0x00, 0x00, 0x54, 0x00, 0x00, 0x40, 0x00, 0x40, 0x01};
    FAIL_IF_NOT(goose_dissector.probe(junk, sizeof(junk), false) == OT_PROBE_NO);
    FAIL_IF_NOT(goose_dissector.ethertype == 0x88b8 && goose_dissector.l4 == 0);
    FAIL_IF_NOT(goose_dissector.pdu_len == NULL);
    PASS;
}

static const struct unit_test tests[] = {
    {"valid", test_valid},
    {"padding_and_sim", test_padding_and_sim},
    {"truncated", test_truncated},
    {"lying_lengths", test_lying_lengths},
    {"zero_and_wrong_tag", test_zero_and_wrong_tag},
    {"anomalies", test_anomalies},
    {"depth_bomb", test_depth_bomb},
    {"probe", test_probe},
    {NULL, NULL},
};

UNIT_MAIN(tests)
