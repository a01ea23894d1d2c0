/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: capture sources feeding a worker. */
#ifndef OT_CAPTURE_H
#define OT_CAPTURE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "worker.h"

struct replay_opts {
    uint32_t snaplen;   /* 0: keep what the file holds */
    bool realtime;      /* pace packets at their recorded gaps */
    bool progress;      /* a progress line on stderr (a terminal) */
};

/* Set by the signal handler: stop reading, flush, exit. */
extern volatile sig_atomic_t capture_stop;

/* Replays files in order ("-" is stdin, a directory its files in name order).
 * Returns 0, 1 when an input cannot be opened or has an unsupported link
 * type, 2 on a read error; what was read before is processed either way. */
int capture_replay(struct worker *w, char *const *inputs, int n, const struct replay_opts *o);

/* Live capture on one interface (capture-live.c), in three steps so that
 * the privileged part comes first:
 *   live_open   opens the capture: the libpcap handle, or one AF_PACKET
 *               socket with its TPACKET_V3 ring per worker (root or
 *               CAP_NET_RAW); nothing is processed yet;
 *   (the caller drops privileges and opens its outputs)
 *   live_queues gives each worker its output queue (before output_start);
 *   live_run    starts one thread per worker, returns when capture_stop is
 *               set or a capture fails, after every worker drained what the
 *               kernel had already captured and flushed its flows.
 * Errors go into err (the interface and the system's reason); live_open
 * returns -1 for a problem of usage or set-up (exit status 1), live_run -1
 * for a failure while capturing (exit status 2). */
struct live;
struct output;

/* What the caller adds to each worker: ready after worker_init (before the
 * first frame; -1 stops the start with err), done after worker_finish (on
 * the worker's thread; -1 makes the run a failure).  Either may be NULL. */
struct live_hooks {
    int (*ready)(struct worker *w, void *arg, char *err, size_t errlen);
    int (*done)(struct worker *w, void *arg, char *err, size_t errlen);
    void *arg;
};

int live_open(struct live **out, const struct conf *c, char *err, size_t errlen);
int live_queues(struct live *l, struct output *o, char *err, size_t errlen);
int live_run(struct live *l, const struct live_hooks *hooks, char *err, size_t errlen);
void live_close(struct live *l);

/* priv.c: after the capture is open, switches to user (and group; "" for
 * user keeps the uid) and drops every capability, for this process and
 * its future threads (call it before starting any thread).  Sets
 * no_new_privs.  Returns 0, or -1 with the reason in err. */
int priv_drop(const char *user, const char *group, char *err, size_t errlen);

#endif
