/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the Redis sink: hiredis async on the output thread's libevent
 * loop; RPUSH (list), PUBLISH (channel) or XADD MAXLEN ~ (stream, the EVE
 * object in the entry's `event` field); AUTH (with an ACL user) and SELECT;
 * commands pipelined up to outputs.redis.pipeline in flight; reconnects with
 * backoff and spools while Redis is away or refuses.
 *
 * Once per connection the key's type is checked, so a key of the wrong type
 * is reported with what it is before Redis refuses every event.  Commands
 * Redis refuses (WRONGTYPE, OOM, NOAUTH, ...) are reported with Redis's own
 * message once per kind; the event is kept and sent again after a reconnect.
 *
 * Exactly once across a lost connection: events sent but not acknowledged
 * when the connection dropped may or may not have been executed.  For list
 * and stream, the first thing on the new connection is to read the key's
 * tail (LRANGE / XREVRANGE) and drop from the resend the events already
 * there; a channel has no memory, so those are published again. */
#include <ctype.h>
#include <errno.h>
#include <event2/event.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "output-private.h"

#define REDIS_CONNECT_TIMEOUT_MS 5000
#define REDIS_RECONCILE_SLACK 256 /* other writers' entries that may sit among ours */
#define REDIS_MAX_KINDS 8

enum rstate {
    R_DOWN,
    R_CONNECTING,
    R_SETUP,     /* AUTH, SELECT, TYPE in flight */
    R_RECONCILE, /* reading the tail */
    R_READY,
    R_CLOSING, /* a refusal: disconnecting */
};

struct redis_sink {
    struct sink base;
    struct relay rl;
    const struct conf *conf;
    redisAsyncContext *ac;
    enum rstate state;
    bool setup_failed;
    /* settings, after the URL */
    char host[256];
    unsigned port;
    char socket[256];
    char user[256];
    char password[256];
    unsigned db;
    char key[256];
    int mode;
    char maxlen[24];
    char where[700];
    struct reconnect retry;
    struct event *timeout_ev;
    char last_err[700];
    char kinds[REDIS_MAX_KINDS][32]; /* refusal kinds already reported */
    bool was_up;
    bool refusing; /* Redis refused; quiet until it takes an event again */
};

static void redis_pump(struct redis_sink *s);

static void set_up(struct redis_sink *s, bool up)
{
    atomic_store_explicit(&s->base.c.up, up ? 1 : 0, memory_order_relaxed);
}

static void report(struct redis_sink *s, const char *what)
{
    if (strcmp(s->last_err, what) == 0)
        return;
    snprintf(s->last_err, sizeof(s->last_err), "%s", what);
    ot_err("redis %s: %s; events are spooled and delivered in order when it is fixed", s->where,
           what);
}

/* A refusal, reported with Redis's message once per kind (its first word). */
static void report_refusal(struct redis_sink *s, const char *what, const char *msg)
{
    char kind[32];
    snprintf(kind, sizeof(kind), "%.*s", (int)strcspn(msg, " "), msg);
    for (int i = 0; i < REDIS_MAX_KINDS; i++) {
        if (strcmp(s->kinds[i], kind) == 0)
            return;
        if (!s->kinds[i][0]) {
            snprintf(s->kinds[i], sizeof(s->kinds[i]), "%s", kind);
            break;
        }
    }
    char line[600];
    snprintf(line, sizeof(line), "%s refused: %s", what, msg);
    s->last_err[0] = '\0';
    report(s, line);
    s->refusing = true;
}

static void lost_connection(struct redis_sink *s)
{
    s->ac = NULL;
    s->state = R_DOWN;
    set_up(s, false);
    evtimer_del(s->timeout_ev);
    relay_unsent(&s->rl);
    relay_gauges(&s->rl);
    reconnect_later(&s->retry, s->conf->redis_retry_max);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    struct redis_sink *s = ac->data;
    if (status != REDIS_OK) {
        char why[300];
        snprintf(why, sizeof(why), "connection lost: %s", ac->errstr);
        report(s, why);
    }
    atomic_fetch_add_explicit(&s->base.c.errors, status != REDIS_OK, memory_order_relaxed);
    lost_connection(s);
}

/* Refusal or failure of a setup command: disconnect and try again later. */
static void setup_failed(struct redis_sink *s, const char *what, const char *msg)
{
    if (s->setup_failed)
        return;
    s->setup_failed = true;
    report_refusal(s, what, msg);
    atomic_fetch_add_explicit(&s->base.c.errors, 1, memory_order_relaxed);
    s->state = R_CLOSING;
    redisAsyncDisconnect(s->ac);
}

static void on_setup_reply(redisAsyncContext *ac, void *r, void *priv)
{
    struct redis_sink *s = ac->data;
    redisReply *reply = r;
    const char *what = priv;
    if (!reply || s->setup_failed)
        return;
    if (reply->type == REDIS_REPLY_ERROR)
        setup_failed(s, what, reply->str);
}

static void on_type_reply(redisAsyncContext *ac, void *r, void *priv)
{
    struct redis_sink *s = ac->data;
    redisReply *reply = r;
    (void)priv;
    if (!reply || s->setup_failed)
        return;
    if (reply->type == REDIS_REPLY_ERROR) {
        setup_failed(s, "TYPE", reply->str);
        return;
    }
    const char *want = s->mode == CONF_REDIS_STREAM ? "stream" : "list";
    if (reply->type == REDIS_REPLY_STATUS && strcmp(reply->str, "none") != 0 &&
        strcmp(reply->str, want) != 0) {
        char msg[400];
        snprintf(msg, sizeof(msg),
                 "WRONGTYPE key '%s' holds a %s, not a %s: Redis would refuse every event "
                 "(outputs.redis.key, or delete the key)",
                 s->key, reply->str, want);
        setup_failed(s, "the key check", msg);
    }
}

/* Greedy backward match: are w[0..j) found in t, in order, ending anywhere? */
static bool prefix_delivered(struct pend **w, size_t j, const redisReply **t, size_t n)
{
    size_t ti = n;
    for (size_t k = j; k-- > 0;) {
        bool found = false;
        while (ti-- > 0) {
            if (t[ti]->len == w[k]->len && memcmp(t[ti]->str, w[k]->data, w[k]->len) == 0) {
                found = true;
                break;
            }
        }
        if (!found)
            return false;
    }
    return true;
}

static void on_tail_reply(redisAsyncContext *ac, void *r, void *priv)
{
    struct redis_sink *s = ac->data;
    redisReply *reply = r;
    (void)priv;
    if (!reply || s->state != R_RECONCILE)
        return;
    size_t k = 0;
    for (struct pend *p = s->rl.head; p; p = p->next)
        k += !p->acked;
    if (reply->type == REDIS_REPLY_ARRAY && k) {
        struct pend **w = calloc(k, sizeof(*w));
        const redisReply **t = calloc(reply->elements + 1, sizeof(*t));
        size_t n = 0, i = 0;
        for (struct pend *p = s->rl.head; p && w; p = p->next)
            if (!p->acked)
                w[i++] = p;
        for (size_t e = 0; t && e < reply->elements; e++) {
            const redisReply *el = reply->element[e];
            if (s->mode == CONF_REDIS_LIST && el->type == REDIS_REPLY_STRING) {
                t[n++] = el;
            } else if (s->mode == CONF_REDIS_STREAM && el->type == REDIS_REPLY_ARRAY &&
                       el->elements == 2 && el->element[1]->type == REDIS_REPLY_ARRAY) {
                const redisReply *f = el->element[1];
                for (size_t x = 0; x + 1 < f->elements; x += 2)
                    if (f->element[x]->type == REDIS_REPLY_STRING &&
                        strcmp(f->element[x]->str, "event") == 0)
                        t[n++] = f->element[x + 1];
            }
        }
        if (s->mode == CONF_REDIS_STREAM) {
            /* XREVRANGE is newest first */
            for (size_t a = 0, b = n; a + 1 < b; a++, b--) {
                const redisReply *x = t[a];
                t[a] = t[b - 1];
                t[b - 1] = x;
            }
        }
        size_t done = 0;
        for (size_t j = k; w && t && j > 0; j--)
            if (prefix_delivered(w, j, t, n)) {
                done = j;
                break;
            }
        for (size_t d = 0; d < done; d++)
            w[d]->acked = true;
        if (done)
            ot_info("redis %s: %zu of %zu events unacknowledged at the disconnect were "
                    "already stored; not sent again",
                    s->where, done, k);
        free(w);
        free(t);
    }
    s->state = R_READY;
    relay_collect(&s->rl);
    redis_pump(s);
}

static void on_ready(redisAsyncContext *ac, void *r, void *priv)
{
    struct redis_sink *s = ac->data;
    (void)priv;
    if (!r || s->setup_failed)
        return;
    evtimer_del(s->timeout_ev);
    set_up(s, true);
    /* after a refusal the connection is only a try: the backoff goes on
     * and nothing is said until Redis takes an event */
    if (!s->refusing) {
        reconnect_done(&s->retry);
        if (s->last_err[0] || s->was_up)
            ot_warn("redis %s: connected; %llu spooled events to deliver", s->where,
                    (unsigned long long)s->rl.sp.unread);
        s->last_err[0] = '\0';
    }
    if (s->was_up)
        atomic_fetch_add_explicit(&s->base.c.reconnects, 1, memory_order_relaxed);
    s->was_up = true;
    bool unacked = false;
    for (struct pend *p = s->rl.head; p; p = p->next)
        unacked |= !p->acked;
    if (unacked && s->mode != CONF_REDIS_CHANNEL) {
        size_t n = s->rl.n + REDIS_RECONCILE_SLACK;
        char count[24];
        snprintf(count, sizeof(count), "%zu", n);
        char neg[24];
        snprintf(neg, sizeof(neg), "-%zu", n);
        s->state = R_RECONCILE;
        if (s->mode == CONF_REDIS_LIST)
            redisAsyncCommand(ac, on_tail_reply, NULL, "LRANGE %s %s -1", s->key, neg);
        else
            redisAsyncCommand(ac, on_tail_reply, NULL, "XREVRANGE %s + - COUNT %s", s->key, count);
        return;
    }
    s->state = R_READY;
    redis_pump(s);
}

static void on_connect(const redisAsyncContext *cac, int status)
{
    redisAsyncContext *ac = (redisAsyncContext *)cac;
    struct redis_sink *s = ac->data;
    if (status != REDIS_OK) {
        char why[300];
        snprintf(why, sizeof(why), "cannot connect: %s", ac->errstr);
        report(s, why);
        atomic_fetch_add_explicit(&s->base.c.errors, 1, memory_order_relaxed);
        /* hiredis frees the context after this callback */
        lost_connection(s);
        return;
    }
    s->state = R_SETUP;
    s->setup_failed = false;
    if (s->password[0]) {
        if (s->user[0])
            redisAsyncCommand(ac, on_setup_reply, "AUTH", "AUTH %s %s", s->user, s->password);
        else
            redisAsyncCommand(ac, on_setup_reply, "AUTH", "AUTH %s", s->password);
    }
    if (s->db)
        redisAsyncCommand(ac, on_setup_reply, "SELECT", "SELECT %u", s->db);
    if (s->mode != CONF_REDIS_CHANNEL)
        redisAsyncCommand(ac, on_type_reply, NULL, "TYPE %s", s->key);
    redisAsyncCommand(ac, on_ready, NULL, "PING");
}

static void try_connect(struct redis_sink *s)
{
    redisAsyncContext *ac =
        s->socket[0] ? redisAsyncConnectUnix(s->socket) : redisAsyncConnect(s->host, (int)s->port);
    if (!ac) {
        report(s, "cannot connect: out of memory");
        reconnect_later(&s->retry, s->conf->redis_retry_max);
        return;
    }
    if (ac->err) {
        char why[300];
        snprintf(why, sizeof(why), "cannot connect: %s", ac->errstr);
        report(s, why);
        atomic_fetch_add_explicit(&s->base.c.errors, 1, memory_order_relaxed);
        redisAsyncFree(ac);
        reconnect_later(&s->retry, s->conf->redis_retry_max);
        return;
    }
    ac->data = s;
    s->ac = ac;
    s->state = R_CONNECTING;
    redisLibeventAttach(ac, output_base(s->base.out));
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    struct timeval tv = {REDIS_CONNECT_TIMEOUT_MS / 1000, 0};
    evtimer_add(s->timeout_ev, &tv);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    try_connect(arg);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct redis_sink *s = arg;
    (void)fd;
    (void)what;
    if (!s->ac || s->state == R_READY)
        return;
    report(s, "no answer within 5 s (connect, AUTH or the key check)");
    redisAsyncContext *ac = s->ac;
    bool connected = s->state != R_CONNECTING;
    if (connected) {
        redisAsyncDisconnect(ac); /* the disconnect callback takes it from here */
        s->state = R_CLOSING;
        return;
    }
    redisAsyncFree(ac);
    lost_connection(s);
}

static void on_event_reply(redisAsyncContext *ac, void *r, void *priv)
{
    struct redis_sink *s = ac->data;
    redisReply *reply = r;
    struct pend *p = priv;
    if (!reply)
        return; /* the connection went: the event stays in the window */
    if (reply->type == REDIS_REPLY_ERROR) {
        const char *cmd = s->mode == CONF_REDIS_LIST      ? "RPUSH"
                          : s->mode == CONF_REDIS_CHANNEL ? "PUBLISH"
                                                          : "XADD";
        report_refusal(s, cmd, reply->str);
        atomic_fetch_add_explicit(&s->base.c.errors, 1, memory_order_relaxed);
        if (s->state != R_CLOSING) {
            s->state = R_CLOSING;
            set_up(s, false);
            redisAsyncDisconnect(ac);
        }
        return;
    }
    p->acked = true;
    if (s->refusing) {
        s->refusing = false;
        reconnect_done(&s->retry);
        s->last_err[0] = '\0';
        memset(s->kinds, 0, sizeof(s->kinds));
        ot_warn("redis %s: events accepted again; %llu spooled to deliver", s->where,
                (unsigned long long)s->rl.sp.unread);
    }
    if (relay_collect(&s->rl) && s->state == R_READY)
        redis_pump(s);
}

static void send_one(struct redis_sink *s, struct pend *p)
{
    const char *argv[8];
    size_t argl[8];
    int argc = 0;
#define ARG(str, n) (argv[argc] = (str), argl[argc] = (n), argc++)
    switch (s->mode) {
        case CONF_REDIS_LIST: ARG("RPUSH", 5); break;
        case CONF_REDIS_CHANNEL: ARG("PUBLISH", 7); break;
        default: ARG("XADD", 4); break;
    }
    ARG(s->key, strlen(s->key));
    if (s->mode == CONF_REDIS_STREAM) {
        if (s->maxlen[0]) {
            ARG("MAXLEN", 6);
            ARG("~", 1);
            ARG(s->maxlen, strlen(s->maxlen));
        }
        ARG("*", 1);
        ARG("event", 5);
    }
    ARG((const char *)p->data, p->len);
#undef ARG
    if (redisAsyncCommandArgv(s->ac, on_event_reply, p, argc, argv, argl) == REDIS_OK)
        p->sent = true;
}

static bool can_send(const struct redis_sink *s)
{
    return s->state == R_READY && s->ac;
}

static void redis_pump(struct redis_sink *s)
{
    if (can_send(s)) {
        if (s->rl.resend) {
            s->rl.resend = false;
            for (struct pend *p = s->rl.head; p && can_send(s); p = p->next)
                if (!p->sent && !p->acked)
                    send_one(s, p);
        }
        struct pend *p;
        while (can_send(s) && (p = relay_pump(&s->rl)))
            send_one(s, p);
    }
    relay_gauges(&s->rl);
}

static void redis_deliver(struct sink *base, uint32_t type, const uint8_t *data, size_t len)
{
    struct redis_sink *s = (struct redis_sink *)base;
    struct pend *p = relay_take(&s->rl, can_send(s), type, data, len);
    if (p)
        send_one(s, p);
}

static void redis_flush(struct sink *base)
{
    struct redis_sink *s = (struct redis_sink *)base;
    redis_pump(s);
}

static void redis_second(struct sink *base)
{
    struct redis_sink *s = (struct redis_sink *)base;
    spool_sync(&s->rl.sp, true);
    redis_pump(s);
}

static bool redis_idle(struct sink *base)
{
    struct redis_sink *s = (struct redis_sink *)base;
    return relay_idle(&s->rl);
}

static void redis_close(struct sink *base)
{
    struct redis_sink *s = (struct redis_sink *)base;
    if (s->ac) {
        /* the pending callbacks run with no reply: their events stay in the window */
        redisAsyncContext *ac = s->ac;
        s->ac = NULL;
        ac->onDisconnect = NULL;
        redisAsyncFree(ac);
    }
    size_t left = 0;
    for (struct pend *p = s->rl.head; p; p = p->next)
        left += !p->acked;
    left += s->rl.sp.unread;
    if (left)
        ot_warn("redis %s: %zu events not delivered%s%s", s->where, left,
                s->rl.have_spool ? "; kept for the next run in " : "",
                s->rl.have_spool ? s->rl.sp.path : "");
    relay_close(&s->rl);
    reconnect_fini(&s->retry);
    event_free(s->timeout_ev);
    free(s);
}

static const struct sink_ops redis_ops = {
    .deliver = redis_deliver,
    .flush = redis_flush,
    .second = redis_second,
    .idle = redis_idle,
    .reopen = NULL,
    .close = redis_close,
};

static int url_value(char *out, size_t outlen, const char *v, size_t n, const char *what, char *err,
                     size_t errlen)
{
    if (n >= outlen) {
        snprintf(err, errlen, "redis URL: %s is too long", what);
        return -1;
    }
    /* %XX escapes, so a password may hold any byte */
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '%' && i + 2 < n && isxdigit((unsigned char)v[i + 1]) &&
            isxdigit((unsigned char)v[i + 2])) {
            char hex[3] = {v[i + 1], v[i + 2], 0};
            out[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
            continue;
        }
        out[o++] = v[i];
    }
    out[o] = '\0';
    return 0;
}

