/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the sensor's configuration: compiled-in defaults (the embedded
 * configuration), overridden by a YAML file and then by the command line. */
#ifndef OT_CONF_H
#define OT_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "baseline.h"
#include "dissectors.h"

#define CONF_MAX_PORTS 8
#define CONF_STR 256

struct conf_dissector {
    bool enabled;
    bool heuristic;
    uint16_t ports[CONF_MAX_PORTS]; /* 0-terminated */
};

#define CONF_LIST 4096       /* a list setting, kept comma-separated */
#define CONF_NAME 64
#define CONF_MAX_ZONES 64
#define CONF_MAX_CONDUITS 128

/* A zone (DESIGN section 8): name, networks, Purdue level. */
struct conf_zone {
    char name[CONF_NAME];
    char networks[1024]; /* comma-separated prefixes */
    int32_t level;       /* 0..5, -1 not given */
    unsigned line;       /* where it is defined, for messages */
};

/* A conduit: which zone may open conversations to which, over what. */
struct conf_conduit {
    char from[CONF_NAME];
    char to[CONF_NAME];
    char protocols[CONF_STR]; /* comma-separated: modbus, tcp/502, udp, any */
    bool bidirectional;
    unsigned line;
};

struct conf {
    char sensor_name[CONF_STR];

    /* flows */
    uint32_t max_flows;
    uint32_t timeout_tcp;        /* seconds of packet time */
    uint32_t timeout_tcp_new;    /* a handshake that never completed */
    uint32_t timeout_tcp_closed; /* after FIN from both sides or RST */
    uint32_t timeout_udp;
    uint32_t timeout_other;

    /* TCP reassembly and dissection */
    uint32_t reasm_buffers;  /* PDUs spanning segments in flight at once */
    uint32_t reasm_max_pdu;  /* bytes of one PDU kept; longer ones are cut */
    uint32_t dissect_flows;  /* flows with dissector state at once */
    uint32_t dissect_reclaim_idle; /* seconds idle before that state may go to a new flow; 0: never */
    uint32_t pending_max;    /* requests awaiting their response, all flows */
    uint32_t pending_per_flow;
    uint32_t pending_timeout; /* seconds before a request is written unanswered */
    struct conf_dissector dissector[OT_PROTO_COUNT];

    /* rules, IOC lists, GeoIP, zones (sensor/detect-rules.c, rules/) */
    bool rules_builtin;             /* load the compiled-in rules */
    char rules_paths[CONF_LIST];    /* rule files or directories */
    char rules_tuning[CONF_STR];    /* tuning file, or "" */
    uint32_t rules_thresholds;      /* keys tracked by threshold clauses */
    uint32_t rules_goose;           /* GOOSE control blocks tracked */
    uint32_t rules_arp;             /* IPv4 addresses tracked */
    uint32_t rules_certificates;    /* TLS certificates tracked */
    uint32_t rules_conversations;   /* remembered for once-per-conversation alerts */
    char ioc_files[CONF_LIST];
    char geoip_files[CONF_LIST];
    bool geoip_optional;            /* a missing database is a warning */
    char geo_ot_policy[CONF_STR];   /* deny, allowlist, allow */
    char geo_allowed_countries[CONF_LIST];
    char geo_forbidden_countries[CONF_LIST];
    char geo_allowed_asns[CONF_LIST];
    char geo_forbidden_asns[CONF_LIST];
    char internal_networks[CONF_LIST]; /* "": the defaults of DESIGN section 8 */
    uint32_t unzoned_level;         /* Purdue level of internal addresses in no zone */
    uint32_t n_zones;
    struct conf_zone zones[CONF_MAX_ZONES];
    uint32_t n_conduits;
    struct conf_conduit conduits[CONF_MAX_CONDUITS];

    /* nDPI */
    bool ndpi_enabled;
    uint32_t ndpi_max_packets; /* give up classifying after this many packets */
    uint32_t ndpi_max_memory_mb; /* what nDPI may hold inside flows, all workers */

