/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: domain names matched by suffix at label boundaries.  Entries are
 * kept lower case in one arena and indexed by an open-addressing hash; a
 * lookup hashes each suffix of the name that starts a label (at most one
 * per label, 127 labels), longest first. */
/* specification: RFC 1035 section 2.3.4 (255-byte names, 63-byte labels),
 * RFC 4343 (names compare without case) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define DOM_MAX 253 /* RFC 1035: 255 octets on the wire, 253 as text */

struct dom_slot {
    uint64_t hash; /* 0: empty */
    uint32_t off;  /* in the arena: length byte, then the name */
    uint32_t value;
};

struct domset {
    struct dom_slot *slots;
    size_t cap; /* power of two */
    size_t n;
    char *arena;
    size_t used, room;
};

struct domset *domset_new(void)
{
    return calloc(1, sizeof(struct domset));
}

void domset_free(struct domset *d)
{
    if (!d)
        return;
    free(d->slots);
    free(d->arena);
    free(d);
}

static uint64_t dom_hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        h = (h ^ c) * 0x100000001b3ULL;
    }
    h ^= h >> 29;
    return h ? h : 1;
}

static bool dom_eq(const char *stored, const char *s, size_t n)
{
    if ((unsigned char)stored[0] != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (stored[1 + i] != c)
            return false;
    }
    return true;
}

static int grow(struct domset *d)
{
    size_t cap = d->cap ? d->cap * 2 : 1024;
    struct dom_slot *s = calloc(cap, sizeof(*s));
    if (!s)
        return -1;
    for (size_t i = 0; i < d->cap; i++) {
        if (!d->slots[i].hash)
            continue;
        size_t j = d->slots[i].hash & (cap - 1);
        while (s[j].hash)
            j = (j + 1) & (cap - 1);
        s[j] = d->slots[i];
    }
    free(d->slots);
    d->slots = s;
    d->cap = cap;
    return 0;
}

static bool valid_domain(const char *s, size_t n)
{
    if (n == 0 || n > DOM_MAX)
        return false;
    size_t label = 0, dots = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
            dots++;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok || ++label > 63)
            return false;
    }
    return label > 0 && dots > 0; /* a single label is a host name, not an indicator */
}

int domset_add(struct domset *d, const char *name, uint32_t value, char *err, size_t errlen)
{
    size_t n = strlen(name);
    if (n > 2 && name[0] == '*' && name[1] == '.') { /* *.example.com: the same as example.com */
        name += 2;
        n -= 2;
    }
    while (n > 0 && name[n - 1] == '.')
        n--;
    if (!valid_domain(name, n)) {
        snprintf(err, errlen, "'%s' is not a domain name", name);
        return -1;
    }
    if ((d->n + 1) * 2 > d->cap && grow(d) != 0)
        goto nomem;
    uint64_t h = dom_hash(name, n);
    size_t j = h & (d->cap - 1);
    while (d->slots[j].hash) {
        if (d->slots[j].hash == h && dom_eq(d->arena + d->slots[j].off, name, n))
            return 0; /* already there: the first value stays */
        j = (j + 1) & (d->cap - 1);
    }
    if (d->used + n + 1 > d->room) {
        size_t room = d->room ? d->room * 2 : 65536;
        while (room < d->used + n + 1)
            room *= 2;
        if (room > UINT32_MAX)
            goto nomem;
        char *a = realloc(d->arena, room);
        if (!a)
            goto nomem;
        d->arena = a;
        d->room = room;
    }
    char *dst = d->arena + d->used;
    dst[0] = (char)n;
    for (size_t i = 0; i < n; i++)
        dst[1 + i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
    d->slots[j] = (struct dom_slot){h, (uint32_t)d->used, value};
    d->used += n + 1;
    d->n++;
    return 0;
nomem:
    snprintf(err, errlen, "out of memory");
    return -1;
}

static bool find(const struct domset *d, const char *s, size_t n, uint32_t *value)
{
    uint64_t h = dom_hash(s, n);
    size_t j = h & (d->cap - 1);
    while (d->slots[j].hash) {
        if (d->slots[j].hash == h && dom_eq(d->arena + d->slots[j].off, s, n)) {
            if (value)
                *value = d->slots[j].value;
            return true;
        }
        j = (j + 1) & (d->cap - 1);
    }
    return false;
}

bool domset_lookup(const struct domset *d, const char *name, size_t len, uint32_t *value)
{
    if (!d || d->n == 0 || !name)
        return false;
    while (len > 0 && name[len - 1] == '.')
        len--;
    if (len == 0 || len > DOM_MAX)
        return false;
    /* the whole name, then each suffix after a dot, longest first */
    for (size_t i = 0; i < len; i++) {
        if (i == 0 || name[i - 1] == '.') {
            if (find(d, name + i, len - i, value))
                return true;
        }
    }
    return false;
}

size_t domset_count(const struct domset *d)
{
    return d ? d->n : 0;
}
