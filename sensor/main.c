/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the command line (DESIGN section 4): options, configuration, the
 * run, and the exit status. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "conf.h"
#include "detect-rules.h"
#include "config.h"
#include "inventory.h"
#include "log.h"
#include "output.h"
#include "worker.h"

#define EXIT_USAGE 1
#define EXIT_RUNTIME 2
#define MAX_INPUTS 256

static void usage(FILE *out)
{
    fprintf(out,
            "usage: otsensor -r FILE [-r FILE ...] [options]\n"
            "       otsensor -i IFACE [--capture pcap|afpacket] [--workers N] [options]\n"
            "\n"
            "Passive security sensor for industrial (OT) networks: dissects industrial\n"
            "protocols and writes EVE JSON events.\n"
            "\n"
            "  -r FILE               read a pcap or pcapng file; a directory: its files in\n"
            "                        name order; \"-\": standard input (repeatable)\n"
            "  -i, --interface IFACE capture live on a network interface (a SPAN port)\n"
            "      --capture pcap|afpacket  libpcap (default) or the AF_PACKET TPACKET_V3\n"
            "                        zero-copy ring with fanout workers\n"
            "      --workers N       capture threads for afpacket (default 1)\n"
            "      --bpf FILTER      capture filter (pcap-filter syntax), in the kernel\n"
            "      --user USER       after opening the capture, run as USER with no\n"
            "                        capabilities (without it, capabilities are dropped)\n"
            "  -c, --config FILE     YAML configuration (default: the embedded defaults)\n"
            "  -l, --log-dir DIR     where eve.json goes (default: .)\n"
            "  -e, --eve FILE|-      EVE JSON lines output (\"-\": standard output)\n"
            "      --eve-types LIST  event types to write, comma-separated (default: all);\n"
            "                        e.g. alert,asset,flow,stats\n"
            "      --redis URL       alerts to Redis: redis://[[user]:password@]host:port/db\n"
            "                        ?mode=list|channel|stream&key=NAME[&types=LIST]\n"
            "      --syslog URL      alerts to syslog: udp://HOST:PORT, tcp://HOST:PORT,\n"
            "                        unix:///dev/log\n"
            "      --syslog-format json|cef|leef   payload (default json)\n"
            "      --syslog-header rfc5424|rfc3164 header (default rfc5424)\n"
            "      --syslog-types LIST  event types sent to syslog (default: alert)\n"
            "      --http ADDR:PORT  serve /health, /metrics, /api/alerts, /api/assets\n"
            "      --rules PATH      a rule file or directory, besides the built-in rules\n"
            "                        (repeatable; a rule with a built-in sid replaces it)\n"
            "      --ioc [NAME=]FILE an IOC list: addresses, prefixes, domains (repeatable)\n"
            "      --geoip FILE      a MaxMind DB (country and/or ASN; repeatable)\n"
            "      --realtime        replay files at their recorded pace\n"
            "      --snaplen N       cut every packet to N bytes\n"
            "  -b, --baseline FILE   start from this baseline if it exists; save it at exit\n"
            "                        and every baseline.snapshot_interval (not in detect mode)\n"
            "      --mode MODE       learn | detect (against -b FILE, never rewritten) |\n"
            "                        auto: each device learns until stable (default)\n"
            "  -T, --test-config     check the configuration, print every problem, exit\n"
            "  -v, --verbose         more diagnostics on stderr\n"
            "      --version         print the version and exit\n"
            "  -h, --help            this text\n"
            "\n"
            "       otsensor inventory BASELINE.json [--json|--csv]\n"
            "       otsensor baseline show|diff|relearn ... (otsensor baseline --help)\n"
            "\n"
            "Exit status: 0 success; 1 bad usage, configuration or unreadable input;\n"
            "2 a failure while running.\n");
}

static struct output *signal_out; /* SIGHUP reopens its files */

static void on_signal(int sig)
{
    if (sig == SIGHUP) {
        if (signal_out)
            output_request_reopen(signal_out);
        detect_rules_request_reload(); /* rules, tuning, IOC lists, GeoIP, zones */
        return;
    }
    capture_stop = 1;
}

