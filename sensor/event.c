/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: building EVE records in the worker's streaming writer. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "detect-rules.h"
#include "event.h"
#include "inventory.h"
#include "output.h"

static const char *l4_name(uint8_t proto)
{
    switch (proto) {
        case IPPROTO_TCP: return "TCP";
        case IPPROTO_UDP: return "UDP";
        case IPPROTO_ICMP: return "ICMP";
        case IPPROTO_ICMPV6: return "IPv6-ICMP";
        case IPPROTO_SCTP: return "SCTP";
        default: return NULL;
    }
}

/* ISO 8601 with microseconds and offset, from packet time; the date part is
 * cached, quoted, because consecutive events share their second. */
void event_time_value(struct jsonw *jw, uint64_t ts)
{
    static __thread time_t cached_sec = -1;
    static __thread char cached[32];
    static __thread size_t cached_len;
    time_t sec = (time_t)(ts / 1000000);
    if (sec != cached_sec) {
        struct tm tm;
        gmtime_r(&sec, &tm);
        cached[0] = '"';
        cached_len = 1 + strftime(cached + 1, sizeof(cached) - 1, "%Y-%m-%dT%H:%M:%S", &tm);
        cached_sec = sec;
    }
    /* "YYYY-MM-DDTHH:MM:SS.uuuuuu+0000" without printf: this runs per event */
    size_t n = cached_len + 13;
    char *q = jw_value_begin(jw, n);
    if (!q)
        return;
    memcpy(q, cached, cached_len);
    char *u = q + cached_len;
    u[0] = '.';
    jw_digits_n(u + 1, 6, (uint32_t)(ts - (uint64_t)sec * 1000000));
    memcpy(u + 7, "+0000\"", 6);
    jw_value_end(jw, q + n);
}

void event_format_mac(char out[18], const uint8_t m[6])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 6; i++) {
        out[i * 3] = hex[m[i] >> 4];
        out[i * 3 + 1] = hex[m[i] & 15];
        out[i * 3 + 2] = i < 5 ? ':' : '\0';
    }
}

static void put_mac(struct jsonw *jw, const char *key, const uint8_t m[6])
{
    char s[18];
    event_format_mac(s, m);
    jw_kstr(jw, key, s);
}

static void put_vlan(struct jsonw *jw, uint8_t n, const uint16_t *vlan)
{
    if (n == 0)
        return;
    jw_key(jw, "vlan");
    jw_arr_begin(jw);
    for (uint8_t i = 0; i < n; i++)
        jw_u64(jw, vlan[i]);
    jw_arr_end(jw);
}

/* The remote SPAN session a mirrored frame came through: its outer ends. */
static void put_tunnel(struct jsonw *jw, const struct tunnel *t)
{
    char text[INET6_ADDRSTRLEN];
    int family = t->ip_version == 6 ? AF_INET6 : AF_INET;
    jw_key(jw, "tunnel");
    jw_obj_begin(jw);
    jw_kname(jw, "type", tunnel_names[t->type]);
    inet_ntop(family, t->src.b, text, sizeof(text));
    jw_kname(jw, "src_ip", text);
    inet_ntop(family, t->dst.b, text, sizeof(text));
    jw_kname(jw, "dest_ip", text);
    if (t->has_id) {
        const char *key = t->type == TUN_VXLAN ? "vni" : t->type == TUN_GRE ? "key" : "session_id";
        jw_ku64(jw, key, t->id);
    }
    if (t->depth > 1)
        jw_ku64(jw, "depth", t->depth);
    jw_obj_end(jw);
}

static const char *app_proto(const struct worker *w, const struct flow *f)
{
    if (f->dissector)
        return f->dissector->name;
    return appid_name(w, f);
}

