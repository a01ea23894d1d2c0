/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests of libotrules: the rule language (parsing, every error
 * message with its line:column, duplicate sids, overrides), matching over
 * normalized messages and flow events, the index, address lists, domain
 * sets, IOC files, tuning, trackers, the built-in condition state, zones and
 * conduits. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules.h"
#include "unit.h"

/* ------------------------------------------------------------------ helpers */

static struct rules_problems pr;

/* as the engine names nDPI 4.2's risk bits (sensor/detect-ndpi.c) */
static const char *const risk_names[64] = {[6] = "tls_selfsigned_certificate",
                                           [7] = "tls_obsolete_version",
                                           [8] = "tls_weak_cipher",
                                           [9] = "tls_certificate_expired",
                                           [36] = "clear_text_credentials"};
static const struct rules_names names = {risk_names, 64};

static struct zone_table *zones_new(void)
{
    char e[256];
    struct zone_table *z = zone_table_new();
    int cell = zone_add(z, "cell_a", 1, e, sizeof(e));
    int scada = zone_add(z, "scada", 2, e, sizeof(e));
    int it = zone_add(z, "office", 4, e, sizeof(e));
    zone_add_network(z, cell, "10.1.1.0/24", e, sizeof(e));
    zone_add_network(z, scada, "10.2.0.0/16", e, sizeof(e));
    zone_add_network(z, it, "10.9.0.0/16", e, sizeof(e));
    zone_add_conduit(z, "scada", "cell_a", "modbus, tcp/502", false, e, sizeof(e));
    zone_build(z, e, sizeof(e));
    return z;
}

/* A set from one text; NULL when it had problems (kept in pr). */
static struct rule_set *set_of(const struct zone_table *z, const char *text)
{
    memset(&pr, 0, sizeof(pr));
    struct rule_set *rs = rules_new(z, &names);
    rules_load_text(rs, "t.rules", text, false, &pr);
    rules_finish(rs, &pr);
    if (pr.total) {
        rules_free(rs);
        return NULL;
    }
    return rs;
}

/* The first problem of loading text, formatted. */
static const char *first_problem(const char *text)
{
    static char out[1024];
    struct zone_table *z = zones_new();
    struct rule_set *rs = set_of(z, text);
    rules_free(rs);
    zone_table_free(z);
    if (pr.n == 0)
        return "";
    rules_problem_format(&pr.p[0], out, sizeof(out));
    return out;
}

struct hits {
    uint32_t sid[16];
    int n;
};

static void on_hit(void *arg, const struct rule_info *r)
{
    struct hits *h = arg;
    if (h->n < 16)
        h->sid[h->n++] = r->sid;
}

static uint8_t ip4[4][16];

static void ep4(struct rules_ep *e, int slot, const char *ip, const struct zone_table *z)
{
    memset(e, 0, sizeof(*e));
    memset(ip4[slot], 0, 16);
    inet_pton(AF_INET, ip, ip4[slot]);
    e->ip = ip4[slot];
    e->ip_version = 4;
    e->zone = z ? zone_of(z, ip4[slot], 4) : ZONE_UNZONED;
    e->internal = e->zone != ZONE_EXTERNAL;
}

static void msg_init(struct ot_msg *m, enum ot_proto p, uint32_t fc, const char *name,
                     enum ot_op op)
{
    memset(m, 0, sizeof(*m));
    ot_msg_reset(m, p);
    ot_msg_set_function(m, fc, name, op);
    m->dir = OT_DIR_REQUEST;
}

/* One message-class cache for every test: its classes outlive the messages
 * and the sets they were listed from. */
static struct rules_msg_cache *classes;

static void classes_free(void)
{
    rules_msg_cache_free(classes);
}

/* The hits of m, the same from the index and from its class's candidates
 * (listed, then remembered); -1 when they differ. */
static int match_msg(struct rule_set *rs, const struct ot_msg *m, const struct rules_event *ev,
                     struct hits *h)
{
    memset(h, 0, sizeof(*h));
    rules_match(rs, RT_MSG, m, ev, on_hit, h);
    if (!classes) {
        classes = rules_msg_cache_new();
        atexit(classes_free);
    }
    for (int pass = 0; pass < 2; pass++) {
        struct hits k;
        const uint32_t *idx;
        memset(&k, 0, sizeof(k));
        int n = rules_msg_candidates(rs, classes, m, &idx);
        if (n < 0)
            return -1;
        rules_match_candidates(rs, idx, n, m, ev, on_hit, &k);
        if (k.n != h->n || memcmp(k.sid, h->sid, sizeof(k.sid)) != 0)
            return -1;
    }
    return h->n;
}

/* ------------------------------------------------------------------ parsing */

static int test_builtin_files_parse(void)
{
    struct zone_table *z = zones_new();
    memset(&pr, 0, sizeof(pr));
    struct rule_set *rs = rules_new(z, &names);
    int files = 0;
    for (const struct rules_builtin *f = rules_builtin_files; f->name; f++, files++)
        rules_load_text(rs, f->name, f->text, true, &pr);
    rules_finish(rs, &pr);
    for (unsigned i = 0; i < pr.n; i++) {
        char line[1024];
        rules_problem_format(&pr.p[i], line, sizeof(line));
        printf("# %s\n", line);
    }
    FAIL_IF(pr.total != 0);
    FAIL_IF(files < 15);
    FAIL_IF(rules_count(rs) < 80);
    /* every built-in rule: a kind, a technique with its tactic, a sid in 31..38 */
    for (size_t i = 0; i < rules_count(rs); i++) {
        const struct rule_info *r = rules_info(rs, i);
        FAIL_IF_NOT(r->builtin);
        FAIL_IF_NOT(r->kind && r->mitre[0] && r->tactic[0]);
        FAIL_IF(r->sid < 3100000 || r->sid > 3899999);
        FAIL_IF(strlen(r->msg) < 40);
    }
    rules_free(rs);
    zone_table_free(z);
    PASS;
}

static int test_parse_full_rule(void)
{
    struct zone_table *z = zones_new();
    struct rule_set *rs =
        set_of(z, "# a comment\n"
                  "set ews 10.2.0.5, 10.2.0.6, 00:1b:21:3a:10:10\n"
                  "alert modbus request function write_single_register, 16 unit 1-3\n"
                  "    address holding_register:100-199 value at 100-110 > 1500\n"
                  "    from !set:ews to zone:cell_a, port:502\n"
                  "    msg \"Set-point \\\"high\\\" written\"   # trailing comment\n"
                  "    sid 1000001 rev 3 severity high mitre T0836, t0831 kind setpoint_write \\\n"
                  "    category \"Process\" threshold 3 in 1m by pair\n");
    FAIL_IF_NOT(rs);
    FAIL_IF(rules_count(rs) != 1);
    const struct rule_info *r = rules_info(rs, 0);
    FAIL_IF(r->sid != 1000001 || r->rev != 3 || r->severity != 1);
    FAIL_IF(strcmp(r->msg, "Set-point \"high\" written") != 0);
    FAIL_IF(strcmp(r->kind, "setpoint_write") != 0 || strcmp(r->category, "Process") != 0);
    FAIL_IF(strcmp(r->mitre[0], "T0836") != 0 || strcmp(r->mitre[1], "T0831") != 0);
    /* T0836 Impair Process Control, T0831 Impact */
    FAIL_IF(strcmp(r->tactic[0], "Impair Process Control") != 0);
    FAIL_IF(strcmp(r->tactic[1], "Impact") != 0);
    FAIL_IF(r->thr_count != 3 || r->thr_seconds != 60 || r->thr_by != TRACK_BY_PAIR);
    FAIL_IF(strcmp(r->source, "rule") != 0 || r->builtin);
    FAIL_IF(r->line != 3);
    rules_free(rs);
    zone_table_free(z);
    PASS;
}

