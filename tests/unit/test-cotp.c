/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests for TPKT framing, COTP header parsing and the DT
 * reassembler (dissectors/cotp.c). */
#include <string.h>

#include "cotp.h"
#include "dissectors.h"
#include "unit.h"

/* A CR from an MMS client (iec61850_read.pcap): TSAPs 0001 / 0001, size 1024. */
static const uint8_t cr_mms[] = {
    0x03, 0x00, 0x00, 0x16, 0x11, 0xe0, 0x00, 0x00, 0x00, 0x01, 0x00,
    0xc0, 0x01, 0x0a, 0xc2, 0x02, 0x00, 0x01, 0xc1, 0x02, 0x00, 0x01,
};

/* A CR from an S7 client: called TSAP 0102 (rack 0 slot 2). */
static const uint8_t cr_s7[] = {
    0x03, 0x00, 0x00, 0x16, 0x11, 0xe0, 0x00, 0x00, 0x00, 0x01, 0x00,
    0xc1, 0x02, 0x01, 0x00, 0xc2, 0x02, 0x01, 0x02, 0xc0, 0x01, 0x09,
};

static const uint8_t dt_eot[] = {0x03, 0x00, 0x00, 0x0b, 0x02, 0xf0, 0x80, 0x01, 0x00, 0x01, 0x00};
static const uint8_t dr[] = {0x03, 0x00, 0x00, 0x0b, 0x06, 0x80, 0x00, 0x01, 0x00, 0x02, 0x80};
static const uint8_t er[] = {0x03, 0x00, 0x00, 0x0d, 0x08, 0x70, 0x00,
                             0x01, 0x03, 0xc1, 0x02, 0xde, 0xad};

static int test_pdu_len(void)
{
    FAIL_IF_NOT(tpkt_pdu_len(cr_mms, 0) == 0);
    FAIL_IF_NOT(tpkt_pdu_len(cr_mms, 3) == 0);
    FAIL_IF_NOT(tpkt_pdu_len(cr_mms, 4) == sizeof(cr_mms));
    FAIL_IF_NOT(tpkt_pdu_len(cr_mms, sizeof(cr_mms)) == sizeof(cr_mms));
    FAIL_IF_NOT(tpkt_pdu_len(dt_eot, 7) == sizeof(dt_eot));
    static const uint8_t v2[] = {0x02, 0x00, 0x00, 0x10};
    FAIL_IF_NOT(tpkt_pdu_len(v2, sizeof(v2)) == OT_PDU_NOT_MINE);
    static const uint8_t rsv[] = {0x03, 0x01, 0x00, 0x10};
    FAIL_IF_NOT(tpkt_pdu_len(rsv, sizeof(rsv)) == OT_PDU_NOT_MINE);
    static const uint8_t tiny[] = {0x03, 0x00, 0x00, 0x06};
    FAIL_IF_NOT(tpkt_pdu_len(tiny, sizeof(tiny)) == OT_PDU_NOT_MINE);
    static const uint8_t zero[] = {0x03, 0x00, 0x00, 0x00};
    FAIL_IF_NOT(tpkt_pdu_len(zero, sizeof(zero)) == OT_PDU_NOT_MINE);
    /* LI larger than the packet, LI reserved, unknown TPDU code */
    static const uint8_t bigli[] = {0x03, 0x00, 0x00, 0x07, 0x05, 0xf0, 0x80};
    FAIL_IF_NOT(tpkt_pdu_len(bigli, sizeof(bigli)) == OT_PDU_NOT_MINE);
    static const uint8_t li255[] = {0x03, 0x00, 0x01, 0x07, 0xff, 0xf0, 0x80};
    FAIL_IF_NOT(tpkt_pdu_len(li255, sizeof(li255)) == OT_PDU_NOT_MINE);
    static const uint8_t badcode[] = {0x03, 0x00, 0x00, 0x07, 0x02, 0x30, 0x80};
    FAIL_IF_NOT(tpkt_pdu_len(badcode, sizeof(badcode)) == OT_PDU_NOT_MINE);
    /* HTTP and TLS are not TPKT */
    FAIL_IF_NOT(tpkt_pdu_len((const uint8_t *)"GET / HTTP/1.1\r\n", 16) == OT_PDU_NOT_MINE);
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x00, 0xa5, 0x01};
    FAIL_IF_NOT(tpkt_pdu_len(tls, sizeof(tls)) == OT_PDU_NOT_MINE);
    /* the largest TPKT */
    static const uint8_t big[] = {0x03, 0x00, 0xff, 0xff};
    FAIL_IF_NOT(tpkt_pdu_len(big, sizeof(big)) == 65535);
    PASS;
}

