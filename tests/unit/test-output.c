/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests of the output side: the CEF, LEEF and RFC 5424
 * formatters against their escaping rules with hostile strings (pipes,
 * backslashes, equals signs, line breaks, control and non-UTF-8 bytes from
 * the wire), read back by a parser written from the specifications; the
 * spool (records, acknowledgement, a torn tail, reopening); a live
 * worker's full queue sending alerts through the overflow spool, in order;
 * and events written in place in the queue. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "jsonw.h"
#include "output-private.h"
#include "unit.h"

/* The wire held: a pipe, a backslash, an equals sign, CR LF, a NUL, an ESC,
 * a tab and the non-UTF-8 bytes 0xff 0xfe (which the engine writes as
 * \u00ff \u00fe). */
static const char hostile_json[] =
    "{\"timestamp\":\"2024-01-15T10:00:00.250000+0000\",\"flow_id\":42,\"sensor\":\"pl|ant\\\\1\","
    "\"event_type\":\"alert\",\"src_ip\":\"10.0.0.1\",\"src_port\":40000,\"dest_ip\":\"10.0.0.2\","
    "\"dest_port\":502,\"proto\":\"TCP\",\"app_proto\":\"modbus\","
    "\"alert\":{\"action\":\"allowed\",\"kind\":\"rule\",\"signature_id\":1000001,\"rev\":1,"
    "\"signature\":\"a|b\\\\c=d\\r\\ne\\u0000f\\u001bg\\th\\u00ff\\u00fe]\\\"\","
    "\"category\":\"x=y\",\"severity\":1,\"source\":\"rule\","
    "\"metadata\":{\"mitre_attack\":[\"T0843\",\"T0845\"],\"mitre_tactic\":[]}}}";

/* What the signature must read as once a format is undone: the format's
 * own escapes restored, every other control character a space. */
static const char sig_cef_ext[] = "a|b\\c=d\r\ne f g h\xc3\xbf\xc3\xbe]\"";
static const char sig_header[] = "a|b\\c=d  e f g h\xc3\xbf\xc3\xbe]\"";
static const char sig_leef[] = "a|b\\c=d  e f g h\xc3\xbf\xc3\xbe]\"";

static json_t *hostile(void)
{
    return json_loads(hostile_json, JSON_ALLOW_NUL, NULL);
}

static bool has_raw_control(const char *s, size_t n, char allowed)
{
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] < 0x20 && s[i] != allowed) || s[i] == 0x7f)
            return true;
    return false;
}

/* CEF, from the specification: seven header fields split on unescaped '|'
 * (escapes \| and \\), then "key=value" pairs where a value runs to the
 * next " key=" (escapes \= \\ \n \r). */
struct cef {
    char hdr[7][512];
    int n_ext;
    char key[32][64];
    char val[32][512];
};

