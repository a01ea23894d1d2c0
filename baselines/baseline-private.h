/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: what the files of libotbaseline share besides the public header:
 * raw insertion (no learning, no findings) for the loader, string interning,
 * and the address parsers the loader and the review commands use. */
#ifndef OT_BASELINE_PRIVATE_H
#define OT_BASELINE_PRIVATE_H

#include "baseline.h"

/* A copy of s owned by the baseline (deduplicated); NULL when out of memory. */
const char *bl_intern(struct baseline *b, const char *s);
/* Appends a device / conversation / point with nothing learned and nothing
 * said; BL_NONE when the table is full. */
uint32_t bl_device_add_raw(struct baseline *b, const struct bl_key *k);
uint32_t bl_conv_add_raw(struct baseline *b, uint32_t client, uint32_t server, uint8_t l4,
                         uint16_t port);
uint32_t bl_point_add(struct baseline *b, uint32_t dev, uint8_t proto, uint32_t unit,
                      uint32_t space, uint64_t addr);
/* "10.0.0.1" / "fe80::1" into k->ip and k->ip_version; -1 when not an address. */
int bl_parse_ip(const char *s, struct bl_key *k);
int bl_parse_mac(const char *s, uint8_t mac[6]);
/* The name of a transport: "tcp", "udp", "icmp", "icmpv6", "l2" (no IP), or
 * "ip" for any other IP protocol. */
const char *bl_l4_name(uint8_t l4);
/* A device's MAC addresses as a JSON list of text. */
json_t *bl_macs_json(const struct bl_device *d);
/* A device's identity as {field: {value, source}}, empty fields left out. */
json_t *bl_identity_json(const struct bl_device *d);
/* An address as JSON: an integer, or a decimal string above 2^63 - 1. */
json_t *bl_json_addr(uint64_t v);

#endif
