/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: what the rule parser and matcher share: the compiled form of a
 * rule (clauses, endpoints, items) and of a rule set (arena, named sets,
 * per-trigger lists and the (protocol, function, unit) index). */
#ifndef OT_RULES_PRIVATE_H
#define OT_RULES_PRIVATE_H

#include <stdlib.h>

#include "rules.h"

/* Which rule header a condition needs. */
enum rules_cond_proto {
    RCP_GOOSE = 0, /* alert goose ... */
    RCP_OT,        /* an industrial protocol, or any */
    RCP_ARP,       /* alert arp ... */
    RCP_IP,        /* alert ip / tcp / udp / icmp ... */
};

struct rules_cond_def {
    const char *name;
    uint32_t triggers;  /* bit per enum rules_trigger */
    uint8_t proto;      /* enum rules_cond_proto */
    const char *source; /* alert source, or NULL: builtin / rule */
};

const struct rules_cond_def *rules_cond_def(int cond);
int rules_cond_find(const char *name);

/* A decimal (base 10) or C-style (base 0: 0x.., 0..) unsigned 32-bit number,
 * the whole string; false otherwise. */
bool rules_parse_u32(const char *s, int base, uint32_t *out);
/* A duration, "60", "60s", "5m", "1h" or "1d", in seconds: more than zero and
 * at most 30 days; false otherwise. */
bool rules_parse_duration(const char *s, uint32_t *out);

/* Allocates a bounded hash table in one zeroed block: a header of `header`
 * bytes whose first member is the `size_t mask` it sets, then (from offset
 * `header`, the table's flexible array) at least `entries` slots of `slot`
 * bytes, a power of two and no fewer than 16.  NULL when out of memory; the
 * table is freed with free(). */
void *rules_table_new(size_t header, size_t slot, size_t entries);

/* Rule headers besides the industrial protocols (enum ot_proto). */
#define RP_ANY_OT 100 /* any industrial protocol */
#define RP_IP 101
#define RP_TCP 102
#define RP_UDP 103
#define RP_ICMP 104
#define RP_ARP 105

enum clause_type {
    CL_DIR = 0,
    CL_OP,
    CL_FUNC,
    CL_UNIT,
    CL_ADDR,
    CL_VALUE,
    CL_EXCEPTION,
    CL_ANOMALY,
    CL_DETAIL,
    CL_IDENTITY,
    CL_APP,
    CL_RISK,
    CL_SERVER_NAME,
    CL_CONDITION,
    CL_FROM,
    CL_TO,
};

enum cmp {
    CMP_IN = 0, /* = / in: any item */
    CMP_NOT_IN, /* != / outside */
    CMP_LT,
    CMP_LE,
    CMP_GT,
    CMP_GE,
    CMP_TRUTHY, /* bare: present, and not 0 / false / empty */
};

/* One operand: a number range (lo == hi for one number) or a string. */
struct item {
    double lo, hi;
    const char *s;     /* a string item (lower case), or NULL */
    const char *space; /* address items: the space name (lower case), or NULL */
    int64_t space_id;  /* address items: a numeric space, or -1 */
};

enum ep_kind {
    EP_CIDR = 0, /* resolved into the endpoint's address lists */
    EP_MAC,
    EP_SET, /* resolved into addresses and MACs at rules_finish */
    EP_ZONE,
    EP_LEVEL,
    EP_INTERNAL,
    EP_EXTERNAL,
    EP_OT,
    EP_BROADCAST,
    EP_ROLE,
    EP_PORT,
    EP_ANY,
    EP_CLIENT, /* the flow's initiator */
    EP_SERVER, /* the flow's responder */
};

struct ep_item {
    uint8_t kind;
    bool neg;
    int zone;
    int lo, hi;       /* level or port range */
    const char *text; /* CIDR, set or role name */
    uint8_t mac[6];
    unsigned line, col; /* where a set name was written, for its error */
};

struct endpoint {
    int n;
    struct ep_item *items;
    /* built at rules_finish */
    struct iplist *pos_ips, *neg_ips;
    int n_pos_macs, n_neg_macs;
    uint8_t (*pos_macs)[6];
    uint8_t (*neg_macs)[6];
    bool has_pos_host; /* a positive host item: one of them must match */
    bool has_port;
};

struct clause {
    uint8_t type; /* enum clause_type */
    bool neg;     /* `not` before it */
    uint8_t cmp;  /* enum cmp */
    int n;
    struct item *items;
    const char **path; /* detail.a.b: "a", "b" */
    int depth;
    int field;   /* identity: index of the field */
    bool has_at; /* value at ADDRESS */
    double at_lo, at_hi;
    uint32_t op_mask; /* op: bit per enum ot_op */
    uint64_t risk_mask;
    int cond;
    uint8_t dir;
    struct endpoint *ep;
};

struct rule {
    struct rule_info info; /* index filled at rules_finish */
    int proto;             /* enum ot_proto, or RP_* */
    int n;
    struct clause *cl;
    bool dropped; /* a built-in rule overridden by a user rule */
    /* index key: a single function code or name and a single unit, if any */
    uint8_t fkind; /* 0 none, 1 code, 2 name */
    uint32_t fval;
    bool has_ukey;
    uint32_t uval;
    uint8_t msg_needs; /* MSG_* facts a message must have to match (rule-match.c) */
    int n_rest;        /* clauses before the class clauses (rule-match.c: order_clauses) */
};

struct named_set {
    const char *name;
    int n;
    const char **items; /* CIDRs and MACs as written */
    const char *file;
    unsigned line;
};

struct arena_block {
    struct arena_block *next;
    size_t used, size;
    char data[];
};

struct bucket {
    uint64_t key; /* 0: empty */
    uint32_t proto, fkind, fval, ukind, uval;
    uint32_t *idx; /* rule indexes, ascending */
    uint32_t n;
};

struct rule_set {
    const struct zone_table *zones;
    const struct rules_names *names;
    struct arena_block *arena;
    struct rule **rules; /* load order; after finish: the kept ones */
    size_t n, cap;
    struct rule_info *info; /* parallel to rules after finish */
    struct named_set *sets;
    int n_sets, cap_sets;
    struct iplist **ipls; /* every endpoint address list, to free */
    int n_ipls, cap_ipls;
    bool finished;
    /* per trigger: rules not in the message index (all of them but RT_MSG) */
    uint32_t *list[RT_COUNT];
    uint32_t n_list[RT_COUNT];
    /* RT_MSG: the index, and the rules of `alert any` */
    struct bucket *buckets;
    size_t bmask;
    /* which key shapes (bit fkind * 2 + has unit) some rule of a protocol
     * uses: a message skips the lookups no rule can answer */
    uint8_t shapes[OT_PROTO_COUNT];
    uint32_t *any_ot;
    uint32_t n_any_ot;
    uint32_t cond_mask;              /* conditions some rule uses */
    bool uses_role;                  /* some rule names a device role (role:plc) */
    uint64_t serial;                 /* unique per finished set (rules_msg_cache) */
    bool unit_keyed[OT_PROTO_COUNT]; /* some bucket of the protocol has a unit */
};

void *rs_alloc(struct rule_set *rs, size_t n);
const char *rs_strdup(struct rule_set *rs, const char *s, size_t n);
uint32_t rules_name_hash(const char *s);
uint64_t rules_bucket_key(uint32_t proto, uint32_t fkind, uint32_t fval, uint32_t ukind,
                          uint32_t uval);

#endif
