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

/* The PRP/HSR key's mix: a multiply and a shift. */
static uint64_t mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * HASH_MUL;
    return h ^ (h >> 29);
}

/* The frame hash takes every byte of the frame: a key over a prefix would
 * let a sender hide a datagram as the "copy" of a benign one that starts
 * the same way.  It runs on every packet, so it is built for latency: two
 * lanes take alternate words, and their multiply chains run side by side
 * (one multiply, one rotate per word, the rotate bringing the well-mixed
 * high bits down for the next multiply), then one final mix. */
#define LANE_A_MUL 0x9e3779b97f4a7c15ULL
#define LANE_B_MUL 0xc2b2ae3d27d4eb4fULL

struct lanes {
    uint64_t a, b;
};

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static inline uint64_t lane_step(uint64_t h, uint64_t w, uint64_t mul)
{
    h = (h ^ w) * mul;
    return h << 31 | h >> 33;
}

static inline struct lanes lanes_block(struct lanes l, uint64_t w0, uint64_t w1)
{
    return (struct lanes){lane_step(l.a, w0, LANE_A_MUL), lane_step(l.b, w1, LANE_B_MUL)};
}

static inline struct lanes lanes_bytes(struct lanes l, const uint8_t *p, size_t n)
{
    for (; n >= 16; p += 16, n -= 16)
        l = lanes_block(l, load64(p), load64(p + 8));
    if (n >= 8) {
        l.a = lane_step(l.a, load64(p), LANE_A_MUL);
        p += 8;
        n -= 8;
    }
    /* the last 0-7 bytes in fixed-size loads (no call, any byte order) */
    uint64_t t = 0;
    if (n & 4) {
        uint32_t v;
        memcpy(&v, p, 4);
        t = v;
        p += 4;
    }
    if (n & 2) {
        uint16_t v;
        memcpy(&v, p, 2);
        t = t << 16 | v;
        p += 2;
    }
    if (n & 1)
        t = t << 8 | *p;
    l.b = lane_step(l.b, t, LANE_B_MUL);
    return l;
}

/* Both lanes and the length folded into one key, mixed so that the low
 * bits (the bucket) depend on all of them; never 0. */
static uint64_t lanes_final(struct lanes l, uint64_t len)
{
    uint64_t h = l.a ^ (l.b << 32 | l.b >> 32) ^ len * LANE_B_MUL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 29;
    h *= LANE_A_MUL;
    h ^= h >> 32;
    return h | 1;
}

/* The bytes a router rewrites, cleared in the header's first 16 bytes
 * (byte by byte, so the right bytes whatever the machine's byte order). */
static const uint8_t ipv4_keep[16] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* TTL (8), header checksum (10-11) */
    0x00, 0xff, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
};
static const uint8_t ipv6_keep[16] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, /* hop limit (7) */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

uint64_t dedup_frame_key(const struct packet *p)
{
    struct lanes l = {0x6f7473656e736f72ULL, 0x6970686561646572ULL};
    size_t hdr = p->ip_version == 4 ? 20 : 40;
    if (p->ip_version && p->l3 && p->l3_len >= hdr) {
        const uint8_t *keep = p->ip_version == 4 ? ipv4_keep : ipv6_keep;
        uint64_t w0 = load64(p->l3) & load64(keep), w1 = load64(p->l3 + 8) & load64(keep + 8);
        l = lanes_bytes(lanes_block(l, w0, w1), p->l3 + 16, p->l3_len - 16);
        return lanes_final(l, p->l3_len);
    }
    /* other frames (lanes seeded apart): the addresses and the ethertype,
     * then the payload */
    l.b = 0x6c326672616d6573ULL;
    uint8_t addr[16] = {0};
    memcpy(addr, p->dst_mac, 6);
    memcpy(addr + 6, p->src_mac, 6);
    addr[12] = (uint8_t)(p->ethertype >> 8);
    addr[13] = (uint8_t)p->ethertype;
    l = lanes_block(l, load64(addr), load64(addr + 8));
    if (p->l2_payload)
        l = lanes_bytes(l, p->l2_payload, p->l2_payload_len);
    return lanes_final(l, p->l2_payload ? p->l2_payload_len : 0);
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
