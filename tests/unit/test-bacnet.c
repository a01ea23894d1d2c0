/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests for the BACnet/IP dissector (dissectors/bacnet.c), through
 * its public table entry: probe, every BVLC function class, NPDU routing and
 * network layer messages, every APDU type, confirmed and unconfirmed services of
 * every operation class, written values, identity from I-Am / Who-Am-I /
 * ReadProperty(Multiple), Error / Reject / Abort, segmentation, truncation at
 * every byte and lying lengths.  Arrays marked with a capture name are taken from
 * ../shared/pcaps/bacnet/. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dissector-check.h"
#include "dissectors.h"
#include "registry-private.h"
#include "unit.h"

static struct ot_msg msg;
static uint8_t state[1 << 12];

static enum ot_parse parse_full(const uint8_t *p, size_t n, bool to_server, size_t claimed)
{
    struct ot_ctx ctx = {
        .ts_usec = 1,
        .to_server = to_server,
        .l4 = 17,
        .src_port = 47808,
        .dst_port = 47808,
        .pdu_truncated = claimed > n,
        .pdu_len = claimed,
        .flow_state = state,
    };
    return dissect(&bacnet_dissector, &ctx, p, n, &msg);
}

static enum ot_parse parse(const uint8_t *p, size_t n)
{
    return parse_full(p, n, true, n);
}

/* A BVLC message around p. */
static size_t bvlc(uint8_t *b, uint8_t fn, const uint8_t *p, size_t n)
{
    b[0] = 0x81;
    b[1] = fn;
    b[2] = (uint8_t)((n + 4) >> 8);
    b[3] = (uint8_t)(n + 4);
    if (n)
        memcpy(b + 4, p, n);
    return n + 4;
}

/* Original-Unicast-NPDU, local network, around an APDU. */
static size_t local(uint8_t *b, const uint8_t *apdu, size_t n)
{
    uint8_t t[1024];
    t[0] = 0x01;
    t[1] = 0x04;
    memcpy(t + 2, apdu, n);
    return bvlc(b, 0x0a, t, n + 2);
}

/* A cut datagram is refused, or decoded and flagged (a BVLC length longer
 * than the datagram is decoded when what remains holds together); its tape
 * stays balanced either way. */
static bool refused_or_flagged(enum ot_parse r, const struct ot_msg *m)
{
    return (refused(r, m) || (r == OT_PARSE_OK && m->anomaly)) && tape_balanced(m);
}

static bool prefixes_refused(const uint8_t *p, size_t n)
{
    return each_prefix(parse, p, n, refused_or_flagged, &msg);
}

/* bacnet_test.pcap frames 7, 8: readProperty(device,4194303 vendor-name) and its
 * ACK "JCI" in UCS-2. */
static const uint8_t rp_vendor_req[] = {0x81, 0x0a, 0x00, 0x11, 0x01, 0x04, 0x00, 0x05, 0x01,
                                        0x0c, 0x0c, 0x02, 0x3f, 0xff, 0xff, 0x19, 0x79};
static const uint8_t rp_vendor_ack[] = {0x81, 0x0a, 0x00, 0x1b, 0x01, 0x00, 0x30, 0x01, 0x0c,
                                        0x0c, 0x02, 0x3f, 0xff, 0xff, 0x19, 0x79, 0x3e, 0x75,
                                        0x07, 0x04, 0x00, 0x4a, 0x00, 0x43, 0x00, 0x49, 0x3f};
/* bacnet_test.pcap frame 16: model-name "MS-NAE4510-2". */
static const uint8_t rp_model_ack[] = {
    0x81, 0x0a, 0x00, 0x2d, 0x01, 0x00, 0x30, 0x01, 0x0c, 0x0c, 0x02, 0x3f, 0xff, 0xff, 0x19,
    0x46, 0x3e, 0x75, 0x19, 0x04, 0x00, 0x4d, 0x00, 0x53, 0x00, 0x2d, 0x00, 0x4e, 0x00, 0x41,
    0x00, 0x45, 0x00, 0x34, 0x00, 0x35, 0x00, 0x31, 0x00, 0x30, 0x00, 0x2d, 0x00, 0x32, 0x3f};
/* bacnet_segmented_data.pcap frame 5: I-Am device 0, vendor 154 (broadcast). */
static const uint8_t i_am[] = {0x81, 0x0b, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
                               0x00, 0x00, 0x00, 0x22, 0x04, 0x00, 0x91, 0x00, 0x21, 0x9a};
/* bacnet_example.pcap frames 572, 573, 579: a stack that writes BVLC length 17 in
 * every datagram: reinitializeDevice(abort-restore, password "Delcatty70") in 25
 * bytes, its Error (security / password-failure) in 13, a Simple-ACK in 9. */
static const uint8_t reinit_req[] = {0x81, 0x0a, 0x00, 0x11, 0x01, 0x04, 0x00, 0x05, 0x01,
                                     0x14, 0x09, 0x06, 0x1d, 0x0b, 0x00, 0x44, 0x65, 0x6c,
                                     0x63, 0x61, 0x74, 0x74, 0x79, 0x37, 0x30};
static const uint8_t reinit_error[] = {0x81, 0x0a, 0x00, 0x11, 0x01, 0x04, 0x50,
                                       0x01, 0x14, 0x91, 0x05, 0x91, 0x1a};
static const uint8_t reinit_ack[] = {0x81, 0x0a, 0x00, 0x11, 0x01, 0x04, 0x20, 0x04, 0x14};
/* bacnet_segmented_data.pcap frame 15 (head): a segmented readProperty ACK. */
static const uint8_t seg_ack_head[] = {0x81, 0x0a, 0x00, 0x1a, 0x01, 0x04, 0x3c, 0x5e, 0x00,
                                       0x03, 0x0c, 0x0c, 0x02, 0x00, 0x00, 0xfe, 0x19, 0x4c,
                                       0x3e, 0xc4, 0x00, 0xc0, 0x00, 0x00, 0xc4, 0x00};

