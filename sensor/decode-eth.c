/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: link-layer decoding: Ethernet with 802.1Q/QinQ tags, Linux cooked
 * (SLL and SLL2), raw IP and BSD loopback, down to the ethertype payload; the
 * HSR tag and the PRP trailer of redundant substation networks are taken off.
 * specification: IEEE 802.3, 802.1Q; tcpdump.org/linktypes/LINKTYPE_LINUX_SLL(2);
 * IEC 62439-3:2016 clauses 4.1.10 (PRP redundancy control trailer) and 5.5 (HSR tag).
 *
 * HSR tag, after the source address (and any 802.1Q tag):
 *    0                   1                   2                   3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |      ethertype 0x892f         | path  |      LSDU size        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |       sequence number         |  ethertype of the payload     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * PRP redundancy control trailer, the frame's last 6 bytes (before the FCS):
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |       sequence number         |LAN id |      LSDU size        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |       PRP suffix 0x88fb       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * LSDU size counts the bytes after the ethertype, trailer included: with
 * the suffix, a 28-bit check that ordinary frames do not pass by chance. */
#include <string.h>

#include "bytes.h"
#include "cursor.h"
#include "decode.h"

const char *const decode_err_names[DEC_COUNT] = {
    [DEC_OK] = "ok",
    [DEC_LINK_TRUNC] = "link_truncated",
    [DEC_VLAN_TOO_DEEP] = "vlan_too_deep",
    [DEC_ARP_TRUNC] = "arp_truncated",
    [DEC_IPV4_TRUNC] = "ipv4_truncated",
    [DEC_IPV4_BAD_VERSION] = "ipv4_bad_version",
    [DEC_IPV4_BAD_HLEN] = "ipv4_bad_header_length",
    [DEC_IPV4_BAD_LEN] = "ipv4_bad_total_length",
    [DEC_IPV4_FRAGMENT] = "ipv4_fragment",
    [DEC_IPV6_TRUNC] = "ipv6_truncated",
    [DEC_IPV6_BAD_LEN] = "ipv6_bad_payload_length",
    [DEC_IPV6_EXT_TRUNC] = "ipv6_extension_truncated",
    [DEC_IPV6_FRAGMENT] = "ipv6_fragment",
    [DEC_TCP_TRUNC] = "tcp_truncated",
    [DEC_TCP_BAD_HLEN] = "tcp_bad_header_length",
    [DEC_UDP_TRUNC] = "udp_truncated",
    [DEC_UDP_BAD_LEN] = "udp_bad_length",
    [DEC_ICMP_TRUNC] = "icmp_truncated",
    [DEC_UNKNOWN_ETHERTYPE] = "unknown_ethertype",
    [DEC_UNKNOWN_L4] = "unknown_l4",
    [DEC_GRE_TRUNC] = "gre_truncated",
    [DEC_ERSPAN_TRUNC] = "erspan_truncated",
    [DEC_VXLAN_TRUNC] = "vxlan_truncated",
    [DEC_TUNNEL_TOO_DEEP] = "tunnel_too_deep",
    [DEC_HSR_TRUNC] = "hsr_truncated",
};

#define PRP_RCT_LEN 6
#define HSR_TAG_LEN 6 /* path and size, sequence number, payload ethertype */

bool decode_link_supported(int linktype)
{
    switch (linktype) {
        case LINK_NULL:
        case LINK_LOOP:
        case LINK_ETHERNET:
        case LINK_RAW:
        case LINK_DLT_RAW:
        case LINK_DLT_RAW_OPENBSD:
        case LINK_IPV4:
        case LINK_IPV6:
        case LINK_LINUX_SLL:
        case LINK_LINUX_SLL2:
            return true;
        default:
            return false;
    }
}

enum decode_err decode_ether_payload(struct packet *p, uint16_t ethertype, const uint8_t *data,
                                     size_t len)
{
    struct cur c = cur_init(data, len);
    /* 802.1Q and 802.1ad tags; deeper stacks are counted, not followed.  An
     * HSR tag sits among them (after the VLAN tag when there is one). */
    while (ethertype == ETH_P_VLAN || ethertype == ETH_P_QINQ ||
           (ethertype == ETYPE_HSR && decode_opts.redundancy && p->red == RED_NONE)) {
        if (ethertype == ETYPE_HSR) {
            const uint8_t *h = cur_bytes(&c, HSR_TAG_LEN);
            if (!h)
                return DEC_HSR_TRUNC;
            p->red = RED_HSR;
            p->red_path = h[0] >> 4;
            p->red_seq = rd16(h + 2);
            ethertype = rd16(h + 4);
            continue;
        }
        if (p->vlan_count >= PKT_MAX_VLAN)
            return DEC_VLAN_TOO_DEEP;
        uint16_t tci = cur_be16(&c);
        ethertype = cur_be16(&c);
        if (!cur_ok(&c))
            return DEC_LINK_TRUNC;
        p->vlan[p->vlan_count++] = tci & 0x0fff;
    }
    size_t rest = cur_left(&c);
    p->l2_payload = data + cur_off(&c);
    if (rest >= PRP_RCT_LEN && decode_opts.redundancy && p->red == RED_NONE) {
        const uint8_t *t = p->l2_payload + rest - PRP_RCT_LEN;
        if (rd16(t + 4) == ETYPE_PRP && (rd16(t + 2) & 0x0fff) == rest) {
            p->red = RED_PRP;
            p->red_path = t[2] >> 4;
            p->red_seq = rd16(t);
            rest -= PRP_RCT_LEN;
        }
    }
    p->ethertype = ethertype;
    p->l2_payload_len = (uint32_t)rest;
    switch (ethertype) {
        case ETH_P_IPV4:
            return decode_ipv4(p, p->l2_payload, p->l2_payload_len);
        case ETH_P_IPV6:
            return decode_ipv6(p, p->l2_payload, p->l2_payload_len);
        case ETH_P_ARP_:
            return p->l2_payload_len < 28 ? DEC_ARP_TRUNC : DEC_OK;
        default:
            /* GOOSE, Profinet, LLDP ...: the engine dispatches on ethertype */
            return DEC_OK;
    }
}

