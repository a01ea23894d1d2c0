/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: what the output thread's files share: the sink interface, the
 * on-disk spool and the relay (spool + in-flight window) that the network
 * sinks deliver through, the syslog/CEF/LEEF formatters (exposed for their
 * unit test) and the HTTP endpoint.  Everything here runs on the output
 * thread, except the sink counters, which workers read (atomics). */
#ifndef OT_OUTPUT_PRIVATE_H
#define OT_OUTPUT_PRIVATE_H

#include <event2/util.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output.h"

/* ---------------------------------------------------------------- sinks */

struct sink_ops {
    /* One event (borrowed for the call). */
    void (*deliver)(struct sink *s, uint32_t type, const uint8_t *data, size_t len);
    /* After a drain round: write out what is buffered. */
    void (*flush)(struct sink *s);
    /* Once a second (timers of their own are the sink's business). */
    void (*second)(struct sink *s);
    /* Nothing left to deliver (shutdown waits for every sink to be idle). */
    bool (*idle)(struct sink *s);
    void (*reopen)(struct sink *s);
    /* Closes and frees; keeps what is undelivered in the spool. */
    void (*close)(struct sink *s);
};

/* Counters a sink keeps; workers read them for the stats event. */
struct sink_counters {
    _Atomic uint64_t delivered[EV_COUNT]; /* written (files) or acknowledged (network) */
    _Atomic uint64_t spooled;             /* events that went through the spool */
    _Atomic uint64_t lost;                /* events it could neither deliver nor spool */
    _Atomic uint64_t errors;              /* write errors, refusals, failed connections */
    _Atomic uint64_t reconnects;
    _Atomic uint64_t spool_bytes;  /* gauge: undelivered bytes on disk */
    _Atomic uint64_t spool_events; /* gauge */
    _Atomic uint64_t inflight;     /* gauge: sent, not acknowledged */
    _Atomic int up;                /* gauge: 1 connected/writable */
};

struct sink {
    const struct sink_ops *ops;
    struct output *out;
    const char *name; /* "eve", "redis", "syslog" */
    uint32_t types;
    struct sink_counters c;
};

int output_add_sink(struct output *o, struct sink *s);
/* Allocates a zeroed sink of `size` bytes, which starts with its struct sink,
 * and fills that in; NULL, with err set, when out of memory. */
void *sink_alloc(size_t size, const struct sink_ops *ops, const char *name, uint32_t types,
                 struct output *o, char *err, size_t errlen);
/* The output thread's loop, created on first use (sinks set their timers
 * and connections on it before the thread starts). */
struct event_base *output_base(struct output *o);
/* The fsync policy "second": starts the writeback of what the file holds
 * without waiting for it (sync_file_range), so a slow disk never stalls the
 * loop that serves every sink; "always" and closing use fdatasync. */
void output_writeback(int fd);
/* Milliseconds of the monotonic clock. */
uint64_t output_now_ms(void);
/* Raises a sensor_health alert from the output thread (spool full, an
 * undeliverable sink) to every sink that takes alerts. */
void output_health_alert(struct output *o, const char *sink, const char *what, json_t *evidence);

/* Reconnection of a network sink: a timer on the output loop and the delay
 * it waits after failures. */
struct reconnect {
    struct event *ev;
    uint32_t backoff_ms; /* the last delay; 0: the last attempt succeeded */
};

/* Creates the timer, which calls cb(arg), and arms it to fire at once: the
 * first connection attempt runs on the output thread. */
void reconnect_init(struct reconnect *rc, struct output *o,
                    void (*cb)(evutil_socket_t, short, void *), void *arg);
/* After a failure: the next attempt 200 ms later, the delay doubling with
 * each failure up to max_s seconds. */
void reconnect_later(struct reconnect *rc, uint32_t max_s);
/* Connected: the next failure starts the backoff over. */
void reconnect_done(struct reconnect *rc);
void reconnect_fini(struct reconnect *rc);

/* eve: output-eve.c */
struct sink *eve_sink_new(struct output *o, const char *path, uint32_t types, uint32_t split,
                          uint32_t fsync_policy, char *err, size_t errlen);
/* redis: output-redis.c */
struct sink *redis_sink_new(struct output *o, char *err, size_t errlen);
/* syslog: output-syslog.c */
struct sink *syslog_sink_new(struct output *o, char *err, size_t errlen);

/* ---------------------------------------------------------------- spool */

