/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: syslog messages from EVE events: the RFC 5424 / RFC 3164 header
 * with structured data, and the payload as the EVE JSON object, CEF or LEEF.
 * specification: RFC 5424 sections 6 (header, STRUCTURED-DATA, 6.3.3 escaping
 * of PARAM-VALUE) and 6.2.1 (PRI); RFC 3164 section 4.1; ArcSight Common
 * Event Format rev. 25 ("CEF:0", header escaping of | and \, extension
 * escaping of \ = and line breaks); IBM QRadar LEEF 2.0 (header, delimiter
 * field, predefined attributes devTime/devTimeFormat/src/dst/srcPort/
 * dstPort/proto/sev/cat).
 *
 * Strings from the wire reach these formatters already decoded from JSON:
 * valid UTF-8 (jansson checks it; non-UTF-8 bytes were written by the
 * engine as \u00XX escapes, so they arrive as U+0080..U+00FF characters).
 * Control characters are never written raw: each format escapes what its
 * specification defines and turns the rest into a space, so one event is
 * always one line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "output-private.h"

/* ---------------------------------------------------------------- buffer */

static void grow(struct fbuf *b, size_t need)
{
    if (b->len + need + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + need + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        abort(); /* output thread, not wire data: out of memory is fatal */
    b->p = p;
    b->cap = cap;
}

void fbuf_reset(struct fbuf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

void fbuf_free(struct fbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

void fbuf_put(struct fbuf *b, const char *s, size_t n)
{
    grow(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void fbuf_puts(struct fbuf *b, const char *s)
{
    fbuf_put(b, s, strlen(s));
}

static void putc1(struct fbuf *b, char c)
{
    fbuf_put(b, &c, 1);
}

void fbuf_printf(struct fbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    grow(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* ---------------------------------------------------------------- escaping */

static bool is_ctl(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

void fmt_cef_header_value(struct fbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' || c == '|') {
            putc1(b, '\\');
            putc1(b, (char)c);
        } else if (is_ctl(c)) {
            putc1(b, ' ');
        } else {
            putc1(b, (char)c);
        }
    }
}

void fmt_cef_ext_value(struct fbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' || c == '=') {
            putc1(b, '\\');
            putc1(b, (char)c);
        } else if (c == '\n') {
            fbuf_put(b, "\\n", 2);
        } else if (c == '\r') {
            fbuf_put(b, "\\r", 2);
        } else if (is_ctl(c)) {
            putc1(b, ' ');
        } else {
            putc1(b, (char)c);
        }
    }
}

void fmt_leef_header_value(struct fbuf *b, const char *s, size_t n)
{
    fmt_cef_header_value(b, s, n);
}

void fmt_leef_value(struct fbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        putc1(b, is_ctl(c) ? ' ' : (char)c);
    }
}

void fmt_sd_value(struct fbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\' || c == ']') {
            putc1(b, '\\');
            putc1(b, (char)c);
        } else if (is_ctl(c)) {
            putc1(b, ' ');
        } else {
            putc1(b, (char)c);
        }
    }
}

/* ---------------------------------------------------------------- fields */

static const char *str_at(const json_t *ev, const char *a, const char *b, size_t *n)
{
    *n = 0;
    const json_t *v = json_object_get(ev, a);
    if (b)
        v = json_object_get(v, b);
    if (!json_is_string(v))
        return NULL;
    *n = json_string_length(v);
    return json_string_value(v);
}

static bool int_at(const json_t *ev, const char *a, const char *b, long long *out)
{
    const json_t *v = json_object_get(ev, a);
    if (b)
        v = json_object_get(v, b);
    if (!json_is_integer(v))
        return false;
    *out = json_integer_value(v);
    return true;
}

static bool is_alert(const json_t *ev)
{
    size_t n = 0;
    const char *t = str_at(ev, "event_type", NULL, &n);
    return t && strcmp(t, "alert") == 0 && json_is_object(json_object_get(ev, "alert"));
}

