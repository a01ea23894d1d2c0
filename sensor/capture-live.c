/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: live capture of one interface: opening it (libpcap, or one
 * AF_PACKET TPACKET_V3 socket per worker in a fanout group), one thread per
 * worker running decode -> flow -> dissect -> detect on what its socket
 * delivers, packet time that follows the clock when nothing arrives, the
 * sensor's health (kernel drops, a stalled capture, the interface going
 * down and back up, clock jumps, a filling queue) as sensor_health alerts,
 * and a stop that drains what the kernel already captured and flushes.
 * DESIGN sections 1, 4 and 9; the engines are capture-afpacket.c and
 * capture-pcap.c. */
#define _GNU_SOURCE /* pthread_setaffinity_np */
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "capture-private.h"
#include "log.h"
#include "output.h"

#define POLL_MS 100 /* the longest a worker waits before looking at the clock */
#define SECOND 1000000ULL
#define BUFFER_LINE_FRACTION 8 /* default buffer: an eighth of a second of line rate */
#define BUFFER_MIN_MB 8
#define BUFFER_MAX_MB 128
#define DRAIN_EXTRA_MS 200 /* at stop: block timeouts plus this, for the last frames */

uint64_t live_mono_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * SECOND + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t live_wall_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * SECOND + (uint64_t)ts.tv_nsec / 1000;
}

/* The link speed in Mb/s, 0 when the driver does not say (veth, tun ...). */
static long link_speed(const char *iface)
{
    char path[128];
    snprintf(path, sizeof(path), "/sys/class/net/%s/speed", iface);
    FILE *f = fopen(path, "r");
    long v = 0;
    if (f) {
        if (fscanf(f, "%ld", &v) != 1)
            v = 0;
        fclose(f);
    }
    return v > 0 ? v : 0;
}

/* Default buffer per worker: an eighth of a second of line rate (1 Gb/s
 * when the speed is unknown), split between the workers (the hash spreads
 * the load), from 8 to 128 MB each, and never more than an eighth of the
 * memory in all.  1 Gb/s: 14 MB; 10 Gb/s: 128 MB (one worker) or 74 MB
 * each (two). */
static uint32_t default_buffer_mb(const char *iface, uint32_t workers)
{
    long mbps = link_speed(iface);
    if (mbps == 0)
        mbps = 1000;
    uint64_t bytes = (uint64_t)mbps * 1000000 / 8 / BUFFER_LINE_FRACTION;
    uint64_t mb = (bytes >> 20) / workers;
    long pages = sysconf(_SC_PHYS_PAGES);
    long page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) {
        uint64_t cap = ((uint64_t)pages * (uint64_t)page >> 20) / 8 / workers;
        if (mb > cap)
            mb = cap;
    }
    if (mb < BUFFER_MIN_MB)
        mb = BUFFER_MIN_MB;
    if (mb > BUFFER_MAX_MB)
        mb = BUFFER_MAX_MB;
    return (uint32_t)mb;
}

/* "0,2,4" or "0-3" (or both) into l->cpus. */
static int parse_cpus(struct live *l, const char *s, char *err, size_t errlen)
{
    const char *p = s;
    while (*p) {
        char *end;
        long a = strtol(p, &end, 10);
        long b = a;
        if (end == p || a < 0 || a >= CPU_SETSIZE)
            goto bad;
        p = end;
        if (*p == '-') {
            b = strtol(p + 1, &end, 10);
            if (end == p + 1 || b < a || b >= CPU_SETSIZE)
                goto bad;
            p = end;
        }
        for (long c = a; c <= b; c++) {
            if (l->n_cpus >= (int)(sizeof(l->cpus) / sizeof(l->cpus[0])))
                goto bad;
            l->cpus[l->n_cpus++] = (int)c;
        }
        if (*p == ',')
            p++;
        else if (*p)
            goto bad;
    }
    return 0;
bad:
    snprintf(err, errlen, "capture.afpacket.cpus: a list of CPU numbers like 0,2 or 0-3, not '%s'",
             s);
    return -1;
}

/* The filter for the AF_PACKET sockets, compiled by libpcap against the
 * live interface: there libpcap knows that the kernel took the VLAN tag out
 * of the frame and compiles `vlan` to the kernel's VLAN metadata. */