static const struct {
    const char *text;
    const char *want;
} errors[] = {
    {"alert modbsu msg \"x\" sid 1\n",
     "t.rules:1:7: unknown protocol 'modbsu' (known: modbus, dnp3"},
    {"alert modbus fucntion 3 msg \"x\" sid 1\n",
     "t.rules:1:14: unknown keyword 'fucntion' (did you mean 'function'?)"},
    {"alert modbus unit abc msg \"x\" sid 1\n",
     "t.rules:1:19: 'abc' is not a number or range (e.g. 7, 0x41, 100-199)"},
    {"alert modbus function 3\n    sid 5\n", "t.rules:1:1: this rule has no msg"},
    {"alert modbus function 3 msg \"x\"\n", "t.rules:1:1: this rule has no sid"},
    {"alert modbus msg \"unterminated sid 1\n", "t.rules:1:18: unterminated string"},
    {"alert modbus msg \"x\" sid 1\nalert dnp3 msg \"y\" sid 1\n",
     "t.rules:2:1: duplicate sid 1 (first defined at t.rules:1)"},
    {"alert modbus msg \"x\" sid 1 severity urgent\n",
     "t.rules:1:37: severity is high, medium or low (or 1, 2, 3), not 'urgent'"},
    {"alert modbus msg \"x\" sid 1 mitre X0843\n",
     "t.rules:1:28: 'x0843' is not an ATT&CK technique id"},
    {"alert modbus to zone:nowhere msg \"x\" sid 1\n", "t.rules:1:17: unknown zone 'nowhere'"},
    {"alert modbus to set:missing msg \"x\" sid 1\n",
     "t.rules:1:17: unknown set 'missing' (define it with: set missing ADDRESS, ...)"},
    {"alert ip function 3 msg \"x\" sid 1\n",
     "t.rules:1:10: 'function' looks into an industrial message"},
    {"alert modbus app dns msg \"x\" sid 1\n", "t.rules:1:14: 'app' is a flow property"},
    {"alert modbus condition goose_replay msg \"x\" sid 1\n",
     "t.rules:1:24: condition goose_replay needs 'alert goose'"},
    {"alert goose condition goose_replya msg \"x\" sid 1\n",
     "t.rules:1:23: unknown condition 'goose_replya' (did you mean 'goose_replay'?)"},
    {"alert modbus threshold 5 in 60x msg \"x\" sid 1\n", "t.rules:1:29: '60x' is not a duration"},
    {"alert modbus threshold 100 distinct unit in 60s msg \"x\" sid 1\n",
     "t.rules:1:28: a distinct threshold counts up to 64 values"},
    {"alert modbus to 10.0.0.0/33 msg \"x\" sid 1\n",
     "t.rules:1:17: '10.0.0.0/33' is not an address, prefix, MAC"},
    {"alert modbus msg \"x\" sid 0\n", "t.rules:1:26: sid is a number from 1 to 4294967295"},
    {"hello modbus\n", "t.rules:1:1: a statement starts with 'alert' (a rule) or 'set'"},
    {"alert tcp risk tls_obsolete msg \"x\" sid 1\n",
     "t.rules:1:11: unknown risk 'tls_obsolete' (did you mean 'tls_obsolete_version'?)"},
    {"alert ip condition ioc_ip app dns msg \"x\" sid 1\n",
     "t.rules:1:27: condition ioc_ip is decided before the flow's application is known"},
    {"alert modbus value at 5 msg \"x\" sid 1\n",
     "t.rules:1:25: expected a comparison after 'value'"},
    {"alert modbus detail.x < abc msg \"x\" sid 1\n",
     "t.rules:1:25: 'abc' is not a number or range"},
    {"alert modbus op WRITTEN msg \"x\" sid 1\n",
     "t.rules:1:14: unknown operation class 'written'"},
    {"set bad 10.0.0.1 10.0.0.2\n",
     "t.rules:1:18: unexpected '10.0.0.2' in set bad (items are separated by commas)"},
    {"alert modbus msg \"x\" sid 1 kind Bad-Kind\n",
     "t.rules:1:33: kind is a lower_snake_case name, not 'Bad-Kind'"},
};

static int test_parse_errors(void)
{
    int bad = 0;
    for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
        const char *got = first_problem(errors[i].text);
        if (strncmp(got, errors[i].want, strlen(errors[i].want)) != 0) {
            printf("# case %zu: want '%s'\n#          got  '%s'\n", i, errors[i].want, got);
            bad++;
        }
    }
    FAIL_IF(bad);
    PASS;
}

static int test_parse_carries_on(void)
{
    /* three bad rules, two good: every problem reported, the good ones kept */
    struct zone_table *z = zones_new();
    memset(&pr, 0, sizeof(pr));
    struct rule_set *rs = rules_new(z, &names);
    rules_load_text(rs, "t.rules",
                    "alert modbus msg \"a\" sid 1\n"
                    "alert modbus unit x msg \"b\" sid 2\n"
                    "alert foo msg \"c\" sid 3\n"
                    "alert dnp3 msg \"d\" sid 4\n"
                    "alert dnp3 sid 5\n",
                    false, &pr);
    rules_finish(rs, &pr);
    FAIL_IF(pr.total != 3);
    FAIL_IF(pr.p[0].line != 2 || pr.p[1].line != 3 || pr.p[2].line != 5);
    FAIL_IF(rules_count(rs) != 2);
    rules_free(rs);
    zone_table_free(z);
    PASS;
}

static int test_builtin_override(void)
{
    struct zone_table *z = zones_new();
    memset(&pr, 0, sizeof(pr));
    struct rule_set *rs = rules_new(z, &names);
    rules_load_text(rs, "<built-in>/x.rules",
                    "alert modbus function 3 msg \"built in\" kind k mitre T0846 sid 7\n"
                    "alert modbus function 4 msg \"other\" kind k mitre T0846 sid 8\n",
                    true, &pr);
    rules_load_text(rs, "user.rules", "alert modbus function 5 msg \"mine\" sid 7\n", false, &pr);
    rules_finish(rs, &pr);
    FAIL_IF(pr.total != 0);
    FAIL_IF(rules_count(rs) != 2);
    struct ot_msg m;
    struct rules_event ev;
    struct hits h;
    memset(&ev, 0, sizeof(ev));
    msg_init(&m, OT_PROTO_MODBUS, 3, "read_holding_registers", OT_OP_READ);
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 0); /* the built-in sid 7 is gone */
    msg_init(&m, OT_PROTO_MODBUS, 5, "write_single_coil", OT_OP_WRITE);
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 1 || h.sid[0] != 7);
    rules_free(rs);
    zone_table_free(z);
    PASS;
}