/* The members naming a flow's two ends as seen from the sender of dir. */
static void write_flow_ends(struct worker *w, const struct flow *f, int dir)
{
    struct jsonw *jw = &w->jw;
    /* src is the sender named by dir; the key holds the client in a or b */
    bool src_is_a = (dir == 0) == f->client_is_a;
    bool ports = f->key.proto == IPPROTO_TCP || f->key.proto == IPPROTO_UDP;
    jw_kname(jw, "src_ip", f->ip_text[src_is_a ? 0 : 1]);
    if (ports)
        jw_ku64(jw, "src_port", src_is_a ? f->key.port_a : f->key.port_b);
    jw_kname(jw, "dest_ip", f->ip_text[src_is_a ? 1 : 0]);
    if (ports)
        jw_ku64(jw, "dest_port", src_is_a ? f->key.port_b : f->key.port_a);
    const char *l4 = l4_name(f->key.proto);
    if (l4)
        jw_kname(jw, "proto", l4);
    else
        jw_ku64(jw, "proto", f->key.proto);
    const char *app = app_proto(w, f);
    if (app)
        jw_kname(jw, "app_proto", app);
    put_vlan(jw, f->vlan_count, f->vlan);
    if (f->has_ether) {
        jw_key(jw, "ether");
        jw_obj_begin(jw);
        jw_kname(jw, "src_mac", f->mac_text[dir == 0 ? 0 : 1]);
        jw_kname(jw, "dest_mac", f->mac_text[dir == 0 ? 1 : 0]);
        jw_obj_end(jw);
    }
    if (f->tunnel.type != TUN_NONE)
        put_tunnel(jw, &f->tunnel);
}

/* The members between the timestamp and the sender: flow id, sensor, event
 * type. */
static void put_head(struct worker *w, const struct flow *f, int type)
{
    struct jsonw *jw = &w->jw;
    if (f)
        jw_ku64(jw, "flow_id", f->flow_id);
    jw_key(jw, "sensor");
    jw_raw(jw, w->sensor_json, w->sensor_json_len);
    jw_kname(jw, "event_type", ev_type_name(type));
}

/* A dissected flow's records repeat every member after the timestamp but
 * the event's own (flow id, sensor, event type, the ends): those of its
 * protocol's records are kept as text per direction once written (f->ends,
 * pooled), then copied, which saves writing a 16-digit flow id and a dozen
 * names each time.  A record of another type (flow, alert) takes that text
 * around its own event type. */
static void put_flow_head(struct worker *w, const struct flow *f, int type, int dir)
{
    struct jsonw *jw = &w->jw;
    struct flow_ends *e = f->ends;
    int d = dir == 0 ? 0 : 1;
    int own = f->dissector ? (int)f->dissector->proto : -1;
    if (e && e->len[d]) {
        if (type == own) {
            jw_put(jw, e->text[d], e->len[d]);
            return;
        }
        /* the text is ,"flow_id":N,"sensor":S,"event_type":"own" then the ends */
        size_t at = strlen(",\"flow_id\":") + jw_u64_len(f->flow_id);
        at += strlen(",\"sensor\":") + w->sensor_json_len;
        size_t ends = at + strlen(",\"event_type\":\"\"") + strlen(ev_type_name(own));
        jw_put(jw, e->text[d], at);
        jw_kname(jw, "event_type", ev_type_name(type));
        jw_put(jw, e->text[d] + ends, e->len[d] - ends);
        return;
    }
    size_t start = jw->len;
    put_head(w, f, type);
    write_flow_ends(w, f, dir);
    size_t n = jw->len - start;
    if (e && type == own && !jw->overflow && n <= sizeof(e->text[d])) {
        memcpy(e->text[d], jw->buf + start, n);
        e->len[d] = (uint16_t)n;
    }
}

void event_prefetch_ends(const struct worker *w, const struct flow *f)
{
    if (!output_wants(w->out, f->dissector->proto))
        return;
    const struct flow_ends *e = f->ends;
    if (!e)
        return;
    /* the lengths and the client's text, which most records copy (a
     * request's direction); the rest follows sequentially */
    for (size_t off = 0; off < 384; off += 64)
        __builtin_prefetch((const char *)e + off);
}

