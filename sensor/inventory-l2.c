/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the passive identity sources every plant has, parsed with the
 * bounds-checked cursor: ARP (which MAC an address belongs to), LLDP and
 * CDP (system name, port, management address, capabilities), STP (a
 * bridge), DHCP (host name, vendor class, the address a MAC was given).
 *
 * specification: RFC 826 (ARP); IEEE 802.1AB-2016 section 8 (LLDP TLVs);
 * Cisco Discovery Protocol version 2 (TLV types 1-6, as Wireshark's
 * packet-cdp.c documents them); IEEE 802.1D (STP, LLC 0x42); RFC 2131 and
 * RFC 2132 sections 3.14, 9.6, 9.14 (DHCP options 12, 50, 53, 60).
 *
 *   ARP (Ethernet / IPv4):  htype(2)=1 ptype(2)=0x0800 hlen(1)=6 plen(1)=4
 *                           oper(2) sha(6) spa(4) tha(6) tpa(4)
 *   LLDP TLV:               type(7 bits) length(9 bits) value(length)
 *   CDP after LLC/SNAP:     AA AA 03 00 00 0C 20 00 | version(1) ttl(1) csum(2)
 *                           TLVs: type(2) length(2, header included) value
 *   BOOTP:                  op htype hlen hops xid(4) secs(2) flags(2) ciaddr
 *                           yiaddr siaddr giaddr chaddr(16) sname(64) file(128)
 *                           magic 63 82 53 63, options code(1) len(1) value
 */
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "inventory.h"
#include "worker.h"

#define LLDP_MAX_TLVS 64   /* TLVs read per frame: a frame of empty TLVs is a loop */
#define CDP_MAX_TLVS 64
#define DHCP_MAX_OPTIONS 96 /* options read per message */
#define DHCP_MAGIC 0x63825363U

#define LLDP_CHASSIS_ID 1
#define LLDP_PORT_ID 2
#define LLDP_PORT_DESCR 4
#define LLDP_SYSTEM_NAME 5
#define LLDP_SYSTEM_DESCR 6
#define LLDP_CAPABILITIES 7
#define LLDP_MGMT_ADDR 8

#define CDP_DEVICE_ID 0x0001
#define CDP_ADDRESSES 0x0002
#define CDP_PORT_ID 0x0003
#define CDP_CAPABILITIES 0x0004
#define CDP_SOFTWARE 0x0005
#define CDP_PLATFORM 0x0006

/* LLDP capability bits (802.1AB 8.5.8) */
#define CAP_BRIDGE 0x0004
#define CAP_ROUTER 0x0010

static uint16_t inner_vlan(const struct packet *p)
{
    return p->vlan_count ? p->vlan[p->vlan_count - 1] : 0;
}

static bool internal_unicast_v4(const uint8_t *a)
{
    /* a device address: not 0.0.0.0, not multicast or broadcast */
    return (a[0] | a[1] | a[2] | a[3]) != 0 && a[0] < 224;
}

/* ---------------------------------------------------------------- ARP */

void inventory_arp(struct worker *w, struct inventory *inv, const struct packet *p)
{
    struct cur c = cur_init(p->l2_payload, p->l2_payload_len);
    uint16_t htype = cur_be16(&c), ptype = cur_be16(&c);
    uint8_t hlen = cur_u8(&c), plen = cur_u8(&c);
    cur_skip(&c, 2); /* operation: a request names its sender as much as a reply */
    uint8_t sha[6], spa[16] = {0};
    cur_copy(&c, sha, 6);
    cur_copy(&c, spa, 4);
    if (!cur_ok(&c) || htype != 1 || ptype != 0x0800 || hlen != 6 || plen != 4)
        return;
    struct baseline *b = inventory_baseline(inv);
    uint16_t vlan = inner_vlan(p);
    uint32_t dev;
    if (internal_unicast_v4(spa)) {
        /* unseen until the MAC is recorded: it appears with its vendor */
        dev = inventory_ip_device(inv, spa, 4, vlan, false, w->now);
        const struct bl_device *d = bl_dev(b, dev);
        if (d && d->key.kind == BL_DEV_HOST)
            bl_device_mac(b, dev, sha, true);
    } else {
        /* an ARP probe (sender 0.0.0.0): the MAC is all there is */
        dev = inventory_mac_device(inv, sha, vlan, true, w->now);
    }
    bl_packet(b, dev, BL_NONE, true, p->wirelen, w->now);
}

