/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: libFuzzer target for the rule language and the tuning file: byte
 * 0 bit 0 picks the tuning parser, else the rule parser; the rest is the
 * file's text.  A rule set that loads is finished (index built, sids
 * checked) and matched against a few messages and flow events on every
 * trigger, so what the parser accepted is also run.  Beyond the sanitizers:
 * every problem is formatted and every rule's fields are readable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const risk_names[64] = {
    [6] = "tls_selfsigned_certificate", [36] = "clear_text_credentials"};
static const struct rules_names names = {risk_names, 64};
static struct zone_table *zones;
static struct rules_problems pr;
static unsigned hits;

static void on_hit(void *arg, const struct rule_info *r)
{
    (void)arg;
    hits += r->sid != 0;
}

static void setup(void)
{
    char e[256];
    zones = zone_table_new();
    int cell = zone_add(zones, "cell_a", 1, e, sizeof(e));
    int it = zone_add(zones, "office", 4, e, sizeof(e));
    zone_add_network(zones, cell, "10.1.1.0/24", e, sizeof(e));
    zone_add_network(zones, it, "10.9.0.0/16", e, sizeof(e));
    zone_add_conduit(zones, "office", "cell_a", "modbus, tcp/502", false, e, sizeof(e));
    zone_build(zones, e, sizeof(e));
}

static void check_problems(void)
{
    char out[1024];
    if (pr.n > RULES_MAX_PROBLEMS || pr.n > pr.total)
        abort();
    for (unsigned i = 0; i < pr.n; i++) {
        rules_problem_format(&pr.p[i], out, sizeof(out));
        if (!memchr(out, 0, sizeof(out)))
            abort();
    }
}

static void run(const struct rule_set *rs)
{
    static const uint8_t a[16] = {10, 9, 0, 5}, b[16] = {10, 1, 1, 7};
    static const uint8_t mac[6] = {0, 0x80, 0xf4, 1, 2, 3};
    struct rules_event ev = {
        .src = {a, 4, mac, 40000, 1, true, false, "hmi", 0},
        .dst = {b, 4, NULL, 502, 0, true, false, "plc", 1},
        .l4 = 6,
        .proto = OT_PROTO_MODBUS,
        .app = "modbus",
        .risks = (1ULL << 6) | (1ULL << 36),
        .server_name = "plc.example",
        .facts = 0x5555,
    };
    static struct ot_msg m;
    static const struct {
        enum ot_proto p;
        uint32_t fc;
        const char *name;
        enum ot_op op;
    } msgs[] = {
        {OT_PROTO_MODBUS, 5, "write_single_coil", OT_OP_WRITE},
        {OT_PROTO_MODBUS, 90, "umas", OT_OP_PROGRAM},
        {OT_PROTO_DNP3, 13, "cold_restart", OT_OP_CONTROL},
        {OT_PROTO_S7COMM, 0x29, "plc_stop", OT_OP_CONTROL},
    };
    for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
        ot_msg_reset(&m, msgs[i].p);
        ot_msg_set_function(&m, msgs[i].fc, msgs[i].name, msgs[i].op);
        m.dir = OT_DIR_REQUEST;
        m.has_unit = true;
        m.unit = 1;
        ot_msg_add_range(&m, "holding_register", 0, 40001, 10);
        ot_kv_u64(&m.detail, "umas_code", 0x41);
        ot_kv_str(&m.detail, "name", "OutStation", 10);
        ev.proto = msgs[i].p;
        rules_match(rs, RT_MSG, &m, &ev, on_hit, NULL);
    }
    for (int t = 0; t < RT_COUNT; t++)
        if (t != RT_MSG)
            rules_match(rs, (enum rules_trigger)t, NULL, &ev, on_hit, NULL);
    size_t n = rules_count(rs);
    for (size_t i = 0; i < n; i++) {
        const struct rule_info *r = rules_info(rs, i);
        if (!r || !r->msg || !r->kind || strlen(r->msg) > 1 << 20)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!zones)
        setup();
    if (size < 1)
        return 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    memset(&pr, 0, sizeof(pr));
    if (data[0] & 1) {
        struct tuning *t = tuning_parse("fuzz.tuning", text, &pr);
        if (t) {
            struct rules_ep src = {NULL, 0, NULL, 0, ZONE_UNZONED, false, false, NULL, -1};
            struct tune_result res;
            for (uint32_t sid = 0; sid < 4; sid++)
                tuning_check(t, 3100001 + sid, "plc_stop", &src, &src, &res);
            (void)tuning_count(t);
        }
        tuning_free(t);
    } else {
        struct rule_set *rs = rules_new(zones, &names);
        rules_load_text(rs, "fuzz.rules", text, false, &pr);
        rules_finish(rs, &pr);
        if (pr.total == pr.warnings)
            run(rs);
        rules_free(rs);
    }
    check_problems();
    free(text);
    return 0;
}
