/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the baseline file: a versioned JSON document (jansson), written
 * atomically (temporary file, fsync, rename, fsync of the folder) and read
 * back with every field checked, so that a damaged or newer file is refused
 * with a message naming the file and the field, never half-loaded.
 *
 * specification: README.md, "Baselines: the file"; format version
 * BL_FORMAT_VERSION.  Within a version, unknown keys are ignored (older
 * readers of newer minor additions) and missing optional keys take their
 * defaults; anything that changes the meaning of a key bumps the version. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "baseline-private.h"

/* ------------------------------------------------------------------- time */

void bl_time_text(uint64_t usec, char *out, size_t n)
{
    time_t sec = (time_t)(usec / 1000000);
    struct tm tm;
    if (!gmtime_r(&sec, &tm)) {
        snprintf(out, n, "1970-01-01T00:00:00Z");
        return;
    }
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int bl_time_parse(const char *s, uint64_t *usec)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    int used = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &used) != 6 ||
        used == 0 || s[used] != '\0')
        return -1;
    if (tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
        tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    if (t < 0)
        return -1;
    *usec = (uint64_t)t * 1000000;
    return 0;
}

/* ------------------------------------------------------------------ write */

static json_t *jtime(uint64_t t)
{
    char s[40];
    bl_time_text(t, s, sizeof(s));
    return json_string(s);
}

static const char *kind_name(uint8_t k)
{
    return k == BL_DEV_EXTERNAL ? "external" : k == BL_DEV_GROUP ? "group" : "host";
}

const char *bl_l4_name(uint8_t l4)
{
    switch (l4) {
        case 6: return "tcp";
        case 17: return "udp";
        case 1: return "icmp";
        case 58: return "icmpv6";
        case 0: return "l2";
        default: return "ip";
    }
}

/* bl_l4_name, with "ip-N" for any other IP protocol (IGMP is "ip-2"); buf
 * holds that one. */
static const char *l4_text(uint8_t l4, char buf[8])
{
    const char *name = bl_l4_name(l4);
    if (strcmp(name, "ip") != 0)
        return name;
    snprintf(buf, 8, "ip-%u", l4);
    return buf;
}

static json_t *hours_json(uint32_t mask)
{
    json_t *a = json_array();
    for (int h = 0; h < 24; h++)
        if (mask & (1U << h))
            json_array_append_new(a, json_integer(h));
    return a;
}

static json_t *protos_json(uint32_t mask)
{
    json_t *a = json_array();
    for (int p = 1; p < OT_PROTO_COUNT && p < 32; p++)
        if (mask & (1U << p))
            json_array_append_new(a, json_string(ot_proto_name((enum ot_proto)p)));
    return a;
}

static json_t *rate_json(const struct bl_rate *r)
{
    int last = -1;
    for (int i = 0; i < BL_RATE_BINS; i++)
        if (r->hist[i])
            last = i;
    json_t *hist = json_array();
    for (int i = 0; i <= last; i++)
        json_array_append_new(hist, json_integer(r->hist[i]));
    return json_pack("{s:I, s:f, s:f, s:I, s:f, s:b, s:o}", "buckets", (json_int_t)r->n, "mean",
                     r->mean, "var", r->var, "max", (json_int_t)r->max, "snapshot", r->snapshot,
                     "settled", r->settled, "hist", hist);
}

static json_int_t clamp_i(uint64_t v)
{
    return v > (uint64_t)LLONG_MAX ? LLONG_MAX : (json_int_t)v;
}

json_t *bl_json_addr(uint64_t v)
{
    /* JSON integers are signed 64-bit in jansson: an address above (an OPC
     * UA node id hashed to 64 bits) is written as a decimal string */
    if (v <= (uint64_t)LLONG_MAX)
        return json_integer((json_int_t)v);
    char s[24];
    snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
    return json_string(s);
}

/* An address written by bl_json_addr; -1 when it is neither. */
static int json_addr(const json_t *j, uint64_t *v)
{
    if (json_is_integer(j) && json_integer_value(j) >= 0) {
        *v = (uint64_t)json_integer_value(j);
        return 0;
    }
    const char *s = json_string_value(j);
    if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 20)
        return -1;
    errno = 0;
    unsigned long long x = strtoull(s, NULL, 10);
    if (errno)
        return -1;
    *v = x;
    return 0;
}

json_t *bl_macs_json(const struct bl_device *d)
{
    json_t *macs = json_array();
    for (int i = 0; i < d->n_macs; i++) {
        char s[24];
        bl_mac_text(d->macs[i], s, sizeof(s));
        json_array_append_new(macs, json_string(s));
    }
    return macs;
}

json_t *bl_identity_json(const struct bl_device *d)
{
    json_t *idn = json_object();
    for (int f = 0; f < BL_F_COUNT; f++)
        if (d->field[f].v[0])
            json_object_set_new(idn, bl_field_name((enum bl_field)f),
                                json_pack("{s:s, s:s}", "value", d->field[f].v, "source",
                                          d->field[f].src));
    return idn;
}

