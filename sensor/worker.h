/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: a worker runs the whole path of a packet -- decode, flow,
 * reassembly, dissection, detection, events -- with state no other thread
 * touches. */
#ifndef OT_WORKER_H
#define OT_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "alert.h"
#include "conf.h"
#include "decode.h"
#include "dedup.h"
#include "flow.h"
#include "jsonw.h"
#include "pool.h"
#include "stats.h"

struct output;
struct output_queue;
struct inventory;
struct ndpi_detection_module_struct;
struct rules_worker;

/* A request kept until its response arrives (or it times out). */
struct txn {
    struct txn *flow_next; /* the flow's pending list, oldest first */
    struct dlist_node age; /* in the worker's list of all pending, oldest first */
    struct flow *flow;
    uint64_t ts;
    int dir; /* flow direction that sent it */
    bool capture_gap; /* the direction its response comes in lost bytes meanwhile */
    /* a layer 2 request (flow NULL): the frame's ends, for its record */
    uint8_t l2_src[6];
    uint8_t l2_dst[6];
    uint8_t l2_vlan_count;
    uint16_t l2_vlan[PKT_MAX_VLAN];
    struct ot_msg msg;
};

struct worker {
    const struct conf *conf;
    struct output *out;         /* which event types are wanted */
    struct output_queue *queue; /* where this worker's events go; NULL: nowhere */
    struct flow_table *flows;
    struct ndpi_detection_module_struct *ndpi;
    struct pool ndpi_pool;
    struct pool reasm_pool;
    struct pool dstate_pool;
    struct pool ends_pool; /* struct flow_ends, one per dissected flow */
    struct dlist dstate_flows; /* the flows holding dissector state, least recently seen first */
    struct pool txn_pool;
    size_t dstate_size;
    struct dlist pending_by_age; /* every request awaiting its response, oldest first */
    struct txn *l2_pending; /* layer 2 requests awaiting their response, oldest first */
    uint32_t n_l2_pending;
    struct jsonw jw;
    char sensor_json[2 * CONF_STR + 8]; /* the sensor name as a JSON string, escaped once */
    size_t sensor_json_len;
    struct stats stats;
    struct alert_agg *alerts;
    struct alert_stats alert_stats;
    struct rules_worker *rules; /* rules, lists, zones: sensor/detect-rules.c */
    struct inventory *inv; /* inventory.c; NULL when inventory.enabled is false */
    uint64_t now;           /* packet time of the newest packet, microseconds */
    uint64_t next_tick;     /* when timeouts are next checked */
    uint64_t next_stats;    /* when the next stats event is due */
    bool started;
    /* the packet being processed, for events raised on its behalf */
    const struct packet *pkt;
    struct dedup span_dedup; /* SPAN copies of the same frame (decode.dedup.*) */
    struct dedup red_dedup;  /* second copies of PRP/HSR frames (decode.redundancy.*) */
    /* live capture: which socket feeds this worker (stats events say so) */
    const char *capture_engine; /* "pcap", "afpacket"; NULL: file replay */
    const char *capture_iface;
    int capture_index;
};

int worker_init(struct worker *w, const struct conf *conf, struct output *out,
                struct output_queue *queue, char *err, size_t errlen);
void worker_fini(struct worker *w);
/* Processes one captured frame; data is borrowed for the duration of the call. */
void worker_packet(struct worker *w, int linktype, uint64_t ts_usec, const uint8_t *data,
                   uint32_t caplen, uint32_t wirelen);
/* The same, for an Ethernet frame whose outer VLAN tag the capture carries
 * beside the bytes (AF_PACKET strips it into the ring header): decoded, and
 * counted on the wire, as if the tag were still in the frame. */
void worker_packet_vlan(struct worker *w, uint64_t ts_usec, const uint8_t *data, uint32_t caplen,
                        uint32_t wirelen, uint16_t tpid, uint16_t tci);
/* Live capture with nothing arriving: packet time follows the clock, so
 * timeouts and stats still happen (and starts it before the first frame).
 * Never moves time backwards. */
