/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: alert tuning (DESIGN section 8): disable, suppress, threshold and
 * severity, per sid (list or range), kind or all, scoped by source,
 * destination, either end, or device (IP or MAC).  One statement a line:
 *   disable   sid 3100001
 *   suppress  kind discovery  src 10.1.1.5, 10.1.1.6
 *   threshold sid 3400001  count 5 in 60s by src
 *   severity  kind goose_anomaly  high  device 00:1b:21:3a:10:10 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules-private.h"

#define TUNE_MAX_FILE (16u << 20)
#define TUNE_MAX_TOKENS 1024

enum tune_verb {
    TV_DISABLE = 0,
    TV_SUPPRESS,
    TV_THRESHOLD,
    TV_SEVERITY,
};

enum scope_kind {
    SC_SRC = 0,
    SC_DST,
    SC_IP,     /* either end */
    SC_DEVICE, /* either end, by address or MAC */
    SC_COUNT,
};

struct scope {
    struct iplist *ips;
    uint8_t (*macs)[6];
    int n_macs;
    bool used;
};

struct sid_range {
    uint32_t lo, hi;
};

struct tune_entry {
    uint8_t verb;
    bool all;
    struct sid_range *sids;
    int n_sids;
    char **kinds;
    int n_kinds;
    struct scope sc[SC_COUNT];
    uint8_t severity;
    uint32_t count, seconds;
    uint8_t by;
    int line;
};

struct tuning {
    struct tune_entry *e;
    size_t n, cap;
};

struct ttok {
    const char *s;
    unsigned col;
    bool comma_before;
};

void tuning_free(struct tuning *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        struct tune_entry *e = &t->e[i];
        free(e->sids);
        for (int k = 0; k < e->n_kinds; k++)
            free(e->kinds[k]);
        free(e->kinds);
        for (int s = 0; s < SC_COUNT; s++) {
            iplist_free(e->sc[s].ips);
            free(e->sc[s].macs);
        }
    }
    free(t->e);
    free(t);
}

size_t tuning_count(const struct tuning *t)
{
    return t ? t->n : 0;
}

/* Consumes a list: the token at *i and every following one written after a
 * comma.  Returns the count. */
static int list_len(const struct ttok *t, int n, int i)
{
    if (i >= n)
        return 0;
    int k = i + 1;
    while (k < n && t[k].comma_before)
        k++;
    return k - i;
}

static int add_scope(struct scope *sc, const char *text, bool device, char *err, size_t errlen)
{
    uint8_t mac[6];
    if (mac_parse(text, mac)) {
        if (!device) {
            snprintf(err, errlen, "'%s': a MAC address scopes with 'device', not src/dst/ip", text);
            return -1;
        }
        uint8_t(*m)[6] = realloc(sc->macs, (size_t)(sc->n_macs + 1) * 6);
        if (!m) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        memcpy(m[sc->n_macs++], mac, 6);
        sc->macs = m;
        return 0;
    }
    if (!sc->ips && !(sc->ips = iplist_new())) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (iplist_add_text(sc->ips, text, 0, err, errlen) != 0) {
        snprintf(err, errlen, "'%s' is not an address or prefix%s", text,
                 device ? " or a MAC" : "");
        return -1;
    }
    return 0;
}

