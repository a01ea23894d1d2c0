/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: YAML configuration over compiled-in defaults.  Every key is
 * declared once in a table with its type, bounds and place in struct conf;
 * every problem is reported with file:line and loading carries on, so -T
 * lists them all. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "conf.h"
#include "evtype.h"

enum conf_type {
    CT_U32,
    CT_BOOL,
    CT_STR,
    CT_TYPES, /* list (or comma string) of event type names */
    CT_LIST,  /* list (or comma string) of names, kept comma-joined in CONF_LIST bytes */
    CT_ENUM,  /* one of the names in `choices`, stored as its index (uint32_t) */
};

struct conf_key {
    const char *path; /* dotted YAML path */
    enum conf_type type;
    size_t off;
    uint32_t min, max;
    const char *const *choices; /* CT_ENUM */
};

#define U32(p, f, lo, hi) {p, CT_U32, offsetof(struct conf, f), lo, hi, NULL}
#define BOOL(p, f) {p, CT_BOOL, offsetof(struct conf, f), 0, 0, NULL}
#define STR(p, f) {p, CT_STR, offsetof(struct conf, f), 0, 0, NULL}
#define TYPES(p, f) {p, CT_TYPES, offsetof(struct conf, f), 0, 0, NULL}
#define ENUM(p, f, names) {p, CT_ENUM, offsetof(struct conf, f), 0, 0, names}

