/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the baseline model: devices, conversations and written points in
 * tables reserved at start; learning (per device, until stable) and scoring
 * of every packet and industrial message against what was learned.
 *
 * specification: DESIGN.md section 6 (what is learned, when a device is
 * stable) and section 7 (the detections with source "baseline").
 *
 * Who learns what:
 *   - a device's own attributes (protocols, hours of activity, whether it
 *     commands) while the device learns;
 *   - a conversation's sets (functions, units, address intervals, rates,
 *     polling period) while either end learns, or for a while after it first
 *     appeared between two mature devices (after saying so once);
 *   - a written point's values while the device written to learns.
 * Whatever is frozen is scored: a deviation is a finding, never learned. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline-private.h"

#define USEC 1000000ULL
#define HOUR_USEC (3600ULL * USEC)
#define EVAL_USEC (5 * USEC)        /* maturity and silence are checked every 5 s */
#define RATE_MIN_BUCKETS 10         /* buckets learned before a rate is scored */
#define RATE_SETTLE_EVERY 16        /* buckets between two settling checks */
#define ZERO_FILL_MAX 2000          /* empty buckets folded one by one into the EWMA */
#define PERIOD_MIN_SAMPLES 8        /* intervals before a period is believed */
#define PERIOD_ANCHOR_SAMPLES 24    /* intervals before an aperiodic anchor is replaced */
#define PERIOD_MAX_TRIES 4          /* anchors tried before a conversation is aperiodic */
#define PERIOD_OFF_RUN 3            /* intervals off the period in a row before a finding */
#define OBS_MIN_HOURS 4             /* hours watched before time of day is judged */

/* ------------------------------------------------------------------ names */

static const char *const role_names[BL_ROLE_COUNT] = {"unknown", "plc", "hmi", "ews",
                                                      "historian", "it", "network"};
static const char *const role_labels[BL_ROLE_COUNT] = {
    "unknown", "PLC/RTU/IED", "HMI/SCADA", "engineering workstation", "historian", "IT host",
    "network infrastructure"};
static const char *const field_names[BL_F_COUNT] = {
    "vendor",   "product",   "model",      "firmware",     "serial",   "name",
    "hostname", "vendor_class", "sysname", "sysdescr",     "port",     "mgmt_addr",
    "capabilities", "dns_name", "tls_name"};
static const char *const why_names[BL_WHY_COUNT] = {
    "initial", "new_device", "relearn", "stable", "max_period", "budget", "new_device_period"};
static const char *const alert_kinds[BL_A_COUNT] = {
    [BL_A_NEW_DEVICE] = "new_device",
    [BL_A_NEW_DEVICE_SCAN] = "new_device",
    [BL_A_NEW_CONVERSATION] = "new_conversation",
    [BL_A_NEW_UNIT] = "new_conversation",
    [BL_A_NEW_PROTOCOL] = "new_protocol",
    [BL_A_NEW_FUNCTION] = "new_function_code",
    [BL_A_NEW_FUNCTION_WRITE] = "new_function_code",
    [BL_A_NEW_FUNCTION_CMD] = "new_function_code",
    [BL_A_ADDRESS_READ] = "address_out_of_range",
    [BL_A_ADDRESS_WRITE] = "address_out_of_range",
    [BL_A_VALUE] = "value_out_of_range",
    [BL_A_VALUE_FAR] = "value_out_of_range",
    [BL_A_RATE] = "rate_anomaly",
    [BL_A_RATE_DEVICE] = "rate_anomaly",
    [BL_A_PERIOD] = "period_change",
    [BL_A_SILENT] = "device_silent",
    [BL_A_ROGUE_MASTER] = "rogue_master",
    [BL_A_UNUSUAL_TIME] = "unusual_time",
    [BL_A_OVERFLOW] = "baseline_overflow",
};

const char *bl_role_name(enum bl_role r)
{
    return (unsigned)r < BL_ROLE_COUNT ? role_names[r] : "unknown";
}

const char *bl_role_label(enum bl_role r)
{
    return (unsigned)r < BL_ROLE_COUNT ? role_labels[r] : "unknown";
}

const char *bl_field_name(enum bl_field f)
{
    return (unsigned)f < BL_F_COUNT ? field_names[f] : "unknown";
}

const char *bl_why_name(enum bl_why w)
{
    return (unsigned)w < BL_WHY_COUNT ? why_names[w] : "unknown";
}

const char *bl_alert_kind(enum bl_alert a)
{
    return (unsigned)a < BL_A_COUNT ? alert_kinds[a] : "unknown";
}

const char *bl_state_name(enum bl_state s)
{
    return s == BL_MATURE ? "mature" : "learning";
}

