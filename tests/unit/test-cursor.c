/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests for the bounds-checked cursor (dissectors/cursor.h):
 * every accessor at len = 0, n - 1 and n, offsets near SIZE_MAX, sticky
 * errors, and child cursors (cur_sub, cur_rest). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cursor.h"
#include "unit.h"

static const uint8_t buf[16] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};

/* Every fixed-size accessor behind one signature, so one loop tests them all. */
static uint64_t rd_u8(struct cur *c)
{
    return cur_u8(c);
}
static uint64_t rd_be16(struct cur *c)
{
    return cur_be16(c);
}
static uint64_t rd_be24(struct cur *c)
{
    return cur_be24(c);
}
static uint64_t rd_be32(struct cur *c)
{
    return cur_be32(c);
}
static uint64_t rd_be64(struct cur *c)
{
    return cur_be64(c);
}
static uint64_t rd_le16(struct cur *c)
{
    return cur_le16(c);
}
static uint64_t rd_le24(struct cur *c)
{
    return cur_le24(c);
}
static uint64_t rd_le32(struct cur *c)
{
    return cur_le32(c);
}
static uint64_t rd_le64(struct cur *c)
{
    return cur_le64(c);
}

/* Reads through cur_bytes: the first byte, or 0 when NULL. */
static uint64_t rd_bytes3(struct cur *c)
{
    const uint8_t *q = cur_bytes(c, 3);
    return q ? (uint64_t)q[0] << 16 | (uint64_t)q[1] << 8 | q[2] : 0;
}

/* Reads through cur_copy: zero-filled when the bytes are not there. */
static uint64_t rd_copy4(struct cur *c)
{
    uint8_t d[4] = {0xee, 0xee, 0xee, 0xee};
    cur_copy(c, d, sizeof(d));
    return (uint64_t)d[0] << 24 | (uint64_t)d[1] << 16 | (uint64_t)d[2] << 8 | d[3];
}

/* Reads through a child cursor of 2 bytes. */
static uint64_t rd_sub2(struct cur *c)
{
    struct cur s = cur_sub(c, 2);
    uint64_t v = cur_be16(&s);
    return cur_ok(&s) ? v : 0;
}

/* cur_skip: returns 1 when it moved. */
static uint64_t rd_skip5(struct cur *c)
{
    size_t before = cur_off(c);
    cur_skip(c, 5);
    return cur_off(c) == before + 5 ? 0x0102030405 : 0;
}

struct accessor {
    const char *name;
    size_t n;
    uint64_t (*read)(struct cur *c);
    uint64_t want; /* the value read from buf */
};

static const struct accessor accessors[] = {
    {"u8", 1, rd_u8, 0x01},
    {"be16", 2, rd_be16, 0x0102},
    {"be24", 3, rd_be24, 0x010203},
    {"be32", 4, rd_be32, 0x01020304},
    {"be64", 8, rd_be64, 0x0102030405060708ull},
    {"le16", 2, rd_le16, 0x0201},
    {"le24", 3, rd_le24, 0x030201},
    {"le32", 4, rd_le32, 0x04030201},
    {"le64", 8, rd_le64, 0x0807060504030201ull},
    {"bytes", 3, rd_bytes3, 0x010203},
    {"copy", 4, rd_copy4, 0x01020304},
    {"sub", 2, rd_sub2, 0x0102},
    {"skip", 5, rd_skip5, 0x0102030405},
    {NULL, 0, NULL, 0},
};

static int test_accessors_exact(void)
{
    for (const struct accessor *a = accessors; a->name; a++) {
        struct cur c = cur_init(buf, a->n);
        FAIL_IF_NOT(a->read(&c) == a->want);
        FAIL_IF_NOT(cur_ok(&c));
        FAIL_IF_NOT(cur_off(&c) == a->n);
        FAIL_IF_NOT(cur_left(&c) == 0);
    }
    PASS;
}

static int test_accessors_one_short(void)
{
    for (const struct accessor *a = accessors; a->name; a++) {
        struct cur c = cur_init(buf, a->n - 1);
        FAIL_IF_NOT(a->read(&c) == 0);
        FAIL_IF(cur_ok(&c));
        FAIL_IF_NOT(c.err == CUR_TRUNC);
        FAIL_IF_NOT(cur_left(&c) == 0);
        /* the 64-bit reads take 4 bytes before they fail: no value escapes */
        FAIL_IF(cur_off(&c) > a->n - 1);
    }
    PASS;
}

static int test_accessors_empty(void)
{
    for (const struct accessor *a = accessors; a->name; a++) {
        struct cur c = cur_init(buf, 0);
        FAIL_IF_NOT(a->read(&c) == 0);
        FAIL_IF_NOT(c.err == CUR_TRUNC);
        FAIL_IF_NOT(cur_off(&c) == 0);
        struct cur z = cur_init(NULL, 0);
        FAIL_IF_NOT(a->read(&z) == 0);
        FAIL_IF(cur_ok(&z));
    }
    PASS;
}

