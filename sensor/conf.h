/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the sensor's configuration: compiled-in defaults (the embedded
 * configuration), overridden by a YAML file and then by the command line. */
#ifndef OT_CONF_H
#define OT_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissectors.h"

#define CONF_MAX_PORTS 8
#define CONF_STR 256

struct conf_dissector {
    bool enabled;
    bool heuristic;
    uint16_t ports[CONF_MAX_PORTS]; /* 0-terminated */
};

struct conf {
    char sensor_name[CONF_STR];

    /* flows */
    uint32_t max_flows;
    uint32_t timeout_tcp;        /* seconds of packet time */
    uint32_t timeout_tcp_new;    /* a handshake that never completed */
    uint32_t timeout_tcp_closed; /* after FIN from both sides or RST */
    uint32_t timeout_udp;
    uint32_t timeout_other;

    /* TCP reassembly and dissection */
    uint32_t reasm_buffers;  /* PDUs spanning segments in flight at once */
    uint32_t reasm_max_pdu;  /* bytes of one PDU kept; longer ones are cut */
    uint32_t dissect_flows;  /* flows with dissector state at once */
    uint32_t pending_max;    /* requests awaiting their response, all flows */
    uint32_t pending_per_flow;
    uint32_t pending_timeout; /* seconds before a request is written unanswered */
    struct conf_dissector dissector[OT_PROTO_COUNT];

    /* nDPI */
    bool ndpi_enabled;
    uint32_t ndpi_max_packets; /* give up classifying after this many packets */

    uint32_t alert_window; /* seconds in which repeats of an alert become one count */

    /* outputs */
    uint32_t output_queue_kb; /* each worker's queue to the output thread */
    uint32_t stats_interval; /* seconds of packet time; 0 = only at the end */
    bool eve_enabled;
    char eve_filename[CONF_STR];
    uint32_t eve_types;      /* bit mask of enum ev_type */
};

/* One problem found in a configuration file. */
struct conf_problem {
    char file[CONF_STR];
    unsigned line;
    char msg[CONF_STR];
};

#define CONF_MAX_PROBLEMS 64

struct conf_problems {
    unsigned n;
    struct conf_problem p[CONF_MAX_PROBLEMS];
};

void conf_defaults(struct conf *c);
/* Reads a YAML file over c.  Every problem is recorded with file:line; returns
 * the number of problems (0 = good). */
unsigned conf_load_file(struct conf *c, const char *path, struct conf_problems *out);
/* Parses a comma-separated event type list into a mask; -1 on an unknown name
 * (its text in bad). */
int conf_parse_types(const char *list, uint32_t *mask, char *bad, size_t badlen);

#endif
