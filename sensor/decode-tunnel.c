/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: remote SPAN decapsulation: GRE (IP or transparent Ethernet
 * bridging inside), ERSPAN types I, II and III, and VXLAN.  The mirrored
 * frame inside is decoded as if captured directly; the outer addresses stay
 * with the packet (struct tunnel) for the events.
 * specification: RFC 2784 and RFC 2890 (GRE, key and sequence number);
 * draft-foschiano-erspan-03 sections 4.1-4.3 (ERSPAN); RFC 7348 section 5
 * (VXLAN).
 *
 * GRE header (RFC 2784, with the RFC 2890 key and sequence number):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |C|R|K|S|  Reserved0      | Ver |         Protocol Type         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |      Checksum (if C)          |       Reserved1 (if C)        |
 *   |                         Key (if K)                            |
 *   |                  Sequence Number (if S)                       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * ERSPAN type II (GRE protocol 0x88be with S set; without S it is type I
 * and the mirrored frame follows the GRE header directly):
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Ver  |          VLAN         | COS | En|T|    Session ID     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |      Reserved         |                  Index                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * ERSPAN type III (GRE protocol 0x22eb), then an 8-byte platform specific
 * subheader when O is set:
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Ver  |          VLAN         | COS |BSO|T|     Session ID    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                          Timestamp                            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |             SGT               |P|    FT   |   Hw ID   |D|Gra|O|
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * VXLAN (UDP, destination port 4789 by default):
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |R|R|R|R|I|R|R|R|            Reserved                           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                VXLAN Network Identifier (VNI) |   Reserved    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * What is not a mirror tunnel (GRE version 1 of PPTP, RFC 1701 source
 * routing, an unknown ERSPAN version or frame type, a VXLAN header without
 * the I flag) is left alone: it stays a flow of its own. */
#include <string.h>

#include "bytes.h"
#include "decode.h"

#define GRE_C 0x8000
#define GRE_R 0x4000
#define GRE_K 0x2000
#define GRE_S 0x1000
#define GRE_VERSION 0x0007

#define ERSPAN2_HDR_LEN 8
#define ERSPAN3_HDR_LEN 12
#define ERSPAN3_SUBHDR_LEN 8 /* platform specific, when O is set */
#define ERSPAN_VER_II 1
#define ERSPAN_VER_III 2
#define ERSPAN3_FT_ETHERNET 0
#define ERSPAN3_FT_IP 2

#define VXLAN_HDR_LEN 8
#define VXLAN_FLAG_I 0x08

const char *const tunnel_names[TUN_COUNT] = {
    [TUN_NONE] = "none",       [TUN_GRE] = "gre",         [TUN_ERSPAN1] = "erspan1",
    [TUN_ERSPAN2] = "erspan2", [TUN_ERSPAN3] = "erspan3", [TUN_VXLAN] = "vxlan",
};

struct decode_opts decode_opts = {
    .tunnels = true,
    .redundancy = true,
    .vxlan_port = 4789,
};

/* Steps into the tunnel: keeps the outermost ends, forgets what the outer
 * headers filled in and decodes the inner frame (Ethernet) or packet (IP). */
static enum decode_err decap(struct packet *p, enum tunnel_type type, uint32_t id, bool has_id,
                             const uint8_t *inner, size_t len, bool ether)
{
    if (p->tunnel.depth >= DECODE_MAX_TUNNELS)
        return DEC_TUNNEL_TOO_DEEP;
    if (p->tunnel.type == TUN_NONE) {
        p->tunnel.type = (uint8_t)type;
        p->tunnel.ip_version = p->ip_version;
        p->tunnel.src = p->src;
        p->tunnel.dst = p->dst;
        p->tunnel.id = id;
        p->tunnel.has_id = has_id;
    }
    p->tunnel.depth++;
    p->tunnel_overhead = (uint32_t)(inner - p->data);
    p->has_ether = false;
    p->vlan_count = 0; /* the transport network's tags, not the mirrored frame's */
    p->ethertype = 0;
    p->l2_payload = NULL;
    p->l2_payload_len = 0;
    p->ip_version = 0;
    p->l4proto = 0;
    p->fragment = false;
    p->sport = p->dport = 0;
    p->tcp_flags = 0;
    p->payload = NULL;
    p->payload_len = 0;
    p->payload_wire_len = 0;
    p->l4_wire_len = 0;
    p->red = RED_NONE;
    if (ether)
        return decode_ether(p, inner, len);
    if (len == 0)
        return DEC_IPV4_TRUNC;
    if (inner[0] >> 4 == 6)
        return decode_ipv6(p, inner, len);
    return decode_ipv4(p, inner, len);
}

