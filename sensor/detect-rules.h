/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: rules, built-in detections, IOC lists, GeoIP and zones on the
 * packet path (libotrules underneath): the detection set built from the
 * configuration, swapped atomically on SIGHUP, the per-worker state of the
 * stateful detections, alert tuning, and the geo / zone fields of flow
 * events and alerts. */
#ifndef OT_DETECT_RULES_H
#define OT_DETECT_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "rules.h"

struct conf;
struct worker;
struct flow;
struct packet;
struct ot_msg;
struct alert_def;
struct alert_ctx;

#define RULES_OPT_MAX 64

/* What the command line adds to the configuration (--rules, --ioc, --geoip). */
struct rules_opts {
    const char *rules[RULES_OPT_MAX];
    int n_rules;
    const char *ioc[RULES_OPT_MAX];
    int n_ioc;
    const char *geoip[RULES_OPT_MAX];
    int n_geoip;
};

/* Builds the detection set from the configuration (config_path: the file it
 * came from, for messages and reloads; NULL for the embedded defaults) and
 * the options; every problem goes to stderr as file:line:col.  With
 * check_only (-T) a summary goes to stdout and nothing stays loaded.
 * Returns 0, or -1 when a problem stops the load. */
int detect_rules_load(const struct conf *c, const char *config_path, const struct rules_opts *o,
                      bool check_only);
/* Starts the thread that rebuilds the set on SIGHUP. */
int detect_rules_start(void);
/* Asks for a reload; async-signal-safe (the SIGHUP handler calls it). */
void detect_rules_request_reload(void);
/* Stops the reload thread and drops the current set (after the workers). */
void detect_rules_stop(void);

/* Worker hooks (sensor/detect.c calls them). */
void rules_on_packet(struct worker *w, struct flow *f, int dir, const struct packet *p);
void rules_on_msg(struct worker *w, struct flow *f, int dir, const struct ot_msg *m);
void rules_on_parse_error(struct worker *w, struct flow *f, int dir, int proto);
void rules_on_flow_end(struct worker *w, struct flow *f);
void rules_on_tick(struct worker *w);
void rules_on_finish(struct worker *w);
void rules_worker_fini(struct worker *w);

/* alert.c: tuning of every alert (any source).  Returns false when the alert
 * is disabled, suppressed or below its threshold (counted); *severity may
 * be overridden. */
bool rules_tune_alert(struct worker *w, const struct alert_def *def, struct alert_ctx *c,
                      uint8_t *severity);
/* alert.c / event.c: the zones and GeoIP of the ends, as "zones" and "geo"
 * members of the event open in w->jw (nothing for internal, unzoned ends). */
void rules_write_ends(struct worker *w, const struct flow *f, int dir, const struct packet *p);
/* event.c: rule, tuning and list counters inside the stats event. */
void rules_write_stats(struct worker *w);

/* The zone table of the set the worker uses (for the inventory), or NULL. */
const struct zone_table *detect_zones(struct worker *w);
/* The zone of an end of a flow (0 client, 1 server), or ZONE_NONE. */
int detect_flow_zone(struct worker *w, struct flow *f, int side);

/* A device's role for `role:NAME` in rules, when an inventory knows it. */
typedef const char *(*rules_role_fn)(struct worker *w, const uint8_t ip[16], int version,
                                     const uint8_t *mac);
void detect_rules_set_role_fn(rules_role_fn fn);

/* sensor/detect-ndpi.c: what nDPI knows of a flow. */
const char *rules_ndpi_server_name(const struct flow *f);
uint64_t rules_ndpi_risks(const struct flow *f);
bool rules_ndpi_cert_sha1(const struct flow *f, uint8_t out[20]);
const struct rules_names *rules_ndpi_names(void);

#endif