static int name_index(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

int bl_role_from_name(const char *s)
{
    return name_index(role_names, BL_ROLE_COUNT, s);
}

int bl_field_from_name(const char *s)
{
    return name_index(field_names, BL_F_COUNT, s);
}

int bl_why_from_name(const char *s)
{
    return name_index(why_names, BL_WHY_COUNT, s);
}

/* --------------------------------------------------------------- config */

void bl_config_defaults(struct bl_config *c)
{
    memset(c, 0, sizeof(*c));
    c->mode = BL_MODE_AUTO;
    c->max_devices = 4096;
    c->max_conversations = 16384;
    c->max_points = 16384;
    c->max_functions = 32;
    c->max_units = 16;
    c->max_intervals = 32;
    c->value_set = 8;
    c->rate_bucket = 60;
    c->rate_threshold = 6;
    c->rate_factor = 3;
    c->rate_min = 20;
    c->value_tolerance = 50;
    c->value_min_writes = 8;
    c->period_tolerance = 25;
    c->silent_factor = 5;
    c->silent_min = 60;
    c->stable_cycles = 50;
    c->min_period = 3600;
    c->max_period = 7 * 86400;
    c->new_device_period = 3600;
    c->new_device_budget = 32;
    c->scan_peers = 10;
}

/* ------------------------------------------------------------ allocation */

static size_t conv_extra(const struct bl_config *c)
{
    return (size_t)c->max_functions * sizeof(struct bl_func) +
           (size_t)c->max_units * sizeof(uint32_t) +
           (size_t)c->max_intervals * sizeof(struct bl_span);
}

size_t bl_device_bytes(const struct bl_config *cfg)
{
    (void)cfg;
    return sizeof(struct bl_device) + 2 * sizeof(uint32_t); /* + its hash buckets */
}

size_t bl_conv_bytes(const struct bl_config *cfg)
{
    return sizeof(struct bl_conv) + conv_extra(cfg) + 2 * sizeof(uint32_t);
}

static uint32_t pow2_above(uint32_t n)
{
    uint32_t m = 16;
    while (m < n * 2 && m < (1U << 30))
        m <<= 1;
    return m;
}

static uint32_t *new_hash(uint32_t n, uint32_t *mask)
{
    uint32_t size = pow2_above(n);
    uint32_t *h = malloc((size_t)size * sizeof(*h));
    if (h)
        memset(h, 0xff, (size_t)size * sizeof(*h));
    *mask = size - 1;
    return h;
}

struct baseline *bl_new(const struct bl_config *cfg, char *err, size_t errlen)
{
    struct baseline *b = calloc(1, sizeof(*b));
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    b->cfg = *cfg;
    if (b->cfg.value_set > BL_MAX_SET)
        b->cfg.value_set = BL_MAX_SET;
    if (b->cfg.rate_bucket == 0)
        b->cfg.rate_bucket = 60;
    /* calloc: pages are touched only as entries are used, so memory follows
     * the network, while the caps bound it */
    b->dev = calloc(cfg->max_devices ? cfg->max_devices : 1, sizeof(*b->dev));
    b->conv = calloc(cfg->max_conversations ? cfg->max_conversations : 1, sizeof(*b->conv));
    b->point = calloc(cfg->max_points ? cfg->max_points : 1, sizeof(*b->point));
    /* a conversation's sets: functions, then address intervals, then units */
    b->set_bytes = conv_extra(&b->cfg);
    b->spans_at = (size_t)b->cfg.max_functions * sizeof(struct bl_func);
    b->units_at = b->spans_at + (size_t)b->cfg.max_intervals * sizeof(struct bl_span);
    b->arena = calloc(cfg->max_conversations ? cfg->max_conversations : 1,
                      b->set_bytes ? b->set_bytes : 1);
    b->dev_hash = new_hash(cfg->max_devices, &b->dev_mask);
    b->conv_hash = new_hash(cfg->max_conversations, &b->conv_mask);
    b->point_hash = new_hash(cfg->max_points, &b->point_mask);
    if (!b->dev || !b->conv || !b->point || !b->arena || !b->dev_hash || !b->conv_hash ||
        !b->point_hash) {
        snprintf(err, errlen,
                 "cannot reserve the baseline tables (%u devices, %u conversations, %u "
                 "points): lower the caps",
                 cfg->max_devices, cfg->max_conversations, cfg->max_points);
        bl_free(b);
        return NULL;
    }
    b->said = calloc(BL_SAID_SLOTS, sizeof(*b->said));
    if (!b->said) {
        snprintf(err, errlen, "out of memory");
        bl_free(b);
        return NULL;
    }
    b->external = BL_NONE;
    b->net_state = cfg->mode == BL_MODE_DETECT ? BL_MATURE : BL_LEARNING;
    return b;
}

void bl_free(struct baseline *b)
{
    if (!b)
        return;
    free(b->dev);
    free(b->conv);
    free(b->point);
    free(b->arena);
    free(b->dev_hash);
    free(b->conv_hash);
    free(b->point_hash);
    free(b->said);
    for (size_t i = 0; i < b->n_strs; i++)
        free(b->strs[i]);
    free(b->strs);
    free(b);
}

void bl_set_hooks(struct baseline *b, const struct bl_hooks *h)
{
    b->hooks = *h;
}

/* ----------------------------------------------------------------- hashing */

static uint32_t fnv(const void *p, size_t n, uint32_t h)
{
    const uint8_t *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 16777619U;
    return h;
}

/* A 64-bit mix (splitmix64's finalizer): points are looked up per value
 * written, so no byte loop. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint32_t key_hash(const struct bl_key *k)
{
    return fnv(k, sizeof(*k), 2166136261U);
}

/* --------------------------------------------------------------- helpers */

/* Addresses are written in every asset event and finding: by hand, not
 * with snprintf (1,700 instructions an address before). */

/* out gets len bytes of s as snprintf would write them: at most n - 1, and
 * the NUL. */
static void put_text(char *out, size_t n, const char *s, size_t len)
{
    if (n == 0)
        return;
    if (len > n - 1)
        len = n - 1;
    memcpy(out, s, len);
    out[len] = '\0';
}

static const char hexdig[] = "0123456789abcdef";

/* v (below 1000) in decimal at o; returns the digits written. */
static size_t put_dec(char *o, unsigned v)
{
    size_t k = 0;
    if (v >= 100)
        o[k++] = (char)('0' + v / 100);
    if (v >= 10)
        o[k++] = (char)('0' + v / 10 % 10);
    o[k++] = (char)('0' + v % 10);
    return k;
}

/* v (16 bits) in lower-case hex without leading zeros ("%x"). */
static size_t put_hex(char *o, unsigned v)
{
    size_t k = 0;
    for (int sh = 12; sh > 0; sh -= 4)
        if (v >> sh || k)
            o[k++] = hexdig[v >> sh & 0xf];
    o[k++] = hexdig[v & 0xf];
    return k;
}

void bl_mac_text(const uint8_t mac[6], char *out, size_t n)
{
    char t[18];
    for (int i = 0; i < 6; i++) {
        t[3 * i] = hexdig[mac[i] >> 4];
        t[3 * i + 1] = hexdig[mac[i] & 0xf];
        t[3 * i + 2] = ':';
    }
    put_text(out, n, t, 17);
}

void bl_ip_text(const struct bl_key *k, char *out, size_t n)
{
    char t[48];
    size_t o = 0;
    if (k->ip_version == 4) {
        for (int i = 0; i < 4; i++) {
            if (i)
                t[o++] = '.';
            o += put_dec(t + o, k->ip[i]);
        }
    } else if (k->ip_version == 6) {
        /* RFC 5952 is what inet_ntop writes; this library stays libc-only:
         * the longest run of zero groups becomes "::" */
        uint16_t g[8];
        for (int i = 0; i < 8; i++)
            g[i] = (uint16_t)(k->ip[2 * i] << 8 | k->ip[2 * i + 1]);
        int best = -1, best_len = 0;
        for (int i = 0; i < 8;) {
            int j = i;
            while (j < 8 && g[j] == 0)
                j++;
            if (j - i > best_len && j - i > 1) {
                best = i;
                best_len = j - i;
            }
            i = j > i ? j : i + 1;
        }
        for (int i = 0; i < 8; i++) {
            if (i == best) {
                t[o++] = ':';
                t[o++] = ':';
                i += best_len - 1;
                continue;
            }
            if (i > 0 && i != best + best_len)
                t[o++] = ':';
            o += put_hex(t + o, g[i]);
        }
    } else {
        t[o++] = '-';
    }
    put_text(out, n, t, o);
}

void bl_device_label(const struct baseline *b, uint32_t id, char *out, size_t n)
{
    if (id >= b->n_dev) {
        snprintf(out, n, "?");
        return;
    }
    const struct bl_device *d = &b->dev[id];
    if (d->key.kind == BL_DEV_EXTERNAL)
        snprintf(out, n, "external");
    else if (d->key.ip_version)
        bl_ip_text(&d->key, out, n);
    else
        bl_mac_text(d->key.mac, out, n);
}

static bool mac_is_zero(const uint8_t m[6])
{
    static const uint8_t z[6];
    return memcmp(m, z, 6) == 0;
}

static bool is_command(uint8_t op)
{
    return op == OT_OP_WRITE || op == OT_OP_CONTROL || op == OT_OP_PROGRAM || op == OT_OP_FILE;
}

static json_t *jstr_dev(const struct baseline *b, uint32_t id)
{
    char s[64];
    bl_device_label(b, id, s, sizeof(s));
    return json_string(s);
}

static json_t *jtime(uint64_t t)
{
    char s[40];
    bl_time_text(t, s, sizeof(s));
    return json_string(s);
}

static void emit(struct baseline *b, enum bl_alert kind, uint32_t dev, uint32_t peer,
                 uint32_t conv, json_t *ev)
{
    b->findings++;
    if (!b->hooks.finding) {
        json_decref(ev);
        return;
    }
    struct bl_finding f = {kind, dev, peer, conv, ev};
    b->hooks.finding(b->hooks.arg, &f);
}

static void dev_event(struct baseline *b, uint32_t id, enum bl_dev_event why)
{
    if (b->hooks.device && b->dev[id].seen && b->dev[id].key.kind == BL_DEV_HOST &&
        b->dev[id].alias == BL_NONE)
        b->hooks.device(b->hooks.arg, id, why);
}

enum ovf_kind {
    OVF_DEVICES = 0,
    OVF_CONVERSATIONS,
    OVF_POINTS,
    OVF_FUNCTIONS,
    OVF_UNITS,
    OVF_INTERVALS,
    OVF_VALUES,
    OVF_MACS,
    OVF_PROTOCOLS,
};

static const char *const ovf_names[] = {"devices",   "conversations", "points",
                                        "functions", "units",         "intervals",
                                        "values",    "macs",          "protocols"};

/* Counts a cap hit; the first of each kind that blinds a detection is said
 * as a finding.  A point with more values than the set keeps (a continuous
 * set-point), an address with many MACs, a device with many services: only
 * counted, they lose nothing the detections need. */
static void overflow(struct baseline *b, enum ovf_kind k, uint32_t cap, uint32_t dev)
{
    uint64_t *ctr[] = {&b->overflow.devices,   &b->overflow.conversations, &b->overflow.points,
                       &b->overflow.functions, &b->overflow.units,         &b->overflow.intervals,
                       &b->overflow.values,    &b->overflow.macs,          &b->overflow.protocols};
    (*ctr[k])++;
    if (k == OVF_VALUES || k == OVF_MACS || k == OVF_PROTOCOLS)
        return;
    if (b->overflow_said & (1U << k))
        return;
    b->overflow_said |= 1U << k;
    json_t *ev = json_pack("{s:s, s:I}", "table", ovf_names[k], "cap", (json_int_t)cap);
    emit(b, BL_A_OVERFLOW, dev, BL_NONE, BL_NONE, ev);
}

const char *bl_intern(struct baseline *b, const char *s)
{
    for (size_t i = 0; i < b->n_strs; i++)
        if (strcmp(b->strs[i], s) == 0)
            return b->strs[i];
    if (b->n_strs == b->cap_strs) {
        size_t cap = b->cap_strs ? b->cap_strs * 2 : 64;
        char **n = realloc(b->strs, cap * sizeof(*n));
        if (!n)
            return NULL;
        b->strs = n;
        b->cap_strs = cap;
    }
    char *c = strdup(s);
    if (!c)
        return NULL;
    b->strs[b->n_strs++] = c;
    return c;
}

/* ------------------------------------------------------------ said once */

/* A frozen baseline sees the same deviation again and again (a new function
 * used every poll): each is said once per run, the protocol records show the
 * rest.  A bounded set of hashes; when it fills, deviations are said again
 * and the alert aggregation folds the repeats. */
static bool said(struct baseline *b, enum bl_alert kind, uint32_t conv, uint64_t k1, uint64_t k2)
{
    uint64_t h = mix64(mix64((uint64_t)kind << 32 | conv) ^ k1) ^ mix64(k2 + 0x9e3779b97f4a7c15ULL);
    if (h == 0)
        h = 1;
    uint32_t mask = BL_SAID_SLOTS - 1;
    for (uint32_t i = (uint32_t)h & mask, n = 0; n < 16; i = (i + 1) & mask, n++) {
        if (b->said[i] == h)
            return true;
        if (b->said[i] == 0) {
            if (b->n_said >= BL_SAID_SLOTS * 3 / 4)
                return false;
            b->said[i] = h;
            b->n_said++;
            return false;
        }
    }
    return false;
}

/* ---------------------------------------------------------------- learning */

static inline bool dev_learning(const struct baseline *b, const struct bl_device *d)
{
    if (b->cfg.mode == BL_MODE_LEARN)
        return d->key.kind == BL_DEV_HOST;
    return d->key.kind == BL_DEV_HOST && d->state == BL_LEARNING;
}

static inline bool conv_learning(const struct baseline *b, const struct bl_conv *c)
{
    if (b->cfg.mode == BL_MODE_LEARN)
        return true;
    if (c->learn_until > b->now)
        return true;
    return dev_learning(b, &b->dev[c->client]) || dev_learning(b, &b->dev[c->server]);
}

static void set_state(struct baseline *b, uint32_t id, enum bl_state st, enum bl_why why)
{
    struct bl_device *d = &b->dev[id];
    if (d->state == st && d->why == why)
        return;
    d->state = (uint8_t)st;
    d->why = (uint8_t)why;
    d->since = b->now;
    dev_event(b, id, BL_EV_LEARNING);
}

/* Something new was learned about a device. */
static void novelty(struct baseline *b, uint32_t id)
{
    struct bl_device *d = &b->dev[id];
    if (d->key.kind != BL_DEV_HOST || d->state != BL_LEARNING)
        return;
    d->last_novelty = b->now;
    if (d->why == BL_WHY_NEW_DEVICE && b->cfg.mode != BL_MODE_LEARN &&
        ++d->budget_used >= b->cfg.new_device_budget)
        set_state(b, id, BL_MATURE, BL_WHY_BUDGET);
}

static void conv_novelty(struct baseline *b, struct bl_conv *c)
{
    novelty(b, c->client);
    novelty(b, c->server);
    if (c->learn_until > b->now && ++c->budget_used >= b->cfg.new_device_budget)
        c->learn_until = 0;
}

/* ------------------------------------------------------------------- roles */

static const char *proto_label(const struct bl_proto_use *u, char *buf, size_t n)
{
    const char *l4 = u->l4 == 6 ? "tcp" : u->l4 == 17 ? "udp" : u->l4 == 0 ? "l2" : "ip";
    if (u->proto)
        snprintf(buf, n, "%s/%u", ot_proto_name((enum ot_proto)u->proto), u->port);
    else if (u->l4 == 0)
        snprintf(buf, n, "ethertype 0x%04x", u->port);
    else
        snprintf(buf, n, "%s/%u", l4, u->port);
    return buf;
}

static const char *first_proto(const struct bl_device *d, bool server, bool ot, char *buf,
                               size_t n)
{
    for (unsigned i = 0; i < d->n_protos; i++) {
        const struct bl_proto_use *u = &d->protos[i];
        if (u->as_server == server && (u->proto != 0) == ot && u->l4 != 1 && u->l4 != 58)
            return proto_label(u, buf, n);
    }
    buf[0] = '\0';
    return buf;
}

static const char *first_ot_name(uint32_t mask)
{
    for (int p = 1; p < OT_PROTO_COUNT; p++)
        if (mask & (1U << p))
            return ot_proto_name((enum ot_proto)p);
    return "?";
}

static void infer_role(struct baseline *b, uint32_t id)
{
    struct bl_device *d = &b->dev[id];
    if (d->key.kind != BL_DEV_HOST)
        return;
    char ev[BL_EVIDENCE_LEN], p[48];
    enum bl_role r = BL_ROLE_UNKNOWN;
    /* IT traffic: a conversation no dissector claimed and nDPI named when
     * its flow ended (not a flow to an industrial port still starting) */
    bool it_server = false, it_client = false;
    const char *it_app = "";
    for (uint32_t c = d->sconv_head; c != BL_NONE && !it_server; c = b->conv[c].snext)
        if (!b->conv[c].proto && b->conv[c].app[0])
            it_server = true, it_app = b->conv[c].app;
    for (uint32_t c = d->conv_head; c != BL_NONE && !it_client; c = b->conv[c].cnext)
        if (!b->conv[c].proto && b->conv[c].app[0])
            it_client = true, it_app = it_app[0] ? it_app : b->conv[c].app;
    bool any = it_server || it_client;
    d->it_server = it_server;
    uint64_t cmds = d->ops[OT_OP_WRITE] + d->ops[OT_OP_CONTROL];
    if (d->server_protos) {
        r = BL_ROLE_PLC;
        first_proto(d, true, true, p, sizeof(p));
        snprintf(ev, sizeof(ev), "serves %s", p[0] ? p : first_ot_name(d->server_protos));
    } else if (d->client_protos && (d->ops[OT_OP_PROGRAM] || d->ops[OT_OP_FILE])) {
        r = BL_ROLE_EWS;
        snprintf(ev, sizeof(ev), "program/file operations (%s)", first_ot_name(d->client_protos));
    } else if (d->client_protos && (d->ops[OT_OP_DIAGNOSTIC] || d->ops[OT_OP_DISCOVERY])) {
        r = BL_ROLE_EWS;
        snprintf(ev, sizeof(ev), "diagnostic/identification requests (%s)",
                 first_ot_name(d->client_protos));
    } else if (d->client_protos && cmds) {
        r = BL_ROLE_HMI;
        snprintf(ev, sizeof(ev), "polls and writes/controls (%s)",
                 first_ot_name(d->client_protos));
    } else if (d->client_protos) {
        r = BL_ROLE_HISTORIAN;
        snprintf(ev, sizeof(ev), "reads only (%s)%s", first_ot_name(d->client_protos),
                 it_server ? ", serves IT clients" : "");
    } else if (d->caps & (0x04 | 0x10)) {
        r = BL_ROLE_NETWORK;
        snprintf(ev, sizeof(ev), "%s:%s%s", d->routes ? "routes other addresses" : "capabilities",
                 (d->caps & 0x04) ? " bridge" : "", (d->caps & 0x10) ? " router" : "");
    } else if (any) {
        r = BL_ROLE_IT;
        first_proto(d, it_server, false, p, sizeof(p));
        snprintf(ev, sizeof(ev), "only IT protocols (%s%s%s)", it_app, p[0] ? ", " : "", p);
    } else {
        ev[0] = '\0';
    }
    if (r != d->role || strcmp(ev, d->role_evidence) != 0) {
        bool changed = r != d->role;
        d->role = (uint8_t)r;
        snprintf(d->role_evidence, sizeof(d->role_evidence), "%s", ev);
        if (changed)
            dev_event(b, id, BL_EV_ROLE);
    }
}

/* ----------------------------------------------------------------- devices */

static uint32_t dev_lookup(const struct baseline *b, const struct bl_key *k)
{
    for (uint32_t i = b->dev_hash[key_hash(k) & b->dev_mask]; i != BL_NONE; i = b->dev[i].hnext)
        if (memcmp(&b->dev[i].key, k, sizeof(*k)) == 0)
            return i;
    return BL_NONE;
}

uint32_t bl_device_find(const struct baseline *b, const struct bl_key *k)
{
    uint32_t id = dev_lookup(b, k);
    if (id != BL_NONE && b->dev[id].alias != BL_NONE)
        id = b->dev[id].alias;
    return id;
}

/* Appends a device to the table (no events). */
static uint32_t dev_add(struct baseline *b, const struct bl_key *k, uint64_t now)
{
    if (b->n_dev >= b->cfg.max_devices) {
        overflow(b, OVF_DEVICES, b->cfg.max_devices, BL_NONE);
        return BL_NONE;
    }
    uint32_t id = b->n_dev++;
    struct bl_device *d = &b->dev[id];
    memset(d, 0, sizeof(*d));
    d->key = *k;
    d->alias = d->conv_head = d->sconv_head = BL_NONE;
    d->first_seen = d->last_seen = now;
    d->learn_start = d->since = d->last_novelty = now;
    d->level = -1;
    d->time_alerted_hour = 24;
    if (k->kind != BL_DEV_HOST) {
        d->state = BL_MATURE;
        d->why = BL_WHY_STABLE;
        d->seen = true;
    }
    uint32_t h = key_hash(k) & b->dev_mask;
    d->hnext = b->dev_hash[h];
    b->dev_hash[h] = id;
    if (k->kind == BL_DEV_EXTERNAL)
        b->external = id;
    if (b->hooks.zone && k->kind == BL_DEV_HOST)
        b->hooks.zone(b->hooks.arg, k, d->zone, &d->level);
    return id;
}

uint32_t bl_device_add_raw(struct baseline *b, const struct bl_key *k)
{
    if (b->n_dev >= b->cfg.max_devices)
        return BL_NONE;
    return dev_add(b, k, 0);
}

/* A device sends for the first time: it appears in the inventory, and after
 * the network's learning it is a new device that learns its own profile. */
static void appear(struct baseline *b, uint32_t id, uint64_t now)
{
    struct bl_device *d = &b->dev[id];
    d->seen = true;
    d->first_seen = d->last_seen = d->learn_start = d->since = d->last_novelty = now;
    if (d->key.kind != BL_DEV_HOST || d->alias != BL_NONE)
        return;
    bool late = b->cfg.mode != BL_MODE_LEARN && b->net_state == BL_MATURE;
    d->state = BL_LEARNING;
    d->why = late ? BL_WHY_NEW_DEVICE : BL_WHY_INITIAL;
    infer_role(b, id);
    dev_event(b, id, BL_EV_NEW);
    if (late) {
        char mac[24] = "";
        if (d->n_macs)
            bl_mac_text(d->macs[0], mac, sizeof(mac));
        json_t *ev = json_pack("{s:o, s:s, s:s, s:i, s:o, s:I, s:I}", "device",
                               jstr_dev(b, id), "mac", mac, "vendor", d->vendor,
                               "vlan", d->key.vlan, "first_seen", jtime(now),
                               "silent_learning_s", (json_int_t)b->cfg.new_device_period,
                               "silent_learning_budget", (json_int_t)b->cfg.new_device_budget);
        emit(b, BL_A_NEW_DEVICE, id, BL_NONE, BL_NONE, ev);
    }
}

uint32_t bl_device_get(struct baseline *b, const struct bl_key *k, uint64_t now, bool seen)
{
    if (now > b->now)
        b->now = now;
    uint32_t id = dev_lookup(b, k);
    if (id != BL_NONE) {
        if (b->dev[id].alias != BL_NONE)
            id = b->dev[id].alias;
        if (seen && !b->dev[id].seen)
            appear(b, id, now);
        return id;
    }
    if (k->kind == BL_DEV_HOST && k->ip_version == 0) {
        /* a MAC first seen at layer 2 whose IP device announced it: an alias */
        for (uint32_t i = 0; i < b->n_dev; i++) {
            struct bl_device *o = &b->dev[i];
            if (o->key.kind == BL_DEV_HOST && o->key.ip_version && o->arp_bound &&
                o->key.vlan == k->vlan && memcmp(o->macs[0], k->mac, 6) == 0) {
                uint32_t a = dev_add(b, k, now);
                if (a == BL_NONE)
                    return i;
                b->dev[a].alias = i;
                b->dev[a].seen = true;
                if (seen && !o->seen)
                    appear(b, i, now);
                return i;
            }
        }
    }
    id = dev_add(b, k, now);
    if (id == BL_NONE)
        return BL_NONE;
    if (k->kind == BL_DEV_HOST && k->ip_version == 0)
        bl_device_mac(b, id, k->mac, true);
    if (seen)
        appear(b, id, now);
    return id;
}

static void set_vendor(struct baseline *b, struct bl_device *d)
{
    if (d->routed)
        return;
    const char *v = b->hooks.vendor && d->n_macs ? b->hooks.vendor(b->hooks.arg, d->macs[0])
                                                 : NULL;
    snprintf(d->vendor, sizeof(d->vendor), "%s", v ? v : "");
}

static void fold(struct baseline *b, uint32_t from, uint32_t into)
{
    struct bl_device *s = &b->dev[from], *d = &b->dev[into];
    s->alias = into;
    for (int f = 0; f < BL_F_COUNT; f++)
        if (!d->field[f].v[0] && s->field[f].v[0])
            d->field[f] = s->field[f];
    d->caps |= s->caps;
    if (s->seen && s->first_seen < d->first_seen)
        d->first_seen = s->first_seen;
    if (s->last_seen > d->last_seen)
        d->last_seen = s->last_seen;
    d->server_protos |= s->server_protos;
    d->client_protos |= s->client_protos;
    for (int o = 0; o < OT_OP_COUNT; o++)
        d->ops[o] += s->ops[o];
    infer_role(b, into);
}

/* owner's MAC carries routed's address: owner routes, routed's MAC (and so
 * its vendor) is not its own. */
static void mark_router(struct baseline *b, uint32_t owner, uint32_t routed)
{
    struct bl_device *r = &b->dev[routed];
    r->routed = true;
    r->vendor[0] = '\0';
    struct bl_device *o = &b->dev[owner];
    if (!o->routes) {
        o->routes = true;
        o->caps |= 0x10;
        infer_role(b, owner);
    }
}

void bl_device_mac(struct baseline *b, uint32_t id, const uint8_t mac[6], bool own)
{
    struct bl_device *d = bl_dev(b, id);
    if (!d || mac_is_zero(mac) || (mac[0] & 1))
        return;
    int at = -1;
    bool inserted = false;
    for (int i = 0; i < d->n_macs; i++)
        if (memcmp(d->macs[i], mac, 6) == 0)
            at = i;
    if (at < 0) {
        inserted = true;
        if (d->n_macs >= BL_MAX_MACS) {
            d->macs_overflow = true;
            overflow(b, OVF_MACS, BL_MAX_MACS, id);
            if (!own)
                return;
            at = BL_MAX_MACS - 1;
        } else {
            at = d->n_macs++;
        }
        memcpy(d->macs[at], mac, 6);
        if (at == 0)
            set_vendor(b, d);
    }
    if (!own && inserted && at == 0 && d->key.ip_version && !d->arp_bound) {
        /* the first MAC of an address: routed when another address announced
         * it (a scan, once per new device) */
        for (uint32_t i = 0; i < b->n_dev; i++) {
            const struct bl_device *o = &b->dev[i];
            if (i != id && o->arp_bound && o->key.ip_version && o->key.vlan == d->key.vlan &&
                memcmp(o->macs[0], mac, 6) == 0) {
                mark_router(b, i, id);
                break;
            }
        }
    }
    if (!own || d->key.ip_version == 0)
        return;
    if (at > 0 || !d->arp_bound) {
        /* the device's own MAC goes first: the vendor is that MAC's */
        uint8_t tmp[6];
        memcpy(tmp, d->macs[at], 6);
        memmove(d->macs[1], d->macs[0], (size_t)at * 6);
        memcpy(d->macs[0], tmp, 6);
        d->arp_bound = true;
        set_vendor(b, d);
        /* addresses already seen behind this MAC are routed by this device */
        for (uint32_t i = 0; i < b->n_dev; i++) {
            struct bl_device *o = &b->dev[i];
            if (i != id && o->key.kind == BL_DEV_HOST && o->key.ip_version && !o->arp_bound &&
                o->n_macs && o->key.vlan == d->key.vlan && memcmp(o->macs[0], mac, 6) == 0)
                mark_router(b, id, i);
        }
    }
    struct bl_key k = {0};
    memcpy(k.mac, mac, 6);
    k.vlan = d->key.vlan;
    k.kind = BL_DEV_HOST;
    uint32_t l2 = dev_lookup(b, &k);
    if (l2 != BL_NONE && l2 != id && b->dev[l2].alias == BL_NONE)
        fold(b, l2, id);
}

void bl_device_vendor(struct baseline *b, uint32_t id, const char *vendor)
{
    struct bl_device *d = bl_dev(b, id);
    if (d)
        snprintf(d->vendor, sizeof(d->vendor), "%s", vendor ? vendor : "");
}

void bl_device_zone(struct baseline *b, uint32_t id, const char *zone, int level)
{
    struct bl_device *d = bl_dev(b, id);
    if (!d)
        return;
    snprintf(d->zone, sizeof(d->zone), "%s", zone ? zone : "");
    d->level = level;
}

void bl_device_field(struct baseline *b, uint32_t id, enum bl_field f, const char *v, size_t n,
                     const char *src)
{
    struct bl_device *d = bl_dev(b, id);
    if (!d || (unsigned)f >= BL_F_COUNT || !v)
        return;
    if (d->alias != BL_NONE)
        d = &b->dev[id = d->alias];
    char val[BL_IDENT_LEN];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof(val) - 1; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (ch == 0)
            break;
        val[k++] = (ch < 0x20 || ch == 0x7f) ? ' ' : (char)ch;
    }
    while (k > 0 && val[k - 1] == ' ')
        k--;
    val[k] = '\0';
    size_t lead = strspn(val, " ");
    if (!val[lead])
        return;
    struct bl_field_val *fv = &d->field[f];
    if (strcmp(fv->v, val + lead) == 0)
        return;
    /* names others give an address (DNS, TLS) keep the first: several
     * names for one address would otherwise flap */
    if ((f == BL_F_DNS_NAME || f == BL_F_TLS_NAME) && fv->v[0])
        return;
    snprintf(fv->v, sizeof(fv->v), "%s", val + lead);
    snprintf(fv->src, sizeof(fv->src), "%s", src ? src : "");
    dev_event(b, id, BL_EV_IDENTITY);
}

