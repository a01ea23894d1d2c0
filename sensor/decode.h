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
    DEC_COUNT,
};

extern const char *const decode_err_names[DEC_COUNT];

struct ip_addr {
    uint8_t b[16]; /* IPv4 in the first 4 bytes, the rest zero */
};

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

/* Layer helpers, one file each (decode-eth.c, decode-ip.c, decode-l4.c). */
enum decode_err decode_ether_payload(struct packet *p, uint16_t ethertype, const uint8_t *data,
                                     size_t len);
enum decode_err decode_ipv4(struct packet *p, const uint8_t *data, size_t len);
enum decode_err decode_ipv6(struct packet *p, const uint8_t *data, size_t len);
enum decode_err decode_l4(struct packet *p, const uint8_t *data, size_t len);

#endif