static int test_probe(void)
{
    FAIL_IF_NOT(bacnet_dissector.probe(rp_vendor_req, sizeof rp_vendor_req, true) == OT_PROBE_YES);
    FAIL_IF_NOT(bacnet_dissector.probe(i_am, sizeof i_am, false) == OT_PROBE_YES);
    FAIL_IF_NOT(bacnet_dissector.probe(rp_vendor_req, 3, true) == OT_PROBE_NEED_MORE);
    FAIL_IF_NOT(bacnet_dissector.probe((const uint8_t *)"GET / HTTP/1.1\r\n", 16, true) ==
                OT_PROBE_NO);
    /* a BVLC length that differs from the datagram (some stacks send a fixed
     * one) is an anomaly parse() reports: claimed when the NPDU starts well */
    FAIL_IF_NOT(bacnet_dissector.probe(rp_vendor_req, sizeof rp_vendor_req - 1, true) ==
                OT_PROBE_YES);
    FAIL_IF_NOT(bacnet_dissector.probe(reinit_req, sizeof reinit_req, true) == OT_PROBE_YES);
    FAIL_IF_NOT(bacnet_dissector.probe(reinit_error, sizeof reinit_error, false) == OT_PROBE_YES);
    uint8_t b[32];
    memcpy(b, rp_vendor_req, sizeof rp_vendor_req);
    b[5] = 0x44; /* reserved NPDU control bit: length mismatch no longer vouched for */
    FAIL_IF_NOT(bacnet_dissector.probe(b, sizeof rp_vendor_req, true) == OT_PROBE_YES);
    FAIL_IF_NOT(bacnet_dissector.probe(b, sizeof rp_vendor_req + 1, true) == OT_PROBE_NO);
    b[5] = 0x04;
    FAIL_IF_NOT(bacnet_dissector.probe(b, 5, true) == OT_PROBE_NEED_MORE); /* cut NPDU */
    /* BVLL management functions carry no NPDU to check: the length must agree */
    uint8_t rfd[] = {0x81, 0x05, 0x00, 0x06, 0x00, 0x3c};
    FAIL_IF_NOT(bacnet_dissector.probe(rfd, sizeof rfd, true) == OT_PROBE_YES);
    FAIL_IF_NOT(bacnet_dissector.probe(rfd, sizeof rfd - 1, true) == OT_PROBE_NO);
    rfd[3] = 3; /* shorter than the BVLC header */
    FAIL_IF_NOT(bacnet_dissector.probe(rfd, sizeof rfd, true) == OT_PROBE_NO);
    b[4] = 2; /* NPDU version */
    FAIL_IF_NOT(bacnet_dissector.probe(b, sizeof rp_vendor_req, true) == OT_PROBE_NO);
    b[4] = 1;
    b[1] = 0x33; /* unknown BVLC function */
    FAIL_IF_NOT(bacnet_dissector.probe(b, sizeof rp_vendor_req, true) == OT_PROBE_NO);
    FAIL_IF_NOT(bacnet_dissector.pdu_len == NULL);
    PASS;
}

static int test_bvlc_management(void)
{
    uint8_t b[64];
    memset(state, 0, sizeof state);
    size_t n = bvlc(b, 0x05, (const uint8_t *)"\x00\x3c", 2);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x205, "Register-Foreign-Device", OT_OP_OTHER));
    FAIL_IF_NOT(kv_u64(&msg, "time_to_live") == 60 && msg.dir == OT_DIR_REQUEST);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED);
    uint32_t key = msg.txn_key;
    /* bacnet_test.pcap frame 26: Register-Foreign-Device NAK */
    n = bvlc(b, 0x00, (const uint8_t *)"\x00\x30", 2);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x200, "BVLC-Result", OT_OP_OTHER) && msg.txn_key == key);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.has_exception && msg.exception_code == 0x30);
    FAIL_IF_NOT(strcmp(msg.exception, "Register-Foreign-Device NAK") == 0);
    n = bvlc(b, 0x00, (const uint8_t *)"\x00\x00", 2);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && !msg.has_exception);
    n = bvlc(b, 0x02, NULL, 0);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x202, "Read-Broadcast-Distribution-Table", OT_OP_READ));
    uint8_t bdt[] = {192, 168, 1, 10, 0xba, 0xc0, 255, 255, 255, 255,
                     10,  0,   0, 1,  0xba, 0xc0, 255, 255, 255, 0};
    n = bvlc(b, 0x03, bdt, sizeof bdt);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(kv_u64(&msg, "entry_count") == 2 && kv_arr_len(&msg, "bdt") == 2);
    FAIL_IF_NOT(kv_str(&msg, "bdt", "") == false);
    n = bvlc(b, 0x01, bdt, sizeof bdt);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x201, "Write-Broadcast-Distribution-Table", OT_OP_WRITE));
    n = bvlc(b, 0x01, bdt, 15);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && anomaly_is(&msg, "bvlc_bad_table_length"));
    n = bvlc(b, 0x07, bdt, sizeof bdt);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && kv_arr_len(&msg, "fdt") == 2);
    n = bvlc(b, 0x08, bdt, 6);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x208, "Delete-Foreign-Device-Table-Entry", OT_OP_WRITE));
    FAIL_IF_NOT(kv_str(&msg, "fdt_entry", "192.168.1.10:47808"));
    n = bvlc(b, 0x06, NULL, 0);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK &&
                function_is(&msg, 0x206, "Read-Foreign-Device-Table", OT_OP_READ));
    n = bvlc(b, 0x0c, bdt, 8);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && function_is(&msg, 0x20c, "Secure-BVLL", OT_OP_AUTH));
    FAIL_IF_NOT(msg.pair == OT_PAIR_NONE);
    /* a BVLC-Result without its code, a Register without its TTL */
    n = bvlc(b, 0x00, NULL, 0);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_INVALID);
    n = bvlc(b, 0x05, NULL, 0);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && anomaly_is(&msg, "bvlc_bad_length"));
    FAIL_IF_NOT(tape_balanced(&msg));
    PASS;
}

