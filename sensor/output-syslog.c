/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the syslog sink: RFC 5424 or RFC 3164 messages carrying the EVE
 * object, CEF or LEEF, over UDP, TCP (octet-counted framing) or the local
 * socket.  TCP and the local socket reconnect with backoff and spool while
 * the far end is away.
 * specification: RFC 5424 (message), RFC 5426 (UDP: one message per
 * datagram), RFC 6587 section 3.4.1 (TCP octet counting: "LEN SP MSG").
 *
 * TCP has no application acknowledgement: a message the kernel of the far
 * end acknowledged may still sit unread in its socket when the daemon
 * restarts.  So a message leaves the window only once TCP acknowledged it
 * (SIOCOUTQ) and it has stayed so for outputs.syslog.tcp_hold_ms; when the
 * connection drops, what is still in the window is sent again on the next
 * one.  Nothing is lost to a restart; a message the daemon did read in that
 * short window may arrive twice. */
#include <errno.h>
#include <event2/event.h>
#include <limits.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "output-private.h"

struct syslog_sink {
    struct sink base;
    struct relay rl;
    const struct conf *conf;
    int transport;
    enum syslog_format format;
    struct syslog_hdr_opts ho;
    char hostname[256];
    char where[300];
    struct sockaddr_storage addr;
    socklen_t addrlen;
    int fd;
    bool up;
    bool connecting;
    bool blocked; /* the socket would block: wait for writable */
    struct event *rd_ev;
    struct event *wr_ev;
    struct reconnect retry;
    struct event *hold_ev;
    struct fbuf msg;
    struct fbuf out; /* TCP: framed bytes not yet taken by the kernel */
    size_t out_off;
    uint64_t stream_written; /* TCP: bytes the kernel took on this connection */
    uint64_t stream_queued;  /* TCP: bytes framed on this connection */
    char last_err[400];
    uint64_t truncated;
};

static uint64_t wall_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Formats one event into s->msg (header + payload, cut at max_message). */
static void format_event(struct syslog_sink *s, const uint8_t *data, size_t len)
{
    fbuf_reset(&s->msg);
    struct syslog_fields f;
    if (s->format == SYSLOG_FMT_JSON && fmt_fields_scan(&f, (const char *)data, len) == 0) {
        /* the payload is the text as it is: no document to build */
        fmt_syslog_header_fields(&s->msg, &s->ho, &f, wall_usec());
        fbuf_put(&s->msg, (const char *)data, len);
    } else {
        json_error_t jerr;
        json_t *ev = json_loadb((const char *)data, len, JSON_ALLOW_NUL, &jerr);
        if (!ev)
            ev = json_object(); /* the engine writes valid JSON; stay defensive */
        fmt_syslog_header(&s->msg, &s->ho, ev, wall_usec());
        fmt_payload(&s->msg, s->format, ev, (const char *)data, len);
        json_decref(ev);
    }
    if (s->msg.len > s->conf->syslog_max_message) {
        s->msg.len = s->conf->syslog_max_message;
        s->truncated++;
        if (s->truncated == 1)
            ot_warn("syslog: a message longer than outputs.syslog.max_message (%u) was cut; "
                    "raise it and the receiver's limit (rsyslog: maxMessageSize)",
                    s->conf->syslog_max_message);
    }
}

static void report(struct syslog_sink *s, const char *what)
{
    if (strcmp(s->last_err, what) == 0)
        return;
    snprintf(s->last_err, sizeof(s->last_err), "%s", what);
    ot_err("syslog %s: %s; events are spooled and sent when it is back", s->where, what);
}

static void go_down(struct syslog_sink *s, const char *why)
{
    char msg[300];
    snprintf(msg, sizeof(msg), "%s", why);
    if (s->rd_ev)
        event_del(s->rd_ev);
    if (s->wr_ev)
        event_del(s->wr_ev);
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->up = s->connecting = s->blocked = false;
    atomic_store_explicit(&s->base.c.up, 0, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->base.c.errors, 1, memory_order_relaxed);
    fbuf_reset(&s->out);
    s->out_off = 0;
    s->stream_written = s->stream_queued = 0;
    relay_unsent(&s->rl);
    report(s, msg);
    reconnect_later(&s->retry, s->conf->syslog_retry_max);
}

static void pump(struct syslog_sink *s);