static void parse_line(struct tuning *t, const char *where, unsigned lineno, struct ttok *tok,
                       int n, struct rules_problems *pr)
{
    static const char *const verbs[] = {"disable", "suppress", "threshold", "severity", NULL};
    struct tune_entry e;
    memset(&e, 0, sizeof(e));
    e.line = (int)lineno;
    int v = 0;
    while (verbs[v] && strcmp(verbs[v], tok[0].s) != 0)
        v++;
    char err[RULES_MSG_LEN];
    if (!verbs[v]) {
        rules_problem_add(pr, where, lineno, tok[0].col,
                          "'%s': a tuning line starts with disable, suppress, threshold or "
                          "severity",
                          tok[0].s);
        return;
    }
    e.verb = (uint8_t)v;
    int i = 1;
    if (i >= n) {
        rules_problem_add(pr, where, lineno, tok[0].col, "%s what? sid N, kind NAME or all",
                          tok[0].s);
        return;
    }
    /* selector */
    if (strcmp(tok[i].s, "all") == 0 || strcmp(tok[i].s, "*") == 0) {
        e.all = true;
        i++;
    } else if (strcmp(tok[i].s, "sid") == 0 || strcmp(tok[i].s, "kind") == 0) {
        bool sid = tok[i].s[0] == 's';
        int k = list_len(tok, n, i + 1);
        if (k == 0) {
            rules_problem_add(pr, where, lineno, tok[i].col, "'%s' needs a value", tok[i].s);
            goto bad;
        }
        for (int j = i + 1; j < i + 1 + k; j++) {
            if (sid) {
                struct sid_range r;
                char buf[64];
                snprintf(buf, sizeof(buf), "%s", tok[j].s);
                char *dash = strchr(buf, '-');
                if (dash)
                    *dash = '\0';
                if (!rules_parse_u32(buf, 10, &r.lo) ||
                    !(dash ? rules_parse_u32(dash + 1, 10, &r.hi) : (r.hi = r.lo, true)) ||
                    r.lo == 0 || r.hi < r.lo) {
                    rules_problem_add(pr, where, lineno, tok[j].col,
                                      "'%s' is not a sid or sid range (3100001 or "
                                      "3100000-3199999)",
                                      tok[j].s);
                    goto bad;
                }
                struct sid_range *p = realloc(e.sids, (size_t)(e.n_sids + 1) * sizeof(*p));
                if (!p)
                    goto bad;
                e.sids = p;
                e.sids[e.n_sids++] = r;
            } else {
                char **p = realloc(e.kinds, (size_t)(e.n_kinds + 1) * sizeof(*p));
                if (!p)
                    goto bad;
                e.kinds = p;
                e.kinds[e.n_kinds] = strdup(tok[j].s);
                if (!e.kinds[e.n_kinds])
                    goto bad;
                e.n_kinds++;
            }
        }
        i += 1 + k;
    } else {
        rules_problem_add(pr, where, lineno, tok[i].col,
                          "expected sid N, kind NAME or all after '%s', found '%s'", tok[0].s,
                          tok[i].s);
        goto bad;
    }
    /* verb arguments */
    if (e.verb == TV_SEVERITY) {
        const char *s = i < n ? tok[i].s : "";
        e.severity = strcmp(s, "high") == 0 || strcmp(s, "1") == 0     ? 1
                     : strcmp(s, "medium") == 0 || strcmp(s, "2") == 0 ? 2
                     : strcmp(s, "low") == 0 || strcmp(s, "3") == 0    ? 3
                                                                       : 0;
        if (!e.severity) {
            rules_problem_add(pr, where, lineno, i < n ? tok[i].col : tok[n - 1].col,
                              "severity takes high, medium or low (1, 2, 3)%s%s%s",
                              i < n ? ", not '" : "", s, i < n ? "'" : "");
            goto bad;
        }
        i++;
    } else if (e.verb == TV_THRESHOLD) {
        /* count N in DURATION [by src|dst|pair|none] */
        if (i + 3 >= n || strcmp(tok[i].s, "count") != 0 ||
            !rules_parse_u32(tok[i + 1].s, 10, &e.count) || e.count == 0 ||
            strcmp(tok[i + 2].s, "in") != 0 || !rules_parse_duration(tok[i + 3].s, &e.seconds)) {
            rules_problem_add(pr, where, lineno, i < n ? tok[i].col : tok[n - 1].col,
                              "threshold takes: count N in DURATION [by src|dst|pair|none] "
                              "(e.g. count 5 in 60s by src)");
            goto bad;
        }
        i += 4;
        e.by = TRACK_BY_SRC;
        if (i < n && strcmp(tok[i].s, "by") == 0) {
            static const char *const by[] = {"src", "dst", "pair", "flow", "none", NULL};
            int k = 0;
            while (i + 1 < n && by[k] && strcmp(by[k], tok[i + 1].s) != 0)
                k++;
            if (i + 1 >= n || !by[k]) {
                rules_problem_add(pr, where, lineno, tok[i].col,
                                  "threshold by src, dst, pair or none");
                goto bad;
            }
            e.by = (uint8_t)k;
            i += 2;
        }
    }
    /* scopes */
    while (i < n) {
        static const char *const scopes[] = {"src", "dst", "ip", "device", NULL};
        int s = 0;
        while (scopes[s] && strcmp(scopes[s], tok[i].s) != 0)
            s++;
        if (!scopes[s]) {
            rules_problem_add(pr, where, lineno, tok[i].col,
                              "unexpected '%s' (a scope is src, dst, ip or device, then "
                              "addresses)",
                              tok[i].s);
            goto bad;
        }
        int k = list_len(tok, n, i + 1);
        if (k == 0) {
            rules_problem_add(pr, where, lineno, tok[i].col, "'%s' needs addresses", tok[i].s);
            goto bad;
        }
        for (int j = i + 1; j < i + 1 + k; j++) {
            if (add_scope(&e.sc[s], tok[j].s, s == SC_DEVICE, err, sizeof(err)) != 0) {
                rules_problem_add(pr, where, lineno, tok[j].col, "%s", err);
                goto bad;
            }
        }
        e.sc[s].used = true;
        i += 1 + k;
    }
    for (int s = 0; s < SC_COUNT; s++)
        if (e.sc[s].ips)
            iplist_build(e.sc[s].ips);
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        struct tune_entry *p = realloc(t->e, cap * sizeof(*p));
        if (!p)
            goto bad;
        t->e = p;
        t->cap = cap;
    }
    t->e[t->n++] = e;
    return;
