/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: IOC lists: addresses and prefixes in an interval list (binary
 * search), domains in a suffix set; every entry keeps its list, its text and
 * its description for the alert's evidence.  Built for a million entries:
 * one pass over each file, no per-entry allocation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define IOC_MAX_LISTS 1024
#define IOC_NAME_LEN 64

struct ioc_entry {
    uint32_t list;
    uint32_t text; /* arena offsets */
    uint32_t desc;
};

struct ioc {
    char names[IOC_MAX_LISTS][IOC_NAME_LEN];
    size_t n_lists;
    struct ioc_entry *e;
    size_t n, cap;
    char *arena;
    size_t used, room;
    uint32_t last_desc; /* descriptions repeat in feeds: reuse the previous one */
    struct iplist *ips;
    struct domset *doms;
};

struct ioc *ioc_new(void)
{
    struct ioc *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->ips = iplist_new();
    c->doms = domset_new();
    c->arena = malloc(1 << 16);
    if (!c->ips || !c->doms || !c->arena) {
        ioc_free(c);
        return NULL;
    }
    c->room = 1 << 16;
    c->arena[0] = '\0'; /* offset 0: the empty string */
    c->used = 1;
    return c;
}

void ioc_free(struct ioc *c)
{
    if (!c)
        return;
    iplist_free(c->ips);
    domset_free(c->doms);
    free(c->e);
    free(c->arena);
    free(c);
}

static long put_str(struct ioc *c, const char *s, size_t n)
{
    if (c->used + n + 1 > c->room) {
        size_t room = c->room * 2;
        while (room < c->used + n + 1)
            room *= 2;
        if (room > UINT32_MAX)
            return -1;
        char *a = realloc(c->arena, room);
        if (!a)
            return -1;
        c->arena = a;
        c->room = room;
    }
    size_t off = c->used;
    memcpy(c->arena + off, s, n);
    c->arena[off + n] = '\0';
    c->used += n + 1;
    return (long)off;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* One CSV field (RFC 4180 quotes); returns the start of the next one or NULL. */
static char *csv_field(char *s, char **field)
{
    if (*s == '"') {
        char *w = s, *r = s + 1;
        *field = w;
        while (*r) {
            if (r[0] == '"' && r[1] == '"') {
                *w++ = '"';
                r += 2;
            } else if (r[0] == '"') {
                r++;
                break;
            } else {
                *w++ = *r++;
            }
        }
        *w = '\0';
        char *comma = strchr(r, ',');
        return comma ? comma + 1 : NULL;
    }
    *field = s;
    char *comma = strchr(s, ',');
    if (!comma)
        return NULL;
    *comma = '\0';
    return comma + 1;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int add_entry(struct ioc *c, uint32_t list, const char *ind, const char *desc, char *err,
                     size_t errlen)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        struct ioc_entry *e = realloc(c->e, cap * sizeof(*e));
        if (!e) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        c->e = e;
        c->cap = cap;
    }
    uint32_t idx = (uint32_t)c->n;
    uint8_t a[16];
    int version;
    unsigned plen;
    bool is_ip = ip_parse_prefix(ind, a, &version, &plen) == 0;
    if (is_ip) {
        if (iplist_add(c->ips, a, version, plen, idx) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    } else {
        /* anything with a colon or a slash that did not parse was meant as an address */
        if (strchr(ind, ':') || strchr(ind, '/')) {
            snprintf(err, errlen, "'%s' is not an IPv4/IPv6 address or prefix", ind);
            return -1;
        }
        if (domset_add(c->doms, ind, idx, err, errlen) != 0) {
            snprintf(err, errlen, "'%s' is not an IP address, prefix or domain name", ind);
            return -1;
        }
    }
    long t = put_str(c, ind, strlen(ind));
    long d = 0;
    size_t dl = strlen(desc);
    if (dl) {
        if (c->last_desc && strcmp(c->arena + c->last_desc, desc) == 0)
            d = c->last_desc;
        else
            d = put_str(c, desc, dl);
    }
    if (t < 0 || d < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    c->last_desc = (uint32_t)d;
    c->e[c->n++] = (struct ioc_entry){list, (uint32_t)t, (uint32_t)d};
    return 0;
}

long ioc_load(struct ioc *c, const char *spec, struct rules_problems *pr)
{
    char name[IOC_NAME_LEN];
    const char *path = spec;
    const char *eq = strchr(spec, '=');
    const char *slash = strchr(spec, '/');
    if (eq && eq != spec && (!slash || slash > eq)) { /* NAME=FILE */
        snprintf(name, sizeof(name), "%.*s", (int)(eq - spec), spec);
        path = eq + 1;
    } else { /* the file name without its extension */
        const char *base = strrchr(spec, '/');
        base = base ? base + 1 : spec;
        snprintf(name, sizeof(name), "%s", base);
        char *dot = strrchr(name, '.');
        if (dot && dot != name)
            *dot = '\0';
    }
    if (c->n_lists >= IOC_MAX_LISTS) {
        rules_problem_add(pr, path, 0, 0, "more than %d IOC lists", IOC_MAX_LISTS);
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        rules_problem_add(pr, path, 0, 0, "cannot open the IOC list: %s", strerror(errno));
        return -1;
    }
    uint32_t list = (uint32_t)c->n_lists;
    snprintf(c->names[c->n_lists++], IOC_NAME_LEN, "%s", name);
    bool csv = ends_with(path, ".csv");
    char *line = NULL;
    size_t cap = 0;
    unsigned lineno = 0;
    long loaded = 0;
    c->last_desc = 0;
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *ind, *desc = (char *)"";
        if (csv) {
            char *rest = csv_field(s, &ind);
            if (rest)
                csv_field(rest, &desc);
            ind = trim(ind);
            desc = trim(desc);
        } else {
            ind = s;
            size_t k = strcspn(s, " \t");
            if (s[k]) {
                s[k] = '\0';
                desc = s + k + 1;
                while (*desc == ' ' || *desc == '\t' || *desc == '#')
                    desc++;
                desc = trim(desc);
            }
        }
        char err[RULES_MSG_LEN];
        if (add_entry(c, list, ind, desc, err, sizeof(err)) != 0) {
            /* a CSV file's first line may be its header */
            if (csv && loaded == 0 && lineno == 1)
                continue;
            rules_problem_add(pr, path, lineno, 1, "%s", err);
            continue;
        }
        loaded++;
    }
    free(line);
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        rules_problem_add(pr, path, 0, 0, "read error");
        return -1;
    }
    return loaded;
}

int ioc_build(struct ioc *c)
{
    return iplist_build(c->ips);
}

static void fill(const struct ioc *c, uint32_t idx, struct ioc_hit *out)
{
    const struct ioc_entry *e = &c->e[idx];
    out->list = c->names[e->list];
    out->indicator = c->arena + e->text;
    out->description = c->arena + e->desc;
}

bool ioc_match_ip(const struct ioc *c, const uint8_t addr[16], int version, struct ioc_hit *out)
{
    uint32_t idx;
    if (!c || !iplist_lookup(c->ips, addr, version, &idx))
        return false;
    fill(c, idx, out);
    return true;
}

bool ioc_match_domain(const struct ioc *c, const char *name, struct ioc_hit *out)
{
    uint32_t idx;
    if (!c || !name || !domset_lookup(c->doms, name, strlen(name), &idx))
        return false;
    fill(c, idx, out);
    return true;
}

size_t ioc_count(const struct ioc *c)
{
    return c ? c->n : 0;
}

size_t ioc_lists(const struct ioc *c)
{
    return c ? c->n_lists : 0;
}
