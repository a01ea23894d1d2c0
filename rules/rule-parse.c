/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the rule language parser (rules/README): statements of one line,
 * continued on indented lines or after a trailing backslash; `alert PROTOCOL
 * clauses... metadata` and `set NAME items`.  Every problem names
 * file:line:column and the parser carries on, so -T lists them all. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "rules-private.h"

#define RULES_MAX_FILE (64u << 20) /* a rule file larger than this is refused */
#define MAX_TOKENS 4096            /* tokens in one statement */
#define MAX_ITEMS 1024             /* items in one list */
#define MAX_THRESHOLD 1000000

/* ------------------------------------------------------------------ arena */

#define ARENA_BLOCK 65536

void *rs_alloc(struct rule_set *rs, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct arena_block *b = rs->arena;
    if (!b || b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = malloc(sizeof(*b) + size);
        if (!b)
            return NULL;
        b->next = rs->arena;
        b->used = 0;
        b->size = size;
        rs->arena = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

const char *rs_strdup(struct rule_set *rs, const char *s, size_t n)
{
    char *d = rs_alloc(rs, n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static const char *rs_lower(struct rule_set *rs, const char *s)
{
    size_t n = strlen(s);
    char *d = rs_alloc(rs, n + 1);
    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++)
        d[i] = (char)tolower((unsigned char)s[i]);
    return d;
}

uint32_t rules_name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)tolower((unsigned char)*s)) * 16777619u;
    return h;
}

/* ------------------------------------------------------------------ set */

struct rule_set *rules_new(const struct zone_table *zones, const struct rules_names *names)
{
    struct rule_set *rs = calloc(1, sizeof(*rs));
    if (!rs)
        return NULL;
    rs->zones = zones;
    rs->names = names;
    return rs;
}

void rules_free(struct rule_set *rs)
{
    if (!rs)
        return;
    for (int i = 0; i < rs->n_ipls; i++)
        iplist_free(rs->ipls[i]);
    free(rs->ipls);
    for (size_t i = 0; rs->buckets && i <= rs->bmask; i++)
        free(rs->buckets[i].idx);
    free(rs->buckets);
    for (int t = 0; t < RT_COUNT; t++)
        free(rs->list[t]);
    free(rs->any_ot);
    free(rs->info);
    free(rs->rules);
    free(rs->sets);
    struct arena_block *b = rs->arena;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(rs);
}

/* ------------------------------------------------------------------ tokens */

enum tok_type {
    T_WORD = 0,
    T_STRING,
    T_COMMA,
    T_OP,
};

struct tok {
    uint8_t type;
    char *s; /* NUL-terminated (strings unescaped) */
    unsigned line, col;
};

struct parser {
    struct rule_set *rs;
    const char *where;
    bool builtin;
    struct rules_problems *pr;
    unsigned problems;
    struct tok *t;
    int n, cap;
    int pos;
    char *buf; /* token text of the statement */
    size_t used, room;
    bool failed; /* the current statement had an error: it is dropped */
};

__attribute__((format(printf, 3, 4))) static void perr(struct parser *P, const struct tok *t,
                                                       const char *fmt, ...)
{
    char msg[RULES_MSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rules_problem_add(P->pr, P->where, t ? t->line : 0, t ? t->col : 0, "%s", msg);
    P->problems++;
    P->failed = true;
}

/* Token text lives in P->buf, which may move: tokens keep offsets until the
 * statement is complete, then pointers are fixed up. */
static long buf_put(struct parser *P, const char *s, size_t n)
{
    if (P->used + n + 1 > P->room) {
        size_t room = P->room ? P->room * 2 : 4096;
        while (room < P->used + n + 1)
            room *= 2;
        char *b = realloc(P->buf, room);
        if (!b)
            return -1;
        P->buf = b;
        P->room = room;
    }
    long off = (long)P->used;
    memcpy(P->buf + off, s, n);
    P->buf[off + (long)n] = '\0';
    P->used += n + 1;
    return off;
}

static int add_tok(struct parser *P, uint8_t type, const char *s, size_t n, unsigned line,
                   unsigned col)
{
    if (P->n >= MAX_TOKENS) {
        struct tok t = {type, NULL, line, col};
        if (!P->failed)
            perr(P, &t, "statement too long (more than %d words)", MAX_TOKENS);
        return -1;
    }
    if (P->n == P->cap) {
        int cap = P->cap ? P->cap * 2 : 64;
        struct tok *t = realloc(P->t, (size_t)cap * sizeof(*t));
        if (!t)
            return -1;
        P->t = t;
        P->cap = cap;
    }
    long off = buf_put(P, s, n);
    if (off < 0)
        return -1;
    P->t[P->n++] = (struct tok){type, (char *)(intptr_t)off, line, col};
    return 0;
}

static bool word_char(const char *p)
{
    char c = *p;
    if (c == '\0' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == '"' ||
        c == '=' || c == '<' || c == '>' || c == '#')
        return false;
    return !(c == '!' && p[1] == '=');
}

/* Tokenizes one physical line into the open statement; *cont is set when it
 * ends with a backslash. */
static void tokenize_line(struct parser *P, const char *s, size_t len, unsigned line, bool *cont)
{
    char tmp[4096];
    *cont = false;
    size_t i = 0;
    while (i < len) {
        char c = s[i];
        unsigned col = (unsigned)i + 1;
        if (c == ' ' || c == '\t' || c == '\r') {
            i++;
            continue;
        }
        if (c == '#')
            return;
        if (c == '\\') {
            size_t k = i + 1;
            while (k < len && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
                k++;
            if (k == len) {
                *cont = true;
                return;
            }
        }
        if (c == ',') {
            add_tok(P, T_COMMA, ",", 1, line, col);
            i++;
            continue;
        }
        if (c == '=' || c == '<' || c == '>' || (c == '!' && i + 1 < len && s[i + 1] == '=')) {
            size_t n = (i + 1 < len && s[i + 1] == '=') ? 2 : 1;
            add_tok(P, T_OP, s + i, n, line, col);
            i += n;
            continue;
        }
        if (c == '"') {
            size_t k = i + 1, o = 0;
            bool closed = false;
            while (k < len) {
                if (s[k] == '\\' && k + 1 < len && (s[k + 1] == '"' || s[k + 1] == '\\')) {
                    if (o < sizeof(tmp) - 1)
                        tmp[o++] = s[k + 1];
                    k += 2;
                    continue;
                }
                if (s[k] == '"') {
                    closed = true;
                    k++;
                    break;
                }
                if (o < sizeof(tmp) - 1)
                    tmp[o++] = s[k];
                k++;
            }
            if (!closed) {
                struct tok t = {T_STRING, NULL, line, col};
                perr(P, &t, "unterminated string (a \" is missing; strings do not span lines)");
                return;
            }
            add_tok(P, T_STRING, tmp, o, line, col);
            i = k;
            continue;
        }
        size_t k = i;
        while (k < len && word_char(s + k))
            k++;
        if (k == i) { /* a lone '!' */
            k = i + 1;
        }
        add_tok(P, T_WORD, s + i, k - i, line, col);
        i = k;
    }
}

/* ------------------------------------------------------------------ helpers */

static const char *const keywords[] = {
    "request", "response",  "not",       "op",  "function", "unit",        "address",
    "value",   "exception", "anomaly",   "app", "risk",     "server_name", "condition",
    "from",    "to",        "msg",       "sid", "rev",      "severity",    "mitre",
    "kind",    "category",  "threshold", NULL,
};

static bool is_keyword(const struct tok *t)
{
    if (!t || t->type != T_WORD)
        return false;
    if (strncmp(t->s, "detail.", 7) == 0 || strncmp(t->s, "identity.", 9) == 0)
        return true;
    for (int i = 0; keywords[i]; i++)
        if (strcmp(t->s, keywords[i]) == 0)
            return true;
    return false;
}

static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 31 || lb > 31)
        return 99;
    int d[32][32];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c)
                c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c)
                c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[la][lb];
}

