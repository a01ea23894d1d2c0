/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the inventory and baselines on the packet path.  A flow resolves
 * its client and server devices and its conversation once, when it is
 * created (hash lookups in tables reserved at start); every later packet
 * adds to counters through the ids kept in the flow.  Industrial messages,
 * passive sources and the end of flows feed identity and the baseline
 * (libotbaseline); its findings become alerts (source "baseline", signature
 * ids 1000-1099) and its device changes `asset` events.
 *
 * specification: DESIGN.md sections 6 and 7; README.md "Inventory and
 * baselines" (keys, the file, the detections and their ids). */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert.h"
#include "detect-rules.h"
#include "event.h"
#include "inventory.h"
#include "log.h"
#include "output.h"
#include "worker.h"

/* ---------------------------------------------------------- the catalogue */

#define T_DISCOVERY "Discovery"
#define T_LATERAL "Lateral Movement"
#define T_C2 "Command and Control"
#define T_IMPAIR "Impair Process Control"
#define T_INHIBIT "Inhibit Response Function"
#define T_IMPACT "Impact"
#define T_INITIAL "Initial Access"

/* Signature ids 1000-1099 are the baseline's (README: detections). */
static const struct alert_def defs[BL_A_COUNT] = {
    [BL_A_NEW_DEVICE] = {"new_device", 1000, 1, "New device on a learned network",
                         "baseline-device", 2, "baseline", {NULL}, {NULL}},
    [BL_A_NEW_DEVICE_SCAN] = {"new_device", 1001, 1,
                              "New device contacting many devices (scanning)", "baseline-device",
                              2, "baseline", {"T0846", NULL}, {T_DISCOVERY, NULL}},
    [BL_A_NEW_CONVERSATION] = {"new_conversation", 1010, 1,
                               "New conversation: a device talks to a peer it never talked to",
                               "baseline-conversation", 3, "baseline", {"T0886", "T0846", NULL},
                               {T_LATERAL, T_DISCOVERY, NULL}},
    [BL_A_NEW_UNIT] = {"new_conversation", 1011, 1,
                       "New unit or station id addressed on a known conversation",
                       "baseline-conversation", 3, "baseline", {"T0846", NULL},
                       {T_DISCOVERY, NULL}},
    [BL_A_NEW_PROTOCOL] = {"new_protocol", 1020, 1,
                           "New protocol or port on a device or between known peers",
                           "baseline-protocol", 2, "baseline", {"T0869", NULL}, {T_C2, NULL}},
    [BL_A_NEW_FUNCTION] = {"new_function_code", 1030, 1,
                           "New function code on a conversation (not a command)",
                           "baseline-function", 3, "baseline", {"T0855", "T0836", NULL},
                           {T_IMPAIR, NULL}},
    [BL_A_NEW_FUNCTION_WRITE] = {"new_function_code", 1031, 1,
                                 "New command function code on a conversation that commands",
                                 "baseline-function", 2, "baseline", {"T0855", "T0836", NULL},
                                 {T_IMPAIR, NULL}},
    [BL_A_NEW_FUNCTION_CMD] = {"new_function_code", 1032, 1,
                               "First command (write/control/program) where only reads were seen",
                               "baseline-function", 1, "baseline", {"T0855", "T0836", NULL},
                               {T_IMPAIR, NULL}},
    [BL_A_ADDRESS_READ] = {"address_out_of_range", 1040, 1,
                           "Read outside the learned address ranges", "baseline-address", 3,
                           "baseline", {"T0836", "T0835", NULL}, {T_IMPAIR, T_INHIBIT, NULL}},
    [BL_A_ADDRESS_WRITE] = {"address_out_of_range", 1041, 1,
                            "Write outside the learned address ranges", "baseline-address", 2,
                            "baseline", {"T0836", "T0835", NULL}, {T_IMPAIR, T_INHIBIT, NULL}},
    [BL_A_VALUE] = {"value_out_of_range", 1050, 1, "Value written outside the learned values",
                    "baseline-value", 2, "baseline", {"T0836", "T0831", NULL},
                    {T_IMPAIR, T_IMPACT, NULL}},
    [BL_A_VALUE_FAR] = {"value_out_of_range", 1051, 1,
                        "Value written far outside the learned values", "baseline-value", 1,
                        "baseline", {"T0836", "T0831", NULL}, {T_IMPAIR, T_IMPACT, NULL}},
    [BL_A_RATE] = {"rate_anomaly", 1060, 1, "Request or traffic rate anomaly on a conversation",
                   "baseline-rate", 2, "baseline", {"T0814", "T0806", NULL},
                   {T_INHIBIT, T_IMPAIR, NULL}},
    [BL_A_RATE_DEVICE] = {"rate_anomaly", 1061, 1, "Traffic rate anomaly of a device",
                          "baseline-rate", 3, "baseline", {"T0814", "T0806", NULL},
                          {T_INHIBIT, T_IMPAIR, NULL}},
    [BL_A_PERIOD] = {"period_change", 1070, 1, "Polling period change", "baseline-period", 3,
                     "baseline", {"T0815", NULL}, {T_IMPACT, NULL}},
    [BL_A_SILENT] = {"device_silent", 1080, 1, "Device silent past its learned polling period",
                     "baseline-silent", 2, "baseline", {"T0815", "T0827", NULL},
                     {T_IMPACT, NULL}},
    [BL_A_ROGUE_MASTER] = {"rogue_master", 1085, 1,
                           "Rogue master: a host never seen issuing commands issues them",
                           "baseline-master", 1, "baseline", {"T0848", NULL},
                           {T_INITIAL, NULL}},
    [BL_A_UNUSUAL_TIME] = {"unusual_time", 1090, 1,
                           "Industrial activity at an hour the device never worked",
                           "baseline-time", 2, "baseline", {"T0886", NULL}, {T_LATERAL, NULL}},
    [BL_A_OVERFLOW] = {"baseline_overflow", 1099, 1,
                       "Baseline table full: what does not fit is not learned",
                       "baseline-overflow", 3, "baseline", {NULL}, {NULL}},
};