static int compile_filter(struct live *l, char *err, size_t errlen)
{
    const struct conf *c = l->conf;
    char eb[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_create(l->iface, eb);
    if (pc) {
        pcap_set_snaplen(pc, (int)c->capture_snaplen);
        pcap_set_buffer_size(pc, 1 << 16);
        if (pcap_activate(pc) < 0) {
            pcap_close(pc);
            pc = NULL;
        }
    }
    if (!pc)
        pc = pcap_open_dead(DLT_EN10MB, (int)c->capture_snaplen);
    if (!pc) {
        snprintf(err, errlen, "capture.bpf_filter: cannot compile (no memory)");
        return -1;
    }
    if (pcap_compile(pc, &l->filter, c->capture_bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "capture.bpf_filter '%s': %s", c->capture_bpf, pcap_geterr(pc));
        pcap_close(pc);
        return -1;
    }
    pcap_close(pc);
    l->has_filter = true;
    return 0;
}

static bool iface_flags(const struct live *l, short *flags)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", l->iface);
    if (ioctl(l->ctl_fd, SIOCGIFFLAGS, &ifr) != 0)
        return false;
    *flags = ifr.ifr_flags;
    return true;
}

int live_open(struct live **out, const struct conf *c, char *err, size_t errlen)
{
    *out = NULL;
    if (strlen(c->capture_iface) >= IF_NAMESIZE) {
        snprintf(err, errlen, "%s: not an interface name (at most %d characters)", c->capture_iface,
                 IF_NAMESIZE - 1);
        return -1;
    }
    if (c->capture_engine == CONF_CAPTURE_PCAP && c->capture_workers > 1) {
        snprintf(err, errlen,
                 "--workers %u: libpcap captures with one worker; more need "
                 "--capture afpacket",
                 c->capture_workers);
        return -1;
    }
    struct live *l = calloc(1, sizeof(*l));
    if (!l) {
        snprintf(err, errlen, "no memory");
        return -1;
    }
    l->conf = c;
    l->ctl_fd = -1;
    snprintf(l->iface, sizeof(l->iface), "%s", c->capture_iface);
    l->engine = (int)c->capture_engine;
    l->engine_name = conf_capture_engine_names[l->engine];
    l->n = c->capture_engine == CONF_CAPTURE_AFPACKET ? c->capture_workers : 1;
    l->if_up = true; /* a down interface at start is reported at the first look */
    l->ifindex = (int)if_nametoindex(l->iface);
    if (l->ifindex == 0) {
        snprintf(err, errlen, "%s: no such interface", l->iface);
        goto err;
    }
    l->ctl_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    short flags = 0;
    if (l->ctl_fd < 0 || !iface_flags(l, &flags)) {
        snprintf(err, errlen, "%s: cannot read the interface flags: %s", l->iface, strerror(errno));
        goto err;
    }
    l->loopback = (flags & IFF_LOOPBACK) != 0;
    if (!(flags & IFF_UP) || !(flags & IFF_RUNNING))
        ot_warn("%s: the interface is %s; capturing anyway, it is reported while it stays so",
                l->iface, (flags & IFF_UP) ? "up but has no carrier" : "down");
    if (l->engine == CONF_CAPTURE_AFPACKET) {
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", l->iface);
        if (ioctl(l->ctl_fd, SIOCGIFHWADDR, &ifr) == 0 &&
            ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER &&
            ifr.ifr_hwaddr.sa_family != ARPHRD_LOOPBACK) {
            snprintf(err, errlen, "%s: not an Ethernet interface (ARPHRD %d); use --capture pcap",
                     l->iface, ifr.ifr_hwaddr.sa_family);
            goto err;
        }
        if (c->afp_cpus[0] && parse_cpus(l, c->afp_cpus, err, errlen) != 0)
            goto err;
        if (c->capture_bpf[0] && compile_filter(l, err, errlen) != 0)
            goto err;
    }
    l->buffer_mb = c->capture_buffer_mb ? c->capture_buffer_mb : default_buffer_mb(l->iface, l->n);
    l->lw = calloc(l->n, sizeof(*l->lw));
    if (!l->lw) {
        snprintf(err, errlen, "no memory");
        goto err;
    }
    for (uint32_t i = 0; i < l->n; i++) {
        struct live_worker *lw = &l->lw[i];
        lw->live = l;
        lw->index = (int)i;
        lw->fd = -1;
        int r = l->engine == CONF_CAPTURE_AFPACKET ? afp_open(l, lw, err, errlen)
                                                   : pcap_live_open(l, lw, err, errlen);
        if (r != 0)
            goto err;
    }
    if (l->engine == CONF_CAPTURE_AFPACKET)
        ot_info("%s: AF_PACKET TPACKET_V3, %u worker(s), ring %u x %u KB each, fanout %s", l->iface,
                l->n, l->lw[0].block_nr, l->lw[0].block_size >> 10,
                conf_fanout_names[c->afp_fanout]);
    else
        ot_info("%s: libpcap, buffer %u MB, %s", l->iface, l->buffer_mb,
                c->pcap_immediate ? "immediate mode" : "block timeout");
    *out = l;
    return 0;
err:
    live_close(l);
    return -1;
}

