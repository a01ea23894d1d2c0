/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests of the streaming JSON writer: nesting and commas,
 * numbers, escaping of hostile wire bytes (every line stays valid JSON, read
 * back with jansson), and overflow of the buffer. */
#include <jansson.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "unit.h"

static json_t *parse(const struct jsonw *w)
{
    /* an escaped NUL is valid JSON; jansson wants to be told */
    return json_loadb(w->buf, w->len, JSON_ALLOW_NUL, NULL);
}

static int nesting_and_commas(void)
{
    struct jsonw w;
    FAIL_IF(jw_init(&w, 4096) != 0);
    jw_reset(&w);
    jw_obj_begin(&w);
    jw_ku64(&w, "a", 1);
    jw_key(&w, "b");
    jw_arr_begin(&w);
    jw_u64(&w, 2);
    jw_obj_begin(&w);
    jw_kbool(&w, "c", true);
    jw_obj_end(&w);
    jw_arr_begin(&w);
    jw_arr_end(&w);
    jw_null(&w);
    jw_arr_end(&w);
    jw_key(&w, "d");
    jw_obj_begin(&w);
    jw_obj_end(&w);
    jw_obj_end(&w);
    const char *want = "{\"a\":1,\"b\":[2,{\"c\":true},[],null],\"d\":{}}";
    FAIL_IF_NOT(w.len == strlen(want) && memcmp(w.buf, want, w.len) == 0);
    jw_fini(&w);
    PASS;
}

static int numbers(void)
{
    struct jsonw w;
    FAIL_IF(jw_init(&w, 4096) != 0);
    jw_reset(&w);
    jw_arr_begin(&w);
    jw_u64(&w, UINT64_MAX);
    jw_i64(&w, INT64_MIN);
    jw_dbl(&w, 3.0);
    jw_dbl(&w, -0.5);
    jw_dbl(&w, NAN);
    jw_dbl(&w, INFINITY);
    jw_arr_end(&w);
    const char *want = "[18446744073709551615,-9223372036854775808,3,-0.5,null,null]";
    FAIL_IF_NOT(w.len == strlen(want) && memcmp(w.buf, want, w.len) == 0);
    jw_fini(&w);
    PASS;
}

/* Every length of number, at each power of ten and either side, as printf
 * writes it (the writer finds the length first, then the digits). */
static int numbers_every_length(void)
{
    struct jsonw w;
    FAIL_IF(jw_init(&w, 64) != 0);
    uint64_t p = 1;
    for (int k = 0; k < 20; k++, p *= 10) {
        const uint64_t vals[] = {p - 1, p, p + 1, p * 2 - 1, UINT64_MAX - p + 1};
        for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
            char want[32];
            int n = snprintf(want, sizeof(want), "%" PRIu64, vals[i]);
            jw_reset(&w);
            jw_u64(&w, vals[i]);
            FAIL_IF_NOT(!w.overflow && w.len == (size_t)n && memcmp(w.buf, want, w.len) == 0);
        }
    }
    jw_fini(&w);
    /* a number that does not fit is flagged, and nothing is written */
    FAIL_IF(jw_init(&w, 4) != 0);
    jw_reset(&w);
    jw_u64(&w, 12345);
    FAIL_IF_NOT(w.overflow && w.len == 0);
    jw_fini(&w);
    PASS;
}

/* Every number below 10^8 (the digits are made by multiplication, with a
 * rounding argued in jsonw.c: this checks it), against a decimal counter. */
static int every_number_below_1e8(void)
{
    struct jsonw w;
    FAIL_IF(jw_init(&w, 64) != 0);
    char want[16] = "0";
    size_t n = 1;
    for (uint32_t v = 0; v < 100000000; v++) {
        jw_reset(&w);
        jw_u64(&w, v);
        FAIL_IF_NOT(w.len == n && memcmp(w.buf, want, n) == 0);
        size_t i = n;
        while (i > 0 && want[i - 1] == '9')
            want[--i] = '0';
        if (i > 0) {
            want[i - 1]++;
        } else {
            memmove(want + 1, want, n++);
            want[0] = '1';
        }
    }
    jw_fini(&w);
    PASS;
}

static int hostile_strings(void)
{
    struct jsonw w;
    FAIL_IF(jw_init(&w, 4096) != 0);
    /* quotes, backslashes, controls, DEL, invalid and overlong UTF-8,
     * a surrogate, a valid 3-byte and 4-byte sequence */
    static const uint8_t bytes[] = {'"', '\\', '\n', 0x01, 0x7f, 0xff, 0xc0, 0xaf, 0xed, 0xa0,
                                    0x80, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 'z'};
    jw_reset(&w);
    jw_obj_begin(&w);
    jw_key(&w, "s");
    jw_strn(&w, bytes, sizeof(bytes));
    jw_obj_end(&w);
    json_t *j = parse(&w);
    FAIL_IF_NOT(j);
    const char *s = json_string_value(json_object_get(j, "s"));
    FAIL_IF_NOT(s && s[0] == '"' && s[1] == '\\' && s[2] == '\n');
    FAIL_IF_NOT(strstr(s, "\xe2\x82\xac") && strstr(s, "\xf0\x9f\x98\x80"));
    json_decref(j);
    /* every single byte value, alone */
    for (int b = 0; b < 256; b++) {
        uint8_t one = (uint8_t)b;
        jw_reset(&w);
        jw_arr_begin(&w);
        jw_strn(&w, &one, 1);
        jw_arr_end(&w);
        j = parse(&w);
        FAIL_IF_NOT(j);
        json_decref(j);
    }
    jw_fini(&w);
    PASS;
}

static int hex_and_quote(void)
{
    struct jsonw w;
    FAIL_IF(jw_init(&w, 4096) != 0);
    jw_reset(&w);
    jw_hex(&w, "\x00\xab", 2);
    FAIL_IF_NOT(w.len == 6 && memcmp(w.buf, "\"00ab\"", 6) == 0);
    char q[32];
    FAIL_IF_NOT(jw_quote(q, sizeof(q), "a\"b") == 6 && strcmp(q, "\"a\\\"b\"") == 0);
    FAIL_IF_NOT(jw_quote(q, 4, "abcdef") == 0);
    jw_fini(&w);
    PASS;
}

static int overflow_is_flagged(void)
{
    struct jsonw w;
    FAIL_IF(jw_init(&w, 16) != 0);
    jw_reset(&w);
    jw_obj_begin(&w);
    jw_kstr(&w, "key", "a value longer than sixteen bytes");
    jw_obj_end(&w);
    FAIL_IF_NOT(w.overflow && w.len <= 16);
    jw_reset(&w);
    FAIL_IF(w.overflow);
    jw_fini(&w);
    PASS;
}

static const struct unit_test tests[] = {
    {"nesting_and_commas", nesting_and_commas},
    {"numbers", numbers},
    {"numbers_every_length", numbers_every_length},
    {"every_number_below_1e8", every_number_below_1e8},
    {"hostile_strings", hostile_strings},
    {"hex_and_quote", hex_and_quote},
    {"overflow_is_flagged", overflow_is_flagged},
    {NULL, NULL},
};

UNIT_MAIN(tests)
