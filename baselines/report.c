/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: reviewing a baseline: the inventory as a table (text, CSV, JSON),
 * `baseline show` (what was learned per device and conversation) and
 * `baseline diff` (what a newer baseline adds or drops), written for a plant
 * engineer deciding whether to trust it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline-private.h"

#define COL_MAX 40 /* widest column of the text table; longer text is cut with ".." */

/* ------------------------------------------------------------------ order */

static int key_cmp(const struct bl_key *a, const struct bl_key *b)
{
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->vlan != b->vlan)
        return a->vlan < b->vlan ? -1 : 1;
    /* IPv4, then IPv6, then devices seen only at layer 2 */
    int va = a->ip_version ? a->ip_version : 99, vb = b->ip_version ? b->ip_version : 99;
    if (va != vb)
        return va < vb ? -1 : 1;
    int c = memcmp(a->ip, b->ip, 16);
    if (c)
        return c;
    return memcmp(a->mac, b->mac, 6);
}

static const struct baseline *sort_b;

static int dev_order(const void *x, const void *y)
{
    const struct bl_device *a = &sort_b->dev[*(const uint32_t *)x];
    const struct bl_device *b = &sort_b->dev[*(const uint32_t *)y];
    int la = a->level < 0 ? 99 : a->level, lb = b->level < 0 ? 99 : b->level;
    if (la != lb)
        return la < lb ? -1 : 1;
    return key_cmp(&a->key, &b->key);
}

static bool listed(const struct bl_device *d)
{
    return d->key.kind == BL_DEV_HOST && d->seen && d->alias == BL_NONE;
}

/* The listed devices, sorted (caller frees). */
static uint32_t *sorted_devices(const struct baseline *b, uint32_t *n)
{
    uint32_t *ids = malloc((b->n_dev ? b->n_dev : 1) * sizeof(*ids));
    *n = 0;
    if (!ids)
        return NULL;
    for (uint32_t i = 0; i < b->n_dev; i++)
        if (listed(&b->dev[i]))
            ids[(*n)++] = i;
    sort_b = b;
    qsort(ids, *n, sizeof(*ids), dev_order);
    return ids;
}

/* ------------------------------------------------------------- text bits */

static const char *best_name(const struct bl_device *d)
{
    static const enum bl_field order[] = {BL_F_NAME, BL_F_HOSTNAME, BL_F_SYSNAME, BL_F_DNS_NAME,
                                          BL_F_TLS_NAME};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if (d->field[order[i]].v[0])
            return d->field[order[i]].v;
    return "";
}

static void identity_text(const struct bl_device *d, char *out, size_t n)
{
    static const enum bl_field order[] = {BL_F_VENDOR, BL_F_PRODUCT, BL_F_MODEL, BL_F_FIRMWARE};
    size_t o = 0;
    out[0] = '\0';
    const char *src = "";
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && o < n; i++) {
        const struct bl_field_val *f = &d->field[order[i]];
        if (!f->v[0])
            continue;
        o += (size_t)snprintf(out + o, n - o, "%s%s%s", o ? " " : "",
                              order[i] == BL_F_FIRMWARE ? "fw " : "", f->v);
        src = f->src;
    }
    if (o && o < n && src[0])
        snprintf(out + o, n - o, " (%s)", src);
}

static void proto_text(const struct bl_proto_use *u, char *out, size_t n)
{
    if (u->proto)
        snprintf(out, n, "%s/%u", ot_proto_name((enum ot_proto)u->proto), u->port);
    else if (u->l4 == 0)
        snprintf(out, n, "0x%04x", u->port);
    else if (u->l4 == 1 || u->l4 == 58)
        snprintf(out, n, "%s", bl_l4_name(u->l4));
    else
        snprintf(out, n, "%s/%u", bl_l4_name(u->l4), u->port);
}

/* "modbus/502 server, tcp/80 client": servers first. */
static void protocols_text(const struct bl_device *d, char *out, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned i = 0; i < d->n_protos && o < n; i++) {
            const struct bl_proto_use *u = &d->protos[i];
            if (u->as_server != (pass == 0))
                continue;
            char p[48];
            proto_text(u, p, sizeof(p));
            o += (size_t)snprintf(out + o, n - o, "%s%s %s", o ? ", " : "", p,
                                  u->as_server ? "server" : "client");
        }
    }
}

static void state_text(const struct bl_device *d, char *out, size_t n)
{
    snprintf(out, n, "%s (%s)", bl_state_name((enum bl_state)d->state),
             bl_why_name((enum bl_why)d->why));
}

