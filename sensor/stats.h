/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the counters a worker keeps (no locks: one set per worker) and
 * that the stats event and, later, /metrics report. */
#ifndef OT_STATS_H
#define OT_STATS_H

#include <stdint.h>

#include "decode.h"
#include "evtype.h"
#include "otmsg.h"

struct proto_stats {
    uint64_t flows;
    uint64_t pdus;
    uint64_t records;
    uint64_t truncated;
    uint64_t invalid;
    uint64_t anomalies;
    uint64_t resync_bytes; /* bytes skipped to find the next valid PDU */
    uint64_t oversized;    /* PDUs longer than reassembly.max_pdu, cut */
};

struct stats {
    uint64_t packets;
    uint64_t bytes;
    uint64_t decode_errors[DEC_COUNT];
    uint64_t flows_created;
    uint64_t flows_ended;
    uint64_t tcp_gaps;
    uint64_t tcp_retransmitted_bytes;
    uint64_t tcp_reordered;
    uint64_t tcp_cut_segments;   /* segments the capture cut short (snaplen) */      /* segments held and delivered once the hole filled */
    uint64_t partial_pdus_dropped; /* a PDU cut by a gap or by the end of its flow */
    uint64_t reasm_no_buffer;  /* a PDU spanning segments found no free buffer */
    uint64_t dissect_no_state; /* a flow found no free dissector state */
    uint64_t dissect_reclaimed; /* an idle flow was ended to free its state */
    uint64_t pending_evicted;  /* requests written unanswered to make room */
    uint64_t pending_timed_out;
    uint64_t ndpi_no_state;    /* a flow found no free nDPI state */
    uint64_t ndpi_over_memory; /* a flow given nDPI's guess: ndpi.max_memory_mb reached */
    struct proto_stats proto[OT_PROTO_COUNT];
    uint64_t events[EV_COUNT];
    uint64_t events_dropped; /* an event larger than the writer's buffer */

    /* mirror-port realities (decode.*): written only when not zero */
    uint64_t span_duplicates;       /* SPAN copies of a frame seen just before */
    uint64_t redundancy_frames;     /* frames with a PRP trailer or an HSR tag */
    uint64_t redundancy_duplicates; /* their second copies, dropped */
    uint64_t tunnels[TUN_COUNT];    /* frames taken out of a remote SPAN tunnel */

    /* live capture: this worker's socket as the kernel counts it (capture-*.c) */
    bool live;
    uint64_t kernel_packets;  /* frames the socket was offered (received + dropped) */
    uint64_t kernel_drops;    /* frames lost because the ring or buffer was full */
    uint64_t kernel_freezes;  /* times the ring filled up (TPACKET_V3) */
    uint64_t interface_drops; /* drops the interface reported (libpcap ps_ifdrop) */
    uint64_t interface_downs; /* times the interface went down or lost its carrier */
};

#endif