void event_begin(struct worker *w, uint64_t ts, int type, const struct flow *f, int dir)
{
    struct jsonw *jw = &w->jw;
    jw_reset(jw);
    output_lend(w->queue, jw);
    jw_obj_begin(jw);
    jw_key(jw, "timestamp");
    event_time_value(jw, ts);
    if (f) {
        put_flow_head(w, f, type, dir);
        return;
    }
    put_head(w, NULL, type);
    if (w->pkt && w->pkt->has_ether) {
        put_vlan(jw, w->pkt->vlan_count, w->pkt->vlan);
        jw_key(jw, "ether");
        jw_obj_begin(jw);
        put_mac(jw, "src_mac", w->pkt->src_mac);
        put_mac(jw, "dest_mac", w->pkt->dst_mac);
        jw_obj_end(jw);
    }
    if (w->pkt && w->pkt->tunnel.type != TUN_NONE)
        put_tunnel(jw, &w->pkt->tunnel);
}

void event_packet_addresses(struct worker *w, const struct packet *p)
{
    char text[INET6_ADDRSTRLEN];
    int family = p->ip_version == 6 ? AF_INET6 : AF_INET;
    inet_ntop(family, p->src.b, text, sizeof(text));
    jw_kname(&w->jw, "src_ip", text);
    static const uint8_t zero[16];
    if (memcmp(p->dst.b, zero, 16) == 0)
        return; /* an alert about one device (inventory.c) has no destination */
    inet_ntop(family, p->dst.b, text, sizeof(text));
    jw_kname(&w->jw, "dest_ip", text);
}

void event_end(struct worker *w, int type)
{
    jw_obj_end(&w->jw);
    if (w->jw.overflow) {
        w->stats.events_dropped++;
        return;
    }
    w->stats.events[type]++;
    if (jw_lent(&w->jw))
        output_commit(w->queue, type, &w->jw);
    else
        output_write(w->queue, type, w->jw.buf, w->jw.len);
}

/* The key of a tape entry in an object: its length is on the tape unless
 * the dissector's compiler could not see it; a member without one is
 * "value" (the line must stay valid JSON whatever the dissector did). */
static const char *detail_key(const struct ot_kv *kv, size_t *len)
{
    if (!kv->key) {
        *len = strlen("value");
        return "value";
    }
    *len = kv->key_len != OT_KEY_LEN_UNKNOWN ? kv->key_len : strlen(kv->key);
    return kv->key;
}

static void put_detail(struct jsonw *jw, const struct ot_detail *d)
{
    bool is_array[OT_DETAIL_MAX_KV]; /* what each open level is, to close it right */
    int depth = 0;
    bool in_array = false; /* elements of arrays take no key, members of objects one */
    for (uint16_t i = 0; i < d->n; i++) {
        const struct ot_kv *kv = &d->kv[i];
        if (kv->type == OT_KV_END) {
            if (depth == 0)
                continue;
            jw_close(jw, is_array[--depth] ? ']' : '}');
            in_array = depth > 0 && is_array[depth - 1];
            continue;
        }
        /* numbers are most entries (register values): to the point */
        if (in_array && kv->type == OT_KV_U64) {
            jw_u64(jw, kv->v.u);
            continue;
        }
        if (!in_array) {
            size_t key_len;
            const char *key = detail_key(kv, &key_len);
            if (kv->type == OT_KV_U64) {
                jw_ku64_n(jw, key, key_len, kv->v.u); /* one test for both */
                continue;
            }
            jw_key_n(jw, key, key_len);
        }
        switch (kv->type) {
            case OT_KV_I64: jw_i64(jw, kv->v.i); break;
            case OT_KV_DBL: jw_dbl(jw, kv->v.d); break;
            case OT_KV_BOOL: jw_bool(jw, kv->v.u != 0); break;
            case OT_KV_STR: jw_strn(jw, d->str + kv->v.off, kv->len); break;
            case OT_KV_HEX: jw_hex(jw, d->str + kv->v.off, kv->len); break;
            case OT_KV_OBJ_BEGIN:
            case OT_KV_ARR_BEGIN:
                in_array = kv->type == OT_KV_ARR_BEGIN;
                is_array[depth++] = in_array;
                jw_open(jw, in_array ? '[' : '{');
                break;
            default: break;
        }
    }
    if (d->truncated)
        jw_kbool(jw, "detail_truncated", true);
}

