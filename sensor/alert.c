/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: alert events and their aggregation on packet time. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "detect-rules.h"
#include "event.h"
#include "output.h"
#include "worker.h"

/* A signature seen between two ends, with the repeats since it was written. */
struct agg_slot {
    bool used;
    uint32_t sid;
    struct ip_addr src;
    struct ip_addr dst;
    uint64_t first_ts;
    uint64_t last_ts;
    uint64_t repeats;
    /* enough to write the summary when the flow may be gone */
    const struct alert_def *def;
    uint8_t severity; /* after tuning */
    uint64_t flow_id;
    char src_ip[46];
    char dst_ip[46];
    uint16_t src_port;
    uint16_t dst_port;
    uint8_t proto;
};

struct alert_agg {
    struct agg_slot slots[ALERT_AGG_SLOTS];
};

int alert_init(struct worker *w)
{
    w->alerts = calloc(1, sizeof(*w->alerts));
    return w->alerts ? 0 : -1;
}

void alert_fini(struct worker *w)
{
    free(w->alerts);
    w->alerts = NULL;
}

static void put_def(struct jsonw *jw, const struct alert_def *d, uint8_t severity)
{
    jw_kname(jw, "action", "allowed");
    jw_kname(jw, "kind", d->kind);
    jw_ku64(jw, "signature_id", d->sid);
    jw_ku64(jw, "rev", d->rev);
    jw_kstr(jw, "signature", d->signature);
    jw_kstr(jw, "category", d->category ? d->category : d->kind);
    jw_ku64(jw, "severity", severity);
    jw_kname(jw, "source", d->source);
    jw_key(jw, "metadata");
    jw_obj_begin(jw);
    jw_key(jw, "mitre_attack");
    jw_arr_begin(jw);
    for (int i = 0; i < ALERT_MAX_MITRE && d->mitre[i]; i++)
        jw_str(jw, d->mitre[i]);
    jw_arr_end(jw);
    jw_key(jw, "mitre_tactic");
    jw_arr_begin(jw);
    for (int i = 0; i < ALERT_MAX_MITRE && d->tactic[i]; i++)
        jw_str(jw, d->tactic[i]);
    jw_arr_end(jw);
    jw_obj_end(jw);
}

static void put_time(struct jsonw *jw, const char *key, uint64_t ts)
{
    jw_key(jw, key);
    event_time_value(jw, ts);
}

static void write_alert(struct worker *w, const struct alert_def *def, const struct alert_ctx *c,
                        uint8_t severity)
{
    struct jsonw *jw = &w->jw;
    event_begin(w, w->now, EV_ALERT, c->flow, c->flow ? c->dir : -1);
    if (!c->flow && c->pkt && c->pkt->ip_version)
        event_packet_addresses(w, c->pkt);
    jw_key(jw, "alert");
    jw_obj_begin(jw);
    put_def(jw, def, severity);
    if (c->evidence) {
        char *text = json_dumps(c->evidence, JSON_COMPACT | JSON_SORT_KEYS);
        if (text) {
            jw_key(jw, "evidence");
            jw_raw(jw, text, strlen(text));
            free(text);
        }
    }
    jw_obj_end(jw);
    rules_write_ends(w, c->flow, c->dir, c->pkt);
    if (c->msg) {
        jw_key(jw, ot_proto_name(c->msg->proto));
        jw_obj_begin(jw);
        jw_kname(jw, "direction", c->msg->dir == OT_DIR_REQUEST ? "request" : "response");
        event_msg_members(jw, c->msg, NULL);
        jw_obj_end(jw);
    }
    event_end(w, EV_ALERT);
    w->alert_stats.written++;
}

static void write_summary(struct worker *w, struct agg_slot *s)
{
    struct jsonw *jw = &w->jw;
    if (!output_wants(w->out, EV_ALERT))
        return;
    jw_reset(jw);
    jw_obj_begin(jw);
    put_time(jw, "timestamp", s->last_ts);
    if (s->flow_id)
        jw_ku64(jw, "flow_id", s->flow_id);
    jw_key(jw, "sensor");
    jw_raw(jw, w->sensor_json, w->sensor_json_len);
    jw_kname(jw, "event_type", "alert");
    if (s->src_ip[0]) {
        jw_kname(jw, "src_ip", s->src_ip);
        if (s->src_port)
            jw_ku64(jw, "src_port", s->src_port);
        jw_kname(jw, "dest_ip", s->dst_ip);
        if (s->dst_port)
            jw_ku64(jw, "dest_port", s->dst_port);
    }
    jw_key(jw, "alert");
    jw_obj_begin(jw);
    put_def(jw, s->def, s->severity);
    jw_kbool(jw, "aggregated", true);
    jw_ku64(jw, "count", s->repeats);
    put_time(jw, "first_seen", s->first_ts);
    put_time(jw, "last_seen", s->last_ts);
    jw_obj_end(jw);
    event_end(w, EV_ALERT);
    w->alert_stats.written++;
}

