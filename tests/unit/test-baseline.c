/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests of libotbaseline through its public interface:
 * learning then detecting on synthetic polling traffic (no finding on more
 * of the same; each deviation its finding), auto-mode maturity, new devices
 * learning their own profile, caps and overflow, the file (round trip,
 * atomic write, damaged / newer files refused) and the review output. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "unit.h"

#define S 1000000ULL
#define T0 (1705312800ULL * S) /* 2024-01-15 10:00:00 UTC */

static int found[BL_A_COUNT];
static int n_found;
static int events[4];

static void on_finding(void *arg, struct bl_finding *f)
{
    (void)arg;
    found[f->kind]++;
    n_found++;
    if (getenv("TEST_VERBOSE")) {
        char *s = json_dumps(f->evidence, JSON_COMPACT);
        printf("# finding %s %s\n", bl_alert_kind(f->kind), s ? s : "");
        free(s);
    }
    json_decref(f->evidence);
}

static void on_device(void *arg, uint32_t dev, enum bl_dev_event why)
{
    (void)arg;
    (void)dev;
    events[why]++;
}

static const char *vendor_of(void *arg, const uint8_t mac[6])
{
    (void)arg;
    return mac[0] == 0x00 && mac[1] == 0x80 && mac[2] == 0xf4 ? "Telemecanique" : NULL;
}

static void reset_counts(void)
{
    memset(found, 0, sizeof(found));
    memset(events, 0, sizeof(events));
    n_found = 0;
}

static struct baseline *make(enum bl_mode mode)
{
    struct bl_config c;
    bl_config_defaults(&c);
    c.mode = mode;
    char err[BL_ERRBUF];
    struct baseline *b = bl_new(&c, err, sizeof(err));
    struct bl_hooks h = {NULL, on_finding, on_device, vendor_of, NULL};
    if (b)
        bl_set_hooks(b, &h);
    reset_counts();
    return b;
}

static struct bl_key ipkey(uint8_t last)
{
    struct bl_key k;
    memset(&k, 0, sizeof(k));
    k.ip[0] = 10;
    k.ip[3] = last;
    k.ip_version = 4;
    k.kind = BL_DEV_HOST;
    return k;
}

static void mac_of(uint8_t last, uint8_t mac[6])
{
    const uint8_t m[6] = {0x00, 0x80, 0xf4, 0x00, 0x00, last};
    memcpy(mac, m, 6);
}

struct net {
    uint32_t hmi, plc, conv;
};

static void msg_read(struct ot_msg *m, uint32_t fc, uint64_t start, uint32_t count)
{
    ot_msg_reset(m, OT_PROTO_MODBUS);
    m->dir = OT_DIR_REQUEST;
    m->pair = OT_PAIR_KEYED;
    ot_msg_set_function(m, fc, fc == 3 ? "read_holding_registers" : "read_coils", OT_OP_READ);
    m->has_unit = true;
    m->unit = 1;
    ot_msg_add_range(m, "holding_register", 4, start, count);
}

static void msg_write(struct ot_msg *m, uint32_t fc, uint64_t addr, double v)
{
    ot_msg_reset(m, OT_PROTO_MODBUS);
    m->dir = OT_DIR_REQUEST;
    m->pair = OT_PAIR_KEYED;
    ot_msg_set_function(m, fc, fc == 6 ? "write_single_register" : "write_multiple_registers",
                        OT_OP_WRITE);
    m->has_unit = true;
    m->unit = 1;
    ot_msg_add_range(m, "holding_register", 4, addr, 1);
    ot_msg_add_value(m, 4, addr, v);
}

static struct ot_msg msg; /* large: not on the stack */

/* One poll cycle: request and response packets, the read, now and then a write. */
static void cycle(struct baseline *b, struct net *n, uint64_t t, unsigned i)
{
    bl_packet(b, n->hmi, n->conv, true, 66, t);
    msg_read(&msg, 3, 0, 10);
    bl_msg(b, n->conv, false, &msg, t);
    bl_packet(b, n->plc, n->conv, false, 85, t + 2000);
    msg_read(&msg, 3, 0, 10);
    msg.dir = OT_DIR_RESPONSE;
    bl_msg(b, n->conv, true, &msg, t + 2000);
    if (i % 20 == 7) {
        static const double vals[] = {50, 55, 60};
        msg_write(&msg, 6, 100, vals[(i / 20) % 3]);
        bl_packet(b, n->hmi, n->conv, true, 66, t + 5 * S);
        bl_msg(b, n->conv, false, &msg, t + 5 * S);
    }
}

/* Deterministic jitter of a few percent around 60 s. */
static uint64_t period_at(unsigned i)
{
    return 60 * S + (uint64_t)((i * 7919U) % 5000U) * 1000 - 2500000;
}

