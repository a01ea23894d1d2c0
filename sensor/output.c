/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the output thread: a libevent loop woken by workers through an
 * eventfd, draining their queues into the sinks; the worker side of the
 * queues (with the overflow spool that keeps alerts when a live worker's
 * queue is full); shutdown within a deadline; counters for the stats event. */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "jsonw.h"
#include "log.h"
#include "output-private.h"
#include "stats.h"

void output_writeback(int fd)
{
    if (sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE) != 0 && errno == ESPIPE)
        return; /* not a file */
}

uint64_t output_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void output_init(struct output *o, const struct conf *c, const char *log_dir)
{
    o->conf = c;
    o->wake_fd = -1;
    snprintf(o->log_dir, sizeof(o->log_dir), "%s", log_dir ? log_dir : ".");
    if (c && c->spool_dir[0])
        snprintf(o->spool_dir, sizeof(o->spool_dir), "%s", c->spool_dir);
    else
        snprintf(o->spool_dir, sizeof(o->spool_dir), "%s", o->log_dir);
    snprintf(o->sensor_name, sizeof(o->sensor_name), "%s", c ? c->sensor_name : "otsensor");
}

int output_add_sink(struct output *o, struct sink *s)
{
    if (o->n_sinks >= OUTPUT_MAX_SINKS)
        return -1;
    s->out = o;
    o->sinks[o->n_sinks++] = s;
    o->want |= s->types;
    return 0;
}

void *sink_alloc(size_t size, const struct sink_ops *ops, const char *name, uint32_t types,
                 struct output *o, char *err, size_t errlen)
{
    struct sink *s = calloc(1, size);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->ops = ops;
    s->name = name;
    s->types = types;
    s->out = o;
    return s;
}

void reconnect_init(struct reconnect *rc, struct output *o,
                    void (*cb)(evutil_socket_t, short, void *), void *arg)
{
    rc->ev = evtimer_new(output_base(o), cb, arg);
    rc->backoff_ms = 0;
    struct timeval now = {0, 0};
    evtimer_add(rc->ev, &now);
}

void reconnect_later(struct reconnect *rc, uint32_t max_s)
{
    uint32_t max = max_s * 1000;
    rc->backoff_ms = rc->backoff_ms ? rc->backoff_ms * 2 : 200;
    if (rc->backoff_ms > max)
        rc->backoff_ms = max;
    struct timeval tv = {rc->backoff_ms / 1000, (rc->backoff_ms % 1000) * 1000};
    event_add(rc->ev, &tv);
}

void reconnect_done(struct reconnect *rc)
{
    rc->backoff_ms = 0;
}

void reconnect_fini(struct reconnect *rc)
{
    if (rc->ev)
        event_free(rc->ev);
    rc->ev = NULL;
}

int output_open_eve(struct output *o, const char *path, uint32_t types, char *err, size_t errlen)
{
    const struct conf *c = o->conf;
    struct sink *s = eve_sink_new(o, path, types, c ? c->eve_split_types : 0,
                                  c ? c->eve_fsync : CONF_FSYNC_NONE, err, errlen);
    if (!s)
        return -1;
    return output_add_sink(o, s);
}

int output_open_sinks(struct output *o, bool live, char *err, size_t errlen)
{
    const struct conf *c = o->conf;
    if (!c)
        return 0;
    if (c->redis_enabled || c->redis_url[0]) {
        struct sink *s = redis_sink_new(o, err, errlen);
        if (!s || output_add_sink(o, s) != 0)
            return -1;
    }
    if (c->syslog_enabled || c->syslog_url[0]) {
        struct sink *s = syslog_sink_new(o, err, errlen);
        if (!s || output_add_sink(o, s) != 0)
            return -1;
    }
    if (c->http_enabled == CONF_ON || (c->http_enabled == CONF_AUTO && live)) {
        if (http_open(o, c->http_listen, err, errlen) != 0)
            return -1;
        /* the API keeps recent alerts and the assets, whatever the sinks want */
        o->want |= EV_MASK(EV_ALERT) | EV_MASK(EV_ASSET);
    }
    return 0;
}