static int test_forwarded_and_routing(void)
{
    uint8_t b[128];
    memset(state, 0, sizeof state);
    /* Forwarded-NPDU from 10.0.0.5:47808, routed to DNET 5 / DADR 0x21, from
     * SNET 7 / SADR 0x03: readProperty analog-input 3 present-value */
    uint8_t f[] = {10,   0,    0,    5,    0xba, 0xc0, 0x01, 0x2c, 0x00, 0x05,
                   0x01, 0x21, 0x00, 0x07, 0x01, 0x03, 0xff, 0x00, 0x05, 0x07,
                   0x0c, 0x0c, 0x00, 0x00, 0x00, 0x03, 0x19, 0x55};
    size_t n = bvlc(b, 0x04, f, sizeof f);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 12, "readProperty", OT_OP_READ));
    FAIL_IF_NOT(kv_str(&msg, "original_source", "10.0.0.5:47808"));
    FAIL_IF_NOT(kv_u64(&msg, "dnet") == 5 && kv_hex(&msg, "dadr", "\x21") &&
                kv_u64(&msg, "snet") == 7);
    FAIL_IF_NOT(kv_u64(&msg, "hop_count") == 255 && kv_bool_is(&msg, "expecting_reply", true));
    FAIL_IF_NOT(range_is(&msg, 0, "bacnet_object", 0, 3, 1) &&
                kv_str(&msg, "property_name", "present-value"));
    uint32_t key = msg.txn_key;
    /* the ACK comes back with the addresses mirrored: SNET 5 / SADR 0x21, DNET 7 */
    uint8_t a[] = {0x01, 0x28, 0x00, 0x07, 0x01, 0x03, 0x00, 0x05, 0x01, 0x21,
                   0xfe, 0x30, 0x07, 0x0c, 0x0c, 0x00, 0x00, 0x00, 0x03, 0x19,
                   0x55, 0x3e, 0x44, 0x42, 0x28, 0x00, 0x00, 0x3f};
    n = bvlc(b, 0x0a, a, sizeof a);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.txn_key == key && msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(function_is(&msg, 12, "readProperty", OT_OP_READ));
    FAIL_IF_NOT(kv_str(&msg, "value_type", "real") &&
                msg.n_values == 0); /* reads carry no values */
    /* the same invoke id from another remote device does not pair */
    a[9] = 0x22;
    n = bvlc(b, 0x0a, a, sizeof a);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && msg.txn_key != key);
    /* an NPDU of another version, reserved bits, SLEN 0 */
    uint8_t v2[] = {0x02, 0x00, 0x10, 0x08};
    n = bvlc(b, 0x0a, v2, sizeof v2);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_INVALID && anomaly_is(&msg, "bacnet_bad_npdu_version"));
    uint8_t rsv[] = {0x01, 0x40, 0x10, 0x08};
    n = bvlc(b, 0x0a, rsv, sizeof rsv);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && anomaly_is(&msg, "bacnet_npdu_reserved_bits"));
    uint8_t slen0[] = {0x01, 0x08, 0x00, 0x07, 0x00, 0x10, 0x08};
    n = bvlc(b, 0x0a, slen0, sizeof slen0);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && anomaly_is(&msg, "bacnet_empty_sadr"));
    /* a DLEN beyond the datagram */
    uint8_t dlen[] = {0x01, 0x20, 0xff, 0xff, 0x40, 0x01};
    n = bvlc(b, 0x0b, dlen, sizeof dlen);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_INVALID && anomaly_is(&msg, "bacnet_truncated_npdu"));
    FAIL_IF_NOT(prefixes_refused(b, n));
    PASS;
}

static int test_network_messages(void)
{
    uint8_t b[64];
    uint8_t who[] = {0x01, 0x80, 0x00, 0x00, 0x05};
    size_t n = bvlc(b, 0x0b, who, sizeof who);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x300, "Who-Is-Router-To-Network", OT_OP_DISCOVERY));
    FAIL_IF_NOT(kv_u64(&msg, "network") == 5 && msg.pair == OT_PAIR_NONE);
    uint8_t iam[] = {0x01, 0x80, 0x01, 0x00, 0x05, 0x00, 0x06, 0x01, 0x00};
    n = bvlc(b, 0x0b, iam, sizeof iam);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x301, "I-Am-Router-To-Network", OT_OP_DISCOVERY));
    FAIL_IF_NOT(kv_arr_len(&msg, "networks") == 3 && msg.dir == OT_DIR_RESPONSE);
    uint8_t rej[] = {0x01, 0x80, 0x03, 0x01, 0x00, 0x09};
    n = bvlc(b, 0x0a, rej, sizeof rej);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x303, "Reject-Message-To-Network", OT_OP_OTHER));
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 0x30001);
    FAIL_IF_NOT(kv_u64(&msg, "network") == 9);
    uint8_t init0[] = {0x01, 0x80, 0x06, 0x00};
    n = bvlc(b, 0x0a, init0, sizeof init0);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x306, "Initialize-Routing-Table", OT_OP_READ));
    uint8_t init1[] = {0x01, 0x80, 0x06, 0x01, 0x00, 0x0a, 0x01, 0x02, 0xaa, 0xbb};
    n = bvlc(b, 0x0a, init1, sizeof init1);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x306, "Initialize-Routing-Table", OT_OP_WRITE));
    FAIL_IF_NOT(kv_arr_len(&msg, "networks") == 1);
    init1[3] = 5; /* more ports than bytes */
    n = bvlc(b, 0x0a, init1, sizeof init1);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && anomaly_is(&msg, "bacnet_truncated_npdu"));
    FAIL_IF_NOT(tape_balanced(&msg));
    uint8_t prop[] = {0x01, 0x80, 0x90, 0x01, 0x04, 0xde, 0xad};
    n = bvlc(b, 0x0a, prop, sizeof prop);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && function_is(&msg, 0x390, NULL, OT_OP_OTHER));
    FAIL_IF_NOT(kv_u64(&msg, "vendor_id") == 260);
    uint8_t num[] = {0x01, 0x80, 0x13, 0x00, 0x2a, 0x01};
    n = bvlc(b, 0x0a, num, sizeof num);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK &&
                function_is(&msg, 0x313, "Network-Number-Is", OT_OP_DISCOVERY));
    FAIL_IF_NOT(kv_u64(&msg, "network") == 42);
    uint8_t trunc[] = {0x01, 0x80};
    n = bvlc(b, 0x0a, trunc, sizeof trunc);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_INVALID);
    PASS;
}

