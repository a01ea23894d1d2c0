/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: finishing a rule set (named sets resolved, built-in rules a user
 * rule overrides dropped, duplicate sids refused, the index built) and
 * matching it.  Message rules are indexed by (protocol, function, unit):
 * a message looks up at most six buckets and evaluates only the rules in
 * them, so the cost per message does not grow with the number of rules;
 * a worker remembers the candidates of each message class, so a message
 * usually costs one probe of a small table. */
#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rules-private.h"

/* ------------------------------------------------------------------ finish */

static int track_ipl(struct rule_set *rs, struct iplist *l)
{
    if (rs->n_ipls == rs->cap_ipls) {
        int cap = rs->cap_ipls ? rs->cap_ipls * 2 : 32;
        struct iplist **p = realloc(rs->ipls, (size_t)cap * sizeof(*p));
        if (!p)
            return -1;
        rs->ipls = p;
        rs->cap_ipls = cap;
    }
    rs->ipls[rs->n_ipls++] = l;
    return 0;
}

static const struct named_set *find_set(const struct rule_set *rs, const char *name)
{
    for (int i = 0; i < rs->n_sets; i++)
        if (strcmp(rs->sets[i].name, name) == 0)
            return &rs->sets[i];
    return NULL;
}

static int add_host(struct rule_set *rs, struct endpoint *ep, bool neg, const char *text)
{
    uint8_t mac[6];
    if (mac_parse(text, mac)) {
        int *n = neg ? &ep->n_neg_macs : &ep->n_pos_macs;
        uint8_t(**arr)[6] = neg ? &ep->neg_macs : &ep->pos_macs;
        uint8_t(*p)[6] = rs_alloc(rs, (size_t)(*n + 1) * 6);
        if (!p)
            return -1;
        if (*n)
            memcpy(p, *arr, (size_t)*n * 6);
        memcpy(p[*n], mac, 6);
        *arr = p;
        (*n)++;
        return 0;
    }
    struct iplist **l = neg ? &ep->neg_ips : &ep->pos_ips;
    if (!*l) {
        *l = iplist_new();
        if (!*l || track_ipl(rs, *l) != 0)
            return -1;
    }
    char err[128];
    return iplist_add_text(*l, text, 0, err, sizeof(err));
}

/* Resolves set names and builds the endpoint's address lists. */
static void build_endpoint(struct rule_set *rs, struct rule *r, struct endpoint *ep,
                           struct rules_problems *pr, unsigned *problems)
{
    for (int i = 0; i < ep->n; i++) {
        struct ep_item *it = &ep->items[i];
        if (it->kind == EP_PORT) {
            ep->has_port = true;
            continue;
        }
        if (!it->neg && it->kind != EP_ANY)
            ep->has_pos_host = true;
        if (it->kind == EP_CIDR) {
            add_host(rs, ep, it->neg, it->text);
        } else if (it->kind == EP_MAC) {
            char text[18];
            snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", it->mac[0], it->mac[1],
                     it->mac[2], it->mac[3], it->mac[4], it->mac[5]);
            add_host(rs, ep, it->neg, text);
        } else if (it->kind == EP_SET) {
            const struct named_set *s = find_set(rs, it->text);
            if (!s) {
                rules_problem_add(pr, r->info.file, it->line, it->col,
                                  "unknown set '%s' (define it with: set %s ADDRESS, ...)",
                                  it->text, it->text);
                (*problems)++;
                continue;
            }
            for (int k = 0; k < s->n; k++)
                add_host(rs, ep, it->neg, s->items[k]);
        }
    }
    if (ep->pos_ips)
        iplist_build(ep->pos_ips);
    if (ep->neg_ips)
        iplist_build(ep->neg_ips);
}

/* Two multiplies: every message looks up its buckets, and the bucket's own
 * fields are compared after the key, so the key only has to spread them. */
uint64_t rules_bucket_key(uint32_t proto, uint32_t fkind, uint32_t fval, uint32_t ukind,
                          uint32_t uval)
{
    uint64_t h = ((uint64_t)fval << 32 | uval) * 0x9e3779b97f4a7c15ULL;
    h ^= (uint64_t)proto << 3 | fkind << 1 | ukind;
    h = (h ^ h >> 32) * 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
    return h ? h : 1;
}