static int test_path_and_directory(void)
{
    char dir[] = "/tmp/test-rules-XXXXXX";
    FAIL_IF(!mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/b.rules", dir);
    FILE *f = fopen(path, "w");
    fputs("alert modbus msg \"b\" sid 2\n", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/a.rules", dir);
    f = fopen(path, "w");
    fputs("alert modbus msg \"a\" sid 1\n", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/c.txt", dir);
    f = fopen(path, "w");
    fputs("not rules at all\n", f);
    fclose(f);
    memset(&pr, 0, sizeof(pr));
    struct rule_set *rs = rules_new(NULL, NULL);
    FAIL_IF(rules_load_path(rs, dir, &pr) != 0);
    rules_finish(rs, &pr);
    FAIL_IF(rules_count(rs) != 2);
    FAIL_IF(rules_info(rs, 0)->sid != 1); /* name order: a.rules first */
    FAIL_IF(strstr(rules_info(rs, 0)->file, "a.rules") == NULL);
    rules_free(rs);
    memset(&pr, 0, sizeof(pr));
    rs = rules_new(NULL, NULL);
    FAIL_IF(rules_load_path(rs, "/nonexistent/x.rules", &pr) != 1);
    FAIL_IF(strstr(pr.p[0].msg, "cannot open") == NULL);
    rules_free(rs);
    unlink(path);
    snprintf(path, sizeof(path), "%s/a.rules", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/b.rules", dir);
    unlink(path);
    rmdir(dir);
    PASS;
}

/* ------------------------------------------------------------------ matching */

static int test_match_message_fields(void)
{
    struct zone_table *z = zones_new();
    struct rule_set *rs = set_of(
        z, "alert modbus request function 6 unit 1 address holding_register:100-199\n"
           "    value at 100 > 1500 from 10.2.0.0/16 to zone:cell_a msg \"hit\" sid 1\n"
           "alert modbus function write_single_register not unit 1 msg \"other unit\" sid 2\n"
           "alert modbus exception 2 msg \"exc\" sid 3\n"
           "alert modbus anomaly trailing_bytes msg \"anom\" sid 4\n"
           "alert any op WRITE msg \"any write\" sid 5\n");
    FAIL_IF_NOT(rs);
    struct ot_msg m;
    struct rules_event ev;
    struct hits h;
    memset(&ev, 0, sizeof(ev));
    ep4(&ev.src, 0, "10.2.0.5", z);
    ep4(&ev.dst, 1, "10.1.1.20", z);
    msg_init(&m, OT_PROTO_MODBUS, 6, "write_single_register", OT_OP_WRITE);
    m.has_unit = true;
    m.unit = 1;
    ot_msg_add_range(&m, "holding_register", 3, 100, 1);
    ot_msg_add_value(&m, 3, 100, 1600);
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 2 || h.sid[0] != 1 || h.sid[1] != 5);
    /* near misses: value, address, direction, source, unit */
    m.values[0].value = 1400;
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 1 || h.sid[0] != 5);
    m.values[0].value = 1600;
    m.ranges[0].start = 200;
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 1);
    m.ranges[0].start = 150;
    m.dir = OT_DIR_RESPONSE;
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 1);
    m.dir = OT_DIR_REQUEST;
    ep4(&ev.src, 0, "10.9.0.5", z);
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 1);
    ep4(&ev.src, 0, "10.2.0.5", z);
    m.unit = 2;
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 2 || h.sid[0] != 2 || h.sid[1] != 5);
    /* exceptions and anomalies */
    msg_init(&m, OT_PROTO_MODBUS, 3, "read_holding_registers", OT_OP_READ);
    ot_msg_set_exception(&m, 2, "illegal_data_address");
    m.anomaly = "trailing_bytes";
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 2 || h.sid[0] != 3 || h.sid[1] != 4);
    m.exception_code = 3;
    m.anomaly = "pdu_too_short";
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 0);
    /* another protocol: only the `any` rule */
    msg_init(&m, OT_PROTO_DNP3, 2, "WRITE", OT_OP_WRITE);
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 1 || h.sid[0] != 5);
    rules_free(rs);
    zone_table_free(z);
    PASS;
}

static int test_match_detail(void)
{
    struct rule_set *rs =
        set_of(NULL, "alert dnp3 detail.link.dst >= 65533 msg \"bcast\" sid 1\n"
                     "alert dnp3 detail.application.uns msg \"uns\" sid 2\n"
                     "alert dnp3 detail.objects.group = 70 msg \"file obj\" sid 3\n"
                     "alert dnp3 detail.name = \"OutStation\" msg \"name\" sid 4\n"
                     "alert dnp3 not detail.missing msg \"absent\" sid 5\n"
                     "alert dnp3 detail.codes in 4, 9-10 msg \"array\" sid 6\n");
    FAIL_IF_NOT(rs);
    struct ot_msg m;
    struct rules_event ev;
    struct hits h;
    memset(&ev, 0, sizeof(ev));
    msg_init(&m, OT_PROTO_DNP3, 5, "DIRECT_OPERATE", OT_OP_CONTROL);
    struct ot_detail *d = &m.detail;
    ot_kv_obj(d, "link");
    ot_kv_u64(d, "dst", 65535);
    ot_kv_u64(d, "src", 1);
    ot_kv_end(d);
    ot_kv_obj(d, "application");
    ot_kv_bool(d, "uns", false);
    ot_kv_end(d);
    ot_kv_arr(d, "objects");
    ot_kv_obj(d, NULL);
    ot_kv_u64(d, "group", 12);
    ot_kv_end(d);
    ot_kv_obj(d, NULL);
    ot_kv_u64(d, "group", 70);
    ot_kv_end(d);
    ot_kv_end(d);
    ot_kv_cstr(d, "name", "outstation");
    ot_kv_arr(d, "codes");
    ot_kv_u64(d, NULL, 1);
    ot_kv_u64(d, NULL, 10);
    ot_kv_end(d);
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 5);
    FAIL_IF(h.sid[0] != 1 || h.sid[1] != 3 || h.sid[2] != 4 || h.sid[3] != 5 || h.sid[4] != 6);
    rules_free(rs);
    PASS;
}

static int test_match_endpoints(void)
{
    struct zone_table *z = zones_new();
    struct rule_set *rs =
        set_of(z, "set hmis 10.2.0.10, 10.2.0.11\n"
                  "alert modbus from set:hmis msg \"hmi\" sid 1\n"
                  "alert modbus from !set:hmis, !10.9.0.0/16 msg \"not hmi, not office\" sid 2\n"
                  "alert modbus to level:0-1 msg \"to level 1\" sid 3\n"
                  "alert modbus to ot, !zone:scada msg \"ot not scada\" sid 4\n"
                  "alert modbus from external msg \"from outside\" sid 5\n"
                  "alert modbus to port:502-503 msg \"port\" sid 6\n"
                  "alert modbus to 10.1.1.0/24 port:1-100 msg \"host and port\" sid 7\n"
                  "alert modbus from 00:1b:21:3a:10:10 msg \"by mac\" sid 8\n");
    FAIL_IF_NOT(rs);
    struct ot_msg m;
    struct rules_event ev;
    struct hits h;
    msg_init(&m, OT_PROTO_MODBUS, 3, "read_holding_registers", OT_OP_READ);
    memset(&ev, 0, sizeof(ev));
    ep4(&ev.src, 0, "10.2.0.10", z);
    ep4(&ev.dst, 1, "10.1.1.20", z);
    ev.dst.port = 502;
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 4); /* 1 3 4 6 */
    FAIL_IF(h.sid[0] != 1 || h.sid[1] != 3 || h.sid[2] != 4 || h.sid[3] != 6);
    ep4(&ev.src, 0, "192.0.2.1", z); /* external, not an HMI */
    static const uint8_t mac[6] = {0x00, 0x1b, 0x21, 0x3a, 0x10, 0x10};
    ev.src.mac = mac;
    ev.dst.port = 80;
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 6); /* 2 3 4 5 7 8 */
    FAIL_IF(h.sid[0] != 2 || h.sid[3] != 5 || h.sid[4] != 7 || h.sid[5] != 8);
    ep4(&ev.src, 0, "10.9.0.1", z);
    ep4(&ev.dst, 1, "10.2.0.1", z); /* scada: level 2, not level 0-1 */
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 0);
    rules_free(rs);
    /* who sent it: the flow's client or its server */
    rs = set_of(z, "alert iec104 from server msg \"s\" sid 1\n"
                   "alert iec104 from client msg \"c\" sid 2\n");
    FAIL_IF_NOT(rs);
    msg_init(&m, OT_PROTO_IEC104, 45, "C_SC_NA_1", OT_OP_CONTROL);
    ev.src.side = 1;
    ev.dst.side = 0;
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 1 || h.sid[0] != 1);
    ev.src.side = -1; /* layer 2: neither */
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 0);
    rules_free(rs);
    zone_table_free(z);
    PASS;
}