/* ---------------------------------------------------------------- LLDP */

static void field_text(struct baseline *b, uint32_t dev, enum bl_field f, struct cur *v,
                       const char *src)
{
    size_t n = cur_left(v);
    const uint8_t *s = cur_bytes(v, n);
    if (s && n)
        bl_device_field(b, dev, f, (const char *)s, n, src);
}

static void field_mac(struct baseline *b, uint32_t dev, enum bl_field f, struct cur *v,
                      const char *src)
{
    uint8_t m[6];
    cur_copy(v, m, 6);
    if (!cur_ok(v))
        return;
    char s[24];
    bl_mac_text(m, s, sizeof(s));
    bl_device_field(b, dev, f, s, strlen(s), src);
}

static void field_ip(struct baseline *b, uint32_t dev, enum bl_field f, uint8_t family,
                     struct cur *v, const char *src)
{
    struct bl_key k;
    memset(&k, 0, sizeof(k));
    if (family == 1 && cur_left(v) >= 4) {
        cur_copy(v, k.ip, 4);
        k.ip_version = 4;
    } else if (family == 2 && cur_left(v) >= 16) {
        cur_copy(v, k.ip, 16);
        k.ip_version = 6;
    } else {
        return;
    }
    char s[64];
    bl_ip_text(&k, s, sizeof(s));
    bl_device_field(b, dev, f, s, strlen(s), src);
}

static void caps_field(struct baseline *b, uint32_t dev, uint16_t caps, const char *src)
{
    static const struct {
        uint16_t bit;
        const char *name;
    } names[] = {{0x0001, "other"},  {0x0002, "repeater"}, {0x0004, "bridge"},
                 {0x0008, "wlan-ap"}, {0x0010, "router"},   {0x0020, "telephone"},
                 {0x0040, "docsis"}, {0x0080, "station"},  {0x0100, "c-vlan"},
                 {0x0200, "s-vlan"}, {0x0400, "tpmr"}};
    char s[BL_IDENT_LEN] = "";
    size_t o = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && o < sizeof(s); i++)
        if (caps & names[i].bit)
            o += (size_t)snprintf(s + o, sizeof(s) - o, "%s%s", o ? "," : "", names[i].name);
    if (o)
        bl_device_field(b, dev, BL_F_CAPABILITIES, s, strnlen(s, sizeof(s)), src);
    bl_device_caps(b, dev, caps);
}