const char *const conf_fsync_names[] = {"none", "second", "always", NULL};
static const char *const auto_names[] = {"auto", "false", "true", NULL};
const char *const conf_redis_mode_names[] = {"list", "channel", "stream", NULL};
const char *const conf_syslog_transport_names[] = {"udp", "tcp", "unix", NULL};
const char *const conf_syslog_format_names[] = {"json", "cef", "leef", NULL};
const char *const conf_syslog_header_names[] = {"rfc5424", "rfc3164", NULL};
/* RFC 5424 section 6.2.1, in code order */
const char *const conf_syslog_facility_names[] = {
    "kern",   "user",   "mail",   "daemon", "auth",   "syslog", "lpr",    "news",
    "uucp",   "cron",   "authpriv", "ftp",  "ntp",    "audit",  "alert",  "clock",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7", NULL};

int conf_enum_find(const char *const *names, const char *name)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

#define LIST(p, f) {.path = p, .type = CT_LIST, .off = offsetof(struct conf, f)}

static const struct conf_key conf_keys[] = {
    STR("sensor.name", sensor_name),
    U32("flow.max_flows", max_flows, 16, 16000000),
    U32("flow.timeout.tcp", timeout_tcp, 1, 86400 * 7),
    U32("flow.timeout.tcp_new", timeout_tcp_new, 1, 86400),
    U32("flow.timeout.tcp_closed", timeout_tcp_closed, 0, 3600),
    U32("flow.timeout.udp", timeout_udp, 1, 86400),
    U32("flow.timeout.other", timeout_other, 1, 86400),
    U32("reassembly.buffers", reasm_buffers, 1, 1000000),
    U32("reassembly.max_pdu", reasm_max_pdu, 512, 16 << 20),
    U32("dissect.flows", dissect_flows, 1, 16000000),
    U32("dissect.reclaim_idle", dissect_reclaim_idle, 0, 86400 * 7),
    U32("dissect.pending.max", pending_max, 16, 16000000),
    U32("dissect.pending.per_flow", pending_per_flow, 1, 65536),
    U32("dissect.pending.timeout", pending_timeout, 1, 86400),
    BOOL("ndpi.enabled", ndpi_enabled),
    U32("ndpi.max_packets", ndpi_max_packets, 1, 1000),
    U32("ndpi.max_memory_mb", ndpi_max_memory_mb, 1, 65536),
    U32("stats.interval", stats_interval, 0, 86400),
    U32("alerts.aggregate_window", alert_window, 0, 86400),
    BOOL("rules.builtin", rules_builtin),
    LIST("rules.paths", rules_paths),
    STR("rules.tuning", rules_tuning),
    U32("rules.state.thresholds", rules_thresholds, 16, 16000000),
    U32("rules.state.goose", rules_goose, 16, 1000000),
    U32("rules.state.arp", rules_arp, 16, 16000000),
    U32("rules.state.certificates", rules_certificates, 16, 1000000),
    U32("rules.state.conversations", rules_conversations, 16, 16000000),
    LIST("ioc.files", ioc_files),
    LIST("geoip.files", geoip_files),
    BOOL("geoip.optional", geoip_optional),
    STR("geoip.ot_policy", geo_ot_policy),
    LIST("geoip.allowed_countries", geo_allowed_countries),
    LIST("geoip.forbidden_countries", geo_forbidden_countries),
    LIST("geoip.allowed_asns", geo_allowed_asns),
    LIST("geoip.forbidden_asns", geo_forbidden_asns),
    LIST("networks.internal", internal_networks),
    U32("networks.unzoned_level", unzoned_level, 0, 5),
    BOOL("inventory.enabled", inventory_enabled),
    STR("inventory.oui_file", oui_file),
    U32("inventory.max_devices", baseline.max_devices, 16, 4000000),
    U32("baseline.max_conversations", baseline.max_conversations, 16, 64000000),
    U32("baseline.max_points", baseline.max_points, 16, 64000000),
    U32("baseline.max_functions", baseline.max_functions, 1, 256),
    U32("baseline.max_units", baseline.max_units, 1, 256),
    U32("baseline.max_intervals", baseline.max_intervals, 1, 1024),
    U32("baseline.value_set", baseline.value_set, 1, BL_MAX_SET),
    U32("baseline.rate_bucket", baseline.rate_bucket, 1, 86400),
    U32("baseline.rate_threshold", baseline.rate_threshold, 1, 1000),
    U32("baseline.rate_factor", baseline.rate_factor, 1, 1000),
    U32("baseline.rate_min", baseline.rate_min, 1, 1000000000),
    U32("baseline.value_tolerance", baseline.value_tolerance, 0, 100000),
    U32("baseline.value_min_writes", baseline.value_min_writes, 1, 1000000),
    U32("baseline.period_tolerance", baseline.period_tolerance, 1, 1000),
    U32("baseline.silent_factor", baseline.silent_factor, 1, 1000),
    U32("baseline.silent_min", baseline.silent_min, 1, 86400 * 30),
    U32("baseline.snapshot_interval", baseline_snapshot, 0, 86400 * 30),
    U32("learning.stable_cycles", baseline.stable_cycles, 1, 1000000),
    U32("learning.min_period", baseline.min_period, 0, 86400 * 365),
    U32("learning.max_period", baseline.max_period, 1, 86400 * 365),
    U32("learning.new_device_period", baseline.new_device_period, 0, 86400 * 365),
    U32("learning.new_device_budget", baseline.new_device_budget, 1, 1000000),
    U32("learning.scan_peers", baseline.scan_peers, 2, 1000000),
    U32("outputs.queue_kb", output_queue_kb, 64, 1 << 20),
    BOOL("outputs.eve.enabled", eve_enabled),
    STR("outputs.eve.filename", eve_filename),
    TYPES("outputs.eve.types", eve_types),
    ENUM("outputs.eve.fsync", eve_fsync, conf_fsync_names),
    TYPES("outputs.eve.split_types", eve_split_types),
    U32("outputs.shutdown_timeout", shutdown_timeout, 0, 3600),
    STR("outputs.spool.dir", spool_dir),
    U32("outputs.spool.max_mb", spool_max_mb, 0, 1 << 20),
    ENUM("outputs.spool.fsync", spool_fsync, conf_fsync_names),
    BOOL("outputs.redis.enabled", redis_enabled),
    STR("outputs.redis.url", redis_url),
    STR("outputs.redis.host", redis_host),
    U32("outputs.redis.port", redis_port, 1, 65535),
    STR("outputs.redis.socket", redis_socket),
    STR("outputs.redis.user", redis_user),
    STR("outputs.redis.password", redis_password),
    U32("outputs.redis.db", redis_db, 0, 65535),
    STR("outputs.redis.key", redis_key),
    ENUM("outputs.redis.mode", redis_mode, conf_redis_mode_names),
    TYPES("outputs.redis.types", redis_types),
    U32("outputs.redis.maxlen", redis_maxlen, 0, 1u << 31),
    U32("outputs.redis.pipeline", redis_pipeline, 1, 100000),
    U32("outputs.redis.retry_max", redis_retry_max, 1, 3600),
    BOOL("outputs.syslog.enabled", syslog_enabled),
    STR("outputs.syslog.url", syslog_url),
    ENUM("outputs.syslog.transport", syslog_transport, conf_syslog_transport_names),
    STR("outputs.syslog.host", syslog_host),
    U32("outputs.syslog.port", syslog_port, 1, 65535),
    STR("outputs.syslog.socket", syslog_socket),
    ENUM("outputs.syslog.format", syslog_format, conf_syslog_format_names),
    ENUM("outputs.syslog.header", syslog_header, conf_syslog_header_names),
    ENUM("outputs.syslog.facility", syslog_facility, conf_syslog_facility_names),
    TYPES("outputs.syslog.types", syslog_types),
    STR("outputs.syslog.hostname", syslog_hostname),
    U32("outputs.syslog.max_message", syslog_max_message, 480, 1 << 20),
    U32("outputs.syslog.tcp_hold_ms", syslog_tcp_hold_ms, 0, 60000),
    U32("outputs.syslog.retry_max", syslog_retry_max, 1, 3600),
    ENUM("outputs.http.enabled", http_enabled, auto_names),
    STR("outputs.http.listen", http_listen),
    U32("outputs.http.alerts", http_alerts, 1, 1000000),
    U32("outputs.http.assets", http_assets, 1, 10000000),
    STR("capture.interface", capture_iface),
    ENUM("capture.engine", capture_engine, conf_capture_engine_names),
    U32("capture.workers", capture_workers, 1, 64),
    U32("capture.snaplen", capture_snaplen, 64, 262144),
    BOOL("capture.promiscuous", capture_promisc),
    STR("capture.bpf_filter", capture_bpf),
    STR("capture.user", capture_user),
    STR("capture.group", capture_group),
    U32("capture.buffer_mb", capture_buffer_mb, 0, 65536),
    BOOL("capture.pcap.immediate", pcap_immediate),
    U32("capture.pcap.timeout_ms", pcap_timeout_ms, 1, 1000),
    U32("capture.afpacket.block_size_kb", afp_block_kb, 4, 131072),
    U32("capture.afpacket.blocks", afp_blocks, 0, 1 << 20),
    U32("capture.afpacket.frame_size", afp_frame_size, 0, 1 << 20),
    U32("capture.afpacket.block_timeout_ms", afp_block_tov_ms, 1, 1000),
    ENUM("capture.afpacket.fanout", afp_fanout, conf_fanout_names),
    U32("capture.afpacket.fanout_id", afp_fanout_id, 0, 65535),
    STR("capture.afpacket.cpus", afp_cpus),
    BOOL("decode.tunnels", decode_tunnels),
    U32("decode.vxlan_port", vxlan_port, 1, 65535),
    U32("decode.dedup.window_us", dedup_window_us, 0, 10000000),
    U32("decode.dedup.slots", dedup_slots, 16, 1 << 24),
    BOOL("decode.redundancy.enabled", redundancy_enabled),
    U32("decode.redundancy.window_ms", redundancy_window_ms, 1, 60000),
    U32("health.interval", health_interval, 1, 3600),
    U32("health.drops_percent", health_drops_percent, 0, 100),
    U32("health.stall_timeout", health_stall, 0, 86400),
    U32("health.clock_jump", health_clock_jump, 0, 86400),
    U32("health.queue_percent", health_queue_percent, 1, 100),
};

const char *const conf_capture_engine_names[] = {"pcap", "afpacket", NULL};
const char *const conf_fanout_names[] = {"hash", "cpu", "lb", NULL};

void conf_defaults(struct conf *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->sensor_name, sizeof(c->sensor_name), "otsensor");
    c->max_flows = 65536;
    c->timeout_tcp = 3600;
    c->timeout_tcp_new = 60;
    c->timeout_tcp_closed = 10;
    c->timeout_udp = 120;
    c->timeout_other = 60;
    c->reasm_buffers = 1024;
    c->reasm_max_pdu = 65536;
    c->dissect_flows = 8192;
    c->dissect_reclaim_idle = 60;
    c->pending_max = 4096;
    c->pending_per_flow = 64;
    c->pending_timeout = 30;
    c->ndpi_enabled = true;
    c->ndpi_max_packets = 32;
    c->ndpi_max_memory_mb = 64;
    c->stats_interval = 60;
    c->alert_window = 60;
    c->rules_builtin = true;
    c->rules_thresholds = 8192;
    c->rules_goose = 1024;
    c->rules_arp = 4096;
    c->rules_certificates = 1024;
    c->rules_conversations = 65536;
    snprintf(c->geo_ot_policy, sizeof(c->geo_ot_policy), "deny");
    c->unzoned_level = 3;
    c->inventory_enabled = true;
    snprintf(c->oui_file, sizeof(c->oui_file), "/usr/share/ieee-data/oui.csv");
    c->baseline_snapshot = 3600;
    bl_config_defaults(&c->baseline);
    c->output_queue_kb = 4096;
    c->eve_enabled = true;
    snprintf(c->eve_filename, sizeof(c->eve_filename), "eve.json");
    c->eve_types = EV_ALL;
    c->eve_fsync = CONF_FSYNC_NONE;
    c->shutdown_timeout = 5;
    c->spool_max_mb = 256;
    c->spool_fsync = CONF_FSYNC_SECOND;
    snprintf(c->redis_host, sizeof(c->redis_host), "127.0.0.1");
    c->redis_port = 6379;
    snprintf(c->redis_key, sizeof(c->redis_key), "otsensor");
    c->redis_mode = CONF_REDIS_LIST;
    c->redis_types = EV_MASK(EV_ALERT);
    c->redis_maxlen = 1000000;
    c->redis_pipeline = 1000;
    c->redis_retry_max = 5;
    c->syslog_transport = CONF_SYSLOG_UDP;
    snprintf(c->syslog_host, sizeof(c->syslog_host), "127.0.0.1");
    c->syslog_port = 514;
    snprintf(c->syslog_socket, sizeof(c->syslog_socket), "/dev/log");
    c->syslog_facility = 16; /* local0 */
    c->syslog_types = EV_MASK(EV_ALERT);
    c->syslog_max_message = 65536;
    c->syslog_tcp_hold_ms = 200;
    c->syslog_retry_max = 5;
    c->http_enabled = CONF_AUTO;
    snprintf(c->http_listen, sizeof(c->http_listen), "127.0.0.1:8089");
    c->http_alerts = 1000;
    c->http_assets = 100000;
    c->capture_engine = CONF_CAPTURE_PCAP;
    c->capture_workers = 1;
    c->capture_snaplen = 65535;
    c->capture_promisc = true;
    c->pcap_timeout_ms = 10;
    c->afp_block_kb = 1024;
    c->afp_block_tov_ms = 10;
    c->afp_fanout = CONF_FANOUT_HASH;
    c->decode_tunnels = true;
    c->vxlan_port = 4789;
    c->dedup_window_us = 1000;
    c->dedup_slots = 16384;
    c->redundancy_enabled = true;
    c->redundancy_window_ms = 400; /* IEC 62439-3 EntryForgetTime */
    c->health_interval = 10;
    c->health_drops_percent = 0;
    c->health_stall = 60;
    c->health_clock_jump = 10;
    c->health_queue_percent = 90;
    for (size_t i = 0; ot_dissectors[i]; i++) {
        const struct ot_dissector *d = ot_dissectors[i];
        struct conf_dissector *cd = &c->dissector[d->proto];
        cd->enabled = true;
        cd->heuristic = d->heuristic;
        for (size_t k = 0; k < 4 && k < CONF_MAX_PORTS - 1 && d->ports[k]; k++)
            cd->ports[k] = d->ports[k];
    }
}