static struct bucket *bucket_find(const struct rule_set *rs, uint32_t proto, uint32_t fkind,
                                  uint32_t fval, uint32_t ukind, uint32_t uval, bool create)
{
    if (!rs->buckets)
        return NULL;
    uint64_t key = rules_bucket_key(proto, fkind, fval, ukind, uval);
    size_t j = key & rs->bmask;
    for (;;) {
        struct bucket *b = &rs->buckets[j];
        if (!b->key) {
            if (!create)
                return NULL;
            *b = (struct bucket){key, proto, fkind, fval, ukind, uval, NULL, 0};
            return b;
        }
        if (b->key == key && b->proto == proto && b->fkind == fkind && b->fval == fval &&
            b->ukind == ukind && b->uval == uval)
            return b;
        j = (j + 1) & rs->bmask;
    }
}

static int push_idx(uint32_t **arr, uint32_t *n, uint32_t v)
{
    /* grow at powers of two */
    if ((*n & (*n - 1)) == 0) {
        uint32_t cap = *n ? *n * 2 : 1;
        uint32_t *p = realloc(*arr, cap * sizeof(*p));
        if (!p)
            return -1;
        *arr = p;
    }
    (*arr)[(*n)++] = v;
    return 0;
}

/* Facts of a message that clauses require: a rule whose required facts a
 * message lacks cannot match, and is skipped without evaluating it (most
 * rules of a protocol's bucket name a direction, an anomaly or an
 * exception, which most messages do not have). */
enum {
    MSG_REQUEST = 1 << 0,
    MSG_RESPONSE = 1 << 1,
    MSG_FUNCTION = 1 << 2,
    MSG_UNIT = 1 << 3,
    MSG_EXCEPTION = 1 << 4,
    MSG_ANOMALY = 1 << 5,
    MSG_IDENTITY = 1 << 6,
};

/* What a clause cannot match without (as clause_match tests it). */
static uint8_t clause_needs(const struct clause *c)
{
    if (c->neg)
        return 0;
    switch (c->type) {
        case CL_DIR:
            return c->dir == OT_DIR_REQUEST    ? MSG_REQUEST
                   : c->dir == OT_DIR_RESPONSE ? MSG_RESPONSE
                                               : 0;
        case CL_OP:
        case CL_FUNC: return MSG_FUNCTION;
        case CL_UNIT: return MSG_UNIT;
        case CL_EXCEPTION: return MSG_EXCEPTION;
        case CL_ANOMALY: return MSG_ANOMALY;
        case CL_IDENTITY: return MSG_IDENTITY;
        default: return 0;
    }
}

/* A clause whose result depends only on what a message class keys on
 * (rules_msg_candidates: direction, operation class, function code and
 * name, the presence facts): decided once per class, when its candidates
 * are listed, never per message. */
static bool clause_by_class(const struct clause *c)
{
    return c->type == CL_DIR || c->type == CL_OP || c->type == CL_FUNC ||
           ((c->type == CL_EXCEPTION || c->type == CL_ANOMALY) && c->n == 0);
}

/* Puts the class clauses last: a candidate's match stops before them. */
static void order_clauses(struct rule *r)
{
    int k = 0;
    for (int i = 0; i < r->n; i++) {
        if (clause_by_class(&r->cl[i]))
            continue;
        struct clause t = r->cl[i];
        memmove(&r->cl[k + 1], &r->cl[k], (size_t)(i - k) * sizeof(t));
        r->cl[k++] = t;
    }
    r->n_rest = k;
}

/* The facts of m; none without a message (every such clause fails then). */
static inline uint8_t msg_facts(const struct ot_msg *m)
{
    if (!m)
        return 0;
    return (uint8_t)((m->dir == OT_DIR_REQUEST ? MSG_REQUEST : 0) |
                     (m->dir == OT_DIR_RESPONSE ? MSG_RESPONSE : 0) |
                     (m->has_function ? MSG_FUNCTION : 0) | (m->has_unit ? MSG_UNIT : 0) |
                     (m->has_exception ? MSG_EXCEPTION : 0) | (m->anomaly ? MSG_ANOMALY : 0) |
                     (m->identity.present ? MSG_IDENTITY : 0));
}