/* redis://[[user]:password@]host[:port][/db][?mode=..&key=..&maxlen=..&types=..]
 * unix:///path/to/redis.sock[?db=..&password=..&user=..&mode=..&key=..] */
static int parse_url(struct redis_sink *s, const char *url, char *err, size_t errlen)
{
    const char *p;
    if (strncmp(url, "redis://", 8) == 0) {
        p = url + 8;
        const char *at = strchr(p, '@');
        const char *end = p + strcspn(p, "/?");
        if (at && at < end) {
            const char *colon = memchr(p, ':', (size_t)(at - p));
            if (colon) {
                if (url_value(s->user, sizeof(s->user), p, (size_t)(colon - p), "user", err,
                              errlen) ||
                    url_value(s->password, sizeof(s->password), colon + 1, (size_t)(at - colon - 1),
                              "password", err, errlen))
                    return -1;
            } else if (url_value(s->password, sizeof(s->password), p, (size_t)(at - p), "password",
                                 err, errlen)) {
                return -1;
            }
            p = at + 1;
        }
        size_t hn = strcspn(p, ":/?");
        if (hn) {
            if (hn >= sizeof(s->host)) {
                snprintf(err, errlen, "redis URL: host too long");
                return -1;
            }
            snprintf(s->host, sizeof(s->host), "%.*s", (int)hn, p);
        }
        p += hn;
        s->socket[0] = '\0';
        if (*p == ':') {
            char *e;
            unsigned long port = strtoul(p + 1, &e, 10);
            if (e == p + 1 || port == 0 || port > 65535 || (*e && *e != '/' && *e != '?')) {
                snprintf(err, errlen, "redis URL '%s': bad port", url);
                return -1;
            }
            s->port = (unsigned)port;
            p = e;
        }
        if (*p == '/') {
            p++;
            if (*p && *p != '?') {
                char *e;
                unsigned long db = strtoul(p, &e, 10);
                if (e == p || (*e && *e != '?') || db > 65535) {
                    snprintf(err, errlen, "redis URL '%s': the database is a number", url);
                    return -1;
                }
                s->db = (unsigned)db;
                p = e;
            }
        }
    } else if (strncmp(url, "unix://", 7) == 0) {
        p = url + 7;
        size_t n = strcspn(p, "?");
        if (n == 0 || n >= sizeof(s->socket)) {
            snprintf(err, errlen, "redis URL '%s': bad socket path", url);
            return -1;
        }
        snprintf(s->socket, sizeof(s->socket), "%.*s", (int)n, p);
        p += n;
    } else {
        snprintf(err, errlen,
                 "redis URL '%s': expected redis://[:password@]host:port/db?mode=list|channel|"
                 "stream&key=NAME or unix:///path",
                 url);
        return -1;
    }
    if (*p == '?')
        p++;
    else if (*p) {
        snprintf(err, errlen, "redis URL '%s': unexpected '%s'", url, p);
        return -1;
    }
    while (*p) {
        size_t n = strcspn(p, "&");
        const char *eq = memchr(p, '=', n);
        if (!eq) {
            snprintf(err, errlen, "redis URL '%s': '%.*s' is not NAME=VALUE", url, (int)n, p);
            return -1;
        }
        size_t kn = (size_t)(eq - p);
        char v[256];
        if (url_value(v, sizeof(v), eq + 1, n - kn - 1, "a parameter", err, errlen))
            return -1;
        if (kn == 4 && strncmp(p, "mode", 4) == 0) {
            int m = conf_enum_find(conf_redis_mode_names, v);
            if (m < 0) {
                snprintf(err, errlen, "redis URL: mode must be list, channel or stream, not '%s'",
                         v);
                return -1;
            }
            s->mode = m;
        } else if (kn == 3 && strncmp(p, "key", 3) == 0) {
            snprintf(s->key, sizeof(s->key), "%s", v);
        } else if (kn == 6 && strncmp(p, "maxlen", 6) == 0) {
            char *e;
            unsigned long m = strtoul(v, &e, 10);
            if (*e || e == v) {
                snprintf(err, errlen, "redis URL: maxlen is a number, not '%s'", v);
                return -1;
            }
            snprintf(s->maxlen, sizeof(s->maxlen), "%.20s", m ? v : "");
        } else if (kn == 5 && strncmp(p, "types", 5) == 0) {
            char bad[64];
            if (conf_parse_types(v, &s->base.types, bad, sizeof(bad)) < 0) {
                snprintf(err, errlen, "redis URL: unknown event type '%s'", bad);
                return -1;
            }
        } else if (kn == 2 && strncmp(p, "db", 2) == 0) {
            s->db = (unsigned)strtoul(v, NULL, 10);
        } else if (kn == 8 && strncmp(p, "password", 8) == 0) {
            snprintf(s->password, sizeof(s->password), "%s", v);
        } else if (kn == 4 && strncmp(p, "user", 4) == 0) {
            snprintf(s->user, sizeof(s->user), "%s", v);
        } else {
            snprintf(err, errlen,
                     "redis URL: unknown parameter '%.*s' (mode, key, maxlen, types, db, "
                     "password, user)",
                     (int)kn, p);
            return -1;
        }
        p += n;
        if (*p == '&')
            p++;
    }
    return 0;
}

