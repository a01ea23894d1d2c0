/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: address lists as sorted, disjoint intervals.  Prefixes are
 * collected, then flattened once (the most specific prefix wins where they
 * nest) into intervals that a binary search looks up: O(log n), no
 * allocation, 12 bytes per IPv4 interval and 48 per IPv6 one. */
/* specification: RFC 4632 (CIDR), RFC 4291 section 2.5.5.2 (IPv4-mapped
 * addresses: IPv4 prefixes are kept apart, not mapped) */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

typedef unsigned __int128 u128;

struct pfx4 {
    uint32_t lo, hi;
    uint32_t value;
    uint32_t seq; /* insertion order: the first of two equal prefixes wins */
    uint8_t plen;
};

struct pfx6 {
    u128 lo, hi;
    uint32_t value;
    uint32_t seq;
    uint8_t plen;
};

struct seg4 {
    uint32_t lo, hi, value;
};

struct seg6 {
    u128 lo, hi;
    uint32_t value;
};

struct iplist {
    struct pfx4 *p4;
    size_t n4, cap4;
    struct pfx6 *p6;
    size_t n6, cap6;
    struct seg4 *s4;
    size_t ns4;
    struct seg6 *s6;
    size_t ns6;
    size_t added;
    bool built;
};

struct iplist *iplist_new(void)
{
    return calloc(1, sizeof(struct iplist));
}

void iplist_free(struct iplist *l)
{
    if (!l)
        return;
    free(l->p4);
    free(l->p6);
    free(l->s4);
    free(l->s6);
    free(l);
}

static u128 load128(const uint8_t a[16])
{
    u128 v = 0;
    for (int i = 0; i < 16; i++)
        v = v << 8 | a[i];
    return v;
}

static uint32_t load32(const uint8_t a[4])
{
    return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

int iplist_add(struct iplist *l, const uint8_t addr[16], int version, unsigned plen, uint32_t value)
{
    if (l->built)
        return -1;
    if (version == 4) {
        if (plen > 32)
            return -1;
        if (l->n4 == l->cap4) {
            size_t cap = l->cap4 ? l->cap4 * 2 : 64;
            struct pfx4 *p = realloc(l->p4, cap * sizeof(*p));
            if (!p)
                return -1;
            l->p4 = p;
            l->cap4 = cap;
        }
        uint32_t mask = plen ? ~(uint32_t)0 << (32 - plen) : 0;
        uint32_t a = load32(addr) & mask;
        l->p4[l->n4++] = (struct pfx4){a, a | ~mask, value, (uint32_t)l->added, (uint8_t)plen};
    } else if (version == 6) {
        if (plen > 128)
            return -1;
        if (l->n6 == l->cap6) {
            size_t cap = l->cap6 ? l->cap6 * 2 : 64;
            struct pfx6 *p = realloc(l->p6, cap * sizeof(*p));
            if (!p)
                return -1;
            l->p6 = p;
            l->cap6 = cap;
        }
        u128 mask = plen ? ~(u128)0 << (128 - plen) : 0;
        u128 a = load128(addr) & mask;
        l->p6[l->n6++] = (struct pfx6){a, a | ~mask, value, (uint32_t)l->added, (uint8_t)plen};
    } else {
        return -1;
    }
    l->added++;
    return 0;
}

int ip_parse_prefix(const char *text, uint8_t addr[16], int *version, unsigned *plen)
{
    char buf[64];
    size_t n = strlen(text);
    if (n == 0 || n >= sizeof(buf))
        return -1;
    memcpy(buf, text, n + 1);
    char *slash = strchr(buf, '/');
    long bits = -1;
    if (slash) {
        *slash = '\0';
        char *end;
        if (!slash[1] || slash[1] == '-' || slash[1] == '+')
            return -1;
        bits = strtol(slash + 1, &end, 10);
        if (*end)
            return -1;
    }
    memset(addr, 0, 16);
    if (strchr(buf, ':')) {
        if (inet_pton(AF_INET6, buf, addr) != 1)
            return -1;
        if (bits > 128)
            return -1;
        *version = 6;
        *plen = bits < 0 ? 128 : (unsigned)bits;
        return 0;
    }
    if (inet_pton(AF_INET, buf, addr) != 1)
        return -1;
    if (bits > 32)
        return -1;
    *version = 4;
    *plen = bits < 0 ? 32 : (unsigned)bits;
    return 0;
}

bool mac_parse(const char *text, uint8_t mac[6])
{
    unsigned v[6];
    char tail;
    if (strlen(text) != 17 || sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
                                     &v[4], &v[5], &tail) != 6)
        return false;
    for (int i = 0; i < 6; i++) {
        if (text[i * 3 + 2] != ':' && i < 5)
            return false;
        mac[i] = (uint8_t)v[i];
    }
    return true;
}