static void put_identity(struct jsonw *jw, const struct ot_identity *id)
{
    static const struct {
        const char *key;
        size_t off;
    } fields[] = {
        {"vendor", offsetof(struct ot_identity, vendor)},
        {"product", offsetof(struct ot_identity, product)},
        {"model", offsetof(struct ot_identity, model)},
        {"firmware", offsetof(struct ot_identity, firmware)},
        {"serial", offsetof(struct ot_identity, serial)},
        {"name", offsetof(struct ot_identity, name)},
    };
    jw_key(jw, "identity");
    jw_obj_begin(jw);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const char *s = (const char *)id + fields[i].off;
        if (s[0])
            jw_kstr(jw, fields[i].key, s);
    }
    jw_obj_end(jw);
}

void event_msg_members(struct jsonw *jw, const struct ot_msg *m, const struct ot_msg *top)
{
    if (m->has_function) {
        jw_ku64(jw, "function_code", m->function_code);
        /* the names are at the top of a paired record already when they agree */
        bool same = top && top->has_function && top->function_code == m->function_code &&
                    top->function == m->function && top->op_class == m->op_class;
        if (!same) {
            jw_kname(jw, "function", m->function ? m->function : "unknown");
            jw_kname(jw, "op_class", ot_op_name(m->op_class));
        }
    }
    if (m->has_unit && !(top && top->has_unit && top->unit == m->unit))
        jw_ku64(jw, "unit", m->unit);
    if (m->n_ranges) {
        jw_key(jw, "addresses");
        jw_arr_begin(jw);
        for (uint8_t i = 0; i < m->n_ranges; i++) {
            jw_obj_begin(jw);
            jw_kname(jw, "space", m->ranges[i].space ? m->ranges[i].space : "unknown");
            jw_ku64(jw, "start", m->ranges[i].start);
            jw_ku64(jw, "count", m->ranges[i].count);
            jw_obj_end(jw);
        }
        jw_arr_end(jw);
        if (m->ranges_truncated)
            jw_kbool(jw, "addresses_truncated", true);
    }
    if (m->n_values) {
        jw_key(jw, "values");
        jw_arr_begin(jw);
        for (uint8_t i = 0; i < m->n_values; i++) {
            jw_obj_begin(jw);
            jw_ku64(jw, "address", m->values[i].addr);
            jw_key(jw, "value");
            jw_dbl(jw, m->values[i].value);
            jw_obj_end(jw);
        }
        jw_arr_end(jw);
        if (m->values_truncated)
            jw_kbool(jw, "values_truncated", true);
    }
    if (m->has_exception) {
        jw_key(jw, "exception");
        jw_obj_begin(jw);
        jw_ku64(jw, "code", m->exception_code);
        if (m->exception)
            jw_kname(jw, "name", m->exception);
        jw_obj_end(jw);
    }
    if (m->anomaly)
        jw_kname(jw, "anomaly", m->anomaly);
    if (m->identity.present)
        put_identity(jw, &m->identity);
    put_detail(jw, &m->detail);
}

