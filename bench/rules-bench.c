/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: benchmarks of libotrules (make bench-rules): the cost of matching a
 * message against 1, 100 and 10 000 rules (the (protocol, function, unit)
 * index keeps it flat; a last line where every rule names the same function
 * and unit shows what the index cannot help with), and IOC lists of a
 * million entries: load time, memory, and the cost of an address and a
 * domain lookup.  Figures are CPU time on this machine; ratios are to the
 * 1-rule case of the same run. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "rules.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static uint64_t rng = 88172645463325252ULL;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static const struct {
    enum ot_proto proto;
    const char *name;
    uint32_t fc;
    const char *function;
} funcs[] = {
    {OT_PROTO_MODBUS, "modbus", 3, "read_holding_registers"},
    {OT_PROTO_MODBUS, "modbus", 4, "read_input_registers"},
    {OT_PROTO_MODBUS, "modbus", 6, "write_single_register"},
    {OT_PROTO_MODBUS, "modbus", 16, "write_multiple_registers"},
    {OT_PROTO_MODBUS, "modbus", 5, "write_single_coil"},
    {OT_PROTO_DNP3, "dnp3", 1, "READ"},
    {OT_PROTO_DNP3, "dnp3", 5, "DIRECT_OPERATE"},
    {OT_PROTO_IEC104, "iec104", 45, "C_SC_NA_1"},
    {OT_PROTO_IEC104, "iec104", 13, "M_ME_NC_1"},
    {OT_PROTO_S7COMM, "s7comm", 4, "read_var"},
};
#define NFUNCS (sizeof(funcs) / sizeof(funcs[0]))

/* n rules over protocols, functions (by name or code), units and address
 * ranges; same: all on one function and unit. */
static char *make_rules(int n, int same)
{
    size_t cap = (size_t)n * 200 + 64;
    char *t = malloc(cap), *p = t;
    for (int i = 0; i < n; i++) {
        unsigned f = same ? 0 : rnd() % NFUNCS;
        unsigned unit = same ? 1 : 1 + rnd() % 247;
        unsigned a = rnd() % 60000;
        if (rnd() % 2)
            p += sprintf(p, "alert %s function %s", funcs[f].name, funcs[f].function);
        else
            p += sprintf(p, "alert %s function %u", funcs[f].name, funcs[f].fc);
        p += sprintf(p, " unit %u address %u-%u value > %u msg \"bench %d\" sid %d\n", unit, a,
                     a + rnd() % 100, rnd() % 1000, i, 1000000 + i);
    }
    *p = '\0';
    return t;
}

static struct ot_msg msgs[1024];

static void make_msgs(void)
{
    for (int i = 0; i < 1024; i++) {
        struct ot_msg *m = &msgs[i];
        unsigned f = rnd() % NFUNCS;
        ot_msg_reset(m, funcs[f].proto);
        ot_msg_set_function(m, funcs[f].fc, funcs[f].function, OT_OP_WRITE);
        m->has_unit = true;
        m->unit = 1 + rnd() % 247;
        ot_msg_add_range(m, "holding_register", 3, rnd() % 60000, 1 + rnd() % 10);
        ot_msg_add_value(m, 3, m->ranges[0].start, rnd() % 2000);
    }
}

static unsigned long hits;

static void on_hit(void *arg, const struct rule_info *r)
{
    (void)arg;
    (void)r;
    hits++;
}

/* worst case: every message hits the one bucket every rule is in */
static struct ot_msg crowded[1024];

static void make_crowded(void)
{
    for (int i = 0; i < 1024; i++) {
        crowded[i] = msgs[i];
        ot_msg_set_function(&crowded[i], funcs[0].fc, funcs[0].function, OT_OP_READ);
        crowded[i].proto = funcs[0].proto;
        crowded[i].unit = 1;
    }
}

static double bench_rules(int n, int same)
{
    char *text = make_rules(n, same);
    struct rules_problems pr;
    memset(&pr, 0, sizeof(pr));
    struct rule_set *rs = rules_new(NULL, NULL);
    double t0 = now();
    rules_load_text(rs, "bench.rules", text, false, &pr);
    rules_finish(rs, &pr);
    double load = now() - t0;
    if (pr.total) {
        fprintf(stderr, "bench: %u problems in the generated rules\n", pr.total);
        exit(1);
    }
    struct rules_event ev;
    memset(&ev, 0, sizeof(ev));
    const long iters = 4000000;
    t0 = now();
    const struct ot_msg *set = same ? crowded : msgs;
    long n_iter = same ? iters / 1000 : iters;
    for (long i = 0; i < n_iter; i++)
        rules_match(rs, RT_MSG, &set[i & 1023], &ev, on_hit, NULL);
    double ns = (now() - t0) / n_iter * 1e9;
    printf("  %6d rules%s: %9.1f ns per message   (load %.3f s)\n", n,
           same ? ", all on the message's function and unit (worst case)" : "", ns, load);
    rules_free(rs);
    free(text);
    return ns;
}