static int test_cr(void)
{
    struct cotp t;
    struct cur c = cur_init(cr_mms, sizeof(cr_mms));
    FAIL_IF_NOT(cotp_parse(&c, &t));
    FAIL_IF_NOT(t.code == COTP_CR);
    FAIL_IF_NOT(t.dst_ref == 0 && t.src_ref == 1);
    FAIL_IF_NOT(t.tpdu_size == 0x0a);
    FAIL_IF_NOT(t.dst_tsap_len == 2 && t.dst_tsap[0] == 0 && t.dst_tsap[1] == 1);
    FAIL_IF_NOT(t.src_tsap_len == 2 && t.src_tsap[1] == 1);
    FAIL_IF_NOT(cur_left(&c) == 0);

    c = cur_init(cr_s7, sizeof(cr_s7));
    FAIL_IF_NOT(cotp_parse(&c, &t));
    FAIL_IF_NOT(t.dst_tsap_len == 2 && t.dst_tsap[0] == 1 && t.dst_tsap[1] == 2);
    FAIL_IF_NOT(t.tpdu_size == 9);

    struct ot_detail d = {0};
    cotp_detail(&t, &d);
    FAIL_IF_NOT(d.n > 4 && d.depth == 0 && !d.truncated);
    FAIL_IF_NOT(d.kv[0].type == OT_KV_OBJ_BEGIN && strcmp(d.kv[0].key, "cotp") == 0);
    FAIL_IF_NOT(d.kv[d.n - 1].type == OT_KV_END);
    PASS;
}

static int test_cc_long_tsap(void)
{
    /* A 40-byte calling TSAP is kept cut at COTP_TSAP_MAX. */
    uint8_t p[4 + 1 + 6 + 2 + 40];
    size_t n = sizeof(p);
    memset(p, 'A', sizeof(p));
    p[0] = 3;
    p[1] = 0;
    p[2] = 0;
    p[3] = (uint8_t)n;
    p[4] = (uint8_t)(n - 5);
    p[5] = 0xd0;
    p[6] = p[7] = p[8] = p[9] = p[10] = 0;
    p[11] = 0xc1;
    p[12] = 40;
    struct cotp t;
    struct cur c = cur_init(p, n);
    FAIL_IF_NOT(cotp_parse(&c, &t));
    FAIL_IF_NOT(t.code == COTP_CC && t.src_tsap_len == COTP_TSAP_MAX);
    PASS;
}

static int test_dt_dr_er(void)
{
    struct cotp t;
    struct cur c = cur_init(dt_eot, sizeof(dt_eot));
    FAIL_IF_NOT(cotp_parse(&c, &t));
    FAIL_IF_NOT(t.code == COTP_DT && t.eot && t.tpdu_nr == 0);
    FAIL_IF_NOT(cur_left(&c) == 4 && cur_u8(&c) == 0x01);

    c = cur_init(dr, sizeof(dr));
    FAIL_IF_NOT(cotp_parse(&c, &t));
    FAIL_IF_NOT(t.code == COTP_DR && t.reason == 0x80 && t.dst_ref == 1 && t.src_ref == 2);

    c = cur_init(er, sizeof(er));
    FAIL_IF_NOT(cotp_parse(&c, &t));
    FAIL_IF_NOT(t.code == COTP_ER && t.reason == 3);
    struct ot_detail d = {0};
    cotp_detail(&t, &d);
    FAIL_IF_NOT(d.depth == 0 && !d.truncated);

    /* Trailing bytes past the TPKT length are cut off the cursor. */
    uint8_t more[sizeof(dt_eot) + 3];
    memcpy(more, dt_eot, sizeof(dt_eot));
    memset(more + sizeof(dt_eot), 0xee, 3);
    c = cur_init(more, sizeof(more));
    FAIL_IF_NOT(cotp_parse(&c, &t));
    FAIL_IF_NOT(cur_left(&c) == 4);
    PASS;
}

