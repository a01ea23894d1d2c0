/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the output side (DESIGN sections 9 and 10): workers hand finished
 * event lines to one output thread through bounded SPSC queues; the thread
 * runs a libevent loop that owns every sink (EVE files, Redis, syslog), the
 * on-disk spools and the HTTP endpoint, and never makes a worker wait on one.
 * Sinks live in output-<sink>.c; their shared internals in output-private.h. */
#ifndef OT_OUTPUT_H
#define OT_OUTPUT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evtype.h"
#include "spsc.h"

#define OUTPUT_MAX_WORKERS 64
#define OUTPUT_MAX_SINKS 8
#define OUTPUT_TICK_USEC 10000   /* the longest a queued non-alert event waits for the thread */
#define OUTPUT_DRAIN_BUDGET 4096 /* records moved before the loop serves the sockets again */
/* The least room a queue lends a writer (output_lend): most events are
 * under 2 KB; a larger one that does not fit moves to the writer's buffer
 * and is copied.  A record goes to the ring's start rather than into less
 * room before its end, so a ring cycle can leave this much unused. */
#define OUTPUT_SLOT_MIN 4096

struct event_base;
struct event;
struct conf;
struct sink;
struct http_api;
struct stats;
struct alert_stats;

/* What a worker publishes for /metrics (through its queue, so the output
 * thread reads a copy it owns, never the worker's live counters). */
struct output_snapshot {
    uint64_t now; /* packet time of the snapshot */
    uint64_t flows_active;
    uint64_t flows_evicted;
    uint64_t devices;       /* inventory size, when the inventory keeps one */
    uint64_t capture_drops; /* packets the capture lost (kernel, ring) */
    uint64_t alerts_raised;
    uint64_t alerts_written;
    uint64_t alerts_aggregated;
    bool final;
};

/* A queue record type beyond the event types: a struct output_snapshot
 * followed by a struct stats. */
#define OUTPUT_REC_SNAPSHOT 0x10000u

/* One worker's queue to the output thread. */
struct output_queue {
    struct spsc ring;
    struct output *out;
    int index;
    /* Replay waits for room (no event may be lost to a fast disk reader);
     * live capture must not stall the ring: it counts and drops, except
     * alerts, which go to the overflow spool below and keep their order. */
    bool block_when_full;
    _Atomic uint64_t dropped[EV_COUNT];
    _Atomic uint64_t waits; /* times the producer found the queue full */
    /* overflow spool (live only): written by the worker, read by the thread */
    int ovf_fd;
    _Atomic uint64_t ovf_written; /* bytes appended, ever */
    _Atomic uint64_t ovf_read;    /* bytes consumed by the thread, ever */
    _Atomic uint64_t ovf_base;    /* ever-offset of the file's byte 0 (after truncation) */
    _Atomic uint64_t ovf_events;  /* alerts that took the overflow path */
    uint64_t last_snapshot_ms;    /* worker side: wall clock of the last snapshot */
    bool lent;                    /* worker side: an event is being written in the ring */
};

struct output {
    uint32_t want; /* union of the sinks' event type masks (and the HTTP API's) */
    const struct conf *conf;
    char log_dir[1024];
    char spool_dir[1024];

    struct sink *sinks[OUTPUT_MAX_SINKS];
    int n_sinks;
    struct http_api *http;

    /* the thread */
    struct output_queue *queues[OUTPUT_MAX_WORKERS];
    int n_queues;
    pthread_t thread;
    bool running;
    struct event_base *base;
    struct event *wake_ev;
    struct event *timer_ev;
    int wake_fd; /* eventfd: a worker pushed while the thread slept */
    _Atomic int sleeping;
    _Atomic int stopping;
    _Atomic int reopen; /* SIGHUP: reopen files */
    uint64_t stop_deadline_ms;
    uint64_t last_second_ms;
    _Atomic uint64_t written[EV_COUNT]; /* events taken off the queues */
    _Atomic uint64_t lost_alerts;       /* alerts no sink could keep */
    uint64_t started_ms;

    /* the latest snapshot of each worker (output thread only) */
    struct output_snapshot *snap[OUTPUT_MAX_WORKERS];
    struct stats *snap_stats[OUTPUT_MAX_WORKERS];
    char sensor_name[256];
};

/* Before output_start: where eve.json and spools go, and the configuration
 * (kept by pointer for the life of the output). */
void output_init(struct output *o, const struct conf *c, const char *log_dir);
/* Opens the EVE sink: path "-" is stdout.  Before output_start. */
int output_open_eve(struct output *o, const char *path, uint32_t types, char *err, size_t errlen);
/* Opens the sinks the configuration enables (Redis, syslog, HTTP) after
 * checking their settings; err names the setting on failure.  live: the
 * HTTP endpoint's "auto" setting means on. */
int output_open_sinks(struct output *o, bool live, char *err, size_t errlen);
/* A queue for one worker, of cap bytes (rounded up to a power of two). */
struct output_queue *output_queue_new(struct output *o, size_t cap, bool block_when_full);
int output_start(struct output *o, char *err, size_t errlen);
/* Drains every queue, delivers what the sinks can take within
 * outputs.shutdown_timeout, spools the rest, closes every sink, joins the
 * thread.  Returns -1 if events were lost (a sink could neither deliver
 * nor spool them). */
int output_stop(struct output *o);
/* Async-signal-safe: reopen the files (SIGHUP, logrotate's postrotate). */
void output_request_reopen(struct output *o);

/* Is any sink interested in this type?  Checked before an event is built. */
static inline bool output_wants(const struct output *o, int type)
{
    return o && (o->want & EV_MASK(type)) != 0;
}

/* Worker side: queues one JSON object (no newline), copied.  q may be NULL
 * (a fuzz or unit harness with no sinks). */
void output_write(struct output_queue *q, int type, const char *json, size_t len);

struct jsonw;
/* Worker side, before an event is written: lends the writer the queue's
 * next record (jw_lend) when it has OUTPUT_SLOT_MIN bytes free, so that the
 * event is written where the output thread reads it, without a copy.  q
 * may be NULL. */
void output_lend(struct output_queue *q, struct jsonw *jw);
/* Queues the event written in the lent record (jw_lent): as output_write,
 * without the copy. */
void output_commit(struct output_queue *q, int type, const struct jsonw *jw);
/* Worker side: publishes counters for /metrics; at most ten times a second
 * of wall clock unless snap->final.  Never blocks: skipped when the queue
 * has no room. */
void output_publish(struct output_queue *q, const struct output_snapshot *snap,
                    const struct stats *s);

struct jsonw;
/* Worker side: writes the "outputs" object of the stats event (per sink:
 * events delivered by type, spooled, spool depth, lost, errors; per queue:
 * depth, drops).  Reads only atomics. */
void output_stats_json(const struct output *o, struct jsonw *jw);

#endif