/* --------------------------------------------------------------- state */

#define INV_PENDING 32 /* devices changed by one packet before events are forced out */

struct inventory {
    struct worker *w;
    struct baseline *b;
    struct bl_config cfg;
    char path[PATH_MAX];
    bool have_path;
    bool started;
    uint64_t next_snapshot;
    bool snapshot_warned;
    /* what the finding hook attaches to an alert */
    struct flow *cur_flow;
    int cur_dir;
    const struct ot_msg *cur_msg;
    bool cur_l2;
    uint32_t l2_conv; /* the layer-2 frame being processed */
    uint32_t l2_dev;
    uint64_t findings[BL_A_COUNT];
    uint64_t asset_events;
    /* device changes of the packet being processed, written once at its end
     * (one LLDP frame sets five fields: one event) */
    struct {
        uint32_t dev;
        uint8_t why; /* bit per enum bl_dev_event */
    } pending[INV_PENDING];
    unsigned n_pending;
};

struct baseline *inventory_baseline(struct inventory *inv)
{
    return inv->b;
}

/* Internal by default (DESIGN section 8): RFC 1918, loopback, link-local,
 * CGNAT, "this network", IPv6 ULA, link-local and loopback; multicast and
 * broadcast are groups, judged apart. */
static bool internal_v4(const uint8_t *a)
{
    return a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
           a[0] == 127 || (a[0] == 169 && a[1] == 254) || (a[0] == 100 && (a[1] & 0xc0) == 64) ||
           a[0] == 0;
}

static bool internal_v6(const uint8_t *a)
{
    static const uint8_t lo[16] = {[15] = 1};
    return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
           memcmp(a, lo, 16) == 0;
}

/* networks.internal from the configuration (the rules' zone table) when
 * there is one, else the defaults above */
static bool internal_ip(struct worker *w, const uint8_t *a, int version)
{
    const struct zone_table *z = detect_zones(w);
    if (z)
        return zone_is_internal(z, a, version);
    return version == 4 ? internal_v4(a) : internal_v6(a);
}

static bool group_ip(const uint8_t *a, int version)
{
    return version == 4 ? a[0] >= 224 : a[0] == 0xff;
}

static bool unspecified(const uint8_t *a, int version)
{
    static const uint8_t z[16];
    return memcmp(a, z, version == 4 ? 4 : 16) == 0;
}

static bool mac_unicast(const uint8_t *m)
{
    static const uint8_t z[6];
    return !(m[0] & 1) && memcmp(m, z, 6) != 0;
}

static uint16_t inner_vlan(const struct packet *p)
{
    return p->vlan_count ? p->vlan[p->vlan_count - 1] : 0;
}

/* ------------------------------------------------------------- devices */