static int test_accessors_sequence(void)
{
    /* consecutive reads walk the buffer; the last byte is readable, the next is not */
    struct cur c = cur_init(buf, sizeof(buf));
    FAIL_IF_NOT(cur_u8(&c) == 0x01);
    FAIL_IF_NOT(cur_be16(&c) == 0x0203);
    FAIL_IF_NOT(cur_le24(&c) == 0x060504);
    FAIL_IF_NOT(cur_be32(&c) == 0x0708090a);
    FAIL_IF_NOT(cur_le32(&c) == 0x0e0d0c0b);
    FAIL_IF_NOT(cur_left(&c) == 2);
    FAIL_IF_NOT(cur_peek_u8(&c) == 0x0f);
    FAIL_IF_NOT(cur_peek_at(&c, 1) == 0x10);
    FAIL_IF_NOT(cur_peek_at(&c, 2) == 0);
    FAIL_IF_NOT(cur_ok(&c)); /* peeking past the end does not fail the cursor */
    FAIL_IF_NOT(cur_le16(&c) == 0x100f);
    FAIL_IF_NOT(cur_ok(&c) && cur_left(&c) == 0);
    FAIL_IF_NOT(cur_peek_u8(&c) == 0);
    FAIL_IF_NOT(cur_u8(&c) == 0);
    FAIL_IF(cur_ok(&c));
    PASS;
}

static int test_init(void)
{
    struct cur c = cur_init(NULL, 100);
    FAIL_IF_NOT(c.len == 0); /* a NULL buffer has no bytes, whatever len says */
    FAIL_IF_NOT(cur_left(&c) == 0);
    FAIL_IF_NOT(cur_ok(&c));
    c = cur_init(buf, sizeof(buf));
    FAIL_IF_NOT(cur_left(&c) == sizeof(buf) && cur_off(&c) == 0 && cur_ok(&c));
    PASS;
}

static int test_peek(void)
{
    struct cur c = cur_init(buf, 3);
    FAIL_IF_NOT(cur_peek_u8(&c) == 0x01);
    FAIL_IF_NOT(cur_peek_at(&c, 0) == 0x01);
    FAIL_IF_NOT(cur_peek_at(&c, 2) == 0x03);
    FAIL_IF_NOT(cur_peek_at(&c, 3) == 0);
    FAIL_IF_NOT(cur_peek_at(&c, SIZE_MAX) == 0);
    FAIL_IF_NOT(cur_off(&c) == 0 && cur_ok(&c));
    struct cur e = cur_init(buf, 0);
    FAIL_IF_NOT(cur_peek_u8(&e) == 0 && cur_peek_at(&e, 0) == 0);
    /* a failed cursor peeks zeros even where bytes exist */
    cur_fail(&c, CUR_INVALID);
    FAIL_IF_NOT(cur_peek_u8(&c) == 0 && cur_peek_at(&c, 1) == 0);
    PASS;
}

/* Offsets and lengths near SIZE_MAX: the check subtracts, so nothing wraps.
 * The cursor below claims a huge buffer; every read must fail before it
 * touches memory, which ASan would catch otherwise. */