static void bench_ioc(long n)
{
    char path[] = "/tmp/bench-ioc-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    long n4 = n * 85 / 100, n6 = n * 5 / 100, nd = n - n4 - n6;
    for (long i = 0; i < n4; i++) {
        uint32_t a = rnd() | 0x01000000u;
        if (i % 10 == 0)
            fprintf(f, "%u.%u.%u.0/24 scanner range %ld\n", a >> 24, (a >> 16) & 255,
                    (a >> 8) & 255, i % 50);
        else
            fprintf(f, "%u.%u.%u.%u botnet C2\n", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
                    a & 255);
    }
    for (long i = 0; i < n6; i++)
        fprintf(f, "2001:db8:%x:%x::%x/64 tor exit\n", rnd() & 0xffff, rnd() & 0xffff,
                rnd() & 0xffff);
    for (long i = 0; i < nd; i++)
        fprintf(f, "h%lx%x.example%u.net malware distribution\n", (long)i, rnd() & 0xfff,
                rnd() % 100);
    fclose(f);
    long before = rss_kb();
    struct rules_problems pr;
    memset(&pr, 0, sizeof(pr));
    struct ioc *c = ioc_new();
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    long loaded = ioc_load(c, path, &pr);
    ioc_build(c);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    double secs = (double)(w1.tv_sec - w0.tv_sec) + (w1.tv_nsec - w0.tv_nsec) / 1e9;
    printf("  IOC list: %ld entries (%ld IPv4, %ld IPv6, %ld domains) loaded in %.2f s, "
           "%.0f MB resident\n",
           loaded, n4, n6, nd, secs, (rss_kb() - before) / 1024.0);
    /* address lookups: random addresses, most of them misses (as on a wire) */
    const long iters = 10000000;
    uint8_t a[16] = {0};
    unsigned long found = 0;
    struct ioc_hit h;
    double t0 = now();
    for (long i = 0; i < iters; i++) {
        uint32_t v = rnd();
        a[0] = (uint8_t)(v >> 24);
        a[1] = (uint8_t)(v >> 16);
        a[2] = (uint8_t)(v >> 8);
        a[3] = (uint8_t)v;
        found += ioc_match_ip(c, a, 4, &h);
    }
    double ns = (now() - t0) / iters * 1e9;
    printf("  IPv4 lookup: %.0f ns (%lu of %ld random addresses listed)\n", ns, found, iters);
    char name[128];
    found = 0;
    const long diters = 2000000;
    t0 = now();
    for (long i = 0; i < diters; i++) {
        snprintf(name, sizeof(name), "www.h%lx%x.example%u.net", (long)(i % (nd ? nd : 1)),
                 rnd() & 0xfff, rnd() % 100);
        found += ioc_match_domain(c, name, &h);
    }
    double t1 = now();
    for (long i = 0; i < diters; i++)
        snprintf(name, sizeof(name), "www.h%lx%x.example%u.net", (long)(i % (nd ? nd : 1)),
                 rnd() & 0xfff, rnd() % 100);
    double fmt = now() - t1;
    printf("  domain lookup (4 labels): %.0f ns\n", ((t1 - t0) - fmt) / diters * 1e9);
    ioc_free(c);
    unlink(path);
}

int main(int argc, char **argv)
{
    long ioc_n = argc > 1 ? atol(argv[1]) : 1000000;
    make_msgs();
    make_crowded();
    printf("rule matching (a message against the set; ratio to 1 rule):\n");
    double base = bench_rules(1, 0);
    double r100 = bench_rules(100, 0);
    double r10k = bench_rules(10000, 0);
    printf("  ratios: 100 rules %.2fx, 10 000 rules %.2fx\n", r100 / base, r10k / base);
    bench_rules(10000, 1);
    printf("IOC lists:\n");
    bench_ioc(ioc_n);
    printf("(%lu rule hits)\n", hits);
    return 0;
}