unsigned rules_finish(struct rule_set *rs, struct rules_problems *pr)
{
    unsigned problems = 0;
    if (rs->finished)
        return 0;
    /* a user rule replaces the built-in rule with its sid */
    for (size_t i = 0; i < rs->n; i++) {
        struct rule *u = rs->rules[i];
        if (u->info.builtin)
            continue;
        for (size_t k = 0; k < rs->n; k++)
            if (rs->rules[k]->info.builtin && rs->rules[k]->info.sid == u->info.sid)
                rs->rules[k]->dropped = true;
    }
    /* duplicates among the rest */
    size_t kept = 0;
    for (size_t i = 0; i < rs->n; i++)
        if (!rs->rules[i]->dropped)
            rs->rules[kept++] = rs->rules[i];
    rs->n = kept;
    {
        /* by hashing sids: stays fast at 10 000 rules; the first definition wins */
        size_t cap = 16;
        while (cap < rs->n * 2)
            cap <<= 1;
        struct rule **h = calloc(cap, sizeof(*h));
        if (!h) {
            rules_problem_add(pr, "rules", 0, 0, "out of memory");
            return 1;
        }
        for (size_t i = 0; i < rs->n; i++) {
            struct rule *r = rs->rules[i];
            size_t j = (r->info.sid * 2654435761u) & (cap - 1);
            while (h[j] && h[j]->info.sid != r->info.sid)
                j = (j + 1) & (cap - 1);
            if (h[j]) {
                rules_problem_add(pr, r->info.file, r->info.line, 1,
                                  "duplicate sid %u (first defined at %s:%u)", r->info.sid,
                                  h[j]->info.file, h[j]->info.line);
                problems++;
                r->dropped = true;
            } else {
                h[j] = r;
            }
        }
        free(h);
    }
    kept = 0;
    for (size_t i = 0; i < rs->n; i++)
        if (!rs->rules[i]->dropped)
            rs->rules[kept++] = rs->rules[i];
    rs->n = kept;
    /* endpoints */
    for (size_t i = 0; i < rs->n; i++) {
        struct rule *r = rs->rules[i];
        for (int k = 0; k < r->n; k++)
            if (r->cl[k].ep)
                build_endpoint(rs, r, r->cl[k].ep, pr, &problems);
    }
    /* infos, lists, index */
    rs->info = calloc(rs->n ? rs->n : 1, sizeof(*rs->info));
    size_t cap = 64;
    while (cap < rs->n * 2)
        cap <<= 1;
    rs->buckets = calloc(cap, sizeof(*rs->buckets));
    rs->bmask = cap - 1;
    if (!rs->info || !rs->buckets) {
        rules_problem_add(pr, "rules", 0, 0, "out of memory");
        return problems + 1;
    }
    for (size_t i = 0; i < rs->n; i++) {
        struct rule *r = rs->rules[i];
        r->info.index = (uint32_t)i;
        rs->info[i] = r->info;
        r->msg_needs = 0;
        for (int k = 0; k < r->n; k++)
            r->msg_needs |= clause_needs(&r->cl[k]);
        order_clauses(r);
        if (r->info.condition >= 0)
            rs->cond_mask |= 1u << r->info.condition;
        for (int t = 0; t < RT_COUNT; t++) {
            if (!(r->info.triggers & (1u << t)))
                continue;
            if (t != RT_MSG) {
                push_idx(&rs->list[t], &rs->n_list[t], (uint32_t)i);
            } else if (r->proto == RP_ANY_OT) {
                push_idx(&rs->any_ot, &rs->n_any_ot, (uint32_t)i);
            } else {
                struct bucket *b = bucket_find(rs, (uint32_t)r->proto, r->fkind, r->fval,
                                               r->has_ukey, r->uval, true);
                rs->shapes[r->proto] |= (uint8_t)(1u << (r->fkind * 2 + r->has_ukey));
                push_idx(&b->idx, &b->n, (uint32_t)i);
            }
        }
    }
    /* message classes key on the unit where some bucket does */
    for (int p = 0; p < OT_PROTO_COUNT; p++)
        rs->unit_keyed[p] = (rs->shapes[p] & 0x2a) != 0; /* shape bits fkind * 2 + 1 */
    /* message-class caches tell sets apart by this, not by address */
    static atomic_uint_fast64_t serials;
    rs->serial = atomic_fetch_add(&serials, 1) + 1;
    rs->finished = true;
    return problems;
}

size_t rules_count(const struct rule_set *rs)
{
    return rs ? rs->n : 0;
}

const struct rule_info *rules_info(const struct rule_set *rs, size_t index)
{
    return rs && index < rs->n ? &rs->info[index] : NULL;
}

bool rules_want(const struct rule_set *rs, enum rules_trigger t)
{
    if (!rs)
        return false;
    if (t == RT_MSG)
        return rs->n_any_ot > 0 || rs->n > 0;
    return rs->n_list[t] > 0;
}

bool rules_want_cond(const struct rule_set *rs, int cond)
{
    return rs && cond >= 0 && cond < RC_COUNT && (rs->cond_mask & (1u << cond));
}

bool rules_want_role(const struct rule_set *rs)
{
    return rs && rs->uses_role;
}

/* ------------------------------------------------------------------ matching */

static bool num_in(const struct clause *c, double x)
{
    for (int i = 0; i < c->n; i++)
        if (!c->items[i].s && x >= c->items[i].lo && x <= c->items[i].hi)
            return true;
    return false;
}

