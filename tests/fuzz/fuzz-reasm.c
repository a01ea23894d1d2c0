/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: libFuzzer target for TCP reassembly and PDU framing: the input is
 * a sequence of TCP segments with arbitrary flags, sequence and acknowledgement
 * numbers, capture cuts and pauses, on up to four connections to one
 * dissector's port, run through a real worker with tiny pools (so holding,
 * out-of-order storage, buffer exhaustion, eviction and timeouts all run).
 *
 * Input: the server port (u16, big-endian; 0: 502), then records of
 *   flags   u8   TCP flags, as sent
 *   ctl     u8   bit 0: from the server; bit 1: absolute sequence number (u32
 *                follows) instead of a signed 8-bit offset from where that
 *                direction's last segment ended; bit 2: the capture cut the
 *                segment (u8 follows: bytes lost from its end); bits 3-4:
 *                connection; bit 5: 100 s of silence first; bit 6: explicit
 *                acknowledgement number (u32 follows)
 *   ...         the fields ctl announces, in that order
 *   len     u8   payload bytes that follow (fewer if the input ends) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "decode.h"
#include "frames.h"
#include "output.h"
#include "worker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONNS 4

struct rd {
    const uint8_t *p;
    size_t n;
};

static uint32_t take(struct rd *r, size_t bytes)
{
    uint32_t v = 0;
    for (size_t i = 0; i < bytes; i++) {
        v <<= 8;
        if (r->n) {
            v |= *r->p++;
            r->n--;
        }
    }
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct conf conf;
    static struct output out;
    static struct worker w;
    static uint8_t frame[64 + 255 + 255];
    char err[256];
    if (size < 2)
        return 0;
    conf_defaults(&conf);
    conf.ndpi_enabled = false;
    conf.inventory_enabled = false; /* the pipeline target covers it; its init is slow */
    conf.max_flows = 16;
    conf.reasm_buffers = 3;
    conf.reasm_max_pdu = 512;
    conf.dissect_flows = 3;
    conf.pending_max = 16;
    conf.pending_per_flow = 2;
    conf.pending_timeout = 30;
    conf.timeout_tcp = 150;
    conf.timeout_tcp_new = 150;
    conf.timeout_tcp_closed = 50;
    conf.stats_interval = 0;
    out.want = EV_ALL; /* every event is built; no sink keeps them */
    if (worker_init(&w, &conf, &out, NULL, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    struct rd r = {data, size};
    uint16_t port = (uint16_t)take(&r, 2);
    if (port == 0)
        port = 502;
    uint32_t next[CONNS][2];
    for (int c = 0; c < CONNS; c++) {
        next[c][0] = 1000u + (uint32_t)c * 0x10000000u;
        next[c][1] = 0x80000000u - 100u * (uint32_t)c; /* near the wrap of the signed space */
    }
    uint64_t ts = 1700000000ULL * 1000000;
    while (r.n >= 2) {
        uint8_t flags = (uint8_t)take(&r, 1);
        uint8_t ctl = (uint8_t)take(&r, 1);
        int dir = ctl & 1;
        int conn = (ctl >> 3) & 3;
        uint32_t seq = next[conn][dir];
        if (ctl & 2)
            seq = take(&r, 4);
        else
            seq += (uint32_t)(int32_t)(int8_t)take(&r, 1);
        uint32_t cut = (ctl & 4) ? take(&r, 1) : 0;
        uint32_t ack = (ctl & 64) ? take(&r, 4) : next[conn][1 - dir];
        size_t len = take(&r, 1);
        if (len > r.n)
            len = r.n;
        struct frame_spec s = {
            .src_ip = dir ? 0x0a000002 : 0x0a000001,
            .dst_ip = dir ? 0x0a000001 : 0x0a000002,
            .sport = dir ? port : (uint16_t)(40000 + conn),
            .dport = dir ? (uint16_t)(40000 + conn) : port,
            .proto = 6,
            .flags = flags,
            .seq = seq,
            .ack = ack,
        };
        /* the segment as sent (its lost tail zeros), then cut by the capture */
        uint8_t payload[255 + 255];
        memcpy(payload, r.p, len);
        memset(payload + len, 0, cut);
        size_t flen = frame_build(frame, &s, payload, len + cut);
        r.p += len;
        r.n -= len;
        ts += (ctl & 32) ? 100000000 : 1000;
        worker_packet(&w, LINK_ETHERNET, ts, frame, (uint32_t)(flen - cut), (uint32_t)flen);
        next[conn][dir] = seq + (uint32_t)len + cut + ((flags & (TCP_SYN | TCP_FIN)) ? 1 : 0);
    }
    worker_finish(&w);
    /* everything pooled went back when the flows ended */
    if (w.reasm_pool.used || w.dstate_pool.used || w.txn_pool.used || w.pending_by_age.head)
        abort();
    worker_fini(&w);
    return 0;
}