static void zone_text(const struct bl_device *d, char *out, size_t n)
{
    if (d->zone[0] && d->level >= 0)
        snprintf(out, n, "%s/L%d", d->zone, d->level);
    else if (d->zone[0])
        snprintf(out, n, "%s", d->zone);
    else if (d->level >= 0)
        snprintf(out, n, "L%d", d->level);
    else
        out[0] = '\0';
}

static void hours_text(uint32_t mask, char *out, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    for (int h = 0; h < 24 && o < n;) {
        if (!(mask & (1U << h))) {
            h++;
            continue;
        }
        int e = h;
        while (e + 1 < 24 && (mask & (1U << (e + 1))))
            e++;
        if (e == h)
            o += (size_t)snprintf(out + o, n - o, "%s%02d", o ? "," : "", h);
        else
            o += (size_t)snprintf(out + o, n - o, "%s%02d-%02d", o ? "," : "", h, e);
        h = e + 1;
    }
    if (!o)
        snprintf(out, n, "none");
}

/* A MAC shared by several IP devices none of which announced it is a
 * router's: the vendor of those devices is unknown, not the router's. */
static bool routed(const struct baseline *b, const struct bl_device *d)
{
    if (d->routed)
        return true;
    if (!d->n_macs || d->arp_bound || !d->key.ip_version)
        return false;
    unsigned same = 0;
    for (uint32_t i = 0; i < b->n_dev && same < 3; i++) {
        const struct bl_device *o = &b->dev[i];
        if (o != d && listed(o) && o->key.ip_version && o->n_macs &&
            memcmp(o->macs[0], d->macs[0], 6) == 0)
            same++;
    }
    return same >= 2;
}

/* ------------------------------------------------------------- inventory */

enum col {
    C_IP,
    C_MAC,
    C_VLAN,
    C_VENDOR,
    C_ROLE,
    C_NAME,
    C_IDENTITY,
    C_PROTOCOLS,
    C_ZONE,
    C_STATE,
    C_FIRST,
    C_LAST,
    C_COUNT,
};

static const char *const col_names[C_COUNT] = {"IP",       "MAC",       "VLAN",  "VENDOR",
                                               "ROLE",     "NAME",      "IDENTITY", "PROTOCOLS",
                                               "ZONE",     "STATE",     "FIRST SEEN", "LAST SEEN"};
static const char *const csv_names[C_COUNT] = {"ip",       "mac",       "vlan",     "vendor",
                                               "role",     "name",      "identity", "protocols",
                                               "zone",     "state",     "first_seen", "last_seen"};

struct row {
    char c[C_COUNT][256];
};

static void fill_row(const struct baseline *b, uint32_t id, struct row *r)
{
    const struct bl_device *d = &b->dev[id];
    memset(r, 0, sizeof(*r));
    if (d->key.ip_version)
        bl_ip_text(&d->key, r->c[C_IP], sizeof(r->c[C_IP]));
    else
        snprintf(r->c[C_IP], sizeof(r->c[C_IP]), "-");
    if (d->n_macs)
        bl_mac_text(d->macs[0], r->c[C_MAC], sizeof(r->c[C_MAC]));
    if (d->n_macs > 1)
        snprintf(r->c[C_MAC] + 17, sizeof(r->c[C_MAC]) - 17, " +%d", d->n_macs - 1);
    snprintf(r->c[C_VLAN], sizeof(r->c[C_VLAN]), "%u", d->key.vlan);
    if (routed(b, d))
        snprintf(r->c[C_VENDOR], sizeof(r->c[C_VENDOR]), "(routed)");
    else
        snprintf(r->c[C_VENDOR], sizeof(r->c[C_VENDOR]), "%s", d->vendor[0] ? d->vendor : "?");
    snprintf(r->c[C_ROLE], sizeof(r->c[C_ROLE]), "%s", bl_role_label((enum bl_role)d->role));
    snprintf(r->c[C_NAME], sizeof(r->c[C_NAME]), "%s", best_name(d));
    identity_text(d, r->c[C_IDENTITY], sizeof(r->c[C_IDENTITY]));
    protocols_text(d, r->c[C_PROTOCOLS], sizeof(r->c[C_PROTOCOLS]));
    zone_text(d, r->c[C_ZONE], sizeof(r->c[C_ZONE]));
    state_text(d, r->c[C_STATE], sizeof(r->c[C_STATE]));
    bl_time_text(d->first_seen, r->c[C_FIRST], sizeof(r->c[C_FIRST]));
    bl_time_text(d->last_seen, r->c[C_LAST], sizeof(r->c[C_LAST]));
}