static bool compare_num(const struct clause *c, double x)
{
    switch (c->cmp) {
        case CMP_IN: return num_in(c, x);
        case CMP_NOT_IN: return !num_in(c, x);
        case CMP_LT: return x < c->items[0].lo;
        case CMP_LE: return x <= c->items[0].lo;
        case CMP_GT: return x > c->items[0].lo;
        case CMP_GE: return x >= c->items[0].lo;
        case CMP_TRUTHY: return x != 0;
        default: return false;
    }
}

static bool str_in(const struct clause *c, const char *s, size_t n)
{
    for (int i = 0; i < c->n; i++) {
        const char *w = c->items[i].s;
        if (w && strlen(w) == n && strncasecmp(w, s, n) == 0)
            return true;
    }
    return false;
}

static bool compare_str(const struct clause *c, const char *s, size_t n)
{
    switch (c->cmp) {
        case CMP_IN: return str_in(c, s, n);
        case CMP_NOT_IN: return !str_in(c, s, n);
        case CMP_TRUTHY: return n > 0;
        default: return false; /* < > on text: never */
    }
}

static bool leaf(const struct ot_detail *d, const struct ot_kv *kv, const struct clause *c)
{
    switch (kv->type) {
        case OT_KV_U64: return compare_num(c, (double)kv->v.u);
        case OT_KV_I64: return compare_num(c, (double)kv->v.i);
        case OT_KV_DBL: return compare_num(c, kv->v.d);
        case OT_KV_BOOL: return compare_num(c, kv->v.u ? 1 : 0);
        case OT_KV_STR: return compare_str(c, d->str + kv->v.off, kv->len);
        case OT_KV_HEX: return c->cmp == CMP_TRUTHY && kv->len > 0;
        default: return false;
    }
}

static bool opens(const struct ot_kv *kv)
{
    return kv->type == OT_KV_OBJ_BEGIN || kv->type == OT_KV_ARR_BEGIN;
}

/* Index after the END that closes the object/array opened at i. */
static size_t skip(const struct ot_detail *d, size_t i)
{
    int depth = 0;
    for (; i < d->n; i++) {
        if (opens(&d->kv[i]))
            depth++;
        else if (d->kv[i].type == OT_KV_END && --depth == 0)
            return i + 1;
    }
    return d->n;
}

static bool in_object(const struct ot_detail *d, size_t i, size_t end, const struct clause *c,
                      int k);

/* Entry i (ending before next) has the key path[k]. */
static bool at_member(const struct ot_detail *d, size_t i, size_t next, const struct clause *c,
                      int k)
{
    const struct ot_kv *kv = &d->kv[i];
    size_t close = next > i + 1 ? next - 1 : i + 1; /* the END of an object/array */
    if (k == c->depth - 1) {
        if (kv->type == OT_KV_ARR_BEGIN) {
            for (size_t j = i + 1; j < close;) {
                const struct ot_kv *e = &d->kv[j];
                if (!opens(e) && leaf(d, e, c))
                    return true;
                j = opens(e) ? skip(d, j) : j + 1;
            }
            return false;
        }
        if (kv->type == OT_KV_OBJ_BEGIN)
            return c->cmp == CMP_TRUTHY;
        return leaf(d, kv, c);
    }
    if (kv->type == OT_KV_OBJ_BEGIN)
        return in_object(d, i + 1, close, c, k + 1);
    if (kv->type == OT_KV_ARR_BEGIN) {
        for (size_t j = i + 1; j < close;) {
            const struct ot_kv *e = &d->kv[j];
            size_t jn = opens(e) ? skip(d, j) : j + 1;
            if (e->type == OT_KV_OBJ_BEGIN && in_object(d, j + 1, jn - 1, c, k + 1))
                return true;
            j = jn;
        }
    }
    return false;
}

static bool in_object(const struct ot_detail *d, size_t i, size_t end, const struct clause *c,
                      int k)
{
    while (i < end) {
        const struct ot_kv *kv = &d->kv[i];
        if (kv->type == OT_KV_END)
            return false;
        size_t next = opens(kv) ? skip(d, i) : i + 1;
        if (kv->key && strcmp(kv->key, c->path[k]) == 0 && at_member(d, i, next, c, k))
            return true;
        i = next;
    }
    return false;
}

static bool detail_match(const struct ot_msg *m, const struct clause *c)
{
    return in_object(&m->detail, 0, m->detail.n, c, 0);
}

static const char *identity_field(const struct ot_identity *id, int f)
{
    switch (f) {
        case 0: return id->vendor;
        case 1: return id->product;
        case 2: return id->model;
        case 3: return id->firmware;
        case 4: return id->serial;
        default: return id->name;
    }
}

