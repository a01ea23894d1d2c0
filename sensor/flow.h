/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the bidirectional flow table: a pool of flows sized at start-up,
 * a hash on VLAN + 5-tuple, and a least-recently-seen list that drives idle
 * timeouts and eviction on packet time. */
#ifndef OT_FLOW_H
#define OT_FLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "dissectors.h"
#include "dlist.h"
#include "rules.h"

struct ndpi_flow_struct;
struct txn;
struct reasm_buf;
struct ooo_store;

/* The JSON members a dissected flow's protocol records repeat after their
 * timestamp (flow id, sensor, event type, then the ends: src/dest, ports,
 * proto, app_proto, vlan, ether, tunnel) as written for each direction
 * (sensor/event.c; text that does not fit is written each time instead). */
#define FLOW_ENDS_TEXT 448
struct flow_ends {
    uint16_t len[2];
    char text[2][FLOW_ENDS_TEXT];
};

/* One direction of a TCP byte stream, framed into PDUs (reasm-tcp.c). */
struct stream {
    uint32_t next_seq;
    bool seq_known;
    bool fin;
    bool after_gap;        /* the next bytes follow a hole: resynchronise by tiling */
    uint32_t hold_seq;     /* before a dissector attached: where the held bytes start */
    struct reasm_buf *buf; /* pooled; only while a PDU spans segments */
    struct ooo_store *ooo; /* pooled; segments that arrived ahead of a hole */
    uint64_t skip;         /* bytes still to drop: the tail of an oversized PDU */
    uint64_t gaps;
    uint64_t reordered; /* segments held until the hole before them filled */
    uint64_t resync_bytes; /* bytes skipped looking for a valid PDU header */
};

enum flow_end {
    FLOW_END_TIMEOUT = 0,
    FLOW_END_CLOSED,   /* FIN both ways or RST, then the closed timeout */
    FLOW_END_EVICTED,  /* the table was full */
    FLOW_END_SHUTDOWN, /* end of input */
    FLOW_END_RECLAIMED, /* idle, and its dissector state went to a new flow */
};

struct flow_key {
    struct ip_addr a; /* the lower address */
    struct ip_addr b;
    uint16_t port_a;
    uint16_t port_b;
    uint16_t vlan;
    uint8_t ip_version;
    uint8_t proto;
};

struct flow {
    struct flow_key key;
    struct flow *hash_next;
    struct dlist_node lru;
    uint8_t lru_class; /* enum flow_timeout: which list, which timeout */
    uint64_t flow_id;
    uint64_t first_ts;
    uint64_t last_ts;

    /* the client (initiator) side, as addresses of the key */
    bool client_is_a;
    uint8_t vlan_count;
    uint16_t vlan[PKT_MAX_VLAN];
    bool has_ether;
    struct tunnel tunnel; /* the remote SPAN tunnel of its first packet, if any */
    uint8_t client_mac[6];
    uint8_t server_mac[6];
    /* formatted once per flow, written in every event: [0] key.a, [1] key.b */
    char ip_text[2][46];
    /* [0] client, [1] server */
    char mac_text[2][18];

    uint64_t pkts[2]; /* [0] client to server, [1] server to client */
    uint64_t bytes[2];
    uint8_t tcp_seen;  /* TCP flags seen, either direction */
    bool fin[2];
    bool closed;

    struct stream stream[2];
    const struct ot_dissector *dissector;
    void *dstate;      /* dissector flow state, pooled */
    struct flow_ends *ends; /* the event header text, pooled with the dissector state */
    /* the worker's list of flows holding dissector state, least recently
     * seen first (dissect.c): when the state runs out, the longest idle of
     * them gives its state up */
    struct dlist_node dstate_link;
    uint64_t dstate_listed; /* packet time it last moved to the young end */
    uint8_t probe_tries;
    bool dissect_done; /* no dissector will be tried any more */
    uint64_t pdus;
    uint64_t parse_errors;
    struct txn *pending; /* requests awaiting their response */
    uint32_t n_pending;

    struct ndpi_flow_struct *ndpi;
    bool ndpi_done;
    /* inventory.c: the client's and server's devices and the conversation,
     * resolved when the flow is created (BL_NONE: not tracked) */
    uint32_t inv_dev[2];
    uint32_t inv_conv;
    bool inv_set;
    uint16_t ndpi_master;
    uint16_t ndpi_app;
    uint32_t ndpi_packets;

    /* rules and zones (sensor/detect-rules.c), computed once per detection set */
    uint32_t rules_gen;  /* the set generation rules_end[] comes from; 0: not yet */
    uint16_t rules_done; /* what was evaluated once for this flow (RF_* in detect-rules.c) */
    /* [0] client, [1] server as rules see them (addresses, port, zone,
     * broadcast; the role is looked up per event): every message is matched
     * against them, so they are described once, not per message */
    struct rules_ep rules_end[2];
};

/* Direction index of a packet in its flow: 0 from the client, 1 from the server. */
static inline int flow_dir(const struct flow *f, const struct packet *p)
{
    bool from_a = memcmp(p->src.b, f->key.a.b, 16) == 0 && p->sport == f->key.port_a;
    if (memcmp(f->key.a.b, f->key.b.b, 16) == 0 && f->key.port_a == f->key.port_b)
        from_a = true; /* a flow to itself: one direction */
    return from_a == f->client_is_a ? 0 : 1;
}

struct flow_table;

/* Called for every flow that ends, before its slot is reused. */
typedef void (*flow_end_fn)(void *arg, struct flow *f, enum flow_end why);

/* Indexes of the timeouts: each class has its own list, oldest first. */
enum flow_timeout {
    FT_TCP = 0,
    FT_TCP_NEW,
    FT_TCP_CLOSED,
    FT_UDP,
    FT_OTHER,
    FT_COUNT,
};

struct flow_table *flow_table_new(uint32_t max_flows, const uint32_t timeouts_sec[FT_COUNT],
                                  flow_end_fn on_end, void *arg);
void flow_table_free(struct flow_table *t);

/* A packet's flow key and bucket, computed ahead of the lookup: the table is
 * larger than the caches, so the bucket and then the flow are asked for
 * early, and arrive while the duplicate check runs. */
struct flow_probe {
    struct flow_key key;
    uint32_t bucket;
};

/* Fills pr for p and prefetches its bucket. */
void flow_probe(struct flow_table *t, const struct packet *p, struct flow_probe *pr);
/* Prefetches the first flow of pr's bucket (a hint; the table is unchanged). */
void flow_prefetch(const struct flow_table *t, const struct flow_probe *pr);
/* Finds or creates the flow of p (pr from flow_probe, with no flow created or
 * ended since); *created says which.  When the table is full the least
 * recently seen flow is ended (FLOW_END_EVICTED) to make room. */
struct flow *flow_lookup(struct flow_table *t, const struct packet *p, const struct flow_probe *pr,
                         bool *created);
/* Marks f seen at ts in timeout class cls (moves it to the young end of that list). */
void flow_touch(struct flow_table *t, struct flow *f, uint64_t ts, enum flow_timeout cls);
/* Ends f now (its slot is free when this returns). */
void flow_end_now(struct flow_table *t, struct flow *f, enum flow_end why);
/* Ends every flow idle past its timeout at packet time now. */
void flow_expire(struct flow_table *t, uint64_t now);
/* Ends every flow (end of input). */
void flow_flush(struct flow_table *t);
uint32_t flow_active(const struct flow_table *t);
uint64_t flow_evicted(const struct flow_table *t);

#endif
