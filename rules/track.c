/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: bounded per-key state on packet time: threshold / distinct
 * counters over windows (two candidate slots per key, the older entry
 * replaced when both are taken, counted) and a direct-mapped "seen" set. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules-private.h"

struct track_entry {
    uint64_t key; /* 0: empty */
    uint64_t first_ts;
    uint64_t expire;
    uint32_t count;
    uint8_t nd; /* distinct values held */
    bool fired;
    uint32_t vals[TRACK_MAX_DISTINCT];
};

/* (key, value) pairs of distinct counts seen in their current window: a
 * repeated value (a master polling the same unit) changes no count, so it
 * is answered from this small cache without touching the large table. */
#define TRACK_SEEN 4096

struct track_seen {
    uint64_t tag;
    uint64_t expire;
};

struct tracker {
    size_t mask; /* first: see rules_table_new */
    uint64_t evictions;
    struct track_seen seen[TRACK_SEEN];
    struct track_entry e[];
};

/* Eight bytes at a time, then the murmur3 finaliser: addresses (16 bytes)
 * hash in a few cycles; the result does not depend on alignment. */
uint64_t rules_hash64(const void *p, size_t n, uint64_t seed)
{
    const uint8_t *b = p;
    uint64_t h = seed * 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, b, 8);
        h = (h ^ v) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
        b += 8;
        n -= 8;
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < n; i++)
        tail |= (uint64_t)b[i] << (8 * i);
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

void *rules_table_new(size_t header, size_t slot, size_t entries)
{
    size_t cap = 16;
    while (cap < entries && cap <= SIZE_MAX / 2)
        cap <<= 1;
    if (cap > (SIZE_MAX - header) / slot)
        return NULL;
    size_t *mask = calloc(1, header + cap * slot);
    if (mask)
        *mask = cap - 1;
    return mask;
}

struct tracker *tracker_new(size_t entries)
{
    return rules_table_new(offsetof(struct tracker, e), sizeof(struct track_entry), entries);
}

void tracker_free(struct tracker *t)
{
    free(t);
}

uint64_t tracker_evictions(const struct tracker *t)
{
    return t ? t->evictions : 0;
}

static struct track_entry *slot(struct tracker *t, uint64_t key, uint64_t now)
{
    struct track_entry *a = &t->e[key & t->mask];
    struct track_entry *b = &t->e[(key >> 29 ^ key * 0x9e3779b97f4a7c15ULL) & t->mask];
    if (a->key == key)
        return a;
    if (b->key == key)
        return b;
    struct track_entry *pick;
    if (!a->key || a->expire <= now)
        pick = a;
    else if (!b->key || b->expire <= now)
        pick = b;
    else {
        pick = a->first_ts <= b->first_ts ? a : b;
        t->evictions++;
    }
    pick->key = 0; /* a new key: the caller opens a window */
    return pick;
}

void tracker_hit(struct tracker *t, uint64_t key, uint64_t now_usec, uint32_t count,
                 uint32_t seconds, bool distinct, uint64_t value, struct track_result *out)
{
    memset(out, 0, sizeof(*out));
    if (!t)
        return;
    if (key == 0)
        key = 1;
    uint64_t tag = 0;
    struct track_seen *sn = NULL;
    if (distinct) {
        tag = (key ^ (value + 1) * 0x9e3779b97f4a7c15ULL) | 1;
        sn = &t->seen[(tag ^ tag >> 29) & (TRACK_SEEN - 1)];
        if (sn->tag == tag && now_usec < sn->expire)
            return; /* nothing new in this window */
    }
    struct track_entry *e = slot(t, key, now_usec);
    if (e->key != key || now_usec >= e->expire) {
        e->key = key;
        e->first_ts = now_usec;
        e->expire = now_usec + (uint64_t)seconds * 1000000;
        e->count = 0;
        e->nd = 0;
        e->fired = false;
    }
    if (distinct) {
        uint32_t v = (uint32_t)(value ^ value >> 32);
        /* polling repeats the last value: look there first */
        bool seen = e->nd && e->vals[e->nd - 1] == v;
        for (uint8_t i = 0; i < e->nd && !seen; i++)
            seen = e->vals[i] == v;
        if (!seen && e->nd < TRACK_MAX_DISTINCT) {
            e->vals[e->nd++] = v;
            e->count = e->nd;
        }
    } else if (e->count < UINT32_MAX) {
        e->count++;
    }
    if (sn) {
        sn->tag = tag;
        sn->expire = e->expire;
    }
    out->count = e->count;
    out->first_ts = e->first_ts;
    if (!e->fired && e->count >= count) {
        e->fired = true;
        out->fired = true;
    }
}

struct onceset {
    size_t mask; /* first: see rules_table_new */
    uint64_t k[];
};

struct onceset *onceset_new(size_t slots)
{
    return rules_table_new(offsetof(struct onceset, k), sizeof(uint64_t), slots);
}

void onceset_free(struct onceset *o)
{
    free(o);
}

bool onceset_first(struct onceset *o, uint64_t key)
{
    if (!o)
        return true;
    if (key == 0)
        key = 1;
    uint64_t *s = &o->k[(key ^ key >> 31) & o->mask];
    if (*s == key)
        return false;
    *s = key;
    return true;
}
