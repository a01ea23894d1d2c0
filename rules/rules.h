/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the public interface of libotrules: the rule language (parser,
 * index, matching over the normalized OT message), address lists (CIDR
 * intervals), domain suffix sets, IOC lists, GeoIP/ASN lookups with
 * libmaxminddb, zones and conduits, alert tuning, bounded per-key trackers
 * and the state behind the built-in conditions (GOOSE, ARP, TLS).
 *
 * No engine headers: matching takes the normalized message (otmsg.h) and
 * plain address / zone values.  Nothing here prints; problems are returned
 * with file:line:column. */
#ifndef OT_RULES_H
#define OT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otmsg.h"

/* ---------------------------------------------------------------- problems */

#define RULES_MAX_PROBLEMS 64
#define RULES_WHERE_LEN 256
#define RULES_MSG_LEN 320

struct rules_problem {
    char where[RULES_WHERE_LEN]; /* a file name, or "<builtin>/modbus.rules" */
    unsigned line;               /* 0: the whole file */
    unsigned col;                /* 0: the whole line */
    char msg[RULES_MSG_LEN];
};

/* Problems found while loading; every one is counted in total, the first
 * RULES_MAX_PROBLEMS are kept. */
struct rules_problems {
    unsigned n;
    unsigned total;
    unsigned warnings; /* of total, the ones that do not stop a load */
    struct rules_problem p[RULES_MAX_PROBLEMS];
};