void bl_device_caps(struct baseline *b, uint32_t id, uint16_t caps)
{
    struct bl_device *d = bl_dev(b, id);
    if (!d)
        return;
    if (d->alias != BL_NONE)
        d = &b->dev[id = d->alias];
    if ((d->caps | caps) == d->caps)
        return;
    d->caps |= caps;
    infer_role(b, id);
}

void bl_device_identity(struct baseline *b, uint32_t id, const struct ot_identity *idn,
                        const char *src)
{
    if (!idn->present)
        return;
    const char *v[] = {idn->vendor, idn->product, idn->model,
                       idn->firmware, idn->serial, idn->name};
    for (int f = 0; f < 6; f++)
        if (v[f][0])
            bl_device_field(b, id, (enum bl_field)f, v[f], strnlen(v[f], OT_IDENT_LEN), src);
}

void bl_device_relearn(struct baseline *b, uint32_t id, uint64_t now)
{
    struct bl_device *d = bl_dev(b, id);
    if (!d || d->key.kind != BL_DEV_HOST)
        return;
    if (now > b->now)
        b->now = now;
    d->learn_start = d->last_novelty = now;
    d->budget_used = 0;
    set_state(b, id, BL_LEARNING, BL_WHY_RELEARN);
}

/* ------------------------------------------------------------------ rates */