int conf_parse_types(const char *list, uint32_t *mask, char *bad, size_t badlen)
{
    uint32_t m = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ", ");
        if (n > 0) {
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)(n < 63 ? n : 63), p);
            int t = strcmp(name, "all") == 0 ? -2 : ev_type_from_name(name);
            if (t == -1) {
                snprintf(bad, badlen, "%s", name);
                return -1;
            }
            m |= t == -2 ? EV_ALL : EV_MASK(t);
        }
        p += n;
        p += strspn(p, ", ");
    }
    *mask = m;
    return 0;
}

struct loader {
    struct conf *c;
    const char *file;
    yaml_document_t *doc;
    struct conf_problems *out;
    unsigned problems;
};

__attribute__((format(printf, 3, 4))) static void problem(struct loader *l, const yaml_node_t *n,
                                                          const char *fmt, ...)
{
    l->problems++;
    if (!l->out || l->out->n >= CONF_MAX_PROBLEMS)
        return;
    struct conf_problem *p = &l->out->p[l->out->n++];
    snprintf(p->file, sizeof(p->file), "%s", l->file);
    p->line = n ? (unsigned)n->start_mark.line + 1 : 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
    va_end(ap);
}

static const char *scalar(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(s, yes[i]) == 0)
            return *out = true, true;
        if (strcmp(s, no[i]) == 0)
            return *out = false, true;
    }
    return false;
}

