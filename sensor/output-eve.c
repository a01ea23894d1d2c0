/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the EVE sink: JSON lines to a file or stdout, optionally one file
 * per event type, reopened on SIGHUP (logrotate's postrotate), with an fsync
 * policy.  A write that fails (a full disk) loses the events in that write:
 * they are counted and reported once per episode, and the other sinks go on. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "output-private.h"

#define EVE_BUF (256 * 1024)

/* One file and what is buffered for it. */
struct eve_file {
    int fd;
    bool is_stdout;
    char path[1200];
    char *buf;
    size_t len;
    uint32_t events;              /* in buf */
    uint32_t types[EV_COUNT + 1]; /* per type in buf, to count what a failed write lost */
    bool failing;                 /* reported; quiet until a write succeeds */
    uint64_t lost_since;
    bool dirty;
};

struct eve_sink {
    struct sink base;
    uint32_t split; /* types with a file of their own */
    uint32_t fsync_policy;
    struct eve_file main;
    struct eve_file *per_type[EV_COUNT];
};

static int file_open(struct eve_file *f, char *err, size_t errlen)
{
    if (f->is_stdout) {
        f->fd = STDOUT_FILENO;
        return 0;
    }
    f->fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (f->fd < 0) {
        snprintf(err, errlen, "%s: cannot open for writing: %s", f->path, strerror(errno));
        return -1;
    }
    return 0;
}

static struct eve_file *file_new(const char *path, char *err, size_t errlen)
{
    struct eve_file *f = calloc(1, sizeof(*f));
    if (!f || !(f->buf = malloc(EVE_BUF))) {
        free(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    f->is_stdout = strcmp(path, "-") == 0;
    snprintf(f->path, sizeof(f->path), "%s", f->is_stdout ? "stdout" : path);
    if (file_open(f, err, errlen) != 0) {
        free(f->buf);
        free(f);
        return NULL;
    }
    return f;
}

static void file_flush(struct eve_sink *e, struct eve_file *f)
{
    if (f->len == 0)
        return;
    struct sink *s = &e->base;
    size_t off = 0;
    int saved = 0;
    while (off < f->len) {
        ssize_t w = write(f->fd, f->buf + off, f->len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            saved = w < 0 ? errno : ENOSPC;
            break;
        }
        off += (size_t)w;
    }
    if (off == f->len) {
        for (int t = 0; t < EV_COUNT; t++)
            if (f->types[t])
                atomic_fetch_add_explicit(&s->c.delivered[t], f->types[t], memory_order_relaxed);
        if (f->failing) {
            ot_warn("%s: writing again after %llu lost events", f->path,
                    (unsigned long long)f->lost_since);
            f->failing = false;
            f->lost_since = 0;
            atomic_store_explicit(&s->c.up, 1, memory_order_relaxed);
        }
        f->dirty = true;
    } else {
        /* a line cut in the middle would corrupt the next one: take its
         * start back (a regular file: the disk is full, a newline would not
         * fit either), or end it */
        size_t keep = off;
        while (keep > 0 && f->buf[keep - 1] != '\n')
            keep--;
        struct stat st;
        if (keep < off && !(fstat(f->fd, &st) == 0 && S_ISREG(st.st_mode) &&
                            st.st_size >= (off_t)(off - keep) &&
                            ftruncate(f->fd, st.st_size - (off_t)(off - keep)) == 0) &&
            write(f->fd, "\n", 1) < 0)
            saved = errno;
        atomic_fetch_add_explicit(&s->c.lost, f->events, memory_order_relaxed);
        atomic_fetch_add_explicit(&s->c.errors, 1, memory_order_relaxed);
        if (f->types[EV_ALERT])
            atomic_fetch_add_explicit(&s->out->lost_alerts, f->types[EV_ALERT],
                                      memory_order_relaxed);
        f->lost_since += f->events;
        if (!f->failing) {
            ot_err("%s: cannot write: %s; events are lost until it can (counted in stats "
                   "outputs.eve.lost); the other outputs go on",
                   f->path, strerror(saved));
            f->failing = true;
            atomic_store_explicit(&s->c.up, 0, memory_order_relaxed);
        }
    }
    f->len = 0;
    f->events = 0;
    memset(f->types, 0, sizeof(f->types));
    if (e->fsync_policy == CONF_FSYNC_ALWAYS && f->dirty && !f->is_stdout) {
        fdatasync(f->fd);
        f->dirty = false;
    }
}

static void eve_deliver(struct sink *s, uint32_t type, const uint8_t *data, size_t len)
{
    struct eve_sink *e = (struct eve_sink *)s;
    struct eve_file *f = e->per_type[type] ? e->per_type[type] : &e->main;
    if (f->fd < 0) {
        atomic_fetch_add_explicit(&s->c.lost, 1, memory_order_relaxed);
        return;
    }
    if (f->len + len + 1 > EVE_BUF)
        file_flush(e, f);
    if (len + 1 > EVE_BUF) {
        /* a line longer than the buffer goes out on its own */
        struct eve_file tmp = *f;
        char *big = malloc(len + 1);
        if (!big) {
            atomic_fetch_add_explicit(&s->c.lost, 1, memory_order_relaxed);
            return;
        }
        memcpy(big, data, len);
        big[len] = '\n';
        tmp.buf = big;
        tmp.len = len + 1;
        tmp.events = 1;
        memset(tmp.types, 0, sizeof(tmp.types));
        tmp.types[type] = 1;
        file_flush(e, &tmp);
        f->failing = tmp.failing;
        f->lost_since = tmp.lost_since;
        f->dirty = tmp.dirty;
        free(big);
        return;
    }
    memcpy(f->buf + f->len, data, len);
    f->buf[f->len + len] = '\n';
    f->len += len + 1;
    f->events++;
    f->types[type]++;
}

static void eve_flush(struct sink *s)
{
    struct eve_sink *e = (struct eve_sink *)s;
    file_flush(e, &e->main);
    for (int t = 0; t < EV_COUNT; t++)
        if (e->per_type[t])
            file_flush(e, e->per_type[t]);
}

static void sync_file(struct eve_file *f)
{
    if (f->dirty && !f->is_stdout && f->fd >= 0) {
        fdatasync(f->fd);
        f->dirty = false;
    }
}

static void writeback_file(struct eve_file *f)
{
    if (f->dirty && !f->is_stdout && f->fd >= 0) {
        output_writeback(f->fd);
        f->dirty = false;
    }
}

static void eve_second(struct sink *s)
{
    struct eve_sink *e = (struct eve_sink *)s;
    if (e->fsync_policy != CONF_FSYNC_SECOND)
        return;
    writeback_file(&e->main);
    for (int t = 0; t < EV_COUNT; t++)
        if (e->per_type[t])
            writeback_file(e->per_type[t]);
}

static void reopen_file(struct eve_sink *e, struct eve_file *f)
{
    if (f->is_stdout)
        return;
    file_flush(e, f);
    sync_file(f);
    if (f->fd >= 0)
        close(f->fd);
    char err[OT_ERRBUF_SIZE];
    if (file_open(f, err, sizeof(err)) != 0)
        ot_err("%s (events to it are lost until the next SIGHUP)", err);
}

static void eve_reopen(struct sink *s)
{
    struct eve_sink *e = (struct eve_sink *)s;
    reopen_file(e, &e->main);
    for (int t = 0; t < EV_COUNT; t++)
        if (e->per_type[t])
            reopen_file(e, e->per_type[t]);
}

static void close_file(struct eve_sink *e, struct eve_file *f)
{
    file_flush(e, f);
    if (e->fsync_policy != CONF_FSYNC_NONE)
        sync_file(f);
    if (f->fd >= 0 && !f->is_stdout)
        close(f->fd);
    free(f->buf);
}

static void eve_close(struct sink *s)
{
    struct eve_sink *e = (struct eve_sink *)s;
    close_file(e, &e->main);
    for (int t = 0; t < EV_COUNT; t++)
        if (e->per_type[t]) {
            close_file(e, e->per_type[t]);
            free(e->per_type[t]);
        }
    free(e);
}

static const struct sink_ops eve_ops = {
    .deliver = eve_deliver,
    .flush = eve_flush,
    .second = eve_second,
    .idle = NULL,
    .reopen = eve_reopen,
    .close = eve_close,
};

struct sink *eve_sink_new(struct output *o, const char *path, uint32_t types, uint32_t split,
                          uint32_t fsync_policy, char *err, size_t errlen)
{
    struct eve_sink *e = sink_alloc(sizeof(*e), &eve_ops, "eve", types, o, err, errlen);
    if (!e)
        return NULL;
    e->fsync_policy = fsync_policy;
    atomic_store(&e->base.c.up, 1);
    struct eve_file *m = file_new(path, err, errlen);
    if (!m) {
        free(e);
        return NULL;
    }
    e->main = *m;
    free(m);
    /* eve.json -> eve-alert.json; stdout is never split */
    if (!e->main.is_stdout) {
        for (int t = 1; t < EV_COUNT; t++) {
            if (!(split & types & EV_MASK(t)))
                continue;
            char p[1200];
            const char *dot = strrchr(path, '.');
            const char *slash = strrchr(path, '/');
            if (dot && (!slash || dot > slash))
                snprintf(p, sizeof(p), "%.*s-%s%s", (int)(dot - path), path, ev_type_name(t), dot);
            else
                snprintf(p, sizeof(p), "%s-%s", path, ev_type_name(t));
            e->per_type[t] = file_new(p, err, errlen);
            if (!e->per_type[t]) {
                eve_close(&e->base);
                return NULL;
            }
        }
    }
    return &e->base;
}