static unsigned bin_of(uint64_t x)
{
    unsigned bin = x ? 64 - (unsigned)__builtin_clzll(x) : 0;
    return bin < BL_RATE_BINS ? bin : BL_RATE_BINS - 1;
}

static void rate_learn(struct bl_rate *r, uint64_t x)
{
    r->n++;
    if (r->hist[bin_of(x)] < UINT32_MAX)
        r->hist[bin_of(x)]++;
    if (x > r->max)
        r->max = x;
    /* a plain average at first, then an EWMA over about 40 buckets */
    double a = r->n < 20 ? 1.0 / r->n : 0.05;
    double d = (double)x - r->mean;
    r->mean += a * d;
    r->var = (1 - a) * (r->var + a * d * d);
    if (r->n % RATE_SETTLE_EVERY == 0) {
        double ref = r->snapshot > 1 ? r->snapshot : 1;
        r->settled = fabs(r->mean - r->snapshot) <= 0.25 * ref;
        r->snapshot = r->mean;
    }
}

uint64_t bl_rate_quantile(const struct bl_rate *r, double q)
{
    uint64_t total = 0;
    for (int i = 0; i < BL_RATE_BINS; i++)
        total += r->hist[i];
    if (!total)
        return 0;
    uint64_t want = (uint64_t)ceil(q * (double)total), acc = 0;
    for (int i = 0; i < BL_RATE_BINS; i++) {
        acc += r->hist[i];
        if (acc >= want && acc > 0) {
            /* the bin's upper edge, never above the largest bucket seen */
            uint64_t edge = i == 0 ? 0 : (i >= 64 ? UINT64_MAX : (1ULL << i) - 1);
            return edge < r->max ? edge : r->max;
        }
    }
    return r->max;
}

static uint64_t threshold_min(const struct baseline *b, const struct bl_rate *r, uint64_t floor)
{
    if (r->n < RATE_MIN_BUCKETS)
        return 0;
    double sd = sqrt(r->var > 0 ? r->var : 0);
    double poisson = sqrt(r->mean > 0 ? r->mean : 0);
    double scale = sd > poisson ? sd : poisson;
    if (scale < 1)
        scale = 1;
    double t1 = r->mean + b->cfg.rate_threshold * scale;
    double t2 = (double)b->cfg.rate_factor * (double)r->max;
    double t = t1 > t2 ? t1 : t2;
    if (t < (double)floor)
        t = (double)floor;
    return (uint64_t)ceil(t);
}

uint64_t bl_rate_threshold(const struct baseline *b, const struct bl_rate *r)
{
    return threshold_min(b, r, b->cfg.rate_min);
}

/* Opens the bucket of `now`, closing the earlier ones (and learning them,
 * empty ones included, when `learn`): the slow path, once per bucket. */
static void rate_roll(struct baseline *b, struct bl_rate *r, uint64_t now, bool learn,
                      uint64_t floor)
{
    uint64_t width = (uint64_t)b->cfg.rate_bucket * USEC;
    uint64_t bucket = now / width + 1;
    if (r->end && bucket <= r->bucket) {
        r->end = bucket * width; /* a clock that went back: stay in the bucket */
        return;
    }
    if (r->end && learn) {
        rate_learn(r, r->cur);
        uint64_t zeros = bucket - r->bucket - 1;
        for (uint64_t i = 0; i < zeros && i < ZERO_FILL_MAX; i++)
            rate_learn(r, 0);
        if (zeros > ZERO_FILL_MAX) {
            uint64_t more = zeros - ZERO_FILL_MAX;
            uint32_t add = (uint32_t)(more > UINT32_MAX / 2 ? UINT32_MAX / 2 : more);
            r->n = r->n > UINT32_MAX - add ? UINT32_MAX : r->n + add;
            r->hist[0] = r->hist[0] > UINT32_MAX - add ? UINT32_MAX : r->hist[0] + add;
        }
    }
    r->bucket = bucket;
    r->end = bucket * width;
    r->cur = 0;
    r->alerted = false;
    r->thr = learn ? 0 : threshold_min(b, r, floor);
}

/* Adds inc to the open bucket: true when a frozen rate just went over its
 * threshold (thr is 0 while learning).  No division, no lookup: per packet. */
static inline bool rate_hot(struct bl_rate *r, uint64_t inc)
{
    r->cur += inc;
    if (r->thr && r->cur > r->thr && !r->alerted) {
        r->alerted = true;
        return true;
    }
    return false;
}

static json_t *rate_evidence(const struct baseline *b, const struct bl_rate *r, const char *metric)
{
    return json_pack("{s:s, s:I, s:I, s:I, s:{s:f, s:f, s:I, s:I, s:I, s:I}}", "metric", metric,
                     "bucket_s", (json_int_t)b->cfg.rate_bucket, "observed", (json_int_t)r->cur,
                     "threshold", (json_int_t)r->thr, "learned", "mean", r->mean, "stddev",
                     sqrt(r->var > 0 ? r->var : 0), "max", (json_int_t)r->max, "p50",
                     (json_int_t)bl_rate_quantile(r, 0.5), "p99",
                     (json_int_t)bl_rate_quantile(r, 0.99), "buckets", (json_int_t)r->n);
}

/* -------------------------------------------------------------- packets */

static void dev_packet_rate(struct baseline *b, uint32_t id, uint64_t bytes, uint64_t now)
{
    struct bl_device *d = &b->dev[id];
    if (now >= d->rate_pkts.end || now >= d->rate_bytes.end) {
        bool learn = dev_learning(b, d);
        if (now >= d->rate_pkts.end)
            rate_roll(b, &d->rate_pkts, now, learn, b->cfg.rate_min);
        /* bytes: the same test, with a floor of rate_min full-size frames */
        if (now >= d->rate_bytes.end)
            rate_roll(b, &d->rate_bytes, now, learn, (uint64_t)b->cfg.rate_min * 1500);
    }
    bool hot = rate_hot(&d->rate_pkts, 1);
    bool hot_bytes = rate_hot(&d->rate_bytes, bytes);
    if ((hot || hot_bytes) && b->cfg.mode != BL_MODE_LEARN) {
        const struct bl_rate *r = hot ? &d->rate_pkts : &d->rate_bytes;
        json_t *ev = rate_evidence(b, r, hot ? "packets" : "bytes");
        json_object_set_new(ev, "device", jstr_dev(b, id));
        emit(b, BL_A_RATE_DEVICE, id, BL_NONE, BL_NONE, ev);
    }
}

void bl_packet(struct baseline *b, uint32_t id, uint32_t conv, bool from_client, uint32_t bytes,
               uint64_t now)
{
    (void)from_client;
    if (now > b->now)
        b->now = now;
    if (id < b->n_dev) {
        struct bl_device *d = &b->dev[id];
        if (!d->seen)
            appear(b, id, now);
        if (now > d->last_seen)
            d->last_seen = now;
        d->pkts++;
        d->bytes += bytes;
        d->silent_armed = true;
        d->silent_alerted = false;
        if (d->key.kind == BL_DEV_HOST)
            dev_packet_rate(b, id, bytes, now);
    }
    if (conv < b->n_conv) {
        struct bl_conv *c = &b->conv[conv];
        c->pkts++;
        c->bytes += bytes;
        if (now > c->last_seen)
            c->last_seen = now;
        if (now >= c->rate_bytes.end)
            rate_roll(b, &c->rate_bytes, now, conv_learning(b, c),
                      (uint64_t)b->cfg.rate_min * 1500);
        if (rate_hot(&c->rate_bytes, bytes) && b->cfg.mode != BL_MODE_LEARN) {
            json_t *ev = rate_evidence(b, &c->rate_bytes, "bytes");
            c->rate_alert_bucket = c->rate_bytes.bucket;
            emit(b, BL_A_RATE, c->client, c->server, conv, ev);
        }
    }
}