void inventory_lldp(struct worker *w, struct inventory *inv, const struct packet *p, uint32_t dev)
{
    (void)w;
    struct baseline *b = inventory_baseline(inv);
    struct cur c = cur_init(p->l2_payload, p->l2_payload_len);
    for (int i = 0; i < LLDP_MAX_TLVS && cur_left(&c) >= 2; i++) {
        uint16_t h = cur_be16(&c);
        unsigned type = h >> 9, len = h & 0x1ff;
        struct cur v = cur_sub(&c, len);
        if (!cur_ok(&c) || type == 0)
            break;
        switch (type) {
            case LLDP_PORT_ID: {
                uint8_t sub = cur_u8(&v);
                if (sub == 3)
                    field_mac(b, dev, BL_F_PORT, &v, "lldp");
                else
                    field_text(b, dev, BL_F_PORT, &v, "lldp");
                break;
            }
            case LLDP_PORT_DESCR:
                if (!bl_dev(b, dev) || !bl_dev(b, dev)->field[BL_F_PORT].v[0])
                    field_text(b, dev, BL_F_PORT, &v, "lldp");
                break;
            case LLDP_SYSTEM_NAME: field_text(b, dev, BL_F_SYSNAME, &v, "lldp"); break;
            case LLDP_SYSTEM_DESCR: field_text(b, dev, BL_F_SYSDESCR, &v, "lldp"); break;
            case LLDP_CAPABILITIES: {
                cur_be16(&v); /* what the system can do; the enabled ones say what it does */
                uint16_t enabled = cur_be16(&v);
                if (cur_ok(&v))
                    caps_field(b, dev, enabled, "lldp");
                break;
            }
            case LLDP_MGMT_ADDR: {
                uint8_t alen = cur_u8(&v);
                uint8_t family = cur_u8(&v);
                struct cur a = cur_sub(&v, alen ? alen - 1u : 0u);
                if (cur_ok(&v))
                    field_ip(b, dev, BL_F_MGMT_ADDR, family, &a, "lldp");
                break;
            }
            default: break;
        }
    }
}

/* ---------------------------------------------------------------- CDP, STP */

void inventory_cdp(struct worker *w, struct inventory *inv, const struct packet *p, uint32_t dev)
{
    (void)w;
    struct baseline *b = inventory_baseline(inv);
    struct cur c = cur_init(p->l2_payload, p->l2_payload_len);
    uint8_t dsap = cur_u8(&c), ssap = cur_u8(&c);
    if (!cur_ok(&c))
        return;
    if (dsap == 0x42 && ssap == 0x42) {
        /* a spanning tree BPDU: its sender is a bridge */
        bl_device_caps(b, dev, CAP_BRIDGE);
        return;
    }
    uint8_t ctrl = cur_u8(&c);
    uint32_t oui = cur_be24(&c);
    uint16_t pid = cur_be16(&c);
    if (!cur_ok(&c) || dsap != 0xaa || ssap != 0xaa || ctrl != 0x03 || oui != 0x00000c ||
        pid != 0x2000)
        return;
    cur_skip(&c, 4); /* version, ttl, checksum */
    for (int i = 0; i < CDP_MAX_TLVS && cur_left(&c) >= 4; i++) {
        uint16_t type = cur_be16(&c), len = cur_be16(&c);
        if (len < 4)
            break;
        struct cur v = cur_sub(&c, len - 4u);
        if (!cur_ok(&c))
            break;
        switch (type) {
            case CDP_DEVICE_ID: field_text(b, dev, BL_F_SYSNAME, &v, "cdp"); break;
            case CDP_PORT_ID: field_text(b, dev, BL_F_PORT, &v, "cdp"); break;
            case CDP_PLATFORM: field_text(b, dev, BL_F_MODEL, &v, "cdp"); break;
            case CDP_SOFTWARE: {
                /* the first line: "Cisco IOS Software, C2960 Software ..." */
                size_t n = cur_left(&v);
                const uint8_t *s = cur_bytes(&v, n);
                size_t k = 0;
                while (s && k < n && s[k] != '\n' && s[k] != '\r')
                    k++;
                if (s && k)
                    bl_device_field(b, dev, BL_F_SYSDESCR, (const char *)s, k, "cdp");
                break;
            }
            case CDP_CAPABILITIES: {
                uint32_t caps = cur_be32(&v);
                if (!cur_ok(&v))
                    break;
                uint16_t lldp = (uint16_t)(((caps & 0x01) ? CAP_ROUTER : 0) |
                                           ((caps & 0x0e) ? CAP_BRIDGE : 0) |
                                           ((caps & 0x10) ? 0x0080 : 0));
                caps_field(b, dev, lldp, "cdp");
                break;
            }
            case CDP_ADDRESSES: {
                uint32_t n = cur_be32(&v);
                for (uint32_t k = 0; k < n && k < 8 && cur_ok(&v); k++) {
                    uint8_t ptype = cur_u8(&v), plen = cur_u8(&v);
                    struct cur pr = cur_sub(&v, plen);
                    uint16_t alen = cur_be16(&v);
                    struct cur a = cur_sub(&v, alen);
                    /* NLPID 0xCC is IPv4 */
                    if (cur_ok(&v) && ptype == 1 && plen == 1 && cur_u8(&pr) == 0xcc &&
                        alen == 4) {
                        field_ip(b, dev, BL_F_MGMT_ADDR, 1, &a, "cdp");
                        break;
                    }
                }
                break;
            }
            default: break;
        }
    }
}

