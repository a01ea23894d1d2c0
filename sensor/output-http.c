/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the HTTP endpoint on the output thread (libevent evhttp, loopback
 * by default): /health (JSON, 200 or 503), /metrics (Prometheus text format),
 * /api/alerts?since=ID|TIME (a bounded ring of recent alerts), /api/assets
 * (the latest asset event of each device).  It reads only what the output
 * thread owns: the events that pass through it and the counters the workers
 * publish through their queues.
 * specification: Prometheus text exposition format 0.0.4. */
#include "config.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "dlist.h"
#include "log.h"
#include "output-private.h"
#include "stats.h"

struct ring_alert {
    uint64_t id;
    char *json;
    char ts[40]; /* the event's timestamp, for since=TIME */
};

struct asset_ent {
    struct asset_ent *next; /* hash chain */
    struct dlist_node lru; /* in the list by last update */
    char *key;
    char *json;
};

#define ASSET_BUCKETS 65536

struct http_api {
    struct evhttp *http;
    struct evhttp_bound_socket *sock;
    char listen[CONF_STR];
    struct ring_alert *ring;
    size_t ring_cap;
    size_t ring_n;
    uint64_t next_id;
    struct asset_ent **buckets;
    struct dlist assets; /* least recently updated first: evicted first at the cap */
    size_t n_assets;
    size_t max_assets;
    uint64_t assets_evicted;
    uint64_t requests;
};

/* ---------------------------------------------------------------- events */

