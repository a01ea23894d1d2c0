/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests for the PROFINET DCP dissector (dissectors/pndcp.c),
 * through its public table entry: Identify (all selector and name filter),
 * Identify responses with identity, Set IP and its response, Get, Hello,
 * control blocks (signal, factory reset), errors, RT cyclic / alarm / PTCP
 * frames consumed without a record, lying block lengths and truncation at
 * every byte.  Arrays named after a capture frame are copied from
 * ../shared/pcaps/profinet (the bytes after the ethertype). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dissector-check.h"
#include "dissectors.h"
#include "registry-private.h"
#include "unit.h"

static struct ot_msg msg;

/* The pairing key of a DCP exchange: the Xid and the service. */
static uint32_t dcp_key(uint32_t xid, uint8_t service)
{
    return (xid * 16777619u) ^ service;
}

static enum ot_parse parse(const uint8_t *p, size_t n)
{
    struct ot_ctx ctx = {
        .ts_usec = 1,
        .to_server = true,
        .l4 = 0,
        .pdu_truncated = false,
        .pdu_len = n,
        .flow_state = NULL,
    };
    return dissect(&pndcp_dissector, &ctx, p, n, &msg);
}

/* --- a builder for hand-made frames ---------------------------------------- */

static uint8_t frame_bytes[1500];
static struct pdu_buf F = {frame_bytes, sizeof(frame_bytes), 0};

/* FrameID and DCP header; DCPDataLength patched by fdone(). */
static void fbegin(uint16_t frame, uint8_t service, uint8_t type, uint32_t xid)
{
    F.n = 0;
    put_be16(&F, frame);
    put_u8(&F, service);
    put_u8(&F, type);
    put_be32(&F, xid);
    put_be16(&F, 0);
    put_be16(&F, 0);
}

static void fblock(uint8_t opt, uint8_t sub, const void *data, uint16_t n)
{
    put_u8(&F, opt);
    put_u8(&F, sub);
    put_be16(&F, n);
    const uint8_t *p = data;
    for (uint16_t i = 0; i < n; i++)
        put_u8(&F, p[i]);
    if (n & 1)
        put_u8(&F, 0);
}

static size_t fdone(void)
{
    size_t len = F.n - 12;
    F.b[10] = (uint8_t)(len >> 8);
    F.b[11] = (uint8_t)len;
    return F.n;
}