/* ---------------------------------------------------------------- DHCP */

void inventory_dhcp(struct worker *w, struct inventory *inv, const struct packet *p)
{
    struct cur c = cur_init(p->payload, p->payload_len);
    uint8_t op = cur_u8(&c), htype = cur_u8(&c), hlen = cur_u8(&c);
    cur_skip(&c, 1 + 4 + 2 + 2);
    uint8_t ciaddr[16] = {0}, yiaddr[16] = {0}, chaddr[6];
    cur_copy(&c, ciaddr, 4);
    cur_copy(&c, yiaddr, 4);
    cur_skip(&c, 8);
    cur_copy(&c, chaddr, 6);
    cur_skip(&c, 10 + 64 + 128);
    uint32_t magic = cur_be32(&c);
    if (!cur_ok(&c) || magic != DHCP_MAGIC || htype != 1 || hlen != 6 || (op != 1 && op != 2))
        return;
    struct baseline *b = inventory_baseline(inv);
    uint16_t vlan = inner_vlan(p);
    uint8_t type = 0;
    uint8_t requested[16] = {0};
    struct cur host = {0}, vclass = {0};
    bool has_host = false, has_class = false;
    for (int i = 0; i < DHCP_MAX_OPTIONS && cur_left(&c) > 0; i++) {
        uint8_t code = cur_u8(&c);
        if (code == 0)
            continue;
        if (code == 255)
            break;
        uint8_t len = cur_u8(&c);
        struct cur v = cur_sub(&c, len);
        if (!cur_ok(&c))
            return;
        if (code == 53 && len == 1)
            type = cur_u8(&v);
        else if (code == 12)
            host = v, has_host = true;
        else if (code == 60)
            vclass = v, has_class = true;
        else if (code == 50 && len == 4)
            cur_copy(&v, requested, 4);
    }
    if (op == 2) {
        /* an ACK binds the address it gives to the client's MAC */
        if (type == 5 && internal_unicast_v4(yiaddr)) {
            uint32_t dev = inventory_ip_device(inv, yiaddr, 4, vlan, false, w->now);
            const struct bl_device *d = bl_dev(b, dev);
            if (d && d->key.kind == BL_DEV_HOST)
                bl_device_mac(b, dev, chaddr, true);
        }
        return;
    }
    /* the address the client has or asks for is its own: bound to its MAC
     * (the packet itself makes it appear); without one, its MAC is all */
    const uint8_t *addr = internal_unicast_v4(ciaddr)     ? ciaddr
                          : internal_unicast_v4(requested) ? requested
                                                           : NULL;
    uint32_t dev = addr ? inventory_ip_device(inv, addr, 4, vlan, false, w->now)
                        : inventory_mac_device(inv, chaddr, vlan, false, w->now);
    const struct bl_device *d = bl_dev(b, dev);
    if (!d || d->key.kind != BL_DEV_HOST)
        return;
    if (addr)
        bl_device_mac(b, dev, chaddr, true);
    if (has_host)
        field_text(b, dev, BL_F_HOSTNAME, &host, "dhcp");
    if (has_class)
        field_text(b, dev, BL_F_VENDOR_CLASS, &vclass, "dhcp");
}
