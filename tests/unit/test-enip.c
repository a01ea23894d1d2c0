/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests for the EtherNet/IP dissector (dissectors/enip.c) and its
 * CIP helper (dissectors/cip.c), through the public table entry: framing, probe,
 * every encapsulation command class, ListIdentity identity, CIP services of every
 * operation class, Unconnected_Send unwrapping, nested Multiple_Service_Packet,
 * Logix tag services and written values, Connection Manager, error statuses,
 * implicit I/O counting and its flow summary, truncation at every byte and lying
 * lengths.  Arrays marked with a capture name are taken from
 * ../shared/pcaps/enip_cip/. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dissector-check.h"
#include "dissectors.h"
#include "registry-private.h"
#include "unit.h"

static struct ot_msg msg;
static uint8_t state[1 << 14];

static enum ot_parse parse_full(const uint8_t *p, size_t n, bool to_server, size_t claimed,
                                uint16_t sport, uint16_t dport, void *fs)
{
    struct ot_ctx ctx = tcp_ctx(dport, to_server, n, claimed, fs);
    ctx.src_port = sport;
    ctx.dst_port = dport;
    return dissect(&enip_dissector, &ctx, p, n, &msg);
}

static enum ot_parse req(const uint8_t *p, size_t n)
{
    return parse_full(p, n, true, n, 40000, 44818, state);
}

static enum ot_parse rsp(const uint8_t *p, size_t n)
{
    return parse_full(p, n, false, n, 44818, 40000, state);
}

static void reset_state(void)
{
    memset(state, 0, sizeof state);
}

/* FNV-1a of the lower-cased name: the "cip_tag" range start (cip.h). */
static uint32_t tag_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 'A' && ch <= 'Z')
            ch = (unsigned char)(ch - 'A' + 'a');
        h = (h ^ ch) * 16777619u;
    }
    return h;
}

/* Builders: an encapsulation header around data. */
static size_t encap(uint8_t *b, uint16_t cmd, uint32_t session, uint32_t status, uint8_t ctx0,
                    const uint8_t *data, size_t n)
{
    memset(b, 0, 24);
    b[0] = (uint8_t)cmd;
    b[1] = (uint8_t)(cmd >> 8);
    b[2] = (uint8_t)n;
    b[3] = (uint8_t)(n >> 8);
    for (int i = 0; i < 4; i++) {
        b[4 + i] = (uint8_t)(session >> (8 * i));
        b[8 + i] = (uint8_t)(status >> (8 * i));
    }
    b[12] = ctx0;
    if (n)
        memcpy(b + 24, data, n);
    return 24 + n;
}

/* SendRRData: null address item, unconnected data item carrying cip. */
static size_t rr(uint8_t *b, uint8_t ctx0, const uint8_t *cip, size_t n)
{
    uint8_t d[600];
    size_t k = 0;
    memset(d, 0, 6); /* interface handle, timeout */
    k = 6;
    d[k++] = 2;
    d[k++] = 0;
    d[k++] = 0x00; /* null address */
    d[k++] = 0x00;
    d[k++] = 0;
    d[k++] = 0;
    d[k++] = 0xb2;
    d[k++] = 0x00;
    d[k++] = (uint8_t)n;
    d[k++] = (uint8_t)(n >> 8);
    if (n)
        memcpy(d + k, cip, n);
    return encap(b, 0x6f, 0x11223344, 0, ctx0, d, k + n);
}

/* SendUnitData: connected address item, connected data item (seq + cip). */
static size_t unit(uint8_t *b, uint32_t conn, uint16_t seq, const uint8_t *cip, size_t n)
{
    uint8_t d[600];
    size_t k = 0;
    memset(d, 0, 6);
    k = 6;
    d[k++] = 2;
    d[k++] = 0;
    d[k++] = 0xa1;
    d[k++] = 0x00;
    d[k++] = 4;
    d[k++] = 0;
    for (int i = 0; i < 4; i++)
        d[k++] = (uint8_t)(conn >> (8 * i));
    d[k++] = 0xb1;
    d[k++] = 0x00;
    d[k++] = (uint8_t)(n + 2);
    d[k++] = (uint8_t)((n + 2) >> 8);
    d[k++] = (uint8_t)seq;
    d[k++] = (uint8_t)(seq >> 8);
    if (n)
        memcpy(d + k, cip, n);
    return encap(b, 0x70, 0x11223344, 0, 0, d, k + n);
}

/* Every prefix of a PDU must be refused as TRUNC or INVALID, its tape balanced. */
static bool prefixes_refused(const uint8_t *p, size_t n)
{
    return each_prefix(req, p, n, refused_balanced, &msg);
}

/* cip_stop_plc.pcap frame 1: SendUnitData carrying CIP Stop to class 0x8e. */
static const uint8_t stop_plc[] = {
    0x70, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0xa1, 0x00, 0x04, 0x00, 0x22, 0x40, 0x95,
    0xff, 0xb1, 0x00, 0x08, 0x00, 0x06, 0x01, 0x07, 0x02, 0x20, 0x8e, 0x24, 0x01,
};

/* enip_cip_example.pcap frame 372: ListIdentity reply from a 1756-ENBT/A. */
static const uint8_t list_identity_reply[] = {
    0x63, 0x00, 0x33, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xc1, 0xde, 0xbe, 0xd1, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0c, 0x00, 0x2d, 0x00,
    0x01, 0x00, 0x00, 0x02, 0xaf, 0x12, 0x0a, 0x01, 0x01, 0xa4, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x0c, 0x00, 0x3a, 0x00, 0x04, 0x03, 0x30, 0x00, 0x8e, 0x4d,
    0x52, 0x00, 0x0b, 0x31, 0x37, 0x35, 0x36, 0x2d, 0x45, 0x4e, 0x42, 0x54, 0x2f, 0x41, 0x03,
};

/* EIP-SoftwareUpload.pcap frames 10 and 12: Unconnected_Send of Get_Attributes_All
 * to the Identity object, and the reply of a 1756-L61. */
static const uint8_t ucs_identity_req[] = {
    0x6f, 0x00, 0x24, 0x00, 0x00, 0x01, 0x02, 0x11, 0x00, 0x00, 0x00, 0x00, 0x22, 0xa9, 0x02,
    0x00, 0x20, 0x08, 0xe1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb2, 0x00, 0x14, 0x00, 0x52, 0x02, 0x20, 0x06, 0x24,
    0x01, 0x07, 0xf9, 0x06, 0x00, 0x01, 0x02, 0x20, 0x01, 0x24, 0x01, 0x01, 0x00, 0x01, 0x00,
};
static const uint8_t ucs_identity_rsp[] = {
    0x6f, 0x00, 0x37, 0x00, 0x00, 0x01, 0x02, 0x11, 0x00, 0x00, 0x00, 0x00, 0x22, 0xa9, 0x02, 0x00,
    0x20, 0x08, 0xe1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x02, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xb2, 0x00, 0x27, 0x00, 0x81, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0e, 0x00,
    0x36, 0x00, 0x10, 0x14, 0x60, 0x30, 0x3f, 0x82, 0x51, 0x00, 0x14, 0x31, 0x37, 0x35, 0x36, 0x2d,
    0x4c, 0x36, 0x31, 0x2f, 0x42, 0x20, 0x4c, 0x4f, 0x47, 0x49, 0x58, 0x35, 0x35, 0x36, 0x31,
};