static json_t *device_json(const struct baseline *b, uint32_t id)
{
    const struct bl_device *d = &b->dev[id];
    char s[64];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(id));
    json_object_set_new(o, "kind", json_string(kind_name(d->key.kind)));
    if (d->key.ip_version) {
        bl_ip_text(&d->key, s, sizeof(s));
        json_object_set_new(o, "ip", json_string(s));
    } else if (d->key.kind != BL_DEV_EXTERNAL) {
        bl_mac_text(d->key.mac, s, sizeof(s));
        json_object_set_new(o, "mac", json_string(s));
    }
    json_object_set_new(o, "vlan", json_integer(d->key.vlan));
    if (d->alias != BL_NONE) {
        json_object_set_new(o, "alias_of", json_integer(d->alias));
        return o;
    }
    json_object_set_new(o, "seen", json_boolean(d->seen));
    json_object_set_new(o, "macs", bl_macs_json(d));
    json_object_set_new(o, "arp_bound", json_boolean(d->arp_bound));
    json_object_set_new(o, "routed", json_boolean(d->routed));
    json_object_set_new(o, "routes", json_boolean(d->routes));
    json_object_set_new(o, "vendor", json_string(d->vendor));
    json_object_set_new(o, "first_seen", jtime(d->first_seen));
    json_object_set_new(o, "last_seen", jtime(d->last_seen));
    json_object_set_new(o, "identity", bl_identity_json(d));
    json_object_set_new(o, "role", json_string(bl_role_name((enum bl_role)d->role)));
    json_object_set_new(o, "role_evidence", json_string(d->role_evidence));
    if (d->zone[0])
        json_object_set_new(o, "zone", json_string(d->zone));
    if (d->level >= 0)
        json_object_set_new(o, "level", json_integer(d->level));
    json_t *protos = json_array();
    for (int i = 0; i < d->n_protos; i++) {
        const struct bl_proto_use *u = &d->protos[i];
        char lb[8];
        json_t *p = json_pack("{s:s, s:i, s:s}", "l4", l4_text(u->l4, lb),
                              "port", u->port, "side", u->as_server ? "server" : "client");
        if (u->proto)
            json_object_set_new(p, "protocol",
                                json_string(ot_proto_name((enum ot_proto)u->proto)));
        json_array_append_new(protos, p);
    }
    json_object_set_new(o, "protocols", protos);
    json_object_set_new(o, "packets", json_integer(clamp_i(d->pkts)));
    json_object_set_new(o, "bytes", json_integer(clamp_i(d->bytes)));
    json_t *ops = json_object();
    for (int op = 0; op < OT_OP_COUNT; op++)
        if (d->ops[op])
            json_object_set_new(ops, ot_op_name((enum ot_op)op), json_integer(clamp_i(d->ops[op])));
    json_object_set_new(o, "requests", ops);
    json_object_set_new(o, "served", json_integer(clamp_i(d->served)));
    json_object_set_new(o, "server_protocols", protos_json(d->server_protos));
    json_object_set_new(o, "client_protocols", protos_json(d->client_protos));
    json_object_set_new(o, "commander", json_boolean(d->commander));
    json_object_set_new(o, "capabilities", json_integer(d->caps));
    json_object_set_new(o, "hours_active", hours_json(d->hours));
    json_object_set_new(o, "hours_watched", hours_json(d->hours_obs));
    json_object_set_new(o, "period_s", json_real(d->period));
    json_object_set_new(o, "rate", json_pack("{s:o, s:o}", "packets", rate_json(&d->rate_pkts),
                                             "bytes", rate_json(&d->rate_bytes)));
    json_object_set_new(
        o, "learning",
        json_pack("{s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:b}", "state",
                  bl_state_name((enum bl_state)d->state), "why",
                  bl_why_name((enum bl_why)d->why), "since", jtime(d->since), "started",
                  jtime(d->learn_start), "last_novelty", jtime(d->last_novelty), "budget_used",
                  (json_int_t)d->budget_used, "peers", (json_int_t)d->peers, "scan_alerted",
                  d->scan_alerted));
    return o;
}

static json_t *conv_json(const struct baseline *b, uint32_t id)
{
    const struct bl_conv *c = &b->conv[id];
    char lb[8];
    json_t *o = json_pack("{s:I, s:I, s:s, s:i}", "client", (json_int_t)c->client, "server",
                          (json_int_t)c->server, "l4", l4_text(c->l4, lb),
                          "port", c->port);
    if (c->proto)
        json_object_set_new(o, "protocol", json_string(ot_proto_name((enum ot_proto)c->proto)));
    if (c->app[0])
        json_object_set_new(o, "app", json_string(c->app));
    json_object_set_new(o, "first_seen", jtime(c->first_seen));
    json_object_set_new(o, "last_seen", jtime(c->last_seen));
    json_object_set_new(o, "packets", json_integer(clamp_i(c->pkts)));
    json_object_set_new(o, "bytes", json_integer(clamp_i(c->bytes)));
    json_object_set_new(o, "messages", json_integer(clamp_i(c->msgs)));
    json_t *funcs = json_array();
    for (uint32_t i = 0; i < c->n_funcs; i++) {
        const struct bl_func *f = &c->funcs[i];
        json_t *j = json_pack("{s:I, s:s, s:s}", "code", (json_int_t)f->code, "op_class",
                              ot_op_name((enum ot_op)f->op), "from",
                              f->from_server ? "server" : "client");
        if (f->name)
            json_object_set_new(j, "name", json_string(f->name));
        json_array_append_new(funcs, j);
    }
    json_object_set_new(o, "functions", funcs);
    json_t *units = json_array();
    for (uint32_t i = 0; i < c->n_units; i++)
        json_array_append_new(units, json_integer(c->units[i]));
    json_object_set_new(o, "units", units);
    json_t *groups = json_array();
    for (uint32_t i = 0; i < c->n_spans;) {
        const struct bl_span *s = &c->spans[i];
        json_t *ranges = json_array();
        uint32_t j = i;
        for (; j < c->n_spans && c->spans[j].func == s->func && c->spans[j].space == s->space; j++)
            json_array_append_new(ranges, json_pack("[o, o]", bl_json_addr(c->spans[j].lo),
                                                    bl_json_addr(c->spans[j].hi)));
        json_t *g = json_pack("{s:I, s:I, s:o}", "function", (json_int_t)s->func, "space",
                              (json_int_t)s->space, "ranges", ranges);
        if (s->space_name)
            json_object_set_new(g, "space_name", json_string(s->space_name));
        json_array_append_new(groups, g);
        i = j;
    }
    json_object_set_new(o, "intervals", groups);
    json_object_set_new(o, "has_command", json_boolean(c->has_command));
    json_object_set_new(o, "overflow",
                        json_pack("{s:b, s:b, s:b}", "functions", c->funcs_overflow, "units",
                                  c->units_overflow, "intervals", c->spans_overflow));
    json_object_set_new(o, "rate",
                        json_pack("{s:o, s:o}", "requests", rate_json(&c->rate_req), "bytes",
                                  rate_json(&c->rate_bytes)));
    const struct bl_period *p = &c->period;
    json_object_set_new(o, "period",
                        json_pack("{s:I, s:I, s:i, s:b, s:b, s:f, s:f}", "anchor",
                                  (json_int_t)p->anchor, "samples", (json_int_t)p->n, "tries",
                                  p->tries, "periodic", p->periodic, "gave_up", p->gave_up,
                                  "mean_s", p->mean, "jitter_s", p->jitter));
    if (c->learn_until) {
        json_object_set_new(o, "learn_until", jtime(c->learn_until));
        json_object_set_new(o, "budget_used", json_integer(c->budget_used));
    }
    return o;
}