int fmt_syslog_severity(const json_t *ev)
{
    long long sev;
    if (!is_alert(ev) || !int_at(ev, "alert", "severity", &sev))
        return 6; /* informational */
    switch (sev) {
        case 1: return 2;  /* critical */
        case 2: return 3;  /* error */
        default: return 4; /* warning */
    }
}

int fmt_cef_severity(const json_t *ev)
{
    long long sev;
    if (!is_alert(ev) || !int_at(ev, "alert", "severity", &sev))
        return 0;
    switch (sev) {
        case 1: return 9;  /* very high: 9-10 */
        case 2: return 6;  /* medium: 4-6 */
        default: return 3; /* low: 0-3 */
    }
}

/* "2024-01-01T00:00:00.010000+0000" -> milliseconds since the epoch */
static bool event_ms(const json_t *ev, long long *ms)
{
    size_t n = 0;
    const char *t = str_at(ev, "timestamp", NULL, &n);
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    int usec = 0;
    if (!t || sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d.%6d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                     &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &usec) != 7)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *ms = (long long)timegm(&tm) * 1000 + usec / 1000;
    return true;
}

/* A list of strings (alert.metadata.mitre_attack) joined with commas. */
static void joined(struct fbuf *tmp, const json_t *arr)
{
    fbuf_reset(tmp);
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v))
            continue;
        if (tmp->len)
            putc1(tmp, ',');
        fbuf_put(tmp, json_string_value(v), json_string_length(v));
    }
}

/* ---------------------------------------------------------------- CEF */

static void cef_kv(struct fbuf *b, const char *key, const char *v, size_t n)
{
    if (!v)
        return;
    putc1(b, ' ');
    fbuf_puts(b, key);
    putc1(b, '=');
    fmt_cef_ext_value(b, v, n);
}

static void cef_kvs(struct fbuf *b, const char *key, const json_t *ev, const char *a, const char *c)
{
    size_t n = 0;
    const char *v = str_at(ev, a, c, &n);
    cef_kv(b, key, v, n);
}

static void cef_kvi(struct fbuf *b, const char *key, const json_t *ev, const char *a, const char *c)
{
    long long v;
    if (int_at(ev, a, c, &v))
        fbuf_printf(b, " %s=%lld", key, v);
}

