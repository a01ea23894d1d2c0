/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: what the live capture engines share: the capture of one
 * interface (struct live), its workers (one thread, one socket, one
 * struct worker and one output queue each), and the entry points of the
 * two engines (capture-afpacket.c, capture-pcap.c) that capture-live.c
 * drives. */
#ifndef OT_CAPTURE_PRIVATE_H
#define OT_CAPTURE_PRIVATE_H

#include <net/if.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "worker.h"

struct live;

/* One capture thread: its socket (AF_PACKET ring or libpcap handle), its
 * worker, and what the health checks remember between looks. */
struct live_worker {
    struct worker w;
    struct live *live;
    int index;
    struct output_queue *q;
    pthread_t thread;
    bool started;
    bool worker_ready;

    /* AF_PACKET: the socket and its mmap'ed TPACKET_V3 ring */
    int fd;
    uint8_t *ring;
    size_t ring_len;
    uint32_t block_size;
    uint32_t block_nr;
    uint32_t frame_size;
    uint32_t cur; /* the next block to look at */

    /* libpcap */
    pcap_t *pc;
    int link; /* pcap link type of what this socket delivers */
    struct pcap_stat last_ps;

    /* health (the thread's own, except `seen`, which worker 0 sums) */
    _Atomic uint64_t seen; /* frames handed to the worker */
    uint64_t last_pkt_ts;  /* packet time of the newest frame (not the max) */
    uint64_t check_pkt_ts; /* last_pkt_ts at the previous clock check */
    uint64_t check_mono;   /* monotonic microseconds of that check */
    uint64_t next_second;  /* monotonic: next one-second check */
    uint64_t next_kstats;  /* monotonic: next look at the kernel's counters */
    uint64_t int_packets;  /* kernel counters since the last look */
    uint64_t int_drops;
    uint64_t queue_dropped; /* output queue drops already reported */
    bool netdown;           /* the socket said ENETDOWN since the last look */
};

struct live {
    const struct conf *conf;
    char iface[IF_NAMESIZE];
    int ifindex;
    bool loopback;
    int engine; /* enum conf_capture_engine */
    const char *engine_name;
    uint32_t n;
    uint32_t buffer_mb; /* per worker: capture.buffer_mb or what the link speed asks for */
    struct live_worker *lw;
    struct output *out;
    _Atomic int stop; /* the workers finish: a signal, or a worker failed */
    struct live_hooks hooks;
    struct bpf_program filter; /* compiled capture.bpf_filter */
    bool has_filter;
    int ctl_fd;       /* for interface flags (SIOCGIFFLAGS); any unprivileged socket */
    int fanout_group; /* the kernel's id of the group the workers joined */
    int cpus[64];
    int n_cpus;
    _Atomic int failed; /* a worker's capture broke: every worker stops */
    char fail_msg[512];

    /* interface-level health, kept by worker 0 */
    bool if_up;
    uint64_t down_since;  /* monotonic microseconds */
    uint64_t last_total;  /* frames of every worker at the last look */
    uint64_t last_change; /* monotonic: when that total last moved */
    bool had_traffic;
    bool stalled;
};

/* Monotonic and wall-clock microseconds. */
uint64_t live_mono_usec(void);
uint64_t live_wall_usec(void);

/* capture-afpacket.c */
/* Opens worker i's socket and ring (filter: drop everything until
 * afp_activate, so that every socket is in the fanout group before a frame
 * is taken and a conversation never starts on the wrong worker). */
int afp_open(struct live *l, struct live_worker *lw, char *err, size_t errlen);
/* Puts the configured BPF filter (or none) in place: frames start arriving. */
int afp_activate(struct live *l, struct live_worker *lw, char *err, size_t errlen);
/* Waits up to timeout_ms for a block, processes every frame in it in place
 * and hands the block back.  Returns the frames processed, or -1 (err). */
int afp_dispatch(struct live_worker *lw, int timeout_ms, char *err, size_t errlen);
/* Adds the kernel's counters since the last call (PACKET_STATISTICS). */
void afp_kstats(struct live_worker *lw, uint64_t *packets, uint64_t *drops, uint64_t *freezes);
void afp_close(struct live_worker *lw);

/* capture-pcap.c, live mode */
int pcap_live_open(struct live *l, struct live_worker *lw, char *err, size_t errlen);
int pcap_live_dispatch(struct live_worker *lw, int timeout_ms, char *err, size_t errlen);
void pcap_live_kstats(struct live_worker *lw, uint64_t *packets, uint64_t *drops,
                      uint64_t *ifdrops);
void pcap_live_close(struct live_worker *lw);

/* health.c: sensor_health alerts (DESIGN section 7), raised by a worker on
 * its own thread; evidence is taken. */
enum health_cond {
    HEALTH_KERNEL_DROPS = 0,
    HEALTH_STALLED,
    HEALTH_INTERFACE_DOWN,
    HEALTH_INTERFACE_UP,
    HEALTH_CLOCK_JUMP,
    HEALTH_QUEUE_FULL,
    HEALTH_COUNT,
};

/* One sensor_health alert (kind sensor_health, source builtin): packet time
 * w->now, no flow; repeats within the aggregation window become a count. */
void health_raise(struct worker *w, enum health_cond c, json_t *evidence);

#endif