static json_t *point_json(const struct bl_point *p)
{
    json_t *set = json_array();
    for (unsigned i = 0; i < p->n_set; i++)
        json_array_append_new(set, json_real(p->set[i]));
    json_t *o = json_pack("{s:I, s:s, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:o, s:b}",
                          "device", (json_int_t)p->dev, "protocol",
                          ot_proto_name((enum ot_proto)p->proto), "space", (json_int_t)p->space,
                          "writes", clamp_i(p->writes), "grew_at",
                          clamp_i(p->grew_at), "min", p->min, "max", p->max, "last", p->last,
                          "largest_step", p->step, "set", set, "set_overflow", p->set_overflow);
    json_object_set_new(o, "address", bl_json_addr(p->addr));
    if (p->unit != UINT32_MAX)
        json_object_set_new(o, "unit", json_integer(p->unit));
    if (p->space_name)
        json_object_set_new(o, "space_name", json_string(p->space_name));
    return o;
}

json_t *bl_to_json(const struct baseline *b)
{
    json_t *root = json_object();
    json_object_set_new(root, "format", json_string(BL_FORMAT));
    json_object_set_new(root, "version", json_integer(BL_FORMAT_VERSION));
    json_object_set_new(root, "sensor", json_string(b->sensor));
    json_object_set_new(root, "started", jtime(b->start));
    json_object_set_new(root, "updated", jtime(b->updated > b->now ? b->updated : b->now));
    json_t *net = json_pack("{s:s, s:o}", "state", bl_state_name((enum bl_state)b->net_state),
                            "hours_watched", hours_json(b->hours_observed));
    if (b->net_since)
        json_object_set_new(net, "since", jtime(b->net_since));
    json_object_set_new(root, "network", net);
    const struct bl_overflow *o = &b->overflow;
    json_object_set_new(
        root, "overflow",
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "devices",
                  clamp_i(o->devices), "conversations", clamp_i(o->conversations), "points",
                  clamp_i(o->points), "functions", clamp_i(o->functions), "units",
                  clamp_i(o->units), "intervals", clamp_i(o->intervals), "values",
                  clamp_i(o->values), "macs", clamp_i(o->macs), "protocols",
                  clamp_i(o->protocols)));
    json_t *devs = json_array();
    for (uint32_t i = 0; i < b->n_dev; i++)
        json_array_append_new(devs, device_json(b, i));
    json_object_set_new(root, "devices", devs);
    json_t *convs = json_array();
    for (uint32_t i = 0; i < b->n_conv; i++)
        json_array_append_new(convs, conv_json(b, i));
    json_object_set_new(root, "conversations", convs);
    json_t *points = json_array();
    for (uint32_t i = 0; i < b->n_point; i++)
        json_array_append_new(points, point_json(&b->point[i]));
    json_object_set_new(root, "points", points);
    return root;
}

int bl_save(const struct baseline *b, const char *path, char *err, size_t errlen)
{
    json_t *root = bl_to_json(b);
    char tmp[PATH_MAX];
    if (!root || snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp)) {
        json_decref(root);
        snprintf(err, errlen, "%s: cannot build the baseline document", path);
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create a temporary file beside it: %s", path,
                 strerror(errno));
        json_decref(root);
        return -1;
    }
    struct stat st;
    fchmod(fd, stat(path, &st) == 0 ? (st.st_mode & 07777) : 0644);
    FILE *f = fdopen(fd, "w");
    int rc = -1;
    if (!f) {
        close(fd);
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        goto err;
    }
    if (json_dumpf(root, f, JSON_INDENT(1) | JSON_REAL_PRECISION(BL_FILE_DIGITS)) != 0 ||
        fputc('\n', f) == EOF || fflush(f) != 0 || fsync(fileno(f)) != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno ? errno : EIO));
        fclose(f);
        goto err;
    }
    if (fclose(f) != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
        goto err;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot rename %s over it: %s", path, tmp, strerror(errno));
        goto err;
    }
    /* the rename itself is durable once the folder is */
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof(dir), ".");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    json_decref(root);
    return 0;
err:
    unlink(tmp);
    json_decref(root);
    return rc;
}

/* ------------------------------------------------------------------- read */

struct reader {
    const char *file;
    char *err;
    size_t errlen;
    bool failed;
    struct baseline *b;
};

/* The first damage found is the one reported; reading stops there. */
static void vbad(struct reader *r, const char *where, const char *fmt, va_list ap)
{
    if (r->failed)
        return;
    r->failed = true;
    char msg[256];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    snprintf(r->err, r->errlen,
             "%s: %s: %s (the file is damaged or was edited by hand; not loaded)", r->file, where,
             msg);
}

__attribute__((format(printf, 3, 4))) static void bad(struct reader *r, const char *where,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vbad(r, where, fmt, ap);
    va_end(ap);
}

/* Damage in the value of `key` of the object at `where` ("where.key"). */
__attribute__((format(printf, 4, 5))) static void bad_key(struct reader *r, const char *where,
                                                          const char *key, const char *fmt, ...)
{
    char w[128];
    snprintf(w, sizeof(w), "%s.%s", where, key);
    va_list ap;
    va_start(ap, fmt);
    vbad(r, w, fmt, ap);
    va_end(ap);
}

static const char *get_str(struct reader *r, json_t *o, const char *key, const char *where,
                           bool required)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        if (required)
            bad_key(r, where, key, "missing");
        return NULL;
    }
    if (!json_is_string(v)) {
        bad_key(r, where, key, "not a string");
        return NULL;
    }
    return json_string_value(v);
}

static uint64_t get_uint(struct reader *r, json_t *o, const char *key, const char *where,
                         uint64_t max, uint64_t def)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return def;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max) {
        bad_key(r, where, key, "not a whole number from 0 to %llu", (unsigned long long)max);
        return def;
    }
    return (uint64_t)json_integer_value(v);
}

static double get_real(struct reader *r, json_t *o, const char *key, const char *where)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    if (!json_is_number(v) || !isfinite(json_number_value(v))) {
        bad_key(r, where, key, "not a number");
        return 0;
    }
    return json_number_value(v);
}

static bool get_bool(struct reader *r, json_t *o, const char *key, const char *where)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return false;
    if (!json_is_boolean(v)) {
        bad_key(r, where, key, "not true or false");
        return false;
    }
    return json_is_true(v);
}

static uint64_t get_time(struct reader *r, json_t *o, const char *key, const char *where)
{
    const char *s = get_str(r, o, key, where, false);
    uint64_t t = 0;
    if (s && bl_time_parse(s, &t) != 0) {
        bad_key(r, where, key, "not a time like 2024-01-15T10:00:00Z");
    }
    return t;
}

