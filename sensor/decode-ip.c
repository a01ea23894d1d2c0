/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: IPv4 and IPv6 decoding (with IPv6 extension headers).
 * specification: RFC 791; RFC 8200 section 4.
 * Fragments are counted and skipped, not reassembled: industrial protocols
 * keep their PDUs far below the MTU, and a reassembly pool is an attack
 * surface we do not need yet (README, architecture). */
#include <string.h>

#include "bytes.h"
#include "cursor.h"
#include "decode.h"

#define IPV6_MAX_EXT_HEADERS 8 /* a chain longer than this is hostile: stop walking */

enum decode_err decode_ipv4(struct packet *p, const uint8_t *data, size_t len)
{
    if (len < 20)
        return DEC_IPV4_TRUNC;
    uint8_t vihl = data[0];
    uint16_t total = rd16(data + 2);
    uint16_t frag = rd16(data + 6);
    if (vihl >> 4 != 4)
        return DEC_IPV4_BAD_VERSION;
    size_t hlen = (size_t)(vihl & 0x0f) * 4;
    if (hlen < 20)
        return DEC_IPV4_BAD_HLEN;
    if (total < hlen)
        return DEC_IPV4_BAD_LEN;
    if (hlen > len)
        return DEC_IPV4_TRUNC;
    p->ip_version = 4;
    memset(&p->src, 0, sizeof(p->src));
    memset(&p->dst, 0, sizeof(p->dst));
    memcpy(p->src.b, data + 12, 4);
    memcpy(p->dst.b, data + 16, 4);
    p->l4proto = data[9];
    p->l3 = data;
    /* a snaplen-cut packet keeps what was captured; Ethernet padding is dropped */
    p->l3_len = (uint32_t)(total < len ? total : len);
    if (frag & 0x3fff) {
        p->fragment = true;
        return DEC_IPV4_FRAGMENT;
    }
    p->l4_wire_len = (uint32_t)(total - hlen);
    return decode_l4(p, data + hlen, p->l3_len - hlen);
}

enum decode_err decode_ipv6(struct packet *p, const uint8_t *data, size_t len)
{
    struct cur c = cur_init(data, len);
    uint8_t v = cur_u8(&c) >> 4;
    cur_skip(&c, 3);
    uint16_t plen = cur_be16(&c);
    uint8_t next = cur_u8(&c);
    cur_skip(&c, 1);
    cur_copy(&c, p->src.b, 16);
    cur_copy(&c, p->dst.b, 16);
    if (!cur_ok(&c))
        return DEC_IPV6_TRUNC;
    if (v != 6)
        return DEC_IPV4_BAD_VERSION;
    p->ip_version = 6;
    p->l3 = data;
    size_t avail = cur_left(&c);
    uint16_t wire_plen = plen;
    if (plen > avail && plen != 0)
        plen = (uint16_t)avail; /* snaplen-cut: keep what was captured */
    p->l3_len = (uint32_t)(40 + plen);
    struct cur pc = cur_sub(&c, plen);
    for (int i = 0; i < IPV6_MAX_EXT_HEADERS; i++) {
        switch (next) {
            case 0:  /* hop-by-hop */
            case 43: /* routing */
            case 60: /* destination options */
            {
                uint8_t nh = cur_u8(&pc);
                size_t elen = ((size_t)cur_u8(&pc) + 1) * 8;
                cur_skip(&pc, elen - 2);
                if (!cur_ok(&pc))
                    return DEC_IPV6_EXT_TRUNC;
                next = nh;
                continue;
            }
            case 44: /* fragment */
                p->l4proto = 44;
                p->fragment = true;
                return DEC_IPV6_FRAGMENT;
            default:
                p->l4proto = next;
                p->l4_wire_len = (uint32_t)(wire_plen - cur_off(&pc));
                return decode_l4(p, pc.p + cur_off(&pc), cur_left(&pc));
        }
    }
    return DEC_IPV6_EXT_TRUNC;
}
