/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: country and AS of an address from MaxMind DB files (GeoLite2 /
 * GeoIP2 Country, City, ASN, or any database with the same keys), through
 * libmaxminddb with the files mapped read-only; and the geo policy lists. */
/* specification: MaxMind DB File Format Specification 2.0; the GeoIP2 / GeoLite2
 * record layouts (country.iso_code, registered_country.iso_code,
 * autonomous_system_number, autonomous_system_organization) */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define GEO_MAX_FILES 8

struct geo {
    MMDB_s db[GEO_MAX_FILES];
    int n;
};

void geo_free(struct geo *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n; i++)
        MMDB_close(&g->db[i]);
    free(g);
}

struct geo *geo_open(const char *const *paths, int n, char *err, size_t errlen)
{
    if (n > GEO_MAX_FILES) {
        snprintf(err, errlen, "at most %d GeoIP files", GEO_MAX_FILES);
        return NULL;
    }
    struct geo *g = calloc(1, sizeof(*g));
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        int rc = MMDB_open(paths[i], MMDB_MODE_MMAP, &g->db[g->n]);
        if (rc != MMDB_SUCCESS) {
            snprintf(err, errlen, "%s: not a usable MaxMind DB: %s%s%s", paths[i],
                     MMDB_strerror(rc), rc == MMDB_IO_ERROR ? ": " : "",
                     rc == MMDB_IO_ERROR ? strerror(errno) : "");
            geo_free(g);
            return NULL;
        }
        g->n++;
    }
    return g;
}

static bool get_str(MMDB_entry_s *e, char *out, size_t outlen, const char *a, const char *b)
{
    MMDB_entry_data_s d;
    const char *path[] = {a, b, NULL};
    if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data ||
        d.type != MMDB_DATA_TYPE_UTF8_STRING)
        return false;
    size_t n = d.data_size < outlen - 1 ? d.data_size : outlen - 1;
    /* the text goes into JSON and syslog: printable ASCII only */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d.utf8_string[i];
        out[i] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
    }
    out[n] = '\0';
    return true;
}

bool geo_lookup(const struct geo *g, const uint8_t addr[16], int version, struct geo_info *out)
{
    memset(out, 0, sizeof(*out));
    if (!g || g->n == 0)
        return false;
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    if (version == 4) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        memcpy(&s4->sin_addr, addr, 4);
    } else if (version == 6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, addr, 16);
    } else {
        return false;
    }
    bool found = false;
    for (int i = 0; i < g->n; i++) {
        int mmerr;
        MMDB_lookup_result_s r =
            MMDB_lookup_sockaddr((MMDB_s *)&g->db[i], (struct sockaddr *)&ss, &mmerr);
        if (mmerr != MMDB_SUCCESS || !r.found_entry)
            continue;
        if (!out->country[0]) {
            if (get_str(&r.entry, out->country, sizeof(out->country), "country", "iso_code") ||
                get_str(&r.entry, out->country, sizeof(out->country), "registered_country",
                        "iso_code"))
                found = true;
        }
        if (!out->asn) {
            MMDB_entry_data_s d;
            const char *path[] = {"autonomous_system_number", NULL};
            if (MMDB_aget_value(&r.entry, &d, path) == MMDB_SUCCESS && d.has_data) {
                if (d.type == MMDB_DATA_TYPE_UINT32)
                    out->asn = d.uint32;
                else if (d.type == MMDB_DATA_TYPE_UINT16)
                    out->asn = d.uint16;
                else if (d.type == MMDB_DATA_TYPE_UINT64 && d.uint64 <= UINT32_MAX)
                    out->asn = (uint32_t)d.uint64;
                if (out->asn) {
                    found = true;
                    get_str(&r.entry, out->as_org, sizeof(out->as_org),
                            "autonomous_system_organization", NULL);
                }
            }
        }
    }
    return found;
}

static const char *next_item(const char *s, char *item, size_t len)
{
    while (*s == ' ' || *s == ',' || *s == '\t')
        s++;
    size_t n = 0;
    while (*s && *s != ',' && *s != ' ' && *s != '\t') {
        if (n + 1 < len)
            item[n++] = *s;
        s++;
    }
    item[n] = '\0';
    return s;
}

int geo_policy_countries(char (*codes)[3], unsigned *n, const char *list, char *err, size_t errlen)
{
    char item[32];
    const char *s = list;
    while ((s = next_item(s, item, sizeof(item))), item[0]) {
        if (strlen(item) != 2 || !isalpha((unsigned char)item[0]) ||
            !isalpha((unsigned char)item[1])) {
            snprintf(err, errlen, "'%s' is not a two-letter ISO 3166 country code", item);
            return -1;
        }
        if (*n >= GEO_MAX_CODES) {
            snprintf(err, errlen, "at most %d countries", GEO_MAX_CODES);
            return -1;
        }
        codes[*n][0] = (char)toupper((unsigned char)item[0]);
        codes[*n][1] = (char)toupper((unsigned char)item[1]);
        codes[*n][2] = '\0';
        (*n)++;
    }
    return 0;
}

int geo_policy_asns(uint32_t *asns, unsigned *n, const char *list, char *err, size_t errlen)
{
    char item[32];
    const char *s = list;
    while ((s = next_item(s, item, sizeof(item))), item[0]) {
        const char *digits = item;
        if ((item[0] == 'A' || item[0] == 'a') && (item[1] == 'S' || item[1] == 's'))
            digits += 2;
        char *end;
        unsigned long v = strtoul(digits, &end, 10);
        if (!*digits || *end || v == 0 || v > UINT32_MAX) {
            snprintf(err, errlen, "'%s' is not an AS number (e.g. 3320 or AS3320)", item);
            return -1;
        }
        if (*n >= GEO_MAX_CODES) {
            snprintf(err, errlen, "at most %d AS numbers", GEO_MAX_CODES);
            return -1;
        }
        asns[(*n)++] = (uint32_t)v;
    }
    return 0;
}

static bool has_cc(const char (*codes)[3], unsigned n, const char *cc)
{
    for (unsigned i = 0; cc[0] && i < n; i++)
        if (codes[i][0] == cc[0] && codes[i][1] == cc[1])
            return true;
    return false;
}

static bool has_asn(const uint32_t *asns, unsigned n, uint32_t asn)
{
    for (unsigned i = 0; asn && i < n; i++)
        if (asns[i] == asn)
            return true;
    return false;
}

bool geo_policy_forbidden(const struct geo_policy *p, const struct geo_info *g)
{
    return has_cc((const char(*)[3])p->forbidden_cc, p->n_forbidden_cc, g->country) ||
           has_asn(p->forbidden_asn, p->n_forbidden_asn, g->asn);
}

bool geo_policy_allowed(const struct geo_policy *p, const struct geo_info *g)
{
    return has_cc((const char(*)[3])p->allowed_cc, p->n_allowed_cc, g->country) ||
           has_asn(p->allowed_asn, p->n_allowed_asn, g->asn);
}
