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
    w->home = malloc(cap);
    if (!w->home)
        return -1;
    w->home_cap = cap;
    jw_reset(w);
    return 0;
}

void jw_fini(struct jsonw *w)
{
    free(w->home);
    w->buf = w->home = NULL;
}

char *jw_grow(struct jsonw *w, size_t n)
{
    if (w->home && w->buf != w->home && w->len <= w->home_cap && n <= w->home_cap - w->len) {
        memcpy(w->home, w->buf, w->len);
        w->buf = w->home;
        w->cap = w->home_cap;
        return w->buf + w->len;
    }
    w->overflow = true;
    return NULL;
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

/* The bytes of a string, escaped (without its quotes). */
static void put_escaped(struct jsonw *w, const unsigned char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
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
}

/* A string value: the comma if due, then the escaped bytes. */
static void put_string(struct jsonw *w, const unsigned char *s, size_t n)
{
    char *q = jw_value_begin(w, 1);
    if (!q)
        return;
    *q++ = '"';
    w->len = (size_t)(q - w->buf);
    put_escaped(w, s, n);
    jw_put(w, "\"", 1);
    w->comma = true;
}

void jw_str(struct jsonw *w, const char *s)
{
    put_string(w, (const unsigned char *)s, strlen(s));
}

void jw_strn(struct jsonw *w, const void *s, size_t n)
{
    put_string(w, s, n);
}

void jw_hex(struct jsonw *w, const void *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *b = p;
    if (n > (SIZE_MAX - 2) / 2) {
        w->overflow = true;
        return;
    }
    char *q = jw_value_begin(w, 2 * n + 2);
    if (!q)
        return;
    *q++ = '"';
    for (size_t i = 0; i < n; i++) {
        *q++ = hex[b[i] >> 4];
        *q++ = hex[b[i] & 15];
    }
    *q++ = '"';
    jw_value_end(w, q);
}

/* Numbers are much of a record (register values, ports, the flow id): they
 * are written in place, their length known first from the bit length, two
 * digits a step from a table, each step a multiplication (no division). */
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

size_t jw_u64_len(uint64_t v)
{
    unsigned bits = 64 - (unsigned)__builtin_clzll(v | 1);
    unsigned t = bits * 1233 >> 12; /* floor(bits * log10(2)): v has t or t + 1 digits */
    return t + 1 - ((v | 1) < powers_of_10[t]);
}

static inline void put_pair(char *q, uint64_t v)
{
    memcpy(q, digit_pairs + 2 * v, 2);
}

/* The one or two digits of v < 100. */
static inline void put_digits_short(char *q, size_t n, uint32_t v)
{
    if (n == 1)
        *q = (char)('0' + v);
    else
        put_pair(q, v);
}

/* ceil(2^48 / 100^k): v * scale >> 16 is v / 100^k in 32.32 fixed point */
static const uint64_t pair_scale[4] = {1, 2814749767107ULL, 28147497672ULL, 281474977ULL};

/* The n digits (3..8) of v < 10^n at q, leading zeros included.  y is v
 * divided by 100^k (k: the pairs after the leading one or two digits) in
 * 32.32 fixed point, rounded up by less than 10^-6 (v * (scale - 2^48 /
 * 100^k) / 2^48 < 3.6e-7, plus 2^-32) and so less than 100^-k: each
 * multiplication of its fraction by 100 brings the next two digits into the
 * top word exactly (test-jsonw checks every v below 10^8). */
static inline void put_digits8(char *q, size_t n, uint32_t v)
{
    char *end = q + n;
    unsigned k = (unsigned)(n - 1) / 2;
    uint64_t y = ((uint64_t)v * pair_scale[k] >> 16) + 1;
    if (n & 1) {
        *q++ = (char)('0' + (y >> 32));
    } else {
        put_pair(q, y >> 32);
        q += 2;
    }
    while (q < end) {
        y = (y & 0xffffffff) * 100;
        put_pair(q, y >> 32);
        q += 2;
    }
}

/* The n digits of v at q, past 10^8: eight at a time from the right. */
static void put_digits_long(char *q, size_t n, uint64_t v)
{
    while (n > 8) {
        uint64_t hi = v / 100000000;
        n -= 8;
        put_digits8(q + n, 8, (uint32_t)(v - hi * 100000000));
        v = hi;
    }
    if (n <= 2)
        put_digits_short(q, n, (uint32_t)v);
    else
        put_digits8(q, n, (uint32_t)v);
}

/* The n digits of v at q. */
static void put_digits(char *q, size_t n, uint64_t v)
{
    if (n <= 2)
        put_digits_short(q, n, (uint32_t)v);
    else if (n <= 8)
        put_digits8(q, n, (uint32_t)v);
    else
        put_digits_long(q, n, v);
}

void jw_digits_n(char *q, size_t n, uint32_t v)
{
    put_digits8(q, n, v);
}

/* jw_digits past 10^8: apart, so that the common path calls nothing and
 * saves no register. */
static __attribute__((noinline)) char *digits_long(char *q, uint64_t v)
{
    size_t n = jw_u64_len(v);
    put_digits_long(q, n, v);
    return q + n;
}

char *jw_digits(char *q, uint64_t v)
{
    if (v >= 100000000)
        return digits_long(q, v);
    size_t n = jw_u64_len(v);
    if (n <= 2)
        put_digits_short(q, n, (uint32_t)v);
    else
        put_digits8(q, n, (uint32_t)v);
    return q + n;
}

/* A number with an optional minus sign, in exactly its room. */
static void put_number(struct jsonw *w, bool minus, uint64_t v)
{
    size_t digits = jw_u64_len(v);
    size_t n = digits + minus;
    char *q = jw_value_begin(w, n);
    if (!q)
        return;
    *q = '-';
    put_digits(q + minus, digits, v);
    jw_value_end(w, q + n);
}

void jw_u64_exact(struct jsonw *w, uint64_t v)
{
    put_number(w, false, v);
}

void jw_i64(struct jsonw *w, int64_t v)
{
    if (v < 0)
        put_number(w, true, (uint64_t)0 - (uint64_t)v);
    else
        put_number(w, false, (uint64_t)v);
}

static void put_text(struct jsonw *w, const char *s, size_t n)
{
    if (n == 0) {
        /* jw_raw of nothing: the comma due, as any value (jw_value_begin
         * needs a byte of room for it either way) */
        jw_put(w, ",", w->comma);
        w->comma = true;
        return;
    }
    char *q = jw_value_begin(w, n);
    if (!q)
        return;
    memcpy(q, s, n);
    jw_value_end(w, q + n);
}

void jw_dbl(struct jsonw *w, double v)
{
    if (!isfinite(v)) {
        put_text(w, "null", 4);
        return;
    }
    /* an integral value below 2^53 is written as an integer (the cast is
     * exact there, and cheaper than floor) */
    if (fabs(v) < 9007199254740992.0 && v == (double)(int64_t)v) {
        if (v < 0)
            put_number(w, true, (uint64_t)-v);
        else
            put_number(w, false, (uint64_t)v);
        return;
    }
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "%.9g", v);
    put_text(w, tmp, (size_t)n);
}