void event_transaction(struct worker *w, const struct flow *f, const struct txn *req,
                       const struct ot_msg *resp, int resp_dir, uint64_t resp_ts)
{
    const struct ot_msg *first = req ? &req->msg : resp;
    int type = first->proto;
    if (!output_wants(w->out, type))
        return;
    uint64_t ts = req ? req->ts : resp_ts;
    int dir = req ? req->dir : resp_dir;
    event_begin(w, ts, type, f, dir);
    struct jsonw *jw = &w->jw;
    jw_key(jw, ot_proto_name(first->proto));
    jw_obj_begin(jw);
    if (req && resp) {
        /* the common fields once at the top, so one query works whether or
         * not the record is paired: the request's, and the response's outcome */
        const struct ot_msg *rq = &req->msg;
        if (rq->has_function) {
            jw_ku64(jw, "function_code", rq->function_code);
            jw_kname(jw, "function", rq->function ? rq->function : "unknown");
            jw_kname(jw, "op_class", ot_op_name(rq->op_class));
        }
        if (rq->has_unit || resp->has_unit)
            jw_ku64(jw, "unit", rq->has_unit ? rq->unit : resp->unit);
        if (resp->has_exception) {
            jw_key(jw, "exception");
            jw_obj_begin(jw);
            jw_ku64(jw, "code", resp->exception_code);
            if (resp->exception)
                jw_kname(jw, "name", resp->exception);
            jw_obj_end(jw);
        }
        jw_ku64(jw, "latency_us", resp_ts >= req->ts ? resp_ts - req->ts : 0);
        jw_key(jw, "request");
        jw_obj_begin(jw);
        event_msg_members(jw, rq, rq);
        jw_obj_end(jw);
        jw_key(jw, "response");
        jw_obj_begin(jw);
        event_msg_members(jw, resp, rq);
        jw_obj_end(jw);
    } else {
        jw_kname(jw, "direction", first->dir == OT_DIR_REQUEST ? "request" : "response");
        if (req) {
            jw_kbool(jw, "unanswered", true);
            /* the response may have been in bytes the capture lost */
            if (req->capture_gap)
                jw_kbool(jw, "capture_gap", true);
        }
        event_msg_members(jw, first, NULL);
    }
    jw_obj_end(jw);
    event_end(w, type);
}

static const char *const end_reasons[] = {
    [FLOW_END_TIMEOUT] = "timeout",
    [FLOW_END_CLOSED] = "closed",
    [FLOW_END_EVICTED] = "evicted",
    [FLOW_END_SHUTDOWN] = "shutdown",
    [FLOW_END_RECLAIMED] = "reclaimed",
};

static void put_stream_counters(struct jsonw *jw, const struct flow *f)
{
    uint64_t gaps = f->stream[0].gaps + f->stream[1].gaps;
    uint64_t resync = f->stream[0].resync_bytes + f->stream[1].resync_bytes;
    if (gaps)
        jw_ku64(jw, "gaps", gaps);
    if (resync)
        jw_ku64(jw, "resync_bytes", resync);
}