/* ChangeIPUsingDCP.pcap frame 1, after the ethertype 0x8892 */
static const uint8_t identify_all[] = {
    0xfe, 0xfe, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x04, 0xff, 0xff,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* ChangeIPUsingDCP.pcap frame 2, after the ethertype 0x8892 */
static const uint8_t identify_rsp[] = {
    0xfe, 0xff, 0x05, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x5e, 0x02, 0x05, 0x00, 0x1c,
    0x00, 0x00, 0x01, 0x01, 0x01, 0x02, 0x02, 0x01, 0x02, 0x02, 0x02, 0x03, 0x02, 0x04, 0x02, 0x05,
    0x03, 0x3d, 0x05, 0x01, 0x05, 0x02, 0x05, 0x03, 0x05, 0x04, 0xff, 0xff, 0x02, 0x01, 0x00, 0x05,
    0x00, 0x00, 0x49, 0x4e, 0x43, 0x00, 0x02, 0x02, 0x00, 0x0b, 0x00, 0x00, 0x58, 0x32, 0x30, 0x38,
    0x2d, 0x42, 0x4f, 0x52, 0x44, 0x00, 0x02, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x2a, 0x0a, 0x01,
    0x02, 0x04, 0x00, 0x04, 0x00, 0x00, 0x01, 0x00, 0x01, 0x02, 0x00, 0x0e, 0x00, 0x01, 0xc0, 0xa8,
    0x00, 0x06, 0xff, 0xff, 0xff, 0x00, 0xc0, 0xa8, 0x00, 0x01,
};

/* ChangeIPUsingDCP.pcap frame 3, after the ethertype 0x8892 */
static const uint8_t set_ip[] = {
    0xfe, 0xfd, 0x04, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x12, 0x01, 0x02,
    0x00, 0x0e, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0x0a, 0xff, 0xff, 0xff, 0x00, 0xc0, 0xa8,
    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* ChangeIPUsingDCP.pcap frame 4, after the ethertype 0x8892 */
static const uint8_t set_rsp[] = {
    0xfe, 0xfd, 0x04, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08, 0x05, 0x04, 0x00, 0x03,
    0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* PROFINET-RT.pcap frame 1, after the ethertype 0x8892 */
static const uint8_t identify_name[] = {
    0xfe, 0xfe, 0x05, 0x00, 0x03, 0x00, 0xbf, 0x9a, 0x00, 0x01, 0x00, 0x0c, 0x02, 0x02,
    0x00, 0x07, 0x73, 0x77, 0x69, 0x74, 0x63, 0x68, 0x33, 0x00, 0x69, 0x65, 0x6d, 0x65,
    0x6e, 0x73, 0x2c, 0x20, 0x53, 0x49, 0x4d, 0x41, 0x54, 0x49, 0x00, 0x00, 0x00, 0x00,
};

/* profinet_io_cm_mixed_1.pcap frame 466, after the ethertype 0x8892 */
static const uint8_t identify_rsp_versamax[] = {
    0xfe, 0xff, 0x05, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x64, 0x02, 0x02, 0x00, 0x10,
    0x00, 0x00, 0x76, 0x65, 0x72, 0x73, 0x61, 0x6d, 0x61, 0x78, 0x2d, 0x70, 0x6e, 0x73, 0x31, 0x31,
    0x02, 0x05, 0x00, 0x0e, 0x00, 0x00, 0x01, 0x02, 0x02, 0x01, 0x02, 0x02, 0x02, 0x03, 0x02, 0x04,
    0x06, 0x01, 0x02, 0x01, 0x00, 0x0d, 0x00, 0x00, 0x49, 0x43, 0x32, 0x30, 0x30, 0x50, 0x4e, 0x53,
    0x30, 0x30, 0x31, 0x00, 0x02, 0x03, 0x00, 0x06, 0x00, 0x00, 0x01, 0x5a, 0x00, 0x03, 0x02, 0x04,
    0x00, 0x04, 0x00, 0x00, 0x01, 0x00, 0x01, 0x02, 0x00, 0x0e, 0x00, 0x01, 0xc0, 0xa8, 0x01, 0x02,
    0xff, 0xff, 0xff, 0x00, 0xc0, 0xa8, 0x01, 0x02, 0x06, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,
};

/* profinet_io_cm_mixed_1.pcap frame 495, after the ethertype 0x8892 */
static const uint8_t rt_cyclic[] = {
    0xc0, 0x00, 0x80, 0x00, 0x00, 0x80, 0x80, 0x80, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x80, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc6, 0xe0, 0x35, 0x00,
};

/* profinet_io_cm_mixed_1.pcap frame 584, after the ethertype 0x8892 */
static const uint8_t alarm_low[] = {
    0xfe, 0x01, 0x80, 0x01, 0x80, 0x01, 0x14, 0x01, 0xff, 0xff, 0xff, 0xfe, 0x00, 0x04, 0xcf, 0x81,
    0xfd, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* profinet_io_cm_mixed_1.pcap frame 34, after the ethertype 0x8892 */
static const uint8_t ptcp_delay[] = {
    0xff, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1c,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x06, 0x00, 0x09, 0x91, 0x43, 0xe0, 0x68, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* --- tests ---------------------------------------------------------------- */

static int test_table_entry(void)
{
    FAIL_IF_NOT(strcmp(pndcp_dissector.name, "profinet_dcp") == 0);
    FAIL_IF_NOT(pndcp_dissector.proto == OT_PROTO_PROFINET_DCP);
    FAIL_IF_NOT(pndcp_dissector.l4 == 0 && pndcp_dissector.ethertype == 0x8892);
    FAIL_IF_NOT(pndcp_dissector.ports[0] == 0 && pndcp_dissector.pdu_len == NULL);
    FAIL_IF_NOT(pndcp_dissector.flow_state_size == 0);
    FAIL_IF_NOT(pndcp_dissector.probe(identify_all, sizeof(identify_all), true) == OT_PROBE_YES);
    FAIL_IF_NOT(pndcp_dissector.probe(rt_cyclic, sizeof(rt_cyclic), true) == OT_PROBE_NO);
    FAIL_IF_NOT(pndcp_dissector.probe(identify_all, 4, true) == OT_PROBE_NEED_MORE);
    PASS;
}

static int test_identify(void)
{
    FAIL_IF_NOT(parse(identify_all, sizeof(identify_all)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 5 && strcmp(msg.function, "Identify") == 0);
    FAIL_IF_NOT(msg.op_class == OT_OP_DISCOVERY && msg.dir == OT_DIR_REQUEST);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.txn_key == dcp_key(0x01000001, 5));
    FAIL_IF_NOT(kv_str(&msg, "service_type", "request") && kv_u64(&msg, "response_delay") == 1);
    FAIL_IF_NOT(kv_any_str(&msg, "all_selector") && !msg.identity.present);
    FAIL_IF(msg.anomaly);

    FAIL_IF_NOT(parse(identify_rsp, sizeof(identify_rsp)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 5 && msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(msg.txn_key == dcp_key(0x01000001, 5) &&
                kv_str(&msg, "service_type", "response_success"));
    FAIL_IF_NOT(msg.identity.present && msg.identity.from_server);
    FAIL_IF_NOT(strcmp(msg.identity.name, "X208-BORD") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.product, "INC") == 0);
    FAIL_IF_NOT(kv_str(&msg, "name_of_station", "X208-BORD") &&
                kv_str(&msg, "type_of_station", "INC"));
    FAIL_IF_NOT(kv_u64(&msg, "vendor_id") == 0x002a && kv_u64(&msg, "device_id") == 0x0a01);
    FAIL_IF_NOT(kv_any_str(&msg, "io_device"));
    FAIL_IF_NOT(kv_str(&msg, "ip", "192.168.0.6") && kv_str(&msg, "netmask", "255.255.255.0"));
    FAIL_IF_NOT(kv_str(&msg, "gateway", "192.168.0.1") && kv_bool(&msg, "ip_set") == 1);
    FAIL_IF_NOT(kv_u64(&msg, "device_options_count") == 13);
    FAIL_IF(msg.anomaly || msg.has_exception);

    /* A name filter: the name is the filter, not the sender's identity. */
    FAIL_IF_NOT(parse(identify_name, sizeof(identify_name)) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_str(&msg, "name_of_station", "switch3") && !msg.identity.present);
    FAIL_IF_NOT(msg.txn_key == dcp_key(0x0300bf9a, 5));

    FAIL_IF_NOT(parse(identify_rsp_versamax, sizeof(identify_rsp_versamax)) == OT_PARSE_OK);
    FAIL_IF_NOT(strcmp(msg.identity.name, "versamax-pns11") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.product, "IC200PNS001") == 0);
    FAIL_IF_NOT(kv_bool(&msg, "issue_hello") == 1 && kv_str(&msg, "ip", "192.168.1.2"));
    PASS;
}

static int test_set_ip(void)
{
    FAIL_IF_NOT(parse(set_ip, sizeof(set_ip)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 4 && strcmp(msg.function, "Set") == 0);
    FAIL_IF_NOT(msg.op_class == OT_OP_CONTROL && msg.dir == OT_DIR_REQUEST);
    /* the same Xid as the Identify before it: the service tells them apart */
    FAIL_IF_NOT(msg.txn_key == dcp_key(0x01000001, 4) && kv_u64(&msg, "qualifier") == 1);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.txn_key != dcp_key(0x01000001, 5));
    FAIL_IF_NOT(kv_str(&msg, "ip", "192.168.0.10") && !msg.identity.present);
    FAIL_IF_NOT(parse(set_rsp, sizeof(set_rsp)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 4 && msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.txn_key == dcp_key(0x01000001, 4));
    FAIL_IF_NOT(kv_str(&msg, "suboption", "ip_parameter") && kv_u64(&msg, "block_error") == 0);
    FAIL_IF(msg.has_exception);

    /* Setting the name of station; the answer refuses it. */
    fbegin(0xfefd, 4, 0, 77);
    static const uint8_t name[] = {0x00, 0x01, 'p', 'l', 'c', '-', '1'};
    fblock(2, 2, name, sizeof(name));
    size_t n = fdone();
    FAIL_IF_NOT(parse(F.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_str(&msg, "set_name_of_station", "plc-1") && !msg.identity.present);
    FAIL_IF_NOT(kv_find(&msg, "name_of_station") == NULL);
    fbegin(0xfefd, 4, 1, 77);
    static const uint8_t refused[] = {0x02, 0x02, 0x06};
    fblock(5, 4, refused, sizeof(refused));
    n = fdone();
    FAIL_IF_NOT(parse(F.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 6);
    FAIL_IF_NOT(strcmp(msg.exception, "set_not_possible_in_operation") == 0);
    FAIL_IF_NOT(kv_str(&msg, "suboption", "name_of_station"));

    /* NameOfStation is at most 240 octets (4.3.1.4.14): a longer one is
     * written cut at 240 and flagged, with its length */
    uint8_t longname[2 + 300];
    longname[0] = 0x00;
    longname[1] = 0x01;
    memset(longname + 2, 'a', 300);
    for (size_t len = 240; len <= 300; len += 60) {
        fbegin(0xfefd, 4, 0, 78);
        fblock(2, 2, longname, (uint16_t)(2 + len));
        n = fdone();
        FAIL_IF_NOT(parse(F.b, n) == OT_PARSE_OK);
        const struct ot_kv *kv = kv_find(&msg, "set_name_of_station");
        FAIL_IF_NOT(kv && kv->len == 240);
        if (len == 240) {
            FAIL_IF(msg.anomaly || kv_find(&msg, "name_of_station_length"));
        } else {
            FAIL_IF_NOT(msg.anomaly && strcmp(msg.anomaly, "name_of_station_too_long") == 0);
            FAIL_IF_NOT(kv_u64(&msg, "name_of_station_length") == len);
        }
    }
    /* ... in an Identify answer too */
    fbegin(0xfeff, 5, 1, 79);
    longname[1] = 0x00;
    fblock(2, 2, longname, 2 + 241);
    n = fdone();
    FAIL_IF_NOT(parse(F.b, n) == OT_PARSE_OK && msg.identity.present);
    FAIL_IF_NOT(msg.anomaly && strcmp(msg.anomaly, "name_of_station_too_long") == 0);
    FAIL_IF_NOT(kv_u64(&msg, "name_of_station_length") == 241);
    PASS;
}

static int test_control(void)
{
    /* Set Signal (flash the LED), then a factory reset in one request. */
    fbegin(0xfefd, 4, 0, 9);
    static const uint8_t start[] = {0x00, 0x00};
    static const uint8_t signal[] = {0x00, 0x00, 0x01, 0x00};
    static const uint8_t reset[] = {0x00, 0x02};
    static const uint8_t stop[] = {0x00, 0x00};
    fblock(5, 1, start, sizeof(start));
    fblock(5, 3, signal, sizeof(signal));
    fblock(5, 6, reset, sizeof(reset));
    fblock(5, 2, stop, sizeof(stop));
    size_t n = fdone();
    FAIL_IF_NOT(parse(F.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.op_class == OT_OP_CONTROL);
    FAIL_IF_NOT(kv_any_str(&msg, "signal") && kv_any_str(&msg, "reset_to_factory"));
    FAIL_IF_NOT(kv_any_str(&msg, "start_transaction") && kv_any_str(&msg, "end_transaction"));
    FAIL_IF_NOT(kv_u64(&msg, "signal_value") == 0x0100);
    FAIL_IF_NOT(each_prefix(parse, F.b, n, refused, &msg));
    /* A Set response listing several results. */
    fbegin(0xfefd, 4, 1, 9);
    static const uint8_t r1[] = {0x05, 0x03, 0x00};
    static const uint8_t r2[] = {0x05, 0x06, 0x01};
    fblock(5, 4, r1, sizeof(r1));
    fblock(5, 4, r2, sizeof(r2));
    n = fdone();
    FAIL_IF_NOT(parse(F.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.has_exception && strcmp(msg.exception, "option_not_supported") == 0);
    FAIL_IF(msg.detail.truncated);
    PASS;
}

static int test_get_and_hello(void)
{
    fbegin(0xfefd, 3, 0, 1234);
    put_u8(&F, 2);
    put_u8(&F, 2);
    put_u8(&F, 1);
    put_u8(&F, 2);
    size_t n = fdone();
    FAIL_IF_NOT(parse(F.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 3 && msg.op_class == OT_OP_READ);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.txn_key == dcp_key(1234, 3));
    FAIL_IF_NOT(kv_any_str(&msg, "name_of_station") && kv_any_str(&msg, "ip_parameter"));
    /* The answer, and one saying the service is not supported. */
    fbegin(0xfefd, 3, 1, 1234);
    static const uint8_t name[] = {0x00, 0x00, 'i', 'o', '1'};
    fblock(2, 2, name, sizeof(name));
    n = fdone();
    FAIL_IF_NOT(parse(F.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && strcmp(msg.identity.name, "io1") == 0);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.txn_key == dcp_key(1234, 3));
    fbegin(0xfefd, 3, 5, 1234);
    n = fdone();
    FAIL_IF_NOT(parse(F.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.has_exception && kv_str(&msg, "service_type", "response_not_supported"));
    /* Hello from a device that starts up: identity, no pairing. */
    fbegin(0xfefc, 6, 0, 5);
    static const uint8_t hname[] = {0x00, 0x00, 'c', 'o', 'u', 'p', 'l', 'e', 'r'};
    static const uint8_t ip[] = {0x00, 0x01, 10, 0, 0, 7, 255, 255, 0, 0, 10, 0, 0, 1};
    static const uint8_t mac[] = {0x00, 0x00, 0x00, 0x0e, 0x8c, 0x01, 0x02, 0x03};
    fblock(2, 2, hname, sizeof(hname));
    fblock(1, 2, ip, sizeof(ip));
    fblock(1, 1, mac, sizeof(mac));
    n = fdone();
    FAIL_IF_NOT(parse(F.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 6 && msg.op_class == OT_OP_DISCOVERY);
    FAIL_IF_NOT(msg.pair == OT_PAIR_NONE && strcmp(msg.identity.name, "coupler") == 0);
    FAIL_IF_NOT(kv_str(&msg, "ip", "10.0.0.7") && kv_str(&msg, "mac_address", "00:0e:8c:01:02:03"));
    /* A Hello on the Identify FrameID. */
    F.b[1] = 0xfe;
    FAIL_IF_NOT(parse(F.b, n) == OT_PARSE_OK && msg.anomaly != NULL);
    PASS;
}

static int test_not_dcp(void)
{
    /* RT cyclic data, alarms and PTCP share the ethertype: no record. */
    FAIL_IF_NOT(parse(rt_cyclic, sizeof(rt_cyclic)) == OT_PARSE_NONE);
    FAIL_IF_NOT(parse(alarm_low, sizeof(alarm_low)) == OT_PARSE_NONE);
    FAIL_IF_NOT(parse(ptcp_delay, sizeof(ptcp_delay)) == OT_PARSE_NONE);
    static const uint8_t class3[] = {0x01, 0x00, 0xaa, 0xbb};
    FAIL_IF_NOT(parse(class3, sizeof(class3)) == OT_PARSE_NONE);
    FAIL_IF_NOT(parse(class3, 0) == OT_PARSE_TRUNC);
    FAIL_IF_NOT(parse(class3, 1) == OT_PARSE_TRUNC);
    PASS;
}

static int test_invalid(void)
{
    /* Unknown service id, reserved service type. */
    fbegin(0xfefd, 9, 0, 1);
    size_t n = fdone();
    FAIL_IF_NOT(parse(F.b, n) == OT_PARSE_INVALID);
    fbegin(0xfefd, 3, 2, 1);
    n = fdone();
    FAIL_IF_NOT(parse(F.b, n) == OT_PARSE_INVALID);
    /* DCPDataLength beyond the frame. */
    uint8_t f[sizeof(set_ip)];
    memcpy(f, set_ip, sizeof(f));
    f[11] = 0xff;
    FAIL_IF_NOT(parse(f, sizeof(f)) == OT_PARSE_TRUNC);
    /* A block length beyond DCPDataLength. */
    memcpy(f, set_ip, sizeof(f));
    f[15] = 0x20;
    FAIL_IF_NOT(parse(f, sizeof(f)) == OT_PARSE_INVALID);
    /* A response block too short for its BlockInfo. */
    fbegin(0xfeff, 5, 1, 1);
    static const uint8_t one[] = {0x00};
    fblock(2, 2, one, 1);
    n = fdone();
    FAIL_IF_NOT(parse(F.b, n) == OT_PARSE_INVALID);
    /* 200 empty filter blocks: walked up to the cap. */
    fbegin(0xfefe, 5, 0, 1);
    for (int i = 0; i < 200; i++)
        fblock(0xff, 0xff, NULL, 0);
    n = fdone();
    FAIL_IF_NOT(parse(F.b, n) == OT_PARSE_OK && msg.anomaly != NULL);
    FAIL_IF(msg.detail.truncated);
    /* An odd-length Get request, and empty blocks of every kind. */
    fbegin(0xfefd, 3, 0, 1);
    put_u8(&F, 2);
    put_u8(&F, 2);
    put_u8(&F, 1);
    n = fdone();
    FAIL_IF_NOT(parse(F.b, n) == OT_PARSE_OK && msg.anomaly != NULL);
    fbegin(0xfeff, 5, 1, 1);
    static const uint8_t info_only[] = {0x00, 0x00};
    for (int opt = 1; opt <= 6; opt++)
        for (int sub = 1; sub <= 9; sub++)
            fblock((uint8_t)opt, (uint8_t)sub, info_only, 2);
    n = fdone();
    FAIL_IF_NOT(parse(F.b, n) == OT_PARSE_OK);
    PASS;
}

static int test_truncation(void)
{
    const struct sample all[] = {
        SAMPLE(identify_all), SAMPLE(identify_rsp),  SAMPLE(set_ip),
        SAMPLE(set_rsp),      SAMPLE(identify_name), SAMPLE(identify_rsp_versamax),
    };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        /* Up to the end of the DCP data: every cut fails.  Past it is
         * Ethernet padding, which may be cut freely. */
        size_t data_end = 12 + (size_t)(all[i].p[10] << 8 | all[i].p[11]);
        FAIL_IF_NOT(each_prefix(parse, all[i].p, data_end, refused, &msg));
        for (size_t cut = data_end; cut <= all[i].n; cut++)
            FAIL_IF_NOT(parse(all[i].p, cut) == OT_PARSE_OK);
    }
    PASS;
}

static const struct unit_test tests[] = {
    {"table_entry", test_table_entry},
    {"identify", test_identify},
    {"set_ip", test_set_ip},
    {"control", test_control},
    {"get_and_hello", test_get_and_hello},
    {"not_dcp", test_not_dcp},
    {"invalid", test_invalid},
    {"truncation", test_truncation},
    {NULL, NULL},
};

UNIT_MAIN(tests)
