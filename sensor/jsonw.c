/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the streaming JSON writer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

int jw_init(struct jsonw *w, size_t cap)
{
    memset(w, 0, sizeof(*w));
    w->buf = malloc(cap);
    if (!w->buf)
        return -1;
    w->cap = cap;
    return 0;
}

void jw_fini(struct jsonw *w)
{
    free(w->buf);
    w->buf = NULL;
}

void jw_reset(struct jsonw *w)
{
    w->len = 0;
    w->overflow = false;
    w->depth = 0;
    w->first[0] = true;
    w->after_key = false;
}

static void open_(struct jsonw *w, char ch)
{
    jw_value_sep(w);
    jw_putc(w, ch);
    if (w->depth < JW_MAX_DEPTH - 1)
        w->depth++;
    w->first[w->depth] = true;
}

static void close_(struct jsonw *w, char ch)
{
    jw_putc(w, ch);
    if (w->depth > 0)
        w->depth--;
}

void jw_obj_begin(struct jsonw *w)
{
    open_(w, '{');
}

void jw_obj_end(struct jsonw *w)
{
    close_(w, '}');
}

void jw_arr_begin(struct jsonw *w)
{
    open_(w, '[');
}

void jw_arr_end(struct jsonw *w)
{
    close_(w, ']');
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len = (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (len == 0 || len > n || (len == 2 && s[0] < 0xc2))
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if (len == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
        return 0; /* overlong or surrogate */
    if (len == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || s[0] > 0xf4 || (s[0] == 0xf4 && s[1] >= 0x90)))
        return 0;
    return len;
}

/* 1 for the bytes a JSON string cannot hold as they are: controls, quote,
 * backslash, and every byte >= 0x80 (checked as UTF-8 separately). */
static const uint8_t needs_escape[256] = {
    [0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x7f ... 0xff] = 1,
};

static void put_escaped(struct jsonw *w, const unsigned char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    jw_putc(w, '"');
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && !needs_escape[s[run]])
            run++;
        if (run > i) {
            jw_put(w, (const char *)s + i, run - i);
            i = run;
            continue;
        }
        unsigned char ch = s[i];
        size_t ulen = ch >= 0x80 ? utf8_len(s + i, n - i) : 1;
        if (ch >= 0x80 && ulen > 1) {
            jw_put(w, (const char *)s + i, ulen);
            i += ulen;
            continue;
        }
        switch (ch) {
            case '"': jw_put(w, "\\\"", 2); break;
            case '\\': jw_put(w, "\\\\", 2); break;
            case '\n': jw_put(w, "\\n", 2); break;
            case '\r': jw_put(w, "\\r", 2); break;
            case '\t': jw_put(w, "\\t", 2); break;
            default: {
                char e[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
                jw_put(w, e, 6);
            }
        }
        i++;
    }
    jw_putc(w, '"');
}

static void before_value(struct jsonw *w)
{
    jw_value_sep(w);
}

void jw_str(struct jsonw *w, const char *s)
{
    before_value(w);
    put_escaped(w, (const unsigned char *)s, strlen(s));
}

void jw_strn(struct jsonw *w, const void *s, size_t n)
{
    before_value(w);
    put_escaped(w, s, n);
}

void jw_hex(struct jsonw *w, const void *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *b = p;
    before_value(w);
    jw_putc(w, '"');
    for (size_t i = 0; i < n; i++) {
        jw_putc(w, hex[b[i] >> 4]);
        jw_putc(w, hex[b[i] & 15]);
    }
    jw_putc(w, '"');
}

/* Numbers are much of a record (register values): they are written in
 * place, two digits a step from a table, their length known first from the
 * bit length (no division per digit, no copy). */
static const char digit_pairs[201] = "0001020304050607080910111213141516171819"
                                     "2021222324252627282930313233343536373839"
                                     "4041424344454647484950515253545556575859"
                                     "6061626364656667686970717273747576777879"
                                     "8081828384858687888990919293949596979899";

static const uint64_t powers_of_10[20] = {
    1ULL,
    10ULL,
    100ULL,
    1000ULL,
    10000ULL,
    100000ULL,
    1000000ULL,
    10000000ULL,
    100000000ULL,
    1000000000ULL,
    10000000000ULL,
    100000000000ULL,
    1000000000000ULL,
    10000000000000ULL,
    100000000000000ULL,
    1000000000000000ULL,
    10000000000000000ULL,
    100000000000000000ULL,
    1000000000000000000ULL,
    10000000000000000000ULL,
};

static size_t u64_len(uint64_t v)
{
    unsigned bits = 64 - (unsigned)__builtin_clzll(v | 1);
    unsigned t = bits * 1233 >> 12; /* floor(bits * log10(2)): v has t or t + 1 digits */
    return t + 1 - ((v | 1) < powers_of_10[t]);
}

void jw_put_u64(struct jsonw *w, uint64_t v)
{
    size_t n = u64_len(v);
    if (n > w->cap - w->len) {
        w->overflow = true;
        return;
    }
    char *q = w->buf + w->len + n;
    w->len += n;
    while (v >= 100) {
        q -= 2;
        memcpy(q, digit_pairs + v % 100 * 2, 2);
        v /= 100;
    }
    if (v >= 10)
        memcpy(q - 2, digit_pairs + v * 2, 2);
    else
        q[-1] = (char)('0' + v);
}

void jw_i64(struct jsonw *w, int64_t v)
{
    before_value(w);
    if (v < 0) {
        jw_putc(w, '-');
        jw_put_u64(w, (uint64_t)0 - (uint64_t)v);
    } else {
        jw_put_u64(w, (uint64_t)v);
    }
}

void jw_dbl(struct jsonw *w, double v)
{
    before_value(w);
    if (!isfinite(v)) {
        jw_put(w, "null", 4);
        return;
    }
    if (v == floor(v) && fabs(v) < 9007199254740992.0) {
        if (v < 0) {
            jw_putc(w, '-');
            jw_put_u64(w, (uint64_t)-v);
        } else {
            jw_put_u64(w, (uint64_t)v);
        }
        return;
    }
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "%.9g", v);
    jw_put(w, tmp, (size_t)n);
}

void jw_bool(struct jsonw *w, bool v)
{
    before_value(w);
    if (v)
        jw_put(w, "true", 4);
    else
        jw_put(w, "false", 5);
}

void jw_null(struct jsonw *w)
{
    before_value(w);
    jw_put(w, "null", 4);
}

void jw_raw(struct jsonw *w, const char *s, size_t n)
{
    before_value(w);
    jw_put(w, s, n);
}

void jw_kstr(struct jsonw *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}

void jw_kbool(struct jsonw *w, const char *key, bool v)
{
    jw_key(w, key);
    jw_bool(w, v);
}

void jw_kname(struct jsonw *w, const char *key, const char *s)
{
    size_t n = strlen(s);
#ifdef OT_SANITIZERS
    for (size_t i = 0; i < n; i++)
        if (needs_escape[(unsigned char)s[i]])
            abort(); /* a program-owned name with a byte JSON must escape */
#endif
    jw_key(w, key);
    jw_value_sep(w);
    jw_putc(w, '"');
    jw_put(w, s, n);
    jw_putc(w, '"');
}

size_t jw_quote(char *out, size_t cap, const char *s)
{
    struct jsonw w = {.buf = out, .cap = cap ? cap - 1 : 0};
    w.first[0] = true;
    put_escaped(&w, (const unsigned char *)s, strlen(s));
    if (w.overflow || cap == 0)
        return 0;
    out[w.len] = '\0';
    return w.len;
}
