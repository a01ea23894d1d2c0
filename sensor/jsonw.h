/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: a streaming JSON writer into one reused buffer: no allocation per
 * event, escaping done once as bytes are appended.  Wire bytes that are not
 * valid UTF-8 are written as \u00XX escapes of each byte, so every line is
 * valid JSON whatever the packet held. */
#ifndef OT_JSONW_H
#define OT_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 32

struct jsonw {
    char *buf;
    size_t cap;
    size_t len;
    bool overflow; /* the event did not fit: the caller drops it and counts */
    int depth;
    bool after_key; /* a key was written: its value needs no separator */
    bool first[JW_MAX_DEPTH]; /* no member written yet at this depth */
};

int jw_init(struct jsonw *w, size_t cap);
void jw_fini(struct jsonw *w);
void jw_reset(struct jsonw *w);

void jw_obj_begin(struct jsonw *w);
void jw_obj_end(struct jsonw *w);
void jw_arr_begin(struct jsonw *w);
void jw_arr_end(struct jsonw *w);
/* Starts a member: writes the comma if needed and "key":. */
void jw_key(struct jsonw *w, const char *key);
void jw_str(struct jsonw *w, const char *s);
void jw_strn(struct jsonw *w, const void *s, size_t n);
void jw_hex(struct jsonw *w, const void *p, size_t n);
void jw_u64(struct jsonw *w, uint64_t v);
void jw_i64(struct jsonw *w, int64_t v);
void jw_dbl(struct jsonw *w, double v);
void jw_bool(struct jsonw *w, bool v);
void jw_null(struct jsonw *w);
/* Appends text that is already valid JSON (a value). */
void jw_raw(struct jsonw *w, const char *s, size_t n);

/* key + value shorthands */
void jw_kstr(struct jsonw *w, const char *key, const char *s);
void jw_ku64(struct jsonw *w, const char *key, uint64_t v);
void jw_kbool(struct jsonw *w, const char *key, bool v);

#endif