/* ethernetIP.pcap frame 37: MSP of four Read_Modify_Write_Tag on symbols. */
static const uint8_t msp_rmw[] = {
    0x70, 0x00, 0xaa, 0x00, 0x00, 0x01, 0x02, 0x10, 0x00, 0x00, 0x00, 0x00, 0xa3, 0xa8, 0x93,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00,
    0x02, 0x00, 0xa1, 0x00, 0x04, 0x00, 0x01, 0x03, 0x8b, 0x00, 0xb1, 0x00, 0x96, 0x00, 0x71,
    0xec, 0x0a, 0x02, 0x20, 0x02, 0x24, 0x01, 0x04, 0x00, 0x0a, 0x00, 0x28, 0x00, 0x46, 0x00,
    0x6a, 0x00, 0x4e, 0x0c, 0x91, 0x16, 0x4c, 0x4d, 0x53, 0x5f, 0x44, 0x49, 0x53, 0x41, 0x42,
    0x4c, 0x45, 0x5f, 0x32, 0x44, 0x53, 0x43, 0x41, 0x4e, 0x4e, 0x45, 0x52, 0x31, 0x01, 0x00,
    0x01, 0xff, 0x4e, 0x0c, 0x91, 0x16, 0x4c, 0x4d, 0x53, 0x5f, 0x44, 0x49, 0x53, 0x41, 0x42,
    0x4c, 0x45, 0x5f, 0x32, 0x44, 0x53, 0x43, 0x41, 0x4e, 0x4e, 0x45, 0x52, 0x32, 0x01, 0x00,
    0x01, 0xff, 0x4e, 0x0f, 0x91, 0x1b, 0x4c, 0x4d, 0x53, 0x5f, 0x44, 0x49, 0x53, 0x41, 0x42,
    0x4c, 0x45, 0x5f, 0x42, 0x41, 0x52, 0x43, 0x4f, 0x44, 0x45, 0x5f, 0x53, 0x43, 0x41, 0x4e,
    0x4e, 0x45, 0x52, 0x00, 0x01, 0x00, 0x00, 0xfe, 0x4e, 0x0f, 0x91, 0x1b, 0x4c, 0x4d, 0x53,
    0x5f, 0x53, 0x45, 0x54, 0x50, 0x4f, 0x49, 0x4e, 0x54, 0x43, 0x48, 0x41, 0x4e, 0x47, 0x45,
    0x5f, 0x52, 0x45, 0x43, 0x45, 0x49, 0x56, 0x45, 0x44, 0x00, 0x01, 0x00, 0x00, 0xfe,
};

/* cip_io.pcap frame 1: an implicit I/O datagram on UDP 2222. */
static const uint8_t io_frame[] = {
    0x02, 0x00, 0x02, 0x80, 0x08, 0x00, 0x78, 0x7b, 0x3a, 0x00, 0xe8, 0xcb, 0x5e, 0x04, 0xb1,
    0x00, 0x0c, 0x00, 0x03, 0x00, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00,
};

static int test_pdu_len(void)
{
    uint8_t b[64];
    size_t n = encap(b, 0x65, 0, 0, 0, (const uint8_t *)"\x01\x00\x00\x00", 4);
    FAIL_IF_NOT(enip_dissector.pdu_len(b, n) == 28);
    FAIL_IF_NOT(enip_dissector.pdu_len(b, 10) == 0); /* need the whole header */
    FAIL_IF_NOT(enip_dissector.pdu_len(b, 1) == 0);
    FAIL_IF_NOT(enip_dissector.pdu_len(stop_plc, sizeof stop_plc) == sizeof stop_plc);
    FAIL_IF_NOT(enip_dissector.pdu_len(stop_plc, 30) == sizeof stop_plc);
    b[20] = 1; /* options must be zero */
    FAIL_IF_NOT(enip_dissector.pdu_len(b, n) == OT_PDU_NOT_MINE);
    b[20] = 0;
    b[0] = 0x99; /* unknown command: framed when the rest of the header holds */
    FAIL_IF_NOT(enip_dissector.pdu_len(b, n) == 28);
    FAIL_IF_NOT(enip_dissector.pdu_len(b, 11) == 0 && enip_dissector.pdu_len(b, 12) == 0);
    b[8] = 0x01; /* status 0x0001: a target refusing the command */
    FAIL_IF_NOT(enip_dissector.pdu_len(b, n) == 28);
    b[8] = 0x07; /* no such status: not a header */
    FAIL_IF_NOT(enip_dissector.pdu_len(b, 12) == OT_PDU_NOT_MINE);
    FAIL_IF_NOT(enip_dissector.pdu_len(b, n) == OT_PDU_NOT_MINE);
    b[8] = 0;
    b[20] = 1;
    FAIL_IF_NOT(enip_dissector.pdu_len(b, n) == OT_PDU_NOT_MINE);
    b[20] = 0;
    FAIL_IF_NOT(enip_dissector.probe(b, n, true) == OT_PROBE_NO); /* never the first payload */
    FAIL_IF_NOT(enip_dissector.pdu_len((const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18) ==
                OT_PDU_NOT_MINE);
    /* an unknown command code needs the status field to decide */
    FAIL_IF_NOT(enip_dissector.pdu_len((const uint8_t *)"\x16\x03\x01\x02\x00", 5) == 0);
    FAIL_IF_NOT(enip_dissector.pdu_len((const uint8_t *)"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03"
                                                        "\x03\xaa",
                                       12) == OT_PDU_NOT_MINE);
    /* length above 65511 */
    n = encap(b, 0x6f, 0, 0, 0, NULL, 0);
    b[2] = 0xff;
    b[3] = 0xff;
    FAIL_IF_NOT(enip_dissector.pdu_len(b, n) == OT_PDU_NOT_MINE);
    /* the implicit I/O CPF has no encapsulation header */
    FAIL_IF_NOT(enip_dissector.pdu_len(io_frame, sizeof io_frame) == sizeof io_frame);
    FAIL_IF_NOT(enip_dissector.pdu_len(io_frame, 12) == 0);
    PASS;
}

static int test_probe(void)
{
    uint8_t b[64];
    size_t n = encap(b, 0x65, 0, 0, 0, (const uint8_t *)"\x01\x00\x00\x00", 4);
    FAIL_IF_NOT(enip_dissector.probe(b, n, true) == OT_PROBE_YES);
    FAIL_IF_NOT(enip_dissector.probe(b, 12, true) == OT_PROBE_NEED_MORE);
    FAIL_IF_NOT(enip_dissector.probe((const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18, true) ==
                OT_PROBE_NO);
    FAIL_IF_NOT(enip_dissector.probe((const uint8_t *)"\x16\x03\x01\x02\x00\x01\x00\x01\xfc", 9,
                                     true) == OT_PROBE_NO);
    FAIL_IF_NOT(enip_dissector.probe(stop_plc, sizeof stop_plc, true) == OT_PROBE_YES);
    FAIL_IF_NOT(enip_dissector.probe(list_identity_reply, sizeof list_identity_reply, false) ==
                OT_PROBE_YES);
    FAIL_IF_NOT(enip_dissector.probe(io_frame, sizeof io_frame, true) == OT_PROBE_YES);
    uint8_t zeros[32] = {0};
    FAIL_IF_NOT(enip_dissector.probe(zeros, sizeof zeros, true) == OT_PROBE_NO); /* NOP */
    /* a request with a status or a RegisterSession of the wrong length */
    n = encap(b, 0x65, 0, 1, 0, (const uint8_t *)"\x01\x00\x00\x00", 4);
    FAIL_IF_NOT(enip_dissector.probe(b, n, true) == OT_PROBE_NO);
    n = encap(b, 0x65, 0, 0, 0, (const uint8_t *)"\x01\x00", 2);
    FAIL_IF_NOT(enip_dissector.probe(b, n, true) == OT_PROBE_NO);
    PASS;
}

static int test_register_session(void)
{
    uint8_t b[64];
    reset_state();
    size_t n = encap(b, 0x65, 0, 0, 7, (const uint8_t *)"\x01\x00\x00\x00", 4);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x165, "RegisterSession", OT_OP_OTHER));
    FAIL_IF_NOT(msg.dir == OT_DIR_REQUEST && msg.pair == OT_PAIR_KEYED);
    FAIL_IF_NOT(kv_u64(&msg, "protocol_version") == 1);
    uint32_t key = msg.txn_key;
    n = encap(b, 0x65, 0x12345678, 0, 7, (const uint8_t *)"\x01\x00\x00\x00", 4);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.txn_key == key);
    FAIL_IF_NOT(kv_u64(&msg, "session_handle") == 0x12345678);
    /* unsupported protocol revision */
    n = encap(b, 0x65, 0, 0x69, 7, (const uint8_t *)"\x02\x00\x00\x00", 4);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 0x69);
    FAIL_IF_NOT(strcmp(msg.exception, "unsupported protocol revision") == 0);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.txn_key == key);
    /* UnRegisterSession and NOP: no reply, no pairing */
    n = encap(b, 0x66, 0x12345678, 0, 0, NULL, 0);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x166, "UnRegisterSession", OT_OP_OTHER));
    FAIL_IF_NOT(msg.pair == OT_PAIR_NONE);
    n = encap(b, 0x00, 0, 0, 0, (const uint8_t *)"abc", 3);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x100, "NOP", OT_OP_OTHER) && msg.pair == OT_PAIR_NONE);
    n = encap(b, 0x72, 0, 0, 0, NULL, 0);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK &&
                function_is(&msg, 0x172, "IndicateStatus", OT_OP_OTHER));
    n = encap(b, 0x73, 0, 0, 0, NULL, 0);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && function_is(&msg, 0x173, "Cancel", OT_OP_OTHER));
    FAIL_IF_NOT(tape_balanced(&msg));
    PASS;
}