static int test_read_property_identity(void)
{
    memset(state, 0, sizeof state);
    FAIL_IF_NOT(parse(rp_vendor_req, sizeof rp_vendor_req) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 12, "readProperty", OT_OP_READ) && msg.dir == OT_DIR_REQUEST);
    FAIL_IF_NOT(range_is(&msg, 0, "bacnet_object", 8, 4194303, 1) &&
                kv_str(&msg, "property_name", "vendor-name"));
    FAIL_IF_NOT(kv_u64(&msg, "invoke_id") == 1 && msg.pair == OT_PAIR_KEYED);
    uint32_t key = msg.txn_key;
    FAIL_IF_NOT(parse_full(rp_vendor_ack, sizeof rp_vendor_ack, false, sizeof rp_vendor_ack) ==
                OT_PARSE_OK);
    FAIL_IF_NOT(msg.txn_key == key && msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(msg.identity.present && msg.identity.from_server);
    FAIL_IF_NOT(strcmp(msg.identity.vendor, "JCI") == 0);
    FAIL_IF_NOT(kv_str(&msg, "value", "JCI"));
    FAIL_IF_NOT(parse(rp_model_ack, sizeof rp_model_ack) == OT_PARSE_OK);
    FAIL_IF_NOT(strcmp(msg.identity.model, "MS-NAE4510-2") == 0);
    FAIL_IF_NOT(tape_balanced(&msg));
    /* object-name and firmware-revision in UTF-8 */
    uint8_t on[] = {0x30, 0x02, 0x0c, 0x0c, 0x02, 0x00, 0x00, 0x65, 0x19, 0x4d,
                    0x3e, 0x75, 0x05, 0x00, 'A',  'H',  'U',  '1',  0x3f};
    uint8_t b[64];
    size_t n = local(b, on, sizeof on);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && strcmp(msg.identity.name, "AHU1") == 0);
    on[9] = 0x2c;
    n = local(b, on, sizeof on);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && strcmp(msg.identity.firmware, "AHU1") == 0);
    /* not the device object: no identity */
    on[4] = 0x00;
    n = local(b, on, sizeof on);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && !msg.identity.present);
    /* vendor-identifier of a known vendor */
    uint8_t vid[] = {0x30, 0x02, 0x0c, 0x0c, 0x02, 0x00, 0x00,
                     0x65, 0x19, 0x78, 0x3e, 0x21, 0x05, 0x3f};
    n = local(b, vid, sizeof vid);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && strcmp(msg.identity.vendor, "Johnson Controls") == 0);
    /* a value whose closing tag is missing */
    n = local(b, on, sizeof on - 1);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && anomaly_is(&msg, "bacnet_bad_service_data"));
    FAIL_IF_NOT(tape_balanced(&msg));
    FAIL_IF_NOT(prefixes_refused(rp_vendor_req, sizeof rp_vendor_req));
    FAIL_IF_NOT(prefixes_refused(rp_vendor_ack, sizeof rp_vendor_ack));
    PASS;
}

static int test_write_property(void)
{
    uint8_t b[128];
    /* writeProperty analog-output 7 present-value REAL 42.5 priority 8 */
    uint8_t wp[] = {0x00, 0x05, 0x11, 0x0f, 0x0c, 0x00, 0x40, 0x00, 0x07, 0x19,
                    0x55, 0x3e, 0x44, 0x42, 0x2a, 0x00, 0x00, 0x3f, 0x49, 0x08};
    size_t n = local(b, wp, sizeof wp);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 15, "writeProperty", OT_OP_WRITE));
    FAIL_IF_NOT(range_is(&msg, 0, "bacnet_object", 1, 7, 1) && kv_u64(&msg, "priority") == 8);
    FAIL_IF_NOT(msg.n_values == 1 && msg.values[0].space_id == 1 && msg.values[0].addr == 7 &&
                msg.values[0].value == 42.5);
    FAIL_IF_NOT(!msg.anomaly && tape_balanced(&msg));
    FAIL_IF_NOT(prefixes_refused(b, n));
    /* another property: the address carries it */
    uint8_t oos[] = {0x00, 0x05, 0x12, 0x0f, 0x0c, 0x00, 0x40,
                     0x00, 0x07, 0x19, 0x51, 0x3e, 0x11, 0x3f};
    n = local(b, oos, sizeof oos);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && msg.n_values == 1);
    FAIL_IF_NOT(msg.values[0].addr == ((uint64_t)81 << 32 | 7) && msg.values[0].value == 1);
    /* NULL relinquishes the priority slot: no value */
    uint8_t rel[] = {0x00, 0x05, 0x13, 0x0f, 0x0c, 0x00, 0x40, 0x00,
                     0x07, 0x19, 0x55, 0x3e, 0x00, 0x3f, 0x49, 0x08};
    n = local(b, rel, sizeof rel);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && msg.n_values == 0 &&
                kv_bool_is(&msg, "relinquish", true));
    /* signed, unsigned, enumerated, double */
    uint8_t sg[] = {0x00, 0x05, 0x14, 0x0f, 0x0c, 0x00, 0x80, 0x00,
                    0x01, 0x19, 0x55, 0x3e, 0x31, 0xfe, 0x3f};
    n = local(b, sg, sizeof sg);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && msg.n_values == 1 && msg.values[0].value == -2);
    uint8_t db[] = {0x00, 0x05, 0x15, 0x0f, 0x0c, 0x00, 0x80, 0x00, 0x01, 0x19, 0x55, 0x3e,
                    0x55, 0x08, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18, 0x3f};
    n = local(b, db, sizeof db);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && msg.n_values == 1);
    FAIL_IF_NOT(msg.values[0].value > 3.14159 && msg.values[0].value < 3.1416);
    /* SimpleACK */
    uint8_t ack[] = {0x20, 0x11, 0x0f};
    n = local(b, ack, sizeof ack);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && function_is(&msg, 15, "writeProperty", OT_OP_WRITE));
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.pair == OT_PAIR_KEYED);
    PASS;
}

