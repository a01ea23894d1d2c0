/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests of the mirror-port decoding: remote SPAN tunnels (GRE,
 * ERSPAN II/III, VXLAN) down to the inner frame with the outer ends kept,
 * truncation at every byte of a tunnelled frame, the nesting bound, PRP
 * trailers and HSR tags, a VLAN tag given beside the frame, and the
 * duplicate-frame table (window, both time directions, bounded buckets). */
#include <netinet/in.h>

#include "decode.h"
#include "dedup.h"
#include "frames.h"
#include "unit.h"

static const struct frame_spec inner_spec = {0xc0a80a0a, 0xc0a80a14, 50200, 502, 6, 0x18, 7, 9, 0};

/* outer Ethernet + IPv4 (10.99.0.1 -> 10.99.0.2, proto) around body */
static size_t outer(uint8_t *out, uint8_t proto, const uint8_t *body, size_t n)
{
    static const uint8_t macs[12] = {0, 0x25, 0x90, 0xaa, 0xbb, 0xcc, 0, 0x1c, 0x73, 0, 0, 1};
    memcpy(out, macs, 12);
    put16(out + 12, 0x0800);
    uint8_t *ip = out + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + n));
    ip[8] = 64;
    ip[9] = proto;
    put32(ip + 12, 0x0a630001);
    put32(ip + 16, 0x0a630002);
    memcpy(ip + 20, body, n);
    return 34 + n;
}

static size_t gre_erspan2(uint8_t *out, const uint8_t *inner, size_t n)
{
    uint8_t body[256];
    put16(body, 0x1000); /* S */
    put16(body + 2, 0x88be);
    put32(body + 4, 1);              /* sequence */
    put16(body + 8, 0x1000 | 10);    /* version 1, VLAN 10 */
    put16(body + 10, (3 << 11) | 7); /* En, session 7 */
    put32(body + 12, 3);
    memcpy(body + 16, inner, n);
    return outer(out, 47, body, 16 + n);
}

static int inner_checks(const struct packet *p)
{
    return p->ip_version == 4 && p->sport == 50200 && p->dport == 502 && p->payload_len == 4 &&
           memcmp(p->payload, "abcd", 4) == 0 && p->src.b[0] == 192 && p->has_ether;
}

static int erspan2_to_inner(void)
{
    uint8_t in[128], buf[256];
    size_t n = frame_build(in, &inner_spec, "abcd", 4);
    size_t len = gre_erspan2(buf, in, n);
    struct packet p;
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)len) == DEC_OK);
    FAIL_IF_NOT(inner_checks(&p));
    FAIL_IF_NOT(p.tunnel.type == TUN_ERSPAN2 && p.tunnel.id == 7 && p.tunnel.has_id);
    FAIL_IF_NOT(p.tunnel.depth == 1 && p.tunnel.src.b[0] == 10 && p.tunnel.dst.b[3] == 2);
    FAIL_IF_NOT(p.tunnel_overhead == len - n);
    PASS;
}

static int erspan3_with_subheader(void)
{
    uint8_t in[128], body[256], buf[300];
    size_t n = frame_build(in, &inner_spec, "abcd", 4);
    put16(body, 0x0000);
    put16(body + 2, 0x22eb);
    put16(body + 4, 0x2000);         /* version 2 */
    put16(body + 6, 300 & 0x3ff);    /* session 300 */
    put32(body + 8, 12345);          /* timestamp */
    put16(body + 12, 0);             /* SGT */
    put16(body + 14, (1 << 4) | 1);  /* FT 0 (Ethernet), hw id, O */
    memset(body + 16, 0xee, 8);      /* platform specific subheader */
    memcpy(body + 24, in, n);
    size_t len = outer(buf, 47, body, 24 + n);
    struct packet p;
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)len) == DEC_OK);
    FAIL_IF_NOT(inner_checks(&p) && p.tunnel.type == TUN_ERSPAN3 && p.tunnel.id == 300);
    PASS;
}