struct options {
    char *inputs[MAX_INPUTS];
    int n_inputs;
    const char *iface;
    const char *capture;
    const char *workers;
    const char *bpf;
    const char *user;
    const char *config;
    const char *log_dir;
    const char *eve;
    const char *eve_types;
    const char *redis;
    const char *syslog;
    const char *syslog_format;
    const char *syslog_header;
    const char *syslog_types;
    const char *http;
    bool test_config;
    struct rules_opts rules; /* --rules, --ioc, --geoip */
    const char *baseline;   /* -b */
    enum bl_mode mode;      /* --mode */
    struct replay_opts replay;
};

enum {
    OPT_VERSION = 256,
    OPT_EVE_TYPES,
    OPT_REALTIME,
    OPT_SNAPLEN,
    OPT_RULES,
    OPT_IOC,
    OPT_GEOIP,
    OPT_MODE,
    OPT_REDIS,
    OPT_SYSLOG,
    OPT_SYSLOG_FORMAT,
    OPT_SYSLOG_HEADER,
    OPT_SYSLOG_TYPES,
    OPT_HTTP,
    OPT_CAPTURE,
    OPT_WORKERS,
    OPT_BPF,
    OPT_USER,
};

static int parse_args(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"interface", required_argument, NULL, 'i'},
        {"capture", required_argument, NULL, OPT_CAPTURE},
        {"workers", required_argument, NULL, OPT_WORKERS},
        {"bpf", required_argument, NULL, OPT_BPF},
        {"user", required_argument, NULL, OPT_USER},
        {"log-dir", required_argument, NULL, 'l'},
        {"eve", required_argument, NULL, 'e'},
        {"eve-types", required_argument, NULL, OPT_EVE_TYPES},
        {"realtime", no_argument, NULL, OPT_REALTIME},
        {"snaplen", required_argument, NULL, OPT_SNAPLEN},
        {"rules", required_argument, NULL, OPT_RULES},
        {"ioc", required_argument, NULL, OPT_IOC},
        {"geoip", required_argument, NULL, OPT_GEOIP},
        {"baseline", required_argument, NULL, 'b'},
        {"mode", required_argument, NULL, OPT_MODE},
        {"redis", required_argument, NULL, OPT_REDIS},
        {"syslog", required_argument, NULL, OPT_SYSLOG},
        {"syslog-format", required_argument, NULL, OPT_SYSLOG_FORMAT},
        {"syslog-header", required_argument, NULL, OPT_SYSLOG_HEADER},
        {"syslog-types", required_argument, NULL, OPT_SYSLOG_TYPES},
        {"http", required_argument, NULL, OPT_HTTP},
        {"test-config", no_argument, NULL, 'T'},
        {"verbose", no_argument, NULL, 'v'},
        {"version", no_argument, NULL, OPT_VERSION},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "r:i:c:l:e:b:Tvh", longopts, NULL)) != -1) {
        switch (ch) {
            case 'r':
                if (o->n_inputs >= MAX_INPUTS) {
                    ot_err("at most %d -r inputs", MAX_INPUTS);
                    return -1;
                }
                o->inputs[o->n_inputs++] = optarg;
                break;
            case 'i':
                if (o->iface) {
                    ot_err("one -i interface per sensor (a second: '%s')", optarg);
                    return -1;
                }
                o->iface = optarg;
                break;
            case OPT_CAPTURE: o->capture = optarg; break;
            case OPT_WORKERS: o->workers = optarg; break;
            case OPT_BPF: o->bpf = optarg; break;
            case OPT_USER: o->user = optarg; break;
            case 'c': o->config = optarg; break;
            case 'l': o->log_dir = optarg; break;
            case 'e': o->eve = optarg; break;
            case OPT_EVE_TYPES: o->eve_types = optarg; break;
            case OPT_REALTIME: o->replay.realtime = true; break;
            case OPT_RULES:
            case OPT_IOC:
            case OPT_GEOIP: {
                struct rules_opts *r = &o->rules;
                const char **list = ch == OPT_RULES ? r->rules : ch == OPT_IOC ? r->ioc : r->geoip;
                int *n = ch == OPT_RULES ? &r->n_rules : ch == OPT_IOC ? &r->n_ioc : &r->n_geoip;
                if (*n >= RULES_OPT_MAX) {
                    ot_err("at most %d --rules, --ioc or --geoip each", RULES_OPT_MAX);
                    return -1;
                }
                list[(*n)++] = optarg;
                break;
            }
            case 'b': o->baseline = optarg; break;
            case OPT_MODE:
                if (strcmp(optarg, "auto") == 0)
                    o->mode = BL_MODE_AUTO;
                else if (strcmp(optarg, "learn") == 0)
                    o->mode = BL_MODE_LEARN;
                else if (strcmp(optarg, "detect") == 0)
                    o->mode = BL_MODE_DETECT;
                else {
                    ot_err("--mode takes learn, detect or auto, not '%s'", optarg);
                    return -1;
                }
                break;
            case OPT_REDIS: o->redis = optarg; break;
            case OPT_SYSLOG: o->syslog = optarg; break;
            case OPT_SYSLOG_FORMAT: o->syslog_format = optarg; break;
            case OPT_SYSLOG_HEADER: o->syslog_header = optarg; break;
            case OPT_SYSLOG_TYPES: o->syslog_types = optarg; break;
            case OPT_HTTP: o->http = optarg; break;
            case OPT_SNAPLEN: {
                char *end;
                unsigned long v = strtoul(optarg, &end, 10);
                if (*end || v == 0 || v > 262144) {
                    ot_err("--snaplen takes a number of bytes from 1 to 262144, not '%s'", optarg);
                    return -1;
                }
                o->replay.snaplen = (uint32_t)v;
                break;
            }
            case 'T': o->test_config = true; break;
            case 'v':
                if (ot_log_level < OT_LOG_DEBUG)
                    ot_log_level++;
                break;
            case OPT_VERSION:
                printf("otsensor %s\n", PACKAGE_VERSION);
                exit(0);
            case 'h':
                usage(stdout);
                exit(0);
            default:
                usage(stderr);
                return -1;
        }
    }
    if (optind < argc) {
        ot_err("unexpected argument '%s' (see --help)", argv[optind]);
        return -1;
    }
    return 0;
}