/* ---------------------------------------------------------- conversations */

static uint32_t conv_hash_of(uint32_t client, uint32_t server, uint8_t l4, uint16_t port)
{
    return (uint32_t)mix64(mix64((uint64_t)client << 32 | server) ^ ((uint64_t)l4 << 16 | port));
}

static void conv_init_sets(struct baseline *b, uint32_t id)
{
    struct bl_conv *c = &b->conv[id];
    uint8_t *base = (uint8_t *)b->arena + (size_t)id * b->set_bytes;
    c->funcs = (struct bl_func *)(void *)base;
    c->spans = (struct bl_span *)(void *)(base + b->spans_at);
    c->units = (uint32_t *)(void *)(base + b->units_at);
}

static void proto_use(struct baseline *b, uint32_t id, uint8_t l4, uint16_t port, uint8_t proto,
                      bool server)
{
    struct bl_device *d = &b->dev[id];
    if (d->key.kind != BL_DEV_HOST)
        return;
    for (unsigned i = 0; i < d->n_protos; i++) {
        struct bl_proto_use *u = &d->protos[i];
        if (u->l4 == l4 && u->port == port && u->as_server == server) {
            if (proto && u->proto != proto) {
                u->proto = proto;
                infer_role(b, id);
            }
            return;
        }
    }
    if (d->n_protos >= BL_MAX_PROTOS) {
        d->protos_overflow = true;
        overflow(b, OVF_PROTOCOLS, BL_MAX_PROTOS, id);
        return;
    }
    d->protos[d->n_protos++] = (struct bl_proto_use){port, l4, proto, server};
    infer_role(b, id);
}

/* Up to 8 labels of the peers a device has as client and as server, but
 * the conversation `skip` (the one being said). */
static json_t *peer_list(const struct baseline *b, uint32_t id, uint32_t skip)
{
    json_t *a = json_array();
    const struct bl_device *d = &b->dev[id];
    for (uint32_t c = d->conv_head; c != BL_NONE && json_array_size(a) < 8; c = b->conv[c].cnext)
        if (c != skip)
            json_array_append_new(a, jstr_dev(b, b->conv[c].server));
    for (uint32_t c = d->sconv_head; c != BL_NONE && json_array_size(a) < 8; c = b->conv[c].snext)
        if (c != skip)
            json_array_append_new(a, jstr_dev(b, b->conv[c].client));
    return a;
}

static json_t *proto_list(const struct bl_device *d)
{
    json_t *a = json_array();
    char buf[48], s[64];
    for (unsigned i = 0; i < d->n_protos; i++) {
        snprintf(s, sizeof(s), "%s %s", proto_label(&d->protos[i], buf, sizeof(buf)),
                 d->protos[i].as_server ? "server" : "client");
        json_array_append_new(a, json_string(s));
    }
    return a;
}

static bool new_device_learning(const struct baseline *b, const struct bl_device *d)
{
    return d->key.kind == BL_DEV_HOST && d->state == BL_LEARNING && d->why == BL_WHY_NEW_DEVICE &&
           b->cfg.mode != BL_MODE_LEARN;
}

uint32_t bl_conv_add_raw(struct baseline *b, uint32_t client, uint32_t server, uint8_t l4,
                         uint16_t port)
{
    if (b->n_conv >= b->cfg.max_conversations || client >= b->n_dev || server >= b->n_dev)
        return BL_NONE;
    uint32_t h = conv_hash_of(client, server, l4, port) & b->conv_mask;
    uint32_t id = b->n_conv++;
    struct bl_conv *c = &b->conv[id];
    memset(c, 0, sizeof(*c));
    conv_init_sets(b, id);
    c->client = client;
    c->server = server;
    c->l4 = l4;
    c->port = port;
    c->hnext = b->conv_hash[h];
    b->conv_hash[h] = id;
    struct bl_device *cd = &b->dev[client], *sd = &b->dev[server];
    c->cnext = cd->conv_head;
    cd->conv_head = id;
    c->snext = sd->sconv_head;
    sd->sconv_head = id;
    return id;
}

uint32_t bl_conv_get(struct baseline *b, uint32_t client, uint32_t server, uint8_t l4,
                     uint16_t port, uint64_t now)
{
    if (client >= b->n_dev || server >= b->n_dev)
        return BL_NONE;
    if (now > b->now)
        b->now = now;
    uint32_t h = conv_hash_of(client, server, l4, port) & b->conv_mask;
    for (uint32_t i = b->conv_hash[h]; i != BL_NONE; i = b->conv[i].hnext) {
        struct bl_conv *c = &b->conv[i];
        if (c->client == client && c->server == server && c->l4 == l4 && c->port == port)
            return i;
    }
    if (b->n_conv >= b->cfg.max_conversations) {
        overflow(b, OVF_CONVERSATIONS, b->cfg.max_conversations, client);
        return BL_NONE;
    }
    struct bl_device *cd = &b->dev[client], *sd = &b->dev[server];
    bool pair_known = false;
    for (uint32_t i = cd->conv_head; i != BL_NONE && !pair_known; i = b->conv[i].cnext)
        pair_known = b->conv[i].server == server;
    uint32_t id = bl_conv_add_raw(b, client, server, l4, port);
    struct bl_conv *c = &b->conv[id];
    c->first_seen = c->last_seen = now;
    proto_use(b, client, l4, port, 0, false);
    proto_use(b, server, l4, port, 0, true);
    if (b->cfg.mode == BL_MODE_LEARN) {
        conv_novelty(b, c);
        return id;
    }
    /* a new device's peers: counted, said once past scan_peers */
    struct bl_device *nd = new_device_learning(b, cd) ? cd : new_device_learning(b, sd) ? sd : NULL;
    if (nd && !pair_known) {
        uint32_t nid = nd == cd ? client : server;
        if (++nd->peers >= b->cfg.scan_peers && !nd->scan_alerted) {
            nd->scan_alerted = true;
            json_t *ev = json_pack("{s:o, s:I, s:I, s:o}", "device", jstr_dev(b, nid), "peers",
                                   (json_int_t)nd->peers, "threshold",
                                   (json_int_t)b->cfg.scan_peers, "peer_list", peer_list(b, nid, BL_NONE));
            emit(b, BL_A_NEW_DEVICE_SCAN, nid, BL_NONE, BL_NONE, ev);
        }
    }
    /* a device never heard from, addressed once the network is learned, is
     * judged like a frozen one: connecting to it is a new peer */
    bool ghost_frozen = !sd->seen && b->net_state == BL_MATURE;
    /* a broadcast or multicast destination is not a peer (DHCP, discovery
     * protocols): learned without a word */
    if (nd || sd->key.kind == BL_DEV_GROUP || dev_learning(b, cd) ||
        (dev_learning(b, sd) && !ghost_frozen)) {
        conv_novelty(b, c);
        return id;
    }
    /* both ends frozen: a new peer (or a new port between known peers) is
     * said once, then the conversation learns its own profile for a while */
    c->alerted_new = true;
    c->learn_until = now + (uint64_t)b->cfg.new_device_period * USEC;
    json_t *ev = json_pack("{s:o, s:o, s:s, s:i}", "client", jstr_dev(b, client), "server",
                           jstr_dev(b, server), "l4", bl_l4_name(l4), "port", port);
    if (pair_known) {
        json_object_set_new(ev, "learned_client_protocols", proto_list(cd));
        json_object_set_new(ev, "learned_server_protocols", proto_list(sd));
        emit(b, BL_A_NEW_PROTOCOL, client, server, id, ev);
    } else {
        json_object_set_new(ev, "learned_client_peers", peer_list(b, client, id));
        json_object_set_new(ev, "learned_server_peers", peer_list(b, server, id));
        emit(b, BL_A_NEW_CONVERSATION, client, server, id, ev);
    }
    return id;
}

void bl_conv_app(struct baseline *b, uint32_t conv, const char *app)
{
    if (conv >= b->n_conv || !app)
        return;
    struct bl_conv *c = &b->conv[conv];
    if (c->proto || c->app[0])
        return;
    snprintf(c->app, sizeof(c->app), "%s", app);
    infer_role(b, c->client);
    infer_role(b, c->server);
}

/* ------------------------------------------------------------- functions */

static int func_find(const struct bl_conv *c, uint32_t code, bool from_server)
{
    for (uint32_t i = 0; i < c->n_funcs; i++)
        if (c->funcs[i].code == code && c->funcs[i].from_server == from_server)
            return (int)i;
    return -1;
}

static json_t *func_list(const struct bl_conv *c)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < c->n_funcs && i < 16; i++) {
        const struct bl_func *f = &c->funcs[i];
        json_array_append_new(a, json_pack("{s:I, s:s, s:s}", "function_code",
                                           (json_int_t)f->code, "function",
                                           f->name ? f->name : "unknown", "op_class",
                                           ot_op_name((enum ot_op)f->op)));
    }
    return a;
}

static json_t *class_list(const struct bl_conv *c, bool from_server)
{
    json_t *a = json_array();
    bool seen[OT_OP_COUNT] = {false};
    for (uint32_t i = 0; i < c->n_funcs; i++)
        if (c->funcs[i].from_server == from_server && c->funcs[i].op < OT_OP_COUNT)
            seen[c->funcs[i].op] = true;
    for (int o = 0; o < OT_OP_COUNT; o++)
        if (seen[o])
            json_array_append_new(a, json_string(ot_op_name((enum ot_op)o)));
    return a;
}

/* ----------------------------------------------------------------- spans */

static int span_cmp(const struct bl_span *a, uint32_t func, uint32_t space, uint64_t lo)
{
    if (a->func != func)
        return a->func < func ? -1 : 1;
    if (a->space != space)
        return a->space < space ? -1 : 1;
    if (a->lo != lo)
        return a->lo < lo ? -1 : 1;
    return 0;
}

static bool spans_contain(const struct bl_conv *c, uint32_t func, uint32_t space, uint64_t lo,
                          uint64_t hi, bool *group_known)
{
    *group_known = false;
    for (uint32_t i = 0; i < c->n_spans; i++) {
        const struct bl_span *s = &c->spans[i];
        if (s->func != func || s->space != space)
            continue;
        *group_known = true;
        if (s->lo <= lo && hi <= s->hi)
            return true;
    }
    return false;
}

/* p and the span after it (s) are of one group and overlap or touch. */
static bool spans_touch(const struct bl_span *p, const struct bl_span *s)
{
    return p->func == s->func && p->space == s->space &&
           (p->hi == UINT64_MAX || s->lo <= p->hi + 1);
}

/* Merges the span just inserted at `at` with the neighbours it touches.
 * Once a pass has merged the whole list (spans_tidy), no two other spans
 * touch, so only those neighbours can merge: the result is the whole
 * pass's, without walking every span on each insertion (3.2 M of the 38 M
 * instructions of bl_msg on 200,000 packets of gen-bench.py).  A list
 * that may not be tidy (loaded from a file) gets the whole pass. */