static uint32_t get_hours(struct reader *r, json_t *o, const char *key, const char *where)
{
    json_t *a = json_object_get(o, key);
    uint32_t m = 0;
    if (!a)
        return 0;
    size_t i;
    json_t *v;
    if (!json_is_array(a))
        goto bad;
    json_array_foreach(a, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 23)
            goto bad;
        m |= 1U << json_integer_value(v);
    }
    return m;
bad:
    bad_key(r, where, key, "not a list of hours 0-23");
    return 0;
}

static uint32_t get_protos(struct reader *r, json_t *o, const char *key, const char *where)
{
    json_t *a = json_object_get(o, key);
    uint32_t m = 0;
    size_t i;
    json_t *v;
    if (!a)
        return 0;
    if (!json_is_array(a))
        goto bad;
    json_array_foreach(a, i, v)
    {
        int p = json_is_string(v) ? ot_proto_from_name(json_string_value(v)) : -1;
        if (p <= 0 || p >= 32)
            goto bad;
        m |= 1U << p;
    }
    return m;
bad:
    bad_key(r, where, key, "not a list of protocol names this otsensor knows");
    return 0;
}

static int parse_l4(const char *s)
{
    static const struct {
        const char *name;
        int v;
    } t[] = {{"tcp", 6}, {"udp", 17}, {"icmp", 1}, {"icmpv6", 58}, {"l2", 0}};
    for (size_t i = 0; s && i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(t[i].name, s) == 0)
            return t[i].v;
    unsigned v;
    int used = 0;
    if (s && sscanf(s, "ip-%3u%n", &v, &used) == 1 && !s[used] && v > 0 && v < 256)
        return (int)v;
    return -1;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    int used = 0;
    if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                     &used) != 6 || s[used])
        return -1;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)v[i];
    return 0;
}

/* IPv4 dotted quad or IPv6 text (with "::"); libc-only like bl_ip_text. */
static int parse_ip(const char *s, struct bl_key *k)
{
    unsigned a[4];
    int used = 0;
    if (sscanf(s, "%3u.%3u.%3u.%3u%n", &a[0], &a[1], &a[2], &a[3], &used) == 4 && !s[used]) {
        for (int i = 0; i < 4; i++) {
            if (a[i] > 255)
                return -1;
            k->ip[i] = (uint8_t)a[i];
        }
        k->ip_version = 4;
        return 0;
    }
    uint16_t head[8], tail[8];
    int nh = 0, nt = 0;
    bool gap = false;
    const char *p = s;
    if (p[0] == ':' && p[1] == ':') {
        gap = true;
        p += 2;
    }
    while (*p) {
        char *end;
        unsigned long g = strtoul(p, &end, 16);
        if (end == p || end - p > 4 || g > 0xffff)
            return -1;
        if (gap)
            tail[nt++] = (uint16_t)g;
        else
            head[nh++] = (uint16_t)g;
        if (nh + nt > 8)
            return -1;
        p = end;
        if (*p == ':' && p[1] == ':') {
            if (gap)
                return -1;
            gap = true;
            p += 2;
        } else if (*p == ':') {
            p++;
            if (!*p)
                return -1;
        } else if (*p) {
            return -1;
        }
    }
    if (!gap && nh != 8)
        return -1;
    uint16_t g[8] = {0};
    for (int i = 0; i < nh; i++)
        g[i] = head[i];
    for (int i = 0; i < nt; i++)
        g[8 - nt + i] = tail[i];
    for (int i = 0; i < 8; i++) {
        k->ip[2 * i] = (uint8_t)(g[i] >> 8);
        k->ip[2 * i + 1] = (uint8_t)g[i];
    }
    k->ip_version = 6;
    return 0;
}

int bl_parse_ip(const char *s, struct bl_key *k)
{
    return parse_ip(s, k);
}

int bl_parse_mac(const char *s, uint8_t mac[6])
{
    return parse_mac(s, mac);
}

/* The list under `key`, NULL when there is none; a value that is not a list
 * is reported. */
static json_t *get_list(struct reader *r, json_t *o, const char *key, const char *where)
{
    json_t *a = json_object_get(o, key);
    if (!a || json_is_array(a))
        return a;
    bad(r, where, "%s: not a list", key);
    return NULL;
}

/* The object under `key`, NULL when there is none; any other value is
 * reported. */
static json_t *get_object(struct reader *r, json_t *o, const char *key, const char *where)
{
    json_t *j = json_object_get(o, key);
    if (!j || json_is_object(j))
        return j;
    bad(r, where, "%s: not an object", key);
    return NULL;
}

/* Names element i of the list `key` of the object at `where` in w
 * ("devices[3].protocols[0]"); true when the element is an object, reported
 * when not. */
static bool list_object(struct reader *r, json_t *v, const char *where, const char *key, size_t i,
                        char w[96])
{
    snprintf(w, 96, "%s.%s[%zu]", where, key, i);
    if (json_is_object(v))
        return true;
    bad(r, w, "not an object");
    return false;
}

static void read_rate(struct reader *r, json_t *o, const char *key, const char *where,
                      struct bl_rate *rt)
{
    json_t *j = json_object_get(o, key);
    char w[128];
    snprintf(w, sizeof(w), "%s.%s", where, key);
    if (!j)
        return;
    if (!json_is_object(j)) {
        bad(r, w, "not an object");
        return;
    }
    rt->n = (uint32_t)get_uint(r, j, "buckets", w, UINT32_MAX, 0);
    rt->mean = get_real(r, j, "mean", w);
    rt->var = get_real(r, j, "var", w);
    rt->max = get_uint(r, j, "max", w, LLONG_MAX, 0);
    rt->snapshot = get_real(r, j, "snapshot", w);
    rt->settled = get_bool(r, j, "settled", w);
    json_t *h = json_object_get(j, "hist");
    if (h && (!json_is_array(h) || json_array_size(h) > BL_RATE_BINS)) {
        bad(r, w, "hist: not a list of at most %d counts", BL_RATE_BINS);
        return;
    }
    size_t i;
    json_t *v;
    json_array_foreach(h, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            json_integer_value(v) > UINT32_MAX) {
            bad(r, w, "hist: not a count");
            return;
        }
        rt->hist[i] = (uint32_t)json_integer_value(v);
    }
    if (rt->mean < 0 || rt->var < 0)
        bad(r, w, "negative statistics");
}