static void fmt_cef(struct fbuf *b, const json_t *ev)
{
    bool alert = is_alert(ev);
    size_t n = 0;
    fbuf_puts(b, "CEF:0|otsensor|otsensor|");
    fmt_cef_header_value(b, PACKAGE_VERSION, strlen(PACKAGE_VERSION));
    putc1(b, '|');
    const char *etype = str_at(ev, "event_type", NULL, &n);
    size_t etype_n = n;
    long long sid;
    if (alert && int_at(ev, "alert", "signature_id", &sid))
        fbuf_printf(b, "%lld", sid);
    else if (etype)
        fmt_cef_header_value(b, etype, etype_n);
    putc1(b, '|');
    const char *name = alert ? str_at(ev, "alert", "signature", &n) : NULL;
    if (name)
        fmt_cef_header_value(b, name, n);
    else if (etype)
        fmt_cef_header_value(b, etype, etype_n);
    fbuf_printf(b, "|%d|", fmt_cef_severity(ev));
    /* the extension follows one space, as most producers write it: the
     * specification's examples have none, but liblognorm's cef parser
     * (rsyslog mmnormalize) drops the first character of the first key
     * without it, and the other parsers we know skip the space */
    long long ms;
    if (event_ms(ev, &ms))
        fbuf_printf(b, " rt=%lld", ms);
    cef_kvs(b, "dvchost", ev, "sensor", NULL);
    cef_kvs(b, "src", ev, "src_ip", NULL);
    cef_kvi(b, "spt", ev, "src_port", NULL);
    cef_kvs(b, "dst", ev, "dest_ip", NULL);
    cef_kvi(b, "dpt", ev, "dest_port", NULL);
    cef_kvs(b, "proto", ev, "proto", NULL);
    cef_kvs(b, "app", ev, "app_proto", NULL);
    cef_kvs(b, "smac", ev, "ether", "src_mac");
    cef_kvs(b, "dmac", ev, "ether", "dest_mac");
    long long flow;
    if (int_at(ev, "flow_id", NULL, &flow))
        fbuf_printf(b, " cn1Label=flowId cn1=%lld", flow);
    if (alert) {
        cef_kvs(b, "cat", ev, "alert", "category");
        cef_kvs(b, "act", ev, "alert", "action");
        cef_kvs(b, "msg", ev, "alert", "signature");
        const char *kind = str_at(ev, "alert", "kind", &n);
        if (kind) {
            fbuf_puts(b, " cs1Label=kind");
            cef_kv(b, "cs1", kind, n);
        }
        const json_t *md = json_object_get(json_object_get(ev, "alert"), "metadata");
        struct fbuf tmp = {0};
        joined(&tmp, json_object_get(md, "mitre_attack"));
        if (tmp.len) {
            fbuf_puts(b, " cs2Label=mitreAttack");
            cef_kv(b, "cs2", tmp.p, tmp.len);
        }
        joined(&tmp, json_object_get(md, "mitre_tactic"));
        if (tmp.len) {
            fbuf_puts(b, " cs3Label=mitreTactic");
            cef_kv(b, "cs3", tmp.p, tmp.len);
        }
        fbuf_free(&tmp);
        const char *source = str_at(ev, "alert", "source", &n);
        if (source) {
            fbuf_puts(b, " cs4Label=source");
            cef_kv(b, "cs4", source, n);
        }
        long long count;
        if (int_at(ev, "alert", "count", &count))
            fbuf_printf(b, " cnt=%lld", count);
    } else if (etype) {
        cef_kv(b, "cat", etype, etype_n);
    }
}

/* ---------------------------------------------------------------- LEEF */

static void leef_kv(struct fbuf *b, bool *first, const char *key, const char *v, size_t n)
{
    if (!v)
        return;
    if (!*first)
        putc1(b, '\t');
    *first = false;
    fbuf_puts(b, key);
    putc1(b, '=');
    fmt_leef_value(b, v, n);
}

static void leef_kvs(struct fbuf *b, bool *first, const char *key, const json_t *ev, const char *a,
                     const char *c)
{
    size_t n = 0;
    const char *v = str_at(ev, a, c, &n);
    leef_kv(b, first, key, v, n);
}

static void leef_kvi(struct fbuf *b, bool *first, const char *key, const json_t *ev, const char *a,
                     const char *c)
{
    long long v;
    if (!int_at(ev, a, c, &v))
        return;
    char num[32];
    int n = snprintf(num, sizeof(num), "%lld", v);
    leef_kv(b, first, key, num, (size_t)n);
}