static void spans_coalesce(struct bl_conv *c, uint32_t at)
{
    if (!c->spans_tidy) {
        uint32_t o = 0;
        for (uint32_t i = 0; i < c->n_spans; i++) {
            struct bl_span *s = &c->spans[i];
            if (o > 0 && spans_touch(&c->spans[o - 1], s)) {
                if (s->hi > c->spans[o - 1].hi)
                    c->spans[o - 1].hi = s->hi;
                continue;
            }
            c->spans[o++] = *s;
        }
        c->n_spans = o;
        c->spans_tidy = true;
        return;
    }
    uint32_t p = at > 0 && spans_touch(&c->spans[at - 1], &c->spans[at]) ? at - 1 : at;
    uint32_t next = p + 1;
    for (; next < c->n_spans && spans_touch(&c->spans[p], &c->spans[next]); next++)
        if (c->spans[next].hi > c->spans[p].hi)
            c->spans[p].hi = c->spans[next].hi;
    memmove(&c->spans[p + 1], &c->spans[next], (c->n_spans - next) * sizeof(c->spans[0]));
    c->n_spans -= next - (p + 1);
}

/* Makes room by merging the two closest spans of one group (the learned set
 * stays a superset: coarser, never smaller).  False when no group has two. */
static bool spans_coarsen(struct bl_conv *c)
{
    int best = -1;
    uint64_t gap = UINT64_MAX;
    for (uint32_t i = 0; i + 1 < c->n_spans; i++) {
        const struct bl_span *a = &c->spans[i], *n = &c->spans[i + 1];
        if (a->func != n->func || a->space != n->space)
            continue;
        if (n->lo - a->hi < gap) {
            gap = n->lo - a->hi;
            best = (int)i;
        }
    }
    if (best < 0)
        return false;
    struct bl_span *a = &c->spans[best];
    a->hi = c->spans[best + 1].hi > a->hi ? c->spans[best + 1].hi : a->hi;
    memmove(&c->spans[best + 1], &c->spans[best + 2],
            (c->n_spans - (uint32_t)best - 2) * sizeof(*a));
    c->n_spans--;
    return true;
}

/* Learns [lo, hi]; true when the learned set grew. */
static bool spans_add(struct baseline *b, struct bl_conv *c, uint32_t func, uint32_t space,
                      const char *name, uint64_t lo, uint64_t hi, uint32_t dev)
{
    bool known;
    if (spans_contain(c, func, space, lo, hi, &known))
        return false;
    if (c->n_spans >= b->cfg.max_intervals) {
        overflow(b, OVF_INTERVALS, b->cfg.max_intervals, dev);
        if (!spans_coarsen(c)) {
            c->spans_overflow = true;
            return false;
        }
    }
    uint32_t at = 0;
    while (at < c->n_spans && span_cmp(&c->spans[at], func, space, lo) < 0)
        at++;
    memmove(&c->spans[at + 1], &c->spans[at], (c->n_spans - at) * sizeof(c->spans[0]));
    c->spans[at] = (struct bl_span){func, space, name, lo, hi};
    c->n_spans++;
    spans_coalesce(c, at);
    return true;
}

static json_t *span_list(const struct bl_conv *c, uint32_t func, uint32_t space)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < c->n_spans; i++)
        if (c->spans[i].func == func && c->spans[i].space == space && json_array_size(a) < 16)
            json_array_append_new(a, json_pack("[o, o]", bl_json_addr(c->spans[i].lo),
                                               bl_json_addr(c->spans[i].hi)));
    return a;
}

/* ---------------------------------------------------------------- points */

static uint32_t point_hash_of(uint32_t dev, uint8_t proto, uint32_t unit, uint32_t space,
                              uint64_t addr)
{
    uint64_t h = mix64(((uint64_t)dev << 32) | (((uint64_t)proto << 24) ^ unit));
    h = mix64(h ^ space ^ ((uint64_t)space << 40));
    return (uint32_t)mix64(h ^ addr);
}

static uint32_t point_find(const struct baseline *b, uint32_t dev, uint8_t proto, uint32_t unit,
                           uint32_t space, uint64_t addr)
{
    uint32_t h = point_hash_of(dev, proto, unit, space, addr) & b->point_mask;
    for (uint32_t i = b->point_hash[h]; i != BL_NONE; i = b->point[i].hnext) {
        const struct bl_point *p = &b->point[i];
        if (p->dev == dev && p->proto == proto && p->unit == unit && p->space == space &&
            p->addr == addr)
            return i;
    }
    return BL_NONE;
}

uint32_t bl_point_add(struct baseline *b, uint32_t dev, uint8_t proto, uint32_t unit,
                      uint32_t space, uint64_t addr)
{
    if (b->n_point >= b->cfg.max_points) {
        overflow(b, OVF_POINTS, b->cfg.max_points, dev);
        return BL_NONE;
    }
    uint32_t id = b->n_point++;
    struct bl_point *p = &b->point[id];
    memset(p, 0, sizeof(*p));
    p->dev = dev;
    p->proto = proto;
    p->unit = unit;
    p->space = space;
    p->addr = addr;
    uint32_t h = point_hash_of(dev, proto, unit, space, addr) & b->point_mask;
    p->hnext = b->point_hash[h];
    b->point_hash[h] = id;
    return id;
}

static bool point_learn(struct baseline *b, struct bl_point *p, double v, uint32_t dev)
{
    bool grew = false;
    if (p->writes == 0) {
        p->min = p->max = p->last = v;
        p->set[0] = v;
        p->n_set = 1;
        p->writes = 1;
        p->grew_at = 1;
        return true;
    }
    if (v < p->min) {
        p->min = v;
        grew = true;
    }
    if (v > p->max) {
        p->max = v;
        grew = true;
    }
    double step = fabs(v - p->last);
    if (step > p->step)
        p->step = step;
    p->last = v;
    p->writes++;
    bool in = false;
    for (unsigned i = 0; i < p->n_set; i++)
        in |= p->set[i] == v;
    if (!in && !p->set_overflow) {
        if (p->n_set < b->cfg.value_set) {
            p->set[p->n_set++] = v;
            grew = true;
        } else {
            p->set_overflow = true;
            overflow(b, OVF_VALUES, b->cfg.value_set, dev);
        }
    }
    if (grew)
        p->grew_at = p->writes;
    return grew;
}

/* A point is discrete (a mode, a state, a recipe number) when few values
 * came back again and again and no new one came for a while (value_min_writes
 * writes, or three per value); then only those values are allowed.  Otherwise
 * the learned span is widened by value_tolerance percent, the largest step
 * and a tenth of the magnitude. */
static bool point_allows(const struct baseline *b, const struct bl_point *p, double v, double *lo,
                         double *hi, bool *discrete)
{
    uint64_t quiet = 3ULL * p->n_set > b->cfg.value_min_writes ? 3ULL * p->n_set
                                                               : b->cfg.value_min_writes;
    *discrete = !p->set_overflow && p->n_set <= b->cfg.value_set / 2 &&
                p->writes - p->grew_at >= quiet;
    if (*discrete) {
        *lo = p->min;
        *hi = p->max;
        for (unsigned i = 0; i < p->n_set; i++)
            if (p->set[i] == v)
                return true;
        return false;
    }
    double span = p->max - p->min;
    double mag = fabs(p->min) > fabs(p->max) ? fabs(p->min) : fabs(p->max);
    double m = span * b->cfg.value_tolerance / 100.0;
    if (p->step > m)
        m = p->step;
    if (0.1 * mag > m)
        m = 0.1 * mag;
    *lo = p->min - m;
    *hi = p->max + m;
    return v >= *lo && v <= *hi;
}

static json_t *point_evidence(const struct bl_point *p)
{
    json_t *set = json_array();
    for (unsigned i = 0; i < p->n_set; i++)
        json_array_append_new(set, json_real(p->set[i]));
    return json_pack("{s:f, s:f, s:o, s:b, s:f, s:I, s:I}", "min", p->min, "max", p->max, "set",
                     set, "set_overflow", p->set_overflow, "largest_step", p->step, "writes",
                     (json_int_t)p->writes, "writes_since_new_value",
                     (json_int_t)(p->writes - p->grew_at));
}

/* ---------------------------------------------------------------- period */

static uint32_t msg_signature(const struct ot_msg *m, bool from_server)
{
    uint64_t flags = (uint64_t)from_server | (uint64_t)(m->dir == OT_DIR_REQUEST) << 1 |
                     (uint64_t)m->has_function << 2 | (uint64_t)m->has_unit << 3;
    uint64_t h = mix64((uint64_t)m->function_code << 32 | flags << 24 |
                       (m->has_unit ? m->unit & 0xffffff : 0));
    if (m->n_ranges)
        h = mix64(h ^ m->ranges[0].start ^ ((uint64_t)m->ranges[0].space_id << 48)) ^
            m->ranges[0].count;
    uint32_t s = (uint32_t)(h ^ h >> 32);
    return s ? s : 1;
}

static void dev_period(struct baseline *b, uint32_t id, double period)
{
    struct bl_device *d = &b->dev[id];
    if (d->key.kind == BL_DEV_HOST && (d->period == 0 || period < d->period))
        d->period = period;
}

static void period_msg(struct baseline *b, uint32_t conv, uint32_t sig, uint64_t now, bool learn)
{
    struct bl_conv *c = &b->conv[conv];
    struct bl_period *p = &c->period;
    if (learn) {
        if (p->gave_up)
            return;
        if (p->anchor == 0) {
            p->anchor = sig;
            p->last = now;
            return;
        }
        if (sig != p->anchor)
            return;
        if (p->last && now > p->last) {
            double iv = (double)(now - p->last) / USEC;
            if (p->n == 0) {
                p->mean = iv;
                p->jitter = 0;
            } else {
                double a = p->n < 16 ? 1.0 / (p->n + 1) : 0.1;
                double dev = fabs(iv - p->mean);
                p->mean += a * (iv - p->mean);
                p->jitter += a * (dev - p->jitter);
            }
            p->n++;
        }
        p->last = now;
        bool was = p->periodic;
        p->periodic = p->n >= PERIOD_MIN_SAMPLES && p->jitter <= 0.25 * p->mean && p->mean > 0;
        if (p->periodic && !was) {
            dev_period(b, c->client, p->mean);
            dev_period(b, c->server, p->mean);
        }
        if (!p->periodic && p->n >= PERIOD_ANCHOR_SAMPLES) {
            /* this message does not recur regularly: try the next one */
            if (++p->tries >= PERIOD_MAX_TRIES)
                p->gave_up = true;
            p->anchor = 0;
            p->n = 0;
            p->mean = p->jitter = 0;
        }
        return;
    }
    if (!p->periodic || sig != p->anchor)
        return;
    if (p->last && now > p->last) {
        double iv = (double)(now - p->last) / USEC;
        double band = p->mean * b->cfg.period_tolerance / 100.0;
        if (5 * p->jitter > band)
            band = 5 * p->jitter;
        if (fabs(iv - p->mean) > band) {
            p->last_off = iv;
            if (p->off_run++ == 0)
                p->off_since = p->last;
        } else {
            p->off_run = 0;
            p->alerted = false;
        }
        /* a storm is said by rate_anomaly; its period is not news */
        uint64_t bucket = now / ((uint64_t)b->cfg.rate_bucket * USEC) + 1;
        bool storm = c->rate_alert_bucket && c->rate_alert_bucket + 2 >= bucket;
        /* and a change lasts: off for two learned periods at least (a burst
         * of fast polls is a rate question) */
        bool lasting = (double)(now - p->off_since) >= 2 * p->mean * USEC;
        if (p->off_run >= PERIOD_OFF_RUN && lasting && !p->alerted && !storm &&
            b->cfg.mode != BL_MODE_LEARN) {
            p->alerted = true;
            json_t *ev = json_pack("{s:f, s:f, s:f, s:i, s:s}", "learned_period_s", p->mean,
                                   "learned_jitter_s", p->jitter, "observed_interval_s", iv,
                                   "consecutive", p->off_run, "change",
                                   iv < p->mean ? "faster" : "slower");
            emit(b, BL_A_PERIOD, c->client, c->server, conv, ev);
        }
    }
    p->last = now;
}