static int test_list_identity(void)
{
    uint8_t b[64];
    reset_state();
    /* the request: no data; the sender context pairs it with the reply */
    uint8_t ctx[24];
    size_t n = encap(ctx, 0x63, 0, 0, 0, NULL, 0);
    memcpy(ctx + 12, list_identity_reply + 12, 8);
    FAIL_IF_NOT(req(ctx, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x163, "ListIdentity", OT_OP_DISCOVERY));
    FAIL_IF_NOT(msg.dir == OT_DIR_REQUEST && msg.pair == OT_PAIR_KEYED);
    uint32_t key = msg.txn_key;
    /* the reply, even on a flow of its own (to_server true) */
    FAIL_IF_NOT(parse_full(list_identity_reply, sizeof list_identity_reply, true,
                           sizeof list_identity_reply, 44818, 2222, NULL) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.txn_key == key);
    FAIL_IF_NOT(msg.identity.present && msg.identity.from_server);
    FAIL_IF_NOT(strcmp(msg.identity.vendor, "Rockwell Automation/Allen-Bradley") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.product, "1756-ENBT/A") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.firmware, "4.03") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.serial, "0x00524d8e") == 0);
    FAIL_IF_NOT(kv_u64(&msg, "device_type") == 0x0c);
    FAIL_IF_NOT(kv_str(&msg, "device_type_name", "Communications Adapter"));
    FAIL_IF_NOT(kv_u64(&msg, "product_code") == 58);
    FAIL_IF_NOT(kv_u64(&msg, "state") == 3);
    FAIL_IF_NOT(kv_str(&msg, "socket_address", "10.1.1.164:44818"));
    FAIL_IF_NOT(tape_balanced(&msg));
    /* an unknown vendor id is named by number */
    uint8_t other[sizeof list_identity_reply];
    memcpy(other, list_identity_reply, sizeof other);
    other[48] = 0x39; /* vendor 0x3039 = 12345 */
    other[49] = 0x30;
    FAIL_IF_NOT(rsp(other, sizeof other) == OT_PARSE_OK);
    FAIL_IF_NOT(strcmp(msg.identity.vendor, "vendor 12345") == 0);
    /* an identity item whose name length lies */
    other[62] = 200;
    FAIL_IF_NOT(rsp(other, sizeof other) == OT_PARSE_OK);
    FAIL_IF_NOT(!msg.identity.present && anomaly_is(&msg, "cip_bad_identity"));
    FAIL_IF_NOT(tape_balanced(&msg));
    /* ListServices reply: one communications item */
    uint8_t ls[] = {0x01, 0x00, 0x00, 0x01, 0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 'C', 'o',  'm',
                    'm',  'u',  'n',  'i',  'c',  'a',  't',  'i',  'o',  'n',  's', 0x00, 0x00};
    n = encap(b, 0x04, 0, 0, 1, ls, sizeof ls);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x104, "ListServices", OT_OP_DISCOVERY));
    FAIL_IF_NOT(kv_str(&msg, "name", "Communications") &&
                kv_u64(&msg, "capability_flags") == 0x120);
    n = encap(b, 0x64, 0, 0, 1, NULL, 0);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK &&
                function_is(&msg, 0x164, "ListInterfaces", OT_OP_DISCOVERY));
    PASS;
}

static int test_stop(void)
{
    reset_state();
    FAIL_IF_NOT(req(stop_plc, sizeof stop_plc) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x07, "Stop", OT_OP_CONTROL));
    FAIL_IF_NOT(msg.dir == OT_DIR_REQUEST && msg.pair == OT_PAIR_KEYED);
    /* a class without a space name of its own */
    FAIL_IF_NOT(msg.n_ranges == 1 && range_is(&msg, 0, "cip_class", 0x8e, 1u << 16, 1));
    FAIL_IF_NOT(kv_u64(&msg, "connection_id") == 0xff954022 &&
                kv_u64(&msg, "sequence_count") == 262);
    FAIL_IF_NOT(kv_u64(&msg, "class") == 0x8e && kv_u64(&msg, "instance") == 1);
    uint32_t key = msg.txn_key;
    /* the reply: same sequence count, another connection id */
    uint8_t cip[] = {0x87, 0x00, 0x00, 0x00};
    uint8_t b[128];
    size_t n = unit(b, 0x12345678, 262, cip, sizeof cip);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x07, "Stop", OT_OP_CONTROL));
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.txn_key == key && !msg.has_exception);
    FAIL_IF_NOT(prefixes_refused(stop_plc, sizeof stop_plc));
    PASS;
}

