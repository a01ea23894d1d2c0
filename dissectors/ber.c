/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: a bounded BER TLV reader over the cursor, primitive-value
 * decoders (INTEGER, BOOLEAN, BIT STRING, OBJECT IDENTIFIER, UtcTime) and the
 * MMS Data walker shared by GOOSE and MMS. */
/* specification: ITU-T X.690 (08/2015) section 8.1 (identifier and length
 * octets), 8.2 (BOOLEAN), 8.3 (INTEGER), 8.6 (BIT STRING), 8.19 (OBJECT
 * IDENTIFIER); ISO 9506-2:2003 section 14.4.1 (Data), 7.5.3 (UtcTime);
 * IEC 61850-8-1:2011 section 8.1.3.7 (UtcTime quality). */
/*
 * One TLV (X.690 8.1):
 *  +-----------------+---------------------------+---------------------+
 *  | identifier      | length                    | contents            |
 *  | cc f ttttt      | 0lllllll          (short) | `length` octets     |
 *  | [1xxxxxxx..     | 1nnnnnnn + n octets (long)|                     |
 *  |  0xxxxxxx] when |   n = 1..4 here; n = 0    |                     |
 *  |  ttttt = 11111  |   (indefinite) rejected   |                     |
 *  +-----------------+---------------------------+---------------------+
 *   cc = class (universal, application, context, private), f = constructed
 *
 * UtcTime (IEC 61850-8-1 8.1.3.7):
 *  +------------------------+----------------------+---------+
 *  | seconds since 1970 (4) | fraction, 2^-24 s (3)| quality |
 *  +------------------------+----------------------+---------+
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "ber.h"
#include "cursor.h"
#include "otmsg.h"
#include "tok.h"

#define BER_TAG_MASK 0x1f
#define BER_TAG_HIGH 0x1f /* X.690 8.1.2.4: tag number in subsequent octets */
#define BER_CONSTRUCTED 0x20
#define BER_LEN_LONG 0x80       /* X.690 8.1.3.5: long form */
#define BER_LEN_INDEFINITE 0x80 /* X.690 8.1.3.6: not allowed in MMS/GOOSE (DER-like use) */
#define BER_LEN_RESERVED 0xff   /* X.690 8.1.3.5 c */

/* MMS Data CHOICE tags (ISO 9506-2 14.4.1); [0] is AccessResult failure. */
#define MMS_DATA_ARRAY 1
#define MMS_DATA_STRUCTURE 2
#define MMS_DATA_BOOLEAN 3
#define MMS_DATA_BIT_STRING 4
#define MMS_DATA_INTEGER 5
#define MMS_DATA_UNSIGNED 6
#define MMS_DATA_FLOATING_POINT 7
#define MMS_DATA_OCTET_STRING 9
#define MMS_DATA_VISIBLE_STRING 10
#define MMS_DATA_GENERALIZED_TIME 11
#define MMS_DATA_BINARY_TIME 12
#define MMS_DATA_BCD 13
#define MMS_DATA_BOOLEAN_ARRAY 14
#define MMS_DATA_OBJ_ID 15
#define MMS_DATA_MMS_STRING 16
#define MMS_DATA_UTC_TIME 17
#define MMS_ACCESS_RESULT_FAILURE 0

static const struct ot_tok mms_data_types[] = {
    {MMS_DATA_ARRAY, "array"},
    {MMS_DATA_STRUCTURE, "structure"},
    {MMS_DATA_BOOLEAN, "boolean"},
    {MMS_DATA_BIT_STRING, "bit-string"},
    {MMS_DATA_INTEGER, "integer"},
    {MMS_DATA_UNSIGNED, "unsigned"},
    {MMS_DATA_FLOATING_POINT, "floating-point"},
    {MMS_DATA_OCTET_STRING, "octet-string"},
    {MMS_DATA_VISIBLE_STRING, "visible-string"},
    {MMS_DATA_GENERALIZED_TIME, "generalized-time"},
    {MMS_DATA_BINARY_TIME, "binary-time"},
    {MMS_DATA_BCD, "bcd"},
    {MMS_DATA_BOOLEAN_ARRAY, "booleanArray"},
    {MMS_DATA_OBJ_ID, "objId"},
    {MMS_DATA_MMS_STRING, "mMSString"},
    {MMS_DATA_UTC_TIME, "utc-time"},
    {0, NULL},
};

