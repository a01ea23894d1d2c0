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

/* Producer: appends one record; false when it does not fit now. */
static inline bool spsc_push(struct spsc *q, uint32_t type, const void *data, size_t len)
{
    size_t need = spsc_rec_size(len);
    size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&q->head, memory_order_acquire);
    size_t pos = tail & (q->cap - 1);
    size_t to_end = q->cap - pos;
    size_t wrap = need > to_end ? to_end : 0; /* records never straddle the end */
    if (need + wrap > q->cap - (tail - head))
        return false;
    if (wrap) {
        uint32_t mark = SPSC_WRAP;
        memcpy(q->buf + pos, &mark, 4);
        pos = 0;
    }
    uint32_t len32 = (uint32_t)len;
    memcpy(q->buf + pos, &len32, 4);
    memcpy(q->buf + pos + 4, &type, 4);
    memcpy(q->buf + pos + SPSC_HDR, data, len);
    atomic_store_explicit(&q->tail, tail + wrap + need, memory_order_release);
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