void jw_bool(struct jsonw *w, bool v)
{
    if (v)
        put_text(w, "true", 4);
    else
        put_text(w, "false", 5);
}

void jw_null(struct jsonw *w)
{
    put_text(w, "null", 4);
}

void jw_raw(struct jsonw *w, const char *s, size_t n)
{
    put_text(w, s, n);
}

void jw_name_check(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (needs_escape[(unsigned char)s[i]])
            abort(); /* a program-owned name with a byte JSON must escape */
}

void jw_name_n(struct jsonw *w, const char *s, size_t n)
{
#ifdef OT_SANITIZERS
    jw_name_check(s, n);
#endif
    if (n > SIZE_MAX - 2) {
        w->overflow = true;
        return;
    }
    char *q = jw_value_begin(w, n + 2);
    if (!q)
        return;
    *q++ = '"';
    jw_copy(q, s, n);
    q += n;
    *q++ = '"';
    jw_value_end(w, q);
}

size_t jw_quote(char *out, size_t cap, const char *s)
{
    struct jsonw w = {.buf = out, .cap = cap ? cap - 1 : 0};
    jw_put(&w, "\"", 1);
    put_escaped(&w, (const unsigned char *)s, strlen(s));
    jw_put(&w, "\"", 1);
    if (w.overflow || cap == 0)
        return 0;
    out[w.len] = '\0';
    return w.len;
}