static int cef_parse(const char *s, struct cef *c)
{
    memset(c, 0, sizeof(*c));
    int f = 0;
    size_t o = 0;
    const char *p = s;
    while (*p && f < 7) {
        if (*p == '\\' && (p[1] == '|' || p[1] == '\\')) {
            c->hdr[f][o++] = p[1];
            p += 2;
        } else if (*p == '|') {
            c->hdr[f][o] = '\0';
            f++;
            o = 0;
            p++;
        } else {
            c->hdr[f][o++] = *p++;
        }
        if (o >= 511)
            return -1;
    }
    if (f != 7)
        return -1;
    if (*p == ' ')
        p++; /* one space may lead the extension */
    /* extension */
    while (*p) {
        size_t kl = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
        if (kl == 0 || p[kl] != '=' || c->n_ext >= 32)
            return -2;
        snprintf(c->key[c->n_ext], 64, "%.*s", (int)kl, p);
        p += kl + 1;
        o = 0;
        char *v = c->val[c->n_ext];
        for (;;) {
            if (*p == '\0')
                break;
            if (*p == '\\' && (p[1] == '=' || p[1] == '\\')) {
                v[o++] = p[1];
                p += 2;
                continue;
            }
            if (*p == '\\' && (p[1] == 'n' || p[1] == 'r')) {
                v[o++] = p[1] == 'n' ? '\n' : '\r';
                p += 2;
                continue;
            }
            if (*p == '=')
                return -3; /* an unescaped '=' inside a value */
            if (*p == ' ') {
                /* a new key starts here? */
                size_t k2 = strspn(
                    p + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
                if (k2 && p[1 + k2] == '=') {
                    p++;
                    break;
                }
            }
            v[o++] = *p++;
            if (o >= 511)
                return -4;
        }
        v[o] = '\0';
        c->n_ext++;
    }
    return 0;
}

static const char *cef_get(const struct cef *c, const char *key)
{
    for (int i = 0; i < c->n_ext; i++)
        if (strcmp(c->key[i], key) == 0)
            return c->val[i];
    return NULL;
}

static int test_cef_hostile(void)
{
    json_t *ev = hostile();
    FAIL_IF_NOT(ev);
    struct fbuf b = {0};
    fmt_payload(&b, SYSLOG_FMT_CEF, ev, hostile_json, strlen(hostile_json));
    FAIL_IF(has_raw_control(b.p, b.len, 0));
    struct cef c;
    FAIL_IF_NOT(cef_parse(b.p, &c) == 0);
    FAIL_IF_NOT(strcmp(c.hdr[0], "CEF:0") == 0);
    FAIL_IF_NOT(strcmp(c.hdr[1], "otsensor") == 0);
    FAIL_IF_NOT(strcmp(c.hdr[4], "1000001") == 0);
    FAIL_IF_NOT(strcmp(c.hdr[5], sig_header) == 0);
    FAIL_IF_NOT(strcmp(c.hdr[6], "9") == 0); /* severity 1 -> 9 of 10 */
    FAIL_IF_NOT(cef_get(&c, "msg") && strcmp(cef_get(&c, "msg"), sig_cef_ext) == 0);
    FAIL_IF_NOT(cef_get(&c, "dvchost") && strcmp(cef_get(&c, "dvchost"), "pl|ant\\1") == 0);
    FAIL_IF_NOT(cef_get(&c, "cat") && strcmp(cef_get(&c, "cat"), "x=y") == 0);
    FAIL_IF_NOT(cef_get(&c, "src") && strcmp(cef_get(&c, "src"), "10.0.0.1") == 0);
    FAIL_IF_NOT(cef_get(&c, "dpt") && strcmp(cef_get(&c, "dpt"), "502") == 0);
    FAIL_IF_NOT(cef_get(&c, "rt") && strcmp(cef_get(&c, "rt"), "1705312800250") == 0);
    FAIL_IF_NOT(cef_get(&c, "cs2") && strcmp(cef_get(&c, "cs2"), "T0843,T0845") == 0);
    FAIL_IF_NOT(cef_get(&c, "cn1") && strcmp(cef_get(&c, "cn1"), "42") == 0);
    fbuf_free(&b);
    json_decref(ev);
    PASS;
}

static int test_cef_escapes(void)
{
    struct fbuf b = {0};
    fmt_cef_header_value(&b, "a|b\\c=d\ne", 9);
    FAIL_IF_NOT(strcmp(b.p, "a\\|b\\\\c=d e") == 0);
    fbuf_reset(&b);
    fmt_cef_ext_value(&b, "a|b\\c=d\ne\rf\tg", 13);
    FAIL_IF_NOT(strcmp(b.p, "a|b\\\\c\\=d\\ne\\rf g") == 0);
    fbuf_reset(&b);
    fmt_cef_ext_value(&b, "", 0);
    FAIL_IF_NOT(b.len == 0);
    fbuf_free(&b);
    PASS;
}

static int test_leef_hostile(void)
{
    json_t *ev = hostile();
    FAIL_IF_NOT(ev);
    struct fbuf b = {0};
    fmt_payload(&b, SYSLOG_FMT_LEEF, ev, hostile_json, strlen(hostile_json));
    FAIL_IF(has_raw_control(b.p, b.len, '\t'));
    /* LEEF:2.0|vendor|product|version|eventid|delimiter|attributes */
    FAIL_IF_NOT(strncmp(b.p, "LEEF:2.0|otsensor|otsensor|", 27) == 0);
    const char *p = strstr(b.p, "|1000001|x09|");
    FAIL_IF_NOT(p);
    p += strlen("|1000001|x09|");
    /* the attributes split on tab, each at its first '=' */
    bool saw_sig = false, saw_sensor = false, saw_sev = false;
    char *copy = strdup(p);
    for (char *save, *a = strtok_r(copy, "\t", &save); a; a = strtok_r(NULL, "\t", &save)) {
        char *eq = strchr(a, '=');
        FAIL_IF_NOT(eq);
        *eq = '\0';
        if (strcmp(a, "signature") == 0)
            saw_sig = strcmp(eq + 1, sig_leef) == 0;
        if (strcmp(a, "sensor") == 0)
            saw_sensor = strcmp(eq + 1, "pl|ant\\1") == 0;
        if (strcmp(a, "sev") == 0)
            saw_sev = strcmp(eq + 1, "9") == 0;
    }
    free(copy);
    FAIL_IF_NOT(saw_sig && saw_sensor && saw_sev);
    fbuf_reset(&b);
    fmt_leef_header_value(&b, "v|1\\2", 5);
    FAIL_IF_NOT(strcmp(b.p, "v\\|1\\\\2") == 0);
    fbuf_free(&b);
    json_decref(ev);
    PASS;
}

static int test_rfc5424(void)
{
    json_t *ev = hostile();
    FAIL_IF_NOT(ev);
    struct fbuf b = {0};
    struct syslog_hdr_opts o = {SYSLOG_HDR_RFC5424, 16, "host name", "otsensor", 77, false};
    fmt_syslog_header(&b, &o, ev, 1705312800250000ULL);
    /* local0 (16) * 8 + critical (2) */
    FAIL_IF_NOT(strncmp(b.p,
                        "<130>1 2024-01-15T10:00:00.250000Z host_name otsensor 77 alert "
                        "[otsensor@32473 sensor=\"pl|ant\\\\1\" event_type=\"alert\" "
                        "flow_id=\"42\" signature_id=\"1000001\" rev=\"1\" severity=\"1\" "
                        "kind=\"rule\"] ",
                        b.len) == 0);
    fbuf_reset(&b);
    fmt_sd_value(&b, "a\"b]c\\d\n", 8);
    FAIL_IF_NOT(strcmp(b.p, "a\\\"b\\]c\\\\d ") == 0);
    fbuf_reset(&b);
    o.header = SYSLOG_HDR_RFC3164;
    o.local = true;
    fmt_syslog_header(&b, &o, ev, 1705312800250000ULL);
    FAIL_IF_NOT(strncmp(b.p, "<130>", 5) == 0);
    FAIL_IF_NOT(strstr(b.p, " otsensor[77]: ") != NULL);
    FAIL_IF(strstr(b.p, "host_name") != NULL); /* the local socket takes no hostname */
    fbuf_free(&b);
    json_decref(ev);
    PASS;
}

/* The scanner that spares the JSON payload a jansson document reads the
 * same fields as jansson, and hands over to it when a string is escaped. */
static int test_fields_scan(void)
{
    static const char plain[] =
        "{\"timestamp\":\"2024-01-15T10:00:00.250000+0000\",\"flow_id\":42,\"sensor\":\"s1\","
        "\"event_type\":\"alert\",\"vlan\":[1,2],\"ether\":{\"src_mac\":\"a\"},"
        "\"alert\":{\"action\":\"allowed\",\"kind\":\"plc_stop\",\"signature_id\":7,\"rev\":2,"
        "\"signature\":\"x \\\"y\\\" "
        "{z}\",\"severity\":1,\"metadata\":{\"mitre_attack\":[\"T0881\"]}},"
        "\"s7comm\":{\"sensor\":\"not this one\",\"a\":[{\"b\":[]}]}}";
    struct syslog_fields a, b;
    FAIL_IF_NOT(fmt_fields_scan(&a, plain, strlen(plain)) == 0);
    json_t *ev = json_loads(plain, 0, NULL);
    FAIL_IF_NOT(ev);
    fmt_fields_from_json(&b, ev);
    json_decref(ev);
    FAIL_IF_NOT(memcmp(&a, &b, sizeof(a)) == 0);
    FAIL_IF_NOT(strcmp(a.sensor, "s1") == 0 && strcmp(a.kind, "plc_stop") == 0);
    FAIL_IF_NOT(a.alert && a.sid == 7 && a.rev == 2 && a.sev == 1 && a.flow_id == 42);
    /* an escaped sensor name: jansson's job */
    FAIL_IF_NOT(fmt_fields_scan(&a, hostile_json, strlen(hostile_json)) == -1);
    /* cut anywhere: never a crash, never a wrong answer taken as right */
    for (size_t n = 0; n < sizeof(plain) - 1; n++)
        FAIL_IF(fmt_fields_scan(&a, plain, n) == 0 && n < sizeof(plain) - 2);
    PASS;
}

static int test_severity(void)
{
    json_t *ev = json_loads("{\"event_type\":\"flow\"}", 0, NULL);
    FAIL_IF_NOT(fmt_syslog_severity(ev) == 6 && fmt_cef_severity(ev) == 0);
    json_decref(ev);
    ev = json_loads("{\"event_type\":\"alert\",\"alert\":{\"severity\":3}}", 0, NULL);
    FAIL_IF_NOT(fmt_syslog_severity(ev) == 4 && fmt_cef_severity(ev) == 3);
    json_decref(ev);
    ev = json_loads("{\"event_type\":\"alert\",\"alert\":{\"severity\":2}}", 0, NULL);
    FAIL_IF_NOT(fmt_syslog_severity(ev) == 3 && fmt_cef_severity(ev) == 6);
    json_decref(ev);
    PASS;
}

static char tmpdir[64];

static int test_spool(void)
{
    char path[128], note[256], err[256];
    snprintf(path, sizeof(path), "%s/t.spool", tmpdir);
    unlink(path);
    struct spool sp;
    FAIL_IF_NOT(
        spool_open(&sp, path, 1 << 20, CONF_FSYNC_NONE, note, sizeof(note), err, sizeof(err)) == 0);
    FAIL_IF_NOT(spool_append(&sp, EV_ALERT, "one", 3) == 0);
    FAIL_IF_NOT(spool_append(&sp, EV_FLOW, "two!", 4) == 0);
    FAIL_IF_NOT(spool_append(&sp, EV_ALERT, "three", 5) == 0);
    uint32_t t;
    uint8_t *d;
    size_t l;
    uint64_t end;
    FAIL_IF_NOT(spool_read(&sp, &t, &d, &l, &end) == 1);
    FAIL_IF_NOT(t == EV_ALERT && l == 3 && memcmp(d, "one", 3) == 0);
    free(d);
    spool_ack(&sp, end);
    spool_close(&sp);
    /* a torn record at the end (a crash mid-write) is cut on open */
    int fd = open(path, O_WRONLY | O_APPEND);
    FAIL_IF(fd < 0);
    FAIL_IF_NOT(write(fd, "\x20\x00\x00\x00junk", 8) == 8);
    close(fd);
    FAIL_IF_NOT(
        spool_open(&sp, path, 1 << 20, CONF_FSYNC_NONE, note, sizeof(note), err, sizeof(err)) == 0);
    FAIL_IF_NOT(strstr(note, "torn") != NULL);
    FAIL_IF_NOT(sp.events == 2); /* "one" was acknowledged before the restart */
    FAIL_IF_NOT(spool_read(&sp, &t, &d, &l, &end) == 1);
    FAIL_IF_NOT(t == EV_FLOW && l == 4 && memcmp(d, "two!", 4) == 0);
    free(d);
    spool_ack(&sp, end);
    FAIL_IF_NOT(spool_read(&sp, &t, &d, &l, &end) == 1);
    FAIL_IF_NOT(l == 5 && memcmp(d, "three", 5) == 0);
    free(d);
    FAIL_IF_NOT(spool_read(&sp, &t, &d, &l, &end) == 0);
    spool_ack(&sp, end);
    FAIL_IF_NOT(sp.size == SPOOL_HDR); /* all delivered: the file starts again */
    /* bounded: a record that does not fit is refused */
    sp.max_bytes = 64;
    FAIL_IF_NOT(spool_append(&sp, EV_ALERT, "0123456789012345678901234567890123456789", 40) == 0);
    FAIL_IF_NOT(spool_append(&sp, EV_ALERT, "0123456789012345678901234567890123456789", 40) == -1);
    spool_close(&sp);
    /* a damaged checksum is refused too */
    fd = open(path, O_RDWR);
    FAIL_IF(fd < 0);
    FAIL_IF_NOT(pwrite(fd, "X", 1, SPOOL_HDR + SPOOL_REC_HDR + 3) == 1);
    close(fd);
    FAIL_IF_NOT(
        spool_open(&sp, path, 1 << 20, CONF_FSYNC_NONE, note, sizeof(note), err, sizeof(err)) == 0);
    FAIL_IF_NOT(sp.events == 0 && sp.size == SPOOL_HDR);
    spool_close(&sp);
    unlink(path);
    PASS;
}

/* A sink that keeps up without ever catching up: the delivered head of the
 * file is cut off (compaction) while reading and acknowledging go on. */
static int test_spool_compact(void)
{
    char path[128], note[256], err[256];
    snprintf(path, sizeof(path), "%s/c.spool", tmpdir);
    unlink(path);
    struct spool sp;
    FAIL_IF_NOT(spool_open(&sp, path, 64u << 20, CONF_FSYNC_NONE, note, sizeof(note), err,
                           sizeof(err)) == 0);
    static char rec[1 << 20];
    for (int i = 0; i < 20; i++) {
        memset(rec, 'a' + i, sizeof(rec));
        FAIL_IF_NOT(spool_append(&sp, EV_ALERT, rec, sizeof(rec)) == 0);
    }
    uint32_t t;
    const uint8_t *d;
    size_t l;
    uint64_t end;
    for (int i = 0; i < 18; i++) {
        FAIL_IF_NOT(spool_read_borrow(&sp, &t, &d, &l, &end) == 1);
        FAIL_IF_NOT(l == sizeof(rec) && d[0] == 'a' + i && d[l - 1] == 'a' + i);
        spool_ack(&sp, end);
    }
    FAIL_IF_NOT(sp.shift > 0);                                  /* compacted */
    FAIL_IF_NOT(lseek(sp.fd, 0, SEEK_END) < (off_t)(5u << 20)); /* was 20 MB */
    /* appending and reading go on across it */
    memset(rec, 'z', sizeof(rec));
    FAIL_IF_NOT(spool_append(&sp, EV_FLOW, rec, 100) == 0);
    for (int i = 18; i < 20; i++) {
        FAIL_IF_NOT(spool_read_borrow(&sp, &t, &d, &l, &end) == 1);
        FAIL_IF_NOT(l == sizeof(rec) && d[0] == 'a' + i);
    }
    spool_ack(&sp, end);
    spool_close(&sp);
    /* a restart sees just the undelivered one */
    FAIL_IF_NOT(spool_open(&sp, path, 64u << 20, CONF_FSYNC_NONE, note, sizeof(note), err,
                           sizeof(err)) == 0);
    FAIL_IF_NOT(sp.events == 1);
    FAIL_IF_NOT(spool_read_borrow(&sp, &t, &d, &l, &end) == 1);
    FAIL_IF_NOT(t == EV_FLOW && l == 100 && d[0] == 'z');
    spool_ack(&sp, end);
    spool_close(&sp);
    FAIL_IF(access(path, F_OK) == 0); /* empty: no file left */
    PASS;
}

/* An output writing every event type to a fresh tmpdir/eve.json (path),
 * its spool in tmpdir; the thread is not started. */
static int eve_output(struct output *o, struct conf *c, char path[128])
{
    char err[256];
    conf_defaults(c);
    snprintf(c->spool_dir, sizeof(c->spool_dir), "%s", tmpdir);
    memset(o, 0, sizeof(*o));
    output_init(o, c, tmpdir);
    snprintf(path, 128, "%s/eve.json", tmpdir);
    unlink(path);
    return output_open_eve(o, path, EV_ALL, err, sizeof(err));
}

/* A live worker (no waiting) whose queue is full: alerts go to the overflow
 * spool and reach the EVE file after what was queued, in order; other
 * events are dropped and counted. */
static int test_overflow(void)
{
    static struct conf c;
    static struct output o;
    char path[128], err[256];
    FAIL_IF_NOT(eve_output(&o, &c, path) == 0);
    struct output_queue *q = output_queue_new(&o, 1 << 16, false);
    FAIL_IF_NOT(q && q->ovf_fd >= 0);
    /* the thread is not running yet: the queue fills */
    char line[1024];
    int alerts = 0;
    for (int i = 0; i < 400; i++) {
        bool alert = i % 3 == 0;
        int n = snprintf(line, sizeof(line), "{\"event_type\":\"%s\",\"n\":%d,\"pad\":\"%0900d\"}",
                         alert ? "alert" : "flow", i, 0);
        output_write(q, alert ? EV_ALERT : EV_FLOW, line, (size_t)n);
        alerts += alert;
    }
    FAIL_IF_NOT(atomic_load(&q->ovf_events) > 0);
    FAIL_IF_NOT(atomic_load(&q->dropped[EV_FLOW]) > 0);
    FAIL_IF_NOT(atomic_load(&q->dropped[EV_ALERT]) == 0);
    FAIL_IF_NOT(output_start(&o, err, sizeof(err)) == 0);
    FAIL_IF_NOT(output_stop(&o) == 0);
    FILE *f = fopen(path, "r");
    FAIL_IF_NOT(f);
    int seen_alerts = 0, last = -1;
    bool ordered = true;
    static char buf[4096];
    while (fgets(buf, sizeof(buf), f)) {
        int n;
        if (sscanf(buf, "{\"event_type\":\"alert\",\"n\":%d", &n) == 1) {
            ordered &= n > last;
            last = n;
            seen_alerts++;
        }
    }
    fclose(f);
    FAIL_IF_NOT(seen_alerts == alerts);
    FAIL_IF_NOT(ordered);
    unlink(path);
    PASS;
}

/* The ring lends the room of its next record: where the last one ended
 * when enough is left before the end, else at the start (the rest is
 * skipped), never over records not consumed yet. */
static int test_spsc_slot(void)
{
    static uint8_t mem[4096];
    struct spsc r = {.cap = sizeof(mem), .buf = mem};
    size_t room;
    uint8_t *s = spsc_slot(&r, 3000, &room);
    FAIL_IF_NOT(s == mem + SPSC_HDR && room == sizeof(mem) - SPSC_HDR);
    memset(s, 'a', 3000);
    spsc_commit(&r, s, 1, 3000);         /* 3008 bytes: 1088 left before the end */
    FAIL_IF(spsc_slot(&r, 2000, &room)); /* the start is not consumed yet */
    s = spsc_slot(&r, 500, &room);
    FAIL_IF_NOT(s == mem + 3008 + SPSC_HDR && room == 1088 - SPSC_HDR);
    uint32_t type;
    const uint8_t *data;
    size_t len;
    FAIL_IF_NOT(spsc_peek(&r, &type, &data, &len) && type == 1 && len == 3000 && data[2999] == 'a');
    spsc_pop(&r, len);
    s = spsc_slot(&r, 2000, &room);
    FAIL_IF_NOT(s == mem + SPSC_HDR && room == 3008 - SPSC_HDR);
    memset(s, 'b', 2000);
    spsc_commit(&r, s, 2, 2000);
    FAIL_IF_NOT(spsc_peek(&r, &type, &data, &len) && type == 2 && len == 2000 && data == s);
    spsc_pop(&r, len);
    FAIL_IF_NOT(spsc_used(&r) == 0);
    /* push, on the same rules */
    FAIL_IF_NOT(spsc_push(&r, 3, "xyz", 3));
    FAIL_IF_NOT(spsc_peek(&r, &type, &data, &len) && type == 3 && len == 3 &&
                data == mem + 2008 + SPSC_HDR);
    PASS;
}

/* Events written in place in a replay worker's queue (output_lend,
 * output_commit) while the thread drains it: records around the ring's end
 * and ones larger than the room lent (they move to the writer's buffer and
 * are copied) all reach the EVE file, whole and in order. */
static int test_written_in_place(void)
{
    static struct conf c;
    static struct output o;
    char path[128], err[256];
    FAIL_IF_NOT(eve_output(&o, &c, path) == 0);
    struct output_queue *q = output_queue_new(&o, 1 << 16, true);
    FAIL_IF_NOT(q && output_start(&o, err, sizeof(err)) == 0);
    struct jsonw jw;
    FAIL_IF(jw_init(&jw, 1 << 17) != 0);
    static char pad[8000];
    memset(pad, 'x', sizeof(pad));
    int lent = 0, moved = 0, events = 2000;
    for (int i = 0; i < events; i++) {
        jw_reset(&jw);
        output_lend(q, &jw);
        bool in_queue = jw_lent(&jw);
        jw_obj_begin(&jw);
        jw_ku64(&jw, "n", (uint64_t)i);
        jw_key(&jw, "pad");
        jw_strn(&jw, pad, (size_t)i * 7919 % sizeof(pad));
        jw_obj_end(&jw);
        lent += in_queue;
        moved += in_queue && !jw_lent(&jw);
        if (jw_lent(&jw))
            output_commit(q, EV_FLOW, &jw);
        else
            output_write(q, EV_FLOW, jw.buf, jw.len);
    }
    jw_fini(&jw);
    FAIL_IF_NOT(output_stop(&o) == 0);
    FAIL_IF_NOT(lent > 0 && moved > 0);
    FILE *f = fopen(path, "r");
    FAIL_IF_NOT(f);
    static char buf[9000];
    int next = 0;
    while (fgets(buf, sizeof(buf), f)) {
        int n, at = 0;
        FAIL_IF_NOT(sscanf(buf, "{\"n\":%d,\"pad\":\"%n", &n, &at) == 1 && n == next);
        size_t want = (size_t)n * 7919 % sizeof(pad);
        FAIL_IF_NOT(strlen(buf) == (size_t)at + want + 3 && strcmp(buf + at + want, "\"}\n") == 0);
        next++;
    }
    fclose(f);
    FAIL_IF_NOT(next == events);
    unlink(path);
    PASS;
}

static const struct unit_test tests[] = {
    {"CEF: hostile strings survive the escaping and parse back", test_cef_hostile},
    {"CEF: header and extension escapes", test_cef_escapes},
    {"LEEF 2.0: hostile strings, tab-delimited attributes", test_leef_hostile},
    {"RFC 5424 header and structured data; RFC 3164 on the local socket", test_rfc5424},
    {"the header's field scanner agrees with jansson", test_fields_scan},
    {"severity mapping (syslog, CEF)", test_severity},
    {"spool: records, acknowledgement, torn tail, bound, bad checksum", test_spool},
    {"spool: compaction while a sink lags", test_spool_compact},
    {"a live worker's full queue: alerts through the overflow spool, in order", test_overflow},
    {"the ring lends the room of its next record, at its start when the end has too little",
     test_spsc_slot},
    {"events written in place in the queue, around its end and past the room lent",
     test_written_in_place},
    {NULL, NULL},
};

static int run(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/otsensor-test-output.XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    int n = 0, failed = 0;
    while (tests[n].name)
        n++;
    printf("1..%d\n", n);
    for (int i = 0; i < n; i++) {
        int r = tests[i].fn();
        printf("%s %d - %s\n", r ? "not ok" : "ok", i + 1, tests[i].name);
        failed += r != 0;
    }
    rmdir(tmpdir);
    return failed ? 1 : 0;
}

int main(void)
{
    return run();
}