static void csv_field(FILE *out, const char *s, bool last)
{
    bool quote = strpbrk(s, ",\"\n\r") != NULL;
    if (quote) {
        fputc('"', out);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', out);
            fputc(*s, out);
        }
        fputc('"', out);
    } else {
        fputs(s, out);
    }
    fputs(last ? "\r\n" : ",", out);
}

static json_t *device_summary(const struct baseline *b, uint32_t id)
{
    const struct bl_device *d = &b->dev[id];
    struct row r;
    fill_row(b, id, &r);
    json_t *o = json_object();
    if (d->key.ip_version)
        json_object_set_new(o, "ip", json_string(r.c[C_IP]));
    json_object_set_new(o, "macs", bl_macs_json(d));
    json_object_set_new(o, "vlan", json_integer(d->key.vlan));
    json_object_set_new(o, "vendor", json_string(d->vendor));
    if (routed(b, d))
        json_object_set_new(o, "routed", json_true());
    json_object_set_new(o, "role", json_string(bl_role_name((enum bl_role)d->role)));
    json_object_set_new(o, "role_evidence", json_string(d->role_evidence));
    json_object_set_new(o, "identity", bl_identity_json(d));
    json_t *protos = json_array();
    for (unsigned i = 0; i < d->n_protos; i++) {
        char p[48];
        proto_text(&d->protos[i], p, sizeof(p));
        json_array_append_new(protos, json_pack("{s:s, s:s}", "protocol", p, "side",
                                                d->protos[i].as_server ? "server" : "client"));
    }
    json_object_set_new(o, "protocols", protos);
    if (d->zone[0])
        json_object_set_new(o, "zone", json_string(d->zone));
    if (d->level >= 0)
        json_object_set_new(o, "level", json_integer(d->level));
    char since[40];
    bl_time_text(d->since, since, sizeof(since));
    json_object_set_new(o, "learning",
                        json_pack("{s:s, s:s, s:s}", "state",
                                  bl_state_name((enum bl_state)d->state), "why",
                                  bl_why_name((enum bl_why)d->why), "since", since));
    json_object_set_new(o, "first_seen", json_string(r.c[C_FIRST]));
    json_object_set_new(o, "last_seen", json_string(r.c[C_LAST]));
    return o;
}

