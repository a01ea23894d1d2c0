/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests for the BER reader, its value decoders and the MMS
 * Data walker (dissectors/ber.c). */
#include <string.h>

#include "ber.h"
#include "dissector-check.h"
#include "otmsg.h"
#include "unit.h"

static bool read1(const uint8_t *p, size_t n, struct ber_tlv *t, struct cur *c)
{
    *c = cur_init(p, n);
    return ber_read(c, t);
}

static int test_short_long_forms(void)
{
    struct ber_tlv t;
    struct cur c;
    static const uint8_t s[] = {0x02, 0x01, 0x05};
    FAIL_IF_NOT(read1(s, sizeof(s), &t, &c));
    FAIL_IF_NOT(t.cls == BER_CLASS_UNIVERSAL && !t.constructed && t.tag == 2 && t.len == 1);
    FAIL_IF_NOT(cur_left(&c) == 0 && cur_left(&t.content) == 1);

    /* long form with a leading zero octet (allowed in BER) */
    static const uint8_t l[] = {0xa1, 0x82, 0x00, 0x02, 0x05, 0x00};
    FAIL_IF_NOT(read1(l, sizeof(l), &t, &c));
    FAIL_IF_NOT(t.cls == BER_CLASS_CONTEXT && t.constructed && t.tag == 1 && t.len == 2);

    /* 4-octet long form */
    static const uint8_t l4[] = {0x04, 0x84, 0x00, 0x00, 0x00, 0x01, 0xaa};
    FAIL_IF_NOT(read1(l4, sizeof(l4), &t, &c));
    FAIL_IF_NOT(t.len == 1);

    /* zero length */
    static const uint8_t z[] = {0x05, 0x00};
    FAIL_IF_NOT(read1(z, sizeof(z), &t, &c));
    FAIL_IF_NOT(t.len == 0 && cur_ok(&t.content));
    PASS;
}

static int test_bad_lengths(void)
{
    struct ber_tlv t;
    struct cur c;
    /* indefinite */
    static const uint8_t ind[] = {0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00};
    FAIL_IF(read1(ind, sizeof(ind), &t, &c));
    FAIL_IF_NOT(c.err == CUR_INVALID);
    /* reserved 0xff */
    static const uint8_t rsv[] = {0x04, 0xff, 0x00};
    FAIL_IF(read1(rsv, sizeof(rsv), &t, &c));
    FAIL_IF_NOT(c.err == CUR_INVALID);
    /* 5 length octets */
    static const uint8_t five[] = {0x04, 0x85, 0x00, 0x00, 0x00, 0x00, 0x01, 0xaa};
    FAIL_IF(read1(five, sizeof(five), &t, &c));
    FAIL_IF_NOT(c.err == CUR_INVALID);
    /* 4 octets of 0xff: a length that can only be a lie */
    static const uint8_t huge[] = {0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 0xaa};
    FAIL_IF(read1(huge, sizeof(huge), &t, &c));
    FAIL_IF_NOT(c.err == CUR_TRUNC);
    /* the content runs past the buffer */
    static const uint8_t lie[] = {0x04, 0x05, 0xaa, 0xbb};
    FAIL_IF(read1(lie, sizeof(lie), &t, &c));
    FAIL_IF_NOT(c.err == CUR_TRUNC);
    PASS;
}

static int test_high_tags(void)
{
    struct ber_tlv t;
    struct cur c;
    /* [40] constructed (the MMS start service): bf 28 */
    static const uint8_t t40[] = {0xbf, 0x28, 0x00};
    FAIL_IF_NOT(read1(t40, sizeof(t40), &t, &c));
    FAIL_IF_NOT(t.cls == BER_CLASS_CONTEXT && t.constructed && t.tag == 40);
    /* two-octet tag number: 0x81 0x00 = 128 */
    static const uint8_t t128[] = {0x9f, 0x81, 0x00, 0x00};
    FAIL_IF_NOT(read1(t128, sizeof(t128), &t, &c));
    FAIL_IF_NOT(t.tag == 128 && !t.constructed);
    /* four octets: the largest accepted, 2^28 - 1 */
    static const uint8_t t4[] = {0x1f, 0xff, 0xff, 0xff, 0x7f, 0x00};
    FAIL_IF_NOT(read1(t4, sizeof(t4), &t, &c));
    FAIL_IF_NOT(t.tag == 0x0fffffff);
    /* five octets: rejected */
    static const uint8_t t5[] = {0x1f, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00};
    FAIL_IF(read1(t5, sizeof(t5), &t, &c));
    FAIL_IF_NOT(c.err == CUR_INVALID);
    /* first subsequent octet 0x80: rejected (X.690 8.1.2.4.2 c) */
    static const uint8_t t80[] = {0x1f, 0x80, 0x01, 0x00};
    FAIL_IF(read1(t80, sizeof(t80), &t, &c));
    FAIL_IF_NOT(c.err == CUR_INVALID);
    PASS;
}

