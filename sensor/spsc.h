/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: a bounded single-producer single-consumer ring of variable-size
 * records: how a worker hands finished events to the output thread without
 * a lock.  The producer owns `tail`, the consumer `head`; each publishes its
 * position with release and reads the other's with acquire (as libpcap does
 * with TPACKET_V3 block status). */
#ifndef OT_SPSC_H
#define OT_SPSC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct spsc {
    _Atomic size_t head; /* bytes consumed, ever */
    char pad1[64 - sizeof(size_t)];
    _Atomic size_t tail; /* bytes produced, ever */
    char pad2[64 - sizeof(size_t)];
    size_t cap;          /* a power of two */
    uint8_t *buf;
};

/* A record: 4-byte length of the payload (0xffffffff: skip to the ring's
 * start), 4-byte type, payload, padded to 8. */
#define SPSC_HDR 8
#define SPSC_WRAP 0xffffffffu

static inline size_t spsc_rec_size(size_t len)
{
    return (SPSC_HDR + len + 7) & ~(size_t)7;
}

/* Producer, writing a record in place: where the payload of the next
 * record goes and how many bytes it may hold (*room >= min), or NULL when
 * there is no such room now.  A record never straddles the ring's end: when
 * the part before the end has less room than min, the record goes to the
 * ring's start (the rest is skipped).  Nothing is visible to the consumer
 * until spsc_commit; a slot never committed costs nothing. */
static inline uint8_t *spsc_slot(struct spsc *q, size_t min, size_t *room)
{
    size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&q->head, memory_order_acquire);
    size_t avail = q->cap - (tail - head); /* records are multiples of 8: so is this */
    size_t pos = tail & (q->cap - 1);
    size_t to_end = q->cap - pos;
    size_t here = to_end < avail ? to_end : avail;
    if (here >= SPSC_HDR + min) {
        *room = here - SPSC_HDR;
        return q->buf + pos + SPSC_HDR;
    }
    if (avail - here >= SPSC_HDR + min) {
        *room = avail - here - SPSC_HDR;
        return q->buf + SPSC_HDR;
    }
    return NULL;
}

/* Producer: publishes the record whose len payload bytes were written at
 * slot (from spsc_slot, len <= its room). */
static inline void spsc_commit(struct spsc *q, uint8_t *slot, uint32_t type, size_t len)
{
    size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
    size_t pos = tail & (q->cap - 1);
    uint8_t *rec = slot - SPSC_HDR;
    size_t wrap = 0;
    if (rec != q->buf + pos) { /* at the ring's start */
        uint32_t mark = SPSC_WRAP;
        memcpy(q->buf + pos, &mark, 4);
        wrap = q->cap - pos;
    }
    uint32_t len32 = (uint32_t)len;
    memcpy(rec, &len32, 4);
    memcpy(rec + 4, &type, 4);
    atomic_store_explicit(&q->tail, tail + wrap + spsc_rec_size(len), memory_order_release);
}

/* Producer: appends one record; false when it does not fit now. */
static inline bool spsc_push(struct spsc *q, uint32_t type, const void *data, size_t len)
{
    size_t room;
    uint8_t *slot = spsc_slot(q, len, &room);
    if (!slot)
        return false;
    memcpy(slot, data, len);
    spsc_commit(q, slot, type, len);
    return true;
}

/* Consumer: borrows the oldest record (valid until spsc_pop); false when empty. */
static inline bool spsc_peek(struct spsc *q, uint32_t *type, const uint8_t **data, size_t *len)
{
    for (;;) {
        size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
        size_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
        if (head == tail)
            return false;
        size_t pos = head & (q->cap - 1);
        uint32_t len32;
        memcpy(&len32, q->buf + pos, 4);
        if (len32 == SPSC_WRAP) {
            atomic_store_explicit(&q->head, head + (q->cap - pos), memory_order_release);
            continue;
        }
        memcpy(type, q->buf + pos + 4, 4);
        *data = q->buf + pos + SPSC_HDR;
        *len = len32;
        return true;
    }
}

static inline void spsc_pop(struct spsc *q, size_t len)
{
    size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
    atomic_store_explicit(&q->head, head + spsc_rec_size(len), memory_order_release);
}

static inline size_t spsc_used(struct spsc *q)
{
    return atomic_load_explicit(&q->tail, memory_order_acquire) -
           atomic_load_explicit(&q->head, memory_order_acquire);
}

#endif