/* The output options over the configuration (issue 9). */
static int apply_output_options(struct conf *c, const struct options *o)
{
    if (o->redis)
        snprintf(c->redis_url, sizeof(c->redis_url), "%s", o->redis);
    if (o->syslog)
        snprintf(c->syslog_url, sizeof(c->syslog_url), "%s", o->syslog);
    if (o->syslog_format) {
        int f = conf_enum_find(conf_syslog_format_names, o->syslog_format);
        if (f < 0) {
            ot_err("--syslog-format: json, cef or leef, not '%s'", o->syslog_format);
            return -1;
        }
        c->syslog_format = (uint32_t)f;
    }
    if (o->syslog_header) {
        int h = conf_enum_find(conf_syslog_header_names, o->syslog_header);
        if (h < 0) {
            ot_err("--syslog-header: rfc5424 or rfc3164, not '%s'", o->syslog_header);
            return -1;
        }
        c->syslog_header = (uint32_t)h;
    }
    if (o->syslog_types) {
        char bad[64];
        if (conf_parse_types(o->syslog_types, &c->syslog_types, bad, sizeof(bad)) < 0) {
            ot_err("--syslog-types: unknown event type '%s'", bad);
            return -1;
        }
    }
    if (o->http) {
        snprintf(c->http_listen, sizeof(c->http_listen), "%s", o->http);
        c->http_enabled = CONF_ON;
    }
    return 0;
}

/* The live capture options over the configuration (issue 10); the decoder
 * settings every path shares. */
static int apply_capture_options(struct conf *c, const struct options *o)
{
    if (o->iface) {
        if (strlen(o->iface) >= sizeof(c->capture_iface)) {
            ot_err("-i: '%s' is not an interface name", o->iface);
            return -1;
        }
        snprintf(c->capture_iface, sizeof(c->capture_iface), "%s", o->iface);
    }
    if (o->capture) {
        int e = conf_enum_find(conf_capture_engine_names, o->capture);
        if (e < 0) {
            ot_err("--capture: pcap or afpacket, not '%s'", o->capture);
            return -1;
        }
        c->capture_engine = (uint32_t)e;
    }
    if (o->workers) {
        char *end;
        unsigned long v = strtoul(o->workers, &end, 10);
        if (*end || v < 1 || v > OUTPUT_MAX_WORKERS) {
            ot_err("--workers takes a number from 1 to %d, not '%s'", OUTPUT_MAX_WORKERS,
                   o->workers);
            return -1;
        }
        c->capture_workers = (uint32_t)v;
    }
    if (o->bpf) {
        if (strlen(o->bpf) >= sizeof(c->capture_bpf)) {
            ot_err("--bpf: the filter is longer than %zu bytes", sizeof(c->capture_bpf) - 1);
            return -1;
        }
        snprintf(c->capture_bpf, sizeof(c->capture_bpf), "%s", o->bpf);
    }
    if (o->user)
        snprintf(c->capture_user, sizeof(c->capture_user), "%s", o->user);
    decode_opts.tunnels = c->decode_tunnels;
    decode_opts.redundancy = c->redundancy_enabled;
    decode_opts.vxlan_port = (uint16_t)c->vxlan_port;
    return 0;
}