static int vxlan_and_nesting(void)
{
    uint8_t in[128], body[400], mid[400], buf[512];
    size_t n = frame_build(in, &inner_spec, "abcd", 4);
    /* UDP 4789, VXLAN VNI 5001 */
    memset(body, 0, 16);
    put16(body, 49152);
    put16(body + 2, 4789);
    put16(body + 4, (uint16_t)(16 + n));
    body[8] = 0x08;
    put32(body + 12, 5001u << 8);
    memcpy(body + 16, in, n);
    size_t len = outer(buf, 17, body, 16 + n);
    struct packet p;
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)len) == DEC_OK);
    FAIL_IF_NOT(inner_checks(&p) && p.tunnel.type == TUN_VXLAN && p.tunnel.id == 5001);
    /* the VXLAN frame inside GRE/TEB: two deep, the outermost kept */
    put16(mid, 0x2000); /* K */
    put16(mid + 2, 0x6558);
    put32(mid + 4, 42);
    memcpy(mid + 8, buf, len);
    uint8_t two[600];
    size_t len2 = outer(two, 47, mid, 8 + len);
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, two, (uint32_t)len2) == DEC_OK);
    FAIL_IF_NOT(inner_checks(&p) && p.tunnel.type == TUN_GRE && p.tunnel.id == 42);
    FAIL_IF_NOT(p.tunnel.depth == 2);
    /* and once more: three deep is refused */
    put32(mid + 4, 43);
    memcpy(mid + 8, two, len2);
    uint8_t three[800];
    size_t len3 = outer(three, 47, mid, 8 + len2);
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, three, (uint32_t)len3) == DEC_TUNNEL_TOO_DEEP);
    /* no I flag: left a UDP datagram */
    body[8] = 0;
    len = outer(buf, 17, body, 16 + n);
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)len) == DEC_OK);
    FAIL_IF_NOT(p.tunnel.type == TUN_NONE && p.dport == 4789);
    PASS;
}

static int tunnel_truncation_every_byte(void)
{
    uint8_t in[128], buf[256];
    size_t n = frame_build(in, &inner_spec, "abcd", 4);
    size_t len = gre_erspan2(buf, in, n);
    for (size_t cut = 0; cut < len; cut++) {
        struct packet p;
        enum decode_err e = decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)cut);
        FAIL_IF(e >= DEC_COUNT);
        /* cut inside the inner TCP payload is still a (short) packet */
        if (cut < len - 4)
            FAIL_IF(e == DEC_OK && p.tunnel.type == TUN_ERSPAN2 && p.payload_len > 0);
    }
    PASS;
}

static int gre_not_mirror(void)
{
    uint8_t body[64], buf[128];
    memset(body, 0, sizeof(body));
    put16(body, 0x3001); /* K S, version 1 (PPTP) */
    put16(body + 2, 0x880b);
    size_t len = outer(buf, 47, body, 40);
    struct packet p;
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)len) == DEC_OK);
    FAIL_IF_NOT(p.tunnel.type == TUN_NONE && p.l4proto == 47);
    PASS;
}

static int prp_trailer(void)
{
    uint8_t buf[160];
    size_t n = frame_build(buf, &inner_spec, "abcd", 4);
    size_t lsdu = n - 14 + 6;
    put16(buf + n, 0x0123);
    put16(buf + n + 2, (uint16_t)(0xb000 | lsdu));
    put16(buf + n + 4, 0x88fb);
    struct packet p;
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)(n + 6)) == DEC_OK);
    FAIL_IF_NOT(p.red == RED_PRP && p.red_seq == 0x0123 && p.red_path == 0xb);
    FAIL_IF_NOT(p.l2_payload_len == n - 14 && p.payload_len == 4);
    /* a size that does not match: not a trailer */
    put16(buf + n + 2, (uint16_t)(0xb000 | (lsdu + 1)));
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)(n + 6)) == DEC_OK);
    FAIL_IF_NOT(p.red == RED_NONE && p.l2_payload_len == n + 6 - 14);
    PASS;
}

static int hsr_tag(void)
{
    uint8_t plain[160], buf[200];
    struct frame_spec s = inner_spec;
    s.vlan = 10;
    size_t n = frame_build(plain, &s, "abcd", 4);
    /* dst src 8100 TCI | 892f path/size seq | 0800 ... */
    memcpy(buf, plain, 16);
    put16(buf + 16, 0x892f);
    put16(buf + 18, (uint16_t)(0x1000 | (n - 16 + 4)));
    put16(buf + 20, 0x2a2a);
    memcpy(buf + 22, plain + 16, n - 16);
    struct packet p;
    FAIL_IF_NOT(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)(n + 6)) == DEC_OK);
    FAIL_IF_NOT(p.red == RED_HSR && p.red_seq == 0x2a2a && p.red_path == 1);
    FAIL_IF_NOT(p.vlan_count == 1 && p.vlan[0] == 10 && p.payload_len == 4);
    for (size_t cut = 16; cut < 24; cut++)
        FAIL_IF(decode_packet(&p, LINK_ETHERNET, buf, (uint32_t)cut) == DEC_OK && p.ip_version);
    PASS;
}

