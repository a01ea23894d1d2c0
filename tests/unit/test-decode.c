/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests of the decoders: every layer, VLAN stacks, link types,
 * and truncation at every byte counted as a reason, never a crash. */
#include <netinet/in.h>

#include "decode.h"
#include "frames.h"
#include "unit.h"

static const struct frame_spec tcp_spec = {0x0a000001, 0x0a000002, 40000, 502, 6, 0x18, 1000,
                                           2000, 0};

static int tcp_frame(void)
{
    uint8_t buf[128];
    size_t n = frame_build(buf, &tcp_spec, "abcd", 4);
    struct packet p;
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)n) == DEC_OK);
    FAIL_IF_NOT(p.ip_version == 4 && p.l4proto == IPPROTO_TCP);
    FAIL_IF_NOT(p.sport == 40000 && p.dport == 502);
    FAIL_IF_NOT(p.seq == 1000 && p.ack == 2000 && p.tcp_flags == 0x18);
    FAIL_IF_NOT(p.payload_len == 4 && memcmp(p.payload, "abcd", 4) == 0);
    FAIL_IF_NOT(p.src.b[0] == 10 && p.src.b[3] == 1 && p.dst.b[3] == 2);
    FAIL_IF_NOT(p.l3_len == 20 + 20 + 4);
    PASS;
}

static int udp_vlan(void)
{
    struct frame_spec s = {0x0a000001, 0x0a000002, 47808, 47808, 17, 0, 0, 0, 100};
    uint8_t buf[128];
    size_t n = frame_build(buf, &s, "xyz", 3);
    struct packet p;
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)n) == DEC_OK);
    FAIL_IF_NOT(p.vlan_count == 1 && p.vlan[0] == 100);
    FAIL_IF_NOT(p.l4proto == IPPROTO_UDP && p.payload_len == 3);
    PASS;
}

static int qinq_and_too_deep(void)
{
    /* three tags: two are kept, the third is counted */
    uint8_t buf[64] = {0};
    put16(buf + 12, 0x88a8);
    put16(buf + 14, 10);
    put16(buf + 16, 0x8100);
    put16(buf + 18, 20);
    put16(buf + 20, 0x8100);
    put16(buf + 22, 30);
    put16(buf + 24, 0x0800);
    struct packet p;
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, sizeof(buf)) == DEC_VLAN_TOO_DEEP);
    FAIL_IF_NOT(p.vlan_count == 2 && p.vlan[0] == 10 && p.vlan[1] == 20);
    PASS;
}

static int truncation_every_byte(void)
{
    uint8_t buf[128];
    size_t n = frame_build(buf, &tcp_spec, "abcd", 4);
    for (size_t cut = 0; cut < 14 + 20 + 20; cut++) {
        struct packet p;
        enum decode_err e = decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)cut);
        FAIL_IF(e == DEC_OK);
        FAIL_IF(e >= DEC_COUNT);
    }
    /* the headers whole, the payload cut: a snaplen-cut packet decodes */
    struct packet p;
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)(n - 2)) == DEC_OK);
    FAIL_IF_NOT(p.payload_len == 2);
    PASS;
}

/* A UDP header cut after its length field (6 of 8 bytes) used to decode,
 * with a payload past the end of the capture (found by fuzz-decode:
 * corpus/decode/crash-f9eb7a0e). */
static int udp_truncation_every_byte(void)
{
    struct frame_spec s = {0x0a000001, 0x0a000002, 47808, 47808, 17, 0, 0, 0, 0};
    uint8_t buf[128];
    size_t n = frame_build(buf, &s, "xyz", 3);
    for (size_t cut = 0; cut < 14 + 20 + 8; cut++) {
        struct packet p;
        enum decode_err e = decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)cut);
        FAIL_IF(e == DEC_OK);
        FAIL_IF(e >= DEC_COUNT);
    }
    for (size_t cut = 14 + 20 + 8; cut <= n; cut++) {
        struct packet p;
        FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)cut) == DEC_OK);
        FAIL_IF_NOT(p.payload == buf + 14 + 20 + 8 && p.payload_len == cut - (14 + 20 + 8));
    }
    PASS;
}

