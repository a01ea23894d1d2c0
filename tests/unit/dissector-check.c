/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the dissector unit tests' shared runner and message checks
 * (dissector-check.h). */
#include "dissector-check.h"

#include <math.h>
#include <string.h>

struct ot_ctx tcp_ctx(uint16_t server_port, bool to_server, size_t n, size_t claimed,
                      void *flow_state)
{
    struct ot_ctx ctx = {
        .ts_usec = 1,
        .to_server = to_server,
        .l4 = 6,
        .src_port = to_server ? 40000 : server_port,
        .dst_port = to_server ? server_port : 40000,
        .pdu_truncated = claimed > n,
        .pdu_len = claimed,
        .flow_state = flow_state,
    };
    return ctx;
}

enum ot_parse dissect(const struct ot_dissector *d, const struct ot_ctx *ctx, const uint8_t *p,
                      size_t n, struct ot_msg *m)
{
    struct cur c = cur_init(p, n);
    ot_msg_reset(m, d->proto);
    return d->parse(&c, ctx, m);
}

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *hex && n < cap; hex++) {
        int v = hex_digit(*hex);
        if (v < 0)
            continue;
        if (hi < 0) {
            hi = v;
        } else {
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return n;
}

void put_u8(struct pdu_buf *w, uint8_t v)
{
    if (w->n < w->cap)
        w->b[w->n++] = v;
}

void put_be16(struct pdu_buf *w, uint16_t v)
{
    put_u8(w, (uint8_t)(v >> 8));
    put_u8(w, (uint8_t)v);
}

void put_be32(struct pdu_buf *w, uint32_t v)
{
    put_be16(w, (uint16_t)(v >> 16));
    put_be16(w, (uint16_t)v);
}

void put_le16(struct pdu_buf *w, uint16_t v)
{
    put_u8(w, (uint8_t)v);
    put_u8(w, (uint8_t)(v >> 8));
}

void put_le32(struct pdu_buf *w, uint32_t v)
{
    put_le16(w, (uint16_t)v);
    put_le16(w, (uint16_t)(v >> 16));
}

void put_le64(struct pdu_buf *w, uint64_t v)
{
    put_le32(w, (uint32_t)v);
    put_le32(w, (uint32_t)(v >> 32));
}

const struct ot_kv *detail_find(const struct ot_detail *d, const char *key)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->kv[i].key && strcmp(d->kv[i].key, key) == 0)
            return &d->kv[i];
    return NULL;
}

const struct ot_kv *kv_find(const struct ot_msg *m, const char *key)
{
    return detail_find(&m->detail, key);
}

const struct ot_kv *kv_find_nth(const struct ot_msg *m, const char *key, size_t nth)
{
    for (size_t i = 0; i < m->detail.n; i++)
        if (m->detail.kv[i].key && strcmp(m->detail.kv[i].key, key) == 0 && nth-- == 0)
            return &m->detail.kv[i];
    return NULL;
}

uint64_t kv_u64(const struct ot_msg *m, const char *key)
{
    const struct ot_kv *kv = kv_find(m, key);
    return kv && kv->type == OT_KV_U64 ? kv->v.u : NO_KEY;
}

bool kv_u64_is(const struct ot_msg *m, const char *key, uint64_t want)
{
    const struct ot_kv *kv = kv_find(m, key);
    return kv && kv->type == OT_KV_U64 && kv->v.u == want;
}

bool kv_i64_is(const struct ot_msg *m, const char *key, int64_t want)
{
    const struct ot_kv *kv = kv_find(m, key);
    return kv && kv->type == OT_KV_I64 && kv->v.i == want;
}

bool kv_dbl_is(const struct ot_msg *m, const char *key, double want)
{
    const struct ot_kv *kv = kv_find(m, key);
    return kv && kv->type == OT_KV_DBL && fabs(kv->v.d - want) < 1e-6;
}

int kv_bool(const struct ot_msg *m, const char *key)
{
    const struct ot_kv *kv = kv_find(m, key);
    return kv && kv->type == OT_KV_BOOL ? kv->v.u != 0 : -1;
}

bool kv_bool_is(const struct ot_msg *m, const char *key, bool want)
{
    return kv_bool(m, key) == want;
}

/* The entry holds, in the arena, exactly the bytes of want. */
static bool bytes_are(const struct ot_msg *m, const struct ot_kv *kv, const char *want)
{
    return kv->len == strlen(want) && memcmp(m->detail.str + kv->v.off, want, kv->len) == 0;
}

bool kv_str(const struct ot_msg *m, const char *key, const char *want)
{
    const struct ot_kv *kv = kv_find(m, key);
    return kv && kv->type == OT_KV_STR && bytes_are(m, kv, want);
}

bool kv_hex(const struct ot_msg *m, const char *key, const char *want)
{
    const struct ot_kv *kv = kv_find(m, key);
    return kv && kv->type == OT_KV_HEX && bytes_are(m, kv, want);
}