static int vlan_beside_the_frame(void)
{
    struct frame_spec s = inner_spec;
    s.vlan = 321;
    uint8_t tagged[160], stripped[160];
    size_t n = frame_build(tagged, &s, "abcd", 4);
    memcpy(stripped, tagged, 12);
    memcpy(stripped + 12, tagged + 16, n - 16);
    struct packet a, b;
    FAIL_IF_NOT(decode_packet(&a, LINK_ETHERNET, tagged, (uint32_t)n) == DEC_OK);
    FAIL_IF_NOT(decode_packet_vlan(&b, stripped, (uint32_t)(n - 4), 0x8100, 321) == DEC_OK);
    FAIL_IF_NOT(b.vlan_count == 1 && b.vlan[0] == a.vlan[0] && a.vlan[0] == 321);
    FAIL_IF_NOT(b.sport == a.sport && b.payload_len == a.payload_len && b.has_ether);
    FAIL_IF_NOT(memcmp(b.src_mac, a.src_mac, 6) == 0);
    for (uint32_t cut = 0; cut < n - 4; cut++)
        FAIL_IF(decode_packet_vlan(&b, stripped, cut, 0x8100, 321) >= DEC_COUNT);
    PASS;
}

static int dedup_window(void)
{
    struct dedup d;
    FAIL_IF(dedup_init(&d, 64, 1000) != 0);
    FAIL_IF(dedup_check(&d, 11, 5000));      /* first: remembered */
    FAIL_IF_NOT(dedup_check(&d, 11, 5020));  /* 20 us later: a copy */
    FAIL_IF_NOT(dedup_check(&d, 11, 4990));  /* a reordered copy, earlier */
    FAIL_IF(dedup_check(&d, 11, 7000));      /* 2 ms later: a new frame */
    FAIL_IF_NOT(dedup_check(&d, 11, 7500));
    FAIL_IF(dedup_check(&d, 12, 7500));      /* another key */
    dedup_fini(&d);
    FAIL_IF(dedup_init(&d, 64, 0) != 0);     /* window 0: off */
    FAIL_IF(dedup_check(&d, 11, 1) || dedup_check(&d, 11, 1));
    dedup_fini(&d);
    PASS;
}

static int dedup_bounded(void)
{
    struct dedup d;
    FAIL_IF(dedup_init(&d, 4, 1000000) != 0); /* one bucket of four */
    for (uint64_t k = 1; k <= 4; k++)
        FAIL_IF(dedup_check(&d, k * 2, 100 + k));
    FAIL_IF_NOT(dedup_check(&d, 2, 200));      /* still there */
    FAIL_IF(dedup_check(&d, 10, 300));         /* a fifth: the oldest (2) goes */
    FAIL_IF(dedup_check(&d, 2, 301));          /* forgotten: a miss, never a false hit */
    dedup_fini(&d);
    PASS;
}

static int dedup_routed_copy_same_key(void)
{
    uint8_t a[160], b[160];
    size_t n = frame_build(a, &inner_spec, "abcd", 4);
    memcpy(b, a, n);
    b[0] ^= 0xff;       /* other MAC addresses */
    b[14 + 8] -= 1;     /* TTL */
    b[14 + 10] = 0x12;  /* header checksum */
    struct packet pa, pb;
    FAIL_IF_NOT(decode_packet(&pa, LINK_ETHERNET, a, (uint32_t)n) == DEC_OK);
    FAIL_IF_NOT(decode_packet(&pb, LINK_ETHERNET, b, (uint32_t)n) == DEC_OK);
    FAIL_IF_NOT(dedup_frame_key(&pa) == dedup_frame_key(&pb));
    b[n - 1] ^= 1; /* the payload differs: another frame */
    FAIL_IF_NOT(decode_packet(&pb, LINK_ETHERNET, b, (uint32_t)n) == DEC_OK);
    FAIL_IF(dedup_frame_key(&pa) == dedup_frame_key(&pb));
    PASS;
}

static const struct unit_test tests[] = {
    {"erspan2_to_inner", erspan2_to_inner},
    {"erspan3_with_subheader", erspan3_with_subheader},
    {"vxlan_and_nesting", vxlan_and_nesting},
    {"tunnel_truncation_every_byte", tunnel_truncation_every_byte},
    {"gre_not_mirror", gre_not_mirror},
    {"prp_trailer", prp_trailer},
    {"hsr_tag", hsr_tag},
    {"vlan_beside_the_frame", vlan_beside_the_frame},
    {"dedup_window", dedup_window},
    {"dedup_bounded", dedup_bounded},
    {"dedup_routed_copy_same_key", dedup_routed_copy_same_key},
    {NULL, NULL},
};

UNIT_MAIN(tests)
