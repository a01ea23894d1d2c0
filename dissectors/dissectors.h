/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the public interface of libotdissect: the dissector table entry,
 * the per-PDU context the engine passes, and the registry. */
#ifndef OT_DISSECTORS_H
#define OT_DISSECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "otmsg.h"
#include "tok.h"

enum ot_probe {
    OT_PROBE_NO = 0,
    OT_PROBE_YES,
    OT_PROBE_NEED_MORE,
};

enum ot_parse {
    OT_PARSE_OK = 0,   /* the message is filled: emit it */
    OT_PARSE_NONE,     /* consumed, nothing to emit yet (a fragment kept in flow state) */
    OT_PARSE_TRUNC,    /* the PDU ended early */
    OT_PARSE_INVALID,  /* a field broke the spec */
    OT_PARSE_NOT_MINE, /* these bytes are not this protocol */
};

/* What the engine tells parse() about the PDU it hands over. */
struct ot_ctx {
    uint64_t ts_usec;     /* packet time, microseconds since the epoch */
    bool to_server;       /* sent by the flow's client (initiator) */
    uint8_t l4;           /* IPPROTO_TCP, IPPROTO_UDP, or 0 for an ethertype */
    uint16_t src_port;
    uint16_t dst_port;
    /* The PDU was longer than the reassembly buffer: parse() sees the first
     * bytes only, pdu_len says how long it really was. */
    bool pdu_truncated;
    size_t pdu_len;
    /* Per-flow (per-direction pair) state of flow_state_size bytes, zeroed
     * when the flow starts; NULL for ethertype dissectors. */
    void *flow_state;
};

/* One entry per protocol.  `pdu_len` frames a byte stream: it returns the
 * length of the PDU that starts at p (which may exceed len), 0 when more
 * bytes are needed to tell, or OT_PDU_NOT_MINE when p does not start a valid
 * PDU (the engine then resynchronises, skipping a byte at a time). */
#define OT_PDU_NOT_MINE SIZE_MAX

struct ot_dissector {
    const char *name; /* "modbus": JSON key, config key, test prefix */
    enum ot_proto proto;
    uint8_t l4;         /* IPPROTO_TCP / IPPROTO_UDP / OT_L4_BOTH, 0 = ethertype */
    uint16_t ports[4];  /* server ports, 0-terminated; configuration may override */
    uint16_t ethertype; /* GOOSE, Profinet DCP */
    /* Heuristic on the first payload bytes of a flow (one direction); used to
     * confirm a port match and to find the protocol on other ports. */
    enum ot_probe (*probe)(const uint8_t *p, size_t len, bool to_server);
    size_t (*pdu_len)(const uint8_t *p, size_t len); /* NULL: one datagram = one PDU */
    enum ot_parse (*parse)(struct cur *c, const struct ot_ctx *ctx, struct ot_msg *out);
    size_t flow_state_size;
    /* Optional: protocol counters kept in flow state, written into the flow
     * event when the flow ends (e.g. implicit I/O frames per connection). */
    void (*flow_summary)(const void *flow_state, struct ot_detail *out);
    /* Heuristic detection on non-standard ports is allowed for this protocol. */
    bool heuristic;
};

#define OT_L4_BOTH 255

/* The table, NULL-terminated, in a fixed order (probe order). */
extern const struct ot_dissector *const ot_dissectors[];

const struct ot_dissector *ot_dissector_by_name(const char *name);
const struct ot_dissector *ot_dissector_by_proto(enum ot_proto proto);
size_t ot_dissector_count(void);

#endif