static const char *closest(const char *w, const char *const *list)
{
    const char *best = NULL;
    int bd = 3;
    for (int i = 0; list[i]; i++) {
        int d = edit_distance(w, list[i]);
        if (d < bd) {
            bd = d;
            best = list[i];
        }
    }
    return best;
}

static struct tok *peek(struct parser *P)
{
    return P->pos < P->n ? &P->t[P->pos] : NULL;
}

static struct tok *next(struct parser *P)
{
    return P->pos < P->n ? &P->t[P->pos++] : NULL;
}

static struct tok *last_tok(struct parser *P)
{
    return P->n ? &P->t[P->n - 1] : NULL;
}

/* A word, or an error "expected WHAT after KEY". */
static struct tok *want_word(struct parser *P, const struct tok *key, const char *what)
{
    struct tok *t = next(P);
    if (!t || (t->type != T_WORD && t->type != T_STRING)) {
        perr(P, t ? t : key, "expected %s after '%s'%s%s%s", what, key->s, t ? ", found '" : "",
             t ? t->s : "", t ? "'" : "");
        return NULL;
    }
    return t;
}

/* "12", "0x41", "-5", "1e3", "1-4", "-10--5"; false when not a number or range. */
static bool parse_range(const char *s, double *lo, double *hi)
{
    char *end;
    errno = 0;
    double a = strtod(s, &end);
    if (end == s || errno || !isfinite(a))
        return false;
    if (*end == '\0') {
        *lo = *hi = a;
        return true;
    }
    if (*end != '-')
        return false;
    const char *s2 = end + 1;
    double b = strtod(s2, &end);
    if (end == s2 || *end || errno || !isfinite(b) || b < a)
        return false;
    *lo = a;
    *hi = b;
    return true;
}