static bool parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* A list setting: a YAML sequence of scalars, or one comma-separated scalar. */
static void set_list(struct loader *l, const char *path, char *field, size_t cap, yaml_node_t *v)
{
    char joined[CONF_LIST] = "";
    size_t n = 0;
    if (v->type == YAML_SCALAR_NODE) {
        n = (size_t)snprintf(joined, sizeof(joined), "%s", scalar(v));
    } else if (v->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
             it++) {
            yaml_node_t *e = yaml_document_get_node(l->doc, *it);
            if (!scalar(e)) {
                problem(l, e, "'%s': the items of the list must be single values", path);
                return;
            }
            n += (size_t)snprintf(joined + (n < sizeof(joined) ? n : sizeof(joined) - 1),
                                  n < sizeof(joined) ? sizeof(joined) - n : 1, "%s%s",
                                  n ? "," : "", scalar(e));
        }
    } else {
        problem(l, v, "'%s' must be a list", path);
        return;
    }
    if (n >= cap) {
        problem(l, v, "'%s' is longer than %zu bytes", path, cap - 1);
        return;
    }
    memcpy(field, joined, n + 1);
}

/* zones: a sequence of {name, networks, level}; conduits: a sequence of
 * {from, to, protocols, bidirectional}. */
static void set_zones(struct loader *l, const char *path, yaml_node_t *v)
{
    bool zones = path[0] == 'z';
    if (v->type != YAML_SEQUENCE_NODE) {
        problem(l, v, "'%s' must be a list of %s", path,
                zones ? "{name, networks, level}" : "{from, to, protocols, bidirectional}");
        return;
    }
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        yaml_node_t *e = yaml_document_get_node(l->doc, *it);
        if (e->type != YAML_MAPPING_NODE) {
            problem(l, e, "'%s': each entry is a mapping", path);
            continue;
        }
        struct conf_zone *z = NULL;
        struct conf_conduit *k = NULL;
        if (zones && l->c->n_zones < CONF_MAX_ZONES) {
            z = &l->c->zones[l->c->n_zones++];
            memset(z, 0, sizeof(*z));
            z->level = -1;
            z->line = (unsigned)e->start_mark.line + 1;
        } else if (!zones && l->c->n_conduits < CONF_MAX_CONDUITS) {
            k = &l->c->conduits[l->c->n_conduits++];
            memset(k, 0, sizeof(*k));
            snprintf(k->protocols, sizeof(k->protocols), "any");
            k->line = (unsigned)e->start_mark.line + 1;
        } else {
            problem(l, e, "at most %d %s", zones ? CONF_MAX_ZONES : CONF_MAX_CONDUITS, path);
            return;
        }
        for (yaml_node_pair_t *pr = e->data.mapping.pairs.start; pr < e->data.mapping.pairs.top;
             pr++) {
            yaml_node_t *kn = yaml_document_get_node(l->doc, pr->key);
            yaml_node_t *vn = yaml_document_get_node(l->doc, pr->value);
            const char *key = scalar(kn) ? scalar(kn) : "?";
            const char *s = scalar(vn);
            uint32_t level;
            if (z && strcmp(key, "name") == 0 && s && strlen(s) < CONF_NAME)
                snprintf(z->name, sizeof(z->name), "%s", s);
            else if (z && strcmp(key, "networks") == 0)
                set_list(l, "zones.networks", z->networks, sizeof(z->networks), vn);
            else if (z && strcmp(key, "level") == 0 && s && parse_u32(s, 0, 5, &level))
                z->level = (int32_t)level;
            else if (k && (strcmp(key, "from") == 0 || strcmp(key, "to") == 0) && s &&
                     strlen(s) < CONF_NAME)
                snprintf(key[0] == 'f' ? k->from : k->to, CONF_NAME, "%s", s);
            else if (k && strcmp(key, "protocols") == 0)
                set_list(l, "conduits.protocols", k->protocols, sizeof(k->protocols), vn);
            else if (k && strcmp(key, "bidirectional") == 0 && s && parse_bool(s, &k->bidirectional))
                continue;
            else if ((z && (strcmp(key, "name") == 0 || strcmp(key, "level") == 0)) ||
                     (k && (strcmp(key, "from") == 0 || strcmp(key, "to") == 0 ||
                            strcmp(key, "bidirectional") == 0)))
                problem(l, vn, "'%s.%s': %s", path, key,
                        strcmp(key, "level") == 0 ? "a Purdue level from 0 to 5"
                        : strcmp(key, "bidirectional") == 0 ? "true or false"
                                                            : "a name of up to 63 characters");
            else
                problem(l, kn, "unknown key '%s.%s' (%s)", path, key,
                        z ? "name, networks, level" : "from, to, protocols, bidirectional");
        }
        if (z && !z->name[0])
            problem(l, e, "a zone needs a name");
        if (k && (!k->from[0] || !k->to[0]))
            problem(l, e, "a conduit needs from and to (zone names, or any)");
    }
}