/* TCP: hands the framed bytes to the kernel as far as it takes them. */
static void tcp_write(struct syslog_sink *s)
{
    while (s->out_off < s->out.len) {
        ssize_t w = send(s->fd, s->out.p + s->out_off, s->out.len - s->out_off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            s->blocked = true;
            event_add(s->wr_ev, NULL);
            return;
        }
        if (w <= 0) {
            char why[300];
            snprintf(why, sizeof(why), "connection lost: %s", strerror(errno));
            go_down(s, why);
            return;
        }
        s->out_off += (size_t)w;
        s->stream_written += (uint64_t)w;
    }
    s->blocked = false;
    fbuf_reset(&s->out);
    s->out_off = 0;
}

/* Sends one window entry on the current connection. */
static void send_one(struct syslog_sink *s, struct pend *p)
{
    format_event(s, p->data, p->len);
    p->sent = true;
    p->sent_ms = output_now_ms();
    if (s->transport == CONF_SYSLOG_TCP) {
        fbuf_printf(&s->out, "%zu ", s->msg.len);
        fbuf_put(&s->out, s->msg.p, s->msg.len);
        s->stream_queued += (uint64_t)snprintf(NULL, 0, "%zu ", s->msg.len) + s->msg.len;
        p->mark = s->stream_queued;
        if (!s->blocked)
            tcp_write(s);
        return;
    }
    ssize_t w = send(s->fd, s->msg.p, s->msg.len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w >= 0) {
        p->acked = true;
        return;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
        p->sent = false;
        s->rl.resend = true;
        s->blocked = true;
        event_add(s->wr_ev, NULL);
        return;
    }
    if (s->transport == CONF_SYSLOG_UDP) {
        /* UDP promises nothing: an ICMP error reported on this send was
         * about an earlier datagram; count it and go on */
        atomic_fetch_add_explicit(&s->base.c.errors, 1, memory_order_relaxed);
        p->acked = true;
        return;
    }
    p->sent = false;
    char why[300];
    snprintf(why, sizeof(why), "cannot send: %s", strerror(errno));
    go_down(s, why); /* marks the window for resending */
}

/* TCP: what the far end's kernel acknowledged, held for tcp_hold_ms. */
static void tcp_acks(struct syslog_sink *s)
{
    if (s->transport != CONF_SYSLOG_TCP || !s->up)
        return;
    int outq = 0;
    if (ioctl(s->fd, SIOCOUTQ, &outq) != 0)
        return;
    uint64_t acked = s->stream_written - (uint64_t)outq;
    uint64_t now = output_now_ms();
    bool waiting = false;
    /* the window is in stream order: stop at the first one still waiting */
    for (struct pend *p = s->rl.head; p; p = p->next) {
        if (p->acked)
            continue;
        if (p->sent && p->mark <= acked && now - p->sent_ms >= s->conf->syslog_tcp_hold_ms) {
            p->acked = true;
            continue;
        }
        waiting = p->sent;
        break;
    }
    if (waiting && !evtimer_pending(s->hold_ev, NULL)) {
        struct timeval tv = {0, 20000};
        evtimer_add(s->hold_ev, &tv);
    }
}

static void pump(struct syslog_sink *s)
{
    if (!s->up)
        return;
    /* what the last connection did not get across, first */
    if (s->rl.resend) {
        s->rl.resend = false;
        for (struct pend *p = s->rl.head; p && s->up && !s->blocked; p = p->next)
            if (!p->sent && !p->acked)
                send_one(s, p);
        if (s->blocked)
            s->rl.resend = true;
    }
    struct pend *p;
    while (s->up && !s->blocked && (p = relay_pump(&s->rl)))
        send_one(s, p);
    tcp_acks(s);
    relay_collect(&s->rl);
    relay_gauges(&s->rl);
}

static void on_hold(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    pump(arg);
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    struct syslog_sink *s = arg;
    (void)what;
    char buf[256];
    ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (r > 0 || (r < 0 && (errno == EAGAIN || errno == EINTR)))
        return; /* syslog receivers say nothing; ignore it */
    go_down(s, r == 0 ? "the receiver closed the connection" : strerror(errno));
}

static void up_now(struct syslog_sink *s)
{
    s->up = true;
    s->connecting = false;
    reconnect_done(&s->retry);
    atomic_store_explicit(&s->base.c.up, 1, memory_order_relaxed);
    if (s->last_err[0]) {
        ot_warn("syslog %s: connected again; %llu spooled events to send", s->where,
                (unsigned long long)s->rl.sp.unread);
        atomic_fetch_add_explicit(&s->base.c.reconnects, 1, memory_order_relaxed);
        s->last_err[0] = '\0';
    }
    if (s->transport == CONF_SYSLOG_TCP)
        event_add(s->rd_ev, NULL);
    pump(s);
}

