/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: pcap and pcapng files through libpcap, packet time preserved;
 * and libpcap live capture (one worker; capture-live.c drives it). */
#include <dirent.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture-private.h"
#include "capture.h"
#include "log.h"

volatile sig_atomic_t capture_stop;

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct progress {
    double start;
    double last;
    uint64_t packets;
    long size;
};

static void progress_show(struct progress *pr, const char *path, pcap_t *pc, bool final)
{
    double now = wall_now();
    if (!final && now - pr->last < 0.5)
        return;
    pr->last = now;
    FILE *f = pcap_file(pc);
    long pos = f ? ftell(f) : -1;
    double rate = pr->packets / (now - pr->start > 1e-6 ? now - pr->start : 1e-6);
    if (pr->size > 0 && pos >= 0)
        fprintf(stderr, "\r%s: %llu packets, %.0f pkt/s, %3.0f%%   ", path,
                (unsigned long long)pr->packets, rate, 100.0 * pos / pr->size);
    else
        fprintf(stderr, "\r%s: %llu packets, %.0f pkt/s   ", path,
                (unsigned long long)pr->packets, rate);
    if (final)
        fputc('\n', stderr);
}

static void pace(uint64_t ts, uint64_t *first_ts, double *first_wall)
{
    if (*first_ts == 0) {
        *first_ts = ts;
        *first_wall = wall_now();
        return;
    }
    double due = *first_wall + (double)(ts - *first_ts) / 1e6;
    double wait = due - wall_now();
    if (wait > 0) {
        struct timespec d = {(time_t)wait, (long)((wait - (time_t)wait) * 1e9)};
        nanosleep(&d, NULL);
    }
}

/* A capture whose time runs backwards by more than health.clock_jump
 * seconds was merged from unsynchronised sources or has a broken clock:
 * timeouts and rates on packet time are then unreliable, which is said. */
static void clock_check(struct worker *w, const char *path, uint64_t ts, uint64_t *prev)
{
    uint64_t limit = (uint64_t)w->conf->health_clock_jump * 1000000;
    if (limit && *prev > ts && *prev - ts > limit)
        health_raise(w, HEALTH_CLOCK_JUMP,
                     json_pack("{s:s, s:s, s:f}", "condition", "clock_jump", "input", path,
                               "jump_seconds", -(double)(*prev - ts) / 1e6));
    *prev = ts;
}

#define READ_BUFFER (1 << 20)

/* pcap_open_offline as libpcap does it ("-" is standard input, the same
 * error text), with buf (READ_BUFFER bytes, or NULL) as the stdio buffer
 * instead of the 4 KB default: libpcap reads every record with fread, and a
 * million small packets were 28,000 read calls.  buf must outlive the
 * capture (pcap_close closes the file). */
static pcap_t *open_capture(const char *path, char *buf, char *errbuf)
{
    if (strcmp(path, "-") == 0)
        return pcap_fopen_offline_with_tstamp_precision(stdin, PCAP_TSTAMP_PRECISION_MICRO,
                                                        errbuf);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (buf)
        setvbuf(fp, buf, _IOFBF, READ_BUFFER);
    pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (!pc)
        fclose(fp);
    return pc;
}

