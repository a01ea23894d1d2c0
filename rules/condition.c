/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the state and wire checks behind the built-in conditions rules
 * name with `condition NAME`: GOOSE stNum/sqNum per gocbRef, ARP bindings per
 * IPv4 address, TLS certificates per fingerprint (each a bounded table that
 * replaces its oldest entry), the SNMP version and community, and HTTP basic
 * authentication in a request. */
/* specification: IEC 61850-8-1:2011 section 18.1.2.5 (stNum increments on a
 * change of state, sqNum restarts then increments per retransmission);
 * RFC 826 and RFC 5227 (ARP, probes and announcements); RFC 1157 and RFC 3416
 * section 3 (SNMP message: version, community); RFC 7617 (Basic) */
#include <stddef.h>
#include <string.h>

#include "cursor.h"
#include "rules-private.h"

static const struct rules_cond_def conds[RC_COUNT] = {
    [RC_GOOSE_REPLAY] = {"goose_replay", 1u << RT_MSG, RCP_GOOSE, NULL},
    [RC_GOOSE_STATE_JUMP] = {"goose_state_jump", 1u << RT_MSG, RCP_GOOSE, NULL},
    [RC_GOOSE_SEQUENCE_NOT_RESET] = {"goose_sequence_not_reset", 1u << RT_MSG, RCP_GOOSE, NULL},
    [RC_GOOSE_PUBLISHER_CHANGE] = {"goose_publisher_change", 1u << RT_MSG, RCP_GOOSE, NULL},
    [RC_INVALID_PDU] = {"invalid_pdu", 1u << RT_PARSE_ERROR, RCP_OT, NULL},
    [RC_ARP_MAC_CHANGE] = {"arp_mac_change", 1u << RT_ARP, RCP_ARP, NULL},
    [RC_ARP_IP_CONFLICT] = {"arp_ip_conflict", 1u << RT_ARP, RCP_ARP, NULL},
    [RC_ARP_GRATUITOUS] = {"arp_gratuitous", 1u << RT_ARP, RCP_ARP, NULL},
    [RC_FAILED_CONNECTION] = {"failed_connection", 1u << RT_PACKET | 1u << RT_FLOW_END, RCP_IP,
                              NULL},
    [RC_SNMP_COMMUNITY] = {"snmp_community", 1u << RT_PACKET, RCP_IP, NULL},
    [RC_HTTP_BASIC_AUTH] = {"http_basic_auth", 1u << RT_PACKET, RCP_IP, NULL},
    [RC_TLS_SHARED_CERTIFICATE] = {"tls_shared_certificate", 1u << RT_FLOW_APP, RCP_IP, NULL},
    [RC_IOC_IP] = {"ioc_ip", 1u << RT_FLOW_START, RCP_IP, "ioc"},
    [RC_IOC_DOMAIN] = {"ioc_domain", 1u << RT_FLOW_APP, RCP_IP, "ioc"},
    [RC_OT_INTERNET] = {"ot_internet", 1u << RT_FLOW_START, RCP_IP, "geo"},
    [RC_FORBIDDEN_GEO] = {"forbidden_geo", 1u << RT_FLOW_START, RCP_IP, "geo"},
    [RC_ZONE_VIOLATION] = {"zone_violation", 1u << RT_FLOW_APP, RCP_IP, "zone"},
    [RC_ZONE_LEVEL_SKIP] = {"zone_level_skip", 1u << RT_FLOW_APP, RCP_IP, "zone"},
};

static const char *const trigger_names[RT_COUNT] = {
    [RT_MSG] = "message",       [RT_PARSE_ERROR] = "parse_error", [RT_FLOW_START] = "flow_start",
    [RT_FLOW_APP] = "flow_app", [RT_PACKET] = "packet",           [RT_FLOW_END] = "flow_end",
    [RT_ARP] = "arp",
};

const struct rules_cond_def *rules_cond_def(int cond)
{
    return cond >= 0 && cond < RC_COUNT ? &conds[cond] : NULL;
}

const char *rules_cond_name(int cond)
{
    return cond >= 0 && cond < RC_COUNT ? conds[cond].name : "none";
}

