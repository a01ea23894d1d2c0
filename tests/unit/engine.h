/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: runs frames through a real worker for the engine's unit tests and
 * collects the events it writes (the output queue, read directly). */
#ifndef OT_TEST_ENGINE_H
#define OT_TEST_ENGINE_H

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "decode.h"
#include "frames.h"
#include "output.h"
#include "worker.h"

struct engine {
    struct conf conf;
    struct output out;
    struct output_queue *q;
    struct worker w;
    uint64_t ts;
    json_t *events; /* array, filled by engine_finish */
};

static inline int engine_start(struct engine *e, void (*tune)(struct conf *))
{
    char err[256];
    memset(e, 0, sizeof(*e));
    conf_defaults(&e->conf);
    e->conf.stats_interval = 0;
    /* the tests resend identical frames on purpose (retransmissions): SPAN
     * duplicate removal would take them away; tests/pcaps/mirror-* test it */
    e->conf.dedup_window_us = 0;
    if (tune)
        tune(&e->conf);
    e->out.want = EV_ALL;
    e->q = output_queue_new(&e->out, 1 << 22, false);
    e->ts = 1700000000ULL * 1000000;
    return e->q && worker_init(&e->w, &e->conf, &e->out, e->q, err, sizeof(err)) == 0 ? 0 : -1;
}

/* Sends one TCP/UDP frame; ts advances by step microseconds. */
static inline void engine_send(struct engine *e, const struct frame_spec *s, const void *payload,
                               size_t n, uint64_t step)
{
    uint8_t buf[2048];
    size_t len = frame_build(buf, s, payload, n);
    e->ts += step;
    worker_packet(&e->w, LINK_ETHERNET, e->ts, buf, (uint32_t)len, (uint32_t)len);
}

/* Ends the input and parses every event written. */
static inline void engine_finish(struct engine *e)
{
    worker_finish(&e->w);
    e->events = json_array();
    uint32_t type;
    const uint8_t *data;
    size_t len;
    while (spsc_peek(&e->q->ring, &type, &data, &len)) {
        json_t *ev = json_loadb((const char *)data, len, 0, NULL);
        if (ev)
            json_array_append_new(e->events, ev);
        spsc_pop(&e->q->ring, len);
    }
}

static inline void engine_stop(struct engine *e)
{
    worker_fini(&e->w);
    output_stop(&e->out);
    json_decref(e->events);
}

/* Counts events of a type; with a non-NULL path "a.b", only those where that
 * member equals the integer v. */
static inline size_t engine_count(const struct engine *e, const char *type, const char *obj,
                                  const char *key, json_int_t v)
{
    size_t n = 0, i;
    json_t *ev;
    json_array_foreach(e->events, i, ev)
    {
        if (strcmp(json_string_value(json_object_get(ev, "event_type")), type) != 0)
            continue;
        if (obj) {
            json_t *o = json_object_get(ev, obj);
            json_t *m = o ? json_object_get(o, key) : NULL;
            if (!m || json_integer_value(m) != v)
                continue;
        }
        n++;
    }
    return n;
}

/* The first event of a type, or NULL. */
static inline json_t *engine_first(const struct engine *e, const char *type)
{
    size_t i;
    json_t *ev;
    json_array_foreach(e->events, i, ev)
    {
        if (strcmp(json_string_value(json_object_get(ev, "event_type")), type) == 0)
            return ev;
    }
    return NULL;
}

static inline json_int_t json_path_int(json_t *ev, const char *a, const char *b)
{
    json_t *o = json_object_get(ev, a);
    return o ? json_integer_value(json_object_get(o, b)) : -1;
}

#endif