bad:
    free(e.sids);
    for (int k = 0; k < e.n_kinds; k++)
        free(e.kinds[k]);
    free(e.kinds);
    for (int s = 0; s < SC_COUNT; s++) {
        iplist_free(e.sc[s].ips);
        free(e.sc[s].macs);
    }
}

struct tuning *tuning_parse(const char *where, const char *text, struct rules_problems *pr)
{
    struct tuning *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    unsigned lineno = 0;
    const char *s = text;
    static __thread struct ttok tok[TUNE_MAX_TOKENS];
    char line[4096];
    while (*s) {
        const char *eol = strchr(s, '\n');
        size_t len = eol ? (size_t)(eol - s) : strlen(s);
        lineno++;
        if (len >= sizeof(line)) {
            rules_problem_add(pr, where, lineno, 0, "line longer than %zu bytes", sizeof(line) - 1);
        } else {
            memcpy(line, s, len);
            line[len] = '\0';
            char *hash = strchr(line, '#');
            if (hash)
                *hash = '\0';
            int n = 0;
            bool comma = false;
            size_t i = 0;
            while (line[i] && n < TUNE_MAX_TOKENS) {
                if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
                    i++;
                    continue;
                }
                if (line[i] == ',') {
                    comma = true;
                    line[i++] = '\0';
                    continue;
                }
                size_t k = i;
                while (line[k] && line[k] != ' ' && line[k] != '\t' && line[k] != '\r' &&
                       line[k] != ',')
                    k++;
                tok[n].s = line + i;
                tok[n].col = (unsigned)i + 1;
                tok[n].comma_before = comma;
                comma = false;
                n++;
                if (line[k] == ',') {
                    comma = true;
                    line[k] = '\0';
                    i = k + 1;
                } else if (line[k]) {
                    line[k] = '\0';
                    i = k + 1;
                } else {
                    i = k;
                }
            }
            if (n > 0)
                parse_line(t, where, lineno, tok, n, pr);
        }
        s += len;
        if (*s == '\n')
            s++;
    }
    return t;
}