static int test_match_flow_events(void)
{
    struct zone_table *z = zones_new();
    struct rule_set *rs = set_of(z, "alert tcp app telnet to ot msg \"telnet\" sid 1\n"
                                    "alert ip server_name evil.example msg \"name\" sid 2\n"
                                    "alert tcp risk tls_obsolete_version msg \"tls\" sid 3\n"
                                    "alert ip condition zone_violation msg \"zone\" sid 4\n"
                                    "alert udp to port:161 msg \"snmp port\" sid 5\n"
                                    "alert arp condition arp_mac_change msg \"arp\" sid 6\n"
                                    "alert modbus condition invalid_pdu msg \"inv\" sid 7\n");
    FAIL_IF_NOT(rs);
    FAIL_IF(rules_info(rs, 0)->triggers != 1u << RT_FLOW_APP);
    FAIL_IF(rules_info(rs, 3)->triggers != 1u << RT_FLOW_APP);
    FAIL_IF(rules_info(rs, 4)->triggers != 1u << RT_FLOW_START);
    FAIL_IF(rules_info(rs, 5)->triggers != 1u << RT_ARP);
    FAIL_IF(rules_info(rs, 6)->triggers != 1u << RT_PARSE_ERROR);
    FAIL_IF(strcmp(rules_info(rs, 3)->source, "zone") != 0);
    FAIL_IF_NOT(rules_want_cond(rs, RC_ZONE_VIOLATION));
    FAIL_IF(rules_want_cond(rs, RC_IOC_IP));
    struct rules_event ev;
    struct hits h;
    memset(&ev, 0, sizeof(ev));
    ep4(&ev.src, 0, "10.9.0.1", z);
    ep4(&ev.dst, 1, "10.1.1.5", z);
    ev.l4 = 6;
    ev.app = "telnet";
    ev.server_name = "www.EVIL.example.";
    ev.risks = 1u << 7;
    ev.facts = 1u << RC_ZONE_VIOLATION;
    memset(&h, 0, sizeof(h));
    rules_match(rs, RT_FLOW_APP, NULL, &ev, on_hit, &h);
    FAIL_IF(h.n != 4);
    ev.server_name = "notevil.example";
    ev.l4 = 17;
    memset(&h, 0, sizeof(h));
    rules_match(rs, RT_FLOW_APP, NULL, &ev, on_hit, &h);
    FAIL_IF(h.n != 1 || h.sid[0] != 4); /* tcp rules need TCP, the name a label boundary */
    ev.dst.port = 161;
    memset(&h, 0, sizeof(h));
    rules_match(rs, RT_FLOW_START, NULL, &ev, on_hit, &h);
    FAIL_IF(h.n != 1 || h.sid[0] != 5);
    ev.proto = OT_PROTO_DNP3;
    ev.facts = 1u << RC_INVALID_PDU;
    memset(&h, 0, sizeof(h));
    rules_match(rs, RT_PARSE_ERROR, NULL, &ev, on_hit, &h);
    FAIL_IF(h.n != 0); /* a modbus rule */
    ev.proto = OT_PROTO_MODBUS;
    rules_match(rs, RT_PARSE_ERROR, NULL, &ev, on_hit, &h);
    FAIL_IF(h.n != 1 || h.sid[0] != 7);
    rules_free(rs);
    zone_table_free(z);
    PASS;
}

/* Rules land in (protocol, function, unit) buckets; a message still sees
 * every rule that applies, in load order. */
static int test_index_order(void)
{
    struct rule_set *rs =
        set_of(NULL, "alert modbus unit 7 msg \"u7\" sid 1\n"
                     "alert modbus function read_holding_registers msg \"name\" sid 2\n"
                     "alert modbus function 3 unit 7 msg \"code+unit\" sid 3\n"
                     "alert modbus msg \"all\" sid 4\n"
                     "alert modbus function 3 msg \"code\" sid 5\n"
                     "alert modbus function 4 msg \"other code\" sid 6\n"
                     "alert dnp3 function 3 msg \"other proto\" sid 7\n"
                     "alert any function 3 msg \"any proto\" sid 8\n"
                     "alert modbus function 1-5 msg \"range\" sid 9\n");
    FAIL_IF_NOT(rs);
    struct ot_msg m;
    struct rules_event ev;
    struct hits h;
    memset(&ev, 0, sizeof(ev));
    msg_init(&m, OT_PROTO_MODBUS, 3, "read_holding_registers", OT_OP_READ);
    m.has_unit = true;
    m.unit = 7;
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 7);
    static const uint32_t want[] = {1, 2, 3, 4, 5, 8, 9};
    for (int i = 0; i < 7; i++)
        FAIL_IF(h.sid[i] != want[i]);
    m.unit = 8;
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 5);
    rules_free(rs);
    PASS;
}

/* ------------------------------------------------------------------ lists */

static bool look(const struct iplist *l, const char *text, uint32_t *v)
{
    uint8_t a[16] = {0};
    int version = strchr(text, ':') ? 6 : 4;
    inet_pton(version == 6 ? AF_INET6 : AF_INET, text, a);
    return iplist_lookup(l, a, version, v);
}

static int test_iplist(void)
{
    char e[256];
    struct iplist *l = iplist_new();
    FAIL_IF(iplist_add_text(l, "10.0.0.0/8", 1, e, sizeof(e)) != 0);
    FAIL_IF(iplist_add_text(l, "10.1.0.0/16", 2, e, sizeof(e)) != 0);
    FAIL_IF(iplist_add_text(l, "10.1.2.3", 3, e, sizeof(e)) != 0);
    FAIL_IF(iplist_add_text(l, "10.1.0.0/16", 9, e, sizeof(e)) != 0); /* duplicate: first stays */
    FAIL_IF(iplist_add_text(l, "0.0.0.0/0", 0, e, sizeof(e)) != 0);
    FAIL_IF(iplist_add_text(l, "255.255.255.255", 5, e, sizeof(e)) != 0);
    FAIL_IF(iplist_add_text(l, "2001:db8::/32", 6, e, sizeof(e)) != 0);
    FAIL_IF(iplist_add_text(l, "2001:db8::1", 7, e, sizeof(e)) != 0);
    FAIL_IF(iplist_add_text(l, "10.1.2.300", 0, e, sizeof(e)) == 0);
    FAIL_IF(iplist_add_text(l, "10.0.0.0/40", 0, e, sizeof(e)) == 0);
    FAIL_IF(iplist_add_text(l, "fe80::/129", 0, e, sizeof(e)) == 0);
    FAIL_IF(iplist_build(l) != 0);
    uint32_t v;
    FAIL_IF(!look(l, "10.1.2.3", &v) || v != 3);
    FAIL_IF(!look(l, "10.1.2.2", &v) || v != 2);
    FAIL_IF(!look(l, "10.1.2.4", &v) || v != 2);
    FAIL_IF(!look(l, "10.1.255.255", &v) || v != 2);
    FAIL_IF(!look(l, "10.2.0.0", &v) || v != 1);
    FAIL_IF(!look(l, "10.0.0.0", &v) || v != 1);
    FAIL_IF(!look(l, "9.255.255.255", &v) || v != 0);
    FAIL_IF(!look(l, "255.255.255.255", &v) || v != 5);
    FAIL_IF(!look(l, "255.255.255.254", &v) || v != 0);
    FAIL_IF(!look(l, "2001:db8::1", &v) || v != 7);
    FAIL_IF(!look(l, "2001:db8:ffff::", &v) || v != 6);
    FAIL_IF(look(l, "2001:db9::", &v));
    FAIL_IF(iplist_count(l) != 8);
    iplist_free(l);
    /* empty and IPv6-only lists */
    l = iplist_new();
    iplist_build(l);
    FAIL_IF(look(l, "1.2.3.4", &v));
    iplist_free(l);
    l = iplist_new();
    iplist_add_text(l, "::/0", 4, e, sizeof(e));
    iplist_add_text(l, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 8, e, sizeof(e));
    iplist_build(l);
    FAIL_IF(!look(l, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &v) || v != 8);
    FAIL_IF(!look(l, "::", &v) || v != 4);
    FAIL_IF(look(l, "1.2.3.4", &v));
    iplist_free(l);
    PASS;
}

