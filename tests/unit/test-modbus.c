/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests for the Modbus/TCP dissector (dissectors/modbus.c),
 * through its public table entry: framing, probe, every function class,
 * exceptions, device identification, diagnostics sub-functions, UMAS, lying
 * lengths and truncation.  Byte arrays marked "modbus_example" are taken from
 * ../shared/pcaps/modbus/modbus_example.pcap. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dissector-check.h"
#include "dissectors.h"
#include "registry-private.h"
#include "unit.h"

static struct ot_msg msg;

static enum ot_parse parse_ctx(const uint8_t *p, size_t n, bool to_server, size_t claimed)
{
    struct ot_ctx ctx = tcp_ctx(502, to_server, n, claimed, NULL);
    return dissect(&modbus_dissector, &ctx, p, n, &msg);
}

static enum ot_parse req(const uint8_t *p, size_t n)
{
    return parse_ctx(p, n, true, n);
}

static enum ot_parse rsp(const uint8_t *p, size_t n)
{
    return parse_ctx(p, n, false, n);
}

/* Every prefix of a valid PDU must fail as TRUNC or INVALID, never parse. */
static bool all_prefixes_fail(const uint8_t *p, size_t n, bool to_server)
{
    if (!each_prefix(to_server ? req : rsp, p, n, refused, &msg))
        return false;
    /* the engine's "cut by the reassembly buffer" flag says the same */
    for (size_t cut = 0; cut < n; cut++)
        if (!refused(parse_ctx(p, cut, to_server, n), &msg))
            return false;
    return true;
}

/* modbus_example frames 20/22: FC3 read 1 register at 1, unit 4. */
static const uint8_t fc3_req[] = {0x00, 0x05, 0x00, 0x00, 0x00, 0x06,
                                  0x04, 0x03, 0x00, 0x01, 0x00, 0x01};
static const uint8_t fc3_rsp[] = {0x00, 0x05, 0x00, 0x00, 0x00, 0x05, 0x04, 0x03, 0x02, 0x00, 0xaa};

/* modbus_example frame 26: FC3 response with 8 registers. */
static const uint8_t fc3_rsp8[] = {0x00, 0x06, 0x00, 0x00, 0x00, 0x13, 0x05, 0x03, 0x10,
                                   0x00, 0xaa, 0x00, 0xaa, 0x00, 0xbb, 0x00, 0xcc, 0xef,
                                   0x84, 0xe3, 0xeb, 0x9f, 0x8b, 0xe4, 0xc1};

/* modbus_example frame 94: FC43/14 response with three objects. */
static const uint8_t fc43_rsp[] = {
    0x00, 0x17, 0x00, 0x00, 0x00, 0x3d, 0x01, 0x2b, 0x0e, 0x01, 0x83, 0x00, 0x00, 0x03,
    0x00, 0x10, 'Z',  'e',  'e',  'k',  ' ',  'M',  'o',  'd',  'b',  'u',  's',  ' ',
    'T',  'e',  's',  't',  0x01, 0x18, 'P',  'r',  'o',  't',  'o',  'c',  'o',  'l',
    ' ',  'P',  'a',  'r',  's',  'i',  'n',  'g',  ' ',  'i',  's',  ' ',  'f',  'u',
    'n',  '!',  0x02, 0x07, '1',  '.',  '2',  '.',  '3',  '.',  '6',
};