uint32_t inventory_mac_device(struct inventory *inv, const uint8_t mac[6], uint16_t vlan,
                              bool seen, uint64_t now)
{
    if (!mac_unicast(mac))
        return BL_NONE;
    struct bl_key k;
    memset(&k, 0, sizeof(k));
    memcpy(k.mac, mac, 6);
    k.vlan = vlan;
    k.kind = BL_DEV_HOST;
    return bl_device_get(inv->b, &k, now, seen);
}

uint32_t inventory_ip_device(struct inventory *inv, const uint8_t ip[16], int version,
                             uint16_t vlan, bool seen, uint64_t now)
{
    struct bl_key k;
    memset(&k, 0, sizeof(k));
    if (group_ip(ip, version)) {
        memcpy(k.ip, ip, 16);
        k.ip_version = (uint8_t)version;
        k.vlan = vlan;
        k.kind = BL_DEV_GROUP;
    } else if (!internal_ip(inv->w, ip, version)) {
        k.kind = BL_DEV_EXTERNAL;
    } else {
        memcpy(k.ip, ip, 16);
        k.ip_version = (uint8_t)version;
        k.vlan = vlan;
        k.kind = BL_DEV_HOST;
    }
    return bl_device_get(inv->b, &k, now, seen);
}

/* The device of one end of a flow: its address, or its MAC when it has no
 * address yet (DHCP), or a group: a multicast address, or an address the
 * first packet was broadcast to (a subnet broadcast: 10.0.0.255). */
static uint32_t end_device(struct inventory *inv, const struct ip_addr *ip, int version,
                           uint16_t vlan, const uint8_t *mac, bool dest, bool seen, uint64_t now)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (unspecified(ip->b, version))
        return mac ? inventory_mac_device(inv, mac, vlan, seen, now) : BL_NONE;
    if (dest && mac && memcmp(mac, bcast, 6) == 0 && !group_ip(ip->b, version)) {
        struct bl_key k;
        memset(&k, 0, sizeof(k));
        memcpy(k.ip, ip->b, 16);
        k.ip_version = (uint8_t)version;
        k.vlan = vlan;
        k.kind = BL_DEV_GROUP;
        return bl_device_get(inv->b, &k, now, seen);
    }
    uint32_t id = inventory_ip_device(inv, ip->b, version, vlan, seen, now);
    const struct bl_device *d = bl_dev(inv->b, id);
    if (d && d->key.kind == BL_DEV_HOST && mac && mac_unicast(mac))
        bl_device_mac(inv->b, id, mac, false);
    return id;
}

#define EPHEMERAL 32768 /* the lowest ephemeral port of common stacks (Linux) */

/* A port some dissector is configured on (EtherNet/IP's 44818 is high). */
static bool ot_port(const struct worker *w, uint16_t port)
{
    for (int p = 1; p < OT_PROTO_COUNT; p++)
        for (int k = 0; k < CONF_MAX_PORTS && w->conf->dissector[p].ports[k]; k++)
            if (w->conf->dissector[p].ports[k] == port)
                return true;
    return false;
}

static void flow_setup(struct inventory *inv, struct flow *f, int dir, uint64_t now)
{
    int version = f->key.ip_version == 6 ? 6 : 4;
    const struct ip_addr *cip = f->client_is_a ? &f->key.a : &f->key.b;
    const struct ip_addr *sip = f->client_is_a ? &f->key.b : &f->key.a;
    uint16_t sport = f->client_is_a ? f->key.port_b : f->key.port_a;
    uint16_t cport = f->client_is_a ? f->key.port_a : f->key.port_b;
    const uint8_t *cmac = f->has_ether ? f->client_mac : NULL;
    const uint8_t *smac = f->has_ether ? f->server_mac : NULL;
    f->inv_conv = BL_NONE;
    f->inv_set = true;
    inv->cur_flow = f;
    inv->cur_dir = dir;
    /* found unseen: the packet that follows makes its sender appear, its MAC
     * (and vendor) already known for the asset event and new_device */
    /* the MAC a first packet was sent to can be a broadcast: that end only */
    f->inv_dev[0] = end_device(inv, cip, version, f->key.vlan, cmac, dir == 1, false, now);
    f->inv_dev[1] = end_device(inv, sip, version, f->key.vlan, smac, dir == 0, false, now);
    /* both ports in the ephemeral ranges (Linux starts at 32768) and neither
     * an industrial protocol's: no server port worth learning, one key for
     * all such flows between the two, or every flow would be new */
    uint16_t port = sport;
    if (f->key.proto != IPPROTO_TCP && f->key.proto != IPPROTO_UDP)
        port = 0;
    else if (sport >= EPHEMERAL && cport >= EPHEMERAL && !ot_port(inv->w, sport) &&
             !ot_port(inv->w, cport))
        port = 0;
    /* between two outside addresses: nothing of this network (or
     * networks.internal misses a range); no conversation is learned */
    const struct bl_device *cd = bl_dev(inv->b, f->inv_dev[0]), *sd = bl_dev(inv->b, f->inv_dev[1]);
    if (cd && sd && !(cd->key.kind == BL_DEV_EXTERNAL && sd->key.kind == BL_DEV_EXTERNAL))
        f->inv_conv = bl_conv_get(inv->b, f->inv_dev[0], f->inv_dev[1], f->key.proto, port, now);
    inv->cur_flow = NULL;
}

