/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: zones (name, networks, Purdue level), the internal networks, and
 * the conduits allowed between zones: which zone an address is in (one
 * interval lookup), and whether a conversation between two zones has a
 * conduit.  Shared by the zone detections and the inventory. */
/* specification: IEC 62443-3-2 (zones and conduits); the Purdue reference
 * model (levels 0-5); DESIGN section 8 (internal networks by default) */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules.h"

#define ZONE_NAME_LEN 64
#define CONDUIT_MAX_PROTOS 16
#define ZONE_ANY (-5)

/* Internal by default (DESIGN section 8): RFC 1918, loopback, link-local,
 * CGNAT, multicast and broadcast, "this network", IPv6 ULA and link-local. */
static const char *const default_internal[] = {
    "10.0.0.0/8",    "172.16.0.0/12", "192.168.0.0/16",     "127.0.0.0/8", "169.254.0.0/16",
    "100.64.0.0/10", "224.0.0.0/4",   "255.255.255.255/32", "0.0.0.0/8",   "::1/128",
    "::/128",        "fe80::/10",     "fc00::/7",           "ff00::/8",    NULL,
};

struct zone {
    char name[ZONE_NAME_LEN];
    int level;
};

enum cproto_kind {
    CP_ANY = 0,
    CP_L4,   /* any port of tcp / udp / icmp */
    CP_PORT, /* l4 and a server port range */
    CP_APP,  /* a dissector or nDPI protocol name */
};

struct cproto {
    uint8_t kind;
    uint8_t l4;
    uint16_t lo, hi;
    char app[64];
};

struct conduit {
    int from, to;
    bool both;
    int n;
    struct cproto p[CONDUIT_MAX_PROTOS];
};

struct zone_table {
    struct zone z[ZONE_MAX];
    int n;
    char unzoned_name[ZONE_NAME_LEN];
    int unzoned_level;
    struct iplist *nets;     /* value: zone index */
    struct iplist *internal; /* value unused */
    bool internal_given;
    struct conduit *c;
    int nc, capc;
    bool built;
};

struct zone_table *zone_table_new(void)
{
    struct zone_table *z = calloc(1, sizeof(*z));
    if (!z)
        return NULL;
    z->nets = iplist_new();
    z->internal = iplist_new();
    if (!z->nets || !z->internal) {
        zone_table_free(z);
        return NULL;
    }
    snprintf(z->unzoned_name, sizeof(z->unzoned_name), "unzoned");
    z->unzoned_level = ZONE_OT_MAX_LEVEL;
    return z;
}

void zone_table_free(struct zone_table *z)
{
    if (!z)
        return;
    iplist_free(z->nets);
    iplist_free(z->internal);
    free(z->c);
    free(z);
}

static bool valid_name(const char *s)
{
    if (!*s || strlen(s) >= ZONE_NAME_LEN)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
            return false;
    return true;
}

int zone_find(const struct zone_table *z, const char *name)
{
    for (int i = 0; i < z->n; i++)
        if (strcmp(z->z[i].name, name) == 0)
            return i;
    if (strcmp(name, z->unzoned_name) == 0)
        return ZONE_UNZONED;
    if (strcmp(name, "external") == 0)
        return ZONE_EXTERNAL;
    return -4;
}

int zone_add(struct zone_table *z, const char *name, int level, char *err, size_t errlen)
{
    if (!valid_name(name)) {
        snprintf(err, errlen, "zone name '%s': letters, digits, '_', '-', '.' only, up to %d", name,
                 ZONE_NAME_LEN - 1);
        return -1;
    }
    if (zone_find(z, name) != -4) {
        snprintf(err, errlen, "zone '%s' is defined twice (or is a reserved name)", name);
        return -1;
    }
    if (z->n >= ZONE_MAX) {
        snprintf(err, errlen, "at most %d zones", ZONE_MAX);
        return -1;
    }
    if (level < ZONE_LEVEL_UNKNOWN || level > 5) {
        snprintf(err, errlen, "zone '%s': the Purdue level is 0 to 5", name);
        return -1;
    }
    snprintf(z->z[z->n].name, ZONE_NAME_LEN, "%s", name);
    z->z[z->n].level = level;
    return z->n++;
}

int zone_add_network(struct zone_table *z, int zone, const char *cidr, char *err, size_t errlen)
{
    if (zone < 0 || zone >= z->n)
        return -1;
    return iplist_add_text(z->nets, cidr, (uint32_t)zone, err, errlen);
}

void zone_set_unzoned(struct zone_table *z, const char *name, int level)
{
    if (name && valid_name(name))
        snprintf(z->unzoned_name, sizeof(z->unzoned_name), "%s", name);
    z->unzoned_level = level;
}

int zone_add_internal(struct zone_table *z, const char *cidr, char *err, size_t errlen)
{
    z->internal_given = true;
    return iplist_add_text(z->internal, cidr, 0, err, errlen);
}

static int conduit_end(const struct zone_table *z, const char *name, char *err, size_t errlen)
{
    if (strcmp(name, "any") == 0)
        return ZONE_ANY;
    int i = zone_find(z, name);
    if (i == -4)
        snprintf(err, errlen, "conduit: unknown zone '%s'", name);
    return i;
}

