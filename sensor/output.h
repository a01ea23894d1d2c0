/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: where finished events go.  A worker hands each event line to
 * output_write; the sinks behind it decide by event type whether to take it. */
#ifndef OT_OUTPUT_H
#define OT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "evtype.h"

struct output {
    uint32_t want;  /* union of the sinks' event type masks */
    FILE *eve;      /* NULL: no EVE sink */
    bool eve_close; /* we opened it (not stdout) */
    uint32_t eve_types;
    uint64_t eve_write_errors;
    char eve_path[4096];
};

/* Opens the EVE sink: path "-" is stdout. */
int output_open_eve(struct output *o, const char *path, uint32_t types, char *err, size_t errlen);
/* Is any sink interested in this type?  Checked before an event is built. */
static inline bool output_wants(const struct output *o, int type)
{
    return (o->want & EV_MASK(type)) != 0;
}
/* Takes one JSON object (no newline); the sinks copy what they keep. */
void output_write(struct output *o, int type, const char *json, size_t len);
/* Flushes and closes every sink; returns -1 if anything could not be written. */
int output_close(struct output *o);

#endif