void event_flow(struct worker *w, const struct flow *f, enum flow_end why)
{
    if (!output_wants(w->out, EV_FLOW))
        return;
    event_begin(w, f->first_ts, EV_FLOW, f, 0);
    struct jsonw *jw = &w->jw;
    jw_key(jw, "flow");
    jw_obj_begin(jw);
    jw_ku64(jw, "pkts_toserver", f->pkts[0]);
    jw_ku64(jw, "pkts_toclient", f->pkts[1]);
    jw_ku64(jw, "bytes_toserver", f->bytes[0]);
    jw_ku64(jw, "bytes_toclient", f->bytes[1]);
    jw_key(jw, "start");
    event_time_value(jw, f->first_ts);
    jw_key(jw, "end");
    event_time_value(jw, f->last_ts);
    jw_ku64(jw, "age", (f->last_ts - f->first_ts) / 1000000);
    jw_kname(jw, "reason", end_reasons[why]);
    if (f->key.proto == IPPROTO_TCP) {
        char flags[8];
        snprintf(flags, sizeof(flags), "%02x", f->tcp_seen);
        jw_kname(jw, "tcp_flags", flags);
    }
    const char *ndpi = appid_name(w, f);
    if (ndpi)
        jw_kname(jw, "ndpi_proto", ndpi);
    appid_write_meta(w, f, jw);
    if (f->dissector) {
        jw_ku64(jw, "pdus", f->pdus);
        if (f->parse_errors)
            jw_ku64(jw, "parse_errors", f->parse_errors);
        put_stream_counters(jw, f);
    }
    jw_obj_end(jw);
    rules_write_ends(w, f, 0, NULL);
    if (f->dissector && f->dissector->flow_summary && f->dstate) {
        static __thread struct ot_detail detail;
        detail.n = detail.depth = detail.skipped = detail.str_used = 0;
        detail.truncated = false;
        f->dissector->flow_summary(f->dstate, &detail);
        if (detail.n) {
            jw_key(jw, f->dissector->name);
            jw_obj_begin(jw);
            put_detail(jw, &detail);
            jw_obj_end(jw);
        }
    }
    event_end(w, EV_FLOW);
}

static void put_nonzero(struct jsonw *jw, const char *key, uint64_t v)
{
    if (v)
        jw_ku64(jw, key, v);
}

/* Live capture counters (always, so a SOC sees a zero) and the mirror-port
 * ones (only when something happened, so replays stay quiet). */
static void put_capture(const struct worker *w, struct jsonw *jw)
{
    const struct stats *s = &w->stats;
    if (s->live) {
        jw_key(jw, "capture");
        jw_obj_begin(jw);
        jw_kname(jw, "engine", w->capture_engine ? w->capture_engine : "?");
        jw_kstr(jw, "interface", w->capture_iface ? w->capture_iface : "");
        jw_ku64(jw, "worker", (uint64_t)w->capture_index);
        jw_ku64(jw, "kernel_packets", s->kernel_packets);
        jw_ku64(jw, "kernel_drops", s->kernel_drops);
        jw_ku64(jw, "kernel_freezes", s->kernel_freezes);
        put_nonzero(jw, "interface_drops", s->interface_drops);
        put_nonzero(jw, "interface_downs", s->interface_downs);
        jw_obj_end(jw);
    }
    uint64_t tunnelled = 0;
    for (int i = 1; i < TUN_COUNT; i++)
        tunnelled += s->tunnels[i];
    if (!s->span_duplicates && !s->redundancy_frames && !tunnelled)
        return;
    jw_key(jw, "mirror");
    jw_obj_begin(jw);
    put_nonzero(jw, "span_duplicates", s->span_duplicates);
    put_nonzero(jw, "prp_hsr_frames", s->redundancy_frames);
    put_nonzero(jw, "prp_hsr_duplicates", s->redundancy_duplicates);
    if (tunnelled) {
        jw_key(jw, "decapsulated");
        jw_obj_begin(jw);
        for (int i = 1; i < TUN_COUNT; i++)
            put_nonzero(jw, tunnel_names[i], s->tunnels[i]);
        jw_obj_end(jw);
    }
    jw_obj_end(jw);
}