static int test_truncated_every_byte(void)
{
    static const uint8_t p[] = {0xbf, 0x28, 0x82, 0x00, 0x03, 0x80, 0x01, 0x41};
    for (size_t cut = 0; cut < sizeof(p); cut++) {
        struct ber_tlv t;
        struct cur c = cur_init(p, cut);
        FAIL_IF(ber_read(&c, &t));
        FAIL_IF(cur_ok(&c));
    }
    struct ber_tlv t;
    struct cur c = cur_init(p, sizeof(p));
    FAIL_IF_NOT(ber_read(&c, &t));
    PASS;
}

static int test_integers(void)
{
    struct ber_tlv t;
    struct cur c;
    int64_t i;
    uint64_t u;
    bool b;
    static const uint8_t m1[] = {0x02, 0x01, 0xff};
    FAIL_IF_NOT(read1(m1, sizeof(m1), &t, &c) && ber_int(&t, &i) && i == -1);
    FAIL_IF_NOT(read1(m1, sizeof(m1), &t, &c) && ber_uint(&t, &u) && u == 255);
    static const uint8_t p255[] = {0x02, 0x02, 0x00, 0xff};
    FAIL_IF_NOT(read1(p255, sizeof(p255), &t, &c) && ber_int(&t, &i) && i == 255);
    static const uint8_t big[] = {0x02, 0x09, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    FAIL_IF_NOT(read1(big, sizeof(big), &t, &c) && ber_uint(&t, &u) && u == UINT64_MAX);
    FAIL_IF(read1(big, sizeof(big), &t, &c) && ber_int(&t, &i));
    static const uint8_t nine[] = {0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0};
    FAIL_IF(read1(nine, sizeof(nine), &t, &c) && ber_uint(&t, &u));
    static const uint8_t empty[] = {0x02, 0x00};
    FAIL_IF(read1(empty, sizeof(empty), &t, &c) && ber_int(&t, &i));
    FAIL_IF(read1(empty, sizeof(empty), &t, &c) && ber_uint(&t, &u));
    static const uint8_t min64[] = {0x02, 0x08, 0x80, 0, 0, 0, 0, 0, 0, 0};
    FAIL_IF_NOT(read1(min64, sizeof(min64), &t, &c) && ber_int(&t, &i) && i == INT64_MIN);
    static const uint8_t bt[] = {0x01, 0x01, 0x01};
    FAIL_IF_NOT(read1(bt, sizeof(bt), &t, &c) && ber_bool(&t, &b) && b);
    static const uint8_t bf[] = {0x01, 0x01, 0x00};
    FAIL_IF_NOT(read1(bf, sizeof(bf), &t, &c) && ber_bool(&t, &b) && !b);
    static const uint8_t b2[] = {0x01, 0x02, 0x00, 0x00};
    FAIL_IF(read1(b2, sizeof(b2), &t, &c) && ber_bool(&t, &b));
    static const uint8_t b0[] = {0x01, 0x00};
    FAIL_IF(read1(b0, sizeof(b0), &t, &c) && ber_bool(&t, &b));
    PASS;
}

/* Builds n nested constructed SEQUENCEs around an INTEGER into buf. */
static size_t nest(uint8_t *buf, size_t cap, unsigned n, uint8_t tag)
{
    size_t len = 3;
    if (2 * n + 3 > cap)
        return 0;
    for (unsigned i = 0; i < n; i++) {
        buf[2 * i] = tag;
        buf[2 * i + 1] = (uint8_t)(2 * (n - i - 1) + 3);
    }
    buf[2 * n] = 0x02;
    buf[2 * n + 1] = 0x01;
    buf[2 * n + 2] = 0x07;
    return 2 * n + len;
}

static int test_check_depth(void)
{
    uint8_t buf[200];
    size_t n = nest(buf, sizeof(buf), BER_MAX_DEPTH, 0x30);
    FAIL_IF_NOT(n && ber_check(cur_init(buf, n)));
    n = nest(buf, sizeof(buf), BER_MAX_DEPTH + 1, 0x30);
    FAIL_IF(ber_check(cur_init(buf, n)));
    n = nest(buf, sizeof(buf), 60, 0x30);
    FAIL_IF(ber_check(cur_init(buf, n)));
    /* a child that overruns its parent */
    static const uint8_t over[] = {0x30, 0x03, 0x02, 0x05, 0x00, 0x00, 0x00, 0x00};
    FAIL_IF(ber_check(cur_init(over, sizeof(over))));
    /* empty input is fine */
    FAIL_IF_NOT(ber_check(cur_init(NULL, 0)));
    PASS;
}

static int test_bitstring_oid(void)
{
    struct ber_tlv t;
    struct cur c;
    char buf[80];
    static const uint8_t bs[] = {0x84, 0x03, 0x03, 0xa0, 0x08};
    FAIL_IF_NOT(read1(bs, sizeof(bs), &t, &c));
    FAIL_IF_NOT(ber_bits_text(&t, buf, sizeof(buf)) == 13);
    FAIL_IF_NOT(strcmp(buf, "1010000000001") == 0);
    static const uint8_t bad8[] = {0x03, 0x02, 0x08, 0xff};
    FAIL_IF_NOT(read1(bad8, sizeof(bad8), &t, &c));
    FAIL_IF_NOT(ber_bits_text(&t, buf, sizeof(buf)) == 0 && buf[0] == '\0');
    static const uint8_t badu[] = {0x03, 0x01, 0x03};
    FAIL_IF_NOT(read1(badu, sizeof(badu), &t, &c));
    FAIL_IF_NOT(ber_bits_text(&t, buf, sizeof(buf)) == 0);
    /* cut at the buffer */
    FAIL_IF_NOT(read1(bs, sizeof(bs), &t, &c));
    FAIL_IF_NOT(ber_bits_text(&t, buf, 5) == 4 && strcmp(buf, "1010") == 0);

    static const uint8_t mms[] = {0x06, 0x05, 0x28, 0xca, 0x22, 0x02, 0x03};
    FAIL_IF_NOT(read1(mms, sizeof(mms), &t, &c));
    FAIL_IF_NOT(ber_oid_text(&t, buf, sizeof(buf)) == 12 && strcmp(buf, "1.0.9506.2.3") == 0);
    static const uint8_t two[] = {0x06, 0x02, 0x88, 0x37};
    FAIL_IF_NOT(read1(two, sizeof(two), &t, &c));
    FAIL_IF_NOT(ber_oid_text(&t, buf, sizeof(buf)) && strcmp(buf, "2.999") == 0);
    static const uint8_t lead80[] = {0x06, 0x03, 0x2b, 0x80, 0x01};
    FAIL_IF_NOT(read1(lead80, sizeof(lead80), &t, &c));
    FAIL_IF_NOT(ber_oid_text(&t, buf, sizeof(buf)) == 0);
    static const uint8_t cut[] = {0x06, 0x02, 0x2b, 0x86};
    FAIL_IF_NOT(read1(cut, sizeof(cut), &t, &c));
    FAIL_IF_NOT(ber_oid_text(&t, buf, sizeof(buf)) == 0);
    static const uint8_t huge[] = {0x06, 0x0b, 0x2b, 0x81, 0x81, 0x81, 0x81,
                                   0x81, 0x81, 0x81, 0x81, 0x81, 0x01};
    FAIL_IF_NOT(read1(huge, sizeof(huge), &t, &c));
    FAIL_IF_NOT(ber_oid_text(&t, buf, sizeof(buf)) == 0);
    static const uint8_t empty[] = {0x06, 0x00};
    FAIL_IF_NOT(read1(empty, sizeof(empty), &t, &c));
    FAIL_IF_NOT(ber_oid_text(&t, buf, sizeof(buf)) == 0);
    /* a small buffer cuts the text */
    FAIL_IF_NOT(read1(mms, sizeof(mms), &t, &c));
    FAIL_IF_NOT(ber_oid_text(&t, buf, 6) == 5 && strcmp(buf, "1.0.9") == 0);
    PASS;
}

static int test_utc_time(void)
{
    struct ber_tlv t;
    struct cur c;
    struct ber_utc u;
    char iso[BER_ISO_TIME_LEN];
    /* GOOSE.pcap frame 1 */
    static const uint8_t g[] = {0x84, 0x08, 0x38, 0x6e, 0xbb, 0xf3, 0x42, 0x17, 0x28, 0x0a};
    FAIL_IF_NOT(read1(g, sizeof(g), &t, &c) && ber_utc_time(&t, &u));
    FAIL_IF_NOT(u.quality == 0x0a);
    FAIL_IF_NOT(ber_utc_iso(&u, iso, sizeof(iso)) == 30);
    FAIL_IF_NOT(strcmp(iso, "2000-01-02T02:46:11.258165836Z") == 0);
    struct ber_utc epoch = {0, 0, 0};
    ber_utc_iso(&epoch, iso, sizeof(iso));
    FAIL_IF_NOT(strcmp(iso, "1970-01-01T00:00:00.000000000Z") == 0);
    struct ber_utc leap = {1709164800u + 86399u, 0x800000, 0};
    ber_utc_iso(&leap, iso, sizeof(iso));
    FAIL_IF_NOT(strcmp(iso, "2024-02-29T23:59:59.500000000Z") == 0);
    struct ber_utc last = {UINT32_MAX, 0xffffff, 0};
    ber_utc_iso(&last, iso, sizeof(iso));
    FAIL_IF_NOT(strcmp(iso, "2106-02-07T06:28:15.999999940Z") == 0);
    FAIL_IF_NOT(ber_utc_iso(&last, iso, 10) == 0);
    static const uint8_t short7[] = {0x91, 0x07, 0, 0, 0, 0, 0, 0, 0};
    FAIL_IF(read1(short7, sizeof(short7), &t, &c) && ber_utc_time(&t, &u));
    PASS;
}

static struct ot_detail det;

static void det_reset(void)
{
    det.n = det.depth = det.skipped = det.str_used = 0;
    det.truncated = false;
}

static int test_data_list(void)
{
    /* boolean, bit-string, integer, unsigned, float 1.5, visible-string,
     * utc-time, structure { boolean, octet-string }, binary-time (6) */
    static const uint8_t data[] = {
        0x83, 0x01, 0x01,                                           /* boolean */
        0x84, 0x02, 0x06, 0x40,                                     /* bit-string "01" */
        0x85, 0x01, 0xfe,                                           /* integer -2 */
        0x86, 0x02, 0x01, 0x00,                                     /* unsigned 256 */
        0x87, 0x05, 0x08, 0x3f, 0xc0, 0x00, 0x00,                   /* float 1.5 */
        0x8a, 0x02, 'o',  'k',                                      /* visible-string */
        0x91, 0x08, 0x38, 0x6e, 0xbb, 0xf3, 0x42, 0x17, 0x28, 0x0a, /* utc-time */
        0xa2, 0x06, 0x83, 0x01, 0x00, 0x89, 0x01, 0xaa,             /* structure */
        0x8c, 0x06, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x01,             /* binary-time */
        0x8f, 0x02, 0x2b, 0x06,                                     /* objId */
    };
    struct ber_data_out r;
    det_reset();
    FAIL_IF_NOT(ber_data_list(cur_init(data, sizeof(data)), &det, "data", 20, false, &r));
    FAIL_IF_NOT(r.count == 10 && !r.cut && r.first_failure == -1);
    FAIL_IF_NOT(detail_nests(&det) && !det.truncated);
    FAIL_IF_NOT(det.kv[0].type == OT_KV_ARR_BEGIN && strcmp(det.kv[0].key, "data") == 0);
    const struct ot_kv *items = detail_find(&det, "items");
    FAIL_IF_NOT(items && items->type == OT_KV_ARR_BEGIN);
    /* float 1.5 */
    bool saw_float = false, saw_time = false;
    for (unsigned i = 0; i < det.n; i++) {
        if (det.kv[i].type == OT_KV_DBL && det.kv[i].v.d == 1.5)
            saw_float = true;
        if (det.kv[i].type == OT_KV_STR && det.kv[i].len == 30 &&
            memcmp(det.str + det.kv[i].v.off, "1984-01-02T00:00:01.000", 23) == 0)
            saw_time = true;
    }
    FAIL_IF_NOT(saw_float && saw_time);

    /* a budget of 3 cuts the list, the count stays right */
    det_reset();
    FAIL_IF_NOT(ber_data_list(cur_init(data, sizeof(data)), &det, "data", 3, false, &r));
    FAIL_IF_NOT(r.count == 10 && r.cut && detail_nests(&det));
    /* no budget: counts only */
    det_reset();
    FAIL_IF_NOT(ber_data_list(cur_init(data, sizeof(data)), &det, "data", 0, false, &r));
    FAIL_IF_NOT(r.count == 10 && det.n == 0);
    PASS;
}

static int test_data_bad(void)
{
    struct ber_data_out r;
    uint8_t buf[200];
    /* structures nested to the cap, then one deeper */
    size_t n = nest(buf, sizeof(buf), BER_MAX_DEPTH, 0xa2);
    buf[2 * BER_MAX_DEPTH] = 0x85; /* innermost: integer */
    det_reset();
    FAIL_IF_NOT(ber_data_list(cur_init(buf, n), &det, "data", 100, false, &r));
    FAIL_IF_NOT(detail_nests(&det));
    n = nest(buf, sizeof(buf), BER_MAX_DEPTH + 1, 0xa2);
    buf[2 * (BER_MAX_DEPTH + 1)] = 0x85;
    det_reset();
    FAIL_IF(ber_data_list(cur_init(buf, n), &det, "data", 100, false, &r));
    FAIL_IF_NOT(detail_nests(&det));
    n = nest(buf, sizeof(buf), 90, 0xa1);
    det_reset();
    FAIL_IF(ber_data_list(cur_init(buf, n), &det, "data", 0, false, &r));

    /* constructed boolean, universal class, lying length */
    static const uint8_t cb[] = {0xa3, 0x03, 0x83, 0x01, 0x00};
    det_reset();
    FAIL_IF(ber_data_list(cur_init(cb, sizeof(cb)), &det, "data", 8, false, &r));
    FAIL_IF_NOT(detail_nests(&det));
    static const uint8_t uni[] = {0x01, 0x01, 0x00};
    FAIL_IF(ber_data_list(cur_init(uni, sizeof(uni)), &det, "data", 8, false, &r));
    static const uint8_t lie[] = {0xa2, 0x05, 0x83, 0x09, 0x00};
    det_reset();
    FAIL_IF(ber_data_list(cur_init(lie, sizeof(lie)), &det, "data", 8, false, &r));
    FAIL_IF_NOT(detail_nests(&det));

    /* AccessResult failure, and unknown tags */
    static const uint8_t ar[] = {0x80, 0x01, 0x0a, 0x83, 0x01, 0x01, 0x9e, 0x00, 0xbe, 0x00};
    det_reset();
    FAIL_IF_NOT(ber_data_list(cur_init(ar, sizeof(ar)), &det, "data", 8, true, &r));
    FAIL_IF_NOT(r.count == 4 && r.first_failure == 10 && detail_nests(&det));
    /* [0] is not a Data alternative outside AccessResult: shown as unknown */
    det_reset();
    FAIL_IF_NOT(ber_data_list(cur_init(ar, sizeof(ar)), &det, "data", 8, false, &r));
    FAIL_IF_NOT(r.first_failure == -1);

    /* bad values inside a well-formed TLV are shown, not fatal */
    static const uint8_t odd[] = {0x85, 0x00, 0x87, 0x05, 0x08, 0x7f, 0xc0, 0x00,
                                  0x00, 0x84, 0x01, 0x09, 0x83, 0x02, 0x00, 0x00};
    det_reset();
    FAIL_IF_NOT(ber_data_list(cur_init(odd, sizeof(odd)), &det, "data", 8, false, &r));
    FAIL_IF_NOT(r.count == 4 && detail_nests(&det));
    PASS;
}

static const struct unit_test tests[] = {
    {"short_long_forms", test_short_long_forms},
    {"bad_lengths", test_bad_lengths},
    {"high_tags", test_high_tags},
    {"truncated_every_byte", test_truncated_every_byte},
    {"integers", test_integers},
    {"check_depth", test_check_depth},
    {"bitstring_oid", test_bitstring_oid},
    {"utc_time", test_utc_time},
    {"data_list", test_data_list},
    {"data_bad", test_data_bad},
    {NULL, NULL},
};

UNIT_MAIN(tests)