static void set_key(struct loader *l, const struct conf_key *k, yaml_node_t *v)
{
    char *field = (char *)l->c + k->off;
    const char *s = scalar(v);
    if (k->type == CT_LIST) {
        set_list(l, k->path, field, CONF_LIST, v);
        return;
    }
    if (k->type == CT_TYPES) {
        char joined[1024] = "";
        if (v->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *it = v->data.sequence.items.start;
                 it < v->data.sequence.items.top; it++) {
                const char *e = scalar(yaml_document_get_node(l->doc, *it));
                if (e)
                    snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s,", e);
            }
            s = joined;
        }
        char bad[64];
        if (!s || conf_parse_types(s, (uint32_t *)(void *)field, bad, sizeof(bad)) < 0)
            problem(l, v, "'%s': unknown event type '%s'", k->path, s ? bad : "?");
        return;
    }
    if (!s) {
        problem(l, v, "'%s' must be a single value", k->path);
        return;
    }
    switch (k->type) {
        case CT_U32:
            if (!parse_u32(s, k->min, k->max, (uint32_t *)(void *)field))
                problem(l, v, "'%s' must be a whole number from %u to %u, not '%s'", k->path,
                        k->min, k->max, s);
            break;
        case CT_BOOL:
            if (!parse_bool(s, (bool *)field))
                problem(l, v, "'%s' must be true or false, not '%s'", k->path, s);
            break;
        case CT_STR:
            if (strlen(s) >= CONF_STR)
                problem(l, v, "'%s' is longer than %d bytes", k->path, CONF_STR - 1);
            else
                snprintf(field, CONF_STR, "%s", s);
            break;
        case CT_ENUM: {
            int i = conf_enum_find(k->choices, s);
            if (i < 0) {
                char list[256] = "";
                for (int j = 0; k->choices[j]; j++)
                    snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
                             j ? ", " : "", k->choices[j]);
                problem(l, v, "'%s' must be one of %s, not '%s'", k->path, list, s);
            } else {
                *(uint32_t *)(void *)field = (uint32_t)i;
            }
            break;
        }
        case CT_LIST:
        case CT_TYPES:
            break;
    }
}