void event_stats(struct worker *w, bool final)
{
    if (!output_wants(w->out, EV_STATS))
        return;
    const struct stats *s = &w->stats;
    event_begin(w, w->now, EV_STATS, NULL, -1);
    struct jsonw *jw = &w->jw;
    jw_key(jw, "stats");
    jw_obj_begin(jw);
    jw_kbool(jw, "final", final);
    jw_ku64(jw, "packets", s->packets);
    jw_ku64(jw, "bytes", s->bytes);
    put_capture(w, jw);
    jw_key(jw, "decoder");
    jw_obj_begin(jw);
    for (int i = 1; i < DEC_COUNT; i++)
        put_nonzero(jw, decode_err_names[i], s->decode_errors[i]);
    jw_obj_end(jw);
    jw_key(jw, "flows");
    jw_obj_begin(jw);
    jw_ku64(jw, "active", flow_active(w->flows));
    jw_ku64(jw, "created", s->flows_created);
    jw_ku64(jw, "ended", s->flows_ended);
    jw_ku64(jw, "evicted", flow_evicted(w->flows));
    put_nonzero(jw, "ndpi_no_state", s->ndpi_no_state);
    put_nonzero(jw, "ndpi_over_memory", s->ndpi_over_memory);
    jw_obj_end(jw);
    jw_key(jw, "tcp");
    jw_obj_begin(jw);
    jw_ku64(jw, "gaps", s->tcp_gaps);
    jw_ku64(jw, "retransmitted_bytes", s->tcp_retransmitted_bytes);
    jw_ku64(jw, "reordered_segments", s->tcp_reordered);
    jw_ku64(jw, "cut_segments", s->tcp_cut_segments);
    jw_ku64(jw, "partial_pdus_dropped", s->partial_pdus_dropped);
    jw_ku64(jw, "reassembly_no_buffer", s->reasm_no_buffer);
    jw_obj_end(jw);
    jw_key(jw, "dissect");
    jw_obj_begin(jw);
    put_nonzero(jw, "no_flow_state", s->dissect_no_state);
    put_nonzero(jw, "flow_state_reclaimed", s->dissect_reclaimed);
    put_nonzero(jw, "pending_evicted", s->pending_evicted);
    put_nonzero(jw, "pending_timed_out", s->pending_timed_out);
    for (int p = 1; p < OT_PROTO_COUNT; p++) {
        const struct proto_stats *ps = &s->proto[p];
        if (!ps->flows && !ps->pdus)
            continue;
        jw_key(jw, ot_proto_name((enum ot_proto)p));
        jw_obj_begin(jw);
        jw_ku64(jw, "flows", ps->flows);
        jw_ku64(jw, "pdus", ps->pdus);
        jw_ku64(jw, "records", ps->records);
        put_nonzero(jw, "truncated", ps->truncated);
        put_nonzero(jw, "invalid", ps->invalid);
        put_nonzero(jw, "anomalies", ps->anomalies);
        put_nonzero(jw, "resync_bytes", ps->resync_bytes);
        put_nonzero(jw, "oversized", ps->oversized);
        jw_obj_end(jw);
    }
    jw_obj_end(jw);
    jw_key(jw, "alerts");
    jw_obj_begin(jw);
    jw_ku64(jw, "raised", w->alert_stats.raised);
    jw_ku64(jw, "written", w->alert_stats.written);
    jw_ku64(jw, "aggregated", w->alert_stats.aggregated);
    jw_obj_end(jw);
    rules_write_stats(w);
    jw_key(jw, "events");
    jw_obj_begin(jw);
    for (int t = 1; t < EV_COUNT; t++)
        put_nonzero(jw, ev_type_name(t), s->events[t]);
    put_nonzero(jw, "dropped", s->events_dropped);
    jw_obj_end(jw);
    /* the sinks' side: wall-clock timing, not packet time (jnorm drops it) */
    output_stats_json(w->out, jw);
    inventory_write_stats(w, jw);
    jw_obj_end(jw);
    event_end(w, EV_STATS);
}

void event_publish_metrics(struct worker *w, bool final)
{
    struct output_snapshot snap = {
        .now = w->now,
        .flows_active = flow_active(w->flows),
        .flows_evicted = flow_evicted(w->flows),
        .alerts_raised = w->alert_stats.raised,
        .alerts_written = w->alert_stats.written,
        .alerts_aggregated = w->alert_stats.aggregated,
        .devices = inventory_devices(w),
        .capture_drops = w->stats.kernel_drops + w->stats.interface_drops,
        .final = final,
    };
    output_publish(w->queue, &snap, &w->stats);
}
