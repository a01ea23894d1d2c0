/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: where detection meets the packet path.  Every detection source
 * (inventory and baselines, built-in detections and rules, IOC lists, GeoIP,
 * zones) hooks in here, so the worker calls one function per event kind. */
#ifndef OT_DETECT_H
#define OT_DETECT_H

#include "decode.h"
#include "flow.h"
#include "otmsg.h"

struct worker;

/* A packet's flow was found, before appid and detect_packet run: the
 * detection state the packet will touch is asked for ahead (cache hints,
 * nothing changes), so its misses overlap with that work. */
void detect_prefetch(struct worker *w, const struct flow *f, const struct packet *p);
/* Every decoded packet; f is its flow or NULL (ARP, layer 2). */
void detect_packet(struct worker *w, struct flow *f, int dir, const struct packet *p);
/* Every dissected message, when it is parsed (before pairing). */
void detect_msg(struct worker *w, struct flow *f, int dir, const struct ot_msg *m);
/* A PDU the flow's dissector refused as invalid (f NULL for layer 2). */
void detect_parse_error(struct worker *w, struct flow *f, int dir, int proto);
/* A flow ends (before its flow event). */
void detect_flow_end(struct worker *w, struct flow *f);
/* Once per second of packet time. */
void detect_tick(struct worker *w);
/* End of input. */
void detect_finish(struct worker *w);

#endif