enum decode_err decode_gre(struct packet *p, const uint8_t *data, size_t len)
{
    if (len < 4)
        return DEC_GRE_TRUNC;
    uint16_t flags = rd16(data);
    uint16_t proto = rd16(data + 2);
    if ((flags & GRE_VERSION) != 0 || (flags & GRE_R))
        return DEC_OK;
    size_t off = 4;
    if (flags & GRE_C)
        off += 4;
    uint32_t key = 0;
    bool has_key = (flags & GRE_K) != 0;
    if (has_key) {
        if (len < off + 4)
            return DEC_GRE_TRUNC;
        key = rd32(data + off);
        off += 4;
    }
    if (flags & GRE_S)
        off += 4;
    if (len < off)
        return DEC_GRE_TRUNC;
    const uint8_t *h = data + off;
    size_t left = len - off;
    switch (proto) {
        case ETYPE_TEB: return decap(p, TUN_GRE, key, has_key, h, left, true);
        case ETH_P_IPV4:
        case ETH_P_IPV6: return decap(p, TUN_GRE, key, has_key, h, left, false);
        case ETYPE_ERSPAN_II: {
            if (!(flags & GRE_S))
                return decap(p, TUN_ERSPAN1, 0, false, h, left, true);
            if (left < ERSPAN2_HDR_LEN)
                return DEC_ERSPAN_TRUNC;
            if (h[0] >> 4 != ERSPAN_VER_II)
                return DEC_OK;
            uint32_t session = rd16(h + 2) & 0x03ff;
            return decap(p, TUN_ERSPAN2, session, true, h + ERSPAN2_HDR_LEN, left - ERSPAN2_HDR_LEN,
                         true);
        }
        case ETYPE_ERSPAN_III: {
            if (left < ERSPAN3_HDR_LEN)
                return DEC_ERSPAN_TRUNC;
            if (h[0] >> 4 != ERSPAN_VER_III)
                return DEC_OK;
            uint32_t session = rd16(h + 2) & 0x03ff;
            uint16_t w = rd16(h + 10);
            unsigned ft = (w >> 10) & 0x1f;
            size_t hdr = ERSPAN3_HDR_LEN + ((w & 1) ? ERSPAN3_SUBHDR_LEN : 0);
            if (left < hdr)
                return DEC_ERSPAN_TRUNC;
            if (ft != ERSPAN3_FT_ETHERNET && ft != ERSPAN3_FT_IP)
                return DEC_OK;
            return decap(p, TUN_ERSPAN3, session, true, h + hdr, left - hdr,
                         ft == ERSPAN3_FT_ETHERNET);
        }
        default: return DEC_OK;
    }
}

enum decode_err decode_vxlan(struct packet *p, const uint8_t *data, size_t len)
{
    if (len < VXLAN_HDR_LEN)
        return DEC_VXLAN_TRUNC;
    if (!(data[0] & VXLAN_FLAG_I))
        return DEC_OK;
    uint32_t vni = rd32(data + 4) >> 8;
    return decap(p, TUN_VXLAN, vni, true, data + VXLAN_HDR_LEN, len - VXLAN_HDR_LEN, true);
}