struct output_queue *output_queue_new(struct output *o, size_t cap, bool block_when_full)
{
    if (o->n_queues >= OUTPUT_MAX_WORKERS)
        return NULL;
    size_t c = 1 << 16;
    while (c < cap)
        c <<= 1;
    struct output_queue *q = calloc(1, sizeof(*q));
    if (!q)
        return NULL;
    q->ring.buf = malloc(c);
    if (!q->ring.buf) {
        free(q);
        return NULL;
    }
    q->ring.cap = c;
    q->out = o;
    q->index = o->n_queues;
    q->block_when_full = block_when_full;
    q->ovf_fd = -1;
    if (!block_when_full && o->spool_dir[0]) {
        /* alerts that find the queue full go here, in order, and the thread
         * reads them back; the file lives beside the spools (a harness that
         * never called output_init has none) */
        char path[1200];
        snprintf(path, sizeof(path), "%s/overflow-%d.spool", o->spool_dir, q->index);
        q->ovf_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
        if (q->ovf_fd < 0)
            ot_warn("%s: cannot open the overflow spool: %s; alerts that find the queue full "
                    "will be lost",
                    path, strerror(errno));
        else
            unlink(path); /* private to this run: gone with the descriptor */
    }
    o->queues[o->n_queues++] = q;
    return q;
}

static void wake(struct output *o)
{
    if (atomic_load_explicit(&o->sleeping, memory_order_acquire)) {
        uint64_t one = 1;
        ssize_t r = write(o->wake_fd, &one, sizeof(one));
        (void)r; /* a full counter means the thread is already due to wake */
    }
}

void output_request_reopen(struct output *o)
{
    atomic_store_explicit(&o->reopen, 1, memory_order_release);
    if (o->wake_fd >= 0) {
        uint64_t one = 1;
        ssize_t r = write(o->wake_fd, &one, sizeof(one));
        (void)r;
    }
}

/* Worker: an alert that found the queue full (live capture) goes to the
 * overflow file; once there, every later alert of this worker follows it
 * until the thread has read the file to its end, so their order holds. */
static bool overflow_write(struct output_queue *q, int type, const char *json, size_t len)
{
    if (q->ovf_fd < 0)
        return false;
    uint64_t written = atomic_load_explicit(&q->ovf_written, memory_order_relaxed);
    uint64_t rd = atomic_load_explicit(&q->ovf_read, memory_order_acquire);
    if (rd == written && written != atomic_load_explicit(&q->ovf_base, memory_order_relaxed)) {
        /* the thread has everything: start the file again */
        if (ftruncate(q->ovf_fd, 0) == 0)
            atomic_store_explicit(&q->ovf_base, written, memory_order_relaxed);
    }
    uint8_t hdr[SPOOL_REC_HDR];
    size_t need = spool_encode_hdr(hdr, (uint32_t)type, json, len);
    struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)(uintptr_t)json, len}};
    if (writev(q->ovf_fd, iov, 2) != (ssize_t)need)
        return false;
    atomic_fetch_add_explicit(&q->ovf_events, 1, memory_order_relaxed);
    atomic_store_explicit(&q->ovf_written, written + need, memory_order_release);
    return true;
}

static bool overflow_pending(struct output_queue *q)
{
    return atomic_load_explicit(&q->ovf_read, memory_order_acquire) !=
           atomic_load_explicit(&q->ovf_written, memory_order_acquire);
}

/* After a record is queued: a wake-up is a system call, so only alerts
 * (latency matters) and a filling queue ask for one; the thread's timer
 * picks up the rest. */
static void wake_if_due(struct output_queue *q, int type)
{
    if (type == EV_ALERT || spsc_used(&q->ring) > q->ring.cap / 4)
        wake(q->out);
}

