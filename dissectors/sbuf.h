/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: a bounded text buffer the dissectors format identifiers in
 * (addresses, versions, serial numbers, node ids, dates): appends that stop
 * at the buffer's end and keep it NUL-terminated, no stdio. */
#ifndef OT_SBUF_H
#define OT_SBUF_H

#include <stddef.h>
#include <stdint.h>

/* Text in p[0..n), NUL-terminated once anything is appended; at most cap - 1
 * characters are kept, the rest is dropped. */
struct sbuf {
    char *p; /* borrowed: the caller's array */
    size_t cap;
    size_t n;
};

/* A buffer over p[cap] (cap > 0), emptied: p[0] is set to NUL. */
struct sbuf sb_init(char *p, size_t cap);

void sb_putc(struct sbuf *b, char ch);
void sb_str(struct sbuf *b, const char *s);
/* ch as itself when it is printable ASCII, as '?' otherwise. */
void sb_ascii(struct sbuf *b, uint32_t ch);
/* v in decimal, zero-padded to min_digits (at most 10). */
void sb_dec(struct sbuf *b, uint32_t v, int min_digits);
/* The low `digits` hex digits of v, zero-padded. */
void sb_hex(struct sbuf *b, uint32_t v, int digits);
/* The n bytes at p (borrowed) in hex, two digits each; a byte whose two
 * digits do not both fit is dropped whole. */
void sb_hex_bytes(struct sbuf *b, const uint8_t *p, size_t n);
/* An IPv4 address and port (host order) as "a.b.c.d:port". */
void sb_ipv4_port(struct sbuf *b, uint32_t ip, uint16_t port);

#endif