const char *rules_trigger_name(int t)
{
    return t >= 0 && t < RT_COUNT ? trigger_names[t] : "none";
}

int rules_cond_find(const char *name)
{
    for (int i = 0; i < RC_COUNT; i++)
        if (strcmp(conds[i].name, name) == 0)
            return i;
    return -1;
}

/* ------------------------------------------------------------------ GOOSE */

struct goose_entry {
    uint64_t key; /* hash of the gocbRef; 0: empty */
    uint64_t st_num, sq_num;
    uint64_t last_ts;
    uint8_t mac[6];
};

struct goose_tracker {
    size_t mask; /* first: see rules_table_new */
    struct goose_entry e[];
};

struct goose_tracker *goose_tracker_new(size_t entries)
{
    return rules_table_new(offsetof(struct goose_tracker, e), sizeof(struct goose_entry), entries);
}

void goose_tracker_free(struct goose_tracker *t)
{
    free(t);
}

/* Counters wrap at 2^32 (INT32U in IEC 61850-8-1); a wrap is not a replay. */
#define GOOSE_WRAP_HIGH 0xffffff00u
#define GOOSE_WRAP_LOW 0x100u

static bool wrapped(uint64_t prev, uint64_t now)
{
    return prev >= GOOSE_WRAP_HIGH && now < GOOSE_WRAP_LOW;
}

uint32_t goose_track(struct goose_tracker *t, const char *ref, size_t reflen, const uint8_t mac[6],
                     uint64_t st, uint64_t sq, uint64_t now, struct goose_prev *prev)
{
    memset(prev, 0, sizeof(*prev));
    if (!t)
        return 0;
    uint64_t key = rules_hash64(ref, reflen, 61850);
    if (!key)
        key = 1;
    struct goose_entry *a = &t->e[key & t->mask];
    struct goose_entry *b = &t->e[(key >> 31 ^ key * 0x9e3779b97f4a7c15ULL) & t->mask];
    struct goose_entry *e = a->key == key ? a : b->key == key ? b : NULL;
    if (!e) {
        e = !a->key ? a : !b->key ? b : (a->last_ts <= b->last_ts ? a : b);
        e->key = key;
        e->st_num = st;
        e->sq_num = sq;
        e->last_ts = now;
        memcpy(e->mac, mac, 6);
        return 0;
    }
    prev->known = true;
    prev->st_num = e->st_num;
    prev->sq_num = e->sq_num;
    prev->last_ts = e->last_ts;
    memcpy(prev->mac, e->mac, 6);
    uint32_t facts = 0;
    if (memcmp(e->mac, mac, 6) != 0)
        facts |= 1u << RC_GOOSE_PUBLISHER_CHANGE;
    bool advance = true;
    /* a publisher that restarts sends stNum 1 (and sqNum 0 or 1) again,
     * whatever it sent before (IEC 61850-8-1 18.1.2.5); seen in real captures */
    bool restart = st <= 1 && sq <= 1;
    if (st == e->st_num && (sq > e->sq_num || wrapped(e->sq_num, sq))) {
        /* the next retransmission */
    } else if (restart) {
        /* not a replay: accepted as the new start */
    } else if (st == e->st_num) {
        facts |= 1u << RC_GOOSE_REPLAY;
        advance = false; /* keep the newest legitimate state */
    } else if (st > e->st_num || wrapped(e->st_num, st)) {
        uint64_t step = st > e->st_num ? st - e->st_num : st + 0x100000000ULL - e->st_num;
        if (step > 1)
            facts |= 1u << RC_GOOSE_STATE_JUMP;
        if (sq > 1) /* edition 1 restarts at 1, edition 2 at 0 */
            facts |= 1u << RC_GOOSE_SEQUENCE_NOT_RESET;
    } else {
        /* stNum went back */
        facts |= 1u << RC_GOOSE_REPLAY;
        advance = false;
    }
    if (advance) {
        e->st_num = st;
        e->sq_num = sq;
    }
    e->last_ts = now;
    memcpy(e->mac, mac, 6);
    return facts;
}