static void fmt_leef(struct fbuf *b, const json_t *ev)
{
    bool alert = is_alert(ev);
    size_t n = 0;
    fbuf_puts(b, "LEEF:2.0|otsensor|otsensor|");
    fmt_leef_header_value(b, PACKAGE_VERSION, strlen(PACKAGE_VERSION));
    putc1(b, '|');
    const char *etype = str_at(ev, "event_type", NULL, &n);
    size_t etype_n = n;
    long long sid;
    if (alert && int_at(ev, "alert", "signature_id", &sid))
        fbuf_printf(b, "%lld", sid);
    else if (etype)
        fmt_leef_header_value(b, etype, etype_n);
    /* the attribute delimiter, tab, as LEEF 2.0's hex form */
    fbuf_puts(b, "|x09|");
    bool first = true;
    long long ms;
    if (event_ms(ev, &ms)) {
        char num[32];
        int k = snprintf(num, sizeof(num), "%lld", ms);
        leef_kv(b, &first, "devTime", num, (size_t)k);
        leef_kv(b, &first, "devTimeFormat", "epoch", 5);
    }
    leef_kvs(b, &first, "src", ev, "src_ip", NULL);
    leef_kvi(b, &first, "srcPort", ev, "src_port", NULL);
    leef_kvs(b, &first, "dst", ev, "dest_ip", NULL);
    leef_kvi(b, &first, "dstPort", ev, "dest_port", NULL);
    leef_kvs(b, &first, "proto", ev, "proto", NULL);
    leef_kvs(b, &first, "srcMAC", ev, "ether", "src_mac");
    leef_kvs(b, &first, "dstMAC", ev, "ether", "dest_mac");
    char sev[8];
    int k = snprintf(sev, sizeof(sev), "%d", fmt_cef_severity(ev));
    leef_kv(b, &first, "sev", sev, (size_t)k);
    leef_kvs(b, &first, "sensor", ev, "sensor", NULL);
    leef_kvs(b, &first, "appProto", ev, "app_proto", NULL);
    leef_kvi(b, &first, "flowId", ev, "flow_id", NULL);
    if (alert) {
        leef_kvs(b, &first, "cat", ev, "alert", "category");
        leef_kvs(b, &first, "kind", ev, "alert", "kind");
        leef_kvs(b, &first, "signature", ev, "alert", "signature");
        leef_kvs(b, &first, "action", ev, "alert", "action");
        leef_kvs(b, &first, "source", ev, "alert", "source");
        const json_t *md = json_object_get(json_object_get(ev, "alert"), "metadata");
        struct fbuf tmp = {0};
        joined(&tmp, json_object_get(md, "mitre_attack"));
        if (tmp.len)
            leef_kv(b, &first, "mitreAttack", tmp.p, tmp.len);
        joined(&tmp, json_object_get(md, "mitre_tactic"));
        if (tmp.len)
            leef_kv(b, &first, "mitreTactic", tmp.p, tmp.len);
        fbuf_free(&tmp);
        leef_kvi(b, &first, "count", ev, "alert", "count");
    } else if (etype) {
        leef_kv(b, &first, "cat", etype, etype_n);
    }
}

void fmt_payload(struct fbuf *b, enum syslog_format f, const json_t *ev, const char *json,
                 size_t len)
{
    switch (f) {
        case SYSLOG_FMT_JSON: fbuf_put(b, json, len); break;
        case SYSLOG_FMT_CEF: fmt_cef(b, ev); break;
        case SYSLOG_FMT_LEEF: fmt_leef(b, ev); break;
    }
}

/* ---------------------------------------------------------------- header */

/* RFC 5424 section 6: PRINTUSASCII only, bounded length, "-" when empty */
static void header_token(struct fbuf *b, const char *s, size_t max)
{
    size_t n = 0;
    for (; s && s[n] && n < max; n++)
        putc1(b, s[n] > 32 && s[n] < 127 ? s[n] : '_');
    if (n == 0)
        putc1(b, '-');
}

static void sd_param(struct fbuf *b, const char *name, const char *v)
{
    if (!v[0])
        return;
    fbuf_printf(b, " %s=\"", name);
    fmt_sd_value(b, v, strlen(v));
    putc1(b, '"');
}

static void copy_str(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
    /* an embedded NUL (\u0000) ends it: header values are C strings */
}

void fmt_fields_from_json(struct syslog_fields *f, const json_t *ev)
{
    memset(f, 0, sizeof(*f));
    size_t n;
    const char *v;
    if ((v = str_at(ev, "event_type", NULL, &n)))
        copy_str(f->event_type, sizeof(f->event_type), v, n);
    if ((v = str_at(ev, "sensor", NULL, &n)))
        copy_str(f->sensor, sizeof(f->sensor), v, n);
    f->has_flow = int_at(ev, "flow_id", NULL, &f->flow_id);
    f->alert = is_alert(ev);
    if (f->alert) {
        f->has_sid = int_at(ev, "alert", "signature_id", &f->sid);
        f->has_rev = int_at(ev, "alert", "rev", &f->rev);
        f->has_sev = int_at(ev, "alert", "severity", &f->sev);
        if ((v = str_at(ev, "alert", "kind", &n)))
            copy_str(f->kind, sizeof(f->kind), v, n);
    }
}

