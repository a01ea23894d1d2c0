/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: libotbaseline, the public interface: the asset inventory and the
 * per-device / per-conversation traffic baselines (DESIGN section 6), their
 * learning (modes learn / detect / auto, maturity per device), scoring
 * (DESIGN section 7, source "baseline") and persistence as a versioned JSON
 * file.  No engine headers: the caller hands in plain keys, counts and the
 * normalized OT message (dissectors/otmsg.h); findings come back through a
 * callback with their evidence as a jansson object.
 *
 * specification: DESIGN.md sections 4 (modes, -b), 6 (baselines), 7 (detection
 * catalogue); the file format is described in README.md ("Baselines").
 *
 * Memory: every table is reserved at bl_new() from the caps in struct
 * bl_config (devices, conversations, written points, and per conversation the
 * function, unit and interval sets); nothing is allocated on the per-packet
 * path.  What does not fit is counted (struct bl_overflow) and reported once
 * as a finding, never grown.
 *
 * Time is packet time in microseconds since the epoch, passed to every call;
 * nothing reads the wall clock, so a replay gives the same results. */
#ifndef OT_BASELINE_H
#define OT_BASELINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "otmsg.h"

#define BL_FORMAT "otsensor-baseline"
#define BL_FORMAT_VERSION 1 /* files with a higher version are refused */
#define BL_NONE UINT32_MAX  /* no device / conversation */
#define BL_ERRBUF 512
/* significant digits of the numbers bl_save writes (means, variances): enough
 * for what the detections compare, and a file that stays readable */
#define BL_FILE_DIGITS 10

#define BL_IDENT_LEN 64  /* one identity string, NUL included */
#define BL_SRC_LEN 12    /* the protocol that revealed it ("modbus", "lldp") */
#define BL_MAX_MACS 4    /* MACs recorded per IP device */
#define BL_MAX_PROTOS 16 /* (protocol, port, side) entries per device */
#define BL_MAX_SET 16    /* hard ceiling of baseline.value_set */
#define BL_RATE_BINS 33  /* log2 bins of per-bucket counts: 0, [1,2), [2,4) ... */
#define BL_ZONE_LEN 32
#define BL_APP_LEN 16
#define BL_EVIDENCE_LEN 96
#define BL_SAID_SLOTS 8192 /* deviations remembered per run so each is said once */

enum bl_mode {
    BL_MODE_AUTO = 0, /* each device learns until stable, then detects */
    BL_MODE_LEARN,    /* learn only: no findings but overflow */
    BL_MODE_DETECT,   /* every loaded device is frozen; the file is never rewritten */
};

/* What a device entry stands for. */
enum bl_dev_kind {
    BL_DEV_HOST = 0,  /* an internal address (or, with ip_version 0, a MAC seen only at L2) */
    BL_DEV_EXTERNAL,  /* every address outside networks.internal, as one peer */
    BL_DEV_GROUP,     /* a multicast / broadcast destination */
};

/* A device key, normalized by the caller: for an IP host the MAC is zero
 * (the MAC is an attribute, see bl_device_mac); for an L2-only device the IP
 * is zero and ip_version 0; the external peer has everything zero. */
struct bl_key {
    uint8_t ip[16];
    uint8_t mac[6];
    uint16_t vlan;
    uint8_t ip_version;
    uint8_t kind; /* enum bl_dev_kind */
    uint8_t pad[2];
};