static int check_all_prefixes(const uint8_t *p, size_t n)
{
    for (size_t cut = 0; cut < n; cut++) {
        struct cotp t;
        struct cur c = cur_init(p, cut);
        if (cotp_parse(&c, &t) || cur_ok(&c))
            return 1;
        if (tpkt_pdu_len(p, cut) == OT_PDU_NOT_MINE)
            return 1;
    }
    return 0;
}

static int test_truncated(void)
{
    FAIL_IF(check_all_prefixes(cr_mms, sizeof(cr_mms)));
    FAIL_IF(check_all_prefixes(cr_s7, sizeof(cr_s7)));
    FAIL_IF(check_all_prefixes(dt_eot, sizeof(dt_eot)));
    FAIL_IF(check_all_prefixes(dr, sizeof(dr)));
    FAIL_IF(check_all_prefixes(er, sizeof(er)));
    PASS;
}

static int test_lying_lengths(void)
{
    struct cotp t;
    struct cur c;
    /* TPKT length larger than the bytes: TRUNC */
    static const uint8_t tpkt_long[] = {0x03, 0x00, 0x00, 0x20, 0x02, 0xf0, 0x80};
    c = cur_init(tpkt_long, sizeof(tpkt_long));
    FAIL_IF(cotp_parse(&c, &t));
    FAIL_IF_NOT(c.err == CUR_TRUNC);
    /* LI past the TPKT end */
    static const uint8_t li_long[] = {0x03, 0x00, 0x00, 0x08, 0x06, 0xf0, 0x80, 0x00};
    c = cur_init(li_long, sizeof(li_long));
    FAIL_IF(cotp_parse(&c, &t));
    /* LI too short for a CR fixed part: INVALID */
    static const uint8_t li_short[] = {0x03, 0x00, 0x00, 0x09, 0x04, 0xe0, 0x00, 0x00, 0x00};
    c = cur_init(li_short, sizeof(li_short));
    FAIL_IF(cotp_parse(&c, &t));
    FAIL_IF_NOT(c.err == CUR_INVALID);
    /* parameter length past LI */
    static const uint8_t plong[] = {0x03, 0x00, 0x00, 0x0e, 0x09, 0xe0, 0x00,
                                    0x00, 0x00, 0x01, 0x00, 0xc1, 0x09, 0x01};
    c = cur_init(plong, sizeof(plong));
    FAIL_IF(cotp_parse(&c, &t));
    FAIL_IF_NOT(c.err == CUR_INVALID);
    /* LI 0, 1, 255 */
    static const uint8_t li0[] = {0x03, 0x00, 0x00, 0x07, 0x00, 0xf0, 0x80};
    c = cur_init(li0, sizeof(li0));
    FAIL_IF(cotp_parse(&c, &t));
    static const uint8_t li1[] = {0x03, 0x00, 0x00, 0x07, 0x01, 0xf0, 0x80};
    c = cur_init(li1, sizeof(li1));
    FAIL_IF(cotp_parse(&c, &t));
    /* TPKT version 2, length 0 */
    static const uint8_t v2[] = {0x02, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80};
    c = cur_init(v2, sizeof(v2));
    FAIL_IF(cotp_parse(&c, &t));
    static const uint8_t len0[] = {0x03, 0x00, 0x00, 0x00, 0x02, 0xf0, 0x80};
    c = cur_init(len0, sizeof(len0));
    FAIL_IF(cotp_parse(&c, &t));
    /* unknown TPDU code */
    static const uint8_t code3[] = {0x03, 0x00, 0x00, 0x07, 0x02, 0x30, 0x80};
    c = cur_init(code3, sizeof(code3));
    FAIL_IF(cotp_parse(&c, &t));
    FAIL_IF_NOT(c.err == CUR_INVALID);
    PASS;
}