/* ------------------------------------------------------------- alerts */

static void fill_addr(struct packet *p, const struct bl_device *d, bool src)
{
    if (!d)
        return;
    if (d->key.ip_version) {
        p->ip_version = d->key.ip_version;
        memcpy(src ? p->src.b : p->dst.b, d->key.ip, 16);
    } else {
        memcpy(src ? p->src_mac : p->dst_mac, d->key.ip_version ? d->macs[0] : d->key.mac, 6);
    }
}

static void on_finding(void *arg, struct bl_finding *fd)
{
    struct inventory *inv = arg;
    struct worker *w = inv->w;
    if ((unsigned)fd->kind >= BL_A_COUNT) {
        json_decref(fd->evidence);
        return;
    }
    inv->findings[fd->kind]++;
    struct alert_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    struct packet synth;
    struct flow *f = inv->cur_flow;
    if (f && (fd->conv == BL_NONE ? (fd->dev == f->inv_dev[0] || fd->dev == f->inv_dev[1])
                                  : fd->conv == f->inv_conv)) {
        ctx.flow = f;
        ctx.dir = inv->cur_dir;
        ctx.msg = fd->conv != BL_NONE ? inv->cur_msg : NULL;
    } else if (inv->cur_l2 && w->pkt && fd->conv == inv->l2_conv && fd->conv != BL_NONE) {
        ctx.pkt = w->pkt;
        ctx.msg = inv->cur_msg;
    } else {
        /* about a device, not a packet: its address (and its peer's) keys
         * the alert and its aggregation */
        memset(&synth, 0, sizeof(synth));
        const struct bl_device *d = bl_dev(inv->b, fd->dev);
        const struct bl_device *p = bl_dev(inv->b, fd->peer);
        fill_addr(&synth, d, true);
        if (p && p->key.ip_version == synth.ip_version)
            fill_addr(&synth, p, false);
        ctx.pkt = &synth;
    }
    ctx.evidence = fd->evidence;
    alert_raise(w, &defs[fd->kind], &ctx);
    fd->evidence = NULL;
}

/* --------------------------------------------------------- asset events */

static void put_time(struct jsonw *jw, const char *key, uint64_t t)
{
    jw_key(jw, key);
    event_time_value(jw, t);
}

static const char *const ev_reasons[] = {"new", "identity", "role", "learning"};