static int test_common_services(void)
{
    static const struct {
        uint8_t svc;
        const char *name;
        enum ot_op op;
    } cases[] = {
        {0x01, "Get_Attributes_All", OT_OP_READ},
        {0x02, "Set_Attributes_All", OT_OP_WRITE},
        {0x05, "Reset", OT_OP_CONTROL},
        {0x06, "Start", OT_OP_CONTROL},
        {0x08, "Create", OT_OP_WRITE},
        {0x09, "Delete", OT_OP_WRITE},
        {0x0e, "Get_Attribute_Single", OT_OP_READ},
        {0x16, "Save", OT_OP_OTHER},
        {0x18, "Get_Member", OT_OP_READ},
        {0x19, "Set_Member", OT_OP_WRITE},
    };
    uint8_t b[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t cip[] = {cases[i].svc, 0x03, 0x20, 0x01, 0x24, 0x01, 0x30, 0x07};
        size_t n = rr(b, 1, cip, sizeof cip);
        FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
        FAIL_IF_NOT(function_is(&msg, cases[i].svc, cases[i].name, cases[i].op));
        FAIL_IF_NOT(range_is(&msg, 0, "identity", 1, 1u << 16 | 7, 1));
        FAIL_IF_NOT(prefixes_refused(b, n));
    }
    /* Set_Attribute_Single: the value written (16-bit, little-endian) */
    uint8_t sas[] = {0x10, 0x03, 0x20, 0x04, 0x24, 0x64, 0x30, 0x03, 0x34, 0x12};
    size_t n = rr(b, 1, sas, sizeof sas);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x10, "Set_Attribute_Single", OT_OP_WRITE));
    FAIL_IF_NOT(msg.n_values == 1 && msg.values[0].space_id == 4 &&
                msg.values[0].addr == (100u << 16 | 3) && msg.values[0].value == 0x1234);
    /* Get_Attribute_List: one range per attribute */
    uint8_t gal[] = {0x03, 0x02, 0x20, 0xf5, 0x24, 0x01, 0x03,
                     0x00, 0x01, 0x00, 0x05, 0x00, 0x06, 0x00};
    n = rr(b, 1, gal, sizeof gal);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x03, "Get_Attribute_List", OT_OP_READ));
    FAIL_IF_NOT(msg.n_ranges == 2 && range_is(&msg, 0, "tcpip_interface", 0xf5, 1u << 16 | 1, 1) &&
                range_is(&msg, 1, "tcpip_interface", 0xf5, 1u << 16 | 5, 2));
    FAIL_IF_NOT(kv_arr_len(&msg, "attributes") == 3 &&
                kv_str(&msg, "class_name", "TCP/IP Interface"));
    /* a count that lies */
    gal[6] = 9;
    n = rr(b, 1, gal, sizeof gal);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && anomaly_is(&msg, "cip_bad_attribute_list"));
    FAIL_IF_NOT(tape_balanced(&msg));
    /* 16-bit class and instance segments */
    uint8_t wide[] = {0x0e, 0x05, 0x21, 0x00, 0x34, 0x12, 0x25, 0x00, 0x02, 0x01, 0x30, 0x01};
    n = rr(b, 1, wide, sizeof wide);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(range_is(&msg, 0, "cip_class", 0x1234, (uint64_t)0x102 << 16 | 1, 1));
    FAIL_IF_NOT(kv_u64(&msg, "class") ==
                0x1234); /* the generic space: the detail names the class */
    /* an object-specific service of an unknown class has no name */
    uint8_t vendor[] = {0x4b, 0x02, 0x20, 0x6a, 0x24, 0x00};
    n = rr(b, 1, vendor, sizeof vendor);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && function_is(&msg, 0x4b, NULL, OT_OP_OTHER));
    /* a reserved segment type in the path */
    uint8_t badpath[] = {0x0e, 0x02, 0xe0, 0x01, 0x24, 0x01};
    n = rr(b, 1, badpath, sizeof badpath);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && anomaly_is(&msg, "cip_bad_path"));
    PASS;
}

static int test_file_object(void)
{
    uint8_t b[128];
    uint8_t dl[] = {0x4c, 0x02, 0x20, 0x37, 0x24, 0x01, 0x00, 0x10, 0x00, 0x00, 0x01, 0x00};
    size_t n = rr(b, 1, dl, sizeof dl);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x4c, "Initiate_Download", OT_OP_PROGRAM));
    uint8_t ul[] = {0x4b, 0x02, 0x20, 0x37, 0x24, 0x01, 0x00, 0x10};
    n = rr(b, 1, ul, sizeof ul);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK &&
                function_is(&msg, 0x4b, "Initiate_Upload", OT_OP_PROGRAM));
    /* a write to the File object is a program operation */
    uint8_t sas[] = {0x10, 0x03, 0x20, 0x37, 0x24, 0x01, 0x30, 0x04, 0x01};
    n = rr(b, 1, sas, sizeof sas);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK &&
                function_is(&msg, 0x10, "Set_Attribute_Single", OT_OP_PROGRAM));
    /* the same service code is Read_Tag on a symbolic path */
    uint8_t rt[] = {0x4c, 0x03, 0x91, 0x03, 'a', 'b', 'c', 0x00, 0x01, 0x00};
    n = rr(b, 1, rt, sizeof rt);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && function_is(&msg, 0x4c, "Read_Tag", OT_OP_READ));
    FAIL_IF_NOT(kv_str(&msg, "symbol", "abc") && kv_u64(&msg, "elements") == 1);
    FAIL_IF_NOT(range_is(&msg, 0, "cip_tag", 0x10000, tag_hash("ABC"), 1));
    /* and Read_Coils on the Modbus object */
    uint8_t mb[] = {0x4c, 0x02, 0x20, 0x44, 0x24, 0x01, 0x10, 0x00, 0x08, 0x00};
    n = rr(b, 1, mb, sizeof mb);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && function_is(&msg, 0x4c, "Read_Coils", OT_OP_READ));
    FAIL_IF_NOT(kv_u64(&msg, "modbus_address") == 16 && kv_u64(&msg, "modbus_quantity") == 8);
    PASS;
}

static int test_unconnected_send_identity(void)
{
    reset_state();
    FAIL_IF_NOT(req(ucs_identity_req, sizeof ucs_identity_req) == OT_PARSE_OK);
    /* the message carried is what is reported */
    FAIL_IF_NOT(function_is(&msg, 0x01, "Get_Attributes_All", OT_OP_READ));
    FAIL_IF_NOT(range_is(&msg, 0, "identity", 1, 1u << 16, 1) && msg.n_ranges == 1);
    FAIL_IF_NOT(kv_find(&msg, "unconnected_send") && kv_u64(&msg, "port") == 1 &&
                kv_u64(&msg, "link_address") == 0);
    uint32_t key = msg.txn_key;
    FAIL_IF_NOT(rsp(ucs_identity_rsp, sizeof ucs_identity_rsp) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.txn_key == key && msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(function_is(&msg, 0x01, "Get_Attributes_All", OT_OP_READ));
    FAIL_IF_NOT(msg.identity.present);
    FAIL_IF_NOT(strcmp(msg.identity.product, "1756-L61/B LOGIX5561") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.firmware, "16.20") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.serial, "0x0051823f") == 0);
    FAIL_IF_NOT(kv_str(&msg, "device_type_name", "Programmable Logic Controller"));
    FAIL_IF_NOT(tape_balanced(&msg));
    /* without the request the reply is still named, but not read as an identity */
    reset_state();
    FAIL_IF_NOT(rsp(ucs_identity_rsp, sizeof ucs_identity_rsp) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x01, "Get_Attributes_All", OT_OP_READ) && !msg.identity.present);
    /* the Connection Manager fails the route: service 0xd2 with an extended status */
    reset_state();
    FAIL_IF_NOT(req(ucs_identity_req, sizeof ucs_identity_req) == OT_PARSE_OK);
    uint8_t fail[] = {0xd2, 0x00, 0x01, 0x01, 0x04, 0x02, 0x00};
    uint8_t b[128];
    size_t n = rr(b, 0x22, fail, sizeof fail);
    memcpy(b + 12, ucs_identity_req + 12, 8);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x52, "Unconnected_Send", OT_OP_OTHER));
    FAIL_IF_NOT(msg.txn_key == key); /* it answers the message the request carried */
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 1);
    FAIL_IF_NOT(strcmp(msg.exception, "unconnected request timed out") == 0);
    FAIL_IF_NOT(kv_u64(&msg, "remaining_path_size") == 0);
    /* an envelope whose message size lies is reported as Unconnected_Send itself */
    uint8_t bad[] = {0x52, 0x02, 0x20, 0x06, 0x24, 0x01, 0x07, 0xf9, 0x40, 0x00, 0x01, 0x02};
    n = rr(b, 1, bad, sizeof bad);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x52, "Unconnected_Send", OT_OP_OTHER));
    FAIL_IF_NOT(anomaly_is(&msg, "cip_bad_unconnected_send") && tape_balanced(&msg));
    /* an odd-sized message with its pad byte, and a route path with an IP address */
    uint8_t odd[] = {0x52, 0x02, 0x20, 0x06, 0x24, 0x01, 0x07, 0xf9, 0x03, 0x00, 0x07, 0x00, 0x00,
                     0x00, 0x05, 0x00, 0x12, 0x08, '1',  '0',  '.',  '0',  '.',  '0',  '.',  '1'};
    n = rr(b, 1, odd, sizeof odd);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x07, "Stop", OT_OP_CONTROL) && kv_u64(&msg, "port") == 2);
    FAIL_IF_NOT(kv_str(&msg, "link_address", "10.0.0.1"));
    FAIL_IF_NOT(prefixes_refused(ucs_identity_req, sizeof ucs_identity_req));
    FAIL_IF_NOT(prefixes_refused(ucs_identity_rsp, sizeof ucs_identity_rsp));
    PASS;
}