static int test_domset(void)
{
    char e[256];
    struct domset *d = domset_new();
    FAIL_IF(domset_add(d, "Example.COM", 1, e, sizeof(e)) != 0);
    FAIL_IF(domset_add(d, "*.bad.org.", 2, e, sizeof(e)) != 0);
    FAIL_IF(domset_add(d, "a.example.com", 3, e, sizeof(e)) != 0);
    FAIL_IF(domset_add(d, "not a domain", 0, e, sizeof(e)) == 0);
    FAIL_IF(domset_add(d, "a..b", 0, e, sizeof(e)) == 0);
    uint32_t v;
    FAIL_IF(!domset_lookup(d, "example.com", 11, &v) || v != 1);
    FAIL_IF(!domset_lookup(d, "x.y.EXAMPLE.com.", 16, &v) || v != 1);
    FAIL_IF(!domset_lookup(d, "a.example.com", 13, &v) || v != 3);
    FAIL_IF(!domset_lookup(d, "z.a.example.com", 15, &v) || v != 3);
    FAIL_IF(domset_lookup(d, "badexample.com", 14, &v));
    FAIL_IF(!domset_lookup(d, "c2.bad.org", 10, &v) || v != 2);
    FAIL_IF(domset_lookup(d, "org", 3, &v));
    for (int i = 0; i < 5000; i++) { /* growth */
        char name[64];
        snprintf(name, sizeof(name), "host%d.test", i);
        FAIL_IF(domset_add(d, name, (uint32_t)i, e, sizeof(e)) != 0);
    }
    FAIL_IF(!domset_lookup(d, "www.host4321.test", 17, &v) || v != 4321);
    FAIL_IF(domset_count(d) != 5003);
    domset_free(d);
    PASS;
}

static int test_ioc_files(void)
{
    char txt[] = "/tmp/test-ioc-XXXXXX";
    int fd = mkstemp(txt);
    FAIL_IF(fd < 0);
    const char *t = "# a list\n"
                    "198.51.100.7   C2 server of campaign X\n"
                    "203.0.113.0/24 # scanner range\n"
                    "evil.example   phishing domain\n"
                    "\n"
                    "2001:db8:bad::/48\n"
                    "not/valid\n";
    FAIL_IF(write(fd, t, strlen(t)) != (ssize_t)strlen(t));
    close(fd);
    char csv[] = "/tmp/test-ioc-XXXXXX.csv";
    fd = mkstemps(csv, 4);
    FAIL_IF(fd < 0);
    const char *c = "indicator,description\n"
                    "\"bad.example\",\"Malware, stage 2\"\n"
                    "192.0.2.66,ransomware staging\n";
    FAIL_IF(write(fd, c, strlen(c)) != (ssize_t)strlen(c));
    close(fd);
    memset(&pr, 0, sizeof(pr));
    struct ioc *ioc = ioc_new();
    char spec[64];
    snprintf(spec, sizeof(spec), "feed=%s", txt);
    FAIL_IF(ioc_load(ioc, spec, &pr) != 4);
    FAIL_IF(pr.total != 1 || pr.p[0].line != 7);
    FAIL_IF(strstr(pr.p[0].msg, "not/valid") == NULL);
    FAIL_IF(ioc_load(ioc, csv, &pr) != 2);
    FAIL_IF(pr.total != 1); /* the header line is not a problem */
    FAIL_IF(ioc_load(ioc, "/nonexistent/list.txt", &pr) != -1);
    FAIL_IF(ioc_build(ioc) != 0);
    FAIL_IF(ioc_count(ioc) != 6 || ioc_lists(ioc) != 2);
    struct ioc_hit h;
    uint8_t a[16] = {0};
    inet_pton(AF_INET, "198.51.100.7", a);
    FAIL_IF(!ioc_match_ip(ioc, a, 4, &h));
    FAIL_IF(strcmp(h.list, "feed") != 0 || strcmp(h.description, "C2 server of campaign X") != 0);
    inet_pton(AF_INET, "203.0.113.99", a);
    FAIL_IF(!ioc_match_ip(ioc, a, 4, &h) || strcmp(h.indicator, "203.0.113.0/24") != 0);
    FAIL_IF(strcmp(h.description, "scanner range") != 0);
    inet_pton(AF_INET, "192.0.2.66", a);
    FAIL_IF(!ioc_match_ip(ioc, a, 4, &h) || strcmp(h.description, "ransomware staging") != 0);
    inet_pton(AF_INET, "192.0.2.67", a);
    FAIL_IF(ioc_match_ip(ioc, a, 4, &h));
    memset(a, 0, 16);
    inet_pton(AF_INET6, "2001:db8:bad:1::5", a);
    FAIL_IF(!ioc_match_ip(ioc, a, 6, &h));
    FAIL_IF(!ioc_match_domain(ioc, "www.bad.example", &h));
    FAIL_IF(strcmp(h.description, "Malware, stage 2") != 0);
    FAIL_IF(strncmp(h.list, "test-ioc-", 9) != 0);
    FAIL_IF(!ioc_match_domain(ioc, "EVIL.example", &h) || strcmp(h.list, "feed") != 0);
    FAIL_IF(ioc_match_domain(ioc, "example", &h));
    ioc_free(ioc);
    unlink(txt);
    unlink(csv);
    PASS;
}

/* ------------------------------------------------------------------ tuning */

static int test_tuning(void)
{
    memset(&pr, 0, sizeof(pr));
    struct tuning *t = tuning_parse("tune.conf",
                                    "# tuning\n"
                                    "disable sid 100, 200-210\n"
                                    "suppress kind discovery src 10.1.1.5, 10.1.1.6\n"
                                    "suppress sid 300 device 00:1b:21:3a:10:10\n"
                                    "severity sid 400 low\n"
                                    "severity kind plc_stop medium dst 10.2.0.0/16\n"
                                    "threshold sid 500 count 5 in 60s by dst\n"
                                    "suppress all ip 192.0.2.1\n",
                                    &pr);
    FAIL_IF(pr.total != 0 || tuning_count(t) != 7);
    struct rules_ep src, dst;
    struct tune_result r;
    ep4(&src, 0, "10.1.1.5", NULL);
    ep4(&dst, 1, "10.2.0.9", NULL);
    tuning_check(t, 205, "x", &src, &dst, &r);
    FAIL_IF(r.action != TUNE_DISABLED || r.line != 2);
    tuning_check(t, 211, "x", &src, &dst, &r);
    FAIL_IF(r.action != TUNE_KEEP);
    tuning_check(t, 7, "discovery", &src, &dst, &r);
    FAIL_IF(r.action != TUNE_SUPPRESSED || r.line != 3);
    ep4(&src, 0, "10.1.1.7", NULL);
    tuning_check(t, 7, "discovery", &src, &dst, &r);
    FAIL_IF(r.action != TUNE_KEEP);
    static const uint8_t mac[6] = {0x00, 0x1b, 0x21, 0x3a, 0x10, 0x10};
    dst.mac = mac;
    tuning_check(t, 300, "x", &src, &dst, &r); /* device: either end */
    FAIL_IF(r.action != TUNE_SUPPRESSED);
    tuning_check(t, 400, "x", &src, &dst, &r);
    FAIL_IF(r.action != TUNE_KEEP || r.severity != 3);
    tuning_check(t, 1, "plc_stop", &src, &dst, &r);
    FAIL_IF(r.severity != 2);
    ep4(&dst, 1, "10.3.0.9", NULL);
    tuning_check(t, 1, "plc_stop", &src, &dst, &r);
    FAIL_IF(r.severity != 0);
    tuning_check(t, 500, "x", &src, &dst, &r);
    FAIL_IF(r.thr_count != 5 || r.thr_seconds != 60 || r.thr_by != TRACK_BY_DST);
    ep4(&dst, 1, "192.0.2.1", NULL);
    tuning_check(t, 999, "anything", &src, &dst, &r);
    FAIL_IF(r.action != TUNE_SUPPRESSED || r.line != 8);
    tuning_free(t);
    PASS;
}