static bool func_match(const struct ot_msg *m, const struct clause *c)
{
    if (!m->has_function)
        return false;
    for (int i = 0; i < c->n; i++) {
        const struct item *it = &c->items[i];
        if (it->s) {
            if (m->function && strcasecmp(m->function, it->s) == 0)
                return true;
        } else if (m->function_code >= it->lo && m->function_code <= it->hi) {
            return true;
        }
    }
    return false;
}

static bool addr_match(const struct ot_msg *m, const struct clause *c)
{
    for (uint8_t r = 0; r < m->n_ranges; r++) {
        const struct ot_range *rg = &m->ranges[r];
        double lo = (double)rg->start;
        double hi = (double)rg->start + (rg->count ? rg->count - 1 : 0);
        for (int i = 0; i < c->n; i++) {
            const struct item *it = &c->items[i];
            if (it->space && !(rg->space && strcasecmp(rg->space, it->space) == 0))
                continue;
            if (it->space_id >= 0 && (int64_t)rg->space_id != it->space_id)
                continue;
            if (lo <= it->hi && hi >= it->lo)
                return true;
        }
    }
    return false;
}

static bool value_match(const struct ot_msg *m, const struct clause *c)
{
    for (uint8_t i = 0; i < m->n_values; i++) {
        const struct ot_value *v = &m->values[i];
        if (c->has_at && ((double)v->addr < c->at_lo || (double)v->addr > c->at_hi))
            continue;
        if (compare_num(c, v->value))
            return true;
    }
    return false;
}

static bool mac_in(const uint8_t (*macs)[6], int n, const uint8_t *mac)
{
    for (int i = 0; mac && i < n; i++)
        if (memcmp(macs[i], mac, 6) == 0)
            return true;
    return false;
}

static bool ep_item_match(const struct rule_set *rs, const struct ep_item *it,
                          const struct rules_ep *e)
{
    switch (it->kind) {
        case EP_ZONE: return e->zone == it->zone;
        case EP_LEVEL: {
            int l = rs->zones ? zone_level(rs->zones, e->zone) : ZONE_LEVEL_UNKNOWN;
            return l >= it->lo && l <= it->hi;
        }
        case EP_INTERNAL: return e->ip_version && e->internal;
        case EP_EXTERNAL: return e->ip_version && !e->internal;
        case EP_OT: return e->ip_version && rs->zones && zone_is_ot(rs->zones, e->zone);
        case EP_BROADCAST: return e->broadcast;
        case EP_ROLE: return e->role && strcasecmp(e->role, it->text) == 0;
        case EP_ANY: return true;
        case EP_CLIENT: return e->side == 0;
        case EP_SERVER: return e->side == 1;
        default: return false; /* addresses and MACs are in the lists */
    }
}

static bool ep_match(const struct rule_set *rs, const struct endpoint *ep, const struct rules_ep *e)
{
    if (ep->has_port) {
        bool port = false;
        for (int i = 0; i < ep->n && !port; i++) {
            const struct ep_item *it = &ep->items[i];
            if (it->kind == EP_PORT && !it->neg)
                port = e->port >= it->lo && e->port <= it->hi;
        }
        bool any_pos_port = false;
        for (int i = 0; i < ep->n; i++) {
            const struct ep_item *it = &ep->items[i];
            if (it->kind != EP_PORT)
                continue;
            if (it->neg && e->port >= it->lo && e->port <= it->hi)
                return false;
            any_pos_port |= !it->neg;
        }
        if (any_pos_port && !port)
            return false;
    }
    if (ep->neg_ips && e->ip_version && iplist_lookup(ep->neg_ips, e->ip, e->ip_version, NULL))
        return false;
    if (mac_in((const uint8_t(*)[6])ep->neg_macs, ep->n_neg_macs, e->mac))
        return false;
    bool hit = false;
    for (int i = 0; i < ep->n; i++) {
        const struct ep_item *it = &ep->items[i];
        if (it->kind == EP_PORT || it->kind == EP_CIDR || it->kind == EP_MAC || it->kind == EP_SET)
            continue;
        bool r = ep_item_match(rs, it, e);
        if (it->neg && r)
            return false;
        if (!it->neg && r)
            hit = true;
    }
    if (!ep->has_pos_host || hit)
        return true;
    if (ep->pos_ips && e->ip_version && iplist_lookup(ep->pos_ips, e->ip, e->ip_version, NULL))
        return true;
    return mac_in((const uint8_t(*)[6])ep->pos_macs, ep->n_pos_macs, e->mac);
}