enum bl_field {
    BL_F_VENDOR = 0,  /* from the dissectors (ot_identity) */
    BL_F_PRODUCT,
    BL_F_MODEL,
    BL_F_FIRMWARE,
    BL_F_SERIAL,
    BL_F_NAME,
    BL_F_HOSTNAME,     /* DHCP option 12 */
    BL_F_VENDOR_CLASS, /* DHCP option 60 */
    BL_F_SYSNAME,      /* LLDP / CDP system name (device id) */
    BL_F_SYSDESCR,     /* LLDP system description / CDP software, platform */
    BL_F_PORT,         /* LLDP / CDP port id: the port the frame left by */
    BL_F_MGMT_ADDR,    /* LLDP / CDP management address */
    BL_F_CAPABILITIES, /* LLDP / CDP capabilities (enabled) */
    BL_F_DNS_NAME,     /* a DNS answer naming the address */
    BL_F_TLS_NAME,     /* TLS SNI / HTTP Host of a service it serves */
    BL_F_COUNT,
};

enum bl_role {
    BL_ROLE_UNKNOWN = 0,
    BL_ROLE_PLC,       /* PLC / RTU / IED: answers or publishes an industrial protocol */
    BL_ROLE_HMI,       /* HMI / SCADA server: polls and commands */
    BL_ROLE_EWS,       /* engineering workstation: programs, diagnoses, identifies */
    BL_ROLE_HISTORIAN, /* reads industrial data, never commands */
    BL_ROLE_IT,        /* only IT protocols */
    BL_ROLE_NETWORK,   /* switch / router (LLDP or CDP capabilities) */
    BL_ROLE_COUNT,
};

enum bl_state {
    BL_LEARNING = 0,
    BL_MATURE,
};

/* Why a device is in its state. */
enum bl_why {
    BL_WHY_INITIAL = 0, /* learning: part of the network's first learning */
    BL_WHY_NEW_DEVICE,  /* learning: first seen after learning was over (its own profile) */
    BL_WHY_RELEARN,     /* learning: put back into learning by an operator */
    BL_WHY_STABLE,      /* mature: nothing new for learning.stable_cycles cycles, rates settled */
    BL_WHY_MAX_PERIOD,  /* mature: learning.max_period elapsed */
    BL_WHY_BUDGET,      /* mature: a new device used its learning.new_device_budget */
    BL_WHY_NEW_PERIOD,  /* mature: a new device's learning.new_device_period elapsed */
    BL_WHY_COUNT,
};

/* The detections of this library (DESIGN section 7, source "baseline").
 * Each maps to one alert definition (signature id 1000 + ...) in the engine. */
enum bl_alert {
    BL_A_NEW_DEVICE = 0,
    BL_A_NEW_DEVICE_SCAN,   /* a new device contacting many others: T0846 */
    BL_A_NEW_CONVERSATION,
    BL_A_NEW_UNIT,          /* a new unit / station id on a known conversation */
    BL_A_NEW_PROTOCOL,
    BL_A_NEW_FUNCTION,       /* a new function code, not a command */
    BL_A_NEW_FUNCTION_WRITE, /* a new command function where commands were seen */
    BL_A_NEW_FUNCTION_CMD,   /* the first command (write/control/program) where none was seen */
    BL_A_ADDRESS_READ,
    BL_A_ADDRESS_WRITE,
    BL_A_VALUE,
    BL_A_VALUE_FAR,         /* further outside than the learned band is wide */
    BL_A_RATE,              /* a conversation's request or byte rate */
    BL_A_RATE_DEVICE,       /* a device's packet or byte rate */
    BL_A_PERIOD,
    BL_A_SILENT,
    BL_A_ROGUE_MASTER,
    BL_A_UNUSUAL_TIME,
    BL_A_OVERFLOW,
    BL_A_COUNT,
};

/* One finding, handed to the finding hook during the call that made it. */
struct bl_finding {
    enum bl_alert kind;
    uint32_t dev;  /* the device it is about */
    uint32_t peer; /* the other end, or BL_NONE */
    uint32_t conv; /* or BL_NONE */
    json_t *evidence; /* owned by the hook (it must decref or hand it on) */
};

/* Why the device hook is called (each is an `asset` event). */
enum bl_dev_event {
    BL_EV_NEW = 0,
    BL_EV_IDENTITY,
    BL_EV_ROLE,
    BL_EV_LEARNING,
};