static uint64_t run(struct baseline *b, struct net *n, uint64_t t, unsigned cycles, unsigned from)
{
    for (unsigned i = 0; i < cycles; i++) {
        cycle(b, n, t, from + i);
        bl_tick(b, t);
        t += period_at(from + i);
    }
    return t;
}

static void setup_net(struct baseline *b, struct net *n, uint64_t t)
{
    struct bl_key kh = ipkey(20), kp = ipkey(10);
    uint8_t mh[6], mp[6];
    mac_of(20, mh);
    mac_of(10, mp);
    bl_run_start(b, t);
    n->hmi = bl_device_get(b, &kh, t, true);
    n->plc = bl_device_get(b, &kp, t, false);
    bl_device_mac(b, n->hmi, mh, false);
    bl_device_mac(b, n->plc, mp, false);
    n->conv = bl_conv_get(b, n->hmi, n->plc, 6, 502, t);
}

static const char *tmpfile_path(const char *name)
{
    static char p[256];
    snprintf(p, sizeof(p), "/tmp/test-baseline-%d-%s", (int)getpid(), name);
    return p;
}

/* Learns 4 hours of polling into a file. */
static int learn_file(const char *path, uint64_t *t_end)
{
    struct baseline *b = make(BL_MODE_LEARN);
    if (!b)
        return -1;
    struct net n;
    setup_net(b, &n, T0);
    uint64_t t = run(b, &n, T0, 240, 0);
    bl_finish(b, t);
    char err[BL_ERRBUF];
    int rc = bl_save(b, path, err, sizeof(err));
    if (rc)
        printf("# %s\n", err);
    rc |= n_found; /* learn mode says nothing */
    bl_free(b);
    *t_end = t;
    return rc;
}

static struct baseline *load_detect(const char *path, struct net *n, uint64_t t)
{
    struct bl_config c;
    bl_config_defaults(&c);
    c.mode = BL_MODE_DETECT;
    char err[BL_ERRBUF];
    bool missing;
    struct baseline *b = bl_load(path, &c, &missing, err, sizeof(err));
    if (!b) {
        printf("# %s\n", err);
        return NULL;
    }
    struct bl_hooks h = {NULL, on_finding, on_device, vendor_of, NULL};
    bl_set_hooks(b, &h);
    reset_counts();
    bl_run_start(b, t);
    struct bl_key kh = ipkey(20), kp = ipkey(10);
    n->hmi = bl_device_get(b, &kh, t, true);
    n->plc = bl_device_get(b, &kp, t, true);
    n->conv = bl_conv_get(b, n->hmi, n->plc, 6, 502, t);
    return b;
}

static int test_learn_then_quiet(void)
{
    const char *path = tmpfile_path("quiet.json");
    uint64_t t;
    FAIL_IF(learn_file(path, &t) != 0);
    struct net n;
    struct baseline *b = load_detect(path, &n, t + 60 * S);
    FAIL_IF_NOT(b);
    FAIL_IF(n.conv == BL_NONE);
    t = run(b, &n, t + 60 * S, 240, 240);
    bl_finish(b, t);
    FAIL_IF(n_found != 0);
    FAIL_IF(events[BL_EV_NEW] != 0);
    bl_free(b);
    unlink(path);
    PASS;
}