/* Suffix match at a label boundary: "example.com" matches "a.example.com". */
static bool name_match(const struct clause *c, const char *name)
{
    if (!name)
        return false;
    size_t n = strlen(name);
    while (n && name[n - 1] == '.')
        n--;
    for (int i = 0; i < c->n; i++) {
        const char *w = c->items[i].s;
        if (!w)
            continue;
        size_t k = strlen(w);
        if (k > n || strncasecmp(name + n - k, w, k) != 0)
            continue;
        if (k == n || name[n - k - 1] == '.')
            return true;
    }
    return false;
}

static bool app_match(const struct clause *c, const char *app)
{
    if (!app)
        return false;
    return str_in(c, app, strlen(app));
}

/* Out of line: the loops over candidates stay small, and most candidates
 * have no clause left to evaluate (callgrind: 1.6 M fewer instructions on
 * 200,000 packets of gen-bench.py than inlined). */
__attribute__((noinline)) static bool clause_match(const struct rule_set *rs,
                                                   const struct clause *c, const struct ot_msg *m,
                                                   const struct rules_event *ev)
{
    switch (c->type) {
        case CL_DIR: return m && m->dir == (enum ot_dir)c->dir;
        case CL_OP: return m && m->has_function && (c->op_mask & (1u << m->op_class));
        case CL_FUNC: return m && func_match(m, c);
        case CL_UNIT: return m && m->has_unit && num_in(c, m->unit);
        case CL_ADDR: return m && addr_match(m, c);
        case CL_VALUE: return m && value_match(m, c);
        case CL_EXCEPTION:
            if (!m || !m->has_exception)
                return false;
            if (c->n == 0)
                return true;
            return num_in(c, m->exception_code) ||
                   (m->exception && str_in(c, m->exception, strlen(m->exception)));
        case CL_ANOMALY:
            if (!m || !m->anomaly)
                return false;
            return c->n == 0 || str_in(c, m->anomaly, strlen(m->anomaly));
        case CL_DETAIL: return m && detail_match(m, c);
        case CL_IDENTITY: {
            if (!m || !m->identity.present)
                return false;
            const char *s = identity_field(&m->identity, c->field);
            return compare_str(c, s, strlen(s));
        }
        case CL_APP: return app_match(c, ev->app);
        case CL_RISK: return (ev->risks & c->risk_mask) != 0;
        case CL_SERVER_NAME: return name_match(c, ev->server_name);
        case CL_CONDITION: return (ev->facts & (1u << c->cond)) != 0;
        case CL_FROM: return ep_match(rs, c->ep, &ev->src);
        case CL_TO: return ep_match(rs, c->ep, &ev->dst);
        default: return false;
    }
}

/* Clauses [from, to) of r hold. */
static inline bool clauses_match(const struct rule_set *rs, const struct rule *r, int from, int to,
                                 const struct ot_msg *m, const struct rules_event *ev)
{
    for (int i = from; i < to; i++)
        if (clause_match(rs, &r->cl[i], m, ev) == r->cl[i].neg)
            return false;
    return true;
}

static inline bool proto_match(const struct rule *r, const struct ot_msg *m,
                               const struct rules_event *ev)
{
    if (r->proto > 0 && r->proto < OT_PROTO_COUNT) {
        enum ot_proto p = m ? m->proto : ev->proto;
        if ((int)p != r->proto)
            return false;
    } else if (r->proto == RP_TCP || r->proto == RP_UDP || r->proto == RP_ICMP) {
        uint8_t l4 = r->proto == RP_TCP ? 6 : r->proto == RP_UDP ? 17 : 1;
        if (ev->l4 != l4 && !(l4 == 1 && ev->l4 == 58))
            return false;
    }
    return true;
}

static bool rule_match(const struct rule_set *rs, const struct rule *r, const struct ot_msg *m,
                       const struct rules_event *ev)
{
    return proto_match(r, m, ev) && clauses_match(rs, r, 0, r->n, m, ev);
}

/* The name hash of a message's function: the names are static strings, so a
 * small per-thread cache on the pointer saves hashing them per message. */
static uint32_t func_hash(const char *name)
{
    static __thread const char *cache_p[64];
    static __thread uint32_t cache_h[64];
    size_t slot = ((uintptr_t)name >> 3) & 63;
    if (cache_p[slot] == name)
        return cache_h[slot];
    uint32_t h = rules_name_hash(name);
    cache_p[slot] = name;
    cache_h[slot] = h;
    return h;
}

#define MAX_SOURCES 8 /* six (function, unit) shapes and the `alert any` rules */

