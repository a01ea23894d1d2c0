/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the duplicate-frame table (see dedup.h) and the frame hash. */
#include <stdlib.h>
#include <string.h>

#include "dedup.h"

#define HASH_MUL 0x9e3779b97f4a7c15ULL

int dedup_init(struct dedup *d, uint32_t slots, uint64_t window_usec)
{
    memset(d, 0, sizeof(*d));
    d->window = window_usec;
    if (window_usec == 0)
        return 0;
    uint32_t n = DEDUP_WAYS;
    while (n < slots && n < (1u << 30))
        n <<= 1;
    d->buckets = n / DEDUP_WAYS;
    d->slot = aligned_alloc(64, (size_t)n * sizeof(*d->slot));
    if (!d->slot)
        return -1;
    memset(d->slot, 0, (size_t)n * sizeof(*d->slot));
    return 0;
}

void dedup_fini(struct dedup *d)
{
    free(d->slot);
    d->slot = NULL;
}

bool dedup_check(struct dedup *d, uint64_t key, uint64_t ts)
{
    if (!d->slot)
        return false;
    struct dedup_slot *s = &d->slot[(size_t)(key & (d->buckets - 1)) * DEDUP_WAYS];
    struct dedup_slot *oldest = s;
    for (struct dedup_slot *i = s; i < s + DEDUP_WAYS; i++) {
        if (i->key == key) {
            /* replayed captures may run backwards a little: either order counts */
            uint64_t age = ts >= i->ts ? ts - i->ts : i->ts - ts;
            if (age <= d->window)
                return true;
            oldest = i; /* the same frame long ago: refresh its slot */
            break;
        }
        if (i->key == 0 || i->ts < oldest->ts)
            oldest = i;
        if (i->key == 0)
            break;
    }
    oldest->key = key;
    oldest->ts = ts;
    return false;
}

/* A word-at-a-time multiplicative hash: this runs on every packet. */
static uint64_t mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * HASH_MUL;
    return h ^ (h >> 29);
}

static uint64_t hash_bytes(uint64_t h, const uint8_t *b, size_t n)
{
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        h = mix(h, w);
        b += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, b, n);
    return mix(h, w ^ ((uint64_t)n << 56));
}

uint64_t dedup_frame_key(const struct packet *p)
{
    uint64_t h = 0x6f7473656e736f72ULL;
    if (p->ip_version && p->l3 && p->l3_len >= 20) {
        uint8_t hdr[40];
        size_t n = p->ip_version == 4 ? 20 : (p->l3_len >= 40 ? 40 : 0);
        if (n) {
            memcpy(hdr, p->l3, n);
            if (p->ip_version == 4) {
                hdr[8] = 0;  /* TTL */
                hdr[10] = 0; /* header checksum */
                hdr[11] = 0;
            } else {
                hdr[7] = 0; /* hop limit */
            }
            h = hash_bytes(h, hdr, n);
            h = hash_bytes(h, p->l3 + n, p->l3_len - n);
            return h | 1;
        }
    }
    h = hash_bytes(h, p->dst_mac, 6);
    h = hash_bytes(h, p->src_mac, 6);
    h = mix(h, p->ethertype);
    if (p->l2_payload)
        h = hash_bytes(h, p->l2_payload, p->l2_payload_len);
    return h | 1;
}

uint64_t dedup_red_key(const struct packet *p)
{
    uint64_t w = 0;
    memcpy(&w, p->src_mac, 6);
    return mix(mix(0x7072706873720000ULL, w), (uint64_t)p->red_seq << 8 | p->red) | 1;
}

void dedup_clear(struct dedup *d)
{
    if (d->slot)
        memset(d->slot, 0, (size_t)d->buckets * DEDUP_WAYS * sizeof(*d->slot));
}