static int test_reasm(void)
{
    static struct cotp_reasm r;
    memset(&r, 0, sizeof(r));
    struct cotp t = {.code = COTP_DT};
    size_t n = 99;
    const uint8_t a[] = {1, 2, 3}, b[] = {4, 5};

    /* one TPDU: zero copy */
    t.eot = true;
    FAIL_IF_NOT(cotp_reasm_add(&r, &t, a, sizeof(a), &n) == a && n == 3);

    /* two fragments */
    t.eot = false;
    FAIL_IF_NOT(cotp_reasm_add(&r, &t, a, sizeof(a), &n) == NULL && n == 0);
    t.eot = true;
    const uint8_t *q = cotp_reasm_add(&r, &t, b, sizeof(b), &n);
    FAIL_IF_NOT(q == r.buf && n == 5 && q[0] == 1 && q[3] == 4 && q[4] == 5);

    /* an empty last fragment */
    t.eot = false;
    FAIL_IF_NOT(cotp_reasm_add(&r, &t, a, sizeof(a), &n) == NULL);
    t.eot = true;
    FAIL_IF_NOT(cotp_reasm_add(&r, &t, NULL, 0, &n) == r.buf && n == 3);

    /* overflow: flagged through the EOT of the oversized TSDU, then cleared */
    static uint8_t chunk[3000];
    t.eot = false;
    for (int i = 0; i < 2; i++)
        FAIL_IF_NOT(cotp_reasm_add(&r, &t, chunk, sizeof(chunk), &n) == NULL && !r.overflow);
    FAIL_IF_NOT(cotp_reasm_add(&r, &t, chunk, sizeof(chunk), &n) == NULL && r.overflow);
    FAIL_IF_NOT(cotp_reasm_add(&r, &t, chunk, sizeof(chunk), &n) == NULL && r.overflow);
    t.eot = true;
    FAIL_IF_NOT(cotp_reasm_add(&r, &t, a, sizeof(a), &n) == NULL && r.overflow);
    FAIL_IF_NOT(cotp_reasm_add(&r, &t, a, sizeof(a), &n) == a && !r.overflow);

    /* overflow in the last fragment */
    t.eot = false;
    FAIL_IF_NOT(cotp_reasm_add(&r, &t, chunk, sizeof(chunk), &n) == NULL);
    FAIL_IF_NOT(cotp_reasm_add(&r, &t, chunk, sizeof(chunk), &n) == NULL);
    t.eot = true;
    FAIL_IF_NOT(cotp_reasm_add(&r, &t, chunk, sizeof(chunk), &n) == NULL && r.overflow);
    FAIL_IF_NOT(cotp_reasm_add(&r, &t, a, sizeof(a), &n) == a && !r.overflow);

    /* a non-DT discards the partial TSDU */
    t.eot = false;
    FAIL_IF_NOT(cotp_reasm_add(&r, &t, a, sizeof(a), &n) == NULL);
    struct cotp dr_t = {.code = COTP_DR};
    FAIL_IF_NOT(cotp_reasm_add(&r, &dr_t, NULL, 0, &n) == NULL);
    t.eot = true;
    FAIL_IF_NOT(cotp_reasm_add(&r, &t, b, sizeof(b), &n) == b && n == 2);
    PASS;
}

static const struct unit_test tests[] = {
    {"tpkt_pdu_len", test_pdu_len},
    {"cr", test_cr},
    {"cc_long_tsap", test_cc_long_tsap},
    {"dt_dr_er", test_dt_dr_er},
    {"truncated", test_truncated},
    {"lying_lengths", test_lying_lengths},
    {"reasm", test_reasm},
    {NULL, NULL},
};

UNIT_MAIN(tests)
