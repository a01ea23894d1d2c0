/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: MAC vendors from the IEEE OUI registry as Debian's ieee-data
 * ships it (/usr/share/ieee-data/oui.csv, or the oui.txt listing): loaded
 * once per process into a sorted table, looked up by binary search.  A
 * missing file means vendors are unknown, not an error.
 *
 * specification: IEEE Registration Authority, MA-L assignments (24-bit OUI);
 * oui.csv columns "Registry,Assignment,Organization Name,Organization
 * Address" (RFC 4180 quoting); oui.txt lines "XX-XX-XX   (hex)\t\tName". */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"

#define OUI_NAME_MAX 63     /* vendor names are cut here (the longest are ~100) */
#define OUI_MAX_ENTRIES (1U << 20) /* more than the registry will ever hold: a bad file */

struct oui_entry {
    uint32_t prefix; /* the 24 bits */
    uint32_t name;   /* offset in the names arena */
};

static struct {
    pthread_mutex_t lock;
    bool loaded;
    char path[512];
    struct oui_entry *e;
    size_t n, cap;
    char *names;
    size_t names_len, names_cap;
} oui = {PTHREAD_MUTEX_INITIALIZER, false, "", NULL, 0, 0, NULL, 0, 0};

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Six hex digits, optionally separated by '-' or ':' every two. */
static bool parse_prefix(const char *s, uint32_t *out, const char **end)
{
    uint32_t v = 0;
    int digits = 0;
    while (digits < 6) {
        int h = hexval((unsigned char)*s);
        if (h < 0) {
            if ((*s == '-' || *s == ':') && digits && digits % 2 == 0) {
                s++;
                continue;
            }
            return false;
        }
        v = v << 4 | (uint32_t)h;
        digits++;
        s++;
    }
    *out = v;
    *end = s;
    return true;
}

static void add(uint32_t prefix, const char *name, size_t len)
{
    while (len && (name[len - 1] == ' ' || name[len - 1] == '\r' || name[len - 1] == '\n' ||
                   name[len - 1] == '\t'))
        len--;
    while (len && (*name == ' ' || *name == '\t')) {
        name++;
        len--;
    }
    if (!len || oui.n >= OUI_MAX_ENTRIES)
        return;
    if (len > OUI_NAME_MAX)
        len = OUI_NAME_MAX;
    if (oui.n == oui.cap) {
        size_t cap = oui.cap ? oui.cap * 2 : 32768;
        struct oui_entry *e = realloc(oui.e, cap * sizeof(*e));
        if (!e)
            return;
        oui.e = e;
        oui.cap = cap;
    }
    if (oui.names_len + len + 1 > oui.names_cap) {
        size_t cap = oui.names_cap ? oui.names_cap * 2 : 1 << 20;
        while (cap < oui.names_len + len + 1)
            cap *= 2;
        char *n = realloc(oui.names, cap);
        if (!n)
            return;
        oui.names = n;
        oui.names_cap = cap;
    }
    memcpy(oui.names + oui.names_len, name, len);
    oui.names[oui.names_len + len] = '\0';
    oui.e[oui.n].prefix = prefix;
    oui.e[oui.n].name = (uint32_t)oui.names_len;
    oui.n++;
    oui.names_len += len + 1;
}

/* "MA-L,002272,American Micro-Fuel Device Corp.,address" with the name
 * possibly quoted ("Foo, Inc."). */
static void csv_line(const char *line)
{
    if (strncmp(line, "MA-L,", 5) != 0)
        return;
    uint32_t prefix;
    const char *p;
    if (!parse_prefix(line + 5, &prefix, &p) || *p != ',')
        return;
    p++;
    char name[OUI_NAME_MAX + 1];
    size_t n = 0;
    if (*p == '"') {
        for (p++; *p; p++) {
            if (*p == '"' && p[1] == '"')
                p++;
            else if (*p == '"')
                break;
            if (n < OUI_NAME_MAX)
                name[n++] = *p;
        }
    } else {
        for (; *p && *p != ',' && n < OUI_NAME_MAX; p++)
            name[n++] = *p;
    }
    add(prefix, name, n);
}

/* "00-22-72   (hex)\t\tAmerican Micro-Fuel Device Corp." */
static void txt_line(const char *line)
{
    uint32_t prefix;
    const char *p;
    if (!parse_prefix(line, &prefix, &p))
        return;
    const char *hex = strstr(p, "(hex)");
    if (!hex)
        return;
    hex += 5;
    add(prefix, hex, strlen(hex));
}

/* Sorts the entries by prefix, keeping the file's order among equal ones
 * (lookups answer the first): two passes of a stable 12-bit radix sort.
 * qsort took 14 M instructions of the 37 M a start-up spends on the list. */
static void sort_entries(void)
{
    struct oui_entry *tmp = malloc(oui.n * sizeof(*tmp) + 1);
    if (!tmp) {
        oui.n = 0; /* unsorted is unusable: no vendors, as without the file */
        return;
    }
    struct oui_entry *from = oui.e, *to = tmp;
    for (int shift = 0; shift < 24; shift += 12) {
        static size_t at[4097];
        memset(at, 0, sizeof(at));
        for (size_t i = 0; i < oui.n; i++)
            at[(from[i].prefix >> shift & 0xfff) + 1]++;
        for (size_t d = 1; d <= 4096; d++)
            at[d] += at[d - 1];
        for (size_t i = 0; i < oui.n; i++)
            to[at[from[i].prefix >> shift & 0xfff]++] = from[i];
        struct oui_entry *t = from;
        from = to;
        to = t;
    }
    /* two passes: the sorted entries are back in oui.e */
    free(tmp);
}

size_t inventory_oui_load(const char *path)
{
    pthread_mutex_lock(&oui.lock);
    if (oui.loaded && strcmp(oui.path, path) == 0) {
        pthread_mutex_unlock(&oui.lock);
        return oui.n;
    }
    oui.n = 0;
    oui.names_len = 0;
    snprintf(oui.path, sizeof(oui.path), "%s", path);
    oui.loaded = true;
    FILE *f = path[0] ? fopen(path, "r") : NULL;
    if (f) {
        char line[1024];
        while (fgets(line, sizeof(line), f)) {
            size_t len = strlen(line);
            if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
                int c;
                while ((c = fgetc(f)) != EOF && c != '\n') /* an overlong line: skipped */
                    ;
                continue;
            }
            if (line[0] == 'M')
                csv_line(line);
            else
                txt_line(line);
        }
        fclose(f);
        sort_entries();
    }
    size_t n = oui.n;
    pthread_mutex_unlock(&oui.lock);
    return n;
}

const char *inventory_oui_vendor(const uint8_t mac[6])
{
    if (!oui.n || (mac[0] & 0x02)) /* locally administered: no vendor */
        return NULL;
    uint32_t key = (uint32_t)mac[0] << 16 | (uint32_t)mac[1] << 8 | mac[2];
    size_t lo = 0, hi = oui.n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (oui.e[mid].prefix < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < oui.n && oui.e[lo].prefix == key ? oui.names + oui.e[lo].name : NULL;
}