static int test_msp(void)
{
    reset_state();
    FAIL_IF_NOT(req(msp_rmw, sizeof msp_rmw) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x0a, "Multiple_Service_Packet", OT_OP_WRITE));
    FAIL_IF_NOT(kv_u64(&msg, "service_count") == 4 && kv_arr_len(&msg, "services") == 4);
    FAIL_IF_NOT(kv_str(&msg, "service_name", "Multiple_Service_Packet"));
    FAIL_IF_NOT(msg.n_ranges == 4);
    FAIL_IF_NOT(range_is(&msg, 0, "cip_tag", 0x10000, tag_hash("LMS_DISABLE_2DSCANNER1"), 1));
    FAIL_IF_NOT(kv_str(&msg, "symbol", "LMS_DISABLE_2DSCANNER1"));
    FAIL_IF_NOT(tape_balanced(&msg) && !msg.anomaly);
    uint32_t key = msg.txn_key;
    /* the response (ethernetIP.pcap frame 38): members named from the request */
    uint8_t cip[] = {0x8a, 0x00, 0x00, 0x00, 0x04, 0x00, 0x0a, 0x00, 0x0e, 0x00,
                     0x12, 0x00, 0x16, 0x00, 0xce, 0x00, 0x00, 0x00, 0xce, 0x00,
                     0x00, 0x00, 0xce, 0x00, 0x00, 0x00, 0xce, 0x00, 0x08, 0x00};
    uint8_t b[128];
    size_t n = unit(b, 0x8000b5c7, 0xec71, cip, sizeof cip);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.txn_key == key);
    FAIL_IF_NOT(function_is(&msg, 0x0a, "Multiple_Service_Packet", OT_OP_WRITE));
    FAIL_IF_NOT(kv_arr_len(&msg, "services") == 4);
    /* the fourth member failed: the message carries the exception */
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 8);
    FAIL_IF_NOT(strcmp(msg.exception, "service not supported") == 0);
    FAIL_IF_NOT(tape_balanced(&msg));
    FAIL_IF_NOT(prefixes_refused(msp_rmw, sizeof msp_rmw));
    PASS;
}

/* MSP: Read_Tag, Write_Tag REAL[2], Reset: the highest class wins (CONTROL). */
static int test_msp_classes_and_values(void)
{
    uint8_t cip[] = {
        0x0a,
        0x02,
        0x20,
        0x02,
        0x24,
        0x01,
        0x03,
        0x00,
        0x08,
        0x00,
        0x12,
        0x00,
        0x30,
        0x00,
        /* Read_Tag "Tag1" elements 1 */
        0x4c,
        0x03,
        0x91,
        0x04,
        'T',
        'a',
        'g',
        '1',
        0x01,
        0x00,
        /* Write_Tag "Tank.Level[2]" REAL x2: 1.5, -2.0 */
        0x4d,
        0x08,
        0x91,
        0x04,
        'T',
        'a',
        'n',
        'k',
        0x91,
        0x05,
        'L',
        'e',
        'v',
        'e',
        'l',
        0x00,
        0x28,
        0x02,
        0xca,
        0x00,
        0x02,
        0x00,
        0x00,
        0x00,
        0xc0,
        0x3f,
        0x00,
        0x00,
        0x00,
        0xc0,
        /* Reset identity */
        0x05,
        0x02,
        0x20,
        0x01,
        0x24,
        0x01,
    };
    uint8_t b[256];
    size_t n = rr(b, 5, cip, sizeof cip);
    reset_state();
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x0a, "Multiple_Service_Packet", OT_OP_CONTROL));
    FAIL_IF_NOT(msg.n_ranges == 3);
    FAIL_IF_NOT(range_is(&msg, 1, "cip_tag", 0x10000, tag_hash("Tank.Level[2]"), 1));
    FAIL_IF_NOT(range_is(&msg, 2, "identity", 1, 1u << 16, 1));
    FAIL_IF_NOT(msg.n_values == 2 && msg.values[0].value == 1.5 && msg.values[1].value == -2.0);
    FAIL_IF_NOT(msg.values[0].space_id == 0x10000 &&
                msg.values[0].addr == tag_hash("tank.level[2]"));
    FAIL_IF_NOT(kv_str(&msg, "data_type_name", "REAL") &&
                kv_u64(&msg, "elements") == 1); /* Read_Tag first */
    FAIL_IF_NOT(!msg.anomaly && tape_balanced(&msg));
    /* without the Reset it is a WRITE */
    cip[6] = 2;
    n = rr(b, 5, cip, sizeof cip - 6);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x0a, "Multiple_Service_Packet", OT_OP_WRITE));
    /* an offset that points outside the packet */
    cip[6] = 3;
    cip[12] = 0xff;
    n = rr(b, 5, cip, sizeof cip);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && anomaly_is(&msg, "cip_bad_msp_offset") &&
                tape_balanced(&msg));
    /* a count larger than the offsets present */
    cip[6] = 200;
    n = rr(b, 5, cip, sizeof cip);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && anomaly_is(&msg, "cip_bad_msp"));
    PASS;
}

/* MSP inside MSP inside MSP inside Unconnected_Send: nesting is capped. */
static int test_nested_msp(void)
{
    uint8_t inner[] = {0x0a, 0x02, 0x20, 0x02, 0x24, 0x01, 0x01, 0x00,
                       0x04, 0x00, 0x07, 0x02, 0x20, 0x01, 0x24, 0x01};
    uint8_t mid[64], outer[96], cip[128];
    size_t mn = 0, on = 0, cn = 0;
    memcpy(mid, "\x0a\x02\x20\x02\x24\x01\x01\x00\x04\x00", 10);
    mn = 10;
    memcpy(mid + mn, inner, sizeof inner);
    mn += sizeof inner;
    memcpy(outer, "\x0a\x02\x20\x02\x24\x01\x01\x00\x04\x00", 10);
    on = 10;
    memcpy(outer + on, mid, mn);
    on += mn;
    memcpy(cip, "\x52\x02\x20\x06\x24\x01\x07\xf9", 8);
    cn = 8;
    cip[cn++] = (uint8_t)on;
    cip[cn++] = 0;
    memcpy(cip + cn, outer, on);
    cn += on;
    memcpy(cip + cn, "\x01\x00\x01\x00", 4);
    cn += 4;
    uint8_t b[256];
    size_t n = rr(b, 9, cip, cn);
    reset_state();
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x0a, "Multiple_Service_Packet", OT_OP_OTHER));
    FAIL_IF_NOT(anomaly_is(&msg, "cip_nesting_too_deep") && tape_balanced(&msg));
    /* one level less: the Stop inside is found */
    memcpy(cip + 8, "\x00\x00", 2);
    cip[8] = (uint8_t)mn;
    memcpy(cip + 10, mid, mn);
    memcpy(cip + 10 + mn, "\x01\x00\x01\x00", 4);
    n = rr(b, 9, cip, 14 + mn);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x0a, "Multiple_Service_Packet", OT_OP_CONTROL));
    FAIL_IF_NOT(!msg.anomaly && tape_balanced(&msg));
    PASS;
}