/* The two rates of a device or conversation: "rate": {ka: .., kb: ..}. */
static void read_rates(struct reader *r, json_t *o, const char *where, const char *ka,
                       struct bl_rate *a, const char *kb, struct bl_rate *b)
{
    json_t *rate = json_object_get(o, "rate");
    if (!rate)
        return;
    char w[96];
    snprintf(w, sizeof(w), "%s.rate", where);
    read_rate(r, rate, ka, w, a);
    read_rate(r, rate, kb, w, b);
}

static const char *intern_opt(struct reader *r, const char *s)
{
    if (!s)
        return NULL;
    const char *i = bl_intern(r->b, s);
    if (!i)
        bad(r, "strings", "out of memory");
    return i;
}

static void read_device(struct reader *r, json_t *o, uint32_t id, const char *w)
{
    struct baseline *b = r->b;
    if (get_uint(r, o, "id", w, UINT32_MAX, id) != id)
        bad(r, w, "id %llu out of order", (unsigned long long)get_uint(r, o, "id", w, UINT32_MAX, 0));
    struct bl_key k;
    memset(&k, 0, sizeof(k));
    const char *kind = get_str(r, o, "kind", w, true);
    if (r->failed)
        return;
    if (strcmp(kind, "host") == 0)
        k.kind = BL_DEV_HOST;
    else if (strcmp(kind, "external") == 0)
        k.kind = BL_DEV_EXTERNAL;
    else if (strcmp(kind, "group") == 0)
        k.kind = BL_DEV_GROUP;
    else
        bad(r, w, "kind '%s' is not host, external or group", kind);
    const char *ip = get_str(r, o, "ip", w, false);
    const char *mac = get_str(r, o, "mac", w, false);
    if (ip && parse_ip(ip, &k) != 0)
        bad(r, w, "ip '%s' is not an address", ip);
    else if (!ip && mac && parse_mac(mac, k.mac) != 0)
        bad(r, w, "mac '%s' is not a MAC address", mac);
    else if (!ip && !mac && k.kind != BL_DEV_EXTERNAL)
        bad(r, w, "neither ip nor mac");
    k.vlan = (uint16_t)get_uint(r, o, "vlan", w, 4095, 0);
    if (r->failed)
        return;
    uint32_t got = bl_device_find(b, &k);
    if (got != BL_NONE) {
        bad(r, w, "the same device as devices[%u]", got);
        return;
    }
    uint32_t nid = bl_device_add_raw(b, &k);
    if (nid != id) {
        bad(r, w, "could not be placed (id %u)", nid);
        return;
    }
    struct bl_device *d = &b->dev[id];
    json_t *alias = json_object_get(o, "alias_of");
    if (alias) {
        uint64_t a = get_uint(r, o, "alias_of", w, UINT32_MAX, 0);
        d->alias = (uint32_t)a; /* checked once every device is read */
        d->seen = true;
        return;
    }
    d->seen = get_bool(r, o, "seen", w);
    json_t *macs = get_list(r, o, "macs", w);
    size_t i;
    json_t *v;
    json_array_foreach(macs, i, v)
    {
        if (d->n_macs >= BL_MAX_MACS) {
            d->macs_overflow = true;
            break;
        }
        if (!json_is_string(v) || parse_mac(json_string_value(v), d->macs[d->n_macs]) != 0) {
            bad(r, w, "macs[%zu]: not a MAC address", i);
            return;
        }
        d->n_macs++;
    }
    d->arp_bound = get_bool(r, o, "arp_bound", w);
    d->routed = get_bool(r, o, "routed", w);
    d->routes = get_bool(r, o, "routes", w);
    const char *vendor = get_str(r, o, "vendor", w, false);
    snprintf(d->vendor, sizeof(d->vendor), "%s", vendor ? vendor : "");
    d->first_seen = get_time(r, o, "first_seen", w);
    d->last_seen = get_time(r, o, "last_seen", w);
    json_t *idn = get_object(r, o, "identity", w);
    const char *key;
    json_object_foreach(idn, key, v)
    {
        int f = bl_field_from_name(key);
        if (f < 0)
            continue; /* a field a later minor version added */
        const char *val = json_is_object(v) ? get_str(r, v, "value", w, true) : NULL;
        const char *src = json_is_object(v) ? get_str(r, v, "source", w, false) : NULL;
        if (!val) {
            bad(r, w, "identity.%s: not {value, source}", key);
            return;
        }
        snprintf(d->field[f].v, sizeof(d->field[f].v), "%s", val);
        snprintf(d->field[f].src, sizeof(d->field[f].src), "%s", src ? src : "");
    }
    const char *role = get_str(r, o, "role", w, false);
    int ro = role ? bl_role_from_name(role) : 0;
    if (ro < 0)
        bad(r, w, "role '%s' unknown", role);
    d->role = (uint8_t)(ro > 0 ? ro : 0);
    const char *rev = get_str(r, o, "role_evidence", w, false);
    snprintf(d->role_evidence, sizeof(d->role_evidence), "%s", rev ? rev : "");
    const char *zone = get_str(r, o, "zone", w, false);
    snprintf(d->zone, sizeof(d->zone), "%s", zone ? zone : "");
    d->level = json_object_get(o, "level") ? (int)get_uint(r, o, "level", w, 9, 0) : -1;
    json_t *protos = get_list(r, o, "protocols", w);
    json_array_foreach(protos, i, v)
    {
        char pw[96];
        if (!list_object(r, v, w, "protocols", i, pw))
            return;
        if (d->n_protos >= BL_MAX_PROTOS) {
            d->protos_overflow = true;
            break;
        }
        struct bl_proto_use *u = &d->protos[d->n_protos];
        int l4 = parse_l4(get_str(r, v, "l4", pw, true));
        const char *side = get_str(r, v, "side", pw, true);
        const char *proto = get_str(r, v, "protocol", pw, false);
        int pr = proto ? ot_proto_from_name(proto) : 0;
        if (r->failed || l4 < 0 || pr < 0 || (strcmp(side, "server") && strcmp(side, "client"))) {
            bad(r, pw, "not {l4: tcp|udp|icmp|icmpv6|l2|ip-N, port, side: client|server, "
                       "protocol}");
            return;
        }
        u->l4 = (uint8_t)l4;
        u->port = (uint16_t)get_uint(r, v, "port", pw, 65535, 0);
        u->proto = (uint8_t)pr;
        u->as_server = side[0] == 's';
        d->n_protos++;
    }
    d->pkts = get_uint(r, o, "packets", w, LLONG_MAX, 0);
    d->bytes = get_uint(r, o, "bytes", w, LLONG_MAX, 0);
    json_t *ops = get_object(r, o, "requests", w);
    json_object_foreach(ops, key, v)
    {
        int op = ot_op_from_name(key);
        if (op < 0 || !json_is_integer(v) || json_integer_value(v) < 0) {
            bad(r, w, "requests.%s: not an operation class count", key);
            return;
        }
        d->ops[op] = (uint64_t)json_integer_value(v);
    }
    d->served = get_uint(r, o, "served", w, LLONG_MAX, 0);
    d->server_protos = get_protos(r, o, "server_protocols", w);
    d->client_protos = get_protos(r, o, "client_protocols", w);
    d->commander = get_bool(r, o, "commander", w);
    d->caps = (uint16_t)get_uint(r, o, "capabilities", w, 0xffff, 0);
    d->hours = get_hours(r, o, "hours_active", w);
    d->hours_obs = get_hours(r, o, "hours_watched", w);
    d->period = get_real(r, o, "period_s", w);
    read_rates(r, o, w, "packets", &d->rate_pkts, "bytes", &d->rate_bytes);
    json_t *l = json_object_get(o, "learning");
    if (l) {
        char lw[96];
        snprintf(lw, sizeof(lw), "%s.learning", w);
        const char *st = get_str(r, l, "state", lw, true);
        const char *why = get_str(r, l, "why", lw, true);
        if (r->failed)
            return;
        int wy = bl_why_from_name(why);
        if ((strcmp(st, "learning") && strcmp(st, "mature")) || wy < 0) {
            bad(r, lw, "state '%s' / why '%s' unknown", st, why);
            return;
        }
        d->state = strcmp(st, "mature") == 0 ? BL_MATURE : BL_LEARNING;
        d->why = (uint8_t)wy;
        d->since = get_time(r, l, "since", lw);
        d->learn_start = get_time(r, l, "started", lw);
        d->last_novelty = get_time(r, l, "last_novelty", lw);
        d->budget_used = (uint32_t)get_uint(r, l, "budget_used", lw, UINT32_MAX, 0);
        d->peers = (uint32_t)get_uint(r, l, "peers", lw, UINT32_MAX, 0);
        d->scan_alerted = get_bool(r, l, "scan_alerted", lw);
    }
    if (d->key.kind != BL_DEV_HOST) {
        d->state = BL_MATURE;
        d->seen = true;
    }
}