static int replay_capture(struct worker *w, const char *path, pcap_t *pc,
                          const struct replay_opts *o)
{
    int link = pcap_datalink(pc);
    worker_input_start(w);
    if (!decode_link_supported(link)) {
        const char *name = pcap_datalink_val_to_name(link);
        ot_err("%s: unsupported link type %d (%s); supported: Ethernet, Linux cooked (SLL, "
               "SLL2), raw IP, BSD loopback", path, link, name ? name : "unknown");
        return 1;
    }
    struct progress pr = {wall_now(), 0, 0, -1};
    struct stat st;
    bool progress = o->progress && strcmp(path, "-") != 0;
    if (progress && stat(path, &st) == 0)
        pr.size = (long)st.st_size;
    uint64_t first_ts = 0;
    double first_wall = 0;
    uint64_t prev_ts = 0;
    int rc = 0;
    struct pcap_pkthdr *h;
    const u_char *data;
    while (!capture_stop) {
        int r = pcap_next_ex(pc, &h, &data);
        if (r == PCAP_ERROR_BREAK)
            break;
        if (r == PCAP_ERROR) {
            const char *msg = pcap_geterr(pc);
            if (capture_stop) {
                /* SIGTERM or SIGINT interrupted a read (a pipe, a slow
                 * disk): stop as between two packets */
            } else if (strstr(msg, "truncated")) {
                /* a capture cut short mid-record: what was read counts */
                ot_warn("%s: %s; the packets before it were processed", path, msg);
            } else if (strstr(msg, "different from the type of the first interface")) {
                /* libpcap gives a pcapng file one link type: that of its
                 * first interface */
                ot_err("%s: a pcapng file whose interfaces have different link types (%s): "
                       "libpcap reads one link type per file; the packets before this point "
                       "were processed; split the capture per interface",
                       path, msg);
                rc = 1;
            } else {
                ot_err("%s: read error: %s", path, msg);
                rc = 2;
            }
            break;
        }
        if (r != 1)
            continue;
        uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
        if (o->realtime)
            pace(ts, &first_ts, &first_wall);
        uint32_t caplen = h->caplen;
        if (o->snaplen && caplen > o->snaplen)
            caplen = o->snaplen;
        worker_packet(w, link, ts, data, caplen, h->len);
        clock_check(w, path, ts, &prev_ts);
        pr.packets++;
        if (progress && (pr.packets & 4095) == 0)
            progress_show(&pr, path, pc, false);
    }
    if (progress)
        progress_show(&pr, path, pc, true);
    return rc;
}

/* One input file, read through a large buffer of its own. */
static int replay_file(struct worker *w, const char *path, const struct replay_opts *o)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    char *buf = malloc(READ_BUFFER); /* without it, libpcap's default */
    pcap_t *pc = open_capture(path, buf, errbuf);
    int rc;
    if (!pc) {
        ot_err("%s: cannot read as pcap or pcapng: %s", path, errbuf);
        rc = 1;
    } else {
        rc = replay_capture(w, path, pc, o);
        pcap_close(pc);
    }
    free(buf);
    return rc;
}

static int replay_dir(struct worker *w, const char *dir, const struct replay_opts *o)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        ot_err("%s: cannot list the directory: %s", dir, strerror(errno));
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        if (rc == 0 && !capture_stop && names[i]->d_name[0] != '.' && stat(path, &st) == 0 &&
            S_ISREG(st.st_mode))
            rc = replay_file(w, path, o);
        free(names[i]);
    }
    free(names);
    return rc;
}