/* Caps. */
#define BER_TAG_MAX_OCTETS 4    /* 4 x 7 bits: tag numbers up to 2^28; longer is an attack */
#define BER_LEN_MAX_OCTETS 4    /* lengths up to 2^32 - 1; more can only be a lie on port 102 */
#define BER_OID_MAX_OCTETS 9    /* one arc fits 63 bits in 9 base-128 octets */
#define BER_BITS_TEXT_MAX 65    /* a bit-string value is shown as at most 64 '0'/'1' */
#define BER_DAYS_1970_1984 5113 /* TimeOfDay counts days from 1984-01-01 (ISO 9506-2 7.5.2) */

bool ber_read(struct cur *c, struct ber_tlv *out)
{
    out->cls = 0;
    out->constructed = false;
    out->tag = 0;
    out->len = 0;
    out->content = cur_init(NULL, 0);
    cur_fail(&out->content, CUR_TRUNC);

    uint8_t id = cur_u8(c);
    if (!cur_ok(c))
        return false;
    out->cls = id & 0xc0;
    out->constructed = (id & BER_CONSTRUCTED) != 0;
    uint32_t tag = id & BER_TAG_MASK;
    if (tag == BER_TAG_HIGH) {
        tag = 0;
        for (unsigned i = 0;; i++) {
            uint8_t b = cur_u8(c);
            if (!cur_ok(c))
                return false;
            /* X.690 8.1.2.4.2 c: the first subsequent octet is never 0x80 */
            if ((i == 0 && b == 0x80) || i >= BER_TAG_MAX_OCTETS) {
                cur_fail(c, CUR_INVALID);
                return false;
            }
            tag = tag << 7 | (b & 0x7f);
            if (!(b & 0x80))
                break;
        }
    }
    out->tag = tag;

    uint8_t l0 = cur_u8(c);
    if (!cur_ok(c))
        return false;
    size_t len = l0;
    if (l0 & BER_LEN_LONG) {
        size_t n = l0 & 0x7f;
        if (l0 == BER_LEN_INDEFINITE || l0 == BER_LEN_RESERVED || n > BER_LEN_MAX_OCTETS) {
            cur_fail(c, CUR_INVALID);
            return false;
        }
        len = 0;
        for (size_t i = 0; i < n; i++)
            len = len << 8 | cur_u8(c);
        if (!cur_ok(c))
            return false;
    }
    out->len = len;
    out->content = cur_sub(c, len);
    return cur_ok(c);
}

bool ber_is(const struct ber_tlv *t, uint8_t cls, bool constructed, uint32_t tag)
{
    return t->cls == cls && t->constructed == constructed && t->tag == tag;
}