enum decode_err decode_ether(struct packet *p, const uint8_t *data, size_t len)
{
    if (len < 14)
        return DEC_LINK_TRUNC;
    memcpy(p->dst_mac, data, 6);
    memcpy(p->src_mac, data + 6, 6);
    uint16_t type = rd16(data + 12);
    p->has_ether = true;
    if (type <= 1500) {
        /* 802.3 length field: LLC frames (STP, CDP) carry no ethertype */
        p->ethertype = 0;
        p->l2_payload = data + 14;
        p->l2_payload_len = (uint32_t)(len - 14);
        return DEC_OK;
    }
    return decode_ether_payload(p, type, data + 14, len - 14);
}

/* Only the fields later stages test are reset: this runs once per packet. */
static void packet_reset(struct packet *p, const uint8_t *data, uint32_t caplen)
{
    p->data = data;
    p->caplen = caplen;
    p->has_ether = false;
    p->vlan_count = 0;
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
    p->tunnel.type = TUN_NONE;
    p->tunnel.depth = 0;
    p->red = RED_NONE;
}

enum decode_err decode_packet_vlan(struct packet *p, const uint8_t *data, uint32_t caplen,
                                   uint16_t tpid, uint16_t tci)
{
    packet_reset(p, data, caplen);
    if (caplen < 14)
        return DEC_LINK_TRUNC;
    memcpy(p->dst_mac, data, 6);
    memcpy(p->src_mac, data + 6, 6);
    uint16_t type = rd16(data + 12);
    p->has_ether = true;
    (void)tpid; /* 802.1Q or 802.1ad: the VLAN id is what events keep */
    p->vlan[p->vlan_count++] = tci & 0x0fff;
    if (type <= 1500) {
        p->ethertype = 0;
        p->l2_payload = data + 14;
        p->l2_payload_len = caplen - 14;
        return DEC_OK;
    }
    return decode_ether_payload(p, type, data + 14, caplen - 14);
}

/* BSD loopback: a 4-byte address family in host order of the capturing
 * machine (NULL) or network order (LOOP); IPv6 has three values across BSDs. */
static enum decode_err decode_null(struct packet *p, const uint8_t *data, size_t len, bool loop)
{
    struct cur c = cur_init(data, len);
    uint32_t le = cur_le32(&c);
    if (!cur_ok(&c))
        return DEC_LINK_TRUNC;
    uint32_t be = (le >> 24) | ((le >> 8) & 0xff00) | ((le << 8) & 0xff0000) | (le << 24);
    uint32_t family = loop ? be : (le < 256 ? le : be);
    const uint8_t *rest = data + 4;
    if (family == 2)
        return decode_ipv4(p, rest, len - 4);
    if (family == 24 || family == 28 || family == 30 || family == 10)
        return decode_ipv6(p, rest, len - 4);
    return DEC_UNKNOWN_ETHERTYPE;
}

static enum decode_err decode_raw(struct packet *p, const uint8_t *data, size_t len)
{
    struct cur c = cur_init(data, len);
    uint8_t v = cur_peek_u8(&c) >> 4;
    if (len == 0)
        return DEC_LINK_TRUNC;
    if (v == 4)
        return decode_ipv4(p, data, len);
    if (v == 6)
        return decode_ipv6(p, data, len);
    return DEC_IPV4_BAD_VERSION;
}

/* Linux cooked v1: 16 bytes, protocol at 14; v2: 20 bytes, protocol at 0. */
static enum decode_err decode_sll(struct packet *p, const uint8_t *data, size_t len, bool v2)
{
    struct cur c = cur_init(data, len);
    uint16_t proto;
    if (v2) {
        proto = cur_be16(&c);
        cur_skip(&c, 18);
    } else {
        cur_skip(&c, 2 + 2 + 2); /* packet type, ARPHRD, address length */
        cur_copy(&c, p->src_mac, 6);
        cur_skip(&c, 2);
        proto = cur_be16(&c);
    }
    if (!cur_ok(&c))
        return DEC_LINK_TRUNC;
    return decode_ether_payload(p, proto, data + cur_off(&c), cur_left(&c));
}

enum decode_err decode_packet(struct packet *p, int linktype, const uint8_t *data,
                              uint32_t caplen)
{
    packet_reset(p, data, caplen);
    switch (linktype) {
        case LINK_ETHERNET:
            return decode_ether(p, data, caplen);
        case LINK_NULL:
        case LINK_LOOP:
            return decode_null(p, data, caplen, linktype == LINK_LOOP);
        case LINK_RAW:
        case LINK_DLT_RAW:
        case LINK_DLT_RAW_OPENBSD:
        case LINK_IPV4:
        case LINK_IPV6:
            return decode_raw(p, data, caplen);
        case LINK_LINUX_SLL:
            return decode_sll(p, data, caplen, false);
        case LINK_LINUX_SLL2:
            return decode_sll(p, data, caplen, true);
        default:
            return DEC_LINK_TRUNC;
    }
}
