/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: link-layer decoding: Ethernet with 802.1Q/QinQ tags, Linux cooked
 * (SLL and SLL2), raw IP and BSD loopback, down to the ethertype payload.
 * specification: IEEE 802.3, 802.1Q; tcpdump.org/linktypes/LINKTYPE_LINUX_SLL(2). */
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
};

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
    /* 802.1Q and 802.1ad tags; deeper stacks are counted, not followed */
    while (ethertype == ETH_P_VLAN || ethertype == ETH_P_QINQ) {
        if (p->vlan_count >= PKT_MAX_VLAN)
            return DEC_VLAN_TOO_DEEP;
        uint16_t tci = cur_be16(&c);
        ethertype = cur_be16(&c);
        if (!cur_ok(&c))
            return DEC_LINK_TRUNC;
        p->vlan[p->vlan_count++] = tci & 0x0fff;
    }
    p->ethertype = ethertype;
    p->l2_payload = data + cur_off(&c);
    p->l2_payload_len = (uint32_t)cur_left(&c);
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

static enum decode_err decode_ethernet(struct packet *p, const uint8_t *data, size_t len)
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
    /* only the fields later stages test are reset: this runs once per packet */
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
    switch (linktype) {
        case LINK_ETHERNET:
            return decode_ethernet(p, data, caplen);
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