static int test_property_multiple(void)
{
    uint8_t b[256];
    /* RPM: device 101 {object-name, vendor-name}, analog-input 1 {present-value} */
    uint8_t rpm[] = {0x00, 0x05, 0x20, 0x0e, 0x0c, 0x02, 0x00, 0x00, 0x65, 0x1e, 0x09, 0x4d,
                     0x09, 0x79, 0x1f, 0x0c, 0x00, 0x00, 0x00, 0x01, 0x1e, 0x09, 0x55, 0x1f};
    size_t n = local(b, rpm, sizeof rpm);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 14, "readPropertyMultiple", OT_OP_READ));
    FAIL_IF_NOT(msg.n_ranges == 2 && range_is(&msg, 0, "bacnet_object", 8, 101, 1) &&
                range_is(&msg, 1, "bacnet_object", 0, 1, 1));
    FAIL_IF_NOT(kv_arr_len(&msg, "objects") == 2 && kv_arr_len(&msg, "properties") == 2);
    FAIL_IF_NOT(!msg.anomaly && tape_balanced(&msg));
    FAIL_IF_NOT(prefixes_refused(b, n));
    /* the ACK: object-name "AHU", vendor-name: an error (unknown-property) */
    uint8_t ack[] = {0x30, 0x20, 0x0e, 0x0c, 0x02, 0x00, 0x00, 0x65, 0x1e, 0x29,
                     0x4d, 0x4e, 0x75, 0x04, 0x00, 'A',  'H',  'U',  0x4f, 0x29,
                     0x79, 0x5e, 0x91, 0x02, 0x91, 0x20, 0x5f, 0x1f};
    n = local(b, ack, sizeof ack);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 14, "readPropertyMultiple", OT_OP_READ) &&
                msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(msg.identity.present && strcmp(msg.identity.name, "AHU") == 0);
    FAIL_IF_NOT(!msg.anomaly && tape_balanced(&msg));
    /* WPM: binary-output 3 present-value active priority 9, out-of-service false */
    uint8_t wpm[] = {0x00, 0x05, 0x21, 0x10, 0x0c, 0x01, 0x00, 0x00, 0x03, 0x1e, 0x09, 0x55,
                     0x2e, 0x91, 0x01, 0x2f, 0x39, 0x09, 0x09, 0x51, 0x2e, 0x10, 0x2f, 0x1f};
    n = local(b, wpm, sizeof wpm);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 16, "writePropertyMultiple", OT_OP_WRITE));
    FAIL_IF_NOT(msg.n_values == 2 && msg.values[0].addr == 3 && msg.values[0].value == 1);
    FAIL_IF_NOT(msg.values[1].addr == ((uint64_t)81 << 32 | 3) && msg.values[1].value == 0);
    FAIL_IF_NOT(!msg.anomaly && tape_balanced(&msg));
    /* a list whose closing tag never comes */
    n = local(b, wpm, sizeof wpm - 1);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && anomaly_is(&msg, "bacnet_bad_service_data"));
    FAIL_IF_NOT(tape_balanced(&msg));
    /* many objects: ranges and detail are capped, the tape stays balanced */
    uint8_t big[700];
    size_t k = 0;
    big[k++] = 0x00;
    big[k++] = 0x05;
    big[k++] = 0x22;
    big[k++] = 0x0e;
    for (uint32_t i = 0; i < 70; i++) {
        big[k++] = 0x0c;
        big[k++] = 0x00;
        big[k++] = 0x00;
        big[k++] = (uint8_t)(i >> 8);
        big[k++] = (uint8_t)(i * 2);
        big[k++] = 0x1e;
        big[k++] = 0x09;
        big[k++] = 0x55;
        big[k++] = 0x1f;
    }
    uint8_t huge[800];
    n = local(huge, big, k);
    FAIL_IF_NOT(parse(huge, n) == OT_PARSE_OK && msg.ranges_truncated && tape_balanced(&msg));
    FAIL_IF_NOT(kv_arr_len(&msg, "objects") == 6 && kv_bool_is(&msg, "objects_truncated", true));
    PASS;
}

static int test_control_and_file(void)
{
    uint8_t b[128];
    /* deviceCommunicationControl: 10 minutes, disable, password "secret" */
    uint8_t dcc[] = {0x00, 0x05, 0x30, 0x11, 0x09, 0x0a, 0x19, 0x01, 0x2d,
                     0x07, 0x00, 's',  'e',  'c',  'r',  'e',  't'};
    size_t n = local(b, dcc, sizeof dcc);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 17, "deviceCommunicationControl", OT_OP_CONTROL));
    FAIL_IF_NOT(kv_u64(&msg, "time_duration") == 10 &&
                kv_str(&msg, "enable_disable_name", "disable"));
    FAIL_IF_NOT(kv_bool_is(&msg, "password_present", true) && kv_u64(&msg, "password_length") == 6);
    /* the password itself is never copied */
    FAIL_IF(arena_has(&msg, "secret"));
    uint8_t ri[] = {0x00, 0x05, 0x31, 0x14, 0x09, 0x01};
    n = local(b, ri, sizeof ri);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 20, "reinitializeDevice", OT_OP_CONTROL));
    FAIL_IF_NOT(kv_str(&msg, "reinitialized_state_name", "warmstart") &&
                !kv_find(&msg, "password_present"));
    uint8_t ri_bad[] = {0x00, 0x05, 0x31, 0x14, 0x19, 0x01};
    n = local(b, ri_bad, sizeof ri_bad);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && anomaly_is(&msg, "bacnet_bad_service_data"));
    /* atomicWriteFile file 2, stream at 0, 5 bytes: a program download */
    uint8_t awf[] = {0x00, 0x05, 0x32, 0x07, 0xc4, 0x02, 0x80, 0x00, 0x02, 0x0e,
                     0x31, 0x00, 0x65, 0x05, 1,    2,    3,    4,    5,    0x0f};
    n = local(b, awf, sizeof awf);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 7, "atomicWriteFile", OT_OP_PROGRAM));
    FAIL_IF_NOT(range_is(&msg, 0, "bacnet_object", 10, 2, 1) && kv_u64(&msg, "data_length") == 5);
    FAIL_IF_NOT(kv_str(&msg, "access", "stream"));
    uint8_t arf[] = {0x00, 0x05, 0x33, 0x06, 0xc4, 0x02, 0x80, 0x00,
                     0x02, 0x0e, 0x31, 0x00, 0x22, 0x01, 0xe0, 0x0f};
    n = local(b, arf, sizeof arf);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 6, "atomicReadFile", OT_OP_FILE) &&
                kv_u64(&msg, "requested_count") == 480);
    uint8_t arf_ack[] = {0x30, 0x33, 0x06, 0x11, 0x0e, 0x31, 0x00, 0x65, 0x03, 9, 9, 9, 0x0f};
    n = local(b, arf_ack, sizeof arf_ack);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && kv_bool_is(&msg, "end_of_file", true) &&
                kv_u64(&msg, "data_length") == 3);
    uint8_t co[] = {0x00, 0x05, 0x34, 0x0a, 0x0e, 0x09, 0x02, 0x0f};
    n = local(b, co, sizeof co);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && function_is(&msg, 10, "createObject", OT_OP_WRITE));
    FAIL_IF_NOT(kv_str(&msg, "object_type_name", "analog-value"));
    uint8_t del[] = {0x00, 0x05, 0x35, 0x0b, 0xc4, 0x00, 0x80, 0x00, 0x09};
    n = local(b, del, sizeof del);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && function_is(&msg, 11, "deleteObject", OT_OP_WRITE));
    FAIL_IF_NOT(range_is(&msg, 0, "bacnet_object", 2, 9, 1));
    uint8_t sub[] = {0x00, 0x05, 0x36, 0x05, 0x09, 0x12, 0x1c, 0x00, 0x00, 0x00, 0x01};
    n = local(b, sub, sizeof sub);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && function_is(&msg, 5, "subscribeCOV", OT_OP_READ));
    FAIL_IF_NOT(range_is(&msg, 0, "bacnet_object", 0, 1, 1));
    uint8_t pt[] = {0x00, 0x05, 0x37, 0x12, 0x09, 0x07, 0x1a, 0x01, 0xff};
    n = local(b, pt, sizeof pt);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && kv_u64(&msg, "vendor_id") == 7 &&
                kv_u64(&msg, "service_number") == 511);
    PASS;
}

