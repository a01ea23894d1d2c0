/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: rules, built-in detections, IOC lists, GeoIP and zones on the
 * packet path.  A detection set (zones, rules, tuning, IOC lists, GeoIP
 * databases and policy) is built once from the configuration and is
 * immutable; SIGHUP builds a new one on a thread of its own and publishes it
 * with a generation number; each worker compares that number once per
 * packet and takes the new set between two packets.  A bad reload keeps the
 * old set and says why.  The stateful detections (thresholds, GOOSE, ARP,
 * certificates, once-per-conversation) keep bounded per-worker tables that
 * survive reloads. */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>

#include "alert.h"
#include "conf.h"
#include "cursor.h"
#include "detect-rules.h"
#include "event.h"
#include "flow.h"
#include "jsonw.h"
#include "log.h"
#include "worker.h"

#define TUNE_SIDS 256           /* sids with their own tuning counters in stats */
#define MAX_PRINTED_WARNINGS 20 /* IOC line warnings printed per load */
#define SNMP_PORT 161
#define SNMP_TRAP_PORT 162
#define HTTP_SNIFF_PACKETS 8 /* client packets of a flow searched for basic auth */
#define RETIRED_SETS 8       /* sets kept after a swap until no aggregate names them */
#define KEY_MEMO 1024        /* flows whose last tracker key is remembered (a power of two) */

/* ------------------------------------------------------------------ the set */

struct dset {
    atomic_int refs;
    uint32_t gen;
    uint64_t inputs; /* fingerprint of the files it was built from */
    struct zone_table *zones;
    struct rule_set *rules;
    struct alert_def *defs; /* one per rule, index = rule_info.index */
    struct tuning *tuning;
    struct ioc *ioc;
    struct geo *geo;
    struct geo_policy policy;
    size_t n_builtin;
    int n_geo_files;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dset *g_set; /* the current set; holds one reference */
static atomic_uint g_gen;  /* its generation; 0: none loaded */
static uint32_t g_last_gen;
static sem_t g_sem;
static pthread_t g_thread;
static bool g_running;
static atomic_int g_stop;
static atomic_ulong g_reloads, g_reload_failures;
static char g_config_path[4096];
static uint64_t g_inputs; /* fingerprint of the current set's files */
static struct rules_opts g_opts;
static rules_role_fn g_role_fn;

static void dset_free(struct dset *s)
{
    if (!s)
        return;
    rules_free(s->rules);
    zone_table_free(s->zones);
    free(s->defs);
    tuning_free(s->tuning);
    ioc_free(s->ioc);
    geo_free(s->geo);
    free(s);
}

static void dset_put(struct dset *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1)
        dset_free(s);
}