void rules_problem_add(struct rules_problems *pr, const char *where, unsigned line, unsigned col,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* "file:line:col: message" (line/col left out when 0). */
void rules_problem_format(const struct rules_problem *p, char *out, size_t outlen);

/* ---------------------------------------------------------------- addresses */

/* An address as the engine keeps it: 16 bytes, IPv4 in the first 4 with
 * version 4.  IPv4 entries are stored apart from IPv6 ones, so a list of
 * IPv4 indicators costs 12 bytes per interval. */
struct iplist;

struct iplist *iplist_new(void);
void iplist_free(struct iplist *l);
/* Adds addr/plen with a value; the most specific prefix covering an
 * address gives its value; a prefix added twice keeps its first value. */
int iplist_add(struct iplist *l, const uint8_t addr[16], int version, unsigned plen,
               uint32_t value);
/* "10.0.0.0/8", "192.0.2.7", "2001:db8::/32".  Host bits are masked. */
int iplist_add_text(struct iplist *l, const char *text, uint32_t value, char *err, size_t errlen);
/* Sorts and flattens what was added; call once, before any lookup. */
int iplist_build(struct iplist *l);
bool iplist_lookup(const struct iplist *l, const uint8_t addr[16], int version, uint32_t *value);
size_t iplist_count(const struct iplist *l); /* prefixes added */
/* Parses an address or prefix; returns 0 and fills addr/version/plen. */
int ip_parse_prefix(const char *text, uint8_t addr[16], int *version, unsigned *plen);
/* "aa:bb:cc:dd:ee:ff" */
bool mac_parse(const char *text, uint8_t mac[6]);

/* ---------------------------------------------------------------- domains */

/* Domain names matched by suffix at label boundaries: an entry example.com
 * matches example.com and a.b.example.com, never badexample.com.  Names are
 * compared without case and without a trailing dot. */
struct domset;

struct domset *domset_new(void);
void domset_free(struct domset *d);
/* Returns 0, or -1 when the name is not a valid domain (err says why). A
 * name added twice keeps its first value. */
int domset_add(struct domset *d, const char *name, uint32_t value, char *err, size_t errlen);
/* The value of the longest entry that is a suffix of name. */
bool domset_lookup(const struct domset *d, const char *name, size_t len, uint32_t *value);
size_t domset_count(const struct domset *d);

/* ---------------------------------------------------------------- IOC lists */

/* Indicator lists: one entry a line (IPv4/IPv6 address, CIDR, domain) with
 * an optional description after it, `#` comments; or CSV (a .csv file, or
 * --ioc with a name ending .csv): indicator, description.  Each list has a
 * name (the file name without its extension, or NAME= before the path). */
struct ioc;

struct ioc_hit {
    const char *list;        /* the list's name */
    const char *indicator;   /* the entry as written in the list */
    const char *description; /* "" when none */
};

struct ioc *ioc_new(void);
void ioc_free(struct ioc *c);
/* spec: "FILE" or "NAME=FILE".  Bad lines are problems (with file:line);
 * returns the number of entries loaded, or -1 when the file cannot be read. */
long ioc_load(struct ioc *c, const char *spec, struct rules_problems *pr);
int ioc_build(struct ioc *c);
bool ioc_match_ip(const struct ioc *c, const uint8_t addr[16], int version, struct ioc_hit *out);
bool ioc_match_domain(const struct ioc *c, const char *name, struct ioc_hit *out);
size_t ioc_count(const struct ioc *c);
size_t ioc_lists(const struct ioc *c);

/* ---------------------------------------------------------------- GeoIP */

struct geo;

struct geo_info {
    char country[3]; /* ISO 3166 alpha-2, "" unknown */
    uint32_t asn;    /* 0 unknown */
    char as_org[64]; /* "" unknown */
};

/* Opens MaxMind DB files (country, ASN, city: whatever they hold); returns
 * NULL with a reason in err when one cannot be opened or is not a MaxMind
 * DB. */
struct geo *geo_open(const char *const *paths, int n, char *err, size_t errlen);
void geo_free(struct geo *g);
/* False when no database knows the address. */
bool geo_lookup(const struct geo *g, const uint8_t addr[16], int version, struct geo_info *out);

enum geo_ot_policy {
    GEO_OT_DENY = 0,  /* an OT zone may not talk to the internet at all */
    GEO_OT_ALLOWLIST, /* only to the allowed countries / ASNs */
    GEO_OT_ALLOW,     /* no policy for OT zones (forbidden ones still alert) */
};

#define GEO_MAX_CODES 256

struct geo_policy {
    enum geo_ot_policy ot;
    unsigned n_allowed_cc, n_forbidden_cc, n_allowed_asn, n_forbidden_asn;
    char allowed_cc[GEO_MAX_CODES][3];
    char forbidden_cc[GEO_MAX_CODES][3];
    uint32_t allowed_asn[GEO_MAX_CODES];
    uint32_t forbidden_asn[GEO_MAX_CODES];
};

/* Parses "DE, FR" / "AS3320, 15169" lists into the policy; 0 or -1 (err). */
int geo_policy_countries(char (*codes)[3], unsigned *n, const char *list, char *err, size_t errlen);
int geo_policy_asns(uint32_t *asns, unsigned *n, const char *list, char *err, size_t errlen);
bool geo_policy_forbidden(const struct geo_policy *p, const struct geo_info *g);
bool geo_policy_allowed(const struct geo_policy *p, const struct geo_info *g);

/* ---------------------------------------------------------------- zones */

/* Zones (name, networks, Purdue level) and the conduits allowed between
 * them.  An internal address in no zone is in the "unzoned" zone (its own
 * configurable level); an address outside the internal networks is
 * "external". */
#define ZONE_UNZONED (-1)
#define ZONE_EXTERNAL (-2)
#define ZONE_NONE (-3) /* no IP address (layer 2) */
#define ZONE_MAX 256
#define ZONE_LEVEL_UNKNOWN (-1)
#define ZONE_OT_MAX_LEVEL 3 /* levels 0..3 are OT (Purdue); 4, 5 enterprise */

struct zone_table;

struct zone_table *zone_table_new(void);
void zone_table_free(struct zone_table *z);
/* Returns the new zone's index, or -1 (err: duplicate name, too many). */
int zone_add(struct zone_table *z, const char *name, int level, char *err, size_t errlen);
int zone_add_network(struct zone_table *z, int zone, const char *cidr, char *err, size_t errlen);
void zone_set_unzoned(struct zone_table *z, const char *name, int level);
/* networks.internal; with none, the defaults of DESIGN section 8. */
int zone_add_internal(struct zone_table *z, const char *cidr, char *err, size_t errlen);
/* protocols: comma list of dissector / nDPI names (modbus, dns), "tcp/502",
 * "udp/47808", "tcp", "udp", "icmp", "any".  both: either side may open. */
int zone_add_conduit(struct zone_table *z, const char *from, const char *to, const char *protocols,
                     bool both, char *err, size_t errlen);
int zone_build(struct zone_table *z, char *err, size_t errlen);

/* The zone of an address: an index, ZONE_UNZONED or ZONE_EXTERNAL. */
int zone_of(const struct zone_table *z, const uint8_t addr[16], int version);
bool zone_is_internal(const struct zone_table *z, const uint8_t addr[16], int version);
const char *zone_name(const struct zone_table *z, int zone);
int zone_level(const struct zone_table *z, int zone);
/* True for a zone of level 0..ZONE_OT_MAX_LEVEL (unzoned: its own level). */
bool zone_is_ot(const struct zone_table *z, int zone);
/* A zone index by name ("unzoned" and "external" included), or -4. */
int zone_find(const struct zone_table *z, const char *name);
int zone_count(const struct zone_table *z); /* configured zones */
/* Does a conduit allow a conversation opened from `client` to `server`
 * (zones) over l4 to server port `port`, recognised as `app` (or NULL)? */
bool zone_conduit_allows(const struct zone_table *z, int client, int server, uint8_t l4,
                         uint16_t port, const char *app);

/* ---------------------------------------------------------------- trackers */

/* A bounded table of per-key counters over packet-time windows: thresholds
 * ("5 in 60 s by source") and distinct counts ("8 distinct unit ids").
 * Two candidate slots per key; a full table replaces the older entry
 * (counted). */
#define TRACK_MAX_DISTINCT 64

struct tracker;

struct track_result {
    uint32_t count;    /* events (or distinct values) in the window so far */
    uint64_t first_ts; /* when the window opened */
    bool fired;        /* this event reached the threshold (once per window) */
};

struct tracker *tracker_new(size_t entries);
void tracker_free(struct tracker *t);
/* Counts one event for key (distinct: counts value only the first time it
 * is seen in the window).  fired is true on the event that brings the count
 * to `count` within `seconds`; then not again until the window expires. */
void tracker_hit(struct tracker *t, uint64_t key, uint64_t now_usec, uint32_t count,
                 uint32_t seconds, bool distinct, uint64_t value, struct track_result *out);
uint64_t tracker_evictions(const struct tracker *t);
/* The distinct values (as hashed) are not kept in readable form; callers
 * put what they need in evidence. */

/* A direct-mapped set of 64-bit keys: "seen recently".  Bounded; an
 * overwritten key may be reported again. */
struct onceset;

struct onceset *onceset_new(size_t slots);
void onceset_free(struct onceset *o);
/* True the first time key is seen (and remembers it). */
bool onceset_first(struct onceset *o, uint64_t key);

uint64_t rules_hash64(const void *p, size_t n, uint64_t seed);

/* ---------------------------------------------------------------- conditions */

/* Named built-in conditions: facts the engine computes (with bounded state
 * where needed) that rules reference with `condition NAME`, so the rule
 * files stay the one place detections are read, tuned and disabled. */
enum rules_cond {
    RC_GOOSE_REPLAY = 0,         /* stNum/sqNum went back: a replayed or stale frame */
    RC_GOOSE_STATE_JUMP,         /* stNum skipped values */
    RC_GOOSE_SEQUENCE_NOT_RESET, /* a new stNum whose sqNum did not restart */
    RC_GOOSE_PUBLISHER_CHANGE,   /* a gocbRef published from another MAC */
    RC_INVALID_PDU,              /* a PDU the dissector refused as invalid */
    RC_ARP_MAC_CHANGE,           /* an IP address moved to another MAC */
    RC_ARP_IP_CONFLICT,          /* two MACs claim one IP address back and forth */
    RC_ARP_GRATUITOUS,           /* a gratuitous ARP (count it with threshold) */
    RC_FAILED_CONNECTION,        /* a TCP connection refused or never answered */
    RC_SNMP_COMMUNITY,           /* SNMP v1 / v2c: community strings in clear */
    RC_HTTP_BASIC_AUTH,          /* HTTP Authorization: Basic (credentials in clear) */
    RC_TLS_SHARED_CERTIFICATE,   /* one TLS certificate presented by several servers */
    RC_IOC_IP,                   /* an end of the flow is on an IOC list */
    RC_IOC_DOMAIN,               /* the flow's server name (DNS/SNI/Host) is on an IOC list */
    RC_OT_INTERNET,              /* an OT zone talks to the internet against the policy */
    RC_FORBIDDEN_GEO,            /* talks to a forbidden country or ASN */
    RC_ZONE_VIOLATION,           /* between zones with no allowed conduit */
    RC_ZONE_LEVEL_SKIP,          /* the same, skipping Purdue levels (0-1 with 4-5) */
    RC_COUNT,
};

/* When rules are evaluated. */
enum rules_trigger {
    RT_MSG = 0,     /* a dissected OT message */
    RT_PARSE_ERROR, /* a PDU a dissector refused as invalid */
    RT_FLOW_START,  /* a flow's first packet */
    RT_FLOW_APP,    /* a flow's application is known (or the flow ends first) */
    RT_PACKET,      /* a packet with payload (payload conditions) */
    RT_FLOW_END,    /* a flow ends */
    RT_ARP,         /* an ARP packet */
    RT_COUNT,
};

const char *rules_cond_name(int cond);
const char *rules_trigger_name(int t);

/* GOOSE: per gocbRef, the last stNum/sqNum and publisher. */
struct goose_tracker;

struct goose_prev {
    bool known;
    uint64_t st_num, sq_num;
    uint8_t mac[6];
    uint64_t last_ts;
};

struct goose_tracker *goose_tracker_new(size_t entries);
void goose_tracker_free(struct goose_tracker *t);
/* Returns the RC_GOOSE_* facts (bit per condition) of this publication. */
uint32_t goose_track(struct goose_tracker *t, const char *ref, size_t reflen, const uint8_t mac[6],
                     uint64_t st_num, uint64_t sq_num, uint64_t now, struct goose_prev *prev);

/* ARP: per IPv4 address, its MAC and how often it moved. */
struct arp_tracker;

struct arp_prev {
    bool known;
    uint8_t mac[6];
    uint64_t last_ts;
    uint32_t moves; /* MAC changes in the conflict window */
};

struct arp_tracker *arp_tracker_new(size_t entries);
void arp_tracker_free(struct arp_tracker *t);
/* op 1 request, 2 reply; returns RC_ARP_* facts. */
uint32_t arp_track(struct arp_tracker *t, uint16_t op, const uint8_t sha[6], const uint8_t spa[4],
                   const uint8_t tpa[4], uint64_t now, struct arp_prev *prev);

/* TLS: per certificate fingerprint, the first server that presented it. */
struct cert_tracker;

struct cert_prev {
    uint8_t addr[16];
    int version;
    uint32_t servers; /* distinct servers seen with it (capped) */
};

struct cert_tracker *cert_tracker_new(size_t entries);
void cert_tracker_free(struct cert_tracker *t);
uint32_t cert_track(struct cert_tracker *t, const uint8_t sha1[20], const uint8_t addr[16],
                    int version, struct cert_prev *prev);

/* SNMP over UDP: the message version (0 v1, 1 v2c, 3 v3) and community
 * length; false when the payload is not an SNMP message. */
bool snmp_sniff(const uint8_t *p, size_t len, int *version, size_t *community_len,
                bool *default_community);
/* An HTTP request carrying "Authorization: Basic". */
bool http_basic_auth_sniff(const uint8_t *p, size_t len);

/* ---------------------------------------------------------------- MITRE */

/* The ATT&CK for ICS tactics of a technique id ("T0843"): up to max names,
 * returns how many (0: not in the table). */
int mitre_ics_tactics(const char *technique, const char **out, int max);

/* ---------------------------------------------------------------- rules */

#define RULES_MAX_MITRE 4

enum rules_track_by {
    TRACK_BY_SRC = 0,
    TRACK_BY_DST,
    TRACK_BY_PAIR,
    TRACK_BY_FLOW,
    TRACK_BY_NONE,
};

enum rules_distinct {
    DISTINCT_NONE = 0,
    DISTINCT_UNIT,
    DISTINCT_DST,
    DISTINCT_SRC,
    DISTINCT_DST_PORT,
    DISTINCT_FUNCTION,
    DISTINCT_ADDRESS,
};

/* What the engine needs of a rule to raise its alert. */
struct rule_info {
    uint32_t index; /* 0 .. rules_count()-1 */
    uint32_t sid;
    uint32_t rev;
    uint8_t severity; /* 1 high .. 3 low */
    bool builtin;     /* compiled in (source "builtin"), else a user rule */
    const char *kind;
    const char *msg;
    const char *category;                    /* or NULL */
    const char *source;                      /* builtin, rule, ioc, geo, zone */
    const char *mitre[RULES_MAX_MITRE + 1];  /* NULL-ended */
    const char *tactic[RULES_MAX_MITRE + 1]; /* NULL-ended */
    int condition;                           /* RC_* or -1 */
    uint32_t triggers;                       /* bit per enum rules_trigger */
    /* threshold COUNT [distinct FIELD] in SECONDS by KEY; count 0: none */
    uint32_t thr_count;
    uint32_t thr_seconds;
    uint8_t thr_by;       /* enum rules_track_by */
    uint8_t thr_distinct; /* enum rules_distinct */
    const char *file;
    unsigned line;
};

/* One end of what is matched, as plain values. */
struct rules_ep {
    const uint8_t *ip;  /* 16 bytes or NULL (layer 2) */
    uint8_t ip_version; /* 4, 6, 0 */
    const uint8_t *mac; /* or NULL */
    uint16_t port;
    int zone; /* zone_of(), or ZONE_NONE */
    bool internal;
    bool broadcast;   /* broadcast / multicast destination */
    const char *role; /* device role when known, or NULL */
    int8_t side;      /* 0 the flow's client (initiator), 1 its server, -1 neither */
};

/* What a rule is matched against besides the message.  src is the sender of
 * the message (or the flow's client), dst the receiver (the server). */
struct rules_event {
    struct rules_ep src, dst;
    uint8_t l4;              /* IPPROTO_TCP / UDP / ICMP; 0 for layer 2 */
    enum ot_proto proto;     /* the dissector's protocol, or OT_PROTO_NONE */
    const char *app;         /* dissector or nDPI name, lower case, or NULL */
    uint64_t risks;          /* nDPI risk bits */
    const char *server_name; /* DNS query / TLS SNI / HTTP Host, or NULL */
    uint32_t facts;          /* bit per enum rules_cond true for this event */
};

/* Names of the nDPI risk bits (index = bit), for `risk NAME`; given by the
 * engine because the library does not link nDPI. */
struct rules_names {
    const char *const *risks;
    int n_risks;
};

struct rule_set;

/* zones: the table `zone:NAME` resolves against (borrowed; must outlive the
 * set); names: risk names (borrowed). */
struct rule_set *rules_new(const struct zone_table *zones, const struct rules_names *names);
void rules_free(struct rule_set *rs);
/* Loads rules from text (a compiled-in file) or a file / directory (its
 * *.rules files in name order).  Problems are added; returns the number of
 * problems added (0 = good). */
unsigned rules_load_text(struct rule_set *rs, const char *where, const char *text, bool builtin,
                         struct rules_problems *pr);
unsigned rules_load_path(struct rule_set *rs, const char *path, struct rules_problems *pr);
/* Resolves named sets, drops the built-in rules a user rule overrides (same
 * sid), reports duplicate sids, builds the index.  Returns problems added. */
unsigned rules_finish(struct rule_set *rs, struct rules_problems *pr);
size_t rules_count(const struct rule_set *rs);
const struct rule_info *rules_info(const struct rule_set *rs, size_t index);
/* Rules that can fire on a trigger (to skip work nobody asked for). */
bool rules_want(const struct rule_set *rs, enum rules_trigger t);
/* Does any rule on this trigger use this condition? */
bool rules_want_cond(const struct rule_set *rs, int cond);
/* Some rule names a device role (role:plc): rules_ep.role is worth filling. */
bool rules_want_role(const struct rule_set *rs);

typedef void (*rules_hit_fn)(void *arg, const struct rule_info *r);

/* Calls hit for every rule of trigger t that matches, in load order.  m is
 * the message for RT_MSG (else NULL).  Cost: hash lookups on (protocol,
 * function, unit) and the rules in those buckets, whatever the rule count. */
void rules_match(const struct rule_set *rs, enum rules_trigger t, const struct ot_msg *m,
                 const struct rules_event *ev, rules_hit_fn hit, void *arg);

/* The candidates of a message: the rules of its (protocol, function, unit)
 * buckets and `alert any` whose required message facts (direction,
 * function, unit, exception, anomaly, identity) it has, remembered per
 * message class in a small per-worker cache (no locking: one per thread).
 * rules_msg_candidates sets *idx (borrowed until its next call) and returns
 * how many (0: no rule can match m, its event need not be built), or -1
 * when they are too many to remember (then call rules_match).
 * rules_match_candidates then calls hit for each that matches, in load
 * order: the same hits as rules_match(rs, RT_MSG, m, ev, ...). */
struct rules_msg_cache;
struct rules_msg_cache *rules_msg_cache_new(void);
void rules_msg_cache_free(struct rules_msg_cache *c);
int rules_msg_candidates(const struct rule_set *rs, struct rules_msg_cache *c,
                         const struct ot_msg *m, const uint32_t **idx);
void rules_match_candidates(const struct rule_set *rs, const uint32_t *idx, int n,
                            const struct ot_msg *m, const struct rules_event *ev, rules_hit_fn hit,
                            void *arg);

/* Compiled-in rule files (rules/builtin-rules.c, generated from the .rules files). */
struct rules_builtin {
    const char *name;
    const char *text;
};
extern const struct rules_builtin rules_builtin_files[]; /* ends with {NULL, NULL} */

/* ---------------------------------------------------------------- tuning */

enum tune_action {
    TUNE_KEEP = 0,
    TUNE_DISABLED,   /* disable: never produced */
    TUNE_SUPPRESSED, /* suppress: not produced for this scope */
};

struct tune_result {
    enum tune_action action;
    uint8_t severity;   /* an override, or 0 */
    uint32_t thr_count; /* threshold: produce once per window after count; 0 none */
    uint32_t thr_seconds;
    uint8_t thr_by; /* enum rules_track_by */
    int line;       /* the tuning line that decided (for stats), or 0 */
};

struct tuning;

/* Loads a tuning file (see rules/README); problems with file:line:col.
 * Returns NULL only when the file cannot be read. */
struct tuning *tuning_load(const char *path, struct rules_problems *pr);
struct tuning *tuning_parse(const char *where, const char *text, struct rules_problems *pr);
void tuning_free(struct tuning *t);
size_t tuning_count(const struct tuning *t);
/* src/dst: the alert's ends (ip may be NULL, mac may be NULL). */
void tuning_check(const struct tuning *t, uint32_t sid, const char *kind,
                  const struct rules_ep *src, const struct rules_ep *dst, struct tune_result *out);

#endif
