/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: diagnostics on stderr; never per packet. */
#ifndef OT_LOG_H
#define OT_LOG_H

#define OT_ERRBUF_SIZE 512

enum ot_log_level {
    OT_LOG_ERROR = 0,
    OT_LOG_WARN,
    OT_LOG_INFO,
    OT_LOG_DEBUG,
};

extern enum ot_log_level ot_log_level;

void ot_log(enum ot_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define ot_err(...) ot_log(OT_LOG_ERROR, __VA_ARGS__)
#define ot_warn(...) ot_log(OT_LOG_WARN, __VA_ARGS__)
#define ot_info(...) ot_log(OT_LOG_INFO, __VA_ARGS__)

#endif