static int lying_lengths(void)
{
    uint8_t buf[128];
    size_t n = frame_build(buf, &tcp_spec, "abcd", 4);
    struct packet p;
    buf[14] = 0x44; /* IHL 4 words: shorter than the fixed header */
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)n) == DEC_IPV4_BAD_HLEN);
    buf[14] = 0x45;
    put16(buf + 16, 10); /* total length below the header */
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)n) == DEC_IPV4_BAD_LEN);
    put16(buf + 16, 60000); /* more than captured: keeps what is there */
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)n) == DEC_OK);
    FAIL_IF_NOT(p.payload_len == 4);
    put16(buf + 16, 44);
    buf[14 + 20 + 12] = 0x20; /* TCP data offset 2 words */
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)n) == DEC_TCP_BAD_HLEN);
    buf[14 + 20 + 12] = 0xf0; /* 60 bytes: past the end */
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)n) == DEC_TCP_TRUNC);
    PASS;
}

static int fragments_counted(void)
{
    uint8_t buf[128];
    size_t n = frame_build(buf, &tcp_spec, "abcd", 4);
    struct packet p;
    put16(buf + 14 + 6, 0x2000); /* more fragments */
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)n) == DEC_IPV4_FRAGMENT);
    FAIL_IF_NOT(p.fragment);
    PASS;
}

static int link_types(void)
{
    uint8_t eth[128];
    size_t n = frame_build(eth, &tcp_spec, "abcd", 4);
    const uint8_t *ip = eth + 14;
    size_t iplen = n - 14;
    struct packet p;
    /* raw IP under every number libpcap uses for it */
    FAIL_IF_NOT(decode_packet(&p, LINK_RAW, ip, (uint32_t)iplen) == DEC_OK && p.dport == 502);
    FAIL_IF_NOT(decode_packet(&p, LINK_DLT_RAW, ip, (uint32_t)iplen) == DEC_OK);
    FAIL_IF_NOT(decode_link_supported(LINK_DLT_RAW) && !decode_link_supported(105));
    /* BSD loopback: AF_INET in host order */
    uint8_t null[128] = {2, 0, 0, 0};
    memcpy(null + 4, ip, iplen);
    FAIL_IF_NOT(decode_packet(&p, LINK_NULL, null, (uint32_t)(iplen + 4)) == DEC_OK);
    FAIL_IF_NOT(p.sport == 40000);
    /* Linux cooked v1 and v2 */
    uint8_t sll[160] = {0};
    put16(sll + 14, 0x0800);
    memcpy(sll + 16, ip, iplen);
    FAIL_IF_NOT(decode_packet(&p, LINK_LINUX_SLL, sll, (uint32_t)(iplen + 16)) == DEC_OK);
    uint8_t sll2[160] = {0};
    put16(sll2, 0x0800);
    memcpy(sll2 + 20, ip, iplen);
    FAIL_IF_NOT(decode_packet(&p, LINK_LINUX_SLL2, sll2, (uint32_t)(iplen + 20)) == DEC_OK);
    FAIL_IF_NOT(p.payload_len == 4);
    PASS;
}

static int ipv6_extension_headers(void)
{
    uint8_t buf[128] = {0};
    buf[0] = 0x60;
    put16(buf + 4, 8 + 8); /* hop-by-hop (8) + UDP (8) */
    buf[6] = 0;            /* next: hop-by-hop */
    buf[8 + 15] = 1;
    buf[40 + 15] = 2;
    buf[40] = 17; /* hop-by-hop's next: UDP */
    buf[41] = 0;  /* length 8 */
    put16(buf + 48, 1000);
    put16(buf + 50, 2000);
    put16(buf + 52, 8);
    struct packet p;
    FAIL_IF_NOT(decode_packet(&p, LINK_RAW, buf, 56) == DEC_OK);
    FAIL_IF_NOT(p.ip_version == 6 && p.l4proto == 17 && p.sport == 1000 && p.dport == 2000);
    buf[41] = 200; /* an extension header longer than the packet */
    FAIL_IF_NOT(decode_packet(&p, LINK_RAW, buf, 56) == DEC_IPV6_EXT_TRUNC);
    PASS;
}

static const struct unit_test tests[] = {
    {"tcp_frame", tcp_frame},
    {"udp_vlan", udp_vlan},
    {"qinq_and_too_deep", qinq_and_too_deep},
    {"truncation_every_byte", truncation_every_byte},
    {"udp_truncation_every_byte", udp_truncation_every_byte},
    {"lying_lengths", lying_lengths},
    {"fragments_counted", fragments_counted},
    {"link_types", link_types},
    {"ipv6_extension_headers", ipv6_extension_headers},
    {NULL, NULL},
};

UNIT_MAIN(tests)