/* ------------------------------------------------------------------ ARP */

#define ARP_CONFLICT_WINDOW_USEC (60 * 1000000ULL) /* moves within this are a conflict */

struct arp_entry {
    uint32_t ip; /* 0: empty (0.0.0.0 is never stored: RFC 5227 probes) */
    uint8_t mac[6];
    uint64_t last_ts;
    uint64_t window_ts;
    uint32_t moves;
};

struct arp_tracker {
    size_t mask; /* first: see rules_table_new */
    struct arp_entry e[];
};

struct arp_tracker *arp_tracker_new(size_t entries)
{
    return rules_table_new(offsetof(struct arp_tracker, e), sizeof(struct arp_entry), entries);
}

void arp_tracker_free(struct arp_tracker *t)
{
    free(t);
}

uint32_t arp_track(struct arp_tracker *t, uint16_t op, const uint8_t sha[6], const uint8_t spa[4],
                   const uint8_t tpa[4], uint64_t now, struct arp_prev *prev)
{
    memset(prev, 0, sizeof(*prev));
    uint32_t ip = (uint32_t)spa[0] << 24 | (uint32_t)spa[1] << 16 | (uint32_t)spa[2] << 8 | spa[3];
    if (!t || ip == 0 || (op != 1 && op != 2))
        return 0;
    uint32_t facts = 0;
    if (memcmp(spa, tpa, 4) == 0)
        facts |= 1u << RC_ARP_GRATUITOUS; /* an announcement of its own binding */
    uint64_t h = (uint64_t)ip * 0x9e3779b97f4a7c15ULL;
    struct arp_entry *a = &t->e[(h >> 20) & t->mask];
    struct arp_entry *b = &t->e[(h >> 44 ^ h) & t->mask];
    struct arp_entry *e = a->ip == ip ? a : b->ip == ip ? b : NULL;
    if (!e) {
        e = !a->ip ? a : !b->ip ? b : (a->last_ts <= b->last_ts ? a : b);
        memset(e, 0, sizeof(*e));
        e->ip = ip;
        memcpy(e->mac, sha, 6);
        e->last_ts = now;
        return facts;
    }
    prev->known = true;
    memcpy(prev->mac, e->mac, 6);
    prev->last_ts = e->last_ts;
    if (memcmp(e->mac, sha, 6) != 0) {
        facts |= 1u << RC_ARP_MAC_CHANGE;
        if (!e->moves || now >= e->window_ts + ARP_CONFLICT_WINDOW_USEC) {
            e->window_ts = now;
            e->moves = 0;
        }
        e->moves++;
        if (e->moves >= 2)
            facts |= 1u << RC_ARP_IP_CONFLICT; /* back and forth: two MACs claim it */
        memcpy(e->mac, sha, 6);
    }
    prev->moves = e->moves;
    e->last_ts = now;
    return facts;
}

/* ------------------------------------------------------------------ TLS */

#define CERT_SERVERS 8 /* distinct servers remembered per certificate */

struct cert_entry {
    uint8_t sha1[20];
    bool used;
    uint8_t addr[16];
    int version;
    uint32_t n;
    uint64_t servers[CERT_SERVERS];
};

struct cert_tracker {
    size_t mask; /* first: see rules_table_new */
    struct cert_entry e[];
};

struct cert_tracker *cert_tracker_new(size_t entries)
{
    return rules_table_new(offsetof(struct cert_tracker, e), sizeof(struct cert_entry), entries);
}

void cert_tracker_free(struct cert_tracker *t)
{
    free(t);
}