static int load_config(struct conf *c, const struct options *o)
{
    conf_defaults(c);
    if (o->config) {
        static struct conf_problems problems;
        unsigned n = conf_load_file(c, o->config, &problems);
        for (unsigned i = 0; i < problems.n; i++) {
            if (problems.p[i].line)
                fprintf(stderr, "%s:%u: %s\n", problems.p[i].file, problems.p[i].line,
                        problems.p[i].msg);
            else
                fprintf(stderr, "%s: %s\n", problems.p[i].file, problems.p[i].msg);
        }
        if (n > problems.n)
            fprintf(stderr, "%s: %u more problems\n", o->config, n - problems.n);
        if (n)
            return -1;
    }
    if (o->eve_types) {
        char bad[64];
        if (conf_parse_types(o->eve_types, &c->eve_types, bad, sizeof(bad)) < 0) {
            ot_err("--eve-types: unknown event type '%s'", bad);
            return -1;
        }
    }
    if (apply_capture_options(c, o) != 0)
        return -1;
    return apply_output_options(c, o);
}

static int open_outputs(struct output *out, const struct conf *c, const struct options *o,
                        bool live)
{
    char err[OT_ERRBUF_SIZE];
    char path[PATH_MAX];
    const char *eve = o->eve;
    if (!eve && c->eve_enabled) {
        const char *dir = o->log_dir ? o->log_dir : ".";
        if (c->eve_filename[0] == '/')
            snprintf(path, sizeof(path), "%s", c->eve_filename);
        else
            snprintf(path, sizeof(path), "%s/%s", dir, c->eve_filename);
        eve = path;
    }
    output_init(out, c, o->log_dir);
    if (eve && output_open_eve(out, eve, c->eve_types, err, sizeof(err)) != 0) {
        ot_err("%s", err);
        return -1;
    }
    if (output_open_sinks(out, live, err, sizeof(err)) != 0) {
        ot_err("%s", err);
        return -1;
    }
    return 0;
}

/* SIGHUP (logrotate's postrotate) can come at any moment of a start, before
 * its default action (the end of the process) is replaced: it is blocked as
 * soon as main knows it runs the sensor and acted on by install_signals.
 * Threads started in between inherit the mask, so the main thread is the one
 * that handles it.  SIGINT and SIGTERM keep their default action until then:
 * nothing has been read yet. */
static void mask_sighup(int how)
{
    sigset_t hup;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    pthread_sigmask(how, &hup, NULL);
}

static void install_signals(struct output *out)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal_out = out;
    sa.sa_flags = SA_RESTART; /* a reload or a reopen must not break a blocked read */
    sigaction(SIGHUP, &sa, NULL);
    mask_sighup(SIG_UNBLOCK); /* one held since the start is handled here */
}

static int live_worker_ready(struct worker *w, void *arg, char *err, size_t errlen)
{
    const struct options *o = arg;
    return inventory_open(w, o->baseline, o->mode, err, errlen);
}

static int live_worker_done(struct worker *w, void *arg, char *err, size_t errlen)
{
    (void)arg;
    return inventory_save(w, err, errlen);
}

/* Live capture: open the capture while privileged, give the privileges up
 * (before any thread exists: capabilities are per thread), then open the
 * outputs (their files belong to the unprivileged user) and run. */