static void write_asset(struct inventory *inv, uint32_t id, unsigned why)
{
    struct worker *w = inv->w;
    const struct bl_device *d = bl_dev(inv->b, id);
    if (!d || !output_wants(w->out, EV_ASSET))
        return;
    inv->asset_events++;
    const struct packet *saved = w->pkt;
    w->pkt = NULL; /* the event is about the device, not the packet that changed it */
    event_begin(w, w->now, EV_ASSET, NULL, -1);
    w->pkt = saved;
    struct jsonw *jw = &w->jw;
    char s[64];
    if (d->key.ip_version) {
        bl_ip_text(&d->key, s, sizeof(s));
        jw_kname(jw, "src_ip", s);
    }
    if (d->key.vlan) {
        jw_key(jw, "vlan");
        jw_arr_begin(jw);
        jw_u64(jw, d->key.vlan);
        jw_arr_end(jw);
    }
    if (d->n_macs) {
        event_format_mac(s, d->macs[0]);
        jw_key(jw, "ether");
        jw_obj_begin(jw);
        jw_kname(jw, "src_mac", s);
        jw_obj_end(jw);
    }
    jw_key(jw, "asset");
    jw_obj_begin(jw);
    /* the first reason says it all for a new device; otherwise every change */
    unsigned first = (unsigned)__builtin_ctz(why);
    jw_kname(jw, "reason", ev_reasons[first]);
    if (first != BL_EV_NEW && (why & (why - 1))) {
        jw_key(jw, "changes");
        jw_arr_begin(jw);
        for (unsigned r = 0; r < 4; r++)
            if (why & (1U << r))
                jw_str(jw, ev_reasons[r]);
        jw_arr_end(jw);
    }
    jw_ku64(jw, "id", id); /* stable: the device's index in the baseline file */
    if (d->key.ip_version) {
        bl_ip_text(&d->key, s, sizeof(s));
        jw_kname(jw, "ip", s);
    }
    jw_key(jw, "macs");
    jw_arr_begin(jw);
    for (int i = 0; i < d->n_macs; i++) {
        event_format_mac(s, d->macs[i]);
        jw_str(jw, s);
    }
    jw_arr_end(jw);
    jw_ku64(jw, "vlan", d->key.vlan);
    if (d->vendor[0])
        jw_kstr(jw, "vendor", d->vendor);
    jw_kname(jw, "role", bl_role_name((enum bl_role)d->role));
    if (d->role_evidence[0])
        jw_kstr(jw, "role_evidence", d->role_evidence);
    jw_key(jw, "identity");
    jw_obj_begin(jw);
    for (int f = 0; f < BL_F_COUNT; f++) {
        if (!d->field[f].v[0])
            continue;
        jw_key(jw, bl_field_name((enum bl_field)f));
        jw_obj_begin(jw);
        jw_kstr(jw, "value", d->field[f].v);
        jw_kstr(jw, "source", d->field[f].src);
        jw_obj_end(jw);
    }
    jw_obj_end(jw);
    jw_key(jw, "protocols");
    jw_arr_begin(jw);
    for (int i = 0; i < d->n_protos; i++) {
        const struct bl_proto_use *u = &d->protos[i];
        jw_obj_begin(jw);
        if (u->proto)
            jw_kname(jw, "protocol", ot_proto_name((enum ot_proto)u->proto));
        jw_kname(jw, "l4", u->l4 == 6 ? "tcp" : u->l4 == 17 ? "udp" : u->l4 == 0 ? "l2" : "ip");
        jw_ku64(jw, "port", u->port);
        jw_kname(jw, "side", u->as_server ? "server" : "client");
        jw_obj_end(jw);
    }
    jw_arr_end(jw);
    if (d->zone[0])
        jw_kstr(jw, "zone", d->zone);
    if (d->level >= 0)
        jw_ku64(jw, "level", (uint64_t)d->level);
    put_time(jw, "first_seen", d->first_seen);
    put_time(jw, "last_seen", d->last_seen);
    jw_key(jw, "learning");
    jw_obj_begin(jw);
    jw_kname(jw, "state", bl_state_name((enum bl_state)d->state));
    jw_kname(jw, "why", bl_why_name((enum bl_why)d->why));
    put_time(jw, "since", d->since);
    jw_obj_end(jw);
    jw_obj_end(jw);
    event_end(w, EV_ASSET);
}

static void flush_assets(struct inventory *inv)
{
    for (unsigned i = 0; i < inv->n_pending; i++)
        write_asset(inv, inv->pending[i].dev, inv->pending[i].why);
    inv->n_pending = 0;
}

static void on_device(void *arg, uint32_t id, enum bl_dev_event why)
{
    struct inventory *inv = arg;
    for (unsigned i = 0; i < inv->n_pending; i++) {
        if (inv->pending[i].dev == id) {
            inv->pending[i].why |= (uint8_t)(1U << why);
            return;
        }
    }
    if (inv->n_pending == INV_PENDING)
        flush_assets(inv);
    inv->pending[inv->n_pending].dev = id;
    inv->pending[inv->n_pending].why = (uint8_t)(1U << why);
    inv->n_pending++;
}

/* zones: the configured zone an address is in (nothing for the unzoned) */
static void zone_hook(void *arg, const struct bl_key *k, char zone[BL_ZONE_LEN], int *level)
{
    struct inventory *inv = arg;
    const struct zone_table *z = detect_zones(inv->w);
    if (!z || !k->ip_version)
        return;
    int i = zone_of(z, k->ip, k->ip_version);
    if (i < 0)
        return;
    snprintf(zone, BL_ZONE_LEN, "%s", zone_name(z, i));
    *level = zone_level(z, i);
}