bool rules_parse_u32(const char *s, int base, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (end == s || *end || errno || s[0] == '-' || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

bool rules_parse_duration(const char *s, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || s[0] == '-')
        return false;
    unsigned long long mul = 1;
    if (*end == 's')
        end++;
    else if (*end == 'm')
        mul = 60, end++;
    else if (*end == 'h')
        mul = 3600, end++;
    else if (*end == 'd')
        mul = 86400, end++;
    if (*end || v == 0 || v * mul > 86400ULL * 30)
        return false;
    *out = (uint32_t)(v * mul);
    return true;
}

/* Reads `item (, item)*` into an arena array.  numeric: every item must be a
 * number or range. */
static int parse_items(struct parser *P, const struct tok *key, bool numeric, bool address,
                       struct item **out)
{
    struct item tmp[MAX_ITEMS];
    int n = 0;
    for (;;) {
        struct tok *t = next(P);
        if (!t || (t->type != T_WORD && t->type != T_STRING)) {
            perr(P, t ? t : key, "expected %s after '%s'%s%s%s",
                 numeric ? "a number or range (1-4)" : "a value", key->s, t ? ", found '" : "",
                 t ? t->s : "", t ? "'" : "");
            return -1;
        }
        if (n >= MAX_ITEMS) {
            perr(P, t, "more than %d items in one list", MAX_ITEMS);
            return -1;
        }
        struct item *it = &tmp[n];
        memset(it, 0, sizeof(*it));
        it->space_id = -1;
        const char *s = t->s;
        if (address && t->type == T_WORD && strchr(s, ':')) {
            const char *colon = strrchr(s, ':');
            char space[64];
            snprintf(space, sizeof(space), "%.*s", (int)(colon - s), s);
            uint32_t id;
            if (rules_parse_u32(space, 0, &id))
                it->space_id = id;
            else
                it->space = rs_lower(P->rs, space);
            s = colon + 1;
        }
        if (t->type == T_WORD && strcmp(s, "true") == 0) {
            it->lo = it->hi = 1;
        } else if (t->type == T_WORD && strcmp(s, "false") == 0) {
            it->lo = it->hi = 0;
        } else if (t->type == T_WORD && parse_range(s, &it->lo, &it->hi)) {
            /* a number */
        } else if (numeric || address) {
            perr(P, t, "'%s' is not a number or range (e.g. 7, 0x41, 100-199)", t->s);
            return -1;
        } else {
            it->s = rs_lower(P->rs, s);
        }
        n++;
        struct tok *c = peek(P);
        if (!c || c->type != T_COMMA)
            break;
        P->pos++;
    }
    *out = rs_alloc(P->rs, (size_t)n * sizeof(**out));
    if (!*out)
        return -1;
    memcpy(*out, tmp, (size_t)n * sizeof(**out));
    return n;
}

/* An optional list: only when the next word is not a keyword. */
static int parse_opt_items(struct parser *P, const struct tok *key, bool numeric, struct item **out)
{
    struct tok *t = peek(P);
    if (!t || t->type == T_COMMA || t->type == T_OP || is_keyword(t)) {
        *out = NULL;
        return 0;
    }
    return parse_items(P, key, numeric, false, out);
}

/* After a field: `= LIST`, `!= LIST`, `in LIST`, `outside LIST`, `< N` ...;
 * nothing (when truthy_ok) means present and true. */
static int parse_compare(struct parser *P, const struct tok *key, struct clause *c, bool truthy_ok,
                         bool numeric)
{
    struct tok *t = peek(P);
    if (t && t->type == T_OP) {
        P->pos++;
        if (strcmp(t->s, "=") == 0)
            c->cmp = CMP_IN;
        else if (strcmp(t->s, "!=") == 0)
            c->cmp = CMP_NOT_IN;
        else {
            c->cmp = strcmp(t->s, "<") == 0    ? CMP_LT
                     : strcmp(t->s, "<=") == 0 ? CMP_LE
                     : strcmp(t->s, ">") == 0  ? CMP_GT
                                               : CMP_GE;
            c->n = parse_items(P, t, true, false, &c->items);
            if (c->n > 1 || (c->n == 1 && c->items[0].lo != c->items[0].hi)) {
                perr(P, t, "'%s' compares with one number", t->s);
                return -1;
            }
            return c->n < 0 ? -1 : 0;
        }
        c->n = parse_items(P, t, numeric, false, &c->items);
        return c->n < 0 ? -1 : 0;
    }
    if (t && t->type == T_WORD && (strcmp(t->s, "in") == 0 || strcmp(t->s, "outside") == 0)) {
        P->pos++;
        c->cmp = t->s[0] == 'i' ? CMP_IN : CMP_NOT_IN;
        c->n = parse_items(P, t, numeric, false, &c->items);
        return c->n < 0 ? -1 : 0;
    }
    if (truthy_ok) {
        c->cmp = CMP_TRUTHY;
        return 0;
    }
    perr(P, t ? t : key, "expected a comparison after '%s' (=, !=, <, <=, >, >=, in, outside)",
         key->s);
    return -1;
}

static const char *const identity_fields[] = {"vendor", "product", "model", "firmware",
                                              "serial", "name",    NULL};

/* ------------------------------------------------------------------ endpoints */

static bool parse_level(const char *s, int *lo, int *hi)
{
    double a, b;
    if (!parse_range(s, &a, &b) || a < 0 || b > 5 || a != floor(a) || b != floor(b))
        return false;
    *lo = (int)a;
    *hi = (int)b;
    return true;
}

static int parse_ep_item(struct parser *P, struct tok *t, struct ep_item *it)
{
    memset(it, 0, sizeof(*it));
    const char *s = t->s;
    it->line = t->line;
    it->col = t->col;
    if (*s == '!') {
        it->neg = true;
        s++;
    }
    uint8_t a[16];
    int version;
    unsigned plen;
    if (strcmp(s, "any") == 0) {
        it->kind = EP_ANY;
    } else if (strcmp(s, "internal") == 0) {
        it->kind = EP_INTERNAL;
    } else if (strcmp(s, "external") == 0) {
        it->kind = EP_EXTERNAL;
    } else if (strcmp(s, "ot") == 0) {
        it->kind = EP_OT;
    } else if (strcmp(s, "broadcast") == 0) {
        it->kind = EP_BROADCAST;
    } else if (strcmp(s, "client") == 0) {
        it->kind = EP_CLIENT;
    } else if (strcmp(s, "server") == 0) {
        it->kind = EP_SERVER;
    } else if (strncmp(s, "zone:", 5) == 0) {
        it->kind = EP_ZONE;
        it->zone = P->rs->zones ? zone_find(P->rs->zones, s + 5) : -4;
        if (it->zone == -4) {
            perr(P, t,
                 "unknown zone '%s' (zones come from the configuration; "
                 "'unzoned' and 'external' always exist)",
                 s + 5);
            return -1;
        }
    } else if (strncmp(s, "level:", 6) == 0) {
        it->kind = EP_LEVEL;
        if (!parse_level(s + 6, &it->lo, &it->hi)) {
            perr(P, t, "'%s': a Purdue level is 0 to 5 (level:1 or level:0-1)", s);
            return -1;
        }
    } else if (strncmp(s, "port:", 5) == 0) {
        double lo, hi;
        it->kind = EP_PORT;
        if (!parse_range(s + 5, &lo, &hi) || lo < 0 || hi > 65535 || lo != floor(lo) ||
            hi != floor(hi)) {
            perr(P, t, "'%s': a port is 0 to 65535 (port:502 or port:1024-65535)", s);
            return -1;
        }
        it->lo = (int)lo;
        it->hi = (int)hi;
    } else if (strncmp(s, "set:", 4) == 0 && s[4]) {
        it->kind = EP_SET;
        it->text = rs_strdup(P->rs, s + 4, strlen(s + 4));
    } else if (strncmp(s, "role:", 5) == 0 && s[5]) {
        it->kind = EP_ROLE;
        P->rs->uses_role = true;
        it->text = rs_lower(P->rs, s + 5);
    } else if (mac_parse(s, it->mac)) {
        it->kind = EP_MAC;
    } else if (ip_parse_prefix(s, a, &version, &plen) == 0) {
        it->kind = EP_CIDR;
        it->text = rs_strdup(P->rs, s, strlen(s));
    } else {
        perr(P, t,
             "'%s' is not an address, prefix, MAC, zone:NAME, level:N, set:NAME, "
             "role:NAME, port:N, internal, external, ot, broadcast, client, server or any",
             t->s);
        return -1;
    }
    if (it->kind == EP_ANY && it->neg) {
        perr(P, t, "'!any' matches nothing");
        return -1;
    }
    return 0;
}

static struct endpoint *parse_endpoint(struct parser *P, const struct tok *key)
{
    struct ep_item tmp[MAX_ITEMS];
    int n = 0;
    for (;;) {
        struct tok *t = next(P);
        if (!t || t->type != T_WORD) {
            perr(P, t ? t : key, "expected an address, zone:NAME, set:NAME ... after '%s'", key->s);
            return NULL;
        }
        if (n >= MAX_ITEMS) {
            perr(P, t, "more than %d items in one list", MAX_ITEMS);
            return NULL;
        }
        if (parse_ep_item(P, t, &tmp[n]) != 0)
            return NULL;
        n++;
        struct tok *c = peek(P);
        /* "to 10.1.1.0/24 port:502" reads as one end: a port may follow without a comma */
        if (c && c->type == T_WORD &&
            (strncmp(c->s, "port:", 5) == 0 || strncmp(c->s, "!port:", 6) == 0))
            continue;
        if (!c || c->type != T_COMMA)
            break;
        P->pos++;
    }
    struct endpoint *ep = rs_alloc(P->rs, sizeof(*ep));
    if (!ep)
        return NULL;
    ep->items = rs_alloc(P->rs, (size_t)n * sizeof(*ep->items));
    if (!ep->items)
        return NULL;
    memcpy(ep->items, tmp, (size_t)n * sizeof(*tmp));
    ep->n = n;
    return ep;
}

/* ------------------------------------------------------------------ rules */

static int parse_proto(struct parser *P, struct tok *t)
{
    char name[64];
    snprintf(name, sizeof(name), "%s", t->s);
    for (char *q = name; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    int p = ot_proto_from_name(name);
    if (p > 0)
        return p;
    static const struct {
        const char *name;
        int proto;
    } other[] = {{"any", RP_ANY_OT}, {"ip", RP_IP},     {"tcp", RP_TCP},
                 {"udp", RP_UDP},    {"icmp", RP_ICMP}, {"arp", RP_ARP}};
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
        if (strcmp(name, other[i].name) == 0)
            return other[i].proto;
    char known[512] = "";
    for (int i = 1; i < OT_PROTO_COUNT; i++)
        snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s, ",
                 ot_proto_name((enum ot_proto)i));
    perr(P, t, "unknown protocol '%s' (known: %sany, ip, tcp, udp, icmp, arp)", t->s, known);
    return -1;
}

static bool is_ot(int proto)
{
    return (proto > 0 && proto < OT_PROTO_COUNT) || proto == RP_ANY_OT;
}

static int parse_severity(const char *s)
{
    if (strcmp(s, "high") == 0 || strcmp(s, "1") == 0 || strcmp(s, "critical") == 0)
        return 1;
    if (strcmp(s, "medium") == 0 || strcmp(s, "2") == 0)
        return 2;
    if (strcmp(s, "low") == 0 || strcmp(s, "3") == 0)
        return 3;
    return 0;
}

static bool valid_technique(const char *s)
{
    if (s[0] != 'T' || strlen(s) < 5)
        return false;
    for (int i = 1; i < 5; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    if (s[5] == '\0')
        return true;
    return s[5] == '.' && strlen(s) == 9 && isdigit((unsigned char)s[6]) &&
           isdigit((unsigned char)s[7]) && isdigit((unsigned char)s[8]);
}

static bool valid_kind(const char *s)
{
    if (!*s || strlen(s) > 63)
        return false;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

static int parse_threshold(struct parser *P, struct tok *key, struct rule *r)
{
    struct tok *t = want_word(P, key, "a count");
    if (!t)
        return -1;
    uint32_t count;
    if (!rules_parse_u32(t->s, 0, &count) || count == 0 || count > MAX_THRESHOLD) {
        perr(P, t, "threshold count: 1 to %d, not '%s'", MAX_THRESHOLD, t->s);
        return -1;
    }
    r->info.thr_count = count;
    r->info.thr_by = TRACK_BY_SRC;
    t = want_word(P, key, "'in DURATION' or 'distinct FIELD'");
    if (!t)
        return -1;
    if (strcmp(t->s, "distinct") == 0) {
        static const char *const fields[] = {"",         "unit",     "dst",     "src",
                                             "dst_port", "function", "address", NULL};
        struct tok *f = want_word(P, t, "unit, dst, src, dst_port, function or address");
        if (!f)
            return -1;
        int k = 1;
        while (fields[k] && strcmp(fields[k], f->s) != 0)
            k++;
        if (!fields[k]) {
            perr(P, f,
                 "distinct counts unit, dst, src, dst_port, function or address, not "
                 "'%s'",
                 f->s);
            return -1;
        }
        if (count > TRACK_MAX_DISTINCT) {
            perr(P, t, "a distinct threshold counts up to %d values", TRACK_MAX_DISTINCT);
            return -1;
        }
        r->info.thr_distinct = (uint8_t)k;
        t = want_word(P, key, "'in DURATION'");
        if (!t)
            return -1;
    }
    if (strcmp(t->s, "in") != 0) {
        perr(P, t, "expected 'in DURATION' (e.g. in 60s), found '%s'", t->s);
        return -1;
    }
    t = want_word(P, t, "a duration (60s, 5m, 1h)");
    if (!t)
        return -1;
    if (!rules_parse_duration(t->s, &r->info.thr_seconds)) {
        perr(P, t, "'%s' is not a duration of 1 s to 30 days (60s, 5m, 1h, 1d)", t->s);
        return -1;
    }
    struct tok *b = peek(P);
    if (b && b->type == T_WORD && strcmp(b->s, "by") == 0) {
        P->pos++;
        t = want_word(P, b, "src, dst, pair, flow or none");
        if (!t)
            return -1;
        static const char *const by[] = {"src", "dst", "pair", "flow", "none", NULL};
        int k = 0;
        while (by[k] && strcmp(by[k], t->s) != 0)
            k++;
        if (!by[k]) {
            perr(P, t, "threshold by src, dst, pair, flow or none, not '%s'", t->s);
            return -1;
        }
        r->info.thr_by = (uint8_t)k;
    }
    return 0;
}

static uint64_t risk_bit(struct parser *P, struct tok *t, const char *name)
{
    const struct rules_names *nm = P->rs->names;
    const char *list[65];
    int n = 0;
    for (int i = 0; nm && i < nm->n_risks && i < 64; i++) {
        if (nm->risks[i] && strcasecmp(nm->risks[i], name) == 0)
            return UINT64_C(1) << i;
        if (nm->risks[i])
            list[n++] = nm->risks[i];
    }
    list[n] = NULL;
    const char *hint = closest(name, list);
    for (int i = 0; !hint && i < n; i++)
        if (strstr(list[i], name))
            hint = list[i]; /* a part of the name: tls_obsolete */
    perr(P, t, "unknown risk '%s'%s%s%s", name, hint ? " (did you mean '" : "", hint ? hint : "",
         hint ? "'?)" : " (risk names: nDPI's, in lower case)");
    return 0;
}

/* Adds a clause to the rule being built. */
static struct clause *new_clause(struct clause **cl, int *n, int *cap, uint8_t type, bool neg)
{
    if (*n == *cap) {
        int c = *cap ? *cap * 2 : 8;
        struct clause *p = realloc(*cl, (size_t)c * sizeof(*p));
        if (!p)
            return NULL;
        *cl = p;
        *cap = c;
    }
    struct clause *c = &(*cl)[(*n)++];
    memset(c, 0, sizeof(*c));
    c->type = type;
    c->neg = neg;
    return c;
}

static void add_rule(struct parser *P, struct rule *r)
{
    struct rule_set *rs = P->rs;
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 256;
        struct rule **p = realloc(rs->rules, cap * sizeof(*p));
        if (!p)
            return;
        rs->rules = p;
        rs->cap = cap;
    }
    rs->rules[rs->n++] = r;
}

static bool msg_clause(uint8_t type)
{
    return type <= CL_IDENTITY;
}

static void parse_rule(struct parser *P, struct tok *first)
{
    struct rule_set *rs = P->rs;
    struct rule *r = rs_alloc(rs, sizeof(*r));
    if (!r)
        return;
    r->info.builtin = P->builtin;
    r->info.condition = -1;
    r->info.rev = 1;
    r->info.file = rs_strdup(rs, P->where, strlen(P->where));
    r->info.line = first->line;
    struct tok *pt = next(P);
    if (!pt || pt->type != T_WORD) {
        perr(P, pt ? pt : first,
             "expected a protocol after 'alert' (modbus, dnp3, ... any, ip, "
             "tcp, udp, arp)");
        return;
    }
    r->proto = parse_proto(P, pt);
    if (r->proto < 0)
        return;
    struct clause *cl = NULL;
    int ncl = 0, capcl = 0;
    struct tok *sid_tok = NULL, *cond_tok = NULL, *app_tok = NULL;
    int n_mitre = 0;
    bool have_msg = false, have_sev = false;
    while (!P->failed && peek(P)) {
        struct tok *k = next(P);
        if (k->type != T_WORD) {
            perr(P, k,
                 "unexpected '%s' (expected a keyword such as function, unit, from, msg, "
                 "sid)",
                 k->s);
            break;
        }
        bool neg = false;
        struct tok *key = k;
        if (strcmp(k->s, "not") == 0) {
            neg = true;
            key = next(P);
            if (!key || key->type != T_WORD) {
                perr(P, key ? key : k, "expected a condition after 'not'");
                break;
            }
        }
        const char *w = key->s;
        struct clause *c = NULL;
        if (strcmp(w, "request") == 0 || strcmp(w, "response") == 0) {
            c = new_clause(&cl, &ncl, &capcl, CL_DIR, neg);
            if (c)
                c->dir = w[2] == 'q' ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
        } else if (strcmp(w, "op") == 0) {
            c = new_clause(&cl, &ncl, &capcl, CL_OP, neg);
            if (!c || (c->n = parse_items(P, key, false, false, &c->items)) < 0)
                break;
            for (int i = 0; i < c->n; i++) {
                char up[32];
                snprintf(up, sizeof(up), "%s", c->items[i].s ? c->items[i].s : "?");
                for (char *q = up; *q; q++)
                    *q = (char)toupper((unsigned char)*q);
                int op = ot_op_from_name(up);
                if (op < 0) {
                    perr(P, key,
                         "unknown operation class '%s' (READ, WRITE, CONTROL, PROGRAM, "
                         "DIAGNOSTIC, DISCOVERY, TIME_SYNC, AUTH, FILE, OTHER)",
                         c->items[i].s ? c->items[i].s : "?");
                    break;
                }
                c->op_mask |= 1u << op;
            }
        } else if (strcmp(w, "function") == 0) {
            c = new_clause(&cl, &ncl, &capcl, CL_FUNC, neg);
            if (!c || (c->n = parse_items(P, key, false, false, &c->items)) < 0)
                break;
        } else if (strcmp(w, "unit") == 0) {
            c = new_clause(&cl, &ncl, &capcl, CL_UNIT, neg);
            if (!c || (c->n = parse_items(P, key, true, false, &c->items)) < 0)
                break;
        } else if (strcmp(w, "address") == 0) {
            c = new_clause(&cl, &ncl, &capcl, CL_ADDR, neg);
            if (!c || (c->n = parse_items(P, key, false, true, &c->items)) < 0)
                break;
        } else if (strcmp(w, "value") == 0) {
            c = new_clause(&cl, &ncl, &capcl, CL_VALUE, neg);
            if (!c)
                break;
            struct tok *at = peek(P);
            if (at && at->type == T_WORD && strcmp(at->s, "at") == 0) {
                P->pos++;
                struct tok *a = want_word(P, at, "an address (at 100 or at 100-110)");
                if (!a)
                    break;
                if (!parse_range(a->s, &c->at_lo, &c->at_hi) || c->at_lo < 0) {
                    perr(P, a, "'%s' is not an address or range", a->s);
                    break;
                }
                c->has_at = true;
            }
            if (parse_compare(P, key, c, false, true) != 0)
                break;
        } else if (strcmp(w, "exception") == 0) {
            c = new_clause(&cl, &ncl, &capcl, CL_EXCEPTION, neg);
            if (!c || (c->n = parse_opt_items(P, key, false, &c->items)) < 0)
                break;
        } else if (strcmp(w, "anomaly") == 0) {
            c = new_clause(&cl, &ncl, &capcl, CL_ANOMALY, neg);
            if (!c || (c->n = parse_opt_items(P, key, false, &c->items)) < 0)
                break;
        } else if (strncmp(w, "detail.", 7) == 0) {
            c = new_clause(&cl, &ncl, &capcl, CL_DETAIL, neg);
            if (!c)
                break;
            const char *parts[16];
            int depth = 0;
            char path[256];
            snprintf(path, sizeof(path), "%s", w + 7);
            bool bad = !path[0];
            for (char *s = path, *dot; !bad && s; s = dot ? dot + 1 : NULL) {
                dot = strchr(s, '.');
                if (dot)
                    *dot = '\0';
                if (!*s || depth >= 16)
                    bad = true;
                else
                    parts[depth++] = rs_strdup(rs, s, strlen(s));
            }
            if (bad) {
                perr(P, key, "'%s': expected detail.FIELD or detail.OBJECT.FIELD", w);
                break;
            }
            c->path = rs_alloc(rs, (size_t)depth * sizeof(*c->path));
            if (!c->path)
                break;
            memcpy(c->path, parts, (size_t)depth * sizeof(*parts));
            c->depth = depth;
            if (parse_compare(P, key, c, true, false) != 0)
                break;
        } else if (strncmp(w, "identity.", 9) == 0) {
            c = new_clause(&cl, &ncl, &capcl, CL_IDENTITY, neg);
            if (!c)
                break;
            c->field = -1;
            for (int i = 0; identity_fields[i]; i++)
                if (strcmp(identity_fields[i], w + 9) == 0)
                    c->field = i;
            if (c->field < 0) {
                perr(P, key, "'%s': identity.vendor, product, model, firmware, serial or name", w);
                break;
            }
            if (parse_compare(P, key, c, true, false) != 0)
                break;
        } else if (strcmp(w, "app") == 0) {
            c = new_clause(&cl, &ncl, &capcl, CL_APP, neg);
            app_tok = key;
            if (!c || (c->n = parse_items(P, key, false, false, &c->items)) < 0)
                break;
        } else if (strcmp(w, "server_name") == 0) {
            c = new_clause(&cl, &ncl, &capcl, CL_SERVER_NAME, neg);
            app_tok = key;
            if (!c || (c->n = parse_items(P, key, false, false, &c->items)) < 0)
                break;
        } else if (strcmp(w, "risk") == 0) {
            c = new_clause(&cl, &ncl, &capcl, CL_RISK, neg);
            app_tok = key;
            if (!c || (c->n = parse_items(P, key, false, false, &c->items)) < 0)
                break;
            for (int i = 0; i < c->n && !P->failed; i++)
                c->risk_mask |= c->items[i].s ? risk_bit(P, key, c->items[i].s) : 0;
        } else if (strcmp(w, "condition") == 0) {
            c = new_clause(&cl, &ncl, &capcl, CL_CONDITION, neg);
            struct tok *t = want_word(P, key, "a condition name");
            if (!c || !t)
                break;
            c->cond = rules_cond_find(t->s);
            if (c->cond < 0) {
                const char *names[RC_COUNT + 1];
                for (int i = 0; i < RC_COUNT; i++)
                    names[i] = rules_cond_name(i);
                names[RC_COUNT] = NULL;
                const char *hint = closest(t->s, names);
                perr(P, t, "unknown condition '%s'%s%s%s", t->s, hint ? " (did you mean '" : "",
                     hint ? hint : "", hint ? "'?)" : "");
                break;
            }
            if (neg) {
                perr(P, k, "'not condition' is not supported: a condition is a detection");
                break;
            }
            if (cond_tok) {
                perr(P, key, "one condition per rule");
                break;
            }
            cond_tok = t;
            r->info.condition = c->cond;
        } else if (strcmp(w, "from") == 0 || strcmp(w, "to") == 0) {
            c = new_clause(&cl, &ncl, &capcl, w[0] == 'f' ? CL_FROM : CL_TO, neg);
            if (!c || !(c->ep = parse_endpoint(P, key)))
                break;
        } else if (neg) {
            perr(P, key, "'not' goes before a condition (function, unit, detail...), not '%s'", w);
            break;
        } else if (strcmp(w, "msg") == 0) {
            struct tok *t = next(P);
            if (!t || t->type != T_STRING) {
                perr(P, t ? t : key, "msg takes a quoted string: msg \"...\"");
                break;
            }
            if (!t->s[0]) {
                perr(P, t, "msg is empty: say what happened and what to check");
                break;
            }
            r->info.msg = rs_strdup(rs, t->s, strlen(t->s));
            have_msg = true;
        } else if (strcmp(w, "sid") == 0 || strcmp(w, "rev") == 0) {
            struct tok *t = want_word(P, key, "a number");
            uint32_t v;
            if (!t)
                break;
            if (!rules_parse_u32(t->s, 0, &v) || v == 0) {
                perr(P, t, "%s is a number from 1 to 4294967295, not '%s'", w, t->s);
                break;
            }
            if (w[0] == 's') {
                r->info.sid = v;
                sid_tok = t;
            } else {
                r->info.rev = v;
            }
        } else if (strcmp(w, "severity") == 0) {
            struct tok *t = want_word(P, key, "high, medium or low");
            if (!t)
                break;
            int s = parse_severity(t->s);
            if (!s) {
                perr(P, t, "severity is high, medium or low (or 1, 2, 3), not '%s'", t->s);
                break;
            }
            r->info.severity = (uint8_t)s;
            have_sev = true;
        } else if (strcmp(w, "mitre") == 0) {
            struct item *items;
            int n = parse_items(P, key, false, false, &items);
            if (n < 0)
                break;
            for (int i = 0; i < n; i++) {
                /* items are lower-cased: T0843 comes back as t0843 */
                char id[16];
                snprintf(id, sizeof(id), "%s", items[i].s ? items[i].s : "");
                id[0] = (char)toupper((unsigned char)id[0]);
                if (!valid_technique(id)) {
                    perr(P, key, "'%s' is not an ATT&CK technique id (T0843, T0866.001)",
                         items[i].s ? items[i].s : "?");
                    break;
                }
                if (n_mitre >= RULES_MAX_MITRE) {
                    perr(P, key, "at most %d techniques", RULES_MAX_MITRE);
                    break;
                }
                r->info.mitre[n_mitre++] = rs_strdup(rs, id, strlen(id));
            }
        } else if (strcmp(w, "kind") == 0) {
            struct tok *t = want_word(P, key, "a kind (plc_stop, discovery ...)");
            if (!t)
                break;
            if (!valid_kind(t->s)) {
                perr(P, t, "kind is a lower_snake_case name, not '%s'", t->s);
                break;
            }
            r->info.kind = rs_strdup(rs, t->s, strlen(t->s));
        } else if (strcmp(w, "category") == 0) {
            struct tok *t = want_word(P, key, "a category");
            if (!t)
                break;
            r->info.category = rs_strdup(rs, t->s, strlen(t->s));
        } else if (strcmp(w, "threshold") == 0) {
            if (parse_threshold(P, key, r) != 0)
                break;
        } else {
            const char *hint = closest(w, keywords);
            perr(P, key, "unknown keyword '%s'%s%s%s", w, hint ? " (did you mean '" : "",
                 hint ? hint : "", hint ? "'?)" : "");
            break;
        }
        if (!c)
            continue;
        if (msg_clause(c->type) && !is_ot(r->proto)) {
            perr(P, key,
                 "'%s' looks into an industrial message: the rule must be for a "
                 "protocol such as modbus or dnp3, not '%s'",
                 w, pt->s);
            break;
        }
        if ((c->type == CL_APP || c->type == CL_RISK || c->type == CL_SERVER_NAME) &&
            is_ot(r->proto)) {
            perr(P, key, "'%s' is a flow property: use it with 'alert ip' / tcp / udp", w);
            break;
        }
    }
    if (P->failed) {
        free(cl);
        return;
    }
    struct tok *end = last_tok(P);
    if (!have_msg)
        perr(P, first, "this rule has no msg \"...\" (what happened, what to check)");
    if (!sid_tok)
        perr(P, first, "this rule has no sid (a stable number: tuning and SIEMs key on it)");
    if (!have_sev)
        r->info.severity = 2;
    if (!r->info.kind) {
        if (P->builtin)
            perr(P, first, "a built-in rule needs a kind (the catalogue name)");
        r->info.kind = "rule";
    }
    if (P->builtin && n_mitre == 0)
        perr(P, first, "a built-in rule needs its ATT&CK for ICS technique (mitre T0...)");
    /* triggers */
    uint32_t trig;
    if (r->info.condition >= 0) {
        const struct rules_cond_def *d = rules_cond_def(r->info.condition);
        trig = d->triggers;
        bool ok = (d->proto == RCP_GOOSE && r->proto == OT_PROTO_GOOSE) ||
                  (d->proto == RCP_OT && is_ot(r->proto)) ||
                  (d->proto == RCP_ARP && r->proto == RP_ARP) ||
                  (d->proto == RCP_IP && r->proto >= RP_IP && r->proto <= RP_ICMP);
        if (!ok)
            perr(P, cond_tok, "condition %s needs 'alert %s'", d->name,
                 d->proto == RCP_GOOSE ? "goose"
                 : d->proto == RCP_OT  ? "PROTOCOL' (modbus, dnp3 ... or any"
                 : d->proto == RCP_ARP ? "arp"
                                       : "ip' (or tcp, udp");
        if (d->source)
            r->info.source = d->source;
        if (r->info.condition == RC_INVALID_PDU) {
            for (int i = 0; i < ncl; i++)
                if (msg_clause(cl[i].type))
                    perr(P, cond_tok,
                         "invalid_pdu has no message to look into: drop the "
                         "message conditions");
        }
        if (app_tok && !(trig & (1u << RT_FLOW_APP)))
            perr(P, app_tok,
                 "condition %s is decided before the flow's application is known: "
                 "app, risk and server_name cannot be used with it",
                 d->name);
    } else if (is_ot(r->proto)) {
        trig = 1u << RT_MSG;
    } else if (r->proto == RP_ARP) {
        trig = 1u << RT_ARP;
    } else {
        trig = 1u << (app_tok ? RT_FLOW_APP : RT_FLOW_START);
    }
    r->info.triggers = trig;
    if (!r->info.source)
        r->info.source = P->builtin ? "builtin" : "rule";
    /* tactics from the techniques */
    int nt = 0;
    for (int i = 0; i < n_mitre; i++) {
        const char *tac[3];
        int k = mitre_ics_tactics(r->info.mitre[i], tac, 3);
        for (int j = 0; j < k && nt < RULES_MAX_MITRE; j++) {
            bool dup = false;
            for (int q = 0; q < nt; q++)
                dup |= strcmp(r->info.tactic[q], tac[j]) == 0;
            if (!dup)
                r->info.tactic[nt++] = tac[j];
        }
    }
    (void)end;
    if (P->failed) {
        free(cl);
        return;
    }
    r->cl = rs_alloc(rs, (size_t)(ncl ? ncl : 1) * sizeof(*r->cl));
    if (r->cl && ncl)
        memcpy(r->cl, cl, (size_t)ncl * sizeof(*cl));
    r->n = ncl;
    free(cl);
    /* index keys: one function, one unit (not negated) */
    for (int i = 0; i < r->n; i++) {
        const struct clause *c = &r->cl[i];
        if (c->neg || c->n != 1)
            continue;
        if (c->type == CL_FUNC && !r->fkind) {
            if (c->items[0].s) {
                r->fkind = 2;
                r->fval = rules_name_hash(c->items[0].s);
            } else if (c->items[0].lo == c->items[0].hi && c->items[0].lo >= 0 &&
                       c->items[0].lo <= UINT32_MAX) {
                r->fkind = 1;
                r->fval = (uint32_t)c->items[0].lo;
            }
        } else if (c->type == CL_UNIT && !r->has_ukey && c->items[0].lo == c->items[0].hi &&
                   c->items[0].lo >= 0 && c->items[0].lo <= UINT32_MAX) {
            r->has_ukey = true;
            r->uval = (uint32_t)c->items[0].lo;
        }
    }
    add_rule(P, r);
}

static void parse_set(struct parser *P, struct tok *first)
{
    struct rule_set *rs = P->rs;
    struct tok *name = want_word(P, first, "a set name");
    if (!name)
        return;
    for (const char *s = name->s; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-') {
            perr(P, name, "a set name has letters, digits, '_' and '-' only: '%s'", name->s);
            return;
        }
    for (int i = 0; i < rs->n_sets; i++)
        if (strcmp(rs->sets[i].name, name->s) == 0) {
            perr(P, name, "set '%s' is already defined at %s:%u", name->s, rs->sets[i].file,
                 rs->sets[i].line);
            return;
        }
    const char *items[MAX_ITEMS];
    int n = 0;
    for (;;) {
        struct tok *t = next(P);
        if (!t || t->type != T_WORD) {
            perr(P, t ? t : name, "expected addresses, prefixes or MACs after 'set %s'", name->s);
            return;
        }
        uint8_t a[16], mac[6];
        int version;
        unsigned plen;
        if (ip_parse_prefix(t->s, a, &version, &plen) != 0 && !mac_parse(t->s, mac)) {
            perr(P, t, "'%s' is not an address, prefix or MAC (a set lists devices)", t->s);
            return;
        }
        if (n >= MAX_ITEMS) {
            perr(P, t, "more than %d items in one set", MAX_ITEMS);
            return;
        }
        items[n++] = rs_strdup(rs, t->s, strlen(t->s));
        struct tok *c = peek(P);
        if (!c)
            break;
        if (c->type != T_COMMA) {
            perr(P, c, "unexpected '%s' in set %s (items are separated by commas)", c->s, name->s);
            return;
        }
        P->pos++;
    }
    if (rs->n_sets == rs->cap_sets) {
        int cap = rs->cap_sets ? rs->cap_sets * 2 : 16;
        struct named_set *s = realloc(rs->sets, (size_t)cap * sizeof(*s));
        if (!s)
            return;
        rs->sets = s;
        rs->cap_sets = cap;
    }
    struct named_set *s = &rs->sets[rs->n_sets++];
    s->name = rs_strdup(rs, name->s, strlen(name->s));
    s->n = n;
    s->items = rs_alloc(rs, (size_t)n * sizeof(*s->items));
    if (s->items)
        memcpy(s->items, items, (size_t)n * sizeof(*items));
    s->file = rs_strdup(rs, P->where, strlen(P->where));
    s->line = first->line;
}

static void parse_statement(struct parser *P)
{
    if (P->n == 0)
        return;
    /* token text may have moved while the statement grew */
    for (int i = 0; i < P->n; i++)
        P->t[i].s = P->buf + (intptr_t)P->t[i].s;
    P->pos = 0;
    bool had_error = P->failed; /* a tokenizer error: drop the statement */
    struct tok *first = next(P);
    if (!had_error) {
        if (first->type == T_WORD && strcmp(first->s, "alert") == 0)
            parse_rule(P, first);
        else if (first->type == T_WORD && strcmp(first->s, "set") == 0)
            parse_set(P, first);
        else
            perr(P, first,
                 "a statement starts with 'alert' (a rule) or 'set' (a named set of "
                 "devices), not '%s'",
                 first->s);
    }
    P->n = 0;
    P->used = 0;
    P->failed = false;
}

unsigned rules_load_text(struct rule_set *rs, const char *where, const char *text, bool builtin,
                         struct rules_problems *pr)
{
    struct parser P;
    memset(&P, 0, sizeof(P));
    P.rs = rs;
    P.where = where;
    P.builtin = builtin;
    P.pr = pr;
    if (rs->finished) {
        rules_problem_add(pr, where, 0, 0, "rules added after the set was finished");
        return 1;
    }
    unsigned lineno = 0;
    bool cont = false;
    const char *s = text;
    while (*s) {
        const char *eol = strchr(s, '\n');
        size_t len = eol ? (size_t)(eol - s) : strlen(s);
        lineno++;
        size_t k = 0;
        while (k < len && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
            k++;
        bool blank = k == len || s[k] == '#';
        if (!blank) {
            bool indented = k > 0;
            if (!cont && !indented)
                parse_statement(&P);
            tokenize_line(&P, s, len, lineno, &cont);
        }
        s += len;
        if (*s == '\n')
            s++;
    }
    parse_statement(&P);
    free(P.t);
    free(P.buf);
    return P.problems;
}

static unsigned load_file(struct rule_set *rs, const char *path, struct rules_problems *pr)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        rules_problem_add(pr, path, 0, 0, "cannot open: %s", strerror(errno));
        return 1;
    }
    char *text = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 65536 + 1 > cap) {
            cap = cap ? cap * 2 : 65536 * 2;
            if (cap > RULES_MAX_FILE + 65536 + 1) {
                free(text);
                fclose(f);
                rules_problem_add(pr, path, 0, 0, "larger than %u MB", RULES_MAX_FILE >> 20);
                return 1;
            }
            char *t = realloc(text, cap);
            if (!t) {
                free(text);
                fclose(f);
                rules_problem_add(pr, path, 0, 0, "out of memory");
                return 1;
            }
            text = t;
        }
        size_t got = fread(text + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(text);
        rules_problem_add(pr, path, 0, 0, "read error");
        return 1;
    }
    text[n] = '\0';
    if (memchr(text, '\0', n)) {
        free(text);
        rules_problem_add(pr, path, 0, 0, "not a text file (it holds NUL bytes)");
        return 1;
    }
    unsigned p = rules_load_text(rs, path, text, false, pr);
    free(text);
    return p;
}

static int rules_file_filter(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 6 && strcmp(d->d_name + n - 6, ".rules") == 0;
}

unsigned rules_load_path(struct rule_set *rs, const char *path, struct rules_problems *pr)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        rules_problem_add(pr, path, 0, 0, "cannot open: %s", strerror(errno));
        return 1;
    }
    if (!S_ISDIR(st.st_mode))
        return load_file(rs, path, pr);
    struct dirent **names;
    int n = scandir(path, &names, rules_file_filter, alphasort);
    if (n < 0) {
        rules_problem_add(pr, path, 0, 0, "cannot list the directory: %s", strerror(errno));
        return 1;
    }
    unsigned problems = 0;
    for (int i = 0; i < n; i++) {
        char full[4096];
        snprintf(full, sizeof(full), "%s/%s", path, names[i]->d_name);
        problems += load_file(rs, full, pr);
        free(names[i]);
    }
    free(names);
    return problems;
}