uint32_t cert_track(struct cert_tracker *t, const uint8_t sha1[20], const uint8_t addr[16],
                    int version, struct cert_prev *prev)
{
    memset(prev, 0, sizeof(*prev));
    if (!t)
        return 0;
    static const uint8_t zero[20];
    if (memcmp(sha1, zero, 20) == 0)
        return 0;
    uint64_t key = rules_hash64(sha1, 20, 5246);
    uint64_t who = rules_hash64(addr, 16, (uint64_t)version);
    struct cert_entry *e = &t->e[key & t->mask];
    if (!e->used || memcmp(e->sha1, sha1, 20) != 0) {
        memset(e, 0, sizeof(*e)); /* direct-mapped: a newcomer replaces */
        e->used = true;
        memcpy(e->sha1, sha1, 20);
        memcpy(e->addr, addr, 16);
        e->version = version;
        e->servers[e->n++] = who;
        return 0;
    }
    bool seen = false;
    for (uint32_t i = 0; i < e->n && i < CERT_SERVERS; i++)
        seen |= e->servers[i] == who;
    if (!seen) {
        if (e->n < CERT_SERVERS)
            e->servers[e->n] = who;
        e->n++;
    }
    memcpy(prev->addr, e->addr, 16);
    prev->version = e->version;
    prev->servers = e->n;
    if (e->n > 1 && (memcmp(e->addr, addr, 16) != 0 || e->version != version))
        return 1u << RC_TLS_SHARED_CERTIFICATE;
    return 0;
}

/* ------------------------------------------------------------------ SNMP */

/* A BER length (definite forms); returns false on the indefinite form or
 * more than 4 length bytes. */
static bool ber_len(struct cur *c, size_t *len)
{
    uint8_t b = cur_u8(c);
    if (b < 0x80) {
        *len = b;
        return cur_ok(c);
    }
    uint8_t n = b & 0x7f;
    if (n == 0 || n > 4)
        return false;
    size_t v = 0;
    for (uint8_t i = 0; i < n; i++)
        v = v << 8 | cur_u8(c);
    *len = v;
    return cur_ok(c);
}

bool snmp_sniff(const uint8_t *p, size_t len, int *version, size_t *community_len,
                bool *default_community)
{
    struct cur c = cur_init(p, len);
    size_t n;
    if (cur_u8(&c) != 0x30 || !ber_len(&c, &n)) /* Message ::= SEQUENCE */
        return false;
    if (cur_u8(&c) != 0x02 || !ber_len(&c, &n) || n != 1) /* version INTEGER */
        return false;
    uint8_t v = cur_u8(&c);
    if (!cur_ok(&c) || (v != 0 && v != 1 && v != 3))
        return false;
    *version = v;
    *community_len = 0;
    *default_community = false;
    if (v == 3)
        return true;
    if (cur_u8(&c) != 0x04 || !ber_len(&c, &n)) /* community OCTET STRING */
        return false;
    const uint8_t *s = cur_bytes(&c, n);
    if (!s)
        return false;
    uint8_t pdu = cur_u8(&c); /* a PDU tag must follow: [0]..[8] constructed */
    if (!cur_ok(&c) || pdu < 0xa0 || pdu > 0xa8)
        return false;
    *community_len = n;
    *default_community =
        (n == 6 && memcmp(s, "public", 6) == 0) || (n == 7 && memcmp(s, "private", 7) == 0);
    return true;
}

/* ------------------------------------------------------------------ HTTP */

static bool starts_with_ci(const uint8_t *p, size_t len, const char *s)
{
    size_t n = strlen(s);
    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t a = p[i];
        if (a >= 'A' && a <= 'Z')
            a = (uint8_t)(a + 32);
        if (a != (uint8_t)s[i])
            return false;
    }
    return true;
}

bool http_basic_auth_sniff(const uint8_t *p, size_t len)
{
    static const char *const methods[] = {"get ",    "post ",    "put ",   "head ",
                                          "delete ", "options ", "patch ", NULL};
    bool request = false;
    for (int i = 0; methods[i] && !request; i++)
        request = starts_with_ci(p, len, methods[i]);
    if (!request)
        return false;
    for (size_t i = 0; i + 1 < len; i++) {
        if (p[i] == '\r' && i + 3 < len && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n')
            return false; /* end of the header block */
        if (p[i] != '\n' || !starts_with_ci(p + i + 1, len - i - 1, "authorization:"))
            continue;
        size_t k = i + 1 + 14;
        while (k < len && (p[k] == ' ' || p[k] == '\t'))
            k++;
        return starts_with_ci(p + k, len - k, "basic ");
    }
    return false;
}