static const char *vendor_hook(void *arg, const uint8_t mac[6])
{
    (void)arg;
    return inventory_oui_vendor(mac);
}

/* ------------------------------------------------------------ lifecycle */

static void attach(struct inventory *inv, struct baseline *b)
{
    bl_free(inv->b);
    inv->b = b;
    struct bl_hooks h = {inv, on_finding, on_device, vendor_hook, zone_hook};
    bl_set_hooks(b, &h);
    snprintf(b->sensor, sizeof(b->sensor), "%.63s", inv->w->conf->sensor_name);
}

int inventory_init(struct worker *w, char *err, size_t errlen)
{
    w->inv = NULL;
    if (!w->conf->inventory_enabled)
        return 0;
    struct inventory *inv = calloc(1, sizeof(*inv));
    if (!inv) {
        snprintf(err, errlen, "cannot allocate the inventory");
        return -1;
    }
    inv->w = w;
    inv->cfg = w->conf->baseline;
    inv->l2_conv = inv->l2_dev = BL_NONE;
    char e[BL_ERRBUF];
    struct baseline *b = bl_new(&inv->cfg, e, sizeof(e));
    if (!b) {
        snprintf(err, errlen, "inventory: %s", e);
        free(inv);
        return -1;
    }
    attach(inv, b);
    detect_rules_set_role_fn(inventory_role); /* `role:plc` in rules */
    if (inventory_oui_load(w->conf->oui_file) == 0 && w->conf->oui_file[0])
        ot_info("%s: no MAC vendors (install Debian's ieee-data): vendors are unknown",
                w->conf->oui_file);
    w->inv = inv;
    return 0;
}

void inventory_fini(struct worker *w)
{
    if (!w->inv)
        return;
    bl_free(w->inv->b);
    free(w->inv);
    w->inv = NULL;
}

int inventory_open(struct worker *w, const char *path, enum bl_mode mode, char *err,
                   size_t errlen)
{
    struct inventory *inv = w->inv;
    if (!inv) {
        if (path || mode != BL_MODE_AUTO) {
            snprintf(err, errlen, "-b / --mode need the inventory (inventory.enabled is false)");
            return -1;
        }
        return 0;
    }
    if (mode == BL_MODE_DETECT && !path) {
        snprintf(err, errlen, "--mode detect needs a baseline to detect against: -b FILE");
        return -1;
    }
    inv->cfg.mode = mode;
    struct baseline *b = NULL;
    if (path) {
        if (snprintf(inv->path, sizeof(inv->path), "%s", path) >= (int)sizeof(inv->path)) {
            snprintf(err, errlen, "%s: path too long", path);
            return -1;
        }
        inv->have_path = true;
        bool missing;
        b = bl_load(path, &inv->cfg, &missing, err, errlen);
        if (!b && !missing)
            return -1;
        if (!b && mode == BL_MODE_DETECT) {
            snprintf(err, errlen, "%s: no such baseline; learn one first (--mode learn -b %s)",
                     path, path);
            return -1;
        }
        if (mode != BL_MODE_DETECT) {
            /* refuse now, not after hours of learning, a file we could not replace */
            char dir[PATH_MAX];
            snprintf(dir, sizeof(dir), "%s", path);
            char *slash = strrchr(dir, '/');
            if (slash)
                slash[slash == dir ? 1 : 0] = '\0';
            else
                snprintf(dir, sizeof(dir), ".");
            if (access(dir, W_OK) != 0) {
                snprintf(err, errlen, "%s: cannot write the baseline beside it (%s): %s", path,
                         dir, strerror(errno));
                bl_free(b);
                return -1;
            }
        }
    }
    if (!b) {
        char e[BL_ERRBUF];
        b = bl_new(&inv->cfg, e, sizeof(e));
        if (!b) {
            snprintf(err, errlen, "inventory: %s", e);
            return -1;
        }
    }
    attach(inv, b);
    return 0;
}

int inventory_save(struct worker *w, char *err, size_t errlen)
{
    struct inventory *inv = w->inv;
    if (!inv || !inv->have_path || inv->cfg.mode == BL_MODE_DETECT)
        return 0;
    return bl_save(inv->b, inv->path, err, errlen);
}

static void start(struct inventory *inv, uint64_t now)
{
    inv->started = true;
    bl_run_start(inv->b, now);
    uint32_t every = inv->w->conf->baseline_snapshot;
    inv->next_snapshot = every ? now + (uint64_t)every * 1000000 : 0;
}