void worker_clock(struct worker *w, uint64_t ts_usec);
/* A new input file starts: frames it shares with the previous file are not
 * mirrored copies of them. */
void worker_input_start(struct worker *w);
/* End of input: ends every flow and pending request, writes the final stats. */
void worker_finish(struct worker *w);

/* reasm-tcp.c: feeds a TCP segment's payload to the flow's framer. */
void reasm_segment(struct worker *w, struct flow *f, int dir, const struct packet *p);
/* While no dissector has claimed a TCP flow, its first payload bytes are
 * held (in order, bounded) so that a probe can see more than one short
 * segment.  reasm_hold_add appends p's payload and points data/len at all
 * the held bytes; false when nothing is held (out of order, no buffer).
 * reasm_hold_release frames the held bytes once a dissector attached
 * (true: p's payload was among them); reasm_hold_drop forgets them. */
bool reasm_hold_add(struct worker *w, struct flow *f, int dir, const struct packet *p,
                    const uint8_t **data, size_t *len);
bool reasm_hold_release(struct worker *w, struct flow *f, int dir, const struct packet *p);
void reasm_hold_drop(struct worker *w, struct flow *f);
/* Looks at what a packet acknowledges: a hole in the other direction that
 * the peer acknowledged will never fill. */
void reasm_ack(struct worker *w, struct flow *f, int dir, const struct packet *p);
/* Delivers what is held out of order (past the holes), drops any partial
 * PDU and returns the buffers of both directions. */
void reasm_release(struct worker *w, struct flow *f);
/* Frames a UDP datagram (or one L2 frame) into PDUs. */
void frame_datagram(struct worker *w, struct flow *f, int dir, const uint8_t *data, size_t len);

/* dissect.c */
/* Looks for the flow's protocol in a payload; returns true when it took the
 * packet's payload already (framed with bytes held from earlier segments). */
bool dissect_select(struct worker *w, struct flow *f, int dir, const struct packet *p);
void dissect_pdu(struct worker *w, struct flow *f, int dir, const uint8_t *data, size_t len,
                 size_t claimed_len);
void dissect_l2(struct worker *w, const struct packet *p);
/* Writes the flow's unanswered requests and drops partial PDUs. */
void dissect_flow_end(struct worker *w, struct flow *f);
/* Moves a flow holding dissector state to the young end of their list. */
void dissect_relist(struct worker *w, struct flow *f);
/* A packet of f was seen: the list of flows holding dissector state is kept
 * in order to the second, which is all the idle test needs (moving a flow
 * on every packet would touch two other flows' lines each time). */
static inline void dissect_seen(struct worker *w, struct flow *f)
{
    if (f->dstate && f->last_ts >= f->dstate_listed + 1000000)
        dissect_relist(w, f);
}
/* Returns the dissector state to its pool, after the flow event used it. */
void dissect_release(struct worker *w, struct flow *f);
/* Bytes were lost in direction dir: requests awaiting a response from there
 * may never see it. */
void dissect_gap(struct worker *w, struct flow *f, int dir);
void dissect_expire(struct worker *w);
void dissect_flush(struct worker *w);

/* app-ndpi.c */
int appid_init(struct worker *w, char *err, size_t errlen);
void appid_fini(struct worker *w);
void appid_packet(struct worker *w, struct flow *f, const struct packet *p);
/* Ends classification (nDPI's give-up guess) before the flow event is written. */
void appid_flow_end(struct worker *w, struct flow *f);
/* Returns the flow's nDPI state to the pool, after the flow event. */
void appid_release(struct worker *w, struct flow *f);
/* nDPI's name for the flow's protocol ("TLS", "Modbus"), or NULL. */
const char *appid_name(const struct worker *w, const struct flow *f);
/* Writes the flow's nDPI risks ("risks") and server name ("server_name"). */
void appid_write_meta(const struct worker *w, const struct flow *f, struct jsonw *jw);

#endif
