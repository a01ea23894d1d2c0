/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: diagnostics on stderr, prefixed with the program name and level. */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

enum ot_log_level ot_log_level = OT_LOG_WARN;

void ot_log(enum ot_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if (level > ot_log_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "otsensor: %s: ", names[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