static void read_conv(struct reader *r, json_t *o, uint32_t idx, const char *w)
{
    struct baseline *b = r->b;
    uint64_t cl = get_uint(r, o, "client", w, UINT32_MAX, UINT64_MAX);
    uint64_t sv = get_uint(r, o, "server", w, UINT32_MAX, UINT64_MAX);
    int l4 = parse_l4(get_str(r, o, "l4", w, true));
    uint16_t port = (uint16_t)get_uint(r, o, "port", w, 65535, 0);
    if (r->failed)
        return;
    if (cl >= b->n_dev || sv >= b->n_dev || l4 < 0) {
        bad(r, w, "client/server/l4 do not name known devices and a transport");
        return;
    }
    for (uint32_t k = b->dev[cl].conv_head; k != BL_NONE; k = b->conv[k].cnext) {
        if (b->conv[k].server == sv && b->conv[k].l4 == l4 && b->conv[k].port == port) {
            bad(r, w, "a duplicate of conversations[%u]", k);
            return;
        }
    }
    uint32_t id = bl_conv_add_raw(b, (uint32_t)cl, (uint32_t)sv, (uint8_t)l4, port);
    if (id != idx) {
        bad(r, w, "could not be placed");
        return;
    }
    struct bl_conv *c = &b->conv[id];
    const char *proto = get_str(r, o, "protocol", w, false);
    int pr = proto ? ot_proto_from_name(proto) : 0;
    if (pr < 0)
        bad(r, w, "protocol '%s' unknown", proto);
    c->proto = (uint8_t)(pr > 0 ? pr : 0);
    const char *app = get_str(r, o, "app", w, false);
    snprintf(c->app, sizeof(c->app), "%s", app ? app : "");
    c->first_seen = get_time(r, o, "first_seen", w);
    c->last_seen = get_time(r, o, "last_seen", w);
    c->pkts = get_uint(r, o, "packets", w, LLONG_MAX, 0);
    c->bytes = get_uint(r, o, "bytes", w, LLONG_MAX, 0);
    c->msgs = get_uint(r, o, "messages", w, LLONG_MAX, 0);
    size_t i;
    json_t *v;
    json_t *funcs = get_list(r, o, "functions", w);
    json_array_foreach(funcs, i, v)
    {
        char fw[96];
        if (!list_object(r, v, w, "functions", i, fw))
            return;
        if (c->n_funcs >= b->cfg.max_functions)
            break;
        const char *op = get_str(r, v, "op_class", fw, true);
        const char *from = get_str(r, v, "from", fw, false);
        int opi = op ? ot_op_from_name(op) : -1;
        if (r->failed || opi < 0) {
            bad(r, fw, "op_class unknown");
            return;
        }
        struct bl_func *f = &c->funcs[c->n_funcs++];
        f->code = (uint32_t)get_uint(r, v, "code", fw, UINT32_MAX, 0);
        f->op = (uint8_t)opi;
        f->from_server = from && strcmp(from, "server") == 0;
        f->name = intern_opt(r, get_str(r, v, "name", fw, false));
    }
    json_t *units = get_list(r, o, "units", w);
    json_array_foreach(units, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > UINT32_MAX) {
            bad(r, w, "units[%zu]: not a unit id", i);
            return;
        }
        if (c->n_units < b->cfg.max_units)
            c->units[c->n_units++] = (uint32_t)json_integer_value(v);
    }
    json_t *groups = get_list(r, o, "intervals", w);
    json_array_foreach(groups, i, v)
    {
        char gw[96];
        if (!list_object(r, v, w, "intervals", i, gw))
            return;
        uint32_t func = (uint32_t)get_uint(r, v, "function", gw, UINT32_MAX, 0);
        uint32_t space = (uint32_t)get_uint(r, v, "space", gw, UINT32_MAX, 0);
        const char *name = intern_opt(r, get_str(r, v, "space_name", gw, false));
        json_t *ranges = json_object_get(v, "ranges");
        size_t k;
        json_t *rg;
        if (!json_is_array(ranges)) {
            bad(r, gw, "ranges: not a list");
            return;
        }
        json_array_foreach(ranges, k, rg)
        {
            uint64_t lo, hi;
            if (!json_is_array(rg) || json_array_size(rg) != 2 ||
                json_addr(json_array_get(rg, 0), &lo) != 0 ||
                json_addr(json_array_get(rg, 1), &hi) != 0 || hi < lo) {
                bad(r, gw, "ranges[%zu]: not [low, high]", k);
                return;
            }
            if (c->n_spans >= b->cfg.max_intervals) {
                c->spans_overflow = true;
                break;
            }
            c->spans[c->n_spans++] = (struct bl_span){func, space, name, lo, hi};
        }
    }
    /* the file's order is the learned order; keep the invariant anyway */
    for (uint32_t a = 1; a < c->n_spans; a++) {
        struct bl_span s = c->spans[a];
        uint32_t j = a;
        while (j > 0 && (c->spans[j - 1].func > s.func ||
                         (c->spans[j - 1].func == s.func && (c->spans[j - 1].space > s.space ||
                                                            (c->spans[j - 1].space == s.space &&
                                                             c->spans[j - 1].lo > s.lo))))) {
            c->spans[j] = c->spans[j - 1];
            j--;
        }
        c->spans[j] = s;
    }
    c->has_command = get_bool(r, o, "has_command", w);
    json_t *ov = json_object_get(o, "overflow");
    if (ov) {
        c->funcs_overflow |= get_bool(r, ov, "functions", w);
        c->units_overflow |= get_bool(r, ov, "units", w);
        c->spans_overflow |= get_bool(r, ov, "intervals", w);
    }
    read_rates(r, o, w, "requests", &c->rate_req, "bytes", &c->rate_bytes);
    json_t *p = json_object_get(o, "period");
    if (p) {
        char pw[96];
        snprintf(pw, sizeof(pw), "%s.period", w);
        c->period.anchor = (uint32_t)get_uint(r, p, "anchor", pw, UINT32_MAX, 0);
        c->period.n = (uint32_t)get_uint(r, p, "samples", pw, UINT32_MAX, 0);
        c->period.tries = (uint8_t)get_uint(r, p, "tries", pw, 255, 0);
        c->period.periodic = get_bool(r, p, "periodic", pw);
        c->period.gave_up = get_bool(r, p, "gave_up", pw);
        c->period.mean = get_real(r, p, "mean_s", pw);
        c->period.jitter = get_real(r, p, "jitter_s", pw);
        if (c->period.mean < 0 || c->period.jitter < 0)
            bad(r, pw, "negative period");
    }
    c->learn_until = get_time(r, o, "learn_until", w);
    c->budget_used = (uint32_t)get_uint(r, o, "budget_used", w, UINT32_MAX, 0);
}

