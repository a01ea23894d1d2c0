/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the names nDPI saw in a flow, given to the devices they name when
 * the flow ends: the TLS SNI or HTTP Host a server answered to, and the
 * address a DNS answer gave for a name.
 *
 * specification: nDPI 4.2 (struct ndpi_flow_struct: host_server_name,
 * protos.dns.rsp_type / rsp_addr, the first address of a DNS answer, kept
 * in network byte order). */
#include <ndpi/ndpi_api.h>
#include <string.h>

#include "inventory.h"
#include "worker.h"

#define DNS_TYPE_A 1
#define DNS_TYPE_AAAA 28

void inventory_ndpi_names(struct worker *w, struct inventory *inv, struct flow *f)
{
    (void)w;
    if (!f->ndpi)
        return;
    const char *name = f->ndpi->host_server_name;
    size_t n = strnlen(name, sizeof(f->ndpi->host_server_name));
    if (!n)
        return;
    struct baseline *b = inventory_baseline(inv);
    uint16_t app = f->ndpi_app, master = f->ndpi_master;
    bool dns = app == NDPI_PROTOCOL_DNS || master == NDPI_PROTOCOL_DNS;
    if (dns) {
        uint16_t type = f->ndpi->protos.dns.rsp_type;
        struct bl_key k;
        memset(&k, 0, sizeof(k));
        k.kind = BL_DEV_HOST;
        k.vlan = f->key.vlan;
        if (type == DNS_TYPE_A) {
            memcpy(k.ip, &f->ndpi->protos.dns.rsp_addr.ipv4, 4);
            k.ip_version = 4;
        } else if (type == DNS_TYPE_AAAA) {
            memcpy(k.ip, &f->ndpi->protos.dns.rsp_addr.ipv6, 16);
            k.ip_version = 6;
        } else {
            return;
        }
        /* only a device already known gets the name: answers create nothing */
        uint32_t dev = bl_device_find(b, &k);
        if (dev != BL_NONE)
            bl_device_field(b, dev, BL_F_DNS_NAME, name, n, "dns");
        return;
    }
    bool tls = app == NDPI_PROTOCOL_TLS || master == NDPI_PROTOCOL_TLS ||
               app == NDPI_PROTOCOL_QUIC || master == NDPI_PROTOCOL_QUIC;
    bool http = app == NDPI_PROTOCOL_HTTP || master == NDPI_PROTOCOL_HTTP;
    const struct bl_device *d = bl_dev(b, f->inv_dev[1]);
    if ((tls || http) && d && d->key.kind == BL_DEV_HOST)
        bl_device_field(b, f->inv_dev[1], BL_F_TLS_NAME, name, n, tls ? "tls" : "http");
}