struct bl_hooks {
    void *arg;
    void (*finding)(void *arg, struct bl_finding *f);
    void (*device)(void *arg, uint32_t dev, enum bl_dev_event why);
    /* optional: the IEEE vendor of a MAC (static or long-lived), or NULL */
    const char *(*vendor)(void *arg, const uint8_t mac[6]);
    /* optional: the zone and Purdue level of a new device */
    void (*zone)(void *arg, const struct bl_key *k, char zone[BL_ZONE_LEN], int *level);
};

/* Caps and thresholds (configuration keys baseline.*, learning.*, inventory.*). */
struct bl_config {
    enum bl_mode mode;
    uint32_t max_devices;
    uint32_t max_conversations;
    uint32_t max_points;     /* written registers / points with learned values */
    uint32_t max_functions;  /* per conversation */
    uint32_t max_units;      /* per conversation */
    uint32_t max_intervals;  /* address intervals per conversation, all functions */
    uint32_t value_set;      /* discrete values kept per point (<= BL_MAX_SET) */
    uint32_t rate_bucket;    /* seconds */
    uint32_t rate_threshold; /* standard deviations above the mean */
    uint32_t rate_factor;    /* times the largest learned bucket */
    uint32_t rate_min;       /* a bucket below this count never alerts */
    uint32_t value_tolerance;  /* percent of the learned span added each side */
    uint32_t value_min_writes; /* writes of a point before its values are judged */
    uint32_t period_tolerance; /* percent of the period an interval may be off */
    uint32_t silent_factor;    /* periods of silence before device_silent */
    uint32_t silent_min;       /* seconds: never sooner */
    uint32_t stable_cycles;
    uint32_t min_period;       /* seconds */
    uint32_t max_period;       /* seconds */
    uint32_t new_device_period; /* seconds a late device learns its own profile */
    uint32_t new_device_budget; /* novelties it may add silently meanwhile */
    uint32_t scan_peers;        /* peers a new device may contact before "scanning" */
};

void bl_config_defaults(struct bl_config *c);

/* An interval of addresses learned for one (function, address space). */
struct bl_span {
    uint32_t func;
    uint32_t space;
    const char *space_name; /* static (dissector) or owned by the baseline */
    uint64_t lo, hi;        /* inclusive */
};

struct bl_func {
    uint32_t code;
    uint8_t op;          /* enum ot_op */
    bool from_server;    /* sent by the server side (spontaneous data, publications) */
    const char *name;    /* static (dissector) or owned by the baseline; NULL unknown */
};

/* Statistics of one counter over fixed buckets of packet time. */
struct bl_rate {
    /* the open bucket: what every packet touches */
    uint64_t end;        /* packet time the open bucket ends; 0 = none open */
    uint64_t cur;        /* count in the open bucket */
    uint64_t thr;        /* its alert threshold (frozen statistics), 0 = none */
    bool alerted;        /* the open bucket already alerted */
    bool settled;        /* the mean moved less than a quarter over the last 16 buckets */
    uint32_t n;          /* closed buckets learned */
    uint64_t bucket;     /* index of the open bucket (time / rate_bucket) */
    uint64_t max;        /* largest closed bucket while learning */
    double mean, var;    /* EWMA of the bucket counts */
    double snapshot;     /* mean at the last settling check */
    uint32_t hist[BL_RATE_BINS]; /* closed buckets per log2 bin (robust quantiles) */
};

/* Polling period of a conversation, from one recurring request (the anchor). */
struct bl_period {
    uint32_t anchor;     /* signature of the anchor message; 0 = none chosen */
    uint32_t n;          /* intervals measured */
    uint8_t tries;       /* anchors tried */
    bool periodic;
    bool gave_up;        /* no anchor was periodic */
    double mean, jitter; /* seconds: EWMA interval and mean absolute deviation */
    uint64_t last;       /* time of the previous anchor (this run) */
    uint8_t off_run;     /* consecutive intervals off the learned period */
    uint64_t off_since;  /* when the first of them began */
    bool alerted;
    double last_off;     /* the latest interval off the period, seconds */
};