static void read_point(struct reader *r, json_t *o, uint32_t idx, const char *w)
{
    struct baseline *b = r->b;
    uint64_t dev = get_uint(r, o, "device", w, UINT32_MAX, UINT64_MAX);
    const char *proto = get_str(r, o, "protocol", w, true);
    int pr = proto ? ot_proto_from_name(proto) : -1;
    if (r->failed || dev >= b->n_dev || pr < 0) {
        bad(r, w, "device/protocol unknown");
        return;
    }
    uint32_t unit = json_object_get(o, "unit") ? (uint32_t)get_uint(r, o, "unit", w,
                                                                     UINT32_MAX - 1, 0)
                                               : UINT32_MAX;
    uint32_t space = (uint32_t)get_uint(r, o, "space", w, UINT32_MAX, 0);
    uint64_t addr = 0;
    if (json_addr(json_object_get(o, "address"), &addr) != 0)
        bad(r, w, "address: not an address");
    uint32_t id = bl_point_add(b, (uint32_t)dev, (uint8_t)pr, unit, space, addr);
    if (id != idx) {
        bad(r, w, "could not be placed");
        return;
    }
    struct bl_point *p = &b->point[id];
    p->space_name = intern_opt(r, get_str(r, o, "space_name", w, false));
    p->writes = get_uint(r, o, "writes", w, LLONG_MAX, 0);
    p->grew_at = get_uint(r, o, "grew_at", w, LLONG_MAX, 0);
    if (p->grew_at > p->writes)
        bad(r, w, "grew_at above writes");
    p->min = get_real(r, o, "min", w);
    p->max = get_real(r, o, "max", w);
    p->last = get_real(r, o, "last", w);
    p->step = get_real(r, o, "largest_step", w);
    p->set_overflow = get_bool(r, o, "set_overflow", w);
    json_t *set = get_list(r, o, "set", w);
    size_t i;
    json_t *v;
    json_array_foreach(set, i, v)
    {
        if (!json_is_number(v)) {
            bad(r, w, "set[%zu]: not a number", i);
            return;
        }
        if (p->n_set >= b->cfg.value_set) {
            p->set_overflow = true;
            break;
        }
        p->set[p->n_set++] = json_number_value(v);
    }
    if (p->min > p->max)
        bad(r, w, "min above max");
}

/* Reads element i of a top-level list with fn(r, element, i, name), stopping
 * at the first damage; the element is named "list[i]" and must be an object. */
static void read_list(struct reader *r, json_t *arr, const char *list,
                      void (*fn)(struct reader *, json_t *, uint32_t, const char *))
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (r->failed)
            break;
        char w[64];
        snprintf(w, sizeof(w), "%s[%u]", list, (uint32_t)i);
        if (!json_is_object(v)) {
            bad(r, w, "not an object");
            break;
        }
        fn(r, v, (uint32_t)i, w);
    }
}

static size_t max_len(json_t *arr, const char *key)
{
    size_t m = 0, i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        json_t *a = json_object_get(v, key);
        if (json_is_array(a) && json_array_size(a) > m)
            m = json_array_size(a);
    }
    return m;
}

static size_t max_spans(json_t *convs)
{
    size_t m = 0, i, k;
    json_t *v, *g;
    json_array_foreach(convs, i, v)
    {
        size_t n = 0;
        json_array_foreach(json_object_get(v, "intervals"), k, g)
        {
            json_t *rg = json_object_get(g, "ranges");
            n += json_is_array(rg) ? json_array_size(rg) : 0;
        }
        if (n > m)
            m = n;
    }
    return m;
}