static const struct {
    const char *text;
    const char *want;
} tune_errors[] = {
    {"silence sid 1\n", "tune.conf:1:1: 'silence': a tuning line starts with disable"},
    {"disable sid x1\n", "tune.conf:1:13: 'x1' is not a sid or sid range"},
    {"disable\n", "tune.conf:1:1: disable what? sid N, kind NAME or all"},
    {"suppress sid 1 src 10.0.0.300\n", "tune.conf:1:20: '10.0.0.300' is not an address"},
    {"suppress sid 1 src 00:11:22:33:44:55\n",
     "tune.conf:1:20: '00:11:22:33:44:55': a MAC address scopes with 'device'"},
    {"severity sid 1 loud\n", "tune.conf:1:16: severity takes high, medium or low"},
    {"threshold sid 1 count 5\n", "tune.conf:1:17: threshold takes: count N in DURATION"},
    {"suppress sid 1 where 10.0.0.1\n", "tune.conf:1:16: unexpected 'where'"},
    {"disable kind\n", "tune.conf:1:9: 'kind' needs a value"},
};

static int test_tuning_errors(void)
{
    int bad = 0;
    for (size_t i = 0; i < sizeof(tune_errors) / sizeof(tune_errors[0]); i++) {
        memset(&pr, 0, sizeof(pr));
        struct tuning *t = tuning_parse("tune.conf", tune_errors[i].text, &pr);
        char got[1024] = "";
        if (pr.n)
            rules_problem_format(&pr.p[0], got, sizeof(got));
        if (strncmp(got, tune_errors[i].want, strlen(tune_errors[i].want)) != 0) {
            printf("# case %zu: want '%s'\n#          got  '%s'\n", i, tune_errors[i].want, got);
            bad++;
        }
        FAIL_IF(tuning_count(t) != 0);
        tuning_free(t);
    }
    FAIL_IF(bad);
    PASS;
}

/* ------------------------------------------------------------------ state */

static int test_tracker(void)
{
    struct tracker *t = tracker_new(64);
    struct track_result r;
    uint64_t s = 1000000;
    for (int i = 0; i < 4; i++) {
        tracker_hit(t, 42, s + (uint64_t)i, 5, 10, false, 0, &r);
        FAIL_IF(r.fired);
    }
    tracker_hit(t, 42, s + 4, 5, 10, false, 0, &r);
    FAIL_IF(!r.fired || r.count != 5);
    tracker_hit(t, 42, s + 5, 5, 10, false, 0, &r); /* once per window */
    FAIL_IF(r.fired || r.count != 6);
    tracker_hit(t, 42, s + 10 * 1000000, 5, 10, false, 0, &r); /* a new window */
    FAIL_IF(r.fired || r.count != 1);
    /* distinct: repeats do not count */
    for (int i = 0; i < 10; i++) {
        tracker_hit(t, 7, s, 3, 60, true, (uint64_t)(i % 2), &r);
        FAIL_IF(r.fired);
    }
    tracker_hit(t, 7, s, 3, 60, true, 99, &r);
    FAIL_IF(!r.fired || r.count != 3);
    /* bounded: many keys replace the older ones, counted */
    for (uint64_t k = 100; k < 5000; k++)
        tracker_hit(t, k, s + k, 2, 60, false, 0, &r);
    FAIL_IF(tracker_evictions(t) == 0);
    tracker_free(t);
    struct onceset *o = onceset_new(16);
    FAIL_IF(!onceset_first(o, 5) || onceset_first(o, 5));
    onceset_free(o);
    PASS;
}

static int test_goose_tracker(void)
{
    struct goose_tracker *t = goose_tracker_new(16);
    struct goose_prev p;
    const uint8_t m1[6] = {1, 2, 3, 4, 5, 6}, m2[6] = {1, 2, 3, 4, 5, 7};
    const char *ref = "IED1LD0/LLN0$GO$gcb1";
    size_t n = strlen(ref);
    FAIL_IF(goose_track(t, ref, n, m1, 5, 0, 1, &p) != 0 || p.known);
    FAIL_IF(goose_track(t, ref, n, m1, 5, 1, 2, &p) != 0);
    FAIL_IF(goose_track(t, ref, n, m1, 5, 2, 3, &p) != 0);
    FAIL_IF(goose_track(t, ref, n, m1, 6, 0, 4, &p) != 0);                     /* a new state */
    FAIL_IF(goose_track(t, ref, n, m1, 6, 0, 5, &p) != 1u << RC_GOOSE_REPLAY); /* repeated */
    FAIL_IF(goose_track(t, ref, n, m1, 5, 3, 6, &p) != 1u << RC_GOOSE_REPLAY); /* older state */
    FAIL_IF(p.st_num != 6 || p.sq_num != 0);
    FAIL_IF(goose_track(t, ref, n, m1, 6, 1, 7, &p) != 0); /* the real stream goes on */
    FAIL_IF(goose_track(t, ref, n, m1, 9, 0, 8, &p) != 1u << RC_GOOSE_STATE_JUMP);
    FAIL_IF(goose_track(t, ref, n, m1, 10, 7, 9, &p) != 1u << RC_GOOSE_SEQUENCE_NOT_RESET);
    FAIL_IF(goose_track(t, ref, n, m2, 10, 8, 10, &p) != 1u << RC_GOOSE_PUBLISHER_CHANGE);
    FAIL_IF(goose_track(t, ref, n, m2, 1, 0, 11, &p) != 0); /* a publisher restart */
    FAIL_IF(goose_track(t, ref, n, m2, 0xffffffff, 0, 12, &p) != 1u << RC_GOOSE_STATE_JUMP);
    FAIL_IF(goose_track(t, ref, n, m2, 0, 0, 13, &p) != 0); /* wrap */
    /* a restart while stNum was 1 already (GOOSE.pcap of the shared captures) */
    const char *r2 = "GEDeviceF650/LLN0$GO$gcb01";
    FAIL_IF(goose_track(t, r2, strlen(r2), m1, 1, 12, 20, &p) != 0);
    FAIL_IF(goose_track(t, r2, strlen(r2), m1, 1, 1, 21, &p) != 0);
    FAIL_IF(goose_track(t, r2, strlen(r2), m1, 1, 2, 22, &p) != 0);
    FAIL_IF(goose_track(t, r2, strlen(r2), m1, 1, 2, 23, &p) != 1u << RC_GOOSE_REPLAY);
    goose_tracker_free(t);
    PASS;
}

static int test_arp_tracker(void)
{
    struct arp_tracker *t = arp_tracker_new(16);
    struct arp_prev p;
    const uint8_t a[6] = {0, 1, 2, 3, 4, 5}, b[6] = {0, 1, 2, 3, 4, 6};
    const uint8_t ip[4] = {10, 0, 0, 1}, other[4] = {10, 0, 0, 2}, zero[4] = {0, 0, 0, 0};
    FAIL_IF(arp_track(t, 2, a, ip, other, 1, &p) != 0);
    FAIL_IF(arp_track(t, 2, a, ip, other, 2, &p) != 0);
    FAIL_IF(arp_track(t, 1, a, ip, ip, 3, &p) != 1u << RC_ARP_GRATUITOUS);
    FAIL_IF(arp_track(t, 1, b, zero, ip, 4, &p) != 0); /* an RFC 5227 probe binds nothing */
    FAIL_IF(arp_track(t, 2, b, ip, other, 5, &p) != 1u << RC_ARP_MAC_CHANGE);
    FAIL_IF(memcmp(p.mac, a, 6) != 0);
    FAIL_IF(arp_track(t, 2, a, ip, other, 6, &p) !=
            (1u << RC_ARP_MAC_CHANGE | 1u << RC_ARP_IP_CONFLICT));
    /* the same move long after: a replaced device, not a conflict */
    FAIL_IF(arp_track(t, 2, b, ip, other, 6 + 120000000ULL, &p) != 1u << RC_ARP_MAC_CHANGE);
    arp_tracker_free(t);
    PASS;
}

