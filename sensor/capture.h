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

#endif