/* The index lists a message can hit, merged in load order by next_source. */
struct sources {
    const uint32_t *src[MAX_SOURCES];
    uint32_t len[MAX_SOURCES], pos[MAX_SOURCES];
    int n;
};

/* The function-key shapes a message has: fk[f] / fv[f] for f < return. */
static int msg_fkeys(const struct ot_msg *m, uint32_t fk[3], uint32_t fv[3])
{
    int nf = 1;
    fk[0] = fv[0] = 0;
    if (m->has_function) {
        fk[nf] = 1;
        fv[nf++] = m->function_code;
        if (m->function) {
            fk[nf] = 2;
            fv[nf++] = func_hash(m->function);
        }
    }
    return nf;
}

static void add_source(struct sources *s, const uint32_t *idx, uint32_t n)
{
    s->src[s->n] = idx;
    s->len[s->n] = n;
    s->pos[s->n++] = 0;
}

static void msg_sources(const struct rule_set *rs, const struct ot_msg *m, struct sources *s)
{
    uint32_t fk[3], fv[3];
    int nf = msg_fkeys(m, fk, fv);
    uint8_t shapes = (unsigned)m->proto < OT_PROTO_COUNT ? rs->shapes[m->proto] : 0;
    s->n = 0;
    for (int f = 0; f < nf; f++) {
        for (int u = 0; u < 2; u++) {
            if ((u == 1 && !m->has_unit) || !(shapes & (1u << (fk[f] * 2 + u))))
                continue;
            const struct bucket *b = bucket_find(rs, (uint32_t)m->proto, fk[f], fv[f], (uint32_t)u,
                                                 u ? m->unit : 0, false);
            if (b && b->n)
                add_source(s, b->idx, b->n);
        }
    }
    if (rs->n_any_ot)
        add_source(s, rs->any_ot, rs->n_any_ot);
}

#define NO_RULE UINT32_MAX

/* The next rule of the sources in load order, or NO_RULE. */
static uint32_t next_source(struct sources *s)
{
    int best = -1;
    for (int i = 0; i < s->n; i++)
        if (s->pos[i] < s->len[i] &&
            (best < 0 || s->src[i][s->pos[i]] < s->src[best][s->pos[best]]))
            best = i;
    return best < 0 ? NO_RULE : s->src[best][s->pos[best]++];
}

/* facts: msg_facts(m) */
static inline void try_rule(const struct rule_set *rs, uint32_t idx, const struct ot_msg *m,
                            uint8_t facts, const struct rules_event *ev, rules_hit_fn hit,
                            void *arg)
{
    const struct rule *r = rs->rules[idx];
    if ((r->msg_needs & ~facts) == 0 && rule_match(rs, r, m, ev))
        hit(arg, &rs->info[r->info.index]);
}

void rules_match(const struct rule_set *rs, enum rules_trigger t, const struct ot_msg *m,
                 const struct rules_event *ev, rules_hit_fn hit, void *arg)
{
    if (!rs || !rs->finished)
        return;
    if (t != RT_MSG) {
        for (uint32_t i = 0; i < rs->n_list[t]; i++)
            try_rule(rs, rs->list[t][i], NULL, 0, ev, hit, arg);
        return;
    }
    if (!m)
        return;
    struct sources s;
    msg_sources(rs, m, &s);
    uint8_t facts = msg_facts(m);
    for (uint32_t i; (i = next_source(&s)) != NO_RULE;)
        try_rule(rs, i, m, facts, ev, hit, arg);
}

/* ------------------------------------------------------------------ message classes */

/* Messages of one class (protocol, direction, operation class, the facts
 * rules require, function code and name, and the unit as far as the
 * protocol's index uses it) look up the same buckets, pass the same
 * required-facts test and the same class clauses (clause_by_class): their
 * candidate rules are listed once and remembered per worker.  A poller's
 * messages are a handful of classes; most have no candidate left (every
 * response of a Modbus poll), and those cost a table probe instead of two
 * bucket lookups, a merge and an event (callgrind, 200,000 packets of
 * gen-bench.py: 580 instructions a message in rules_match before). */
#define CLASS_SETS 256  /* a power of two; two classes a set, the last used first */
#define CLASS_POOL 4096 /* candidate indexes of all remembered classes */

struct msg_class {
    uint64_t k[4];   /* k[1] 0: empty (never a key: its low bit is set) */
    uint32_t off, n; /* candidates: pool[off .. off + n) */
};