int live_queues(struct live *l, struct output *o, char *err, size_t errlen)
{
    l->out = o;
    for (uint32_t i = 0; i < l->n; i++) {
        /* a slow sink must never stall the ring: a full queue counts and drops
         * (output.c keeps alerts in its overflow spool) */
        l->lw[i].q = output_queue_new(o, (size_t)l->conf->output_queue_kb * 1024, false);
        if (!l->lw[i].q) {
            snprintf(err, errlen, "cannot allocate the output queue of worker %u", i);
            return -1;
        }
    }
    return 0;
}

static void fail(struct live *l, const char *msg)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&l->failed, &expected, 1))
        snprintf(l->fail_msg, sizeof(l->fail_msg), "%s", msg);
    atomic_store(&l->stop, 1);
}

static int dispatch(struct live_worker *lw, int timeout_ms, char *err, size_t errlen)
{
    if (lw->live->engine == CONF_CAPTURE_AFPACKET)
        return afp_dispatch(lw, timeout_ms, err, errlen);
    return pcap_live_dispatch(lw, timeout_ms, err, errlen);
}

/* How late a frame can reach us after its timestamp: the kernel hands a
 * block over when it is full or after its timeout (twice that, at worst). */
static uint64_t delivery_slack_usec(const struct live *l)
{
    uint32_t ms =
        l->engine == CONF_CAPTURE_AFPACKET ? l->conf->afp_block_tov_ms : l->conf->pcap_timeout_ms;
    return (2 * (uint64_t)ms + 100) * 1000;
}

/* Folds the kernel's counters into the worker's stats; with `alert`,
 * raises kernel_drops when the interval's drops pass health.drops_percent. */
static void kernel_counters(struct live_worker *lw, bool alert)
{
    struct live *l = lw->live;
    struct stats *s = &lw->w.stats;
    uint64_t packets = 0, drops = 0, third = 0;
    if (l->engine == CONF_CAPTURE_AFPACKET) {
        afp_kstats(lw, &packets, &drops, &third);
        s->kernel_freezes += third;
    } else {
        pcap_live_kstats(lw, &packets, &drops, &third);
        s->interface_drops += third;
    }
    s->kernel_packets += packets;
    s->kernel_drops += drops;
    lw->int_packets += packets;
    lw->int_drops += drops;
    if (!alert)
        return;
    uint64_t pct = l->conf->health_drops_percent;
    if (lw->int_drops && lw->int_drops * 100 > pct * lw->int_packets)
        health_raise(
            &lw->w, HEALTH_KERNEL_DROPS,
            json_pack(
                "{s:s, s:s, s:s, s:i, s:I, s:I, s:f, s:i}", "condition", "kernel_drops",
                "interface", l->iface, "engine", l->engine_name, "worker", lw->index, "drops",
                (json_int_t)lw->int_drops, "packets", (json_int_t)lw->int_packets, "drop_percent",
                lw->int_packets ? 100.0 * (double)lw->int_drops / (double)lw->int_packets : 100.0,
                "interval_seconds", (int)l->conf->health_interval));
    lw->int_packets = lw->int_drops = 0;
}

static void queue_check(struct live_worker *lw)
{
    struct output_queue *q = lw->q;
    uint64_t dropped = 0;
    for (int t = 0; t < EV_COUNT; t++)
        dropped += atomic_load_explicit(&q->dropped[t], memory_order_relaxed);
    uint64_t used = spsc_used(&q->ring) * 100 / q->ring.cap;
    if (used >= lw->live->conf->health_queue_percent || dropped > lw->queue_dropped)
        health_raise(&lw->w, HEALTH_QUEUE_FULL,
                     json_pack("{s:s, s:i, s:I, s:I}", "condition", "queue_full", "worker",
                               lw->index, "used_percent", (json_int_t)used, "events_dropped",
                               (json_int_t)(dropped - lw->queue_dropped)));
    lw->queue_dropped = dropped;
}

/* Packet time against the monotonic clock: the system clock stepped (or a
 * capture card's clock went astray). */