static int test_unconfirmed(void)
{
    uint8_t b[128];
    FAIL_IF_NOT(parse(i_am, sizeof i_am) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x100, "i-Am", OT_OP_DISCOVERY) && msg.pair == OT_PAIR_NONE);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && range_is(&msg, 0, "bacnet_object", 8, 0, 1));
    FAIL_IF_NOT(kv_u64(&msg, "max_apdu_length_accepted") == 1024 &&
                kv_u64(&msg, "vendor_id") == 154);
    FAIL_IF_NOT(kv_str(&msg, "segmentation_supported_name", "segmented-both"));
    FAIL_IF_NOT(!msg.identity.present); /* vendor 154 is not in the table */
    uint8_t iam2[sizeof i_am];
    memcpy(iam2, i_am, sizeof iam2);
    iam2[sizeof iam2 - 1] = 36; /* Tridium */
    FAIL_IF_NOT(parse(iam2, sizeof iam2) == OT_PARSE_OK && msg.identity.present);
    FAIL_IF_NOT(strcmp(msg.identity.vendor, "Tridium") == 0 && msg.identity.from_server);
    uint8_t iam_bad[] = {0x10, 0x00, 0xc4, 0x02, 0x00};
    size_t n = local(b, iam_bad, sizeof iam_bad);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_TRUNC || anomaly_is(&msg, "bacnet_bad_service_data"));
    FAIL_IF_NOT(prefixes_refused(i_am, sizeof i_am));
    /* Who-Is 10..20 */
    uint8_t whois[] = {0x10, 0x08, 0x09, 0x0a, 0x19, 0x14};
    n = local(b, whois, sizeof whois);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && function_is(&msg, 0x108, "who-Is", OT_OP_DISCOVERY));
    FAIL_IF_NOT(range_is(&msg, 0, "bacnet_object", 8, 10, 11) && kv_u64(&msg, "high_limit") == 20);
    uint8_t whois_all[] = {0x10, 0x08};
    n = local(b, whois_all, sizeof whois_all);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && msg.n_ranges == 0 && !msg.anomaly);
    uint8_t whohas[] = {0x10, 0x07, 0x3d, 0x04, 0x00, 'A', 'H', 'U'};
    n = local(b, whohas, sizeof whohas);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && kv_str(&msg, "object_name", "AHU"));
    uint8_t ts[] = {0x10, 0x06, 0xa4, 0x7c, 0x01, 0x1d, 0x01, 0xb4, 0x09, 0x02, 0x2c, 0x00};
    n = local(b, ts, sizeof ts);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK &&
                function_is(&msg, 0x106, "timeSynchronization", OT_OP_TIME_SYNC));
    FAIL_IF_NOT(kv_str(&msg, "time", "2024-01-29T09:02:44.00"));
    uint8_t wg[] = {0x10, 0x0a, 0x09, 0x05, 0x19, 0x08, 0x2e, 0x2f};
    n = local(b, wg, sizeof wg);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && function_is(&msg, 0x10a, "writeGroup", OT_OP_WRITE));
    FAIL_IF_NOT(kv_u64(&msg, "group_number") == 5);
    uint8_t cov[] = {0x10, 0x02, 0x09, 0x01, 0x1c, 0x02, 0x00, 0x00, 0x02, 0x2c, 0x00, 0xc0,
                     0x00, 0x04, 0x39, 0x00, 0x4e, 0x09, 0x55, 0x2e, 0x91, 0x00, 0x2f, 0x4f};
    n = local(b, cov, sizeof cov);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x102, "unconfirmedCOVNotification", OT_OP_OTHER));
    FAIL_IF_NOT(range_is(&msg, 0, "bacnet_object", 3, 4, 1) &&
                kv_u64(&msg, "initiating_device") == 2);
    uint8_t wai[] = {0x10, 0x0d, 0x21, 0x24, 0x75, 0x05, 0x00, 'M', 'o',
                     'd',  'l',  0x75, 0x04, 0x00, 'S',  'N',  '1'};
    n = local(b, wai, sizeof wai);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK &&
                function_is(&msg, 0x10d, "who-Am-I", OT_OP_DISCOVERY));
    FAIL_IF_NOT(strcmp(msg.identity.model, "Modl") == 0 && strcmp(msg.identity.serial, "SN1") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.vendor, "Tridium") == 0);
    uint8_t unknown[] = {0x10, 0x63};
    n = local(b, unknown, sizeof unknown);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && function_is(&msg, 0x163, NULL, OT_OP_OTHER));
    FAIL_IF_NOT(tape_balanced(&msg));
    PASS;
}