/* Calls fn on each item of a comma (or space) separated list. */
static int each_item(const char *list, int (*fn)(void *, const char *), void *arg)
{
    char item[CONF_STR];
    const char *s = list;
    int rc = 0;
    while (*s) {
        while (*s == ',' || *s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        size_t n = strcspn(s, ", \t");
        snprintf(item, sizeof(item), "%.*s", (int)(n < sizeof(item) - 1 ? n : sizeof(item) - 1), s);
        s += n;
        if (fn(arg, item) != 0)
            rc = -1;
    }
    return rc;
}

struct build {
    struct dset *s;
    const struct conf *c;
    const char *where; /* the configuration file, or "configuration" */
    struct rules_problems *err;
    struct rules_problems *warn;
    unsigned line;
    int zone;
    const char *geo_paths[RULES_OPT_MAX];
    int n_geo;
};

static int add_internal(void *arg, const char *item)
{
    struct build *b = arg;
    char e[RULES_MSG_LEN];
    if (zone_add_internal(b->s->zones, item, e, sizeof(e)) != 0) {
        rules_problem_add(b->err, b->where, 0, 0, "networks.internal: %s", e);
        return -1;
    }
    return 0;
}

static int add_zone_net(void *arg, const char *item)
{
    struct build *b = arg;
    char e[RULES_MSG_LEN];
    if (zone_add_network(b->s->zones, b->zone, item, e, sizeof(e)) != 0) {
        rules_problem_add(b->err, b->where, b->line, 0, "zone '%s': %s",
                          zone_name(b->s->zones, b->zone), e);
        return -1;
    }
    return 0;
}

static int add_rule_path(void *arg, const char *item)
{
    struct build *b = arg;
    rules_load_path(b->s->rules, item, b->err);
    return 0;
}

static int add_ioc(void *arg, const char *item)
{
    struct build *b = arg;
    if (ioc_load(b->s->ioc, item, b->warn) < 0) {
        /* an unreadable list is an error; its bad lines are warnings */
        struct rules_problem *p = &b->warn->p[b->warn->n - 1];
        if (b->warn->n > 0) {
            rules_problem_add(b->err, p->where, p->line, p->col, "%s", p->msg);
            b->warn->n--;
            b->warn->total--;
        }
        return -1;
    }
    return 0;
}

static int add_geo(void *arg, const char *item)
{
    struct build *b = arg;
    if (b->n_geo >= RULES_OPT_MAX)
        return -1;
    b->geo_paths[b->n_geo++] = strdup(item);
    return 0;
}

static void build_zones(struct build *b)
{
    const struct conf *c = b->c;
    struct dset *s = b->s;
    char e[RULES_MSG_LEN];
    zone_set_unzoned(s->zones, "unzoned", (int)c->unzoned_level);
    each_item(c->internal_networks, add_internal, b);
    for (uint32_t i = 0; i < c->n_zones; i++) {
        const struct conf_zone *z = &c->zones[i];
        b->line = z->line;
        b->zone = zone_add(s->zones, z->name, z->level, e, sizeof(e));
        if (b->zone < 0) {
            rules_problem_add(b->err, b->where, z->line, 0, "%s", e);
            continue;
        }
        if (!z->networks[0])
            rules_problem_add(b->err, b->where, z->line, 0, "zone '%s' has no networks", z->name);
        each_item(z->networks, add_zone_net, b);
    }
    for (uint32_t i = 0; i < c->n_conduits; i++) {
        const struct conf_conduit *k = &c->conduits[i];
        if (zone_add_conduit(s->zones, k->from, k->to, k->protocols, k->bidirectional, e,
                             sizeof(e)) != 0)
            rules_problem_add(b->err, b->where, k->line, 0, "%s", e);
    }
    if (zone_build(s->zones, e, sizeof(e)) != 0)
        rules_problem_add(b->err, b->where, 0, 0, "%s", e);
}

static void build_policy(struct build *b)
{
    const struct conf *c = b->c;
    struct geo_policy *p = &b->s->policy;
    char e[RULES_MSG_LEN];
    if (strcmp(c->geo_ot_policy, "deny") == 0)
        p->ot = GEO_OT_DENY;
    else if (strcmp(c->geo_ot_policy, "allowlist") == 0)
        p->ot = GEO_OT_ALLOWLIST;
    else if (strcmp(c->geo_ot_policy, "allow") == 0)
        p->ot = GEO_OT_ALLOW;
    else
        rules_problem_add(b->err, b->where, 0, 0,
                          "geoip.ot_policy is deny, allowlist or allow, not '%s'",
                          c->geo_ot_policy);
    if (geo_policy_countries(p->allowed_cc, &p->n_allowed_cc, c->geo_allowed_countries, e,
                             sizeof(e)) != 0)
        rules_problem_add(b->err, b->where, 0, 0, "geoip.allowed_countries: %s", e);
    if (geo_policy_countries(p->forbidden_cc, &p->n_forbidden_cc, c->geo_forbidden_countries, e,
                             sizeof(e)) != 0)
        rules_problem_add(b->err, b->where, 0, 0, "geoip.forbidden_countries: %s", e);
    if (geo_policy_asns(p->allowed_asn, &p->n_allowed_asn, c->geo_allowed_asns, e, sizeof(e)) != 0)
        rules_problem_add(b->err, b->where, 0, 0, "geoip.allowed_asns: %s", e);
    if (geo_policy_asns(p->forbidden_asn, &p->n_forbidden_asn, c->geo_forbidden_asns, e,
                        sizeof(e)) != 0)
        rules_problem_add(b->err, b->where, 0, 0, "geoip.forbidden_asns: %s", e);
    bool lists = p->n_allowed_cc || p->n_forbidden_cc || p->n_allowed_asn || p->n_forbidden_asn;
    if (lists && !b->s->geo)
        rules_problem_add(b->warn, b->where, 0, 0,
                          "geoip: country / ASN lists without a GeoIP database (geoip.files or "
                          "--geoip) match nothing");
}

static void fill_defs(struct dset *s)
{
    size_t n = rules_count(s->rules);
    s->defs = calloc(n ? n : 1, sizeof(*s->defs));
    if (!s->defs)
        return;
    for (size_t i = 0; i < n; i++) {
        const struct rule_info *r = rules_info(s->rules, i);
        struct alert_def *d = &s->defs[i];
        d->kind = r->kind;
        d->sid = r->sid;
        d->rev = r->rev;
        d->signature = r->msg;
        d->category = r->category;
        d->severity = r->severity;
        d->source = r->source;
        for (int k = 0; k < ALERT_MAX_MITRE && k < RULES_MAX_MITRE; k++) {
            d->mitre[k] = r->mitre[k];
            d->tactic[k] = r->tactic[k];
        }
        if (r->builtin)
            s->n_builtin++;
    }
}

/* Builds a set.  Returns NULL when an error stops it (errors in err). */
static struct dset *dset_build(const struct conf *c, const char *config_path,
                               const struct rules_opts *o, struct rules_problems *err,
                               struct rules_problems *warn)
{
    struct dset *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    atomic_init(&s->refs, 1);
    struct build b = {s, c, config_path ? config_path : "configuration", err, warn, 0, 0, {0}, 0};
    s->zones = zone_table_new();
    s->ioc = ioc_new();
    if (!s->zones || !s->ioc) {
        rules_problem_add(err, "rules", 0, 0, "out of memory");
        dset_free(s);
        return NULL;
    }
    build_zones(&b);
    s->rules = rules_new(s->zones, rules_ndpi_names());
    if (!s->rules) {
        dset_free(s);
        return NULL;
    }
    if (c->rules_builtin) {
        for (const struct rules_builtin *f = rules_builtin_files; f->name; f++) {
            char where[RULES_WHERE_LEN];
            snprintf(where, sizeof(where), "<built-in>/%s", f->name);
            rules_load_text(s->rules, where, f->text, true, err);
        }
    }
    each_item(c->rules_paths, add_rule_path, &b);
    for (int i = 0; o && i < o->n_rules; i++)
        rules_load_path(s->rules, o->rules[i], err);
    rules_finish(s->rules, err);
    fill_defs(s);
    if (c->rules_tuning[0]) {
        s->tuning = tuning_load(c->rules_tuning, err);
        if (!s->tuning && err->total == 0)
            rules_problem_add(err, c->rules_tuning, 0, 0, "cannot load the tuning file");
    }
    each_item(c->ioc_files, add_ioc, &b);
    for (int i = 0; o && i < o->n_ioc; i++)
        add_ioc(&b, o->ioc[i]);
    if (ioc_build(s->ioc) != 0)
        rules_problem_add(err, "ioc", 0, 0, "out of memory building the IOC lists");
    each_item(c->geoip_files, add_geo, &b);
    for (int i = 0; o && i < o->n_geoip; i++)
        add_geo(&b, o->geoip[i]);
    if (b.n_geo > 0) {
        char e[RULES_MSG_LEN];
        s->geo = geo_open(b.geo_paths, b.n_geo, e, sizeof(e));
        if (!s->geo && c->geoip_optional)
            rules_problem_add(warn, "geoip", 0, 0,
                              "%s; carrying on without GeoIP "
                              "(geoip.optional)",
                              e);
        else if (!s->geo)
            rules_problem_add(err, "geoip", 0, 0,
                              "%s (set geoip.optional: true to carry on "
                              "without it)",
                              e);
        s->n_geo_files = s->geo ? b.n_geo : 0;
    }
    for (int i = 0; i < b.n_geo; i++)
        free((void *)b.geo_paths[i]);
    build_policy(&b);
    if (err->total) {
        dset_free(s);
        return NULL;
    }
    return s;
}

/* A fingerprint of the files a set is built from (configuration, rule
 * files and directories, tuning, IOC lists, GeoIP databases): their names,
 * sizes, inodes and modification times.  A SIGHUP that changes none of them
 * (logrotate's) rebuilds nothing. */
static uint64_t fp_path(uint64_t h, const char *path)
{
    struct stat st;
    h = rules_hash64(path, strlen(path), h);
    if (stat(path, &st) != 0)
        return rules_hash64("missing", 7, h);
    uint64_t v[5] = {(uint64_t)st.st_size, (uint64_t)st.st_ino, (uint64_t)st.st_mtim.tv_sec,
                     (uint64_t)st.st_mtim.tv_nsec, (uint64_t)st.st_mode};
    h = rules_hash64(v, sizeof(v), h);
    if (S_ISDIR(st.st_mode)) {
        struct dirent **names;
        int n = scandir(path, &names, NULL, alphasort);
        for (int i = 0; i < n; i++) {
            char full[4096];
            snprintf(full, sizeof(full), "%s/%s", path, names[i]->d_name);
            if (names[i]->d_name[0] != '.')
                h = fp_path(h, full);
            free(names[i]);
        }
        if (n >= 0)
            free(names);
    }
    return h;
}

static int fp_item(void *arg, const char *item)
{
    uint64_t *h = arg;
    const char *eq = strchr(item, '=');
    *h = fp_path(*h, eq && !memchr(item, '/', (size_t)(eq - item)) ? eq + 1 : item);
    return 0;
}

static uint64_t fingerprint(const struct conf *c, const char *config_path,
                            const struct rules_opts *o)
{
    uint64_t h = 0x6f74736e;
    if (config_path)
        h = fp_path(h, config_path);
    each_item(c->rules_paths, fp_item, &h);
    if (c->rules_tuning[0])
        h = fp_path(h, c->rules_tuning);
    each_item(c->ioc_files, fp_item, &h);
    each_item(c->geoip_files, fp_item, &h);
    for (int i = 0; o && i < o->n_rules; i++)
        fp_item(&h, o->rules[i]);
    for (int i = 0; o && i < o->n_ioc; i++)
        fp_item(&h, o->ioc[i]);
    for (int i = 0; o && i < o->n_geoip; i++)
        fp_item(&h, o->geoip[i]);
    return h;
}

static void print_problems(const struct rules_problems *pr, const char *prefix, int max)
{
    char line[RULES_WHERE_LEN + RULES_MSG_LEN + 32];
    unsigned n = pr->n < (unsigned)max ? pr->n : (unsigned)max;
    for (unsigned i = 0; i < n; i++) {
        rules_problem_format(&pr->p[i], line, sizeof(line));
        fprintf(stderr, "%s%s\n", prefix, line);
    }
    if (pr->total > n)
        fprintf(stderr, "%s... and %u more\n", prefix, pr->total - n);
}

static void summary(const struct dset *s, char *out, size_t len)
{
    size_t n = rules_count(s->rules);
    snprintf(out, len,
             "%zu rules (%zu built-in, %zu from rule files), %zu tuning lines, %zu IOC entries "
             "in %zu lists, %d GeoIP files, %d zones",
             n, s->n_builtin, n - s->n_builtin, tuning_count(s->tuning), ioc_count(s->ioc),
             ioc_lists(s->ioc), s->n_geo_files, zone_count(s->zones));
}

int detect_rules_load(const struct conf *c, const char *config_path, const struct rules_opts *o,
                      bool check_only)
{
    static struct rules_problems err, warn;
    memset(&err, 0, sizeof(err));
    memset(&warn, 0, sizeof(warn));
    struct dset *s = dset_build(c, config_path, o, &err, &warn);
    print_problems(&err, "", RULES_MAX_PROBLEMS);
    print_problems(&warn, "warning: ", MAX_PRINTED_WARNINGS);
    if (!s)
        return -1;
    char text[512];
    summary(s, text, sizeof(text));
    if (check_only) {
        printf("rules: %s\n", text);
        dset_free(s);
        return 0;
    }
    ot_info("loaded %s", text);
    snprintf(g_config_path, sizeof(g_config_path), "%s", config_path ? config_path : "");
    if (o)
        g_opts = *o;
    g_inputs = fingerprint(c, config_path, o);
    pthread_mutex_lock(&g_lock);
    struct dset *old = g_set;
    s->gen = ++g_last_gen;
    g_set = s;
    atomic_store_explicit(&g_gen, s->gen, memory_order_release);
    pthread_mutex_unlock(&g_lock);
    dset_put(old);
    return 0;
}

static void reload_once(void)
{
    struct conf *c = malloc(sizeof(*c));
    struct conf_problems *cp = calloc(1, sizeof(*cp));
    struct rules_problems *err = calloc(1, sizeof(*err));
    struct rules_problems *warn = calloc(1, sizeof(*warn));
    if (!c || !cp || !err || !warn) {
        ot_warn("reload: out of memory; keeping the current rules");
        goto out;
    }
    conf_defaults(c);
    if (g_config_path[0]) {
        unsigned n = conf_load_file(c, g_config_path, cp);
        if (n) {
            for (unsigned i = 0; i < cp->n; i++)
                ot_warn("reload: %s:%u: %s", cp->p[i].file, cp->p[i].line, cp->p[i].msg);
            ot_warn("reload failed: %s has %u problems; keeping the current rules "
                    "(generation %u)",
                    g_config_path, n, atomic_load(&g_gen));
            atomic_fetch_add(&g_reload_failures, 1);
            goto out;
        }
    }
    uint64_t inputs = fingerprint(c, g_config_path[0] ? g_config_path : NULL, &g_opts);
    if (inputs == g_inputs) {
        ot_info("reload: no rule, tuning, list, GeoIP or zone file changed; nothing to do "
                "(generation %u)",
                atomic_load(&g_gen));
        goto out;
    }
    struct dset *s = dset_build(c, g_config_path[0] ? g_config_path : NULL, &g_opts, err, warn);
    char line[RULES_WHERE_LEN + RULES_MSG_LEN + 32];
    for (unsigned i = 0; i < warn->n && i < MAX_PRINTED_WARNINGS; i++) {
        rules_problem_format(&warn->p[i], line, sizeof(line));
        ot_warn("reload: %s", line);
    }
    if (!s) {
        for (unsigned i = 0; i < err->n; i++) {
            rules_problem_format(&err->p[i], line, sizeof(line));
            ot_warn("reload: %s", line);
        }
        ot_warn("reload failed (%u problems); keeping the current rules (generation %u)",
                err->total, atomic_load(&g_gen));
        atomic_fetch_add(&g_reload_failures, 1);
        goto out;
    }
    char text[512];
    summary(s, text, sizeof(text));
    pthread_mutex_lock(&g_lock);
    struct dset *old = g_set;
    s->gen = ++g_last_gen;
    g_set = s;
    atomic_store_explicit(&g_gen, s->gen, memory_order_release);
    pthread_mutex_unlock(&g_lock);
    dset_put(old);
    g_inputs = inputs;
    atomic_fetch_add(&g_reloads, 1);
    ot_info("reloaded (generation %u): %s", s->gen, text);
out:
    free(c);
    free(cp);
    free(err);
    free(warn);
}

static void *reload_main(void *arg)
{
    (void)arg;
    for (;;) {
        while (sem_wait(&g_sem) != 0 && errno == EINTR)
            ;
        if (atomic_load(&g_stop))
            break;
        reload_once();
    }
    return NULL;
}

int detect_rules_start(void)
{
    if (g_running)
        return 0;
    if (sem_init(&g_sem, 0, 0) != 0)
        return -1;
    atomic_store(&g_stop, 0);
    if (pthread_create(&g_thread, NULL, reload_main, NULL) != 0) {
        sem_destroy(&g_sem);
        return -1;
    }
    g_running = true;
    return 0;
}

void detect_rules_request_reload(void)
{
    if (g_running)
        sem_post(&g_sem);
}

void detect_rules_stop(void)
{
    if (g_running) {
        atomic_store(&g_stop, 1);
        sem_post(&g_sem);
        pthread_join(g_thread, NULL);
        sem_destroy(&g_sem);
        g_running = false;
    }
    pthread_mutex_lock(&g_lock);
    struct dset *s = g_set;
    g_set = NULL;
    atomic_store(&g_gen, 0);
    pthread_mutex_unlock(&g_lock);
    dset_put(s);
}

void detect_rules_set_role_fn(rules_role_fn fn)
{
    g_role_fn = fn;
}

/* ------------------------------------------------------------------ worker state */

struct tune_count {
    uint32_t sid;
    uint64_t disabled, suppressed, thresholded;
};

/* The tracker key a flow's last thresholded hit used: a poller's requests
 * match the same rule on the same flow again and again, and the key hashes
 * both addresses (123 instructions a hit).  One slot per flow address,
 * emptied when the flow ends; a slot taken by another flow or rule is
 * simply recomputed. */
struct key_memo {
    const struct flow *f; /* NULL: empty */
    uint32_t sid;
    uint8_t by;
    int8_t dir;
    uint64_t key;
};

struct rules_worker {
    struct dset *set;
    uint32_t gen;
    bool want_role;   /* some rule of the set names a device role */
    bool want_packet; /* some rule of the set has payload conditions */
    /* sets replaced by a reload: pending alert aggregates still point at
     * their definitions until the aggregation window closes */
    struct dset *retired[RETIRED_SETS];
    uint64_t retired_until[RETIRED_SETS];
    struct tracker *thr;      /* threshold clauses of rules */
    struct tracker *tune_thr; /* threshold lines of the tuning file */
    struct onceset *once;     /* conversations already alerted (zone, geo, IOC) */
    struct goose_tracker *goose;
    struct arp_tracker *arp;
    struct cert_tracker *certs;
    struct rules_msg_cache *msgc; /* the candidate rules of message classes */
    struct key_memo *keys;        /* KEY_MEMO slots */
    uint64_t matches, below_threshold, repeats;
    uint64_t disabled, suppressed, thresholded;
    struct tune_count by_sid[TUNE_SIDS];
    int n_by_sid;
    uint64_t other_sids; /* tuned alerts of sids past TUNE_SIDS */
};

static struct rules_worker *rw_new(struct worker *w)
{
    const struct conf *c = w->conf;
    struct rules_worker *rw = calloc(1, sizeof(*rw));
    if (!rw)
        return NULL;
    rw->thr = tracker_new(c->rules_thresholds);
    rw->tune_thr = tracker_new(c->rules_thresholds);
    rw->once = onceset_new(c->rules_conversations);
    rw->goose = goose_tracker_new(c->rules_goose);
    rw->arp = arp_tracker_new(c->rules_arp);
    rw->certs = cert_tracker_new(c->rules_certificates);
    rw->msgc = rules_msg_cache_new();
    rw->keys = calloc(KEY_MEMO, sizeof(*rw->keys));
    if (!rw->thr || !rw->tune_thr || !rw->once || !rw->goose || !rw->arp || !rw->certs ||
        !rw->msgc || !rw->keys) {
        w->rules = rw;
        rules_worker_fini(w);
        ot_err("cannot allocate the rule state tables (rules.state.*): lower them");
        return NULL;
    }
    w->rules = rw;
    return rw;
}

void rules_worker_fini(struct worker *w)
{
    struct rules_worker *rw = w->rules;
    if (!rw)
        return;
    tracker_free(rw->thr);
    tracker_free(rw->tune_thr);
    onceset_free(rw->once);
    goose_tracker_free(rw->goose);
    arp_tracker_free(rw->arp);
    cert_tracker_free(rw->certs);
    rules_msg_cache_free(rw->msgc);
    free(rw->keys);
    dset_put(rw->set);
    for (int i = 0; i < RETIRED_SETS; i++)
        dset_put(rw->retired[i]);
    free(rw);
    w->rules = NULL;
}

/* Keeps a replaced set until the alert aggregates that may name its
 * definitions are written (the aggregation window, plus the tick). */
static void retire(struct worker *w, struct rules_worker *rw, struct dset *old)
{
    if (!old)
        return;
    uint64_t until = w->now + ((uint64_t)w->conf->alert_window + 2) * 1000000;
    for (int i = 0; i < RETIRED_SETS; i++) {
        if (!rw->retired[i]) {
            rw->retired[i] = old;
            rw->retired_until[i] = until;
            return;
        }
    }
    /* reloads faster than the window: write the aggregates now, drop them all */
    if (w->alerts)
        alert_flush(w);
    for (int i = 0; i < RETIRED_SETS; i++) {
        dset_put(rw->retired[i]);
        rw->retired[i] = NULL;
    }
    dset_put(old);
}

static void release_retired(struct worker *w, struct rules_worker *rw)
{
    for (int i = 0; i < RETIRED_SETS; i++) {
        if (rw->retired[i] && w->now >= rw->retired_until[i]) {
            dset_put(rw->retired[i]);
            rw->retired[i] = NULL;
        }
    }
}

/* ready() when the worker has no state yet or a new set was published. */
static struct rules_worker *ready_slow(struct worker *w, unsigned gen)
{
    if (!gen)
        return NULL;
    struct rules_worker *rw = w->rules;
    if (!rw && !(rw = rw_new(w)))
        return NULL;
    if (rw->gen != gen) {
        pthread_mutex_lock(&g_lock);
        struct dset *s = g_set;
        if (s)
            atomic_fetch_add(&s->refs, 1);
        pthread_mutex_unlock(&g_lock);
        retire(w, rw, rw->set);
        rw->set = s;
        rw->gen = s ? s->gen : 0;
        rw->want_role = s && rules_want_role(s->rules);
        rw->want_packet = s && rules_want(s->rules, RT_PACKET);
    }
    return rw->set ? rw : NULL;
}

/* The worker's state with the newest set; NULL when no set is loaded.  The
 * swap happens here, between packets.  Inline: every packet and message
 * asks (24 instructions a call out of line). */
static inline struct rules_worker *ready(struct worker *w)
{
    unsigned gen = atomic_load_explicit(&g_gen, memory_order_acquire);
    struct rules_worker *rw = w->rules;
    if (rw && gen && rw->gen == gen)
        return rw->set ? rw : NULL;
    return ready_slow(w, gen);
}

/* ------------------------------------------------------------------ events */

static bool ip_broadcast(const uint8_t *ip, int version)
{
    if (version == 4)
        return (ip[0] >= 224 && ip[0] <= 239) ||
               (ip[0] == 255 && ip[1] == 255 && ip[2] == 255 && ip[3] == 255);
    return version == 6 && ip[0] == 0xff;
}

/* Both ends of a flow as rules see them, described once per flow and set
 * generation (the zones depend on the set). */
static void flow_ends(struct rules_worker *rw, struct flow *f)
{
    if (f->rules_gen == rw->gen)
        return;
    for (int side = 0; side < 2; side++) {
        struct rules_ep *e = &f->rules_end[side];
        bool a = (side == 0) == f->client_is_a;
        memset(e, 0, sizeof(*e));
        e->ip = a ? f->key.a.b : f->key.b.b;
        e->ip_version = f->key.ip_version;
        e->mac = f->has_ether ? (side == 0 ? f->client_mac : f->server_mac) : NULL;
        e->port = a ? f->key.port_a : f->key.port_b;
        e->zone = zone_of(rw->set->zones, e->ip, f->key.ip_version);
        e->internal = e->zone != ZONE_EXTERNAL;
        e->broadcast = ip_broadcast(e->ip, e->ip_version) || (e->mac && (e->mac[0] & 1));
        e->side = (int8_t)side;
    }
    f->rules_gen = rw->gen;
}

static void flow_side(struct worker *w, struct rules_worker *rw, struct flow *f, int side,
                      struct rules_ep *e)
{
    flow_ends(rw, f);
    *e = f->rules_end[side];
    /* a device lookup on every packet: only when some rule asks for a role */
    if (g_role_fn && rw->want_role)
        e->role = g_role_fn(w, e->ip, e->ip_version, e->mac);
}

static const char *flow_app(const struct worker *w, const struct flow *f)
{
    if (f->dissector)
        return f->dissector->name;
    return appid_name(w, f);
}

/* The event of a flow seen from the sender in direction dir: both ends as
 * flow_side gives them, copied in one go (two calls of flow_side cost 140
 * instructions a message). */
static void flow_event(struct worker *w, struct rules_worker *rw, struct flow *f, int dir,
                       struct rules_event *ev)
{
    flow_ends(rw, f);
    *ev = (struct rules_event){
        .src = f->rules_end[dir],
        .dst = f->rules_end[1 - dir],
        .l4 = f->key.proto,
        .proto = f->dissector ? f->dissector->proto : OT_PROTO_NONE,
    };
    if (g_role_fn && rw->want_role) {
        ev->src.role = g_role_fn(w, ev->src.ip, ev->src.ip_version, ev->src.mac);
        ev->dst.role = g_role_fn(w, ev->dst.ip, ev->dst.ip_version, ev->dst.mac);
    }
}

struct hitctx {
    struct worker *w;
    struct rules_worker *rw;
    struct flow *f;
    int dir;
    const struct ot_msg *m;
    const struct packet *p;
    const struct rules_event *ev;
    /* what the conditions found, for the evidence */
    const char *goose_ref;
    size_t goose_ref_len;
    uint64_t st_num, sq_num;
    struct goose_prev gprev;
    uint16_t arp_op;
    const uint8_t *arp_sha, *arp_spa, *arp_tpa;
    struct arp_prev aprev;
    const char *failed_why;
    int snmp_version;
    bool snmp_default;
    uint8_t sha1[20];
    struct cert_prev cprev;
    struct ioc_hit ioc;
    const char *ioc_side; /* "src_ip" / "dest_ip" / "server_name" */
    int ext_side;         /* the external end for geo (0 src, 1 dst), -1 none */
    struct geo_info geo;
    bool geo_found;
    int proto_err;
};

static const char *ip_text(const uint8_t *ip, int version, char *buf, size_t len)
{
    if (!ip || !version)
        return "";
    inet_ntop(version == 6 ? AF_INET6 : AF_INET, ip, buf, (socklen_t)len);
    return buf;
}

static json_t *mac_json(const uint8_t *m)
{
    char s[18];
    event_format_mac(s, m);
    return json_string(s);
}

static json_t *zone_json(const struct zone_table *z, int zone)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(zone_name(z, zone)));
    int l = zone_level(z, zone);
    if (l >= 0)
        json_object_set_new(o, "level", json_integer(l));
    return o;
}

