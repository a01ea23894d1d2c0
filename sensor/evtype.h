/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: EVE event types: one per dissected protocol (the enum ot_proto
 * value), then the engine's own. */
#ifndef OT_EVTYPE_H
#define OT_EVTYPE_H

#include <stdint.h>

#include "otmsg.h"

enum ev_type {
    EV_ALERT = OT_PROTO_COUNT,
    EV_ASSET,
    EV_FLOW,
    EV_STATS,
    EV_COUNT,
};

#define EV_MASK(t) (UINT32_C(1) << (t))
#define EV_ALL ((UINT32_C(1) << EV_COUNT) - 2) /* every type but OT_PROTO_NONE */

const char *ev_type_name(int t);
/* Returns the type for a name, or -1. */
int ev_type_from_name(const char *name);

#endif