/* dissectors.<name>.{enabled,heuristic,ports} */
static bool set_dissector_key(struct loader *l, const char *path, yaml_node_t *v)
{
    char name[64], key[64];
    if (sscanf(path, "dissectors.%63[^.].%63s", name, key) != 2)
        return false;
    const struct ot_dissector *d = ot_dissector_by_name(name);
    if (!d) {
        problem(l, v, "unknown dissector '%s'", name);
        return true;
    }
    struct conf_dissector *cd = &l->c->dissector[d->proto];
    const char *s = scalar(v);
    if (strcmp(key, "enabled") == 0 || strcmp(key, "heuristic") == 0) {
        bool *b = key[0] == 'e' ? &cd->enabled : &cd->heuristic;
        if (!s || !parse_bool(s, b))
            problem(l, v, "'%s' must be true or false", path);
        return true;
    }
    if (strcmp(key, "ports") != 0)
        return false;
    if (v->type != YAML_SEQUENCE_NODE) {
        problem(l, v, "'%s' must be a list of ports", path);
        return true;
    }
    size_t n = 0;
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        yaml_node_t *e = yaml_document_get_node(l->doc, *it);
        uint32_t port;
        if (!scalar(e) || !parse_u32(scalar(e), 1, 65535, &port))
            problem(l, e, "'%s': a port is a number from 1 to 65535", path);
        else if (n >= CONF_MAX_PORTS - 1)
            problem(l, e, "'%s': at most %d ports", path, CONF_MAX_PORTS - 1);
        else
            cd->ports[n++] = (uint16_t)port;
    }
    cd->ports[n] = 0;
    return true;
}