static void timestamp_of(const uint8_t *data, size_t len, char out[40])
{
    out[0] = '\0';
    static const char k[] = "\"timestamp\":\"";
    const char *p = memmem(data, len, k, sizeof(k) - 1);
    if (!p)
        return;
    p += sizeof(k) - 1;
    size_t i = 0;
    while (i < 39 && p + i < (const char *)data + len && p[i] != '"') {
        out[i] = p[i];
        i++;
    }
    out[i] = '\0';
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

static void unlink_lru(struct http_api *h, struct asset_ent *e)
{
    dlist_unlink(&h->assets, &e->lru);
}

static void push_lru(struct http_api *h, struct asset_ent *e)
{
    dlist_append(&h->assets, &e->lru);
}

/* The device an asset event is about: asset.id if the inventory gives one,
 * else its MAC, IP and VLAN, else the event's source address. */
static char *asset_key(const json_t *ev)
{
    const json_t *a = json_object_get(ev, "asset");
    const json_t *id = json_object_get(a, "id");
    if (json_is_string(id))
        return strdup(json_string_value(id));
    if (json_is_integer(id)) {
        char b[32];
        snprintf(b, sizeof(b), "%lld", (long long)json_integer_value(id));
        return strdup(b);
    }
    const char *mac = json_string_value(json_object_get(a, "mac"));
    const char *ip = json_string_value(json_object_get(a, "ip"));
    if (!mac && !ip) {
        ip = json_string_value(json_object_get(ev, "src_ip"));
        mac = json_string_value(json_object_get(json_object_get(ev, "ether"), "src_mac"));
    }
    char *vlan = json_dumps(json_object_get(a, "vlan"), JSON_ENCODE_ANY | JSON_COMPACT);
    char b[512];
    snprintf(b, sizeof(b), "%s|%s|%s", mac ? mac : "", ip ? ip : "", vlan ? vlan : "");
    free(vlan);
    return strdup(b);
}

static void take_asset(struct http_api *h, const uint8_t *data, size_t len)
{
    json_t *ev = json_loadb((const char *)data, len, JSON_ALLOW_NUL, NULL);
    if (!ev)
        return;
    char *key = asset_key(ev);
    json_decref(ev);
    char *json = malloc(len + 1);
    if (!key || !json) {
        free(key);
        free(json);
        return;
    }
    memcpy(json, data, len);
    json[len] = '\0';
    uint32_t b = hash(key) % ASSET_BUCKETS;
    for (struct asset_ent *e = h->buckets[b]; e; e = e->next) {
        if (strcmp(e->key, key) == 0) {
            free(e->json);
            e->json = json;
            free(key);
            unlink_lru(h, e);
            push_lru(h, e);
            return;
        }
    }
    struct asset_ent *old = dlist_first(&h->assets, struct asset_ent, lru);
    if (h->n_assets >= h->max_assets && old) {
        unlink_lru(h, old);
        struct asset_ent **pp = &h->buckets[hash(old->key) % ASSET_BUCKETS];
        while (*pp != old)
            pp = &(*pp)->next;
        *pp = old->next;
        free(old->key);
        free(old->json);
        free(old);
        h->n_assets--;
        h->assets_evicted++;
    }
    struct asset_ent *e = calloc(1, sizeof(*e));
    if (!e) {
        free(key);
        free(json);
        return;
    }
    e->key = key;
    e->json = json;
    e->next = h->buckets[b];
    h->buckets[b] = e;
    push_lru(h, e);
    h->n_assets++;
}

void http_event(struct output *o, uint32_t type, const uint8_t *data, size_t len)
{
    struct http_api *h = o->http;
    if (type == EV_ASSET) {
        take_asset(h, data, len);
        return;
    }
    char *json = malloc(len + 1);
    if (!json)
        return;
    memcpy(json, data, len);
    json[len] = '\0';
    size_t slot = (size_t)(h->next_id % h->ring_cap);
    struct ring_alert *r = &h->ring[slot];
    free(r->json);
    r->json = json;
    r->id = ++h->next_id;
    timestamp_of(data, len, r->ts);
    if (h->ring_n < h->ring_cap)
        h->ring_n++;
}

/* ---------------------------------------------------------------- replies */

static void reply_json(struct evhttp_request *req, int code, const char *reason, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct evbuffer *b = evbuffer_new();
    if (text) {
        evbuffer_add(b, text, strlen(text));
        evbuffer_add(b, "\n", 1);
    }
    free(text);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evhttp_send_reply(req, code, reason, b);
    evbuffer_free(b);
}

static json_t *sink_json(struct sink *s)
{
    json_t *j = json_object();
    json_object_set_new(j, "up", json_boolean(atomic_load(&s->c.up)));
    json_object_set_new(j, "spool_events",
                        json_integer((json_int_t)atomic_load(&s->c.spool_events)));
    json_object_set_new(j, "spool_bytes", json_integer((json_int_t)atomic_load(&s->c.spool_bytes)));
    json_object_set_new(j, "inflight", json_integer((json_int_t)atomic_load(&s->c.inflight)));
    json_object_set_new(j, "lost", json_integer((json_int_t)atomic_load(&s->c.lost)));
    json_object_set_new(j, "errors", json_integer((json_int_t)atomic_load(&s->c.errors)));
    return j;
}

static void do_health(struct output *o, struct evhttp_request *req)
{
    json_t *sinks = json_object();
    json_t *problems = json_array();
    for (int i = 0; i < o->n_sinks; i++) {
        struct sink *s = o->sinks[i];
        json_object_set_new(sinks, s->name, sink_json(s));
        char msg[200];
        if (!atomic_load(&s->c.up)) {
            snprintf(msg, sizeof(msg), "%s is down", s->name);
            json_array_append_new(problems, json_string(msg));
        }
        if (atomic_load(&s->c.lost)) {
            snprintf(msg, sizeof(msg), "%s lost %llu events", s->name,
                     (unsigned long long)atomic_load(&s->c.lost));
            json_array_append_new(problems, json_string(msg));
        }
    }
    uint64_t lost_alerts = atomic_load(&o->lost_alerts);
    for (int i = 0; i < o->n_queues; i++) {
        uint64_t d = atomic_load(&o->queues[i]->dropped[EV_ALERT]);
        lost_alerts += d;
    }
    if (lost_alerts) {
        char msg[100];
        snprintf(msg, sizeof(msg), "%llu alerts lost", (unsigned long long)lost_alerts);
        json_array_append_new(problems, json_string(msg));
    }
    bool ok = json_array_size(problems) == 0;
    json_t *doc = json_pack("{s:s, s:s, s:s, s:I, s:o, s:o}", "status", ok ? "ok" : "degraded",
                            "sensor", o->sensor_name, "version", PACKAGE_VERSION, "uptime_s",
                            (json_int_t)((output_now_ms() - o->started_ms) / 1000), "sinks", sinks,
                            "problems", problems);
    reply_json(req, ok ? 200 : 503, ok ? "OK" : "Service Unavailable", doc);
}

static uint64_t since_value(struct evhttp_request *req, char *ts, size_t tslen)
{
    ts[0] = '\0';
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
    if (!query)
        return 0;
    struct evkeyvalq q;
    if (evhttp_parse_query_str(query, &q) != 0)
        return 0;
    const char *v = evhttp_find_header(&q, "since");
    uint64_t id = 0;
    if (v) {
        char *end;
        unsigned long long n = strtoull(v, &end, 10);
        if (*end == '\0')
            id = n;
        else
            snprintf(ts, tslen, "%s", v);
    }
    evhttp_clear_headers(&q);
    return id;
}

static void do_alerts(struct output *o, struct evhttp_request *req)
{
    struct http_api *h = o->http;
    char ts[64];
    uint64_t since = since_value(req, ts, sizeof(ts));
    json_t *arr = json_array();
    size_t first = h->next_id - h->ring_n; /* id of the oldest kept, minus one */
    for (uint64_t id = first + 1; id <= h->next_id; id++) {
        struct ring_alert *r = &h->ring[(id - 1) % h->ring_cap];
        if (id <= since)
            continue;
        /* timestamps are ISO 8601 in one format: they compare as strings */
        if (ts[0] && strcmp(r->ts, ts) < 0)
            continue;
        json_t *ev = json_loads(r->json, JSON_ALLOW_NUL, NULL);
        if (ev)
            json_array_append_new(arr, json_pack("{s:I, s:o}", "id", (json_int_t)id, "event", ev));
    }
    json_t *doc = json_pack("{s:I, s:I, s:o}", "next", (json_int_t)h->next_id, "oldest",
                            (json_int_t)(first + 1), "alerts", arr);
    reply_json(req, 200, "OK", doc);
}

static void do_assets(struct output *o, struct evhttp_request *req)
{
    struct http_api *h = o->http;
    json_t *arr = json_array();
    for (struct dlist_node *n = h->assets.head; n; n = n->next) {
        const struct asset_ent *e = dlist_entry(n, struct asset_ent, lru);
        json_t *ev = json_loads(e->json, JSON_ALLOW_NUL, NULL);
        if (!ev)
            continue;
        json_t *a = json_object_get(ev, "asset");
        if (a) {
            json_t *out = json_deep_copy(a);
            /* when and where it was last reported */
            json_object_set(out, "last_event", json_object_get(ev, "timestamp"));
            if (!json_object_get(out, "sensor"))
                json_object_set(out, "sensor", json_object_get(ev, "sensor"));
            json_array_append_new(arr, out);
        } else {
            json_array_append(arr, ev);
        }
        json_decref(ev);
    }
    json_t *doc = json_pack("{s:I, s:I, s:o}", "count", (json_int_t)h->n_assets, "evicted",
                            (json_int_t)h->assets_evicted, "assets", arr);
    reply_json(req, 200, "OK", doc);
}

/* ---------------------------------------------------------------- metrics */

static void metric_head(struct evbuffer *b, const char *name, const char *type, const char *help)
{
    evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void do_metrics(struct output *o, struct evhttp_request *req)
{
    struct evbuffer *b = evbuffer_new();
    struct stats sum;
    struct output_snapshot snap;
    memset(&sum, 0, sizeof(sum));
    memset(&snap, 0, sizeof(snap));
    for (int i = 0; i < o->n_queues; i++) {
        if (!o->snap[i])
            continue;
        const struct stats *s = o->snap_stats[i];
        const struct output_snapshot *n = o->snap[i];
        sum.packets += s->packets;
        sum.bytes += s->bytes;
        sum.flows_created += s->flows_created;
        sum.flows_ended += s->flows_ended;
        sum.tcp_gaps += s->tcp_gaps;
        sum.events_dropped += s->events_dropped;
        for (int d = 0; d < DEC_COUNT; d++)
            sum.decode_errors[d] += s->decode_errors[d];
        for (int p = 0; p < OT_PROTO_COUNT; p++) {
            sum.proto[p].pdus += s->proto[p].pdus;
            sum.proto[p].records += s->proto[p].records;
            sum.proto[p].truncated += s->proto[p].truncated;
            sum.proto[p].invalid += s->proto[p].invalid;
            sum.proto[p].anomalies += s->proto[p].anomalies;
        }
        for (int t = 0; t < EV_COUNT; t++)
            sum.events[t] += s->events[t];
        snap.flows_active += n->flows_active;
        snap.flows_evicted += n->flows_evicted;
        snap.devices += n->devices;
        snap.capture_drops += n->capture_drops;
        snap.alerts_raised += n->alerts_raised;
        snap.alerts_written += n->alerts_written;
        snap.alerts_aggregated += n->alerts_aggregated;
    }
    metric_head(b, "otsensor_info", "gauge", "Version and sensor name.");
    evbuffer_add_printf(b, "otsensor_info{version=\"%s\",sensor=\"", PACKAGE_VERSION);
    for (const char *p = o->sensor_name; *p; p++) {
        if (*p == '"' || *p == '\\')
            evbuffer_add_printf(b, "\\%c", *p);
        else if (*p == '\n')
            evbuffer_add_printf(b, "\\n");
        else
            evbuffer_add(b, p, 1);
    }
    evbuffer_add_printf(b, "\"} 1\n");
    metric_head(b, "otsensor_uptime_seconds", "gauge", "Seconds since the sensor started.");
    evbuffer_add_printf(b, "otsensor_uptime_seconds %llu\n",
                        (unsigned long long)((output_now_ms() - o->started_ms) / 1000));
    metric_head(b, "otsensor_packets_total", "counter", "Packets processed.");
    evbuffer_add_printf(b, "otsensor_packets_total %llu\n", (unsigned long long)sum.packets);
    metric_head(b, "otsensor_bytes_total", "counter", "Bytes processed (wire length).");
    evbuffer_add_printf(b, "otsensor_bytes_total %llu\n", (unsigned long long)sum.bytes);
    metric_head(b, "otsensor_capture_drops_total", "counter",
                "Packets the capture lost before the sensor saw them.");
    evbuffer_add_printf(b, "otsensor_capture_drops_total %llu\n",
                        (unsigned long long)snap.capture_drops);
    metric_head(b, "otsensor_decoder_errors_total", "counter",
                "Packets the decoder refused, by reason.");
    for (int d = 1; d < DEC_COUNT; d++)
        evbuffer_add_printf(b, "otsensor_decoder_errors_total{reason=\"%s\"} %llu\n",
                            decode_err_names[d], (unsigned long long)sum.decode_errors[d]);
    metric_head(b, "otsensor_flows_active", "gauge", "Flows tracked now.");
    evbuffer_add_printf(b, "otsensor_flows_active %llu\n", (unsigned long long)snap.flows_active);
    metric_head(b, "otsensor_flows_total", "counter", "Flows created.");
    evbuffer_add_printf(b, "otsensor_flows_total %llu\n", (unsigned long long)sum.flows_created);
    metric_head(b, "otsensor_flows_evicted_total", "counter", "Flows evicted from a full table.");
    evbuffer_add_printf(b, "otsensor_flows_evicted_total %llu\n",
                        (unsigned long long)snap.flows_evicted);
    /* the workers' inventory count when they publish one, else the devices
     * the asset events named */
    if (snap.devices < o->http->n_assets)
        snap.devices = o->http->n_assets;
    metric_head(b, "otsensor_devices", "gauge", "Devices in the inventory.");
    evbuffer_add_printf(b, "otsensor_devices %llu\n", (unsigned long long)snap.devices);
    metric_head(b, "otsensor_tcp_gaps_total", "counter", "Bytes missing in TCP streams (gaps).");
    evbuffer_add_printf(b, "otsensor_tcp_gaps_total %llu\n", (unsigned long long)sum.tcp_gaps);
    metric_head(b, "otsensor_pdus_total", "counter", "Industrial PDUs parsed, by protocol.");
    for (int p = 1; p < OT_PROTO_COUNT; p++)
        evbuffer_add_printf(b, "otsensor_pdus_total{proto=\"%s\"} %llu\n",
                            ot_proto_name((enum ot_proto)p), (unsigned long long)sum.proto[p].pdus);
    metric_head(b, "otsensor_parse_errors_total", "counter",
                "PDUs that could not be parsed, by protocol and kind.");
    for (int p = 1; p < OT_PROTO_COUNT; p++) {
        const char *n = ot_proto_name((enum ot_proto)p);
        evbuffer_add_printf(b,
                            "otsensor_parse_errors_total{proto=\"%s\",kind=\"truncated\"} %llu\n",
                            n, (unsigned long long)sum.proto[p].truncated);
        evbuffer_add_printf(b, "otsensor_parse_errors_total{proto=\"%s\",kind=\"invalid\"} %llu\n",
                            n, (unsigned long long)sum.proto[p].invalid);
    }
    metric_head(b, "otsensor_events_total", "counter", "Events produced by the workers, by type.");
    for (int t = 1; t < EV_COUNT; t++)
        evbuffer_add_printf(b, "otsensor_events_total{type=\"%s\"} %llu\n", ev_type_name(t),
                            (unsigned long long)sum.events[t]);
    metric_head(b, "otsensor_events_oversized_total", "counter",
                "Events larger than the event writer's buffer, dropped.");
    evbuffer_add_printf(b, "otsensor_events_oversized_total %llu\n",
                        (unsigned long long)sum.events_dropped);
    metric_head(b, "otsensor_alerts_total", "counter",
                "Alerts: detections raised, alert events written, repeats aggregated.");
    evbuffer_add_printf(b, "otsensor_alerts_total{stage=\"raised\"} %llu\n",
                        (unsigned long long)snap.alerts_raised);
    evbuffer_add_printf(b, "otsensor_alerts_total{stage=\"written\"} %llu\n",
                        (unsigned long long)snap.alerts_written);
    evbuffer_add_printf(b, "otsensor_alerts_total{stage=\"aggregated\"} %llu\n",
                        (unsigned long long)snap.alerts_aggregated);
    metric_head(b, "otsensor_output_events_total", "counter",
                "Events taken off the queues by the output thread, by type.");
    for (int t = 1; t < EV_COUNT; t++)
        evbuffer_add_printf(b, "otsensor_output_events_total{type=\"%s\"} %llu\n", ev_type_name(t),
                            (unsigned long long)atomic_load(&o->written[t]));
    metric_head(b, "otsensor_sink_delivered_total", "counter",
                "Events a sink delivered (written or acknowledged), by sink and type.");
    for (int i = 0; i < o->n_sinks; i++)
        for (int t = 1; t < EV_COUNT; t++)
            if (o->sinks[i]->types & EV_MASK(t))
                evbuffer_add_printf(b,
                                    "otsensor_sink_delivered_total{sink=\"%s\",type=\"%s\"} %llu\n",
                                    o->sinks[i]->name, ev_type_name(t),
                                    (unsigned long long)atomic_load(&o->sinks[i]->c.delivered[t]));
    static const struct {
        const char *name, *type, *help;
        size_t off;
    } sm[] = {
        {"otsensor_sink_up", "gauge", "1 when the sink is connected or writable.",
         offsetof(struct sink_counters, up)},
        {"otsensor_sink_spooled_total", "counter", "Events that went through the sink's spool.",
         offsetof(struct sink_counters, spooled)},
        {"otsensor_sink_spool_events", "gauge", "Undelivered events in the sink's spool.",
         offsetof(struct sink_counters, spool_events)},
        {"otsensor_sink_spool_bytes", "gauge", "Undelivered bytes in the sink's spool.",
         offsetof(struct sink_counters, spool_bytes)},
        {"otsensor_sink_inflight", "gauge", "Events sent and not yet acknowledged.",
         offsetof(struct sink_counters, inflight)},
        {"otsensor_sink_lost_total", "counter", "Events the sink could neither deliver nor spool.",
         offsetof(struct sink_counters, lost)},
        {"otsensor_sink_errors_total", "counter", "Write errors, refusals and failed connections.",
         offsetof(struct sink_counters, errors)},
        {"otsensor_sink_reconnects_total", "counter", "Connections made again after a loss.",
         offsetof(struct sink_counters, reconnects)},
    };
    for (size_t m = 0; m < sizeof(sm) / sizeof(sm[0]); m++) {
        metric_head(b, sm[m].name, sm[m].type, sm[m].help);
        for (int i = 0; i < o->n_sinks; i++) {
            const char *c = (const char *)&o->sinks[i]->c + sm[m].off;
            unsigned long long v =
                sm[m].off == offsetof(struct sink_counters, up)
                    ? (unsigned long long)atomic_load((const _Atomic int *)(const void *)c)
                    : (unsigned long long)atomic_load((const _Atomic uint64_t *)(const void *)c);
            evbuffer_add_printf(b, "%s{sink=\"%s\"} %llu\n", sm[m].name, o->sinks[i]->name, v);
        }
    }
    metric_head(b, "otsensor_queue_bytes", "gauge", "Bytes waiting in a worker's queue.");
    for (int i = 0; i < o->n_queues; i++)
        evbuffer_add_printf(b, "otsensor_queue_bytes{worker=\"%d\"} %zu\n", i,
                            spsc_used(&o->queues[i]->ring));
    metric_head(b, "otsensor_queue_capacity_bytes", "gauge", "Size of a worker's queue.");
    for (int i = 0; i < o->n_queues; i++)
        evbuffer_add_printf(b, "otsensor_queue_capacity_bytes{worker=\"%d\"} %zu\n", i,
                            o->queues[i]->ring.cap);
    metric_head(b, "otsensor_queue_dropped_total", "counter",
                "Events dropped because a worker's queue was full, by type.");
    for (int i = 0; i < o->n_queues; i++)
        for (int t = 1; t < EV_COUNT; t++)
            evbuffer_add_printf(b, "otsensor_queue_dropped_total{worker=\"%d\",type=\"%s\"} %llu\n",
                                i, ev_type_name(t),
                                (unsigned long long)atomic_load(&o->queues[i]->dropped[t]));
    metric_head(b, "otsensor_queue_overflow_spooled_total", "counter",
                "Alerts that found a live worker's queue full and went to its overflow spool.");
    for (int i = 0; i < o->n_queues; i++)
        evbuffer_add_printf(b, "otsensor_queue_overflow_spooled_total{worker=\"%d\"} %llu\n", i,
                            (unsigned long long)atomic_load(&o->queues[i]->ovf_events));
    metric_head(b, "otsensor_alerts_lost_total", "counter", "Alerts no sink could keep.");
    evbuffer_add_printf(b, "otsensor_alerts_lost_total %llu\n",
                        (unsigned long long)atomic_load(&o->lost_alerts));
    metric_head(b, "otsensor_http_requests_total", "counter", "Requests to this endpoint.");
    evbuffer_add_printf(b, "otsensor_http_requests_total %llu\n",
                        (unsigned long long)o->http->requests);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "text/plain; version=0.0.4; charset=utf-8");
    evhttp_send_reply(req, 200, "OK", b);
    evbuffer_free(b);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct output *o = arg;
    o->http->requests++;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
        evhttp_send_error(req, 405, "Method Not Allowed");
        return;
    }
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    if (!path)
        path = "/";
    if (strcmp(path, "/health") == 0)
        do_health(o, req);
    else if (strcmp(path, "/metrics") == 0)
        do_metrics(o, req);
    else if (strcmp(path, "/api/alerts") == 0)
        do_alerts(o, req);
    else if (strcmp(path, "/api/assets") == 0)
        do_assets(o, req);
    else
        evhttp_send_error(req, 404, "Not Found (try /health, /metrics, /api/alerts, /api/assets)");
}