struct bl_proto_use {
    uint16_t port;
    uint8_t l4;       /* 6 TCP, 17 UDP, 1/58 ICMP, 0 layer 2 (port = ethertype) */
    uint8_t proto;    /* enum ot_proto once a dissector spoke, else 0 */
    bool as_server;
};

struct bl_field_val {
    char v[BL_IDENT_LEN];
    char src[BL_SRC_LEN];
};

struct bl_device {
    /* what every packet of the device touches, together */
    struct bl_key key;
    uint8_t state;         /* enum bl_state */
    uint8_t why;           /* enum bl_why */
    bool seen;             /* sent something itself (not only named by others) */
    bool silent_armed, silent_alerted; /* this run (not saved) */
    uint32_t alias;        /* an L2-only entry folded into an IP device, or BL_NONE */
    uint64_t last_seen;
    uint64_t pkts, bytes;  /* sent */
    uint64_t hour_end;     /* end of the hour last marked */
    struct bl_rate rate_pkts;
    /* what every industrial message touches */
    uint32_t server_protos, client_protos; /* bit per enum ot_proto */
    uint32_t hours;        /* hours of the day (UTC) with industrial messages, learned */
    uint32_t hours_obs;    /* hours of the day the network was watched while it learned */
    bool commander;        /* issued write/control/program/file requests while learning */
    bool it_server;        /* serves a non-industrial TCP/UDP service */
    uint16_t caps;         /* LLDP/CDP enabled capabilities (LLDP bits) */
    uint64_t served;       /* industrial messages sent as server */
    uint64_t ops[OT_OP_COUNT]; /* requests sent as client, per operation class */
    /* the rest */
    uint32_t hnext;        /* hash chain */
    uint32_t conv_head;    /* its conversations as client (bl_conv.cnext) */
    uint32_t sconv_head;   /* its conversations as server (bl_conv.snext) */
    uint8_t macs[BL_MAX_MACS][6];
    uint8_t n_macs;
    bool macs_overflow;
    bool arp_bound;        /* macs[0] announced by the device itself (ARP, DHCP) */
    bool routed;           /* its MAC is a router's (another device announced it) */
    bool routes;           /* other addresses come through its MAC: a router */
    uint64_t first_seen;
    struct bl_rate rate_bytes;
    /* learning */
    uint64_t learn_start, since, last_novelty;
    uint32_t budget_used;
    uint32_t peers;        /* distinct peers while a new device learns */
    bool scan_alerted;
    double period;         /* shortest periodic conversation, seconds; 0 none */
    uint8_t time_alerted_hour; /* 24 = none (this run) */
    uint64_t time_alerted_at;
    /* inventory */
    uint8_t role;          /* enum bl_role */
    int level;             /* Purdue level, -1 unknown */
    uint8_t n_protos;
    bool protos_overflow;
    struct bl_proto_use protos[BL_MAX_PROTOS];
    char vendor[BL_IDENT_LEN]; /* IEEE OUI of macs[0] */
    char role_evidence[BL_EVIDENCE_LEN];
    char zone[BL_ZONE_LEN];
    struct bl_field_val field[BL_F_COUNT];
};