/* ---------------------------------------------------------- time of day */

static unsigned popcount24(uint32_t m)
{
    return (unsigned)__builtin_popcount(m & 0xffffff);
}

/* Intermittent: active in at most two thirds of the hours it was watched
 * (an engineering workstation), unlike a poller busy every hour. */
static bool intermittent(const struct bl_device *d)
{
    unsigned obs = popcount24(d->hours_obs), act = popcount24(d->hours);
    return obs >= OBS_MIN_HOURS && act >= 1 && act * 3 <= obs * 2;
}

static void observe_hour(struct baseline *b, uint64_t now)
{
    if (now < b->obs_hour_end)
        return;
    b->obs_hour_end = (now / HOUR_USEC + 1) * HOUR_USEC;
    if (b->net_state == BL_MATURE && b->cfg.mode != BL_MODE_LEARN)
        return;
    uint32_t bit = 1U << ((now / HOUR_USEC) % 24);
    b->hours_observed |= bit;
    for (uint32_t i = 0; i < b->n_dev; i++)
        if (b->dev[i].seen && dev_learning(b, &b->dev[i]))
            b->dev[i].hours_obs |= bit;
}

/* The hour of a host changed: learn it, or judge it. */
static void hour_change(struct baseline *b, uint32_t id, uint32_t conv, uint64_t now)
{
    struct bl_device *d = &b->dev[id];
    d->hour_end = (now / HOUR_USEC + 1) * HOUR_USEC;
    unsigned h = (unsigned)((now / HOUR_USEC) % 24);
    if (dev_learning(b, d)) {
        d->hours |= 1U << h;
        d->hours_obs |= 1U << h;
        return;
    }
    if (!intermittent(d) || (d->hours & (1U << h)) || b->cfg.mode == BL_MODE_LEARN)
        return;
    json_t *learned = json_array(), *obs = json_array();
    for (unsigned i = 0; i < 24; i++) {
        if (d->hours & (1U << i))
            json_array_append_new(learned, json_integer(i));
        if (d->hours_obs & (1U << i))
            json_array_append_new(obs, json_integer(i));
    }
    json_t *ev = json_pack("{s:o, s:i, s:o, s:o}", "device", jstr_dev(b, id), "hour_utc", h,
                           "learned_active_hours_utc", learned, "watched_hours_utc", obs);
    const struct bl_conv *c = &b->conv[conv];
    emit(b, BL_A_UNUSUAL_TIME, id, c->client == id ? c->server : c->client, conv, ev);
}

/* Every message marks the hour of both ends: the test is inline, the work
 * once an hour. */
static inline void mark_hour(struct baseline *b, uint32_t id, uint32_t conv, uint64_t now)
{
    const struct bl_device *d = &b->dev[id];
    if (d->key.kind == BL_DEV_HOST && now >= d->hour_end)
        hour_change(b, id, conv, now);
}

/* ---------------------------------------------------------------- messages */

static void learn_func(struct baseline *b, struct bl_conv *c, const struct ot_msg *m,
                       bool from_server, uint32_t dev)
{
    if (c->n_funcs >= b->cfg.max_functions) {
        c->funcs_overflow = true;
        overflow(b, OVF_FUNCTIONS, b->cfg.max_functions, dev);
        return;
    }
    c->funcs[c->n_funcs++] = (struct bl_func){m->function_code, (uint8_t)m->op_class,
                                              from_server, m->function};
    if (!from_server && is_command((uint8_t)m->op_class))
        c->has_command = true;
    conv_novelty(b, c);
}

static json_t *msg_function(const struct ot_msg *m)
{
    return json_pack("{s:I, s:s, s:s}", "function_code", (json_int_t)m->function_code, "function",
                     m->function ? m->function : "unknown", "op_class",
                     ot_op_name(m->op_class));
}

/* Devices that issued commands to the server (known masters), up to 8. */
static json_t *masters_of(const struct baseline *b, uint32_t server)
{
    json_t *a = json_array();
    for (uint32_t i = b->dev[server].sconv_head; i != BL_NONE && json_array_size(a) < 8;
         i = b->conv[i].snext)
        if (b->conv[i].has_command)
            json_array_append_new(a, jstr_dev(b, b->conv[i].client));
    return a;
}

