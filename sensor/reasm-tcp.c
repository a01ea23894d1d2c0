/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: TCP in-order delivery and PDU framing.  Each direction's bytes are
 * cut into PDUs with the dissector's pdu_len(): a PDU inside one segment is
 * parsed where the capture left it (zero copy); only a PDU that spans
 * segments is copied, into a pooled buffer of reassembly.max_pdu bytes.
 * Retransmitted bytes are trimmed, never delivered twice.  Segments that
 * arrive ahead of a hole are held (bounded: OOO_MAX_SEGS segments in one
 * pooled buffer) and delivered when the hole fills; when the store is full
 * or the flow ends, the hole is a gap: the partial PDU is dropped and the
 * framer resynchronises on the next valid header. */
#include <string.h>

#include "worker.h"

struct reasm_buf {
    size_t len;
    uint8_t data[];
};

#define HEADER_STEP 32 /* bytes added at a time while pdu_len cannot tell yet */
#define OOO_MAX_SEGS 16 /* segments held ahead of a hole; a loss larger than this is a gap */

struct ooo_seg {
    uint32_t seq;
    uint32_t len;
    size_t off; /* in data[] */
};

/* Lives in a reassembly-pool buffer (reassembly.max_pdu bytes in all). */
struct ooo_store {
    uint32_t n;
    size_t used;
    struct ooo_seg seg[OOO_MAX_SEGS];
    uint8_t data[];
};

static size_t max_pdu(const struct worker *w)
{
    return w->conf->reasm_max_pdu;
}

static void buf_release(struct worker *w, struct stream *s)
{
    pool_put(&w->reasm_pool, s->buf);
    s->buf = NULL;
}

static void frame_stream(struct worker *w, struct flow *f, int dir, const uint8_t *data,
                         size_t len);

/* Bytes are missing before seq: the partial PDU cannot be completed. */
static void declare_gap(struct worker *w, struct flow *f, int dir, uint32_t seq)
{
    struct stream *s = &f->stream[dir];
    s->gaps++;
    w->stats.tcp_gaps++;
    if (s->buf)
        w->stats.partial_pdus_dropped++;
    buf_release(w, s);
    s->skip = 0;
    s->next_seq = seq;
    s->after_gap = true;
    dissect_gap(w, f, dir);
}

/* Delivers held segments that now continue the stream. */
static void ooo_drain(struct worker *w, struct flow *f, int dir)
{
    struct stream *s = &f->stream[dir];
    struct ooo_store *o = s->ooo;
    bool progress = true;
    while (o && o->n > 0 && progress) {
        progress = false;
        for (uint32_t i = 0; i < o->n; i++) {
            struct ooo_seg g = o->seg[i];
            int32_t ahead = (int32_t)(g.seq - s->next_seq);
            if (ahead > 0)
                continue;
            o->seg[i] = o->seg[--o->n];
            size_t old = (size_t)(-(int64_t)ahead);
            if (old < g.len) {
                s->next_seq += (uint32_t)(g.len - old);
                w->stats.tcp_reordered++;
                s->reordered++;
                frame_stream(w, f, dir, o->data + g.off + old, g.len - old);
            }
            progress = true;
            break;
        }
    }
    if (o && o->n == 0) {
        pool_put(&w->reasm_pool, o);
        s->ooo = NULL;
    }
}

/* The hole will not fill: skip to the first held segment and go on from it. */
static void ooo_give_up(struct worker *w, struct flow *f, int dir)
{
    struct stream *s = &f->stream[dir];
    while (s->ooo && s->ooo->n > 0) {
        struct ooo_store *o = s->ooo;
        uint32_t first = 0;
        for (uint32_t i = 1; i < o->n; i++)
            if ((int32_t)(o->seg[i].seq - o->seg[first].seq) < 0)
                first = i;
        declare_gap(w, f, dir, o->seg[first].seq);
        ooo_drain(w, f, dir);
    }
    /* a store taken for a segment it then had no room for holds nothing */
    if (s->ooo) {
        pool_put(&w->reasm_pool, s->ooo);
        s->ooo = NULL;
    }
}

/* Keeps a segment that arrived ahead of a hole; false when it cannot. */
static bool ooo_hold(struct worker *w, struct stream *s, uint32_t seq, const uint8_t *data,
                     size_t len)
{
    size_t room = max_pdu(w) + sizeof(size_t) - sizeof(struct ooo_store);
    if (!s->ooo) {
        s->ooo = pool_take(&w->reasm_pool);
        if (!s->ooo)
            return false;
        s->ooo->n = 0;
        s->ooo->used = 0;
    }
    struct ooo_store *o = s->ooo;
    if (o->n >= OOO_MAX_SEGS || len > room - o->used)
        return false;
    memcpy(o->data + o->used, data, len);
    o->seg[o->n++] = (struct ooo_seg){seq, (uint32_t)len, o->used};
    o->used += len;
    return true;
}