struct baseline *bl_load(const char *path, const struct bl_config *cfg, bool *missing, char *err,
                         size_t errlen)
{
    *missing = false;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *missing = errno == ENOENT;
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    json_error_t je;
    json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    fclose(f);
    if (!root) {
        snprintf(err, errlen, "%s:%d:%d: not valid JSON (%s); the file is damaged: not loaded",
                 path, je.line, je.column, je.text);
        return NULL;
    }
    struct reader r = {path, err, errlen, false, NULL};
    const char *fmt = json_is_object(root) ? get_str(&r, root, "format", "top", false) : NULL;
    if (!fmt || strcmp(fmt, BL_FORMAT) != 0) {
        snprintf(err, errlen, "%s: not an otsensor baseline (no \"format\": \"%s\"): not loaded",
                 path, BL_FORMAT);
        json_decref(root);
        return NULL;
    }
    json_t *ver = json_object_get(root, "version");
    if (!json_is_integer(ver) || json_integer_value(ver) < 1) {
        snprintf(err, errlen, "%s: no valid format version: the file is damaged: not loaded", path);
        json_decref(root);
        return NULL;
    }
    if (json_integer_value(ver) > BL_FORMAT_VERSION) {
        snprintf(err, errlen,
                 "%s: written by a newer otsensor (baseline format version %lld; this one reads "
                 "up to %d): not loaded, and not overwritten",
                 path, (long long)json_integer_value(ver), BL_FORMAT_VERSION);
        json_decref(root);
        return NULL;
    }
    json_t *devs = json_object_get(root, "devices"), *convs = json_object_get(root, "conversations"),
           *points = json_object_get(root, "points");
    if (!json_is_array(devs) || !json_is_array(convs) || (points && !json_is_array(points))) {
        snprintf(err, errlen, "%s: devices, conversations or points missing or not lists: the "
                 "file is damaged: not loaded", path);
        json_decref(root);
        return NULL;
    }
    /* caps: at least what the file holds */
    struct bl_config c = *cfg;
    size_t nd = json_array_size(devs), nc = json_array_size(convs),
           np = points ? json_array_size(points) : 0;
    if (nd > 16000000 || nc > 64000000 || np > 64000000) {
        snprintf(err, errlen, "%s: implausibly large (%zu devices, %zu conversations): not loaded",
                 path, nd, nc);
        json_decref(root);
        return NULL;
    }
    if (nd > c.max_devices)
        c.max_devices = (uint32_t)nd;
    if (nc > c.max_conversations)
        c.max_conversations = (uint32_t)nc;
    if (np > c.max_points)
        c.max_points = (uint32_t)np;
    size_t mf = max_len(convs, "functions"), mu = max_len(convs, "units"), ms = max_spans(convs);
    if (mf > c.max_functions && mf <= 4096)
        c.max_functions = (uint32_t)mf;
    if (mu > c.max_units && mu <= 4096)
        c.max_units = (uint32_t)mu;
    if (ms > c.max_intervals && ms <= 4096)
        c.max_intervals = (uint32_t)ms;
    struct baseline *b = bl_new(&c, err, errlen);
    if (!b) {
        json_decref(root);
        return NULL;
    }
    r.b = b;
    enum bl_mode mode = b->cfg.mode;
    b->cfg.mode = BL_MODE_LEARN; /* nothing is said while the file is read */
    const char *sensor = get_str(&r, root, "sensor", "top", false);
    snprintf(b->sensor, sizeof(b->sensor), "%s", sensor ? sensor : "");
    b->start = get_time(&r, root, "started", "top");
    b->updated = get_time(&r, root, "updated", "top");
    b->now = b->updated;
    json_t *net = json_object_get(root, "network");
    if (net) {
        const char *st = get_str(&r, net, "state", "network", false);
        b->net_state = st && strcmp(st, "mature") == 0 ? BL_MATURE : BL_LEARNING;
        b->net_since = get_time(&r, net, "since", "network");
        b->hours_observed = get_hours(&r, net, "hours_watched", "network");
    }
    json_t *ov = json_object_get(root, "overflow");
    if (ov && json_is_object(ov)) {
        b->overflow.devices = get_uint(&r, ov, "devices", "overflow", LLONG_MAX, 0);
        b->overflow.conversations = get_uint(&r, ov, "conversations", "overflow", LLONG_MAX, 0);
        b->overflow.points = get_uint(&r, ov, "points", "overflow", LLONG_MAX, 0);
        b->overflow.functions = get_uint(&r, ov, "functions", "overflow", LLONG_MAX, 0);
        b->overflow.units = get_uint(&r, ov, "units", "overflow", LLONG_MAX, 0);
        b->overflow.intervals = get_uint(&r, ov, "intervals", "overflow", LLONG_MAX, 0);
        b->overflow.values = get_uint(&r, ov, "values", "overflow", LLONG_MAX, 0);
        b->overflow.macs = get_uint(&r, ov, "macs", "overflow", LLONG_MAX, 0);
        b->overflow.protocols = get_uint(&r, ov, "protocols", "overflow", LLONG_MAX, 0);
    }
    read_list(&r, devs, "devices", read_device);
    for (uint32_t k = 0; k < b->n_dev && !r.failed; k++) {
        uint32_t a = b->dev[k].alias;
        if (a != BL_NONE && (a >= b->n_dev || b->dev[a].alias != BL_NONE || a == k)) {
            char w[64];
            snprintf(w, sizeof(w), "devices[%u].alias_of", k);
            bad(&r, w, "does not name a device");
        }
    }
    read_list(&r, convs, "conversations", read_conv);
    read_list(&r, points, "points", read_point);
    json_decref(root);
    if (r.failed) {
        bl_free(b);
        return NULL;
    }
    b->cfg.mode = mode;
    /* the derived state */
    for (uint32_t k = 0; k < b->n_conv; k++) {
        const struct bl_conv *cv = &b->conv[k];
        if (!cv->period.periodic)
            continue;
        struct bl_device *ends[2] = {&b->dev[cv->client], &b->dev[cv->server]};
        for (int e = 0; e < 2; e++)
            if (ends[e]->key.kind == BL_DEV_HOST &&
                (ends[e]->period == 0 || cv->period.mean < ends[e]->period))
                ends[e]->period = cv->period.mean;
    }
    if (mode == BL_MODE_DETECT) {
        /* detect: everything the file holds is frozen, whatever its state */
        b->net_state = BL_MATURE;
        for (uint32_t k = 0; k < b->n_dev; k++)
            if (b->dev[k].key.kind == BL_DEV_HOST)
                b->dev[k].state = BL_MATURE;
        for (uint32_t k = 0; k < b->n_conv; k++)
            b->conv[k].learn_until = 0;
    }
    return b;
}