static int test_cert_tracker(void)
{
    struct cert_tracker *t = cert_tracker_new(16);
    struct cert_prev p;
    uint8_t sha[20], s1[16] = {10, 0, 0, 1}, s2[16] = {10, 0, 0, 2};
    memset(sha, 0xab, 20);
    FAIL_IF(cert_track(t, sha, s1, 4, &p) != 0);
    FAIL_IF(cert_track(t, sha, s1, 4, &p) != 0);
    FAIL_IF(cert_track(t, sha, s2, 4, &p) != 1u << RC_TLS_SHARED_CERTIFICATE);
    FAIL_IF(memcmp(p.addr, s1, 16) != 0 || p.servers != 2);
    cert_tracker_free(t);
    PASS;
}

static int test_sniffers(void)
{
    /* SNMPv2c get-request, community "public" */
    static const uint8_t v2[] = {0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06, 'p',  'u',  'b', 'l',
                                 'i',  'c',  0xa0, 0x19, 0x02, 0x04, 0x01, 0x02, 0x03, 0x04};
    int version;
    size_t clen;
    bool def;
    FAIL_IF(!snmp_sniff(v2, sizeof(v2), &version, &clen, &def));
    FAIL_IF(version != 1 || clen != 6 || !def);
    static const uint8_t v3[] = {0x30, 0x10, 0x02, 0x01, 0x03, 0x30, 0x00};
    FAIL_IF(!snmp_sniff(v3, sizeof(v3), &version, &clen, &def) || version != 3);
    for (size_t n = 0; n < sizeof(v2) - 8; n++) /* cut: never a crash, never v2c */
        FAIL_IF(snmp_sniff(v2, n, &version, &clen, &def) && n < 14);
    static const uint8_t dns[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01};
    FAIL_IF(snmp_sniff(dns, sizeof(dns), &version, &clen, &def));
    const char *h1 =
        "GET /cfg HTTP/1.1\r\nHost: plc\r\nAuthorization:  Basic YWRtaW46YWRtaW4=\r\n\r\n";
    const char *h2 = "GET / HTTP/1.1\r\nHost: plc\r\nAuthorization: Bearer x\r\n\r\n";
    const char *h3 = "GET / HTTP/1.1\r\nHost: plc\r\n\r\nAuthorization: Basic x\r\n";
    const char *h4 = "HTTP/1.1 200 OK\r\nAuthorization: Basic x\r\n\r\n";
    FAIL_IF(!http_basic_auth_sniff((const uint8_t *)h1, strlen(h1)));
    FAIL_IF(http_basic_auth_sniff((const uint8_t *)h2, strlen(h2)));
    FAIL_IF(http_basic_auth_sniff((const uint8_t *)h3, strlen(h3)));
    FAIL_IF(http_basic_auth_sniff((const uint8_t *)h4, strlen(h4)));
    for (size_t n = 0; n < strlen(h1); n++)
        (void)http_basic_auth_sniff((const uint8_t *)h1, n);
    PASS;
}

/* ------------------------------------------------------------------ zones */

static int test_zones(void)
{
    struct zone_table *z = zones_new();
    uint8_t a[16] = {0};
    inet_pton(AF_INET, "10.1.1.7", a);
    int cell = zone_of(z, a, 4);
    FAIL_IF(cell != zone_find(z, "cell_a") || zone_level(z, cell) != 1);
    FAIL_IF(strcmp(zone_name(z, cell), "cell_a") != 0);
    inet_pton(AF_INET, "10.3.0.1", a);
    FAIL_IF(zone_of(z, a, 4) != ZONE_UNZONED || zone_level(z, ZONE_UNZONED) != 3);
    FAIL_IF(!zone_is_ot(z, ZONE_UNZONED));
    inet_pton(AF_INET, "8.8.8.8", a);
    FAIL_IF(zone_of(z, a, 4) != ZONE_EXTERNAL || zone_is_internal(z, a, 4));
    FAIL_IF(zone_is_ot(z, ZONE_EXTERNAL));
    inet_pton(AF_INET, "100.64.1.1", a); /* CGNAT: internal by default */
    FAIL_IF(zone_of(z, a, 4) != ZONE_UNZONED);
    inet_pton(AF_INET, "239.1.2.3", a);
    FAIL_IF(zone_of(z, a, 4) != ZONE_UNZONED);
    memset(a, 0, 16);
    inet_pton(AF_INET6, "fd00::1", a);
    FAIL_IF(zone_of(z, a, 6) != ZONE_UNZONED);
    inet_pton(AF_INET6, "2001:db8::1", a);
    FAIL_IF(zone_of(z, a, 6) != ZONE_EXTERNAL);
    int scada = zone_find(z, "scada"), office = zone_find(z, "office");
    FAIL_IF(!zone_conduit_allows(z, scada, cell, 6, 502, "modbus"));
    FAIL_IF(!zone_conduit_allows(z, scada, cell, 6, 502, NULL));
    FAIL_IF(zone_conduit_allows(z, scada, cell, 6, 80, "http"));
    FAIL_IF(zone_conduit_allows(z, cell, scada, 6, 502, "modbus")); /* one way */
    FAIL_IF(zone_conduit_allows(z, office, cell, 6, 502, "modbus"));
    FAIL_IF(zone_find(z, "external") != ZONE_EXTERNAL || zone_find(z, "nope") != -4);
    zone_table_free(z);
    /* errors, and configured internal networks */
    char e[256];
    z = zone_table_new();
    FAIL_IF(zone_add(z, "a b", 1, e, sizeof(e)) >= 0);
    FAIL_IF(zone_add(z, "a", 9, e, sizeof(e)) >= 0);
    FAIL_IF(zone_add(z, "a", 1, e, sizeof(e)) != 0);
    FAIL_IF(zone_add(z, "a", 1, e, sizeof(e)) >= 0 || strstr(e, "twice") == NULL);
    FAIL_IF(zone_add_conduit(z, "a", "b", "any", false, e, sizeof(e)) == 0);
    FAIL_IF(strcmp(e, "conduit: unknown zone 'b'") != 0);
    FAIL_IF(zone_add_conduit(z, "a", "any", "tcp/0", false, e, sizeof(e)) == 0);
    FAIL_IF(zone_add_conduit(z, "a", "any", "udp/53, dns, icmp", true, e, sizeof(e)) != 0);
    FAIL_IF(zone_add_internal(z, "192.0.2.0/24", e, sizeof(e)) != 0);
    FAIL_IF(zone_build(z, e, sizeof(e)) != 0);
    inet_pton(AF_INET, "10.0.0.1", a);
    FAIL_IF(zone_of(z, a, 4) != ZONE_EXTERNAL); /* the defaults are replaced */
    inet_pton(AF_INET, "192.0.2.9", a);
    FAIL_IF(zone_of(z, a, 4) != ZONE_UNZONED);
    zone_table_free(z);
    PASS;
}

