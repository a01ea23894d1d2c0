/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: link, network and transport decoding of one captured frame into
 * struct packet.  The frame is borrowed (the capture buffer or ring slot);
 * nothing is copied but the addresses. */
#ifndef OT_DECODE_H
#define OT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Link types we decode (the DLT_ values of pcap). */
#define LINK_NULL 0
#define LINK_ETHERNET 1
#define LINK_RAW 101
#define LINK_DLT_RAW 12        /* how libpcap reports LINKTYPE_RAW files on Linux */
#define LINK_DLT_RAW_OPENBSD 14
#define LINK_LOOP 108
#define LINK_LINUX_SLL 113
#define LINK_IPV4 228
#define LINK_IPV6 229
#define LINK_LINUX_SLL2 276

#define ETH_P_IPV4 0x0800
#define ETH_P_ARP_ 0x0806
#define ETH_P_VLAN 0x8100
#define ETH_P_QINQ 0x88a8
#define ETH_P_IPV6 0x86dd
#define ETYPE_TEB 0x6558     /* transparent Ethernet bridging: Ethernet inside GRE */
#define ETYPE_ERSPAN_II 0x88be /* ERSPAN type I (no header) and II */
#define ETYPE_ERSPAN_III 0x22eb
#define ETYPE_HSR 0x892f     /* IEC 62439-3 clause 5 tag */
#define ETYPE_PRP 0x88fb     /* IEC 62439-3 clause 4 trailer suffix (and supervision) */

#define PKT_MAX_VLAN 2

/* Why a frame could not be decoded further; counted per reason. */
enum decode_err {
    DEC_OK = 0,
    DEC_LINK_TRUNC,
    DEC_VLAN_TOO_DEEP,
    DEC_ARP_TRUNC,
    DEC_IPV4_TRUNC,
    DEC_IPV4_BAD_VERSION,
    DEC_IPV4_BAD_HLEN,
    DEC_IPV4_BAD_LEN,
    DEC_IPV4_FRAGMENT, /* counted and not reassembled (README: architecture) */
    DEC_IPV6_TRUNC,
    DEC_IPV6_BAD_LEN,
    DEC_IPV6_EXT_TRUNC,
    DEC_IPV6_FRAGMENT,
    DEC_TCP_TRUNC,
    DEC_TCP_BAD_HLEN,
    DEC_UDP_TRUNC,
    DEC_UDP_BAD_LEN,
    DEC_ICMP_TRUNC,
    DEC_UNKNOWN_ETHERTYPE,
    DEC_UNKNOWN_L4,
    DEC_GRE_TRUNC,
    DEC_ERSPAN_TRUNC,
    DEC_VXLAN_TRUNC,
    DEC_TUNNEL_TOO_DEEP, /* more nested tunnels than DECODE_MAX_TUNNELS */
    DEC_HSR_TRUNC,
    DEC_COUNT,
};

extern const char *const decode_err_names[DEC_COUNT];

struct ip_addr {
    uint8_t b[16]; /* IPv4 in the first 4 bytes, the rest zero */
};

/* Remote SPAN encapsulations taken off before decoding the mirrored frame. */
enum tunnel_type {
    TUN_NONE = 0,
    TUN_GRE,     /* GRE carrying IP or Ethernet (transparent bridging) */
    TUN_ERSPAN1, /* GRE 0x88be without a sequence number: no ERSPAN header */
    TUN_ERSPAN2,
    TUN_ERSPAN3,
    TUN_VXLAN,
    TUN_COUNT,
};

extern const char *const tunnel_names[TUN_COUNT];

#define DECODE_MAX_TUNNELS 2 /* nested encapsulations followed; deeper is hostile or a loop */

/* The outermost tunnel a frame came through: the mirror session's ends. */
struct tunnel {
    uint8_t type;  /* enum tunnel_type */
    uint8_t depth; /* tunnels crossed */
    uint8_t ip_version;
    bool has_id;
    uint32_t id; /* GRE key, ERSPAN session id, VXLAN network identifier */
    struct ip_addr src;
    struct ip_addr dst;
};