static void on_writable(evutil_socket_t fd, short what, void *arg)
{
    struct syslog_sink *s = arg;
    (void)what;
    if (s->connecting) {
        int e = 0;
        socklen_t l = sizeof(e);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l);
        if (e) {
            char why[300];
            snprintf(why, sizeof(why), "cannot connect: %s", strerror(e));
            go_down(s, why);
            return;
        }
        up_now(s);
        return;
    }
    s->blocked = false;
    if (s->transport == CONF_SYSLOG_TCP)
        tcp_write(s);
    pump(s);
}

static void try_connect(struct syslog_sink *s)
{
    int type = s->transport == CONF_SYSLOG_TCP ? SOCK_STREAM : SOCK_DGRAM;
    s->fd = socket(s->addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        go_down(s, strerror(errno));
        return;
    }
    struct event_base *base = output_base(s->base.out);
    if (s->rd_ev)
        event_free(s->rd_ev);
    if (s->wr_ev)
        event_free(s->wr_ev);
    s->rd_ev = event_new(base, s->fd, EV_READ | EV_PERSIST, on_read, s);
    s->wr_ev = event_new(base, s->fd, EV_WRITE, on_writable, s);
    if (type == SOCK_STREAM) {
        int one = 1;
        setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    if (connect(s->fd, (struct sockaddr *)&s->addr, s->addrlen) == 0) {
        up_now(s);
        return;
    }
    if (errno == EINPROGRESS) {
        s->connecting = true;
        event_add(s->wr_ev, NULL);
        return;
    }
    char why[300];
    snprintf(why, sizeof(why), "cannot connect: %s", strerror(errno));
    go_down(s, why);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    try_connect(arg);
}

static void syslog_deliver(struct sink *base, uint32_t type, const uint8_t *data, size_t len)
{
    struct syslog_sink *s = (struct syslog_sink *)base;
    struct pend *p = relay_take(&s->rl, s->up && !s->blocked, type, data, len);
    if (p)
        send_one(s, p);
}

static void syslog_flush(struct sink *base)
{
    pump((struct syslog_sink *)base);
}

static void syslog_second(struct sink *base)
{
    struct syslog_sink *s = (struct syslog_sink *)base;
    spool_sync(&s->rl.sp, true);
    pump(s);
}

static bool syslog_idle(struct sink *base)
{
    struct syslog_sink *s = (struct syslog_sink *)base;
    pump(s);
    return relay_idle(&s->rl);
}

static void syslog_close(struct sink *base)
{
    struct syslog_sink *s = (struct syslog_sink *)base;
    if (s->up && s->transport == CONF_SYSLOG_TCP && s->out_off < s->out.len)
        tcp_write(s);
    tcp_acks(s);
    relay_close(&s->rl);
    if (s->fd >= 0)
        close(s->fd);
    if (s->rd_ev)
        event_free(s->rd_ev);
    if (s->wr_ev)
        event_free(s->wr_ev);
    reconnect_fini(&s->retry);
    if (s->hold_ev)
        event_free(s->hold_ev);
    fbuf_free(&s->msg);
    fbuf_free(&s->out);
    free(s);
}

static const struct sink_ops syslog_ops = {
    .deliver = syslog_deliver,
    .flush = syslog_flush,
    .second = syslog_second,
    .idle = syslog_idle,
    .reopen = NULL,
    .close = syslog_close,
};

/* udp://host:port, tcp://host:port, unix:///dev/log; overrides the parts
 * of the configuration. */
static int parse_url(struct syslog_sink *s, const char *url, char *host, size_t hostlen,
                     unsigned *port, char *path, size_t pathlen, char *err, size_t errlen)
{
    const char *rest;
    if (strncmp(url, "udp://", 6) == 0) {
        s->transport = CONF_SYSLOG_UDP;
        rest = url + 6;
    } else if (strncmp(url, "tcp://", 6) == 0) {
        s->transport = CONF_SYSLOG_TCP;
        rest = url + 6;
    } else if (strncmp(url, "unix://", 7) == 0) {
        s->transport = CONF_SYSLOG_UNIX;
        snprintf(path, pathlen, "%s", url + 7);
        return 0;
    } else {
        snprintf(err, errlen,
                 "syslog URL '%s': expected udp://HOST:PORT, tcp://HOST:PORT or "
                 "unix:///PATH",
                 url);
        return -1;
    }
    const char *colon = rest[0] == '[' ? strstr(rest, "]:") : strrchr(rest, ':');
    const char *h0 = rest[0] == '[' ? rest + 1 : rest;
    size_t hn = colon ? (size_t)(colon - h0) : strlen(h0);
    if (hn == 0 || hn >= hostlen) {
        snprintf(err, errlen, "syslog URL '%s': no host", url);
        return -1;
    }
    snprintf(host, hostlen, "%.*s", (int)hn, h0);
    if (colon) {
        char *end;
        unsigned long p = strtoul(colon + (rest[0] == '[' ? 2 : 1), &end, 10);
        if (*end || p == 0 || p > 65535) {
            snprintf(err, errlen, "syslog URL '%s': bad port", url);
            return -1;
        }
        *port = (unsigned)p;
    }
    return 0;
}

struct sink *syslog_sink_new(struct output *o, char *err, size_t errlen)
{
    const struct conf *c = o->conf;
    struct syslog_sink *s =
        sink_alloc(sizeof(*s), &syslog_ops, "syslog", c->syslog_types, o, err, errlen);
    if (!s)
        return NULL;
    s->conf = c;
    s->fd = -1;
    s->transport = (int)c->syslog_transport;
    s->format = (enum syslog_format)c->syslog_format;
    char host[256];
    char path[256];
    unsigned port = c->syslog_port;
    snprintf(host, sizeof(host), "%s", c->syslog_host);
    snprintf(path, sizeof(path), "%s", c->syslog_socket);
    if (c->syslog_url[0] && parse_url(s, c->syslog_url, host, sizeof(host), &port, path,
                                      sizeof(path), err, errlen) != 0)
        goto err;
    if (s->transport == CONF_SYSLOG_UNIX) {
        struct sockaddr_un *un = (struct sockaddr_un *)&s->addr;
        if (strlen(path) >= sizeof(un->sun_path)) {
            snprintf(err, errlen, "syslog socket path '%s' is too long", path);
            goto err;
        }
        un->sun_family = AF_UNIX;
        snprintf(un->sun_path, sizeof(un->sun_path), "%s", path);
        s->addrlen = sizeof(*un);
        snprintf(s->where, sizeof(s->where), "unix://%s", path);
    } else {
        struct addrinfo hints = {0}, *ai;
        hints.ai_socktype = s->transport == CONF_SYSLOG_TCP ? SOCK_STREAM : SOCK_DGRAM;
        char ps[8];
        snprintf(ps, sizeof(ps), "%u", port);
        int rc = getaddrinfo(host, ps, &hints, &ai);
        if (rc != 0) {
            snprintf(err, errlen, "syslog host '%s': %s", host, gai_strerror(rc));
            goto err;
        }
        memcpy(&s->addr, ai->ai_addr, ai->ai_addrlen);
        s->addrlen = ai->ai_addrlen;
        freeaddrinfo(ai);
        snprintf(s->where, sizeof(s->where), "%s://%s:%u",
                 s->transport == CONF_SYSLOG_TCP ? "tcp" : "udp", host, port);
    }
    if (c->syslog_hostname[0])
        snprintf(s->hostname, sizeof(s->hostname), "%s", c->syslog_hostname);
    else if (gethostname(s->hostname, sizeof(s->hostname) - 1) != 0)
        snprintf(s->hostname, sizeof(s->hostname), "-");
    s->ho.header = (enum syslog_header)c->syslog_header;
    s->ho.facility = (int)c->syslog_facility;
    s->ho.hostname = s->hostname;
    s->ho.app = "otsensor";
    s->ho.pid = (long)getpid();
    s->ho.local = s->transport == CONF_SYSLOG_UNIX;
    char spool[1200];
    snprintf(spool, sizeof(spool), "%s/syslog.spool", o->spool_dir);
    /* UDP cannot tell whether anyone listens: no spool, nothing to hold */
    uint64_t spool_max = s->transport == CONF_SYSLOG_UDP ? 0 : (uint64_t)c->spool_max_mb << 20;
    if (relay_init(&s->rl, &s->base, spool, spool_max, c->spool_fsync, 100000, 64u << 20, err,
                   errlen) != 0)
        goto err;
    s->hold_ev = evtimer_new(output_base(o), on_hold, s);
    reconnect_init(&s->retry, o, on_retry, s);
    return &s->base;
err:
    free(s);
    return NULL;
}
