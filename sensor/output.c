/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the sinks behind output_write: the EVE JSON-lines file or stdout. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "output.h"

int output_open_eve(struct output *o, const char *path, uint32_t types, char *err, size_t errlen)
{
    if (strcmp(path, "-") == 0) {
        o->eve = stdout;
        o->eve_close = false;
    } else {
        o->eve = fopen(path, "a");
        if (!o->eve) {
            snprintf(err, errlen, "%s: cannot open for writing: %s", path, strerror(errno));
            return -1;
        }
        o->eve_close = true;
    }
    /* full buffering: one write per 256 KB, and the flush at exit */
    setvbuf(o->eve, NULL, _IOFBF, 1 << 18);
    snprintf(o->eve_path, sizeof(o->eve_path), "%s", path);
    o->eve_types = types;
    o->want |= types;
    return 0;
}

void output_write(struct output *o, int type, const char *json, size_t len)
{
    if (o->eve && (o->eve_types & EV_MASK(type))) {
        if (fwrite(json, 1, len, o->eve) != len || putc('\n', o->eve) == EOF)
            o->eve_write_errors++;
    }
}

int output_close(struct output *o)
{
    int rc = 0;
    if (o->eve) {
        if (fflush(o->eve) != 0 || o->eve_write_errors) {
            ot_err("%s: events could not be written: %s", o->eve_path, strerror(errno));
            rc = -1;
        }
        if (o->eve_close && fclose(o->eve) != 0)
            rc = -1;
        o->eve = NULL;
    }
    return rc;
}