static void clock_check(struct live_worker *lw, uint64_t mono)
{
    uint64_t limit = (uint64_t)lw->live->conf->health_clock_jump * SECOND;
    if (lw->last_pkt_ts == lw->check_pkt_ts)
        return;
    if (limit && lw->check_pkt_ts) {
        int64_t dp = (int64_t)(lw->last_pkt_ts - lw->check_pkt_ts);
        int64_t dm = (int64_t)(mono - lw->check_mono);
        int64_t d = dp - dm;
        if ((uint64_t)(d < 0 ? -d : d) > limit)
            health_raise(&lw->w, HEALTH_CLOCK_JUMP,
                         json_pack("{s:s, s:s, s:i, s:f}", "condition", "clock_jump", "interface",
                                   lw->live->iface, "worker", lw->index, "jump_seconds",
                                   (double)d / 1e6));
    }
    lw->check_pkt_ts = lw->last_pkt_ts;
    lw->check_mono = mono;
}

/* Worker 0 watches the interface: down or without carrier, back up, gone,
 * and traffic that stopped. */
static void iface_check(struct live_worker *lw, uint64_t mono)
{
    struct live *l = lw->live;
    struct worker *w = &lw->w;
    short flags = 0;
    if (!iface_flags(l, &flags)) {
        if (errno == ENODEV || errno == ENXIO) {
            health_raise(w, HEALTH_INTERFACE_DOWN,
                         json_pack("{s:s, s:s, s:b}", "condition", "interface_gone", "interface",
                                   l->iface, "exists", 0));
            char msg[128];
            snprintf(msg, sizeof(msg), "%s: the interface disappeared", l->iface);
            fail(l, msg);
        }
        return;
    }
    bool up = (flags & IFF_UP) && (flags & IFF_RUNNING);
    if (l->if_up && !up) {
        w->stats.interface_downs++;
        l->down_since = mono;
        ot_warn("%s: interface %s: capture paused, waiting for it", l->iface,
                (flags & IFF_UP) ? "lost its carrier" : "down");
        health_raise(w, HEALTH_INTERFACE_DOWN,
                     json_pack("{s:s, s:s, s:b, s:b}", "condition", "interface_down", "interface",
                               l->iface, "admin_up", (flags & IFF_UP) != 0, "carrier",
                               (flags & IFF_RUNNING) != 0));
    } else if (!l->if_up && up) {
        double secs = l->down_since ? (double)(mono - l->down_since) / 1e6 : 0;
        ot_warn("%s: interface up again after %.0f s: capture resumed", l->iface, secs);
        health_raise(w, HEALTH_INTERFACE_UP,
                     json_pack("{s:s, s:s, s:f}", "condition", "interface_up", "interface",
                               l->iface, "down_seconds", secs));
    }
    l->if_up = up;
    uint64_t total = 0;
    for (uint32_t i = 0; i < l->n; i++)
        total += atomic_load_explicit(&l->lw[i].seen, memory_order_relaxed);
    if (total != l->last_total) {
        l->last_total = total;
        l->last_change = mono;
        l->had_traffic = true;
        l->stalled = false;
    } else if (up && l->had_traffic && !l->stalled && l->conf->health_stall &&
               mono - l->last_change >= (uint64_t)l->conf->health_stall * SECOND) {
        l->stalled = true;
        health_raise(w, HEALTH_STALLED,
                     json_pack("{s:s, s:s, s:f}", "condition", "capture_stalled", "interface",
                               l->iface, "silent_seconds", (double)(mono - l->last_change) / 1e6));
    }
}

static void second_checks(struct live_worker *lw, uint64_t mono)
{
    if (mono >= lw->next_kstats) {
        kernel_counters(lw, true);
        lw->next_kstats = mono + (uint64_t)lw->live->conf->health_interval * SECOND;
    }
    queue_check(lw);
    clock_check(lw, mono);
    if (lw->index == 0)
        iface_check(lw, mono);
}