/* ---------------------------------------------------------------- scanner */

struct scan {
    const char *p;
    const char *end;
};

static void ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* A string at p: its raw content in [*a, *b); -1 if not a string.  escaped
 * says whether it held a backslash. */
static int scan_string(struct scan *s, const char **a, const char **b, bool *escaped)
{
    if (s->p >= s->end || *s->p != '"')
        return -1;
    s->p++;
    *a = s->p;
    *escaped = false;
    while (s->p < s->end && *s->p != '"') {
        if (*s->p == '\\') {
            *escaped = true;
            s->p++;
        }
        s->p++;
    }
    if (s->p >= s->end)
        return -1;
    *b = s->p++;
    return 0;
}

/* Skips one value of any kind (bounded nesting). */
static int skip_value(struct scan *s)
{
    int depth = 0;
    do {
        ws(s);
        if (s->p >= s->end)
            return -1;
        char c = *s->p;
        if (c == '"') {
            const char *a, *b;
            bool e;
            if (scan_string(s, &a, &b, &e) != 0)
                return -1;
        } else if (c == '{' || c == '[') {
            if (++depth > 64)
                return -1;
            s->p++;
            continue;
        } else if (c == '}' || c == ']') {
            depth--;
            s->p++;
        } else if (c == ',' || c == ':') {
            s->p++;
            continue;
        } else {
            while (s->p < s->end && *s->p != ',' && *s->p != '}' && *s->p != ']')
                s->p++;
        }
    } while (depth > 0);
    return 0;
}

static int scan_int(struct scan *s, long long *out)
{
    char *e;
    char tmp[32];
    size_t n = 0;
    while (s->p + n < s->end && n < sizeof(tmp) - 1 &&
           (s->p[n] == '-' || (s->p[n] >= '0' && s->p[n] <= '9')))
        n++;
    if (n == 0)
        return -1;
    memcpy(tmp, s->p, n);
    tmp[n] = '\0';
    *out = strtoll(tmp, &e, 10);
    s->p += n;
    return 0;
}

static bool key_is(const char *a, const char *b, const char *k)
{
    return (size_t)(b - a) == strlen(k) && memcmp(a, k, (size_t)(b - a)) == 0;
}

/* The members of the object at p: f_top for the event, else the alert's. */
static int scan_object(struct scan *s, struct syslog_fields *f, bool top)
{
    ws(s);
    if (s->p >= s->end || *s->p != '{')
        return -1;
    s->p++;
    for (;;) {
        ws(s);
        if (s->p < s->end && *s->p == '}') {
            s->p++;
            return 0;
        }
        const char *ka, *kb, *va, *vb;
        bool esc;
        if (scan_string(s, &ka, &kb, &esc) != 0 || esc)
            return -1;
        ws(s);
        if (s->p >= s->end || *s->p != ':')
            return -1;
        s->p++;
        ws(s);
        char *str = NULL;
        size_t cap = 0;
        long long *num = NULL;
        bool *has = NULL;
        if (top && key_is(ka, kb, "event_type"))
            str = f->event_type, cap = sizeof(f->event_type);
        else if (top && key_is(ka, kb, "sensor"))
            str = f->sensor, cap = sizeof(f->sensor);
        else if (top && key_is(ka, kb, "flow_id"))
            num = &f->flow_id, has = &f->has_flow;
        else if (!top && key_is(ka, kb, "kind"))
            str = f->kind, cap = sizeof(f->kind);
        else if (!top && key_is(ka, kb, "signature_id"))
            num = &f->sid, has = &f->has_sid;
        else if (!top && key_is(ka, kb, "rev"))
            num = &f->rev, has = &f->has_rev;
        else if (!top && key_is(ka, kb, "severity"))
            num = &f->sev, has = &f->has_sev;
        if (str) {
            if (scan_string(s, &va, &vb, &esc) != 0 || esc)
                return -1;
            copy_str(str, cap, va, (size_t)(vb - va));
        } else if (num) {
            if (scan_int(s, num) != 0)
                return -1;
            *has = true;
        } else if (top && key_is(ka, kb, "alert") && s->p < s->end && *s->p == '{') {
            if (scan_object(s, f, false) != 0)
                return -1;
        } else if (skip_value(s) != 0) {
            return -1;
        }
        ws(s);
        if (s->p < s->end && *s->p == ',')
            s->p++;
    }
}