static int test_deviations(void)
{
    const char *path = tmpfile_path("dev.json");
    uint64_t t;
    FAIL_IF(learn_file(path, &t) != 0);
    struct net n;
    struct baseline *b = load_detect(path, &n, t + 60 * S);
    FAIL_IF_NOT(b);
    t = run(b, &n, t + 60 * S, 10, 240);
    FAIL_IF(n_found != 0);
    /* a register range never touched */
    msg_write(&msg, 6, 400, 1);
    bl_msg(b, n.conv, false, &msg, t);
    FAIL_IF(found[BL_A_ADDRESS_WRITE] != 1);
    FAIL_IF(n_found != 1);
    /* a set-point far outside */
    msg_write(&msg, 6, 100, 9999);
    bl_msg(b, n.conv, false, &msg, t + S);
    FAIL_IF(found[BL_A_VALUE_FAR] != 1);
    /* inside the learned values: nothing */
    msg_write(&msg, 6, 100, 55);
    bl_msg(b, n.conv, false, &msg, t + 2 * S);
    FAIL_IF(n_found != 2);
    /* a new function code of the write class (writes were seen) */
    msg_write(&msg, 16, 100, 55);
    bl_msg(b, n.conv, false, &msg, t + 3 * S);
    FAIL_IF(found[BL_A_NEW_FUNCTION_WRITE] != 1);
    /* a new unit */
    msg_read(&msg, 3, 0, 10);
    msg.unit = 7;
    bl_msg(b, n.conv, false, &msg, t + 4 * S);
    FAIL_IF(found[BL_A_NEW_UNIT] != 1);
    /* a polling storm: 200 requests in a few seconds */
    for (unsigned i = 0; i < 200; i++) {
        msg_read(&msg, 3, 0, 10);
        bl_packet(b, n.hmi, n.conv, true, 66, t + 10 * S + i * 10000);
        bl_msg(b, n.conv, false, &msg, t + 10 * S + i * 10000);
    }
    /* the storm is said as a rate (once per bucket: it may straddle two) */
    FAIL_IF(found[BL_A_RATE] < 1 || found[BL_A_RATE] > 2);
    FAIL_IF(found[BL_A_PERIOD] != 0);
    /* a new host writing: new device, then rogue master */
    struct bl_key kx = ipkey(66);
    uint32_t x = bl_device_get(b, &kx, t + 100 * S, true);
    FAIL_IF(found[BL_A_NEW_DEVICE] != 1);
    uint32_t cx = bl_conv_get(b, x, n.plc, 6, 502, t + 100 * S);
    FAIL_IF(found[BL_A_NEW_CONVERSATION] != 0); /* said by new_device */
    msg_write(&msg, 16, 100, 55);
    bl_msg(b, cx, false, &msg, t + 101 * S);
    FAIL_IF(found[BL_A_ROGUE_MASTER] != 1);
    msg_write(&msg, 16, 200, 5);
    bl_msg(b, cx, false, &msg, t + 102 * S);
    FAIL_IF(found[BL_A_ROGUE_MASTER] != 1); /* then it learns its own profile */
    FAIL_IF(found[BL_A_ADDRESS_WRITE] != 1);
    /* the PLC goes silent; the HMI keeps talking */
    uint64_t u = t + 200 * S;
    for (unsigned i = 0; i < 20; i++, u += 60 * S) {
        bl_packet(b, n.hmi, n.conv, true, 66, u);
        bl_tick(b, u);
    }
    bl_finish(b, u);
    FAIL_IF(found[BL_A_SILENT] != 1);
    bl_free(b);
    unlink(path);
    PASS;
}

static int test_period_change(void)
{
    const char *path = tmpfile_path("period.json");
    uint64_t t;
    FAIL_IF(learn_file(path, &t) != 0);
    struct net n;
    struct baseline *b = load_detect(path, &n, t + 60 * S);
    FAIL_IF_NOT(b);
    t = run(b, &n, t + 60 * S, 10, 240);
    FAIL_IF(n_found != 0);
    /* one poll skipped is not a change */
    t += 60 * S;
    t = run(b, &n, t, 5, 250);
    FAIL_IF(found[BL_A_PERIOD] != 0);
    /* polled every 150 s from now on: slower, said once */
    for (unsigned i = 0; i < 8; i++, t += 150 * S) {
        msg_read(&msg, 3, 0, 10);
        bl_packet(b, n.hmi, n.conv, true, 66, t);
        bl_msg(b, n.conv, false, &msg, t);
        bl_packet(b, n.plc, n.conv, false, 85, t + 2000);
        bl_tick(b, t);
    }
    FAIL_IF(found[BL_A_PERIOD] != 1);
    FAIL_IF(found[BL_A_RATE] != 0 || found[BL_A_SILENT] != 0);
    bl_free(b);
    unlink(path);
    PASS;
}

static int test_first_command(void)
{
    /* a read-only conversation: the first write is the severe variant */
    struct baseline *b = make(BL_MODE_LEARN);
    FAIL_IF_NOT(b);
    struct net n;
    setup_net(b, &n, T0);
    uint64_t t = T0;
    for (unsigned i = 0; i < 100; i++, t += 60 * S) {
        msg_read(&msg, 3, 0, 10);
        bl_packet(b, n.hmi, n.conv, true, 66, t);
        bl_msg(b, n.conv, false, &msg, t);
        bl_packet(b, n.plc, n.conv, false, 85, t + 1000);
    }
    const char *path = tmpfile_path("ro.json");
    char err[BL_ERRBUF];
    FAIL_IF(bl_save(b, path, err, sizeof(err)) != 0);
    bl_free(b);
    b = load_detect(path, &n, t);
    FAIL_IF_NOT(b);
    msg_write(&msg, 6, 5, 1);
    bl_msg(b, n.conv, false, &msg, t + S);
    /* a known master's first command: the severe new function code */
    FAIL_IF(found[BL_A_NEW_FUNCTION_CMD] != 1);
    FAIL_IF(found[BL_A_ROGUE_MASTER] != 0);
    /* a host that never sent this PLC a request commands it: rogue master */
    struct bl_key kx = ipkey(30);
    uint32_t x = bl_device_get(b, &kx, t + 2 * S, true);
    bl_dev(b, x)->state = BL_MATURE; /* as if it had been learned elsewhere */
    uint32_t cx = bl_conv_get(b, x, n.plc, 6, 502, t + 2 * S);
    msg_write(&msg, 6, 5, 1);
    bl_msg(b, cx, false, &msg, t + 3 * S);
    FAIL_IF(found[BL_A_ROGUE_MASTER] != 1);
    FAIL_IF(found[BL_A_NEW_FUNCTION_CMD] != 1);
    bl_free(b);
    unlink(path);
    PASS;
}