void bl_print_inventory(const struct baseline *b, FILE *out, enum bl_table_fmt fmt)
{
    uint32_t n;
    uint32_t *ids = sorted_devices(b, &n);
    if (!ids)
        return;
    if (fmt == BL_TABLE_JSON) {
        json_t *a = json_array();
        for (uint32_t i = 0; i < n; i++)
            json_array_append_new(a, device_summary(b, ids[i]));
        json_dumpf(a, out, JSON_INDENT(1));
        fputc('\n', out);
        json_decref(a);
        free(ids);
        return;
    }
    struct row *rows = calloc(n ? n : 1, sizeof(*rows));
    if (!rows) {
        free(ids);
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        fill_row(b, ids[i], &rows[i]);
    if (fmt == BL_TABLE_CSV) {
        for (int c = 0; c < C_COUNT; c++)
            csv_field(out, csv_names[c], c == C_COUNT - 1);
        for (uint32_t i = 0; i < n; i++)
            for (int c = 0; c < C_COUNT; c++)
                csv_field(out, rows[i].c[c], c == C_COUNT - 1);
        free(rows);
        free(ids);
        return;
    }
    size_t w[C_COUNT];
    for (int c = 0; c < C_COUNT; c++) {
        w[c] = strlen(col_names[c]);
        for (uint32_t i = 0; i < n; i++) {
            size_t l = strlen(rows[i].c[c]);
            if (l > COL_MAX) {
                memcpy(rows[i].c[c] + COL_MAX - 2, "..", 3);
                l = COL_MAX;
            }
            if (l > w[c])
                w[c] = l;
        }
    }
    for (int c = 0; c < C_COUNT; c++)
        fprintf(out, "%-*s%s", c == C_COUNT - 1 ? 0 : (int)w[c], col_names[c],
                c == C_COUNT - 1 ? "\n" : "  ");
    for (uint32_t i = 0; i < n; i++)
        for (int c = 0; c < C_COUNT; c++)
            fprintf(out, "%-*s%s", c == C_COUNT - 1 ? 0 : (int)w[c], rows[i].c[c],
                    c == C_COUNT - 1 ? "\n" : "  ");
    fprintf(out, "%u devices\n", n);
    free(rows);
    free(ids);
}

/* ------------------------------------------------------------------ show */

static void conv_title(const struct baseline *b, const struct bl_conv *c, char *out, size_t n)
{
    char cl[64], sv[64];
    bl_device_label(b, c->client, cl, sizeof(cl));
    bl_device_label(b, c->server, sv, sizeof(sv));
    const char *what = c->proto ? ot_proto_name((enum ot_proto)c->proto) : c->app;
    if (c->l4 == 0)
        snprintf(out, n, "%s -> %s ethertype 0x%04x%s%s", cl, sv, c->port, what[0] ? " " : "",
                 what);
    else if (c->l4 == 1 || c->l4 == 58)
        snprintf(out, n, "%s -> %s %s", cl, sv, bl_l4_name(c->l4));
    else
        snprintf(out, n, "%s -> %s %s/%u%s%s", cl, sv, bl_l4_name(c->l4), c->port,
                 what[0] ? " " : "", what);
}

static void print_spans(FILE *out, const struct bl_conv *c, uint32_t func, bool from_server)
{
    if (from_server)
        return;
    bool any = false;
    uint32_t space = UINT32_MAX;
    for (uint32_t i = 0; i < c->n_spans; i++) {
        const struct bl_span *s = &c->spans[i];
        if (s->func != func)
            continue;
        if (s->space != space) {
            fprintf(out, "%s%s ", any ? "; " : ": ", s->space_name ? s->space_name : "space");
            space = s->space;
        } else {
            fputs(", ", out);
        }
        any = true;
        if (s->lo == s->hi)
            fprintf(out, "%llu", (unsigned long long)s->lo);
        else
            fprintf(out, "%llu-%llu", (unsigned long long)s->lo, (unsigned long long)s->hi);
    }
}

static void print_rate(FILE *out, const char *what, const struct bl_rate *r, uint32_t bucket)
{
    if (!r->n)
        return;
    fprintf(out, "%s/%us: mean %.1f, p50 %llu, p99 %llu, max %llu over %u buckets%s", what,
            bucket, r->mean, (unsigned long long)bl_rate_quantile(r, 0.5),
            (unsigned long long)bl_rate_quantile(r, 0.99), (unsigned long long)r->max, r->n,
            r->settled ? "" : " (not settled)");
}

static void show_conv(const struct baseline *b, const struct bl_conv *c, FILE *out)
{
    char t[200];
    conv_title(b, c, t, sizeof(t));
    fprintf(out, "    %s: %llu messages, %llu packets\n", t, (unsigned long long)c->msgs,
            (unsigned long long)c->pkts);
    if (c->n_units) {
        fprintf(out, "      units:");
        for (uint32_t i = 0; i < c->n_units; i++)
            fprintf(out, " %u", c->units[i]);
        fprintf(out, "%s\n", c->units_overflow ? " (cap reached)" : "");
    }
    for (uint32_t i = 0; i < c->n_funcs; i++) {
        const struct bl_func *f = &c->funcs[i];
        fprintf(out, "      %-10s %u %s%s", ot_op_name((enum ot_op)f->op), f->code,
                f->name ? f->name : "unknown", f->from_server ? " (from server)" : "");
        print_spans(out, c, f->code, f->from_server);
        fputc('\n', out);
    }
    if (c->funcs_overflow || c->spans_overflow)
        fprintf(out, "      (cap reached: %s%s)\n", c->funcs_overflow ? "functions " : "",
                c->spans_overflow ? "intervals" : "");
    if (c->period.periodic)
        fprintf(out, "      period %.2f s +/- %.2f s (%u intervals)\n", c->period.mean,
                c->period.jitter, c->period.n);
    else if (c->period.gave_up)
        fprintf(out, "      not periodic\n");
    if (c->rate_req.n) {
        fputs("      ", out);
        print_rate(out, "requests", &c->rate_req, b->cfg.rate_bucket);
        fputc('\n', out);
    }
}

static void show_device(const struct baseline *b, uint32_t id, FILE *out)
{
    const struct bl_device *d = &b->dev[id];
    struct row r;
    fill_row(b, id, &r);
    char since[40];
    bl_time_text(d->since, since, sizeof(since));
    fprintf(out, "\n%s  %s  %s  %s  %s since %s\n", r.c[C_IP], r.c[C_MAC],
            bl_role_label((enum bl_role)d->role), r.c[C_VENDOR], r.c[C_STATE], since);
    if (d->role_evidence[0])
        fprintf(out, "  role: %s\n", d->role_evidence);
    for (int f = 0; f < BL_F_COUNT; f++)
        if (d->field[f].v[0])
            fprintf(out, "  %s: %s (%s)\n", bl_field_name((enum bl_field)f), d->field[f].v,
                    d->field[f].src);
    if (r.c[C_ZONE][0])
        fprintf(out, "  zone: %s\n", r.c[C_ZONE]);
    if (r.c[C_PROTOCOLS][0])
        fprintf(out, "  protocols: %s\n", r.c[C_PROTOCOLS]);
    char h1[80], h2[80];
    hours_text(d->hours, h1, sizeof(h1));
    hours_text(d->hours_obs, h2, sizeof(h2));
    fprintf(out, "  industrial activity (UTC hours): %s of %s watched\n", h1, h2);
    if (d->period > 0)
        fprintf(out, "  shortest polling period: %.2f s\n", d->period);
    if (d->rate_pkts.n) {
        fputs("  ", out);
        print_rate(out, "packets sent", &d->rate_pkts, b->cfg.rate_bucket);
        fputc('\n', out);
    }
    if (d->conv_head != BL_NONE)
        fputs("  as client:\n", out);
    for (uint32_t c = d->conv_head; c != BL_NONE; c = b->conv[c].cnext)
        show_conv(b, &b->conv[c], out);
    bool clients = false;
    for (uint32_t c = d->sconv_head; c != BL_NONE; c = b->conv[c].snext) {
        const struct bl_conv *cv = &b->conv[c];
        if (b->dev[cv->client].key.kind == BL_DEV_HOST && listed(&b->dev[cv->client]))
            continue; /* shown under that client */
        if (!clients)
            fputs("  as server:\n", out);
        clients = true;
        show_conv(b, cv, out);
    }
    bool points = false;
    for (uint32_t i = 0; i < b->n_point; i++) {
        const struct bl_point *p = &b->point[i];
        if (p->dev != id)
            continue;
        if (!points)
            fputs("  written points:\n", out);
        points = true;
        fprintf(out, "    %s", ot_proto_name((enum ot_proto)p->proto));
        if (p->unit != UINT32_MAX)
            fprintf(out, " unit %u", p->unit);
        fprintf(out, " %s %llu: %g..%g {", p->space_name ? p->space_name : "space",
                (unsigned long long)p->addr, p->min, p->max);
        for (unsigned k = 0; k < p->n_set; k++)
            fprintf(out, "%s%g", k ? ", " : "", p->set[k]);
        fprintf(out, "%s} largest step %g, %llu writes\n", p->set_overflow ? ", ..." : "",
                p->step, (unsigned long long)p->writes);
    }
}

static void print_overflow(const struct baseline *b, FILE *out)
{
    const struct bl_overflow *o = &b->overflow;
    fprintf(out, "overflow (caps reached, counted): devices %llu, conversations %llu, points "
            "%llu, functions %llu, units %llu, intervals %llu, values %llu\n",
            (unsigned long long)o->devices, (unsigned long long)o->conversations,
            (unsigned long long)o->points, (unsigned long long)o->functions,
            (unsigned long long)o->units, (unsigned long long)o->intervals,
            (unsigned long long)o->values);
}

void bl_print_show(const struct baseline *b, FILE *out)
{
    char t1[40], t2[40], t3[40], h[80];
    bl_time_text(b->start, t1, sizeof(t1));
    bl_time_text(b->updated, t2, sizeof(t2));
    bl_time_text(b->net_since, t3, sizeof(t3));
    hours_text(b->hours_observed, h, sizeof(h));
    uint32_t n, mature = 0;
    uint32_t *ids = sorted_devices(b, &n);
    if (!ids)
        return;
    for (uint32_t i = 0; i < n; i++)
        mature += b->dev[ids[i]].state == BL_MATURE;
    fprintf(out, "baseline of sensor '%s', format version %d, packet time %s to %s\n", b->sensor,
            BL_FORMAT_VERSION, t1, t2);
    fprintf(out, "network: %s%s%s; industrial traffic watched at UTC hours %s\n",
            bl_state_name((enum bl_state)b->net_state), b->net_since ? " since " : "",
            b->net_since ? t3 : "", h);
    fprintf(out, "%u devices (%u mature, %u learning), %u conversations, %u written points\n", n,
            mature, n - mature, b->n_conv, b->n_point);
    print_overflow(b, out);
    for (uint32_t i = 0; i < n; i++)
        show_device(b, ids[i], out);
    free(ids);
}

/* ------------------------------------------------------------------ diff */

static uint32_t map_device(const struct baseline *from, uint32_t id, const struct baseline *to)
{
    if (id >= from->n_dev)
        return BL_NONE;
    return bl_device_find(to, &from->dev[id].key);
}

static uint32_t map_conv(const struct baseline *from, const struct bl_conv *c,
                         const struct baseline *to)
{
    uint32_t cl = map_device(from, c->client, to), sv = map_device(from, c->server, to);
    if (cl == BL_NONE || sv == BL_NONE)
        return BL_NONE;
    for (uint32_t i = to->dev[cl].conv_head; i != BL_NONE; i = to->conv[i].cnext)
        if (to->conv[i].server == sv && to->conv[i].l4 == c->l4 && to->conv[i].port == c->port)
            return i;
    return BL_NONE;
}

static void device_line(const struct baseline *b, uint32_t id, char *out, size_t n)
{
    const struct bl_device *d = &b->dev[id];
    char l[64];
    bl_device_label(b, id, l, sizeof(l));
    snprintf(out, n, "%s (%s%s%s)", l, bl_role_label((enum bl_role)d->role),
             d->vendor[0] ? ", " : "", d->vendor);
}

/* Prints the parts of a's spans of (func, space) not covered by b's. */
static unsigned span_minus(FILE *out, const char *sign, const struct bl_conv *a,
                           const struct bl_conv *b, uint32_t func, uint32_t space, const char *name)
{
    unsigned n = 0;
    for (uint32_t i = 0; i < a->n_spans; i++) {
        const struct bl_span *s = &a->spans[i];
        if (s->func != func || s->space != space)
            continue;
        uint64_t lo = s->lo;
        bool done = false;
        for (uint32_t k = 0; k < b->n_spans && !done; k++) {
            const struct bl_span *t = &b->spans[k];
            if (t->func != func || t->space != space || t->hi < lo || t->lo > s->hi)
                continue;
            if (t->lo > lo) {
                fprintf(out, "      %s %s (function %u) %llu-%llu\n", sign, name, func,
                        (unsigned long long)lo, (unsigned long long)(t->lo - 1));
                n++;
            }
            if (t->hi >= s->hi)
                done = true;
            else
                lo = t->hi + 1;
        }
        if (!done) {
            fprintf(out, "      %s %s (function %u) %llu-%llu\n", sign, name, func,
                    (unsigned long long)lo, (unsigned long long)s->hi);
            n++;
        }
    }
    return n;
}

static bool has_func(const struct bl_conv *c, const struct bl_func *f)
{
    for (uint32_t k = 0; k < c->n_funcs; k++)
        if (c->funcs[k].code == f->code && c->funcs[k].from_server == f->from_server)
            return true;
    return false;
}

static unsigned diff_conv(FILE *out, const void *old, const void *neu)
{
    const struct bl_conv *o = old, *c = neu;
    unsigned n = 0;
    const struct bl_conv *sides[2] = {c, o};
    for (int s = 0; s < 2; s++)
        for (uint32_t i = 0; i < sides[s]->n_funcs; i++) {
            const struct bl_func *f = &sides[s]->funcs[i];
            if (has_func(sides[1 - s], f))
                continue;
            fprintf(out, "      %s function %u %s (%s)\n", s == 0 ? "+" : "-", f->code,
                    f->name ? f->name : "unknown", ot_op_name((enum ot_op)f->op));
            n++;
        }
    for (int s = 0; s < 2; s++)
        for (uint32_t i = 0; i < sides[s]->n_units; i++) {
            bool f = false;
            for (uint32_t k = 0; k < sides[1 - s]->n_units; k++)
                f |= sides[1 - s]->units[k] == sides[s]->units[i];
            if (!f) {
                fprintf(out, "      %s unit %u\n", s == 0 ? "+" : "-", sides[s]->units[i]);
                n++;
            }
        }
    /* each (function, space) group once, from either side */
    for (int s = 0; s < 2; s++) {
        for (uint32_t i = 0; i < sides[s]->n_spans; i++) {
            const struct bl_span *sp = &sides[s]->spans[i];
            if (i > 0 && sides[s]->spans[i - 1].func == sp->func &&
                sides[s]->spans[i - 1].space == sp->space)
                continue;
            bool in_other = false;
            for (uint32_t k = 0; k < sides[1 - s]->n_spans; k++)
                in_other |= sides[1 - s]->spans[k].func == sp->func &&
                            sides[1 - s]->spans[k].space == sp->space;
            if (s == 1 && in_other)
                continue; /* done from the new side */
            const char *name = sp->space_name ? sp->space_name : "space";
            n += span_minus(out, "+", c, o, sp->func, sp->space, name);
            n += span_minus(out, "-", o, c, sp->func, sp->space, name);
        }
    }
    if (o->period.periodic != c->period.periodic ||
        (c->period.periodic && fabs(c->period.mean - o->period.mean) > 0.25 * o->period.mean)) {
        fprintf(out, "      period: %s -> %s", o->period.periodic ? "" : "none",
                c->period.periodic ? "" : "none");
        if (o->period.periodic || c->period.periodic)
            fprintf(out, " (%.2f s -> %.2f s)", o->period.periodic ? o->period.mean : 0.0,
                    c->period.periodic ? c->period.mean : 0.0);
        fputc('\n', out);
        n++;
    }
    return n;
}

static unsigned diff_point(FILE *out, const void *old, const void *neu)
{
    const struct bl_point *o = old, *p = neu;
    unsigned n = 0;
    if (o->min != p->min || o->max != p->max) {
        fprintf(out, "      span %g..%g -> %g..%g\n", o->min, o->max, p->min, p->max);
        n++;
    }
    for (unsigned i = 0; i < p->n_set; i++) {
        bool f = false;
        for (unsigned k = 0; k < o->n_set; k++)
            f |= o->set[k] == p->set[i];
        if (!f) {
            fprintf(out, "      + value %g\n", p->set[i]);
            n++;
        }
    }
    return n;
}

static void point_title(const struct baseline *b, const struct bl_point *p, char *out, size_t n)
{
    char dev[64], unit[24] = "";
    bl_device_label(b, p->dev, dev, sizeof(dev));
    if (p->unit != UINT32_MAX)
        snprintf(unit, sizeof(unit), " unit %u", p->unit);
    snprintf(out, n, "%s %s%s %s %llu", dev, ot_proto_name((enum ot_proto)p->proto), unit,
             p->space_name ? p->space_name : "space", (unsigned long long)p->addr);
}

static uint32_t map_point(const struct baseline *from, const struct bl_point *p,
                          const struct baseline *to)
{
    uint32_t dev = map_device(from, p->dev, to);
    if (dev == BL_NONE)
        return BL_NONE;
    for (uint32_t i = 0; i < to->n_point; i++) {
        const struct bl_point *q = &to->point[i];
        if (q->dev == dev && q->proto == p->proto && q->unit == p->unit && q->space == p->space &&
            q->addr == p->addr)
            return i;
    }
    return BL_NONE;
}

/* Writes the changes of one entity (diff(m, old, neu) prints them and
 * returns their count) to memory first, so that its "  ~ TITLE" line goes
 * out only when there are some; at most cap - 1 bytes of them are kept.
 * Returns their count. */
static unsigned print_changed(FILE *out, const char *title, size_t cap,
                              unsigned (*diff)(FILE *m, const void *old, const void *neu),
                              const void *old, const void *neu)
{
    char buf[8192];
    if (cap > sizeof(buf))
        cap = sizeof(buf);
    FILE *m = fmemopen(buf, cap, "w");
    unsigned d = m ? diff(m, old, neu) : 0;
    if (m) {
        fclose(m);
        buf[cap - 1] = '\0';
    }
    if (d)
        fprintf(out, "  ~ %s\n%s", title, buf);
    return d;
}

unsigned bl_print_diff(const struct baseline *old, const struct baseline *neu, FILE *out)
{
    unsigned total = 0;
    char line[256];
    fputs("devices:\n", out);
    for (uint32_t i = 0; i < neu->n_dev; i++) {
        const struct bl_device *d = &neu->dev[i];
        if (!listed(d))
            continue;
        uint32_t o = map_device(neu, i, old);
        device_line(neu, i, line, sizeof(line));
        if (o == BL_NONE || !listed(&old->dev[o])) {
            fprintf(out, "  + %s\n", line);
            total++;
            continue;
        }
        const struct bl_device *od = &old->dev[o];
        if (od->role != d->role) {
            fprintf(out, "  ~ %s: role %s -> %s\n", line, bl_role_label((enum bl_role)od->role),
                    bl_role_label((enum bl_role)d->role));
            total++;
        }
        if (od->state != d->state) {
            fprintf(out, "  ~ %s: %s -> %s (%s)\n", line, bl_state_name((enum bl_state)od->state),
                    bl_state_name((enum bl_state)d->state), bl_why_name((enum bl_why)d->why));
            total++;
        }
        for (int f = 0; f < BL_F_COUNT; f++)
            if (strcmp(od->field[f].v, d->field[f].v) != 0) {
                fprintf(out, "  ~ %s: %s \"%s\" -> \"%s\"\n", line,
                        bl_field_name((enum bl_field)f), od->field[f].v, d->field[f].v);
                total++;
            }
    }
    for (uint32_t i = 0; i < old->n_dev; i++) {
        if (!listed(&old->dev[i]))
            continue;
        uint32_t nn = map_device(old, i, neu);
        if (nn == BL_NONE || !listed(&neu->dev[nn])) {
            device_line(old, i, line, sizeof(line));
            fprintf(out, "  - %s\n", line);
            total++;
        }
    }
    fputs("conversations:\n", out);
    for (uint32_t i = 0; i < neu->n_conv; i++) {
        const struct bl_conv *c = &neu->conv[i];
        conv_title(neu, c, line, sizeof(line));
        uint32_t o = map_conv(neu, c, old);
        if (o == BL_NONE) {
            fprintf(out, "  + %s\n", line);
            total++;
            continue;
        }
        total += print_changed(out, line, 8192, diff_conv, &old->conv[o], c);
    }
    for (uint32_t i = 0; i < old->n_conv; i++) {
        if (map_conv(old, &old->conv[i], neu) == BL_NONE) {
            conv_title(old, &old->conv[i], line, sizeof(line));
            fprintf(out, "  - %s\n", line);
            total++;
        }
    }
    fputs("written points:\n", out);
    for (uint32_t i = 0; i < neu->n_point; i++) {
        const struct bl_point *p = &neu->point[i];
        point_title(neu, p, line, sizeof(line));
        uint32_t o = map_point(neu, p, old);
        if (o == BL_NONE) {
            fprintf(out, "  + %s: %g..%g\n", line, p->min, p->max);
            total++;
            continue;
        }
        total += print_changed(out, line, 4096, diff_point, &old->point[o], p);
    }
    for (uint32_t i = 0; i < old->n_point; i++) {
        if (map_point(old, &old->point[i], neu) == BL_NONE) {
            point_title(old, &old->point[i], line, sizeof(line));
            fprintf(out, "  - %s\n", line);
            total++;
        }
    }
    fprintf(out, "%u difference%s\n", total, total == 1 ? "" : "s");
    return total;
}

uint32_t bl_device_lookup(const struct baseline *b, const char *text)
{
    if (text[0] == '#') {
        char *end;
        unsigned long id = strtoul(text + 1, &end, 10);
        return (*end || id >= b->n_dev) ? BL_NONE : (uint32_t)id;
    }
    struct bl_key k;
    memset(&k, 0, sizeof(k));
    uint8_t mac[6];
    if (bl_parse_ip(text, &k) == 0) {
        for (uint32_t i = 0; i < b->n_dev; i++)
            if (b->dev[i].key.kind == BL_DEV_HOST && b->dev[i].key.ip_version == k.ip_version &&
                memcmp(b->dev[i].key.ip, k.ip, 16) == 0 && b->dev[i].alias == BL_NONE)
                return i;
        return BL_NONE;
    }
    if (bl_parse_mac(text, mac) == 0) {
        for (uint32_t i = 0; i < b->n_dev; i++) {
            const struct bl_device *d = &b->dev[i];
            if (d->key.kind != BL_DEV_HOST || d->alias != BL_NONE)
                continue;
            if ((!d->key.ip_version && memcmp(d->key.mac, mac, 6) == 0) ||
                (d->n_macs && d->arp_bound && memcmp(d->macs[0], mac, 6) == 0))
                return i;
        }
        for (uint32_t i = 0; i < b->n_dev; i++)
            if (b->dev[i].n_macs && memcmp(b->dev[i].macs[0], mac, 6) == 0 &&
                b->dev[i].alias == BL_NONE)
                return i;
    }
    return BL_NONE;
}