void output_write(struct output_queue *q, int type, const char *json, size_t len)
{
    if (!q)
        return;
    q->lent = false; /* an event that outgrew its slot: the slot is free again */
    /* alerts queued behind the overflow file keep their order */
    if (type == EV_ALERT && q->ovf_fd >= 0 && overflow_pending(q)) {
        if (!overflow_write(q, type, json, len))
            atomic_fetch_add_explicit(&q->dropped[type], 1, memory_order_relaxed);
        wake(q->out);
        return;
    }
    while (!spsc_push(&q->ring, (uint32_t)type, json, len)) {
        if (!q->block_when_full || spsc_rec_size(len) > q->ring.cap) {
            if (type == EV_ALERT && overflow_write(q, type, json, len)) {
                wake(q->out);
                return;
            }
            atomic_fetch_add_explicit(&q->dropped[type], 1, memory_order_relaxed);
            return;
        }
        atomic_fetch_add_explicit(&q->waits, 1, memory_order_relaxed);
        wake(q->out);
        struct timespec ts = {0, 50000};
        nanosleep(&ts, NULL);
    }
    wake_if_due(q, type);
}

void output_lend(struct output_queue *q, struct jsonw *jw)
{
    if (!q)
        return;
    size_t room;
    uint8_t *slot = spsc_slot(&q->ring, OUTPUT_SLOT_MIN, &room);
    q->lent = slot != NULL;
    if (slot)
        jw_lend(jw, (char *)slot, room);
}

void output_commit(struct output_queue *q, int type, const struct jsonw *jw)
{
    q->lent = false;
    /* alerts queued behind the overflow file keep their order */
    if (type == EV_ALERT && q->ovf_fd >= 0 && overflow_pending(q)) {
        if (!overflow_write(q, type, jw->buf, jw->len))
            atomic_fetch_add_explicit(&q->dropped[type], 1, memory_order_relaxed);
        wake(q->out);
        return;
    }
    spsc_commit(&q->ring, (uint8_t *)jw->buf, (uint32_t)type, jw->len);
    wake_if_due(q, type);
}

void output_publish(struct output_queue *q, const struct output_snapshot *snap,
                    const struct stats *s)
{
    if (!q)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    if (!snap->final && ms - q->last_snapshot_ms < 100)
        return;
    if (q->lent)
        return; /* the next record is an event being written: never between its start and end */
    q->last_snapshot_ms = ms;
    uint8_t buf[sizeof(*snap) + sizeof(*s)];
    memcpy(buf, snap, sizeof(*snap));
    memcpy(buf + sizeof(*snap), s, sizeof(*s));
    spsc_push(&q->ring, OUTPUT_REC_SNAPSHOT, buf, sizeof(buf));
}

/* ------------------------------------------------------------ output thread */

static void take_snapshot(struct output *o, int i, const uint8_t *data, size_t len)
{
    if (len != sizeof(struct output_snapshot) + sizeof(struct stats))
        return;
    if (!o->snap[i]) {
        o->snap[i] = calloc(1, sizeof(struct output_snapshot));
        o->snap_stats[i] = calloc(1, sizeof(struct stats));
        if (!o->snap[i] || !o->snap_stats[i])
            return;
    }
    memcpy(o->snap[i], data, sizeof(struct output_snapshot));
    memcpy(o->snap_stats[i], data + sizeof(struct output_snapshot), sizeof(struct stats));
}

static void dispatch(struct output *o, uint32_t type, const uint8_t *data, size_t len)
{
    if (type >= EV_COUNT)
        return;
    for (int i = 0; i < o->n_sinks; i++) {
        struct sink *s = o->sinks[i];
        if (s->types & EV_MASK(type))
            s->ops->deliver(s, type, data, len);
    }
    if (o->http && (type == EV_ALERT || type == EV_ASSET))
        http_event(o, type, data, len);
    atomic_fetch_add_explicit(&o->written[type], 1, memory_order_relaxed);
}