static int test_geo_policy_lists(void)
{
    struct geo_policy p;
    char e[256];
    memset(&p, 0, sizeof(p));
    FAIL_IF(geo_policy_countries(p.forbidden_cc, &p.n_forbidden_cc, "kp, IR,ru", e, sizeof(e)) !=
            0);
    FAIL_IF(p.n_forbidden_cc != 3 || strcmp(p.forbidden_cc[0], "KP") != 0);
    FAIL_IF(geo_policy_countries(p.allowed_cc, &p.n_allowed_cc, "DEU", e, sizeof(e)) == 0);
    FAIL_IF(geo_policy_asns(p.allowed_asn, &p.n_allowed_asn, "AS3320, 15169", e, sizeof(e)) != 0);
    FAIL_IF(p.n_allowed_asn != 2 || p.allowed_asn[0] != 3320);
    FAIL_IF(geo_policy_asns(p.forbidden_asn, &p.n_forbidden_asn, "ASX", e, sizeof(e)) == 0);
    struct geo_info g = {"RU", 0, ""};
    FAIL_IF(!geo_policy_forbidden(&p, &g) || geo_policy_allowed(&p, &g));
    struct geo_info g2 = {"", 15169, ""};
    FAIL_IF(geo_policy_forbidden(&p, &g2) || !geo_policy_allowed(&p, &g2));
    /* no database: nothing to look up */
    struct geo *none = geo_open(NULL, 0, e, sizeof(e));
    static const uint8_t dns[16] = {8, 8, 8, 8};
    FAIL_IF(none == NULL || geo_lookup(none, dns, 4, &g));
    geo_free(none);
    const char *bad[] = {"/nonexistent.mmdb"};
    FAIL_IF(geo_open(bad, 1, e, sizeof(e)) != NULL || strstr(e, "/nonexistent.mmdb") == NULL);
    PASS;
}

static int test_mitre(void)
{
    const char *t[3];
    FAIL_IF(mitre_ics_tactics("T0843", t, 3) != 1 || strcmp(t[0], "Lateral Movement") != 0);
    FAIL_IF(mitre_ics_tactics("T0858", t, 3) != 2 || strcmp(t[1], "Evasion") != 0);
    FAIL_IF(mitre_ics_tactics("T9999", t, 3) != 0);
    PASS;
}

/* Message classes: every combination of what a class keys on gives the
 * index's hits, through classes listed and remembered in one cache; a
 * class with more candidates than the cache holds is left to the index. */
static int test_message_classes(void)
{
    struct zone_table *z = zones_new();
    struct rule_set *rs =
        set_of(z, "alert modbus request function read_coils, write_single_coil msg \"a\" sid 1\n"
                  "alert modbus not op READ msg \"b\" sid 2\n"
                  "alert modbus response exception msg \"c\" sid 3\n"
                  "alert any anomaly msg \"d\" sid 4\n"
                  "alert modbus not request msg \"e\" sid 5\n"
                  "alert modbus function 1-4 unit 7 msg \"f\" sid 6\n"
                  "alert modbus request detail.x msg \"g\" sid 7\n"
                  "alert modbus function 3 not exception msg \"h\" sid 8\n");
    FAIL_IF_NOT(rs);
    static const struct {
        uint32_t fc;
        const char *name;
        enum ot_op op;
    } funcs[] = {{1, "read_coils", OT_OP_READ},
                 {3, "read_holding_registers", OT_OP_READ},
                 {5, "write_single_coil", OT_OP_WRITE},
                 {8, "diagnostics", OT_OP_DIAGNOSTIC},
                 {99, NULL, OT_OP_OTHER}};
    struct rules_event ev;
    memset(&ev, 0, sizeof(ev));
    ep4(&ev.src, 0, "10.2.0.5", z);
    ep4(&ev.dst, 1, "10.1.1.20", z);
    struct ot_msg m;
    struct hits h;
    int total = 0;
    for (int round = 0; round < 2; round++)
        for (size_t f = 0; f < sizeof(funcs) / sizeof(funcs[0]); f++)
            for (int bits = 0; bits < 64; bits++) {
                msg_init(&m, OT_PROTO_MODBUS, funcs[f].fc, funcs[f].name, funcs[f].op);
                m.has_function = !(bits & 1);
                m.dir = (bits & 2) ? OT_DIR_RESPONSE : OT_DIR_REQUEST;
                m.has_unit = true;
                m.unit = (bits & 4) ? 7 : 8;
                if (bits & 8)
                    ot_msg_set_exception(&m, 2, "illegal_data_address");
                if (bits & 16)
                    m.anomaly = "trailing_bytes";
                if (bits & 32)
                    m.op_class = OT_OP_WRITE; /* a dissector may class one code two ways */
                int n = match_msg(rs, &m, &ev, &h);
                FAIL_IF(n < 0);
                total += n;
            }
    FAIL_IF(total == 0);
    /* a known answer: a request reading coils of unit 7 */
    msg_init(&m, OT_PROTO_MODBUS, 1, "read_coils", OT_OP_READ);
    m.has_unit = true;
    m.unit = 7;
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 2 || h.sid[0] != 1 || h.sid[1] != 6);
    /* a protocol past the table: the `any` rules only */
    m.proto = OT_PROTO_COUNT + 5;
    m.anomaly = "x";
    FAIL_IF(match_msg(rs, &m, &ev, &h) != 1 || h.sid[0] != 4);
    rules_free(rs);
    /* more candidates than a cache remembers */
    size_t cap = 4200 * 40, len = 0;
    char *text = malloc(cap);
    FAIL_IF_NOT(text);
    for (int i = 0; i < 4200; i++)
        len += (size_t)snprintf(text + len, cap - len, "alert modbus msg \"m\" sid %d\n", i + 1);
    rs = set_of(z, text);
    free(text);
    FAIL_IF_NOT(rs);
    const uint32_t *idx;
    FAIL_IF(rules_msg_candidates(rs, classes, &m, &idx) != 0); /* no `any` rule */
    m.proto = OT_PROTO_MODBUS;
    FAIL_IF(rules_msg_candidates(rs, classes, &m, &idx) != -1);
    rules_free(rs);
    zone_table_free(z);
    PASS;
}

static const struct unit_test tests[] = {
    {"built-in rule files parse, each with kind, technique, tactic", test_builtin_files_parse},
    {"a full rule with continuations, sets, metadata", test_parse_full_rule},
    {"error messages with file:line:column", test_parse_errors},
    {"the parser reports every problem and keeps the good rules", test_parse_carries_on},
    {"a user rule replaces the built-in rule of its sid", test_builtin_override},
    {"files and directories of rules", test_path_and_directory},
    {"matching: function, unit, address, value, exception, anomaly", test_match_message_fields},
    {"matching: detail paths, arrays, strings, absence", test_match_detail},
    {"matching: endpoints (sets, CIDR, zones, levels, ports, MAC)", test_match_endpoints},
    {"matching: flow triggers, app, risk, server name, conditions", test_match_flow_events},
    {"the index keeps every applicable rule in load order", test_index_order},
    {"message classes: the same hits, remembered per class", test_message_classes},
    {"address lists: nesting, duplicates, edges, IPv6", test_iplist},
    {"domain sets: suffixes at label boundaries", test_domset},
    {"IOC files: text and CSV, descriptions, bad lines", test_ioc_files},
    {"tuning: disable, suppress, severity, threshold, scopes", test_tuning},
    {"tuning error messages", test_tuning_errors},
    {"trackers: thresholds, distinct counts, bounds", test_tracker},
    {"GOOSE stNum/sqNum state", test_goose_tracker},
    {"ARP bindings", test_arp_tracker},
    {"shared TLS certificates", test_cert_tracker},
    {"SNMP and HTTP basic auth sniffers", test_sniffers},
    {"zones, internal networks, conduits", test_zones},
    {"GeoIP policy lists", test_geo_policy_lists},
    {"ATT&CK for ICS tactics", test_mitre},
    {NULL, NULL},
};

UNIT_MAIN(tests)
