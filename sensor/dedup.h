/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: removal of duplicate frames, per worker: the copies a SPAN session
 * makes when it mirrors both directions or several ports (the same packet
 * twice within microseconds), and the second copy of a PRP or HSR frame
 * (IEC 62439-3 sends every frame over two paths).  A small bounded table of
 * recent frame hashes; what leaves it early is a missed duplicate, never a
 * dropped original. */
#ifndef OT_DEDUP_H
#define OT_DEDUP_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"

#define DEDUP_WAYS 4 /* entries per bucket; the oldest of the four is replaced */

struct dedup_slot {
    uint64_t key; /* 0: empty */
    uint64_t ts;
};

struct dedup {
    /* a bucket's four slots are one 64-byte cache line: one miss a frame */
    struct dedup_slot *slot;
    uint32_t buckets; /* a power of two */
    uint64_t window;  /* microseconds; 0: off */
};

/* slots is rounded up to a power of two (at least DEDUP_WAYS).  window 0
 * turns the table off (nothing is allocated).  Returns 0 or -1 (memory). */
int dedup_init(struct dedup *d, uint32_t slots, uint64_t window_usec);
void dedup_fini(struct dedup *d);

/* Forgets every frame: a new input file is another capture, and a packet
 * it shares with the one before is not a mirrored copy. */
void dedup_clear(struct dedup *d);

/* Asks for the cache line of key's bucket (a hint, nothing changes): a
 * frame's bucket is anywhere in the table. */
static inline void dedup_prefetch(const struct dedup *d, uint64_t key)
{
    if (d->slot)
        __builtin_prefetch(&d->slot[(size_t)(key & (d->buckets - 1)) * DEDUP_WAYS]);
}

/* True when key was remembered within the window around ts: the frame is a
 * duplicate (and is not remembered again, so the window runs from the
 * original).  Otherwise remembers it and returns false. */
bool dedup_check(struct dedup *d, uint64_t key, uint64_t ts);

/* The key of a decoded frame as a SPAN copy would repeat it: from the IP
 * header on, with the TTL (hop limit) and the IPv4 header checksum left
 * out, since a routed packet mirrored on both sides of the router differs
 * only there (and in its MAC addresses and VLAN tag, also left out); for
 * other frames, the addresses, the ethertype and the payload.  Never 0. */
uint64_t dedup_frame_key(const struct packet *p);

/* The key of a PRP/HSR frame: source address and sequence number (the two
 * copies differ in their LAN id or path). */
uint64_t dedup_red_key(const struct packet *p);

#endif
