/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: bounds-checked reader over borrowed wire bytes; the only way a
 * dissector reads the packet. */
#ifndef OT_CURSOR_H
#define OT_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum cur_err {
    CUR_OK = 0,
    CUR_TRUNC,   /* the bytes ran out: a cut packet or a lying length */
    CUR_INVALID, /* a field holds a value the spec forbids */
};

/* Bounds-checked reader over borrowed bytes.  After the first failure every
 * read returns 0 and advances nothing; check cur_ok() once, where you commit.
 * Offsets are compared by subtraction from len, never by adding to off, so no
 * length read from the wire can wrap the check. */
struct cur {
    const uint8_t *p; /* borrowed: valid only during parse() */
    size_t len;
    size_t off;
    enum cur_err err;
};

static inline struct cur cur_init(const uint8_t *p, size_t len)
{
    /* never a NULL base: NULL + 0 is undefined, and cur_bytes(c, 0) does it */
    static const uint8_t empty[1];
    struct cur c = {p ? p : empty, p ? len : 0, 0, CUR_OK};
    return c;
}

static inline bool cur_ok(const struct cur *c)
{
    return c->err == CUR_OK;
}

static inline size_t cur_left(const struct cur *c)
{
    return c->err == CUR_OK ? c->len - c->off : 0;
}

static inline size_t cur_off(const struct cur *c)
{
    return c->off;
}

/* Marks the cursor failed (sticky); the first error wins. */
static inline void cur_fail(struct cur *c, enum cur_err e)
{
    if (c->err == CUR_OK)
        c->err = e;
}

static inline bool cur_need(struct cur *c, size_t n)
{
    if (c->err != CUR_OK)
        return false;
    if (n > c->len - c->off) { /* never 'c->off + n > c->len' */
        c->err = CUR_TRUNC;
        return false;
    }
    return true;
}

static inline uint8_t cur_u8(struct cur *c)
{
    if (!cur_need(c, 1))
        return 0;
    return c->p[c->off++];
}

static inline uint8_t cur_peek_u8(const struct cur *c)
{
    if (c->err != CUR_OK || c->off >= c->len)
        return 0;
    return c->p[c->off];
}

/* Peeks the byte at offset `at` from the current position without moving. */
static inline uint8_t cur_peek_at(const struct cur *c, size_t at)
{
    if (c->err != CUR_OK || at >= c->len - c->off)
        return 0;
    return c->p[c->off + at];
}

static inline uint16_t cur_be16(struct cur *c)
{
    if (!cur_need(c, 2))
        return 0;
    uint16_t v = (uint16_t)(c->p[c->off] << 8 | c->p[c->off + 1]);
    c->off += 2;
    return v;
}

static inline uint32_t cur_be24(struct cur *c)
{
    if (!cur_need(c, 3))
        return 0;
    const uint8_t *q = c->p + c->off;
    c->off += 3;
    return (uint32_t)q[0] << 16 | (uint32_t)q[1] << 8 | q[2];
}

static inline uint32_t cur_be32(struct cur *c)
{
    if (!cur_need(c, 4))
        return 0;
    const uint8_t *q = c->p + c->off;
    c->off += 4;
    return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
}

static inline uint64_t cur_be64(struct cur *c)
{
    uint64_t hi = cur_be32(c);
    uint64_t lo = cur_be32(c);
    return cur_ok(c) ? hi << 32 | lo : 0;
}

static inline uint16_t cur_le16(struct cur *c)
{
    if (!cur_need(c, 2))
        return 0;
    uint16_t v = (uint16_t)(c->p[c->off] | c->p[c->off + 1] << 8);
    c->off += 2;
    return v;
}

static inline uint32_t cur_le24(struct cur *c)
{
    if (!cur_need(c, 3))
        return 0;
    const uint8_t *q = c->p + c->off;
    c->off += 3;
    return (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
}

static inline uint32_t cur_le32(struct cur *c)
{
    if (!cur_need(c, 4))
        return 0;
    const uint8_t *q = c->p + c->off;
    c->off += 4;
    return (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
}

static inline uint64_t cur_le64(struct cur *c)
{
    uint64_t lo = cur_le32(c);
    uint64_t hi = cur_le32(c);
    return cur_ok(c) ? hi << 32 | lo : 0;
}

static inline void cur_skip(struct cur *c, size_t n)
{
    if (cur_need(c, n))
        c->off += n;
}

/* Borrows the next n bytes: a pointer into the packet, valid only during
 * parse(), or NULL (and the cursor failed) when they are not there. */
static inline const uint8_t *cur_bytes(struct cur *c, size_t n)
{
    if (!cur_need(c, n))
        return NULL;
    const uint8_t *q = c->p + c->off;
    c->off += n;
    return q;
}

/* Copies the next n bytes into dst (which holds at least n); zero-fills dst
 * when they are not there. */
static inline void cur_copy(struct cur *c, void *dst, size_t n)
{
    const uint8_t *q = cur_bytes(c, n);
    if (q)
        memcpy(dst, q, n);
    else
        memset(dst, 0, n);
}

/* Returns a child cursor over exactly the next n bytes and moves the parent
 * past them.  If the bytes are not there both cursors fail with CUR_TRUNC. */
static inline struct cur cur_sub(struct cur *c, size_t n)
{
    struct cur child = {NULL, 0, 0, CUR_TRUNC};
    const uint8_t *q = cur_bytes(c, n);
    if (q) {
        child.p = q;
        child.len = n;
        child.err = CUR_OK;
    }
    return child;
}

/* Returns a child cursor over whatever is left, and moves the parent to the end. */
static inline struct cur cur_rest(struct cur *c)
{
    return cur_sub(c, cur_left(c));
}

#endif