struct bl_conv {
    /* what every packet and message of the conversation touches, together */
    uint32_t client, server;
    uint16_t port;
    uint8_t l4;
    uint8_t proto;         /* enum ot_proto, 0 until a dissector spoke */
    uint32_t n_funcs, n_units, n_spans;
    uint64_t last_seen;
    uint64_t pkts, bytes, msgs;
    struct bl_func *funcs; /* in the baseline's arena, max_functions */
    uint32_t *units;
    struct bl_span *spans; /* sorted by (func, space, lo), max_intervals */
    uint64_t learn_until;  /* a conversation first seen between two mature devices
                            * learns alone until then (or its budget), after its
                            * new_conversation finding */
    struct bl_rate rate_bytes;
    struct bl_rate rate_req;
    struct bl_period period;
    /* the rest */
    uint32_t hnext, cnext, snext;
    uint64_t first_seen;
    char app[BL_APP_LEN];  /* nDPI's name when no dissector spoke */
    bool funcs_overflow;
    bool units_overflow;
    bool spans_overflow;
    bool has_command;      /* a write/control/program/file request was learned */
    uint32_t budget_used;
    /* this run */
    bool alerted_new;      /* new_conversation / new_protocol already said */
    bool spans_tidy;       /* no two spans of a group touch (baseline.c: spans_coalesce) */
    uint64_t rate_alert_bucket;
};

/* A register / point written, keyed by the device written to. */
struct bl_point {
    uint32_t dev;
    uint32_t hnext;
    uint32_t space;
    uint32_t unit;       /* UINT32_MAX: none */
    uint8_t proto;
    const char *space_name; /* static (dissector) or owned by the baseline; NULL unknown */
    uint64_t addr;
    uint64_t writes;
    uint64_t grew_at;    /* writes counted when the learned values last grew */
    double min, max, last, step;
    uint8_t n_set;
    bool set_overflow;
    double set[BL_MAX_SET];
};

/* Counted when a cap is hit; each kind is also said once as a finding. */
struct bl_overflow {
    uint64_t devices, conversations, points, functions, units, intervals, values, macs,
        protocols;
};

struct baseline {
    struct bl_config cfg;
    struct bl_hooks hooks;
    struct bl_device *dev;
    uint32_t n_dev;
    struct bl_conv *conv;
    uint32_t n_conv;
    struct bl_point *point;
    uint32_t n_point;
    uint32_t *dev_hash, *conv_hash, *point_hash;
    uint32_t dev_mask, conv_mask, point_mask;
    void *arena; /* per-conversation sets */
    /* where a conversation's sets are in the arena: set_bytes each, the
     * functions first, then the intervals at spans_at, the units at units_at */
    size_t set_bytes, spans_at, units_at;
    uint32_t external; /* the external peer's device, or BL_NONE */
    /* network learning */
    uint64_t start;     /* first packet ever learned from */
    uint64_t updated;   /* newest packet time */
    uint64_t now;
    uint64_t run_start; /* first packet of this run */
    bool running;
    uint8_t net_state;  /* enum bl_state */
    uint64_t net_since;
    uint32_t hours_observed; /* hours of the day with industrial messages, learned */
    uint64_t obs_hour_end;   /* end of the hour last marked observed */
    uint64_t next_eval;
    struct bl_overflow overflow;
    uint32_t overflow_said; /* bit per overflow kind already reported */
    uint64_t findings;
    uint64_t *said;         /* deviations already said this run (baseline.c) */
    uint32_t n_said;
    /* strings owned by the baseline (names read from a file) */
    char **strs;
    size_t n_strs, cap_strs;
    char sensor[64];
};

/* A new, empty baseline with every table reserved; NULL and err filled on
 * failure (a cap too large for memory). */
struct baseline *bl_new(const struct bl_config *cfg, char *err, size_t errlen);
void bl_free(struct baseline *b);
void bl_set_hooks(struct baseline *b, const struct bl_hooks *h);

/* --- devices ---------------------------------------------------------- */
/* Finds a device (following an L2 entry folded into an IP device);
 * BL_NONE when absent. */
uint32_t bl_device_find(const struct baseline *b, const struct bl_key *k);
/* Finds or creates a device; BL_NONE when the table is full (counted).
 * A host first seen when the network is mature is a new_device finding and
 * learns its own profile.  seen: the device sent something itself. */