static int test_size_max(void)
{
    struct cur c = cur_init(buf, 4);
    cur_skip(&c, 2);
    cur_skip(&c, SIZE_MAX); /* off + n would wrap to 1 */
    FAIL_IF_NOT(c.err == CUR_TRUNC);
    FAIL_IF_NOT(cur_off(&c) == 2);

    c = cur_init(buf, 4);
    cur_skip(&c, 2);
    FAIL_IF_NOT(cur_bytes(&c, SIZE_MAX - 1) == NULL);
    FAIL_IF_NOT(cur_off(&c) == 2 && !cur_ok(&c));

    c = cur_init(buf, 4);
    struct cur s = cur_sub(&c, SIZE_MAX);
    FAIL_IF(cur_ok(&s) || cur_ok(&c));
    FAIL_IF_NOT(cur_left(&s) == 0 && cur_u8(&s) == 0);

    /* off just below a len of SIZE_MAX: 2, 3, 4 and 8 bytes are not there */
    struct cur h = {buf, SIZE_MAX, SIZE_MAX - 1, CUR_OK};
    FAIL_IF_NOT(cur_left(&h) == 1);
    FAIL_IF_NOT(cur_be16(&h) == 0 && h.err == CUR_TRUNC);
    h = (struct cur){buf, SIZE_MAX, SIZE_MAX - 2, CUR_OK};
    FAIL_IF_NOT(cur_be24(&h) == 0 && !cur_ok(&h));
    h = (struct cur){buf, SIZE_MAX, SIZE_MAX - 3, CUR_OK};
    FAIL_IF_NOT(cur_le32(&h) == 0 && !cur_ok(&h));
    /* (a 64-bit read is two 32-bit ones: with 7 left, the first would read) */
    h = (struct cur){buf, SIZE_MAX, SIZE_MAX - 3, CUR_OK};
    FAIL_IF_NOT(cur_be64(&h) == 0 && !cur_ok(&h));
    FAIL_IF_NOT(h.off == SIZE_MAX - 3);
    h = (struct cur){buf, SIZE_MAX, SIZE_MAX - 3, CUR_OK};
    FAIL_IF_NOT(cur_le64(&h) == 0 && !cur_ok(&h));
    h = (struct cur){buf, SIZE_MAX, SIZE_MAX - 1, CUR_OK};
    FAIL_IF_NOT(cur_le16(&h) == 0 && !cur_ok(&h));
    h = (struct cur){buf, SIZE_MAX, SIZE_MAX - 2, CUR_OK};
    FAIL_IF_NOT(cur_le24(&h) == 0 && !cur_ok(&h));
    h = (struct cur){buf, SIZE_MAX, SIZE_MAX - 3, CUR_OK};
    FAIL_IF_NOT(cur_be32(&h) == 0 && !cur_ok(&h));
    h = (struct cur){buf, SIZE_MAX, SIZE_MAX - 1, CUR_OK};
    FAIL_IF_NOT(cur_bytes(&h, SIZE_MAX) == NULL && !cur_ok(&h));
    h = (struct cur){buf, SIZE_MAX, SIZE_MAX - 1, CUR_OK};
    uint8_t d[2] = {0xaa, 0xaa};
    cur_copy(&h, d, 2);
    FAIL_IF_NOT(d[0] == 0 && d[1] == 0 && !cur_ok(&h));
    h = (struct cur){buf, SIZE_MAX, SIZE_MAX, CUR_OK};
    FAIL_IF_NOT(cur_left(&h) == 0);
    FAIL_IF_NOT(cur_peek_u8(&h) == 0 && cur_peek_at(&h, 0) == 0);
    FAIL_IF_NOT(cur_u8(&h) == 0 && !cur_ok(&h));
    h = (struct cur){buf, SIZE_MAX, SIZE_MAX - 1, CUR_OK};
    cur_skip(&h, 2);
    FAIL_IF_NOT(!cur_ok(&h) && h.off == SIZE_MAX - 1);
    h = (struct cur){buf, SIZE_MAX, SIZE_MAX - 1, CUR_OK};
    FAIL_IF_NOT(cur_peek_at(&h, 1) == 0 && cur_peek_at(&h, SIZE_MAX) == 0);
    struct cur hs = cur_sub(&h, 2);
    FAIL_IF(cur_ok(&hs) || cur_ok(&h));
    PASS;
}

static int test_sticky(void)
{
    struct cur c = cur_init(buf, 3);
    FAIL_IF_NOT(cur_be32(&c) == 0);
    FAIL_IF_NOT(c.err == CUR_TRUNC);
    /* the bytes are there, but the cursor has failed: zeros, no movement */
    FAIL_IF_NOT(cur_u8(&c) == 0);
    FAIL_IF_NOT(cur_be16(&c) == 0);
    FAIL_IF_NOT(cur_bytes(&c, 1) == NULL);
    FAIL_IF_NOT(cur_off(&c) == 0);
    FAIL_IF_NOT(cur_left(&c) == 0);
    FAIL_IF(cur_need(&c, 0));
    /* the first error wins */
    cur_fail(&c, CUR_INVALID);
    FAIL_IF_NOT(c.err == CUR_TRUNC);
    struct cur d = cur_init(buf, 3);
    cur_fail(&d, CUR_INVALID);
    FAIL_IF_NOT(d.err == CUR_INVALID);
    FAIL_IF_NOT(cur_u8(&d) == 0);
    FAIL_IF_NOT(d.err == CUR_INVALID);
    cur_fail(&d, CUR_TRUNC);
    FAIL_IF_NOT(d.err == CUR_INVALID);
    /* a failed cursor hands out failed children */
    struct cur s = cur_sub(&d, 0);
    FAIL_IF(cur_ok(&s));
    struct cur r = cur_rest(&d);
    FAIL_IF(cur_ok(&r));
    /* cur_copy zero-fills once failed */
    uint8_t out[2] = {0xaa, 0xbb};
    cur_copy(&d, out, sizeof(out));
    FAIL_IF_NOT(out[0] == 0 && out[1] == 0);
    PASS;
}

