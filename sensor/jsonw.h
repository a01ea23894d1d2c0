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

/* The writer keeps no stack: one flag says whether the next member or
 * element needs a comma.  A key or an opening bracket clears it, a value or
 * a closing bracket sets it, which is right at every depth. */
struct jsonw {
    char *buf; /* where the text goes: home, or a buffer lent for one event */
    size_t cap;
    size_t len;
    bool overflow; /* the event did not fit: the caller drops it and counts */
    bool comma;    /* something was written at this level: the next one needs a comma */
    char *home;    /* the writer's own buffer, home_cap bytes (jw_init) */
    size_t home_cap;
};

int jw_init(struct jsonw *w, size_t cap);
void jw_fini(struct jsonw *w);

/* Starts an event in the writer's own buffer. */
static inline void jw_reset(struct jsonw *w)
{
    w->buf = w->home;
    w->cap = w->home_cap;
    w->len = 0;
    w->overflow = false;
    w->comma = false;
}

/* After jw_reset: writes the event into buf (cap bytes, borrowed: the
 * output queue's next record) instead, so that nobody copies it there
 * afterwards.  An event that outgrows buf moves to the writer's own buffer
 * and goes on there (jw_lent then says false); the cap on an event stays
 * the writer's own. */
static inline void jw_lend(struct jsonw *w, char *buf, size_t cap)
{
    w->buf = buf;
    w->cap = cap < w->home_cap ? cap : w->home_cap;
}

static inline bool jw_lent(const struct jsonw *w)
{
    return w->buf != w->home;
}

/* The small writers are inline, always: the event writer calls them a few
 * dozen times per record, and with a literal key the compiler knows its
 * length (no strlen, and the copy is a few moves).  Left to itself, gcc
 * made out-of-line copies of some, with a strlen per call. */
#define JW_INLINE static inline __attribute__((always_inline))

/* The slow path of jw_room: a lent buffer is full (the text moves home) or
 * the event is over its cap (overflow flagged, NULL). */
char *jw_grow(struct jsonw *w, size_t n);

/* Where n more bytes go, or NULL (overflow flagged) when they do not fit. */
JW_INLINE char *jw_room(struct jsonw *w, size_t n)
{
    if (__builtin_expect(n > w->cap - w->len, 0))
        return jw_grow(w, n);
    return w->buf + w->len;
}

/* Copies n bytes.  The keys and names of a record are mostly 2 to 32 bytes
 * long with n unknown to the compiler: overlapping loads and stores from
 * each end copy them without a call (which cost more than the copy). */
JW_INLINE void jw_copy(char *d, const char *s, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
    } else if (n > 16 && n <= 32) {
        uint64_t a, b, c, e;
        memcpy(&a, s, 8);
        memcpy(&b, s + 8, 8);
        memcpy(&c, s + n - 16, 8);
        memcpy(&e, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + 8, &b, 8);
        memcpy(d + n - 16, &c, 8);
        memcpy(d + n - 8, &e, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &b, 4);
    } else if (n >= 1 && n < 4) { /* "tx", "ioa": the first, middle and last byte */
        char a = s[0], b = s[n / 2], c = s[n - 1];
        d[0] = a;
        d[n / 2] = b;
        d[n - 1] = c;
    } else if (n > 32) {
        memcpy(d, s, n);
    }
}

/* Appends bytes as they are (no separator). */
JW_INLINE void jw_put(struct jsonw *w, const char *s, size_t n)
{
    char *q = jw_room(w, n);
    if (!q)
        return;
    memcpy(q, s, n);
    w->len += n;
}

/* Starts a value of n >= 1 bytes: the comma if one is due (stored either
 * way, then stepped over or not: no branch), then room for the value;
 * returns where it goes, or NULL.  The caller writes the n bytes and calls
 * jw_value_end. */
JW_INLINE char *jw_value_begin(struct jsonw *w, size_t n)
{
    size_t comma = w->comma; /* read once: the stores below may alias it */
    char *q = jw_room(w, n + comma);
    if (!q)
        return NULL;
    *q = ',';
    return q + comma;
}

JW_INLINE void jw_value_end(struct jsonw *w, const char *end)
{
    w->len = (size_t)(end - w->buf);
    w->comma = true;
}

JW_INLINE void jw_open(struct jsonw *w, char ch)
{
    char *q = jw_value_begin(w, 1);
    if (!q)
        return;
    *q++ = ch;
    w->len = (size_t)(q - w->buf);
    w->comma = false;
}

JW_INLINE void jw_close(struct jsonw *w, char ch)
{
    char *q = jw_room(w, 1);
    if (!q)
        return;
    *q++ = ch;
    jw_value_end(w, q);
}