struct tuning *tuning_load(const char *path, struct rules_problems *pr)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        rules_problem_add(pr, path, 0, 0, "cannot open the tuning file: %s", strerror(errno));
        return NULL;
    }
    char *text = malloc(TUNE_MAX_FILE + 1);
    if (!text) {
        fclose(f);
        return NULL;
    }
    size_t n = fread(text, 1, TUNE_MAX_FILE, f);
    bool big = n == TUNE_MAX_FILE && fgetc(f) != EOF;
    bool bad = ferror(f);
    fclose(f);
    if (bad || big) {
        rules_problem_add(pr, path, 0, 0, bad ? "read error" : "larger than 16 MB");
        free(text);
        return NULL;
    }
    text[n] = '\0';
    struct tuning *t = tuning_parse(path, text, pr);
    free(text);
    return t;
}

static bool scope_has(const struct scope *sc, const struct rules_ep *e)
{
    if (!e)
        return false;
    if (sc->ips && e->ip && e->ip_version && iplist_lookup(sc->ips, e->ip, e->ip_version, NULL))
        return true;
    for (int i = 0; e->mac && i < sc->n_macs; i++)
        if (memcmp(sc->macs[i], e->mac, 6) == 0)
            return true;
    return false;
}

static bool entry_matches(const struct tune_entry *e, uint32_t sid, const char *kind,
                          const struct rules_ep *src, const struct rules_ep *dst)
{
    bool sel = e->all;
    for (int i = 0; !sel && i < e->n_sids; i++)
        sel = sid >= e->sids[i].lo && sid <= e->sids[i].hi;
    for (int i = 0; !sel && kind && i < e->n_kinds; i++)
        sel = strcmp(e->kinds[i], kind) == 0;
    if (!sel)
        return false;
    if (e->sc[SC_SRC].used && !scope_has(&e->sc[SC_SRC], src))
        return false;
    if (e->sc[SC_DST].used && !scope_has(&e->sc[SC_DST], dst))
        return false;
    if (e->sc[SC_IP].used && !scope_has(&e->sc[SC_IP], src) && !scope_has(&e->sc[SC_IP], dst))
        return false;
    if (e->sc[SC_DEVICE].used && !scope_has(&e->sc[SC_DEVICE], src) &&
        !scope_has(&e->sc[SC_DEVICE], dst))
        return false;
    return true;
}

void tuning_check(const struct tuning *t, uint32_t sid, const char *kind,
                  const struct rules_ep *src, const struct rules_ep *dst, struct tune_result *out)
{
    memset(out, 0, sizeof(*out));
    if (!t)
        return;
    bool have_sev = false, have_thr = false;
    for (size_t i = 0; i < t->n; i++) {
        const struct tune_entry *e = &t->e[i];
        if (!entry_matches(e, sid, kind, src, dst))
            continue;
        switch (e->verb) {
            case TV_DISABLE:
                out->action = TUNE_DISABLED;
                out->line = e->line;
                return; /* nothing else matters */
            case TV_SUPPRESS:
                if (out->action == TUNE_KEEP) {
                    out->action = TUNE_SUPPRESSED;
                    out->line = e->line;
                }
                break;
            case TV_SEVERITY:
                if (!have_sev) {
                    out->severity = e->severity;
                    have_sev = true;
                }
                break;
            case TV_THRESHOLD:
                if (!have_thr) {
                    out->thr_count = e->count;
                    out->thr_seconds = e->seconds;
                    out->thr_by = e->by;
                    have_thr = true;
                    if (out->action == TUNE_KEEP)
                        out->line = e->line;
                }
                break;
        }
    }
}