static int test_auto_matures(void)
{
    struct baseline *b = make(BL_MODE_AUTO);
    FAIL_IF_NOT(b);
    struct net n;
    setup_net(b, &n, T0);
    uint64_t t = run(b, &n, T0, 300, 0); /* 5 hours */
    FAIL_IF(n_found != 0);
    FAIL_IF(bl_dev(b, n.hmi)->state != BL_MATURE);
    FAIL_IF(bl_dev(b, n.plc)->state != BL_MATURE);
    FAIL_IF(bl_dev(b, n.plc)->why != BL_WHY_STABLE);
    FAIL_IF(b->net_state != BL_MATURE);
    FAIL_IF(events[BL_EV_LEARNING] < 2);
    FAIL_IF(bl_dev(b, n.plc)->role != BL_ROLE_PLC);
    FAIL_IF(bl_dev(b, n.hmi)->role != BL_ROLE_HMI);
    const struct bl_device *plc = bl_dev(b, n.plc);
    FAIL_IF(!plc || strcmp(plc->vendor, "Telemecanique") != 0);
    FAIL_IF(fabs(bl_dev(b, n.plc)->period - 60) > 3);
    /* more of the same: quiet */
    t = run(b, &n, t, 60, 300);
    FAIL_IF(n_found != 0);
    /* a device put back into learning learns again, alone */
    bl_device_relearn(b, n.hmi, t);
    FAIL_IF(bl_dev(b, n.hmi)->state != BL_LEARNING);
    FAIL_IF(bl_dev(b, n.plc)->state != BL_MATURE);
    msg_write(&msg, 6, 300, 1);
    bl_msg(b, n.conv, false, &msg, t);
    FAIL_IF(n_found != 0); /* the conversation learns with its client */
    bl_free(b);
    PASS;
}

static int test_new_device_budget(void)
{
    struct baseline *b = make(BL_MODE_AUTO);
    FAIL_IF_NOT(b);
    struct net n;
    setup_net(b, &n, T0);
    uint64_t t = run(b, &n, T0, 300, 0);
    FAIL_IF(b->net_state != BL_MATURE);
    /* a late device touching many peers: new device, then scanning, once */
    struct bl_key kx = ipkey(99);
    uint32_t x = bl_device_get(b, &kx, t, true);
    for (uint8_t i = 100; i < 131; i++) {
        struct bl_key kp = ipkey(i);
        uint32_t p = bl_device_get(b, &kp, t, false);
        bl_conv_get(b, x, p, 6, 502, t);
    }
    FAIL_IF(found[BL_A_NEW_DEVICE] != 1);
    FAIL_IF(found[BL_A_NEW_DEVICE_SCAN] != 1);
    FAIL_IF(n_found != 2);
    FAIL_IF(bl_dev(b, x)->state != BL_LEARNING);
    /* its budget of silent novelties is spent: it is mature, and judged */
    struct bl_key kq = ipkey(200);
    uint32_t q = bl_device_get(b, &kq, t, false);
    bl_conv_get(b, x, q, 6, 502, t);
    FAIL_IF(bl_dev(b, x)->state != BL_MATURE);
    FAIL_IF(bl_dev(b, x)->why != BL_WHY_BUDGET);
    FAIL_IF(n_found != 2);
    struct bl_key kr = ipkey(201);
    uint32_t r = bl_device_get(b, &kr, t, false);
    bl_conv_get(b, x, r, 6, 502, t);
    FAIL_IF(found[BL_A_NEW_CONVERSATION] != 1);
    bl_free(b);
    PASS;
}