static int test_forward_open_close(void)
{
    uint8_t fo[] = {0x54, 0x02, 0x20, 0x06, 0x24, 0x01, 0x07, 0xf9, 0x19, 0x00, 0x00, 0x80,
                    0x18, 0x00, 0xfe, 0x80, 0x19, 0x00, 0x4d, 0x00, 0xf3, 0x8c, 0x95, 0x32,
                    0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x7a, 0x00, 0xf4, 0x43, 0x00, 0x12,
                    0x7a, 0x00, 0xf4, 0x43, 0xa3, 0x03, 0x01, 0x00, 0x20, 0x02, 0x24, 0x01};
    uint8_t b[128];
    reset_state();
    size_t n = rr(b, 3, fo, sizeof fo);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x54, "Forward_Open", OT_OP_OTHER));
    FAIL_IF_NOT(kv_u64(&msg, "ot_connection_id") == 0x80000019 &&
                kv_u64(&msg, "transport_class") == 3);
    FAIL_IF_NOT(kv_u64(&msg, "ot_rpi") == 8000000 && kv_u64(&msg, "connection_serial") == 0x19);
    FAIL_IF_NOT(range_is(&msg, 0, "connection_manager", 6, 1u << 16, 1) &&
                range_is(&msg, 1, "message_router", 2, 1u << 16, 1));
    FAIL_IF_NOT(tape_balanced(&msg));
    uint8_t ok[] = {0xd4, 0x00, 0x00, 0x00, 0x01, 0x0d, 0x79, 0x00, 0x18, 0x00,
                    0xfe, 0x80, 0x19, 0x00, 0x4d, 0x00, 0xf3, 0x8c, 0x95, 0x32,
                    0x00, 0x12, 0x7a, 0x00, 0x00, 0x12, 0x7a, 0x00, 0x00, 0x00};
    n = rr(b, 3, ok, sizeof ok);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x54, "Forward_Open", OT_OP_OTHER));
    FAIL_IF_NOT(kv_u64(&msg, "ot_connection_id") == 0x00790d01 &&
                kv_u64(&msg, "to_api") == 8000000);
    /* a refused Forward_Open: connection in use */
    n = rr(b, 3, fo, sizeof fo);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    uint8_t err[] = {0xd4, 0x00, 0x01, 0x01, 0x00, 0x01, 0x19, 0x00,
                     0x4d, 0x00, 0xf3, 0x8c, 0x95, 0x32, 0x00, 0x00};
    n = rr(b, 3, err, sizeof err);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK && msg.has_exception && msg.exception_code == 1);
    FAIL_IF_NOT(strcmp(msg.exception, "connection in use or duplicate forward open") == 0);
    FAIL_IF_NOT(kv_u64(&msg, "originator_serial") == 0x32958cf3);
    uint8_t fc[] = {0x4e, 0x02, 0x20, 0x06, 0x24, 0x01, 0x07, 0xf9, 0x19, 0x00, 0x4d, 0x00,
                    0xf3, 0x8c, 0x95, 0x32, 0x03, 0x00, 0x01, 0x00, 0x20, 0x02, 0x24, 0x01};
    n = rr(b, 4, fc, sizeof fc);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x4e, "Forward_Close", OT_OP_OTHER) &&
                kv_find(&msg, "forward_close"));
    /* a connection path that lies about its size */
    fo[41] = 40;
    n = rr(b, 3, fo, sizeof fo);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && anomaly_is(&msg, "cip_bad_forward_open") &&
                tape_balanced(&msg));
    PASS;
}

/* A Forward_Open request (class 3), then its reply announcing both
 * connection ids. */
static bool open_connection(uint8_t ctx0, uint32_t ot_id, uint32_t to_id)
{
    uint8_t fo[] = {0x54, 0x02, 0x20, 0x06, 0x24, 0x01, 0x07, 0xf9, 0x00, 0x00, 0x00, 0x00,
                    0x18, 0x00, 0xfe, 0x80, 0x19, 0x00, 0x4d, 0x00, 0xf3, 0x8c, 0x95, 0x32,
                    0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x7a, 0x00, 0xf4, 0x43, 0x00, 0x12,
                    0x7a, 0x00, 0xf4, 0x43, 0xa3, 0x03, 0x01, 0x00, 0x20, 0x02, 0x24, 0x01};
    uint8_t b[128];
    size_t n = rr(b, ctx0, fo, sizeof fo);
    if (req(b, n) != OT_PARSE_OK)
        return false;
    uint8_t ok[] = {0xd4, 0x00, 0x00, 0x00, 0,    0,    0,    0,    0,    0,
                    0,    0,    0x19, 0x00, 0x4d, 0x00, 0xf3, 0x8c, 0x95, 0x32,
                    0x00, 0x12, 0x7a, 0x00, 0x00, 0x12, 0x7a, 0x00, 0x00, 0x00};
    for (int i = 0; i < 4; i++) {
        ok[4 + i] = (uint8_t)(ot_id >> (8 * i));
        ok[8 + i] = (uint8_t)(to_id >> (8 * i));
    }
    n = rr(b, ctx0, ok, sizeof ok);
    return rsp(b, n) == OT_PARSE_OK && kv_u64(&msg, "to_connection_id") == to_id;
}