/* Reads what the worker put in its overflow file. */
static size_t drain_overflow(struct output *o, struct output_queue *q)
{
    size_t moved = 0;
    uint64_t w = atomic_load_explicit(&q->ovf_written, memory_order_acquire);
    uint64_t r = atomic_load_explicit(&q->ovf_read, memory_order_relaxed);
    uint64_t base = atomic_load_explicit(&q->ovf_base, memory_order_relaxed);
    while (r < w) {
        uint8_t h[SPOOL_REC_HDR];
        if (pread(q->ovf_fd, h, sizeof(h), (off_t)(r - base)) != (ssize_t)sizeof(h))
            break;
        uint32_t len =
            (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
        uint32_t type =
            (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
        uint8_t *buf = malloc(len + 1);
        if (!buf || pread(q->ovf_fd, buf, len, (off_t)(r - base + sizeof(h))) != (ssize_t)len) {
            free(buf);
            break;
        }
        dispatch(o, type, buf, len);
        free(buf);
        r += sizeof(h) + len;
        moved++;
    }
    if (r != w) {
        /* unreadable: count what is left as lost rather than spin */
        ot_err("output: the overflow spool of worker %d cannot be read back", q->index);
        r = w;
    }
    atomic_store_explicit(&q->ovf_read, r, memory_order_release);
    return moved;
}

/* Moves what is queued into the sinks, at most `budget` records per queue
 * (so the loop gets back to the sinks' sockets between batches); returns
 * how many moved. */
static size_t drain(struct output *o, size_t budget)
{
    size_t moved = 0;
    for (int i = 0; i < o->n_queues; i++) {
        struct output_queue *q = o->queues[i];
        uint32_t type;
        const uint8_t *data;
        size_t len;
        size_t n = 0;
        while (n++ < budget && spsc_peek(&q->ring, &type, &data, &len)) {
            if (type == OUTPUT_REC_SNAPSHOT)
                take_snapshot(o, i, data, len);
            else
                dispatch(o, type, data, len);
            spsc_pop(&q->ring, len);
            moved++;
        }
        /* the overflow file holds alerts younger than everything queued
         * before it began, so it is read after the queue */
        if (q->ovf_fd >= 0 && overflow_pending(q))
            moved += drain_overflow(o, q);
    }
    return moved;
}

static bool all_idle(struct output *o)
{
    for (int i = 0; i < o->n_sinks; i++)
        if (o->sinks[i]->ops->idle && !o->sinks[i]->ops->idle(o->sinks[i]))
            return false;
    return true;
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    struct output *o = arg;
    (void)what;
    uint64_t v;
    if (fd >= 0) {
        ssize_t r = read(fd, &v, sizeof(v));
        (void)r;
    }
    if (atomic_exchange_explicit(&o->reopen, 0, memory_order_acq_rel)) {
        for (int i = 0; i < o->n_sinks; i++)
            if (o->sinks[i]->ops->reopen)
                o->sinks[i]->ops->reopen(o->sinks[i]);
    }
    atomic_store_explicit(&o->sleeping, 0, memory_order_release);
    size_t moved = 0;
    size_t n;
    while (moved < OUTPUT_DRAIN_BUDGET && (n = drain(o, OUTPUT_DRAIN_BUDGET)) > 0)
        moved += n;
    for (int i = 0; i < o->n_sinks; i++)
        if (o->sinks[i]->ops->flush)
            o->sinks[i]->ops->flush(o->sinks[i]);
    if (moved >= OUTPUT_DRAIN_BUDGET) {
        /* more is waiting: let the loop serve the sockets, then come back */
        event_active(o->wake_ev, EV_READ, 0);
    } else {
        /* announce the sleep, then look once more: a push in between must
         * either be seen here or see `sleeping` and write the eventfd */
        atomic_store_explicit(&o->sleeping, 1, memory_order_seq_cst);
        if (drain(o, OUTPUT_DRAIN_BUDGET) > 0) {
            atomic_store_explicit(&o->sleeping, 0, memory_order_release);
            event_active(o->wake_ev, EV_READ, 0);
        }
    }
    uint64_t now = output_now_ms();
    if (now - o->last_second_ms >= 1000) {
        o->last_second_ms = now;
        for (int i = 0; i < o->n_sinks; i++)
            if (o->sinks[i]->ops->second)
                o->sinks[i]->ops->second(o->sinks[i]);
    }
    if (atomic_load_explicit(&o->stopping, memory_order_acquire)) {
        if (!o->stop_deadline_ms) {
            uint32_t t = o->conf ? o->conf->shutdown_timeout : 5;
            o->stop_deadline_ms = now + (uint64_t)t * 1000;
        }
        if (all_idle(o) || now >= o->stop_deadline_ms)
            event_base_loopbreak(o->base);
    }
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    on_wake(-1, what, arg);
    (void)fd;
}

static void *output_main(void *arg)
{
    struct output *o = arg;
    event_base_dispatch(o->base);
    while (drain(o, SIZE_MAX) > 0)
        ;
    return NULL;
}

int output_start(struct output *o, char *err, size_t errlen)
{
    o->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!o->base)
        o->base = event_base_new();
    if (o->wake_fd < 0 || !o->base) {
        snprintf(err, errlen, "output thread: cannot create its event loop: %s", strerror(errno));
        return -1;
    }
    o->wake_ev = event_new(o->base, o->wake_fd, EV_READ | EV_PERSIST, on_wake, o);
    if (!o->wake_ev || event_add(o->wake_ev, NULL) != 0) {
        snprintf(err, errlen, "output thread: cannot watch its wake-up descriptor");
        return -1;
    }
    /* events that did not ask for a wake-up wait at most this long */
    static const struct timeval tick = {0, OUTPUT_TICK_USEC};
    o->timer_ev = event_new(o->base, -1, EV_PERSIST, on_timer, o);
    if (!o->timer_ev || event_add(o->timer_ev, &tick) != 0) {
        snprintf(err, errlen, "output thread: cannot start its timer");
        return -1;
    }
    o->started_ms = o->last_second_ms = output_now_ms();
    if (o->http)
        http_start(o);
    atomic_store(&o->sleeping, 1);
    if (pthread_create(&o->thread, NULL, output_main, o) != 0) {
        snprintf(err, errlen, "output thread: cannot start: %s", strerror(errno));
        return -1;
    }
    o->running = true;
    return 0;
}

struct event_base *output_base(struct output *o)
{
    if (!o->base)
        o->base = event_base_new();
    return o->base;
}

int output_stop(struct output *o)
{
    if (o->running) {
        atomic_store_explicit(&o->stopping, 1, memory_order_release);
        uint64_t one = 1;
        ssize_t r = write(o->wake_fd, &one, sizeof(one));
        (void)r;
        pthread_join(o->thread, NULL);
        o->running = false;
    } else {
        drain(o, SIZE_MAX);
    }
    int rc = 0;
    for (int i = 0; i < o->n_sinks; i++) {
        struct sink *s = o->sinks[i];
        if (atomic_load(&s->c.lost))
            rc = -1;
        s->ops->close(s);
        o->sinks[i] = NULL;
    }
    o->n_sinks = 0;
    if (o->http)
        http_close(o);
    if (o->wake_ev)
        event_free(o->wake_ev);
    if (o->timer_ev)
        event_free(o->timer_ev);
    if (o->base)
        event_base_free(o->base);
    o->wake_ev = o->timer_ev = NULL;
    o->base = NULL;
    if (o->wake_fd >= 0)
        close(o->wake_fd);
    o->wake_fd = -1;
    for (int i = 0; i < o->n_queues; i++) {
        struct output_queue *q = o->queues[i];
        for (int t = 0; t < EV_COUNT; t++)
            if (t == EV_ALERT && atomic_load(&q->dropped[t])) {
                ot_err("output: %llu alerts lost: worker %d's queue was full and its overflow "
                       "spool could not take them",
                       (unsigned long long)atomic_load(&q->dropped[t]), i);
                rc = -1;
            }
        if (q->ovf_fd >= 0)
            close(q->ovf_fd);
        free(q->ring.buf);
        free(q);
        free(o->snap[i]);
        free(o->snap_stats[i]);
        o->snap[i] = NULL;
        o->snap_stats[i] = NULL;
    }
    o->n_queues = 0;
    return rc;
}

/* ------------------------------------------------------------ health alert */

void output_health_alert(struct output *o, const char *sink, const char *what, json_t *evidence)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[64], stamp[40];
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when, sizeof(when), "%s.%06ld+0000", stamp, ts.tv_nsec / 1000);
    char sig[300];
    snprintf(sig, sizeof(sig), "otsensor output %s: %s", sink, what);
    if (!evidence)
        evidence = json_object();
    json_object_set_new(evidence, "sink", json_string(sink));
    json_t *ev = json_pack(
        "{s:s, s:s, s:s, s:{s:s, s:s, s:i, s:i, s:s, s:s, s:i, s:s, s:{s:[], s:[]}, s:o}}",
        "timestamp", when, "sensor", o->sensor_name, "event_type", "alert", "alert", "action",
        "allowed", "kind", "sensor_health", "signature_id", 9000001, "rev", 1, "signature", sig,
        "category", "sensor_health", "severity", 1, "source", "builtin", "metadata", "mitre_attack",
        "mitre_tactic", "evidence", evidence);
    if (!ev)
        return;
    char *text = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    if (!text)
        return;
    dispatch(o, EV_ALERT, (const uint8_t *)text, strlen(text));
    free(text);
}