uint32_t bl_device_get(struct baseline *b, const struct bl_key *k, uint64_t now, bool seen);
/* Records a MAC the device's packets came from; `own` when the device
 * announced it (ARP, DHCP): then an L2-only entry for that MAC is folded in. */
void bl_device_mac(struct baseline *b, uint32_t dev, const uint8_t mac[6], bool own);
/* Sets the IEEE vendor of the device's MAC (no event: part of first sight). */
void bl_device_vendor(struct baseline *b, uint32_t dev, const char *vendor);
void bl_device_zone(struct baseline *b, uint32_t dev, const char *zone, int level);
/* Merges one identity field (n bytes of text, not NUL-terminated) revealed
 * by `src`; an asset event when it changed. */
void bl_device_field(struct baseline *b, uint32_t dev, enum bl_field f, const char *v,
                     size_t n, const char *src);
/* LLDP/CDP capabilities (LLDP bit values: 0x04 bridge, 0x10 router ...). */
void bl_device_caps(struct baseline *b, uint32_t dev, uint16_t caps);
/* Merges an ot_identity (from the server side when id->from_server). */
void bl_device_identity(struct baseline *b, uint32_t dev, const struct ot_identity *id,
                        const char *src);
/* Puts a device (and its conversations) back into learning. */
void bl_device_relearn(struct baseline *b, uint32_t dev, uint64_t now);
static inline struct bl_device *bl_dev(struct baseline *b, uint32_t id)
{
    return id < b->n_dev ? &b->dev[id] : NULL;
}

/* --- traffic ---------------------------------------------------------- */
/* Finds or creates the conversation; BL_NONE when full (counted).  A new one
 * between mature devices is new_conversation (a new peer) or new_protocol
 * (a known peer, a new port). */
uint32_t bl_conv_get(struct baseline *b, uint32_t client, uint32_t server, uint8_t l4,
                     uint16_t port, uint64_t now);
/* One packet sent by `dev` (client when from_client) on conv (or BL_NONE):
 * counters, rates, activity.  Cheap: no lookup, no allocation. */
void bl_packet(struct baseline *b, uint32_t dev, uint32_t conv, bool from_client,
               uint32_t bytes, uint64_t now);
/* Asks for the cache lines that a packet of the two devices and conv (and a
 * message too, when msg) will touch, so that their misses overlap with other
 * work instead of stalling bl_packet and bl_msg one after another.  A hint:
 * nothing changes; ids of BL_NONE are skipped.  Inline: every packet asks
 * (57 instructions a packet through two calls before).  Always inline: a
 * static function whose only effect is a prefetch counts as pure for gcc
 * -O2, and a call left out of line is deleted as dead (seen with gcc 12). */
static inline __attribute__((always_inline)) void bl_prefetch(const struct baseline *b, const uint32_t dev[2], uint32_t conv,
                               bool msg)
{
    for (int i = 0; i < 2; i++) {
        if (dev[i] >= b->n_dev)
            continue;
        const struct bl_device *d = &b->dev[dev[i]];
        __builtin_prefetch(&d->last_seen);
        __builtin_prefetch(&d->rate_pkts.cur);
        if (msg) {
            __builtin_prefetch(&d->server_protos);
            __builtin_prefetch(&d->ops[OT_OP_COUNT - 1]);
        }
    }
    if (conv >= b->n_conv)
        return;
    const struct bl_conv *c = &b->conv[conv];
    __builtin_prefetch(&c->last_seen);
    __builtin_prefetch(&c->rate_bytes.cur);
    if (msg) {
        __builtin_prefetch(&c->rate_req.cur);
        __builtin_prefetch(&c->period);
        /* from the arena, not c->funcs: that would wait for c's line */
        const uint8_t *sets = (const uint8_t *)b->arena + (size_t)conv * b->set_bytes;
        __builtin_prefetch(sets);
        __builtin_prefetch(sets + b->spans_at);
        __builtin_prefetch(sets + b->units_at);
    }
}
/* One industrial message on conv, sent by the server side when from_server:
 * learns it, or scores it against what was learned. */