void bl_msg(struct baseline *b, uint32_t conv, bool from_server, const struct ot_msg *m,
            uint64_t now)
{
    if (conv >= b->n_conv)
        return;
    if (now > b->now)
        b->now = now;
    struct bl_conv *c = &b->conv[conv];
    uint32_t sender = from_server ? c->server : c->client;
    struct bl_device *cd = &b->dev[c->client], *sd = &b->dev[c->server];
    struct bl_device *snd = &b->dev[sender];
    bool request = m->dir == OT_DIR_REQUEST;
    bool detect = b->cfg.mode != BL_MODE_LEARN;
    c->msgs++;
    observe_hour(b, now);

    /* the protocol, once per conversation and per device side; a side of a
     * conversation that already carried the protocol (the first response of
     * an outstation whose requests were learned) is not a new protocol */
    uint32_t pbit = (m->proto > 0 && m->proto < 32) ? 1U << m->proto : 0;
    bool conv_knew = c->proto == m->proto && c->msgs > 1;
    if (!c->proto && m->proto) {
        c->proto = (uint8_t)m->proto;
        c->app[0] = '\0';
        proto_use(b, c->client, c->l4, c->port, (uint8_t)m->proto, false);
        proto_use(b, c->server, c->l4, c->port, (uint8_t)m->proto, true);
    }
    uint32_t *mask = request ? &snd->client_protos : &snd->server_protos;
    if (pbit && !(*mask & pbit) && snd->key.kind == BL_DEV_HOST) {
        if (!dev_learning(b, snd) && !c->alerted_new && detect && !conv_learning(b, c) &&
            !conv_knew) {
            c->alerted_new = true;
            json_t *ev = json_pack("{s:o, s:s, s:s, s:o}", "device", jstr_dev(b, sender),
                                   "protocol", ot_proto_name(m->proto), "side",
                                   request ? "client" : "server", "learned_protocols",
                                   proto_list(snd));
            emit(b, BL_A_NEW_PROTOCOL, sender, from_server ? c->client : c->server, conv, ev);
        }
        /* the role follows what the device does, learning or not */
        *mask |= pbit;
        infer_role(b, sender);
        if (dev_learning(b, snd))
            novelty(b, sender);
    }
    if (request && m->has_function && m->op_class < OT_OP_COUNT) {
        bool first = snd->ops[m->op_class] == 0;
        snd->ops[m->op_class]++;
        if (first)
            infer_role(b, sender);
    } else if (!request) {
        snd->served++;
    }
    mark_hour(b, c->client, conv, now);
    mark_hour(b, c->server, conv, now);

    bool learn = conv_learning(b, c);
    bool from_client_req = request && !from_server;
    /* paired responses repeat their request's function: only requests and
     * messages of their own (spontaneous data, publications) are learned */
    bool judged = request || m->pair == OT_PAIR_NONE;

    /* rogue master: a host that was never a master of a frozen device (no
     * request of its own was learned on this conversation: a new device, a
     * new conversation) commands it.  A known master's first command is a
     * new function code instead. */
    bool cmd = from_client_req && m->has_function && is_command((uint8_t)m->op_class);
    bool rogue = false;
    if (cmd && detect) {
        bool client_initial = dev_learning(b, cd) && cd->why != BL_WHY_NEW_DEVICE;
        bool master_here = false;
        for (uint32_t i = 0; i < c->n_funcs && !master_here; i++)
            master_here = !c->funcs[i].from_server;
        if (!master_here && !dev_learning(b, sd) && sd->key.kind == BL_DEV_HOST &&
            !client_initial) {
            rogue = true;
            json_t *ev = json_pack("{s:o, s:o, s:o, s:s, s:b, s:o}", "client",
                                   jstr_dev(b, c->client), "server", jstr_dev(b, c->server),
                                   "function", msg_function(m), "learned",
                                   "the client never sent requests to this server",
                                   "client_commands_elsewhere", cd->commander, "known_masters",
                                   masters_of(b, c->server));
            emit(b, BL_A_ROGUE_MASTER, c->client, c->server, conv, ev);
        }
    }
    if (cmd && !cd->commander) {
        if (dev_learning(b, cd) || (cd->key.kind != BL_DEV_HOST && learn)) {
            cd->commander = true;
            infer_role(b, c->client);
            novelty(b, c->client);
        }
    }

    /* function code */
    bool func_known = true;
    if (judged && m->has_function) {
        int fi = func_find(c, m->function_code, from_server);
        if (fi < 0) {
            func_known = false;
            if (learn) {
                learn_func(b, c, m, from_server, sender);
            } else if (!c->funcs_overflow && detect && !rogue && !from_server &&
                       !said(b, BL_A_NEW_FUNCTION, conv, m->function_code, 0)) {
                /* new types a server sends (an outstation reporting a new kind
                 * of data) are its configuration, not a command: not said */
                bool first_cmd = !from_server && is_command((uint8_t)m->op_class) &&
                                 !c->has_command;
                json_t *ev = json_pack("{s:o, s:o, s:o, s:s}", "observed", msg_function(m),
                                       "learned", func_list(c), "learned_classes",
                                       class_list(c, from_server), "sender",
                                       from_server ? "server" : "client");
                enum bl_alert kind = first_cmd ? BL_A_NEW_FUNCTION_CMD
                                     : is_command((uint8_t)m->op_class) ? BL_A_NEW_FUNCTION_WRITE
                                                                         : BL_A_NEW_FUNCTION;
                emit(b, kind, sender,
                     from_server ? c->client : c->server, conv, ev);
            }
        }
    }

    /* unit id */
    if (from_client_req && m->has_unit) {
        bool found = false;
        for (uint32_t i = 0; i < c->n_units && !found; i++)
            found = c->units[i] == m->unit;
        if (!found) {
            if (learn) {
                if (c->n_units < b->cfg.max_units) {
                    c->units[c->n_units++] = m->unit;
                    conv_novelty(b, c);
                } else {
                    c->units_overflow = true;
                    overflow(b, OVF_UNITS, b->cfg.max_units, sender);
                }
            } else if (!c->units_overflow && detect && c->n_units &&
                       !said(b, BL_A_NEW_UNIT, conv, m->unit, 0)) {
                json_t *units = json_array();
                for (uint32_t i = 0; i < c->n_units; i++)
                    json_array_append_new(units, json_integer(c->units[i]));
                json_t *ev = json_pack("{s:o, s:o, s:I, s:o}", "client", jstr_dev(b, c->client),
                                       "server", jstr_dev(b, c->server), "unit",
                                       (json_int_t)m->unit, "learned_units", units);
                emit(b, BL_A_NEW_UNIT, c->client, c->server, conv, ev);
            }
        }
    }

    /* addresses: requests only, and only for a function already learned */
    if (from_client_req && m->has_function && m->n_ranges && (learn || func_known)) {
        for (uint8_t i = 0; i < m->n_ranges; i++) {
            const struct ot_range *r = &m->ranges[i];
            uint64_t lo = r->start;
            uint64_t hi = r->count ? r->start + r->count - 1 : r->start;
            if (hi < lo)
                hi = UINT64_MAX;
            if (learn) {
                if (spans_add(b, c, m->function_code, r->space_id, r->space, lo, hi, sender))
                    conv_novelty(b, c);
                continue;
            }
            bool known;
            if (spans_contain(c, m->function_code, r->space_id, lo, hi, &known) ||
                (!known && c->spans_overflow) || !detect ||
                said(b, BL_A_ADDRESS_READ, conv, (uint64_t)m->function_code << 32 | r->space_id,
                     lo ^ (hi << 1)))
                continue;
            bool write = is_command((uint8_t)m->op_class);
            json_t *ev = json_pack("{s:o, s:s, s:{s:o, s:I}, s:o}", "function", msg_function(m),
                                   "space", r->space ? r->space : "unknown", "observed", "start",
                                   bl_json_addr(r->start), "count", (json_int_t)r->count, "learned",
                                   span_list(c, m->function_code, r->space_id));
            emit(b, write ? BL_A_ADDRESS_WRITE : BL_A_ADDRESS_READ, c->client, c->server, conv,
                 ev);
            break; /* one finding per message */
        }
    }

    /* values written: learned per point of the device written to */
    if (from_client_req && m->n_values &&
        (m->op_class == OT_OP_WRITE || m->op_class == OT_OP_CONTROL) &&
        sd->key.kind == BL_DEV_HOST) {
        bool learn_dev = b->cfg.mode == BL_MODE_LEARN || dev_learning(b, sd);
        uint32_t unit = m->has_unit ? m->unit : UINT32_MAX;
        for (uint8_t i = 0; i < m->n_values; i++) {
            const struct ot_value *v = &m->values[i];
            if (!isfinite(v->value))
                continue; /* a float register holding NaN: nothing to compare */
            const char *space = NULL;
            for (uint8_t k = 0; k < m->n_ranges && !space; k++)
                if (m->ranges[k].space_id == v->space_id)
                    space = m->ranges[k].space;
            uint32_t pid = point_find(b, c->server, (uint8_t)m->proto, unit, v->space_id, v->addr);
            /* a point written fewer than value_min_writes times says too little
             * to judge a value by: it goes on learning (the device may be
             * mature), unless the value is an order of magnitude away */
            bool unsettled = pid != BL_NONE && b->point[pid].writes < b->cfg.value_min_writes;
            double lo, hi;
            bool discrete = false, allowed = true;
            if (pid != BL_NONE && !learn_dev) {
                const struct bl_point *p = &b->point[pid];
                if (unsettled) {
                    double mag = fabs(p->min) > fabs(p->max) ? fabs(p->min) : fabs(p->max);
                    double w = (p->max - p->min) + (mag > 1 ? mag : 1);
                    lo = p->min - w;
                    hi = p->max + w;
                    allowed = v->value >= lo && v->value <= hi;
                } else {
                    allowed = point_allows(b, p, v->value, &lo, &hi, &discrete);
                }
            }
            if (learn_dev || (unsettled && allowed)) {
                if (pid == BL_NONE)
                    pid = bl_point_add(b, c->server, (uint8_t)m->proto, unit, v->space_id,
                                       v->addr);
                if (pid != BL_NONE && !b->point[pid].space_name)
                    b->point[pid].space_name = space;
                if (pid != BL_NONE && point_learn(b, &b->point[pid], v->value, c->server))
                    novelty(b, c->server);
                continue;
            }
            uint64_t bits;
            memcpy(&bits, &v->value, sizeof(bits));
            if (pid == BL_NONE || !detect || allowed || said(b, BL_A_VALUE, conv, pid, bits))
                continue;
            const struct bl_point *p = &b->point[pid];
            double dist = v->value < lo ? lo - v->value : v->value - hi;
            double width = hi - lo;
            double mag = fabs(lo) > fabs(hi) ? fabs(lo) : fabs(hi);
            if (0.5 * mag > width)
                width = 0.5 * mag;
            bool far = unsettled || dist > (width > 1 ? width : 1);
            if (!space)
                space = p->space_name ? p->space_name : "unknown";
            json_t *ev = json_pack("{s:o, s:s, s:o, s:f, s:o, s:[f, f], s:s}", "function",
                                   msg_function(m), "space", space, "address",
                                   bl_json_addr(v->addr), "observed", v->value, "learned",
                                   point_evidence(p), "allowed", lo, hi, "rule",
                                   discrete    ? "discrete set"
                                   : unsettled ? "few writes learned: magnitude only"
                                               : "learned span with tolerance");
            if (m->has_unit)
                json_object_set_new(ev, "unit", json_integer(m->unit));
            emit(b, far ? BL_A_VALUE_FAR : BL_A_VALUE, c->client, c->server, conv, ev);
            break;
        }
    }

    /* rates and period */
    if (from_client_req) {
        if (now >= c->rate_req.end)
            rate_roll(b, &c->rate_req, now, learn, b->cfg.rate_min);
        if (rate_hot(&c->rate_req, 1) && detect) {
            c->rate_alert_bucket = c->rate_req.bucket;
            emit(b, BL_A_RATE, c->client, c->server, conv, rate_evidence(b, &c->rate_req,
                                                                          "requests"));
        }
    }
    if (judged)
        period_msg(b, conv, msg_signature(m, from_server), now, learn);
}

/* ------------------------------------------------------------------ time */

void bl_run_start(struct baseline *b, uint64_t now)
{
    b->running = true;
    b->run_start = now;
    if (now > b->now)
        b->now = now;
    if (!b->start)
        b->start = now;
    b->next_eval = now + EVAL_USEC;
    for (uint32_t i = 0; i < b->n_dev; i++) {
        struct bl_device *d = &b->dev[i];
        /* rates restart: the time between two runs is not traffic */
        d->rate_pkts.end = d->rate_bytes.end = 0;
        d->hour_end = 0;
        d->silent_alerted = false;
        /* alive when the baseline was last written: its silence counts */
        double thr = d->period * b->cfg.silent_factor;
        if (thr < b->cfg.silent_min)
            thr = b->cfg.silent_min;
        d->silent_armed = d->seen && b->updated &&
                          (double)(b->updated - (d->last_seen < b->updated ? d->last_seen
                                                                            : b->updated)) <=
                              thr * USEC;
    }
    for (uint32_t i = 0; i < b->n_conv; i++) {
        struct bl_conv *c = &b->conv[i];
        c->rate_req.end = c->rate_bytes.end = 0;
        c->period.last = 0;
        c->period.off_run = 0;
        c->period.alerted = false;
    }
}

static void check_silence(struct baseline *b, uint32_t id, uint64_t now)
{
    struct bl_device *d = &b->dev[id];
    if (d->key.kind != BL_DEV_HOST || !d->seen || d->alias != BL_NONE || d->period <= 0 ||
        !d->silent_armed || d->silent_alerted || dev_learning(b, d) ||
        b->cfg.mode == BL_MODE_LEARN)
        return;
    double thr = d->period * b->cfg.silent_factor;
    if (thr < b->cfg.silent_min)
        thr = b->cfg.silent_min;
    uint64_t ref = d->last_seen > b->run_start ? d->last_seen : b->run_start;
    if (now <= ref || (double)(now - ref) <= thr * USEC)
        return;
    d->silent_alerted = true;
    json_t *ev = json_pack("{s:o, s:o, s:f, s:f, s:f, s:s}", "device", jstr_dev(b, id),
                           "last_seen", jtime(d->last_seen), "silent_s",
                           (double)(now - ref) / USEC, "learned_period_s", d->period,
                           "threshold_s", thr, "role", bl_role_name((enum bl_role)d->role));
    emit(b, BL_A_SILENT, id, BL_NONE, BL_NONE, ev);
}

static bool rates_settled(const struct baseline *b, const struct bl_device *d, uint64_t window)
{
    return d->rate_pkts.settled || b->now - d->last_seen >= window;
}

static void evaluate(struct baseline *b, uint64_t now)
{
    bool all_mature = true;
    uint64_t minp = (uint64_t)b->cfg.min_period * USEC, maxp = (uint64_t)b->cfg.max_period * USEC;
    for (uint32_t i = 0; i < b->n_dev; i++) {
        struct bl_device *d = &b->dev[i];
        if (d->key.kind != BL_DEV_HOST || !d->seen || d->alias != BL_NONE)
            continue;
        if (d->state == BL_LEARNING && b->cfg.mode != BL_MODE_LEARN) {
            uint64_t age = now > d->learn_start ? now - d->learn_start : 0;
            if (d->why == BL_WHY_NEW_DEVICE) {
                if (age >= (uint64_t)b->cfg.new_device_period * USEC)
                    set_state(b, i, BL_MATURE, BL_WHY_NEW_PERIOD);
            } else if (b->cfg.mode == BL_MODE_AUTO) {
                uint64_t window = d->period > 0
                                      ? (uint64_t)(d->period * b->cfg.stable_cycles * USEC)
                                      : minp;
                if (age >= maxp)
                    set_state(b, i, BL_MATURE, BL_WHY_MAX_PERIOD);
                else if (age >= minp && now - d->last_novelty >= window &&
                         rates_settled(b, d, window))
                    set_state(b, i, BL_MATURE, BL_WHY_STABLE);
            }
        }
        if (d->state == BL_LEARNING)
            all_mature = false;
        check_silence(b, i, now);
    }
    if (b->cfg.mode == BL_MODE_AUTO && b->net_state == BL_LEARNING && b->start) {
        uint64_t age = now > b->start ? now - b->start : 0;
        if ((age >= minp && all_mature) || age >= maxp) {
            b->net_state = BL_MATURE;
            b->net_since = now;
        }
    }
}

void bl_tick(struct baseline *b, uint64_t now)
{
    if (now > b->now)
        b->now = now;
    if (!b->running)
        bl_run_start(b, now);
    if (b->now < b->next_eval)
        return;
    b->next_eval = b->now + EVAL_USEC;
    evaluate(b, b->now);
}

void bl_finish(struct baseline *b, uint64_t now)
{
    if (now > b->now)
        b->now = now;
    if (!b->running)
        return;
    evaluate(b, b->now);
    if (b->now > b->updated)
        b->updated = b->now;
}