static int test_error_reject_abort(void)
{
    uint8_t b[64];
    memset(state, 0, sizeof state);
    /* bacnet_error_reject_abort.pcap frame 43: Error reinitializeDevice,
     * services / password-failure */
    uint8_t err[] = {0x50, 0x34, 0x14, 0x91, 0x05, 0x91, 0x1a};
    size_t n = local(b, err, sizeof err);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 20, "reinitializeDevice", OT_OP_CONTROL) &&
                msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 26);
    FAIL_IF_NOT(strcmp(msg.exception, "password-failure") == 0);
    FAIL_IF_NOT(kv_str(&msg, "error_class_name", "services"));
    /* an error nested in the service's error choice (writePropertyMultiple) */
    uint8_t err2[] = {0x50, 0x35, 0x10, 0x0e, 0x91, 0x02, 0x91, 0x28,
                      0x0f, 0x1e, 0x0c, 0x00, 0x00, 0x00, 0x01, 0x1f};
    n = local(b, err2, sizeof err2);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && msg.exception_code == 40);
    /* services / reject-unrecognized-service (67), as @bacnet-js/client answers a
     * service it has no handler for (tests/pcaps/bacnet-bacnet-js.pcap) */
    uint8_t err67[] = {0x50, 0x0a, 0x06, 0x91, 0x05, 0x91, 0x43};
    n = local(b, err67, sizeof err67);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && msg.exception_code == 67);
    FAIL_IF_NOT(strcmp(msg.exception, "reject-unrecognized-service") == 0);
    uint8_t err3[] = {0x50, 0x35, 0x10, 0x91};
    n = local(b, err3, sizeof err3);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && anomaly_is(&msg, "bacnet_bad_error"));
    /* a confirmed request, then its Reject: named after the request */
    uint8_t rq[] = {0x00, 0x05, 0x3a, 0x0c, 0x0c, 0x02, 0x00, 0x00, 0x01, 0x19, 0x4d};
    n = local(b, rq, sizeof rq);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK);
    uint32_t key = msg.txn_key;
    uint8_t rej[] = {0x60, 0x3a, 0x09};
    n = local(b, rej, sizeof rej);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && msg.txn_key == key);
    FAIL_IF_NOT(function_is(&msg, 12, "readProperty", OT_OP_READ));
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 0x10009);
    FAIL_IF_NOT(strcmp(msg.exception, "unrecognized-service") == 0);
    /* a Reject with no request seen: no function */
    uint8_t rej2[] = {0x60, 0x77, 0x04};
    n = local(b, rej2, sizeof rej2);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && !msg.has_function && msg.exception_code == 0x10004);
    /* Abort from the server pairs; from the client it is a request of its own */
    uint8_t ab[] = {0x71, 0x3a, 0x04};
    n = local(b, ab, sizeof ab);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && msg.pair == OT_PAIR_KEYED && msg.txn_key == key);
    FAIL_IF_NOT(msg.exception_code == 0x20004 &&
                strcmp(msg.exception, "segmentation-not-supported") == 0);
    uint8_t abc[] = {0x70, 0x3a, 0x00};
    n = local(b, abc, sizeof abc);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && msg.pair == OT_PAIR_NONE &&
                msg.dir == OT_DIR_REQUEST);
    /* APDU types 8-15 do not exist; an APDU cut inside its header */
    uint8_t bad[] = {0x90, 0x00};
    n = local(b, bad, sizeof bad);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_INVALID && anomaly_is(&msg, "bacnet_bad_apdu_type"));
    uint8_t cut[] = {0x00, 0x05};
    n = local(b, cut, sizeof cut);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_INVALID && anomaly_is(&msg, "bacnet_truncated_apdu"));
    uint8_t empty[] = {0x01, 0x04};
    n = bvlc(b, 0x0a, empty, sizeof empty);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_INVALID);
    PASS;
}

static int test_segmentation(void)
{
    uint8_t b[64];
    memset(state, 0, sizeof state);
    /* a segmented ACK's first segment pairs; its values may be cut */
    FAIL_IF_NOT(parse(seg_ack_head, sizeof seg_ack_head) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 12, "readProperty", OT_OP_READ) && msg.pair == OT_PAIR_KEYED);
    FAIL_IF_NOT(kv_bool_is(&msg, "segmented", true) && kv_bool_is(&msg, "more_follows", true) &&
                kv_u64(&msg, "window_size") == 3);
    FAIL_IF_NOT(!msg.anomaly && range_is(&msg, 0, "bacnet_object", 8, 254, 1));
    /* a later segment is a record of its own */
    uint8_t later[] = {0x3c, 0x5e, 0x01, 0x03, 0x0c, 0xc4, 0x00};
    size_t n = local(b, later, sizeof later);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && msg.pair == OT_PAIR_NONE);
    FAIL_IF_NOT(kv_u64(&msg, "sequence_number") == 1 &&
                function_is(&msg, 12, "readProperty", OT_OP_READ));
    /* bacnet_segmented_data.pcap frame 16: Segment-ACK */
    uint8_t sack[] = {0x40, 0x5e, 0x00, 0x03};
    n = local(b, sack, sizeof sack);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && msg.pair == OT_PAIR_NONE);
    FAIL_IF_NOT(kv_u64(&msg, "sequence_number") == 0 && msg.dir == OT_DIR_REQUEST);
    /* a segmented confirmed request: first and later segments */
    uint8_t sreq[] = {0x0c, 0x05, 0x40, 0x00, 0x04, 0x07, 0xc4, 0x02, 0x80, 0x00};
    n = local(b, sreq, sizeof sreq);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && msg.pair == OT_PAIR_KEYED && !msg.anomaly);
    FAIL_IF_NOT(function_is(&msg, 7, "atomicWriteFile", OT_OP_PROGRAM));
    sreq[3] = 1;
    n = local(b, sreq, sizeof sreq);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && msg.pair == OT_PAIR_NONE);
    PASS;
}