bool kv_arr_str(const struct ot_msg *m, const char *key, size_t nth, const char *want)
{
    const struct ot_kv *arr = kv_find(m, key);
    if (!arr || arr->type != OT_KV_ARR_BEGIN)
        return false;
    size_t i = (size_t)(arr - m->detail.kv) + 1 + nth;
    return i < m->detail.n && m->detail.kv[i].type == OT_KV_STR &&
           bytes_are(m, &m->detail.kv[i], want);
}

/* Direct members of the array opening at entry i, or SIZE_MAX when it never closes. */
static size_t members(const struct ot_detail *d, size_t i)
{
    size_t depth = 0, n = 0;
    for (size_t j = i + 1; j < d->n; j++) {
        uint8_t t = d->kv[j].type;
        if (t == OT_KV_END) {
            if (depth == 0)
                return n;
            depth--;
            continue;
        }
        if (depth == 0)
            n++;
        if (t == OT_KV_OBJ_BEGIN || t == OT_KV_ARR_BEGIN)
            depth++;
    }
    return SIZE_MAX;
}

size_t kv_arr_len(const struct ot_msg *m, const char *key)
{
    for (size_t i = 0; i < m->detail.n; i++) {
        const struct ot_kv *kv = &m->detail.kv[i];
        if (!kv->key || strcmp(kv->key, key) != 0 || kv->type != OT_KV_ARR_BEGIN)
            continue;
        size_t n = members(&m->detail, i);
        if (n != SIZE_MAX)
            return n;
    }
    return SIZE_MAX;
}

bool kv_any_str(const struct ot_msg *m, const char *want)
{
    for (size_t i = 0; i < m->detail.n; i++)
        if (m->detail.kv[i].type == OT_KV_STR && bytes_are(m, &m->detail.kv[i], want))
            return true;
    return false;
}

bool arena_has(const struct ot_msg *m, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= m->detail.str_used; i++)
        if (memcmp(m->detail.str + i, s, n) == 0)
            return true;
    return false;
}

bool detail_nests(const struct ot_detail *d)
{
    int depth = 0;
    for (size_t i = 0; i < d->n; i++) {
        uint8_t t = d->kv[i].type;
        if (t == OT_KV_OBJ_BEGIN || t == OT_KV_ARR_BEGIN)
            depth++;
        else if (t == OT_KV_END && --depth < 0)
            return false;
    }
    return depth == 0;
}

bool tape_nests(const struct ot_msg *m)
{
    return detail_nests(&m->detail);
}

bool tape_balanced(const struct ot_msg *m)
{
    return detail_nests(&m->detail) && m->detail.depth == 0 && m->detail.skipped == 0;
}

bool anomaly_is(const struct ot_msg *m, const char *want)
{
    return m->anomaly && strcmp(m->anomaly, want) == 0;
}

bool function_is(const struct ot_msg *m, uint32_t code, const char *name, enum ot_op op)
{
    return m->has_function && m->function_code == code &&
           (name ? m->function && strcmp(m->function, name) == 0 : m->function == NULL) &&
           m->op_class == op;
}

bool range_is(const struct ot_msg *m, size_t i, const char *space, uint32_t space_id,
              uint64_t start, uint32_t count)
{
    return i < m->n_ranges && strcmp(m->ranges[i].space, space) == 0 &&
           m->ranges[i].space_id == space_id && m->ranges[i].start == start &&
           m->ranges[i].count == count;
}

bool has_range(const struct ot_msg *m, const char *space, uint32_t space_id, uint64_t start,
               uint32_t count)
{
    for (size_t i = 0; i < m->n_ranges; i++)
        if (range_is(m, i, space, space_id, start, count))
            return true;
    return false;
}

bool value_is(const struct ot_msg *m, size_t i, uint32_t space_id, uint64_t addr, double v)
{
    return i < m->n_values && m->values[i].space_id == space_id && m->values[i].addr == addr &&
           m->values[i].value == v;
}

bool has_value(const struct ot_msg *m, uint32_t space_id, uint64_t addr, double v)
{
    for (size_t i = 0; i < m->n_values; i++)
        if (value_is(m, i, space_id, addr, v))
            return true;
    return false;
}

bool refused(enum ot_parse r, const struct ot_msg *m)
{
    (void)m;
    return r == OT_PARSE_TRUNC || r == OT_PARSE_INVALID;
}

bool refused_nested(enum ot_parse r, const struct ot_msg *m)
{
    return refused(r, m) && tape_nests(m);
}

bool refused_balanced(enum ot_parse r, const struct ot_msg *m)
{
    return refused(r, m) && tape_balanced(m);
}

bool each_prefix(parse_fn parse, const uint8_t *p, size_t n, cut_check_fn ok,
                 const struct ot_msg *m)
{
    for (size_t cut = 0; cut < n; cut++)
        if (!ok(parse(p, cut), m))
            return false;
    return true;
}

bool each_prefix_relabelled(parse_fn parse, uint8_t *p, size_t from, size_t n, cut_check_fn ok,
                            const struct ot_msg *m)
{
    for (size_t cut = from; cut < n; cut++) {
        p[2] = (uint8_t)(cut >> 8);
        p[3] = (uint8_t)cut;
        if (!ok(parse(p, cut), m))
            return false;
    }
    return true;
}
