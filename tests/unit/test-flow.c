/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests of the flow table through a real worker: both
 * directions in one flow, eviction when full, timeouts on packet time,
 * stable flow ids. */
#include "engine.h"
#include "unit.h"

static void tiny_table(struct conf *c)
{
    c->max_flows = 16;
}

static size_t flows_ended(const struct engine *e, const char *reason)
{
    size_t n = 0, i;
    json_t *ev;
    json_array_foreach(e->events, i, ev)
    {
        json_t *fl = json_object_get(ev, "flow");
        if (fl && strcmp(json_string_value(json_object_get(fl, "reason")), reason) == 0)
            n++;
    }
    return n;
}

static int both_directions_one_flow(void)
{
    struct engine e;
    FAIL_IF(engine_start(&e, NULL) != 0);
    struct frame_spec a = {0x0a000001, 0x0a000002, 5000, 53, 17, 0, 0, 0, 0};
    struct frame_spec b = {0x0a000002, 0x0a000001, 53, 5000, 17, 0, 0, 0, 0};
    engine_send(&e, &a, "q", 1, 10);
    engine_send(&e, &b, "rr", 2, 10);
    engine_send(&e, &b, "rr", 2, 10);
    engine_finish(&e);
    json_t *f = engine_first(&e, "flow");
    FAIL_IF_NOT(engine_count(&e, "flow", NULL, NULL, 0) == 1);
    FAIL_IF_NOT(json_path_int(f, "flow", "pkts_toserver") == 1);
    FAIL_IF_NOT(json_path_int(f, "flow", "pkts_toclient") == 2);
    FAIL_IF_NOT(strcmp(json_string_value(json_object_get(f, "src_ip")), "10.0.0.1") == 0);
    FAIL_IF_NOT(json_integer_value(json_object_get(f, "dest_port")) == 53);
    engine_stop(&e);
    PASS;
}

static int eviction_when_full(void)
{
    struct engine e;
    FAIL_IF(engine_start(&e, tiny_table) != 0);
    struct frame_spec a = {0x0a000001, 0x0a000002, 0, 9999, 17, 0, 0, 0, 0};
    for (uint16_t i = 0; i < 20; i++) {
        a.sport = (uint16_t)(10000 + i);
        engine_send(&e, &a, "x", 1, 10);
    }
    engine_finish(&e);
    FAIL_IF_NOT(flows_ended(&e, "evicted") == 4);
    FAIL_IF_NOT(flows_ended(&e, "shutdown") == 16);
    json_t *s = json_object_get(engine_first(&e, "stats"), "stats");
    FAIL_IF_NOT(json_path_int(s, "flows", "evicted") == 4);
    FAIL_IF_NOT(json_path_int(s, "flows", "created") == 20);
    engine_stop(&e);
    PASS;
}

static int timeout_on_packet_time(void)
{
    struct engine e;
    FAIL_IF(engine_start(&e, NULL) != 0);
    struct frame_spec a = {0x0a000001, 0x0a000002, 5000, 9999, 17, 0, 0, 0, 0};
    struct frame_spec b = {0x0a000001, 0x0a000002, 5001, 9999, 17, 0, 0, 0, 0};
    engine_send(&e, &a, "x", 1, 10);
    /* 200 s later (UDP times out after 120 s) */
    engine_send(&e, &b, "x", 1, 200ULL * 1000000);
    engine_send(&e, &b, "x", 1, 2ULL * 1000000);
    engine_finish(&e);
    FAIL_IF_NOT(flows_ended(&e, "timeout") == 1);
    FAIL_IF_NOT(flows_ended(&e, "shutdown") == 1);
    engine_stop(&e);
    PASS;
}

static int stable_flow_ids(void)
{
    json_int_t ids[2];
    for (int run = 0; run < 2; run++) {
        struct engine e;
        FAIL_IF(engine_start(&e, NULL) != 0);
        struct frame_spec a = {0x0a000001, 0x0a000002, 5000, 53, 17, 0, 0, 0, 0};
        engine_send(&e, &a, "q", 1, 10);
        engine_finish(&e);
        ids[run] = json_integer_value(json_object_get(engine_first(&e, "flow"), "flow_id"));
        engine_stop(&e);
    }
    FAIL_IF_NOT(ids[0] == ids[1] && ids[0] > 0);
    PASS;
}

static const struct unit_test tests[] = {
    {"both_directions_one_flow", both_directions_one_flow},
    {"eviction_when_full", eviction_when_full},
    {"timeout_on_packet_time", timeout_on_packet_time},
    {"stable_flow_ids", stable_flow_ids},
    {NULL, NULL},
};

UNIT_MAIN(tests)