static int test_pairing_keys(void)
{
    uint8_t b[128];
    uint8_t gas[] = {0x0e, 0x03, 0x20, 0x01, 0x24, 0x01, 0x30, 0x07};
    uint8_t sas[] = {0x10, 0x03, 0x20, 0x01, 0x24, 0x01, 0x30, 0x07, 0x01};
    uint8_t gas_ok[] = {0x8e, 0x00, 0x00, 0x00, 0x01};
    uint8_t sas_ok[] = {0x90, 0x00, 0x00, 0x00};
    /* SendRRData, one sender context: a reply pairs with the request of its
     * own service, never with an older unanswered one of another service */
    reset_state();
    size_t n = rr(b, 9, gas, sizeof gas);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && msg.pair == OT_PAIR_KEYED);
    uint32_t k_gas = msg.txn_key;
    n = rr(b, 9, sas, sizeof sas);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && msg.txn_key != k_gas);
    uint32_t k_sas = msg.txn_key;
    n = rr(b, 9, sas_ok, sizeof sas_ok);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK && msg.txn_key == k_sas);
    n = rr(b, 9, gas_ok, sizeof gas_ok);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK && msg.txn_key == k_gas);
    /* another sender context: another transaction */
    n = rr(b, 10, gas_ok, sizeof gas_ok);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK && msg.txn_key != k_gas);
    /* an encapsulation error carries no CIP: it answers the request waiting on
     * its sender context */
    reset_state();
    n = rr(b, 8, gas, sizeof gas);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    k_gas = msg.txn_key;
    n = encap(b, 0x6f, 0x99, 0x64, 8, NULL, 0);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK && msg.txn_key == k_gas && msg.has_exception);

    /* SendUnitData: two class 3 connections of one flow count their sequence
     * from 1 alike; their Forward_Open replies tie each T->O id to its O->T id */
    reset_state();
    FAIL_IF_NOT(open_connection(3, 0x00790d01, 0x80fe0018));
    FAIL_IF_NOT(open_connection(4, 0x00790f01, 0x80fe0019));
    n = unit(b, 0x00790d01, 1, gas, sizeof gas);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && msg.pair == OT_PAIR_KEYED);
    uint32_t k_a = msg.txn_key;
    n = unit(b, 0x00790f01, 1, gas, sizeof gas);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && msg.txn_key != k_a);
    uint32_t k_b = msg.txn_key;
    n = unit(b, 0x80fe0019, 1, gas_ok, sizeof gas_ok);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK && msg.txn_key == k_b);
    n = unit(b, 0x80fe0018, 1, gas_ok, sizeof gas_ok);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK && msg.txn_key == k_a);
    /* the same sequence count with another service pairs with neither */
    n = unit(b, 0x80fe0018, 1, sas_ok, sizeof sas_ok);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK && msg.txn_key != k_a && msg.txn_key != k_b);
    /* another sequence count neither */
    n = unit(b, 0x80fe0018, 2, gas_ok, sizeof gas_ok);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK && msg.txn_key != k_a);
    /* a reused O->T id replaces its older pair */
    FAIL_IF_NOT(open_connection(5, 0x00790d01, 0x80fe0020));
    n = unit(b, 0x80fe0020, 1, gas_ok, sizeof gas_ok);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK && msg.txn_key == k_a);
    n = unit(b, 0x80fe0018, 1, gas_ok, sizeof gas_ok);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK && msg.txn_key != k_a);
    /* without a Forward_Open in the capture, the sequence count and the
     * service pair them (test_stop) */
    PASS;
}

static int test_unknown_command(void)
{
    uint8_t b[128];
    reset_state();
    size_t n = encap(b, 0x42, 0x11, 0, 5, (const uint8_t *)"abcd", 4);
    FAIL_IF_NOT(enip_dissector.pdu_len(b, n) == n);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x142, NULL, OT_OP_OTHER) && anomaly_is(&msg, "unknown_command"));
    FAIL_IF_NOT(kv_u64(&msg, "command") == 0x42 && !kv_find(&msg, "command_name") &&
                kv_u64(&msg, "length") == 4);
    FAIL_IF_NOT(msg.dir == OT_DIR_REQUEST && msg.pair == OT_PAIR_KEYED && tape_balanced(&msg));
    uint32_t key = msg.txn_key;
    /* the target refuses it with the same sender context */
    n = encap(b, 0x42, 0x11, 0x01, 5, NULL, 0);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK && anomaly_is(&msg, "unknown_command"));
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.txn_key == key);
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 1);
    FAIL_IF_NOT(strcmp(msg.exception, "invalid or unsupported command") == 0);
    /* a 16-bit command code, the length in the header bounding the body */
    n = encap(b, 0xbeef, 0, 0, 1, (const uint8_t *)"xy", 2);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && function_is(&msg, 0x100 + 0xbeef, NULL, OT_OP_OTHER));
    FAIL_IF_NOT(prefixes_refused(b, n));
    /* a stream: unknown command, then a RegisterSession, framed one by one */
    uint8_t s[128];
    size_t k = encap(s, 0x42, 0, 0, 1, (const uint8_t *)"abcd", 4);
    k += encap(s + k, 0x65, 0, 0, 2, (const uint8_t *)"\x01\x00\x00\x00", 4);
    FAIL_IF_NOT(enip_dissector.pdu_len(s, k) == 28 && enip_dissector.pdu_len(s + 28, k - 28) == 28);
    PASS;
}

static int test_errors_and_status(void)
{
    uint8_t b[128];
    reset_state();
    uint8_t gas[] = {0x0e, 0x03, 0x20, 0x01, 0x24, 0x01, 0x30, 0x07};
    size_t n = rr(b, 8, gas, sizeof gas);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    uint8_t e[] = {0x8e, 0x00, 0x05, 0x01, 0x34, 0x12};
    n = rr(b, 8, e, sizeof e);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x0e, "Get_Attribute_Single", OT_OP_READ));
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 5);
    FAIL_IF_NOT(strcmp(msg.exception, "path destination unknown") == 0);
    FAIL_IF_NOT(kv_arr_len(&msg, "ext_status") == 1);
    /* partial transfer is not an error */
    uint8_t pt[] = {0xd2, 0x00, 0x06, 0x00, 0xc4, 0x00, 0x01, 0x00, 0x00, 0x00};
    n = rr(b, 8, pt, sizeof pt);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK && !msg.has_exception);
    /* an identity attribute read alone */
    reset_state();
    n = rr(b, 8, gas, sizeof gas);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    uint8_t name[] = {0x8e, 0x00, 0x00, 0x00, 0x04, 'P', 'L', 'C', '1'};
    n = rr(b, 8, name, sizeof name);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK && msg.identity.present);
    FAIL_IF_NOT(strcmp(msg.identity.product, "PLC1") == 0);
    /* encapsulation status: invalid session handle */
    n = encap(b, 0x6f, 0x99, 0x64, 8, NULL, 0);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK && msg.has_exception && msg.exception_code == 0x64);
    FAIL_IF_NOT(strcmp(msg.exception, "invalid session handle") == 0);
    FAIL_IF_NOT(function_is(&msg, 0x16f, "SendRRData", OT_OP_OTHER) && msg.dir == OT_DIR_RESPONSE);
    /* an additional status that runs past the data */
    uint8_t lie[] = {0x8e, 0x00, 0x05, 0x09, 0x34, 0x12};
    n = rr(b, 8, lie, sizeof lie);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_INVALID);
    PASS;
}

static int test_lying_lengths(void)
{
    uint8_t b[128];
    uint8_t gas[] = {0x0e, 0x03, 0x20, 0x01, 0x24, 0x01, 0x30, 0x07};
    size_t n = rr(b, 1, gas, sizeof gas);
    /* a CPF item longer than the encapsulated data */
    b[24 + 14] = 0x40;
    FAIL_IF_NOT(req(b, n) == OT_PARSE_INVALID && anomaly_is(&msg, "enip_bad_item_length"));
    /* an item count far above the cap */
    n = rr(b, 1, gas, sizeof gas);
    b[24 + 6] = 0xff;
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && anomaly_is(&msg, "enip_bad_item_length"));
    /* an encapsulation length beyond the bytes: truncated, unless the engine
     * says the PDU was longer than its buffer */
    n = rr(b, 1, gas, sizeof gas);
    FAIL_IF_NOT(parse_full(b, n - 3, true, n - 3, 40000, 44818, state) == OT_PARSE_TRUNC);
    FAIL_IF_NOT(parse_full(b, n - 3, true, n, 40000, 44818, state) == OT_PARSE_TRUNC);
    uint8_t big[] = {0x03, 0x02, 0x20, 0xf5, 0x24, 0x01, 0x03,
                     0x00, 0x01, 0x00, 0x05, 0x00, 0x06, 0x00};
    n = rr(b, 1, big, sizeof big);
    FAIL_IF_NOT(parse_full(b, n - 2, true, n, 40000, 44818, state) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x03, "Get_Attribute_List", OT_OP_READ));
    FAIL_IF_NOT(kv_find(&msg, "truncated") != NULL);
    /* zero bytes, trailing bytes */
    FAIL_IF_NOT(req(b, 0) == OT_PARSE_TRUNC);
    n = rr(b, 1, gas, sizeof gas);
    b[n] = 0xaa;
    FAIL_IF_NOT(req(b, n + 1) == OT_PARSE_OK && anomaly_is(&msg, "enip_trailing_bytes"));
    /* a connected data item with nothing but the sequence count */
    n = unit(b, 1, 2, NULL, 0);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_INVALID);
    /* SendRRData with no data item */
    uint8_t d[] = {0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0};
    n = encap(b, 0x6f, 1, 0, 0, d, sizeof d);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && function_is(&msg, 0x16f, "SendRRData", OT_OP_OTHER));
    /* options not zero, unknown command */
    n = rr(b, 1, gas, sizeof gas);
    b[21] = 1;
    FAIL_IF_NOT(req(b, n) == OT_PARSE_NOT_MINE);
    PASS;
}