static int run_live(struct options *o, const struct conf *conf)
{
    static struct output out;
    char err[OT_ERRBUF_SIZE];
    struct live *l;
    if (live_open(&l, conf, err, sizeof(err)) != 0) {
        ot_err("%s", err);
        return EXIT_USAGE;
    }
    if (priv_drop(conf->capture_user, conf->capture_group, err, sizeof(err)) != 0) {
        ot_err("%s", err);
        live_close(l);
        return EXIT_USAGE;
    }
    if (open_outputs(&out, conf, o, true) != 0) {
        output_stop(&out);
        live_close(l);
        return EXIT_USAGE;
    }
    if (live_queues(l, &out, err, sizeof(err)) != 0 || output_start(&out, err, sizeof(err)) != 0) {
        ot_err("%s", err);
        output_stop(&out);
        live_close(l);
        return EXIT_RUNTIME;
    }
    if (detect_rules_start() != 0)
        ot_warn("cannot start the reload thread: SIGHUP will not reload the rules");
    install_signals(&out);
    const struct live_hooks hooks = {live_worker_ready, live_worker_done, o};
    int rc = 0;
    if (live_run(l, &hooks, err, sizeof(err)) != 0) {
        ot_err("%s", err);
        rc = EXIT_RUNTIME;
    }
    live_close(l);
    detect_rules_stop();
    if (output_stop(&out) != 0 && rc == 0)
        rc = EXIT_RUNTIME;
    return rc;
}

int main(int argc, char **argv)
{
    static struct options o;
    static struct conf conf;
    static struct output out;
    static struct worker w;
    if (argc > 1 && (strcmp(argv[1], "inventory") == 0 || strcmp(argv[1], "baseline") == 0))
        return cmd_baseline(argc - 1, argv + 1);
    mask_sighup(SIG_BLOCK);
    if (parse_args(argc, argv, &o) != 0)
        return EXIT_USAGE;
    if (load_config(&conf, &o) != 0)
        return EXIT_USAGE;
    if (o.test_config) {
        if (detect_rules_load(&conf, o.config, &o.rules, true) != 0)
            return EXIT_USAGE;
        printf("%s: configuration OK\n", o.config ? o.config : "embedded defaults");
        return 0;
    }
    if (o.n_inputs && o.iface) {
        ot_err("-r and -i: read files or capture live, not both");
        return EXIT_USAGE;
    }
    bool live = o.n_inputs == 0 && conf.capture_iface[0];
    if (o.n_inputs == 0 && !live) {
        ot_err("nothing to read: give -r FILE or -i IFACE (see --help)");
        return EXIT_USAGE;
    }
    if (o.log_dir) {
        struct stat st;
        if (stat(o.log_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            ot_err("%s: not a directory", o.log_dir);
            return EXIT_USAGE;
        }
    }
    if (detect_rules_load(&conf, o.config, &o.rules, false) != 0)
        return EXIT_USAGE;
    if (live)
        return run_live(&o, &conf);
    if (open_outputs(&out, &conf, &o, false) != 0) {
        output_stop(&out);
        return EXIT_USAGE;
    }
    char err[OT_ERRBUF_SIZE];
    /* replay waits for the output thread rather than lose events */
    struct output_queue *q = output_queue_new(&out, (size_t)conf.output_queue_kb * 1024, true);
    if (!q || output_start(&out, err, sizeof(err)) != 0 ||
        worker_init(&w, &conf, &out, q, err, sizeof(err)) != 0) {
        ot_err("%s", q ? err : "cannot allocate the output queue");
        output_stop(&out);
        return EXIT_RUNTIME;
    }
    /* a damaged or newer baseline stops the run before it starts: never
     * learned over, never replaced */
    if (inventory_open(&w, o.baseline, o.mode, err, sizeof(err)) != 0) {
        ot_err("%s", err);
        worker_fini(&w);
        output_stop(&out);
        return EXIT_USAGE;
    }
    if (detect_rules_start() != 0)
        ot_warn("cannot start the reload thread: SIGHUP will not reload the rules");
    install_signals(&out);
    o.replay.progress = isatty(STDERR_FILENO);
    int rc = capture_replay(&w, o.inputs, o.n_inputs, &o.replay);
    worker_finish(&w);
    if (inventory_save(&w, err, sizeof(err)) != 0) {
        ot_err("%s", err);
        if (rc == 0)
            rc = EXIT_RUNTIME;
    }
    worker_fini(&w);
    detect_rules_stop();
    if (output_stop(&out) != 0 && rc == 0)
        rc = EXIT_RUNTIME;
    return rc;
}
