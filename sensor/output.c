/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the output thread: a libevent loop woken by workers through an
 * eventfd, draining their queues into the sinks. */
#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "output.h"

int output_open_eve(struct output *o, const char *path, uint32_t types, char *err, size_t errlen)
{
    if (strcmp(path, "-") == 0) {
        o->eve = stdout;
        o->eve_close = false;
    } else {
        o->eve = fopen(path, "a");
        if (!o->eve) {
            snprintf(err, errlen, "%s: cannot open for writing: %s", path, strerror(errno));
            return -1;
        }
        o->eve_close = true;
    }
    /* full buffering; the thread flushes whenever it has drained the queues */
    setvbuf(o->eve, NULL, _IOFBF, 1 << 18);
    snprintf(o->eve_path, sizeof(o->eve_path), "%s", path);
    o->eve_types = types;
    o->want |= types;
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
    q->block_when_full = block_when_full;
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

void output_write(struct output_queue *q, int type, const char *json, size_t len)
{
    if (!q)
        return;
    while (!spsc_push(&q->ring, (uint32_t)type, json, len)) {
        if (!q->block_when_full || spsc_rec_size(len) > q->ring.cap) {
            atomic_fetch_add_explicit(&q->dropped[type], 1, memory_order_relaxed);
            return;
        }
        atomic_fetch_add_explicit(&q->waits, 1, memory_order_relaxed);
        wake(q->out);
        struct timespec ts = {0, 50000};
        nanosleep(&ts, NULL);
    }
    /* a wake-up is a system call: only alerts (latency matters) and a
     * filling queue ask for one; the thread's timer picks up the rest */
    if (type == EV_ALERT || spsc_used(&q->ring) > q->ring.cap / 4)
        wake(q->out);
}

static void sink_write(struct output *o, uint32_t type, const uint8_t *data, size_t len)
{
    if (o->eve && (o->eve_types & EV_MASK(type))) {
        if (fwrite(data, 1, len, o->eve) != len || putc('\n', o->eve) == EOF)
            o->eve_write_errors++;
    }
    atomic_fetch_add_explicit(&o->written[type], 1, memory_order_relaxed);
}

/* Moves everything queued into the sinks; returns how many events moved. */
static size_t drain(struct output *o)
{
    size_t moved = 0;
    for (int i = 0; i < o->n_queues; i++) {
        struct output_queue *q = o->queues[i];
        uint32_t type;
        const uint8_t *data;
        size_t len;
        while (spsc_peek(&q->ring, &type, &data, &len)) {
            sink_write(o, type, data, len);
            spsc_pop(&q->ring, len);
            moved++;
        }
    }
    return moved;
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
    for (;;) {
        atomic_store_explicit(&o->sleeping, 0, memory_order_release);
        while (drain(o) > 0)
            ;
        if (o->eve)
            fflush(o->eve);
        /* announce the sleep, then look once more: a push in between must
         * either be seen here or see `sleeping` and write the eventfd */
        atomic_store_explicit(&o->sleeping, 1, memory_order_seq_cst);
        if (drain(o) == 0)
            break;
    }
    if (atomic_load_explicit(&o->stopping, memory_order_acquire))
        event_base_loopbreak(o->base);
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
    while (drain(o) > 0)
        ;
    return NULL;
}

int output_start(struct output *o, char *err, size_t errlen)
{
    o->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
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
    atomic_store(&o->sleeping, 1);
    if (pthread_create(&o->thread, NULL, output_main, o) != 0) {
        snprintf(err, errlen, "output thread: cannot start: %s", strerror(errno));
        return -1;
    }
    o->running = true;
    return 0;
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
        drain(o);
    }
    if (o->wake_ev)
        event_free(o->wake_ev);
    if (o->timer_ev)
        event_free(o->timer_ev);
    if (o->base)
        event_base_free(o->base);
    if (o->wake_fd > 0)
        close(o->wake_fd);
    for (int i = 0; i < o->n_queues; i++) {
        free(o->queues[i]->ring.buf);
        free(o->queues[i]);
    }
    o->n_queues = 0;
    int rc = 0;
    if (o->eve) {
        if (fflush(o->eve) != 0 || o->eve_write_errors) {
            ot_err("%s: events could not be written: %s", o->eve_path, strerror(errno));
            rc = -1;
        }
        if (o->eve_close && fclose(o->eve) != 0)
            rc = -1;
        o->eve = NULL;
    }
    return rc;
}
