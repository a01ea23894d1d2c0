/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: TCP in-order delivery and PDU framing.  Each direction's bytes are
 * cut into PDUs with the dissector's pdu_len(): a PDU inside one segment is
 * parsed where the capture left it (zero copy); only a PDU that spans
 * segments is copied, into a pooled buffer of reassembly.max_pdu bytes.
 * Retransmitted bytes are trimmed, never delivered twice; a gap drops the
 * partial PDU and the framer resynchronises on the next valid header. */
#include <string.h>

#include "worker.h"

struct reasm_buf {
    size_t len;
    uint8_t data[];
};

#define HEADER_STEP 32 /* bytes added at a time while pdu_len cannot tell yet */

static size_t max_pdu(const struct worker *w)
{
    return w->conf->reasm_max_pdu;
}

static void buf_release(struct worker *w, struct stream *s)
{
    pool_put(&w->reasm_pool, s->buf);
    s->buf = NULL;
}

void reasm_release(struct worker *w, struct flow *f)
{
    for (int d = 0; d < 2; d++) {
        buf_release(w, &f->stream[d]);
        f->stream[d].skip = 0;
    }
}

static void count_resync(struct worker *w, struct flow *f, struct stream *s, size_t n)
{
    s->resync_bytes += n;
    w->stats.proto[f->dissector->proto].resync_bytes += n;
}

/* Parses one PDU of which `have` bytes are at p, `want` in all. */
static void deliver(struct worker *w, struct flow *f, int dir, const uint8_t *p, size_t have,
                    size_t want)
{
    if (want > have)
        w->stats.proto[f->dissector->proto].oversized++;
    dissect_pdu(w, f, dir, p, have, want);
}

static size_t drop_skip(struct stream *s, const uint8_t **data, size_t *len)
{
    size_t n = s->skip < *len ? (size_t)s->skip : *len;
    s->skip -= n;
    *data += n;
    *len -= n;
    return n;
}

/* Works through the partial PDU in s->buf with the new bytes; returns false
 * when everything was consumed (or kept) and the caller has nothing left. */
static bool frame_buffered(struct worker *w, struct flow *f, int dir, const uint8_t **data,
                           size_t *len)
{
    struct stream *s = &f->stream[dir];
    const struct ot_dissector *d = f->dissector;
    size_t cap = max_pdu(w);
    while (s->buf) {
        struct reasm_buf *b = s->buf;
        size_t want = d->pdu_len(b->data, b->len);
        if (want == OT_PDU_NOT_MINE) {
            memmove(b->data, b->data + 1, b->len - 1);
            b->len--;
            count_resync(w, f, s, 1);
            if (b->len == 0)
                buf_release(w, s);
            continue;
        }
        size_t target = want == 0 ? b->len + HEADER_STEP : (want < cap ? want : cap);
        if (target > cap)
            target = cap;
        if (b->len < target) {
            size_t take = target - b->len < *len ? target - b->len : *len;
            memcpy(b->data + b->len, *data, take);
            b->len += take;
            *data += take;
            *len -= take;
            if (b->len < target && *len == 0)
                return false;
            if (want == 0)
                continue;
        }
        if (want == 0) {
            /* a full buffer and the header still undecided: not this protocol */
            count_resync(w, f, s, b->len);
            buf_release(w, s);
            break;
        }
        size_t used = want < b->len ? want : b->len;
        deliver(w, f, dir, b->data, used, want);
        if (want > b->len) {
            s->skip = want - b->len; /* the tail of an oversized PDU */
            buf_release(w, s);
            drop_skip(s, data, len);
            break;
        }
        size_t rest = b->len - used;
        memmove(b->data, b->data + used, rest);
        b->len = rest;
        if (rest == 0)
            buf_release(w, s);
    }
    return *len > 0;
}

static void frame_stream(struct worker *w, struct flow *f, int dir, const uint8_t *data,
                         size_t len)
{
    struct stream *s = &f->stream[dir];
    const struct ot_dissector *d = f->dissector;
    size_t cap = max_pdu(w);
    drop_skip(s, &data, &len);
    if (s->buf && !frame_buffered(w, f, dir, &data, &len))
        return;
    while (len > 0 && f->dissector) {
        if (s->skip) {
            drop_skip(s, &data, &len);
            continue;
        }
        size_t want = d->pdu_len(data, len);
        if (want == OT_PDU_NOT_MINE) {
            data++;
            len--;
            count_resync(w, f, s, 1);
            continue;
        }
        if (want != 0 && want <= len) {
            deliver(w, f, dir, data, want, want);
            data += want;
            len -= want;
            continue;
        }
        if (want > cap && len >= cap) {
            /* oversized, and the part we keep is all here: parse it in place */
            deliver(w, f, dir, data, len, want);
            s->skip = want - len;
            return;
        }
        /* the PDU continues in a later segment: keep what we have */
        s->buf = pool_take(&w->reasm_pool);
        if (!s->buf) {
            w->stats.reasm_no_buffer++;
            if (want != 0)
                s->skip = want - len;
            return;
        }
        size_t keep = len < cap ? len : cap;
        memcpy(s->buf->data, data, keep);
        s->buf->len = keep;
        return;
    }
}

void reasm_segment(struct worker *w, struct flow *f, int dir, const struct packet *p)
{
    struct stream *s = &f->stream[dir];
    const uint8_t *data = p->payload;
    size_t len = p->payload_len;
    uint32_t seq = p->seq;
    if (p->tcp_flags & TCP_SYN) {
        s->next_seq = seq + 1;
        s->seq_known = true;
        seq++;
    } else if (!s->seq_known) {
        /* mid-stream pickup: the first segment we see starts the stream */
        s->next_seq = seq;
        s->seq_known = true;
    }
    if (len == 0)
        return;
    int32_t diff = (int32_t)(seq - s->next_seq);
    if (diff < 0) {
        size_t old = (size_t)(-(int64_t)diff);
        if (old >= len) {
            w->stats.tcp_retransmitted_bytes += len;
            return;
        }
        w->stats.tcp_retransmitted_bytes += old;
        data += old;
        len -= old;
    } else if (diff > 0) {
        /* bytes are missing: the partial PDU cannot be completed */
        s->gaps++;
        w->stats.tcp_gaps++;
        buf_release(w, s);
        s->skip = 0;
        s->next_seq = seq;
    }
    s->next_seq += (uint32_t)len;
    frame_stream(w, f, dir, data, len);
}

void frame_datagram(struct worker *w, struct flow *f, int dir, const uint8_t *data, size_t len)
{
    const struct ot_dissector *d = f->dissector;
    if (!d->pdu_len) {
        dissect_pdu(w, f, dir, data, len, len);
        return;
    }
    while (len > 0 && f->dissector) {
        size_t want = d->pdu_len(data, len);
        if (want == OT_PDU_NOT_MINE) {
            data++;
            len--;
            count_resync(w, f, &f->stream[dir], 1);
            continue;
        }
        if (want == 0 || want > len) {
            /* a datagram never continues in the next one: what is left is cut */
            deliver(w, f, dir, data, len, want ? want : len + 1);
            return;
        }
        deliver(w, f, dir, data, want, want);
        data += want;
        len -= want;
    }
}