/* ------------------------------------------------------------ packet path */

void inventory_ip(struct worker *w, struct flow *f, int dir, const struct packet *p)
{
    struct inventory *inv = w->inv;
    if (!inv)
        return;
    if (!inv->started)
        start(inv, w->now);
    /* DHCP first: the address a client asks for is bound to its MAC before
     * the flow from 0.0.0.0 looks for a device */
    if (p->l4proto == IPPROTO_UDP && (p->sport == 67 || p->sport == 68) &&
        (p->dport == 67 || p->dport == 68))
        inventory_dhcp(w, inv, p);
    if (!f->inv_set)
        flow_setup(inv, f, dir, w->now);
    inv->cur_flow = f;
    inv->cur_dir = dir;
    bl_packet(inv->b, f->inv_dev[dir], f->inv_conv, dir == 0, p->wirelen, w->now);
    inv->cur_flow = NULL;
    if (inv->n_pending)
        flush_assets(inv);
}

void inventory_prefetch(struct worker *w, const struct flow *f, bool msg)
{
    const struct inventory *inv = w->inv;
    if (inv && f->inv_set)
        bl_prefetch(inv->b, f->inv_dev, f->inv_conv, msg);
}

#define ETH_P_LLDP 0x88cc
#define LLC_MAX_LEN 1500 /* an ethertype field up to this is an 802.3 length */

void inventory_l2(struct worker *w, const struct packet *p)
{
    struct inventory *inv = w->inv;
    if (!inv || !p->has_ether)
        return;
    if (!inv->started)
        start(inv, w->now);
    inv->l2_conv = inv->l2_dev = BL_NONE;
    if (p->ethertype == ETH_P_ARP_) {
        inventory_arp(w, inv, p);
        if (inv->n_pending)
            flush_assets(inv);
        return;
    }
    uint16_t vlan = inner_vlan(p);
    uint32_t dev = inventory_mac_device(inv, p->src_mac, vlan, true, w->now);
    if (dev == BL_NONE)
        return;
    inv->cur_l2 = true;
    if (p->ethertype == ETH_P_LLDP) {
        inventory_lldp(w, inv, p, dev);
        bl_packet(inv->b, dev, BL_NONE, true, p->wirelen, w->now);
    } else if (p->ethertype <= LLC_MAX_LEN) {
        inventory_cdp(w, inv, p, dev);
        bl_packet(inv->b, dev, BL_NONE, true, p->wirelen, w->now);
    } else {
        /* GOOSE, Profinet, PTP ...: a conversation from the sender to the
         * destination (a group for multicast) on the ethertype */
        uint32_t dst;
        if (p->dst_mac[0] & 1) {
            struct bl_key k;
            memset(&k, 0, sizeof(k));
            memcpy(k.mac, p->dst_mac, 6);
            k.vlan = vlan;
            k.kind = BL_DEV_GROUP;
            dst = bl_device_get(inv->b, &k, w->now, false);
        } else {
            dst = inventory_mac_device(inv, p->dst_mac, vlan, false, w->now);
        }
        uint32_t conv = dst == BL_NONE ? BL_NONE
                                       : bl_conv_get(inv->b, dev, dst, 0, p->ethertype, w->now);
        inv->l2_conv = conv;
        inv->l2_dev = dev;
        bl_packet(inv->b, dev, conv, true, p->wirelen, w->now);
    }
    inv->cur_l2 = false;
    if (inv->n_pending)
        flush_assets(inv);
}

void inventory_msg(struct worker *w, struct flow *f, int dir, const struct ot_msg *m)
{
    struct inventory *inv = w->inv;
    if (!inv)
        return;
    uint32_t conv, sender;
    bool from_server;
    if (f) {
        conv = f->inv_conv;
        from_server = dir == 1;
        sender = f->inv_dev[m->identity.from_server ? 1 : 0];
    } else {
        conv = inv->l2_conv;
        from_server = false;
        sender = inv->l2_dev;
    }
    if (m->identity.present && sender != BL_NONE)
        bl_device_identity(inv->b, sender, &m->identity, ot_proto_name(m->proto));
    if (conv == BL_NONE) {
        if (inv->n_pending)
            flush_assets(inv);
        return;
    }
    inv->cur_flow = f;
    inv->cur_dir = dir;
    inv->cur_msg = m;
    inv->cur_l2 = !f;
    bl_msg(inv->b, conv, from_server, m, w->now);
    inv->cur_flow = NULL;
    inv->cur_msg = NULL;
    inv->cur_l2 = false;
    if (inv->n_pending)
        flush_assets(inv);
}