/* An append-only file of checksummed records (output-spool.c):
 *
 *   header  "OTSPOOL1" | acked offset (u64, little endian) | 16 reserved
 *   record  len (u32 LE) | type (u32 LE) | crc32c of type+payload (u32 LE) | payload
 *
 * Records before `acked` were delivered; a record torn by a crash (short or
 * bad checksum) ends the file and is cut off when it is opened again. */
#define SPOOL_HDR 32
#define SPOOL_REC_HDR 12
#define SPOOL_MAX_RECORD (64u << 20) /* a longer length field is a damaged file */
#define SPOOL_COMPACT_AT (16u << 20) /* delivered bytes at the head before compacting */

struct spool {
    int fd;
    char path[1100];
    uint32_t fsync_policy;
    uint64_t max_bytes; /* of undelivered data; 0: no spool */
    uint64_t size;      /* end of the last good record */
    uint64_t acked;     /* delivered up to here */
    uint64_t rd;        /* next record to read (>= acked) */
    uint64_t events;    /* records between acked and size */
    uint64_t unread;    /* records between rd and size */
    bool dirty;         /* written since the last fsync */
    bool hdr_dirty;     /* acked moved since it was last written */
    uint64_t shift;     /* offsets above are logical: the file offset is offset - shift
                         * (compaction moves the undelivered tail to the front) */
    uint8_t *rbuf;      /* read-ahead: file bytes from rbuf_off */
    size_t rbuf_len;
    uint64_t rbuf_off;
};

uint32_t spool_crc32c(uint32_t crc, const void *p, size_t n);
/* Opens (creating) a spool; a damaged tail is cut and reported in note
 * (empty when there was nothing to say). */
int spool_open(struct spool *sp, const char *path, uint64_t max_bytes, uint32_t fsync_policy,
               char *note, size_t notelen, char *err, size_t errlen);
void spool_close(struct spool *sp);
/* 0, -1 full (nothing written), -2 I/O error (errno set). */
int spool_append(struct spool *sp, uint32_t type, const void *data, size_t len);
/* Reads the next unread record into a malloc'd buffer (the caller frees);
 * returns 1, 0 at the end, -1 on a damaged record (the rest is dropped). */
int spool_read(struct spool *sp, uint32_t *type, uint8_t **data, size_t *len, uint64_t *end);
/* The same, borrowing: *data is valid until the next call on sp. */
int spool_read_borrow(struct spool *sp, uint32_t *type, const uint8_t **data, size_t *len,
                      uint64_t *end);
/* Everything up to end (a record end returned by spool_read) is delivered. */
void spool_ack(struct spool *sp, uint64_t end);
/* fsync policy; call once a second and after every drain. */
void spool_sync(struct spool *sp, bool second);
static inline uint64_t spool_pending_bytes(const struct spool *sp)
{
    return sp->size - sp->acked;
}

/* A record as the spool writes it, for the worker-side overflow file. */
size_t spool_encode_hdr(uint8_t hdr[SPOOL_REC_HDR], uint32_t type, const void *data, size_t len);

/* ---------------------------------------------------------------- relay */

/* One event a network sink holds until the far end has it. */
struct pend {
    struct pend *next;
    uint64_t spool_end; /* end of its spool record, 0: it never went through the spool */
    uint64_t mark;      /* the sink's own (syslog: stream offset of its end) */
    uint64_t sent_ms;
    uint32_t type;
    uint32_t len;
    bool sent;  /* on the current connection */
    bool acked; /* the far end has it */
    uint8_t data[];
};

/* The in-flight window and the spool of one network sink.  New events go
 * straight out while the sink is up and nothing older waits; otherwise to
 * the spool, pumped out in order when the sink can take more.  Unacknowledged
 * events stay in the window across a reconnect and are sent again first;
 * at close they are written to the front of the spool. */
struct relay {
    struct sink *sink;
    struct spool sp;
    bool have_spool;
    struct pend *head;
    struct pend *tail;
    size_t n;
    size_t bytes;
    size_t max_n;
    size_t max_bytes;
    bool full_reported;
    uint64_t full_drops; /* since the last report */
    bool resend;         /* window entries wait to be sent (again) */
};

int relay_init(struct relay *r, struct sink *s, const char *spool_path, uint64_t spool_max,
               uint32_t fsync_policy, size_t max_n, size_t max_bytes, char *err, size_t errlen);
