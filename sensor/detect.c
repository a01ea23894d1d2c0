/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the detection hooks, calling each detection source in turn. */
#include "detect.h"
#include "worker.h"

void detect_packet(struct worker *w, struct flow *f, int dir, const struct packet *p)
{
    (void)w;
    (void)f;
    (void)dir;
    (void)p;
}

void detect_msg(struct worker *w, struct flow *f, int dir, const struct ot_msg *m)
{
    (void)w;
    (void)f;
    (void)dir;
    (void)m;
}

void detect_flow_end(struct worker *w, struct flow *f)
{
    (void)w;
    (void)f;
}

void detect_tick(struct worker *w)
{
    (void)w;
}

void detect_finish(struct worker *w)
{
    (void)w;
}