static void walk(struct loader *l, yaml_node_t *node, const char *prefix)
{
    if (node->type != YAML_MAPPING_NODE) {
        problem(l, node, "'%s' must be a mapping of keys", *prefix ? prefix : "the document");
        return;
    }
    for (yaml_node_pair_t *pr = node->data.mapping.pairs.start; pr < node->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *kn = yaml_document_get_node(l->doc, pr->key);
        yaml_node_t *vn = yaml_document_get_node(l->doc, pr->value);
        const char *k = scalar(kn);
        if (!k) {
            problem(l, kn, "keys must be plain names");
            continue;
        }
        char path[512];
        snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", k);
        if (strcmp(path, "zones") == 0 || strcmp(path, "conduits") == 0) {
            set_zones(l, path, vn);
            continue;
        }
        const struct conf_key *hit = NULL;
        for (size_t i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++)
            if (strcmp(conf_keys[i].path, path) == 0)
                hit = &conf_keys[i];
        if (hit) {
            set_key(l, hit, vn);
            continue;
        }
        if (strncmp(path, "dissectors.", 11) == 0 && set_dissector_key(l, path, vn))
            continue;
        /* a prefix of some key: descend */
        size_t plen = strlen(path);
        bool is_prefix = strcmp(path, "dissectors") == 0 ||
                         (strncmp(path, "dissectors.", 11) == 0 && !strchr(path + 11, '.'));
        for (size_t i = 0; !is_prefix && i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++)
            is_prefix = strncmp(conf_keys[i].path, path, plen) == 0 && conf_keys[i].path[plen] == '.';
        if (is_prefix && vn->type == YAML_MAPPING_NODE)
            walk(l, vn, path);
        else if (is_prefix)
            problem(l, vn, "'%s' must be a mapping of keys", path);
        else
            problem(l, kn, "unknown key '%s'", path);
    }
}

unsigned conf_load_file(struct conf *c, const char *path, struct conf_problems *out)
{
    struct loader l = {c, path, NULL, out, 0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        problem(&l, NULL, "cannot open: %s", strerror(errno));
        return l.problems;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        l.problems++;
        if (out && out->n < CONF_MAX_PROBLEMS) {
            struct conf_problem *p = &out->p[out->n++];
            snprintf(p->file, sizeof(p->file), "%s", path);
            p->line = (unsigned)parser.problem_mark.line + 1;
            snprintf(p->msg, sizeof(p->msg), "YAML: %s", parser.problem ? parser.problem : "error");
        }
        yaml_parser_delete(&parser);
        fclose(f);
        return l.problems;
    }
    l.doc = &doc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && !(root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
        walk(&l, root, "");
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(f);
    return l.problems;
}