static void ends(const struct alert_ctx *c, struct ip_addr *src, struct ip_addr *dst)
{
    memset(src, 0, sizeof(*src));
    memset(dst, 0, sizeof(*dst));
    if (c->flow) {
        bool src_is_a = (c->dir == 0) == c->flow->client_is_a;
        *src = src_is_a ? c->flow->key.a : c->flow->key.b;
        *dst = src_is_a ? c->flow->key.b : c->flow->key.a;
    } else if (c->pkt) {
        if (c->pkt->ip_version) {
            *src = c->pkt->src;
            *dst = c->pkt->dst;
        } else {
            memcpy(src->b, c->pkt->src_mac, 6);
            memcpy(dst->b, c->pkt->dst_mac, 6);
        }
    }
}

static uint32_t slot_of(uint32_t sid, const struct ip_addr *src, const struct ip_addr *dst)
{
    uint64_t h = sid * 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 16; i++)
        h = (h ^ src->b[i] ^ (uint64_t)dst->b[i] << 8) * 0x100000001b3ULL;
    return (uint32_t)(h % ALERT_AGG_SLOTS);
}

static void remember(struct worker *w, struct agg_slot *s, const struct alert_def *def,
                     const struct alert_ctx *c, const struct ip_addr *src,
                     const struct ip_addr *dst)
{
    memset(s, 0, sizeof(*s));
    s->used = true;
    s->sid = def->sid;
    s->src = *src;
    s->dst = *dst;
    s->first_ts = s->last_ts = w->now;
    s->def = def;
    const struct flow *f = c->flow;
    if (f) {
        bool src_is_a = (c->dir == 0) == f->client_is_a;
        s->flow_id = f->flow_id;
        memcpy(s->src_ip, f->ip_text[src_is_a ? 0 : 1], sizeof(s->src_ip));
        memcpy(s->dst_ip, f->ip_text[src_is_a ? 1 : 0], sizeof(s->dst_ip));
        if (f->key.proto == IPPROTO_TCP || f->key.proto == IPPROTO_UDP) {
            s->src_port = src_is_a ? f->key.port_a : f->key.port_b;
            s->dst_port = src_is_a ? f->key.port_b : f->key.port_a;
        }
    }
}

void alert_raise(struct worker *w, const struct alert_def *def, struct alert_ctx *c)
{
    w->alert_stats.raised++;
    uint8_t severity = def->severity;
    if (!rules_tune_alert(w, def, c, &severity)) { /* disabled, suppressed: counted there */
        json_decref(c->evidence);
        c->evidence = NULL;
        return;
    }
    struct ip_addr src, dst;
    ends(c, &src, &dst);
    struct agg_slot *s = &w->alerts->slots[slot_of(def->sid, &src, &dst)];
    uint64_t window = (uint64_t)w->conf->alert_window * 1000000;
    bool same = s->used && s->sid == def->sid && memcmp(&s->src, &src, sizeof(src)) == 0 &&
                memcmp(&s->dst, &dst, sizeof(dst)) == 0;
    if (same && w->now < s->first_ts + window) {
        s->repeats++;
        s->last_ts = w->now;
        w->alert_stats.aggregated++;
    } else {
        /* the slot's previous occupant, if it repeated, is written now */
        if (s->used && s->repeats)
            write_summary(w, s);
        if (output_wants(w->out, EV_ALERT))
            write_alert(w, def, c, severity);
        remember(w, s, def, c, &src, &dst);
        s->severity = severity;
    }
    json_decref(c->evidence);
    c->evidence = NULL;
}

void alert_tick(struct worker *w)
{
    uint64_t window = (uint64_t)w->conf->alert_window * 1000000;
    for (size_t i = 0; i < ALERT_AGG_SLOTS; i++) {
        struct agg_slot *s = &w->alerts->slots[i];
        if (s->used && w->now >= s->first_ts + window) {
            if (s->repeats)
                write_summary(w, s);
            s->used = false;
        }
    }
}

void alert_flush(struct worker *w)
{
    for (size_t i = 0; i < ALERT_AGG_SLOTS; i++) {
        struct agg_slot *s = &w->alerts->slots[i];
        if (s->used && s->repeats)
            write_summary(w, s);
        s->used = false;
    }
}
