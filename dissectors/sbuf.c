/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: a bounded text buffer for formatting identifiers (see sbuf.h). */
#include "sbuf.h"

#include "cursor.h"

static const char hex_digits[] = "0123456789abcdef";

struct sbuf sb_init(char *p, size_t cap)
{
    struct sbuf b = {p, cap, 0};
    p[0] = '\0';
    return b;
}

void sb_putc(struct sbuf *b, char ch)
{
    if (b->n + 1 < b->cap) {
        b->p[b->n++] = ch;
        b->p[b->n] = '\0';
    }
}

void sb_str(struct sbuf *b, const char *s)
{
    while (*s)
        sb_putc(b, *s++);
}

void sb_ascii(struct sbuf *b, uint32_t ch)
{
    sb_putc(b, ch >= 0x20 && ch < 0x7f ? (char)ch : '?');
}

void sb_dec(struct sbuf *b, uint32_t v, int min_digits)
{
    char t[10];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n < 10);
    while (n < min_digits && n < 10)
        t[n++] = '0';
    while (n > 0)
        sb_putc(b, t[--n]);
}

void sb_hex(struct sbuf *b, uint32_t v, int digits)
{
    for (int i = digits - 1; i >= 0; i--)
        sb_putc(b, hex_digits[(v >> (4 * i)) & 0xf]);
}

void sb_hex_bytes(struct sbuf *b, const uint8_t *p, size_t n)
{
    struct cur c = cur_init(p, n);
    while (cur_left(&c) > 0 && b->n + 2 < b->cap) {
        uint8_t x = cur_u8(&c);
        sb_putc(b, hex_digits[x >> 4]);
        sb_putc(b, hex_digits[x & 15]);
    }
}

void sb_ipv4_port(struct sbuf *b, uint32_t ip, uint16_t port)
{
    for (int k = 3; k >= 0; k--) {
        sb_dec(b, (ip >> (8 * k)) & 0xff, 1);
        sb_putc(b, k ? '.' : ':');
    }
    sb_dec(b, port, 1);
}
