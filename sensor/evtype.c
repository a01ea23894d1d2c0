/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: names of EVE event types. */
#include <string.h>

#include "evtype.h"

static const char *const engine_types[EV_COUNT - EV_ALERT] = {"alert", "asset", "flow", "stats"};

const char *ev_type_name(int t)
{
    if (t > OT_PROTO_NONE && t < OT_PROTO_COUNT)
        return ot_proto_name((enum ot_proto)t);
    if (t >= EV_ALERT && t < EV_COUNT)
        return engine_types[t - EV_ALERT];
    return "unknown";
}

int ev_type_from_name(const char *name)
{
    int p = ot_proto_from_name(name);
    if (p > 0)
        return p;
    for (int t = EV_ALERT; t < EV_COUNT; t++)
        if (strcmp(engine_types[t - EV_ALERT], name) == 0)
            return t;
    return -1;
}