int http_open(struct output *o, const char *listen, char *err, size_t errlen)
{
    const struct conf *c = o->conf;
    char host[CONF_STR];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen) {
        snprintf(err, errlen, "outputs.http.listen '%s': expected ADDRESS:PORT", listen);
        return -1;
    }
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (*end || port > 65535) {
        snprintf(err, errlen, "outputs.http.listen '%s': bad port", listen);
        return -1;
    }
    size_t hn = (size_t)(colon - listen);
    if (listen[0] == '[' && hn >= 2 && listen[hn - 1] == ']')
        snprintf(host, sizeof(host), "%.*s", (int)(hn - 2), listen + 1);
    else
        snprintf(host, sizeof(host), "%.*s", (int)hn, listen);
    struct http_api *h = calloc(1, sizeof(*h));
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    h->ring_cap = c->http_alerts;
    h->max_assets = c->http_assets;
    h->ring = calloc(h->ring_cap, sizeof(*h->ring));
    h->buckets = calloc(ASSET_BUCKETS, sizeof(*h->buckets));
    h->http = evhttp_new(output_base(o));
    if (!h->ring || !h->buckets || !h->http) {
        snprintf(err, errlen, "out of memory");
        goto err;
    }
    h->sock = evhttp_bind_socket_with_handle(h->http, host, (uint16_t)port);
    if (!h->sock) {
        snprintf(err, errlen, "outputs.http.listen %s: cannot listen: %s", listen,
                 errno ? strerror(errno) : "bad address");
        goto err;
    }
    evhttp_set_gencb(h->http, on_request, o);
    evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
    evhttp_set_timeout(h->http, 10);
    snprintf(h->listen, sizeof(h->listen), "%s", listen);
    o->http = h;
    return 0;
err:
    if (h->http)
        evhttp_free(h->http);
    free(h->ring);
    free(h->buckets);
    free(h);
    return -1;
}

void http_start(struct output *o)
{
    ot_info("HTTP endpoint on http://%s (/health /metrics /api/alerts /api/assets)",
            o->http->listen);
}

void http_close(struct output *o)
{
    struct http_api *h = o->http;
    if (!h)
        return;
    evhttp_free(h->http);
    for (size_t i = 0; i < h->ring_cap; i++)
        free(h->ring[i].json);
    free(h->ring);
    for (size_t b = 0; b < ASSET_BUCKETS; b++) {
        struct asset_ent *e = h->buckets[b];
        while (e) {
            struct asset_ent *n = e->next;
            free(e->key);
            free(e->json);
            free(e);
            e = n;
        }
    }
    free(h->buckets);
    free(h);
    o->http = NULL;
}