int capture_replay(struct worker *w, char *const *inputs, int n, const struct replay_opts *o)
{
    for (int i = 0; i < n && !capture_stop; i++) {
        struct stat st;
        int rc;
        if (strcmp(inputs[i], "-") != 0 && stat(inputs[i], &st) != 0) {
            ot_err("%s: cannot open: %s", inputs[i], strerror(errno));
            rc = 1;
        } else if (strcmp(inputs[i], "-") != 0 && S_ISDIR(st.st_mode)) {
            rc = replay_dir(w, inputs[i], o);
        } else {
            rc = replay_file(w, inputs[i], o);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------ live */

static void live_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    struct live_worker *lw = (struct live_worker *)(void *)user;
    uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
    worker_packet(&lw->w, lw->link, ts, data, h->caplen, h->len);
    lw->last_pkt_ts = ts;
    atomic_fetch_add_explicit(&lw->seen, 1, memory_order_relaxed);
}

int pcap_live_open(struct live *l, struct live_worker *lw, char *err, size_t errlen)
{
    const struct conf *c = l->conf;
    char eb[PCAP_ERRBUF_SIZE] = "";
    lw->pc = pcap_create(l->iface, eb);
    if (!lw->pc) {
        snprintf(err, errlen, "%s: %s", l->iface, eb);
        return -1;
    }
    pcap_set_snaplen(lw->pc, (int)c->capture_snaplen);
    pcap_set_promisc(lw->pc, c->capture_promisc);
    pcap_set_timeout(lw->pc, (int)c->pcap_timeout_ms);
    pcap_set_immediate_mode(lw->pc, c->pcap_immediate);
    uint64_t buf = (uint64_t)l->buffer_mb << 20;
    pcap_set_buffer_size(lw->pc, (int)(buf > INT32_MAX ? INT32_MAX : buf));
    int r = pcap_activate(lw->pc);
    if (r < 0) {
        const char *why = pcap_geterr(lw->pc);
        if (r == PCAP_ERROR_NO_SUCH_DEVICE)
            snprintf(err, errlen, "%s: no such interface (%s)", l->iface, why);
        else if (r == PCAP_ERROR_PERM_DENIED)
            snprintf(err, errlen, "%s: permission denied: capture needs root or CAP_NET_RAW (%s)",
                     l->iface, why);
        else
            snprintf(err, errlen, "%s: cannot capture: %s", l->iface, why);
        return -1;
    }
    if (r > 0)
        ot_warn("%s: %s", l->iface, pcap_geterr(lw->pc));
    lw->link = pcap_datalink(lw->pc);
    if (!decode_link_supported(lw->link)) {
        const char *name = pcap_datalink_val_to_name(lw->link);
        snprintf(err, errlen, "%s: unsupported link type %d (%s)", l->iface, lw->link,
                 name ? name : "unknown");
        return -1;
    }
    if (c->capture_bpf[0]) {
        struct bpf_program prog;
        if (pcap_compile(lw->pc, &prog, c->capture_bpf, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
            pcap_setfilter(lw->pc, &prog) != 0) {
            snprintf(err, errlen, "capture.bpf_filter '%s': %s", c->capture_bpf,
                     pcap_geterr(lw->pc));
            return -1;
        }
        pcap_freecode(&prog);
    }
    /* the thread polls with its own timeout (to notice a stop, an idle
     * clock, the health checks) and then takes whatever is there */
    if (pcap_setnonblock(lw->pc, 1, eb) != 0) {
        snprintf(err, errlen, "%s: %s", l->iface, eb);
        return -1;
    }
    return 0;
}

int pcap_live_dispatch(struct live_worker *lw, int timeout_ms, char *err, size_t errlen)
{
    struct pollfd pfd = {.fd = pcap_get_selectable_fd(lw->pc), .events = POLLIN, .revents = 0};
    if (pfd.fd >= 0 && poll(&pfd, 1, timeout_ms) < 0 && errno != EINTR) {
        snprintf(err, errlen, "%s: poll on the capture: %s", lw->live->iface, strerror(errno));
        return -1;
    }
    int n = pcap_dispatch(lw->pc, -1, live_packet, (u_char *)(void *)lw);
    if (n == PCAP_ERROR) {
        /* libpcap rides out an interface going down and up by itself; what
         * reaches here is the interface gone, or worse */
        snprintf(err, errlen, "%s: capture failed: %s", lw->live->iface, pcap_geterr(lw->pc));
        return -1;
    }
    return n < 0 ? 0 : n;
}

void pcap_live_kstats(struct live_worker *lw, uint64_t *packets, uint64_t *drops,
                      uint64_t *ifdrops)
{
    struct pcap_stat ps;
    if (pcap_stats(lw->pc, &ps) != 0)
        return;
    /* cumulative 32-bit counters: the difference modulo 2^32 is what is new */
    *packets += (uint32_t)(ps.ps_recv - lw->last_ps.ps_recv);
    *drops += (uint32_t)(ps.ps_drop - lw->last_ps.ps_drop);
    *ifdrops += (uint32_t)(ps.ps_ifdrop - lw->last_ps.ps_ifdrop);
    lw->last_ps = ps;
}

void pcap_live_close(struct live_worker *lw)
{
    if (lw->pc)
        pcap_close(lw->pc);
    lw->pc = NULL;
}
