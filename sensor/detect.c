/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the detection hooks, calling each detection source in turn. */
#include "detect-rules.h"
#include "detect.h"
#include "inventory.h"
#include "worker.h"

void detect_prefetch(struct worker *w, const struct flow *f, const struct packet *p)
{
    /* a message can only come from payload of a dissected flow */
    inventory_prefetch(w, f, p->payload_len > 0 && f->dissector);
}

void detect_packet(struct worker *w, struct flow *f, int dir, const struct packet *p)
{
    rules_on_packet(w, f, dir, p);
    if (f)
        inventory_ip(w, f, dir, p);
    else
        inventory_l2(w, p);
}

void detect_msg(struct worker *w, struct flow *f, int dir, const struct ot_msg *m)
{
    rules_on_msg(w, f, dir, m);
    inventory_msg(w, f, dir, m);
}

void detect_parse_error(struct worker *w, struct flow *f, int dir, int proto)
{
    rules_on_parse_error(w, f, dir, proto);
}

void detect_flow_end(struct worker *w, struct flow *f)
{
    rules_on_flow_end(w, f);
    inventory_flow_end(w, f);
}

void detect_tick(struct worker *w)
{
    rules_on_tick(w);
    inventory_tick(w);
}

void detect_finish(struct worker *w)
{
    rules_on_finish(w);
    inventory_finish(w);
}