bool ber_uint(struct ber_tlv *t, uint64_t *out)
{
    *out = 0;
    size_t n = cur_left(&t->content);
    /* 9 octets only for a positive value with its sign octet (X.690 8.3.2) */
    if (n == 0 || n > 9 || (n == 9 && cur_peek_u8(&t->content) != 0)) {
        cur_fail(&t->content, CUR_INVALID);
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | cur_u8(&t->content);
    *out = v;
    return cur_ok(&t->content);
}

bool ber_int(struct ber_tlv *t, int64_t *out)
{
    *out = 0;
    size_t n = cur_left(&t->content);
    if (n == 0 || n > 8) {
        cur_fail(&t->content, CUR_INVALID);
        return false;
    }
    uint64_t v = (cur_peek_u8(&t->content) & 0x80) ? UINT64_MAX : 0; /* sign extension */
    for (size_t i = 0; i < n; i++)
        v = v << 8 | cur_u8(&t->content);
    *out = (int64_t)v;
    return cur_ok(&t->content);
}

bool ber_bool(struct ber_tlv *t, bool *out)
{
    *out = false;
    if (cur_left(&t->content) != 1) { /* X.690 8.2.1: exactly one octet */
        cur_fail(&t->content, CUR_INVALID);
        return false;
    }
    *out = cur_u8(&t->content) != 0;
    return cur_ok(&t->content);
}

static bool check_level(struct cur c, unsigned level)
{
    while (cur_left(&c) > 0) {
        struct ber_tlv t;
        if (!ber_read(&c, &t))
            return false;
        if (t.constructed) {
            if (level + 1 > BER_MAX_DEPTH)
                return false;
            if (!check_level(t.content, level + 1))
                return false;
        }
    }
    return cur_ok(&c);
}

bool ber_check(struct cur c)
{
    return check_level(c, 0);
}

bool ber_bitstring(struct ber_tlv *t, uint8_t *unused, struct cur *bits)
{
    *unused = 0;
    *bits = cur_init(NULL, 0);
    if (cur_left(&t->content) == 0) {
        /* Empty content: X.690 wants one octet (0); tolerated as zero bits. */
        return cur_ok(&t->content);
    }
    uint8_t u = cur_u8(&t->content);
    /* X.690 8.6.2.2/8.6.2.3: 0..7 unused bits, and 0 when there are no bit octets */
    if (u > 7 || (u != 0 && cur_left(&t->content) == 0)) {
        cur_fail(&t->content, CUR_INVALID);
        return false;
    }
    *unused = u;
    *bits = cur_rest(&t->content);
    return true;
}

size_t ber_bits_text(struct ber_tlv *t, char *buf, size_t cap)
{
    uint8_t unused;
    struct cur bits;
    if (cap == 0)
        return 0;
    buf[0] = '\0';
    if (!ber_bitstring(t, &unused, &bits))
        return 0;
    size_t nbits = cur_left(&bits) * 8 - unused;
    size_t n = 0;
    uint8_t octet = 0;
    for (size_t i = 0; i < nbits && n + 1 < cap; i++) {
        if (i % 8 == 0)
            octet = cur_u8(&bits);
        buf[n++] = (octet & (0x80 >> (i % 8))) ? '1' : '0';
    }
    buf[n] = '\0';
    return n;
}

/* Appends s (n bytes) at *pos, keeping room for the NUL. */
static void put_text(char *buf, size_t cap, size_t *pos, const char *s, size_t n)
{
    while (n-- > 0 && *pos + 1 < cap)
        buf[(*pos)++] = *s++;
    buf[*pos < cap ? *pos : cap - 1] = '\0';
}

/* Appends v in decimal, zero-padded to width digits. */
static void put_u64(char *buf, size_t cap, size_t *pos, uint64_t v, unsigned width)
{
    char tmp[24];
    unsigned n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n < sizeof(tmp));
    while (n < width && n < sizeof(tmp))
        tmp[n++] = '0';
    while (n > 0)
        put_text(buf, cap, pos, &tmp[--n], 1);
}

size_t ber_oid_text(struct ber_tlv *t, char *buf, size_t cap)
{
    size_t pos = 0;
    if (cap == 0)
        return 0;
    buf[0] = '\0';
    bool first = true;
    if (cur_left(&t->content) == 0)
        return 0;
    while (cur_left(&t->content) > 0) {
        uint64_t arc = 0;
        for (unsigned i = 0;; i++) {
            uint8_t b = cur_u8(&t->content);
            /* X.690 8.19.2: no leading 0x80; a truncated or oversized arc is malformed */
            if (!cur_ok(&t->content) || (i == 0 && b == 0x80) || i >= BER_OID_MAX_OCTETS) {
                cur_fail(&t->content, CUR_INVALID);
                buf[0] = '\0';
                return 0;
            }
            arc = arc << 7 | (b & 0x7f);
            if (!(b & 0x80))
                break;
        }
        if (first) {
            /* X.690 8.19.4: the first subidentifier packs two arcs */
            uint64_t top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
            put_u64(buf, cap, &pos, top, 1);
            put_text(buf, cap, &pos, ".", 1);
            put_u64(buf, cap, &pos, arc - top * 40, 1);
            first = false;
        } else {
            put_text(buf, cap, &pos, ".", 1);
            put_u64(buf, cap, &pos, arc, 1);
        }
    }
    return pos;
}

