/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the asset inventory and traffic baselines on the packet path:
 * devices from every packet (flows resolve their two devices once, then each
 * packet costs a few counters), passive identity sources (ARP, LLDP, CDP,
 * DHCP, names nDPI saw), identity from the dissectors, `asset` events, and
 * the baseline findings (libotbaseline) turned into alerts with source
 * "baseline".  One inventory per worker; nothing here allocates per packet. */
#ifndef OT_INVENTORY_H
#define OT_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "baseline.h"

struct worker;
struct flow;
struct packet;
struct ot_msg;
struct jsonw;

/* Creates the worker's inventory (an empty baseline, mode auto) when
 * inventory.enabled; loads the OUI list.  0, or -1 with err. */
int inventory_init(struct worker *w, char *err, size_t errlen);
void inventory_fini(struct worker *w);
/* -b FILE / --mode: starts from FILE if it exists (path may be NULL) in the
 * given mode.  A damaged or newer file, or detect mode without a file, is
 * -1 with err naming the file (the caller exits 1; the file is untouched). */
int inventory_open(struct worker *w, const char *path, enum bl_mode mode, char *err,
                   size_t errlen);
/* Writes the baseline to its file (at exit); nothing in detect mode or
 * without -b.  0, or -1 with err. */
int inventory_save(struct worker *w, char *err, size_t errlen);

/* The packet path (worker.c, dissect.c). */
void inventory_ip(struct worker *w, struct flow *f, int dir, const struct packet *p);
/* Cache hints for the baseline entries of a flow's packet (and message, when
 * msg): see bl_prefetch. */
void inventory_prefetch(struct worker *w, const struct flow *f, bool msg);
void inventory_l2(struct worker *w, const struct packet *p);
void inventory_msg(struct worker *w, struct flow *f, int dir, const struct ot_msg *m);
void inventory_flow_end(struct worker *w, struct flow *f);
void inventory_tick(struct worker *w);
void inventory_finish(struct worker *w);
/* The "baseline" member of the stats event (nothing when disabled). */
void inventory_write_stats(struct worker *w, struct jsonw *jw);
/* Devices in the inventory (for /metrics). */
uint64_t inventory_devices(struct worker *w);
/* The role name of the device with this address ("plc"), or NULL (the
 * rules' `role:NAME`; the MAC is not needed: devices are keyed by address). */
const char *inventory_role(struct worker *w, const uint8_t ip[16], int version,
                           const uint8_t *mac);

/* inventory-oui.c: the OUI list, loaded once per process; returns the
 * number of vendors (0: no file, vendors unknown). */
size_t inventory_oui_load(const char *path);
/* The vendor of a MAC's OUI, or NULL. */
const char *inventory_oui_vendor(const uint8_t mac[6]);

/* inventory-l2.c: passive sources, parsed with the bounds-checked cursor. */
struct inventory;
void inventory_arp(struct worker *w, struct inventory *inv, const struct packet *p);
void inventory_lldp(struct worker *w, struct inventory *inv, const struct packet *p,
                    uint32_t dev);
void inventory_cdp(struct worker *w, struct inventory *inv, const struct packet *p, uint32_t dev);
void inventory_dhcp(struct worker *w, struct inventory *inv, const struct packet *p);
/* inventory-ndpi.c: names nDPI found in a flow (TLS SNI, HTTP Host, DNS). */
void inventory_ndpi_names(struct worker *w, struct inventory *inv, struct flow *f);

/* inventory.c, for the passive sources: the device of an address / MAC. */
uint32_t inventory_ip_device(struct inventory *inv, const uint8_t ip[16], int version,
                             uint16_t vlan, bool seen, uint64_t now);
uint32_t inventory_mac_device(struct inventory *inv, const uint8_t mac[6], uint16_t vlan,
                              bool seen, uint64_t now);
struct baseline *inventory_baseline(struct inventory *inv);

/* cmd-baseline.c: `otsensor inventory ...` and `otsensor baseline ...`
 * (argv[0] is "inventory" or "baseline"); returns the exit status. */
int cmd_baseline(int argc, char **argv);

#endif