int fmt_fields_scan(struct syslog_fields *f, const char *json, size_t len)
{
    memset(f, 0, sizeof(*f));
    struct scan s = {json, json + len};
    if (scan_object(&s, f, true) != 0)
        return -1;
    f->alert = strcmp(f->event_type, "alert") == 0;
    return 0;
}

static int severity_of(const struct syslog_fields *f)
{
    if (!f->alert || !f->has_sev)
        return 6;
    return f->sev == 1 ? 2 : f->sev == 2 ? 3 : 4;
}

void fmt_syslog_header_fields(struct fbuf *b, const struct syslog_hdr_opts *o,
                              const struct syslog_fields *f, uint64_t now_usec)
{
    int pri = o->facility * 8 + severity_of(f);
    time_t sec = (time_t)(now_usec / 1000000);
    if (o->header == SYSLOG_HDR_RFC3164) {
        /* "<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[pid]: " in local time */
        struct tm tm;
        localtime_r(&sec, &tm);
        char ts[32];
        strftime(ts, sizeof(ts), "%b %e %H:%M:%S", &tm);
        fbuf_printf(b, "<%d>%s ", pri, ts);
        if (!o->local) {
            header_token(b, o->hostname, 255);
            putc1(b, ' ');
        }
        fbuf_printf(b, "%s[%ld]: ", o->app, o->pid);
        return;
    }
    /* "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] " */
    struct tm tm;
    gmtime_r(&sec, &tm);
    char ts[40];
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    fbuf_printf(b, "<%d>1 %s.%06uZ ", pri, ts, (unsigned)(now_usec % 1000000));
    header_token(b, o->hostname, 255);
    putc1(b, ' ');
    header_token(b, o->app, 48);
    fbuf_printf(b, " %ld ", o->pid);
    header_token(b, f->event_type, 32);
    /* SD-ID with the private enterprise number reserved for documentation
     * (RFC 5612): ids of the sensor, the event and the alert */
    fbuf_puts(b, " [otsensor@32473");
    sd_param(b, "sensor", f->sensor);
    sd_param(b, "event_type", f->event_type);
    if (f->has_flow)
        fbuf_printf(b, " flow_id=\"%lld\"", f->flow_id);
    if (f->alert) {
        if (f->has_sid)
            fbuf_printf(b, " signature_id=\"%lld\"", f->sid);
        if (f->has_rev)
            fbuf_printf(b, " rev=\"%lld\"", f->rev);
        if (f->has_sev)
            fbuf_printf(b, " severity=\"%lld\"", f->sev);
        sd_param(b, "kind", f->kind);
    }
    fbuf_puts(b, "] ");
}

void fmt_syslog_header(struct fbuf *b, const struct syslog_hdr_opts *o, const json_t *ev,
                       uint64_t now_usec)
{
    struct syslog_fields f;
    fmt_fields_from_json(&f, ev);
    fmt_syslog_header_fields(b, o, &f, now_usec);
}