void ber_kv_str(struct ot_detail *d, const char *key, struct ber_tlv *t, size_t max)
{
    struct cur c = t->content;
    size_t n = cur_left(&c);
    if (n > max)
        n = max;
    const uint8_t *p = cur_bytes(&c, n);
    ot_kv_str(d, key, p, p ? n : 0);
}

bool ber_utc_time(struct ber_tlv *t, struct ber_utc *out)
{
    out->secs = 0;
    out->frac = 0;
    out->quality = 0;
    if (cur_left(&t->content) != 8) {
        cur_fail(&t->content, CUR_INVALID);
        return false;
    }
    out->secs = cur_be32(&t->content);
    out->frac = cur_be24(&t->content);
    out->quality = cur_u8(&t->content);
    return cur_ok(&t->content);
}

/* Days since 1970-01-01 to a proleptic Gregorian date (the civil-calendar
 * arithmetic of 400-year eras of 146097 days). */
static void civil_from_days(uint64_t days, uint64_t *y, unsigned *m, unsigned *d)
{
    uint64_t z = days + 719468; /* days from 0000-03-01 */
    uint64_t era = z / 146097;
    uint64_t doe = z - era * 146097;
    uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static size_t iso_time(uint64_t secs, uint32_t nanos, char *buf, size_t cap)
{
    uint64_t y;
    unsigned mo, d;
    size_t pos = 0;
    if (cap < BER_ISO_TIME_LEN) {
        if (cap)
            buf[0] = '\0';
        return 0;
    }
    civil_from_days(secs / 86400, &y, &mo, &d);
    uint64_t sod = secs % 86400;
    put_u64(buf, cap, &pos, y, 4);
    put_text(buf, cap, &pos, "-", 1);
    put_u64(buf, cap, &pos, mo, 2);
    put_text(buf, cap, &pos, "-", 1);
    put_u64(buf, cap, &pos, d, 2);
    put_text(buf, cap, &pos, "T", 1);
    put_u64(buf, cap, &pos, sod / 3600, 2);
    put_text(buf, cap, &pos, ":", 1);
    put_u64(buf, cap, &pos, sod / 60 % 60, 2);
    put_text(buf, cap, &pos, ":", 1);
    put_u64(buf, cap, &pos, sod % 60, 2);
    put_text(buf, cap, &pos, ".", 1);
    put_u64(buf, cap, &pos, nanos, 9);
    put_text(buf, cap, &pos, "Z", 1);
    return pos;
}

size_t ber_utc_iso(const struct ber_utc *u, char *buf, size_t cap)
{
    /* 2^-24 s units to nanoseconds, truncated */
    uint32_t nanos = (uint32_t)(((uint64_t)(u->frac & 0xffffff) * 1000000000u) >> 24);
    return iso_time(u->secs, nanos, buf, cap);
}

/* Data walker state: how many more values may be written. */
struct data_walk {
    struct ot_detail *d;
    unsigned budget;
    bool cut;
    bool access_results;
    int64_t first_failure;
};

static bool data_seq(struct data_walk *w, struct cur c, unsigned level, bool emit, uint32_t *count);

static void emit_float(struct ot_detail *d, struct ber_tlv *t)
{
    /* FloatingPoint (ISO 9506-2 14.4.2): exponent width octet, then IEEE 754
     * single (width 8) or double (width 11) */
    struct cur c = t->content;
    size_t n = cur_left(&c);
    double v = NAN;
    if (n == 5) {
        cur_u8(&c);
        union {
            uint32_t u;
            float f;
        } bits = {.u = cur_be32(&c)};
        v = bits.f;
    } else if (n == 9) {
        cur_u8(&c);
        union {
            uint64_t u;
            double f;
        } bits = {.u = cur_be64(&c)};
        v = bits.f;
    }
    if (isfinite(v)) {
        ot_kv_dbl(d, "value", v);
    } else {
        c = t->content;
        const uint8_t *p = cur_bytes(&c, n < BER_DATA_TEXT_MAX ? n : BER_DATA_TEXT_MAX);
        ot_kv_hex(d, "value", p, p ? (n < BER_DATA_TEXT_MAX ? n : BER_DATA_TEXT_MAX) : 0);
    }
}

static void emit_hex(struct ot_detail *d, struct ber_tlv *t)
{
    struct cur c = t->content;
    size_t n = cur_left(&c) < BER_DATA_TEXT_MAX ? cur_left(&c) : BER_DATA_TEXT_MAX;
    const uint8_t *p = cur_bytes(&c, n);
    ot_kv_hex(d, "value", p, p ? n : 0);
}

static void emit_binary_time(struct ot_detail *d, struct ber_tlv *t)
{
    /* TimeOfDay (ISO 9506-2 7.5.2): ms since midnight (4), days since
     * 1984-01-01 (2, optional) */
    struct cur c = t->content;
    char buf[BER_ISO_TIME_LEN];
    if (cur_left(&c) == 6) {
        uint32_t ms = cur_be32(&c);
        uint32_t days = cur_be16(&c);
        uint64_t secs = ((uint64_t)days + BER_DAYS_1970_1984) * 86400 + ms / 1000;
        size_t n = iso_time(secs, (ms % 1000) * 1000000u, buf, sizeof(buf));
        ot_kv_str(d, "value", buf, n);
    } else if (cur_left(&c) == 4) {
        ot_kv_u64(d, "value", cur_be32(&c));
    } else {
        emit_hex(d, t);
    }
}

/* One Data (or AccessResult) element at nesting `level`. */
static bool data_value(struct data_walk *w, struct ber_tlv *t, unsigned level, bool emit)
{
    struct ot_detail *d = w->d;
    if (t->cls != BER_CLASS_CONTEXT)
        return false;
    if (w->access_results && t->tag == MMS_ACCESS_RESULT_FAILURE && level == 0) {
        /* AccessResult failure [0] IMPLICIT DataAccessError (ISO 9506-2 14.4.1) */
        int64_t code;
        if (t->constructed || !ber_int(t, &code))
            return false;
        if (w->first_failure < 0)
            w->first_failure = code;
        if (emit) {
            ot_kv_obj(d, NULL);
            ot_kv_cstr(d, "type", "failure");
            ot_kv_i64(d, "value", code);
            ot_kv_end(d);
        }
        return true;
    }
    const char *name = ot_tok_name(mms_data_types, t->tag);
    if (t->tag == MMS_DATA_ARRAY || t->tag == MMS_DATA_STRUCTURE) {
        if (!t->constructed || level + 1 > BER_MAX_DEPTH)
            return false;
        uint32_t n = 0;
        bool ok;
        if (emit) {
            ot_kv_obj(d, NULL);
            ot_kv_cstr(d, "type", name);
            ot_kv_arr(d, "items");
            ok = data_seq(w, t->content, level + 1, true, &n);
            ot_kv_end(d);
            ot_kv_end(d);
        } else {
            ok = data_seq(w, t->content, level + 1, false, &n);
        }
        return ok;
    }
    if (!name) {
        /* A tag this edition does not define: keep walking, but show it. */
        if (t->constructed && (level + 1 > BER_MAX_DEPTH || !check_level(t->content, level + 1)))
            return false;
        if (emit) {
            ot_kv_obj(d, NULL);
            ot_kv_cstr(d, "type", "unknown");
            ot_kv_u64(d, "tag", t->tag);
            ot_kv_end(d);
        }
        return true;
    }
    if (t->constructed)
        return false; /* every other Data alternative is primitive */
    if (!emit)
        return true;
    ot_kv_obj(d, NULL);
    ot_kv_cstr(d, "type", name);
    switch (t->tag) {
        case MMS_DATA_BOOLEAN: {
            bool b;
            if (ber_bool(t, &b))
                ot_kv_bool(d, "value", b);
            break;
        }
        case MMS_DATA_BIT_STRING:
        case MMS_DATA_BOOLEAN_ARRAY: {
            char bits[BER_BITS_TEXT_MAX];
            size_t n = ber_bits_text(t, bits, sizeof(bits));
            ot_kv_str(d, "value", bits, n);
            break;
        }
        case MMS_DATA_INTEGER: {
            int64_t v;
            struct ber_tlv copy = *t;
            if (ber_int(&copy, &v))
                ot_kv_i64(d, "value", v);
            else
                emit_hex(d, t);
            break;
        }
        case MMS_DATA_UNSIGNED:
        case MMS_DATA_BCD: {
            uint64_t v;
            struct ber_tlv copy = *t;
            if (ber_uint(&copy, &v))
                ot_kv_u64(d, "value", v);
            else
                emit_hex(d, t);
            break;
        }
        case MMS_DATA_FLOATING_POINT: emit_float(d, t); break;
        case MMS_DATA_VISIBLE_STRING:
        case MMS_DATA_GENERALIZED_TIME:
        case MMS_DATA_MMS_STRING: ber_kv_str(d, "value", t, BER_DATA_TEXT_MAX); break;
        case MMS_DATA_BINARY_TIME: emit_binary_time(d, t); break;
        case MMS_DATA_OBJ_ID: {
            char oid[BER_DATA_TEXT_MAX];
            size_t n = ber_oid_text(t, oid, sizeof(oid));
            ot_kv_str(d, "value", oid, n);
            break;
        }
        case MMS_DATA_UTC_TIME: {
            struct ber_utc u;
            char iso[BER_ISO_TIME_LEN];
            struct ber_tlv copy = *t;
            if (ber_utc_time(&copy, &u)) {
                size_t n = ber_utc_iso(&u, iso, sizeof(iso));
                ot_kv_str(d, "value", iso, n);
            } else {
                emit_hex(d, t);
            }
            break;
        }
        default: /* MMS_DATA_OCTET_STRING */ emit_hex(d, t); break;
    }
    ot_kv_end(d);
    return true;
}

static bool data_seq(struct data_walk *w, struct cur c, unsigned level, bool emit, uint32_t *count)
{
    *count = 0;
    while (cur_left(&c) > 0) {
        struct ber_tlv t;
        if (!ber_read(&c, &t))
            return false;
        (*count)++;
        bool emit_this = emit && w->budget > 0;
        if (emit && !emit_this)
            w->cut = true;
        if (emit_this)
            w->budget--;
        if (!data_value(w, &t, level, emit_this))
            return false;
    }
    return cur_ok(&c);
}

bool ber_data_list(struct cur c, struct ot_detail *d, const char *key, unsigned max_items,
                   bool access_results, struct ber_data_out *out)
{
    struct data_walk w = {d, max_items, false, access_results, -1};
    bool ok;
    if (max_items > 0) {
        ot_kv_arr(d, key);
        ok = data_seq(&w, c, 0, true, &out->count);
        ot_kv_end(d);
    } else {
        ok = data_seq(&w, c, 0, false, &out->count);
        w.cut = out->count > 0;
    }
    out->cut = w.cut;
    out->first_failure = w.first_failure;
    return ok;
}
