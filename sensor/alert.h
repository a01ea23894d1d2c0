/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: raising alerts (DESIGN sections 5 and 7): the alert model every
 * detection source uses, and the aggregation that turns a repeated alert
 * into one event with a count instead of thousands. */
#ifndef OT_ALERT_H
#define OT_ALERT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "otmsg.h"

struct worker;

#define ALERT_MAX_MITRE 4

/* One detection: static for built-in ones, owned by the rule set for rules
 * (valid until the next reload; alerts are written before that). */
struct alert_def {
    const char *kind;      /* the catalogue's machine name: plc_stop, new_device, ... */
    uint32_t sid;          /* stable signature id */
    uint32_t rev;
    const char *signature; /* one line an analyst can act on */
    const char *category;
    uint8_t severity;      /* 1 high .. 3 low */
    const char *source;    /* baseline, builtin, rule, ioc, geo, zone */
    const char *mitre[ALERT_MAX_MITRE];  /* ATT&CK for ICS technique ids, NULL-ended */
    const char *tactic[ALERT_MAX_MITRE]; /* ATT&CK for ICS tactics, NULL-ended */
};

/* What the alert is about, besides the definition. */
struct alert_ctx {
    const struct flow *flow; /* or NULL (layer 2, device-level) */
    int dir;                 /* flow direction of the sender that triggered it */
    const struct ot_msg *msg; /* the triggering protocol message, or NULL */
    const struct packet *pkt; /* for addresses when there is no flow, or NULL */
    json_t *evidence;        /* taken (freed by alert_raise); NULL: none */
};

struct alert_stats {
    uint64_t raised;     /* detections that fired */
    uint64_t written;    /* alert events written */
    uint64_t aggregated; /* repeats folded into a count */
};

#define ALERT_AGG_SLOTS 4096 /* repeating alerts tracked at once; the oldest is flushed */

struct alert_agg;

int alert_init(struct worker *w);
void alert_fini(struct worker *w);
/* Raises one alert: written at once the first time, then repeats of the same
 * signature between the same two ends within the aggregation window are
 * counted and written as one event when the window closes. */
void alert_raise(struct worker *w, const struct alert_def *def, struct alert_ctx *ctx);
/* Closes aggregation windows older than the configured window (packet time). */
void alert_tick(struct worker *w);
/* Writes every pending aggregate (end of input). */
void alert_flush(struct worker *w);

#endif