static int test_need(void)
{
    struct cur c = cur_init(buf, 4);
    FAIL_IF_NOT(cur_need(&c, 0));
    FAIL_IF_NOT(cur_need(&c, 4));
    FAIL_IF_NOT(cur_ok(&c) && cur_off(&c) == 0); /* need does not move */
    FAIL_IF(cur_need(&c, 5));
    FAIL_IF_NOT(c.err == CUR_TRUNC);
    PASS;
}

static int test_sub(void)
{
    struct cur c = cur_init(buf, 8);
    cur_skip(&c, 1);
    struct cur s = cur_sub(&c, 3);
    FAIL_IF_NOT(cur_ok(&s) && cur_left(&s) == 3 && cur_off(&s) == 0);
    FAIL_IF_NOT(cur_off(&c) == 4); /* the parent moved past the child's bytes */
    FAIL_IF_NOT(cur_u8(&s) == 0x02);
    FAIL_IF_NOT(cur_be16(&s) == 0x0304);
    /* the child ends where it ends, though the parent has more */
    FAIL_IF_NOT(cur_u8(&s) == 0);
    FAIL_IF(cur_ok(&s));
    FAIL_IF_NOT(cur_ok(&c)); /* a child's failure stays in the child */
    FAIL_IF_NOT(cur_u8(&c) == 0x05);
    /* an empty child is fine and reads nothing */
    struct cur e = cur_sub(&c, 0);
    FAIL_IF_NOT(cur_ok(&e) && cur_left(&e) == 0);
    FAIL_IF_NOT(cur_u8(&e) == 0 && !cur_ok(&e));
    /* a child longer than the parent fails both, and moves nothing */
    size_t off = cur_off(&c);
    struct cur big = cur_sub(&c, 4);
    FAIL_IF(cur_ok(&big) || cur_ok(&c));
    FAIL_IF_NOT(cur_off(&c) == off);
    FAIL_IF_NOT(big.p == NULL && big.len == 0 && big.err == CUR_TRUNC);
    /* exactly what is left */
    c = cur_init(buf, 8);
    cur_skip(&c, 5);
    struct cur last = cur_sub(&c, 3);
    FAIL_IF_NOT(cur_ok(&last) && cur_ok(&c) && cur_left(&c) == 0);
    FAIL_IF_NOT(cur_be24(&last) == 0x060708);
    /* nested children */
    c = cur_init(buf, 16);
    struct cur l1 = cur_sub(&c, 10);
    cur_skip(&l1, 2);
    struct cur l2 = cur_sub(&l1, 4);
    FAIL_IF_NOT(cur_be32(&l2) == 0x03040506);
    FAIL_IF_NOT(cur_left(&l1) == 4 && cur_left(&c) == 6);
    PASS;
}

static int test_rest(void)
{
    struct cur c = cur_init(buf, 6);
    cur_skip(&c, 2);
    struct cur r = cur_rest(&c);
    FAIL_IF_NOT(cur_ok(&r) && cur_left(&r) == 4);
    FAIL_IF_NOT(cur_ok(&c) && cur_left(&c) == 0);
    FAIL_IF_NOT(cur_be32(&r) == 0x03040506);
    struct cur r2 = cur_rest(&c);
    FAIL_IF_NOT(cur_ok(&r2) && cur_left(&r2) == 0);
    PASS;
}

static int test_bytes_and_copy(void)
{
    struct cur c = cur_init(buf, 5);
    const uint8_t *q = cur_bytes(&c, 2);
    FAIL_IF_NOT(q == buf);
    FAIL_IF_NOT(cur_bytes(&c, 0) == buf + 2); /* zero bytes: a valid, empty borrow */
    uint8_t d[3];
    cur_copy(&c, d, 3);
    FAIL_IF_NOT(d[0] == 0x03 && d[1] == 0x04 && d[2] == 0x05);
    FAIL_IF_NOT(cur_ok(&c) && cur_left(&c) == 0);
    uint8_t z[2] = {0xff, 0xff};
    cur_copy(&c, z, 2);
    FAIL_IF_NOT(z[0] == 0 && z[1] == 0 && !cur_ok(&c));
    PASS;
}

static const struct unit_test tests[] = {
    {"accessors_exact", test_accessors_exact},
    {"accessors_one_short", test_accessors_one_short},
    {"accessors_empty", test_accessors_empty},
    {"accessors_sequence", test_accessors_sequence},
    {"init", test_init},
    {"peek", test_peek},
    {"size_max", test_size_max},
    {"sticky", test_sticky},
    {"need", test_need},
    {"sub", test_sub},
    {"rest", test_rest},
    {"bytes_and_copy", test_bytes_and_copy},
    {NULL, NULL},
};

UNIT_MAIN(tests)