static int test_implicit_io(void)
{
    reset_state();
    uint8_t f[sizeof io_frame];
    memcpy(f, io_frame, sizeof f);
    for (uint32_t seq = 100; seq < 110; seq++) {
        if (seq == 105)
            continue; /* a lost frame */
        f[10] = (uint8_t)seq;
        f[11] = (uint8_t)(seq >> 8);
        f[12] = f[13] = 0;
        FAIL_IF_NOT(parse_full(f, sizeof f, true, sizeof f, 2222, 2222, state) == OT_PARSE_NONE);
    }
    /* other connections, past the cap of the flow state (12) */
    for (uint32_t id = 1; id <= 16; id++) {
        f[6] = (uint8_t)id;
        f[7] = f[8] = f[9] = 0;
        FAIL_IF_NOT(parse_full(f, sizeof f, false, sizeof f, 2222, 2222, state) == OT_PARSE_NONE);
    }
    struct ot_detail d;
    memset(&d, 0, sizeof d);
    enip_dissector.flow_summary(state, &d);
    /* connections[0] = 0x003a7b78: 9 frames, 100..109, one gap */
    FAIL_IF_NOT(d.n > 8 && d.kv[0].type == OT_KV_ARR_BEGIN &&
                strcmp(d.kv[0].key, "connections") == 0);
    FAIL_IF_NOT(d.kv[2].v.u == 0x003a7b78 && strcmp(d.kv[3].key, "frames") == 0 &&
                d.kv[3].v.u == 9);
    FAIL_IF_NOT(d.kv[4].v.u == 100 && d.kv[5].v.u == 109 && strcmp(d.kv[6].key, "seq_gaps") == 0 &&
                d.kv[6].v.u == 1);
    bool untracked = false;
    for (size_t i = 0; i < d.n; i++)
        if (d.kv[i].key && strcmp(d.kv[i].key, "untracked_frames") == 0)
            untracked = d.kv[i].v.u == 5;
    FAIL_IF_NOT(untracked);
    /* a truncated or malformed I/O datagram */
    for (size_t cut = 0; cut < sizeof io_frame; cut++) {
        enum ot_parse r = parse_full(io_frame, cut, true, cut, 2222, 2222, state);
        FAIL_IF(r == OT_PARSE_OK);
    }
    memcpy(f, io_frame, sizeof f);
    f[4] = 6; /* a sequenced address item of the wrong length */
    FAIL_IF_NOT(parse_full(f, sizeof f, true, sizeof f, 2222, 2222, state) == OT_PARSE_INVALID);
    /* without flow state nothing is counted, nothing breaks */
    FAIL_IF_NOT(parse_full(io_frame, sizeof io_frame, true, sizeof io_frame, 2222, 2222, NULL) ==
                OT_PARSE_NONE);
    /* an empty flow writes no summary */
    reset_state();
    memset(&d, 0, sizeof d);
    enip_dissector.flow_summary(state, &d);
    FAIL_IF_NOT(d.n == 0);
    PASS;
}

static int test_logix_fragmented(void)
{
    uint8_t b[128];
    reset_state();
    uint8_t rf[] = {0x52, 0x05, 0x91, 0x05, 'A',  'r',  'r',  'a',  'y',
                    0x00, 0x28, 0x05, 0x0a, 0x00, 0x00, 0x01, 0x00, 0x00};
    size_t n = rr(b, 2, rf, sizeof rf);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x52, "Read_Tag_Fragmented", OT_OP_READ));
    FAIL_IF_NOT(kv_str(&msg, "symbol", "Array[5]") && kv_u64(&msg, "byte_offset") == 256);
    uint8_t rr_rsp[] = {0xd2, 0x00, 0x06, 0x00, 0xc4, 0x00, 0x01, 0x00, 0x00, 0x00};
    n = rr(b, 2, rr_rsp, sizeof rr_rsp);
    FAIL_IF_NOT(rsp(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x52, "Read_Tag_Fragmented", OT_OP_READ));
    FAIL_IF_NOT(kv_str(&msg, "data_type_name", "DINT") && !msg.has_exception);
    uint8_t wf[] = {0x53, 0x03, 0x91, 0x03, 'C',  'n',  't',  0x00, 0xc3, 0x00,
                    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x07, 0x00};
    n = rr(b, 2, wf, sizeof wf);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0x53, "Write_Tag_Fragmented", OT_OP_WRITE));
    FAIL_IF_NOT(msg.n_values == 2 && msg.values[0].value == -1 && msg.values[1].value == 7);
    /* a Write_Tag whose data runs short keeps the elements that are there */
    uint8_t ws[] = {0x4d, 0x03, 0x91, 0x03, 'C',  'n',  't',  0x00, 0xc4,
                    0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02};
    n = rr(b, 2, ws, sizeof ws);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && msg.n_values == 1 && msg.values[0].value == 1);
    /* a structure write: the handle is kept */
    uint8_t st[] = {0x4d, 0x03, 0x91, 0x03, 'U',  'd',  't',  0x00,
                    0xa0, 0x02, 0x34, 0x12, 0x01, 0x00, 0xaa, 0xbb};
    n = rr(b, 2, st, sizeof st);
    FAIL_IF_NOT(req(b, n) == OT_PARSE_OK && kv_u64(&msg, "struct_handle") == 0x1234 &&
                msg.n_values == 0);
    PASS;
}

static const struct unit_test tests[] = {
    {"pdu_len framing and sanity", test_pdu_len},
    {"probe accepts ENIP and I/O, refuses HTTP, TLS, zeros", test_probe},
    {"RegisterSession, status, no-reply commands", test_register_session},
    {"ListIdentity identity, ListServices, ListInterfaces", test_list_identity},
    {"CIP Stop over SendUnitData and its reply", test_stop},
    {"common services, paths, ranges, values", test_common_services},
    {"File object, Read_Tag, Modbus object namespaces", test_file_object},
    {"Unconnected_Send unwrapped, identity reply, route errors", test_unconnected_send_identity},
    {"Multiple_Service_Packet request and response", test_msp},
    {"MSP operation class and written values", test_msp_classes_and_values},
    {"nested MSP depth cap", test_nested_msp},
    {"Forward_Open / Forward_Close", test_forward_open_close},
    {"pairing keys: sender context, connection, sequence, service", test_pairing_keys},
    {"unknown encapsulation commands reported", test_unknown_command},
    {"general and encapsulation status", test_errors_and_status},
    {"lying lengths, zero and trailing bytes", test_lying_lengths},
    {"implicit I/O counting and flow summary", test_implicit_io},
    {"Logix fragmented services and typed values", test_logix_fragmented},
    {NULL, NULL},
};

UNIT_MAIN(tests)
