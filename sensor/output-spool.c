/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the on-disk spool of a network sink (append-only, checksummed
 * records, bounded, survives a restart) and the relay that moves events
 * through it and through the sink's in-flight window, in order. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "output-private.h"

static const char spool_magic[8] = {'O', 'T', 'S', 'P', 'O', 'O', 'L', '1'};

/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as iSCSI and ext4
 * use it: the SSE 4.2 instruction where the CPU has it, else a table
 * (slicing by 8) built on first use. */
static uint32_t crc_table[8][256];
static _Atomic int crc_ready;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
    atomic_store_explicit(&crc_ready, 1, memory_order_release);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t crc, const uint8_t *b, size_t n)
{
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, b, 8);
        c = __builtin_ia32_crc32di(c, v);
        b += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n--)
        c32 = __builtin_ia32_crc32qi(c32, *b++);
    return c32;
}
#define HAVE_CRC_HW 1
#endif

uint32_t spool_crc32c(uint32_t crc, const void *p, size_t n)
{
    const uint8_t *b = p;
    crc = ~crc;
#ifdef HAVE_CRC_HW
    static _Atomic int hw = -1;
    int h = atomic_load_explicit(&hw, memory_order_relaxed);
    if (h < 0) {
        h = __builtin_cpu_supports("sse4.2") ? 1 : 0;
        atomic_store_explicit(&hw, h, memory_order_relaxed);
    }
    if (h)
        return ~crc_hw(crc, b, n);
#endif
    if (!atomic_load_explicit(&crc_ready, memory_order_acquire))
        crc_init();
    while (n >= 8) {
        uint32_t lo = crc ^ ((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                             (uint32_t)b[3] << 24);
        crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
              crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^ crc_table[3][b[4]] ^
              crc_table[2][b[5]] ^ crc_table[1][b[6]] ^ crc_table[0][b[7]];
        b += 8;
        n -= 8;
    }
    while (n--)
        crc = crc_table[0][(crc ^ *b++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

size_t spool_encode_hdr(uint8_t hdr[SPOOL_REC_HDR], uint32_t type, const void *data, size_t len)
{
    uint8_t t[4];
    put_le32(t, type);
    uint32_t crc = spool_crc32c(0, t, 4);
    crc = spool_crc32c(crc, data, len);
    put_le32(hdr, (uint32_t)len);
    memcpy(hdr + 4, t, 4);
    put_le32(hdr + 8, crc);
    return SPOOL_REC_HDR + len;
}

static int full_pwrite(int fd, const void *p, size_t n, off_t off)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t w = pwrite(fd, b, n, off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
        off += w;
    }
    return 0;
}

static int full_pread(int fd, void *p, size_t n, off_t off)
{
    uint8_t *b = p;
    while (n) {
        ssize_t r = pread(fd, b, n, off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        b += r;
        n -= (size_t)r;
        off += r;
    }
    return 0;
}

static int write_header(struct spool *sp)
{
    uint8_t h[SPOOL_HDR] = {0};
    memcpy(h, spool_magic, 8);
    put_le64(h + 8, sp->acked - sp->shift); /* on disk: a file offset */
    sp->hdr_dirty = false;
    return full_pwrite(sp->fd, h, sizeof(h), 0);
}

/* Reads the record header at off; returns its total size, 0 when it is not a
 * whole good record (a torn or damaged tail). */
static size_t check_record(struct spool *sp, uint64_t off, uint64_t file_size)
{
    uint8_t h[SPOOL_REC_HDR];
    if (file_size - off < SPOOL_REC_HDR || full_pread(sp->fd, h, sizeof(h), (off_t)off) != 0)
        return 0;
    uint32_t len = get_le32(h);
    if (len > SPOOL_MAX_RECORD || file_size - off - SPOOL_REC_HDR < len)
        return 0;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf || full_pread(sp->fd, buf, len, (off_t)(off + SPOOL_REC_HDR)) != 0) {
        free(buf);
        return 0;
    }
    uint32_t crc = spool_crc32c(0, h + 4, 4);
    crc = spool_crc32c(crc, buf, len);
    free(buf);
    return crc == get_le32(h + 8) ? SPOOL_REC_HDR + (size_t)len : 0;
}

int spool_open(struct spool *sp, const char *path, uint64_t max_bytes, uint32_t fsync_policy,
               char *note, size_t notelen, char *err, size_t errlen)
{
    memset(sp, 0, sizeof(*sp));
    sp->fd = -1;
    note[0] = '\0';
    snprintf(sp->path, sizeof(sp->path), "%s", path);
    sp->max_bytes = max_bytes;
    sp->fsync_policy = fsync_policy;
    if (max_bytes == 0)
        return 0;
    sp->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (sp->fd < 0) {
        snprintf(err, errlen, "%s: cannot open the spool: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(sp->fd, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto err;
    }
    uint8_t h[SPOOL_HDR];
    uint64_t fsize = (uint64_t)st.st_size;
    if (fsize < SPOOL_HDR || full_pread(sp->fd, h, sizeof(h), 0) != 0 ||
        memcmp(h, spool_magic, 8) != 0) {
        if (fsize > 0)
            snprintf(note, notelen, "%s: not a spool (%llu bytes); started afresh", path,
                     (unsigned long long)fsize);
        if (ftruncate(sp->fd, 0) != 0)
            goto io;
        sp->acked = sp->size = sp->rd = SPOOL_HDR;
        if (write_header(sp) != 0)
            goto io;
        return 0;
    }
    uint64_t acked = get_le64(h + 8);
    if (acked < SPOOL_HDR || acked > fsize)
        acked = SPOOL_HDR; /* a damaged mark: deliver everything again rather than lose */
    /* walk the records from the start: acked must fall on a record boundary */
    uint64_t off = SPOOL_HDR, events = 0;
    bool acked_ok = acked == SPOOL_HDR;
    for (;;) {
        size_t n = check_record(sp, off, fsize);
        if (n == 0)
            break;
        off += n;
        if (off == acked)
            acked_ok = true;
        else if (off > acked)
            events++;
    }
    if (!acked_ok) {
        acked = SPOOL_HDR;
        events = 0;
        for (uint64_t o2 = SPOOL_HDR; o2 < off; events++)
            o2 += check_record(sp, o2, fsize);
    }
    if (off < fsize) {
        snprintf(note, notelen, "%s: %llu bytes of a damaged or torn record cut at offset %llu",
                 path, (unsigned long long)(fsize - off), (unsigned long long)off);
        if (ftruncate(sp->fd, (off_t)off) != 0)
            goto io;
    }
    sp->size = off;
    sp->acked = sp->rd = acked;
    sp->events = sp->unread = events;
    if (acked == off && off > SPOOL_HDR) {
        sp->acked = sp->rd = sp->size = SPOOL_HDR;
        if (ftruncate(sp->fd, SPOOL_HDR) != 0 || write_header(sp) != 0)
            goto io;
    } else if (events && !note[0]) {
        snprintf(note, notelen, "%s: %llu undelivered events from an earlier run", path,
                 (unsigned long long)events);
    }
    return 0;
io:
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
err:
    close(sp->fd);
    sp->fd = -1;
    return -1;
}

void spool_close(struct spool *sp)
{
    free(sp->rbuf);
    sp->rbuf = NULL;
    sp->rbuf_len = 0;
    if (sp->fd < 0)
        return;
    if (sp->size == SPOOL_HDR) {
        /* nothing undelivered: leave no file behind */
        close(sp->fd);
        sp->fd = -1;
        unlink(sp->path);
        return;
    }
    if (sp->hdr_dirty)
        write_header(sp);
    if (sp->fsync_policy != CONF_FSYNC_NONE)
        fdatasync(sp->fd);
    close(sp->fd);
    sp->fd = -1;
}

int spool_append(struct spool *sp, uint32_t type, const void *data, size_t len)
{
    if (sp->fd < 0)
        return -1;
    uint64_t need = SPOOL_REC_HDR + len;
    if (len > SPOOL_MAX_RECORD || spool_pending_bytes(sp) + need > sp->max_bytes)
        return -1;
    uint8_t hdr[SPOOL_REC_HDR];
    spool_encode_hdr(hdr, type, data, len);
    struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)(uintptr_t)data, len}};
    ssize_t w = pwritev(sp->fd, iov, 2, (off_t)(sp->size - sp->shift));
    if (w != (ssize_t)need) {
        int e = w < 0 ? errno : ENOSPC;
        /* a short write leaves a torn record past size: the next append
         * overwrites it, and open cuts it */
        errno = e;
        return -2;
    }
    sp->size += need;
    sp->events++;
    sp->unread++;
    sp->dirty = true;
    if (sp->fsync_policy == CONF_FSYNC_ALWAYS)
        fdatasync(sp->fd);
    return 0;
}

#define SPOOL_READAHEAD (256 * 1024)

/* Makes the n bytes at off available in the read-ahead buffer; returns a
 * pointer to them, or NULL (past the end, or an I/O error). */
static const uint8_t *fetch(struct spool *sp, uint64_t off, size_t n)
{
    if (off >= sp->rbuf_off && off - sp->rbuf_off + n <= sp->rbuf_len)
        return sp->rbuf + (off - sp->rbuf_off);
    size_t want = n > SPOOL_READAHEAD ? n : SPOOL_READAHEAD;
    if (want > sp->size - off)
        want = (size_t)(sp->size - off);
    if (want < n)
        return NULL;
    uint8_t *b = sp->rbuf;
    if (!b || want > SPOOL_READAHEAD) {
        b = realloc(sp->rbuf, want > SPOOL_READAHEAD ? want : SPOOL_READAHEAD);
        if (!b)
            return NULL;
        sp->rbuf = b;
    }
    sp->rbuf_len = 0;
    if (full_pread(sp->fd, b, want, (off_t)(off - sp->shift)) != 0)
        return NULL;
    sp->rbuf_off = off;
    sp->rbuf_len = want;
    return b;
}

int spool_read_borrow(struct spool *sp, uint32_t *type, const uint8_t **data, size_t *len,
                      uint64_t *end)
{
    if (sp->fd < 0 || sp->rd >= sp->size)
        return 0;
    const uint8_t *h = fetch(sp, sp->rd, SPOOL_REC_HDR);
    if (!h)
        goto bad;
    uint32_t n = get_le32(h);
    uint32_t t = get_le32(h + 4);
    uint32_t want_crc = get_le32(h + 8);
    if (n > SPOOL_MAX_RECORD || sp->size - sp->rd - SPOOL_REC_HDR < n)
        goto bad;
    const uint8_t *rec = fetch(sp, sp->rd, SPOOL_REC_HDR + (size_t)n);
    if (!rec)
        goto bad;
    uint32_t crc = spool_crc32c(spool_crc32c(0, rec + 4, 4), rec + SPOOL_REC_HDR, n);
    if (crc != want_crc)
        goto bad;
    *type = t;
    *data = rec + SPOOL_REC_HDR;
    *len = n;
    sp->rd += SPOOL_REC_HDR + n;
    *end = sp->rd;
    sp->unread--;
    return 1;
bad:
    /* the file changed under us or the disk returned garbage: what follows
     * cannot be trusted */
    sp->size = sp->rd;
    sp->unread = 0;
    return -1;
}

int spool_read(struct spool *sp, uint32_t *type, uint8_t **data, size_t *len, uint64_t *end)
{
    const uint8_t *p;
    int rc = spool_read_borrow(sp, type, &p, len, end);
    if (rc != 1)
        return rc;
    uint8_t *buf = malloc(*len + 1);
    if (!buf)
        return -1;
    memcpy(buf, p, *len);
    buf[*len] = '\0';
    *data = buf;
    return 1;
}

/* A sink that keeps up but never catches up entirely would grow the file
 * forever: once the delivered head is large and at least half the file,
 * the rest moves to a new file.  Offsets stay what they were (logical);
 * `shift` maps them to the new file. */
static void compact(struct spool *sp)
{
    char tmp[1200];
    snprintf(tmp, sizeof(tmp), "%s.compact", sp->path);
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    uint64_t from = sp->acked - sp->shift;
    uint64_t n = sp->size - sp->acked;
    uint8_t h[SPOOL_HDR] = {0};
    memcpy(h, spool_magic, 8);
    put_le64(h + 8, SPOOL_HDR);
    bool ok = full_pwrite(fd, h, sizeof(h), 0) == 0;
    uint8_t *buf = malloc(1 << 20);
    for (uint64_t done = 0; ok && buf && done < n;) {
        size_t k = n - done > (1 << 20) ? (1 << 20) : (size_t)(n - done);
        ok = full_pread(sp->fd, buf, k, (off_t)(from + done)) == 0 &&
             full_pwrite(fd, buf, k, (off_t)(SPOOL_HDR + done)) == 0;
        done += k;
    }
    free(buf);
    if (!buf || !ok || (sp->fsync_policy != CONF_FSYNC_NONE && fdatasync(fd) != 0) ||
        rename(tmp, sp->path) != 0) {
        close(fd);
        unlink(tmp);
        return;
    }
    close(sp->fd);
    sp->fd = fd;
    sp->shift = sp->acked - SPOOL_HDR;
    sp->rbuf_len = 0;
    sp->hdr_dirty = false;
}

void spool_ack(struct spool *sp, uint64_t end)
{
    if (sp->fd < 0 || end <= sp->acked)
        return;
    sp->acked = end;
    if (sp->events)
        sp->events--;
    sp->hdr_dirty = true;
    if (sp->acked == sp->size && sp->rd == sp->size) {
        /* all delivered: start the file again */
        if (ftruncate(sp->fd, SPOOL_HDR) == 0) {
            sp->rbuf_len = 0;
            sp->shift = 0;
            sp->acked = sp->rd = sp->size = SPOOL_HDR;
            sp->events = sp->unread = 0;
            write_header(sp);
        }
    } else if (sp->acked - sp->shift >= SPOOL_COMPACT_AT &&
               sp->acked - sp->shift >= (sp->size - sp->shift) / 2) {
        compact(sp);
    }
}

void spool_sync(struct spool *sp, bool second)
{
    if (sp->fd < 0)
        return;
    if (second && sp->hdr_dirty)
        write_header(sp);
    if (sp->dirty && sp->fsync_policy == CONF_FSYNC_SECOND && second) {
        output_writeback(sp->fd);
        sp->dirty = false;
    }
}

/* ---------------------------------------------------------------- relay */

int relay_init(struct relay *r, struct sink *s, const char *spool_path, uint64_t spool_max,
               uint32_t fsync_policy, size_t max_n, size_t max_bytes, char *err, size_t errlen)
{
    memset(r, 0, sizeof(*r));
    r->sink = s;
    r->max_n = max_n;
    r->max_bytes = max_bytes;
    char note[1400];
    if (spool_open(&r->sp, spool_path, spool_max, fsync_policy, note, sizeof(note), err, errlen) !=
        0)
        return -1;
    r->have_spool = r->sp.fd >= 0;
    if (note[0])
        ot_warn("%s: %s", s->name, note);
    relay_gauges(r);
    return 0;
}

void relay_gauges(struct relay *r)
{
    atomic_store_explicit(&r->sink->c.spool_bytes, r->have_spool ? spool_pending_bytes(&r->sp) : 0,
                          memory_order_relaxed);
    atomic_store_explicit(&r->sink->c.spool_events, r->have_spool ? r->sp.events : 0,
                          memory_order_relaxed);
    atomic_store_explicit(&r->sink->c.inflight, r->n, memory_order_relaxed);
}

static struct pend *pend_new(uint32_t type, const uint8_t *data, size_t len)
{
    struct pend *p = malloc(sizeof(*p) + len + 1);
    if (!p)
        return NULL;
    memset(p, 0, sizeof(*p));
    p->type = type;
    p->len = (uint32_t)len;
    memcpy(p->data, data, len);
    p->data[len] = '\0';
    return p;
}

static void pend_push(struct relay *r, struct pend *p)
{
    if (r->tail)
        r->tail->next = p;
    else
        r->head = p;
    r->tail = p;
    r->n++;
    r->bytes += p->len;
}

static bool window_room(const struct relay *r)
{
    return r->n < r->max_n && r->bytes < r->max_bytes;
}

static bool spool_waiting(const struct relay *r)
{
    return r->have_spool && r->sp.unread > 0;
}

static void lost(struct relay *r, uint32_t type, const char *why)
{
    struct sink *s = r->sink;
    atomic_fetch_add_explicit(&s->c.lost, 1, memory_order_relaxed);
    if (type == EV_ALERT)
        atomic_fetch_add_explicit(&s->out->lost_alerts, 1, memory_order_relaxed);
    r->full_drops++;
    if (!r->full_reported) {
        r->full_reported = true;
        ot_err("%s: %s: events are being lost (counted in stats outputs.%s.lost)", s->name, why,
               s->name);
        json_t *ev =
            json_pack("{s:s, s:I}", "spool", r->sp.path, "max_bytes", (json_int_t)r->sp.max_bytes);
        output_health_alert(s->out, s->name, why, ev);
    }
}

struct pend *relay_take(struct relay *r, bool up, uint32_t type, const uint8_t *data, size_t len)
{
    if (up && !spool_waiting(r) && window_room(r)) {
        struct pend *p = pend_new(type, data, len);
        if (p) {
            pend_push(r, p);
            return p;
        }
    }
    if (!r->have_spool) {
        /* no spool: the window is all there is while the sink is down */
        struct pend *p = window_room(r) ? pend_new(type, data, len) : NULL;
        if (p) {
            pend_push(r, p);
            if (!up)
                r->resend = true; /* sent when the sink comes up */
            return up ? p : NULL;
        }
        lost(r, type, "no spool configured and the in-flight window is full");
        return NULL;
    }
    /* once full, the spool takes events again only below 90 %: a small
     * event squeezed in between big ones would make the report flap */
    int rc = r->full_reported && spool_pending_bytes(&r->sp) > r->sp.max_bytes / 10 * 9
                 ? -1
                 : spool_append(&r->sp, type, data, len);
    if (rc == 0) {
        atomic_fetch_add_explicit(&r->sink->c.spooled, 1, memory_order_relaxed);
        if (r->full_reported && r->full_drops) {
            ot_warn("%s: spooling again after %llu lost events", r->sink->name,
                    (unsigned long long)r->full_drops);
            r->full_reported = false;
            r->full_drops = 0;
        }
    } else if (rc == -1) {
        lost(r, type, "spool full (outputs.spool.max_mb)");
    } else {
        char why[1400];
        snprintf(why, sizeof(why), "cannot write the spool %s: %s", r->sp.path, strerror(errno));
        lost(r, type, why);
    }
    return NULL;
}

struct pend *relay_pump(struct relay *r)
{
    if (!spool_waiting(r) || !window_room(r))
        return NULL;
    uint32_t type;
    const uint8_t *data;
    size_t len;
    uint64_t end;
    int rc = spool_read_borrow(&r->sp, &type, &data, &len, &end);
    if (rc < 0) {
        ot_err("%s: spool %s is damaged at offset %llu: the events after it are lost",
               r->sink->name, r->sp.path, (unsigned long long)r->sp.rd);
        return NULL;
    }
    if (rc == 0)
        return NULL;
    struct pend *p = pend_new(type, data, len);
    if (!p)
        return NULL;
    p->spool_end = end;
    pend_push(r, p);
    return p;
}

size_t relay_collect(struct relay *r)
{
    size_t k = 0;
    while (r->head && r->head->acked) {
        struct pend *p = r->head;
        r->head = p->next;
        if (!r->head)
            r->tail = NULL;
        r->n--;
        r->bytes -= p->len;
        if (p->spool_end)
            spool_ack(&r->sp, p->spool_end);
        atomic_fetch_add_explicit(&r->sink->c.delivered[p->type < EV_COUNT ? p->type : 0], 1,
                                  memory_order_relaxed);
        free(p);
        k++;
    }
    return k;
}

bool relay_idle(const struct relay *r)
{
    return r->n == 0 && !spool_waiting(r);
}

void relay_unsent(struct relay *r)
{
    for (struct pend *p = r->head; p; p = p->next)
        p->sent = false;
    r->resend = r->head != NULL;
}

/* Rewrites the spool as: the window's unacknowledged events, then what the
 * spool holds unread; the window entries that came from the spool are
 * already in it (between acked and rd) and are skipped there. */
void relay_close(struct relay *r)
{
    relay_collect(r);
    bool direct = false;
    for (struct pend *p = r->head; p; p = p->next)
        if (!p->acked && !p->spool_end)
            direct = true;
    if (r->have_spool && direct) {
        char tmp[1200];
        snprintf(tmp, sizeof(tmp), "%s.new", r->sp.path);
        struct spool nsp;
        char note[8], err[OT_ERRBUF_SIZE];
        unlink(tmp);
        if (spool_open(&nsp, tmp, UINT64_MAX / 2, r->sp.fsync_policy, note, sizeof(note), err,
                       sizeof(err)) != 0) {
            ot_err("%s: %s", r->sink->name, err);
        } else {
            int bad = 0;
            for (struct pend *p = r->head; p; p = p->next)
                if (!p->acked && spool_append(&nsp, p->type, p->data, p->len) != 0)
                    bad++;
            /* the rest of the old spool, from its first unacknowledged record */
            r->sp.rd = r->sp.acked;
            r->sp.unread = r->sp.events;
            for (struct pend *p = r->head; p; p = p->next)
                if (p->spool_end && p->spool_end > r->sp.rd) {
                    /* already copied from the window */
                    uint32_t t;
                    uint8_t *d;
                    size_t l;
                    uint64_t e;
                    if (spool_read(&r->sp, &t, &d, &l, &e) == 1)
                        free(d);
                }
            uint32_t t;
            uint8_t *d;
            size_t l;
            uint64_t e;
            while (spool_read(&r->sp, &t, &d, &l, &e) == 1) {
                if (spool_append(&nsp, t, d, l) != 0)
                    bad++;
                free(d);
            }
            fdatasync(nsp.fd);
            spool_close(&nsp);
            if (bad == 0 && rename(tmp, r->sp.path) == 0) {
                close(r->sp.fd);
                r->sp.fd = -1;
            } else {
                ot_err("%s: could not keep %d undelivered events in %s", r->sink->name, bad,
                       r->sp.path);
                unlink(tmp);
            }
        }
    } else if (!r->have_spool) {
        size_t n = 0;
        for (struct pend *p = r->head; p; p = p->next)
            n += !p->acked;
        if (n) {
            ot_err("%s: %zu undelivered events lost (no spool)", r->sink->name, n);
            atomic_fetch_add_explicit(&r->sink->c.lost, n, memory_order_relaxed);
        }
    }
    while (r->head) {
        struct pend *p = r->head;
        r->head = p->next;
        free(p);
    }
    r->tail = NULL;
    r->n = r->bytes = 0;
    spool_close(&r->sp);
}
