/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: builds Ethernet/IPv4/TCP/UDP frames for the engine's unit tests. */
#ifndef OT_TEST_FRAMES_H
#define OT_TEST_FRAMES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct frame_spec {
    uint32_t src_ip; /* host order, e.g. 0x0a000001 */
    uint32_t dst_ip;
    uint16_t sport;
    uint16_t dport;
    uint8_t proto; /* 6 or 17 */
    uint8_t flags; /* TCP flags */
    uint32_t seq;
    uint32_t ack;
    uint16_t vlan; /* 0: untagged */
};

static inline void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* Writes a frame carrying payload into out (at least 64 + n bytes); returns
 * its length. */
static inline size_t frame_build(uint8_t *out, const struct frame_spec *s, const void *payload,
                                 size_t n)
{
    static const uint8_t dst_mac[6] = {0x00, 0x80, 0xf4, 0x00, 0x00, 0x02};
    static const uint8_t src_mac[6] = {0x00, 0x1b, 0x21, 0x00, 0x00, 0x01};
    size_t off = 0;
    memcpy(out, s->src_ip < s->dst_ip ? src_mac : dst_mac, 6);
    memcpy(out + 6, s->src_ip < s->dst_ip ? dst_mac : src_mac, 6);
    off = 12;
    if (s->vlan) {
        put16(out + off, 0x8100);
        put16(out + off + 2, s->vlan);
        off += 4;
    }
    put16(out + off, 0x0800);
    off += 2;
    size_t l4 = s->proto == 6 ? 20 : 8;
    uint8_t *ip = out + off;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + l4 + n));
    ip[8] = 64;
    ip[9] = s->proto;
    put32(ip + 12, s->src_ip);
    put32(ip + 16, s->dst_ip);
    uint8_t *t = ip + 20;
    memset(t, 0, l4);
    put16(t, s->sport);
    put16(t + 2, s->dport);
    if (s->proto == 6) {
        put32(t + 4, s->seq);
        put32(t + 8, s->ack);
        t[12] = 5 << 4;
        t[13] = s->flags;
        put16(t + 14, 65535);
    } else {
        put16(t + 4, (uint16_t)(8 + n));
    }
    if (n)
        memcpy(t + l4, payload, n);
    return off + 20 + l4 + n;
}

#endif