    uint32_t alert_window; /* seconds in which repeats of an alert become one count */

    /* inventory and baselines (baseline.*, learning.*, inventory.*); the
     * mode comes from --mode */
    bool inventory_enabled;
    char oui_file[CONF_STR];       /* IEEE OUI list (Debian ieee-data); missing: no vendors */
    uint32_t baseline_snapshot;    /* seconds of packet time between saves of -b FILE; 0: at exit */
    struct bl_config baseline;

    /* outputs */
    uint32_t output_queue_kb; /* each worker's queue to the output thread */
    uint32_t stats_interval; /* seconds of packet time; 0 = only at the end */
    bool eve_enabled;
    char eve_filename[CONF_STR];
    uint32_t eve_types;      /* bit mask of enum ev_type */
    uint32_t eve_fsync;      /* enum conf_fsync */
    uint32_t eve_split_types; /* types written to a file of their own, eve-<type>.json */
    uint32_t shutdown_timeout; /* seconds to deliver what is queued at exit */

    /* spools of the network sinks (while a sink is down) */
    char spool_dir[CONF_STR];  /* "": the log directory */
    uint32_t spool_max_mb;     /* per sink; 0: no spool (events lost while down) */
    uint32_t spool_fsync;      /* enum conf_fsync */

    /* Redis (a URL, from --redis or outputs.redis.url, overrides the parts) */
    bool redis_enabled;
    char redis_url[CONF_STR];
    char redis_host[CONF_STR];
    uint32_t redis_port;
    char redis_socket[CONF_STR];
    char redis_user[CONF_STR];
    char redis_password[CONF_STR];
    uint32_t redis_db;
    char redis_key[CONF_STR];
    uint32_t redis_mode;       /* enum conf_redis_mode */
    uint32_t redis_types;
    uint32_t redis_maxlen;     /* stream: XADD MAXLEN ~ */
    uint32_t redis_pipeline;   /* commands in flight at once */
    uint32_t redis_retry_max;  /* seconds between reconnect attempts, at most */

    /* syslog (a URL, from --syslog or outputs.syslog.url, overrides the parts) */
    bool syslog_enabled;
    char syslog_url[CONF_STR];
    uint32_t syslog_transport; /* enum conf_syslog_transport */
    char syslog_host[CONF_STR];
    uint32_t syslog_port;
    char syslog_socket[CONF_STR];
    uint32_t syslog_format;    /* enum syslog_format order: json, cef, leef */
    uint32_t syslog_header;    /* rfc5424, rfc3164 */
    uint32_t syslog_facility;  /* 0..23 */
    uint32_t syslog_types;
    char syslog_hostname[CONF_STR]; /* "": the machine's name */
    uint32_t syslog_max_message;
    uint32_t syslog_tcp_hold_ms; /* keep a TCP-acknowledged message this long for a resend */
    uint32_t syslog_retry_max;

    /* HTTP endpoint */
    uint32_t http_enabled;     /* enum conf_auto */
    char http_listen[CONF_STR];
    uint32_t http_alerts;      /* recent alerts kept for /api/alerts */
    uint32_t http_assets;      /* assets kept for /api/assets */

    /* live capture (capture.*; -i, --capture and --workers override) */
    char capture_iface[CONF_STR];
    uint32_t capture_engine;      /* enum conf_capture_engine */
    uint32_t capture_workers;     /* AF_PACKET fanout members, one thread each */
    uint32_t capture_snaplen;
    bool capture_promisc;
    char capture_bpf[CONF_STR];   /* BPF filter compiled into the kernel socket(s) */
    char capture_user[CONF_STR];  /* drop to this user after opening; "": keep the uid */
    char capture_group[CONF_STR]; /* "": the user's primary group */
    uint32_t capture_buffer_mb;   /* per worker; 0: from the link speed and memory */
    bool pcap_immediate;          /* libpcap: hand over every packet at once */
    uint32_t pcap_timeout_ms;     /* libpcap: otherwise at most this late */
    uint32_t afp_block_kb;        /* TPACKET_V3 block size */
    uint32_t afp_blocks;          /* 0: capture.buffer_mb / block size */
    uint32_t afp_frame_size;      /* 0: from the snaplen */
    uint32_t afp_block_tov_ms;    /* a block not full is handed over after this */
    uint32_t afp_fanout;          /* enum conf_fanout */
    uint32_t afp_fanout_id;       /* 0: from the process id */
    char afp_cpus[CONF_STR];      /* "0,1": pin worker i to the i-th CPU of the list */

