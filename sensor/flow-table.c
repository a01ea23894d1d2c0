/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the flow table: pooled flows, chained hash on VLAN + 5-tuple,
 * one least-recently-seen list per timeout class. */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "flow.h"
#include "pool.h"

struct flow_table {
    struct pool pool;
    struct flow **buckets;
    uint32_t mask;
    uint32_t active;
    uint64_t evicted;
    uint64_t timeout_usec[FT_COUNT];
    struct dlist lru[FT_COUNT]; /* oldest first */
    flow_end_fn on_end;
    void *arg;
};

static uint64_t fnv1a(const void *data, size_t n, uint64_t h)
{
    const uint8_t *b = data;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* memcmp's order of two addresses (big-endian numbers), without the call:
 * this runs on every packet. */
static int addr_cmp(const uint8_t *x, const uint8_t *y)
{
    uint64_t x0 = rd64(x), y0 = rd64(y);
    if (x0 != y0)
        return x0 < y0 ? -1 : 1;
    uint64_t x1 = rd64(x + 8), y1 = rd64(y + 8);
    return x1 < y1 ? -1 : x1 > y1;
}

static void make_key(const struct packet *p, struct flow_key *k)
{
    memset(k, 0, sizeof(*k));
    int cmp = addr_cmp(p->src.b, p->dst.b);
    bool src_low = cmp < 0 || (cmp == 0 && p->sport <= p->dport);
    k->a = src_low ? p->src : p->dst;
    k->b = src_low ? p->dst : p->src;
    k->port_a = src_low ? p->sport : p->dport;
    k->port_b = src_low ? p->dport : p->sport;
    /* the innermost tag: QinQ outer tags differ per carrier segment */
    k->vlan = p->vlan_count ? p->vlan[p->vlan_count - 1] : 0;
    k->ip_version = p->ip_version;
    k->proto = p->l4proto;
}

/* The key is 40 bytes: mix it as five 64-bit words (per packet, so not
 * byte by byte). */
static uint32_t key_hash(const struct flow_key *k)
{
    uint64_t words[sizeof(*k) / 8];
    _Static_assert(sizeof(*k) % 8 == 0, "flow key is a whole number of words");
    memcpy(words, k, sizeof(words));
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < sizeof(words) / 8; i++) {
        h ^= words[i];
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    return (uint32_t)(h ^ h >> 29);
}

struct flow_table *flow_table_new(uint32_t max_flows, const uint32_t timeouts_sec[FT_COUNT],
                                  flow_end_fn on_end, void *arg)
{
    struct flow_table *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    uint32_t nb = 1;
    while (nb < max_flows && nb < (1u << 30))
        nb <<= 1;
    /* a pool: flows are handed out in order and only then touched, so
     * memory follows the flows in use, not the configured maximum */
    t->buckets = calloc(nb, sizeof(struct flow *));
    if (pool_init(&t->pool, max_flows, sizeof(struct flow)) != 0 || !t->buckets) {
        flow_table_free(t);
        return NULL;
    }
    t->mask = nb - 1;
    for (int i = 0; i < FT_COUNT; i++)
        t->timeout_usec[i] = (uint64_t)timeouts_sec[i] * 1000000;
    t->on_end = on_end;
    t->arg = arg;
    return t;
}

void flow_table_free(struct flow_table *t)
{
    if (!t)
        return;
    pool_fini(&t->pool);
    free(t->buckets);
    free(t);
}

static void lru_unlink(struct flow_table *t, struct flow *f)
{
    dlist_unlink(&t->lru[f->lru_class], &f->lru);
}

static void lru_append(struct flow_table *t, struct flow *f)
{
    dlist_append(&t->lru[f->lru_class], &f->lru);
}

static void flow_end(struct flow_table *t, struct flow *f, enum flow_end why)
{
    t->on_end(t->arg, f, why);
    uint32_t h = key_hash(&f->key) & t->mask;
    struct flow **pp = &t->buckets[h];
    while (*pp && *pp != f)
        pp = &(*pp)->hash_next;
    if (*pp)
        *pp = f->hash_next;
    lru_unlink(t, f);
    pool_put(&t->pool, f);
    t->active--;
}

static struct flow *oldest(struct flow_table *t)
{
    struct flow *best = NULL;
    for (int i = 0; i < FT_COUNT; i++) {
        struct flow *f = dlist_first(&t->lru[i], struct flow, lru);
        if (f && (!best || f->last_ts < best->last_ts))
            best = f;
    }
    return best;
}

void flow_end_now(struct flow_table *t, struct flow *f, enum flow_end why)
{
    flow_end(t, f, why);
}

void flow_probe(struct flow_table *t, const struct packet *p, struct flow_probe *pr)
{
    make_key(p, &pr->key);
    pr->bucket = key_hash(&pr->key) & t->mask;
    __builtin_prefetch(&t->buckets[pr->bucket]);
}

void flow_prefetch(const struct flow_table *t, const struct flow_probe *pr)
{
    const struct flow *f = t->buckets[pr->bucket];
    if (f)
        __builtin_prefetch(f);
}

struct flow *flow_lookup(struct flow_table *t, const struct packet *p, const struct flow_probe *pr,
                         bool *created)
{
    const struct flow_key *k = &pr->key;
    uint32_t h = pr->bucket;
    for (struct flow *f = t->buckets[h]; f; f = f->hash_next) {
        if (memcmp(&f->key, k, sizeof(*k)) == 0) {
            *created = false;
            return f;
        }
    }
    struct flow *f = pool_take(&t->pool);
    if (!f) {
        struct flow *victim = oldest(t);
        t->evicted++;
        flow_end(t, victim, FLOW_END_EVICTED);
        f = pool_take(&t->pool);
    }
    memset(f, 0, sizeof(*f));
    f->key = *k;
    f->hash_next = t->buckets[h];
    t->buckets[h] = f;
    f->first_ts = f->last_ts = p->ts_usec;
    /* a stable id: the same capture gives the same ids; 51 bits stay exact in
     * every JSON consumer */
    uint64_t id = fnv1a(k, sizeof(*k), 0xcbf29ce484222325ULL);
    id = fnv1a(&p->ts_usec, sizeof(p->ts_usec), id);
    f->flow_id = id & ((UINT64_C(1) << 51) - 1);
    f->lru_class = FT_OTHER;
    lru_append(t, f);
    t->active++;
    *created = true;
    return f;
}

void flow_touch(struct flow_table *t, struct flow *f, uint64_t ts, enum flow_timeout cls)
{
    lru_unlink(t, f);
    f->lru_class = (uint8_t)cls;
    if (ts > f->last_ts)
        f->last_ts = ts;
    lru_append(t, f);
}

void flow_expire(struct flow_table *t, uint64_t now)
{
    for (int i = 0; i < FT_COUNT; i++) {
        struct flow *f;
        while ((f = dlist_first(&t->lru[i], struct flow, lru)) &&
               f->last_ts + t->timeout_usec[i] < now)
            flow_end(t, f, i == FT_TCP_CLOSED ? FLOW_END_CLOSED : FLOW_END_TIMEOUT);
    }
}

void flow_flush(struct flow_table *t)
{
    struct flow *f;
    /* oldest first, so flow events come out in a stable order */
    while ((f = oldest(t)))
        flow_end(t, f, f->closed ? FLOW_END_CLOSED : FLOW_END_SHUTDOWN);
}

uint32_t flow_active(const struct flow_table *t)
{
    return t->active;
}

uint64_t flow_evicted(const struct flow_table *t)
{
    return t->evicted;
}