static int test_caps(void)
{
    struct bl_config c;
    bl_config_defaults(&c);
    c.mode = BL_MODE_LEARN;
    c.max_devices = 3;
    c.max_intervals = 4;
    char err[BL_ERRBUF];
    struct baseline *b = bl_new(&c, err, sizeof(err));
    FAIL_IF_NOT(b);
    struct bl_hooks h = {NULL, on_finding, on_device, NULL, NULL};
    bl_set_hooks(b, &h);
    reset_counts();
    bl_run_start(b, T0);
    for (uint8_t i = 1; i <= 6; i++) {
        struct bl_key k = ipkey(i);
        uint32_t id = bl_device_get(b, &k, T0, true);
        FAIL_IF((i <= 3) != (id != BL_NONE));
    }
    FAIL_IF(b->overflow.devices != 3);
    FAIL_IF(found[BL_A_OVERFLOW] != 1); /* said once */
    uint32_t conv = bl_conv_get(b, 0, 1, 6, 502, T0);
    /* eight disjoint reads in four intervals: merged, never dropped */
    for (unsigned i = 0; i < 8; i++) {
        msg_read(&msg, 3, i * 100, 10);
        bl_msg(b, conv, false, &msg, T0 + i);
    }
    FAIL_IF(b->conv[conv].n_spans != 4);
    FAIL_IF(b->overflow.intervals == 0);
    FAIL_IF(found[BL_A_OVERFLOW] != 2);
    for (unsigned i = 0; i < 8; i++) {
        bool in = false;
        for (uint32_t k = 0; k < b->conv[conv].n_spans; k++)
            in |= b->conv[conv].spans[k].lo <= i * 100 && b->conv[conv].spans[k].hi >= i * 100 + 9;
        FAIL_IF_NOT(in);
    }
    /* adjacent reads merge into one interval */
    struct baseline *b2 = make(BL_MODE_LEARN);
    FAIL_IF_NOT(b2);
    struct net n;
    setup_net(b2, &n, T0);
    msg_read(&msg, 3, 0, 10);
    bl_msg(b2, n.conv, false, &msg, T0);
    msg_read(&msg, 3, 10, 10);
    bl_msg(b2, n.conv, false, &msg, T0);
    msg_read(&msg, 3, 5, 3);
    bl_msg(b2, n.conv, false, &msg, T0);
    FAIL_IF(b2->conv[n.conv].n_spans != 1);
    FAIL_IF(b2->conv[n.conv].spans[0].hi != 19);
    bl_free(b2);
    bl_free(b);
    PASS;
}

/* The learned intervals of a group as a plain model: every read kept, then
 * sorted and merged where they overlap or touch. */
struct span_model {
    uint64_t lo[512], hi[512];
    unsigned n;
};

static void model_add(struct span_model *m, uint64_t lo, uint64_t hi)
{
    m->lo[m->n] = lo;
    m->hi[m->n++] = hi;
    for (unsigned a = 1; a < m->n; a++)
        for (unsigned j = a; j > 0 && m->lo[j - 1] > m->lo[j]; j--) {
            uint64_t l = m->lo[j], h = m->hi[j];
            m->lo[j] = m->lo[j - 1];
            m->hi[j] = m->hi[j - 1];
            m->lo[j - 1] = l;
            m->hi[j - 1] = h;
        }
    unsigned o = 0;
    for (unsigned i = 0; i < m->n; i++) {
        if (o > 0 && m->lo[i] <= m->hi[o - 1] + 1) {
            if (m->hi[i] > m->hi[o - 1])
                m->hi[o - 1] = m->hi[i];
            continue;
        }
        m->lo[o] = m->lo[i];
        m->hi[o++] = m->hi[i];
    }
    m->n = o;
}

/* Random reads of two functions, learned one by one: after each, the
 * conversation's intervals are exactly the merged reads of each function. */