    /* mirror-port realities, in the shared decode path (replay too) */
    bool decode_tunnels;          /* decapsulate GRE, ERSPAN, VXLAN */
    uint32_t vxlan_port;
    uint32_t dedup_window_us;     /* SPAN duplicates within this window are dropped; 0: off */
    uint32_t dedup_slots;         /* recent frames remembered per worker */
    bool redundancy_enabled;      /* strip PRP trailers / HSR tags, drop the second copy */
    uint32_t redundancy_window_ms;

    /* sensor_health alerts (live capture, plus the clock in replay) */
    uint32_t health_interval;      /* seconds between looks at the kernel's counters */
    uint32_t health_drops_percent; /* drops above this share of an interval alert; 0: any */
    uint32_t health_stall;         /* seconds without a packet on a busy interface; 0: off */
    uint32_t health_clock_jump;    /* seconds packet time may jump; 0: off */
    uint32_t health_queue_percent; /* an output queue fuller than this alerts */
};

enum conf_capture_engine {
    CONF_CAPTURE_PCAP = 0,
    CONF_CAPTURE_AFPACKET,
};

enum conf_fanout {
    CONF_FANOUT_HASH = 0, /* both directions of a conversation to one worker */
    CONF_FANOUT_CPU,      /* by receiving CPU: needs symmetric RSS on the NIC */
    CONF_FANOUT_LB,       /* round robin: splits conversations (raw capture rate only) */
};

enum conf_fsync {
    CONF_FSYNC_NONE,
    CONF_FSYNC_SECOND,
    CONF_FSYNC_ALWAYS,
};

enum conf_auto {
    CONF_AUTO,
    CONF_OFF,
    CONF_ON,
};

enum conf_redis_mode {
    CONF_REDIS_LIST,
    CONF_REDIS_CHANNEL,
    CONF_REDIS_STREAM,
};

enum conf_syslog_transport {
    CONF_SYSLOG_UDP,
    CONF_SYSLOG_TCP,
    CONF_SYSLOG_UNIX,
};

/* Names of enumerated settings, NULL-ended, in enum order. */
extern const char *const conf_fsync_names[];
extern const char *const conf_redis_mode_names[];
extern const char *const conf_syslog_transport_names[];
extern const char *const conf_syslog_format_names[];
extern const char *const conf_syslog_header_names[];
extern const char *const conf_syslog_facility_names[];
extern const char *const conf_capture_engine_names[];
extern const char *const conf_fanout_names[];
/* Index of name in names, or -1. */
int conf_enum_find(const char *const *names, const char *name);

/* One problem found in a configuration file. */
struct conf_problem {
    char file[CONF_STR];
    unsigned line;
    char msg[CONF_STR];
};

#define CONF_MAX_PROBLEMS 64

struct conf_problems {
    unsigned n;
    struct conf_problem p[CONF_MAX_PROBLEMS];
};

void conf_defaults(struct conf *c);
/* Reads a YAML file over c.  Every problem is recorded with file:line; returns
 * the number of problems (0 = good). */
unsigned conf_load_file(struct conf *c, const char *path, struct conf_problems *out);
/* Parses a comma-separated event type list into a mask; -1 on an unknown name
 * (its text in bad). */
int conf_parse_types(const char *list, uint32_t *mask, char *bad, size_t badlen);

#endif