/* IEC 62439-3 redundancy: which tag or trailer the frame carried. */
enum redundancy {
    RED_NONE = 0,
    RED_PRP,
    RED_HSR,
};

/* Decoder settings shared by every worker (set once before they start). */
struct decode_opts {
    bool tunnels;        /* decapsulate GRE, ERSPAN and VXLAN */
    bool redundancy;     /* strip PRP trailers and HSR tags */
    uint16_t vxlan_port; /* UDP destination port of VXLAN */
};

extern struct decode_opts decode_opts;

struct packet {
    uint64_t ts_usec;
    const uint8_t *data; /* borrowed */
    uint32_t caplen;
    uint32_t wirelen;

    bool has_ether;
    uint8_t src_mac[6];
    uint8_t dst_mac[6];
    uint8_t vlan_count;
    uint16_t vlan[PKT_MAX_VLAN];
    uint16_t ethertype;       /* after VLAN tags */
    const uint8_t *l2_payload; /* the bytes after the ethertype */
    uint32_t l2_payload_len;

    uint8_t ip_version; /* 0: not IP */
    struct ip_addr src;
    struct ip_addr dst;
    const uint8_t *l3;  /* the IP header, as nDPI wants it */
    uint32_t l3_len;    /* bounded by the IP length field and the capture */
    uint8_t l4proto;
    bool fragment;

    uint16_t sport;
    uint16_t dport;
    uint8_t tcp_flags;
    uint32_t seq;
    uint32_t ack;
    uint8_t icmp_type;
    uint8_t icmp_code;
    const uint8_t *payload; /* L4 payload, borrowed */
    uint32_t payload_len;      /* captured bytes of it */
    uint32_t payload_wire_len; /* its length on the wire (more when the capture cut it) */
    uint32_t l4_wire_len;      /* the transport header and payload on the wire */

    struct tunnel tunnel; /* type TUN_NONE: not tunnelled */
    uint32_t tunnel_overhead; /* bytes of data before the mirrored frame (the tunnels' headers) */
    uint8_t red;          /* enum redundancy */
    uint8_t red_path;     /* PRP LAN id (0xa, 0xb) or HSR path */
    uint16_t red_seq;     /* PRP/HSR sequence number */
};

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* True when the pcap link type is one decode_packet understands. */
bool decode_link_supported(int linktype);

/* Decodes one frame.  Returns DEC_OK, or the reason decoding stopped; what
 * was decoded before that point stays filled in. */
enum decode_err decode_packet(struct packet *p, int linktype, const uint8_t *data,
                              uint32_t caplen);

/* An Ethernet frame whose outer 802.1Q/802.1ad tag the capture took out of
 * the bytes (AF_PACKET gives it in the ring header): decoded as if the tag
 * were still in place, between the source address and the ethertype. */
enum decode_err decode_packet_vlan(struct packet *p, const uint8_t *data, uint32_t caplen,
                                   uint16_t tpid, uint16_t tci);

/* Layer helpers, one file each (decode-eth.c, decode-ip.c, decode-l4.c,
 * decode-tunnel.c). */
enum decode_err decode_ether(struct packet *p, const uint8_t *data, size_t len);
enum decode_err decode_ether_payload(struct packet *p, uint16_t ethertype, const uint8_t *data,
                                     size_t len);
enum decode_err decode_ipv4(struct packet *p, const uint8_t *data, size_t len);
enum decode_err decode_ipv6(struct packet *p, const uint8_t *data, size_t len);
enum decode_err decode_l4(struct packet *p, const uint8_t *data, size_t len);
enum decode_err decode_gre(struct packet *p, const uint8_t *data, size_t len);
enum decode_err decode_vxlan(struct packet *p, const uint8_t *data, size_t len);

#endif