static void *worker_main(void *arg)
{
    struct live_worker *lw = arg;
    struct live *l = lw->live;
    char err[OT_ERRBUF_SIZE];
    if (l->n_cpus) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(l->cpus[lw->index % l->n_cpus], &set);
        int r = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
        if (r != 0)
            ot_warn("%s: worker %d: cannot pin to CPU %d: %s", l->iface, lw->index,
                    l->cpus[lw->index % l->n_cpus], strerror(r));
    }
    uint64_t slack = delivery_slack_usec(l);
    uint64_t mono = live_mono_usec();
    lw->next_second = mono + SECOND;
    lw->next_kstats = mono + (uint64_t)l->conf->health_interval * SECOND;
    lw->check_mono = mono;
    if (lw->index == 0)
        l->last_change = mono;
    /* packet time starts now, so alerts and stats have a time before any frame */
    worker_clock(&lw->w, live_wall_usec() - slack);
    while (!atomic_load_explicit(&l->stop, memory_order_relaxed)) {
        int n = dispatch(lw, POLL_MS, err, sizeof(err));
        if (n < 0) {
            fail(l, err);
            break;
        }
        mono = live_mono_usec();
        if (n == 0)
            worker_clock(&lw->w, live_wall_usec() - slack);
        if (mono >= lw->next_second) {
            second_checks(lw, mono);
            lw->next_second = mono + SECOND;
        }
    }
    /* what the kernel holds already (a block waits up to its timeout) is
     * processed before the flows are flushed */
    uint64_t until = live_mono_usec() + slack + DRAIN_EXTRA_MS * 1000;
    while (!atomic_load(&l->failed) && live_mono_usec() < until)
        if (dispatch(lw, 10, err, sizeof(err)) < 0)
            break;
    kernel_counters(lw, true);
    /* the final events must not be dropped: wait for the output thread now */
    lw->q->block_when_full = true;
    worker_finish(&lw->w);
    /* one at a time: the hook may write a file every worker names (the
     * baseline of the inventory shard) */
    static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&done_lock);
    if (l->hooks.done && l->hooks.done(&lw->w, l->hooks.arg, err, sizeof(err)) != 0)
        fail(l, err);
    pthread_mutex_unlock(&done_lock);
    return NULL;
}

int live_run(struct live *l, const struct live_hooks *hooks, char *err, size_t errlen)
{
    int rc = 0;
    uint32_t ready = 0;
    if (hooks)
        l->hooks = *hooks;
    for (; ready < l->n; ready++) {
        struct live_worker *lw = &l->lw[ready];
        if (worker_init(&lw->w, l->conf, l->out, lw->q, err, errlen) != 0) {
            rc = -1;
            break;
        }
        lw->worker_ready = true;
        lw->w.capture_engine = l->engine_name;
        lw->w.capture_iface = l->iface;
        lw->w.capture_index = (int)ready;
        lw->w.stats.live = true;
        if (l->hooks.ready && l->hooks.ready(&lw->w, l->hooks.arg, err, errlen) != 0) {
            rc = -1;
            break;
        }
    }
    /* every socket is in the fanout group now: let frames in */
    for (uint32_t i = 0; rc == 0 && i < l->n && l->engine == CONF_CAPTURE_AFPACKET; i++)
        if (afp_activate(l, &l->lw[i], err, errlen) != 0)
            rc = -1;
    /* signals are for the main thread (it sets capture_stop) */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    for (uint32_t i = 0; rc == 0 && i < l->n; i++) {
        int r = pthread_create(&l->lw[i].thread, NULL, worker_main, &l->lw[i]);
        if (r != 0) {
            snprintf(err, errlen, "cannot start worker %u: %s", i, strerror(r));
            fail(l, err);
            rc = -1;
            break;
        }
        l->lw[i].started = true;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc == 0)
        ot_info("%s: capturing (%s, %u worker%s)", l->iface, l->engine_name, l->n,
                l->n > 1 ? "s" : "");
    while (rc == 0 && !capture_stop && !atomic_load(&l->failed)) {
        struct timespec d = {0, 50 * 1000 * 1000};
        nanosleep(&d, NULL);
    }
    atomic_store(&l->stop, 1);
    for (uint32_t i = 0; i < l->n; i++)
        if (l->lw[i].started)
            pthread_join(l->lw[i].thread, NULL);
    if (rc == 0 && atomic_load(&l->failed)) {
        snprintf(err, errlen, "%s", l->fail_msg);
        rc = -1;
    }
    return rc;
}

void live_close(struct live *l)
{
    if (!l)
        return;
    for (uint32_t i = 0; l->lw && i < l->n; i++) {
        struct live_worker *lw = &l->lw[i];
        if (lw->worker_ready)
            worker_fini(&lw->w);
        if (l->engine == CONF_CAPTURE_AFPACKET)
            afp_close(lw);
        else
            pcap_live_close(lw);
    }
    if (l->has_filter)
        pcap_freecode(&l->filter);
    if (l->ctl_fd >= 0)
        close(l->ctl_fd);
    free(l->lw);
    free(l);
}