/* ------------------------------------------------------------ stats event */

static void put_nz(struct jsonw *jw, const char *k, uint64_t v)
{
    if (v)
        jw_ku64(jw, k, v);
}

void output_stats_json(const struct output *o, struct jsonw *jw)
{
    if (!o)
        return;
    jw_key(jw, "outputs");
    jw_obj_begin(jw);
    for (int i = 0; i < o->n_sinks; i++) {
        struct sink *s = o->sinks[i];
        if (!s)
            continue;
        const struct sink_counters *c = &s->c;
        jw_key(jw, s->name);
        jw_obj_begin(jw);
        jw_kbool(jw, "up", atomic_load_explicit(&c->up, memory_order_relaxed) != 0);
        jw_key(jw, "delivered");
        jw_obj_begin(jw);
        for (int t = 1; t < EV_COUNT; t++)
            put_nz(jw, ev_type_name(t),
                   atomic_load_explicit(&c->delivered[t], memory_order_relaxed));
        jw_obj_end(jw);
        jw_ku64(jw, "spooled", atomic_load_explicit(&c->spooled, memory_order_relaxed));
        jw_ku64(jw, "spool_events", atomic_load_explicit(&c->spool_events, memory_order_relaxed));
        jw_ku64(jw, "spool_bytes", atomic_load_explicit(&c->spool_bytes, memory_order_relaxed));
        jw_ku64(jw, "inflight", atomic_load_explicit(&c->inflight, memory_order_relaxed));
        jw_ku64(jw, "lost", atomic_load_explicit(&c->lost, memory_order_relaxed));
        jw_ku64(jw, "errors", atomic_load_explicit(&c->errors, memory_order_relaxed));
        put_nz(jw, "reconnects", atomic_load_explicit(&c->reconnects, memory_order_relaxed));
        jw_obj_end(jw);
    }
    jw_key(jw, "queues");
    jw_arr_begin(jw);
    for (int i = 0; i < o->n_queues; i++) {
        struct output_queue *q = o->queues[i];
        jw_obj_begin(jw);
        jw_ku64(jw, "bytes", spsc_used(&q->ring));
        jw_ku64(jw, "capacity", q->ring.cap);
        uint64_t dropped = 0;
        for (int t = 0; t < EV_COUNT; t++)
            dropped += atomic_load_explicit(&q->dropped[t], memory_order_relaxed);
        jw_ku64(jw, "dropped", dropped);
        put_nz(jw, "waits", atomic_load_explicit(&q->waits, memory_order_relaxed));
        put_nz(jw, "overflow_spooled", atomic_load_explicit(&q->ovf_events, memory_order_relaxed));
        jw_obj_end(jw);
    }
    jw_arr_end(jw);
    jw_obj_end(jw);
}