static int test_intervals_merge(void)
{
    struct bl_config cfg;
    bl_config_defaults(&cfg);
    cfg.mode = BL_MODE_LEARN;
    cfg.max_intervals = 256; /* room for them all: nothing coarsened */
    char err[BL_ERRBUF];
    struct baseline *b = bl_new(&cfg, err, sizeof(err));
    FAIL_IF_NOT(b);
    struct net n;
    setup_net(b, &n, T0);
    static struct span_model model[2];
    memset(model, 0, sizeof(model));
    uint32_t seed = 12345;
    for (unsigned i = 0; i < 300; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned f = seed >> 31;
        uint64_t start = (seed >> 8) % 400;
        uint32_t count = 1 + (seed >> 20) % 9;
        msg_read(&msg, f ? 3 : 1, start, count);
        bl_msg(b, n.conv, false, &msg, T0 + i);
        model_add(&model[f], start, start + count - 1);
        const struct bl_conv *c = &b->conv[n.conv];
        FAIL_IF(c->spans_overflow);
        unsigned k[2] = {0, 0};
        for (uint32_t j = 0; j < c->n_spans; j++) {
            const struct bl_span *sp = &c->spans[j];
            unsigned g = sp->func == 3;
            FAIL_IF(k[g] >= model[g].n);
            FAIL_IF(sp->lo != model[g].lo[k[g]] || sp->hi != model[g].hi[k[g]]);
            k[g]++;
        }
        FAIL_IF(k[0] != model[0].n || k[1] != model[1].n);
    }
    bl_free(b);
    PASS;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static int test_file_round_trip(void)
{
    const char *p1 = tmpfile_path("a.json"), *p2 = tmpfile_path("b.json");
    uint64_t t;
    FAIL_IF(learn_file(p1, &t) != 0);
    struct bl_config c;
    bl_config_defaults(&c);
    char err[BL_ERRBUF];
    bool missing;
    struct baseline *b = bl_load(p1, &c, &missing, err, sizeof(err));
    FAIL_IF_NOT(b);
    FAIL_IF(bl_save(b, p2, err, sizeof(err)) != 0);
    char *s1 = slurp(p1), *s2 = slurp(p2);
    FAIL_IF(!s1 || !s2);
    FAIL_IF(strcmp(s1, s2) != 0);
    FAIL_IF(!strstr(s1, "\"version\": 1"));
    /* no temporary file is left beside it */
    char tmpl[300];
    snprintf(tmpl, sizeof(tmpl), "%s.tmp.", p2);
    FAIL_IF(strstr(s2, "tmp") != NULL);
    bl_free(b);
    /* a missing file says so */
    b = bl_load(tmpfile_path("none.json"), &c, &missing, err, sizeof(err));
    FAIL_IF(b || !missing);
    /* damaged: cut in the middle */
    s1[strlen(s1) / 2] = '\0';
    FAIL_IF(write_text(p2, s1) != 0);
    b = bl_load(p2, &c, &missing, err, sizeof(err));
    FAIL_IF(b || missing);
    FAIL_IF(!strstr(err, p2));
    FAIL_IF(!strstr(err, "damaged"));
    /* newer format version */
    FAIL_IF(write_text(p2, "{\"format\": \"otsensor-baseline\", \"version\": 99, \"devices\": [], "
                           "\"conversations\": []}") != 0);
    b = bl_load(p2, &c, &missing, err, sizeof(err));
    FAIL_IF(b);
    FAIL_IF(!strstr(err, "newer"));
    /* a field of the wrong type names its place */
    FAIL_IF(write_text(p2, "{\"format\": \"otsensor-baseline\", \"version\": 1, \"devices\": "
                           "[{\"id\": 0, \"kind\": \"host\", \"ip\": \"10.0.0.300\"}], "
                           "\"conversations\": []}") != 0);
    b = bl_load(p2, &c, &missing, err, sizeof(err));
    FAIL_IF(b);
    FAIL_IF(!strstr(err, "devices[0]"));
    /* a conversation naming a device that is not there */
    FAIL_IF(write_text(p2, "{\"format\": \"otsensor-baseline\", \"version\": 1, \"devices\": "
                           "[], \"conversations\": [{\"client\": 0, \"server\": 1, \"l4\": "
                           "\"tcp\", \"port\": 502}]}") != 0);
    b = bl_load(p2, &c, &missing, err, sizeof(err));
    FAIL_IF(b);
    FAIL_IF(!strstr(err, "conversations[0]"));
    /* not a baseline at all */
    FAIL_IF(write_text(p2, "[1, 2, 3]") != 0);
    b = bl_load(p2, &c, &missing, err, sizeof(err));
    FAIL_IF(b);
    free(s1);
    free(s2);
    unlink(p1);
    unlink(p2);
    PASS;
}

/* Every kind of device and transport survives the file. */
static int test_file_kinds(void)
{
    struct baseline *b = make(BL_MODE_LEARN);
    FAIL_IF_NOT(b);
    bl_run_start(b, T0);
    struct bl_key v6, l2, grp, ext;
    memset(&v6, 0, sizeof(v6));
    v6.ip[0] = 0xfe;
    v6.ip[1] = 0x80;
    v6.ip[15] = 7;
    v6.ip_version = 6;
    v6.vlan = 42;
    memset(&l2, 0, sizeof(l2));
    mac_of(0x99, l2.mac);
    memset(&grp, 0, sizeof(grp));
    grp.ip[0] = 224;
    grp.ip[3] = 22;
    grp.ip_version = 4;
    grp.kind = BL_DEV_GROUP;
    memset(&ext, 0, sizeof(ext));
    ext.kind = BL_DEV_EXTERNAL;
    uint32_t a = bl_device_get(b, &v6, T0, true), m = bl_device_get(b, &l2, T0, true);
    uint32_t g = bl_device_get(b, &grp, T0, false), e = bl_device_get(b, &ext, T0, false);
    FAIL_IF(a == BL_NONE || m == BL_NONE || g == BL_NONE || e == BL_NONE);
    bl_device_field(b, a, BL_F_HOSTNAME, "h\"os\\t\x01", 8, "dhcp");
    FAIL_IF(bl_conv_get(b, a, g, 2, 0, T0) == BL_NONE);      /* IGMP */
    FAIL_IF(bl_conv_get(b, m, g, 0, 0x88b8, T0) == BL_NONE); /* GOOSE */
    FAIL_IF(bl_conv_get(b, a, e, 58, 0, T0) == BL_NONE);     /* ICMPv6 */
    FAIL_IF(bl_conv_get(b, e, a, 6, 443, T0) == BL_NONE);
    /* an address above 2^63 (OPC UA string node ids are hashed to 64 bits) */
    uint32_t big = bl_conv_get(b, a, m, 6, 4840, T0);
    FAIL_IF(big == BL_NONE);
    msg_read(&msg, 3, 0xF000000000000001ULL, 1);
    bl_msg(b, big, false, &msg, T0);
    FAIL_IF(b->conv[big].n_spans != 1);
    const char *p1 = tmpfile_path("k1.json"), *p2 = tmpfile_path("k2.json");
    char err[BL_ERRBUF];
    FAIL_IF(bl_save(b, p1, err, sizeof(err)) != 0);
    bl_free(b);
    struct bl_config c;
    bl_config_defaults(&c);
    bool missing;
    b = bl_load(p1, &c, &missing, err, sizeof(err));
    if (!b)
        printf("# %s\n", err);
    FAIL_IF_NOT(b);
    FAIL_IF(b->n_dev != 4 || b->n_conv != 5);
    FAIL_IF(b->conv[big].n_spans != 1 || b->conv[big].spans[0].lo != 0xF000000000000001ULL);
    FAIL_IF(bl_device_find(b, &v6) != a || bl_device_find(b, &grp) != g);
    FAIL_IF(b->conv[0].l4 != 2);
    FAIL_IF(bl_save(b, p2, err, sizeof(err)) != 0);
    char *s1 = slurp(p1), *s2 = slurp(p2);
    FAIL_IF(!s1 || !s2 || strcmp(s1, s2) != 0);
    FAIL_IF(!strstr(s1, "\"ip-2\""));
    free(s1);
    free(s2);
    bl_free(b);
    unlink(p1);
    unlink(p2);
    PASS;
}

static int test_review(void)
{
    const char *p1 = tmpfile_path("r1.json"), *p2 = tmpfile_path("r2.json");
    uint64_t t;
    FAIL_IF(learn_file(p1, &t) != 0);
    struct bl_config c;
    bl_config_defaults(&c);
    c.mode = BL_MODE_LEARN;
    char err[BL_ERRBUF];
    bool missing;
    struct baseline *a = bl_load(p1, &c, &missing, err, sizeof(err));
    FAIL_IF_NOT(a);
    struct baseline *b = bl_load(p1, &c, &missing, err, sizeof(err));
    FAIL_IF_NOT(b);
    struct bl_hooks h = {NULL, on_finding, on_device, vendor_of, NULL};
    bl_set_hooks(b, &h);
    bl_run_start(b, t);
    struct net n;
    struct bl_key kh = ipkey(20), kp = ipkey(10);
    n.hmi = bl_device_get(b, &kh, t, true);
    n.plc = bl_device_get(b, &kp, t, true);
    n.conv = bl_conv_get(b, n.hmi, n.plc, 6, 502, t);
    msg_write(&msg, 16, 300, 1);
    bl_msg(b, n.conv, false, &msg, t);
    FAIL_IF(bl_save(b, p2, err, sizeof(err)) != 0);
    char buf[16384];
    FILE *m = fmemopen(buf, sizeof(buf), "w");
    unsigned d = bl_print_diff(a, b, m);
    fclose(m);
    FAIL_IF(d < 2); /* a function and an interval, and a new point */
    FAIL_IF(!strstr(buf, "+ function 16"));
    FAIL_IF(!strstr(buf, "300-300"));
    m = fmemopen(buf, sizeof(buf), "w");
    FAIL_IF(bl_print_diff(a, a, m) != 0);
    fclose(m);
    m = fmemopen(buf, sizeof(buf), "w");
    bl_print_inventory(b, m, BL_TABLE_TEXT);
    fclose(m);
    FAIL_IF(!strstr(buf, "10.0.0.10"));
    FAIL_IF(!strstr(buf, "PLC/RTU/IED"));
    FAIL_IF(!strstr(buf, "Telemecanique"));
    FAIL_IF(!strstr(buf, "2 devices"));
    m = fmemopen(buf, sizeof(buf), "w");
    bl_print_inventory(b, m, BL_TABLE_CSV);
    fclose(m);
    FAIL_IF(strncmp(buf, "ip,mac,vlan", 11) != 0);
    m = fmemopen(buf, sizeof(buf), "w");
    bl_print_show(b, m);
    fclose(m);
    FAIL_IF(!strstr(buf, "read_holding_registers: holding_register 0-9"));
    FAIL_IF(!strstr(buf, "period 60."));
    FAIL_IF(bl_device_lookup(b, "10.0.0.10") != n.plc);
    FAIL_IF(bl_device_lookup(b, "00:80:f4:00:00:14") != n.hmi);
    FAIL_IF(bl_device_lookup(b, "10.9.9.9") != BL_NONE);
    bl_free(a);
    bl_free(b);
    unlink(p1);
    unlink(p2);
    PASS;
}

/* The address text as snprintf writes it (the oracle for bl_ip_text's
 * hand-written digits): RFC 5952's longest zero run as "::". */
static void ip_text_ref(const struct bl_key *k, char *out, size_t n)
{
    if (k->ip_version == 4) {
        snprintf(out, n, "%u.%u.%u.%u", k->ip[0], k->ip[1], k->ip[2], k->ip[3]);
        return;
    }
    if (k->ip_version != 6) {
        snprintf(out, n, "-");
        return;
    }
    unsigned g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)(k->ip[2 * i] << 8 | k->ip[2 * i + 1]);
    int best = -1, best_len = 1;
    for (int i = 0; i < 8; i++) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
    }
    char t[64];
    size_t o = 0;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            o += (size_t)snprintf(t + o, sizeof(t) - o, "::");
            i += best_len - 1;
        } else {
            o += (size_t)snprintf(t + o, sizeof(t) - o, "%s%x",
                                  i > 0 && i != best + best_len ? ":" : "", g[i]);
        }
    }
    if (n) {
        size_t len = o < n - 1 ? o : n - 1;
        memcpy(out, t, len);
        out[len] = '\0';
    }
}