void bl_msg(struct baseline *b, uint32_t conv, bool from_server, const struct ot_msg *m,
            uint64_t now);
/* nDPI's name for a conversation that no dissector claimed. */
void bl_conv_app(struct baseline *b, uint32_t conv, const char *app);

/* --- time ------------------------------------------------------------- */
/* The first packet of a run (a process reading captures or an interface):
 * silence and periods are measured from here, not across runs. */
void bl_run_start(struct baseline *b, uint64_t now);
/* Once a second of packet time: maturity, network learning, silence. */
void bl_tick(struct baseline *b, uint64_t now);
/* End of input: the same checks once more at the last packet's time. */
void bl_finish(struct baseline *b, uint64_t now);

/* --- persistence (store.c) ---------------------------------------------- */
/* Writes the baseline atomically: PATH.tmp.XXXXXX, fsync, rename, fsync of
 * the folder.  0, or -1 with err. */
int bl_save(const struct baseline *b, const char *path, char *err, size_t errlen);
/* Reads a baseline.  Caps are raised to fit what the file holds.  NULL with
 * err ("FILE: ...") when the file is missing (*missing set), unreadable,
 * damaged or of a newer format version. */
struct baseline *bl_load(const char *path, const struct bl_config *cfg, bool *missing,
                         char *err, size_t errlen);
json_t *bl_to_json(const struct baseline *b);

/* --- review (report.c) -------------------------------------------------- */
enum bl_table_fmt {
    BL_TABLE_TEXT = 0,
    BL_TABLE_CSV,
    BL_TABLE_JSON,
};
void bl_print_inventory(const struct baseline *b, FILE *out, enum bl_table_fmt fmt);
void bl_print_show(const struct baseline *b, FILE *out);
/* Returns the number of differences. */
unsigned bl_print_diff(const struct baseline *old, const struct baseline *neu, FILE *out);
/* Finds a device by IP, MAC or "#id"; BL_NONE. */
uint32_t bl_device_lookup(const struct baseline *b, const char *text);

/* --- names and helpers -------------------------------------------------- */
const char *bl_role_name(enum bl_role r);     /* "plc" */
const char *bl_role_label(enum bl_role r);    /* "PLC/RTU/IED" */
const char *bl_field_name(enum bl_field f);   /* "vendor" */
const char *bl_why_name(enum bl_why w);       /* "stable" */
const char *bl_alert_kind(enum bl_alert a);   /* "new_device" */
const char *bl_state_name(enum bl_state s);
int bl_role_from_name(const char *s);
int bl_field_from_name(const char *s);
int bl_why_from_name(const char *s);
/* "10.0.0.1", "aa:bb:...", "external", "224.0.0.1" */
void bl_device_label(const struct baseline *b, uint32_t dev, char *out, size_t n);
void bl_ip_text(const struct bl_key *k, char *out, size_t n);
void bl_mac_text(const uint8_t mac[6], char *out, size_t n);
/* ISO 8601 UTC with seconds ("2024-01-15T10:00:00Z"); parse returns -1 on error. */
void bl_time_text(uint64_t usec, char *out, size_t n);
int bl_time_parse(const char *s, uint64_t *usec);
/* Robust quantile (0..1) of the learned bucket counts (upper edge of the bin). */
uint64_t bl_rate_quantile(const struct bl_rate *r, double q);
/* The alert threshold the learned statistics give, 0 when not enough learned. */
uint64_t bl_rate_threshold(const struct baseline *b, const struct bl_rate *r);
/* Approximate memory of one device and one conversation with the caps of cfg. */
size_t bl_device_bytes(const struct bl_config *cfg);
size_t bl_conv_bytes(const struct bl_config *cfg);

#endif
