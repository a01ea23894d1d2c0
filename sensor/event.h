/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: EVE records (DESIGN section 5): the common header, protocol
 * transaction records built from normalized messages, flow and stats events. */
#ifndef OT_EVENT_H
#define OT_EVENT_H

#include "flow.h"
#include "worker.h"

/* A payload packet of a dissected flow may complete one of its records: the
 * flow's cached header text (f->ends, a pool larger than the caches) is
 * asked for ahead when such records are written (a hint, nothing changes). */
void event_prefetch_ends(const struct worker *w, const struct flow *f);

/* Starts an event in w->jw: opens the object and writes timestamp, flow_id,
 * sensor, event_type and the addresses.  dir is the flow direction of the
 * sender that src_* names (0: client), or -1 for no flow (ether addresses
 * come from w->pkt then). */
void event_begin(struct worker *w, uint64_t ts, int type, const struct flow *f, int dir);
/* Writes src_ip/dest_ip of a packet that has no flow (after event_begin). */
void event_packet_addresses(struct worker *w, const struct packet *p);
/* Writes a packet-time timestamp value ("2024-01-01T00:00:00.000000+0000"). */
void event_time_value(struct jsonw *jw, uint64_t ts);
/* Closes the object and hands the line to the output. */
void event_end(struct worker *w, int type);

/* A transaction record: req and/or resp (either may be NULL but not both). */
void event_transaction(struct worker *w, const struct flow *f, const struct txn *req,
                       const struct ot_msg *resp, int resp_dir, uint64_t resp_ts);
void event_flow(struct worker *w, const struct flow *f, enum flow_end why);
void event_stats(struct worker *w, bool final);
/* Publishes the worker's counters to the output thread (for /metrics). */
void event_publish_metrics(struct worker *w, bool final);

/* Formats a MAC address as "aa:bb:cc:dd:ee:ff". */
void event_format_mac(char out[18], const uint8_t m[6]);

/* Writes the normalized fields and the detail tape of m as members of the
 * object that is open in jw.  With top (the message whose function and unit
 * a paired record shows at its top), names and unit equal to top's are left
 * out: the record says them once. */
void event_msg_members(struct jsonw *jw, const struct ot_msg *m, const struct ot_msg *top);

#endif