struct sink *redis_sink_new(struct output *o, char *err, size_t errlen)
{
    const struct conf *c = o->conf;
    struct redis_sink *s =
        sink_alloc(sizeof(*s), &redis_ops, "redis", c->redis_types, o, err, errlen);
    if (!s)
        return NULL;
    s->conf = c;
    snprintf(s->host, sizeof(s->host), "%s", c->redis_host);
    s->port = c->redis_port;
    snprintf(s->socket, sizeof(s->socket), "%s", c->redis_socket);
    snprintf(s->user, sizeof(s->user), "%s", c->redis_user);
    snprintf(s->password, sizeof(s->password), "%s", c->redis_password);
    s->db = c->redis_db;
    snprintf(s->key, sizeof(s->key), "%s", c->redis_key);
    s->mode = (int)c->redis_mode;
    if (c->redis_maxlen)
        snprintf(s->maxlen, sizeof(s->maxlen), "%u", c->redis_maxlen);
    if (c->redis_url[0] && parse_url(s, c->redis_url, err, errlen) != 0)
        goto err;
    if (!s->key[0]) {
        snprintf(err, errlen, "redis: the key is empty");
        goto err;
    }
    if (s->socket[0])
        snprintf(s->where, sizeof(s->where), "unix://%s (%s '%s')", s->socket,
                 conf_redis_mode_names[s->mode], s->key);
    else
        snprintf(s->where, sizeof(s->where), "%s:%u (%s '%s')", s->host, s->port,
                 conf_redis_mode_names[s->mode], s->key);
    char spool[1200];
    snprintf(spool, sizeof(spool), "%s/redis.spool", o->spool_dir);
    if (relay_init(&s->rl, &s->base, spool, (uint64_t)c->spool_max_mb << 20, c->spool_fsync,
                   c->redis_pipeline, 64u << 20, err, errlen) != 0)
        goto err;
    s->timeout_ev = evtimer_new(output_base(o), on_timeout, s);
    reconnect_init(&s->retry, o, on_retry, s);
    return &s->base;
err:
    free(s);
    return NULL;
}