/* Random addresses (zero groups likely) and MACs, into buffers of every
 * size: the same text, cut the same way, as snprintf. */
static int test_address_text(void)
{
    uint32_t seed = 7;
    for (int round = 0; round < 3000; round++) {
        struct bl_key k;
        memset(&k, 0, sizeof(k));
        k.ip_version = round % 3 == 0 ? 4 : round % 3 == 1 ? 6 : 0;
        for (int i = 0; i < 16; i += 2) {
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 16) % 3) {
                k.ip[i] = (uint8_t)(seed >> 8);
                k.ip[i + 1] = (uint8_t)(seed >> 24);
            }
        }
        size_t n = (size_t)(seed >> 4) % 42;
        char a[48], b[48];
        memset(a, 'x', sizeof(a));
        memset(b, 'x', sizeof(b));
        bl_ip_text(&k, a, n);
        ip_text_ref(&k, b, n);
        FAIL_IF(memcmp(a, b, sizeof(a)) != 0);
        memset(a, 'x', sizeof(a));
        memset(b, 'x', sizeof(b));
        bl_mac_text(k.ip, a, n % 19);
        snprintf(b, n % 19, "%02x:%02x:%02x:%02x:%02x:%02x", k.ip[0], k.ip[1], k.ip[2], k.ip[3],
                 k.ip[4], k.ip[5]);
        FAIL_IF(memcmp(a, b, sizeof(a)) != 0);
    }
    PASS;
}