/* Takes an event: returns the window entry to send now, or NULL when it was
 * spooled (or lost: counted) because up is false or older events wait. */
struct pend *relay_take(struct relay *r, bool up, uint32_t type, const uint8_t *data, size_t len);
/* The next spooled event moved into the window to send, or NULL (empty or
 * the window is full). */
struct pend *relay_pump(struct relay *r);
/* Pops acknowledged entries off the head; returns how many. */
size_t relay_collect(struct relay *r);
bool relay_idle(const struct relay *r);
/* Marks every window entry unsent (the connection is gone) and sets resend:
 * the sink sends them again, from the head, before anything new. */
void relay_unsent(struct relay *r);
/* Writes the window to the spool's front and closes it. */
void relay_close(struct relay *r);
void relay_gauges(struct relay *r);

/* ---------------------------------------------------------------- formats */

enum syslog_format {
    SYSLOG_FMT_JSON,
    SYSLOG_FMT_CEF,
    SYSLOG_FMT_LEEF,
};

enum syslog_header {
    SYSLOG_HDR_RFC5424,
    SYSLOG_HDR_RFC3164,
};

/* A growable output buffer (output thread only). */
struct fbuf {
    char *p;
    size_t len;
    size_t cap;
};

void fbuf_reset(struct fbuf *b);
void fbuf_free(struct fbuf *b);
void fbuf_put(struct fbuf *b, const char *s, size_t n);
void fbuf_puts(struct fbuf *b, const char *s);
__attribute__((format(printf, 2, 3))) void fbuf_printf(struct fbuf *b, const char *fmt, ...);

/* CEF header field: '\' and '|' escaped with '\', line breaks and other
 * control characters written as a space. */
void fmt_cef_header_value(struct fbuf *b, const char *s, size_t n);
/* CEF extension value: '\' '=' escaped, CR/LF as \r \n, other controls as a space. */
void fmt_cef_ext_value(struct fbuf *b, const char *s, size_t n);
/* LEEF header field: '|' and '\' escaped with '\', controls as a space. */
void fmt_leef_header_value(struct fbuf *b, const char *s, size_t n);
/* LEEF attribute value: the delimiter (tab) and every control character as a space. */
void fmt_leef_value(struct fbuf *b, const char *s, size_t n);
/* RFC 5424 SD-PARAM value: '"' '\' ']' escaped with '\'. */
void fmt_sd_value(struct fbuf *b, const char *s, size_t n);

/* The payload of one event (ev: the parsed EVE object; json: its text). */
void fmt_payload(struct fbuf *b, enum syslog_format f, const json_t *ev, const char *json,
                 size_t len);
/* Syslog severity (0..7) of an event: from alert.severity, info otherwise. */
int fmt_syslog_severity(const json_t *ev);
/* CEF severity (0..10) of an event. */
int fmt_cef_severity(const json_t *ev);

struct syslog_hdr_opts {
    enum syslog_header header;
    int facility;
    const char *hostname;
    const char *app;
    long pid;
    bool local; /* the local socket: RFC 3164 without a hostname */
};
/* What the header needs of an event. */
struct syslog_fields {
    char event_type[64];
    char sensor[256];
    char kind[64];
    bool has_flow;
    bool alert;
    bool has_sid;
    bool has_rev;
    bool has_sev;
    long long flow_id;
    long long sid;
    long long rev;
    long long sev;
};
void fmt_fields_from_json(struct syslog_fields *f, const json_t *ev);
/* The same straight from the JSON text, without building a document (the
 * JSON payload needs nothing else); -1 when the text holds something the
 * scanner leaves to jansson (an escape in a wanted string, odd nesting). */
int fmt_fields_scan(struct syslog_fields *f, const char *json, size_t len);
/* Header and structured data for one event, then the caller appends the payload. */
void fmt_syslog_header_fields(struct fbuf *b, const struct syslog_hdr_opts *o,
                              const struct syslog_fields *f, uint64_t now_usec);
void fmt_syslog_header(struct fbuf *b, const struct syslog_hdr_opts *o, const json_t *ev,
                       uint64_t now_usec);

/* ---------------------------------------------------------------- http */

int http_open(struct output *o, const char *listen, char *err, size_t errlen);
void http_start(struct output *o);
/* An alert or asset event seen by the output thread. */
void http_event(struct output *o, uint32_t type, const uint8_t *data, size_t len);
void http_close(struct output *o);

#endif
