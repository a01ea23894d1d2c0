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
#include <string.h>

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
/* The small writers are inline: the event writer calls them a few dozen
 * times per record, and the per-packet path must stay cheap. */
static inline void jw_put(struct jsonw *w, const char *s, size_t n)
{
    if (n > w->cap - w->len) {
        w->overflow = true;
        return;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static inline void jw_putc(struct jsonw *w, char ch)
{
    if (w->len >= w->cap) {
        w->overflow = true;
        return;
    }
    w->buf[w->len++] = ch;
}

/* A value right after its key needs nothing; an array element needs a comma
 * unless it is the first. */
static inline void jw_value_sep(struct jsonw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0 && !w->first[w->depth])
        jw_putc(w, ',');
    w->first[w->depth] = false;
}

/* Starts a member: writes the comma if needed and "key":.  Keys are static
 * names of this program, plain ASCII with nothing to escape. */
static inline void jw_key(struct jsonw *w, const char *key)
{
    size_t n = strlen(key);
    if (n + 4 > w->cap - w->len) {
        w->overflow = true;
        return;
    }
    char *q = w->buf + w->len;
    if (!w->first[w->depth])
        *q++ = ',';
    w->first[w->depth] = false;
    *q++ = '"';
    memcpy(q, key, n);
    q += n;
    *q++ = '"';
    *q++ = ':';
    w->len = (size_t)(q - w->buf);
    w->after_key = true;
}

/* Writes v in decimal (flags overflow when it does not fit). */
void jw_put_u64(struct jsonw *w, uint64_t v);

static inline void jw_u64(struct jsonw *w, uint64_t v)
{
    jw_value_sep(w);
    jw_put_u64(w, v);
}

static inline void jw_ku64(struct jsonw *w, const char *key, uint64_t v)
{
    jw_key(w, key);
    jw_u64(w, v);
}
void jw_str(struct jsonw *w, const char *s);
void jw_strn(struct jsonw *w, const void *s, size_t n);
void jw_hex(struct jsonw *w, const void *p, size_t n);
void jw_i64(struct jsonw *w, int64_t v);
void jw_dbl(struct jsonw *w, double v);
void jw_bool(struct jsonw *w, bool v);
void jw_null(struct jsonw *w);
/* Appends text that is already valid JSON (a value). */
void jw_raw(struct jsonw *w, const char *s, size_t n);

/* key + value shorthands */
void jw_kstr(struct jsonw *w, const char *key, const char *s);
void jw_kbool(struct jsonw *w, const char *key, bool v);
/* key + a string of this program's own (a table name, a formatted address)
 * that needs no escaping: written as it is.  Sanitizer builds check it. */
void jw_kname(struct jsonw *w, const char *key, const char *s);
/* Writes s as a JSON string literal into out (NUL-terminated); returns its
 * length, or 0 if it does not fit. */
size_t jw_quote(char *out, size_t cap, const char *s);

#endif
