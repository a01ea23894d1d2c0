/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the sensor's own health as alerts (DESIGN section 7, kind
 * sensor_health): a SOC must know when the sensor is blind or degraded.
 * Output-side conditions (a spool near full, a sink that cannot deliver)
 * are raised by the output thread (output.c, signature id 9000001); the
 * capture-side ones are here, 9000010 and up. */
#include "capture-private.h"

static const struct alert_def health_defs[HEALTH_COUNT] = {
    [HEALTH_KERNEL_DROPS] =
        {
            .kind = "sensor_health",
            .sid = 9000010,
            .rev = 1,
            .severity = 2,
            .signature =
                "otsensor capture: the kernel dropped packets (the sensor is partly blind)",
            .category = "sensor_health",
            .source = "builtin",
        },
    [HEALTH_STALLED] =
        {
            .kind = "sensor_health",
            .sid = 9000011,
            .rev = 1,
            .severity = 2,
            .signature = "otsensor capture: no packets on a monitored interface that had traffic",
            .category = "sensor_health",
            .source = "builtin",
        },
    [HEALTH_INTERFACE_DOWN] =
        {
            .kind = "sensor_health",
            .sid = 9000012,
            .rev = 1,
            .severity = 1,
            .signature = "otsensor capture: the monitored interface is down (the sensor is blind)",
            .category = "sensor_health",
            .source = "builtin",
        },
    [HEALTH_INTERFACE_UP] =
        {
            .kind = "sensor_health",
            .sid = 9000013,
            .rev = 1,
            .severity = 3,
            .signature = "otsensor capture: the monitored interface is up again, capture resumed",
            .category = "sensor_health",
            .source = "builtin",
        },
    [HEALTH_CLOCK_JUMP] =
        {
            .kind = "sensor_health",
            .sid = 9000014,
            .rev = 1,
            .severity = 2,
            .signature =
                "otsensor capture: packet time jumped (clock stepped or timestamps unreliable)",
            .category = "sensor_health",
            .source = "builtin",
        },
    [HEALTH_QUEUE_FULL] =
        {
            .kind = "sensor_health",
            .sid = 9000015,
            .rev = 1,
            .severity = 2,
            .signature = "otsensor output: a worker's event queue is nearly full or dropped events",
            .category = "sensor_health",
            .source = "builtin",
        },
};

void health_raise(struct worker *w, enum health_cond c, json_t *evidence)
{
    struct alert_ctx ctx = {.flow = NULL, .dir = 0, .msg = NULL, .pkt = NULL, .evidence = evidence};
    const struct packet *saved = w->pkt;
    w->pkt = NULL; /* about the sensor, not about the frame in hand */
    alert_raise(w, &health_defs[c], &ctx);
    w->pkt = saved;
}