void inventory_flow_end(struct worker *w, struct flow *f)
{
    struct inventory *inv = w->inv;
    if (!inv)
        return;
    inventory_ndpi_names(w, inv, f);
    if (f->inv_conv != BL_NONE && !f->dissector)
        bl_conv_app(inv->b, f->inv_conv, appid_name(w, f));
    if (inv->n_pending)
        flush_assets(inv);
}

void inventory_tick(struct worker *w)
{
    struct inventory *inv = w->inv;
    if (!inv || !inv->started)
        return;
    bl_tick(inv->b, w->now);
    if (inv->n_pending)
        flush_assets(inv);
    if (inv->next_snapshot && w->now >= inv->next_snapshot) {
        inv->next_snapshot = w->now + (uint64_t)w->conf->baseline_snapshot * 1000000;
        char err[OT_ERRBUF_SIZE];
        if (inventory_save(w, err, sizeof(err)) != 0 && !inv->snapshot_warned) {
            inv->snapshot_warned = true;
            ot_warn("baseline snapshot: %s", err);
        }
    }
}

void inventory_finish(struct worker *w)
{
    struct inventory *inv = w->inv;
    if (!inv || !inv->started)
        return;
    bl_finish(inv->b, w->now);
    if (inv->n_pending)
        flush_assets(inv);
}

static const char *const mode_names[] = {"auto", "learn", "detect"};

static uint32_t count_devices(const struct baseline *b, uint32_t *mature)
{
    uint32_t devices = 0, m = 0;
    for (uint32_t i = 0; i < b->n_dev; i++) {
        const struct bl_device *d = &b->dev[i];
        if (d->key.kind == BL_DEV_HOST && d->seen && d->alias == BL_NONE) {
            devices++;
            m += d->state == BL_MATURE;
        }
    }
    if (mature)
        *mature = m;
    return devices;
}

uint64_t inventory_devices(struct worker *w)
{
    return w->inv ? count_devices(w->inv->b, NULL) : 0;
}

void inventory_write_stats(struct worker *w, struct jsonw *jw)
{
    struct inventory *inv = w->inv;
    if (!inv)
        return;
    const struct baseline *b = inv->b;
    uint32_t mature;
    uint32_t devices = count_devices(b, &mature);
    jw_key(jw, "baseline");
    jw_obj_begin(jw);
    jw_kname(jw, "mode", mode_names[inv->cfg.mode]);
    jw_kname(jw, "network", bl_state_name((enum bl_state)b->net_state));
    jw_ku64(jw, "devices", devices);
    jw_ku64(jw, "mature", mature);
    jw_ku64(jw, "table_devices", b->n_dev);
    jw_ku64(jw, "conversations", b->n_conv);
    jw_ku64(jw, "points", b->n_point);
    jw_ku64(jw, "findings", b->findings);
    jw_ku64(jw, "asset_events", inv->asset_events);
    jw_key(jw, "overflow");
    jw_obj_begin(jw);
    const struct bl_overflow *o = &b->overflow;
    const struct {
        const char *name;
        uint64_t v;
    } ov[] = {{"devices", o->devices},     {"conversations", o->conversations},
              {"points", o->points},       {"functions", o->functions},
              {"units", o->units},         {"intervals", o->intervals},
              {"values", o->values},       {"macs", o->macs},
              {"protocols", o->protocols}};
    for (size_t i = 0; i < sizeof(ov) / sizeof(ov[0]); i++)
        if (ov[i].v)
            jw_ku64(jw, ov[i].name, ov[i].v);
    jw_obj_end(jw);
    jw_obj_end(jw);
}

const char *inventory_role(struct worker *w, const uint8_t ip[16], int version,
                           const uint8_t *mac)
{
    (void)mac;
    struct inventory *inv = w->inv;
    if (!inv)
        return NULL;
    struct bl_key k;
    memset(&k, 0, sizeof(k));
    memcpy(k.ip, ip, 16);
    k.ip_version = (uint8_t)version;
    k.kind = BL_DEV_HOST;
    const struct bl_device *d = bl_dev(inv->b, bl_device_find(inv->b, &k));
    return d && d->seen ? bl_role_name((enum bl_role)d->role) : NULL;
}