#define HOLD_MAX 512 /* bytes held per direction while no probe can decide */

bool reasm_hold_add(struct worker *w, struct flow *f, int dir, const struct packet *p,
                    const uint8_t **data, size_t *len)
{
    struct stream *s = &f->stream[dir];
    uint32_t seq = p->seq + ((p->tcp_flags & TCP_SYN) ? 1 : 0);
    const uint8_t *bytes = p->payload;
    size_t n = p->payload_len;
    /* a segment cut by the capture cannot be continued */
    bool whole = p->payload_len == p->payload_wire_len;
    if (s->buf || s->seq_known) {
        /* the next byte goes after the held ones, or where the SYN said the
         * stream starts */
        uint32_t expect = s->buf ? s->hold_seq + (uint32_t)s->buf->len : s->next_seq;
        int32_t diff = (int32_t)(seq - expect);
        if (diff > 0) {
            /* ahead of a hole: probed alone, and kept for the reassembler,
             * which puts it in its place once a dissector takes the flow */
            if (whole)
                (void)ooo_hold(w, s, seq, bytes, n);
            return false;
        }
        if (diff < 0) {
            /* a retransmission: only its new bytes are added */
            size_t old = (size_t)(-(int64_t)diff);
            if (old >= n)
                return false;
            bytes += old;
            n -= old;
            seq = expect;
        }
    }
    if (s->buf && s->buf->len + n > HOLD_MAX)
        buf_release(w, s); /* too many: start again here */
    if (!s->buf && whole && n <= HOLD_MAX) {
        s->buf = pool_take(&w->reasm_pool);
        if (s->buf) {
            s->buf->len = 0;
            s->hold_seq = seq;
        }
    }
    if (!s->buf || !whole || s->buf->len + n > HOLD_MAX) {
        /* these bytes go by unheld: the stream restarts where a dissector
         * picks it up, not at the SYN */
        buf_release(w, s);
        s->seq_known = false;
        return false;
    }
    memcpy(s->buf->data + s->buf->len, bytes, n);
    s->buf->len += n;
    *data = s->buf->data;
    *len = s->buf->len;
    return true;
}

/* Frames one direction's held bytes; the stream continues after them, with
 * the segments that arrived ahead of them. */
static void hold_frame(struct worker *w, struct flow *f, int dir)
{
    struct stream *s = &f->stream[dir];
    struct reasm_buf *held = s->buf;
    if (!held)
        return;
    s->buf = NULL;
    s->next_seq = s->hold_seq + (uint32_t)held->len;
    s->seq_known = true;
    frame_stream(w, f, dir, held->data, held->len);
    pool_put(&w->reasm_pool, held);
    if (s->ooo)
        ooo_drain(w, f, dir);
}

bool reasm_hold_release(struct worker *w, struct flow *f, int dir, const struct packet *p)
{
    struct stream *s = &f->stream[dir];
    uint32_t end = p->seq + ((p->tcp_flags & TCP_SYN) ? 1u : 0u) + p->payload_len;
    /* p's payload was the last of the held bytes */
    bool took = s->buf && s->hold_seq + (uint32_t)s->buf->len == end;
    /* the other side's held bytes came first: a request before its response */
    hold_frame(w, f, 1 - dir);
    hold_frame(w, f, dir);
    return took;
}

static void ooo_release(struct worker *w, struct stream *s)
{
    pool_put(&w->reasm_pool, s->ooo);
    s->ooo = NULL;
}

void reasm_hold_drop(struct worker *w, struct flow *f)
{
    for (int d = 0; d < 2; d++) {
        buf_release(w, &f->stream[d]);
        ooo_release(w, &f->stream[d]);
    }
}

void reasm_ack(struct worker *w, struct flow *f, int dir, const struct packet *p)
{
    struct stream *o = &f->stream[1 - dir];
    /* the peer acknowledged bytes past our hole: it got them and nobody
     * will send them again, so the capture lost them */
    if (o->ooo && (p->tcp_flags & TCP_ACK) && o->seq_known && (int32_t)(p->ack - o->next_seq) > 0)
        ooo_give_up(w, f, 1 - dir);
}