int iplist_add_text(struct iplist *l, const char *text, uint32_t value, char *err, size_t errlen)
{
    uint8_t a[16];
    int version;
    unsigned plen;
    if (ip_parse_prefix(text, a, &version, &plen) != 0) {
        snprintf(err, errlen, "'%s' is not an IPv4/IPv6 address or prefix", text);
        return -1;
    }
    if (iplist_add(l, a, version, plen, value) != 0) {
        snprintf(err, errlen, "out of memory adding '%s'", text);
        return -1;
    }
    return 0;
}

static int cmp4(const void *x, const void *y)
{
    const struct pfx4 *a = x, *b = y;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    if (a->plen != b->plen)
        return a->plen < b->plen ? -1 : 1; /* the wider prefix first */
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int cmp6(const void *x, const void *y)
{
    const struct pfx6 *a = x, *b = y;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    if (a->plen != b->plen)
        return a->plen < b->plen ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Prefixes nest or are disjoint, so a sweep in (start, width) order with a
 * stack of the open ones cuts the line into intervals, each labelled by the
 * innermost prefix over it.  The same code for both widths. */
#define FLATTEN(NAME, PFX, SEG, KEY, KEYMAX)                                                       \
    static int NAME(PFX *p, size_t n, SEG **out, size_t *nout)                                     \
    {                                                                                              \
        *out = NULL;                                                                               \
        *nout = 0;                                                                                 \
        if (n == 0)                                                                                \
            return 0;                                                                              \
        /* a prefix yields at most 2 intervals: its head and the tail after a child */             \
        SEG *s = malloc(2 * n * sizeof(*s));                                                       \
        PFX **stack = malloc(n * sizeof(*stack));                                                  \
        if (!s || !stack) {                                                                        \
            free(s);                                                                               \
            free(stack);                                                                           \
            return -1;                                                                             \
        }                                                                                          \
        size_t ns = 0, depth = 0;                                                                  \
        KEY cursor = 0;                                                                            \
        bool done = false; /* cursor went past the top of the key space */                         \
        for (size_t i = 0; i <= n; i++) {                                                          \
            PFX *e = i < n ? &p[i] : NULL;                                                         \
            /* close the open prefixes that end before e */                                        \
            while (depth && (!e || stack[depth - 1]->hi < e->lo)) {                                \
                PFX *top = stack[--depth];                                                         \
                if (!done && cursor <= top->hi)                                                    \
                    s[ns++] = (SEG){cursor, top->hi, top->value};                                  \
                if (top->hi == (KEY)KEYMAX)                                                        \
                    done = true;                                                                   \
                else if (!done && cursor <= top->hi)                                               \
                    cursor = top->hi + 1;                                                          \
            }                                                                                      \
            if (!e)                                                                                \
                break;                                                                             \
            if (depth) {                                                                           \
                PFX *top = stack[depth - 1];                                                       \
                if (top->lo == e->lo && top->hi == e->hi)                                          \
                    continue; /* the same prefix again: the first one stays */                     \
                if (cursor < e->lo)                                                                \
                    s[ns++] = (SEG){cursor, e->lo - 1, top->value};                                \
            }                                                                                      \
            cursor = e->lo;                                                                        \
            done = false;                                                                          \
            stack[depth++] = e;                                                                    \
        }                                                                                          \
        free(stack);                                                                               \
        *out = s;                                                                                  \
        *nout = ns;                                                                                \
        return 0;                                                                                  \
    }

FLATTEN(flatten4, struct pfx4, struct seg4, uint32_t, UINT32_MAX)
FLATTEN(flatten6, struct pfx6, struct seg6, u128, ~(u128)0)

int iplist_build(struct iplist *l)
{
    if (l->built)
        return 0;
    if (l->n4 > 1)
        qsort(l->p4, l->n4, sizeof(*l->p4), cmp4);
    if (l->n6 > 1)
        qsort(l->p6, l->n6, sizeof(*l->p6), cmp6);
    if (flatten4(l->p4, l->n4, &l->s4, &l->ns4) != 0 ||
        flatten6(l->p6, l->n6, &l->s6, &l->ns6) != 0)
        return -1;
    free(l->p4);
    free(l->p6);
    l->p4 = NULL;
    l->p6 = NULL;
    l->n4 = l->n6 = l->cap4 = l->cap6 = 0;
    l->built = true;
    return 0;
}

bool iplist_lookup(const struct iplist *l, const uint8_t addr[16], int version, uint32_t *value)
{
    if (!l || !l->built)
        return false;
    if (version == 4) {
        uint32_t k = load32(addr);
        size_t lo = 0, hi = l->ns4;
        while (lo < hi) { /* the first interval starting after k */
            size_t mid = lo + (hi - lo) / 2;
            if (l->s4[mid].lo <= k)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == 0 || l->s4[lo - 1].hi < k)
            return false;
        if (value)
            *value = l->s4[lo - 1].value;
        return true;
    }
    if (version != 6)
        return false;
    u128 k = load128(addr);
    size_t lo = 0, hi = l->ns6;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->s6[mid].lo <= k)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || l->s6[lo - 1].hi < k)
        return false;
    if (value)
        *value = l->s6[lo - 1].value;
    return true;
}

size_t iplist_count(const struct iplist *l)
{
    return l ? l->added : 0;
}