static int test_pdu_len(void)
{
    const struct ot_dissector *d = &modbus_dissector;
    for (size_t n = 0; n < 6; n++)
        FAIL_IF_NOT(d->pdu_len(fc3_req, n) == 0);
    FAIL_IF_NOT(d->pdu_len(fc3_req, 6) == sizeof(fc3_req));
    FAIL_IF_NOT(d->pdu_len(fc3_req, sizeof(fc3_req)) == sizeof(fc3_req));
    FAIL_IF_NOT(d->pdu_len(fc3_rsp8, 7) == sizeof(fc3_rsp8));
    FAIL_IF_NOT(d->pdu_len(NULL, 0) == 0);
    /* protocol id not 0: known from the third byte on */
    static const uint8_t pid[] = {0x00, 0x01, 0x00, 0x01, 0x00, 0x06, 0x01, 0x03};
    FAIL_IF_NOT(d->pdu_len(pid, 3) == 0);
    FAIL_IF_NOT(d->pdu_len(pid, 4) == OT_PDU_NOT_MINE);
    static const uint8_t pid_hi[] = {0x00, 0x01, 0x01, 0x00};
    FAIL_IF_NOT(d->pdu_len(pid_hi, 3) == OT_PDU_NOT_MINE);
    /* length outside 2..254 */
    static const uint8_t len0[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    static const uint8_t len1[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
    static const uint8_t len2[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x02};
    static const uint8_t len254[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0xfe};
    static const uint8_t len255[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0xff};
    static const uint8_t len256[] = {0x00, 0x00, 0x00, 0x00, 0x01, 0x00};
    FAIL_IF_NOT(d->pdu_len(len0, 6) == OT_PDU_NOT_MINE);
    FAIL_IF_NOT(d->pdu_len(len1, 6) == OT_PDU_NOT_MINE);
    FAIL_IF_NOT(d->pdu_len(len2, 6) == 8);
    FAIL_IF_NOT(d->pdu_len(len254, 6) == 260);
    FAIL_IF_NOT(d->pdu_len(len255, 6) == OT_PDU_NOT_MINE);
    FAIL_IF_NOT(d->pdu_len(len256, 5) == OT_PDU_NOT_MINE);
    /* HTTP and TLS are never framed */
    FAIL_IF_NOT(d->pdu_len((const uint8_t *)"GET / HTTP/1.1\r\n", 16) == OT_PDU_NOT_MINE);
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x00, 0x85, 0x01, 0x00, 0x00};
    FAIL_IF_NOT(d->pdu_len(tls, sizeof(tls)) == OT_PDU_NOT_MINE);
    PASS;
}

/* Resynchronisation as the engine does it: garbage, then valid PDUs. */
static int test_stream_resync(void)
{
    uint8_t s[64];
    size_t n = 0;
    static const uint8_t junk[] = {0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa};
    memcpy(s + n, junk, sizeof(junk));
    n += sizeof(junk);
    memcpy(s + n, fc3_req, sizeof(fc3_req));
    n += sizeof(fc3_req);
    memcpy(s + n, fc3_req, sizeof(fc3_req));
    n += sizeof(fc3_req);
    size_t off = 0, pdus = 0, skipped = 0;
    while (off < n) {
        size_t len = modbus_dissector.pdu_len(s + off, n - off);
        if (len == OT_PDU_NOT_MINE) {
            off++;
            skipped++;
            continue;
        }
        FAIL_IF(len == 0 || len > n - off);
        FAIL_IF_NOT(req(s + off, len) == OT_PARSE_OK);
        pdus++;
        off += len;
    }
    FAIL_IF_NOT(pdus == 2);
    FAIL_IF_NOT(skipped == sizeof(junk));
    PASS;
}

static int test_probe(void)
{
    enum ot_probe (*probe)(const uint8_t *, size_t, bool) = modbus_dissector.probe;
    FAIL_IF_NOT(probe(fc3_req, sizeof(fc3_req), true) == OT_PROBE_YES);
    FAIL_IF_NOT(probe(fc3_rsp, sizeof(fc3_rsp), false) == OT_PROBE_YES);
    FAIL_IF_NOT(probe(fc3_req, 0, true) == OT_PROBE_NEED_MORE);
    FAIL_IF_NOT(probe(fc3_req, 7, true) == OT_PROBE_NEED_MORE);
    FAIL_IF_NOT(probe(fc3_rsp8, sizeof(fc3_rsp8), false) == OT_PROBE_YES);
    /* an exception is a server's, with a defined code, in a 3-byte PDU */
    static const uint8_t exc[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x83, 0x02};
    FAIL_IF_NOT(probe(exc, sizeof(exc), false) == OT_PROBE_YES);
    FAIL_IF_NOT(probe(exc, sizeof(exc), true) == OT_PROBE_NO);
    static const uint8_t exc_bad[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x83, 0x09};
    FAIL_IF_NOT(probe(exc_bad, sizeof(exc_bad), false) == OT_PROBE_NO);
    static const uint8_t exc_long[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x83, 0x02, 0x00};
    FAIL_IF_NOT(probe(exc_long, sizeof(exc_long), false) == OT_PROBE_NO);
    /* pipelined: two PDUs, and a third that continues in the next segment */
    uint8_t two[2 * sizeof(fc3_req) + 4];
    memcpy(two, fc3_req, sizeof(fc3_req));
    memcpy(two + sizeof(fc3_req), fc3_req, sizeof(fc3_req));
    memcpy(two + 2 * sizeof(fc3_req), fc3_req, 4);
    FAIL_IF_NOT(probe(two, sizeof(two), true) == OT_PROBE_YES);
    /* a PDU followed by bytes that are not an MBAP header */
    uint8_t tail[sizeof(fc3_req) + 6];
    memcpy(tail, fc3_req, sizeof(fc3_req));
    memcpy(tail + sizeof(fc3_req), "HTTP/1", 6);
    FAIL_IF_NOT(probe(tail, sizeof(tail), true) == OT_PROBE_NO);
    /* a long write whose first segment holds only the start */
    static const uint8_t split[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0xf7, 0x01, 0x10,
                                    0x00, 0x00, 0x00, 0x7b, 0xf6, 0x00, 0x01};
    FAIL_IF_NOT(probe(split, sizeof(split), true) == OT_PROBE_YES);
    /* zero-length PDU (fuzz-72.pcap frame 1) */
    static const uint8_t zero[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    FAIL_IF_NOT(probe(zero, sizeof(zero), false) == OT_PROBE_NO);
    /* what modbus-and-non-modbus-p502.pcap carries on port 502 */
    const char *http = "GET / HTTP/1.1\r\nHost: 160.97.70.34\r\nAccept: */*\r\n\r\n";
    FAIL_IF_NOT(probe((const uint8_t *)http, strlen(http), true) == OT_PROBE_NO);
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x00, 0x85, 0x01, 0x00, 0x00,
                                  0x81, 0x03, 0x03, 0x73, 0x6f, 0xf8, 0x18, 0x54};
    FAIL_IF_NOT(probe(tls, sizeof(tls), true) == OT_PROBE_NO);
    static const uint8_t tls_alert[] = {0x16, 0x03, 0x01, 0x00, 0x00, 0x03, 0x00, 0x80, 0x01};
    FAIL_IF_NOT(probe(tls_alert, sizeof(tls_alert), false) == OT_PROBE_NO);
    static const uint8_t dcerpc[] = {0x05, 0x00, 0x0b, 0x03, 0x10, 0x00, 0x00, 0x00,
                                     0x48, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00};
    FAIL_IF_NOT(probe(dcerpc, sizeof(dcerpc), true) == OT_PROBE_NO);
    static const uint8_t nfs[] = {0x80, 0x00, 0x00, 0x28, 0x7e, 0x86, 0xab, 0x4a,
                                  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02};
    FAIL_IF_NOT(probe(nfs, sizeof(nfs), true) == OT_PROBE_NO);
    static const uint8_t tpkt[] = {0x03, 0x00, 0x00, 0x2b, 0x26, 0xe0, 0x00, 0x00};
    FAIL_IF_NOT(probe(tpkt, sizeof(tpkt), true) == OT_PROBE_NO);
    /* the request that opens the function-code sweep: code 0 still counts */
    static const uint8_t fc0[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x06,
                                  0x01, 0x00, 0x00, 0x00, 0x00, 0x00};
    FAIL_IF_NOT(probe(fc0, sizeof(fc0), true) == OT_PROBE_YES);
    PASS;
}

static int test_mbap(void)
{
    FAIL_IF_NOT(req(fc3_req, sizeof(fc3_req)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.proto == OT_PROTO_MODBUS);
    FAIL_IF_NOT(msg.dir == OT_DIR_REQUEST);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED);
    FAIL_IF_NOT(msg.has_unit && msg.unit == 4);
    FAIL_IF_NOT(kv_u64(&msg, "transaction_id") == 5);
    FAIL_IF_NOT(kv_u64(&msg, "length") == 6);
    FAIL_IF(kv_find(&msg, "protocol_id"));
    FAIL_IF(kv_find(&msg, "function_code") || kv_find(&msg, "unit") || kv_find(&msg, "exception"));
    uint32_t key = msg.txn_key;
    FAIL_IF_NOT(key == (5u | 4u << 16));
    FAIL_IF_NOT(rsp(fc3_rsp, sizeof(fc3_rsp)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(msg.txn_key == key);
    FAIL_IF(msg.anomaly);
    /* same transaction id, other unit: another transaction */
    uint8_t other[sizeof(fc3_rsp)];
    memcpy(other, fc3_rsp, sizeof(other));
    other[6] = 9;
    FAIL_IF_NOT(rsp(other, sizeof(other)) == OT_PARSE_OK);
    FAIL_IF(msg.txn_key == key);
    PASS;
}

static int test_not_mine_and_invalid(void)
{
    static const uint8_t pid[] = {0x00, 0x01, 0x00, 0x07, 0x00, 0x06,
                                  0x01, 0x03, 0x00, 0x00, 0x00, 0x01};
    FAIL_IF_NOT(req(pid, sizeof(pid)) == OT_PARSE_NOT_MINE);
    /* zero-length PDUs: no room for a function code */
    static const uint8_t len0[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x00};
    static const uint8_t len1[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x01};
    FAIL_IF_NOT(req(len0, sizeof(len0)) == OT_PARSE_INVALID);
    FAIL_IF_NOT(req(len1, sizeof(len1)) == OT_PARSE_INVALID);
    FAIL_IF_NOT(rsp(len0, sizeof(len0)) == OT_PARSE_INVALID);
    static const uint8_t len255[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0x01, 0x03};
    FAIL_IF_NOT(req(len255, sizeof(len255)) == OT_PARSE_INVALID);
    static const uint8_t len4096[] = {0x00, 0x01, 0x00, 0x00, 0x10, 0x00, 0x01, 0x03};
    FAIL_IF_NOT(req(len4096, sizeof(len4096)) == OT_PARSE_INVALID);
    FAIL_IF_NOT(req((const uint8_t *)"GET / HTTP/1.1\r\n", 16) == OT_PARSE_NOT_MINE);
    PASS;
}

static int test_truncation(void)
{
    FAIL_IF_NOT(all_prefixes_fail(fc3_req, sizeof(fc3_req), true));
    FAIL_IF_NOT(all_prefixes_fail(fc3_rsp, sizeof(fc3_rsp), false));
    FAIL_IF_NOT(all_prefixes_fail(fc3_rsp8, sizeof(fc3_rsp8), false));
    FAIL_IF_NOT(all_prefixes_fail(fc43_rsp, sizeof(fc43_rsp), false));
    static const uint8_t fc16[] = {0x00, 0x0e, 0x00, 0x00, 0x00, 0x0f, 0x07, 0x10, 0x00, 0x01, 0x00,
                                   0x04, 0x08, 0x00, 0xaa, 0x00, 0xbb, 0x00, 0xcc, 0x00, 0xdd};
    FAIL_IF_NOT(all_prefixes_fail(fc16, sizeof(fc16), true));
    static const uint8_t umas[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x5a, 0x01, 0x41};
    FAIL_IF_NOT(all_prefixes_fail(umas, sizeof(umas), true));
    static const uint8_t exc[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x83, 0x02};
    FAIL_IF_NOT(all_prefixes_fail(exc, sizeof(exc), false));
    /* the whole PDU, but the engine says it was longer than its buffer */
    FAIL_IF_NOT(parse_ctx(fc3_req, sizeof(fc3_req), true, 300) == OT_PARSE_TRUNC);
    /* bytes after the MBAP length are not this PDU's */
    uint8_t more[sizeof(fc3_req) + 3] = {0};
    memcpy(more, fc3_req, sizeof(fc3_req));
    FAIL_IF_NOT(req(more, sizeof(more)) == OT_PARSE_OK);
    FAIL_IF(msg.anomaly);
    PASS;
}

static int test_read_requests(void)
{
    static const struct {
        uint8_t fc;
        const char *name;
        const char *space;
        uint32_t id;
    } t[] = {
        {1, "read_coils", "coil", 1},
        {2, "read_discrete_inputs", "discrete_input", 2},
        {3, "read_holding_registers", "holding_register", 3},
        {4, "read_input_registers", "input_register", 4},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        uint8_t p[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, t[i].fc, 0x02, 0x58, 0x00, 0x0a};
        FAIL_IF_NOT(req(p, sizeof(p)) == OT_PARSE_OK);
        FAIL_IF_NOT(function_is(&msg, t[i].fc, t[i].name, OT_OP_READ));
        FAIL_IF_NOT(msg.n_ranges == 1);
        FAIL_IF_NOT(range_is(&msg, 0, t[i].space, t[i].id, 600, 10));
        FAIL_IF_NOT(kv_u64(&msg, "quantity") == 10);
        FAIL_IF(msg.anomaly);
        FAIL_IF_NOT(msg.n_values == 0);
    }
    PASS;
}

static int test_quantity_limits(void)
{
    /* FC3: 1..125 */
    uint8_t p[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00, 0x00, 0x7d};
    FAIL_IF_NOT(req(p, sizeof(p)) == OT_PARSE_OK);
    FAIL_IF(msg.anomaly);
    p[11] = 0x7e;
    FAIL_IF_NOT(req(p, sizeof(p)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "quantity_out_of_range"));
    FAIL_IF_NOT(range_is(&msg, 0, "holding_register", 3, 0, 126));
    p[11] = 0x00;
    FAIL_IF_NOT(req(p, sizeof(p)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "quantity_out_of_range"));
    FAIL_IF_NOT(msg.n_ranges == 0);
    FAIL_IF_NOT(kv_u64(&msg, "quantity") == 0);
    /* FC1: 1..2000 */
    uint8_t q[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x01, 0x00, 0x00, 0x07, 0xd0};
    FAIL_IF_NOT(req(q, sizeof(q)) == OT_PARSE_OK);
    FAIL_IF(msg.anomaly);
    q[11] = 0xd1;
    FAIL_IF_NOT(req(q, sizeof(q)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "quantity_out_of_range"));
    /* start + quantity past the 16-bit space */
    uint8_t r[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0xff, 0xff, 0x00, 0x02};
    FAIL_IF_NOT(req(r, sizeof(r)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "address_out_of_range"));
    r[11] = 0x01;
    FAIL_IF_NOT(req(r, sizeof(r)) == OT_PARSE_OK);
    FAIL_IF(msg.anomaly);
    FAIL_IF_NOT(range_is(&msg, 0, "holding_register", 3, 65535, 1));
    PASS;
}

static int test_read_responses(void)
{
    FAIL_IF_NOT(rsp(fc3_rsp8, sizeof(fc3_rsp8)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 3, "read_holding_registers", OT_OP_READ));
    FAIL_IF_NOT(kv_u64(&msg, "byte_count") == 16);
    FAIL_IF_NOT(kv_arr_len(&msg, "registers") == 8);
    FAIL_IF_NOT(msg.n_ranges == 0 && msg.n_values == 0);
    FAIL_IF(msg.anomaly);
    FAIL_IF_NOT(tape_balanced(&msg));
    /* modbus_example frame 6: FC1 response, one byte of coils */
    static const uint8_t fc1[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x04, 0x01, 0x01, 0x01};
    FAIL_IF_NOT(rsp(fc1, sizeof(fc1)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 1, "read_coils", OT_OP_READ));
    FAIL_IF_NOT(kv_find(&msg, "coil_status") && kv_find(&msg, "coil_status")->type == OT_KV_HEX);
    FAIL_IF(msg.anomaly);
    static const uint8_t fc2[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x04, 0x02, 0x01, 0x00};
    FAIL_IF_NOT(rsp(fc2, sizeof(fc2)) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_find(&msg, "input_status"));
    /* 125 registers: only the first 32 go to detail */
    uint8_t big[9 + 250] = {0x00, 0x01, 0x00, 0x00, 0x00, 253, 0x01, 0x04, 250};
    FAIL_IF_NOT(rsp(big, sizeof(big)) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_arr_len(&msg, "registers") == 32);
    FAIL_IF(msg.anomaly);
    FAIL_IF_NOT(tape_balanced(&msg));
    PASS;
}

static int test_lying_byte_counts(void)
{
    /* byte count larger than the PDU */
    uint8_t p[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x07, 0x01, 0x03, 0x08, 0x00, 0x01, 0x00, 0x02};
    FAIL_IF_NOT(rsp(p, sizeof(p)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "byte_count_mismatch"));
    FAIL_IF_NOT(kv_arr_len(&msg, "registers") == 2);
    /* smaller than the PDU */
    p[8] = 0x02;
    FAIL_IF_NOT(rsp(p, sizeof(p)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "byte_count_mismatch"));
    FAIL_IF_NOT(kv_arr_len(&msg, "registers") == 1);
    /* odd */
    uint8_t odd[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x03, 0x00, 0x01, 0x00};
    FAIL_IF_NOT(rsp(odd, sizeof(odd)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "byte_count_out_of_range"));
    /* FC16 byte count that disagrees with the quantity */
    static const uint8_t fc16[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x0b, 0x01, 0x10, 0x00,
                                   0x00, 0x00, 0x03, 0x04, 0x00, 0x01, 0x00, 0x02};
    FAIL_IF_NOT(req(fc16, sizeof(fc16)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "byte_count_mismatch"));
    FAIL_IF_NOT(msg.n_values == 2);
    /* FC16 whose MBAP length leaves out its byte count: the PDU is too short */
    static const uint8_t short16[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06,
                                      0x01, 0x10, 0x00, 0x00, 0x00, 0x03};
    FAIL_IF_NOT(req(short16, sizeof(short16)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "pdu_too_short"));
    FAIL_IF_NOT(msg.n_ranges == 0);
    /* FC6 with two extra bytes (modbus_test_data_part2.pcap frame 22) */
    static const uint8_t fc6x[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01,
                                   0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    FAIL_IF_NOT(req(fc6x, sizeof(fc6x)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "trailing_bytes"));
    FAIL_IF_NOT(function_is(&msg, 6, "write_single_register", OT_OP_WRITE));
    /* FC22 cut to 4 data bytes (part2 frame 62) still makes a record */
    static const uint8_t fc22s[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x06,
                                    0x01, 0x16, 0x00, 0x00, 0x00, 0x00};
    FAIL_IF_NOT(req(fc22s, sizeof(fc22s)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "pdu_too_short"));
    FAIL_IF_NOT(function_is(&msg, 22, "mask_write_register", OT_OP_WRITE));
    PASS;
}

static int test_write_single(void)
{
    /* modbus_example frame 36: FC5 coil 1 on */
    uint8_t p[] = {0x00, 0x09, 0x00, 0x00, 0x00, 0x06, 0x06, 0x05, 0x00, 0x01, 0xff, 0x00};
    FAIL_IF_NOT(req(p, sizeof(p)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 5, "write_single_coil", OT_OP_WRITE));
    FAIL_IF_NOT(range_is(&msg, 0, "coil", 1, 1, 1));
    FAIL_IF_NOT(msg.n_values == 1 && value_is(&msg, 0, 1, 1, 1.0));
    FAIL_IF(msg.anomaly);
    FAIL_IF_NOT(rsp(p, sizeof(p)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && value_is(&msg, 0, 1, 1, 1.0));
    p[10] = 0x00;
    FAIL_IF_NOT(req(p, sizeof(p)) == OT_PARSE_OK);
    FAIL_IF_NOT(value_is(&msg, 0, 1, 1, 0.0));
    p[10] = 0x12;
    p[11] = 0x34;
    FAIL_IF_NOT(req(p, sizeof(p)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "invalid_coil_value"));
    FAIL_IF_NOT(msg.n_values == 0);
    FAIL_IF_NOT(kv_u64(&msg, "output_value") == 0x1234);
    /* modbus_example frame 40: FC6 register 1 = 0xabcd */
    static const uint8_t fc6[] = {0x00, 0x0a, 0x00, 0x00, 0x00, 0x06,
                                  0x07, 0x06, 0x00, 0x01, 0xab, 0xcd};
    FAIL_IF_NOT(req(fc6, sizeof(fc6)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 6, "write_single_register", OT_OP_WRITE));
    FAIL_IF_NOT(range_is(&msg, 0, "holding_register", 3, 1, 1));
    FAIL_IF_NOT(value_is(&msg, 0, 3, 1, 0xabcd));
    PASS;
}

static int test_write_multiple(void)
{
    /* modbus_example frame 52: FC15, 4 coils at 1 = 1,0,0,1 */
    static const uint8_t fc15[] = {0x00, 0x0d, 0x00, 0x00, 0x00, 0x08, 0x07,
                                   0x0f, 0x00, 0x01, 0x00, 0x04, 0x01, 0x09};
    FAIL_IF_NOT(req(fc15, sizeof(fc15)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 15, "write_multiple_coils", OT_OP_WRITE));
    FAIL_IF_NOT(range_is(&msg, 0, "coil", 1, 1, 4));
    FAIL_IF_NOT(msg.n_values == 4);
    FAIL_IF_NOT(value_is(&msg, 0, 1, 1, 1) && value_is(&msg, 1, 1, 2, 0) &&
                value_is(&msg, 2, 1, 3, 0));
    FAIL_IF_NOT(value_is(&msg, 3, 1, 4, 1));
    FAIL_IF_NOT(kv_u64(&msg, "quantity") == 4 && kv_u64(&msg, "byte_count") == 1);
    FAIL_IF(msg.anomaly);
    static const uint8_t fc15r[] = {0x00, 0x0d, 0x00, 0x00, 0x00, 0x06,
                                    0x07, 0x0f, 0x00, 0x01, 0x00, 0x04};
    FAIL_IF_NOT(rsp(fc15r, sizeof(fc15r)) == OT_PARSE_OK);
    FAIL_IF_NOT(range_is(&msg, 0, "coil", 1, 1, 4) && msg.n_values == 0);
    /* modbus_example frame 56: FC16, 4 registers at 1 */
    static const uint8_t fc16[] = {0x00, 0x0e, 0x00, 0x00, 0x00, 0x0f, 0x07, 0x10, 0x00, 0x01, 0x00,
                                   0x04, 0x08, 0x00, 0xaa, 0x00, 0xbb, 0x00, 0xcc, 0x00, 0xdd};
    FAIL_IF_NOT(req(fc16, sizeof(fc16)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 16, "write_multiple_registers", OT_OP_WRITE));
    FAIL_IF_NOT(range_is(&msg, 0, "holding_register", 3, 1, 4));
    FAIL_IF_NOT(msg.n_values == 4 && value_is(&msg, 0, 3, 1, 0xaa) &&
                value_is(&msg, 3, 3, 4, 0xdd));
    FAIL_IF(msg.anomaly);
    /* 123 registers: the values stop at OT_MAX_VALUES */
    uint8_t big[13 + 246] = {0x00, 0x01, 0x00, 0x00, 0x00, 253, 0x01,
                             0x10, 0x00, 0x64, 0x00, 123,  246};
    FAIL_IF_NOT(req(big, sizeof(big)) == OT_PARSE_OK);
    FAIL_IF(msg.anomaly);
    FAIL_IF_NOT(msg.n_values == OT_MAX_VALUES && msg.values_truncated);
    FAIL_IF_NOT(range_is(&msg, 0, "holding_register", 3, 100, 123));
    /* 1968 coils is the FC15 maximum; 1969 is not */
    uint8_t coils[13 + 246] = {0x00, 0x01, 0x00, 0x00, 0x00, 253, 0x01,
                               0x0f, 0x00, 0x00, 0x07, 0xb0, 246};
    FAIL_IF_NOT(req(coils, sizeof(coils)) == OT_PARSE_OK);
    FAIL_IF(msg.anomaly);
    FAIL_IF_NOT(msg.n_values == OT_MAX_VALUES && msg.values_truncated);
    coils[11] = 0xb1;
    FAIL_IF_NOT(req(coils, sizeof(coils)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "quantity_out_of_range"));
    PASS;
}

static int test_mask_and_read_write(void)
{
    /* modbus_example frame 72: FC22 register 10, and 0xdead, or 0 */
    static const uint8_t fc22[] = {0x00, 0x12, 0x00, 0x00, 0x00, 0x08, 0x04,
                                   0x16, 0x00, 0x0a, 0xde, 0xad, 0x00, 0x00};
    FAIL_IF_NOT(req(fc22, sizeof(fc22)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 22, "mask_write_register", OT_OP_WRITE));
    FAIL_IF_NOT(range_is(&msg, 0, "holding_register", 3, 10, 1));
    FAIL_IF_NOT(kv_u64(&msg, "and_mask") == 0xdead && kv_u64(&msg, "or_mask") == 0);
    FAIL_IF_NOT(msg.n_values == 0);
    FAIL_IF(msg.anomaly);
    /* modbus_example frame 84: FC23 read 4 at 1, write 3 at 2 */
    static const uint8_t fc23[] = {0x00, 0x15, 0x00, 0x00, 0x00, 0x11, 0x06, 0x17,
                                   0x00, 0x01, 0x00, 0x04, 0x00, 0x02, 0x00, 0x03,
                                   0x06, 0x00, 0xaa, 0x00, 0xbb, 0x00, 0xcc};
    FAIL_IF_NOT(req(fc23, sizeof(fc23)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 23, "read_write_multiple_registers", OT_OP_WRITE));
    FAIL_IF_NOT(msg.n_ranges == 2);
    FAIL_IF_NOT(range_is(&msg, 0, "holding_register", 3, 2, 3));
    FAIL_IF_NOT(range_is(&msg, 1, "holding_register", 3, 1, 4));
    FAIL_IF_NOT(kv_u64(&msg, "read_start") == 1 && kv_u64(&msg, "read_quantity") == 4);
    FAIL_IF_NOT(kv_u64(&msg, "write_start") == 2 && kv_u64(&msg, "write_quantity") == 3);
    FAIL_IF_NOT(msg.n_values == 3 && value_is(&msg, 0, 3, 2, 0xaa) &&
                value_is(&msg, 2, 3, 4, 0xcc));
    FAIL_IF(msg.anomaly);
    /* modbus_example frame 86: the response carries the 4 registers read */
    static const uint8_t fc23r[] = {0x00, 0x15, 0x00, 0x00, 0x00, 0x0b, 0x06, 0x17, 0x08,
                                    0x00, 0xaa, 0x00, 0xaa, 0x00, 0xbb, 0x00, 0xcc};
    FAIL_IF_NOT(rsp(fc23r, sizeof(fc23r)) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_arr_len(&msg, "registers") == 4);
    /* write quantity 122 is over the FC23 limit of 121 */
    uint8_t over[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x0d, 0x01, 0x17, 0x00, 0x00,
                      0x00, 0x01, 0x00, 0x00, 0x00, 0x7a, 0x02, 0x00, 0x01};
    FAIL_IF_NOT(req(over, sizeof(over)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "quantity_out_of_range"));
    PASS;
}

static int test_serial_diagnostics_class(void)
{
    static const uint8_t fc7[] = {0x00, 0x0b, 0x00, 0x00, 0x00, 0x02, 0x02, 0x07};
    FAIL_IF_NOT(req(fc7, sizeof(fc7)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 7, "read_exception_status", OT_OP_DIAGNOSTIC));
    FAIL_IF(msg.anomaly);
    static const uint8_t fc7r[] = {0x00, 0x0b, 0x00, 0x00, 0x00, 0x03, 0x02, 0x07, 0x15};
    FAIL_IF_NOT(rsp(fc7r, sizeof(fc7r)) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_u64(&msg, "exception_status") == 0x15);
    static const uint8_t fc11r[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06,
                                    0x01, 0x0b, 0xff, 0xff, 0x01, 0x08};
    FAIL_IF_NOT(rsp(fc11r, sizeof(fc11r)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 11, "get_comm_event_counter", OT_OP_DIAGNOSTIC));
    FAIL_IF_NOT(kv_u64(&msg, "status") == 0xffff && kv_u64(&msg, "event_count") == 0x108);
    static const uint8_t fc12r[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x0b, 0x01, 0x0c, 0x08,
                                    0x00, 0x00, 0x01, 0x08, 0x01, 0x21, 0x20, 0x00};
    FAIL_IF_NOT(rsp(fc12r, sizeof(fc12r)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 12, "get_comm_event_log", OT_OP_DIAGNOSTIC));
    FAIL_IF_NOT(kv_u64(&msg, "message_count") == 0x121 && kv_find(&msg, "events"));
    FAIL_IF(msg.anomaly);
    static const uint8_t fc12short[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06,
                                        0x01, 0x0c, 0x03, 0x00, 0x00, 0x01};
    FAIL_IF_NOT(rsp(fc12short, sizeof(fc12short)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "byte_count_out_of_range"));
    /* modbus_example frame 62: Report Server ID */
    static const uint8_t fc17r[] = {0x00, 0x0f, 0x00, 0x00, 0x00, 0x0a, 0x02, 0x11,
                                    0x07, 0x01, 0xff, 'P',  'L',  'C',  '-',  '1'};
    FAIL_IF_NOT(rsp(fc17r, sizeof(fc17r)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 17, "report_server_id", OT_OP_DISCOVERY));
    FAIL_IF_NOT(kv_find(&msg, "server_id") && kv_str(&msg, "server_id_text", "PLC-1"));
    FAIL_IF(msg.anomaly);
    PASS;
}

static int test_diagnostics(void)
{
    static const struct {
        uint16_t sub;
        const char *name;
        enum ot_op op;
    } t[] = {
        {0x00, "return_query_data", OT_OP_DIAGNOSTIC},
        {0x01, "restart_communications_option", OT_OP_CONTROL},
        {0x02, "return_diagnostic_register", OT_OP_DIAGNOSTIC},
        {0x03, "change_ascii_input_delimiter", OT_OP_DIAGNOSTIC},
        {0x04, "force_listen_only_mode", OT_OP_CONTROL},
        {0x0a, "clear_counters_and_diagnostic_register", OT_OP_DIAGNOSTIC},
        {0x0b, "return_bus_message_count", OT_OP_DIAGNOSTIC},
        {0x0e, "return_server_message_count", OT_OP_DIAGNOSTIC},
        {0x12, "return_bus_character_overrun_count", OT_OP_DIAGNOSTIC},
        {0x14, "clear_overrun_counter_and_flag", OT_OP_DIAGNOSTIC},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        uint8_t p[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x08, 0x00, (uint8_t)t[i].sub,
                       0xff, 0x00};
        FAIL_IF_NOT(req(p, sizeof(p)) == OT_PARSE_OK);
        FAIL_IF_NOT(function_is(&msg, 8, "diagnostics", t[i].op));
        FAIL_IF_NOT(kv_u64(&msg, "subfunction") == t[i].sub);
        FAIL_IF_NOT(kv_str(&msg, "subfunction_name", t[i].name));
        FAIL_IF_NOT(kv_u64(&msg, "data") == 0xff00);
        FAIL_IF(msg.anomaly);
    }
    /* a reserved sub-function: no name, still diagnostic */
    static const uint8_t r[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06,
                                0x01, 0x08, 0x00, 0x13, 0x00, 0x00};
    FAIL_IF_NOT(req(r, sizeof(r)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 8, "diagnostics", OT_OP_DIAGNOSTIC));
    FAIL_IF(kv_find(&msg, "subfunction_name"));
    /* Return Query Data with several words of data */
    static const uint8_t q[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x08, 0x01,
                                0x08, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78};
    FAIL_IF_NOT(rsp(q, sizeof(q)) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_find(&msg, "data") && kv_find(&msg, "data")->type == OT_KV_HEX);
    /* no sub-function at all */
    static const uint8_t none[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x01, 0x08};
    FAIL_IF_NOT(req(none, sizeof(none)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "pdu_too_short"));
    PASS;
}

static int test_file_records(void)
{
    /* FC20: two sub-requests, file 4 record 1 len 2, file 3 record 9 len 2 */
    static const uint8_t fc20[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x11, 0x01, 0x14,
                                   0x0e, 0x06, 0x00, 0x04, 0x00, 0x01, 0x00, 0x02,
                                   0x06, 0x00, 0x03, 0x00, 0x09, 0x00, 0x02};
    FAIL_IF_NOT(req(fc20, sizeof(fc20)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 20, "read_file_record", OT_OP_FILE));
    FAIL_IF_NOT(msg.n_ranges == 2);
    FAIL_IF_NOT(range_is(&msg, 0, "file_record", 6, 4u << 16 | 1, 2));
    FAIL_IF_NOT(range_is(&msg, 1, "file_record", 6, 3u << 16 | 9, 2));
    FAIL_IF_NOT(kv_arr_len(&msg, "sub_requests") == 2 && kv_u64(&msg, "file_number") == 4);
    FAIL_IF(msg.anomaly);
    FAIL_IF_NOT(tape_balanced(&msg));
    static const uint8_t fc20r[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x01,
                                    0x14, 0x0c, 0x05, 0x06, 0x0d, 0xfe, 0x00,
                                    0x20, 0x05, 0x06, 0x33, 0xcd, 0x00, 0x40};
    FAIL_IF_NOT(rsp(fc20r, sizeof(fc20r)) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_arr_len(&msg, "sub_responses") == 2);
    FAIL_IF(msg.anomaly);
    FAIL_IF_NOT(tape_balanced(&msg));
    /* modbus_example frame 64: byte count 0 */
    static const uint8_t fc20z[] = {0x00, 0x10, 0x00, 0x00, 0x00, 0x03, 0x08, 0x14, 0x00};
    FAIL_IF_NOT(req(fc20z, sizeof(fc20z)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "byte_count_out_of_range"));
    /* FC21: file 4 record 7, 3 registers */
    static const uint8_t fc21[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x10, 0x01, 0x15,
                                   0x0d, 0x06, 0x00, 0x04, 0x00, 0x07, 0x00, 0x03,
                                   0x06, 0xaf, 0x04, 0xbe, 0x10, 0x0d};
    FAIL_IF_NOT(req(fc21, sizeof(fc21)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 21, "write_file_record", OT_OP_FILE));
    FAIL_IF_NOT(range_is(&msg, 0, "file_record", 6, 4u << 16 | 7, 3));
    FAIL_IF_NOT(msg.n_values == 3 && value_is(&msg, 0, 6, 4u << 16 | 7, 0x06af));
    FAIL_IF_NOT(value_is(&msg, 2, 6, (4u << 16 | 7) + 2, 0x100d));
    FAIL_IF(msg.anomaly);
    /* record length that runs past the byte count */
    uint8_t lie[sizeof(fc21)];
    memcpy(lie, fc21, sizeof(lie));
    lie[15] = 0x09;
    FAIL_IF_NOT(req(lie, sizeof(lie)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "byte_count_mismatch"));
    FAIL_IF_NOT(tape_balanced(&msg));
    /* bad reference type */
    memcpy(lie, fc21, sizeof(lie));
    lie[9] = 0x05;
    FAIL_IF_NOT(req(lie, sizeof(lie)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "invalid_reference_type"));
    PASS;
}

static int test_fifo(void)
{
    static const uint8_t fc24[] = {0x00, 0x16, 0x00, 0x00, 0x00, 0x04, 0x0a, 0x18, 0x04, 0xde};
    FAIL_IF_NOT(req(fc24, sizeof(fc24)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 24, "read_fifo_queue", OT_OP_READ));
    FAIL_IF_NOT(range_is(&msg, 0, "holding_register", 3, 0x4de, 1));
    static const uint8_t fc24r[] = {0x00, 0x16, 0x00, 0x00, 0x00, 0x0a, 0x0a, 0x18,
                                    0x00, 0x06, 0x00, 0x02, 0x01, 0xb8, 0x12, 0x84};
    FAIL_IF_NOT(rsp(fc24r, sizeof(fc24r)) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_u64(&msg, "fifo_count") == 2 && kv_arr_len(&msg, "registers") == 2);
    FAIL_IF(msg.anomaly);
    uint8_t over[sizeof(fc24r)];
    memcpy(over, fc24r, sizeof(over));
    over[11] = 40;
    FAIL_IF_NOT(rsp(over, sizeof(over)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "quantity_out_of_range"));
    PASS;
}

static int test_device_identification(void)
{
    /* modbus_example frame 92 */
    static const uint8_t rq[] = {0x00, 0x17, 0x00, 0x00, 0x00, 0x05, 0x01, 0x2b, 0x0e, 0x01, 0x00};
    FAIL_IF_NOT(req(rq, sizeof(rq)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 43, "encapsulated_interface_transport", OT_OP_DISCOVERY));
    FAIL_IF_NOT(kv_u64(&msg, "mei_type") == 14 &&
                kv_str(&msg, "mei_name", "read_device_identification"));
    FAIL_IF_NOT(kv_u64(&msg, "read_device_id_code") == 1 && kv_u64(&msg, "object_id") == 0);
    FAIL_IF_NOT(kv_str(&msg, "object_name", "vendor_name"));
    FAIL_IF(msg.identity.present);
    FAIL_IF(msg.anomaly);
    uint32_t key = msg.txn_key;
    FAIL_IF_NOT(rsp(fc43_rsp, sizeof(fc43_rsp)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.txn_key == key);
    FAIL_IF_NOT(function_is(&msg, 43, "encapsulated_interface_transport", OT_OP_DISCOVERY));
    FAIL_IF_NOT(msg.identity.present && msg.identity.from_server);
    FAIL_IF_NOT(strcmp(msg.identity.vendor, "Zeek Modbus Test") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.product, "Protocol Parsing is fun!") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.firmware, "1.2.3.6") == 0);
    FAIL_IF_NOT(kv_u64(&msg, "conformity_level") == 0x83 && kv_u64(&msg, "number_of_objects") == 3);
    FAIL_IF_NOT(kv_arr_len(&msg, "objects") == 3);
    FAIL_IF(msg.anomaly);
    FAIL_IF_NOT(tape_balanced(&msg));
    /* regular objects: ModelName wins over ProductName even when it comes first */
    static const uint8_t reg[] = {0x00, 0x02, 0x00, 0x00, 0x00, 0x21, 0x01, 0x2b, 0x0e, 0x02,
                                  0x02, 0x00, 0x00, 0x05, 0x05, 0x03, 'M',  '5',  '8',  0x04,
                                  0x03, 'P',  'r',  'd',  0x06, 0x04, 'p',  'u',  'm',  'p',
                                  0x03, 0x03, 'u',  'r',  'l',  0x80, 0x02, 0x01, 0x02};
    FAIL_IF_NOT(rsp(reg, sizeof(reg)) == OT_PARSE_OK);
    FAIL_IF_NOT(strcmp(msg.identity.model, "M58") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.name, "pump") == 0);
    FAIL_IF_NOT(kv_arr_len(&msg, "objects") == 5);
    FAIL_IF(msg.anomaly);
    /* ProductName alone is the model */
    static const uint8_t pn[] = {0x00, 0x02, 0x00, 0x00, 0x00, 0x0e, 0x01, 0x2b, 0x0e, 0x01,
                                 0x01, 0x00, 0x00, 0x01, 0x04, 0x04, 'M',  '3',  '4',  '0'};
    FAIL_IF_NOT(rsp(pn, sizeof(pn)) == OT_PARSE_OK);
    FAIL_IF_NOT(strcmp(msg.identity.model, "M340") == 0);
    /* an object longer than the PDU: the objects before it are kept */
    uint8_t cut[sizeof(pn)];
    memcpy(cut, pn, sizeof(cut));
    cut[13] = 2;
    cut[15] = 9;
    FAIL_IF_NOT(rsp(cut, sizeof(cut)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "pdu_too_short"));
    FAIL_IF_NOT(tape_balanced(&msg));
    /* many objects: the detail stops at its cap, the tape stays balanced */
    uint8_t many[6 + 253] = {0x00, 0x03, 0x00, 0x00, 0x00, 254,  0x01,
                             0x2b, 0x0e, 0x03, 0x83, 0x00, 0x00, 80};
    for (size_t i = 0; i < 80; i++) {
        many[14 + 3 * i] = (uint8_t)(0x80 + i);
        many[15 + 3 * i] = 1;
        many[16 + 3 * i] = 'x';
    }
    FAIL_IF_NOT(rsp(many, 14 + 240) == OT_PARSE_TRUNC); /* the length says 254 */
    many[5] = 8 + 240;
    FAIL_IF_NOT(modbus_dissector.pdu_len(many, sizeof(many)) == 14u + 240u);
    FAIL_IF_NOT(rsp(many, 14 + 240) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_arr_len(&msg, "objects") == 16);
    FAIL_IF_NOT(tape_balanced(&msg));
    /* modbus-eit.pcap frame 4: exception 4 to FC43 */
    static const uint8_t exc[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xab, 0x04};
    FAIL_IF_NOT(rsp(exc, sizeof(exc)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 43 && msg.has_exception && msg.exception_code == 4);
    /* an undefined read device id code */
    static const uint8_t bad[] = {0x00, 0x17, 0x00, 0x00, 0x00, 0x05, 0x01, 0x2b, 0x0e, 0x07, 0x00};
    FAIL_IF_NOT(req(bad, sizeof(bad)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "invalid_read_device_id_code"));
    /* MEI 13, CANopen */
    static const uint8_t can[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06,
                                  0x01, 0x2b, 0x0d, 0x01, 0x02, 0x03};
    FAIL_IF_NOT(req(can, sizeof(can)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 43, "encapsulated_interface_transport", OT_OP_OTHER));
    FAIL_IF_NOT(kv_str(&msg, "mei_name", "canopen_general_reference") && kv_find(&msg, "data"));
    PASS;
}

static int test_umas(void)
{
    static const struct {
        uint8_t code;
        const char *name;
        enum ot_op op;
    } t[] = {
        {0x40, "start_plc", OT_OP_CONTROL},           {0x41, "stop_plc", OT_OP_CONTROL},
        {0x30, "initialize_upload", OT_OP_PROGRAM},   {0x31, "upload_block", OT_OP_PROGRAM},
        {0x33, "initialize_download", OT_OP_PROGRAM}, {0x34, "download_block", OT_OP_PROGRAM},
        {0x10, "take_plc_reservation", OT_OP_AUTH},   {0x11, "release_plc_reservation", OT_OP_AUTH},
        {0x02, "read_id", OT_OP_DISCOVERY},           {0x03, "read_project_info", OT_OP_DISCOVERY},
        {0x24, "read_coils_registers", OT_OP_READ},   {0x25, "write_coils_registers", OT_OP_WRITE},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        uint8_t p[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x5a, 0x12, t[i].code, 0xaa, 0xbb};
        FAIL_IF_NOT(req(p, sizeof(p)) == OT_PARSE_OK);
        FAIL_IF_NOT(function_is(&msg, 90, "umas", t[i].op));
        FAIL_IF_NOT(kv_u64(&msg, "umas_code") == t[i].code);
        FAIL_IF_NOT(kv_str(&msg, "umas_name", t[i].name));
        FAIL_IF_NOT(kv_u64(&msg, "umas_session") == 0x12);
        FAIL_IF(msg.anomaly);
    }
    static const uint8_t ok[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x5a, 0x12, 0xfe};
    FAIL_IF_NOT(rsp(ok, sizeof(ok)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 90, "umas", OT_OP_OTHER));
    FAIL_IF_NOT(kv_str(&msg, "umas_name", "response_ok"));
    /* an unknown UMAS code keeps the record, without a name */
    static const uint8_t unk[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x5a, 0x00, 0x99};
    FAIL_IF_NOT(req(unk, sizeof(unk)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 90, "umas", OT_OP_OTHER));
    FAIL_IF(kv_find(&msg, "umas_name"));
    /* a server cannot start the PLC: the code in a response is not a request's */
    static const uint8_t back[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x5a, 0x00, 0x40};
    FAIL_IF_NOT(rsp(back, sizeof(back)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.op_class == OT_OP_OTHER);
    /* FC90 with no UMAS code (modbus_test_data_part2 sends 4 zero bytes) */
    static const uint8_t bare[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x5a, 0x00};
    FAIL_IF_NOT(req(bare, sizeof(bare)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "pdu_too_short"));
    PASS;
}

static int test_exceptions(void)
{
    static const struct {
        uint8_t code;
        const char *name;
    } t[] = {
        {1, "illegal_function"},
        {2, "illegal_data_address"},
        {3, "illegal_data_value"},
        {4, "server_device_failure"},
        {5, "acknowledge"},
        {6, "server_device_busy"},
        {8, "memory_parity_error"},
        {10, "gateway_path_unavailable"},
        {11, "gateway_target_device_failed_to_respond"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        uint8_t p[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x90, t[i].code};
        FAIL_IF_NOT(rsp(p, sizeof(p)) == OT_PARSE_OK);
        FAIL_IF_NOT(function_is(&msg, 16, "write_multiple_registers", OT_OP_WRITE));
        FAIL_IF_NOT(msg.has_exception && msg.exception_code == t[i].code);
        FAIL_IF_NOT(msg.exception && strcmp(msg.exception, t[i].name) == 0);
        FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE);
        FAIL_IF(msg.anomaly);
    }
    /* an undefined exception code */
    static const uint8_t unk[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x83, 0x09};
    FAIL_IF_NOT(rsp(unk, sizeof(unk)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 9 && !msg.exception);
    FAIL_IF_NOT(anomaly_is(&msg, "unknown_exception_code"));
    /* an exception for an unknown function code (part2: 0xff 0x01) */
    static const uint8_t fe[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x01, 0xff, 0x01};
    FAIL_IF_NOT(rsp(fe, sizeof(fe)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 127, "unknown", OT_OP_OTHER) && msg.exception_code == 1);
    /* the exception code missing, or trailing bytes */
    static const uint8_t none[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x83};
    FAIL_IF_NOT(rsp(none, sizeof(none)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "pdu_too_short") && !msg.has_exception);
    static const uint8_t more[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x83, 0x02, 0x00};
    FAIL_IF_NOT(rsp(more, sizeof(more)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "trailing_bytes") && msg.exception_code == 2);
    /* a client sending an exception */
    static const uint8_t creq[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x83, 0x02};
    FAIL_IF_NOT(req(creq, sizeof(creq)) == OT_PARSE_OK);
    FAIL_IF_NOT(anomaly_is(&msg, "exception_in_request"));
    PASS;
}

static int test_unknown_and_user_defined(void)
{
    uint8_t p[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04};
    for (unsigned fc = 0; fc < 128; fc++) {
        p[7] = (uint8_t)fc;
        FAIL_IF_NOT(req(p, sizeof(p)) == OT_PARSE_OK);
        FAIL_IF_NOT(msg.has_function && msg.function_code == fc && msg.function);
        FAIL_IF_NOT(tape_balanced(&msg));
        bool user = (fc >= 65 && fc <= 72) || (fc >= 100 && fc <= 110);
        if (user)
            FAIL_IF_NOT(function_is(&msg, fc, "user_defined", OT_OP_OTHER));
        FAIL_IF_NOT(rsp(p, sizeof(p)) == OT_PARSE_OK);
        FAIL_IF_NOT(msg.function_code == fc);
        p[7] = (uint8_t)(fc | 0x80);
        p[5] = 3;
        FAIL_IF_NOT(rsp(p, 9) == OT_PARSE_OK);
        FAIL_IF_NOT(msg.function_code == fc && msg.has_exception);
        p[5] = 6;
    }
    p[7] = 0x29;
    FAIL_IF_NOT(req(p, sizeof(p)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 41, "unknown", OT_OP_OTHER));
    FAIL_IF_NOT(kv_u64(&msg, "data_length") == 4 && kv_find(&msg, "data"));
    FAIL_IF(msg.anomaly);
    p[7] = 0x41;
    FAIL_IF_NOT(req(p, sizeof(p)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 65, "user_defined", OT_OP_OTHER));
    p[7] = 0x6e;
    FAIL_IF_NOT(req(p, sizeof(p)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 110, "user_defined", OT_OP_OTHER));
    p[7] = 0x6f;
    FAIL_IF_NOT(req(p, sizeof(p)) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 111, "unknown", OT_OP_OTHER));
    PASS;
}

/* Every function code, every byte value in a few positions, every length:
 * parse must return a defined code and keep the tape balanced. */
static int test_sweep(void)
{
    uint8_t p[6 + 254];
    for (unsigned fc = 0; fc < 256; fc++) {
        for (unsigned fill = 0; fill < 256; fill += 51) {
            for (size_t len = 2; len <= 254; len += 7) {
                memset(p, (int)fill, sizeof(p));
                p[0] = 0x12;
                p[1] = 0x34;
                p[2] = p[3] = p[4] = 0;
                p[5] = (uint8_t)len;
                p[7] = (uint8_t)fc;
                for (int dir = 0; dir < 2; dir++) {
                    enum ot_parse r = parse_ctx(p, 6 + len, dir == 0, 6 + len);
                    FAIL_IF_NOT(r == OT_PARSE_OK);
                    FAIL_IF_NOT(tape_balanced(&msg));
                    FAIL_IF_NOT(msg.n_ranges <= OT_MAX_RANGES && msg.n_values <= OT_MAX_VALUES);
                    FAIL_IF_NOT(msg.function_code == (fc & 0x7f));
                }
            }
        }
    }
    PASS;
}

static int test_table_entry(void)
{
    const struct ot_dissector *d = &modbus_dissector;
    FAIL_IF_NOT(strcmp(d->name, "modbus") == 0);
    FAIL_IF_NOT(d->proto == OT_PROTO_MODBUS);
    FAIL_IF_NOT(d->l4 == 6);
    FAIL_IF_NOT(d->ports[0] == 502 && d->ports[1] == 0);
    FAIL_IF_NOT(d->heuristic);
    FAIL_IF_NOT(d->probe && d->pdu_len && d->parse);
    PASS;
}

static const struct unit_test tests[] = {
    {"table_entry", test_table_entry},
    {"pdu_len", test_pdu_len},
    {"stream_resync", test_stream_resync},
    {"probe", test_probe},
    {"mbap", test_mbap},
    {"not_mine_and_invalid", test_not_mine_and_invalid},
    {"truncation", test_truncation},
    {"read_requests", test_read_requests},
    {"quantity_limits", test_quantity_limits},
    {"read_responses", test_read_responses},
    {"lying_byte_counts", test_lying_byte_counts},
    {"write_single", test_write_single},
    {"write_multiple", test_write_multiple},
    {"mask_and_read_write", test_mask_and_read_write},
    {"serial_diagnostics_class", test_serial_diagnostics_class},
    {"diagnostics", test_diagnostics},
    {"file_records", test_file_records},
    {"fifo", test_fifo},
    {"device_identification", test_device_identification},
    {"umas", test_umas},
    {"exceptions", test_exceptions},
    {"unknown_and_user_defined", test_unknown_and_user_defined},
    {"sweep", test_sweep},
    {NULL, NULL},
};

UNIT_MAIN(tests)
