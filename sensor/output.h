/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the output side (DESIGN section 9): workers hand finished event
 * lines to one output thread through bounded SPSC queues; the thread runs a
 * libevent loop that owns every sink and never makes a worker wait on one. */
#ifndef OT_OUTPUT_H
#define OT_OUTPUT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "evtype.h"
#include "spsc.h"

#define OUTPUT_MAX_WORKERS 64
#define OUTPUT_TICK_USEC 10000 /* the longest a queued non-alert event waits for the thread */

struct event_base;
struct event;

/* One worker's queue to the output thread. */
struct output_queue {
    struct spsc ring;
    struct output *out;
    /* Replay waits for room (no event may be lost to a fast disk reader);
     * live capture must not stall the ring: it counts and drops. */
    bool block_when_full;
    _Atomic uint64_t dropped[EV_COUNT];
    _Atomic uint64_t waits; /* times the producer found the queue full */
};

struct output {
    uint32_t want; /* union of the sinks' event type masks */

    /* the EVE sink: a file or stdout */
    FILE *eve;
    bool eve_close;
    uint32_t eve_types;
    uint64_t eve_write_errors;
    char eve_path[4096];

    /* the thread */
    struct output_queue *queues[OUTPUT_MAX_WORKERS];
    int n_queues;
    pthread_t thread;
    bool running;
    struct event_base *base;
    struct event *wake_ev;
    struct event *timer_ev;
    int wake_fd;            /* eventfd: a worker pushed while the thread slept */
    _Atomic int sleeping;
    _Atomic int stopping;
    _Atomic uint64_t written[EV_COUNT];
};

/* Opens the EVE sink: path "-" is stdout.  Before output_start. */
int output_open_eve(struct output *o, const char *path, uint32_t types, char *err, size_t errlen);
/* A queue for one worker, of cap bytes (rounded up to a power of two). */
struct output_queue *output_queue_new(struct output *o, size_t cap, bool block_when_full);
int output_start(struct output *o, char *err, size_t errlen);
/* Drains every queue, flushes and closes every sink, joins the thread.
 * Returns -1 if anything could not be written. */
int output_stop(struct output *o);

/* Is any sink interested in this type?  Checked before an event is built. */
static inline bool output_wants(const struct output *o, int type)
{
    return o && (o->want & EV_MASK(type)) != 0;
}

/* Worker side: queues one JSON object (no newline), copied.  q may be NULL
 * (a fuzz or unit harness with no sinks). */
void output_write(struct output_queue *q, int type, const char *json, size_t len);

#endif