static int test_names(void)
{
    struct bl_key k;
    memset(&k, 0, sizeof(k));
    k.ip_version = 6;
    k.ip[0] = 0xfe;
    k.ip[1] = 0x80;
    k.ip[15] = 1;
    char s[64];
    bl_ip_text(&k, s, sizeof(s));
    FAIL_IF(strcmp(s, "fe80::1") != 0);
    uint64_t t;
    FAIL_IF(bl_time_parse("2024-01-15T10:00:00Z", &t) != 0 || t != T0);
    FAIL_IF(bl_time_parse("2024-01-15 10:00:00", &t) == 0);
    bl_time_text(T0, s, sizeof(s));
    FAIL_IF(strcmp(s, "2024-01-15T10:00:00Z") != 0);
    for (int a = 0; a < BL_A_COUNT; a++)
        FAIL_IF(strcmp(bl_alert_kind((enum bl_alert)a), "unknown") == 0);
    FAIL_IF(bl_role_from_name("plc") != BL_ROLE_PLC);
    PASS;
}

static const struct unit_test tests[] = {
    {"learn, then more of the same: no finding", test_learn_then_quiet},
    {"each deviation is its finding", test_deviations},
    {"a polling period that changes (one skipped poll does not)", test_period_change},
    {"a master's first command; a rogue master", test_first_command},
    {"auto mode: devices mature when stable; relearn", test_auto_matures},
    {"a late device learns alone within its budget", test_new_device_budget},
    {"caps: devices and intervals, overflow said once", test_caps},
    {"intervals: each read merged with the ones it touches", test_intervals_merge},
    {"the file: round trip, damaged, newer, bad fields", test_file_round_trip},
    {"every kind of device and transport survives the file", test_file_kinds},
    {"review: diff, inventory, show, lookup", test_review},
    {"names, addresses and times", test_names},
    {"address text: as snprintf writes it, cut the same way", test_address_text},
    {NULL, NULL},
};

UNIT_MAIN(tests)