void reasm_release(struct worker *w, struct flow *f)
{
    for (int d = 0; d < 2; d++) {
        if (f->dissector)
            ooo_give_up(w, f, d);
        ooo_release(w, &f->stream[d]); /* held before any dissector took the flow */
        if (f->stream[d].buf && f->dissector)
            w->stats.partial_pdus_dropped++;
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
        if (want == 0) {
            /* the header is not complete yet: add a few bytes and ask again */
            if (b->len >= cap) {
                /* a full buffer and still undecided: not this protocol */
                count_resync(w, f, s, b->len);
                buf_release(w, s);
                break;
            }
            if (*len == 0)
                return false;
            size_t take = HEADER_STEP;
            if (take > cap - b->len)
                take = cap - b->len;
            if (take > *len)
                take = *len;
            memcpy(b->data + b->len, *data, take);
            b->len += take;
            *data += take;
            *len -= take;
            continue;
        }
        size_t target = want < cap ? want : cap;
        if (b->len < target) {
            size_t take = target - b->len < *len ? target - b->len : *len;
            memcpy(b->data + b->len, *data, take);
            b->len += take;
            *data += take;
            *len -= take;
            if (b->len < target)
                return false;
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

/* After a gap, or in front of bytes that start no PDU, a weak header
 * (Modbus has four checked bytes, MQTT one) can be found by chance in the
 * middle of a PDU.  The stream is therefore resumed where a chain of valid
 * PDUs ends exactly at the segment's end; only if there is no such place is
 * it scanned a byte at a time.  Returns the bytes to skip (0: none found,
 * or the segment already starts such a chain). */
static size_t tiling_start(const struct ot_dissector *d, const uint8_t *data, size_t len)
{
    for (size_t start = 0; start < len; start++) {
        size_t pos = start;
        while (pos < len) {
            size_t n = d->pdu_len(data + pos, len - pos);
            if (n == OT_PDU_NOT_MINE || n == 0 || n > len - pos)
                break;
            pos += n;
        }
        if (pos == len)
            return start;
    }
    return 0;
}

static void frame_stream(struct worker *w, struct flow *f, int dir, const uint8_t *data,
                         size_t len)
{
    struct stream *s = &f->stream[dir];
    const struct ot_dissector *d = f->dissector;
    size_t cap = max_pdu(w);
    drop_skip(s, &data, &len);
    if (s->after_gap) {
        s->after_gap = false;
        size_t skip = tiling_start(d, data, len);
        if (skip)
            count_resync(w, f, s, skip);
        data += skip;
        len -= skip;
    }
    if (s->buf && !frame_buffered(w, f, dir, &data, &len))
        return;
    while (len > 0 && f->dissector) {
        if (s->skip) {
            drop_skip(s, &data, &len);
            continue;
        }
        size_t want = d->pdu_len(data, len);
        if (want == OT_PDU_NOT_MINE) {
            /* bytes that start no PDU: resume where a chain of valid PDUs
             * ends exactly at the segment's end.  With no such place the
             * rest of the segment goes too: a header found by chance in
             * garbage would claim the bytes of the next segments, real PDUs
             * among them, while the next segment most often starts one */
            size_t skip = tiling_start(d, data, len);
            if (skip == 0)
                skip = len;
            data += skip;
            len -= skip;
            count_resync(w, f, s, skip);
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
        seq++; /* the SYN's sequence number: the worker set next_seq already */
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
        /* ahead of a hole: hold it until the hole fills, if we can */
        if (ooo_hold(w, s, seq, data, len))
            return;
        ooo_give_up(w, f, dir);
        if ((int32_t)(seq - s->next_seq) > 0)
            declare_gap(w, f, dir, seq);
        else if ((int32_t)(seq - s->next_seq) < 0) {
            /* held segments already covered part of this one */
            size_t old = (size_t)(s->next_seq - seq);
            if (old >= len)
                return;
            data += old;
            len -= old;
        }
    }
    s->next_seq += (uint32_t)len;
    frame_stream(w, f, dir, data, len);
    if (p->payload_wire_len > p->payload_len) {
        /* the capture cut this segment (snaplen): its tail is a hole.  A PDU
         * whose length is known goes to its dissector cut, to be counted
         * truncated or parsed as far as it goes */
        w->stats.tcp_cut_segments++;
        if (s->buf) {
            size_t want = f->dissector->pdu_len(s->buf->data, s->buf->len);
            if (want != 0 && want != OT_PDU_NOT_MINE && want > s->buf->len)
                dissect_pdu(w, f, dir, s->buf->data, s->buf->len, want);
        }
        declare_gap(w, f, dir, s->next_seq + (p->payload_wire_len - p->payload_len));
        return;
    }
    if (s->ooo)
        ooo_drain(w, f, dir);
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