static int test_lying_lengths(void)
{
    uint8_t b[128] = {0};
    FAIL_IF_NOT(parse(b, 0) == OT_PARSE_TRUNC);
    memcpy(b, rp_vendor_req, sizeof rp_vendor_req);
    b[0] = 0x82; /* BACnet/IPv6 or anything else */
    FAIL_IF_NOT(parse(b, sizeof rp_vendor_req) == OT_PARSE_NOT_MINE);
    b[0] = 0x81;
    b[1] = 0x20;
    FAIL_IF_NOT(parse(b, sizeof rp_vendor_req) == OT_PARSE_INVALID);
    b[1] = 0x0a;
    b[3] = 3; /* BVLC length below its own header */
    FAIL_IF_NOT(parse(b, sizeof rp_vendor_req) == OT_PARSE_INVALID);
    /* BVLC length shorter than the datagram: trailing bytes */
    memcpy(b, rp_vendor_req, sizeof rp_vendor_req);
    b[sizeof rp_vendor_req] = 0x00;
    FAIL_IF_NOT(parse(b, sizeof rp_vendor_req + 1) == OT_PARSE_OK &&
                anomaly_is(&msg, "bvlc_trailing_bytes"));
    /* BVLC length longer than the datagram: decoded and flagged when whole */
    b[3] = 0x20;
    FAIL_IF_NOT(parse(b, sizeof rp_vendor_req) == OT_PARSE_OK &&
                anomaly_is(&msg, "bvlc_length_mismatch"));
    FAIL_IF_NOT(function_is(&msg, 12, "readProperty", OT_OP_READ));
    /* ... unless the engine says the capture cut it: no anomaly then */
    FAIL_IF_NOT(parse_full(b, sizeof rp_vendor_req, true, 0x20) == OT_PARSE_OK && !msg.anomaly);
    FAIL_IF_NOT(kv_bool_is(&msg, "truncated", true));
    /* ... and a trailing byte that adds nothing to the reading: still trailing */
    memcpy(b, rp_vendor_req, sizeof rp_vendor_req);
    b[sizeof rp_vendor_req] = 0x29;
    FAIL_IF_NOT(parse(b, sizeof rp_vendor_req + 1) == OT_PARSE_OK &&
                anomaly_is(&msg, "bvlc_trailing_bytes"));
    /* a length that cuts the message short: the datagram, read whole, holds
     * the password the declared length cuts */
    FAIL_IF_NOT(parse(reinit_req, sizeof reinit_req) == OT_PARSE_OK &&
                anomaly_is(&msg, "bvlc_length_mismatch"));
    FAIL_IF_NOT(function_is(&msg, 20, "reinitializeDevice", OT_OP_CONTROL) &&
                msg.dir == OT_DIR_REQUEST);
    FAIL_IF_NOT(kv_u64(&msg, "length") == 17 && kv_u64(&msg, "reinitialized_state") == 6);
    FAIL_IF_NOT(kv_bool_is(&msg, "password_present", true) &&
                kv_u64(&msg, "password_length") == 10);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && tape_balanced(&msg));
    uint32_t key = msg.txn_key;
    /* its answers, shorter than the length they declare: decoded, flagged, paired */
    FAIL_IF_NOT(parse_full(reinit_error, sizeof reinit_error, false, sizeof reinit_error) ==
                    OT_PARSE_OK &&
                anomaly_is(&msg, "bvlc_length_mismatch"));
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.txn_key == key && msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(strcmp(msg.exception, "password-failure") == 0);
    FAIL_IF_NOT(parse_full(reinit_ack, sizeof reinit_ack, false, sizeof reinit_ack) ==
                    OT_PARSE_OK &&
                anomaly_is(&msg, "bvlc_length_mismatch"));
    FAIL_IF_NOT(function_is(&msg, 20, "reinitializeDevice", OT_OP_CONTROL) && msg.txn_key != key);
    /* a longer datagram that reads no further whole: the declared length rules */
    memcpy(b, reinit_req, sizeof reinit_req);
    b[13] = 0x20; /* the password string now runs past the datagram */
    FAIL_IF_NOT(parse(b, sizeof reinit_req) == OT_PARSE_OK &&
                anomaly_is(&msg, "bvlc_trailing_bytes"));
    FAIL_IF_NOT(function_is(&msg, 20, "reinitializeDevice", OT_OP_CONTROL));
    FAIL_IF_NOT(!kv_find(&msg, "password_present") && tape_balanced(&msg));
    /* a tag with a 32-bit length far past the data */
    uint8_t t32[] = {0x00, 0x05, 0x40, 0x0c, 0x0d, 0xff, 0xff, 0xff, 0xff, 0xff};
    size_t n = local(b, t32, sizeof t32);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && anomaly_is(&msg, "bacnet_bad_service_data"));
    /* an extended tag number, then opening tags nested past the cap */
    uint8_t deep[80];
    size_t k = 0;
    memcpy(deep, "\x00\x05\x41\x0f\x0c\x00\x00\x00\x01\x19\x55", 11);
    k = 11;
    for (int i = 0; i < 40; i++)
        deep[k++] = 0x3e;
    n = local(b, deep, k);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && anomaly_is(&msg, "bacnet_bad_service_data"));
    FAIL_IF_NOT(tape_balanced(&msg));
    uint8_t ext[] = {0x00, 0x05, 0x42, 0x0c, 0xf9, 0x40, 0x00, 0x00, 0x00, 0x01};
    n = local(b, ext, sizeof ext);
    FAIL_IF_NOT(parse(b, n) == OT_PARSE_OK && anomaly_is(&msg, "bacnet_bad_service_data"));
    PASS;
}

static const struct unit_test tests[] = {
    {"probe accepts BACnet/IP, refuses others", test_probe},
    {"BVLC management functions and results", test_bvlc_management},
    {"Forwarded-NPDU, routed addresses, pairing", test_forwarded_and_routing},
    {"network layer messages", test_network_messages},
    {"readProperty and device identity", test_read_property_identity},
    {"writeProperty values and priority", test_write_property},
    {"read/writePropertyMultiple", test_property_multiple},
    {"control, file and object services", test_control_and_file},
    {"unconfirmed services", test_unconfirmed},
    {"Error, Reject, Abort", test_error_reject_abort},
    {"segmentation", test_segmentation},
    {"lying lengths, zero bytes, foreign types", test_lying_lengths},
    {NULL, NULL},
};

UNIT_MAIN(tests)