struct rules_msg_cache {
    uint64_t serial; /* of the set the classes were listed from; 0 none */
    uint32_t used;   /* of pool */
    /* two ways: with one, two hot classes that share a slot (a Modbus
     * request and its response, as the binary's layout placed their
     * function names) listed their candidates again on every message:
     * 2.5 M instructions on 200,000 packets */
    struct msg_class cls[CLASS_SETS][2];
    uint32_t pool[CLASS_POOL];
};

struct rules_msg_cache *rules_msg_cache_new(void)
{
    return calloc(1, sizeof(struct rules_msg_cache));
}

void rules_msg_cache_free(struct rules_msg_cache *c)
{
    free(c);
}

static void cache_reset(struct rules_msg_cache *c, uint64_t serial)
{
    memset(c->cls, 0, sizeof(c->cls));
    c->used = 0;
    c->serial = serial;
}

/* A candidate of m's class: its required facts and its class clauses
 * hold (the protocol too, when the rule names one). */
static bool class_candidate(const struct rule_set *rs, const struct rule *r, const struct ot_msg *m,
                            uint8_t facts)
{
    if (r->msg_needs & ~facts)
        return false;
    if (r->proto > 0 && r->proto < OT_PROTO_COUNT && (int)m->proto != r->proto)
        return false;
    /* no class clause reads the event */
    static const struct rules_event none;
    return clauses_match(rs, r, r->n_rest, r->n, m, &none);
}

/* Lists the candidates of m's class at pool[used ..]; false when they do
 * not fit. */
static bool class_fill(const struct rule_set *rs, struct rules_msg_cache *c, const struct ot_msg *m,
                       uint8_t facts, uint32_t *n)
{
    struct sources s;
    msg_sources(rs, m, &s);
    *n = 0;
    for (uint32_t i; (i = next_source(&s)) != NO_RULE;) {
        if (!class_candidate(rs, rs->rules[i], m, facts))
            continue;
        if (c->used + *n >= CLASS_POOL)
            return false;
        c->pool[c->used + (*n)++] = i;
    }
    return true;
}

static bool class_is(const struct msg_class *e, const uint64_t k[4])
{
    return e->k[0] == k[0] && e->k[1] == k[1] && e->k[2] == k[2] && e->k[3] == k[3];
}

int rules_msg_candidates(const struct rule_set *rs, struct rules_msg_cache *c,
                         const struct ot_msg *m, const uint32_t **idx)
{
    *idx = NULL;
    if (!rs || !rs->finished || !m)
        return 0;
    if (!c)
        return -1;
    if (c->serial != rs->serial)
        cache_reset(c, rs->serial);
    uint8_t facts = msg_facts(m);
    unsigned p = (unsigned)m->proto;
    /* the unit only where the protocol's index looks at it (unit_keyed) */
    bool unit = m->has_unit && p < OT_PROTO_COUNT && rs->unit_keyed[p];
    uint64_t k[4] = {
        (uint64_t)p << 32 | (uint32_t)m->dir,
        (uint64_t)(uint32_t)m->op_class << 32 | facts << 8 | 1,
        (uint64_t)(unit ? m->unit : 0) << 32 | (m->has_function ? m->function_code : 0),
        /* names are static strings: the pointer stands for the name */
        m->has_function ? (uint64_t)(uintptr_t)m->function : 0,
    };
    uint64_t h = (k[0] ^ k[1] * 0x9e3779b97f4a7c15ULL ^ k[2] ^ k[3]) * 0xff51afd7ed558ccdULL;
    struct msg_class *set = c->cls[(h ^ h >> 32) & (CLASS_SETS - 1)];
    if (!class_is(&set[0], k)) {
        if (class_is(&set[1], k)) {
            struct msg_class t = set[0];
            set[0] = set[1];
            set[1] = t;
        } else {
            uint32_t n;
            if (!class_fill(rs, c, m, facts, &n)) {
                /* the pool is full of classes: start again, once */
                cache_reset(c, rs->serial);
                if (!class_fill(rs, c, m, facts, &n))
                    return -1;
            }
            set[1] = set[0];
            set[0] = (struct msg_class){{k[0], k[1], k[2], k[3]}, c->used, n};
            c->used += n;
        }
    }
    *idx = &c->pool[set[0].off];
    return (int)set[0].n;
}

void rules_match_candidates(const struct rule_set *rs, const uint32_t *idx, int n,
                            const struct ot_msg *m, const struct rules_event *ev, rules_hit_fn hit,
                            void *arg)
{
    for (int i = 0; i < n; i++) {
        const struct rule *r = rs->rules[idx[i]];
        /* the class clauses, from n_rest on, held when the class was listed */
        if (proto_match(r, m, ev) && clauses_match(rs, r, 0, r->n_rest, m, ev))
            hit(arg, &rs->info[r->info.index]);
    }
}