JW_INLINE void jw_obj_begin(struct jsonw *w)
{
    jw_open(w, '{');
}

JW_INLINE void jw_obj_end(struct jsonw *w)
{
    jw_close(w, '}');
}

JW_INLINE void jw_arr_begin(struct jsonw *w)
{
    jw_open(w, '[');
}

JW_INLINE void jw_arr_end(struct jsonw *w)
{
    jw_close(w, ']');
}

/* Writes the comma if one is due and "key": at q, where the caller made
 * room (n + 4 bytes); returns where the value goes. */
JW_INLINE char *jw_key_at(const struct jsonw *w, char *q, const char *key, size_t n)
{
    *q = ',';
    q += w->comma;
    *q++ = '"';
    jw_copy(q, key, n);
    q += n;
    *q++ = '"';
    *q++ = ':';
    return q;
}

/* Starts a member: the comma if needed and "key":.  key is n bytes of plain
 * ASCII with nothing to escape (names of this program and its dissectors). */
JW_INLINE void jw_key_n(struct jsonw *w, const char *key, size_t n)
{
    char *q = jw_room(w, n + 4);
    if (!q)
        return;
    q = jw_key_at(w, q, key, n);
    w->len = (size_t)(q - w->buf);
    w->comma = false;
}

JW_INLINE void jw_key(struct jsonw *w, const char *key)
{
    jw_key_n(w, key, strlen(key));
}

/* The longest number: 20 digits (and a minus sign). */
#define JW_NUMBER_MAX 21

/* How many decimal digits v has. */
size_t jw_u64_len(uint64_t v);

/* Writes v < 10^n as exactly n (3..8) digits at q, leading zeros included. */
void jw_digits_n(char *q, size_t n, uint32_t v);

/* Writes the decimal digits of v at q, which has room for 20; returns
 * their end. */
char *jw_digits(char *q, uint64_t v);

/* A number where the room is counted exactly (flags overflow when it does
 * not fit): the path of jw_u64 near the end of the buffer. */
void jw_u64_exact(struct jsonw *w, uint64_t v);

/* A number.  Far from the end of the buffer (always, but for an event near
 * its cap) one test covers the longest number, and the digits go straight
 * in. */
JW_INLINE void jw_u64(struct jsonw *w, uint64_t v)
{
    if (__builtin_expect(w->cap - w->len < 1 + JW_NUMBER_MAX, 0)) {
        jw_u64_exact(w, v);
        return;
    }
    size_t comma = w->comma;
    char *q = w->buf + w->len;
    *q = ',';
    jw_value_end(w, jw_digits(q + comma, v));
}

/* key + number, with one test for both (see jw_u64). */
JW_INLINE void jw_ku64_n(struct jsonw *w, const char *key, size_t n, uint64_t v)
{
    if (__builtin_expect(w->cap - w->len < n + 4 + JW_NUMBER_MAX, 0)) {
        jw_key_n(w, key, n);
        jw_u64_exact(w, v);
        return;
    }
    char *q = jw_key_at(w, w->buf + w->len, key, n);
    jw_value_end(w, jw_digits(q, v));
}

JW_INLINE void jw_ku64(struct jsonw *w, const char *key, uint64_t v)
{
    jw_ku64_n(w, key, strlen(key), v);
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
/* A string of this program's own (a table name, a formatted address) that
 * needs no escaping, n bytes: written as it is.  Sanitizer builds check it. */
void jw_name_n(struct jsonw *w, const char *s, size_t n);

/* key + value shorthands */
JW_INLINE void jw_kstr(struct jsonw *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}

JW_INLINE void jw_kbool(struct jsonw *w, const char *key, bool v)
{
    jw_key(w, key);
    jw_bool(w, v);
}

/* Sanitizer builds: aborts on a name with a byte JSON must escape. */
void jw_name_check(const char *s, size_t n);

/* key + a name (see jw_name_n), with one test for both. */
JW_INLINE void jw_kname(struct jsonw *w, const char *key, const char *s)
{
    size_t n = strlen(key), m = strlen(s);
#ifdef OT_SANITIZERS
    jw_name_check(s, m);
#endif
    if (__builtin_expect(w->cap - w->len < n + m + 7, 0)) {
        jw_key_n(w, key, n);
        jw_name_n(w, s, m);
        return;
    }
    char *q = jw_key_at(w, w->buf + w->len, key, n);
    *q++ = '"';
    memcpy(q, s, m);
    q += m;
    *q++ = '"';
    jw_value_end(w, q);
}

/* Writes s as a JSON string literal into out (NUL-terminated); returns its
 * length, or 0 if it does not fit. */
size_t jw_quote(char *out, size_t cap, const char *s);

#endif