static int parse_proto(const char *item, struct cproto *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", item);
    for (char *q = buf; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    if (strcmp(buf, "any") == 0)
        return 0;
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    uint8_t l4 = strcmp(buf, "tcp") == 0    ? 6
                 : strcmp(buf, "udp") == 0  ? 17
                 : strcmp(buf, "icmp") == 0 ? 1
                                            : 0;
    if (l4) {
        p->kind = CP_L4;
        p->l4 = l4;
        if (!slash)
            return 0;
        char *end;
        unsigned long lo = strtoul(slash + 1, &end, 10), hi = lo;
        if (*end == '-')
            hi = strtoul(end + 1, &end, 10);
        if (end == slash + 1 || *end || lo == 0 || hi > 65535 || lo > hi || l4 == 1) {
            snprintf(err, errlen, "conduit protocol '%s': expected tcp/PORT or udp/LOW-HIGH", item);
            return -1;
        }
        p->kind = CP_PORT;
        p->lo = (uint16_t)lo;
        p->hi = (uint16_t)hi;
        return 0;
    }
    if (slash || !valid_name(buf) || strlen(buf) >= sizeof(p->app)) {
        snprintf(err, errlen,
                 "conduit protocol '%s': a protocol name (modbus, dns ...), "
                 "tcp/PORT, udp/PORT, tcp, udp, icmp or any",
                 item);
        return -1;
    }
    p->kind = CP_APP;
    snprintf(p->app, sizeof(p->app), "%s", buf);
    return 0;
}

int zone_add_conduit(struct zone_table *z, const char *from, const char *to, const char *protocols,
                     bool both, char *err, size_t errlen)
{
    struct conduit c;
    memset(&c, 0, sizeof(c));
    c.from = conduit_end(z, from, err, errlen);
    if (c.from == -4)
        return -1;
    c.to = conduit_end(z, to, err, errlen);
    if (c.to == -4)
        return -1;
    c.both = both;
    const char *s = protocols ? protocols : "any";
    char item[64];
    for (;;) {
        while (*s == ',' || *s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        size_t n = strcspn(s, ", \t");
        snprintf(item, sizeof(item), "%.*s", (int)(n < 63 ? n : 63), s);
        s += n;
        if (c.n >= CONDUIT_MAX_PROTOS) {
            snprintf(err, errlen, "conduit: at most %d protocols", CONDUIT_MAX_PROTOS);
            return -1;
        }
        if (parse_proto(item, &c.p[c.n], err, errlen) != 0)
            return -1;
        c.n++;
    }
    if (c.n == 0)
        c.n = 1; /* no protocols: any */
    if (z->nc == z->capc) {
        int cap = z->capc ? z->capc * 2 : 16;
        struct conduit *nc = realloc(z->c, (size_t)cap * sizeof(*nc));
        if (!nc) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        z->c = nc;
        z->capc = cap;
    }
    z->c[z->nc++] = c;
    return 0;
}

int zone_build(struct zone_table *z, char *err, size_t errlen)
{
    if (!z->internal_given) {
        for (int i = 0; default_internal[i]; i++)
            if (iplist_add_text(z->internal, default_internal[i], 0, err, errlen) != 0)
                return -1;
    }
    if (iplist_build(z->nets) != 0 || iplist_build(z->internal) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    z->built = true;
    return 0;
}

int zone_of(const struct zone_table *z, const uint8_t addr[16], int version)
{
    if (!z || !addr || !version)
        return ZONE_NONE;
    uint32_t v;
    if (iplist_lookup(z->nets, addr, version, &v))
        return (int)v;
    return iplist_lookup(z->internal, addr, version, NULL) ? ZONE_UNZONED : ZONE_EXTERNAL;
}

bool zone_is_internal(const struct zone_table *z, const uint8_t addr[16], int version)
{
    return zone_of(z, addr, version) != ZONE_EXTERNAL;
}

const char *zone_name(const struct zone_table *z, int zone)
{
    if (zone >= 0 && zone < z->n)
        return z->z[zone].name;
    if (zone == ZONE_UNZONED)
        return z->unzoned_name;
    if (zone == ZONE_EXTERNAL)
        return "external";
    return "none";
}

int zone_level(const struct zone_table *z, int zone)
{
    if (zone >= 0 && zone < z->n)
        return z->z[zone].level;
    if (zone == ZONE_UNZONED)
        return z->unzoned_level;
    return ZONE_LEVEL_UNKNOWN;
}

bool zone_is_ot(const struct zone_table *z, int zone)
{
    int l = zone_level(z, zone);
    return l >= 0 && l <= ZONE_OT_MAX_LEVEL;
}

int zone_count(const struct zone_table *z)
{
    return z ? z->n : 0;
}

static bool proto_matches(const struct cproto *p, uint8_t l4, uint16_t port, const char *app)
{
    switch (p->kind) {
        case CP_ANY: return true;
        case CP_L4: return p->l4 == l4;
        case CP_PORT: return p->l4 == l4 && port >= p->lo && port <= p->hi;
        case CP_APP: return app && strcasecmp(p->app, app) == 0;
        default: return false;
    }
}

static bool end_is(int want, int zone)
{
    return want == ZONE_ANY || want == zone;
}

bool zone_conduit_allows(const struct zone_table *z, int client, int server, uint8_t l4,
                         uint16_t port, const char *app)
{
    for (int i = 0; i < z->nc; i++) {
        const struct conduit *c = &z->c[i];
        bool fwd = end_is(c->from, client) && end_is(c->to, server);
        bool rev = c->both && end_is(c->from, server) && end_is(c->to, client);
        if (!fwd && !rev)
            continue;
        for (int k = 0; k < c->n; k++)
            if (proto_matches(&c->p[k], l4, port, app))
                return true;
    }
    return false;
}