static json_t *geo_json(const struct geo_info *g)
{
    json_t *o = json_object();
    if (g->country[0])
        json_object_set_new(o, "country", json_string(g->country));
    if (g->asn)
        json_object_set_new(o, "asn", json_integer(g->asn));
    if (g->as_org[0])
        json_object_set_new(o, "as_org", json_string(g->as_org));
    return o;
}

static const char *l4_name(uint8_t l4)
{
    return l4 == IPPROTO_TCP    ? "TCP"
           : l4 == IPPROTO_UDP  ? "UDP"
           : l4 == IPPROTO_ICMP ? "ICMP"
                                : "other";
}

static const char *const distinct_names[] = {"",         "unit",     "dst",    "src",
                                             "dst_port", "function", "address"};
static const char *const by_names[] = {"src", "dst", "pair", "flow", "none"};

static json_t *evidence(const struct hitctx *h, const struct rule_info *r,
                        const struct track_result *thr)
{
    json_t *o = json_object();
    const struct dset *s = h->rw->set;
    const struct rules_event *ev = h->ev;
    char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
    switch (r->condition) {
        case RC_GOOSE_REPLAY:
        case RC_GOOSE_STATE_JUMP:
        case RC_GOOSE_SEQUENCE_NOT_RESET:
        case RC_GOOSE_PUBLISHER_CHANGE: {
            json_object_set_new(o, "gocb_ref", json_stringn(h->goose_ref, h->goose_ref_len));
            json_object_set_new(o, "st_num", json_integer((json_int_t)h->st_num));
            json_object_set_new(o, "sq_num", json_integer((json_int_t)h->sq_num));
            if (h->p && h->p->has_ether)
                json_object_set_new(o, "publisher", mac_json(h->p->src_mac));
            json_t *prev = json_object();
            json_object_set_new(prev, "st_num", json_integer((json_int_t)h->gprev.st_num));
            json_object_set_new(prev, "sq_num", json_integer((json_int_t)h->gprev.sq_num));
            json_object_set_new(prev, "publisher", mac_json(h->gprev.mac));
            json_object_set_new(o, "previous", prev);
            break;
        }
        case RC_INVALID_PDU:
            json_object_set_new(o, "protocol", json_string(ot_proto_name(h->proto_err)));
            if (h->f)
                json_object_set_new(o, "invalid_pdus_in_flow",
                                    json_integer((json_int_t)h->f->parse_errors));
            break;
        case RC_ARP_MAC_CHANGE:
        case RC_ARP_IP_CONFLICT:
        case RC_ARP_GRATUITOUS:
            json_object_set_new(o, "ip", json_string(ip_text(h->arp_spa, 4, a, sizeof(a))));
            json_object_set_new(o, "mac", mac_json(h->arp_sha));
            json_object_set_new(o, "op", json_string(h->arp_op == 1 ? "request" : "reply"));
            if (h->aprev.known && r->condition != RC_ARP_GRATUITOUS) {
                json_object_set_new(o, "previous_mac", mac_json(h->aprev.mac));
                json_object_set_new(o, "moves_in_window", json_integer(h->aprev.moves));
            }
            break;
        case RC_FAILED_CONNECTION:
            json_object_set_new(o, "reason", json_string(h->failed_why));
            json_object_set_new(o, "dest_port", json_integer(ev->dst.port));
            break;
        case RC_SNMP_COMMUNITY:
            json_object_set_new(o, "snmp_version", json_string(h->snmp_version ? "v2c" : "v1"));
            json_object_set_new(o, "default_community", json_boolean(h->snmp_default));
            break;
        case RC_HTTP_BASIC_AUTH:
            json_object_set_new(o, "http_authorization", json_string("Basic"));
            break;
        case RC_TLS_SHARED_CERTIFICATE: {
            char hex[41];
            for (int i = 0; i < 20; i++)
                snprintf(hex + 2 * i, 3, "%02x", h->sha1[i]);
            json_object_set_new(o, "certificate_sha1", json_string(hex));
            json_object_set_new(
                o, "first_server",
                json_string(ip_text(h->cprev.addr, h->cprev.version, a, sizeof(a))));
            json_object_set_new(o, "servers", json_integer(h->cprev.servers));
            break;
        }
        case RC_IOC_IP:
        case RC_IOC_DOMAIN:
            json_object_set_new(o, "list", json_string(h->ioc.list));
            json_object_set_new(o, "indicator", json_string(h->ioc.indicator));
            if (h->ioc.description[0])
                json_object_set_new(o, "description", json_string(h->ioc.description));
            json_object_set_new(o, "matched", json_string(h->ioc_side));
            if (r->condition == RC_IOC_DOMAIN && ev->server_name)
                json_object_set_new(o, "server_name", json_string(ev->server_name));
            break;
        case RC_OT_INTERNET:
        case RC_FORBIDDEN_GEO: {
            const struct rules_ep *in = h->ext_side == 1 ? &ev->src : &ev->dst;
            const struct rules_ep *ex = h->ext_side == 1 ? &ev->dst : &ev->src;
            json_t *i = zone_json(s->zones, in->zone);
            json_object_set_new(i, "ip",
                                json_string(ip_text(in->ip, in->ip_version, a, sizeof(a))));
            json_object_set_new(o, "internal", i);
            json_t *e = h->geo_found ? geo_json(&h->geo) : json_object();
            json_object_set_new(e, "ip",
                                json_string(ip_text(ex->ip, ex->ip_version, b, sizeof(b))));
            json_object_set_new(o, "external", e);
            static const char *const pol[] = {"deny", "allowlist", "allow"};
            json_object_set_new(
                o, "policy",
                json_string(r->condition == RC_FORBIDDEN_GEO ? "forbidden" : pol[s->policy.ot]));
            if (!s->geo)
                json_object_set_new(o, "geoip", json_string("no database loaded"));
            break;
        }
        case RC_ZONE_VIOLATION:
        case RC_ZONE_LEVEL_SKIP:
            json_object_set_new(o, "client_zone", zone_json(s->zones, ev->src.zone));
            json_object_set_new(o, "server_zone", zone_json(s->zones, ev->dst.zone));
            json_object_set_new(o, "l4", json_string(l4_name(ev->l4)));
            if (ev->l4 == IPPROTO_TCP || ev->l4 == IPPROTO_UDP)
                json_object_set_new(o, "server_port", json_integer(ev->dst.port));
            if (ev->app)
                json_object_set_new(o, "app_proto", json_string(ev->app));
            json_object_set_new(o, "conduit", json_string("none allows this conversation"));
            break;
        default: break;
    }
    if (r->thr_count && thr) {
        json_t *t = json_object();
        json_object_set_new(t, "count", json_integer(thr->count));
        json_object_set_new(t, "seconds", json_integer(r->thr_seconds));
        json_object_set_new(t, "by", json_string(by_names[r->thr_by]));
        if (r->thr_distinct)
            json_object_set_new(t, "distinct", json_string(distinct_names[r->thr_distinct]));
        json_object_set_new(o, "threshold", t);
    }
    if (json_object_size(o) == 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static uint64_t ep_hash(const struct rules_ep *e, uint64_t seed)
{
    if (e->ip_version)
        return rules_hash64(e->ip, 16, seed ^ e->ip_version);
    if (e->mac)
        return rules_hash64(e->mac, 6, seed ^ 0x4d4143);
    return seed;
}

static uint64_t track_key(uint32_t sid, uint8_t by, const struct rules_event *ev,
                          const struct flow *f)
{
    uint64_t k = (uint64_t)sid * 0x9e3779b97f4a7c15ULL ^ (uint64_t)by << 56;
    switch (by) {
        case TRACK_BY_SRC: return ep_hash(&ev->src, k);
        case TRACK_BY_DST: return ep_hash(&ev->dst, k);
        case TRACK_BY_PAIR: return ep_hash(&ev->dst, ep_hash(&ev->src, k));
        case TRACK_BY_FLOW: return rules_hash64(&k, sizeof(k), f ? f->flow_id : 0);
        default: return rules_hash64(&k, sizeof(k), 1);
    }
}

static struct key_memo *memo_slot(struct rules_worker *rw, const struct flow *f)
{
    return &rw->keys[((uintptr_t)f * 0x9e3779b97f4a7c15ULL) >> 54 & (KEY_MEMO - 1)];
}

/* track_key of a hit, from the memo when the flow's slot holds it: a
 * flow's ends (addresses, MACs) and id do not change while it lives, and
 * every event of a flow has the ends of its direction (flow_event). */
static uint64_t hit_track_key(struct rules_worker *rw, const struct rule_info *r,
                              const struct hitctx *h)
{
    if (!h->f)
        return track_key(r->sid, r->thr_by, h->ev, NULL);
    struct key_memo *k = memo_slot(rw, h->f);
    if (k->f != h->f || k->sid != r->sid || k->by != r->thr_by || k->dir != h->dir)
        *k = (struct key_memo){h->f, r->sid, r->thr_by, (int8_t)h->dir,
                               track_key(r->sid, r->thr_by, h->ev, h->f)};
    return k->key;
}

static uint64_t distinct_value(const struct hitctx *h, uint8_t field)
{
    const struct rules_event *ev = h->ev;
    const struct ot_msg *m = h->m;
    switch (field) {
        case DISTINCT_UNIT: return m && m->has_unit ? m->unit : 0;
        case DISTINCT_DST: return ep_hash(&ev->dst, 3);
        case DISTINCT_SRC: return ep_hash(&ev->src, 3);
        case DISTINCT_DST_PORT: return ev->dst.port;
        case DISTINCT_FUNCTION: return m && m->has_function ? m->function_code : 0;
        case DISTINCT_ADDRESS: return m && m->n_ranges ? m->ranges[0].start : 0;
        default: return 0;
    }
}

static bool once_per_conversation(int cond)
{
    return cond == RC_IOC_IP || cond == RC_IOC_DOMAIN || cond == RC_OT_INTERNET ||
           cond == RC_FORBIDDEN_GEO || cond == RC_ZONE_VIOLATION || cond == RC_ZONE_LEVEL_SKIP ||
           cond == RC_TLS_SHARED_CERTIFICATE || cond == RC_SNMP_COMMUNITY ||
           cond == RC_HTTP_BASIC_AUTH;
}

static void on_hit(void *arg, const struct rule_info *r)
{
    struct hitctx *h = arg;
    struct rules_worker *rw = h->rw;
    rw->matches++;
    struct track_result thr, *tp = NULL;
    if (r->thr_count) {
        uint64_t key = hit_track_key(rw, r, h);
        tracker_hit(rw->thr, key, h->w->now, r->thr_count, r->thr_seconds,
                    r->thr_distinct != DISTINCT_NONE, distinct_value(h, r->thr_distinct), &thr);
        if (!thr.fired) {
            rw->below_threshold++;
            return;
        }
        tp = &thr;
    }
    if (once_per_conversation(r->condition)) {
        /* a conversation: client, server, l4 and server port, per rule */
        const struct rules_ep *cli = h->dir == 0 ? &h->ev->src : &h->ev->dst;
        const struct rules_ep *srv = h->dir == 0 ? &h->ev->dst : &h->ev->src;
        uint64_t k = ep_hash(cli, ep_hash(srv, r->sid));
        k = rules_hash64(&srv->port, sizeof(srv->port), k ^ h->ev->l4);
        if (!onceset_first(rw->once, k)) {
            rw->repeats++;
            return;
        }
    }
    struct alert_ctx c = {
        .flow = h->f,
        .dir = h->dir,
        .msg = h->m,
        .pkt = h->f ? NULL : h->p,
        .evidence = evidence(h, r, tp),
    };
    alert_raise(h->w, &rw->set->defs[r->index], &c);
}

static void hit_init(struct hitctx *h, struct worker *w, struct rules_worker *rw, struct flow *f,
                     int dir, const struct ot_msg *m, const struct packet *p,
                     const struct rules_event *ev)
{
    memset(h, 0, sizeof(*h));
    h->w = w;
    h->rw = rw;
    h->f = f;
    h->dir = dir;
    h->m = m;
    h->p = p;
    h->ev = ev;
    h->ext_side = -1;
}

/* ------------------------------------------------------------------ flows */

/* Flow flags (struct flow rules_done): what was evaluated once. */
#define RF_START 0x01
#define RF_APP 0x02
#define RF_SNMP 0x04
#define RF_HTTP 0x08
#define RF_FAILED 0x10

static void flow_start(struct worker *w, struct rules_worker *rw, struct flow *f)
{
    const struct dset *s = rw->set;
    struct rules_event ev;
    flow_event(w, rw, f, 0, &ev);
    struct hitctx h;
    hit_init(&h, w, rw, f, 0, NULL, NULL, &ev);
    if (rules_want_cond(s->rules, RC_IOC_IP) && ioc_count(s->ioc)) {
        if (ioc_match_ip(s->ioc, ev.dst.ip, ev.dst.ip_version, &h.ioc))
            h.ioc_side = "dest_ip";
        else if (ioc_match_ip(s->ioc, ev.src.ip, ev.src.ip_version, &h.ioc))
            h.ioc_side = "src_ip";
        if (h.ioc_side)
            ev.facts |= 1u << RC_IOC_IP;
    }
    /* one internal end, one external end: the geo policy (a broadcast or
     * multicast never leaves the segment: not the internet) */
    if (ev.src.internal != ev.dst.internal && !ev.src.broadcast && !ev.dst.broadcast) {
        h.ext_side = ev.dst.internal ? 0 : 1;
        const struct rules_ep *ex = h.ext_side ? &ev.dst : &ev.src;
        const struct rules_ep *in = h.ext_side ? &ev.src : &ev.dst;
        h.geo_found = geo_lookup(s->geo, ex->ip, ex->ip_version, &h.geo);
        if (h.geo_found && geo_policy_forbidden(&s->policy, &h.geo))
            ev.facts |= 1u << RC_FORBIDDEN_GEO;
        bool ot = zone_is_ot(s->zones, in->zone);
        if (ot && s->policy.ot == GEO_OT_DENY)
            ev.facts |= 1u << RC_OT_INTERNET;
        else if (ot && s->policy.ot == GEO_OT_ALLOWLIST &&
                 !(h.geo_found && geo_policy_allowed(&s->policy, &h.geo)))
            ev.facts |= 1u << RC_OT_INTERNET;
    }
    rules_match(s->rules, RT_FLOW_START, NULL, &ev, on_hit, &h);
}

static bool levels_skip(int a, int b)
{
    return (a >= 0 && a <= 1 && b >= 4) || (b >= 0 && b <= 1 && a >= 4);
}

static void flow_app_known(struct worker *w, struct rules_worker *rw, struct flow *f)
{
    const struct dset *s = rw->set;
    f->rules_done |= RF_APP;
    if (!rules_want(s->rules, RT_FLOW_APP))
        return;
    struct rules_event ev;
    flow_event(w, rw, f, 0, &ev);
    ev.app = flow_app(w, f);
    ev.risks = rules_ndpi_risks(f);
    ev.server_name = rules_ndpi_server_name(f);
    struct hitctx h;
    hit_init(&h, w, rw, f, 0, NULL, NULL, &ev);
    if (ev.server_name && rules_want_cond(s->rules, RC_IOC_DOMAIN) &&
        ioc_match_domain(s->ioc, ev.server_name, &h.ioc)) {
        h.ioc_side = "server_name";
        ev.facts |= 1u << RC_IOC_DOMAIN;
    }
    if (rules_want_cond(s->rules, RC_TLS_SHARED_CERTIFICATE) && rules_ndpi_cert_sha1(f, h.sha1) &&
        cert_track(rw->certs, h.sha1, ev.dst.ip, ev.dst.ip_version, &h.cprev))
        ev.facts |= 1u << RC_TLS_SHARED_CERTIFICATE;
    int zc = ev.src.zone, zs = ev.dst.zone;
    if (zone_count(s->zones) > 0 && zc != zs && zc != ZONE_EXTERNAL && zs != ZONE_EXTERNAL &&
        !zone_conduit_allows(s->zones, zc, zs, ev.l4, ev.dst.port, ev.app)) {
        bool skip = levels_skip(zone_level(s->zones, zc), zone_level(s->zones, zs));
        ev.facts |= 1u << (skip ? RC_ZONE_LEVEL_SKIP : RC_ZONE_VIOLATION);
    }
    rules_match(s->rules, RT_FLOW_APP, NULL, &ev, on_hit, &h);
}

/* The payload conditions found in a packet: its event and the rules. */
static void payload_match(struct worker *w, struct rules_worker *rw, struct flow *f, int dir,
                          const struct packet *p, uint32_t facts, int snmp_version,
                          bool snmp_default)
{
    struct rules_event ev;
    struct hitctx h;
    /* a refused connection is told from the client's side */
    int edir = (facts & (1u << RC_FAILED_CONNECTION)) ? 0 : dir;
    flow_event(w, rw, f, edir, &ev);
    ev.facts = facts;
    hit_init(&h, w, rw, f, edir, NULL, p, &ev);
    h.snmp_version = snmp_version;
    h.snmp_default = snmp_default;
    h.failed_why = "refused (reset)";
    rules_match(rw->set->rules, RT_PACKET, NULL, &ev, on_hit, &h);
}

/* Small enough to inline: most packets test a flag or two and leave. */
static void packet_payload(struct worker *w, struct rules_worker *rw, struct flow *f, int dir,
                           const struct packet *p)
{
    const struct dset *s = rw->set;
    uint32_t facts = 0;
    int snmp_version = 0;
    bool snmp_default = false;
    /* a connection refused: the server's first packet is a reset */
    if (f->key.proto == IPPROTO_TCP && dir == 1 && (p->tcp_flags & TCP_RST) && f->pkts[1] == 1 &&
        !(f->rules_done & RF_FAILED) && (f->tcp_seen & TCP_SYN) &&
        rules_want_cond(s->rules, RC_FAILED_CONNECTION)) {
        f->rules_done |= RF_FAILED;
        facts |= 1u << RC_FAILED_CONNECTION;
    }
    if (f->key.proto == IPPROTO_UDP && p->payload_len && !(f->rules_done & RF_SNMP) &&
        (p->dport == SNMP_PORT || p->sport == SNMP_PORT || p->dport == SNMP_TRAP_PORT) &&
        rules_want_cond(s->rules, RC_SNMP_COMMUNITY)) {
        int version;
        size_t clen;
        bool def;
        f->rules_done |= RF_SNMP;
        if (snmp_sniff(p->payload, p->payload_len, &version, &clen, &def) && version != 3) {
            facts |= 1u << RC_SNMP_COMMUNITY;
            snmp_version = version;
            snmp_default = def;
        }
    }
    if (f->key.proto == IPPROTO_TCP && dir == 0 && p->payload_len && !(f->rules_done & RF_HTTP) &&
        rules_want_cond(s->rules, RC_HTTP_BASIC_AUTH)) {
        if (f->pkts[0] > HTTP_SNIFF_PACKETS)
            f->rules_done |= RF_HTTP;
        else if (http_basic_auth_sniff(p->payload, p->payload_len)) {
            f->rules_done |= RF_HTTP;
            facts |= 1u << RC_HTTP_BASIC_AUTH;
        }
    }
    if (facts)
        payload_match(w, rw, f, dir, p, facts, snmp_version, snmp_default);
}

static void arp_packet(struct worker *w, struct rules_worker *rw, const struct packet *p)
{
    struct cur c = cur_init(p->l2_payload, p->l2_payload_len);
    uint16_t htype = cur_be16(&c), ptype = cur_be16(&c);
    uint8_t hlen = cur_u8(&c), plen = cur_u8(&c);
    uint16_t op = cur_be16(&c);
    const uint8_t *sha = cur_bytes(&c, 6), *spa = cur_bytes(&c, 4);
    const uint8_t *tha = cur_bytes(&c, 6), *tpa = cur_bytes(&c, 4);
    if (!cur_ok(&c) || htype != 1 || ptype != ETH_P_IPV4 || hlen != 6 || plen != 4)
        return; /* RFC 826 for IPv4 over Ethernet only */
    const struct dset *s = rw->set;
    struct hitctx h;
    struct rules_event ev;
    memset(&ev, 0, sizeof(ev));
    hit_init(&h, w, rw, NULL, 0, NULL, p, &ev);
    ev.facts = arp_track(rw->arp, op, sha, spa, tpa, w->now, &h.aprev);
    if (!rules_want(s->rules, RT_ARP))
        return;
    uint8_t sip[16] = {0}, tip[16] = {0};
    memcpy(sip, spa, 4);
    memcpy(tip, tpa, 4);
    ev.src.ip = sip;
    ev.src.ip_version = 4;
    ev.src.mac = sha;
    ev.src.zone = zone_of(s->zones, sip, 4);
    ev.src.internal = ev.src.zone != ZONE_EXTERNAL;
    ev.dst.ip = tip;
    ev.dst.ip_version = 4;
    ev.dst.mac = op == 2 ? tha : p->dst_mac;
    ev.dst.zone = zone_of(s->zones, tip, 4);
    ev.dst.internal = ev.dst.zone != ZONE_EXTERNAL;
    ev.dst.broadcast = (p->dst_mac[0] & 1) != 0;
    ev.src.side = ev.dst.side = -1;
    h.arp_op = op;
    h.arp_sha = sha;
    h.arp_spa = spa;
    h.arp_tpa = tpa;
    rules_match(s->rules, RT_ARP, NULL, &ev, on_hit, &h);
}

void rules_on_packet(struct worker *w, struct flow *f, int dir, const struct packet *p)
{
    struct rules_worker *rw = ready(w);
    if (!rw)
        return;
    if (!f) {
        if (p->ethertype == ETH_P_ARP_)
            arp_packet(w, rw, p);
        return;
    }
    if (!(f->rules_done & RF_START)) {
        f->rules_done |= RF_START;
        flow_start(w, rw, f);
    }
    if (rw->want_packet && (p->payload_len || (p->tcp_flags & TCP_RST)))
        packet_payload(w, rw, f, dir, p);
    if (!(f->rules_done & RF_APP) && (f->ndpi_done || (!w->ndpi && f->dissect_done)))
        flow_app_known(w, rw, f);
}

/* ------------------------------------------------------------------ messages */

/* A top-level string / number of the detail tape, by key. */
static const struct ot_kv *detail_get(const struct ot_detail *d, const char *key)
{
    int depth = 0;
    for (uint16_t i = 0; i < d->n; i++) {
        const struct ot_kv *kv = &d->kv[i];
        if (kv->type == OT_KV_END) {
            depth--;
            continue;
        }
        if (depth == 0 && kv->key && strcmp(kv->key, key) == 0)
            return kv;
        if (kv->type == OT_KV_OBJ_BEGIN || kv->type == OT_KV_ARR_BEGIN)
            depth++;
    }
    return NULL;
}

static void goose_facts(struct worker *w, struct rules_worker *rw, const struct ot_msg *m,
                        struct rules_event *ev, struct hitctx *h)
{
    const struct ot_kv *ref = detail_get(&m->detail, "gocb_ref");
    const struct ot_kv *st = detail_get(&m->detail, "st_num");
    const struct ot_kv *sq = detail_get(&m->detail, "sq_num");
    if (!ref || ref->type != OT_KV_STR || !st || st->type != OT_KV_U64 || !sq ||
        sq->type != OT_KV_U64 || !w->pkt)
        return;
    h->goose_ref = m->detail.str + ref->v.off;
    h->goose_ref_len = ref->len;
    h->st_num = st->v.u;
    h->sq_num = sq->v.u;
    ev->facts |= goose_track(rw->goose, h->goose_ref, h->goose_ref_len, w->pkt->src_mac, h->st_num,
                             h->sq_num, w->now, &h->gprev);
}

void rules_on_msg(struct worker *w, struct flow *f, int dir, const struct ot_msg *m)
{
    struct rules_worker *rw = ready(w);
    if (!rw)
        return;
    const struct rule_set *rules = rw->set->rules;
    const uint32_t *cand;
    int n = rules_msg_candidates(rules, rw->msgc, m, &cand);
    /* no rule can match (most responses): no event to build; a GOOSE
     * publication still feeds its tracker */
    if (n == 0 && m->proto != OT_PROTO_GOOSE)
        return;
    struct rules_event ev;
    struct hitctx h;
    if (f) {
        flow_event(w, rw, f, dir, &ev);
    } else {
        /* layer 2 (GOOSE, Profinet DCP): the ends are MAC addresses */
        memset(&ev, 0, sizeof(ev));
        if (w->pkt) {
            ev.src.mac = w->pkt->src_mac;
            ev.dst.mac = w->pkt->dst_mac;
            ev.dst.broadcast = (w->pkt->dst_mac[0] & 1) != 0;
        }
        ev.src.zone = ev.dst.zone = ZONE_NONE;
        ev.src.side = ev.dst.side = -1;
        ev.proto = m->proto;
    }
    hit_init(&h, w, rw, f, dir, m, w->pkt, &ev);
    if (m->proto == OT_PROTO_GOOSE)
        goose_facts(w, rw, m, &ev, &h);
    if (n < 0)
        rules_match(rules, RT_MSG, m, &ev, on_hit, &h);
    else
        rules_match_candidates(rules, cand, n, m, &ev, on_hit, &h);
}

void rules_on_parse_error(struct worker *w, struct flow *f, int dir, int proto)
{
    struct rules_worker *rw = ready(w);
    if (!rw || !rules_want(rw->set->rules, RT_PARSE_ERROR))
        return;
    struct rules_event ev;
    struct hitctx h;
    if (f) {
        flow_event(w, rw, f, dir, &ev);
    } else {
        memset(&ev, 0, sizeof(ev));
        if (w->pkt) {
            ev.src.mac = w->pkt->src_mac;
            ev.dst.mac = w->pkt->dst_mac;
        }
        ev.src.zone = ev.dst.zone = ZONE_NONE;
        ev.src.side = ev.dst.side = -1;
    }
    ev.proto = (enum ot_proto)proto;
    ev.facts = 1u << RC_INVALID_PDU;
    hit_init(&h, w, rw, f, dir, NULL, w->pkt, &ev);
    h.proto_err = proto;
    rules_match(rw->set->rules, RT_PARSE_ERROR, NULL, &ev, on_hit, &h);
}

void rules_on_flow_end(struct worker *w, struct flow *f)
{
    /* the flow's memory is reused: its remembered key goes with it */
    if (w->rules) {
        struct key_memo *k = memo_slot(w->rules, f);
        if (k->f == f)
            k->f = NULL;
    }
    struct rules_worker *rw = ready(w);
    if (!rw)
        return;
    if (!(f->rules_done & RF_START)) {
        f->rules_done |= RF_START;
        flow_start(w, rw, f);
    }
    if (!(f->rules_done & RF_APP))
        flow_app_known(w, rw, f);
    /* a connection never answered: SYNs and nothing back */
    const struct dset *s = rw->set;
    if (f->key.proto == IPPROTO_TCP && f->pkts[1] == 0 && (f->tcp_seen & TCP_SYN) &&
        !(f->rules_done & RF_FAILED) && rules_want(s->rules, RT_FLOW_END)) {
        struct rules_event ev;
        struct hitctx h;
        flow_event(w, rw, f, 0, &ev);
        ev.facts = 1u << RC_FAILED_CONNECTION;
        hit_init(&h, w, rw, f, 0, NULL, NULL, &ev);
        h.failed_why = "unanswered";
        f->rules_done |= RF_FAILED;
        rules_match(s->rules, RT_FLOW_END, NULL, &ev, on_hit, &h);
    }
}

void rules_on_tick(struct worker *w)
{
    struct rules_worker *rw = ready(w);
    if (rw)
        release_retired(w, rw);
}

void rules_on_finish(struct worker *w)
{
    (void)w;
}

/* ------------------------------------------------------------------ tuning */

static void ctx_ends(struct worker *w, struct rules_worker *rw, const struct alert_ctx *c,
                     struct rules_ep *src, struct rules_ep *dst, uint8_t ipbuf[2][16])
{
    memset(src, 0, sizeof(*src));
    memset(dst, 0, sizeof(*dst));
    if (c->flow) {
        struct flow *f = (struct flow *)c->flow;
        flow_side(w, rw, f, c->dir, src);
        flow_side(w, rw, f, 1 - c->dir, dst);
        return;
    }
    const struct packet *p = c->pkt ? c->pkt : w->pkt;
    if (!p)
        return;
    if (p->ip_version) {
        memcpy(ipbuf[0], p->src.b, 16);
        memcpy(ipbuf[1], p->dst.b, 16);
        src->ip = ipbuf[0];
        dst->ip = ipbuf[1];
        src->ip_version = dst->ip_version = p->ip_version;
    } else if (p->ethertype == ETH_P_ARP_ && p->l2_payload_len >= 28) {
        /* an ARP alert is about the sender's address */
        memcpy(ipbuf[0], p->l2_payload + 14, 4);
        memset(ipbuf[0] + 4, 0, 12);
        src->ip = ipbuf[0];
        src->ip_version = 4;
    }
    if (p->has_ether) {
        src->mac = p->src_mac;
        dst->mac = p->dst_mac;
    }
}

static struct tune_count *tune_slot(struct rules_worker *rw, uint32_t sid)
{
    for (int i = 0; i < rw->n_by_sid; i++)
        if (rw->by_sid[i].sid == sid)
            return &rw->by_sid[i];
    if (rw->n_by_sid >= TUNE_SIDS)
        return NULL;
    struct tune_count *t = &rw->by_sid[rw->n_by_sid++];
    t->sid = sid;
    return t;
}

bool rules_tune_alert(struct worker *w, const struct alert_def *def, struct alert_ctx *c,
                      uint8_t *severity)
{
    struct rules_worker *rw = ready(w);
    if (!rw || !rw->set->tuning)
        return true;
    struct rules_ep src, dst;
    uint8_t ipbuf[2][16];
    ctx_ends(w, rw, c, &src, &dst, ipbuf);
    struct tune_result t;
    tuning_check(rw->set->tuning, def->sid, def->kind, &src, &dst, &t);
    if (t.severity)
        *severity = t.severity;
    struct tune_count *slot = NULL;
    if (t.action != TUNE_KEEP || t.thr_count)
        slot = tune_slot(rw, def->sid);
    if (t.action == TUNE_DISABLED || t.action == TUNE_SUPPRESSED) {
        if (t.action == TUNE_DISABLED) {
            rw->disabled++;
            if (slot)
                slot->disabled++;
        } else {
            rw->suppressed++;
            if (slot)
                slot->suppressed++;
        }
        if (!slot)
            rw->other_sids++;
        return false;
    }
    if (t.thr_count) {
        struct rules_event ev;
        memset(&ev, 0, sizeof(ev));
        ev.src = src;
        ev.dst = dst;
        struct track_result r;
        uint64_t key = track_key(def->sid, t.thr_by, &ev, c->flow);
        tracker_hit(rw->tune_thr, key, w->now, t.thr_count, t.thr_seconds, false, 0, &r);
        if (!r.fired) {
            rw->thresholded++;
            if (slot)
                slot->thresholded++;
            else
                rw->other_sids++;
            return false;
        }
        if (!c->evidence)
            c->evidence = json_object();
        if (json_is_object(c->evidence)) {
            json_t *o = json_object();
            json_object_set_new(o, "count", json_integer(r.count));
            json_object_set_new(o, "seconds", json_integer(t.thr_seconds));
            json_object_set_new(o, "by", json_string(by_names[t.thr_by]));
            json_object_set_new(c->evidence, "tuning_threshold", o);
        }
    }
    return true;
}

/* ------------------------------------------------------------------ output */

static void write_end(struct jsonw *jw, const char *key, const struct zone_table *z, int zone)
{
    jw_key(jw, key);
    jw_obj_begin(jw);
    jw_kstr(jw, "name", zone_name(z, zone));
    int l = zone_level(z, zone);
    if (l >= 0)
        jw_ku64(jw, "level", (uint64_t)l);
    jw_obj_end(jw);
}

static void write_geo(struct jsonw *jw, const char *key, const struct geo_info *g)
{
    jw_key(jw, key);
    jw_obj_begin(jw);
    if (g->country[0])
        jw_kstr(jw, "country", g->country);
    if (g->asn)
        jw_ku64(jw, "asn", g->asn);
    if (g->as_org[0])
        jw_kstr(jw, "as_org", g->as_org);
    jw_obj_end(jw);
}

void rules_write_ends(struct worker *w, const struct flow *f, int dir, const struct packet *p)
{
    struct rules_worker *rw = ready(w);
    if (!rw)
        return;
    const struct dset *s = rw->set;
    struct rules_ep e[2];
    uint8_t ipbuf[2][16];
    if (f) {
        flow_side(w, rw, (struct flow *)f, dir < 0 ? 0 : dir, &e[0]);
        flow_side(w, rw, (struct flow *)f, dir < 0 ? 1 : 1 - dir, &e[1]);
    } else if (p && p->ip_version) {
        memset(e, 0, sizeof(e));
        for (int i = 0; i < 2; i++) {
            memcpy(ipbuf[i], i ? p->dst.b : p->src.b, 16);
            e[i].ip = ipbuf[i];
            e[i].ip_version = p->ip_version;
            e[i].zone = zone_of(s->zones, ipbuf[i], p->ip_version);
        }
    } else {
        return;
    }
    struct jsonw *jw = &w->jw;
    static const char *const keys[2] = {"src", "dest"};
    if (zone_count(s->zones) > 0) {
        jw_key(jw, "zones");
        jw_obj_begin(jw);
        for (int i = 0; i < 2; i++)
            write_end(jw, keys[i], s->zones, e[i].zone);
        jw_obj_end(jw);
    }
    if (!s->geo)
        return;
    struct geo_info g[2];
    bool found[2] = {false, false};
    for (int i = 0; i < 2; i++)
        found[i] =
            e[i].zone == ZONE_EXTERNAL && geo_lookup(s->geo, e[i].ip, e[i].ip_version, &g[i]);
    if (!found[0] && !found[1])
        return;
    jw_key(jw, "geo");
    jw_obj_begin(jw);
    for (int i = 0; i < 2; i++)
        if (found[i])
            write_geo(jw, keys[i], &g[i]);
    jw_obj_end(jw);
}

void rules_write_stats(struct worker *w)
{
    struct rules_worker *rw = ready(w);
    struct jsonw *jw = &w->jw;
    if (!rw)
        return;
    const struct dset *s = rw->set;
    jw_key(jw, "rules");
    jw_obj_begin(jw);
    jw_ku64(jw, "generation", rw->gen);
    jw_ku64(jw, "loaded", rules_count(s->rules));
    jw_ku64(jw, "reloads", atomic_load(&g_reloads));
    jw_ku64(jw, "reload_failures", atomic_load(&g_reload_failures));
    jw_ku64(jw, "matches", rw->matches);
    jw_ku64(jw, "below_threshold", rw->below_threshold);
    jw_ku64(jw, "repeats_per_conversation", rw->repeats);
    jw_ku64(jw, "ioc_entries", ioc_count(s->ioc));
    uint64_t evicted = tracker_evictions(rw->thr) + tracker_evictions(rw->tune_thr);
    if (evicted)
        jw_ku64(jw, "threshold_evictions", evicted);
    jw_obj_end(jw);
    jw_key(jw, "tuning");
    jw_obj_begin(jw);
    jw_ku64(jw, "disabled", rw->disabled);
    jw_ku64(jw, "suppressed", rw->suppressed);
    jw_ku64(jw, "thresholded", rw->thresholded);
    if (rw->n_by_sid) {
        jw_key(jw, "by_sid");
        jw_obj_begin(jw);
        for (int i = 0; i < rw->n_by_sid; i++) {
            const struct tune_count *t = &rw->by_sid[i];
            char sid[16];
            snprintf(sid, sizeof(sid), "%u", t->sid);
            jw_key(jw, sid);
            jw_obj_begin(jw);
            if (t->disabled)
                jw_ku64(jw, "disabled", t->disabled);
            if (t->suppressed)
                jw_ku64(jw, "suppressed", t->suppressed);
            if (t->thresholded)
                jw_ku64(jw, "thresholded", t->thresholded);
            jw_obj_end(jw);
        }
        jw_obj_end(jw);
    }
    if (rw->other_sids)
        jw_ku64(jw, "other_sids", rw->other_sids);
    jw_obj_end(jw);
}

const struct zone_table *detect_zones(struct worker *w)
{
    struct rules_worker *rw = ready(w);
    return rw ? rw->set->zones : NULL;
}

int detect_flow_zone(struct worker *w, struct flow *f, int side)
{
    struct rules_worker *rw = ready(w);
    if (!rw || !f || side < 0 || side > 1)
        return ZONE_NONE;
    flow_ends(rw, f);
    return f->rules_end[side].zone;
}
