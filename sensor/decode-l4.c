/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: TCP, UDP, ICMP and ICMPv6 headers.
 * specification: RFC 9293 section 3.1; RFC 768; RFC 792; RFC 4443. */
#include <netinet/in.h>

#include "bytes.h"
#include "cursor.h"
#include "decode.h"

static enum decode_err decode_tcp(struct packet *p, const uint8_t *data, size_t len)
{
    if (len < 20)
        return DEC_TCP_TRUNC;
    p->sport = rd16(data);
    p->dport = rd16(data + 2);
    p->seq = rd32(data + 4);
    p->ack = rd32(data + 8);
    p->tcp_flags = data[13];
    size_t hlen = (size_t)(data[12] >> 4) * 4;
    if (hlen < 20)
        return DEC_TCP_BAD_HLEN;
    if (hlen > len)
        return DEC_TCP_TRUNC;
    p->payload = data + hlen;
    p->payload_len = (uint32_t)(len - hlen);
    p->payload_wire_len = p->l4_wire_len > hlen ? (uint32_t)(p->l4_wire_len - hlen) : 0;
    if (p->payload_wire_len < p->payload_len)
        p->payload_wire_len = p->payload_len;
    return DEC_OK;
}

static enum decode_err decode_udp(struct packet *p, const uint8_t *data, size_t len)
{
    struct cur c = cur_init(data, len);
    p->sport = cur_be16(&c);
    p->dport = cur_be16(&c);
    uint16_t ulen = cur_be16(&c);
    cur_skip(&c, 2); /* the checksum: the header is 8 bytes, all of them captured */
    if (!cur_ok(&c))
        return DEC_UDP_TRUNC;
    if (ulen < 8)
        return DEC_UDP_BAD_LEN;
    size_t plen = (size_t)ulen - 8;
    if (plen > len - 8)
        plen = len - 8; /* snaplen-cut datagram: the dissector sees what was captured */
    p->payload = data + 8;
    p->payload_len = (uint32_t)plen;
    p->payload_wire_len = (uint32_t)ulen - 8;
    return DEC_OK;
}

static enum decode_err decode_icmp(struct packet *p, const uint8_t *data, size_t len)
{
    struct cur c = cur_init(data, len);
    p->icmp_type = cur_u8(&c);
    p->icmp_code = cur_u8(&c);
    if (!cur_ok(&c))
        return DEC_ICMP_TRUNC;
    p->payload = data + 2;
    p->payload_len = (uint32_t)(len - 2);
    p->payload_wire_len = p->payload_len;
    return DEC_OK;
}

enum decode_err decode_l4(struct packet *p, const uint8_t *data, size_t len)
{
    switch (p->l4proto) {
        case IPPROTO_TCP:
            return decode_tcp(p, data, len);
        case IPPROTO_UDP: {
            enum decode_err e = decode_udp(p, data, len);
            /* remote SPAN over VXLAN: the mirrored frame is what we watch */
            if (e == DEC_OK && p->dport == decode_opts.vxlan_port && decode_opts.tunnels)
                return decode_vxlan(p, p->payload, p->payload_len);
            return e;
        }
        case IPPROTO_GRE:
            return decode_opts.tunnels ? decode_gre(p, data, len) : DEC_OK;
        case IPPROTO_ICMP:
        case IPPROTO_ICMPV6:
            return decode_icmp(p, data, len);
        default:
            return DEC_OK; /* other protocols are flows without ports */
    }
}
